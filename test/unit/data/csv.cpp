// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/csv.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace {
nacs::csv_options basic() { return {.label_column = "y", .categorical_columns = {"b", "a"}}; }
}  // namespace

TEST_CASE("read_csv: named columns in the caller's order, other columns ignored, values hashed") {
  std::istringstream in("\xEF\xBB\xBF" "a,y,ignored,b\r\nx1,1,zzz,7\r\nx2,0,,07\r\n");
  const auto r = nacs::read_csv(in, basic(), "g.csv");
  REQUIRE(r.report.rows_read == 2);
  CHECK(r.report.header);
  const auto& d = r.data;
  CHECK_NOTHROW(d.validate());
  CHECK(d.field_names == std::vector<std::string>{"b", "a"});
  CHECK(d.labels == std::vector<float>{1, 0});
  CHECK(d.weights.empty());
  CHECK(d.row(0)[0] == nacs::fnv1a32("7"));
  CHECK(d.row(0)[1] == nacs::fnv1a32("x1"));
  CHECK(d.row(1)[0] == nacs::fnv1a32("07"));  // text identity: "07" is not "7"
}

TEST_CASE("read_csv: RFC 4180 quoting: delimiters, doubled quotes and line breaks inside quotes") {
  std::istringstream in("y,a,b\n1,\"x,y\",\"say \"\"hi\"\"\"\n0,\"two\nlines\",\"\"\n1,plain,\"\"\"\"\n");
  const auto r = nacs::read_csv(in, {.label_column = "y", .categorical_columns = {"a", "b"}});
  REQUIRE(r.report.rows_read == 3);
  CHECK(r.report.lines == 5);
  CHECK(r.data.row(0)[0] == nacs::fnv1a32("x,y"));
  CHECK(r.data.row(0)[1] == nacs::fnv1a32("say \"hi\""));
  CHECK(r.data.row(1)[0] == nacs::fnv1a32("two\nlines"));
  CHECK(r.data.row(1)[1] == nacs::fnv1a32(""));
  CHECK(r.data.row(2)[1] == nacs::fnv1a32("\""));
}

TEST_CASE("read_csv: integer values, weights, soft labels, another delimiter") {
  std::istringstream in("y;w;a\n1;0.5;12\n0.25;2;4294967295\n");
  const auto r = nacs::read_csv(in, {.label_column = "y",
                                     .categorical_columns = {"a"},
                                     .weight_column = "w",
                                     .delimiter = ';',
                                     .values = nacs::csv_values::integer,
                                     .soft_labels = true});
  REQUIRE(r.report.rows_read == 2);
  CHECK(r.data.ids == std::vector<std::uint32_t>{12, 4294967295u});
  CHECK(r.data.labels == std::vector<float>{1.0f, 0.25f});
  CHECK(r.data.weights == std::vector<float>{0.5f, 2.0f});
  CHECK(r.data.weight(1) == 2.0f);
}

TEST_CASE("read_csv: every malformed case is skipped, counted and located") {
  const std::string text =
      "y,w,a\n"          // 1 header
      "1,1,5\n"          // 2 good
      "1,1\n"            // 3 two columns
      "1,1,5,6\n"        // 4 four columns
      "2,1,5\n"          // 5 label 2
      "0.5,1,5\n"        // 6 soft label without soft_labels
      ",1,5\n"           // 7 empty label
      "1,-1,5\n"         // 8 negative weight
      "1,inf,5\n"        // 9 infinite weight
      "1,1,-5\n"         // 10 negative id
      "1,1,x\n"          // 11 not an integer
      "1,1,4294967296\n" // 12 past 32 bits
      "1,1,\"5\"x\n"     // 13 text after the closing quote
      "1,1,5\"\n"        // 14 stray quote
      "\n"               // 15 blank
      "0,2,9\n";         // 16 good
  std::istringstream in(text);
  const auto r = nacs::read_csv(in, {.label_column = "y",
                                     .categorical_columns = {"a"},
                                     .weight_column = "w",
                                     .values = nacs::csv_values::integer,
                                     .read = {.max_reported = 20}},
                                "m.csv");
  CHECK(r.report.rows_read == 2);
  CHECK(r.report.rows_skipped == 12);
  CHECK(r.report.blank_lines == 1);
  REQUIRE(r.report.issues.size() == 12);
  for (std::size_t i = 0; i < 12; ++i) CHECK(r.report.issues[i].line == static_cast<std::int64_t>(i + 3));
  CHECK(r.report.issues[0].reason == "2 columns, expected 3 (as in the header)");
  CHECK(r.report.issues[2].reason == "label '2' is not 0 or 1");
  CHECK(r.report.issues[5].reason == "weight '-1' is not a finite number >= 0");
  CHECK(r.report.issues[7].reason.find("column 'a' value '-5' is not an integer id") == 0);
  CHECK(r.data.ids == std::vector<std::uint32_t>{5, 9});
  CHECK(r.data.weights == std::vector<float>{1, 2});
  // With error_policy::fail the first one throws.
  std::istringstream again(text);
  CHECK_THROWS_WITH_AS((void)nacs::read_csv(again, {.label_column = "y",
                                                    .categorical_columns = {"a"},
                                                    .read = {.on_error = nacs::error_policy::fail}},
                                            "m.csv"),
                       doctest::Contains("m.csv:3: 2 columns, expected 3"), nacs::error);
}

