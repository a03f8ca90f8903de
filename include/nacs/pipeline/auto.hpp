// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief nacs::auto_select: build the coreset of every candidate method, train each one's model, keep the
/// one whose model validates best.
///
/// No selection method wins on every data set (docs/results.md): facility location helps
/// where the data has structure a random sample misses and loses where it does not, and a
/// plain random or class-balanced random sample is hard to beat on some real data. auto_select
/// turns that into a choice made on the user's own data: each candidate (a named
/// coreset_config, nacs::auto_candidate_names()) selects k rows with the same options and
/// seed, a fresh model of final_options is trained on each coreset exactly as
/// train_on_coreset trains it (early-stopped on the validation rows), and, among the
/// candidates whose validation log loss is within one standard error of the lowest (auto_options),
/// the coreset whose model reaches the highest validation AUC is returned (the earlier
/// candidate on a tie). With random and random-balanced among the candidates, the choice cannot fall far
/// below the better of the two controls unless validation and test disagree.
///
/// Cost: every candidate's selection plus one k-row training each; the report gives the
/// seconds of each. The trained models are not kept, but train_on_coreset with the same
/// final_options trains the chosen one again bit for bit, and auto_select's result already
/// carries its evaluation (on the test rows when given).
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/names.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/config.hpp>
#include <nacs/pipeline/coreset.hpp>
#include <nacs/pipeline/final.hpp>

