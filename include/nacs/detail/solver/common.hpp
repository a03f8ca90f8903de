// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the greedy solvers: the tie rule, parallel evaluation of
// a list of candidates, an objective's fixed first pick, and the pool that
// stochastic samples are drawn from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <nacs/core/philox.hpp>
#include <nacs/core/parallel.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs/objective/objective.hpp>
#include <nacs/solver/maximize.hpp>

namespace nacs::detail {

/// True when (gain a, index i) comes before (gain b, index j): larger gain, then lower index.
constexpr bool beats(double a, row_index i, double b, row_index j) noexcept { return a > b || (a == b && i < j); }

/// out[c] = p.gain(js[c]) for every c, on the policy's threads; each gain computed by one thread.
template <class Problem, host_policy Policy>
void evaluate(Problem& p, std::span<const row_index> js, double* out, const Policy& policy) {
  for_each_range(
      policy, js.size(), tuning::gain_block,
      [&](std::size_t begin, std::size_t end) {
        for (std::size_t c = begin; c < end; ++c) out[c] = p.gain(js[c]);
      },
      static_cast<std::size_t>(p.size()));
}

/// Makes the objective's fixed first pick, if it has one; returns it or -1.
template <class Problem>
row_index take_first_pick(Problem& p, std::span<const row_index> candidates, row_index budget, partition_run& run) {
  if (budget <= 0) return -1;
  const std::optional<row_index> first = p.first_pick(candidates);
  if (!first) return -1;
  run.picks.push_back(*first);
  run.gains.push_back(p.gain(*first));
  ++run.evaluations;
  p.commit(*first);
  return *first;
}

/// Candidates not picked yet, sampled without replacement by a partial
/// Fisher-Yates shuffle of the live prefix; a pick is swapped out to the end.
class candidate_pool {
 public:
  candidate_pool(std::span<const row_index> candidates, row_index size)
      : pool_(candidates.begin(), candidates.end()), where_(static_cast<std::size_t>(size), 0), live_(pool_.size()) {
    for (std::size_t i = 0; i < pool_.size(); ++i) where_[static_cast<std::size_t>(pool_[i])] = i;
  }
  [[nodiscard]] std::size_t live() const noexcept { return live_; }
  /// s distinct live candidates drawn uniformly (all of them, in pool order, when s >= live()).
  std::span<const row_index> sample(random_stream& rng, std::size_t s) {
    if (s >= live_) return {pool_.data(), live_};
    for (std::size_t t = 0; t < s; ++t) swap_positions(t, t + static_cast<std::size_t>(rng.below(live_ - t)));
    return {pool_.data(), s};
  }
  void remove(row_index j) {
    swap_positions(where_[static_cast<std::size_t>(j)], live_ - 1);
    --live_;
  }

 private:
  void swap_positions(std::size_t a, std::size_t b) {
    std::swap(pool_[a], pool_[b]);
    where_[static_cast<std::size_t>(pool_[a])] = a;
    where_[static_cast<std::size_t>(pool_[b])] = b;
  }
  std::vector<row_index> pool_;
  std::vector<std::size_t> where_;
  std::size_t live_;
};

}  // namespace nacs::detail
