// expect: algorithm<nacs::algo::train, fake_backend>.*backend does not implement this algorithm
// SPDX-License-Identifier: Apache-2.0
// A model call with a declared backend that provides no model layer must not compile.
#include "fake_backend.hpp"

#include <nacs/model/trainer.hpp>

nacs::train_report fit(nacs::ctr_model<float>& model, nacs::adam<float>& optimizer, const nacs::training_set& rows) {
  return nacs::train(fake_policy{}, model, optimizer, rows);
}

int main() { return 0; }
