/* Primitive table fragment: the quantization family (issue 6). Rows have the columns of
 * MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent) */
#ifndef MX_OPS_PRIMS_QUANT_H
#define MX_OPS_PRIMS_QUANT_H
/* clang-format off */
#define MX_PRIMS_QUANT(X)
/* clang-format on */
#endif
