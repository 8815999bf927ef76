/* Primitive table fragment: the conv family (issue 6). Rows have the columns of MX_PRIMITIVES in
 * src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent) */
#ifndef MX_OPS_PRIMS_CONV_H
#define MX_OPS_PRIMS_CONV_H

#include "ops/conv.h"

/* clang-format off */
#define MX_PRIMS_CONV(X) \
  /* ID          name           flags  eval_cpu     eval_cuda  vjp          jvp          vmap          output_shapes   is_equivalent */ \
  X(CONVOLUTION, "Convolution", 0,     mx_cpu_conv, NULL,      mx_vjp_conv, mx_jvp_conv, mx_vmap_conv, mx_shapes_conv, mx_equiv_params)
/* clang-format on */
#endif
