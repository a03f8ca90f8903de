// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/solver/lazier.hpp>
#include <nacs/solver/stochastic.hpp>

#include <nacs_ref/check.hpp>
#include <nacs_ref/lazier.hpp>
#include <nacs_ref/policies.hpp>
#include <nacs_ref/stochastic.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace {

// Picks and evaluations exactly the reference's; gains exact, or for facility location within
// 1e-12 of the largest gain (the same float terms summed in double in another order).
void check_same_as_reference(const nacs::selection& s, const nacs_ref::sampled_result& ref) {
  REQUIRE(s.indices.size() == ref.picks.size());
  CHECK(std::vector<std::size_t>(s.indices.begin(), s.indices.end()) == ref.picks);
  CHECK(s.evaluations == ref.evaluations);
  double scale = 1.0;
  for (const double g : ref.gains)
    if (std::isfinite(g)) scale = std::max(scale, std::abs(g));
  for (std::size_t t = 0; t < ref.gains.size(); ++t)
    if (s.gains[t] != ref.gains[t]) CHECK(std::abs(s.gains[t] - ref.gains[t]) <= 1e-12 * scale);
}

}  // namespace

TEST_CASE_TEMPLATE("lazier-than-lazy equals the reference (picks, gains, evaluation count) on every policy", T, float, double) {
  nacs::random_stream sizes(31);
  std::vector<nacs_ref::instance<T>> cases;
  for (int trial = 0; trial < 3; ++trial) {
    const std::size_t n = 30 + sizes.below(250), d = 1 + sizes.below(20);
    cases.emplace_back(n, d, 170 + static_cast<std::uint64_t>(trial));
  }
  for (auto& e : nacs_ref::edge_instances<T>()) cases.push_back(std::move(e));
  for (const auto& inst : cases) {
    const std::size_t n = inst.x.rows();
    CAPTURE(n);
    inst.for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      for (const std::size_t k : {std::size_t{0}, std::min<std::size_t>(n, 3), std::min<std::size_t>(n, 29), n}) {
        CAPTURE(k);
        for (const int batch : {1, 3, 8}) {
          CAPTURE(batch);
          const double eps = 0.2;
          const auto ref = nacs_ref::with_plain_problem(obj, inst.x, inst.ids, {}, [&](auto& p) {
            return nacs_ref::lazier_greedy(p, k, eps, 6, static_cast<std::size_t>(batch));
          });
          const auto sref = nacs_ref::with_plain_problem(obj, inst.x, inst.ids, {}, [&](auto& p) {
            return nacs_ref::stochastic_greedy(p, k, eps, 6);
          });
          CHECK(ref.picks == sref.picks);  // the reference's lazy evaluation changes nothing but the count
          nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
            CAPTURE(pname);
            check_same_as_reference(nacs::maximize(policy, obj, static_cast<nacs::row_index>(k),
                                                   nacs::lazier_than_lazy{.epsilon = eps, .seed = 6, .batch = batch}),
                                    ref);
          });
        }
      }
    });
  }
}

