// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief A synthetic CTR data set with a known click model and planted label noise.
///
/// The generator draws F categorical fields per row, each from a Zipf
/// distribution over its vocabulary (value of rank k, k = 0..V-1, has
/// probability proportional to 1 / (k + 1)^s; the id is the rank, so id 0 is
/// the most frequent). A hidden "true preference" model, a factorization
/// machine, gives each row its clean click probability
///
///   p = sigmoid(b0 + sum_f w_f[x_f] + sum_{f<g} <v_f[x_f], v_g[x_g]>),
///
/// with per-field value biases w ~ N(0, bias_std^2 / F) and factors
/// v ~ N(0, sigma^2 I), sigma^4 = interaction_std^2 / (F (F - 1) / 2 * factor_dim),
/// so the two sums have standard deviations of about bias_std and
/// interaction_std over random parameters. The global bias b0 is calibrated
/// (bisection on a fixed sample of 65,536 rows drawn from their own streams)
/// so that the mean clean probability is base_rate. A row's clean label is
/// Bernoulli(p); then a clean positive is flipped to 0 with probability
/// flip_positive and a clean negative to 1 with probability flip_negative.
///
/// Everything is a function of (seed, row): row r draws from
/// random_stream(seed, r), parameters and the calibration sample from their own
/// streams. So the output is identical on seq and par with any thread count,
/// and the first n rows of a larger run equal an n-row run with the same seed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <nacs/core/auc.hpp>
#include <nacs/core/error.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/core/parallel.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/execution.hpp>

namespace nacs {

/// @brief Options of generate_synthetic.
struct synthetic_options {
  row_index rows = 100000;                         ///< rows to generate
  std::size_t fields = 26;                         ///< categorical fields F
  std::uint32_t vocabulary_size = 1000;            ///< values per field, unless vocabulary_sizes is given
  std::vector<std::uint32_t> vocabulary_sizes{};   ///< one size per field (overrides vocabulary_size)
  double zipf_exponent = 1.1;                      ///< s in P(rank k) ~ 1/(k+1)^s; 0 gives uniform values
  std::size_t factor_dim = 8;                      ///< dimension of the hidden FM's factors
  double bias_std = 1.0;                           ///< spread of the first-order term of the hidden logit
  double interaction_std = 1.0;                    ///< spread of the pairwise term of the hidden logit
  double base_rate = 0.2;                          ///< mean clean click probability, in (0, 1)
  double flip_positive = 0.1;                      ///< probability that a clean 1 is observed as 0
  double flip_negative = 0.05;                     ///< probability that a clean 0 is observed as 1
  std::uint64_t seed = 1;                          ///< everything is a function of the seed and the row
  friend bool operator==(const synthetic_options&, const synthetic_options&) = default;
};

/// @brief The hidden click model: a factorization machine over the fields' values.
struct synthetic_model {
  std::size_t factor_dim = 0;               ///< k
  double global_bias = 0.0;                 ///< b0, calibrated to the base rate
  std::vector<std::vector<float>> biases;   ///< biases[f][id]: first-order weight of value id of field f
  std::vector<std::vector<float>> factors;  ///< factors[f][id * k + d]: the factor of value id of field f

  /// @brief The clean logit of a row of encoded ids (one per field).
  [[nodiscard]] double logit(std::span<const std::uint32_t> row) const {
    double lin = global_bias;
    constexpr std::size_t stack_dims = 64;
    double sum_stack[stack_dims], sq_stack[stack_dims];
    std::vector<double> heap;
    double* sum = sum_stack;
    double* sq = sq_stack;
    const std::size_t k = factor_dim;
    if (k > stack_dims) {
      heap.assign(2 * k, 0.0);
      sum = heap.data();
      sq = heap.data() + k;
    }
    std::fill(sum, sum + k, 0.0);
    std::fill(sq, sq + k, 0.0);
    for (std::size_t f = 0; f < row.size(); ++f) {
      lin += biases[f][row[f]];
      const float* v = factors[f].data() + static_cast<std::size_t>(row[f]) * k;
      for (std::size_t d = 0; d < k; ++d) {
        sum[d] += v[d];
        sq[d] += static_cast<double>(v[d]) * v[d];
      }
    }
    double pair = 0.0;
    for (std::size_t d = 0; d < k; ++d) pair += sum[d] * sum[d] - sq[d];
    return lin + 0.5 * pair;
  }
  /// @brief The clean click probability of a row: sigmoid(logit(row)).
  [[nodiscard]] double probability(std::span<const std::uint32_t> row) const {
    return 1.0 / (1.0 + std::exp(-logit(row)));
  }
};

/// @brief What generate_synthetic returns: noisy data, and the truth needed to measure denoising.
struct synthetic_data {
  dataset data;                            ///< encoded ids (cardinalities = vocabulary sizes), noisy labels
  std::vector<float> clean_labels;         ///< the labels before flipping
  std::vector<float> clean_probability;    ///< the hidden model's click probability of each row
  std::vector<std::uint8_t> flipped;       ///< 1 where the observed label differs from the clean one
  synthetic_model model;                   ///< the hidden model

