// A program outside nacs's tree that uses it as a consumer would.
#include <nacs/nacs.hpp>

#include <cstdio>

int main() {
  nacs::random_stream rng(42);
  const auto block = rng.block(0);
  nacs::matrix<float> m(2, 3, 1.0f);
  nacs::expect_finite<float>(m.view(), "consumer matrix");
  std::printf("nacs %d.%d.%d consumer ok (%u)\n", NACS_VERSION_MAJOR, NACS_VERSION_MINOR, NACS_VERSION_PATCH,
              block[0]);
  return m.rows() == 2 ? 0 : 1;
}
