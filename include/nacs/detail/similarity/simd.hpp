// SPDX-License-Identifier: Apache-2.0
// Fixed-width vector code for the hot loops (GCC/Clang vector extensions).
//
// Every function here works on 16 floats (or 8 doubles) at a time, through
// pointers, with an explicit operation order: a result never depends on how
// the compiler vectorises, on alignment peeling or on the thread that runs
// it. Vectors never cross a function boundary by value, so no ABI warnings
// appear in builds without AVX-512 (there the compiler splits each vector
// into narrower ones). Internal: not part of the public API.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <nacs/detail/similarity/fast_exp.hpp>

#if defined(__SSE2__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace nacs::detail::simd {

using f32x16 = float __attribute__((vector_size(64)));
using f32x8 = float __attribute__((vector_size(32)));
using i32x16 = std::int32_t __attribute__((vector_size(64)));
using f64x8 = double __attribute__((vector_size(64)));

/// Vector type and lane count used for element type T in the distance tiles.
template <class T>
struct lanes;
template <>
struct lanes<float> {
  using type = f32x16;
  static constexpr int count = 16;
};
template <>
struct lanes<double> {
  using type = f64x8;
  static constexpr int count = 8;
};

/// out[0..16) = sqrt(in[0..16)), correctly rounded (IEEE), so any width gives the same bits.
inline void sqrt16(const float* in, float* out) noexcept {
  // The 256-bit form even with AVX-512: GCC 12's _mm512_sqrt_ps trips a bogus
  // -Wmaybe-uninitialized (GCC bug 105593), and the bits are the same.
#if defined(__AVX__)
  _mm256_storeu_ps(out, _mm256_sqrt_ps(_mm256_loadu_ps(in)));
  _mm256_storeu_ps(out + 8, _mm256_sqrt_ps(_mm256_loadu_ps(in + 8)));
#elif defined(__SSE2__) || defined(_M_X64)
  for (int i = 0; i < 16; i += 4) _mm_storeu_ps(out + i, _mm_sqrt_ps(_mm_loadu_ps(in + i)));
#else
  for (int i = 0; i < 16; ++i) out[i] = std::sqrt(in[i]);
#endif
}

/// exp_poly over 16 lanes, called on vectors no wider than the target's
/// registers: exp_poly takes and returns its vector by value, and a 64-byte
/// vector passed that way without AVX-512 changes the ABI (GCC's -Wpsabi).
/// The polynomial works lane by lane, so the chunk width never changes a bit.
/// In place, so no vector crosses this function's boundary by value either.
inline void exp_poly16(f32x16& r) noexcept {
#if defined(__AVX512F__)
  r = exp_poly(r);
#else
#if defined(__AVX__)
  using chunk = float __attribute__((vector_size(32)));
#elif defined(__SSE2__) || defined(_M_X64)
  using chunk = float __attribute__((vector_size(16)));
#else
  using chunk = float;
#endif
  constexpr int width = static_cast<int>(sizeof(chunk) / sizeof(float));
  float lanes[16];
  std::memcpy(lanes, &r, sizeof lanes);
  for (int i = 0; i < 16; i += width) {
    chunk c;
    std::memcpy(&c, lanes + i, sizeof c);
    c = exp_poly(c);
    std::memcpy(lanes + i, &c, sizeof c);
  }
  std::memcpy(&r, lanes, sizeof r);
#endif
}

/// out[0..16) = exp_approx(in[0..16) * scale); the same steps as the scalar exp_approx.
inline void exp16(const float* in, float scale, float* out) noexcept {
  constexpr float log2e = 1.44269504088896341f;
  constexpr float ln2_hi = 0.693359375f;
  constexpr float ln2_lo = -2.12194440e-4f;
  f32x16 x;
  std::memcpy(&x, in, sizeof x);
  x = x * scale;
  const f32x16 zero{};  // not f32x16{} + c, which crashes nvcc 13's cudafe++
  const f32x16 lo = zero + exp_approx_min_arg, hi = zero + exp_approx_max_arg;
  f32x16 xc = x < lo ? lo : x;
  xc = xc > hi ? hi : xc;
  const f32x16 v = xc * log2e;
  const f32x16 half = v < 0.0f ? zero - 0.5f : zero + 0.5f;
  const i32x16 ni = __builtin_convertvector(v + half, i32x16);
  const f32x16 n = __builtin_convertvector(ni, f32x16);
  f32x16 r = xc - n * ln2_hi;
  r = r - n * ln2_lo;
  f32x16 p = r;
  exp_poly16(p);
  const i32x16 bits = (ni + 127) << 23;
  f32x16 pow2;
  std::memcpy(&pow2, &bits, sizeof pow2);
  f32x16 result = p * pow2;
  result = x < lo ? f32x16{} : result;
  std::memcpy(out, &result, sizeof result);
}

/// Sum over i < n (n a multiple of 16) of max(0, k[i] - c[i]), accumulated in
/// double in a fixed order: lane i % 16 collects element i, lanes are added last.
inline double positive_gap_sum(const float* k, const float* c, std::size_t n) noexcept {
  f64x8 lo{}, hi{};
  for (std::size_t i = 0; i < n; i += 16) {
    f32x16 a, b;
    std::memcpy(&a, k + i, sizeof a);
    std::memcpy(&b, c + i, sizeof b);
    f32x16 t = a - b;
    t = t > 0.0f ? t : f32x16{};
    const f32x8 t_lo = __builtin_shufflevector(t, t, 0, 1, 2, 3, 4, 5, 6, 7);
    const f32x8 t_hi = __builtin_shufflevector(t, t, 8, 9, 10, 11, 12, 13, 14, 15);
    lo += __builtin_convertvector(t_lo, f64x8);
    hi += __builtin_convertvector(t_hi, f64x8);
  }
  const f64x8 s = lo + hi;
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/// g[j] += max(0, k[j] - now) - max(0, k[j] - before) for j < n (a multiple of 16),
/// each term rounded to float and the difference taken in double.
inline void add_gap_change(const float* k, float before, float now, double* g, std::size_t n) noexcept {
  for (std::size_t j = 0; j < n; j += 16) {
    f32x16 a;
    std::memcpy(&a, k + j, sizeof a);
    f32x16 t_new = a - now, t_old = a - before;
    t_new = t_new > 0.0f ? t_new : f32x16{};
    t_old = t_old > 0.0f ? t_old : f32x16{};
    f64x8 g_lo, g_hi;
    std::memcpy(&g_lo, g + j, sizeof g_lo);
    std::memcpy(&g_hi, g + j + 8, sizeof g_hi);
    g_lo += __builtin_convertvector(__builtin_shufflevector(t_new, t_new, 0, 1, 2, 3, 4, 5, 6, 7), f64x8) -
            __builtin_convertvector(__builtin_shufflevector(t_old, t_old, 0, 1, 2, 3, 4, 5, 6, 7), f64x8);
    g_hi += __builtin_convertvector(__builtin_shufflevector(t_new, t_new, 8, 9, 10, 11, 12, 13, 14, 15), f64x8) -
            __builtin_convertvector(__builtin_shufflevector(t_old, t_old, 8, 9, 10, 11, 12, 13, 14, 15), f64x8);
    std::memcpy(g + j, &g_lo, sizeof g_lo);
    std::memcpy(g + j + 8, &g_hi, sizeof g_hi);
  }
}

}  // namespace nacs::detail::simd
