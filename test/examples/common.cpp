// SPDX-License-Identifier: Apache-2.0
// Tests of the example programs' shared helpers: examples/common/cli.hpp (flag
// parser on CLI11), examples/common/json.hpp (JSON line writer on nlohmann-json),
// examples/common/messages.hpp (messages in the user's terms) and
// examples/common/data_flags.hpp (the data flags of nacs-coreset and nacs-train).
#include <doctest/doctest.h>

#include "common/cli.hpp"
#include "common/data_flags.hpp"
#include "common/json.hpp"
#include "common/messages.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
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

namespace {

using nacs_cli::generator_kind;

// A program that declares only the data flags, with one of the two generators.
struct data_program {
  nacs_cli::parser p{"prog", "A test program."};
  nacs_cli::data_flags data;
  explicit data_program(generator_kind kind)
      : data(p, {.generator = kind, .synthetic_help = "generate N rows", .test_help = "test file"}) {}
};

// The data flags' values after parsing `args`, or the usage_error of parsing or of get().
struct data_result {
  std::optional<nacs_cli::data_request> request;
  std::string error;
};

data_result data_of(generator_kind kind, std::vector<std::string> args) {
  data_program prog(kind);
  try {
    parse(prog.p, std::move(args));
    return {prog.data.get(), ""};
  } catch (const nacs_cli::usage_error& e) {
    return {std::nullopt, e.what()};
  }
}

std::string data_error_of(generator_kind kind, std::vector<std::string> args) { return data_of(kind, std::move(args)).error; }

nacs_cli::data_request data_request_of(generator_kind kind, std::vector<std::string> args) {
  data_result r = data_of(kind, std::move(args));
  INFO("usage error: " << r.error);
  REQUIRE(r.request.has_value());
  return *r.request;
}

constexpr generator_kind both_kinds[] = {generator_kind::benchmark, generator_kind::planted_noise};

}  // namespace

