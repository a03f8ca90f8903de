// SPDX-License-Identifier: Apache-2.0
// Every selection method through nacs::select_coreset: sizes, distinct rows, what each method promises.
#include <doctest/doctest.h>
#include <nacs/data/synthetic.hpp>
#include <nacs/pipeline/select.hpp>
#include <nacs_test/synthetic.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

nacs::synthetic_data tiny(double base_rate = 0.3, nacs::row_index rows = 2000, double flip_negative = 0.05) {
  return nacs_test::small_synthetic(rows, 5, base_rate, 0.1, flip_negative);
}

nacs::coreset_options small_options() {
  nacs::coreset_options o;
  o.ratio = 0.05;  // k = 100 of 2000
  o.partition_size = 500;
  o.model.embedding_dim = 4;
  o.model.mlp = {16, 16};
  o.seed = 21;
  return o;
}

bool distinct(const std::vector<nacs::row_index>& rows) {
  return std::set<nacs::row_index>(rows.begin(), rows.end()).size() == rows.size();
}

long positives(const nacs::dataset& d, const std::vector<nacs::row_index>& rows) {
  long p = 0;
  for (const auto r : rows) p += d.labels[static_cast<std::size_t>(r)] >= 0.5f ? 1 : 0;
  return p;
}

// Distinct (field, value) pairs of the rows.
std::size_t covered(const nacs::dataset& d, const std::vector<nacs::row_index>& rows) {
  std::set<std::pair<std::size_t, std::uint32_t>> s;
  for (const auto r : rows) {
    const auto ids = d.row(r);
    for (std::size_t f = 0; f < ids.size(); ++f) s.emplace(f, ids[f]);
  }
  return s.size();
}

template <class M, class F = nacs::no_filter>
nacs::coreset run(const nacs::dataset& d, const M& m, const F& f = {}, nacs::coreset_options o = small_options()) {
  return nacs::select_coreset(nacs::seq, d, std::nullopt, m, f, o);
}

// What every method must give through the entry point.
void check_common(const nacs::coreset& c, const nacs::synthetic_data& syn, std::string_view name) {
  INFO(name);
  CHECK(c.rows.size() == 100);
  CHECK(distinct(c.rows));
  CHECK(c.weights.size() == c.rows.size());
  CHECK(c.targets.size() == c.rows.size());
  CHECK(std::accumulate(c.weights.begin(), c.weights.end(), 0.0) == doctest::Approx(100.0).epsilon(1e-4));
  CHECK(c.report.method == name);
  CHECK(c.report.budget == 100);
  // Every method's selection model is trained on its rows before the filter (R = 5 epochs at least).
  CHECK(c.report.optimizer_steps >= 5);
  CHECK(c.report.training_seconds > 0.0);
  for (const auto r : c.rows) {
    CHECK(r >= 0);
    CHECK(r < syn.data.rows());
  }
}

}  // namespace

TEST_CASE("every method runs through select_coreset, with and without a removing filter") {
  const auto syn = tiny();
  const auto each = [&](const auto& method) {
    const std::string name(method.name());
    const auto a = run(syn.data, method);
    check_common(a, syn, name);
    CHECK(a.report.selected == 100);
    const auto b = run(syn.data, method, nacs::mc_dropout_filter{.passes = 4});
    check_common(b, syn, name);
    CHECK(b.report.selected == 112);
    CHECK(b.report.rows_removed == 12);
    // Deterministic for a seed.
    const auto again = run(syn.data, method, nacs::mc_dropout_filter{.passes = 4});
    CHECK(again.rows == b.rows);
    CHECK(again.weights == b.weights);
    return a;
  };
  const auto nacs_rows = each(nacs::nacs_method<>{});
  const auto random_rows = each(nacs::random_method{});
  CHECK(random_rows.report.rows_scored == 0);
  CHECK(random_rows.report.rounds == 1);
  for (std::size_t i = 0; i < random_rows.size(); ++i)  // baselines do not correct labels
    CHECK(random_rows.targets[i] == syn.data.labels[static_cast<std::size_t>(random_rows.rows[i])]);
  (void)each(nacs::balanced_random_method{});
  const auto cover = each(nacs::set_cover_method<>{});
  CHECK(cover.report.partitions_solved == 4);
  const auto centres = each(nacs::k_center_method<>{});
  CHECK(centres.report.rows_scored == 2000);
  CHECK(centres.report.partitions_solved == 4);
  const auto proxy = each(nacs::svpcf_method{});
  CHECK(proxy.report.rows_scored == 3 * 2000);
  const auto norm = each(nacs::gradnorm_method<>{});
  CHECK(norm.report.rows_scored == 2000);
  CHECK(nacs_rows.report.rows_scored == 5 * 2000);
}

