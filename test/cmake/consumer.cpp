// SPDX-License-Identifier: Apache-2.0
// A program outside nacs's tree that uses it as a consumer would: a small
// partitioned facility-location selection on par (so OpenMP must come through
// nacs::nacs) and one DeepFM forward pass (so Eigen must too). It checks what
// it gets: 6 picks, 2 in each partition of 100 rows, weights summing to 300,
// and F(S) against a plain recomputation in double from the picks (neg_distance:
// s = C_p - ||a - b||, C_p the largest distance in partition p), to 1e-5
// relative (the library's kernel is float). Exit status 1 on any difference.
#include <nacs/nacs.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

double distance(const nacs::matrix<float>& x, std::size_t a, std::size_t b) {
  double s = 0.0;
  for (std::size_t c = 0; c < x.cols(); ++c) {
    const double t = static_cast<double>(x(a, c)) - static_cast<double>(x(b, c));
    s += t * t;
  }
  return std::sqrt(s);
}

}  // namespace

int main() {
  nacs::random_stream rng(42);
  nacs::matrix<float> x(300, 4);
  for (float& v : x.values()) v = rng.uniform_float();
  const auto sel = nacs::maximize_partitioned(nacs::par.with_threads(2), nacs::facility_location{x.view()}, 6,
                                              nacs::lazy_greedy{}, nacs::partition_options{.partition_size = 100});

  // F(S) from scratch: partitions are rows [0, 100), [100, 200), [200, 300).
  double f = 0.0;
  int bad = 0;
  for (std::size_t p = 0; p < 3; ++p) {
    const std::size_t lo = 100 * p, hi = lo + 100;
    double c = 0.0;
    for (std::size_t a = lo; a < hi; ++a)
      for (std::size_t b = lo; b < hi; ++b) c = std::max(c, distance(x, a, b));
    std::size_t picks_here = 0;
    for (const auto j : sel.indices) picks_here += static_cast<std::size_t>(j) >= lo && static_cast<std::size_t>(j) < hi ? 1 : 0;
    if (picks_here != 2) {
      std::fprintf(stderr, "partition %zu has %zu picks, expected 2\n", p, picks_here);
      ++bad;
    }
    for (std::size_t i = lo; i < hi; ++i) {
      double best = 0.0;
      for (const auto j : sel.indices)
        if (static_cast<std::size_t>(j) >= lo && static_cast<std::size_t>(j) < hi)
          best = std::max(best, c - distance(x, i, static_cast<std::size_t>(j)));
      f += best;
    }
  }
  if (sel.indices.size() != 6 || sel.total_weight() != 300) {
    std::fprintf(stderr, "%zu picks with weights summing to %lld, expected 6 and 300\n", sel.indices.size(),
                 static_cast<long long>(sel.total_weight()));
    ++bad;
  }
  if (!(std::abs(sel.objective - f) <= 1e-5 * f) || !(f > 0.0)) {
    std::fprintf(stderr, "F(S) = %.9g, but recomputed from the picks %.9g\n", sel.objective, f);
    ++bad;
  }

  nacs::synthetic_options o;
  o.rows = 64;
  o.fields = 3;
  o.vocabulary_size = 5;
  const auto data = nacs::generate_synthetic(nacs::seq, o);
  nacs::ctr_model<float> model(nacs::model_config{}, data.data.cardinalities);

  std::printf("nacs %d.%d.%d consumer: %zu picks, F = %.3f (recomputed %.3f), %zu model parameters\n",
              NACS_VERSION_MAJOR, NACS_VERSION_MINOR, NACS_VERSION_PATCH, sel.indices.size(), sel.objective, f,
              model.parameter_count());
  return bad == 0 && model.parameter_count() > 0 ? 0 : 1;
}
