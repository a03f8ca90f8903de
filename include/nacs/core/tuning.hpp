// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Every speed knob of the host backend in one place: block sizes, the
///        one threshold below which a loop runs on one thread, and how idle
///        threads wait.
///
/// None of these values changes a result. Blocks are fixed sizes, never derived
/// from the thread count, and every reduction adds block results in block order,
/// so seq and par (any thread count) give the same bits whatever is set here;
/// only speed moves. The block sizes are the ones the loops used before they
/// were gathered here; parallel_min_work replaced two thresholds (2^15 in the
/// model layer, 2^20 in selection) and the pool's waiting policy is new. None of
/// them was tuned on its own yet: docs/log/benchmarks.md ("Shared cores") has the
/// before/after figures of the whole change.
#pragma once

#include <cstddef>

namespace nacs::tuning {

// ------------------------------------------------------------------ parallel loops

/// Below about this many elementary operations (multiply-adds, compares, copies)
/// a loop runs on the calling thread even on `par`. Handing blocks to a sleeping
/// thread costs a wake-up (tens of microseconds on a VM); the loop must be worth
/// more than that. The one threshold for every loop of the library.
inline constexpr std::size_t parallel_min_work = std::size_t{1} << 16;

/// How long an idle pool thread spins (checking for new work) before it sleeps
/// in the kernel, in microseconds. Spinning makes back-to-back loops (a model's
/// layers, a solver's steps) start without a wake-up; sleeping leaves the core to
/// other programs. The caller never waits for a thread that is not running: work
/// is claimed block by block, so a late thread finds nothing left and goes back
/// to waiting.
inline constexpr unsigned pool_spin_microseconds = 50;

/// While other programs keep every core busy (see load_check_microseconds), a
/// loop below this many operations runs on the calling thread even on `par`.
/// A pool thread that shares its core is descheduled now and then for a time
/// slice (milliseconds) while it holds a block, and the caller waits for that
/// block; a loop must be long against a time slice (2^22 operations: a few
/// milliseconds) for the second thread to gain more than such a wait costs.
/// Longer loops (whole partitions, large batches) keep their pool threads.
inline constexpr std::size_t contended_min_work = std::size_t{1} << 22;

/// How often, in microseconds, a `par` loop's caller re-reads how many threads
/// of the machine are runnable (Linux: /proc/loadavg), to decide whether the
/// cores are shared. Off Linux, or where the file cannot be read, the cores are
/// taken to be free and only parallel_min_work applies.
inline constexpr unsigned load_check_microseconds = 5000;

/// The most blocks one hand-out covers; longer loops are handed out in waves of
/// this many (the claim counter packs the block count into 16 bits).
inline constexpr std::size_t max_blocks_per_wave = 65535;

// ------------------------------------------------------------------ model layer

/// Rows per block of the batch-level operations of the model layer.
inline constexpr std::size_t model_tile_rows = 512;

/// Items per block of deterministic sums (each block summed in order, then blocks in order).
inline constexpr std::size_t sum_block = 4096;

// ------------------------------------------------------------------ selection

/// Candidates per block when a solver evaluates a list of gains.
inline constexpr std::size_t gain_block = 16;

/// Candidates per block when facility location recomputes all gains from scratch.
inline constexpr std::size_t fresh_gain_block = 64;

/// Kernel rows per block when facility location corrects gains, or assigns rows
/// to picks in finish().
inline constexpr std::size_t kernel_row_block = 1024;

/// Partitions per thread in one wave of a selection round on `par`: the calling
/// thread scores and embeds this many partitions per thread, then each thread
/// solves whole partitions (kernel and greedy) of the wave on its own. More
/// partitions per wave balance uneven solves better; each one holds its P x d
/// embeddings until the wave is solved (the memory plan counts them, and shrinks
/// the wave's thread count to fit coreset_options::memory_limit).
inline constexpr std::size_t selection_partitions_per_thread = 4;

/// Rows per block of k-center's final assignment.
inline constexpr std::size_t k_center_block = 64;

/// Columns per block of the element-wise kernel passes (shift, exp, copies).
inline constexpr std::size_t kernel_column_block = 16;

// ------------------------------------------------------------------ data

/// Rows per block when a split or an encoding copies rows.
inline constexpr std::size_t data_row_block = 4096;

}  // namespace nacs::tuning
