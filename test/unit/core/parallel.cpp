// SPDX-License-Identifier: Apache-2.0
// The one parallel loop (core/parallel.hpp): every block once, the lowest
// failing block's exception, the same sums on every thread count, inline below
// the threshold, and really concurrent above it.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nacs/core/parallel.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs_ref/policies.hpp>

namespace {

std::uint64_t bits(double x) {
  std::uint64_t u = 0;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

}  // namespace

TEST_CASE("for_each_block runs every block exactly once, on every policy") {
  nacs_ref::for_each_policy([](const auto& policy, const std::string& name) {
    INFO(name);
    // 0 and 1 blocks, fewer blocks than threads, and more blocks than one hand-out (a second wave).
    for (const std::size_t blocks : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{1000},
                                     nacs::tuning::max_blocks_per_wave + 7}) {
      INFO("blocks = " << blocks);
      std::vector<std::atomic<int>> runs(blocks);
      nacs::detail::for_each_block(policy, blocks, [&](std::size_t b) { runs[b].fetch_add(1); });
      std::size_t wrong = 0;
      for (const auto& r : runs) wrong += r.load() == 1 ? 0 : 1;
      CHECK(wrong == 0);
    }
  });
}

TEST_CASE("for_each_range covers [0, n) in fixed blocks, the last one shorter") {
  nacs_ref::for_each_policy([](const auto& policy, const std::string& name) {
    INFO(name);
    // 10007 items in blocks of 100: 100 full blocks and one of 7.
    std::vector<int> hits(10007, 0);
    std::vector<std::size_t> lengths(101, 0);
    nacs::detail::for_each_range(policy, hits.size(), 100, [&](std::size_t b, std::size_t e) {
      lengths[b / 100] = e - b;
      for (std::size_t i = b; i < e; ++i) ++hits[i];
    });
    for (std::size_t i = 0; i < hits.size(); ++i) REQUIRE(hits[i] == 1);
    for (std::size_t b = 0; b < 100; ++b) CHECK(lengths[b] == 100);
    CHECK(lengths[100] == 7);
  });
}

TEST_CASE("for_each_block rethrows the exception of the lowest failing block, as seq does") {
  nacs_ref::for_each_policy([](const auto& policy, const std::string& name) {
    INFO(name);
    // Blocks 37, 120 and 150 throw; every policy must report block 37, and every block below it ran.
    std::vector<std::atomic<int>> ran(200);
    try {
      nacs::detail::for_each_block(policy, ran.size(), [&](std::size_t b) {
        ran[b].fetch_add(1);
        // Make the later failures finish first when blocks run concurrently.
        if (b == 37) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (b == 37 || b == 120 || b == 150) throw std::runtime_error("block " + std::to_string(b));
      });
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == "block 37");
    }
    for (std::size_t b = 0; b <= 37; ++b) CHECK(ran[b].load() == 1);
    if (name == "seq")
      for (std::size_t b = 38; b < ran.size(); ++b) CHECK(ran[b].load() == 0);  // seq stops at the failure
  });
}

TEST_CASE("with every block from k on failing, every policy reports block k (50 values of k)") {
  // Many failures racing, at 50 places: a loop that reported the first failure in time
  // (what the OpenMP loops did) reports a block above k on par. (A loop that skipped a
  // claimed block after another failed has a window of nanoseconds; this rarely hits it.)
  nacs_ref::for_each_policy([](const auto& policy, const std::string& name) {
    INFO(name);
    nacs::random_stream rng(5, 1);
    for (int rep = 0; rep < 50; ++rep) {
      const std::size_t k = rng.below(400);
      std::size_t reported = 0;
      try {
        nacs::detail::for_each_block(policy, 400, [&](std::size_t b) {
          volatile double x = 0.0;  // a little work, so that blocks overlap in time
          for (int i = 0; i < 200; ++i) x = x + 1.0;
          if (b >= k) throw std::out_of_range(std::to_string(b));
        });
        FAIL("no exception");
      } catch (const std::out_of_range& e) {
        reported = std::stoul(e.what());
      }
      CHECK(reported == k);
    }
  });
}

