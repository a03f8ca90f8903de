// SPDX-License-Identifier: Apache-2.0
// Shared by the fuzz targets: a property check that aborts (a libFuzzer finding)
// and the properties every reader's result must have. Not installed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <nacs/core/error.hpp>
#include <nacs/data/parse_report.hpp>

// A violated property: print it and abort, which libFuzzer reports as a crash with the input saved.
#define NACS_FUZZ_CHECK(cond, what)                                                               \
  do {                                                                                            \
    if (!(cond)) nacs_fuzz::fail(__FILE__, __LINE__, #cond, what);                               \
  } while (0)

namespace nacs_fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* cond, std::string_view what) {
  std::fprintf(stderr, "%s:%d: property violated: %s\n  %.*s\n", file, line, cond, static_cast<int>(what.size()),
               what.data());
  std::abort();
}

// No raw control byte or DEL reaches a message: they are escaped as \xNN.
inline bool printable(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Column sizes agree with the row count; the counts add up; reasons are printable.
// `exact_lines`: every physical line is one row, one skipped row, one blank line or the header
// (false where a quoted CSV field may span lines).
inline void check_result(const nacs::read_result& r, bool exact_lines) {
  const auto& d = r.data;
  const auto& rep = r.report;
  NACS_FUZZ_CHECK(d.ids.size() == d.labels.size() * d.num_fields(), rep.summary());
  NACS_FUZZ_CHECK(d.weights.empty() || d.weights.size() == d.labels.size(), rep.summary());
  NACS_FUZZ_CHECK(d.rows() == rep.rows_read, rep.summary());
  NACS_FUZZ_CHECK(rep.rows_read >= 0 && rep.rows_skipped >= 0 && rep.blank_lines >= 0, rep.summary());
  const std::int64_t accounted = rep.rows_read + rep.rows_skipped + rep.blank_lines + (rep.header ? 1 : 0);
  if (exact_lines) NACS_FUZZ_CHECK(rep.lines == accounted, rep.summary());
  else NACS_FUZZ_CHECK(rep.lines >= accounted, rep.summary());
  NACS_FUZZ_CHECK(rep.issues.size() <= static_cast<std::size_t>(rep.rows_skipped), rep.summary());
  for (const auto& i : rep.issues) {
    NACS_FUZZ_CHECK(i.line >= 1 && i.line <= rep.lines, rep.summary());
    NACS_FUZZ_CHECK(printable(i.reason), i.reason);
  }
  for (float y : d.labels) NACS_FUZZ_CHECK(y >= 0.0f && y <= 1.0f, rep.summary());
  for (float w : d.weights) NACS_FUZZ_CHECK(w >= 0.0f && std::isfinite(w), rep.summary());
}

// The outcome of one read: the result, or the nacs::error it threw. Any other exception is a finding.
struct outcome {
  bool threw = false;
  nacs::errc code{};
  std::string message;
  nacs::read_result result;
};

template <class Read>
outcome run(Read&& read) {
  outcome o;
  try {
    o.result = read();
  } catch (const nacs::error& e) {
    o.threw = true;
    o.code = e.code();
    o.message = e.message();
  } catch (const std::exception& e) {
    fail(__FILE__, __LINE__, "only nacs::error escapes a reader", e.what());
  }
  return o;
}

inline bool same_data(const nacs::dataset& a, const nacs::dataset& b) {
  return a.field_names == b.field_names && a.ids == b.ids && a.labels == b.labels && a.weights == b.weights;
}

// The policy contract: `fail` throws exactly when `skip` skipped a row, and otherwise both give
// the same data and report. A read that throws under `skip` (a bad header) throws under `fail`.
// Then the same input with a row limit gives a prefix of the full read.
template <class Options, class Read>
void check_policies(Options options, Read&& read, bool exact_lines) {
  options.read.on_error = nacs::error_policy::skip;
  // Progress every line: counts never go back and never exceed the lines read.
  std::int64_t last_lines = 0;
  options.read.on_progress = {.fn = [&](const nacs::read_progress& p) {
                           NACS_FUZZ_CHECK(p.lines > last_lines, "progress lines went back");
                           NACS_FUZZ_CHECK(p.rows_read + p.rows_skipped <= p.lines, "progress counts exceed lines");
                           NACS_FUZZ_CHECK(p.total_bytes < 0 || p.bytes <= p.total_bytes, "progress bytes past the end");
                           last_lines = p.lines;
                         },
                         .every_lines = 1};
  const outcome skip = run([&] { return read(options); });
  options.read.on_progress = {};
  options.read.on_error = nacs::error_policy::fail;
  const outcome fail_ = run([&] { return read(options); });
  if (skip.threw) {
    NACS_FUZZ_CHECK(printable(skip.message), skip.message);
    NACS_FUZZ_CHECK(fail_.threw, "skip threw but fail did not: " + skip.message);
    return;
  }
  check_result(skip.result, exact_lines);
  if (skip.result.report.rows_skipped > 0) {
    NACS_FUZZ_CHECK(fail_.threw && fail_.code == nacs::errc::parse,
                    "skip skipped a row but fail did not throw errc::parse: " + skip.result.report.summary());
    NACS_FUZZ_CHECK(printable(fail_.message), fail_.message);
    return;
  }
  NACS_FUZZ_CHECK(!fail_.threw, "fail threw though skip skipped nothing: " + fail_.message);
  NACS_FUZZ_CHECK(same_data(skip.result.data, fail_.result.data), "skip and fail read different data");
  NACS_FUZZ_CHECK(skip.result.report == fail_.result.report, "skip and fail report differently");

  // A row limit: the first rows of the full read, and no more than the limit.
  const nacs::row_index n = skip.result.data.rows();
  if (n == 0) return;
  options.read.on_error = nacs::error_policy::skip;
  options.read.max_rows = (n + 1) / 2;
  const outcome half = run([&] { return read(options); });
  NACS_FUZZ_CHECK(!half.threw, "a row limit made the read throw: " + half.message);
  const auto& h = half.result.data;
  NACS_FUZZ_CHECK(h.rows() == *options.read.max_rows, half.result.report.summary());
  NACS_FUZZ_CHECK(h.field_names == skip.result.data.field_names, "a row limit changed the fields");
  NACS_FUZZ_CHECK(std::equal(h.ids.begin(), h.ids.end(), skip.result.data.ids.begin()), "a row limit changed ids");
  NACS_FUZZ_CHECK(std::equal(h.labels.begin(), h.labels.end(), skip.result.data.labels.begin()),
                  "a row limit changed labels");
}

}  // namespace nacs_fuzz
