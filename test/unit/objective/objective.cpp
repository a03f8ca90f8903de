// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/objective/objective.hpp>
#include <nacs/solver/maximize.hpp>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

// A user-defined objective: modular, F(S) = sum of w_j over picks. It satisfies the concepts,
// so every solver and the partitioned driver accept it.
struct modular_problem {
  std::vector<double> w;
  [[nodiscard]] nacs::row_index size() const { return static_cast<nacs::row_index>(w.size()); }
  double gain(nacs::row_index j) { return w[static_cast<std::size_t>(j)]; }
  void commit(nacs::row_index) {}
  std::optional<nacs::row_index> first_pick(std::span<const nacs::row_index>) { return std::nullopt; }
  nacs::partition_outcome finish(std::span<const nacs::row_index> picks, nacs::exec_context) {
    nacs::partition_outcome o;
    for (const auto j : picks) o.objective += w[static_cast<std::size_t>(j)];
    o.weights.assign(picks.size(), 1);
    return o;
  }
};
struct modular {
  std::vector<double> w;
  [[nodiscard]] nacs::row_index rows() const { return static_cast<nacs::row_index>(w.size()); }
  void validate() const {}
  [[nodiscard]] std::string name() const { return "modular"; }
  [[nodiscard]] std::size_t problem_bytes(nacs::row_index p) const { return static_cast<std::size_t>(p) * 8; }
  [[nodiscard]] modular_problem make_problem(std::span<const nacs::row_index> rows, nacs::exec_context) const {
    modular_problem p;
    for (const auto r : rows) p.w.push_back(w[static_cast<std::size_t>(r)]);
    return p;
  }
  [[nodiscard]] double empty_objective() const { return 0.0; }
  [[nodiscard]] double merge(std::span<const double> v, std::span<const nacs::row_index>) const {
    double s = 0.0;
    for (const double x : v) s += x;
    return s;
  }
};

static_assert(nacs::greedy_problem<modular_problem>);
static_assert(!nacs::incremental_gains<modular_problem>);
static_assert(nacs::objective<modular>);
static_assert(!nacs::objective<int>);
static_assert(!nacs::greedy_problem<modular>);

// A solver over the same interface: picks the first `budget` candidates.
struct first_candidates {
  [[nodiscard]] static constexpr std::string_view name() noexcept { return "first"; }
  void validate() const {}
  template <nacs::greedy_problem P>
  nacs::partition_run run(P& p, std::span<const nacs::row_index> c, nacs::row_index budget, const nacs::partition_context&) const {
    nacs::partition_run r;
    for (nacs::row_index t = 0; t < budget; ++t) {
      r.picks.push_back(c[static_cast<std::size_t>(t)]);
      r.gains.push_back(p.gain(c[static_cast<std::size_t>(t)]));
      p.commit(c[static_cast<std::size_t>(t)]);
    }
    return r;
  }
};
static_assert(nacs::greedy_solver<first_candidates>);
static_assert(!nacs::greedy_solver<int>);

}  // namespace

TEST_CASE("a user's objective and solver plug into the driver") {
  const modular obj{{5.0, 1.0, 3.0, 2.0, 4.0, 0.5}};
  nacs::partition_options opts{.partition_size = 3};
  const auto s = nacs::maximize_partitioned(nacs::seq, obj, 2, first_candidates{}, opts);
  CHECK(s.indices == std::vector<nacs::row_index>{0, 3});  // one pick in each partition of 3
  CHECK(s.objective == 7.0);
  CHECK(s.partitions.size() == 2);
  CHECK(s.partitions[1].first == 1);
  CHECK(nacs::exec_context{2} == nacs::exec_context{.threads = 2});
  CHECK_FALSE(nacs::exec_context{2} == nacs::exec_context{3});
}
