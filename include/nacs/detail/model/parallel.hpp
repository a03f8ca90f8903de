// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The model layer's block size and scratch buffers; its loops are core/parallel.hpp's.
#pragma once

#include <cstddef>
#include <vector>

#include <nacs/core/parallel.hpp>
#include <nacs/core/tuning.hpp>

namespace nacs::detail {

/// Rows per tile of the batch-level operations (tuning::model_tile_rows). Fixed,
/// never derived from the thread count, so a tile's arithmetic is the same
/// whichever policy runs it.
inline constexpr std::size_t model_tile_rows = tuning::model_tile_rows;

/// A reusable buffer: grows when asked for more, never shrinks, so a layer
/// that sees the same batch size again allocates nothing.
template <class T>
class scratch {
 public:
  /// Pointer to at least n elements (contents unspecified).
  T* get(std::size_t n) {
    if (data_.size() < n) data_.resize(n);
    return data_.data();
  }
  /// The buffer (at least as long as the largest get() so far).
  [[nodiscard]] T* data() noexcept { return data_.data(); }
  [[nodiscard]] const T* data() const noexcept { return data_.data(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return data_.size(); }

 private:
  std::vector<T> data_;
};

}  // namespace nacs::detail
