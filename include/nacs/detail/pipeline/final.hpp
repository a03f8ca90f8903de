// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/pipeline/final.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nacs/pipeline/final.hpp>

namespace nacs {

namespace detail::pipeline {

// Per-field remap built from a subset of rows: id 0 stays 0, ids seen get 1.. in increasing order, others 0.
struct oov_remap {
  std::vector<std::vector<std::uint32_t>> table;  // table[f][old id] = new id
  std::vector<std::uint32_t> cardinalities;

  oov_remap(const dataset& d, std::span<const row_index> rows) {
    const std::size_t f = d.num_fields();
    table.resize(f);
    cardinalities.resize(f);
    for (std::size_t j = 0; j < f; ++j) table[j].assign(d.cardinalities[j], 0);
    for (const row_index r : rows) {
      const auto ids = d.row(r);
      for (std::size_t j = 0; j < f; ++j) table[j][ids[j]] = 1;
    }
    for (std::size_t j = 0; j < f; ++j) {
      std::uint32_t next = 1;
      table[j][0] = 0;
      for (std::size_t v = 1; v < table[j].size(); ++v)
        if (table[j][v]) table[j][v] = next++;
      cardinalities[j] = next;
    }
  }

  // The given rows (all when rows is empty) of d, remapped; counts ids that fell to OOV (other than id 0).
  dataset apply(const dataset& d, std::span<const row_index> rows, row_index* unseen = nullptr) const {
    dataset out = rows.empty() ? d : d.select_rows(rows);
    const std::size_t f = out.num_fields();
    row_index lost = 0;
    for (std::size_t i = 0; i < out.ids.size(); ++i) {
      const std::uint32_t old = out.ids[i];
      const std::uint32_t now = table[i % f][old];
      lost += (now == 0 && old != 0) ? 1 : 0;
      out.ids[i] = now;
    }
    out.cardinalities = cardinalities;
    if (unseen) *unseen = lost;
    return out;
  }
};

// The class-prior logit offset (final_options::prior_correction): logit of the weighted mean target
// minus logit of the positive share of `labels`; 0 when either share is 0 or 1.
inline double class_prior_offset(std::span<const float> labels, std::span<const float> targets,
                                 std::span<const float> weights) {
  double pos = 0;
  for (const float y : labels) pos += y >= 0.5f ? 1.0 : 0.0;
  const double pi = labels.empty() ? 0.0 : pos / static_cast<double>(labels.size());
  double num = 0, den = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const double w = weights.empty() ? 1.0 : static_cast<double>(weights[i]);
    num += w * targets[i];
    den += w;
  }
  const double pc = den > 0 ? num / den : 0.0;
  if (pi <= 0.0 || pi >= 1.0 || pc <= 0.0 || pc >= 1.0) return 0.0;
  return std::log(pc / (1.0 - pc)) - std::log(pi / (1.0 - pi));
}

inline void check_same_encoding(const dataset& a, const dataset& b, const char* what) {
  NACS_EXPECTS(b.encoded() && b.cardinalities == a.cardinalities && b.ids.size() == b.labels.size() * b.num_fields(),
               errc::invalid_argument,
               std::string("nacs::train_on_coreset: the ") + what +
                   " rows are not encoded like the training rows; encode them with the training vocabulary");
}

}  // namespace detail::pipeline

