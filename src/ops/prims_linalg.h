/* Primitive table fragment: the matmul family (addmm, gather_mm, block_masked_mm, segmented_mm, hadamard, ...).
 * Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Declare the functions the rows name in headers included from here.
 * (inner, outer, tensordot, kron, einsum compose reshape / transpose / multiply / matmul.) */
#ifndef MX_OPS_PRIMS_LINALG_H
#define MX_OPS_PRIMS_LINALG_H

#include "backend/cpu/gemm.h"
#include "ops/linalg.h"

/* clang-format off */
#define MX_PRIMS_LINALG(X) \
  /* ID              name             flags  eval_cpu                 eval_cuda  vjp                     jvp                     vmap                     output_shapes               is_equivalent */ \
  X(ADDMM,           "AddMM",         0,     mx_cpu_addmm,            NULL,      mx_vjp_addmm,           mx_jvp_addmm,           mx_vmap_addmm,           mx_shapes_addmm,            mx_equiv_params) \
  X(GATHER_MM,       "GatherMM",      0,     mx_cpu_gather_mm,        NULL,      mx_vjp_gather_mm,       mx_jvp_gather_mm,       mx_vmap_gather_mm,       mx_shapes_gather_mm,        mx_equiv_params) \
  X(BLOCK_MASKED_MM, "BlockMaskedMM", 0,     mx_cpu_block_masked_mm,  NULL,      mx_vjp_block_masked_mm, mx_jvp_block_masked_mm, mx_vmap_block_masked_mm, mx_shapes_block_masked_mm,  mx_equiv_params) \
  X(SEGMENTED_MM,    "SegmentedMM",   0,     mx_cpu_segmented_mm,     NULL,      mx_vjp_segmented_mm,    mx_jvp_segmented_mm,    mx_vmap_segmented_mm,    mx_shapes_segmented_mm,     mx_equiv_params) \
  X(HADAMARD,        "Hadamard",      0,     mx_cpu_hadamard,         NULL,      mx_vjp_hadamard,        mx_jvp_hadamard,        mx_vmap_hadamard,        mx_shapes_same,             mx_equiv_params)
/* clang-format on */

#endif
