// SPDX-License-Identifier: Apache-2.0
// nacs::select_coreset with the paper's method: rounds, budgets, determinism, options, memory, progress.
#include <doctest/doctest.h>
#include <nacs/data/synthetic.hpp>
#include <nacs/pipeline/config.hpp>
#include <nacs/pipeline/select.hpp>
#include <nacs_test/synthetic.hpp>

#include <nacs_ref/check.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace {

// A tiny planted-noise set: fast enough for a unit test (P = 500, so 4 partitions of 2000 rows).
nacs::synthetic_data tiny(nacs::row_index rows = 2000, std::uint64_t seed = 3, double base_rate = 0.3) {
  return nacs_test::small_synthetic(rows, seed, base_rate);
}

nacs::coreset_options small_options(double ratio = 0.05) {
  nacs::coreset_options o;
  o.ratio = ratio;
  o.partition_size = 500;
  o.model.embedding_dim = 4;
  o.model.mlp = {16, 16};
  o.train.epochs = 3;
  o.seed = 11;
  return o;
}

bool distinct(const std::vector<nacs::row_index>& rows) {
  return std::set<nacs::row_index>(rows.begin(), rows.end()).size() == rows.size();
}

double sum(const std::vector<float>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

}  // namespace

TEST_CASE("NaCS rounds never pick a row twice and hit the exact budget, with and without a removing filter") {
  const auto syn = tiny();
  const auto opt = small_options();  // 5 % of 2000: k = 100, 5 rounds
  SUBCASE("no filter: the 100 rows are the selection") {
    const auto c = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
    CHECK(c.rows.size() == 100);
    CHECK(distinct(c.rows));
    CHECK(c.weights.size() == 100);
    CHECK(c.targets.size() == 100);
    CHECK(sum(c.weights) == doctest::Approx(100.0).epsilon(1e-4));
    for (std::size_t i = 0; i < c.size(); ++i) {
      CHECK(c.rows[i] >= 0);
      CHECK(c.rows[i] < 2000);
      CHECK(c.weights[i] >= 0.0f);
      CHECK(c.targets[i] >= 0.0f);
      CHECK(c.targets[i] <= 1.0f);
    }
    CHECK(c.report.rounds == 5);
    CHECK(c.report.budget == 100);
    CHECK(c.report.selected == 100);
    CHECK(c.report.rows_removed == 0);
    // Every round scores every row (4 partitions, each with a budget) and solves 4 partitions.
    CHECK(c.report.rows_scored == 5 * 2000);
    CHECK(c.report.partitions_solved == 5 * 4);
    CHECK(c.report.unrepresented_rows == 0);
    CHECK(c.report.method == "nacs");
    CHECK(c.report.filter == "none");
    CHECK(c.report.optimizer_steps > 0);
    CHECK(c.report.horizon_steps == c.report.planned_steps);
  }
  SUBCASE("MC dropout: ceil(100 / 0.9) = 112 selected, 12 removed, 100 kept") {
    const auto c =
        nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
    CHECK(c.rows.size() == 100);
    CHECK(distinct(c.rows));
    CHECK(c.report.selected == 112);
    CHECK(c.report.rows_removed == 12);
    CHECK(c.report.removed_rows.size() == 12);
    CHECK(c.report.removed_scores.size() == 12);
    std::set<nacs::row_index> all(c.rows.begin(), c.rows.end());
    for (const auto r : c.report.removed_rows) CHECK(all.insert(r).second);  // removed rows are not kept
    CHECK(all.size() == 112);
    CHECK(sum(c.weights) == doctest::Approx(100.0).epsilon(1e-4));
  }
  SUBCASE("an explicit k and 3 rounds") {
    auto o = opt;
    o.k = 37;
    o.rounds = 3;
    const auto c = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{}, o);
    CHECK(c.rows.size() == 37);
    CHECK(distinct(c.rows));
    CHECK(c.report.rounds == 3);
  }
}

TEST_CASE("default rounds: 3 for ratios <= 1 %, 5 above") {
  CHECK(nacs::default_rounds(10, 1000) == 3);
  CHECK(nacs::default_rounds(11, 1000) == 5);
  CHECK(nacs::default_rounds(100, 100000) == 3);
  const auto syn = tiny();
  const auto c = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{},
                                      small_options(0.01));
  CHECK(c.report.rounds == 3);
  CHECK(c.rows.size() == 20);
}