TEST_CASE("read_csv: option and header errors are typed and say what to fix") {
  auto read = [](const std::string& text, nacs::csv_options o) {
    std::istringstream in(text);
    return nacs::read_csv(in, o, "h.csv");
  };
  using nacs::errc;
  auto code_of = [&](const std::string& text, nacs::csv_options o) {
    try {
      (void)read(text, o);
    } catch (const nacs::error& e) {
      return e.code();
    }
    FAIL("expected an error");
    return errc::unsupported;
  };
  CHECK(code_of("y,a\n", {.categorical_columns = {"a"}}) == errc::invalid_argument);
  CHECK(code_of("y,a\n", {.label_column = "y"}) == errc::invalid_argument);
  CHECK(code_of("y,a\n", {.label_column = "y", .categorical_columns = {"a", "a"}}) == errc::invalid_argument);
  CHECK(code_of("y,a\n", {.label_column = "y", .categorical_columns = {"y"}}) == errc::invalid_argument);
  CHECK(code_of("y,a\n", {.label_column = "y", .categorical_columns = {"a"}, .weight_column = "y"}) ==
        errc::invalid_argument);
  CHECK(code_of("y,a\n", {.label_column = "y", .categorical_columns = {"a"}, .delimiter = '"'}) ==
        errc::invalid_argument);
  CHECK(code_of("", basic()) == errc::parse);
  CHECK(code_of("\"y,a\n", basic()) == errc::parse);
  CHECK_THROWS_WITH_AS((void)read("y,a,c\n", basic()), doctest::Contains("'b' is not in the header of h.csv (its columns: y, a, c)"),
                       nacs::error);
  CHECK_THROWS_WITH_AS((void)read("y,a,b,a\n", basic()), doctest::Contains("appears twice in the header"), nacs::error);
  CHECK_THROWS_WITH_AS((void)nacs::read_csv(std::filesystem::path("/nonexistent/g.csv"), basic()),
                       doctest::Contains("/nonexistent/g.csv"), nacs::error);
  // A header alone is an empty dataset with its fields.
  const auto r = read("b,y,a\n", basic());
  CHECK(r.data.rows() == 0);
  CHECK(r.data.num_fields() == 2);
  // max_rows.
  nacs::csv_options o = basic();
  o.read.max_rows = 1;
  CHECK(read("a,b,y\n1,2,1\n3,4,0\n", o).data.rows() == 1);
}

TEST_CASE("read_csv: a blank-only input is called that; header names are escaped in messages") {
  const nacs::csv_options o{.label_column = "y", .categorical_columns = {"a"}};
  std::istringstream blanks("\n\n");
  CHECK_THROWS_WITH_AS((void)nacs::read_csv(blanks, o, "b.csv"), doctest::Contains("b.csv holds only blank lines"),
                       nacs::error);
  std::istringstream empty("");
  CHECK_THROWS_WITH_AS((void)nacs::read_csv(empty, o, "e.csv"), doctest::Contains("e.csv is empty"), nacs::error);
  std::istringstream garbage("y,\x1b[31mred\n1,2\n");
  try {
    (void)nacs::read_csv(garbage, o, "g.csv");
    FAIL("no error for a missing column");
  } catch (const nacs::error& e) {
    const std::string m = e.message();
    CHECK_MESSAGE(m.find("\\x1b[31mred") != std::string::npos, m);
    CHECK(m.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("read_csv: a weight beyond the float range is a malformed row, not an infinite weight") {
  std::istringstream in("y,a,w\n1,x,1e39\n0,x,3e38\n");
  const auto r = nacs::read_csv(in, {.label_column = "y", .categorical_columns = {"a"}, .weight_column = "w"});
  CHECK(r.report.rows_read == 1);
  REQUIRE(r.report.issues.size() == 1);
  CHECK(r.report.issues[0].line == 2);
  CHECK_MESSAGE(r.report.issues[0].reason.find("too large") != std::string::npos, r.report.issues[0].reason);
  CHECK(r.data.weights == std::vector<float>{3e38f});
}
