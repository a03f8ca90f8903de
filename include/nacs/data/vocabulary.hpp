// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Per-field vocabularies: raw 32-bit values to dense ids, with an out-of-vocabulary id per field.
///
/// Build a vocabulary on the training split only, then encode every split
/// with it. Per field:
/// - a value seen at least `min_count` times in the training rows gets its own
///   id; ids 1, 2, 3, ... go to such values in the order of their first
///   appearance in the training rows (so ids are deterministic and frequent
///   values tend to get small ids);
/// - id 0 (vocabulary::oov) is the field's out-of-vocabulary id: values seen
///   fewer than `min_count` times, and values never seen in training (first
///   met in validation or test rows), all map to it;
/// - the field's cardinality is (number of kept values) + 1, the OOV id
///   included even when no value maps to it.
/// Building and encoding give the same result on seq and par with any thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/parallel.hpp>
#include <nacs/core/tuning.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/detail/data/flat_map.hpp>
#include <nacs/execution.hpp>

namespace nacs {

/// @brief Options of build_vocabulary.
struct vocabulary_options {
  /// Values seen fewer times than this in the training rows map to the OOV id (0 and 1 keep every value seen).
  std::uint64_t min_count = 10;
  friend bool operator==(const vocabulary_options&, const vocabulary_options&) = default;
};

class vocabulary;
template <class Policy>
vocabulary build_vocabulary(const Policy& policy, const dataset& train, const vocabulary_options& options = {});
namespace detail {
template <host_policy Policy>
vocabulary host_run(algo::build_vocabulary, const Policy& policy, const dataset& train,
                    const vocabulary_options& options);
template <host_policy Policy>
dataset host_run(algo::encode, const Policy& policy, const vocabulary& v, const dataset& data);
}  // namespace detail

/// @brief Maps each field's raw values to dense ids; unknown and rare values map to id 0.
class vocabulary {
 public:
  /// @brief The out-of-vocabulary id of every field.
  static constexpr std::uint32_t oov = 0;

  vocabulary() = default;

  /// @brief Number of fields.
  [[nodiscard]] std::size_t num_fields() const noexcept { return names_.size(); }
  /// @brief The field names of the training data.
  [[nodiscard]] const std::vector<std::string>& field_names() const noexcept { return names_; }
  /// @brief The options it was built with.
  [[nodiscard]] const vocabulary_options& options() const noexcept { return options_; }

  /// @brief Number of ids of a field: kept values + 1 (the OOV id).
  /// @throws nacs::error errc::invalid_argument when field >= num_fields()
  [[nodiscard]] std::uint32_t cardinality(std::size_t field) const {
    check_field(field);
    return static_cast<std::uint32_t>(values_[field].size() + 1);
  }
  /// @brief Every field's cardinality.
  [[nodiscard]] std::vector<std::uint32_t> cardinalities() const {
    std::vector<std::uint32_t> c(num_fields());
    for (std::size_t f = 0; f < c.size(); ++f) c[f] = static_cast<std::uint32_t>(values_[f].size() + 1);
    return c;
  }
  /// @brief The kept raw values of a field: values(field)[i] has id i + 1.
  /// @throws nacs::error errc::invalid_argument when field >= num_fields()
  [[nodiscard]] std::span<const std::uint32_t> values(std::size_t field) const {
    check_field(field);
    return values_[field];
  }
  /// @brief The id of a raw value in a field: its dense id, or oov (0) when it was rare or unseen.
  /// @throws nacs::error errc::invalid_argument when field >= num_fields()
  [[nodiscard]] std::uint32_t id(std::size_t field, std::uint32_t raw) const {
    check_field(field);
    return maps_[field].get_or(raw, oov);
  }

  /// @brief Encodes a dataset with this vocabulary: dense ids, cardinalities set; labels and weights copied.
  /// @param[in] policy nacs::seq or nacs::par (rows are encoded in parallel; the result is the same)
  /// @param[in] data   rows with the vocabulary's fields (raw ids; an encoded dataset is re-encoded)
  /// @throws nacs::error errc::invalid_argument when the fields differ from the training data's;
  ///         errc::invalid_data when the dataset's columns disagree in size
  template <class Policy>
  [[nodiscard]] dataset encode(const Policy& policy, const dataset& data) const {
    return detail::dispatch<algo::encode>(policy, *this, data);
  }

  template <host_policy Policy>
  friend vocabulary detail::host_run(algo::build_vocabulary, const Policy& policy, const dataset& train,
                                     const vocabulary_options& options);
  template <host_policy Policy>
  friend dataset detail::host_run(algo::encode, const Policy& policy, const vocabulary& v, const dataset& data);

 private:
  void check_field(std::size_t field) const {
    NACS_EXPECTS(field < num_fields(), errc::invalid_argument,
                 "vocabulary: field " + std::to_string(field) + " out of range (" + std::to_string(num_fields()) +
                     " fields)");
  }

