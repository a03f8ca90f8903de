// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The library's exception type and the checks that throw it.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <version>
#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

namespace nacs {

#if defined(__cpp_lib_source_location)
/// @brief Where an error was raised (std::source_location where the standard library has it).
using source_location = std::source_location;
#else
/// @brief Where an error was raised: a stand-in for std::source_location on standard
/// libraries without it (e.g. clang 14 with libstdc++ 12), built on compiler builtins.
struct source_location {
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           std::uint_least32_t line = __builtin_LINE()) noexcept {
    source_location l;
    l.file_ = file;
    l.line_ = line;
    return l;
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr std::uint_least32_t line() const noexcept { return line_; }

 private:
  const char* file_ = "";
  std::uint_least32_t line_ = 0;
};
#endif

/// @brief What kind of problem an nacs::error reports.
enum class errc {
  invalid_argument,  ///< a parameter is out of range or inconsistent (k > N, ratio <= 0, ...)
  invalid_data,      ///< the data itself is unusable (NaN/Inf, empty, mismatched shapes)
  memory_limit,      ///< the call would need more memory than the configured limit
  io,                ///< a file could not be opened, read or written
  parse,             ///< a file's contents are malformed
  unsupported,       ///< a valid request this build or format cannot serve
};

/// @brief Short name of an error code ("invalid_argument", ...).
constexpr std::string_view to_string(errc c) noexcept {
  switch (c) {
    case errc::invalid_argument: return "invalid_argument";
    case errc::invalid_data: return "invalid_data";
    case errc::memory_limit: return "memory_limit";
    case errc::io: return "io";
    case errc::parse: return "parse";
    case errc::unsupported: return "unsupported";
  }
  return "unknown";
}

/// @brief The exception every nacs API throws for bad input.
///
/// what() reads "nacs: <message> [<code>, <file>:<line>]"; message() is the
/// bare sentence, which says what was wrong and how to fix it.
class error : public std::runtime_error {
 public:
  error(errc code, std::string message,
        source_location where = source_location::current())
      : std::runtime_error(format(code, message, where)),
        code_(code),
        message_(std::move(message)),
        where_(where) {}

  /// @brief The kind of problem.
  [[nodiscard]] errc code() const noexcept { return code_; }
  /// @brief The message without prefix or location.
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  /// @brief Where in the library the check failed.
  [[nodiscard]] const source_location& where() const noexcept { return where_; }

 private:
  static std::string format(errc code, const std::string& message, const source_location& w) {
    std::string file = w.file_name();
    if (auto pos = file.rfind("include/nacs/"); pos != std::string::npos) file = file.substr(pos + 8);
    return "nacs: " + message + " [" + std::string(to_string(code)) + ", " + file + ":" +
           std::to_string(w.line()) + "]";
  }
  errc code_;
  std::string message_;
  source_location where_;
};

namespace detail {
// Appends one message part: a string, string view or C string as is, a char as one character,
// an integer as std::to_string writes it.
template <class T>
void cat_one(std::string& s, const T& part) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) s.append(std::string_view(part));
  else if constexpr (std::is_same_v<T, char>) s.push_back(part);
  else s.append(std::to_string(part));
}
// Concatenates message parts (no "literal" + string chains, which make GCC 12 emit false
// -Wrestrict warnings). One std::string part is passed through unchanged.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string s;
  (cat_one(s, parts), ...);
  return s;
}
inline std::string cat(std::string&& message) noexcept { return std::move(message); }
}  // namespace detail

}  // namespace nacs

/// Throws nacs::error(code, message) when cond is false. The message expression
/// is evaluated only on failure, so it may build a string.
#define NACS_EXPECTS(cond, code, message)                  \
  do {                                                     \
    if (!(cond)) [[unlikely]]                              \
      throw ::nacs::error((code), (message));              \
  } while (false)

/// Throws nacs::error(code, message) unconditionally, with the caller's source location, for
/// failures found by a branch rather than a condition (an unknown name at the end of a lookup, a
/// failed system call). The message is one expression or several parts that are concatenated:
/// strings, string views, characters and integers (std::to_string), e.g.
/// `NACS_FAIL(errc::io, "cannot open '", path, "': ", why)`. Usable as a statement or as a
/// throw-expression (`x ? y : NACS_FAIL(...)`).
#define NACS_FAIL(code, ...) throw ::nacs::error((code), ::nacs::detail::cat(__VA_ARGS__))
