// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The CTR models: logistic regression, FM, DeepFM, DCNv2 (stacked) and FinalMLP, with explicit backward.
///
/// Every model is `logit = w . h + b (+ side terms)`, p = sigmoid(logit), where
/// h is the hidden vector that enters the final linear layer (the "head", w and
/// b). NaCS forms per-row final-layer gradients (p - q) [h; 1] from hidden()
/// and probabilities() without a backward pass (head_gradients()), and reads
/// the head's Adam moments through head_weight() / head_bias().
///
/// | kind     | h (width H)                                                   | side terms of the logit |
/// |----------|---------------------------------------------------------------|-------------------------|
/// | lr       | first-order weight of each field's value (F)                  | none                    |
/// | fm       | [first-order weights (F); FM term per embedding dim (D)]      | none                    |
/// | deepfm   | MLP output (last hidden size)                                 | sum of first-order weights + FM term |
/// | dcnv2    | MLP output, the MLP fed by the cross stack's output           | sum of first-order weights |
/// | finalmlp | [h1; h2; per-head outer products h1_c h2_c^T] (two streams)   | none                    |
///
/// LR and FM are written with a head whose weights start at 1 and bias at 0,
/// so at initialisation they are exactly LR and FM; the head then learns a
/// per-field (and per-dimension) scale. FinalMLP's bilinear fusion head
/// b + w1.h1 + w2.h2 + sum_c h1_c^T W_c h2_c is linear in its parameters, so it
/// is this head over the expanded h (FinalMLP's feature-selection gates are not
/// implemented: both streams read all embeddings).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/detail/model/eigen.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/cross.hpp>
#include <nacs/model/embedding.hpp>
#include <nacs/model/fm.hpp>
#include <nacs/model/linear.hpp>
#include <nacs/model/loss.hpp>
#include <nacs/model/mlp.hpp>
#include <nacs/model/mode.hpp>
#include <nacs/model/parameter.hpp>

