// SPDX-License-Identifier: Apache-2.0
// The library's name tables (one mechanism, nacs::name_table): every table round-trips, keeps its
// names and order, and an unknown name gets the table's message with the nearest name.
#include <doctest/doctest.h>

#include <nacs/core/names.hpp>
#include <nacs/data/load.hpp>
#include <nacs/data/parse_report.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/models.hpp>
#include <nacs/pipeline/auto.hpp>
#include <nacs/pipeline/config.hpp>
#include <nacs/pipeline/coreset.hpp>
#include <nacs/pipeline/final.hpp>
#include <nacs/pipeline/sampling.hpp>
#include <nacs/pipeline/trust.hpp>
#include <nacs/similarity.hpp>
#include <nacs/solver/choice.hpp>

#include <nacs_ref/check.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace {
// The names are unique, and every name parses to a value whose name (name_of: the first with that
// value) parses to the same value; only the auto candidates have two names for one value.
template <class Table>
void round_trips(const Table& t) {
  INFO(std::string(t.kind()));
  for (std::size_t i = 0; i < t.size(); ++i) {
    CHECK(t.index(t.names()[i]) == i);
    const auto v = t.parse(t.names()[i]);
    CHECK(t.parse(t.name_of(v)) == v);
    if (t.kind() != "auto candidate") CHECK(t.name_of(v) == t.names()[i]);
  }
}
std::string joined(std::span<const std::string_view> names) { return nacs::join_names(names, ", "); }
}  // namespace

TEST_CASE("every name table round-trips and keeps its names in order") {
  round_trips(nacs::method_table);
  round_trips(nacs::filter_table);
  round_trips(nacs::trust_table);
  round_trips(nacs::embedding_table);
  round_trips(nacs::solver_table);
  round_trips(nacs::similarity_table);
  round_trips(nacs::model_table);
  round_trips(nacs::preset_table);
  round_trips(nacs::pilot_sample_table);
  round_trips(nacs::final_weighting_table);
  round_trips(nacs::final_targets_table);
  round_trips(nacs::prior_correction_table);
  round_trips(nacs::selection_weighting_table);
  round_trips(nacs::partition_mode_table);
  round_trips(nacs::trust_horizon_table);
  round_trips(nacs::auto_candidate_table);
  round_trips(nacs::data_format_table);
  round_trips(nacs::error_policy_table);
  round_trips(nacs::host_policy_table);

  CHECK(joined(nacs::method_names()) ==
        "nacs, random, random-balanced, setcover, kcenter, svpcf, gradnorm, negsample, lcc, osmac, sensitivity");
  CHECK(joined(nacs::filter_names()) == "mcdropout, tce, rce, none");
  CHECK(joined(nacs::trust_names()) == "sigmoid, linear, constant, none");
  CHECK(joined(nacs::embedding_names()) == "adam, plain, scalar, unit");
  CHECK(joined(nacs::solver_names()) == "naive, lazy, stochastic, lazier");
  CHECK(joined(nacs::solver_epsilon_names()) == "stochastic, lazier");
  CHECK(joined(nacs::similarity_names()) == "neg-distance, exp-distance, cosine, rbf");
  CHECK(joined(nacs::model_names()) == "lr, fm, deepfm, dcnv2, finalmlp");
  CHECK(joined(nacs::preset_names()) == "default, paper, large");
  CHECK(joined(nacs::pilot_sample_names()) == "uniform, balanced");
  CHECK(joined(nacs::final_weighting_names()) == "none, gamma, auto, method");
  CHECK(joined(nacs::final_targets_table.names()) == "corrected, labels");
  CHECK(joined(nacs::prior_correction_table.names()) == "on, off");
  CHECK(joined(nacs::selection_weighting_table.names()) == "none, gamma");
  CHECK(joined(nacs::partition_mode_table.names()) == "random, class-balanced");
  CHECK(joined(nacs::trust_horizon_table.names()) == "planned, full-data");
  CHECK(joined(nacs::auto_candidate_names()) ==
        "random, random-balanced, nacs, nacs-paper, nacs-cb, nacs-cb-unit, setcover, kcenter, svpcf, gradnorm, "
        "negsample, lcc, osmac, sensitivity");
  CHECK(joined(nacs::error_policy_table.names()) == "skip, fail");
  CHECK(joined(nacs::host_policy_table.names()) == "seq, par");
  CHECK(nacs::data_format_names() == std::vector<std::string>{"criteo", "avazu", "libsvm", "libffm", "csv"});
}

