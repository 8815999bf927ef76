/* Ops of the quantization family (see quant.h): validation with MLX's messages, node building,
 * output_shapes. gather_qmm composes take and quantized_matmul. */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/quant.h"

static void release_all(mx_array **v, int n) {
  for (int i = 0; i < n; i++) mx_array_release(v[i]);
}

static bool is_float(mx_dtype t) {
  return t == MX_FLOAT16 || t == MX_FLOAT32 || t == MX_FLOAT64 || t == MX_BFLOAT16;
}

const char *mx_quant_mode_name(int m) {
  static const char *names[] = {"affine", "mxfp4", "mxfp8", "nvfp4"};
  return names[m];
}

int mx_quant_resolve(const char *op, const char *mode, int gs, int bits, mx_quant_params *p) {
  memset(p, 0, sizeof *p);
  static const struct {
    const char *name;
    int gs, bits;
  } modes[] = {{"affine", 64, 4}, {"mxfp4", 32, 4}, {"mxfp8", 32, 8}, {"nvfp4", 16, 4}};
  int m = -1;
  for (int i = 0; i < 4; i++)
    if (!strcmp(mode ? mode : "affine", modes[i].name)) m = i;
  if (m < 0) return mx_error("[%s] Invalid quantization mode '%s'.", op, mode);
  p->mode = m;
  p->group_size = gs < 0 ? modes[m].gs : gs;
  p->bits = bits < 0 ? modes[m].bits : bits;
  if (m == MX_QMODE_AFFINE) {
    if (p->group_size != 32 && p->group_size != 64 && p->group_size != 128)
      return mx_error("[%s] The requested group size %d is not supported. The supported group "
                      "sizes are 32, 64, and 128.",
                      op, p->group_size);
    if (p->bits < 1 || p->bits > 8 || p->bits == 7)
      return mx_error("[%s] The requested number of bits %d is not supported. The supported bits "
                      "are 1, 2, 3, 4, 5, 6 and 8.",
                      op, p->bits);
    return 0;
  }
  if (p->group_size != modes[m].gs)
    return mx_error("[%s] %s quantization requires group size %d but got %d.", op, modes[m].name,
                    modes[m].gs, p->group_size);
  if (p->bits != modes[m].bits)
    return mx_error("[%s] %s quantization requires bits to be %d but got %d.", op, modes[m].name,
                    modes[m].bits, p->bits);
  return 0;
}

/* ------------------------------------------------------------------ output_shapes */

int mx_shapes_quantize(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_quant_params *p = params;
  const mx_array *w = inputs[0];
  int nd = w->ndim, nout = p->mode == MX_QMODE_AFFINE ? 3 : 2;
  for (int o = 0; o < nout; o++) {
    memcpy(shapes[o], w->shape, (size_t)nd * sizeof(int32_t));
    ndims[o] = nd;
  }
  int32_t K = w->shape[nd - 1];
  shapes[0][nd - 1] = (int32_t)((int64_t)K * p->bits / 32);
  for (int o = 1; o < nout; o++) shapes[o][nd - 1] = K / p->group_size;
  return 0;
}

int mx_shapes_dequantize(const void *params, mx_array *const *inputs, int nin, int *ndims,
                         int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_quant_params *p = params;
  const mx_array *w = inputs[0];
  int nd = w->ndim;
  memcpy(shapes[0], w->shape, (size_t)nd * sizeof(int32_t));
  shapes[0][nd - 1] = (int32_t)((int64_t)w->shape[nd - 1] * 32 / p->bits);
  ndims[0] = nd;
  return 0;
}

int mx_shapes_qmm(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_quant_params *p = params;
  const mx_array *x = inputs[0], *w = inputs[1];
  int nd = x->ndim;
  for (int d = 0; d < nd - 2; d++)
    shapes[0][d] = x->shape[d] == 1 ? w->shape[d] : x->shape[d];
  shapes[0][nd - 2] = x->shape[nd - 2];
  shapes[0][nd - 1] = p->transpose ? w->shape[nd - 2]
                                   : (int32_t)((int64_t)w->shape[nd - 1] * 32 / p->bits);
  ndims[0] = nd;
  return 0;
}

