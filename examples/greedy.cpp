// SPDX-License-Identifier: Apache-2.0
// nacs-greedy: picks k representative rows of an embedding matrix by
// maximising facility location with one of nacs's greedy solvers, and prints
// one JSON line about the run. See --help.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>

#include <nacs/core/budget.hpp>
#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/execution.hpp>
#include <nacs/io/npy.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/similarity.hpp>
#include <nacs/solver/choice.hpp>
#include <nacs/solver/maximize.hpp>

#include "common/cli.hpp"
#include "common/json.hpp"
#include "common/report.hpp"

namespace {

const std::string program = "nacs-greedy";

#if defined(_OPENMP)
using policy_choice = std::variant<nacs::sequenced_policy, nacs::parallel_policy>;
#else
using policy_choice = std::variant<nacs::sequenced_policy>;
#endif

// Everything the command line asks for, checked.
struct request {
  std::optional<std::string> file;
  std::optional<nacs::row_index> synthetic;
  std::optional<std::int64_t> dim;
  std::optional<nacs::row_index> k;
  std::optional<double> ratio;
  std::string solver_name, similarity_name, policy_name;
  std::optional<double> epsilon, gamma;
  std::optional<nacs::row_index> partition_size;
  std::optional<int> threads;
  std::optional<std::int64_t> memory_limit_mib;
  std::uint64_t seed = 0;
  std::optional<std::string> out, write_npy, write_raw;
  bool quiet = false;
};

const char* const summary =
    "Picks k representative rows of an N x d embedding matrix by maximising facility location,\n"
    "F(S) = sum over all rows i of max over chosen j of s(i, j), with a greedy solver, optionally\n"
    "partition by partition. The input is a .npy file (float32 or float64, C order), a raw\n"
    "little-endian float32 file (give --dim), or --synthetic N seeded uniform random rows.\n"
    "Values are converted to float32. Prints one JSON line to stdout (n, d, k, solver, policy,\n"
    "similarity, objective = F(S) over all rows, seconds = the solve alone, and more, with\n"
    "rows_skipped and files, the rows read from FILE);\n"
    "progress goes to stderr.";

const char* const epilog =
    "Examples:\n"
    "  nacs-greedy --synthetic 20000 --dim 32 --ratio 0.01 --policy par\n"
    "  nacs-greedy emb.npy --k 100 --solver lazy --similarity exp-distance --out picks.csv\n"
    "  nacs-greedy emb.f32 --dim 64 --ratio 0.01 --partition-size 8192 --threads 2\n"
    "\n"
    "--out writes a CSV with the header index,gain,weight and one row per pick in pick order:\n"
    "the row index (0-based), its marginal gain when picked, and how many rows it represents\n"
    "(rows whose most similar pick it is; per partition the weights sum to its rows). With\n"
    "more partitions than picks, some partitions get none: their rows are counted in the JSON\n"
    "key unrepresented_rows and in a note on stderr.\n"
    "\n"
    "Memory: each partition of P rows needs a P x P float kernel (P = 32768: 4 GiB); the run\n"
    "refuses, before allocating, when that is over --memory-limit (default 3/4 of the RAM).\n"
    "\n"
    "Exit status: 0 success; 1 bad data or a failed run (unreadable file, NaN in the data,\n"
    "--k larger than the number of rows, memory limit, ...); 2 bad command line.";

request parse_command_line(int argc, const char* const* argv, bool& help) {
  using nacs_cli::spec;
  nacs_cli::parser p(program, summary);
  p.epilog(epilog);
  auto file = p.positional<std::string>("FILE", "embeddings: a .npy file, or raw float32 with --dim");
  auto synthetic = p.flag<std::int64_t>("synthetic", "N", "use N seeded uniform random rows in [0, 1) instead of a file",
                                        {.min = 1});
  auto dim = p.flag<std::int64_t>("dim", "D", "values per row of a raw float32 FILE, or of --synthetic (100 if not given)",
                                  {.min = 1});
  auto k = p.flag<std::int64_t>("k", "K", "number of rows to pick", {.min = 0});
  auto ratio = p.flag<double>("ratio", "R", "pick floor(R * N) rows (at least 1)",
                              {.min = 0.0, .min_exclusive = true, .max = 1.0});
  auto solver = p.flag<std::string>("solver", "NAME", "greedy solver",
                                    {.default_value = "stochastic",
                                     .choices = nacs_cli::choices(nacs::solver_names())});
  auto epsilon = p.flag<double>("epsilon", "E",
                                "stochastic/lazier: sample ceil((P / k) ln(1 / E)) candidates per step (default 0.001)",
                                {.min = 0.0, .min_exclusive = true, .max = 1.0, .max_exclusive = true});
  auto partition_size = p.flag<std::int64_t>("partition-size", "P",
                                             "cut the rows into contiguous partitions of at most P rows, solved "
                                             "independently with budgets proportional to their sizes (default: one)",
                                             {.min = 1});
  const auto sim_names = nacs::similarity_names();
  auto similarity = p.flag<std::string>(
      "similarity", "NAME",
      "s(a, b): neg-distance C - |a - b|, exp-distance exp(-|a - b| / gamma), cosine, rbf exp(-gamma |a - b|^2)",
      {.default_value = std::string(sim_names.front()), .choices = nacs_cli::choices(sim_names)});
  auto gamma = p.flag<double>("gamma", "G",
                              nacs::join_names(nacs::similarity_gamma_names(), " and ") +
                                  ": the kernel width (default d for exp-distance, 1 / d for rbf)",
                              {.min = 0.0, .min_exclusive = true});
  auto policy = p.flag<std::string>("policy", "NAME", "seq: one thread; par: OpenMP threads (same result)",
                                    {.default_value = "par",
                                     .choices = nacs_cli::choices(nacs::host_policy_table.names())});
  auto threads = p.flag<int>("threads", "T", "par: number of threads (default: OpenMP's, e.g. OMP_NUM_THREADS)",
                             {.min = 1, .max = 4096});
  auto memory_limit = p.flag<std::int64_t>(
      "memory-limit", "MIB", "refuse, before allocating, a solve that needs more than MIB MiB (default: 3/4 of RAM)",
      {.min = 1, .max = std::int64_t{1} << 40});
  auto seed = p.flag<std::uint64_t>("seed", "S", "seed of the solver's draws and of --synthetic", {.default_value = 0});
  auto out = p.flag<std::string>("out", "FILE", "write the picks as CSV: index,gain,weight");
  auto write_npy = p.flag<std::string>("write-npy", "FILE", "also write the embeddings used to FILE as float32 .npy");
  auto write_raw = p.flag<std::string>("write-raw", "FILE", "also write the embeddings used to FILE as raw float32");
  auto quiet = p.flag_switch("quiet", "print nothing on stderr but errors");
  p.exactly_one_of({"FILE", "synthetic"});
  p.exactly_one_of({"k", "ratio"});
  p.parse(argc, argv);
  help = p.help_requested();
  if (help) {
    std::fputs(p.help().c_str(), stdout);
    return {};
  }

  request r;
  r.file = file.get();
  r.synthetic = synthetic.get();
  r.dim = dim.get();
  r.k = k.get();
  r.ratio = ratio.get();
  r.solver_name = *solver;
  r.similarity_name = *similarity;
  r.policy_name = *policy;
  r.epsilon = epsilon.get();
  r.gamma = gamma.get();
  r.partition_size = partition_size.get();
  r.threads = threads.get();
  r.memory_limit_mib = memory_limit.get();
  r.seed = *seed;
  r.out = out.get();
  r.write_npy = write_npy.get();
  r.write_raw = write_raw.get();
  r.quiet = *quiet;

  // Flags that would have no effect are refused rather than ignored.
  const auto sampled = nacs::solver_epsilon_names();
  if (r.epsilon && std::find(sampled.begin(), sampled.end(), r.solver_name) == sampled.end())
    throw nacs_cli::usage_error("--epsilon applies to --solver " + nacs::join_names(sampled) + ", not " + r.solver_name);
  const auto gamma_names = nacs::similarity_gamma_names();
  if (r.gamma && std::find(gamma_names.begin(), gamma_names.end(), r.similarity_name) == gamma_names.end())
    throw nacs_cli::usage_error("--gamma applies to --similarity " + nacs::join_names(gamma_names) + ", not " +
                                r.similarity_name);
  const bool parallel = nacs::host_policy_table.parse(r.policy_name) == nacs::host_policy_kind::parallel;
  if (r.threads && !parallel)
    throw nacs_cli::usage_error("--threads applies to --policy par (seq always uses one thread)");
#if !defined(_OPENMP)
  if (parallel)
    throw nacs_cli::usage_error("--policy par needs OpenMP, and this nacs-greedy was built without it: use --policy seq");
#endif
  return r;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool starts_with_npy_magic(const std::string& path) {
  std::error_code ec;
  NACS_EXPECTS(!std::filesystem::is_directory(path, ec), nacs::errc::io,
               "FILE '" + path + "' is a directory: give a .npy or raw float32 file");
  std::ifstream in(path, std::ios::binary);
  NACS_EXPECTS(in.good(), nacs::errc::io, "cannot open '" + path + "' for reading: check the path");
  NACS_EXPECTS(in.peek() != std::ifstream::traits_type::eof(), nacs::errc::invalid_data,
               "FILE '" + path + "' is empty (0 bytes): give a .npy file, or raw float32 data with --dim");
  char magic[6] = {};
  in.read(magic, 6);
  return in.gcount() == 6 && std::string_view(magic, 6) == "\x93NUMPY";
}

// The embeddings: read from the file or generated. `source` says which, for the report.
nacs::matrix<float> load(const request& r, std::string& source) {
  if (r.synthetic) {
    const auto d = static_cast<std::size_t>(r.dim.value_or(100));
    const auto n = static_cast<std::size_t>(*r.synthetic);
    NACS_EXPECTS(n <= (std::size_t{1} << 40) / d, nacs::errc::invalid_argument,
                 "--synthetic " + std::to_string(n) + " --dim " + std::to_string(d) + " is too large");
    std::optional<std::size_t> limit;
    if (r.memory_limit_mib) limit = static_cast<std::size_t>(*r.memory_limit_mib) << 20;
    nacs::check_memory(n * d * sizeof(float), "--synthetic " + std::to_string(n) + " x " + std::to_string(d), limit);
    // The same values as the tests' nacs_ref::uniform_matrix<float>(n, d, seed).
    nacs::matrix<float> x(n, d);
    nacs::random_stream rng(r.seed);
    for (float& v : x.values()) v = static_cast<float>(rng.uniform());
    source = "synthetic";
    return x;
  }
  const std::string& path = *r.file;
  source = path;
  if (starts_with_npy_magic(path)) {
    nacs::matrix<float> x = nacs::read_npy<float>(path);
    NACS_EXPECTS(!r.dim || static_cast<std::size_t>(*r.dim) == x.cols(), nacs::errc::invalid_argument,
                 "--dim " + std::to_string(*r.dim) + " but '" + path + "' is a .npy file with " +
                     std::to_string(x.cols()) + " values per row: drop --dim (a .npy file knows its shape)");
    return x;
  }
  NACS_EXPECTS(r.dim.has_value(), nacs::errc::parse,
               "'" + path + "' is not a .npy file (no \\x93NUMPY magic); for raw little-endian float32 data give --dim D");
  return nacs::read_raw_f32<float>(path, static_cast<std::size_t>(*r.dim));
}

policy_choice make_policy(const request& r) {
#if defined(_OPENMP)
  if (nacs::host_policy_table.parse(r.policy_name) == nacs::host_policy_kind::parallel)
    return r.threads ? nacs::par.with_threads(*r.threads) : nacs::par;
#endif
  return nacs::seq;
}

int threads_of(const policy_choice& p) {
  return std::visit([](const auto& pol) { return nacs::thread_count(pol); }, p);
}

// Opened before the solve, so that a bad --out fails fast.
std::ofstream open_csv(const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  NACS_EXPECTS(out.good(), nacs::errc::io, "cannot open '" + path + "' for writing (--out): check the directory");
  return out;
}

void write_csv(std::ofstream& out, const std::string& path, const nacs::selection& s) {
  out << "index,gain,weight\n";
  for (std::size_t t = 0; t < s.size(); ++t)
    out << s.indices[t] << ',' << nacs_cli::json_number(s.gains[t]) << ',' << s.weights[t] << '\n';
  out.flush();
  NACS_EXPECTS(out.good(), nacs::errc::io, "writing '" + path + "' failed (disk full?)");
}

void write_raw_f32(const std::string& path, const nacs::matrix<float>& x) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  NACS_EXPECTS(out.good(), nacs::errc::io, "cannot open '" + path + "' for writing (--write-raw)");
  out.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.values().size() * sizeof(float)));
  out.flush();
  NACS_EXPECTS(out.good(), nacs::errc::io, "writing '" + path + "' failed (disk full?)");
}

