// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The selection methods: NaCS (the paper) and the baselines, all models of nacs::selection_method.
///
/// | method                   | name              | what it picks                                                      |
/// |--------------------------|-------------------|--------------------------------------------------------------------|
/// | nacs_method              | "nacs"            | R rounds of facility location on gradient embeddings (Algorithm 1) |
/// | random_method            | "random"          | target rows uniformly at random                                    |
/// | balanced_random_method   | "random-balanced" | half positives, half negatives, uniformly (as many as exist)       |
/// | set_cover_method         | "setcover"        | greedy maximum coverage of (field, value) pairs, per partition     |
/// | k_center_method          | "kcenter"         | greedy k-center on gradient embeddings, per partition              |
/// | svpcf_method             | "svpcf"           | top rows by FM-proxy loss summed over its epochs (seed 003)        |
/// | gradnorm_method          | "gradnorm"        | top rows by gradient-embedding norm (seed 002)                     |
///
/// Every method runs through nacs::select_coreset and so gets the same filter,
/// the same report and the same selection-phase training: the selection-phase
/// model is trained on the chosen rows before the filter runs, so every filter
/// sees a trained model. NaCS trains between its rounds (one epoch on the rows
/// chosen so far, with the corrected loss of its trust schedule); a baseline
/// picks all rows at once and select_coreset then trains the model for R epochs
/// on them with the plain loss (R = the round count NaCS would use), in both
/// cases followed by early stopping on the validation set when one is given.
/// Baselines do not correct labels: their targets q are the labels.
///
/// Embeddings for k-center and gradient norm come from the untrained model
/// (they pick in one pass, before any training). Their default embedding is the
/// plain gradient (p - y)[h; 1]: the Adam-adjusted one at step 0 is
/// g / (|g| + eps), the sign of each coordinate, which makes every norm equal and
/// k-center a search over sign patterns.
///
/// Draws are seeded from coreset_options::seed, so every method is deterministic
/// for a seed and gives the same bits on seq and par.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nacs/core/error.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/pipeline/coreset.hpp>
#include <nacs/pipeline/embedding.hpp>
#include <nacs/pipeline/method.hpp>
#include <nacs/pipeline/trust.hpp>
#include <nacs/solver/lazier.hpp>
#include <nacs/solver/lazy.hpp>
#include <nacs/solver/naive.hpp>
#include <nacs/solver/stochastic.hpp>

namespace nacs {

/// @brief What nacs_method needs of a trust: q = target(y, p, t, T) (trust_schedule and runtime_trust).
template <class T>
concept corrected_target = requires(const T& t, float y, float p, std::int64_t step, std::int64_t horizon) {
  { t.target(y, p, step, horizon) } -> std::convertible_to<float>;
};
static_assert(corrected_target<trust_schedule<>>);

/// @brief The paper's method (Algorithm 1, step 1): R rounds of facility location on gradient embeddings.
///
/// Round r = 1..R (budget: the r-th share of selection_context::target, shares
/// differing by at most one):
/// 1. cut all rows into partitions (partition_mode::random: a fresh seeded shuffle
///    cut into parts of at most P rows; class_balanced: positives and negatives cut
///    apart, the round's budget split in half between the classes, as many as each
///    has); share the round's budget between partitions in proportion to their size
///    (nacs::partition_budgets, capacities = rows not chosen yet);
/// 2. per partition with a budget, one at a time: forward its rows in eval mode,
///    corrected targets q from `trust` at the current optimiser step t and horizon
///    T, gradient embeddings from `embedding` (P x d, never all N at once), then
///    facility_location{embeddings, neg_distance{}} solved with `solver` (its seed,
///    when it has one, derived from (seed, round, partition)), rows chosen in
///    earlier rounds excluded as candidates (they still count in the objective);
/// 3. add the picks, then train the model one epoch (coreset_options::round_epochs; 0: none, the
///    next round embeds with the same model) on all rows chosen so far with
///    the corrected loss BCE(p, q) (a training_set::correct_targets hook applying `trust`
///    at the optimiser's step, as nacs::correction_hook does).
/// After the last round the model keeps training with early stopping on the
/// validation set when one is given.
///
/// Weights: a pick's facility-location weight (rows of its partition it is the
/// nearest pick of) is rescaled so that each round's weights sum to that round's
/// number of picks, then each round keeps its own: gamma has mean 1 and rows of
/// every round count alike (each round's weights alone cover all N rows, so
/// summing raw counts would weigh rounds by how much they re-cover).
/// T (trust_horizon::planned_steps) = sum over rounds of round_epochs x ceil(|S so far| / B)
/// plus epochs x ceil(target / B) when a validation set is given;
/// trust_horizon::full_data_steps: ceil(N / B) x epochs (the authors' choice).
/// @tparam Solver a greedy_solver (default lazier_than_lazy, epsilon 1e-3: stochastic greedy's picks,
///         evaluated lazily with stale upper bounds, so the same rows as stochastic_greedy with
///         fewer gain evaluations)
/// @tparam Embedding a gradient_embedding (default the Adam-adjusted head gradient, Eq. 7-9)
/// @tparam Trust a trust_schedule (default sigmoid x entropy, Eq. 11-14), or any type with
///         `float target(float y, float p, std::int64_t t, std::int64_t T) const` (such as
///         nacs::runtime_trust); a `validate(t, T)` member, when present, is called once with T
template <greedy_solver Solver = lazier_than_lazy, gradient_embedding Embedding = adam_gradient,
          corrected_target Trust = trust_schedule<>>
struct nacs_method {
  Solver solver{};        ///< greedy solver of every partition
  Embedding embedding{};  ///< what a row's embedding is
  Trust trust{};          ///< progressive label self-correction

