// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/solver/lazier.hpp>
#include <nacs/solver/lazy.hpp>
#include <nacs/solver/maximize.hpp>
#include <nacs/solver/naive.hpp>
#include <nacs/solver/stochastic.hpp>

#include <nacs_ref/check.hpp>
#include <nacs_ref/facility_location.hpp>
#include <nacs_ref/policies.hpp>
#include <nacs_ref/similarity.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <string>
#include <vector>

namespace {

// Rows of x listed in rows, as their own matrix.
template <class T>
nacs::matrix<T> take_rows(const nacs::matrix<T>& x, std::span<const nacs::row_index> rows) {
  nacs::matrix<T> out(rows.size(), x.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t c = 0; c < x.cols(); ++c) out(i, c) = x(static_cast<std::size_t>(rows[i]), c);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("a partitioned solve is independent solves of each partition, merged with global indices", T, float, double) {
  const auto x = nacs_ref::uniform_matrix<T>(230, 6, 21);
  const auto obj = nacs::facility_location{x.view(), nacs::neg_distance{}};
  const nacs::partition_options opts{.partition_size = 64, .shuffle_seed = 2};
  const auto plan = nacs::make_partitions(230, opts);
  const auto s = nacs::maximize_partitioned(nacs::seq, obj, 23, nacs::naive_greedy{}, opts);
  REQUIRE(s.partitions.size() == 4);
  std::vector<nacs::row_index> sizes, budgets;
  double f = 0.0;
  for (nacs::row_index p = 0; p < 4; ++p) {
    const auto& ps = s.partitions[static_cast<std::size_t>(p)];
    CHECK(ps.rows == plan.size(p));
    CHECK(ps.candidates == ps.rows);
    sizes.push_back(ps.rows);
    budgets.push_back(ps.budget);
    f += ps.objective;
    // The same partition solved alone (its rows as their own data, its own C): same picks, mapped to global ids.
    const auto rows = plan.partition(p);
    const auto sub = take_rows(x, rows);
    const auto alone = nacs::maximize(nacs::seq, nacs::facility_location{sub.view(), nacs::neg_distance{}}, ps.budget, nacs::naive_greedy{});
    for (std::size_t t = 0; t < alone.size(); ++t) {
      CHECK(s.indices[static_cast<std::size_t>(ps.first) + t] == rows[static_cast<std::size_t>(alone.indices[t])]);
      CHECK(s.gains[static_cast<std::size_t>(ps.first) + t] == alone.gains[t]);
      CHECK(s.weights[static_cast<std::size_t>(ps.first) + t] == alone.weights[t]);
    }
    CHECK(ps.objective == alone.objective);
    // Weights sum to the partition's rows.
    CHECK(std::accumulate(s.weights.begin() + ps.first, s.weights.begin() + ps.first + ps.budget, nacs::row_index{0}) == ps.rows);
  }
  CHECK(budgets == nacs::partition_budgets(sizes, sizes, 23));
  CHECK(s.objective == f);
  CHECK(s.total_weight() == 230);
  CHECK(s.size() == 23);
}

TEST_CASE("every solver, objective and policy gives the same partitioned selection (partitions in parallel or one by one)") {
  const nacs_ref::instance<float> inst(500, 5, 33);
  const std::vector<nacs::row_index> excluded{0, 3, 7, 100, 101, 499};
  nacs::partition_options opts{.partition_size = 90};
  opts.exclude = excluded;
  inst.for_each_objective([&](const auto& obj, const std::string& name) {
    CAPTURE(name);
    auto check_solver = [&](const auto& solver) {
      const auto base = nacs::maximize_partitioned(nacs::seq, obj, 40, solver, opts);
      CHECK(base.size() == 40);
      for (const auto e : excluded) CHECK(std::find(base.indices.begin(), base.indices.end(), e) == base.indices.end());
      nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
        CAPTURE(pname);
        CHECK(nacs_ref::same_selection(nacs::maximize_partitioned(policy, obj, 40, solver, opts), base));
      });
    };
    check_solver(nacs::naive_greedy{});
    check_solver(nacs::lazy_greedy{});
    check_solver(nacs::stochastic_greedy{.epsilon = 0.01, .seed = 3});
    check_solver(nacs::lazier_than_lazy{.epsilon = 0.01, .seed = 3});
  });
}

