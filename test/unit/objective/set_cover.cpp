// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_ref/check.hpp>

#include <nacs/objective/set_cover.hpp>
#include <nacs/solver/naive.hpp>

#include <nacs_ref/policies.hpp>
#include <nacs_ref/random.hpp>
#include <nacs_ref/set_cover.hpp>

#include <string>
#include <vector>

namespace {

static_assert(nacs::objective<nacs::set_cover>);
static_assert(nacs::greedy_problem<nacs::detail::set_cover_problem>);

std::vector<std::size_t> as_size_t(const std::vector<nacs::row_index>& v) { return {v.begin(), v.end()}; }

using nacs_ref::expect_error;

// Gains are integers: picks, gains, coverage and weights must equal the reference exactly.
void check_against_reference(const nacs::matrix<std::uint32_t>& ids, std::size_t k) {
  const auto ref = nacs_ref::cover_greedy(ids, k);
  const nacs::set_cover obj{ids.view()};
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    const auto s = nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
    CHECK(as_size_t(s.indices) == ref.picks);
    CHECK(s.gains == ref.gains);
    CHECK(s.objective == static_cast<double>(nacs_ref::covered_pairs(ids, ref.picks)));
    // One partition: its own count (the problem's) must be the same coverage as the merged recount.
    REQUIRE(s.partitions.size() == 1);
    CHECK(s.partitions[0].objective == s.objective);
    const auto w = nacs_ref::cover_weights(ids, ref.picks);
    CHECK(std::vector<long long>(s.weights.begin(), s.weights.end()) == w);
    CHECK(s.total_weight() == (k > 0 ? static_cast<nacs::row_index>(ids.rows()) : 0));
  });
}

}  // namespace

TEST_CASE("set cover: naive greedy equals the reference on random and edge inputs") {
  nacs::random_stream sizes(77);
  for (int trial = 0; trial < 5; ++trial) {
    const std::size_t n = 1 + sizes.below(150), f = 1 + sizes.below(8), k = sizes.below(std::min<std::size_t>(n, 30) + 1);
    CAPTURE(n);
    CAPTURE(f);
    CAPTURE(k);
    check_against_reference(nacs_ref::random_ids(n, f, 5 + static_cast<std::uint64_t>(trial)), k);
  }
  check_against_reference(nacs_ref::random_ids(1, 3, 1), 1);   // N = 1
  check_against_reference(nacs_ref::random_ids(25, 4, 2), 25); // k = N
  check_against_reference(nacs_ref::random_ids(25, 1, 3), 5);  // one field
  nacs::matrix<std::uint32_t> same(6, 3, 7u);                  // all-equal rows
  check_against_reference(same, 3);
}

TEST_CASE("set cover over a dataset, and the merged objective recounts pairs") {
  nacs::dataset ds;
  ds.field_names = {"a", "b"};
  ds.ids = {1, 10, 1, 11, 2, 10, 2, 11, 3, 12};
  ds.labels = {0, 1, 0, 1, 0};
  const nacs::set_cover obj{ds};
  CHECK(obj.rows() == 5);
  CHECK(obj.name() == "set cover");
  const auto s = nacs::maximize(nacs::seq, obj, 2, nacs::naive_greedy{});
  CHECK(s.indices == std::vector<nacs::row_index>{0, 3});  // (1,10) then (2,11): 4 pairs
  CHECK(s.gains == std::vector<double>{2.0, 2.0});
  CHECK(s.objective == 4.0);
  // Two partitions may cover the same pair: the merged objective counts it once.
  nacs::partition_options two{.partition_size = 3};
  const auto p = nacs::maximize_partitioned(nacs::seq, obj, 2, nacs::naive_greedy{}, two);
  CHECK(p.partitions.size() == 2);
  CHECK(p.indices == std::vector<nacs::row_index>{0, 3});
  CHECK(p.partitions[0].objective + p.partitions[1].objective == 4.0);
  CHECK(p.objective == 4.0);
  const std::vector<nacs::row_index> both{0, 1};
  CHECK(obj.merge({}, both) == 3.0);  // (a,1), (b,10), (b,11)
}

TEST_CASE("set cover: bad input") {
  nacs::dataset ds;
  ds.field_names = {"a", "b"};
  ds.ids = {1, 2, 3};
  ds.labels = {0, 1};
  expect_error([&] { nacs::set_cover bad{ds}; }, nacs::errc::invalid_data, "set_cover: the dataset has 3 ids for 2 rows of 2 fields");
  nacs::matrix<std::uint32_t> none(0, 3);
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::set_cover{none.view()}, 0, nacs::naive_greedy{}); }, nacs::errc::invalid_data,
               "set_cover: the data is empty (0 rows x 3 fields)");
  nacs::matrix<std::uint32_t> ids(3, 2, 1u);
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::set_cover{ids.view()}, 4, nacs::naive_greedy{}); }, nacs::errc::invalid_argument,
               "k = 4 but only 3 rows can be picked");
}