TEST_CASE("the selection is deterministic for a seed and gives the same bits on seq and par") {
  const auto syn = tiny();
  const auto opt = small_options();
  const std::optional<nacs::evaluation_set> none;
  const auto a = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  const auto b = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  const auto c = nacs::select_coreset(nacs::par.with_threads(2), syn.data, none, nacs::nacs_method<>{},
                                      nacs::mc_dropout_filter{}, opt);
  CHECK(a.rows == b.rows);
  CHECK(a.weights == b.weights);
  CHECK(a.targets == b.targets);
  CHECK(a.rows == c.rows);
  CHECK(a.weights == c.weights);
  CHECK(a.targets == c.targets);
  CHECK(a.report.removed_rows == c.report.removed_rows);
  CHECK(a.report.removed_scores == c.report.removed_scores);
  auto other = opt;
  other.seed = 12;
  const auto d = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, other);
  CHECK(d.rows != a.rows);
}

TEST_CASE("partitions solved side by side on par give seq's bits, over several waves and thread counts") {
  // P = 90 on 2000 rows: over 20 partitions a round, so on par the workers take several waves of
  // partitions and a partial last one; every partition's picks must match the one-thread run.
  const auto syn = tiny();
  auto opt = small_options(0.1);
  opt.partition_size = 90;
  const std::optional<nacs::evaluation_set> none;
  const auto a = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  REQUIRE(a.report.partitions_solved >= 3 * 20);
  for (const int threads : {2, 3}) {
    CAPTURE(threads);
    const auto b = nacs::select_coreset(nacs::par.with_threads(threads), syn.data, none, nacs::nacs_method<>{},
                                        nacs::no_filter{}, opt);
    CHECK(a.rows == b.rows);
    CHECK(a.weights == b.weights);
    CHECK(a.targets == b.targets);
    CHECK(a.report.partitions_solved == b.report.partitions_solved);
    CHECK(a.report.rows_scored == b.report.rows_scored);
    CHECK(a.report.unrepresented_rows == b.report.unrepresented_rows);
  }
  auto balanced = opt;
  balanced.partitions = nacs::partition_mode::class_balanced;
  const auto c = nacs::select_coreset(nacs::seq, syn.data, none, nacs::k_center_method<>{}, nacs::no_filter{}, balanced);
  const auto d = nacs::select_coreset(nacs::par.with_threads(2), syn.data, none, nacs::k_center_method<>{},
                                      nacs::no_filter{}, balanced);
  CHECK(c.rows == d.rows);
  CHECK(c.weights == d.weights);
}

TEST_CASE("on par the memory plan counts a wave of partitions and shrinks it to fit the limit") {
  // P = 90 on 2000 rows: 23 partitions a round, so every thread count here fills its waves.
  const auto syn = tiny();
  auto opt = small_options(0.1);
  opt.partition_size = 90;
  const std::optional<nacs::evaluation_set> none;
  const std::size_t one = nacs::coreset_memory_needed(syn.data, opt);
  CHECK(nacs::coreset_memory_needed(nacs::seq, syn.data, opt) == one);
  CHECK(nacs::coreset_memory_needed(nacs::par.with_threads(1), syn.data, opt) == one);
  const std::size_t two = nacs::coreset_memory_needed(nacs::par.with_threads(2), syn.data, opt);
  const std::size_t three = nacs::coreset_memory_needed(nacs::par.with_threads(3), syn.data, opt);
  // Each thread adds at least its own kernel (90 x 90 floats) and four partitions' embeddings.
  CHECK(two >= one + 90u * 90u * 4u);
  CHECK(three >= two + 90u * 90u * 4u);
  const auto a = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(a.report.peak_bytes_planned == one);
  const auto b = nacs::select_coreset(nacs::par.with_threads(2), syn.data, none, nacs::nacs_method<>{},
                                      nacs::no_filter{}, opt);
  CHECK(b.report.peak_bytes_planned == two);
  CHECK(a.rows == b.rows);
  SUBCASE("a limit between seq's plan and the 2-thread wave: one partition at a time, the same picks") {
    opt.memory_limit = (one + two) / 2;
    CHECK(nacs::coreset_memory_needed(nacs::par.with_threads(2), syn.data, opt) == one);
    const auto c = nacs::select_coreset(nacs::par.with_threads(2), syn.data, none, nacs::nacs_method<>{},
                                        nacs::no_filter{}, opt);
    CHECK(c.report.peak_bytes_planned == one);
    CHECK(c.rows == a.rows);
    CHECK(c.weights == a.weights);
  }
  SUBCASE("a limit between the 2- and 3-thread waves: waves of two threads, the same picks") {
    opt.memory_limit = (two + three) / 2;
    CHECK(nacs::coreset_memory_needed(nacs::par.with_threads(3), syn.data, opt) == two);
    const auto c = nacs::select_coreset(nacs::par.with_threads(3), syn.data, none, nacs::nacs_method<>{},
                                        nacs::no_filter{}, opt);
    CHECK(c.report.peak_bytes_planned == two);
    CHECK(c.rows == a.rows);
    CHECK(c.weights == a.weights);
  }
  SUBCASE("a limit below seq's plan refuses par too, before anything runs") {
    opt.memory_limit = one - 1;
    nacs_ref::expect_error(
        [&] {
          (void)nacs::select_coreset(nacs::par.with_threads(2), syn.data, none, nacs::nacs_method<>{},
                                     nacs::no_filter{}, opt);
        },
        nacs::errc::memory_limit, "memory limit");
  }
}

