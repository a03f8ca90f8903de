// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The one parallel loop of the host backend: fixed blocks claimed one
///        at a time by whichever thread is free, one threshold, one exception rule.
///
/// `detail::for_each_block(policy, blocks, fn, work)` runs fn(b) for every b in
/// [0, blocks). On `seq`, and on `par` when `work` (elementary operations of the
/// whole loop) is below tuning::parallel_min_work, it runs them in order on the
/// calling thread. Otherwise the calling thread and up to threads - 1 pool
/// threads claim blocks from a shared counter, in increasing order, until none is
/// left; the call returns when every block is done. No thread waits for another
/// to *arrive*: a pool thread that is descheduled (another program holds its core)
/// simply claims fewer blocks, so on shared cores `par` degrades towards `seq`
/// instead of waiting out a time slice at every barrier, which OpenMP's fork-join
/// regions do.
///
/// Determinism: which thread runs a block never matters when fn(b) writes only
/// block b's outputs; reductions keep one partial per block and add them in block
/// order (deterministic_sum). Exceptions: when blocks throw, the exception of the
/// lowest-numbered failing block is rethrown after the loop, the one seq throws:
/// a block is skipped only when a lower-numbered block has already failed, so the
/// lowest failing block always runs. Blocks after a failure may or may not run.
///
/// Shared cores: every tuning::load_check_microseconds the caller of a pooled
/// loop reads how many threads the machine has runnable (Linux: /proc/loadavg).
/// When, leaving out its own threads, fewer cores are idle than the loop would
/// use, loops shorter than tuning::contended_min_work run inline, as on `seq`:
/// beside another busy program a pool thread is descheduled now and then while
/// it holds a block, and for a short loop that wait costs more than the second
/// thread saves. Which thread runs a block never changes a result, so neither
/// does this.
///
/// Nested calls (fn itself calling for_each_block) and calls made while another
/// thread's loop holds the pool run inline on the calling thread, which gives
/// the same results.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include <nacs/core/tuning.hpp>
#include <nacs/execution.hpp>

#if defined(_OPENMP)
#include <omp.h>
#endif

#if defined(__linux__)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace nacs::detail {

/// Keeps Eigen single-threaded while alive: Eigen asks OpenMP for its thread
/// count (omp_get_max_threads) before each large product, and this sets the
/// calling thread's count to 1, restoring it on exit. Blocks of a parallel loop
/// run under it, so a block's products never start threads of their own.
class serial_eigen_scope {
 public:
#if defined(_OPENMP)
  serial_eigen_scope() noexcept : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~serial_eigen_scope() { omp_set_num_threads(saved_); }
#else
  serial_eigen_scope() noexcept {}  // user-provided, so a scope object is not an "unused variable"
  ~serial_eigen_scope() {}
#endif
  serial_eigen_scope(const serial_eigen_scope&) = delete;
  serial_eigen_scope& operator=(const serial_eigen_scope&) = delete;

 private:
#if defined(_OPENMP)
  int saved_;
#endif
};

/// Runs fn(b). Every block of every loop, inline or on the pool, runs through this
/// one out-of-line function, so fn's body is compiled once per loop: inlined into two
/// different callers, the compiler may contract a * b + c into a fused multiply-add in
/// one copy and not the other (g++ -ffp-contract=fast, its default for GNU C++), and
/// seq and par would then differ in the last bit.
template <class F>
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#elif defined(_MSC_VER)
__declspec(noinline)
#endif
void run_block(F& fn, std::size_t b) {
  fn(b);
}

/// Number of blocks of `block` items that cover n items.
constexpr std::size_t block_count(std::size_t n, std::size_t block) noexcept { return (n + block - 1) / block; }

/// Threads a loop of `work` operations over `blocks` blocks uses on this policy
/// (1: inline on the calling thread).
template <host_policy P>
std::size_t loop_threads(const P& policy, std::size_t blocks, std::size_t work) noexcept {
  if constexpr (std::is_same_v<std::remove_cvref_t<P>, parallel_policy>) {
    if (blocks < 2 || work < tuning::parallel_min_work) return 1;
    return std::min(blocks, static_cast<std::size_t>(std::max(1, policy.thread_count())));
  } else {
    (void)policy;
    (void)blocks;
    (void)work;
    return 1;
  }
}