namespace nacs {

/// @brief Which CTR model.
enum class model_kind {
  logistic_regression,  ///< "lr"
  fm,                   ///< "fm": factorization machine
  deepfm,               ///< "deepfm": FM + MLP (Guo et al. 2017)
  dcnv2,                ///< "dcnv2": stacked full-rank cross layers then MLP (Wang et al. 2021)
  finalmlp,             ///< "finalmlp": two MLP streams, bilinear fusion (Mao et al. 2023)
};

/// @brief "lr", "fm", "deepfm", "dcnv2" or "finalmlp".
constexpr std::string_view to_string(model_kind k) noexcept {
  switch (k) {
    case model_kind::logistic_regression: return "lr";
    case model_kind::fm: return "fm";
    case model_kind::deepfm: return "deepfm";
    case model_kind::dcnv2: return "dcnv2";
    case model_kind::finalmlp: return "finalmlp";
  }
  return "unknown";
}

/// @brief The model_kind named by to_string's spelling.
/// @throws nacs::error errc::invalid_argument for an unknown name
inline model_kind parse_model_kind(std::string_view name) {
  for (auto k : {model_kind::logistic_regression, model_kind::fm, model_kind::deepfm, model_kind::dcnv2,
                 model_kind::finalmlp})
    if (name == to_string(k)) return k;
  NACS_FAIL(errc::invalid_argument, "unknown model '", name, "': use lr, fm, deepfm, dcnv2 or finalmlp");
}

/// @brief Architecture knobs (defaults: paper Appendix C.3 — embedding dim 10, MLP 100-100-100, dropout 0.5, BN).
struct model_config {
  model_kind kind = model_kind::deepfm;          ///< which model
  std::size_t embedding_dim = 10;                ///< D
  std::vector<std::size_t> mlp = {100, 100, 100};   ///< hidden sizes (DeepFM, DCNv2, FinalMLP stream 1)
  std::vector<std::size_t> mlp2 = {100, 100, 100};  ///< FinalMLP stream 2
  double dropout = 0.5;                          ///< dropout rate of every MLP block
  bool batch_norm = true;                        ///< batch norm in every MLP block
  std::size_t cross_layers = 3;                  ///< DCNv2 cross layers
  std::size_t fusion_heads = 10;                 ///< FinalMLP heads (must divide both streams' widths)
  double embedding_init_std = 0.01;              ///< embeddings and first-order weights start N(0, std^2)
  std::uint64_t seed = 0;                        ///< initialisation seed
  friend bool operator==(const model_config&, const model_config&) = default;
};

/// @brief Everything a model has learned (parameter values and batch-norm running statistics), for early stopping.
template <class T>
struct model_state {
  std::vector<std::vector<T>> values;  ///< in the model's fixed order
};

/// @brief A CTR model of any model_kind over an encoded dataset's fields.
///
/// Batch-major float32 (or float64) storage; buffers are kept between batches
/// and grow only when a larger batch arrives. One forward (and its backward)
/// at a time per object. The policy of every call picks seq or par; seq and par
/// give the same bits.
/// @tparam T float or double
template <class T>
class ctr_model {
 public:
  /// @brief A freshly initialised model.
  /// @param[in] config        architecture
  /// @param[in] cardinalities ids per field of the encoded data (dataset::cardinalities)
  /// @throws nacs::error errc::invalid_argument for an inconsistent configuration
  ctr_model(const model_config& config, std::span<const std::uint32_t> cardinalities)
      : config_(config), cardinalities_(cardinalities.begin(), cardinalities.end()) {
    const auto& c = config_;
    NACS_EXPECTS(!cardinalities.empty(), errc::invalid_argument,
                 "nacs::ctr_model: no fields; build it from an encoded dataset's cardinalities");
    NACS_EXPECTS(c.embedding_dim > 0, errc::invalid_argument, "nacs::ctr_model: embedding_dim must be > 0");
    NACS_EXPECTS(c.embedding_init_std >= 0, errc::invalid_argument, "nacs::ctr_model: embedding_init_std must be >= 0");
    const std::size_t f = cardinalities.size(), d = c.embedding_dim, width = f * d;
    const bool first_order = c.kind != model_kind::finalmlp;
    const bool embeddings = c.kind != model_kind::logistic_regression;
    if (first_order) first_order_ = nn::embedding<T>(cardinalities, 1, "first_order", c.embedding_init_std, c.seed, 1);
    if (embeddings) embedding_ = nn::embedding<T>(cardinalities, d, "embedding", c.embedding_init_std, c.seed, 2);
    if (c.kind == model_kind::dcnv2) {
      for (std::size_t l = 0; l < c.cross_layers; ++l)
        cross_.emplace_back(width, "cross." + std::to_string(l), c.seed, 100 + 2 * l);
    }
    const bool deep = c.kind == model_kind::deepfm || c.kind == model_kind::dcnv2 || c.kind == model_kind::finalmlp;
    if (deep) {
      NACS_EXPECTS(!c.mlp.empty(), errc::invalid_argument, "nacs::ctr_model: " + std::string(to_string(c.kind)) +
                                                               " needs at least one MLP hidden size");
      mlp1_ = nn::mlp<T>(width, c.mlp, c.dropout, c.batch_norm, "mlp", 0, c.seed, 1000);
    }
    std::size_t h = 0;
    switch (c.kind) {
      case model_kind::logistic_regression: h = f; break;
      case model_kind::fm: h = f + d; break;
      case model_kind::deepfm:
      case model_kind::dcnv2: h = mlp1_.out(); break;
      case model_kind::finalmlp: {
        NACS_EXPECTS(!c.mlp2.empty(), errc::invalid_argument, "nacs::ctr_model: finalmlp needs mlp2 sizes");
        mlp2_ = nn::mlp<T>(width, c.mlp2, c.dropout, c.batch_norm, "mlp2", static_cast<std::uint32_t>(c.mlp.size()),
                           c.seed, 2000);
        const std::size_t a = mlp1_.out(), b = mlp2_.out(), k = c.fusion_heads;
        NACS_EXPECTS(k > 0 && a % k == 0 && b % k == 0, errc::invalid_argument,
                     "nacs::ctr_model: fusion_heads (" + std::to_string(k) + ") must divide both stream widths (" +
                         std::to_string(a) + ", " + std::to_string(b) + ")");
        h = a + b + k * (a / k) * (b / k);
        break;
      }
    }
    head_ = nn::linear<T>(h, 1, "head", c.seed, 3000);
    if (c.kind == model_kind::logistic_regression || c.kind == model_kind::fm) {
      fill_constant(head_.weight, T(1));
      fill_constant(head_.bias, T(0));
    }
  }

