// SPDX-License-Identifier: Apache-2.0
// Plain similarities in double: the oracle for nacs/similarity.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include <nacs/core/matrix.hpp>
#include <nacs/similarity.hpp>

namespace nacs_ref {

/// An n x n matrix of doubles, row-major: s[i * n + j] = s(i, j).
struct dense {
  std::size_t n = 0;
  std::vector<double> v;
  double operator()(std::size_t i, std::size_t j) const { return v[i * n + j]; }
};

/// ||a - b|| in double, summing squared differences in index order.
template <class T>
double distance(const nacs::matrix<T>& x, std::size_t i, std::size_t j) {
  double s = 0.0;
  for (std::size_t k = 0; k < x.cols(); ++k) {
    const double t = static_cast<double>(x(i, k)) - static_cast<double>(x(j, k));
    s += t * t;
  }
  return std::sqrt(s);
}

template <class T>
double cosine_of(const nacs::matrix<T>& x, std::size_t i, std::size_t j) {
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t k = 0; k < x.cols(); ++k) {
    const double a = static_cast<double>(x(i, k)), b = static_cast<double>(x(j, k));
    ab += a * b;
    aa += a * a;
    bb += b * b;
  }
  if (aa == 0.0 || bb == 0.0) return 0.0;
  return std::clamp(ab / (std::sqrt(aa) * std::sqrt(bb)), -1.0, 1.0);
}

/// Distances between the given rows (all rows when `rows` is empty).
template <class T>
dense distances(const nacs::matrix<T>& x, std::vector<std::size_t> rows = {}) {
  if (rows.empty())
    for (std::size_t i = 0; i < x.rows(); ++i) rows.push_back(i);
  dense d{rows.size(), std::vector<double>(rows.size() * rows.size())};
  for (std::size_t a = 0; a < rows.size(); ++a)
    for (std::size_t b = 0; b < rows.size(); ++b) d.v[a * d.n + b] = distance(x, rows[a], rows[b]);
  return d;
}

/// Applies a distance-based policy to a distance matrix (C = its largest entry for neg_distance
/// without a shift; gamma defaults need d > 0).
inline dense from_distances(const dense& d, const nacs::neg_distance& s, std::size_t) {
  double c = 0.0;
  for (const double v : d.v) c = std::max(c, v);
  if (s.shift) c = *s.shift;
  dense out = d;
  for (double& v : out.v) v = c - v;
  return out;
}
inline dense from_distances(const dense& d, const nacs::exp_distance& s, std::size_t dim) {
  const double g = s.gamma ? *s.gamma : static_cast<double>(dim);
  dense out = d;
  for (double& v : out.v) v = std::exp(-v / g);
  return out;
}
inline dense from_distances(const dense& d, const nacs::rbf& s, std::size_t dim) {
  const double g = s.gamma ? *s.gamma : 1.0 / static_cast<double>(dim);
  dense out = d;
  for (double& v : out.v) v = std::exp(-g * v * v);
  return out;
}

/// The similarity matrix of the given rows (all rows when `rows` is empty) under a policy.
template <class T, class S>
dense similarities(const nacs::matrix<T>& x, const S& s, std::vector<std::size_t> rows = {}) {
  if (rows.empty())
    for (std::size_t i = 0; i < x.rows(); ++i) rows.push_back(i);
  if constexpr (std::is_same_v<S, nacs::cosine>) {
    dense out{rows.size(), std::vector<double>(rows.size() * rows.size())};
    for (std::size_t a = 0; a < rows.size(); ++a)
      for (std::size_t b = 0; b < rows.size(); ++b) out.v[a * out.n + b] = cosine_of(x, rows[a], rows[b]);
    return out;
  } else {
    return from_distances(distances(x, rows), s, x.cols());
  }
}

}  // namespace nacs_ref