namespace nacs {

/// @brief The name of the automatic choice where a method name is expected (nacs-coreset --method auto).
inline constexpr std::string_view auto_method_name = "auto";

/// @brief A candidate of auto_select: a name, the config it runs, and the partitions it needs.
struct auto_candidate {
  std::string name;                         ///< the name reported (auto_candidate_names())
  coreset_config config;                    ///< method, filter and knobs
  std::optional<partition_mode> partitions;  ///< overrides coreset_options::partitions when set
};

/// @brief What a candidate name stands for: the method it runs, and the settings it changes.
struct auto_candidate_kind {
  std::string_view method;      ///< the method name it runs (method_names())
  bool class_balanced = false;  ///< runs with class-balanced partitions
  bool unit = false;            ///< runs with the unit embedding unless the base config names one
  friend constexpr bool operator==(const auto_candidate_kind&, const auto_candidate_kind&) = default;
};

/// @brief The candidates' name table (see auto_candidate_names()).
inline constexpr auto auto_candidate_table = make_name_table<auto_candidate_kind>(
    "auto candidate", {{"random", {"random"}},
                       {"random-balanced", {"random-balanced"}},
                       {"nacs", {"nacs", true, true}},
                       {"nacs-paper", {"nacs"}},
                       {"nacs-cb", {"nacs", true}},
                       {"nacs-cb-unit", {"nacs", true, true}},
                       {"setcover", {"setcover"}},
                       {"kcenter", {"kcenter"}},
                       {"svpcf", {"svpcf"}},
                       {"gradnorm", {"gradnorm"}},
                       {"negsample", {"negsample"}},
                       {"lcc", {"lcc"}},
                       {"osmac", {"osmac"}},
                       {"sensitivity", {"sensitivity"}}});

/// @brief The names make_auto_candidate knows: every method name, "nacs-paper" (NaCS as the paper
/// has it: random partitions, the Adam-adjusted embedding), "nacs-cb" (the paper's NaCS with
/// class-balanced partitions) and "nacs-cb-unit" (the same with the unit-length gradient embedding,
/// nacs::unit_gradient: what "nacs" is, as `--method nacs` under nacs-coreset's default preset).
///
/// Each candidate runs with its method's own filter (nacs::default_filter: none for random,
/// random-balanced and the sampling methods, MC dropout for the rest), whatever the base
/// config's filter; its other knobs come from the base config (an embedding named there
/// replaces nacs's unit embedding).
[[nodiscard]] inline std::span<const std::string_view> auto_candidate_names() noexcept {
  return auto_candidate_table.names();
}

/// @brief The candidates auto_select tries by default (nacs-coreset --method auto without --auto-candidates).
///
/// Chosen on the shared real data sets (docs/results.md, "auto"): the two controls
/// and NaCS with class-balanced partitions.
[[nodiscard]] inline std::span<const std::string_view> default_auto_candidates() noexcept {
  static constexpr std::array<std::string_view, 3> names = {"random", "random-balanced", "nacs-cb"};
  return names;
}

/// @brief The candidate `name` (auto_candidate_names()), with the knobs of `base` (filter, epsilon, pilot, ...).
/// @throws nacs::error errc::invalid_argument for an unknown name (suggesting the closest)
[[nodiscard]] inline auto_candidate make_auto_candidate(std::string_view name, const coreset_config& base = {}) {
  const std::size_t i = auto_candidate_table.index(name);
  const auto_candidate_kind& kind = auto_candidate_table.values()[i];
  auto_candidate c;
  c.name = std::string(auto_candidate_table.names()[i]);
  c.config = base;
  c.config.method = std::string(kind.method);
  c.config.filter.clear();
  if (kind.class_balanced) c.partitions = partition_mode::class_balanced;
  if (kind.unit && c.config.embedding.empty()) c.config.embedding = "unit";
  return c;
}

/// @brief How auto_select chooses among its candidates.
struct auto_options {
  /// A candidate is eligible when its model's validation log loss is at most the lowest of all
  /// candidates' plus this many standard errors of that lowest one (the one-standard-error rule
  /// of model selection, Breiman et al. 1984; the slack adapts to the validation set's size);
  /// the eligible candidate with the best validation AUC is kept. A model with the best AUC but
  /// over-confident predictions is then not chosen. HUGE_VAL: AUC alone. At least 0.
  double logloss_slack = 1.0;
  /// Called with a candidate's name before its selection starts (progress output); may be empty.
  std::function<void(const std::string&)> on_candidate{};
  /// @brief Throws errc::invalid_argument for a negative or NaN slack.
  void validate() const {
    NACS_EXPECTS(logloss_slack >= 0.0, errc::invalid_argument,
                 "nacs::auto_options: logloss_slack = " + std::to_string(logloss_slack) +
                     " must be >= 0 (standard errors; HUGE_VAL chooses on AUC alone)");
  }
};

/// @brief What one candidate did in auto_select.
struct auto_trial {
  std::string name;                          ///< the candidate's name
  double valid_auc = 0.0;                    ///< its model's best validation AUC (what the choice compares)
  double valid_logloss = 0.0;                ///< that model's validation log loss
  double valid_logloss_se = 0.0;             ///< its standard error
  bool eligible = true;                      ///< its log loss was within the slack of the lowest (auto_options)
  coreset_evaluation evaluation;             ///< its model's evaluation (on the test rows when given, else validation)
  coreset_report report;                     ///< its selection's report
  double seconds = 0.0;                      ///< selection and training, wall clock
};

/// @brief What auto_select returns: the chosen coreset, its evaluation, and every trial.
struct auto_result {
  coreset core;                   ///< the chosen candidate's coreset
  std::size_t choice = 0;         ///< index into trials
  std::vector<auto_trial> trials;  ///< one per candidate, in the order given (core's is trials[choice])
  double seconds = 0.0;           ///< the whole call
  /// @brief The chosen candidate's name.
  [[nodiscard]] const std::string& chosen() const { return trials.at(choice).name; }
};

/// @brief Builds each candidate's coreset, trains its model, keeps the eligible one with the best validation AUC.
/// @param[in] policy     nacs::seq or nacs::par (same bits)
/// @param[in] train      the encoded training rows
/// @param[in] valid      validation rows (required: the choice is made on them)
/// @param[in] test       test rows to evaluate every candidate's model on, or std::nullopt (then the
///                       evaluations are on the validation rows)
/// @param[in] candidates at least one
/// @param[in] opt        the selection's options (ratio or k, seed, model, ...), the same for every candidate
/// @param[in] fin        the final training (as train_on_coreset)
/// @param[in] how        the choice's rule (the log-loss slack)
/// @throws nacs::error errc::invalid_argument for no candidates, a negative slack, as run_coreset and train_on_coreset
template <class P>
[[nodiscard]] auto_result auto_select(const P& policy, const dataset& train, const evaluation_set& valid,
                                      const std::optional<evaluation_set>& test,
                                      std::span<const auto_candidate> candidates, const coreset_options& opt = {},
                                      const final_options& fin = {}, const auto_options& how = {});

}  // namespace nacs

#include <nacs/detail/pipeline/auto.hpp>
#include <nacs/detail/pipeline/instances.hpp>
NACS_DECLARE_INSTANCES(NACS_AUTO_SELECT_INSTANCE)