TEST_CASE("deterministic_sum gives the same bits on seq and on par with 1, 2 and 3 threads") {
  // Values of very different magnitudes, so that another summation order changes the low bits.
  nacs::random_stream rng(11, 3);
  std::vector<double> v(100003);
  for (auto& x : v) x = std::ldexp(rng.uniform() - 0.25, static_cast<int>(rng.below(60)) - 30);
  // The expected value, written out: sums of blocks of 4096 in order, then the block sums in order.
  double expected = 0.0;
  for (std::size_t b = 0; b < v.size(); b += nacs::tuning::sum_block) {
    double s = 0.0;
    for (std::size_t i = b; i < std::min(v.size(), b + nacs::tuning::sum_block); ++i) s += v[i];
    expected += s;
  }
  double plain = 0.0;
  for (const double x : v) plain += x;
  CHECK(bits(plain) != bits(expected));  // the block order matters for these values, so the test can fail
  nacs_ref::for_each_policy([&](const auto& policy, const std::string& name) {
    INFO(name);
    const double s = nacs::detail::deterministic_sum(policy, v.size(), [&](std::size_t i) { return v[i]; });
    CHECK(bits(s) == bits(expected));
  });
}

#if defined(_OPENMP)
TEST_CASE("below tuning::parallel_min_work a par loop runs on the calling thread") {
  const auto caller = std::this_thread::get_id();
  std::vector<std::thread::id> who(64);
  // 64 blocks costing parallel_min_work - 1 operations in all: inline, in order.
  std::vector<std::size_t> order;
  nacs::detail::for_each_block(
      nacs::par.with_threads(2), who.size(),
      [&](std::size_t b) {
        who[b] = std::this_thread::get_id();
        order.push_back(b);
      },
      nacs::tuning::parallel_min_work - 1);
  for (const auto& id : who) CHECK(id == caller);
  REQUIRE(order.size() == who.size());
  for (std::size_t b = 0; b < order.size(); ++b) CHECK(order[b] == b);
  // The same through for_each_range: 64 items of (parallel_min_work - 1) / 64 operations.
  bool all_caller = true;
  nacs::detail::for_each_range(
      nacs::par.with_threads(2), 64, 1,
      [&](std::size_t, std::size_t) { all_caller = all_caller && std::this_thread::get_id() == caller; },
      (nacs::tuning::parallel_min_work - 1) / 64);
  CHECK(all_caller);
}

// Sets nacs::detail::load_override for a scope: 0 cores free, 1 cores shared.
struct load_scope {
  explicit load_scope(int v) { nacs::detail::load_override.store(v); }
  ~load_scope() { nacs::detail::load_override.store(-1); }
  load_scope(const load_scope&) = delete;
  load_scope& operator=(const load_scope&) = delete;
};

