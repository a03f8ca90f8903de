// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief What a CTR model architecture provides to ctr_model, and the parts the built-in ones are made of.
///
/// ctr_model<T> owns what every model shares: the ids kept for backward, the
/// head (logit = w . h + b + side), the sigmoid, the per-row head gradients,
/// the parameter list, state() and load_state(). An *architecture* computes
/// the rest: from a batch of ids, the hidden vector h that enters the head and
/// any side terms of the logit, and the backward of both. The built-in models
/// (nacs/model/models.hpp) are architectures composed of the parts below; a
/// user-defined one (see test/unit/model/architecture.cpp) is handed to
/// ctr_model's constructor and then trains, scores and selects like them.
///
/// The contract (concept ctr_architecture<A, T>):
/// - `static constexpr std::string_view name`, for messages;
/// - `hidden_size()`: the width H of h;
/// - `forward(policy, batch)` returns h (B x H, valid until the next forward) and
///   may add terms to `batch.side` (B values, zero on entry) that enter the logit
///   with weight 1;
/// - `backward(policy, ids, dh, dlogits)`: gradients of every parameter from
///   d loss / d h (dh, B x H) and d loss / d logit (the side terms' gradient), for
///   the last forward's rows;
/// - `collect(params)`: its parameters in a fixed order (the head is ctr_model's);
/// - `collect_batch_norms(norms)`: its batch-norm layers (their running
///   statistics are part of state());
/// - optionally `init_head(head)`: sets the head's initial values (LR and FM start
///   at w = 1, b = 0, so that they are exactly LR and FM).
/// Both forward and backward are templates over host policies and must give the
/// same bits on seq and par (split work by rows in fixed tiles, as the layers do).
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/detail/model/eigen.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/batch_norm.hpp>
#include <nacs/model/cross.hpp>
#include <nacs/model/embedding.hpp>
#include <nacs/model/fm.hpp>
#include <nacs/model/linear.hpp>
#include <nacs/model/mlp.hpp>
#include <nacs/model/mode.hpp>
#include <nacs/model/parameter.hpp>

namespace nacs {

/// @brief What ctr_model::forward hands an architecture.
template <class T>
struct model_batch {
  matrix_view<const std::uint32_t> ids;  ///< B x F field-local ids (ctr_model's copy, unchanged until backward)
  forward_mode mode = forward_mode::eval;  ///< train, eval or mc_dropout
  dropout_key key{};                       ///< dropout mask seed and step
  std::span<const row_index> row_keys{};   ///< per-row dropout keys, or empty for batch positions
  std::span<T> side{};                     ///< B logit terms besides the head, zero on entry
};

/// @brief A type that ctr_model<T> can run: see the file comment for what each member does.
template <class A, class T>
concept ctr_architecture =
    std::copy_constructible<A> &&
    requires(A& a, const A& ca, const model_batch<T>& batch, matrix_view<const std::uint32_t> ids,
             matrix_view<const T> dh, std::span<const T> dlogits, std::vector<parameter<T>*>& params,
             std::vector<nn::batch_norm<T>*>& norms) {
      { A::name } -> std::convertible_to<std::string_view>;
      { ca.hidden_size() } -> std::same_as<std::size_t>;
      { a.forward(seq, batch) } -> std::same_as<matrix_view<const T>>;
      { a.backward(seq, ids, dh, dlogits) };
      { a.collect(params) };
      { a.collect_batch_norms(norms) };
    };

/// @brief Building blocks of the built-in architectures, each a layer with its output buffer.
namespace parts {

/// @brief side[i] += sum_j m(i, j), the sum of each row in column order.
template <class T>
void add_row_sums(matrix_view<const T> m, std::span<T> side) {
  for (std::size_t i = 0; i < m.rows(); ++i) {
    T s = 0;
    for (std::size_t j = 0; j < m.cols(); ++j) s += m(i, j);
    side[i] += s;
  }
}

/// @brief A B x cols matrix in `buf` whose row i is dlogits[i] everywhere (the gradient of a summed side term).
template <class T>
matrix_view<const T> broadcast(detail::scratch<T>& buf, std::span<const T> dlogits, std::size_t cols) {
  const std::size_t n = dlogits.size();
  matrix_view<T> m(buf.get(n * cols), n, cols);
  for (std::size_t i = 0; i < n; ++i) std::fill_n(m.row_ptr(i), cols, dlogits[i]);
  return m;
}

/// @brief One weight per (field, value), B x F out: LR's h, FM's linear part, DeepFM's and DCNv2's side term.
template <class T>
class first_order {
 public:
  nn::embedding<T> table;  ///< "first_order", width 1, initialisation stream 1

