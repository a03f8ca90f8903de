// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Reading and writing embedding matrices: NumPy .npy files and raw float32 files.
///
/// read_npy accepts version 1, 2 and 3 .npy files holding a C-order float32 or
/// float64 array of shape (N, d) or (N,) (read as N x 1), little-endian.
/// Anything else is refused with an nacs::error that says what was found and
/// what to do. Values are converted to the requested element type. The
/// header's shape is checked against the file's size and the memory limit
/// before anything is allocated; bytes past the array's end are refused
/// unless npy_options::allow_trailing_bytes accepts (and counts) them.
#pragma once

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/memory.hpp>

namespace nacs {

namespace detail::npy {

inline std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\n\r");
  return std::string(s.substr(b, e - b + 1));
}

// Header text for a message: at most 40 bytes, printable ASCII kept, every other byte as \xNN
// (a .npy header is ASCII; a corrupt one must not write control bytes to a terminal).
inline std::string shown(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  constexpr std::size_t max = 40;
  std::string out;
  for (const char ch : s.substr(0, max)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(ch);
    } else {
      out.append("\\x");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  if (s.size() > max) out.append("...");
  return out;
}

// The value of key 'name' in the header dict, as raw text (up to the next
// top-level comma or closing brace).
inline std::string dict_value(const std::string& header, const std::string& name, const std::string& path) {
  const std::string key1 = "'" + name + "'", key2 = "\"" + name + "\"";
  auto pos = header.find(key1);
  if (pos == std::string::npos) pos = header.find(key2);
  NACS_EXPECTS(pos != std::string::npos, errc::parse,
               path + ": the .npy header has no '" + name + "' entry; is this a NumPy file written by np.save?");
  pos = header.find(':', pos);
  NACS_EXPECTS(pos != std::string::npos, errc::parse, path + ": malformed .npy header near '" + name + "'");
  ++pos;
  int depth = 0;
  std::size_t end = pos;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  return trim(std::string_view(header).substr(pos, end - pos));
}

// Opens `path` for binary reading and returns its size in bytes (-1 when it is not a
// regular file, e.g. a pipe), or throws errc::io naming the path and the reason.
inline std::int64_t open_binary(std::ifstream& in, const std::string& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  NACS_EXPECTS(st.type() != std::filesystem::file_type::not_found, errc::io,
               "cannot open '" + path + "' for reading: no such file (check the path)");
  NACS_EXPECTS(st.type() != std::filesystem::file_type::directory, errc::io,
               "cannot read '" + path + "': it is a directory, not a file (give the path of a .npy or raw float32 file)");
  in.open(path, std::ios::binary);
  if (!in) {
    const int e = errno;
    NACS_FAIL(errc::io, "cannot open '", path, "' for reading: ", e != 0 ? std::strerror(e) : "unknown reason",
              " (check the path and its permissions)");
  }
  if (st.type() != std::filesystem::file_type::regular) return -1;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? -1 : static_cast<std::int64_t>(size);
}

// Bytes from the stream's position to its end, when it can seek; -1 otherwise.
inline std::int64_t remaining_bytes(std::istream& in) {
  const auto here = in.tellg();
  if (here == std::istream::pos_type(-1)) {
    in.clear();
    return -1;
  }
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  in.clear();
  in.seekg(here);
  if (end == std::istream::pos_type(-1) || !in) {
    in.clear();
    return -1;
  }
  return static_cast<std::int64_t>(end - here);
}

// "(rows, cols)", built by appending (a "literal" + string chain makes GCC 12 warn -Wrestrict).
inline std::string shape_text(std::uint64_t rows, std::uint64_t cols) {
  std::string s(1, '(');
  s.append(std::to_string(rows)).append(", ").append(std::to_string(cols)).push_back(')');
  return s;
}

}  // namespace detail::npy

/// @brief Options of read_npy.
struct npy_options {
  /// Accept bytes after the array's end (npy_info::trailing_bytes counts them) instead of refusing
  /// the file. np.save never writes any: extra bytes mean a corrupt file or the wrong header.
  bool allow_trailing_bytes = false;
  /// A limit, in bytes, for the matrix read; none: nacs::memory_limit().
  std::optional<std::size_t> memory_limit{};
  friend bool operator==(const npy_options&, const npy_options&) = default;
};

/// @brief What a .npy header says, and how the input's size compares with it.
struct npy_info {
  int version = 1;                   ///< the format's major version (1, 2 or 3)
  std::uint64_t rows = 0;            ///< N (the first dimension)
  std::uint64_t cols = 0;            ///< d (1 for a vector)
  std::size_t item_bytes = 0;        ///< 4 (float32) or 8 (float64)
  std::uint64_t data_offset = 0;     ///< where the values start (magic, length and header included)
  std::int64_t input_bytes = -1;     ///< the input's size from its start, -1 when it cannot be known (a pipe)
  std::uint64_t trailing_bytes = 0;  ///< bytes after the array's end (only with allow_trailing_bytes)
  friend bool operator==(const npy_info&, const npy_info&) = default;
};

/// @brief A matrix read from a .npy input and what its header said.
template <class T>
struct npy_read {
  matrix<T> values;  ///< the N x d array, converted to T
  npy_info info;     ///< shape, layout, the input's size and any trailing bytes
};

/// @brief Reads an N x d matrix and its header facts from a .npy stream (float32 or float64, C order, little-endian).
///
/// Before allocating anything it checks the header's shape against the input's size (when the
/// stream can seek) and against the memory limit, so a short file with a huge shape is refused at
/// once; the values are then converted in blocks, without a second full-size copy.
/// @tparam T element type of the result (values are converted)
/// @param[in] in      the input, positioned at the magic string; read to the array's end
/// @param[in] options trailing bytes, memory limit
/// @param[in] source  the name used in error messages (the path)
/// @return the matrix and npy_info (trailing_bytes counts what allow_trailing_bytes let through)
/// @throws nacs::error errc::parse for a malformed, truncated or overlong file (or a dimension that
///         does not fit in 64 bits), errc::unsupported for a dtype, order or rank nacs does not
///         read, errc::memory_limit when the matrix would exceed the limit, errc::io on a read error
template <class T>
npy_read<T> read_npy_with_info(std::istream& in, const npy_options& options = {},
                               const std::string& source = "<stream>") {
  static_assert(std::endian::native == std::endian::little, "read_npy: big-endian hosts are not supported");
  const std::string& path = source;
  npy_info meta;
  meta.input_bytes = detail::npy::remaining_bytes(in);
  const bool sized = meta.input_bytes >= 0;
  const auto size = static_cast<std::uint64_t>(sized ? meta.input_bytes : 0);
  NACS_EXPECTS(!sized || size > 0, errc::parse, "'" + path + "' is empty (0 bytes), not a .npy file");
  char magic[8] = {};
  in.read(magic, 8);
  NACS_EXPECTS(in.gcount() == 8 && std::memcmp(magic, "\x93NUMPY", 6) == 0, errc::parse,
               "'" + path + "' is not a .npy file (no \\x93NUMPY magic); for raw float32 data pass --dim / use read_raw_f32");
  const int major = static_cast<unsigned char>(magic[6]);
  NACS_EXPECTS(major >= 1 && major <= 3, errc::unsupported,
               "'" + path + "' is .npy format version " + std::to_string(major) + ", nacs reads versions 1 to 3");
  meta.version = major;
  std::uint32_t header_len = 0;
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  {
    unsigned char b[4] = {};
    in.read(reinterpret_cast<char*>(b), static_cast<std::streamsize>(len_bytes));
    NACS_EXPECTS(static_cast<std::size_t>(in.gcount()) == len_bytes, errc::parse,
                 "'" + path + "': the .npy file ends inside its header length (truncated)");
    for (std::size_t i = 0; i < len_bytes; ++i) header_len |= std::uint32_t{b[i]} << (8 * i);
  }
  meta.data_offset = 8 + len_bytes + header_len;
  NACS_EXPECTS(header_len < (1u << 24) && (!sized || meta.data_offset <= size), errc::parse,
               "'" + path + "': the .npy header claims " + std::to_string(header_len) + " bytes" +
                   (sized ? " but the file holds " + std::to_string(size) : std::string()) +
                   ": the file is truncated or corrupt");
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  NACS_EXPECTS(static_cast<std::uint32_t>(in.gcount()) == header_len, errc::parse,
               "'" + path + "': the .npy header is truncated");

  std::string descr = detail::npy::dict_value(header, "descr", path);
  if (descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"')) descr = descr.substr(1, descr.size() - 2);
  std::size_t item = 0;
  if (descr == "<f4" || descr == "=f4" || descr == "f4") item = 4;
  else if (descr == "<f8" || descr == "=f8" || descr == "f8") item = 8;
  NACS_EXPECTS(item != 0, errc::unsupported,
               "'" + path + "' holds dtype '" + detail::npy::shown(descr) +
                   "'; nacs reads little-endian float32 ('<f4') or float64 ('<f8'): convert with "
                   "arr.astype('<f4')");
  meta.item_bytes = item;

  const std::string fortran = detail::npy::dict_value(header, "fortran_order", path);
  NACS_EXPECTS(fortran == "False", errc::unsupported,
               "'" + path + "' is in Fortran order; save a C-order array (np.ascontiguousarray) instead");

  std::string shape = detail::npy::dict_value(header, "shape", path);
  NACS_EXPECTS(shape.size() >= 2 && shape.front() == '(' && shape.back() == ')', errc::parse,
               "'" + path + "': cannot read the .npy shape '" + detail::npy::shown(shape) + "'");
  std::vector<std::uint64_t> dims;
  {
    std::string cur;
    for (char c : shape.substr(1, shape.size() - 2) + ",") {
      if (c == ',') {
        const std::string t = detail::npy::trim(cur);
        if (!t.empty()) {
          NACS_EXPECTS(t.find_first_not_of("0123456789") == std::string::npos, errc::parse,
                       "'" + path + "': bad dimension '" + detail::npy::shown(t) + "' in the .npy shape");
          std::uint64_t v = 0;
          const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
          NACS_EXPECTS(ec == std::errc{} && end == t.data() + t.size(), errc::parse,
                       "'" + path + "': dimension " + detail::npy::shown(t) +
                           " in the .npy shape does not fit in 64 bits: the header is corrupt");
          dims.push_back(v);
        }
        cur.clear();
      } else {
        cur += c;
      }
    }
  }
  NACS_EXPECTS(dims.size() == 1 || dims.size() == 2, errc::unsupported,
               "'" + path + "' holds a " + std::to_string(dims.size()) +
                   "-dimensional array; nacs needs an N x d matrix (or a vector, read as N x 1)");
  const std::uint64_t rows = dims[0], cols = dims.size() == 2 ? dims[1] : 1;
  meta.rows = rows;
  meta.cols = cols;
  const std::string shape_str = detail::npy::shape_text(rows, cols);
  std::uint64_t count = 0, data_bytes = 0;
  NACS_EXPECTS(!__builtin_mul_overflow(rows, cols, &count) && !__builtin_mul_overflow(count, item, &data_bytes) &&
                   count <= static_cast<std::uint64_t>(static_cast<std::size_t>(-1) / sizeof(T)),
               errc::parse, "'" + path + "': the .npy shape " + shape_str + " is too large to address: the header is corrupt");
  // The file must hold exactly the values the shape promises: checked before anything is allocated.
  if (sized) {
    const std::uint64_t have = size - meta.data_offset;
    NACS_EXPECTS(have >= data_bytes, errc::parse,
                 "'" + path + "' is truncated: its header promises shape " + shape_str + " (" +
                     std::to_string(data_bytes) + " bytes of values) but the file holds " + std::to_string(have) +
                     " bytes after the header");
    meta.trailing_bytes = have - data_bytes;
    NACS_EXPECTS(meta.trailing_bytes == 0 || options.allow_trailing_bytes, errc::parse,
                 "'" + path + "' holds " + std::to_string(meta.trailing_bytes) +
                     " bytes after the end of its " + shape_str +
                     " array; np.save writes none, so the header or the file is wrong (to read the array "
                     "and ignore the rest, allow trailing bytes: npy_options::allow_trailing_bytes)");
  }
  const std::size_t limit = options.memory_limit.value_or(memory_limit());
  const auto need = static_cast<std::size_t>(count) * sizeof(T);
  NACS_EXPECTS(need <= limit, errc::memory_limit,
               "'" + path + "': its " + shape_str + " array needs " + format_bytes(need) +
                   " of memory but the memory limit is " + format_bytes(limit) +
                   ": read a smaller array, or raise the memory limit");

  matrix<T> out(static_cast<std::size_t>(rows), static_cast<std::size_t>(cols));
  // Convert in blocks so no second full-size copy is made.
  constexpr std::size_t block = 1 << 16;
  std::vector<char> buf(static_cast<std::size_t>(std::min<std::uint64_t>(block, count)) * item);
  for (std::uint64_t done = 0; done < count;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block, count - done));
    in.read(buf.data(), static_cast<std::streamsize>(n * item));
    if (in.bad()) NACS_FAIL(errc::io, "reading '", path, "' failed");
    NACS_EXPECTS(static_cast<std::size_t>(in.gcount()) == n * item, errc::parse,
                 "'" + path + "' is truncated: the header promises " + std::to_string(rows) + " x " +
                     std::to_string(cols) + " values but the data ends after " +
                     std::to_string(done + static_cast<std::uint64_t>(in.gcount()) / item));
    for (std::size_t i = 0; i < n; ++i) {
      double v;
      if (item == 4) {
        float f;
        std::memcpy(&f, buf.data() + i * 4, 4);
        v = f;
      } else {
        std::memcpy(&v, buf.data() + i * 8, 8);
      }
      out.data()[done + i] = static_cast<T>(v);
    }
    done += n;
  }
  return {std::move(out), meta};
}

