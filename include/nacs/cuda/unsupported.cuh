// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief What nacs::cuda does not provide yet is a compile error, never an empty result.
///
/// Including <nacs/execution.cuh> declares the CUDA backend available, which
/// lets every algorithm accept nacs::cuda; the CPU bodies then have nothing to
/// run for it (the `else { return {}; }` that the open-seams issue removes).
/// These overloads take `const cuda_policy&` first, so overload resolution
/// picks them over the generic templates, and each fails to compile with the
/// alternative in its message. Each is removed when its CUDA version lands.
#pragma once

#include <optional>

#include <nacs/similarity.hpp>
#include <nacs/solver/maximize.hpp>

namespace nacs {
namespace detail::cuda {
template <class... T>
inline constexpr bool not_yet = false;
}  // namespace detail::cuda

template <objective O, greedy_solver S>
selection maximize(const cuda_policy&, const O&, row_index, const S&) {
  static_assert(detail::cuda::not_yet<O, S>,
                "nacs: maximize has no CUDA version yet: use nacs::cuda_naive_facility (nacs/cuda/greedy.cuh) or "
                "nacs::seq / nacs::par (see docs/cuda.md)");
  return {};
}

template <objective O, greedy_solver S>
selection maximize_partitioned(const cuda_policy&, const O&, row_index, const S&, const partition_options&) {
  static_assert(detail::cuda::not_yet<O, S>,
                "nacs: maximize_partitioned has no CUDA version yet: use nacs::cuda_naive_facility "
                "(nacs/cuda/greedy.cuh) or nacs::seq / nacs::par (see docs/cuda.md)");
  return {};
}

template <objective O, greedy_solver S>
std::size_t memory_needed(const cuda_policy&, const O&, row_index, const S&, const partition_options& = {}) {
  static_assert(detail::cuda::not_yet<O, S>,
                "nacs: memory_needed has no CUDA version yet: ask it with nacs::seq or nacs::par");
  return 0;
}

template <class T, distance_similarity S>
similarity_kernel make_kernel(const cuda_policy&, distance_matrix<T>, const S&,
                              std::optional<std::size_t> = std::nullopt) {
  static_assert(detail::cuda::not_yet<T, S>,
                "nacs: make_kernel of a distance matrix has no CUDA version yet: use nacs::seq or nacs::par");
  return {};
}

template <class T>
similarity_kernel make_kernel(const cuda_policy&, similarity_matrix<T>, std::optional<std::size_t> = std::nullopt) {
  static_assert(detail::cuda::not_yet<T>,
                "nacs: make_kernel of a similarity matrix has no CUDA version yet: use nacs::seq or nacs::par");
  return {};
}

}  // namespace nacs