TEST_CASE("groups: one partition per class, excluded rows, and budgets redistributed when a partition runs short") {
  const auto x = nacs_ref::uniform_matrix<double>(40, 3, 4);
  std::vector<std::int64_t> cls(40, 0);
  for (std::size_t i = 30; i < 40; ++i) cls[i] = 1;  // 30 rows of class 0, 10 of class 1
  std::vector<nacs::row_index> excluded;
  for (nacs::row_index i = 30; i < 38; ++i) excluded.push_back(i);  // class 1 keeps 2 candidates
  nacs::partition_options opts{.groups = cls};
  opts.exclude = excluded;
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  // Shares of 20 by size: 15 and 5; class 1 can take 2, so class 0 takes 18.
  const auto s = nacs::maximize_partitioned(nacs::seq, obj, 20, nacs::lazy_greedy{}, opts);
  REQUIRE(s.partitions.size() == 2);
  CHECK(s.partitions[0].budget == 18);
  CHECK(s.partitions[1].budget == 2);
  CHECK(s.partitions[1].candidates == 2);
  const std::set<nacs::row_index> tail(s.indices.begin() + 18, s.indices.end());
  CHECK(tail == std::set<nacs::row_index>{38, 39});
  // Excluded rows still count: class 1's weights sum to its 10 rows.
  CHECK(s.weights[18] + s.weights[19] == 10);
  // The reference: naive greedy restricted to the candidates of each class.
  const auto rows0 = take_rows(x, nacs::make_partitions(40, opts).partition(0));
  const auto ref0 = nacs_ref::facility_greedy(nacs_ref::similarities(rows0, nacs::exp_distance{}), 18);
  for (std::size_t t = 0; t < 18; ++t) CHECK(static_cast<std::size_t>(s.indices[t]) == ref0.picks[t]);
  // Nothing left to pick beyond the candidates.
  nacs_ref::expect_error([&] { (void)nacs::maximize_partitioned(nacs::seq, obj, 33, nacs::lazy_greedy{}, opts); },
                         nacs::errc::invalid_argument, "k = 33 but only 32 rows can be picked (N = 40, 8 excluded): lower k");
}

TEST_CASE("a partition with no budget: nothing picked there, its rows carry no weight") {
  const auto x = nacs_ref::uniform_matrix<float>(30, 2, 6);
  const auto s = nacs::maximize_partitioned(nacs::seq, nacs::facility_location{x.view()}, 2, nacs::lazy_greedy{},
                                            {.partition_size = 10});
  REQUIRE(s.partitions.size() == 3);
  CHECK(s.partitions[2].budget == 0);
  CHECK(s.partitions[2].objective == 0.0);
  CHECK(s.total_weight() == 20);
  CHECK(s.unrepresented_rows() == 10);
  CHECK(s.total_weight() + s.unrepresented_rows() == 30);
  // k = 0 on one partition: every row unrepresented.
  const auto none = nacs::maximize(nacs::seq, nacs::facility_location{x.view()}, 0, nacs::lazy_greedy{});
  CHECK(none.unrepresented_rows() == 30);
}

