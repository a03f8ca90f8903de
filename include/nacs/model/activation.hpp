// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief ReLU and dropout layers (dropout masks are replayable: no mask is stored).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/mode.hpp>

namespace nacs::nn {

/// @brief y = max(x, 0) elementwise.
struct relu {
  /// @brief y = max(x, 0) (y may equal x).
  template <host_policy P, class T>
  static void forward(const P& policy, matrix_view<const T> x, matrix_view<T> y) {
    detail::require_backend<P>();
    detail::expect_shape(y, x.rows(), x.cols(), "nacs::nn::relu::forward", "y");
    detail::for_each_range(policy, x.rows(), detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = 0; j < x.cols(); ++j) y(i, j) = x(i, j) > T(0) ? x(i, j) : T(0);
    }, x.cols());
  }
  /// @brief dx = dy where the forward output y is > 0, else 0 (dx may equal dy).
  template <host_policy P, class T>
  static void backward(const P& policy, matrix_view<const T> y, matrix_view<const T> dy, matrix_view<T> dx) {
    detail::require_backend<P>();
    detail::expect_shape(dy, y.rows(), y.cols(), "nacs::nn::relu::backward", "dy");
    detail::expect_shape(dx, y.rows(), y.cols(), "nacs::nn::relu::backward", "dx");
    detail::for_each_range(policy, y.rows(), detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = 0; j < y.cols(); ++j) dx(i, j) = y(i, j) > T(0) ? dy(i, j) : T(0);
    }, y.cols());
  }
};

/// @brief Inverted dropout with a counter-based mask: y = x * m / (1 - rate), m ~ Bernoulli(1 - rate).
///
/// The mask of row r is nacs::dropout_mask(key, layer, rate) at row key r: by
/// default the row's position in the batch, or row_keys[r] (e.g. its index in
/// the data set) when given, so the same row gets the same mask whatever batch
/// it is in. backward() regenerates the mask from the key instead of storing it.
/// In forward_mode::eval it is the identity.
class dropout {
 public:
  double rate = 0.5;         ///< drop probability in [0, 1)
  std::uint32_t layer = 0;   ///< index of this dropout layer in its model (< 256), part of the mask key

  dropout() = default;
  /// @param[in] rate_  drop probability in [0, 1)
  /// @param[in] layer_ index of the layer in its model, < 256
  explicit dropout(double rate_, std::uint32_t layer_ = 0) : rate(rate_), layer(layer_) { validate(rate, layer); }

  /// @brief Throws errc::invalid_argument unless rate is in [0, 1) and layer < 256.
  static void validate(double rate, std::uint32_t layer) {
    NACS_EXPECTS(rate >= 0.0 && rate < 1.0, errc::invalid_argument,
                 "nacs::nn::dropout: rate must lie in [0, 1) (got " + std::to_string(rate) + ")");
    NACS_EXPECTS(layer < 256, errc::invalid_argument, "nacs::nn::dropout: at most 256 dropout layers per model");
  }

  /// @brief Applies the mask of (key, layer, row keys) in train / mc_dropout mode; copies x in eval mode.
  /// @param[in] row_keys one key per row, or empty for the row positions 0..B-1
  template <host_policy P, class T>
  void forward(const P& policy, matrix_view<const T> x, matrix_view<T> y, forward_mode mode, dropout_key key,
               std::span<const row_index> row_keys = {}) {
    detail::require_backend<P>();
    detail::expect_shape(y, x.rows(), x.cols(), "nacs::nn::dropout::forward", "y");
    check_keys(x.rows(), row_keys);
    mode_ = mode;
    key_ = key;
    apply(policy, x, y, row_keys);
  }
  /// @brief dx = dy * (the forward's mask) / (1 - rate); pass the same row keys as the forward.
  template <host_policy P, class T>
  void backward(const P& policy, matrix_view<const T> dy, matrix_view<T> dx,
                std::span<const row_index> row_keys = {}) const {
    detail::require_backend<P>();
    detail::expect_shape(dx, dy.rows(), dy.cols(), "nacs::nn::dropout::backward", "dx");
    check_keys(dy.rows(), row_keys);
    apply(policy, dy, dx, row_keys);
  }

 private:
  static void check_keys(std::size_t rows, std::span<const row_index> keys) {
    NACS_EXPECTS(keys.empty() || keys.size() == rows, errc::invalid_argument,
                 "nacs::nn::dropout: " + std::to_string(keys.size()) + " row keys for " + std::to_string(rows) +
                     " rows; give one per row or none");
  }
  template <host_policy P, class T>
  void apply(const P& policy, matrix_view<const T> x, matrix_view<T> y, std::span<const row_index> keys) const {
    const bool active = dropout_active(mode_) && rate > 0.0;
    const dropout_mask mask(key_, layer, rate);
    const std::size_t c = x.cols();
    detail::for_each_range(policy, x.rows(), detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        if (active) {
          mask.for_each_factor<T>(keys.empty() ? i : static_cast<std::uint64_t>(keys[i]), c,
                                  [&](std::size_t j, T f) { y(i, j) = x(i, j) * f; });
        } else {
          for (std::size_t j = 0; j < c; ++j) y(i, j) = x(i, j);
        }
      }
    }, 4 * c);
  }
  forward_mode mode_ = forward_mode::eval;
  dropout_key key_{};
};

}  // namespace nacs::nn
