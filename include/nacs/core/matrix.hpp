// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Row-major dense matrices: a non-owning view and an owning matrix.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <nacs/core/config.hpp>
#include <nacs/core/error.hpp>

namespace nacs {

/// @brief A non-owning row-major view of rows x cols values, rows `stride` apart.
/// @tparam T element type; const T for a read-only view.
template <class T>
class matrix_view {
 public:
  using value_type = std::remove_cv_t<T>;
  using size_type = std::size_t;

  constexpr matrix_view() noexcept = default;
  /// @brief View of `rows` rows of `cols` values, row i starting at data + i * stride.
  constexpr matrix_view(T* data, size_type rows, size_type cols, size_type stride) noexcept
      : data_(data), rows_(rows), cols_(cols), stride_(stride) {}
  /// @brief Densely packed view (stride == cols).
  constexpr matrix_view(T* data, size_type rows, size_type cols) noexcept
      : matrix_view(data, rows, cols, cols) {}
  /// @brief A mutable view converts to a const one.
  template <class U>
    requires(std::is_same_v<const U, T> && !std::is_same_v<U, T>)
  constexpr matrix_view(matrix_view<U> other) noexcept
      : matrix_view(other.data(), other.rows(), other.cols(), other.stride()) {}

  [[nodiscard]] NACS_HOST_DEVICE constexpr T* data() const noexcept { return data_; }
  [[nodiscard]] NACS_HOST_DEVICE constexpr size_type rows() const noexcept { return rows_; }
  [[nodiscard]] NACS_HOST_DEVICE constexpr size_type cols() const noexcept { return cols_; }
  [[nodiscard]] NACS_HOST_DEVICE constexpr size_type stride() const noexcept { return stride_; }
  [[nodiscard]] NACS_HOST_DEVICE constexpr bool empty() const noexcept { return rows_ == 0 || cols_ == 0; }
  [[nodiscard]] NACS_HOST_DEVICE constexpr T* row_ptr(size_type i) const noexcept { return data_ + i * stride_; }
  [[nodiscard]] constexpr std::span<T> row(size_type i) const noexcept { return {row_ptr(i), cols_}; }
  [[nodiscard]] NACS_HOST_DEVICE constexpr T& operator()(size_type i, size_type j) const noexcept {
    return data_[i * stride_ + j];
  }
  /// @brief Rows [first, first + count) as a view.
  [[nodiscard]] constexpr matrix_view rows_slice(size_type first, size_type count) const noexcept {
    return {data_ + first * stride_, count, cols_, stride_};
  }

 private:
  T* data_ = nullptr;
  size_type rows_ = 0, cols_ = 0, stride_ = 0;
};

/// @brief An owning, densely packed row-major matrix.
template <class T>
class matrix {
 public:
  using value_type = T;
  using size_type = std::size_t;

  matrix() = default;
  /// @brief rows x cols matrix filled with `value`.
  matrix(size_type rows, size_type cols, T value = T{}) : data_(checked_size(rows, cols), value), rows_(rows), cols_(cols) {}
  /// @brief Takes ownership of row-major `values` (values.size() must be rows * cols).
  matrix(size_type rows, size_type cols, std::vector<T> values) : data_(std::move(values)), rows_(rows), cols_(cols) {
    NACS_EXPECTS(data_.size() == checked_size(rows, cols), errc::invalid_argument,
                 "matrix(rows, cols, values): values.size() is " + std::to_string(data_.size()) +
                     " but rows * cols is " + std::to_string(rows * cols));
  }

  [[nodiscard]] size_type rows() const noexcept { return rows_; }
  [[nodiscard]] size_type cols() const noexcept { return cols_; }
  [[nodiscard]] T* data() noexcept { return data_.data(); }
  [[nodiscard]] const T* data() const noexcept { return data_.data(); }
  [[nodiscard]] T& operator()(size_type i, size_type j) noexcept { return data_[i * cols_ + j]; }
  [[nodiscard]] const T& operator()(size_type i, size_type j) const noexcept { return data_[i * cols_ + j]; }
  [[nodiscard]] std::span<T> row(size_type i) noexcept { return {data_.data() + i * cols_, cols_}; }
  [[nodiscard]] std::span<const T> row(size_type i) const noexcept { return {data_.data() + i * cols_, cols_}; }
  [[nodiscard]] matrix_view<T> view() noexcept { return {data_.data(), rows_, cols_}; }
  [[nodiscard]] matrix_view<const T> view() const noexcept { return {data_.data(), rows_, cols_}; }
  operator matrix_view<T>() noexcept { return view(); }
  operator matrix_view<const T>() const noexcept { return view(); }
  [[nodiscard]] std::vector<T>& values() noexcept { return data_; }
  [[nodiscard]] const std::vector<T>& values() const noexcept { return data_; }

 private:
  static size_type checked_size(size_type rows, size_type cols) {
    NACS_EXPECTS(cols == 0 || rows <= static_cast<size_type>(-1) / cols, errc::invalid_argument,
                 "matrix: rows * cols overflows size_t");
    return rows * cols;
  }
  std::vector<T> data_;
  size_type rows_ = 0, cols_ = 0;
};

/// @brief Throws errc::invalid_data naming the first NaN or infinite entry, if any.
/// @param[in] what how the caller calls this matrix in the message ("embeddings", ...)
template <class T>
void expect_finite(matrix_view<const T> m, const char* what) {
  for (std::size_t i = 0; i < m.rows(); ++i) {
    const T* r = m.row_ptr(i);
    for (std::size_t j = 0; j < m.cols(); ++j) {
      if (!std::isfinite(r[j])) [[unlikely]] {
        NACS_FAIL(errc::invalid_data, what, " has a ", std::isnan(r[j]) ? "NaN" : "infinite", " value at row ", i,
                  ", column ", j, ": clean or impute the data first");
      }
    }
  }
}

}  // namespace nacs
