// expect: the nacs::par policy needs OpenMP: compile with -fopenmp
// SPDX-License-Identifier: Apache-2.0
// Without OpenMP, a call with nacs::par must not compile (no silent serial fallback).
#include <nacs/nacs.hpp>

int main() {
  nacs::detail::require_backend<nacs::parallel_policy>();
  return 0;
}
