// SPDX-License-Identifier: Apache-2.0
// Body of nacs/solver/naive.hpp.
#pragma once

#include <span>
#include <vector>

#include <nacs/detail/solver/common.hpp>

namespace nacs::detail {

/// Every step: the exact gain of every live candidate, then the best (ties to the lowest index).
template <class Problem, class Policy>
partition_run naive_run(Problem& p, std::span<const row_index> candidates, row_index budget, const partition_context<Policy>& ctx) {
  partition_run run;
  std::vector<row_index> live(candidates.begin(), candidates.end());
  if (const row_index f = take_first_pick(p, candidates, budget, run); f >= 0) std::erase(live, f);
  std::vector<double> gains(static_cast<std::size_t>(p.size()), 0.0);
  std::vector<double> scratch;
  while (static_cast<row_index>(run.picks.size()) < budget) {
    if constexpr (incremental_gains_for<Problem, Policy>) {
      p.refresh_gains(ctx.policy, live, gains);
    } else {
      scratch.resize(live.size());
      evaluate(p, live, scratch.data(), ctx.policy);
      for (std::size_t c = 0; c < live.size(); ++c) gains[static_cast<std::size_t>(live[c])] = scratch[c];
    }
    run.evaluations += static_cast<std::int64_t>(live.size());
    std::size_t best = 0;
    for (std::size_t c = 1; c < live.size(); ++c)  // live is ascending: strict > keeps the lowest index
      if (gains[static_cast<std::size_t>(live[c])] > gains[static_cast<std::size_t>(live[best])]) best = c;
    const row_index j = live[best];
    run.picks.push_back(j);
    run.gains.push_back(gains[static_cast<std::size_t>(j)]);
    p.commit(j);
    live.erase(live.begin() + static_cast<std::ptrdiff_t>(best));
  }
  return run;
}

}  // namespace nacs::detail
