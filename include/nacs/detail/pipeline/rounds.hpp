// SPDX-License-Identifier: Apache-2.0
// Pieces shared by the selection methods: seeds, scoring a partition into
// embeddings, one round of partitioned solves, training the selection model.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/parallel.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/coreset.hpp>
#include <nacs/pipeline/method.hpp>
#include <nacs/solver/maximize.hpp>
#include <nacs/solver/partition.hpp>

namespace nacs::detail::pipeline {

// Stream tags: every draw of a selection comes from random_stream(seed, tag << 40 | detail).
enum class tag : std::uint64_t {
  random = 1,
  balanced_positive = 2,
  balanced_negative = 3,
  partitions = 4,
  solver = 5,
  training = 6,
  filter = 7,
  proxy = 8,
  set_cover = 9,
  candidates = 10,
  pilot = 11,
  sampling = 12,
};

inline std::uint64_t derive_seed(std::uint64_t seed, tag t, std::uint64_t detail = 0) noexcept {
  random_stream rng(seed, (static_cast<std::uint64_t>(t) << 40) ^ detail);
  return rng.next_u64();
}
inline random_stream stream(std::uint64_t seed, tag t, std::uint64_t detail = 0) noexcept {
  return random_stream(seed, (static_cast<std::uint64_t>(t) << 40) ^ detail);
}

using clock = std::chrono::steady_clock;
inline double seconds_since(clock::time_point t0) {
  return std::chrono::duration<double>(clock::now() - t0).count();
}

inline std::int64_t steps_per_epoch(row_index rows, std::size_t batch) noexcept {
  return (rows + static_cast<row_index>(batch) - 1) / static_cast<row_index>(batch);
}

// The r-th of R shares of total (0-based r): they differ by at most one and sum to total.
inline row_index round_share(row_index total, std::size_t r, std::size_t rounds) noexcept {
  const auto R = static_cast<row_index>(rounds), i = static_cast<row_index>(r);
  return total * (i + 1) / R - total * i / R;
}

// Horizon T of the trust schedule, as coreset_options::horizon says.
inline std::int64_t horizon_steps(const selection_context& ctx, std::int64_t planned) noexcept {
  if (ctx.options.horizon == trust_horizon::planned_steps) return std::max<std::int64_t>(1, planned);
  const auto epochs = static_cast<std::int64_t>(std::max<std::size_t>(1, ctx.options.train.epochs));
  return std::max<std::int64_t>(1, steps_per_epoch(ctx.train.rows(), ctx.batch_size) * epochs);
}

// Steps of the early-stopped phase after the last round (0 without a validation set).
inline std::int64_t final_phase_steps(const selection_context& ctx) noexcept {
  if (!ctx.valid) return 0;
  return static_cast<std::int64_t>(ctx.options.train.epochs) * steps_per_epoch(ctx.target, ctx.batch_size);
}

// Rescales w so that it sums to w.size() (mean 1); all-zero stays as it is.
inline void normalise_mean_one(std::span<float> w) {
  double sum = 0;
  for (const float x : w) sum += x;
  if (!(sum > 0)) return;
  const double scale = static_cast<double>(w.size()) / sum;
  for (float& x : w) x = static_cast<float>(x * scale);
}

// The k rows of largest score (ties to the lower row index), in increasing row order.
inline std::vector<row_index> top_rows(std::span<const double> score, row_index k) {
  std::vector<row_index> idx(score.size());
  std::iota(idx.begin(), idx.end(), row_index{0});
  const auto better = [&](row_index a, row_index b) {
    const double sa = score[static_cast<std::size_t>(a)], sb = score[static_cast<std::size_t>(b)];
    return sa > sb || (sa == sb && a < b);
  };
  std::nth_element(idx.begin(), idx.begin() + k, idx.end(), better);
  idx.resize(static_cast<std::size_t>(k));
  std::sort(idx.begin(), idx.end());
  return idx;
}

// q for a batch: labels y, probabilities p -> q.
using target_fn = std::function<void(std::span<const float> y, std::span<const float> p, std::span<float> q)>;
// Embeddings of a model's last forward come from a callable embed(policy, model, labels, q, out (rows x d)).

// Seconds spent in each phase of a round.
struct phase_seconds {
  double scoring = 0, embedding = 0, solving = 0;
};

// Forwards `rows` of train through `model` (eval mode) and writes their embeddings to out
// (rows.size() x dim, row-major); adds the scoring and embedding seconds to `time`.
template <host_policy P, class Embed>
void embed_rows(const P& policy, ctr_model<float>& model, const dataset& train, std::span<const row_index> rows,
                const target_fn& targets, const Embed& embed, std::size_t dim, std::vector<float>& out,
                phase_seconds& time) {
  out.resize(rows.size() * dim);
  std::vector<float> y, q;
  double inner = 0;
  const auto t0 = clock::now();
  score_batches(policy, model, evaluation_set{&train, rows}, score_options{.batch_size = 8192},
                [&](std::size_t first, ctr_model<float>& m) {
                  const auto t1 = clock::now();
                  const auto p = m.probabilities();
                  const std::size_t n = p.size();
                  y.resize(n);
                  q.resize(n);
                  for (std::size_t i = 0; i < n; ++i) y[i] = train.labels[static_cast<std::size_t>(rows[first + i])];
                  targets(y, p, q);
                  embed(policy, std::as_const(m), std::span<const float>(y), std::span<const float>(q),
                        matrix_view<float>(out.data() + first * dim, n, dim));
                  inner += seconds_since(t1);
                });
  time.embedding += inner;
  time.scoring += seconds_since(t0) - inner;
}

// What one round of partitioned solves picked.
struct round_picks {
  std::vector<row_index> rows;
  std::vector<float> weights;  // rescaled to sum to rows.size()
};

// The class of partition p of a class-balanced cut (1: clicks), read from its first row: every
// row of such a partition has the same label. Empty partitions count as class 0.
inline int partition_class(const selection_context& ctx, const partition_plan& plan, std::size_t p) {
  const auto rows = plan.partition(static_cast<row_index>(p));
  return !rows.empty() && ctx.train.labels[static_cast<std::size_t>(rows[0])] >= 0.5f ? 1 : 0;
}

// Budgets of the round's partitions: proportional to size (random), or half per class first (class_balanced).
inline std::vector<row_index> round_budgets(const selection_context& ctx, const partition_plan& plan,
                                            std::span<const row_index> sizes, std::span<const row_index> caps,
                                            row_index budget) {
  if (ctx.options.partitions == partition_mode::random) return partition_budgets(sizes, caps, budget);
  const auto parts = static_cast<std::size_t>(plan.count());
  std::vector<std::size_t> of_class[2];
  row_index cap[2] = {0, 0};
  for (std::size_t p = 0; p < parts; ++p) {
    if (sizes[p] == 0) continue;
    const int c = partition_class(ctx, plan, p);
    of_class[c].push_back(p);
    cap[c] += caps[p];
  }
  row_index want[2];
  want[1] = std::min(cap[1], (budget + 1) / 2);
  want[0] = std::min(cap[0], budget - want[1]);
  want[1] = std::min(cap[1], budget - want[0]);
  std::vector<row_index> out(parts, 0);
  for (int c = 0; c < 2; ++c) {
    std::vector<row_index> s, k;
    for (const std::size_t p : of_class[c]) {
      s.push_back(sizes[p]);
      k.push_back(caps[p]);
    }
    const auto b = partition_budgets(s, k, want[c]);
    for (std::size_t i = 0; i < b.size(); ++i) out[of_class[c][i]] = b[i];
  }
  return out;
}

// coreset_options::candidate_share < 1: keeps the capacities of a seeded random set of whole
// partitions holding at least share x (the class's) rows, per class for class-balanced partitions,
// and zeroes the others, so that only the drawn partitions get budgets. Throws when the drawn
// partitions cannot take the round's budget. A round's draw holds at least share x N rows, of which
// at most the rows chosen in earlier rounds are taken, so a share of ctx.target / N (all the rows the
// rounds select) suffices for every round: the message suggests that share.
inline void draw_candidates(const selection_context& ctx, const partition_plan& plan, std::size_t round,
                            std::span<const row_index> sizes, std::span<row_index> caps, row_index budget) {
  const auto parts = static_cast<std::size_t>(plan.count());
  const bool by_class = ctx.options.partitions == partition_mode::class_balanced;
  std::vector<std::size_t> order(parts);
  std::iota(order.begin(), order.end(), std::size_t{0});
  random_stream rng = stream(ctx.options.seed, tag::candidates, round);
  for (std::size_t i = parts; i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(rng.below(i))]);
  const auto class_of = [&](std::size_t p) { return by_class ? partition_class(ctx, plan, p) : 0; };
  double total[2] = {0, 0};
  for (std::size_t p = 0; p < parts; ++p) total[class_of(p)] += static_cast<double>(sizes[p]);
  double drawn[2] = {0, 0};
  row_index capacity = 0, rows_drawn = 0;
  for (const std::size_t p : order) {
    const int c = class_of(p);
    if (sizes[p] > 0 && drawn[c] < ctx.options.candidate_share * total[c]) {
      drawn[c] += static_cast<double>(sizes[p]);
      capacity += caps[p];
      rows_drawn += sizes[p];
    } else {
      caps[p] = 0;
    }
  }
  const auto share_text = [](double x) {  // a share in (0, 1], two significant digits rounded up: "0.14", "0.0021"
    char buf[32];
    const double scale = std::pow(10.0, 1.0 - std::floor(std::log10(x)));
    std::snprintf(buf, sizeof buf, "%.3g", std::ceil(x * scale) / scale);
    return std::string(buf);
  };
  NACS_EXPECTS(capacity >= budget, errc::invalid_argument,
               "nacs::select_coreset: candidate_share = " + share_text(ctx.options.candidate_share) + " draws " +
                   std::to_string(rows_drawn) + " rows in round " + std::to_string(round) + ", of which " +
                   std::to_string(capacity) + " are not yet chosen, but the round needs " + std::to_string(budget) +
                   " picks: raise candidate_share (to " +
                   share_text(std::min(1.0, static_cast<double>(ctx.target) / static_cast<double>(ctx.train.rows()))) +
                   ") or lower the ratio");
}

