// SPDX-License-Identifier: Apache-2.0
// Runtime names -> policies (one table per kind), and run_coreset.
#include <doctest/doctest.h>
#include <nacs/data/synthetic.hpp>
#include <nacs/pipeline/config.hpp>

#include <nacs_ref/check.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace {

nacs::synthetic_data tiny() {
  nacs::synthetic_options o;
  o.rows = 1500;
  o.fields = 5;
  o.vocabulary_size = 20;
  o.zipf_exponent = 0.8;
  o.factor_dim = 4;
  o.base_rate = 0.3;
  o.seed = 9;
  return nacs::generate_synthetic(nacs::seq, o);
}

nacs::coreset_options small_options() {
  nacs::coreset_options o;
  o.ratio = 0.04;  // k = 60
  o.partition_size = 500;
  o.model.embedding_dim = 4;
  o.model.mlp = {16, 16};
  o.seed = 4;
  return o;
}

}  // namespace

TEST_CASE("one table per kind, in the documented order") {
  CHECK(nacs::join_names(nacs::method_names(), ", ") ==
        "nacs, random, random-balanced, setcover, kcenter, svpcf, gradnorm, negsample, lcc, osmac, sensitivity");
  CHECK(nacs::join_names(nacs::filter_names()) == "mcdropout, tce, rce or none");
  CHECK(nacs::join_names(nacs::trust_names()) == "sigmoid, linear, constant or none");
  CHECK(nacs::join_names(nacs::embedding_names()) == "adam, plain, scalar or unit");
  CHECK(nacs::join_names(nacs::solver_names()) == "naive, lazy, stochastic or lazier");
  for (std::size_t i = 0; i < nacs::method_names().size(); ++i)
    CHECK(nacs::parse_name("method", nacs::method_names(), nacs::method_names()[i]) == i);
}

TEST_CASE("names map to the policies they stand for, with their knobs") {
  CHECK(std::holds_alternative<nacs::naive_greedy>(nacs::make_solver("naive")));
  CHECK(std::holds_alternative<nacs::lazy_greedy>(nacs::make_solver("lazy")));
  const auto s = nacs::make_solver("stochastic", 0.01, 5);
  REQUIRE(std::holds_alternative<nacs::stochastic_greedy>(s));
  CHECK(std::get<nacs::stochastic_greedy>(s).epsilon == 0.01);
  CHECK(std::get<nacs::stochastic_greedy>(s).seed == 5);
  CHECK(std::holds_alternative<nacs::lazier_than_lazy>(nacs::make_solver("lazier")));
  CHECK(std::holds_alternative<nacs::adam_gradient>(nacs::make_embedding("adam")));
  CHECK(std::holds_alternative<nacs::plain_gradient>(nacs::make_embedding("plain")));
  CHECK(std::holds_alternative<nacs::scalar_gradient>(nacs::make_embedding("scalar")));
  nacs::coreset_config c;
  c.filter = "mcdropout";
  c.passes = 7;
  c.remove_rate = 0.2;
  const auto f = nacs::make_filter(c);
  REQUIRE(std::holds_alternative<nacs::mc_dropout_filter>(f));
  CHECK(std::get<nacs::mc_dropout_filter>(f).passes == 7);
  CHECK(std::get<nacs::mc_dropout_filter>(f).remove_rate == 0.2);
  c.filter = "tce";
  CHECK(std::get<nacs::tce_filter>(nacs::make_filter(c)).remove_rate == 0.2);
  c.filter = "rce";
  CHECK(std::holds_alternative<nacs::rce_filter>(nacs::make_filter(c)));
  c.filter = "none";
  CHECK(std::holds_alternative<nacs::no_filter>(nacs::make_filter(c)));
  c.trust = "constant";
  c.trust_value = 0.25;
  const auto t = nacs::make_trust(c);
  REQUIRE(std::holds_alternative<nacs::trust_schedule<nacs::constant_trust>>(t));
  CHECK(std::get<nacs::trust_schedule<nacs::constant_trust>>(t).global.value == 0.25);
  c.trust = "none";
  CHECK(std::holds_alternative<nacs::trust_schedule<nacs::no_trust>>(nacs::make_trust(c)));
  c.trust = "linear";
  CHECK(std::holds_alternative<nacs::trust_schedule<nacs::linear_trust>>(nacs::make_trust(c)));
}

