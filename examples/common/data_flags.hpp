// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The data flags of nacs-coreset and nacs-train, declared once: the files (--data,
/// --format, --synthetic, --valid, --test, --split), how they are read (--label, --columns,
/// --delimiter, --min-count, --max-rows, --on-error, --progress-lines) and the generator flags
/// of --synthetic, with the checks they share and the load_options they make. Also the list
/// parsers both programs use (split_list; parse_sizes for --mlp).
///
/// @code
/// nacs_cli::parser p(program, summary);
/// const nacs_cli::data_flags data(p, {.generator = nacs_cli::generator_kind::benchmark,
///                                     .synthetic_help = "...", .test_help = "..."});
/// ...                                      // the program's own flags, listed after the data flags
/// p.parse(argc, argv);
/// request r;                               // a program's request derives from data_request
/// ...                                      // the program's own values
/// static_cast<nacs_cli::data_request&>(r) = data.get();  // the shared checks: throws usage_error
/// ...                                      // checks that combine data flags with the program's
/// nacs::load_options o = nacs_cli::load_options_of(r, r.split(seed),
///                                                  nacs_cli::progress_printer(program, quiet, r.progress_lines));
/// @endcode
///
/// The two programs differ only where their generators do, and data_flags_setup says which:
/// nacs-coreset draws the Criteo-shaped benchmark (ctr_benchmark_preset: --noise sets both flip
/// rates, --fields with --vocabulary-size replaces the preset's field sizes), nacs-train the plain
/// planted-noise generator (39 fields of 1000 values, flip rates 0.1 and 0.05 by default). Their
/// --synthetic and --test descriptions are the programs' own.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <nacs/data/load.hpp>
#include <nacs/data/parse_report.hpp>
#include <nacs/data/split.hpp>

#include "common/cli.hpp"
#include "common/messages.hpp"

namespace nacs_cli {

/// @brief `text` cut at every `sep` (an empty text is one empty item).
inline std::vector<std::string> split_list(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(sep, start), text.size());
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// @brief The hidden sizes of --mlp ("100,100,100"), each in [1, 100000].
/// @throws usage_error for anything else
inline std::vector<std::size_t> parse_sizes(const std::string& text) {
  std::vector<std::size_t> out;
  for (const auto& item : split_list(text, ',')) {
    std::size_t v = 0;
    const auto r = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || r.ec != std::errc{} || r.ptr != item.data() + item.size() || v == 0 || v > 100000)
      throw usage_error("--mlp expects comma-separated sizes in [1, 100000] like 100,100,100; got '" + text + "'");
    out.push_back(v);
  }
  return out;
}

/// @brief Which synthetic generator --synthetic runs, and so which generator flags there are.
enum class generator_kind {
  benchmark,      ///< nacs-coreset: ctr_benchmark_preset; --noise; --fields replaces the preset's sizes
  planted_noise,  ///< nacs-train: synthetic_options with --fields (39) and --vocabulary-size (1000)
};

/// @brief What differs between the programs' data flags.
struct data_flags_setup {
  generator_kind generator = generator_kind::planted_noise;
  std::string synthetic_help;  ///< --synthetic's description
  std::string test_help;       ///< --test's description (what the program uses the test rows for)
};

/// @brief What the data flags asked for, after the checks they share.
struct data_request {
  std::optional<std::string> data, valid, test, label, columns;
  std::optional<nacs::row_index> synthetic, max_rows;
  std::string format, on_error;
  std::int64_t progress_lines = 0;
  std::uint64_t min_count = 10;
  char delimiter = ',';
  double split_train = 0.8, split_valid = 0.1, split_test = 0.1;
  bool split_given = false;
  /// Generator: the field count and values per field (benchmark: none unless --fields is given).
  std::optional<std::size_t> fields;
  std::optional<std::uint32_t> vocabulary_size;
  double flip_positive = 0.2, flip_negative = 0.2;
  /// @brief The split of the flags, drawn with `seed`.
  [[nodiscard]] nacs::split_options split(std::uint64_t seed) const {
    return {.train = split_train, .valid = split_valid, .test = split_test, .seed = seed};
  }
};

