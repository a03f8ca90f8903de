// SPDX-License-Identifier: Apache-2.0
// Throughput of the data side (rows per second): the planted-noise generator,
// the streaming readers, and vocabulary building and encoding.
//
//   generate_<policy>/V    generate_synthetic, 2^20 rows x 26 fields (Criteo's categorical count),
//                          V values per field (1000, the default, or 100000); the hidden model's
//                          parameters (26 x V x 9 normal draws) are drawn in every iteration
//   read_criteo_synthetic  read_criteo on 2^17 Criteo TSV lines written from the generator
//                          (13 integer fields, 26 hex-hashed categorical fields, some empty),
//                          parsed from memory: the parser's cost without the disk's
//   read_criteo_sample     the same on ../shared/data/criteo-sample/train.csv, repeated in memory
//                          to about 2^17 lines (skipped, saying so, when the file is absent)
//   read_avazu_sample      read_avazu on ../shared/data/avazu-sample/train.csv, repeated likewise
//   vocabulary_<policy>    build_vocabulary (min_count 10) on 2^20 generated rows (V = 100000)
//   encode_<policy>        vocabulary::encode of those rows
// Items = rows.
#include <benchmark/benchmark.h>
#include <nacs/data/avazu.hpp>
#include <nacs/data/criteo.hpp>
#include <nacs/data/synthetic.hpp>
#include <nacs/data/vocabulary.hpp>

#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace {

constexpr nacs::row_index generated_rows = nacs::row_index{1} << 20;
constexpr std::size_t text_lines = std::size_t{1} << 17;

nacs::synthetic_options generator_options(nacs::row_index rows, std::uint32_t values = 100000) {
  nacs::synthetic_options o;
  o.rows = rows;
  o.fields = 26;
  o.vocabulary_size = values;
  o.seed = 11;
  return o;
}

const nacs::synthetic_data& generated() {
  static const nacs::synthetic_data d = nacs::generate_synthetic(nacs::par, generator_options(generated_rows));
  return d;
}

// Criteo TSV text from the generator: label, 13 small integers, 26 categorical
// values written as 8 hex digits; every 17th value is left empty.
const std::string& criteo_text() {
  static const std::string text = [] {
    const auto d = nacs::generate_synthetic(nacs::par, generator_options(static_cast<nacs::row_index>(text_lines)));
    std::string s;
    s.reserve(text_lines * 300);
    char buf[16];
    std::size_t cell = 0;
    for (std::size_t r = 0; r < text_lines; ++r) {
      s += d.data.labels[r] > 0.5f ? '1' : '0';
      for (std::size_t i = 0; i < nacs::criteo_integer_fields; ++i) {
        s += '\t';
        if (++cell % 17 != 0) s += std::to_string(d.data.ids[r * 26 + i] % 5000);
      }
      for (std::size_t c = 0; c < nacs::criteo_categorical_fields; ++c) {
        s += '\t';
        if (++cell % 17 != 0) {
          std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(d.data.ids[r * 26 + c] * 2654435761u));
          s += buf;
        }
      }
      s += '\n';
    }
    return s;
  }();
  return text;
}

std::filesystem::path shared_sample(const char* name) {
  return std::filesystem::path(NACS_SOURCE_DIR) / ".." / "shared" / "data" / name / "train.csv";
}

// The file's lines repeated until there are about text_lines of them; with a
// header (Avazu), the header is kept once at the top. Empty when the file is absent.
std::string repeated(const std::filesystem::path& path, bool header) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string head, body = all;
  if (header) {
    const auto eol = all.find('\n');
    head = all.substr(0, eol + 1);
    body = all.substr(eol + 1);
  }
  if (!body.empty() && body.back() != '\n') body += '\n';
  const auto lines = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
  if (lines == 0) return {};
  std::string s = head;
  for (std::size_t n = 0; n < text_lines; n += lines) s += body;
  return s;
}

template <class Read>
void read_text(benchmark::State& state, const std::string& text, const char* absent, Read read) {
  if (text.empty()) {
    state.SkipWithError(absent);
    return;
  }
  std::int64_t rows = 0;
  for (auto _ : state) {
    std::istringstream in(text);
    const nacs::read_result r = read(in);
    if (r.report.rows_skipped != 0) {
      state.SkipWithError("the text has malformed rows: the benchmark's input is wrong");
      return;
    }
    rows += r.data.rows();
    benchmark::DoNotOptimize(r.data.ids.data());
  }
  state.SetItemsProcessed(rows);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}

void BM_read_criteo_synthetic(benchmark::State& state) {
  read_text(state, criteo_text(), "", [](std::istream& in) { return nacs::read_criteo(in); });
}

void BM_read_criteo_sample(benchmark::State& state) {
  static const std::string text = repeated(shared_sample("criteo-sample"), false);
  read_text(state, text, "../shared/data/criteo-sample/train.csv is absent: nothing to read",
            [](std::istream& in) { return nacs::read_criteo(in); });
}

void BM_read_avazu_sample(benchmark::State& state) {
  static const std::string text = repeated(shared_sample("avazu-sample"), true);
  read_text(state, text, "../shared/data/avazu-sample/train.csv is absent: nothing to read",
            [](std::istream& in) { return nacs::read_avazu(in); });
}

template <class Policy>
void generate(benchmark::State& state, Policy policy) {
  const auto o = generator_options(generated_rows, static_cast<std::uint32_t>(state.range(0)));
  for (auto _ : state) {
    const auto d = nacs::generate_synthetic(policy, o);
    benchmark::DoNotOptimize(d.data.ids.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * generated_rows);
  state.counters["threads"] = nacs::thread_count(policy);
}

template <class Policy>
void vocabulary(benchmark::State& state, Policy policy) {
  const auto& d = generated().data;
  for (auto _ : state) {
    const auto v = nacs::build_vocabulary(policy, d);
    benchmark::DoNotOptimize(&v);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * d.rows());
  state.counters["threads"] = nacs::thread_count(policy);
}

template <class Policy>
void encode(benchmark::State& state, Policy policy) {
  const auto& d = generated().data;
  const auto v = nacs::build_vocabulary(policy, d);
  for (auto _ : state) {
    const auto e = v.encode(policy, d);
    benchmark::DoNotOptimize(e.ids.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * d.rows());
  state.counters["threads"] = nacs::thread_count(policy);
}

void BM_generate_seq(benchmark::State& s) { generate(s, nacs::seq); }
void BM_generate_par(benchmark::State& s) { generate(s, nacs::par); }
void BM_vocabulary_seq(benchmark::State& s) { vocabulary(s, nacs::seq); }
void BM_vocabulary_par(benchmark::State& s) { vocabulary(s, nacs::par); }
void BM_encode_seq(benchmark::State& s) { encode(s, nacs::seq); }
void BM_encode_par(benchmark::State& s) { encode(s, nacs::par); }

}  // namespace

BENCHMARK(BM_generate_seq)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_generate_par)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_read_criteo_synthetic)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_read_criteo_sample)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_read_avazu_sample)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_vocabulary_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_vocabulary_par)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_encode_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_encode_par)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