  /// @brief "nacs".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "nacs"; }
  /// @brief Checks the solver's settings.
  void validate() const { solver.validate(); }
  /// @brief Runs the rounds (see the struct); returns trained = true.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief Uniform random rows: target rows drawn without replacement (returned in increasing order), weight 1.
struct random_method {
  /// @brief "random".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "random"; }
  /// @brief Nothing to check.
  void validate() const noexcept {}
  /// @brief Draws the rows from random_stream(seed, "RANDOM").
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief Class-balanced random rows: ceil(target / 2) positives (label >= 0.5) and the rest negatives, uniformly.
///
/// When one class has fewer rows than its half, all of them are taken and the
/// other class makes up the rest. The control that separates NaCS's selection
/// from the class balance that class-balanced partitions give.
struct balanced_random_method {
  /// @brief "random-balanced".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "random-balanced"; }
  /// @brief Nothing to check.
  void validate() const noexcept {}
  /// @brief Draws each class's rows from its own stream.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief Set cover (paper Table 3a): greedy maximum coverage of (field, value) pairs, partition by partition.
///
/// nacs::set_cover over the training ids, cut into seeded random partitions of P
/// rows, budgets by partition_budgets; gamma = the objective's weights (rows that
/// share the most values with the pick) rescaled to mean 1.
/// @tparam Solver a greedy_solver (lazy greedy by default: exact and fast on integer gains)
template <greedy_solver Solver = lazy_greedy>
struct set_cover_method {
  Solver solver{};  ///< greedy solver of every partition
  /// @brief "setcover".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "setcover"; }
  /// @brief Checks the solver's settings.
  void validate() const { solver.validate(); }
  /// @brief One partitioned solve over all rows.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief k-center (Sener & Savarese): greedy farthest point on gradient embeddings of the untrained model, per partition.
///
/// One pass of nacs_method's partition loop with nacs::k_center instead of
/// facility location and q = y; gamma = rows nearest each centre, mean 1.
/// @tparam Solver a greedy_solver (naive greedy by default: the classic farthest-point picks)
/// @tparam Embedding a gradient_embedding (plain gradient by default, see the file comment)
template <greedy_solver Solver = naive_greedy, gradient_embedding Embedding = plain_gradient>
struct k_center_method {
  Solver solver{};        ///< greedy solver of every partition
  Embedding embedding{};  ///< what a row's embedding is
  /// @brief "kcenter".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "kcenter"; }
  /// @brief Checks the solver's settings.
  void validate() const { solver.validate(); }
  /// @brief One pass over the partitions.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief SVP-CF (seed 003, paper C.2): train an FM proxy on all rows; keep the rows with the largest summed loss.
///
/// The proxy (model_kind::fm, embedding dimension of coreset_options::model,
/// Adam of coreset_options::adam, batch default_batch_size(N)) trains `epochs`
/// epochs on all rows with the plain loss; after each epoch every row is scored in
/// eval mode and its BCE against its label is added to its importance. The target
/// rows of largest importance are kept (ties to the lower row index), weight 1.
/// The proxy is discarded; the selection-phase model is then trained as for
/// every baseline.
struct svpcf_method {
  std::size_t epochs = 3;  ///< proxy epochs (>= 1)
  /// @brief "svpcf".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "svpcf"; }
  /// @brief Throws errc::invalid_argument for epochs == 0.
  void validate() const {
    NACS_EXPECTS(epochs >= 1, errc::invalid_argument, "nacs::svpcf_method: epochs must be >= 1");
  }
  /// @brief Trains the proxy and ranks.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

/// @brief Gradient norm (seed 002): the rows whose gradient embedding (untrained model, q = y) is longest.
///
/// Every row is forwarded in eval mode (batches of 8192), its embedding formed
/// and its Euclidean norm (in double) kept; the target rows of largest norm are
/// kept (ties to the lower row index), weight 1.
/// @tparam Embedding a gradient_embedding (plain gradient by default, see the file comment)
template <gradient_embedding Embedding = plain_gradient>
struct gradnorm_method {
  Embedding embedding{};  ///< what a row's embedding is
  /// @brief "gradnorm".
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "gradnorm"; }
  /// @brief Nothing to check.
  void validate() const noexcept {}
  /// @brief One scoring pass over all rows.
  template <host_policy P>
  [[nodiscard]] method_result select(const P& policy, selection_context& ctx) const;
};

static_assert(selection_method<nacs_method<>>);
static_assert(selection_method<random_method>);
static_assert(selection_method<balanced_random_method>);
static_assert(selection_method<set_cover_method<>>);
static_assert(selection_method<k_center_method<>>);
static_assert(selection_method<svpcf_method>);
static_assert(selection_method<gradnorm_method<>>);

}  // namespace nacs

#include <nacs/detail/pipeline/methods.hpp>
