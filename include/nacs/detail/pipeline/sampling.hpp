// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/pipeline/sampling.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <nacs/core/parallel.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/detail/pipeline/methods.hpp>
#include <nacs/detail/pipeline/rounds.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/final.hpp>
#include <nacs/pipeline/sampling.hpp>

namespace nacs {

namespace detail::pipeline {

// pi_i = min(1, c s_i) summing to k, and c (infinite when the positive scores are k or fewer).
struct inclusion {
  std::vector<double> pi;
  double c = 0.0;
};

inline inclusion solve_inclusion(std::span<const double> s, row_index k) {
  const std::size_t n = s.size();
  NACS_EXPECTS(k >= 0 && static_cast<std::size_t>(k) <= n, errc::invalid_argument,
               "nacs::inclusion_probabilities: k = " + std::to_string(k) + " must be in [0, " + std::to_string(n) +
                   "], the number of scores");
  std::size_t positive = 0;
  for (std::size_t i = 0; i < n; ++i) {
    NACS_EXPECTS(std::isfinite(s[i]) && s[i] >= 0.0, errc::invalid_argument,
                 "nacs::inclusion_probabilities: score " + std::to_string(i) + " is negative or not finite");
    positive += s[i] > 0.0 ? 1 : 0;
  }
  inclusion out;
  out.pi.assign(n, 0.0);
  const auto kk = static_cast<std::size_t>(k);
  if (kk == 0) return out;
  if (positive <= kk) {
    // Every positive score is kept; the zero scores share what is left equally.
    const double rest = positive < n ? static_cast<double>(kk - positive) / static_cast<double>(n - positive) : 0.0;
    for (std::size_t i = 0; i < n; ++i) out.pi[i] = s[i] > 0.0 ? 1.0 : rest;
    out.c = HUGE_VAL;
    return out;
  }
  std::vector<double> sorted(s.begin(), s.end());
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  // suffix[t] = sum of sorted[t..n)
  std::vector<double> suffix(n + 1, 0.0);
  for (std::size_t i = n; i-- > 0;) suffix[i] = suffix[i + 1] + sorted[i];
  double c = 0.0;
  for (std::size_t t = 0; t < kk; ++t) {  // t rows capped at 1
    c = static_cast<double>(kk - t) / suffix[t];
    if (c * sorted[t] <= 1.0) break;
  }
  out.c = c;
  for (std::size_t i = 0; i < n; ++i) out.pi[i] = std::min(1.0, c * s[i]);
  return out;
}

// The rows of a pilot sample: m rows uniformly, or balanced like random-balanced.
inline std::vector<row_index> pilot_rows(const selection_context& ctx, row_index m, pilot_sample how) {
  const dataset& d = ctx.train;
  if (how == pilot_sample::uniform) {
    std::vector<row_index> all(static_cast<std::size_t>(d.rows()));
    std::iota(all.begin(), all.end(), row_index{0});
    return draw_rows(std::move(all), m, stream(ctx.options.seed, tag::pilot, 0));
  }
  std::vector<row_index> pos, neg;
  for (row_index r = 0; r < d.rows(); ++r) (d.labels[static_cast<std::size_t>(r)] >= 0.5f ? pos : neg).push_back(r);
  const auto np = static_cast<row_index>(pos.size()), nn = static_cast<row_index>(neg.size());
  row_index want_pos = std::min(np, (m + 1) / 2);
  const row_index want_neg = std::min(nn, m - want_pos);
  want_pos = std::min(np, m - want_neg);
  auto rows = draw_rows(std::move(pos), want_pos, stream(ctx.options.seed, tag::pilot, 1));
  const auto negs = draw_rows(std::move(neg), want_neg, stream(ctx.options.seed, tag::pilot, 2));
  rows.insert(rows.end(), negs.begin(), negs.end());
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Trains the pilot of `po` (see nacs/pipeline/sampling.hpp) and adds its cost to the report.
template <host_policy P>
ctr_model<float> train_pilot(const P& policy, selection_context& ctx, const pilot_options& po) {
  const row_index n = ctx.train.rows();
  row_index m = po.share > 0.0 ? static_cast<row_index>(std::floor(po.share * static_cast<double>(n))) : ctx.budget;
  m = std::clamp<row_index>(m, std::min<row_index>(2, n), n);
  const std::vector<row_index> rows = pilot_rows(ctx, m, po.sample);
  model_config cfg = po.model.value_or(ctx.options.model);
  cfg.seed = derive_seed(ctx.options.seed, tag::pilot, 3);
  ctr_model<float> model(cfg, ctx.train.cardinalities);
  adam<float> opt(ctx.options.adam);
  train_options o = ctx.options.train;
  if (o.batch_size == 0) o.batch_size = default_batch_size(static_cast<row_index>(rows.size()));
  o.seed = derive_seed(ctx.options.seed, tag::pilot, 4);
  if (!ctx.valid) o.epochs = std::max<std::size_t>(1, ctx.rounds);  // as a baseline's selection model
  training_set ts{&ctx.train, rows};
  std::vector<float> offsets;
  if (po.sample == pilot_sample::balanced) {
    std::vector<float> y = labels_of(ctx.train, rows);
    const double o0 = class_prior_offset(ctx.train.labels, y, {});
    if (o0 != 0.0) offsets.assign(rows.size(), static_cast<float>(o0));
    ts.offsets = offsets;
  }
  const auto t0 = clock::now();
  const train_report r = train(policy, model, opt, ts, ctx.valid, o,
                               [&](const epoch_report&) { ctx.progress(pipeline_phase::training, 0, 0, 0); });
  ctx.report.training_seconds += seconds_since(t0);
  ctx.report.rows_trained += r.rows_trained;
  ctx.report.pilot_rows = static_cast<row_index>(rows.size());
  return model;
}

// Scores every training row with the pilot: fn(row, p, h) with p clamped to [1e-6, 1 - 1e-6]
// and h the head input (H values; the bias's 1 is not in it). Adds to the scoring time.
template <host_policy P, class F>
void score_pilot(const P& policy, selection_context& ctx, ctr_model<float>& pilot, F&& fn) {
  const auto t0 = clock::now();
  score_batches(policy, pilot, evaluation_set{&ctx.train}, score_options{.batch_size = 8192},
                [&](std::size_t first, ctr_model<float>& m) {
                  const auto p = m.probabilities();
                  const auto h = m.hidden();
                  for_each_range(policy, p.size(), 1024, [&](std::size_t b, std::size_t e) {
                    for (std::size_t i = b; i < e; ++i)
                      fn(first + i, std::clamp(p[i], 1e-6f, 1.0f - 1e-6f),
                         std::span<const float>(&h(i, 0), h.cols()));
                  });
                });
  ctx.report.rows_scored += ctx.train.rows();
  ctx.report.scoring_seconds += seconds_since(t0);
  ctx.progress(pipeline_phase::scoring, 1, 0, 0);
}

// Draws the target rows with pi = inclusion probabilities of `scores`; with importance, weights
// 1 / pi clipped at clip x N / target, mean 1, and the effective sample share in the report.
inline method_result draw_with_probabilities(selection_context& ctx, std::span<const double> pi, bool importance,
                                             double clip) {
  method_result out;
  out.rows = nacs::systematic_sample(pi, ctx.target, derive_seed(ctx.options.seed, tag::sampling));
  out.importance_weights = importance;
  if (importance) {
    const double cap = clip * static_cast<double>(ctx.train.rows()) / static_cast<double>(ctx.target);
    importance_weights_result w = nacs::inverse_probability_weights(pi, out.rows, cap);
    out.weights = std::move(w.weights);
    ctx.report.effective_sample_share = w.effective_sample_share;
  }
  ctx.report.rounds = 1;
  return out;
}

}  // namespace detail::pipeline

inline importance_weights_result inverse_probability_weights(std::span<const double> probabilities,
                                                            std::span<const row_index> rows, double cap) {
  NACS_EXPECTS(cap > 0.0, errc::invalid_argument, "nacs::inverse_probability_weights: the cap must be > 0");
  importance_weights_result out;
  out.weights.resize(rows.size());
  double sum = 0, sq = 0;
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const row_index r = rows[j];
    NACS_EXPECTS(r >= 0 && static_cast<std::size_t>(r) < probabilities.size() &&
                     probabilities[static_cast<std::size_t>(r)] > 0.0,
                 errc::invalid_argument,
                 "nacs::inverse_probability_weights: row " + std::to_string(r) +
                     " is out of range or had probability 0, so it cannot have been sampled");
    const double w = std::min(cap, 1.0 / probabilities[static_cast<std::size_t>(r)]);
    out.weights[j] = static_cast<float>(w);
    sum += w;
    sq += w * w;
  }
  detail::pipeline::normalise_mean_one(out.weights);
  out.effective_sample_share = sq > 0 ? sum * sum / sq / static_cast<double>(rows.size()) : 1.0;
  return out;
}

inline std::vector<double> inclusion_probabilities(std::span<const double> scores, row_index k) {
  return detail::pipeline::solve_inclusion(scores, k).pi;
}

inline std::vector<row_index> systematic_sample(std::span<const double> probabilities, row_index k,
                                                std::uint64_t seed) {
  const std::size_t n = probabilities.size();
  NACS_EXPECTS(k >= 0 && static_cast<std::size_t>(k) <= n, errc::invalid_argument,
               "nacs::systematic_sample: k = " + std::to_string(k) + " must be in [0, " + std::to_string(n) + "]");
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double p = probabilities[i];
    NACS_EXPECTS(std::isfinite(p) && p >= 0.0 && p <= 1.0 + 1e-9, errc::invalid_argument,
                 "nacs::systematic_sample: probability " + std::to_string(i) + " is " + std::to_string(p) +
                     "; inclusion probabilities must be in [0, 1]");
    total += p;
  }
  const double kd = static_cast<double>(k);
  NACS_EXPECTS(std::abs(total - kd) <= 1e-6 * std::max(1.0, kd), errc::invalid_argument,
               "nacs::systematic_sample: the probabilities sum to " + std::to_string(total) + ", not k = " +
                   std::to_string(k) + "; make them with nacs::inclusion_probabilities(scores, k)");
  std::vector<row_index> out;
  if (k == 0) return out;
  random_stream rng(seed);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  const double u = rng.uniform(), scale = kd / total;
  std::vector<char> kept(n, 0);
  std::size_t point = 0, missing = 0;
  double end = 0.0;
  for (const std::size_t i : order) {
    end += probabilities[i] * scale;
    while (point < static_cast<std::size_t>(k) && u + static_cast<double>(point) < end) {
      if (kept[i]) ++missing;
      kept[i] = 1;
      ++point;
    }
  }
  missing += static_cast<std::size_t>(k) - point;
  out.reserve(static_cast<std::size_t>(k));
  for (std::size_t i = 0; i < n; ++i)
    if (kept[i]) out.push_back(static_cast<row_index>(i));
  if (missing > 0) {
    std::vector<row_index> rest;
    for (std::size_t i = 0; i < n; ++i)
      if (!kept[i]) rest.push_back(static_cast<row_index>(i));
    std::stable_sort(rest.begin(), rest.end(), [&](row_index a, row_index b) {
      return probabilities[static_cast<std::size_t>(a)] > probabilities[static_cast<std::size_t>(b)];
    });
    out.insert(out.end(), rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(missing));
    std::sort(out.begin(), out.end());
  }
  return out;
}