  first_order() = default;
  first_order(std::span<const std::uint32_t> cardinalities, double init_std, std::uint64_t seed)
      : table(cardinalities, 1, "first_order", init_std, seed, 1) {}

  /// @brief The B x F weights of the batch's ids.
  template <host_policy P>
  matrix_view<T> forward(const P& policy, matrix_view<const std::uint32_t> ids) {
    matrix_view<T> out(out_.get(ids.rows() * ids.cols()), ids.rows(), ids.cols());
    table.forward(policy, ids, out);
    return out;
  }
  /// @brief Gradients from d loss / d out (B x F).
  template <host_policy P>
  void backward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<const T> dout) {
    table.backward(policy, ids, dout);
  }
  /// @brief Gradients when the weights enter the logit as one summed side term.
  template <host_policy P>
  void backward_summed(const P& policy, matrix_view<const std::uint32_t> ids, std::span<const T> dlogits) {
    table.backward(policy, ids, broadcast(dsum_, dlogits, ids.cols()));
  }

 private:
  detail::scratch<T> out_, dsum_;
};

/// @brief The field embeddings side by side, B x F*D: the input of FM, the MLPs and the cross stack.
template <class T>
class field_embedding {
 public:
  nn::embedding<T> table;  ///< "embedding", width D, initialisation stream 2

  field_embedding() = default;
  field_embedding(std::span<const std::uint32_t> cardinalities, std::size_t dim, double init_std,
                  std::uint64_t seed)
      : table(cardinalities, dim, "embedding", init_std, seed, 2) {}

  [[nodiscard]] std::size_t fields() const noexcept { return table.fields(); }
  [[nodiscard]] std::size_t dim() const noexcept { return table.dim(); }
  [[nodiscard]] std::size_t width() const noexcept { return fields() * dim(); }

  /// @brief e (B x F*D); output() returns it until the next forward.
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, matrix_view<const std::uint32_t> ids) {
    matrix_view<T> e(out_.get(ids.rows() * width()), ids.rows(), width());
    table.forward(policy, ids, e);
    rows_ = ids.rows();
    return e;
  }
  /// @brief e of the last forward.
  [[nodiscard]] matrix_view<const T> output() const noexcept { return {out_.data(), rows_, width()}; }
  /// @brief A B x F*D gradient buffer (`which` 0 or 1: two independent ones) for the caller to fill.
  matrix_view<T> gradient_buffer(int which = 0) {
    return {(which ? de2_ : de_).get(rows_ * width()), rows_, width()};
  }
  /// @brief Gradients of the table from d loss / d e.
  template <host_policy P>
  void backward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<const T> de) {
    table.backward(policy, ids, de);
  }

 private:
  detail::scratch<T> out_, de_, de2_;
  std::size_t rows_ = 0;
};

/// @brief DCNv2's stacked full-rank cross layers x_{l+1} = x_0 * (W_l x_l + b_l) + x_l over the embeddings.
template <class T>
class cross_stack {
 public:
  std::vector<nn::cross_layer<T>> layers;  ///< "cross.<l>", initialisation streams 100 + 2l

  cross_stack() = default;
  cross_stack(std::size_t width, std::size_t count, std::uint64_t seed) : width_(width) {
    for (std::size_t l = 0; l < count; ++l) layers.emplace_back(width, "cross." + std::to_string(l), seed, 100 + 2 * l);
  }

  /// @brief The last layer's output (x0 itself for no layers).
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, matrix_view<const T> x0) {
    const std::size_t n = x0.rows();
    out_.resize(layers.size());
    matrix_view<const T> x = x0;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      matrix_view<T> y(out_[l].get(n * width_), n, width_);
      layers[l].forward(policy, x0, x, y);
      x = y;
    }
    return x;
  }
  /// @brief The top's input view for backward (x0 for no layers).
  [[nodiscard]] matrix_view<const T> output(matrix_view<const T> x0) const {
    return layers.empty() ? x0 : matrix_view<const T>(out_[layers.size() - 1].data(), x0.rows(), width_);
  }
  /// @brief From g = d loss / d top (overwritten as scratch), returns d loss / d x0 through every path.
  template <host_policy P>
  matrix_view<T> backward(const P& policy, matrix_view<const T> x0, matrix_view<T> g) {
    if (layers.empty()) return g;
    const std::size_t n = x0.rows();
    matrix_view<T> dx0(dx0_.get(n * width_), n, width_);
    std::fill_n(dx0.data(), n * width_, T(0));
    matrix_view<T> next(next_.get(n * width_), n, width_);
    for (std::size_t l = layers.size(); l-- > 0;) {
      const matrix_view<const T> xl = l == 0 ? x0 : matrix_view<const T>(out_[l - 1].data(), n, width_);
      layers[l].backward(policy, x0, xl, matrix_view<const T>(g), dx0, next);
      std::swap(g, next);
    }
    // g is now d loss / d x_0 through the x_l path; add the x_0 (Hadamard) paths.
    for (std::size_t i = 0; i < n * width_; ++i) g.data()[i] += dx0.data()[i];
    return g;
  }
  void collect(std::vector<parameter<T>*>& out) {
    for (auto& c : layers) {
      out.push_back(&c.transform.weight);
      out.push_back(&c.transform.bias);
    }
  }

 private:
  std::size_t width_ = 0;
  std::vector<detail::scratch<T>> out_;
  detail::scratch<T> dx0_, next_;
};

