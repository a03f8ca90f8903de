// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Progressive label self-correction (paper Eq. 11-14): global and local trust, and the corrected target q.
///
/// The corrected (soft) label of a row with annotated label y and model
/// prediction p, at optimiser step t of a model planned to take T steps, is
///
///   q = (1 - eps) y + eps p,   eps = g(t, T) * l(p)                      (Eq. 11, 14)
///
/// with a global trust g shared by all rows and a local trust l per row:
///
///   sigmoid_trust  g = 1 / (1 + exp(-beta (t / T - 0.5))), beta = 16       (Eq. 12, the paper)
///   linear_trust   g = min(1, t / T)
///   constant_trust g = value
///   no_trust       g = 0                      (q = y: no correction)
///   entropy_trust  l = 1 - H(p) / ln 2        (Eq. 13; H the binary entropy in nats)
///   flat_trust     l = 1
///
/// (Eq. 14 of the paper prints "g(t) x p(y_hat)"; Eq. 13 defines the local
/// trust as l(y_hat), and ALGORITHM.md pins eps = g(t) l(p), which is what this
/// header computes.) The functors are stateless (or hold one knob), pure
/// arithmetic and marked NACS_HOST_DEVICE, so a CUDA path can share them. They
/// cannot throw: a horizon T <= 0 is treated as a finished schedule (t / T = 1)
/// and t < 0 as t = 0; trust_schedule::validate() turns bad arguments and knobs
/// into nacs::error on the host, and the batch helpers call it.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numbers>
#include <span>
#include <string>
#include <string_view>

#include <nacs/core/config.hpp>
#include <nacs/core/error.hpp>
#include <nacs/core/names.hpp>

