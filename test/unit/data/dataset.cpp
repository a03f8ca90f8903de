#include <doctest/doctest.h>
#include <nacs/data/dataset.hpp>

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
