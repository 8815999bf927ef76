/* The fast family's ops (validation, dtypes, nodes) and their composed fallbacks. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/fast.h"
#include "ops/ops.h"

/* ------------------------------------------------------------------ temporaries */

/* Arrays made while building a graph, released together. */
typedef struct {
  mx_array *a[40];
  int n;
} tmp_list;

static mx_array *keep(tmp_list *t, mx_array *x) {
  if (x) t->a[t->n++] = x;
  return x;
}

static void tmp_free(tmp_list *t) {
  for (int i = 0; i < t->n; i++) mx_array_release(t->a[i]);
  t->n = 0;
}

/* mx_array *VAR = result of CALL (an op filling &VAR), kept in tl; on error goto fail. */
#define OP(VAR, CALL)                                                                              \
  mx_array *VAR = NULL;                                                                            \
  if ((CALL) != 0 || !VAR) goto fail;                                                              \
  keep(&tl, VAR)

static bool is_float(mx_dtype t) {
  return t == MX_FLOAT16 || t == MX_BFLOAT16 || t == MX_FLOAT32 || t == MX_FLOAT64;
}

/* Float64 stays float64, the rest computes in float32. */
static mx_dtype compute_type(mx_dtype t) {
  return t == MX_FLOAT64 ? MX_FLOAT64 : MX_FLOAT32;
}

/* A 1-D per-feature array (weight, bias) of the last dimension's size. */
static int check_vec(const char *op, const char *what, mx_array *w, int64_t n) {
  if (w->ndim != 1)
    return mx_error("[%s] %s must have 1 dimension but has %d dimensions.", op, what, w->ndim);
  if (w->shape[0] != n)
    return mx_error("[%s] %s must have the same size as the last dimension of x but has %lld "
                    "elements.",
                    op, what, (long long)w->shape[0]);
  return 0;
}

/* A node of prim over `in` (each cast to dtype, NULL items skipped) shaped like in[0]. */
static int make_node(mx_array **out, int prim, const void *p, size_t psz, mx_array *const *in,
                     int nin, mx_dtype dtype, int ndim, const int32_t *shape, mx_stream s) {
  mx_array *c[5];
  int m = 0, rc = 0;
  for (int i = 0; i < nin && !rc; i++) {
    if (!in[i]) continue;
    mx_dtype t = (in[i]->dtype == MX_BOOL || mx_dtype_is_integral((mx_dtype)in[i]->dtype)) &&
                         i > 0
                     ? (mx_dtype)in[i]->dtype
                     : dtype;
    rc = mx_astype(&c[m], in[i], t, s);
    if (!rc) m++;
  }
  if (!rc) {
    *out = mx_array_make(prim, p, psz, c, m, ndim, shape, dtype, s);
    rc = *out ? 0 : MX_ERR;
  }
  for (int i = 0; i < m; i++) mx_array_release(c[i]);
  return rc;
}

/* ------------------------------------------------------------------ norms */

int mx_fast_rms_norm(mx_array **out, mx_array *x, mx_array *weight, float eps, mx_stream s) {
  if (x->ndim == 0)
    return mx_error("[rms_norm] Input must have at least 1 dimension but got input with 0 "
                    "dimensions.");
  mx_dtype t = weight ? mx_promote_types((mx_dtype)x->dtype, (mx_dtype)weight->dtype)
                      : (mx_dtype)x->dtype;
  if (!is_float(t)) return mx_error("[rms_norm] Received unsupported type %s.", mx_dtype_name(t));
  if (weight && check_vec("rms_norm", "(*weight)", weight, x->shape[x->ndim - 1])) return MX_ERR;
  mx_rms_norm_params p = {eps, weight != NULL};
  mx_array *in[2] = {x, weight};
  return make_node(out, MX_PRIM_RMS_NORM, &p, sizeof p, in, 2, t, x->ndim, x->shape, s);
}

