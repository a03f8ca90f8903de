// SPDX-License-Identifier: Apache-2.0
// The execution policies every test runs on: seq, and par with 1, 2 and 3 threads.
#pragma once

#include <string>

#include <nacs/execution.hpp>

namespace nacs_ref {

/// Calls f(policy, name) for seq and, with OpenMP, par with 1, 2 and 3 threads.
template <class F>
void for_each_policy(F&& f) {
  f(nacs::seq, std::string("seq"));
#if defined(_OPENMP)
  for (int t = 1; t <= 3; ++t) f(nacs::par.with_threads(t), "par(" + std::to_string(t) + ")");
#endif
}

}  // namespace nacs_ref