namespace detail {
/// The host backend's train_on_coreset.
template <host_policy P>
coreset_evaluation host_run(algo::train_on_coreset, const P& policy, const dataset& train, const coreset& core,
                            const std::optional<evaluation_set>& valid, const evaluation_set& test,
                            const final_options& opt) {
  using pipeline::oov_remap;
  NACS_EXPECTS(train.encoded(), errc::invalid_argument,
               "nacs::train_on_coreset: the training rows are not encoded; encode them with a vocabulary first");
  NACS_EXPECTS(!core.rows.empty(), errc::invalid_argument, "nacs::train_on_coreset: the coreset has no rows");
  check_rows(core.rows, train.rows(), "nacs::train_on_coreset (coreset rows)");
  // A coreset's arrays must be parallel whether or not this training uses them: a short
  // array means a broken coreset (or file), not one to train on.
  NACS_EXPECTS(core.weights.empty() || core.weights.size() == core.rows.size(),
               errc::invalid_argument,
               "nacs::train_on_coreset: " + std::to_string(core.weights.size()) + " weights for " +
                   std::to_string(core.rows.size()) + " coreset rows; give one per row or none");
  NACS_EXPECTS(core.targets.empty() || core.targets.size() == core.rows.size(),
               errc::invalid_argument,
               "nacs::train_on_coreset: " + std::to_string(core.targets.size()) + " targets for " +
                   std::to_string(core.rows.size()) + " coreset rows; give one per row or none");
  NACS_EXPECTS(test.data != nullptr, errc::invalid_argument, "nacs::train_on_coreset: no test rows given");
  pipeline::check_same_encoding(train, *test.data, "test");
  check_rows(test.rows, test.data->rows(), "nacs::train_on_coreset (test rows)");
  const std::size_t test_rows = test.rows.empty() ? static_cast<std::size_t>(test.data->rows()) : test.rows.size();
  NACS_EXPECTS(opt.clean_test_labels.empty() || opt.clean_test_labels.size() == test_rows, errc::invalid_argument,
               "nacs::train_on_coreset: " + std::to_string(opt.clean_test_labels.size()) + " clean labels for " +
                   std::to_string(test_rows) + " test rows; give one per test row or none");
  NACS_EXPECTS(opt.weights != final_weighting::best_on_validation || valid.has_value(), errc::invalid_argument,
               "nacs::train_on_coreset: best_on_validation picks the weighting on validation AUC and needs a "
               "validation set; give one, or choose final_weighting::none or gamma");
  if (valid) {
    NACS_EXPECTS(valid->data != nullptr, errc::invalid_argument, "nacs::train_on_coreset: the validation set has no data");
    pipeline::check_same_encoding(train, *valid->data, "validation");
    check_rows(valid->rows, valid->data->rows(), "nacs::train_on_coreset (validation rows)");
  }

  const oov_remap remap(train, core.rows);
  const dataset rows = remap.apply(train, core.rows);
  coreset_evaluation ev;
  const dataset test_data = remap.apply(*test.data, test.rows, &ev.unseen_test_values);
  std::optional<dataset> valid_data;
  std::optional<evaluation_set> valid_set;
  if (valid) {
    valid_data = remap.apply(*valid->data, valid->rows);
    valid_set = evaluation_set{&*valid_data};
  }
  ev.rows = rows.rows();
  ev.cardinalities = remap.cardinalities;
  ev.batch_size = opt.train.batch_size ? opt.train.batch_size : default_batch_size(ev.rows);

  train_options to = opt.train;
  to.batch_size = ev.batch_size;
  training_set ts{&rows};
  if (opt.use_targets && !core.targets.empty()) ts.targets = core.targets;
  const bool unequal_weights =
      !core.weights.empty() &&
      std::any_of(core.weights.begin(), core.weights.end(), [&](float w) { return w != core.weights.front(); });
  // Offsets per training (weighted or not): the coreset's own, or the class-prior shift.
  std::vector<float> prior_offsets;
  const auto offsets_for = [&](bool weighted) -> std::span<const float> {
    if (!opt.prior_correction) return {};
    if (!core.offsets.empty()) return core.offsets;
    const double o = pipeline::class_prior_offset(train.labels, ts.targets.empty() ? std::span<const float>(rows.labels) : ts.targets,
                                        weighted ? std::span<const float>(core.weights) : std::span<const float>());
    if (o == 0.0) return {};
    prior_offsets.assign(rows.labels.size(), static_cast<float>(o));
    return prior_offsets;
  };
  const auto fit = [&](bool weighted, std::optional<ctr_model<float>>& model) {
    model.emplace(opt.model, rows.cardinalities);
    adam<float> optimizer(opt.adam);
    training_set t = ts;
    if (weighted && !core.weights.empty()) t.weights = core.weights;
    t.offsets = offsets_for(weighted && !core.weights.empty());
    auto report = nacs::train(policy, *model, optimizer, t, valid_set, to, opt.on_epoch);
    return std::pair{std::move(report), std::vector<float>(t.offsets.begin(), t.offsets.end())};
  };
  std::vector<float> used_offsets;
  const auto keep_offsets = [&](std::vector<float> o) {
    used_offsets = std::move(o);
    ev.correction = used_offsets.empty() ? "none" : core.offsets.empty() ? "class-prior" : "coreset";
    double sum = 0;
    for (const float x : used_offsets) sum += x;
    ev.offset_mean = used_offsets.empty() ? 0.0 : sum / static_cast<double>(used_offsets.size());
  };
  std::optional<ctr_model<float>> model;
  if (opt.weights == final_weighting::best_on_validation && unequal_weights) {
    // Both trainings start from the same seed; the weighted one must be strictly better to be kept.
    std::optional<ctr_model<float>> other;
    auto plain = fit(false, model);
    auto with_gamma = fit(true, other);
    ev.unweighted_valid_auc = plain.first.best_valid_auc;
    ev.weighted_valid_auc = with_gamma.first.best_valid_auc;
    if (with_gamma.first.best_valid_auc.value_or(0.0) > plain.first.best_valid_auc.value_or(0.0)) {
      model.swap(other);
      ev.training = std::move(with_gamma.first);
      keep_offsets(std::move(with_gamma.second));
      ev.weighted = true;
    } else {
      ev.training = std::move(plain.first);
      keep_offsets(std::move(plain.second));
    }
  } else {
    const bool use = opt.weights == final_weighting::gamma ||
                     (opt.weights == final_weighting::method_default && core.importance_weights);
    ev.weighted = use && !core.weights.empty();
    auto fitted = fit(ev.weighted, model);
    ev.training = std::move(fitted.first);
    keep_offsets(std::move(fitted.second));
  }

  const auto p = nacs::predict(policy, *model, evaluation_set{&test_data});
  ev.test_auc = nacs::auc(policy, std::span<const float>(p), std::span<const float>(test_data.labels));
  ev.test_logloss = nacs::log_loss(policy, std::span<const float>(p), std::span<const float>(test_data.labels));
  if (!opt.clean_test_labels.empty()) {
    ev.clean_test_auc = nacs::auc(policy, std::span<const float>(p), opt.clean_test_labels);
    ev.clean_test_logloss = nacs::log_loss(policy, std::span<const float>(p), opt.clean_test_labels);
  }
  return ev;
}
}  // namespace detail

template <class P>
coreset_evaluation train_on_coreset(const P& policy, const dataset& train, const coreset& core,
                                    const std::optional<evaluation_set>& valid, const evaluation_set& test,
                                    const final_options& opt) {
  return detail::dispatch<algo::train_on_coreset>(policy, train, core, valid, test, opt);
}

}  // namespace nacs
