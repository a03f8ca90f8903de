// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Sampling methods with known inclusion probabilities: negative downsampling, local
/// case-control sampling, optimal subsampling (OSMAC) and sensitivity sampling.
///
/// | method             | name          | keeps row i with probability pi_i proportional to          | final model trains with |
/// |--------------------|---------------|-------------------------------------------------------------|-------------------------|
/// | negsample_method   | "negsample"   | its class's rate (a share s of the k rows are positives)    | offset log(a1 / a0)     |
/// | lcc_method         | "lcc"         | abs(y - p~(x)) (Fithian & Hastie, Ann. Stat. 2014)          | offset log(pi(x,1) / pi(x,0)) |
/// | osmac_method       | "osmac"       | abs(y - p~(x)) * norm([h(x); 1]) (Wang, Zhu & Ma, JASA 2018) | weights 1 / pi_i        |
/// | sensitivity_method | "sensitivity" | sqrt(leverage of (2y - 1)[h; 1]) + 1/N (Munteanu et al., NeurIPS 2018) | weights 1 / pi_i |
///
/// p~ is a pilot model's click probability and h its head input (the hidden vector
/// that enters its final linear layer: the final-layer gradient of a row is
/// (p~ - y)[h; 1], so abs(y - p~) * norm([h; 1]) is that gradient's norm). The pilot is a
/// fresh model trained on a seeded sample of pilot_options::share x N rows (uniform or
/// class-balanced, the latter with the class-prior offset so that p~ is on the data's
/// scale), early-stopped on the validation rows when there are any; its cost is in
/// coreset_report (pilot_rows, rows_trained, training_seconds).
///
/// Budget: every method keeps exactly selection_context::target rows. Scores s_i become
/// inclusion probabilities pi_i = min(1, c s_i) with c chosen so that they sum to the
/// target (nacs::inclusion_probabilities), and the rows are drawn by systematic sampling
/// over a seeded random order (nacs::systematic_sample), which keeps exactly that many
/// rows and row i with probability pi_i.
///
/// Corrections: lcc and negsample keep rows with a label-dependent probability, so the
/// sample's click odds at x are the data's times pi(x, 1) / pi(x, 0); they return that
/// log ratio per row as a logit offset (coreset::offsets), and train_on_coreset's prior
/// correction trains the final model with it, so the model needs no pilot to predict.
/// osmac and sensitivity return inverse-probability weights (coreset::importance_weights),
/// clipped at weight_clip x N / target and rescaled to mean 1; the final model trains
/// with them (final_weighting::method_default). coreset_report::effective_sample_share is
/// (sum w)^2 / (sum w^2) / target.
///
/// Like every method they run through nacs::select_coreset: the selection-phase model is
/// then trained on the chosen rows and the filter (MC dropout by default) runs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/names.hpp>
#include <nacs/core/types.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/models.hpp>
#include <nacs/pipeline/method.hpp>

