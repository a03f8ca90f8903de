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
#include <nacs/core/names.hpp>

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
    if (n < 0) NACS_FAIL(errc::invalid_argument, "par.with_threads(n): n must be >= 0 (0 means OpenMP's default)");
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

/// @brief The host backend: seq and par run every algorithm of the library with it.
struct host_backend {};
/// @brief The CUDA backend (its algorithms are in the .cuh headers; see nacs/nacs.cuh).
struct cuda_backend {};

/// @brief Maps an execution policy type to its backend tag (`type`).
///
/// This is what makes a type a policy: a backend (nacs's own or a user's)
/// specialises it for its policy type, specialises detail::backend_available
/// in the header that makes it usable, and specialises
/// detail::algorithm<Tag, Backend> for each algorithm it provides (see
/// docs/design.md, "Execution policies"). The host backend provides every
/// algorithm through one partial specialisation (detail::host_run overloads).
template <class P>
struct backend_of {};
template <>
struct backend_of<sequenced_policy> {
  using type = host_backend;
};
template <>
struct backend_of<parallel_policy> {
  using type = host_backend;
};
template <>
struct backend_of<cuda_policy> {
  using type = cuda_backend;
};

/// @brief The backend tag of policy type P (cv/ref-qualifiers ignored).
template <class P>
using backend_of_t = typename backend_of<std::remove_cvref_t<P>>::type;

/// @brief An execution policy type: one that backend_of maps to a backend (cv/ref-qualifiers ignored).
template <class P>
concept execution_policy = requires { typename backend_of<std::remove_cvref_t<P>>::type; };

/// @brief A policy that runs on the host backend (seq or par).
template <class P>
concept host_policy = execution_policy<P> && std::same_as<backend_of_t<P>, host_backend>;

namespace detail {
/// The base of every nacs::algo tag. It holds nothing: deriving from it makes
/// nacs::detail an associated namespace of each tag, so that the host backend's
/// host_run(Tag, policy, args...) overloads there are found by argument-dependent
/// lookup (see algorithm<Tag, host_backend>).
struct algorithm_tag {};
}  // namespace detail

/// @brief Tags naming the algorithms a backend can provide: the first argument of
/// detail::algorithm. Each public function that takes a policy dispatches on one.
namespace algo {
struct maximize_partitioned : detail::algorithm_tag {};     ///< solver/maximize.hpp (maximize calls it)
struct memory_needed : detail::algorithm_tag {};            ///< solver/maximize.hpp
struct make_kernel : detail::algorithm_tag {};              ///< similarity.hpp: the kernel of embedding rows
struct make_kernel_distances : detail::algorithm_tag {};    ///< similarity.hpp: the kernel of a distance matrix
struct make_kernel_similarities : detail::algorithm_tag {}; ///< similarity.hpp: the kernel of a similarity matrix
struct naive_facility_batch : detail::algorithm_tag {};     ///< cuda/greedy.cuh: naive greedy over many partitions at once
struct split : detail::algorithm_tag {};                    ///< data/split.hpp
struct generate_synthetic : detail::algorithm_tag {};       ///< data/synthetic.hpp
struct build_vocabulary : detail::algorithm_tag {};         ///< data/vocabulary.hpp
struct encode : detail::algorithm_tag {};                   ///< data/vocabulary.hpp (vocabulary::encode)
struct load_ctr_data : detail::algorithm_tag {};            ///< data/load.hpp
struct load_synthetic : detail::algorithm_tag {};           ///< data/load.hpp
struct auc : detail::algorithm_tag {};                      ///< core/auc.hpp
struct log_loss : detail::algorithm_tag {};                 ///< model/metrics.hpp
struct score_batches : detail::algorithm_tag {};            ///< model/trainer.hpp (predict and evaluate call it)
struct train : detail::algorithm_tag {};                    ///< model/trainer.hpp
struct select_coreset : detail::algorithm_tag {};           ///< pipeline/select.hpp
struct coreset_memory_needed : detail::algorithm_tag {};    ///< pipeline/select.hpp (the overload with a policy)
struct run_coreset : detail::algorithm_tag {};              ///< pipeline/config.hpp
struct train_on_coreset : detail::algorithm_tag {};         ///< pipeline/final.hpp
}  // namespace algo

/// @brief Name of a policy, as the examples print it.
constexpr std::string_view policy_name(sequenced_policy) noexcept { return "seq"; }
constexpr std::string_view policy_name(parallel_policy) noexcept { return "par"; }
constexpr std::string_view policy_name(cuda_policy) noexcept { return "cuda"; }

