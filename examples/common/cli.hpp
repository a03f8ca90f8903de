// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The command-line layer of the nacs programs: typed flags declared
/// once, parsed by CLI11, checked with one-line messages, and a --help text
/// that shows each flag's range, choices and default.
///
/// How a program uses it (nacs-greedy, nacs-train and nacs-coreset all do):
///
/// @code
/// nacs_cli::parser p("nacs-demo", "Picks rows.");        // name as in messages, summary for --help
/// p.epilog("Exit status: 0 success; 1 bad data; 2 bad command line.");
/// auto k     = p.flag<std::int64_t>("k", "K", "rows to pick", {.min = 0});
/// auto ratio = p.flag<double>("ratio", "R", "fraction of rows", {.min = 0.0, .min_exclusive = true, .max = 1.0});
/// auto mode  = p.flag<std::string>("mode", "NAME", "how", {.default_value = "fast", .choices = {"fast", "slow"}});
/// auto quiet = p.flag_switch("quiet", "print nothing on stderr but errors");
/// auto file  = p.positional<std::string>("FILE", "input file");
/// p.exactly_one_of({"k", "ratio"});                      // names without dashes; positionals by metavar
/// p.parse(argc, argv);                                   // throws nacs_cli::usage_error
/// if (p.help_requested()) { std::fputs(p.help().c_str(), stdout); return nacs_cli::exit_ok; }
/// if (k.given()) use(*k);                                // *opt: the value given, else the default
/// if (ratio.given() && *ratio > 0.5) throw nacs_cli::usage_error("--ratio above 0.5 needs --force");
/// @endcode
///
/// and its main() is `return nacs_cli::guarded_main("nacs-demo", [&] { return run(argc, argv); });`,
/// which prints any exception as one line on stderr and picks the exit status:
/// usage_error gives "<program>: <message> (<hint>)" and exit_usage (2); nacs::error gives
/// "<program>: <message> [<code>]" and exit_failure (1), its message first put in the
/// program's terms by user_message() (messages.hpp: flags, not library option names);
/// every message has its non-printable bytes escaped and fits on one line.
///
/// Syntax (CLI11's): `--name value`, `--name=value`, switches as `--name`; `--` ends the
/// options. A value may start with '-' when it is a number (`--k -5` is read as -5 and
/// refused by its bounds) or is "-" itself; a value that looks like a flag leaves the
/// flag without a value. `-h` or `--help` anywhere before `--` asks for the help and
/// skips every check. Every mistake is one usage_error naming the flag: an unknown flag
/// (with "did you mean --x?" when one is close), a value of the wrong type, out of its
/// range or not among its choices (with "did you mean x?"), a flag given twice, a
/// missing value, a missing required flag, a broken exactly_one_of / at_most_one_of.
///
/// Why parsing goes through CLI11 but checking and help do not: CLI11 2.1's conversions
/// accept forms the programs refuse (hex, "0b" binary, "inf"), its errors name options in
/// its own phrasing ("--k: Value ten could not be converted") and its formatter neither
/// wraps long descriptions nor prints ranges; the checks and the help text here keep the
/// messages and the layout the programs' tests pin.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include <nacs/core/error.hpp>
#include <nacs/detail/core/edit_distance.hpp>

#include "common/messages.hpp"


namespace nacs_cli {

/// @brief Exit status of a successful run.
inline constexpr int exit_ok = 0;
/// @brief Exit status when the data or the run failed (bad file, k > N, out of memory, ...).
inline constexpr int exit_failure = 1;
/// @brief Exit status for a malformed command line.
inline constexpr int exit_usage = 2;

/// @brief A malformed command line: what() is one line that says what was wrong; hint()
/// is what guarded_main prints after it in parentheses ("see --help", "did you mean --k?").
class usage_error : public std::runtime_error {
 public:
  explicit usage_error(const std::string& message, std::string hint = "see --help")
      : std::runtime_error(message), hint_(std::move(hint)) {}
  /// @brief The hint printed after the message; empty for none.
  [[nodiscard]] const std::string& hint() const noexcept { return hint_; }

