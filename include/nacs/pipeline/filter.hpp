// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Uncertainty filters, step 2 of NaCS: Monte-Carlo dropout (paper Eq. 16), T-CE and R-CE (Wang et al.), none.
///
/// A filter scores the rows of a selected coreset with the selection model and
/// either removes the worst of them (rows.size() - keep rows) or reweights them.
/// Per-row losses are the BCE l = -(q ln p + (1 - q) ln(1 - p)) of the model's
/// logit against the row's target q (the corrected label), computed from the
/// logit in double (nacs::bce_with_logit).
///
///   mc_dropout_filter  (the paper, Eq. 16) N passes (default 10) with dropout on
///                      and batch norm in evaluation mode (forward_mode::mc_dropout).
///                      Pass k uses dropout_key{seed, k} and the data-set row indices
///                      as row keys, so every pass can be replayed. Per row, the mean
///                      m and the population variance v = (1/N) sum_k (l_k - m)^2 of the
///                      N losses (the authors' script divides by N too), by Welford's
///                      update in double in pass order (so N equal losses give v = 0
///                      exactly), and U = m + z sqrt(v / N), z = 1.96.
///                      The rows with the largest U are removed.
///   tce_filter         Truncated cross entropy (T-CE, Wang et al. 2021, "Denoising
///                      Implicit Feedback for Recommendation", WSDM, Sec. 3.2; their
///                      code github.com/WenjieWWJ/DenoisingRec, T_CE/loss.py): one
///                      evaluation pass, the rows with the largest loss are removed.
///                      Wang et al. truncate only positive interactions: their sort
///                      key is loss x target, so a negative row (key 0) goes only when
///                      fewer positive rows than removals are left. That is the default
///                      (positives_only); positives_only = false ranks by the loss
///                      alone. Their drop rate rises during training to a maximum;
///                      applied once to a finished coreset it is that maximum, remove_rate.
///   rce_filter         Reweighted cross entropy (R-CE, same paper, Sec. 3.3; their
///                      R_CE/loss.py): one evaluation pass, nothing removed, every
///                      row's weight multiplied by w = p^beta q + (1 - p)^beta (1 - q)
///                      (p^beta for a positive, (1 - p)^beta for a negative: confident
///                      wrong predictions, i.e. large losses, are down-weighted);
///                      beta = 0.2 (their logs use 0.2-0.3; the paper searches
///                      {0.05, 0.1, 0.25, 0.5, 1.0}).
///   no_filter          keeps every row as it is.
///
/// Ties: rows are removed in decreasing score; equal scores remove the higher
/// data-set row index first (then the later input position, for a repeated
/// row). Scores depend only on the model, the rows and the seed, so seq and par
/// give the same bits (a different batch_size may round the model's products
/// differently, as Eigen picks kernels by size).
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/loss.hpp>
#include <nacs/model/mode.hpp>
#include <nacs/model/trainer.hpp>

