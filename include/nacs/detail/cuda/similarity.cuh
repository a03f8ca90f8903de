// SPDX-License-Identifier: Apache-2.0
// Device kernels of nacs/cuda/similarity.cuh: the similarity kernel of a set of
// embedding rows, built in device memory in the CPU kernel's layout.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include <nacs/detail/cuda/buffer.cuh>
#include <nacs/similarity.hpp>

namespace nacs::detail::cuda {

inline constexpr int sim_tile = 32;   // rows and columns per block
inline constexpr int sim_depth = 16;  // dimensions staged in shared memory per pass

/// A similarity kernel in device memory: entry (i, j) at data[j * ld + i], padding 0.
struct device_kernel {
  device_array<float> data;
  std::size_t n = 0, ld = 0;
  double shift = 0.0;  // the C neg_distance used (0 otherwise)
};

/// The similarity step's accumulate over k for pair (i = row of the block's x, j = column),
/// in T in index order, then its epilogue in float: the same step struct the CPU kernel
/// runs (see "Writing a similarity" in nacs/similarity.hpp). The pair (j, i) runs the same
/// operations on the same values, so the kernel is symmetric bitwise and d(a, a) == 0
/// exactly. Rows n..ld of each column (padding) are written as 0. For a shifted step
/// (neg_distance) the epilogue's value is stored and max(0, value) is folded into
/// *dmax_bits (floats >= 0 compare like their bit patterns), for a second pass that
/// subtracts from C.
template <class T, class Op>
__global__ void pair_kernel(const T* __restrict__ x, std::size_t n, std::size_t d, Op op, float* __restrict__ out,
                            std::size_t ld, unsigned int* __restrict__ dmax_bits) {
  __shared__ T a[sim_tile][sim_depth + 1];
  __shared__ T b[sim_tile][sim_depth + 1];
  const int tx = static_cast<int>(threadIdx.x), ty = static_cast<int>(threadIdx.y);
  const std::size_t i0 = static_cast<std::size_t>(blockIdx.x) * sim_tile;
  const std::size_t j0 = static_cast<std::size_t>(blockIdx.y) * sim_tile;
  const std::size_t i = i0 + static_cast<std::size_t>(tx);
  const std::size_t j = j0 + static_cast<std::size_t>(ty);
  T acc = T(0);
  for (std::size_t k0 = 0; k0 < d; k0 += sim_depth) {
    // The first 512 of the 1024 threads each stage one value of each side's 32 rows x 16 dims.
    for (int t = ty * sim_tile + tx; t < sim_tile * sim_depth; t += sim_tile * sim_tile) {
      const int r = t / sim_depth, c = t % sim_depth;
      const std::size_t k = k0 + static_cast<std::size_t>(c);
      a[r][c] = (i0 + r < n && k < d) ? x[(i0 + r) * d + k] : T(0);
      b[r][c] = (j0 + r < n && k < d) ? x[(j0 + r) * d + k] : T(0);
    }
    __syncthreads();
    const int kmax = static_cast<int>(d - k0 < sim_depth ? d - k0 : sim_depth);
    for (int c = 0; c < kmax; ++c) op.accumulate(acc, a[tx][c], b[ty][c]);
    __syncthreads();
  }
  if (j >= n) return;  // the grid covers ld columns; only n exist
  if (i >= n) {        // padding rows of column j
    out[j * ld + i] = 0.0f;
    return;
  }
  const float s = op.epilogue(static_cast<float>(acc));
  if constexpr (shifted_op<Op>) atomicMax(dmax_bits, __float_as_uint(fmaxf(s, 0.0f)));
  out[j * ld + i] = s;
}

/// K(i, j) = C - K(i, j) for the real entries; padding stays 0.
__global__ inline void shift_kernel(float* __restrict__ out, std::size_t n, std::size_t ld, float c) {
  const std::size_t e = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (e >= n * ld) return;
  if (e % ld < n) out[e] = c - out[e];
}

/// The rows as the device reads them: row-major n x d, normalised for a unit_rows step
/// (cosine; in double, as the CPU path does; an all-zero row stays zero, so its cosines are 0).
template <class T>
std::vector<T> host_rows(matrix_view<const T> x, std::span<const row_index> rows, bool normalise) {
  const std::size_t d = x.cols();
  std::vector<T> h(rows.size() * d);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const T* src = x.row_ptr(static_cast<std::size_t>(rows[r]));
    T* dst = h.data() + r * d;
    double norm = 0.0;
    if (normalise) {
      for (std::size_t k = 0; k < d; ++k) norm += static_cast<double>(src[k]) * static_cast<double>(src[k]);
      norm = std::sqrt(norm);
    }
    for (std::size_t k = 0; k < d; ++k)
      dst[k] = !normalise ? src[k] : norm > 0.0 ? static_cast<T>(static_cast<double>(src[k]) / norm) : T(0);
  }
  return h;
}

