/* Ops of the conv family: conv1d/2d/3d, conv_general, conv_transpose1d/2d/3d (channels last as
 * MLX: input (N, spatial..., C), weight (O, kernel..., C / groups), output (N, spatial..., O)).
 * Conventions as in src/ops/ops.h: 0 and a new reference in *out, or MX_ERR with an op-named
 * message; inputs are borrowed.
 *
 * One primitive, CONVOLUTION: inputs (x, w) of the output dtype (float16, bfloat16, float32,
 * float64); out[n, o..., co] = sum over k..., c of xp[n, o * stride + k' * kdil, g * Cg + c] *
 * w[co, k..., c] with g = co / (O / groups), k' = k (or K - 1 - k with flip), and xp the input
 * dilated by idil (idil - 1 zeros between elements) and padded by pad_lo / pad_hi zeros
 * (negative padding crops; only the rules make it).
 *
 * The same primitive in mode MX_CONV_WGRAD is the weight's gradient: inputs (x, y) with y of the
 * forward's output shape (N, OS..., O), output (O, K..., Cg) with K = ksz:
 * dw[co, k..., c] = sum over n, o... of y[n, o..., co] * xp[n, o * stride + k' * kdil, g * Cg + c]
 * (bilinear in x and y; the rules use it as the vjp of the forward with respect to w). */
#ifndef MX_OPS_CONV_H
#define MX_OPS_CONV_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

enum { MX_CONV_MAX_SPATIAL = 3 };

typedef struct {
  int32_t nsp; /* spatial dims, 1..3 */
  int32_t stride[MX_CONV_MAX_SPATIAL];
  int32_t pad_lo[MX_CONV_MAX_SPATIAL], pad_hi[MX_CONV_MAX_SPATIAL];
  int32_t kdil[MX_CONV_MAX_SPATIAL], idil[MX_CONV_MAX_SPATIAL];
  int32_t groups, flip;
  int32_t mode;                     /* MX_CONV_FORWARD or MX_CONV_WGRAD */
  int32_t ksz[MX_CONV_MAX_SPATIAL]; /* MX_CONV_WGRAD: the kernel's spatial size */
} mx_conv_params;

enum { MX_CONV_FORWARD = 0, MX_CONV_WGRAD = 1 };

/* ---- ops (conv.c) ---- */

int mx_conv_general(mx_array **out, mx_array *x, mx_array *w, const int *stride, int nstride,
                    const int *pad_lo, int nlo, const int *pad_hi, int nhi, const int *kdil,
                    int nkdil, const int *idil, int nidil, int groups, bool flip, mx_stream s);
/* convNd: nsp = 1, 2, 3; stride, padding, dilation have nsp entries. */
int mx_conv_nd(mx_array **out, const char *op, int nsp, mx_array *x, mx_array *w, const int *stride,
               const int *padding, const int *dilation, int groups, mx_stream s);
int mx_conv_transpose_nd(mx_array **out, const char *op, int nsp, mx_array *x, mx_array *w,
                         const int *stride, const int *padding, const int *dilation,
                         const int *output_padding, int groups, mx_stream s);
/* The primitive on inputs already validated and of one float dtype (no checks on padding: the
 * rules use negative padding to crop). */
int mx_conv_make(mx_array **out, mx_array *x, mx_array *w, const mx_conv_params *p, mx_stream s);
/* The weight's gradient of the convolution p (forward mode) of x with a kernel of spatial size
 * ksz, for the cotangent y: a MX_CONV_WGRAD node. */
int mx_conv_wgrad_make(mx_array **out, mx_array *x, mx_array *y, const mx_conv_params *p,
                       const int32_t *ksz, mx_stream s);

/* ---- the primitive's rules ---- */

int mx_shapes_conv(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]);
/* conv_rules.c */
int mx_vjp_conv(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_conv(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_conv(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

/* ---- CPU kernel (src/backend/cpu/conv.c) ---- */

int mx_cpu_conv(mx_node *n);

#endif
