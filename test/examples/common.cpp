// SPDX-License-Identifier: Apache-2.0
// Tests of the example programs' shared helpers: examples/common/cli.hpp (flag
// parser on CLI11), examples/common/json.hpp (JSON line writer on nlohmann-json)
// and examples/common/messages.hpp (messages in the user's terms).
#include <doctest/doctest.h>

#include "common/cli.hpp"
#include "common/json.hpp"
#include "common/messages.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Parses `args` (without the program name) with p.
void parse(nacs_cli::parser& p, std::vector<std::string> args) {
  std::vector<const char*> argv{"prog"};
  for (const auto& a : args) argv.push_back(a.c_str());
  p.parse(static_cast<int>(argv.size()), argv.data());
}

// The usage_error message of parsing `args`, or "" when it parses; with_hint: as
// guarded_main prints it, "message (hint)".
template <class Setup>
std::string usage_error_of(Setup setup, std::vector<std::string> args, bool with_hint = false) {
  nacs_cli::parser p("prog", "A test program.");
  setup(p);
  try {
    parse(p, std::move(args));
  } catch (const nacs_cli::usage_error& e) {
    return with_hint && !e.hint().empty() ? std::string(e.what()) + " (" + e.hint() + ")" : std::string(e.what());
  }
  return "";
}

struct flags {
  nacs_cli::option<std::int64_t> k;
  nacs_cli::option<double> ratio;
  nacs_cli::option<std::string> mode;
  nacs_cli::option<std::uint64_t> seed;
  nacs_cli::option<int> threads;
  nacs_cli::option<bool> quiet;
  nacs_cli::option<std::string> file;
};

flags declare(nacs_cli::parser& p) {
  using nacs_cli::spec;
  return flags{p.flag<std::int64_t>("k", "K", "rows to pick", {.min = 0}),
               p.flag<double>("ratio", "R", "fraction", {.min = 0.0, .min_exclusive = true, .max = 1.0}),
               p.flag<std::string>("mode", "NAME", "how", {.default_value = "fast", .choices = {"fast", "slow"}}),
               p.flag<std::uint64_t>("seed", "S", "seed", {.default_value = 7}),
               p.flag<int>("threads", "T", "threads", {.min = 1, .max = 64, .max_exclusive = true}),
               p.flag_switch("quiet", "say less"),
               p.positional<std::string>("FILE", "input")};
}

}  // namespace

TEST_CASE("cli: typed values, defaults, both flag syntaxes and a positional") {
  nacs_cli::parser p("prog", "A test program.");
  const flags f = declare(p);
  parse(p, {"--k", "12", "data.npy", "--ratio=0.25", "--mode", "slow", "--threads", "+4", "--quiet"});
  CHECK_FALSE(p.help_requested());
  CHECK(f.k.given());
  CHECK(*f.k == 12);
  CHECK(*f.ratio == 0.25);
  CHECK(*f.mode == "slow");
  CHECK(*f.threads == 4);
  CHECK(*f.quiet);
  CHECK(*f.file == "data.npy");
  CHECK_FALSE(f.seed.given());
  CHECK(f.seed.has_value());
  CHECK(*f.seed == 7);  // the default
  CHECK(f.k.flag() == "--k");
  CHECK(f.file.flag() == "FILE");
}

TEST_CASE("cli: absent flags") {
  nacs_cli::parser p("prog", "A test program.");
  const flags f = declare(p);
  parse(p, {});
  CHECK_FALSE(f.k.given());
  CHECK_FALSE(f.k.has_value());
  CHECK(f.k.get() == std::nullopt);
  CHECK_THROWS_AS((void)*f.k, std::logic_error);
  CHECK(*f.mode == "fast");
  CHECK_FALSE(*f.quiet);
  CHECK_FALSE(f.file.given());
}

