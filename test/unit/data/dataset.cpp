// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/dataset.hpp>

#include <vector>

TEST_CASE("dataset validates its columns") {
  nacs::dataset d;
  d.field_names = {"a", "b"};
  d.ids = {1, 2, 3, 4, 5, 6};
  d.labels = {0, 1, 1};
  CHECK(d.rows() == 3);
  CHECK(d.row(1)[1] == 4);
  CHECK(d.weight(2) == 1.0f);
  CHECK_NOTHROW(d.validate());
  d.weights = {1, 2};
  CHECK_THROWS_WITH_AS(d.validate(), doctest::Contains("2 weights for 3 rows"), nacs::error);
  d.weights.clear();
  d.cardinalities = {7, 5};
  CHECK_THROWS_WITH_AS(d.validate(), doctest::Contains("row 2 field 1 has id 6"), nacs::error);
  d.cardinalities = {7, 7};
  CHECK_NOTHROW(d.validate());
  d.ids.pop_back();
  CHECK_THROWS_AS(d.validate(), nacs::error);
}

TEST_CASE("dataset::select_rows copies rows in the given order, with weights and encoding") {
  nacs::dataset d;
  d.field_names = {"a", "b"};
  d.ids = {1, 2, 3, 4, 5, 6};
  d.labels = {0, 1, 1};
  d.cardinalities = {7, 7};
  const std::vector<nacs::row_index> idx = {2, 0, 2};
  auto s = d.select_rows(idx);
  CHECK(s.field_names == d.field_names);
  CHECK(s.cardinalities == d.cardinalities);
  CHECK(s.ids == std::vector<std::uint32_t>{5, 6, 1, 2, 5, 6});
  CHECK(s.labels == std::vector<float>{1, 0, 1});
  CHECK(s.weights.empty());
  d.weights = {0.5f, 1.5f, 2.5f};
  s = d.select_rows(idx);
  CHECK(s.weights == std::vector<float>{2.5f, 0.5f, 2.5f});
  CHECK(d.select_rows({}).rows() == 0);
  const std::vector<nacs::row_index> bad = {0, 3};
  CHECK_THROWS_WITH_AS((void)d.select_rows(bad), doctest::Contains("index 3 (position 1) is outside [0, 3)"),
                       nacs::error);
  const std::vector<nacs::row_index> neg = {-1};
  CHECK_THROWS_AS((void)d.select_rows(neg), nacs::error);
  d.ids.pop_back();
  CHECK_THROWS_AS((void)d.select_rows(idx), nacs::error);
}

TEST_CASE("dataset::append concatenates rows and fills missing weights with 1") {
  nacs::dataset a, b;
  a.field_names = b.field_names = {"x"};
  a.ids = {1, 2};
  a.labels = {0, 1};
  b.ids = {3};
  b.labels = {1};
  b.weights = {4};
  a.append(b);
  CHECK(a.ids == std::vector<std::uint32_t>{1, 2, 3});
  CHECK(a.labels == std::vector<float>{0, 1, 1});
  CHECK(a.weights == std::vector<float>{1, 1, 4});
  nacs::dataset c;
  c.field_names = {"x"};
  c.ids = {9};
  c.labels = {0};
  a.append(c);
  CHECK(a.weights == std::vector<float>{1, 1, 4, 1});
  CHECK_NOTHROW(a.validate());
  c.field_names = {"y"};
  CHECK_THROWS_WITH_AS(a.append(c), doctest::Contains("different fields"), nacs::error);
  c.field_names = {"x"};
  c.cardinalities = {10};
  CHECK_THROWS_WITH_AS(a.append(c), doctest::Contains("encoded differently"), nacs::error);
}

TEST_CASE("dataset::check_shape names the caller and the sizes, and passes a consistent dataset") {
  nacs::dataset d;
  d.field_names = {"a", "b"};
  d.ids = {1, 2, 3};
  d.labels = {0.0f, 1.0f};
  CHECK_THROWS_WITH_AS(d.check_shape("split"),
                       doctest::Contains("split: the dataset has 3 ids for 2 rows of 2 fields"), nacs::error);
  d.ids.push_back(4);
  CHECK_NOTHROW(d.check_shape("split"));
  d.weights = {1.0f};
  CHECK_THROWS_WITH_AS(d.check_shape("x"), doctest::Contains("and 1 weights"), nacs::error);
}
