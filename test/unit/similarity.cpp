// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_ref/check.hpp>

#include <nacs/similarity.hpp>
#include <nacs/detail/similarity/fast_exp.hpp>
#include <nacs/detail/similarity/simd.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/solver/maximize.hpp>
#include <nacs/solver/naive.hpp>

#include <nacs_ref/facility_location.hpp>
#include <nacs_ref/policies.hpp>
#include <nacs_ref/random.hpp>
#include <nacs_ref/similarity.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace {

static_assert(nacs::similarity_policy<nacs::neg_distance>);
static_assert(nacs::similarity_policy<nacs::cosine>);
static_assert(!nacs::similarity_policy<int>);
static_assert(nacs::distance_similarity<nacs::rbf>);
static_assert(!nacs::distance_similarity<nacs::cosine>);

std::int64_t ulp_distance(float a, float b) {
  return std::abs(static_cast<std::int64_t>(std::bit_cast<std::int32_t>(a)) - std::bit_cast<std::int32_t>(b));
}

// The largest |kernel(i, j) - reference(i, j)|.
double max_error(const nacs::similarity_kernel& k, const nacs_ref::dense& ref) {
  double e = 0.0;
  for (std::size_t i = 0; i < ref.n; ++i)
    for (std::size_t j = 0; j < ref.n; ++j)
      e = std::max(e, std::abs(static_cast<double>(k(static_cast<nacs::row_index>(i), static_cast<nacs::row_index>(j))) - ref(i, j)));
  return e;
}

bool bitwise_equal(const nacs::similarity_kernel& a, const nacs::similarity_kernel& b) {
  if (a.size() != b.size() || a.stride() != b.stride()) return false;
  return std::memcmp(a.column(0), b.column(0), static_cast<std::size_t>(a.size()) * a.stride() * sizeof(float)) == 0;
}

using nacs_ref::expect_error;

}  // namespace

TEST_CASE("exp_approx is within 2 ulps of std::exp, and the vector form gives the same bits") {
  // Tolerance: 2 ulps on [-87.3, 88] (measured: 1); flushed to 0 below the normal range.
  std::int64_t worst = 0;
  alignas(64) float in[16], out[16];
  for (double x = -87.3; x <= 88.0; x += 0.00137) {
    for (int l = 0; l < 16; ++l) in[l] = static_cast<float>(x + l * 1e-5);
    nacs::detail::simd::exp16(in, 1.0f, out);
    for (int l = 0; l < 16; ++l) {
      worst = std::max(worst, ulp_distance(out[l], std::exp(in[l])));
      REQUIRE(out[l] == nacs::detail::exp_approx(in[l]));
    }
  }
  CHECK(worst <= 2);
  CHECK(nacs::detail::exp_approx(0.0f) == 1.0f);
  CHECK(nacs::detail::exp_approx(-100.0f) == 0.0f);
  CHECK(nacs::detail::exp_approx(-std::numeric_limits<float>::infinity()) == 0.0f);
  // The scale argument multiplies first: exp(-2 * 3).
  for (int l = 0; l < 16; ++l) in[l] = 3.0f;
  nacs::detail::simd::exp16(in, -2.0f, out);
  CHECK(ulp_distance(out[0], std::exp(-6.0f)) <= 2);
}

TEST_CASE("positive_gap_sum and add_gap_change keep the fixed lane order") {
  std::vector<float> k(64), c(64);
  nacs::random_stream rng(3);
  for (std::size_t i = 0; i < 64; ++i) {
    k[i] = rng.uniform_float();
    c[i] = rng.uniform_float();
  }
  double expect = 0.0;
  for (std::size_t i = 0; i < 64; ++i) expect += std::max(0.0f, k[i] - c[i]);
  CHECK(nacs::detail::simd::positive_gap_sum(k.data(), c.data(), 64) == doctest::Approx(expect).epsilon(1e-12));
  std::vector<double> g(64, 1.0);
  nacs::detail::simd::add_gap_change(k.data(), 0.25f, 0.5f, g.data(), 64);
  for (std::size_t j = 0; j < 64; ++j)
    CHECK(g[j] == doctest::Approx(1.0 + std::max(0.0f, k[j] - 0.5f) - std::max(0.0f, k[j] - 0.25f)).epsilon(1e-12));
}

