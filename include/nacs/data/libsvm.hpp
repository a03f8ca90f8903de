// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Readers for the libsvm / libfm format (`label idx:val ...`) and the libffm format (`label field:idx:val ...`).
///
/// Items are separated by spaces or tabs. Labels may be 0/1 or -1/+1 (-1
/// becomes 0); any spelling of those numbers is accepted ("1", "+1", "1.0").
///
/// libsvm / libfm: the i-th `idx:val` pair of a row is field i and its raw id
/// is idx (a 32-bit unsigned integer). Every row has the same number of pairs:
/// the first well-formed row fixes it (or libsvm_options::num_fields does).
/// Fields are named f0, f1, ... An input without any well-formed row and
/// without num_fields gives a dataset with no fields.
///
/// libffm: each `field:idx:val` triple names its field. The first well-formed
/// row fixes the set of field numbers; every row must hold each of those fields
/// exactly once, in any order. Fields are ordered by field number and named
/// f<number>; the raw id is idx.
///
/// The value `val` must be a finite number but is otherwise not used: the
/// dataset holds categorical ids only, and in CTR files converted to these
/// formats the value of a one-hot feature is 1. (Numeric features should be
/// bucketed into ids before writing the file.)
///
/// Malformed rows: a label that is not 0, 1 or -1; an item that is not
/// `idx:val` (`field:idx:val`) with integer idx (and field) and a numeric val;
/// no items; a different item count (libffm: a missing, repeated or unknown field).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/data/parse_report.hpp>
#include <nacs/detail/data/text.hpp>

namespace nacs {

/// @brief Options of read_libsvm and read_libffm.
struct libsvm_options {
  std::optional<std::size_t> num_fields{};     ///< items per row; none: the first well-formed row fixes it
  read_options read{};  ///< the shared settings: error policy, reported rows, row limit, progress
  friend bool operator==(const libsvm_options&, const libsvm_options&) = default;
};

/// @brief Options of read_libffm (the same knobs as libsvm).
using libffm_options = libsvm_options;

namespace detail {

// 0, 1, -1 (any numeric spelling) -> 0/1; false otherwise.
inline bool libsvm_label(std::string_view s, float& label) noexcept {
  double v;
  if (!parse_finite(s, v)) return false;
  if (v == 1.0) label = 1.0f;
  else if (v == 0.0 || v == -1.0) label = 0.0f;
  else return false;
  return true;
}

// Splits "a:b[:c]" into exactly `parts` pieces at ':'.
inline bool split_colon(std::string_view item, std::string_view* out, int parts) noexcept {
  for (int k = 0; k < parts - 1; ++k) {
    const std::size_t pos = item.find(':');
    if (pos == std::string_view::npos) return false;
    out[k] = item.substr(0, pos);
    item.remove_prefix(pos + 1);
  }
  if (item.find(':') != std::string_view::npos) return false;
  out[parts - 1] = item;
  return true;
}

// The shared loop: `parse_items(items, line)` fills `row` or reports and returns false.
template <class ParseItems>
read_result read_sparse(std::istream& in, const libsvm_options& options, std::string source, ParseItems parse_items) {
  read_result out;
  out.report.source = std::move(source);
  line_source lines(in, out.report, options.read.on_progress);
  issue_log log(out.report, options.read.on_error, options.read.max_reported);
  std::string line;
  std::vector<std::string_view> items;
  std::vector<std::uint32_t> row;
  while (!row_limit_reached(out.report, options.read.max_rows) && lines.next(line)) {
    if (is_blank(line)) {
      ++out.report.blank_lines;
      continue;
    }
    split_blanks(line, items);
    float label;
    if (!libsvm_label(items[0], label)) {
      log.malformed(lines.line(), cat("label ", quote(items[0]), " is not 0, 1 or -1"));
      continue;
    }
    if (items.size() == 1) {
      log.malformed(lines.line(), "the row has a label but no features");
      continue;
    }
    if (!parse_items(std::span<const std::string_view>(items).subspan(1), row, out.data, log, lines.line()))
      continue;
    keep_row(out, row, label, lines, options.read.max_rows);
  }
  out.report.lines = lines.line();
  return out;
}

}  // namespace detail

/// @brief Reads libsvm / libfm rows (`label idx:val ...`) from a stream.
/// @param[in] in      the input; read to its end (or to options.read.max_rows rows)
/// @param[in] options field count, error policy, row limit
/// @param[in] source  the name used in the report and in error messages
/// @return the rows (raw id = idx, field i = the i-th pair, labels 0/1) and the parse report
/// @throws nacs::error errc::parse on a malformed row with error_policy::fail; errc::io on a read error;
///         errc::invalid_argument when options.num_fields is 0
inline read_result read_libsvm(std::istream& in, const libsvm_options& options = {}, std::string source = "<stream>") {
  NACS_EXPECTS(!options.num_fields || *options.num_fields > 0, errc::invalid_argument,
               "read_libsvm: num_fields must be > 0 (or left empty to take it from the first row)");
  auto parse = [&options](std::span<const std::string_view> items, std::vector<std::uint32_t>& row, dataset& d,
                          detail::issue_log& log, std::int64_t line) {
    const std::size_t expected = d.field_names.empty() ? options.num_fields.value_or(items.size())
                                                       : d.field_names.size();
    if (items.size() != expected) {
      log.malformed(line, detail::cat(items.size(), " idx:val pairs, expected ", expected,
                                      d.field_names.empty() ? " (num_fields)" : " (as in the first row)"));
      return false;
    }
    row.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string_view p[2];
      double val;
      if (!detail::split_colon(items[i], p, 2) || !detail::parse_int(p[0], row[i]) || !detail::parse_finite(p[1], val)) {
        log.malformed(line, detail::cat("item ", i + 1, " is ", detail::quote(items[i]),
                                        ", not idx:val with a 32-bit unsigned idx and a numeric val"));
        return false;
      }
    }
    if (d.field_names.empty())
      for (std::size_t i = 0; i < items.size(); ++i) d.field_names.push_back(detail::cat('f', i));
    return true;
  };
  read_result r = detail::read_sparse(in, options, std::move(source), parse);
  if (r.data.field_names.empty() && options.num_fields)
    for (std::size_t i = 0; i < *options.num_fields; ++i) r.data.field_names.push_back(detail::cat('f', i));
  return r;
}

