// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Per-row gradient embeddings that NaCS's facility location compares (paper Eq. 7-9).
///
/// After an evaluation-mode forward over a batch of candidate rows, a gradient
/// embedding turns each row's probability p, hidden vector h (the input of the
/// model's final linear layer) and corrected target q into one row of floats:
///
///   adam_gradient   (default, the paper) the final-layer gradient of the
///                   corrected BCE, g = (p - q) [h; 1] (width H + 1, weights then
///                   bias), adjusted as Adam would adjust it if it entered the
///                   optimiser's moments now (Eq. 7-9):
///                     mhat = (b1 m + (1 - b1) g) / (1 - b1^t)
///                     vhat = (b2 v + (1 - b2) g^2) / (1 - b2^t)
///                     ghat = mhat / (sqrt(vhat) + eps)
///                   with m, v the head's current moments (adam::moments of
///                   head_weight() and head_bias()), b1, b2, eps the optimiser's
///                   options and t = its step count (ALGORITHM.md). At step 0 the
///                   head has no moments yet: t = 1 and m = v = 0, so the bias
///                   corrections cancel and ghat = g / (|g| + eps) elementwise.
///                   Option `next_step`: t = steps + 1 (Eq. 8 read as "the step
///                   this gradient would enter", as the authors' code counts).
///                   Weight decay is not part of g (it is the same term for every row).
///   plain_gradient  g = (p - q) [h; 1] itself (width H + 1), as ctr_model::head_gradients.
///   scalar_gradient the authors' variant (ALGORITHM.md, "Facts"): one scalar per
///                   row, d L / d p = (p - q) / (p (1 - p)) (= (1 - eps)(p - y) / (p (1 - p))
///                   for q = (1 - eps) y + eps p), p clamped to [1e-6, 1 - 1e-6],
///                   times `row_scale`, Adam-adjusted with two scalar moments that
///                   the caller keeps (scalar_moments; zero by default) at
///                   t = steps + 1 and eps = 1e-6, as the authors' code does.
///                   Width 1.
///
/// Each row is computed on its own, in double, and rounded to float once;
/// seq and par give the same bits.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/adam.hpp>
#include <nacs/model/ctr_model.hpp>

namespace nacs {

/// @brief Turns the rows of a model's last forward into gradient embeddings of a fixed width.
///
/// `e.dimension(H)` is the width for a model whose head reads H hidden units;
/// `e.compute(policy, model, optimizer, labels, targets, out)` fills out
/// (model.batch_rows() x e.dimension(model.hidden_size())) from the model's last
/// forward (run it in evaluation mode), the optimiser that trains the model, the
/// given labels (one per row, or empty) and the corrected targets q (one per row).
template <class E>
concept gradient_embedding = requires(const E& e, std::size_t hidden, const ctr_model<float>& model,
                                      const adam<float>& opt, std::span<const float> labels,
                                      std::span<const float> targets, matrix_view<float> out) {
  { e.dimension(hidden) } -> std::convertible_to<std::size_t>;
  { e.name() } -> std::convertible_to<std::string_view>;
  e.compute(seq, model, opt, labels, targets, out);
};

namespace detail {

// Checks shared by every embedding's compute().
template <class T>
void check_embedding_inputs(const ctr_model<T>& model, std::span<const float> labels, std::span<const float> targets,
                            matrix_view<float> out, std::size_t dim, std::string_view api) {
  const std::size_t n = model.batch_rows();
  const std::string name(api);
  NACS_EXPECTS(targets.size() == n, errc::invalid_argument,
               name + ": " + std::to_string(targets.size()) + " targets for " + std::to_string(n) +
                   " rows of the model's last forward; give one corrected target per row");
  NACS_EXPECTS(labels.empty() || labels.size() == n, errc::invalid_argument,
               name + ": " + std::to_string(labels.size()) + " labels for " + std::to_string(n) +
                   " rows of the model's last forward; give one per row or none");
  NACS_EXPECTS(out.rows() == n && out.cols() == dim, errc::invalid_argument,
               name + ": the output is " + std::to_string(out.rows()) + " x " + std::to_string(out.cols()) +
                   " but must be " + std::to_string(n) + " x " + std::to_string(dim) +
                   " (rows of the last forward x dimension(hidden_size()))");
  for (std::size_t i = 0; i < n; ++i)
    NACS_EXPECTS(targets[i] >= 0.0f && targets[i] <= 1.0f, errc::invalid_data,
                 name + ": target " + std::to_string(i) + " is " + std::to_string(targets[i]) +
                     "; targets must lie in [0, 1]");
}

}  // namespace detail

/// @brief The paper's embedding (Eq. 7-9): the Adam-adjusted final-layer gradient ghat of the corrected BCE.
struct adam_gradient {
  /// @brief Use t = steps + 1 instead of t = steps (t = 1 at step 0 either way); see the file comment.
  bool next_step = false;

