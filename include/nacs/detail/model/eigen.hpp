// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Eigen, for the model layer's dense products, and maps from nacs matrix views.
#pragma once

#if !__has_include(<Eigen/Core>)
#error "nacs/model needs Eigen 3.3 or newer for its dense matrix products: install it (Debian/Ubuntu: apt-get install libeigen3-dev) and link nacs::nacs, which adds Eigen3::Eigen (or add -I/usr/include/eigen3)"
#endif

// GCC 12 reports a false -W(maybe-)uninitialized inside its own AVX-512
// intrinsics (_mm512_undefined_ps) when Eigen's packing code is inlined; the
// location is in the headers included here, so silence it for them only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#if !EIGEN_VERSION_AT_LEAST(3, 3, 0)
#error "nacs/model needs Eigen 3.3 or newer (Debian/Ubuntu: apt-get install libeigen3-dev)"
#endif

#include <cstddef>
#include <string>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>

namespace nacs::detail {

template <class T>
using eigen_rows = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using eigen_map = Eigen::Map<eigen_rows<T>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <class T>
using eigen_cmap = Eigen::Map<const eigen_rows<T>, Eigen::Unaligned, Eigen::OuterStride<>>;

/// Rows [b, e) of a view as an Eigen map (no copy).
template <class T>
eigen_map<T> eigen_rows_of(matrix_view<T> v, std::size_t b, std::size_t e) {
  return eigen_map<T>(v.row_ptr(b), static_cast<Eigen::Index>(e - b), static_cast<Eigen::Index>(v.cols()),
                      Eigen::OuterStride<>(static_cast<Eigen::Index>(v.stride())));
}
template <class T>
eigen_cmap<T> eigen_rows_of(matrix_view<const T> v, std::size_t b, std::size_t e) {
  return eigen_cmap<T>(v.row_ptr(b), static_cast<Eigen::Index>(e - b), static_cast<Eigen::Index>(v.cols()),
                       Eigen::OuterStride<>(static_cast<Eigen::Index>(v.stride())));
}
template <class T>
eigen_map<T> eigen_of(matrix_view<T> v) {
  return eigen_rows_of(v, 0, v.rows());
}
template <class T>
eigen_cmap<T> eigen_of(matrix_view<const T> v) {
  return eigen_rows_of(v, 0, v.rows());
}

}  // namespace nacs::detail
