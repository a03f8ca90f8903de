// expect: the nacs::cuda policy needs the CUDA backend: #include <nacs/nacs\.cuh>
// SPDX-License-Identifier: Apache-2.0
// A pipeline call with nacs::cuda without the CUDA backend header must not compile.
#include <nacs/pipeline.hpp>

nacs::coreset pick(const nacs::dataset& train) {
  return nacs::run_coreset(nacs::cuda, train, std::nullopt, nacs::coreset_config{});
}

int main() { return 0; }
