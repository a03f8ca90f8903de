// SPDX-License-Identifier: Apache-2.0
// Step 3: a fresh model on the coreset (values unseen in it -> OOV), and the batch-size rule.
#include <doctest/doctest.h>
#include <nacs/data/synthetic.hpp>
#include <nacs/core/error.hpp>
#include <nacs/pipeline/final.hpp>

#include <nacs_ref/check.hpp>

#include <numeric>
#include <optional>
#include <set>
#include <vector>

namespace {

nacs::synthetic_data planted(nacs::row_index rows = 6000) {
  nacs::synthetic_options o;
  o.rows = rows;
  o.fields = 6;
  o.vocabulary_size = 30;
  o.zipf_exponent = 1.1;
  o.factor_dim = 4;
  o.base_rate = 0.3;
  o.flip_positive = 0.1;
  o.flip_negative = 0.05;
  o.seed = 17;
  return nacs::generate_synthetic(nacs::seq, o);
}

std::vector<nacs::row_index> range(nacs::row_index b, nacs::row_index e) {
  std::vector<nacs::row_index> v(static_cast<std::size_t>(e - b));
  std::iota(v.begin(), v.end(), b);
  return v;
}

nacs::final_options small_model() {
  nacs::final_options o;
  o.model.embedding_dim = 4;
  o.model.mlp = {16, 16};
  o.train.epochs = 4;
  o.train.seed = 2;
  return o;
}

}  // namespace

TEST_CASE("default_batch_size: the power of two nearest rows / 64, clamped to [64, 8192]") {
  CHECK(nacs::default_batch_size(0) == 64);
  CHECK(nacs::default_batch_size(100) == 64);
  CHECK(nacs::default_batch_size(4096) == 64);
  CHECK(nacs::default_batch_size(5000) == 64);        // 78 -> 64
  CHECK(nacs::default_batch_size(6000) == 128);       // 93.75 -> 128 (93.75^2 > 64 * 128)
  CHECK(nacs::default_batch_size(10000) == 128);      // 156 -> 128
  CHECK(nacs::default_batch_size(50000) == 1024);     // 781 -> 1024
  CHECK(nacs::default_batch_size(100000) == 2048);    // 1562 -> 2048
  CHECK(nacs::default_batch_size(524288) == 8192);
  CHECK(nacs::default_batch_size(1000000) == 8192);   // clamped
  CHECK(nacs::default_batch_size(std::int64_t{1} << 50) == 8192);
  // Every epoch gets at least 45 steps once the batch is above its floor.
  for (nacs::row_index n = 8192; n < 400000; n += 7919) {
    const auto b = static_cast<nacs::row_index>(nacs::default_batch_size(n));
    CHECK((n + b - 1) / b >= 45);
  }
}

TEST_CASE("train_on_coreset: values unseen in the coreset map to OOV, on the coreset, valid and test rows") {
  const auto syn = planted();
  // A coreset of the first 300 rows; test on rows 5000..5999.
  nacs::coreset c;
  c.rows = range(0, 300);
  const auto test_rows = range(5000, 6000);
  const auto ev = nacs::train_on_coreset(nacs::seq, syn.data, c, std::nullopt,
                                         nacs::evaluation_set{&syn.data, test_rows}, small_model());
  const std::size_t f = syn.data.num_fields();
  REQUIRE(ev.cardinalities.size() == f);
  std::vector<std::set<std::uint32_t>> seen(f);
  for (const auto r : c.rows)
    for (std::size_t j = 0; j < f; ++j) seen[j].insert(syn.data.row(r)[j]);
  nacs::row_index unseen = 0;
  for (const auto r : test_rows)
    for (std::size_t j = 0; j < f; ++j) {
      const auto v = syn.data.row(r)[j];
      unseen += (v != 0 && !seen[j].count(v)) ? 1 : 0;
    }
  for (std::size_t j = 0; j < f; ++j) {
    // id 0 is the OOV slot whether or not it occurs; every other value seen gets its own id.
    const std::uint32_t others = static_cast<std::uint32_t>(seen[j].size() - (seen[j].count(0) ? 1 : 0));
    CHECK(ev.cardinalities[j] == others + 1);
    CHECK(ev.cardinalities[j] <= syn.data.cardinalities[j]);
  }
  CHECK(ev.unseen_test_values == unseen);
  CHECK(ev.rows == 300);
  CHECK(ev.batch_size == 64);
  CHECK(ev.training.epochs.size() == 4);
}