  /// @brief H + 1: the head's weights and its bias.
  [[nodiscard]] static constexpr std::size_t dimension(std::size_t hidden) noexcept { return hidden + 1; }
  /// @brief "adam".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "adam"; }

  /// @brief The t used in the bias corrections for an optimiser that has taken `steps` steps.
  [[nodiscard]] constexpr std::int64_t step_for(std::int64_t steps) const noexcept {
    return next_step ? steps + 1 : std::max<std::int64_t>(steps, 1);
  }

  /// @brief out(i, :) = ghat_i for each row i of the model's last forward.
  /// @param[in]  policy  nacs::seq or nacs::par (same bits)
  /// @param[in]  model   the model, after an evaluation-mode forward over the rows
  /// @param[in]  opt     the Adam that trains the model (its head moments, step count, betas and epsilon)
  /// @param[in]  labels  the given labels, one per row, or empty (not needed by this embedding)
  /// @param[in]  targets the corrected targets q in [0, 1], one per row
  /// @param[out] out     batch_rows() x (H + 1)
  /// @throws nacs::error errc::invalid_argument for sizes that differ, or an optimiser that has stepped
  ///         without this model's head; errc::invalid_data for a target outside [0, 1]
  template <host_policy P, class T>
  void compute(const P& policy, const ctr_model<T>& model, const adam<T>& opt, std::span<const float> labels,
               std::span<const float> targets, matrix_view<float> out) const {
    detail::require_backend<P>();
    const std::size_t n = model.batch_rows(), hs = model.hidden_size();
    detail::check_embedding_inputs(model, labels, targets, out, dimension(hs), "nacs::adam_gradient::compute");
    const std::int64_t steps = opt.steps();
    const T* mw = nullptr;
    const T* vw = nullptr;
    const T* mb = nullptr;
    const T* vb = nullptr;
    if (steps > 0) {  // throws, naming the parameter, when this optimiser does not hold the head
      const auto& w = opt.moments(model.head_weight());
      const auto& b = opt.moments(model.head_bias());
      mw = w.m.data();
      vw = w.v.data();
      mb = b.m.data();
      vb = b.v.data();
    }
    const double b1 = opt.options().beta1, b2 = opt.options().beta2, eps = opt.options().epsilon;
    const double t = static_cast<double>(step_for(steps));
    const double bc1 = 1.0 - std::pow(b1, t), bc2 = 1.0 - std::pow(b2, t);
    const T* p = model.probabilities().data();
    const matrix_view<const T> hid = model.hidden();
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        const double g = static_cast<double>(p[i]) - static_cast<double>(targets[i]);
        const T* h = hid.row_ptr(i);
        float* o = out.row_ptr(i);
        for (std::size_t j = 0; j <= hs; ++j) {
          const double gj = j < hs ? g * static_cast<double>(h[j]) : g;
          const double m = mw ? static_cast<double>(j < hs ? mw[j] : mb[0]) : 0.0;
          const double v = vw ? static_cast<double>(j < hs ? vw[j] : vb[0]) : 0.0;
          const double mhat = (b1 * m + (1.0 - b1) * gj) / bc1;
          const double vhat = (b2 * v + (1.0 - b2) * gj * gj) / bc2;
          o[j] = static_cast<float>(mhat / (std::sqrt(vhat) + eps));
        }
      }
    }, 12 * (hs + 1));
  }
  friend constexpr bool operator==(const adam_gradient&, const adam_gradient&) = default;
};

