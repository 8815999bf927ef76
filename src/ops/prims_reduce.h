/* Primitive table fragment: reductions, scans, sort, partition, search.
 * Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Declare the functions the rows name in headers included from here. */
#ifndef MX_OPS_PRIMS_REDUCE_H
#define MX_OPS_PRIMS_REDUCE_H

/* clang-format off */
#define MX_PRIMS_REDUCE(X)
/* clang-format on */

#endif