TEST_CASE("cli: numbers: negative values, extremes, bounds") {
  nacs_cli::parser p("prog", "A test program.");
  auto x = p.flag<double>("x", "X", "any number");
  auto i = p.flag<std::int64_t>("i", "I", "any integer");
  auto u = p.flag<std::uint64_t>("u", "U", "any unsigned");
  parse(p, {"--x", "-1.5e-3", "--i", "-9223372036854775808", "--u", "18446744073709551615"});
  CHECK(*x == -1.5e-3);
  CHECK(*i == std::numeric_limits<std::int64_t>::min());
  CHECK(*u == std::numeric_limits<std::uint64_t>::max());

  const auto setup = [](nacs_cli::parser& q) { (void)declare(q); };
  CHECK(usage_error_of(setup, {"--k", "-5"}) == "--k must be >= 0, got -5");
  CHECK(usage_error_of(setup, {"--k", "0"}).empty());
  CHECK(usage_error_of(setup, {"--ratio", "0"}) == "--ratio must be > 0, got 0");
  CHECK(usage_error_of(setup, {"--ratio", "1"}).empty());
  CHECK(usage_error_of(setup, {"--ratio", "1.0001"}) == "--ratio must be <= 1, got 1.0001");
  CHECK(usage_error_of(setup, {"--threads", "64"}) == "--threads must be < 64, got 64");
  CHECK(usage_error_of(setup, {"--threads", "0"}) == "--threads must be >= 1, got 0");
  CHECK(usage_error_of(setup, {"--seed", "-1"}) == "--seed expects a whole number >= 0, got '-1'");
  CHECK(usage_error_of(setup, {"--k", "1.5"}) == "--k expects a whole number, got '1.5'");
  CHECK(usage_error_of(setup, {"--k", "12abc"}) == "--k expects a whole number, got '12abc'");
  CHECK(usage_error_of(setup, {"--k="}) == "--k expects a whole number, got ''");
  CHECK(usage_error_of(setup, {"--k=", "5"}) == "--k expects a whole number, got ''");  // not --k 5
  CHECK(usage_error_of(setup, {"--k", "9223372036854775808"}) == "--k expects a whole number in range, got '9223372036854775808'");
  CHECK(usage_error_of(setup, {"--threads", "99999999999"}) == "--threads expects a whole number in range, got '99999999999'");
  CHECK(usage_error_of(setup, {"--ratio", "half"}) == "--ratio expects a number, got 'half'");
  CHECK(usage_error_of(setup, {"--ratio", "inf"}) == "--ratio expects a finite number, got 'inf'");
  CHECK(usage_error_of(setup, {"--ratio", "nan"}) == "--ratio expects a finite number, got 'nan'");
  CHECK(usage_error_of(setup, {"--ratio", "1e999"}) == "--ratio expects a finite number, got '1e999'");
}

TEST_CASE("cli: malformed command lines") {
  const auto setup = [](nacs_cli::parser& p) { (void)declare(p); };
  CHECK(usage_error_of(setup, {"--mode", "medium"}) == "--mode must be one of fast, slow; got 'medium'");
  CHECK(usage_error_of(setup, {"--k"}) == "--k needs a value (--k K)");
  CHECK(usage_error_of(setup, {"--k", "--quiet"}) == "--k needs a value (--k K)");
  CHECK(usage_error_of(setup, {"--k", "1", "--k", "2"}) == "--k is given twice");
  CHECK(usage_error_of(setup, {"--quiet", "--quiet"}) == "--quiet is given twice");
  CHECK(usage_error_of(setup, {"--quiet=1"}) == "--quiet is a switch and takes no value");
  CHECK(usage_error_of(setup, {"--quiet=true"}) == "--quiet is a switch and takes no value");
  CHECK(usage_error_of(setup, {"--modes", "fast"}) == "unknown option '--modes'");
  CHECK(usage_error_of(setup, {"-k", "3"}) == "unknown option '-k'");
  CHECK(usage_error_of(setup, {"a.npy", "b.npy"}) == "unexpected argument 'b.npy'");
  CHECK(usage_error_of(setup, {"--FILE", "a"}) == "unknown option '--FILE'");
  CHECK(usage_error_of(setup, {"--bogus=1", "--k", "1"}) == "unknown option '--bogus'");
  // After "--" a flag-like word is an argument, and there is no place for it here.
  CHECK(usage_error_of(setup, {"a.npy", "--", "--k"}) == "unexpected argument '--k'");
}

