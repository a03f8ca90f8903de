// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/split.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

TEST_CASE("split_sizes: 8:1:1 by default, largest remainders, sizes add up") {
  using nacs::split_counts;
  using nacs::split_sizes;
  CHECK(split_sizes(10) == split_counts{8, 1, 1});
  CHECK(split_sizes(100) == split_counts{80, 10, 10});
  CHECK(split_sizes(7) == split_counts{5, 1, 1});
  CHECK(split_sizes(15) == split_counts{12, 2, 1});
  CHECK(split_sizes(1) == split_counts{1, 0, 0});
  CHECK(split_sizes(0) == split_counts{0, 0, 0});
  CHECK(split_sizes(7200) == split_counts{5760, 720, 720});
  CHECK(split_sizes(10, {.train = 1, .valid = 0, .test = 0}) == split_counts{10, 0, 0});
  CHECK(split_sizes(9, {.train = 1, .valid = 1, .test = 1}) == split_counts{3, 3, 3});
  CHECK(split_sizes(10, {.train = 7, .valid = 2, .test = 1}) == split_counts{7, 2, 1});
  const nacs::row_index big = (nacs::row_index{1} << 40) + 7;
  const auto c = split_sizes(big);
  CHECK(c.train + c.valid + c.test == big);
  for (nacs::row_index n = 0; n < 500; ++n) {
    const nacs::split_options o{.train = 0.6, .valid = 0.25, .test = 0.15};
    const auto s = split_sizes(n, o);
    REQUIRE(s.train + s.valid + s.test == n);
    REQUIRE(std::fabs(static_cast<double>(s.train) - 0.6 * static_cast<double>(n)) < 1.0);
    REQUIRE(std::fabs(static_cast<double>(s.valid) - 0.25 * static_cast<double>(n)) < 1.0);
    REQUIRE(std::fabs(static_cast<double>(s.test) - 0.15 * static_cast<double>(n)) < 1.0);
  }
  CHECK_THROWS_AS((void)split_sizes(-1), nacs::error);
  CHECK_THROWS_AS((void)split_sizes(10, {.train = 0, .valid = 0, .test = 0}), nacs::error);
  CHECK_THROWS_AS((void)split_sizes(10, {.train = -1}), nacs::error);
  CHECK_THROWS_AS((void)split_sizes(10, {.train = NAN}), nacs::error);
}

TEST_CASE("split_rows: disjoint sorted parts covering every row, seeded and deterministic") {
  const nacs::row_index n = 1000;
  const auto a = nacs::split_rows(n, {.seed = 5});
  const auto b = nacs::split_rows(n, {.seed = 5});
  const auto c = nacs::split_rows(n, {.seed = 6});
  CHECK(a.train == b.train);
  CHECK(a.valid == b.valid);
  CHECK(a.test == b.test);
  CHECK(a.train != c.train);
  CHECK(a.train.size() == 800);
  CHECK(a.valid.size() == 100);
  CHECK(a.test.size() == 100);
  std::vector<nacs::row_index> all;
  for (const auto* part : {&a.train, &a.valid, &a.test}) {
    CHECK(std::is_sorted(part->begin(), part->end()));
    all.insert(all.end(), part->begin(), part->end());
  }
  std::sort(all.begin(), all.end());
  std::vector<nacs::row_index> expect(n);
  std::iota(expect.begin(), expect.end(), 0);
  CHECK(all == expect);
  // Not contiguous: the test part is spread over the whole range.
  CHECK(a.test.front() < 200);
  CHECK(a.test.back() > 800);
  // Without shuffle: contiguous, train first.
  const auto d = nacs::split_rows(10, {.shuffle = false});
  CHECK(d.train == std::vector<nacs::row_index>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(d.valid == std::vector<nacs::row_index>{8});
  CHECK(d.test == std::vector<nacs::row_index>{9});
}

TEST_CASE("split_rows: each row lands in each part with the part's share (uniform assignment)") {
  // Over many seeds, row r is in valid about 10% of the time, whatever r.
  const nacs::row_index n = 20;
  const int trials = 4000;
  std::vector<int> in_valid(n, 0);
  for (int s = 0; s < trials; ++s)
    for (const auto r : nacs::split_rows(n, {.seed = static_cast<std::uint64_t>(s)}).valid) ++in_valid[r];
  // Binomial(4000, 0.1): sd 19; allow 5 sd.
  for (const int k : in_valid) CHECK(std::abs(k - 400) < 95);
}

TEST_CASE("split: datasets with their rows, the same on seq and par") {
  nacs::dataset d;
  d.field_names = {"a", "b"};
  for (int r = 0; r < 57; ++r) {
    d.ids.push_back(static_cast<std::uint32_t>(r));
    d.ids.push_back(static_cast<std::uint32_t>(100 + r));
    d.labels.push_back(static_cast<float>(r % 2));
    d.weights.push_back(static_cast<float>(r));
  }
  d.cardinalities = {57, 157};
  const nacs::split_options o{.seed = 3};
  const auto s = nacs::split(nacs::seq, d, o);
  const auto idx = nacs::split_rows(d.rows(), o);
  CHECK(s.train.rows() == static_cast<nacs::row_index>(idx.train.size()));
  CHECK(s.train.rows() + s.valid.rows() + s.test.rows() == 57);
  for (std::size_t i = 0; i < idx.test.size(); ++i) {
    const auto r = idx.test[i];
    CHECK(s.test.row(static_cast<nacs::row_index>(i))[0] == static_cast<std::uint32_t>(r));
    CHECK(s.test.row(static_cast<nacs::row_index>(i))[1] == static_cast<std::uint32_t>(100 + r));
    CHECK(s.test.weight(static_cast<nacs::row_index>(i)) == static_cast<float>(r));
  }
  CHECK(s.valid.cardinalities == d.cardinalities);
  CHECK_NOTHROW(s.train.validate());
  for (const int t : {1, 2, 3}) {
    const auto p = nacs::split(nacs::par.with_threads(t), d, o);
    CHECK(p.train.ids == s.train.ids);
    CHECK(p.valid.labels == s.valid.labels);
    CHECK(p.test.weights == s.test.weights);
    CHECK(p.test.field_names == s.test.field_names);
  }
  d.labels.pop_back();
  CHECK_THROWS_AS((void)nacs::split(nacs::seq, d), nacs::error);
}
