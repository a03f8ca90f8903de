// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/synthetic.hpp>
#include <nacs/model/trainer.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <span>
#include <vector>

namespace {

nacs::synthetic_data make_data(nacs::row_index rows, std::uint64_t seed, double flip_pos = 0.0, double flip_neg = 0.0,
                               std::size_t fields = 8, std::uint32_t vocabulary = 40) {
  nacs::synthetic_options o;
  o.rows = rows;
  o.fields = fields;
  o.vocabulary_size = vocabulary;
  o.zipf_exponent = 0.8;
  o.factor_dim = 4;
  o.bias_std = 1.0;
  o.interaction_std = 1.0;
  o.base_rate = 0.3;
  o.flip_positive = flip_pos;
  o.flip_negative = flip_neg;
  o.seed = seed;
  return nacs::generate_synthetic(nacs::seq, o);
}

std::vector<nacs::row_index> range(nacs::row_index b, nacs::row_index e) {
  std::vector<nacs::row_index> v(static_cast<std::size_t>(e - b));
  std::iota(v.begin(), v.end(), b);
  return v;
}

nacs::model_config deepfm() {
  nacs::model_config c;  // paper defaults: dim 10, MLP 100-100-100, dropout 0.5, batch norm
  c.kind = nacs::model_kind::deepfm;
  c.seed = 3;
  return c;
}

}  // namespace

TEST_CASE("a DeepFM trained on noisy synthetic data approaches the hidden model's AUC on clean labels") {
  // 50k rows of 6 fields of 10 values: 40k train, 5k valid, 5k test; 10 % of positives and 5 % of
  // negatives flipped. (Larger vocabularies need more rows than a unit test should train on.)
  // Trained on seq: par is covered by the determinism test, and OpenMP threads on cores shared with
  // other test programs (ctest -j) wait on each other at every layer.
  const auto syn = make_data(50000, 11, 0.1, 0.05, 6, 10);
  const auto train_rows = range(0, 40000), valid_rows = range(40000, 45000), test_rows = range(45000, 50000);
  // Embedding dim 10, dropout 0.5, batch norm as in the paper; a 64-64 MLP learns this data as well as
  // 100-100-100 and keeps the test fast under the sanitizers.
  nacs::model_config cfg = deepfm();
  cfg.mlp = {64, 64};
  nacs::ctr_model<float> model(cfg, syn.data.cardinalities);
  nacs::adam<float> opt;  // lr 0.01
  nacs::train_options o;
  o.batch_size = 512;
  o.epochs = 8;
  o.seed = 5;
  std::size_t callbacks = 0;
  const auto report = nacs::train(nacs::seq, model, opt, {&syn.data, train_rows},
                                  nacs::evaluation_set{&syn.data, valid_rows}, o,
                                  [&](const nacs::epoch_report& e) {
                                    ++callbacks;
                                    CHECK(e.rows == 40000);
                                    CHECK(e.valid_auc.has_value());
                                  });
  CHECK(callbacks == report.epochs.size());
  const auto p = nacs::predict(nacs::seq, model, {&syn.data, test_rows});
  std::vector<float> clean(test_rows.size()), oracle(test_rows.size());
  for (std::size_t i = 0; i < test_rows.size(); ++i) {
    clean[i] = syn.clean_labels[static_cast<std::size_t>(test_rows[i])];
    oracle[i] = syn.clean_probability[static_cast<std::size_t>(test_rows[i])];
  }
  const double learned = nacs::auc(nacs::seq, std::span<const float>(p), clean);
  const double ceiling = nacs::auc(nacs::seq, std::span<const float>(oracle), clean);
  MESSAGE("DeepFM test AUC vs clean labels " << learned << ", hidden model " << ceiling << ", epochs "
                                             << report.epochs.size() << ", best " << *report.best_epoch);
  CHECK(ceiling > 0.75);
  CHECK(learned > ceiling - 0.02);
  CHECK(learned < ceiling + 0.02);
  // The reported best validation AUC is the restored model's.
  const auto v = nacs::evaluate(nacs::seq, model, {&syn.data, valid_rows});
  CHECK(v.auc == doctest::Approx(*report.best_valid_auc).epsilon(1e-12));
  CHECK(report.rows_trained == static_cast<nacs::row_index>(40000 * report.epochs.size()));
  CHECK(report.rows_per_second() > 0);
}

