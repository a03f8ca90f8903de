// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/matrix.hpp>

#include <limits>
#include <string>

TEST_CASE_TEMPLATE("matrix and matrix_view index row-major", T, float, double) {
  nacs::matrix<T> m(3, 4);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 4; ++j) m(i, j) = static_cast<T>(10 * i + j);
  nacs::matrix_view<const T> v = m.view();
  CHECK(v.rows() == 3);
  CHECK(v.cols() == 4);
  CHECK(v(2, 3) == T(23));
  CHECK(v.row(1)[2] == T(12));
  const auto s = v.rows_slice(1, 2);
  CHECK(s.rows() == 2);
  CHECK(s(0, 0) == T(10));
  // A strided view over the first two columns.
  nacs::matrix_view<const T> strided(m.data(), 3, 2, 4);
  CHECK(strided(2, 1) == T(21));
  CHECK_THROWS_AS(nacs::matrix<T>(2, 2, std::vector<T>(3)), nacs::error);
}

TEST_CASE_TEMPLATE("expect_finite names the first bad entry", T, float, double) {
  nacs::matrix<T> m(2, 2, T(1));
  CHECK_NOTHROW(nacs::expect_finite<T>(m.view(), "x"));
  m(1, 0) = std::numeric_limits<T>::quiet_NaN();
  try {
    nacs::expect_finite<T>(m.view(), "embeddings");
    FAIL("no exception");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::invalid_data);
    CHECK(e.message().find("embeddings has a NaN value at row 1, column 0") == 0);
  }
  m(1, 0) = std::numeric_limits<T>::infinity();
  CHECK_THROWS_WITH_AS(nacs::expect_finite<T>(m.view(), "x"), doctest::Contains("infinite"), nacs::error);
}
