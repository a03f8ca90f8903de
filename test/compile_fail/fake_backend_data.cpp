// expect: algorithm<nacs::algo::split, fake_backend>.*backend does not implement this algorithm
// SPDX-License-Identifier: Apache-2.0
// A data call with a declared backend that provides no split must not compile.
#include "fake_backend.hpp"

#include <nacs/data/split.hpp>

int main() {
  const nacs::dataset d;
  const nacs::dataset_split parts = nacs::split(fake_policy{}, d);
  return static_cast<int>(parts.train.rows());
}
