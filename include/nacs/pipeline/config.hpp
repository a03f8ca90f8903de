// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Runtime names for the pipeline's policies (one table per kind), and run_coreset, which maps them.
///
/// Programs take names on the command line; the library holds the one table per
/// kind that turns them into policies, so every program spells them alike:
///
/// | kind      | names (first = default)                                              |
/// |-----------|----------------------------------------------------------------------|
/// | method    | nacs, random, random-balanced, setcover, kcenter, svpcf, gradnorm, negsample, lcc, osmac, sensitivity |
/// | filter    | mcdropout, tce, rce, none (empty: the method's own, default_filter)   |
/// | trust     | sigmoid, linear, constant, none (global trust; local trust: entropy) |
/// | embedding | adam, plain, scalar, unit                                            |
/// | solver    | naive, lazy, stochastic, lazier (nacs/solver/choice.hpp, as nacs-greedy --solver) |
/// | preset    | default, paper, large (apply_preset)                                 |
///
/// An unknown name throws nacs::error (errc::invalid_argument) that lists the
/// valid names, and suggests the closest one when it is a near miss
/// ("unknown method 'rnadom': did you mean 'random'? use one of: ...").
///
/// Which names a method reads: nacs uses solver, embedding and trust; setcover the
/// solver; kcenter the solver and the embedding; gradnorm the embedding; random,
/// random-balanced, svpcf and the sampling methods none of them (negsample reads positive_share;
/// lcc, osmac and sensitivity the pilot knobs; osmac and sensitivity weight_clip). An empty solver or embedding name means
/// the method's own default (lazier / adam for nacs, lazy for setcover, naive /
/// plain for kcenter, plain for gradnorm). Names a method does not read are still
/// checked, and otherwise ignored.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/names.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/coreset.hpp>
#include <nacs/pipeline/embedding.hpp>
#include <nacs/pipeline/filter.hpp>
#include <nacs/pipeline/final.hpp>
#include <nacs/pipeline/methods.hpp>
#include <nacs/pipeline/sampling.hpp>
#include <nacs/pipeline/select.hpp>
#include <nacs/pipeline/trust.hpp>
#include <nacs/solver/choice.hpp>
#include <nacs/solver/lazier.hpp>
#include <nacs/solver/lazy.hpp>
#include <nacs/solver/naive.hpp>
#include <nacs/solver/stochastic.hpp>

