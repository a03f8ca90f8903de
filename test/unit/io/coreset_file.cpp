// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_ref/check.hpp>
#include <nacs/io/coreset_file.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nacs::row_index;
using nacs_ref::expect_error;

nacs::coreset_file parse(const std::string& text, std::optional<row_index> n = std::nullopt) {
  std::istringstream in(text);
  return nacs::read_coreset_file(in, "c.csv", n);
}

void parse_fails(const std::string& text, const std::string& fragment, std::optional<row_index> n = std::nullopt) {
  expect_error([&] { (void)parse(text, n); }, nacs::errc::parse, fragment);
}

fs::path temp_file(const std::string& name) { return fs::temp_directory_path() / ("nacs_coreset_file_" + name); }

}  // namespace

TEST_CASE("write_coreset_file then read_coreset_file gives the same rows, weights and labels, bit for bit") {
  const std::vector<row_index> rows = {17, 0, 5, row_index{1} << 40, 3};
  const std::vector<float> weights = {1.0f, 0.1f, 123456.78f, 0.0f, std::nextafter(1.0f, 2.0f)};
  const std::vector<float> labels = {1.0f, 0.0f, 0.3333333f, std::numeric_limits<float>::denorm_min(),
                                     std::nextafter(1.0f, 0.0f)};
  const fs::path p = temp_file("roundtrip.csv");
  nacs::write_coreset_file(p, rows, weights, labels);
  std::ifstream raw(p);
  std::string header;
  std::getline(raw, header);
  CHECK(header == "row,weight,label");
  const auto back = nacs::read_coreset_file(p);
  CHECK(back.format == nacs::coreset_file_format::coreset);
  CHECK(back.rows == rows);
  CHECK(back.weights == weights);
  CHECK(back.labels == labels);
  // An empty coreset writes the header alone, which reads as "no rows".
  nacs::write_coreset_file(p, {}, {}, {});
  expect_error([&] { (void)nacs::read_coreset_file(p); }, nacs::errc::invalid_data, "lists no rows");
  fs::remove(p);
}

TEST_CASE("write_coreset_file refuses bad values and sizes before writing") {
  const fs::path p = temp_file("bad.csv");
  const std::vector<row_index> rows = {1, 2};
  const std::vector<float> ok = {0.5f, 1.0f};
  expect_error([&] { nacs::write_coreset_file(p, rows, std::vector<float>{1.0f}, ok); }, nacs::errc::invalid_argument,
               "2 rows, 1 weights and 2 labels");
  expect_error([&] { nacs::write_coreset_file(p, std::vector<row_index>{1, -2}, ok, ok); },
               nacs::errc::invalid_argument, "row -2 at position 1 is negative");
  expect_error([&] { nacs::write_coreset_file(p, rows, std::vector<float>{1.0f, -1.0f}, ok); },
               nacs::errc::invalid_argument, "weight at position 1");
  expect_error([&] { nacs::write_coreset_file(p, rows, std::vector<float>{NAN, 1.0f}, ok); },
               nacs::errc::invalid_argument, "weight at position 0");
  expect_error([&] { nacs::write_coreset_file(p, rows, ok, std::vector<float>{0.5f, 1.5f}); },
               nacs::errc::invalid_argument, "label at position 1 is not in [0, 1]");
  CHECK(!fs::exists(p));
  expect_error([&] { nacs::write_coreset_file(temp_file("no/dir.csv"), rows, ok, ok); }, nacs::errc::io,
               "cannot open");
}

