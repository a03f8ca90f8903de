// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/pipeline/coreset.hpp>

#include <nacs_ref/check.hpp>

#include <cstdint>
#include <vector>

namespace {
// Six training rows: labels 1 0 0 1 0 1 (three positives), no features needed.
nacs::dataset six_rows() {
  nacs::dataset d;
  d.labels = {1, 0, 0, 1, 0, 1};
  return d;
}
}  // namespace

TEST_CASE("coreset_statistics_of on a hand-computed coreset") {
  const nacs::dataset train = six_rows();
  nacs::coreset c;
  c.rows = {0, 2, 3};
  c.weights = {2.0f, 0.5f, 0.5f};  // sum 3, sum of squares 4.5, mean 1
  c.targets = {0.75f, 0.25f, 1.0f};
  c.report.removed_rows = {4};
  const std::vector<std::uint8_t> flipped = {1, 0, 1, 0, 1, 0};  // rows 0, 2 and 4
  const auto s = nacs::coreset_statistics_of(train, c, flipped);
  CHECK(s.base_positive_share == doctest::Approx(0.5));
  CHECK(s.positive_share == doctest::Approx(2.0 / 3.0));           // rows 0 and 3
  CHECK(s.target_mean == doctest::Approx(2.0 / 3.0));              // (0.75 + 0.25 + 1) / 3
  CHECK(s.weight_max_over_mean == doctest::Approx(2.0));           // 2 / 1
  CHECK(s.weight_ess_share == doctest::Approx(9.0 / 4.5 / 3.0));   // (sum w)^2 / sum w^2 / k = 2/3
  REQUIRE(s.base_flip_share);
  CHECK(*s.base_flip_share == doctest::Approx(0.5));
  CHECK(*s.selected_flip_share == doctest::Approx(0.75));  // rows 0, 2, 3, 4: three flipped
  CHECK(*s.removed_flip_share == doctest::Approx(1.0));
  CHECK(*s.coreset_flip_share == doctest::Approx(2.0 / 3.0));

  // No weights or targets: weight 1 and the label each; equal weights have an ESS share of 1.
  nacs::coreset plain;
  plain.rows = {1, 5};
  const auto p = nacs::coreset_statistics_of(train, plain);
  CHECK(p.positive_share == doctest::Approx(0.5));
  CHECK(p.target_mean == doctest::Approx(0.5));
  CHECK(p.weight_max_over_mean == doctest::Approx(1.0));
  CHECK(p.weight_ess_share == doctest::Approx(1.0));
  CHECK_FALSE(p.base_flip_share);
  CHECK_FALSE(p.removed_flip_share);

  // An empty coreset: only the base share.
  const auto e = nacs::coreset_statistics_of(train, nacs::coreset{}, flipped);
  CHECK(e.positive_share == 0.0);
  CHECK(e.weight_ess_share == 0.0);
  CHECK(*e.coreset_flip_share == 0.0);
  CHECK_FALSE(e.removed_flip_share);

  nacs_ref::expect_error([&] { (void)nacs::coreset_statistics_of(train, c, std::vector<std::uint8_t>(5)); },
                         nacs::errc::invalid_argument, "the flip mask has 5 entries for 6 training rows");
  nacs::coreset bad;
  bad.rows = {6};
  nacs_ref::expect_error([&] { (void)nacs::coreset_statistics_of(train, bad); }, nacs::errc::invalid_argument,
                         "row 6 is not among the 6 training rows");
}
