// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The CUDA backend's switch: makes nacs::cuda usable in this translation unit,
/// and the one macro that checks every CUDA runtime and cuBLAS call.
///
/// Include it (or the umbrella <nacs/nacs.cuh>) from a file compiled by nvcc
/// and link nacs::cuda_backend. Headers ending in .hpp never include a .cuh,
/// so the CPU library builds without the CUDA toolkit.
#pragma once

#if !defined(__CUDACC__)
#error "nacs/execution.cuh is for files compiled by nvcc (.cu): the CPU parts of nacs need only the .hpp headers"
#endif

#include <cstdio>
#include <string>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <nacs/core/error.hpp>
#include <nacs/execution.hpp>

namespace nacs {
namespace detail {
/// The CUDA backend is available wherever this header is included.
template <>
struct backend_available<cuda_policy> : std::true_type {};
}  // namespace detail

namespace detail::cuda {

/// The cudaStream_t a policy runs on (nullptr: the legacy default stream).
inline cudaStream_t stream_of(const cuda_policy& p) noexcept { return static_cast<cudaStream_t>(p.stream); }

/// The nacs::error code for a CUDA runtime error: out of device memory is memory_limit,
/// an invalid argument is invalid_argument, everything else (no device, no driver, a
/// failed launch, a lost context) is unsupported.
inline errc code_of(cudaError_t e) noexcept {
  switch (e) {
    case cudaErrorMemoryAllocation: return errc::memory_limit;
    case cudaErrorInvalidValue:
    case cudaErrorInvalidConfiguration: return errc::invalid_argument;
    default: return errc::unsupported;
  }
}

inline const char* cublas_status_name(cublasStatus_t s) noexcept {
  switch (s) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
  }
  return "unknown cuBLAS status";
}

/// "nacs: <call> failed at <file>:<line>: <name> (<description>)". A sticky error
/// (the context is lost, e.g. after an illegal address) says that the process
/// must restart its CUDA work; any other error is cleared from the runtime's
/// last-error slot so that it cannot resurface in a later, unrelated call.
inline std::string describe(cudaError_t e, const char* call, const char* file, int line) {
  std::string m = std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " +
                  cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")";
  if (e == cudaErrorMemoryAllocation)
    m += ": the GPU is out of memory; use smaller partitions or free device memory";
  else if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver)
    m += ": no usable GPU; run with nacs::seq or nacs::par";
  return m;
}

/// Throws nacs::error for a failed CUDA runtime call (what NACS_CUDA_TRY calls).
[[noreturn]] inline void throw_failure(cudaError_t e, const char* call, const char* file, int line) {
  (void)cudaGetLastError();  // clears a non-sticky error
  NACS_FAIL(code_of(e), describe(e, call, file, line));
}
/// Throws nacs::error for a failed cuBLAS call.
[[noreturn]] inline void throw_failure(cublasStatus_t s, const char* call, const char* file, int line) {
  (void)cudaGetLastError();
  NACS_FAIL(s == CUBLAS_STATUS_ALLOC_FAILED ? errc::memory_limit : errc::unsupported, call, " failed at ", file, ':',
            line, ": ", cublas_status_name(s));
}

inline bool failed(cudaError_t e) noexcept { return e != cudaSuccess; }
inline bool failed(cublasStatus_t s) noexcept { return s != CUBLAS_STATUS_SUCCESS; }

/// Prints a failure to stderr instead of throwing (for destructors).
inline void report_failure(cudaError_t e, const char* call, const char* file, int line) noexcept {
  (void)cudaGetLastError();
  std::fprintf(stderr, "nacs: %s failed at %s:%d in a destructor: %s (%s)\n", call, file, line, cudaGetErrorName(e),
               cudaGetErrorString(e));
}
inline void report_failure(cublasStatus_t s, const char* call, const char* file, int line) noexcept {
  std::fprintf(stderr, "nacs: %s failed at %s:%d in a destructor: %s\n", call, file, line, cublas_status_name(s));
}

}  // namespace detail::cuda
}  // namespace nacs

/// Evaluates a CUDA runtime (cudaError_t) or cuBLAS (cublasStatus_t) call and
/// throws nacs::error naming the call, its file and line and the runtime's
/// description when it fails. Every CUDA call in nacs goes through it.
#define NACS_CUDA_TRY(call)                                                          \
  do {                                                                               \
    const auto nacs_cuda_status_ = (call);                                           \
    if (::nacs::detail::cuda::failed(nacs_cuda_status_)) [[unlikely]]                \
      ::nacs::detail::cuda::throw_failure(nacs_cuda_status_, #call, __FILE__, __LINE__); \
  } while (false)

/// NACS_CUDA_TRY for destructors and other noexcept paths: a failure is printed
/// to stderr (and a non-sticky error cleared), never thrown.
#define NACS_CUDA_TRY_NOTHROW(call)                                                   \
  do {                                                                                \
    const auto nacs_cuda_status_ = (call);                                            \
    if (::nacs::detail::cuda::failed(nacs_cuda_status_)) [[unlikely]]                 \
      ::nacs::detail::cuda::report_failure(nacs_cuda_status_, #call, __FILE__, __LINE__); \
  } while (false)
