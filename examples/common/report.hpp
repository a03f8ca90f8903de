// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief What the programs say about each file they read: the JSON "files"
/// entries and the total "rows_skipped", whatever the verbosity.
///
/// @code
/// nacs_cli::file_log files;
/// files.add("--data", read.report);            // a reader's parse_report
/// files.add_plain("FILE", path, n);            // a file with no skippable rows (.npy, raw float32)
/// j.add("rows_skipped", files.rows_skipped()).add("files", files.json());
/// // "files":[{"flag":"--data","file":"train.csv","rows_read":7200,"rows_skipped":2,"blank_lines":0,
/// //           "header":false,"skipped":["line 3: 39 columns, expected 40", ...]}, ...]
/// @endcode
///
/// "skipped" holds the first reasons the reader kept (parse_report::issues,
/// "line N: reason"), so a --quiet run still says what it dropped and why.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/data/parse_report.hpp>

#include "common/json.hpp"
#include "common/messages.hpp"

namespace nacs_cli {

/// @brief The files a run read, for its JSON line.
class file_log {
 public:
  /// @brief A file read by one of the data readers.
  /// @param[in] flag   the flag or argument that named it ("--data", "--valid", "FILE")
  /// @param[in] report what the reader counted
  void add(const std::string& flag, const nacs::parse_report& report) {
    json_array skipped;
    for (const auto& issue : report.issues) skipped.push("line " + std::to_string(issue.line) + ": " + issue.reason);
    json_object o;
    o.add("flag", flag)
        .add("file", report.source)
        .add("rows_read", report.rows_read)
        .add("rows_skipped", report.rows_skipped)
        .add("blank_lines", report.blank_lines)
        .add("header", report.header)
        .add("skipped", skipped);
    skipped_ += report.rows_skipped;
    files_.push(o);
  }

  /// @brief A file whose rows cannot be skipped (a matrix, a list of rows): all read or refused.
  void add_plain(const std::string& flag, const std::string& path, std::int64_t rows) {
    json_object o;
    o.add("flag", flag).add("file", path).add("rows_read", rows).add("rows_skipped", 0).add("skipped", json_array{});
    files_.push(o);
  }

  /// @brief Malformed rows skipped, over every file.
  [[nodiscard]] std::int64_t rows_skipped() const noexcept { return skipped_; }
  /// @brief One entry per file, in the order read.
  [[nodiscard]] const json_array& json() const noexcept { return files_; }

 private:
  json_array files_;
  std::int64_t skipped_ = 0;
};

/// @brief Refuses, before any reader runs, a path that is a directory or an empty file, saying so
/// with the flag that named it (a missing or unreadable file is left to the reader, which says that).
/// @throws nacs::error errc::io for a directory, errc::invalid_data for an empty file
inline void check_data_file(const std::string& flag, const std::string& path) {
  std::error_code ec;
  const std::string file = "'" + path + "' (" + flag + ")";
  NACS_EXPECTS(!std::filesystem::is_directory(path, ec), nacs::errc::io, file + " is a directory: give a data file");
  const auto size = std::filesystem::file_size(path, ec);
  NACS_EXPECTS(ec || size > 0, nacs::errc::invalid_data, file + " is empty: give a file with rows");
}

/// @brief Why a data file yielded no row, in the user's terms: empty, only blank lines, only a
/// header, or (otherwise) every row malformed, with the first reasons.
/// @param[in] flag   the flag that named the file ("--data")
/// @param[in] report the reader's report of it
/// @param[in] format the --format used
inline std::string no_rows_message(const std::string& flag, const nacs::parse_report& report,
                                   const std::string& format) {
  const std::string file = "'" + report.source + "' (" + flag + ")";
  if (report.lines == 0) return file + " is empty: give a file with rows";
  if (report.lines == report.blank_lines) return file + " holds only blank lines: give a file with rows";
  if (report.header && report.lines - report.blank_lines == 1)
    return file + " holds only a header line and no rows: give a file with rows";
  return "no rows could be read: " + report.summary() + "; check --format (it is " + format +
         ") or read the file with --on-error fail to stop at the first bad line";
}

}  // namespace nacs_cli
