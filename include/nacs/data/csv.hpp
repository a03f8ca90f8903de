// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Reader for a generic CSV file with a header, where the caller names the label and the categorical columns.
///
/// The first non-blank line is the header. The caller names the label column,
/// the categorical columns (in the order the fields should have) and
/// optionally a weight column; other columns are ignored. Fields follow RFC
/// 4180: a field in double quotes may hold the delimiter, line breaks and
/// quotes written twice (""). A UTF-8 byte order mark and CRLF line ends are
/// accepted.
///
/// Values become raw ids by csv_options::values:
/// - csv_values::hash (the default): fnv1a32 of the text as written, after
///   unquoting (see nacs/data/hash.hpp; "7" and "07" differ, an empty cell is
///   the hash of ""). This works for any column and never fails.
/// - csv_values::integer: the text must be a base-10 integer in [0, 2^32);
///   that number is the id (use it for columns that already hold ids). The two
///   are never mixed within a read, so a number cannot collide with a hash.
///
/// Malformed rows: a column count other than the header's; a label that is not
/// 0 or 1 (any numeric spelling; with soft_labels, any number in [0, 1]); a
/// weight that is not a finite number >= 0 within the float range; with csv_values::integer, a value
/// that is not such an integer; quoting errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <limits>
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

/// @brief How a generic CSV reader turns a categorical value into a raw id.
enum class csv_values {
  hash,     ///< fnv1a32 of the text (any value)
  integer,  ///< the value is a base-10 integer in [0, 2^32) and is the id
};

/// @brief Options of read_csv; label_column and categorical_columns are required.
struct csv_options {
  std::string label_column{};                    ///< the header name of the label column
  std::vector<std::string> categorical_columns{};  ///< the header names of the fields, in field order
  std::optional<std::string> weight_column{};    ///< a per-row weight column, if any
  char delimiter = ',';                          ///< the field separator (',' ';' '\t' ...)
  csv_values values = csv_values::hash;          ///< hash the text, or parse it as an integer id
  bool soft_labels = false;                      ///< accept any label in [0, 1], not only 0 and 1
  read_options read{};                           ///< the shared settings: error policy, reported rows, row limit, progress
  friend bool operator==(const csv_options&, const csv_options&) = default;
};

