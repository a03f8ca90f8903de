// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/solver/partition.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <nacs/core/philox.hpp>
#include <nacs/solver/partition.hpp>

namespace nacs {

namespace detail {
__extension__ using uint128 = unsigned __int128;
/// Stream id of the row shuffle of make_partitions (solvers use partition indices).
inline constexpr std::uint64_t shuffle_stream = 0x53485546464C45ull;  // "SHUFFLE"
}  // namespace detail

inline partition_plan make_partitions(row_index n, const partition_options& opts) {
  NACS_EXPECTS(n >= 0, errc::invalid_argument, "make_partitions: n = " + std::to_string(n) + " must be >= 0");
  NACS_EXPECTS(!opts.partition_size || *opts.partition_size >= 1, errc::invalid_argument,
               "partition_options.partition_size = " + std::to_string(opts.partition_size.value_or(0)) +
                   ": it must be >= 1 (leave it empty for no cut by size)");
  NACS_EXPECTS(opts.groups.empty() || opts.groups.size() == static_cast<std::size_t>(n), errc::invalid_data,
               "partition_options.groups has " + std::to_string(opts.groups.size()) + " entries for " +
                   std::to_string(n) + " rows: give one group id per row (or none)");
  const auto un = static_cast<std::size_t>(n);
  std::vector<row_index> order(un);
  std::iota(order.begin(), order.end(), row_index{0});
  if (opts.shuffle_seed) {
    random_stream rng(*opts.shuffle_seed, detail::shuffle_stream);
    for (std::size_t i = un; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  }
  if (!opts.groups.empty())
    std::stable_sort(order.begin(), order.end(), [&](row_index a, row_index b) {
      return opts.groups[static_cast<std::size_t>(a)] < opts.groups[static_cast<std::size_t>(b)];
    });
  partition_plan plan;
  plan.rows.reserve(un);
  plan.offsets.push_back(0);
  std::size_t g0 = 0;
  while (g0 < un) {
    std::size_t g1 = g0 + 1;
    if (!opts.groups.empty())
      while (g1 < un && opts.groups[static_cast<std::size_t>(order[g1])] == opts.groups[static_cast<std::size_t>(order[g0])]) ++g1;
    else
      g1 = un;
    const std::size_t g = g1 - g0;
    const std::size_t parts =
        opts.partition_size ? (g + static_cast<std::size_t>(*opts.partition_size) - 1) / static_cast<std::size_t>(*opts.partition_size) : 1;
    std::size_t at = g0;
    for (std::size_t b = 0; b < parts; ++b) {
      const std::size_t len = g / parts + (b < g % parts ? 1 : 0);
      const auto first = plan.rows.size();
      plan.rows.insert(plan.rows.end(), order.begin() + static_cast<std::ptrdiff_t>(at),
                       order.begin() + static_cast<std::ptrdiff_t>(at + len));
      std::sort(plan.rows.begin() + static_cast<std::ptrdiff_t>(first), plan.rows.end());
      plan.offsets.push_back(static_cast<row_index>(plan.rows.size()));
      at += len;
    }
    g0 = g1;
  }
  return plan;
}

inline std::vector<row_index> partition_budgets(std::span<const row_index> sizes, std::span<const row_index> capacities,
                                                row_index k) {
  NACS_EXPECTS(sizes.size() == capacities.size(), errc::invalid_argument,
               "partition_budgets: " + std::to_string(sizes.size()) + " sizes but " +
                   std::to_string(capacities.size()) + " capacities: give one of each per partition");
  row_index total_capacity = 0;
  for (std::size_t p = 0; p < sizes.size(); ++p) {
    NACS_EXPECTS(sizes[p] >= 0 && capacities[p] >= 0, errc::invalid_argument,
                 "partition_budgets: partition " + std::to_string(p) + " has a negative size or capacity");
    total_capacity += capacities[p];
  }
  NACS_EXPECTS(k >= 0 && k <= total_capacity, errc::invalid_argument,
               "partition_budgets: k = " + std::to_string(k) + " but the partitions can take 0 to " +
                   std::to_string(total_capacity) + " picks");
  using detail::uint128;
  std::vector<row_index> budget(sizes.size(), 0);
  std::vector<std::size_t> active;
  for (std::size_t p = 0; p < sizes.size(); ++p)
    if (capacities[p] > 0 && sizes[p] > 0) active.push_back(p);
  row_index left = k;
  // Partitions whose proportional share reaches their capacity take exactly
  // their capacity; the rest of k is shared again among the others.
  for (;;) {
    uint128 total = 0;
    for (const std::size_t p : active) total += static_cast<uint128>(sizes[p]);
    if (total == 0 || left == 0) break;
    std::vector<std::size_t> keep;
    bool saturated = false;
    for (const std::size_t p : active) {
      if (static_cast<uint128>(left) * static_cast<uint128>(sizes[p]) >= static_cast<uint128>(capacities[p]) * total) {
        budget[p] = capacities[p];
        saturated = true;
      } else {
        keep.push_back(p);
      }
    }
    if (!saturated) break;
    for (const std::size_t p : active)
      if (budget[p] == capacities[p]) left -= budget[p];
    active = std::move(keep);
  }
  if (left == 0 || active.empty()) return budget;
  uint128 total = 0;
  for (const std::size_t p : active) total += static_cast<uint128>(sizes[p]);
  std::vector<std::pair<uint128, std::size_t>> remainders;  // (remainder, partition)
  row_index given = 0;
  for (const std::size_t p : active) {
    const uint128 ideal = static_cast<uint128>(left) * static_cast<uint128>(sizes[p]);
    budget[p] = static_cast<row_index>(ideal / total);
    given += budget[p];
    remainders.emplace_back(ideal % total, p);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (row_index extra = 0; extra < left - given; ++extra) ++budget[remainders[static_cast<std::size_t>(extra)].second];
  return budget;
}

}  // namespace nacs
