// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Step 3 of NaCS: train a fresh model on a coreset and evaluate it; the batch-size rule for small data.
///
/// train_on_coreset builds the training rows from the coreset alone. Feature
/// values never seen in the coreset's rows cannot be learned from it, so every
/// field's ids are remapped through a table built from the coreset: id 0 (the
/// vocabulary's OOV slot) stays 0, every other id that occurs in the coreset gets
/// 1, 2, ... in increasing order of the original id, and every other id (in the
/// validation and test rows too) maps to 0. The model is then built for those
/// smaller cardinalities, which keeps it small and keeps unseen values on the
/// one OOV embedding the model has learned, instead of a random initial vector.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
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
#include <nacs/execution.hpp>
#include <nacs/model/adam.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/metrics.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/coreset.hpp>

namespace nacs {

/// @brief A mini-batch size that gives an epoch of `training_rows` rows enough optimiser steps.
///
/// Rule: the power of two nearest (in log scale) to training_rows / 64, clamped to
/// [64, 8192]; so an epoch takes about 64 steps (45 to 90) until the batch reaches
/// the paper's 8192 at about 520k rows, and more steps beyond. The paper's fixed
/// 8192 gives a 50k-row set 6 steps an epoch, and a 1 % coreset of 1 M rows 2:
/// Adam with lr 0.01 then stops (early stopping, patience 1) long before it has
/// learned (ALGORITHM.md, "Small data"). 64 steps an epoch is what batch 8192
/// gives at 524k rows, where the paper's setting works; 64 rows is the floor below
/// which batch-norm statistics get noisy.
///
/// Measured 2026-12-01 on criteo-sample (7,200 training rows, dev for early stopping,
/// 391 test rows; DeepFM with the paper's defaults, up to 30 epochs, patience 1; mean
/// test AUC of seeds 1-3; 2-core VM under load): batch 64: 0.721, 128 (this rule):
/// 0.724, 256: 0.709, 512: 0.713, 1024: 0.702, 8192: 0.688. With ~90 test positives,
/// differences under 2 points are noise; 8192 against 128 is 3.5 points.
/// @param[in] training_rows rows in one epoch (0 gives 64)
[[nodiscard]] constexpr std::size_t default_batch_size(row_index training_rows) noexcept {
  if (training_rows <= 64 * 64) return 64;
  const auto per = static_cast<std::uint64_t>(training_rows) / 64;  // >= 64
  const std::uint64_t lo = std::bit_floor(per), hi = lo << 1;
  // nearest in log scale: compare per^2 with lo * hi
  const double p = static_cast<double>(per);
  const std::uint64_t pick = p * p >= static_cast<double>(lo) * static_cast<double>(hi) ? hi : lo;
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(pick, 64, 8192));
}

/// @brief How train_on_coreset uses the coreset's weights gamma.
enum class final_weighting {
  none,   ///< every row weight 1 (the paper trains unweighted)
  gamma,  ///< rows weighted by gamma
  /// Train twice from the same seed, unweighted and with gamma, and keep the model with the
  /// better validation AUC (unweighted on a tie). Needs a validation set. A coreset whose weights
  /// are all equal (or absent) trains once: both trainings would be the same.
  best_on_validation,
  /// gamma when the coreset's weights are importance weights (coreset::importance_weights: inverse
  /// inclusion probabilities, which an unbiased fit needs), none otherwise.
  method_default,
};

/// @brief The final weightings' name table, in enum order: none, gamma, auto (best_on_validation),
/// method (nacs-coreset --final-weights).
inline constexpr auto final_weighting_table = make_name_table<final_weighting>(
    "final weighting", {{"none", final_weighting::none},
                        {"gamma", final_weighting::gamma},
                        {"auto", final_weighting::best_on_validation},
                        {"method", final_weighting::method_default}});

/// @brief "none", "gamma", "auto" (best_on_validation) or "method": nacs-coreset's --final-weights names.
constexpr std::string_view to_string(final_weighting w) noexcept { return final_weighting_table.name_of(w); }

/// @brief The final weightings' names, in enum order (nacs-coreset --final-weights).
[[nodiscard]] inline std::span<const std::string_view> final_weighting_names() noexcept {
  return final_weighting_table.names();
}

/// @brief The final_weighting named `name` (final_weighting_names()).
/// @throws nacs::error errc::invalid_argument for an unknown name (suggesting the closest)
[[nodiscard]] inline final_weighting parse_final_weighting(std::string_view name) {
  return final_weighting_table.parse(name);
}

/// @brief What the final model trains on (final_options::use_targets), by name: corrected (true: the
/// corrected targets q) or labels (false: the given labels); nacs-coreset --final-targets.
inline constexpr auto final_targets_table =
    make_name_table<bool>("final targets", {{"corrected", true}, {"labels", false}});