 private:
  std::string hint_;
};

/// @brief Settings of one flag or positional argument.
/// @tparam T the value type: bool (a switch, no value), std::string, a signed or unsigned integer, or double
template <class T>
struct spec {
  std::optional<T> default_value{};    ///< the value when the flag is absent
  bool required = false;               ///< the flag must be given
  std::optional<T> min{};              ///< numbers: smallest value allowed
  bool min_exclusive = false;          ///< numbers: min itself is not allowed
  std::optional<T> max{};              ///< numbers: largest value allowed
  bool max_exclusive = false;          ///< numbers: max itself is not allowed
  std::vector<std::string> choices{};  ///< strings: the values allowed (empty: any)
};

/// @brief A library name table's names (nacs::name_table::names(), method_names(), ...) as spec::choices.
inline std::vector<std::string> choices(std::span<const std::string_view> names) {
  return {names.begin(), names.end()};
}

namespace detail {

template <class T>
inline constexpr bool is_integer_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class T>
concept value_type = std::is_same_v<T, bool> || std::is_same_v<T, std::string> || is_integer_v<T> ||
                     std::is_same_v<T, double>;

// Renders a value for messages and the help text.
template <class T>
std::string show(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "on" : "off";
  } else if constexpr (std::is_same_v<T, double>) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
  } else {
    return std::to_string(v);
  }
}

inline std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}


/// The candidate closest to `word` when it is close enough to be a typo (at most 2 edits,
/// and no more than half the longer word), else nothing.
inline std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = 3;
  for (const auto& c : candidates) {
    const std::size_t d = nacs::detail::edit_distance(word, c);
    if (d < best_d && 2 * d <= std::max(word.size(), c.size())) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

// Parses `text` as a T; on failure returns a phrase like "an integer".
template <class T>
std::optional<std::string> parse_value(std::string_view text, T& out) {
  if constexpr (std::is_same_v<T, std::string>) {
    out = std::string(text);
    return std::nullopt;
  } else if constexpr (is_integer_v<T>) {
    if constexpr (std::is_unsigned_v<T>) {
      if (!text.empty() && text.front() == '-') return std::string("a whole number >= 0");
    }
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    if (r.ec == std::errc::result_out_of_range) return std::string("a whole number in range");
    if (text.empty() || r.ec != std::errc{} || r.ptr != text.data() + text.size()) return std::string("a whole number");
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, double>) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    if (text.empty() || r.ec == std::errc::invalid_argument || r.ptr != text.data() + text.size())
      return std::string("a number");
    if (r.ec == std::errc::result_out_of_range || !std::isfinite(out)) return std::string("a finite number");
    return std::nullopt;
  } else {
    static_assert(std::is_same_v<T, bool>);
    return std::string("nothing (it is a switch)");
  }
}

// CLI11 gives a flag that ends the command line, or is followed by another flag, this value.
inline constexpr std::string_view missing_value = "\x01nacs-no-value\x01";

// What "--name=" is handed to CLI11 as, so that it stays an empty value.
inline constexpr std::string_view empty_value = "\x01nacs-empty\x01";

struct entry_base {
  std::string name;     // flag name without dashes, or the positional's metavar
  std::string metavar;  // "K", "FILE"; empty for a switch
  std::string help;
  bool positional = false;
  bool switch_flag = false;
  CLI::Option* cli = nullptr;  // owned by the parser's CLI::App
  virtual ~entry_base() = default;
  [[nodiscard]] bool given() const { return cli->count() > 0; }
  // The flag as the user writes it: "--k" or "FILE".
  [[nodiscard]] std::string display() const { return positional ? metavar : "--" + name; }
  virtual void set(std::string_view text) = 0;  // throws usage_error
  [[nodiscard]] virtual bool required() const = 0;
  [[nodiscard]] virtual std::string notes() const = 0;  // "(default: x; one of a|b)"
};

template <class T>
struct entry final : entry_base {
  spec<T> rules;
  std::optional<T> value;