TEST_CASE("train_on_coreset learns from a coreset, and measures against clean labels when given") {
  const auto syn = planted();
  nacs::coreset c;
  c.rows = range(0, 4000);
  const auto valid = range(4000, 5000), test = range(5000, 6000);
  std::vector<float> clean(test.size());
  for (std::size_t i = 0; i < test.size(); ++i) clean[i] = syn.clean_labels[static_cast<std::size_t>(test[i])];
  auto opt = small_model();
  opt.clean_test_labels = clean;
  const auto ev = nacs::train_on_coreset(nacs::seq, syn.data, c, nacs::evaluation_set{&syn.data, valid},
                                         nacs::evaluation_set{&syn.data, test}, opt);
  MESSAGE("test AUC " << ev.test_auc << " (clean " << *ev.clean_test_auc << "), log loss " << ev.test_logloss);
  CHECK(ev.test_auc > 0.65);
  REQUIRE(ev.clean_test_auc.has_value());
  CHECK(*ev.clean_test_auc > ev.test_auc);  // flipped labels cost AUC
  CHECK(ev.test_logloss > 0.0);
  CHECK(ev.training.best_valid_auc.has_value());
  // seq and par give the same bits.
  const auto pe = nacs::train_on_coreset(nacs::par.with_threads(2), syn.data, c, nacs::evaluation_set{&syn.data, valid},
                                         nacs::evaluation_set{&syn.data, test}, opt);
  CHECK(pe.test_auc == ev.test_auc);
  CHECK(pe.test_logloss == ev.test_logloss);
}

TEST_CASE("train_on_coreset uses the weights and targets when asked, and the labels otherwise") {
  const auto syn = planted(3000);
  const auto test = range(2000, 3000);
  nacs::coreset labels_only;
  labels_only.rows = range(0, 1000);
  nacs::coreset soft = labels_only;
  soft.weights.assign(1000, 1.0f);
  soft.targets.resize(1000);
  for (std::size_t i = 0; i < 1000; ++i) soft.targets[i] = 0.5f * syn.data.labels[i] + 0.25f;
  for (std::size_t i = 0; i < 1000; i += 2) soft.weights[i] = 3.0f;
  const auto base = nacs::train_on_coreset(nacs::seq, syn.data, labels_only, std::nullopt,
                                           nacs::evaluation_set{&syn.data, test}, small_model());
  auto off = small_model();
  off.weights = nacs::final_weighting::none;
  off.use_targets = false;
  const auto ignored = nacs::train_on_coreset(nacs::seq, syn.data, soft, std::nullopt,
                                              nacs::evaluation_set{&syn.data, test}, off);
  CHECK(ignored.test_auc == base.test_auc);
  CHECK(ignored.test_logloss == base.test_logloss);
  auto on = small_model();
  on.weights = nacs::final_weighting::gamma;
  const auto used = nacs::train_on_coreset(nacs::seq, syn.data, soft, std::nullopt,
                                           nacs::evaluation_set{&syn.data, test}, on);
  CHECK(used.test_logloss != base.test_logloss);
  // The default is the paper's for gamma: unweighted (Algorithm 1 trains on S with L_lc, no gamma), on the
  // targets; only importance weights are trained with (method_default).
  CHECK(nacs::final_options{}.weights == nacs::final_weighting::method_default);
  CHECK(nacs::final_options{}.use_targets);
  nacs::coreset weighted_labels = labels_only;
  weighted_labels.weights = soft.weights;
  weighted_labels.targets.assign(syn.data.labels.begin(), syn.data.labels.begin() + 1000);
  const auto by_default = nacs::train_on_coreset(nacs::seq, syn.data, weighted_labels, std::nullopt,
                                                 nacs::evaluation_set{&syn.data, test}, small_model());
  CHECK(by_default.test_logloss == base.test_logloss);
  on.use_targets = false;
  const auto weighted = nacs::train_on_coreset(nacs::seq, syn.data, weighted_labels, std::nullopt,
                                               nacs::evaluation_set{&syn.data, test}, on);
  CHECK(weighted.test_logloss != base.test_logloss);
}

