// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/error.hpp>

#include <string>

namespace {
void check_positive(int k) { NACS_EXPECTS(k > 0, nacs::errc::invalid_argument, "k must be > 0, got " + std::to_string(k)); }
}  // namespace

TEST_CASE("NACS_EXPECTS throws nacs::error with code, message and location") {
  CHECK_NOTHROW(check_positive(1));
  try {
    check_positive(-2);
    FAIL("no exception");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::invalid_argument);
    CHECK(e.message() == "k must be > 0, got -2");
    const std::string what = e.what();
    CHECK(what.find("nacs: k must be > 0, got -2") == 0);
    CHECK(what.find("invalid_argument") != std::string::npos);
    CHECK(what.find("error.cpp:") != std::string::npos);
  }
}

TEST_CASE("nacs::error is a std::runtime_error") {
  CHECK_THROWS_AS(throw nacs::error(nacs::errc::io, "cannot open x"), std::runtime_error);
  CHECK(nacs::to_string(nacs::errc::memory_limit) == "memory_limit");
  CHECK(nacs::to_string(nacs::errc::parse) == "parse");
}
