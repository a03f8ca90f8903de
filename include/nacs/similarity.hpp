// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Similarity policies for facility location, and the similarity kernel they build.
///
/// A similarity policy says how similar two rows are: from their embeddings
/// (computed by nacs) or from a precomputed dense N x N matrix of distances
/// (the policy is applied to each entry) or of similarities (used as given).
/// Facility location builds one kernel per partition: a P x P matrix of
/// similarities in float, whatever the input's type (gains and objectives
/// are accumulated in double). Distances are computed directly as
/// sqrt(sum_k (a_k - b_k)^2), with the same operations for every pair, so
/// d(a, a) == 0 exactly, d(a, b) == d(b, a) bitwise and duplicate rows get
/// bitwise identical kernel columns (their ties stay exact ties).
///
/// Memory: a kernel of P rows takes P * round_up(P, 32) * 4 bytes (N = 10000:
/// 0.37 GiB; N = 32768: 4 GiB) plus 2 * P * d values for the packed rows; it
/// is checked against nacs::memory_limit() before anything is allocated.
#pragma once

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/core/names.hpp>
#include <nacs/core/types.hpp>
#include <nacs/detail/similarity/buffer.hpp>
#include <nacs/detail/similarity/ops.hpp>
#include <nacs/execution.hpp>

namespace nacs {

namespace detail {
struct kernel_access;

inline void expect_positive_finite(double v, const char* what) {
  NACS_EXPECTS(std::isfinite(v) && v > 0.0, errc::invalid_argument,
               std::string(what) + " is " + std::to_string(v) + ": it must be finite and > 0");
}
}  // namespace detail

/// @name Writing a similarity
/// A similarity policy is a small struct of settings (such as exp_distance's
/// gamma) with two members:
///
/// - `name()`: its name, as programs spell it ("exp-distance"); and
/// - `resolve(d)`: checks the settings and fills in their defaults for rows of
///   d values (d == 0: a precomputed distance matrix), throwing nacs::error for
///   a bad setting, and returns the *step* the kernel runs: a trivially
///   copyable struct whose members are NACS_HOST_DEVICE, so that the same
///   struct serves the CPU kernels and the CUDA kernels.
///
/// A step has (op is the step, acc starts at 0, a and b are the two rows' k-th values):
///
/// - `op.accumulate(acc, a, b)`, once per dimension, in the rows' type
///   (float or double): acc is updated in place. It must give the same bits
///   for (a, b) and (b, a): the kernel computes one triangle and mirrors it.
///   Written as a template over the accumulator type V and element type E
///   (`template <class V, class E> void accumulate(V& acc, E a, const V& b)`),
///   the CPU tiles run it on SIMD vectors (V a GCC vector of E, a broadcast);
///   otherwise, and in code compiled by nvcc (which rejects vector types in
///   __host__ __device__ functions), one lane at a time.
/// - optional host-only `op.accumulate_simd(acc, a, b)`: the vector form, used
///   by the CPU tiles in every build (the built-ins have one).
/// - `op.epilogue(q)`: the similarity, in float, from the accumulated value.
/// - optional `op.from_distance(dist)`: the similarity from a distance, which
///   makes the policy a distance_similarity (usable with a distance_matrix);
///   accumulate must then sum squared differences.
/// - optional `op.shift(largest)`: the kernel stores C - value with
///   C = shift(the partition's largest value) (neg_distance's C).
/// - optional `static constexpr bool unit_rows = true`: rows are scaled to unit
///   length (in double) before accumulate (cosine).
/// - optional host-only `op.epilogue16(q, s)` / `op.from_distance16(d, s)`:
///   16 values at once, with the same bits as the scalar member (the built-ins
///   use the SIMD sqrt and exp of detail/similarity/simd.hpp).
///
/// A policy written this way (in any namespace) works everywhere the
/// built-ins do: make_kernel, facility_location, seq and par (bitwise equal),
/// and nacs::cuda. To be named on a command line (nacs-greedy --similarity,
/// coreset_config::similarity), add it to similarity_choice below.
/// @{

/// @brief s(a, b) = C - ||a - b||, the paper's Eq. 6 and the default.
///
/// C defaults to the largest distance between two rows of the partition, so
/// every similarity is >= 0 and the farthest pair has similarity 0. Which
/// rows greedy picks does not depend on C as long as C is at least that
/// distance; a smaller C makes some similarities negative, and facility
/// location counts a negative best similarity as 0.
struct neg_distance {
  std::optional<double> shift{};  ///< C; empty: the partition's largest distance
  /// @brief "neg-distance".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "neg-distance"; }
  /// @brief The kernel step; throws nacs::error invalid_argument for a non-finite shift.
  [[nodiscard]] detail::neg_distance_op resolve(std::size_t /*dim*/) const {
    if (!shift) return {.c = 0.0f, .from_max = true};
    NACS_EXPECTS(std::isfinite(*shift), errc::invalid_argument,
                 "neg_distance.shift must be finite; leave it empty to use the partition's largest distance");
    return {.c = static_cast<float>(*shift), .from_max = false};
  }
  friend bool operator==(const neg_distance&, const neg_distance&) = default;
};

/// @brief s(a, b) = exp(-||a - b|| / gamma); gamma defaults to the embedding dimension d.
///
/// This is what submodlib calls its euclidean kernel, and what the paper's
/// solver benchmark (Tables 1 and 8) uses.
struct exp_distance {
  std::optional<double> gamma{};  ///< > 0; empty: d (required with a distance_matrix)
  /// @brief "exp-distance".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "exp-distance"; }
  /// @brief The kernel step; throws nacs::error invalid_argument for a bad or missing gamma.
  [[nodiscard]] detail::exp_distance_op resolve(std::size_t dim) const {
    NACS_EXPECTS(gamma || dim > 0, errc::invalid_argument,
                 "exp_distance on a distance matrix needs gamma (its default, the embedding dimension d, is unknown "
                 "there): set exp_distance{.gamma = ...}");
    const double g = gamma.value_or(static_cast<double>(dim));
    detail::expect_positive_finite(g, "exp_distance.gamma");
    return {.scale = static_cast<float>(-1.0 / g)};
  }
  friend bool operator==(const exp_distance&, const exp_distance&) = default;
};

/// @brief s(a, b) = <a, b> / (||a|| ||b||), in [-1, 1]; 0 when either row is all zeros.
struct cosine {
  /// @brief "cosine".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "cosine"; }
  /// @brief The kernel step (no settings to check).
  [[nodiscard]] static constexpr detail::cosine_op resolve(std::size_t /*dim*/) noexcept { return {}; }
  friend bool operator==(const cosine&, const cosine&) = default;
};

/// @brief s(a, b) = exp(-gamma ||a - b||^2); gamma defaults to 1 / d.
struct rbf {
  std::optional<double> gamma{};  ///< > 0; empty: 1 / d (required with a distance_matrix)
  /// @brief "rbf".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "rbf"; }
  /// @brief The kernel step; throws nacs::error invalid_argument for a bad or missing gamma.
  [[nodiscard]] detail::rbf_op resolve(std::size_t dim) const {
    NACS_EXPECTS(gamma || dim > 0, errc::invalid_argument,
                 "rbf on a distance matrix needs gamma (its default, 1 / d, is unknown there): set rbf{.gamma = ...}");
    const double g = gamma.value_or(dim > 0 ? 1.0 / static_cast<double>(dim) : 0.0);
    detail::expect_positive_finite(g, "rbf.gamma");
    return {.scale = static_cast<float>(-g)};
  }
  friend bool operator==(const rbf&, const rbf&) = default;
};

/// @brief A kernel step (what a similarity policy's resolve() returns): see "Writing a similarity".
template <class Op>
concept similarity_step = std::is_trivially_copyable_v<Op> &&
                          requires(const Op& op, float& fa, float f, double& da, double d) {
                            op.accumulate(fa, f, fa);
                            op.accumulate(da, d, da);
                            { op.epilogue(f) } -> std::same_as<float>;
                          };

/// @brief A similarity policy: a name and a resolve(d) that returns a similarity_step.
template <class S>
concept similarity_policy = std::copy_constructible<S> && requires(const S& s, std::size_t dim) {
  { s.name() } -> std::convertible_to<std::string_view>;
  { s.resolve(dim) } -> similarity_step;
};

/// @brief A similarity policy that is a function of the distance (its step has from_distance): all built-ins but cosine.
template <class S>
concept distance_similarity = similarity_policy<S> && requires(const S& s, std::size_t dim, float dist) {
  { s.resolve(dim).from_distance(dist) } -> std::same_as<float>;
};

/// @brief The policy's name as the command-line examples spell it ("neg-distance", ...).
template <similarity_policy S>
constexpr std::string_view similarity_name(const S& s) noexcept(noexcept(s.name())) {
  return s.name();
}

/// @}

/// @brief Prints a policy and its setting, e.g. "exp-distance{gamma=d}".
inline std::ostream& operator<<(std::ostream& os, const neg_distance& s) {
  os << "neg-distance{shift=";
  if (s.shift) os << *s.shift; else os << "max distance";
  return os << '}';
}
inline std::ostream& operator<<(std::ostream& os, const exp_distance& s) {
  os << "exp-distance{gamma=";
  if (s.gamma) os << *s.gamma; else os << 'd';
  return os << '}';
}
inline std::ostream& operator<<(std::ostream& os, const cosine&) { return os << "cosine{}"; }
inline std::ostream& operator<<(std::ostream& os, const rbf& s) {
  os << "rbf{gamma=";
  if (s.gamma) os << *s.gamma; else os << "1/d";
  return os << '}';
}

/// @brief The similarities programs can name, in the order of similarity_names() (the first is the default).
///
/// The one table from names to similarities: nacs-greedy's and nacs-coreset's
/// --similarity and the pipeline's coreset_config::similarity go through it.
/// Adding a default-constructible policy here is all a program needs to know it:
/// its name() is the flag's value, and --gamma reaches it if it has a `gamma` setting.
using similarity_choice = std::variant<neg_distance, exp_distance, cosine, rbf>;

namespace detail {
template <class S>
concept has_gamma = requires(S s, std::optional<double> g) { s.gamma = g; };

template <std::size_t... I>
constexpr std::size_t similarity_gamma_count(std::index_sequence<I...>) noexcept {
  return (std::size_t{has_gamma<std::variant_alternative_t<I, similarity_choice>>} + ...);
}
template <std::size_t N, std::size_t... I>
constexpr auto similarity_gamma_table(std::index_sequence<I...>) noexcept {
  std::array<std::string_view, N> out{};
  std::size_t n = 0;
  ((has_gamma<std::variant_alternative_t<I, similarity_choice>>
        ? void(out[n++] = std::variant_alternative_t<I, similarity_choice>{}.name())
        : void()),
   ...);
  return out;
}
using similarity_indices = std::make_index_sequence<std::variant_size_v<similarity_choice>>;
}  // namespace detail

/// @brief similarity_choice's name table (its policies' name()s).
inline constexpr auto similarity_table = types_name_table<similarity_choice>("similarity");

/// @brief The names of similarity_choice's policies, in order: neg-distance, exp-distance, cosine, rbf.
[[nodiscard]] inline std::span<const std::string_view> similarity_names() noexcept { return similarity_table.names(); }

/// @brief The names of the policies that take a kernel width `gamma` (exp-distance, rbf).
[[nodiscard]] inline std::span<const std::string_view> similarity_gamma_names() noexcept {
  static constexpr auto names = detail::similarity_gamma_table<detail::similarity_gamma_count(detail::similarity_indices{})>(
      detail::similarity_indices{});
  return names;
}

/// @brief The similarity called `name` (similarity_names()), with its gamma set to `gamma` when given.
/// @throws nacs::error errc::invalid_argument for an unknown name (suggesting the nearest), or a gamma
///         given to a policy without one
[[nodiscard]] inline similarity_choice make_similarity(std::string_view name, std::optional<double> gamma = std::nullopt) {
  similarity_choice s = variant_at<similarity_choice>(similarity_table.parse(name));
  if (gamma) {
    std::visit(
        [&](auto& p) {
          if constexpr (detail::has_gamma<std::remove_cvref_t<decltype(p)>>) {
            p.gamma = gamma;
          } else {
            NACS_FAIL(errc::invalid_argument, "gamma applies to the similarities ", join_names(similarity_gamma_names()),
                      ", not ", name);
          }
        },
        s);
  }
  return s;
}

/// @brief A precomputed N x N similarity matrix, used as given: values(i, j) = s(i, j),
/// how well row j represents row i (it need not be symmetric).
template <class T>
struct similarity_matrix {
  matrix_view<const T> values;  ///< N x N, finite
};
template <class T>
similarity_matrix(matrix_view<T>) -> similarity_matrix<std::remove_const_t<T>>;

/// @brief A precomputed N x N distance matrix; a distance_similarity policy turns each entry into a similarity.
template <class T>
struct distance_matrix {
  matrix_view<const T> values;  ///< N x N, finite and >= 0
};
template <class T>
distance_matrix(matrix_view<T>) -> distance_matrix<std::remove_const_t<T>>;

/// @brief A square similarity kernel in float: entry (i, j) = s(i, j).
///
/// Stored by column, column j (the similarity of every row to row j, what a
/// greedy gain of j reads) contiguous, 64-byte aligned and padded with zeros
/// to stride() floats, a multiple of 32.
class similarity_kernel {
 public:
  similarity_kernel() = default;

