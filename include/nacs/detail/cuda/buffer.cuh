// SPDX-License-Identifier: Apache-2.0
// Device memory owned by RAII: a typed array in global memory and a cuBLAS handle.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include <nacs/core/memory.hpp>
#include <nacs/execution.cuh>

namespace nacs::detail::cuda {

/// n values of T in device memory; moved, never copied. Allocation failure is
/// nacs::error(memory_limit) through NACS_CUDA_TRY, never a sticky error.
template <class T>
class device_array {
 public:
  device_array() = default;
  explicit device_array(std::size_t n) : n_(n) {
    if (n > 0) NACS_CUDA_TRY(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)));
  }
  device_array(const device_array&) = delete;
  device_array& operator=(const device_array&) = delete;
  device_array(device_array&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  device_array& operator=(device_array&& o) noexcept {
    if (this != &o) {
      release();
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  ~device_array() { release(); }

  [[nodiscard]] T* data() const noexcept { return p_; }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }

  /// Copies n host values in, on stream s (the host buffer must stay alive until s syncs).
  void upload(const T* host, std::size_t n, cudaStream_t s) {
    if (n > 0) NACS_CUDA_TRY(cudaMemcpyAsync(p_, host, n * sizeof(T), cudaMemcpyHostToDevice, s));
  }
  void download(T* host, std::size_t n, cudaStream_t s) const {
    if (n > 0) NACS_CUDA_TRY(cudaMemcpyAsync(host, p_, n * sizeof(T), cudaMemcpyDeviceToHost, s));
  }

 private:
  void release() noexcept {
    if (p_) NACS_CUDA_TRY_NOTHROW(cudaFree(p_));
    p_ = nullptr;
    n_ = 0;
  }
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

/// A cuBLAS handle bound to one stream.
class cublas_handle {
 public:
  explicit cublas_handle(cudaStream_t s) {
    NACS_CUDA_TRY(cublasCreate(&h_));
    NACS_CUDA_TRY(cublasSetStream(h_, s));
  }
  cublas_handle(const cublas_handle&) = delete;
  cublas_handle& operator=(const cublas_handle&) = delete;
  ~cublas_handle() {
    if (h_) NACS_CUDA_TRY_NOTHROW(cublasDestroy(h_));
  }
  [[nodiscard]] cublasHandle_t get() const noexcept { return h_; }

 private:
  cublasHandle_t h_ = nullptr;
};

/// Throws nacs::error(memory_limit) when the device has less free memory than bytes.
inline void check_device_memory(std::size_t bytes, const std::string& what) {
  std::size_t free_bytes = 0, total = 0;
  NACS_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total));
  if (bytes > free_bytes)
    NACS_FAIL(errc::memory_limit, what, " needs ", format_bytes(bytes), " of device memory but the GPU has ",
              format_bytes(free_bytes), " free (of ", format_bytes(total), "): use smaller partitions");
}

}  // namespace nacs::detail::cuda
