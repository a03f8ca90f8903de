// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief MLP blocks (Linear -> BatchNorm -> ReLU -> Dropout) and stacks of them.
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
#include <nacs/model/activation.hpp>
#include <nacs/model/batch_norm.hpp>
#include <nacs/model/linear.hpp>
#include <nacs/model/mode.hpp>
#include <nacs/model/parameter.hpp>

namespace nacs::nn {

/// @brief One hidden layer: a = Dropout(ReLU(BatchNorm(x W + b))), batch norm optional.
///
/// The block keeps its output a and, for backward, batch norm's normalised
/// input. ReLU and dropout are fused: since a kept unit is scaled by
/// 1 / (1 - rate) > 0, d a / d(pre-activation) is 1 / (1 - rate) where a > 0
/// and 0 elsewhere, so backward needs no stored mask.
/// @tparam T float or double
template <class T>
class mlp_block {
 public:
  linear<T> fc;              ///< the affine map
  batch_norm<T> bn;          ///< used when use_batch_norm
  bool use_batch_norm = true;
  double dropout_rate = 0.5; ///< in [0, 1)
  std::uint32_t layer = 0;   ///< dropout layer index in the model (mask key)

  mlp_block() = default;
  /// @param[in] in, out       widths
  /// @param[in] dropout_rate_ drop probability in [0, 1)
  /// @param[in] batch_norm_   insert batch norm between the linear map and the ReLU
  /// @param[in] name          parameter name prefix
  /// @param[in] layer_        dropout layer index, < 256
  /// @param[in] seed, stream  initialisation stream of the linear map (stream, stream + 1)
  mlp_block(std::size_t in, std::size_t out, double dropout_rate_, bool batch_norm_, const std::string& name,
            std::uint32_t layer_ = 0, std::uint64_t seed = 0, std::uint64_t stream = 0)
      : fc(in, out, name + ".linear", seed, stream),
        bn(batch_norm_ ? batch_norm<T>(out, name + ".bn") : batch_norm<T>()),
        use_batch_norm(batch_norm_),
        dropout_rate(dropout_rate_),
        layer(layer_) {
    dropout::validate(dropout_rate, layer);
  }

  [[nodiscard]] std::size_t in() const noexcept { return fc.in(); }
  [[nodiscard]] std::size_t out() const noexcept { return fc.out(); }

  /// @brief Runs the block on x (B x in) and returns its output (B x out, valid until the next forward).
  /// @param[in] row_keys dropout row keys (see nn::dropout), or empty for batch positions
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, matrix_view<const T> x, forward_mode mode, dropout_key key,
                               std::span<const row_index> row_keys = {}) {
    const std::size_t n = x.rows(), m = out();
    NACS_EXPECTS(row_keys.empty() || row_keys.size() == n, errc::invalid_argument,
                 "nacs::nn::mlp_block::forward: give one dropout row key per row or none");
    rows_ = n;
    mode_ = mode;
    matrix_view<T> a(a_.get(n * m), n, m);
    if (use_batch_norm) {
      matrix_view<T> z(z_.get(n * m), n, m);
      fc.forward(policy, x, z);
      bn.forward(policy, matrix_view<const T>(z), a, mode);
    } else {
      fc.forward(policy, x, a);
    }
    const bool drop = dropout_active(mode) && dropout_rate > 0.0;
    const dropout_mask mask(key, layer, dropout_rate);
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        T* row = a.row_ptr(i);
        if (drop) {
          const T kept = static_cast<T>(mask.scale());
          const std::uint32_t threshold = mask.threshold();
          mask.for_each_word_chunk(row_keys.empty() ? i : static_cast<std::uint64_t>(row_keys[i]), m,
                                   [&](std::size_t first, std::size_t count, const std::uint32_t* w) {
                                     T* r = row + first;
                                     for (std::size_t k = 0; k < count; ++k)
                                       r[k] = r[k] > T(0) && w[k] >= threshold ? r[k] * kept : T(0);
                                   });
        } else {
          for (std::size_t j = 0; j < m; ++j) row[j] = row[j] > T(0) ? row[j] : T(0);
        }
      }
    }, 4 * m);
    return output();
  }

  /// @brief The output of the last forward (B x out).
  [[nodiscard]] matrix_view<const T> output() const noexcept {
    return {a_.data(), rows_, out()};
  }

  /// @brief Gradients of the block's parameters for upstream gradient dout; dx = d loss / d x unless absent.
  /// @param[in]  x    the forward's input
  /// @param[in]  dout d loss / d output, B x out
  /// @param[out] dx   B x in, or a default-constructed view to skip it
  template <host_policy P>
  void backward(const P& policy, matrix_view<const T> x, matrix_view<const T> dout, matrix_view<T> dx) {
    const std::size_t n = rows_, m = out();
    detail::expect_shape(x, n, in(), "nacs::nn::mlp_block::backward", "x (the last forward's input)");
    detail::expect_shape(dout, n, m, "nacs::nn::mlp_block::backward", "dout");
    const matrix_view<const T> a = output();
    matrix_view<T> g(g_.get(n * m), n, m);
    const T scale = static_cast<T>(dropout_active(mode_) && dropout_rate > 0.0 ? 1.0 / (1.0 - dropout_rate) : 1.0);
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i)
        for (std::size_t j = 0; j < m; ++j) g(i, j) = a(i, j) > T(0) ? dout(i, j) * scale : T(0);
    }, m);
    if (use_batch_norm) bn.backward(policy, matrix_view<const T>(g), g);
    fc.backward(policy, x, matrix_view<const T>(g), dx);
  }

  /// @brief The block's parameters: fc.weight, fc.bias[, bn.gamma, bn.beta].
  void collect(std::vector<parameter<T>*>& out_params) {
    out_params.push_back(&fc.weight);
    out_params.push_back(&fc.bias);
    if (use_batch_norm) {
      out_params.push_back(&bn.gamma);
      out_params.push_back(&bn.beta);
    }
  }

 private:
  std::size_t rows_ = 0;
  forward_mode mode_ = forward_mode::eval;
  detail::scratch<T> z_, a_, g_;
};

