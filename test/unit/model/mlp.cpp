// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/mlp.hpp>

#include <vector>

#include "fd_check.hpp"

namespace {
const std::vector<nacs::forward_mode> all_modes = {nacs::forward_mode::train, nacs::forward_mode::eval,
                                                   nacs::forward_mode::mc_dropout};

// Randomises batch-norm parameters and running statistics so every path matters.
template <class T>
void perturb(nacs::nn::mlp<T>& net, std::uint64_t seed) {
  nacs::random_stream rng(seed);
  for (auto& b : net.blocks) {
    if (!b.use_batch_norm) continue;
    for (std::size_t j = 0; j < b.out(); ++j) {
      b.bn.gamma.value[j] = static_cast<T>(0.5 + rng.uniform());
      b.bn.beta.value[j] = static_cast<T>(0.3 * rng.normal());
      b.bn.running_mean[j] = static_cast<T>(0.2 * rng.normal());
      b.bn.running_var[j] = static_cast<T>(0.5 + rng.uniform());
    }
  }
}
}  // namespace

TEST_CASE("mlp backward against central differences in every mode, with and without batch norm (double)") {
  const std::size_t n = 7, in = 5;
  const std::vector<std::size_t> sizes = {6, 4};
  for (bool bn : {true, false}) {
    for (auto mode : all_modes) {
      CAPTURE(bn);
      CAPTURE(nacs::to_string(mode));
      nacs::nn::mlp<double> net(in, sizes, 0.3, bn, "mlp", 0, 11);
      perturb(net, 12);
      nacs::matrix<double> x(n, in, fd::normal(n * in, 13)), dx(n, in);
      const auto r = fd::normal(n * sizes.back(), 14);
      nacs::matrix<double> dout(n, sizes.back(), r);
      const std::vector<nacs::row_index> keys = {10, 11, 12, 13, 14, 15, 16};
      const nacs::dropout_key key{5, 9};
      // Running statistics are restored before each forward so finite differences see one function.
      std::vector<std::vector<double>> saved;
      for (auto& b : net.blocks) {
        saved.push_back(b.bn.running_mean);
        saved.push_back(b.bn.running_var);
      }
      const auto run = [&] {
        for (std::size_t k = 0; k < net.blocks.size(); ++k) {
          net.blocks[k].bn.running_mean = saved[2 * k];
          net.blocks[k].bn.running_var = saved[2 * k + 1];
        }
        return net.forward(nacs::seq, x.view(), mode, key, keys);
      };
      run();
      net.backward(nacs::seq, x.view(), dout.view(), dx.view());
      const auto loss = [&] { return fd::dot(r, run()); };
      std::vector<nacs::parameter<double>*> params;
      net.collect(params);
      CHECK(params.size() == (bn ? 8u : 4u));
      for (auto* p : params) {
        // Batch norm in training mode removes any constant shift: the linear bias has no effect.
        const bool zero = bn && mode == nacs::forward_mode::train && p->name.ends_with("linear.bias");
        fd::check(p->value, p->grad, loss, p->name, 400, zero);
      }
      fd::check(x.values(), dx.values(), loss, "x");
    }
  }
}

TEST_CASE_TEMPLATE("mlp: seq == par bit for bit; eval is deterministic without keys; dropout changes train outputs", T,
                   float, double) {
  const std::size_t n = 1200, in = 30;
  const std::vector<std::size_t> sizes = {100, 100, 100};
  nacs::nn::mlp<T> a(in, sizes, 0.5, true, "a", 0, 3), b(in, sizes, 0.5, true, "b", 0, 3);
  nacs::random_stream rng(4);
  nacs::matrix<T> x(n, in), dout(n, 100), dx1(n, in), dx2(n, in);
  for (auto& v : x.values()) v = static_cast<T>(rng.normal());
  for (auto& v : dout.values()) v = static_cast<T>(rng.normal());
  const auto ya = a.forward(nacs::seq, x.view(), nacs::forward_mode::train, {1, 1});
  const auto yb = b.forward(nacs::par.with_threads(2), x.view(), nacs::forward_mode::train, {1, 1});
  const std::vector<T> first(ya.data(), ya.data() + n * 100);
  CHECK(std::equal(ya.data(), ya.data() + n * 100, yb.data()));
  a.backward(nacs::seq, x.view(), dout.view(), dx1.view());
  b.backward(nacs::par.with_threads(2), x.view(), dout.view(), dx2.view());
  CHECK(dx1.values() == dx2.values());
  CHECK(a.blocks[0].fc.weight.grad == b.blocks[0].fc.weight.grad);
  CHECK(a.blocks[2].bn.gamma.grad == b.blocks[2].bn.gamma.grad);
  // About half the units of the last layer are zero in training (ReLU and dropout).
  std::size_t zeros = 0;
  for (T v : first) zeros += v == T(0);
  CHECK(zeros > n * 100 / 2);
  const auto e1 = a.forward(nacs::seq, x.view(), nacs::forward_mode::eval, {1, 1});
  const std::vector<T> eval1(e1.data(), e1.data() + n * 100);
  const auto e2 = a.forward(nacs::par, x.view(), nacs::forward_mode::eval, {2, 7});
  CHECK(std::equal(eval1.begin(), eval1.end(), e2.data()));
  const auto m1 = a.forward(nacs::seq, x.view(), nacs::forward_mode::mc_dropout, {1, 1});
  const std::vector<T> mc1(m1.data(), m1.data() + n * 100);
  const auto m2 = a.forward(nacs::seq, x.view(), nacs::forward_mode::mc_dropout, {1, 2});
  CHECK(!std::equal(mc1.begin(), mc1.end(), m2.data()));
}

TEST_CASE("mlp rejects bad configuration") {
  const std::vector<std::size_t> none, sizes = {4};
  CHECK_THROWS_WITH_AS(nacs::nn::mlp<float>(3, none, 0.5, true, "m"), doctest::Contains("at least one hidden size"),
                       nacs::error);
  CHECK_THROWS_WITH_AS(nacs::nn::mlp<float>(3, sizes, 1.5, true, "m"), doctest::Contains("[0, 1)"), nacs::error);
  nacs::nn::mlp<float> m(3, sizes, 0.5, true, "m");
  nacs::matrix<float> x(2, 3), d(2, 4), dx(2, 3);
  (void)m.forward(nacs::seq, x.view(), nacs::forward_mode::train, {});
  nacs::matrix<float> x5(5, 3);
  CHECK_THROWS_AS(m.backward(nacs::seq, x5.view(), d.view(), dx.view()), nacs::error);
}
