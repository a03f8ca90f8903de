// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The bodies of nacs/io/coreset_file.hpp: the line reader (header, then rows) and the value parsers.
///
/// Included by nacs/io/coreset_file.hpp after its declaration of coreset_file.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/types.hpp>

namespace nacs {

namespace detail::coreset_io {

inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// At most 40 characters of `s` for a message, control and non-ASCII bytes shown as '?'.
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

// The cells of a CSV line, split at every ',' and trimmed (a line with no ',' is one cell).
inline void split_cells(std::string_view body, std::vector<std::string_view>& cells) {
  cells.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = std::min(body.find(',', start), body.size());
    cells.push_back(trim(body.substr(start, end - start)));
    if (end == body.size()) return;
    start = end + 1;
  }
}

enum class column { row, weight, label, gain };

// Reads a coreset file one line at a time: the first line that is not blank or a comment is a
// header when it starts with a letter; the lines after it are CSV rows under that header, or
// plain rows (index[,weight]) when there was none. finish() makes the whole-file checks.
class line_reader {
 public:
  line_reader(const std::string& source, std::optional<row_index> n) : source_(source), n_(n) {}

  void line(std::string_view text) {
    ++number_;
    const std::string_view body = cleaned(text);
    if (body.empty()) return;
    if (first_) {
      first_ = false;
      const char c = body.front();
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return header(body);
    }
    if (columns_.empty()) plain_row(body);
    else csv_row(body);
  }

  // The rows read, after the checks that need the whole file; `read_failed`: the stream's bad().
  coreset_file finish(bool read_failed) {
    NACS_EXPECTS(!read_failed, errc::io, "reading '" + source_ + "' failed");
    NACS_EXPECTS(!out_.rows.empty(), errc::invalid_data, "'" + source_ + "' lists no rows");
    if (columns_.empty()) {
      NACS_EXPECTS(with_weight_ == 0 || with_weight_ == out_.rows.size(), errc::parse,
                   "'" + source_ + "': " + std::to_string(with_weight_) + " of " + std::to_string(out_.rows.size()) +
                       " lines have a weight; give a weight on every line or on none");
      if (with_weight_ == 0) out_.weights.clear();
    }
    return std::move(out_);
  }

 private:
  // The line without its comment, its '\r', a UTF-8 byte-order mark on line 1 and blanks around it.
  std::string_view cleaned(std::string_view body) const {
    if (const auto hash = body.find('#'); hash != std::string_view::npos) body = body.substr(0, hash);
    if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
    if (number_ == 1 && body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
    return trim(body);
  }

  [[noreturn]] void fail(const std::string& why) const {
    NACS_FAIL(errc::parse, "'", source_, "' line ", number_, ": ", why);
  }

  void header(std::string_view body) {
    split_cells(body, cells_);
    bool has_row = false, has_gain = false;
    for (const std::string_view name : cells_) {
      column col{};
      if (name == "row" || name == "index") col = column::row;
      else if (name == "weight") col = column::weight;
      else if (name == "label") col = column::label;
      else if (name == "gain") col = column::gain;
      else
        fail("the header names an unknown column '" + shown(name) +
             "': a coreset file's header is row,weight,label (nacs-coreset --out) or index,gain,weight "
             "(nacs-greedy --out); without a header, give index[,weight] per line");
      for (const column seen : columns_)
        if (seen == col) fail("the header names the column '" + std::string(name) + "' twice");
      has_row = has_row || col == column::row;
      has_gain = has_gain || col == column::gain;
      columns_.push_back(col);
    }
    if (!has_row) fail("the header has no 'row' (or 'index') column");
    out_.format = has_gain ? coreset_file_format::greedy : coreset_file_format::coreset;
  }

  void csv_row(std::string_view body) {
    split_cells(body, cells_);
    if (cells_.size() != columns_.size())
      fail(std::to_string(cells_.size()) + " values, expected " + std::to_string(columns_.size()) +
           " (one per header column)");
    for (std::size_t j = 0; j < columns_.size(); ++j) {
      const std::string_view cell = cells_[j];
      switch (columns_[j]) {
        case column::row: out_.rows.push_back(index_of(cell)); break;
        case column::weight: out_.weights.push_back(weight_of(cell)); break;
        case column::label: {
          double q = 0;
          if (!parse_number(cell, q) || q < 0 || q > 1) fail("'" + shown(cell) + "' is not a label (a number in [0, 1])");
          out_.labels.push_back(static_cast<float>(q));
          break;
        }
        case column::gain: {
          double g = 0;
          if (!parse_number(cell, g)) fail("'" + shown(cell) + "' is not a gain (a finite number)");
          break;
        }
      }
    }
  }

  // index, optionally a weight after ',' or blanks.
  void plain_row(std::string_view body) {
    const std::size_t cut = body.find_first_of(", \t");
    const std::string_view a = body.substr(0, cut);
    std::string_view b;
    if (cut != std::string_view::npos) {
      b = trim(body.substr(cut + 1));
      if (body[cut] != ',' && !b.empty() && b.front() == ',') b = trim(b.substr(1));
      if (b.find_first_of(", \t") != std::string_view::npos) fail("expected 'index' or 'index,weight', found more");
    }
    out_.rows.push_back(index_of(a));
    if (!b.empty()) {
      out_.weights.push_back(weight_of(b));
      ++with_weight_;
    } else {
      out_.weights.push_back(1.0f);
    }
  }

  row_index index_of(std::string_view text) const {
    row_index idx = 0;
    if (!parse_index(text, idx)) fail("'" + shown(text) + "' is not a row index (a whole number >= 0)");
    if (n_ && idx >= *n_) fail("row " + std::to_string(idx) + " is outside the " + std::to_string(*n_) + " training rows");
    return idx;
  }

  float weight_of(std::string_view text) const {
    double w = 0;
    if (!parse_number(text, w) || w < 0 || w > 3.4028234663852886e38)  // the largest float
      fail("'" + shown(text) + "' is not a weight (a finite number >= 0 that fits a float, at most 3.4e38)");
    return static_cast<float>(w);
  }

  std::string source_;
  std::optional<row_index> n_;
  std::int64_t number_ = 0;  // the 1-based number of the line being read
  bool first_ = true;        // no line with content read yet
  std::vector<column> columns_;  // the header's columns; empty: plain rows
  std::vector<std::string_view> cells_;
  std::size_t with_weight_ = 0;  // plain rows that had a weight
  coreset_file out_;
};

}  // namespace detail::coreset_io
}  // namespace nacs
