// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The DCNv2 full-rank cross layer x_{l+1} = x_0 * (x_l W + b) + x_l.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <nacs/detail/model/eigen.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/linear.hpp>

namespace nacs::nn {

/// @brief One DCNv2 cross layer (Wang et al., WWW 2021), full rank: y = x0 ⊙ (xl W + b) + xl.
///
/// x0 is the stack's input (the concatenated embeddings), xl this layer's
/// input; all three are B x width. The product u = xl W + b is kept for backward.
/// @tparam T float or double
template <class T>
class cross_layer {
 public:
  linear<T> transform;  ///< W (width x width) and b (1 x width), initialised as nn::linear

  cross_layer() = default;
  /// @param[in] width x's width (fields * embedding dim)
  /// @param[in] name  parameter name prefix
  /// @param[in] seed, stream initialisation stream (the layer uses stream and stream + 1)
  cross_layer(std::size_t width, const std::string& name, std::uint64_t seed = 0, std::uint64_t stream = 0)
      : transform(width, width, name, seed, stream) {}

  /// @brief Width of x.
  [[nodiscard]] std::size_t width() const noexcept { return transform.in(); }

  /// @brief y = x0 ⊙ (xl W + b) + xl (y must not overlap x0 or xl).
  template <host_policy P>
  void forward(const P& policy, matrix_view<const T> x0, matrix_view<const T> xl, matrix_view<T> y) {
    detail::require_backend<P>();
    const std::size_t n = x0.rows(), w = width();
    detail::expect_shape(x0, n, w, "nacs::nn::cross_layer::forward", "x0");
    detail::expect_shape(xl, n, w, "nacs::nn::cross_layer::forward", "xl");
    detail::expect_shape(y, n, w, "nacs::nn::cross_layer::forward", "y");
    rows_ = n;
    matrix_view<T> u(u_.get(n * w), n, w);
    transform.forward(policy, xl, u);
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = 0; j < w; ++j) y(i, j) = x0(i, j) * u(i, j) + xl(i, j);
    }, w);
  }

  /// @brief Gradients for upstream dy: W and b's, dxl = (dy ⊙ x0) W^T + dy, and dx0 += dy ⊙ u.
  /// @param[in]     x0, xl the forward inputs
  /// @param[in]     dy     d loss / d y
  /// @param[in,out] dx0    d loss / d x0, added to (the stack's layers all feed it)
  /// @param[out]    dxl    d loss / d xl (must not overlap dy)
  template <host_policy P>
  void backward(const P& policy, matrix_view<const T> x0, matrix_view<const T> xl, matrix_view<const T> dy,
                matrix_view<T> dx0, matrix_view<T> dxl) {
    detail::require_backend<P>();
    const std::size_t n = x0.rows(), w = width();
    NACS_EXPECTS(n == rows_, errc::invalid_argument,
                 "nacs::nn::cross_layer::backward: the batch differs from the last forward's; call forward first");
    detail::expect_shape(xl, n, w, "nacs::nn::cross_layer::backward", "xl");
    detail::expect_shape(dy, n, w, "nacs::nn::cross_layer::backward", "dy");
    detail::expect_shape(dx0, n, w, "nacs::nn::cross_layer::backward", "dx0");
    detail::expect_shape(dxl, n, w, "nacs::nn::cross_layer::backward", "dxl");
    matrix_view<T> u(u_.get(n * w), n, w);
    matrix_view<T> du(du_.get(n * w), n, w);
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = 0; j < w; ++j) {
          du(i, j) = dy(i, j) * x0(i, j);
          dx0(i, j) += dy(i, j) * u(i, j);
        }
    }, 2 * w);
    transform.backward(policy, xl, matrix_view<const T>(du), dxl);
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = 0; j < w; ++j) dxl(i, j) += dy(i, j);
    }, w);
  }

 private:
  std::size_t rows_ = 0;
  detail::scratch<T> u_, du_;
};

}  // namespace nacs::nn
