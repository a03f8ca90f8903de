// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Evaluation metrics for click models: exact ROC AUC (ties counted half) and log loss.
///
/// nacs::auc is defined in nacs/core/auc.hpp (one definition for every layer)
/// and comes with this header. Both take scores or probabilities of any length
/// and the 0/1 labels, accumulate in double and give the same bits on seq and par.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <nacs/core/auc.hpp>
#include <nacs/core/error.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/execution.hpp>

namespace nacs {

/// @brief Probabilities are clipped to [log_loss_clip, 1 - log_loss_clip] before the logarithm.
inline constexpr double log_loss_clip = 1e-7;

namespace detail {

/// The host backend's log_loss.
template <host_policy P, class S>
double host_run(algo::log_loss, const P& policy, std::span<const S> probs, std::span<const float> labels,
                std::span<const float> weights) {
  check_scores(probs, labels, "nacs::log_loss", true);
  NACS_EXPECTS(weights.empty() || weights.size() == probs.size(), errc::invalid_argument,
               "nacs::log_loss: " + std::to_string(weights.size()) + " weights for " + std::to_string(probs.size()) +
                   " rows; give one weight per row or none");
  for (std::size_t i = 0; i < weights.size(); ++i)
    NACS_EXPECTS(std::isfinite(weights[i]) && weights[i] >= 0.0f, errc::invalid_data,
                 "nacs::log_loss: weight " + std::to_string(i) + " is negative or not finite");
  const double total = deterministic_sum(policy, probs.size(), [&](std::size_t i) {
    const double p = std::clamp(static_cast<double>(probs[i]), log_loss_clip, 1.0 - log_loss_clip);
    const double y = labels[i];
    const double w = weights.empty() ? 1.0 : weights[i];
    return -w * (y * std::log(p) + (1.0 - y) * std::log1p(-p));
  });
  double denominator = static_cast<double>(probs.size());
  if (!weights.empty()) {
    denominator = deterministic_sum(policy, weights.size(), [&](std::size_t i) { return double{weights[i]}; });
    NACS_EXPECTS(denominator > 0.0, errc::invalid_data, "nacs::log_loss: the weights sum to 0");
  }
  return total / denominator;
}

}  // namespace detail

/// @brief Mean binary cross entropy of probabilities against (possibly soft) labels.
///
/// log loss = -sum_i w_i [y_i ln p_i + (1 - y_i) ln(1 - p_i)] / sum_i w_i, with p_i
/// clipped to [1e-7, 1 - 1e-7] (nacs::log_loss_clip) so a confident mistake costs
/// at most -ln(1e-7) = 16.1 instead of infinity. Accumulated in double.
/// @param[in] policy  nacs::seq or nacs::par (same bits)
/// @param[in] probs   predicted click probabilities (finite; values outside [0,1] are clipped)
/// @param[in] labels  targets in [0, 1]
/// @param[in] weights optional non-negative per-row weights (empty: all 1)
/// @throws nacs::error errc::invalid_argument on size mismatches; errc::invalid_data for empty input,
///         a non-finite probability, a label outside [0, 1], a negative weight or weights summing to 0.
template <class P>
double log_loss(const P& policy, std::span<const float> probs, std::span<const float> labels,
                std::span<const float> weights = {}) {
  return detail::dispatch<algo::log_loss>(policy, probs, labels, weights);
}
/// @brief log_loss() for double probabilities.
template <class P>
double log_loss(const P& policy, std::span<const double> probs, std::span<const float> labels,
                std::span<const float> weights = {}) {
  return detail::dispatch<algo::log_loss>(policy, probs, labels, weights);
}

}  // namespace nacs
