/// @file
/// @brief Reading and writing embedding matrices: NumPy .npy files and raw float32 files.
///
/// read_npy accepts version 1, 2 and 3 .npy files holding a C-order float32 or
/// float64 array of shape (N, d) or (N,) (read as N x 1), little-endian.
/// Anything else is refused with an nacs::error that says what was found and
/// what to do. Values are converted to the requested element type.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>

namespace nacs {

namespace detail::npy {

inline std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\n\r");
  return std::string(s.substr(b, e - b + 1));
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

}  // namespace detail::npy

/// @brief Reads an N x d matrix from a .npy file (float32 or float64, C order, little-endian).
/// @tparam T element type of the result (values are converted)
/// @param[in] path the file
/// @throws nacs::error errc::io when the file cannot be read, errc::parse or
///         errc::unsupported when it is not a supported .npy array
template <class T>
matrix<T> read_npy(const std::string& path) {
  static_assert(std::endian::native == std::endian::little, "read_npy: big-endian hosts are not supported");
  std::ifstream in(path, std::ios::binary);
  NACS_EXPECTS(in.good(), errc::io, "cannot open '" + path + "' for reading: check the path");
  char magic[8] = {};
  in.read(magic, 8);
  NACS_EXPECTS(in.gcount() == 8 && std::memcmp(magic, "\x93NUMPY", 6) == 0, errc::parse,
               "'" + path + "' is not a .npy file (no \\x93NUMPY magic); for raw float32 data pass --dim / use read_raw_f32");
  const int major = static_cast<unsigned char>(magic[6]);
  NACS_EXPECTS(major >= 1 && major <= 3, errc::unsupported,
               "'" + path + "' is .npy format version " + std::to_string(major) + ", nacs reads versions 1 to 3");
  std::uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2] = {};
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (std::uint32_t{b[1]} << 8);
  } else {
    unsigned char b[4] = {};
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (std::uint32_t{b[1]} << 8) | (std::uint32_t{b[2]} << 16) | (std::uint32_t{b[3]} << 24);
  }
  NACS_EXPECTS(in.good() && header_len < (1u << 24), errc::parse, "'" + path + "': truncated or corrupt .npy header");
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
               "'" + path + "' holds dtype '" + descr +
                   "'; nacs reads little-endian float32 ('<f4') or float64 ('<f8'): convert with "
                   "arr.astype('<f4')");

  const std::string fortran = detail::npy::dict_value(header, "fortran_order", path);
  NACS_EXPECTS(fortran == "False", errc::unsupported,
               "'" + path + "' is in Fortran order; save a C-order array (np.ascontiguousarray) instead");

  std::string shape = detail::npy::dict_value(header, "shape", path);
  NACS_EXPECTS(shape.size() >= 2 && shape.front() == '(' && shape.back() == ')', errc::parse,
               "'" + path + "': cannot read the .npy shape '" + shape + "'");
  std::vector<std::uint64_t> dims;
  {
    std::string cur;
    for (char c : shape.substr(1, shape.size() - 2) + ",") {
      if (c == ',') {
        const std::string t = detail::npy::trim(cur);
        if (!t.empty()) {
          NACS_EXPECTS(t.find_first_not_of("0123456789") == std::string::npos, errc::parse,
                       "'" + path + "': bad dimension '" + t + "' in the .npy shape");
          dims.push_back(std::stoull(t));
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
  NACS_EXPECTS(cols == 0 || rows <= (std::uint64_t{1} << 62) / cols / item, errc::parse,
               "'" + path + "': the .npy shape is too large");

  matrix<T> out(static_cast<std::size_t>(rows), static_cast<std::size_t>(cols));
  const std::uint64_t count = rows * cols;
  // Convert in blocks so no second full-size copy is made.
  constexpr std::size_t block = 1 << 16;
  std::vector<char> buf(block * item);
  for (std::uint64_t done = 0; done < count;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block, count - done));
    in.read(buf.data(), static_cast<std::streamsize>(n * item));
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
  return out;
}

/// @brief Reads a raw little-endian float32 file as an N x dim matrix (N = size / (4 dim)).
template <class T>
matrix<T> read_raw_f32(const std::string& path, std::size_t dim) {
  static_assert(std::endian::native == std::endian::little, "read_raw_f32: big-endian hosts are not supported");
  NACS_EXPECTS(dim > 0, errc::invalid_argument, "read_raw_f32: the dimension must be > 0 (pass --dim D)");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  NACS_EXPECTS(in.good(), errc::io, "cannot open '" + path + "' for reading: check the path");
  const auto bytes = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  NACS_EXPECTS(bytes % (4 * dim) == 0, errc::parse,
               "'" + path + "' has " + std::to_string(bytes) + " bytes, not a whole number of rows of " +
                   std::to_string(dim) + " float32 values (" + std::to_string(4 * dim) +
                   " bytes each): check --dim");
  const std::size_t rows = static_cast<std::size_t>(bytes / (4 * dim));
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
