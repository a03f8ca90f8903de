// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/error.hpp>

#include <string>
#include <string_view>
#include <utility>

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

namespace {
// Two lines apart, so that a location taken inside the macro's helper (rather than here) shows.
[[noreturn]] void fail_with_parts(const std::string& path, long line) {
  NACS_FAIL(nacs::errc::parse, "'", path, "' line ", line, ": ", std::string_view("bad"), ' ', 'x');
}
constexpr unsigned fail_line = __LINE__ - 2;
[[noreturn]] void fail_with_one(std::string m) { NACS_FAIL(nacs::errc::io, std::move(m)); }
int pick(int k) { return k >= 0 ? k : NACS_FAIL(nacs::errc::invalid_argument, "k is ", k, ", below 0"); }
}  // namespace

TEST_CASE("NACS_FAIL throws nacs::error with code, concatenated message and the caller's location") {
  try {
    fail_with_parts("a.txt", -12);
    FAIL("no exception");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::parse);
    // Strings, C strings, string views and chars are appended as they are, integers by to_string.
    CHECK(e.message() == "'a.txt' line -12: bad x");
    CHECK(e.where().line() == fail_line);
    CHECK(std::string(e.where().file_name()).find("error.cpp") != std::string::npos);
    const std::string what = e.what();
    CHECK(what == "nacs: 'a.txt' line -12: bad x [parse, " + std::string(e.where().file_name()) + ":" +
                      std::to_string(fail_line) + "]");
  }
  // One message expression is taken unchanged.
  try {
    fail_with_one("cannot open 'x': no such file (check the path)");
    FAIL("no exception");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::io);
    CHECK(e.message() == "cannot open 'x': no such file (check the path)");
  }
  // As a throw-expression in a conditional.
  CHECK(pick(3) == 3);
  try {
    (void)pick(-4);
    FAIL("no exception");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::invalid_argument);
    CHECK(e.message() == "k is -4, below 0");
  }
}
