// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/linear.hpp>

#include <vector>

#include "fd_check.hpp"

namespace {
template <class T>
nacs::matrix<T> random_matrix(std::size_t r, std::size_t c, std::uint64_t seed) {
  nacs::random_stream rng(seed);
  nacs::matrix<T> m(r, c);
  for (auto& v : m.values()) v = static_cast<T>(rng.normal());
  return m;
}
}  // namespace

TEST_CASE_TEMPLATE("linear forward equals the plain triple loop, on every tile boundary, seq == par", T, float,
                   double) {
  for (std::size_t n : {1u, 7u, 511u, 512u, 513u, 1100u}) {
    const std::size_t in = 13, out = 9;
    nacs::nn::linear<T> layer(in, out, "fc", 4, 0);
    const auto x = random_matrix<T>(n, in, n);
    nacs::matrix<T> y(n, out), y2(n, out);
    layer.forward(nacs::seq, x.view(), y.view());
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < out; ++j) {
        double s = static_cast<double>(layer.bias.value[j]);
        for (std::size_t k = 0; k < in; ++k) s += static_cast<double>(x(i, k)) * static_cast<double>(layer.weight.value[k * out + j]);
        CHECK(static_cast<double>(y(i, j)) == doctest::Approx(s).epsilon(sizeof(T) == 4 ? 1e-5 : 1e-12));
      }
    for (int t : {2, 3}) {
      layer.forward(nacs::par.with_threads(t), x.view(), y2.view());
      CHECK(y.values() == y2.values());
    }
  }
}

TEST_CASE("linear initialisation is PyTorch's uniform(-1/sqrt(in), 1/sqrt(in)) and seeded") {
  nacs::nn::linear<float> a(100, 20, "a", 1, 0), b(100, 20, "b", 1, 0), c(100, 20, "c", 2, 0);
  CHECK(a.weight.value == b.weight.value);
  CHECK(a.weight.value != c.weight.value);
  CHECK(a.weight.name == "a.weight");
  CHECK(a.bias.name == "a.bias");
  for (float v : a.weight.value) CHECK(std::fabs(v) <= 0.1f);
  CHECK(*std::max_element(a.weight.value.begin(), a.weight.value.end()) > 0.09f);
}

TEST_CASE("linear backward against central differences (double)") {
  const std::size_t n = 6, in = 5, out = 4;
  nacs::nn::linear<double> layer(in, out, "fc", 9, 0);
  auto x = random_matrix<double>(n, in, 1);
  const auto r = fd::normal(n * out, 2);
  nacs::matrix<double> y(n, out), dy(n, out, 0.0), dx(n, in);
  for (std::size_t i = 0; i < n * out; ++i) dy.values()[i] = r[i];
  layer.backward(nacs::seq, x.view(), dy.view(), dx.view());
  const auto loss = [&] {
    layer.forward(nacs::seq, x.view(), y.view());
    return fd::dot(r, nacs::matrix_view<const double>(y.view()));
  };
  fd::check(layer.weight.value, layer.weight.grad, loss, "weight");
  fd::check(layer.bias.value, layer.bias.grad, loss, "bias");
  fd::check(x.values(), dx.values(), loss, "x");
}

TEST_CASE_TEMPLATE("linear backward: seq == par bit for bit; no dx when absent", T, float, double) {
  const std::size_t n = 1300, in = 70, out = 33;
  nacs::nn::linear<T> a(in, out, "a", 3), b(in, out, "b", 3);
  const auto x = random_matrix<T>(n, in, 5), dy = random_matrix<T>(n, out, 6);
  nacs::matrix<T> dx1(n, in), dx2(n, in);
  a.backward(nacs::seq, x.view(), dy.view(), dx1.view());
  b.backward(nacs::par.with_threads(2), x.view(), dy.view(), dx2.view());
  CHECK(a.weight.grad == b.weight.grad);
  CHECK(a.bias.grad == b.bias.grad);
  CHECK(dx1.values() == dx2.values());
  b.backward(nacs::par, x.view(), dy.view(), nacs::matrix_view<T>{});
  CHECK(a.weight.grad == b.weight.grad);
  // Weight gradient against the plain loop.
  for (std::size_t k = 0; k < in; k += 7)
    for (std::size_t j = 0; j < out; j += 5) {
      double s = 0;
      for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(x(i, k)) * static_cast<double>(dy(i, j));
      CHECK(static_cast<double>(a.weight.grad[k * out + j]) == doctest::Approx(s).epsilon(sizeof(T) == 4 ? 1e-4 : 1e-12));
    }
}

TEST_CASE("linear rejects bad shapes") {
  nacs::nn::linear<float> layer(4, 3, "fc");
  nacs::matrix<float> x(2, 5), y(2, 3), x4(2, 4), y2(3, 3);
  CHECK_THROWS_WITH_AS(layer.forward(nacs::seq, x.view(), y.view()), doctest::Contains("x is 2 x 5 but must be 2 x 4"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(layer.forward(nacs::seq, x4.view(), y2.view()), doctest::Contains("y is 3 x 3"), nacs::error);
  CHECK_THROWS_WITH_AS(nacs::nn::linear<float>(0, 3, "z"), doctest::Contains("must be > 0"), nacs::error);
}