/// @brief Whether the final model trains with the prior correction (final_options::prior_correction),
/// by name: on or off; nacs-coreset --prior-correction.
inline constexpr auto prior_correction_table = make_name_table<bool>("prior correction", {{"on", true}, {"off", false}});

/// @brief Options of train_on_coreset (defaults: the paper's model and optimiser, early stopping with patience 1).
struct final_options {
  model_config model{};                ///< the model to train (DeepFM by default)
  adam_options adam{};                 ///< its optimiser (lr 0.01)
  train_options train{.batch_size = 0};  ///< epochs, patience, seed; batch_size 0: default_batch_size(coreset rows)
  /// how the coreset's weights are used: importance weights always, gamma not at all (the paper)
  final_weighting weights = final_weighting::method_default;
  bool use_targets = true;             ///< train on the corrected targets q (else on the labels)
  /// Prior correction: train with logit offsets so that the model predicts on the whole data's
  /// scale. The coreset's own offsets when it has them (coreset::offsets); otherwise one offset for
  /// every row, log(pi_c / (1 - pi_c)) - log(pi / (1 - pi)), with pi the positive share of the
  /// training labels and pi_c the weighted mean of the targets the model trains on (the weights it
  /// trains with, or 1): zero for a coreset with the data's class rate, log(n_neg / n_pos) for a
  /// class-balanced one (He et al., ADKDD 2014, recalibration q = p / (p + (1 - p) / w)). It moves
  /// log loss, not AUC (a constant shift of the logit keeps the order). No offset when pi_c or pi
  /// is 0 or 1.
  bool prior_correction = true;
  std::span<const float> clean_test_labels{};  ///< optional: one clean label per test row, for clean_test_auc
  std::function<void(const epoch_report&)> on_epoch{};  ///< called after each epoch (progress output)
};

/// @brief What train_on_coreset measured.
struct coreset_evaluation {
  train_report training;                 ///< epochs, best validation AUC, early stopping
  double test_auc = 0.0;                 ///< test AUC against the test rows' labels
  double test_logloss = 0.0;             ///< test log loss against them
  std::optional<double> clean_test_auc;      ///< test AUC against clean_test_labels, when given
  std::optional<double> clean_test_logloss;  ///< log loss against them
  row_index rows = 0;                    ///< coreset rows trained on
  std::size_t batch_size = 0;            ///< batch used
  std::vector<std::uint32_t> cardinalities;  ///< per-field ids after the remap (values seen in the coreset + OOV)
  row_index unseen_test_values = 0;      ///< test (field, row) values mapped to OOV because the coreset lacks them
  bool weighted = false;                 ///< whether the model tested trained with the weights gamma
  /// the logit offsets trained with: "none", "coreset" (the coreset's own) or "class-prior"
  std::string correction = "none";
  double offset_mean = 0.0;              ///< mean logit offset over the coreset's rows (0 without one)
  /// final_weighting::best_on_validation with two trainings: the best validation AUC of each (else empty).
  std::optional<double> unweighted_valid_auc, weighted_valid_auc;
};

/// @brief Trains a fresh model on the coreset's rows of `train` and evaluates it on `test`.
///
/// Ids are remapped through the coreset's per-field table (see the file comment);
/// the model trains on the coreset rows with gamma weights and corrected targets
/// (options say which), with early stopping on `valid` when given, and is scored
/// on `test` (eval mode): AUC and log loss against the test labels, and against
/// clean_test_labels when given. With final_weighting::best_on_validation it trains an
/// unweighted and a gamma-weighted model (the same seed) and tests the one with
/// the better validation AUC. Deterministic for options.train.seed; seq and par
/// give the same bits.
/// @param[in] policy nacs::seq or nacs::par
/// @param[in] train  the encoded training rows the coreset indexes
/// @param[in] core   the coreset (rows, weights, targets)
/// @param[in] valid  validation rows (same encoding as train), or std::nullopt
/// @param[in] test   test rows (same encoding)
/// @param[in] opt    model, optimiser, training and what to use from the coreset
/// @throws nacs::error errc::invalid_argument for an empty coreset, rows out of range, weights or targets
///         that do not match the rows, clean labels that do not match the test rows, data encoded differently,
///         best_on_validation without a validation set
template <class P>
[[nodiscard]] coreset_evaluation train_on_coreset(const P& policy, const dataset& train, const coreset& core,
                                                  const std::optional<evaluation_set>& valid,
                                                  const evaluation_set& test, const final_options& opt = {});

}  // namespace nacs

#include <nacs/detail/pipeline/final.hpp>
#include <nacs/detail/pipeline/instances.hpp>
NACS_DECLARE_INSTANCES(NACS_TRAIN_ON_CORESET_INSTANCE)
