// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/solver/naive.hpp>
#include <nacs/solver/stochastic.hpp>

#include <nacs_ref/brute_force.hpp>
#include <nacs_ref/budgets.hpp>
#include <nacs_ref/check.hpp>
#include <nacs_ref/facility_location.hpp>
#include <nacs_ref/policies.hpp>
#include <nacs_ref/set_cover.hpp>
#include <nacs_ref/similarity.hpp>
#include <nacs_ref/stochastic.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace {

// Picks and evaluation counts must equal the reference's exactly. Gains: set cover and
// k-center compute the same numbers the same way (exact); facility location's gains sum the
// same float terms in double in another order, so they agree to a few ulps of the largest
// gain: 1e-12 relative is ~4500 ulps of headroom, and summing in float instead misses by
// ~1e-7 relative.
void check_same_as_reference(const nacs::selection& s, const nacs_ref::sampled_result& ref) {
  REQUIRE(s.indices.size() == ref.picks.size());
  CHECK(std::vector<std::size_t>(s.indices.begin(), s.indices.end()) == ref.picks);
  CHECK(s.evaluations == ref.evaluations);
  double scale = 1.0;
  for (const double g : ref.gains)
    if (std::isfinite(g)) scale = std::max(scale, std::abs(g));
  for (std::size_t t = 0; t < ref.gains.size(); ++t) {
    CAPTURE(t);
    if (s.gains[t] != ref.gains[t]) CHECK(std::abs(s.gains[t] - ref.gains[t]) <= 1e-12 * scale);
  }
}

// The reference's stochastic greedy over all rows of one instance (stream 0, what maximize uses).
template <class T, class Obj>
nacs_ref::sampled_result reference_run(const nacs_ref::instance<T>& inst, const Obj& obj, std::size_t k, double eps,
                                       std::uint64_t seed) {
  return nacs_ref::with_plain_problem(obj, inst.x, inst.ids, {}, [&](auto& p) {
    return nacs_ref::stochastic_greedy(p, k, eps, seed);
  });
}

}  // namespace

TEST_CASE("sample size: ceil((C / k) ln(1 / epsilon)), between 1 and C, worked out by hand") {
  // 10000 / 200 = 50; ln(1e4) = 9.21034; 50 * 9.21034 = 460.517 -> 461 (floor: 460).
  CHECK(nacs::stochastic_sample_size(10000, 200, 1e-4) == 461);
  // 32768 / 327 = 100.2080; ln(1e3) = 6.90776; product 692.22 -> 693 (floor: 692).
  CHECK(nacs::stochastic_sample_size(32768, 327, 1e-3) == 693);
  // 30 / 10 = 3; ln 2 = 0.693147; 3 * 0.693147 = 2.0794 -> 3 (floor and round: 2).
  CHECK(nacs::stochastic_sample_size(30, 10, 0.5) == 3);
  // 100 / 10 = 10; ln(100) = 4.60517; 46.0517 -> 47. Off by one in C: 99 / 10 * 4.60517 = 45.59
  // -> 46; in k: 100 / 11 * 4.60517 = 41.87 -> 42, 100 / 9 * 4.60517 = 51.17 -> 52; ceil + 1: 48.
  CHECK(nacs::stochastic_sample_size(100, 10, 0.01) == 47);
  // 5 / 5 = 1; ln(1 / 0.3) = 1.20397 -> 2 (floor: 1).
  CHECK(nacs::stochastic_sample_size(5, 5, 0.3) == 2);
  // 300 / 12 = 25; ln 20 = 2.995732; 74.893 -> 75 (floor: 74).
  CHECK(nacs::stochastic_sample_size(300, 12, 0.05) == 75);
  // 100 / 100 = 1; ln(1 / 0.9) = 0.10536 -> 1 (the lower bound 1 is not what makes it 1 here).
  CHECK(nacs::stochastic_sample_size(100, 100, 0.9) == 1);
  // 1 / 1 * ln(1 / 0.999) = 0.0010005 -> 1.
  CHECK(nacs::stochastic_sample_size(1, 1, 0.999) == 1);
  // 100 / 1 * 6.90776 = 690.8: capped at C = 100; 5 / 1 * ln(100) = 23.03: capped at 5.
  CHECK(nacs::stochastic_sample_size(100, 1, 1e-3) == 100);
  CHECK(nacs::stochastic_sample_size(5, 1, 0.01) == 5);
  // 10 / 4 = 2.5; ln(1 / 0.05) = 2.995732; 7.489 -> 8 (below C = 10, floor: 7).
  CHECK(nacs::stochastic_sample_size(10, 4, 0.05) == 8);
  CHECK(nacs::stochastic_sample_size(100, 0, 1e-3) == 0);
  CHECK(nacs::stochastic_sample_size(0, 5, 1e-3) == 0);
  // The reference's own formula agrees on a sweep.
  for (nacs::row_index c = 1; c <= 60; ++c)
    for (nacs::row_index k = 1; k <= c; k += 3)
      for (const double eps : {0.9, 0.5, 0.1, 1e-3})
        CHECK(nacs::stochastic_sample_size(c, k, eps) ==
              nacs_ref::sample_size(static_cast<std::size_t>(c), static_cast<std::size_t>(k), eps));
}