TEST_CASE("cli: each message ends with one hint: a suggestion when one is close, else see --help") {
  const auto setup = [](nacs_cli::parser& p) { (void)declare(p); };
  CHECK(usage_error_of(setup, {"--modes", "fast"}, true) == "unknown option '--modes' (did you mean --mode?)");
  CHECK(usage_error_of(setup, {"--treads", "2"}, true) == "unknown option '--treads' (did you mean --threads?)");
  CHECK(usage_error_of(setup, {"-k", "3"}, true) == "unknown option '-k' (did you mean --k?)");
  CHECK(usage_error_of(setup, {"--zzzzzz"}, true) == "unknown option '--zzzzzz' (see --help)");
  CHECK(usage_error_of(setup, {"--FILE", "a"}, true) == "unknown option '--FILE' (see --help)");
  CHECK(usage_error_of(setup, {"--mode", "slwo"}, true) ==
        "--mode must be one of fast, slow; got 'slwo' (did you mean slow?)");
  CHECK(usage_error_of(setup, {"--mode", "medium"}, true) == "--mode must be one of fast, slow; got 'medium' (see --help)");
  CHECK(usage_error_of(setup, {"--k", "-1"}, true) == "--k must be >= 0, got -1 (see --help)");
  // Never two hints.
  for (const auto& args : std::vector<std::vector<std::string>>{{"--zzzzzz"}, {"--modes"}, {"--mode", "x"}, {"--k"}}) {
    const std::string m = usage_error_of(setup, args, true);
    const auto count = [&](std::string_view what) {
      std::size_t n = 0;
      for (std::size_t at = m.find(what); at != std::string::npos; at = m.find(what, at + 1)) ++n;
      return n;
    };
    CHECK(count("(see --help)") + count("(did you mean") == 1);
  }
  CHECK(nacs_cli::usage_error("x").hint() == "see --help");
  CHECK(nacs_cli::usage_error("x", "").hint().empty());
}

TEST_CASE("cli: '--' ends the options; a lone '-' and negative numbers are positionals") {
  nacs_cli::parser p("prog", "A test program.");
  const flags f = declare(p);
  parse(p, {"--k", "3", "--", "--weird-name"});
  CHECK(*f.file == "--weird-name");
  nacs_cli::parser q("prog", "A test program.");
  auto n = q.positional<double>("N", "a number");
  parse(q, {"-2.5"});
  CHECK(*n == -2.5);
  nacs_cli::parser r("prog", "A test program.");
  auto s = r.positional<std::string>("FILE", "input");
  parse(r, {"-"});
  CHECK(*s == "-");
}

TEST_CASE("cli: required flags and groups") {
  const auto required = [](nacs_cli::parser& p) {
    (void)p.flag<std::string>("name", "NAME", "who", {.required = true});
    (void)p.positional<std::string>("FILE", "input", {.required = true});
  };
  CHECK(usage_error_of(required, {"f"}) == "--name is required (--name NAME)");
  CHECK(usage_error_of(required, {"--name", "x"}) == "FILE is required");
  CHECK(usage_error_of(required, {"--name", "x", "f"}).empty());

  const auto groups = [](nacs_cli::parser& p) {
    (void)declare(p);
    p.exactly_one_of({"k", "ratio"});
    p.at_most_one_of({"FILE", "seed"});
  };
  CHECK(usage_error_of(groups, {}) == "give one of --k, --ratio");
  CHECK(usage_error_of(groups, {"--k", "1", "--ratio", "0.5"}) == "give only one of --k, --ratio (got --k and --ratio)");
  CHECK(usage_error_of(groups, {"--ratio", "0.5"}).empty());
  CHECK(usage_error_of(groups, {"--k", "1", "f", "--seed", "2"}) == "give only one of FILE, --seed (got FILE and --seed)");
  CHECK(usage_error_of(groups, {"--k", "1", "--seed", "2"}).empty());
}

