// expect: the nacs::cuda policy needs the CUDA backend: #include <nacs/nacs\.cuh>
// SPDX-License-Identifier: Apache-2.0
// Calling an algorithm with nacs::cuda without the CUDA backend header must not compile.
#include <nacs/objective/facility_location.hpp>
#include <nacs/solver/lazy.hpp>

int main() {
  nacs::matrix<float> x(10, 2, 0.5f);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const nacs::selection s = nacs::maximize(nacs::cuda, obj, 3, nacs::lazy_greedy{});
  return static_cast<int>(s.size());
}
