// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/activation.hpp>

#include <cmath>
#include <vector>

#include "fd_check.hpp"

TEST_CASE_TEMPLATE("relu forward and backward", T, float, double) {
  nacs::matrix<T> x(2, 3, std::vector<T>{T(-1), T(0), T(2), T(3), T(-0.5), T(0.25)}), y(2, 3), d(2, 3);
  nacs::nn::relu::forward(nacs::seq, nacs::matrix_view<const T>(x.view()), y.view());
  CHECK(y.values() == std::vector<T>{T(0), T(0), T(2), T(3), T(0), T(0.25)});
  nacs::matrix<T> dy(2, 3, T(7));
  nacs::nn::relu::backward(nacs::par, nacs::matrix_view<const T>(y.view()), nacs::matrix_view<const T>(dy.view()), d.view());
  CHECK(d.values() == std::vector<T>{T(0), T(0), T(7), T(7), T(0), T(7)});
}

TEST_CASE("relu backward against central differences (double, away from the kink)") {
  const std::size_t n = 5, c = 6;
  auto xv = fd::normal(n * c, 1);
  for (auto& v : xv) v += v > 0 ? 0.1 : -0.1;
  nacs::matrix<double> x(n, c, xv), y(n, c), dy(n, c), dx(n, c);
  const auto r = fd::normal(n * c, 2);
  dy.values() = r;
  nacs::nn::relu::forward(nacs::seq, nacs::matrix_view<const double>(x.view()), y.view());
  nacs::nn::relu::backward(nacs::seq, nacs::matrix_view<const double>(y.view()), nacs::matrix_view<const double>(dy.view()), dx.view());
  const auto loss = [&] {
    nacs::nn::relu::forward(nacs::seq, nacs::matrix_view<const double>(x.view()), y.view());
    return fd::dot(r, nacs::matrix_view<const double>(y.view()));
  };
  fd::check(x.values(), dx.values(), loss, "x");
}

TEST_CASE("dropout: drop rate within sampling error, inverted scaling, eval is the identity") {
  const std::size_t n = 2000, c = 50;
  nacs::matrix<float> x(n, c, 1.0f), y(n, c);
  for (double rate : {0.1, 0.5, 0.9}) {
    nacs::nn::dropout drop(rate, 3);
    drop.forward(nacs::seq, nacs::matrix_view<const float>(x.view()), y.view(), nacs::forward_mode::train, {7, 1});
    double dropped = 0;
    for (float v : y.values()) {
      if (v == 0.0f) {
        dropped += 1;
      } else {
        CHECK(v == doctest::Approx(1.0 / (1.0 - rate)));
      }
    }
    const double total = static_cast<double>(n * c), sd = std::sqrt(rate * (1 - rate) / total);
    CAPTURE(rate);
    CHECK(std::fabs(dropped / total - rate) < 5 * sd);
    drop.forward(nacs::seq, nacs::matrix_view<const float>(x.view()), y.view(), nacs::forward_mode::eval, {7, 1});
    CHECK(y.values() == x.values());
  }
}

TEST_CASE("dropout masks are replayable: a function of (seed, step, layer, row key)") {
  const std::size_t n = 64, c = 10;
  nacs::matrix<double> x(n, c, 1.0), a(n, c), b(n, c);
  nacs::nn::dropout d(0.5, 0);
  const auto run = [&](nacs::matrix<double>& out, nacs::dropout_key key, std::uint32_t layer,
                       std::span<const nacs::row_index> keys, auto policy) {
    d.layer = layer;
    d.forward(policy, nacs::matrix_view<const double>(x.view()), out.view(), nacs::forward_mode::mc_dropout, key, keys);
  };
  run(a, {1, 2}, 0, {}, nacs::seq);
  run(b, {1, 2}, 0, {}, nacs::par);
  CHECK(a.values() == b.values());
  run(b, {1, 3}, 0, {}, nacs::seq);
  CHECK(a.values() != b.values());
  run(b, {2, 2}, 0, {}, nacs::seq);
  CHECK(a.values() != b.values());
  run(b, {1, 2}, 1, {}, nacs::seq);
  CHECK(a.values() != b.values());
  // With row keys, row i of a batch gets the mask of its key wherever it sits.
  std::vector<nacs::row_index> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = static_cast<nacs::row_index>(n - 1 - i);
  run(b, {1, 2}, 0, keys, nacs::seq);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < c; ++j) CHECK(b(i, j) == a(n - 1 - i, j));
  // backward regenerates the same mask.
  nacs::matrix<double> dy(n, c, 3.0), dx(n, c);
  d.backward(nacs::seq, nacs::matrix_view<const double>(dy.view()), dx.view(), keys);
  for (std::size_t i = 0; i < n * c; ++i) CHECK(dx.values()[i] == 3.0 * b.values()[i]);
}

TEST_CASE("dropout backward against central differences (double, fixed mask)") {
  const std::size_t n = 4, c = 9;
  nacs::matrix<double> x(n, c, fd::normal(n * c, 1)), y(n, c), dx(n, c);
  const auto r = fd::normal(n * c, 2);
  nacs::matrix<double> dy(n, c, r);
  nacs::nn::dropout d(0.3, 5);
  d.forward(nacs::seq, nacs::matrix_view<const double>(x.view()), y.view(), nacs::forward_mode::train, {4, 4});
  d.backward(nacs::seq, nacs::matrix_view<const double>(dy.view()), dx.view());
  const auto loss = [&] {
    d.forward(nacs::seq, nacs::matrix_view<const double>(x.view()), y.view(), nacs::forward_mode::train, {4, 4});
    return fd::dot(r, nacs::matrix_view<const double>(y.view()));
  };
  fd::check(x.values(), dx.values(), loss, "x");
}

TEST_CASE("dropout rejects bad rates, layers and row keys") {
  CHECK_THROWS_WITH_AS(nacs::nn::dropout(1.0), doctest::Contains("[0, 1)"), nacs::error);
  CHECK_THROWS_WITH_AS(nacs::nn::dropout(-0.1), doctest::Contains("[0, 1)"), nacs::error);
  CHECK_THROWS_WITH_AS(nacs::nn::dropout(0.5, 256), doctest::Contains("256"), nacs::error);
  nacs::nn::dropout d(0.5);
  nacs::matrix<float> x(3, 2), y(3, 2);
  const std::vector<nacs::row_index> keys = {1, 2};
  CHECK_THROWS_WITH_AS(d.forward(nacs::seq, nacs::matrix_view<const float>(x.view()), y.view(),
                                 nacs::forward_mode::train, {}, keys),
                       doctest::Contains("2 row keys for 3 rows"), nacs::error);
}