TEST_CASE_TEMPLATE("make_kernel matches the double-precision reference for every policy", T, float, double) {
  // Tolerance: the kernel is float: 2e-6 absolute for similarities in [-1, 1],
  // 2e-6 * C for neg_distance (C ~ the largest distance).
  for (const std::size_t n : {1u, 2u, 31u, 32u, 33u, 97u}) {
    for (const std::size_t d : {1u, 7u, 40u}) {
      CAPTURE(n);
      CAPTURE(d);
      const auto x = nacs_ref::uniform_matrix<T>(n, d, 11 + n * 7 + d);
      const auto kn = nacs::make_kernel(nacs::seq, x.view(), nacs::neg_distance{});
      const auto rn = nacs_ref::similarities(x, nacs::neg_distance{});
      const double c = kn.shift();
      CHECK(max_error(kn, rn) <= 2e-6 * std::max(1.0, c));
      CHECK(max_error(nacs::make_kernel(nacs::seq, x.view(), nacs::exp_distance{}), nacs_ref::similarities(x, nacs::exp_distance{})) <= 2e-6);
      CHECK(max_error(nacs::make_kernel(nacs::seq, x.view(), nacs::exp_distance{.gamma = 0.5}),
                      nacs_ref::similarities(x, nacs::exp_distance{.gamma = 0.5})) <= 2e-6);
      CHECK(max_error(nacs::make_kernel(nacs::seq, x.view(), nacs::rbf{}), nacs_ref::similarities(x, nacs::rbf{})) <= 2e-6);
      CHECK(max_error(nacs::make_kernel(nacs::seq, x.view(), nacs::rbf{.gamma = 3.0}), nacs_ref::similarities(x, nacs::rbf{.gamma = 3.0})) <= 2e-6);
      CHECK(max_error(nacs::make_kernel(nacs::seq, x.view(), nacs::cosine{}), nacs_ref::similarities(x, nacs::cosine{})) <= 2e-6);
      CHECK(max_error(nacs::make_kernel(nacs::seq, x.view(), nacs::neg_distance{.shift = 10.0}),
                      nacs_ref::similarities(x, nacs::neg_distance{.shift = 10.0})) <= 2e-5);
    }
  }
}

TEST_CASE_TEMPLATE("kernels are exactly symmetric, exact on the diagonal, zero-padded, and the same on every policy", T, float, double) {
  auto x = nacs_ref::matrix_with_duplicates<T>(77, 13, 5, 10);  // rows 10, 20, ... copy rows 9, 19, ...
  const auto base = nacs::make_kernel(nacs::seq, x.view(), nacs::exp_distance{});
  const auto neg = nacs::make_kernel(nacs::seq, x.view(), nacs::neg_distance{});
  const auto cos = nacs::make_kernel(nacs::seq, x.view(), nacs::cosine{});
  CHECK(base.symmetric());
  CHECK(base.stride() == 96);
  CHECK(base.bytes() == nacs::similarity_kernel::bytes_for(77));
  for (nacs::row_index i = 0; i < 77; ++i) {
    CHECK(base(i, i) == 1.0f);
    CHECK(neg(i, i) == static_cast<float>(neg.shift()));
    for (nacs::row_index j = 0; j < 77; ++j) {
      REQUIRE(base(i, j) == base(j, i));
      REQUIRE(neg(i, j) == neg(j, i));
      REQUIRE(cos(i, j) == cos(j, i));
    }
    for (std::size_t p = 77; p < base.stride(); ++p) REQUIRE(base.column(i)[p] == 0.0f);
  }
  // The farthest pair has similarity exactly 0 under neg_distance.
  float lowest = 1.0f;
  for (nacs::row_index i = 0; i < 77; ++i)
    for (nacs::row_index j = 0; j < 77; ++j) lowest = std::min(lowest, neg(i, j));
  CHECK(lowest == 0.0f);
  // Duplicate rows have bitwise identical columns, under every policy.
  for (nacs::row_index r = 10; r < 77; r += 10) {
    CHECK(std::memcmp(base.column(r), base.column(r - 1), base.stride() * sizeof(float)) == 0);
    CHECK(std::memcmp(neg.column(r), neg.column(r - 1), neg.stride() * sizeof(float)) == 0);
    CHECK(std::memcmp(cos.column(r), cos.column(r - 1), cos.stride() * sizeof(float)) == 0);
    CHECK(neg(r, r - 1) == neg.shift());
  }
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    CHECK(bitwise_equal(nacs::make_kernel(policy, x.view(), nacs::exp_distance{}), base));
    CHECK(bitwise_equal(nacs::make_kernel(policy, x.view(), nacs::neg_distance{}), neg));
    CHECK(bitwise_equal(nacs::make_kernel(policy, x.view(), nacs::cosine{}), cos));
  });
}

