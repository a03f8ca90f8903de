// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief stochastic_greedy: Mirzasoleiman et al. 2015, a random sample of candidates per step.
#pragma once

#include <cmath>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <nacs/core/error.hpp>
#include <nacs/detail/solver/stochastic.hpp>
#include <nacs/solver/maximize.hpp>

namespace nacs {

/// @brief Sample size of stochastic greedy: ceil((candidates / budget) * ln(1 / epsilon)),
/// at least 1 and at most `candidates` (0 when budget or candidates is 0).
[[nodiscard]] inline std::size_t stochastic_sample_size(row_index candidates, row_index budget, double epsilon) noexcept {
  return detail::stochastic_sample(candidates, budget, epsilon);
}

/// @brief Stochastic greedy ("Lazier than lazy greedy", Mirzasoleiman et al., AAAI 2015).
///
/// At each of a partition's k_p steps, s = stochastic_sample_size(C, k_p,
/// epsilon) candidates are drawn uniformly without replacement from those
/// not picked yet (C: the partition's candidates), all s are evaluated, and
/// the best is picked (ties to the lowest index). Expected F(S) >= (1 - 1/e -
/// epsilon) OPT. Draws come from the partition's own Philox stream (seed,
/// partition index), on one thread, so the picks do not depend on the policy
/// or thread count.
struct stochastic_greedy {
  double epsilon = 1e-3;   ///< in (0, 1): smaller is closer to naive greedy and slower
  std::uint64_t seed = 0;  ///< random seed

  /// @brief "stochastic".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "stochastic"; }
  /// @brief Throws errc::invalid_argument unless 0 < epsilon < 1.
  void validate() const {
    NACS_EXPECTS(epsilon > 0.0 && epsilon < 1.0, errc::invalid_argument,
                 "stochastic_greedy.epsilon = " + std::to_string(epsilon) +
                     ": it must be in (0, 1) (1e-3 is usual)");
  }
  /// @brief Makes `budget` picks among `candidates` of problem `p` (called by nacs::maximize).
  template <class Problem, class Policy>
    requires greedy_problem_for<Problem, Policy>
  [[nodiscard]] partition_run run(Problem& p, std::span<const row_index> candidates, row_index budget,
                                  const partition_context<Policy>& ctx) const {
    return detail::stochastic_run(p, candidates, budget, ctx, epsilon, seed);
  }
  friend bool operator==(const stochastic_greedy&, const stochastic_greedy&) = default;
  friend std::ostream& operator<<(std::ostream& os, const stochastic_greedy& s) {
    return os << "stochastic_greedy{epsilon=" << s.epsilon << ", seed=" << s.seed << '}';
  }
};

static_assert(greedy_solver<stochastic_greedy>);

}  // namespace nacs