namespace nacs {

/// @brief What a filter kept and removed.
///
/// kept, kept_weights and kept_targets are parallel and in input order;
/// removed and removed_scores are parallel and in removal order (largest score
/// first); scores[i] belongs to input position i (U for MC dropout, the loss for
/// T-CE and R-CE, 0 for no_filter).
struct filter_result {
  std::vector<row_index> kept;          ///< data-set row indices kept, in input order
  std::vector<float> kept_weights;      ///< their weights (given, or 1; times the R-CE factor for rce_filter)
  std::vector<float> kept_targets;      ///< their targets (given, or the data set's labels)
  std::vector<row_index> removed;       ///< data-set row indices removed, largest score first
  std::vector<double> removed_scores;   ///< their scores
  std::vector<double> scores;           ///< one score per input position
};

/// @brief A step-2 filter over a selected coreset.
///
/// `f.selection_size(k)` is how many rows a driver must select so that k remain
/// after filtering; `f.apply(policy, model, data, rows, targets, weights, keep,
/// seed)` scores `rows` of `data` with `model` and keeps `keep` of them.
template <class F>
concept uncertainty_filter = requires(const F& f, ctr_model<float>& model, const dataset& data,
                                      std::span<const row_index> rows, std::span<const float> targets,
                                      std::span<const float> weights, row_index k, std::uint64_t seed) {
  { f.name() } -> std::convertible_to<std::string_view>;
  { f.selection_size(k) } -> std::convertible_to<row_index>;
  { f.apply(seq, model, data, rows, targets, weights, k, seed) } -> std::same_as<filter_result>;
};

namespace detail {

inline void check_remove_rate(double rate, const char* api) {
  NACS_EXPECTS(rate >= 0.0 && rate < 1.0, errc::invalid_argument,
               std::string(api) + ": remove_rate must lie in [0, 1) (got " + std::to_string(rate) +
                   "); 0.1 removes a tenth of the selected rows");
}

// ceil(k / (1 - rate)); a quotient within 1e-9 (relative) of an integer counts as that integer, so that
// 9 / 0.9 gives 10 and not 11.
inline row_index removal_selection_size(row_index k, double rate, const char* api) {
  check_remove_rate(rate, api);
  NACS_EXPECTS(k >= 0, errc::invalid_argument, std::string(api) + ": k must be >= 0 (got " + std::to_string(k) + ")");
  const double c = static_cast<double>(k) / (1.0 - rate);
  const double r = std::round(c);
  const double n = std::abs(c - r) <= 1e-9 * std::max(1.0, c) ? r : std::ceil(c);
  return std::max(k, static_cast<row_index>(n));
}

// Validates a filter's inputs; returns the targets and weights to use (labels / 1 when empty).
struct filter_inputs {
  std::vector<float> targets, weights;
};

template <class T>
filter_inputs check_filter_inputs(const ctr_model<T>& model, const dataset& data, std::span<const row_index> rows,
                                  std::span<const float> targets, std::span<const float> weights, row_index keep,
                                  const std::string& api) {
  check_model_data(model, data, api.c_str());
  check_rows(rows, data.rows(), api.c_str());
  const std::size_t n = rows.size();
  NACS_EXPECTS(targets.empty() || targets.size() == n, errc::invalid_argument,
               api + ": " + std::to_string(targets.size()) + " targets for " + std::to_string(n) +
                   " rows; give one per row or none (the data set's labels)");
  NACS_EXPECTS(weights.empty() || weights.size() == n, errc::invalid_argument,
               api + ": " + std::to_string(weights.size()) + " weights for " + std::to_string(n) +
                   " rows; give one per row or none (all 1)");
  NACS_EXPECTS(keep >= 0 && static_cast<std::size_t>(keep) <= n, errc::invalid_argument,
               api + ": keep = " + std::to_string(keep) + " but there are " + std::to_string(n) +
                   " rows; keep must lie in [0, rows]");
  filter_inputs in;
  in.targets.resize(n);
  in.weights.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float q = targets.empty() ? data.labels[static_cast<std::size_t>(rows[i])] : targets[i];
    NACS_EXPECTS(q >= 0.0f && q <= 1.0f, errc::invalid_data,
                 api + ": the target of position " + std::to_string(i) + " is " + std::to_string(q) +
                     "; targets must lie in [0, 1]");
    in.targets[i] = q;
    const float w = weights.empty() ? 1.0f : weights[i];
    NACS_EXPECTS(std::isfinite(w) && w >= 0.0f, errc::invalid_data,
                 api + ": the weight of position " + std::to_string(i) + " is negative or not finite");
    in.weights[i] = w;
  }
  return in;
}

// Per-row BCE of one pass over `rows` (mode and key as given), in input order, into `out` (double).
template <host_policy P, class T, class F>
void filter_pass(const P& policy, ctr_model<T>& model, const dataset& data, std::span<const row_index> rows,
                 const std::vector<float>& targets, forward_mode mode, dropout_key key, std::size_t batch_size,
                 const std::string& api, F&& per_row) {
  score_batches(policy, model, evaluation_set{&data, rows}, score_options{.batch_size = batch_size, .mode = mode,
                                                                           .key = key},
                [&](std::size_t first, ctr_model<T>& m) {
                  const auto z = m.logits();
                  const auto p = m.probabilities();
                  for (std::size_t i = 0; i < z.size(); ++i) {
                    const double zi = static_cast<double>(z[i]);
                    NACS_EXPECTS(std::isfinite(zi), errc::invalid_data,
                                 api + ": the model's logit for row " + std::to_string(rows[first + i]) +
                                     " is NaN or infinite; the model diverged");
                    per_row(first + i, bce_with_logit(zi, static_cast<double>(targets[first + i])),
                            static_cast<double>(p[i]));
                  }
                });
}

// Removes the rows.size() - keep rows with the largest key (ties: higher row index, then later position).
inline filter_result remove_largest(std::span<const row_index> rows, const filter_inputs& in,
                                    const std::vector<double>& key, std::vector<double> scores, row_index keep) {
  const std::size_t n = rows.size(), drop = n - static_cast<std::size_t>(keep);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto worse = [&](std::size_t a, std::size_t b) {  // a is removed before b
    if (key[a] != key[b]) return key[a] > key[b];
    if (rows[a] != rows[b]) return rows[a] > rows[b];
    return a > b;
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(drop), order.end(), worse);
  std::vector<char> gone(n, 0);
  filter_result r;
  r.removed.reserve(drop);
  r.removed_scores.reserve(drop);
  for (std::size_t j = 0; j < drop; ++j) {
    gone[order[j]] = 1;
    r.removed.push_back(rows[order[j]]);
    r.removed_scores.push_back(scores[order[j]]);
  }
  r.kept.reserve(n - drop);
  r.kept_weights.reserve(n - drop);
  r.kept_targets.reserve(n - drop);
  for (std::size_t i = 0; i < n; ++i) {
    if (gone[i]) continue;
    r.kept.push_back(rows[i]);
    r.kept_weights.push_back(in.weights[i]);
    r.kept_targets.push_back(in.targets[i]);
  }
  r.scores = std::move(scores);
  return r;
}

}  // namespace detail

