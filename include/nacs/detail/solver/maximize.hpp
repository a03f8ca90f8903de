// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/solver/maximize.hpp: planning (partitions, budgets, memory)
// and running the partitions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nacs/core/parallel.hpp>
#include <nacs/solver/maximize.hpp>

namespace nacs::detail {

/// What a solve will do, worked out before anything large is allocated.
struct solve_plan {
  partition_plan parts;
  std::vector<std::vector<row_index>> candidates;  // per partition, local indices, ascending
  std::vector<row_index> budgets;
  std::vector<std::size_t> active;  // partitions with a budget, largest first
  int in_flight = 1;                // partitions solved at the same time
  int inner_threads = 1;            // threads each of them uses
  std::size_t bytes = 0;            // planned working memory
  std::size_t limit = 0;
  std::string what;                 // for the memory message
};

/// Solver-side memory per partition of n rows (candidate lists, gains, heaps, bounds).
constexpr std::size_t solver_bytes(std::size_t n) noexcept { return n * 64; }

template <class O, class S>
solve_plan plan_solve(int threads, const O& obj, row_index k, const S& solver, const partition_options& opts) {
  solver.validate();
  obj.validate();
  const row_index n = obj.rows();
  NACS_EXPECTS(k >= 0, errc::invalid_argument, "k = " + std::to_string(k) + ": the number of picks must be >= 0");
  solve_plan plan;
  plan.parts = make_partitions(n, opts);
  std::vector<char> excluded(static_cast<std::size_t>(n), 0);
  for (const row_index e : opts.exclude) {
    NACS_EXPECTS(e >= 0 && e < n, errc::invalid_argument,
                 "partition_options.exclude has row " + std::to_string(e) + ", outside 0.." + std::to_string(n - 1) +
                     ": exclude only rows of this data");
    excluded[static_cast<std::size_t>(e)] = 1;
  }
  row_index n_excluded = 0;
  for (const char e : excluded) n_excluded += e;
  const auto parts = static_cast<std::size_t>(plan.parts.count());
  std::vector<row_index> sizes(parts), caps(parts);
  plan.candidates.resize(parts);
  for (std::size_t p = 0; p < parts; ++p) {
    const auto rows = plan.parts.partition(static_cast<row_index>(p));
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (!excluded[static_cast<std::size_t>(rows[i])]) plan.candidates[p].push_back(static_cast<row_index>(i));
    sizes[p] = static_cast<row_index>(rows.size());
    caps[p] = static_cast<row_index>(plan.candidates[p].size());
  }
  NACS_EXPECTS(k <= n - n_excluded, errc::invalid_argument,
               "k = " + std::to_string(k) + " but only " + std::to_string(n - n_excluded) + " rows can be picked (N = " +
                   std::to_string(n) + ", " + std::to_string(n_excluded) + " excluded): lower k");
  plan.budgets = partition_budgets(sizes, caps, k);
  std::size_t max_bytes = 0;
  row_index max_rows = 0;
  for (std::size_t p = 0; p < parts; ++p)
    if (plan.budgets[p] > 0) {
      plan.active.push_back(p);
      max_bytes = std::max(max_bytes, obj.problem_bytes(sizes[p]) + solver_bytes(static_cast<std::size_t>(sizes[p])));
      max_rows = std::max(max_rows, sizes[p]);
    }
  std::stable_sort(plan.active.begin(), plan.active.end(),
                   [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
  const auto n_active = static_cast<int>(std::min<std::size_t>(plan.active.size(), 1u << 30));
  plan.limit = opts.memory_limit.value_or(memory_limit());
  plan.in_flight = n_active >= threads && threads > 1 ? threads : 1;
  if (plan.in_flight > 1 && max_bytes > 0 && static_cast<std::size_t>(plan.in_flight) * max_bytes > plan.limit)
    plan.in_flight = static_cast<int>(std::max<std::size_t>(1, plan.limit / max_bytes));
  plan.inner_threads = plan.in_flight > 1 ? 1 : threads;
  plan.bytes = static_cast<std::size_t>(plan.in_flight) * max_bytes;
  plan.what = obj.name() + " with " + std::string(solver.name()) + ": " + std::to_string(plan.in_flight) +
              (plan.in_flight == 1 ? " partition" : " partitions") + " of up to " + std::to_string(max_rows) +
              " rows in flight";
  return plan;
}

template <host_policy P, class O, class S>
selection run_plan(const P& policy, const solve_plan& plan, const O& obj, const S& solver,
                   const std::function<void(const partition_progress&)>& on_progress = {}) {
  const std::size_t parts = plan.budgets.size();
  std::mutex progress_mutex;
  partition_progress progress{0, static_cast<row_index>(plan.active.size()), 0};
  std::vector<partition_run> runs(parts);
  std::vector<partition_outcome> outcomes(parts);
  std::vector<std::exception_ptr> errors(parts);
  auto solve_one = [&](std::size_t p, int threads) {
    try {
      const P inner = with_threads(policy, threads);
      auto problem = obj.make_problem(inner, plan.parts.partition(static_cast<row_index>(p)));
      const partition_context<P> pc{inner, static_cast<std::uint64_t>(p),
                                    static_cast<row_index>(plan.candidates[p].size())};
      runs[p] = solver.run(problem, std::span<const row_index>(plan.candidates[p]), plan.budgets[p], pc);
      outcomes[p] = problem.finish(inner, std::span<const row_index>(runs[p].picks));
      if (on_progress) {
        const std::lock_guard<std::mutex> lock(progress_mutex);
        ++progress.solved;
        progress.picks += static_cast<row_index>(runs[p].picks.size());
        on_progress(progress);
      }
    } catch (...) {
      errors[p] = std::current_exception();
    }
  };
  const auto n_active = static_cast<std::ptrdiff_t>(plan.active.size());
  if (plan.in_flight > 1) {
    // One block per partition; each partition's own loops then run inline (nested).
    for_each_block(parallel_policy{plan.in_flight}, plan.active.size(),
                   [&](std::size_t a) { solve_one(plan.active[a], 1); });
  } else {
    for (std::ptrdiff_t a = 0; a < n_active; ++a) solve_one(plan.active[static_cast<std::size_t>(a)], plan.inner_threads);
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  selection s;
  std::vector<double> values(parts);
  s.partitions.resize(parts);
  for (std::size_t p = 0; p < parts; ++p) {
    const auto rows = plan.parts.partition(static_cast<row_index>(p));
    partition_summary& sum = s.partitions[p];
    sum.rows = static_cast<row_index>(rows.size());
    sum.candidates = static_cast<row_index>(plan.candidates[p].size());
    sum.budget = plan.budgets[p];
    sum.first = static_cast<row_index>(s.indices.size());
    sum.objective = plan.budgets[p] > 0 ? outcomes[p].objective : obj.empty_objective();
    sum.evaluations = runs[p].evaluations;
    values[p] = sum.objective;
    s.evaluations += runs[p].evaluations;
    for (std::size_t t = 0; t < runs[p].picks.size(); ++t) {
      s.indices.push_back(rows[static_cast<std::size_t>(runs[p].picks[t])]);
      s.gains.push_back(runs[p].gains[t]);
      s.weights.push_back(outcomes[p].weights[t]);
    }
  }
  s.objective = obj.merge(values, s.indices);
  s.memory_bytes = plan.bytes;
  return s;
}

/// The host backend's maximize_partitioned.
template <host_policy P, class O, greedy_solver S>
selection host_run(algo::maximize_partitioned, const P& policy, const O& obj, row_index k, const S& solver,
                   const partition_options& opts) {
  static_assert(objective_for<O, P>, "nacs::maximize_partitioned: the objective does not accept this policy");
  const solve_plan plan = plan_solve(omp_threads(policy), obj, k, solver, opts);
  check_memory(plan.bytes, plan.what, plan.limit);
  return run_plan(policy, plan, obj, solver, opts.on_progress);
}

/// The host backend's memory_needed.
template <host_policy P, class O, greedy_solver S>
std::size_t host_run(algo::memory_needed, const P& policy, const O& obj, row_index k, const S& solver,
                     const partition_options& opts) {
  return plan_solve(omp_threads(policy), obj, k, solver, opts).bytes;
}

}  // namespace nacs::detail

namespace nacs {

template <class P, objective O, greedy_solver S>
selection maximize_partitioned(const P& policy, const O& obj, row_index k, const S& solver,
                               const partition_options& opts) {
  return detail::dispatch<algo::maximize_partitioned>(policy, obj, k, solver, opts);
}

template <class P, objective O, greedy_solver S>
selection maximize(const P& policy, const O& obj, row_index k, const S& solver) {
  return maximize_partitioned(policy, obj, k, solver, partition_options{});
}

template <class P, objective O, greedy_solver S>
std::size_t memory_needed(const P& policy, const O& obj, row_index k, const S& solver, const partition_options& opts) {
  return detail::dispatch<algo::memory_needed>(policy, obj, k, solver, opts);
}

}  // namespace nacs
