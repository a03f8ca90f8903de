// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <nacs/objective/objective.hpp>
#include <nacs/solver/maximize.hpp>

#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

// A user's host policy that carries a value (as a stream or a pool handle would): it
// runs on the host backend, so every host algorithm accepts it, and the problems
// receive it, value included.
struct traced_policy {
  int id = 0;
};
template <>
struct nacs::backend_of<traced_policy> {
  using type = nacs::host_backend;
};
template <>
struct nacs::detail::backend_available<traced_policy> : std::true_type {};
static_assert(nacs::host_policy<traced_policy>);

namespace {

// What the problems were given: (policy id or -1 for seq/par, threads) per call.
struct policy_seen {
  int id = -1;
  int threads = 0;
  friend bool operator==(const policy_seen&, const policy_seen&) = default;
};
std::vector<policy_seen> made, finished;
std::mutex seen_mutex;  // par solves partitions on several threads

template <class P>
policy_seen seen(const P& policy) {
  if constexpr (std::is_same_v<P, traced_policy>) {
    return {policy.id, nacs::detail::omp_threads(policy)};
  } else {
    return {-1, nacs::detail::omp_threads(policy)};
  }
}

// A user-defined objective: modular, F(S) = sum of w_j over picks. It satisfies the concepts,
// so every solver and the partitioned driver accept it.
struct modular_problem {
  std::vector<double> w;
  [[nodiscard]] nacs::row_index size() const { return static_cast<nacs::row_index>(w.size()); }
  double gain(nacs::row_index j) { return w[static_cast<std::size_t>(j)]; }
  void commit(nacs::row_index) {}
  std::optional<nacs::row_index> first_pick(std::span<const nacs::row_index>) { return std::nullopt; }
  template <nacs::host_policy P>
  nacs::partition_outcome finish(const P& policy, std::span<const nacs::row_index> picks) {
    {
      const std::lock_guard<std::mutex> lock(seen_mutex);
      finished.push_back(seen(policy));
    }
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
  template <nacs::host_policy P>
  [[nodiscard]] modular_problem make_problem(const P& policy, std::span<const nacs::row_index> rows) const {
    const std::lock_guard<std::mutex> lock(seen_mutex);
    made.push_back(seen(policy));
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
  template <class P, class Policy>
  nacs::partition_run run(P& p, std::span<const nacs::row_index> c, nacs::row_index budget,
                          const nacs::partition_context<Policy>&) const {
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
}

static_assert(nacs::objective_for<modular, traced_policy>);
static_assert(!nacs::objective_for<modular, int>);

TEST_CASE("the caller's policy, with what it carries, reaches make_problem and finish") {
  const modular obj{{5.0, 1.0, 3.0, 2.0, 4.0, 0.5}};
  nacs::partition_options opts{.partition_size = 3};
  made.clear();
  finished.clear();
  const auto s = nacs::maximize_partitioned(traced_policy{42}, obj, 2, first_candidates{}, opts);
  CHECK(s.indices == std::vector<nacs::row_index>{0, 3});
  CHECK(made == std::vector<policy_seen>{{42, 1}, {42, 1}});
  CHECK(finished == made);
  made.clear();
  finished.clear();
  (void)nacs::maximize(nacs::seq, obj, 2, first_candidates{});
  CHECK(made == std::vector<policy_seen>{{-1, 1}});
#if defined(_OPENMP)
  // One partition: it gets all of par's threads; as many partitions as threads: one each.
  made.clear();
  (void)nacs::maximize(nacs::par.with_threads(3), obj, 2, first_candidates{});
  CHECK(made == std::vector<policy_seen>{{-1, 3}});
  made.clear();
  nacs::partition_options one_row{.partition_size = 1};
  (void)nacs::maximize_partitioned(nacs::par.with_threads(2), obj, 2, first_candidates{}, one_row);
  CHECK(made == std::vector<policy_seen>{{-1, 1}, {-1, 1}});
#endif
}
