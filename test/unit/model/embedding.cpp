// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/embedding.hpp>

#include <algorithm>
#include <vector>

#include "fd_check.hpp"

namespace {
nacs::matrix<std::uint32_t> random_ids(std::size_t n, const std::vector<std::uint32_t>& card, std::uint64_t seed) {
  nacs::random_stream rng(seed);
  nacs::matrix<std::uint32_t> ids(n, card.size());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < card.size(); ++f) ids(i, f) = static_cast<std::uint32_t>(rng.below(card[f]));
  return ids;
}
}  // namespace

TEST_CASE_TEMPLATE("embedding gathers each field's row; backward sums repeated ids into touched rows only", T, float,
                   double) {
  const std::vector<std::uint32_t> card = {3, 50, 1, 7};
  const std::size_t d = 4, n = 40;
  nacs::nn::embedding<T> emb(card, d, "emb", 0.1, 5);
  CHECK(emb.table.rows == 61);
  CHECK(emb.offsets == std::vector<std::size_t>{0, 3, 53, 54, 61});
  CHECK(emb.table.sparse);
  const auto ids = random_ids(n, card, 1);
  nacs::matrix<T> out(n, card.size() * d);
  emb.forward(nacs::seq, ids.view(), out.view());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < card.size(); ++f)
      for (std::size_t k = 0; k < d; ++k)
        CHECK(out(i, f * d + k) == emb.table.value[(emb.offsets[f] + ids(i, f)) * d + k]);
  nacs::random_stream rng(2);
  nacs::matrix<T> dout(n, card.size() * d);
  for (auto& v : dout.values()) v = static_cast<T>(rng.normal());
  emb.backward(nacs::seq, ids.view(), dout.view());
  // Oracle: a dense scatter-add.
  std::vector<double> dense(emb.table.size(), 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < card.size(); ++f)
      for (std::size_t k = 0; k < d; ++k) dense[(emb.offsets[f] + ids(i, f)) * d + k] += static_cast<double>(dout(i, f * d + k));
  for (std::size_t i = 0; i < dense.size(); ++i)
    CHECK(static_cast<double>(emb.table.grad[i]) == doctest::Approx(dense[i]).epsilon(1e-5));
  std::vector<std::size_t> expected_touched;
  for (std::size_t f = 0; f < card.size(); ++f)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t r = emb.offsets[f] + ids(i, f);
      if (std::find(expected_touched.begin(), expected_touched.end(), r) == expected_touched.end())
        expected_touched.push_back(r);
    }
  CHECK(emb.table.touched == expected_touched);
  // A second batch with other ids: the first batch's rows are zeroed.
  nacs::matrix<std::uint32_t> ids2(1, card.size(), std::vector<std::uint32_t>{0, 0, 0, 0});
  nacs::matrix<T> dout2(1, card.size() * d, T(1));
  emb.backward(nacs::seq, ids2.view(), dout2.view());
  CHECK(emb.table.touched == std::vector<std::size_t>{0, 3, 53, 54});
  double sum = 0;
  for (T g : emb.table.grad) sum += static_cast<double>(g);
  CHECK(sum == doctest::Approx(static_cast<double>(card.size() * d)));
}

TEST_CASE_TEMPLATE("embedding: seq == par bit for bit", T, float, double) {
  const std::vector<std::uint32_t> card = {10, 1000, 5, 300, 2, 77};
  const std::size_t d = 6, n = 3000;
  nacs::nn::embedding<T> a(card, d, "a", 0.1, 5), b(card, d, "b", 0.1, 5);
  const auto ids = random_ids(n, card, 3);
  nacs::matrix<T> o1(n, card.size() * d), o2(n, card.size() * d);
  a.forward(nacs::seq, ids.view(), o1.view());
  b.forward(nacs::par.with_threads(2), ids.view(), o2.view());
  CHECK(o1.values() == o2.values());
  for (std::size_t i = 0; i < o1.values().size(); ++i) o1.values()[i] = static_cast<T>(std::sin(static_cast<double>(i)));
  a.backward(nacs::seq, ids.view(), o1.view());
  b.backward(nacs::par.with_threads(3), ids.view(), o1.view());
  CHECK(a.table.grad == b.table.grad);
  CHECK(a.table.touched == b.table.touched);
}

TEST_CASE("embedding backward against central differences (double)") {
  const std::vector<std::uint32_t> card = {4, 6, 3};
  const std::size_t d = 3, n = 8;
  nacs::nn::embedding<double> emb(card, d, "emb", 1.0, 7);
  const auto ids = random_ids(n, card, 4);
  nacs::matrix<double> out(n, card.size() * d);
  const auto r = fd::normal(n * card.size() * d, 9);
  nacs::matrix<double> dout(n, card.size() * d, r);
  emb.backward(nacs::seq, ids.view(), dout.view());
  const auto loss = [&] {
    emb.forward(nacs::seq, ids.view(), out.view());
    return fd::dot(r, nacs::matrix_view<const double>(out.view()));
  };
  // Every table row, touched or not: untouched rows must have a zero gradient.
  fd::check(emb.table.value, emb.table.grad, loss, "table", 1000);
}

TEST_CASE("embedding rejects ids out of range and bad construction") {
  const std::vector<std::uint32_t> card = {3, 2};
  nacs::nn::embedding<float> emb(card, 2, "emb");
  nacs::matrix<std::uint32_t> ids(2, 2, std::vector<std::uint32_t>{0, 1, 2, 2});
  nacs::matrix<float> out(2, 4);
  CHECK_THROWS_WITH_AS(emb.forward(nacs::seq, ids.view(), out.view()),
                       doctest::Contains("row 1 field 1 has id 2 but the field has 2 ids"), nacs::error);
  nacs::matrix<std::uint32_t> narrow(2, 1);
  CHECK_THROWS_WITH_AS(emb.forward(nacs::seq, narrow.view(), out.view()), doctest::Contains("one column per field"),
                       nacs::error);
  const std::vector<std::uint32_t> zero = {3, 0};
  CHECK_THROWS_WITH_AS(nacs::nn::embedding<float>(zero, 2, "z"), doctest::Contains("cardinality 0"), nacs::error);
}