// Solves make_objective(emb) (one partition's embeddings, rows.size() x dim) for `budget`
// picks, rows already chosen excluded. Touches nothing shared but reads.
template <host_policy P, greedy_solver S, class MakeObjective>
selection solve_partition(const P& policy, const selection_context& ctx, std::span<const row_index> rows,
                          const std::vector<float>& emb, std::size_t dim, row_index budget,
                          const std::vector<char>& chosen, const S& solver, std::uint64_t solver_seed,
                          const MakeObjective& make_objective) {
  std::vector<row_index> exclude;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (chosen[static_cast<std::size_t>(rows[i])]) exclude.push_back(static_cast<row_index>(i));
  const auto objective = make_objective(matrix_view<const float>(emb.data(), rows.size(), dim));
  S s = solver;
  if constexpr (requires { s.seed; }) s.seed = solver_seed;
  partition_options one;
  one.exclude = exclude;
  one.memory_limit = ctx.options.memory_limit;
  selection sel = maximize_partitioned(policy, objective, budget, s, one);
  NACS_EXPECTS(sel.indices.size() == static_cast<std::size_t>(budget), errc::invalid_data,
               "nacs::select_coreset: the solver made " + std::to_string(sel.indices.size()) + " picks for a budget of " +
                   std::to_string(budget));
  return sel;
}

