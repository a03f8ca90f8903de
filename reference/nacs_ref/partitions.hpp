// SPDX-License-Identifier: Apache-2.0
// Cutting rows into partitions, plainly: the oracle for nacs::make_partitions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include <nacs/core/philox.hpp>

namespace nacs_ref {

/// The rows of each partition, in partition order. Rows 0..n-1 are shuffled (Fisher-Yates
/// from the end, the draw for position i being below(i + 1) of Philox stream (seed,
/// "SHUFFLE")) when a seed is given, then stably sorted by group id; each group (all rows when
/// there are no groups) is cut into ceil(g / P) contiguous runs whose sizes differ by at most
/// one (the larger first), and each run is sorted ascending.
inline std::vector<std::vector<long long>> partitions(long long n, std::optional<long long> size,
                                                      const std::vector<std::int64_t>& groups,
                                                      std::optional<std::uint64_t> seed) {
  std::vector<long long> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0LL);
  if (seed) {
    nacs::random_stream rng(*seed, 0x53485546464C45ull);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  }
  if (!groups.empty())
    std::stable_sort(order.begin(), order.end(), [&](long long a, long long b) {
      return groups[static_cast<std::size_t>(a)] < groups[static_cast<std::size_t>(b)];
    });
  std::vector<std::vector<long long>> out;
  std::size_t g0 = 0;
  while (g0 < order.size()) {
    std::size_t g1 = g0 + 1;
    while (g1 < order.size() && (groups.empty() || groups[static_cast<std::size_t>(order[g1])] ==
                                                       groups[static_cast<std::size_t>(order[g0])]))
      ++g1;
    const std::size_t g = g1 - g0;
    const std::size_t parts = size ? (g + static_cast<std::size_t>(*size) - 1) / static_cast<std::size_t>(*size) : 1;
    std::size_t at = g0;
    for (std::size_t b = 0; b < parts; ++b) {
      const std::size_t len = g / parts + (b < g % parts ? 1 : 0);
      std::vector<long long> run(order.begin() + static_cast<std::ptrdiff_t>(at),
                                 order.begin() + static_cast<std::ptrdiff_t>(at + len));
      std::sort(run.begin(), run.end());
      out.push_back(std::move(run));
      at += len;
    }
    g0 = g1;
  }
  return out;
}

}  // namespace nacs_ref