/* ------------------------------------------------------------------ helpers */

/* Row-contiguous copies (or the arrays themselves) of a[0..n), NULLs kept. */
static int contiguous_all(const char *op, mx_array **in, mx_array **out, int n, mx_stream s) {
  (void)op;
  for (int i = 0; i < n; i++) out[i] = NULL;
  for (int i = 0; i < n; i++)
    if (in[i] && mx_contiguous(&out[i], in[i], s)) {
      release_all(out, n);
      return MX_ERR;
    }
  return 0;
}

/* Checks the scales (and biases) against the packed w for a dequantize-like op. */
static int check_biases(const char *op, const mx_quant_params *p, mx_array *biases) {
  if (p->mode == MX_QMODE_AFFINE && !biases)
    return mx_error("[%s] Biases must be provided for affine quantization.", op);
  if (p->mode != MX_QMODE_AFFINE && biases)
    return mx_error("[%s] Biases must be null for quantization mode '%s'.", op,
                    mx_quant_mode_name(p->mode));
  return 0;
}

static int check_scale_dtype(const char *op, const mx_quant_params *p, mx_array *scales,
                             mx_array *biases) {
  mx_dtype st = (mx_dtype)scales->dtype;
  if (p->mode != MX_QMODE_AFFINE) {
    if (st != MX_UINT8)
      return mx_error("[%s] Scale type must be uint8 but received type %s.", op,
                      mx_dtype_name(st));
    return 0;
  }
  if (!is_float(st) || !is_float((mx_dtype)biases->dtype))
    return mx_error("[%s] Scales and biases must be real floating point arrays but got %s and "
                    "%s.",
                    op, mx_dtype_name(st), mx_dtype_name((mx_dtype)biases->dtype));
  return 0;
}

static int check_global(const char *op, const mx_quant_params *p, mx_array *g) {
  if (!g) return 0;
  if (p->mode != MX_QMODE_NVFP4)
    return mx_error("[%s] Global scale is only supported for 'nvfp4' quantization mode.", op);
  char b[256];
  if (g->size != 1 || g->ndim > 1)
    return mx_error("[%s] Global scale must be a scalar but got shape %s.", op,
                    mx_shape_str(b, sizeof b, g->ndim, g->shape));
  if (g->dtype != MX_FLOAT32)
    return mx_error("[%s] Global scale must have dtype float32 but got %s.", op,
                    mx_dtype_name((mx_dtype)g->dtype));
  return 0;
}

/* ------------------------------------------------------------------ quantize */

int mx_quantize(mx_array **outs, int *nout, mx_array *w, int group_size, int bits,
                const char *mode, mx_array *global_scale, mx_stream s) {
  const char *op = "quantize";
  mx_quant_params p;
  MX_TRY(mx_quant_resolve(op, mode, group_size, bits, &p));
  MX_TRY(check_global(op, &p, global_scale));
  char b[512];
  if (w->ndim < 2)
    return mx_error("[quantize] The matrix to be quantized must have at least 2 dimension but it "
                    "has only %d.",
                    w->ndim);
  if (!is_float((mx_dtype)w->dtype))
    return mx_error("[quantize] Only real floating types can be quantized but w has type %s.",
                    mx_dtype_name((mx_dtype)w->dtype));
  if (w->shape[w->ndim - 1] % p.group_size)
    return mx_error("[quantize] The last dimension of the matrix needs to be divisible by the "
                    "quantization group size %d. However the provided  matrix has shape %s",
                    p.group_size, mx_shape_str(b, sizeof b, w->ndim, w->shape));
  p.has_global = global_scale != NULL;
  mx_array *in[2] = {w, global_scale}, *c[2];
  int nin = global_scale ? 2 : 1;
  MX_TRY(contiguous_all(op, in, c, nin, s));
  int n = p.mode == MX_QMODE_AFFINE ? 3 : 2, ndims[3];
  int32_t shapes[3][MX_MAX_NDIM];
  const int32_t *sp[3] = {shapes[0], shapes[1], shapes[2]};
  mx_dtype st = p.mode == MX_QMODE_AFFINE ? (mx_dtype)w->dtype : MX_UINT8;
  mx_dtype dts[3] = {MX_UINT32, st, st};
  int rc = mx_prim_output_shapes(MX_PRIM_QUANTIZE, &p, c, nin, ndims, shapes);
  if (!rc) rc = mx_node_new(MX_PRIM_QUANTIZE, &p, sizeof p, c, nin, n, ndims, sp, dts, s, outs);
  release_all(c, nin);
  if (!rc) *nout = n;
  return rc;
}

