// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Batch normalisation over a batch of rows: training and evaluation modes, running statistics.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/mode.hpp>
#include <nacs/model/parameter.hpp>

namespace nacs::nn {

/// @brief y = gamma (x - mu) / sqrt(var + eps) + beta per feature (column), as PyTorch's BatchNorm1d.
///
/// forward_mode::train normalises with the batch's mean and biased variance and
/// updates the running statistics: running = (1 - momentum) running + momentum
/// batch, with the unbiased variance (n / (n - 1)) for running_var (a batch of
/// one row leaves running_var unchanged). eval and mc_dropout normalise with
/// the running statistics. Means and variances are accumulated in double, per
/// 16-column slice over all rows in order, so seq and par give the same bits.
/// backward() uses the statistics of the last forward().
/// @tparam T float or double
template <class T>
class batch_norm {
 public:
  parameter<T> gamma;              ///< 1 x features, initialised to 1
  parameter<T> beta;               ///< 1 x features, initialised to 0
  std::vector<T> running_mean;     ///< features, initialised to 0
  std::vector<T> running_var;      ///< features, initialised to 1
  double epsilon = 1e-5;           ///< added to the variance
  double momentum = 0.1;           ///< weight of the batch in the running statistics

  batch_norm() = default;
  /// @param[in] features number of columns (> 0)
  /// @param[in] name     parameter name prefix ("<name>.gamma", "<name>.beta")
  batch_norm(std::size_t features, const std::string& name, double eps = 1e-5, double momentum_ = 0.1)
      : gamma(name + ".gamma", 1, features),
        beta(name + ".beta", 1, features),
        running_mean(features, T(0)),
        running_var(features, T(1)),
        epsilon(eps),
        momentum(momentum_) {
    NACS_EXPECTS(features > 0, errc::invalid_argument, "nacs::nn::batch_norm: features must be > 0");
    NACS_EXPECTS(eps > 0 && momentum_ >= 0 && momentum_ <= 1, errc::invalid_argument,
                 "nacs::nn::batch_norm: eps must be > 0 and momentum in [0, 1]");
    fill_constant(gamma, T(1));
  }

  /// @brief Number of features.
  [[nodiscard]] std::size_t features() const noexcept { return gamma.cols; }

