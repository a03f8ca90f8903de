// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_ref/check.hpp>

#include <nacs/objective/facility_location.hpp>
#include <nacs/solver/lazy.hpp>
#include <nacs/solver/naive.hpp>

#include <nacs_ref/facility_location.hpp>
#include <nacs_ref/policies.hpp>
#include <nacs_ref/problems.hpp>
#include <nacs_ref/random.hpp>
#include <nacs_ref/similarity.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using fl_float = nacs::facility_location<nacs::matrix_view<const float>, nacs::exp_distance>;
static_assert(nacs::objective<fl_float>);
static_assert(nacs::objective<nacs::facility_location<nacs::distance_matrix<double>, nacs::neg_distance>>);
static_assert(nacs::objective<nacs::facility_location<nacs::similarity_matrix<float>, nacs::precomputed_similarity>>);
static_assert(nacs::incremental_gains<nacs::detail::facility_location_problem>);

using nacs_ref::expect_error;

std::vector<std::size_t> as_size_t(const std::vector<nacs::row_index>& v) { return {v.begin(), v.end()}; }

// Naive greedy through maximize, on every policy, against the reference's naive greedy on the
// double-precision similarity matrix. The kernel is float, so each similarity is off by up to
// ~3e-7 * scale and a gain by up to tol = 1e-6 * N * scale (scale = max(1, largest |s|)).
// Picks must be the reference's picks, except at a near-tie (the reference's best gain and the
// gain of nacs's pick within tol), after which the sequences may go their own ways: every later
// pick is then checked by replaying nacs's picks in the reference. near_ties counts those steps.
template <class T, class S>
std::size_t check_naive_against_reference(const nacs::matrix<T>& x, const S& sim, std::size_t k) {
  const auto ref_s = nacs_ref::similarities(x, sim);
  const auto ref = nacs_ref::facility_greedy(ref_s, k);
  double scale = 1.0;
  for (const double v : ref_s.v) scale = std::max(scale, std::abs(v));
  const double tol = 1e-6 * static_cast<double>(x.rows()) * scale;
  const auto obj = nacs::facility_location{x.view(), sim};
  std::size_t near_ties = 0;
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    CAPTURE(nacs::similarity_name(sim));
    const nacs::selection s = nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
    REQUIRE(s.size() == k);
    const auto picks = as_size_t(s.indices);
    const auto replay = nacs_ref::facility_replay(ref_s, picks, tol);
    CHECK(replay.wrong == 0);
    CHECK(replay.exact + replay.near_ties == k);
    if (replay.near_ties == 0) CHECK(picks == ref.picks);
    near_ties = replay.near_ties;
    for (std::size_t t = 0; t < k; ++t) CHECK(std::abs(s.gains[t] - replay.gains[t]) <= tol);
    CHECK(std::abs(s.objective - nacs_ref::facility_objective(ref_s, picks)) <= tol);
    const auto w = nacs_ref::facility_weights(ref_s, picks);
    if (replay.near_ties == 0) CHECK(std::vector<long long>(s.weights.begin(), s.weights.end()) == w);
    CHECK(s.total_weight() == static_cast<nacs::row_index>(x.rows()));
  });
  return near_ties;
}

}  // namespace

TEST_CASE_TEMPLATE("naive greedy picks exactly what the reference picks, for every similarity", T, float, double) {
  nacs::random_stream sizes(2024);
  std::size_t ties = 0, steps = 0;
  for (int trial = 0; trial < 6; ++trial) {
    const std::size_t n = 20 + sizes.below(120), d = 1 + sizes.below(30), k = 1 + sizes.below(std::min<std::size_t>(n, 25));
    CAPTURE(n);
    CAPTURE(d);
    CAPTURE(k);
    const auto x = nacs_ref::uniform_matrix<T>(n, d, 100 + static_cast<std::uint64_t>(trial));
    ties += check_naive_against_reference(x, nacs::neg_distance{}, k);
    ties += check_naive_against_reference(x, nacs::exp_distance{}, k);
    ties += check_naive_against_reference(x, nacs::cosine{}, k);
    ties += check_naive_against_reference(x, nacs::rbf{}, k);
    steps += 4 * k;
  }
  // Near-ties are rare: almost every step picks exactly the reference's row.
  MESSAGE(ties << " near-tie steps out of " << steps);
  CHECK(ties * 20 <= steps);
}

