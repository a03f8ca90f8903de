// SPDX-License-Identifier: Apache-2.0
// exp(x) in float, written so that a loop over it vectorises (no calls, no
// branches, no floor): Cody-Waite reduction x = n ln2 + r, |r| <= ln2 / 2, a degree-7
// Taylor polynomial in r (truncation error < 6e-9, below half an ulp), and
// 2^n built from the exponent bits. The tests bound its error against
// std::exp in ulps.
#pragma once

#include <bit>
#include <cstdint>

#include <nacs/core/config.hpp>

namespace nacs::detail {

/// Smallest argument whose exp is a normal float; below it exp_approx returns 0.
inline constexpr float exp_approx_min_arg = -87.33654475f;
/// Largest argument accepted; above it the result is clamped to exp(88).
inline constexpr float exp_approx_max_arg = 88.0f;

/// The Taylor polynomial of exp on the reduced range, in Horner form; V is
/// float or a vector-extension type (the SIMD kernel uses the same steps).
/// Host only: nvcc rejects vector types in device code; device code uses the
/// float overload below, which runs the same steps.
template <class V>
inline V exp_poly(V r) noexcept {
  // Not `V{} + c`: nvcc 13's cudafe++ crashes on a vector-extension prvalue plus a scalar
  // in a template. 0 + c == c exactly, so the bits are unchanged.
  V p{};
  p = p + 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return p;
}
/// exp_poly for one float, callable from device code: the same steps as the template.
NACS_HOST_DEVICE inline float exp_poly(float r) noexcept {
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return p;
}

/// exp(x) with a few ulps of error on [-87.33, 88]; 0 below (no subnormals), exp(88) above.
NACS_HOST_DEVICE inline float exp_approx(float x) noexcept {
  constexpr float log2e = 1.44269504088896341f;
  // ln 2 split so that n * ln2_hi is exact for |n| < 2^9.
  constexpr float ln2_hi = 0.693359375f;
  constexpr float ln2_lo = -2.12194440e-4f;
  const float xc = x < exp_approx_min_arg ? exp_approx_min_arg : (x > exp_approx_max_arg ? exp_approx_max_arg : x);
  // Round to nearest through an int conversion (a floor call would not vectorise).
  const float v = xc * log2e;
  const auto ni = static_cast<std::int32_t>(v < 0.0f ? v - 0.5f : v + 0.5f);
  const auto n = static_cast<float>(ni);
  float r = xc - n * ln2_hi;
  r = r - n * ln2_lo;
  const float p = exp_poly(r);
  const auto bits = static_cast<std::uint32_t>(ni + 127) << 23;
  const float result = p * std::bit_cast<float>(bits);
  return x < exp_approx_min_arg ? 0.0f : result;
}

}  // namespace nacs::detail
