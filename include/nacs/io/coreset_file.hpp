// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief One reader and one writer for coreset files: chosen row indices with optional weights and labels.
///
/// write_coreset_file writes the format nacs-coreset --out produces: a CSV
/// with the header `row,weight,label` and one line per chosen row, in the
/// order given: the 0-based training row index, its weight gamma, and its
/// corrected label q. Numbers are written in their shortest form that reads
/// back to the same float, so writing and reading gives the same values.
///
/// read_coreset_file accepts three formats:
/// - a CSV with a header (the first line that is not blank or a comment)
///   naming its columns, separated by ',': `row` or `index` (one of them,
///   required), and any of `weight`, `label`, `gain` (a pick's marginal gain;
///   read, checked, not kept). nacs-coreset --out writes `row,weight,label`,
///   nacs-greedy --out writes `index,gain,weight` (its weight counts the rows a
///   pick represents). Every line has one value per column.
/// - plain rows: one index per line, optionally followed by ',' or blanks and
///   a weight; a weight on every line or on none (nacs-train --rows-file's
///   historical format).
/// In every format '#' starts a comment to the end of the line, blank lines
/// are skipped, a '\r' before the line end is dropped, and blanks around a
/// value are ignored. Checks: an index is a whole number >= 0 (and below the
/// row count, when the caller gives one); a weight is a number in [0, 3.4e38]
/// (finite as a float); a label is a number in [0, 1]. A row may be listed
/// more than once (it then counts more than once). A file with no rows is refused. Every
/// refusal is a nacs::error (errc::parse for a bad line, naming the source
/// and the 1-based line; errc::invalid_data for no rows; errc::io when the
/// file cannot be read) that says what was wrong.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/types.hpp>

