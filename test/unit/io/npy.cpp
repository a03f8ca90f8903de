// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/io/npy.hpp>
#include <nacs/core/memory.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <unistd.h>

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("nacs_npy_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

// Writes a .npy file by hand: magic, version, header text as given, then raw bytes.
void write_raw_npy(const std::string& path, const std::string& dict, const std::string& payload, int major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY", 6);
  out.put(static_cast<char>(major));
  out.put(0);
  const auto len = static_cast<std::uint32_t>(header.size());
  out.put(static_cast<char>(len & 0xff));
  out.put(static_cast<char>((len >> 8) & 0xff));
  if (major != 1) {
    out.put(static_cast<char>((len >> 16) & 0xff));
    out.put(static_cast<char>(len >> 24));
  }
  out << header << payload;
}

template <class V>
std::string bytes_of(std::initializer_list<V> values) {
  std::string s;
  for (V v : values) s.append(reinterpret_cast<const char*>(&v), sizeof(V));
  return s;
}

}  // namespace

TEST_CASE_TEMPLATE("write_npy / read_npy round-trip", T, float, double) {
  nacs::matrix<T> m(5, 3);
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 3; ++j) m(i, j) = static_cast<T>(i) * T(1.5) - static_cast<T>(j);
  const auto path = temp_path("roundtrip.npy");
  nacs::write_npy<T>(path, m.view());
  const auto back = nacs::read_npy<T>(path);
  CHECK(back.rows() == 5);
  CHECK(back.cols() == 3);
  CHECK(back.values() == m.values());
  // The other element type converts.
  const auto other = nacs::read_npy<double>(path);
  CHECK(other(4, 2) == doctest::Approx(4 * 1.5 - 2));
  std::filesystem::remove(path);
}

TEST_CASE("read_npy reads NumPy's own header layouts") {
  const auto path = temp_path("numpy.npy");
  SUBCASE("float64 vector, version 1") {
    write_raw_npy(path, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", bytes_of<double>({1.0, -2.5, 3.25}));
    const auto m = nacs::read_npy<float>(path);
    CHECK(m.rows() == 3);
    CHECK(m.cols() == 1);
    CHECK(m(1, 0) == -2.5f);
  }
  SUBCASE("float32 matrix, version 2") {
    write_raw_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                  bytes_of<float>({1.f, 2.f, 3.f, 4.f}), 2);
    const auto m = nacs::read_npy<double>(path);
    CHECK(m(1, 0) == 3.0);
  }
  SUBCASE("zero rows") {
    write_raw_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 7), }", "");
    const auto m = nacs::read_npy<float>(path);
    CHECK(m.rows() == 0);
    CHECK(m.cols() == 7);
  }
  std::filesystem::remove(path);
}