int mx_fast_layer_norm(mx_array **out, mx_array *x, mx_array *weight, mx_array *bias, float eps,
                       mx_stream s) {
  if (x->ndim == 0)
    return mx_error("[layer_norm] Input must have at least 1 dimension but got input with 0 "
                    "dimensions.");
  mx_dtype t = (mx_dtype)x->dtype;
  if (weight) t = mx_promote_types(t, (mx_dtype)weight->dtype);
  if (bias) t = mx_promote_types(t, (mx_dtype)bias->dtype);
  if (!is_float(t))
    return mx_error("[layer_norm] Received unsupported type %s.", mx_dtype_name(t));
  int64_t d = x->shape[x->ndim - 1];
  if (weight && check_vec("layer_norm", "weight", weight, d)) return MX_ERR;
  if (bias && check_vec("layer_norm", "bias", bias, d)) return MX_ERR;
  mx_layer_norm_params p = {eps, weight != NULL, bias != NULL};
  mx_array *in[3] = {x, weight, bias};
  return make_node(out, MX_PRIM_LAYER_NORM, &p, sizeof p, in, 3, t, x->ndim, x->shape, s);
}

/* ------------------------------------------------------------------ rope */

int mx_fast_rope(mx_array **out, mx_array *x, int dims, bool traditional, bool has_base,
                 float base, float scale, int offset, mx_array *offset_arr, mx_array *freqs,
                 mx_stream s) {
  char b1[64];
  if (x->ndim < 3)
    return mx_error("[rope] Input must have at least 3 dimensions but got input with %d "
                    "dimensions.",
                    x->ndim);
  if (!is_float((mx_dtype)x->dtype))
    return mx_error("[rope] Input must be a floating type but got %s.",
                    mx_dtype_name((mx_dtype)x->dtype));
  if (dims <= 0 || dims % 2) return mx_error("[rope] dims must be even but got %d.", dims);
  if (dims > x->shape[x->ndim - 1])
    return mx_error("[rope] dims must not exceed the input's last dimension (%d) but got %d.",
                    (int)x->shape[x->ndim - 1], dims);
  if (!has_base && !freqs) return mx_error("[rope] Neither base nor freqs has a value.");
  if (has_base && freqs) return mx_error("[rope] Only one of base or freqs can have a value.");
  if (freqs && (freqs->ndim != 1 || freqs->shape[0] != dims / 2))
    return mx_error("[rope] freqs must be one dimensional with size %d but got shape %s.",
                    dims / 2, mx_shape_str(b1, sizeof b1, freqs->ndim, freqs->shape));
  if (offset_arr) {
    if (!mx_dtype_is_integral((mx_dtype)offset_arr->dtype))
      return mx_error("[rope] offset must be an integer but got type %s.",
                      mx_dtype_name((mx_dtype)offset_arr->dtype));
    if (offset_arr->ndim > 1)
      return mx_error("[rope] offset must have at most one dimension but has shape %s.",
                      mx_shape_str(b1, sizeof b1, offset_arr->ndim, offset_arr->shape));
    if (offset_arr->size != 1 && offset_arr->size != x->shape[0])
      return mx_error("[rope] offset must be a scalar or have the size of the input's first "
                      "dimension (%d) but has %lld elements.",
                      (int)x->shape[0], (long long)offset_arr->size);
  }
  mx_rope_params p = {dims, traditional, freqs != NULL, has_base ? base : 0.0f, scale};
  mx_array *off = offset_arr ? mx_array_retain(offset_arr) : mx_array_scalar(MX_INT32, offset);
  mx_array *off32 = NULL, *fr = NULL;
  int rc = off ? mx_astype(&off32, off, MX_INT32, s) : MX_ERR;
  if (!rc && freqs) rc = mx_astype(&fr, freqs, compute_type((mx_dtype)x->dtype), s);
  if (!rc) {
    mx_array *in[3] = {x, off32, fr};
    *out = mx_array_make(MX_PRIM_ROPE, &p, sizeof p, in, fr ? 3 : 2, x->ndim, x->shape,
                         (mx_dtype)x->dtype, s);
    rc = *out ? 0 : MX_ERR;
  }
  mx_array_release(off);
  mx_array_release(off32);
  mx_array_release(fr);
  return rc;
}

