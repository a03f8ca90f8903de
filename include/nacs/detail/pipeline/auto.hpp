// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/pipeline/auto.hpp.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <nacs/pipeline/auto.hpp>

namespace nacs {

template <class P>
auto_result auto_select(const P& policy, const dataset& train, const evaluation_set& valid,
                        const std::optional<evaluation_set>& test, std::span<const auto_candidate> candidates,
                        const coreset_options& opt, const final_options& fin) {
  NACS_EXPECTS(!candidates.empty(), errc::invalid_argument,
               "nacs::auto_select: no candidates; give at least one (e.g. nacs::default_auto_candidates())");
  NACS_EXPECTS(valid.data != nullptr, errc::invalid_argument,
               "nacs::auto_select: the choice is made on validation AUC and no validation rows were given");
  for (const auto& c : candidates) validate_config(c.config);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const std::optional<evaluation_set> v = valid;
  auto_result out;
  std::optional<coreset> best;
  for (const auto& c : candidates) {
    const auto t0 = clock::now();
    coreset_options o = opt;
    if (c.partitions) o.partitions = *c.partitions;
    coreset core = run_coreset(policy, train, v, c.config, o);
    auto_trial t;
    t.name = c.name;
    t.evaluation = train_on_coreset(policy, train, core, v, test.value_or(valid), fin);
    t.valid_auc = t.evaluation.training.best_valid_auc.value_or(0.0);
    t.report = core.report;
    t.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    const bool better = out.trials.empty() || t.valid_auc > out.trials[out.choice].valid_auc;
    if (better) {
      out.choice = out.trials.size();
      best = std::move(core);
    }
    out.trials.push_back(std::move(t));
  }
  out.core = std::move(*best);
  out.seconds = std::chrono::duration<double>(clock::now() - start).count();
  return out;
}

}  // namespace nacs
