// expect: algorithm<nacs::algo::select_coreset, fake_backend>.*backend does not implement this algorithm
// SPDX-License-Identifier: Apache-2.0
// A pipeline call with a declared backend that provides no pipeline must not compile
// (the dispatch message, not a concept failure on the policy).
#include "fake_backend.hpp"

#include <nacs/pipeline.hpp>

nacs::coreset pick(const nacs::dataset& train) {
  return nacs::select_coreset(fake_policy{}, train, std::nullopt, nacs::random_method{}, nacs::no_filter{});
}

int main() { return 0; }
