// expect: backend does not implement this algorithm.*algo::make_kernel_distances
// SPDX-License-Identifier: Apache-2.0
#include <nacs/nacs.cuh>

int main() {
  const nacs::matrix<float> d(3, 3, 0.0f);
  const auto k = nacs::make_kernel(nacs::cuda, nacs::distance_matrix{d.view()}, nacs::rbf{.gamma = 1.0});
  return static_cast<int>(k.size());
}
