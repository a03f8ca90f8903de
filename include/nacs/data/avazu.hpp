// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Reader for the Avazu click-log CSV format (Kaggle "Click-Through Rate Prediction").
///
/// Comma-separated, one row per line, with or without a header line. The
/// header is detected when the first line's second column is `click` (or
/// forced with avazu_options::header). Without a header the 24 standard
/// columns are assumed (avazu_standard_columns()). Columns:
/// - `click` is the label (0 or 1);
/// - `id` is dropped (a unique row identifier carries no signal);
/// - `hour` (YYMMDDHH, year 20YY) becomes two fields, `hour_of_day` (raw id
///   0..23) and `weekday` (raw id 0..6, 0 = Sunday, computed from the date);
/// - every other column is categorical: its raw id is fnv1a32 of the text as
///   written (see nacs/data/hash.hpp for the hash and its collision rate).
/// Fields keep the file's column order, with `hour` replaced in place by
/// `hour_of_day`, `weekday`: 23 fields for the standard layout.
///
/// Malformed rows: a column count other than the header's (or 24), a label
/// other than "0" or "1", an `hour` that is not a valid YYMMDDHH, a stray
/// double quote (fields may be quoted as in RFC 4180).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/data/hash.hpp>
#include <nacs/data/parse_report.hpp>
#include <nacs/detail/data/text.hpp>

