// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/pipeline/methods.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <vector>

#include <nacs/detail/pipeline/rounds.hpp>
#include <nacs/model/metrics.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/objective/k_center.hpp>
#include <nacs/objective/set_cover.hpp>
#include <nacs/pipeline/final.hpp>
#include <nacs/pipeline/methods.hpp>
#include <nacs/similarity.hpp>

namespace nacs {

namespace detail::pipeline {

// k rows of `pool` drawn uniformly without replacement (partial Fisher-Yates), in increasing order.
inline std::vector<row_index> draw_rows(std::vector<row_index> pool, row_index k, random_stream rng) {
  const std::size_t n = pool.size(), m = static_cast<std::size_t>(k);
  for (std::size_t i = 0; i < m; ++i) std::swap(pool[i], pool[i + rng.below(n - i)]);
  pool.resize(m);
  std::sort(pool.begin(), pool.end());
  return pool;
}

// The target rows of ctx drawn per class: `positives` positives (label >= 0.5) and the rest negatives,
// uniformly within each class (all of a class when it has too few, the other making up the rest), in
// increasing order; with each class's size and how many of it were kept.
struct class_draw {
  std::vector<row_index> rows;
  row_index positives = 0, negatives = 0, kept_positive = 0, kept_negative = 0;
};

inline class_draw draw_by_class(const selection_context& ctx, row_index positives) {
  std::vector<row_index> pos, neg;
  for (row_index r = 0; r < ctx.train.rows(); ++r)
    (ctx.train.labels[static_cast<std::size_t>(r)] >= 0.5f ? pos : neg).push_back(r);
  class_draw out;
  out.positives = static_cast<row_index>(pos.size());
  out.negatives = static_cast<row_index>(neg.size());
  out.kept_negative = std::min(out.negatives, ctx.target - std::min(out.positives, positives));
  out.kept_positive = std::min(out.positives, ctx.target - out.kept_negative);
  out.rows = draw_rows(std::move(pos), out.kept_positive, stream(ctx.options.seed, tag::balanced_positive));
  const auto negatives = draw_rows(std::move(neg), out.kept_negative, stream(ctx.options.seed, tag::balanced_negative));
  out.rows.insert(out.rows.end(), negatives.begin(), negatives.end());
  std::sort(out.rows.begin(), out.rows.end());
  return out;
}

inline std::vector<float> labels_of(const dataset& d, std::span<const row_index> rows) {
  std::vector<float> y(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) y[i] = d.labels[static_cast<std::size_t>(rows[i])];
  return y;
}

inline void copy_labels(std::span<const float> y, std::span<const float>, std::span<float> q) {
  std::copy(y.begin(), y.end(), q.begin());
}

}  // namespace detail::pipeline

template <greedy_solver Solver, gradient_embedding Embedding, class Trust>
template <host_policy P>
method_result nacs_method<Solver, Embedding, Trust>::select(const P& policy, selection_context& ctx) const {
  using namespace detail::pipeline;
  const std::size_t R = ctx.rounds;
  const std::size_t B = ctx.batch_size;
  // T: every round's epochs on the rows chosen so far, plus the early-stopped phase (round_epochs 0
  // without a validation set: R epochs on all the rows after the last round).
  const std::size_t E = ctx.options.round_epochs;
  const bool deferred = E == 0 && !ctx.valid;
  std::int64_t planned = 0;
  row_index so_far = 0;
  for (std::size_t r = 0; r < R; ++r) {
    so_far += round_share(ctx.target, r, R);
    planned += static_cast<std::int64_t>(E) * steps_per_epoch(so_far, B);
  }
  if (deferred) planned += static_cast<std::int64_t>(R) * steps_per_epoch(ctx.target, B);
  planned += final_phase_steps(ctx);
  const std::int64_t T = horizon_steps(ctx, planned);
  ctx.report.planned_steps = planned;
  ctx.report.horizon_steps = T;
  ctx.report.rounds = R;
  if constexpr (requires { trust.validate(std::int64_t{0}, T); }) trust.validate(0, T);
  const Trust& tr = trust;
  const std::function<void(std::span<const float>, std::int64_t, std::span<float>)> hook =
      [&tr, T](std::span<const float> p, std::int64_t step, std::span<float> q) {
        for (std::size_t i = 0; i < q.size(); ++i) q[i] = tr.target(q[i], p[i], step, T);
      };
  const target_fn targets = [&](std::span<const float> y, std::span<const float> p, std::span<float> q) {
    const std::int64_t t = ctx.optimizer.steps();
    for (std::size_t i = 0; i < y.size(); ++i) q[i] = trust.target(y[i], p[i], t, T);
  };
  const auto embed = [&](const auto& on, const ctr_model<float>& m, std::span<const float> y, std::span<const float> q,
                         matrix_view<float> out) { embedding.compute(on, m, ctx.optimizer, y, q, out); };
  const std::size_t dim = embedding.dimension(ctx.model.hidden_size());
  std::vector<char> chosen(static_cast<std::size_t>(ctx.train.rows()), 0);
  method_result out;
  out.rows.reserve(static_cast<std::size_t>(ctx.target));
  for (std::size_t r = 0; r < R; ++r) {
    round_picks picks = solve_round(
        policy, ctx, r + 1, round_share(ctx.target, r, R), chosen, solver, targets, embed, dim,
        [](matrix_view<const float> x) { return facility_location{x, neg_distance{}}; },
        static_cast<row_index>(out.rows.size()));
    out.rows.insert(out.rows.end(), picks.rows.begin(), picks.rows.end());
    out.weights.insert(out.weights.end(), picks.weights.begin(), picks.weights.end());
    if (E > 0) train_selection_model(policy, ctx, out.rows, out.weights, E, false, r + 1, hook);
  }
  if (deferred) train_selection_model(policy, ctx, out.rows, out.weights, R, false, R, hook);
  if (ctx.valid) train_selection_model(policy, ctx, out.rows, out.weights, ctx.options.train.epochs, true, R, hook);
  // Corrected targets from the model as it ends.
  const auto t0 = clock::now();
  const auto p = predict(policy, ctx.model, evaluation_set{&ctx.train, out.rows});
  const std::int64_t t = ctx.optimizer.steps();
  out.targets.resize(out.rows.size());
  for (std::size_t i = 0; i < out.rows.size(); ++i)
    out.targets[i] = trust.target(ctx.train.labels[static_cast<std::size_t>(out.rows[i])], p[i], t, T);
  ctx.report.filter_seconds += seconds_since(t0);
  out.trained = true;
  return out;
}

template <host_policy P>
method_result random_method::select(const P&, selection_context& ctx) const {
  using namespace detail::pipeline;
  std::vector<row_index> all(static_cast<std::size_t>(ctx.train.rows()));
  std::iota(all.begin(), all.end(), row_index{0});
  method_result out;
  out.rows = draw_rows(std::move(all), ctx.target, stream(ctx.options.seed, tag::random));
  ctx.report.rounds = 1;
  return out;
}

template <host_policy P>
method_result balanced_random_method::select(const P&, selection_context& ctx) const {
  using namespace detail::pipeline;
  method_result out;
  out.rows = draw_by_class(ctx, (ctx.target + 1) / 2).rows;
  ctx.report.rounds = 1;
  return out;
}

template <greedy_solver Solver>
template <host_policy P>
method_result set_cover_method<Solver>::select(const P& policy, selection_context& ctx) const {
  using namespace detail::pipeline;
  partition_options po;
  po.partition_size = ctx.partition_size;
  po.shuffle_seed = derive_seed(ctx.options.seed, tag::partitions, 0);
  po.memory_limit = ctx.options.memory_limit;
  row_index parts_with_budget = 0;
  po.on_progress = [&](const partition_progress& pp) {
    parts_with_budget = pp.total;
    ctx.report.partitions_solved += 1;
    ctx.progress(pipeline_phase::selecting, 1, pp.total, pp.picks);
  };
  Solver s = solver;
  if constexpr (requires { s.seed; }) s.seed = derive_seed(ctx.options.seed, tag::set_cover);
  const auto t0 = clock::now();
  const selection sel = maximize_partitioned(policy, set_cover{ctx.train}, ctx.target, s, po);
  ctx.report.selection_seconds += seconds_since(t0);
  ctx.report.unrepresented_rows += sel.unrepresented_rows();
  ctx.report.rounds = 1;
  (void)parts_with_budget;
  method_result out;
  out.rows = sel.indices;
  out.weights.assign(sel.weights.begin(), sel.weights.end());
  normalise_mean_one(out.weights);
  return out;
}

template <greedy_solver Solver, gradient_embedding Embedding>
template <host_policy P>
method_result k_center_method<Solver, Embedding>::select(const P& policy, selection_context& ctx) const {
  using namespace detail::pipeline;
  const auto embed = [&](const auto& on, const ctr_model<float>& m, std::span<const float> y, std::span<const float> q,
                         matrix_view<float> out) { embedding.compute(on, m, ctx.optimizer, y, q, out); };
  const std::size_t dim = embedding.dimension(ctx.model.hidden_size());
  std::vector<char> chosen(static_cast<std::size_t>(ctx.train.rows()), 0);
  round_picks picks = solve_round(
      policy, ctx, 1, ctx.target, chosen, solver, target_fn(copy_labels), embed, dim,
      [](matrix_view<const float> x) { return k_center{x}; }, 0);
  ctx.report.rounds = 1;
  method_result out;
  out.rows = std::move(picks.rows);
  out.weights = std::move(picks.weights);
  return out;
}

template <host_policy P>
method_result svpcf_method::select(const P& policy, selection_context& ctx) const {
  using namespace detail::pipeline;
  const dataset& d = ctx.train;
  const auto n = static_cast<std::size_t>(d.rows());
  model_config cfg = ctx.options.model;
  cfg.kind = model_kind::fm;
  cfg.seed = derive_seed(ctx.options.seed, tag::proxy);
  ctr_model<float> proxy(cfg, d.cardinalities);
  adam<float> opt(ctx.options.adam);
  train_options o;
  o.batch_size = default_batch_size(d.rows());
  o.epochs = 1;
  o.patience = 0;
  o.seed = derive_seed(ctx.options.seed, tag::proxy, 1);
  std::vector<double> importance(n, 0.0);
  const auto t0 = clock::now();
  for (std::size_t e = 0; e < epochs; ++e) {
    ctx.report.rows_trained += train(policy, proxy, opt, training_set{&d}, std::nullopt, o).rows_trained;
    const auto p = predict(policy, proxy, evaluation_set{&d});
    for (std::size_t i = 0; i < n; ++i) {
      const double x = std::clamp(static_cast<double>(p[i]), 1e-7, 1.0 - 1e-7), y = d.labels[i];
      importance[i] -= y * std::log(x) + (1.0 - y) * std::log1p(-x);
    }
    ctx.report.rows_scored += d.rows();
    ctx.progress(pipeline_phase::scoring, 1, 0, 0);
  }
  ctx.report.scoring_seconds += seconds_since(t0);
  const auto t1 = clock::now();
  method_result out;
  out.rows = top_rows(importance, ctx.target);
  ctx.report.selection_seconds += seconds_since(t1);
  ctx.report.rounds = 1;
  return out;
}

template <gradient_embedding Embedding>
template <host_policy P>
method_result gradnorm_method<Embedding>::select(const P& policy, selection_context& ctx) const {
  using namespace detail::pipeline;
  const dataset& d = ctx.train;
  const std::size_t dim = embedding.dimension(ctx.model.hidden_size());
  std::vector<double> norm(static_cast<std::size_t>(d.rows()), 0.0);
  std::vector<float> y, emb;
  double inner = 0;
  const auto t0 = clock::now();
  score_batches(policy, ctx.model, evaluation_set{&d}, score_options{.batch_size = 8192},
                [&](std::size_t first, ctr_model<float>& m) {
                  const auto t1 = clock::now();
                  const std::size_t b = m.probabilities().size();
                  y.assign(d.labels.begin() + static_cast<std::ptrdiff_t>(first),
                           d.labels.begin() + static_cast<std::ptrdiff_t>(first + b));
                  emb.resize(b * dim);
                  embedding.compute(policy, m, ctx.optimizer, std::span<const float>(y), std::span<const float>(y),
                                    matrix_view<float>(emb.data(), b, dim));
                  for (std::size_t i = 0; i < b; ++i) {
                    double s = 0;
                    for (std::size_t j = 0; j < dim; ++j) s += static_cast<double>(emb[i * dim + j]) * emb[i * dim + j];
                    norm[first + i] = std::sqrt(s);
                  }
                  inner += seconds_since(t1);
                });
  const double total = seconds_since(t0);
  ctx.report.embedding_seconds += inner;
  ctx.report.scoring_seconds += total - inner;
  ctx.report.rows_scored += d.rows();
  const auto t2 = clock::now();
  method_result out;
  out.rows = top_rows(norm, ctx.target);
  ctx.report.selection_seconds += seconds_since(t2);
  ctx.report.rounds = 1;
  return out;
}

}  // namespace nacs