TEST_CASE("memory: planned before allocating, refused over the limit, partitions in flight lowered to fit") {
  const auto x = nacs_ref::uniform_matrix<float>(2000, 4, 7);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const nacs::partition_options four{.partition_size = 500};
  const std::size_t one = obj.problem_bytes(500) + nacs::detail::solver_bytes(500);
  CHECK(nacs::memory_needed(nacs::seq, obj, 40, nacs::lazy_greedy{}, four) == one);
  const std::size_t whole = nacs::memory_needed(nacs::seq, obj, 40, nacs::lazy_greedy{});
  CHECK(whole >= nacs::similarity_kernel::bytes_for(2000));
  nacs_ref::expect_error([&] { (void)nacs::maximize_partitioned(nacs::seq, obj, 40, nacs::lazy_greedy{}, {.memory_limit = whole / 2}); },
                         nacs::errc::memory_limit,
                         "facility location (exp-distance) with lazy: 1 partition of up to 2000 rows in flight needs");
  const auto old = nacs::set_memory_limit(whole / 2);
  nacs_ref::expect_error([&] { (void)nacs::maximize(nacs::seq, obj, 40, nacs::lazy_greedy{}); }, nacs::errc::memory_limit,
                         "use smaller partitions, or raise the limit");
  nacs::set_memory_limit(old);
#if defined(_OPENMP)
  // Two threads would hold two 500-row problems; with room for one, they run one by one.
  const auto par2 = nacs::par.with_threads(2);
  CHECK(nacs::memory_needed(par2, obj, 40, nacs::lazy_greedy{}, four) == 2 * one);
  nacs::partition_options tight = four;
  tight.memory_limit = one + one / 2;
  CHECK(nacs::memory_needed(par2, obj, 40, nacs::lazy_greedy{}, tight) == one);
  const auto a = nacs::maximize_partitioned(par2, obj, 40, nacs::lazy_greedy{}, tight);
  const auto b = nacs::maximize_partitioned(nacs::seq, obj, 40, nacs::lazy_greedy{}, four);
  CHECK(nacs_ref::same_selection(a, b));
  CHECK(a.memory_bytes == one);
#endif
}

TEST_CASE("bad partitioned calls") {
  const auto x = nacs_ref::uniform_matrix<float>(10, 2, 1);
  const auto obj = nacs::facility_location{x.view()};
  const std::vector<nacs::row_index> out_of_range{3, 10};
  nacs::partition_options bad{};
  bad.exclude = out_of_range;
  nacs_ref::expect_error([&] { (void)nacs::maximize_partitioned(nacs::seq, obj, 1, nacs::lazy_greedy{}, bad); },
                         nacs::errc::invalid_argument, "partition_options.exclude has row 10, outside 0..9");
  const std::vector<std::int64_t> short_groups{0, 1, 0};
  nacs_ref::expect_error([&] { (void)nacs::maximize_partitioned(nacs::seq, obj, 1, nacs::lazy_greedy{}, {.groups = short_groups}); },
                         nacs::errc::invalid_data, "partition_options.groups has 3 entries for 10 rows");
  nacs_ref::expect_error([&] { (void)nacs::maximize_partitioned(nacs::seq, obj, 1, nacs::lazy_greedy{}, {.partition_size = -4}); },
                         nacs::errc::invalid_argument, "partition_options.partition_size = -4");
  nacs_ref::expect_error([&] { (void)nacs::maximize(nacs::seq, obj, 11, nacs::stochastic_greedy{}); }, nacs::errc::invalid_argument,
                         "k = 11 but only 10 rows can be picked (N = 10, 0 excluded)");
}

TEST_CASE("on_progress is told about every partition, one call at a time, and its exceptions end the call") {
  const auto x = nacs_ref::uniform_matrix<float>(900, 5, 31);
  const auto obj = nacs::facility_location{x.view()};
  for (int threads : {1, 2, 3}) {
    std::vector<nacs::partition_progress> seen;
    nacs::partition_options opts{.partition_size = 100};
    opts.on_progress = [&](const nacs::partition_progress& p) { seen.push_back(p); };  // not thread-safe on purpose
    const auto s = nacs::maximize_partitioned(nacs::par.with_threads(threads), obj, 27, nacs::lazy_greedy{}, opts);
    REQUIRE(seen.size() == 9);
    for (std::size_t i = 0; i < seen.size(); ++i) {
      CHECK(seen[i].solved == static_cast<nacs::row_index>(i + 1));
      CHECK(seen[i].total == 9);
      CHECK(seen[i].picks == 3 * static_cast<nacs::row_index>(i + 1));
    }
    CHECK(s.indices.size() == 27);
  }
  nacs::partition_options failing{.partition_size = 100};
  failing.on_progress = [](const nacs::partition_progress& p) {
    if (p.solved == 4) throw std::runtime_error("stop at four");
  };
  CHECK_THROWS_WITH(nacs::maximize_partitioned(nacs::par.with_threads(2), obj, 27, nacs::lazy_greedy{}, failing),
                    "stop at four");
  CHECK_THROWS_WITH(nacs::maximize_partitioned(nacs::seq, obj, 27, nacs::lazy_greedy{}, failing), "stop at four");
}