TEST_CASE("evaluation counts, worked out by hand") {
  const nacs_ref::instance<float> inst(300, 4, 31);
  const auto fl = nacs::facility_location{inst.x.view(), nacs::exp_distance{}};
  // s = 75 (above); 12 steps of 75 candidates each (300 - 11 live at the last step).
  CHECK(nacs::maximize(nacs::seq, fl, 12, nacs::stochastic_greedy{.epsilon = 0.05, .seed = 1}).evaluations == 900);
  // k-center's first pick (the row nearest the mean) is one evaluation; then 11 x 75.
  CHECK(nacs::maximize(nacs::seq, nacs::k_center{inst.x.view()}, 12, nacs::stochastic_greedy{.epsilon = 0.05, .seed = 1})
            .evaluations == 826);
  // 10 rows, k = 4: s = 8 (above); live = 10, 9, 8, 7 -> 8 + 8 + 8 + 7 = 31.
  const nacs_ref::instance<float> small(10, 3, 5);
  const auto fl10 = nacs::facility_location{small.x.view(), nacs::exp_distance{}};
  CHECK(nacs::maximize(nacs::seq, fl10, 4, nacs::stochastic_greedy{.epsilon = 0.05, .seed = 1}).evaluations == 31);
  // k = N = 10, epsilon = 0.05: s = ceil(1 * 2.9957) = 3; live 10..1 -> 3 * 8 + 2 + 1 = 27.
  CHECK(nacs::maximize(nacs::seq, fl10, 10, nacs::stochastic_greedy{.epsilon = 0.05, .seed = 1}).evaluations == 27);
}

TEST_CASE_TEMPLATE("stochastic greedy picks exactly what the reference picks, on every policy", T, float, double) {
  nacs::random_stream sizes(23);
  for (int trial = 0; trial < 4; ++trial) {
    const std::size_t n = 30 + sizes.below(250), d = 1 + sizes.below(20), k = sizes.below(std::min<std::size_t>(n, 50) + 1);
    CAPTURE(n);
    CAPTURE(k);
    const nacs_ref::instance<T> inst(n, d, 120 + static_cast<std::uint64_t>(trial));
    inst.for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      for (const double eps : {0.05, 0.5}) {
        CAPTURE(eps);
        const nacs::stochastic_greedy solver{.epsilon = eps, .seed = 11 + static_cast<std::uint64_t>(trial)};
        const auto ref = reference_run(inst, obj, k, eps, solver.seed);
        nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
          CAPTURE(pname);
          check_same_as_reference(nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), solver), ref);
        });
      }
    });
  }
}

