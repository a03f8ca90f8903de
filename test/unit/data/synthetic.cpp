// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/synthetic.hpp>

#include <cmath>
#include <numeric>
#include <vector>

namespace {

// The hidden logit by the definition: biases plus every pair's dot product.
double naive_logit(const nacs::synthetic_model& m, std::span<const std::uint32_t> row) {
  const std::size_t k = m.factor_dim;
  double z = m.global_bias;
  for (std::size_t f = 0; f < row.size(); ++f) z += m.biases[f][row[f]];
  for (std::size_t f = 0; f < row.size(); ++f)
    for (std::size_t g = f + 1; g < row.size(); ++g)
      for (std::size_t d = 0; d < k; ++d)
        z += static_cast<double>(m.factors[f][row[f] * k + d]) * m.factors[g][row[g] * k + d];
  return z;
}

// AUC by counting pairs (ties half).
double pair_auc(const std::vector<float>& s, const std::vector<float>& y) {
  double good = 0, pairs = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    for (std::size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) {
        pairs += 1;
        good += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
      }
  return good / pairs;
}

bool same(const nacs::synthetic_data& a, const nacs::synthetic_data& b) {
  return a.data.ids == b.data.ids && a.data.labels == b.data.labels && a.clean_labels == b.clean_labels &&
         a.clean_probability == b.clean_probability && a.flipped == b.flipped &&
         a.model.global_bias == b.model.global_bias && a.model.factors == b.model.factors &&
         a.model.biases == b.model.biases;
}

}  // namespace

TEST_CASE("generate_synthetic: shape, encoding and consistency of the truth it returns") {
  const nacs::synthetic_options o{.rows = 3000, .fields = 5, .vocabulary_sizes = {3, 50, 1000, 1, 7}, .seed = 9};
  const auto s = nacs::generate_synthetic(nacs::seq, o);
  const auto& d = s.data;
  CHECK(d.rows() == 3000);
  CHECK(d.num_fields() == 5);
  CHECK(d.field_names.front() == "f0");
  CHECK(d.cardinalities == o.vocabulary_sizes);
  CHECK(d.weights.empty());
  CHECK_NOTHROW(d.validate());  // every id below its field's cardinality
  REQUIRE(s.clean_labels.size() == 3000);
  REQUIRE(s.clean_probability.size() == 3000);
  REQUIRE(s.flipped.size() == 3000);
  for (nacs::row_index r = 0; r < d.rows(); ++r) {
    const auto i = static_cast<std::size_t>(r);
    REQUIRE((s.clean_labels[i] == 0.0f || s.clean_labels[i] == 1.0f));
    REQUIRE(d.labels[i] == (s.flipped[i] ? 1.0f - s.clean_labels[i] : s.clean_labels[i]));
    // The stored probability is the hidden model's, and the FM identity matches the pairwise definition.
    const double z = naive_logit(s.model, d.row(r));
    REQUIRE(s.model.logit(d.row(r)) == doctest::Approx(z).epsilon(1e-9));
    REQUIRE(s.clean_probability[i] == doctest::Approx(1.0 / (1.0 + std::exp(-z))).epsilon(1e-6));
  }
  CHECK(d.row(0)[3] == 0u);  // a one-value field
  CHECK(s.flipped_count() == static_cast<nacs::row_index>(std::accumulate(s.flipped.begin(), s.flipped.end(), 0)));
}

TEST_CASE("generate_synthetic: the same on seq and par with any thread count; prefix-stable; seed matters") {
  const nacs::synthetic_options o{.rows = 5000, .fields = 6, .vocabulary_size = 200, .seed = 4};
  const auto a = nacs::generate_synthetic(nacs::seq, o);
  for (const int t : {1, 2, 3, 7}) {
    CAPTURE(t);
    CHECK(same(a, nacs::generate_synthetic(nacs::par.with_threads(t), o)));
  }
  CHECK(same(a, nacs::generate_synthetic(nacs::seq, o)));
  // The first rows of a larger run are a smaller run.
  auto small = o;
  small.rows = 1234;
  const auto b = nacs::generate_synthetic(nacs::seq, small);
  CHECK(b.model.global_bias == a.model.global_bias);
  CHECK(std::equal(b.data.ids.begin(), b.data.ids.end(), a.data.ids.begin()));
  CHECK(std::equal(b.data.labels.begin(), b.data.labels.end(), a.data.labels.begin()));
  auto other = o;
  other.seed = 5;
  CHECK(nacs::generate_synthetic(nacs::seq, other).data.ids != a.data.ids);
}

