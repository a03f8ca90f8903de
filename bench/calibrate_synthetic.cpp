// SPDX-License-Identifier: Apache-2.0
// calibrate_synthetic: how hard is a synthetic CTR set for a real model?
//
// Generates a synthetic set (nacs::ctr_benchmark_preset unless flags override
// its knobs), splits it 8:1:1 with nacs::split_rows, trains a DeepFM with the
// paper's settings (embedding 10, MLP 100-100-100, dropout 0.5, batch norm,
// Adam 0.01, early stopping on the validation AUC against the noisy labels) on
// all training rows and on random subsets of them, and prints one JSON line
// with the test AUCs against the clean labels (what a denoising method is
// judged by) and against the noisy labels, and the hidden model's own AUCs
// (the ceiling). This is how the preset's numbers in docs/log/results.md were
// measured. A plain program, not a Google Benchmark.
//
//   calibrate_synthetic [--rows N] [--noise R] [--seed S] [--ratios 0.01,0.05] [--repeats K] [--no-full]
//                       [--fields F] [--vocab a,b,c | --vocab-all V] [--zipf s] [--bias-std x]
//                       [--interaction-std x] [--factor-dim k] [--base-rate r] [--batch B] [--epochs E]
//                       [--threads T] [--model deepfm|dcnv2]
#include <nacs/data/split.hpp>
#include <nacs/data/synthetic.hpp>
#include <nacs/model/trainer.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<double> parse_list(const std::string& s) {
  std::vector<double> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stod(item));
  return out;
}

// The batch rule for a training set of n rows: the power of two nearest n / 64, within [64, 8192],
// so every epoch takes about 64 optimiser steps or more.
std::size_t batch_for(std::size_t n) {
  const double target = static_cast<double>(n) / 64.0;
  std::size_t b = 64;
  while (b < 8192 && static_cast<double>(b) * std::sqrt(2.0) < target) b *= 2;
  return b;
}

struct run_result {
  double clean_auc = 0, noisy_auc = 0, clean_logloss = 0, valid_auc = 0, seconds = 0;
  std::size_t epochs = 0, batch = 0;
};

