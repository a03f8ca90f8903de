// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief What the greedy solvers need from an objective: the objective and greedy_problem concepts.
///
/// An objective (facility_location, set_cover, k_center, or a user's own)
/// describes a set function over the rows of a data set. For each partition
/// the solver driver asks it for a greedy_problem over those rows, and a
/// solver (naive, lazy, stochastic, lazier) drives that problem: it asks for
/// marginal gains of candidates and commits picks. Rows inside a problem are
/// local indices 0..size()-1, in increasing global order, so "ties go to the
/// lowest index" means the same thing locally and globally.
///
/// The contract the solvers rely on:
/// - gain(j) is the exact marginal gain of local candidate j given the picks
///   committed so far, and never increases as picks are added (this keeps
///   lazy evaluation exact, also in floating point: each problem computes a
///   gain with a fixed operation order);
/// - gain may be called from several threads at once for different j, but not
///   while commit runs;
/// - first_pick may fix the first pick (k_center does; facility location and
///   set cover return std::nullopt and let the solver choose);
/// - make_problem, finish and refresh_gains take the caller's execution policy
///   first (for par, with the threads that call may use), as every algorithm does.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nacs/core/types.hpp>
#include <nacs/execution.hpp>

namespace nacs {

/// @brief What a problem reports once its picks are final.
struct partition_outcome {
  double objective = 0.0;           ///< the objective's value on the partition's rows
  std::vector<row_index> weights{};   ///< per pick, in pick order: rows it represents
};

/// @brief Per-partition state of an objective that a greedy solver drives under
/// execution policy Policy (see the file comment).
///
/// The policy is the one the caller gave (for par: with the threads this
/// problem may use), so whatever it carries reaches the problem's loops.
template <class P, class Policy>
concept greedy_problem_for = execution_policy<Policy> &&
                             requires(P& p, const P& cp, row_index j, std::span<const row_index> rows,
                                      const Policy& policy) {
  { cp.size() } -> std::same_as<row_index>;             // rows in the partition
  { p.gain(j) } -> std::same_as<double>;                // marginal gain of candidate j now
  p.commit(j);                                          // add j to the picks
  { p.first_pick(rows) } -> std::same_as<std::optional<row_index>>;  // rows: the candidates
  { p.finish(policy, rows) } -> std::same_as<partition_outcome>;     // rows: the picks, in order
};

/// @brief A greedy_problem_for nacs::seq, the policy every host problem accepts.
template <class P>
concept greedy_problem = greedy_problem_for<P, sequenced_policy>;

/// @brief A problem that keeps every candidate's exact gain up to date itself
/// (faster than calling gain for each); the naive solver uses it when present.
template <class P, class Policy>
concept incremental_gains_for = greedy_problem_for<P, Policy> &&
                                requires(P& p, const Policy& policy, std::span<const row_index> c,
                                         std::span<double> out) {
  p.refresh_gains(policy, c, out);  // out[j] = gain(j) for every j in c (out has size() entries)
};

/// @brief incremental_gains_for nacs::seq.
template <class P>
concept incremental_gains = incremental_gains_for<P, sequenced_policy>;

/// @brief A set function over N rows that the greedy solvers can maximise
/// partition by partition under execution policy Policy.
template <class O, class Policy>
concept objective_for = execution_policy<Policy> &&
                        requires(const O& o, std::span<const row_index> rows, const Policy& policy,
                                 std::span<const double> values) {
  { o.rows() } -> std::same_as<row_index>;                       // N
  o.validate();                                                  // throws nacs::error for bad input
  { o.name() } -> std::convertible_to<std::string>;             // for messages and reports
  { o.problem_bytes(row_index{}) } -> std::same_as<std::size_t>;  // memory of one problem of P rows
  { o.make_problem(policy, rows) } -> greedy_problem_for<Policy>;  // rows: global ids, ascending
  { o.empty_objective() } -> std::same_as<double>;              // value of a partition with no pick
  { o.merge(values, rows) } -> std::same_as<double>;            // per-partition values + all picks -> one value
};

/// @brief An objective_for nacs::seq (every host objective is one; it may accept more policies).
template <class O>
concept objective = objective_for<O, sequenced_policy>;

}  // namespace nacs