TEST_CASE("edge inputs: one row, all-equal rows, zero rows under cosine") {
  nacs::matrix<float> one(1, 3, 0.5f);
  const auto k1 = nacs::make_kernel(nacs::seq, one.view(), nacs::neg_distance{});
  CHECK(k1.size() == 1);
  CHECK(k1(0, 0) == 0.0f);  // C = largest distance = 0
  nacs::matrix<double> same(5, 4, 2.0);
  const auto ke = nacs::make_kernel(nacs::seq, same.view(), nacs::exp_distance{});
  for (nacs::row_index i = 0; i < 5; ++i)
    for (nacs::row_index j = 0; j < 5; ++j) CHECK(ke(i, j) == 1.0f);
  nacs::matrix<float> z(3, 2, 0.0f);
  z(1, 0) = 1.0f;
  const auto kc = nacs::make_kernel(nacs::seq, z.view(), nacs::cosine{});
  CHECK(kc(0, 0) == 0.0f);
  CHECK(kc(0, 1) == 0.0f);
  CHECK(kc(1, 1) == doctest::Approx(1.0));
}

TEST_CASE_TEMPLATE("precomputed distance and similarity matrices", T, float, double) {
  const auto x = nacs_ref::uniform_matrix<T>(40, 6, 9);
  const auto dref = nacs_ref::distances(x);
  nacs::matrix<T> dm(40, 40);
  for (std::size_t i = 0; i < 40; ++i)
    for (std::size_t j = 0; j < 40; ++j) dm(i, j) = static_cast<T>(dref(i, j));
  const auto exp_ref = nacs_ref::from_distances(dref, nacs::exp_distance{.gamma = 6.0}, 0);
  CHECK(max_error(nacs::make_kernel(nacs::seq, nacs::distance_matrix{dm.view()}, nacs::exp_distance{.gamma = 6.0}), exp_ref) <= 2e-6);
  CHECK(max_error(nacs::make_kernel(nacs::seq, nacs::distance_matrix{dm.view()}, nacs::rbf{.gamma = 0.2}),
                  nacs_ref::from_distances(dref, nacs::rbf{.gamma = 0.2}, 0)) <= 2e-6);
  const auto kn = nacs::make_kernel(nacs::seq, nacs::distance_matrix{dm.view()}, nacs::neg_distance{});
  CHECK(max_error(kn, nacs_ref::from_distances(dref, nacs::neg_distance{}, 0)) <= 1e-5);
  // A similarity matrix is used as given, s(i, j) = values(i, j), even when not symmetric.
  nacs::matrix<T> sm(3, 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) sm(i, j) = static_cast<T>(i * 3 + j);
  const auto ks = nacs::make_kernel(nacs::seq, nacs::similarity_matrix{sm.view()});
  CHECK_FALSE(ks.symmetric());
  for (nacs::row_index i = 0; i < 3; ++i)
    for (nacs::row_index j = 0; j < 3; ++j) CHECK(ks(i, j) == static_cast<float>(i * 3 + j));
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    CHECK(bitwise_equal(nacs::make_kernel(policy, nacs::distance_matrix{dm.view()}, nacs::exp_distance{.gamma = 6.0}),
                        nacs::make_kernel(nacs::seq, nacs::distance_matrix{dm.view()}, nacs::exp_distance{.gamma = 6.0})));
  });
}