/* ------------------------------------------------------------------ attention */

#define SDPA "[scaled_dot_product_attention]"

int mx_fast_sdpa(mx_array **out, mx_array *q, mx_array *k, mx_array *v, float scale,
                 const char *mask_mode, mx_array *mask_arr, mx_array *sinks, mx_stream s) {
  char b1[64], b2[64];
  mx_array *qkv[3] = {q, k, v};
  for (int i = 0; i < 3; i++)
    if (qkv[i]->ndim != 4)
      return mx_error(SDPA " input with shape %s expected to be rank 4",
                      mx_shape_str(b1, sizeof b1, qkv[i]->ndim, qkv[i]->shape));
  for (int i = 1; i < 3; i++)
    if (qkv[i]->shape[0] != q->shape[0])
      return mx_error(SDPA " mismatching batch dimension for input with shape %s.",
                      mx_shape_str(b1, sizeof b1, 4, qkv[i]->shape));
  int hq = q->shape[1], hkv = k->shape[1];
  if (v->shape[1] != hkv)
    return mx_error(SDPA " keys and values expected to have the same number of heads; found keys "
                    "shape %s for values shape %s.",
                    mx_shape_str(b1, sizeof b1, 4, k->shape),
                    mx_shape_str(b2, sizeof b2, 4, v->shape));
  if (hkv == 0 || hq % hkv)
    return mx_error(SDPA " n_heads must be a multiple of n_kv_heads, found n_heads %d for "
                    "n_kv_heads %d.",
                    hq, hkv);
  if (q->shape[3] != k->shape[3])
    return mx_error(SDPA " query, keys expected to have matching last dimension; found query "
                    "shape %s for keys shape %s.",
                    mx_shape_str(b1, sizeof b1, 4, q->shape),
                    mx_shape_str(b2, sizeof b2, 4, k->shape));
  if (k->shape[2] != v->shape[2])
    return mx_error(SDPA " keys, values expected to have matching sequence length; found keys "
                    "shape %s for values shape %s.",
                    mx_shape_str(b1, sizeof b1, 4, k->shape),
                    mx_shape_str(b2, sizeof b2, 4, v->shape));
  bool causal = mask_mode && !strcmp(mask_mode, "causal");
  if (mask_mode && *mask_mode && !causal && strcmp(mask_mode, "array"))
    return mx_error(SDPA " invalid mask option '%s'. Must be 'causal', or an array.", mask_mode);
  if (causal && mask_arr)
    return mx_error(SDPA " mask_arr must be empty when the mask mode is 'causal'.");
  if (sinks && (sinks->ndim != 1 || sinks->shape[0] != hq))
    return mx_error(SDPA " Received invalid shape for sinks %s.",
                    mx_shape_str(b1, sizeof b1, sinks->ndim, sinks->shape));
  mx_dtype t = mx_promote_types(mx_promote_types((mx_dtype)q->dtype, (mx_dtype)k->dtype),
                                (mx_dtype)v->dtype);
  if (!is_float(t)) {
    if (t == MX_COMPLEX64) return mx_error(SDPA " Received unsupported type complex64.");
    t = MX_FLOAT32;
  }
  int32_t oshape[4] = {q->shape[0], hq, q->shape[2], v->shape[3]};
  int32_t mshape[4] = {q->shape[0], hq, q->shape[2], k->shape[2]};
  mx_sdpa_params p = {scale, causal ? MX_SDPA_MASK_CAUSAL : MX_SDPA_MASK_NONE, sinks != NULL};
  mx_array *m = NULL;
  if (mask_arr) {
    p.mask = mask_arr->dtype == MX_BOOL ? MX_SDPA_MASK_BOOL : MX_SDPA_MASK_ADD;
    mx_array *mc = NULL;
    if (mx_astype(&mc, mask_arr, p.mask == MX_SDPA_MASK_BOOL ? MX_BOOL : t, s)) return MX_ERR;
    int rc = mx_broadcast_to(&m, mc, 4, mshape, s);
    mx_array_release(mc);
    if (rc) return MX_ERR;
  }
  mx_array *in[5] = {q, k, v, m, sinks};
  if (sinks && !m) in[3] = sinks, in[4] = NULL;
  int rc = make_node(out, MX_PRIM_SDPA, &p, sizeof p, in, 5, t, 4, oshape, s);
  mx_array_release(m);
  return rc;
}