TEST_CASE("read_npy refuses what it cannot read, saying why") {
  const auto path = temp_path("bad.npy");
  auto expect = [&](nacs::errc code, const std::string& needle) {
    try {
      (void)nacs::read_npy<float>(path);
      FAIL("no exception for: " << needle);
    } catch (const nacs::error& e) {
      CHECK(e.code() == code);
      CHECK_MESSAGE(e.message().find(needle) != std::string::npos, e.message());
    }
  };
  SUBCASE("missing file") {
    std::filesystem::remove(path);
    expect(nacs::errc::io, "cannot open");
  }
  SUBCASE("not npy") {
    std::ofstream(path) << "hello world, not numpy";
    expect(nacs::errc::parse, "not a .npy file");
  }
  SUBCASE("integer dtype") {
    write_raw_npy(path, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", bytes_of<long long>({1}));
    expect(nacs::errc::unsupported, "dtype '<i8'");
  }
  SUBCASE("big endian") {
    write_raw_npy(path, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", bytes_of<float>({1.f}));
    expect(nacs::errc::unsupported, "dtype '>f4'");
  }
  SUBCASE("fortran order") {
    write_raw_npy(path, "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", bytes_of<float>({1.f}));
    expect(nacs::errc::unsupported, "Fortran order");
  }
  SUBCASE("three dimensions") {
    write_raw_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }", bytes_of<float>({1.f}));
    expect(nacs::errc::unsupported, "3-dimensional");
  }
  SUBCASE("truncated data") {
    write_raw_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", bytes_of<float>({1.f, 2.f, 3.f}));
    expect(nacs::errc::parse, "truncated");
  }
  SUBCASE("no shape") {
    write_raw_npy(path, "{'descr': '<f4', 'fortran_order': False, }", bytes_of<float>({1.f}));
    expect(nacs::errc::parse, "no 'shape' entry");
  }
  std::filesystem::remove(path);
}

TEST_CASE("read_raw_f32 reads rows of dim floats and checks the size") {
  const auto path = temp_path("raw.f32");
  {
    std::ofstream out(path, std::ios::binary);
    out << bytes_of<float>({1.f, 2.f, 3.f, 4.f, 5.f, 6.f});
  }
  const auto m = nacs::read_raw_f32<double>(path, 3);
  CHECK(m.rows() == 2);
  CHECK(m(1, 2) == 6.0);
  CHECK_THROWS_WITH_AS(nacs::read_raw_f32<float>(path, 4), doctest::Contains("not a whole number of rows"), nacs::error);
  CHECK_THROWS_AS(nacs::read_raw_f32<float>(path, 0), nacs::error);
  std::filesystem::remove(path);
  CHECK_THROWS_AS(nacs::read_raw_f32<float>(path, 3), nacs::error);
}

// ------------------------------------------------------------- hardening (issue 9)

namespace {

// A version 1 header for a '<f4' C-order array of the given shape text, padded as np.save pads it.
std::string f4_header(const std::string& shape) {
  return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
}

template <class F>
nacs::error error_of(F&& f) {
  try {
    f();
  } catch (const nacs::error& e) {
    return e;
  }
  FAIL("no nacs::error thrown");
  return nacs::error(nacs::errc::invalid_argument, "unreachable");
}

}  // namespace

TEST_CASE("read_npy checks a huge shape against the file's size before allocating") {
  const auto path = temp_path("huge.npy");
  // The reproducer: a 144-byte file whose header claims 200000000 x 4 floats (3.2 GB).
  write_raw_npy(path, f4_header("(200000000, 4)"), std::string(16, '\0'));
  CHECK(std::filesystem::file_size(path) == 144);
  auto e = error_of([&] { (void)nacs::read_npy<float>(path); });
  CHECK(e.code() == nacs::errc::parse);
  CHECK_MESSAGE(e.message().find("truncated") != std::string::npos, e.message());
  CHECK_MESSAGE(e.message().find("(200000000, 4)") != std::string::npos, e.message());
  CHECK_MESSAGE(e.message().find("16 bytes after the header") != std::string::npos, e.message());
  // Refused as truncated even when a memory limit is in force: the size check comes first.
  e = error_of([&] { (void)nacs::read_npy<float>(path, {.memory_limit = std::size_t{100} << 20}); });
  CHECK(e.code() == nacs::errc::parse);
  // A claim larger than any memory is a truncated file too, not "out of memory".
  write_raw_npy(path, f4_header("(100000000000, 4)"), std::string(16, '\0'));
  e = error_of([&] { (void)nacs::read_npy<float>(path); });
  CHECK(e.code() == nacs::errc::parse);
  CHECK_MESSAGE(e.message().find("truncated") != std::string::npos, e.message());
  std::filesystem::remove(path);
}

TEST_CASE("read_npy refuses a dimension that does not fit in 64 bits, and a shape too large to address") {
  const auto path = temp_path("overflow.npy");
  write_raw_npy(path, f4_header("(99999999999999999999999, 4)"), bytes_of<float>({1.f}));
  auto e = error_of([&] { (void)nacs::read_npy<float>(path); });
  CHECK(e.code() == nacs::errc::parse);
  CHECK_MESSAGE(e.message().find("does not fit in 64 bits") != std::string::npos, e.message());
  // Each dimension fits, their product does not.
  write_raw_npy(path, f4_header("(4294967296, 4294967296)"), bytes_of<float>({1.f}));
  e = error_of([&] { (void)nacs::read_npy<float>(path); });
  CHECK(e.code() == nacs::errc::parse);
  CHECK_MESSAGE(e.message().find("too large to address") != std::string::npos, e.message());
  std::filesystem::remove(path);
}

TEST_CASE("read_npy checks the matrix against the memory limit before allocating") {
  const auto path = temp_path("limit.npy");
  write_raw_npy(path, f4_header("(4, 2)"), bytes_of<float>({1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f}));
  // 8 floats: 32 bytes as float, 64 as double.
  auto e = error_of([&] { (void)nacs::read_npy<float>(path, {.memory_limit = 31}); });
  CHECK(e.code() == nacs::errc::memory_limit);
  CHECK_MESSAGE(e.message().find("(4, 2)") != std::string::npos, e.message());
  CHECK(nacs::read_npy<float>(path, {.memory_limit = 32}).rows() == 4);
  CHECK_THROWS_AS(nacs::read_npy<double>(path, {.memory_limit = 63}), nacs::error);
  // The process-wide limit applies when the options name none.
  const std::size_t old = nacs::set_memory_limit(16);
  e = error_of([&] { (void)nacs::read_npy<float>(path); });
  nacs::set_memory_limit(old);
  CHECK(e.code() == nacs::errc::memory_limit);
  std::filesystem::remove(path);
}

TEST_CASE("read_npy refuses data past the array's end unless asked to accept it, and counts it") {
  const auto path = temp_path("trailing.npy");
  write_raw_npy(path, f4_header("(2, 1)"), bytes_of<float>({1.f, 2.f, 3.f}));
  auto e = error_of([&] { (void)nacs::read_npy<float>(path); });
  CHECK(e.code() == nacs::errc::parse);
  CHECK_MESSAGE(e.message().find("4 bytes after the end") != std::string::npos, e.message());
  auto [m, info] = nacs::read_npy_with_info<float>(path, {.allow_trailing_bytes = true});
  CHECK(m.rows() == 2);
  CHECK(m(1, 0) == 2.f);
  CHECK(info.trailing_bytes == 4);
  CHECK(info.rows == 2);
  CHECK(info.cols == 1);
  CHECK(info.item_bytes == 4);
  CHECK(info.data_offset == 128);  // the header is padded so the values start at a multiple of 64
  CHECK(info.input_bytes == 128 + 12);
  // An exact file reports none.
  write_raw_npy(path, f4_header("(2, 1)"), bytes_of<float>({1.f, 2.f}));
  info = nacs::read_npy_with_info<float>(path).info;
  CHECK(info.trailing_bytes == 0);
  std::filesystem::remove(path);
}

TEST_CASE("read_npy and read_raw_f32 say clearly when the path is a directory, empty or unreadable") {
  const auto dir = temp_path("a_directory");
  std::filesystem::create_directories(dir);
  auto e = error_of([&] { (void)nacs::read_npy<float>(dir); });
  CHECK(e.code() == nacs::errc::io);
  CHECK_MESSAGE(e.message().find("is a directory") != std::string::npos, e.message());
  CHECK_MESSAGE(e.message().find("9223372036854775807") == std::string::npos, e.message());
  e = error_of([&] { (void)nacs::read_raw_f32<float>(dir, 4); });
  CHECK(e.code() == nacs::errc::io);
  CHECK_MESSAGE(e.message().find("is a directory") != std::string::npos, e.message());
  std::filesystem::remove(dir);

  const auto path = temp_path("empty.npy");
  std::ofstream(path).close();
  e = error_of([&] { (void)nacs::read_npy<float>(path); });
  CHECK(e.code() == nacs::errc::parse);
  CHECK_MESSAGE(e.message().find("is empty") != std::string::npos, e.message());
  e = error_of([&] { (void)nacs::read_raw_f32<float>(path, 4); });
  CHECK(e.code() == nacs::errc::parse);
  CHECK_MESSAGE(e.message().find("is empty") != std::string::npos, e.message());

  // A file without read permission (root reads it anyway, so only checked for other users).
  std::ofstream(path) << "x";
  std::filesystem::permissions(path, std::filesystem::perms::none);
  if (::geteuid() != 0) {
    e = error_of([&] { (void)nacs::read_npy<float>(path); });
    CHECK(e.code() == nacs::errc::io);
    CHECK_MESSAGE(e.message().find("Permission denied") != std::string::npos, e.message());
  } else {
    MESSAGE("running as root: the unreadable-file case is not checked");
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  std::filesystem::remove(path);
}

TEST_CASE("read_npy reads a stream, and a stream that cannot seek is still bounded by the memory limit") {
  std::string file;
  {
    const auto path = temp_path("stream.npy");
    write_raw_npy(path, f4_header("(3, 1)"), bytes_of<float>({1.f, 2.f, 3.f}));
    std::ifstream in(path, std::ios::binary);
    file.assign(std::istreambuf_iterator<char>(in), {});
    std::filesystem::remove(path);
  }
  std::istringstream in(file);
  const auto m = nacs::read_npy<double>(in, {}, "mem");
  CHECK(m.rows() == 3);
  CHECK(m(2, 0) == 3.0);
  // The same header claiming far more rows, from a stream of unknown size: the limit refuses it.
  std::string big = file;
  const auto at = big.find("(3, 1)");
  REQUIRE(at != std::string::npos);
  big.replace(at, 6, "(9999999999, 1)");
  struct no_seek : std::stringbuf {
    using std::stringbuf::stringbuf;
    pos_type seekoff(off_type, std::ios_base::seekdir, std::ios_base::openmode) override { return pos_type(-1); }
  } buf(big);
  std::istream pipe(&buf);
  const auto e = error_of([&] { (void)nacs::read_npy<float>(pipe, {.memory_limit = std::size_t{1} << 20}, "pipe"); });
  CHECK(e.code() == nacs::errc::memory_limit);
}

TEST_CASE("read_npy escapes header bytes that are not printable in its messages") {
  const auto path = temp_path("garbage.npy");
  write_raw_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (9\x01\x1b[2J, 4), }", "");
  const auto e = error_of([&] { (void)nacs::read_npy<float>(path); });
  CHECK(e.code() == nacs::errc::parse);
  CHECK_MESSAGE(e.message().find("\\x01\\x1b[2J") != std::string::npos, e.message());
  CHECK(e.message().find('\x1b') == std::string::npos);
  std::filesystem::remove(path);
}
