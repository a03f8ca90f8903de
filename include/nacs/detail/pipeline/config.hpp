// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/pipeline/config.hpp.
#pragma once

#include <string>
#include <variant>

#include <nacs/detail/pipeline/select.hpp>
#include <nacs/pipeline/config.hpp>

namespace nacs {

namespace detail {
/// The host backend's run_coreset.
template <host_policy P>
coreset host_run(algo::run_coreset, const P& policy, const dataset& train, const std::optional<evaluation_set>& valid,
                 const coreset_config& config, const coreset_options& opt) {
  using namespace pipeline;
  validate_config(config);
  const std::size_t method = method_table.index(config.method);
  const filter_choice filter = make_filter(config);
  const trust_choice trust = make_trust(config);
  const auto solver_or = [&](std::string_view fallback) {
    return make_solver(config.solver.empty() ? fallback : std::string_view(config.solver), config.epsilon);
  };
  const auto embedding_or = [&](std::string_view fallback) {
    return make_embedding(config.embedding.empty() ? fallback : std::string_view(config.embedding));
  };
  std::string method_name(method_table.names()[method]);
  const std::string filter_name = std::visit([](const auto& f) { return std::string(f.name()); }, filter);
  auto ctx = prepare(
      train, valid, opt, static_cast<std::size_t>(omp_threads(policy)),
      [&](row_index k) { return std::visit([&](const auto& f) { return f.selection_size(k); }, filter); },
      method_name, filter_name);
  method_result r;
  switch (method) {
    case type_position<method_types, nacs_method<lazier_than_lazy, adam_gradient, runtime_trust>>:
      r = std::visit(
          [&](const auto& s, const auto& e) {
            using S = std::decay_t<decltype(s)>;
            using E = std::decay_t<decltype(e)>;
            return run_method(policy, *ctx, nacs_method<S, E, runtime_trust>{s, e, runtime_trust{trust}});
          },
          solver_or("lazier"), embedding_or("adam"));
      break;
    case type_position<method_types, random_method>: r = run_method(policy, *ctx, random_method{}); break;
    case type_position<method_types, balanced_random_method>: r = run_method(policy, *ctx, balanced_random_method{}); break;
    case type_position<method_types, set_cover_method<lazy_greedy>>:
      r = std::visit(
          [&](const auto& s) { return run_method(policy, *ctx, set_cover_method<std::decay_t<decltype(s)>>{s}); },
          solver_or("lazy"));
      break;
    case type_position<method_types, k_center_method<naive_greedy, plain_gradient>>:
      r = std::visit(
          [&](const auto& s, const auto& e) {
            return run_method(policy, *ctx,
                              k_center_method<std::decay_t<decltype(s)>, std::decay_t<decltype(e)>>{s, e});
          },
          solver_or("naive"), embedding_or("plain"));
      break;
    case type_position<method_types, svpcf_method>: r = run_method(policy, *ctx, svpcf_method{config.proxy_epochs}); break;
    case type_position<method_types, gradnorm_method<plain_gradient>>:
      r = std::visit(
          [&](const auto& e) { return run_method(policy, *ctx, gradnorm_method<std::decay_t<decltype(e)>>{e}); },
          embedding_or("plain"));
      break;
    case type_position<method_types, negsample_method>: r = run_method(policy, *ctx, negsample_method{config.positive_share}); break;
    case type_position<method_types, lcc_method>: r = run_method(policy, *ctx, lcc_method{make_pilot(config, opt.model)}); break;
    case type_position<method_types, osmac_method>:
      r = run_method(policy, *ctx, osmac_method{.pilot = make_pilot(config, opt.model), .weight_clip = config.weight_clip});
      break;
    default:  // sensitivity_method, the last of method_types
      r = run_method(policy, *ctx, sensitivity_method{make_pilot(config, opt.model), config.weight_clip});
      break;
  }
  return std::visit([&](const auto& f) { return run_filter(policy, *ctx, f, r); }, filter);
}
}  // namespace detail

template <class P>
coreset run_coreset(const P& policy, const dataset& train, const std::optional<evaluation_set>& valid,
                    const coreset_config& config, const coreset_options& opt) {
  return detail::dispatch<algo::run_coreset>(policy, train, valid, config, opt);
}

}  // namespace nacs
