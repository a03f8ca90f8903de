// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/philox.hpp>
#include <nacs/model/adam.hpp>

#include <cmath>
#include <vector>

namespace {
template <class T>
double tol() {
  return sizeof(T) == 4 ? 1e-6 : 1e-13;
}
}  // namespace

// lr 0.1, betas (0.9, 0.999), eps 1e-8; w0 = 1; gradients 0.5 then -1.
// Step 1: m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 0.00025, m^ = 0.05/0.1 = 0.5, v^ = 0.00025/0.001 = 0.25,
//         w = 1 - 0.1*0.5/(0.5 + 1e-8) = 0.900000002.
// Step 2: m = 0.9*0.05 - 0.1 = -0.055, v = 0.999*0.00025 + 0.001 = 0.00124975,
//         m^ = -0.055/0.19 = -0.289473684, v^ = 0.00124975/0.001999 = 0.625187594, sqrt = 0.790688051,
//         w = 0.900000002 + 0.1*0.289473684/0.790688061 = 0.936610354.
TEST_CASE_TEMPLATE("adam matches a hand-computed two-step update", T, float, double) {
  nacs::parameter<T> p("w", 1, 1);
  p.value[0] = T(1);
  nacs::adam<T> opt({.learning_rate = 0.1});
  std::vector<nacs::parameter<T>*> params = {&p};
  p.grad[0] = T(0.5);
  opt.step(nacs::seq, params);
  CHECK(opt.steps() == 1);
  CHECK(static_cast<double>(opt.moments(p).m[0]) == doctest::Approx(0.05).epsilon(tol<T>()));
  CHECK(static_cast<double>(opt.moments(p).v[0]) == doctest::Approx(0.00025).epsilon(tol<T>()));
  CHECK(static_cast<double>(p.value[0]) == doctest::Approx(0.900000002).epsilon(tol<T>()));
  p.grad[0] = T(-1);
  opt.step(nacs::seq, params);
  CHECK(static_cast<double>(opt.moments(p).m[0]) == doctest::Approx(-0.055).epsilon(tol<T>()));
  CHECK(static_cast<double>(opt.moments(p).v[0]) == doctest::Approx(0.00124975).epsilon(tol<T>()));
  CHECK(static_cast<double>(p.value[0]) == doctest::Approx(0.9366103542405654).epsilon(tol<T>()));
}

// Same steps with weight decay 0.5.
// L2: g1 = 0.5 + 0.5*1 = 1 -> m = 0.1, v = 0.001, w = 1 - 0.1*1/(1 + 1e-8) = 0.900000001;
//     g2 = -1 + 0.5*0.900000001 = -0.5499999995 -> w = 0.8771703775 (m = 0.035, v = 0.0013015).
// Decoupled: w <- (1 - 0.1*0.5) w before each plain step: 0.95 - 0.099999998 = 0.850000002,
//     then 0.95*0.850000002 + 0.0366103542 = 0.8441103541.
TEST_CASE_TEMPLATE("adam weight decay: L2-in-gradient (default) and decoupled", T, float, double) {
  for (auto mode : {nacs::weight_decay_mode::l2, nacs::weight_decay_mode::decoupled}) {
    CAPTURE(nacs::to_string(mode));
    nacs::parameter<T> p("w", 1, 1);
    p.value[0] = T(1);
    nacs::adam<T> opt({.learning_rate = 0.1, .weight_decay = 0.5, .decay_mode = mode});
    std::vector<nacs::parameter<T>*> params = {&p};
    p.grad[0] = T(0.5);
    opt.step(nacs::seq, params);
    p.grad[0] = T(-1);
    opt.step(nacs::seq, params);
    const double expected = mode == nacs::weight_decay_mode::l2 ? 0.8771703774851737 : 0.8441103541405653;
    CHECK(static_cast<double>(p.value[0]) == doctest::Approx(expected).epsilon(tol<T>()));
  }
  CHECK(nacs::adam_options{} == nacs::adam_options{.learning_rate = 0.01});
  CHECK(nacs::adam_options{}.decay_mode == nacs::weight_decay_mode::l2);
}

