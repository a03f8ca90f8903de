// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief lazier_than_lazy: stochastic greedy's sample, evaluated lazily with stale upper bounds.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <nacs/core/error.hpp>
#include <nacs/detail/solver/lazier.hpp>
#include <nacs/solver/maximize.hpp>

namespace nacs {

/// @brief Lazier-than-lazy greedy: stochastic greedy's sample, evaluated lazily.
///
/// Each step draws exactly the sample stochastic_greedy with the same
/// epsilon and seed draws, then visits its members by decreasing upper bound
/// (each candidate's last computed gain, +infinity before its first
/// evaluation), `batch` at a time (in parallel on par), stopping when no
/// unvisited member can beat the best gain found. Gains never increase, so
/// the pick is the sample's exact best: the same picks and gains as
/// stochastic_greedy{epsilon, seed}, usually with fewer evaluations.
struct lazier_than_lazy {
  double epsilon = 1e-3;   ///< in (0, 1), as for stochastic_greedy
  std::uint64_t seed = 0;  ///< random seed
  int batch = 8;           ///< sample members evaluated together (>= 1)

  /// @brief "lazier".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "lazier"; }
  /// @brief Throws errc::invalid_argument unless 0 < epsilon < 1 and batch >= 1.
  void validate() const {
    NACS_EXPECTS(epsilon > 0.0 && epsilon < 1.0, errc::invalid_argument,
                 "lazier_than_lazy.epsilon = " + std::to_string(epsilon) + ": it must be in (0, 1) (1e-3 is usual)");
    NACS_EXPECTS(batch >= 1, errc::invalid_argument,
                 "lazier_than_lazy.batch = " + std::to_string(batch) + ": it must be >= 1 (8 is a good default)");
  }
  /// @brief Makes `budget` picks among `candidates` of problem `p` (called by nacs::maximize).
  template <class Problem, class Policy>
    requires greedy_problem_for<Problem, Policy>
  [[nodiscard]] partition_run run(Problem& p, std::span<const row_index> candidates, row_index budget,
                                  const partition_context<Policy>& ctx) const {
    return detail::lazier_run(p, candidates, budget, ctx, epsilon, seed, batch);
  }
  friend bool operator==(const lazier_than_lazy&, const lazier_than_lazy&) = default;
  friend std::ostream& operator<<(std::ostream& os, const lazier_than_lazy& s) {
    return os << "lazier_than_lazy{epsilon=" << s.epsilon << ", seed=" << s.seed << ", batch=" << s.batch << '}';
  }
};

static_assert(greedy_solver<lazier_than_lazy>);

}  // namespace nacs