  void set(std::string_view text) override {
    T v{};
    if (const auto what = parse_value(text, v))
      throw usage_error(display() + " expects " + *what + ", got '" + std::string(text) + "'");
    if constexpr (std::is_same_v<T, std::string>) {
      if (!rules.choices.empty() && std::find(rules.choices.begin(), rules.choices.end(), v) == rules.choices.end()) {
        const auto near = closest(v, rules.choices);
        throw usage_error(display() + " must be one of " + join(rules.choices, ", ") + "; got '" + v + "'",
                          near ? "did you mean " + *near + "?" : "see --help");
      }
    } else if constexpr (is_integer_v<T> || std::is_same_v<T, double>) {
      if (rules.min && (v < *rules.min || (rules.min_exclusive && v == *rules.min)))
        throw usage_error(display() + " must be " + (rules.min_exclusive ? "> " : ">= ") + show(*rules.min) +
                          ", got " + std::string(text));
      if (rules.max && (v > *rules.max || (rules.max_exclusive && v == *rules.max)))
        throw usage_error(display() + " must be " + (rules.max_exclusive ? "< " : "<= ") + show(*rules.max) +
                          ", got " + std::string(text));
    }
    value = std::move(v);
  }
  [[nodiscard]] bool required() const override { return rules.required; }
  [[nodiscard]] std::string notes() const override {
    std::vector<std::string> parts;
    if constexpr (std::is_same_v<T, std::string>) {
      if (!rules.choices.empty()) parts.push_back(join(rules.choices, "|"));
    } else if constexpr (is_integer_v<T> || std::is_same_v<T, double>) {
      if (rules.min && rules.max)
        parts.push_back(show(*rules.min) + (rules.min_exclusive ? " < " : " <= ") + metavar +
                        (rules.max_exclusive ? " < " : " <= ") + show(*rules.max));
      else if (rules.min)
        parts.push_back(metavar + (rules.min_exclusive ? " > " : " >= ") + show(*rules.min));
      else if (rules.max)
        parts.push_back(metavar + (rules.max_exclusive ? " < " : " <= ") + show(*rules.max));
    }
    if (rules.required) parts.emplace_back("required");
    if constexpr (!std::is_same_v<T, bool>) {
      if (rules.default_value) parts.push_back("default " + show(*rules.default_value));
    }
    std::string out;
    if (parts.empty()) return out;
    out += '(';
    out += join(parts, "; ");
    out += ')';
    return out;
  }
};

}  // namespace detail

/// @brief A handle to one flag's value; valid as long as its parser lives.
template <class T>
class option {
 public:
  /// @brief True when the flag was on the command line.
  [[nodiscard]] bool given() const { return e_->given(); }
  /// @brief True when the flag was given or has a default.
  [[nodiscard]] bool has_value() const noexcept { return e_->value.has_value() || e_->rules.default_value.has_value(); }
  /// @brief The value given, else the default, else nothing.
  [[nodiscard]] std::optional<T> get() const { return e_->value ? e_->value : e_->rules.default_value; }
  /// @brief The value given, else the default; throws std::logic_error when there is neither.
  [[nodiscard]] T operator*() const {
    if (auto v = get()) return *v;
    throw std::logic_error("nacs_cli: " + e_->display() + " has no value and no default");
  }
  /// @brief The flag as written on the command line ("--k").
  [[nodiscard]] std::string flag() const { return e_->display(); }

 private:
  friend class parser;
  explicit option(detail::entry<T>* e) noexcept : e_(e) {}
  detail::entry<T>* e_;
};

/// @brief Declares flags, parses argv into them (through CLI11), and writes the --help text.
class parser {
 public:
  /// @param[in] program the program's name, as in messages ("nacs-greedy")
  /// @param[in] summary one paragraph printed under the usage line
  parser(std::string program, std::string summary)
      : program_(std::move(program)), summary_(std::move(summary)), app_(std::make_unique<CLI::App>(summary_, program_)) {
    app_->set_help_flag();  // -h and --help are found before CLI11 runs (see parse)
    app_->allow_extras();   // unknown flags and extra arguments are reported here, with suggestions
  }
  parser(const parser&) = delete;
  parser& operator=(const parser&) = delete;

