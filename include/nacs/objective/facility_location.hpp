// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Facility location: F(S) = sum over rows i of max(0, max over j in S of s(i, j)).
///
/// The coreset objective of the paper (Eq. 10): every row is represented by
/// its most similar chosen row. With a similarity that is >= 0 (neg_distance,
/// exp_distance, rbf) the max(0, .) changes nothing; with cosine a row whose
/// best chosen similarity is negative counts 0. F is monotone submodular
/// either way, so greedy gets F(S) >= (1 - 1/e) OPT.
///
/// Each partition of P rows gets its own kernel (P x P floats, see
/// nacs/similarity.hpp): neg_distance's C is that partition's largest
/// distance. A pick's weight is the number of rows of its partition whose most
/// similar chosen row it is (ties to the lowest row index), so the weights of
/// a partition sum to its number of rows. The objective of a partitioned
/// solve is the sum of the partitions' F.
///
/// The objective holds views: the embeddings or matrix must outlive it.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

#include <nacs/core/matrix.hpp>
#include <nacs/core/types.hpp>
#include <nacs/objective/objective.hpp>
#include <nacs/similarity.hpp>

namespace nacs {

/// @brief The similarity "policy" of a precomputed similarity_matrix: values are used as given.
struct precomputed_similarity {
  friend bool operator==(const precomputed_similarity&, const precomputed_similarity&) = default;
};

namespace detail {
class facility_location_problem;
template <class Source>
struct facility_source;
}  // namespace detail

/// @brief The facility-location objective over a similarity source.
/// @tparam Source matrix_view<const T> (embeddings, N x d), distance_matrix<T> or similarity_matrix<T>; T float or double
/// @tparam Similarity a similarity_policy (a distance_similarity for a distance_matrix;
///         precomputed_similarity for a similarity_matrix)
///
/// @code
/// auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
/// nacs::selection s = nacs::maximize(nacs::par, obj, 100, nacs::lazy_greedy{});
/// @endcode
template <class Source, class Similarity = neg_distance>
class facility_location {
  using source_traits = detail::facility_source<Source>;

 public:
  using source_type = Source;
  using similarity_type = Similarity;
  using problem_type = detail::facility_location_problem;

  static_assert(source_traits::embeddings || source_traits::distances || source_traits::similarities,
                "nacs::facility_location: the source must be embeddings (nacs::matrix_view<const T>), a "
                "nacs::distance_matrix<T> or a nacs::similarity_matrix<T>, T float or double");
  static_assert(!source_traits::embeddings || similarity_policy<Similarity>,
                "nacs::facility_location: with embeddings, the similarity must be a nacs::similarity_policy "
                "(neg_distance, exp_distance, cosine, rbf, or your own: see \"Writing a similarity\" in "
                "nacs/similarity.hpp)");
  static_assert(!source_traits::distances || distance_similarity<Similarity>,
                "nacs::facility_location: a distance_matrix needs a nacs::distance_similarity, whose step has "
                "from_distance (neg_distance, exp_distance, rbf); cosine needs the embeddings");
  static_assert(!source_traits::similarities || std::is_same_v<Similarity, precomputed_similarity>,
                "nacs::facility_location: a similarity_matrix is used as given; to apply a similarity policy, "
                "pass a distance_matrix or the embeddings");

  /// @brief The objective over `source` under `sim`.
  explicit facility_location(Source source, Similarity sim = {}) : source_(source), sim_(sim) {}

  /// @brief The source this objective reads.
  [[nodiscard]] const Source& source() const noexcept { return source_; }
  /// @brief The similarity policy.
  [[nodiscard]] const Similarity& similarity() const noexcept { return sim_; }

  /// @brief N, the number of rows.
  [[nodiscard]] row_index rows() const noexcept { return static_cast<row_index>(source_traits::view(source_).rows()); }
  /// @brief Throws nacs::error for empty or non-finite input, a non-square matrix or a bad policy setting.
  void validate() const;
  /// @brief "facility location (exp-distance)", for messages.
  [[nodiscard]] std::string name() const;
  /// @brief Bytes one problem of p rows holds: its kernel, packed rows and per-row state.
  [[nodiscard]] std::size_t problem_bytes(row_index p) const noexcept;
  /// @brief Builds the kernel of the given rows (global ids, ascending) under a host policy.
  /// (auto: problem_type is complete only once the detail header is read.)
  template <host_policy P>
  [[nodiscard]] auto make_problem(const P& policy, std::span<const row_index> rows) const {
    return build_problem(detail::omp_threads(policy), rows);
  }
  /// @brief F of no pick: 0.
  [[nodiscard]] double empty_objective() const noexcept { return 0.0; }
  /// @brief The partitions' F summed.
  [[nodiscard]] double merge(std::span<const double> values, std::span<const row_index> picks) const noexcept;

 private:
  problem_type build_problem(int threads, std::span<const row_index> rows) const;
  Source source_;
  Similarity sim_;
};

/// Embeddings, with or without a policy (neg_distance by default).
template <class T>
facility_location(matrix_view<T>) -> facility_location<matrix_view<const std::remove_const_t<T>>, neg_distance>;
template <class T, class S>
facility_location(matrix_view<T>, S) -> facility_location<matrix_view<const std::remove_const_t<T>>, S>;
template <class T>
facility_location(const matrix<T>&) -> facility_location<matrix_view<const T>, neg_distance>;
template <class T, class S>
facility_location(const matrix<T>&, S) -> facility_location<matrix_view<const T>, S>;
/// A distance matrix and a distance-based policy.
template <class T, class S>
facility_location(distance_matrix<T>, S) -> facility_location<distance_matrix<T>, S>;
template <class T>
facility_location(distance_matrix<T>) -> facility_location<distance_matrix<T>, neg_distance>;
/// A similarity matrix, used as given.
template <class T>
facility_location(similarity_matrix<T>) -> facility_location<similarity_matrix<T>, precomputed_similarity>;

}  // namespace nacs

#include <nacs/detail/objective/facility_location.hpp>
