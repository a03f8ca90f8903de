// expect: the nacs::cuda policy needs the CUDA backend: #include <nacs/nacs\.cuh>
// Calling an algorithm with nacs::cuda without the CUDA backend header must not compile.
#include <nacs/nacs.hpp>

int main() {
  nacs::detail::require_backend<nacs::cuda_policy>();
  return 0;
}
