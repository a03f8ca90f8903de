// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief One call from a CTR data set on disk (or the synthetic generator) to encoded train / valid / test parts.
///
/// load_ctr_data reads `data` with the reader its format names (criteo,
/// avazu, libsvm, libffm or csv), then either reads `valid` and `test` with
/// the same reader and settings, or, when neither is given, splits `data`
/// with split() (seeded; 8:1:1 by default). It builds the vocabulary on the
/// training part only (vocabulary_options::min_count) and encodes every part
/// with it, so values first seen in valid or test map to the OOV id. Each
/// file read yields a parse_report (rows read, skipped, blank lines, the
/// first malformed lines), in `loaded_data::reports` and through
/// load_options::on_report as soon as the file is read; readers call
/// load_options::read.on_progress while they read.
///
/// Errors (nacs::error): a file that yields no row at all (errc::invalid_data,
/// "no rows could be read: <report>; check --format ..." when its rows were
/// all malformed, "...; the file holds no data rows" when it had none), an
/// empty training part, and whatever the reader, split and vocabulary throw.
///
/// load_synthetic generates rows with generate_synthetic, splits them the
/// same way and keeps, for each part, the clean labels, the hidden model's
/// probabilities and the flip mask (so a program can measure AUC against the
/// clean labels and which removed rows were flipped).
///
/// write_source_rows writes chosen training rows in the input's own format
/// (the lines of `data` as they are, after its header when it has one; for
/// synthetic data, a CSV `label,f0,...`), so any trainer can read a coreset.
///
/// budget_from_ratio (nacs/core/budget.hpp, included here) turns a ratio into a row count k.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nacs/core/budget.hpp>
#include <nacs/core/error.hpp>
#include <nacs/core/names.hpp>
#include <nacs/data/avazu.hpp>
#include <nacs/data/criteo.hpp>
#include <nacs/data/csv.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/data/libsvm.hpp>
#include <nacs/data/parse_report.hpp>
#include <nacs/data/split.hpp>
#include <nacs/data/synthetic.hpp>
#include <nacs/data/vocabulary.hpp>
#include <nacs/execution.hpp>

