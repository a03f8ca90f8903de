// SPDX-License-Identifier: Apache-2.0
// Checks shared by the solver tests: comparing selections, expecting errors,
// and the objectives every solver is run on.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/objective/k_center.hpp>
#include <nacs/objective/set_cover.hpp>
#include <nacs/solver/selection.hpp>

#include <nacs_ref/random.hpp>

namespace nacs_ref {

/// Everything but memory_bytes (which counts partitions in flight, so depends on threads).
inline bool same_selection(const nacs::selection& a, const nacs::selection& b) {
  return a.indices == b.indices && a.gains == b.gains && a.weights == b.weights && a.objective == b.objective &&
         a.evaluations == b.evaluations && a.partitions == b.partitions;
}

/// Same picks, gains within rel (relative to the largest gain) and same weights.
inline bool same_picks(const nacs::selection& a, const nacs::selection& b, double rel) {
  if (a.indices != b.indices || a.weights != b.weights) return false;
  double scale = 1.0;
  for (const double g : a.gains)
    if (std::isfinite(g)) scale = std::max(scale, std::abs(g));
  for (std::size_t t = 0; t < a.gains.size(); ++t) {
    if (a.gains[t] == b.gains[t]) continue;
    if (!(std::abs(a.gains[t] - b.gains[t]) <= rel * scale)) return false;
  }
  return true;
}

/// Runs call and checks it throws nacs::error with this code and a message containing fragment.
template <class E>
void expect_error(E&& call, nacs::errc code, const std::string& fragment) {
  try {
    call();
    FAIL("no exception; expected: " << fragment);
  } catch (const nacs::error& e) {
    CHECK(e.code() == code);
    CHECK_MESSAGE(e.message().find(fragment) != std::string::npos, e.message());
  }
}

/// Random data of one size, and the objectives over it that every solver is tested on.
template <class T>
struct instance {
  nacs::matrix<T> x;
  nacs::matrix<std::uint32_t> ids;
  instance(std::size_t n, std::size_t d, std::uint64_t seed)
      : x(uniform_matrix<T>(n, d, seed)), ids(random_ids(n, 4, seed)) {}
  instance(nacs::matrix<T> xs, nacs::matrix<std::uint32_t> is) : x(std::move(xs)), ids(std::move(is)) {}

  /// Calls f(objective, name) for facility location (each similarity), set cover and k-center.
  template <class F>
  void for_each_objective(F&& f) const {
    f(nacs::facility_location{x.view(), nacs::neg_distance{}}, std::string("fl/neg-distance"));
    f(nacs::facility_location{x.view(), nacs::exp_distance{}}, std::string("fl/exp-distance"));
    f(nacs::facility_location{x.view(), nacs::cosine{}}, std::string("fl/cosine"));
    f(nacs::facility_location{x.view(), nacs::rbf{}}, std::string("fl/rbf"));
    f(nacs::set_cover{ids.view()}, std::string("set-cover"));
    f(nacs::k_center{x.view()}, std::string("k-center"));
  }
};

/// The edge inputs every solver must handle: N = 1, d = 1, duplicate rows, all-equal rows.
template <class T>
std::vector<instance<T>> edge_instances() {
  std::vector<instance<T>> v;
  v.emplace_back(1, 3, 1);
  v.emplace_back(40, 1, 2);
  v.emplace_back(matrix_with_duplicates<T>(30, 5, 3, 3), random_ids(30, 3, 3));
  v.emplace_back(nacs::matrix<T>(12, 4, T(0.5)), nacs::matrix<std::uint32_t>(12, 3, 7u));
  return v;
}

}  // namespace nacs_ref