TEST_CASE("bad input gets a typed error that says what to do") {
  nacs::matrix<float> x(4, 2, 1.0f);
  nacs::matrix<float> empty;
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, empty.view(), nacs::exp_distance{}); }, nacs::errc::invalid_data,
               "the embeddings are empty");
  x(2, 1) = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, x.view(), nacs::exp_distance{}); }, nacs::errc::invalid_data,
               "the embeddings has a NaN value at row 2, column 1");
  x(2, 1) = std::numeric_limits<float>::infinity();
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, x.view(), nacs::cosine{}); }, nacs::errc::invalid_data,
               "infinite value at row 2");
  x(2, 1) = 0.0f;
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, x.view(), nacs::exp_distance{.gamma = 0.0}); },
               nacs::errc::invalid_argument, "exp_distance.gamma is 0.000000: it must be finite and > 0");
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, x.view(), nacs::rbf{.gamma = -1.0}); }, nacs::errc::invalid_argument,
               "rbf.gamma is -1.000000");
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, x.view(), nacs::neg_distance{.shift = std::numeric_limits<double>::infinity()}); },
               nacs::errc::invalid_argument, "neg_distance.shift must be finite");
  nacs::matrix<float> rect(3, 4, 1.0f);
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, nacs::distance_matrix{rect.view()}, nacs::neg_distance{}); },
               nacs::errc::invalid_data, "the distance matrix is 3 x 4: it must be square");
  nacs::matrix<float> sq(2, 2, 1.0f);
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, nacs::distance_matrix{sq.view()}, nacs::exp_distance{}); },
               nacs::errc::invalid_argument, "exp_distance on a distance matrix needs gamma");
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, nacs::distance_matrix{sq.view()}, nacs::rbf{}); },
               nacs::errc::invalid_argument, "rbf on a distance matrix needs gamma");
  sq(0, 1) = -1.0f;
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, nacs::distance_matrix{sq.view()}, nacs::neg_distance{}); },
               nacs::errc::invalid_data, "negative distance at (0, 1)");
  sq(0, 1) = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, nacs::similarity_matrix{sq.view()}); }, nacs::errc::invalid_data,
               "similarity matrix has a NaN value at row 0, column 1");
  // Memory: a 1000 x 1000 kernel is about 4 MB; a 1 MB limit refuses it before allocating.
  nacs::matrix<float> big(1000, 2, 0.5f);
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, big.view(), nacs::exp_distance{}, std::size_t{1} << 20); },
               nacs::errc::memory_limit, "make_kernel: a 1000 x 1000 float similarity kernel needs 3.92 MiB but the memory limit is 1.00 MiB");
}

// A backend that provides the three make_kernel algorithms and records what
// reaches it. nacs::make_kernel validates the input and resolves the similarity
// before it dispatches, so every backend gets checked input and the step.
namespace {
struct probe_policy {};
struct probe_backend {};
struct probe_record {
  int calls = 0;
  const void* data = nullptr;
  std::size_t rows = 0;
  float scale = 0.0f;  // the rbf step's scale (-gamma) the backend was handed
};
probe_record probe;
template <class Step>
void record(const void* data, std::size_t rows, [[maybe_unused]] const Step& step) {
  ++probe.calls;
  probe.data = data;
  probe.rows = rows;
  if constexpr (std::is_same_v<Step, nacs::detail::rbf_op>) probe.scale = step.scale;
}
}  // namespace
template <>
struct nacs::backend_of<probe_policy> {
  using type = probe_backend;
};
template <>
struct nacs::detail::backend_available<probe_policy> : std::true_type {};
template <>
struct nacs::detail::algorithm<nacs::algo::make_kernel, probe_backend> {
  template <class T, class Step>
  static nacs::similarity_kernel run(const probe_policy&, nacs::matrix_view<const T> x, const Step& step,
                                     std::optional<std::size_t>) {
    record(x.data(), x.rows(), step);
    return {};
  }
};
template <>
struct nacs::detail::algorithm<nacs::algo::make_kernel_distances, probe_backend> {
  template <class T, class Step>
  static nacs::similarity_kernel run(const probe_policy&, nacs::distance_matrix<T> d, const Step& step,
                                     std::optional<std::size_t>) {
    record(d.values.data(), d.values.rows(), step);
    return {};
  }
};
template <>
struct nacs::detail::algorithm<nacs::algo::make_kernel_similarities, probe_backend> {
  template <class T>
  static nacs::similarity_kernel run(const probe_policy&, nacs::similarity_matrix<T> s, std::optional<std::size_t>) {
    record(s.values.data(), s.values.rows(), 0);
    return {};
  }
};

