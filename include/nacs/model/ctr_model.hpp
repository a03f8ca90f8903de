// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief ctr_model: a CTR model of any architecture behind one type, with the head every model shares.
///
/// Every model is `logit = w . h + b (+ side terms)`, p = sigmoid(logit), where
/// h is the hidden vector that enters the final linear layer (the "head", w and
/// b). ctr_model owns the head and what every model does alike (the ids kept
/// for backward, the sigmoid, the parameter list, state()); the architecture
/// computes h and the side terms: a built-in one (nacs/model/models.hpp: lr,
/// fm, deepfm, dcnv2, finalmlp), chosen by model_config::kind, or any type
/// satisfying ctr_architecture (nacs/model/architecture.hpp). NaCS forms
/// per-row final-layer gradients (p - q) [h; 1] from hidden() and
/// probabilities() without a backward pass (head_gradients()), and reads the
/// head's Adam moments through head_weight() / head_bias().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/detail/model/eigen.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/architecture.hpp>
#include <nacs/model/batch_norm.hpp>
#include <nacs/model/linear.hpp>
#include <nacs/model/loss.hpp>
#include <nacs/model/mode.hpp>
#include <nacs/model/models.hpp>
#include <nacs/model/parameter.hpp>

namespace nacs {

/// @brief Everything a model has learned (parameter values and batch-norm running statistics), for early stopping.
template <class T>
struct model_state {
  std::vector<std::vector<T>> values;  ///< in the model's fixed order
};

namespace detail {

// An architecture behind a virtual interface, one overload per host policy, so
// that ctr_model<T> is one type whatever it runs. The work inside each call is
// the architecture's own template code; the call itself costs one indirect
// jump per forward or backward of a batch.
template <class T>
class architecture_handle {
 public:
  virtual ~architecture_handle() = default;
  [[nodiscard]] virtual std::unique_ptr<architecture_handle> clone() const = 0;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] virtual std::size_t hidden_size() const noexcept = 0;
  virtual void init_head(nn::linear<T>& head) = 0;
  virtual matrix_view<const T> forward(const sequenced_policy& p, const model_batch<T>& b) = 0;
  virtual matrix_view<const T> forward(const parallel_policy& p, const model_batch<T>& b) = 0;
  virtual void backward(const sequenced_policy& p, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh,
                        std::span<const T> dlogits) = 0;
  virtual void backward(const parallel_policy& p, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh,
                        std::span<const T> dlogits) = 0;
  virtual void collect(std::vector<parameter<T>*>& out) = 0;
  virtual void collect_batch_norms(std::vector<nn::batch_norm<T>*>& out) = 0;

 protected:
  architecture_handle() = default;
  architecture_handle(const architecture_handle&) = default;
  architecture_handle& operator=(const architecture_handle&) = default;
};

// Without OpenMP, parallel_policy never reaches an architecture: ctr_model's
// require_backend rejects it at compile time. The overload must still exist;
// it runs the seq code, which is what par's fixed tiles compute anyway.
template <class P>
decltype(auto) host_or_seq(const P& p) {
  if constexpr (backend_available_v<P>) {
    return (p);
  } else {
    return (seq);
  }
}

template <class T, class A>
class architecture_holder final : public architecture_handle<T> {
 public:
  explicit architecture_holder(A a) : a_(std::move(a)) {}
  [[nodiscard]] std::unique_ptr<architecture_handle<T>> clone() const override {
    return std::make_unique<architecture_holder>(a_);
  }
  [[nodiscard]] std::string_view name() const noexcept override { return A::name; }
  [[nodiscard]] std::size_t hidden_size() const noexcept override { return a_.hidden_size(); }
  void init_head(nn::linear<T>& head) override {
    if constexpr (requires { a_.init_head(head); }) a_.init_head(head);
  }
  matrix_view<const T> forward(const sequenced_policy& p, const model_batch<T>& b) override {
    return a_.forward(p, b);
  }
  matrix_view<const T> forward(const parallel_policy& p, const model_batch<T>& b) override {
    return a_.forward(host_or_seq(p), b);
  }
  void backward(const sequenced_policy& p, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh,
                std::span<const T> dlogits) override {
    a_.backward(p, ids, dh, dlogits);
  }
  void backward(const parallel_policy& p, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh,
                std::span<const T> dlogits) override {
    a_.backward(host_or_seq(p), ids, dh, dlogits);
  }
  void collect(std::vector<parameter<T>*>& out) override { a_.collect(out); }
  void collect_batch_norms(std::vector<nn::batch_norm<T>*>& out) override { a_.collect_batch_norms(out); }