TEST_CASE("random draws differ by seed; balanced random takes half positives, or all when there are fewer") {
  const auto syn = tiny();
  const auto a = run(syn.data, nacs::random_method{});
  auto o = small_options();
  o.seed = 22;
  const auto b = run(syn.data, nacs::random_method{}, nacs::no_filter{}, o);
  CHECK(a.rows != b.rows);
  CHECK(std::is_sorted(a.rows.begin(), a.rows.end()));
  const auto bal = run(syn.data, nacs::balanced_random_method{});
  CHECK(positives(syn.data, bal.rows) == 50);
  // A click rate of 1 % and no flipped negatives: about 20 positives, fewer than 50, so all of them are taken.
  const auto rare = tiny(0.01, 2000, 0.0);
  long all_pos = 0;
  for (const float y : rare.data.labels) all_pos += y >= 0.5f;
  REQUIRE(all_pos < 50);
  const auto r = run(rare.data, nacs::balanced_random_method{});
  CHECK(r.rows.size() == 100);
  CHECK(positives(rare.data, r.rows) == all_pos);
}

TEST_CASE("set cover covers more (field, value) pairs than a random sample of the same size") {
  const auto syn = tiny();
  const auto cover = run(syn.data, nacs::set_cover_method<>{});
  const auto random = run(syn.data, nacs::random_method{});
  MESSAGE("pairs covered: set cover " << covered(syn.data, cover.rows) << ", random " << covered(syn.data, random.rows));
  CHECK(covered(syn.data, cover.rows) > covered(syn.data, random.rows));
}

TEST_CASE("gradient norm keeps the rows of largest (p - y)[h; 1] under the untrained model") {
  const auto syn = tiny();
  const auto opt = small_options();
  const auto c = run(syn.data, nacs::gradnorm_method<>{}, nacs::no_filter{}, opt);
  // The same fresh model as the selection's, scored here by hand.
  nacs::ctr_model<float> model(opt.model, syn.data.cardinalities);
  // 2000 rows are one forward batch: hidden() then holds every row's h.
  const auto p = nacs::predict(nacs::seq, model, nacs::evaluation_set{&syn.data});
  const auto h = model.hidden();
  REQUIRE(h.rows() == p.size());
  std::vector<double> norm(p.size());
  for (std::size_t r = 0; r < p.size(); ++r) {
    const double g = static_cast<double>(p[r]) - syn.data.labels[r];
    double s = g * g;
    for (std::size_t j = 0; j < h.cols(); ++j) s += g * g * static_cast<double>(h(r, j)) * h(r, j);
    norm[r] = std::sqrt(s);
  }
  double smallest_kept = 1e300, largest_left = 0;
  std::vector<char> kept(norm.size(), 0);
  for (const auto r : c.rows) kept[static_cast<std::size_t>(r)] = 1;
  for (std::size_t i = 0; i < norm.size(); ++i) {
    if (kept[i]) smallest_kept = std::min(smallest_kept, norm[i]);
    else largest_left = std::max(largest_left, norm[i]);
  }
  CHECK(smallest_kept >= largest_left * (1 - 1e-5));
}

TEST_CASE("SVP-CF and k-center are deterministic and differ from random") {
  const auto syn = tiny();
  const auto random = run(syn.data, nacs::random_method{});
  const auto a = run(syn.data, nacs::svpcf_method{.epochs = 2});
  const auto b = run(syn.data, nacs::svpcf_method{.epochs = 2});
  CHECK(a.rows == b.rows);
  CHECK(a.rows != random.rows);
  CHECK(a.report.rows_scored == 2 * 2000);
  const auto k1 = run(syn.data, nacs::k_center_method<>{});
  const auto k2 = run(syn.data, nacs::k_center_method<nacs::lazy_greedy>{});
  CHECK(k1.rows != random.rows);
  // Naive and lazy greedy make the same farthest-point picks.
  auto s1 = k1.rows, s2 = k2.rows;
  std::sort(s1.begin(), s1.end());
  std::sort(s2.begin(), s2.end());
  CHECK(s1 == s2);
  nacs::coreset_options o = small_options();
  CHECK_THROWS_AS(run(syn.data, nacs::svpcf_method{.epochs = 0}, nacs::no_filter{}, o), nacs::error);
}
