// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief make_kernel on a CUDA device: the similarity kernel of embedding rows
/// under any of the four similarity policies, computed on the GPU.
///
/// `nacs::make_kernel(nacs::cuda, x, sim)` validates its input exactly as the
/// CPU overloads do (same errors, thrown before the device is touched), builds
/// the kernel on the policy's stream with one thread per pair, and returns it
/// in host memory in the same layout. Distances are summed directly in the
/// input's type in index order, so as on the CPU the kernel is symmetric
/// bitwise and d(a, a) == 0; the values may differ from the CPU kernel's in
/// the last bits (fused multiply-adds; expf instead of the CPU's polynomial exp).
#pragma once

#include <cstring>
#include <optional>

#include <nacs/detail/cuda/similarity.cuh>
#include <nacs/execution.cuh>
#include <nacs/similarity.hpp>

namespace nacs {

/// @brief The similarity kernel of embeddings x (N x d) under a policy, computed on the GPU.
/// @throws nacs::error invalid_data (empty, NaN/Inf), invalid_argument (bad policy setting),
/// memory_limit (host limit, or not enough free device memory), unsupported (no usable GPU)
template <class T, similarity_policy S>
similarity_kernel make_kernel(const cuda_policy& policy, matrix_view<T> x, const S& sim,
                              std::optional<std::size_t> memory_limit = std::nullopt) {
  using V = std::remove_const_t<T>;
  static_assert(detail::kernel_value_type<V>, "nacs::make_kernel: embeddings must be float or double");
  const matrix_view<const V> cx = x;
  detail::validate_embeddings(cx, "make_kernel");
  const detail::resolved_similarity rs = detail::resolve_similarity(sim, cx.cols());
  check_memory(similarity_kernel::bytes_for(static_cast<row_index>(cx.rows())),
               detail::kernel_what("make_kernel", cx.rows()), memory_limit);
  const std::vector<row_index> rows = detail::all_rows(cx.rows());
  const cudaStream_t s = detail::cuda::stream_of(policy);
  detail::cuda::device_kernel dk = detail::cuda::build_device_kernel<V>(s, cx, rows, rs);
  similarity_kernel k = detail::kernel_access::allocate(static_cast<row_index>(cx.rows()));
  dk.data.download(detail::kernel_access::data(k), dk.n * dk.ld, s);
  NACS_CUDA_TRY(cudaStreamSynchronize(s));
  detail::kernel_access::set(k, true, dk.shift);
  return k;
}

}  // namespace nacs