TEST_CASE("generate_synthetic: base rate and flip rates within sampling error") {
  const nacs::synthetic_options o{.rows = 200000,
                                  .fields = 8,
                                  .vocabulary_size = 500,
                                  .base_rate = 0.2,
                                  .flip_positive = 0.3,
                                  .flip_negative = 0.05,
                                  .seed = 11};
  const auto s = nacs::generate_synthetic(nacs::par, o);
  const auto n = static_cast<double>(o.rows);
  double clean_pos = 0, flipped_pos = 0, flipped_neg = 0, mean_p = 0, noisy_pos = 0;
  for (std::size_t i = 0; i < s.clean_labels.size(); ++i) {
    mean_p += s.clean_probability[i];
    noisy_pos += s.data.labels[i];
    if (s.clean_labels[i] == 1.0f) {
      clean_pos += 1;
      flipped_pos += s.flipped[i];
    } else {
      flipped_neg += s.flipped[i];
    }
  }
  mean_p /= n;
  // The calibration sample (65,536 rows) fixes b0; the mean over other rows differs by sampling error only.
  CHECK(mean_p == doctest::Approx(0.2).epsilon(0.02));
  const double rate = clean_pos / n;
  CHECK(std::abs(rate - mean_p) < 5 * std::sqrt(mean_p * (1 - mean_p) / n));
  const double fp = flipped_pos / clean_pos, fn = flipped_neg / (n - clean_pos);
  CHECK(std::abs(fp - 0.3) < 5 * std::sqrt(0.3 * 0.7 / clean_pos));
  CHECK(std::abs(fn - 0.05) < 5 * std::sqrt(0.05 * 0.95 / (n - clean_pos)));
  // Observed positive rate: clean positives kept plus negatives flipped.
  const double expect_noisy = rate * 0.7 + (1 - rate) * 0.05;
  CHECK(std::abs(noisy_pos / n - expect_noisy) < 5 * std::sqrt(expect_noisy * (1 - expect_noisy) / n) + 1e-3);
  // The hidden model ranks well on clean labels and less well on noisy ones.
  const double clean_auc = s.oracle_auc(), noisy_auc = s.noisy_oracle_auc();
  CHECK(clean_auc > 0.7);
  CHECK(clean_auc < 0.95);
  CHECK(noisy_auc < clean_auc);
  CHECK(noisy_auc > 0.5);
}

TEST_CASE("generate_synthetic: no flips at rate 0, every label flipped at rate 1") {
  const auto none = nacs::generate_synthetic(nacs::seq, {.rows = 2000, .fields = 3, .flip_positive = 0, .flip_negative = 0});
  CHECK(none.flipped_count() == 0);
  CHECK(none.data.labels == none.clean_labels);
  const auto all = nacs::generate_synthetic(nacs::seq, {.rows = 2000, .fields = 3, .flip_positive = 1, .flip_negative = 1});
  CHECK(all.flipped_count() == 2000);
  for (std::size_t i = 0; i < 2000; ++i) REQUIRE(all.data.labels[i] == 1.0f - all.clean_labels[i]);
}

TEST_CASE("generate_synthetic: values follow the Zipf law of the field") {
  const double s_exp = 1.1;
  const std::uint32_t v = 1000;
  const nacs::synthetic_options o{.rows = 100000, .fields = 2, .vocabulary_size = v, .zipf_exponent = s_exp, .seed = 3};
  const auto s = nacs::generate_synthetic(nacs::par, o);
  double h = 0;
  for (std::uint32_t k = 0; k < v; ++k) h += std::pow(k + 1.0, -s_exp);
  for (std::size_t f = 0; f < 2; ++f) {
    std::vector<double> count(v, 0.0);
    for (nacs::row_index r = 0; r < s.data.rows(); ++r) count[s.data.row(r)[f]] += 1;
    const double n = static_cast<double>(o.rows);
    // The top ranks, each within 5 standard errors of its Zipf probability.
    for (std::uint32_t k = 0; k < 20; ++k) {
      const double p = std::pow(k + 1.0, -s_exp) / h;
      CAPTURE(k);
      CHECK(std::abs(count[k] / n - p) < 5 * std::sqrt(p * (1 - p) / n));
    }
    // Frequencies fall with rank: rank 0 about 2^1.1 = 2.14 times rank 1.
    CHECK(count[0] / count[1] == doctest::Approx(std::pow(2.0, s_exp)).epsilon(0.06));
    // Chi-square over the first 50 ranks plus the tail (51 classes, 50 dof; 0.9999 quantile about 98).
    double chi2 = 0, tail = 0, tail_p = 1;
    for (std::uint32_t k = 0; k < 50; ++k) {
      const double e = n * std::pow(k + 1.0, -s_exp) / h;
      chi2 += (count[k] - e) * (count[k] - e) / e;
      tail_p -= std::pow(k + 1.0, -s_exp) / h;
    }
    for (std::uint32_t k = 50; k < v; ++k) tail += count[k];
    chi2 += (tail - n * tail_p) * (tail - n * tail_p) / (n * tail_p);
    CHECK(chi2 < 98);
  }
  // Exponent 0: uniform.
  const auto u = nacs::generate_synthetic(nacs::seq, {.rows = 40000, .fields = 1, .vocabulary_size = 4, .zipf_exponent = 0});
  std::vector<double> c(4, 0);
  for (const auto id : u.data.ids) c[id] += 1;
  for (const double x : c) CHECK(std::abs(x - 10000) < 5 * std::sqrt(40000 * 0.25 * 0.75));
}

