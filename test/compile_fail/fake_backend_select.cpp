// expect: algorithm<nacs::algo::maximize_partitioned, fake_backend>.*backend does not implement this algorithm
// SPDX-License-Identifier: Apache-2.0
// A selection call with a declared backend that provides no maximize must not compile.
#include "fake_backend.hpp"

#include <nacs/objective/facility_location.hpp>
#include <nacs/solver/lazy.hpp>

int main() {
  nacs::matrix<float> x(10, 2, 0.5f);
  const auto obj = nacs::facility_location{x.view(), nacs::exp_distance{}};
  const nacs::selection s = nacs::maximize(fake_policy{}, obj, 3, nacs::lazy_greedy{});
  return static_cast<int>(s.size());
}
