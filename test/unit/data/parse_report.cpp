// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/data/parse_report.hpp>
#include <nacs/data/avazu.hpp>
#include <nacs/data/criteo.hpp>
#include <nacs/data/csv.hpp>
#include <nacs/data/libsvm.hpp>
#include <nacs_ref/check.hpp>

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <type_traits>
#include <vector>

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

// ------------------------------------------------------------ progress calls
namespace {

// A stream buffer over a string that cannot seek (like a pipe).
class pipe_buf : public std::streambuf {
 public:
  explicit pipe_buf(std::string s) : s_(std::move(s)) { setg(s_.data(), s_.data(), s_.data() + s_.size()); }

 private:
  std::string s_;
};

std::string libsvm_text(int rows) {
  std::string s;
  for (int r = 0; r < rows; ++r) s += (r % 4 == 3 ? "2 1:5 2:6\n" : "1 1:5 2:6\n");  // every 4th label is malformed
  return s;
}

}  // namespace

TEST_CASE("read progress: called every every_lines lines with counts so far, the size when known") {
  const std::string text = libsvm_text(10);
  std::vector<nacs::read_progress> calls;
  nacs::libsvm_options o;
  o.read.on_progress = {.fn = [&](const nacs::read_progress& p) { calls.push_back(p); }, .every_lines = 3};
  std::istringstream in(text);
  const auto r = nacs::read_libsvm(in, o, "ten.svm");
  CHECK(r.data.rows() == 8);
  REQUIRE(calls.size() == 3);  // after lines 3, 6 and 9; 10 is not a multiple of 3
  for (std::size_t c = 0; c < calls.size(); ++c) {
    const auto lines = static_cast<std::int64_t>(3 * (c + 1));
    CHECK(calls[c].source == "ten.svm");
    CHECK(calls[c].lines == lines);
    CHECK(calls[c].bytes == lines * 10);  // every line is 9 characters and a newline
    CHECK(calls[c].total_bytes == static_cast<std::int64_t>(text.size()));
    CHECK(calls[c].rows_read + calls[c].rows_skipped == lines);
    CHECK(calls[c].fraction() == doctest::Approx(static_cast<double>(lines * 10) / 100.0));
  }
  CHECK(calls[0].rows_skipped == 0);
  CHECK(calls[1].rows_skipped == 1);
  CHECK(calls[2].rows_skipped == 2);

  // A count that divides the lines: the last call comes at the end of the input.
  calls.clear();
  o.read.on_progress.every_lines = 5;
  std::istringstream again(text);
  (void)nacs::read_libsvm(again, o);
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].lines == 10);
  CHECK(calls[1].bytes == 100);
  CHECK(calls[1].rows_read == 8);
  CHECK(calls[1].rows_skipped == 2);
}

TEST_CASE("read progress: a stream that cannot seek has no total; the read is unchanged") {
  const std::string text = libsvm_text(6);
  pipe_buf buf(text);
  std::istream in(&buf);
  std::vector<nacs::read_progress> calls;
  nacs::libsvm_options o;
  o.read.on_progress = {.fn = [&](const nacs::read_progress& p) { calls.push_back(p); }, .every_lines = 2};
  const auto r = nacs::read_libsvm(in, o);
  std::istringstream plain(text);
  const auto expected = nacs::read_libsvm(plain);
  CHECK(r.data.ids == expected.data.ids);
  CHECK(r.data.labels == expected.data.labels);
  CHECK(r.report.rows_skipped == expected.report.rows_skipped);
  REQUIRE(calls.size() == 3);
  CHECK(calls[2].total_bytes == -1);
  CHECK(calls[2].fraction() == -1.0);
  CHECK(calls[2].bytes == 60);
}

TEST_CASE("read progress: the position is kept when the size is measured; CRLF and an unterminated last line") {
  // Two lines consumed before the reader starts: the total is what is left.
  std::istringstream in("skip me\nand me\n0\tx\r\n");
  std::string junk;
  std::getline(in, junk);
  std::getline(in, junk);
  nacs::criteo_options o;
  std::vector<nacs::read_progress> calls;
  o.read.on_progress = {.fn = [&](const nacs::read_progress& p) { calls.push_back(p); }, .every_lines = 1};
  const auto r = nacs::read_criteo(in, o);
  CHECK(r.report.rows_skipped == 1);  // the one line left is malformed (2 columns)
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].lines == 1);
  CHECK(calls[0].bytes == 5);        // "0\tx\r\n"
  CHECK(calls[0].total_bytes == 5);

  nacs::csv_options c{.label_column = "y", .categorical_columns = {"a"}};
  calls.clear();
  c.read.on_progress = {.fn = [&](const nacs::read_progress& p) { calls.push_back(p); }, .every_lines = 2};
  std::istringstream csv("y,a\n1,\"p\nq\"\n0,r");  // a quoted line break; no newline at the end
  const auto rc = nacs::read_csv(csv, c);
  CHECK(rc.data.rows() == 2);
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].lines == 4);
  CHECK(calls[1].bytes == 15);
  CHECK(calls[1].total_bytes == 15);
}

TEST_CASE("read progress: a callback that throws ends the read; every_lines < 1 is refused; options compare equal") {
  nacs::libsvm_options o;
  o.read.on_progress = {.fn = [](const nacs::read_progress&) { throw std::runtime_error("stop"); }, .every_lines = 2};
  std::istringstream in(libsvm_text(5));
  CHECK_THROWS_WITH_AS((void)nacs::read_libsvm(in, o), "stop", std::runtime_error);
  o.read.on_progress.every_lines = 0;
  std::istringstream in2(libsvm_text(5));
  nacs_ref::expect_error([&] { (void)nacs::read_libsvm(in2, o); }, nacs::errc::invalid_argument,
                         "on_progress.every_lines is 0; it must be >= 1");
  CHECK(nacs::libsvm_options{} == o);  // callbacks and their interval take no part in ==
}

