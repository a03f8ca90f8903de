// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief budget_from_ratio: the one rule that turns a ratio of n rows into a row count k.
///
/// Every program and the pipeline use it (nacs-coreset --ratio through coreset_options, nacs-greedy
/// --ratio with budget_options{.allow_all = true, .at_least_one = true}), so a ratio gives the same k
/// everywhere, with one tolerance for the binary rounding of decimal ratios.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include <nacs/core/error.hpp>
#include <nacs/core/types.hpp>

namespace nacs {

/// @brief How budget_from_ratio treats the ends of the range (the default: a true subset of at least one row).
struct budget_options {
  /// Allow a ratio of 1 and k = n (every row); by default the ratio is in (0, 1) and one row stays out.
  bool allow_all = false;
  /// A ratio that is less than one row of n > 0 gives k = 1 instead of an error (and n = 0 gives 0).
  bool at_least_one = false;
};

/// @brief The number of rows a ratio of n rows is: k = floor(ratio * n), where a product within 1e-14 (relative)
/// of a whole number counts as it, so that the binary rounding of decimal ratios loses no row (0.07 * 100 is 7,
/// not 6; 0.29 * 100 is 29, not 28).
/// @param[in] ratio in (0, 1) (in (0, 1] with options.allow_all)
/// @param[in] n     rows to choose from (>= 0)
/// @param[in] options the ends of the range (see budget_options)
/// @return k in [1, n) (k <= n with allow_all; k = 1 for a ratio under one row with at_least_one)
/// @throws nacs::error errc::invalid_argument for a ratio <= 0, >= 1 (> 1 with allow_all) or not finite, n < 0, or
///         a k of 0 (ratio * n < 1, unless at_least_one: the message gives the smallest ratio that picks one row)
inline row_index budget_from_ratio(double ratio, row_index n, budget_options options = {}) {
  NACS_EXPECTS(std::isfinite(ratio) && ratio > 0.0 && (ratio < 1.0 || (options.allow_all && ratio == 1.0)),
               errc::invalid_argument,
               std::string("the ratio must be in (0, 1") + (options.allow_all ? "]" : ")") +
                   " (e.g. 0.01 for 1%), got " + std::to_string(ratio));
  NACS_EXPECTS(n >= 0, errc::invalid_argument, "budget_from_ratio: the row count must be >= 0");
  long double exact = static_cast<long double>(ratio) * static_cast<long double>(n);
  if (const long double near = std::round(exact); std::fabs(exact - near) <= 1e-14L * std::fmax(1.0L, exact))
    exact = near;
  // A ratio within 1e-14 of 1 would round up to all n rows: it is still less than 1, so one row stays out.
  auto k = std::min(static_cast<row_index>(std::floor(exact)), ratio < 1.0 ? n - 1 : n);
  if (options.at_least_one) k = std::max(k, std::min<row_index>(n, 1));
  NACS_EXPECTS(k >= 1 || (options.at_least_one && n == 0), errc::invalid_argument,
               "a ratio of " + std::to_string(ratio) + " of " + std::to_string(n) +
                   " rows is less than one row: " +
                   (n > 0 ? "use a ratio of at least " + std::to_string(std::ceil(1e6 / static_cast<double>(n)) / 1e6)
                          : std::string("there are no rows to choose from")));
  return k;
}

}  // namespace nacs