/// The number of runnable threads in the text of /proc/loadavg ("0.52 0.61 0.70
/// 3/211 4242": the 3 of the fourth field, which counts the reader itself), or -1
/// when the text does not have that shape.
constexpr long runnable_threads(const char* text, std::size_t size) noexcept {
  std::size_t i = 0;
  for (int field = 0; field < 3; ++field) {
    while (i < size && text[i] != ' ') ++i;
    if (i == size) return -1;
    ++i;
  }
  long value = 0;
  std::size_t digits = 0;
  for (; i < size && text[i] >= '0' && text[i] <= '9' && digits < 12; ++i, ++digits) value = value * 10 + (text[i] - '0');
  return digits != 0 && i < size && text[i] == '/' ? value : -1;
}

/// Whether other programs leave too few cores for a loop on the caller and
/// `helpers` pool threads: `runnable` threads on the machine (the caller among
/// them), `own_awake` of them pool threads of this process, `cpus` online cores.
constexpr bool cores_shared(long runnable, long own_awake, long cpus, std::size_t helpers) noexcept {
  const long others = std::max(0L, runnable - 1 - own_awake);
  return cpus - others < static_cast<long>(helpers) + 1;
}

/// For tests: -1 (the default) measures the machine's load, 0 takes the cores to
/// be free, 1 takes them to be shared.
inline std::atomic<int> load_override{-1};

/// The process-wide pool of helper threads behind for_each_block. Internal.
class block_pool {
 public:
  using call_type = void (*)(void*, std::size_t);

  static block_pool& instance() {
    static block_pool pool;
    return pool;
  }

  /// Runs call(ctx, b) for b in [0, count) on the caller and up to helpers pool
  /// threads; false (nothing run: the caller runs the loop inline) when the pool
  /// is in use by another loop, or when `loop_work` is below
  /// tuning::contended_min_work and other programs hold the cores.
  bool run(call_type call, void* ctx, std::size_t count, std::size_t helpers, const std::atomic<bool>& stop,
           std::size_t loop_work) {
    if (inside_ || busy_.test_and_set(std::memory_order_acquire)) return false;
    struct release {
      std::atomic_flag& f;
      ~release() { f.clear(std::memory_order_release); }
    } guard{busy_};
    if (loop_work < tuning::contended_min_work && shared(helpers)) return false;
    grow(helpers);
    serial_eigen_scope eigen;
    inside_ = true;
    for (std::size_t base = 0; base < count && !stop.load(std::memory_order_relaxed);
         base += tuning::max_blocks_per_wave) {
      const std::size_t wave = std::min(count - base, tuning::max_blocks_per_wave);
      call_ = call;
      ctx_ = ctx;
      base_ = base;
      wanted_.store(helpers, std::memory_order_relaxed);
      done_.store(0, std::memory_order_relaxed);
      ++generation_;
      claim_.store(pack(generation_, wave, 0), std::memory_order_release);
      {
        // Changed under the mutex, so a thread about to sleep cannot miss it.
        const std::lock_guard<std::mutex> lock(sleep_mutex_);
        wake_.fetch_add(1, std::memory_order_release);
      }
      sleep_cv_.notify_all();
      work();
      // Wait for blocks other threads claimed and are still running: spin, then
      // yield, then nap (polling, so that no wake-up can be lost).
      for (unsigned spins = 0; done_.load(std::memory_order_acquire) != wave; ++spins) {
        if (spins < 2048) {
          pause();
        } else if (spins < 4096) {
          std::this_thread::yield();
        } else {
          std::this_thread::sleep_for(std::chrono::microseconds(20));
        }
      }
    }
    inside_ = false;
    return true;
  }

  block_pool(const block_pool&) = delete;
  block_pool& operator=(const block_pool&) = delete;

