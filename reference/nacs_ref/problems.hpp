// SPDX-License-Identifier: Apache-2.0
// Plain greedy problems: gains computed from scratch, every time, in double.
// The oracles the solvers' tests drive (nacs_ref/stochastic.hpp, lazier.hpp,
// and naive greedy below) and the facility-location tests compare against.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>
#include <vector>

#include <nacs/core/matrix.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/objective/k_center.hpp>
#include <nacs/objective/set_cover.hpp>
#include <nacs/similarity.hpp>

namespace nacs_ref {

/// Facility location on a float kernel: gain(j) = sum over rows i, in double, of
/// max(0, s(i, j) - cur[i]) with the difference taken in float, as the library
/// documents (cur[i]: row i's best similarity to the picks, from 0). The kernel
/// values are the library's (nacs::make_kernel), copied; everything else is here.
struct facility_problem {
  std::size_t n = 0;
  std::vector<float> s;  // s[i * n + j]
  std::vector<float> cur;

  explicit facility_problem(const nacs::similarity_kernel& k)
      : n(static_cast<std::size_t>(k.size())), s(n * n), cur(n, 0.0f) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) s[i * n + j] = k(static_cast<nacs::row_index>(i), static_cast<nacs::row_index>(j));
  }
  [[nodiscard]] std::size_t size() const { return n; }
  [[nodiscard]] double gain(std::size_t j) const {
    double g = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const float t = s[i * n + j] - cur[i];
      if (t > 0.0f) g += static_cast<double>(t);
    }
    return g;
  }
  void commit(std::size_t j) {
    for (std::size_t i = 0; i < n; ++i) cur[i] = std::max(cur[i], s[i * n + j]);
  }
  [[nodiscard]] std::optional<std::size_t> first_pick(const std::vector<std::size_t>&) const { return std::nullopt; }
  /// F(S) = sum of cur, in double.
  [[nodiscard]] double value() const {
    double f = 0.0;
    for (const float c : cur) f += static_cast<double>(c);
    return f;
  }
};

/// Set cover of (field, value) pairs: gain(j) = pairs of row j not covered yet.
struct cover_problem {
  const nacs::matrix<std::uint32_t>* ids;
  std::vector<std::size_t> rows;  // the partition's rows (global)
  std::set<std::pair<std::size_t, std::uint32_t>> covered;

  cover_problem(const nacs::matrix<std::uint32_t>& m, std::vector<std::size_t> r = {}) : ids(&m), rows(std::move(r)) {
    if (rows.empty())
      for (std::size_t i = 0; i < m.rows(); ++i) rows.push_back(i);
  }
  [[nodiscard]] std::size_t size() const { return rows.size(); }
  [[nodiscard]] double gain(std::size_t j) const {
    std::set<std::pair<std::size_t, std::uint32_t>> fresh;
    for (std::size_t f = 0; f < ids->cols(); ++f)
      if (!covered.count({f, (*ids)(rows[j], f)})) fresh.insert({f, (*ids)(rows[j], f)});
    return static_cast<double>(fresh.size());
  }
  void commit(std::size_t j) {
    for (std::size_t f = 0; f < ids->cols(); ++f) covered.insert({f, (*ids)(rows[j], f)});
  }
  [[nodiscard]] std::optional<std::size_t> first_pick(const std::vector<std::size_t>&) const { return std::nullopt; }
};

/// k-center: gain(j) = distance (double, index order) from row j to its nearest pick, +inf
/// before the first; the first pick is the candidate nearest the rows' mean (ties: lowest).
template <class T>
struct center_problem {
  const nacs::matrix<T>* x;
  std::vector<std::size_t> rows;
  std::vector<std::size_t> centres;

