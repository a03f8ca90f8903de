// expect: unknown_algorithm.*error: .*host_run
// SPDX-License-Identifier: Apache-2.0
// An algorithm tag with no host_run overload must not compile with a host policy
// (no silent default, no empty result): the compiler stops at the host_run call.
#include <nacs/execution.hpp>

namespace {
struct unknown_algorithm : nacs::detail::algorithm_tag {};
}  // namespace

int main() { return nacs::detail::dispatch<unknown_algorithm>(nacs::seq, 1); }
