// SPDX-License-Identifier: Apache-2.0
// Stochastic greedy, plainly: the oracle for nacs/solver/stochastic.hpp (and,
// through nacs_ref/lazier.hpp, for lazier-than-lazy).
//
// It replays the documented random draw with its own code: the sample size
// ceil((C / k) ln(1 / epsilon)) clamped to [1, C]; a pool of the unpicked
// candidates, initially in candidate order, from which each step's sample is
// taken by a partial Fisher-Yates shuffle of the live prefix (position t swaps
// with t + below(live - t)), a pick being swapped to the end of the live part;
// draws from Philox stream (seed, partition index), each below(n) being
// Lemire's multiply-and-reject on 32-bit words (written out here, not the
// library's random_stream::below). Gains are computed from scratch every time
// by the plain problems of nacs_ref/problems.hpp, never incrementally.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>
#include <vector>

#include <nacs/core/philox.hpp>

#include <nacs_ref/problems.hpp>

namespace nacs_ref {

/// ceil((c / k) ln(1 / epsilon)), at least 1 and at most c; 0 when c or k is 0.
inline std::size_t sample_size(std::size_t c, std::size_t k, double epsilon) {
  if (c == 0 || k == 0) return 0;
  const double s = std::ceil(static_cast<double>(c) / static_cast<double>(k) * std::log(1.0 / epsilon));
  if (s >= static_cast<double>(c)) return c;
  if (s < 1.0) return 1;
  return static_cast<std::size_t>(s);
}

/// A uniform integer in [0, n), 0 < n < 2^32: m = u * n for a 32-bit word u; when the low
/// 32 bits of m fall below 2^32 mod n, u is drawn again; the answer is m's high 32 bits.
inline std::uint64_t draw_below(nacs::random_stream& rng, std::uint64_t n) {
  const std::uint64_t threshold = ((std::uint64_t{1} << 32) - n) % n;  // 2^32 mod n
  for (;;) {
    const std::uint64_t m = std::uint64_t{rng.next_u32()} * n;
    if ((m & 0xFFFFFFFFull) >= threshold) return m >> 32;
  }
}

/// The unpicked candidates, in the order the draws leave them.
struct pool {
  std::vector<std::size_t> items;
  std::size_t live = 0;

  explicit pool(std::vector<std::size_t> candidates) : items(std::move(candidates)), live(items.size()) {}

  /// s distinct live candidates (all live ones, in pool order, when s >= live).
  std::vector<std::size_t> draw(nacs::random_stream& rng, std::size_t s) {
    if (s >= live) return {items.begin(), items.begin() + static_cast<std::ptrdiff_t>(live)};
    for (std::size_t t = 0; t < s; ++t) std::swap(items[t], items[t + draw_below(rng, live - t)]);
    return {items.begin(), items.begin() + static_cast<std::ptrdiff_t>(s)};
  }
  /// Takes j out: it swaps places with the last live item.
  void remove(std::size_t j) {
    const auto at = static_cast<std::size_t>(std::find(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(live), j) - items.begin());
    std::swap(items[at], items[live - 1]);
    --live;
  }
};

/// Stochastic greedy over a plain problem (gain(j) from scratch, commit(j), first_pick()):
/// budget picks among `candidates` (all rows when empty), from stream (seed, stream).
template <class Problem>
sampled_result stochastic_greedy(Problem& p, std::size_t budget, double epsilon, std::uint64_t seed,
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
  while (r.picks.size() < budget) {
    const std::vector<std::size_t> sample = live.draw(rng, s);
    std::size_t best = sample[0];
    double best_gain = p.gain(best);
    for (std::size_t c = 1; c < sample.size(); ++c) {
      const double g = p.gain(sample[c]);
      if (better(g, sample[c], best_gain, best)) {
        best = sample[c];
        best_gain = g;
      }
    }
    r.evaluations += static_cast<std::int64_t>(sample.size());
    r.picks.push_back(best);
    r.gains.push_back(best_gain);
    p.commit(best);
    live.remove(best);
  }
  return r;
}

}  // namespace nacs_ref
