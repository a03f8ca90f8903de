// SPDX-License-Identifier: Apache-2.0
// Facility location, plainly: F(S), naive greedy, weights. The oracle for
// nacs/objective/facility_location.hpp and the solvers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include <nacs_ref/similarity.hpp>

namespace nacs_ref {

/// F(S) = sum_i max(0, max_{j in S} s(i, j)).
inline double facility_objective(const dense& s, const std::vector<std::size_t>& picks) {
  double f = 0.0;
  for (std::size_t i = 0; i < s.n; ++i) {
    double best = 0.0;
    for (const std::size_t j : picks) best = std::max(best, s(i, j));
    f += best;
  }
  return f;
}

struct greedy_result {
  std::vector<std::size_t> picks;
  std::vector<double> gains;
};

/// Naive greedy: each step, F(S + j) - F(S) for every candidate j not picked, from scratch;
/// the largest wins, ties to the lowest index. candidates empty: all rows.
inline greedy_result facility_greedy(const dense& s, std::size_t k, std::vector<std::size_t> candidates = {}) {
  if (candidates.empty())
    for (std::size_t i = 0; i < s.n; ++i) candidates.push_back(i);
  greedy_result r;
  std::vector<double> cur(s.n, 0.0);
  std::vector<bool> taken(s.n, false);
  for (std::size_t step = 0; step < k; ++step) {
    double best_gain = -1.0;
    std::size_t best = 0;
    for (const std::size_t j : candidates) {
      if (taken[j]) continue;
      double g = 0.0;
      for (std::size_t i = 0; i < s.n; ++i) g += std::max(0.0, s(i, j) - cur[i]);
      if (g > best_gain) {
        best_gain = g;
        best = j;
      }
    }
    r.picks.push_back(best);
    r.gains.push_back(best_gain);
    taken[best] = true;
    for (std::size_t i = 0; i < s.n; ++i) cur[i] = std::max(cur[i], s(i, best));
  }
  return r;
}

/// Weight of each pick: rows whose most similar pick it is (ties to the lowest row index).
inline std::vector<long long> facility_weights(const dense& s, const std::vector<std::size_t>& picks) {
  std::vector<long long> w(picks.size(), 0);
  for (std::size_t i = 0; i < s.n; ++i) {
    std::size_t owner = 0;
    for (std::size_t p = 1; p < picks.size(); ++p) {
      const double a = s(i, picks[p]), b = s(i, picks[owner]);
      if (a > b || (a == b && picks[p] < picks[owner])) owner = p;
    }
    if (!picks.empty()) ++w[owner];
  }
  return w;
}

}  // namespace nacs_ref

namespace nacs_ref {

/// How a sequence of picks compares with naive greedy, step by step.
struct replay_result {
  std::vector<double> gains;       ///< the exact gain of each given pick at its step
  std::size_t exact = 0;           ///< steps where the pick is the reference's argmax (ties to lowest index)
  std::size_t near_ties = 0;       ///< steps where it is not, but the reference's best gain is within tol
  std::size_t wrong = 0;           ///< steps where its gain is more than tol below the best
};

/// Replays `picks` on the reference: at each step all gains from scratch in double, then checks
/// the pick against the argmax. A greedy computed in float may take a different one of two gains
/// equal within its rounding error (tol); any other difference is "wrong".
inline replay_result facility_replay(const dense& s, const std::vector<std::size_t>& picks, double tol) {
  replay_result r;
  std::vector<double> cur(s.n, 0.0);
  std::vector<bool> taken(s.n, false);
  for (const std::size_t p : picks) {
    double best = -1.0, mine = 0.0;
    std::size_t arg = 0;
    for (std::size_t j = 0; j < s.n; ++j) {
      if (taken[j]) continue;
      double g = 0.0;
      for (std::size_t i = 0; i < s.n; ++i) g += std::max(0.0, s(i, j) - cur[i]);
      if (g > best) {
        best = g;
        arg = j;
      }
      if (j == p) mine = g;
    }
    r.gains.push_back(mine);
    if (arg == p) ++r.exact;
    else if (mine >= best - tol) ++r.near_ties;
    else ++r.wrong;
    taken[p] = true;
    for (std::size_t i = 0; i < s.n; ++i) cur[i] = std::max(cur[i], s(i, p));
  }
  return r;
}

}  // namespace nacs_ref