/* ------------------------------------------------------------------ dequantize */

int mx_dequantize(mx_array **out, mx_array *w, mx_array *scales, mx_array *biases, int group_size,
                  int bits, const char *mode, mx_array *global_scale, bool has_dtype,
                  mx_dtype dtype, mx_stream s) {
  const char *op = "dequantize";
  mx_quant_params p;
  MX_TRY(mx_quant_resolve(op, mode, group_size, bits, &p));
  MX_TRY(check_biases(op, &p, biases));
  MX_TRY(check_global(op, &p, global_scale));
  MX_TRY(check_scale_dtype(op, &p, scales, biases));
  if (w->dtype != MX_UINT32) return mx_error("[dequantize] The matrix should be given as a uint32");
  if (w->ndim < 2)
    return mx_error("[dequantize] The matrix to be dequantized must have at least 2 dimension but "
                    "it has only %d.",
                    w->ndim);
  mx_dtype ot = has_dtype ? dtype
                          : (p.mode == MX_QMODE_AFFINE ? (mx_dtype)scales->dtype : MX_BFLOAT16);
  if (!is_float(ot))
    return mx_error("[dequantize] Only real floating types are supported but output dtype == %s.",
                    mx_dtype_name(ot));
  int nd = w->ndim;
  bool same = scales->ndim == nd && (!biases || (biases->ndim == nd &&
                                                 !memcmp(biases->shape, scales->shape,
                                                         (size_t)nd * sizeof(int32_t))));
  for (int d = 0; same && d < nd - 1; d++) same = scales->shape[d] == w->shape[d];
  if (!same) return mx_error("[dequantize] Shape of scales and biases does not match the matrix");
  if ((int64_t)w->shape[nd - 1] * 32 != (int64_t)scales->shape[nd - 1] * p.group_size * p.bits) {
    char a[256], b[256];
    return mx_error("[dequantize] Shape of scales and biases does not match the matrix given the "
                    "quantization parameters. Provided matrix of shape %s and scales/biases of "
                    "shape %s with group_size=%d and bits=%d.",
                    mx_shape_str(a, sizeof a, nd, w->shape),
                    mx_shape_str(b, sizeof b, nd, scales->shape), p.group_size, p.bits);
  }
  p.has_biases = biases != NULL;
  p.has_global = global_scale != NULL;
  mx_array *in[4], *c[4];
  int nin = 0;
  in[nin++] = w, in[nin++] = scales;
  if (biases) in[nin++] = biases;
  if (global_scale) in[nin++] = global_scale;
  MX_TRY(contiguous_all(op, in, c, nin, s));
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  int rc = mx_prim_output_shapes(MX_PRIM_DEQUANTIZE, &p, c, nin, &ndim, shape);
  if (!rc) {
    *out = mx_array_make(MX_PRIM_DEQUANTIZE, &p, sizeof p, c, nin, ndim, shape[0], ot, s);
    rc = *out ? 0 : MX_ERR;
  }
  release_all(c, nin);
  return rc;
}

/* ------------------------------------------------------------------ quantized_matmul */

/* a reshaped to nd dims by prepending size-1 axes (a retained when already nd). */
static int pad_dims(mx_array **out, mx_array *a, int nd, mx_stream s) {
  int32_t sh[MX_MAX_NDIM];
  int k = nd - a->ndim;
  for (int d = 0; d < k; d++) sh[d] = 1;
  memcpy(sh + k, a->shape, (size_t)a->ndim * sizeof(int32_t));
  return mx_reshape(out, a, nd, sh, s);
}