/// @brief Reads a libsvm / libfm file, streaming it line by line.
/// @param[in] path    the file
/// @param[in] options field count, error policy, row limit
/// @return the rows and the parse report (source = path)
/// @throws nacs::error errc::io when the file cannot be opened or read; otherwise as read_libsvm(std::istream&)
inline read_result read_libsvm(const std::filesystem::path& path, const libsvm_options& options = {}) {
  auto in = detail::open_input(path);
  return read_libsvm(in, options, path.string());
}

/// @brief Reads libffm rows (`label field:idx:val ...`) from a stream.
/// @param[in] in      the input; read to its end (or to options.read.max_rows rows)
/// @param[in] options field count, error policy, row limit
/// @param[in] source  the name used in the report and in error messages
/// @return the rows (fields ordered by field number, raw id = idx, labels 0/1) and the parse report
/// @throws nacs::error errc::parse on a malformed row with error_policy::fail; errc::io on a read error;
///         errc::invalid_argument when options.num_fields is 0
inline read_result read_libffm(std::istream& in, const libffm_options& options = {}, std::string source = "<stream>") {
  NACS_EXPECTS(!options.num_fields || *options.num_fields > 0, errc::invalid_argument,
               "read_libffm: num_fields must be > 0 (or left empty to take it from the first row)");
  std::vector<std::uint32_t> fields;  // the field numbers, sorted, once fixed
  std::vector<std::uint32_t> row_fields;
  std::vector<char> seen;
  std::vector<std::uint32_t> placed;
  auto parse = [&](std::span<const std::string_view> items, std::vector<std::uint32_t>& row, dataset& d,
                   detail::issue_log& log, std::int64_t line) {
    const std::size_t expected = fields.empty() ? options.num_fields.value_or(items.size()) : fields.size();
    if (items.size() != expected) {
      log.malformed(line, detail::cat(items.size(), " field:idx:val triples, expected ", expected,
                                      fields.empty() ? " (num_fields)" : " (one per field of the first row)"));
      return false;
    }
    row.resize(items.size());
    row_fields.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string_view p[3];
      double val;
      if (!detail::split_colon(items[i], p, 3) || !detail::parse_int(p[0], row_fields[i]) ||
          !detail::parse_int(p[1], row[i]) || !detail::parse_finite(p[2], val)) {
        log.malformed(line, detail::cat("item ", i + 1, " is ", detail::quote(items[i]),
                                        ", not field:idx:val with 32-bit unsigned field and idx and a numeric val"));
        return false;
      }
    }
    if (fields.empty()) {
      // The first well-formed row fixes the fields: distinct field numbers, in increasing order.
      std::vector<std::uint32_t> sorted = row_fields;
      std::sort(sorted.begin(), sorted.end());
      if (const auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
        log.malformed(line, detail::cat("field ", *dup, " appears twice"));
        return false;
      }
      fields = std::move(sorted);
      for (const auto f : fields) d.field_names.push_back(detail::cat('f', f));
    }
    // Place each id in its field's column; every field exactly once.
    placed.resize(fields.size());
    seen.assign(fields.size(), 0);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto it = std::lower_bound(fields.begin(), fields.end(), row_fields[i]);
      if (it == fields.end() || *it != row_fields[i]) {
        log.malformed(line, detail::cat("field ", row_fields[i], " is not one of the first row's fields"));
        return false;
      }
      const auto k = static_cast<std::size_t>(it - fields.begin());
      if (seen[k]) {
        log.malformed(line, detail::cat("field ", row_fields[i], " appears twice"));
        return false;
      }
      seen[k] = 1;
      placed[k] = row[i];
    }
    row.swap(placed);
    return true;
  };
  read_result r = detail::read_sparse(in, options, std::move(source), parse);
  if (r.data.field_names.empty() && options.num_fields)
    for (std::size_t i = 0; i < *options.num_fields; ++i) r.data.field_names.push_back(detail::cat('f', i));
  return r;
}

/// @brief Reads a libffm file, streaming it line by line.
/// @param[in] path    the file
/// @param[in] options field count, error policy, row limit
/// @return the rows and the parse report (source = path)
/// @throws nacs::error errc::io when the file cannot be opened or read; otherwise as read_libffm(std::istream&)
inline read_result read_libffm(const std::filesystem::path& path, const libffm_options& options = {}) {
  auto in = detail::open_input(path);
  return read_libffm(in, options, path.string());
}

}  // namespace nacs