namespace nacs {

/// @brief A global trust g(t, T) in [0, 1]: how far the model is trusted at optimiser step t of T planned steps.
template <class G>
concept global_trust = requires(const G& g, std::int64_t t, std::int64_t horizon) {
  { g(t, horizon) } -> std::convertible_to<double>;
  { g.name() } -> std::convertible_to<std::string_view>;
};

/// @brief A local trust l(p) in [0, 1]: how far one row's prediction p is trusted.
template <class L>
concept local_trust = requires(const L& l, double p) {
  { l(p) } -> std::convertible_to<double>;
  { l.name() } -> std::convertible_to<std::string_view>;
};

namespace detail {
/// t / T clamped to [0, inf): T <= 0 counts as a finished schedule (1), t < 0 as 0.
NACS_HOST_DEVICE constexpr double trust_progress(std::int64_t t, std::int64_t horizon) noexcept {
  if (horizon <= 0) return 1.0;
  return t <= 0 ? 0.0 : static_cast<double>(t) / static_cast<double>(horizon);
}
NACS_HOST_DEVICE constexpr double clamp01(double x) noexcept { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }
}  // namespace detail

/// @brief The paper's global trust (Eq. 12): g = 1 / (1 + exp(-beta (t / T - 0.5))), beta = 16 by default.
///
/// g(0) = 1 / (1 + e^8) ~ 3.4e-4, g(T / 2) = 0.5, g(T) ~ 0.99966; past T it keeps rising towards 1.
struct sigmoid_trust {
  double beta = 16.0;  ///< steepness (the paper's 16, after Wang et al.'s ProSelfLC); finite and >= 0
  /// @brief g(t, T).
  NACS_HOST_DEVICE double operator()(std::int64_t t, std::int64_t horizon) const noexcept {
    return 1.0 / (1.0 + std::exp(-beta * (detail::trust_progress(t, horizon) - 0.5)));
  }
  /// @brief "sigmoid".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "sigmoid"; }
  friend constexpr bool operator==(const sigmoid_trust&, const sigmoid_trust&) = default;
};

/// @brief A global trust rising linearly from 0 at t = 0 to 1 at t = T, then staying at 1: min(1, t / T).
struct linear_trust {
  /// @brief min(1, t / T).
  NACS_HOST_DEVICE constexpr double operator()(std::int64_t t, std::int64_t horizon) const noexcept {
    const double r = detail::trust_progress(t, horizon);
    return r < 1.0 ? r : 1.0;
  }
  /// @brief "linear".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "linear"; }
  friend constexpr bool operator==(const linear_trust&, const linear_trust&) = default;
};

/// @brief A global trust that does not change with t: g = value (in [0, 1]; clamped into it).
struct constant_trust {
  double value = 1.0;  ///< the trust, in [0, 1]
  /// @brief value, clamped to [0, 1].
  NACS_HOST_DEVICE constexpr double operator()(std::int64_t, std::int64_t) const noexcept {
    return detail::clamp01(value);
  }
  /// @brief "constant".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "constant"; }
  friend constexpr bool operator==(const constant_trust&, const constant_trust&) = default;
};

/// @brief No correction: g = 0, so eps = 0 and q = y.
struct no_trust {
  /// @brief 0.
  NACS_HOST_DEVICE constexpr double operator()(std::int64_t, std::int64_t) const noexcept { return 0.0; }
  /// @brief "none".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "none"; }
  friend constexpr bool operator==(const no_trust&, const no_trust&) = default;
};

/// @brief The paper's local trust (Eq. 13): l(p) = 1 - H(p) / ln 2, H(p) = -p ln p - (1 - p) ln(1 - p).
///
/// p is first clamped into [clip, 1 - clip] (clip = 1e-7, the clip of nacs::log_loss), so l is finite for
/// p = 0 or 1 (l(0) = l(1) = 1 - H(1e-7) / ln 2 ~ 0.9999975); l(0.5) = 0. The result is clamped to [0, 1]
/// against rounding; a NaN p gives NaN.
struct entropy_trust {
  /// @brief How far p is kept from 0 and 1.
  static constexpr double clip = 1e-7;
  /// @brief 1 - H(p) / ln 2.
  NACS_HOST_DEVICE double operator()(double p) const noexcept {
    const double x = p < clip ? clip : (p > 1.0 - clip ? 1.0 - clip : p);
    const double h = -x * std::log(x) - (1.0 - x) * std::log1p(-x);
    const double l = 1.0 - h / std::numbers::ln2;
    return l < 0.0 ? 0.0 : (l > 1.0 ? 1.0 : l);  // NaN passes through both comparisons
  }
  /// @brief "entropy".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "entropy"; }
  friend constexpr bool operator==(const entropy_trust&, const entropy_trust&) = default;
};

/// @brief A local trust that trusts every prediction fully: l = 1 (eps = g(t)).
struct flat_trust {
  /// @brief 1.
  NACS_HOST_DEVICE constexpr double operator()(double) const noexcept { return 1.0; }
  /// @brief "flat".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "flat"; }
  friend constexpr bool operator==(const flat_trust&, const flat_trust&) = default;
};

static_assert(global_trust<sigmoid_trust>);
static_assert(global_trust<linear_trust>);
static_assert(global_trust<constant_trust>);
static_assert(global_trust<no_trust>);
static_assert(local_trust<entropy_trust>);
static_assert(local_trust<flat_trust>);

/// @brief What T (the horizon of the global trust) counts.
enum class trust_horizon {
  planned_steps,    ///< the paper: T = optimiser steps the selection-phase model is planned to take (default)
  full_data_steps,  ///< the authors' code: T from the full-data loader length (keeps g(t) < 0.01 during selection)
};

/// @brief The horizons' name table as programs spell them (nacs-coreset --horizon): planned, full-data.
/// (to_string gives the enumerators' own spellings.)
inline constexpr auto trust_horizon_table = make_name_table<trust_horizon>(
    "trust horizon", {{"planned", trust_horizon::planned_steps}, {"full-data", trust_horizon::full_data_steps}});

/// @brief "planned_steps" or "full_data_steps".
constexpr std::string_view to_string(trust_horizon h) noexcept {
  return h == trust_horizon::planned_steps ? "planned_steps" : "full_data_steps";
}

/// @brief A global x local trust: eps(t, T, p) = g(t, T) l(p) and the corrected target q = (1 - eps) y + eps p.
/// @tparam G a global_trust (default: the paper's sigmoid, beta 16)
/// @tparam L a local_trust (default: the paper's entropy trust)
template <global_trust G = sigmoid_trust, local_trust L = entropy_trust>
struct trust_schedule {
  G global{};  ///< g(t, T)
  L local{};   ///< l(p)