TEST_CASE("unknown names and bad knobs give a nacs::error naming the valid choices") {
  nacs_ref::expect_error([] { (void)nacs::parse_name("method", nacs::method_names(), "rnadom"); },
                         nacs::errc::invalid_argument, "unknown method 'rnadom': did you mean 'random'?");
  nacs_ref::expect_error([] { (void)nacs::parse_name("method", nacs::method_names(), "xyz"); },
                         nacs::errc::invalid_argument,
                         "use one of: nacs, random, random-balanced, setcover, kcenter, svpcf, gradnorm");
  nacs_ref::expect_error([] { (void)nacs::make_solver("greedy"); }, nacs::errc::invalid_argument,
                         "unknown solver 'greedy'");
  nacs_ref::expect_error([] { (void)nacs::make_solver("stochastic", 1.5); }, nacs::errc::invalid_argument, "epsilon");
  nacs_ref::expect_error([] { (void)nacs::make_embedding("adamw"); }, nacs::errc::invalid_argument,
                         "did you mean 'adam'?");
  nacs::coreset_config c;
  c.filter = "dropout";
  nacs_ref::expect_error([&] { (void)nacs::make_filter(c); }, nacs::errc::invalid_argument,
                         "use one of: mcdropout, tce, rce, none");
  c.filter = "mcdropout";
  c.remove_rate = 1.0;
  nacs_ref::expect_error([&] { (void)nacs::make_filter(c); }, nacs::errc::invalid_argument,
                         "remove rate 1.000000 must be in [0, 1)");
  c.remove_rate = 0.1;
  c.passes = 1;
  nacs_ref::expect_error([&] { (void)nacs::make_filter(c); }, nacs::errc::invalid_argument, "at least 2");
  c.passes = 10;
  c.trust = "sigmoidal";
  nacs_ref::expect_error([&] { nacs::validate_config(c); }, nacs::errc::invalid_argument, "unknown trust 'sigmoidal'");
  c.trust = "constant";
  c.trust_value = 2;
  nacs_ref::expect_error([&] { nacs::validate_config(c); }, nacs::errc::invalid_argument, "constant trust");
  const auto syn = tiny();
  nacs::coreset_config bad;
  bad.method = "kmeans";
  nacs_ref::expect_error([&] { (void)nacs::run_coreset(nacs::seq, syn.data, std::nullopt, bad, small_options()); },
                         nacs::errc::invalid_argument, "unknown method 'kmeans'");
}

TEST_CASE("presets: paper is the defaults, large sets exactly its five settings") {
  CHECK(nacs::join_names(nacs::preset_names()) == "default, paper or large");
  CHECK(nacs::parse_preset("default") == nacs::coreset_preset::defaults);
  CHECK(nacs::parse_preset("paper") == nacs::coreset_preset::paper);
  CHECK(nacs::parse_preset("large") == nacs::coreset_preset::large);
  nacs_ref::expect_error([] { (void)nacs::parse_preset("larg"); }, nacs::errc::invalid_argument,
                         "unknown preset 'larg': did you mean 'large'?");
  // 4 x ratio, at least 0.1 and at least what the rounds pick (ratio / (1 - remove rate)), at most 1.
  CHECK(nacs::candidate_share_for_large(0.01, 0.1) == doctest::Approx(0.1));
  CHECK(nacs::candidate_share_for_large(0.05, 0.1) == doctest::Approx(0.2));
  CHECK(nacs::candidate_share_for_large(0.1, 0.1) == doctest::Approx(0.4));
  CHECK(nacs::candidate_share_for_large(0.3, 0.1) == doctest::Approx(1.0));
  CHECK(nacs::candidate_share_for_large(0.02, 0.9) == doctest::Approx(0.2));  // 0.02 / 0.1 > 4 x 0.02
  nacs_ref::expect_error([] { (void)nacs::candidate_share_for_large(0.0, 0.1); }, nacs::errc::invalid_argument,
                         "ratio");
  nacs_ref::expect_error([] { (void)nacs::candidate_share_for_large(0.01, 1.0); }, nacs::errc::invalid_argument,
                         "remove rate");

  nacs::coreset_config c;
  c.solver = "lazy";
  nacs::coreset_options o;
  o.ratio = 0.05;
  o.rounds = 4;
  nacs::final_options f;
  f.use_targets = false;
  nacs::apply_preset(nacs::coreset_preset::large, c, o, f);
  CHECK(c.embedding == "plain");
  CHECK(o.candidate_share == doctest::Approx(0.2));
  CHECK(o.partitions == nacs::partition_mode::class_balanced);
  CHECK(o.round_epochs == 0);
  CHECK(f.weights == nacs::final_weighting::best_on_validation);
  // Nothing else moves.
  CHECK(c.solver == "lazy");
  CHECK(c.method == "nacs");
  CHECK(o.rounds == 4);
  CHECK(o.ratio == 0.05);
  CHECK_FALSE(f.use_targets);
  // A filter that removes nothing: the share covers the ratio itself.
  nacs::coreset_config none;
  none.filter = "none";
  none.remove_rate = 0.95;  // ignored without mcdropout or tce
  nacs::coreset_options o2;
  o2.ratio = 0.01;
  nacs::apply_preset(nacs::coreset_preset::large, none, o2, f);
  CHECK(o2.candidate_share == doctest::Approx(0.1));
  // paper puts the six back to the defaults.
  nacs::apply_preset(nacs::coreset_preset::paper, c, o, f);
  CHECK(c.embedding.empty());
  CHECK(o.candidate_share == 1.0);
  CHECK(o.partitions == nacs::partition_mode::random);
  CHECK(o.round_epochs == 1);
  CHECK(f.weights == nacs::final_weighting::method_default);
  CHECK(c.solver == "lazy");
}

