// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/libsvm.hpp>

#include <sstream>
#include <string>
#include <vector>

TEST_CASE("read_libsvm: the i-th pair is field i, id = idx, labels 0/1 or -1/+1") {
  std::istringstream in("1 3:1 17:1 4000000000:0.5\n-1 5:1 6:1 7:1\r\n0\t8:1  9:1 10:1\n+1 1:1 2:1 3:1.0\n");
  const auto r = nacs::read_libsvm(in, {}, "s.libsvm");
  REQUIRE(r.report.rows_read == 4);
  CHECK(r.report.rows_skipped == 0);
  const auto& d = r.data;
  CHECK_NOTHROW(d.validate());
  CHECK(d.field_names == std::vector<std::string>{"f0", "f1", "f2"});
  CHECK(d.labels == std::vector<float>{1, 0, 0, 1});
  CHECK(d.ids == std::vector<std::uint32_t>{3, 17, 4000000000u, 5, 6, 7, 8, 9, 10, 1, 2, 3});
}

TEST_CASE("read_libsvm: every malformed case is skipped, counted and located") {
  const std::string text =
      "1 1:1 2:1\n"        // 1 good, fixes 2 fields
      "2 1:1 2:1\n"        // 2 label 2
      "0.5 1:1 2:1\n"      // 3 label 0.5
      "yes 1:1 2:1\n"      // 4 label not a number
      "1\n"                // 5 no features
      "1 1:1\n"            // 6 one pair
      "1 1:1 2:1 3:1\n"    // 7 three pairs
      "1 1:1 x:1\n"        // 8 idx not a number
      "1 1:1 -2:1\n"       // 9 negative idx
      "1 1:1 2:y\n"        // 10 val not a number
      "1 1:1 2\n"          // 11 no colon
      "1 1:1 2:1:1\n"      // 12 two colons
      "   \n"              // 13 blank
      "1 1:1 4294967296:1\n"  // 14 idx past 32 bits
      "0 8:1 9:1\n";       // 15 good
  std::istringstream in(text);
  const auto r = nacs::read_libsvm(in, {.read = {.max_reported = 20}});
  CHECK(r.report.rows_read == 2);
  CHECK(r.report.rows_skipped == 12);
  CHECK(r.report.blank_lines == 1);
  REQUIRE(r.report.issues.size() == 12);
  const std::vector<std::int64_t> lines = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14};
  for (std::size_t i = 0; i < lines.size(); ++i) CHECK(r.report.issues[i].line == lines[i]);
  CHECK(r.report.issues[0].reason == "label '2' is not 0, 1 or -1");
  CHECK(r.report.issues[3].reason == "the row has a label but no features");
  CHECK(r.report.issues[4].reason == "1 idx:val pairs, expected 2 (as in the first row)");
  CHECK(r.report.issues[6].reason.find("item 2 is 'x:1'") == 0);
  CHECK(r.data.ids == std::vector<std::uint32_t>{1, 2, 8, 9});
}

TEST_CASE("read_libsvm: a malformed first row does not fix the field count; num_fields does") {
  std::istringstream in("1 1:1 2:z\n1 1:1 2:1 3:1\n0 4:1 5:1 6:1\n");
  const auto r = nacs::read_libsvm(in);
  CHECK(r.report.rows_read == 2);
  CHECK(r.data.num_fields() == 3);
  std::istringstream in2("1 1:1 2:1 3:1\n0 4:1 5:1\n");
  const auto r2 = nacs::read_libsvm(in2, {.num_fields = 2});
  CHECK(r2.report.rows_read == 1);
  CHECK(r2.report.issues.at(0).line == 1);
  CHECK(r2.report.issues.at(0).reason == "3 idx:val pairs, expected 2 (num_fields)");
  CHECK(r2.data.field_names == std::vector<std::string>{"f0", "f1"});
  std::istringstream empty("");
  CHECK(nacs::read_libsvm(empty, {.num_fields = 4}).data.num_fields() == 4);
  std::istringstream any("");
  CHECK_THROWS_AS((void)nacs::read_libsvm(any, {.num_fields = 0}), nacs::error);
}

