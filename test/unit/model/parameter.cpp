// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/parameter.hpp>

#include <cmath>

TEST_CASE_TEMPLATE("parameter shape, views and seeded initialisers", T, float, double) {
  nacs::parameter<T> p("w", 3, 4);
  CHECK(p.size() == 12);
  CHECK(p.grad.size() == 12);
  CHECK(!p.sparse);
  p.values()(2, 3) = T(5);
  CHECK(p.value[11] == T(5));
  p.gradient()(1, 0) = T(2);
  CHECK(p.grad[4] == T(2));
  nacs::parameter<T> a("a", 100, 10), b("b", 100, 10);
  nacs::fill_uniform(a, 0.5, 1, 2);
  nacs::fill_uniform(b, 0.5, 1, 2);
  CHECK(a.value == b.value);
  nacs::fill_uniform(b, 0.5, 1, 3);
  CHECK(a.value != b.value);
  for (T v : a.value) CHECK(std::fabs(static_cast<double>(v)) <= 0.5);
  nacs::fill_normal(a, 2.0, 1, 2);
  double mean = 0, sq = 0;
  for (T v : a.value) mean += static_cast<double>(v), sq += static_cast<double>(v) * static_cast<double>(v);
  mean /= 1000;
  CHECK(std::fabs(mean) < 0.3);                               // 5 standard errors of 2/sqrt(1000)
  CHECK(std::sqrt(sq / 1000) == doctest::Approx(2.0).epsilon(0.1));
  nacs::fill_constant(a, T(3));
  CHECK(a.value[999] == T(3));
  CHECK_THROWS_AS(nacs::parameter<T>("huge", static_cast<std::size_t>(-1), 2), nacs::error);
}