TEST_CASE("cli: --help is found anywhere and skips every check") {
  nacs_cli::parser p("prog", "A test program.");
  (void)declare(p);
  p.exactly_one_of({"k", "ratio"});
  p.epilog("Exit status: 0 or 2.");
  parse(p, {"--k", "-4", "--bogus", "-h"});
  CHECK(p.help_requested());
  const std::string h = p.help();
  CHECK(h.find("Usage: prog [FILE] [options]\n\nA test program.\n") == 0);
  CHECK(h.find("--k K") != std::string::npos);
  CHECK(h.find("rows to pick (K >= 0)") != std::string::npos);
  CHECK(h.find("(0 < R <= 1)") != std::string::npos);
  CHECK(h.find("(1 <= T < 64)") != std::string::npos);
  CHECK(h.find("(fast|slow; default fast)") != std::string::npos);
  CHECK(h.find("--quiet") != std::string::npos);
  CHECK(h.find("-h, --help") != std::string::npos);
  CHECK(h.find("Exit status: 0 or 2.\n") != std::string::npos);
  for (std::size_t b = 0, e; (e = h.find('\n', b)) != std::string::npos; b = e + 1) CHECK(e - b <= 100);

  nacs_cli::parser q("prog", "A test program.");
  (void)declare(q);
  parse(q, {"--", "--help"});  // after "--" it is a positional
  CHECK_FALSE(q.help_requested());
}

TEST_CASE("cli: declaring a flag twice is a programming error") {
  nacs_cli::parser p("prog", "A test program.");
  (void)p.flag<int>("n", "N", "n");
  CHECK_THROWS_AS((void)p.flag<int>("n", "N", "again"), std::logic_error);
  CHECK_THROWS_AS((void)p.flag<int>("help", "H", "reserved"), std::logic_error);
  CHECK_THROWS_AS((void)p.flag<int>("--x", "X", "dashes"), std::logic_error);
  p.exactly_one_of({"n", "undeclared"});
  CHECK_THROWS_AS(parse(p, {}), std::logic_error);
}

TEST_CASE("cli: guarded_main turns exceptions into exit statuses") {
  CHECK(nacs_cli::guarded_main("prog", [] { return 0; }) == nacs_cli::exit_ok);
  CHECK(nacs_cli::guarded_main("prog", [] { return 3; }) == 3);
  CHECK(nacs_cli::guarded_main("prog", []() -> int { throw nacs_cli::usage_error("bad flag"); }) == nacs_cli::exit_usage);
  CHECK(nacs_cli::guarded_main("prog", []() -> int { throw nacs::error(nacs::errc::io, "no file"); }) ==
        nacs_cli::exit_failure);
  CHECK(nacs_cli::guarded_main("prog", []() -> int { throw std::bad_alloc(); }) == nacs_cli::exit_failure);
  CHECK(nacs_cli::guarded_main("prog", []() -> int { throw std::bad_alloc(); }, "use --small") == nacs_cli::exit_failure);
  CHECK(nacs_cli::guarded_main("prog", []() -> int { throw std::runtime_error("x"); }) == nacs_cli::exit_failure);
  CHECK(nacs_cli::guarded_main("prog", []() -> int { throw 42; }) == nacs_cli::exit_failure);
}