TEST_CASE_TEMPLATE("stochastic greedy equals the reference on edge inputs (N = 1, d = 1, duplicates, all equal; k = 0, 3, N)",
                   T, float, double) {
  for (const auto& inst : nacs_ref::edge_instances<T>()) {
    const auto n = static_cast<nacs::row_index>(inst.x.rows());
    CAPTURE(n);
    inst.for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      for (const nacs::row_index k : {nacs::row_index{0}, std::min<nacs::row_index>(n, 3), n}) {
        CAPTURE(k);
        const auto ref = reference_run(inst, obj, static_cast<std::size_t>(k), 0.3, 2);
        nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
          CAPTURE(pname);
          check_same_as_reference(nacs::maximize(policy, obj, k, nacs::stochastic_greedy{.epsilon = 0.3, .seed = 2}), ref);
        });
      }
    });
  }
}

TEST_CASE("partitioned stochastic greedy equals the reference run partition by partition (P not dividing N)") {
  // N = 203, partition_size = 50: ceil(203 / 50) = 5 partitions of 41, 41, 41, 40, 40 rows;
  // partition p draws from stream p; k = 17 shared by largest remainder.
  const nacs_ref::instance<float> inst(203, 6, 77);
  const std::vector<std::size_t> lens{41, 41, 41, 40, 40};
  const auto budgets = nacs_ref::budgets({41, 41, 41, 40, 40}, {41, 41, 41, 40, 40}, 17);
  nacs::partition_options opts{.partition_size = 50};
  inst.for_each_objective([&](const auto& obj, const std::string& name) {
    CAPTURE(name);
    const nacs::stochastic_greedy solver{.epsilon = 0.1, .seed = 8};
    nacs_ref::sampled_result ref;
    std::size_t first = 0;
    for (std::size_t p = 0; p < lens.size(); ++p) {
      std::vector<std::size_t> rows(lens[p]);
      for (std::size_t i = 0; i < lens[p]; ++i) rows[i] = first + i;
      const auto part = nacs_ref::with_plain_problem(obj, inst.x, inst.ids, rows, [&](auto& prob) {
        return nacs_ref::stochastic_greedy(prob, static_cast<std::size_t>(budgets[p]), solver.epsilon, solver.seed, p);
      });
      for (std::size_t t = 0; t < part.picks.size(); ++t) {
        ref.picks.push_back(rows[part.picks[t]]);
        ref.gains.push_back(part.gains[t]);
      }
      ref.evaluations += part.evaluations;
      first += lens[p];
    }
    nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
      CAPTURE(pname);
      const auto s = nacs::maximize_partitioned(policy, obj, 17, solver, opts);
      CHECK(s.partitions.size() == 5);
      check_same_as_reference(s, ref);
    });
  });
}

TEST_CASE("the candidate sampler draws every live candidate equally often (chi-square over seeds)") {
  // 20 candidates, samples of 5, 20000 seeds (stream 0). Under a uniform draw the first
  // sample member is each candidate with probability 1/20: sum (O - E)^2 / E over the 20
  // counts is chi-square with 19 degrees of freedom, above 50.8 with probability 1e-4.
  // Each candidate is in the sample with probability p = 5/20; those counts, scaled by
  // 1 / (1 - p), follow the same law approximately. After candidate 7 is removed (swapped to
  // the end), the 19 others must again be drawn uniformly (18 degrees of freedom: 49.2).
  constexpr std::size_t c = 20, s = 5, seeds = 20000;
  std::vector<nacs::row_index> candidates(c);
  for (std::size_t i = 0; i < c; ++i) candidates[i] = static_cast<nacs::row_index>(i);
  std::vector<double> first(c, 0.0), in(c, 0.0), after(c, 0.0);
  for (std::uint64_t seed = 0; seed < seeds; ++seed) {
    nacs::detail::candidate_pool pool(candidates, static_cast<nacs::row_index>(c));
    nacs::random_stream rng(seed, 0);
    const auto sample = pool.sample(rng, s);
    REQUIRE(sample.size() == s);
    first[static_cast<std::size_t>(sample[0])] += 1.0;
    for (const nacs::row_index j : sample) in[static_cast<std::size_t>(j)] += 1.0;
    pool.remove(7);
    const auto again = pool.sample(rng, 1);
    REQUIRE(again.size() == 1);
    after[static_cast<std::size_t>(again[0])] += 1.0;
  }
  const auto chi2 = [](const std::vector<double>& counts, double expect, double scale, std::size_t skip) {
    double x = 0.0;
    for (std::size_t i = 0; i < counts.size(); ++i)
      if (i != skip) x += (counts[i] - expect) * (counts[i] - expect) / (expect * scale);
    return x;
  };
  const double x_first = chi2(first, double(seeds) / c, 1.0, c);
  const double x_in = chi2(in, double(seeds) * s / c, 1.0 - double(s) / c, c);
  const double x_after = chi2(after, double(seeds) / (c - 1), 1.0, 7);
  MESSAGE("chi-square: first member " << x_first << ", membership " << x_in << ", after a removal " << x_after);
  CHECK(after[7] == 0.0);
  CHECK(x_first <= 50.8);
  CHECK(x_in <= 50.8);
  CHECK(x_after <= 49.2);
  // Every candidate appears (a draw that can never reach one fails here even if the rest is flat).
  for (std::size_t i = 0; i < c; ++i) CHECK(in[i] > 0.0);
}

