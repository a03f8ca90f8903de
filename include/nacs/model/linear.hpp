// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief A fully connected layer y = x W + b, forward and backward, batch-major.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include <nacs/detail/model/eigen.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/parameter.hpp>

namespace nacs::nn {

/// @brief y = x W + b for a batch x of rows: W is in x out, b is 1 x out.
///
/// Products go through Eigen on fixed tiles of rows (forward, input gradient)
/// or fixed slices of W's rows (weight gradient), each tile single-threaded;
/// par runs tiles on OpenMP threads. The tiles never depend on the thread
/// count, so seq and par give the same bits.
/// @tparam T float or double
template <class T>
class linear {
 public:
  parameter<T> weight;  ///< in x out (row i holds input i's weights to every output)
  parameter<T> bias;    ///< 1 x out

  linear() = default;
  /// @brief A layer initialised as PyTorch does: W and b uniform in [-1/sqrt(in), 1/sqrt(in)).
  /// @param[in] in, out input and output widths (> 0)
  /// @param[in] name    prefix of the parameter names ("<name>.weight", "<name>.bias")
  /// @param[in] seed    initialisation seed; the weight uses stream `stream`, the bias `stream + 1`
  linear(std::size_t in, std::size_t out, const std::string& name, std::uint64_t seed = 0, std::uint64_t stream = 0)
      : weight(name + ".weight", in, out), bias(name + ".bias", 1, out) {
    NACS_EXPECTS(in > 0 && out > 0, errc::invalid_argument,
                 "nacs::nn::linear: widths must be > 0 (got " + std::to_string(in) + " -> " + std::to_string(out) + ")");
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    fill_uniform(weight, bound, seed, stream);
    fill_uniform(bias, bound, seed, stream + 1);
  }

  /// @brief Input width.
  [[nodiscard]] std::size_t in() const noexcept { return weight.rows; }
  /// @brief Output width.
  [[nodiscard]] std::size_t out() const noexcept { return weight.cols; }

  /// @brief y = x W + b.
  /// @param[in]  policy nacs::seq or nacs::par
  /// @param[in]  x      B x in
  /// @param[out] y      B x out (must not overlap x)
  template <host_policy P>
  void forward(const P& policy, matrix_view<const T> x, matrix_view<T> y) const {
    detail::require_backend<P>();
    detail::expect_shape(x, x.rows(), in(), "nacs::nn::linear::forward", "x");
    detail::expect_shape(y, x.rows(), out(), "nacs::nn::linear::forward", "y");
    const auto w = detail::eigen_of(weight.values());
    const auto b = detail::eigen_of(bias.values());
    detail::for_each_range(policy, x.rows(), detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      auto yt = detail::eigen_rows_of(y, r0, r1);
      yt.noalias() = detail::eigen_rows_of(x, r0, r1) * w;
      yt.rowwise() += b.row(0);
    }, in() * out());
  }

  /// @brief Gradients of this layer for upstream gradient dy: weight.grad = x^T dy, bias.grad = column sums of dy,
  ///        and dx = dy W^T when dx is given.
  /// @param[in]  policy nacs::seq or nacs::par
  /// @param[in]  x      the forward input, B x in
  /// @param[in]  dy     d loss / d y, B x out
  /// @param[out] dx     d loss / d x, B x in, or a default-constructed view to skip it
  template <host_policy P>
  void backward(const P& policy, matrix_view<const T> x, matrix_view<const T> dy, matrix_view<T> dx) {
    detail::require_backend<P>();
    const std::size_t n = x.rows();
    detail::expect_shape(x, n, in(), "nacs::nn::linear::backward", "x");
    detail::expect_shape(dy, n, out(), "nacs::nn::linear::backward", "dy");
    if (!detail::is_absent(dx)) detail::expect_shape(dx, n, in(), "nacs::nn::linear::backward", "dx");
    // Weight gradient by slices of W's rows, each over the whole batch: no partial sums to add.
    const std::size_t slice = weight_slice(in());
    auto gw = detail::eigen_of(weight.gradient());
    const auto dyy = detail::eigen_of(dy);
    const auto xx = detail::eigen_of(x);
    detail::for_each_range(policy, in(), slice, [&](std::size_t i0, std::size_t i1) {
      const auto ni = static_cast<Eigen::Index>(i1 - i0);
      if (n == 0) {
        gw.middleRows(static_cast<Eigen::Index>(i0), ni).setZero();
        return;
      }
      gw.middleRows(static_cast<Eigen::Index>(i0), ni).noalias() =
          xx.middleCols(static_cast<Eigen::Index>(i0), ni).transpose() * dyy;
    }, n * out());
    column_sums(policy, dy, bias.grad.data());
    if (!detail::is_absent(dx)) {
      const auto w = detail::eigen_of(weight.values());
      detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
        detail::eigen_rows_of(dx, r0, r1).noalias() = detail::eigen_rows_of(dy, r0, r1) * w.transpose();
      }, in() * out());
    }
  }

  /// @brief out[j] = sum over rows of m(i, j), accumulated in double over 16-column slices (same bits on any policy).
  template <host_policy P>
  static void column_sums(const P& policy, matrix_view<const T> m, T* out) {
    detail::for_each_range(policy, m.cols(), 16, [&](std::size_t c0, std::size_t c1) {
      double acc[16] = {};
      for (std::size_t i = 0; i < m.rows(); ++i) {
        const T* row = m.row_ptr(i);
        for (std::size_t j = c0; j < c1; ++j) acc[j - c0] += static_cast<double>(row[j]);
      }
      for (std::size_t j = c0; j < c1; ++j) out[j] = static_cast<T>(acc[j - c0]);
    }, m.rows());
  }

 private:
  // Rows of W per weight-gradient slice: about an eighth of them, a multiple of 8.
  static std::size_t weight_slice(std::size_t in) noexcept { return std::max<std::size_t>(8, (in / 8 + 7) / 8 * 8); }
};

}  // namespace nacs::nn