int run(int argc, const char* const* argv) {
  bool help = false;
  const request r = parse_command_line(argc, argv, help);
  if (help) return nacs_cli::exit_ok;
  const auto info = [&](const std::string& line) {
    if (!r.quiet) std::fprintf(stderr, "%s: %s\n", program.c_str(), nacs_cli::printable(line).c_str());
  };

  const auto t_read = std::chrono::steady_clock::now();
  std::string source;
  const nacs::matrix<float> x = load(r, source);
  const double read_seconds = seconds_since(t_read);
  const auto n = static_cast<nacs::row_index>(x.rows());
  const auto d = static_cast<std::int64_t>(x.cols());
  nacs_cli::file_log files;  // a matrix has no rows to skip: all are read or the file is refused
  if (r.file) files.add_plain("FILE", *r.file, n);
  {
    std::ostringstream os;
    os << (r.synthetic ? "generated " : "read ") << n << " x " << d << (r.synthetic ? "" : " from '" + source + "'")
       << " in " << read_seconds << " s";
    info(os.str());
  }
  if (r.write_npy) nacs::write_npy<float>(*r.write_npy, x.view());
  if (r.write_raw) write_raw_f32(*r.write_raw, x);

  nacs::row_index k = 0;
  if (r.k) {
    k = *r.k;
    NACS_EXPECTS(k <= n, nacs::errc::invalid_argument,
                 "--k " + std::to_string(k) + " is more than the " + std::to_string(n) + " rows of the input: lower --k");
  } else {
    // The library's rule: floor(R * N), forgiving the rounding of R (0.29 * 100 is 29); --ratio 1 takes every row,
    // and a ratio under one row still picks one.
    k = nacs::budget_from_ratio(*r.ratio, n, {.allow_all = true, .at_least_one = true});
  }

  const nacs::similarity_choice sim = nacs::make_similarity(r.similarity_name, r.gamma);
  const nacs::solver_choice solver = nacs::make_solver(r.solver_name, r.epsilon.value_or(1e-3), r.seed);
  const policy_choice policy = make_policy(r);
  nacs::partition_options opts;
  opts.partition_size = r.partition_size;
  if (r.memory_limit_mib) opts.memory_limit = static_cast<std::size_t>(*r.memory_limit_mib) << 20;
  // Progress on long partitioned solves: at most one line every 2 seconds.
  auto last_report = std::chrono::steady_clock::now();
  if (!r.quiet)
    opts.on_progress = [&](const nacs::partition_progress& pr) {
      const auto now = std::chrono::steady_clock::now();
      if (pr.solved == pr.total || now - last_report < std::chrono::seconds(2)) return;
      last_report = now;
      info("solved " + std::to_string(pr.solved) + " of " + std::to_string(pr.total) + " partitions, " +
           std::to_string(pr.picks) + " picks so far");
    };

  std::ofstream csv;
  if (r.out) csv = open_csv(*r.out);

  nacs::selection sel;
  double solve_seconds = 0.0;
  std::string sim_text, solver_text;
  std::visit(
      [&](const auto& pol, const auto& s, const auto& sv) {
        const auto obj = nacs::facility_location{x.view(), s};
        std::ostringstream os;
        os << s;
        sim_text = os.str();
        os.str("");
        os << sv;
        solver_text = os.str();
        try {
          const std::size_t bytes = nacs::memory_needed(pol, obj, k, sv, opts);
          std::ostringstream msg;
          msg << "picking " << k << " of " << n << " rows: " << solver_text << ", " << r.policy_name << " ("
              << nacs::thread_count(pol) << " thread(s)), " << sim_text << ", "
              << (r.partition_size ? "partitions of <= " + std::to_string(*r.partition_size) + " rows"
                                   : std::string("one partition"))
              << ", planned memory " << nacs::format_bytes(bytes);
          info(msg.str());
          const auto t0 = std::chrono::steady_clock::now();
          sel = nacs::maximize_partitioned(pol, obj, k, sv, opts);
          solve_seconds = seconds_since(t0);
        } catch (const nacs::error& e) {
          if (e.code() != nacs::errc::memory_limit) throw;
          // Said with this program's flags (the general translation has no --partition-size).
          throw nacs::error(e.code(), nacs_cli::user_terms(e.message(), {{"use smaller partitions, or raise the limit "
                                                                          "(nacs::set_memory_limit or the call's "
                                                                          "memory_limit option)",
                                                                          "lower --partition-size or raise "
                                                                          "--memory-limit"}}));
        }
      },
      policy, sim, solver);
  {
    std::ostringstream os;
    os << "done in " << solve_seconds << " s: F(S) = " << sel.objective << ", " << sel.evaluations
       << " gain evaluations, " << sel.partitions.size() << " partition(s)";
    info(os.str());
  }
  const nacs::row_index lost = sel.unrepresented_rows();
  if (lost > 0 && k > 0) {
    // Not an error (the picks are still the best for their partitions), but
    // the weights no longer sum to N: say so even under --quiet.
    std::ostringstream os;
    os << program << ": note: " << lost << " of " << n << " rows lie in partitions that got no pick (k = " << k
       << " for " << sel.partitions.size() << " partitions), so no pick's weight counts them; "
       << "use --partition-size of at least " << (n + k - 1) / k << " to give every partition a pick\n";
    std::fputs(os.str().c_str(), stderr);
  }
  if (r.out) write_csv(csv, *r.out, sel);

  const auto sampled = nacs::solver_epsilon_names();
  nacs_cli::json_object j;
  j.add("n", n)
      .add("d", d)
      .add("k", k)
      .add("solver", r.solver_name)
      .add("policy", r.policy_name)
      .add("similarity", r.similarity_name)
      .add("objective", sel.objective)
      .add("seconds", solve_seconds)
      .add("threads", threads_of(policy))
      .add("epsilon", std::find(sampled.begin(), sampled.end(), r.solver_name) != sampled.end()
                          ? std::optional<double>(r.epsilon.value_or(1e-3))
                          : std::nullopt)
      .add("gamma", r.gamma)
      .add("seed", r.seed)
      .add("partition_size", r.partition_size)
      .add("partitions", static_cast<std::int64_t>(sel.partitions.size()))
      .add("evaluations", sel.evaluations)
      .add("unrepresented_rows", lost)
      .add("memory_bytes", static_cast<std::uint64_t>(sel.memory_bytes))
      .add("input", source)
      .add("read_seconds", read_seconds)
      .add("rows_skipped", std::int64_t{0})
      .add("files", files.json());
  if (!nacs_cli::print_json_line(stdout, j)) {
    std::fprintf(stderr, "%s: writing to stdout failed\n", program.c_str());
    return nacs_cli::exit_failure;
  }
  return nacs_cli::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  return nacs_cli::guarded_main(program, [&] { return run(argc, argv); },
                                "use smaller partitions (--partition-size) or less data, or set --memory-limit so "
                                "that a solve too large is refused before it allocates");
}
