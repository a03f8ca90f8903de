// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: read_npy on arbitrary bytes, from a seekable stream and from one that cannot
// seek (a pipe), as float and as double, with and without trailing bytes allowed.
#include <nacs/io/npy.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>

#include "check.hpp"

namespace {

// A stream buffer that refuses to seek, as a pipe does.
struct pipe_buf : std::stringbuf {
  using std::stringbuf::stringbuf;
  pos_type seekoff(off_type, std::ios_base::seekdir, std::ios_base::openmode) override { return pos_type(-1); }
  pos_type seekpos(pos_type, std::ios_base::openmode) override { return pos_type(-1); }
};

constexpr std::size_t limit = std::size_t{64} << 20;  // a fuzz input never needs more

template <class T, class Stream>
nacs_fuzz::outcome read(Stream& in, bool allow_trailing, nacs::npy_read<T>& out) {
  nacs_fuzz::outcome o;
  try {
    out = nacs::read_npy_with_info<T>(in, {.allow_trailing_bytes = allow_trailing, .memory_limit = limit}, "fuzz.npy");
  } catch (const nacs::error& e) {
    o.threw = true;
    o.code = e.code();
    o.message = e.message();
  } catch (const std::exception& e) {
    nacs_fuzz::fail(__FILE__, __LINE__, "only nacs::error escapes read_npy", e.what());
  }
  return o;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The same shape and the same bits (NaN payloads included).
bool same_matrix(const nacs::matrix<float>& a, const nacs::matrix<float>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  const auto x = a.values(), y = b.values();
  return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  nacs::npy_read<float> lax, strict, piped;
  nacs::npy_read<double> wide;
  std::istringstream in1(bytes), in2(bytes), in3(bytes);
  const auto o_lax = read<float>(in1, true, lax);
  const auto o_strict = read<float>(in2, false, strict);
  const auto o_wide = read<double>(in3, true, wide);
  pipe_buf buf(bytes);
  std::istream pipe(&buf);
  const auto o_pipe = read<float>(pipe, false, piped);

  if (o_lax.threw) {
    NACS_FUZZ_CHECK(o_strict.threw, "strict read succeeded where the lax one threw: " + o_lax.message);
    NACS_FUZZ_CHECK(nacs_fuzz::printable(o_lax.message), o_lax.message);
    return 0;
  }
  const auto& info = lax.info;
  // The header's shape, the file's size and the matrix agree.
  NACS_FUZZ_CHECK(lax.values.rows() == info.rows && lax.values.cols() == info.cols, "shape differs from header");
  NACS_FUZZ_CHECK(info.item_bytes == 4 || info.item_bytes == 8, "item size");
  NACS_FUZZ_CHECK(info.input_bytes == static_cast<std::int64_t>(size), "input size");
  NACS_FUZZ_CHECK(info.data_offset + info.rows * info.cols * info.item_bytes + info.trailing_bytes == size,
                  "offset + data + trailing != size");
  // Trailing bytes are refused exactly when there are some.
  NACS_FUZZ_CHECK(o_strict.threw == (info.trailing_bytes > 0), "strict read and trailing bytes disagree");
  if (!o_strict.threw) NACS_FUZZ_CHECK(same_matrix(strict.values, lax.values), "strict and lax values differ");
  // Read as double, then narrowed: the same floats.
  NACS_FUZZ_CHECK(!o_wide.threw, "double read threw where float did not: " + o_wide.message);
  NACS_FUZZ_CHECK(wide.values.values().size() == lax.values.values().size(), "double read has another size");
  for (std::size_t i = 0; i < lax.values.values().size(); ++i)
    NACS_FUZZ_CHECK(same_bits(static_cast<float>(wide.values.values()[i]), lax.values.values()[i]) ||
                        (wide.values.values()[i] != wide.values.values()[i]),
                    "double and float reads differ");
  // A pipe cannot tell trailing bytes; it reads the same array.
  NACS_FUZZ_CHECK(!o_pipe.threw, "a pipe read threw where the file read did not: " + o_pipe.message);
  NACS_FUZZ_CHECK(piped.info.input_bytes == -1, "a pipe's size is unknown");
  NACS_FUZZ_CHECK(same_matrix(piped.values, lax.values), "a pipe read gives other values");
  return 0;
}
