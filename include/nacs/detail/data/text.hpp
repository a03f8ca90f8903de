// SPDX-License-Identifier: Apache-2.0
// Line-oriented parsing shared by the text readers: a line source, the
// malformed-row log, field splitting, strict number parsing, and an RFC 4180
// record reader. Internal: the public API is in nacs/data/*.hpp.
#pragma once

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/data/parse_report.hpp>

namespace nacs::detail {

// Reads physical lines, strips a trailing '\r' (CRLF files), counts lines and
// bytes, and calls the progress callback every `every_lines` lines.
class line_source {
 public:
  line_source(std::istream& in, const parse_report& report, const read_progress_callback& progress = {})
      : in_(in), report_(report), progress_(progress) {
    NACS_EXPECTS(progress_.every_lines >= 1, errc::invalid_argument,
                 cat("reading '", report_.source, "': on_progress.every_lines is ", progress_.every_lines,
                     "; it must be >= 1"));
    total_ = remaining_bytes(in_);
  }

  // Next line into `out`; false at the end of input. A read error (not EOF) throws errc::io.
  bool next(std::string& out) {
    if (!std::getline(in_, out)) {
      if (in_.bad()) NACS_FAIL(errc::io, "reading '", report_.source, "' failed after line ", line_);
      // At the end every line is parsed: a last call when the count is a multiple of every_lines.
      if (progress_.fn && line_ > reported_ && line_ % progress_.every_lines == 0) report_progress(line_, bytes_);
      return false;
    }
    ++line_;
    bytes_ += static_cast<std::int64_t>(out.size()) + (in_.eof() ? 0 : 1);
    if (!out.empty() && out.back() == '\r') out.pop_back();
    // A UTF-8 byte order mark on the first line is not data.
    if (line_ == 1 && out.size() >= 3 && static_cast<unsigned char>(out[0]) == 0xEF &&
        static_cast<unsigned char>(out[1]) == 0xBB && static_cast<unsigned char>(out[2]) == 0xBF)
      out.erase(0, 3);
    // The callback sees the counts up to the line before this one (this one is not parsed yet).
    if (progress_.fn && line_ > 1 && (line_ - 1) % progress_.every_lines == 0) report_progress(line_ - 1, last_bytes_);
    last_bytes_ = bytes_;
    return true;
  }
  [[nodiscard]] std::int64_t line() const noexcept { return line_; }
  // Bytes read so far, and the input's size from where reading began (-1 when it cannot be known).
  [[nodiscard]] std::int64_t bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::int64_t total_bytes() const noexcept { return total_; }

 private:
  // Bytes from the current position to the end, when the stream can seek; -1 otherwise.
  static std::int64_t remaining_bytes(std::istream& in) {
    if (!in) return -1;  // a stream that failed before the read is left as it is
    const auto here = in.tellg();
    if (here == std::istream::pos_type(-1)) {
      in.clear(in.rdstate() & ~std::ios::failbit);
      return -1;
    }
    in.seekg(0, std::ios::end);
    const auto end = in.tellg();
    in.clear(in.rdstate() & ~(std::ios::failbit | std::ios::eofbit));
    in.seekg(here);
    if (end == std::istream::pos_type(-1) || !in) {
      in.clear(in.rdstate() & ~std::ios::failbit);
      return -1;
    }
    return static_cast<std::int64_t>(end - here);
  }
  void report_progress(std::int64_t lines, std::int64_t bytes) {
    reported_ = lines;
    const read_progress p{.source = report_.source,
                          .lines = lines,
                          .bytes = bytes,
                          .total_bytes = total_,
                          .rows_read = report_.rows_read,
                          .rows_skipped = report_.rows_skipped};
    progress_.fn(p);
  }

  std::istream& in_;
  const parse_report& report_;
  const read_progress_callback& progress_;
  std::int64_t line_ = 0;
  std::int64_t bytes_ = 0;
  std::int64_t last_bytes_ = 0;
  std::int64_t total_ = -1;
  std::int64_t reported_ = 0;
};

// Applies the error policy to malformed rows and keeps the first few.
class issue_log {
 public:
  issue_log(parse_report& report, error_policy policy, std::size_t max_reported)
      : report_(report), policy_(policy), max_(max_reported) {}

