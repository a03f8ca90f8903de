// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Messages in the user's terms: the library's errors said with the
/// programs' flags, and any text made safe for a terminal line.
///
/// @code
/// catch (const nacs::error& e) { say(nacs_cli::user_message(e)); }  // "--on-error skip", not "error_policy::skip"
/// std::fputs(nacs_cli::printable(file_name).c_str(), stderr);      // "\x1b[2J" shown as text, not run
/// @endcode
///
/// user_message() drops a leading function name ("nacs::train: ", "read_csv: ";
/// the user never called it) and replaces the names of library options by the
/// flags that set them, whole words only: on_error = error_policy::skip|fail,
/// nacs::set_memory_limit or a call's memory_limit, csv_options::label_column
/// and ::categorical_columns, partition_options.partition_size, batch_size,
/// max_rows, min_count. A program that sets a library option through a flag
/// not listed here adds its own pair with `user_terms`. guarded_main (cli.hpp)
/// applies both to every nacs::error it prints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>

namespace nacs_cli {

/// @brief `s` with every byte that would not print as itself on a terminal written as \xNN:
/// control characters (newline and tab included, so the text stays one line), DEL, and bytes
/// that are not part of valid UTF-8. Valid UTF-8 letters pass through; a backslash stays as it is.
inline std::string printable(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  const auto escape = [&](unsigned char c) {
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 0xF];
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) escape(c);
      else out += static_cast<char>(c);
      ++i;
      continue;
    }
    // A multi-byte UTF-8 sequence: lead byte, length, then continuation bytes; overlong
    // forms, surrogates and code points past U+10FFFF are not valid.
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1Fu; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0Fu; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07u; }
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xC0u) == 0x80u;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (ok && ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
               (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0)))
      ok = false;  // the last: C1 control characters, which terminals obey
    if (!ok) {
      escape(c);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

/// @brief A library phrase and the program's words for it.
using term = std::pair<std::string, std::string>;

/// @brief The library option names the programs set through flags, and those flags.
inline std::vector<term> default_terms() {
  return {
      {"read with on_error = error_policy::skip", "give --on-error skip"},
      {"on_error = error_policy::skip", "--on-error skip"},
      {"on_error = error_policy::fail", "--on-error fail"},
      {"error_policy::skip", "--on-error skip"},
      {"error_policy::fail", "--on-error fail"},
      {"raise the limit (nacs::set_memory_limit or the call's memory_limit option)", "raise --memory-limit"},
      {"nacs::set_memory_limit", "--memory-limit"},
      {"csv_options::label_column", "--label"},
      {"csv_options::categorical_columns", "--columns"},
      {"a CSV file for read_csv", "a --format csv file"},
      {"partition_options.partition_size", "--partition-size"},
      {"partition_size", "--partition-size"},
      {"memory_limit", "--memory-limit"},
      {"batch_size", "--batch-size"},
      {"max_rows", "--max-rows"},
      {"min_count", "--min-count"},
      {"candidate_share", "--candidate-share"},
  };
}

namespace detail {

inline bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':' ||
         c == '.';
}

// Replaces whole-word occurrences of `from` (not inside a longer identifier, and not already a flag).
inline std::string replace_words(std::string text, std::string_view from, std::string_view to) {
  std::size_t at = 0;
  while ((at = text.find(from, at)) != std::string::npos) {
    const std::size_t end = at + from.size();
    const bool starts = at == 0 || (!word_char(text[at - 1]) && text[at - 1] != '-');
    const bool ends = end == text.size() || !word_char(text[end]) || (text[end] == '.' && (end + 1 == text.size() || text[end + 1] == ' '));
    if (starts && ends) {
      text.replace(at, from.size(), to);
      at += to.size();
    } else {
      at = end;
    }
  }
  return text;
}

}  // namespace detail

/// @brief `message` in the program's terms: without a leading function name and with each
/// library phrase of `terms` (longest first, as listed) replaced by the program's flag.
inline std::string user_terms(std::string message, const std::vector<term>& terms = default_terms()) {
  if (const std::size_t colon = message.find(": "); colon != std::string::npos && colon > 0) {
    // A function name before the ": " ("nacs::train", "read_csv"): letters, digits, '_' and "::",
    // with a '_' or a "::" (so that a word like "warning" or a file name stays).
    const std::string_view head(message.data(), colon);
    bool name = head.find('_') != std::string_view::npos || head.find("::") != std::string_view::npos;
    for (const char c : head) name = name && detail::word_char(c) && c != '.';
    if (name) message.erase(0, colon + 2);
  }
  for (const auto& [from, to] : terms) message = detail::replace_words(std::move(message), from, to);
  return message;
}

/// @brief A nacs::error's message in the program's terms (see user_terms).
inline std::string user_message(const nacs::error& e, const std::vector<term>& terms = default_terms()) {
  return user_terms(e.message(), terms);
}

}  // namespace nacs_cli