  /// @brief Declares `--name VALUE` (or a switch `--name` for T = bool).
  /// @param[in] name the flag without dashes
  /// @param[in] metavar how the help text calls its value ("K"); ignored for switches
  /// @param[in] help one line for --help
  /// @param[in] rules default, required, bounds, choices
  template <detail::value_type T>
  option<T> flag(std::string name, std::string metavar, std::string help, spec<T> rules = {}) {
    if (name.empty() || name.front() == '-' || find(name) || name == "help" ||
        !std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }))
      throw std::logic_error("nacs_cli: flag name '" + name + "' is empty, starts with '-', has odd characters, or is declared twice");
    auto e = std::make_unique<detail::entry<T>>();
    e->name = std::move(name);
    e->metavar = std::is_same_v<T, bool> ? std::string() : std::move(metavar);
    e->help = std::move(help);
    e->switch_flag = std::is_same_v<T, bool>;
    e->rules = std::move(rules);
    if constexpr (std::is_same_v<T, bool>) {
      e->cli = app_->add_flag("--" + e->name, e->help);
    } else {
      // Zero or one value, so that a following flag is not swallowed as the value.
      e->cli = app_->add_option("--" + e->name, e->help);
      e->cli->expected(0, 1)->type_name(e->metavar)->default_str(std::string(detail::missing_value));
    }
    e->cli->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);  // "given twice" is ours to say
    auto* raw = e.get();
    entries_.push_back(std::move(e));
    return option<T>(raw);
  }

  /// @brief A switch: `--name` with no value; its value is true when given, false otherwise.
  option<bool> flag_switch(std::string name, std::string help) {
    return flag<bool>(std::move(name), {}, std::move(help), {.default_value = false});
  }

  /// @brief Declares the next positional argument.
  template <detail::value_type T>
    requires(!std::is_same_v<T, bool>)
  option<T> positional(std::string metavar, std::string help, spec<T> rules = {}) {
    if (metavar.empty() || find(metavar))
      throw std::logic_error("nacs_cli: positional '" + metavar + "' is empty or declared twice");
    auto e = std::make_unique<detail::entry<T>>();
    e->name = metavar;
    e->metavar = std::move(metavar);
    e->help = std::move(help);
    e->positional = true;
    e->rules = std::move(rules);
    e->cli = app_->add_option(e->metavar, e->help);
    e->cli->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    auto* raw = e.get();
    entries_.push_back(std::move(e));
    return option<T>(raw);
  }

  /// @brief Exactly one of these flags (names without dashes; positionals by metavar) must be given.
  void exactly_one_of(std::vector<std::string> names) { groups_.push_back({std::move(names), true}); }
  /// @brief At most one of these flags may be given.
  void at_most_one_of(std::vector<std::string> names) { groups_.push_back({std::move(names), false}); }

  /// @brief Text printed after the option list (examples, exit status).
  void epilog(std::string text) { epilog_ = std::move(text); }

  /// @brief Parses the command line (argv[0] is skipped).
  /// @throws usage_error for an unknown flag, a missing or bad value, a flag given twice, a missing
  ///         required flag or a broken exactly_one_of / at_most_one_of group. With -h or --help anywhere
  ///         before "--", nothing is checked and help_requested() becomes true.
  void parse(int argc, const char* const* argv) {
    // CLI11 reads what comes before "--"; what follows fills the positionals left (CLI11 2.1
    // would let an option with an optional value swallow the "--" itself).
    std::vector<std::string> before, after;
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (!options_done && a == "--") options_done = true;
      else (options_done ? after : before).push_back(a);
    }
    if (std::find(before.begin(), before.end(), "-h") != before.end() ||
        std::find(before.begin(), before.end(), "--help") != before.end()) {
      help_ = true;
      return;
    }
    // "--name=...": a switch takes no value; an empty value is kept as one (CLI11 would read
    // "--k= 5" as "--k 5").
    for (std::string& a : before) {
      const std::size_t eq = a.find('=');
      if (!a.starts_with("--") || eq == std::string::npos) continue;
      const detail::entry_base* e = find(std::string_view(a).substr(2, eq - 2));
      if (e && !e->positional && e->switch_flag) throw usage_error(e->display() + " is a switch and takes no value");
      if (e && eq + 1 == a.size()) a += detail::empty_value;
    }
    std::vector<std::string> args(before.rbegin(), before.rend());  // CLI11 takes them last first
    try {
      app_->parse(args);
    } catch (const CLI::ParseError& e) {  // not expected with the settings above; said as CLI11 says it
      throw usage_error(e.what());
    }
    check_unexpected();
    for (const std::string& a : after) {
      auto free = std::find_if(entries_.begin(), entries_.end(), [](const auto& e) { return e->positional && !e->given(); });
      if (free == entries_.end()) throw usage_error("unexpected argument '" + a + "'");
      (*free)->cli->add_result(a);
    }
    // Values, in the order the flags came on the command line, then the positionals after "--".
    const std::vector<CLI::Option*>& parsed = app_->parse_order();
    std::vector<const CLI::Option*> order(parsed.begin(), parsed.end()), seen;
    for (const auto& e : entries_)
      if (e->positional && e->given()) order.push_back(e->cli);
    for (const CLI::Option* o : order) {
      if (std::find(seen.begin(), seen.end(), o) != seen.end()) continue;
      seen.push_back(o);
      detail::entry_base& e = *entry_of(o);
      const std::vector<std::string>& got = o->results();
      if (got.size() > 1) throw usage_error(e.display() + " is given twice");
      if (e.switch_flag) {
        if (got.front() != "true") throw usage_error(e.display() + " is a switch and takes no value");
        static_cast<detail::entry<bool>&>(e).value = true;
        continue;
      }
      if (got.front() == detail::missing_value)
        throw usage_error(e.display() + " needs a value (" + e.display() + " " + e.metavar + ")");
      e.set(got.front() == detail::empty_value ? std::string() : got.front());
    }
    for (const auto& e : entries_)
      if (e->required() && !e->given())
        throw usage_error(e->display() + " is required" + (e->positional ? "" : " (" + e->display() + " " + e->metavar + ")"));
    for (const auto& g : groups_) {
      std::vector<std::string> given, all;
      for (const auto& n : g.names) {
        const detail::entry_base* e = find(n);
        if (!e) throw std::logic_error("nacs_cli: group names the undeclared flag '" + n + "'");
        all.push_back(e->display());
        if (e->given()) given.push_back(e->display());
      }
      if (given.size() > 1)
        throw usage_error("give only one of " + detail::join(all, ", ") + " (got " + detail::join(given, " and ") + ")");
      if (g.exactly_one && given.empty()) throw usage_error("give one of " + detail::join(all, ", "));
    }
  }

  /// @brief True when -h or --help was on the command line.
  [[nodiscard]] bool help_requested() const noexcept { return help_; }
  /// @brief The program's name.
  [[nodiscard]] const std::string& program() const noexcept { return program_; }

  /// @brief The --help text: usage line, summary, one line per flag (with its range, choices and
  /// default), epilog; no line is longer than 100 characters.
  [[nodiscard]] std::string help() const {
    std::ostringstream os;
    os << "Usage: " << program_;
    for (const auto& e : entries_)
      if (e->positional) os << (e->required() ? " " : " [") << e->metavar << (e->required() ? "" : "]");
    os << " [options]\n\n" << summary_ << "\n\n";
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& e : entries_) {
      std::string left = e->positional ? e->metavar : "--" + e->name + (e->switch_flag ? "" : " " + e->metavar);
      std::string right = e->help;
      if (const auto n = e->notes(); !n.empty()) right += " " + n;
      rows.emplace_back(std::move(left), std::move(right));
    }
    rows.emplace_back("-h, --help", "print this help and exit");
    std::size_t width = 0;
    for (const auto& r : rows) width = std::max(width, r.first.size());
    width = std::min<std::size_t>(width, 28);
    os << "Arguments and options:\n";
    const std::size_t indent = width + 4, text_width = std::max<std::size_t>(40, line_width - indent);
    for (const auto& [left, right] : rows) {
      os << "  " << left;
      if (left.size() > width) os << "\n  " << std::string(width, ' ');
      else os << std::string(width - left.size(), ' ');
      os << "  ";
      // Word-wrap the description, continuation lines indented under it.
      std::size_t col = 0;
      std::istringstream words(right);
      std::string w;
      while (words >> w) {
        if (col > 0 && col + 1 + w.size() > text_width) {
          os << '\n' << std::string(indent, ' ');
          col = 0;
        } else if (col > 0) {
          os << ' ';
          ++col;
        }
        os << w;
        col += w.size();
      }
      os << '\n';
    }
    if (!epilog_.empty()) os << '\n' << epilog_ << (epilog_.back() == '\n' ? "" : "\n");
    return os.str();
  }

 private:
  struct group {
    std::vector<std::string> names;
    bool exactly_one;
  };

  // What CLI11 left over: unknown flags first, then arguments no positional takes.
  void check_unexpected() const {
    std::optional<std::string> stray;
    for (const std::string& a : app_->remaining()) {
      if (a.size() > 1 && a.front() == '-') {
        std::string_view name = a;
        name.remove_prefix(a.starts_with("--") ? 2 : 1);
        if (const auto eq = name.find('='); eq != std::string_view::npos) name = name.substr(0, eq);
        std::vector<std::string> names;
        for (const auto& e : entries_)
          if (!e->positional) names.push_back(e->name);
        const auto near = detail::closest(name, names);
        const std::string shown = a.starts_with("--") ? "--" + std::string(name) : a;
        throw usage_error("unknown option '" + shown + "'", near ? "did you mean --" + *near + "?" : "see --help");
      }
      if (!stray) stray = a;
    }
    if (stray) throw usage_error("unexpected argument '" + *stray + "'");
  }

  detail::entry_base* find(std::string_view name) const {
    for (const auto& e : entries_)
      if (e->name == name) return e.get();
    return nullptr;
  }

  detail::entry_base* entry_of(const CLI::Option* o) const {
    for (const auto& e : entries_)
      if (e->cli == o) return e.get();
    throw std::logic_error("nacs_cli: CLI11 returned an option this parser did not declare");
  }

  static constexpr std::size_t line_width = 100;
  std::string program_, summary_, epilog_;
  std::unique_ptr<CLI::App> app_;
  std::vector<std::unique_ptr<detail::entry_base>> entries_;
  std::vector<group> groups_;
  bool help_ = false;
};

