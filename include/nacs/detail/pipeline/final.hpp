// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/pipeline/final.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
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
  const auto fit = [&](bool weighted, std::optional<ctr_model<float>>& model) {
    model.emplace(opt.model, rows.cardinalities);
    adam<float> optimizer(opt.adam);
    training_set t = ts;
    if (weighted && !core.weights.empty()) t.weights = core.weights;
    return nacs::train(policy, *model, optimizer, t, valid_set, to, opt.on_epoch);
  };
  std::optional<ctr_model<float>> model;
  if (opt.weights == final_weighting::best_on_validation && unequal_weights) {
    // Both trainings start from the same seed; the weighted one must be strictly better to be kept.
    std::optional<ctr_model<float>> other;
    ev.training = fit(false, model);
    train_report with_gamma = fit(true, other);
    ev.unweighted_valid_auc = ev.training.best_valid_auc;
    ev.weighted_valid_auc = with_gamma.best_valid_auc;
    if (with_gamma.best_valid_auc.value_or(0.0) > ev.training.best_valid_auc.value_or(0.0)) {
      model.swap(other);
      ev.training = std::move(with_gamma);
      ev.weighted = true;
    }
  } else {
    ev.weighted = opt.weights == final_weighting::gamma && !core.weights.empty();
    ev.training = fit(ev.weighted, model);
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
