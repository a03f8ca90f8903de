// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Umbrella header of the NaCS pipeline layer (needs Eigen, as the model layer does).
///
/// Trust schedules, gradient embeddings and uncertainty filters (the components),
/// the selection methods and nacs::select_coreset (the driver), the runtime name
/// tables with nacs::run_coreset, and the final training on a coreset.
#pragma once

#include <nacs/pipeline/auto.hpp>
#include <nacs/pipeline/config.hpp>
#include <nacs/pipeline/coreset.hpp>
#include <nacs/pipeline/embedding.hpp>
#include <nacs/pipeline/filter.hpp>
#include <nacs/pipeline/final.hpp>
#include <nacs/pipeline/method.hpp>
#include <nacs/pipeline/methods.hpp>
#include <nacs/pipeline/sampling.hpp>
#include <nacs/pipeline/select.hpp>
#include <nacs/pipeline/trust.hpp>