int mx_shapes_sdpa(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]) {
  ndims[0] = 4;
  for (int i = 0; i < 3; i++) shapes[0][i] = inputs[0]->shape[i];
  shapes[0][3] = inputs[2]->shape[3];
  return 0;
}

/* ------------------------------------------------------------------ fallbacks */

static int norm_fallback(int prim, const void *params, mx_array *const *in, mx_array **out,
                         mx_stream s) {
  tmp_list tl = {.n = 0};
  bool rms = prim == MX_PRIM_RMS_NORM;
  const mx_rms_norm_params *rp = params;
  const mx_layer_norm_params *lp = params;
  float eps = rms ? rp->eps : lp->eps;
  int has_w = rms ? rp->has_w : lp->has_w, has_b = rms ? 0 : lp->has_b;
  mx_dtype t = (mx_dtype)in[0]->dtype;
  int ax = -1;
  OP(x, mx_astype(&x, in[0], compute_type(t), s));
  mx_array *e = keep(&tl, mx_array_scalar(compute_type(t), eps));
  if (!e) goto fail;
  mx_array *c = x;
  if (!rms) {
    OP(mu, mx_mean(&mu, x, &ax, 1, true, s));
    OP(xc, mx_subtract(&xc, x, mu, s));
    c = xc;
  }
  OP(sq, mx_square(&sq, c, s));
  OP(ms, mx_mean(&ms, sq, &ax, 1, true, s));
  OP(mse, mx_add(&mse, ms, e, s));
  OP(r, mx_rsqrt(&r, mse, s));
  OP(y, mx_multiply(&y, c, r, s));
  OP(yt, mx_astype(&yt, y, t, s));
  mx_array *res = yt;
  if (has_w) {
    OP(yw, mx_multiply(&yw, res, in[1], s));
    res = yw;
  }
  if (has_b) {
    OP(yb, mx_add(&yb, res, in[1 + has_w], s));
    res = yb;
  }
  *out = mx_array_retain(res);
  tmp_free(&tl);
  return 0;
fail:
  tmp_free(&tl);
  return MX_ERR;
}

/* cos and sin of the angles (positions (offset + l) * scale) x (inverse frequencies), shaped
 * (B or 1, 1, ..., L, dims / 2) to broadcast against x's rows. */
static int rope_angles(const mx_rope_params *p, mx_array *const *in, mx_array **cs, mx_stream s) {
  tmp_list tl = {.n = 0};
  mx_array *x = in[0], *off = in[1];
  int nd = x->ndim, half = p->dims / 2;
  int32_t L = x->shape[nd - 2];
  mx_dtype ct = compute_type((mx_dtype)x->dtype);
  OP(pos, mx_arange(&pos, 0, L, 1, ct, s));
  int32_t oshape[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) oshape[i] = 1;
  oshape[0] = (int32_t)off->size;
  OP(offr, mx_reshape(&offr, off, off->size == 1 ? 1 : nd, oshape, s));
  int32_t lshape[2] = {L, 1};
  OP(posc, mx_reshape(&posc, pos, 2, lshape, s));
  OP(offf, mx_astype(&offf, offr, ct, s));
  OP(ps, mx_add(&ps, posc, offf, s)); /* (..., L, 1) */
  mx_array *sc = keep(&tl, mx_array_scalar(ct, p->scale));
  if (!sc) goto fail;
  OP(pss, mx_multiply(&pss, ps, sc, s));
  mx_array *inv;
  if (p->has_freqs) {
    OP(r, mx_reciprocal(&r, in[2], s));
    inv = r;
  } else {
    OP(ar, mx_arange(&ar, 0, half, 1, ct, s));
    mx_array *k = keep(&tl, mx_array_scalar(ct, -log((double)p->base) / half));
    if (!k) goto fail;
    OP(ak, mx_multiply(&ak, ar, k, s));
    OP(ex, mx_exp(&ex, ak, s));
    inv = ex;
  }
  OP(th, mx_multiply(&th, pss, inv, s));
  OP(c, mx_cos(&c, th, s));
  OP(sn, mx_sin(&sn, th, s));
  OP(cx, mx_astype(&cx, c, (mx_dtype)x->dtype, s));
  OP(sx, mx_astype(&sx, sn, (mx_dtype)x->dtype, s));
  cs[0] = mx_array_retain(cx);
  cs[1] = mx_array_retain(sx);
  tmp_free(&tl);
  return 0;
fail:
  tmp_free(&tl);
  return MX_ERR;
}

