// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Mini-batch training with Adam and early stopping, and batched scoring, of a ctr_model on a dataset.
///
/// train() runs epochs over a training set (all rows of a dataset, or a subset
/// given by row indices, with optional soft targets and per-row weights, as
/// NaCS needs for coresets), shuffled per epoch with a seed, in mini-batches
/// (8192 rows by default): forward in training mode, soft-label BCE, backward,
/// one Adam step. After each epoch it scores the validation set (evaluation
/// mode) and stops when the validation AUC has not improved for `patience`
/// epochs (1 by default), restoring the best epoch's weights. Training is
/// deterministic for a seed, and seq and par give the same bits.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/adam.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/loss.hpp>
#include <nacs/model/metrics.hpp>
#include <nacs/model/mode.hpp>

namespace nacs {

/// @brief Knobs of train() (defaults: the paper's batch 8192 and patience 1; the learning rate lives in adam_options).
struct train_options {
  std::size_t batch_size = 8192;       ///< rows per mini-batch (> 0); the last batch of an epoch may be smaller
  std::size_t epochs = 10;             ///< maximum number of epochs
  std::uint64_t seed = 0;              ///< shuffling and dropout masks
  bool shuffle = true;                 ///< shuffle the rows each epoch (else take them in the given order)
  std::size_t patience = 1;            ///< stop after this many epochs without a better validation AUC (0: never)
  bool restore_best = true;            ///< end with the weights of the best validation epoch
  loss_normalization normalization = loss_normalization::rows;  ///< what each batch's weighted loss is divided by
  std::size_t eval_batch_size = 8192;  ///< rows per batch when scoring the validation set
  friend bool operator==(const train_options&, const train_options&) = default;
};

/// @brief The rows to train on: a dataset, optionally a subset of its rows, soft targets and weights.
///
/// targets[i] and weights[i] belong to the i-th training row: rows[i] when
/// rows is given, else dataset row i. Empty targets mean the dataset's labels;
/// empty weights mean the dataset's weights (or 1).
struct training_set {
  const dataset* data = nullptr;        ///< an encoded dataset
  std::span<const row_index> rows{};    ///< subset of row indices (may repeat), or empty for all rows
  std::span<const float> targets{};     ///< soft targets in [0, 1], or empty
  std::span<const float> weights{};     ///< non-negative weights, or empty
  /// Finite logit offsets, one per training row, or empty. The loss of a row sees the model's
  /// logit plus its offset, sigmoid(z + o), and the gradient flows to z; predictions never see
  /// it. An offset o(x) = log pi(x, 1) - log pi(x, 0), for rows kept with label-dependent
  /// probabilities pi(x, y) (case-control sampling, negative downsampling, class-balanced
  /// samples), makes the model estimate the logit of the data the rows were drawn from.
  std::span<const float> offsets{};
  /// @brief Optional per-batch target correction (progressive label self-correction, paper Eq. 11-15).
  ///
  /// When set, train() calls it once per batch, after the training-mode forward
  /// and before the loss, with the batch's probabilities (detached: a read-only
  /// float view, a float copy for a double model, never differentiated), the optimizer's step count
  /// before this batch's step (0, 1, 2, ...), and the batch's given targets (or
  /// labels) in batch order, which it may overwrite; the loss and its gradient
  /// then use the overwritten targets, which must stay in [0, 1]. Empty: targets
  /// are used as given, bit for bit as without the hook.
  /// nacs::correction_hook (nacs/pipeline/trust.hpp) builds one from a trust schedule.
  std::function<void(std::span<const float> probabilities, std::int64_t step, std::span<float> targets)>
      correct_targets{};
};

/// @brief Rows to score: a dataset and optionally a subset of its rows.
struct evaluation_set {
  const dataset* data = nullptr;      ///< an encoded dataset
  std::span<const row_index> rows{};  ///< subset, or empty for all rows
};

/// @brief What one epoch did.
struct epoch_report {
  std::size_t epoch = 0;                 ///< 0-based
  double train_loss = 0.0;               ///< mean training loss over the epoch's batches (weighted by batch rows)
  std::optional<double> valid_auc;       ///< validation AUC, when there is a validation set
  std::optional<double> valid_logloss;   ///< validation log loss
  row_index rows = 0;                    ///< rows trained on in this epoch
  double seconds = 0.0;                  ///< training time of the epoch (validation excluded)
  double rows_per_second = 0.0;          ///< rows / seconds
  std::int64_t optimizer_steps = 0;      ///< the optimizer's step count after the epoch
};

/// @brief What train() did.
struct train_report {
  std::vector<epoch_report> epochs;        ///< one per epoch run
  std::optional<std::size_t> best_epoch;   ///< epoch with the best validation AUC
  std::optional<double> best_valid_auc;    ///< that AUC
  std::optional<double> best_valid_logloss;  ///< the validation log loss of that epoch
  std::optional<double> best_valid_logloss_se;  ///< its standard error (nacs::evaluation::logloss_se)
  bool stopped_early = false;              ///< true when patience ran out before `epochs`
  bool restored_best = false;              ///< true when the best epoch's weights were put back
  row_index rows_trained = 0;              ///< rows trained on, summed over epochs
  double seconds = 0.0;                    ///< training time, validation excluded
  /// @brief rows_trained / seconds (0 before any training).
  [[nodiscard]] double rows_per_second() const noexcept { return seconds > 0 ? static_cast<double>(rows_trained) / seconds : 0.0; }
};

/// @brief Options of predict() and score_batches().
struct score_options {
  std::size_t batch_size = 8192;          ///< rows per forward
  forward_mode mode = forward_mode::eval; ///< eval for scoring; mc_dropout for Monte-Carlo dropout passes
  dropout_key key{};                      ///< mask seed and pass (mc_dropout); row keys are the data-set row indices
  friend bool operator==(const score_options&, const score_options&) = default;
};

namespace detail {

template <class T>
void check_model_data(const ctr_model<T>& model, const dataset& d, const char* api) {
  NACS_EXPECTS(d.encoded(), errc::invalid_data,
               std::string(api) + ": the dataset is not encoded (no cardinalities); encode it with a vocabulary first");
  NACS_EXPECTS(d.cardinalities == model.cardinalities(), errc::invalid_argument,
               std::string(api) + ": the dataset's fields or cardinalities differ from the model's; encode it with "
                                  "the vocabulary the model was built for");
  d.check_shape(api);
}

inline void check_rows(std::span<const row_index> rows, row_index n, const char* api) {
  for (std::size_t i = 0; i < rows.size(); ++i)
    NACS_EXPECTS(rows[i] >= 0 && rows[i] < n, errc::invalid_argument,
                 std::string(api) + ": row index " + std::to_string(rows[i]) + " (position " + std::to_string(i) +
                     ") is outside the dataset's [0, " + std::to_string(n) + ")");
}

// Copies the ids of rows[b..e) (or of dataset rows b..e) into a B x F buffer.
template <host_policy P>
matrix_view<const std::uint32_t> gather_ids(const P& policy, const dataset& d, std::span<const row_index> rows,
                                            std::size_t b, std::size_t e, scratch<std::uint32_t>& buf) {
  const std::size_t f = d.num_fields(), n = e - b;
  if (rows.empty()) return {d.ids.data() + b * f, n, f};
  std::uint32_t* out = buf.get(n * f);
  for_each_range(policy, n, 2048, [&](std::size_t i0, std::size_t i1) {
    for (std::size_t i = i0; i < i1; ++i)
      std::copy_n(d.ids.data() + static_cast<std::size_t>(rows[b + i]) * f, f, out + i * f);
  }, f);
  return {out, n, f};
}

}  // namespace detail

namespace detail {
/// The host backend's body of nacs::score_batches.
template <host_policy P, class T, class F>
void host_run(algo::score_batches, const P& policy, ctr_model<T>& model, const evaluation_set& set,
              const score_options& options, F&& fn) {
  NACS_EXPECTS(set.data != nullptr, errc::invalid_argument, "nacs::score_batches: no dataset given");
  NACS_EXPECTS(options.batch_size > 0, errc::invalid_argument, "nacs::score_batches: batch_size must be > 0");
  const dataset& d = *set.data;
  detail::check_model_data(model, d, "nacs::score_batches");
  detail::check_rows(set.rows, d.rows(), "nacs::score_batches");
  const std::size_t total = set.rows.empty() ? static_cast<std::size_t>(d.rows()) : set.rows.size();
  detail::scratch<std::uint32_t> ids;
  std::vector<row_index> keys;
  for (std::size_t b = 0; b < total; b += options.batch_size) {
    const std::size_t e = std::min(total, b + options.batch_size);
    const auto batch = detail::gather_ids(policy, d, set.rows, b, e, ids);
    std::span<const row_index> row_keys;
    if (dropout_active(options.mode)) {
      if (set.rows.empty()) {
        keys.resize(e - b);
        std::iota(keys.begin(), keys.end(), static_cast<row_index>(b));
        row_keys = keys;
      } else {
        row_keys = set.rows.subspan(b, e - b);
      }
    }
    (void)model.forward(policy, batch, options.mode, options.key, row_keys);
    fn(b, model);
  }
}
}  // namespace detail

/// @brief Scores rows in batches and calls fn(first, model) after each forward, with the batch's outputs in the model.
///
/// fn receives the position of the batch's first row in the scored sequence;
/// model.probabilities(), model.logits() and model.hidden() hold the batch.
/// Dropout row keys are the data-set row indices.
/// @param[in] policy nacs::seq or nacs::par
/// @param[in,out] model the model (its buffers change)
/// @param[in] set    the rows to score
/// @param[in] options batch size, mode, dropout key
/// @param[in] fn     callback, void(std::size_t first, ctr_model<T>& model)
template <class P, class T, class F>
void score_batches(const P& policy, ctr_model<T>& model, const evaluation_set& set, const score_options& options,
                   F&& fn) {
  detail::dispatch<algo::score_batches>(policy, model, set, options, static_cast<F&&>(fn));
}

/// @brief Predicted click probabilities of the rows of `set`, in order (evaluation mode by default).
template <class P, class T>
std::vector<float> predict(const P& policy, ctr_model<T>& model, const evaluation_set& set,
                           const score_options& options = {}) {
  std::vector<float> out(set.data ? (set.rows.empty() ? static_cast<std::size_t>(set.data->rows()) : set.rows.size())
                                  : 0);
  score_batches(policy, model, set, options, [&](std::size_t first, ctr_model<T>& m) {
    const auto p = m.probabilities();
    for (std::size_t i = 0; i < p.size(); ++i) out[first + i] = static_cast<float>(p[i]);
  });
  return out;
}

/// @brief AUC and log loss of a model on labelled rows.
struct evaluation {
  double auc = 0.0;      ///< exact AUC (ties half)
  double logloss = 0.0;  ///< mean log loss (clipped at 1e-7)
  /// standard error of that mean: the sample s.d. of the rows' log losses / sqrt(rows) (0 for one row)
  double logloss_se = 0.0;
};

/// @brief Scores `set` in evaluation mode and returns its AUC and log loss against the dataset's labels.
/// @throws nacs::error as auc() (e.g. a single class) and predict()
template <class P, class T>
evaluation evaluate(const P& policy, ctr_model<T>& model, const evaluation_set& set, std::size_t batch_size = 8192) {
  const auto p = predict(policy, model, set, score_options{.batch_size = batch_size});
  std::vector<float> y(p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    y[i] = set.data->labels[set.rows.empty() ? i : static_cast<std::size_t>(set.rows[i])];
  evaluation ev{auc(policy, std::span<const float>(p), y), log_loss(policy, std::span<const float>(p), y)};
  if (p.size() > 1) {
    double sq = 0;  // in row order: the same bits on seq and par
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double q = std::clamp(static_cast<double>(p[i]), log_loss_clip, 1.0 - log_loss_clip), t = y[i];
      const double l = -(t * std::log(q) + (1.0 - t) * std::log1p(-q)) - ev.logloss;
      sq += l * l;
    }
    ev.logloss_se = std::sqrt(sq / static_cast<double>(p.size() - 1) / static_cast<double>(p.size()));
  }
  return ev;
}

namespace detail {
/// The host backend's body of nacs::train.
template <host_policy P, class T>
train_report host_run(algo::train, const P& policy, ctr_model<T>& model, adam<T>& optimizer, const training_set& train,
                      const std::optional<evaluation_set>& valid, const train_options& options,
                      const std::function<void(const epoch_report&)>& on_epoch) {
  NACS_EXPECTS(train.data != nullptr, errc::invalid_argument, "nacs::train: no training dataset given");
  NACS_EXPECTS(options.batch_size > 0 && options.eval_batch_size > 0, errc::invalid_argument,
               "nacs::train: batch_size and eval_batch_size must be > 0");
  const dataset& d = *train.data;
  detail::check_model_data(model, d, "nacs::train");
  detail::check_rows(train.rows, d.rows(), "nacs::train");
  const std::size_t total = train.rows.empty() ? static_cast<std::size_t>(d.rows()) : train.rows.size();
  NACS_EXPECTS(total > 0, errc::invalid_data, "nacs::train: the training set has no rows");
  NACS_EXPECTS(train.targets.empty() || train.targets.size() == total, errc::invalid_argument,
               "nacs::train: " + std::to_string(train.targets.size()) + " targets for " + std::to_string(total) +
                   " training rows; give one per training row or none");
  NACS_EXPECTS(train.weights.empty() || train.weights.size() == total, errc::invalid_argument,
               "nacs::train: " + std::to_string(train.weights.size()) + " weights for " + std::to_string(total) +
                   " training rows; give one per training row or none");
  NACS_EXPECTS(train.offsets.empty() || train.offsets.size() == total, errc::invalid_argument,
               "nacs::train: " + std::to_string(train.offsets.size()) + " logit offsets for " + std::to_string(total) +
                   " training rows; give one per training row or none");
  for (const float o : train.offsets)
    NACS_EXPECTS(std::isfinite(o), errc::invalid_argument, "nacs::train: a logit offset is NaN or infinite");
  if (valid) {
    NACS_EXPECTS(valid->data != nullptr, errc::invalid_argument, "nacs::train: the validation set has no dataset");
    detail::check_model_data(model, *valid->data, "nacs::train (validation set)");
    detail::check_rows(valid->rows, valid->data->rows(), "nacs::train (validation set)");
  }
  const bool use_dataset_weights = train.weights.empty() && !d.weights.empty();
  const bool any_weights = !train.weights.empty() || use_dataset_weights;

  train_report report;
  std::vector<std::size_t> order(total);
  std::vector<row_index> batch_rows;
  std::vector<float> batch_targets, batch_weights, batch_probs, batch_offsets;
  std::vector<T> dz, shifted;
  detail::scratch<std::uint32_t> ids;
  auto params = model.parameters();
  std::optional<model_state<T>> best_state;
  std::size_t since_best = 0;
  const std::uint64_t dropout_seed = options.seed ^ 0x9E3779B97F4A7C15ull;

  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (options.shuffle) {
      random_stream rng(options.seed, static_cast<std::uint64_t>(optimizer.steps()));
      for (std::size_t i = total; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    }
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0.0;
    for (std::size_t b = 0; b < total; b += options.batch_size) {
      const std::size_t e = std::min(total, b + options.batch_size), n = e - b;
      batch_rows.resize(n);
      batch_targets.resize(n);
      batch_weights.resize(any_weights ? n : 0);
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t pos = order[b + i];
        const row_index r = train.rows.empty() ? static_cast<row_index>(pos) : train.rows[pos];
        const auto ur = static_cast<std::size_t>(r);
        batch_rows[i] = r;
        batch_targets[i] = train.targets.empty() ? d.labels[ur] : train.targets[pos];
        if (any_weights) batch_weights[i] = use_dataset_weights ? d.weights[ur] : train.weights[pos];
      }
      batch_offsets.resize(train.offsets.empty() ? 0 : n);
      for (std::size_t i = 0; i < batch_offsets.size(); ++i) batch_offsets[i] = train.offsets[order[b + i]];
      const auto batch_ids = detail::gather_ids(policy, d, std::span<const row_index>(batch_rows), 0, n, ids);
      const dropout_key key{dropout_seed, static_cast<std::uint64_t>(optimizer.steps())};
      (void)model.forward(policy, batch_ids, forward_mode::train, key, batch_rows);
      if (train.correct_targets) {
        std::span<const float> probs;
        if constexpr (std::is_same_v<T, float>) {
          probs = model.probabilities();
        } else {
          const auto pt = model.probabilities();
          batch_probs.assign(pt.begin(), pt.end());
          probs = batch_probs;
        }
        train.correct_targets(probs, optimizer.steps(), std::span<float>(batch_targets));
      }
      dz.resize(n);
      std::span<const T> z = model.logits();
      if (!batch_offsets.empty()) {
        shifted.assign(z.begin(), z.end());
        for (std::size_t i = 0; i < n; ++i) shifted[i] += static_cast<T>(batch_offsets[i]);
        z = shifted;
      }
      const double loss = bce_with_logits(policy, z, std::span<const float>(batch_targets),
                                          std::span<const float>(batch_weights), std::span<T>(dz),
                                          options.normalization);
      model.backward(policy, std::span<const T>(dz));
      optimizer.step(policy, params);
      loss_sum += loss * static_cast<double>(n);
    }
    epoch_report er;
    er.epoch = epoch;
    er.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    er.rows = static_cast<row_index>(total);
    er.train_loss = loss_sum / static_cast<double>(total);
    er.rows_per_second = er.seconds > 0 ? static_cast<double>(total) / er.seconds : 0.0;
    er.optimizer_steps = optimizer.steps();
    report.rows_trained += er.rows;
    report.seconds += er.seconds;
    bool stop = false;
    if (valid) {
      const auto ev = nacs::evaluate(policy, model, *valid, options.eval_batch_size);
      er.valid_auc = ev.auc;
      er.valid_logloss = ev.logloss;
      if (!report.best_valid_auc || ev.auc > *report.best_valid_auc) {
        report.best_valid_auc = ev.auc;
        report.best_valid_logloss = ev.logloss;
        report.best_valid_logloss_se = ev.logloss_se;
        report.best_epoch = epoch;
        since_best = 0;
        if (options.restore_best) best_state = model.state();
      } else {
        ++since_best;
        stop = options.patience > 0 && since_best >= options.patience;
      }
    }
    report.epochs.push_back(er);
    if (on_epoch) on_epoch(er);
    if (stop) {
      report.stopped_early = epoch + 1 < options.epochs;
      break;
    }
  }
  if (best_state && report.best_epoch && *report.best_epoch + 1 != report.epochs.size()) {
    model.load_state(*best_state);
    report.restored_best = true;
  }
  return report;
}
}  // namespace detail

