// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Philox4x32-10, a counter-based random number generator.
///
/// A draw is a pure function of (key, counter), so a value depends only on
/// which draw it is, never on which thread makes it or in which order. That is
/// how nacs makes seq, par and cuda give the same selection for the same seed.
/// Algorithm: Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as
/// 1, 2, 3" (SC'11); the tests check the published known-answer vectors.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include <nacs/core/config.hpp>

namespace nacs {

/// @brief The Philox4x32 bijection with 10 rounds.
struct philox4x32 {
  using counter_type = std::array<std::uint32_t, 4>;
  using key_type = std::array<std::uint32_t, 2>;

  /// @brief Encrypts one counter under one key: four independent 32-bit words.
  NACS_HOST_DEVICE static constexpr counter_type apply(counter_type c, key_type k) noexcept {
    constexpr std::uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
    constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        k[0] += w0;
        k[1] += w1;
      }
      const std::uint64_t p0 = std::uint64_t{m0} * c[0];
      const std::uint64_t p1 = std::uint64_t{m1} * c[2];
      const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
      const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
      c = counter_type{hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    }
    return c;
  }
};

/// @brief A stream of random numbers identified by (seed, stream id).
///
/// Draw n of stream s under seed x is philox(key = x, counter = {n, s}): any
/// draw can be computed directly (`at`), and streams with different ids are
/// independent. Give each partition, row or step its own stream id and the
/// result cannot depend on scheduling.
class random_stream {
 public:
  NACS_HOST_DEVICE constexpr random_stream(std::uint64_t seed, std::uint64_t stream = 0) noexcept
      : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}, stream_(stream) {}

  /// @brief Four 32-bit words of block number `block`, without advancing.
  [[nodiscard]] NACS_HOST_DEVICE constexpr philox4x32::counter_type block(std::uint64_t block) const noexcept {
    return philox4x32::apply({static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                              static_cast<std::uint32_t>(stream_), static_cast<std::uint32_t>(stream_ >> 32)},
                             key_);
  }

  /// @brief The next 32 random bits.
  NACS_HOST_DEVICE constexpr std::uint32_t next_u32() noexcept {
    if (lane_ == 4) {
      buffer_ = block(counter_++);
      lane_ = 0;
    }
    return buffer_[lane_++];
  }
  /// @brief The next 64 random bits.
  NACS_HOST_DEVICE constexpr std::uint64_t next_u64() noexcept {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  /// @brief Uniform double in [0, 1) with 53 random bits.
  NACS_HOST_DEVICE constexpr double uniform() noexcept {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  }
  /// @brief Uniform float in [0, 1) with 24 random bits.
  NACS_HOST_DEVICE constexpr float uniform_float() noexcept {
    return static_cast<float>(next_u32() >> 8) * 0x1.0p-24f;
  }
  /// @brief Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n must be > 0.
  NACS_HOST_DEVICE constexpr std::uint64_t below(std::uint64_t n) noexcept {
    if (n <= 0xFFFFFFFFull) {
      const auto n32 = static_cast<std::uint32_t>(n);
      std::uint64_t m = std::uint64_t{next_u32()} * n32;
      auto low = static_cast<std::uint32_t>(m);
      if (low < n32) {
        const std::uint32_t threshold = static_cast<std::uint32_t>(-n32) % n32;
        while (low < threshold) {
          m = std::uint64_t{next_u32()} * n32;
          low = static_cast<std::uint32_t>(m);
        }
      }
      return m >> 32;
    }
    // Wide ranges: rejection on the smallest covering power of two.
    std::uint64_t mask = n - 1;
    mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4;
    mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32;
    std::uint64_t x = next_u64() & mask;
    while (x >= n) x = next_u64() & mask;
    return x;
  }
  /// @brief Standard normal draw (Box-Muller, one value per call).
  double normal() noexcept {
    // 1 - u is in (0, 1], so the log is finite.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925286766559 * u2);
  }

  [[nodiscard]] NACS_HOST_DEVICE constexpr std::uint64_t stream_id() const noexcept { return stream_; }

 private:
  philox4x32::key_type key_;
  std::uint64_t stream_;
  std::uint64_t counter_ = 0;
  philox4x32::counter_type buffer_{};
  int lane_ = 4;
};

}  // namespace nacs