  /// @brief The configuration.
  [[nodiscard]] const model_config& config() const noexcept { return config_; }
  /// @brief Ids per field.
  [[nodiscard]] const std::vector<std::uint32_t>& cardinalities() const noexcept { return cardinalities_; }
  /// @brief Number of fields F.
  [[nodiscard]] std::size_t fields() const noexcept { return cardinalities_.size(); }
  /// @brief Width H of the hidden vector h entering the head.
  [[nodiscard]] std::size_t hidden_size() const noexcept { return head_.in(); }
  /// @brief Rows of the last forward.
  [[nodiscard]] std::size_t batch_rows() const noexcept { return rows_; }

  /// @brief Runs the model on a batch of rows.
  /// @param[in] policy   nacs::seq or nacs::par
  /// @param[in] ids      B x F field-local ids
  /// @param[in] mode     train, eval or mc_dropout
  /// @param[in] key      dropout mask seed and step (ignored in eval)
  /// @param[in] row_keys per-row dropout keys (e.g. data-set row indices), or empty for batch positions
  /// @return the B predicted click probabilities (valid until the next forward)
  template <host_policy P>
  std::span<const T> forward(const P& policy, matrix_view<const std::uint32_t> ids, forward_mode mode,
                             dropout_key key = {}, std::span<const row_index> row_keys = {}) {
    detail::require_backend<P>();
    const std::size_t n = ids.rows(), f = fields(), d = config_.embedding_dim, width = f * d;
    detail::expect_shape(ids, n, f, "nacs::ctr_model::forward", "ids (one column per field)");
    NACS_EXPECTS(row_keys.empty() || row_keys.size() == n, errc::invalid_argument,
                 "nacs::ctr_model::forward: give one dropout row key per row or none");
    rows_ = n;
    // Keep the ids for backward (the caller's buffer may change).
    std::uint32_t* id_copy = ids_.get(n * f);
    for (std::size_t i = 0; i < n; ++i) std::copy_n(ids.row_ptr(i), f, id_copy + i * f);
    const matrix_view<const std::uint32_t> id_view(id_copy, n, f);
    T* side = side_.get(n);
    std::fill_n(side, n, T(0));
    const auto kind = config_.kind;
    if (kind != model_kind::finalmlp) {
      matrix_view<T> fo(first_.get(n * f), n, f);
      first_order_.forward(policy, id_view, fo);
      if (kind == model_kind::deepfm || kind == model_kind::dcnv2) {
        for (std::size_t i = 0; i < n; ++i) {
          T s = 0;
          for (std::size_t j = 0; j < f; ++j) s += fo(i, j);
          side[i] += s;
        }
      }
    }
    matrix_view<T> e;
    if (kind != model_kind::logistic_regression) {
      e = matrix_view<T>(emb_.get(n * width), n, width);
      embedding_.forward(policy, id_view, e);
    }
    matrix_view<const T> h;
    switch (kind) {
      case model_kind::logistic_regression: h = matrix_view<const T>(first_.data(), n, f); break;
      case model_kind::fm: {
        matrix_view<T> hh(h_.get(n * (f + d)), n, f + d);
        matrix_view<T> s(hh.data() + f, n, d, f + d);
        nn::fm_interaction::forward(policy, matrix_view<const T>(e), f, d, s);
        for (std::size_t i = 0; i < n; ++i) std::copy_n(first_.data() + i * f, f, hh.row_ptr(i));
        h = hh;
        break;
      }
      case model_kind::deepfm: {
        matrix_view<T> s(fm_.get(n * d), n, d);
        nn::fm_interaction::forward(policy, matrix_view<const T>(e), f, d, s);
        for (std::size_t i = 0; i < n; ++i) {
          T t = 0;
          for (std::size_t k = 0; k < d; ++k) t += s(i, k);
          side[i] += t;
        }
        h = mlp1_.forward(policy, matrix_view<const T>(e), mode, key, row_keys);
        break;
      }
      case model_kind::dcnv2: {
        cross_out_.resize(cross_.size());
        matrix_view<const T> x = e;
        for (std::size_t l = 0; l < cross_.size(); ++l) {
          matrix_view<T> y(cross_out_[l].get(n * width), n, width);
          cross_[l].forward(policy, matrix_view<const T>(e), x, y);
          x = y;
        }
        h = mlp1_.forward(policy, x, mode, key, row_keys);
        break;
      }
      case model_kind::finalmlp: {
        const auto h1 = mlp1_.forward(policy, matrix_view<const T>(e), mode, key, row_keys);
        const auto h2 = mlp2_.forward(policy, matrix_view<const T>(e), mode, key, row_keys);
        matrix_view<T> hh(h_.get(n * hidden_size()), n, hidden_size());
        fuse(policy, h1, h2, hh);
        h = hh;
        break;
      }
    }
    matrix_view<T> z(logits_.get(n), n, 1);
    head_.forward(policy, h, z);
    T* p = probs_.get(n);
    for (std::size_t i = 0; i < n; ++i) {
      z(i, 0) += side[i];
      p[i] = sigmoid(z(i, 0));
    }
    return probabilities();
  }

