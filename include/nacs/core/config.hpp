// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Library version and the host/device function marker.
#pragma once

// The one definition of the version: CMakeLists.txt reads these three lines (keep their form,
// "#define NACS_VERSION_<PART> <number>") for project(VERSION) and the installed package version.
#define NACS_VERSION_MAJOR 0
#define NACS_VERSION_MINOR 1
#define NACS_VERSION_PATCH 0

/// Marks a function callable from host and device code. It expands to nothing
/// without nvcc, so stateless functors (distances, gains, schedules, RNG) are
/// shared by the CPU and CUDA backends.
#if defined(__CUDACC__)
#define NACS_HOST_DEVICE __host__ __device__
#else
#define NACS_HOST_DEVICE
#endif

namespace nacs {
/// @brief True when this translation unit is compiled by nvcc.
#if defined(__CUDACC__)
inline constexpr bool compiled_with_cuda = true;
#else
inline constexpr bool compiled_with_cuda = false;
#endif
/// @brief True when this translation unit is compiled with OpenMP (needed by nacs::par).
#if defined(_OPENMP)
inline constexpr bool compiled_with_openmp = true;
#else
inline constexpr bool compiled_with_openmp = false;
#endif
}  // namespace nacs
