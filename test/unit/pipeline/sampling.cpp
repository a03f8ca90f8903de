// SPDX-License-Identifier: Apache-2.0
// The sampling methods (nacs/pipeline/sampling.hpp): inclusion probabilities and systematic sampling
// against hand-computed cases, the offsets and weights against their formulas, exact budgets, seeds,
// and seq = par bits through select_coreset and run_coreset.
#include <doctest/doctest.h>
#include <nacs/core/error.hpp>
#include <nacs/data/synthetic.hpp>
#include <nacs/pipeline/config.hpp>
#include <nacs/pipeline/sampling.hpp>
#include <nacs/pipeline/select.hpp>
#include <nacs_test/synthetic.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

nacs::synthetic_data tiny(double base_rate = 0.3, nacs::row_index rows = 2000) {
  return nacs_test::small_synthetic(rows, 5, base_rate);
}

nacs::coreset_options small_options() {
  nacs::coreset_options o;
  o.ratio = 0.05;  // k = 100 of 2000
  o.partition_size = 500;
  o.model.embedding_dim = 4;
  o.model.mlp = {16, 16};
  o.train.epochs = 3;
  o.seed = 21;
  return o;
}

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

long positives(const nacs::dataset& d, const std::vector<nacs::row_index>& rows) {
  long p = 0;
  for (const auto r : rows) p += d.labels[static_cast<std::size_t>(r)] >= 0.5f ? 1 : 0;
  return p;
}

bool distinct_sorted(const std::vector<nacs::row_index>& rows) {
  return std::is_sorted(rows.begin(), rows.end()) &&
         std::set<nacs::row_index>(rows.begin(), rows.end()).size() == rows.size();
}

}  // namespace

