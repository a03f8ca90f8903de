// SPDX-License-Identifier: Apache-2.0
// Bodies of nacs/similarity.hpp: resolving a policy's defaults, validating
// inputs, and building a similarity kernel from embeddings (tiled, on
// several threads) or from a precomputed matrix.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <nacs/similarity.hpp>
#include <nacs/detail/similarity/buffer.hpp>
#include <nacs/core/parallel.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs/detail/similarity/simd.hpp>

namespace nacs::detail {

/// Builds kernels in place; the only code that touches similarity_kernel's storage.
struct kernel_access {
  static similarity_kernel allocate(row_index n) {
    similarity_kernel k;
    k.n_ = n;
    k.ld_ = round_up(static_cast<std::size_t>(n), 32);
    k.data_ = aligned_array<float>(static_cast<std::size_t>(n) * k.ld_);
    return k;
  }
  static float* data(similarity_kernel& k) noexcept { return k.data_.data(); }
  static void set(similarity_kernel& k, bool symmetric, double shift) noexcept {
    k.symmetric_ = symmetric;
    k.shift_ = shift;
  }
};

/// The kernel step of a policy for rows of `dim` values (0: a precomputed distance matrix).
template <similarity_policy S>
auto resolve_similarity(const S& s, std::size_t dim) {
  return s.resolve(dim);
}

template <class T>
inline constexpr bool kernel_value_type = std::is_same_v<T, float> || std::is_same_v<T, double>;

/// Throws for empty or non-finite embeddings.
template <class T>
void validate_embeddings(matrix_view<const T> x, const char* what) {
  NACS_EXPECTS(x.rows() > 0 && x.cols() > 0, errc::invalid_data,
               std::string(what) + ": the embeddings are empty (" + std::to_string(x.rows()) + " rows x " +
                   std::to_string(x.cols()) + " columns): give at least one row of at least one value");
  expect_finite<T>(x, "the embeddings");
}

/// Throws unless m is a finite N x N matrix (and >= 0 for distances).
template <class T>
void validate_square(matrix_view<const T> m, const char* what, bool distances) {
  NACS_EXPECTS(m.rows() > 0, errc::invalid_data, std::string("the ") + what + " is empty: give an N x N matrix, N >= 1");
  NACS_EXPECTS(m.rows() == m.cols(), errc::invalid_data,
               std::string("the ") + what + " is " + std::to_string(m.rows()) + " x " + std::to_string(m.cols()) +
                   ": it must be square (N x N, one row and one column per data row)");
  expect_finite<T>(m, what);
  if (distances) {
    for (std::size_t i = 0; i < m.rows(); ++i)
      for (std::size_t j = 0; j < m.cols(); ++j)
        NACS_EXPECTS(m(i, j) >= T(0), errc::invalid_data,
                     std::string("the ") + what + " has a negative distance at (" + std::to_string(i) + ", " +
                         std::to_string(j) + "): distances must be >= 0");
  }
}

// ------------------------------------------------------------ from embeddings

inline constexpr std::size_t tile = 32;

/// The partition's rows twice: row-major (padded with zero rows to a multiple
/// of 32) and as blocks of 32 rows transposed (d x 32 values each), so that a
/// tile's inner loop runs over 32 contiguous columns.
template <class T>
struct packed_rows {
  aligned_array<T> rows, blocks;
  std::size_t n = 0, np = 0, d = 0;
};

/// Bytes pack_rows allocates.
constexpr std::size_t packed_bytes(std::size_t n, std::size_t d, std::size_t value_size) noexcept {
  return 2 * round_up(n, tile) * d * value_size;
}

template <class T>
packed_rows<T> pack_rows(matrix_view<const T> x, std::span<const row_index> rows, bool normalise) {
  packed_rows<T> p;
  p.n = rows.size();
  p.np = round_up(p.n, tile);
  p.d = x.cols();
  const std::size_t d = p.d;
  p.rows = aligned_array<T>(p.np * d, T(0));
  p.blocks = aligned_array<T>(p.np * d);
  for (std::size_t i = 0; i < p.n; ++i) {
    const T* src = x.row_ptr(static_cast<std::size_t>(rows[i]));
    T* dst = p.rows.data() + i * d;
    if (normalise) {
      double sq = 0.0;
      for (std::size_t k = 0; k < d; ++k) sq += static_cast<double>(src[k]) * static_cast<double>(src[k]);
      const double norm = std::sqrt(sq);
      for (std::size_t k = 0; k < d; ++k) dst[k] = norm > 0.0 ? static_cast<T>(static_cast<double>(src[k]) / norm) : T(0);
    } else {
      std::copy(src, src + d, dst);
    }
  }
  for (std::size_t b = 0; b < p.np / tile; ++b)
    for (std::size_t k = 0; k < d; ++k)
      for (std::size_t w = 0; w < tile; ++w) p.blocks[(b * d + k) * tile + w] = p.rows[(b * tile + w) * d + k];
  return p;
}

/// out (R x 32) = the step's accumulation over k of (a_r[k], b[k][w]), from 0.
/// One instance computes every pair of a kernel, so each pair gets the same operations.
template <class T, int R, class Op>
[[gnu::noinline]] void pair_micro(const Op& op, const T* __restrict a, std::size_t d, const T* __restrict b,
                                  T* __restrict out) noexcept {
  using V = typename simd::lanes<T>::type;
  constexpr int L = simd::lanes<T>::count;
  constexpr int NV = static_cast<int>(tile) / L;
  V acc[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int q = 0; q < NV; ++q) acc[r][q] = V{};
  for (std::size_t k = 0; k < d; ++k) {
    V bv[NV];
#pragma GCC unroll 4
    for (int q = 0; q < NV; ++q) std::memcpy(&bv[q], b + k * tile + static_cast<std::size_t>(q * L), sizeof(V));
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const T s = a[static_cast<std::size_t>(r) * d + k];
#pragma GCC unroll 4
      for (int q = 0; q < NV; ++q) {
        constexpr int kind = vector_accumulate_kind<Op, V, T>();
        if constexpr (kind == 2) {
          op.accumulate_simd(acc[r][q], s, bv[q]);
        } else if constexpr (kind == 1) {
          op.accumulate(acc[r][q], s, bv[q]);
        } else {
          for (int l = 0; l < L; ++l) {  // a step written for scalars only: one lane at a time
            T lane = acc[r][q][l];
            const T bl = bv[q][l];
            op.accumulate(lane, s, bl);
            acc[r][q][l] = lane;
          }
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int q = 0; q < NV; ++q) std::memcpy(out + r * static_cast<int>(tile) + q * L, &acc[r][q], sizeof(V));
}

/// Fills k's columns from packed rows; returns the largest value before the shift (shifted steps) or 0.
template <class T, class Op>
float embedding_tiles([[maybe_unused]] int threads, const packed_rows<T>& p, const Op& op, float* K, std::size_t ld) {
  constexpr int R = std::is_same_v<T, float> ? 8 : 4;
  const std::size_t n = p.n, d = p.d, nb = p.np / tile;
  // One block per block-row I (its tiles J >= I); the largest value is kept per block.
  std::vector<float> block_max(nb, 0.0f);
  for_each_block(parallel_policy{threads}, nb, [&](const std::size_t I) {
    float dmax = 0.0f;
    alignas(64) T acc[tile * tile];
    alignas(64) float q[tile * tile];
    alignas(64) float s[tile * tile];
    for (std::size_t J = I; J < nb; ++J) {
      for (std::size_t r = 0; r < tile; r += R)
        pair_micro<T, R>(op, p.rows.data() + (I * tile + r) * d, d, p.blocks.data() + J * tile * d, acc + r * tile);
      for (std::size_t e = 0; e < tile * tile; ++e) q[e] = static_cast<float>(acc[e]);
      if constexpr (vector_epilogue_op<Op>) {
        for (std::size_t e = 0; e < tile * tile; e += 16) op.epilogue16(q + e, s + e);
      } else {
        for (std::size_t e = 0; e < tile * tile; ++e) s[e] = op.epilogue(q[e]);
      }
      const std::size_t rows_here = std::min(tile, n - I * tile);  // rows of block I inside the kernel
      const std::size_t cols_here = std::min(tile, n - J * tile);
      if constexpr (shifted_op<Op>)
        for (std::size_t r = 0; r < rows_here; ++r)
          for (std::size_t w = 0; w < cols_here; ++w) dmax = std::max(dmax, s[r * tile + w]);
      // Column I*32+r gets s(J*32+w, I*32+r); past the last row it is padding, set to 0.
      for (std::size_t r = 0; r < rows_here; ++r) {
        float* col = K + (I * tile + r) * ld + J * tile;
        for (std::size_t w = 0; w < tile; ++w) col[w] = w < cols_here ? s[r * tile + w] : 0.0f;
      }
      if (J != I) {
        // Mirror: column J*32+w gets the same values (s is symmetric bitwise).
        for (std::size_t w = 0; w < cols_here; ++w) {
          float* col = K + (J * tile + w) * ld + I * tile;
          for (std::size_t r = 0; r < tile; ++r) col[r] = s[r * tile + w];
        }
      }
    }
    block_max[I] = dmax;
  }, p.np * p.np / 2 * (d + 16));
  return block_max.empty() ? 0.0f : *std::max_element(block_max.begin(), block_max.end());
}

/// Subtracts every real entry from C (neg_distance's second pass); padding stays 0.
inline void shift_from(int threads, float c, float* K, std::size_t n, std::size_t ld) {
  for_each_range(parallel_policy{threads}, n, tuning::kernel_column_block, [&](std::size_t j0, std::size_t j1) {
    for (std::size_t j = j0; j < j1; ++j) {
      float* col = K + j * ld;
      for (std::size_t i = 0; i < n; ++i) col[i] = c - col[i];
    }
  }, n);
}

/// Bytes kernel_from_embeddings allocates for n rows of d values of value_size bytes.
constexpr std::size_t embedding_kernel_bytes(std::size_t n, std::size_t d, std::size_t value_size) noexcept {
  return similarity_kernel::bytes_for(static_cast<row_index>(n)) + packed_bytes(n, d, value_size);
}

template <class T, class Op>
similarity_kernel kernel_from_embeddings(int threads, matrix_view<const T> x, std::span<const row_index> rows,
                                         const Op& op) {
  static_assert(kernel_value_type<T>, "nacs: embeddings must be float or double");
  similarity_kernel k = kernel_access::allocate(static_cast<row_index>(rows.size()));
  float dmax = 0.0f;
  {
    const packed_rows<T> p = pack_rows(x, rows, op_unit_rows<Op>());
    dmax = embedding_tiles<T>(threads, p, op, kernel_access::data(k), k.stride());
  }
  double shift = 0.0;
  if constexpr (shifted_op<Op>) {
    NACS_EXPECTS(std::isfinite(dmax), errc::invalid_data,
                 "the embeddings' distances overflow float: scale the data down (e.g. standardise it)");
    const float c = static_cast<float>(op.shift(dmax));
    shift_from(threads, c, kernel_access::data(k), rows.size(), k.stride());
    shift = c;
  }
  kernel_access::set(k, true, shift);
  return k;
}

// ----------------------------------------------------- from a precomputed matrix

/// Kernel of the sub-matrix m(rows, rows) under a step with from_distance: given_op
/// (similarities as given) or a distance_similarity's step applied to distances.
template <class T, class Op>
similarity_kernel kernel_from_matrix(int threads, matrix_view<const T> m, std::span<const row_index> rows,
                                     const Op& op) {
  const std::size_t n = rows.size();
  similarity_kernel k = kernel_access::allocate(static_cast<row_index>(n));
  float* K = kernel_access::data(k);
  const std::size_t ld = k.stride();
  const parallel_policy policy{threads};
  constexpr std::size_t block = tuning::kernel_column_block;
  // A step with a 16-lane from_distance gets its own pass below; otherwise from_distance runs while copying.
  constexpr bool vector_pass = vector_from_distance_op<Op>;
  std::vector<float> block_max(block_count(n, block), 0.0f);
  for_each_range(policy, n, block, [&](std::size_t j0, std::size_t j1) {
    float bmax = 0.0f;
    for (std::size_t j = j0; j < j1; ++j) {
      float* col = K + j * ld;
      const auto gj = static_cast<std::size_t>(rows[j]);
      for (std::size_t i = 0; i < n; ++i) {
        const auto v = static_cast<float>(m(static_cast<std::size_t>(rows[i]), gj));
        col[i] = vector_pass ? v : op.from_distance(v);
      }
      for (std::size_t i = n; i < ld; ++i) col[i] = 0.0f;
      for (std::size_t i = 0; i < n; ++i) bmax = std::max(bmax, col[i]);
    }
    block_max[j0 / block] = bmax;
  }, n);
  const float dmax = block_max.empty() ? 0.0f : *std::max_element(block_max.begin(), block_max.end());
  if constexpr (vector_pass) {
    for_each_range(policy, n, block, [&](std::size_t j0, std::size_t j1) {
      for (std::size_t j = j0; j < j1; ++j) {
        float* col = K + j * ld;
        for (std::size_t i = 0; i < ld; i += 16) op.from_distance16(col + i, col + i);
        for (std::size_t i = n; i < ld; ++i) col[i] = 0.0f;
      }
    }, n);
  }
  double shift = 0.0;
  if constexpr (shifted_op<Op>) {
    NACS_EXPECTS(std::isfinite(dmax), errc::invalid_data, "the distance matrix overflows float: scale the distances down");
    const float c = static_cast<float>(op.shift(dmax));
    shift_from(threads, c, K, n, ld);
    shift = c;
  }
  bool symmetric = true;
  for (std::size_t j = 0; j < n && symmetric; ++j)
    for (std::size_t i = 0; i < j; ++i)
      if (K[j * ld + i] != K[i * ld + j]) {
        symmetric = false;
        break;
      }
  kernel_access::set(k, symmetric, shift);
  return k;
}

inline std::vector<row_index> all_rows(std::size_t n) {
  std::vector<row_index> r(n);
  std::iota(r.begin(), r.end(), row_index{0});
  return r;
}

inline std::string kernel_what(const char* api, std::size_t n) {
  return std::string(api) + ": a " + std::to_string(n) + " x " + std::to_string(n) + " float similarity kernel";
}

// make_kernel validates its input and resolves the similarity before it
// dispatches (once, for every backend, with the same errors), so a backend's
// make_kernel gets finite rows (or an N x N matrix) and the resolved step; each
// backend checks the memory it needs itself (they count different buffers).

/// The host backend's make_kernel of embedding rows.
template <host_policy P, class T, class Step>
similarity_kernel host_run(algo::make_kernel, const P& policy, matrix_view<const T> x, const Step& step,
                           std::optional<std::size_t> memory_limit) {
  check_memory(embedding_kernel_bytes(x.rows(), x.cols(), sizeof(T)), kernel_what("make_kernel", x.rows()),
               memory_limit);
  const std::vector<row_index> rows = all_rows(x.rows());
  return kernel_from_embeddings<T>(omp_threads(policy), x, rows, step);
}

/// The host backend's make_kernel of a distance matrix.
template <host_policy P, class T, class Step>
similarity_kernel host_run(algo::make_kernel_distances, const P& policy, distance_matrix<T> d, const Step& step,
                           std::optional<std::size_t> memory_limit) {
  check_memory(similarity_kernel::bytes_for(static_cast<row_index>(d.values.rows())),
               kernel_what("make_kernel", d.values.rows()), memory_limit);
  const std::vector<row_index> rows = all_rows(d.values.rows());
  return kernel_from_matrix<T>(omp_threads(policy), d.values, rows, step);
}

/// The host backend's make_kernel of a similarity matrix.
template <host_policy P, class T>
similarity_kernel host_run(algo::make_kernel_similarities, const P& policy, similarity_matrix<T> s,
                           std::optional<std::size_t> memory_limit) {
  check_memory(similarity_kernel::bytes_for(static_cast<row_index>(s.values.rows())),
               kernel_what("make_kernel", s.values.rows()), memory_limit);
  const std::vector<row_index> rows = all_rows(s.values.rows());
  return kernel_from_matrix<T>(omp_threads(policy), s.values, rows, given_op{});
}

}  // namespace nacs::detail

namespace nacs {

template <class P, class T, similarity_policy S>
similarity_kernel make_kernel(const P& policy, matrix_view<T> x, const S& sim, std::optional<std::size_t> memory_limit) {
  using V = std::remove_const_t<T>;
  static_assert(detail::kernel_value_type<V>, "nacs::make_kernel: embeddings must be float or double");
  const matrix_view<const V> cx = x;
  detail::validate_embeddings(cx, "make_kernel");
  const auto step = detail::resolve_similarity(sim, cx.cols());
  return detail::dispatch<algo::make_kernel>(policy, cx, step, memory_limit);
}

template <class P, class T, distance_similarity S>
similarity_kernel make_kernel(const P& policy, distance_matrix<T> d, const S& sim, std::optional<std::size_t> memory_limit) {
  detail::validate_square(d.values, "distance matrix", true);
  const auto step = detail::resolve_similarity(sim, 0);
  return detail::dispatch<algo::make_kernel_distances>(policy, d, step, memory_limit);
}

template <class P, class T>
similarity_kernel make_kernel(const P& policy, similarity_matrix<T> s, std::optional<std::size_t> memory_limit) {
  detail::validate_square(s.values, "similarity matrix", false);
  return detail::dispatch<algo::make_kernel_similarities>(policy, s, memory_limit);
}

}  // namespace nacs