TEST_CASE("an empty, blank-only or header-only input is called that in the report") {
  std::istringstream empty("");
  auto r = nacs::read_criteo(empty, {}, "e.tsv");
  CHECK(r.report.no_rows_reason() == "the input is empty");
  CHECK(r.report.summary() == "e.tsv: 0 rows read, 0 malformed skipped; the input is empty");
  std::istringstream blanks("\n\n");
  r = nacs::read_libsvm(blanks, {}, "b.svm");
  CHECK(r.report.no_rows_reason() == "the input holds only blank lines");
  CHECK(r.report.summary().find("the input holds only blank lines") != std::string::npos);
  std::istringstream header_only("id,click,hour\n\n");
  r = nacs::read_avazu(header_only, {}, "h.csv");
  CHECK(r.report.header);
  CHECK(r.report.no_rows_reason() == "the input holds only a header line");
  CHECK(r.report.summary().find("only a header line") != std::string::npos);
  // Rows read or skipped: no such reason, and the summary is as before.
  std::istringstream one("1 1:1\nbad\n");
  r = nacs::read_libsvm(one, {}, "o.svm");
  CHECK(r.report.no_rows_reason().empty());
  std::istringstream skipped("bad\n");
  r = nacs::read_libsvm(skipped, {}, "s.svm");
  CHECK(r.report.rows_skipped == 1);
  CHECK(r.report.no_rows_reason().empty());
}

TEST_CASE("non-printable bytes in reader messages are escaped; UTF-8 text is kept") {
  CHECK(nacs::detail::printable("a\tb\nc\r") == "a\\tb\\nc\\r");
  CHECK(nacs::detail::printable(std::string("\x00\x7f", 2)) == "\\x00\\x7f");
  CHECK(nacs::detail::printable("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");  // é and €
  CHECK(nacs::detail::printable("\xc3") == "\\xc3");              // a truncated sequence
  CHECK(nacs::detail::printable("\xc0\xaf") == "\\xc0\\xaf");     // an overlong form
  CHECK(nacs::detail::printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(nacs::detail::quote(std::string(50, '\x01')).find("...") != std::string::npos);
  std::istringstream in("\x02\x03 1:1\n");
  const auto r = nacs::read_libsvm(in, {}, "g.svm");
  REQUIRE(r.report.issues.size() == 1);
  CHECK_MESSAGE(r.report.issues[0].reason.find("'\\x02\\x03'") != std::string::npos, r.report.issues[0].reason);
}

TEST_CASE("every reader says so when its path is a directory") {
  const auto dir = std::filesystem::temp_directory_path();
  for (int which = 0; which < 4; ++which) {
    CAPTURE(which);
    try {
      if (which == 0) (void)nacs::read_criteo(dir);
      if (which == 1) (void)nacs::read_avazu(dir);
      if (which == 2) (void)nacs::read_libsvm(dir);
      if (which == 3) (void)nacs::read_csv(dir, {.label_column = "y", .categorical_columns = {"a"}});
      FAIL("no error for a directory");
    } catch (const nacs::error& e) {
      CHECK(e.code() == nacs::errc::io);
      CHECK_MESSAGE(e.message().find("is a directory") != std::string::npos, e.message());
    }
  }
}

TEST_CASE("read_options: the settings every reader shares, one struct held as `read` by each reader's options") {
  static_assert(std::is_same_v<decltype(nacs::criteo_options::read), nacs::read_options>);
  static_assert(std::is_same_v<decltype(nacs::avazu_options::read), nacs::read_options>);
  static_assert(std::is_same_v<decltype(nacs::libsvm_options::read), nacs::read_options>);
  static_assert(std::is_same_v<decltype(nacs::libffm_options::read), nacs::read_options>);
  static_assert(std::is_same_v<decltype(nacs::csv_options::read), nacs::read_options>);
  // The defaults: skip and count, keep five reasons, read everything.
  const nacs::read_options d;
  CHECK(d.on_error == nacs::error_policy::skip);
  CHECK(d.max_reported == 5);
  CHECK_FALSE(d.max_rows.has_value());
  // They take part in the readers' ==, each field on its own.
  CHECK(nacs::criteo_options{.read = {.max_rows = 3}} != nacs::criteo_options{});
  CHECK(nacs::avazu_options{.read = {.max_reported = 4}} != nacs::avazu_options{});
  CHECK(nacs::libsvm_options{.read = {.on_error = nacs::error_policy::fail}} != nacs::libsvm_options{});
  CHECK(nacs::csv_options{.label_column = "y", .read = {.max_rows = 1}} !=
        nacs::csv_options{.label_column = "y"});

  // The same read_options act alike in two readers: a row limit and a reason limit.
  const nacs::read_options shared{.max_reported = 1, .max_rows = 2};
  std::istringstream svm("1 1:1 2:2\nbad\n0 1:3 2:4\nworse\n1 1:5 2:6\n");
  const auto a = nacs::read_libsvm(svm, {.read = shared});
  CHECK(a.data.rows() == 2);
  CHECK(a.report.rows_skipped == 1);  // stopped after the second kept row, before "worse"
  std::istringstream csv("y,a\n1,p\n2,q\n0,r\n3,s\n1,t\n");
  const auto b = nacs::read_csv(csv, {.label_column = "y", .categorical_columns = {"a"}, .read = shared});
  CHECK(b.data.rows() == 2);
  CHECK(b.report.rows_skipped == 1);
  CHECK(b.report.issues.size() == 1);
}
