// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief A trainable tensor of the model layer: values, gradients and, for embedding tables, the touched rows.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/philox.hpp>

namespace nacs {

/// @brief One trainable tensor: a rows x cols row-major value array and its gradient.
///
/// Layers write `grad` in their backward pass (they overwrite it, they do not
/// add to it). A dense parameter's whole gradient is valid after a backward.
/// A sparse parameter (an embedding table, `sparse == true`) only has gradient
/// rows for the ids seen in the batch: they are listed in `touched`, every other
/// gradient row is zero, and the optimizer updates only the touched rows.
/// @tparam T float or double
template <class T>
struct parameter {
  std::string name;                   ///< e.g. "mlp.0.linear.weight", for messages and dumps
  std::size_t rows = 0;               ///< first dimension (table rows, input features, ...)
  std::size_t cols = 0;               ///< second dimension (embedding width, output features, ...)
  std::vector<T> value;               ///< rows * cols values, row-major
  std::vector<T> grad;                ///< rows * cols gradient values, row-major
  bool sparse = false;                ///< an embedding table with row-sparse gradients
  std::vector<std::size_t> touched;   ///< sparse only: rows with a gradient from the last backward

  parameter() = default;
  /// @brief A zero-filled rows x cols parameter.
  parameter(std::string name_, std::size_t rows_, std::size_t cols_, bool sparse_ = false)
      : name(std::move(name_)), rows(rows_), cols(cols_), value(checked(rows_, cols_)), grad(value.size()),
        sparse(sparse_) {}

  /// @brief Number of values (rows * cols).
  [[nodiscard]] std::size_t size() const noexcept { return value.size(); }
  /// @brief The values as a rows x cols matrix view.
  [[nodiscard]] matrix_view<T> values() noexcept { return {value.data(), rows, cols}; }
  [[nodiscard]] matrix_view<const T> values() const noexcept { return {value.data(), rows, cols}; }
  /// @brief The gradient as a rows x cols matrix view.
  [[nodiscard]] matrix_view<T> gradient() noexcept { return {grad.data(), rows, cols}; }
  [[nodiscard]] matrix_view<const T> gradient() const noexcept { return {grad.data(), rows, cols}; }

 private:
  static std::size_t checked(std::size_t r, std::size_t c) {
    NACS_EXPECTS(c == 0 || r <= static_cast<std::size_t>(-1) / c, errc::invalid_argument,
                 "nacs::parameter: rows * cols overflows size_t");
    return r * c;
  }
};

/// @brief Fills a parameter with uniform values in [-bound, bound), drawn from stream `stream` of `seed`.
template <class T>
void fill_uniform(parameter<T>& p, double bound, std::uint64_t seed, std::uint64_t stream) {
  random_stream rng(seed, stream);
  for (T& v : p.value) v = static_cast<T>((2.0 * rng.uniform() - 1.0) * bound);
}

/// @brief Fills a parameter with normal values of mean 0 and standard deviation `stddev`.
template <class T>
void fill_normal(parameter<T>& p, double stddev, std::uint64_t seed, std::uint64_t stream) {
  random_stream rng(seed, stream);
  for (T& v : p.value) v = static_cast<T>(rng.normal() * stddev);
}

/// @brief Sets every value of a parameter to `v`.
template <class T>
void fill_constant(parameter<T>& p, T v) {
  for (T& x : p.value) x = v;
}

}  // namespace nacs
