// SPDX-License-Identifier: Apache-2.0
// A small planted-noise data set for pipeline tests: 6 fields of 20 values, Zipf 0.8, 4 factors.
#pragma once

#include <cstdint>

#include <nacs/data/synthetic.hpp>

namespace nacs_test {

/// @brief `rows` rows with positive share near `base_rate`, flips of both classes, from `seed`.
inline nacs::synthetic_data small_synthetic(nacs::row_index rows, std::uint64_t seed, double base_rate = 0.3,
                                            double flip_positive = 0.1, double flip_negative = 0.05) {
  nacs::synthetic_options o;
  o.rows = rows;
  o.fields = 6;
  o.vocabulary_size = 20;
  o.zipf_exponent = 0.8;
  o.factor_dim = 4;
  o.base_rate = base_rate;
  o.flip_positive = flip_positive;
  o.flip_negative = flip_negative;
  o.seed = seed;
  return nacs::generate_synthetic(nacs::seq, o);
}

}  // namespace nacs_test