TEST_CASE("make_kernel validates and resolves once, before any backend runs") {
  probe = {};
  nacs::matrix<float> x(3, 4, 1.0f), empty;
  // Refused with the host's errors, and the backend is never reached.
  expect_error([&] { (void)nacs::make_kernel(probe_policy{}, empty.view(), nacs::rbf{}); }, nacs::errc::invalid_data,
               "make_kernel: the embeddings are empty");
  expect_error([&] { (void)nacs::make_kernel(probe_policy{}, x.view(), nacs::rbf{.gamma = -1.0}); },
               nacs::errc::invalid_argument, "rbf.gamma is -1.000000");
  nacs::matrix<float> rect(3, 4, 1.0f), sq(2, 2, 1.0f);
  expect_error([&] { (void)nacs::make_kernel(probe_policy{}, nacs::distance_matrix{rect.view()}, nacs::rbf{.gamma = 1.0}); },
               nacs::errc::invalid_data, "the distance matrix is 3 x 4: it must be square");
  expect_error([&] { (void)nacs::make_kernel(probe_policy{}, nacs::distance_matrix{sq.view()}, nacs::rbf{}); },
               nacs::errc::invalid_argument, "rbf on a distance matrix needs gamma");
  sq(1, 0) = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { (void)nacs::make_kernel(probe_policy{}, nacs::similarity_matrix{sq.view()}); },
               nacs::errc::invalid_data, "similarity matrix has a NaN value at row 1, column 0");
  CHECK(probe.calls == 0);
  // Valid input reaches the backend as the caller's rows and the resolved step:
  // rbf's default gamma is 1 / d = 1 / 4, so the step's scale is -0.25 (exact in float).
  (void)nacs::make_kernel(probe_policy{}, x.view(), nacs::rbf{});
  CHECK(probe.calls == 1);
  CHECK(probe.data == x.data());
  CHECK(probe.rows == 3);
  CHECK(probe.scale == -0.25f);
  nacs::matrix<double> d(2, 2, 0.5);
  (void)nacs::make_kernel(probe_policy{}, nacs::distance_matrix{d.view()}, nacs::rbf{.gamma = 2.0});
  CHECK(probe.calls == 2);
  CHECK(probe.data == d.data());
  CHECK(probe.scale == -2.0f);
  sq(1, 0) = 0.5f;
  (void)nacs::make_kernel(probe_policy{}, nacs::similarity_matrix{sq.view()});
  CHECK(probe.calls == 3);
  CHECK(probe.data == sq.data());
  CHECK(probe.rows == 2);
}

TEST_CASE("policies are comparable and printable") {
  CHECK(nacs::exp_distance{.gamma = 2.0} == nacs::exp_distance{.gamma = 2.0});
  CHECK_FALSE(nacs::exp_distance{.gamma = 2.0} == nacs::exp_distance{});
  CHECK(nacs::neg_distance{.shift = 1.0} == nacs::neg_distance{.shift = 1.0});
  CHECK(nacs::similarity_name(nacs::neg_distance{}) == "neg-distance");
  CHECK(nacs::similarity_name(nacs::exp_distance{}) == "exp-distance");
  CHECK(nacs::similarity_name(nacs::cosine{}) == "cosine");
  CHECK(nacs::similarity_name(nacs::rbf{}) == "rbf");
  std::ostringstream os;
  os << nacs::exp_distance{} << ' ' << nacs::rbf{.gamma = 0.5} << ' ' << nacs::neg_distance{} << ' ' << nacs::cosine{};
  CHECK(os.str() == "exp-distance{gamma=d} rbf{gamma=0.5} neg-distance{shift=max distance} cosine{}");
}

