// expect: the nacs::cuda policy needs the CUDA backend: #include <nacs/nacs\.cuh>
// SPDX-License-Identifier: Apache-2.0
// A data function called with nacs::cuda without the CUDA backend header must not compile.
#include <nacs/data/synthetic.hpp>

int main() {
  const nacs::synthetic_data s = nacs::generate_synthetic(nacs::cuda, nacs::synthetic_options{});
  return static_cast<int>(s.data.rows());
}
