// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Seeded train / validation / test splits (8:1:1 by default).
///
/// Sizes: with ratios a:b:c (any non-negative numbers, not all 0) and n rows,
/// each part gets floor(n * ratio / (a + b + c)) rows, and the 0, 1 or 2 rows
/// left over go one each to the parts with the largest fractional remainders
/// (ties to train, then valid, then test). So the sizes add up to n and each
/// is within one row of its exact share: 8:1:1 of 10 rows is 8/1/1, of 7 rows
/// 5/1/1 (exact 5.6/0.7/0.7: valid and test have the larger remainders), of
/// 15 rows 12/2/1 (exact 12/1.5/1.5: the tie goes to valid). Shares within
/// 1e-9 (relative) of a whole number count as that number, so that decimal
/// ratios like 0.8 do not lose a row to rounding.
///
/// Assignment: with shuffle (the default) the rows are assigned uniformly at
/// random among all assignments with those sizes (sequential sampling: row r
/// goes to a part with probability (rows that part still needs) / (rows
/// left)), from nacs::random_stream(seed); the same seed and n always give the
/// same split, on any policy. Without shuffle the first rows are train, the
/// next valid, the last test (for time-ordered data). Each part lists its rows
/// in increasing order.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/parallel.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/execution.hpp>

namespace nacs {

/// @brief Options of split_rows and split.
struct split_options {
  double train = 0.8;       ///< share of the training part
  double valid = 0.1;       ///< share of the validation part
  double test = 0.1;        ///< share of the test part
  std::uint64_t seed = 0;   ///< random seed of the assignment
  bool shuffle = true;      ///< false: contiguous parts in row order (train first)
  friend bool operator==(const split_options&, const split_options&) = default;
};

/// @brief The number of rows of each part.
struct split_counts {
  row_index train = 0, valid = 0, test = 0;
  friend bool operator==(const split_counts&, const split_counts&) = default;
};

/// @brief The rows of each part, each list in increasing order.
struct split_indices {
  std::vector<row_index> train, valid, test;
};

/// @brief The three parts as datasets.
struct dataset_split {
  dataset train, valid, test;
};

/// @brief The part sizes for n rows (largest-remainder rounding; see the file comment).
/// @param[in] n       number of rows (>= 0)
/// @param[in] options the ratios
/// @throws nacs::error errc::invalid_argument for n < 0, a negative or non-finite ratio, or all ratios 0
inline split_counts split_sizes(row_index n, const split_options& options = {}) {
  NACS_EXPECTS(n >= 0, errc::invalid_argument, "split_sizes: the row count must be >= 0");
  const std::array<double, 3> r = {options.train, options.valid, options.test};
  for (const double x : r)
    NACS_EXPECTS(std::isfinite(x) && x >= 0.0, errc::invalid_argument,
                 "split: ratios must be finite and >= 0 (got " + std::to_string(options.train) + ":" +
                     std::to_string(options.valid) + ":" + std::to_string(options.test) + ")");
  const long double sum = static_cast<long double>(r[0]) + r[1] + r[2];
  NACS_EXPECTS(sum > 0.0L, errc::invalid_argument, "split: at least one ratio must be > 0");
  std::array<row_index, 3> size{};
  std::array<long double, 3> frac{};
  row_index given = 0;
  for (int k = 0; k < 3; ++k) {
    long double exact = static_cast<long double>(n) * r[k] / sum;
    if (const long double near = std::round(exact); std::fabs(exact - near) <= 1e-9L * std::fmax(1.0L, exact))
      exact = near;
    size[k] = static_cast<row_index>(std::floor(exact));
    frac[k] = exact - static_cast<long double>(size[k]);
    given += size[k];
  }
  // Rounding can only leave rows over, never take too many; hand them out by largest remainder.
  for (row_index left = n - given; left > 0; --left) {
    int best = 0;
    for (int k = 1; k < 3; ++k)
      if (frac[k] > frac[best]) best = k;
    ++size[best];
    frac[best] = -1.0L;
  }
  return {size[0], size[1], size[2]};
}

/// @brief Assigns n row indices to train, valid and test.
/// @param[in] n       number of rows (>= 0)
/// @param[in] options ratios, seed, shuffle
/// @return each part's rows in increasing order; the parts are disjoint and cover [0, n)
/// @throws nacs::error as split_sizes
inline split_indices split_rows(row_index n, const split_options& options = {}) {
  const split_counts c = split_sizes(n, options);
  split_indices out;
  out.train.reserve(static_cast<std::size_t>(c.train));
  out.valid.reserve(static_cast<std::size_t>(c.valid));
  out.test.reserve(static_cast<std::size_t>(c.test));
  if (!options.shuffle) {
    for (row_index i = 0; i < n; ++i)
      (i < c.train ? out.train : i < c.train + c.valid ? out.valid : out.test).push_back(i);
    return out;
  }
  random_stream rng(options.seed, /*stream=*/0x73706c6974ull);  // "split"
  auto need_train = static_cast<std::uint64_t>(c.train), need_valid = static_cast<std::uint64_t>(c.valid);
  auto left = static_cast<std::uint64_t>(n);
  for (row_index i = 0; i < n; ++i, --left) {
    const std::uint64_t k = rng.below(left);
    if (k < need_train) {
      out.train.push_back(i);
      --need_train;
    } else if (k < need_train + need_valid) {
      out.valid.push_back(i);
      --need_valid;
    } else {
      out.test.push_back(i);
    }
  }
  return out;
}

namespace detail {

// dataset::select_rows with the copy spread over a policy's threads.
template <class Policy>
dataset gather_rows(const Policy& policy, const dataset& d, const std::vector<row_index>& rows) {
  if constexpr (std::is_same_v<std::remove_cvref_t<Policy>, parallel_policy>) {
    const std::size_t f = d.num_fields();
    dataset out;
    out.field_names = d.field_names;
    out.cardinalities = d.cardinalities;
    out.ids.resize(rows.size() * f);
    out.labels.resize(rows.size());
    if (!d.weights.empty()) out.weights.resize(rows.size());
    for_each_range(policy, rows.size(), tuning::data_row_block, [&](std::size_t i0, std::size_t i1) {
      for (std::size_t ui = i0; ui < i1; ++ui) {
        const auto r = static_cast<std::size_t>(rows[ui]);
        for (std::size_t j = 0; j < f; ++j) out.ids[ui * f + j] = d.ids[r * f + j];
        out.labels[ui] = d.labels[r];
        if (!d.weights.empty()) out.weights[ui] = d.weights[r];
      }
    }, f + 2);
    return out;
  } else {
    (void)policy;
    return d.select_rows(rows);
  }
}

}  // namespace detail

namespace detail {
/// The host backend's split.
template <host_policy Policy>
dataset_split host_run(algo::split, const Policy& policy, const dataset& data, const split_options& options) {
  data.check_shape("split");
  const split_indices idx = split_rows(data.rows(), options);
  return {gather_rows(policy, data, idx.train), gather_rows(policy, data, idx.valid),
          gather_rows(policy, data, idx.test)};
}
}  // namespace detail

/// @brief Splits a dataset into train, valid and test datasets (see split_rows for which rows go where).
/// @param[in] policy  nacs::seq or nacs::par (only the copying is parallel; the split is the same)
/// @param[in] data    the rows to split
/// @param[in] options ratios, seed, shuffle
/// @return the three parts, rows in their original relative order; fields, encoding and weights kept
/// @throws nacs::error as split_sizes; errc::invalid_data when the dataset's columns disagree in size
template <class Policy>
dataset_split split(const Policy& policy, const dataset& data, const split_options& options = {}) {
  return detail::dispatch<algo::split>(policy, data, options);
}

}  // namespace nacs