TEST_CASE("synthetic_data::oracle_auc is the exact AUC with ties counted half") {
  nacs::synthetic_data s;
  nacs::random_stream rng(17);
  for (int i = 0; i < 300; ++i) {
    // Coarse scores so that many tie.
    s.clean_probability.push_back(static_cast<float>(rng.below(12)) / 12.0f);
    s.clean_labels.push_back(rng.uniform() < 0.3 ? 1.0f : 0.0f);
    s.data.labels.push_back(rng.uniform() < 0.5 ? 1.0f : 0.0f);
  }
  CHECK(s.oracle_auc() == doctest::Approx(pair_auc(s.clean_probability, s.clean_labels)).epsilon(1e-12));
  CHECK(s.noisy_oracle_auc() == doctest::Approx(pair_auc(s.clean_probability, s.data.labels)).epsilon(1e-12));
  std::fill(s.clean_labels.begin(), s.clean_labels.end(), 1.0f);
  CHECK_THROWS_AS((void)s.oracle_auc(), nacs::error);
}

TEST_CASE("generate_synthetic: bad options are typed errors") {
  auto bad = [](nacs::synthetic_options o) {
    CHECK_THROWS_AS((void)nacs::generate_synthetic(nacs::seq, o), nacs::error);
  };
  bad({.rows = -1});
  bad({.fields = 0});
  bad({.fields = 2, .vocabulary_sizes = {3}});
  bad({.vocabulary_size = 0});
  bad({.zipf_exponent = -1});
  bad({.bias_std = NAN});
  bad({.base_rate = 0});
  bad({.base_rate = 1});
  bad({.flip_positive = 1.5});
  bad({.flip_negative = -0.1});
  // One field has no pairs: the model is first-order only, still calibrated.
  const auto one = nacs::generate_synthetic(nacs::seq, {.rows = 20000, .fields = 1, .vocabulary_size = 50});
  double mean = 0;
  for (const float p : one.clean_probability) mean += p;
  CHECK(mean / 20000 == doctest::Approx(0.2).epsilon(0.05));
  CHECK(nacs::generate_synthetic(nacs::seq, {.rows = 0}).data.rows() == 0);
}

TEST_CASE("ctr_benchmark_preset: the calibrated values, both flip rates from noise, defaults untouched") {
  const nacs::synthetic_options o = nacs::ctr_benchmark_preset(1000000, 0.2, 5);
  CHECK(o.rows == 1000000);
  CHECK(o.fields == 39);
  REQUIRE(o.vocabulary_sizes.size() == 39);
  const std::vector<std::uint32_t> sizes{8,   8,  16,  16,  32,  32,  64,  64,  10,  10,  20,  20,  40,
                                         3,   4,  10,  15,  18,  24,  27,  50,  100, 100, 200, 300, 50,
                                         60,  100, 200, 300, 50,  100, 100, 200, 300, 500, 500, 1000, 1000};
  CHECK(o.vocabulary_sizes == sizes);
  CHECK(o.zipf_exponent == 1.5);
  CHECK(o.factor_dim == 8);
  CHECK(o.bias_std == 2.2);
  CHECK(o.interaction_std == 0.5);
  CHECK(o.base_rate == 0.25);
  CHECK(o.flip_positive == 0.2);
  CHECK(o.flip_negative == 0.2);
  CHECK(o.seed == 5);
  CHECK(nacs::ctr_benchmark_preset(10, 0.0, 1).flip_positive == 0.0);
  // The struct's own defaults stay what existing users and tests rely on.
  const nacs::synthetic_options d;
  CHECK(d.fields == 26);
  CHECK(d.vocabulary_size == 1000);
  CHECK(d.vocabulary_sizes.empty());
  CHECK(d.zipf_exponent == 1.1);
  CHECK(d.base_rate == 0.2);
  // It generates: flips near the noise rate, and a hidden model far above chance.
  const auto s = nacs::generate_synthetic(nacs::seq, nacs::ctr_benchmark_preset(20000, 0.2, 3));
  CHECK(s.data.num_fields() == 39);
  CHECK(std::abs(static_cast<double>(s.flipped_count()) / 20000.0 - 0.2) < 0.02);
  CHECK(s.oracle_auc() > 0.8);  // 0.867 at 1 M rows
  // Bad noise is the generator's typed error.
  CHECK_THROWS_AS((void)nacs::generate_synthetic(nacs::seq, nacs::ctr_benchmark_preset(10, 1.5, 1)), nacs::error);
}
