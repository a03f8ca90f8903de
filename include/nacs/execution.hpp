// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Execution policies: values that pick the backend at compile time.
///
/// `nacs::seq` runs on the calling thread, `nacs::par` on host threads through
/// OpenMP, `nacs::cuda` on a GPU. The policy is the first argument of every
/// algorithm; the backend is chosen by its type, so a call costs no dispatch
/// at run time. A policy whose backend is not available in the translation
/// unit is a compile error that names the fix (see detail::require_backend).
#pragma once

#include <concepts>
#include <string_view>
#include <type_traits>

#include <nacs/core/config.hpp>
#include <nacs/core/error.hpp>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace nacs {

/// @brief Run on the calling thread, in a fixed order.
struct sequenced_policy {
  friend constexpr bool operator==(sequenced_policy, sequenced_policy) noexcept { return true; }
};

/// @brief Run on host threads through OpenMP.
///
/// threads == 0 means OpenMP's default (OMP_NUM_THREADS or the core count).
/// Results never depend on the thread count: work is split so that each
/// output is computed the same way whichever thread computes it.
struct parallel_policy {
  int threads = 0;

  /// @brief The same policy with a thread count (0: OpenMP's default).
  [[nodiscard]] constexpr parallel_policy with_threads(int n) const {
    if (n < 0) throw error(errc::invalid_argument, "par.with_threads(n): n must be >= 0 (0 means OpenMP's default)");
    return parallel_policy{n};
  }
  /// @brief The number of threads a parallel region of this policy will use.
  [[nodiscard]] int thread_count() const noexcept {
#if defined(_OPENMP)
    return threads > 0 ? threads : omp_get_max_threads();
#else
    return 1;
#endif
  }
  friend constexpr bool operator==(parallel_policy, parallel_policy) noexcept = default;
};

/// @brief Run on a CUDA device, on an optional stream.
///
/// The policy value exists in every build so that code can name it; calling an
/// algorithm with it needs `#include <nacs/nacs.cuh>` in a file compiled by nvcc.
struct cuda_policy {
  void* stream = nullptr;  ///< a cudaStream_t; nullptr is the default stream

  /// @brief The same policy on another stream.
  [[nodiscard]] constexpr cuda_policy on(void* s) const noexcept { return cuda_policy{s}; }
  friend constexpr bool operator==(cuda_policy, cuda_policy) noexcept = default;
};

inline constexpr sequenced_policy seq{};  ///< one thread
inline constexpr parallel_policy par{};   ///< OpenMP threads
inline constexpr cuda_policy cuda{};      ///< a CUDA device

/// @brief One of nacs's execution policy types (cv/ref-qualifiers ignored).
template <class P>
concept execution_policy = std::same_as<std::remove_cvref_t<P>, sequenced_policy> ||
                           std::same_as<std::remove_cvref_t<P>, parallel_policy> ||
                           std::same_as<std::remove_cvref_t<P>, cuda_policy>;

/// @brief A policy that runs on the host (seq or par).
template <class P>
concept host_policy = std::same_as<std::remove_cvref_t<P>, sequenced_policy> ||
                      std::same_as<std::remove_cvref_t<P>, parallel_policy>;

/// @brief Name of a policy, as the examples print it.
constexpr std::string_view policy_name(sequenced_policy) noexcept { return "seq"; }
constexpr std::string_view policy_name(parallel_policy) noexcept { return "par"; }
constexpr std::string_view policy_name(cuda_policy) noexcept { return "cuda"; }

/// @brief Number of host threads a policy uses (1 for seq).
inline int thread_count(sequenced_policy) noexcept { return 1; }
inline int thread_count(parallel_policy p) noexcept { return p.thread_count(); }

namespace detail {

/// Specialised to true_type by each backend that is available in this TU.
/// The CUDA backend specialises it for cuda_policy in nacs/execution.cuh.
template <class P>
struct backend_available : std::false_type {};
template <>
struct backend_available<sequenced_policy> : std::true_type {};
#if defined(_OPENMP)
template <>
struct backend_available<parallel_policy> : std::true_type {};
#endif

template <class P>
inline constexpr bool backend_available_v = backend_available<std::remove_cvref_t<P>>::value;

/// Every algorithm calls this first. A policy without its backend in this
/// translation unit fails here, at compile time, with the fix in the message.
template <class P>
constexpr void require_backend() {
  using policy = std::remove_cvref_t<P>;
  static_assert(execution_policy<policy>,
                "nacs: the first argument must be an execution policy: nacs::seq, nacs::par or nacs::cuda");
  static_assert(!std::is_same_v<policy, cuda_policy> || backend_available_v<policy>,
                "nacs: the nacs::cuda policy needs the CUDA backend: #include <nacs/nacs.cuh> and compile "
                "this file with nvcc (link nacs::cuda). There is no silent CPU fallback.");
  static_assert(!std::is_same_v<policy, parallel_policy> || backend_available_v<policy>,
                "nacs: the nacs::par policy needs OpenMP: compile with -fopenmp (link nacs::nacs, which adds "
                "OpenMP::OpenMP_CXX when CMake finds it), or use nacs::seq.");
}

/// Thread count an OpenMP region should request for a host policy.
template <host_policy P>
int omp_threads(const P& p) noexcept {
  if constexpr (std::is_same_v<std::remove_cvref_t<P>, sequenced_policy>) {
    return 1;
  } else {
    return p.thread_count();
  }
}

}  // namespace detail
}  // namespace nacs
