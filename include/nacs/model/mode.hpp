// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief How a forward pass runs (training, evaluation, Monte-Carlo dropout) and the replayable dropout mask.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nacs/core/config.hpp>
#include <nacs/core/philox.hpp>

namespace nacs {

/// @brief The three ways a model is run.
enum class forward_mode {
  train,       ///< batch norm uses batch statistics and updates its running ones; dropout on
  eval,        ///< batch norm uses running statistics; dropout off (scoring, selection)
  mc_dropout,  ///< batch norm uses running statistics; dropout on (Monte-Carlo dropout, the denoise step)
};

/// @brief "train", "eval" or "mc_dropout".
constexpr std::string_view to_string(forward_mode m) noexcept {
  switch (m) {
    case forward_mode::train: return "train";
    case forward_mode::eval: return "eval";
    case forward_mode::mc_dropout: return "mc_dropout";
  }
  return "unknown";
}

/// @brief True when dropout is applied in this mode.
constexpr bool dropout_active(forward_mode m) noexcept { return m != forward_mode::eval; }
/// @brief True when batch norm normalises with the batch's own statistics in this mode.
constexpr bool uses_batch_statistics(forward_mode m) noexcept { return m == forward_mode::train; }

/// @brief What selects a dropout mask: a seed and a step (the trainer uses the optimizer step; MC dropout the pass).
///
/// Together with the dropout layer's index and the row's key (its index in the
/// data set) it fixes the mask, so any pass can be replayed exactly.
struct dropout_key {
  std::uint64_t seed = 0;  ///< mask seed
  std::uint64_t step = 0;  ///< training step or Monte-Carlo pass
  friend constexpr bool operator==(const dropout_key&, const dropout_key&) = default;
};

/// @brief The keep/drop decision of one dropout layer, a pure function of (seed, step, layer, row, unit).
///
/// Unit j of row r is kept when word (j mod 4) of Philox block r * ceil(units / 4) + j / 4
/// of stream (step * 256 + layer) under key `seed` is >= rate * 2^32. Kept units are
/// scaled by 1 / (1 - rate) (inverted dropout), so evaluation needs no rescaling.
/// The rate is exact to 2^-32.
class dropout_mask {
 public:
  /// @param[in] key   seed and step
  /// @param[in] layer index of the dropout layer in its model, < 256
  /// @param[in] rate  drop probability in [0, 1)
  NACS_HOST_DEVICE constexpr dropout_mask(dropout_key key, std::uint32_t layer, double rate) noexcept
      : stream_(key.seed, (key.step << 8) | (layer & 0xFFu)),
        threshold_(static_cast<std::uint32_t>(rate * 4294967296.0)),
        scale_(rate > 0.0 ? 1.0 / (1.0 - rate) : 1.0) {}

  /// @brief Calls fn(first, count, words) for consecutive chunks of up to 64 units of row `row`:
  ///        unit first + k is kept when words[k] >= threshold() (a form loops can vectorise).
  template <class F>
  NACS_HOST_DEVICE constexpr void for_each_word_chunk(std::uint64_t row, std::size_t units, F&& fn) const {
    constexpr std::size_t chunk = 64;
    std::uint32_t words[chunk] = {};
    const std::uint64_t blocks = (units + 3) / 4;
    for (std::size_t first = 0; first < units; first += chunk) {
      const std::size_t count = units - first < chunk ? units - first : chunk;
      for (std::size_t b = 0; b < (count + 3) / 4; ++b) {
        const auto w = stream_.block(row * blocks + first / 4 + b);
        for (std::size_t l = 0; l < 4; ++l) words[4 * b + l] = w[l];
      }
      fn(first, count, static_cast<const std::uint32_t*>(words));
    }
  }
  /// @brief Calls fn(j, factor) for each unit j < units of row `row`, factor 0 (dropped) or 1 / (1 - rate) (kept).
  template <class T, class F>
  NACS_HOST_DEVICE constexpr void for_each_factor(std::uint64_t row, std::size_t units, F&& fn) const {
    const T kept = static_cast<T>(scale_);
    for_each_word_chunk(row, units, [&](std::size_t first, std::size_t count, const std::uint32_t* w) {
      for (std::size_t k = 0; k < count; ++k) fn(first + k, w[k] >= threshold_ ? kept : T(0));
    });
  }
  /// @brief Writes the multiplier (0 or 1 / (1 - rate)) of each of `units` units of row `row` to out.
  template <class T>
  NACS_HOST_DEVICE constexpr void row_factors(std::uint64_t row, std::size_t units, T* out) const noexcept {
    for_each_factor<T>(row, units, [out](std::size_t j, T f) { out[j] = f; });
  }
  /// @brief A unit is kept when its word is >= this (rate * 2^32, rounded down).
  [[nodiscard]] NACS_HOST_DEVICE constexpr std::uint32_t threshold() const noexcept { return threshold_; }
  /// @brief 1 / (1 - rate): the factor of a kept unit.
  [[nodiscard]] NACS_HOST_DEVICE constexpr double scale() const noexcept { return scale_; }

 private:
  random_stream stream_;
  std::uint32_t threshold_;  // rate < 1, so rate * 2^32 < 2^32
  double scale_;
};

}  // namespace nacs
