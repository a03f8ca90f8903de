// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The Adam optimizer, with lazy (row-sparse) updates for embedding tables and readable moments.
///
/// Update of a value w with gradient g at step t (t counts calls to step(), from 1):
///   g <- g + lambda w                       (weight_decay_mode::l2, the default: PyTorch's Adam(weight_decay))
///   m <- beta1 m + (1 - beta1) g
///   v <- beta2 v + (1 - beta2) g^2
///   w <- w - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
/// With weight_decay_mode::decoupled (AdamW) the gradient is left alone and
/// w <- w - lr lambda w is applied before the Adam step instead.
///
/// Sparse parameters (embedding tables) are updated lazily, as TensorFlow's
/// LazyAdam and PyTorch's SparseAdam do: only the rows listed in
/// parameter::touched (the ids seen in the batch) have their m, v and w updated,
/// with the global step t in the bias corrections. Rows not in the batch keep
/// their m and v unchanged (no decay) and their values unchanged (no momentum
/// step and no weight decay). A dense update would move every row every step;
/// lazy updates are what make a step cost O(batch) instead of O(vocabulary).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/parameter.hpp>

namespace nacs {

/// @brief How weight decay enters the update.
enum class weight_decay_mode {
  l2,         ///< lambda w added to the gradient (PyTorch Adam(weight_decay=lambda))
  decoupled,  ///< w <- w - lr lambda w, outside the moments (AdamW)
};

/// @brief "l2" or "decoupled".
constexpr std::string_view to_string(weight_decay_mode m) noexcept { return m == weight_decay_mode::l2 ? "l2" : "decoupled"; }

/// @brief Adam's hyper-parameters (defaults: the paper's lr 0.01 and PyTorch's betas, eps, no decay).
struct adam_options {
  double learning_rate = 0.01;  ///< step size, > 0
  double beta1 = 0.9;           ///< first-moment decay, in [0, 1)
  double beta2 = 0.999;         ///< second-moment decay, in [0, 1)
  double epsilon = 1e-8;        ///< added to sqrt(v hat), > 0
  double weight_decay = 0.0;    ///< lambda >= 0 (the paper searches 1e-7 .. 5e-4)
  weight_decay_mode decay_mode = weight_decay_mode::l2;  ///< how lambda is applied
  friend bool operator==(const adam_options&, const adam_options&) = default;
};

/// @brief Adam's first and second moment estimates of one parameter, shaped like its value.
template <class T>
struct adam_moments {
  std::vector<T> m;  ///< first moment (uncorrected), one per value
  std::vector<T> v;  ///< second moment (uncorrected), one per value
};

/// @brief Adam over a fixed list of parameters (one optimizer per model).
///
/// The first step() registers the parameter list (allocating zero moments);
/// later steps must pass the same parameters in the same order. NaCS reads the
/// final layer's moments with moments() and the step count with steps().
/// @tparam T float or double (the parameters' value type; moments are stored in T)
template <class T>
class adam {
 public:
  /// @brief An optimizer with the given hyper-parameters (validated here).
  explicit adam(const adam_options& options = {}) : options_(options) { validate(options); }

  /// @brief One Adam step on every parameter, from the gradients of the last backward.
  /// @param[in] policy nacs::seq or nacs::par (elementwise; same bits either way)
  /// @param[in,out] params the model's parameters, same list on every call
  /// @throws nacs::error errc::invalid_argument when the list differs from the registered one
  template <host_policy P>
  void step(const P& policy, std::span<parameter<T>* const> params) {
    detail::require_backend<P>();
    register_or_check(params);
    ++steps_;
    const double b1 = options_.beta1, b2 = options_.beta2;
    const double bc1 = 1.0 - std::pow(b1, static_cast<double>(steps_));
    const double bc2 = 1.0 - std::pow(b2, static_cast<double>(steps_));
    const coefficients c{static_cast<T>(b1), static_cast<T>(1.0 - b1), static_cast<T>(b2), static_cast<T>(1.0 - b2),
                         static_cast<T>(options_.learning_rate / bc1), static_cast<T>(1.0 / std::sqrt(bc2)),
                         static_cast<T>(options_.epsilon),
                         static_cast<T>(options_.decay_mode == weight_decay_mode::l2 ? options_.weight_decay : 0.0),
                         static_cast<T>(options_.decay_mode == weight_decay_mode::decoupled
                                            ? 1.0 - options_.learning_rate * options_.weight_decay
                                            : 1.0)};
    for (std::size_t k = 0; k < params.size(); ++k) {
      parameter<T>& p = *params[k];
      adam_moments<T>& s = state_[k];
      if (!p.sparse) {
        detail::for_each_range(policy, p.size(), 16384, [&](std::size_t b, std::size_t e) {
          update(c, p.value.data(), p.grad.data(), s.m.data(), s.v.data(), b, e);
        }, 10);
      } else {
        const std::size_t w = p.cols;
        for (std::size_t r : p.touched)
          NACS_EXPECTS(r < p.rows, errc::invalid_argument,
                       "nacs::adam::step: parameter " + p.name + " lists touched row " + std::to_string(r) +
                           " of " + std::to_string(p.rows));
        detail::for_each_range(policy, p.touched.size(), 1024, [&](std::size_t b, std::size_t e) {
          for (std::size_t i = b; i < e; ++i) {
            const std::size_t r = p.touched[i];
            update(c, p.value.data(), p.grad.data(), s.m.data(), s.v.data(), r * w, r * w + w);
          }
        }, 10 * w);
      }
    }
  }
  /// @brief step() for a std::vector of parameter pointers.
  template <host_policy P>
  void step(const P& policy, const std::vector<parameter<T>*>& params) {
    step(policy, std::span<parameter<T>* const>(params.data(), params.size()));
  }

