// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief lazy_greedy: Minoux's accelerated greedy with a priority queue of stale gains.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <nacs/core/error.hpp>
#include <nacs/detail/solver/lazy.hpp>
#include <nacs/solver/maximize.hpp>

namespace nacs {

/// @brief Lazy greedy (Minoux 1978): exact like naive greedy, with far fewer evaluations.
///
/// All candidates are evaluated once; afterwards a max-heap holds each
/// candidate's last computed gain, an upper bound of its current gain (gains
/// never increase). The top is picked when its gain was computed after the
/// last pick; otherwise the `batch` top entries are re-evaluated, in parallel
/// on par, and pushed back. The picks are naive greedy's picks (the exact
/// argmax, ties to the lowest index); batch changes only how many
/// evaluations are done, never what is picked.
struct lazy_greedy {
  int batch = 8;  ///< stale entries re-evaluated together (>= 1)

  /// @brief "lazy".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "lazy"; }
  /// @brief Throws errc::invalid_argument when batch < 1.
  void validate() const {
    NACS_EXPECTS(batch >= 1, errc::invalid_argument,
                 "lazy_greedy.batch = " + std::to_string(batch) + ": it must be >= 1 (8 is a good default)");
  }
  /// @brief Makes `budget` picks among `candidates` of problem `p` (called by nacs::maximize).
  template <class Problem, class Policy>
    requires greedy_problem_for<Problem, Policy>
  [[nodiscard]] partition_run run(Problem& p, std::span<const row_index> candidates, row_index budget,
                                  const partition_context<Policy>& ctx) const {
    return detail::lazy_run(p, candidates, budget, ctx, batch);
  }
  friend bool operator==(const lazy_greedy&, const lazy_greedy&) = default;
  friend std::ostream& operator<<(std::ostream& os, const lazy_greedy& s) {
    return os << "lazy_greedy{batch=" << s.batch << '}';
  }
};

static_assert(greedy_solver<lazy_greedy>);

}  // namespace nacs
