// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The factorization machine's second-order term, per embedding dimension.
#pragma once

#include <cstddef>
#include <string>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>

namespace nacs::nn {

/// @brief s_d = sum_{f < g} e_fd e_gd = ((sum_f e_fd)^2 - sum_f e_fd^2) / 2 for each embedding dimension d.
///
/// The FM second-order term of a row is sum_d s_d (Rendle's O(F D) identity);
/// the per-dimension vector is kept so models can use it as features. Input
/// rows hold F field embeddings of width D side by side (F * D values).
struct fm_interaction {
  /// @brief s (B x D) from embeddings e (B x F*D).
  template <host_policy P, class T>
  static void forward(const P& policy, matrix_view<const T> e, std::size_t fields, std::size_t dim,
                      matrix_view<T> s) {
    detail::require_backend<P>();
    check(e, fields, dim);
    detail::expect_shape(s, e.rows(), dim, "nacs::nn::fm_interaction::forward", "s");
    detail::for_each_range(policy, e.rows(), detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        const T* row = e.row_ptr(i);
        T* out = s.row_ptr(i);
        for (std::size_t d = 0; d < dim; ++d) {
          T sum = 0, squares = 0;
          for (std::size_t f = 0; f < fields; ++f) {
            const T v = row[f * dim + d];
            sum += v;
            squares += v * v;
          }
          out[d] = T(0.5) * (sum * sum - squares);
        }
      }
    }, 2 * fields * dim);
  }

  /// @brief de_fd = ds_d (sum_g e_gd - e_fd), written to de, or added to it when accumulate is true.
  template <host_policy P, class T>
  static void backward(const P& policy, matrix_view<const T> e, std::size_t fields, std::size_t dim,
                       matrix_view<const T> ds, matrix_view<T> de, bool accumulate = false) {
    detail::require_backend<P>();
    check(e, fields, dim);
    detail::expect_shape(ds, e.rows(), dim, "nacs::nn::fm_interaction::backward", "ds");
    detail::expect_shape(de, e.rows(), fields * dim, "nacs::nn::fm_interaction::backward", "de");
    detail::for_each_range(policy, e.rows(), detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        const T* row = e.row_ptr(i);
        const T* g = ds.row_ptr(i);
        T* out = de.row_ptr(i);
        for (std::size_t d = 0; d < dim; ++d) {
          T sum = 0;
          for (std::size_t f = 0; f < fields; ++f) sum += row[f * dim + d];
          for (std::size_t f = 0; f < fields; ++f) {
            const T v = g[d] * (sum - row[f * dim + d]);
            out[f * dim + d] = accumulate ? out[f * dim + d] + v : v;
          }
        }
      }
    }, 3 * fields * dim);
  }

 private:
  template <class T>
  static void check(matrix_view<const T> e, std::size_t fields, std::size_t dim) {
    NACS_EXPECTS(fields > 0 && dim > 0, errc::invalid_argument, "nacs::nn::fm_interaction: fields and dim must be > 0");
    detail::expect_shape(e, e.rows(), fields * dim, "nacs::nn::fm_interaction", "e (rows of fields * dim)");
  }
};

}  // namespace nacs::nn
