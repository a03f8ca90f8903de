// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The greedy solvers by name: solver_choice, its name table and make_solver.
///
/// The one table from names to solvers (naive, lazy, stochastic, lazier): nacs-greedy's and
/// nacs-coreset's --solver and coreset_config::solver go through it. It needs no model code
/// (no Eigen), so that a program that only solves facility location can use it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <variant>

#include <nacs/core/names.hpp>
#include <nacs/solver/lazier.hpp>
#include <nacs/solver/lazy.hpp>
#include <nacs/solver/naive.hpp>
#include <nacs/solver/stochastic.hpp>

namespace nacs {

/// @brief One of the greedy solvers; solver_names() are their name()s, in this order.
using solver_choice = std::variant<naive_greedy, lazy_greedy, stochastic_greedy, lazier_than_lazy>;

/// @brief The greedy solvers' name table (solver_choice's types).
inline constexpr auto solver_table = types_name_table<solver_choice>("solver");

/// @brief The greedy solvers' names (as nacs-greedy --solver spells them).
[[nodiscard]] inline std::span<const std::string_view> solver_names() noexcept { return solver_table.names(); }

namespace detail {
template <class S>
concept samples_with_epsilon = requires(S s, double e, std::uint64_t seed) {
  s.epsilon = e;
  s.seed = seed;
};
template <std::size_t... I>
constexpr auto solver_epsilon_table(std::index_sequence<I...>) noexcept {
  constexpr std::size_t n = (std::size_t{samples_with_epsilon<std::variant_alternative_t<I, solver_choice>>} + ...);
  std::array<std::string_view, n> out{};
  std::size_t k = 0;
  ((samples_with_epsilon<std::variant_alternative_t<I, solver_choice>>
        ? void(out[k++] = type_name<std::variant_alternative_t<I, solver_choice>>::value)
        : void()),
   ...);
  return out;
}
}  // namespace detail

/// @brief The names of the solvers that sample with an epsilon and a seed (stochastic, lazier).
[[nodiscard]] inline std::span<const std::string_view> solver_epsilon_names() noexcept {
  static constexpr auto names =
      detail::solver_epsilon_table(std::make_index_sequence<std::variant_size_v<solver_choice>>{});
  return names;
}

/// @brief The solver named `name` (solver_names()), with epsilon and seed for stochastic and lazier.
/// @throws nacs::error for an unknown name or a bad epsilon
[[nodiscard]] inline solver_choice make_solver(std::string_view name, double epsilon = 1e-3, std::uint64_t seed = 0) {
  solver_choice s = variant_at<solver_choice>(solver_table.parse(name));
  std::visit(
      [&](auto& x) {
        if constexpr (detail::samples_with_epsilon<std::remove_cvref_t<decltype(x)>>) {
          x.epsilon = epsilon;
          x.seed = seed;
        }
        x.validate();
      },
      s);
  return s;
}

}  // namespace nacs