/// @brief Declares the data flags on a parser (in the order --help lists them) and reads them back.
class data_flags {
 public:
  data_flags(parser& p, const data_flags_setup& setup)
      : kind_(setup.generator),
        data_(p.flag<std::string>("data", "FILE", "training data file (or the whole data set, split 8:1:1)")),
        format_(p.flag<std::string>("format", "NAME", "format of --data, --valid and --test",
                                    {.choices = nacs::data_format_names()})),
        synthetic_(p.flag<nacs::row_index>("synthetic", "N", setup.synthetic_help,
                                           {.min = 10, .max = nacs::row_index{1} << 34})),
        valid_(p.flag<std::string>("valid", "FILE", "validation file (early stopping); else a split of --data")),
        test_(p.flag<std::string>("test", "FILE", setup.test_help)),
        split_(p.flag<std::string>("split", "T,V,E", "train,valid,test shares of the seeded split (default 0.8,0.1,0.1)")),
        label_(p.flag<std::string>("label", "COL", "csv: the label column's header name")),
        columns_(p.flag<std::string>("columns", "A,B,..", "csv: the categorical columns' header names")),
        delimiter_(p.flag<std::string>("delimiter", "C", "csv: the field separator (default ',', 'tab' for a tab)")),
        min_count_(p.flag<std::uint64_t>("min-count", "C", "values seen fewer than C times in training map to OOV",
                                         {.default_value = 10})),
        max_rows_(p.flag<nacs::row_index>("max-rows", "N", "read at most N rows of each file", {.min = 1})),
        on_error_(p.flag<std::string>("on-error", "MODE", "malformed rows: skip (count and report them) or fail",
                                      {.default_value = "skip", .choices = choices(nacs::error_policy_table.names())})),
        progress_lines_(p.flag<std::int64_t>("progress-lines", "L",
                                             "while reading a file, report progress on stderr every L lines",
                                             {.default_value = 1000000, .min = 1})),
        noise_(declare_noise(p, setup.generator)),
        fields_(kind_ == generator_kind::benchmark
                    ? p.flag<std::int64_t>("fields", "F",
                                           "--synthetic: F fields of --vocabulary-size values (default: the benchmark's 39)",
                                           {.min = 2, .max = 1000})
                    : p.flag<std::int64_t>("fields", "F", "--synthetic: number of fields",
                                           {.default_value = 39, .min = 2, .max = 1000})),
        vocabulary_(kind_ == generator_kind::benchmark
                        ? p.flag<std::int64_t>("vocabulary-size", "V",
                                               "--synthetic: values per field (default 1000 with --fields)",
                                               {.min = 1, .max = 100000000})
                        : p.flag<std::int64_t>("vocabulary-size", "V", "--synthetic: values per field",
                                               {.default_value = 1000, .min = 1, .max = 100000000})),
        flip_positive_(p.flag<double>("flip-positive", "P", "--synthetic: share of clean positives flipped to 0",
                                      flip_spec(kind_, 0.1))),
        flip_negative_(p.flag<double>("flip-negative", "P", "--synthetic: share of clean negatives flipped to 1",
                                      flip_spec(kind_, 0.05))) {
    p.exactly_one_of({"data", "synthetic"});
  }

  /// @brief The values given, checked together: flags that would have no effect are refused.
  /// @throws usage_error naming the flags to drop or to add
  [[nodiscard]] data_request get() const {
    data_request r;
    r.data = data_.get();
    r.synthetic = synthetic_.get();
    r.valid = valid_.get();
    r.test = test_.get();
    r.label = label_.get();
    r.columns = columns_.get();
    r.max_rows = max_rows_.get();
    r.format = format_.get().value_or("");
    r.on_error = *on_error_;
    r.progress_lines = *progress_lines_;
    r.min_count = *min_count_;

    if (r.data && r.format.empty())
      throw usage_error("--data needs --format " + detail::join(choices(nacs::data_format_table.names()), "|"));
    if (r.synthetic && (!r.format.empty() || r.valid || r.test || r.max_rows || progress_lines_.given() ||
                        min_count_.given() || on_error_.given()))
      throw usage_error(
          "--synthetic generates its own data: drop --format, --valid, --test, --max-rows, --progress-lines, "
          "--min-count and --on-error");
    generator_values(r);
    const bool csv = r.format == nacs::to_string(nacs::data_format::csv);
    if (csv && (!r.label || !r.columns)) throw usage_error("--format csv needs --label COL and --columns A,B,...");
    if (!csv && (r.label || r.columns || delimiter_.given()))
      throw usage_error("--label, --columns and --delimiter apply to --format csv");
    if (delimiter_.given()) {
      const std::string d = *delimiter_.get();
      if (d == "tab" || d == "\\t") r.delimiter = '\t';
      else if (d.size() == 1 && d != "\"" && d != "\n" && d != "\r") r.delimiter = d[0];
      else throw usage_error("--delimiter expects one character (or 'tab'), got '" + d + "'");
    }
    if (split_.given()) {
      if (r.valid || r.test) throw usage_error("--split applies when neither --valid nor --test is given");
      const auto parts = split_list(*split_.get(), ',');
      double v[3] = {};
      bool ok = parts.size() == 3;
      for (std::size_t i = 0; ok && i < 3; ++i) {
        const auto res = std::from_chars(parts[i].data(), parts[i].data() + parts[i].size(), v[i]);
        ok = !parts[i].empty() && res.ec == std::errc{} && res.ptr == parts[i].data() + parts[i].size() &&
             std::isfinite(v[i]) && v[i] >= 0;
      }
      if (!ok || v[0] <= 0)
        throw usage_error("--split expects three non-negative shares T,V,E with T > 0, like 0.8,0.1,0.1; got '" +
                          *split_.get() + "'");
      r.split_train = v[0];
      r.split_valid = v[1];
      r.split_test = v[2];
      r.split_given = true;
    }
    return r;
  }

