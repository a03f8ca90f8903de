// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Plain index types shared by every layer (data, similarity, objective, solver, io).
///
/// They live in core so that a layer needing only an index type does not include the
/// data layer for it.
#pragma once

#include <cstdint>

namespace nacs {

/// @brief Row index type: 64-bit and signed, so data sets past 2^31 rows work and
/// differences of indices need no casts.
using row_index = std::int64_t;

}  // namespace nacs
