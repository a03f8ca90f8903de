// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/pipeline/select.hpp: checks and planning, the method, the baseline
// training, the filter. run_coreset (nacs/pipeline/config.hpp) calls the same pieces.
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nacs/core/memory.hpp>
#include <nacs/detail/pipeline/rounds.hpp>
#include <nacs/detail/solver/maximize.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/pipeline/final.hpp>
#include <nacs/pipeline/select.hpp>

namespace nacs {

namespace detail::pipeline {

// The memory a selection plans, and how many partitions a round may solve side by side.
struct memory_plan {
  std::size_t bytes = 0;
  std::size_t solve_threads = 1;
};

// Plans for up to `threads` partitions solved side by side (see wave_partitions): data,
// model, one forward batch and O(N) bookkeeping once; a kernel and a solver's state per
// worker; the embeddings of every partition of a wave. Picks the most workers whose plan fits
// opt.memory_limit (else nacs::memory_limit()), down to one partition at a time (seq's plan,
// which select_coreset then checks against the limit).
inline memory_plan plan_memory(const dataset& train, const coreset_options& opt, std::size_t embedding_dim,
                               std::size_t threads) {
  const auto n = static_cast<std::size_t>(train.rows());
  const std::size_t f = train.num_fields();
  const std::size_t hidden = model_hidden_width(opt.model, f);
  const std::size_t d = embedding_dim ? embedding_dim : hidden + 1;
  const std::size_t p = static_cast<std::size_t>(
      std::min<row_index>(opt.partition_size.value_or(default_partition_size), std::max<row_index>(1, train.rows())));
  const std::size_t data = train.ids.size() * sizeof(std::uint32_t) + (train.labels.size() + train.weights.size()) * 4;
  // value, gradient, Adam m and v, and the best epoch's copy (early stopping)
  const std::size_t model = model_parameter_estimate(opt.model, train.cardinalities) * sizeof(float) * 5;
  const facility_location objective{matrix_view<const float>(nullptr, p, d), neg_distance{}};
  // One worker's solve: the kernel, the solver's state, the exclusion list and the picks.
  const std::size_t solve = objective.problem_bytes(static_cast<row_index>(p)) + detail::solver_bytes(p) + p * 16;
  const std::size_t embeddings = p * d * sizeof(float);
  std::size_t layers = 0;
  for (const auto h : opt.model.mlp) layers += h;
  for (const auto h : opt.model.mlp2) layers += h;
  const std::size_t forward_rows = std::min<std::size_t>(n, 8192);
  const std::size_t forward = forward_rows * (f * opt.model.embedding_dim * 6 + layers * 8 + hidden * 2 + f * 8) * 4;
  const std::size_t bookkeeping = n * (sizeof(row_index) * 2 + sizeof(double) + 2);
  const std::size_t fixed = data + model + forward + bookkeeping;
  // A round has at most ceil(N / P) partitions, one more when classes are cut apart.
  const std::size_t parts = (n + p - 1) / p + 1;
  const auto bytes_for = [&](std::size_t workers) {
    return fixed + workers * solve + std::min(wave_partitions(workers), parts) * embeddings;
  };
  const std::size_t limit = opt.memory_limit.value_or(memory_limit());
  for (std::size_t w = std::min(std::max<std::size_t>(threads, 1), parts); w > 1; --w)
    if (bytes_for(w) <= limit) return {bytes_for(w), w};
  return {bytes_for(1), 1};
}

}  // namespace detail::pipeline

inline std::size_t coreset_memory_needed(const dataset& train, const coreset_options& opt, std::size_t embedding_dim) {
  return detail::pipeline::plan_memory(train, opt, embedding_dim, 1).bytes;
}

namespace detail {
/// The host backend's coreset_memory_needed(policy, ...).
template <host_policy P>
std::size_t host_run(algo::coreset_memory_needed, const P& policy, const dataset& train, const coreset_options& opt,
                     std::size_t embedding_dim) {
  const auto threads = static_cast<std::size_t>(std::max(1, omp_threads(policy)));
  return pipeline::plan_memory(train, opt, embedding_dim, threads).bytes;
}
}  // namespace detail

template <execution_policy P>
std::size_t coreset_memory_needed(const P& policy, const dataset& train, const coreset_options& opt,
                                  std::size_t embedding_dim) {
  return detail::dispatch<algo::coreset_memory_needed>(policy, train, opt, embedding_dim);
}

namespace detail::pipeline {

// Checks, sizes and memory; builds the context with a fresh selection-phase model.
inline std::unique_ptr<selection_context> prepare(const dataset& train, const std::optional<evaluation_set>& valid,
                                                  const coreset_options& opt, std::size_t threads,
                                                  const std::function<row_index(row_index)>& selection_size,
                                                  std::string method, std::string filter) {
  NACS_EXPECTS(train.encoded(), errc::invalid_data,
               "nacs::select_coreset: the training rows are not encoded; encode them with a vocabulary first");
  train.validate();
  if (valid) {
    NACS_EXPECTS(valid->data != nullptr, errc::invalid_argument, "nacs::select_coreset: the validation set has no data");
    NACS_EXPECTS(valid->data->cardinalities == train.cardinalities, errc::invalid_data,
                 "nacs::select_coreset: the validation rows are encoded differently from the training rows; "
                 "encode both with the same vocabulary");
  }
  const row_index n = train.rows();
  const row_index k = coreset_budget(opt.ratio, opt.k, n);
  const row_index target = selection_size(k);
  NACS_EXPECTS(target >= k && target <= n, errc::invalid_argument,
               "nacs::select_coreset: keeping k = " + std::to_string(k) + " rows after the " + filter +
                   " filter needs " + std::to_string(target) + " selected rows, but the data has " + std::to_string(n) +
                   ": lower the ratio or the filter's remove rate");
  const std::size_t rounds = opt.rounds ? opt.rounds : default_rounds(k, n);
  NACS_EXPECTS(static_cast<row_index>(rounds) <= target, errc::invalid_argument,
               "nacs::select_coreset: " + std::to_string(rounds) + " rounds but only " + std::to_string(target) +
                   " rows to select: every round needs at least one pick; use fewer rounds or a larger ratio");
  NACS_EXPECTS(opt.candidate_share > 0.0 && opt.candidate_share <= 1.0, errc::invalid_argument,
               "nacs::select_coreset: candidate_share = " + std::to_string(opt.candidate_share) +
                   " must be in (0, 1] (1: every row is a candidate in every round; the authors' code uses about 0.09)");
  const row_index p = opt.partition_size.value_or(default_partition_size);
  NACS_EXPECTS(p >= 2, errc::invalid_argument,
               "nacs::select_coreset: partition_size = " + std::to_string(p) + " must be >= 2 rows (e.g. 4096)");
  NACS_EXPECTS(opt.train.epochs >= 1, errc::invalid_argument,
               "nacs::select_coreset: train.epochs must be >= 1 (the epochs of the early-stopped phase)");
  NACS_EXPECTS(opt.train.eval_batch_size >= 1, errc::invalid_argument,
               "nacs::select_coreset: train.eval_batch_size must be >= 1");
  const std::size_t batch = opt.train.batch_size ? opt.train.batch_size : default_batch_size(target);
  const memory_plan mem = plan_memory(train, opt, 0, threads);
  const std::size_t bytes = mem.bytes;
  check_memory(bytes,
               "nacs::select_coreset (" + method + ", partitions of " + std::to_string(std::min(p, n)) + " rows)",
               opt.memory_limit);
  auto ctx = std::make_unique<selection_context>(train, valid, opt, k, target, rounds, std::min(p, n), batch);
  ctx->report.method = std::move(method);
  ctx->report.filter = std::move(filter);
  ctx->report.rows = n;
  ctx->report.budget = k;
  ctx->report.selected = target;
  ctx->report.partition_size = std::min(p, n);
  ctx->report.batch_size = batch;
  ctx->solve_threads = mem.solve_threads;
  ctx->report.peak_bytes_planned = bytes;
  return ctx;
}

// Runs the method; trains the selection model on its rows when it did not.
template <host_policy P, selection_method M>
method_result run_method(const P& policy, selection_context& ctx, const M& method) {
  method.validate();
  method_result r = method.select(policy, ctx);
  NACS_EXPECTS(static_cast<row_index>(r.rows.size()) == ctx.target, errc::invalid_data,
               "nacs::select_coreset: method " + std::string(method.name()) + " returned " +
                   std::to_string(r.rows.size()) + " rows instead of " + std::to_string(ctx.target));
  std::vector<char> seen(static_cast<std::size_t>(ctx.train.rows()), 0);
  for (const row_index row : r.rows) {
    NACS_EXPECTS(row >= 0 && row < ctx.train.rows() && !seen[static_cast<std::size_t>(row)], errc::invalid_data,
                 "nacs::select_coreset: method " + std::string(method.name()) + " returned row " +
                     std::to_string(row) + " twice or outside the data");
    seen[static_cast<std::size_t>(row)] = 1;
  }
  NACS_EXPECTS(r.weights.empty() || r.weights.size() == r.rows.size(), errc::invalid_data,
               "nacs::select_coreset: method weights do not match its rows");
  NACS_EXPECTS(r.targets.empty() || r.targets.size() == r.rows.size(), errc::invalid_data,
               "nacs::select_coreset: method targets do not match its rows");
  if (r.weights.empty()) r.weights.assign(r.rows.size(), 1.0f);
  if (r.targets.empty()) {
    r.targets.resize(r.rows.size());
    for (std::size_t i = 0; i < r.rows.size(); ++i) r.targets[i] = ctx.train.labels[static_cast<std::size_t>(r.rows[i])];
  }
  if (!r.trained) {
    // The same schedule as NaCS's: R epochs (one per round) on the rows, then the early-stopped phase.
    const std::int64_t planned =
        static_cast<std::int64_t>(ctx.rounds) * steps_per_epoch(ctx.target, ctx.batch_size) + final_phase_steps(ctx);
    ctx.report.planned_steps = planned;
    ctx.report.horizon_steps = horizon_steps(ctx, planned);
    train_selection_model(policy, ctx, r.rows, r.weights, ctx.rounds, false, ctx.rounds);
    if (ctx.valid) train_selection_model(policy, ctx, r.rows, r.weights, ctx.options.train.epochs, true, ctx.rounds);
    r.trained = true;
  }
  return r;
}

// Runs the filter on the method's rows and fills the coreset.
template <host_policy P, uncertainty_filter F>
coreset run_filter(const P& policy, selection_context& ctx, const F& filter, const method_result& r) {
  ctx.progress(pipeline_phase::filtering, ctx.report.rounds, 0, static_cast<row_index>(r.rows.size()));
  const auto t0 = clock::now();
  filter_result fr = filter.apply(policy, ctx.model, ctx.train, std::span<const row_index>(r.rows),
                                  std::span<const float>(r.targets), std::span<const float>(r.weights), ctx.budget,
                                  derive_seed(ctx.options.seed, tag::filter));
  ctx.report.filter_seconds += seconds_since(t0);
  NACS_EXPECTS(static_cast<row_index>(fr.kept.size()) == ctx.budget && fr.kept_weights.size() == fr.kept.size() &&
                   fr.kept_targets.size() == fr.kept.size(),
               errc::invalid_data,
               "nacs::select_coreset: filter " + std::string(filter.name()) + " kept " + std::to_string(fr.kept.size()) +
                   " rows (with " + std::to_string(fr.kept_weights.size()) + " weights, " +
                   std::to_string(fr.kept_targets.size()) + " targets) instead of " + std::to_string(ctx.budget));
  coreset c;
  c.rows = std::move(fr.kept);
  c.weights = std::move(fr.kept_weights);
  normalise_mean_one(c.weights);
  c.targets = std::move(fr.kept_targets);
  if (!r.offsets.empty()) {
    NACS_EXPECTS(r.offsets.size() == r.rows.size(), errc::invalid_data,
                 "nacs::select_coreset: method offsets do not match its rows");
    std::vector<std::size_t> at(static_cast<std::size_t>(ctx.train.rows()), 0);
    for (std::size_t i = 0; i < r.rows.size(); ++i) at[static_cast<std::size_t>(r.rows[i])] = i;
    c.offsets.resize(c.rows.size());
    for (std::size_t i = 0; i < c.rows.size(); ++i) c.offsets[i] = r.offsets[at[static_cast<std::size_t>(c.rows[i])]];
  }
  c.importance_weights = r.importance_weights;
  ctx.report.rows_removed = static_cast<row_index>(fr.removed.size());
  ctx.report.removed_rows = std::move(fr.removed);
  ctx.report.removed_scores = std::move(fr.removed_scores);
  ctx.report.optimizer_steps = ctx.optimizer.steps();
  ctx.report.total_seconds = ctx.elapsed();
  ctx.progress(pipeline_phase::done, ctx.report.rounds, 0, static_cast<row_index>(c.rows.size()));
  c.report = std::move(ctx.report);
  return c;
}

}  // namespace detail::pipeline

namespace detail {
/// The host backend's select_coreset.
template <host_policy P, selection_method M, uncertainty_filter F>
coreset host_run(algo::select_coreset, const P& policy, const dataset& train, const std::optional<evaluation_set>& valid,
                 const M& method, const F& filter, const coreset_options& opt) {
  auto ctx = pipeline::prepare(
      train, valid, opt, static_cast<std::size_t>(omp_threads(policy)),
      [&](row_index k) { return filter.selection_size(k); }, std::string(method.name()), std::string(filter.name()));
  const method_result r = pipeline::run_method(policy, *ctx, method);
  return pipeline::run_filter(policy, *ctx, filter, r);
}
}  // namespace detail

template <class P, selection_method M, uncertainty_filter F>
coreset select_coreset(const P& policy, const dataset& train, const std::optional<evaluation_set>& valid,
                       const M& method, const F& filter, const coreset_options& opt) {
  return detail::dispatch<algo::select_coreset>(policy, train, valid, method, filter, opt);
}

}  // namespace nacs
