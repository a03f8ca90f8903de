// SPDX-License-Identifier: Apache-2.0
// Set cover (maximum coverage of (field, value) pairs), plainly: the oracle
// for nacs/objective/set_cover.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include <nacs/core/matrix.hpp>

namespace nacs_ref {

/// The distinct (field, value) pairs the given rows contain.
inline std::size_t covered_pairs(const nacs::matrix<std::uint32_t>& ids, const std::vector<std::size_t>& rows) {
  std::set<std::pair<std::size_t, std::uint32_t>> s;
  for (const std::size_t r : rows)
    for (std::size_t f = 0; f < ids.cols(); ++f) s.insert({f, ids(r, f)});
  return s.size();
}

struct cover_result {
  std::vector<std::size_t> picks;
  std::vector<double> gains;
};

/// Greedy maximum coverage: each step the row adding the most new pairs (ties to the lowest index).
/// `rows` is the partition (all rows when empty); picks are positions in it.
inline cover_result cover_greedy(const nacs::matrix<std::uint32_t>& ids, std::size_t k, std::vector<std::size_t> rows = {}) {
  if (rows.empty())
    for (std::size_t i = 0; i < ids.rows(); ++i) rows.push_back(i);
  cover_result r;
  std::set<std::pair<std::size_t, std::uint32_t>> covered;
  std::vector<bool> taken(rows.size(), false);
  for (std::size_t step = 0; step < k; ++step) {
    long best_gain = -1;
    std::size_t best = 0;
    for (std::size_t j = 0; j < rows.size(); ++j) {
      if (taken[j]) continue;
      long g = 0;
      for (std::size_t f = 0; f < ids.cols(); ++f) g += covered.count({f, ids(rows[j], f)}) ? 0 : 1;
      if (g > best_gain) {
        best_gain = g;
        best = j;
      }
    }
    r.picks.push_back(best);
    r.gains.push_back(static_cast<double>(best_gain));
    taken[best] = true;
    for (std::size_t f = 0; f < ids.cols(); ++f) covered.insert({f, ids(rows[best], f)});
  }
  return r;
}

/// Weight of each pick: rows sharing the most field values with it (ties to the lowest row index).
inline std::vector<long long> cover_weights(const nacs::matrix<std::uint32_t>& ids, const std::vector<std::size_t>& picks) {
  std::vector<long long> w(picks.size(), 0);
  for (std::size_t i = 0; i < ids.rows(); ++i) {
    std::size_t owner = 0;
    long owner_shared = -1;
    for (std::size_t p = 0; p < picks.size(); ++p) {
      long shared = 0;
      for (std::size_t f = 0; f < ids.cols(); ++f) shared += ids(i, f) == ids(picks[p], f) ? 1 : 0;
      if (shared > owner_shared || (shared == owner_shared && picks[p] < picks[owner])) {
        owner = p;
        owner_shared = shared;
      }
    }
    if (!picks.empty()) ++w[owner];
  }
  return w;
}

}  // namespace nacs_ref
