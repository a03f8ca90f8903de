// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/memory.hpp>

TEST_CASE("memory limit is settable and checked") {
  CHECK(nacs::memory_limit() > 0);
  const auto old = nacs::set_memory_limit(1000);
  CHECK(nacs::memory_limit() == 1000);
  CHECK_NOTHROW(nacs::check_memory(1000, "a kernel"));
  try {
    nacs::check_memory(4096, "the similarity matrix");
    FAIL("no exception");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::memory_limit);
    CHECK(e.message().find("the similarity matrix needs 4.00 KiB but the memory limit is 1000 B") == 0);
  }
  CHECK_NOTHROW(nacs::check_memory(4096, "x", std::size_t{8192}));
  nacs::set_memory_limit(old);
  CHECK(nacs::format_bytes(std::size_t{3} << 30) == "3.00 GiB");
}
