// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/core/philox.hpp>

#include <cmath>
#include <set>
#include <vector>

TEST_CASE("philox4x32-10 matches the published known-answer vectors") {
  using nacs::philox4x32;
  CHECK(philox4x32::apply({0, 0, 0, 0}, {0, 0}) ==
        philox4x32::counter_type{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
  CHECK(philox4x32::apply({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu}) ==
        philox4x32::counter_type{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
  CHECK(philox4x32::apply({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u}) ==
        philox4x32::counter_type{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEST_CASE("philox is usable in constant expressions") {
  constexpr auto out = nacs::philox4x32::apply({0, 0, 0, 0}, {0, 0});
  static_assert(out[0] == 0x6627e8d5u);
}

TEST_CASE("random_stream: draws depend only on seed, stream and position") {
  nacs::random_stream a(7, 3), b(7, 3), c(7, 4), d(8, 3);
  std::vector<std::uint32_t> va, vb, vc, vd;
  for (int i = 0; i < 64; ++i) {
    va.push_back(a.next_u32());
    vb.push_back(b.next_u32());
    vc.push_back(c.next_u32());
    vd.push_back(d.next_u32());
  }
  CHECK(va == vb);
  CHECK(va != vc);
  CHECK(va != vd);
  // Block access without advancing gives the same words.
  nacs::random_stream e(7, 3);
  const auto blk = e.block(1);
  CHECK(blk[0] == va[4]);
  CHECK(blk[3] == va[7]);
}

TEST_CASE("random_stream: uniform values lie in [0,1) with mean near 1/2") {
  nacs::random_stream r(123);
  double sum = 0, sumf = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    const float f = r.uniform_float();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    REQUIRE(f >= 0.0f);
    REQUIRE(f < 1.0f);
    sum += u;
    sumf += f;
  }
  // Standard error of the mean is sqrt(1/12/n) ~ 6.5e-4; allow 6 sigma.
  CHECK(std::abs(sum / n - 0.5) < 4e-3);
  CHECK(std::abs(sumf / n - 0.5) < 4e-3);
}

TEST_CASE("random_stream::below is in range and close to uniform") {
  nacs::random_stream r(99);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) {
    const auto v = r.below(7);
    REQUIRE(v < 7);
    ++counts[v];
  }
  // Chi-square with 6 degrees of freedom; 22.46 is the 0.999 quantile.
  double chi2 = 0;
  for (int c : counts) chi2 += (c - n / 7.0) * (c - n / 7.0) / (n / 7.0);
  CHECK(chi2 < 22.46);
  CHECK(r.below(1) == 0);
  const std::uint64_t big = (std::uint64_t{1} << 40) + 3;
  for (int i = 0; i < 1000; ++i) REQUIRE(r.below(big) < big);
}

TEST_CASE("random_stream::normal has mean 0 and variance 1") {
  nacs::random_stream r(5);
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    REQUIRE(std::isfinite(x));
    s += x;
    s2 += x * x;
  }
  CHECK(std::abs(s / n) < 0.015);
  CHECK(std::abs(s2 / n - 1.0) < 0.03);
}
