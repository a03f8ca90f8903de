// SPDX-License-Identifier: Apache-2.0
// Seeded random inputs for tests and benchmarks.
#pragma once

#include <cstddef>
#include <cstdint>

#include <nacs/core/matrix.hpp>
#include <nacs/core/philox.hpp>

namespace nacs_ref {

/// n x d values uniform in [0, 1), from Philox stream (seed, 0).
template <class T>
nacs::matrix<T> uniform_matrix(std::size_t n, std::size_t d, std::uint64_t seed) {
  nacs::matrix<T> x(n, d);
  nacs::random_stream rng(seed);
  for (auto& v : x.values()) v = static_cast<T>(rng.uniform());
  return x;
}

/// Like uniform_matrix, but rows whose index is a multiple of `every` copy row (index - 1).
template <class T>
nacs::matrix<T> matrix_with_duplicates(std::size_t n, std::size_t d, std::uint64_t seed, std::size_t every) {
  nacs::matrix<T> x = uniform_matrix<T>(n, d, seed);
  for (std::size_t i = every; i < n; i += every)
    for (std::size_t k = 0; k < d; ++k) x(i, k) = x(i - 1, k);
  return x;
}

}  // namespace nacs_ref

namespace nacs_ref {

/// n x fields categorical ids; field f takes values in [0, cardinality(f)) with
/// cardinality 2 + 3 f, so low fields repeat a lot and high fields less.
inline nacs::matrix<std::uint32_t> random_ids(std::size_t n, std::size_t fields, std::uint64_t seed) {
  nacs::matrix<std::uint32_t> ids(n, fields);
  nacs::random_stream rng(seed, 1);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < fields; ++f) ids(i, f) = static_cast<std::uint32_t>(rng.below(2 + 3 * f));
  return ids;
}

}  // namespace nacs_ref