  /// @brief Number of rows (and columns).
  [[nodiscard]] row_index size() const noexcept { return n_; }
  /// @brief Floats from one column to the next (size() rounded up to 32).
  [[nodiscard]] std::size_t stride() const noexcept { return ld_; }
  /// @brief s(i, j): how similar row i is to row j.
  [[nodiscard]] float operator()(row_index i, row_index j) const noexcept {
    return data_[static_cast<std::size_t>(j) * ld_ + static_cast<std::size_t>(i)];
  }
  /// @brief Column j: s(0, j) .. s(size() - 1, j), then zeros up to stride().
  [[nodiscard]] const float* column(row_index j) const noexcept {
    return data_.data() + static_cast<std::size_t>(j) * ld_;
  }
  /// @brief True when s(i, j) == s(j, i) for every pair (always for embeddings).
  [[nodiscard]] bool symmetric() const noexcept { return symmetric_; }
  /// @brief The C of a shifted similarity (neg_distance's; 0 for the other built-ins).
  [[nodiscard]] double shift() const noexcept { return shift_; }
  /// @brief Bytes held.
  [[nodiscard]] std::size_t bytes() const noexcept { return data_.size() * sizeof(float); }
  /// @brief Bytes a kernel of n rows holds.
  [[nodiscard]] static constexpr std::size_t bytes_for(row_index n) noexcept {
    const auto un = static_cast<std::size_t>(n);
    return un * detail::round_up(un, 32) * sizeof(float);
  }