  /// @brief Normalises x into y (y may equal x).
  /// @param[in]  policy nacs::seq or nacs::par
  /// @param[in]  x      B x features
  /// @param[out] y      B x features
  /// @param[in]  mode   train: batch statistics (and update running ones); eval / mc_dropout: running statistics
  template <host_policy P>
  void forward(const P& policy, matrix_view<const T> x, matrix_view<T> y, forward_mode mode) {
    detail::require_backend<P>();
    const std::size_t n = x.rows(), c = features();
    detail::expect_shape(x, n, c, "nacs::nn::batch_norm::forward", "x");
    detail::expect_shape(y, n, c, "nacs::nn::batch_norm::forward", "y");
    batch_ = uses_batch_statistics(mode);
    rows_ = n;
    inv_std_.resize(c);
    mean_.resize(c);
    if (batch_) {
      NACS_EXPECTS(n > 0, errc::invalid_argument, "nacs::nn::batch_norm::forward: a training batch needs rows");
      // Two passes in double: the mean, then the mean squared deviation.
      detail::for_each_range(policy, c, 16, [&](std::size_t c0, std::size_t c1) {
        double s[16] = {}, q[16] = {};
        for (std::size_t i = 0; i < n; ++i) {
          const T* row = x.row_ptr(i);
          for (std::size_t j = c0; j < c1; ++j) s[j - c0] += static_cast<double>(row[j]);
        }
        for (std::size_t j = c0; j < c1; ++j) s[j - c0] /= static_cast<double>(n);
        for (std::size_t i = 0; i < n; ++i) {
          const T* row = x.row_ptr(i);
          for (std::size_t j = c0; j < c1; ++j) {
            const double d = static_cast<double>(row[j]) - s[j - c0];
            q[j - c0] += d * d;
          }
        }
        for (std::size_t j = c0; j < c1; ++j) {
          const double var = q[j - c0] / static_cast<double>(n);
          mean_[j] = s[j - c0];
          inv_std_[j] = 1.0 / std::sqrt(var + epsilon);
          running_mean[j] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_mean[j]) + momentum * s[j - c0]);
          if (n > 1) {
            const double unbiased = q[j - c0] / static_cast<double>(n - 1);
            running_var[j] = static_cast<T>((1.0 - momentum) * static_cast<double>(running_var[j]) + momentum * unbiased);
          }
        }
      }, 3 * n);
    } else {
      for (std::size_t j = 0; j < c; ++j) {
        mean_[j] = static_cast<double>(running_mean[j]);
        inv_std_[j] = 1.0 / std::sqrt(static_cast<double>(running_var[j]) + epsilon);
      }
    }
    // Per feature y = a x + b with a = gamma / std, b = beta - a mean; xhat kept for backward.
    scale_.resize(c);
    shift_.resize(c);
    istd_t_.resize(c);
    mean_t_.resize(c);
    for (std::size_t j = 0; j < c; ++j) {
      scale_[j] = static_cast<T>(static_cast<double>(gamma.value[j]) * inv_std_[j]);
      shift_[j] = static_cast<T>(static_cast<double>(beta.value[j]) -
                                 static_cast<double>(gamma.value[j]) * inv_std_[j] * mean_[j]);
      istd_t_[j] = static_cast<T>(inv_std_[j]);
      mean_t_[j] = static_cast<T>(mean_[j]);
    }
    T* xhat = xhat_.get(n * c);
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      const T* mean = mean_t_.data();
      const T* istd = istd_t_.data();
      const T* a = scale_.data();
      const T* b = shift_.data();
      for (std::size_t i = r0; i < r1; ++i) {
        const T* xr = x.row_ptr(i);
        T* yr = y.row_ptr(i);
        T* hr = xhat + i * c;
        // xhat is scratch that never aliases x or y; y may be x, so read x first.
        for (std::size_t j = 0; j < c; ++j) hr[j] = (xr[j] - mean[j]) * istd[j];
        for (std::size_t j = 0; j < c; ++j) yr[j] = a[j] * xr[j] + b[j];
      }
    }, 4 * c);
  }

  /// @brief Gradients for upstream gradient dy: gamma.grad, beta.grad and dx (dx may equal dy).
  ///
  /// Training-mode forward: dx = gamma / std (dy - mean(dy) - xhat mean(dy xhat)).
  /// Evaluation-mode forward: dx = gamma / std dy (the statistics are constants).
  template <host_policy P>
  void backward(const P& policy, matrix_view<const T> dy, matrix_view<T> dx) {
    detail::require_backend<P>();
    const std::size_t n = rows_, c = features();
    NACS_EXPECTS(inv_std_.size() == c, errc::invalid_argument,
                 "nacs::nn::batch_norm::backward: call forward() first");
    detail::expect_shape(dy, n, c, "nacs::nn::batch_norm::backward", "dy (rows of the last forward)");
    detail::expect_shape(dx, n, c, "nacs::nn::batch_norm::backward", "dx");
    const T* xhat = xhat_.get(n * c);
    mean_dy_.resize(c);
    mean_dyx_.resize(c);
    detail::for_each_range(policy, c, 16, [&](std::size_t c0, std::size_t c1) {
      double s[16] = {}, q[16] = {};
      for (std::size_t i = 0; i < n; ++i) {
        const T* g = dy.row_ptr(i);
        const T* h = xhat + i * c;
        for (std::size_t j = c0; j < c1; ++j) {
          s[j - c0] += static_cast<double>(g[j]);
          q[j - c0] += static_cast<double>(g[j]) * static_cast<double>(h[j]);
        }
      }
      for (std::size_t j = c0; j < c1; ++j) {
        beta.grad[j] = static_cast<T>(s[j - c0]);
        gamma.grad[j] = static_cast<T>(q[j - c0]);
        mean_dy_[j] = batch_ && n > 0 ? static_cast<T>(s[j - c0] / static_cast<double>(n)) : T(0);
        mean_dyx_[j] = batch_ && n > 0 ? static_cast<T>(q[j - c0] / static_cast<double>(n)) : T(0);
        scale_[j] = static_cast<T>(static_cast<double>(gamma.value[j]) * inv_std_[j]);
      }
    }, 3 * n);
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      const T* a = scale_.data();
      const T* mg = mean_dy_.data();
      const T* mgx = mean_dyx_.data();
      for (std::size_t i = r0; i < r1; ++i) {
        const T* g = dy.row_ptr(i);
        const T* h = xhat + i * c;
        T* d = dx.row_ptr(i);
        for (std::size_t j = 0; j < c; ++j) d[j] = a[j] * (g[j] - mg[j] - h[j] * mgx[j]);
      }
    }, 4 * c);
  }

 private:
  bool batch_ = false;
  std::size_t rows_ = 0;
  std::vector<double> mean_, inv_std_;
  std::vector<T> scale_, shift_, istd_t_, mean_t_, mean_dy_, mean_dyx_;
  detail::scratch<T> xhat_;
};

}  // namespace nacs::nn
