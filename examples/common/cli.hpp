/// @file
/// @brief A small command-line parser for the nacs example programs: typed
/// flags, positional arguments, --help text and one-line errors.
///
/// @code
/// nacs_cli::parser p("nacs-demo", "Picks rows.");
/// auto k     = p.flag<std::int64_t>("k", "K", "rows to pick", {.min = 0});
/// auto ratio = p.flag<double>("ratio", "R", "fraction of rows", {.min = 0.0, .min_exclusive = true, .max = 1.0});
/// auto mode  = p.flag<std::string>("mode", "NAME", "how", {.default_value = "fast", .choices = {"fast", "slow"}});
/// auto file  = p.positional<std::string>("FILE", "input file");
/// p.exactly_one_of({"k", "ratio"});
/// p.parse(argc, argv);                 // throws nacs_cli::usage_error
/// if (p.help_requested()) { std::fputs(p.help().c_str(), stdout); return 0; }
/// if (k.given()) use(*k);
/// @endcode
///
/// Syntax: `--name value`, `--name=value`, switches as `--name`; `-h` and
/// `--help` anywhere print the help; `--` ends the options. A value may
/// start with '-' (so `--k -5` is read as -5 and refused by its bounds), but
/// not with "--" (then the value is missing). Every mistake is a
/// nacs_cli::usage_error whose message is one line naming the flag and what
/// was wrong; guarded_main prints it and returns exit_usage.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>

namespace nacs_cli {

/// @brief Exit status of a successful run.
inline constexpr int exit_ok = 0;
/// @brief Exit status when the data or the run failed (bad file, k > N, out of memory, ...).
inline constexpr int exit_failure = 1;
/// @brief Exit status for a malformed command line.
inline constexpr int exit_usage = 2;

/// @brief A malformed command line: what() is one line that says what was wrong.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
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

// Levenshtein distance, for "did you mean" suggestions.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
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

struct entry_base {
  std::string name;     // flag name without dashes, or the positional's metavar
  std::string metavar;  // "K", "FILE"; empty for a switch
  std::string help;
  bool positional = false;
  bool switch_flag = false;
  bool given = false;
  virtual ~entry_base() = default;
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
      if (!rules.choices.empty() && std::find(rules.choices.begin(), rules.choices.end(), v) == rules.choices.end())
        throw usage_error(display() + " must be one of " + join(rules.choices, ", ") + "; got '" + v + "'");
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
  [[nodiscard]] bool given() const noexcept { return e_->given; }
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

/// @brief Declares flags, parses argv into them, and writes the --help text.
class parser {
 public:
  /// @param[in] program the program's name, as in messages ("nacs-greedy")
  /// @param[in] summary one paragraph printed under the usage line
  parser(std::string program, std::string summary) : program_(std::move(program)), summary_(std::move(summary)) {}
  parser(const parser&) = delete;
  parser& operator=(const parser&) = delete;

