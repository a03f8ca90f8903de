// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The columnar CTR dataset every reader produces and every model consumes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/types.hpp>

namespace nacs {

/// @brief F categorical field ids per row, a click label and an optional weight.
///
/// Ids are stored row-major (row r's fields are ids[r*F .. r*F+F)). As read
/// from a file they are raw 32-bit values (hashes, bucketed integers); after
/// a vocabulary encodes them they are dense per-field ids in
/// [0, cardinalities[f]) and `cardinalities` is filled in.
struct dataset {
  std::vector<std::string> field_names;   ///< F names, one per field
  std::vector<std::uint32_t> ids;         ///< rows() * num_fields() ids, row-major
  std::vector<float> labels;              ///< one label per row: 0/1, or a soft label in [0, 1]
  std::vector<float> weights;             ///< one weight per row, or empty for all 1
  std::vector<std::uint32_t> cardinalities;  ///< per-field id count when encoded, else empty

  [[nodiscard]] std::size_t num_fields() const noexcept { return field_names.size(); }
  [[nodiscard]] row_index rows() const noexcept { return static_cast<row_index>(labels.size()); }
  [[nodiscard]] bool empty() const noexcept { return labels.empty(); }
  [[nodiscard]] bool encoded() const noexcept { return !cardinalities.empty(); }
  /// @brief Row r's field ids.
  [[nodiscard]] std::span<const std::uint32_t> row(row_index r) const noexcept {
    return {ids.data() + static_cast<std::size_t>(r) * num_fields(), num_fields()};
  }
  /// @brief Row r's weight (1 when no weights are stored).
  [[nodiscard]] float weight(row_index r) const noexcept {
    return weights.empty() ? 1.0f : weights[static_cast<std::size_t>(r)];
  }

  /// @brief The rows at `indices`, in that order, as a new dataset (a row may be taken more than once).
  ///
  /// Field names, cardinalities and (when present) weights come along.
  /// @param[in] indices row indices in [0, rows())
  /// @throws nacs::error errc::invalid_argument for an index out of range; errc::invalid_data when the
  ///         columns disagree in size
  [[nodiscard]] dataset select_rows(std::span<const row_index> indices) const {
    check_shape("dataset::select_rows");
    const std::size_t f = num_fields();
    dataset out;
    out.field_names = field_names;
    out.cardinalities = cardinalities;
    out.ids.resize(indices.size() * f);
    out.labels.resize(indices.size());
    if (!weights.empty()) out.weights.resize(indices.size());
    for (std::size_t i = 0; i < indices.size(); ++i) {
      const row_index r = indices[i];
      NACS_EXPECTS(r >= 0 && r < rows(), errc::invalid_argument,
                   "dataset::select_rows: index " + std::to_string(r) + " (position " + std::to_string(i) +
                       ") is outside [0, " + std::to_string(rows()) + ")");
      const auto ur = static_cast<std::size_t>(r);
      std::copy_n(ids.data() + ur * f, f, out.ids.data() + i * f);
      out.labels[i] = labels[ur];
      if (!weights.empty()) out.weights[i] = weights[ur];
    }
    return out;
  }

  /// @brief Appends the rows of `other`, which must have the same fields and the same encoding.
  ///
  /// When only one side has weights, the other side's rows get weight 1.
  /// @throws nacs::error errc::invalid_argument when field names or cardinalities differ
  void append(const dataset& other) {
    check_shape("dataset::append");
    other.check_shape("dataset::append (the rows appended)");
    NACS_EXPECTS(field_names == other.field_names, errc::invalid_argument,
                 "dataset::append: the datasets have different fields (read them with the same reader and options)");
    NACS_EXPECTS(cardinalities == other.cardinalities, errc::invalid_argument,
                 "dataset::append: the datasets are encoded differently: encode both with the same vocabulary");
    if (weights.empty() && !other.weights.empty()) weights.assign(labels.size(), 1.0f);
    if (!weights.empty()) {
      if (other.weights.empty()) weights.insert(weights.end(), other.labels.size(), 1.0f);
      else weights.insert(weights.end(), other.weights.begin(), other.weights.end());
    }
    ids.insert(ids.end(), other.ids.begin(), other.ids.end());
    labels.insert(labels.end(), other.labels.begin(), other.labels.end());
  }

  /// @brief Throws errc::invalid_data, naming `caller`, when the columns disagree in size.
  ///
  /// The cheap check every algorithm makes before indexing rows (ids = rows x fields, weights
  /// none or one per row); validate() also checks the fields and the encoded ids.
  /// @param[in] caller the API the message starts with, e.g. "split"
  void check_shape(std::string_view caller = "dataset") const {
    const std::size_t n = labels.size(), f = num_fields();
    if (ids.size() == n * f && (weights.empty() || weights.size() == n)) return;
    std::string m(caller);
    m.append(": the dataset has ").append(std::to_string(ids.size())).append(" ids for ");
    m.append(std::to_string(n)).append(" rows of ").append(std::to_string(f)).append(" fields");
    if (!weights.empty() && weights.size() != n) m.append(" and ").append(std::to_string(weights.size())).append(" weights");
    m.append(": its columns disagree in size (expected ").append(std::to_string(n * f));
    m.append(" ids and no weights or ").append(std::to_string(n)).append("; dataset::validate() says more)");
    NACS_FAIL(errc::invalid_data, std::move(m));
  }

  /// @brief Throws errc::invalid_data when the columns disagree in size or an encoded id is out of range.
  void validate() const {
    const std::size_t n = labels.size(), f = num_fields();
    NACS_EXPECTS(f > 0, errc::invalid_data, "dataset has no fields: set field_names");
    NACS_EXPECTS(ids.size() == n * f, errc::invalid_data,
                 "dataset has " + std::to_string(ids.size()) + " ids for " + std::to_string(n) + " rows of " +
                     std::to_string(f) + " fields (expected " + std::to_string(n * f) + ")");
    NACS_EXPECTS(weights.empty() || weights.size() == n, errc::invalid_data,
                 "dataset has " + std::to_string(weights.size()) + " weights for " + std::to_string(n) +
                     " rows: give one per row or none");
    if (encoded()) {
      NACS_EXPECTS(cardinalities.size() == f, errc::invalid_data,
                   "dataset has " + std::to_string(cardinalities.size()) + " cardinalities for " +
                       std::to_string(f) + " fields");
      for (std::size_t r = 0; r < n; ++r)
        for (std::size_t j = 0; j < f; ++j)
          NACS_EXPECTS(ids[r * f + j] < cardinalities[j], errc::invalid_data,
                       "dataset row " + std::to_string(r) + " field " + std::to_string(j) + " has id " +
                           std::to_string(ids[r * f + j]) + " >= the field's cardinality " +
                           std::to_string(cardinalities[j]) + ": encode it with the field's vocabulary");
    }
  }

};

}  // namespace nacs