TEST_CASE("class-balanced partitions split every round's budget between positives and negatives") {
  const auto syn = tiny();
  auto opt = small_options();
  opt.partitions = nacs::partition_mode::class_balanced;
  const auto c = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  REQUIRE(c.rows.size() == 100);
  CHECK(distinct(c.rows));
  long pos = 0;
  for (const auto r : c.rows) pos += syn.data.labels[static_cast<std::size_t>(r)] >= 0.5f ? 1 : 0;
  // 5 rounds of 20: 10 positives and 10 negatives each.
  CHECK(pos == 50);
}

TEST_CASE("trust horizon: planned steps count every round's epoch and the early-stopped phase") {
  const auto syn = tiny();
  std::vector<nacs::row_index> valid_rows(500);
  std::iota(valid_rows.begin(), valid_rows.end(), nacs::row_index{1500});
  auto opt = small_options();
  opt.train.batch_size = 16;
  // Rounds of 20 rows: cumulative 20, 40, 60, 80, 100 at batch 16 -> 2 + 3 + 4 + 5 + 7 = 21 steps.
  const auto c = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(c.report.planned_steps == 21);
  CHECK(c.report.optimizer_steps == 21);
  CHECK(c.report.batch_size == 16);
  // With a validation set: + epochs (3) x ceil(100 / 16) = 21 more planned; early stopping may take fewer.
  const auto v = nacs::select_coreset(nacs::seq, syn.data, nacs::evaluation_set{&syn.data, valid_rows},
                                      nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(v.report.planned_steps == 42);
  CHECK(v.report.optimizer_steps > 21);
  CHECK(v.report.optimizer_steps <= 42);
  // The authors' horizon: the full data's steps, ceil(2000 / 16) x 3 epochs.
  opt.horizon = nacs::trust_horizon::full_data_steps;
  const auto f = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(f.report.horizon_steps == 125 * 3);
  CHECK(f.report.planned_steps == 21);
  // A default batch follows default_batch_size of the rows selected (100 -> 64).
  const auto d = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{},
                                      small_options());
  CHECK(d.report.batch_size == 64);
}

