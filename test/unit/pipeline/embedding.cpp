// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/synthetic.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/config.hpp>
#include <nacs/pipeline/embedding.hpp>

#include <nacs_ref/check.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace {

nacs::synthetic_data tiny_data(nacs::row_index rows, std::size_t fields, std::uint64_t seed) {
  nacs::synthetic_options o;
  o.rows = rows;
  o.fields = fields;
  o.vocabulary_size = 6;
  o.zipf_exponent = 0.5;
  o.factor_dim = 2;
  o.base_rate = 0.4;
  o.flip_positive = 0.0;
  o.flip_negative = 0.0;
  o.seed = seed;
  return nacs::generate_synthetic(nacs::seq, o);
}

nacs::model_config lr_config() {
  nacs::model_config c;
  c.kind = nacs::model_kind::logistic_regression;
  c.embedding_init_std = 0.3;
  c.seed = 2;
  return c;
}

// Runs an evaluation-mode forward over dataset rows [0, n) in one batch; the model keeps its outputs.
template <class T>
void forward_rows(nacs::ctr_model<T>& model, const nacs::dataset& d, std::size_t n) {
  std::vector<nacs::row_index> rows(n);
  std::iota(rows.begin(), rows.end(), nacs::row_index{0});
  nacs::score_batches(nacs::seq, model, {&d, rows}, nacs::score_options{.batch_size = n},
                      [](std::size_t, nacs::ctr_model<T>&) {});
  REQUIRE(model.batch_rows() == n);
}

// Soft targets in [0, 1] that differ from the labels (as corrected labels do).
std::vector<float> soft_targets(const nacs::dataset& d, std::size_t n) {
  std::vector<float> q(n);
  for (std::size_t i = 0; i < n; ++i) q[i] = 0.1f + 0.8f * d.labels[i] + 0.05f * static_cast<float>(i % 3);
  return q;
}

// Eq. 7-9 written out again, in double, for row i and coordinate j (j == H: the bias).
double expected_ghat(double p, double q, double h, double m, double v, double t, const nacs::adam_options& a) {
  const double g = (p - q) * h;
  const double mhat = (a.beta1 * m + (1 - a.beta1) * g) / (1 - std::pow(a.beta1, t));
  const double vhat = (a.beta2 * v + (1 - a.beta2) * g * g) / (1 - std::pow(a.beta2, t));
  return mhat / (std::sqrt(vhat) + a.epsilon);
}

// One epoch of Adam (batch 100) on all rows of d, then a forward over its first n rows.
void trained_lr_forward(nacs::ctr_model<float>& model, nacs::adam<float>& opt, const nacs::dataset& d, std::size_t n) {
  nacs::train_options o;
  o.batch_size = 100;
  o.epochs = 1;
  (void)nacs::train(nacs::seq, model, opt, {&d}, std::nullopt, o);
  forward_rows(model, d, n);
}

}  // namespace

