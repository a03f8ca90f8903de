// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_ref/check.hpp>
#include <nacs_test/shared_data.hpp>
#include <nacs/data/load.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nacs::row_index;
using nacs_ref::expect_error;

// A fresh directory per test case, removed at the end.
struct temp_dir {
  fs::path path;
  explicit temp_dir(const std::string& name) : path(fs::temp_directory_path() / ("nacs_load_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  [[nodiscard]] fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A Criteo line whose first categorical hash is `c1` (8 hex digits) and first integer is `i1`.
std::string criteo_line(int label, const std::string& c1, int i1 = 1) {
  std::string s = std::to_string(label) + "\t" + std::to_string(i1);
  for (int j = 1; j < 13; ++j) s += "\t1";
  s += "\t" + c1;
  for (int j = 1; j < 26; ++j) s += "\t0000000a";
  return s + "\n";
}

// `rows` Criteo lines with labels alternating and the first hash cycling through `values` values.
std::string criteo_file(int rows, int values, int first = 0) {
  std::string s;
  for (int r = first; r < first + rows; ++r) {
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(r % values));
    s += criteo_line(r % 3 == 0 ? 1 : 0, hex, r % 7);
  }
  return s;
}

}  // namespace

TEST_CASE("data_format: names round trip; an unknown name lists the valid ones") {
  for (const auto& name : nacs::data_format_names()) CHECK(nacs::to_string(nacs::parse_data_format(name)) == name);
  CHECK(nacs::parse_data_format("libffm") == nacs::data_format::libffm);
  expect_error([] { (void)nacs::parse_data_format("tsv"); }, nacs::errc::invalid_argument,
               "unknown data format 'tsv': use one of criteo, avazu, libsvm, libffm, csv");
}

TEST_CASE("budget_from_ratio: floor of ratio * n, decimal ratios exact, errors for ratios out of (0, 1) and k = 0") {
  using nacs::budget_from_ratio;
  CHECK(budget_from_ratio(0.01, 7200) == 72);
  CHECK(budget_from_ratio(0.01, 7250) == 72);  // 72.5 rounds down
  CHECK(budget_from_ratio(0.07, 100) == 7);    // 7.000000000000001 in binary
  CHECK(budget_from_ratio(0.29, 100) == 29);   // 28.999999999999996 in binary
  CHECK(budget_from_ratio(0.57, 100) == 57);   // 56.99999999999999
  CHECK(budget_from_ratio(0.5, 3) == 1);
  CHECK(budget_from_ratio(0.999, 1000) == 999);
  CHECK(budget_from_ratio(1.0 - 1e-16, 1000) == 999);  // rounds to 1000, but one row stays out
  CHECK(budget_from_ratio(0.01, row_index{1} << 40) == 10995116277);  // 10995116277.76: no rounding up
  CHECK(budget_from_ratio(0.1, 99999999999) == 9999999999);        // 9999999999.9
  for (row_index n = 1; n < 300; ++n)
    for (const double r : {0.01, 0.05, 0.1, 0.25, 0.5}) {
      if (r * static_cast<double>(n) < 1) continue;
      const row_index k = budget_from_ratio(r, n);
      REQUIRE(k >= 1);
      REQUIRE(k <= n);
      REQUIRE(std::fabs(static_cast<double>(k) - r * static_cast<double>(n)) < 1.0 + 1e-9);
    }
  for (const double bad : {0.0, -0.1, 1.0, 1.5, double(NAN), double(INFINITY)})
    expect_error([&] { (void)budget_from_ratio(bad, 100); }, nacs::errc::invalid_argument, "must be in (0, 1)");
  expect_error([] { (void)budget_from_ratio(0.001, 100); }, nacs::errc::invalid_argument,
               "less than one row: use a ratio of at least 0.01");
  expect_error([] { (void)budget_from_ratio(0.5, 0); }, nacs::errc::invalid_argument, "no rows to choose from");
  expect_error([] { (void)budget_from_ratio(0.5, -1); }, nacs::errc::invalid_argument, "must be >= 0");
}

TEST_CASE("load_ctr_data with valid and test files: one report per file, vocabulary on train only, all encoded") {
  temp_dir dir("files");
  // Train: 60 rows (5 values of C1), a malformed line and a blank line; valid/test hold an unseen C1 value.
  std::string train = criteo_file(30, 5) + "not a row\n\n" + criteo_file(30, 5, 30);
  const auto data = dir.write("train.tsv", train);
  const auto valid = dir.write("valid.tsv", criteo_file(10, 5) + criteo_line(1, "deadbeef"));
  const auto test = dir.write("test.tsv", criteo_file(12, 5));
  std::vector<std::string> reported;
  std::int64_t progress_calls = 0;
  nacs::load_options o{.data = data, .format = nacs::data_format::criteo, .valid = valid, .test = test};
  o.vocabulary.min_count = 1;
  o.on_report = [&](const nacs::parse_report& r) { reported.push_back(r.source); };
  o.read.on_progress = {.fn = [&](const nacs::read_progress&) { ++progress_calls; }, .every_lines = 10};
  for (const bool origins : {false, true}) {
    reported.clear();
    progress_calls = 0;
    o.keep_origins = origins;
    const nacs::loaded_data d = nacs::load_ctr_data(nacs::seq, o);
    CHECK(reported == std::vector<std::string>{data.string(), valid.string(), test.string()});
    CHECK(progress_calls == 6 + 1 + 1);  // 62 + 11 + 12 lines, a call every 10
    REQUIRE(d.reports.size() == 3);
    CHECK(d.reports[0].rows_read == 60);
    CHECK(d.reports[0].rows_skipped == 1);
    CHECK(d.reports[0].blank_lines == 1);
    CHECK(d.rows_skipped() == 1);
    CHECK(!d.split);
    CHECK(d.format == nacs::data_format::criteo);
    CHECK(d.input == data.string());
    CHECK(d.train.rows() == 60);
    CHECK(d.valid.rows() == 11);
    CHECK(d.test.rows() == 12);
    CHECK(d.train.encoded());
    CHECK(d.valid.encoded());
    CHECK(d.test.encoded());
    d.train.validate();
    d.valid.validate();
    // C1 is field 13: 5 values seen in train, plus OOV; the valid-only value maps to OOV.
    CHECK(d.train.cardinalities[13] == 6);
    CHECK(d.valid.row(10)[13] == nacs::vocabulary::oov);
    CHECK(d.vocab.cardinalities() == d.train.cardinalities);
    CHECK(d.train_origins.size() == (origins ? 60u : 0u));
  }
}

TEST_CASE("load_ctr_data without valid/test: the seeded split of the file, as split() gives it") {
  temp_dir dir("split");
  const auto data = dir.write("all.tsv", criteo_file(200, 40));
  nacs::load_options o{.data = data, .format = nacs::data_format::criteo};
  o.split = {.train = 0.7, .valid = 0.2, .test = 0.1, .seed = 9};
  o.vocabulary.min_count = 3;
  const auto d = nacs::load_ctr_data(nacs::par, o);
  CHECK(d.split);
  CHECK(d.reports.size() == 1);
  // The same steps by hand.
  const auto read = nacs::read_criteo(data);
  const auto parts = nacs::split(nacs::seq, read.data, o.split);
  const auto vocab = nacs::build_vocabulary(nacs::seq, parts.train, {.min_count = 3});
  CHECK(d.train.ids == vocab.encode(nacs::seq, parts.train).ids);
  CHECK(d.train.labels == parts.train.labels);
  CHECK(d.valid.ids == vocab.encode(nacs::seq, parts.valid).ids);
  CHECK(d.test.labels == parts.test.labels);
  CHECK(d.train.rows() == 140);
  CHECK(d.valid.rows() == 40);
  CHECK(d.test.rows() == 20);
  // Same on seq.
  CHECK(nacs::load_ctr_data(nacs::seq, o).train.ids == d.train.ids);
  // A split without a validation share leaves an empty (but shaped) validation part.
  o.split = {.train = 0.9, .valid = 0, .test = 0.1};
  const auto nv = nacs::load_ctr_data(nacs::seq, o);
  CHECK(nv.valid.rows() == 0);
  CHECK(nv.test.rows() == 20);
}

TEST_CASE("load_ctr_data reads libsvm, libffm and csv; valid files follow data's sparse width") {
  temp_dir dir("formats");
  const auto svm = dir.write("a.svm", "1 3:1 5:1 9:1\n0 2:1 5:1 7:1\n1 3:1 4:1 9:1\n0 1:1 4:1 8:1\n");
  const auto svm_valid = dir.write("b.svm", "1 3:1 5:1 9:1\n0 2:1 5:1\n1 1:1 5:1 9:1\n");
  nacs::load_options o{.data = svm, .format = nacs::data_format::libsvm, .valid = svm_valid};
  o.vocabulary.min_count = 1;
  const auto d = nacs::load_ctr_data(nacs::seq, o);
  CHECK(d.train.rows() == 4);
  CHECK(d.train.num_fields() == 3);
  CHECK(d.valid.rows() == 2);  // the two-item line is malformed against data's three items
  CHECK(d.reports[1].rows_skipped == 1);

  const auto ffm = dir.write("a.ffm", "1 0:3:1 1:5:1\n0 0:2:1 1:5:1\n");
  o = {.data = ffm, .format = nacs::data_format::libffm, .split = {.train = 1, .valid = 0, .test = 0}};
  o.vocabulary.min_count = 1;
  CHECK(nacs::load_ctr_data(nacs::seq, o).train.rows() == 2);

  const auto csv = dir.write("c.csv", "id;click;site;app\n1;1;a;x\n2;0;b;y\n3;1;a;y\n4;0;c;x\n");
  o = {.data = csv, .format = nacs::data_format::csv, .split = {.train = 1, .valid = 0, .test = 0}};
  o.csv.label_column = "click";
  o.csv.categorical_columns = {"site", "app"};
  o.csv.delimiter = ';';
  o.vocabulary.min_count = 2;
  const auto c = nacs::load_ctr_data(nacs::seq, o);
  CHECK(c.train.field_names == std::vector<std::string>{"site", "app"});
  CHECK(c.train.labels == std::vector<float>{1, 0, 1, 0});
  CHECK(c.train.cardinalities == std::vector<std::uint32_t>{2, 3});  // site: a kept; app: x, y kept
}

TEST_CASE("load_ctr_data: a file in the wrong format, a missing file, an empty training part are errors") {
  temp_dir dir("errors");
  const auto csv = dir.write("c.csv", "click,site\n1,a\n0,b\n");
  expect_error([&] { (void)nacs::load_ctr_data(nacs::seq, {.data = csv, .format = nacs::data_format::criteo}); },
               nacs::errc::invalid_data, "no rows could be read: " + csv.string() + ": 0 rows read, 3 malformed");
  expect_error([&] { (void)nacs::load_ctr_data(nacs::seq, {.data = csv, .format = nacs::data_format::avazu}); },
               nacs::errc::invalid_data, "check --format (is it a avazu file?)");
  expect_error([&] { (void)nacs::load_ctr_data(nacs::seq, {.data = dir.path / "none.tsv"}); }, nacs::errc::io,
               "cannot open");
  const auto empty = dir.write("e.tsv", "\n\n");
  expect_error([&] { (void)nacs::load_ctr_data(nacs::seq, {.data = empty}); }, nacs::errc::invalid_data,
               "; the file holds no data rows");
  const auto good = dir.write("g.tsv", criteo_file(5, 2));
  expect_error([&] { (void)nacs::load_ctr_data(nacs::seq, {.data = good, .valid = csv}); }, nacs::errc::invalid_data,
               "no rows could be read: " + csv.string());
  nacs::load_options o{.data = good, .split = {.train = 0.01, .valid = 1, .test = 1}};
  expect_error([&] { (void)nacs::load_ctr_data(nacs::seq, o); }, nacs::errc::invalid_data, "no training rows");
  o = {.data = good, .read = {.on_error = nacs::error_policy::fail}};
  (void)nacs::load_ctr_data(nacs::seq, o);
  const auto bad = dir.write("bad.tsv", criteo_file(3, 2) + "x\n");
  o.data = bad;
  expect_error([&] { (void)nacs::load_ctr_data(nacs::seq, o); }, nacs::errc::parse, ":4: 1 tab-separated columns");
}

TEST_CASE("load_ctr_data: load_options::read reaches every file's reader, max_reported included") {
  temp_dir dir("read_options");
  // Three malformed lines in data, two in valid; keep one reason per file.
  const auto data = dir.write("d.tsv", criteo_file(20, 4) + "x\ny\nz\n");
  const auto valid = dir.write("v.tsv", criteo_file(10, 4, 20) + "p\nq\n");
  nacs::load_options o{.data = data, .valid = valid, .read = {.max_reported = 1}};
  o.vocabulary.min_count = 1;
  const auto d = nacs::load_ctr_data(nacs::seq, o);
  REQUIRE(d.reports.size() == 2);
  CHECK(d.reports[0].rows_skipped == 3);
  CHECK(d.reports[0].issues.size() == 1);
  CHECK(d.reports[1].rows_skipped == 2);
  CHECK(d.reports[1].issues.size() == 1);
  // A row limit applies to each file.
  o.read = {.max_rows = 4};
  const auto capped = nacs::load_ctr_data(nacs::seq, o);
  CHECK(capped.train.rows() == 4);
  CHECK(capped.valid.rows() == 4);
}

TEST_CASE("write_source_rows: the chosen training rows' lines as they are in the file, read back to the same rows") {
  temp_dir dir("emit");
  // Criteo with a malformed line, blank lines and CRLF ends in the middle.
  std::string text = criteo_file(20, 6) + "\n\nbad line\n" + criteo_file(3, 6, 20);
  for (int r = 23; r < 40; ++r) {
    std::string l = criteo_line(r % 2, "0000abcd", r);
    l.back() = '\r';  // the line's "\n" becomes "\r\n"
    l += '\n';
    text += l;
  }
  const auto data = dir.write("d.tsv", text);
  for (const bool split : {false, true}) {
    nacs::load_options o{.data = data, .format = nacs::data_format::criteo, .keep_origins = true};
    if (!split) o.test = data;
    o.split.seed = 4;
    const auto d = nacs::load_ctr_data(nacs::seq, o);
    REQUIRE(d.train_origins.size() == static_cast<std::size_t>(d.train.rows()));
    // Rows 0 and 2 and the last, out of order and one twice.
    const row_index last = d.train.rows() - 1;
    const std::vector<row_index> rows = {last, 0, 2, 2, last - 3};
    const auto out = dir.path / "emit.tsv";
    CHECK(nacs::write_source_rows(d, rows, out) == 5);
    const auto back = nacs::read_criteo(out);
    CHECK(back.report.rows_skipped == 0);
    CHECK(back.report.blank_lines == 0);
    REQUIRE(back.data.rows() == 5);
    // Written in file order: the training rows 0, 2, 2, last - 3, last.
    const std::vector<row_index> sorted = {0, 2, 2, last - 3, last};
    const auto encoded_back = d.vocab.encode(nacs::seq, back.data);
    CHECK(encoded_back.ids == d.train.select_rows(sorted).ids);
    CHECK(encoded_back.labels == d.train.select_rows(sorted).labels);
  }
  // Without keep_origins, and for rows out of range.
  const auto plain = nacs::load_ctr_data(nacs::seq, {.data = data, .test = data});
  const std::vector<row_index> one = {0};
  expect_error([&] { (void)nacs::write_source_rows(plain, one, dir.path / "x.tsv"); }, nacs::errc::invalid_argument,
               "keep_origins");
  const auto kept =
      nacs::load_ctr_data(nacs::seq, {.data = data, .test = data, .valid_share_of_data = 0.0, .keep_origins = true});
  const std::vector<row_index> outside = {0, kept.train.rows()};
  expect_error([&] { (void)nacs::write_source_rows(kept, outside, dir.path / "x.tsv"); },
               nacs::errc::invalid_argument, "row 40 (position 1) is outside the 40 training rows");
  expect_error([&] { (void)nacs::write_source_rows(kept, one, data); }, nacs::errc::invalid_argument,
               "is the data file itself");
  expect_error([&] { (void)nacs::write_source_rows(kept, one, dir.path / "no" / "x.tsv"); }, nacs::errc::io,
               "cannot open");
}

TEST_CASE("write_source_rows keeps the header of avazu and csv files, multi-line csv records whole, and max_rows") {
  temp_dir dir("emit_header");
  const auto csv = dir.write("c.csv",
                             "\nclick,site,note\n1,a,plain\n\n0,b,\"two\nlines\"\nbad,x,y\n1,c,x\n0,a,\"q\"\"uote\"\n");
  nacs::load_options o{.data = csv, .format = nacs::data_format::csv, .split = {.train = 1, .valid = 0, .test = 0},
                       .keep_origins = true};
  o.csv.label_column = "click";
  o.csv.categorical_columns = {"site", "note"};
  o.vocabulary.min_count = 1;
  const auto d = nacs::load_ctr_data(nacs::seq, o);
  REQUIRE(d.train.rows() == 4);
  CHECK(d.reports[0].rows_skipped == 1);
  std::vector<row_index> all(static_cast<std::size_t>(d.train.rows()));
  std::iota(all.begin(), all.end(), 0);
  const auto out = dir.path / "e.csv";
  (void)nacs::write_source_rows(d, all, out);
  const auto back = nacs::read_csv(out, o.csv);
  CHECK(back.report.rows_skipped == 0);
  CHECK(d.vocab.encode(nacs::seq, back.data).ids == d.train.ids);
  CHECK(back.data.labels == d.train.labels);
  const std::vector<row_index> second = {1};
  (void)nacs::write_source_rows(d, second, out);
  CHECK(read_text(out) == "click,site,note\n0,b,\"two\nlines\"\n");

  // Avazu with its header, read up to a row limit.
  std::string av = "id,click,hour,C1\n";
  for (int r = 0; r < 9; ++r) av += std::to_string(r) + "," + std::to_string(r % 2) + ",14102100," + std::to_string(r) + "\n";
  const auto avazu = dir.write("a.csv", av);
  nacs::load_options a{.data = avazu, .format = nacs::data_format::avazu, .test = avazu, .read = {.max_rows = 4},
                       .keep_origins = true};
  a.vocabulary.min_count = 1;
  const auto ad = nacs::load_ctr_data(nacs::seq, a);
  REQUIRE(ad.train.rows() == 4);
  const std::vector<row_index> rows = {3, 1};
  (void)nacs::write_source_rows(ad, rows, out);
  CHECK(read_text(out) == "id,click,hour,C1\n1,1,14102100,1\n3,1,14102100,3\n");
}

TEST_CASE("load_synthetic: the generator's rows split as split() does, with each part's clean labels and flips") {
  const nacs::synthetic_options g{.rows = 3000, .fields = 5, .vocabulary_size = 30, .flip_positive = 0.3,
                                  .flip_negative = 0.1, .seed = 11};
  const nacs::split_options s{.seed = 11};
  const auto d = nacs::load_synthetic(nacs::par, g, s);
  const auto raw = nacs::generate_synthetic(nacs::seq, g);
  const auto parts = nacs::split(nacs::seq, raw.data, s);
  const auto idx = nacs::split_rows(raw.data.rows(), s);
  CHECK(d.train.ids == parts.train.ids);
  CHECK(d.train.labels == parts.train.labels);
  CHECK(d.test.labels == parts.test.labels);
  CHECK(d.train.cardinalities == std::vector<std::uint32_t>(5, 30));
  REQUIRE(d.truth);
  const auto& t = *d.truth;
  CHECK(t.flipped == raw.flipped_count());
  CHECK(t.train.flipped_count() + t.valid.flipped_count() + t.test.flipped_count() == t.flipped);
  CHECK(t.noisy_oracle_auc == doctest::Approx(raw.noisy_oracle_auc()));
  CHECK(t.oracle_auc > t.noisy_oracle_auc);
  REQUIRE(t.train.clean_labels.size() == static_cast<std::size_t>(d.train.rows()));
  for (std::size_t i = 0; i < t.train.clean_labels.size(); ++i) {
    REQUIRE(t.train.clean_labels[i] == raw.clean_labels[static_cast<std::size_t>(idx.train[i])]);
    REQUIRE((t.train.flipped[i] == 1) == (t.train.clean_labels[i] != d.train.labels[i]));
  }
  CHECK(t.test.clean_probability.size() == static_cast<std::size_t>(d.test.rows()));
  CHECK(d.input == "synthetic");
  CHECK(!d.format);
  CHECK(d.reports.empty());

  // Written as label,f0,...: read back with integer values, the same ids and labels.
  temp_dir dir("synthetic");
  const std::vector<row_index> rows = {5, 0, 17};
  const auto out = dir.path / "s.csv";
  CHECK(nacs::write_source_rows(d, rows, out) == 3);
  nacs::csv_options c{.label_column = "label", .categorical_columns = d.train.field_names,
                      .values = nacs::csv_values::integer};
  const auto back = nacs::read_csv(out, c);
  CHECK(back.data.ids == d.train.select_rows(rows).ids);
  CHECK(back.data.labels == d.train.select_rows(rows).labels);

  expect_error([] { (void)nacs::load_synthetic(nacs::seq, {.rows = 10}, {.train = 0.01, .valid = 1, .test = 1}); },
               nacs::errc::invalid_data, "no training rows");
}

TEST_CASE("load_ctr_data on the Criteo sample: 8:1:1 files, nothing skipped") {
  const auto root = nacs_test::shared_data();
  if (!root) {
    MESSAGE("NACS_SHARED_DATA not found: skipping the Criteo sample load");
    return;
  }
  const fs::path dir = *root / "criteo-sample";
  const auto d = nacs::load_ctr_data(nacs::par, {.data = dir / "train.csv", .format = nacs::data_format::criteo,
                                                 .valid = dir / "dev.csv", .test = dir / "test.csv"});
  CHECK(d.train.rows() == 7200);
  CHECK(d.rows_skipped() == 0);
  CHECK(d.valid.rows() > 0);
  CHECK(d.test.rows() > 0);
}

TEST_CASE("load_ctr_data with only a test file: a seeded share of data validates") {
  temp_dir dir("testonly");
  const auto data = dir.write("train.tsv", criteo_file(200, 40));
  const auto test = dir.write("test.tsv", criteo_file(30, 40, 7));
  nacs::load_options o{.data = data, .format = nacs::data_format::criteo, .test = test};
  o.split.seed = 4;
  o.vocabulary.min_count = 1;
  const auto d = nacs::load_ctr_data(nacs::seq, o);
  CHECK(d.valid_from_data == 20);
  CHECK(d.valid.rows() == 20);
  CHECK(d.train.rows() == 180);
  CHECK(d.test.rows() == 30);
  CHECK(d.valid.encoded());
  // The rows are split() of the file with shares 0.9 / 0.1 / 0 and the same seed.
  const auto read = nacs::read_criteo(data);
  const auto parts = nacs::split(nacs::seq, read.data, {.train = 0.9, .valid = 0.1, .test = 0.0, .seed = 4});
  CHECK(d.valid.labels == parts.valid.labels);
  CHECK(d.train.labels == parts.train.labels);
  // Another seed, other validation rows; share 0 keeps every row for training.
  o.split.seed = 5;
  CHECK(nacs::load_ctr_data(nacs::seq, o).valid.ids != d.valid.ids);
  o.valid_share_of_data = 0.0;
  const auto none = nacs::load_ctr_data(nacs::seq, o);
  CHECK(none.valid.rows() == 0);
  CHECK(none.valid_from_data == 0);
  CHECK(none.train.rows() == 200);
  o.valid_share_of_data = 1.0;
  CHECK_THROWS_AS(nacs::load_ctr_data(nacs::seq, o), nacs::error);
}