// Runs two blocks of a par loop with 2 threads and the given work; each block waits
// (up to `patience`) until both have started, so only two threads running at once get
// past the wait. True when they met, on two different threads.
bool two_blocks_meet(std::size_t work, std::chrono::milliseconds patience) {
  std::atomic<int> started{0};
  std::atomic<bool> met[2] = {false, false};
  std::thread::id who[2];
  nacs::detail::for_each_block(
      nacs::par.with_threads(2), 2,
      [&](std::size_t b) {
        who[b] = std::this_thread::get_id();
        started.fetch_add(1);
        const auto until = std::chrono::steady_clock::now() + patience;
        while (started.load() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
        met[b] = started.load() == 2;
      },
      work);
  return met[0].load() && met[1].load() && who[0] != who[1];
}

TEST_CASE("at the threshold a par loop with 2 threads runs two blocks at the same time") {
  // A loop that ran inline would time out block 0. Cores taken to be free, whatever
  // else runs beside the test.
  const load_scope free_cores(0);
  CHECK(two_blocks_meet(nacs::tuning::parallel_min_work, std::chrono::seconds(30)));
}

TEST_CASE("on shared cores a short par loop runs inline and a long one keeps its pool thread") {
  const load_scope shared_cores(1);
  // Below contended_min_work: inline on the caller, so block 0 gives up waiting (50 ms).
  const auto caller = std::this_thread::get_id();
  std::vector<std::thread::id> who(64);
  nacs::detail::for_each_block(
      nacs::par.with_threads(2), who.size(), [&](std::size_t b) { who[b] = std::this_thread::get_id(); },
      nacs::tuning::contended_min_work - 1);
  for (const auto& id : who) CHECK(id == caller);
  CHECK_FALSE(two_blocks_meet(nacs::tuning::contended_min_work - 1, std::chrono::milliseconds(50)));
  // At contended_min_work, and for loops that give no work (whole partitions): two threads.
  CHECK(two_blocks_meet(nacs::tuning::contended_min_work, std::chrono::seconds(30)));
  CHECK(two_blocks_meet(std::numeric_limits<std::size_t>::max(), std::chrono::seconds(30)));
}

TEST_CASE("nested loops and loops from several threads at once run correctly") {
  const auto policy = nacs::par.with_threads(2);
  // Nested: each outer block runs an inner loop (inline, the pool being held by the outer one).
  std::vector<std::atomic<int>> cells(40 * 50);
  nacs::detail::for_each_block(policy, 40, [&](std::size_t i) {
    nacs::detail::for_each_block(policy, 50, [&](std::size_t j) { cells[i * 50 + j].fetch_add(1); });
  });
  std::size_t wrong = 0;
  for (const auto& c : cells) wrong += c.load() == 1 ? 0 : 1;
  CHECK(wrong == 0);
  // Two application threads calling at once: one gets the pool, the other runs inline; both sums are exact.
  std::vector<double> v(50000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 1.0 / static_cast<double>(i + 1);
  const double expected = nacs::detail::deterministic_sum(nacs::seq, v.size(), [&](std::size_t i) { return v[i]; });
  std::atomic<int> mismatches{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&] {
      for (int r = 0; r < 50; ++r) {
        const double s = nacs::detail::deterministic_sum(policy, v.size(), [&](std::size_t i) { return v[i]; });
        if (bits(s) != bits(expected)) mismatches.fetch_add(1);
      }
    });
  for (auto& c : callers) c.join();
  CHECK(mismatches.load() == 0);
}
#endif

TEST_CASE("the load sample: runnable threads from /proc/loadavg's text, and when cores count as shared") {
  using nacs::detail::runnable_threads;
  const char* text = "0.52 0.61 0.70 3/211 4242\n";
  CHECK(runnable_threads(text, std::strlen(text)) == 3);
  const char* many = "17.00 12.50 9.25 1024/5000 99\n";
  CHECK(runnable_threads(many, std::strlen(many)) == 1024);
  for (const char* bad : {"", "0.52 0.61 0.70", "0.52 0.61 0.70 /211 1", "0.52 0.61 0.70 3 1", "a b c x/1 2",
                          "0.52 0.61 0.70 99999999999999/1 1"})
    CHECK(runnable_threads(bad, std::strlen(bad)) == -1);
  CHECK(runnable_threads(text, 16) == -1);  // cut before the '/'
  using nacs::detail::cores_shared;
  // 2 cores, a loop on the caller and 1 pool thread:
  CHECK_FALSE(cores_shared(1, 0, 2, 1));  // only the caller runs
  CHECK_FALSE(cores_shared(2, 1, 2, 1));  // the caller and its own spinning pool thread
  CHECK(cores_shared(2, 0, 2, 1));        // the caller and one other program
  CHECK(cores_shared(3, 1, 2, 1));        // ... with the pool thread awake too
  CHECK(cores_shared(5, 0, 2, 1));
  // 16 cores, 7 pool threads wanted: 8 other programs leave exactly 8 cores.
  CHECK_FALSE(cores_shared(9, 0, 16, 7));
  CHECK(cores_shared(10, 0, 16, 7));
  CHECK_FALSE(cores_shared(0, 3, 2, 1));  // a sample taken as another thread left: never negative
}

TEST_CASE("work_of saturates instead of wrapping") {
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  CHECK(nacs::detail::work_of(3, 5) == 15);
  CHECK(nacs::detail::work_of(0, max) == 0);
  CHECK(nacs::detail::work_of(max / 2 + 1, 2) == max);  // 2^64 would wrap to 0
  CHECK(nacs::detail::block_count(10, 3) == 4);
  CHECK(nacs::detail::block_count(9, 3) == 3);
}
