// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs_test/shared_data.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/data/criteo.hpp>
#include <nacs/data/vocabulary.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

namespace {

nacs::dataset make(std::vector<std::uint32_t> ids, std::size_t fields) {
  nacs::dataset d;
  for (std::size_t f = 0; f < fields; ++f) d.field_names.push_back(std::string(1, 'f').append(std::to_string(f)));
  d.labels.assign(ids.size() / fields, 0.0f);
  d.ids = std::move(ids);
  return d;
}

// The obvious oracle: per field, count with std::map, then number the kept values by first appearance.
std::vector<std::map<std::uint32_t, std::uint32_t>> oracle(const nacs::dataset& d, std::uint64_t min_count) {
  const std::size_t f = d.num_fields();
  std::vector<std::map<std::uint32_t, std::uint32_t>> ids(f);
  for (std::size_t j = 0; j < f; ++j) {
    std::map<std::uint32_t, std::uint64_t> count;
    std::vector<std::uint32_t> order;
    for (nacs::row_index r = 0; r < d.rows(); ++r) {
      const auto v = d.row(r)[j];
      if (count[v]++ == 0) order.push_back(v);
    }
    std::uint32_t next = 1;
    for (const auto v : order)
      if (count[v] >= min_count) ids[j][v] = next++;
  }
  return ids;
}

using nacs_test::shared_data;

}  // namespace

TEST_CASE("vocabulary: min_count, first-appearance ids, OOV 0 for rare and unseen values") {
  // Field 0: 7 x3, 9 x2, 5 x1. Field 1: 100 x6.
  const auto train = make({5, 100, 7, 100, 9, 100, 7, 100, 9, 100, 7, 100}, 2);
  const auto v = nacs::build_vocabulary(nacs::seq, train, {.min_count = 2});
  CHECK(v.num_fields() == 2);
  CHECK(v.field_names() == train.field_names);
  CHECK(v.options().min_count == 2);
  CHECK(v.cardinalities() == std::vector<std::uint32_t>{3, 2});
  CHECK(v.id(0, 7) == 1);   // first kept value to appear
  CHECK(v.id(0, 9) == 2);
  CHECK(v.id(0, 5) == nacs::vocabulary::oov);    // seen once < min_count
  CHECK(v.id(0, 123) == nacs::vocabulary::oov);  // never seen
  CHECK(v.id(1, 100) == 1);
  CHECK(std::vector<std::uint32_t>(v.values(0).begin(), v.values(0).end()) == std::vector<std::uint32_t>{7, 9});
  CHECK_THROWS_AS((void)v.id(2, 0), nacs::error);
  CHECK_THROWS_AS((void)v.cardinality(2), nacs::error);

  // Encoding an evaluation split: new values map to OOV; labels and weights come along.
  auto test = make({9, 100, 42, 100, 7, 55}, 2);
  test.labels = {1, 0, 1};
  test.weights = {1, 2, 3};
  const auto e = v.encode(nacs::seq, test);
  CHECK(e.encoded());
  CHECK(e.cardinalities == v.cardinalities());
  CHECK(e.ids == std::vector<std::uint32_t>{2, 1, 0, 1, 1, 0});
  CHECK(e.labels == test.labels);
  CHECK(e.weights == test.weights);
  CHECK_NOTHROW(e.validate());
}

TEST_CASE("vocabulary: the default min_count is 10; 0 and 1 keep every value") {
  std::vector<std::uint32_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(1);
  for (int i = 0; i < 9; ++i) ids.push_back(2);
  const auto d = make(ids, 1);
  CHECK(nacs::vocabulary_options{}.min_count == 10);
  const auto v = nacs::build_vocabulary(nacs::seq, d);
  CHECK(v.cardinality(0) == 2);
  CHECK(v.id(0, 1) == 1);
  CHECK(v.id(0, 2) == 0);
  CHECK(nacs::build_vocabulary(nacs::seq, d, {.min_count = 1}).cardinality(0) == 3);
  CHECK(nacs::build_vocabulary(nacs::seq, d, {.min_count = 0}).cardinality(0) == 3);
  // An empty training set gives OOV-only fields.
  const auto none = nacs::build_vocabulary(nacs::seq, make({}, 3));
  CHECK(none.cardinalities() == std::vector<std::uint32_t>{1, 1, 1});
}

