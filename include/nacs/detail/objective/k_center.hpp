// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/objective/k_center.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include <nacs/core/parallel.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs/detail/similarity/kernel.hpp>
#include <nacs/objective/k_center.hpp>

namespace nacs::detail {

/// k-center on one partition. Each row caches the squared distance to its
/// nearest centre among the first checked[i] centres; gain(j) brings row j's
/// cache up to date with the centres added since, so an evaluation costs
/// O(new centres x d), and gain may run concurrently for different rows.
template <class T>
class k_center_problem {
 public:
  k_center_problem(matrix_view<const T> x, std::span<const row_index> rows)
      : n_(rows.size()), d_(x.cols()), x_(n_ * d_), near2_(n_, std::numeric_limits<double>::infinity()), checked_(n_, 0) {
    for (std::size_t i = 0; i < n_; ++i) {
      const T* r = x.row_ptr(static_cast<std::size_t>(rows[i]));
      std::copy(r, r + d_, x_.begin() + static_cast<std::ptrdiff_t>(i * d_));
    }
  }

  [[nodiscard]] row_index size() const noexcept { return static_cast<row_index>(n_); }

  /// Squared distance between local rows a and b, in double, in index order.
  [[nodiscard]] double distance2(std::size_t a, std::size_t b) const noexcept {
    const T* p = x_.data() + a * d_;
    const T* q = x_.data() + b * d_;
    double s = 0.0;
    for (std::size_t k = 0; k < d_; ++k) {
      const double t = static_cast<double>(p[k]) - static_cast<double>(q[k]);
      s += t * t;
    }
    return s;
  }

  /// Distance from row j to its nearest centre (+inf with no centre).
  double gain(row_index j) noexcept {
    const auto uj = static_cast<std::size_t>(j);
    double best = near2_[uj];
    for (std::size_t c = checked_[uj]; c < centres_.size(); ++c) best = std::min(best, distance2(uj, centres_[c]));
    near2_[uj] = best;
    checked_[uj] = centres_.size();
    return std::sqrt(best);
  }

  void commit(row_index j) { centres_.push_back(static_cast<std::size_t>(j)); }

  /// The candidate nearest to the partition's mean (ties to the lowest index).
  [[nodiscard]] std::optional<row_index> first_pick(std::span<const row_index> candidates) const {
    if (candidates.empty()) return std::nullopt;
    std::vector<double> mean(d_, 0.0);
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t k = 0; k < d_; ++k) mean[k] += static_cast<double>(x_[i * d_ + k]);
    for (double& m : mean) m /= static_cast<double>(n_);
    row_index best = candidates[0];
    double best_d = std::numeric_limits<double>::infinity();
    for (const row_index j : candidates) {
      double s = 0.0;
      for (std::size_t k = 0; k < d_; ++k) {
        const double t = static_cast<double>(x_[static_cast<std::size_t>(j) * d_ + k]) - mean[k];
        s += t * t;
      }
      if (s < best_d) {
        best_d = s;
        best = j;
      }
    }
    return best;
  }

  /// Covering radius over all rows; weights by nearest centre (ties to the lowest local index).
  template <host_policy P>
  partition_outcome finish(const P& policy, std::span<const row_index> picks) {
    partition_outcome out;
    out.weights.assign(picks.size(), 0);
    if (picks.empty()) {
      out.objective = std::numeric_limits<double>::infinity();
      return out;
    }
    std::vector<std::size_t> by_index(picks.size());
    for (std::size_t p = 0; p < by_index.size(); ++p) by_index[p] = p;
    std::sort(by_index.begin(), by_index.end(), [&](std::size_t a, std::size_t b) { return picks[a] < picks[b]; });
    std::vector<std::size_t> owner(n_, 0);
    std::vector<double> radius(n_, 0.0);
    for_each_range(
        policy, n_, tuning::k_center_block,
        [&](std::size_t i0, std::size_t i1) {
          for (std::size_t i = i0; i < i1; ++i) {
            radius[i] = gain(static_cast<row_index>(i));
            double best = std::numeric_limits<double>::infinity();
            for (const std::size_t p : by_index) {
              const double d2 = distance2(i, static_cast<std::size_t>(picks[p]));
              if (d2 < best) {
                best = d2;
                owner[i] = p;
              }
            }
          }
        },
        (picks.size() + 1) * d_);
    out.objective = *std::max_element(radius.begin(), radius.end());
    for (std::size_t i = 0; i < n_; ++i) ++out.weights[owner[i]];
    return out;
  }

 private:
  std::size_t n_, d_;
  std::vector<T> x_;
  std::vector<double> near2_;
  std::vector<std::size_t> checked_;
  std::vector<std::size_t> centres_;
};

}  // namespace nacs::detail

namespace nacs {

template <class T>
void k_center<T>::validate() const {
  detail::validate_embeddings(x_, "k_center");
}

template <class T>
double k_center<T>::merge(std::span<const double> values, std::span<const row_index>) const noexcept {
  double r = 0.0;
  for (const double v : values) r = std::max(r, v);
  return values.empty() ? std::numeric_limits<double>::infinity() : r;
}

}  // namespace nacs
