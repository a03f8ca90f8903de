// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/philox.hpp>
#include <nacs/model/metrics.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace {

// Oracle: the definition itself, every positive/negative pair (O(n^2)).
template <class S>
double brute_force_auc(const std::vector<S>& s, const std::vector<float>& y) {
  double wins = 0, pairs = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (y[i] != 1.0f) continue;
    for (std::size_t j = 0; j < s.size(); ++j) {
      if (y[j] != 0.0f) continue;
      pairs += 1;
      wins += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
    }
  }
  return wins / pairs;
}

// Second oracle for large n: Mann-Whitney U from average ranks.
template <class S>
double rank_sum_auc(const std::vector<S>& s, const std::vector<float>& y) {
  std::vector<std::size_t> idx(s.size());
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return s[a] < s[b]; });
  double rank_sum = 0, pos = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && s[idx[j]] == s[idx[i]]) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k)
      if (y[idx[k]] == 1.0f) rank_sum += avg_rank, pos += 1;
    i = j;
  }
  const double neg = static_cast<double>(s.size()) - pos;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

template <class S>
void random_case(std::uint64_t seed, std::size_t n, int levels, std::vector<S>& s, std::vector<float>& y) {
  nacs::random_stream rng(seed);
  s.resize(n);
  y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    // Quantised scores make ties common; the label leans on the score.
    const auto level = static_cast<int>(rng.below(static_cast<std::uint64_t>(levels)));
    s[i] = static_cast<S>(level) / static_cast<S>(levels);
    y[i] = rng.uniform() < 0.2 + 0.6 * static_cast<double>(s[i]) ? 1.0f : 0.0f;
  }
  y[0] = 1.0f;
  y[n - 1] = 0.0f;  // both classes present
}

}  // namespace

TEST_CASE_TEMPLATE("auc equals the brute-force pair count, ties counted half", S, float, double) {
  for (std::size_t n : {2u, 3u, 7u, 64u, 257u, 1000u}) {
    for (int levels : {1, 2, 5, 1000000}) {
      std::vector<S> s;
      std::vector<float> y;
      random_case<S>(n * 31 + static_cast<std::size_t>(levels), n, levels, s, y);
      const double expected = brute_force_auc(s, y);
      CAPTURE(n);
      CAPTURE(levels);
      CHECK(nacs::auc(nacs::seq, std::span<const S>(s), y) == doctest::Approx(expected).epsilon(1e-12));
      CHECK(nacs::auc(nacs::par, std::span<const S>(s), y) == nacs::auc(nacs::seq, std::span<const S>(s), y));
    }
  }
}

TEST_CASE("auc on large inputs: parallel merge sort, every thread count, rank-sum oracle") {
  std::vector<float> s, y;
  random_case<float>(7, 300000, 997, s, y);
  const double expected = rank_sum_auc(s, y);
  const double seq = nacs::auc(nacs::seq, std::span<const float>(s), y);
  CHECK(seq == doctest::Approx(expected).epsilon(1e-12));
  for (int t : {1, 2, 3, 5}) CHECK(nacs::auc(nacs::par.with_threads(t), std::span<const float>(s), y) == seq);
}

TEST_CASE("auc known values") {
  const std::vector<float> y = {0, 0, 1, 1};
  CHECK(nacs::auc(nacs::seq, std::span<const float>(std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f}), y) == 1.0);
  CHECK(nacs::auc(nacs::seq, std::span<const float>(std::vector<float>{0.4f, 0.3f, 0.2f, 0.1f}), y) == 0.0);
  CHECK(nacs::auc(nacs::seq, std::span<const float>(std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}), y) == 0.5);
  // Pairs: (0.3 vs 0.1, 0.3 vs 0.3 tie, 0.9 vs both) = 1 + 0.5 + 2 = 3.5 of 4.
  const std::vector<double> s = {0.1, 0.3, 0.3, 0.9};
  CHECK(nacs::auc(nacs::seq, std::span<const double>(s), y) == 0.875);
}

