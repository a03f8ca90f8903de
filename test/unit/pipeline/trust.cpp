// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/pipeline/trust.hpp>

#include <nacs_ref/check.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

// Expected values below were computed by hand (Python's math module, double precision) from the
// formulas of the paper, Eq. 11-14: g = 1 / (1 + exp(-beta (t/T - 0.5))), l = 1 - H(p) / ln 2.

static_assert(nacs::global_trust<nacs::sigmoid_trust>);
static_assert(nacs::local_trust<nacs::entropy_trust>);
static_assert(nacs::linear_trust{}(30, 100) == 0.3);  // pure constexpr arithmetic
static_assert(nacs::no_trust{}(5, 10) == 0.0);

TEST_CASE("sigmoid_trust follows Eq. 12 with beta 16") {
  const nacs::sigmoid_trust g;
  CHECK(g(0, 100) == doctest::Approx(0.0003353501304664781).epsilon(1e-12));
  CHECK(g(50, 100) == 0.5);
  CHECK(g(100, 100) == doctest::Approx(0.9996646498695336).epsilon(1e-14));
  CHECK(g(25, 100) == doctest::Approx(0.01798620996209156).epsilon(1e-12));
  CHECK(g(75, 100) == doctest::Approx(0.9820137900379085).epsilon(1e-14));
  CHECK(nacs::sigmoid_trust{.beta = 4}(3, 10) == doctest::Approx(0.31002551887238755).epsilon(1e-14));
  CHECK(g(200, 100) > g(100, 100));  // past T it keeps rising
  CHECK(g(200, 100) <= 1.0);
  // Out-of-contract arguments have a defined value (the functor cannot throw): t < 0 is 0, T <= 0 finished.
  CHECK(g(-5, 100) == g(0, 100));
  CHECK(g(3, 0) == g(7, 7));
  CHECK(g.name() == "sigmoid");
}

TEST_CASE("linear, constant and no trust") {
  CHECK(nacs::linear_trust{}(0, 100) == 0.0);
  CHECK(nacs::linear_trust{}(30, 100) == 0.3);
  CHECK(nacs::linear_trust{}(100, 100) == 1.0);
  CHECK(nacs::linear_trust{}(150, 100) == 1.0);
  CHECK(nacs::constant_trust{}(0, 10) == 1.0);
  CHECK(nacs::constant_trust{.value = 0.25}(9, 10) == 0.25);
  CHECK(nacs::no_trust{}(100, 100) == 0.0);
  CHECK(nacs::linear_trust::name() == "linear");
  CHECK(nacs::constant_trust::name() == "constant");
  CHECK(nacs::no_trust::name() == "none");
}

TEST_CASE("entropy_trust follows Eq. 13 and stays finite at 0 and 1") {
  const nacs::entropy_trust l;
  CHECK(l(0.5) == 0.0);
  CHECK(l(0.9) == doctest::Approx(0.5310044064107189).epsilon(1e-14));
  CHECK(l(0.1) == doctest::Approx(0.5310044064107189).epsilon(1e-14));  // symmetric
  CHECK(l(0.2) == doctest::Approx(0.2780719051126377).epsilon(1e-14));
  CHECK(l(0.0) == doctest::Approx(0.9999975303808368).epsilon(1e-12));  // clamped to 1e-7
  CHECK(l(1.0) == doctest::Approx(0.9999975303808368).epsilon(1e-9));
  CHECK(l(-3.0) == l(0.0));
  CHECK(std::isnan(l(std::numeric_limits<double>::quiet_NaN())));
  for (int i = 0; i <= 100; ++i) {
    const double v = l(i / 100.0);
    CHECK(v >= 0.0);
    CHECK(v <= 1.0);
  }
  CHECK(nacs::flat_trust{}(0.5) == 1.0);
  CHECK(l.name() == "entropy");
  CHECK(nacs::flat_trust::name() == "flat");
}

