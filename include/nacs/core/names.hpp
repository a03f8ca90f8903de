// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Looking a runtime name up in one of the library's name tables, with "did you mean".
///
/// Programs take names on the command line (a method, a solver, a similarity,
/// ...); each kind has one table in the library (method_names() in
/// nacs/pipeline/config.hpp, similarity_names() in nacs/similarity.hpp, ...)
/// and parse_name turns a name into its position there, or throws an error
/// that lists the valid names and suggests the closest one for a near miss.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <nacs/core/error.hpp>
#include <nacs/detail/core/edit_distance.hpp>

namespace nacs {

/// @brief "a, b or c": the names for a help text.
[[nodiscard]] inline std::string join_names(std::span<const std::string_view> names, std::string_view last = " or ") {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) s += i + 1 == names.size() ? std::string(last) : std::string(", ");
    s += names[i];
  }
  return s;
}

/// @brief The position of `name` in `names` (a name table such as method_names() or similarity_names()).
/// @param[in] kind  what is named, for the message ("method", "filter", ...)
/// @throws nacs::error errc::invalid_argument naming the valid choices (and the nearest, for a near miss)
[[nodiscard]] inline std::size_t parse_name(std::string_view kind, std::span<const std::string_view> names,
                                            std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  std::string hint;
  std::size_t best = 3;
  for (const auto n : names)
    if (const std::size_t d = detail::edit_distance(n, name); d < best && d < std::max<std::size_t>(n.size(), 2)) {
      best = d;
      hint = "did you mean '" + std::string(n) + "'? ";
    }
  NACS_FAIL(errc::invalid_argument, "unknown ", kind, " '", name, "': ", hint, "use one of: ", join_names(names, ", "));
}

}  // namespace nacs
