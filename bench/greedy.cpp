// SPDX-License-Identifier: Apache-2.0
// bench_greedy: the greedy solvers on facility location, on the grid of the
// NaCS paper's Tables 1 and 8 (see docs/benchmarks.md for the figures).
//
// Each benchmark solves one problem per iteration: N uniform random rows in
// [0, 1)^100 (seeded: nacs_ref::uniform_matrix<float>(N, 100, 2024), what
// `nacs-greedy --synthetic N --dim 100 --seed 2024` uses), similarity
// exp_distance (exp(-|a - b| / 100), submodlib's "euclidean" kernel), all
// rows one partition, k picks. The timed region is the whole nacs::maximize
// call: the N x N similarity kernel is built inside it. Wall time
// (UseRealTime), so the par runs count both threads. An "item" is one input
// row: items_per_second = N / seconds per solve.
//
// Names: greedy/<solver>/<policy>/N:<N>/k:<k>[/eps:<epsilon>], solver naive,
// lazy, stochastic or lazier, policy seq or par2 (nacs::par with 2 threads).
// kernel/<similarity>/<policy>/N:<N> times nacs::make_kernel alone on the same
// input, for each built-in similarity (an item is one kernel entry, N^2 per call).
//
// Counters:
//   F           the objective F(S) the solve reached (sum over all N rows)
//   F_vs_naive  F / F(naive greedy) - 1 (0 for the exact solvers; for N = 32768 the
//               exact F comes from lazy greedy, which picks what naive greedy picks)
//   F_vs_ref    N <= 1000: F / F(reference naive greedy in double, nacs_ref) - 1
//   evals       marginal-gain evaluations
// A benchmark stops with an error (SkipWithError) when an exact solver's F
// differs from naive greedy's or (N <= 1000) from the reference's by more
// than 1e-6 relative, or when stochastic / lazier greedy is more than 0.01 %
// below naive greedy. The oracle values are computed once per (N, k), before
// the timed loop (this also warms the allocator); the checks run after it.
//
// The whole grid (all solvers, both policies, N = 32768 included) takes
// about 2 minutes on a quiet 2-core machine: N >= 10000 runs one solve per
// repetition, smaller sizes repeat for 0.2 s. The four targets:
//   bench_greedy --benchmark_repetitions=3 --benchmark_filter='^greedy/(stochastic/par2/N:10000/k:200/eps:1e-4|lazy/par2/N:10000/k:100|naive/par2/N:10000/k:100|stochastic/par2/N:32768/k:327/eps:1e-3)/'
#include <benchmark/benchmark.h>

#include "busy.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nacs/core/matrix.hpp>
#include <nacs/execution.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/similarity.hpp>
#include <nacs/solver/lazier.hpp>
#include <nacs/solver/lazy.hpp>
#include <nacs/solver/maximize.hpp>
#include <nacs/solver/naive.hpp>
#include <nacs/solver/stochastic.hpp>

#include <nacs_ref/facility_location.hpp>
#include <nacs_ref/random.hpp>
#include <nacs_ref/similarity.hpp>

namespace {

constexpr std::size_t dim = 100;
constexpr std::uint64_t data_seed = 2024;
constexpr std::uint64_t solver_seed = 0;
constexpr int par_threads = 2;
constexpr std::size_t reference_max_n = 1000;  // the double-precision reference is O(k N^2)
constexpr double exact_tolerance = 1e-6;       // relative, F of an exact solver vs naive / reference
constexpr double stochastic_tolerance = 1e-4;  // 0.01 %: how far below naive stochastic greedy may be

// The input of size n, made once.
const nacs::matrix<float>& input(std::size_t n) {
  static std::map<std::size_t, nacs::matrix<float>> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, nacs_ref::uniform_matrix<float>(n, dim, data_seed)).first;
  return it->second;
}

auto objective_of(std::size_t n) { return nacs::facility_location{input(n).view(), nacs::exp_distance{}}; }

// F of the exact greedy solution for (n, k): naive greedy, or lazy greedy (same picks) past 10000 rows.
double exact_objective(std::size_t n, std::size_t k) {
  static std::map<std::pair<std::size_t, std::size_t>, double> cache;
  const auto key = std::make_pair(n, k);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  const auto policy = nacs::par.with_threads(par_threads);
  const auto kk = static_cast<nacs::row_index>(k);
  const double f = n <= 10000 ? nacs::maximize(policy, objective_of(n), kk, nacs::naive_greedy{}).objective
                              : nacs::maximize(policy, objective_of(n), kk, nacs::lazy_greedy{}).objective;
  cache.emplace(key, f);
  return f;
}

// F of the reference's naive greedy (double precision, plain loops) for (n, k), n <= reference_max_n.
double reference_objective(std::size_t n, std::size_t k) {
  static std::map<std::pair<std::size_t, std::size_t>, double> cache;
  const auto key = std::make_pair(n, k);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  const nacs_ref::dense s = nacs_ref::similarities(input(n), nacs::exp_distance{});
  const double f = nacs_ref::facility_objective(s, nacs_ref::facility_greedy(s, k).picks);
  cache.emplace(key, f);
  return f;
}

