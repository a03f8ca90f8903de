// SPDX-License-Identifier: Apache-2.0
// A small open-addressing hash map from 32-bit keys to 32-bit values, for
// vocabularies (tens of millions of lookups; std::unordered_map is several
// times slower there). Internal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace nacs::detail {

class u32_map {
 public:
  static constexpr std::uint32_t empty_value = 0xFFFFFFFFu;  // marks a free slot; never a stored value

  explicit u32_map(std::size_t expected = 0) { rehash(capacity_for(expected)); }

  // The value stored for `key`, or nullptr.
  [[nodiscard]] const std::uint32_t* find(std::uint32_t key) const noexcept {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      const slot& s = slots_[i];
      if (s.value == empty_value) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  [[nodiscard]] std::uint32_t get_or(std::uint32_t key, std::uint32_t fallback) const noexcept {
    const std::uint32_t* v = find(key);
    return v ? *v : fallback;
  }

  // Inserts (key, value) when key is absent. Returns the stored value and whether it was inserted.
  // `value` must not be empty_value.
  std::pair<std::uint32_t, bool> try_emplace(std::uint32_t key, std::uint32_t value) {
    if ((size_ + 1) * 10 > slots_.size() * 7) rehash(slots_.size() * 2);
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      slot& s = slots_[i];
      if (s.value == empty_value) {
        s = {key, value};
        ++size_;
        return {value, true};
      }
      if (s.key == key) return {s.value, false};
    }
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  struct slot {
    std::uint32_t key;
    std::uint32_t value;
  };
  static std::size_t capacity_for(std::size_t n) noexcept {
    std::size_t c = 16;
    while (c * 7 < n * 10 + 10) c *= 2;
    return c;
  }
  [[nodiscard]] std::size_t home(std::uint32_t key) const noexcept {
    // Fibonacci hashing: the top bits of key * 2^64/phi.
    return static_cast<std::size_t>((std::uint64_t{key} * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void rehash(std::size_t capacity) {
    std::vector<slot> old = std::move(slots_);
    slots_.assign(capacity, slot{0, empty_value});
    mask_ = capacity - 1;
    int bits = 0;
    while ((std::size_t{1} << bits) < capacity) ++bits;
    shift_ = 64 - bits;
    size_ = 0;
    for (const slot& s : old)
      if (s.value != empty_value) (void)try_emplace(s.key, s.value);
  }

  std::vector<slot> slots_;
  std::size_t mask_ = 0, size_ = 0;
  int shift_ = 60;
};

}  // namespace nacs::detail