  /// @brief eps = g(t, T) l(p), in [0, 1].
  /// @param[in] t       optimiser steps taken so far
  /// @param[in] horizon T, the planned number of steps (> 0; <= 0 counts as finished, see the file comment)
  /// @param[in] p       the model's predicted probability
  NACS_HOST_DEVICE double epsilon(std::int64_t t, std::int64_t horizon, double p) const noexcept {
    return detail::clamp01(static_cast<double>(global(t, horizon)) * static_cast<double>(local(p)));
  }
  /// @brief The corrected target q = (1 - eps) y + eps p, computed in double and clamped to [0, 1].
  /// @param[in] y       the given target (a 0/1 label, or already soft), in [0, 1]
  /// @param[in] p       the model's predicted probability, in [0, 1]
  /// @param[in] t       optimiser steps taken so far
  /// @param[in] horizon T
  NACS_HOST_DEVICE float target(float y, float p, std::int64_t t, std::int64_t horizon) const noexcept {
    const double e = epsilon(t, horizon, p);
    return static_cast<float>(detail::clamp01((1.0 - e) * double{y} + e * double{p}));
  }

  /// @brief Checks the arguments and knobs on the host: horizon > 0, t >= 0, the knobs in range.
  /// @throws nacs::error errc::invalid_argument saying which value is wrong
  void validate(std::int64_t t, std::int64_t horizon) const {
    NACS_EXPECTS(horizon > 0, errc::invalid_argument,
                 "nacs::trust_schedule: the horizon T must be > 0 optimiser steps (got " + std::to_string(horizon) +
                     "); plan at least one step");
    NACS_EXPECTS(t >= 0, errc::invalid_argument,
                 "nacs::trust_schedule: the step t must be >= 0 (got " + std::to_string(t) + ")");
    if constexpr (std::same_as<G, sigmoid_trust>)
      NACS_EXPECTS(std::isfinite(global.beta) && global.beta >= 0.0, errc::invalid_argument,
                   "nacs::sigmoid_trust: beta must be finite and >= 0 (got " + std::to_string(global.beta) + ")");
    if constexpr (std::same_as<G, constant_trust>)
      NACS_EXPECTS(global.value >= 0.0 && global.value <= 1.0, errc::invalid_argument,
                   "nacs::constant_trust: value must lie in [0, 1] (got " + std::to_string(global.value) + ")");
  }

  /// @brief Overwrites targets[i] with target(targets[i], p[i], t, T) for every row (host, serial).
  /// @param[in]     probabilities the model's predictions, one per row
  /// @param[in]     t             optimiser steps taken so far
  /// @param[in]     horizon       T (> 0)
  /// @param[in,out] targets       the given targets in [0, 1]; replaced by the corrected ones
  /// @throws nacs::error errc::invalid_argument for sizes that differ or bad t, T (see validate())
  void correct(std::span<const float> probabilities, std::int64_t t, std::int64_t horizon,
               std::span<float> targets) const {
    validate(t, horizon);
    NACS_EXPECTS(probabilities.size() == targets.size(), errc::invalid_argument,
                 "nacs::trust_schedule::correct: " + std::to_string(probabilities.size()) + " probabilities for " +
                     std::to_string(targets.size()) + " targets; give one per row");
    for (std::size_t i = 0; i < targets.size(); ++i) targets[i] = target(targets[i], probabilities[i], t, horizon);
  }

  /// @brief "<global>*<local>", e.g. "sigmoid*entropy".
  [[nodiscard]] std::string name() const {
    return std::string(global.name()) + "*" + std::string(local.name());
  }
  friend constexpr bool operator==(const trust_schedule&, const trust_schedule&) = default;
};

/// @brief A schedule is named by its global trust ("sigmoid"), as trust_names() spell it.
template <global_trust G, local_trust L>
struct type_name<trust_schedule<G, L>> {
  static constexpr std::string_view value = G::name();  ///< G's name
};

/// @brief A training_set::correct_targets hook that applies `schedule` with horizon T to every batch.
///
/// The trainer calls it after each training-mode forward with the batch's
/// (detached) probabilities, the optimizer's step count before the batch's
/// step, and the batch's given targets, which it overwrites with q. The
/// schedule and horizon are checked here, once, so a bad T fails before
/// training starts. Steps past T keep their schedule's value (sigmoid keeps rising, linear stays at 1).
/// @throws nacs::error errc::invalid_argument for horizon <= 0 or bad knobs
template <global_trust G, local_trust L>
std::function<void(std::span<const float>, std::int64_t, std::span<float>)> correction_hook(
    const trust_schedule<G, L>& schedule, std::int64_t horizon) {
  schedule.validate(0, horizon);
  return [schedule, horizon](std::span<const float> p, std::int64_t step, std::span<float> targets) {
    schedule.correct(p, step, horizon, targets);
  };
}

}  // namespace nacs
