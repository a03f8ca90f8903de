// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/solver/partition.hpp>

#include <nacs_ref/budgets.hpp>
#include <nacs_ref/check.hpp>
#include <nacs_ref/partitions.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

namespace {
std::vector<nacs::row_index> sizes_of(const nacs::partition_plan& p) {
  std::vector<nacs::row_index> s;
  for (nacs::row_index b = 0; b < p.count(); ++b) s.push_back(p.size(b));
  return s;
}
bool covers_all_rows_once(const nacs::partition_plan& p, nacs::row_index n) {
  std::vector<nacs::row_index> all = p.rows;
  std::sort(all.begin(), all.end());
  std::vector<nacs::row_index> expect(static_cast<std::size_t>(n));
  std::iota(expect.begin(), expect.end(), nacs::row_index{0});
  return all == expect;
}
bool ascending_within(const nacs::partition_plan& p) {
  for (nacs::row_index b = 0; b < p.count(); ++b) {
    const auto r = p.partition(b);
    if (!std::is_sorted(r.begin(), r.end())) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("make_partitions: one partition, balanced contiguous cuts, groups, shuffles") {
  const auto one = nacs::make_partitions(7, {});
  CHECK(one.count() == 1);
  CHECK(one.rows == std::vector<nacs::row_index>{0, 1, 2, 3, 4, 5, 6});
  // 10 rows, P = 4: ceil(10/4) = 3 parts of 4, 3, 3 (sizes differ by at most 1, all <= P).
  const auto cut = nacs::make_partitions(10, {.partition_size = 4});
  CHECK(sizes_of(cut) == std::vector<nacs::row_index>{4, 3, 3});
  CHECK(cut.rows == std::vector<nacs::row_index>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(nacs::make_partitions(8, {.partition_size = 4}).count() == 2);
  CHECK(nacs::make_partitions(8, {.partition_size = 100}).count() == 1);
  // Groups: one partition per distinct id, in increasing id order, rows ascending.
  const std::vector<std::int64_t> g{5, -1, 5, 2, -1, 5};
  const auto by_group = nacs::make_partitions(6, {.groups = g});
  CHECK(by_group.count() == 3);
  CHECK(std::vector<nacs::row_index>(by_group.partition(0).begin(), by_group.partition(0).end()) == std::vector<nacs::row_index>{1, 4});
  CHECK(std::vector<nacs::row_index>(by_group.partition(1).begin(), by_group.partition(1).end()) == std::vector<nacs::row_index>{3});
  CHECK(std::vector<nacs::row_index>(by_group.partition(2).begin(), by_group.partition(2).end()) == std::vector<nacs::row_index>{0, 2, 5});
  // Groups and a size: each group is cut.
  const auto both = nacs::make_partitions(6, {.partition_size = 2, .groups = g});
  CHECK(sizes_of(both) == std::vector<nacs::row_index>{2, 1, 2, 1});
  CHECK(covers_all_rows_once(both, 6));
  // Shuffled: same seed, same cut; every row once; ascending within a partition.
  const auto s1 = nacs::make_partitions(1000, {.partition_size = 128, .shuffle_seed = 3});
  const auto s2 = nacs::make_partitions(1000, {.partition_size = 128, .shuffle_seed = 3});
  const auto s3 = nacs::make_partitions(1000, {.partition_size = 128, .shuffle_seed = 4});
  CHECK(s1.rows == s2.rows);
  CHECK(s1.rows != s3.rows);
  CHECK(s1.count() == 8);
  CHECK(covers_all_rows_once(s1, 1000));
  CHECK(ascending_within(s1));
  CHECK(s1.rows != cut.rows);
  CHECK(nacs::make_partitions(0, {}).count() == 0);
}

TEST_CASE("make_partitions: the same partitions as the plain oracle, with and without groups") {
  // Seeded inputs and edge sizes: no rows, one row, one group, as many groups as rows,
  // negative ids, ids far apart, partition sizes of 1, 3, 128 and none, shuffled or not.
  nacs::random_stream rng(20261203);
  const std::vector<nacs::row_index> ns{0, 1, 2, 7, 100, 1000, 5003};
  const std::vector<std::optional<nacs::row_index>> ps{std::nullopt, 1, 3, 128};
  int compared = 0;
  for (const auto n : ns)
    for (int kind = 0; kind < 5; ++kind)
      for (const auto& p : ps)
        for (const bool shuffle : {false, true}) {
          std::vector<std::int64_t> g;
          const auto un = static_cast<std::size_t>(n);
          if (kind == 1) g.assign(un, 7);                                                           // one group
          if (kind == 2) for (std::size_t i = 0; i < un; ++i) g.push_back(rng.below(2));            // two classes
          if (kind == 3) for (std::size_t i = 0; i < un; ++i) g.push_back(static_cast<std::int64_t>(rng.below(9)) - 4);
          if (kind == 4) for (std::size_t i = 0; i < un; ++i) g.push_back(static_cast<std::int64_t>(un - i) * ((i % 2) ? -1000003 : 999983));
          const std::optional<std::uint64_t> seed = shuffle ? std::optional<std::uint64_t>(rng.next_u64()) : std::nullopt;
          nacs::partition_options o;
          o.partition_size = p;
          o.groups = g;
          o.shuffle_seed = seed;
          const auto plan = nacs::make_partitions(n, o);
          const auto expect = nacs_ref::partitions(n, p, g, seed);
          CAPTURE(n);
          CAPTURE(kind);
          CAPTURE(shuffle);
          REQUIRE(plan.count() == static_cast<nacs::row_index>(expect.size()));
          for (std::size_t b = 0; b < expect.size(); ++b) {
            const auto got = plan.partition(static_cast<nacs::row_index>(b));
            CHECK(std::vector<long long>(got.begin(), got.end()) == expect[b]);
          }
          ++compared;
        }
  CHECK(compared == 7 * 5 * 4 * 2);
}

TEST_CASE("make_partitions: bad options") {
  const std::vector<std::int64_t> g{1, 2};
  nacs_ref::expect_error([&] { (void)nacs::make_partitions(3, {.groups = g}); }, nacs::errc::invalid_data,
                         "partition_options.groups has 2 entries for 3 rows: give one group id per row");
  nacs_ref::expect_error([&] { (void)nacs::make_partitions(3, {.partition_size = 0}); }, nacs::errc::invalid_argument,
                         "partition_options.partition_size = 0: it must be >= 1");
  nacs_ref::expect_error([&] { (void)nacs::make_partitions(-1, {}); }, nacs::errc::invalid_argument, "n = -1 must be >= 0");
  // Rejected before anything is allocated.
  nacs_ref::expect_error([&] { (void)nacs::make_partitions(nacs::row_index{5000000000}, {}); }, nacs::errc::invalid_argument,
                         "at most 4294967295 are supported");
}

TEST_CASE("partition_budgets: proportional, summing to k, largest remainders, ties to the lower index") {
  using v = std::vector<nacs::row_index>;
  CHECK(nacs::partition_budgets(v{4, 3, 3}, v{4, 3, 3}, 5) == v{2, 2, 1});  // 2, 1.5, 1.5: tie -> lower index
  CHECK(nacs::partition_budgets(v{10, 10}, v{10, 10}, 3) == v{2, 1});
  CHECK(nacs::partition_budgets(v{5, 5, 5}, v{5, 5, 5}, 0) == v{0, 0, 0});
  CHECK(nacs::partition_budgets(v{5, 5, 5}, v{5, 5, 5}, 15) == v{5, 5, 5});
  // Shares 327.50, 327.50, 0.999: the largest remainder (0.999), then the lower of the tied halves.
  CHECK(nacs::partition_budgets(v{32768, 32768, 100}, v{32768, 32768, 100}, 656) == v{328, 327, 1});
  // Capacity: partition 0 has 1 candidate left; its share (5) is capped and the rest goes to the others.
  CHECK(nacs::partition_budgets(v{10, 10}, v{1, 10}, 10) == v{1, 9});
  CHECK(nacs::partition_budgets(v{10, 10, 10}, v{0, 10, 10}, 6) == v{0, 3, 3});
  // Against the reference on random inputs.
  nacs::random_stream rng(55);
  for (int t = 0; t < 300; ++t) {
    const std::size_t m = 1 + rng.below(9);
    std::vector<long long> size(m), cap(m);
    long long total = 0;
    for (std::size_t p = 0; p < m; ++p) {
      size[p] = static_cast<long long>(rng.below(60));
      cap[p] = rng.below(3) == 0 ? static_cast<long long>(rng.below(static_cast<std::uint64_t>(size[p]) + 1)) : size[p];
      total += cap[p];
    }
    const auto k = static_cast<long long>(rng.below(static_cast<std::uint64_t>(total) + 1));
    const auto got = nacs::partition_budgets(v(size.begin(), size.end()), v(cap.begin(), cap.end()), k);
    CHECK(std::vector<long long>(got.begin(), got.end()) == nacs_ref::budgets(size, cap, k));
    CHECK(std::accumulate(got.begin(), got.end(), 0LL) == k);
    for (std::size_t p = 0; p < m; ++p) CHECK(got[p] <= cap[p]);
  }
}

TEST_CASE("partition_budgets: bad arguments") {
  using v = std::vector<nacs::row_index>;
  nacs_ref::expect_error([] { (void)nacs::partition_budgets(v{1, 2}, v{1}, 1); }, nacs::errc::invalid_argument,
                         "partition_budgets: 2 sizes but 1 capacities");
  nacs_ref::expect_error([] { (void)nacs::partition_budgets(v{1, 2}, v{1, 2}, 4); }, nacs::errc::invalid_argument,
                         "partition_budgets: k = 4 but the partitions can take 0 to 3 picks");
  nacs_ref::expect_error([] { (void)nacs::partition_budgets(v{1, -2}, v{1, 0}, 1); }, nacs::errc::invalid_argument,
                         "partition 1 has a negative size or capacity");
}

TEST_CASE("partition_options compare by contents") {
  const std::vector<nacs::row_index> a{1, 2}, b{1, 2};
  nacs::partition_options x{.partition_size = 5}, y{.partition_size = 5};
  x.exclude = a;
  y.exclude = b;
  CHECK(x == y);
  y.shuffle_seed = 1;
  CHECK_FALSE(x == y);
}
