// Stochastic greedy, plainly: the oracle for nacs/solver/stochastic.hpp (and,
// through nacs_ref/lazier.hpp, for lazier-than-lazy).
//
// It replays the documented random draw with its own code: the sample size
// ceil((C / k) ln(1 / epsilon)) clamped to [1, C]; a pool of the unpicked
// candidates, initially in candidate order, from which each step's sample is
// taken by a partial Fisher-Yates shuffle of the live prefix (position t swaps
// with t + below(live - t)), a pick being swapped to the end of the live part;
// draws from Philox stream (seed, partition index), each below(n) being
// Lemire's multiply-and-reject on 32-bit words (written out here, not the
// library's random_stream::below). Gains are computed from scratch every time
// by the plain problems below, never incrementally.
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
#include <nacs/core/philox.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/objective/k_center.hpp>
#include <nacs/objective/set_cover.hpp>
#include <nacs/similarity.hpp>

namespace nacs_ref {

/// ceil((c / k) ln(1 / epsilon)), at least 1 and at most c; 0 when c or k is 0.
inline std::size_t sample_size(std::size_t c, std::size_t k, double epsilon) {
  if (c == 0 || k == 0) return 0;
  const double s = std::ceil(static_cast<double>(c) / static_cast<double>(k) * std::log(1.0 / epsilon));
  if (s >= static_cast<double>(c)) return c;
  if (s < 1.0) return 1;
  return static_cast<std::size_t>(s);
}

/// A uniform integer in [0, n), 0 < n < 2^32: m = u * n for a 32-bit word u; when the low
/// 32 bits of m fall below 2^32 mod n, u is drawn again; the answer is m's high 32 bits.
inline std::uint64_t draw_below(nacs::random_stream& rng, std::uint64_t n) {
  const std::uint64_t threshold = ((std::uint64_t{1} << 32) - n) % n;  // 2^32 mod n
  for (;;) {
    const std::uint64_t m = std::uint64_t{rng.next_u32()} * n;
    if ((m & 0xFFFFFFFFull) >= threshold) return m >> 32;
  }
}

/// The unpicked candidates, in the order the draws leave them.
struct pool {
  std::vector<std::size_t> items;
  std::size_t live = 0;

  explicit pool(std::vector<std::size_t> candidates) : items(std::move(candidates)), live(items.size()) {}

  /// s distinct live candidates (all live ones, in pool order, when s >= live).
  std::vector<std::size_t> draw(nacs::random_stream& rng, std::size_t s) {
    if (s >= live) return {items.begin(), items.begin() + static_cast<std::ptrdiff_t>(live)};
    for (std::size_t t = 0; t < s; ++t) std::swap(items[t], items[t + draw_below(rng, live - t)]);
    return {items.begin(), items.begin() + static_cast<std::ptrdiff_t>(s)};
  }
  /// Takes j out: it swaps places with the last live item.
  void remove(std::size_t j) {
    const auto at = static_cast<std::size_t>(std::find(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(live), j) - items.begin());
    std::swap(items[at], items[live - 1]);
    --live;
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

/// Stochastic greedy over a plain problem (gain(j) from scratch, commit(j), first_pick()):
/// budget picks among `candidates` (all rows when empty), from stream (seed, stream).
template <class Problem>
sampled_result stochastic_greedy(Problem& p, std::size_t budget, double epsilon, std::uint64_t seed,
                                 std::uint64_t stream = 0, std::vector<std::size_t> candidates = {}) {
  if (candidates.empty())
    for (std::size_t i = 0; i < p.size(); ++i) candidates.push_back(i);
  sampled_result r;
  if (budget == 0) return r;
  pool live(candidates);
  if (const std::optional<std::size_t> f = p.first_pick(candidates)) {
    r.picks.push_back(*f);
    r.gains.push_back(p.gain(*f));
    ++r.evaluations;
    p.commit(*f);
    live.remove(*f);
  }
  nacs::random_stream rng(seed, stream);
  const std::size_t s = sample_size(candidates.size(), budget, epsilon);
  while (r.picks.size() < budget) {
    const std::vector<std::size_t> sample = live.draw(rng, s);
    std::size_t best = sample[0];
    double best_gain = p.gain(best);
    for (std::size_t c = 1; c < sample.size(); ++c) {
      const double g = p.gain(sample[c]);
      if (better(g, sample[c], best_gain, best)) {
        best = sample[c];
        best_gain = g;
      }
    }
    r.evaluations += static_cast<std::int64_t>(sample.size());
    r.picks.push_back(best);
    r.gains.push_back(best_gain);
    p.commit(best);
    live.remove(best);
  }
  return r;
}

// ------------------------------------------------------------ plain problems

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
