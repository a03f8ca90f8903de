// SPDX-License-Identifier: Apache-2.0
// Body of nacs/solver/stochastic.hpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include <nacs/detail/solver/common.hpp>

namespace nacs::detail {

/// ceil((candidates / budget) * ln(1 / epsilon)), at least 1.
inline std::size_t stochastic_sample(row_index candidates, row_index budget, double epsilon) noexcept {
  if (budget <= 0 || candidates <= 0) return 0;
  const double s = std::ceil(static_cast<double>(candidates) / static_cast<double>(budget) * std::log(1.0 / epsilon));
  if (!(s < static_cast<double>(candidates))) return static_cast<std::size_t>(candidates);
  return s < 1.0 ? 1 : static_cast<std::size_t>(s);
}

/// Every step: draw the sample from the partition's stream (on this thread),
/// evaluate it (in parallel), pick the best (ties to the lowest index).
template <class Problem, class Policy>
partition_run stochastic_run(Problem& p, std::span<const row_index> candidates, row_index budget,
                             const partition_context<Policy>& ctx, double epsilon, std::uint64_t seed) {
  partition_run run;
  if (budget <= 0) return run;
  candidate_pool pool(candidates, p.size());
  if (const row_index f = take_first_pick(p, candidates, budget, run); f >= 0) pool.remove(f);
  random_stream rng(seed, ctx.stream);
  const std::size_t s = stochastic_sample(static_cast<row_index>(candidates.size()), budget, epsilon);
  std::vector<double> g;
  while (static_cast<row_index>(run.picks.size()) < budget) {
    const std::span<const row_index> sample = pool.sample(rng, s);
    g.resize(sample.size());
    evaluate(p, sample, g.data(), ctx.policy);
    run.evaluations += static_cast<std::int64_t>(sample.size());
    std::size_t best = 0;
    for (std::size_t c = 1; c < sample.size(); ++c)
      if (beats(g[c], sample[c], g[best], sample[best])) best = c;
    const row_index j = sample[best];
    run.picks.push_back(j);
    run.gains.push_back(g[best]);
    p.commit(j);
    pool.remove(j);
  }
  return run;
}

}  // namespace nacs::detail
