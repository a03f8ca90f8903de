// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Set cover: F(S) = the number of distinct (field, value) pairs the picked rows contain.
///
/// The paper's set-cover baseline (Table 3a): each row is the set of its F
/// categorical (field, value) pairs, and greedy maximises how many distinct
/// pairs the picks cover (maximum coverage, monotone submodular: greedy
/// reaches (1 - 1/e) OPT). A candidate's gain is the number of its pairs not
/// covered yet: an integer, so ties are common and go to the lowest index.
///
/// A pick's weight is the number of rows of its partition that share the
/// most field values with it (ties to the lowest row index; a row sharing no
/// value with any pick goes to the lowest-index pick), so a partition's
/// weights sum to its rows. Computing them costs O(rows x picks sharing a
/// value) per partition. The objective of a partitioned solve is the number
/// of distinct pairs covered by all picks together (recounted, not summed).
///
/// The objective holds a view of the ids: they must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/objective/objective.hpp>

namespace nacs {

namespace detail {
class set_cover_problem;
// A template so that make_problem's call is dependent: nvcc rejects a non-dependent
// call returning the still incomplete problem type.
template <host_policy P>
set_cover_problem make_set_cover_problem(const P& policy, matrix_view<const std::uint32_t> ids,
                                         std::span<const row_index> rows);
}  // namespace detail

/// @brief Maximum coverage of (field, value) pairs over categorical rows.
///
/// @code
/// nacs::selection s = nacs::maximize(nacs::seq, nacs::set_cover{ds}, 1000, nacs::lazy_greedy{});
/// @endcode
class set_cover {
 public:
  using problem_type = detail::set_cover_problem;

  /// @brief Over a dataset's rows (raw or encoded ids: any 32-bit values).
  /// @throws nacs::error invalid_data when the dataset's ids do not fill rows() x num_fields()
  explicit set_cover(const dataset& ds);
  /// @brief Over a row-major N x F matrix of ids (row r's value for field f at (r, f)).
  explicit set_cover(matrix_view<const std::uint32_t> ids) noexcept : ids_(ids) {}

  /// @brief The ids this objective reads (N x F).
  [[nodiscard]] matrix_view<const std::uint32_t> ids() const noexcept { return ids_; }
  /// @brief N.
  [[nodiscard]] row_index rows() const noexcept { return static_cast<row_index>(ids_.rows()); }
  /// @brief Throws errc::invalid_data when there are no rows or no fields.
  void validate() const;
  /// @brief "set cover".
  [[nodiscard]] std::string name() const { return "set cover"; }
  /// @brief Bytes one problem of p rows holds (pair ids, coverage flags, sort buffer).
  [[nodiscard]] std::size_t problem_bytes(row_index p) const noexcept {
    return static_cast<std::size_t>(p) * ids_.cols() * (sizeof(std::uint32_t) + 2 * sizeof(std::uint64_t) + 1);
  }
  /// @brief The coverage problem of the given rows (global ids, ascending).
  /// (auto: problem_type is complete only once the detail header is read.)
  template <host_policy P>
  [[nodiscard]] auto make_problem(const P& policy, std::span<const row_index> rows) const {
    return detail::make_set_cover_problem(policy, ids_, rows);
  }
  /// @brief Nothing picked covers nothing: 0.
  [[nodiscard]] double empty_objective() const noexcept { return 0.0; }
  /// @brief Distinct pairs covered by all picks (global row indices) together.
  [[nodiscard]] double merge(std::span<const double> values, std::span<const row_index> picks) const;

 private:
  matrix_view<const std::uint32_t> ids_;
};

}  // namespace nacs

#include <nacs/detail/objective/set_cover.hpp>