TEST_CASE_TEMPLATE("adam sparse rows: touched rows as a dense step, untouched rows and moments frozen", T, float,
                   double) {
  const std::size_t rows = 6, width = 3;
  nacs::parameter<T> table("emb", rows, width, /*sparse=*/true), dense("dense", rows, width);
  nacs::fill_normal(table, 1.0, 1, 0);
  dense.value = table.value;
  nacs::adam<T> sparse_opt({.weight_decay = 1e-3}), dense_opt({.weight_decay = 1e-3});
  std::vector<nacs::parameter<T>*> sp = {&table}, dp = {&dense};
  nacs::random_stream rng(2);
  // Step 1 touches rows 1 and 4; step 2 touches row 4 only.
  for (const std::vector<std::size_t>& touched : {std::vector<std::size_t>{1, 4}, std::vector<std::size_t>{4}}) {
    const auto before = table.value;
    const auto m_before = sparse_opt.steps() ? sparse_opt.moments(table).m : std::vector<T>(rows * width, T(0));
    std::fill(table.grad.begin(), table.grad.end(), T(0));
    for (std::size_t r : touched)
      for (std::size_t j = 0; j < width; ++j) table.grad[r * width + j] = static_cast<T>(rng.normal());
    table.touched = touched;
    dense.grad = table.grad;
    sparse_opt.step(nacs::seq, sp);
    dense_opt.step(nacs::seq, dp);
    for (std::size_t r = 0; r < rows; ++r) {
      const bool is_touched = std::find(touched.begin(), touched.end(), r) != touched.end();
      for (std::size_t j = 0; j < width; ++j) {
        const std::size_t i = r * width + j;
        if (is_touched) {
          CHECK(table.value[i] != before[i]);
        } else {
          CHECK(table.value[i] == before[i]);                   // no step, no decay
          CHECK(sparse_opt.moments(table).m[i] == m_before[i]);  // moments not decayed
        }
      }
    }
  }
  // Row 4 was touched at both steps with the same gradients as the dense run, so it matches it.
  for (std::size_t j = 0; j < width; ++j)
    CHECK(static_cast<double>(table.value[4 * width + j]) ==
          doctest::Approx(static_cast<double>(dense.value[4 * width + j])).epsilon(tol<T>()));
  // Row 1 saw one step only; the dense run decayed its moments and moved it again at step 2.
  CHECK(table.value[1 * width] != dense.value[1 * width]);
}

TEST_CASE("adam gives the same bits on seq and par") {
  nacs::parameter<float> a("a", 300, 101), emb("e", 5000, 10, true);
  nacs::fill_normal(a, 1.0, 3, 0);
  nacs::fill_normal(emb, 1.0, 3, 1);
  nacs::random_stream rng(9);
  for (auto& g : a.grad) g = static_cast<float>(rng.normal());
  for (auto& g : emb.grad) g = static_cast<float>(rng.normal());
  for (std::size_t r = 0; r < 5000; r += 3) emb.touched.push_back(r);
  auto a2 = a, e2 = emb;
  nacs::adam<float> o1, o2;
  std::vector<nacs::parameter<float>*> p1 = {&a, &emb}, p2 = {&a2, &e2};
  for (int s = 0; s < 3; ++s) {
    o1.step(nacs::seq, p1);
    o2.step(nacs::par.with_threads(2), p2);
  }
  CHECK(a.value == a2.value);
  CHECK(emb.value == e2.value);
  CHECK(o1.moments(a).v == o2.moments(a2).v);
}

TEST_CASE("adam rejects bad options and mismatched parameter lists") {
  CHECK_THROWS_WITH_AS(nacs::adam<float>({.learning_rate = 0}), doctest::Contains("learning_rate"), nacs::error);
  CHECK_THROWS_WITH_AS(nacs::adam<float>({.beta1 = 1.0}), doctest::Contains("beta1"), nacs::error);
  CHECK_THROWS_WITH_AS(nacs::adam<float>({.epsilon = 0}), doctest::Contains("epsilon"), nacs::error);
  CHECK_THROWS_WITH_AS(nacs::adam<float>({.weight_decay = -1}), doctest::Contains("weight_decay"), nacs::error);
  nacs::parameter<float> a("a", 2, 2), b("b", 2, 2);
  nacs::adam<float> opt;
  CHECK_THROWS_WITH_AS((void)opt.moments(a), doctest::Contains("not optimised"), nacs::error);
  std::vector<nacs::parameter<float>*> pa = {&a}, pb = {&b};
  opt.step(nacs::seq, pa);
  CHECK(opt.moments(a).m.size() == 4);
  CHECK_THROWS_WITH_AS(opt.step(nacs::seq, pb), doctest::Contains("different parameter list"), nacs::error);
  opt.reset();
  CHECK(opt.steps() == 0);
  CHECK_NOTHROW(opt.step(nacs::seq, pb));
  b.touched = {7};
  b.sparse = true;
  CHECK_THROWS_WITH_AS(opt.step(nacs::seq, pb), doctest::Contains("touched row 7"), nacs::error);
  CHECK_THROWS_WITH_AS(opt.set_learning_rate(-1), doctest::Contains("learning_rate"), nacs::error);
}
