/// @file
/// @brief Umbrella header: every CPU-side public header of nacs (seq and par).
///
/// Files compiled with nvcc include <nacs/nacs.cuh> instead, which adds the
/// CUDA backend and the nacs::cuda policy's algorithms.
#pragma once

#include <nacs/core/config.hpp>
#include <nacs/core/error.hpp>
#include <nacs/core/matrix.hpp>
#include <nacs/core/memory.hpp>
#include <nacs/core/philox.hpp>
#include <nacs/data/dataset.hpp>
#include <nacs/execution.hpp>