  ~block_pool() {
    {
      const std::lock_guard<std::mutex> lock(sleep_mutex_);
      quit_.store(true, std::memory_order_release);
      wake_.fetch_add(1, std::memory_order_release);
    }
    sleep_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

 private:
  block_pool() = default;

  // claim_ = generation (32 bits) | blocks in the wave (16) | next block to claim (16).
  static constexpr std::uint64_t pack(std::uint64_t gen, std::size_t count, std::size_t next) noexcept {
    return gen << 32 | static_cast<std::uint64_t>(count) << 16 | static_cast<std::uint64_t>(next);
  }

  static void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  // Whether other programs hold the cores (see the file comment). Called by the
  // pool's current caller only. Two samples in a row must say so before loops
  // go inline, one says they are free again: a short burst of some other thread
  // does not turn the pool off.
  bool shared(std::size_t helpers) {
    if (const int o = load_override.load(std::memory_order_relaxed); o >= 0) return o == 1;
#if defined(__linux__)
    const auto now = std::chrono::steady_clock::now();
    if (now < next_check_) return shared_;
    next_check_ = now + std::chrono::microseconds(tuning::load_check_microseconds);
    if (cpus_ == 0) cpus_ = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
    char text[128];
    long runnable = -1;
    if (const int fd = ::open("/proc/loadavg", O_RDONLY | O_CLOEXEC); fd >= 0) {
      const ::ssize_t got = ::read(fd, text, sizeof text);
      ::close(fd);
      if (got > 0) runnable = runnable_threads(text, static_cast<std::size_t>(got));
    }
    const bool now_shared =
        runnable >= 0 && cores_shared(runnable, awake_.load(std::memory_order_relaxed), cpus_, helpers);
    shared_ = now_shared && last_sample_shared_;
    last_sample_shared_ = now_shared;
    return shared_;
#else
    (void)helpers;
    return false;
#endif
  }

  // Claims and runs blocks of the current wave until none is left (or a block failed).
  void work() {
    std::uint64_t s = claim_.load(std::memory_order_acquire);
    for (;;) {
      const std::size_t count = (s >> 16) & 0xFFFF, next = s & 0xFFFF;
      if (next >= count) return;
      // A successful claim proves the wave is live: its fields stay valid until its blocks are all done.
      if (!claim_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      call_(ctx_, base_ + next);
      done_.fetch_add(1, std::memory_order_acq_rel);
      s = claim_.load(std::memory_order_acquire);
    }
  }

  void grow(std::size_t helpers) {
    while (threads_.size() < helpers) {
      const std::size_t id = threads_.size();
      // The thread starts from the current wake count, so it cannot miss a loop (or the
      // destructor's wake-up) published before it got to run.
      const std::uint32_t seen = wake_.load(std::memory_order_acquire);
      awake_.fetch_add(1, std::memory_order_relaxed);
      threads_.emplace_back([this, id, seen] { serve(id, seen); });
    }
  }

  void serve(std::size_t id, std::uint32_t seen) {
#if defined(_OPENMP)
    omp_set_num_threads(1);  // Eigen inside a block stays single-threaded
#endif
    inside_ = true;  // a nested loop on this thread runs inline
    for (;;) {
      // Spin a while for the next loop, then sleep until one starts.
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(tuning::pool_spin_microseconds);
      for (unsigned i = 0; wake_.load(std::memory_order_acquire) == seen; ++i) {
        if ((i & 63) == 63 && std::chrono::steady_clock::now() >= until) {
          std::unique_lock<std::mutex> lock(sleep_mutex_);
          awake_.fetch_sub(1, std::memory_order_relaxed);
          sleep_cv_.wait(lock, [&] {
            return wake_.load(std::memory_order_acquire) != seen || quit_.load(std::memory_order_acquire);
          });
          awake_.fetch_add(1, std::memory_order_relaxed);
          break;
        }
        pause();
      }
      seen = wake_.load(std::memory_order_acquire);
      if (quit_.load(std::memory_order_acquire)) return;
      if (id < wanted_.load(std::memory_order_relaxed)) work();
    }
  }

  static inline thread_local bool inside_ = false;

  std::atomic_flag busy_ = ATOMIC_FLAG_INIT;
  std::atomic<std::uint64_t> claim_{0};
  std::atomic<std::uint32_t> done_{0};
  std::atomic<std::uint32_t> wake_{0};
  std::atomic<std::size_t> wanted_{0};
  std::atomic<bool> quit_{false};
  std::atomic<long> awake_{0};  // pool threads not asleep in the kernel (spinning for work or running blocks)
  std::mutex sleep_mutex_;  // guards changes of wake_ against a pool thread going to sleep
  std::condition_variable sleep_cv_;
  std::uint64_t generation_ = 0;  // written by the pool's current caller only
  call_type call_ = nullptr;
  void* ctx_ = nullptr;
  std::size_t base_ = 0;
  // The load sample, kept by the pool's current caller.
  std::chrono::steady_clock::time_point next_check_{};
  long cpus_ = 0;
  bool shared_ = false;
  bool last_sample_shared_ = false;
  std::vector<std::thread> threads_;
};

/// Runs fn(b) for every block b in [0, blocks): see the file comment. `work` is
/// the loop's total cost in elementary operations (the default: always worth
/// threads); below tuning::parallel_min_work the loop runs inline.
template <host_policy P, class F>
void for_each_block(const P& policy, std::size_t blocks, F&& fn,
                    std::size_t work = std::numeric_limits<std::size_t>::max()) {
  if (blocks == 0) return;
  const std::size_t threads = loop_threads(policy, blocks, work);
  if (threads > 1) {
    struct context {
      explicit context(std::remove_reference_t<F>* f) noexcept : fn(f) {}
      std::remove_reference_t<F>* fn;
      std::atomic<bool> stop{false};  // a block failed: hand out no further wave
      std::atomic<std::size_t> failed_block{std::numeric_limits<std::size_t>::max()};
      std::mutex mutex;
      std::exception_ptr failure;
    } ctx(&fn);
    const auto call = [](void* p, std::size_t b) {
      auto& c = *static_cast<context*>(p);
      // Blocks above a failed one may be skipped; blocks below it always run, so the
      // lowest failing block always runs and its exception is the one kept.
      if (b > c.failed_block.load(std::memory_order_relaxed)) return;
      try {
        run_block(*c.fn, b);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(c.mutex);
        if (b < c.failed_block.load(std::memory_order_relaxed)) {
          c.failed_block.store(b, std::memory_order_relaxed);
          c.failure = std::current_exception();
        }
        c.stop.store(true, std::memory_order_relaxed);
      }
    };
    if (block_pool::instance().run(call, &ctx, blocks, threads - 1, ctx.stop, work)) {
      if (ctx.failure) std::rethrow_exception(ctx.failure);
      return;
    }
  }
  serial_eigen_scope eigen;
  for (std::size_t b = 0; b < blocks; ++b) run_block(fn, b);
}

/// Work of n items of `item_cost` operations each, saturating (for the `work` argument).
constexpr std::size_t work_of(std::size_t n, std::size_t item_cost) noexcept {
  return item_cost != 0 && n > std::numeric_limits<std::size_t>::max() / item_cost ? std::numeric_limits<std::size_t>::max()
                                                                                   : n * item_cost;
}

/// Runs fn(begin, end) over [0, n) in blocks of `block` items (the last may be
/// shorter). `item_cost` is the work of one item, in elementary operations
/// (the default: always worth threads); the loop runs inline when n * item_cost
/// is below tuning::parallel_min_work.
template <host_policy P, class F>
void for_each_range(const P& policy, std::size_t n, std::size_t block, F&& fn,
                    std::size_t item_cost = tuning::parallel_min_work) {
  for_each_block(
      policy, block_count(n, block),
      [&](std::size_t b) {
        const std::size_t begin = b * block;
        fn(begin, std::min(n, begin + block));
      },
      work_of(n, item_cost));
}

/// Sum over [0, n) of f(i) in double: each block summed in order, then the block
/// sums in block order, so seq and par (any thread count) give the same bits.
template <host_policy P, class F>
double deterministic_sum(const P& policy, std::size_t n, F&& f, std::size_t block = tuning::sum_block) {
  std::vector<double> partial(block_count(n, block), 0.0);
  for_each_range(
      policy, n, block,
      [&](std::size_t begin, std::size_t end) {
        double s = 0.0;
        for (std::size_t i = begin; i < end; ++i) s += f(i);
        partial[begin / block] = s;
      },
      16);
  double total = 0.0;
  for (const double p : partial) total += p;
  return total;
}

}  // namespace nacs::detail
