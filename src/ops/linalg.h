/* Ops: the matmul family. Conventions as in src/ops/ops.h. */
#ifndef MX_OPS_LINALG_H
#define MX_OPS_LINALG_H

#include "core/array.h"

#endif
