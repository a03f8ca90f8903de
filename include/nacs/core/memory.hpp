// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The memory limit that large allocations are checked against.
///
/// Calls that allocate in proportion to N^2 (similarity matrices) or to the
/// data say how many bytes they need before allocating, and refuse with
/// errc::memory_limit when that is over the limit, instead of running the
/// machine out of memory. The limit is process-wide, settable, and may be
/// overridden per call where an options struct has a `memory_limit` field.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <optional>
#include <string>

#include <nacs/core/error.hpp>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace nacs {

/// @brief Physical memory of this machine in bytes, or 0 when it cannot be read.
inline std::size_t physical_memory_bytes() noexcept {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page);
#endif
  return 0;
}

namespace detail {
inline std::atomic<std::size_t>& memory_limit_storage() noexcept {
  // Default: 3/4 of physical memory, or 8 GiB where that cannot be read.
  static std::atomic<std::size_t> limit{[] {
    const std::size_t phys = physical_memory_bytes();
    return phys ? phys / 4 * 3 : std::size_t{8} << 30;
  }()};
  return limit;
}
}  // namespace detail

/// @brief The process-wide limit, in bytes, for one call's working memory.
inline std::size_t memory_limit() noexcept { return detail::memory_limit_storage().load(); }

/// @brief Sets the process-wide limit; returns the previous one.
inline std::size_t set_memory_limit(std::size_t bytes) noexcept {
  return detail::memory_limit_storage().exchange(bytes);
}

/// @brief "1.5 GiB"-style rendering of a byte count.
inline std::string format_bytes(std::size_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

/// @brief Throws errc::memory_limit when `bytes` exceeds the limit in force.
/// @param[in] bytes what the call will allocate
/// @param[in] what  what the memory is for, for the message
/// @param[in] override_limit a per-call limit that replaces the process-wide one
inline void check_memory(std::size_t bytes, const std::string& what,
                         std::optional<std::size_t> override_limit = std::nullopt) {
  const std::size_t limit = override_limit.value_or(memory_limit());
  if (bytes > limit) {
    NACS_FAIL(errc::memory_limit, what, " needs ", format_bytes(bytes), " but the memory limit is ", format_bytes(limit),
              ": use smaller partitions, or raise the limit (nacs::set_memory_limit or the call's memory_limit option)");
  }
}

}  // namespace nacs