namespace nacs {

/// @brief Which of the accepted layouts a coreset file had.
enum class coreset_file_format {
  coreset,  ///< a header without `gain` (nacs-coreset --out: row,weight,label)
  greedy,   ///< a header with `gain` (nacs-greedy --out: index,gain,weight)
  rows,     ///< no header: index[,weight] per line
};

/// @brief The rows of a coreset file and what it said about them.
struct coreset_file {
  std::vector<row_index> rows;   ///< row indices, in file order
  std::vector<float> weights;    ///< one per row, or empty when the file has no weights
  std::vector<float> labels;     ///< one per row (corrected labels q), or empty when the file has none
  coreset_file_format format = coreset_file_format::rows;  ///< the layout read
};

namespace detail::coreset_io {

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline std::string shown(std::string_view s) {
  std::string out(s.substr(0, 40));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return s.size() > 40 ? out + "..." : out;
}

inline bool parse_index(std::string_view s, row_index& v) noexcept {
  if (s.empty() || s.front() == '-' || s.front() == '+') return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size();
}

inline bool parse_number(std::string_view s, double& v) noexcept {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && std::isfinite(v);
}

// The shortest text that reads back to the same float.
inline std::string float_text(float v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

enum class column { row, weight, label, gain };

}  // namespace detail::coreset_io

/// @brief Reads a coreset file from a stream (see the file comment for the formats and checks).
/// @param[in] in     the input, read to its end
/// @param[in] source the name used in error messages (a path)
/// @param[in] n      when given, every index must be below it (the training rows the indices count)
/// @throws nacs::error errc::parse for a malformed line; errc::invalid_data for a file with no rows;
///         errc::io on a read error
inline coreset_file read_coreset_file(std::istream& in, const std::string& source,
                                      std::optional<row_index> n = std::nullopt) {
  using detail::coreset_io::column;
  namespace cio = detail::coreset_io;
  coreset_file out;
  std::vector<column> columns;  // empty: plain rows
  bool first = true;
  std::size_t with_weight = 0;
  std::int64_t number = 0;
  std::string line;
  std::vector<std::string_view> cells;
  const auto fail = [&](const std::string& why) {
    NACS_FAIL(errc::parse, "'", source, "' line ", number, ": ", why);
  };
  const auto index_of = [&](std::string_view text) {
    row_index idx = 0;
    if (!cio::parse_index(text, idx)) fail("'" + cio::shown(text) + "' is not a row index (a whole number >= 0)");
    if (n && idx >= *n)
      fail("row " + std::to_string(idx) + " is outside the " + std::to_string(*n) + " training rows");
    return idx;
  };
  const auto weight_of = [&](std::string_view text) {
    double w = 0;
    if (!cio::parse_number(text, w) || w < 0 || w > 3.4028234663852886e38)  // the largest float
      fail("'" + cio::shown(text) + "' is not a weight (a finite number >= 0 that fits a float, at most 3.4e38)");
    return static_cast<float>(w);
  };
  while (std::getline(in, line)) {
    ++number;
    std::string_view body = line;
    if (const auto hash = body.find('#'); hash != std::string_view::npos) body = body.substr(0, hash);
    if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
    if (number == 1 && body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    body = cio::trim(body);
    if (body.empty()) continue;
    if (first) {
      first = false;
      const char c = body.front();
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {  // a header
        bool has_row = false, has_gain = false;
        std::size_t start = 0;
        for (;;) {
          const std::size_t end = std::min(body.find(',', start), body.size());
          const std::string_view name = cio::trim(body.substr(start, end - start));
          column col{};
          if (name == "row" || name == "index") col = column::row;
          else if (name == "weight") col = column::weight;
          else if (name == "label") col = column::label;
          else if (name == "gain") col = column::gain;
          else
            fail("the header names an unknown column '" + cio::shown(name) +
                 "': a coreset file's header is row,weight,label (nacs-coreset --out) or index,gain,weight "
                 "(nacs-greedy --out); without a header, give index[,weight] per line");
          for (const column seen : columns)
            if (seen == col) fail("the header names the column '" + std::string(name) + "' twice");
          has_row = has_row || col == column::row;
          has_gain = has_gain || col == column::gain;
          columns.push_back(col);
          if (end == body.size()) break;
          start = end + 1;
        }
        if (!has_row) fail("the header has no 'row' (or 'index') column");
        out.format = has_gain ? coreset_file_format::greedy : coreset_file_format::coreset;
        continue;
      }
    }
    if (!columns.empty()) {
      cells.clear();
      std::size_t start = 0;
      for (;;) {
        const std::size_t end = std::min(body.find(',', start), body.size());
        cells.push_back(cio::trim(body.substr(start, end - start)));
        if (end == body.size()) break;
        start = end + 1;
      }
      if (cells.size() != columns.size())
        fail(std::to_string(cells.size()) + " values, expected " + std::to_string(columns.size()) +
             " (one per header column)");
      for (std::size_t j = 0; j < columns.size(); ++j) {
        switch (columns[j]) {
          case column::row: out.rows.push_back(index_of(cells[j])); break;
          case column::weight: out.weights.push_back(weight_of(cells[j])); break;
          case column::label: {
            double q = 0;
            if (!cio::parse_number(cells[j], q) || q < 0 || q > 1)
              fail("'" + cio::shown(cells[j]) + "' is not a label (a number in [0, 1])");
            out.labels.push_back(static_cast<float>(q));
            break;
          }
          case column::gain: {
            double g = 0;
            if (!cio::parse_number(cells[j], g)) fail("'" + cio::shown(cells[j]) + "' is not a gain (a finite number)");
            break;
          }
        }
      }
      continue;
    }
    // Plain rows: index, optionally a weight after ',' or blanks.
    std::size_t cut = body.find_first_of(", \t");
    const std::string_view a = body.substr(0, cut);
    std::string_view b;
    if (cut != std::string_view::npos) {
      b = cio::trim(body.substr(cut + 1));
      if (body[cut] != ',' && !b.empty() && b.front() == ',') b = cio::trim(b.substr(1));
      if (b.find_first_of(", \t") != std::string_view::npos) fail("expected 'index' or 'index,weight', found more");
    }
    out.rows.push_back(index_of(a));
    if (!b.empty()) {
      out.weights.push_back(weight_of(b));
      ++with_weight;
    } else {
      out.weights.push_back(1.0f);
    }
  }
  NACS_EXPECTS(!in.bad(), errc::io, "reading '" + source + "' failed");
  NACS_EXPECTS(!out.rows.empty(), errc::invalid_data, "'" + source + "' lists no rows");
  if (columns.empty()) {
    NACS_EXPECTS(with_weight == 0 || with_weight == out.rows.size(), errc::parse,
                 "'" + source + "': " + std::to_string(with_weight) + " of " + std::to_string(out.rows.size()) +
                     " lines have a weight; give a weight on every line or on none");
    if (with_weight == 0) out.weights.clear();
  }
  return out;
}

/// @brief Reads a coreset file (see the file comment for the formats and checks).
/// @param[in] path the file
/// @param[in] n    when given, every index must be below it
/// @throws nacs::error errc::io when the file cannot be opened or read; otherwise as the stream overload
inline coreset_file read_coreset_file(const std::filesystem::path& path, std::optional<row_index> n = std::nullopt) {
  std::error_code dir_ec;  // on Linux a directory opens as a stream and only the read fails: say so first
  if (std::filesystem::is_directory(path, dir_ec))
    NACS_FAIL(errc::io, "cannot read '", path.string(), "': it is a directory, not a coreset file (check the path)");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const std::string why = !std::filesystem::exists(path, ec)         ? "no such file"
                            : std::filesystem::is_directory(path, ec) ? "is a directory"
                                                                      : "cannot be opened";
    NACS_FAIL(errc::io, "cannot open '", path.string(), "' for reading: ", why, " (check the path)");
  }
  return read_coreset_file(in, path.string(), n);
}

/// @brief Writes a coreset as CSV: the header `row,weight,label`, then one line per row in the order given.
/// @param[in] path    the file (replaced)
/// @param[in] rows    row indices (>= 0)
/// @param[in] weights one weight per row (finite, >= 0)
/// @param[in] labels  one corrected label per row (in [0, 1])
/// @throws nacs::error errc::invalid_argument for sizes that differ or a value that fails the checks (nothing is
///         written then); errc::io when the file cannot be opened or written
inline void write_coreset_file(const std::filesystem::path& path, std::span<const row_index> rows,
                               std::span<const float> weights, std::span<const float> labels) {
  NACS_EXPECTS(weights.size() == rows.size() && labels.size() == rows.size(), errc::invalid_argument,
               "write_coreset_file: " + std::to_string(rows.size()) + " rows, " + std::to_string(weights.size()) +
                   " weights and " + std::to_string(labels.size()) + " labels: give one weight and label per row");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    NACS_EXPECTS(rows[i] >= 0, errc::invalid_argument,
                 "write_coreset_file: row " + std::to_string(rows[i]) + " at position " + std::to_string(i) +
                     " is negative");
    NACS_EXPECTS(std::isfinite(weights[i]) && weights[i] >= 0, errc::invalid_argument,
                 "write_coreset_file: the weight at position " + std::to_string(i) +
                     " is not a finite number >= 0");
    NACS_EXPECTS(std::isfinite(labels[i]) && labels[i] >= 0 && labels[i] <= 1, errc::invalid_argument,
                 "write_coreset_file: the label at position " + std::to_string(i) + " is not in [0, 1]");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  NACS_EXPECTS(out.good(), errc::io, "cannot open '" + path.string() + "' for writing: check the directory");
  std::string text = "row,weight,label\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    text.append(std::to_string(rows[i])).push_back(',');
    text.append(detail::coreset_io::float_text(weights[i])).push_back(',');
    text.append(detail::coreset_io::float_text(labels[i])).push_back('\n');
    if (text.size() > (1u << 16)) {
      out << text;
      text.clear();
    }
  }
  out << text;
  out.flush();
  NACS_EXPECTS(out.good(), errc::io, "writing '" + path.string() + "' failed (disk full?)");
}

}  // namespace nacs