  /// @brief Number of steps taken (t in the bias corrections).
  [[nodiscard]] std::int64_t steps() const noexcept { return steps_; }
  /// @brief The hyper-parameters.
  [[nodiscard]] const adam_options& options() const noexcept { return options_; }
  /// @brief Changes the learning rate for later steps (moments are kept).
  void set_learning_rate(double lr) {
    adam_options o = options_;
    o.learning_rate = lr;
    validate(o);
    options_ = o;
  }
  /// @brief The moments of a registered parameter (zero vectors of its size if step() has not run on it).
  /// @throws nacs::error errc::invalid_argument when p is not in the registered list
  [[nodiscard]] const adam_moments<T>& moments(const parameter<T>& p) const {
    for (std::size_t k = 0; k < registered_.size(); ++k)
      if (registered_[k] == &p) return state_[k];
    NACS_FAIL(errc::invalid_argument, "nacs::adam::moments: parameter '", p.name,
              "' is not optimised by this adam; call step() with the model's parameters first");
  }
  /// @brief Forgets the moments, the step count and the registered parameters.
  void reset() noexcept {
    registered_.clear();
    state_.clear();
    steps_ = 0;
  }

 private:
  struct coefficients {
    T b1, one_minus_b1, b2, one_minus_b2, step_size, inv_sqrt_bc2, eps, l2, shrink;
  };

  static void update(const coefficients& c, T* w, const T* grad, T* m, T* v, std::size_t b, std::size_t e) noexcept {
    for (std::size_t i = b; i < e; ++i) {
      const T g = grad[i] + c.l2 * w[i];
      m[i] = c.b1 * m[i] + c.one_minus_b1 * g;
      v[i] = c.b2 * v[i] + c.one_minus_b2 * g * g;
      w[i] = c.shrink * w[i] - c.step_size * m[i] / (std::sqrt(v[i]) * c.inv_sqrt_bc2 + c.eps);
    }
  }

  static void validate(const adam_options& o) {
    NACS_EXPECTS(std::isfinite(o.learning_rate) && o.learning_rate > 0.0, errc::invalid_argument,
                 "nacs::adam: learning_rate must be > 0 (got " + std::to_string(o.learning_rate) + ")");
    NACS_EXPECTS(o.beta1 >= 0.0 && o.beta1 < 1.0 && o.beta2 >= 0.0 && o.beta2 < 1.0, errc::invalid_argument,
                 "nacs::adam: beta1 and beta2 must lie in [0, 1) (got " + std::to_string(o.beta1) + ", " +
                     std::to_string(o.beta2) + ")");
    NACS_EXPECTS(std::isfinite(o.epsilon) && o.epsilon > 0.0, errc::invalid_argument, "nacs::adam: epsilon must be > 0");
    NACS_EXPECTS(std::isfinite(o.weight_decay) && o.weight_decay >= 0.0, errc::invalid_argument,
                 "nacs::adam: weight_decay must be >= 0");
  }

  void register_or_check(std::span<parameter<T>* const> params) {
    for (std::size_t k = 0; k < params.size(); ++k) {
      NACS_EXPECTS(params[k] != nullptr, errc::invalid_argument, "nacs::adam::step: a parameter pointer is null");
      const parameter<T>& p = *params[k];
      NACS_EXPECTS(p.grad.size() == p.value.size() && p.value.size() == p.rows * p.cols, errc::invalid_argument,
                   "nacs::adam::step: parameter " + p.name + " has " + std::to_string(p.value.size()) +
                       " values and " + std::to_string(p.grad.size()) + " gradients for shape " +
                       std::to_string(p.rows) + " x " + std::to_string(p.cols));
    }
    if (registered_.empty() && state_.empty()) {
      registered_.assign(params.begin(), params.end());
      state_.resize(params.size());
      for (std::size_t k = 0; k < params.size(); ++k) {
        state_[k].m.assign(params[k]->size(), T(0));
        state_[k].v.assign(params[k]->size(), T(0));
      }
      return;
    }
    bool same = registered_.size() == params.size();
    for (std::size_t k = 0; same && k < params.size(); ++k)
      same = registered_[k] == params[k] && state_[k].m.size() == params[k]->size();
    NACS_EXPECTS(same, errc::invalid_argument,
                 "nacs::adam::step: called with a different parameter list than its first step; use one adam "
                 "per model, or reset() it");
  }

  adam_options options_;
  std::vector<const parameter<T>*> registered_;
  std::vector<adam_moments<T>> state_;
  std::int64_t steps_ = 0;
};

}  // namespace nacs
