// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Chunked loops for the model layer: the same chunks on seq and par, so results match bit for bit.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <type_traits>
#include <vector>

#include <nacs/execution.hpp>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace nacs::detail {

/// Rows per tile of the batch-level operations. Fixed (never derived from the
/// thread count), so a tile's arithmetic is the same whichever policy runs it.
inline constexpr std::size_t model_tile_rows = 512;

/// Below this many elementary operations a loop runs on the calling thread even
/// on par: starting threads would cost more than it saves, and on cores shared
/// with other programs every parallel region can wait for a descheduled thread.
/// The chunks and their order are the same either way, so results do not change.
inline constexpr std::size_t min_parallel_work = std::size_t{1} << 15;

/// True when n items of `cost` operations each are worth running in parallel.
constexpr bool worth_parallel(std::size_t n, std::size_t cost) noexcept {
  return cost >= min_parallel_work || (cost > 0 && n >= min_parallel_work / cost);
}

/// Number of chunks of `chunk` items that cover n items.
constexpr std::size_t chunk_count(std::size_t n, std::size_t chunk) noexcept { return (n + chunk - 1) / chunk; }

/// Keeps Eigen single-threaded while alive: Eigen asks OpenMP for its thread
/// count (omp_get_max_threads) before each large product, and this sets the
/// calling thread's count to 1, restoring it on exit. An application that
/// forced Eigen::setNbThreads(n > 1) overrides this (then seq products may use
/// Eigen's threads; results agree within float rounding).
class serial_eigen_scope {
 public:
#if defined(_OPENMP)
  serial_eigen_scope() noexcept : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~serial_eigen_scope() { omp_set_num_threads(saved_); }
#else
  serial_eigen_scope() noexcept = default;
#endif
  serial_eigen_scope(const serial_eigen_scope&) = delete;
  serial_eigen_scope& operator=(const serial_eigen_scope&) = delete;

 private:
#if defined(_OPENMP)
  int saved_;
#endif
};

/// Runs fn(i) for every i in [0, count). seq: in order on the calling thread.
/// par: over OpenMP threads (dynamic schedule). fn(i) must write only its own
/// outputs, so the result does not depend on who runs which i. The first
/// exception thrown by any fn(i) is rethrown after the loop. With parallel ==
/// false, par runs the loop on the calling thread too (see worth_parallel).
template <host_policy P, class F>
void for_each_chunk(const P& policy, std::size_t count, F&& fn, bool parallel = true) {
  if (count == 0) return;
  int threads = 1;
  if constexpr (std::is_same_v<std::remove_cvref_t<P>, parallel_policy>) {
    if (parallel)
      threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(policy.thread_count()), count));
  } else {
    (void)policy;
  }
  if (threads <= 1) {
    serial_eigen_scope scope;
    for (std::size_t i = 0; i < count; ++i) fn(i);
    return;
  }
#if defined(_OPENMP)
  std::exception_ptr failure;
  bool failed = false;
  const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel num_threads(threads)
  {
    // Eigen does not start threads inside a team of more than one, but be explicit.
    omp_set_num_threads(1);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t i = 0; i < n; ++i) {
      bool skip;
#pragma omp atomic read
      skip = failed;
      if (skip) continue;
      try {
        fn(static_cast<std::size_t>(i));
      } catch (...) {
#pragma omp critical(nacs_model_chunk_failure)
        {
          if (!failure) failure = std::current_exception();
        }
#pragma omp atomic write
        failed = true;
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
#endif
}

/// Runs fn(begin, end) over [0, n) in chunks of `chunk` items (see for_each_chunk);
/// `cost` is the work per item, in elementary operations, for worth_parallel.
template <host_policy P, class F>
void for_each_range(const P& policy, std::size_t n, std::size_t chunk, F&& fn,
                    std::size_t cost = min_parallel_work) {
  for_each_chunk(
      policy, chunk_count(n, chunk),
      [&](std::size_t c) {
        const std::size_t begin = c * chunk;
        fn(begin, std::min(n, begin + chunk));
      },
      worth_parallel(n, cost));
}

/// Sum over [0, n) of f(i) in double: chunk partials added in chunk order, so
/// seq and par (any thread count) give the same bits.
template <host_policy P, class F>
double deterministic_sum(const P& policy, std::size_t n, F&& f, std::size_t chunk = 4096) {
  const std::size_t chunks = chunk_count(n, chunk);
  std::vector<double> partial(chunks, 0.0);
  for_each_range(
      policy, n, chunk,
      [&](std::size_t begin, std::size_t end) {
        double s = 0.0;
        for (std::size_t i = begin; i < end; ++i) s += f(i);
        partial[begin / chunk] = s;
      },
      16);
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

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