/// @brief Reads a generic CSV with a header from a stream, record by record.
/// @param[in] in      the input; read to its end (or to options.read.max_rows rows)
/// @param[in] options the columns to use, value encoding, error policy, row limit
/// @param[in] source  the name used in the report and in error messages
/// @return the rows (one field per categorical column, labels, weights if asked) and the parse report
/// @throws nacs::error errc::invalid_argument for inconsistent options or a named column the header lacks;
///         errc::parse for a missing or malformed header, or a malformed row with error_policy::fail;
///         errc::io on a read error
inline read_result read_csv(std::istream& in, const csv_options& options, std::string source = "<stream>") {
  const auto& cats = options.categorical_columns;
  NACS_EXPECTS(!options.label_column.empty(), errc::invalid_argument,
               "read_csv: set csv_options::label_column to the header name of the label column");
  NACS_EXPECTS(!cats.empty(), errc::invalid_argument,
               "read_csv: set csv_options::categorical_columns to the header names of the feature columns");
  NACS_EXPECTS(options.delimiter != '"' && options.delimiter != '\n' && options.delimiter != '\r',
               errc::invalid_argument, "read_csv: the delimiter cannot be a double quote or a line break");
  for (std::size_t j = 0; j < cats.size(); ++j) {
    NACS_EXPECTS(cats[j] != options.label_column, errc::invalid_argument,
                 detail::cat("read_csv: the label column '", cats[j], "' is also listed as a categorical column"));
    NACS_EXPECTS(!options.weight_column || cats[j] != *options.weight_column, errc::invalid_argument,
                 detail::cat("read_csv: the weight column '", cats[j], "' is also listed as a categorical column"));
    for (std::size_t k = 0; k < j; ++k)
      NACS_EXPECTS(cats[k] != cats[j], errc::invalid_argument,
                   detail::cat("read_csv: categorical column '", cats[j], "' is listed twice"));
  }
  NACS_EXPECTS(!options.weight_column || *options.weight_column != options.label_column, errc::invalid_argument,
               "read_csv: the weight column cannot be the label column");

  read_result out;
  out.report.source = std::move(source);
  detail::line_source lines(in, out.report, options.read.on_progress);
  detail::csv_record_reader records(lines, options.delimiter);
  detail::issue_log log(out.report, options.read.on_error, options.read.max_reported);
  using status = detail::csv_record_reader::status;
  std::vector<std::string_view> cols;

  // Header.
  auto st = records.next(cols);
  while (st == status::blank) {
    ++out.report.blank_lines;
    st = records.next(cols);
  }
  NACS_EXPECTS(st != status::end, errc::parse,
               detail::cat(out.report.source,
                           out.report.blank_lines > 0 ? " holds only blank lines" : " is empty",
                           ": a CSV file for read_csv needs a header line"));
  NACS_EXPECTS(st == status::record, errc::parse,
               detail::cat(out.report.source, ":", records.first_line(), ": the header is malformed: ",
                           records.reason()));
  out.report.header = true;
  const std::vector<std::string> header(cols.begin(), cols.end());
  const std::size_t ncol = header.size();
  auto find = [&](const std::string& name, const char* role) {
    std::size_t at = ncol;
    for (std::size_t j = 0; j < ncol; ++j) {
      if (header[j] != name) continue;
      NACS_EXPECTS(at == ncol, errc::invalid_argument,
                   detail::cat("read_csv: the ", role, " column '", detail::printable(name), "' appears twice in the header of ",
                               out.report.source, " (columns ", at + 1, " and ", j + 1, ")"));
      at = j;
    }
    if (at == ncol) {
      std::string list;
      for (std::size_t j = 0; j < ncol && j < 50; ++j) list += detail::cat(j ? ", " : "", detail::printable(header[j]));
      if (ncol > 50) list += ", ...";
      NACS_FAIL(errc::invalid_argument, "read_csv: the ", role, " column '", detail::printable(name),
                "' is not in the header of ", out.report.source, " (its columns: ", list, ")");
    }
    return at;
  };
  const std::size_t label_at = find(options.label_column, "label");
  const std::size_t weight_at = options.weight_column ? find(*options.weight_column, "weight") : ncol;
  std::vector<std::size_t> cat_at(cats.size());
  for (std::size_t j = 0; j < cats.size(); ++j) cat_at[j] = find(cats[j], "categorical");
  out.data.field_names = cats;

  std::vector<std::uint32_t> row(cats.size());
  while (!detail::row_limit_reached(out.report, options.read.max_rows)) {
    st = records.next(cols);
    if (st == status::end) break;
    if (st == status::blank) {
      ++out.report.blank_lines;
      continue;
    }
    const std::int64_t line = records.first_line();
    if (st == status::malformed) {
      log.malformed(line, records.reason());
      continue;
    }
    if (cols.size() != ncol) {
      log.malformed(line, detail::cat(cols.size(), " columns, expected ", ncol, " (as in the header)"));
      continue;
    }
    double label;
    if (!detail::parse_finite(cols[label_at], label) ||
        (options.soft_labels ? !(label >= 0.0 && label <= 1.0) : !(label == 0.0 || label == 1.0))) {
      log.malformed(line, detail::cat("label ", detail::quote(cols[label_at]),
                                      options.soft_labels ? " is not a number in [0, 1]" : " is not 0 or 1"));
      continue;
    }
    double weight = 1.0;
    if (weight_at < ncol && (!detail::parse_finite(cols[weight_at], weight) || weight < 0.0)) {
      log.malformed(line, detail::cat("weight ", detail::quote(cols[weight_at]), " is not a finite number >= 0"));
      continue;
    }
    if (weight > static_cast<double>(std::numeric_limits<float>::max())) {
      log.malformed(line, detail::cat("weight ", detail::quote(cols[weight_at]),
                                      " is too large: weights are stored as float (at most 3.4e38)"));
      continue;
    }
    bool ok = true;
    for (std::size_t j = 0; j < cats.size(); ++j) {
      const std::string_view v = cols[cat_at[j]];
      if (options.values == csv_values::hash) {
        row[j] = fnv1a32(v);
      } else if (!detail::parse_int(v, row[j])) {
        log.malformed(line, detail::cat("column '", cats[j], "' value ", detail::quote(v),
                                        " is not an integer id in [0, 2^32) (csv_values::integer)"));
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (weight_at < ncol) out.data.weights.push_back(static_cast<float>(weight));
    detail::keep_row(out, row, static_cast<float>(label), lines, options.read.max_rows);
  }
  out.report.lines = lines.line();
  return out;
}

/// @brief Reads a generic CSV file with a header, streaming it record by record.
/// @param[in] path    the file
/// @param[in] options the columns to use, value encoding, error policy, row limit
/// @return the rows and the parse report (source = path)
/// @throws nacs::error errc::io when the file cannot be opened or read; otherwise as read_csv(std::istream&)
inline read_result read_csv(const std::filesystem::path& path, const csv_options& options) {
  auto in = detail::open_input(path);
  return read_csv(in, options, path.string());
}

}  // namespace nacs
