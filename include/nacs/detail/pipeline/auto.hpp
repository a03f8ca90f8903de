// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/pipeline/auto.hpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <nacs/pipeline/auto.hpp>

namespace nacs {

template <class P>
auto_result auto_select(const P& policy, const dataset& train, const evaluation_set& valid,
                        const std::optional<evaluation_set>& test, std::span<const auto_candidate> candidates,
                        const coreset_options& opt, const final_options& fin, const auto_options& how) {
  how.validate();
  NACS_EXPECTS(!candidates.empty(), errc::invalid_argument,
               "nacs::auto_select: no candidates; give at least one (e.g. nacs::default_auto_candidates())");
  NACS_EXPECTS(valid.data != nullptr, errc::invalid_argument,
               "nacs::auto_select: the choice is made on validation AUC and no validation rows were given");
  for (const auto& c : candidates) validate_config(c.config);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const std::optional<evaluation_set> v = valid;
  auto_result out;
  std::vector<coreset> cores;
  for (const auto& c : candidates) {
    if (how.on_candidate) how.on_candidate(c.name);
    const auto t0 = clock::now();
    coreset_options o = opt;
    if (c.partitions) o.partitions = *c.partitions;
    coreset core = run_coreset(policy, train, v, c.config, o);
    auto_trial t;
    t.name = c.name;
    t.evaluation = train_on_coreset(policy, train, core, v, test.value_or(valid), fin);
    t.valid_auc = t.evaluation.training.best_valid_auc.value_or(0.0);
    t.valid_logloss = t.evaluation.training.best_valid_logloss.value_or(0.0);
    t.valid_logloss_se = t.evaluation.training.best_valid_logloss_se.value_or(0.0);
    t.report = core.report;
    t.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    out.trials.push_back(std::move(t));
    cores.push_back(std::move(core));
  }
  std::size_t low = 0;
  for (std::size_t i = 1; i < out.trials.size(); ++i)
    if (out.trials[i].valid_logloss < out.trials[low].valid_logloss) low = i;
  const double bound = how.logloss_slack == HUGE_VAL
                           ? HUGE_VAL
                           : out.trials[low].valid_logloss + how.logloss_slack * out.trials[low].valid_logloss_se;
  bool any = false;
  for (std::size_t i = 0; i < out.trials.size(); ++i) {
    auto& t = out.trials[i];
    t.eligible = t.valid_logloss <= bound;
    if (t.eligible && (!any || t.valid_auc > out.trials[out.choice].valid_auc)) out.choice = i;
    any = any || t.eligible;
  }
  out.core = std::move(cores[out.choice]);
  out.seconds = std::chrono::duration<double>(clock::now() - start).count();
  return out;
}

}  // namespace nacs
