// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Per-field embedding tables with row-sparse gradients (only the rows seen in a batch are touched).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/detail/model/parallel.hpp>
#include <nacs/detail/model/shape.hpp>
#include <nacs/execution.hpp>
#include <nacs/model/parameter.hpp>

namespace nacs::nn {

/// @brief F embedding tables of width D stored in one sparse parameter (field f's id v is row offset[f] + v).
///
/// forward() gathers each row's F embeddings side by side (B x F*D);
/// backward() adds each row's gradient into its table rows and lists the rows
/// it wrote in table.touched (field by field, in order of first appearance),
/// after zeroing the rows the previous backward touched: every other gradient
/// row is zero. Fields are processed in parallel (each field's rows are its
/// own), in row order within a field, so seq and par give the same bits.
/// @tparam T float or double
template <class T>
class embedding {
 public:
  parameter<T> table;                 ///< (sum of cardinalities) x D, sparse
  std::vector<std::size_t> offsets;   ///< F + 1 row offsets: field f owns rows [offsets[f], offsets[f+1])

  embedding() = default;
  /// @param[in] cardinalities ids per field (each > 0): an encoded dataset's `cardinalities`
  /// @param[in] dim           embedding width D (> 0)
  /// @param[in] name          parameter name
  /// @param[in] init_std      values are drawn from N(0, init_std^2)
  /// @param[in] seed, stream  initialisation stream
  embedding(std::span<const std::uint32_t> cardinalities, std::size_t dim, const std::string& name,
            double init_std = 0.01, std::uint64_t seed = 0, std::uint64_t stream = 0) {
    NACS_EXPECTS(!cardinalities.empty() && dim > 0, errc::invalid_argument,
                 "nacs::nn::embedding: needs at least one field and dim > 0");
    offsets.assign(cardinalities.size() + 1, 0);
    for (std::size_t f = 0; f < cardinalities.size(); ++f) {
      NACS_EXPECTS(cardinalities[f] > 0, errc::invalid_argument,
                   "nacs::nn::embedding: field " + std::to_string(f) +
                       " has cardinality 0; encode the dataset with a vocabulary first");
      offsets[f + 1] = offsets[f] + cardinalities[f];
    }
    table = parameter<T>(name, offsets.back(), dim, /*sparse=*/true);
    if (init_std > 0.0) fill_normal(table, init_std, seed, stream);
    marks_.assign(table.rows, 0);
    touched_by_field_.resize(cardinalities.size());
  }

  /// @brief Number of fields F.
  [[nodiscard]] std::size_t fields() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
  /// @brief Embedding width D.
  [[nodiscard]] std::size_t dim() const noexcept { return table.cols; }

  /// @brief out(i, f*D .. f*D+D) = the embedding of ids(i, f) in field f.
  /// @param[in]  ids B x F field-local ids (each < its field's cardinality)
  /// @param[out] out B x F*D
  /// @throws nacs::error errc::invalid_data naming the row and field of an id out of range
  template <host_policy P>
  void forward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<T> out) const {
    detail::require_backend<P>();
    check_ids(ids, "forward");
    const std::size_t n = ids.rows(), nf = fields(), d = dim();
    detail::expect_shape(out, n, nf * d, "nacs::nn::embedding::forward", "out");
    detail::for_each_range(policy, n, detail::model_tile_rows, [&](std::size_t r0, std::size_t r1) {
      for (std::size_t i = r0; i < r1; ++i) {
        const std::uint32_t* id = ids.row_ptr(i);
        T* o = out.row_ptr(i);
#if defined(__GNUC__)
        // The lookups are random over large tables: fetch a few rows ahead.
        if (i + prefetch_distance < r1) {
          const std::uint32_t* ahead = ids.row_ptr(i + prefetch_distance);
          for (std::size_t f = 0; f < nf; ++f) __builtin_prefetch(table.value.data() + (offsets[f] + ahead[f]) * d);
        }
#endif
        for (std::size_t f = 0; f < nf; ++f) {
          const T* src = table.value.data() + (offsets[f] + id[f]) * d;
          for (std::size_t k = 0; k < d; ++k) o[f * d + k] = src[k];
        }
      }
    }, 2 * nf * d);
  }

  /// @brief Row-sparse gradient: table.grad rows of the batch's ids = sum of their rows of dout.
  /// @param[in] ids  the forward's ids, B x F
  /// @param[in] dout d loss / d out, B x F*D
  template <host_policy P>
  void backward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<const T> dout) {
    detail::require_backend<P>();
    check_ids(ids, "backward");
    const std::size_t n = ids.rows(), nf = fields(), d = dim();
    detail::expect_shape(dout, n, nf * d, "nacs::nn::embedding::backward", "dout");
    T* g = table.grad.data();
    detail::for_each_block(policy, nf, [&](std::size_t f) {
      std::vector<std::size_t>& touched = touched_by_field_[f];
      for (std::size_t r : touched)
        for (std::size_t k = 0; k < d; ++k) g[r * d + k] = T(0);
      touched.clear();
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t r = offsets[f] + ids(i, f);
        if (!marks_[r]) {
          marks_[r] = 1;
          touched.push_back(r);
        }
        const T* src = dout.row_ptr(i) + f * d;
        for (std::size_t k = 0; k < d; ++k) g[r * d + k] += src[k];
      }
      for (std::size_t r : touched) marks_[r] = 0;
    }, detail::work_of(nf, 2 * n * d));
    table.touched.clear();
    for (const auto& t : touched_by_field_) table.touched.insert(table.touched.end(), t.begin(), t.end());
  }

 private:
  void check_ids(matrix_view<const std::uint32_t> ids, const char* what) const {
    const std::size_t nf = fields();
    NACS_EXPECTS(nf > 0, errc::invalid_argument, "nacs::nn::embedding: the layer has no fields (default-constructed)");
    detail::expect_shape(ids, ids.rows(), nf, "nacs::nn::embedding", "ids (one column per field)");
    for (std::size_t i = 0; i < ids.rows(); ++i) {
      const std::uint32_t* id = ids.row_ptr(i);
      for (std::size_t f = 0; f < nf; ++f)
        NACS_EXPECTS(id[f] < offsets[f + 1] - offsets[f], errc::invalid_data,
                     std::string("nacs::nn::embedding::") + what + ": row " + std::to_string(i) + " field " +
                         std::to_string(f) + " has id " + std::to_string(id[f]) + " but the field has " +
                         std::to_string(offsets[f + 1] - offsets[f]) +
                         " ids; encode the data with the vocabulary the model was built for");
    }
  }

  static constexpr std::size_t prefetch_distance = 4;
  std::vector<std::uint8_t> marks_;
  std::vector<std::vector<std::size_t>> touched_by_field_;
};

}  // namespace nacs::nn
