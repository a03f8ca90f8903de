// SPDX-License-Identifier: Apache-2.0
// nacs::run_coreset for nacs::seq, compiled once for nacs's own tests and programs
// (include/nacs/detail/pipeline/instances.hpp says why).
#include <nacs/pipeline/config.hpp>

#if !defined(NACS_EXTERN_TEMPLATES)
#error "examples/instances/ is compiled with NACS_EXTERN_TEMPLATES (the nacs_instances target defines it)"
#endif
NACS_RUN_CORESET_INSTANCE(, ::nacs::sequenced_policy)