TEST_CASE("inclusion_probabilities: min(1, c s) summing to k, by hand") {
  // sorted 10, 4, 3, 2, 1, 0; k = 3: c = 3/20 caps 10 (1.5 > 1); then c = 2/10 = 0.2 and 0.2 x 4 <= 1.
  const std::vector<double> s = {1, 2, 3, 4, 0, 10};
  const auto pi = nacs::inclusion_probabilities(s, 3);
  const std::vector<double> want = {0.2, 0.4, 0.6, 0.8, 0.0, 1.0};
  REQUIRE(pi.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(pi[i] == doctest::Approx(want[i]).epsilon(1e-12));
  // No cap: pi proportional to s.
  const auto flat = nacs::inclusion_probabilities(std::vector<double>{1, 1, 2}, 2);
  CHECK(flat[0] == doctest::Approx(0.5));
  CHECK(flat[2] == doctest::Approx(1.0));
  // k = N keeps everything, k = 0 nothing.
  for (const double p : nacs::inclusion_probabilities(s, 6)) CHECK(p == doctest::Approx(1.0));
  for (const double p : nacs::inclusion_probabilities(s, 0)) CHECK(p == 0.0);
  // Fewer positive scores than k: they are kept, the zero scores share the rest.
  const auto few = nacs::inclusion_probabilities(std::vector<double>{0, 5, 0, 0, 7}, 3);
  CHECK(few[1] == 1.0);
  CHECK(few[4] == 1.0);
  CHECK(few[0] == doctest::Approx(1.0 / 3.0));
  CHECK(sum(few) == doctest::Approx(3.0));
  // Many equal large scores: still sums to k.
  std::vector<double> skew(1000, 1.0);
  for (std::size_t i = 0; i < 50; ++i) skew[i] = 1e6;
  const auto pk = nacs::inclusion_probabilities(skew, 100);
  CHECK(sum(pk) == doctest::Approx(100.0).epsilon(1e-9));
  CHECK(pk[0] == 1.0);
  CHECK(pk[999] == doctest::Approx(50.0 / 950.0));
}

TEST_CASE("inclusion_probabilities: bad input") {
  CHECK_THROWS_AS((void)nacs::inclusion_probabilities(std::vector<double>{1, -1}, 1), nacs::error);
  CHECK_THROWS_AS((void)nacs::inclusion_probabilities(std::vector<double>{1, NAN}, 1), nacs::error);
  CHECK_THROWS_AS((void)nacs::inclusion_probabilities(std::vector<double>{1, 2}, 3), nacs::error);
  CHECK_THROWS_AS((void)nacs::inclusion_probabilities(std::vector<double>{1, 2}, -1), nacs::error);
}

TEST_CASE("systematic_sample: exactly k distinct rows, each with its probability") {
  const std::vector<double> s = {1, 2, 3, 4, 0, 10, 0.5, 7, 2, 1};
  const nacs::row_index k = 4;
  const auto pi = nacs::inclusion_probabilities(s, k);
  std::vector<double> hits(s.size(), 0.0);
  const int draws = 20000;
  for (int seed = 0; seed < draws; ++seed) {
    const auto rows = nacs::systematic_sample(pi, k, static_cast<std::uint64_t>(seed));
    REQUIRE(rows.size() == static_cast<std::size_t>(k));
    REQUIRE(distinct_sorted(rows));
    for (const auto r : rows) hits[static_cast<std::size_t>(r)] += 1;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    INFO("row " << i << " pi " << pi[i]);
    const double f = hits[i] / draws, sd = std::sqrt(pi[i] * (1 - pi[i]) / draws);
    CHECK(std::abs(f - pi[i]) <= 5 * sd + 1e-12);  // pi = 0 is never drawn, pi = 1 always
  }
  // The same seed draws the same rows.
  CHECK(nacs::systematic_sample(pi, k, 9) == nacs::systematic_sample(pi, k, 9));
  // Edge sizes.
  CHECK(nacs::systematic_sample(std::vector<double>(5, 0.0), 0, 1).empty());
  const auto all = nacs::systematic_sample(std::vector<double>(7, 1.0), 7, 3);
  CHECK(all == std::vector<nacs::row_index>{0, 1, 2, 3, 4, 5, 6});
}

TEST_CASE("systematic_sample: bad input") {
  CHECK_THROWS_AS((void)nacs::systematic_sample(std::vector<double>{0.5, 0.5}, 2, 1), nacs::error);  // sums to 1
  CHECK_THROWS_AS((void)nacs::systematic_sample(std::vector<double>{1.5, 0.5}, 2, 1), nacs::error);  // above 1
  CHECK_THROWS_AS((void)nacs::systematic_sample(std::vector<double>{-0.5, 1.5}, 1, 1), nacs::error);
  CHECK_THROWS_AS((void)nacs::systematic_sample(std::vector<double>{0.5, 0.5}, 3, 1), nacs::error);
}

TEST_CASE("case_control_offset and inverse_probability_weights: their formulas") {
  // Neither probability clipped: -logit(p).
  CHECK(nacs::case_control_offset(0.2, 0.5) == doctest::Approx(-std::log(0.2 / 0.8)));
  // c (1 - p) = 1.6 clipped to 1: log(1) - log(0.4).
  CHECK(nacs::case_control_offset(0.2, 2.0) == doctest::Approx(-std::log(0.4)));
  // Both clipped: no offset.
  CHECK(nacs::case_control_offset(0.5, 10.0) == doctest::Approx(0.0));

  const std::vector<double> pi = {0.5, 0.25, 0.01, 1.0};
  const std::vector<nacs::row_index> rows = {0, 1, 2, 3};
  // 1 / pi = 2, 4, 100 (clipped to 10), 1: sum 17, mean 4.25.
  const auto w = nacs::inverse_probability_weights(pi, rows, 10.0);
  REQUIRE(w.weights.size() == 4);
  CHECK(w.weights[0] == doctest::Approx(2.0 / 4.25));
  CHECK(w.weights[1] == doctest::Approx(4.0 / 4.25));
  CHECK(w.weights[2] == doctest::Approx(10.0 / 4.25));
  CHECK(w.weights[3] == doctest::Approx(1.0 / 4.25));
  CHECK(w.effective_sample_share == doctest::Approx(17.0 * 17.0 / (4 + 16 + 100 + 1) / 4.0));
  CHECK_THROWS_AS((void)nacs::inverse_probability_weights(std::vector<double>{0.0, 1.0}, rows, 10.0), nacs::error);
  CHECK_THROWS_AS((void)nacs::inverse_probability_weights(pi, std::vector<nacs::row_index>{7}, 10.0), nacs::error);
}

TEST_CASE("negsample: the class counts, its offset, and random-balanced's rows at share 0.5") {
  const auto syn = tiny(0.3);
  const auto& d = syn.data;
  long np = 0;
  for (const float y : d.labels) np += y >= 0.5f ? 1 : 0;
  const long nn = static_cast<long>(d.rows()) - np;
  for (const double share : {0.5, 0.2, 0.8}) {
    INFO("share " << share);
    const auto c = nacs::select_coreset(nacs::seq, d, std::nullopt, nacs::negsample_method{share}, nacs::no_filter{},
                                        small_options());
    REQUIRE(c.rows.size() == 100);
    const long kp = std::lround(share * 100);
    CHECK(positives(d, c.rows) == kp);
    REQUIRE(c.offsets.size() == 100);
    const double want = std::log(static_cast<double>(kp) / np) - std::log(static_cast<double>(100 - kp) / nn);
    for (const float o : c.offsets) CHECK(o == doctest::Approx(want).epsilon(1e-6));
    CHECK_FALSE(c.importance_weights);
  }
  const auto half = nacs::select_coreset(nacs::seq, d, std::nullopt, nacs::negsample_method{}, nacs::no_filter{},
                                         small_options());
  const auto bal = nacs::select_coreset(nacs::seq, d, std::nullopt, nacs::balanced_random_method{}, nacs::no_filter{},
                                        small_options());
  CHECK(half.rows == bal.rows);
  CHECK_THROWS_AS(nacs::negsample_method{1.0}.validate(), nacs::error);
  CHECK_THROWS_AS(nacs::negsample_method{0.0}.validate(), nacs::error);
}

TEST_CASE("lcc, osmac, sensitivity: exact budget, what they return, seeds, seq = par") {
  const auto syn = tiny(0.3);
  const auto& d = syn.data;
  const auto valid = tiny(0.3, 500);
  const std::optional<nacs::evaluation_set> v = nacs::evaluation_set{&valid.data};
  for (const std::string method : {"lcc", "osmac", "sensitivity"}) {
    INFO(method);
    nacs::coreset_config cfg;
    cfg.method = method;
    const auto a = nacs::run_coreset(nacs::seq, d, v, cfg, small_options());
    REQUIRE(a.rows.size() == 100);
    CHECK(distinct_sorted(a.rows));
    CHECK(a.report.filter == "none");  // the samples' own filter
    CHECK(a.report.pilot_rows == 100);  // pilot share 0: as many rows as the coreset
    CHECK(a.report.rows_trained > 0);
    CHECK(a.report.rows_scored >= d.rows());
    if (method == "lcc") {
      REQUIRE(a.offsets.size() == 100);
      for (const float o : a.offsets) CHECK(std::isfinite(o));
      CHECK_FALSE(a.importance_weights);
      CHECK(a.report.effective_sample_share == 1.0);
    } else {
      CHECK(a.offsets.empty());
      CHECK(a.importance_weights);
      const double mean = std::accumulate(a.weights.begin(), a.weights.end(), 0.0) / 100.0;
      CHECK(mean == doctest::Approx(1.0).epsilon(1e-5));
      CHECK(*std::max_element(a.weights.begin(), a.weights.end()) > *std::min_element(a.weights.begin(), a.weights.end()));
      CHECK(a.report.effective_sample_share > 0.0);
      CHECK(a.report.effective_sample_share <= 1.0);
    }
    // The same seed gives the same bits on seq and par; another seed other rows.
    const auto b = nacs::run_coreset(nacs::par.with_threads(2), d, v, cfg, small_options());
    CHECK(a.rows == b.rows);
    CHECK(a.weights == b.weights);
    CHECK(a.offsets == b.offsets);
    auto other = small_options();
    other.seed = 22;
    CHECK(nacs::run_coreset(nacs::seq, d, v, cfg, other).rows != a.rows);
    // A larger, balanced pilot of another model.
    cfg.pilot_share = 0.2;
    cfg.pilot_sample = "balanced";
    cfg.pilot_model = "lr";
    const auto c = nacs::run_coreset(nacs::seq, d, v, cfg, small_options());
    CHECK(c.rows.size() == 100);
    CHECK(c.report.pilot_rows == 400);
  }
}

TEST_CASE("lcc keeps more of the rows its pilot gets wrong") {
  // Rows whose label disagrees with the data's hidden model are the hard ones; a pilot trained on
  // 20 % of the rows gets more of them wrong, and lcc must over-sample them against random.
  const auto syn = tiny(0.3, 4000);
  const auto& d = syn.data;
  nacs::coreset_config cfg;
  cfg.method = "lcc";
  cfg.pilot_share = 0.2;
  auto o = small_options();
  o.ratio = 0.1;
  o.train.epochs = 5;
  const auto c = nacs::run_coreset(nacs::seq, d, std::nullopt, cfg, o);
  double flipped = 0, base = 0;
  for (const auto r : c.rows) flipped += syn.flipped[static_cast<std::size_t>(r)];
  for (const auto f : syn.flipped) base += f;
  CHECK(flipped / static_cast<double>(c.rows.size()) > 1.2 * base / static_cast<double>(d.rows()));
}

TEST_CASE("sampling knobs: bad values are typed errors") {
  nacs::coreset_config cfg;
  cfg.method = "lcc";
  cfg.pilot_share = 1.0;
  CHECK_THROWS_AS(nacs::validate_config(cfg), nacs::error);
  cfg.pilot_share = 0.1;
  cfg.pilot_sample = "stratified";
  CHECK_THROWS_WITH_AS(nacs::validate_config(cfg), doctest::Contains("uniform"), nacs::error);
  cfg.pilot_sample = "uniform";
  cfg.pilot_model = "xgboost";
  CHECK_THROWS_AS(nacs::validate_config(cfg), nacs::error);
  cfg.pilot_model.clear();
  cfg.weight_clip = 0.5;
  CHECK_THROWS_AS(nacs::validate_config(cfg), nacs::error);
  cfg.weight_clip = 10;
  cfg.positive_share = 1.5;
  CHECK_THROWS_AS(nacs::validate_config(cfg), nacs::error);
  CHECK_THROWS_AS((nacs::osmac_method{.mix = 2.0}.validate()), nacs::error);
}

TEST_CASE("default_filter: none for the samples, mcdropout for the rest") {
  for (const auto m : {"random", "random-balanced", "negsample", "lcc", "osmac", "sensitivity"})
    CHECK(nacs::default_filter(m) == "none");
  for (const auto m : {"nacs", "setcover", "kcenter", "svpcf", "gradnorm"}) CHECK(nacs::default_filter(m) == "mcdropout");
  nacs::coreset_config cfg;
  cfg.method = "random";
  CHECK(nacs::effective_filter(cfg) == "none");
  cfg.filter = "tce";
  CHECK(nacs::effective_filter(cfg) == "tce");
}