/// @brief Trains `model` with `optimizer` on `train`, with early stopping on the validation AUC of `valid`.
///
/// Each epoch shuffles the training rows with random_stream(seed, optimizer step
/// count at the epoch's start) (so repeated one-epoch calls, as NaCS makes,
/// get fresh orders) and runs batches of `batch_size` rows. The dropout mask of
/// a batch is keyed by (seed, optimizer step, data-set row index). When
/// train.correct_targets is set, it rewrites each batch's targets between the
/// forward and the loss (label self-correction). Without a
/// validation set every epoch runs and nothing is restored. With one, after
/// each epoch the model is scored; when its AUC is not above the best so far
/// for `patience` consecutive epochs, training stops; with `restore_best` the
/// best epoch's parameters and batch-norm statistics are put back (the Adam
/// moments and step count are not rolled back).
/// @param[in] policy    nacs::seq or nacs::par (same bits)
/// @param[in,out] model the model to train
/// @param[in,out] optimizer its Adam (learning rate, moments, step count)
/// @param[in] train     training rows, targets and weights
/// @param[in] valid     validation rows (labels 0/1), or std::nullopt
/// @param[in] options   batch size, epochs, seed, patience
/// @param[in] on_epoch  called after each epoch with its report (progress output), may be empty
/// @throws nacs::error errc::invalid_argument / invalid_data for inconsistent inputs (unencoded data,
///         cardinalities that differ from the model's, row indices out of range, size mismatches)
template <class P, class T>
train_report train(const P& policy, ctr_model<T>& model, adam<T>& optimizer, const training_set& train,
                   const std::optional<evaluation_set>& valid = std::nullopt, const train_options& options = {},
                   const std::function<void(const epoch_report&)>& on_epoch = {}) {
  return detail::dispatch<algo::train>(policy, model, optimizer, train, valid, options, on_epoch);
}

}  // namespace nacs
