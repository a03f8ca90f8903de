// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Reader for the Criteo display-advertising TSV format (Kaggle "dac", Criteo 1TB).
///
/// Each line: a 0/1 label, 13 integer fields I1..I13 and 26 categorical fields
/// C1..C26, separated by tabs; any feature may be empty. The result has 39
/// fields named I1..I13, C1..C26, holding raw 32-bit ids:
/// - an integer v is bucketed (criteo_bucket): v > 2 becomes floor(ln(v)^2),
///   otherwise v itself (or v - 2 with criteo_integer_rule::log_squared_minus_two,
///   the rule of the NaCS authors' code). The bucket b is stored as the 32-bit
///   two's-complement pattern of b, so negative values (I2 has some) are kept;
///   an empty integer is criteo_empty_integer (the pattern of INT32_MIN), which
///   no number maps to. Buckets outside [-2^31 + 1, 2^31 - 1] (only from
///   integers below about -2.1e9) are malformed rows.
/// - a categorical value is its 8-digit hexadecimal hash as a 32-bit number; an
///   empty one is criteo_empty_categorical (0xffffffff). A literal "ffffffff" in
///   the file therefore shares the empty value's id: there are 2^32 + 1 values
///   for 2^32 ids. The report's notes count such cells when they occur.
///
/// Malformed rows: a column count other than 40, a label other than "0" or "1",
/// an integer field that is not a base-10 integer (or one too large for 64 bits,
/// said so), a categorical field that is not exactly 8 hex digits.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/data/parse_report.hpp>
#include <nacs/detail/data/text.hpp>