/// @brief The host policies a program names (--policy): "seq" (nacs::seq) and "par" (nacs::par).
enum class host_policy_kind {
  sequenced,  ///< "seq": nacs::seq
  parallel,   ///< "par": nacs::par
};

/// @brief The host policies' name table: seq, par (policy_name's spellings).
inline constexpr auto host_policy_table = make_name_table<host_policy_kind>(
    "policy", {{policy_name(seq), host_policy_kind::sequenced}, {policy_name(par), host_policy_kind::parallel}});

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

template <class... T>
inline constexpr bool dependent_false = false;

/// Every algorithm calls this first. A policy without its backend in this
/// translation unit fails here, at compile time, with the fix in the message.
template <class P>
constexpr void require_backend() {
  using policy = std::remove_cvref_t<P>;
  static_assert(execution_policy<policy>,
                "nacs: the first argument must be an execution policy (nacs::seq, nacs::par, nacs::cuda, or a "
                "type that nacs::backend_of maps to a backend)");
  static_assert(!std::is_same_v<policy, cuda_policy> || backend_available_v<policy>,
                "nacs: the nacs::cuda policy needs the CUDA backend: #include <nacs/nacs.cuh> and compile "
                "this file with nvcc (link nacs::cuda_backend). There is no silent CPU fallback.");
  static_assert(!std::is_same_v<policy, parallel_policy> || backend_available_v<policy>,
                "nacs: the nacs::par policy needs OpenMP: compile with -fopenmp (link nacs::nacs, which adds "
                "OpenMP::OpenMP_CXX when CMake finds it), or use nacs::seq.");
  static_assert(std::is_same_v<policy, cuda_policy> || std::is_same_v<policy, parallel_policy> ||
                    !execution_policy<policy> || backend_available_v<policy>,
                "nacs: this policy's backend is not available in this translation unit: include the header "
                "that specialises nacs::detail::backend_available for it");
}

/// The implementation of algorithm Tag on Backend: a struct with a static
/// run(policy, args...). Each backend specialises it, in its own headers, for
/// what it provides; this primary template is what a backend that does not
/// provide Tag gets (the compiler's note "In instantiation of
/// nacs::detail::algorithm<nacs::algo::X, B>" names the algorithm and the
/// backend).
template <class Tag, class Backend>
struct algorithm {
  static_assert(dependent_false<Tag, Backend>,
                "nacs: the policy's backend does not implement this algorithm (no "
                "nacs::detail::algorithm<Tag, Backend> specialisation; the compiler's instantiation note names "
                "both): use nacs::seq or nacs::par, which run every algorithm, or a backend that provides it");
};

/// The host backend, for every tag at once: run calls host_run(Tag{}, policy,
/// args...), an overload set found by argument-dependent lookup on the tag.
/// The library's host implementations are those overloads (in nacs::detail,
/// an associated namespace of every nacs::algo tag through algorithm_tag), each
/// next to the public function it implements; a tag declared elsewhere gets
/// its host_run from its own namespace. A tag with no host_run that accepts
/// the arguments is a compile error at this call (the instantiation note
/// names Tag). A plain call, not a requires-expression guarding a static_assert:
/// nvcc 13's front end does not find the later-declared overloads from one.
template <class Tag>
struct algorithm<Tag, host_backend> {
  template <class P, class... A>
  static decltype(auto) run(const P& policy, A&&... args) {
    return host_run(Tag{}, policy, static_cast<A&&>(args)...);
  }
};

/// What every public function that takes a policy does: check that the
/// policy's backend is available here, then run the backend's implementation
/// of Tag. No run-time switch, no fallback.
template <class Tag, class P, class... A>
constexpr decltype(auto) dispatch(const P& policy, A&&... args) {
  require_backend<P>();
  if constexpr (backend_available_v<P>) {
    return algorithm<Tag, backend_of_t<P>>::run(policy, static_cast<A&&>(args)...);
  }
}

/// Thread count an OpenMP region should request for a host policy.
template <host_policy P>
int omp_threads(const P& p) noexcept {
  if constexpr (requires { p.thread_count(); }) {
    return p.thread_count();
  } else {
    return 1;
  }
}

/// The same host policy, for a region that uses n threads (seq stays seq).
template <host_policy P>
P with_threads(const P& p, int n) {
  if constexpr (requires { p.with_threads(n); }) {
    return p.with_threads(n);
  } else {
    return p;
  }
}

}  // namespace detail
}  // namespace nacs
