// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Looking a runtime name up in one of the library's name tables, with "did you mean".
///
/// Programs take names on the command line (a method, a solver, a similarity,
/// ...); each kind has one table in the library, a nacs::name_table: built from
/// {name, value} entries (make_name_table: final weightings, presets, partition
/// modes, ...) or from a list of policy types whose static name() is their name
/// (types_name_table: similarity_choice, solver_choice, the methods, the models).
/// A table's parse turns a name into its value, or throws an error that lists
/// the valid names and suggests the closest one for a near miss (parse_name).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

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
/// @brief One row of a name_table: a name as programs spell it and what it stands for.
template <class T>
struct name_entry {
  std::string_view name;  ///< the spelling ("class-balanced")
  T value;                ///< what it stands for
};

/// @brief A table from names to values, in a fixed order (the first is the default): the one form of
/// every name table in the library.
///
/// Built from {name, value} entries (make_name_table), or from the types of a variant or tuple
/// whose names are the types' own `name()` (types_name_table; the value is the type's position).
/// `parse` turns a name into its value, or throws parse_name's error ("unknown solver 'x': did you
/// mean 'y'? use one of: ..."). A table is a constant: keep it in an `inline constexpr` variable,
/// so that names() can be handed out as a span.
template <class T, std::size_t N>
class name_table {
 public:
  /// @param[in] kind    what is named, for messages ("solver", "final weighting")
  /// @param[in] entries the names and their values, in order
  constexpr name_table(std::string_view kind, const std::array<name_entry<T>, N>& entries) : kind_(kind) {
    for (std::size_t i = 0; i < N; ++i) {
      names_[i] = entries[i].name;
      values_[i] = entries[i].value;
    }
  }
  /// @brief What is named ("solver").
  [[nodiscard]] constexpr std::string_view kind() const noexcept { return kind_; }
  /// @brief The names, in table order.
  [[nodiscard]] constexpr std::span<const std::string_view> names() const noexcept { return names_; }
  /// @brief The values, in table order.
  [[nodiscard]] constexpr std::span<const T> values() const noexcept { return values_; }
  /// @brief The number of entries.
  [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }
  /// @brief The position of `name`, or std::nullopt.
  [[nodiscard]] constexpr std::optional<std::size_t> find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < N; ++i)
      if (names_[i] == name) return i;
    return std::nullopt;
  }
  /// @brief Whether `name` is in the table.
  [[nodiscard]] constexpr bool contains(std::string_view name) const noexcept { return find(name).has_value(); }
  /// @brief The position of `name`.
  /// @throws nacs::error errc::invalid_argument as parse_name (the valid names, the nearest for a near miss)
  [[nodiscard]] std::size_t index(std::string_view name) const;
  /// @brief The value named `name`.
  /// @throws nacs::error errc::invalid_argument as index
  [[nodiscard]] T parse(std::string_view name) const { return values_[index(name)]; }
  /// @brief The name of the first entry whose value is `v`, or "unknown".
  [[nodiscard]] constexpr std::string_view name_of(const T& v) const noexcept {
    for (std::size_t i = 0; i < N; ++i)
      if (values_[i] == v) return names_[i];
    return "unknown";
  }

 private:
  std::string_view kind_;
  std::array<std::string_view, N> names_{};
  std::array<T, N> values_{};
};

/// @brief A name_table of `entries`: make_name_table<partition_mode>("partitions", {{{"random", ...}, ...}}).
template <class T, std::size_t N>
[[nodiscard]] constexpr name_table<T, N> make_name_table(std::string_view kind, const name_entry<T> (&entries)[N]) {
  std::array<name_entry<T>, N> a{};
  for (std::size_t i = 0; i < N; ++i) a[i] = entries[i];
  return name_table<T, N>(kind, a);
}

/// @brief The name of a policy type as programs spell it: its static `name()` (or `name` constant).
///
/// Specialise it for a type whose name is not its own static name() (trust_schedule<G, L> is
/// named by its global trust G).
template <class T>
struct type_name {
  /// the name
  static constexpr std::string_view value = [] {
    if constexpr (requires { T::name(); })
      return std::string_view(T::name());
    else
      return std::string_view(T::name);
  }();
};

namespace detail {
template <class List>
struct type_list_of;  // nacs/detail/core/names.hpp
template <class V, std::size_t... I>
V variant_at(std::size_t i, std::index_sequence<I...>);
}  // namespace detail

/// @brief The table of a type list (a std::variant or std::tuple of policy types): each type's
/// type_name, its value the type's position in the list.
/// @param[in] kind what is named, for messages
template <class List>
[[nodiscard]] constexpr auto types_name_table(std::string_view kind) {
  using L = detail::type_list_of<List>;
  std::array<name_entry<std::size_t>, L::size> a{};
  for (std::size_t i = 0; i < L::size; ++i) a[i] = {L::names[i], i};
  return name_table<std::size_t, L::size>(kind, a);
}

/// @brief The position of T in the type list `List` (a std::variant or std::tuple); a compile error if absent.
template <class List, class T>
inline constexpr std::size_t type_position = [] {
  constexpr std::size_t i = detail::type_list_of<List>::template position<T>();
  static_assert(i < detail::type_list_of<List>::size, "the type is not in the list");
  return i;
}();

/// @brief The variant V holding its alternative number i, default-constructed.
/// @throws nacs::error errc::invalid_argument for i >= std::variant_size_v<V>
template <class V>
[[nodiscard]] V variant_at(std::size_t i) {
  NACS_EXPECTS(i < std::variant_size_v<V>, errc::invalid_argument,
               "nacs::variant_at: alternative " + std::to_string(i) + " of " +
                   std::to_string(std::variant_size_v<V>));
  return detail::variant_at<V>(i, std::make_index_sequence<std::variant_size_v<V>>{});
}

template <class T, std::size_t N>
std::size_t name_table<T, N>::index(std::string_view name) const {
  return parse_name(kind_, names(), name);
}

}  // namespace nacs

#include <nacs/detail/core/names.hpp>