namespace detail {
// out(i, :) = s_i [h_i; 1] with s_i = g_i = p_i - q_i (the plain gradient), or, with `unit`,
// s_i = sign(g_i) / |[h_i; 1]| (its direction; 0 where g_i = 0). In T, then rounded to float.
template <host_policy P, class T>
void scaled_head_rows(const P& policy, const ctr_model<T>& model, std::span<const float> targets, matrix_view<float> out,
                      bool unit) {
  const std::size_t n = model.batch_rows(), hs = model.hidden_size();
  const T* p = model.probabilities().data();
  const matrix_view<const T> hid = model.hidden();
  for_each_range(policy, n, model_tile_rows, [&](std::size_t r0, std::size_t r1) {
    for (std::size_t i = r0; i < r1; ++i) {
      const T g = p[i] - static_cast<T>(targets[i]);
      const T* h = hid.row_ptr(i);
      T s = g;
      if (unit) {
        T sq = 1;
        for (std::size_t j = 0; j < hs; ++j) sq += h[j] * h[j];
        s = g == T(0) ? T(0) : (g > T(0) ? T(1) : T(-1)) / std::sqrt(sq);
      }
      float* o = out.row_ptr(i);
      for (std::size_t j = 0; j < hs; ++j) o[j] = static_cast<float>(s * h[j]);
      o[hs] = static_cast<float>(s);
    }
  }, 3 * (hs + 1));
}
}  // namespace detail

/// @brief The plain final-layer gradient of the corrected BCE: g = (p - q) [h; 1] (no Adam adjustment).
struct plain_gradient {
  /// @brief H + 1.
  [[nodiscard]] static constexpr std::size_t dimension(std::size_t hidden) noexcept { return hidden + 1; }
  /// @brief "plain".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "plain"; }

  /// @brief out(i, :) = (p_i - q_i) [h_i; 1], computed in T as ctr_model::head_gradients does, then rounded to float.
  /// @param[in]  policy  nacs::seq or nacs::par
  /// @param[in]  model   the model, after a forward over the rows
  /// @param[in]  opt     unused (the concept's signature)
  /// @param[in]  labels  one per row, or empty (unused)
  /// @param[in]  targets q in [0, 1], one per row
  /// @param[out] out     batch_rows() x (H + 1)
  /// @throws nacs::error as adam_gradient::compute
  template <host_policy P, class T>
  void compute(const P& policy, const ctr_model<T>& model, const adam<T>& opt, std::span<const float> labels,
               std::span<const float> targets, matrix_view<float> out) const {
    detail::require_backend<P>();
    (void)opt;
    detail::check_embedding_inputs(model, labels, targets, out, dimension(model.hidden_size()),
                                   "nacs::plain_gradient::compute");
    detail::scaled_head_rows(policy, model, targets, out, false);
  }
  friend constexpr bool operator==(const plain_gradient&, const plain_gradient&) = default;
};

/// @brief The direction of the plain gradient: g / |g| with g = (p - q) [h; 1] (0 where g = 0).
///
/// The plain gradient's length is |p - q| |[h; 1]|, so rows the model already predicts well
/// lie near the origin, where most rows are, and a facility-location medoid tends to be such an
/// easy row. The direction keeps which side of the label a row is on and where its hidden vector
/// points, without that pull: facility location then spreads the picks over the directions.
struct unit_gradient {
  /// @brief H + 1.
  [[nodiscard]] static constexpr std::size_t dimension(std::size_t hidden) noexcept { return hidden + 1; }
  /// @brief "unit".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "unit"; }
  /// @brief out(i, :) = g_i / |g_i| of plain_gradient's g_i (in T, then rounded to float).
  template <host_policy P, class T>
  void compute(const P& policy, const ctr_model<T>& model, const adam<T>& opt, std::span<const float> labels,
               std::span<const float> targets, matrix_view<float> out) const {
    detail::require_backend<P>();
    (void)opt;
    detail::check_embedding_inputs(model, labels, targets, out, dimension(model.hidden_size()),
                                   "nacs::unit_gradient::compute");
    detail::scaled_head_rows(policy, model, targets, out, true);
  }
  friend constexpr bool operator==(const unit_gradient&, const unit_gradient&) = default;
};

