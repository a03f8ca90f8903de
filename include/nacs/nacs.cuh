// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The library's CPU parts that nvcc compiles, plus the CUDA backend, for .cu files.
///
/// nacs::cuda is usable as the policy of what the CUDA backend provides so far
/// (see docs/cuda.md): make_kernel on embeddings, cuda_naive_facility over
/// many partitions, and the device query. Every other algorithm called with
/// nacs::cuda (maximize, maximize_partitioned, memory_needed, make_kernel of a
/// precomputed matrix, the data and model functions) is a compile error: the
/// CUDA backend does not specialise detail::algorithm for it, and the
/// primary template's static_assert says so, naming the algorithm's tag.
/// Link nacs::cuda_backend.
///
/// Not included: the model layer (nacs/model/) and the pipeline
/// (nacs/pipeline.hpp). nvcc 13's front end rejects an out-of-class member
/// template definition in nacs/detail/pipeline/methods.hpp ("template argument
/// list must match the parameter list"), and the GPU model layer does not
/// exist yet; include those from .cpp files compiled by the host compiler.
#pragma once

#include <nacs/core/config.hpp>
#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/data/avazu.hpp>
#include <nacs/data/criteo.hpp>
#include <nacs/data/csv.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/data/hash.hpp>
#include <nacs/data/libsvm.hpp>
#include <nacs/data/parse_report.hpp>
#include <nacs/data/split.hpp>
#include <nacs/data/synthetic.hpp>
#include <nacs/data/vocabulary.hpp>
#include <nacs/execution.hpp>
#include <nacs/io/npy.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/objective/k_center.hpp>
#include <nacs/objective/objective.hpp>
#include <nacs/objective/set_cover.hpp>
#include <nacs/similarity.hpp>
#include <nacs/solver/lazier.hpp>
#include <nacs/solver/lazy.hpp>
#include <nacs/solver/maximize.hpp>
#include <nacs/solver/naive.hpp>
#include <nacs/solver/partition.hpp>
#include <nacs/solver/selection.hpp>
#include <nacs/solver/stochastic.hpp>

#include <nacs/execution.cuh>
#include <nacs/cuda/device.cuh>
#include <nacs/cuda/greedy.cuh>
#include <nacs/cuda/similarity.cuh>
