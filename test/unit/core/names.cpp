// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/core/names.hpp>

#include <nacs_ref/check.hpp>

#include <array>
#include <string_view>

namespace {
constexpr std::array<std::string_view, 3> colours = {"red", "green", "blue"};
}  // namespace

TEST_CASE("join_names lists a table for a help text") {
  CHECK(nacs::join_names(colours) == "red, green or blue");
  CHECK(nacs::join_names(colours, ", ") == "red, green, blue");
  CHECK(nacs::join_names(std::span<const std::string_view>(colours).first(1)) == "red");
  CHECK(nacs::join_names({}) == "");
}

TEST_CASE("parse_name finds a name's position, or names the choices and the nearest") {
  CHECK(nacs::parse_name("colour", colours, "red") == 0);
  CHECK(nacs::parse_name("colour", colours, "blue") == 2);
  // One substitution away from "green": suggested.
  nacs_ref::expect_error([] { (void)nacs::parse_name("colour", colours, "greem"); }, nacs::errc::invalid_argument,
                         "unknown colour 'greem': did you mean 'green'? use one of: red, green, blue");
  // Three edits from every name: no suggestion, only the list.
  nacs_ref::expect_error([] { (void)nacs::parse_name("colour", colours, "pink"); }, nacs::errc::invalid_argument,
                         "unknown colour 'pink': use one of: red, green, blue");
  // Case matters: "Red" is one edit from "red", so it is suggested rather than accepted.
  nacs_ref::expect_error([] { (void)nacs::parse_name("colour", colours, "Red"); }, nacs::errc::invalid_argument,
                         "did you mean 'red'?");
}
