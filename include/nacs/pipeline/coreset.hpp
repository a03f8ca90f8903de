// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief What a coreset selection takes and returns: coreset_options, coreset_report, coreset, progress.
///
/// These are plain types shared by every selection method (nacs/pipeline/methods.hpp),
/// the entry point nacs::select_coreset (nacs/pipeline/select.hpp), the runtime tables
/// (nacs/pipeline/config.hpp) and the final training (nacs/pipeline/final.hpp).
///
/// Sizes: the caller asks for k rows (coreset_options::k, or floor(ratio * N) through
/// nacs::budget_from_ratio, at least 1). A removing filter (MC dropout, T-CE) needs more rows
/// selected than kept: the driver selects filter.selection_size(k) rows, the filter
/// removes the rest, and exactly k remain (coreset_budget and the filter's
/// selection_size say how many).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/names.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/data/load.hpp>
#include <nacs/model/adam.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/trust.hpp>

namespace nacs {

/// @brief How each round cuts the candidate rows into facility-location problems.
enum class partition_mode {
  random,          ///< the paper: random partitions of P rows (a fresh shuffle every round)
  class_balanced,  ///< the authors' code: positives and negatives cut and solved apart, half the budget each
};

/// @brief The partition modes' name table: random, class-balanced (nacs-coreset --partitions).
inline constexpr auto partition_mode_table = make_name_table<partition_mode>(
    "partition mode", {{"random", partition_mode::random}, {"class-balanced", partition_mode::class_balanced}});

/// @brief "random" or "class-balanced".
constexpr std::string_view to_string(partition_mode m) noexcept { return partition_mode_table.name_of(m); }

/// @brief How the selection-phase model weights its rows (coreset_options::weighted_training), by name:
/// none (false: unweighted, the paper) or gamma (true: the weights gamma); nacs-coreset --selection-weights.
inline constexpr auto selection_weighting_table =
    make_name_table<bool>("selection weighting", {{"none", false}, {"gamma", true}});

/// @brief Partition size used when coreset_options::partition_size is empty.
///
/// 4096 rows: the per-partition kernel is 4096^2 floats = 64 MiB, which fits any
/// machine and keeps a partition's similarity + greedy well under a second on one
/// core at d = 101; a 1 % round budget still gives each partition about 14 picks
/// (a partition with no pick leaves its rows unrepresented, see nacs::selection).
/// Similarity work grows as N * P * d per round, so smaller P is faster and larger P
/// lets each pick be compared with more rows.
inline constexpr row_index default_partition_size = 4096;

/// @brief The selection's phases, as pipeline_progress reports them.
enum class pipeline_phase {
  scoring,    ///< forwarding candidate rows and forming embeddings (or, for SVP-CF, training the proxy)
  selecting,  ///< similarity kernels and greedy picks
  training,   ///< training the selection-phase model on the rows chosen so far
  filtering,  ///< the uncertainty filter
  done,       ///< the selection is complete
};

/// @brief "scoring", "selecting", "training", "filtering" or "done".
constexpr std::string_view to_string(pipeline_phase p) noexcept {
  switch (p) {
    case pipeline_phase::scoring: return "scoring";
    case pipeline_phase::selecting: return "selecting";
    case pipeline_phase::training: return "training";
    case pipeline_phase::filtering: return "filtering";
    case pipeline_phase::done: return "done";
  }
  return "unknown";
}

/// @brief What coreset_options::on_progress is told (after each partition, each training epoch, each phase).
struct pipeline_progress {
  pipeline_phase phase = pipeline_phase::scoring;  ///< what is running
  std::size_t round = 0;                           ///< 1-based round (0 outside the rounds)
  std::size_t rounds = 0;                          ///< rounds in this selection
  row_index rows_scored = 0;                       ///< rows forwarded so far, all rounds together
  row_index partitions_solved = 0;                 ///< partitions solved so far, all rounds together
  row_index partitions_total = 0;                  ///< partitions with a budget in this round
  row_index selected = 0;                          ///< rows chosen so far
  double seconds = 0.0;                            ///< since select_coreset started
};

/// @brief Options of nacs::select_coreset (defaults: the paper's settings).
struct coreset_options {
  double ratio = 0.01;                       ///< k = floor(ratio * N) when k is empty; in (0, 1)
  std::optional<row_index> k{};              ///< rows to keep, 1 <= k < N (overrides ratio)
  std::size_t rounds = 0;                    ///< selection rounds R; 0: 3 when k <= 1 % of N, else 5
  std::optional<row_index> partition_size{};  ///< P >= 2; empty: default_partition_size
  partition_mode partitions = partition_mode::random;       ///< random (paper) or class_balanced (authors)
  /// Share of the rows that are candidates in each round, in (0, 1]. 1 (the paper): every row is
  /// scored and embedded in every round. Below 1, each round draws (seeded, afresh) whole partitions
  /// until they hold at least candidate_share x N rows, within each class for class_balanced
  /// partitions, and only those get budgets, are scored and are solved; scoring and similarity
  /// costs fall in proportion. The authors' code draws about 9 % (ALGORITHM.md). It applies to
  /// the methods that solve partitions: nacs (each of its rounds) and kcenter (its one round).
  /// The drawn partitions must hold the round's picks, or select_coreset throws, suggesting a
  /// share that works for every round (rows selected before the filter / N).
  double candidate_share = 1.0;
  /// Epochs NaCS trains the selection model on the rows chosen so far after each round (1: the
  /// paper's Algorithm 1 as the authors run it). 0: the model is not trained between rounds, so
  /// every round embeds the rows with the model as initialised; the early-stopped phase after the
  /// last round (with a validation set) is unchanged, and without one the R epochs are trained
  /// after the last round instead. Read by nacs_method only (a baseline's R epochs stay).
  std::size_t round_epochs = 1;
  trust_horizon horizon = trust_horizon::planned_steps;     ///< what T in the trust schedule is
  model_config model{};                      ///< the selection-phase model (DeepFM, paper Appendix C.3)
  adam_options adam{};                       ///< its optimiser (lr 0.01)
  /// Training of the selection-phase model: epochs and patience of the early-stopped phase after the
  /// last round (when a validation set is given), seed ignored (coreset_options::seed is used).
  /// batch_size 0 (the default here) means default_batch_size(rows selected).
  train_options train{.batch_size = 0};
  bool weighted_training = false;            ///< train the selection model with the weights gamma (the paper: weight 1)
  std::uint64_t seed = 0;                    ///< every draw (partitions, solver, shuffles, dropout) derives from it
  std::optional<std::size_t> memory_limit{};  ///< replaces nacs::memory_limit() for this call
  /// Called after each partition, each epoch and each phase (never concurrently); for progress output.
  std::function<void(const pipeline_progress&)> on_progress{};
};

/// @brief What the selection did: time per phase, work done, what the filter removed.
///
/// Phase seconds add up to about total_seconds (the rest is bookkeeping).
struct coreset_report {
  std::string method;                  ///< the method's name ("nacs", "random", ...)
  std::string filter;                  ///< the filter's name
  double scoring_seconds = 0.0;        ///< eval-mode forwards of candidate rows (SVP-CF: proxy training too)
  double embedding_seconds = 0.0;      ///< forming gradient embeddings and corrected targets
  double selection_seconds = 0.0;      ///< similarity kernels and greedy (set cover, k-center, facility location)
  double training_seconds = 0.0;       ///< training the selection-phase model
  double filter_seconds = 0.0;         ///< the uncertainty filter (and the final targets q)
  double total_seconds = 0.0;          ///< the whole call
  row_index rows = 0;                  ///< N, the training rows
  row_index budget = 0;                ///< k, rows kept
  row_index selected = 0;              ///< rows selected before the filter (filter.selection_size(k))
  row_index rows_scored = 0;           ///< rows forwarded for selection, all rounds together
  row_index partitions_solved = 0;     ///< facility-location / set-cover / k-center problems solved
  row_index unrepresented_rows = 0;    ///< rows of partitions with no pick, all rounds together
  row_index rows_removed = 0;          ///< rows the filter removed
  /// rows every model of the selection trained on, summed over epochs (selection-phase model,
  /// pilot, proxy): the selection's training cost, to set against the final model's
  row_index rows_trained = 0;
  row_index pilot_rows = 0;            ///< rows of the pilot sample (lcc, osmac, sensitivity), else 0
  /// importance-sampling methods: (sum w)^2 / sum w^2 / k of the weights before the filter, 1 for equal weights
  double effective_sample_share = 1.0;
  std::size_t rounds = 0;              ///< selection rounds run
  row_index partition_size = 0;        ///< P used
  std::size_t batch_size = 0;          ///< selection-phase training batch
  std::int64_t planned_steps = 0;      ///< optimiser steps planned for the selection model (trust_horizon::planned_steps)
  std::int64_t horizon_steps = 0;      ///< the T the trust schedule used
  std::int64_t optimizer_steps = 0;    ///< steps the selection model actually took
  std::vector<row_index> removed_rows;   ///< rows the filter removed (global indices)
  std::vector<double> removed_scores;    ///< their filter scores
  /// memory planned before the run: data, model, and the partitions in flight (one on seq, a wave on par)
  std::size_t peak_bytes_planned = 0;
};

/// @brief A selected coreset: rows, their weights gamma and corrected targets q, and the report.
///
/// rows, weights and targets are parallel arrays. rows are global indices into the
/// training dataset, each at most once. weights have mean 1 over the coreset (see
/// select_coreset for how rounds are combined). targets are q = (1 - eps) y + eps p from
/// the selection model at the end (the labels for methods without label correction).
struct coreset {
  std::vector<row_index> rows;    ///< chosen rows, global indices
  std::vector<float> weights;     ///< gamma, mean 1
  std::vector<float> targets;     ///< q in [0, 1]
  /// Logit offsets o, one per row, or empty. A method that keeps row x with a label-dependent
  /// probability pi(x, y) (negative downsampling, local case-control sampling) sets
  /// o(x) = log pi(x, 1) - log pi(x, 0): a model trained unweighted on the rows with sigmoid(z + o)
  /// in its loss then estimates the click probability of the whole data, not of the sample
  /// (train_on_coreset's prior correction; Fithian & Hastie 2014, section 2).
  std::vector<float> offsets;
  /// true when `weights` are inverse inclusion probabilities (OSMAC, sensitivity sampling): a
  /// model must train with them to estimate the whole data's loss; false for gamma, the
  /// facility-location weights (how many rows a pick represents), which the paper does not train with.
  bool importance_weights = false;
  coreset_report report;          ///< what the selection did

