// A program outside nacs's tree that uses it as a consumer would: a small
// partitioned facility-location selection on par (so OpenMP must come through
// nacs::nacs) and one DeepFM forward pass (so Eigen must too).
#include <nacs/nacs.hpp>

#include <cstdio>

int main() {
  nacs::random_stream rng(42);
  nacs::matrix<float> x(300, 4);
  for (float& v : x.values()) v = rng.uniform_float();
  const auto sel = nacs::maximize_partitioned(nacs::par.with_threads(2), nacs::facility_location{x.view()}, 6,
                                              nacs::lazy_greedy{}, nacs::partition_options{.partition_size = 100});

  nacs::synthetic_options o;
  o.rows = 64;
  o.fields = 3;
  o.vocabulary_size = 5;
  const auto data = nacs::generate_synthetic(nacs::seq, o);
  nacs::ctr_model<float> model(nacs::model_config{}, data.data.cardinalities);

  std::printf("nacs %d.%d.%d consumer: %zu picks, F = %.3f, %zu model parameters\n", NACS_VERSION_MAJOR,
              NACS_VERSION_MINOR, NACS_VERSION_PATCH, sel.indices.size(), sel.objective, model.parameter_count());
  return sel.indices.size() == 6 ? 0 : 1;
}
