// SPDX-License-Identifier: Apache-2.0
// A 64-byte aligned, uninitialised array of trivially copyable values: the
// storage of similarity kernels and per-row solver state.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace nacs::detail {

inline constexpr std::size_t cache_line = 64;
/// Allocations of at least this many bytes are aligned to 2 MiB and, on Linux,
/// marked for transparent huge pages: first-touch page faults on a multi-GB
/// kernel otherwise cost more than computing it.
inline constexpr std::size_t huge_page_threshold = std::size_t{4} << 20;
inline constexpr std::size_t huge_page = std::size_t{2} << 20;

/// Rounds n up to a multiple of m (m > 0).
constexpr std::size_t round_up(std::size_t n, std::size_t m) noexcept { return (n + m - 1) / m * m; }

template <class T>
class aligned_array {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  aligned_array() = default;
  explicit aligned_array(std::size_t n) : size_(n), align_(n * sizeof(T) >= huge_page_threshold ? huge_page : cache_line) {
    if (n == 0) return;
    data_ = static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{align_}));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    // Advice only: a refusal changes nothing but speed.
    if (align_ == huge_page) (void)::madvise(data_, n * sizeof(T), MADV_HUGEPAGE);
#endif
  }
  aligned_array(std::size_t n, T value) : aligned_array(n) {
    for (std::size_t i = 0; i < n; ++i) data_[i] = value;
  }
  aligned_array(aligned_array&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), align_(o.align_) {}
  aligned_array& operator=(aligned_array&& o) noexcept {
    if (this != &o) {
      release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      align_ = o.align_;
    }
    return *this;
  }
  aligned_array(const aligned_array&) = delete;
  aligned_array& operator=(const aligned_array&) = delete;
  ~aligned_array() { release(); }

  [[nodiscard]] T* data() noexcept { return data_; }
  [[nodiscard]] const T* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }

 private:
  void release() noexcept {
    if (data_) ::operator delete(data_, std::align_val_t{align_});
    data_ = nullptr;
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t align_ = cache_line;
};

}  // namespace nacs::detail