/// @brief Reads an N x d matrix from a .npy stream; see read_npy_with_info.
template <class T>
matrix<T> read_npy(std::istream& in, const npy_options& options = {}, const std::string& source = "<stream>") {
  return read_npy_with_info<T>(in, options, source).values;
}

/// @brief Reads an N x d matrix and its header facts from a .npy file.
/// @throws nacs::error errc::io when the path is missing, a directory or unreadable; otherwise as
///         read_npy_with_info(std::istream&)
template <class T>
npy_read<T> read_npy_with_info(const std::string& path, const npy_options& options = {}) {
  std::ifstream in;
  (void)detail::npy::open_binary(in, path);
  return read_npy_with_info<T>(in, options, path);
}

/// @brief Reads an N x d matrix from a .npy file (float32 or float64, C order, little-endian).
/// @tparam T element type of the result (values are converted)
/// @param[in] path    the file
/// @param[in] options trailing bytes, memory limit
/// @throws nacs::error errc::io when the path is missing, a directory or unreadable; otherwise as
///         read_npy_with_info(std::istream&)
template <class T>
matrix<T> read_npy(const std::string& path, const npy_options& options = {}) {
  return read_npy_with_info<T>(path, options).values;
}

/// @brief Reads a raw little-endian float32 file as an N x dim matrix (N = size / (4 dim)).
/// @throws nacs::error errc::invalid_argument when dim is 0; errc::io when the path is missing, a
///         directory, unreadable or not a regular file; errc::parse when the size is not a whole
///         number of rows; errc::memory_limit when the matrix would exceed nacs::memory_limit()
template <class T>
matrix<T> read_raw_f32(const std::string& path, std::size_t dim) {
  static_assert(std::endian::native == std::endian::little, "read_raw_f32: big-endian hosts are not supported");
  NACS_EXPECTS(dim > 0, errc::invalid_argument, "read_raw_f32: the dimension must be > 0 (pass --dim D)");
  std::ifstream in;
  const std::int64_t size = detail::npy::open_binary(in, path);
  NACS_EXPECTS(size >= 0, errc::io,
               "cannot read '" + path + "' as raw float32 data: it is not a regular file, so its size (and row "
               "count) cannot be known; copy it to a file first");
  const auto bytes = static_cast<std::uint64_t>(size);
  NACS_EXPECTS(bytes > 0, errc::parse, "'" + path + "' is empty (0 bytes): no rows to read");
  NACS_EXPECTS(dim <= bytes / 4 && bytes % (4 * dim) == 0, errc::parse,
               "'" + path + "' has " + std::to_string(bytes) + " bytes, not a whole number of rows of " +
                   std::to_string(dim) + " float32 values (" + std::to_string(4 * dim) +
                   " bytes each): check --dim");
  const std::size_t rows = static_cast<std::size_t>(bytes / (4 * dim));
  const std::size_t need = rows * dim * sizeof(T), limit = memory_limit();
  NACS_EXPECTS(need <= limit, errc::memory_limit,
               "'" + path + "': its " + std::to_string(rows) + " x " + std::to_string(dim) + " matrix needs " +
                   format_bytes(need) + " of memory but the memory limit is " + format_bytes(limit) +
                   ": read a smaller file, or raise the memory limit");
  matrix<T> out(rows, dim);
  constexpr std::size_t block = 1 << 16;
  std::vector<float> buf(block);
  for (std::size_t done = 0, count = rows * dim; done < count;) {
    const std::size_t n = std::min(block, count - done);
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n * 4));
    NACS_EXPECTS(static_cast<std::size_t>(in.gcount()) == n * 4, errc::io, "'" + path + "': read failed");
    for (std::size_t i = 0; i < n; ++i) {
      float f = buf[i];
      out.data()[done + i] = static_cast<T>(f);
    }
    done += n;
  }
  return out;
}

/// @brief Writes a matrix as a version 1.0 .npy file ('<f4' for float, '<f8' for double).
template <class T>
void write_npy(const std::string& path, matrix_view<const T> m) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "write_npy: T must be float or double");
  static_assert(std::endian::native == std::endian::little, "write_npy: big-endian hosts are not supported");
  std::string header = std::string("{'descr': '") + (sizeof(T) == 4 ? "<f4" : "<f8") +
                       "', 'fortran_order': False, 'shape': (" + std::to_string(m.rows()) + ", " +
                       std::to_string(m.cols()) + "), }";
  // Pad with spaces so the data starts at a multiple of 64 bytes; end with '\n'.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  NACS_EXPECTS(out.good(), errc::io, "cannot open '" + path + "' for writing");
  out.write("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  const char lb[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(lb, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (std::size_t i = 0; i < m.rows(); ++i)
    out.write(reinterpret_cast<const char*>(m.row_ptr(i)), static_cast<std::streamsize>(m.cols() * sizeof(T)));
  NACS_EXPECTS(out.good(), errc::io, "writing '" + path + "' failed (disk full?)");
}

}  // namespace nacs