TEST_CASE("round_epochs: the epochs between rounds, 0 embeds every round with the initial model") {
  const auto syn = tiny();
  std::vector<nacs::row_index> valid_rows(500);
  std::iota(valid_rows.begin(), valid_rows.end(), nacs::row_index{1500});
  const nacs::evaluation_set valid{&syn.data, valid_rows};
  auto opt = small_options();
  opt.train.batch_size = 16;
  // Cumulative rounds 20, 40, 60, 80, 100 at batch 16: 2 + 3 + 4 + 5 + 7 = 21 steps per epoch each.
  opt.round_epochs = 2;
  const auto two = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(two.report.planned_steps == 42);
  CHECK(two.report.optimizer_steps == 42);
  // 0 without a validation set: the rounds' R = 5 epochs come after the last round, 5 x ceil(100 / 16) = 35.
  opt.round_epochs = 0;
  const auto zero = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(zero.report.planned_steps == 35);
  CHECK(zero.report.optimizer_steps == 35);
  REQUIRE(zero.rows.size() == 100);
  CHECK(distinct(zero.rows));
  // 0 with one: only the early-stopped phase, 3 epochs x 7 planned.
  const auto zv = nacs::select_coreset(nacs::seq, syn.data, valid, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(zv.report.planned_steps == 21);
  CHECK(zv.report.optimizer_steps >= 7);
  CHECK(zv.report.optimizer_steps <= 21);
  REQUIRE(zv.rows.size() == 100);
  CHECK(distinct(zv.rows));
  // The model that embeds rounds 2..5 is the initial one, not the trained one: other rows than the default.
  opt.round_epochs = 1;
  const auto one = nacs::select_coreset(nacs::seq, syn.data, valid, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(one.rows != zv.rows);
  // Round 1 embeds with the initial model in both: its 20 picks agree.
  CHECK(std::equal(one.rows.begin(), one.rows.begin() + 20, zv.rows.begin()));
  // Same bits on par.
  opt.round_epochs = 0;
  const auto zp = nacs::select_coreset(nacs::par, syn.data, valid, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(zp.rows == zv.rows);
  CHECK(zp.weights == zv.weights);
  CHECK(zp.targets == zv.targets);
}

TEST_CASE("corrected targets: no trust gives the labels, the sigmoid trust moves them towards p") {
  const auto syn = tiny();
  const auto opt = small_options();
  const nacs::nacs_method<nacs::stochastic_greedy, nacs::adam_gradient, nacs::trust_schedule<nacs::no_trust>> plain{};
  const auto c = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, plain, nacs::no_filter{}, opt);
  for (std::size_t i = 0; i < c.size(); ++i) CHECK(c.targets[i] == syn.data.labels[static_cast<std::size_t>(c.rows[i])]);
  const nacs::nacs_method<nacs::stochastic_greedy, nacs::adam_gradient, nacs::trust_schedule<nacs::constant_trust>>
      full{};
  const auto d = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, full, nacs::no_filter{}, opt);
  std::size_t soft = 0;
  for (std::size_t i = 0; i < d.size(); ++i) soft += d.targets[i] != 0.0f && d.targets[i] != 1.0f;
  // g = 1: q = (1 - l(p)) y + l(p) p is never exactly 0 or 1 for 0 < p < 1. A float sigmoid can
  // saturate to exactly 0 or 1 on a confident row (which row depends on the SIMD path Eigen takes:
  // the baseline x86-64 build saturated one of 100), so require nine in ten; no trust gives none.
  CHECK(soft * 10 >= d.size() * 9);
}

TEST_CASE("progress: every phase is reported, counters only grow, seconds never go back") {
  const auto syn = tiny();
  auto opt = small_options();
  std::vector<nacs::pipeline_progress> seen;
  opt.on_progress = [&](const nacs::pipeline_progress& p) { seen.push_back(p); };
  const auto c =
      nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  REQUIRE(!seen.empty());
  std::set<nacs::pipeline_phase> phases;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    phases.insert(seen[i].phase);
    CHECK(seen[i].rounds == 5);
    if (i > 0) {
      CHECK(seen[i].seconds >= seen[i - 1].seconds);
      CHECK(seen[i].rows_scored >= seen[i - 1].rows_scored);
      CHECK(seen[i].partitions_solved >= seen[i - 1].partitions_solved);
    }
  }
  CHECK(phases.size() == 5);
  CHECK(seen.back().phase == nacs::pipeline_phase::done);
  CHECK(seen.back().partitions_solved == c.report.partitions_solved);
  CHECK(c.report.total_seconds >= c.report.scoring_seconds + c.report.selection_seconds);
}

