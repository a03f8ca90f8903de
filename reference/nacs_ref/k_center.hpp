// SPDX-License-Identifier: Apache-2.0
// k-center greedy (farthest point), plainly: the oracle for nacs/objective/k_center.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <nacs/core/matrix.hpp>
#include <nacs_ref/similarity.hpp>

namespace nacs_ref {

/// max over rows of the distance to the nearest pick (+inf with no pick).
template <class T>
double covering_radius(const nacs::matrix<T>& x, const std::vector<std::size_t>& picks) {
  if (picks.empty()) return std::numeric_limits<double>::infinity();
  double r = 0.0;
  for (std::size_t i = 0; i < x.rows(); ++i) {
    double near = std::numeric_limits<double>::infinity();
    for (const std::size_t p : picks) near = std::min(near, distance(x, i, p));
    r = std::max(r, near);
  }
  return r;
}

struct center_result {
  std::vector<std::size_t> picks;
  std::vector<double> gains;
};

/// First pick: the candidate nearest the mean of all rows; then repeatedly the candidate farthest
/// from its nearest pick (ties to the lowest index). candidates empty: all rows.
template <class T>
center_result center_greedy(const nacs::matrix<T>& x, std::size_t k, std::vector<std::size_t> candidates = {}) {
  if (candidates.empty())
    for (std::size_t i = 0; i < x.rows(); ++i) candidates.push_back(i);
  center_result r;
  if (k == 0) return r;
  std::vector<double> mean(x.cols(), 0.0);
  for (std::size_t i = 0; i < x.rows(); ++i)
    for (std::size_t c = 0; c < x.cols(); ++c) mean[c] += static_cast<double>(x(i, c));
  for (double& m : mean) m /= static_cast<double>(x.rows());
  std::size_t first = candidates[0];
  double first_d = std::numeric_limits<double>::infinity();
  for (const std::size_t j : candidates) {
    double s = 0.0;
    for (std::size_t c = 0; c < x.cols(); ++c) s += (static_cast<double>(x(j, c)) - mean[c]) * (static_cast<double>(x(j, c)) - mean[c]);
    if (s < first_d) {
      first_d = s;
      first = j;
    }
  }
  r.picks.push_back(first);
  r.gains.push_back(std::numeric_limits<double>::infinity());
  while (r.picks.size() < k) {
    double best = -1.0;
    std::size_t arg = 0;
    for (const std::size_t j : candidates) {
      if (std::find(r.picks.begin(), r.picks.end(), j) != r.picks.end()) continue;
      double near = std::numeric_limits<double>::infinity();
      for (const std::size_t p : r.picks) near = std::min(near, distance(x, j, p));
      if (near > best) {
        best = near;
        arg = j;
      }
    }
    r.picks.push_back(arg);
    r.gains.push_back(best);
  }
  return r;
}

/// Weight of each pick: rows whose nearest pick it is (ties to the lowest row index).
template <class T>
std::vector<long long> center_weights(const nacs::matrix<T>& x, const std::vector<std::size_t>& picks) {
  std::vector<long long> w(picks.size(), 0);
  for (std::size_t i = 0; i < x.rows(); ++i) {
    std::size_t owner = 0;
    for (std::size_t p = 1; p < picks.size(); ++p) {
      const double a = distance(x, i, picks[p]), b = distance(x, i, picks[owner]);
      if (a < b || (a == b && picks[p] < picks[owner])) owner = p;
    }
    if (!picks.empty()) ++w[owner];
  }
  return w;
}

}  // namespace nacs_ref
