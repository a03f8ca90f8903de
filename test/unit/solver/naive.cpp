// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/solver/naive.hpp>

#include <nacs_ref/brute_force.hpp>
#include <nacs_ref/check.hpp>
#include <nacs_ref/facility_location.hpp>
#include <nacs_ref/k_center.hpp>
#include <nacs_ref/policies.hpp>
#include <nacs_ref/set_cover.hpp>
#include <nacs_ref/similarity.hpp>

#include <cmath>
#include <concepts>
#include <sstream>
#include <type_traits>
#include <string>
#include <vector>

namespace {

// Facility location's problem without refresh_gains: naive greedy then calls gain() for every
// candidate every step, from scratch. Used to check the incremental path.
struct from_scratch_problem {
  nacs::detail::facility_location_problem inner;
  [[nodiscard]] nacs::row_index size() const { return inner.size(); }
  double gain(nacs::row_index j) { return inner.gain(j); }
  void commit(nacs::row_index j) { inner.commit(j); }
  std::optional<nacs::row_index> first_pick(std::span<const nacs::row_index> c) { return inner.first_pick(c); }
  template <nacs::host_policy P>
  nacs::partition_outcome finish(const P& policy, std::span<const nacs::row_index> p) { return inner.finish(policy, p); }
};
static_assert(!nacs::incremental_gains<from_scratch_problem>);
template <class O>
struct from_scratch : O {
  using O::O;
  explicit from_scratch(const O& o) : O(o) {}
  template <nacs::host_policy P>
  [[nodiscard]] from_scratch_problem make_problem(const P& policy, std::span<const nacs::row_index> rows) const {
    return {O::make_problem(policy, rows)};
  }
};

}  // namespace

TEST_CASE_TEMPLATE("naive greedy: same selection on seq and par with 1, 2, 3 threads, for every objective", T, float, double) {
  nacs::random_stream sizes(5);
  for (int trial = 0; trial < 3; ++trial) {
    const std::size_t n = 30 + sizes.below(200), d = 1 + sizes.below(20), k = sizes.below(std::min<std::size_t>(n, 40) + 1);
    CAPTURE(n);
    CAPTURE(k);
    nacs_ref::instance<T>(n, d, 60 + static_cast<std::uint64_t>(trial)).for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      const auto base = nacs::maximize(nacs::seq, obj, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
      CHECK(base.size() == k);
      // Naive evaluates every live candidate at every step (k-center's first pick is one evaluation).
      const auto steps = static_cast<std::int64_t>(k);
      const std::int64_t all = steps * static_cast<std::int64_t>(n) - steps * (steps - 1) / 2;
      if (name == "k-center") CHECK(base.evaluations == (k == 0 ? 0 : 1 + all - static_cast<std::int64_t>(n)));
      else CHECK(base.evaluations == all);
      nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
        CAPTURE(pname);
        CHECK(nacs_ref::same_selection(nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), nacs::naive_greedy{}), base));
      });
    });
  }
}

TEST_CASE_TEMPLATE("naive greedy on edge inputs: N = 1, k = 0, k = N, d = 1, duplicates, all-equal rows", T, float, double) {
  for (const auto& inst : nacs_ref::edge_instances<T>()) {
    const auto n = static_cast<nacs::row_index>(inst.x.rows());
    CAPTURE(n);
    inst.for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      for (const nacs::row_index k : {nacs::row_index{0}, std::min<nacs::row_index>(n, 3), n}) {
        nacs_ref::for_each_policy([&](const auto& policy, const std::string&) {
          const auto s = nacs::maximize(policy, obj, k, nacs::naive_greedy{});
          REQUIRE(s.size() == static_cast<std::size_t>(k));
          CHECK(s.total_weight() == (k > 0 ? n : 0));
          std::vector<nacs::row_index> sorted = s.indices;
          std::sort(sorted.begin(), sorted.end());
          CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // no row twice
          for (std::size_t t = 1; t < s.gains.size(); ++t) CHECK(s.gains[t] <= s.gains[t - 1]);  // gains never increase
        });
      }
    });
  }
}

TEST_CASE("naive greedy's incremental gains pick what from-scratch gains pick") {
  // Tolerance: the incremental sums differ from fresh sums only by double rounding (1e-12 relative).
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    const auto x = nacs_ref::uniform_matrix<float>(300, 10, seed);
    const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
    const auto inc = nacs::maximize(nacs::par.with_threads(2), obj, 60, nacs::naive_greedy{});
    const auto fresh = nacs::maximize(nacs::par.with_threads(2), from_scratch{obj}, 60, nacs::naive_greedy{});
    CHECK(nacs_ref::same_picks(inc, fresh, 1e-12));
    CHECK(inc.objective == fresh.objective);
  }
}

TEST_CASE("naive greedy reaches (1 - 1/e) OPT on brute-forced instances (2 OPT radius for k-center)") {
  const double bound = 1.0 - 1.0 / std::exp(1.0);
  nacs::random_stream sizes(9);
  for (int trial = 0; trial < 12; ++trial) {
    const std::size_t n = 4 + sizes.below(9), k = 1 + sizes.below(4), d = 1 + sizes.below(4);
    CAPTURE(n);
    CAPTURE(k);
    const auto x = nacs_ref::uniform_matrix<double>(n, d, 300 + static_cast<std::uint64_t>(trial));
    const auto ids = nacs_ref::random_ids(n, 3, 300 + static_cast<std::uint64_t>(trial));
    {
      const auto s = nacs_ref::similarities(x, nacs::exp_distance{});
      const double opt = nacs_ref::best_subset_value(n, k, [&](const auto& set) { return nacs_ref::facility_objective(s, set); });
      const auto g = nacs::maximize(nacs::seq, nacs::facility_location{x.view(), nacs::exp_distance{}}, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
      CHECK(g.objective >= bound * opt * (1.0 - 1e-5));  // within the float kernel's error
    }
    {
      const auto s = nacs_ref::similarities(x, nacs::neg_distance{});
      const double opt = nacs_ref::best_subset_value(n, k, [&](const auto& set) { return nacs_ref::facility_objective(s, set); });
      const auto g = nacs::maximize(nacs::seq, nacs::facility_location{x.view()}, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
      CHECK(g.objective >= bound * opt - 1e-5 * static_cast<double>(n));
    }
    {
      const double opt = nacs_ref::best_subset_value(n, k, [&](const auto& set) { return static_cast<double>(nacs_ref::covered_pairs(ids, set)); });
      const auto g = nacs::maximize(nacs::seq, nacs::set_cover{ids.view()}, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
      CHECK(g.objective >= bound * opt);
    }
    {
      const double opt = nacs_ref::best_subset_value(n, k, [&](const auto& set) { return nacs_ref::covering_radius(x, set); }, true);
      const auto g = nacs::maximize(nacs::seq, nacs::k_center{x.view()}, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
      CHECK(g.objective <= 2.0 * opt + 1e-12);
    }
  }
}

TEST_CASE("naive_greedy is a value") {
  // naive_greedy has no settings: it is empty and every two values are equal.
  static_assert(std::is_empty_v<nacs::naive_greedy> && std::equality_comparable<nacs::naive_greedy>);
  CHECK(nacs::naive_greedy::name() == "naive");
  std::ostringstream os;
  os << nacs::naive_greedy{};
  CHECK(os.str() == "naive_greedy{}");
}