TEST_CASE("the tables' values are what the names stand for") {
  CHECK(nacs::partition_mode_table.parse("class-balanced") == nacs::partition_mode::class_balanced);
  CHECK(nacs::trust_horizon_table.parse("full-data") == nacs::trust_horizon::full_data_steps);
  CHECK(nacs::selection_weighting_table.parse("gamma"));
  CHECK_FALSE(nacs::final_targets_table.parse("labels"));
  CHECK_FALSE(nacs::prior_correction_table.parse("off"));
  CHECK(nacs::error_policy_table.parse("fail") == nacs::error_policy::fail);
  CHECK(nacs::host_policy_table.parse("par") == nacs::host_policy_kind::parallel);
  CHECK(nacs::parse_final_weighting("auto") == nacs::final_weighting::best_on_validation);
  CHECK(nacs::to_string(nacs::final_weighting::method_default) == "method");
  CHECK(nacs::parse_preset("large") == nacs::coreset_preset::large);
  CHECK(nacs::parse_data_format("libffm") == nacs::data_format::libffm);
  CHECK(nacs::to_string(nacs::data_format::avazu) == "avazu");
  CHECK(nacs::parse_model_kind("dcnv2") == nacs::model_kind::dcnv2);
  CHECK(nacs::to_string(nacs::model_kind::finalmlp) == "finalmlp");
  CHECK(nacs::to_string(nacs::partition_mode::class_balanced) == "class-balanced");
  CHECK(nacs::to_string(nacs::pilot_sample::balanced) == "balanced");
  // A variant table's value is the alternative: each name makes the policy of that name.
  for (const auto n : nacs::solver_names())
    CHECK(std::visit([](const auto& s) { return s.name(); }, nacs::make_solver(n, 0.01, 3)) == n);
  CHECK(std::get<nacs::lazier_than_lazy>(nacs::make_solver("lazier", 0.01, 3)).epsilon == 0.01);
  CHECK(std::get<nacs::stochastic_greedy>(nacs::make_solver("stochastic", 0.01, 3)).seed == 3u);
  for (const auto n : nacs::embedding_names())
    CHECK(std::visit([](const auto& e) { return e.name(); }, nacs::make_embedding(n)) == n);
  for (const auto n : nacs::similarity_names())
    CHECK(std::visit([](const auto& s) { return s.name(); }, nacs::make_similarity(n)) == n);
  for (const auto n : nacs::filter_names()) {
    nacs::coreset_config c;
    c.filter = std::string(n);
    CHECK(std::visit([](const auto& f) { return f.name(); }, nacs::make_filter(c)) == n);
  }
  for (const auto n : nacs::trust_names()) {
    nacs::coreset_config c;
    c.trust = std::string(n);
    CHECK(std::visit([](const auto& t) { return std::string(t.global.name()); }, nacs::make_trust(c)) == n);
  }
  // The methods' table is their types' names, and each auto candidate names a method.
  CHECK(nacs::method_table.names()[nacs::type_position<nacs::method_types, nacs::osmac_method>] == "osmac");
  for (const auto n : nacs::auto_candidate_names())
    CHECK(nacs::method_table.contains(nacs::make_auto_candidate(n).config.method));
  const auto cb = nacs::make_auto_candidate("nacs-cb-unit");
  CHECK(cb.config.method == "nacs");
  CHECK(cb.config.embedding == "unit");
  CHECK(cb.partitions == nacs::partition_mode::class_balanced);
  // "nacs-cb-unit" is another name for "nacs".
  CHECK(nacs::auto_candidate_table.name_of(nacs::auto_candidate_table.parse("nacs-cb-unit")) == "nacs");
  CHECK_FALSE(nacs::make_auto_candidate("nacs-paper").partitions);
}

TEST_CASE("an unknown name gets its table's message, with the nearest name") {
  nacs_ref::expect_error([] { (void)nacs::partition_mode_table.parse("class-balance"); }, nacs::errc::invalid_argument,
                         "unknown partition mode 'class-balance': did you mean 'class-balanced'? use one of: random, "
                         "class-balanced");
  nacs_ref::expect_error([] { (void)nacs::make_solver("lazzy"); }, nacs::errc::invalid_argument,
                         "unknown solver 'lazzy': did you mean 'lazy'? use one of: naive, lazy, stochastic, lazier");
  nacs_ref::expect_error([] { (void)nacs::make_similarity("cosin"); }, nacs::errc::invalid_argument,
                         "unknown similarity 'cosin': did you mean 'cosine'?");
  nacs_ref::expect_error([] { (void)nacs::parse_final_weighting("gama"); }, nacs::errc::invalid_argument,
                         "unknown final weighting 'gama': did you mean 'gamma'? use one of: none, gamma, auto, method");
  nacs_ref::expect_error([] { (void)nacs::make_auto_candidate("nacs-xx"); }, nacs::errc::invalid_argument,
                         "unknown auto candidate 'nacs-xx'");
  nacs_ref::expect_error([] { (void)nacs::trust_horizon_table.parse("planed"); }, nacs::errc::invalid_argument,
                         "unknown trust horizon 'planed': did you mean 'planned'?");
  // The models and the formats keep their own wording.
  nacs_ref::expect_error([] { (void)nacs::parse_model_kind("DeepFM"); }, nacs::errc::invalid_argument,
                         "unknown model 'DeepFM': use lr, fm, deepfm, dcnv2 or finalmlp");
  nacs_ref::expect_error([] { (void)nacs::parse_data_format("tsv"); }, nacs::errc::invalid_argument,
                         "unknown data format 'tsv': use one of criteo, avazu, libsvm, libffm, csv");
}
