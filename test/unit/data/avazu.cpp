// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_test/shared_data.hpp>
#include <nacs/data/avazu.hpp>

#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::string header =
    "id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,app_category,device_id,"
    "device_ip,device_model,device_type,device_conn_type,C14,C15,C16,C17,C18,C19,C20,C21";
// 2014-10-21 was a Tuesday.
const std::string row1 =
    "10000169349117863715,0,14102100,1005,0,1fbe01fe,f3845767,28905ebd,ecad2386,7801e8d9,07d7df22,a99f214a,"
    "96809ac8,711ee120,1,0,15704,320,50,1722,0,35,100084,79";
const std::string row2 =
    "10001868339616595934,1,14102613,1005,1,e151e245,7e091613,f028772b,ecad2386,7801e8d9,07d7df22,a99f214a,"
    "5d877109,8f5c9827,1,0,17747,320,50,1974,2,39,-1,33";

using nacs_test::shared_data;

// The same row with column `col` (0-based) replaced.
std::string with_column(const std::string& line, std::size_t col, const std::string& value) {
  std::vector<std::string> parts;
  std::stringstream ss(line);
  for (std::string p; std::getline(ss, p, ',');) parts.push_back(p);
  parts.at(col) = value;
  std::string s;
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? "," : "") + parts[i];
  return s;
}

}  // namespace

TEST_CASE("read_avazu: header detected, id dropped, hour split, other columns hashed") {
  std::istringstream in(header + "\n" + row1 + "\n" + row2 + "\n");
  const auto r = nacs::read_avazu(in, {}, "a.csv");
  CHECK(r.report.header);
  CHECK(r.report.lines == 3);
  REQUIRE(r.report.rows_read == 2);
  const auto& d = r.data;
  CHECK_NOTHROW(d.validate());
  REQUIRE(d.num_fields() == 23);
  CHECK(d.field_names[0] == "hour_of_day");
  CHECK(d.field_names[1] == "weekday");
  CHECK(d.field_names[2] == "C1");
  CHECK(d.field_names.back() == "C21");
  CHECK(d.labels == std::vector<float>{0.0f, 1.0f});
  CHECK(d.row(0)[0] == 0u);  // 00h
  CHECK(d.row(0)[1] == 2u);  // Tuesday (0 = Sunday)
  CHECK(d.row(1)[0] == 13u);
  CHECK(d.row(1)[1] == 0u);  // 2014-10-26 was a Sunday
  CHECK(d.row(0)[2] == nacs::fnv1a32("1005"));
  CHECK(d.row(0)[4] == nacs::fnv1a32("1fbe01fe"));
  CHECK(d.row(1)[21] == nacs::fnv1a32("-1"));
}

TEST_CASE("read_avazu: without a header the standard columns are assumed; both forms agree") {
  std::istringstream with(header + "\n" + row1 + "\n" + row2 + "\n");
  std::istringstream without(row1 + "\r\n" + row2 + "\r\n");
  const auto a = nacs::read_avazu(with);
  const auto b = nacs::read_avazu(without);
  CHECK(!b.report.header);
  CHECK(b.report.rows_read == 2);
  CHECK(a.data.field_names == b.data.field_names);
  CHECK(a.data.ids == b.data.ids);
  CHECK(a.data.labels == b.data.labels);
}

TEST_CASE("read_avazu: a header in another column order and without id") {
  std::istringstream in("x,click,hour\nfoo,1,14103023\n\"b,ar\",0,14103100\n");
  const auto r = nacs::read_avazu(in);
  REQUIRE(r.report.rows_read == 2);
  CHECK(r.data.field_names == std::vector<std::string>{"x", "hour_of_day", "weekday"});
  CHECK(r.data.row(0)[0] == nacs::fnv1a32("foo"));
  CHECK(r.data.row(0)[1] == 23u);
  CHECK(r.data.row(0)[2] == 4u);  // 2014-10-30 was a Thursday
  CHECK(r.data.row(1)[0] == nacs::fnv1a32("b,ar"));
  CHECK(r.data.row(1)[2] == 5u);
}