TEST_CASE("training is deterministic for a seed, and seq and par give the same bits") {
  const auto syn = make_data(5000, 2);
  nacs::model_config cfg = deepfm();
  cfg.mlp = {32, 16};
  const auto run = [&](auto policy, std::uint64_t seed) {
    nacs::ctr_model<float> m(cfg, syn.data.cardinalities);
    nacs::adam<float> opt;
    nacs::train_options o;
    o.batch_size = 700;
    o.epochs = 2;
    o.seed = seed;
    const auto r = nacs::train(policy, m, opt, {&syn.data}, std::nullopt, o);
    std::vector<float> all;
    for (auto* p : m.parameters()) all.insert(all.end(), p->value.begin(), p->value.end());
    all.push_back(static_cast<float>(r.epochs.back().train_loss));
    return all;
  };
  const auto a = run(nacs::seq, 1);
  CHECK(a == run(nacs::seq, 1));
  CHECK(a == run(nacs::par.with_threads(2), 1));
  CHECK(a != run(nacs::seq, 2));
}

TEST_CASE("training on a row subset with targets and weights equals training on the selected rows") {
  const auto syn = make_data(3000, 4);
  nacs::model_config cfg = deepfm();
  cfg.mlp = {16};
  cfg.dropout = 0.0;  // masks are keyed by data-set row, which differs between the two data sets
  std::vector<nacs::row_index> subset;
  for (nacs::row_index r = 0; r < 3000; r += 3) subset.push_back(r);
  subset.push_back(7);  // repeats are allowed
  const auto selected = syn.data.select_rows(subset);
  nacs::train_options o;
  o.batch_size = 256;
  o.epochs = 2;
  o.normalization = nacs::loss_normalization::weights;
  nacs::ctr_model<double> a(cfg, syn.data.cardinalities), b(cfg, syn.data.cardinalities);
  nacs::adam<double> oa, ob;
  std::vector<float> targets(subset.size()), weights(subset.size(), 2.0f);
  for (std::size_t i = 0; i < subset.size(); ++i) targets[i] = syn.data.labels[static_cast<std::size_t>(subset[i])];
  const auto ra = nacs::train(nacs::seq, a, oa, {&syn.data, subset, targets, weights}, std::nullopt, o);
  const auto rb = nacs::train(nacs::seq, b, ob, {&selected}, std::nullopt, o);
  CHECK(ra.epochs.back().train_loss == rb.epochs.back().train_loss);
  const auto pa = a.parameters(), pb = b.parameters();
  for (std::size_t k = 0; k < pa.size(); ++k) CHECK(pa[k]->value == pb[k]->value);
  CHECK(oa.steps() == 2 * 4);  // ceil(1001 / 256) batches per epoch
}

TEST_CASE("early stopping with patience 1 stops at the first epoch without improvement and restores the best") {
  // A tiny, very noisy training set overfits within a few epochs.
  const auto syn = make_data(6000, 8, 0.3, 0.2);
  nacs::model_config cfg = deepfm();
  cfg.dropout = 0.0;
  const auto tr = range(0, 1500), va = range(3000, 6000);
  nacs::ctr_model<float> model(cfg, syn.data.cardinalities);
  nacs::adam<float> opt({.learning_rate = 0.03});
  nacs::train_options o;
  o.batch_size = 128;
  o.epochs = 30;
  const auto r = nacs::train(nacs::seq, model, opt, {&syn.data, tr}, nacs::evaluation_set{&syn.data, va}, o);
  REQUIRE(r.best_epoch.has_value());
  CHECK(r.stopped_early);
  CHECK(r.restored_best);
  // Stopped right after the first epoch that did not beat the best (patience 1).
  CHECK(r.epochs.size() == *r.best_epoch + 2);
  CHECK(*r.epochs.back().valid_auc <= *r.best_valid_auc);
  for (std::size_t e = 0; e <= *r.best_epoch; ++e) CHECK(*r.epochs[e].valid_auc <= *r.best_valid_auc);
  const auto v = nacs::evaluate(nacs::seq, model, {&syn.data, va});
  CHECK(v.auc == doctest::Approx(*r.best_valid_auc).epsilon(1e-12));
  // Patience 0 never stops.
  nacs::ctr_model<float> m2(cfg, syn.data.cardinalities);
  nacs::adam<float> o2({.learning_rate = 0.03});
  o.patience = 0;
  o.epochs = 4;
  const auto r2 = nacs::train(nacs::seq, m2, o2, {&syn.data, tr}, nacs::evaluation_set{&syn.data, va}, o);
  CHECK(r2.epochs.size() == 4);
  CHECK(!r2.stopped_early);
}