namespace nacs {

/// @brief A pipeline chosen by names (what a program's flags give), with the knobs programs expose.
struct coreset_config {
  std::string method = "nacs";        ///< see method_names()
  std::string filter{};               ///< see filter_names(); empty: the method's own (default_filter)
  std::string trust = "sigmoid";      ///< see trust_names()
  std::string embedding{};            ///< see embedding_names(); empty: the method's default
  std::string solver{};               ///< see solver_names(); empty: the method's default
  double epsilon = 1e-3;              ///< stochastic / lazier greedy's epsilon, in (0, 1)
  double remove_rate = 0.1;           ///< mcdropout / tce: share of selected rows removed, in [0, 1)
  std::size_t passes = 10;            ///< mcdropout: Monte-Carlo passes (>= 2)
  double trust_value = 1.0;           ///< constant trust's g, in [0, 1]
  std::size_t proxy_epochs = 3;       ///< svpcf: proxy epochs (>= 1)
  double positive_share = 0.5;        ///< negsample: share of positives among the kept rows, in (0, 1)
  double pilot_share = 0.0;           ///< lcc, osmac, sensitivity: pilot rows / N in [0, 1) (0: k rows)
  std::string pilot_sample = "uniform";  ///< lcc, osmac, sensitivity: "uniform" or "balanced" pilot rows
  std::string pilot_model{};          ///< lcc, osmac, sensitivity: the pilot's model name; empty: the selection model
  double weight_clip = 10.0;          ///< osmac, sensitivity: largest weight in units of N / k (>= 1)
  friend bool operator==(const coreset_config&, const coreset_config&) = default;
};

/// @brief One of the uncertainty filters; filter_names() are their name()s, in this order.
using filter_choice = std::variant<mc_dropout_filter, tce_filter, rce_filter, no_filter>;
/// @brief One of the global trusts, with the paper's entropy local trust; trust_names() are the global trusts' name()s.
using trust_choice = std::variant<trust_schedule<sigmoid_trust>, trust_schedule<linear_trust>,
                                  trust_schedule<constant_trust>, trust_schedule<no_trust>>;
/// @brief One of the gradient embeddings; embedding_names() are their name()s, in this order.
using embedding_choice = std::variant<adam_gradient, plain_gradient, scalar_gradient, unit_gradient>;

/// @brief The uncertainty filters' name table (filter_choice's types).
inline constexpr auto filter_table = types_name_table<filter_choice>("filter");
/// @brief The global trusts' name table (trust_choice's types, named by their global trust).
inline constexpr auto trust_table = types_name_table<trust_choice>("trust");
/// @brief The gradient embeddings' name table (embedding_choice's types).
inline constexpr auto embedding_table = types_name_table<embedding_choice>("embedding");

/// @brief The selection methods' names, in table order ("nacs" first).
[[nodiscard]] inline std::span<const std::string_view> method_names() noexcept;
/// @brief The uncertainty filters' names ("mcdropout" first).
[[nodiscard]] inline std::span<const std::string_view> filter_names() noexcept { return filter_table.names(); }
/// @brief The global trusts' names ("sigmoid" first).
[[nodiscard]] inline std::span<const std::string_view> trust_names() noexcept { return trust_table.names(); }
/// @brief The gradient embeddings' names ("adam" first).
[[nodiscard]] inline std::span<const std::string_view> embedding_names() noexcept { return embedding_table.names(); }

/// @brief A trust_choice behind one type, so that nacs_method<S, E, runtime_trust> is compiled once per
/// solver and embedding rather than once per trust; q is the chosen schedule's, bit for bit.
struct runtime_trust {
  trust_choice choice{};  ///< the schedule
  /// @brief The chosen schedule's target(y, p, t, T).
  [[nodiscard]] float target(float y, float p, std::int64_t t, std::int64_t horizon) const {
    return std::visit([&](const auto& s) { return s.target(y, p, t, horizon); }, choice);
  }
  /// @brief The chosen schedule's validate(t, T).
  void validate(std::int64_t t, std::int64_t horizon) const {
    std::visit([&](const auto& s) { s.validate(t, horizon); }, choice);
  }
  /// @brief The chosen schedule's name ("sigmoid*entropy", ...).
  [[nodiscard]] std::string name() const {
    return std::visit([](const auto& s) { return s.name(); }, choice);
  }
};
static_assert(corrected_target<runtime_trust>);

/// @brief The selection methods, one type each (the nacs, setcover, kcenter and gradnorm methods
/// with their default solver and embedding): method_names() are their name()s, in this order, and
/// run_coreset dispatches on the position (type_position).
using method_types =
    std::tuple<nacs_method<lazier_than_lazy, adam_gradient, runtime_trust>, random_method, balanced_random_method,
               set_cover_method<lazy_greedy>, k_center_method<naive_greedy, plain_gradient>, svpcf_method,
               gradnorm_method<plain_gradient>, negsample_method, lcc_method, osmac_method, sensitivity_method>;
/// @brief The selection methods' name table (method_types).
inline constexpr auto method_table = types_name_table<method_types>("method");

inline std::span<const std::string_view> method_names() noexcept { return method_table.names(); }

/// @brief The filter a method runs with when coreset_config::filter is empty: "none" for the samples
/// (random, random-balanced, negsample, lcc, osmac, sensitivity: a filter would change the
/// probabilities they were drawn with, and the first two are the plain controls), "mcdropout"
/// (the paper's) for the rest.
[[nodiscard]] inline std::string_view default_filter(std::string_view method) noexcept {
  for (const std::string_view m : {"random", "random-balanced", "negsample", "lcc", "osmac", "sensitivity"})
    if (method == m) return "none";
  return "mcdropout";
}

/// @brief The filter config runs: config.filter, or the method's default_filter when it is empty.
[[nodiscard]] inline std::string_view effective_filter(const coreset_config& config) noexcept {
  return config.filter.empty() ? default_filter(config.method) : std::string_view(config.filter);
}

/// @brief The filter config.filter names (effective_filter), with config.remove_rate and config.passes.
/// @throws nacs::error for an unknown name, a remove rate outside [0, 1) or fewer than 2 passes
[[nodiscard]] inline filter_choice make_filter(const coreset_config& config) {
  filter_choice f = variant_at<filter_choice>(filter_table.parse(effective_filter(config)));
  std::visit(
      [&](auto& x) {
        if constexpr (requires { x.remove_rate; }) {
          NACS_EXPECTS(config.remove_rate >= 0.0 && config.remove_rate < 1.0, errc::invalid_argument,
                       "the remove rate " + std::to_string(config.remove_rate) +
                           " must be in [0, 1) (the share of selected rows the filter removes, e.g. 0.1)");
          x.remove_rate = config.remove_rate;
        }
        if constexpr (requires { x.passes; }) {
          NACS_EXPECTS(config.passes >= 2, errc::invalid_argument,
                       "mcdropout needs at least 2 Monte-Carlo passes (got " + std::to_string(config.passes) + ")");
          x.passes = config.passes;
        }
      },
      f);
  return f;
}

/// @brief The trust config.trust names (constant: config.trust_value), with entropy local trust.
/// @throws nacs::error for an unknown name or a constant outside [0, 1]
[[nodiscard]] inline trust_choice make_trust(const coreset_config& config) {
  trust_choice t = variant_at<trust_choice>(trust_table.parse(config.trust));
  if (auto* c = std::get_if<trust_schedule<constant_trust>>(&t)) {
    NACS_EXPECTS(config.trust_value >= 0.0 && config.trust_value <= 1.0, errc::invalid_argument,
                 "the constant trust " + std::to_string(config.trust_value) + " must be in [0, 1]");
    c->global.value = config.trust_value;
  }
  return t;
}

/// @brief The embedding `name` names (embedding_names()).
/// @throws nacs::error for an unknown name
[[nodiscard]] inline embedding_choice make_embedding(std::string_view name) {
  return variant_at<embedding_choice>(embedding_table.parse(name));
}

/// @brief The pilot samples' names ("uniform" first; pilot_sample_table).
[[nodiscard]] inline std::span<const std::string_view> pilot_sample_names() noexcept {
  return pilot_sample_table.names();
}

/// @brief The pilot options of config (pilot_share, pilot_sample, pilot_model over `model`).
/// @param[in] config the names and knobs
/// @param[in] model  the selection model, whose settings a named pilot model keeps
/// @throws nacs::error for an unknown sample or model name, or a share outside [0, 1)
[[nodiscard]] inline pilot_options make_pilot(const coreset_config& config, const model_config& model = {}) {
  pilot_options p;
  p.share = config.pilot_share;
  p.sample = pilot_sample_table.parse(config.pilot_sample);
  if (!config.pilot_model.empty()) p.model = with_kind(model, parse_model_kind(config.pilot_model));
  p.validate();
  return p;
}

/// @brief Checks every name and knob of a config (what run_coreset checks first).
/// @throws nacs::error errc::invalid_argument for the first bad name or value
inline void validate_config(const coreset_config& config) {
  (void)method_table.index(config.method);
  (void)make_pilot(config);
  negsample_method{config.positive_share}.validate();
  osmac_method{.weight_clip = config.weight_clip}.validate();
  (void)make_filter(config);
  (void)make_trust(config);
  if (!config.embedding.empty()) (void)make_embedding(config.embedding);
  if (!config.solver.empty()) (void)make_solver(config.solver, config.epsilon);
  NACS_EXPECTS(config.proxy_epochs >= 1, errc::invalid_argument, "svpcf needs at least 1 proxy epoch");
}

/// @brief Named bundles of settings (nacs-coreset --preset).
///
/// - `default` (nacs-coreset's default): for method nacs, the unit-length gradient embedding
///   (nacs::unit_gradient) and class-balanced partitions, the fix for NaCS's easy-row bias measured
///   on the shared real data sets (docs/results.md, "nacs"): 1.4-3.6 points above the paper's
///   settings on MovieLens at 1, 5 and 10 %, and above them in 8 of 9 cells of the three shared
///   sets. For every other method it is `paper`.
/// - `paper`: the defaults of coreset_config, coreset_options and final_options, the paper's
///   method (every row a candidate in every round, random partitions, the Adam-adjusted
///   embedding, unweighted final training).
/// - `large`: the configuration measured best on the 1 M-row synthetic benchmark (docs/log/results.md,
///   "A preset for large data"): the authors' two shortcuts (candidate_share_for_large(ratio,
///   remove rate) of the rows per round, class-balanced partitions), the plain gradient
///   (p - q)[h; 1] as the embedding, no training of the selection model between rounds
///   (round_epochs 0: every round embeds with the model as initialised), and the final model
///   trained both unweighted and with the weights gamma, keeping the better on validation AUC
///   (final_weighting::best_on_validation; it needs a validation set). Not the paper's method; the
///   first four chosen on seeds 1-3 of one synthetic family and checked on 47 more seeds and on
///   the two 8,000-row samples; round_epochs 0 chosen on seeds 101-103 and checked on seeds
///   201-220 (docs/log/results.md, "Rounds without training"); best_on_validation because gamma helped
///   at 20 % flips and hurt at 0, 10 % and 30 % and with asymmetric flips (docs/log/results.md,
///   "Other noise"). On the shared real data it is 1-2 points below `paper` (issue 24's table).
enum class coreset_preset {
  defaults,  ///< "default": nacs with the unit embedding and class-balanced partitions; else paper
  paper,     ///< the paper's method (the library's defaults)
  large,     ///< share of candidates, class-balanced partitions, plain embedding, no training between rounds,
             ///< final model with or without gamma, whichever validates better
};

/// @brief The presets' name table: default, paper, large.
inline constexpr auto preset_table = make_name_table<coreset_preset>(
    "preset", {{"default", coreset_preset::defaults}, {"paper", coreset_preset::paper}, {"large", coreset_preset::large}});

/// @brief The presets' names ("default" first).
[[nodiscard]] inline std::span<const std::string_view> preset_names() noexcept { return preset_table.names(); }

/// @brief The preset named `name` (preset_names()).
/// @throws nacs::error errc::invalid_argument for an unknown name (suggesting the closest)
[[nodiscard]] inline coreset_preset parse_preset(std::string_view name) { return preset_table.parse(name); }

/// @brief The candidate share of the `large` preset for a coreset of `ratio` of the rows, selected
/// with a filter that removes `remove_rate` of its picks: 4 x ratio, at least 0.1 and at least
/// the rows the rounds pick (ratio / (1 - remove_rate), what every round's draw must hold), at most 1.
/// 0.1, 0.2 and 0.4 at 1 %, 5 % and 10 % with the default filter.
/// @throws nacs::error errc::invalid_argument unless 0 < ratio < 1 and 0 <= remove_rate < 1
[[nodiscard]] inline double candidate_share_for_large(double ratio, double remove_rate) {
  NACS_EXPECTS(ratio > 0.0 && ratio < 1.0, errc::invalid_argument,
               "the ratio " + std::to_string(ratio) + " must be in (0, 1)");
  NACS_EXPECTS(remove_rate >= 0.0 && remove_rate < 1.0, errc::invalid_argument,
               "the remove rate " + std::to_string(remove_rate) + " must be in [0, 1)");
  return std::min(1.0, std::max({0.1, 4.0 * ratio, ratio / (1.0 - remove_rate)}));
}

/// @brief Sets what `preset` names in the three option structs, leaving every other field as it
/// is (`paper` resets the preset's fields to their defaults; `default` does the same, then, when
/// config.method is "nacs", sets the unit embedding and class-balanced partitions). Reads
/// config.method, opt.ratio, and config.filter and config.remove_rate (filters other than
/// mcdropout and tce remove nothing).
/// @param[in,out] config embedding
/// @param[in,out] opt    candidate_share, partitions, round_epochs
/// @param[in,out] final  weights
/// @throws nacs::error as candidate_share_for_large
inline void apply_preset(coreset_preset preset, coreset_config& config, coreset_options& opt, final_options& final) {
  if (preset != coreset_preset::large) {
    config.embedding.clear();
    opt.candidate_share = coreset_options{}.candidate_share;
    opt.partitions = coreset_options{}.partitions;
    opt.round_epochs = coreset_options{}.round_epochs;
    final.weights = final_options{}.weights;
    if (preset == coreset_preset::defaults && config.method == "nacs") {
      config.embedding = "unit";
      opt.partitions = partition_mode::class_balanced;
    }
    return;
  }
  const bool removes = effective_filter(config) == "mcdropout" || effective_filter(config) == "tce";
  config.embedding = "plain";
  opt.candidate_share = candidate_share_for_large(opt.ratio, removes ? config.remove_rate : 0.0);
  opt.partitions = partition_mode::class_balanced;
  opt.round_epochs = 0;
  final.weights = final_weighting::best_on_validation;
}

/// @brief select_coreset with the method, filter, trust, embedding and solver named in `config`.
///
/// Same result as select_coreset with the policies the names stand for (same bits):
/// the method and the filter are dispatched separately, so each is compiled once
/// per policy rather than once per combination.
/// @param[in] policy nacs::seq or nacs::par
/// @param[in] train  the encoded training rows
/// @param[in] valid  validation rows, or std::nullopt
/// @param[in] config the names and knobs
/// @param[in] opt    the selection's options (ratio, rounds, partitions, model, seed, progress)
/// @throws nacs::error as validate_config(config) and select_coreset
template <class P>
[[nodiscard]] coreset run_coreset(const P& policy, const dataset& train, const std::optional<evaluation_set>& valid,
                                  const coreset_config& config, const coreset_options& opt = {});

}  // namespace nacs

#include <nacs/detail/pipeline/config.hpp>
#include <nacs/detail/pipeline/instances.hpp>
NACS_DECLARE_INSTANCES(NACS_RUN_CORESET_INSTANCE)
