#include <doctest/doctest.h>

#include <nacs/solver/naive.hpp>
#include <nacs/solver/stochastic.hpp>

#include <nacs_ref/brute_force.hpp>
#include <nacs_ref/check.hpp>
#include <nacs_ref/facility_location.hpp>
#include <nacs_ref/policies.hpp>
#include <nacs_ref/set_cover.hpp>
#include <nacs_ref/similarity.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

TEST_CASE("sample size: ceil((C / k) ln(1 / epsilon)), between 1 and C") {
  CHECK(nacs::stochastic_sample_size(10000, 200, 1e-4) == 461);  // 50 * 9.2103...
  CHECK(nacs::stochastic_sample_size(32768, 327, 1e-3) == 693);  // 100.208 * 6.9078...
  CHECK(nacs::stochastic_sample_size(100, 100, 0.9) == 1);        // 0.105 -> 1
  CHECK(nacs::stochastic_sample_size(100, 1, 1e-3) == 100);       // capped at C
  CHECK(nacs::stochastic_sample_size(100, 0, 1e-3) == 0);
  CHECK(nacs::stochastic_sample_size(0, 5, 1e-3) == 0);
}

TEST_CASE_TEMPLATE("stochastic greedy: the same seed gives the same selection on every policy", T, float, double) {
  nacs::random_stream sizes(23);
  for (int trial = 0; trial < 3; ++trial) {
    const std::size_t n = 30 + sizes.below(250), d = 1 + sizes.below(20), k = sizes.below(std::min<std::size_t>(n, 50) + 1);
    CAPTURE(n);
    CAPTURE(k);
    nacs_ref::instance<T>(n, d, 120 + static_cast<std::uint64_t>(trial)).for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      const nacs::stochastic_greedy solver{.epsilon = 0.05, .seed = 11};
      const auto base = nacs::maximize(nacs::seq, obj, static_cast<nacs::row_index>(k), solver);
      CHECK(base.size() == k);
      // Each step evaluates min(s, live) candidates (k-center's fixed first pick: 1).
      const std::size_t s = nacs::stochastic_sample_size(static_cast<nacs::row_index>(n), static_cast<nacs::row_index>(k), 0.05);
      std::int64_t expect = 0;
      for (std::size_t t = 0; t < k; ++t) expect += (t == 0 && name == "k-center") ? 1 : static_cast<std::int64_t>(std::min(s, n - t));
      CHECK(base.evaluations == expect);
      nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
        CAPTURE(pname);
        CHECK(nacs_ref::same_selection(nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), solver), base));
      });
    });
  }
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
  // detail::selection_min_parallel_work, so par evaluates each sample on its threads.
  const auto x = nacs_ref::uniform_matrix<float>(1500, 8, 77);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const nacs::stochastic_greedy solver{.epsilon = 0.01, .seed = 5};
  REQUIRE(nacs::stochastic_sample_size(1500, 8, 0.01) * 1504 >= nacs::detail::selection_min_parallel_work);
  const auto base = nacs::maximize(nacs::seq, obj, 8, solver);
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
    CAPTURE(pname);
    CHECK(nacs_ref::same_selection(nacs::maximize(policy, obj, 8, solver), base));
  });
}