TEST_CASE("trust_schedule: eps = g l and q = (1 - eps) y + eps p (Eq. 11, 14)") {
  const nacs::trust_schedule<> s;  // sigmoid (beta 16) x entropy
  CHECK(s.epsilon(75, 100, 0.9) == doctest::Approx(0.5214536496662199).epsilon(1e-13));
  CHECK(s.target(0.0f, 0.9f, 75, 100) == doctest::Approx(0.4693082846995979).epsilon(1e-6));
  CHECK(s.target(1.0f, 0.9f, 75, 100) == doctest::Approx(0.9478546350333781).epsilon(1e-6));
  CHECK(s.name() == "sigmoid*entropy");
  // Recomputed here from the formula, for p = 0.9f exactly.
  const double p = 0.9f, g = 1.0 / (1.0 + std::exp(-16.0 * (0.75 - 0.5)));
  const double h = -p * std::log(p) - (1 - p) * std::log(1 - p), e = g * (1.0 - h / std::log(2.0));
  CHECK(s.target(0.0f, 0.9f, 75, 100) == doctest::Approx(e * p).epsilon(1e-7));

  // No trust: q == y bit for bit; flat local trust with linear global: q = (1 - t/T) y + (t/T) p.
  const nacs::trust_schedule<nacs::no_trust, nacs::entropy_trust> none;
  for (float y : {0.0f, 1.0f, 0.3f}) CHECK(none.target(y, 0.77f, 10, 10) == y);
  const nacs::trust_schedule<nacs::linear_trust, nacs::flat_trust> lin;
  CHECK(lin.epsilon(30, 100, 0.123) == 0.3);
  CHECK(lin.target(1.0f, 0.5f, 30, 100) == doctest::Approx(0.85).epsilon(1e-7));
  CHECK(lin.target(1.0f, 0.25f, 100, 100) == 0.25f);  // eps = 1: q = p
  // Targets stay in [0, 1].
  const nacs::trust_schedule<nacs::constant_trust, nacs::flat_trust> full{{1.0}, {}};
  CHECK(full.target(1.0f, 1.0f, 0, 1) == 1.0f);
  CHECK(full.target(0.0f, 0.0f, 0, 1) == 0.0f);
}

TEST_CASE("trust_schedule::correct and correction_hook correct a batch, and reject bad input") {
  const nacs::trust_schedule<> s;
  std::vector<float> p = {0.9f, 0.5f, 0.01f}, y = {0.0f, 1.0f, 1.0f};
  std::vector<float> expected(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) expected[i] = s.target(y[i], p[i], 40, 50);
  auto hook = nacs::correction_hook(s, 50);
  std::vector<float> q = y;
  hook(p, 40, q);
  CHECK(q == expected);
  CHECK(q[1] == 1.0f);  // p = 0.5: local trust 0, nothing changes
  CHECK(q[0] > 0.0f);
  std::vector<float> r = y;
  s.correct(p, 40, 50, r);
  CHECK(r == expected);

  using nacs_ref::expect_error;
  expect_error([&] { (void)nacs::correction_hook(s, 0); }, nacs::errc::invalid_argument, "horizon T must be > 0");
  expect_error([&] { s.correct(p, -1, 50, r); }, nacs::errc::invalid_argument, "step t must be >= 0");
  std::vector<float> shorter = {0.0f, 1.0f};
  expect_error([&] { s.correct(p, 1, 50, shorter); }, nacs::errc::invalid_argument, "3 probabilities for 2 targets");
  const nacs::trust_schedule<nacs::constant_trust, nacs::flat_trust> bad{{1.5}, {}};
  expect_error([&] { bad.validate(0, 10); }, nacs::errc::invalid_argument, "value must lie in [0, 1]");
  const nacs::trust_schedule<> nan_beta{{std::numeric_limits<double>::quiet_NaN()}, {}};
  expect_error([&] { nan_beta.validate(0, 10); }, nacs::errc::invalid_argument, "beta must be finite");
  CHECK(nacs::to_string(nacs::trust_horizon::planned_steps) == "planned_steps");
  CHECK(nacs::to_string(nacs::trust_horizon::full_data_steps) == "full_data_steps");
}