int mx_quantized_matmul(mx_array **out, mx_array *x, mx_array *w, mx_array *scales,
                        mx_array *biases, bool transpose, int group_size, int bits,
                        const char *mode, mx_stream s) {
  const char *op = "quantized_matmul";
  mx_quant_params p;
  char a[512], b[512];
  MX_TRY(mx_quant_resolve(op, mode, group_size, bits, &p));
  MX_TRY(check_biases(op, &p, biases));
  if (w->dtype != MX_UINT32)
    return mx_error("[quantized_matmul] The weight matrix should be uint32 but received %s",
                    mx_dtype_name((mx_dtype)w->dtype));
  MX_TRY(check_scale_dtype(op, &p, scales, biases));
  if (x->ndim < 1 || w->ndim < 2)
    return mx_error("[quantized_matmul] The inputs must have at least 1 (x) and 2 (w) dimensions.");
  int wn = w->ndim;
  if (biases && (biases->ndim != scales->ndim ||
                 memcmp(biases->shape, scales->shape, (size_t)scales->ndim * sizeof(int32_t))))
    return mx_error("[quantized_matmul] Scales and biases should have the same shape. Received "
                    "scales with shape %s and biases with %s",
                    mx_shape_str(a, sizeof a, scales->ndim, scales->shape),
                    mx_shape_str(b, sizeof b, biases->ndim, biases->shape));
  if (scales->ndim != wn || memcmp(scales->shape, w->shape, (size_t)(wn - 2) * sizeof(int32_t)))
    return mx_error("[quantized_matmul] Weight and scales should have the same batch shape. "
                    "Received weight with shape %s, scales with %s.",
                    mx_shape_str(a, sizeof a, wn - 2, w->shape),
                    mx_shape_str(b, sizeof b, scales->ndim - 2 > 0 ? scales->ndim - 2 : 0,
                                 scales->shape));
  if (scales->shape[wn - 2] != w->shape[wn - 2] ||
      (int64_t)w->shape[wn - 1] * 32 != (int64_t)scales->shape[wn - 1] * p.group_size * p.bits)
    return mx_error("[quantized_matmul] The shapes of the weight and scales are incompatible "
                    "based on bits and group_size. w.shape() == %s and scales.shape() == %s with "
                    "group_size=%d and bits=%d",
                    mx_shape_str(a, sizeof a, wn, w->shape),
                    mx_shape_str(b, sizeof b, wn, scales->shape), p.group_size, p.bits);
  int32_t wr = w->shape[wn - 2], wc = (int32_t)((int64_t)w->shape[wn - 1] * 32 / p.bits);
  int32_t K = transpose ? wc : wr;
  if (x->shape[x->ndim - 1] != K)
    return mx_error("[quantized_matmul] Last dimension of first input with shape (..., %d) does "
                    "not match the expanded quantized matrix (%d, %d) computed from shape %s with "
                    "group_size=%d, bits=%d and transpose=%s",
                    x->shape[x->ndim - 1], wr, wc, mx_shape_str(a, sizeof a, wn, w->shape),
                    p.group_size, p.bits, transpose ? "true" : "false");
  /* x as (..., M, K); batch dims of x and w broadcast. */
  bool xvec = x->ndim == 1;
  int32_t xs[MX_MAX_NDIM];
  int xn = x->ndim;
  memcpy(xs, x->shape, (size_t)xn * sizeof(int32_t));
  if (xvec) xs[1] = xs[0], xs[0] = 1, xn = 2;
  int32_t bshape[MX_MAX_NDIM];
  int nb;
  MX_TRY(mx_broadcast_shapes(op, xn - 2, xs, wn - 2, w->shape, &nb, bshape));
  int nd = nb + 2;
  mx_dtype t = p.mode == MX_QMODE_AFFINE
                   ? mx_promote_types((mx_dtype)x->dtype, (mx_dtype)scales->dtype)
                   : (mx_dtype)x->dtype;
  if (biases) t = mx_promote_types(t, (mx_dtype)biases->dtype);
  if (!is_float(t)) t = MX_FLOAT32;
  p.transpose = transpose;
  p.has_biases = biases != NULL;
  mx_array *xr = NULL, *xc = NULL, *pin[4] = {0}, *c[4] = {0}, *res = NULL;
  mx_array *raw[4] = {NULL, w, scales, biases};
  int nin = biases ? 4 : 3;
  int rc = mx_astype(&xc, x, t, s);
  if (!rc) rc = mx_reshape(&xr, xc, xn, xs, s);
  raw[0] = xr;
  for (int i = 0; !rc && i < nin; i++) rc = pad_dims(&pin[i], raw[i], nd, s);
  if (!rc) rc = contiguous_all(op, pin, c, nin, s);
  if (!rc) {
    int ndim;
    int32_t shape[1][MX_MAX_NDIM];
    rc = mx_prim_output_shapes(MX_PRIM_QUANTIZED_MATMUL, &p, c, nin, &ndim, shape);
    if (!rc) {
      res = mx_array_make(MX_PRIM_QUANTIZED_MATMUL, &p, sizeof p, c, nin, ndim, shape[0], t, s);
      rc = res ? 0 : MX_ERR;
    }
    if (!rc && xvec) {
      shape[0][ndim - 2] = shape[0][ndim - 1];
      rc = mx_reshape(out, res, ndim - 1, shape[0], s);
    } else if (!rc) {
      *out = mx_array_retain(res);
    }
    release_all(c, nin);
  }
  mx_array *tmp[] = {xr, xc, pin[0], pin[1], pin[2], pin[3], res};
  release_all(tmp, 7);
  return rc;
}

