// SPDX-License-Identifier: Apache-2.0
// OpenMP pragmas that vanish when the translation unit is compiled without
// OpenMP (nacs::seq still works there; nacs::par is refused at compile time by
// detail::require_backend). Internal: not part of the public API.
#pragma once

#include <cstddef>

#if defined(_OPENMP)
#include <omp.h>
#define NACS_DETAIL_PRAGMA(x) _Pragma(#x)
#define NACS_DETAIL_OMP(x) NACS_DETAIL_PRAGMA(omp x)
#else
#define NACS_DETAIL_OMP(x)
#endif

namespace nacs::detail {
/// Below about this many element operations (about 0.1 ms of work) a loop
/// runs on one thread. A parallel region costs microseconds when the cores are
/// free, but when another process holds a core, every barrier can wait out a
/// scheduler time slice: lazy greedy's thousands of small batches then took
/// seconds instead of milliseconds. Big loops (kernel tiles, full gain passes,
/// stochastic samples) stay parallel.
inline constexpr std::size_t selection_min_parallel_work = std::size_t{1} << 20;
}  // namespace nacs::detail
