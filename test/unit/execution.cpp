// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/execution.hpp>

static_assert(nacs::execution_policy<decltype(nacs::seq)>);
static_assert(nacs::execution_policy<const nacs::parallel_policy&>);
static_assert(nacs::execution_policy<nacs::cuda_policy>);
static_assert(!nacs::execution_policy<int>);
static_assert(nacs::host_policy<nacs::sequenced_policy>);
static_assert(!nacs::host_policy<nacs::cuda_policy>);
static_assert(nacs::detail::backend_available_v<nacs::sequenced_policy>);
// This test file is compiled without nvcc, so the CUDA backend is absent.
static_assert(!nacs::detail::backend_available_v<nacs::cuda_policy>);

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
