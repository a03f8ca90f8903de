// SPDX-License-Identifier: Apache-2.0
// nacs::train_on_coreset for nacs::seq, compiled once for nacs's own tests and programs
// (include/nacs/detail/pipeline/instances.hpp says why).
#include <nacs/pipeline/final.hpp>

#if !defined(NACS_EXTERN_TEMPLATES)
#error "examples/instances/ is compiled with NACS_EXTERN_TEMPLATES (the nacs_instances target defines it)"
#endif
NACS_TRAIN_ON_CORESET_INSTANCE(, ::nacs::sequenced_policy)