  /// @brief Number of rows.
  [[nodiscard]] std::size_t size() const noexcept { return rows.size(); }
};

/// @brief What a coreset looks like against its training rows: class balance, targets, how skewed
/// its weights are and, given the flip mask of synthetic data, how many of its labels were flipped
/// (what nacs-coreset reports; coreset_statistics_of computes it).
struct coreset_statistics {
  double base_positive_share = 0.0;    ///< labels >= 0.5 among the training rows
  double positive_share = 0.0;         ///< labels >= 0.5 among the coreset's rows
  double target_mean = 0.0;            ///< the mean target q (the label where the coreset has no targets)
  double weight_max_over_mean = 0.0;   ///< the largest weight over the mean weight (weights absent: 1 each)
  double weight_ess_share = 0.0;       ///< (sum w)^2 / sum w^2 / k: the effective sample size's share, 1 for equal weights
  std::optional<double> base_flip_share{};      ///< flipped labels among the training rows (flip mask given)
  std::optional<double> selected_flip_share{};  ///< among the rows selected before the filter (the coreset and removed_rows)
  std::optional<double> removed_flip_share{};   ///< among the rows the filter removed (none removed: absent)
  std::optional<double> coreset_flip_share{};   ///< among the coreset's rows
};

namespace detail {
// The share of `rows` whose flip flag is set (0 for no rows).
inline double flipped_share(std::span<const std::uint8_t> flipped, std::span<const row_index> rows) {
  if (rows.empty()) return 0.0;
  row_index n = 0;
  for (const auto r : rows) n += flipped[static_cast<std::size_t>(r)];
  return static_cast<double>(n) / static_cast<double>(rows.size());
}
}  // namespace detail

/// @brief The statistics of coreset `c` of `train` (all zero for an empty coreset but the base share).
/// @param[in] train   the training rows the coreset was selected from
/// @param[in] c       the coreset (rows, weights and targets; weights and targets may be empty)
/// @param[in] flipped the flip mask of the training rows (1: the observed label was flipped; synthetic data),
///                    or empty: no flip shares
/// @throws nacs::error errc::invalid_argument for a row out of range or a flip mask of another size
[[nodiscard]] inline coreset_statistics coreset_statistics_of(const dataset& train, const coreset& c,
                                                              std::span<const std::uint8_t> flipped = {}) {
  const auto n_rows = static_cast<std::size_t>(train.rows());
  NACS_EXPECTS(flipped.empty() || flipped.size() == n_rows, errc::invalid_argument,
               "coreset_statistics_of: the flip mask has " + std::to_string(flipped.size()) + " entries for " +
                   std::to_string(n_rows) + " training rows");
  const auto in_range = [&](std::span<const row_index> rows) {
    for (const auto r : rows)
      NACS_EXPECTS(r >= 0 && static_cast<std::size_t>(r) < n_rows, errc::invalid_argument,
                   "coreset_statistics_of: row " + std::to_string(r) + " is not among the " + std::to_string(n_rows) +
                       " training rows");
  };
  in_range(c.rows);
  in_range(c.report.removed_rows);
  coreset_statistics s;
  double base = 0;
  for (const float y : train.labels) base += y >= 0.5f ? 1 : 0;
  s.base_positive_share = base / static_cast<double>(train.rows());
  if (!c.rows.empty()) {
    const auto n = static_cast<double>(c.rows.size());
    double pos = 0, q = 0, sw = 0, sw2 = 0, wmax = 0;
    for (std::size_t i = 0; i < c.rows.size(); ++i) {
      pos += train.labels[static_cast<std::size_t>(c.rows[i])] >= 0.5f ? 1 : 0;
      q += i < c.targets.size() ? c.targets[i] : train.labels[static_cast<std::size_t>(c.rows[i])];
      const double w = i < c.weights.size() ? c.weights[i] : 1.0;
      sw += w;
      sw2 += w * w;
      wmax = std::max(wmax, w);
    }
    s.positive_share = pos / n;
    s.target_mean = q / n;
    s.weight_max_over_mean = sw > 0 ? wmax / (sw / n) : 0;
    s.weight_ess_share = sw2 > 0 ? sw * sw / sw2 / n : 0;
  }
  if (!flipped.empty()) {
    row_index flips = 0;
    for (const auto f : flipped) flips += f;
    s.base_flip_share = static_cast<double>(flips) / static_cast<double>(train.rows());
    std::vector<row_index> selected = c.rows;
    selected.insert(selected.end(), c.report.removed_rows.begin(), c.report.removed_rows.end());
    s.selected_flip_share = detail::flipped_share(flipped, selected);
    if (!c.report.removed_rows.empty()) s.removed_flip_share = detail::flipped_share(flipped, c.report.removed_rows);
    s.coreset_flip_share = detail::flipped_share(flipped, c.rows);
  }
  return s;
}

/// @brief k for coreset_options: k when given, else nacs::budget_from_ratio(ratio, n) (floor(ratio * n), >= 1).
/// @throws nacs::error errc::invalid_argument unless 0 < ratio < 1 and ratio * n >= 1 (or k in [1, n)), n >= 2
[[nodiscard]] inline row_index coreset_budget(double ratio, std::optional<row_index> k, row_index n) {
  NACS_EXPECTS(n >= 2, errc::invalid_argument,
               "coreset selection needs at least 2 training rows (got " + std::to_string(n) + ")");
  if (k) {
    NACS_EXPECTS(*k >= 1 && *k < n, errc::invalid_argument,
                 "coreset_options.k = " + std::to_string(*k) + " must be in [1, " + std::to_string(n) +
                     "): ask for fewer rows than the data has");
    return *k;
  }
  return budget_from_ratio(ratio, n);
}

/// @brief Rounds for a budget of k of n rows: 3 when k <= 1 % of n, else 5 (the paper's N_choose).
[[nodiscard]] constexpr std::size_t default_rounds(row_index k, row_index n) noexcept {
  return static_cast<double>(k) <= 0.01 * static_cast<double>(n) + 1e-9 ? 3 : 5;
}

}  // namespace nacs
