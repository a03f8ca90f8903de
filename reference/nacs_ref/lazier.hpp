// SPDX-License-Identifier: Apache-2.0
// Lazier-than-lazy greedy, plainly: the oracle for nacs/solver/lazier.hpp.
//
// Each step draws the sample stochastic greedy draws (nacs_ref/stochastic.hpp),
// then visits its members by decreasing upper bound (each candidate's last
// computed gain, +inf before its first), `batch` at a time, and stops when the
// next member's bound cannot beat the best gain found (ties: lower index). The
// pick is the sample's best, so picks and gains are stochastic greedy's; what
// this adds is the exact number of gains evaluated.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include <nacs_ref/stochastic.hpp>

namespace nacs_ref {

template <class Problem>
sampled_result lazier_greedy(Problem& p, std::size_t budget, double epsilon, std::uint64_t seed, std::size_t batch,
                             std::uint64_t stream = 0, std::vector<std::size_t> candidates = {}) {
  if (candidates.empty())
    for (std::size_t i = 0; i < p.size(); ++i) candidates.push_back(i);
  sampled_result r;
  if (budget == 0) return r;
  pool live(candidates);
  if (const std::optional<std::size_t> f = p.first_pick(candidates)) {
    r.picks.push_back(*f);
    r.gains.push_back(p.gain(*f));
    ++r.evaluations;
    p.commit(*f);
    live.remove(*f);
  }
  nacs::random_stream rng(seed, stream);
  const std::size_t s = sample_size(candidates.size(), budget, epsilon);
  std::vector<double> bound(p.size(), std::numeric_limits<double>::infinity());
  while (r.picks.size() < budget) {
    std::vector<std::size_t> order = live.draw(rng, s);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return better(bound[a], a, bound[b], b); });
    bool found = false;
    std::size_t best = 0;
    double best_gain = 0.0;
    for (std::size_t next = 0; next < order.size(); next += batch) {
      if (found && !better(bound[order[next]], order[next], best_gain, best)) break;
      for (std::size_t c = next; c < std::min(order.size(), next + batch); ++c) {
        const std::size_t j = order[c];
        bound[j] = p.gain(j);
        ++r.evaluations;
        if (!found || better(bound[j], j, best_gain, best)) {
          found = true;
          best = j;
          best_gain = bound[j];
        }
      }
    }
    r.picks.push_back(best);
    r.gains.push_back(best_gain);
    p.commit(best);
    live.remove(best);
  }
  return r;
}

}  // namespace nacs_ref