/// @brief The paper's filter (Eq. 16): remove the rows with the largest upper bound U = m + z sqrt(v / N)
///        of their BCE over N Monte-Carlo dropout passes.
struct mc_dropout_filter {
  std::size_t passes = 10;        ///< N, > 0
  double z = 1.96;                ///< the confidence multiplier (1.96: 95 %), finite, >= 0
  double remove_rate = 0.1;       ///< rho in [0, 1): the share of the selection that selection_size() adds
  std::size_t batch_size = 8192;  ///< rows per forward

  /// @brief "mcdropout".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "mcdropout"; }
  /// @brief ceil(k / (1 - remove_rate)): the rows to select so that k remain.
  /// @throws nacs::error errc::invalid_argument for remove_rate outside [0, 1) or k < 0
  [[nodiscard]] row_index selection_size(row_index k) const {
    return detail::removal_selection_size(k, remove_rate, "nacs::mc_dropout_filter");
  }

  /// @brief Scores `rows` with N dropout passes and keeps the `keep` rows of smallest U (input order).
  /// @param[in]     policy  nacs::seq or nacs::par (same bits)
  /// @param[in,out] model   the selection model (its buffers change; its parameters do not)
  /// @param[in]     data    the encoded data set
  /// @param[in]     rows    data-set row indices of the selected rows
  /// @param[in]     targets their corrected targets, or empty for the data set's labels
  /// @param[in]     weights their weights, or empty for 1
  /// @param[in]     keep    how many rows remain (rows.size() - keep are removed)
  /// @param[in]     seed    the dropout seed: pass k uses dropout_key{seed, k}
  /// @throws nacs::error errc::invalid_argument for passes == 0, a bad z or remove_rate, keep outside
  ///         [0, rows], sizes that differ, rows out of range, a model that does not fit the data;
  ///         errc::invalid_data for targets outside [0, 1], bad weights, non-finite logits
  template <host_policy P, class T>
  filter_result apply(const P& policy, ctr_model<T>& model, const dataset& data, std::span<const row_index> rows,
                      std::span<const float> targets, std::span<const float> weights, row_index keep,
                      std::uint64_t seed) const {
    detail::require_backend<P>();
    const std::string api = "nacs::mc_dropout_filter::apply";
    NACS_EXPECTS(passes > 0, errc::invalid_argument, api + ": passes must be > 0 (the paper uses 10)");
    NACS_EXPECTS(std::isfinite(z) && z >= 0.0, errc::invalid_argument, api + ": z must be finite and >= 0");
    NACS_EXPECTS(batch_size > 0, errc::invalid_argument, api + ": batch_size must be > 0");
    detail::check_remove_rate(remove_rate, api.c_str());
    const auto in = detail::check_filter_inputs(model, data, rows, targets, weights, keep, api);
    const std::size_t n = rows.size();
    std::vector<double> mean(n, 0.0), m2(n, 0.0);
    if (n > 0)
      for (std::size_t k = 0; k < passes; ++k) {
        const double seen = static_cast<double>(k + 1);
        detail::filter_pass(policy, model, data, rows, in.targets, forward_mode::mc_dropout,
                            dropout_key{seed, static_cast<std::uint64_t>(k)}, batch_size, api,
                            [&](std::size_t i, double l, double) {
                              const double d = l - mean[i];
                              mean[i] += d / seen;
                              m2[i] += d * (l - mean[i]);
                            });
      }
    const double count = static_cast<double>(passes);
    std::vector<double> u(n);
    for (std::size_t i = 0; i < n; ++i) u[i] = mean[i] + z * std::sqrt(std::max(0.0, m2[i] / count) / count);
    return detail::remove_largest(rows, in, u, u, keep);
  }
  friend constexpr bool operator==(const mc_dropout_filter&, const mc_dropout_filter&) = default;
};

