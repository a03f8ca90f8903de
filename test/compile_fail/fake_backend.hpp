// SPDX-License-Identifier: Apache-2.0
// A backend declared by a user and usable in this translation unit, that
// provides no algorithm: every call with fake_policy must fail to compile
// with the primary detail::algorithm's message, never run the host code.
#pragma once

#include <type_traits>

#include <nacs/execution.hpp>

struct fake_policy {};
struct fake_backend {};

template <>
struct nacs::backend_of<fake_policy> {
  using type = fake_backend;
};
template <>
struct nacs::detail::backend_available<fake_policy> : std::true_type {};

static_assert(nacs::execution_policy<fake_policy>);
static_assert(!nacs::host_policy<fake_policy>);
