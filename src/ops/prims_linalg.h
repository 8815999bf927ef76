/* Primitive table fragment: the matmul family (addmm, gather_mm, block_masked_mm, segmented_mm, hadamard, ...).
 * Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Declare the functions the rows name in headers included from here. */
#ifndef MX_OPS_PRIMS_LINALG_H
#define MX_OPS_PRIMS_LINALG_H

/* clang-format off */
#define MX_PRIMS_LINALG(X)
/* clang-format on */

#endif