  /// @brief Logits of the last forward.
  [[nodiscard]] std::span<const T> logits() const noexcept { return {logits_.data(), rows_}; }
  /// @brief Probabilities of the last forward.
  [[nodiscard]] std::span<const T> probabilities() const noexcept { return {probs_.data(), rows_}; }
  /// @brief The hidden vectors h (B x H) of the last forward: the head's input.
  [[nodiscard]] matrix_view<const T> hidden() const noexcept {
    switch (config_.kind) {
      case model_kind::logistic_regression: return {first_.data(), rows_, hidden_size()};
      case model_kind::deepfm:
      case model_kind::dcnv2: return mlp1_.blocks.back().output();
      default: return {h_.data(), rows_, hidden_size()};
    }
  }

  /// @brief Per-row final-layer gradients out(i, :) = (p_i - q_i) [h_i; 1] of the last forward (B x (H + 1)).
  /// @param[in]  targets q, one per row of the last forward
  /// @param[out] out     B x (H + 1)
  template <host_policy P>
  void head_gradients(const P& policy, std::span<const float> targets, matrix_view<T> out) const {
    detail::require_backend<P>();
    const std::size_t n = rows_, hs = hidden_size();
    NACS_EXPECTS(targets.size() == n, errc::invalid_argument,
                 "nacs::ctr_model::head_gradients: give one target per row of the last forward");
    detail::expect_shape(out, n, hs + 1, "nacs::ctr_model::head_gradients", "out");
    const T* p = probs_.data();
    const matrix_view<const T> hid = hidden();
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        const T g = p[i] - static_cast<T>(targets[i]);
        const T* h = hid.row_ptr(i);
        T* o = out.row_ptr(i);
        for (std::size_t j = 0; j < hs; ++j) o[j] = g * h[j];
        o[hs] = g;
      }
    }, hs);
  }

  /// @brief Gradients of every parameter for d loss / d logit of the last forward's rows.
  template <host_policy P>
  void backward(const P& policy, std::span<const T> dlogits) {
    detail::require_backend<P>();
    const std::size_t n = rows_, f = fields(), d = config_.embedding_dim, width = f * d, hs = hidden_size();
    NACS_EXPECTS(dlogits.size() == n && n > 0, errc::invalid_argument,
                 "nacs::ctr_model::backward: give one gradient per row of the last forward (" + std::to_string(n) +
                     ")");
    const matrix_view<const std::uint32_t> ids(ids_.data(), n, f);
    const matrix_view<const T> dz(dlogits.data(), n, 1);
    matrix_view<T> dh(dh_.get(n * hs), n, hs);
    head_.backward(policy, hidden(), dz, dh);
    const auto kind = config_.kind;
    // Side terms: d logit / d first-order weight = 1, d logit / d s_d = 1.
    const auto broadcast = [&](scratch_t& buf, std::size_t cols) {
      matrix_view<T> m(buf.get(n * cols), n, cols);
      for (std::size_t i = 0; i < n; ++i) std::fill_n(m.row_ptr(i), cols, dlogits[i]);
      return m;
    };
    const matrix_view<const T> e(emb_.data(), n, width);
    switch (kind) {
      case model_kind::logistic_regression: first_order_.backward(policy, ids, matrix_view<const T>(dh)); break;
      case model_kind::fm: {
        first_order_.backward(policy, ids, matrix_view<const T>(dh.data(), n, f, hs));
        matrix_view<T> de(de_.get(n * width), n, width);
        nn::fm_interaction::backward(policy, e, f, d, matrix_view<const T>(dh.data() + f, n, d, hs), de);
        embedding_.backward(policy, ids, matrix_view<const T>(de));
        break;
      }
      case model_kind::deepfm: {
        first_order_.backward(policy, ids, matrix_view<const T>(broadcast(dfirst_, f)));
        matrix_view<T> de(de_.get(n * width), n, width);
        mlp1_.backward(policy, e, matrix_view<const T>(dh), de);
        nn::fm_interaction::backward(policy, e, f, d, matrix_view<const T>(broadcast(dfm_, d)), de, true);
        embedding_.backward(policy, ids, matrix_view<const T>(de));
        break;
      }
      case model_kind::dcnv2: {
        first_order_.backward(policy, ids, matrix_view<const T>(broadcast(dfirst_, f)));
        const std::size_t layers = cross_.size();
        const matrix_view<const T> top = layers ? matrix_view<const T>(cross_out_[layers - 1].data(), n, width) : e;
        matrix_view<T> g(de_.get(n * width), n, width);
        mlp1_.backward(policy, top, matrix_view<const T>(dh), g);
        if (layers > 0) {
          matrix_view<T> dx0(dx0_.get(n * width), n, width);
          std::fill_n(dx0.data(), n * width, T(0));
          matrix_view<T> next(dnext_.get(n * width), n, width);
          for (std::size_t l = layers; l-- > 0;) {
            const matrix_view<const T> xl = l == 0 ? e : matrix_view<const T>(cross_out_[l - 1].data(), n, width);
            cross_[l].backward(policy, e, xl, matrix_view<const T>(g), dx0, next);
            std::swap(g, next);
          }
          // g is now d loss / d x_0 through the x_l path; add the x_0 (Hadamard) paths.
          for (std::size_t i = 0; i < n * width; ++i) g.data()[i] += dx0.data()[i];
        }
        embedding_.backward(policy, ids, matrix_view<const T>(g));
        break;
      }
      case model_kind::finalmlp: {
        const std::size_t a = mlp1_.out(), b = mlp2_.out();
        matrix_view<T> dh1(dh1_.get(n * a), n, a), dh2(dh2_.get(n * b), n, b);
        unfuse(policy, mlp1_.blocks.back().output(), mlp2_.blocks.back().output(), matrix_view<const T>(dh), dh1,
               dh2);
        matrix_view<T> de(de_.get(n * width), n, width), de2(dx0_.get(n * width), n, width);
        mlp1_.backward(policy, e, matrix_view<const T>(dh1), de);
        mlp2_.backward(policy, e, matrix_view<const T>(dh2), de2);
        for (std::size_t i = 0; i < n * width; ++i) de.data()[i] += de2.data()[i];
        embedding_.backward(policy, ids, matrix_view<const T>(de));
        break;
      }
    }
  }

  /// @brief Every trainable parameter, in a fixed order (the head's weight and bias last).
  [[nodiscard]] std::vector<parameter<T>*> parameters() {
    std::vector<parameter<T>*> out;
    if (config_.kind != model_kind::finalmlp) out.push_back(&first_order_.table);
    if (config_.kind != model_kind::logistic_regression) out.push_back(&embedding_.table);
    for (auto& c : cross_) {
      out.push_back(&c.transform.weight);
      out.push_back(&c.transform.bias);
    }
    if (!mlp1_.blocks.empty()) mlp1_.collect(out);
    if (!mlp2_.blocks.empty()) mlp2_.collect(out);
    out.push_back(&head_.weight);
    out.push_back(&head_.bias);
    return out;
  }
  /// @brief The head's weight w (H x 1).
  [[nodiscard]] parameter<T>& head_weight() noexcept { return head_.weight; }
  [[nodiscard]] const parameter<T>& head_weight() const noexcept { return head_.weight; }
  /// @brief The head's bias b (1 x 1).
  [[nodiscard]] parameter<T>& head_bias() noexcept { return head_.bias; }
  [[nodiscard]] const parameter<T>& head_bias() const noexcept { return head_.bias; }
  /// @brief Number of trainable values.
  [[nodiscard]] std::size_t parameter_count() {
    std::size_t s = 0;
    for (auto* p : parameters()) s += p->size();
    return s;
  }

  /// @brief A copy of all learned values (parameters and batch-norm running statistics).
  [[nodiscard]] model_state<T> state() {
    model_state<T> s;
    for (auto* p : parameters()) s.values.push_back(p->value);
    for_each_bn([&](nn::batch_norm<T>& bn) {
      s.values.push_back(bn.running_mean);
      s.values.push_back(bn.running_var);
    });
    return s;
  }
  /// @brief Restores values saved by state() from a model of the same configuration.
  /// @throws nacs::error errc::invalid_argument when the state does not fit this model
  void load_state(const model_state<T>& s) {
    auto params = parameters();
    std::size_t k = 0, expected = params.size();
    for_each_bn([&](nn::batch_norm<T>&) { expected += 2; });
    NACS_EXPECTS(s.values.size() == expected, errc::invalid_argument,
                 "nacs::ctr_model::load_state: the state has " + std::to_string(s.values.size()) +
                     " arrays but this model has " + std::to_string(expected));
    const auto put = [&](std::vector<T>& dst) {
      NACS_EXPECTS(s.values[k].size() == dst.size(), errc::invalid_argument,
                   "nacs::ctr_model::load_state: array " + std::to_string(k) + " has the wrong size");
      dst = s.values[k++];
    };
    for (auto* p : params) put(p->value);
    for_each_bn([&](nn::batch_norm<T>& bn) {
      put(bn.running_mean);
      put(bn.running_var);
    });
  }

 private:
  using scratch_t = detail::scratch<T>;

  template <class F>
  void for_each_bn(F&& fn) {
    for (auto* net : {&mlp1_, &mlp2_})
      for (auto& b : net->blocks)
        if (b.use_batch_norm) fn(b.bn);
  }

  // h = [h1; h2; for each head c: h1_c (x) h2_c flattened row-major].
  template <host_policy P>
  void fuse(const P& policy, matrix_view<const T> h1, matrix_view<const T> h2, matrix_view<T> h) const {
    const std::size_t a = h1.cols(), b = h2.cols(), k = config_.fusion_heads, ca = a / k, cb = b / k;
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
    }, hidden_size());
  }
  template <host_policy P>
  void unfuse(const P& policy, matrix_view<const T> h1, matrix_view<const T> h2, matrix_view<const T> dh,
              matrix_view<T> dh1, matrix_view<T> dh2) const {
    const std::size_t a = h1.cols(), b = h2.cols(), k = config_.fusion_heads, ca = a / k, cb = b / k;
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
    }, 2 * hidden_size());
  }

  model_config config_;
  std::vector<std::uint32_t> cardinalities_;
  nn::embedding<T> first_order_, embedding_;
  std::vector<nn::cross_layer<T>> cross_;
  nn::mlp<T> mlp1_, mlp2_;
  nn::linear<T> head_;

  std::size_t rows_ = 0;
  detail::scratch<std::uint32_t> ids_;
  scratch_t side_, first_, emb_, fm_, h_, logits_, probs_, dh_, dfirst_, dfm_, de_, dx0_, dnext_, dh1_, dh2_;
  std::vector<scratch_t> cross_out_;
};

}  // namespace nacs
