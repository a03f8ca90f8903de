// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief nacs::maximize and nacs::maximize_partitioned: run a greedy solver on an objective.
///
/// @code
/// auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
/// nacs::selection s = nacs::maximize(nacs::par.with_threads(2), obj, 100,
///                                    nacs::stochastic_greedy{.epsilon = 1e-3, .seed = 7});
/// nacs::partition_options p{.partition_size = 32768};
/// p.exclude = s.indices;  // rows chosen before may not be picked again
/// nacs::selection more = nacs::maximize_partitioned(nacs::par, obj, 100, nacs::lazy_greedy{}, p);
/// @endcode
///
/// The solvers are nacs::naive_greedy, lazy_greedy, stochastic_greedy and
/// lazier_than_lazy (nacs/solver/naive.hpp, lazy.hpp, stochastic.hpp,
/// lazier.hpp; each includes this header). Every one breaks ties between equal
/// gains towards the lowest row index.
///
/// Parallelism and determinism: with par, partitions are solved at the same
/// time when there are at least as many partitions (with a budget) as
/// threads, each on one thread; otherwise one after another, each with all
/// threads (kernel tiles and gain evaluations split between them). Random
/// draws come from partition p's own stream (seed, stream id p), drawn on one
/// thread; each gain is computed by one thread with a fixed operation order.
/// So indices, gains, weights, objective and evaluations are the same on seq
/// and par with any thread count; only memory_bytes may differ (it counts the
/// partitions in flight).
///
/// Memory: before allocating anything, the call works out what the
/// partitions in flight need (for facility location, a P x P float kernel
/// each) and throws errc::memory_limit when that is over the limit
/// (partition_options::memory_limit, else nacs::memory_limit()); with par it
/// first lowers the number of partitions in flight to fit.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/core/types.hpp>
#include <nacs/execution.hpp>
#include <nacs/objective/objective.hpp>
#include <nacs/solver/partition.hpp>
#include <nacs/solver/selection.hpp>

namespace nacs {

/// @brief What a solver is told about the partition it solves.
///
/// `policy` is the caller's execution policy, with the threads this partition
/// may use (with par: all of them, or 1 when partitions are solved at the same
/// time); the solver hands it to the problem's calls.
template <class Policy>
struct partition_context {
  Policy policy{};           ///< where gain evaluations run
  std::uint64_t stream = 0;  ///< the partition's index: its random stream id
  row_index candidates = 0;  ///< rows that may be picked
  friend bool operator==(const partition_context&, const partition_context&) = default;
};

/// @brief The picks a solver made on one partition (local indices).
struct partition_run {
  std::vector<row_index> picks{};  ///< local indices, in pick order
  std::vector<double> gains{};     ///< each pick's gain
  std::int64_t evaluations = 0;  ///< gain evaluations done
};

namespace detail {
/// A minimal greedy_problem, only declared: what a solver must accept.
struct problem_archetype {
  [[nodiscard]] row_index size() const;
  double gain(row_index);
  void commit(row_index);
  std::optional<row_index> first_pick(std::span<const row_index>);
  partition_outcome finish(const sequenced_policy&, std::span<const row_index>);
};
static_assert(greedy_problem<problem_archetype>);
}  // namespace detail

/// @brief A greedy solver: settings plus run(problem, candidates, budget, context).
///
/// run makes exactly `budget` picks among `candidates` (local indices,
/// ascending, budget <= candidates.size()) and returns them in pick order. It
/// is a template on the problem and on the context's policy; the concept asks
/// for nacs::seq.
template <class S>
concept greedy_solver = requires(const S& s, detail::problem_archetype& p, std::span<const row_index> c,
                                 row_index budget, const partition_context<sequenced_policy>& ctx) {
  { s.name() } -> std::convertible_to<std::string_view>;
  s.validate();  // throws nacs::error for a bad setting
  { s.run(p, c, budget, ctx) } -> std::same_as<partition_run>;
};

/// @brief Picks k rows maximising `obj` with `solver`, all rows as one partition.
/// @tparam P nacs::seq or nacs::par (nacs::cuda needs <nacs/nacs.cuh>)
/// @param[in] policy where to run
/// @param[in] obj the objective (facility_location, set_cover, k_center, ...)
/// @param[in] k number of picks, 0 <= k <= N
/// @param[in] solver naive_greedy, lazy_greedy, stochastic_greedy or lazier_than_lazy (with settings)
/// @throws nacs::error invalid_data (empty input, NaN/Inf, ...), invalid_argument (k out of range,
///         bad setting), memory_limit
template <class P, objective O, greedy_solver S>
[[nodiscard]] selection maximize(const P& policy, const O& obj, row_index k, const S& solver);

/// @brief Picks k rows maximising `obj` partition by partition (see partition_options and partition_budgets).
///
/// Budgets are proportional to partition sizes and sum to k; a partition
/// with fewer candidates than its share (rows excluded) takes all its
/// candidates and the rest is shared among the others. k may not exceed the
/// number of candidates.
/// @param[in] opts how to cut the rows, rows to exclude, memory limit
template <class P, objective O, greedy_solver S>
[[nodiscard]] selection maximize_partitioned(const P& policy, const O& obj, row_index k, const S& solver,
                                             const partition_options& opts);

/// @brief The working memory, in bytes, that maximize_partitioned(policy, obj, k, solver, opts) would plan,
/// without running it (the number it checks against the memory limit).
template <class P, objective O, greedy_solver S>
[[nodiscard]] std::size_t memory_needed(const P& policy, const O& obj, row_index k, const S& solver,
                                        const partition_options& opts = {});

}  // namespace nacs

#include <nacs/detail/solver/maximize.hpp>