/* ------------------------------------------------------------------ gather_qmm */

/* Index array for one operand: given (integral, as int32) or arange over its batch. */
static int gather_index(mx_array **out, mx_array *idx, int nb, const int32_t *bshape,
                        mx_stream s) {
  if (idx) {
    if (!mx_dtype_is_integral((mx_dtype)idx->dtype))
      return mx_error("[gather_qmm] Got indices with invalid dtype. Indices must be integral.");
    return mx_astype(out, idx, MX_INT32, s);
  }
  int64_t B = 1;
  for (int d = 0; d < nb; d++) B *= bshape[d];
  mx_array *r = NULL;
  MX_TRY(mx_arange(&r, 0, (double)B, 1, MX_INT32, s));
  int rc = mx_reshape(out, r, nb, bshape, s);
  mx_array_release(r);
  return rc;
}

/* a (batch..., r, c) flattened to (B, r, c), then rows idx taken: (P, r, c). */
static int take_batch(mx_array **out, mx_array *a, mx_array *idx, mx_stream s) {
  int nd = a->ndim;
  int64_t B = 1;
  for (int d = 0; d < nd - 2; d++) B *= a->shape[d];
  int32_t sh[3] = {(int32_t)B, a->shape[nd - 2], a->shape[nd - 1]};
  mx_array *r = NULL;
  MX_TRY(mx_reshape(&r, a, 3, sh, s));
  int rc = mx_take(out, r, idx, 0, false, s);
  mx_array_release(r);
  return rc;
}

