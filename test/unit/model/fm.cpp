// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/fm.hpp>

#include <vector>

#include "fd_check.hpp"

TEST_CASE_TEMPLATE("fm_interaction equals the sum over field pairs; seq == par", T, float, double) {
  const std::size_t n = 600, f = 7, d = 5;
  nacs::random_stream rng(1);
  nacs::matrix<T> e(n, f * d), s(n, d), s2(n, d);
  for (auto& v : e.values()) v = static_cast<T>(rng.normal());
  nacs::nn::fm_interaction::forward(nacs::seq, nacs::matrix_view<const T>(e.view()), f, d, s.view());
  nacs::nn::fm_interaction::forward(nacs::par.with_threads(2), nacs::matrix_view<const T>(e.view()), f, d, s2.view());
  CHECK(s.values() == s2.values());
  for (std::size_t i = 0; i < n; i += 13)
    for (std::size_t k = 0; k < d; ++k) {
      double pairs = 0;
      for (std::size_t a = 0; a < f; ++a)
        for (std::size_t b = a + 1; b < f; ++b)
          pairs += static_cast<double>(e(i, a * d + k)) * static_cast<double>(e(i, b * d + k));
      CHECK(static_cast<double>(s(i, k)) == doctest::Approx(pairs).epsilon(sizeof(T) == 4 ? 1e-4 : 1e-12).scale(1));
    }
}

TEST_CASE("fm_interaction backward against central differences, and accumulation (double)") {
  const std::size_t n = 5, f = 4, d = 3;
  nacs::matrix<double> e(n, f * d, fd::normal(n * f * d, 1)), s(n, d), de(n, f * d);
  const auto r = fd::normal(n * d, 2);
  nacs::matrix<double> ds(n, d, r);
  nacs::nn::fm_interaction::backward(nacs::seq, nacs::matrix_view<const double>(e.view()), f, d,
                                     nacs::matrix_view<const double>(ds.view()), de.view());
  const auto loss = [&] {
    nacs::nn::fm_interaction::forward(nacs::seq, nacs::matrix_view<const double>(e.view()), f, d, s.view());
    return fd::dot(r, nacs::matrix_view<const double>(s.view()));
  };
  fd::check(e.values(), de.values(), loss, "e");
  nacs::matrix<double> acc(n, f * d, 1.0);
  nacs::nn::fm_interaction::backward(nacs::seq, nacs::matrix_view<const double>(e.view()), f, d,
                                     nacs::matrix_view<const double>(ds.view()), acc.view(), /*accumulate=*/true);
  for (std::size_t i = 0; i < n * f * d; ++i) CHECK(acc.values()[i] == doctest::Approx(de.values()[i] + 1.0));
}

TEST_CASE("fm_interaction rejects bad shapes") {
  nacs::matrix<float> e(2, 6), s(2, 3);
  CHECK_THROWS_WITH_AS(nacs::nn::fm_interaction::forward(nacs::seq, nacs::matrix_view<const float>(e.view()), 4, 2, s.view()),
                       doctest::Contains("fields * dim"), nacs::error);
  CHECK_THROWS_AS(nacs::nn::fm_interaction::forward(nacs::seq, nacs::matrix_view<const float>(e.view()), 3, 2, s.view()),
                  nacs::error);
}