namespace nacs {

/// @brief How integer features become buckets.
enum class criteo_integer_rule {
  log_squared,             ///< v > 2: floor(ln(v)^2); else v (the issue's rule; the default)
  log_squared_minus_two,   ///< v > 2: floor(ln(v)^2); else v - 2 (the NaCS authors' code)
};

/// @brief Options of read_criteo.
struct criteo_options {
  criteo_integer_rule integers = criteo_integer_rule::log_squared;  ///< bucketing of I1..I13
  read_options read{};  ///< the shared settings: error policy, reported rows, row limit, progress
  friend bool operator==(const criteo_options&, const criteo_options&) = default;
};

/// @brief Number of integer fields (I1..I13).
inline constexpr std::size_t criteo_integer_fields = 13;
/// @brief Number of categorical fields (C1..C26).
inline constexpr std::size_t criteo_categorical_fields = 26;
/// @brief Raw id of an empty integer field (the bit pattern of INT32_MIN; no bucket maps to it).
inline constexpr std::uint32_t criteo_empty_integer = 0x80000000u;
/// @brief Raw id of an empty categorical field (shared with the literal hash "ffffffff").
inline constexpr std::uint32_t criteo_empty_categorical = 0xFFFFFFFFu;

/// @brief The bucket of an integer feature value.
/// @param[in] v    the value as written in the file
/// @param[in] rule the bucketing rule
/// @return floor(ln(v)^2) when v > 2; else v (log_squared) or v - 2 (log_squared_minus_two)
inline std::int64_t criteo_bucket(std::int64_t v, criteo_integer_rule rule = criteo_integer_rule::log_squared) noexcept {
  if (v > 2) {
    const double l = std::log(static_cast<double>(v));
    return static_cast<std::int64_t>(std::floor(l * l));
  }
  // v - 2 cannot overflow for v <= 2 unless v is near INT64_MIN; clamp there (such values are rejected anyway).
  if (rule == criteo_integer_rule::log_squared_minus_two)
    return v < std::numeric_limits<std::int64_t>::min() + 2 ? std::numeric_limits<std::int64_t>::min() : v - 2;
  return v;
}

/// @brief The field names of a Criteo dataset: I1..I13 then C1..C26.
inline std::vector<std::string> criteo_field_names() {
  std::vector<std::string> names;
  for (std::size_t i = 1; i <= criteo_integer_fields; ++i) names.push_back(detail::cat('I', i));
  for (std::size_t i = 1; i <= criteo_categorical_fields; ++i) names.push_back(detail::cat('C', i));
  return names;
}

/// @brief Reads Criteo TSV rows from a stream, line by line.
/// @param[in] in      the input; read to its end (or to options.read.max_rows rows)
/// @param[in] options bucketing rule, error policy, row limit
/// @param[in] source  the name used in the report and in error messages
/// @return the rows (39 fields of raw ids, labels 0/1) and the parse report
/// @throws nacs::error errc::parse on a malformed row with error_policy::fail; errc::io on a read error
inline read_result read_criteo(std::istream& in, const criteo_options& options = {},
                               std::string source = "<stream>") {
  constexpr std::size_t columns = 1 + criteo_integer_fields + criteo_categorical_fields;
  read_result out;
  out.report.source = std::move(source);
  out.data.field_names = criteo_field_names();
  detail::line_source lines(in, out.report, options.read.on_progress);
  detail::issue_log log(out.report, options.read.on_error, options.read.max_reported);
  std::string line;
  std::vector<std::string_view> cols;
  std::vector<std::uint32_t> row(columns - 1);
  std::int64_t sentinel_hashes = 0;
  constexpr std::int64_t lo = -static_cast<std::int64_t>(0x7FFFFFFF), hi = 0x7FFFFFFF;

  while (!detail::row_limit_reached(out.report, options.read.max_rows) && lines.next(line)) {
    if (line.empty()) {
      ++out.report.blank_lines;
      continue;
    }
    detail::split(line, '\t', cols);
    if (cols.size() != columns) {
      log.malformed(lines.line(), detail::cat(cols.size(), " tab-separated columns, expected 40"));
      continue;
    }
    float label;
    if (cols[0] == "0") label = 0.0f;
    else if (cols[0] == "1") label = 1.0f;
    else {
      log.malformed(lines.line(), detail::cat("label ", detail::quote(cols[0]), " is not 0 or 1"));
      continue;
    }
    bool ok = true;
    for (std::size_t j = 0; j < criteo_integer_fields && ok; ++j) {
      const std::string_view f = cols[1 + j];
      if (f.empty()) {
        row[j] = criteo_empty_integer;
        continue;
      }
      std::int64_t v;
      if (const auto st = detail::parse_int_status(f, v); st != detail::int_parse::ok) {
        log.malformed(lines.line(), detail::cat("integer field I", j + 1, " is ", detail::quote(f),
                                                    st == detail::int_parse::out_of_range
                                                        ? ", an integer too large for 64 bits"
                                                        : ", not a base-10 integer"));
        ok = false;
        break;
      }
      const std::int64_t b = criteo_bucket(v, options.integers);
      if (b < lo || b > hi) {
        log.malformed(lines.line(), detail::cat("integer field I", j + 1, " value ", detail::quote(f),
                                                    " is out of the supported range (its bucket must fit in 32 bits)"));
        ok = false;
        break;
      }
      row[j] = static_cast<std::uint32_t>(static_cast<std::int32_t>(b));
    }
    if (!ok) continue;
    for (std::size_t j = 0; j < criteo_categorical_fields; ++j) {
      const std::string_view f = cols[1 + criteo_integer_fields + j];
      std::uint32_t& id = row[criteo_integer_fields + j];
      if (f.empty()) {
        id = criteo_empty_categorical;
        continue;
      }
      if (!detail::parse_hex32(f, id)) {
        log.malformed(lines.line(), detail::cat("categorical field C", j + 1, " is ", detail::quote(f),
                                                    ", not 8 hexadecimal digits"));
        ok = false;
        break;
      }
      if (id == criteo_empty_categorical) ++sentinel_hashes;
    }
    if (!ok) continue;
    detail::keep_row(out, row, label, lines, options.read.max_rows);
  }
  out.report.lines = lines.line();
  if (sentinel_hashes > 0)
    out.report.notes.push_back(detail::cat(sentinel_hashes,
                                           " categorical cells hold the hash ffffffff, which shares its id with "
                                           "empty cells"));
  return out;
}

/// @brief Reads a Criteo TSV file, streaming it line by line.
/// @param[in] path    the file
/// @param[in] options bucketing rule, error policy, row limit
/// @return the rows (39 fields of raw ids, labels 0/1) and the parse report (source = path)
/// @throws nacs::error errc::io when the file cannot be opened or read; errc::parse as read_criteo(std::istream&)
inline read_result read_criteo(const std::filesystem::path& path, const criteo_options& options = {}) {
  auto in = detail::open_input(path);
  return read_criteo(in, options, path.string());
}

}  // namespace nacs
