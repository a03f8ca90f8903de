// SPDX-License-Identifier: Apache-2.0
// The kernel steps of the four built-in similarities (what their resolve()
// returns; see "Writing a similarity" in nacs/similarity.hpp), and the
// helpers that read a step's optional members. Shared by the CPU kernels
// (detail/similarity/kernel.hpp) and the device kernels
// (detail/cuda/similarity.cuh). Internal: not part of the public API.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include <nacs/core/config.hpp>
#include <nacs/detail/similarity/fast_exp.hpp>
#include <nacs/detail/similarity/simd.hpp>

namespace nacs::detail {

/// sqrt in float, on the host (std::sqrt, correctly rounded) and on a device (sqrtf, also IEEE).
NACS_HOST_DEVICE inline float sqrt_float(float q) noexcept {
#if defined(__CUDA_ARCH__)
  return sqrtf(q);
#else
  return std::sqrt(q);
#endif
}

/// acc += (a - b)^2 in float or double (host and device).
template <class T>
NACS_HOST_DEVICE inline void add_squared_difference(T& acc, T a, T b) noexcept {
  const T t = a - b;
  acc += t * t;
}
/// The same on a SIMD vector V of elements E, a broadcast (host only: nvcc rejects vector
/// types in anything it compiles for the device, __host__ __device__ functions included).
template <class V, class E>
inline void add_squared_difference_simd(V& acc, E a, const V& b) noexcept {
  const V t = a - b;
  acc += t * t;
}

/// neg_distance: the epilogue gives the distance; the kernel then stores C - distance,
/// with C = shift(largest distance of the partition).
struct neg_distance_op {
  template <class T>
  NACS_HOST_DEVICE static void accumulate(T& acc, T a, T b) noexcept {
    add_squared_difference(acc, a, b);
  }
  template <class V, class E>
  static void accumulate_simd(V& acc, E a, const V& b) noexcept {
    add_squared_difference_simd(acc, a, b);
  }
  float c = 0.0f;         // C when !from_max
  bool from_max = false;  // C = the partition's largest distance
  NACS_HOST_DEVICE static float epilogue(float q) noexcept { return sqrt_float(q); }
  NACS_HOST_DEVICE static float from_distance(float d) noexcept { return d; }
  NACS_HOST_DEVICE float shift(float largest) const noexcept { return from_max ? largest : c; }
  static void epilogue16(const float* q, float* s) noexcept { simd::sqrt16(q, s); }
};

/// exp_distance: exp(-sqrt(q) / gamma), scale = -1 / gamma.
struct exp_distance_op {
  template <class T>
  NACS_HOST_DEVICE static void accumulate(T& acc, T a, T b) noexcept {
    add_squared_difference(acc, a, b);
  }
  template <class V, class E>
  static void accumulate_simd(V& acc, E a, const V& b) noexcept {
    add_squared_difference_simd(acc, a, b);
  }
  float scale = 0.0f;
  NACS_HOST_DEVICE float epilogue(float q) const noexcept { return exp_approx(sqrt_float(q) * scale); }
  NACS_HOST_DEVICE float from_distance(float d) const noexcept { return exp_approx(d * scale); }
  void epilogue16(const float* q, float* s) const noexcept {
    simd::sqrt16(q, s);
    simd::exp16(s, scale, s);
  }
  void from_distance16(const float* d, float* s) const noexcept { simd::exp16(d, scale, s); }
};

/// rbf: exp(-gamma q), scale = -gamma.
struct rbf_op {
  template <class T>
  NACS_HOST_DEVICE static void accumulate(T& acc, T a, T b) noexcept {
    add_squared_difference(acc, a, b);
  }
  template <class V, class E>
  static void accumulate_simd(V& acc, E a, const V& b) noexcept {
    add_squared_difference_simd(acc, a, b);
  }
  float scale = 0.0f;
  NACS_HOST_DEVICE float epilogue(float q) const noexcept { return exp_approx(q * scale); }
  NACS_HOST_DEVICE float from_distance(float d) const noexcept { return exp_approx((d * d) * scale); }
  void epilogue16(const float* q, float* s) const noexcept { simd::exp16(q, scale, s); }
  void from_distance16(const float* d, float* s) const noexcept {
    alignas(64) float t[16];
    for (int l = 0; l < 16; ++l) t[l] = d[l] * d[l];
    simd::exp16(t, scale, s);
  }
};

/// cosine: the dot product of unit rows, clamped to [-1, 1].
struct cosine_op {
  static constexpr bool unit_rows = true;
  template <class T>
  NACS_HOST_DEVICE static void accumulate(T& acc, T a, T b) noexcept {
    acc += a * b;
  }
  template <class V, class E>
  static void accumulate_simd(V& acc, E a, const V& b) noexcept {
    acc += a * b;
  }
  NACS_HOST_DEVICE static float epilogue(float q) noexcept { return q < -1.0f ? -1.0f : (1.0f < q ? 1.0f : q); }
};

/// A precomputed similarity matrix: its values as given.
struct given_op {
  template <class T>
  NACS_HOST_DEVICE static void accumulate(T& acc, T a, T b) noexcept {
    acc += a * b;
  }
  template <class V, class E>
  static void accumulate_simd(V& acc, E a, const V& b) noexcept {
    acc += a * b;
  }
  NACS_HOST_DEVICE static float epilogue(float q) noexcept { return q; }
  NACS_HOST_DEVICE static float from_distance(float d) noexcept { return d; }
};

// ---------------------------------------------------------- optional members

/// The step normalises rows to unit length first (cosine).
template <class Op>
constexpr bool op_unit_rows() noexcept {
  if constexpr (requires { Op::unit_rows; }) return static_cast<bool>(Op::unit_rows);
  else return false;
}
/// The kernel stores shift(largest value) - value (neg_distance).
template <class Op>
concept shifted_op = requires(const Op& op, float v) {
  { op.shift(v) } -> std::convertible_to<float>;
};
/// The step has a 16-lane host epilogue with the same bits as epilogue().
template <class Op>
concept vector_epilogue_op = requires(const Op& op, const float* q, float* s) { op.epilogue16(q, s); };
/// The step has a 16-lane host from_distance with the same bits as from_distance().
template <class Op>
concept vector_from_distance_op = requires(const Op& op, const float* q, float* s) { op.from_distance16(q, s); };
/// The step has a host-only accumulate_simd for a SIMD vector V of elements E.
template <class Op, class V, class E>
concept simd_accumulate_op = requires(const Op& op, V& acc, E a, const V& b) { op.accumulate_simd(acc, a, b); };
/// The step's accumulate itself takes V (a template): usable on vectors except under nvcc,
/// which compiles a __host__ __device__ template for the device too and rejects vector types there.
template <class Op, class V, class E>
concept generic_accumulate_op =
    !compiled_with_cuda && requires(const Op& op, V& acc, E a, const V& b) { op.accumulate(acc, a, b); };
/// How the CPU tiles run a step's accumulate on SIMD vectors: 2 accumulate_simd, 1 accumulate, 0 lane by lane.
template <class Op, class V, class E>
constexpr int vector_accumulate_kind() noexcept {
  if constexpr (simd_accumulate_op<Op, V, E>) return 2;
  else if constexpr (generic_accumulate_op<Op, V, E>) return 1;
  else return 0;
}

}  // namespace nacs::detail
