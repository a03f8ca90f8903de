// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief make_kernel on a CUDA device: the similarity kernel of embedding rows
/// under any similarity policy (the built-ins or your own), computed on the GPU.
///
/// This header is the CUDA backend's specialisation of
/// detail::algorithm<algo::make_kernel, cuda_backend>: the public
/// nacs::make_kernel (nacs/similarity.hpp) dispatches to it for nacs::cuda.
/// `nacs::make_kernel(nacs::cuda, x, sim)` validates its input before it
/// dispatches, as for every backend (same errors, thrown before the device is
/// touched); this backend checks its own memory (the kernel's bytes), builds
/// the kernel on the policy's stream with one thread per pair, and returns it
/// in host memory in the same layout. The device runs the policy's own step
/// struct (its accumulate and epilogue, the CPU's exp_approx included), summing
/// in the input's type in index order, so as on the CPU the kernel is symmetric
/// bitwise and d(a, a) == 0; the values may differ from the CPU kernel's in the
/// last bits (fused multiply-adds).
#pragma once

#include <cstring>
#include <optional>

#include <nacs/detail/cuda/similarity.cuh>
#include <nacs/execution.cuh>
#include <nacs/similarity.hpp>

namespace nacs::detail {

/// The CUDA backend's make_kernel of embedding rows (validated, with the resolved step, by nacs::make_kernel).
template <>
struct algorithm<algo::make_kernel, cuda_backend> {
  template <class T, class Step>
  static similarity_kernel run(const cuda_policy& policy, matrix_view<const T> x, const Step& step,
                               std::optional<std::size_t> memory_limit) {
    check_memory(similarity_kernel::bytes_for(static_cast<row_index>(x.rows())), kernel_what("make_kernel", x.rows()),
                 memory_limit);
    const std::vector<row_index> rows = all_rows(x.rows());
    const cudaStream_t s = cuda::stream_of(policy);
    cuda::device_kernel dk = cuda::build_device_kernel<T>(s, x, rows, step);
    similarity_kernel k = kernel_access::allocate(static_cast<row_index>(x.rows()));
    dk.data.download(kernel_access::data(k), dk.n * dk.ld, s);
    NACS_CUDA_TRY(cudaStreamSynchronize(s));
    kernel_access::set(k, true, dk.shift);
    return k;
  }
};

}  // namespace nacs::detail
