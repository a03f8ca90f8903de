// SPDX-License-Identifier: Apache-2.0
// Finite-difference helpers shared by the model tests (not a test program: the
// harness builds only *.cpp files).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <nacs/core/matrix.hpp>
#include <nacs/core/philox.hpp>

namespace fd {

// Central-difference step and the tolerance the issue asks for.
inline constexpr double step = 1e-5;
inline constexpr double tolerance = 1e-5;
// Coordinates whose gradients are both below this are compared absolutely
// (their relative error is rounding noise of the difference quotient).
inline constexpr double tiny = 1e-7;

// Compares an analytic gradient with central differences of `loss` over the
// coordinates of `values` (every coordinate, or `max_coords` spread evenly).
// Criterion: for every coordinate |a - n| <= tolerance * max(|a|, |n|) or both
// below `tiny` in magnitude; and over the vector ||a - n|| / max(||a||, ||n||) < tolerance.
// A gradient that is zero in exact arithmetic (a linear bias followed by batch
// norm in training mode) passes only with expect_zero, and then both norms must be tiny.
template <class Loss>
void check(std::vector<double>& values, const std::vector<double>& analytic, Loss&& loss, const std::string& what,
           std::size_t max_coords = 400, bool expect_zero = false) {
  REQUIRE(values.size() == analytic.size());
  const std::size_t n = values.size();
  const std::size_t stride = std::max<std::size_t>(1, n / std::max<std::size_t>(1, max_coords));
  double diff2 = 0, a2 = 0, n2 = 0, worst = 0;
  std::size_t worst_at = 0, bad = 0;
  for (std::size_t i = 0; i < n; i += stride) {
    const double keep = values[i];
    values[i] = keep + step;
    const double up = loss();
    values[i] = keep - step;
    const double down = loss();
    values[i] = keep;
    const double num = (up - down) / (2 * step), a = analytic[i];
    const double scale = std::max(std::fabs(a), std::fabs(num));
    diff2 += (a - num) * (a - num);
    a2 += a * a;
    n2 += num * num;
    if (scale < tiny) continue;
    const double rel = std::fabs(a - num) / scale;
    if (rel > worst) worst = rel, worst_at = i;
    if (rel > tolerance) ++bad;
  }
  const double norm_rel = std::sqrt(diff2) / std::max(std::sqrt(std::max(a2, n2)), 1e-300);
  CAPTURE(what);
  CAPTURE(worst_at);
  CAPTURE(worst);
  CHECK(bad == 0);
  if (expect_zero) {
    CHECK(std::sqrt(a2) < tiny);
    CHECK(std::sqrt(n2) < tiny);
    return;
  }
  CHECK(norm_rel < tolerance);
  // The check must not be vacuous.
  CHECK(std::sqrt(a2) > tiny);
}

// Fills a vector with N(0, s^2) draws.
inline std::vector<double> normal(std::size_t n, std::uint64_t seed, double s = 1.0) {
  nacs::random_stream rng(seed);
  std::vector<double> v(n);
  for (auto& x : v) x = s * rng.normal();
  return v;
}

// sum_i r_i y_i: the scalar whose gradient with respect to y is r.
template <class T>
double dot(const std::vector<double>& r, nacs::matrix_view<const T> y) {
  double s = 0;
  for (std::size_t i = 0; i < y.rows(); ++i)
    for (std::size_t j = 0; j < y.cols(); ++j) s += r[i * y.cols() + j] * static_cast<double>(y(i, j));
  return s;
}

}  // namespace fd
