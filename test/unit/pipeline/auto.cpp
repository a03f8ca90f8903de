// SPDX-License-Identifier: Apache-2.0
// nacs::auto_select (nacs/pipeline/auto.hpp): it keeps the candidate whose model validates best, its
// coreset is that candidate's run_coreset bit for bit, its evaluation is train_on_coreset's, seq = par,
// and bad input is a typed error.
#include <doctest/doctest.h>
#include <nacs/core/error.hpp>
#include <nacs/data/synthetic.hpp>
#include <nacs/pipeline/auto.hpp>
#include <nacs_test/synthetic.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace {

// 20 % of positives and 10 % of negatives flipped.
nacs::synthetic_data data(nacs::row_index rows, std::uint64_t seed) {
  return nacs_test::small_synthetic(rows, seed, 0.3, 0.2, 0.1);
}

nacs::coreset_options options() {
  nacs::coreset_options o;
  o.ratio = 0.1;
  o.partition_size = 500;
  o.model.kind = nacs::model_kind::fm;
  o.model.embedding_dim = 4;
  o.train.epochs = 4;
  o.seed = 3;
  return o;
}

nacs::final_options final_opts() {
  nacs::final_options f;
  f.model = options().model;
  f.train.epochs = 4;
  f.train.seed = 3;
  return f;
}

}  // namespace

TEST_CASE("auto_select keeps the candidate with the best validation AUC, and its coreset and evaluation") {
  const auto train = data(3000, 1), valid = data(800, 2), test = data(800, 3);
  const nacs::evaluation_set v{&valid.data}, t{&test.data};
  // svpcf keeps the rows its proxy finds hardest: with 30 % of the labels flipped those are mostly
  // flipped rows, so its model validates far below a random sample's. Listed first, so a wrong
  // tie-break or comparison would keep it.
  std::vector<nacs::auto_candidate> cands = {nacs::make_auto_candidate("svpcf"), nacs::make_auto_candidate("random")};
  const auto r = nacs::auto_select(nacs::seq, train.data, v, t, cands, options(), final_opts());
  REQUIRE(r.trials.size() == 2);
  CHECK(r.trials[0].name == "svpcf");
  CHECK(r.trials[1].name == "random");
  CHECK(r.trials[1].valid_auc > r.trials[0].valid_auc);
  CHECK(r.chosen() == "random");
  CHECK(r.choice == 1);
  for (const auto& trial : r.trials) CHECK(trial.valid_auc <= r.trials[r.choice].valid_auc);

  // The chosen coreset is the candidate's own run, bit for bit; its evaluation is train_on_coreset's.
  const auto own = nacs::run_coreset(nacs::seq, train.data, std::optional<nacs::evaluation_set>(v), cands[1].config,
                                     options());
  CHECK(r.core.rows == own.rows);
  CHECK(r.core.weights == own.weights);
  const auto ev = nacs::train_on_coreset(nacs::seq, train.data, own, v, t, final_opts());
  CHECK(r.trials[1].evaluation.test_auc == ev.test_auc);
  CHECK(r.trials[1].valid_auc == ev.training.best_valid_auc.value());
  CHECK(r.seconds >= r.trials[0].seconds);

  // par gives the same choice and the same bits.
  const auto p = nacs::auto_select(nacs::par.with_threads(2), train.data, v, t, cands, options(), final_opts());
  CHECK(p.choice == r.choice);
  CHECK(p.core.rows == r.core.rows);
  CHECK(p.trials[0].valid_auc == r.trials[0].valid_auc);

  // A tie keeps the earlier candidate: the same candidate twice.
  std::vector<nacs::auto_candidate> twice = {nacs::make_auto_candidate("random"), nacs::make_auto_candidate("random")};
  twice[1].name = "random-again";
  const auto tie = nacs::auto_select(nacs::seq, train.data, v, std::nullopt, twice, options(), final_opts());
  CHECK(tie.trials[0].valid_auc == tie.trials[1].valid_auc);
  CHECK(tie.choice == 0);
}