TEST_CASE_TEMPLATE("stochastic greedy on edge inputs", T, float, double) {
  for (const auto& inst : nacs_ref::edge_instances<T>()) {
    const auto n = static_cast<nacs::row_index>(inst.x.rows());
    inst.for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      for (const nacs::row_index k : {nacs::row_index{0}, std::min<nacs::row_index>(n, 3), n}) {
        const auto base = nacs::maximize(nacs::seq, obj, k, nacs::stochastic_greedy{.epsilon = 0.3, .seed = 2});
        REQUIRE(base.size() == static_cast<std::size_t>(k));
        CHECK(base.total_weight() == (k > 0 ? n : 0));
        std::vector<nacs::row_index> sorted = base.indices;
        std::sort(sorted.begin(), sorted.end());
        CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
        nacs_ref::for_each_policy([&](const auto& policy, const std::string&) {
          CHECK(nacs_ref::same_selection(nacs::maximize(policy, obj, k, nacs::stochastic_greedy{.epsilon = 0.3, .seed = 2}), base));
        });
      }
    });
  }
}

TEST_CASE("different seeds give different selections (almost always)") {
  const auto x = nacs_ref::uniform_matrix<float>(400, 8, 3);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  int differ = 0;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const auto a = nacs::maximize(nacs::seq, obj, 20, nacs::stochastic_greedy{.epsilon = 0.1, .seed = seed});
    const auto b = nacs::maximize(nacs::seq, obj, 20, nacs::stochastic_greedy{.epsilon = 0.1, .seed = seed + 100});
    differ += a.indices != b.indices ? 1 : 0;
  }
  CHECK(differ >= 9);
}

TEST_CASE("with a sample as large as the candidates, stochastic greedy is naive greedy") {
  const nacs_ref::instance<double> inst(150, 6, 8);
  inst.for_each_objective([&](const auto& obj, const std::string& name) {
    CAPTURE(name);
    // k = 3 of 150 with epsilon = 1e-12: s = ceil(50 * 27.6) >= 150.
    const auto naive = nacs::maximize(nacs::seq, obj, 3, nacs::naive_greedy{});
    const auto sg = nacs::maximize(nacs::par.with_threads(2), obj, 3, nacs::stochastic_greedy{.epsilon = 1e-12, .seed = 4});
    CHECK(nacs_ref::same_picks(sg, naive, 1e-12));
  });
}

TEST_CASE("stochastic greedy averages at least 98% of naive greedy's F on random instances") {
  double ratio = 0.0;
  const int trials = 12;
  for (int t = 0; t < trials; ++t) {
    const auto x = nacs_ref::uniform_matrix<float>(500, 10, 700 + static_cast<std::uint64_t>(t));
    const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
    const auto naive = nacs::maximize(nacs::par.with_threads(2), obj, 25, nacs::naive_greedy{});
    const auto sg = nacs::maximize(nacs::par.with_threads(2), obj, 25, nacs::stochastic_greedy{.epsilon = 0.1, .seed = static_cast<std::uint64_t>(t)});
    ratio += sg.objective / naive.objective;
  }
  ratio /= trials;
  MESSAGE("mean F(stochastic) / F(naive) = " << ratio);
  CHECK(ratio >= 0.98);
}

