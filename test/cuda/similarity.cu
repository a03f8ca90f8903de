// SPDX-License-Identifier: Apache-2.0
// make_kernel(cuda, ...) against the double-precision reference (nacs_ref) and
// the CPU kernel, for the four similarities, float and double rows, on sizes
// around the 32-row tile. Needs a GPU (skipped without one, see main.cpp).
#include <doctest/doctest.h>

#include <nacs/nacs.cuh>

#include <nacs_ref/random.hpp>
#include <nacs_ref/similarity.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

namespace {

template <class T, class S>
void compare(std::size_t n, std::size_t d, const S& sim, std::uint64_t seed) {
  CAPTURE(n);
  CAPTURE(d);
  CAPTURE(sizeof(T));
  const nacs::matrix<T> x = nacs_ref::matrix_with_duplicates<T>(n, d, seed, 7);
  const nacs::similarity_kernel g = nacs::make_kernel(nacs::cuda, x.view(), sim);
  const nacs::similarity_kernel c = nacs::make_kernel(nacs::seq, x.view(), sim);
  const nacs_ref::dense ref = nacs_ref::similarities(x, sim);
  REQUIRE(g.size() == c.size());
  REQUIRE(g.stride() == c.stride());
  CHECK(g.symmetric());
  // Tolerance: float kernels; the reference is double. Distances of rows in [0, 1)^d are at
  // most sqrt(d), so 4e-6 * (1 + sqrt(d)) absolute covers float rounding of the sum and sqrt.
  const double tol = 4e-6 * (1.0 + std::sqrt(static_cast<double>(d)));
  double worst_ref = 0.0, worst_cpu = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    const float* col = g.column(static_cast<nacs::row_index>(j));
    for (std::size_t i = 0; i < n; ++i) {
      const auto ii = static_cast<nacs::row_index>(i), jj = static_cast<nacs::row_index>(j);
      worst_ref = std::max(worst_ref, std::abs(static_cast<double>(g(ii, jj)) - ref(i, j)));
      worst_cpu = std::max(worst_cpu, std::abs(static_cast<double>(g(ii, jj)) - static_cast<double>(c(ii, jj))));
      REQUIRE(g(ii, jj) == g(jj, ii));  // symmetric bitwise
    }
    for (std::size_t i = n; i < g.stride(); ++i) REQUIRE(col[i] == 0.0f);  // padding
  }
  CHECK_MESSAGE(worst_ref <= tol, "worst |gpu - reference| = " << worst_ref);
  CHECK_MESSAGE(worst_cpu <= tol, "worst |gpu - cpu| = " << worst_cpu);
  if constexpr (std::is_same_v<S, nacs::neg_distance>) {
    CHECK(std::abs(g.shift() - c.shift()) <= tol);
    for (std::size_t i = 0; i < n; ++i)  // d(a, a) == 0 exactly, so the diagonal is C
      CHECK(g(static_cast<nacs::row_index>(i), static_cast<nacs::row_index>(i)) == static_cast<float>(g.shift()));
  }
  // Row 7 copies row 6: their columns are bitwise identical.
  if (n > 7)
    CHECK(std::memcmp(g.column(6), g.column(7), n * sizeof(float)) == 0);
}

template <class S>
void sizes(const S& sim) {
  for (const std::size_t n : {1u, 2u, 31u, 32u, 33u, 100u, 257u})
    for (const std::size_t d : {1u, 7u, 16u, 33u}) {
      compare<float>(n, d, sim, 11 + n * 131 + d);
      compare<double>(n, d, sim, 12 + n * 131 + d);
    }
}

}  // namespace

namespace user_similarities {
// A similarity defined outside the library: s(a, b) = C - ||a - b||_1, C the partition's largest
// L1 distance. Its step is the one struct both the CPU tiles and the device kernel run.
struct shifted_l1 {
  static constexpr std::string_view name() noexcept { return "shifted-l1"; }
  struct step {
    template <class T>
    NACS_HOST_DEVICE static void accumulate(T& acc, T a, T b) noexcept {
      acc += a < b ? b - a : a - b;
    }
    NACS_HOST_DEVICE static float epilogue(float q) noexcept { return q; }
    NACS_HOST_DEVICE static float shift(float largest) noexcept { return largest; }
  };
  static step resolve(std::size_t) noexcept { return {}; }
};
}  // namespace user_similarities