  std::vector<std::string> names_;
  vocabulary_options options_;
  std::vector<std::vector<std::uint32_t>> values_;  // per field: raw value of id i + 1 at [i]
  std::vector<detail::u32_map> maps_;               // per field: raw value -> id (kept values only)
};

namespace detail {
/// The host backend's body of vocabulary::encode.
template <host_policy Policy>
dataset host_run(algo::encode, const Policy& policy, const vocabulary& v, const dataset& data) {
  NACS_EXPECTS(data.field_names == v.names_, errc::invalid_argument,
               "vocabulary::encode: the dataset's fields differ from the training data's (" +
                   std::to_string(data.num_fields()) + " vs " + std::to_string(v.num_fields()) +
                   " fields): read every split with the same reader and options");
  data.check_shape("vocabulary::encode");
  dataset out;
  out.field_names = data.field_names;
  out.labels = data.labels;
  out.weights = data.weights;
  out.cardinalities = v.cardinalities();
  out.ids.resize(data.ids.size());
  const std::size_t f = v.num_fields();
  const auto n = static_cast<std::int64_t>(data.labels.size());
  const std::uint32_t* in = data.ids.data();
  std::uint32_t* o = out.ids.data();
  auto encode_row = [&](std::int64_t r) {
    const std::size_t base = static_cast<std::size_t>(r) * f;
    for (std::size_t j = 0; j < f; ++j) o[base + j] = v.maps_[j].get_or(in[base + j], vocabulary::oov);
  };
  detail::for_each_range(policy, static_cast<std::size_t>(n), tuning::data_row_block,
                         [&](std::size_t r0, std::size_t r1) {
                           for (std::size_t r = r0; r < r1; ++r) encode_row(static_cast<std::int64_t>(r));
                         }, f);
  return out;
}
}  // namespace detail

namespace detail {

// Counts fields [first, last) over all rows, row by row, and fills their vocabularies.
inline void build_fields(const dataset& train, std::uint64_t min_count, std::size_t first, std::size_t last,
                         std::vector<std::vector<std::uint32_t>>& values, std::vector<u32_map>& maps) {
  const std::size_t f = train.num_fields(), width = last - first;
  if (width == 0) return;
  std::vector<u32_map> index(width);
  std::vector<std::vector<std::uint32_t>> keys(width);   // distinct values in first-appearance order
  std::vector<std::vector<std::uint64_t>> counts(width);
  const std::size_t n = train.labels.size();
  const std::uint32_t* ids = train.ids.data();
  for (std::size_t r = 0; r < n; ++r) {
    const std::uint32_t* row = ids + r * f + first;
    for (std::size_t j = 0; j < width; ++j) {
      const auto [pos, inserted] = index[j].try_emplace(row[j], static_cast<std::uint32_t>(keys[j].size()));
      if (inserted) {
        keys[j].push_back(row[j]);
        counts[j].push_back(1);
      } else {
        ++counts[j][pos];
      }
    }
  }
  for (std::size_t j = 0; j < width; ++j) {
    index[j] = u32_map();  // free the counting index before building the final one
    std::vector<std::uint32_t>& kept = values[first + j];
    for (std::size_t k = 0; k < keys[j].size(); ++k)
      if (counts[j][k] >= min_count) kept.push_back(keys[j][k]);
    u32_map m(kept.size());
    for (std::size_t k = 0; k < kept.size(); ++k) (void)m.try_emplace(kept[k], static_cast<std::uint32_t>(k + 1));
    maps[first + j] = std::move(m);
  }
}

}  // namespace detail

namespace detail {
/// The host backend's body of nacs::build_vocabulary.
template <host_policy Policy>
vocabulary host_run(algo::build_vocabulary, const Policy& policy, const dataset& train,
                    const vocabulary_options& options) {
  NACS_EXPECTS(train.num_fields() > 0, errc::invalid_data, "build_vocabulary: the training dataset has no fields");
  train.check_shape("build_vocabulary");
  vocabulary v;
  v.names_ = train.field_names;
  v.options_ = options;
  const std::size_t f = train.num_fields();
  v.values_.resize(f);
  v.maps_.resize(f);
  // One block per field: a field is always counted row by row by one thread, so
  // the ids do not depend on the thread count.
  detail::for_each_block(policy, f, [&](std::size_t j) {
    detail::build_fields(train, options.min_count, j, j + 1, v.values_, v.maps_);
  }, detail::work_of(f, train.labels.size()));
  return v;
}
}  // namespace detail

/// @brief Builds each field's vocabulary from training rows.
/// @param[in] policy  nacs::seq or nacs::par (fields are split among threads; the result is the same)
/// @param[in] train   the training split, raw ids (an encoded dataset's ids are treated as raw values)
/// @param[in] options min_count
/// @return the vocabulary: per field, id 0 = OOV, ids 1.. for values seen >= min_count times, by first appearance
/// @throws nacs::error errc::invalid_data when the dataset has no fields or its columns disagree in size
template <class Policy>
vocabulary build_vocabulary(const Policy& policy, const dataset& train, const vocabulary_options& options) {
  return detail::dispatch<algo::build_vocabulary>(policy, train, options);
}

}  // namespace nacs
