/* Ops of the quantization family: quantize, dequantize, quantized_matmul, gather_qmm, qqmm,
 * to_fp8, from_fp8. Conventions as in src/ops/ops.h (0 and a new reference in *out, or MX_ERR with
 * an op-named message; inputs borrowed; optional arrays NULL).
 *
 * Formats (bit-identical to MLX):
 *   affine: each row of w is cut into groups of group_size elements; a group's values are
 *     q * scale + bias with q unsigned `bits`-bit integers packed LSB first into a bitstream per
 *     row, stored as uint32 words (row length K * bits / 32); scales and biases have w's dtype.
 *   mxfp4 / nvfp4: fp4 e2m1 codes (4 bits, packed the same way); mxfp8: fp8 e4m3 codes (8 bits).
 *     Scales are uint8: e8m0 exponents (2^(s - 127)) for mx modes (group 32), fp8 e4m3 values
 *     for nvfp4 (group 16, optionally with a float32 global scale: values * g / (448 * 6)).
 *
 * Parameter blocks of the primitives (byte-compared by mx_equiv_params) and the kernels
 * (src/backend/cpu/quant*.c) and rules (src/ops/quant_rules.c) are declared here too. */
#ifndef MX_OPS_QUANT_H
#define MX_OPS_QUANT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

typedef enum { MX_QMODE_AFFINE = 0, MX_QMODE_MXFP4, MX_QMODE_MXFP8, MX_QMODE_NVFP4 } mx_qmode;

/* TO_FP8 / FROM_FP8: the output dtype (params keep CSE from merging different conversions). */
typedef struct {
  int32_t dtype;
} mx_fp8_params;

/* Shared by QUANTIZE, DEQUANTIZE, QUANTIZED_MATMUL.
 *   QUANTIZE: inputs (w[, global_scale]); outputs (wq, scales[, biases]).
 *   DEQUANTIZE: inputs (w, scales[, biases][, global_scale]); output dtype from the node.
 *   QUANTIZED_MATMUL: inputs (x, w, scales[, biases]), all with the same number of dims, batch
 *     dims broadcast (size 1 or equal); x (..., M, K), w (..., N, K*bits/32) when transpose,
 *     (..., K, N*bits/32) otherwise; out (..., M, N). Every input is row-contiguous.
 * gather_qmm composes take (of x and of the packed w, scales, biases) and QUANTIZED_MATMUL. */
typedef struct {
  int32_t group_size, bits, mode; /* mode: mx_qmode */
  int32_t transpose;              /* matmuls: w is (N, K) (true) or (K, N) */
  int32_t has_biases, has_global;
} mx_quant_params;

/* "affine", "mxfp4", "mxfp8" or "nvfp4" for an mx_qmode. */
const char *mx_quant_mode_name(int mode);
/* Defaults and validation of (group_size, bits, mode); gs / bits < 0 for "not given". */
int mx_quant_resolve(const char *op, const char *mode, int gs, int bits, mx_quant_params *p);

/* ------------------------------------------------------------------ ops */

/* outs: wq, scales and (affine) biases; *nout gets 2 or 3. */
int mx_quantize(mx_array **outs, int *nout, mx_array *w, int group_size, int bits,
                const char *mode, mx_array *global_scale, mx_stream s);
/* has_dtype false: the scales' dtype (affine) or bfloat16 (fp modes). */
int mx_dequantize(mx_array **out, mx_array *w, mx_array *scales, mx_array *biases, int group_size,
                  int bits, const char *mode, mx_array *global_scale, bool has_dtype,
                  mx_dtype dtype, mx_stream s);
int mx_quantized_matmul(mx_array **out, mx_array *x, mx_array *w, mx_array *scales,
                        mx_array *biases, bool transpose, int group_size, int bits,
                        const char *mode, mx_stream s);
int mx_gather_qmm(mx_array **out, mx_array *x, mx_array *w, mx_array *scales, mx_array *biases,
                  mx_array *lhs_indices, mx_array *rhs_indices, bool transpose, int group_size,
                  int bits, const char *mode, bool sorted_indices, mx_stream s);
int mx_qqmm(mx_array **out, mx_array *x, mx_array *w, mx_array *w_scales, int group_size,
            int bits, const char *mode, mx_array *global_scale_x, mx_array *global_scale_w,
            mx_stream s);
/* float -> fp8 e4m3 codes (uint8), round to nearest even, saturating at +-448 (NaN -> 448). */
int mx_to_fp8(mx_array **out, mx_array *x, mx_stream s);
/* fp8 e4m3 codes (uint8) -> dtype (a real floating type). */
int mx_from_fp8(mx_array **out, mx_array *x, mx_dtype dtype, mx_stream s);

/* ------------------------------------------------------------------ output_shapes */

int mx_shapes_quantize(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_dequantize(const void *params, mx_array *const *inputs, int nin, int *ndims,
                         int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_qmm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]);

/* ------------------------------------------------------------------ CPU kernels */

int mx_cpu_quantize(mx_node *n);    /* QUANTIZE */
int mx_cpu_dequantize(mx_node *n);  /* DEQUANTIZE */
int mx_cpu_qmm(mx_node *n);         /* QUANTIZED_MATMUL */
int mx_cpu_to_fp8(mx_node *n);      /* TO_FP8 */
int mx_cpu_from_fp8(mx_node *n);    /* FROM_FP8 */

/* ------------------------------------------------------------------ rules (quant_rules.c) */

int mx_vjp_quantize(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_quantize(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_quantize(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_dequantize(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_dequantize(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_dequantize(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_qmm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_qmm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_qmm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vmap_fp8(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

#endif