TEST_CASE("read_libsvm and read_libffm: error_policy::fail and a missing file") {
  std::istringstream in("1 1:1\n1 1:1 2:1\n");
  CHECK_THROWS_WITH_AS((void)nacs::read_libsvm(in, {.read = {.on_error = nacs::error_policy::fail}}, "x.svm"),
                       doctest::Contains("x.svm:2: 2 idx:val pairs, expected 1"), nacs::error);
  std::istringstream in2("1 0:1:1\n1 1:1:1\n");
  CHECK_THROWS_WITH_AS((void)nacs::read_libffm(in2, {.read = {.on_error = nacs::error_policy::fail}}, "x.ffm"),
                       doctest::Contains("x.ffm:2: field 1 is not one of the first row's fields"), nacs::error);
  try {
    (void)nacs::read_libffm(std::filesystem::path("/nonexistent/x.ffm"));
    FAIL("expected an io error");
  } catch (const nacs::error& e) {
    CHECK(e.code() == nacs::errc::io);
  }
}

TEST_CASE("read_libffm: fields ordered by number, any order within a row") {
  std::istringstream in("1 2:30:1 0:10:1 7:70:1\n-1 0:11:1 7:71:1 2:31:1\n0 7:72:0.5 2:32:1 0:12:1\n");
  const auto r = nacs::read_libffm(in);
  REQUIRE(r.report.rows_read == 3);
  CHECK(r.data.field_names == std::vector<std::string>{"f0", "f2", "f7"});
  CHECK(r.data.ids == std::vector<std::uint32_t>{10, 30, 70, 11, 31, 71, 12, 32, 72});
  CHECK(r.data.labels == std::vector<float>{1, 0, 0});
}

TEST_CASE("read_libffm: every malformed case is skipped, counted and located") {
  const std::string text =
      "1 0:1:1 1:2:1\n"          // 1 good
      "1 0:1:1 0:2:1\n"          // 2 repeated field
      "1 0:1:1 5:2:1\n"          // 3 unknown field
      "1 0:1:1\n"                // 4 missing field
      "1 0:1:1 1:2\n"            // 5 two parts
      "1 0:1:1 1:2:1:1\n"        // 6 four parts
      "1 0:1:1 a:2:1\n"          // 7 bad field
      "1 0:1:1 1:b:1\n"          // 8 bad idx
      "1 0:1:1 1:2:c\n"          // 9 bad val
      "3 0:1:1 1:2:1\n"          // 10 bad label
      "0 1:9:1 0:8:1\n";         // 11 good
  std::istringstream in(text);
  const auto r = nacs::read_libffm(in, {.read = {.max_reported = 20}});
  CHECK(r.report.rows_read == 2);
  CHECK(r.report.rows_skipped == 9);
  REQUIRE(r.report.issues.size() == 9);
  for (std::size_t i = 0; i < 9; ++i) CHECK(r.report.issues[i].line == static_cast<std::int64_t>(i + 2));
  CHECK(r.report.issues[0].reason == "field 0 appears twice");
  CHECK(r.report.issues[1].reason == "field 5 is not one of the first row's fields");
  CHECK(r.report.issues[2].reason == "1 field:idx:val triples, expected 2 (one per field of the first row)");
  CHECK(r.data.ids == std::vector<std::uint32_t>{1, 2, 8, 9});
  // A first row that repeats a field is malformed and fixes nothing.
  std::istringstream dup("1 0:1:1 0:2:1\n1 0:1:1 1:2:1 2:3:1\n");
  const auto rd = nacs::read_libffm(dup);
  CHECK(rd.report.rows_read == 1);
  CHECK(rd.data.num_fields() == 3);
}

TEST_CASE("read_libsvm: a large seekable input reserves its columns once, from the size; max_rows caps it") {
  std::string text;
  for (int r = 0; r < 20000; ++r) text += (r % 2 ? "1 1:5 2:6 3:7\n" : "0 1:8 2:9 3:1\n");
  std::istringstream in(text);
  const auto r = nacs::read_libsvm(in);
  REQUIRE(r.data.rows() == 20000);
  // Estimated at row 4096: 1.02 * 20000 + 1024 rows of 3 ids, reserved once (no doubling past it).
  CHECK(r.data.labels.capacity() == 21424);
  CHECK(r.data.ids.capacity() == 3 * 21424);

  nacs::libsvm_options o;
  o.read.max_rows = 6000;
  std::istringstream capped(text);
  const auto c = nacs::read_libsvm(capped, o);
  CHECK(c.data.rows() == 6000);
  CHECK(c.data.labels.capacity() == 6000);

  // Fewer rows than the estimate point: the columns just grow.
  std::istringstream small("1 1:5\n0 1:6\n");
  CHECK(nacs::read_libsvm(small).data.labels.capacity() < 4096);
}
