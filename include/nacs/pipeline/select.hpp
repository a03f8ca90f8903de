// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief nacs::select_coreset: the NaCS pipeline's entry point (select, train, denoise) for any method and filter.
///
/// @code
/// nacs::coreset_options opt;
/// opt.ratio = 0.01;
/// nacs::coreset c = nacs::select_coreset(nacs::par, train, nacs::evaluation_set{&valid}, nacs::nacs_method<>{},
///                                        nacs::mc_dropout_filter{}, opt);
/// // c.rows, c.weights (gamma), c.targets (q), c.report
/// @endcode
///
/// What one call does, for every method (nacs/pipeline/methods.hpp) and filter
/// (nacs/pipeline/filter.hpp):
/// 1. checks the options and the data, works out k (coreset_budget), the rows to
///    select (filter.selection_size(k)), the rounds R, P and the selection batch, and
///    the memory the run needs; refuses (errc::memory_limit) when that is over
///    the limit;
/// 2. builds a fresh selection-phase model and lets the method select; a method
///    that did not train the model (every baseline) is followed by R epochs of
///    training on its rows and, with a validation set, the early-stopped phase;
/// 3. runs the filter with that model on the selected rows, their targets q and
///    weights gamma, keeping exactly k; the kept weights are rescaled to mean 1.
///
/// Memory: the data set (the caller's), the model with its gradients and Adam
/// moments (4 floats per parameter), a forward of up to 8192 rows, O(N)
/// bookkeeping, and the partitions in flight: on seq one at a time (P^2 floats
/// of kernel, P x d embeddings). On par a round solves a wave of partitions side
/// by side, one thread each: up to thread_count() kernels and the embeddings of
/// tuning::selection_partitions_per_thread x that many partitions at once. When
/// that does not fit the memory limit, the wave shrinks to the most threads that
/// fit, down to one partition at a time on all threads (seq's plan; the picks
/// are the same bits either way); only when seq's plan does not fit either is
/// errc::memory_limit thrown. coreset_report::peak_bytes_planned reports the plan.
///
/// Determinism: every draw derives from coreset_options::seed through Philox
/// streams, and every component gives the same bits on seq and par, so the whole
/// selection does too.
#pragma once

#include <cstddef>
#include <optional>

#include <nacs/data/dataset.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/coreset.hpp>
#include <nacs/pipeline/filter.hpp>
#include <nacs/pipeline/method.hpp>
#include <nacs/pipeline/methods.hpp>

namespace nacs {

/// @brief Selects a coreset of `train` with `method`, trains the selection model, and denoises it with `filter`.
/// @param[in] policy nacs::seq or nacs::par (same bits)
/// @param[in] train  the encoded training rows
/// @param[in] valid  validation rows (same encoding) for the early-stopped phase, or std::nullopt
/// @param[in] method a selection_method (nacs_method<>, random_method, ...)
/// @param[in] filter an uncertainty_filter (mc_dropout_filter, tce_filter, rce_filter, no_filter)
/// @param[in] opt    ratio or k, rounds, partitions, model, optimiser, training, seed, progress
/// @return rows (global indices, each once, exactly k), weights gamma (mean 1), targets q, report
/// @throws nacs::error errc::invalid_argument for bad options (ratio not in (0, 1), k not in [1, N), more rounds
///         than rows to select, a filter that would need more rows than the data has, P < 2, epochs 0),
///         errc::invalid_data for unencoded or inconsistent data, errc::memory_limit when the plan does not fit
template <class P, selection_method M, uncertainty_filter F>
[[nodiscard]] coreset select_coreset(const P& policy, const dataset& train, const std::optional<evaluation_set>& valid,
                                     const M& method, const F& filter, const coreset_options& opt = {});

/// @brief The working memory, in bytes, that select_coreset(policy, ...) would plan for these rows and options.
///
/// On par this counts a wave of partitions solved side by side (see select_coreset's
/// "Memory"), shrunk to the most threads whose plan fits opt.memory_limit (else
/// nacs::memory_limit()); on seq, and when no wave of two fits, one partition at a time.
/// @param[in] policy nacs::seq or nacs::par (its thread count)
/// @param[in] train the encoded training rows
/// @param[in] opt   the options (partition size, model, memory limit)
/// @param[in] embedding_dim the embedding width d (0: the model's hidden width + 1, the widest embedding)
template <execution_policy P>
[[nodiscard]] std::size_t coreset_memory_needed(const P& policy, const dataset& train, const coreset_options& opt,
                                                std::size_t embedding_dim = 0);

/// @brief The working memory, in bytes, that select_coreset(seq, ...) would plan: one partition at a time.
/// @param[in] train the encoded training rows
/// @param[in] opt   the options (partition size, model)
/// @param[in] embedding_dim the embedding width d (0: the model's hidden width + 1, the widest embedding)
[[nodiscard]] inline std::size_t coreset_memory_needed(const dataset& train, const coreset_options& opt,
                                                       std::size_t embedding_dim = 0);

}  // namespace nacs

#include <nacs/detail/pipeline/select.hpp>