  /// @brief Declares `--name VALUE` (or a switch `--name` for T = bool).
  /// @param[in] name the flag without dashes
  /// @param[in] metavar how the help text calls its value ("K"); ignored for switches
  /// @param[in] help one line for --help
  /// @param[in] rules default, required, bounds, choices
  template <detail::value_type T>
  option<T> flag(std::string name, std::string metavar, std::string help, spec<T> rules = {}) {
    if (name.empty() || name.front() == '-' || find(name) || name == "help")
      throw std::logic_error("nacs_cli: flag name '" + name + "' is empty, starts with '-', or is declared twice");
    auto e = std::make_unique<detail::entry<T>>();
    e->name = std::move(name);
    e->metavar = std::is_same_v<T, bool> ? std::string() : std::move(metavar);
    e->help = std::move(help);
    e->switch_flag = std::is_same_v<T, bool>;
    e->rules = std::move(rules);
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
    auto e = std::make_unique<detail::entry<T>>();
    e->name = metavar;
    e->metavar = std::move(metavar);
    e->help = std::move(help);
    e->positional = true;
    e->rules = std::move(rules);
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
    std::vector<std::string_view> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    for (const auto a : args) {
      if (a == "--") break;
      if (a == "-h" || a == "--help") {
        help_ = true;
        return;
      }
    }
    std::size_t next_positional = 0;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string_view a = args[i];
      if (!options_done && a == "--") {
        options_done = true;
        continue;
      }
      const bool looks_like_flag = a.size() > 1 && a.front() == '-' && !is_number(a);
      if (options_done || !looks_like_flag) {
        detail::entry_base* p = nth_positional(next_positional++);
        if (!p) throw usage_error("unexpected argument '" + std::string(a) + "'");
        assign(*p, a);
        continue;
      }
      if (!a.starts_with("--")) throw usage_error("unknown option '" + std::string(a) + "'" + suggestion(a.substr(1)));
      std::string_view name = a.substr(2);
      std::optional<std::string_view> inline_value;
      if (const auto eq = name.find('='); eq != std::string_view::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      detail::entry_base* e = find(name);
      if (!e || e->positional) throw usage_error("unknown option '--" + std::string(name) + "'" + suggestion(name));
      if (e->switch_flag) {
        if (inline_value) throw usage_error(e->display() + " is a switch and takes no value");
        if (e->given) throw usage_error(e->display() + " is given twice");
        e->given = true;
        static_cast<detail::entry<bool>*>(e)->value = true;
        continue;
      }
      std::string_view value;
      if (inline_value) {
        value = *inline_value;
      } else {
        if (i + 1 >= args.size() || args[i + 1].starts_with("--"))
          throw usage_error(e->display() + " needs a value (" + e->display() + " " + e->metavar + ")");
        value = args[++i];
      }
      assign(*e, value);
    }
    for (const auto& e : entries_)
      if (e->required() && !e->given)
        throw usage_error(e->display() + " is required" + (e->positional ? "" : " (" + e->display() + " " + e->metavar + ")"));
    for (const auto& g : groups_) {
      std::vector<std::string> given, all;
      for (const auto& n : g.names) {
        const detail::entry_base* e = find(n);
        if (!e) throw std::logic_error("nacs_cli: group names the undeclared flag '" + n + "'");
        all.push_back(e->display());
        if (e->given) given.push_back(e->display());
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

  /// @brief The --help text: usage line, summary, one line per flag, epilog.
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

  static bool is_number(std::string_view a) {
    if (a.size() < 2 || a.front() != '-') return false;
    const char c = a[1];
    return (c >= '0' && c <= '9') || c == '.';
  }

  static void assign(detail::entry_base& e, std::string_view value) {
    if (e.given) throw usage_error(e.display() + " is given twice");
    e.set(value);
    e.given = true;
  }

  detail::entry_base* find(std::string_view name) const {
    for (const auto& e : entries_)
      if (e->name == name) return e.get();
    return nullptr;
  }

  detail::entry_base* nth_positional(std::size_t n) const {
    for (const auto& e : entries_)
      if (e->positional && n-- == 0) return e.get();
    return nullptr;
  }

  std::string suggestion(std::string_view name) const {
    std::string best;
    std::size_t best_d = 3;
    for (const auto& e : entries_) {
      if (e->positional) continue;
      const std::size_t d = detail::edit_distance(name, e->name);
      if (d < best_d) {
        best_d = d;
        best = e->name;
      }
    }
    return best.empty() ? std::string(" (see --help)") : " (did you mean --" + best + "?)";
  }

  static constexpr std::size_t line_width = 100;
  std::string program_, summary_, epilog_;
  std::vector<std::unique_ptr<detail::entry_base>> entries_;
  std::vector<group> groups_;
  bool help_ = false;
};

/// @brief Runs body() and turns exceptions into one line on stderr and an exit status.
///
/// usage_error: "<program>: <message> (see --help)", exit_usage. nacs::error:
/// "<program>: <message> [<code>]", exit_failure. std::bad_alloc and other
/// std::exceptions: exit_failure. body returns the exit status.
template <class F>
int guarded_main(const std::string& program, F&& body) noexcept {
  try {
    return std::forward<F>(body)();
  } catch (const usage_error& e) {
    std::fprintf(stderr, "%s: %s (see --help)\n", program.c_str(), e.what());
    return exit_usage;
  } catch (const nacs::error& e) {
    std::fprintf(stderr, "%s: %s [%s]\n", program.c_str(), e.message().c_str(),
                 std::string(nacs::to_string(e.code())).c_str());
    return exit_failure;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: out of memory: use smaller partitions (--partition-size) or less data\n",
                 program.c_str());
    return exit_failure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), e.what());
    return exit_failure;
  } catch (...) {
    std::fprintf(stderr, "%s: unknown error\n", program.c_str());
    return exit_failure;
  }
}

}  // namespace nacs_cli