// On par, partitions are solved side by side in waves: the calling thread scores and embeds
// the wave's partitions (one forward each, on all threads), then every worker thread takes
// whole partitions (kernel and greedy) on one thread, so a wave's solves are one parallel loop
// instead of several per kernel and per greedy step. A wave has
// tuning::selection_partitions_per_thread partitions per worker; the workers are the policy's
// threads, or fewer when the memory plan (coreset_memory_needed) shrank the wave to fit the
// limit (selection_context::solve_threads).
inline std::size_t wave_partitions(std::size_t workers) noexcept {
  return workers > 1 ? workers * tuning::selection_partitions_per_thread : 1;
}

// One round: cut all rows into partitions, share `budget`, and per partition with a budget
// embed its rows and solve make_objective(embeddings) with `solver`, rows with chosen[r] set
// excluded. Marks the picks in `chosen`. On par with several threads, partitions are solved
// side by side, each on one thread (see wave_partitions); a partition's picks are
// the same bits as when it is solved alone on all threads, and they are merged in partition order.
template <host_policy P, greedy_solver S, class Embed, class MakeObjective>
round_picks solve_round(const P& policy, selection_context& ctx, std::size_t round, row_index budget,
                        std::vector<char>& chosen, const S& solver, const target_fn& targets, const Embed& embed,
                        std::size_t dim, MakeObjective&& make_objective, row_index selected_before) {
  const row_index n = ctx.train.rows();
  partition_options cut;
  cut.partition_size = ctx.partition_size;
  cut.shuffle_seed = derive_seed(ctx.options.seed, tag::partitions, round);
  std::vector<std::int64_t> groups;
  if (ctx.options.partitions == partition_mode::class_balanced) {
    groups.resize(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < groups.size(); ++i) groups[i] = ctx.train.labels[i] >= 0.5f ? 1 : 0;
    cut.groups = groups;
  }
  const partition_plan plan = make_partitions(n, cut);
  const auto parts = static_cast<std::size_t>(plan.count());
  std::vector<row_index> sizes(parts), caps(parts);
  for (std::size_t p = 0; p < parts; ++p) {
    const auto rows = plan.partition(static_cast<row_index>(p));
    sizes[p] = static_cast<row_index>(rows.size());
    row_index c = 0;
    for (const row_index r : rows) c += chosen[static_cast<std::size_t>(r)] ? 0 : 1;
    caps[p] = c;
  }
  if (ctx.options.candidate_share < 1.0) draw_candidates(ctx, plan, round, sizes, caps, budget);
  const std::vector<row_index> budgets = round_budgets(ctx, plan, sizes, caps, budget);
  std::vector<std::size_t> active;
  for (std::size_t p = 0; p < parts; ++p) {
    if (budgets[p] > 0) active.push_back(p);
    else ctx.report.unrepresented_rows += sizes[p];
  }
  const auto with_budget = static_cast<row_index>(active.size());
  const auto seed_of = [&](std::size_t p) {
    return derive_seed(ctx.options.seed, tag::solver, (static_cast<std::uint64_t>(round) << 32) | p);
  };
  round_picks out;
  out.rows.reserve(static_cast<std::size_t>(budget));
  const auto take = [&](std::size_t p, const selection& sel) {
    const auto rows = plan.partition(static_cast<row_index>(p));
    for (std::size_t t = 0; t < sel.indices.size(); ++t) {
      const row_index g = rows[static_cast<std::size_t>(sel.indices[t])];
      chosen[static_cast<std::size_t>(g)] = 1;
      out.rows.push_back(g);
      out.weights.push_back(static_cast<float>(sel.weights[t]));
    }
    ctx.report.rows_scored += sizes[p];
    ++ctx.report.partitions_solved;
  };
  const auto selected_now = [&] { return selected_before + static_cast<row_index>(out.rows.size()); };
  std::size_t workers = 1;
  if constexpr (std::is_same_v<std::remove_cvref_t<P>, parallel_policy>)
    workers = std::min({static_cast<std::size_t>(std::max(1, policy.thread_count())), ctx.solve_threads, active.size()});
  const std::size_t wave = wave_partitions(workers);
  std::vector<std::vector<float>> embs(wave);
  std::vector<selection> sels(wave);
  for (std::size_t w0 = 0; w0 < active.size(); w0 += wave) {
    const std::size_t count = std::min(wave, active.size() - w0);
    phase_seconds t;
    for (std::size_t u = 0; u < count; ++u) {
      ctx.progress(pipeline_phase::scoring, round, with_budget, selected_now());
      embed_rows(policy, ctx.model, ctx.train, plan.partition(static_cast<row_index>(active[w0 + u])), targets, embed,
                 dim, embs[u], t);
    }
    const auto t0 = clock::now();
    if (workers <= 1) {
      const std::size_t p = active[w0];
      sels[0] = solve_partition(policy, ctx, plan.partition(static_cast<row_index>(p)), embs[0], dim, budgets[p], chosen,
                                solver, seed_of(p), make_objective);
    } else {
      // One block per partition; its kernel and greedy run inline on the block's thread. The
      // exception of the lowest failing partition is rethrown, as a one-thread run would.
      for_each_block(parallel_policy{static_cast<int>(workers)}, count, [&](std::size_t u) {
        const std::size_t p = active[w0 + u];
        sels[u] = solve_partition(seq, ctx, plan.partition(static_cast<row_index>(p)), embs[u], dim, budgets[p], chosen,
                                  solver, seed_of(p), make_objective);
      });
    }
    t.solving = seconds_since(t0);
    ctx.report.scoring_seconds += t.scoring;
    ctx.report.embedding_seconds += t.embedding;
    ctx.report.selection_seconds += t.solving;
    for (std::size_t u = 0; u < count; ++u) take(active[w0 + u], sels[u]);
    ctx.progress(pipeline_phase::selecting, round, with_budget, selected_now());
  }
  normalise_mean_one(out.weights);
  return out;
}