TEST_CASE("adam_gradient matches Eq. 7-9 on a 2-field LR after Adam steps (non-zero moments)") {
  const auto syn = tiny_data(400, 2, 3);
  nacs::ctr_model<double> model(lr_config(), syn.data.cardinalities);
  nacs::adam<double> opt;
  nacs::train_options o;
  o.batch_size = 100;
  o.epochs = 1;
  (void)nacs::train(nacs::seq, model, opt, {&syn.data}, std::nullopt, o);
  REQUIRE(opt.steps() == 4);
  const auto& mw = opt.moments(model.head_weight());
  const auto& mb = opt.moments(model.head_bias());
  REQUIRE(mw.m.size() == 2);
  CHECK(mw.m[0] != 0.0);
  CHECK(mb.v[0] != 0.0);

  const std::size_t n = 40;
  forward_rows(model, syn.data, n);
  const auto q = soft_targets(syn.data, n);
  const std::vector<float> y(syn.data.labels.begin(), syn.data.labels.begin() + n);
  const nacs::adam_gradient e;
  REQUIRE(e.dimension(model.hidden_size()) == 3);
  nacs::matrix<float> out(n, 3);
  e.compute(nacs::seq, model, opt, y, q, out.view());
  // p and h recomputed from the model's parameters: h_j = first-order weight of field j's value.
  const auto& fo = model.parameters()[0]->value;  // first_order table, fields stacked
  const auto& w = model.head_weight().value;
  const double b = model.head_bias().value[0];
  const std::size_t offset1 = syn.data.cardinalities[0];
  for (std::size_t i = 0; i < n; ++i) {
    const auto ids = syn.data.row(static_cast<nacs::row_index>(i));
    const double h[2] = {fo[ids[0]], fo[offset1 + ids[1]]};
    const double p = 1.0 / (1.0 + std::exp(-(w[0] * h[0] + w[1] * h[1] + b)));
    CHECK(model.probabilities()[i] == doctest::Approx(p).epsilon(1e-12));
    for (std::size_t j = 0; j < 3; ++j) {
      const double hj = j < 2 ? h[j] : 1.0;
      const double m = j < 2 ? mw.m[j] : mb.m[0], v = j < 2 ? mw.v[j] : mb.v[0];
      CHECK(out(i, j) == doctest::Approx(expected_ghat(p, q[i], hj, m, v, 4.0, opt.options())).epsilon(1e-6));
    }
  }
  // next_step: t = steps + 1 = 5.
  nacs::matrix<float> next(n, 3);
  nacs::adam_gradient{.next_step = true}.compute(nacs::seq, model, opt, {}, q, next.view());
  const auto h0 = model.hidden();
  for (std::size_t i = 0; i < n; ++i)
    CHECK(next(i, 0) ==
          doctest::Approx(expected_ghat(model.probabilities()[i], q[i], h0(i, 0), mw.m[0], mw.v[0], 5.0,
                                        opt.options()))
              .epsilon(1e-6));
  CHECK(nacs::adam_gradient{}.step_for(0) == 1);
  CHECK(nacs::adam_gradient{}.step_for(7) == 7);
  CHECK(nacs::adam_gradient{.next_step = true}.step_for(7) == 8);
  CHECK(nacs::adam_gradient::name() == "adam");
}

TEST_CASE("adam_gradient at step 0: t = 1 and zero moments, so ghat = g / (|g| + eps)") {
  // With t = 1: mhat = (1 - b1) g / (1 - b1) = g and vhat = (1 - b2) g^2 / (1 - b2) = g^2.
  const auto syn = tiny_data(200, 2, 4);
  nacs::ctr_model<double> model(lr_config(), syn.data.cardinalities);
  const nacs::adam<double> fresh;  // never stepped: it does not even know the head
  const std::size_t n = 30;
  forward_rows(model, syn.data, n);
  const auto q = soft_targets(syn.data, n);
  nacs::matrix<float> out(n, 3);
  nacs::adam_gradient{}.compute(nacs::seq, model, fresh, {}, q, out.view());
  const auto p = model.probabilities();
  const auto h = model.hidden();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      const double g = (p[i] - q[i]) * (j < 2 ? h(i, j) : 1.0);
      CHECK(out(i, j) == doctest::Approx(g / (std::abs(g) + 1e-8)).epsilon(1e-6));
      CHECK(std::abs(out(i, j)) == doctest::Approx(1.0).epsilon(1e-4));  // |g| >> eps here: about sign(g)
    }
}

