// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/cross.hpp>

#include <vector>

#include "fd_check.hpp"

TEST_CASE_TEMPLATE("cross_layer forward equals x0 * (xl W + b) + xl; seq == par", T, float, double) {
  const std::size_t n = 530, w = 12;
  nacs::nn::cross_layer<T> a(w, "c", 3), b(w, "c", 3);
  nacs::random_stream rng(2);
  nacs::matrix<T> x0(n, w), xl(n, w), y(n, w), y2(n, w);
  for (auto& v : x0.values()) v = static_cast<T>(rng.normal());
  for (auto& v : xl.values()) v = static_cast<T>(rng.normal());
  a.forward(nacs::seq, x0.view(), xl.view(), y.view());
  b.forward(nacs::par.with_threads(2), x0.view(), xl.view(), y2.view());
  CHECK(y.values() == y2.values());
  for (std::size_t i = 0; i < n; i += 29)
    for (std::size_t j = 0; j < w; ++j) {
      double u = static_cast<double>(a.transform.bias.value[j]);
      for (std::size_t k = 0; k < w; ++k)
        u += static_cast<double>(xl(i, k)) * static_cast<double>(a.transform.weight.value[k * w + j]);
      const double expected = static_cast<double>(x0(i, j)) * u + static_cast<double>(xl(i, j));
      CHECK(static_cast<double>(y(i, j)) == doctest::Approx(expected).epsilon(sizeof(T) == 4 ? 1e-4 : 1e-12));
    }
  // backward: seq == par
  nacs::matrix<T> dy(n, w, T(0.5)), dx0a(n, w, T(0)), dx0b(n, w, T(0)), dxla(n, w), dxlb(n, w);
  a.backward(nacs::seq, x0.view(), xl.view(), dy.view(), dx0a.view(), dxla.view());
  b.backward(nacs::par.with_threads(3), x0.view(), xl.view(), dy.view(), dx0b.view(), dxlb.view());
  CHECK(dx0a.values() == dx0b.values());
  CHECK(dxla.values() == dxlb.values());
  CHECK(a.transform.weight.grad == b.transform.weight.grad);
}

TEST_CASE("cross_layer backward against central differences: separate x0 and xl, and a two-layer stack (double)") {
  const std::size_t n = 5, w = 6;
  nacs::nn::cross_layer<double> c1(w, "c1", 1), c2(w, "c2", 1, 2);
  nacs::matrix<double> x0(n, w, fd::normal(n * w, 3)), xl(n, w, fd::normal(n * w, 4));
  nacs::matrix<double> y(n, w), y2(n, w), dx0(n, w, 0.0), dxl(n, w), dmid(n, w);
  const auto r = fd::normal(n * w, 5);
  nacs::matrix<double> dy(n, w, r);
  SUBCASE("one layer") {
    c1.forward(nacs::seq, x0.view(), xl.view(), y.view());
    c1.backward(nacs::seq, x0.view(), xl.view(), dy.view(), dx0.view(), dxl.view());
    const auto loss = [&] {
      c1.forward(nacs::seq, x0.view(), xl.view(), y.view());
      return fd::dot(r, nacs::matrix_view<const double>(y.view()));
    };
    fd::check(c1.transform.weight.value, c1.transform.weight.grad, loss, "W");
    fd::check(c1.transform.bias.value, c1.transform.bias.grad, loss, "b");
    fd::check(x0.values(), dx0.values(), loss, "x0");
    fd::check(xl.values(), dxl.values(), loss, "xl");
  }
  SUBCASE("stack x1 = c1(x0, x0), x2 = c2(x0, x1): x0 gets every path") {
    const auto run = [&] {
      c1.forward(nacs::seq, x0.view(), x0.view(), y.view());
      c2.forward(nacs::seq, x0.view(), y.view(), y2.view());
    };
    run();
    c2.backward(nacs::seq, x0.view(), y.view(), dy.view(), dx0.view(), dmid.view());
    c1.backward(nacs::seq, x0.view(), x0.view(), dmid.view(), dx0.view(), dxl.view());
    for (std::size_t i = 0; i < n * w; ++i) dx0.values()[i] += dxl.values()[i];
    const auto loss = [&] {
      run();
      return fd::dot(r, nacs::matrix_view<const double>(y2.view()));
    };
    fd::check(x0.values(), dx0.values(), loss, "x0");
    fd::check(c1.transform.weight.value, c1.transform.weight.grad, loss, "W1");
    fd::check(c2.transform.bias.value, c2.transform.bias.grad, loss, "b2");
  }
}

TEST_CASE("cross_layer rejects a backward without its forward") {
  nacs::nn::cross_layer<float> c(4, "c");
  nacs::matrix<float> x(3, 4), d(3, 4);
  CHECK_THROWS_WITH_AS(c.backward(nacs::seq, x.view(), x.view(), x.view(), d.view(), d.view()),
                       doctest::Contains("call forward first"), nacs::error);
}