TEST_CASE("one table maps names to similarities, with gamma where a policy has one") {
  const auto names = nacs::similarity_names();
  REQUIRE(names.size() == 4);
  CHECK(nacs::join_names(names, ", ") == "neg-distance, exp-distance, cosine, rbf");
  CHECK(nacs::join_names(nacs::similarity_gamma_names()) == "exp-distance or rbf");
  // Each name gives the policy of that name, default-constructed.
  for (const auto name : names) CHECK(std::visit([](const auto& s) { return s.name(); }, nacs::make_similarity(name)) == name);
  CHECK(std::get<nacs::neg_distance>(nacs::make_similarity("neg-distance")) == nacs::neg_distance{});
  CHECK(std::get<nacs::exp_distance>(nacs::make_similarity("exp-distance", 2.5)).gamma == 2.5);
  CHECK(std::get<nacs::rbf>(nacs::make_similarity("rbf", 0.5)).gamma == 0.5);
  CHECK_FALSE(std::get<nacs::rbf>(nacs::make_similarity("rbf")).gamma.has_value());
  expect_error([] { (void)nacs::make_similarity("exp-distanse"); }, nacs::errc::invalid_argument,
               "unknown similarity 'exp-distanse': did you mean 'exp-distance'? use one of: neg-distance, exp-distance, cosine, rbf");
  expect_error([] { (void)nacs::make_similarity("cosine", 2.0); }, nacs::errc::invalid_argument,
               "gamma applies to the similarities exp-distance or rbf, not cosine");
}

TEST_CASE_TEMPLATE("kernels big enough to be built on several threads are bitwise the same", T, float, double) {
  // 300 rows x 13 values and a 1030 x 1030 distance matrix are above tuning::parallel_min_work.
  auto x = nacs_ref::matrix_with_duplicates<T>(300, 13, 8, 7);
  const auto e = nacs::make_kernel(nacs::seq, x.view(), nacs::exp_distance{});
  const auto n = nacs::make_kernel(nacs::seq, x.view(), nacs::neg_distance{});
  const auto c = nacs::make_kernel(nacs::seq, x.view(), nacs::cosine{});
  for (nacs::row_index r = 7; r < 300; r += 7) CHECK(std::memcmp(n.column(r), n.column(r - 1), n.stride() * sizeof(float)) == 0);
  nacs::matrix<T> dm(1030, 1030);
  const auto y = nacs_ref::uniform_matrix<T>(1030, 2, 3);
  for (std::size_t i = 0; i < 1030; ++i)
    for (std::size_t j = 0; j < 1030; ++j) dm(i, j) = static_cast<T>(std::abs(y(i, 0) - y(j, 0)) + std::abs(y(i, 1) - y(j, 1)));
  const auto d = nacs::make_kernel(nacs::seq, nacs::distance_matrix{dm.view()}, nacs::rbf{.gamma = 2.0});
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    CHECK(bitwise_equal(nacs::make_kernel(policy, x.view(), nacs::exp_distance{}), e));
    CHECK(bitwise_equal(nacs::make_kernel(policy, x.view(), nacs::neg_distance{}), n));
    CHECK(bitwise_equal(nacs::make_kernel(policy, x.view(), nacs::cosine{}), c));
    CHECK(bitwise_equal(nacs::make_kernel(policy, nacs::distance_matrix{dm.view()}, nacs::rbf{.gamma = 2.0}), d));
  });
}

// ------------------------------------------------------- similarities defined outside the library

namespace user_similarities {

// s(a, b) = 1 / (1 + ||a - b||_4 / width): accumulate is a template, so the CPU tiles run it on
// SIMD vectors; from_distance makes it usable on a distance matrix (of L4 distances).
struct l4_similarity {
  std::optional<double> width{};  // > 0; empty: 1
  static constexpr std::string_view name() noexcept { return "l4"; }
  struct step {
    float inv_width = 1.0f;
    template <class V, class E>
    NACS_HOST_DEVICE static void accumulate(V& acc, E a, const V& b) noexcept {
      const V t = a - b;
      const V t2 = t * t;
      acc += t2 * t2;
    }
    NACS_HOST_DEVICE float epilogue(float q) const noexcept { return from_distance(std::sqrt(std::sqrt(q))); }
    NACS_HOST_DEVICE float from_distance(float d) const noexcept { return 1.0f / (1.0f + d * inv_width); }
  };
  step resolve(std::size_t /*dim*/) const {
    const double w = width.value_or(1.0);
    NACS_EXPECTS(std::isfinite(w) && w > 0.0, nacs::errc::invalid_argument, "l4_similarity.width must be finite and > 0");
    return {static_cast<float>(1.0 / w)};
  }
};

// s(a, b) = C - ||a / |a| - b / |b| ||_1, C = the partition's largest such distance: accumulate is
// written for scalars only (the kernel then calls it lane by lane), with unit_rows and shift.
struct unit_l1_similarity {
  static constexpr std::string_view name() noexcept { return "unit-l1"; }
  struct step {
    static constexpr bool unit_rows = true;
    static void accumulate(float& acc, float a, float b) noexcept { acc += std::abs(a - b); }
    static void accumulate(double& acc, double a, double b) noexcept { acc += std::abs(a - b); }
    static float epilogue(float q) noexcept { return q; }
    static float shift(float largest) noexcept { return largest; }
  };
  static step resolve(std::size_t /*dim*/) noexcept { return {}; }
};

}  // namespace user_similarities

