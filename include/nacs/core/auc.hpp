// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The one exact ROC AUC of nacs (ties counted half), for every layer that needs it.
///
/// The data layer (synthetic_data::oracle_auc) and the model layer
/// (model/metrics.hpp, which re-exports it beside log_loss) both use this
/// header, so there is one definition and the data layer does not include the
/// model layer. It needs no Eigen. Sorting is chunked in parallel on par and
/// merged; the count that follows depends only on the multiset of (score,
/// label) pairs per distinct score, so seq and par give the same bits.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/parallel.hpp>  // chunked loops; Eigen-free, shared with the model layer
#include <nacs/execution.hpp>

namespace nacs {

namespace detail {

template <class S>
struct scored_label {
  S score;
  bool positive;
};

// Checks one finite score per label, non-empty input, and hard (0/1) or soft ([0, 1]) labels.
template <class S>
void check_scores(std::span<const S> scores, std::span<const float> labels, const char* api, bool soft_labels) {
  NACS_EXPECTS(scores.size() == labels.size(), errc::invalid_argument,
               std::string(api) + ": " + std::to_string(scores.size()) + " scores but " +
                   std::to_string(labels.size()) + " labels; give one score per label");
  NACS_EXPECTS(!scores.empty(), errc::invalid_data, std::string(api) + ": no rows to evaluate (empty input)");
  for (std::size_t i = 0; i < scores.size(); ++i) {
    NACS_EXPECTS(std::isfinite(scores[i]), errc::invalid_data,
                 std::string(api) + ": score " + std::to_string(i) + " is not finite (NaN or infinite); check the model");
    const float y = labels[i];
    const bool ok = soft_labels ? (y >= 0.0f && y <= 1.0f) : (y == 0.0f || y == 1.0f);
    NACS_EXPECTS(ok, errc::invalid_data,
                 std::string(api) + ": label " + std::to_string(i) + " is " + std::to_string(y) +
                     (soft_labels ? "; labels must lie in [0, 1]" : "; AUC needs hard labels, 0 or 1"));
  }
}

// Sorts by score: chunks sorted in parallel, then merged. The counting that
// follows only depends on the multiset of (score, label) per distinct score,
// so any correct sort gives the same AUC.
template <host_policy P, class S>
void sort_by_score(const P& policy, std::vector<scored_label<S>>& v) {
  const auto less = [](const scored_label<S>& a, const scored_label<S>& b) { return a.score < b.score; };
  const std::size_t chunk = std::max<std::size_t>(std::size_t{1} << 16, v.size() / 16 + 1);
  for_each_range(policy, v.size(), chunk, [&](std::size_t b, std::size_t e) {
    std::sort(v.begin() + static_cast<std::ptrdiff_t>(b), v.begin() + static_cast<std::ptrdiff_t>(e), less);
  });
  for (std::size_t width = chunk; width < v.size(); width *= 2) {
    const std::size_t pairs = block_count(v.size(), 2 * width);
    for_each_block(policy, pairs, [&](std::size_t p) {
      const std::size_t b = p * 2 * width, m = std::min(v.size(), b + width), e = std::min(v.size(), b + 2 * width);
      if (m < e)
        std::inplace_merge(v.begin() + static_cast<std::ptrdiff_t>(b), v.begin() + static_cast<std::ptrdiff_t>(m),
                           v.begin() + static_cast<std::ptrdiff_t>(e), less);
    });
  }
}

/// The host backend's auc.
template <host_policy P, class S>
double host_run(algo::auc, const P& policy, std::span<const S> scores, std::span<const float> labels) {
  check_scores(scores, labels, "nacs::auc", false);
  const std::size_t n = scores.size();
  std::vector<scored_label<S>> v(n);
  std::uint64_t positives = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = {scores[i], labels[i] == 1.0f};
    positives += v[i].positive ? 1 : 0;
  }
  const std::uint64_t negatives = n - positives;
  NACS_EXPECTS(positives > 0 && negatives > 0, errc::invalid_data,
               "nacs::auc: the labels are all " + std::string(positives ? "1" : "0") +
                   " (a single class); AUC needs at least one positive and one negative row");
  sort_by_score(policy, v);
  // Walk groups of equal scores in increasing order: each positive in a group
  // beats every negative below it and ties with the negatives in its group.
  // Counted in halves, in long double (exact below 2^64).
  long double halves = 0.0L;
  std::uint64_t negatives_below = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    std::uint64_t pos = 0, neg = 0;
    while (j < n && v[j].score == v[i].score) {
      (v[j].positive ? pos : neg) += 1;
      ++j;
    }
    halves += static_cast<long double>(pos) * static_cast<long double>(2 * negatives_below + neg);
    negatives_below += neg;
    i = j;
  }
  return static_cast<double>(halves / (2.0L * static_cast<long double>(positives) * static_cast<long double>(negatives)));
}

}  // namespace detail

/// @brief Exact area under the ROC curve, ties counted half, in O(n log n).
///
/// AUC = (#{positive scored above negative} + 0.5 #{positive tied with negative}) / (P N),
/// over all positive/negative pairs. Scores may be probabilities or logits (any
/// monotone transform gives the same AUC).
/// @param[in] policy nacs::seq or nacs::par (par sorts in parallel; same result)
/// @param[in] scores one finite score per row
/// @param[in] labels one label per row, exactly 0 or 1
/// @return the AUC in [0, 1]
/// @throws nacs::error errc::invalid_argument on a size mismatch; errc::invalid_data for empty input,
///         a NaN/infinite score, a label other than 0/1, or labels of a single class.
template <class P>
double auc(const P& policy, std::span<const float> scores, std::span<const float> labels) {
  return detail::dispatch<algo::auc>(policy, scores, labels);
}
/// @brief auc() for double scores.
template <class P>
double auc(const P& policy, std::span<const double> scores, std::span<const float> labels) {
  return detail::dispatch<algo::auc>(policy, scores, labels);
}

}  // namespace nacs
