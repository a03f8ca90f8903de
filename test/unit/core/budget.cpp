// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/core/budget.hpp>

#include <nacs_ref/check.hpp>

using nacs::budget_from_ratio;
using nacs::row_index;

TEST_CASE("budget_from_ratio's options: allow_all takes a ratio of 1 (k = n), at_least_one a ratio under one row") {
  constexpr nacs::budget_options all{.allow_all = true, .at_least_one = true};
  // The same k as the default rule wherever the default gives one.
  for (row_index n = 1; n < 400; ++n)
    for (const double r : {0.01, 0.05, 0.07, 0.1, 0.29, 0.5, 0.57, 0.999})
      if (r * static_cast<double>(n) >= 1) REQUIRE(budget_from_ratio(r, n, all) == budget_from_ratio(r, n));
  CHECK(budget_from_ratio(0.29, 300, all) == 87);
  CHECK(budget_from_ratio(1.0, 300, all) == 300);
  CHECK(budget_from_ratio(1.0, 300, {.allow_all = true}) == 300);
  CHECK(budget_from_ratio(1.0 - 1e-16, 1000, all) == 999);  // less than 1: one row stays out, as without options
  CHECK(budget_from_ratio(0.0001, 300, all) == 1);
  CHECK(budget_from_ratio(0.5, 1, all) == 1);
  CHECK(budget_from_ratio(0.5, 0, all) == 0);  // no rows: none to pick
  nacs_ref::expect_error([] { (void)budget_from_ratio(1.0, 300); }, nacs::errc::invalid_argument,
                         "the ratio must be in (0, 1) (e.g. 0.01 for 1%), got 1.000000");
  nacs_ref::expect_error([&] { (void)budget_from_ratio(1.5, 300, all); }, nacs::errc::invalid_argument,
                         "the ratio must be in (0, 1] (e.g. 0.01 for 1%), got 1.500000");
  nacs_ref::expect_error([] { (void)budget_from_ratio(0.0001, 300, {.allow_all = true}); },
                         nacs::errc::invalid_argument, "less than one row: use a ratio of at least 0.003334");
  nacs_ref::expect_error([] { (void)budget_from_ratio(0.5, 0, {.allow_all = true}); }, nacs::errc::invalid_argument,
                         "no rows to choose from");
}
