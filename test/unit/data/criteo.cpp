// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_test/shared_data.hpp>
#include <nacs/data/criteo.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

// One well-formed line: label, 13 integers, 26 hashes; `ints` and `cats` override the defaults.
std::string criteo_line(const std::string& label, std::vector<std::string> ints = {},
                        std::vector<std::string> cats = {}) {
  ints.resize(13, "1");
  cats.resize(26, "0000000a");
  std::string s = label;
  for (const auto& v : ints) s += "\t" + v;
  for (const auto& v : cats) s += "\t" + v;
  return s;
}

using nacs_test::shared_data;

std::uint32_t as_id(std::int64_t bucket) { return static_cast<std::uint32_t>(static_cast<std::int32_t>(bucket)); }

}  // namespace

TEST_CASE("criteo_bucket follows floor(ln(v)^2) above 2 and the chosen rule below") {
  using nacs::criteo_bucket;
  using rule = nacs::criteo_integer_rule;
  CHECK(criteo_bucket(3) == 1);    // ln 3 = 1.0986, squared 1.207
  CHECK(criteo_bucket(10) == 5);   // 2.3026^2 = 5.30
  CHECK(criteo_bucket(1000) == 47);  // 6.9078^2 = 47.7
  CHECK(criteo_bucket(2) == 2);
  CHECK(criteo_bucket(0) == 0);
  CHECK(criteo_bucket(-3) == -3);
  CHECK(criteo_bucket(2, rule::log_squared_minus_two) == 0);
  CHECK(criteo_bucket(-1, rule::log_squared_minus_two) == -3);
  CHECK(criteo_bucket(10, rule::log_squared_minus_two) == 5);
  // Against the formula on a sweep.
  for (std::int64_t v = 3; v < 100000; v += 7) {
    const double l = std::log(static_cast<double>(v));
    REQUIRE(criteo_bucket(v) == static_cast<std::int64_t>(std::floor(l * l)));
  }
  CHECK(criteo_bucket(std::int64_t{1} << 62) == 1846);  // (62 ln 2)^2 = 1846.6
}

TEST_CASE("read_criteo: well-formed rows, empty cells and negative integers") {
  std::istringstream in(criteo_line("1", {"", "-2", "3", "1000"}, {"", "68fd1e64", "FFFFFFFF"}) + "\n" +
                        criteo_line("0") + "\r\n");
  const auto r = nacs::read_criteo(in, {}, "inline");
  REQUIRE(r.report.rows_read == 2);
  CHECK(r.report.rows_skipped == 0);
  CHECK(r.report.lines == 2);
  CHECK(r.report.source == "inline");
  const auto& d = r.data;
  CHECK_NOTHROW(d.validate());
  CHECK(!d.encoded());
  REQUIRE(d.num_fields() == 39);
  CHECK(d.field_names.front() == "I1");
  CHECK(d.field_names[13] == "C1");
  CHECK(d.field_names.back() == "C26");
  CHECK(d.labels == std::vector<float>{1.0f, 0.0f});
  const auto row = d.row(0);
  CHECK(row[0] == nacs::criteo_empty_integer);
  CHECK(row[1] == as_id(-2));
  CHECK(row[2] == 1u);
  CHECK(row[3] == 47u);
  CHECK(row[4] == 1u);
  CHECK(row[13] == nacs::criteo_empty_categorical);
  CHECK(row[14] == 0x68fd1e64u);
  CHECK(row[15] == 0xffffffffu);
  CHECK(row[16] == 0x0000000au);
  // Empty is distinct from every bucket: the pattern of INT32_MIN is never produced by a number.
  CHECK(nacs::criteo_empty_integer != as_id(-2147483647));
  // The sentinel collision is reported, not hidden.
  REQUIRE(r.report.notes.size() == 1);
  CHECK(r.report.notes[0].find("1 categorical cells hold the hash ffffffff") != std::string::npos);
}

