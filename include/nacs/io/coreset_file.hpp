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

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <span>
#include <string>
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

}  // namespace nacs

#include <nacs/detail/io/coreset_file.hpp>  // the reader's body

namespace nacs {

/// @brief Reads a coreset file from a stream (see the file comment for the formats and checks).
/// @param[in] in     the input, read to its end
/// @param[in] source the name used in error messages (a path)
/// @param[in] n      when given, every index must be below it (the training rows the indices count)
/// @throws nacs::error errc::parse for a malformed line; errc::invalid_data for a file with no rows;
///         errc::io on a read error
inline coreset_file read_coreset_file(std::istream& in, const std::string& source,
                                      std::optional<row_index> n = std::nullopt) {
  detail::coreset_io::line_reader reader(source, n);
  std::string line;
  while (std::getline(in, line)) reader.line(line);
  return reader.finish(in.bad());
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