  /// @brief Number of flipped labels.
  [[nodiscard]] row_index flipped_count() const noexcept {
    return static_cast<row_index>(std::count(flipped.begin(), flipped.end(), std::uint8_t{1}));
  }
  /// @brief AUC of the hidden model's probabilities against the clean labels: the best a learned model can reach.
  /// @throws nacs::error errc::invalid_data when the clean labels are all 0 or all 1
  [[nodiscard]] double oracle_auc() const;
  /// @brief AUC of the hidden model's probabilities against the observed (noisy) labels.
  /// @throws nacs::error errc::invalid_data when the noisy labels are all 0 or all 1
  [[nodiscard]] double noisy_oracle_auc() const;
};

namespace detail {

// Walker's alias table for one field's Zipf distribution, with integer acceptance thresholds.
struct zipf_table {
  std::vector<std::uint32_t> threshold;  // accept column i when a 32-bit draw is < threshold[i]
  std::vector<std::uint32_t> alias;

  zipf_table(std::uint32_t size, double exponent) : threshold(size), alias(size) {
    std::vector<double> p(size);
    double total = 0;
    for (std::uint32_t k = 0; k < size; ++k) total += p[k] = std::pow(static_cast<double>(k) + 1.0, -exponent);
    for (auto& x : p) x *= static_cast<double>(size) / total;  // mean 1
    std::vector<std::uint32_t> small, large;
    for (std::uint32_t k = size; k-- > 0;) (p[k] < 1.0 ? small : large).push_back(k);
    while (!small.empty() && !large.empty()) {
      const std::uint32_t s = small.back(), l = large.back();
      small.pop_back();
      set(s, p[s], l);
      p[l] -= 1.0 - p[s];
      if (p[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    // What is left is full up to rounding.
    for (const auto k : small) set(k, 1.0, k);
    for (const auto k : large) set(k, 1.0, k);
  }
  void set(std::uint32_t k, double prob, std::uint32_t other) {
    const double t = std::ldexp(prob, 32);
    threshold[k] = t >= 4294967295.0 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(t);
    alias[k] = prob >= 1.0 ? k : other;
  }
  std::uint32_t draw(random_stream& rng) const noexcept {
    const auto col = static_cast<std::uint32_t>(rng.below(threshold.size()));
    return rng.next_u32() < threshold[col] ? col : alias[col];
  }
};

inline constexpr std::uint64_t synthetic_param_stream = std::uint64_t{1} << 62;
inline constexpr std::uint64_t synthetic_calibration_stream = std::uint64_t{1} << 61;

// Draws row r's field values into `row`; the same stream continues with the label draws.
inline void synthetic_values(const std::vector<zipf_table>& tables, random_stream& rng, std::uint32_t* row) {
  for (std::size_t f = 0; f < tables.size(); ++f) row[f] = tables[f].draw(rng);
}

// fn(i) for i in [0, n), in blocks of rows spread over the policy's threads.
template <class Policy, class Fn>
void synthetic_for(const Policy& policy, std::int64_t n, Fn fn) {
  for_each_range(policy, static_cast<std::size_t>(n), tuning::data_row_block, [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i) fn(static_cast<std::int64_t>(i));
  });
}

}  // namespace detail

inline double synthetic_data::oracle_auc() const {
  return auc(seq, std::span<const float>(clean_probability), std::span<const float>(clean_labels));
}
inline double synthetic_data::noisy_oracle_auc() const {
  return auc(seq, std::span<const float>(clean_probability), std::span<const float>(data.labels));
}

/// @brief The synthetic benchmark nacs-coreset --synthetic uses by default: Criteo's shape and difficulty.
///
/// 39 fields like Criteo's 13 bucketed counts (8 to 64 values) and 26
/// categorical fields (3 to 1000 values), Zipf exponent 1.5 (most rows hold
/// a field's few frequent values, as in click logs), a strong first-order
/// signal (bias_std 2.2) with a weaker pairwise one (interaction_std 0.5,
/// factor_dim 8) and a clean base rate of 0.25 (Criteo's click rate is about
/// that). Calibrated with bench/calibrate_synthetic at 1 M rows (8:1:1) and
/// 20 % flips so that a DeepFM with the paper's settings reaches a clean-label
/// test AUC in the range real CTR sets show when trained on all training rows,
/// and one trained on a random 1 % sits several points below, as on Criteo
/// (figures and command: docs/log/results.md). Both flip rates are `noise`, so
/// the observed positive rate is 0.25 (1 - noise) + 0.75 noise.
/// @param[in] rows  rows to generate (>= 0; generate_synthetic checks)
/// @param[in] noise probability of flipping a label, positive or negative, in [0, 1] (generate_synthetic checks)
/// @param[in] seed  the generator's seed
/// @return options for generate_synthetic; the defaults of synthetic_options are unchanged
[[nodiscard]] inline synthetic_options ctr_benchmark_preset(row_index rows, double noise = 0.2,
                                                            std::uint64_t seed = 1) {
  synthetic_options o;
  o.rows = rows;
  o.vocabulary_sizes = {// 13 bucketed counts
                        8, 8, 16, 16, 32, 32, 64, 64, 10, 10, 20, 20, 40,
                        // 26 categorical fields
                        3, 4, 10, 15, 18, 24, 27, 50, 100, 100, 200, 300, 50, 60, 100, 200, 300, 50, 100, 100, 200,
                        300, 500, 500, 1000, 1000};
  o.fields = o.vocabulary_sizes.size();
  o.zipf_exponent = 1.5;
  o.factor_dim = 8;
  o.bias_std = 2.2;
  o.interaction_std = 0.5;
  o.base_rate = 0.25;
  o.flip_positive = noise;
  o.flip_negative = noise;
  o.seed = seed;
  return o;
}

namespace detail {
/// The host backend's body of nacs::generate_synthetic.
template <host_policy Policy>
synthetic_data host_run(algo::generate_synthetic, const Policy& policy, const synthetic_options& options) {
  const auto& o = options;
  const std::size_t F = o.fields, k = o.factor_dim;
  NACS_EXPECTS(o.rows >= 0, errc::invalid_argument, "generate_synthetic: rows must be >= 0");
  NACS_EXPECTS(F >= 1, errc::invalid_argument, "generate_synthetic: fields must be >= 1");
  NACS_EXPECTS(o.vocabulary_sizes.empty() || o.vocabulary_sizes.size() == F, errc::invalid_argument,
               "generate_synthetic: vocabulary_sizes has " + std::to_string(o.vocabulary_sizes.size()) +
                   " entries for " + std::to_string(F) + " fields: give one per field, or none");
  std::vector<std::uint32_t> sizes = o.vocabulary_sizes.empty() ? std::vector<std::uint32_t>(F, o.vocabulary_size)
                                                                 : o.vocabulary_sizes;
  std::size_t params = 0;
  for (const auto v : sizes) {
    NACS_EXPECTS(v >= 1 && v < 0xFFFFFFFFu, errc::invalid_argument,
                 "generate_synthetic: every vocabulary size must be in [1, 2^32 - 1)");
    params += static_cast<std::size_t>(v) * (k + 1);
  }
  NACS_EXPECTS(std::isfinite(o.zipf_exponent) && o.zipf_exponent >= 0, errc::invalid_argument,
               "generate_synthetic: zipf_exponent must be finite and >= 0 (0 gives uniform values)");
  NACS_EXPECTS(std::isfinite(o.bias_std) && o.bias_std >= 0 && std::isfinite(o.interaction_std) &&
                   o.interaction_std >= 0,
               errc::invalid_argument, "generate_synthetic: bias_std and interaction_std must be finite and >= 0");
  NACS_EXPECTS(o.base_rate > 0 && o.base_rate < 1, errc::invalid_argument,
               "generate_synthetic: base_rate must be in (0, 1)");
  NACS_EXPECTS(o.flip_positive >= 0 && o.flip_positive <= 1 && o.flip_negative >= 0 && o.flip_negative <= 1,
               errc::invalid_argument, "generate_synthetic: flip_positive and flip_negative must be in [0, 1]");
  const auto n = static_cast<std::size_t>(o.rows);
  check_memory(n * (F * 4 + 4 + 4 + 4 + 1) + params * 4 + (std::size_t{1} << 16) * 8,
               "generate_synthetic: " + std::to_string(n) + " rows of " + std::to_string(F) + " fields");

  synthetic_data out;
  synthetic_model& m = out.model;
  m.factor_dim = k;
  m.biases.resize(F);
  m.factors.resize(F);
  std::vector<detail::zipf_table> tables;
  tables.reserve(F);
  for (std::size_t f = 0; f < F; ++f) tables.emplace_back(sizes[f], o.zipf_exponent);

  // Parameters: field f from stream param + f (biases first, then factors).
  const double pairs = static_cast<double>(F) * static_cast<double>(F - 1) / 2.0;
  const double sigma_w = o.bias_std / std::sqrt(static_cast<double>(F));
  const double sigma_v =
      pairs > 0 && k > 0 ? std::pow(o.interaction_std * o.interaction_std / (pairs * static_cast<double>(k)), 0.25)
                         : 0.0;
  detail::synthetic_for(policy, static_cast<std::int64_t>(F), [&](std::int64_t fi) {
    const auto f = static_cast<std::size_t>(fi);
    random_stream rng(o.seed, detail::synthetic_param_stream + f);
    m.biases[f].resize(sizes[f]);
    for (auto& w : m.biases[f]) w = static_cast<float>(sigma_w * rng.normal());
    m.factors[f].resize(static_cast<std::size_t>(sizes[f]) * k);
    for (auto& v : m.factors[f]) v = static_cast<float>(sigma_v * rng.normal());
  });

  // Calibrate b0 on a fixed sample so that the mean probability is the base rate.
  constexpr std::int64_t calib = std::int64_t{1} << 16;
  std::vector<double> calib_logit(static_cast<std::size_t>(calib));
  detail::synthetic_for(policy, calib, [&](std::int64_t i) {
    random_stream rng(o.seed, detail::synthetic_calibration_stream + static_cast<std::uint64_t>(i));
    std::vector<std::uint32_t> row(F);
    detail::synthetic_values(tables, rng, row.data());
    calib_logit[static_cast<std::size_t>(i)] = m.logit(row);  // global_bias is 0 here
  });
  double lo = -40.0, hi = 40.0;
  for (int it = 0; it < 80; ++it) {
    const double mid = 0.5 * (lo + hi);
    double mean = 0;
    for (const double z : calib_logit) mean += 1.0 / (1.0 + std::exp(-(z + mid)));
    mean /= static_cast<double>(calib);
    (mean < o.base_rate ? lo : hi) = mid;
  }
  m.global_bias = 0.5 * (lo + hi);

  // Rows.
  dataset& d = out.data;
  d.field_names.resize(F);
  for (std::size_t f = 0; f < F; ++f) d.field_names[f] = std::string(1, 'f').append(std::to_string(f));
  d.cardinalities = sizes;
  d.ids.resize(n * F);
  d.labels.resize(n);
  out.clean_labels.resize(n);
  out.clean_probability.resize(n);
  out.flipped.resize(n);
  detail::synthetic_for(policy, o.rows, [&](std::int64_t ri) {
    const auto r = static_cast<std::size_t>(ri);
    random_stream rng(o.seed, static_cast<std::uint64_t>(ri));
    std::uint32_t* row = d.ids.data() + r * F;
    detail::synthetic_values(tables, rng, row);
    const double p = m.probability(std::span<const std::uint32_t>(row, F));
    const bool clean = rng.uniform() < p;
    const bool flip = rng.uniform() < (clean ? o.flip_positive : o.flip_negative);
    out.clean_probability[r] = static_cast<float>(p);
    out.clean_labels[r] = clean ? 1.0f : 0.0f;
    out.flipped[r] = flip ? 1 : 0;
    d.labels[r] = (clean != flip) ? 1.0f : 0.0f;
  });
  return out;
}
}  // namespace detail

/// @brief Generates a synthetic CTR data set with a hidden FM click model and planted label noise.
/// @param[in] policy  nacs::seq or nacs::par (rows in parallel; the output does not depend on it)
/// @param[in] options sizes, Zipf exponent, model spreads, base rate, flip rates, seed
/// @return the noisy encoded dataset, clean labels and probabilities, the flip mask and the hidden model
/// @throws nacs::error errc::invalid_argument for out-of-range options; errc::memory_limit when the output
///         would exceed the memory limit
template <class Policy>
synthetic_data generate_synthetic(const Policy& policy, const synthetic_options& options = {}) {
  return detail::dispatch<algo::generate_synthetic>(policy, options);
}

}  // namespace nacs
