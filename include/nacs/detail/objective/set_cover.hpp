// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/objective/set_cover.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nacs/objective/set_cover.hpp>

namespace nacs::detail {

/// (field, value) as one 64-bit key.
constexpr std::uint64_t pair_key(std::size_t field, std::uint32_t value) noexcept {
  return (static_cast<std::uint64_t>(field) << 32) | value;
}

/// Coverage on one partition: each row's pairs as dense ids, and which ids are covered.
class set_cover_problem {
 public:
  set_cover_problem(matrix_view<const std::uint32_t> ids, std::span<const row_index> rows)
      : n_(rows.size()), f_(ids.cols()), pair_(n_ * f_) {
    std::vector<std::uint64_t> keys(n_ * f_);
    for (std::size_t i = 0; i < n_; ++i) {
      const std::uint32_t* r = ids.row_ptr(static_cast<std::size_t>(rows[i]));
      for (std::size_t f = 0; f < f_; ++f) keys[i * f_ + f] = pair_key(f, r[f]);
    }
    std::vector<std::uint64_t> distinct = keys;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (std::size_t e = 0; e < keys.size(); ++e)
      pair_[e] = static_cast<std::uint32_t>(std::lower_bound(distinct.begin(), distinct.end(), keys[e]) - distinct.begin());
    covered_.assign(distinct.size(), 0);
  }

  [[nodiscard]] row_index size() const noexcept { return static_cast<row_index>(n_); }
  /// Pairs of row j not covered yet.
  [[nodiscard]] double gain(row_index j) const noexcept {
    const std::uint32_t* p = pair_.data() + static_cast<std::size_t>(j) * f_;
    std::size_t g = 0;
    for (std::size_t f = 0; f < f_; ++f) g += covered_[p[f]] ? 0u : 1u;
    return static_cast<double>(g);
  }
  void commit(row_index j) {
    const std::uint32_t* p = pair_.data() + static_cast<std::size_t>(j) * f_;
    for (std::size_t f = 0; f < f_; ++f) {
      covered_count_ += covered_[p[f]] ? 0u : 1u;
      covered_[p[f]] = 1;
    }
  }
  [[nodiscard]] std::optional<row_index> first_pick(std::span<const row_index>) const noexcept { return std::nullopt; }

  /// Pairs covered; weights by most shared values (ties to the lowest local index).
  template <host_policy P>
  [[nodiscard]] partition_outcome finish(const P&, std::span<const row_index> picks) const {
    partition_outcome out;
    out.objective = static_cast<double>(covered_count_);
    out.weights.assign(picks.size(), 0);
    if (picks.empty()) return out;
    // rank = position of a pick in increasing local index: the lower rank wins ties.
    std::vector<std::size_t> by_index(picks.size());
    for (std::size_t p = 0; p < by_index.size(); ++p) by_index[p] = p;
    std::sort(by_index.begin(), by_index.end(), [&](std::size_t a, std::size_t b) { return picks[a] < picks[b]; });
    // For each pair id, the ranks of the picks that have it.
    std::vector<std::size_t> start(covered_.size() + 1, 0);
    for (const std::size_t p : by_index)
      for (std::size_t f = 0; f < f_; ++f) ++start[pair_[static_cast<std::size_t>(picks[p]) * f_ + f] + 1];
    for (std::size_t e = 1; e < start.size(); ++e) start[e] += start[e - 1];
    std::vector<std::size_t> fill(start.begin(), start.end() - 1), holders(start.back());
    for (std::size_t rank = 0; rank < by_index.size(); ++rank)
      for (std::size_t f = 0; f < f_; ++f) holders[fill[pair_[static_cast<std::size_t>(picks[by_index[rank]]) * f_ + f]]++] = rank;
    std::vector<std::size_t> count(picks.size(), 0), touched;
    for (std::size_t i = 0; i < n_; ++i) {
      touched.clear();
      for (std::size_t f = 0; f < f_; ++f) {
        const std::uint32_t e = pair_[i * f_ + f];
        for (std::size_t h = start[e]; h < start[e + 1]; ++h) {
          if (count[holders[h]]++ == 0) touched.push_back(holders[h]);
        }
      }
      std::size_t best = 0;  // rank 0 when nothing is shared
      std::size_t best_count = 0;
      for (const std::size_t r : touched) {
        if (count[r] > best_count || (count[r] == best_count && r < best)) {
          best = r;
          best_count = count[r];
        }
        count[r] = 0;
      }
      ++out.weights[by_index[best]];
    }
    return out;
  }

 private:
  std::size_t n_, f_;
  std::vector<std::uint32_t> pair_;  // n x f dense pair ids
  std::vector<char> covered_;
  std::size_t covered_count_ = 0;
};

}  // namespace nacs::detail

namespace nacs {

inline set_cover::set_cover(const dataset& ds)
    : ids_(ds.ids.data(), static_cast<std::size_t>(ds.rows()), ds.num_fields()) {
  ds.check_shape("set_cover");
}

inline void set_cover::validate() const {
  NACS_EXPECTS(ids_.rows() > 0 && ids_.cols() > 0, errc::invalid_data,
               "set_cover: the data is empty (" + std::to_string(ids_.rows()) + " rows x " + std::to_string(ids_.cols()) +
                   " fields): give at least one row of at least one field");
}

namespace detail {
template <host_policy P>
set_cover_problem make_set_cover_problem(const P&, matrix_view<const std::uint32_t> ids,
                                         std::span<const row_index> rows) {
  return set_cover_problem(ids, rows);
}
}  // namespace detail

inline double set_cover::merge(std::span<const double>, std::span<const row_index> picks) const {
  std::vector<std::uint64_t> keys;
  keys.reserve(picks.size() * ids_.cols());
  for (const row_index r : picks) {
    const std::uint32_t* v = ids_.row_ptr(static_cast<std::size_t>(r));
    for (std::size_t f = 0; f < ids_.cols(); ++f) keys.push_back(detail::pair_key(f, v[f]));
  }
  std::sort(keys.begin(), keys.end());
  return static_cast<double>(std::unique(keys.begin(), keys.end()) - keys.begin());
}

}  // namespace nacs