/// @brief T-CE (Wang et al. 2021): one evaluation pass; remove the rows with the largest loss (positives first).
struct tce_filter {
  double remove_rate = 0.1;       ///< rho in [0, 1): the share of the selection that selection_size() adds
  bool positives_only = true;     ///< rank by loss x target, as Wang et al.'s code (false: by the loss alone)
  std::size_t batch_size = 8192;  ///< rows per forward

  /// @brief "tce".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "tce"; }
  /// @brief ceil(k / (1 - remove_rate)).
  /// @throws nacs::error errc::invalid_argument for remove_rate outside [0, 1) or k < 0
  [[nodiscard]] row_index selection_size(row_index k) const {
    return detail::removal_selection_size(k, remove_rate, "nacs::tce_filter");
  }

  /// @brief Keeps the `keep` rows of smallest rank key (loss x target, or loss); scores are the losses.
  /// @param seed unused (one deterministic evaluation pass)
  /// @throws nacs::error as mc_dropout_filter::apply
  template <host_policy P, class T>
  filter_result apply(const P& policy, ctr_model<T>& model, const dataset& data, std::span<const row_index> rows,
                      std::span<const float> targets, std::span<const float> weights, row_index keep,
                      std::uint64_t seed) const {
    detail::require_backend<P>();
    (void)seed;
    const std::string api = "nacs::tce_filter::apply";
    NACS_EXPECTS(batch_size > 0, errc::invalid_argument, api + ": batch_size must be > 0");
    detail::check_remove_rate(remove_rate, api.c_str());
    const auto in = detail::check_filter_inputs(model, data, rows, targets, weights, keep, api);
    const std::size_t n = rows.size();
    std::vector<double> loss(n, 0.0), key(n, 0.0);
    if (n > 0)
      detail::filter_pass(policy, model, data, rows, in.targets, forward_mode::eval, {}, batch_size, api,
                          [&](std::size_t i, double l, double) {
                            loss[i] = l;
                            key[i] = positives_only ? l * static_cast<double>(in.targets[i]) : l;
                          });
    return detail::remove_largest(rows, in, key, std::move(loss), keep);
  }
  friend constexpr bool operator==(const tce_filter&, const tce_filter&) = default;
};

/// @brief R-CE (Wang et al. 2021): keep every row; weight *= p^beta q + (1 - p)^beta (1 - q).
struct rce_filter {
  double beta = 0.2;              ///< the exponent, finite and >= 0 (0: weights unchanged)
  std::size_t batch_size = 8192;  ///< rows per forward

  /// @brief "rce".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "rce"; }
  /// @brief k: R-CE removes nothing.
  /// @throws nacs::error errc::invalid_argument for k < 0
  [[nodiscard]] row_index selection_size(row_index k) const {
    NACS_EXPECTS(k >= 0, errc::invalid_argument, "nacs::rce_filter: k must be >= 0");
    return k;
  }

