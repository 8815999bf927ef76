/* Ops of the conv family (see conv.h): validation, promotion and the CONVOLUTION node; the
 * transposed convolutions are convolutions of the stride-dilated input with the flipped kernel
 * (as MLX). */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/conv.h"
#include "ops/ops.h"

int mx_shapes_conv(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]) {
  (void)nin;
  const mx_conv_params *p = (const mx_conv_params *)params;
  const mx_array *x = inputs[0], *w = inputs[1];
  int nd = p->nsp + 2;
  ndims[0] = nd;
  if (p->mode == MX_CONV_WGRAD) { /* inputs (x, y): the weight's shape */
    shapes[0][0] = w->shape[nd - 1];
    for (int d = 0; d < p->nsp; d++) shapes[0][d + 1] = p->ksz[d];
    shapes[0][nd - 1] = x->shape[nd - 1] / p->groups;
    return 0;
  }
  shapes[0][0] = x->shape[0];
  for (int d = 0; d < p->nsp; d++) {
    int64_t in = x->shape[d + 1];
    int64_t span = (in > 0 ? (in - 1) * p->idil[d] + 1 : 0) + p->pad_lo[d] + p->pad_hi[d];
    int64_t kspan = (int64_t)(w->shape[d + 1] - 1) * p->kdil[d] + 1;
    int64_t o = span < kspan ? 0 : (span - kspan) / p->stride[d] + 1;
    shapes[0][d + 1] = (int32_t)o;
  }
  shapes[0][nd - 1] = w->shape[0];
  return 0;
}

/* p with the unused spatial slots normalized (params are compared bytewise). */
static mx_conv_params normalized(const mx_conv_params *p) {
  mx_conv_params prm;
  memset(&prm, 0, sizeof prm);
  prm = *p;
  for (int d = p->nsp; d < MX_CONV_MAX_SPATIAL; d++)
    prm.stride[d] = prm.kdil[d] = prm.idil[d] = 1, prm.pad_lo[d] = prm.pad_hi[d] = 0,
    prm.ksz[d] = 0;
  if (prm.mode != MX_CONV_WGRAD)
    for (int d = 0; d < MX_CONV_MAX_SPATIAL; d++) prm.ksz[d] = 0;
  return prm;
}

