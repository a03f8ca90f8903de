// SPDX-License-Identifier: Apache-2.0
// The CUDA backend's host side, on any machine (no GPU needed): the error
// macro's mapping and message, the device query, and make_kernel(cuda, ...)
// refusing bad input with the CPU's typed errors before touching the device.
#include <doctest/doctest.h>

#include <nacs/nacs.cuh>
#include <nacs/cuda/greedy.cuh>

#include <nacs_ref/check.hpp>
#include <nacs_ref/random.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace {

static_assert(nacs::detail::backend_available_v<nacs::cuda_policy>);
static_assert(nacs::execution_policy<decltype(nacs::cuda)>);
static_assert(!nacs::host_policy<nacs::cuda_policy>);

nacs::error caught(void (*f)()) {
  try {
    f();
  } catch (const nacs::error& e) {
    return e;
  }
  FAIL("no nacs::error was thrown");
  return nacs::error(nacs::errc::unsupported, "unreachable");
}

}  // namespace

TEST_CASE("NACS_CUDA_TRY throws nacs::error naming the call, its file and line and the runtime's description") {
  const nacs::error e = caught([] { NACS_CUDA_TRY(cudaErrorMemoryAllocation); });
  CHECK(e.code() == nacs::errc::memory_limit);
  CHECK_MESSAGE(e.message().find("cudaErrorMemoryAllocation failed at") != std::string::npos, e.message());
  CHECK_MESSAGE(e.message().find("backend.cu:") != std::string::npos, e.message());
  CHECK_MESSAGE(e.message().find(cudaGetErrorString(cudaErrorMemoryAllocation)) != std::string::npos, e.message());
  CHECK_MESSAGE(e.message().find("out of memory; use smaller partitions") != std::string::npos, e.message());

  CHECK(caught([] { NACS_CUDA_TRY(cudaErrorInvalidValue); }).code() == nacs::errc::invalid_argument);
  const nacs::error none = caught([] { NACS_CUDA_TRY(cudaErrorNoDevice); });
  CHECK(none.code() == nacs::errc::unsupported);
  CHECK(none.message().find("run with nacs::seq or nacs::par") != std::string::npos);
  CHECK(caught([] { NACS_CUDA_TRY(cudaErrorLaunchFailure); }).code() == nacs::errc::unsupported);
}

TEST_CASE("NACS_CUDA_TRY checks cuBLAS statuses with the same macro") {
  const nacs::error e = caught([] { NACS_CUDA_TRY(CUBLAS_STATUS_ALLOC_FAILED); });
  CHECK(e.code() == nacs::errc::memory_limit);
  CHECK_MESSAGE(e.message().find("CUBLAS_STATUS_ALLOC_FAILED") != std::string::npos, e.message());
  CHECK(caught([] { NACS_CUDA_TRY(CUBLAS_STATUS_NOT_SUPPORTED); }).code() == nacs::errc::unsupported);
  CHECK_NOTHROW(NACS_CUDA_TRY(CUBLAS_STATUS_SUCCESS));
  CHECK_NOTHROW(NACS_CUDA_TRY(cudaSuccess));
}

TEST_CASE("NACS_CUDA_TRY_NOTHROW reports instead of throwing, for destructors") {
  CHECK_NOTHROW(NACS_CUDA_TRY_NOTHROW(cudaErrorInvalidValue));
  CHECK_NOTHROW(NACS_CUDA_TRY_NOTHROW(CUBLAS_STATUS_INTERNAL_ERROR));
}

TEST_CASE("a policy carries its stream") {
  int dummy = 0;
  CHECK(nacs::detail::cuda::stream_of(nacs::cuda) == nullptr);
  CHECK(nacs::detail::cuda::stream_of(nacs::cuda.on(&dummy)) == reinterpret_cast<cudaStream_t>(&dummy));
  CHECK(nacs::policy_name(nacs::cuda) == "cuda");
}