// Trains the selection model `epochs` epochs on rows (weights gamma unless weighted_training is off),
// with the validation set and early stopping when with_valid, correcting targets with hook when set.
template <host_policy P>
train_report train_selection_model(
    const P& policy, selection_context& ctx, std::span<const row_index> rows, std::span<const float> weights,
    std::size_t epochs, bool with_valid, std::size_t round,
    const std::function<void(std::span<const float>, std::int64_t, std::span<float>)>& hook = {}) {
  training_set ts{&ctx.train, rows, {}, ctx.options.weighted_training ? weights : std::span<const float>{}};
  ts.correct_targets = hook;
  train_options o = ctx.options.train;
  o.batch_size = ctx.batch_size;
  o.epochs = epochs;
  o.seed = derive_seed(ctx.options.seed, tag::training);
  const auto selected = static_cast<row_index>(rows.size());
  const auto t0 = clock::now();
  train_report r = train(policy, ctx.model, ctx.optimizer, ts, with_valid ? ctx.valid : std::optional<evaluation_set>{}, o,
                         [&](const epoch_report&) { ctx.progress(pipeline_phase::training, round, 0, selected); });
  ctx.report.training_seconds += seconds_since(t0);
  ctx.report.rows_trained += r.rows_trained;
  return r;
}

}  // namespace nacs::detail::pipeline