static int make_node(mx_array **out, mx_array *a, mx_array *b, const mx_conv_params *prm,
                     mx_stream s) {
  mx_array *in[2] = {a, b};
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  MX_TRY(mx_prim_output_shapes(MX_PRIM_CONVOLUTION, prm, in, 2, &ndim, shape));
  *out = mx_array_make(MX_PRIM_CONVOLUTION, prm, sizeof *prm, in, 2, ndim, shape[0],
                       (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_conv_make(mx_array **out, mx_array *x, mx_array *w, const mx_conv_params *p, mx_stream s) {
  mx_conv_params prm = normalized(p);
  return make_node(out, x, w, &prm, s);
}

int mx_conv_wgrad_make(mx_array **out, mx_array *x, mx_array *y, const mx_conv_params *p,
                       const int32_t *ksz, mx_stream s) {
  mx_conv_params prm = *p;
  prm.mode = MX_CONV_WGRAD;
  for (int d = 0; d < p->nsp; d++) prm.ksz[d] = ksz[d];
  prm = normalized(&prm);
  return make_node(out, x, y, &prm, s);
}

/* A per-dimension argument: n == 0 gives dflt, n == 1 is broadcast, otherwise n == nsp. */
static int spatial_arg(const char *what, const int *v, int n, int nsp, int dflt, int32_t *out) {
  if (n != 0 && n != 1 && n != nsp) {
    char b[64];
    return mx_error("[conv] Invalid %s %s for %dD convolution.", what,
                    mx_shape_str(b, sizeof b, n < MX_MAX_NDIM ? n : MX_MAX_NDIM, v), nsp);
  }
  for (int d = 0; d < nsp; d++) out[d] = n == 0 ? dflt : v[n == 1 ? 0 : d];
  return 0;
}

static int check_positive(const char *what, const char *name, const int32_t *v, int nsp) {
  for (int d = 0; d < nsp; d++)
    if (v[d] <= 0) {
      char b[64];
      return mx_error("[conv] %s sizes must be positive. Got %s %s.", what, name,
                      mx_shape_str(b, sizeof b, nsp, v));
    }
  return 0;
}

/* Validates the operands against p (spatial arguments filled), casts them to the promoted
 * dtype and makes the node. */
static int conv_checked(mx_array **out, mx_array *x, mx_array *w, mx_conv_params *p, mx_stream s) {
  int nsp = p->nsp;
  char sx[256], sw[256], b1[64], b2[64];
  MX_TRY(check_positive("Stride", "strides", p->stride, nsp));
  MX_TRY(check_positive("Kernel dilation", "kernel dilation", p->kdil, nsp));
  MX_TRY(check_positive("Input dilation", "input dilation", p->idil, nsp));
  if (p->groups <= 0) return mx_error("[conv] groups must be positive. Got %d.", p->groups);
  mx_shape_str(sx, sizeof sx, x->ndim, x->shape);
  mx_shape_str(sw, sizeof sw, w->ndim, w->shape);
  int C = x->shape[x->ndim - 1], O = w->shape[0];
  if (C % p->groups != 0)
    return mx_error("[conv] The input channels must be divisible by the number of groups. Got "
                    "input with shape %s and %d groups.",
                    sx, p->groups);
  if (w->shape[w->ndim - 1] * p->groups != C)
    return mx_error("[conv] Expect the input channels in the input and weight array to match but "
                    "got shapes - input: %s and weight: %s",
                    sx, sw);
  if (O % p->groups != 0)
    return mx_error("[conv] If groups > 1, the output channels must be divisible by the number "
                    "of groups. Got %d output channels and %d groups.",
                    O, p->groups);
  for (int d = 0; d < nsp; d++) {
    int64_t in = x->shape[d + 1];
    int64_t span = (in > 0 ? (in - 1) * p->idil[d] + 1 : 0) + p->pad_lo[d] + p->pad_hi[d];
    if (span < (int64_t)(w->shape[d + 1] - 1) * p->kdil[d] + 1)
      return mx_error("[conv] Spatial dimensions of input after padding cannot be smaller than "
                      "weight spatial dimensions. Got error at axis %d for input with shape %s, "
                      "padding low %s, padding high %s, and weight of shape %s.",
                      d + 1, sx, mx_shape_str(b1, sizeof b1, nsp, p->pad_lo),
                      mx_shape_str(b2, sizeof b2, nsp, p->pad_hi), sw);
  }
  mx_array *ops[2] = {x, w};
  for (int i = 0; i < 2; i++) {
    mx_dtype d = (mx_dtype)ops[i]->dtype;
    if (!mx_dtype_is_inexact(d) || d == MX_COMPLEX64)
      return mx_error("[conv] Invalid %s array with type %s. Convolution currently only supports "
                      "floating point types",
                      i ? "weight" : "input", mx_dtype_name(d));
  }
  mx_dtype t = mx_promote_types((mx_dtype)x->dtype, (mx_dtype)w->dtype);
  mx_array *cx = NULL, *cw = NULL;
  int rc = mx_astype(&cx, x, t, s);
  if (!rc) rc = mx_astype(&cw, w, t, s);
  if (!rc) rc = mx_conv_make(out, cx, cw, p, s);
  mx_array_release(cx);
  mx_array_release(cw);
  return rc;
}

/* Rank checks shared by every entry point; nsp_expected 0: any 1..3. */
static int check_ranks(mx_array *x, mx_array *w, int nsp_expected) {
  int nsp = x->ndim - 2;
  if (nsp < 1 || nsp > 3 || (nsp_expected && nsp != nsp_expected)) {
    if (nsp_expected)
      return mx_error("[conv] Invalid input array with %d dimensions for %dD convolution. "
                      "Expected an array with %d dimensions following the format [N, ..., C_in].",
                      x->ndim, nsp_expected, nsp_expected + 2);
    return mx_error("[conv] Only works for inputs with 1-3 spatial dimensions. The inputs must "
                    "be in the format [N, ..., C_in]");
  }
  if (w->ndim != x->ndim)
    return mx_error("[conv] Invalid weight array with %d dimensions for %dD convolution. "
                    "Expected an array with %d dimensions following the format [C_out, ..., C_in].",
                    w->ndim, nsp, nsp + 2);
  return 0;
}

int mx_conv_general(mx_array **out, mx_array *x, mx_array *w, const int *stride, int nstride,
                    const int *pad_lo, int nlo, const int *pad_hi, int nhi, const int *kdil,
                    int nkdil, const int *idil, int nidil, int groups, bool flip, mx_stream s) {
  MX_TRY(check_ranks(x, w, 0));
  mx_conv_params p;
  memset(&p, 0, sizeof p);
  p.nsp = x->ndim - 2;
  p.groups = groups;
  p.flip = flip;
  MX_TRY(spatial_arg("strides", stride, nstride, p.nsp, 1, p.stride));
  MX_TRY(spatial_arg("padding", pad_lo, nlo, p.nsp, 0, p.pad_lo));
  if (nhi == 0) /* padding given once: symmetric */
    memcpy(p.pad_hi, p.pad_lo, sizeof p.pad_hi);
  else
    MX_TRY(spatial_arg("padding", pad_hi, nhi, p.nsp, 0, p.pad_hi));
  MX_TRY(spatial_arg("kernel dilation", kdil, nkdil, p.nsp, 1, p.kdil));
  MX_TRY(spatial_arg("input dilation", idil, nidil, p.nsp, 1, p.idil));
  return conv_checked(out, x, w, &p, s);
}

int mx_conv_nd(mx_array **out, const char *op, int nsp, mx_array *x, mx_array *w, const int *stride,
               const int *padding, const int *dilation, int groups, mx_stream s) {
  (void)op;
  MX_TRY(check_ranks(x, w, nsp));
  mx_conv_params p;
  memset(&p, 0, sizeof p);
  p.nsp = nsp;
  p.groups = groups;
  for (int d = 0; d < nsp; d++) {
    p.stride[d] = stride[d];
    p.pad_lo[d] = p.pad_hi[d] = padding[d];
    p.kdil[d] = dilation[d];
    p.idil[d] = 1;
  }
  return conv_checked(out, x, w, &p, s);
}

int mx_conv_transpose_nd(mx_array **out, const char *op, int nsp, mx_array *x, mx_array *w,
                         const int *stride, const int *padding, const int *dilation,
                         const int *output_padding, int groups, mx_stream s) {
  (void)op;
  MX_TRY(check_ranks(x, w, nsp));
  mx_conv_params p;
  memset(&p, 0, sizeof p);
  p.nsp = nsp;
  p.groups = groups;
  p.flip = 1;
  for (int d = 0; d < nsp; d++) p.idil[d] = stride[d];
  MX_TRY(check_positive("Stride", "strides", p.idil, nsp));
  for (int d = 0; d < nsp; d++) {
    p.stride[d] = 1;
    p.idil[d] = stride[d];
    p.kdil[d] = dilation[d];
    p.pad_lo[d] = dilation[d] * (w->shape[d + 1] - 1) - padding[d];
    p.pad_hi[d] = p.pad_lo[d] + output_padding[d];
  }
  return conv_checked(out, x, w, &p, s);
}