run_result train_and_test(const nacs::parallel_policy& par, const nacs::synthetic_data& s,
                          std::span<const nacs::row_index> train_rows, const nacs::split_indices& parts,
                          nacs::model_kind kind, std::size_t batch, std::size_t epochs, std::uint64_t seed) {
  nacs::model_config cfg;  // the paper's settings are the defaults
  cfg.kind = kind;
  cfg.seed = seed;
  nacs::ctr_model<float> model(cfg, s.data.cardinalities);
  nacs::adam<float> opt;  // learning rate 0.01
  nacs::train_options to;
  to.batch_size = batch ? batch : batch_for(train_rows.size());
  to.epochs = epochs;
  to.seed = seed;
  to.patience = 1;
  const auto start = std::chrono::steady_clock::now();
  const auto rep = nacs::train(par, model, opt, nacs::training_set{.data = &s.data, .rows = train_rows},
                               nacs::evaluation_set{.data = &s.data, .rows = parts.valid}, to);
  run_result r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.epochs = rep.epochs.size();
  r.batch = to.batch_size;
  r.valid_auc = rep.best_valid_auc.value_or(0.0);
  const auto p = nacs::predict(par, model, nacs::evaluation_set{.data = &s.data, .rows = parts.test});
  std::vector<float> clean(parts.test.size()), noisy(parts.test.size());
  for (std::size_t i = 0; i < parts.test.size(); ++i) {
    clean[i] = s.clean_labels[static_cast<std::size_t>(parts.test[i])];
    noisy[i] = s.data.labels[static_cast<std::size_t>(parts.test[i])];
  }
  r.clean_auc = nacs::auc(par, std::span<const float>(p), std::span<const float>(clean));
  r.noisy_auc = nacs::auc(par, std::span<const float>(p), std::span<const float>(noisy));
  r.clean_logloss = nacs::log_loss(par, std::span<const float>(p), std::span<const float>(clean));
  return r;
}

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }
double stdev(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean(v);
  double s = 0;
  for (const double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

}  // namespace

int main(int argc, char** argv) try {
  nacs::row_index rows = 1000000;
  double noise = 0.2;
  std::uint64_t seed = 1;
  std::vector<double> ratios{0.01};
  std::size_t repeats = 1, batch = 0, epochs = 20;
  int threads = 2;
  bool full = true;
  nacs::model_kind kind = nacs::model_kind::deepfm;
  std::vector<std::pair<std::string, std::string>> overrides;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--rows") rows = std::stoll(value());
    else if (a == "--noise") noise = std::stod(value());
    else if (a == "--seed") seed = std::stoull(value());
    else if (a == "--ratios") ratios = parse_list(value());
    else if (a == "--repeats") repeats = std::stoul(value());
    else if (a == "--batch") batch = std::stoul(value());
    else if (a == "--epochs") epochs = std::stoul(value());
    else if (a == "--threads") threads = std::stoi(value());
    else if (a == "--no-full") full = false;
    else if (a == "--model") {
      const std::string m = value();
      if (m == "deepfm") kind = nacs::model_kind::deepfm;
      else if (m == "dcnv2") kind = nacs::model_kind::dcnv2;
      else throw std::runtime_error("--model must be deepfm or dcnv2");
    } else if (a == "--fields" || a == "--vocab" || a == "--vocab-all" || a == "--zipf" || a == "--bias-std" ||
               a == "--interaction-std" || a == "--factor-dim" || a == "--base-rate") {
      overrides.emplace_back(std::string(a), value());
    } else {
      throw std::runtime_error("unknown flag " + std::string(a) + " (see the comment at the top of calibrate_synthetic.cpp)");
    }
  }
  nacs::synthetic_options o = nacs::ctr_benchmark_preset(rows, noise, seed);
  for (const auto& [k, v] : overrides) {
    if (k == "--fields") {
      o.fields = std::stoul(v);
      o.vocabulary_sizes.clear();
    } else if (k == "--vocab") {
      o.vocabulary_sizes.clear();
      for (const double x : parse_list(v)) o.vocabulary_sizes.push_back(static_cast<std::uint32_t>(x));
      o.fields = o.vocabulary_sizes.size();
    } else if (k == "--vocab-all") {
      o.vocabulary_sizes.clear();
      o.vocabulary_size = static_cast<std::uint32_t>(std::stoul(v));
    } else if (k == "--zipf") o.zipf_exponent = std::stod(v);
    else if (k == "--bias-std") o.bias_std = std::stod(v);
    else if (k == "--interaction-std") o.interaction_std = std::stod(v);
    else if (k == "--factor-dim") o.factor_dim = std::stoul(v);
    else if (k == "--base-rate") o.base_rate = std::stod(v);
  }
  const auto par = nacs::par.with_threads(threads);
  const auto t0 = std::chrono::steady_clock::now();
  const nacs::synthetic_data s = nacs::generate_synthetic(par, o);
  const double gen_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto parts = nacs::split_rows(rows, nacs::split_options{.seed = seed});

  std::vector<float> test_p(parts.test.size()), test_clean(parts.test.size()), test_noisy(parts.test.size());
  for (std::size_t i = 0; i < parts.test.size(); ++i) {
    const auto r = static_cast<std::size_t>(parts.test[i]);
    test_p[i] = s.clean_probability[r];
    test_clean[i] = s.clean_labels[r];
    test_noisy[i] = s.data.labels[r];
  }
  std::printf("{\"rows\": %lld, \"noise\": %g, \"seed\": %llu, \"fields\": %zu, \"zipf\": %g, \"bias_std\": %g, "
              "\"interaction_std\": %g, \"factor_dim\": %zu, \"base_rate\": %g, \"model\": \"%s\", "
              "\"generate_seconds\": %.2f, \"observed_positive_rate\": %.4f, \"flipped_share\": %.4f, "
              "\"oracle_test_auc\": %.4f, \"oracle_noisy_test_auc\": %.4f",
              static_cast<long long>(rows), noise, static_cast<unsigned long long>(seed), o.fields, o.zipf_exponent,
              o.bias_std, o.interaction_std, o.factor_dim, o.base_rate,
              kind == nacs::model_kind::deepfm ? "deepfm" : "dcnv2", gen_seconds,
              std::accumulate(s.data.labels.begin(), s.data.labels.end(), 0.0) / static_cast<double>(rows),
              static_cast<double>(s.flipped_count()) / static_cast<double>(rows),
              nacs::auc(par, std::span<const float>(test_p), std::span<const float>(test_clean)),
              nacs::auc(par, std::span<const float>(test_p), std::span<const float>(test_noisy)));
  std::fflush(stdout);
  if (full) {
    const auto r = train_and_test(par, s, parts.train, parts, kind, batch, epochs, seed);
    std::printf(", \"full\": {\"rows\": %zu, \"batch\": %zu, \"epochs\": %zu, \"seconds\": %.1f, "
                "\"valid_noisy_auc\": %.4f, \"test_clean_auc\": %.4f, \"test_noisy_auc\": %.4f, "
                "\"test_clean_logloss\": %.4f}",
                parts.train.size(), r.batch, r.epochs, r.seconds, r.valid_auc, r.clean_auc, r.noisy_auc,
                r.clean_logloss);
    std::fflush(stdout);
  }
  for (const double ratio : ratios) {
    const auto k = static_cast<std::size_t>(std::llround(ratio * static_cast<double>(parts.train.size())));
    std::vector<double> clean, noisy;
    std::size_t epochs_run = 0, used_batch = 0;
    for (std::size_t rep = 0; rep < repeats; ++rep) {
      // A uniform random subset of the training rows: partial Fisher-Yates from a seeded stream.
      std::vector<nacs::row_index> pool = parts.train;
      nacs::random_stream rng(seed + 1000 * (rep + 1), 77);
      for (std::size_t i = 0; i < k; ++i) std::swap(pool[i], pool[i + rng.below(pool.size() - i)]);
      pool.resize(k);
      const auto r = train_and_test(par, s, pool, parts, kind, batch, epochs, seed + rep);
      clean.push_back(r.clean_auc);
      noisy.push_back(r.noisy_auc);
      epochs_run += r.epochs;
      used_batch = r.batch;
    }
    std::printf(", \"random_%g\": {\"rows\": %zu, \"batch\": %zu, \"repeats\": %zu, \"mean_epochs\": %.1f, "
                "\"test_clean_auc\": %.4f, \"test_clean_auc_sd\": %.4f, \"test_noisy_auc\": %.4f}",
                ratio, k, used_batch, repeats, static_cast<double>(epochs_run) / static_cast<double>(repeats),
                mean(clean), stdev(clean), mean(noisy));
    std::fflush(stdout);
  }
  std::printf("}\n");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "calibrate_synthetic: %s\n", e.what());
  return 1;
}
