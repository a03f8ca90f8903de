// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief k-center greedy (farthest point; Gonzalez 1985, Sener & Savarese 2018) through the greedy solvers.
///
/// k-center picks centres that make the covering radius max_i min_{j in S}
/// ||x_i - x_j|| small. Greedy farthest-point traversal, a 2-approximation,
/// repeatedly picks the row farthest from its nearest centre. Here that is
/// a greedy maximisation where a candidate's "gain" is its distance to the
/// nearest centre picked so far: it never increases as centres are added,
/// so lazy greedy and lazier-than-lazy stay exact, and naive and lazy greedy
/// give the classic farthest-point picks (stochastic greedy takes the
/// farthest of a random sample each step).
///
/// - First pick: the candidate nearest to the partition's mean (ties to the
///   lowest index), for every solver (it has no centre to be far from); its
///   reported gain is +infinity.
/// - objective: the covering radius over all rows of the partition, chosen
///   rows included (smaller is better; +infinity with no pick). A
///   partitioned solve reports the largest radius over its partitions.
/// - weights: rows whose nearest centre a pick is (ties to the lowest
///   index); per partition they sum to its rows.
///
/// Distances are computed in double, sum of squared differences in index
/// order; cost O(P d) per evaluation of a new centre, so naive greedy is the
/// usual O(k P d) per partition. The objective holds a view of x.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <type_traits>

#include <nacs/core/matrix.hpp>
#include <nacs/core/types.hpp>
#include <nacs/objective/objective.hpp>

namespace nacs {

namespace detail {
template <class T>
class k_center_problem;
}  // namespace detail

/// @brief k-center greedy over embeddings.
/// @tparam T float or double
///
/// @code
/// nacs::selection s = nacs::maximize(nacs::par, nacs::k_center{x.view()}, 100, nacs::naive_greedy{});
/// double radius = s.objective;
/// @endcode
template <class T>
class k_center {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "nacs::k_center: T must be float or double");

 public:
  using problem_type = detail::k_center_problem<T>;

  /// @brief Over embeddings x (N x d).
  explicit k_center(matrix_view<const T> x) noexcept : x_(x) {}

  /// @brief The embeddings.
  [[nodiscard]] matrix_view<const T> embeddings() const noexcept { return x_; }
  /// @brief N.
  [[nodiscard]] row_index rows() const noexcept { return static_cast<row_index>(x_.rows()); }
  /// @brief Throws errc::invalid_data for empty or non-finite embeddings.
  void validate() const;
  /// @brief "k-center".
  [[nodiscard]] std::string name() const { return "k-center"; }
  /// @brief Bytes one problem of p rows holds (a copy of its rows, nearest-centre caches).
  [[nodiscard]] std::size_t problem_bytes(row_index p) const noexcept {
    return static_cast<std::size_t>(p) * (x_.cols() * sizeof(T) + sizeof(double) + 2 * sizeof(std::size_t));
  }
  /// @brief The problem of the given rows (global ids, ascending).
  template <host_policy P>
  [[nodiscard]] problem_type make_problem(const P&, std::span<const row_index> rows) const {
    return problem_type(x_, rows);
  }
  /// @brief Radius with no centre: +infinity.
  [[nodiscard]] double empty_objective() const noexcept { return std::numeric_limits<double>::infinity(); }
  /// @brief The largest radius over the partitions.
  [[nodiscard]] double merge(std::span<const double> values, std::span<const row_index> picks) const noexcept;

 private:
  matrix_view<const T> x_;
};

template <class T>
k_center(matrix_view<T>) -> k_center<std::remove_const_t<T>>;
template <class T>
k_center(const matrix<T>&) -> k_center<T>;

}  // namespace nacs

#include <nacs/detail/objective/k_center.hpp>