TEST_CASE("read_criteo: the authors' rule maps small integers to v - 2") {
  std::istringstream in(criteo_line("0", {"2", "-1", "0", "5"}));
  const auto r = nacs::read_criteo(in, {.integers = nacs::criteo_integer_rule::log_squared_minus_two});
  REQUIRE(r.report.rows_read == 1);
  const auto row = r.data.row(0);
  CHECK(row[0] == 0u);
  CHECK(row[1] == as_id(-3));
  CHECK(row[2] == as_id(-2));
  CHECK(row[3] == 2u);  // ln 5 = 1.609, squared 2.59
}

TEST_CASE("read_criteo: every malformed case is skipped, counted and located") {
  std::string text;
  text += criteo_line("1") + "\n";                                  // line 1 good
  text += criteo_line("1").substr(0, criteo_line("1").rfind('\t')) + "\n";  // 2: 39 columns
  text += criteo_line("1") + "\textra\n";                           // 3: 41 columns
  text += criteo_line("2") + "\n";                                  // 4: label 2
  text += criteo_line("") + "\n";                                   // 5: empty label
  text += criteo_line("0", {"1", "x7"}) + "\n";                     // 6: bad integer
  text += criteo_line("0", {"1.5"}) + "\n";                         // 7: not an integer
  text += criteo_line("0", {}, {"68fd1e6"}) + "\n";                 // 8: 7 hex digits
  text += criteo_line("0", {}, {"68fd1e6g"}) + "\n";                // 9: bad hex digit
  text += "\n";                                                     // 10: blank
  text += criteo_line("0", {"99999999999999999999"}) + "\n";        // 11: integer overflow
  text += criteo_line("0", {"-3000000000"}) + "\n";                 // 12: bucket out of 32 bits
  text += criteo_line("0") + "\n";                                  // 13 good
  std::istringstream in(text);
  const auto r = nacs::read_criteo(in, {.read = {.max_reported = 20}}, "t.tsv");
  CHECK(r.report.rows_read == 2);
  CHECK(r.report.rows_skipped == 10);
  CHECK(r.report.blank_lines == 1);
  CHECK(r.report.lines == 13);
  REQUIRE(r.report.issues.size() == 10);
  const std::vector<std::int64_t> lines = {2, 3, 4, 5, 6, 7, 8, 9, 11, 12};
  for (std::size_t i = 0; i < lines.size(); ++i) CHECK(r.report.issues[i].line == lines[i]);
  CHECK(r.report.issues[0].reason == "39 tab-separated columns, expected 40");
  CHECK(r.report.issues[1].reason == "41 tab-separated columns, expected 40");
  CHECK(r.report.issues[2].reason == "label '2' is not 0 or 1");
  CHECK(r.report.issues[4].reason.find("I2") != std::string::npos);
  CHECK(r.report.issues[6].reason.find("C1") != std::string::npos);
  CHECK(r.report.issues[9].reason.find("out of the supported range") != std::string::npos);
  CHECK(r.data.rows() == 2);
  CHECK_NOTHROW(r.data.validate());
  // The summary names the count and the first lines.
  const auto s = r.report.summary();
  CHECK(s.find("t.tsv: 2 rows read, 10 malformed skipped") == 0);
  CHECK(s.find("line 2: 39 tab-separated columns") != std::string::npos);

  // The default keeps only the first 5 issues but still counts all of them.
  std::istringstream again(text);
  const auto r5 = nacs::read_criteo(again);
  CHECK(r5.report.rows_skipped == 10);
  CHECK(r5.report.issues.size() == 5);
  CHECK(r5.report.summary().find("; ...)") != std::string::npos);
}