int mx_gather_qmm(mx_array **out, mx_array *x, mx_array *w, mx_array *scales, mx_array *biases,
                  mx_array *lhs_indices, mx_array *rhs_indices, bool transpose, int group_size,
                  int bits, const char *mode, bool sorted_indices, mx_stream s) {
  (void)sorted_indices;
  if (!lhs_indices && !rhs_indices)
    return mx_quantized_matmul(out, x, w, scales, biases, transpose, group_size, bits, mode, s);
  if (x->ndim < 2 || w->ndim < 2)
    return mx_error("[gather_qmm] x and w must have at least 2 dimensions.");
  mx_array *li = NULL, *ri = NULL, *lb = NULL, *rb = NULL, *lf = NULL, *rf = NULL;
  mx_array *xg = NULL, *wg = NULL, *sg = NULL, *bg = NULL, *prod = NULL;
  int32_t ishape[MX_MAX_NDIM];
  int in_ = 0;
  int rc = gather_index(&li, lhs_indices, x->ndim - 2, x->shape, s);
  if (!rc) rc = gather_index(&ri, rhs_indices, w->ndim - 2, w->shape, s);
  if (!rc) rc = mx_broadcast_shapes("broadcast_shapes", li->ndim, li->shape, ri->ndim, ri->shape,
                                    &in_, ishape);
  if (!rc && in_ + 2 > MX_MAX_NDIM) rc = mx_error("[gather_qmm] Too many dimensions.");
  int64_t P = 1;
  for (int d = 0; d < in_; d++) P *= ishape[d];
  int32_t flat[1] = {(int32_t)P};
  if (!rc) rc = mx_broadcast_to(&lb, li, in_, ishape, s);
  if (!rc) rc = mx_broadcast_to(&rb, ri, in_, ishape, s);
  if (!rc) rc = mx_reshape(&lf, lb, 1, flat, s);
  if (!rc) rc = mx_reshape(&rf, rb, 1, flat, s);
  if (!rc) rc = take_batch(&xg, x, lf, s);
  if (!rc) rc = take_batch(&wg, w, rf, s);
  if (!rc) rc = take_batch(&sg, scales, rf, s);
  if (!rc && biases) rc = take_batch(&bg, biases, rf, s);
  if (!rc)
    rc = mx_quantized_matmul(&prod, xg, wg, sg, bg, transpose, group_size, bits, mode, s);
  if (!rc) {
    int32_t fshape[MX_MAX_NDIM];
    memcpy(fshape, ishape, (size_t)in_ * sizeof(int32_t));
    fshape[in_] = prod->shape[1];
    fshape[in_ + 1] = prod->shape[2];
    rc = mx_reshape(out, prod, in_ + 2, fshape, s);
  }
  mx_array *tmp[] = {li, ri, lb, rb, lf, rf, xg, wg, sg, bg, prod};
  release_all(tmp, 11);
  return rc;
}

/* ------------------------------------------------------------------ qqmm */

int mx_qqmm(mx_array **out, mx_array *x, mx_array *w, mx_array *w_scales, int group_size,
            int bits, const char *mode, mx_array *global_scale_x, mx_array *global_scale_w,
            mx_stream s) {
  mx_quant_params p;
  MX_TRY(mx_quant_resolve("qqmm", mode ? mode : "nvfp4", group_size, bits, &p));
  /* MLX's CPU backend has no kernel for it (it fails when evaluated). */
  return mx_error("[QQMatmul] NYI for the general case");
}

/* ------------------------------------------------------------------ fp8 */

/* The fp8 kernels read a row-contiguous input (a strided one is copied here first). */
static int make_fp8(mx_array **out, int prim, const mx_fp8_params *p, mx_array *x, mx_dtype dt,
                    mx_stream s) {
  mx_array *c = NULL;
  MX_TRY(mx_contiguous(&c, x, s));
  *out = mx_array_make(prim, p, sizeof *p, &c, 1, x->ndim, x->shape, dt, s);
  mx_array_release(c);
  return *out ? 0 : MX_ERR;
}

int mx_to_fp8(mx_array **out, mx_array *x, mx_stream s) {
  if (!is_float((mx_dtype)x->dtype))
    return mx_error("[to_fp8] Only real floating types are supported but x.dtype() == %s.",
                    mx_dtype_name((mx_dtype)x->dtype));
  mx_fp8_params p = {MX_UINT8};
  return make_fp8(out, MX_PRIM_TO_FP8, &p, x, MX_UINT8, s);
}

int mx_from_fp8(mx_array **out, mx_array *x, mx_dtype dtype, mx_stream s) {
  if (x->dtype != MX_UINT8)
    return mx_error("[from_fp8] Input must have type uint8 but x.dtype() == %s.",
                    mx_dtype_name((mx_dtype)x->dtype));
  if (!is_float(dtype))
    return mx_error("[from_fp8] Only real floating types are supported but dtype == %s.",
                    mx_dtype_name(dtype));
  mx_fp8_params p = {dtype};
  return make_fp8(out, MX_PRIM_FROM_FP8, &p, x, dtype, s);
}
