// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Cutting N rows into partitions, and sharing a budget k between them.
///
/// A partitioned solve (nacs::maximize_partitioned) cuts the rows into
/// partitions, gives each a budget proportional to its size, solves each
/// partition as an independent problem, and merges the picks. This header
/// holds the options and the two pure steps, usable on their own.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/types.hpp>

namespace nacs {

/// @brief How a partitioned solve cuts the rows, and which rows it may not pick.
///
/// Without groups and partition_size, all rows form one partition. With
/// groups, each distinct group id is its own partition (in increasing id
/// order), e.g. one per class. With partition_size P, each group (or the
/// whole data) of g rows is cut into ceil(g / P) contiguous parts whose sizes
/// differ by at most one (all <= P). With shuffle_seed, rows are shuffled
/// (Philox, so the same seed always gives the same cut) before cutting; rows
/// within a partition are always in increasing index order.
/// @brief What partition_options::on_progress is told after each partition is solved.
struct partition_progress {
  row_index solved = 0;  ///< partitions with a budget solved so far (this one included)
  row_index total = 0;   ///< partitions with a budget in this call
  row_index picks = 0;   ///< picks made so far, over the solved partitions
  friend bool operator==(const partition_progress&, const partition_progress&) = default;
};

struct partition_options {
  std::optional<row_index> partition_size{};    ///< P >= 1; empty: no cut by size
  std::span<const std::int64_t> groups{};       ///< one group id per row, or empty
  std::span<const row_index> exclude{};         ///< rows that may not be picked (they still count in the objective)
  std::optional<std::uint64_t> shuffle_seed{};  ///< shuffle rows before cutting
  std::optional<std::size_t> memory_limit{};    ///< replaces nacs::memory_limit() for this call
  /// Called after each partition is solved, one call at a time (never
  /// concurrently), from the thread that solved it; for progress output on
  /// long solves. An exception it throws ends the call and is rethrown.
  std::function<void(const partition_progress&)> on_progress{};

  /// @brief Equal settings (spans compared by contents; on_progress is not compared).
  friend bool operator==(const partition_options& a, const partition_options& b) {
    return a.partition_size == b.partition_size && std::ranges::equal(a.groups, b.groups) &&
           std::ranges::equal(a.exclude, b.exclude) && a.shuffle_seed == b.shuffle_seed &&
           a.memory_limit == b.memory_limit;
  }
};

/// @brief Partitions as lists of global row indices.
struct partition_plan {
  std::vector<row_index> rows{};     ///< all rows, partition by partition, ascending within each
  std::vector<row_index> offsets{};  ///< partition p is rows[offsets[p], offsets[p + 1])

  /// @brief Number of partitions.
  [[nodiscard]] row_index count() const noexcept { return offsets.empty() ? 0 : static_cast<row_index>(offsets.size()) - 1; }
  /// @brief Rows of partition p.
  [[nodiscard]] std::span<const row_index> partition(row_index p) const noexcept {
    const auto b = static_cast<std::size_t>(offsets[static_cast<std::size_t>(p)]);
    const auto e = static_cast<std::size_t>(offsets[static_cast<std::size_t>(p) + 1]);
    return std::span<const row_index>(rows).subspan(b, e - b);
  }
  /// @brief Rows in partition p.
  [[nodiscard]] row_index size(row_index p) const noexcept {
    return offsets[static_cast<std::size_t>(p) + 1] - offsets[static_cast<std::size_t>(p)];
  }
};

/// @brief Cuts rows 0..n-1 into partitions as `opts` says (exclude and memory_limit are not used here).
/// @throws nacs::error invalid_argument (partition_size < 1, n < 0), invalid_data (groups.size() != n)
[[nodiscard]] inline partition_plan make_partitions(row_index n, const partition_options& opts);

/// @brief Shares k between partitions in proportion to their sizes.
///
/// Partition p's ideal share is k * sizes[p] / sum(sizes); each gets the
/// floor, and the picks left over go to the largest remainders (ties to the
/// lower partition index), so the budgets sum exactly to k. A partition cannot
/// take more than capacities[p] picks (its rows that are not excluded): when
/// its share would reach that, it gets exactly its capacity and the rest of k
/// is shared again among the others, in proportion to their sizes.
/// @param[in] sizes rows per partition (>= 0)
/// @param[in] capacities picks each partition can take (0 <= capacity)
/// @param[in] k total budget, 0 <= k <= sum(capacities)
/// @throws nacs::error invalid_argument when the spans differ in length, a value is negative, or k does not fit
[[nodiscard]] inline std::vector<row_index> partition_budgets(std::span<const row_index> sizes,
                                                       std::span<const row_index> capacities, row_index k);

}  // namespace nacs

#include <nacs/detail/solver/partition.hpp>
