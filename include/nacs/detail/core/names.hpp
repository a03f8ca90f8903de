// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Bodies behind nacs/core/names.hpp: a type list's names and positions, and variant_at.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nacs/core/names.hpp>

namespace nacs {
namespace detail {
template <template <class...> class L, class... Ts>
struct type_list_of<L<Ts...>> {
  static constexpr std::size_t size = sizeof...(Ts);
  static constexpr std::array<std::string_view, sizeof...(Ts)> names{type_name<Ts>::value...};
  template <class T>
  static constexpr std::size_t position() noexcept {
    std::size_t i = 0;
    const bool found = ((std::is_same_v<T, Ts> ? true : (++i, false)) || ...);
    return found ? i : sizeof...(Ts);
  }
};
template <class V, std::size_t... I>
V variant_at(std::size_t i, std::index_sequence<I...>) {
  V out;
  ((i == I ? void(out.template emplace<I>()) : void()), ...);
  return out;
}
}  // namespace detail

}  // namespace nacs