template <host_policy P>
method_result negsample_method::select(const P&, selection_context& ctx) const {
  using namespace detail::pipeline;
  const class_draw d =
      draw_by_class(ctx, static_cast<row_index>(std::llround(positive_share * static_cast<double>(ctx.target))));
  method_result out;
  out.rows = d.rows;
  // o = log(a1 / a0), the log ratio of the classes' keep rates (0 when a class has no rows kept)
  double o = 0.0;
  if (d.kept_positive > 0 && d.kept_negative > 0)
    o = std::log(static_cast<double>(d.kept_positive) / static_cast<double>(d.positives)) -
        std::log(static_cast<double>(d.kept_negative) / static_cast<double>(d.negatives));
  out.offsets.assign(out.rows.size(), static_cast<float>(o));
  ctx.report.rounds = 1;
  return out;
}

template <host_policy P>
method_result lcc_method::select(const P& policy, selection_context& ctx) const {
  using namespace detail::pipeline;
  ctr_model<float> model = train_pilot(policy, ctx, pilot);
  const auto n = static_cast<std::size_t>(ctx.train.rows());
  std::vector<float> pt(n);
  score_pilot(policy, ctx, model, [&](std::size_t i, float p, std::span<const float>) { pt[i] = p; });
  const auto t0 = clock::now();
  std::vector<double> s(n);
  for (std::size_t i = 0; i < n; ++i) s[i] = std::abs(static_cast<double>(ctx.train.labels[i]) - pt[i]);
  const inclusion inc = solve_inclusion(s, ctx.target);
  method_result out = draw_with_probabilities(ctx, inc.pi, false, 1.0);
  out.offsets.resize(out.rows.size());
  for (std::size_t j = 0; j < out.rows.size(); ++j) {
    out.offsets[j] = static_cast<float>(case_control_offset(pt[static_cast<std::size_t>(out.rows[j])], inc.c));
  }
  ctx.report.selection_seconds += seconds_since(t0);
  return out;
}