TEST_CASE("bad options and data give a clear nacs::error") {
  const auto syn = tiny(400);
  const std::optional<nacs::evaluation_set> none;
  const auto run = [&](const nacs::coreset_options& o) {
    (void)nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::no_filter{}, o);
  };
  auto o = small_options();
  o.ratio = 0.0;
  nacs_ref::expect_error([&] { run(o); }, nacs::errc::invalid_argument, "ratio must be in (0, 1)");
  o.ratio = 1.0;
  nacs_ref::expect_error([&] { run(o); }, nacs::errc::invalid_argument, "ratio must be in (0, 1)");
  o.ratio = 0.001;  // 0.4 rows
  nacs_ref::expect_error([&] { run(o); }, nacs::errc::invalid_argument, "less than one row");
  o = small_options();
  o.k = 400;
  nacs_ref::expect_error([&] { run(o); }, nacs::errc::invalid_argument, "must be in [1, 400)");
  o.k = 4;
  o.rounds = 5;
  nacs_ref::expect_error([&] { run(o); }, nacs::errc::invalid_argument, "5 rounds but only 4 rows to select");
  o = small_options();
  o.partition_size = 1;
  nacs_ref::expect_error([&] { run(o); }, nacs::errc::invalid_argument, "partition_size = 1");
  o = small_options();
  o.train.epochs = 0;
  nacs_ref::expect_error([&] { run(o); }, nacs::errc::invalid_argument, "epochs must be >= 1");
  o = small_options();
  o.memory_limit = 1024;
  nacs_ref::expect_error([&] { run(o); }, nacs::errc::memory_limit, "nacs::select_coreset (nacs");
  // A removal rate that needs more rows than there are.
  o = small_options();
  o.k = 390;
  nacs_ref::expect_error(
      [&] {
        (void)nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{},
                                   nacs::mc_dropout_filter{.remove_rate = 0.5}, o);
      },
      nacs::errc::invalid_argument, "lower the ratio or the filter's remove rate");
  nacs_ref::expect_error(
      [&] {
        (void)nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{},
                                   nacs::mc_dropout_filter{.remove_rate = 1.0}, small_options());
      },
      nacs::errc::invalid_argument, "remove_rate");
  nacs_ref::expect_error(
      [&] {
        (void)nacs::select_coreset(nacs::seq, syn.data, none,
                                   nacs::nacs_method<nacs::stochastic_greedy>{nacs::stochastic_greedy{.epsilon = 2.0}}, nacs::no_filter{},
                                   small_options());
      },
      nacs::errc::invalid_argument, "epsilon");
  nacs::dataset raw = syn.data;
  raw.cardinalities.clear();
  nacs_ref::expect_error(
      [&] {
        (void)nacs::select_coreset(nacs::seq, raw, none, nacs::nacs_method<>{}, nacs::no_filter{}, small_options());
      },
      nacs::errc::invalid_data, "not encoded");
}

TEST_CASE("memory planning counts the partition kernel, the model and the data") {
  const auto syn = tiny();
  auto opt = small_options();
  const std::size_t small = nacs::coreset_memory_needed(syn.data, opt);
  opt.partition_size = 2000;
  const std::size_t large = nacs::coreset_memory_needed(syn.data, opt);
  CHECK(small > 500u * 500u * 4u);
  CHECK(large > 2000u * 2000u * 4u);
  CHECK(large > small);
  const auto c = nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{},
                                      small_options());
  CHECK(c.report.peak_bytes_planned == small);
  // Just enough memory runs.
  auto fits = small_options();
  fits.memory_limit = small;
  CHECK(nacs::select_coreset(nacs::seq, syn.data, std::nullopt, nacs::nacs_method<>{}, nacs::no_filter{}, fits).size() ==
        100);
}

TEST_CASE("the default solver (lazier-than-lazy) picks exactly what stochastic greedy picks") {
  // The paper's solver is stochastic greedy; nacs_method<> evaluates its samples lazily. Same
  // draws, same bits, fewer gain evaluations.
  const auto syn = tiny();
  const auto opt = small_options();
  const std::optional<nacs::evaluation_set> none;
  static_assert(std::is_same_v<decltype(nacs::nacs_method<>{}.solver), nacs::lazier_than_lazy>);
  const auto lazy = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  const auto plain = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<nacs::stochastic_greedy>{},
                                          nacs::mc_dropout_filter{}, opt);
  CHECK(lazy.rows == plain.rows);
  CHECK(lazy.weights == plain.weights);
  CHECK(lazy.targets == plain.targets);
  CHECK(lazy.report.removed_rows == plain.report.removed_rows);
  nacs::coreset_config cfg;  // by name, as nacs-coreset runs it: the default is "lazier" there too
  const auto by_default = nacs::run_coreset(nacs::seq, syn.data, none, cfg, opt);
  cfg.solver = "stochastic";
  const auto by_stochastic = nacs::run_coreset(nacs::seq, syn.data, none, cfg, opt);
  CHECK(by_default.rows == by_stochastic.rows);
  CHECK(by_default.weights == by_stochastic.weights);
  CHECK(by_default.targets == by_stochastic.targets);
}

