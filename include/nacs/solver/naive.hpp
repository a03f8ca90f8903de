// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief naive_greedy: the exact gain of every candidate at every step.
#pragma once

#include <ostream>
#include <span>
#include <string_view>

#include <nacs/detail/solver/naive.hpp>
#include <nacs/solver/maximize.hpp>

namespace nacs {

/// @brief Naive greedy: at each step, the exact gain of every remaining candidate; pick the largest
/// (ties to the lowest index). k steps of N evaluations.
///
/// "Exact gain of every candidate every step" is kept literally, but not
/// computed from scratch where the objective can maintain it: facility
/// location on a symmetric kernel updates every candidate's gain
/// incrementally (when row i's best similarity changes from a to b, each
/// gain changes by max(0, s(i,j) - b) - max(0, s(i,j) - a); K is symmetric so
/// the needed column is a row), touching only the rows that changed, and
/// recomputes from scratch when more than half the candidates' rows changed.
/// No bounds are used. Gains are accumulated in double; they may differ from
/// a from-scratch sum in the last bits, which matters only for gains equal to
/// about 1e-15 (relative).
struct naive_greedy {
  /// @brief "naive".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "naive"; }
  /// @brief Nothing to check.
  void validate() const noexcept {}
  /// @brief Makes `budget` picks among `candidates` of problem `p` (called by nacs::maximize).
  template <class Problem, class Policy>
    requires greedy_problem_for<Problem, Policy>
  [[nodiscard]] partition_run run(Problem& p, std::span<const row_index> candidates, row_index budget,
                                  const partition_context<Policy>& ctx) const {
    return detail::naive_run(p, candidates, budget, ctx);
  }
  friend bool operator==(const naive_greedy&, const naive_greedy&) = default;
  friend std::ostream& operator<<(std::ostream& os, const naive_greedy&) { return os << "naive_greedy{}"; }
};

static_assert(greedy_solver<naive_greedy>);

}  // namespace nacs