/// @brief FinalMLP's bilinear fusion as features: h = [h1; h2; for each head c: h1_c (x) h2_c, row-major].
///
/// b + w1.h1 + w2.h2 + sum_c h1_c^T W_c h2_c is linear in its parameters, so it is
/// ctr_model's head over this h.
template <class T>
class bilinear_fusion {
 public:
  bilinear_fusion() = default;
  /// @param[in] a, b  the streams' widths; @param[in] heads divides both
  bilinear_fusion(std::size_t a, std::size_t b, std::size_t heads) : a_(a), b_(b), k_(heads) {
    NACS_EXPECTS(heads > 0 && a % heads == 0 && b % heads == 0, errc::invalid_argument,
                 "nacs::ctr_model: fusion_heads (" + std::to_string(heads) + ") must divide both stream widths (" +
                     std::to_string(a) + ", " + std::to_string(b) + ")");
  }
  /// @brief Width of h for streams of widths a and b and `heads` heads.
  [[nodiscard]] static constexpr std::size_t width(std::size_t a, std::size_t b, std::size_t heads) noexcept {
    return a + b + heads * (a / heads) * (b / heads);
  }
  [[nodiscard]] std::size_t width() const noexcept { return width(a_, b_, k_); }

  template <host_policy P>
  matrix_view<const T> forward(const P& policy, matrix_view<const T> h1, matrix_view<const T> h2) {
    const std::size_t a = a_, b = b_, k = k_, ca = a / k, cb = b / k, hs = width();
    matrix_view<T> h(out_.get(h1.rows() * hs), h1.rows(), hs);
    detail::for_each_range(policy, h1.rows(), detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        T* o = h.row_ptr(i);
        const T* x = h1.row_ptr(i);
        const T* y = h2.row_ptr(i);
        std::copy_n(x, a, o);
        std::copy_n(y, b, o + a);
        T* t = o + a + b;
        for (std::size_t c = 0; c < k; ++c)
          for (std::size_t u = 0; u < ca; ++u)
            for (std::size_t v = 0; v < cb; ++v) *t++ = x[c * ca + u] * y[c * cb + v];
      }
    }, hs);
    return h;
  }
  /// @brief dh1, dh2 from dh (B x width()) and the streams' outputs h1, h2.
  template <host_policy P>
  void backward(const P& policy, matrix_view<const T> h1, matrix_view<const T> h2, matrix_view<const T> dh,
                matrix_view<T> dh1, matrix_view<T> dh2) const {
    const std::size_t a = a_, b = b_, k = k_, ca = a / k, cb = b / k;
    detail::for_each_range(policy, h1.rows(), detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        const T* g = dh.row_ptr(i);
        const T* x = h1.row_ptr(i);
        const T* y = h2.row_ptr(i);
        T* gx = dh1.row_ptr(i);
        T* gy = dh2.row_ptr(i);
        std::copy_n(g, a, gx);
        std::copy_n(g + a, b, gy);
        const T* t = g + a + b;
        for (std::size_t c = 0; c < k; ++c)
          for (std::size_t u = 0; u < ca; ++u)
            for (std::size_t v = 0; v < cb; ++v, ++t) {
              gx[c * ca + u] += *t * y[c * cb + v];
              gy[c * cb + v] += *t * x[c * ca + u];
            }
      }
    }, 2 * width());
  }

 private:
  std::size_t a_ = 0, b_ = 0, k_ = 1;
  detail::scratch<T> out_;
};

/// @brief The batch-norm layers of an MLP, appended in block order.
template <class T>
void collect_batch_norms(nn::mlp<T>& net, std::vector<nn::batch_norm<T>*>& out) {
  for (auto& b : net.blocks)
    if (b.use_batch_norm) out.push_back(&b.bn);
}

}  // namespace parts
}  // namespace nacs