TEST_CASE("the default preset: nacs with the unit embedding and class-balanced partitions, paper for the rest") {
  nacs::coreset_config c;
  c.solver = "lazy";
  nacs::coreset_options o;
  o.ratio = 0.05;
  o.candidate_share = 0.3;
  o.round_epochs = 0;
  nacs::final_options f;
  f.weights = nacs::final_weighting::gamma;
  nacs::apply_preset(nacs::coreset_preset::defaults, c, o, f);
  CHECK(c.embedding == "unit");
  CHECK(o.partitions == nacs::partition_mode::class_balanced);
  // The rest as paper: back to the defaults, and nothing else moves.
  CHECK(o.candidate_share == 1.0);
  CHECK(o.round_epochs == 1);
  CHECK(f.weights == nacs::final_weighting::method_default);
  CHECK(c.solver == "lazy");
  CHECK(o.ratio == 0.05);
  for (const auto method : nacs::method_names()) {
    if (method == "nacs") continue;
    nacs::coreset_config other;
    other.method = std::string(method);
    other.embedding = "plain";
    nacs::coreset_options oo;
    nacs::final_options of;
    nacs::apply_preset(nacs::coreset_preset::defaults, other, oo, of);
    CHECK_MESSAGE(other.embedding.empty(), method);
    CHECK_MESSAGE(oo.partitions == nacs::partition_mode::random, method);
  }
}

TEST_CASE("the large preset runs through run_coreset, keeps exactly k rows, and scores fewer rows") {
  const auto syn = tiny();
  nacs::coreset_config c;
  nacs::coreset_options o = small_options();
  o.ratio = 0.02;  // share max(0.1, 0.08, 0.022) = 0.1
  nacs::final_options f;
  const auto paper = nacs::run_coreset(nacs::seq, syn.data, std::nullopt, c, o);
  nacs::apply_preset(nacs::coreset_preset::large, c, o, f);
  const auto large = nacs::run_coreset(nacs::seq, syn.data, std::nullopt, c, o);
  REQUIRE(large.size() == paper.size());
  CHECK(large.size() == static_cast<std::size_t>(o.k.value_or(nacs::budget_from_ratio(o.ratio, syn.data.rows()))));
  CHECK(large.report.rows_scored < paper.report.rows_scored);
  CHECK(large.rows != paper.rows);
}

TEST_CASE("run_coreset gives the same bits as select_coreset with the named policies") {
  const auto syn = tiny();
  const auto opt = small_options();
  const nacs::coreset_config defaults;  // nacs, mcdropout, sigmoid, adam, stochastic
  const auto a = nacs::run_coreset(nacs::seq, syn.data, std::nullopt, defaults, opt);
  const auto b =
      nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  CHECK(a.rows == b.rows);
  CHECK(a.weights == b.weights);
  CHECK(a.targets == b.targets);
  CHECK(a.report.removed_rows == b.report.removed_rows);
  nacs::coreset_config cover;
  cover.method = "setcover";
  cover.filter = "tce";
  const auto c = nacs::run_coreset(nacs::seq, syn.data, std::nullopt, cover, opt);
  const auto d = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::set_cover_method<>{},
                                      nacs::tce_filter{}, opt);
  CHECK(c.rows == d.rows);
  CHECK(c.weights == d.weights);
}

