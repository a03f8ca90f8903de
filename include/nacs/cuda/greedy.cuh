// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Naive greedy for facility location on a CUDA device, over many partitions at once.
///
/// `nacs::cuda_naive_facility(nacs::cuda, partitions, sim, budgets)` builds each
/// partition's similarity kernel on the GPU and runs every partition's k steps
/// in one kernel launch (one thread block per partition), with no host round
/// trip between steps. Each step picks the candidate with the largest gain
/// sum_i max(0, s(i, j) - best_i); an equal gain goes to the lower index, as on
/// the CPU. Gains are summed in a fixed order that depends only on the
/// partition size (see detail::cuda::naive_facility_kernel), so a run is
/// reproducible bit for bit; they may differ from the CPU's in the last bits
/// (a different summation order), so where two candidates' gains are within
/// about 1e-12 relative the GPU and the CPU can pick differently. Exact ties
/// (duplicate rows) are resolved identically.
///
/// It dispatches like every algorithm (detail::algorithm<algo::naive_facility_batch,
/// backend>); only the CUDA backend provides it so far. This is the building
/// block of a future maximize_partitioned(cuda, ...):
/// it returns picks and gains per partition, not a nacs::selection (no
/// weights or exclusions yet; see docs/cuda.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nacs/cuda/similarity.cuh>
#include <nacs/detail/cuda/greedy.cuh>

namespace nacs {

/// @brief One partition's picks, in pick order (positions within the partition's rows).
struct cuda_partition_picks {
  std::vector<row_index> indices;  ///< row positions within the partition, in pick order
  std::vector<double> gains;       ///< each pick's marginal gain when it was picked
  double objective = 0.0;          ///< F(S) on the partition: the sum of the gains
};

}  // namespace nacs

namespace nacs::detail {

/// The CUDA backend's naive greedy over many partitions.
template <>
struct algorithm<algo::naive_facility_batch, cuda_backend> {
  template <class T, class S>
  static std::vector<cuda_partition_picks> run(const cuda_policy& policy,
                                               std::span<const matrix_view<const T>> partitions, const S& sim,
                                               std::span<const row_index> budgets) {
    NACS_EXPECTS(partitions.size() == budgets.size(), errc::invalid_argument,
                 "cuda_naive_facility: " + std::to_string(partitions.size()) + " partitions but " +
                     std::to_string(budgets.size()) + " budgets: give one budget per partition");
    for (std::size_t b = 0; b < partitions.size(); ++b) {
      validate_embeddings(partitions[b], "cuda_naive_facility");
      NACS_EXPECTS(budgets[b] >= 0 && static_cast<std::size_t>(budgets[b]) <= partitions[b].rows(),
                   errc::invalid_argument,
                   "cuda_naive_facility: partition " + std::to_string(b) + " has " +
                       std::to_string(partitions[b].rows()) + " rows but a budget of " + std::to_string(budgets[b]) +
                       ": a budget must be between 0 and the partition's rows");
    }
    const cudaStream_t s = cuda::stream_of(policy);
    std::vector<cuda::device_kernel> kernels;
    std::vector<cuda::device_array<float>> best;
    std::vector<cuda::device_array<unsigned char>> taken;
    std::vector<cuda::device_array<std::int64_t>> picks;
    std::vector<cuda::device_array<double>> gains;
    std::vector<cuda::greedy_partition> parts;
    for (std::size_t b = 0; b < partitions.size(); ++b) {
      const auto rs = resolve_similarity(sim, partitions[b].cols());
      const std::vector<row_index> rows = all_rows(partitions[b].rows());
      kernels.push_back(cuda::build_device_kernel<T>(s, partitions[b], rows, rs));
      const std::size_t n = kernels.back().n, k = static_cast<std::size_t>(budgets[b]);
      best.emplace_back(n);
      taken.emplace_back(n);
      picks.emplace_back(k);
      gains.emplace_back(k);
      parts.push_back({kernels.back().data.data(), best.back().data(), taken.back().data(), picks.back().data(),
                       gains.back().data(), static_cast<std::int64_t>(n), static_cast<std::int64_t>(kernels.back().ld),
                       static_cast<std::int64_t>(k)});
    }
    std::vector<cuda_partition_picks> out(partitions.size());
    if (parts.empty()) return out;
    cuda::device_array<cuda::greedy_partition> dparts(parts.size());
    dparts.upload(parts.data(), parts.size(), s);
    cuda::naive_facility_kernel<<<static_cast<unsigned int>(parts.size()), cuda::greedy_threads, 0, s>>>(
        dparts.data());
    NACS_CUDA_TRY(cudaGetLastError());
    std::vector<std::vector<std::int64_t>> hp(parts.size());
    for (std::size_t b = 0; b < parts.size(); ++b) {
      const auto k = static_cast<std::size_t>(budgets[b]);
      hp[b].resize(k);
      out[b].gains.resize(k);
      picks[b].download(hp[b].data(), k, s);
      gains[b].download(out[b].gains.data(), k, s);
    }
    NACS_CUDA_TRY(cudaStreamSynchronize(s));
    for (std::size_t b = 0; b < parts.size(); ++b) {
      for (const std::int64_t j : hp[b]) out[b].indices.push_back(static_cast<row_index>(j));
      for (const double g : out[b].gains) out[b].objective += g;
    }
    return out;
  }
};

}  // namespace nacs::detail

namespace nacs {

/// @brief Naive greedy facility location on each partition (its embedding rows), on the GPU.
///
/// T is not deduced from a span of views: call it as `cuda_naive_facility<float>(...)`.
/// @param[in] partitions one N_b x d matrix of embeddings per partition (finite, N_b >= 1)
/// @param[in] sim the similarity policy (its defaults resolved per partition, as on the CPU)
/// @param[in] budgets picks per partition, 0 <= budgets[b] <= N_b
/// @throws nacs::error invalid_argument (sizes, budgets), invalid_data (empty, NaN/Inf),
/// memory_limit (device memory), unsupported (no usable GPU)
template <class T, class P, similarity_policy S>
std::vector<cuda_partition_picks> cuda_naive_facility(const P& policy, std::span<const matrix_view<const T>> partitions,
                                                      const S& sim, std::span<const row_index> budgets) {
  return detail::dispatch<algo::naive_facility_batch>(policy, partitions, sim, budgets);
}

}  // namespace nacs