/// @brief Runs body() and turns exceptions into one line on stderr and an exit status.
///
/// usage_error: "<program>: <message> (<hint>)", exit_usage. nacs::error:
/// "<program>: <message> [<code>]" with the message put in the program's terms
/// (user_message), exit_failure. std::bad_alloc: "<program>: out of memory:
/// <out_of_memory>" (which should name the program's flags that shrink the run),
/// exit_failure; other std::exceptions: exit_failure. Every line has its
/// non-printable bytes escaped (printable()). body returns the exit status.
template <class F>
int guarded_main(const std::string& program, F&& body,
                 const std::string& out_of_memory = "use less data or a smaller run") noexcept {
  const auto say = [&](const std::string& line) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), printable(line).c_str());
  };
  try {
    return std::forward<F>(body)();
  } catch (const usage_error& e) {
    say(e.hint().empty() ? std::string(e.what()) : std::string(e.what()) + " (" + e.hint() + ")");
    return exit_usage;
  } catch (const nacs::error& e) {
    say(user_message(e) + " [" + std::string(nacs::to_string(e.code())) + "]");
    return exit_failure;
  } catch (const std::bad_alloc&) {
    say("out of memory: " + out_of_memory);
    return exit_failure;
  } catch (const std::exception& e) {
    say(e.what());
    return exit_failure;
  } catch (...) {
    say("unknown error");
    return exit_failure;
  }
}

}  // namespace nacs_cli
