// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/solver/partition.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
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
  NACS_EXPECTS(static_cast<std::uint64_t>(n) <= std::uint64_t{0xFFFFFFFFu}, errc::invalid_argument,
               "make_partitions: n = " + std::to_string(n) +
                   " rows; at most 4294967295 are supported: cut the rows into smaller sets first");
  // Row r's partition follows from its group and its rank within the group in the shuffled
  // order (the group's rows are cut into ceil(g / P) runs of that order, the larger runs
  // first); the plan then lists every partition's rows by one ascending pass over r. O(n),
  // with no comparison sort (a stable sort by group took 9 of the 13 s of bookkeeping in a
  // 10 M-row class-balanced selection; docs/log/benchmarks.md). Peak scratch: 16 bytes a row.
  const auto un = static_cast<std::size_t>(n);
  std::vector<row_index> order(un);
  std::iota(order.begin(), order.end(), row_index{0});
  if (opts.shuffle_seed) {
    random_stream rng(*opts.shuffle_seed, detail::shuffle_stream);
    for (std::size_t i = un; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  }
  // Groups in increasing id order; slot[r] = the rank of row r's group among them.
  std::vector<std::uint32_t> slot(opts.groups.empty() ? 0 : un);
  std::vector<std::size_t> group_rows;  // rows per group, by rank
  if (opts.groups.empty()) {
    if (un > 0) group_rows.push_back(un);
  } else {
    std::unordered_map<std::int64_t, std::uint32_t> seen;  // id -> the order it was first met in
    std::vector<std::int64_t> ids;
    for (std::size_t r = 0; r < un; ++r) {
      const auto [it, fresh] = seen.try_emplace(opts.groups[r], static_cast<std::uint32_t>(ids.size()));
      if (fresh) ids.push_back(opts.groups[r]);
      slot[r] = it->second;
    }
    std::vector<std::uint32_t> by_id(ids.size());
    std::iota(by_id.begin(), by_id.end(), std::uint32_t{0});
    std::sort(by_id.begin(), by_id.end(), [&](std::uint32_t x, std::uint32_t y) { return ids[x] < ids[y]; });
    std::vector<std::uint32_t> rank(ids.size());
    for (std::size_t i = 0; i < by_id.size(); ++i) rank[by_id[i]] = static_cast<std::uint32_t>(i);
    group_rows.assign(ids.size(), 0);
    for (std::uint32_t& x : slot) {
      x = rank[x];
      ++group_rows[x];
    }
  }
  // Group j's runs: parts[j] of them, the first of index first_part[j], sizes q + 1 (the
  // first rem of them) and q.
  const std::size_t groups = group_rows.size();
  std::vector<std::size_t> parts(groups), first_part(groups + 1, 0);
  for (std::size_t j = 0; j < groups; ++j) {
    const std::size_t g = group_rows[j];
    parts[j] = opts.partition_size ? (g + static_cast<std::size_t>(*opts.partition_size) - 1) /
                                         static_cast<std::size_t>(*opts.partition_size)
                                   : 1;
    first_part[j + 1] = first_part[j] + parts[j];
  }
  const std::size_t total_parts = first_part[groups];
  partition_plan plan;
  plan.offsets.assign(total_parts + 1, 0);
  for (std::size_t j = 0; j < groups; ++j) {
    const std::size_t g = group_rows[j], q = g / parts[j], rem = g % parts[j];
    for (std::size_t b = 0; b < parts[j]; ++b)
      plan.offsets[first_part[j] + b + 1] = static_cast<row_index>(q + (b < rem ? 1 : 0));
  }
  for (std::size_t p = 0; p < total_parts; ++p) plan.offsets[p + 1] += plan.offsets[p];
  // part_of[r]: the partition of row r, from its rank within its group in the shuffled order.
  std::vector<std::size_t> seen_in(groups, 0);
  std::vector<std::uint32_t> part_of(un);
  for (const row_index r : order) {
    const std::size_t j = opts.groups.empty() ? 0 : slot[static_cast<std::size_t>(r)];
    const std::size_t g = group_rows[j], q = g / parts[j], rem = g % parts[j];
    const std::size_t i = seen_in[j]++, big = rem * (q + 1);
    const std::size_t b = i < big ? i / (q + 1) : rem + (i - big) / q;
    part_of[static_cast<std::size_t>(r)] = static_cast<std::uint32_t>(first_part[j] + b);
  }
  std::vector<row_index>().swap(order);
  std::vector<std::uint32_t>().swap(slot);
  plan.rows.resize(un);
  std::vector<row_index> next(plan.offsets.begin(), plan.offsets.end() - 1);
  for (std::size_t r = 0; r < un; ++r) plan.rows[static_cast<std::size_t>(next[part_of[r]]++)] = static_cast<row_index>(r);
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