TEST_CASE("plain_gradient equals head_gradients, scalar_gradient the authors' formula") {
  const auto syn = tiny_data(300, 2, 5);
  nacs::ctr_model<float> model(lr_config(), syn.data.cardinalities);
  nacs::adam<float> opt;
  const std::size_t n = 50;
  trained_lr_forward(model, opt, syn.data, n);
  const auto q = soft_targets(syn.data, n);
  nacs::matrix<float> plain(n, 3), reference(n, 3);
  nacs::plain_gradient{}.compute(nacs::seq, model, opt, {}, q, plain.view());
  model.head_gradients(nacs::seq, q, reference.view());
  CHECK(std::equal(plain.values().begin(), plain.values().end(), reference.values().begin()));
  const auto p = model.probabilities();
  const auto h = model.hidden();
  CHECK(plain(7, 1) == doctest::Approx((p[7] - q[7]) * h(7, 1)).epsilon(1e-6));
  CHECK(plain(7, 2) == doctest::Approx(p[7] - q[7]).epsilon(1e-6));

  // Scalar: g = s (p - q) / (p (1 - p)); mhat = (b1 m + (1 - b1) g) / (1 - b1^t), t = steps + 1 = 4,
  // vhat likewise, out = mhat / (sqrt(vhat) + 1e-6).
  nacs::scalar_gradient s;
  s.moments = {0.02, 0.0009};
  s.row_scale = 0.5;
  CHECK(s.dimension(123) == 1);
  nacs::matrix<float> sc(n, 1);
  s.compute(nacs::seq, model, opt, {}, q, sc.view());
  REQUIRE(opt.steps() == 3);
  for (std::size_t i = 0; i < n; ++i) {
    const double pi = p[i], g = 0.5 * (pi - q[i]) / (pi * (1 - pi));
    const double mhat = (0.9 * 0.02 + 0.1 * g) / (1 - std::pow(0.9, 4));
    const double vhat = (0.999 * 0.0009 + 0.001 * g * g) / (1 - std::pow(0.999, 4));
    CHECK(sc(i, 0) == doctest::Approx(mhat / (std::sqrt(vhat) + 1e-6)).epsilon(1e-6));
  }
  s.adam_adjusted = false;
  s.compute(nacs::seq, model, opt, {}, q, sc.view());
  CHECK(sc(3, 0) == doctest::Approx(0.5 * (p[3] - q[3]) / (double(p[3]) * (1 - p[3]))).epsilon(1e-6));

  // scalar_moments::update: the batch mean of (p - q) / (p (1 - p)) into the two moments.
  nacs::scalar_moments mom;
  const std::vector<float> pp = {0.5f, 0.8f}, qq = {1.0f, 0.0f};
  mom.update(pp, qq);
  const double mean = ((0.5 - 1.0) / 0.25 + (double(0.8f) - 0.0) / (double(0.8f) * (1 - double(0.8f)))) / 2;
  CHECK(mom.m == doctest::Approx(0.1 * mean).epsilon(1e-12));
  CHECK(mom.v == doctest::Approx(0.001 * mean * mean).epsilon(1e-12));
}

TEST_CASE("unit_gradient is plain_gradient scaled to length 1 (0 where the gradient is 0)") {
  const auto syn = tiny_data(300, 2, 5);
  nacs::ctr_model<float> model(lr_config(), syn.data.cardinalities);
  nacs::adam<float> opt;
  const std::size_t n = 50;
  trained_lr_forward(model, opt, syn.data, n);
  auto q = soft_targets(syn.data, n);
  q[4] = model.probabilities()[4];  // a row the model predicts exactly: no gradient
  nacs::matrix<float> plain(n, 3), unit(n, 3), par(n, 3);
  nacs::plain_gradient{}.compute(nacs::seq, model, opt, {}, q, plain.view());
  nacs::unit_gradient{}.compute(nacs::seq, model, opt, {}, q, unit.view());
  CHECK(nacs::unit_gradient::dimension(7) == 8);
  for (std::size_t i = 0; i < n; ++i) {
    INFO("row " << i);
    double len = 0, plen = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      len += double(unit(i, j)) * unit(i, j);
      plen += double(plain(i, j)) * plain(i, j);
    }
    if (i == 4) {
      CHECK(len == 0.0);
      continue;
    }
    CHECK(len == doctest::Approx(1.0).epsilon(1e-5));
    for (std::size_t j = 0; j < 3; ++j) CHECK(unit(i, j) == doctest::Approx(plain(i, j) / std::sqrt(plen)).epsilon(1e-4));
  }
  nacs::unit_gradient{}.compute(nacs::par.with_threads(2), model, opt, {}, q, par.view());
  CHECK(std::equal(unit.values().begin(), unit.values().end(), par.values().begin()));
  CHECK(nacs::make_embedding("unit").index() == 3);
}

