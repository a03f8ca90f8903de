// OpenMP pragmas that vanish when the translation unit is compiled without
// OpenMP (nacs::seq still works there; nacs::par is refused at compile time by
// detail::require_backend). Internal: not part of the public API.
#pragma once

#if defined(_OPENMP)
#include <omp.h>
#define NACS_DETAIL_PRAGMA(x) _Pragma(#x)
#define NACS_DETAIL_OMP(x) NACS_DETAIL_PRAGMA(omp x)
#else
#define NACS_DETAIL_OMP(x)
#endif
