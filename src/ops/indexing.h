/* Ops: shape manipulation, slicing, gather/scatter. Conventions as in src/ops/ops.h. */
#ifndef MX_OPS_INDEXING_H
#define MX_OPS_INDEXING_H

#include "core/array.h"

#endif
