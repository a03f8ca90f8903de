// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_ref/check.hpp>

#include <nacs/objective/k_center.hpp>
#include <nacs/solver/naive.hpp>

#include <nacs_ref/k_center.hpp>
#include <nacs_ref/policies.hpp>
#include <nacs_ref/random.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace {

static_assert(nacs::objective<nacs::k_center<float>>);
static_assert(nacs::objective<nacs::k_center<double>>);

std::vector<std::size_t> as_size_t(const std::vector<nacs::row_index>& v) { return {v.begin(), v.end()}; }

using nacs_ref::expect_error;

// Distances are double on both sides: picks and weights equal, gains and radius within 1e-12 relative.
template <class T>
void check_against_reference(const nacs::matrix<T>& x, std::size_t k) {
  const auto ref = nacs_ref::center_greedy(x, k);
  const auto obj = nacs::k_center{x.view()};
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    const auto s = nacs::maximize(policy, obj, static_cast<nacs::row_index>(k), nacs::naive_greedy{});
    CHECK(as_size_t(s.indices) == ref.picks);
    for (std::size_t t = 0; t < k; ++t) {
      if (std::isinf(ref.gains[t])) CHECK(std::isinf(s.gains[t]));
      else CHECK(s.gains[t] == doctest::Approx(ref.gains[t]).epsilon(1e-12));
    }
    const double r = nacs_ref::covering_radius(x, ref.picks);
    if (std::isinf(r)) CHECK(std::isinf(s.objective));
    else CHECK(s.objective == doctest::Approx(r).epsilon(1e-12));
    if (k > 0) CHECK(std::vector<long long>(s.weights.begin(), s.weights.end()) == nacs_ref::center_weights(x, ref.picks));
    if (k > 0) CHECK(s.total_weight() == static_cast<nacs::row_index>(x.rows()));
  });
}

}  // namespace

TEST_CASE_TEMPLATE("k-center: naive greedy is the reference farthest-point traversal", T, float, double) {
  nacs::random_stream sizes(31);
  for (int trial = 0; trial < 5; ++trial) {
    const std::size_t n = 1 + sizes.below(120), d = 1 + sizes.below(20), k = sizes.below(std::min<std::size_t>(n, 20) + 1);
    CAPTURE(n);
    CAPTURE(d);
    CAPTURE(k);
    check_against_reference(nacs_ref::uniform_matrix<T>(n, d, 40 + static_cast<std::uint64_t>(trial)), k);
  }
  check_against_reference(nacs_ref::uniform_matrix<T>(1, 2, 1), 1);                 // N = 1
  check_against_reference(nacs_ref::uniform_matrix<T>(20, 3, 2), 20);                // k = N: radius 0
  check_against_reference(nacs_ref::uniform_matrix<T>(40, 1, 3), 6);                 // d = 1
  check_against_reference(nacs_ref::matrix_with_duplicates<T>(30, 4, 4, 3), 12);      // duplicates
  nacs::matrix<T> same(5, 2, T(1));
  const auto s = nacs::maximize(nacs::seq, nacs::k_center{same.view()}, 3, nacs::naive_greedy{});
  CHECK(s.indices == std::vector<nacs::row_index>{0, 1, 2});
  CHECK(s.objective == 0.0);
  CHECK(s.weights == std::vector<nacs::row_index>{5, 0, 0});
}

TEST_CASE("k-center: members, k = 0, and partitions merge by the largest radius") {
  const auto x = nacs_ref::uniform_matrix<float>(40, 3, 8);
  const auto obj = nacs::k_center{x};
  static_assert(std::is_same_v<std::remove_const_t<decltype(obj)>, nacs::k_center<float>>);
  CHECK(obj.name() == "k-center");
  CHECK(obj.rows() == 40);
  CHECK(std::isinf(obj.empty_objective()));
  const auto none = nacs::maximize(nacs::seq, obj, 0, nacs::naive_greedy{});
  CHECK(none.empty());
  CHECK(std::isinf(none.objective));
  nacs::partition_options halves{.partition_size = 20};
  const auto p = nacs::maximize_partitioned(nacs::seq, obj, 6, nacs::naive_greedy{}, halves);
  REQUIRE(p.partitions.size() == 2);
  CHECK(p.objective == std::max(p.partitions[0].objective, p.partitions[1].objective));
  // Each partition is an independent k-center problem on its rows.
  nacs::matrix<float> first(20, 3);
  for (std::size_t i = 0; i < 20; ++i)
    for (std::size_t c = 0; c < 3; ++c) first(i, c) = x(i, c);
  CHECK(p.partitions[0].objective == doctest::Approx(nacs_ref::covering_radius(first, nacs_ref::center_greedy(first, 3).picks)));
}

TEST_CASE("k-center: bad input") {
  nacs::matrix<double> x(3, 2, 0.0);
  x(1, 1) = std::numeric_limits<double>::quiet_NaN();
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::k_center{x.view()}, 1, nacs::naive_greedy{}); }, nacs::errc::invalid_data,
               "the embeddings has a NaN value at row 1, column 1");
  nacs::matrix<double> empty(0, 2);
  expect_error([&] { (void)nacs::maximize(nacs::seq, nacs::k_center{empty.view()}, 0, nacs::naive_greedy{}); }, nacs::errc::invalid_data,
               "k_center: the embeddings are empty");
}

TEST_CASE("k-center big enough for several threads gives the same selection") {
  // 1500 rows x 20 values, 40 centres: the final radius and weights pass is above tuning::parallel_min_work.
  const auto x = nacs_ref::uniform_matrix<double>(1500, 20, 23);
  const auto obj = nacs::k_center{x.view()};
  const auto base = nacs::maximize(nacs::seq, obj, 40, nacs::naive_greedy{});
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    const auto s = nacs::maximize(policy, obj, 40, nacs::naive_greedy{});
    CHECK(s.indices == base.indices);
    CHECK(s.gains == base.gains);
    CHECK(s.weights == base.weights);
    CHECK(s.objective == base.objective);
  });
}