TEST_CASE("data_flags: split_list and parse_sizes") {
  using nacs_cli::split_list;
  CHECK(split_list("", ',') == std::vector<std::string>{""});
  CHECK(split_list("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(split_list("site,app,", ',') == std::vector<std::string>{"site", "app", ""});
  CHECK(nacs_cli::parse_sizes("100,10,1") == std::vector<std::size_t>{100, 10, 1});
  CHECK(nacs_cli::parse_sizes("100000") == std::vector<std::size_t>{100000});
  for (const char* text : {"", "10,,3", "0", "100001", "-1", "1.5", "10,", "ten"}) {
    const std::string bad = text;
    std::string message;
    try {
      (void)nacs_cli::parse_sizes(bad);
    } catch (const nacs_cli::usage_error& e) {
      message = e.what();
    }
    CHECK(message == "--mlp expects comma-separated sizes in [1, 100000] like 100,100,100; got '" + bad + "'");
  }
}

TEST_CASE("data_flags: both generators make the same checks of the files and how they are read") {
  const std::string synthetic_drop =
      "--synthetic generates its own data: drop --format, --valid, --test, --max-rows, --progress-lines, --min-count and "
      "--on-error";
  const std::string split_form = "--split expects three non-negative shares T,V,E with T > 0, like 0.8,0.1,0.1; got '";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{}, "give one of --data, --synthetic"},
      {{"--data", "x", "--synthetic", "100"}, "give only one of --data, --synthetic (got --data and --synthetic)"},
      {{"--data", "x"}, "--data needs --format criteo|avazu|libsvm|libffm|csv"},
      {{"--data", "x", "--format", "crit"}, "--format must be one of criteo, avazu, libsvm, libffm, csv; got 'crit'"},
      {{"--synthetic", "9"}, "--synthetic must be >= 10, got 9"},
      {{"--synthetic", "17179869185"}, "--synthetic must be <= 17179869184, got 17179869185"},
      {{"--synthetic", "100", "--format", "criteo"}, synthetic_drop},
      {{"--synthetic", "100", "--valid", "v"}, synthetic_drop},
      {{"--synthetic", "100", "--test", "t"}, synthetic_drop},
      {{"--synthetic", "100", "--max-rows", "5"}, synthetic_drop},
      {{"--synthetic", "100", "--progress-lines", "5"}, synthetic_drop},
      {{"--synthetic", "100", "--min-count", "3"}, synthetic_drop},
      {{"--synthetic", "100", "--on-error", "skip"}, synthetic_drop},
      {{"--data", "x", "--format", "csv"}, "--format csv needs --label COL and --columns A,B,..."},
      {{"--data", "x", "--format", "csv", "--label", "y"}, "--format csv needs --label COL and --columns A,B,..."},
      {{"--data", "x", "--format", "csv", "--columns", "a"}, "--format csv needs --label COL and --columns A,B,..."},
      {{"--data", "x", "--format", "criteo", "--label", "y"}, "--label, --columns and --delimiter apply to --format csv"},
      {{"--data", "x", "--format", "libsvm", "--columns", "a"}, "--label, --columns and --delimiter apply to --format csv"},
      {{"--synthetic", "100", "--delimiter", ";"}, "--label, --columns and --delimiter apply to --format csv"},
      {{"--data", "x", "--format", "csv", "--label", "y", "--columns", "a", "--delimiter", "ab"},
       "--delimiter expects one character (or 'tab'), got 'ab'"},
      {{"--data", "x", "--format", "csv", "--label", "y", "--columns", "a", "--delimiter", "\""},
       "--delimiter expects one character (or 'tab'), got '\"'"},
      {{"--data", "x", "--format", "csv", "--label", "y", "--columns", "a", "--delimiter="},
       "--delimiter expects one character (or 'tab'), got ''"},
      {{"--synthetic", "100", "--split", "0.5,0.5"}, split_form + "0.5,0.5'"},
      {{"--synthetic", "100", "--split", "0,0.5,0.5"}, split_form + "0,0.5,0.5'"},
      {{"--synthetic", "100", "--split", "0.8,0.1,-1"}, split_form + "0.8,0.1,-1'"},
      {{"--synthetic", "100", "--split", "0.8,,0.1"}, split_form + "0.8,,0.1'"},
      {{"--synthetic", "100", "--split", "0.8,0.1,inf"}, split_form + "0.8,0.1,inf'"},
      {{"--synthetic", "100", "--split", "nan,0,0"}, split_form + "nan,0,0'"},
      {{"--synthetic", "100", "--split", "0.8,0.1,0.1,0"}, split_form + "0.8,0.1,0.1,0'"},
      {{"--data", "x", "--format", "criteo", "--valid", "v", "--split", "0.8,0.1,0.1"},
       "--split applies when neither --valid nor --test is given"},
      {{"--data", "x", "--format", "criteo", "--test", "t", "--split", "0.8,0.1,0.1"},
       "--split applies when neither --valid nor --test is given"},
      {{"--data", "x", "--format", "criteo", "--max-rows", "0"}, "--max-rows must be >= 1, got 0"},
      {{"--data", "x", "--format", "criteo", "--progress-lines", "0"}, "--progress-lines must be >= 1, got 0"},
      {{"--data", "x", "--format", "criteo", "--min-count", "-1"}, "--min-count expects a whole number >= 0, got '-1'"},
      {{"--data", "x", "--format", "criteo", "--on-error", "ignore"}, "--on-error must be one of skip, fail; got 'ignore'"},
  };
  for (const generator_kind kind : both_kinds) {
    for (const auto& [args, message] : cases) {
      std::string line;
      for (const auto& a : args) line += a + " ";
      INFO("generator " << static_cast<int>(kind) << ": " << line);
      CHECK(data_error_of(kind, args) == message);
    }
  }
}

