/* Ops: the fast family (mx.fast): rms_norm, layer_norm, rope, scaled_dot_product_attention.
 * Conventions as in src/ops/ops.h. Each op is one primitive with a fused CPU kernel
 * (src/backend/cpu/fast*.c); its vjp / jvp / vmap rules (src/ops/fast_rules.c) differentiate or
 * map the op's composed fallback (mx_fast_fallback), built from existing ops.
 *
 * Parameter blocks (plain data, byte-compared) and the primitives' inputs:
 *   RMS_NORM    (x, [weight])            out = x * rsqrt(mean(x^2, -1) + eps) [* weight]
 *   LAYER_NORM  (x, [weight], [bias])    out = (x - mean) * rsqrt(var + eps) [* weight] [+ bias]
 *   ROPE        (x, offset, [freqs])     rotary embedding of x's first `dims` features along
 *                                        axis -2; offset int32 scalar or (x.shape[0],)
 *   SDPA        (q, k, v, [mask], [sinks]) softmax(scale * q k^T [+ mask]) v, heads grouped;
 *                                        the mask is broadcast to (B, Hq, L, S)
 * Weights, bias and masks arrive cast to the output dtype (bool masks stay bool). */
#ifndef MX_OPS_FAST_H
#define MX_OPS_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

typedef struct {
  float eps;
  int32_t has_w;
} mx_rms_norm_params;

typedef struct {
  float eps;
  int32_t has_w, has_b;
} mx_layer_norm_params;

typedef struct {
  int32_t dims, traditional, has_freqs;
  float base, scale;
} mx_rope_params;

enum { MX_SDPA_MASK_NONE = 0, MX_SDPA_MASK_CAUSAL, MX_SDPA_MASK_BOOL, MX_SDPA_MASK_ADD };

typedef struct {
  float scale;
  int32_t mask;      /* MX_SDPA_MASK_* */
  int32_t has_sinks; /* sinks (Hq,) */
} mx_sdpa_params;

/* ------------------------------------------------------------------ ops (fast.c) */

int mx_fast_rms_norm(mx_array **out, mx_array *x, mx_array *weight, float eps, mx_stream s);
int mx_fast_layer_norm(mx_array **out, mx_array *x, mx_array *weight, mx_array *bias, float eps,
                       mx_stream s);
/* has_base false: freqs must be given (and the reverse). offset: an integer scalar or 1-D
 * array; offset_arr NULL: the int offset. */
int mx_fast_rope(mx_array **out, mx_array *x, int dims, bool traditional, bool has_base,
                 float base, float scale, int offset, mx_array *offset_arr, mx_array *freqs,
                 mx_stream s);
/* mask_mode: "" / NULL (mask_arr or none) or "causal"; mask_arr bool (keep) or additive. */
int mx_fast_sdpa(mx_array **out, mx_array *q, mx_array *k, mx_array *v, float scale,
                 const char *mask_mode, mx_array *mask_arr, mx_array *sinks, mx_stream s);

/* The composed version of a fast primitive: out from the primitive's inputs and params, built
 * with ordinary ops (differentiable and mappable). */
int mx_fast_fallback(int prim, const void *params, mx_array *const *in, int nin, mx_array **out,
                     mx_stream s);

/* ------------------------------------------------------------------ rules (fast_rules.c) */

int mx_vjp_fast(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_fast(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_fast(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_shapes_sdpa(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]);

/* ------------------------------------------------------------------ CPU kernels */

int mx_cpu_rms_norm(mx_node *n);   /* fast_norm.c */
int mx_cpu_layer_norm(mx_node *n); /* fast_norm.c */
int mx_cpu_rope(mx_node *n);       /* fast_rope.c */
int mx_cpu_sdpa(mx_node *n);       /* fast_sdpa.c */

#endif