namespace nacs {

/// @brief Inclusion probabilities pi_i = min(1, c s_i) summing to k (c > 0 found exactly, by sorting).
///
/// Rows of score 0 get pi = 0 unless fewer than k rows have a positive score: then every
/// positive-score row gets 1 and the zero-score rows share the rest equally.
/// @param[in] scores N finite, non-negative scores
/// @param[in] k      the expected sample size, 0 <= k <= N
/// @return N probabilities in [0, 1] whose sum is k up to rounding
/// @throws nacs::error errc::invalid_argument for a negative or non-finite score, or k outside [0, N]
[[nodiscard]] std::vector<double> inclusion_probabilities(std::span<const double> scores, row_index k);

/// @brief Exactly k distinct rows, row i kept with probability pi_i: systematic sampling over a seeded random order.
///
/// The rows are shuffled (random_stream(seed)), laid end to end as intervals of length
/// pi_i on [0, k), and the rows whose interval holds one of the points u, u + 1, ...,
/// u + k - 1 (u uniform in [0, 1)) are kept. Should rounding leave a point in an
/// interval that already holds one (pi_i within rounding of 1), the unkept row of largest
/// pi (lowest index on ties) makes up the count.
/// @param[in] probabilities N values in [0, 1] summing to k (within 1e-6 k)
/// @param[in] k    rows to keep
/// @param[in] seed the draw's seed
/// @return k distinct row indices, in increasing order
/// @throws nacs::error errc::invalid_argument for a value outside [0, 1], or a sum that is not k
[[nodiscard]] std::vector<row_index> systematic_sample(std::span<const double> probabilities, row_index k,
                                                       std::uint64_t seed);

/// @brief The logit offset of a row kept by case-control sampling: log(pi(x, 1) / pi(x, 0)) with
/// pi(x, y) = min(1, c abs(y - p)), i.e. log(min(1, c (1 - p)) / min(1, c p)); -logit(p) when neither is clipped.
/// @param[in] p the pilot's probability, in (0, 1)
/// @param[in] c the scale of inclusion_probabilities (> 0)
[[nodiscard]] inline double case_control_offset(double p, double c) noexcept {
  return std::log(std::min(1.0, c * (1.0 - p))) - std::log(std::min(1.0, c * p));
}

/// @brief Inverse-probability weights of sampled rows, clipped, rescaled to mean 1, and their effective sample share.
struct importance_weights_result {
  std::vector<float> weights;          ///< one per row, mean 1
  double effective_sample_share = 1.0;  ///< (sum w)^2 / (sum w^2) / rows, of the clipped weights
};

/// @brief w_j = min(cap, 1 / pi[rows[j]]), rescaled to mean 1 (Horvitz-Thompson weights, clipped).
/// @param[in] probabilities the inclusion probabilities of every row (N)
/// @param[in] rows          the sampled rows (indices into probabilities)
/// @param[in] cap           the largest weight before rescaling (> 0)
/// @throws nacs::error errc::invalid_argument for a row out of range or with probability 0
[[nodiscard]] importance_weights_result inverse_probability_weights(std::span<const double> probabilities,
                                                                    std::span<const row_index> rows, double cap);

/// @brief Which rows train a pilot model.
enum class pilot_sample {
  uniform,   ///< uniformly at random
  balanced,  ///< half positives, half negatives (trained with the class-prior offset)
};

/// @brief The pilot samples' name table: uniform, balanced (coreset_config::pilot_sample).
inline constexpr auto pilot_sample_table = make_name_table<pilot_sample>(
    "pilot sample", {{"uniform", pilot_sample::uniform}, {"balanced", pilot_sample::balanced}});

/// @brief "uniform" or "balanced".
constexpr std::string_view to_string(pilot_sample s) noexcept { return pilot_sample_table.name_of(s); }

/// @brief The pilot model of the importance-sampling methods: its rows and its architecture.
struct pilot_options {
  /// Pilot rows as a share of N, in [0, 1); 0: as many as the coreset keeps (k rows, the cost of
  /// one more model of the final size).
  double share = 0.0;
  pilot_sample sample = pilot_sample::uniform;  ///< how the pilot rows are drawn
  std::optional<model_config> model{};          ///< the pilot's model; empty: coreset_options::model
  /// @brief Throws errc::invalid_argument for a share outside [0, 1).
  void validate() const {
    NACS_EXPECTS(share >= 0.0 && share < 1.0, errc::invalid_argument,
                 "the pilot share " + std::to_string(share) + " must be in [0, 1) (0: as many rows as the coreset)");
  }
};

/// @brief Negative downsampling with recalibration (He et al., ADKDD 2014) under a fixed budget.
///
/// Keeps min(P, round(positive_share x target)) positives and the rest negatives, each
/// uniformly within its class (all of a class when it has fewer rows than its share);
/// offset o = log(a1 / a0), a1 and a0 the rates at which positives and negatives were
/// kept, which is the recalibration q = p / (p + (1 - p) / w) (w = a0 / a1) built into
/// training. positive_share 0.5 draws the rows of random-balanced (the same streams).
struct negsample_method {
  double positive_share = 0.5;  ///< share of positives among the kept rows, in (0, 1)
  /// @brief "negsample".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "negsample"; }
  /// @brief Throws errc::invalid_argument for a share outside (0, 1).
  void validate() const {
    NACS_EXPECTS(positive_share > 0.0 && positive_share < 1.0, errc::invalid_argument,
                 "negsample: the positive share " + std::to_string(positive_share) + " must be in (0, 1), e.g. 0.5");
  }
  /// @brief Draws the two classes.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief Local case-control sampling (Fithian & Hastie, Ann. Stat. 2014): keep rows the pilot gets wrong.
///
/// pi_i = min(1, c abs(y_i - p~_i)) summing to the target; offset
/// o_i = log(min(1, c (1 - p~_i)) / min(1, c p~_i)), which is -logit(p~_i) where no
/// probability is clipped at 1 (the paper's estimate: the sample's fit plus the pilot's
/// logit).
struct lcc_method {
  pilot_options pilot{};  ///< the pilot
  /// @brief "lcc".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "lcc"; }
  /// @brief Checks the pilot's options.
  void validate() const { pilot.validate(); }
  /// @brief Trains the pilot, scores every row, draws.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief Optimal subsampling for logistic regression (OSMAC, Wang, Zhu & Ma, JASA 2018; its mVc rule).
///
/// s_i = (1 - mix) g_i / mean(g) + mix, with g_i = abs(y_i - p~_i) norm([h_i; 1]) the
/// pilot's final-layer gradient norm and `mix` a defensive share of uniform sampling;
/// pi_i = min(1, c s_i); weights 1 / pi_i, clipped at weight_clip x N / target, mean 1.
struct osmac_method {
  pilot_options pilot{};     ///< the pilot
  double mix = 0.1;          ///< share of uniform probability mixed in, in [0, 1]
  double weight_clip = 10.0; ///< largest weight, in units of the uniform weight N / target (>= 1)
  /// @brief "osmac".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "osmac"; }
  /// @brief Checks the pilot, mix and clip.
  void validate() const {
    pilot.validate();
    NACS_EXPECTS(mix >= 0.0 && mix <= 1.0, errc::invalid_argument,
                 "osmac: the uniform mix " + std::to_string(mix) + " must be in [0, 1]");
    NACS_EXPECTS(weight_clip >= 1.0, errc::invalid_argument,
                 "osmac: the weight clip " + std::to_string(weight_clip) + " must be >= 1 (e.g. 10)");
  }
  /// @brief Trains the pilot, scores every row, draws.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief Sensitivity sampling for logistic regression (after Munteanu, Schwiegelshohn, Sohler & Woodruff,
/// NeurIPS 2018) on the pilot's head input.
///
/// z_i = (2 y_i - 1)[h_i; 1]; leverage l_i = z_i^T (Z^T Z + lambda I)^-1 z_i (lambda = 1e-6
/// trace / d, in double); s_i = sqrt(l_i) + 1 / N, the root-leverage bound on a row's
/// sensitivity with the uniform term; pi_i = min(1, c s_i); weights 1 / pi_i, clipped at
/// weight_clip x N / target, mean 1.
struct sensitivity_method {
  pilot_options pilot{};      ///< the pilot (its h is the representation)
  double weight_clip = 10.0;  ///< largest weight, in units of the uniform weight N / target (>= 1)
  /// @brief "sensitivity".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "sensitivity"; }
  /// @brief Checks the pilot and the clip.
  void validate() const {
    pilot.validate();
    NACS_EXPECTS(weight_clip >= 1.0, errc::invalid_argument,
                 "sensitivity: the weight clip " + std::to_string(weight_clip) + " must be >= 1 (e.g. 10)");
  }
  /// @brief Trains the pilot, scores every row, draws.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

static_assert(selection_method<negsample_method>);
static_assert(selection_method<lcc_method>);
static_assert(selection_method<osmac_method>);
static_assert(selection_method<sensitivity_method>);

}  // namespace nacs

#include <nacs/detail/pipeline/sampling.hpp>