/// Device bytes build_device_kernel allocates.
constexpr std::size_t device_kernel_bytes(std::size_t n, std::size_t d, std::size_t value_size) noexcept {
  return similarity_kernel::bytes_for(static_cast<row_index>(n)) + n * d * value_size + sizeof(unsigned int);
}

/// Builds the kernel of x's `rows` on stream s (inputs already validated; op is the policy's
/// resolved step). Returns once the kernel is complete on the device.
template <class T, class Op>
device_kernel build_device_kernel(cudaStream_t s, matrix_view<const T> x, std::span<const row_index> rows,
                                  const Op& op) {
  static_assert(std::is_trivially_copyable_v<Op>, "nacs: a similarity step is passed to the device by value");
  const std::size_t n = rows.size(), d = x.cols();
  const bool dot = op_unit_rows<Op>();
  check_device_memory(device_kernel_bytes(n, d, sizeof(T)),
                      "the CUDA similarity kernel of " + std::to_string(n) + " rows");
  const std::vector<T> h = host_rows(x, rows, dot);
  device_array<T> dx(n * d);
  dx.upload(h.data(), h.size(), s);
  device_kernel k;
  k.n = n;
  k.ld = round_up(n, 32);
  k.data = device_array<float>(n * k.ld);
  device_array<unsigned int> dmax(1);
  NACS_CUDA_TRY(cudaMemsetAsync(dmax.data(), 0, sizeof(unsigned int), s));
  const unsigned int blocks = static_cast<unsigned int>(k.ld / sim_tile);
  const dim3 grid(blocks, blocks), block(sim_tile, sim_tile);
  pair_kernel<T, Op><<<grid, block, 0, s>>>(dx.data(), n, d, op, k.data.data(), k.ld, dmax.data());
  NACS_CUDA_TRY(cudaGetLastError());
  if constexpr (shifted_op<Op>) {
    unsigned int bits = 0;
    NACS_CUDA_TRY(cudaMemcpyAsync(&bits, dmax.data(), sizeof bits, cudaMemcpyDeviceToHost, s));
    NACS_CUDA_TRY(cudaStreamSynchronize(s));
    float dm = 0.0f;
    static_assert(sizeof dm == sizeof bits);
    std::memcpy(&dm, &bits, sizeof dm);
    NACS_EXPECTS(std::isfinite(dm), errc::invalid_data,
                 "the embeddings' distances overflow float: scale the data down (e.g. standardise it)");
    const float c = static_cast<float>(op.shift(dm));
    const std::size_t total = n * k.ld;
    const auto g = static_cast<unsigned int>((total + 255) / 256);
    shift_kernel<<<g, 256, 0, s>>>(k.data.data(), n, k.ld, c);
    NACS_CUDA_TRY(cudaGetLastError());
    k.shift = c;
  }
  NACS_CUDA_TRY(cudaStreamSynchronize(s));
  return k;
}

}  // namespace nacs::detail::cuda
