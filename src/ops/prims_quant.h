/* Primitive table fragment: the quantization family (issue 6). Rows have the columns of
 * MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Quantize has no vjp (MLX's is a stop_gradient-like identity with no meaning for the integer
 * outputs); ToFP8 / FromFP8 have integer outputs / inputs (no derivatives: NULL). gather_qmm
 * composes take and QuantizedMatmul (so its rules are theirs); qqmm makes no node: MLX's CPU has
 * no kernel for it (its error). */
#ifndef MX_OPS_PRIMS_QUANT_H
#define MX_OPS_PRIMS_QUANT_H

#include "ops/quant.h"

/* clang-format off */
#define MX_PRIMS_QUANT(X) \
  /* ID                name               flags              eval_cpu            eval_cuda  vjp                 jvp                vmap                output_shapes          is_equivalent */ \
  X(QUANTIZE,         "Quantize",         0,                 mx_cpu_quantize,    NULL,      NULL,               NULL,              mx_vmap_quantize,   mx_shapes_quantize,    mx_equiv_params) \
  X(DEQUANTIZE,       "Dequantize",       0,                 mx_cpu_dequantize,  NULL,      mx_vjp_dequantize,  mx_jvp_dequantize, mx_vmap_dequantize, mx_shapes_dequantize,  mx_equiv_params) \
  X(QUANTIZED_MATMUL, "QuantizedMatmul",  0,                 mx_cpu_qmm,         NULL,      mx_vjp_qmm,         mx_jvp_qmm,        mx_vmap_qmm,        mx_shapes_qmm,         mx_equiv_params) \
  X(TO_FP8,           "ToFP8",            0,                 mx_cpu_to_fp8,      NULL,      NULL,               NULL,              mx_vmap_fp8,        mx_shapes_same,        mx_equiv_params) \
  X(FROM_FP8,         "FromFP8",          0,                 mx_cpu_from_fp8,    NULL,      NULL,               NULL,              mx_vmap_fp8,        mx_shapes_same,        mx_equiv_params)
/* clang-format on */
#endif
