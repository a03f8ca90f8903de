// expect: backend does not implement this algorithm.*algo::maximize_partitioned
// SPDX-License-Identifier: Apache-2.0
#include <nacs/nacs.cuh>

int main() {
  const nacs::matrix<float> x(10, 2, 0.5f);
  const auto sel = nacs::maximize(nacs::cuda, nacs::facility_location(x.view()), 3, nacs::naive_greedy{});
  return static_cast<int>(sel.size());
}
