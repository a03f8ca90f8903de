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
