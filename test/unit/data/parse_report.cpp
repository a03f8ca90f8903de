#include <doctest/doctest.h>
#include <nacs/data/parse_report.hpp>

TEST_CASE("parse_report::summary names the counts, the first issues and the notes") {
  nacs::parse_report r;
  r.source = "day.tsv";
  r.rows_read = 10;
  CHECK(r.summary() == "day.tsv: 10 rows read, 0 malformed skipped");
  r.rows_skipped = 3;
  r.blank_lines = 1;
  r.issues = {{4, "bad label"}, {7, "too few columns"}};
  r.notes = {"a note"};
  CHECK(r.summary() ==
        "day.tsv: 10 rows read, 3 malformed skipped, 1 blank lines (line 4: bad label; line 7: too few columns; ...); "
        "a note");
  nacs::parse_report same = r;
  CHECK(same == r);
  same.issues.pop_back();
  CHECK(!(same == r));
}

TEST_CASE("a default read_result is empty") {
  const nacs::read_result res{};
  CHECK(res.data.empty());
  CHECK(res.report.rows_read == 0);
  CHECK(res.report.issues.empty());
}