TEST_SUITE("gpu") {
TEST_CASE("a similarity defined outside the library runs on the GPU through its own step") {
  static_assert(nacs::similarity_policy<user_similarities::shifted_l1>);
  for (const std::size_t n : {1u, 33u, 100u})
    for (const std::size_t d : {1u, 7u, 33u}) {
      CAPTURE(n);
      CAPTURE(d);
      const nacs::matrix<float> x = nacs_ref::uniform_matrix<float>(n, d, 40 + n + d);
      const nacs::similarity_kernel g = nacs::make_kernel(nacs::cuda, x.view(), user_similarities::shifted_l1{});
      const nacs::similarity_kernel c = nacs::make_kernel(nacs::seq, x.view(), user_similarities::shifted_l1{});
      // Tolerance: both sum the same d float terms in index order (no products to fuse), so
      // they should agree exactly; 1e-6 * d allows for a different rounding of C - value.
      const double tol = 1e-6 * static_cast<double>(d);
      CHECK(std::abs(g.shift() - c.shift()) <= tol);
      double worst = 0.0;
      for (nacs::row_index j = 0; j < static_cast<nacs::row_index>(n); ++j)
        for (nacs::row_index i = 0; i < static_cast<nacs::row_index>(n); ++i)
          worst = std::max(worst, std::abs(static_cast<double>(g(i, j)) - static_cast<double>(c(i, j))));
      CHECK_MESSAGE(worst <= tol, "worst |gpu - cpu| = " << worst);
      for (nacs::row_index i = 0; i < static_cast<nacs::row_index>(n); ++i)
        CHECK(g(i, i) == static_cast<float>(g.shift()));  // C - 0 on the diagonal
    }
}
TEST_CASE("neg_distance on the GPU matches the reference and the CPU kernel") {
  sizes(nacs::neg_distance{});
  sizes(nacs::neg_distance{.shift = 3.0});
}
TEST_CASE("exp_distance on the GPU matches the reference and the CPU kernel") {
  sizes(nacs::exp_distance{});
  sizes(nacs::exp_distance{.gamma = 0.5});
}
TEST_CASE("cosine on the GPU matches the reference and the CPU kernel, all-zero rows included") {
  sizes(nacs::cosine{});
  nacs::matrix<float> x = nacs_ref::uniform_matrix<float>(40, 5, 9);
  for (std::size_t k = 0; k < 5; ++k) x(3, k) = 0.0f;
  const nacs::similarity_kernel g = nacs::make_kernel(nacs::cuda, x.view(), nacs::cosine{});
  for (nacs::row_index i = 0; i < 40; ++i) CHECK(g(i, 3) == 0.0f);
}
TEST_CASE("rbf on the GPU matches the reference and the CPU kernel") {
  sizes(nacs::rbf{});
  sizes(nacs::rbf{.gamma = 2.0});
}
TEST_CASE("a kernel built on a stream has the same bits as on the default stream") {
  const nacs::matrix<float> x = nacs_ref::uniform_matrix<float>(300, 24, 5);
  cudaStream_t s = nullptr;
  NACS_CUDA_TRY(cudaStreamCreate(&s));
  const nacs::similarity_kernel a = nacs::make_kernel(nacs::cuda.on(s), x.view(), nacs::exp_distance{});
  const nacs::similarity_kernel b = nacs::make_kernel(nacs::cuda, x.view(), nacs::exp_distance{});
  NACS_CUDA_TRY(cudaStreamDestroy(s));
  CHECK(std::memcmp(a.column(0), b.column(0), a.bytes()) == 0);
}
TEST_CASE("more rows than the device memory holds is memory_limit, and the device stays usable") {
  const nacs::cuda_device_report r = nacs::query_cuda_devices();
  REQUIRE(r.any());
  // A kernel of n rows needs about 4 n^2 bytes; ask for 4x the device's memory.
  const auto n = static_cast<std::size_t>(std::sqrt(static_cast<double>(r.devices[0].global_memory))) + 1;
  const nacs::matrix<float> x(n, 1, 0.5f);
  try {
    (void)nacs::make_kernel(nacs::cuda, x.view(), nacs::neg_distance{}, std::size_t{1} << 62);
    FAIL("no error for a kernel larger than the device");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::memory_limit);
    CHECK_MESSAGE(e.message().find("device memory") != std::string::npos, e.message());
  }
  const nacs::matrix<float> small = nacs_ref::uniform_matrix<float>(10, 3, 1);
  CHECK(nacs::make_kernel(nacs::cuda, small.view(), nacs::rbf{}).size() == 10);
  CHECK(cudaGetLastError() == cudaSuccess);
}
}
