// SPDX-License-Identifier: Apache-2.0
// Body of nacs/solver/lazier.hpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <nacs/detail/solver/common.hpp>
#include <nacs/detail/solver/stochastic.hpp>

namespace nacs::detail {

/// Stochastic greedy's sample, evaluated lazily: sample members are visited by
/// decreasing upper bound (their last computed gain, +inf when never computed),
/// `batch` at a time, until no unvisited member can beat the best fresh gain.
/// Same stream, same sample, same argmax as stochastic_run: the same picks.
template <class Problem, class Policy>
partition_run lazier_run(Problem& p, std::span<const row_index> candidates, row_index budget,
                         const partition_context<Policy>& ctx, double epsilon, std::uint64_t seed, int batch) {
  partition_run run;
  if (budget <= 0) return run;
  candidate_pool pool(candidates, p.size());
  if (const row_index f = take_first_pick(p, candidates, budget, run); f >= 0) pool.remove(f);
  random_stream rng(seed, ctx.stream);
  const std::size_t s = stochastic_sample(static_cast<row_index>(candidates.size()), budget, epsilon);
  std::vector<double> bound(static_cast<std::size_t>(p.size()), std::numeric_limits<double>::infinity());
  std::vector<row_index> order, todo;
  std::vector<double> fresh;
  while (static_cast<row_index>(run.picks.size()) < budget) {
    const std::span<const row_index> sample = pool.sample(rng, s);
    order.assign(sample.begin(), sample.end());
    std::sort(order.begin(), order.end(), [&](row_index a, row_index b) {
      return beats(bound[static_cast<std::size_t>(a)], a, bound[static_cast<std::size_t>(b)], b);
    });
    row_index best = -1;
    double best_gain = 0.0;
    std::size_t next = 0;
    while (next < order.size()) {
      const row_index j = order[next];
      if (best >= 0 && !beats(bound[static_cast<std::size_t>(j)], j, best_gain, best)) break;
      const std::size_t end = std::min(order.size(), next + static_cast<std::size_t>(batch));
      todo.assign(order.begin() + static_cast<std::ptrdiff_t>(next), order.begin() + static_cast<std::ptrdiff_t>(end));
      fresh.resize(todo.size());
      evaluate(p, todo, fresh.data(), ctx.policy);
      run.evaluations += static_cast<std::int64_t>(todo.size());
      for (std::size_t c = 0; c < todo.size(); ++c) {
        bound[static_cast<std::size_t>(todo[c])] = fresh[c];
        if (best < 0 || beats(fresh[c], todo[c], best_gain, best)) {
          best = todo[c];
          best_gain = fresh[c];
        }
      }
      next = end;
    }
    run.picks.push_back(best);
    run.gains.push_back(best_gain);
    p.commit(best);
    pool.remove(best);
  }
  return run;
}

}  // namespace nacs::detail