TEST_CASE("json: string escaping") {
  using nacs_cli::json_string;
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string("") == "\"\"");
  CHECK(json_string("a\"b\\c/d") == "\"a\\\"b\\\\c/d\"");
  CHECK(json_string("\b\f\n\r\t") == "\"\\b\\f\\n\\r\\t\"");
  CHECK(json_string(std::string("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
  CHECK(json_string("\x7f") == "\"\x7f\"");  // DEL needs no escape in JSON
  CHECK(json_string(std::string("a\0b", 3)) == "\"a\\u0000b\"");
  // Valid UTF-8 passes through: 2, 3 and 4 byte sequences.
  CHECK(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // Invalid UTF-8 becomes U+FFFD (written as UTF-8, EF BF BD), as nlohmann-json replaces it: a
  // lone continuation byte, 0xff, a cut sequence (one for the whole cut), an overlong '/', a
  // UTF-16 surrogate, a code point past U+10FFFF.
  const std::string r = "\xef\xbf\xbd";
  CHECK(json_string("\x80") == "\"" + r + "\"");
  CHECK(json_string("a\xff" "b") == "\"a" + r + "b\"");
  CHECK(json_string("\xe2\x82") == "\"" + r + "\"");
  CHECK(json_string("\xc0\xaf") == "\"" + r + r + "\"");
  CHECK(json_string("\xed\xa0\x80") == "\"" + r + r + r + "\"");
  CHECK(json_string("\xf4\x90\x80\x80") == "\"" + r + r + r + r + "\"");
  // Whatever the bytes, the result reads back as JSON.
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  CHECK(nlohmann::json::parse(json_string(all)).is_string());
}

TEST_CASE("json: numbers round-trip; NaN and infinity are null") {
  using nacs_cli::json_number;
  CHECK(json_number(0.1) == "0.1");
  CHECK(json_number(3.0) == "3");
  CHECK(json_number(-2.5) == "-2.5");
  CHECK(json_number(1e-5) == "1e-05");
  CHECK(json_number(1e300) == "1e+300");
  for (const double v : {0.1 + 0.2, 1.0 / 3.0, 277.5646877884865, 6.02214076e23, 2.2250738585072014e-308})
    CHECK(std::stod(json_number(v)) == v);
  CHECK(json_number(std::nan("")) == "null");
  CHECK(json_number(std::numeric_limits<double>::infinity()) == "null");
  CHECK(json_number(-std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("json: objects") {
  nacs_cli::json_object inner;
  inner.add("x", 1);
  const std::optional<double> none;
  nacs_cli::json_object j;
  j.add("n", std::int64_t{300})
      .add("big", std::numeric_limits<std::uint64_t>::max())
      .add("neg", std::numeric_limits<std::int64_t>::min())
      .add("name", "lazy")
      .add("path", std::string("a\"b"))
      .add("flag", true)
      .add("off", false)
      .add("f", 0.5)
      .add("none", none)
      .add("some", std::optional<std::int64_t>{4})
      .add("inner", inner)
      .raw("list", "[1,2]");
  CHECK(j.str() ==
        "{\"n\":300,\"big\":18446744073709551615,\"neg\":-9223372036854775808,\"name\":\"lazy\",\"path\":\"a\\\"b\","
        "\"flag\":true,\"off\":false,\"f\":0.5,\"none\":null,\"some\":4,\"inner\":{\"x\":1},\"list\":[1,2]}");
  CHECK(j.contains("path"));
  CHECK_FALSE(j.contains("missing"));
  CHECK_THROWS_AS(j.add("n", 1), std::logic_error);
  CHECK(nacs_cli::json_object{}.str() == "{}");
  nacs_cli::json_object k;
  k.add("we\"ird\nkey", 1);
  CHECK(k.str() == "{\"we\\\"ird\\nkey\":1}");
}

TEST_CASE("json: print_json_line writes one line") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  nacs_cli::json_object j;
  j.add("a", 1).add("s", "x\ny");
  CHECK(nacs_cli::print_json_line(f, j));
  std::rewind(f);
  char buf[64] = {};
  const std::size_t got = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  CHECK(std::string(buf, got) == "{\"a\":1,\"s\":\"x\\ny\"}\n");
}

TEST_CASE("json: arrays, and integral doubles written as integers") {
  nacs_cli::json_object row;
  row.add("line", 3).add("reason", "39 columns, expected 40");
  nacs_cli::json_array a;
  a.push(row).push(2.0).push(0.5).push(std::string("s")).push(std::nan(""));
  nacs_cli::json_object j;
  j.add("files", a).add("zero", 0.0).add("minus_zero", -0.0).add("big", 1e17);
  CHECK(a.size() == 5);
  CHECK(j.str() == "{\"files\":[{\"line\":3,\"reason\":\"39 columns, expected 40\"},2,0.5,\"s\",null],\"zero\":0,"
                   "\"minus_zero\":-0.0,\"big\":1e+17}");
  nacs_cli::json_object k;
  CHECK_THROWS_AS(k.raw("x", "{not json"), std::invalid_argument);
}

TEST_CASE("messages: printable escapes what a terminal would not show as text") {
  using nacs_cli::printable;
  CHECK(printable("plain 'file.csv': 3 rows") == "plain 'file.csv': 3 rows");
  CHECK(printable("a\nb\tc\rd") == "a\\x0ab\\x09c\\x0dd");  // one line, whatever the input
  CHECK(printable("\x1b[2J") == "\\x1b[2J");                 // an escape sequence is shown, not run
  CHECK(printable(std::string("\0\x7f", 2)) == "\\x00\\x7f");
  CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("\xe2\x82") == "\\xe2\\x82");          // a cut sequence
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");          // overlong
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(printable("\xc2\x9b") == "\\xc2\\x9b");          // C1 control (CSI)
  CHECK(printable("back\\slash") == "back\\slash");
}

TEST_CASE("messages: library option names become the programs' flags") {
  using nacs_cli::user_terms;
  CHECK(user_terms("'f.tsv':12: 39 columns, expected 40 (fix the line, or read with on_error = error_policy::skip to "
                   "skip and count malformed rows)") ==
        "'f.tsv':12: 39 columns, expected 40 (fix the line, or give --on-error skip to skip and count malformed rows)");
  CHECK(user_terms("kernel needs 4.00 GiB but the memory limit is 1.00 MiB: use smaller partitions, or raise the "
                   "limit (nacs::set_memory_limit or the call's memory_limit option)") ==
        "kernel needs 4.00 GiB but the memory limit is 1.00 MiB: use smaller partitions, or raise --memory-limit");
  CHECK(user_terms("nacs::train: batch_size and eval_batch_size must be > 0") ==
        "--batch-size and eval_batch_size must be > 0");  // whole words only
  CHECK(user_terms("partition_options.partition_size = 0: it must be >= 1") == "--partition-size = 0: it must be >= 1");
  CHECK(user_terms("x.partition_size stays") == "x.partition_size stays");
  CHECK(user_terms("the batch_size.") == "the --batch-size.");
  CHECK(user_terms("nacs::read_npy: 'a b': not a file") == "'a b': not a file");
  CHECK(user_terms("nacs::read_npy 'x': y") == "nacs::read_npy 'x': y");  // not a "name: " prefix
  CHECK(user_terms("--min-count stays") == "--min-count stays");
  CHECK(user_terms("read_csv: set csv_options::label_column to the header name of the label column") ==
        "set --label to the header name of the label column");
  CHECK(user_terms("'e.csv' is empty: a CSV file for read_csv needs a header line") ==
        "'e.csv' is empty: a --format csv file needs a header line");
  CHECK(user_terms("warning: x") == "warning: x");
  CHECK(user_terms("my_file.csv: 3 rows") == "my_file.csv: 3 rows");
  CHECK(user_terms("use min_count, or not", {{"min_count", "--min"}}) == "use --min, or not");
  CHECK(nacs_cli::user_message(nacs::error(nacs::errc::parse, "x (read with on_error = error_policy::skip)")) ==
        "x (give --on-error skip)");
}
