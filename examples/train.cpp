// SPDX-License-Identifier: Apache-2.0
// nacs-train: trains a CTR model (LR, FM, DeepFM, DCNv2 or FinalMLP) on a
// click log or on synthetic data, with early stopping on validation AUC, and
// prints one JSON line about the run. See --help.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/data/load.hpp>
#include <nacs/execution.hpp>
#include <nacs/io/coreset_file.hpp>
#include <nacs/model/adam.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline/final.hpp>

#include "common/cli.hpp"
#include "common/data_flags.hpp"
#include "common/json.hpp"
#include "common/report.hpp"

namespace {

const std::string program = "nacs-train";

#if defined(_OPENMP)
using policy_choice = std::variant<nacs::sequenced_policy, nacs::parallel_policy>;
#else
using policy_choice = std::variant<nacs::sequenced_policy>;
#endif

const char* const summary =
    "Trains a click-through-rate model with Adam (soft-label binary cross entropy, mini-batches\n"
    "shuffled with --seed) and early stopping on validation AUC (patience 1 by default, restoring\n"
    "the best epoch). The data is a file (--data, with --format) or --synthetic N rows from nacs's\n"
    "planted-noise generator. Without --valid/--test the data is split 8:1:1 (seeded); categorical\n"
    "values are mapped to ids by a vocabulary built on the training part (values seen fewer than\n"
    "--min-count times, and values first seen in valid/test, map to the field's OOV id).\n"
    "Progress (per epoch: loss, validation AUC, rows/s) goes to stderr; one JSON line to stdout:\n"
    "model, rows (training rows), epochs, valid_auc (best), test_auc, test_logloss, seconds and\n"
    "rows_per_second (training only), and more.";

const char* const epilog =
    "Examples:\n"
    "  nacs-train --data train.csv --format criteo --valid dev.csv --test test.csv --model deepfm\n"
    "  nacs-train --data train.txt --format avazu --model dcnv2 --epochs 5 --policy par\n"
    "  nacs-train --data clicks.csv --format csv --label click --columns site,app,device\n"
    "  nacs-train --synthetic 200000 --model fm --seed 3\n"
    "  nacs-train --data train.csv --format criteo --rows-file coreset.csv\n"
    "\n"
    "--rows-file: what nacs-coreset --out writes (CSV row,weight,label: the rows are trained on\n"
    "with their weights and corrected labels), what nacs-greedy --out writes (index,gain,weight:\n"
    "each pick weighted by the rows it represents), or one 0-based row index per line, optionally\n"
    "followed by ',' or whitespace and a non-negative weight; '#' starts a comment. Indices count\n"
    "the rows of the training set: the rows of --data as read (malformed rows skipped are not\n"
    "counted) when --valid or --test is given, else the training part of the split, in file order.\n"
    "\n"
    "The JSON line counts, for each file read, the rows kept and the malformed rows skipped, with\n"
    "the first reasons (keys rows_skipped and files), also under --quiet.\n"
    "\n"
    "Exit status: 0 on success, 1 when the data or the run failed, 2 for a bad command line.";

// The data flags' values (data_request: files, reading, --synthetic) and the rest.
struct request : nacs_cli::data_request {
  std::optional<std::string> rows_file;
  std::string model, policy_name;
  std::optional<int> threads;
  std::optional<std::int64_t> memory_limit_mib;
  std::optional<std::size_t> batch_size;  // none: nacs::default_batch_size of the rows of an epoch
  std::size_t epochs = 10, patience = 1, embedding_dim = 10;
  std::vector<std::size_t> mlp;
  double dropout = 0.5, lr = 0.01, weight_decay = 0.0;
  std::uint64_t seed = 0;
  bool quiet = false;
};

using nacs_cli::parse_sizes;

request parse_command_line(int argc, const char* const* argv, bool& help) {
  nacs_cli::parser p(program, summary);
  p.epilog(epilog);
  const nacs_cli::data_flags data(p, {.generator = nacs_cli::generator_kind::planted_noise,
                                      .synthetic_help = "generate N rows of planted-noise synthetic data instead",
                                      .test_help = "test file; else a split of --data"});
  auto rows_file = p.flag<std::string>("rows-file", "FILE", "train only on these rows (index[,weight] per line)");
  auto model = p.flag<std::string>("model", "NAME", "the model",
                                   {.default_value = "deepfm", .choices = nacs_cli::choices(nacs::model_names())});
  auto epochs = p.flag<std::int64_t>("epochs", "E", "maximum epochs", {.default_value = 10, .min = 1, .max = 100000});
  auto batch = p.flag<std::int64_t>("batch-size", "B",
                                    "rows per mini-batch (default: the power of two nearest to the rows of an epoch "
                                    "/ 64, within [64, 8192], so every epoch takes about 64 steps)",
                                    {.min = 1, .max = 1 << 24});
  auto lr = p.flag<double>("lr", "LR", "Adam learning rate", {.default_value = 0.01, .min = 0.0, .min_exclusive = true});
  auto wd = p.flag<double>("weight-decay", "L", "Adam weight decay (L2 in the gradient)", {.default_value = 0.0, .min = 0.0});
  auto patience = p.flag<std::int64_t>("patience", "P", "stop after P epochs without a better validation AUC (0: never)",
                                       {.default_value = 1, .min = 0, .max = 100000});
  auto dim = p.flag<std::int64_t>("embedding-dim", "D", "embedding width", {.default_value = 10, .min = 1, .max = 4096});
  auto mlp = p.flag<std::string>("mlp", "SIZES", "hidden sizes (default 100,100,100)");
  auto dropout = p.flag<double>("dropout", "R", "dropout rate of the MLP blocks",
                                {.default_value = 0.5, .min = 0.0, .max = 1.0, .max_exclusive = true});
  auto seed = p.flag<std::uint64_t>("seed", "S", "seed of the split, the initialisation, shuffling, dropout and --synthetic",
                                    {.default_value = 0});
  auto policy = p.flag<std::string>("policy", "NAME", "seq: one thread; par: OpenMP threads (same result)",
                                    {.default_value = "par",
                                     .choices = nacs_cli::choices(nacs::host_policy_table.names())});
  auto threads = p.flag<int>("threads", "T", "par: number of threads (default: OpenMP's)", {.min = 1, .max = 4096});
  auto memory_limit = p.flag<std::int64_t>(
      "memory-limit", "MIB", "refuse, before allocating, a step that needs more than MIB MiB (default: 3/4 of RAM)",
      {.min = 1, .max = std::int64_t{1} << 40});
  auto quiet = p.flag_switch("quiet", "print nothing on stderr but errors");
  p.parse(argc, argv);
  help = p.help_requested();
  if (help) {
    std::fputs(p.help().c_str(), stdout);
    return {};
  }
  request r;
  r.rows_file = rows_file.get();
  r.model = *model;
  r.policy_name = *policy;
  r.threads = threads.get();
  r.memory_limit_mib = memory_limit.get();
  r.epochs = static_cast<std::size_t>(*epochs);
  if (batch.given()) r.batch_size = static_cast<std::size_t>(*batch);
  r.patience = static_cast<std::size_t>(*patience);
  r.embedding_dim = static_cast<std::size_t>(*dim);
  r.mlp = mlp.given() ? parse_sizes(*mlp.get()) : std::vector<std::size_t>{100, 100, 100};
  r.dropout = *dropout;
  r.lr = *lr;
  r.weight_decay = *wd;
  r.seed = *seed;
  r.quiet = *quiet;

  // The data flags' own checks, before those that combine them with the other flags.
  static_cast<nacs_cli::data_request&>(r) = data.get();
  const bool parallel = nacs::host_policy_table.parse(r.policy_name) == nacs::host_policy_kind::parallel;
  if (r.threads && !parallel)
    throw nacs_cli::usage_error("--threads applies to --policy par (seq always uses one thread)");
#if !defined(_OPENMP)
  if (parallel)
    throw nacs_cli::usage_error("--policy par needs OpenMP, and this nacs-train was built without it: use --policy seq");
#endif
  return r;
}

// The rows to train on, read by the library's coreset file reader; its messages name the flag.
nacs::coreset_file read_rows_file(const std::string& path, nacs::row_index n) {
  try {
    return nacs::read_coreset_file(path, n);
  } catch (const nacs::error& e) {
    throw nacs::error(e.code(), "--rows-file " + e.message());
  }
}

policy_choice make_policy(const request& r) {
#if defined(_OPENMP)
  if (nacs::host_policy_table.parse(r.policy_name) == nacs::host_policy_kind::parallel)
    return r.threads ? nacs::par.with_threads(*r.threads) : nacs::par;
#endif
  return nacs::seq;
}

bool has_both_classes(const nacs::dataset& d) {
  bool pos = false, neg = false;
  for (float y : d.labels) (y == 1.0f ? pos : neg) = true;
  return pos && neg;
}

int run(int argc, const char* const* argv) {
  bool help = false;
  const request r = parse_command_line(argc, argv, help);
  if (help) return nacs_cli::exit_ok;
  const auto info = [&](const std::string& line) {
    if (!r.quiet) std::fprintf(stderr, "%s: %s\n", program.c_str(), nacs_cli::printable(line).c_str());
  };
  const policy_choice policy = make_policy(r);
  if (r.memory_limit_mib) nacs::set_memory_limit(static_cast<std::size_t>(*r.memory_limit_mib) << 20);
  nacs_cli::file_log files;
  return std::visit([&](const auto& pol) {
    // ---------------------------------------------------------------- data
    nacs::dataset train, valid, test;
    const nacs::split_options split = r.split(r.seed);
    nacs::loaded_data loaded;
    if (r.synthetic) {
      nacs::synthetic_options o;
      o.rows = *r.synthetic;
      o.fields = *r.fields;
      o.vocabulary_size = *r.vocabulary_size;
      o.flip_positive = r.flip_positive;
      o.flip_negative = r.flip_negative;
      o.seed = r.seed;
      loaded = nacs::load_synthetic(pol, o, split);
      std::ostringstream os;
      os << "generated " << *r.synthetic << " synthetic rows of " << *r.fields << " fields, " << loaded.truth->flipped
         << " labels flipped; the hidden model's AUC on the noisy labels is " << loaded.truth->noisy_oracle_auc;
      info(os.str());
    } else {
      // The files in the order the library reads them, by the flag that named each.
      std::vector<std::pair<std::string, std::string>> named{{"--data", *r.data}};
      if (r.valid) named.emplace_back("--valid", *r.valid);
      if (r.test) named.emplace_back("--test", *r.test);
      for (const auto& [flag, path] : named) nacs_cli::check_data_file(flag, path);
      nacs::load_options lo =
          nacs_cli::load_options_of(r, split, nacs_cli::progress_printer(program, r.quiet, r.progress_lines));
      std::optional<nacs::parse_report> last;
      std::size_t reported = 0;
      lo.on_report = [&](const nacs::parse_report& rep) {
        info(rep.summary());
        files.add(named.at(reported++).first, rep);
        last = rep;
      };
      try {
        loaded = nacs::load_ctr_data(pol, lo);
      } catch (const nacs::error& e) {
        // A file with no row: say why in the user's terms (empty, only a header, all malformed).
        if (e.code() == nacs::errc::invalid_data && last && last->rows_read == 0 && reported > 0)
          throw nacs::error(e.code(), nacs_cli::no_rows_message(named[reported - 1].first, *last, r.format));
        throw;
      }
      std::ostringstream os;
      os << "vocabulary (min count " << r.min_count << "): " << loaded.train.num_fields() << " fields, ";
      std::uint64_t ids = 0;
      for (auto c : loaded.train.cardinalities) ids += c;
      os << ids << " ids in all";
      info(os.str());
    }
    train = std::move(loaded.train);
    valid = std::move(loaded.valid);
    test = std::move(loaded.test);
    {
      std::ostringstream os;
      os << "rows: " << train.rows() << " train, " << valid.rows() << " valid, " << test.rows() << " test";
      info(os.str());
    }
    NACS_EXPECTS(train.rows() > 0, nacs::errc::invalid_data, "no training rows: use more data or a larger --split share");
    const bool use_valid = valid.rows() > 0;
    if (use_valid)
      NACS_EXPECTS(has_both_classes(valid), nacs::errc::invalid_data,
                   "the validation rows hold a single class, so AUC is undefined: use more validation data");

    nacs::coreset_file subset;
    if (r.rows_file) {
      subset = read_rows_file(*r.rows_file, train.rows());
      files.add_plain("--rows-file", *r.rows_file, static_cast<std::int64_t>(subset.rows.size()));
      std::ostringstream os;
      os << "training on " << subset.rows.size() << " rows listed in '" << *r.rows_file << "'"
         << (subset.weights.empty() ? "" : ", with weights") << (subset.labels.empty() ? "" : ", with its labels");
      info(os.str());
    }

    // --------------------------------------------------------------- model
    // The rows of one epoch: the listed rows (with repeats) or the whole training part.
    const auto epoch_rows = static_cast<nacs::row_index>(subset.rows.empty() ? train.rows() : static_cast<nacs::row_index>(subset.rows.size()));
    const std::size_t batch_size = r.batch_size.value_or(nacs::default_batch_size(epoch_rows));
    nacs::model_config cfg;
    cfg.embedding_dim = r.embedding_dim;
    cfg.mlp = r.mlp;
    cfg.mlp2 = r.mlp;
    cfg.dropout = r.dropout;
    cfg.seed = r.seed;
    // FinalMLP: the library's head rule (the largest count up to 10 that divides both streams' width).
    cfg = nacs::with_kind(cfg, nacs::parse_model_kind(r.model));
    nacs::ctr_model<float> model(cfg, train.cardinalities);
    nacs::adam<float> opt({.learning_rate = r.lr, .weight_decay = r.weight_decay});
    {
      std::ostringstream os;
      os << r.model << ": " << model.parameter_count() << " parameters, hidden size " << model.hidden_size() << "; "
         << r.policy_name << " (" << nacs::thread_count(pol) << " thread(s)), batch " << batch_size
         << (r.batch_size ? "" : " (default for " + std::to_string(epoch_rows) + " rows an epoch)") << ", lr " << r.lr;
      info(os.str());
    }
    nacs::train_options to;
    to.batch_size = batch_size;
    to.epochs = r.epochs;
    to.seed = r.seed;
    to.patience = r.patience;
    const nacs::training_set ts{&train, subset.rows, subset.labels, subset.weights};
    std::optional<nacs::evaluation_set> vs;
    if (use_valid) vs = nacs::evaluation_set{&valid};
    const auto report = nacs::train(pol, model, opt, ts, vs, to, [&](const nacs::epoch_report& e) {
      std::ostringstream os;
      os << "epoch " << e.epoch + 1 << ": loss " << e.train_loss;
      if (e.valid_auc) os << ", valid AUC " << *e.valid_auc << ", valid log loss " << *e.valid_logloss;
      os << ", " << static_cast<std::int64_t>(e.rows_per_second) << " rows/s (" << e.seconds << " s)";
      info(os.str());
    });
    if (report.stopped_early || report.restored_best) {
      std::ostringstream os;
      os << (report.stopped_early ? "stopped early; " : "") << "best epoch " << *report.best_epoch + 1
         << (report.restored_best ? " (weights restored)" : "");
      info(os.str());
    }

    // ---------------------------------------------------------------- test
    std::optional<double> test_auc, test_logloss;
    if (test.rows() > 0) {
      NACS_EXPECTS(has_both_classes(test), nacs::errc::invalid_data,
                   "the test rows hold a single class, so AUC is undefined: use more test data");
      const auto ev = nacs::evaluate(pol, model, nacs::evaluation_set{&test});
      test_auc = ev.auc;
      test_logloss = ev.logloss;
      std::ostringstream os;
      os << "test AUC " << ev.auc << ", test log loss " << ev.logloss;
      info(os.str());
    }

    nacs_cli::json_object j;
    j.add("model", r.model)
        .add("rows", static_cast<std::int64_t>(subset.rows.empty() ? train.rows() : static_cast<nacs::row_index>(subset.rows.size())))
        .add("epochs", static_cast<std::int64_t>(report.epochs.size()))
        .add("valid_auc", report.best_valid_auc)
        .add("test_auc", test_auc)
        .add("test_logloss", test_logloss)
        .add("seconds", report.seconds)
        .add("rows_per_second", report.rows_per_second())
        .add("best_epoch", report.best_epoch ? std::optional<std::int64_t>(static_cast<std::int64_t>(*report.best_epoch + 1))
                                             : std::nullopt)
        .add("stopped_early", report.stopped_early)
        .add("train_loss", report.epochs.back().train_loss)
        .add("train_rows", static_cast<std::int64_t>(train.rows()))
        .add("valid_rows", static_cast<std::int64_t>(valid.rows()))
        .add("test_rows", static_cast<std::int64_t>(test.rows()))
        .add("fields", static_cast<std::int64_t>(train.num_fields()))
        .add("parameters", static_cast<std::int64_t>(model.parameter_count()))
        .add("policy", r.policy_name)
        .add("threads", nacs::thread_count(pol))
        .add("batch_size", static_cast<std::int64_t>(batch_size))
        .add("seed", r.seed)
        .add("input", r.synthetic ? std::string("synthetic") : *r.data)
        .add("format", r.synthetic ? std::string("synthetic") : r.format)
        .add("rows_skipped", files.rows_skipped())
        .add("files", files.json());
    if (!nacs_cli::print_json_line(stdout, j)) {
      std::fprintf(stderr, "%s: writing to stdout failed\n", program.c_str());
      return nacs_cli::exit_failure;
    }
    return nacs_cli::exit_ok;
  }, policy);
}

}  // namespace

int main(int argc, char** argv) {
  return nacs_cli::guarded_main(program, [&] { return run(argc, argv); },
                                "use less data (--max-rows) or a smaller model (--embedding-dim, --mlp), or set "
                                "--memory-limit so that a step too large is refused before it allocates");
}
