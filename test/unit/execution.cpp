// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/execution.hpp>

#include <string>
#include <type_traits>

static_assert(nacs::execution_policy<decltype(nacs::seq)>);
static_assert(nacs::execution_policy<const nacs::parallel_policy&>);
static_assert(nacs::execution_policy<nacs::cuda_policy>);
static_assert(!nacs::execution_policy<int>);
static_assert(nacs::host_policy<nacs::sequenced_policy>);
static_assert(!nacs::host_policy<nacs::cuda_policy>);
static_assert(nacs::detail::backend_available_v<nacs::sequenced_policy>);
// This test file is compiled without nvcc, so the CUDA backend is absent.
static_assert(!nacs::detail::backend_available_v<nacs::cuda_policy>);
static_assert(std::is_same_v<nacs::backend_of_t<nacs::sequenced_policy>, nacs::host_backend>);
static_assert(std::is_same_v<nacs::backend_of_t<const nacs::parallel_policy&>, nacs::host_backend>);
static_assert(std::is_same_v<nacs::backend_of_t<nacs::cuda_policy>, nacs::cuda_backend>);

// A backend a user adds: a policy type, its backend tag, the header that makes it
// available, and one algorithm. Nothing in nacs is edited. The algorithm's host
// version is a host_run overload next to its tag, found by argument-dependent
// lookup (as nacs's own are in nacs::detail).
namespace {
struct toy_policy {
  int carried = 0;
};
struct toy_backend {};
struct toy_algorithm {};  // the tag of an algorithm toy_backend provides
template <nacs::host_policy P>
std::string host_run(toy_algorithm, const P& p, int x) {
  return "host " + std::to_string(nacs::detail::omp_threads(p) + x);
}
// A host version written as an explicit specialisation still takes precedence over host_run.
struct toy_special {};
}  // namespace
template <>
struct nacs::backend_of<toy_policy> {
  using type = toy_backend;
};
template <>
struct nacs::detail::backend_available<toy_policy> : std::true_type {};
template <>
struct nacs::detail::algorithm<toy_algorithm, toy_backend> {
  static std::string run(const toy_policy& p, int x) { return "toy " + std::to_string(p.carried + x); }
};
template <>
struct nacs::detail::algorithm<toy_special, nacs::host_backend> {
  static std::string run(nacs::sequenced_policy, int x) { return "special " + std::to_string(x); }
};
static_assert(nacs::execution_policy<toy_policy>);
static_assert(!nacs::host_policy<toy_policy>);
static_assert(nacs::detail::backend_available_v<const toy_policy&>);
// Every library tag derives from algorithm_tag, so nacs::detail is searched for its host_run.
static_assert(std::is_base_of_v<nacs::detail::algorithm_tag, nacs::algo::split>);
static_assert(std::is_base_of_v<nacs::detail::algorithm_tag, nacs::algo::train>);

TEST_CASE("dispatch picks the policy's backend's algorithm and hands it the policy value") {
  CHECK(nacs::detail::dispatch<toy_algorithm>(toy_policy{40}, 2) == "toy 42");
  CHECK(nacs::detail::dispatch<toy_algorithm>(nacs::seq, 2) == "host 3");
#if defined(_OPENMP)
  CHECK(nacs::detail::dispatch<toy_algorithm>(nacs::par.with_threads(5), 2) == "host 7");
#endif
  CHECK(nacs::detail::dispatch<toy_special>(nacs::seq, 2) == "special 2");
  CHECK(nacs::detail::with_threads(nacs::seq, 4) == nacs::seq);
  CHECK(nacs::detail::with_threads(nacs::par, 4) == nacs::par.with_threads(4));
}

TEST_CASE("policies are values with settings") {
  CHECK(nacs::policy_name(nacs::seq) == "seq");
  CHECK(nacs::policy_name(nacs::par) == "par");
  CHECK(nacs::policy_name(nacs::cuda) == "cuda");
  CHECK(nacs::par.with_threads(3).threads == 3);
  CHECK(nacs::par.with_threads(0) == nacs::par);
  CHECK_THROWS_AS((void)nacs::par.with_threads(-1), nacs::error);
  int stream_tag = 0;
  CHECK(nacs::cuda.on(&stream_tag).stream == &stream_tag);
  CHECK(nacs::thread_count(nacs::seq) == 1);
#if defined(_OPENMP)
  CHECK(nacs::thread_count(nacs::par.with_threads(2)) == 2);
  CHECK(nacs::thread_count(nacs::par) >= 1);
  static_assert(nacs::detail::backend_available_v<nacs::parallel_policy>);
#endif
}
