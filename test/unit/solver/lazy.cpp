// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/solver/lazy.hpp>
#include <nacs/solver/naive.hpp>

#include <nacs_ref/check.hpp>
#include <nacs_ref/policies.hpp>

#include <sstream>
#include <string>

TEST_CASE_TEMPLATE("lazy greedy picks what naive greedy picks, for every objective, policy and batch", T, float, double) {
  // Gains: lazy evaluates from scratch, naive facility location updates incrementally; they
  // agree to double rounding (1e-12 relative). Set cover and k-center gains agree exactly.
  nacs::random_stream sizes(17);
  for (int trial = 0; trial < 3; ++trial) {
    const std::size_t n = 30 + sizes.below(250), d = 1 + sizes.below(20), k = sizes.below(std::min<std::size_t>(n, 50) + 1);
    CAPTURE(n);
    CAPTURE(k);
    nacs_ref::instance<T>(n, d, 90 + static_cast<std::uint64_t>(trial)).for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      const auto naive = nacs::maximize(nacs::seq, obj, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
      const auto base = nacs::maximize(nacs::seq, obj, static_cast<nacs::row_index>(k), nacs::lazy_greedy{});
      CHECK(nacs_ref::same_picks(base, naive, 1e-12));
      CHECK(base.evaluations <= naive.evaluations + static_cast<std::int64_t>(n));
      for (const int batch : {1, 3, 8}) {
        nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
          CAPTURE(pname);
          CAPTURE(batch);
          const auto s = nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), nacs::lazy_greedy{.batch = batch});
          CHECK(nacs_ref::same_picks(s, naive, 1e-12));
          if (batch == 8) CHECK(nacs_ref::same_selection(s, base));
        });
      }
    });
  }
}

TEST_CASE_TEMPLATE("lazy greedy on edge inputs", T, float, double) {
  for (const auto& inst : nacs_ref::edge_instances<T>()) {
    const auto n = static_cast<nacs::row_index>(inst.x.rows());
    inst.for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      for (const nacs::row_index k : {nacs::row_index{0}, std::min<nacs::row_index>(n, 3), n}) {
        const auto naive = nacs::maximize(nacs::seq, obj, k, nacs::naive_greedy{});
        nacs_ref::for_each_policy([&](const auto& policy, const std::string&) {
          const auto s = nacs::maximize(policy, obj, k, nacs::lazy_greedy{.batch = 2});
          CHECK(nacs_ref::same_picks(s, naive, 1e-12));
        });
      }
    });
  }
}

TEST_CASE("lazy greedy needs far fewer evaluations than naive greedy") {
  const auto x = nacs_ref::uniform_matrix<float>(2000, 20, 4);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const auto naive = nacs::maximize(nacs::par.with_threads(2), obj, 50, nacs::naive_greedy{});
  const auto lazy = nacs::maximize(nacs::par.with_threads(2), obj, 50, nacs::lazy_greedy{});
  CHECK(nacs_ref::same_picks(lazy, naive, 1e-12));
  MESSAGE("evaluations: naive " << naive.evaluations << ", lazy " << lazy.evaluations);
  CHECK(lazy.evaluations * 5 < naive.evaluations);
}

TEST_CASE("lazy_greedy settings") {
  nacs_ref::expect_error([] { nacs::lazy_greedy{.batch = 0}.validate(); }, nacs::errc::invalid_argument,
                         "lazy_greedy.batch = 0: it must be >= 1");
  const auto x = nacs_ref::uniform_matrix<float>(5, 2, 1);
  nacs_ref::expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::k_center{x.view()}, 2, nacs::lazy_greedy{.batch = -1}); },
                         nacs::errc::invalid_argument, "lazy_greedy.batch = -1");
  CHECK(nacs::lazy_greedy{} == nacs::lazy_greedy{.batch = 8});
  CHECK(nacs::lazy_greedy::name() == "lazy");
  std::ostringstream os;
  os << nacs::lazy_greedy{.batch = 4};
  CHECK(os.str() == "lazy_greedy{batch=4}");
}

TEST_CASE("lazy greedy's first full pass runs on several threads, with the same selection") {
  // 1500 candidates x 1504 floats is above tuning::parallel_min_work.
  const auto x = nacs_ref::uniform_matrix<double>(1500, 8, 78);
  const auto obj = nacs::facility_location{x.view(), nacs::neg_distance{}};
  const auto base = nacs::maximize(nacs::seq, obj, 12, nacs::lazy_greedy{});
  CHECK(nacs_ref::same_picks(base, nacs::maximize(nacs::seq, obj, 12, nacs::naive_greedy{}), 1e-12));
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
    CAPTURE(pname);
    CHECK(nacs_ref::same_selection(nacs::maximize(policy, obj, 12, nacs::lazy_greedy{}), base));
  });
}