namespace {

// Naive and lazy greedy against the plain naive greedy on the library's own float kernel (each
// gain from scratch: float differences summed in double, as documented). Both sum the same
// float terms in double, so gains agree to a few ulps of the largest gain; 1e-12 relative
// leaves ~4500 ulps, and gains summed in float miss by ~1e-7. The picks must be identical: a
// near-tie (the two best gains within 1e-12 * scale) would be the one place where they may
// differ, and none is allowed here; closer calls than 1e-6 are counted and reported.
struct tight_counts {
  std::size_t steps = 0, close = 0;
};
template <class T, class S>
void check_against_kernel_reference(const nacs::matrix<T>& x, const S& sim, std::size_t k, tight_counts& counts) {
  const auto obj = nacs::facility_location{x.view(), sim};
  std::vector<double> gap;
  const auto ref = nacs_ref::with_plain_problem(obj, x, nacs::matrix<std::uint32_t>{}, {}, [&](auto& p) {
    auto r = nacs_ref::naive_greedy(p, k, &gap);
    r.evaluations = 0;
    double f = 0.0;
    if constexpr (requires { p.value(); }) f = p.value();
    return std::pair{r, f};
  });
  double scale = 1.0;
  for (const double g : ref.first.gains) scale = std::max(scale, std::abs(g));
  const double tol = 1e-12 * scale;
  for (const double g : gap) {
    CHECK((g == 0.0 || g > tol));  // an exact tie (identical columns) or no near-tie: the picks are determined
    counts.close += g > 0.0 && g <= 1e-6 * scale ? 1 : 0;
  }
  counts.steps += k;
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    CAPTURE(nacs::similarity_name(sim));
    const auto naive = nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
    const auto lazy = nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), nacs::lazy_greedy{});
    for (const nacs::selection* s : {&naive, &lazy}) {
      REQUIRE(s->size() == k);
      CHECK(as_size_t(s->indices) == ref.first.picks);
      double worst = 0.0;
      for (std::size_t t = 0; t < k; ++t) worst = std::max(worst, std::abs(s->gains[t] - ref.first.gains[t]));
      CHECK_MESSAGE(worst <= tol, "largest gain difference " << worst << ", scale " << scale);
      CHECK(std::abs(s->objective - ref.second) <= tol);
    }
  });
}

}  // namespace

TEST_CASE_TEMPLATE("naive and lazy greedy equal the plain greedy on the same float kernel, gains to 1e-12", T, float, double) {
  nacs::random_stream sizes(4242);
  tight_counts counts;
  for (int trial = 0; trial < 5; ++trial) {
    const std::size_t n = 20 + sizes.below(280), d = 1 + sizes.below(30), k = 1 + sizes.below(std::min<std::size_t>(n, 40));
    CAPTURE(n);
    CAPTURE(d);
    CAPTURE(k);
    const auto x = nacs_ref::uniform_matrix<T>(n, d, 300 + static_cast<std::uint64_t>(trial));
    check_against_kernel_reference(x, nacs::neg_distance{}, k, counts);
    check_against_kernel_reference(x, nacs::exp_distance{}, k, counts);
    check_against_kernel_reference(x, nacs::cosine{}, k, counts);
    check_against_kernel_reference(x, nacs::rbf{}, k, counts);
  }
  // Edges: N = 1, k = N, d = 1.
  check_against_kernel_reference(nacs_ref::uniform_matrix<T>(1, 3, 1), nacs::exp_distance{}, 1, counts);
  check_against_kernel_reference(nacs_ref::uniform_matrix<T>(30, 1, 2), nacs::neg_distance{}, 30, counts);
  // Duplicate rows (identical kernel columns: exact ties, to the lowest index) and all-equal rows.
  check_against_kernel_reference(nacs_ref::matrix_with_duplicates<T>(40, 5, 3, 4), nacs::neg_distance{}, 12, counts);
  check_against_kernel_reference(nacs_ref::matrix_with_duplicates<T>(40, 5, 3, 4), nacs::rbf{}, 40, counts);
  check_against_kernel_reference(nacs::matrix<T>(9, 3, T(0.25)), nacs::exp_distance{}, 9, counts);
  MESSAGE(counts.close << " of " << counts.steps << " steps had two gains within 1e-6 of the scale (exact ties aside)");
}

