/// @file
/// @brief A tiny JSON writer for the example programs' one-line reports.
///
/// @code
/// nacs_cli::json_object j;
/// j.add("n", 1000).add("solver", "lazy").add("objective", 981.25).add("gamma", std::optional<double>{});
/// nacs_cli::print_json_line(stdout, j);   // {"n":1000,"solver":"lazy","objective":981.25,"gamma":null}
/// @endcode
///
/// Strings are escaped as RFC 8259 says (quote, backslash, control
/// characters); bytes that are not valid UTF-8 become U+FFFD, so the output is
/// always valid JSON whatever a file name holds. Numbers are written in the
/// shortest form that reads back to the same double; NaN and infinities,
/// which JSON cannot hold, become null.
#pragma once

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace nacs_cli {

namespace detail {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1Fu; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0Fu; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07u; }
  else return 0;
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3Fu);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

}  // namespace detail

/// @brief `s` as a JSON string literal, quotes included.
inline std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
      ++i;
      continue;
    }
    const std::size_t len = detail::utf8_sequence(s, i);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  out += '"';
  return out;
}

/// @brief `v` as a JSON number: the shortest text that reads back as v; "null" for NaN or infinity.
inline std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// @brief A JSON object built key by key, in insertion order; keys must be distinct.
class json_object {
 public:
  /// @brief Adds a string value.
  json_object& add(std::string_view key, std::string_view value) { return raw(key, json_string(value)); }
  /// @brief Adds a string value.
  json_object& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  /// @brief Adds a string value.
  json_object& add(std::string_view key, const std::string& value) { return add(key, std::string_view(value)); }
  /// @brief Adds true or false.
  json_object& add(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
  /// @brief Adds an integer, exactly.
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  json_object& add(std::string_view key, I value) {
    return raw(key, std::to_string(value));
  }
  /// @brief Adds a number (null when not finite).
  json_object& add(std::string_view key, double value) { return raw(key, json_number(value)); }
  /// @brief Adds the value, or null when empty.
  template <class T>
  json_object& add(std::string_view key, const std::optional<T>& value) {
    if (!value.has_value()) return raw(key, "null");
    return add(key, *value);
  }
  /// @brief Adds a nested object.
  json_object& add(std::string_view key, const json_object& value) { return raw(key, value.str()); }
  /// @brief Adds already-formatted JSON text as the value (the caller vouches for it).
  json_object& raw(std::string_view key, std::string_view json) {
    for (const auto& k : keys_)
      if (k == key) throw std::logic_error("json_object: key '" + std::string(key) + "' added twice");
    keys_.emplace_back(key);
    body_ += body_.empty() ? "" : ",";
    body_ += json_string(key);
    body_ += ':';
    body_ += json;
    return *this;
  }
  /// @brief True when `key` was added.
  [[nodiscard]] bool contains(std::string_view key) const {
    for (const auto& k : keys_)
      if (k == key) return true;
    return false;
  }
  /// @brief The object as one line of JSON, without a newline.
  [[nodiscard]] std::string str() const { return "{" + body_ + "}"; }

 private:
  std::vector<std::string> keys_;
  std::string body_;
};

/// @brief Writes the object and a newline to `out` and flushes; false when writing failed.
inline bool print_json_line(std::FILE* out, const json_object& j) {
  const std::string line = j.str() + "\n";
  const bool ok = std::fwrite(line.data(), 1, line.size(), out) == line.size();
  return std::fflush(out) == 0 && ok;
}

}  // namespace nacs_cli
