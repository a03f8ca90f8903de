// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/philox.hpp>
#include <nacs/model/loss.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace {
// Oracle: the probability form, in long double, for moderate logits.
long double direct_bce(long double z, long double q) {
  const long double p = 1.0L / (1.0L + std::exp(-z));
  return -(q * std::log(p) + (1 - q) * std::log(1 - p));
}
}  // namespace

TEST_CASE_TEMPLATE("bce_with_logits matches the probability form and its gradient the central difference", T, float,
                   double) {
  nacs::random_stream rng(11);
  const std::size_t n = 37;
  std::vector<T> z(n), g(n);
  std::vector<float> q(n), w(n);
  for (std::size_t i = 0; i < n; ++i) {
    z[i] = static_cast<T>(8 * rng.uniform() - 4);
    q[i] = i % 3 == 0 ? rng.uniform_float() : static_cast<float>(i % 2);  // soft and hard targets
    w[i] = 2 * rng.uniform_float();
  }
  for (auto norm : {nacs::loss_normalization::rows, nacs::loss_normalization::weights}) {
    CAPTURE(nacs::to_string(norm));
    long double sum = 0, wsum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sum += w[i] * direct_bce(static_cast<long double>(z[i]), q[i]);
      wsum += w[i];
    }
    const long double denom = norm == nacs::loss_normalization::rows ? static_cast<long double>(n) : wsum;
    const double loss = nacs::bce_with_logits(nacs::seq, std::span<const T>(z), q, w, std::span<T>(g), norm);
    CHECK(loss == doctest::Approx(static_cast<double>(sum / denom)).epsilon(1e-6));
    // The gradient: d loss / d z_i, against a central difference of the double loss.
    std::vector<double> zd(z.begin(), z.end()), gd(n);
    (void)nacs::bce_with_logits(nacs::seq, std::span<const double>(zd), q, w, std::span<double>(gd), norm);
    for (std::size_t i = 0; i < n; ++i) {
      const double h = 1e-6, keep = zd[i];
      zd[i] = keep + h;
      const double up = nacs::bce_with_logits(nacs::seq, std::span<const double>(zd), q, w, std::span<double>{}, norm);
      zd[i] = keep - h;
      const double down = nacs::bce_with_logits(nacs::seq, std::span<const double>(zd), q, w, std::span<double>{}, norm);
      zd[i] = keep;
      const double fd = (up - down) / (2 * h);
      CHECK(gd[i] == doctest::Approx(fd).epsilon(1e-5).scale(1e-3));
      CHECK(static_cast<double>(g[i]) == doctest::Approx(gd[i]).epsilon(1e-5));
    }
  }
}

TEST_CASE("bce_with_logits stays exact for confident logits") {
  const std::vector<double> z = {50, -50, 800, -800};
  const std::vector<float> q = {0, 1, 0, 1};
  std::vector<double> out(4);
  nacs::bce_per_row(nacs::seq, std::span<const double>(z), q, std::span<double>(out));
  CHECK(out[0] == doctest::Approx(50));
  CHECK(out[1] == doctest::Approx(50));
  CHECK(out[2] == doctest::Approx(800));
  CHECK(out[3] == doctest::Approx(800));
  const std::vector<float> right = {1, 0, 1, 0};
  nacs::bce_per_row(nacs::seq, std::span<const double>(z), right, std::span<double>(out));
  CHECK(out[0] == doctest::Approx(std::exp(-50.0)).epsilon(1e-9));
  CHECK(out[2] == 0.0);
  CHECK(nacs::sigmoid(-800.0) == 0.0);
  CHECK(nacs::sigmoid(800.0) == 1.0);
  CHECK(nacs::sigmoid(0.0f) == 0.5f);
}

TEST_CASE("bce_with_logits: unweighted rows-normalised equals weights-normalised; seq equals par") {
  nacs::random_stream rng(5);
  std::vector<float> z(50001), q(z.size()), w(z.size()), g1(z.size()), g2(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) {
    z[i] = static_cast<float>(rng.normal());
    q[i] = rng.uniform_float();
    w[i] = rng.uniform_float();
  }
  const std::vector<float> none;
  const double a = nacs::bce_with_logits(nacs::seq, std::span<const float>(z), q, none, std::span<float>(g1),
                                         nacs::loss_normalization::rows);
  const double b = nacs::bce_with_logits(nacs::seq, std::span<const float>(z), q, none, std::span<float>(g2),
                                         nacs::loss_normalization::weights);
  CHECK(a == b);
  CHECK(g1 == g2);
  const double s = nacs::bce_with_logits(nacs::seq, std::span<const float>(z), q, w, std::span<float>(g1));
  for (int t : {1, 2, 3}) {
    CHECK(nacs::bce_with_logits(nacs::par.with_threads(t), std::span<const float>(z), q, w, std::span<float>(g2)) == s);
    CHECK(g1 == g2);
  }
}

TEST_CASE("bce_with_logits rejects bad input") {
  const std::vector<float> z = {0.5f, -0.5f}, q = {0, 1}, bad_q = {0, 1.5f}, w_neg = {1, -1}, w0 = {0, 0}, one = {1};
  const std::vector<float> nan_z = {0.5f, std::numeric_limits<float>::quiet_NaN()}, none;
  std::vector<float> g(2), g3(3);
  using nacs::bce_with_logits;
  const auto run = [&](const std::vector<float>& zz, const std::vector<float>& qq, const std::vector<float>& ww,
                       std::vector<float>& gg, nacs::loss_normalization n = nacs::loss_normalization::rows) {
    return bce_with_logits(nacs::seq, std::span<const float>(zz), qq, ww, std::span<float>(gg), n);
  };
  CHECK_THROWS_WITH_AS(run(z, bad_q, none, g), doctest::Contains("[0, 1]"), nacs::error);
  CHECK_THROWS_WITH_AS(run(nan_z, q, none, g), doctest::Contains("NaN"), nacs::error);
  CHECK_THROWS_WITH_AS(run(z, q, w_neg, g), doctest::Contains("negative"), nacs::error);
  CHECK_THROWS_WITH_AS(run(z, q, w0, g, nacs::loss_normalization::weights), doctest::Contains("sum to 0"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(run(z, one, none, g), doctest::Contains("1 targets"), nacs::error);
  CHECK_THROWS_WITH_AS(run(z, q, one, g), doctest::Contains("1 weights"), nacs::error);
  CHECK_THROWS_WITH_AS(run(z, q, none, g3), doctest::Contains("gradient output"), nacs::error);
  CHECK_THROWS_WITH_AS(run(none, none, none, g3), doctest::Contains("empty"), nacs::error);
}