TEST_CASE("data_flags: values and the load_options they make") {
  for (const generator_kind kind : both_kinds) {
    INFO("generator " << static_cast<int>(kind));
    const auto d = data_request_of(kind, {"--data", "x", "--format", "criteo"});
    CHECK(d.data == "x");
    CHECK(d.format == "criteo");
    CHECK_FALSE(d.synthetic);
    CHECK(d.min_count == 10);
    CHECK(d.on_error == "skip");
    CHECK(d.progress_lines == 1000000);
    CHECK_FALSE(d.max_rows);
    CHECK_FALSE(d.split_given);
    const nacs::split_options split = d.split(7);
    CHECK(split.train == 0.8);
    CHECK(split.valid == 0.1);
    CHECK(split.test == 0.1);
    CHECK(split.seed == 7);
    const nacs::load_options o = nacs_cli::load_options_of(d, split, {});
    CHECK(o.data == std::filesystem::path("x"));
    CHECK(o.format == nacs::data_format::criteo);
    CHECK_FALSE(o.valid);
    CHECK_FALSE(o.test);
    CHECK(o.split == split);
    CHECK(o.vocabulary.min_count == 10);
    CHECK(o.read.on_error == nacs::error_policy::skip);
    CHECK_FALSE(o.read.max_rows);
    CHECK_FALSE(static_cast<bool>(o.read.on_progress.fn));

    const auto c = data_request_of(kind, {"--data", "x.csv", "--format", "csv", "--label", "click", "--columns",
                                          "site,app", "--delimiter", "tab", "--split", "0.7,0.2,0", "--min-count", "0",
                                          "--max-rows", "50", "--on-error", "fail", "--progress-lines", "3"});
    CHECK(c.delimiter == '\t');
    CHECK(c.split_given);
    CHECK(c.split(1).train == 0.7);
    CHECK(c.split(1).valid == 0.2);
    CHECK(c.split(1).test == 0.0);
    CHECK(c.progress_lines == 3);
    const nacs::load_options co = nacs_cli::load_options_of(c, c.split(1), nacs_cli::progress_printer("prog", false, 3));
    CHECK(co.format == nacs::data_format::csv);
    CHECK(co.csv.label_column == "click");
    CHECK(co.csv.categorical_columns == std::vector<std::string>{"site", "app"});
    CHECK(co.csv.delimiter == '\t');
    CHECK(co.vocabulary.min_count == 0);
    CHECK(co.read.on_error == nacs::error_policy::fail);
    CHECK(co.read.max_rows == nacs::row_index{50});
    CHECK(static_cast<bool>(co.read.on_progress.fn));
    CHECK(co.read.on_progress.every_lines == 3);
    CHECK_FALSE(static_cast<bool>(nacs_cli::progress_printer("prog", true, 3).fn));  // --quiet: no progress lines

    CHECK(data_request_of(kind, {"--data", "x", "--format", "csv", "--label", "y", "--columns", "a", "--delimiter", "\\t"})
              .delimiter == '\t');
    CHECK(data_request_of(kind, {"--data", "x", "--format", "csv", "--label", "y", "--columns", "a", "--delimiter", ";"})
              .delimiter == ';');
    const auto files = data_request_of(kind, {"--data", "x", "--format", "avazu", "--valid", "v", "--test", "t"});
    const nacs::load_options fo = nacs_cli::load_options_of(files, files.split(0), {});
    CHECK(fo.valid == std::filesystem::path("v"));
    CHECK(fo.test == std::filesystem::path("t"));
    CHECK(fo.format == nacs::data_format::avazu);
  }
}

