// expect: the nacs::cuda policy needs the CUDA backend: #include <nacs/nacs\.cuh>
// SPDX-License-Identifier: Apache-2.0
// A model call with nacs::cuda without the CUDA backend header must not compile.
#include <nacs/model/trainer.hpp>

std::vector<float> score(nacs::ctr_model<float>& model, const nacs::evaluation_set& rows) {
  return nacs::predict(nacs::cuda, model, rows);
}

int main() { return 0; }