namespace nacs {

/// @brief Options of read_avazu.
struct avazu_options {
  std::optional<bool> header{};                ///< none: detect; true/false: the first line is / is not a header
  read_options read{};  ///< the shared settings: error policy, reported rows, row limit, progress
  friend bool operator==(const avazu_options&, const avazu_options&) = default;
};

/// @brief The 24 columns of an Avazu file, in order, as its header names them.
inline std::vector<std::string> avazu_standard_columns() {
  return {"id",          "click",         "hour",       "C1",         "banner_pos",     "site_id",
          "site_domain", "site_category", "app_id",     "app_domain", "app_category",   "device_id",
          "device_ip",   "device_model",  "device_type", "device_conn_type", "C14",     "C15",
          "C16",         "C17",           "C18",        "C19",        "C20",            "C21"};
}

namespace detail {

// YYMMDDHH -> (hour of day, weekday with 0 = Sunday); false when it is not a valid date and hour.
inline bool avazu_hour(std::string_view s, std::uint32_t& hour, std::uint32_t& weekday) noexcept {
  if (s.size() != 8) return false;
  int v[4];
  for (int k = 0; k < 4; ++k) {
    const char a = s[2 * k], b = s[2 * k + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return false;
    v[k] = (a - '0') * 10 + (b - '0');
  }
  if (v[3] > 23) return false;
  const std::chrono::year_month_day ymd{std::chrono::year{2000 + v[0]}, std::chrono::month{static_cast<unsigned>(v[1])},
                                        std::chrono::day{static_cast<unsigned>(v[2])}};
  if (!ymd.ok()) return false;
  hour = static_cast<std::uint32_t>(v[3]);
  weekday = std::chrono::weekday{std::chrono::sys_days{ymd}}.c_encoding();
  return true;
}

}  // namespace detail

/// @brief Reads Avazu CSV rows from a stream, record by record.
/// @param[in] in      the input; read to its end (or to options.read.max_rows rows)
/// @param[in] options header handling, error policy, row limit
/// @param[in] source  the name used in the report and in error messages
/// @return the rows (raw ids, labels 0/1) and the parse report
/// @throws nacs::error errc::parse on a malformed row with error_policy::fail, or on an unusable header
///         (no `click` column, a repeated or empty column name); errc::io on a read error
inline read_result read_avazu(std::istream& in, const avazu_options& options = {}, std::string source = "<stream>") {
  read_result out;
  out.report.source = std::move(source);
  detail::line_source lines(in, out.report, options.read.on_progress);
  detail::csv_record_reader records(lines, ',');
  detail::issue_log log(out.report, options.read.on_error, options.read.max_reported);
  std::vector<std::string_view> cols;

  // The first record decides the layout.
  std::vector<std::string> names = avazu_standard_columns();
  bool first_is_data = true;
  auto st = records.next(cols);
  while (st == detail::csv_record_reader::status::blank) {
    ++out.report.blank_lines;
    st = records.next(cols);
  }
  if (st == detail::csv_record_reader::status::end) {
    out.report.lines = lines.line();
    // No rows: the standard layout's fields, so the empty dataset still has its shape.
  } else {
    const bool detected = st == detail::csv_record_reader::status::record && cols.size() >= 2 && cols[1] == "click";
    if (options.header.value_or(detected)) {
      NACS_EXPECTS(st == detail::csv_record_reader::status::record, errc::parse,
                   detail::cat(out.report.source, ":", records.first_line(), ": the header is malformed: ",
                               records.reason()));
      names.assign(cols.begin(), cols.end());
      out.report.header = true;
      first_is_data = false;
    }
  }
  // Column roles.
  const std::size_t ncol = names.size();
  std::size_t click = ncol, id = ncol, hour = ncol;
  for (std::size_t j = 0; j < ncol; ++j) {
    NACS_EXPECTS(!names[j].empty(), errc::parse,
                 detail::cat(out.report.source, ": header column ", j + 1, " has an empty name"));
    for (std::size_t k = 0; k < j; ++k)
      NACS_EXPECTS(names[k] != names[j], errc::parse,
                   detail::cat(out.report.source, ": header names column '", detail::printable(names[j]),
                             "' twice (columns ", k + 1,
                               " and ", j + 1, ")"));
    if (names[j] == "click") click = j;
    else if (names[j] == "id") id = j;
    else if (names[j] == "hour") hour = j;
  }
  NACS_EXPECTS(click < ncol, errc::parse,
               detail::cat(out.report.source, ": the header has no 'click' column (the label); is this an Avazu file?"));
  for (std::size_t j = 0; j < ncol; ++j) {
    if (j == click || j == id) continue;
    if (j == hour) {
      out.data.field_names.emplace_back("hour_of_day");
      out.data.field_names.emplace_back("weekday");
    } else {
      out.data.field_names.push_back(names[j]);
    }
  }
  std::vector<std::uint32_t> row(out.data.field_names.size());

  auto parse_row = [&](std::int64_t line) {
    if (cols.size() != ncol) {
      log.malformed(line, detail::cat(cols.size(), " columns, expected ", ncol));
      return;
    }
    float label;
    if (cols[click] == "0") label = 0.0f;
    else if (cols[click] == "1") label = 1.0f;
    else {
      log.malformed(line, detail::cat("click ", detail::quote(cols[click]), " is not 0 or 1"));
      return;
    }
    std::size_t f = 0;
    for (std::size_t j = 0; j < ncol; ++j) {
      if (j == click || j == id) continue;
      if (j == hour) {
        if (!detail::avazu_hour(cols[j], row[f], row[f + 1])) {
          log.malformed(line, detail::cat("hour ", detail::quote(cols[j]), " is not a valid YYMMDDHH"));
          return;
        }
        f += 2;
      } else {
        row[f++] = fnv1a32(cols[j]);
      }
    }
    detail::keep_row(out, row, label, lines, options.read.max_rows);
  };

  using status = detail::csv_record_reader::status;
  if (first_is_data && st != status::end && !detail::row_limit_reached(out.report, options.read.max_rows)) {
    if (st == status::record) parse_row(records.first_line());
    else log.malformed(records.first_line(), records.reason());
  }
  if (st != status::end) {
    while (!detail::row_limit_reached(out.report, options.read.max_rows)) {
      st = records.next(cols);
      if (st == status::end) break;
      if (st == status::blank) ++out.report.blank_lines;
      else if (st == status::malformed) log.malformed(records.first_line(), records.reason());
      else parse_row(records.first_line());
    }
  }
  out.report.lines = lines.line();
  return out;
}

/// @brief Reads an Avazu CSV file, streaming it record by record.
/// @param[in] path    the file
/// @param[in] options header handling, error policy, row limit
/// @return the rows (raw ids, labels 0/1) and the parse report (source = path)
/// @throws nacs::error errc::io when the file cannot be opened or read; errc::parse as read_avazu(std::istream&)
inline read_result read_avazu(const std::filesystem::path& path, const avazu_options& options = {}) {
  auto in = detail::open_input(path);
  return read_avazu(in, options, path.string());
}

}  // namespace nacs