 private:
  A a_;
};

}  // namespace detail

/// @brief A CTR model over an encoded dataset's fields: a built-in model_kind or a user-defined architecture.
///
/// Batch-major float32 (or float64) storage; buffers are kept between batches
/// and grow only when a larger batch arrives. One forward (and its backward)
/// at a time per object. The policy of every call picks seq or par; seq and par
/// give the same bits.
/// @tparam T float or double
template <class T>
class ctr_model {
 public:
  /// @brief A freshly initialised built-in model (config.kind).
  /// @param[in] config        architecture
  /// @param[in] cardinalities ids per field of the encoded data (dataset::cardinalities)
  /// @throws nacs::error errc::invalid_argument for an inconsistent configuration
  ctr_model(const model_config& config, std::span<const std::uint32_t> cardinalities)
      : config_(config), cardinalities_(cardinalities.begin(), cardinalities.end()) {
    check_config(config, cardinalities);
    arch_ = detail::models::visit_kind<T>(config.kind, [&](auto a) -> std::unique_ptr<detail::architecture_handle<T>> {
      using A = typename decltype(a)::type;
      return std::make_unique<detail::architecture_holder<T, A>>(A(config, cardinalities));
    });
    make_head();
  }

  /// @brief A model of a user-defined architecture (already initialised) over fields of these cardinalities.
  ///
  /// config() is then `config` as given (its kind is not consulted); the head is
  /// seeded with config.seed.
  /// @throws nacs::error errc::invalid_argument for no fields
  template <ctr_architecture<T> A>
  ctr_model(A architecture, std::span<const std::uint32_t> cardinalities, const model_config& config = {})
      : config_(config), cardinalities_(cardinalities.begin(), cardinalities.end()) {
    check_config(config, cardinalities);
    arch_ = std::make_unique<detail::architecture_holder<T, A>>(std::move(architecture));
    make_head();
  }

  /// @brief A copy of the parameters and statistics (not of the last forward's outputs).
  ctr_model(const ctr_model& o)
      : config_(o.config_), cardinalities_(o.cardinalities_), arch_(o.arch_->clone()), head_(o.head_),
        hidden_(nullptr, 0, o.head_.in()) {}
  ctr_model& operator=(const ctr_model& o) {
    if (this != &o) *this = ctr_model(o);
    return *this;
  }
  ctr_model(ctr_model&&) noexcept = default;
  ctr_model& operator=(ctr_model&&) noexcept = default;
  ~ctr_model() = default;