namespace {

static_assert(nacs::similarity_policy<user_similarities::l4_similarity>);
static_assert(nacs::distance_similarity<user_similarities::l4_similarity>);
static_assert(nacs::similarity_policy<user_similarities::unit_l1_similarity>);
static_assert(!nacs::distance_similarity<user_similarities::unit_l1_similarity>);  // no from_distance
// Which path the CPU tiles take: the built-ins' accumulate_simd (2), a template accumulate on
// vectors (1), or lane by lane (0).
static_assert(nacs::detail::vector_accumulate_kind<nacs::detail::neg_distance_op, nacs::detail::simd::f32x16, float>() == 2);
static_assert(nacs::detail::vector_accumulate_kind<user_similarities::l4_similarity::step, nacs::detail::simd::f32x16, float>() == 1);
static_assert(nacs::detail::vector_accumulate_kind<user_similarities::l4_similarity::step, nacs::detail::simd::f64x8, double>() == 1);
static_assert(nacs::detail::vector_accumulate_kind<user_similarities::unit_l1_similarity::step, nacs::detail::simd::f32x16, float>() == 0);

// The brute-force values in double, from the raw rows.
template <class T>
nacs_ref::dense l4_reference(const nacs::matrix<T>& x, double width) {
  nacs_ref::dense s{x.rows(), std::vector<double>(x.rows() * x.rows())};
  for (std::size_t i = 0; i < x.rows(); ++i)
    for (std::size_t j = 0; j < x.rows(); ++j) {
      double q = 0.0;
      for (std::size_t k = 0; k < x.cols(); ++k) q += std::pow(static_cast<double>(x(i, k)) - static_cast<double>(x(j, k)), 4);
      s.v[i * s.n + j] = 1.0 / (1.0 + std::pow(q, 0.25) / width);
    }
  return s;
}
template <class T>
nacs_ref::dense unit_l1_reference(const nacs::matrix<T>& x) {
  const std::size_t n = x.rows(), d = x.cols();
  std::vector<double> u(n * d, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double sq = 0.0;
    for (std::size_t k = 0; k < d; ++k) sq += static_cast<double>(x(i, k)) * static_cast<double>(x(i, k));
    for (std::size_t k = 0; k < d; ++k) u[i * d + k] = sq > 0.0 ? static_cast<double>(x(i, k)) / std::sqrt(sq) : 0.0;
  }
  nacs_ref::dense s{n, std::vector<double>(n * n)};
  double largest = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double l1 = 0.0;
      for (std::size_t k = 0; k < d; ++k) l1 += std::abs(u[i * d + k] - u[j * d + k]);
      s.v[i * n + j] = l1;
      largest = std::max(largest, l1);
    }
  for (double& v : s.v) v = largest - v;
  return s;
}

}  // namespace

