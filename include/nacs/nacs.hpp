// SPDX-License-Identifier: Apache-2.0
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
#include <nacs/core/auc.hpp>
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
#include <nacs/data/load.hpp>
#include <nacs/data/parse_report.hpp>
#include <nacs/data/split.hpp>
#include <nacs/data/synthetic.hpp>
#include <nacs/data/vocabulary.hpp>
#include <nacs/io/coreset_file.hpp>
#include <nacs/io/npy.hpp>

// coreset selection
#include <nacs/similarity.hpp>
#include <nacs/objective/facility_location.hpp>
#include <nacs/objective/k_center.hpp>
#include <nacs/objective/objective.hpp>
#include <nacs/objective/set_cover.hpp>
#include <nacs/solver/lazier.hpp>
#include <nacs/solver/lazy.hpp>
#include <nacs/solver/maximize.hpp>
#include <nacs/solver/naive.hpp>
#include <nacs/solver/partition.hpp>
#include <nacs/solver/selection.hpp>
#include <nacs/solver/stochastic.hpp>

// the CTR model layer (needs Eigen)
#if __has_include(<Eigen/Core>)
#include <nacs/model/activation.hpp>
#include <nacs/model/adam.hpp>
#include <nacs/model/architecture.hpp>
#include <nacs/model/batch_norm.hpp>
#include <nacs/model/cross.hpp>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/embedding.hpp>
#include <nacs/model/fm.hpp>
#include <nacs/model/linear.hpp>
#include <nacs/model/loss.hpp>
#include <nacs/model/metrics.hpp>
#include <nacs/model/mlp.hpp>
#include <nacs/model/mode.hpp>
#include <nacs/model/models.hpp>
#include <nacs/model/parameter.hpp>
#include <nacs/model/trainer.hpp>
#include <nacs/pipeline.hpp>
#endif