TEST_CASE("gradient embeddings give the same bits on seq and par, on a DeepFM as well") {
  const auto syn = tiny_data(3000, 3, 6);
  nacs::model_config cfg;
  cfg.kind = nacs::model_kind::deepfm;
  cfg.embedding_dim = 4;
  cfg.mlp = {16, 8};
  cfg.seed = 1;
  nacs::ctr_model<float> model(cfg, syn.data.cardinalities);
  nacs::adam<float> opt;
  nacs::train_options o;
  o.batch_size = 500;
  o.epochs = 1;
  (void)nacs::train(nacs::seq, model, opt, {&syn.data}, std::nullopt, o);
  const std::size_t n = 3000;
  forward_rows(model, syn.data, n);
  const auto q = soft_targets(syn.data, n);
  const std::size_t d = nacs::adam_gradient::dimension(model.hidden_size());
  REQUIRE(d == 9);
  nacs::matrix<float> a(n, d), b(n, d);
  nacs::adam_gradient{}.compute(nacs::seq, model, opt, {}, q, a.view());
  nacs::adam_gradient{}.compute(nacs::par.with_threads(2), model, opt, {}, q, b.view());
  CHECK(std::equal(a.values().begin(), a.values().end(), b.values().begin()));
  // The DeepFM head's moments enter as for LR: spot-check one row against Eq. 7-9.
  const auto& mw = opt.moments(model.head_weight());
  const auto h = model.hidden();
  const double p = model.probabilities()[11];
  CHECK(a(11, 5) == doctest::Approx(expected_ghat(p, q[11], h(11, 5), mw.m[5], mw.v[5], 6.0, opt.options()))
                         .epsilon(1e-6));
  nacs::plain_gradient{}.compute(nacs::seq, model, opt, {}, q, a.view());
  nacs::plain_gradient{}.compute(nacs::par.with_threads(2), model, opt, {}, q, b.view());
  CHECK(std::equal(a.values().begin(), a.values().end(), b.values().begin()));
  nacs::matrix<float> s1(n, 1), s2(n, 1);
  nacs::scalar_gradient{}.compute(nacs::seq, model, opt, {}, q, s1.view());
  nacs::scalar_gradient{}.compute(nacs::par.with_threads(2), model, opt, {}, q, s2.view());
  CHECK(std::equal(s1.values().begin(), s1.values().end(), s2.values().begin()));
}

TEST_CASE("gradient embeddings reject bad input") {
  using nacs_ref::expect_error;
  const auto syn = tiny_data(100, 2, 7);
  nacs::ctr_model<float> model(lr_config(), syn.data.cardinalities), other(lr_config(), syn.data.cardinalities);
  nacs::adam<float> opt;
  nacs::train_options o;
  o.epochs = 1;
  (void)nacs::train(nacs::seq, other, opt, {&syn.data}, std::nullopt, o);  // opt holds other's head
  forward_rows(model, syn.data, 10);
  std::vector<float> q(10, 0.5f);
  nacs::matrix<float> out(10, 3), wrong(10, 2);
  expect_error([&] { nacs::adam_gradient{}.compute(nacs::seq, model, opt, {}, q, out.view()); },
               nacs::errc::invalid_argument, "is not optimised by this adam");
  const nacs::adam<float> fresh;
  expect_error([&] { nacs::adam_gradient{}.compute(nacs::seq, model, fresh, {}, q, wrong.view()); },
               nacs::errc::invalid_argument, "must be 10 x 3");
  std::vector<float> short_q(9, 0.5f);
  expect_error([&] { nacs::plain_gradient{}.compute(nacs::seq, model, fresh, {}, short_q, out.view()); },
               nacs::errc::invalid_argument, "9 targets for 10 rows");
  std::vector<float> labels(4, 1.0f);
  expect_error([&] { nacs::plain_gradient{}.compute(nacs::seq, model, fresh, labels, q, out.view()); },
               nacs::errc::invalid_argument, "4 labels for 10 rows");
  q[2] = 1.5f;
  nacs::matrix<float> one(10, 1);
  expect_error([&] { nacs::scalar_gradient{}.compute(nacs::seq, model, fresh, {}, q, one.view()); },
               nacs::errc::invalid_data, "targets must lie in [0, 1]");
  q[2] = 0.5f;
  expect_error([&] { nacs::scalar_gradient{.clip = 0.0}.compute(nacs::seq, model, fresh, {}, q, one.view()); },
               nacs::errc::invalid_argument, "clip must lie in (0, 0.5)");
}
