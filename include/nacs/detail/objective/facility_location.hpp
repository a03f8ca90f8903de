// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/objective/facility_location.hpp: the per-partition problem
// (kernel + current best similarity per row) and the objective's members.
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nacs/core/parallel.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/detail/similarity/buffer.hpp>
#include <nacs/detail/similarity/kernel.hpp>
#include <nacs/detail/similarity/simd.hpp>

namespace nacs::detail {

template <class Source>
struct facility_source {
  static constexpr bool embeddings = false, distances = false, similarities = false;
};
template <class T>
  requires kernel_value_type<T>
struct facility_source<matrix_view<const T>> {
  static constexpr bool embeddings = true, distances = false, similarities = false;
  static matrix_view<const T> view(const matrix_view<const T>& s) noexcept { return s; }
};
template <class T>
  requires kernel_value_type<T>
struct facility_source<distance_matrix<T>> {
  static constexpr bool embeddings = false, distances = true, similarities = false;
  static matrix_view<const T> view(const distance_matrix<T>& s) noexcept { return s.values; }
};
template <class T>
  requires kernel_value_type<T>
struct facility_source<similarity_matrix<T>> {
  static constexpr bool embeddings = false, distances = false, similarities = true;
  static matrix_view<const T> view(const similarity_matrix<T>& s) noexcept { return s.values; }
};

/// Facility location on one partition: the kernel, and per row its best
/// similarity to the picks so far, clamped at 0 (cur). gain(j) reads column
/// j: sum_i max(0, s(i, j) - cur[i]), accumulated in double in a fixed order.
class facility_location_problem {
 public:
  explicit facility_location_problem(similarity_kernel k)
      : k_(std::move(k)), ld_(k_.stride()), cur_(ld_, 0.0f) {}

  [[nodiscard]] row_index size() const noexcept { return k_.size(); }
  [[nodiscard]] const similarity_kernel& kernel() const noexcept { return k_; }

  [[nodiscard]] double gain(row_index j) const noexcept { return simd::positive_gap_sum(k_.column(j), cur_.data(), ld_); }

  void commit(row_index j) {
    const float* col = k_.column(j);
    const auto n = static_cast<std::size_t>(k_.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (col[i] > cur_[i]) {
        if (tracking_) changed_.push_back({i, cur_[i], col[i]});
        cur_[i] = col[i];
      }
    }
  }

  [[nodiscard]] std::optional<row_index> first_pick(std::span<const row_index>) const noexcept { return std::nullopt; }

  /// Exact gains of all candidates, kept up to date between calls: when row i's
  /// best similarity changed from a to b, candidate j's gain changes by
  /// max(0, s(i,j) - b) - max(0, s(i,j) - a), and s(i, .) is column i of a
  /// symmetric kernel. Recomputed from scratch instead when that is cheaper
  /// (many rows changed) or the kernel is not symmetric.
  template <host_policy P>
  void refresh_gains(const P& policy, std::span<const row_index> candidates, std::span<double> out) {
    const bool fresh = !tracking_ || 2 * changed_.size() >= candidates.size();
    if (fresh) {
      if (gains_.size() != ld_) gains_ = aligned_array<double>(ld_, 0.0);
      double* g = gains_.data();
      for_each_range(
          policy, candidates.size(), tuning::fresh_gain_block,
          [&](std::size_t begin, std::size_t end) {
            for (std::size_t c = begin; c < end; ++c) g[candidates[c]] = gain(candidates[c]);
          },
          ld_);
      tracking_ = k_.symmetric();
    } else {
      constexpr std::size_t chunk = tuning::kernel_row_block;
      double* g = gains_.data();
      for_each_range(
          policy, ld_, chunk,
          [&](std::size_t j0, std::size_t j1) {
            for (const change& c : changed_)
              simd::add_gap_change(k_.column(static_cast<row_index>(c.row)) + j0, c.before, c.now, g + j0, j1 - j0);
          },
          changed_.size());
    }
    changed_.clear();
    for (const row_index j : candidates) out[static_cast<std::size_t>(j)] = gains_[static_cast<std::size_t>(j)];
  }