TEST_CASE("train_on_coreset rejects what it cannot use") {
  const auto syn = planted(2000);
  const auto test = range(1500, 2000);
  const nacs::evaluation_set t{&syn.data, test};
  nacs::coreset empty;
  nacs_ref::expect_error([&] { (void)nacs::train_on_coreset(nacs::seq, syn.data, empty, std::nullopt, t); },
                         nacs::errc::invalid_argument, "the coreset has no rows");
  nacs::coreset c;
  c.rows = range(0, 100);
  c.weights.assign(99, 1.0f);
  nacs_ref::expect_error([&] { (void)nacs::train_on_coreset(nacs::seq, syn.data, c, std::nullopt, t); },
                         nacs::errc::invalid_argument, "99 weights for 100 coreset rows");
  c.weights.clear();
  c.rows.push_back(2000);
  nacs_ref::expect_error([&] { (void)nacs::train_on_coreset(nacs::seq, syn.data, c, std::nullopt, t); },
                         nacs::errc::invalid_argument, "outside the dataset's [0, 2000)");
  c.rows.pop_back();
  auto o = small_model();
  std::vector<float> clean(10, 0.0f);
  o.clean_test_labels = clean;
  nacs_ref::expect_error([&] { (void)nacs::train_on_coreset(nacs::seq, syn.data, c, std::nullopt, t, o); },
                         nacs::errc::invalid_argument, "10 clean labels for 500 test rows");
  nacs::dataset other = syn.data;
  other.cardinalities[0] += 1;
  nacs_ref::expect_error(
      [&] { (void)nacs::train_on_coreset(nacs::seq, syn.data, c, std::nullopt, nacs::evaluation_set{&other}); },
      nacs::errc::invalid_argument, "not encoded like the training rows");
}

TEST_CASE("train_on_coreset with best_on_validation tests the weighting with the better validation AUC") {
  const auto syn = planted(4000);
  const auto valid_rows = range(2000, 3000), test_rows = range(3000, 4000);
  const nacs::evaluation_set valid{&syn.data, valid_rows}, test{&syn.data, test_rows};
  // Two coresets of rows 0..1999 on their targets: in `bad`, gamma puts weight 40 on the 200 rows
  // whose targets are inverted (weighting hurts); in `good` the inverted half of the targets has
  // weight 0.02 (weighting helps).
  nacs::coreset bad, good;
  bad.rows = good.rows = range(0, 2000);
  bad.targets.assign(syn.data.labels.begin(), syn.data.labels.begin() + 2000);
  good.targets = bad.targets;
  bad.weights.assign(2000, 1.0f);
  good.weights.assign(2000, 1.0f);
  for (std::size_t i = 0; i < 2000; i += 10) bad.targets[i] = 1.0f - bad.targets[i], bad.weights[i] = 40.0f;
  for (std::size_t i = 0; i < 2000; i += 2) good.targets[i] = 1.0f - good.targets[i], good.weights[i] = 0.02f;
  for (const auto* c : {&bad, &good}) {
    auto off = small_model(), on = small_model(), choose = small_model();
    on.weights = nacs::final_weighting::gamma;
    choose.weights = nacs::final_weighting::best_on_validation;
    const auto u = nacs::train_on_coreset(nacs::seq, syn.data, *c, valid, test, off);
    const auto w = nacs::train_on_coreset(nacs::seq, syn.data, *c, valid, test, on);
    const auto k = nacs::train_on_coreset(nacs::seq, syn.data, *c, valid, test, choose);
    REQUIRE(u.training.best_valid_auc);
    REQUIRE(w.training.best_valid_auc);
    CHECK_FALSE(u.weighted);
    CHECK(w.weighted);
    // Both trainings are the single runs, bit for bit; the one tested is the better on validation.
    CHECK(k.unweighted_valid_auc == u.training.best_valid_auc);
    CHECK(k.weighted_valid_auc == w.training.best_valid_auc);
    const bool want_weighted = *w.training.best_valid_auc > *u.training.best_valid_auc;
    CHECK(k.weighted == want_weighted);
    CHECK(k.test_auc == (want_weighted ? w : u).test_auc);
    CHECK(k.test_logloss == (want_weighted ? w : u).test_logloss);
    CHECK(k.training.best_valid_auc == (want_weighted ? w : u).training.best_valid_auc);
    CHECK(want_weighted == (c == &good));
    // par gives the same bits.
    const auto kp = nacs::train_on_coreset(nacs::par.with_threads(2), syn.data, *c, valid, test, choose);
    CHECK(kp.test_auc == k.test_auc);
    CHECK(kp.weighted == k.weighted);
  }
  // Equal weights: one training, unweighted, no validation AUCs to compare.
  nacs::coreset flat = bad;
  flat.weights.assign(2000, 1.0f);
  auto choose = small_model();
  choose.weights = nacs::final_weighting::best_on_validation;
  const auto once = nacs::train_on_coreset(nacs::seq, syn.data, flat, valid, test, choose);
  CHECK_FALSE(once.weighted);
  CHECK_FALSE(once.unweighted_valid_auc);
  CHECK_FALSE(once.weighted_valid_auc);
  CHECK(once.test_auc == nacs::train_on_coreset(nacs::seq, syn.data, flat, valid, test, small_model()).test_auc);
  // The choice is made on validation AUC: without a validation set it is refused.
  nacs_ref::expect_error([&] { (void)nacs::train_on_coreset(nacs::seq, syn.data, bad, std::nullopt, test, choose); },
                         nacs::errc::invalid_argument, "best_on_validation picks the weighting on validation AUC and needs a validation set");
}