  /// @brief The configuration.
  [[nodiscard]] const model_config& config() const noexcept { return config_; }
  /// @brief The architecture's name ("deepfm", ...).
  [[nodiscard]] std::string_view name() const noexcept { return arch_->name(); }
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
    const std::size_t n = ids.rows(), f = fields();
    detail::expect_shape(ids, n, f, "nacs::ctr_model::forward", "ids (one column per field)");
    NACS_EXPECTS(row_keys.empty() || row_keys.size() == n, errc::invalid_argument,
                 "nacs::ctr_model::forward: give one dropout row key per row or none");
    rows_ = n;
    // Keep the ids for backward (the caller's buffer may change).
    std::uint32_t* id_copy = ids_.get(n * f);
    for (std::size_t i = 0; i < n; ++i) std::copy_n(ids.row_ptr(i), f, id_copy + i * f);
    T* side = side_.get(n);
    std::fill_n(side, n, T(0));
    const model_batch<T> batch{matrix_view<const std::uint32_t>(id_copy, n, f), mode, key, row_keys,
                               std::span<T>(side, n)};
    hidden_ = arch_->forward(policy, batch);
    detail::expect_shape(hidden_, n, hidden_size(), "nacs::ctr_model::forward", "the architecture's h");
    matrix_view<T> z(logits_.get(n), n, 1);
    head_.forward(policy, hidden_, z);
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
  [[nodiscard]] matrix_view<const T> hidden() const noexcept { return hidden_; }

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
    const std::size_t n = rows_, f = fields(), hs = hidden_size();
    NACS_EXPECTS(dlogits.size() == n && n > 0, errc::invalid_argument,
                 "nacs::ctr_model::backward: give one gradient per row of the last forward (" + std::to_string(n) +
                     ")");
    const matrix_view<const std::uint32_t> ids(ids_.data(), n, f);
    const matrix_view<const T> dz(dlogits.data(), n, 1);
    matrix_view<T> dh(dh_.get(n * hs), n, hs);
    head_.backward(policy, hidden(), dz, dh);
    // d logit / d side term = 1: the side terms' gradient is dlogits itself.
    arch_->backward(policy, ids, matrix_view<const T>(dh), dlogits);
  }

  /// @brief Every trainable parameter, in a fixed order (the architecture's, then the head's weight and bias).
  [[nodiscard]] std::vector<parameter<T>*> parameters() {
    std::vector<parameter<T>*> out;
    arch_->collect(out);
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
    for (auto* bn : batch_norms()) {
      s.values.push_back(bn->running_mean);
      s.values.push_back(bn->running_var);
    }
    return s;
  }
  /// @brief Restores values saved by state() from a model of the same configuration.
  /// @throws nacs::error errc::invalid_argument when the state does not fit this model
  void load_state(const model_state<T>& s) {
    const auto params = parameters();
    const auto norms = batch_norms();
    std::size_t k = 0;
    const std::size_t expected = params.size() + 2 * norms.size();
    NACS_EXPECTS(s.values.size() == expected, errc::invalid_argument,
                 "nacs::ctr_model::load_state: the state has " + std::to_string(s.values.size()) +
                     " arrays but this model has " + std::to_string(expected));
    const auto put = [&](std::vector<T>& dst) {
      NACS_EXPECTS(s.values[k].size() == dst.size(), errc::invalid_argument,
                   "nacs::ctr_model::load_state: array " + std::to_string(k) + " has the wrong size");
      dst = s.values[k++];
    };
    for (auto* p : params) put(p->value);
    for (auto* bn : norms) {
      put(bn->running_mean);
      put(bn->running_var);
    }
  }

 private:
  static void check_config(const model_config& c, std::span<const std::uint32_t> cardinalities) {
    NACS_EXPECTS(!cardinalities.empty(), errc::invalid_argument,
                 "nacs::ctr_model: no fields; build it from an encoded dataset's cardinalities");
    NACS_EXPECTS(c.embedding_dim > 0, errc::invalid_argument, "nacs::ctr_model: embedding_dim must be > 0");
    NACS_EXPECTS(c.embedding_init_std >= 0, errc::invalid_argument, "nacs::ctr_model: embedding_init_std must be >= 0");
  }
  void make_head() {
    head_ = nn::linear<T>(arch_->hidden_size(), 1, "head", config_.seed, 3000);
    arch_->init_head(head_);
    hidden_ = matrix_view<const T>(nullptr, 0, head_.in());
  }
  [[nodiscard]] std::vector<nn::batch_norm<T>*> batch_norms() {
    std::vector<nn::batch_norm<T>*> out;
    arch_->collect_batch_norms(out);
    return out;
  }

  model_config config_;
  std::vector<std::uint32_t> cardinalities_;
  std::unique_ptr<detail::architecture_handle<T>> arch_;
  nn::linear<T> head_;

  std::size_t rows_ = 0;
  matrix_view<const T> hidden_;
  detail::scratch<std::uint32_t> ids_;
  detail::scratch<T> side_, logits_, probs_, dh_;
};

}  // namespace nacs
