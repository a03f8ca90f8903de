// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief Explicit instantiations of the pipeline's entry points for nacs::seq and nacs::par:
/// declared (extern) only where NACS_EXTERN_TEMPLATES is defined.
///
/// nacs's own tests and programs define it and link the library nacs_instances
/// (examples/instances/), which instantiates each of these once: run_coreset alone is
/// about 150 s of compile time per policy under the sanitizers, and five test programs and
/// nacs-coreset call it. A consumer of the header-only library never defines the macro and
/// instantiates what it calls, as before. The declarations change no code path: the same
/// bodies, compiled with the same flags, in another translation unit.
#pragma once

#include <optional>
#include <span>

#include <nacs/execution.hpp>

// NACS_DECLARE_INSTANCES(X): X(extern, P) for P = sequenced_policy and (with OpenMP)
// parallel_policy where NACS_EXTERN_TEMPLATES is defined, nothing elsewhere. Each public
// header ends with it for its own entry point, so no header includes another for this.
#if defined(NACS_EXTERN_TEMPLATES)
#if defined(_OPENMP)
#define NACS_DECLARE_INSTANCES(X) X(extern, ::nacs::sequenced_policy) X(extern, ::nacs::parallel_policy)
#else
#define NACS_DECLARE_INSTANCES(X) X(extern, ::nacs::sequenced_policy)
#endif
#else
#define NACS_DECLARE_INSTANCES(X)
#endif

// One explicit instantiation of each entry point: EXT is extern (a declaration) or empty (the
// definition, in examples/instances/).
#define NACS_RUN_CORESET_INSTANCE(EXT, P)                                                                     \
  EXT template ::nacs::coreset nacs::run_coreset<P>(const P&, const ::nacs::dataset&,                         \
                                                     const std::optional<::nacs::evaluation_set>&,            \
                                                     const ::nacs::coreset_config&, const ::nacs::coreset_options&);
#define NACS_TRAIN_ON_CORESET_INSTANCE(EXT, P)                                                                \
  EXT template ::nacs::coreset_evaluation nacs::train_on_coreset<P>(                                          \
      const P&, const ::nacs::dataset&, const ::nacs::coreset&, const std::optional<::nacs::evaluation_set>&, \
      const ::nacs::evaluation_set&, const ::nacs::final_options&);
#define NACS_AUTO_SELECT_INSTANCE(EXT, P)                                                                     \
  EXT template ::nacs::auto_result nacs::auto_select<P>(                                                      \
      const P&, const ::nacs::dataset&, const ::nacs::evaluation_set&,                                        \
      const std::optional<::nacs::evaluation_set>&, std::span<const ::nacs::auto_candidate>,                  \
      const ::nacs::coreset_options&, const ::nacs::final_options&, const ::nacs::auto_options&);