TEST_CASE("data_flags: the generators differ in their flags and defaults, and nowhere else") {
  // nacs-train's planted-noise generator: every generator flag has a default; no --noise.
  const auto planted = data_request_of(generator_kind::planted_noise, {"--synthetic", "100"});
  CHECK(planted.synthetic == nacs::row_index{100});
  CHECK(planted.fields == std::size_t{39});
  CHECK(planted.vocabulary_size == std::uint32_t{1000});
  CHECK(planted.flip_positive == 0.1);
  CHECK(planted.flip_negative == 0.05);
  const auto planted_vocab = data_request_of(generator_kind::planted_noise, {"--synthetic", "100", "--vocabulary-size", "5"});
  CHECK(planted_vocab.fields == std::size_t{39});
  CHECK(planted_vocab.vocabulary_size == std::uint32_t{5});
  CHECK(data_error_of(generator_kind::planted_noise, {"--synthetic", "100", "--noise", "0.1"}) == "unknown option '--noise'");
  CHECK(data_error_of(generator_kind::planted_noise, {"--data", "x", "--format", "criteo", "--fields", "5"}) ==
        "--fields, --vocabulary-size, --flip-positive and --flip-negative apply to --synthetic");

  // nacs-coreset's benchmark: its own field sizes unless --fields; --noise sets both flip rates.
  const auto bench = data_request_of(generator_kind::benchmark, {"--synthetic", "100"});
  CHECK_FALSE(bench.fields);
  CHECK_FALSE(bench.vocabulary_size);
  CHECK(bench.flip_positive == 0.2);
  CHECK(bench.flip_negative == 0.2);
  const auto noisy = data_request_of(generator_kind::benchmark, {"--synthetic", "100", "--noise", "0.3"});
  CHECK(noisy.flip_positive == 0.3);
  CHECK(noisy.flip_negative == 0.3);
  const auto one_rate = data_request_of(generator_kind::benchmark, {"--synthetic", "100", "--flip-positive", "0.1"});
  CHECK(one_rate.flip_positive == 0.1);
  CHECK(one_rate.flip_negative == 0.2);
  const auto sized = data_request_of(generator_kind::benchmark, {"--synthetic", "100", "--fields", "5"});
  CHECK(sized.fields == std::size_t{5});
  CHECK(sized.vocabulary_size == std::uint32_t{1000});
  CHECK(data_error_of(generator_kind::benchmark, {"--synthetic", "100", "--noise", "0.1", "--flip-negative", "0.1"}) ==
        "--noise sets both flip rates: give --noise or --flip-positive/--flip-negative");
  CHECK(data_error_of(generator_kind::benchmark, {"--synthetic", "100", "--vocabulary-size", "5"}) ==
        "--vocabulary-size applies with --fields (the default benchmark has its own sizes)");
  CHECK(data_error_of(generator_kind::benchmark, {"--data", "x", "--format", "criteo", "--noise", "0.1"}) ==
        "--noise, --fields, --vocabulary-size, --flip-positive and --flip-negative apply to --synthetic");

  // The bounds are the same for both.
  for (const generator_kind kind : both_kinds) {
    INFO("generator " << static_cast<int>(kind));
    CHECK(data_error_of(kind, {"--synthetic", "100", "--fields", "1"}) == "--fields must be >= 2, got 1");
    CHECK(data_error_of(kind, {"--synthetic", "100", "--fields", "5", "--vocabulary-size", "0"}) ==
          "--vocabulary-size must be >= 1, got 0");
    CHECK(data_error_of(kind, {"--synthetic", "100", "--flip-positive", "1.5"}) == "--flip-positive must be <= 1, got 1.5");
  }
}

TEST_CASE("data_flags: --help lists the data flags in one order, with their ranges, choices and defaults") {
  std::string helps[2];
  for (const generator_kind kind : both_kinds) {
    data_program prog(kind);
    std::string h;  // the help with its line breaks and indents as single spaces
    for (const char c : prog.p.help()) {
      const bool space = c == ' ' || c == '\n';
      if (!space || (!h.empty() && h.back() != ' ')) h += space ? ' ' : c;
    }
    std::size_t at = 0;
    for (const char* flag : {"--data FILE", "--format NAME", "--synthetic N", "--valid FILE", "--test FILE",
                             "--split T,V,E", "--label COL", "--columns A,B,..", "--delimiter C", "--min-count C",
                             "--max-rows N", "--on-error MODE", "--progress-lines L", "--fields F",
                             "--vocabulary-size V", "--flip-positive P", "--flip-negative P"}) {
      INFO(flag);
      const std::size_t next = h.find(flag, at);
      REQUIRE(next != std::string::npos);
      at = next;
    }
    CHECK(h.find("(criteo|avazu|libsvm|libffm|csv)") != std::string::npos);
    CHECK(h.find("(10 <= N <= 17179869184)") != std::string::npos);
    CHECK(h.find("(skip|fail; default skip)") != std::string::npos);
    CHECK(h.find("report progress on stderr every L lines (L >= 1; default 1000000)") != std::string::npos);
    CHECK((h.find("--noise R") != std::string::npos) == (kind == generator_kind::benchmark));
    helps[kind == generator_kind::benchmark ? 0 : 1] = h;
  }
  CHECK(helps[0].find("values per field (default 1000 with --fields) (1 <= V <= 100000000)") != std::string::npos);
  CHECK(helps[1].find("number of fields (2 <= F <= 1000; default 39)") != std::string::npos);
  CHECK(helps[1].find("flipped to 1 (0 <= P <= 1; default 0.05)") != std::string::npos);
}
