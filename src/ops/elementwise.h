/* Ops: unary, binary and ternary elementwise ops, comparisons, logical ops. Conventions as in src/ops/ops.h. */
#ifndef MX_OPS_ELEMENTWISE_H
#define MX_OPS_ELEMENTWISE_H

#include "core/array.h"

#endif