TEST_CASE("read_criteo: error_policy::fail throws a parse error naming source, line and reason") {
  std::istringstream in(criteo_line("1") + "\n" + criteo_line("0", {"abc"}) + "\n");
  try {
    (void)nacs::read_criteo(in, {.read = {.on_error = nacs::error_policy::fail}}, "day_0.tsv");
    FAIL("expected a parse error");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::parse);
    CHECK(e.message().find("day_0.tsv:2: integer field I1 is 'abc'") == 0);
  }
}

TEST_CASE("read_criteo: max_rows stops early; a missing file is an io error with the path") {
  std::istringstream in(criteo_line("1") + "\n" + criteo_line("0") + "\n" + criteo_line("1") + "\n");
  const auto r = nacs::read_criteo(in, {.read = {.max_rows = 2}});
  CHECK(r.report.rows_read == 2);
  CHECK(r.data.rows() == 2);
  try {
    (void)nacs::read_criteo(std::filesystem::path("/nonexistent/criteo.tsv"));
    FAIL("expected an io error");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::io);
    CHECK(e.message().find("/nonexistent/criteo.tsv") != std::string::npos);
  }
}

TEST_CASE("read_criteo: an empty input gives an empty dataset with its fields") {
  std::istringstream in("");
  const auto r = nacs::read_criteo(in);
  CHECK(r.data.rows() == 0);
  CHECK(r.data.num_fields() == 39);
  CHECK(r.report.lines == 0);
}

TEST_CASE("read_criteo: the shared criteo sample"
          * doctest::skip(!nacs_test::shared_data())) {
  const auto dir = shared_data();
  REQUIRE(dir);  // the case is marked skipped (doctest's summary counts it) when the data are absent
  struct expected {
    const char* file;
    nacs::row_index rows, positives;
  };
  for (const expected e : {expected{"train.csv", 7200, 1549}, expected{"dev.csv", 409, 93},
                           expected{"test.csv", 391, 86}}) {
    CAPTURE(e.file);
    const auto r = nacs::read_criteo(*dir / "criteo-sample" / e.file, {.read = {.on_error = nacs::error_policy::fail}});
    CHECK(r.report.rows_read == e.rows);
    CHECK(r.report.rows_skipped == 0);
    CHECK(r.data.rows() == e.rows);
    CHECK_NOTHROW(r.data.validate());
    const double pos = std::accumulate(r.data.labels.begin(), r.data.labels.end(), 0.0);
    CHECK(pos == static_cast<double>(e.positives));
  }
}

TEST_CASE("read_criteo: an integer too large for 64 bits is called that, and raw bytes are escaped in reasons") {
  std::istringstream in(criteo_line("1", {"99999999999999999999"}) + "\n" + criteo_line("\x01\xff\x1b[2J") + "\n" +
                        criteo_line("0", {"12x"}) + "\n");
  const auto r = nacs::read_criteo(in);
  CHECK(r.report.rows_read == 0);
  REQUIRE(r.report.issues.size() == 3);
  CHECK_MESSAGE(r.report.issues[0].reason.find("too large for 64 bits") != std::string::npos, r.report.issues[0].reason);
  CHECK(r.report.issues[0].reason.find("not a base-10 integer") == std::string::npos);
  // The label's control bytes and the stray 0xff are written as \xNN, never raw.
  const std::string& label = r.report.issues[1].reason;
  CHECK_MESSAGE(label.find("'\\x01\\xff\\x1b[2J'") != std::string::npos, label);
  CHECK(label.find('\x01') == std::string::npos);
  CHECK(label.find('\x1b') == std::string::npos);
  // A malformed integer that is not a number is still called that.
  CHECK(r.report.issues[2].reason.find("not a base-10 integer") != std::string::npos);
  // error_policy::fail says the same.
  std::istringstream again(criteo_line("1", {"-99999999999999999999"}) + "\n");
  CHECK_THROWS_WITH_AS((void)nacs::read_criteo(again, {.read = {.on_error = nacs::error_policy::fail}}, "big.tsv"),
                       doctest::Contains("too large for 64 bits"), nacs::error);
}