TEST_CASE_TEMPLATE("lazier-than-lazy picks what stochastic greedy picks with the same seed", T, float, double) {
  // Same sample, same gain computations, exact argmax: indices, gains, weights and F are equal.
  nacs::random_stream sizes(29);
  for (int trial = 0; trial < 3; ++trial) {
    const std::size_t n = 30 + sizes.below(250), d = 1 + sizes.below(20), k = sizes.below(std::min<std::size_t>(n, 50) + 1);
    CAPTURE(n);
    CAPTURE(k);
    nacs_ref::instance<T>(n, d, 150 + static_cast<std::uint64_t>(trial)).for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      for (const double eps : {0.3, 1e-3}) {
        CAPTURE(eps);
        const auto sg = nacs::maximize(nacs::seq, obj, static_cast<nacs::row_index>(k), nacs::stochastic_greedy{.epsilon = eps, .seed = 5});
        const auto base = nacs::maximize(nacs::seq, obj, static_cast<nacs::row_index>(k), nacs::lazier_than_lazy{.epsilon = eps, .seed = 5});
        CHECK(base.indices == sg.indices);
        CHECK(base.gains == sg.gains);
        CHECK(base.weights == sg.weights);
        CHECK(base.objective == sg.objective);
        CHECK(base.evaluations <= sg.evaluations + 8 * static_cast<std::int64_t>(k));
        for (const int batch : {1, 8}) {
          nacs_ref::for_each_policy([&](const auto& policy, const std::string& pname) {
            CAPTURE(pname);
            CAPTURE(batch);
            const auto s = nacs::maximize(policy, obj, static_cast<nacs::row_index>(k),
                                          nacs::lazier_than_lazy{.epsilon = eps, .seed = 5, .batch = batch});
            CHECK(s.indices == sg.indices);
            CHECK(s.gains == sg.gains);
            if (batch == 8) CHECK(nacs_ref::same_selection(s, base));
          });
        }
      }
    });
  }
}

TEST_CASE_TEMPLATE("lazier-than-lazy on edge inputs", T, float, double) {
  for (const auto& inst : nacs_ref::edge_instances<T>()) {
    const auto n = static_cast<nacs::row_index>(inst.x.rows());
    inst.for_each_objective([&](const auto& obj, const std::string& name) {
      CAPTURE(name);
      for (const nacs::row_index k : {nacs::row_index{0}, std::min<nacs::row_index>(n, 3), n}) {
        const auto sg = nacs::maximize(nacs::seq, obj, k, nacs::stochastic_greedy{.epsilon = 0.2, .seed = 9});
        nacs_ref::for_each_policy([&](const auto& policy, const std::string&) {
          const auto s = nacs::maximize(policy, obj, k, nacs::lazier_than_lazy{.epsilon = 0.2, .seed = 9, .batch = 3});
          CHECK(s.indices == sg.indices);
          CHECK(s.gains == sg.gains);
          CHECK(s.weights == sg.weights);
        });
      }
    });
  }
}

TEST_CASE("lazier-than-lazy evaluates fewer candidates than stochastic greedy") {
  const auto x = nacs_ref::uniform_matrix<float>(3000, 20, 12);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const auto sg = nacs::maximize(nacs::par.with_threads(2), obj, 60, nacs::stochastic_greedy{.epsilon = 1e-3, .seed = 1});
  const auto lz = nacs::maximize(nacs::par.with_threads(2), obj, 60, nacs::lazier_than_lazy{.epsilon = 1e-3, .seed = 1});
  CHECK(lz.indices == sg.indices);
  MESSAGE("evaluations: stochastic " << sg.evaluations << ", lazier " << lz.evaluations);
  CHECK(lz.evaluations * 2 < sg.evaluations);
}

TEST_CASE("lazier_than_lazy settings") {
  nacs_ref::expect_error([] { nacs::lazier_than_lazy{.epsilon = 0.0}.validate(); }, nacs::errc::invalid_argument,
                         "lazier_than_lazy.epsilon = 0.000000: it must be in (0, 1)");
  nacs_ref::expect_error([] { nacs::lazier_than_lazy{.batch = 0}.validate(); }, nacs::errc::invalid_argument,
                         "lazier_than_lazy.batch = 0: it must be >= 1");
  CHECK(nacs::lazier_than_lazy{} == nacs::lazier_than_lazy{.epsilon = 1e-3, .seed = 0, .batch = 8});
  CHECK(nacs::lazier_than_lazy::name() == "lazier");
  std::ostringstream os;
  os << nacs::lazier_than_lazy{.epsilon = 0.5, .seed = 3, .batch = 2};
  CHECK(os.str() == "lazier_than_lazy{epsilon=0.5, seed=3, batch=2}");
}