TEST_CASE_TEMPLATE("edges: N = 1, k = 0, k = N, d = 1, duplicate rows, all-equal rows", T, float, double) {
  const auto one = nacs_ref::uniform_matrix<T>(1, 3, 1);
  // No near-tie is allowed on these inputs: the picks must be the reference's, step by step.
  CHECK(check_naive_against_reference(one, nacs::exp_distance{}, 1) == 0);
  CHECK(check_naive_against_reference(one, nacs::neg_distance{}, 1) == 0);
  const auto x = nacs_ref::uniform_matrix<T>(30, 1, 2);  // d = 1
  CHECK(check_naive_against_reference(x, nacs::exp_distance{}, 30) == 0);  // k = N
  // 30 points on a line under neg_distance: gains of neighbours differ by float rounding of
  // the kernel, so a near-tie with the double reference is possible here (2 of 7 steps with
  // double input); the float-kernel test above holds these picks exactly.
  CHECK(check_naive_against_reference(x, nacs::neg_distance{}, 7) <= 2);
  const auto dup = nacs_ref::matrix_with_duplicates<T>(40, 5, 3, 4);
  CHECK(check_naive_against_reference(dup, nacs::neg_distance{}, 12) == 0);
  CHECK(check_naive_against_reference(dup, nacs::rbf{}, 40) == 0);
  // k = 0: nothing picked, F = 0, no weights.
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const nacs::selection none = nacs::maximize(nacs::seq, obj, 0, nacs::naive_greedy{});
  CHECK(none.empty());
  CHECK(none.objective == 0.0);
  CHECK(none.weights.empty());
  // All-equal rows: every gain after the first is 0, ties go to the lowest index, and every
  // row is represented by the lowest-index pick.
  nacs::matrix<T> same(6, 3, T(0.25));
  const auto s = nacs::maximize(nacs::seq, nacs::facility_location{same.view(), nacs::exp_distance{}}, 3, nacs::naive_greedy{});
  CHECK(s.indices == std::vector<nacs::row_index>{0, 1, 2});
  CHECK(s.gains == std::vector<double>{6.0, 0.0, 0.0});
  CHECK(s.weights == std::vector<nacs::row_index>{6, 0, 0});
  CHECK(s.objective == 6.0);
  // neg_distance on all-equal rows: C = 0, all similarities 0, F = 0.
  const auto z = nacs::maximize(nacs::seq, nacs::facility_location{same.view()}, 2, nacs::naive_greedy{});
  CHECK(z.indices == std::vector<nacs::row_index>{0, 1});
  CHECK(z.objective == 0.0);
  CHECK(z.total_weight() == 6);
}

TEST_CASE("cosine: a row whose best similarity is negative counts 0 but still has an owner") {
  nacs::matrix<float> x(3, 2, 0.0f);
  x(0, 0) = 1.0f;   // (1, 0)
  x(1, 0) = -1.0f;  // (-1, 0): cos = -1 with row 0
  x(2, 1) = 1.0f;   // (0, 1): cos = 0 with both
  const auto obj = nacs::facility_location{x.view(), nacs::cosine{}};
  const auto s = nacs::maximize(nacs::seq, obj, 1, nacs::naive_greedy{});
  CHECK(s.indices == std::vector<nacs::row_index>{0});  // gains: 1, 1, 1 -> lowest index
  CHECK(s.objective == doctest::Approx(1.0));
  CHECK(s.weights == std::vector<nacs::row_index>{3});
}

TEST_CASE_TEMPLATE("precomputed sources give the same picks as the embeddings", T, float, double) {
  const auto x = nacs_ref::uniform_matrix<T>(60, 8, 17);
  const auto ref_d = nacs_ref::distances(x);
  nacs::matrix<T> dm(60, 60), sm(60, 60);
  const auto ref_s = nacs_ref::similarities(x, nacs::exp_distance{.gamma = 8.0});
  for (std::size_t i = 0; i < 60; ++i)
    for (std::size_t j = 0; j < 60; ++j) {
      dm(i, j) = static_cast<T>(ref_d(i, j));
      sm(i, j) = static_cast<T>(ref_s(i, j));
    }
  const auto ref = nacs_ref::facility_greedy(ref_s, 10);
  const auto a = nacs::maximize(nacs::seq, nacs::facility_location{nacs::distance_matrix{dm.view()}, nacs::exp_distance{.gamma = 8.0}}, 10,
                                nacs::naive_greedy{});
  const auto b = nacs::maximize(nacs::seq, nacs::facility_location{nacs::similarity_matrix{sm.view()}}, 10, nacs::naive_greedy{});
  const auto c = nacs::maximize(nacs::seq, nacs::facility_location{x.view(), nacs::exp_distance{}}, 10, nacs::naive_greedy{});
  CHECK(as_size_t(a.indices) == ref.picks);
  CHECK(as_size_t(b.indices) == ref.picks);
  CHECK(as_size_t(c.indices) == ref.picks);
  // neg_distance on a distance matrix: C is the partition's largest distance.
  const auto nd = nacs::maximize(nacs::seq, nacs::facility_location{nacs::distance_matrix{dm.view()}}, 5, nacs::naive_greedy{});
  CHECK(as_size_t(nd.indices) == nacs_ref::facility_greedy(nacs_ref::similarities(x, nacs::neg_distance{}), 5).picks);
  // An asymmetric similarity matrix: s(i, j) = how well j represents i.
  nacs::matrix<T> asym(3, 3, T(0));
  asym(0, 2) = T(1);
  asym(1, 2) = T(1);
  asym(2, 0) = T(0.5);
  const auto s = nacs::maximize(nacs::seq, nacs::facility_location{nacs::similarity_matrix{asym.view()}}, 2, nacs::naive_greedy{});
  CHECK(s.indices == std::vector<nacs::row_index>{2, 0});
  CHECK(s.gains == std::vector<double>{2.0, 0.5});
  CHECK(s.objective == 2.5);
}