template <class Policy, class Solver>
void run(benchmark::State& state, Policy policy, Solver solver, bool exact, std::size_t n, std::size_t k) {
  const auto obj = objective_of(n);
  const auto kk = static_cast<nacs::row_index>(k);
  // The oracles first (cached per size): they also warm the allocator, so that the first timed
  // solve of a size does not pay for fresh pages alone (see docs/benchmarks.md).
  const double f_naive = exact_objective(n, k);
  const bool with_ref = n <= reference_max_n;
  const double f_ref = with_ref ? reference_objective(n, k) : 0.0;
  nacs::selection last;
  for (auto _ : state) {
    last = nacs::maximize(policy, obj, kk, solver);
    // Not DoNotOptimize(last.objective): Google Benchmark 1.7's "+m,r" asm on a double lvalue
    // is miscompiled by GCC at -O1 and above in sanitizer builds (the value read back is garbage;
    // google/benchmark#903, GCC PR 92597). `last` is read after the loop, so the call stays.
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));

  const double f = last.objective;
  const double vs_naive = f / f_naive - 1.0;
  state.counters["F"] = f;
  state.counters["F_vs_naive"] = vs_naive;
  state.counters["evals"] = static_cast<double>(last.evaluations);
  char msg[160];
  if (exact && std::abs(vs_naive) > exact_tolerance) {
    std::snprintf(msg, sizeof msg, "F = %.10g differs from naive greedy's by %.3g (relative)", f, vs_naive);
    state.SkipWithError(msg);
    return;
  }
  if (!exact && vs_naive < -stochastic_tolerance) {
    std::snprintf(msg, sizeof msg, "F = %.10g is %.3g %% below naive greedy's (allowed: 0.01 %%)", f,
                  -100.0 * vs_naive);
    state.SkipWithError(msg);
    return;
  }
  if (with_ref) {
    const double vs_ref = f / f_ref - 1.0;
    state.counters["F_vs_ref"] = vs_ref;
    if (exact && std::abs(vs_ref) > exact_tolerance) {
      std::snprintf(msg, sizeof msg, "F = %.10g differs from the reference's by %.3g (relative)", f, vs_ref);
      state.SkipWithError(msg);
    }
  }
}

std::string eps_name(double eps) { return eps == 1e-3 ? "1e-3" : eps == 1e-4 ? "1e-4" : std::to_string(eps); }

void register_one(const std::string& name, std::size_t n, auto fn) {
  auto* b = benchmark::RegisterBenchmark(name.c_str(), fn);
  b->UseRealTime()->Unit(benchmark::kMillisecond);
  // Small sizes: repeat for 0.2 s; large ones: one solve per repetition (seconds each).
  if (n >= 10000) b->Iterations(1);
  else b->MinTime(0.2);
}

template <class Policy>
void register_policy(Policy policy, const std::string& pname, std::size_t n, std::size_t k) {
  const std::string base = "/" + pname + "/N:" + std::to_string(n) + "/k:" + std::to_string(k);
  register_one("greedy/naive" + base, n, [=](benchmark::State& s) { run(s, policy, nacs::naive_greedy{}, true, n, k); });
  register_one("greedy/lazy" + base, n, [=](benchmark::State& s) { run(s, policy, nacs::lazy_greedy{}, true, n, k); });
  for (const double eps : {1e-3, 1e-4}) {
    const std::string e = "/eps:" + eps_name(eps);
    register_one("greedy/stochastic" + base + e, n, [=](benchmark::State& s) {
      run(s, policy, nacs::stochastic_greedy{.epsilon = eps, .seed = solver_seed}, false, n, k);
    });
    register_one("greedy/lazier" + base + e, n, [=](benchmark::State& s) {
      run(s, policy, nacs::lazier_than_lazy{.epsilon = eps, .seed = solver_seed}, false, n, k);
    });
  }
}

template <class Policy, class Sim>
void register_kernel(Policy policy, const std::string& pname, std::size_t n, Sim sim) {
  const std::string name = "kernel/" + std::string(nacs::similarity_name(sim)) + "/" + pname + "/N:" + std::to_string(n);
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
    const auto x = input(n).view();
    double probe = 0.0;
    for (auto _ : state) {
      const nacs::similarity_kernel k = nacs::make_kernel(policy, x, sim);
      probe += static_cast<double>(k(0, static_cast<nacs::row_index>(n - 1)));
      benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n * n));
    state.counters["s0_last"] = probe / static_cast<double>(state.iterations());
  });
  b->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(0.2);
}

template <class Policy>
void register_kernels(Policy policy, const std::string& pname) {
  for (const std::size_t n : {1000, 4000}) {
    register_kernel(policy, pname, n, nacs::neg_distance{});
    register_kernel(policy, pname, n, nacs::exp_distance{});
    register_kernel(policy, pname, n, nacs::cosine{});
    register_kernel(policy, pname, n, nacs::rbf{});
  }
}

void register_all() {
  register_kernels(nacs::seq, "seq");
#if defined(_OPENMP)
  register_kernels(nacs::par.with_threads(par_threads), "par2");
#endif
  std::vector<std::pair<std::size_t, std::size_t>> grid;
  for (const std::size_t n : {100, 500, 1000, 10000})
    for (const std::size_t k : {50, 100, 200})
      if (k <= n) grid.emplace_back(n, k);
  grid.emplace_back(32768, 327);  // k = 1 % of N
  for (const auto& [n, k] : grid) {
    register_policy(nacs::seq, "seq", n, k);
#if defined(_OPENMP)
    register_policy(nacs::par.with_threads(par_threads), "par2", n, k);
#endif
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("nacs.input", "uniform [0,1)^100 float32, seed 2024; exp_distance (gamma = d)");
  benchmark::AddCustomContext("nacs.par_threads", std::to_string(par_threads));
  benchmark::AddCustomContext("nacs.busy_processes", std::to_string(nacs_bench::start_busy_processes()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
