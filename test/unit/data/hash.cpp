// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/hash.hpp>

#include <set>
#include <string>

TEST_CASE("fnv1a32 matches the published FNV-1a test vectors") {
  static_assert(nacs::fnv1a32("") == 0x811c9dc5u);
  CHECK(nacs::fnv1a32("a") == 0xe40c292cu);
  CHECK(nacs::fnv1a32("foobar") == 0xbf9cf968u);
  // Bytes above 0x7f are hashed as unsigned bytes.
  const char high[] = {static_cast<char>(0xff), 0};
  CHECK(nacs::fnv1a32(high) == ((0x811c9dc5u ^ 0xffu) * 16777619u));
}

TEST_CASE("fnv1a32 separates the values of a typical categorical column") {
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(nacs::fnv1a32(std::to_string(i)));
  // 2000 values in 2^32 slots: a collision has probability about 5e-4.
  CHECK(seen.size() == 2000);
  CHECK(nacs::fnv1a32("1fbe01fe") != nacs::fnv1a32("1FBE01FE"));
}
