// SPDX-License-Identifier: Apache-2.0
// Budget sharing, plainly: the oracle for nacs::partition_budgets.
#pragma once

#include <cstddef>
#include <vector>

namespace nacs_ref {

/// Gives each partition floor of its exact share k * size / total, then one
/// more to the largest remainders (ties to the lower index); a partition whose
/// share reaches its capacity takes exactly its capacity and is set aside, and
/// the shares are worked out again for the rest. Exact rational arithmetic
/// with long double is avoided: shares are compared by cross-multiplication.
inline std::vector<long long> budgets(const std::vector<long long>& size, const std::vector<long long>& cap, long long k) {
  const std::size_t m = size.size();
  std::vector<long long> out(m, 0);
  std::vector<bool> fixed(m, false);
  for (std::size_t p = 0; p < m; ++p)
    if (cap[p] == 0 || size[p] == 0) fixed[p] = true;
  long long left = k;
  bool changed = true;
  while (changed && left > 0) {
    changed = false;
    long long total = 0;
    for (std::size_t p = 0; p < m; ++p)
      if (!fixed[p]) total += size[p];
    if (total == 0) break;
    std::vector<std::size_t> now;
    for (std::size_t p = 0; p < m; ++p)
      if (!fixed[p] && left * size[p] >= cap[p] * total) now.push_back(p);
    for (const std::size_t p : now) {
      out[p] = cap[p];
      fixed[p] = true;
      left -= cap[p];
      changed = true;
    }
  }
  if (left <= 0) return out;
  long long total = 0;
  for (std::size_t p = 0; p < m; ++p)
    if (!fixed[p]) total += size[p];
  long long given = 0;
  std::vector<long long> rem(m, -1);
  for (std::size_t p = 0; p < m; ++p)
    if (!fixed[p]) {
      out[p] = left * size[p] / total;
      rem[p] = left * size[p] % total;
      given += out[p];
    }
  for (long long extra = 0; extra < left - given; ++extra) {
    std::size_t best = m;
    for (std::size_t p = 0; p < m; ++p)
      if (rem[p] >= 0 && (best == m || rem[p] > rem[best])) best = p;
    ++out[best];
    rem[best] = -1;
  }
  return out;
}

}  // namespace nacs_ref