 private:
  // nacs-train has no --noise.
  static std::optional<option<double>> declare_noise(parser& p, generator_kind kind) {
    if (kind != generator_kind::benchmark) return std::nullopt;
    return p.flag<double>("noise", "R", "--synthetic: flip every label with probability R (default 0.2)",
                          {.min = 0.0, .max = 1.0});
  }
  static spec<double> flip_spec(generator_kind kind, double planted_default) {
    if (kind == generator_kind::benchmark) return {.min = 0.0, .max = 1.0};
    return {.default_value = planted_default, .min = 0.0, .max = 1.0};
  }

  void generator_values(data_request& r) const {
    const bool noise = noise_ && noise_->given();
    const bool given = noise || fields_.given() || vocabulary_.given() || flip_positive_.given() ||
                       flip_negative_.given();
    if (kind_ == generator_kind::planted_noise) {
      if (!r.synthetic && given)
        throw usage_error("--fields, --vocabulary-size, --flip-positive and --flip-negative apply to --synthetic");
      r.fields = static_cast<std::size_t>(*fields_);
      r.vocabulary_size = static_cast<std::uint32_t>(*vocabulary_);
      r.flip_positive = *flip_positive_;
      r.flip_negative = *flip_negative_;
      return;
    }
    if (!r.synthetic && given)
      throw usage_error("--noise, --fields, --vocabulary-size, --flip-positive and --flip-negative apply to --synthetic");
    if (noise && (flip_positive_.given() || flip_negative_.given()))
      throw usage_error("--noise sets both flip rates: give --noise or --flip-positive/--flip-negative");
    if (vocabulary_.given() && !fields_.given())
      throw usage_error("--vocabulary-size applies with --fields (the default benchmark has its own sizes)");
    if (fields_.given()) {
      r.fields = static_cast<std::size_t>(*fields_.get());
      r.vocabulary_size = static_cast<std::uint32_t>(vocabulary_.get().value_or(1000));
    }
    const std::optional<double> both = noise ? noise_->get() : std::nullopt;
    r.flip_positive = both.value_or(flip_positive_.get().value_or(0.2));
    r.flip_negative = both.value_or(flip_negative_.get().value_or(0.2));
  }

  generator_kind kind_;
  option<std::string> data_, format_;
  option<nacs::row_index> synthetic_;
  option<std::string> valid_, test_, split_, label_, columns_, delimiter_;
  option<std::uint64_t> min_count_;
  option<nacs::row_index> max_rows_;
  option<std::string> on_error_;
  option<std::int64_t> progress_lines_;
  std::optional<option<double>> noise_;  // benchmark only
  option<std::int64_t> fields_, vocabulary_;
  option<double> flip_positive_, flip_negative_;
};

/// @brief One stderr line per progress call of a reader: lines, share of the file, rows kept and
/// skipped; nothing under --quiet.
inline nacs::read_progress_callback progress_printer(const std::string& program, bool quiet, std::int64_t every_lines) {
  if (quiet) return {};
  return {.fn =
              [program](const nacs::read_progress& p) {
                std::string share;
                if (p.fraction() >= 0) share = " (" + std::to_string(static_cast<int>(100 * p.fraction())) + " %)";
                std::fprintf(stderr, "%s: reading '%s': %lld lines%s, %lld rows kept, %lld skipped\n", program.c_str(),
                             printable(p.source).c_str(), static_cast<long long>(p.lines), share.c_str(),
                             static_cast<long long>(p.rows_read), static_cast<long long>(p.rows_skipped));
              },
          .every_lines = every_lines};
}

/// @brief What load_ctr_data needs from the data flags: files, format, split, vocabulary, reader
/// settings (on_report and keep_origins are the program's).
inline nacs::load_options load_options_of(const data_request& r, const nacs::split_options& split,
                                          nacs::read_progress_callback progress) {
  nacs::load_options o;
  o.data = *r.data;
  o.format = nacs::parse_data_format(r.format);
  if (r.valid) o.valid = *r.valid;
  if (r.test) o.test = *r.test;
  o.split = split;
  o.vocabulary.min_count = r.min_count;
  o.read.on_error = nacs::error_policy_table.parse(r.on_error);
  o.read.max_rows = r.max_rows;
  o.read.on_progress = std::move(progress);
  if (o.format == nacs::data_format::csv) {
    o.csv.label_column = *r.label;
    o.csv.categorical_columns = split_list(*r.columns, ',');
    o.csv.delimiter = r.delimiter;
  }
  return o;
}

}  // namespace nacs_cli
