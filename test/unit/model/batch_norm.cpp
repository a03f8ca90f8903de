// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/batch_norm.hpp>

#include <cmath>
#include <vector>

#include "fd_check.hpp"

namespace {
template <class T>
nacs::matrix<T> random_matrix(std::size_t r, std::size_t c, std::uint64_t seed, double shift = 0) {
  nacs::random_stream rng(seed);
  nacs::matrix<T> m(r, c);
  for (auto& v : m.values()) v = static_cast<T>(rng.normal() * 2 + shift);
  return m;
}
}  // namespace

TEST_CASE_TEMPLATE("batch_norm training forward: the textbook formula and PyTorch's running statistics", T, float,
                   double) {
  const std::size_t n = 700, c = 21;
  nacs::nn::batch_norm<T> bn(c, "bn");
  for (std::size_t j = 0; j < c; ++j) {
    bn.gamma.value[j] = static_cast<T>(0.5 + 0.1 * static_cast<double>(j));
    bn.beta.value[j] = static_cast<T>(-0.2 * static_cast<double>(j));
  }
  const auto x = random_matrix<T>(n, c, 1, 3.0);
  nacs::matrix<T> y(n, c);
  bn.forward(nacs::seq, x.view(), y.view(), nacs::forward_mode::train);
  for (std::size_t j = 0; j < c; ++j) {
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < n; ++i) mean += static_cast<double>(x(i, j));
    mean /= n;
    for (std::size_t i = 0; i < n; ++i) var += (static_cast<double>(x(i, j)) - mean) * (static_cast<double>(x(i, j)) - mean);
    const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
    CHECK(static_cast<double>(bn.running_mean[j]) == doctest::Approx(0.1 * mean).epsilon(tol));
    CHECK(static_cast<double>(bn.running_var[j]) == doctest::Approx(0.9 + 0.1 * var / (n - 1)).epsilon(tol));
    var /= n;
    for (std::size_t i = 0; i < n; i += 37) {
      const double expected = static_cast<double>(bn.gamma.value[j]) * (static_cast<double>(x(i, j)) - mean) /
                                  std::sqrt(var + 1e-5) + static_cast<double>(bn.beta.value[j]);
      CHECK(static_cast<double>(y(i, j)) == doctest::Approx(expected).epsilon(sizeof(T) == 4 ? 1e-4 : 1e-12));
    }
  }
  // Eval mode uses the running statistics.
  nacs::matrix<T> z(n, c);
  bn.forward(nacs::seq, x.view(), z.view(), nacs::forward_mode::eval);
  const double expected = static_cast<double>(bn.gamma.value[2]) * (static_cast<double>(x(5, 2)) - static_cast<double>(bn.running_mean[2])) /
                              std::sqrt(static_cast<double>(bn.running_var[2]) + 1e-5) + static_cast<double>(bn.beta.value[2]);
  CHECK(static_cast<double>(z(5, 2)) == doctest::Approx(expected).epsilon(1e-5));
}

TEST_CASE("batch_norm backward against central differences, training and evaluation modes (double)") {
  for (auto mode : {nacs::forward_mode::train, nacs::forward_mode::eval}) {
    CAPTURE(nacs::to_string(mode));
    const std::size_t n = 9, c = 4;
    nacs::nn::batch_norm<double> bn(c, "bn");
    nacs::random_stream rng(3);
    for (std::size_t j = 0; j < c; ++j) {
      bn.gamma.value[j] = 0.5 + rng.uniform();
      bn.beta.value[j] = rng.normal();
      bn.running_mean[j] = rng.normal();
      bn.running_var[j] = 0.5 + rng.uniform();
    }
    auto x = random_matrix<double>(n, c, 4);
    const auto r = fd::normal(n * c, 5);
    nacs::matrix<double> y(n, c), dy(n, c), dx(n, c);
    for (std::size_t i = 0; i < n * c; ++i) dy.values()[i] = r[i];
    const auto saved_mean = bn.running_mean, saved_var = bn.running_var;
    bn.forward(nacs::seq, x.view(), y.view(), mode);
    bn.backward(nacs::seq, dy.view(), dx.view());
    const auto loss = [&] {
      bn.running_mean = saved_mean;  // the running statistics must not drift between evaluations
      bn.running_var = saved_var;
      bn.forward(nacs::seq, x.view(), y.view(), mode);
      return fd::dot(r, nacs::matrix_view<const double>(y.view()));
    };
    fd::check(bn.gamma.value, bn.gamma.grad, loss, "gamma");
    fd::check(bn.beta.value, bn.beta.grad, loss, "beta");
    fd::check(x.values(), dx.values(), loss, "x");
  }
}

TEST_CASE_TEMPLATE("batch_norm: seq == par bit for bit, in place, batch of one", T, float, double) {
  const std::size_t n = 1500, c = 40;
  nacs::nn::batch_norm<T> a(c, "a"), b(c, "b");
  const auto x = random_matrix<T>(n, c, 8), dy = random_matrix<T>(n, c, 9);
  nacs::matrix<T> y1(n, c), y2(n, c), d1(n, c);
  a.forward(nacs::seq, x.view(), y1.view(), nacs::forward_mode::train);
  y2 = x;
  b.forward(nacs::par.with_threads(2), nacs::matrix_view<const T>(y2.view()), y2.view(), nacs::forward_mode::train);
  CHECK(y1.values() == y2.values());
  CHECK(a.running_var == b.running_var);
  a.backward(nacs::seq, dy.view(), d1.view());
  auto d2 = dy;
  b.backward(nacs::par.with_threads(3), nacs::matrix_view<const T>(d2.view()), d2.view());
  CHECK(d1.values() == d2.values());
  CHECK(a.gamma.grad == b.gamma.grad);
  // One row: output beta, running mean updated, running variance kept.
  nacs::nn::batch_norm<T> one(3, "one");
  nacs::matrix<T> x1(1, 3, T(2)), y(1, 3);
  one.forward(nacs::seq, x1.view(), y.view(), nacs::forward_mode::train);
  CHECK(y(0, 1) == T(0));
  CHECK(static_cast<double>(one.running_mean[1]) == doctest::Approx(0.2));
  CHECK(one.running_var[1] == T(1));
}

TEST_CASE("batch_norm rejects misuse") {
  nacs::nn::batch_norm<float> bn(3, "bn");
  nacs::matrix<float> x(4, 3), y(4, 2), dy(4, 3);
  CHECK_THROWS_WITH_AS(bn.backward(nacs::seq, dy.view(), dy.view()), doctest::Contains("forward() first"), nacs::error);
  CHECK_THROWS_WITH_AS(bn.forward(nacs::seq, x.view(), y.view(), nacs::forward_mode::train), doctest::Contains("y is 4 x 2"),
                       nacs::error);
  nacs::matrix<float> empty(0, 3);
  CHECK_THROWS_WITH_AS(bn.forward(nacs::seq, empty.view(), empty.view(), nacs::forward_mode::train),
                       doctest::Contains("needs rows"), nacs::error);
  CHECK_THROWS_AS(nacs::nn::batch_norm<float>(0, "z"), nacs::error);
}