  void malformed(std::int64_t line, std::string reason) {
    if (policy_ == error_policy::fail)
      NACS_FAIL(errc::parse, report_.source, ':', line, ": ", reason,
                " (fix the line, or read with on_error = error_policy::skip to skip and count malformed rows)");
    ++report_.rows_skipped;
    if (report_.issues.size() < max_) report_.issues.push_back({line, std::move(reason)});
  }

 private:
  parse_report& report_;
  error_policy policy_;
  std::size_t max_;
};

// Opens a file for reading or throws errc::io with the path and the system's reason.
// A directory is refused before opening: on Linux it opens, and only the first read fails.
inline std::ifstream open_input(const std::filesystem::path& path) {
  {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
      NACS_FAIL(errc::io, "cannot read '", path.string(), "': it is a directory, not a file (check the path)");
  }
  std::ifstream in(path, std::ios::in | std::ios::binary);
  if (!in) {
    const int e = errno;
    std::error_code ec;
    std::string why = e != 0 ? std::string(std::strerror(e)) : std::string("cannot be opened");
    if (!std::filesystem::exists(path, ec)) why = "no such file";
    else if (std::filesystem::is_directory(path, ec)) why = "is a directory";
    NACS_FAIL(errc::io, "cannot open '", path.string(), "' for reading: ", why, " (check the path)");
  }
  return in;
}

// Splits `s` at every `sep` into `out` (views into s). "a\t\tb" gives three fields.
inline void split(std::string_view s, char sep, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// Splits at runs of spaces and tabs, ignoring leading and trailing blanks.
inline void split_blanks(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i == n) break;
    const std::size_t start = i;
    while (i < n && s[i] != ' ' && s[i] != '\t') ++i;
    out.push_back(s.substr(start, i - start));
  }
}

inline bool is_blank(std::string_view s) noexcept {
  for (const char c : s)
    if (c != ' ' && c != '\t') return false;
  return true;
}

// Strict integer parsing: the whole field, base 10, optional leading '-' (and '+' when allowed).
// `out_of_range`: a well-formed integer that does not fit in Int.
enum class int_parse { ok, not_integer, out_of_range };
template <class Int>
int_parse parse_int_status(std::string_view s, Int& v, bool allow_plus = false) noexcept {
  if (allow_plus && !s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return int_parse::not_integer;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (p != s.data() + s.size()) return int_parse::not_integer;
  if (ec == std::errc::result_out_of_range) return int_parse::out_of_range;
  return ec == std::errc{} ? int_parse::ok : int_parse::not_integer;
}
template <class Int>
bool parse_int(std::string_view s, Int& v, bool allow_plus = false) noexcept {
  return parse_int_status(s, v, allow_plus) == int_parse::ok;
}

// Exactly `digits` hexadecimal digits (either case) into a 32-bit value.
inline bool parse_hex32(std::string_view s, std::uint32_t& v, std::size_t digits = 8) noexcept {
  if (s.size() != digits) return false;
  std::uint32_t x = 0;
  for (const char c : s) {
    std::uint32_t d;
    if (c >= '0' && c <= '9') d = static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<std::uint32_t>(c - 'A' + 10);
    else return false;
    x = (x << 4) | d;
  }
  v = x;
  return true;
}

// A finite decimal number (optional leading '+'), the whole field.
inline bool parse_finite(std::string_view s, double& v) noexcept {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && std::isfinite(v);
}

// Text from the input made safe for a message on a terminal: printable ASCII and
// well-formed UTF-8 sequences are kept; tabs, line breaks and every other byte
// (control characters, DEL, stray or truncated UTF-8 bytes) become \t, \n, \r or \xNN.
inline std::string printable(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // A UTF-8 sequence: a lead byte and its continuation bytes, no overlong or surrogate forms.
    std::size_t len = 0;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) len = 3;
    else if (c >= 0xF0 && c <= 0xF4) len = 4;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len >= 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
        ok = false;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    if (c == '\t') out.append("\\t");
    else if (c == '\n') out.append("\\n");
    else if (c == '\r') out.append("\\r");
    else {
      out.append("\\x");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
    ++i;
  }
  return out;
}

// A field for an error message: at most 40 bytes of it, quoted, non-printable bytes escaped.
inline std::string quote(std::string_view s) {
  constexpr std::size_t max = 40;
  std::string q = "'";
  q += printable(s.size() <= max ? s : s.substr(0, max));
  if (s.size() > max) q += "...";
  q += "'";
  return q;
}