TEST_CASE("mc_dropout scoring is replayable and differs between passes; eval scoring matches predict") {
  const auto syn = make_data(2000, 5);
  nacs::ctr_model<float> model(deepfm(), syn.data.cardinalities);
  const auto rows = range(100, 900);
  const nacs::score_options mc{.batch_size = 300, .mode = nacs::forward_mode::mc_dropout, .key = {1, 0}};
  const auto a = nacs::predict(nacs::seq, model, {&syn.data, rows}, mc);
  const auto b = nacs::predict(nacs::par, model, {&syn.data, rows}, mc);
  CHECK(a == b);
  auto mc2 = mc;
  mc2.key.step = 1;
  CHECK(a != nacs::predict(nacs::seq, model, {&syn.data, rows}, mc2));
  // Row keys are data-set indices: a row gets the same mask in any batch layout.
  auto mc3 = mc;
  mc3.batch_size = 77;
  CHECK(a == nacs::predict(nacs::seq, model, {&syn.data, rows}, mc3));
  // Hidden vectors and probabilities through score_batches.
  std::size_t seen = 0;
  nacs::score_batches(nacs::seq, model, {&syn.data, rows}, nacs::score_options{.batch_size = 256},
                      [&](std::size_t first, nacs::ctr_model<float>& m) {
                        CHECK(first == seen);
                        CHECK(m.hidden().rows() == m.probabilities().size());
                        seen += m.probabilities().size();
                      });
  CHECK(seen == rows.size());
}

