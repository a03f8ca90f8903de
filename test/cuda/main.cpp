// SPDX-License-Identifier: Apache-2.0
// The doctest main of the CUDA tests. A program run with --nacs-needs-gpu
// first asks the CUDA runtime for a device; when there is none it prints
// "no GPU found: skipping ..." with the runtime's reason and exits 77, which
// CTest reports as skipped (SKIP_RETURN_CODE), so a machine without a GPU
// builds every CUDA test and runs the ones that need only the host.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  bool needs_gpu = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--nacs-needs-gpu") == 0)
      needs_gpu = true;
    else
      args.push_back(argv[i]);
  }
  if (needs_gpu) {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
      std::printf("no GPU found: skipping %s (%s)\n", argv[0],
                  e != cudaSuccess ? cudaGetErrorString(e) : "the CUDA runtime reports 0 devices");
      return 77;
    }
  }
  doctest::Context ctx(static_cast<int>(args.size()), args.data());
  return ctx.run();
}