/// @brief The two scalar Adam moments the authors' code keeps for its scalar embedding.
///
/// Their training loop adds, after each batch, the batch's summed d L / d p_i
/// (of the batch-mean loss, i.e. the mean of the per-row d L / d p) into
/// m <- b1 m + (1 - b1) s and v <- b2 v + (1 - b2) s^2. update() does that for
/// one batch; a pipeline can call it from training_set::correct_targets after
/// correcting the targets.
struct scalar_moments {
  double m = 0.0;  ///< first moment
  double v = 0.0;  ///< second moment
  /// @brief One update with the batch mean s of (p - q) / (p (1 - p)) (p clamped to [clip, 1 - clip]).
  /// @throws nacs::error errc::invalid_argument for sizes that differ
  void update(std::span<const float> probabilities, std::span<const float> targets, double beta1 = 0.9,
              double beta2 = 0.999, double clip = 1e-6) {
    NACS_EXPECTS(probabilities.size() == targets.size(), errc::invalid_argument,
                 "nacs::scalar_moments::update: " + std::to_string(probabilities.size()) + " probabilities for " +
                     std::to_string(targets.size()) + " targets");
    if (targets.empty()) return;
    double s = 0.0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const double p = std::clamp(static_cast<double>(probabilities[i]), clip, 1.0 - clip);
      s += (p - static_cast<double>(targets[i])) / (p * (1.0 - p));
    }
    s /= static_cast<double>(targets.size());
    m = beta1 * m + (1.0 - beta1) * s;
    v = beta2 * v + (1.0 - beta2) * s * s;
  }
  friend constexpr bool operator==(const scalar_moments&, const scalar_moments&) = default;
};

/// @brief The authors' embedding: one Adam-adjusted scalar d L / d p per row (width 1).
struct scalar_gradient {
  scalar_moments moments{};  ///< the scalar moments m, v (zero: the authors' first round)
  bool adam_adjusted = true; ///< false: out = row_scale * d L / d p, without the Adam adjustment
  double row_scale = 1.0;    ///< multiplies d L / d p (the authors' code divides by its scoring batch's rows)
  double clip = 1e-6;        ///< p is clamped to [clip, 1 - clip] (the authors' EPS)
  double epsilon = 1e-6;     ///< added to sqrt(vhat) (the authors' 1e-6, not the optimiser's)

  /// @brief 1.
  [[nodiscard]] static constexpr std::size_t dimension(std::size_t) noexcept { return 1; }
  /// @brief "scalar".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "scalar"; }

  /// @brief out(i, 0) = mhat / (sqrt(vhat) + epsilon) of g_i = row_scale (p_i - q_i) / (p_i (1 - p_i)),
  ///        with the scalar moments, the optimiser's betas and t = steps + 1.
  /// @param[in]  policy  nacs::seq or nacs::par
  /// @param[in]  model   the model, after a forward over the rows
  /// @param[in]  opt     the optimiser (its betas and step count)
  /// @param[in]  labels  one per row, or empty (unused: q carries y)
  /// @param[in]  targets q in [0, 1], one per row
  /// @param[out] out     batch_rows() x 1
  /// @throws nacs::error as adam_gradient::compute, and for clip outside (0, 0.5) or epsilon <= 0
  template <host_policy P, class T>
  void compute(const P& policy, const ctr_model<T>& model, const adam<T>& opt, std::span<const float> labels,
               std::span<const float> targets, matrix_view<float> out) const {
    detail::require_backend<P>();
    const std::size_t n = model.batch_rows();
    detail::check_embedding_inputs(model, labels, targets, out, 1, "nacs::scalar_gradient::compute");
    NACS_EXPECTS(clip > 0.0 && clip < 0.5 && epsilon > 0.0 && std::isfinite(row_scale), errc::invalid_argument,
                 "nacs::scalar_gradient: clip must lie in (0, 0.5), epsilon be > 0 and row_scale finite");
    const double b1 = opt.options().beta1, b2 = opt.options().beta2;
    const double t = static_cast<double>(opt.steps() + 1);
    const double bc1 = 1.0 - std::pow(b1, t), bc2 = 1.0 - std::pow(b2, t);
    const T* prob = model.probabilities().data();
    detail::for_each_range(policy, n, 8192, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        const double p = std::clamp(static_cast<double>(prob[i]), clip, 1.0 - clip);
        const double g = row_scale * (p - static_cast<double>(targets[i])) / (p * (1.0 - p));
        double r = g;
        if (adam_adjusted) {
          const double mhat = (b1 * moments.m + (1.0 - b1) * g) / bc1;
          const double vhat = (b2 * moments.v + (1.0 - b2) * g * g) / bc2;
          r = mhat / (std::sqrt(vhat) + epsilon);
        }
        out(i, 0) = static_cast<float>(r);
      }
    }, 16);
  }
  friend constexpr bool operator==(const scalar_gradient&, const scalar_gradient&) = default;
};

static_assert(gradient_embedding<adam_gradient>);
static_assert(gradient_embedding<plain_gradient>);
static_assert(gradient_embedding<scalar_gradient>);
static_assert(gradient_embedding<unit_gradient>);

}  // namespace nacs