TEST_CASE("vocabulary: matches a std::map oracle on seeded Zipf-like data, on seq and par with any thread count") {
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    nacs::random_stream rng(seed);
    const std::size_t fields = 1 + rng.below(7);
    const auto rows = static_cast<std::size_t>(rng.below(3000));
    std::vector<std::uint32_t> ids(rows * fields);
    for (auto& x : ids) {
      // Heavy-tailed values, including the map's free-slot marker 0xffffffff as a key.
      const double u = rng.uniform();
      x = u < 0.05 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(1.0 / (u * u + 1e-6)) * 2654435761u;
    }
    const auto d = make(ids, fields);
    for (const std::uint64_t min_count : {0u, 2u, 10u}) {
      CAPTURE(seed);
      CAPTURE(min_count);
      const auto expect = oracle(d, min_count);
      const auto vs = nacs::build_vocabulary(nacs::seq, d, {.min_count = min_count});
      for (std::size_t j = 0; j < fields; ++j) {
        REQUIRE(vs.cardinality(j) == expect[j].size() + 1);
        for (const auto& [raw, id] : expect[j]) REQUIRE(vs.id(j, raw) == id);
      }
      const auto es = vs.encode(nacs::seq, d);
      for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto it = expect[i % fields].find(ids[i]);
        REQUIRE(es.ids[i] == (it == expect[i % fields].end() ? 0u : it->second));
      }
      for (const int threads : {1, 2, 3, 8}) {
        const auto vp = nacs::build_vocabulary(nacs::par.with_threads(threads), d, {.min_count = min_count});
        CHECK(vp.cardinalities() == vs.cardinalities());
        const auto ep = vp.encode(nacs::par.with_threads(threads), d);
        CHECK(ep.ids == es.ids);
      }
    }
  }
}

TEST_CASE("vocabulary: mismatched fields and bad shapes are typed errors") {
  const auto train = make({1, 2, 3, 4}, 2);
  const auto v = nacs::build_vocabulary(nacs::seq, train);
  CHECK_THROWS_WITH_AS((void)v.encode(nacs::seq, make({1, 2, 3}, 3)), doctest::Contains("fields differ"),
                       nacs::error);
  auto bad = make({1, 2, 3, 4}, 2);
  bad.ids.pop_back();
  CHECK_THROWS_AS((void)v.encode(nacs::seq, bad), nacs::error);
  CHECK_THROWS_AS((void)nacs::build_vocabulary(nacs::seq, bad), nacs::error);
  CHECK_THROWS_AS((void)nacs::build_vocabulary(nacs::seq, nacs::dataset{}), nacs::error);
}

TEST_CASE("vocabulary: built on the criteo sample's train split, applied to its dev split"
          * doctest::skip(!nacs_test::shared_data())) {
  const auto dir = shared_data();
  REQUIRE(dir);  // the case is marked skipped (doctest's summary counts it) when the data are absent
  const auto train = nacs::read_criteo(*dir / "criteo-sample" / "train.csv").data;
  const auto dev = nacs::read_criteo(*dir / "criteo-sample" / "dev.csv").data;
  const auto v = nacs::build_vocabulary(nacs::par, train);  // min_count 10
  const auto et = v.encode(nacs::par, train), ed = v.encode(nacs::seq, dev);
  CHECK_NOTHROW(et.validate());
  CHECK_NOTHROW(ed.validate());
  CHECK(et.cardinalities == ed.cardinalities);
  // The oracle agrees on the real data too.
  const auto expect = oracle(train, 10);
  for (std::size_t j = 0; j < train.num_fields(); ++j) REQUIRE(v.cardinality(j) == expect[j].size() + 1);
  // Rare values exist in the training split (so OOV is used there), and dev has at least as large an OOV share.
  double oov_train = 0, oov_dev = 0;
  for (const auto id : et.ids) oov_train += id == nacs::vocabulary::oov;
  for (const auto id : ed.ids) oov_dev += id == nacs::vocabulary::oov;
  oov_train /= static_cast<double>(et.ids.size());
  oov_dev /= static_cast<double>(ed.ids.size());
  CHECK(oov_train > 0.0);
  CHECK(oov_dev >= oov_train);
  CHECK(oov_dev < 0.5);
}