TEST_CASE_TEMPLATE("a similarity defined outside the library goes through make_kernel like the built-ins", T, float, double) {
  using user_similarities::l4_similarity;
  using user_similarities::unit_l1_similarity;
  for (const std::size_t n : {1, 5, 33, 70})
    for (const std::size_t d : {1, 3, 13}) {
      CAPTURE(n);
      CAPTURE(d);
      const auto x = nacs_ref::uniform_matrix<T>(n, d, 100 + n * d);
      const double dd = static_cast<double>(d);
      // Tolerance, L4: the 4th powers and their sum in T carry a relative error of about (d + 4)
      // float epsilons (6e-8 each); the 4th root quarters it and s = 1 / (1 + D / w) moves by at
      // most s^2 D / w <= 1/4 of D's relative error; float roots, division and storage add a few
      // epsilons: 1e-7 * (d + 8) in all (2.1e-6 at d = 13). A dimension left out or a wrong power
      // is off by 1e-2 or more.
      const double tol4 = 1e-7 * (dd + 8.0);
      const auto k4 = nacs::make_kernel(nacs::seq, x.view(), l4_similarity{});
      CHECK(max_error(k4, l4_reference(x, 1.0)) <= tol4);
      const auto k4w = nacs::make_kernel(nacs::seq, x.view(), l4_similarity{.width = 0.25});
      CHECK(max_error(k4w, l4_reference(x, 0.25)) <= tol4);
      CHECK(k4.shift() == 0.0);
      // Tolerance, unit L1: rows normalised in double then rounded to T (eps |x| each), d absolute
      // differences summed in T (relative error <= (d + 1) eps of the sum), the sum <= 2 sqrt(d) for
      // unit rows, then C - value in float: 1.2e-7 * (d + 4) * 2 sqrt(d) (1.5e-5 at d = 13).
      const double tol1 = 1.2e-7 * (dd + 4.0) * 2.0 * std::sqrt(dd);
      const auto k1 = nacs::make_kernel(nacs::seq, x.view(), unit_l1_similarity{});
      const auto r1 = unit_l1_reference(x);
      CHECK(max_error(k1, r1) <= tol1);
      // The shift is the largest L1 distance, and the diagonal is exactly C - 0.
      double largest = 0.0;
      for (std::size_t i = 0; i < n; ++i) largest = std::max(largest, r1(i, i));
      CHECK(std::abs(k1.shift() - largest) <= tol1);
      for (nacs::row_index i = 0; i < static_cast<nacs::row_index>(n); ++i) CHECK(k1(i, i) == static_cast<float>(k1.shift()));
      // Every policy gives the same bits, for both (the tile loop, the lane-by-lane fallback).
      nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
        CAPTURE(name);
        CHECK(bitwise_equal(nacs::make_kernel(policy, x.view(), l4_similarity{}), k4));
        CHECK(bitwise_equal(nacs::make_kernel(policy, x.view(), unit_l1_similarity{}), k1));
      });
    }
}

TEST_CASE("a user-defined similarity works on a distance matrix, in facility_location, and reports its errors") {
  using user_similarities::l4_similarity;
  const auto x = nacs_ref::uniform_matrix<double>(40, 4, 77);
  nacs::matrix<double> dm(40, 40);
  for (std::size_t i = 0; i < 40; ++i)
    for (std::size_t j = 0; j < 40; ++j) {
      double q = 0.0;
      for (std::size_t k = 0; k < 4; ++k) q += std::pow(x(i, k) - x(j, k), 4);
      dm(i, j) = std::pow(q, 0.25);
    }
  const auto ref = l4_reference(x, 0.5);
  // Tolerance: distances exact to double, then 1 / (1 + d / w) in float: a few float epsilons.
  CHECK(max_error(nacs::make_kernel(nacs::seq, nacs::distance_matrix{dm.view()}, l4_similarity{.width = 0.5}), ref) <= 5e-7);
  // facility_location over it: F of the picks, recomputed from the double reference. Tolerance:
  // each row's best similarity is off by <= 1e-7 * (4 + 8) (as above), 40 rows: 5e-5.
  const auto obj = nacs::facility_location{x.view(), l4_similarity{.width = 0.5}};
  CHECK(obj.name() == "facility location (l4)");
  const auto sel = nacs::maximize(nacs::seq, obj, 6, nacs::naive_greedy{});
  REQUIRE(sel.indices.size() == 6);
  std::vector<std::size_t> picks;
  for (const auto i : sel.indices) picks.push_back(static_cast<std::size_t>(i));
  CHECK(std::abs(sel.objective - nacs_ref::facility_objective(ref, picks)) <= 40 * 1.2e-6);
  CHECK(picks == nacs_ref::facility_greedy(ref, 6).picks);  // no near-ties on this seeded input
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    CAPTURE(name);
    CHECK(nacs::maximize(policy, obj, 6, nacs::naive_greedy{}).indices == sel.indices);
  });
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, x.view(), l4_similarity{.width = -1.0}); }, nacs::errc::invalid_argument,
               "l4_similarity.width must be finite and > 0");
}
