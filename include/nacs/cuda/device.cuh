// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief What CUDA devices this process can use, asked without throwing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nacs/execution.cuh>

namespace nacs {

/// @brief One visible CUDA device.
struct cuda_device {
  int ordinal = 0;                   ///< the device number cudaSetDevice takes
  std::string name;                  ///< e.g. "NVIDIA H200"
  int compute_major = 0;             ///< compute capability, major
  int compute_minor = 0;             ///< compute capability, minor
  std::size_t global_memory = 0;     ///< bytes of device memory
  int multiprocessors = 0;           ///< streaming multiprocessors
  std::size_t shared_per_block = 0;  ///< bytes of shared memory a block may opt in to
};

/// @brief The devices this process can use; when there are none, why.
struct cuda_device_report {
  std::vector<cuda_device> devices;  ///< empty when no GPU is usable
  std::string why_none;              ///< the runtime's reason when devices is empty ("" otherwise)
  int runtime_version = 0;           ///< cudaRuntimeGetVersion, e.g. 13000
  int driver_version = 0;            ///< cudaDriverGetVersion; 0 when no driver is installed

  /// @brief True when at least one device is usable.
  [[nodiscard]] bool any() const noexcept { return !devices.empty(); }
};

/// @brief Asks the CUDA runtime which devices are usable. Never throws for a machine
/// without a GPU or driver (that is devices empty and why_none set), and leaves no
/// error behind in the runtime.
/// @throws nacs::error only when a device is visible but its properties cannot be read
inline cuda_device_report query_cuda_devices() {
  cuda_device_report r;
  (void)cudaRuntimeGetVersion(&r.runtime_version);
  if (cudaDriverGetVersion(&r.driver_version) != cudaSuccess) r.driver_version = 0;
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    (void)cudaGetLastError();
    r.why_none = e != cudaSuccess ? std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e)
                                  : std::string("the CUDA runtime reports 0 devices");
    return r;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp p{};
    NACS_CUDA_TRY(cudaGetDeviceProperties(&p, i));
    cuda_device d;
    d.ordinal = i;
    d.name = p.name;
    d.compute_major = p.major;
    d.compute_minor = p.minor;
    d.global_memory = p.totalGlobalMem;
    d.multiprocessors = p.multiProcessorCount;
    d.shared_per_block = p.sharedMemPerBlockOptin;
    r.devices.push_back(std::move(d));
  }
  return r;
}

}  // namespace nacs