static int rope_fallback(const mx_rope_params *p, mx_array *const *in, mx_array **out,
                         mx_stream s) {
  tmp_list tl = {.n = 0};
  mx_array *x = in[0], *cs[2] = {NULL, NULL};
  int nd = x->ndim, dims = p->dims, half = dims / 2;
  int32_t D = x->shape[nd - 1];
  if (rope_angles(p, in, cs, s)) return MX_ERR;
  keep(&tl, cs[0]);
  keep(&tl, cs[1]);
  int start[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM], step[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) stop[i] = x->shape[i], step[i] = 1;
  mx_array *x1, *x2;
  if (p->traditional) {
    step[nd - 1] = 2, stop[nd - 1] = dims;
    OP(a, mx_slice(&a, x, start, stop, step, nd, s));
    start[nd - 1] = 1;
    OP(b, mx_slice(&b, x, start, stop, step, nd, s));
    x1 = a, x2 = b;
  } else {
    stop[nd - 1] = half;
    OP(a, mx_slice(&a, x, start, stop, step, nd, s));
    start[nd - 1] = half, stop[nd - 1] = dims;
    OP(b, mx_slice(&b, x, start, stop, step, nd, s));
    x1 = a, x2 = b;
  }
  OP(ac, mx_multiply(&ac, x1, cs[0], s));
  OP(bs, mx_multiply(&bs, x2, cs[1], s));
  OP(as, mx_multiply(&as, x1, cs[1], s));
  OP(bc, mx_multiply(&bc, x2, cs[0], s));
  OP(r1, mx_subtract(&r1, ac, bs, s));
  OP(r2, mx_add(&r2, as, bc, s));
  mx_array *rot;
  if (p->traditional) {
    mx_array *pair[2] = {r1, r2};
    OP(st, mx_stack(&st, pair, 2, nd, s));
    int32_t sh[MX_MAX_NDIM];
    memcpy(sh, x->shape, sizeof(int32_t) * nd);
    sh[nd - 1] = dims;
    OP(rs, mx_reshape(&rs, st, nd, sh, s));
    rot = rs;
  } else {
    mx_array *pair[2] = {r1, r2};
    OP(cc, mx_concatenate(&cc, pair, 2, nd - 1, s));
    rot = cc;
  }
  if (dims < D) {
    start[nd - 1] = dims, stop[nd - 1] = D, step[nd - 1] = 1;
    OP(rest, mx_slice(&rest, x, start, stop, step, nd, s));
    mx_array *parts[2] = {rot, rest};
    OP(all, mx_concatenate(&all, parts, 2, nd - 1, s));
    rot = all;
  }
  *out = mx_array_retain(rot);
  tmp_free(&tl);
  return 0;
fail:
  tmp_free(&tl);
  return MX_ERR;
}

