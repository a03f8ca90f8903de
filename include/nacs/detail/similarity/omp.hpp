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
/// Below about this many element operations a loop runs on one thread: a
/// parallel region would cost more than it saves (and thousands of tiny
/// regions thrash when the cores are shared with other processes).
inline constexpr std::size_t min_parallel_work = std::size_t{1} << 16;
}  // namespace nacs::detail
