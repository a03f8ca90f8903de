// SPDX-License-Identifier: Apache-2.0
// Training and scoring throughput of the CTR models (rows per second).
//
// 39-field synthetic data (the Criteo shape: 13 + 26 fields), vocabularies of
// 10,000 values per field, Zipf 1.1; embedding dim 10, MLP 100-100-100,
// dropout 0.5, batch norm, batch 8192 (paper Appendix C.3).
//   train: forward (training mode) + BCE + backward + one Adam step per batch
//   score: evaluation-mode forward (what NaCS runs over the whole data set each round)
// Policies: seq (one thread) and par (OpenMP, all cores). Items = rows.
#include <benchmark/benchmark.h>

#include "busy.hpp"
#include <nacs/data/synthetic.hpp>
#include <nacs/model/trainer.hpp>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr std::size_t batch = 8192;
constexpr std::size_t batches = 8;

const nacs::synthetic_data& data() {
  static const nacs::synthetic_data d = [] {
    nacs::synthetic_options o;
    o.rows = static_cast<nacs::row_index>(batch * batches);
    o.fields = 39;
    o.vocabulary_size = 10000;
    o.seed = 7;
    return nacs::generate_synthetic(nacs::par, o);
  }();
  return d;
}

nacs::matrix_view<const std::uint32_t> batch_ids(std::size_t b) {
  const auto& d = data().data;
  const std::size_t f = d.num_fields();
  return {d.ids.data() + (b % batches) * batch * f, batch, f};
}

template <class Policy>
void train_step(benchmark::State& state, nacs::model_kind kind, Policy policy) {
  nacs::model_config cfg;
  cfg.kind = kind;
  nacs::ctr_model<float> model(cfg, data().data.cardinalities);
  nacs::adam<float> opt;
  auto params = model.parameters();
  std::vector<float> dz(batch);
  std::vector<nacs::row_index> keys(batch);
  std::size_t b = 0;
  const auto step = [&] {
    const std::size_t first = (b % batches) * batch;
    for (std::size_t i = 0; i < batch; ++i) keys[i] = static_cast<nacs::row_index>(first + i);
    (void)model.forward(policy, batch_ids(b), nacs::forward_mode::train, {1, static_cast<std::uint64_t>(b)}, keys);
    const std::span<const float> labels(data().data.labels.data() + first, batch);
    (void)nacs::bce_with_logits(policy, model.logits(), labels, {}, std::span<float>(dz));
    model.backward(policy, std::span<const float>(dz));
    opt.step(policy, params);
    benchmark::DoNotOptimize(model.head_weight().value.data());
    ++b;
  };
  step();  // warm-up: buffers and Adam moments are allocated on the first step
  for (auto _ : state) step();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
  state.counters["threads"] = nacs::thread_count(policy);
}

template <class Policy>
void score(benchmark::State& state, nacs::model_kind kind, Policy policy) {
  nacs::model_config cfg;
  cfg.kind = kind;
  nacs::ctr_model<float> model(cfg, data().data.cardinalities);
  std::size_t b = 0;
  (void)model.forward(policy, batch_ids(b), nacs::forward_mode::eval);  // warm-up: buffers are allocated once
  for (auto _ : state) {
    const auto p = model.forward(policy, batch_ids(b++), nacs::forward_mode::eval);
    benchmark::DoNotOptimize(p.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
  state.counters["threads"] = nacs::thread_count(policy);
}

void BM_train_deepfm_seq(benchmark::State& s) { train_step(s, nacs::model_kind::deepfm, nacs::seq); }
void BM_train_deepfm_par(benchmark::State& s) { train_step(s, nacs::model_kind::deepfm, nacs::par); }
void BM_score_deepfm_seq(benchmark::State& s) { score(s, nacs::model_kind::deepfm, nacs::seq); }
void BM_score_deepfm_par(benchmark::State& s) { score(s, nacs::model_kind::deepfm, nacs::par); }
void BM_train_dcnv2_seq(benchmark::State& s) { train_step(s, nacs::model_kind::dcnv2, nacs::seq); }
void BM_train_dcnv2_par(benchmark::State& s) { train_step(s, nacs::model_kind::dcnv2, nacs::par); }
void BM_score_dcnv2_seq(benchmark::State& s) { score(s, nacs::model_kind::dcnv2, nacs::seq); }
void BM_score_dcnv2_par(benchmark::State& s) { score(s, nacs::model_kind::dcnv2, nacs::par); }

}  // namespace

BENCHMARK(BM_train_deepfm_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_train_deepfm_par)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_score_deepfm_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_score_deepfm_par)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_train_dcnv2_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_train_dcnv2_par)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_score_dcnv2_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_score_dcnv2_par)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("nacs.busy_processes", std::to_string(nacs_bench::start_busy_processes()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