TEST_CASE("train_on_coreset's prior correction: the class-prior offset by hand, the coreset's own offsets, off") {
  const auto syn = planted();
  const auto& d = syn.data;
  // A class-balanced coreset: 150 positives and 150 negatives.
  nacs::coreset c;
  for (nacs::row_index r = 0; r < d.rows() && c.rows.size() < 300; ++r) {
    const bool pos = d.labels[static_cast<std::size_t>(r)] >= 0.5f;
    long have = 0;
    for (const auto x : c.rows) have += (d.labels[static_cast<std::size_t>(x)] >= 0.5f) == pos ? 1 : 0;
    if (have < 150) c.rows.push_back(r);
  }
  REQUIRE(c.rows.size() == 300);
  double share = 0;
  for (const float y : d.labels) share += y >= 0.5f ? 1 : 0;
  share /= static_cast<double>(d.rows());
  const auto test_rows = range(0, 1000);
  const nacs::evaluation_set test{&d, test_rows};
  const auto on = nacs::train_on_coreset(nacs::seq, d, c, std::nullopt, test, small_model());
  CHECK(on.correction == "class-prior");
  CHECK(on.offset_mean == doctest::Approx(std::log(0.5 / 0.5) - std::log(share / (1 - share))).epsilon(1e-5));
  auto off_opt = small_model();
  off_opt.prior_correction = false;
  const auto off = nacs::train_on_coreset(nacs::seq, d, c, std::nullopt, test, off_opt);
  CHECK(off.correction == "none");
  CHECK(off.offset_mean == 0.0);
  // The correction moves the predictions to the data's rate: lower log loss on the natural test rows.
  CHECK(on.test_logloss < off.test_logloss);
  // The coreset's own offsets win over the class prior.
  c.offsets.assign(c.rows.size(), 0.25f);
  const auto own = nacs::train_on_coreset(nacs::seq, d, c, std::nullopt, test, small_model());
  CHECK(own.correction == "coreset");
  CHECK(own.offset_mean == doctest::Approx(0.25));
  // A coreset at the data's own rate gets no offset.
  nacs::coreset natural;
  natural.rows = range(0, static_cast<nacs::row_index>(d.rows()));
  const auto nat = nacs::train_on_coreset(nacs::seq, d, natural, std::nullopt, test, small_model());
  CHECK(nat.correction == "none");
  // Offsets that do not match the rows are an error.
  c.offsets.resize(5);
  CHECK_THROWS_AS((void)nacs::train_on_coreset(nacs::seq, d, c, std::nullopt, test, small_model()), nacs::error);
}

TEST_CASE("final_weighting::method_default trains with importance weights only") {
  const auto syn = planted();
  const auto& d = syn.data;
  nacs::coreset c;
  c.rows = range(0, 400);
  c.weights.assign(400, 1.0f);
  for (std::size_t i = 0; i < 400; i += 3) c.weights[i] = 2.0f;
  const auto test_rows = range(1000, 2000);
  const nacs::evaluation_set test{&d, test_rows};
  auto o = small_model();
  CHECK(o.weights == nacs::final_weighting::method_default);
  CHECK_FALSE(nacs::train_on_coreset(nacs::seq, d, c, std::nullopt, test, o).weighted);
  c.importance_weights = true;
  const auto w = nacs::train_on_coreset(nacs::seq, d, c, std::nullopt, test, o);
  CHECK(w.weighted);
  o.weights = nacs::final_weighting::gamma;
  CHECK(nacs::train_on_coreset(nacs::seq, d, c, std::nullopt, test, o).test_auc == w.test_auc);
  CHECK(nacs::to_string(nacs::final_weighting::method_default) == "method");
  for (const auto name : nacs::final_weighting_names()) CHECK(nacs::to_string(nacs::parse_final_weighting(name)) == name);
  CHECK(nacs::final_weighting_names().size() == 4);
  CHECK_THROWS_WITH_AS((void)nacs::parse_final_weighting("gama"), doctest::Contains("gamma"), nacs::error);
}
