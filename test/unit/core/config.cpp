// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/config.hpp>

#include <string>

#ifndef NACS_CMAKE_PROJECT_VERSION
#error "test/CMakeLists.txt passes the CMake project's version as NACS_CMAKE_PROJECT_VERSION"
#endif

TEST_CASE("the CMake project's version is the header's version") {
  // CMakeLists.txt reads NACS_VERSION_MAJOR/MINOR/PATCH from core/config.hpp; a parse that took
  // the wrong line, dropped a part or kept a stale literal in project() shows here.
  const std::string header = std::to_string(NACS_VERSION_MAJOR) + "." + std::to_string(NACS_VERSION_MINOR) + "." +
                             std::to_string(NACS_VERSION_PATCH);
  CHECK(std::string(NACS_CMAKE_PROJECT_VERSION) == header);
}

TEST_CASE("the build flags are seen as the compiler sets them") {
#if defined(_OPENMP)
  CHECK(nacs::compiled_with_openmp);
#else
  CHECK_FALSE(nacs::compiled_with_openmp);
#endif
  CHECK_FALSE(nacs::compiled_with_cuda);  // this file is compiled by the host compiler, never nvcc
}