TEST_CASE("auc rejects bad input with a clear error") {
  const std::vector<float> none;
  CHECK_THROWS_WITH_AS(nacs::auc(nacs::seq, std::span<const float>(none), none), doctest::Contains("empty"),
                       nacs::error);
  const std::vector<float> s = {0.1f, 0.2f, 0.3f}, ones = {1, 1, 1}, zeros = {0, 0, 0};
  CHECK_THROWS_WITH_AS(nacs::auc(nacs::seq, std::span<const float>(s), ones), doctest::Contains("single class"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(nacs::auc(nacs::par, std::span<const float>(s), zeros), doctest::Contains("single class"),
                       nacs::error);
  const std::vector<float> two = {0, 1};
  CHECK_THROWS_WITH_AS(nacs::auc(nacs::seq, std::span<const float>(s), two), doctest::Contains("3 scores but 2"),
                       nacs::error);
  const std::vector<float> soft = {0, 0.5f, 1};
  CHECK_THROWS_WITH_AS(nacs::auc(nacs::seq, std::span<const float>(s), soft), doctest::Contains("hard labels"),
                       nacs::error);
  const std::vector<float> nan = {0.1f, std::numeric_limits<float>::quiet_NaN(), 0.3f}, y = {0, 1, 0};
  CHECK_THROWS_WITH_AS(nacs::auc(nacs::seq, std::span<const float>(nan), y), doctest::Contains("not finite"),
                       nacs::error);
  try {
    (void)nacs::auc(nacs::seq, std::span<const float>(s), ones);
    FAIL("auc of one class did not throw");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::invalid_data);
  }
}

TEST_CASE_TEMPLATE("log_loss against the formula, with clipping, soft labels and weights", S, float, double) {
  const std::vector<S> p = {S(0.9), S(0.2), S(0.5), S(0), S(1)};
  const std::vector<float> y = {1, 0, 0.25f, 1, 1};
  const std::vector<float> w = {1, 2, 0.5f, 0, 3};
  const auto term = [](double pi, double yi) {
    const double c = std::clamp(pi, 1e-7, 1 - 1e-7);
    return -(yi * std::log(c) + (1 - yi) * std::log(1 - c));
  };
  double plain = 0, weighted = 0, wsum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    plain += term(static_cast<double>(p[i]), y[i]);
    weighted += w[i] * term(static_cast<double>(p[i]), y[i]);
    wsum += w[i];
  }
  CHECK(nacs::log_loss(nacs::seq, std::span<const S>(p), y) == doctest::Approx(plain / 5).epsilon(1e-12));
  CHECK(nacs::log_loss(nacs::par, std::span<const S>(p), y, w) == doctest::Approx(weighted / wsum).epsilon(1e-12));
  // p = 0 with y = 1 costs -ln(1e-7), not infinity.
  const std::vector<S> zero = {S(0)};
  const std::vector<float> one = {1};
  CHECK(nacs::log_loss(nacs::seq, std::span<const S>(zero), one) == doctest::Approx(-std::log(1e-7)).epsilon(1e-6));
}

TEST_CASE("log_loss is the same on seq and par for large inputs") {
  nacs::random_stream rng(3);
  std::vector<float> p(100003), y(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    p[i] = rng.uniform_float();
    y[i] = rng.uniform() < p[i] ? 1.0f : 0.0f;
  }
  const double s = nacs::log_loss(nacs::seq, std::span<const float>(p), y);
  for (int t : {1, 2, 4}) CHECK(nacs::log_loss(nacs::par.with_threads(t), std::span<const float>(p), y) == s);
}

TEST_CASE("log_loss rejects bad input") {
  const std::vector<float> p = {0.5f, 0.5f}, y = {0, 1}, bad_y = {0, 2}, w0 = {0, 0}, wneg = {1, -1}, w1 = {1};
  const std::vector<float> none;
  CHECK_THROWS_WITH_AS(nacs::log_loss(nacs::seq, std::span<const float>(none), none), doctest::Contains("empty"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(nacs::log_loss(nacs::seq, std::span<const float>(p), bad_y), doctest::Contains("[0, 1]"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(nacs::log_loss(nacs::seq, std::span<const float>(p), y, w0), doctest::Contains("sum to 0"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(nacs::log_loss(nacs::seq, std::span<const float>(p), y, wneg), doctest::Contains("negative"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(nacs::log_loss(nacs::seq, std::span<const float>(p), y, w1), doctest::Contains("1 weights"),
                       nacs::error);
}