/* softmax(scale q k^T + mask) v with k, v repeated over the query heads of their group. */
static int sdpa_fallback(const mx_sdpa_params *p, mx_array *const *in, int nin, mx_array **out,
                         mx_stream s) {
  tmp_list tl = {.n = 0};
  mx_array *q = in[0], *k = in[1], *v = in[2];
  mx_array *mask = p->mask == MX_SDPA_MASK_BOOL || p->mask == MX_SDPA_MASK_ADD ? in[3] : NULL;
  mx_array *sinks = p->has_sinks ? in[nin - 1] : NULL;
  mx_dtype t = (mx_dtype)q->dtype;
  int rep = q->shape[1] / k->shape[1];
  int32_t L = q->shape[2], S = k->shape[2];
  if (rep > 1) {
    OP(kr, mx_repeat(&kr, k, rep, 1, false, s));
    OP(vr, mx_repeat(&vr, v, rep, 1, false, s));
    k = kr, v = vr;
  }
  mx_array *sc = keep(&tl, mx_array_scalar(t, p->scale));
  if (!sc) goto fail;
  OP(qs, mx_multiply(&qs, q, sc, s));
  OP(kt, mx_swapaxes(&kt, k, 2, 3, s));
  OP(sco, mx_matmul(&sco, qs, kt, s));
  mx_array *scores = sco;
  if (p->mask == MX_SDPA_MASK_CAUSAL) {
    OP(ri, mx_arange(&ri, S - L, S, 1, MX_INT32, s));
    OP(ci, mx_arange(&ci, 0, S, 1, MX_INT32, s));
    int32_t rsh[2] = {L, 1};
    OP(rr, mx_reshape(&rr, ri, 2, rsh, s));
    OP(keepm, mx_greater_equal(&keepm, rr, ci, s));
    mask = keepm;
  }
  if (mask && mask->dtype == MX_BOOL) {
    double lowest = t == MX_FLOAT64 ? -DBL_MAX : (t == MX_FLOAT16 ? -65504.0 : -FLT_MAX);
    if (t == MX_BFLOAT16) lowest = -3.3895313892515355e38;
    mx_array *lo = keep(&tl, mx_array_scalar(t, lowest));
    if (!lo) goto fail;
    OP(w, mx_where(&w, mask, scores, lo, s));
    scores = w;
  } else if (mask) {
    OP(w, mx_add(&w, scores, mask, s));
    scores = w;
  }
  if (sinks) {
    int32_t ssh[4] = {1, q->shape[1], 1, 1}, bsh[4] = {q->shape[0], q->shape[1], L, 1};
    OP(sr, mx_reshape(&sr, sinks, 4, ssh, s));
    OP(sb, mx_broadcast_to(&sb, sr, 4, bsh, s));
    mx_array *parts[2] = {sb, scores};
    OP(cat, mx_concatenate(&cat, parts, 2, 3, s));
    int ax = 3;
    OP(pr, mx_softmax(&pr, cat, &ax, 1, true, s));
    int start[4] = {0, 0, 0, 1}, stop[4] = {pr->shape[0], pr->shape[1], L, S + 1};
    OP(pd, mx_slice(&pd, pr, start, stop, NULL, 4, s));
    scores = pd;
  } else {
    int ax = 3;
    OP(pr, mx_softmax(&pr, scores, &ax, 1, true, s));
    scores = pr;
  }
  OP(o, mx_matmul(&o, scores, v, s));
  *out = mx_array_retain(o);
  tmp_free(&tl);
  return 0;
fail:
  tmp_free(&tl);
  return MX_ERR;
}

int mx_fast_fallback(int prim, const void *params, mx_array *const *in, int nin, mx_array **out,
                     mx_stream s) {
  switch (prim) {
  case MX_PRIM_RMS_NORM:
  case MX_PRIM_LAYER_NORM:
    return norm_fallback(prim, params, in, out, s);
  case MX_PRIM_ROPE:
    return rope_fallback(params, in, out, s);
  case MX_PRIM_SDPA:
    return sdpa_fallback(params, in, nin, out, s);
  default:
    return mx_error("[fast] No fallback for this primitive.");
  }
}