TEST_CASE("the device query never throws for a machine without a GPU, and leaves no error behind") {
  const nacs::cuda_device_report r = nacs::query_cuda_devices();
  CHECK(r.runtime_version >= 12000);
  CHECK(r.any() == r.why_none.empty());
  if (r.any()) {
    MESSAGE("GPU found: " << r.devices[0].name << ", compute " << r.devices[0].compute_major << "."
                          << r.devices[0].compute_minor);
    for (const nacs::cuda_device& d : r.devices) {
      CHECK(!d.name.empty());
      CHECK(d.global_memory > 0);
      CHECK(d.multiprocessors > 0);
    }
  } else {
    MESSAGE("no GPU found (" << r.why_none << "): the device-side tests of test/cuda are skipped");
    CHECK(r.why_none.find(':') != std::string::npos);
  }
  // A second query sees the same thing: the first one left no sticky state.
  const nacs::cuda_device_report again = nacs::query_cuda_devices();
  CHECK(again.devices.size() == r.devices.size());
  CHECK(again.why_none == r.why_none);
}

TEST_CASE("make_kernel(cuda, ...) refuses bad input with the CPU's errors, before touching the device") {
  using nacs_ref::expect_error;
  const nacs::matrix<float> empty(0, 4);
  expect_error([&] { (void)nacs::make_kernel(nacs::cuda, empty.view(), nacs::neg_distance{}); },
               nacs::errc::invalid_data, "the embeddings are empty");
  nacs::matrix<float> nan = nacs_ref::uniform_matrix<float>(8, 3, 1);
  nan(5, 1) = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { (void)nacs::make_kernel(nacs::cuda, nan.view(), nacs::cosine{}); }, nacs::errc::invalid_data,
               "the embeddings");
  const nacs::matrix<double> x = nacs_ref::uniform_matrix<double>(8, 3, 2);
  expect_error([&] { (void)nacs::make_kernel(nacs::cuda, x.view(), nacs::rbf{.gamma = -1.0}); },
               nacs::errc::invalid_argument, "rbf.gamma");
  expect_error([&] { (void)nacs::make_kernel(nacs::cuda, x.view(), nacs::exp_distance{.gamma = 0.0}); },
               nacs::errc::invalid_argument, "exp_distance.gamma");
  expect_error([&] { (void)nacs::make_kernel(nacs::cuda, x.view(), nacs::neg_distance{.shift = INFINITY}); },
               nacs::errc::invalid_argument, "neg_distance.shift must be finite");
  expect_error([&] { (void)nacs::make_kernel(nacs::cuda, x.view(), nacs::neg_distance{}, std::size_t{64}); },
               nacs::errc::memory_limit, "memory limit");
  // The CPU overloads give the same codes for the same inputs.
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, empty.view(), nacs::neg_distance{}); },
               nacs::errc::invalid_data, "the embeddings are empty");
  expect_error([&] { (void)nacs::make_kernel(nacs::seq, x.view(), nacs::rbf{.gamma = -1.0}); },
               nacs::errc::invalid_argument, "rbf.gamma");
}

TEST_CASE("make_kernel(cuda, ...) on valid input: the device's kernel, or a typed error when there is no GPU") {
  const nacs::matrix<float> x = nacs_ref::uniform_matrix<float>(40, 5, 3);
  if (nacs::query_cuda_devices().any()) {
    const nacs::similarity_kernel k = nacs::make_kernel(nacs::cuda, x.view(), nacs::neg_distance{});
    CHECK(k.size() == 40);
    CHECK(k.stride() == 64);
  } else {
    try {
      (void)nacs::make_kernel(nacs::cuda, x.view(), nacs::neg_distance{});
      FAIL("make_kernel(cuda, ...) without a GPU returned a kernel");
    } catch (const nacs::error& e) {
      CHECK(e.code() == nacs::errc::unsupported);
      CHECK_MESSAGE(e.message().find("cudaMemGetInfo") != std::string::npos, e.message());
    }
  }
}

TEST_CASE("cuda_naive_facility refuses bad budgets with invalid_argument before touching the device") {
  const nacs::matrix<float> x = nacs_ref::uniform_matrix<float>(5, 2, 1);
  const std::vector<nacs::matrix_view<const float>> v{x.view()};
  const std::vector<nacs::row_index> too_many{6}, two{1, 1};
  nacs_ref::expect_error([&] { (void)nacs::cuda_naive_facility<float>(nacs::cuda, v, nacs::rbf{}, too_many); },
                         nacs::errc::invalid_argument, "a budget must be between 0 and the partition's rows");
  nacs_ref::expect_error([&] { (void)nacs::cuda_naive_facility<float>(nacs::cuda, v, nacs::rbf{}, two); },
                         nacs::errc::invalid_argument, "one budget per partition");
}