// Reads RFC 4180 records: fields separated by `sep`; a field that starts with a
// double quote runs to the closing quote, may hold separators and line breaks,
// and writes a quote as two quotes. Fields are views into an internal buffer,
// valid until the next call.
class csv_record_reader {
 public:
  csv_record_reader(line_source& lines, char sep) : lines_(lines), sep_(sep) {}

  enum class status { record, blank, end, malformed };

  // Reads the next record. On `malformed`, `reason()` says why and the record is consumed.
  status next(std::vector<std::string_view>& fields) {
    fields.clear();
    if (!lines_.next(line_)) return status::end;
    first_line_ = lines_.line();
    if (line_.empty()) return status::blank;
    buf_.clear();
    bounds_.clear();
    std::size_t i = 0;
    for (;;) {
      // At the start of a field.
      const std::size_t field_start = buf_.size();
      if (i < line_.size() && line_[i] == '"') {
        ++i;
        for (;;) {
          if (i == line_.size()) {
            // The quoted field goes on past the line end.
            if (!lines_.next(line_)) {
              reason_ = cat("a quoted field opened on line ", first_line_, " is never closed");
              return status::malformed;
            }
            buf_.push_back('\n');
            i = 0;
            continue;
          }
          const char c = line_[i];
          if (c == '"') {
            if (i + 1 < line_.size() && line_[i + 1] == '"') {
              buf_.push_back('"');
              i += 2;
              continue;
            }
            ++i;  // closing quote
            break;
          }
          buf_.push_back(c);
          ++i;
        }
        if (i < line_.size() && line_[i] != sep_) {
          reason_ = cat("unexpected character after the closing quote of field ", bounds_.size() + 1);
          return status::malformed;
        }
      } else {
        while (i < line_.size() && line_[i] != sep_) {
          if (line_[i] == '"') {
            reason_ = cat("a double quote inside unquoted field ", bounds_.size() + 1,
                          " (quote the whole field and double the quote)");
            return status::malformed;
          }
          buf_.push_back(line_[i++]);
        }
      }
      bounds_.push_back({field_start, buf_.size() - field_start});
      if (i == line_.size()) break;
      ++i;  // the separator; a separator at the very end gives a last empty field
    }
    for (const auto& [start, len] : bounds_) fields.emplace_back(buf_.data() + start, len);
    return status::record;
  }
  [[nodiscard]] std::int64_t first_line() const noexcept { return first_line_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  line_source& lines_;
  char sep_;
  std::string line_, buf_, reason_;
  std::vector<std::pair<std::size_t, std::size_t>> bounds_;
  std::int64_t first_line_ = 0;
};

// Appends one parsed row to a dataset.
inline constexpr row_index reserve_after_rows = 4096;

// Keeps one parsed row: appends it, counts it, and once `reserve_after_rows`
// rows are kept reserves room for the rest of the input, estimated from the
// rows kept per byte so far (plus 2 %). Without that, a large file's columns
// are regrown a dozen times, each time copied and faulted in afresh (a third
// of a Criteo read's time on a VM). Reserved but unwritten capacity costs
// address space, not memory. Inputs of unknown size (pipes) grow as usual.
// A per-row weight, if any, is pushed before the call.
inline void keep_row(read_result& out, const std::vector<std::uint32_t>& row, float label, const line_source& lines,
                     const std::optional<row_index>& max_rows) {
  dataset& d = out.data;
  d.ids.insert(d.ids.end(), row.begin(), row.end());
  d.labels.push_back(label);
  if (++out.report.rows_read != reserve_after_rows || lines.total_bytes() <= 0 || lines.bytes() <= 0) return;
  const double rows_per_byte = static_cast<double>(out.report.rows_read) / static_cast<double>(lines.bytes());
  auto rows = static_cast<row_index>(1.02 * rows_per_byte * static_cast<double>(lines.total_bytes())) + 1024;
  if (max_rows) rows = std::min(rows, *max_rows);
  if (rows <= out.report.rows_read) return;
  const auto n = static_cast<std::size_t>(rows);
  try {
    d.ids.reserve(n * row.size());
    d.labels.reserve(n);
    if (!d.weights.empty()) d.weights.reserve(n);
  } catch (const std::bad_alloc&) {
    // Only an estimate: without it the columns grow as they need, and fail there if they must.
  }
}

inline bool row_limit_reached(const parse_report& r, const std::optional<row_index>& max_rows) noexcept {
  return max_rows && r.rows_read >= *max_rows;
}

}  // namespace nacs::detail
