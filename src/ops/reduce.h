/* Ops: reductions, scans, sort, partition, search. Conventions as in src/ops/ops.h. */
#ifndef MX_OPS_REDUCE_H
#define MX_OPS_REDUCE_H

#include "core/array.h"

#endif