  /// @brief Keeps every row, with its weight multiplied by the R-CE factor; scores are the losses.
  /// @param keep must equal rows.size() (R-CE removes nothing)
  /// @param seed unused
  /// @throws nacs::error as mc_dropout_filter::apply, and errc::invalid_argument for keep != rows.size()
  template <host_policy P, class T>
  filter_result apply(const P& policy, ctr_model<T>& model, const dataset& data, std::span<const row_index> rows,
                      std::span<const float> targets, std::span<const float> weights, row_index keep,
                      std::uint64_t seed) const {
    detail::require_backend<P>();
    (void)seed;
    const std::string api = "nacs::rce_filter::apply";
    NACS_EXPECTS(std::isfinite(beta) && beta >= 0.0, errc::invalid_argument,
                 api + ": beta must be finite and >= 0 (got " + std::to_string(beta) + ")");
    NACS_EXPECTS(batch_size > 0, errc::invalid_argument, api + ": batch_size must be > 0");
    auto in = detail::check_filter_inputs(model, data, rows, targets, weights, keep, api);
    const std::size_t n = rows.size();
    NACS_EXPECTS(static_cast<std::size_t>(keep) == n, errc::invalid_argument,
                 api + ": R-CE reweights and removes nothing, so keep (" + std::to_string(keep) +
                     ") must equal the number of rows (" + std::to_string(n) + "); select selection_size(k) = k rows");
    std::vector<double> loss(n, 0.0);
    if (n > 0)
      detail::filter_pass(policy, model, data, rows, in.targets, forward_mode::eval, {}, batch_size, api,
                          [&](std::size_t i, double l, double p) {
                            loss[i] = l;
                            const double q = in.targets[i];
                            const double f = std::pow(p, beta) * q + std::pow(1.0 - p, beta) * (1.0 - q);
                            in.weights[i] = static_cast<float>(static_cast<double>(in.weights[i]) * f);
                          });
    filter_result r;
    r.kept.assign(rows.begin(), rows.end());
    r.kept_weights = std::move(in.weights);
    r.kept_targets = std::move(in.targets);
    r.scores = std::move(loss);
    return r;
  }
  friend constexpr bool operator==(const rce_filter&, const rce_filter&) = default;
};

/// @brief No step 2: every selected row is kept with its target and weight.
struct no_filter {
  /// @brief "none".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "none"; }
  /// @brief k.
  /// @throws nacs::error errc::invalid_argument for k < 0
  [[nodiscard]] row_index selection_size(row_index k) const {
    NACS_EXPECTS(k >= 0, errc::invalid_argument, "nacs::no_filter: k must be >= 0");
    return k;
  }
  /// @brief Returns the rows as they are (scores 0).
  /// @param keep must equal rows.size()
  /// @throws nacs::error as the other filters' input checks, and for keep != rows.size()
  template <host_policy P, class T>
  filter_result apply(const P& policy, ctr_model<T>& model, const dataset& data, std::span<const row_index> rows,
                      std::span<const float> targets, std::span<const float> weights, row_index keep,
                      std::uint64_t seed) const {
    detail::require_backend<P>();
    (void)policy;
    (void)seed;
    const std::string api = "nacs::no_filter::apply";
    auto in = detail::check_filter_inputs(model, data, rows, targets, weights, keep, api);
    NACS_EXPECTS(static_cast<std::size_t>(keep) == rows.size(), errc::invalid_argument,
                 api + ": no_filter removes nothing, so keep (" + std::to_string(keep) +
                     ") must equal the number of rows (" + std::to_string(rows.size()) + ")");
    filter_result r;
    r.kept.assign(rows.begin(), rows.end());
    r.kept_weights = std::move(in.weights);
    r.kept_targets = std::move(in.targets);
    r.scores.assign(rows.size(), 0.0);
    return r;
  }
  friend constexpr bool operator==(const no_filter&, const no_filter&) = default;
};

static_assert(uncertainty_filter<mc_dropout_filter>);
static_assert(uncertainty_filter<tce_filter>);
static_assert(uncertainty_filter<rce_filter>);
static_assert(uncertainty_filter<no_filter>);

}  // namespace nacs