  center_problem(const nacs::matrix<T>& m, std::vector<std::size_t> r = {}) : x(&m), rows(std::move(r)) {
    if (rows.empty())
      for (std::size_t i = 0; i < m.rows(); ++i) rows.push_back(i);
  }
  [[nodiscard]] std::size_t size() const { return rows.size(); }
  [[nodiscard]] double d2(std::size_t a, std::size_t b) const {
    double s = 0.0;
    for (std::size_t c = 0; c < x->cols(); ++c) {
      const double t = static_cast<double>((*x)(rows[a], c)) - static_cast<double>((*x)(rows[b], c));
      s += t * t;
    }
    return s;
  }
  [[nodiscard]] double gain(std::size_t j) const {
    double best = std::numeric_limits<double>::infinity();
    for (const std::size_t c : centres) best = std::min(best, d2(j, c));
    return std::sqrt(best);
  }
  void commit(std::size_t j) { centres.push_back(j); }
  [[nodiscard]] std::optional<std::size_t> first_pick(const std::vector<std::size_t>& candidates) const {
    std::vector<double> mean(x->cols(), 0.0);
    for (const std::size_t r : rows)
      for (std::size_t c = 0; c < x->cols(); ++c) mean[c] += static_cast<double>((*x)(r, c));
    for (double& m : mean) m /= static_cast<double>(rows.size());
    std::size_t first = candidates.front();
    double first_d = std::numeric_limits<double>::infinity();
    for (const std::size_t j : candidates) {
      double s = 0.0;
      for (std::size_t c = 0; c < x->cols(); ++c) {
        const double t = static_cast<double>((*x)(rows[j], c)) - mean[c];
        s += t * t;
      }
      if (s < first_d) {
        first_d = s;
        first = j;
      }
    }
    return first;
  }
};

/// What a reference solver returns: picks (local indices), their gains, gains evaluated.
struct sampled_result {
  std::vector<std::size_t> picks;
  std::vector<double> gains;
  std::int64_t evaluations = 0;
};

/// The best of (gain, index) pairs: larger gain, then lower index.
inline bool better(double a, std::size_t i, double b, std::size_t j) { return a > b || (a == b && i < j); }

/// Naive greedy over a plain problem: each step every unpicked row's gain from scratch, the
/// best wins (ties to the lowest index). near_gap, when given, receives each step's gap between
/// the best and the second best gain (+inf with one candidate).
template <class Problem>
sampled_result naive_greedy(Problem& p, std::size_t k, std::vector<double>* near_gap = nullptr) {
  sampled_result r;
  std::vector<bool> taken(p.size(), false);
  std::vector<std::size_t> all(p.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  if (k > 0)
    if (const std::optional<std::size_t> f = p.first_pick(all)) {
      r.picks.push_back(*f);
      r.gains.push_back(p.gain(*f));
      ++r.evaluations;
      p.commit(*f);
      taken[*f] = true;
      if (near_gap) near_gap->push_back(std::numeric_limits<double>::infinity());
    }
  while (r.picks.size() < k) {
    bool any = false;
    std::size_t best = 0;
    double best_gain = 0.0, second = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < p.size(); ++j) {
      if (taken[j]) continue;
      const double g = p.gain(j);
      ++r.evaluations;
      if (!any || better(g, j, best_gain, best)) {
        if (any) second = best_gain;
        any = true;
        best = j;
        best_gain = g;
      } else {
        second = std::max(second, g);
      }
    }
    if (near_gap) near_gap->push_back(best_gain - second);
    r.picks.push_back(best);
    r.gains.push_back(best_gain);
    p.commit(best);
    taken[best] = true;
  }
  return r;
}

/// Calls f(problem) with the plain problem of `obj` over the given rows (global, ascending;
/// all rows when empty): for facility location over embeddings, the library's float kernel
/// of those rows (nacs::make_kernel on a copy of them); set cover over `ids`, k-center over `x`.
template <class T, class Obj, class F>
decltype(auto) with_plain_problem(const Obj& obj, const nacs::matrix<T>& x, const nacs::matrix<std::uint32_t>& ids,
                                  std::vector<std::size_t> rows, F&& f) {
  if (rows.empty())
    for (std::size_t i = 0; i < x.rows(); ++i) rows.push_back(i);
  if constexpr (std::is_same_v<Obj, nacs::set_cover>) {
    cover_problem p(ids, rows);
    return f(p);
  } else if constexpr (std::is_same_v<Obj, nacs::k_center<T>>) {
    center_problem<T> p(x, rows);
    return f(p);
  } else {
    nacs::matrix<T> sub(rows.size(), x.cols());
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t c = 0; c < x.cols(); ++c) sub(r, c) = x(rows[r], c);
    facility_problem p(nacs::make_kernel(nacs::seq, sub.view(), obj.similarity()));
    return f(p);
  }
}

}  // namespace nacs_ref