TEST_CASE("read_avazu: every malformed case is skipped, counted and located") {
  std::string text = header + "\n";                         // 1
  text += row1 + "\n";                                      // 2 good
  text += row1 + ",extra\n";                                // 3: 25 columns
  text += row1.substr(0, row1.rfind(',')) + "\n";           // 4: 23 columns
  text += with_column(row1, 1, "2") + "\n";                 // 5: click 2
  text += with_column(row1, 1, "") + "\n";                  // 6: empty click
  text += with_column(row1, 2, "14132100") + "\n";          // 7: month 13
  text += with_column(row1, 2, "14022900") + "\n";          // 8: 2014-02-29 does not exist
  text += with_column(row1, 2, "14102124") + "\n";          // 9: hour 24
  text += with_column(row1, 2, "1410210") + "\n";           // 10: 7 digits
  text += "\n";                                             // 11: blank
  text += with_column(row1, 5, "ab\"cd") + "\n";            // 12: stray quote
  text += with_column(row1, 5, "\"ab\"x") + "\n";           // 13: text after a closing quote
  text += row2 + "\n";                                      // 14 good
  text += with_column(row1, 5, "\"open") + "\n";            // 15: quote never closed (runs to the end)
  std::istringstream in(text);
  const auto r = nacs::read_avazu(in, {.read = {.max_reported = 20}}, "bad.csv");
  CHECK(r.report.rows_read == 2);
  CHECK(r.report.rows_skipped == 11);
  CHECK(r.report.blank_lines == 1);
  REQUIRE(r.report.issues.size() == 11);
  const std::vector<std::int64_t> lines = {3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15};
  for (std::size_t i = 0; i < lines.size(); ++i) CHECK(r.report.issues[i].line == lines[i]);
  CHECK(r.report.issues[0].reason == "25 columns, expected 24");
  CHECK(r.report.issues[2].reason == "click '2' is not 0 or 1");
  CHECK(r.report.issues[4].reason == "hour '14132100' is not a valid YYMMDDHH");
  CHECK(r.report.issues[8].reason.find("double quote") != std::string::npos);
  CHECK(r.report.issues[10].reason.find("never closed") != std::string::npos);
  CHECK(r.data.labels == std::vector<float>{0.0f, 1.0f});
}

TEST_CASE("read_avazu: error_policy::fail, forced header modes, bad headers, missing file") {
  {
    std::istringstream in(row1 + "\n" + with_column(row1, 1, "yes") + "\n");
    try {
      (void)nacs::read_avazu(in, {.read = {.on_error = nacs::error_policy::fail}}, "f.csv");
      FAIL("expected a parse error");
    } catch (const nacs::error& e) {
      CHECK(e.code() == nacs::errc::parse);
      CHECK(e.message().find("f.csv:2: click 'yes' is not 0 or 1") == 0);
    }
  }
  {
    // header = false: a header line is then a malformed row, not silently dropped.
    std::istringstream in(header + "\n" + row1 + "\n");
    const auto r = nacs::read_avazu(in, {.header = false});
    CHECK(r.report.rows_read == 1);
    CHECK(r.report.rows_skipped == 1);
    CHECK(r.report.issues.at(0).line == 1);
  }
  {
    std::istringstream in("id,label,hour\n1,0,14102100\n");
    CHECK_THROWS_WITH_AS((void)nacs::read_avazu(in, {.header = true}), doctest::Contains("no 'click' column"),
                         nacs::error);
  }
  {
    std::istringstream in("a,click,a\n1,0,2\n");
    CHECK_THROWS_WITH_AS((void)nacs::read_avazu(in), doctest::Contains("names column 'a' twice"), nacs::error);
  }
  CHECK_THROWS_WITH_AS((void)nacs::read_avazu(std::filesystem::path("/nonexistent/avazu.csv")),
                       doctest::Contains("/nonexistent/avazu.csv"), nacs::error);
  {
    std::istringstream in(row1 + "\n" + row2 + "\n" + row1 + "\n");
    CHECK(nacs::read_avazu(in, {.read = {.max_rows = 2}}).data.rows() == 2);
    std::istringstream in0(row1 + "\n");
    CHECK(nacs::read_avazu(in0, {.read = {.max_rows = 0}}).data.rows() == 0);
  }
  {
    std::istringstream empty("");
    const auto r = nacs::read_avazu(empty);
    CHECK(r.data.rows() == 0);
    CHECK(r.data.num_fields() == 23);
  }
}

TEST_CASE("read_avazu: the shared avazu sample (train with a header, dev and test without)"
          * doctest::skip(!nacs_test::shared_data())) {
  const auto dir = shared_data();
  REQUIRE(dir);  // the case is marked skipped (doctest's summary counts it) when the data are absent
  struct expected {
    const char* file;
    bool header;
    nacs::row_index rows, positives;
  };
  std::vector<std::string> names;
  for (const expected e : {expected{"train.csv", true, 8087, 1397}, expected{"dev.csv", false, 480, 86},
                           expected{"test.csv", false, 432, 80}}) {
    CAPTURE(e.file);
    const auto r = nacs::read_avazu(*dir / "avazu-sample" / e.file, {.read = {.on_error = nacs::error_policy::fail}});
    CHECK(r.report.header == e.header);
    CHECK(r.report.rows_read == e.rows);
    CHECK(r.report.rows_skipped == 0);
    CHECK_NOTHROW(r.data.validate());
    const double pos = std::accumulate(r.data.labels.begin(), r.data.labels.end(), 0.0);
    CHECK(pos == static_cast<double>(e.positives));
    if (names.empty()) names = r.data.field_names;
    CHECK(r.data.field_names == names);
  }
}