TEST_CASE("train and predict reject inconsistent inputs") {
  const auto syn = make_data(500, 6);
  nacs::ctr_model<float> model(deepfm(), syn.data.cardinalities);
  nacs::adam<float> opt;
  nacs::dataset raw = syn.data;
  raw.cardinalities.clear();
  CHECK_THROWS_WITH_AS(nacs::train(nacs::seq, model, opt, {&raw}), doctest::Contains("not encoded"), nacs::error);
  nacs::dataset other = syn.data;
  other.cardinalities[0] += 1;
  CHECK_THROWS_WITH_AS(nacs::train(nacs::seq, model, opt, {&other}), doctest::Contains("cardinalities differ"),
                       nacs::error);
  const std::vector<nacs::row_index> bad = {0, 500};
  CHECK_THROWS_WITH_AS(nacs::train(nacs::seq, model, opt, {&syn.data, bad}), doctest::Contains("row index 500"),
                       nacs::error);
  const std::vector<float> two = {1, 0};
  CHECK_THROWS_WITH_AS(nacs::train(nacs::seq, model, opt, {&syn.data, {}, two}), doctest::Contains("2 targets for 500"),
                       nacs::error);
  nacs::train_options o;
  o.batch_size = 0;
  CHECK_THROWS_WITH_AS(nacs::train(nacs::seq, model, opt, {&syn.data}, std::nullopt, o), doctest::Contains("batch_size"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(nacs::train(nacs::seq, model, opt, {nullptr}), doctest::Contains("no training dataset"),
                       nacs::error);
  CHECK_THROWS_WITH_AS((void)nacs::predict(nacs::seq, model, {&syn.data, bad}), doctest::Contains("row index 500"),
                       nacs::error);
  nacs::train_options changed;
  changed.eval_batch_size = 1024;  // the last field: == must compare every field
  CHECK_FALSE(changed == nacs::train_options{});
  CHECK(changed == nacs::train_options{.eval_batch_size = 1024});
  CHECK(nacs::train_options{}.batch_size == 8192);
  CHECK(nacs::adam_options{}.learning_rate == 0.01);
}

TEST_CASE("training_set::correct_targets: a no-op hook gives the same bits, steps count 0, 1, 2, ..., and "
          "overwritten targets are what the loss uses") {
  const auto syn = make_data(2500, 12);
  nacs::model_config cfg = deepfm();
  cfg.mlp = {16, 8};  // dropout 0.5 and batch norm on: the hook must not disturb the masks or the statistics
  nacs::train_options o;
  o.batch_size = 1000;
  o.epochs = 3;
  o.seed = 9;
  const auto run = [&](auto policy, const nacs::training_set& set) {
    nacs::ctr_model<float> m(cfg, syn.data.cardinalities);
    nacs::adam<float> opt;
    const auto r = nacs::train(policy, m, opt, set, std::nullopt, o);
    std::vector<float> all;
    for (auto* p : m.parameters()) all.insert(all.end(), p->value.begin(), p->value.end());
    all.push_back(static_cast<float>(r.epochs.back().train_loss));
    return all;
  };
  const auto plain = run(nacs::seq, {&syn.data});
  std::vector<std::int64_t> steps;
  std::vector<std::size_t> sizes;
  bool labels_only = true;
  nacs::training_set watched{&syn.data};
  watched.correct_targets = [&](std::span<const float> p, std::int64_t step, std::span<float> t) {
    CHECK(p.size() == t.size());
    for (float v : t) labels_only = labels_only && (v == 0.0f || v == 1.0f);  // the given labels
    steps.push_back(step);
    sizes.push_back(t.size());
  };
  CHECK(run(nacs::seq, watched) == plain);
  CHECK(labels_only);
  CHECK(steps == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8});  // 3 batches (1000, 1000, 500) x 3 epochs
  CHECK(sizes == std::vector<std::size_t>{1000, 1000, 500, 1000, 1000, 500, 1000, 1000, 500});
  steps.clear();
  CHECK(run(nacs::par.with_threads(2), watched) == plain);

  // A hook that sets every target to 0.5 trains exactly as explicit targets of 0.5 do, and differently from labels.
  nacs::training_set half{&syn.data};
  half.correct_targets = [](std::span<const float>, std::int64_t, std::span<float> t) {
    for (float& v : t) v = 0.5f;
  };
  const std::vector<float> halves(2500, 0.5f);
  const auto hooked = run(nacs::seq, half);
  CHECK(hooked == run(nacs::seq, {&syn.data, {}, halves}));
  CHECK(hooked != plain);
}

TEST_CASE("training_set::correct_targets: the loss is BCE against the overwritten targets, computed by hand; "
          "probabilities reach the hook as float copies; bad targets are refused") {
  const auto syn = make_data(600, 13);
  nacs::model_config cfg;
  cfg.kind = nacs::model_kind::logistic_regression;  // no dropout or batch norm: train-mode logits = eval-mode logits
  cfg.embedding_init_std = 0.5;                       // logits well away from 0
  cfg.seed = 4;
  nacs::ctr_model<double> model(cfg, syn.data.cardinalities);
  // Logits and probabilities before any step, scored in one batch.
  std::vector<double> z0;
  std::vector<float> p0;
  nacs::score_batches(nacs::seq, model, {&syn.data}, nacs::score_options{.batch_size = 600},
                      [&](std::size_t, nacs::ctr_model<double>& m) {
                        z0.assign(m.logits().begin(), m.logits().end());
                        for (double p : m.probabilities()) p0.push_back(static_cast<float>(p));
                      });
  REQUIRE(z0.size() == 600);
  double by_hand = 0.0, with_labels = 0.0;
  for (std::size_t i = 0; i < z0.size(); ++i) {
    const double z = z0[i], y = syn.data.labels[i];
    by_hand += std::max(z, 0.0) - 0.5 * z + std::log1p(std::exp(-std::abs(z)));
    with_labels += std::max(z, 0.0) - y * z + std::log1p(std::exp(-std::abs(z)));
  }
  by_hand /= 600.0;
  with_labels /= 600.0;

  nacs::train_options o;
  o.batch_size = 600;  // one batch: the epoch's loss is that batch's loss
  o.epochs = 1;
  o.shuffle = false;
  std::vector<float> seen;
  nacs::training_set set{&syn.data};
  set.correct_targets = [&](std::span<const float> p, std::int64_t step, std::span<float> t) {
    CHECK(step == 0);
    seen.assign(p.begin(), p.end());
    for (float& v : t) v = 0.5f;
  };
  nacs::adam<double> opt;
  const auto r = nacs::train(nacs::seq, model, opt, set, std::nullopt, o);
  CHECK(r.epochs[0].train_loss == doctest::Approx(by_hand).epsilon(1e-12));
  CHECK(std::abs(by_hand - with_labels) > 1e-3);  // the check above could fail
  CHECK(seen == p0);

  // A hook that writes a target outside [0, 1] is refused by the loss with a message.
  nacs::training_set bad{&syn.data};
  bad.correct_targets = [](std::span<const float>, std::int64_t, std::span<float> t) { t[3] = 1.5f; };
  CHECK_THROWS_WITH_AS(nacs::train(nacs::seq, model, opt, bad, std::nullopt, o),
                       doctest::Contains("targets must lie in [0, 1]"), nacs::error);
}

TEST_CASE("training_set::offsets: zero offsets give the same bits; an offset o is learned around; bad offsets are errors") {
  const auto syn = make_data(3000, 6);
  nacs::model_config cfg = deepfm();
  cfg.kind = nacs::model_kind::logistic_regression;
  const auto fit = [&](std::span<const float> offsets) {
    nacs::ctr_model<float> m(cfg, syn.data.cardinalities);
    nacs::adam<float> opt;
    nacs::train_options o;
    o.batch_size = 256;
    o.epochs = 6;
    o.seed = 1;
    nacs::training_set ts{&syn.data};
    ts.offsets = offsets;
    (void)nacs::train(nacs::seq, m, opt, ts, std::nullopt, o);
    return nacs::predict(nacs::seq, m, nacs::evaluation_set{&syn.data});
  };
  const auto plain = fit({});
  const std::vector<float> zeros(3000, 0.0f), up(3000, 2.0f);
  CHECK(fit(zeros) == plain);
  // Trained to fit sigmoid(z + 2), the model's own logit z sits about 2 below: its mean probability
  // falls well under the data's positive share, which the plain model matches.
  const auto shifted = fit(up);
  const double mean_plain = std::accumulate(plain.begin(), plain.end(), 0.0) / 3000;
  const double mean_shift = std::accumulate(shifted.begin(), shifted.end(), 0.0) / 3000;
  double share = 0;
  for (const float y : syn.data.labels) share += y;
  share /= 3000;
  CHECK(mean_plain == doctest::Approx(share).epsilon(0.15));
  CHECK(mean_shift < 0.5 * mean_plain);
  // The loss and its gradient see z + o: one step on a one-row batch matches the hand formula.
  nacs::ctr_model<double> a(cfg, syn.data.cardinalities), b(cfg, syn.data.cardinalities);
  nacs::adam<double> oa, ob;
  nacs::train_options one;
  one.batch_size = 1;
  one.epochs = 1;
  one.shuffle = false;
  const std::vector<nacs::row_index> first = {0};
  const std::vector<float> o1 = {0.7f};
  nacs::training_set with{&syn.data, first};
  with.offsets = o1;
  const auto rw = nacs::train(nacs::seq, a, oa, with, std::nullopt, one);
  const auto z = nacs::predict(nacs::seq, b, nacs::evaluation_set{&syn.data, first});
  const double logit = std::log(z[0] / (1.0 - z[0])) + 0.7, y = syn.data.labels[0];
  const double want = std::max(logit, 0.0) - logit * y + std::log1p(std::exp(-std::abs(logit)));
  CHECK(rw.epochs[0].train_loss == doctest::Approx(want).epsilon(1e-5));
  (void)ob;
  std::vector<float> bad(3000, 0.0f);
  bad[5] = NAN;
  CHECK_THROWS_AS(fit(bad), nacs::error);
  CHECK_THROWS_AS(fit(std::vector<float>(10, 0.0f)), nacs::error);
}

TEST_CASE("evaluate: the log loss's standard error is the rows' sample s.d. over sqrt(rows), computed by hand") {
  const auto syn = make_data(500, 8);
  nacs::model_config cfg = deepfm();
  cfg.kind = nacs::model_kind::fm;
  nacs::ctr_model<float> m(cfg, syn.data.cardinalities);
  const auto ev = nacs::evaluate(nacs::seq, m, nacs::evaluation_set{&syn.data});
  const auto p = nacs::predict(nacs::seq, m, nacs::evaluation_set{&syn.data});
  std::vector<double> l(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double q = std::clamp(static_cast<double>(p[i]), 1e-7, 1 - 1e-7), y = syn.data.labels[i];
    l[i] = -(y * std::log(q) + (1 - y) * std::log(1 - q));
  }
  const double mean = std::accumulate(l.begin(), l.end(), 0.0) / 500;
  double sq = 0;
  for (const double x : l) sq += (x - mean) * (x - mean);
  CHECK(ev.logloss == doctest::Approx(mean).epsilon(1e-9));
  CHECK(ev.logloss_se == doctest::Approx(std::sqrt(sq / 499 / 500)).epsilon(1e-9));
  CHECK(nacs::evaluate(nacs::par.with_threads(2), m, nacs::evaluation_set{&syn.data}).logloss_se == ev.logloss_se);
}
