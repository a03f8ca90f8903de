// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The programs' one-line JSON reports, written with nlohmann-json.
///
/// @code
/// nacs_cli::json_object j;
/// j.add("n", 1000).add("solver", "lazy").add("objective", 981.25).add("gamma", std::optional<double>{});
/// j.add("files", nacs_cli::json_array{}.push(nacs_cli::read_report_json(report)));  // see report.hpp
/// nacs_cli::print_json_line(stdout, j);   // {"n":1000,"solver":"lazy","objective":981.25,"gamma":null,"files":[...]}
/// @endcode
///
/// Keys keep their insertion order (nlohmann::ordered_json) and must be
/// distinct. Strings are escaped as RFC 8259 says; bytes that are not valid
/// UTF-8 become U+FFFD, so the line is valid JSON whatever a file name holds.
/// Numbers are written in the shortest form that reads back to the same
/// double, and a double with an integral value below 2^53 as an integer ("3",
/// not "3.0", as before the move to nlohmann-json); NaN and infinities, which
/// JSON cannot hold, become null.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace nacs_cli {

/// @brief The JSON value type of the reports: an object keeps its keys in insertion order.
using json = nlohmann::ordered_json;

/// @brief `v` as a JSON value: an integer when v is integral and exactly representable, null when not finite.
inline json json_value(double v) {
  if (!std::isfinite(v)) return nullptr;
  constexpr double exact = 9007199254740992.0;  // 2^53
  if (v == std::floor(v) && std::fabs(v) < exact && !(v == 0.0 && std::signbit(v)))
    return static_cast<std::int64_t>(v);
  return v;
}

/// @brief Dumps a value on one line; invalid UTF-8 becomes U+FFFD.
inline std::string json_dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

/// @brief `s` as a JSON string literal, quotes included.
inline std::string json_string(std::string_view s) { return json_dump(json(std::string(s))); }

/// @brief `v` as a JSON number: the shortest text that reads back as v; "null" for NaN or infinity.
inline std::string json_number(double v) { return json_dump(json_value(v)); }

class json_object;

/// @brief A JSON array built element by element.
class json_array {
 public:
  json_array() : j_(json::array()) {}
  /// @brief Appends a value (a number, string, bool, object or array).
  template <class T>
  json_array& push(const T& value);
  /// @brief The array as one line of JSON.
  [[nodiscard]] std::string str() const { return json_dump(j_); }
  /// @brief The nlohmann value.
  [[nodiscard]] const json& value() const noexcept { return j_; }
  [[nodiscard]] std::size_t size() const noexcept { return j_.size(); }

 private:
  json j_;
};

/// @brief A JSON object built key by key, in insertion order; keys must be distinct.
class json_object {
 public:
  json_object() : j_(json::object()) {}
  /// @brief Adds a string value.
  json_object& add(std::string_view key, std::string_view value) { return put(key, std::string(value)); }
  /// @brief Adds a string value.
  json_object& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  /// @brief Adds a string value.
  json_object& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
  /// @brief Adds true or false.
  json_object& add(std::string_view key, bool value) { return put(key, value); }
  /// @brief Adds an integer, exactly.
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  json_object& add(std::string_view key, I value) {
    return put(key, value);
  }
  /// @brief Adds a number (null when not finite).
  json_object& add(std::string_view key, double value) { return put(key, json_value(value)); }
  /// @brief Adds the value, or null when empty.
  template <class T>
  json_object& add(std::string_view key, const std::optional<T>& value) {
    if (!value.has_value()) return put(key, nullptr);
    return add(key, *value);
  }
  /// @brief Adds a nested object.
  json_object& add(std::string_view key, const json_object& value) { return put(key, value.j_); }
  /// @brief Adds an array.
  json_object& add(std::string_view key, const json_array& value) { return put(key, value.value()); }
  /// @brief Adds already-formatted JSON text as the value; throws std::invalid_argument when it is not JSON.
  json_object& raw(std::string_view key, std::string_view text) {
    json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) throw std::invalid_argument("json_object::raw: '" + std::string(text) + "' is not JSON");
    return put(key, std::move(v));
  }
  /// @brief True when `key` was added.
  [[nodiscard]] bool contains(std::string_view key) const { return j_.contains(key); }
  /// @brief The object as one line of JSON, without a newline.
  [[nodiscard]] std::string str() const { return json_dump(j_); }
  /// @brief The nlohmann value.
  [[nodiscard]] const json& value() const noexcept { return j_; }

 private:
  json_object& put(std::string_view key, json v) {
    if (j_.contains(key)) throw std::logic_error("json_object: key '" + std::string(key) + "' added twice");
    j_[std::string(key)] = std::move(v);
    return *this;
  }
  json j_;
};

template <class T>
json_array& json_array::push(const T& value) {
  if constexpr (std::is_same_v<T, json_object> || std::is_same_v<T, json_array>) {
    j_.push_back(value.value());
  } else if constexpr (std::is_floating_point_v<T>) {
    j_.push_back(json_value(static_cast<double>(value)));
  } else {
    j_.push_back(json(value));
  }
  return *this;
}

/// @brief Writes the object and a newline to `out` and flushes; false when writing failed.
inline bool print_json_line(std::FILE* out, const json_object& j) {
  const std::string line = j.str() + "\n";
  const bool ok = std::fwrite(line.data(), 1, line.size(), out) == line.size();
  return std::fflush(out) == 0 && ok;
}

}  // namespace nacs_cli
