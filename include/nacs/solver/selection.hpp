// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief selection: what every greedy solve returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nacs/core/types.hpp>

namespace nacs {

/// @brief One partition's share of a selection.
struct partition_summary {
  row_index rows = 0;          ///< rows in the partition
  row_index candidates = 0;    ///< rows that could be picked (not excluded)
  row_index budget = 0;        ///< picks asked of it (and made)
  row_index first = 0;         ///< position of its first pick in selection::indices
  double objective = 0.0;      ///< the objective on this partition alone
  std::int64_t evaluations = 0;  ///< gain evaluations it needed
  friend bool operator==(const partition_summary&, const partition_summary&) = default;
};

/// @brief The rows a solver picked, with their gains and weights.
///
/// indices, gains and weights are parallel arrays in pick order; in a
/// partitioned solve, partition 0's picks come first (in its pick order),
/// then partition 1's, and so on (see partitions[p].first).
struct selection {
  std::vector<row_index> indices{};  ///< global row indices, in pick order
  std::vector<double> gains{};       ///< each pick's marginal gain when it was picked
  /// Rows each pick represents (see the objective): per partition they sum to
  /// its rows, so overall to N minus unrepresented_rows().
  std::vector<row_index> weights{};
  double objective = 0.0;          ///< the objective of the whole selection over all rows (see the objective)
  std::int64_t evaluations = 0;    ///< marginal-gain evaluations done, all partitions together
  std::size_t memory_bytes = 0;    ///< working memory planned for the call (what was checked against the limit)
  std::vector<partition_summary> partitions{};  ///< one entry per partition, in partition order

  /// @brief Number of picks.
  [[nodiscard]] std::size_t size() const noexcept { return indices.size(); }
  /// @brief True when nothing was picked.
  [[nodiscard]] bool empty() const noexcept { return indices.empty(); }
  /// @brief Sum of the weights.
  [[nodiscard]] row_index total_weight() const noexcept {
    row_index w = 0;
    for (const row_index x : weights) w += x;
    return w;
  }
  /// @brief Rows that no pick represents: those of partitions whose budget was 0.
  ///
  /// A partitioned solve shares k in proportion to partition sizes, so with
  /// fewer picks than partitions some partitions get none; their rows count
  /// in the objective but toward no pick's weight. total_weight() +
  /// unrepresented_rows() is always N. To avoid it, use at most k partitions
  /// (larger partition_size, or fewer groups).
  [[nodiscard]] row_index unrepresented_rows() const noexcept {
    row_index r = 0;
    for (const partition_summary& p : partitions)
      if (p.budget == 0) r += p.rows;
    return r;
  }
  friend bool operator==(const selection&, const selection&) = default;
};

}  // namespace nacs