 private:
  friend struct detail::kernel_access;
  detail::aligned_array<float> data_;
  row_index n_ = 0;
  std::size_t ld_ = 0;
  bool symmetric_ = true;
  double shift_ = 0.0;
};

/// @brief The similarity kernel of embedding rows x (N x d) under a policy.
/// @tparam P an execution policy (seq or par: par computes tiles on several threads, with identical results)
/// @param[in] policy where to run
/// @param[in] x embeddings, N x d, finite, N >= 1, d >= 1
/// @param[in] sim the similarity policy
/// @param[in] memory_limit replaces nacs::memory_limit() for this call
/// @throws nacs::error invalid_data (empty, NaN/Inf), invalid_argument (bad policy setting), memory_limit
template <class P, class T, similarity_policy S>
similarity_kernel make_kernel(const P& policy, matrix_view<T> x, const S& sim,
                              std::optional<std::size_t> memory_limit = std::nullopt);

/// @brief The similarity kernel of a precomputed distance matrix under a distance_similarity policy.
template <class P, class T, distance_similarity S>
similarity_kernel make_kernel(const P& policy, distance_matrix<T> d, const S& sim,
                              std::optional<std::size_t> memory_limit = std::nullopt);

/// @brief The similarity kernel of a precomputed similarity matrix (a float copy, column-major).
template <class P, class T>
similarity_kernel make_kernel(const P& policy, similarity_matrix<T> s,
                              std::optional<std::size_t> memory_limit = std::nullopt);

}  // namespace nacs

#include <nacs/detail/similarity/kernel.hpp>