TEST_CASE("make_auto_candidate: the table of names, each with its method's own filter") {
  nacs::coreset_config base;
  base.filter = "tce";
  base.epsilon = 0.01;
  const auto cb = nacs::make_auto_candidate("nacs-cb", base);
  CHECK(cb.config.method == "nacs");
  CHECK(cb.partitions == nacs::partition_mode::class_balanced);
  CHECK(nacs::effective_filter(cb.config) == "mcdropout");
  CHECK(cb.config.epsilon == 0.01);
  CHECK(nacs::effective_filter(nacs::make_auto_candidate("random", base).config) == "none");
  CHECK(nacs::effective_filter(nacs::make_auto_candidate("lcc", base).config) == "none");
  // nacs-paper: the paper's NaCS (library defaults: random partitions, adam); nacs is nacs-cb-unit,
  // what --method nacs runs under nacs-coreset's default preset (nacs::apply_preset).
  const auto paper = nacs::make_auto_candidate("nacs-paper", base);
  CHECK(paper.config.method == "nacs");
  CHECK_FALSE(paper.partitions.has_value());
  CHECK(paper.config.embedding.empty());
  const auto plain = nacs::make_auto_candidate("nacs", base);
  CHECK(plain.config.embedding == "unit");
  CHECK(plain.partitions == nacs::partition_mode::class_balanced);
  nacs::coreset_config named = base;
  named.embedding = "plain";
  CHECK(nacs::make_auto_candidate("nacs", named).config.embedding == "plain");  // a named embedding wins
  nacs::coreset_config preset = base;
  nacs::coreset_options po;
  nacs::final_options pf;
  nacs::apply_preset(nacs::coreset_preset::defaults, preset, po, pf);
  CHECK(preset.embedding == plain.config.embedding);
  CHECK(po.partitions == *plain.partitions);
  const auto unit = nacs::make_auto_candidate("nacs-cb-unit", base);
  CHECK(unit.config.method == "nacs");
  CHECK(unit.config.embedding == "unit");
  CHECK(unit.partitions == nacs::partition_mode::class_balanced);
  CHECK(cb.config.embedding.empty());
  for (const auto name : nacs::auto_candidate_names()) CHECK(nacs::make_auto_candidate(name).name == name);
  for (const auto name : nacs::default_auto_candidates())
    CHECK(std::find(nacs::auto_candidate_names().begin(), nacs::auto_candidate_names().end(), name) !=
          nacs::auto_candidate_names().end());
  CHECK_THROWS_WITH_AS((void)nacs::make_auto_candidate("randon"), doctest::Contains("random"), nacs::error);
}

TEST_CASE("auto_select: bad input") {
  const auto train = data(1000, 1), valid = data(300, 2);
  const nacs::evaluation_set v{&valid.data};
  CHECK_THROWS_AS((void)nacs::auto_select(nacs::seq, train.data, v, std::nullopt, std::vector<nacs::auto_candidate>{},
                                          options(), final_opts()),
                  nacs::error);
  const std::vector<nacs::auto_candidate> one = {nacs::make_auto_candidate("random")};
  CHECK_THROWS_AS((void)nacs::auto_select(nacs::seq, train.data, nacs::evaluation_set{}, std::nullopt, one, options(),
                                          final_opts()),
                  nacs::error);
  auto bad = one;
  bad[0].config.method = "nope";
  CHECK_THROWS_AS((void)nacs::auto_select(nacs::seq, train.data, v, std::nullopt, bad, options(), final_opts()),
                  nacs::error);
}

TEST_CASE("auto_select's log-loss slack: only candidates near the lowest validation log loss compete on AUC") {
  const auto train = data(3000, 4), valid = data(800, 5);
  const nacs::evaluation_set v{&valid.data};
  const std::vector<nacs::auto_candidate> cands = {nacs::make_auto_candidate("random"),
                                                   nacs::make_auto_candidate("nacs-cb"),
                                                   nacs::make_auto_candidate("kcenter")};
  // The rule, recomputed from the trials, for any slack.
  const auto expect_rule = [&](const nacs::auto_result& r, double slack) {
    std::size_t low = 0;
    for (std::size_t i = 0; i < r.trials.size(); ++i) {
      CHECK(r.trials[i].valid_logloss_se > 0.0);
      if (r.trials[i].valid_logloss < r.trials[low].valid_logloss) low = i;
    }
    const double bound = slack == HUGE_VAL ? HUGE_VAL
                                           : r.trials[low].valid_logloss + slack * r.trials[low].valid_logloss_se;
    std::size_t want = r.trials.size();
    for (std::size_t i = 0; i < r.trials.size(); ++i) {
      const auto& t = r.trials[i];
      CHECK(t.eligible == (t.valid_logloss <= bound));
      if (t.eligible && (want == r.trials.size() || t.valid_auc > r.trials[want].valid_auc)) want = i;
    }
    CHECK(r.choice == want);
    CHECK(r.trials[r.choice].eligible);
  };
  for (const double slack : {0.0, 1.0, HUGE_VAL}) {
    INFO("slack " << slack);
    std::vector<std::string> told;
    const auto r = nacs::auto_select(nacs::seq, train.data, v, std::nullopt, cands, options(), final_opts(),
                                     nacs::auto_options{.logloss_slack = slack, .on_candidate = [&](const std::string& n) {
                                                          told.push_back(n);
                                                        }});
    CHECK(told == std::vector<std::string>{"random", "nacs-cb", "kcenter"});
    expect_rule(r, slack);
    if (slack == 0.0) {  // only the lowest log loss is eligible
      for (const auto& t : r.trials) CHECK(t.valid_logloss >= r.trials[r.choice].valid_logloss);
    }
    if (slack == HUGE_VAL) {  // AUC alone
      for (const auto& t : r.trials) CHECK(t.eligible);
      for (const auto& t : r.trials) CHECK(t.valid_auc <= r.trials[r.choice].valid_auc);
    }
  }
  CHECK_THROWS_AS((void)nacs::auto_select(nacs::seq, train.data, v, std::nullopt, cands, options(), final_opts(),
                                          nacs::auto_options{.logloss_slack = -1.0}),
                  nacs::error);
}
