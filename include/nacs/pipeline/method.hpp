// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The selection_method concept, and the selection_context every method works in.
///
/// A selection method decides which rows of the training data enter the coreset
/// (step 1 of the paper's Algorithm 1). nacs::select_coreset builds one
/// selection_context (the data, the options, the budget, a fresh selection-phase
/// model and its Adam optimiser, the report), calls the method's select(), and then
/// does the same for every method: trains the selection-phase model on the chosen
/// rows when the method did not (method_result::trained), runs the uncertainty
/// filter with that trained model, and fills the coreset. The models of the concept
/// are in nacs/pipeline/methods.hpp.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nacs/data/dataset.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/adam.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/coreset.hpp>

namespace nacs {

/// @brief What a method's select() returns: the chosen rows with weights and targets.
struct method_result {
  std::vector<row_index> rows;     ///< chosen rows (global indices, each once), exactly selection_context::target of them
  std::vector<float> weights;      ///< gamma, one per row, mean 1 (or empty: all 1)
  std::vector<float> targets;      ///< q, one per row (or empty: the labels)
  /// Logit offsets for the final training, one per row (or empty): log pi(x, 1) - log pi(x, 0) for a
  /// method that keeps a row with a known label-dependent probability pi(x, y) (see coreset::offsets).
  std::vector<float> offsets;
  /// true when the weights are inverse inclusion probabilities, which the final model must train
  /// with (final_weighting::method_default then uses them); false for representation weights gamma.
  bool importance_weights = false;
  bool trained = false;            ///< true when select() already trained the selection-phase model on the rows
};

/// @brief Everything a selection method works with: data, options, sizes, the selection-phase model and the report.
///
/// Built by nacs::select_coreset (one per call); a method reads the sizes, may
/// train `model` with `optimizer`, and adds its work to `report`.
class selection_context {
 public:
  /// @brief A context with a fresh selection-phase model of options.model over the data's fields.
  /// @param[in] train_data   the encoded training rows
  /// @param[in] valid_set    validation rows, or std::nullopt
  /// @param[in] opts         the selection's options
  /// @param[in] k            rows to keep after the filter
  /// @param[in] select_rows  rows to select before the filter (>= k)
  /// @param[in] round_count  selection rounds R
  /// @param[in] partition_rows partition size P
  /// @param[in] batch        selection-phase training batch
  selection_context(const dataset& train_data, const std::optional<evaluation_set>& valid_set,
                    const coreset_options& opts, row_index k, row_index select_rows, std::size_t round_count,
                    row_index partition_rows, std::size_t batch)
      : train(train_data),
        valid(valid_set),
        options(opts),
        budget(k),
        target(select_rows),
        rounds(round_count),
        partition_size(partition_rows),
        batch_size(batch),
        model(opts.model, train_data.cardinalities),
        optimizer(opts.adam),
        start(std::chrono::steady_clock::now()) {}
  selection_context(const selection_context&) = delete;
  selection_context& operator=(const selection_context&) = delete;

  const dataset& train;                         ///< the training rows
  const std::optional<evaluation_set>& valid;   ///< validation rows for the early-stopped phase, or none
  const coreset_options& options;               ///< the caller's options
  row_index budget;                             ///< k: rows kept after the filter
  row_index target;                             ///< rows to select (the filter's selection_size(k))
  std::size_t rounds;                           ///< R
  row_index partition_size;                     ///< P
  std::size_t batch_size;                       ///< selection-phase training batch
  /// Partitions a round may solve side by side on par (one thread each), as the memory
  /// plan allowed; 1: one partition at a time, on all of the policy's threads.
  std::size_t solve_threads = 1;
  ctr_model<float> model;                       ///< the selection-phase model (fresh, options.model)
  adam<float> optimizer;                        ///< its optimiser (options.adam)
  coreset_report report;                        ///< filled as the selection runs
  std::chrono::steady_clock::time_point start;  ///< when the selection started

  /// @brief Seconds since start.
  [[nodiscard]] double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  /// @brief Calls options.on_progress (when set) with the report's counters.
  void progress(pipeline_phase phase, std::size_t round, row_index partitions_total, row_index selected) const {
    if (!options.on_progress) return;
    pipeline_progress p;
    p.phase = phase;
    p.round = round;
    p.rounds = rounds;
    p.rows_scored = report.rows_scored;
    p.partitions_solved = report.partitions_solved;
    p.partitions_total = partitions_total;
    p.selected = selected;
    p.seconds = elapsed();
    options.on_progress(p);
  }
};

/// @brief A selection method: a name, a settings check, and select(policy, context) -> method_result.
///
/// select() must return exactly context.target distinct rows of context.train;
/// it may train context.model (then it sets method_result::trained).
template <class M>
concept selection_method = requires(const M& m, selection_context& ctx) {
  { m.name() } -> std::convertible_to<std::string_view>;
  m.validate();  // throws nacs::error for a bad setting
  { m.select(seq, ctx) } -> std::same_as<method_result>;
};

}  // namespace nacs