  /// F = sum of cur; weights by the most similar pick (ties to the lowest local index).
  template <host_policy P>
  [[nodiscard]] partition_outcome finish(const P& policy, std::span<const row_index> picks) const {
    partition_outcome out;
    const auto n = static_cast<std::size_t>(k_.size());
    double f = 0.0;
    for (std::size_t i = 0; i < n; ++i) f += static_cast<double>(cur_[i]);
    out.objective = f;
    out.weights.assign(picks.size(), 0);
    if (picks.empty()) return out;
    // Picks by local index, so that a strict > keeps the lowest index on ties.
    std::vector<std::size_t> order(picks.size());
    for (std::size_t p = 0; p < order.size(); ++p) order[p] = p;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return picks[a] < picks[b]; });
    std::vector<std::size_t> owner(n, 0);
    for_each_range(
        policy, n, tuning::kernel_row_block,
        [&](std::size_t i0, std::size_t i1) {
          std::vector<float> best(i1 - i0, -std::numeric_limits<float>::infinity());
          for (const std::size_t p : order) {
            const float* col = k_.column(picks[p]);
            for (std::size_t i = i0; i < i1; ++i)
              if (col[i] > best[i - i0]) {
                best[i - i0] = col[i];
                owner[i] = p;
              }
          }
        },
        picks.size());
    for (std::size_t i = 0; i < n; ++i) ++out.weights[owner[i]];
    return out;
  }

  /// Bytes of per-row state besides the kernel (cur, gains, change log).
  static constexpr std::size_t state_bytes(std::size_t n) noexcept {
    return round_up(n, 32) * (sizeof(float) + sizeof(double)) + n * (sizeof(change) + sizeof(std::size_t));
  }

 private:
  struct change {
    std::size_t row;
    float before, now;
  };
  similarity_kernel k_;
  std::size_t ld_;
  aligned_array<float> cur_;
  aligned_array<double> gains_;
  std::vector<change> changed_;
  bool tracking_ = false;
};

}  // namespace nacs::detail

namespace nacs {

template <class Source, class Similarity>
void facility_location<Source, Similarity>::validate() const {
  const auto v = source_traits::view(source_);
  if constexpr (source_traits::embeddings) {
    detail::validate_embeddings(v, "facility_location");
    (void)detail::resolve_similarity(sim_, v.cols());
  } else if constexpr (source_traits::distances) {
    detail::validate_square(v, "distance matrix", true);
    (void)detail::resolve_similarity(sim_, 0);
  } else {
    detail::validate_square(v, "similarity matrix", false);
  }
}

template <class Source, class Similarity>
std::string facility_location<Source, Similarity>::name() const {
  if constexpr (source_traits::similarities) {
    return "facility location (precomputed similarities)";
  } else {
    return std::string("facility location (") + std::string(similarity_name(sim_)) + ")";
  }
}

template <class Source, class Similarity>
std::size_t facility_location<Source, Similarity>::problem_bytes(row_index p) const noexcept {
  const auto n = static_cast<std::size_t>(p);
  const auto v = source_traits::view(source_);
  const std::size_t kernel = source_traits::embeddings
                                 ? detail::embedding_kernel_bytes(n, v.cols(), sizeof(typename decltype(v)::value_type))
                                 : similarity_kernel::bytes_for(p);
  return kernel + detail::facility_location_problem::state_bytes(n);
}

template <class Source, class Similarity>
detail::facility_location_problem facility_location<Source, Similarity>::build_problem(
    int threads, std::span<const row_index> rows) const {
  const auto v = source_traits::view(source_);
  if constexpr (source_traits::embeddings) {
    return detail::facility_location_problem(
        detail::kernel_from_embeddings(threads, v, rows, detail::resolve_similarity(sim_, v.cols())));
  } else if constexpr (source_traits::distances) {
    return detail::facility_location_problem(
        detail::kernel_from_matrix(threads, v, rows, detail::resolve_similarity(sim_, 0)));
  } else {
    return detail::facility_location_problem(
        detail::kernel_from_matrix(threads, v, rows, detail::given_op{}));
  }
}

template <class Source, class Similarity>
double facility_location<Source, Similarity>::merge(std::span<const double> values,
                                                    std::span<const row_index>) const noexcept {
  double f = 0.0;
  for (const double v : values) f += v;
  return f;
}

}  // namespace nacs
