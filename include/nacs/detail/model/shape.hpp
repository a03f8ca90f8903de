// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Shape checks shared by the model layers.
#pragma once

#include <cstddef>
#include <string>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>

namespace nacs::detail {

/// Throws errc::invalid_argument unless v is rows x cols (with a row stride >= cols).
template <class T>
void expect_shape(const matrix_view<T>& v, std::size_t rows, std::size_t cols, const char* api, const char* what) {
  NACS_EXPECTS(v.rows() == rows && v.cols() == cols && (rows == 0 || v.stride() >= cols) &&
                   (rows == 0 || cols == 0 || v.data() != nullptr),
               errc::invalid_argument,
               std::string(api) + ": " + what + " is " + std::to_string(v.rows()) + " x " + std::to_string(v.cols()) +
                   " but must be " + std::to_string(rows) + " x " + std::to_string(cols));
}

/// True for a view that asks for no output (a default-constructed view).
template <class T>
constexpr bool is_absent(const matrix_view<T>& v) noexcept {
  return v.data() == nullptr && v.rows() == 0;
}

}  // namespace nacs::detail
