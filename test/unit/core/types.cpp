// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/types.hpp>

#include <cstdint>
#include <limits>
#include <type_traits>

TEST_CASE("row_index is a signed 64-bit integer") {
  // Signed, so that `b - a` of two indices and a -1 "none" are representable; 64 bits, so that
  // counts past 2^31 rows (and byte offsets rows * F) do not wrap.
  static_assert(std::is_same_v<nacs::row_index, std::int64_t>);
  constexpr nacs::row_index past_int32 = nacs::row_index{std::numeric_limits<std::int32_t>::max()} + 1;
  CHECK(past_int32 == 2147483648LL);
  CHECK(nacs::row_index{3} - nacs::row_index{5} == -2);
}
