// SPDX-License-Identifier: Apache-2.0
// Device side of nacs/cuda/greedy.cuh: naive greedy for facility location over
// B partitions in one launch, one thread block per partition running all its steps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nacs/detail/cuda/buffer.cuh>

namespace nacs::detail::cuda {

inline constexpr int greedy_threads = 256;  // 8 warps per block
inline constexpr int greedy_warps = greedy_threads / 32;

/// One partition as the greedy kernel sees it (all pointers into device memory).
struct greedy_partition {
  const float* kernel;  // column-major, entry (i, j) at kernel[j * ld + i]
  float* best;          // n floats: each row's best similarity to the picks so far (starts 0)
  unsigned char* taken; // n flags
  std::int64_t* picks;  // budget entries, written in pick order
  double* gains;        // budget entries
  std::int64_t n, ld, budget;
};

/// Better candidate: a larger gain, or an equal gain and a lower index (the CPU's tie rule).
__device__ inline bool better(double g, std::int64_t j, double bg, std::int64_t bj) {
  return g > bg || (g == bg && j < bj);
}

/// Block b runs every step of partition b. Each warp takes candidates j = warp, warp + 8, ...;
/// a candidate's gain sum_i max(0, s(i, j) - best_i) is formed as on the CPU (each term in
/// float, accumulated in double): lane l sums rows l, l + 32, ... in order, then the 32 lane
/// sums are added by a fixed butterfly. The order depends only on n and the block size, so
/// the same input gives the same bits on every run and every GPU.
__global__ inline void naive_facility_kernel(greedy_partition* parts) {
  const greedy_partition p = parts[blockIdx.x];
  const int lane = static_cast<int>(threadIdx.x) & 31, warp = static_cast<int>(threadIdx.x) >> 5;
  __shared__ double warp_gain[greedy_warps];
  __shared__ std::int64_t warp_pick[greedy_warps];
  __shared__ std::int64_t pick;
  for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
    p.best[i] = 0.0f;
    p.taken[i] = 0;
  }
  __syncthreads();
  for (std::int64_t step = 0; step < p.budget; ++step) {
    double my_gain = -1.0;
    std::int64_t my_pick = -1;
    for (std::int64_t j = warp; j < p.n; j += greedy_warps) {
      if (p.taken[j]) continue;  // the same for every lane of the warp
      const float* col = p.kernel + j * p.ld;
      double s = 0.0;
      for (std::int64_t i = lane; i < p.n; i += 32) {
        const float t = col[i] - p.best[i];
        s += t > 0.0f ? static_cast<double>(t) : 0.0;
      }
      for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);
      // After the butterfly every lane holds the same bits; j rises, so '>' keeps the lowest index.
      if (my_pick < 0 || s > my_gain) {
        my_gain = s;
        my_pick = j;
      }
    }
    if (lane == 0) {
      warp_gain[warp] = my_gain;
      warp_pick[warp] = my_pick;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      double bg = -1.0;
      std::int64_t bj = -1;
      for (int w = 0; w < greedy_warps; ++w)
        if (warp_pick[w] >= 0 && (bj < 0 || better(warp_gain[w], warp_pick[w], bg, bj))) {
          bg = warp_gain[w];
          bj = warp_pick[w];
        }
      pick = bj;
      p.picks[step] = bj;
      p.gains[step] = bg;
      p.taken[bj] = 1;
    }
    __syncthreads();
    const float* col = p.kernel + pick * p.ld;
    for (std::int64_t i = threadIdx.x; i < p.n; i += blockDim.x) p.best[i] = fmaxf(p.best[i], col[i]);
    __syncthreads();
  }
}

}  // namespace nacs::detail::cuda
