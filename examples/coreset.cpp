// SPDX-License-Identifier: Apache-2.0
// nacs-coreset: selects a small, weighted, denoised coreset of a CTR data set with NaCS (or a
// baseline), writes it, and optionally trains a fresh model on it against the same number of
// random rows. Prints progress on stderr and one JSON line on stdout. See --help.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/data/load.hpp>
#include <nacs/data/synthetic.hpp>
#include <nacs/execution.hpp>
#include <nacs/io/coreset_file.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/auto.hpp>
#include <nacs/pipeline/config.hpp>
#include <nacs/pipeline/coreset.hpp>
#include <nacs/pipeline/final.hpp>

#include "common/cli.hpp"
#include "common/data_flags.hpp"
#include "common/json.hpp"

namespace {

const std::string program = "nacs-coreset";

#if defined(_OPENMP)
using policy_choice = std::variant<nacs::sequenced_policy, nacs::parallel_policy>;
#else
using policy_choice = std::variant<nacs::sequenced_policy>;
#endif

const char* const summary =
    "Selects a coreset of a click-through-rate data set: k = floor(--ratio x N) training rows with\n"
    "weights and targets. By default (--method auto) it builds the coreset of each candidate method\n"
    "(--auto-candidates), trains a model on each and keeps the one that validates best; --method nacs\n"
    "is the paper's NaCS (facility location over Adam-adjusted head gradients in --rounds rounds,\n"
    "progressive label self-correction, then an uncertainty filter that removes the --remove-rate\n"
    "share of the least trustworthy picks); the other methods are baselines and importance samples\n"
    "(docs/methods.md).\n"
    "The data is a file (--data with --format, split 8:1:1 with --seed unless --valid/--test are\n"
    "given) or --synthetic N rows of nacs's Criteo-shaped benchmark with planted label noise.\n"
    "--evaluate trains a fresh model on the coreset and, as controls, on as many random rows and as\n"
    "many class-balanced random rows, and reports the test AUCs (with --synthetic also against the\n"
    "clean labels); --evaluate-full adds a model\n"
    "trained on every training row. Progress goes to stderr; one JSON line to stdout.";

const char* const epilog =
    "Examples:\n"
    "  nacs-coreset --synthetic 200000 --ratio 0.01 --evaluate\n"
    "  nacs-coreset --data train.csv --format criteo --valid dev.csv --test test.csv --ratio 0.05 \\\n"
    "      --out coreset.csv --emit coreset.tsv --evaluate\n"
    "  nacs-coreset --data clicks.csv --format csv --label click --columns site,app --method random-balanced\n"
    "  nacs-train --data train.csv --format criteo --valid dev.csv --test test.csv --rows-file coreset.csv\n"
    "\n"
    "--out writes CSV with the header row,weight,label: per chosen row its 0-based index among the\n"
    "training rows (the rows of --data as read when --valid or --test is given, else the training\n"
    "part of the split, in file order), its weight gamma (mean 1) and its corrected label q;\n"
    "nacs-train --rows-file reads it. --emit writes the chosen rows in the input's own format (the\n"
    "lines of --data as they are, after its header; with --synthetic a CSV label,f0,... of ids),\n"
    "in file order, without weights or corrected labels, for any other trainer.\n"
    "\n"
    "JSON keys: ratio, method, filter, rows (N), rows_selected (k), selection_seconds (rounds and\n"
    "filter, without reading or evaluating), scoring_seconds, embedding_seconds, greedy_seconds,\n"
    "training_seconds, filter_seconds, rows_scored, partitions_solved, rows_removed, rounds,\n"
    "candidate_share, round_epochs, preset and partitions (the settings a --preset chose, or the flags),\n"
    "model and selection_model,\n"
    "peak_bytes_planned, peak_rss_bytes, rows_skipped and files (rows read and skipped per file);\n"
    "the coreset's shape: base_positive_share and coreset_positive_share (labels >= 0.5 among the\n"
    "training rows and the coreset), coreset_target_mean (mean q), weight_max_over_mean and\n"
    "weight_ess_share ((sum gamma)^2 / sum gamma^2 / k: 1 for equal weights);\n"
    "rows_trained_selection (rows the selection's models trained on, over epochs), pilot_rows,\n"
    "importance_weights, prior_correction; --method auto: auto_choice, auto_candidates (each\n"
    "candidate's method, valid_auc, seconds, selection_seconds, and with --evaluate test_auc and\n"
    "test_logloss), auto_seconds;\n"
    "--evaluate: test_auc, test_logloss, valid_auc, random_test_auc, random_test_logloss,\n"
    "random_valid_auc, balanced_test_auc, balanced_test_logloss, balanced_valid_auc, correction\n"
    "and offset_mean (the logit offsets trained with), final_weights_used\n"
    "(none or gamma: what --final-weights trained the tested model with); --evaluate-full:\n"
    "full_test_auc, full_test_logloss; --synthetic: base_flip_share (flipped labels among the\n"
    "training rows), selected_flip_share, removed_flip_share (among the rows the filter removed),\n"
    "coreset_flip_share, and with --evaluate clean_test_auc, random_clean_test_auc (and\n"
    "full_clean_test_auc): the AUCs against the clean labels.\n"
    "\n"
    "Exit status: 0 on success, 1 when the data or the run failed, 2 for a bad command line.";

// The data flags' values (data_request: files, reading, --synthetic) and the rest.
struct request : nacs_cli::data_request {
  std::optional<std::string> out, emit, solver, embedding, selection_model;
  std::optional<nacs::row_index> partition_size;
  std::string method, filter, trust, model, policy_name, partitions, horizon, preset = "default";
  std::string final_weights = "method", final_targets = "corrected", selection_weights = "none";
  std::string pilot_sample = "uniform", prior_correction = "on";
  std::optional<std::string> pilot_model, auto_candidates;
  std::optional<int> threads;
  std::optional<std::int64_t> memory_limit_mib;
  std::size_t rounds = 0, round_epochs = 1, passes = 10, epochs = 10, batch_size = 0, patience = 1, embedding_dim = 10;
  std::vector<std::size_t> mlp;
  double ratio = 0.01, remove_rate = 0.1, epsilon = 1e-3, trust_value = 1.0, dropout = 0.5, lr = 0.01;
  double weight_decay = 0.0, candidate_share = 1.0, positive_share = 0.5, pilot_share = 0.0, weight_clip = 10.0;
  double auto_logloss_slack = nacs::auto_options{}.logloss_slack;
  std::uint64_t seed = 0;
  bool evaluate = false, evaluate_full = false, quiet = false;
};

using nacs_cli::choices;
using nacs_cli::parse_sizes;

// The method names --method takes: the library's selection methods and the automatic choice.
std::vector<std::string> method_choices() {
  auto v = choices(nacs::method_names());
  v.emplace_back(nacs::auto_method_name);
  return v;
}

std::string joined(std::span<const std::string_view> names) {
  std::string s;
  for (const auto n : names) {
    if (!s.empty()) s.push_back(',');
    s.append(n);
  }
  return s;
}

request parse_command_line(int argc, const char* const* argv, bool& help) {
  nacs_cli::parser p(program, summary);
  p.epilog(epilog);
  // Data.
  const nacs_cli::data_flags data(p, {.generator = nacs_cli::generator_kind::benchmark,
                                      .synthetic_help = "generate N rows of the Criteo-shaped synthetic benchmark",
                                      .test_help = "test file (--evaluate); else a split of --data"});
  // Selection.
  auto ratio = p.flag<double>("ratio", "R", "keep k = floor(R x N) training rows",
                              {.default_value = 0.01, .min = 0.0, .min_exclusive = true, .max = 1.0, .max_exclusive = true});
  auto method = p.flag<std::string>(
      "method", "NAME",
      "selection method; auto (the default): build the coreset of each --auto-candidates method, train a model on "
      "each, keep the one with the best validation AUC (needs validation rows); nacs: NaCS (the paper's method "
      "under --preset paper)",
      {.default_value = std::string(nacs::auto_method_name), .choices = method_choices()});
  auto auto_candidates = p.flag<std::string>(
      "auto-candidates", "LIST",
      "--method auto: comma list of candidates (default " + joined(nacs::default_auto_candidates()) + "; any of " +
          joined(nacs::auto_candidate_names()) +
          "; nacs is --method nacs under the default preset, nacs-paper under --preset paper, nacs-cb the paper's with "
          "--partitions class-balanced, nacs-cb-unit the same as nacs)");
  auto auto_slack = p.flag<double>(
      "auto-logloss-slack", "SE",
      "--method auto: only candidates whose validation log loss is within SE standard errors of the lowest "
      "compete on AUC (a large value: AUC alone)",
      {.default_value = nacs::auto_options{}.logloss_slack, .min = 0.0});
  auto positive_share = p.flag<double>("positive-share", "S", "negsample: share of positives among the kept rows",
                                       {.default_value = 0.5, .min = 0.0, .min_exclusive = true, .max = 1.0, .max_exclusive = true});
  auto pilot_share = p.flag<double>(
      "pilot-share", "S", "lcc, osmac, sensitivity: the pilot model's rows as a share of N (0: as many as the coreset)",
      {.default_value = 0.0, .min = 0.0, .max = 1.0, .max_exclusive = true});
  auto pilot_sample = p.flag<std::string>("pilot-sample", "HOW", "lcc, osmac, sensitivity: how the pilot's rows are drawn",
                                          {.default_value = "uniform", .choices = choices(nacs::pilot_sample_names())});
  auto pilot_model = p.flag<std::string>("pilot-model", "NAME",
                                         "lcc, osmac, sensitivity: the pilot's model (default: the selection model)",
                                         {.choices = choices(nacs::model_names())});
  auto weight_clip = p.flag<double>("weight-clip", "C",
                                    "osmac, sensitivity: largest importance weight, in units of N / k",
                                    {.default_value = 10.0, .min = 1.0});
  auto preset = p.flag<std::string>(
      "preset", "NAME",
      "default: for --method nacs, --embedding unit and --partitions class-balanced (measured best on real data; "
      "docs/results.md), else paper; paper: the paper's method; "
      "large: the configuration measured best at 1 M rows (synthetic data; docs/log/results.md): "
      "--candidate-share max(0.1, 4 x R, R / (1 - remove rate)), --partitions class-balanced, --embedding plain, "
      "--round-epochs 0, --final-weights auto; "
      "flags given explicitly override it",
      {.default_value = "default", .choices = choices(nacs::preset_names())});
  auto rounds = p.flag<std::int64_t>("rounds", "R", "selection rounds (0: 3 for ratios <= 1 %, else 5)",
                                     {.default_value = 0, .min = 0, .max = 1000});
  auto round_epochs = p.flag<std::int64_t>(
      "round-epochs", "E",
      "nacs: epochs the selection model trains on the rows chosen so far after each round (1: the paper); 0: none, "
      "every round embeds with the model as initialised (the early-stopped phase after the rounds stays)",
      {.default_value = 1, .min = 0, .max = 1000});
  auto partition_size = p.flag<nacs::row_index>("partition-size", "P", "rows per facility-location partition (default 4096)",
                                                {.min = 2});
  auto candidate_share = p.flag<double>(
      "candidate-share", "S",
      "share of the rows that are candidates in each round: whole partitions drawn afresh per round; 1: every row "
      "(the paper), the authors' code draws about 0.09; cuts scoring and similarity time in proportion",
      {.default_value = 1.0, .min = 0.0, .min_exclusive = true, .max = 1.0});
  auto partitions = p.flag<std::string>("partitions", "MODE", "random partitions (paper) or class-balanced (authors' code)",
                                        {.default_value = "random", .choices = choices(nacs::partition_mode_table.names())});
  auto solver = p.flag<std::string>("solver", "NAME", "greedy solver (default: the method's own; nacs: lazier, which picks what stochastic picks with fewer gain evaluations)",
                                    {.choices = choices(nacs::solver_names())});
  auto epsilon = p.flag<double>("epsilon", "E", "stochastic and lazier greedy's epsilon",
                                {.default_value = 1e-3, .min = 0.0, .min_exclusive = true, .max = 1.0, .max_exclusive = true});
  auto embedding = p.flag<std::string>("embedding", "NAME", "gradient embedding (default: the method's own; nacs: unit under --preset default, adam under --preset paper)",
                                       {.choices = choices(nacs::embedding_names())});
  auto trust = p.flag<std::string>("trust", "NAME", "global trust of the label self-correction",
                                   {.default_value = "sigmoid", .choices = choices(nacs::trust_names())});
  auto trust_value = p.flag<double>("trust-value", "G", "--trust constant: its value", {.default_value = 1.0, .min = 0.0, .max = 1.0});
  auto horizon = p.flag<std::string>("horizon", "NAME",
                                     "T of the trust schedule: planned steps of the selection model (paper) or full-data steps (authors)",
                                     {.default_value = "planned", .choices = choices(nacs::trust_horizon_table.names())});
  auto selection_weights = p.flag<std::string>(
      "selection-weights", "MODE", "train the selection-phase model unweighted (none: the paper) or with the weights gamma",
      {.default_value = "none", .choices = choices(nacs::selection_weighting_table.names())});
  auto final_weights = p.flag<std::string>(
      "final-weights", "MODE",
      "--evaluate: train the coreset's model unweighted (none: the paper), with the weights gamma, both ways "
      "and test the one with the better validation AUC (auto; needs validation rows), or as the method says "
      "(method: with the importance weights of osmac and sensitivity, else unweighted)",
      {.default_value = "method", .choices = choices(nacs::final_weighting_names())});
  auto prior_correction = p.flag<std::string>(
      "prior-correction", "MODE",
      "--evaluate: train with logit offsets so predictions are on the data's click rate (on: the method's offsets, "
      "else the class-prior shift of a rebalanced coreset; it moves log loss, not AUC)",
      {.default_value = "on", .choices = choices(nacs::prior_correction_table.names())});
  auto final_targets = p.flag<std::string>(
      "final-targets", "MODE", "--evaluate: train the coreset's model on the corrected labels q, or on the given labels",
      {.default_value = "corrected", .choices = choices(nacs::final_targets_table.names())});
  auto filter = p.flag<std::string>(
      "filter", "NAME",
      "uncertainty filter (default: the method's own: none for random, random-balanced, negsample, lcc, osmac and "
      "sensitivity, mcdropout for the others; --method auto: each candidate's own)",
      {.choices = choices(nacs::filter_names())});
  auto remove_rate = p.flag<double>("remove-rate", "R", "mcdropout, tce: share of selected rows removed",
                                    {.default_value = 0.1, .min = 0.0, .max = 1.0, .max_exclusive = true});
  auto passes = p.flag<std::int64_t>("passes", "N", "mcdropout: Monte-Carlo dropout passes", {.default_value = 10, .min = 2, .max = 10000});
  // Models.
  auto model = p.flag<std::string>("model", "NAME", "the selection-phase model and the evaluated ones",
                                   {.default_value = "deepfm", .choices = choices(nacs::model_names())});
  auto selection_model = p.flag<std::string>(
      "selection-model", "NAME",
      "the selection-phase model (embeddings, corrected labels, filter) when it is not --model; the evaluated "
      "models stay --model (default: --model)",
      {.choices = choices(nacs::model_names())});
  auto epochs = p.flag<std::int64_t>("epochs", "E", "maximum epochs of the early-stopped training phases",
                                     {.default_value = 10, .min = 1, .max = 100000});
  auto batch = p.flag<std::int64_t>("batch-size", "B", "rows per mini-batch (0: the rule for the rows trained on, see nacs-train)",
                                    {.default_value = 0, .min = 0, .max = 1 << 24});
  auto lr = p.flag<double>("lr", "LR", "Adam learning rate", {.default_value = 0.01, .min = 0.0, .min_exclusive = true});
  auto wd = p.flag<double>("weight-decay", "L", "Adam weight decay", {.default_value = 0.0, .min = 0.0});
  auto patience = p.flag<std::int64_t>("patience", "P", "early stopping: epochs without a better validation AUC",
                                       {.default_value = 1, .min = 0, .max = 100000});
  auto dim = p.flag<std::int64_t>("embedding-dim", "D", "embedding width", {.default_value = 10, .min = 1, .max = 4096});
  auto mlp = p.flag<std::string>("mlp", "SIZES", "hidden sizes (default 100,100,100)");
  auto dropout = p.flag<double>("dropout", "R", "dropout rate of the MLP blocks",
                                {.default_value = 0.5, .min = 0.0, .max = 1.0, .max_exclusive = true});
  // Run and outputs.
  auto seed = p.flag<std::uint64_t>("seed", "S", "seed of the split, --synthetic, the models and every draw", {.default_value = 0});
  auto policy = p.flag<std::string>("policy", "NAME", "seq: one thread; par: OpenMP threads (same result)",
                                    {.default_value = "par", .choices = choices(nacs::host_policy_table.names())});
  auto threads = p.flag<int>("threads", "T", "par: number of threads (default: OpenMP's)", {.min = 1, .max = 4096});
  auto out = p.flag<std::string>("out", "FILE", "write the coreset as CSV: row,weight,label");
  auto emit = p.flag<std::string>("emit", "FILE", "write the chosen rows in the input's own format");
  auto evaluate = p.flag_switch("evaluate", "train a fresh model on the coreset and on as many random rows; test both");
  auto evaluate_full = p.flag_switch("evaluate-full", "also train one on every training row (implies --evaluate)");
  auto memory_limit = p.flag<std::int64_t>(
      "memory-limit", "MIB", "refuse, before allocating, a selection that needs more than MIB MiB (default: 3/4 of RAM)",
      {.min = 1, .max = std::int64_t{1} << 40});
  auto quiet = p.flag_switch("quiet", "print nothing on stderr but errors");
  p.parse(argc, argv);
  help = p.help_requested();
  if (help) {
    std::fputs(p.help().c_str(), stdout);
    return {};
  }
  request r;
  r.out = out.get();
  r.emit = emit.get();
  r.solver = solver.get();
  r.embedding = embedding.get();
  r.partition_size = partition_size.get();
  r.method = *method;
  if (filter.given() && *method == nacs::auto_method_name)
    throw nacs_cli::usage_error("--filter does not apply to --method auto: each candidate runs with its own filter");
  r.filter = filter.given() ? *filter.get()
             : *method == nacs::auto_method_name ? std::string("per-candidate")
                                                 : std::string(nacs::default_filter(*method));
  r.trust = *trust;
  r.model = *model;
  r.selection_model = selection_model.get();
  r.policy_name = *policy;
  r.partitions = *partitions;
  r.horizon = *horizon;
  r.selection_weights = *selection_weights;
  r.final_weights = *final_weights;
  r.final_targets = *final_targets;
  r.prior_correction = *prior_correction;
  r.pilot_sample = *pilot_sample;
  r.pilot_model = pilot_model.get();
  r.auto_candidates = auto_candidates.get();
  r.auto_logloss_slack = *auto_slack;
  if (auto_slack.given() && *method != nacs::auto_method_name)
    throw nacs_cli::usage_error("--auto-logloss-slack applies to --method auto");
  r.positive_share = *positive_share;
  r.pilot_share = *pilot_share;
  r.weight_clip = *weight_clip;
  r.threads = threads.get();
  r.memory_limit_mib = memory_limit.get();
  r.rounds = static_cast<std::size_t>(*rounds);
  r.round_epochs = static_cast<std::size_t>(*round_epochs);
  r.passes = static_cast<std::size_t>(*passes);
  r.epochs = static_cast<std::size_t>(*epochs);
  r.batch_size = static_cast<std::size_t>(*batch);
  r.patience = static_cast<std::size_t>(*patience);
  r.embedding_dim = static_cast<std::size_t>(*dim);
  r.mlp = mlp.given() ? parse_sizes(*mlp.get()) : std::vector<std::size_t>{100, 100, 100};
  r.ratio = *ratio;
  r.candidate_share = *candidate_share;
  r.remove_rate = *remove_rate;
  r.epsilon = *epsilon;
  r.trust_value = *trust_value;
  r.dropout = *dropout;
  r.lr = *lr;
  r.weight_decay = *wd;
  r.seed = *seed;
  r.evaluate = *evaluate || *evaluate_full;
  r.evaluate_full = *evaluate_full;
  r.quiet = *quiet;

  // A preset fills the flags it names that were not given (nacs::apply_preset).
  r.preset = *preset;
  if (nacs::parse_preset(r.preset) != nacs::coreset_preset::paper) {
    nacs::coreset_config c;
    c.method = r.method;
    c.filter = r.filter;
    c.remove_rate = r.remove_rate;
    nacs::coreset_options o;
    o.ratio = r.ratio;
    nacs::final_options f;
    nacs::apply_preset(nacs::parse_preset(r.preset), c, o, f);
    if (!embedding.given() && !c.embedding.empty()) r.embedding = c.embedding;
    if (!candidate_share.given()) r.candidate_share = o.candidate_share;
    if (!round_epochs.given()) r.round_epochs = o.round_epochs;
    if (!partitions.given()) r.partitions = nacs::to_string(o.partitions);
    if (!final_weights.given()) r.final_weights = nacs::to_string(f.weights);
  }

  // The data flags' own checks, before those that combine them with the other flags.
  static_cast<nacs_cli::data_request&>(r) = data.get();
  if (trust_value.given() && r.trust != "constant") throw nacs_cli::usage_error("--trust-value applies to --trust constant");
  if (r.method != nacs::auto_method_name &&
      ((remove_rate.given() && r.filter != "mcdropout" && r.filter != "tce") || (passes.given() && r.filter != "mcdropout")))
    throw nacs_cli::usage_error("--remove-rate applies to --filter mcdropout or tce, --passes to --filter mcdropout");
  if (r.evaluate && r.valid && !r.test) throw nacs_cli::usage_error("--evaluate needs test rows: give --test as well");
  if (r.evaluate && r.split_given && r.split_test <= 0)
    throw nacs_cli::usage_error("--evaluate needs test rows: give the split a test share");
  if (r.auto_candidates && r.method != nacs::auto_method_name)
    throw nacs_cli::usage_error("--auto-candidates applies to --method auto");
  if (r.auto_candidates)
    for (const auto& c : nacs_cli::split_list(*r.auto_candidates, ','))
      if (!nacs::auto_candidate_table.contains(c))
        throw nacs_cli::usage_error("--auto-candidates: unknown candidate '" + c + "': use any of " +
                                    joined(nacs::auto_candidate_names()));
  const bool parallel = nacs::host_policy_table.parse(r.policy_name) == nacs::host_policy_kind::parallel;
  if (r.threads && !parallel) throw nacs_cli::usage_error("--threads applies to --policy par");
#if !defined(_OPENMP)
  if (parallel)
    throw nacs_cli::usage_error("--policy par needs OpenMP, and this nacs-coreset was built without it: use --policy seq");
#endif
  return r;
}

policy_choice make_policy(const request& r) {
#if defined(_OPENMP)
  if (nacs::host_policy_table.parse(r.policy_name) == nacs::host_policy_kind::parallel)
    return r.threads ? nacs::par.with_threads(*r.threads) : nacs::par;
#endif
  return nacs::seq;
}

nacs::model_config model_config_of(const request& r, const std::string& name) {
  nacs::model_config cfg;
  cfg.embedding_dim = r.embedding_dim;
  cfg.mlp = r.mlp;
  cfg.mlp2 = r.mlp;
  cfg.dropout = r.dropout;
  cfg.seed = r.seed;
  return nacs::with_kind(cfg, nacs::parse_model_kind(name));
}

// A file that cannot be written fails before the selection, not after it.
void check_writable(const std::optional<std::string>& path, const char* flag) {
  if (!path) return;
  std::ofstream probe(*path, std::ios::binary | std::ios::app);
  NACS_EXPECTS(probe.good(), nacs::errc::io,
               "cannot open '" + *path + "' for writing (" + flag + "): check the directory");
}

std::int64_t peak_rss_bytes() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return -1;
  return static_cast<std::int64_t>(u.ru_maxrss) * 1024;  // Linux reports KiB
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

int run(int argc, const char* const* argv) {
  bool help = false;
  const request r = parse_command_line(argc, argv, help);
  if (help) return nacs_cli::exit_ok;
  const auto info = [&](const std::string& line) {
    if (!r.quiet) std::fprintf(stderr, "%s: %s\n", program.c_str(), nacs_cli::printable(line).c_str());
  };
  check_writable(r.out, "--out");
  check_writable(r.emit, "--emit");
  if (r.memory_limit_mib) nacs::set_memory_limit(static_cast<std::size_t>(*r.memory_limit_mib) << 20);
  const policy_choice policy = make_policy(r);
  return std::visit([&](const auto& pol) {
    // ---------------------------------------------------------------- data
    const auto t_read = std::chrono::steady_clock::now();
    const nacs::split_options split = r.split(r.seed);
    nacs::loaded_data d;
    if (r.synthetic) {
      nacs::synthetic_options g = nacs::ctr_benchmark_preset(*r.synthetic, 0.0, r.seed);
      if (r.fields) {
        g.vocabulary_sizes.clear();
        g.fields = *r.fields;
        g.vocabulary_size = *r.vocabulary_size;
      }
      g.flip_positive = r.flip_positive;
      g.flip_negative = r.flip_negative;
      d = nacs::load_synthetic(pol, g, split);
      std::ostringstream os;
      os << "generated " << *r.synthetic << " synthetic rows of " << g.fields << " fields, " << d.truth->flipped
         << " labels flipped (positives " << g.flip_positive << ", negatives " << g.flip_negative
         << "); the hidden model's AUC: " << d.truth->oracle_auc << " on the clean labels, " << d.truth->noisy_oracle_auc
         << " on the noisy ones";
      info(os.str());
    } else {
      nacs::load_options o =
          nacs_cli::load_options_of(r, split, nacs_cli::progress_printer(program, r.quiet, r.progress_lines));
      o.keep_origins = r.emit.has_value();
      o.on_report = [&](const nacs::parse_report& rep) { info(rep.summary()); };
      d = nacs::load_ctr_data(pol, o);
      std::uint64_t ids = 0;
      for (const auto c : d.train.cardinalities) ids += c;
      info("vocabulary (min count " + std::to_string(r.min_count) + "): " + std::to_string(d.train.num_fields()) +
           " fields, " + std::to_string(ids) + " ids in all");
    }
    const double read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_read).count();
    info("rows: " + std::to_string(d.train.rows()) + " train, " + std::to_string(d.valid.rows()) + " valid, " +
         std::to_string(d.test.rows()) + " test (" + seconds_text(read_seconds) + ")");
    if (d.valid_from_data > 0)
      info("validation: " + std::to_string(d.valid_from_data) +
           " rows of --data drawn with --seed (a 9:1 split: only --test was given; --valid FILE uses a file instead)");
    NACS_EXPECTS(!r.evaluate || d.test.rows() > 0, nacs::errc::invalid_data,
                 "--evaluate needs test rows, and the test part is empty: use more data or a larger test share");
    std::optional<nacs::evaluation_set> valid;
    if (d.valid.rows() > 0) valid = nacs::evaluation_set{&d.valid};
    // train_on_coreset would refuse it too, but only after the selection: say so before it.
    const bool weights_on_validation =
        nacs::parse_final_weighting(r.final_weights) == nacs::final_weighting::best_on_validation;
    NACS_EXPECTS(!r.evaluate || !weights_on_validation || valid, nacs::errc::invalid_data,
                 "--final-weights auto chooses the weighting on validation AUC, and there are no validation rows: give "
                 "--valid, a split with a validation share, or --final-weights none|gamma");
    NACS_EXPECTS(r.method != nacs::auto_method_name || valid, nacs::errc::invalid_data,
                 "--method auto chooses among its candidates on validation AUC, and there are no validation rows: give "
                 "--valid, a split with a validation share, or name a method with --method");
    const nacs::row_index n = d.train.rows();
    const nacs::row_index k = nacs::budget_from_ratio(r.ratio, n);

    // ----------------------------------------------------------- selection
    nacs::coreset_config cfg;
    cfg.method = r.method;
    cfg.filter = r.method == nacs::auto_method_name ? std::string() : r.filter;
    cfg.trust = r.trust;
    cfg.embedding = r.embedding.value_or("");
    cfg.solver = r.solver.value_or("");
    cfg.epsilon = r.epsilon;
    cfg.remove_rate = r.remove_rate;
    cfg.passes = r.passes;
    cfg.trust_value = r.trust_value;
    cfg.positive_share = r.positive_share;
    cfg.pilot_share = r.pilot_share;
    cfg.pilot_sample = r.pilot_sample;
    cfg.pilot_model = r.pilot_model.value_or("");
    cfg.weight_clip = r.weight_clip;
    nacs::coreset_options opt;
    opt.ratio = r.ratio;
    opt.k = k;
    opt.rounds = r.rounds;
    opt.round_epochs = r.round_epochs;
    opt.partition_size = r.partition_size;
    opt.candidate_share = r.candidate_share;
    opt.partitions = nacs::partition_mode_table.parse(r.partitions);
    opt.horizon = nacs::trust_horizon_table.parse(r.horizon);
    opt.model = model_config_of(r, r.selection_model.value_or(r.model));
    opt.adam = {.learning_rate = r.lr, .weight_decay = r.weight_decay};
    opt.train.batch_size = r.batch_size;
    opt.train.epochs = r.epochs;
    opt.train.patience = r.patience;
    opt.seed = r.seed;
    opt.weighted_training = nacs::selection_weighting_table.parse(r.selection_weights);
    // A line when a round starts, when training, the filter or the end begins, and otherwise (scoring and
    // greedy alternate partition by partition) at most one every two seconds.
    auto last_line = std::chrono::steady_clock::now();
    std::string last_step;
    if (!r.quiet)
      opt.on_progress = [&](const nacs::pipeline_progress& p) {
        const auto now = std::chrono::steady_clock::now();
        const bool partition_work = p.phase == nacs::pipeline_phase::scoring || p.phase == nacs::pipeline_phase::selecting;
        const std::string step = std::to_string(p.round) + (partition_work ? "" : std::string(nacs::to_string(p.phase)));
        if (step == last_step && now - last_line < std::chrono::seconds(2)) return;
        last_line = now;
        last_step = step;
        std::ostringstream os;
        if (p.round > 0) os << "round " << p.round << "/" << p.rounds << " ";
        os << nacs::to_string(p.phase) << ": " << p.rows_scored << " rows scored, " << p.partitions_solved
           << " partitions solved";
        if (p.partitions_total > 0) os << " (" << p.partitions_total << " this round)";
        os << ", " << p.selected << " rows selected (" << seconds_text(p.seconds) << ")";
        info(os.str());
      };
    nacs::final_options fo;
    fo.model = model_config_of(r, r.model);
    fo.adam = opt.adam;
    fo.train.batch_size = r.batch_size;
    fo.train.epochs = r.epochs;
    fo.train.patience = r.patience;
    fo.train.seed = r.seed;
    fo.weights = nacs::parse_final_weighting(r.final_weights);
    fo.use_targets = nacs::final_targets_table.parse(r.final_targets);
    fo.prior_correction = nacs::prior_correction_table.parse(r.prior_correction);
    if (d.truth) fo.clean_test_labels = d.truth->test.clean_labels;
    const nacs::evaluation_set test{&d.test};
    char ratio_text[32];
    std::snprintf(ratio_text, sizeof ratio_text, "%g", r.ratio);
    info("selecting " + std::to_string(k) + " of " + std::to_string(n) + " rows (ratio " + ratio_text + ") with " + r.method + ", filter " + r.filter + ", on " + r.policy_name + " (" +
         std::to_string(nacs::thread_count(pol)) + " thread(s))");
    std::optional<nacs::auto_result> chosen;
    if (r.method == nacs::auto_method_name) {
      std::vector<nacs::auto_candidate> candidates;
      if (r.auto_candidates)
        for (const auto& c : nacs_cli::split_list(*r.auto_candidates, ',')) candidates.push_back(nacs::make_auto_candidate(c, cfg));
      else
        for (const auto c : nacs::default_auto_candidates()) candidates.push_back(nacs::make_auto_candidate(c, cfg));
      // The candidates' models are evaluated on the test rows only to report them; the choice is on validation.
      // Progress: the candidates' selections print as a named method's does.
      chosen = nacs::auto_select(pol, d.train, *valid, r.evaluate ? std::optional<nacs::evaluation_set>(test) : std::nullopt,
                                 candidates, opt, fo,
                                 nacs::auto_options{.logloss_slack = r.auto_logloss_slack,
                                                    .on_candidate = [&](const std::string& name) {
                                                      info("auto: building the " + name + " coreset");
                                                      last_step.clear();
                                                    }});
      for (const auto& t : chosen->trials) {
        std::ostringstream os;
        os << "auto: " << t.name << ": valid AUC " << t.valid_auc << ", log loss " << t.valid_logloss
           << (t.eligible ? "" : " (not eligible: log loss more than --auto-logloss-slack standard errors above the lowest)") << " ("
           << seconds_text(t.seconds) << ")";
        info(os.str());
      }
      info("auto: chose " + chosen->chosen() + " (" + seconds_text(chosen->seconds) + " for " +
           std::to_string(chosen->trials.size()) + " candidates)");
    }
    const nacs::coreset core = chosen ? chosen->core : nacs::run_coreset(pol, d.train, valid, cfg, opt);
    const auto& rep = core.report;
    {
      std::ostringstream os;
      os << "selected " << core.size() << " rows in " << seconds_text(rep.total_seconds) << " (" << rep.rounds
         << " rounds, " << rep.partitions_solved << " partitions, " << rep.rows_scored << " rows scored, "
         << rep.rows_removed << " removed by the filter): scoring " << seconds_text(rep.scoring_seconds)
         << ", embedding " << seconds_text(rep.embedding_seconds) << ", greedy " << seconds_text(rep.selection_seconds)
         << ", training " << seconds_text(rep.training_seconds) << ", filter " << seconds_text(rep.filter_seconds);
      info(os.str());
    }
    if (rep.unrepresented_rows > 0 && r.candidate_share < 1.0)
      info("note: " + std::to_string(rep.unrepresented_rows) + " rows were not drawn as candidates in some round (--candidate-share " +
           nacs_cli::json_number(r.candidate_share) + ")");
    else if (rep.unrepresented_rows > 0)
      info("note: " + std::to_string(rep.unrepresented_rows) +
           " rows were in partitions that got no pick in some round (smaller --partition-size gives every partition "
           "a pick)");
    if (r.out) {
      nacs::write_coreset_file(*r.out, core.rows, core.weights, core.targets);
      info("wrote " + std::to_string(core.size()) + " rows to '" + *r.out + "' (row,weight,label)");
    }
    if (r.emit) {
      const auto written = nacs::write_source_rows(d, core.rows, *r.emit);
      info("wrote " + std::to_string(written) + " rows to '" + *r.emit + "' in the input's format");
    }

    // ----------------------------------------------------------- evaluation
    std::optional<nacs::coreset_evaluation> ev, rnd, bal, full;
    if (r.evaluate) {
      const auto trained = [&](const char* what, const nacs::coreset& c) {
        info("training a fresh " + r.model + " on " + what + " (" + std::to_string(c.size()) + " rows)");
        fo.on_epoch = [&](const nacs::epoch_report& e) {
          std::ostringstream os;
          os << "  epoch " << e.epoch + 1 << ": loss " << e.train_loss;
          if (e.valid_auc) os << ", valid AUC " << *e.valid_auc;
          os << " (" << seconds_text(e.seconds) << ")";
          info(os.str());
        };
        auto result = nacs::train_on_coreset(pol, d.train, c, valid, test, fo);
        if (result.unweighted_valid_auc && result.weighted_valid_auc)
          info(std::string("  trained unweighted and with gamma (--final-weights auto): valid AUC ") +
               std::to_string(*result.unweighted_valid_auc) + " and " + std::to_string(*result.weighted_valid_auc) +
               "; testing the " + (result.weighted ? "weighted" : "unweighted") + " model");
        std::ostringstream os;
        os << what << ": test AUC " << result.test_auc << ", log loss " << result.test_logloss;
        if (result.clean_test_auc) os << "; against the clean labels AUC " << *result.clean_test_auc;
        info(os.str());
        return result;
      };
      // A trial of auto_select already trained (with fo) and tested the model of its coreset.
      const auto trial = [&](std::string_view name) -> const nacs::auto_trial* {
        if (!chosen) return nullptr;
        for (const auto& t : chosen->trials)
          if (t.name == name) return &t;
        return nullptr;
      };
      ev = chosen ? chosen->trials[chosen->choice].evaluation : trained("the coreset", core);
      // The two controls: a plain random sample and a class-balanced random one, k rows each, no filter.
      nacs::coreset_options control_opt = opt;
      control_opt.on_progress = {};
      for (const auto name : {std::string_view("random"), std::string_view("random-balanced")}) {
        auto& slot = name == "random" ? rnd : bal;
        if (const auto* t = trial(name)) {
          slot = t->evaluation;
          continue;
        }
        const auto c = nacs::make_auto_candidate(name);
        slot = trained(name == "random" ? "random rows" : "class-balanced random rows",
                       nacs::run_coreset(pol, d.train, valid, c.config, control_opt));
      }
      {
        std::ostringstream os;
        os.setf(std::ios::fixed);
        os.precision(4);
        os << r.method << " against random and class-balanced random, " << k << " rows each: test AUC "
           << ev->test_auc << " vs " << rnd->test_auc << " and " << bal->test_auc;
        if (ev->clean_test_auc && rnd->clean_test_auc)
          os << "; against the clean labels " << *ev->clean_test_auc << " vs " << *rnd->clean_test_auc;
        info(os.str());
      }
      if (r.evaluate_full) {
        nacs::coreset all;
        all.rows.resize(static_cast<std::size_t>(n));
        std::iota(all.rows.begin(), all.rows.end(), nacs::row_index{0});
        all.weights.assign(all.rows.size(), 1.0f);
        all.targets = d.train.labels;
        full = trained("every training row", all);
      }
    }

    // ----------------------------------------------------------------- JSON
    nacs_cli::json_object j;
    j.add("ratio", r.ratio)
        .add("method", r.method)
        .add("filter", r.filter)
        .add("rows", static_cast<std::int64_t>(n))
        .add("rows_selected", static_cast<std::int64_t>(core.size()))
        .add("selection_seconds", rep.total_seconds)
        .add("scoring_seconds", rep.scoring_seconds)
        .add("embedding_seconds", rep.embedding_seconds)
        .add("greedy_seconds", rep.selection_seconds)
        .add("training_seconds", rep.training_seconds)
        .add("filter_seconds", rep.filter_seconds)
        .add("read_seconds", read_seconds)
        .add("rows_scored", static_cast<std::int64_t>(rep.rows_scored))
        .add("partitions_solved", static_cast<std::int64_t>(rep.partitions_solved))
        .add("unrepresented_rows", static_cast<std::int64_t>(rep.unrepresented_rows))
        .add("rows_removed", static_cast<std::int64_t>(rep.rows_removed))
        .add("rounds", static_cast<std::int64_t>(rep.rounds))
        .add("partition_size", static_cast<std::int64_t>(rep.partition_size))
        .add("candidate_share", r.candidate_share)
        .add("round_epochs", static_cast<std::int64_t>(r.round_epochs))
        .add("preset", r.preset)
        .add("partitions", r.partitions)
        .add("rows_trained_selection", static_cast<std::int64_t>(rep.rows_trained))
        .add("pilot_rows", static_cast<std::int64_t>(rep.pilot_rows))
        .add("importance_weights", core.importance_weights)
        .add("prior_correction", r.prior_correction)
        .add("peak_bytes_planned", static_cast<std::int64_t>(rep.peak_bytes_planned))
        .add("peak_rss_bytes", peak_rss_bytes());
    std::span<const std::uint8_t> flipped;  // synthetic data: which training labels were flipped
    if (d.truth) flipped = d.truth->train.flipped;
    const nacs::coreset_statistics cs = nacs::coreset_statistics_of(d.train, core, flipped);
    j.add("base_positive_share", cs.base_positive_share)
        .add("coreset_positive_share", cs.positive_share)
        .add("coreset_target_mean", cs.target_mean)
        .add("weight_max_over_mean", cs.weight_max_over_mean)
        .add("weight_ess_share", cs.weight_ess_share)
        .add("selection_weights", r.selection_weights)
        .add("final_weights", r.final_weights)
        .add("final_targets", r.final_targets);
    if (r.evaluate) {
      j.add("final_weights_used",
            std::string(nacs::to_string(ev->weighted ? nacs::final_weighting::gamma : nacs::final_weighting::none)))
          .add("test_auc", ev->test_auc)
          .add("test_logloss", ev->test_logloss)
          .add("random_test_auc", rnd->test_auc)
          .add("random_test_logloss", rnd->test_logloss)
          .add("valid_auc", ev->training.best_valid_auc)
          .add("valid_logloss", ev->training.best_valid_logloss)
          .add("random_valid_auc", rnd->training.best_valid_auc)
          .add("random_valid_logloss", rnd->training.best_valid_logloss)
          .add("balanced_valid_auc", bal->training.best_valid_auc)
          .add("balanced_valid_logloss", bal->training.best_valid_logloss)
          .add("balanced_test_auc", bal->test_auc)
          .add("balanced_test_logloss", bal->test_logloss)
          .add("correction", ev->correction)
          .add("offset_mean", ev->offset_mean);
      if (full) j.add("full_test_auc", full->test_auc).add("full_test_logloss", full->test_logloss);
    }
    if (d.truth) {
      j.add("base_flip_share", cs.base_flip_share)
          .add("selected_flip_share", cs.selected_flip_share)
          .add("removed_flip_share", cs.removed_flip_share)
          .add("coreset_flip_share", cs.coreset_flip_share);
      if (r.evaluate) {
        j.add("clean_test_auc", ev->clean_test_auc).add("random_clean_test_auc", rnd->clean_test_auc);
        if (full) j.add("full_clean_test_auc", full->clean_test_auc);
      }
    }
    if (chosen) {
      nacs_cli::json_array trials;
      for (const auto& t : chosen->trials) {
        nacs_cli::json_object o;
        o.add("method", t.name).add("valid_auc", t.valid_auc).add("valid_logloss", t.valid_logloss)
            .add("valid_logloss_se", t.valid_logloss_se).add("eligible", t.eligible).add("seconds", t.seconds)
            .add("selection_seconds", t.report.total_seconds);
        if (r.evaluate) o.add("test_auc", t.evaluation.test_auc).add("test_logloss", t.evaluation.test_logloss);
        trials.push(o);
      }
      j.add("auto_choice", chosen->chosen()).add("auto_candidates", trials).add("auto_seconds", chosen->seconds);
    }
    nacs::row_index skipped = 0;
    nacs_cli::json_array files;
    for (const auto& p : d.reports) {
      skipped += p.rows_skipped;
      nacs_cli::json_object f;
      f.add("path", p.source).add("rows_read", static_cast<std::int64_t>(p.rows_read)).add(
          "rows_skipped", static_cast<std::int64_t>(p.rows_skipped));
      files.push(f);
    }
    j.add("rows_skipped", static_cast<std::int64_t>(skipped))
        .add("files", files)
        .add("valid_rows", static_cast<std::int64_t>(d.valid.rows()))
        .add("test_rows", static_cast<std::int64_t>(d.test.rows()))
        .add("model", r.model)
        .add("selection_model", r.selection_model.value_or(r.model))
        .add("policy", r.policy_name)
        .add("threads", nacs::thread_count(pol))
        .add("seed", r.seed)
        .add("input", d.input)
        .add("format", r.synthetic ? std::string("synthetic") : r.format);
    if (!nacs_cli::print_json_line(stdout, j)) {
      std::fprintf(stderr, "%s: writing to stdout failed\n", program.c_str());
      return nacs_cli::exit_failure;
    }
    return nacs_cli::exit_ok;
  }, policy);
}

}  // namespace

int main(int argc, char** argv) {
  return nacs_cli::guarded_main(program, [&] { return run(argc, argv); });
}