TEST_CASE("the objective's members") {
  nacs::matrix<float> x(10, 4, 0.5f);
  const auto obj = nacs::facility_location{x, nacs::rbf{}};
  static_assert(std::is_same_v<std::remove_const_t<decltype(obj)>, nacs::facility_location<nacs::matrix_view<const float>, nacs::rbf>>);
  const auto def = nacs::facility_location{x.view()};
  static_assert(std::is_same_v<decltype(def)::similarity_type, nacs::neg_distance>);
  CHECK(obj.rows() == 10);
  CHECK(obj.name() == "facility location (rbf)");
  CHECK(nacs::facility_location{nacs::similarity_matrix{nacs::matrix<double>(2, 2).view()}}.name() ==
        "facility location (precomputed similarities)");
  CHECK(obj.problem_bytes(10) >= nacs::similarity_kernel::bytes_for(10));
  CHECK(obj.empty_objective() == 0.0);
  const std::vector<double> parts{1.5, 2.0};
  CHECK(obj.merge(parts, {}) == 3.5);
  const std::vector<nacs::row_index> rows{1, 4, 7};
  auto p = obj.make_problem(nacs::seq, std::span<const nacs::row_index>(rows));
  CHECK(p.size() == 3);
  CHECK(p.gain(0) == doctest::Approx(3.0));  // all rows equal: s = 1 for each of 3 rows
  p.commit(0);
  CHECK(p.gain(1) == 0.0);
  const std::vector<nacs::row_index> picks{0};
  const auto out = p.finish(nacs::seq, std::span<const nacs::row_index>(picks));
  CHECK(out.objective == doctest::Approx(3.0));
  CHECK(out.weights == std::vector<nacs::row_index>{3});
}

TEST_CASE("bad input gets a typed error") {
  nacs::matrix<float> empty;
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::facility_location{empty.view()}, 0, nacs::naive_greedy{}); },
               nacs::errc::invalid_data, "facility_location: the embeddings are empty (0 rows x 0 columns)");
  nacs::matrix<double> x(5, 2, 1.0);
  x(3, 0) = std::numeric_limits<double>::infinity();
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::facility_location{x.view()}, 2, nacs::naive_greedy{}); },
               nacs::errc::invalid_data, "the embeddings has a infinite value at row 3, column 0");
  x(3, 0) = 0.0;
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::facility_location{x.view()}, 6, nacs::naive_greedy{}); },
               nacs::errc::invalid_argument, "k = 6 but only 5 rows can be picked (N = 5, 0 excluded): lower k");
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::facility_location{x.view()}, -1, nacs::naive_greedy{}); },
               nacs::errc::invalid_argument, "k = -1: the number of picks must be >= 0");
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::facility_location{x.view(), nacs::exp_distance{.gamma = -2.0}}, 1, nacs::naive_greedy{}); },
               nacs::errc::invalid_argument, "exp_distance.gamma is -2.000000");
  nacs::matrix<double> rect(5, 4, 1.0);
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::facility_location{nacs::similarity_matrix{rect.view()}}, 1, nacs::naive_greedy{}); },
               nacs::errc::invalid_data, "the similarity matrix is 5 x 4: it must be square");
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::facility_location{nacs::distance_matrix{rect.view()}, nacs::rbf{.gamma = 1.0}}, 1, nacs::naive_greedy{}); },
               nacs::errc::invalid_data, "the distance matrix is 5 x 4");
}

TEST_CASE("a problem big enough for several threads (incremental gains, weights) gives the same selection") {
  // 3000 rows, k = 400: full gain passes, many incremental updates and the weights pass
  // are above tuning::parallel_min_work.
  const auto x = nacs_ref::uniform_matrix<float>(3000, 6, 19);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const auto base = nacs::maximize(nacs::seq, obj, 400, nacs::naive_greedy{});
  CHECK(base.total_weight() == 3000);
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    const auto s = nacs::maximize(policy, obj, 400, nacs::naive_greedy{});
    CHECK(s.indices == base.indices);
    CHECK(s.gains == base.gains);
    CHECK(s.weights == base.weights);
    CHECK(s.objective == base.objective);
  });
}
