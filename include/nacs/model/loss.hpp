// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Binary cross entropy with soft labels and optional per-row weights, from logits.
///
/// NaCS trains on corrected labels q in [0, 1] (Eq. 15 of the paper) and on
/// coresets whose rows carry weights, so the loss takes soft targets and
/// weights. It is computed from logits z (not probabilities) so it stays exact
/// for confident predictions: l(z, q) = max(z, 0) - q z + log(1 + exp(-|z|)),
/// the same value as -(q ln p + (1 - q) ln(1 - p)) with p = sigmoid(z), and
/// dl/dz = sigmoid(z) - q.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <nacs/core/config.hpp>
#include <nacs/core/error.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/execution.hpp>

namespace nacs {

/// @brief What the summed, weighted loss is divided by.
enum class loss_normalization {
  rows,     ///< by the number of rows n: mean_i w_i l_i (PyTorch's BCE(weight=w), reduction "mean")
  weights,  ///< by the sum of the weights: sum_i w_i l_i / sum_i w_i (a weighted mean)
};

/// @brief "rows" or "weights".
constexpr std::string_view to_string(loss_normalization n) noexcept {
  return n == loss_normalization::rows ? "rows" : "weights";
}

/// @brief The logistic function 1 / (1 + exp(-z)), without overflow for any z.
template <class T>
NACS_HOST_DEVICE inline T sigmoid(T z) noexcept {
  if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
  const T e = std::exp(z);
  return e / (T(1) + e);
}

/// @brief Cross entropy of logit z against target q in [0, 1]: max(z,0) - q z + log1p(exp(-|z|)).
template <class T>
NACS_HOST_DEVICE inline T bce_with_logit(T z, T q) noexcept {
  return (z > T(0) ? z : T(0)) - q * z + std::log1p(std::exp(-std::fabs(z)));
}

namespace detail {
template <class T>
void check_loss_inputs(std::span<const T> logits, std::span<const float> targets, std::span<const float> weights,
                       std::size_t grad_size) {
  const std::size_t n = logits.size();
  NACS_EXPECTS(targets.size() == n, errc::invalid_argument,
               "nacs::bce_with_logits: " + std::to_string(n) + " logits but " + std::to_string(targets.size()) +
                   " targets; give one target per row");
  NACS_EXPECTS(weights.empty() || weights.size() == n, errc::invalid_argument,
               "nacs::bce_with_logits: " + std::to_string(weights.size()) + " weights for " + std::to_string(n) +
                   " rows; give one weight per row or none");
  NACS_EXPECTS(grad_size == 0 || grad_size == n, errc::invalid_argument,
               "nacs::bce_with_logits: the gradient output has " + std::to_string(grad_size) + " entries for " +
                   std::to_string(n) + " rows; pass one per row, or an empty span for no gradient");
  NACS_EXPECTS(n > 0, errc::invalid_data, "nacs::bce_with_logits: no rows (empty batch)");
  for (std::size_t i = 0; i < n; ++i) {
    NACS_EXPECTS(std::isfinite(logits[i]), errc::invalid_data,
                 "nacs::bce_with_logits: logit " + std::to_string(i) +
                     " is NaN or infinite; the model diverged (lower the learning rate)");
    NACS_EXPECTS(targets[i] >= 0.0f && targets[i] <= 1.0f, errc::invalid_data,
                 "nacs::bce_with_logits: target " + std::to_string(i) + " is " + std::to_string(targets[i]) +
                     "; targets must lie in [0, 1]");
    if (!weights.empty())
      NACS_EXPECTS(std::isfinite(weights[i]) && weights[i] >= 0.0f, errc::invalid_data,
                   "nacs::bce_with_logits: weight " + std::to_string(i) + " is negative or not finite");
  }
}
}  // namespace detail

/// @brief Normalised soft-label BCE of a batch of logits, and its gradient with respect to each logit.
///
/// loss = sum_i w_i l(z_i, q_i) / D, with D = n (loss_normalization::rows) or sum_i w_i
/// (loss_normalization::weights); grad_i = w_i (sigmoid(z_i) - q_i) / D. The sum is
/// accumulated in double, in fixed chunks, so seq and par give the same bits.
/// @tparam T float or double
/// @param[in]  policy  nacs::seq or nacs::par
/// @param[in]  logits  n finite logits
/// @param[in]  targets n targets in [0, 1] (0/1 labels or corrected soft labels)
/// @param[in]  weights n non-negative weights, or empty for all 1
/// @param[out] grad    n outputs for d loss / d logit, or empty to skip the gradient
/// @param[in]  norm    what the weighted sum is divided by
/// @return the normalised loss
/// @throws nacs::error errc::invalid_argument on size mismatches; errc::invalid_data for an empty
///         batch, a non-finite logit, a target outside [0, 1], a negative weight, or weights summing to 0
///         with loss_normalization::weights.
template <host_policy P, class T>
double bce_with_logits(const P& policy, std::span<const T> logits, std::span<const float> targets,
                       std::span<const float> weights, std::span<T> grad,
                       loss_normalization norm = loss_normalization::rows) {
  detail::require_backend<P>();
  detail::check_loss_inputs(logits, targets, weights, grad.size());
  const std::size_t n = logits.size();
  const auto w = [&](std::size_t i) { return weights.empty() ? 1.0 : static_cast<double>(weights[i]); };
  double denominator = static_cast<double>(n);
  if (norm == loss_normalization::weights) {
    denominator = weights.empty() ? static_cast<double>(n) : detail::deterministic_sum(policy, n, w);
    NACS_EXPECTS(denominator > 0.0, errc::invalid_data,
                 "nacs::bce_with_logits: the weights sum to 0, so the weighted mean is undefined");
  }
  const double total = detail::deterministic_sum(policy, n, [&](std::size_t i) {
    const double z = static_cast<double>(logits[i]), q = targets[i];
    return w(i) * bce_with_logit(z, q);
  });
  if (!grad.empty()) {
    const double scale = 1.0 / denominator;
    detail::for_each_range(policy, n, 8192, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i)
        grad[i] = static_cast<T>(w(i) * scale * (sigmoid(static_cast<double>(logits[i])) - double{targets[i]}));
    }, 16);
  }
  return total / denominator;
}

/// @brief Per-row, unweighted soft-label BCE of logits: out_i = l(z_i, q_i).
/// @param[in]  policy  nacs::seq or nacs::par
/// @param[in]  logits  n finite logits
/// @param[in]  targets n targets in [0, 1]
/// @param[out] out     n losses
/// @throws nacs::error as bce_with_logits
template <host_policy P, class T>
void bce_per_row(const P& policy, std::span<const T> logits, std::span<const float> targets, std::span<T> out) {
  detail::require_backend<P>();
  detail::check_loss_inputs(logits, targets, {}, out.size());
  NACS_EXPECTS(out.size() == logits.size(), errc::invalid_argument,
               "nacs::bce_per_row: the output needs one entry per logit");
  detail::for_each_range(policy, logits.size(), 8192, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i)
      out[i] = static_cast<T>(bce_with_logit(static_cast<double>(logits[i]), double{targets[i]}));
  }, 16);
}

}  // namespace nacs
