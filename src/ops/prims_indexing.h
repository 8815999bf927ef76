/* Primitive table fragment: shape manipulation, slicing, gather/scatter and the indexing primitives.
 * Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Declare the functions the rows name in headers included from here. */
#ifndef MX_OPS_PRIMS_INDEXING_H
#define MX_OPS_PRIMS_INDEXING_H

/* clang-format off */
#define MX_PRIMS_INDEXING(X)
/* clang-format on */

#endif
