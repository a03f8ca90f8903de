// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/mode.hpp>

#include <cmath>
#include <vector>

TEST_CASE("forward modes: which parts are on") {
  CHECK(nacs::uses_batch_statistics(nacs::forward_mode::train));
  CHECK(!nacs::uses_batch_statistics(nacs::forward_mode::eval));
  CHECK(!nacs::uses_batch_statistics(nacs::forward_mode::mc_dropout));
  CHECK(nacs::dropout_active(nacs::forward_mode::train));
  CHECK(!nacs::dropout_active(nacs::forward_mode::eval));
  CHECK(nacs::dropout_active(nacs::forward_mode::mc_dropout));
  CHECK(nacs::to_string(nacs::forward_mode::mc_dropout) == "mc_dropout");
  CHECK(nacs::dropout_key{1, 2} == nacs::dropout_key{.seed = 1, .step = 2});
  CHECK_FALSE(nacs::dropout_key{1, 2} == nacs::dropout_key{1, 3});
  CHECK_FALSE(nacs::dropout_key{1, 2} == nacs::dropout_key{2, 2});
}

TEST_CASE("dropout_mask is the documented function of Philox words") {
  const nacs::dropout_key key{42, 7};
  const std::uint32_t layer = 3;
  const double rate = 0.25;
  const nacs::dropout_mask mask(key, layer, rate);
  const std::size_t units = 10;  // 3 blocks of 4 words per row
  std::vector<double> f(units);
  const nacs::random_stream stream(42, (7u << 8) | 3u);
  for (std::uint64_t row : {0ull, 1ull, 123456789ull}) {
    mask.row_factors(row, units, f.data());
    for (std::size_t j = 0; j < units; ++j) {
      const auto words = stream.block(row * 3 + j / 4);
      const bool keep = words[j % 4] >= static_cast<std::uint64_t>(0.25 * 4294967296.0);
      CHECK(f[j] == (keep ? 1.0 / 0.75 : 0.0));
    }
  }
  CHECK(mask.scale() == doctest::Approx(4.0 / 3.0));
}

TEST_CASE("dropout_mask: rate 0 keeps everything; the drop frequency matches the rate") {
  std::vector<float> f(1000);
  nacs::dropout_mask(nacs::dropout_key{1, 1}, 0, 0.0).row_factors(5, f.size(), f.data());
  for (float v : f) CHECK(v == 1.0f);
  const double rate = 0.3;
  const nacs::dropout_mask mask(nacs::dropout_key{9, 0}, 1, rate);
  double dropped = 0, total = 0;
  for (std::uint64_t row = 0; row < 200; ++row) {
    mask.row_factors(row, f.size(), f.data());
    for (float v : f) dropped += v == 0.0f, total += 1;
  }
  CHECK(std::fabs(dropped / total - rate) < 5 * std::sqrt(rate * (1 - rate) / total));
}
