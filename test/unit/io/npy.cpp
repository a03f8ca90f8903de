#include <doctest/doctest.h>
#include <nacs/io/npy.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
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
