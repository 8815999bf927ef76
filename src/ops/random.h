/* Ops: random numbers and creation ops. Conventions as in src/ops/ops.h. */
#ifndef MX_OPS_RANDOM_H
#define MX_OPS_RANDOM_H

#include "core/array.h"

#endif