template <host_policy P>
method_result osmac_method::select(const P& policy, selection_context& ctx) const {
  using namespace detail::pipeline;
  ctr_model<float> model = train_pilot(policy, ctx, pilot);
  const auto n = static_cast<std::size_t>(ctx.train.rows());
  std::vector<double> g(n);
  score_pilot(policy, ctx, model, [&](std::size_t i, float p, std::span<const float> h) {
    double sq = 1.0;  // the bias's input
    for (const float v : h) sq += static_cast<double>(v) * v;
    g[i] = std::abs(static_cast<double>(ctx.train.labels[i]) - p) * std::sqrt(sq);
  });
  const auto t0 = clock::now();
  const double mean = std::accumulate(g.begin(), g.end(), 0.0) / static_cast<double>(n);
  for (double& x : g) x = mean > 0 ? (1.0 - mix) * x / mean + mix : 1.0;
  method_result out = draw_with_probabilities(ctx, solve_inclusion(g, ctx.target).pi, true, weight_clip);
  ctx.report.selection_seconds += seconds_since(t0);
  return out;
}

template <host_policy P>
method_result sensitivity_method::select(const P& policy, selection_context& ctx) const {
  using namespace detail::pipeline;
  ctr_model<float> model = train_pilot(policy, ctx, pilot);
  const auto n = static_cast<std::size_t>(ctx.train.rows());
  const std::size_t d = model.hidden_size() + 1;
  // Z^T Z in double, rows in order (the same bits on seq and par).
  std::vector<double> gram(d * d, 0.0), z(d);
  const auto t0 = clock::now();
  score_batches(policy, model, evaluation_set{&ctx.train}, score_options{.batch_size = 8192},
                [&](std::size_t first, ctr_model<float>& m) {
                  const auto h = m.hidden();
                  for (std::size_t i = 0; i < h.rows(); ++i) {
                    const double sign = ctx.train.labels[first + i] >= 0.5f ? 1.0 : -1.0;
                    for (std::size_t a = 0; a + 1 < d; ++a) z[a] = sign * h(i, a);
                    z[d - 1] = sign;
                    for (std::size_t a = 0; a < d; ++a)
                      for (std::size_t b = 0; b <= a; ++b) gram[a * d + b] += z[a] * z[b];
                  }
                });
  double trace = 0;
  for (std::size_t a = 0; a < d; ++a) trace += gram[a * d + a];
  const double lambda = 1e-6 * std::max(trace, 1e-300) / static_cast<double>(d);
  // Cholesky G + lambda I = L L^T (lower triangle of gram holds L).
  for (std::size_t a = 0; a < d; ++a) {
    gram[a * d + a] += lambda;
    for (std::size_t b = 0; b <= a; ++b) {
      double v = gram[a * d + b];
      for (std::size_t c = 0; c < b; ++c) v -= gram[a * d + c] * gram[b * d + c];
      if (a == b) {
        NACS_EXPECTS(v > 0.0, errc::invalid_data,
                     "nacs::sensitivity_method: the pilot's head inputs are degenerate (Gram matrix not positive)");
        gram[a * d + a] = std::sqrt(v);
      } else {
        gram[a * d + b] = v / gram[b * d + b];
      }
    }
  }
  ctx.report.scoring_seconds += seconds_since(t0);
  std::vector<double> s(n);
  score_pilot(policy, ctx, model, [&](std::size_t i, float, std::span<const float> h) {
    // l_i = |L^-1 z_i|^2 by forward substitution; per row, so any split of rows gives the same bits.
    thread_local std::vector<double> y;
    y.resize(d);
    const double sign = ctx.train.labels[i] >= 0.5f ? 1.0 : -1.0;
    double lev = 0;
    for (std::size_t a = 0; a < d; ++a) {
      double v = sign * (a + 1 < d ? static_cast<double>(h[a]) : 1.0);
      for (std::size_t c = 0; c < a; ++c) v -= gram[a * d + c] * y[c];
      y[a] = v / gram[a * d + a];
      lev += y[a] * y[a];
    }
    s[i] = std::sqrt(lev) + 1.0 / static_cast<double>(n);
  });
  const auto t1 = clock::now();
  method_result out = draw_with_probabilities(ctx, solve_inclusion(s, ctx.target).pi, true, weight_clip);
  ctx.report.selection_seconds += seconds_since(t1);
  return out;
}

}  // namespace nacs
