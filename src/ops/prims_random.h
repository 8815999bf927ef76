/* Primitive table fragment: random bits (threefry) and the creation ops that need a primitive.
 * Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Declare the functions the rows name in headers included from here. */
#ifndef MX_OPS_PRIMS_RANDOM_H
#define MX_OPS_PRIMS_RANDOM_H

/* clang-format off */
#define MX_PRIMS_RANDOM(X)
/* clang-format on */

#endif
