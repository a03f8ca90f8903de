// SPDX-License-Identifier: Apache-2.0
// The best k-subset of a small ground set, by enumeration.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <vector>

namespace nacs_ref {

/// max over all subsets S of {0..n-1} with |S| = k of f(S). For n <= 20.
inline double best_subset_value(std::size_t n, std::size_t k, const std::function<double(const std::vector<std::size_t>&)>& f,
                                bool minimise = false) {
  double best = minimise ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  std::vector<std::size_t> s;
  for (unsigned long mask = 0; mask < (1ul << n); ++mask) {
    if (static_cast<std::size_t>(__builtin_popcountl(mask)) != k) continue;
    s.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (mask >> i & 1ul) s.push_back(i);
    const double v = f(s);
    if (minimise ? v < best : v > best) best = v;
  }
  return best;
}

}  // namespace nacs_ref