TEST_CASE("every method name runs through run_coreset and keeps exactly k rows") {
  const auto syn = tiny();
  for (const auto m : nacs::method_names()) {
    nacs::coreset_config c;
    c.method = std::string(m);
    c.filter = "rce";
    const auto r = nacs::run_coreset(nacs::seq, syn.data, std::nullopt, c, small_options());
    INFO(std::string(m));
    CHECK(r.rows.size() == 60);
    CHECK(r.report.method == m);
    CHECK(r.report.filter == "rce");
  }
  // A non-default solver and embedding reach the method.
  nacs::coreset_config k;
  k.method = "kcenter";
  k.solver = "lazy";
  k.embedding = "adam";
  k.filter = "none";
  CHECK(nacs::run_coreset(nacs::seq, syn.data, std::nullopt, k, small_options()).rows.size() == 60);
}

// A backend that provides the four pipeline entry points: each public function
// dispatches on the policy's backend and hands it the policy value and the
// arguments unchanged (the host's are host_run overloads, the same mechanism).
namespace {
struct relay_policy {
  nacs::row_index id = 0;
};
struct relay_backend {};
}  // namespace
template <>
struct nacs::backend_of<relay_policy> {
  using type = relay_backend;
};
template <>
struct nacs::detail::backend_available<relay_policy> : std::true_type {};
template <>
struct nacs::detail::algorithm<nacs::algo::select_coreset, relay_backend> {
  template <class M, class F>
  static nacs::coreset run(const relay_policy& p, const nacs::dataset& train, const std::optional<nacs::evaluation_set>&,
                           const M& method, const F& filter, const nacs::coreset_options& opt) {
    nacs::coreset c;
    c.rows = {p.id, train.rows(), *opt.k, static_cast<nacs::row_index>(method.name().size() + filter.name().size())};
    return c;
  }
};
template <>
struct nacs::detail::algorithm<nacs::algo::coreset_memory_needed, relay_backend> {
  static std::size_t run(const relay_policy& p, const nacs::dataset& train, const nacs::coreset_options&,
                         std::size_t embedding_dim) {
    return static_cast<std::size_t>(p.id) * 1000 + static_cast<std::size_t>(train.rows()) * 10 + embedding_dim;
  }
};
template <>
struct nacs::detail::algorithm<nacs::algo::run_coreset, relay_backend> {
  static nacs::coreset run(const relay_policy& p, const nacs::dataset&, const std::optional<nacs::evaluation_set>&,
                           const nacs::coreset_config& config, const nacs::coreset_options&) {
    nacs::coreset c;
    c.rows = {p.id, static_cast<nacs::row_index>(config.method.size())};
    return c;
  }
};
template <>
struct nacs::detail::algorithm<nacs::algo::train_on_coreset, relay_backend> {
  static nacs::coreset_evaluation run(const relay_policy& p, const nacs::dataset&, const nacs::coreset& core,
                                      const std::optional<nacs::evaluation_set>&, const nacs::evaluation_set&,
                                      const nacs::final_options&) {
    nacs::coreset_evaluation e;
    e.rows = p.id + static_cast<nacs::row_index>(core.rows.size());
    return e;
  }
};

TEST_CASE("the pipeline's entry points dispatch on the policy's backend like every algorithm") {
  nacs::dataset d;
  d.field_names = {"a"};
  d.cardinalities = {2};
  d.ids = {0, 1, 1};
  d.labels = {0.0f, 1.0f, 1.0f};
  nacs::coreset_options opt;
  opt.k = 2;
  const relay_policy p{7};
  // rows: the policy's id, the dataset's 3 rows, k, |"random"| + |"none"| = 6 + 4.
  CHECK(nacs::select_coreset(p, d, std::nullopt, nacs::random_method{}, nacs::no_filter{}, opt).rows ==
        std::vector<nacs::row_index>{7, 3, 2, 10});
  CHECK(nacs::coreset_memory_needed(p, d, opt, 5) == 7035);  // 7 * 1000 + 3 * 10 + 5
  nacs::coreset_config config;
  config.method = "kcenter";
  CHECK(nacs::run_coreset(p, d, std::nullopt, config).rows == std::vector<nacs::row_index>{7, 7});
  nacs::coreset core;
  core.rows = {0, 2};
  CHECK(nacs::train_on_coreset(p, d, core, std::nullopt, nacs::evaluation_set{&d}).rows == 9);  // 7 + 2 rows
}
