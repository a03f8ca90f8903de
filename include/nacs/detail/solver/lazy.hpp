// SPDX-License-Identifier: Apache-2.0
// Body of nacs/solver/lazy.hpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include <nacs/detail/solver/common.hpp>

namespace nacs::detail {

/// Minoux's lazy greedy: a max-heap of upper bounds (stale gains). The top is
/// picked when its gain is fresh (computed after the last pick); otherwise the
/// top `batch` entries are re-evaluated (in parallel) and pushed back. Bounds
/// never undershoot because gains never increase, so the pick is the exact
/// argmax, ties to the lowest index: the same pick as naive greedy.
template <class Problem, class Policy>
partition_run lazy_run(Problem& p, std::span<const row_index> candidates, row_index budget, const partition_context<Policy>& ctx,
                       int batch) {
  struct entry {
    double bound;
    row_index j;
    std::int64_t stamp;  // number of picks when bound was computed
  };
  const auto below = [](const entry& a, const entry& b) { return beats(b.bound, b.j, a.bound, a.j); };
  partition_run run;
  if (budget <= 0) return run;
  const row_index first = take_first_pick(p, candidates, budget, run);
  std::vector<row_index> live;
  live.reserve(candidates.size());
  for (const row_index j : candidates)
    if (j != first) live.push_back(j);
  std::vector<double> g(live.size());
  evaluate(p, live, g.data(), ctx.policy);
  run.evaluations += static_cast<std::int64_t>(live.size());
  std::vector<entry> heap(live.size());
  const auto picked = static_cast<std::int64_t>(run.picks.size());
  for (std::size_t c = 0; c < live.size(); ++c) heap[c] = {g[c], live[c], picked};
  std::make_heap(heap.begin(), heap.end(), below);
  std::vector<entry> popped;
  std::vector<row_index> stale;
  std::vector<double> fresh;
  while (static_cast<row_index>(run.picks.size()) < budget) {
    const auto step = static_cast<std::int64_t>(run.picks.size());
    for (;;) {
      if (heap.front().stamp == step) {
        std::pop_heap(heap.begin(), heap.end(), below);
        const entry e = heap.back();
        heap.pop_back();
        run.picks.push_back(e.j);
        run.gains.push_back(e.bound);
        p.commit(e.j);
        break;
      }
      popped.clear();
      stale.clear();
      while (!heap.empty() && static_cast<int>(popped.size()) < batch) {
        std::pop_heap(heap.begin(), heap.end(), below);
        popped.push_back(heap.back());
        heap.pop_back();
        if (popped.back().stamp != step) stale.push_back(popped.back().j);
      }
      fresh.resize(stale.size());
      evaluate(p, stale, fresh.data(), ctx.policy);
      run.evaluations += static_cast<std::int64_t>(stale.size());
      std::size_t f = 0;
      for (entry& e : popped) {
        if (e.stamp != step) e = {fresh[f++], e.j, step};
        heap.push_back(e);
        std::push_heap(heap.begin(), heap.end(), below);
      }
    }
  }
  return run;
}

}  // namespace nacs::detail