TEST_CASE("candidate_share: each round scores only the drawn partitions, hits the exact budget, same bits on seq and par") {
  const auto syn = tiny(4000);
  auto opt = small_options(0.02);  // 8 partitions of 500 rows, 80 rows kept
  opt.rounds = 3;
  const std::optional<nacs::evaluation_set> none;
  const auto all = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  opt.candidate_share = 1.0;  // the default, said explicitly: the same bits
  const auto same = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  CHECK(same.rows == all.rows);
  CHECK(same.targets == all.targets);
  CHECK(all.report.rows_scored == 3 * 4000);

  opt.candidate_share = 0.25;  // 2 of the 8 partitions per round
  const auto a = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  const auto b = nacs::select_coreset(nacs::par.with_threads(2), syn.data, none, nacs::nacs_method<>{},
                                      nacs::mc_dropout_filter{}, opt);
  CHECK(a.rows.size() == 80);
  CHECK(distinct(a.rows));
  CHECK(a.report.rows_scored == 3 * 1000);
  CHECK(a.report.partitions_solved == 3 * 2);
  CHECK(a.report.unrepresented_rows == 3 * 3000);
  CHECK(a.rows == b.rows);
  CHECK(a.weights == b.weights);
  CHECK(a.targets == b.targets);
  CHECK(a.rows != all.rows);

  opt.partitions = nacs::partition_mode::class_balanced;  // drawn within each class
  const auto c = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::mc_dropout_filter{}, opt);
  CHECK(c.rows.size() == 80);
  CHECK(distinct(c.rows));
  CHECK(c.report.rows_scored < 3 * 4000 / 2);
  std::size_t positives = 0;
  for (const auto r : c.rows) positives += syn.data.labels[static_cast<std::size_t>(r)] >= 0.5f ? 1 : 0;
  CHECK(positives >= 30);  // the rounds split their budget between the classes (the filter may shift a few)
  CHECK(positives <= 50);
}

TEST_CASE("candidate_share: outside (0, 1] or too small for the round's picks, a clear nacs::error") {
  const auto syn = tiny();
  const std::optional<nacs::evaluation_set> none;
  for (const double bad : {0.0, -0.5, 1.5, std::nan("")}) {
    auto opt = small_options();
    opt.candidate_share = bad;
    nacs_ref::expect_error(
        [&] { (void)nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::no_filter{}, opt); },
        nacs::errc::invalid_argument, "candidate_share");
  }
  auto opt = small_options(0.3);  // 600 picks over 3 rounds, 200 a round; one partition of 500 drawn
  opt.candidate_share = 0.01;
  opt.partition_size = 100;       // 20 partitions of 100: the draw holds 100 rows < 200 picks
  nacs_ref::expect_error(
      [&] { (void)nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::no_filter{}, opt); },
      nacs::errc::invalid_argument, "raise candidate_share");
  // The message names the round that failed (the first) and a share that works for every round.
  std::string message;
  try {
    (void)nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  } catch (const nacs::error& e) {
    message = e.what();
  }
  CHECK(message.find("in round 1,") != std::string::npos);
  const std::string cue = "raise candidate_share (to ";
  const auto at = message.find(cue);
  REQUIRE(at != std::string::npos);
  const double suggested = std::stod(message.substr(at + cue.size()));
  CHECK(suggested > opt.candidate_share);
  CHECK(suggested < 1.0);
  opt.candidate_share = suggested;
  const auto r = nacs::select_coreset(nacs::seq, syn.data, none, nacs::nacs_method<>{}, nacs::no_filter{}, opt);
  CHECK(r.rows.size() == 600);
}