TEST_CASE("read_coreset_file accepts nacs-coreset's, nacs-greedy's and the plain rows format") {
  // nacs-coreset --out, with CRLF, blanks, a comment and a blank line.
  auto c = parse("row,weight,label\r\n4,2.5,0.9\r\n\r\n 7 , 1 , 0 # note\n");
  CHECK(c.format == nacs::coreset_file_format::coreset);
  CHECK(c.rows == std::vector<row_index>{4, 7});
  CHECK(c.weights == std::vector<float>{2.5f, 1.0f});
  CHECK(c.labels == std::vector<float>{0.9f, 0.0f});
  // Columns in another order, weight only.
  c = parse("weight,row\n3,10\n");
  CHECK(c.rows == std::vector<row_index>{10});
  CHECK(c.weights == std::vector<float>{3.0f});
  CHECK(c.labels.empty());
  // nacs-greedy --out: index,gain,weight (gain read and dropped).
  c = parse("index,gain,weight\n12,3.25,40\n2,-0.5,60\n");
  CHECK(c.format == nacs::coreset_file_format::greedy);
  CHECK(c.rows == std::vector<row_index>{12, 2});
  CHECK(c.weights == std::vector<float>{40.0f, 60.0f});
  CHECK(c.labels.empty());
  // Plain rows: no weights, or a weight on each line after ',' or blanks; a row may repeat.
  c = parse("# every other row\n0\n2\n2\n");
  CHECK(c.format == nacs::coreset_file_format::rows);
  CHECK(c.rows == std::vector<row_index>{0, 2, 2});
  CHECK(c.weights.empty());
  c = parse("0,2\n5\t0.5\n6 , 1e-3\n7 3\n");
  CHECK(c.rows == std::vector<row_index>{0, 5, 6, 7});
  CHECK(c.weights == std::vector<float>{2.0f, 0.5f, 1e-3f, 3.0f});
  // A byte order mark before the header.
  c = parse("\xEF\xBB\xBFrow,weight,label\n1,1,1\n");
  CHECK(c.rows == std::vector<row_index>{1});
  // The bound on indices.
  CHECK(parse("0\n9\n", 10).rows.size() == 2);
}

TEST_CASE("read_coreset_file: every kind of bad line is an error naming the source and the line") {
  parse_fails("row,weight,label\n1,1,0.5\n-3,1,0.5\n", "'c.csv' line 3: '-3' is not a row index");
  parse_fails("row,weight,label\nx,1,0.5\n", "line 2: 'x' is not a row index");
  parse_fails("row,weight,label\n1.5,1,0.5\n", "'1.5' is not a row index");
  parse_fails("row,weight,label\n99999999999999999999,1,0.5\n", "is not a row index");
  parse_fails("row,weight,label\n1,-1,0.5\n", "line 2: '-1' is not a weight (a finite number >= 0");
  parse_fails("row,weight,label\n1,nan,0.5\n", "'nan' is not a weight");
  parse_fails("row,weight,label\n1,inf,0.5\n", "'inf' is not a weight");
  parse_fails("row,weight,label\n1,,0.5\n", "'' is not a weight");
  parse_fails("row,weight,label\n1,1e39,0.5\n", "'1e39' is not a weight (a finite number >= 0 that fits a float");
  CHECK(parse("row,weight,label\n1,3.4e38,0.5\n").weights == std::vector<float>{3.4e38f});
  parse_fails("row,weight,label\n1,1,1.5\n", "'1.5' is not a label (a number in [0, 1])");
  parse_fails("row,weight,label\n1,1,-0.1\n", "'-0.1' is not a label");
  parse_fails("row,weight,label\n1,1\n", "line 2: 2 values, expected 3");
  parse_fails("row,weight,label\n1,1,0,4\n", "4 values, expected 3");
  parse_fails("index,gain,weight\n1,abc,2\n", "'abc' is not a gain");
  parse_fails("row,score\n1,2\n", "line 1: the header names an unknown column 'score'");
  parse_fails("weight,label\n1,0\n", "the header has no 'row' (or 'index') column");
  parse_fails("row,index\n1,2\n", "names the column 'index' twice");
  parse_fails("\n\n0\n5 1 2\n", "line 4: expected 'index' or 'index,weight', found more");
  parse_fails("0\n-1\n", "line 2: '-1' is not a row index");
  parse_fails("0\n1,x\n", "line 2: 'x' is not a weight");
  parse_fails("0\n5\n99999999\n", "line 3: row 99999999 is outside the 800 training rows", 800);
  parse_fails("0,1.5\n1\n", "1 of 2 lines have a weight; give a weight on every line or on none");
  expect_error([] { (void)parse("# nothing\n\n"); }, nacs::errc::invalid_data, "'c.csv' lists no rows");
  expect_error([] { (void)parse("index,gain,weight\n"); }, nacs::errc::invalid_data, "lists no rows");
  expect_error([] { (void)nacs::read_coreset_file(temp_file("missing.csv")); }, nacs::errc::io,
               "cannot open '" + temp_file("missing.csv").string() + "' for reading: no such file");
  // A directory opens as a stream on Linux; it is named as a directory before any read.
  expect_error([] { (void)nacs::read_coreset_file(fs::temp_directory_path()); }, nacs::errc::io,
               "it is a directory, not a coreset file");
}
