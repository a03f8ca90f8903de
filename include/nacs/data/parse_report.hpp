// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief What a data reader returns besides the rows: counts, the first malformed lines, the error policy.
///
/// Every reader (criteo, avazu, libsvm, libffm, csv) streams its input line by
/// line and either skips a malformed row, counting it and keeping the line
/// number and reason of the first few, or throws (errc::parse, naming the
/// source, the line and the reason). Nothing is dropped silently: a skipped
/// row is always in `rows_skipped`, a blank line in `blank_lines`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/names.hpp>
#include <nacs/data/dataset.hpp>

namespace nacs {

/// @brief What a reader does with a malformed row.
enum class error_policy {
  skip,  ///< count it, keep its line number and reason (the first few), go on
  fail,  ///< throw nacs::error(errc::parse) naming the source, the line and the reason
};

/// @brief The error policies' name table: skip, fail (the programs' --on-error).
inline constexpr auto error_policy_table =
    make_name_table<error_policy>("error policy", {{"skip", error_policy::skip}, {"fail", error_policy::fail}});

/// @brief What a reader's progress callback is told while it reads.
struct read_progress {
  std::string_view source;        ///< the file path, or the name given for a stream
  std::int64_t lines = 0;         ///< physical lines read so far
  std::int64_t bytes = 0;         ///< bytes read so far (line ends included)
  std::int64_t total_bytes = -1;  ///< the input's size when it can be known (a file, a string stream); -1 otherwise
  row_index rows_read = 0;        ///< rows kept so far
  row_index rows_skipped = 0;     ///< malformed rows skipped so far
  /// @brief bytes / total_bytes in [0, 1], or -1 when the size is unknown.
  [[nodiscard]] double fraction() const noexcept {
    return total_bytes > 0 ? static_cast<double>(bytes) / static_cast<double>(total_bytes) : -1.0;
  }
};

/// @brief An optional progress callback for the readers (for progress output on large files).
///
/// Called from the reading thread after every `every_lines` physical lines;
/// an exception it throws ends the read and is rethrown. It takes no part in
/// comparing reader options: two callbacks always compare equal.
struct read_progress_callback {
  std::function<void(const read_progress&)> fn{};  ///< empty: no progress calls
  std::int64_t every_lines = std::int64_t{1} << 20;  ///< how many lines between calls (>= 1)
  friend bool operator==(const read_progress_callback&, const read_progress_callback&) noexcept { return true; }
};

/// @brief The settings every reader shares; each reader's options hold them as the member `read`,
/// next to that reader's own fields: `criteo_options{.read = {.on_error = error_policy::fail}}`.
struct read_options {
  error_policy on_error = error_policy::skip;  ///< skip and count malformed rows, or throw
  std::size_t max_reported = 5;                ///< how many malformed rows the report keeps
  std::optional<row_index> max_rows{};         ///< stop after this many rows kept (none: read all)
  read_progress_callback on_progress{};        ///< optional progress calls while reading (see read_progress_callback)
  friend bool operator==(const read_options&, const read_options&) = default;
};

/// @brief One malformed row: where and why.
struct parse_issue {
  std::int64_t line = 0;  ///< 1-based line number (the first line of a multi-line CSV record)
  std::string reason;     ///< what was wrong, e.g. "39 columns, expected 40"
  friend bool operator==(const parse_issue&, const parse_issue&) = default;
};

/// @brief Counts and the first malformed rows of one read.
struct parse_report {
  std::string source;                ///< the file path, or the name given for a stream
  std::int64_t lines = 0;            ///< physical lines read, header and blank lines included
  row_index rows_read = 0;           ///< rows kept in the dataset
  row_index rows_skipped = 0;        ///< malformed rows skipped (error_policy::skip)
  std::int64_t blank_lines = 0;      ///< empty lines, which hold no row and are not errors
  bool header = false;               ///< the first line was a header, not a row
  std::vector<parse_issue> issues;   ///< the first `max_reported` malformed rows, in file order
  std::vector<std::string> notes;    ///< facts about the data worth knowing (e.g. hash sentinels met)

  /// @brief Why the read gave no row at all, or "" when it read or skipped one.
  ///
  /// "the input is empty", "the input holds only blank lines" or "the input holds
  /// only a header line", so that a program can say that rather than blame the format.
  [[nodiscard]] std::string no_rows_reason() const {
    if (rows_read > 0 || rows_skipped > 0) return {};
    if (lines == 0) return "the input is empty";
    if (header && lines - blank_lines <= 1) return "the input holds only a header line";
    if (lines == blank_lines) return "the input holds only blank lines";
    return {};
  }

  /// @brief One line for a log: "<source>: N rows read, M skipped (line L: reason; ...)".
  ///
  /// When nothing was read or skipped, no_rows_reason() follows ("; the input is empty").
  [[nodiscard]] std::string summary() const {
    std::string s = source;
    s.append(": ").append(std::to_string(rows_read)).append(" rows read, ");
    s.append(std::to_string(rows_skipped)).append(" malformed skipped");
    if (blank_lines > 0) s.append(", ").append(std::to_string(blank_lines)).append(" blank lines");
    if (!issues.empty()) {
      s.append(" (");
      for (std::size_t i = 0; i < issues.size(); ++i) {
        if (i > 0) s.append("; ");
        s.append("line ").append(std::to_string(issues[i].line)).append(": ").append(issues[i].reason);
      }
      if (static_cast<row_index>(issues.size()) < rows_skipped) s.append("; ...");
      s.append(")");
    }
    if (const std::string why = no_rows_reason(); !why.empty()) s.append("; ").append(why);
    for (const auto& n : notes) s.append("; ").append(n);
    return s;
  }
  friend bool operator==(const parse_report&, const parse_report&) = default;
};

/// @brief A reader's result: the rows (raw ids, not yet encoded) and the report.
struct read_result {
  dataset data;         ///< the rows kept; ids are raw values until a vocabulary encodes them
  parse_report report;  ///< counts and the first malformed rows
};

}  // namespace nacs