TEST_CASE("stochastic greedy reaches (1 - 1/e - epsilon) OPT on brute-forced instances, on average over seeds") {
  const double eps = 0.1, bound = 1.0 - 1.0 / std::exp(1.0) - eps;
  nacs::random_stream sizes(41);
  for (int trial = 0; trial < 8; ++trial) {
    const std::size_t n = 5 + sizes.below(8), k = 1 + sizes.below(4);
    CAPTURE(n);
    CAPTURE(k);
    const auto x = nacs_ref::uniform_matrix<double>(n, 3, 500 + static_cast<std::uint64_t>(trial));
    const auto ids = nacs_ref::random_ids(n, 3, 500 + static_cast<std::uint64_t>(trial));
    const auto s = nacs_ref::similarities(x, nacs::exp_distance{});
    const double opt_fl = nacs_ref::best_subset_value(n, k, [&](const auto& set) { return nacs_ref::facility_objective(s, set); });
    const double opt_sc = nacs_ref::best_subset_value(n, k, [&](const auto& set) { return static_cast<double>(nacs_ref::covered_pairs(ids, set)); });
    double fl = 0.0, sc = 0.0;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      const nacs::stochastic_greedy solver{.epsilon = eps, .seed = seed};
      fl += nacs::maximize(nacs::seq, nacs::facility_location{x.view(), nacs::exp_distance{}}, static_cast<nacs::row_index>(k), solver).objective;
      sc += nacs::maximize(nacs::seq, nacs::set_cover{ids.view()}, static_cast<nacs::row_index>(k), solver).objective;
    }
    CHECK(fl / 20 >= bound * opt_fl * (1.0 - 1e-5));
    CHECK(sc / 20 >= bound * opt_sc);
  }
}

TEST_CASE("stochastic_greedy settings") {
  for (const double bad : {0.0, 1.0, -0.5, 2.0, std::numeric_limits<double>::quiet_NaN()}) {
    CAPTURE(bad);
    nacs_ref::expect_error([&] { nacs::stochastic_greedy{.epsilon = bad}.validate(); }, nacs::errc::invalid_argument,
                           "stochastic_greedy.epsilon = ");
  }
  const auto x = nacs_ref::uniform_matrix<float>(5, 2, 1);
  nacs_ref::expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::k_center{x.view()}, 2, nacs::stochastic_greedy{.epsilon = 1.5}); },
                         nacs::errc::invalid_argument, "stochastic_greedy.epsilon = 1.500000: it must be in (0, 1)");
  CHECK(nacs::stochastic_greedy{} == nacs::stochastic_greedy{.epsilon = 1e-3, .seed = 0});
  CHECK_FALSE(nacs::stochastic_greedy{.seed = 1} == nacs::stochastic_greedy{});
  CHECK(nacs::stochastic_greedy::name() == "stochastic");
  std::ostringstream os;
  os << nacs::stochastic_greedy{.epsilon = 0.01, .seed = 7};
  CHECK(os.str() == "stochastic_greedy{epsilon=0.01, seed=7}");
}

TEST_CASE("large enough samples are evaluated on several threads, with the same selection") {
  // 1500 rows, k = 8, epsilon = 0.01: samples of 864 candidates x 1504 floats, above
  // tuning::parallel_min_work, so par evaluates each sample on its threads.
  const auto x = nacs_ref::uniform_matrix<float>(1500, 8, 77);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const nacs::stochastic_greedy solver{.epsilon = 0.01, .seed = 5};
  REQUIRE(nacs::stochastic_sample_size(1500, 8, 0.01) * 1504 >= nacs::tuning::parallel_min_work);
  const auto base = nacs::maximize(nacs::seq, obj, 8, solver);
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
    CAPTURE(pname);
    CHECK(nacs_ref::same_selection(nacs::maximize(policy, obj, 8, solver), base));
  });
}