/// @brief A stack of MLP blocks with the given hidden sizes (Appendix C.3: 100-100-100, dropout 0.5, batch norm).
/// @tparam T float or double
template <class T>
class mlp {
 public:
  std::vector<mlp_block<T>> blocks;  ///< in order

  mlp() = default;
  /// @param[in] in           input width
  /// @param[in] sizes        hidden sizes (at least one)
  /// @param[in] dropout_rate drop probability of every block
  /// @param[in] batch_norm_  batch norm in every block
  /// @param[in] name         parameter name prefix ("<name>.<k>....")
  /// @param[in] first_layer  dropout layer index of the first block (the next blocks count up)
  /// @param[in] seed, stream initialisation streams: block k uses stream + 2k and stream + 2k + 1
  mlp(std::size_t in, std::span<const std::size_t> sizes, double dropout_rate, bool batch_norm_, const std::string& name,
      std::uint32_t first_layer = 0, std::uint64_t seed = 0, std::uint64_t stream = 0) {
    NACS_EXPECTS(!sizes.empty(), errc::invalid_argument, "nacs::nn::mlp: give at least one hidden size");
    std::size_t width = in;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      blocks.emplace_back(width, sizes[k], dropout_rate, batch_norm_, name + "." + std::to_string(k),
                          first_layer + static_cast<std::uint32_t>(k), seed, stream + 2 * k);
      width = sizes[k];
    }
    grads_.resize(blocks.size());
  }

  [[nodiscard]] std::size_t in() const noexcept { return blocks.front().in(); }
  [[nodiscard]] std::size_t out() const noexcept { return blocks.back().out(); }

  /// @brief Runs the stack; returns the last block's output (B x out).
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, matrix_view<const T> x, forward_mode mode, dropout_key key,
                               std::span<const row_index> row_keys = {}) {
    matrix_view<const T> h = x;
    for (auto& b : blocks) h = b.forward(policy, h, mode, key, row_keys);
    return h;
  }

  /// @brief Backward through the stack from dout (B x out); dx = d loss / d x unless absent.
  template <host_policy P>
  void backward(const P& policy, matrix_view<const T> x, matrix_view<const T> dout, matrix_view<T> dx) {
    grads_.resize(blocks.size());
    matrix_view<const T> g = dout;
    for (std::size_t k = blocks.size(); k-- > 0;) {
      const matrix_view<const T> input = k == 0 ? x : blocks[k - 1].output();
      if (k == 0) {
        blocks[k].backward(policy, input, g, dx);
      } else {
        matrix_view<T> d(grads_[k].get(input.rows() * input.cols()), input.rows(), input.cols());
        blocks[k].backward(policy, input, g, d);
        g = d;
      }
    }
  }

  /// @brief Every block's parameters, in order.
  void collect(std::vector<parameter<T>*>& out_params) {
    for (auto& b : blocks) b.collect(out_params);
  }

 private:
  std::vector<detail::scratch<T>> grads_;
};

}  // namespace nacs::nn
