// SPDX-License-Identifier: Apache-2.0
// cuda_naive_facility against a naive greedy with the CPU's arithmetic on the
// same float kernel (and nacs_ref's objective), over batches of partitions of
// different sizes. Needs a GPU.
#include <doctest/doctest.h>

#include <nacs/nacs.cuh>
#include <nacs/cuda/greedy.cuh>

#include <nacs_ref/check.hpp>
#include <nacs_ref/facility_location.hpp>
#include <nacs_ref/random.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {

nacs_ref::dense as_dense(const nacs::similarity_kernel& k) {
  const auto n = static_cast<std::size_t>(k.size());
  nacs_ref::dense d{n, std::vector<double>(n * n)};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      d.v[i * n + j] = k(static_cast<nacs::row_index>(i), static_cast<nacs::row_index>(j));
  return d;
}

// The gain the CPU computes: each term max(0, s(i, j) - best_i) rounded to float, summed in
// double in row order (nacs_ref::facility_greedy subtracts in double, which differs by up to
// about 3e-8 relative per term, more than the gaps a near-tie test can allow).
double gain_after(const nacs_ref::dense& s, const std::vector<float>& best, std::size_t j) {
  double g = 0.0;
  for (std::size_t i = 0; i < s.n; ++i) {
    const float t = static_cast<float>(s(i, j)) - best[i];
    g += t > 0.0f ? static_cast<double>(t) : 0.0;
  }
  return g;
}

struct run {
  std::vector<std::size_t> picks;
  std::vector<double> gains;
};

// Naive greedy with the CPU's float terms; ties to the lowest index.
run float_term_greedy(const nacs_ref::dense& s, std::size_t k) {
  run r;
  std::vector<float> best(s.n, 0.0f);
  std::vector<bool> taken(s.n, false);
  for (std::size_t step = 0; step < k; ++step) {
    double bg = -1.0;
    std::size_t bj = 0;
    for (std::size_t j = 0; j < s.n; ++j) {
      if (taken[j]) continue;
      const double g = gain_after(s, best, j);
      if (g > bg) {
        bg = g;
        bj = j;
      }
    }
    r.picks.push_back(bj);
    r.gains.push_back(bg);
    taken[bj] = true;
    for (std::size_t i = 0; i < s.n; ++i) best[i] = std::max(best[i], static_cast<float>(s(i, bj)));
  }
  return r;
}

// The GPU's picks equal the float-term reference's; the only allowed difference is a near tie
// (gains within 1e-12 relative: the two sum the same doubles in different orders) at the first
// differing step, after which the runs may diverge.
void check_partition(const nacs_ref::dense& s, const nacs::cuda_partition_picks& got, std::size_t k) {
  const run ref = float_term_greedy(s, k);
  REQUIRE(got.indices.size() == k);
  std::vector<float> best(s.n, 0.0f);
  for (std::size_t step = 0; step < k; ++step) {
    const auto ours = static_cast<std::size_t>(got.indices[step]);
    if (ours != ref.picks[step]) {
      const double a = gain_after(s, best, ref.picks[step]), b = gain_after(s, best, ours);
      CHECK_MESSAGE(std::abs(a - b) <= 1e-12 * std::max(1.0, a),
                    "step " << step << ": gpu picked " << ours << " (gain " << b << "), reference "
                            << ref.picks[step] << " (gain " << a << ")");
      MESSAGE("near tie at step " << step << ": the runs may differ from here");
      return;
    }
    CHECK(got.gains[step] == doctest::Approx(ref.gains[step]).epsilon(1e-12));
    for (std::size_t i = 0; i < s.n; ++i) best[i] = std::max(best[i], static_cast<float>(s(i, ours)));
  }
  double f = 0.0;
  for (const double g : got.gains) f += g;
  CHECK(got.objective == f);
  // Against the plain double objective of nacs_ref: float terms, so 1e-6 relative.
  CHECK(nacs_ref::facility_objective(s, ref.picks) == doctest::Approx(got.objective).epsilon(1e-6));
}

template <class S>
void batch(const S& sim, std::uint64_t seed) {
  const std::vector<std::size_t> sizes{1, 2, 5, 31, 33, 64, 200, 301};
  std::vector<nacs::matrix<float>> xs;
  std::vector<nacs::matrix_view<const float>> views;
  std::vector<nacs::row_index> budgets;
  for (std::size_t b = 0; b < sizes.size(); ++b) {
    xs.push_back(nacs_ref::matrix_with_duplicates<float>(sizes[b], 6, seed + b, 9));
    budgets.push_back(static_cast<nacs::row_index>(b % 3 == 0 ? sizes[b] : (sizes[b] + 9) / 10));
  }
  for (const auto& x : xs) views.push_back(x.view());
  const std::vector<nacs::cuda_partition_picks> got =
      nacs::cuda_naive_facility<float>(nacs::cuda, views, sim, budgets);
  REQUIRE(got.size() == sizes.size());
  for (std::size_t b = 0; b < sizes.size(); ++b) {
    CAPTURE(b);
    const nacs_ref::dense s = as_dense(nacs::make_kernel(nacs::cuda, xs[b].view(), sim));
    check_partition(s, got[b], static_cast<std::size_t>(budgets[b]));
  }
  // The same input gives the same bits again.
  const std::vector<nacs::cuda_partition_picks> again =
      nacs::cuda_naive_facility<float>(nacs::cuda, views, sim, budgets);
  for (std::size_t b = 0; b < sizes.size(); ++b) {
    CHECK(again[b].indices == got[b].indices);
    CHECK(again[b].gains == got[b].gains);
  }
}

}  // namespace

TEST_SUITE("gpu") {
TEST_CASE("batched naive greedy on the GPU picks what the reference greedy picks, every similarity") {
  batch(nacs::neg_distance{}, 100);
  batch(nacs::exp_distance{}, 200);
  batch(nacs::cosine{}, 300);
  batch(nacs::rbf{}, 400);
}
TEST_CASE("duplicate rows are exact ties and go to the lower index") {
  nacs::matrix<float> x(4, 2, 0.0f);
  x(0, 0) = 1.0f;  // rows 1, 2, 3 are equal; row 0 is far away
  const std::vector<nacs::matrix_view<const float>> v{x.view()};
  const std::vector<nacs::row_index> k{2};
  const auto got = nacs::cuda_naive_facility<float>(nacs::cuda, v, nacs::neg_distance{}, k);
  REQUIRE(got[0].indices.size() == 2);
  CHECK(got[0].indices[0] == 1);
  CHECK(got[0].indices[1] == 0);
}
}
