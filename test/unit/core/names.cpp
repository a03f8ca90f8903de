// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/core/names.hpp>

#include <nacs_ref/check.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>

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

namespace {
enum class shade { light, dark };
inline constexpr auto shades = nacs::make_name_table<shade>("shade", {{"light", shade::light}, {"dark", shade::dark}});

struct alpha {
  static constexpr std::string_view name() noexcept { return "alpha"; }
  int x = 1;
};
struct beta {
  static constexpr std::string_view name = "beta";  // a constant rather than a function (as the models have it)
  int y = 2;
};
struct gamma_policy {
  static constexpr std::string_view name() noexcept { return "gamma"; }
};
using letters = std::variant<alpha, beta, gamma_policy>;
inline constexpr auto letter_table = nacs::types_name_table<letters>("letter");
}  // namespace

TEST_CASE("make_name_table: names, values, parse, name_of and find, in table order") {
  static_assert(shades.size() == 2);
  static_assert(shades.kind() == "shade");
  static_assert(shades.name_of(shade::dark) == "dark");
  static_assert(shades.find("light") == 0u);
  static_assert(!shades.contains("grey"));
  CHECK(nacs::join_names(shades.names()) == "light or dark");
  CHECK(shades.values()[1] == shade::dark);
  for (std::size_t i = 0; i < shades.size(); ++i) {
    CHECK(shades.parse(shades.names()[i]) == shades.values()[i]);
    CHECK(shades.name_of(shades.values()[i]) == shades.names()[i]);
    CHECK(shades.index(shades.names()[i]) == i);
  }
  CHECK(shades.name_of(static_cast<shade>(7)) == "unknown");
  nacs_ref::expect_error([] { (void)shades.parse("drak"); }, nacs::errc::invalid_argument,
                         "unknown shade 'drak': did you mean 'dark'? use one of: light, dark");
  nacs_ref::expect_error([] { (void)shades.parse("purple"); }, nacs::errc::invalid_argument,
                         "unknown shade 'purple': use one of: light, dark");
}

TEST_CASE("types_name_table: the types' own names (a name() function or a name constant), valued by position") {
  static_assert(letter_table.size() == 3);
  CHECK(nacs::join_names(letter_table.names(), ", ") == "alpha, beta, gamma");
  CHECK(letter_table.parse("beta") == 1u);
  CHECK(letter_table.name_of(2) == "gamma");
  static_assert(nacs::type_position<letters, beta> == 1);
  static_assert(nacs::type_position<std::tuple<beta, alpha>, alpha> == 1);
  // variant_at builds the alternative a name stands for, default-constructed.
  for (const auto n : letter_table.names()) {
    const letters v = nacs::variant_at<letters>(letter_table.parse(n));
    CHECK(v.index() == letter_table.parse(n));
    CHECK(std::visit([](const auto& p) { return nacs::type_name<std::decay_t<decltype(p)>>::value; }, v) == n);
  }
  CHECK(std::get<beta>(nacs::variant_at<letters>(1)).y == 2);
  nacs_ref::expect_error([] { (void)nacs::variant_at<letters>(3); }, nacs::errc::invalid_argument, "alternative 3 of 3");
  nacs_ref::expect_error([] { (void)letter_table.parse("alpah"); }, nacs::errc::invalid_argument,
                         "unknown letter 'alpah': did you mean 'alpha'? use one of: alpha, beta, gamma");
}
