// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/solver/selection.hpp>

TEST_CASE("selection: sizes, total weight, equality") {
  nacs::selection s;
  CHECK(s.empty());
  CHECK(s.size() == 0);
  CHECK(s.total_weight() == 0);
  s.indices = {4, 2};
  s.gains = {3.0, 1.0};
  s.weights = {5, 7};
  s.objective = 4.0;
  s.partitions.push_back({.rows = 12, .candidates = 12, .budget = 2, .first = 0, .objective = 4.0, .evaluations = 3});
  CHECK(s.size() == 2);
  CHECK_FALSE(s.empty());
  CHECK(s.total_weight() == 12);
  CHECK(s.unrepresented_rows() == 0);
  s.partitions.push_back({.rows = 5, .candidates = 5, .budget = 0, .first = 2});
  s.partitions.push_back({.rows = 3, .candidates = 1, .budget = 0, .first = 2});
  CHECK(s.unrepresented_rows() == 8);
  nacs::selection t = s;
  CHECK(t == s);
  t.weights[1] = 6;
  CHECK_FALSE(t == s);
}
