/* Primitive table fragment: the fast family (issue 6). Rows have the columns of MX_PRIMITIVES in
 * src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * The rules go through each op's composed fallback (src/ops/fast_rules.c). */
#ifndef MX_OPS_PRIMS_FAST_H
#define MX_OPS_PRIMS_FAST_H

#include "ops/fast.h"

/* clang-format off */
#define MX_PRIMS_FAST(X) \
  /* ID          name                          flags  eval_cpu           eval_cuda  vjp          jvp          vmap          output_shapes   is_equivalent */ \
  X(RMS_NORM,    "RMSNorm",                    0,     mx_cpu_rms_norm,   NULL,      mx_vjp_fast, mx_jvp_fast, mx_vmap_fast, mx_shapes_same, mx_equiv_params) \
  X(LAYER_NORM,  "LayerNorm",                  0,     mx_cpu_layer_norm, NULL,      mx_vjp_fast, mx_jvp_fast, mx_vmap_fast, mx_shapes_same, mx_equiv_params) \
  X(ROPE,        "RoPE",                       0,     mx_cpu_rope,       NULL,      mx_vjp_fast, mx_jvp_fast, mx_vmap_fast, mx_shapes_same, mx_equiv_params) \
  X(SDPA,        "ScaledDotProductAttention",  0,     mx_cpu_sdpa,       NULL,      mx_vjp_fast, mx_jvp_fast, mx_vmap_fast, mx_shapes_sdpa, mx_equiv_params)
/* clang-format on */

#endif