namespace nacs {

/// @brief The file formats load_ctr_data reads.
enum class data_format {
  criteo,  ///< Criteo TSV (read_criteo)
  avazu,   ///< Avazu CSV (read_avazu)
  libsvm,  ///< libsvm / libfm lines (read_libsvm)
  libffm,  ///< libffm lines (read_libffm)
  csv,     ///< a generic CSV with a header (read_csv; name the label and the columns)
};

/// @brief The formats' name table, in enum order: criteo, avazu, libsvm, libffm, csv.
inline constexpr auto data_format_table =
    make_name_table<data_format>("data format", {{"criteo", data_format::criteo},
                                                 {"avazu", data_format::avazu},
                                                 {"libsvm", data_format::libsvm},
                                                 {"libffm", data_format::libffm},
                                                 {"csv", data_format::csv}});

/// @brief The name of a format as programs spell it: "criteo", "avazu", "libsvm", "libffm", "csv".
constexpr std::string_view to_string(data_format f) noexcept { return data_format_table.name_of(f); }

/// @brief Every format's name, in enum order (for help texts and choices).
inline std::vector<std::string> data_format_names() {
  return {data_format_table.names().begin(), data_format_table.names().end()};
}

/// @brief The format a name denotes.
/// @throws nacs::error errc::invalid_argument for an unknown name (the message lists the valid ones)
inline data_format parse_data_format(std::string_view name) {
  if (const auto i = data_format_table.find(name)) return data_format_table.values()[*i];
  NACS_FAIL(errc::invalid_argument, "unknown data format '", name, "': use one of ",
            join_names(data_format_table.names(), ", "));
}

/// @brief Where a training row is in the data file: its physical lines (1-based, inclusive).
struct row_origin {
  std::int64_t first_line = 0;  ///< the row's first line (blank lines before it may be included; they hold no row)
  std::int64_t last_line = 0;   ///< the row's last line (a CSV record may span lines)
  friend bool operator==(const row_origin&, const row_origin&) = default;
};

/// @brief Options of load_ctr_data.
struct load_options {
  std::filesystem::path data{};                  ///< training data, or the whole data set when neither valid nor test is given
  data_format format = data_format::criteo;      ///< format of data, valid and test
  std::optional<std::filesystem::path> valid{};  ///< validation file (none: from the split, or no validation part)
  std::optional<std::filesystem::path> test{};   ///< test file (none: from the split, or no test part)
  split_options split{};                         ///< shares and seed of the split, used when neither valid nor test is given
  /// When `test` is given and `valid` is not: this share of `data`'s rows, drawn with split.seed,
  /// becomes the validation part (early stopping and choices made on validation need one); 0: no
  /// validation part. In [0, 1).
  double valid_share_of_data = 0.1;
  vocabulary_options vocabulary{};               ///< min_count of the vocabulary built on the training part
  read_options read{};                           ///< the reader settings of every file: error policy, row limit, progress
  std::function<void(const parse_report&)> on_report{};  ///< called once per file, right after it is read
  criteo_integer_rule criteo_integers = criteo_integer_rule::log_squared;  ///< criteo: integer bucketing
  std::optional<bool> avazu_header{};            ///< avazu: none detects the header
  std::optional<std::size_t> sparse_fields{};    ///< libsvm/libffm: items per row (none: data's first row; valid and test follow data)
  /// csv: label_column, categorical_columns (required), delimiter, weight_column, values, soft_labels.
  /// Its `read` member is ignored: load_options::read applies to every format.
  csv_options csv{};
  /// Record where each training row is in `data` (loaded_data::train_origins), for write_source_rows.
  /// It costs a callback per line while reading `data` and 16 bytes per row.
  bool keep_origins = false;
};

/// @brief What the synthetic generator knew about the rows of one part.
struct synthetic_part {
  std::vector<float> clean_labels;         ///< labels before flipping
  std::vector<float> clean_probability;    ///< the hidden model's click probability
  std::vector<std::uint8_t> flipped;       ///< 1 where the observed label differs from the clean one
  /// @brief Number of flipped labels in the part.
  [[nodiscard]] row_index flipped_count() const noexcept {
    row_index n = 0;
    for (const auto f : flipped) n += f;
    return n;
  }
};

/// @brief The ground truth of a synthetic data set, split like its rows.
struct synthetic_truth {
  synthetic_part train, valid, test;  ///< per part, row for row
  synthetic_model model;              ///< the hidden click model
  row_index flipped = 0;              ///< flipped labels over all rows
  double oracle_auc = 0;              ///< the hidden model's AUC against the clean labels (all rows)
  double noisy_oracle_auc = 0;        ///< ... against the observed labels (all rows)
};

/// @brief Encoded train / valid / test parts and how they were obtained.
struct loaded_data {
  dataset train;   ///< encoded (cardinalities set)
  dataset valid;   ///< encoded; no fields and no rows when there is no validation file or split part
  dataset test;    ///< encoded; no fields and no rows when there is no test file or split part
  vocabulary vocab{};  ///< built on the training part (empty for synthetic data, which is generated encoded)
  std::vector<parse_report> reports;  ///< one per file read, in the order data, valid, test
  std::string input;                  ///< the data file's path, or "synthetic"
  std::optional<data_format> format;  ///< the files' format; none for synthetic data
  bool split = false;                 ///< the parts come from split() rather than separate files
  /// rows of `data` drawn as the validation part because only a test file was given (valid_share_of_data)
  row_index valid_from_data = 0;
  std::optional<synthetic_truth> truth;  ///< synthetic data only
  std::vector<row_origin> train_origins;  ///< keep_origins: where training row i is in the data file
  load_options options{};             ///< the options of a file load (for write_source_rows)
  synthetic_options generator{};      ///< the options of a synthetic load
  /// @brief Total malformed rows skipped over every file read.
  [[nodiscard]] row_index rows_skipped() const noexcept {
    row_index n = 0;
    for (const auto& r : reports) n += r.rows_skipped;
    return n;
  }
};

/// @brief Reads, splits (or reads valid/test), builds the vocabulary on the training part and encodes every part.
/// @param[in] policy  nacs::seq or nacs::par (split and encoding; the result is the same)
/// @param[in] options the files, format, split, min_count, reader settings
/// @throws nacs::error errc::io for a file that cannot be opened; errc::invalid_data when a file yields no row or
///         the training part is empty; errc::parse with error_policy::fail; as split and build_vocabulary
template <class Policy>
loaded_data load_ctr_data(const Policy& policy, const load_options& options);

/// @brief Generates synthetic rows, splits them and keeps the clean labels and flips of each part.
/// @param[in] policy    nacs::seq or nacs::par (the result does not depend on it)
/// @param[in] generator rows, fields, vocabulary sizes, noise, seed (see generate_synthetic)
/// @param[in] split     shares and seed of the split (nacs-train uses the generator's seed for both)
/// @throws nacs::error as generate_synthetic and split; errc::invalid_data when the training part is empty
template <class Policy>
loaded_data load_synthetic(const Policy& policy, const synthetic_options& generator, const split_options& split);

/// @brief Writes training rows in the input's own format, so another trainer can read them as they are.
///
/// File input: the data file's header (its first non-blank line, avazu and
/// csv only), then each listed row's lines exactly as they are in the file
/// (line ends normalised to '\n' after them; a '\r' before it is kept),
/// in file order, a row listed twice written twice. Labels are the file's
/// own (not corrected) and weights are not written: nacs-coreset --out holds
/// them. Needs load_options::keep_origins. Synthetic input: a CSV with the
/// header `label,f0,...` and one line per row (observed label, ids), which
/// read_csv with csv_values::integer reads back to the same ids and labels.
/// @param[in] data  what load_ctr_data or load_synthetic returned
/// @param[in] rows  training row indices in [0, data.train.rows())
/// @param[in] path  the file to write (replaced)
/// @return the number of rows written (rows.size())
/// @throws nacs::error errc::invalid_argument for a row out of range or a file load without keep_origins;
///         errc::io when a file cannot be opened, read or written
row_index write_source_rows(const loaded_data& data, std::span<const row_index> rows, const std::filesystem::path& path);

}  // namespace nacs

#include <nacs/detail/data/load.hpp>
