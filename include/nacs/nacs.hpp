/// @file
/// @brief Umbrella header: every CPU-side public header of nacs (seq and par).
///
/// Files compiled with nvcc include <nacs/nacs.cuh> instead, which adds the
/// CUDA backend and the nacs::cuda policy's algorithms. The model layer
/// (nacs/model/) needs Eigen; it is included here when Eigen is on the include
/// path, and including one of its headers without Eigen is an #error that
/// says what to install.
#pragma once

// core
#include <nacs/core/config.hpp>
#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/execution.hpp>

// data and files
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
#include <nacs/io/npy.hpp>
