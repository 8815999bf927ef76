/* vjp, jvp and vmap of the matmul family's primitives: AddMM, GatherMM, BlockMaskedMM,
 * SegmentedMM, Hadamard. Rules build their results with ops, so they compose (grad of grad,
 * vmap of grad). No gradient flows to indices, segments or boolean masks (NULL: zero). */
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "core/transforms.h"
#include "ops/foundation_rules.h"
#include "ops/ops.h"

static void release_all(mx_array **v, int n) {
  for (int i = 0; i < n; i++) mx_array_release(v[i]), v[i] = NULL;
}

/* Drops grads[0 .. k) after a failure and returns rc. */
static int drop_grads(mx_array **grads, int k, int rc) {
  release_all(grads, k);
  return rc;
}

/* x * v (x itself when v is 1). */
static int scale_by(mx_array **out, mx_array *x, double v, mx_stream s) {
  if (v == 1.0) {
    *out = mx_array_retain(x);
    return 0;
  }
  mx_array *c = mx_array_scalar((mx_dtype)x->dtype, v);
  if (!c) return MX_ERR;
  int rc = mx_multiply(out, x, c, s);
  mx_array_release(c);
  return rc;
}

/* step * [0, B) in int64, shaped (B, 1, ..., 1) of rank 1 + ndim: per-batch index offsets. */
static int batch_offsets(mx_array **out, int B, int64_t step, int ndim, mx_stream s) {
  int32_t shape[MX_MAX_NDIM];
  mx_array *r = NULL, *st = mx_array_scalar(MX_INT64, (double)step), *m = NULL;
  if (ndim + 1 > MX_MAX_NDIM) return mx_array_release(st), mx_error("[vmap] Too many dimensions.");
  shape[0] = B;
  for (int i = 1; i <= ndim; i++) shape[i] = 1;
  int rc = st ? mx_arange(&r, 0, B, 1, MX_INT64, s) : MX_ERR;
  if (!rc) rc = mx_multiply(&m, r, st, s);
  if (!rc) rc = mx_reshape(out, m, ndim + 1, shape, s);
  mx_array_release(r), mx_array_release(st), mx_array_release(m);
  return rc;
}

/* Replaces the unbatched operand *x by its broadcast to (B, shape...): a product whose only
 * batched inputs are c or masks must carry the batch itself. */
static int with_batch(mx_array **x, int B, mx_stream s) {
  int32_t shape[MX_MAX_NDIM];
  mx_array *a = *x;
  if (a->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  shape[0] = B;
  memcpy(shape + 1, a->shape, (size_t)a->ndim * sizeof(int32_t));
  *x = NULL;
  int rc = mx_broadcast_to(x, a, a->ndim + 1, shape, s);
  mx_array_release(a);
  return rc;
}

/* ------------------------------------------------------------------ AddMM */

/* out = alpha a @ b + beta c with a (batch..., M, K), b (batch..., K, N) and c of the output's
 * shape, which drops M (a_vec) or N (b_vec): the product's matrix shape is (batch..., M, N). */
static int addmm_matrix_shape(const mx_node *n, int32_t *shape) {
  const mx_array *a = n->inputs[0], *b = n->inputs[1];
  memcpy(shape, a->shape, (size_t)a->ndim * sizeof(int32_t));
  shape[a->ndim - 1] = b->shape[b->ndim - 1];
  return a->ndim;
}

int mx_vjp_addmm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                 mx_array **grads) {
  const mx_addmm_params *p = n->params;
  mx_stream s = n->stream;
  int32_t ms[MX_MAX_NDIM];
  int md = addmm_matrix_shape(n, ms);
  mx_array *cm = NULL;
  MX_TRY(mx_reshape(&cm, cot[0], md, ms, s));
  int rc = 0;
  for (int k = 0; k < nargs && !rc; k++) {
    mx_array *t = NULL, *g = NULL;
    int arg = argnums[k];
    if (arg == 2) {
      rc = scale_by(&grads[k], cot[0], p->beta, s);
    } else {
      rc = mx_rule_swap_last(&t, n->inputs[arg == 0 ? 1 : 0], s);
      if (!rc) rc = arg == 0 ? mx_matmul(&g, cm, t, s) : mx_matmul(&g, t, cm, s);
      if (!rc) rc = scale_by(&grads[k], g, p->alpha, s);
    }
    mx_array_release(t), mx_array_release(g);
    if (rc) drop_grads(grads, k, rc);
  }
  mx_array_release(cm);
  return rc;
}

int mx_jvp_addmm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  const mx_addmm_params *p = n->params;
  mx_stream s = n->stream;
  mx_array *o = &n->out[0], *prod = NULL, *cterm = NULL, *t = NULL;
  int rc = 0;
  for (int k = 0; k < nargs && !rc; k++) {
    if (!tan[k]) continue;
    if (argnums[k] == 2) {
      rc = scale_by(&cterm, tan[k], p->beta, s);
      continue;
    }
    mx_array *term = NULL;
    rc = argnums[k] == 0 ? mx_matmul(&term, tan[k], n->inputs[1], s)
                         : mx_matmul(&term, n->inputs[0], tan[k], s);
    if (!rc) rc = mx_rule_add_owned(&prod, prod, term, s);
  }
  if (!rc && prod) {
    rc = mx_reshape(&t, prod, o->ndim, o->shape, s);
    mx_array_release(prod);
    prod = NULL;
    if (!rc) rc = scale_by(&prod, t, p->alpha, s);
  }
  mx_array_release(t);
  if (rc) {
    mx_array_release(prod), mx_array_release(cterm);
    return rc;
  }
  MX_TRY(mx_rule_add_owned(&out[0], prod, cterm, s));
  return out[0] ? 0 : mx_zeros_like(&out[0], o);
}

int mx_vmap_addmm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes) {
  const mx_addmm_params *p = n->params;
  mx_stream s = n->stream;
  mx_array *o = &n->out[0], *x[3] = {NULL}, *cm = NULL, *r = NULL;
  int32_t shape[MX_MAX_NDIM];
  int B = mx_rule_batch_size(in, axes, 3), rc = 0;
  if (o->ndim + 3 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  for (int i = 0; i < 3 && !rc; i++) rc = mx_rule_to_front(&x[i], in[i], axes[i]);
  if (!rc && axes[0] < 0 && axes[1] < 0) rc = with_batch(&x[0], B, s); /* only c batched */
  /* c in the product's matrix form (vector operands dropped M or N): the new product is a
   * plain matrix product, reshaped back to the batched output. */
  int lead = axes[2] >= 0;
  shape[0] = B;
  int md = addmm_matrix_shape(n, shape + lead);
  if (!rc) rc = mx_reshape(&cm, x[2], md + lead, shape, s);
  if (!rc) rc = mx_addmm(&r, cm, x[0], x[1], p->alpha, p->beta, s);
  shape[0] = B;
  memcpy(shape + 1, o->shape, (size_t)o->ndim * sizeof(int32_t));
  if (!rc) rc = mx_reshape(&out[0], r, o->ndim + 1, shape, s);
  release_all(x, 3);
  mx_array_release(cm), mx_array_release(r);
  out_axes[0] = 0;
  return rc;
}

/* ------------------------------------------------------------------ GatherMM */

/* Indices as the kernel reads them: negative ones count from the end, then clamped to [0, n). */
static int normalize_index(mx_array **out, mx_array *idx, int32_t n, mx_stream s) {
  mx_array *zero = mx_array_scalar(MX_INT64, 0), *len = mx_array_scalar(MX_INT64, n),
           *top = mx_array_scalar(MX_INT64, n > 0 ? n - 1 : 0), *neg = NULL, *up = NULL, *w = NULL;
  int rc = zero && len && top ? 0 : MX_ERR;
  if (!rc) rc = mx_less(&neg, idx, zero, s);
  if (!rc) rc = mx_add(&up, idx, len, s);
  if (!rc) rc = mx_where(&w, neg, up, idx, s);
  if (!rc) rc = mx_clip(out, w, zero, top, s);
  mx_array *tmp[] = {zero, len, top, neg, up, w};
  release_all(tmp, 6);
  return rc;
}

/* The rows g (I..., R, C) summed into zeros like x (B, R, C) at rows idx (I...). */
static int scatter_rows(mx_array **out, mx_array *g, mx_array *idx, mx_array *x, mx_stream s) {
  mx_array *ni = NULL, *base = NULL, *ge = NULL;
  int ax = idx->ndim;
  int rc = normalize_index(&ni, idx, x->shape[0], s);
  if (!rc) rc = mx_zeros_like(&base, x);
  if (!rc) rc = mx_expand_dims(&ge, g, &ax, 1, s);
  if (!rc) rc = mx_scatter(out, base, &ni, 1, ge, (int[]){0}, MX_SCATTER_SUM, s);
  mx_array *tmp[] = {ni, base, ge};
  release_all(tmp, 3);
  return rc;
}

/* Inputs (a (Ba, M, K), b (Bb, K, N), lhs (I...), rhs (I...)); out[i] = a[lhs[i]] @ b[rhs[i]]. */
int mx_vjp_gather_mm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                     mx_array **grads) {
  mx_array *a = n->inputs[0], *b = n->inputs[1], *li = n->inputs[2], *ri = n->inputs[3];
  mx_stream s = n->stream;
  for (int k = 0; k < nargs; k++) {
    mx_array *t = NULL, *g = NULL;
    int rc = 0;
    if (argnums[k] == 0) { /* d a[lhs[i]] += cot[i] @ b[rhs[i]]^T */
      rc = mx_rule_swap_last(&t, b, s);
      if (!rc) rc = mx_gather_mm(&g, cot[0], t, NULL, ri, false, s);
      if (!rc) rc = scatter_rows(&grads[k], g, li, a, s);
    } else if (argnums[k] == 1) { /* d b[rhs[i]] += a[lhs[i]]^T @ cot[i] */
      rc = mx_rule_swap_last(&t, a, s);
      if (!rc) rc = mx_gather_mm(&g, t, cot[0], li, NULL, false, s);
      if (!rc) rc = scatter_rows(&grads[k], g, ri, b, s);
    } /* indices: no gradient */
    mx_array_release(t), mx_array_release(g);
    if (rc) return drop_grads(grads, k, rc);
  }
  return 0;
}

int mx_jvp_gather_mm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                     mx_array **out) {
  return mx_rule_jvp_multilinear(n, tan, argnums, nargs, 2, out); /* indices: no tangent */
}

/* The batch folds into the gathered axis: a batched operand (B, Ba, M, K) becomes
 * (B * Ba, M, K) and its indices (normalized first, as the kernel reads them) move to
 * batch entry b's block by + b * Ba. */
int mx_vmap_gather_mm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                      int *out_axes) {
  mx_stream s = n->stream;
  mx_array *x[4] = {NULL}, *t = NULL;
  int B = mx_rule_batch_size(in, axes, 4), rc = 0;
  for (int i = 0; i < 4 && !rc; i++) rc = mx_rule_to_front(&x[i], in[i], axes[i]);
  for (int j = 0; j < 2 && !rc; j++) {
    if (axes[j] < 0) continue;
    mx_array *op = x[j], *idx = x[j + 2], *off = NULL, *ni = NULL;
    int32_t rows = n->inputs[j]->shape[0];
    int32_t shape[3] = {B * rows, op->shape[2], op->shape[3]};
    x[j] = NULL;
    rc = mx_reshape(&x[j], op, 3, shape, s);
    mx_array_release(op);
    if (!rc) rc = normalize_index(&ni, idx, rows, s);
    if (!rc) rc = batch_offsets(&off, B, rows, n->inputs[j + 2]->ndim, s);
    if (!rc) rc = mx_add(&t, ni, off, s);
    mx_array_release(idx), mx_array_release(off), mx_array_release(ni);
    x[j + 2] = t;
    t = NULL;
  }
  if (!rc) rc = mx_gather_mm(&out[0], x[0], x[1], x[2], x[3], false, s);
  release_all(x, 4);
  out_axes[0] = 0;
  return rc;
}

/* ------------------------------------------------------------------ BlockMaskedMM */

/* Inputs a (..., M, K), b (..., K, N), then the present masks (mask_out (..., tm, tn),
 * mask_lhs (..., tm, tk), mask_rhs (..., tk, tn)), each bool (keep / zero a block) or of the
 * output's dtype (scale a block). Slots: 0 a, 1 b, 2 mask_out, 3 mask_lhs, 4 mask_rhs. */
enum { BMM_A, BMM_B, BMM_OUT, BMM_LHS, BMM_RHS, BMM_SLOTS };

/* Slots of the node's inputs from in (NULL where a mask is absent); slot_of[i]: input i's slot. */
static void bmm_slots(const mx_node *n, mx_array *const *in, mx_array **x, int *slot_of) {
  const mx_block_masked_mm_params *p = n->params;
  const int32_t has[3] = {p->has_out, p->has_lhs, p->has_rhs};
  int k = 2;
  x[BMM_A] = in[0], x[BMM_B] = in[1];
  slot_of[0] = BMM_A, slot_of[1] = BMM_B;
  for (int m = 0; m < 3; m++) {
    x[BMM_OUT + m] = has[m] ? in[k] : NULL;
    if (has[m]) slot_of[k++] = BMM_OUT + m;
  }
}

static int bmm(mx_array **out, const mx_node *n, mx_array *a, mx_array *b, mx_array *mo,
               mx_array *ml, mx_array *mr) {
  const mx_block_masked_mm_params *p = n->params;
  return mx_block_masked_mm(out, a, b, p->block_size, mo, ml, mr, n->stream);
}

/* Sums x (..., R, C) over bs x bs blocks: (..., ceil(R / bs), ceil(C / bs)). */
static int block_sum(mx_array **out, mx_array *x, int bs, mx_stream s) {
  int nd = x->ndim;
  int32_t R = x->shape[nd - 2], C = x->shape[nd - 1], tr = (R + bs - 1) / bs,
          tc = (C + bs - 1) / bs, shape[MX_MAX_NDIM];
  if (nd + 2 > MX_MAX_NDIM) return mx_error("[vjp] Too many dimensions.");
  mx_array *padded = NULL, *r = NULL, *zero = mx_array_scalar((mx_dtype)x->dtype, 0);
  if (!zero) return MX_ERR;
  int rc = mx_pad(&padded, x, (int[]){nd - 2, nd - 1}, 2, (int[]){0, 0},
                  (int[]){tr * bs - R, tc * bs - C}, zero, "constant", s);
  memcpy(shape, x->shape, (size_t)(nd - 2) * sizeof(int32_t));
  shape[nd - 2] = tr, shape[nd - 1] = bs, shape[nd] = tc, shape[nd + 1] = bs;
  if (!rc) rc = mx_reshape(&r, padded, nd + 2, shape, s);
  if (!rc) rc = mx_sum(out, r, (int[]){nd - 1, nd + 1}, 2, false, s);
  mx_array_release(zero), mx_array_release(padded), mx_array_release(r);
  return rc;
}

/* With A = a * lhs, B = b * rhs (block-expanded masks) and P = A @ B, out = P * mask_out. Then
 * cot @ B^T restricted by the masks is bmm(cot, b^T, lhs, out, rhs^T) and A^T @ cot is
 * bmm(a^T, cot, rhs, lhs^T, out): the masks trade places. */
int mx_vjp_block_masked_mm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                           mx_array **grads) {
  const mx_block_masked_mm_params *p = n->params;
  mx_stream s = n->stream;
  mx_array *x[BMM_SLOTS], *tr[BMM_SLOTS] = {NULL}; /* tr: the swapped a, b, lhs, rhs */
  int slot_of[5];
  bmm_slots(n, n->inputs, x, slot_of);
  int rc = 0;
  for (int q = BMM_A; q <= BMM_RHS && !rc; q++)
    if (q != BMM_OUT && x[q]) rc = mx_rule_swap_last(&tr[q], x[q], s);
  mx_array *c = cot[0];
  for (int k = 0; k < nargs && !rc; k++) {
    int q = slot_of[argnums[k]];
    mx_array *prod = NULL, *w = NULL, *m = NULL;
    if (q >= BMM_OUT && x[q]->dtype == MX_BOOL) continue; /* no gradient to a boolean mask */
    switch (q) {
    case BMM_A:
      rc = bmm(&grads[k], n, c, tr[BMM_B], x[BMM_LHS], x[BMM_OUT], tr[BMM_RHS]);
      break;
    case BMM_B:
      rc = bmm(&grads[k], n, tr[BMM_A], c, x[BMM_RHS], tr[BMM_LHS], x[BMM_OUT]);
      break;
    case BMM_OUT:
      rc = bmm(&prod, n, x[BMM_A], x[BMM_B], NULL, x[BMM_LHS], x[BMM_RHS]), w = c;
      break;
    case BMM_LHS:
      rc = bmm(&prod, n, c, tr[BMM_B], NULL, x[BMM_OUT], tr[BMM_RHS]), w = x[BMM_A];
      break;
    default:
      rc = bmm(&prod, n, tr[BMM_A], c, NULL, tr[BMM_LHS], x[BMM_OUT]), w = x[BMM_B];
      break;
    }
    /* a mask's gradient: the block sums of (its product without it) * (what it scales) */
    if (!rc && w) rc = mx_multiply(&m, prod, w, s);
    if (!rc && w) rc = block_sum(&grads[k], m, p->block_size, s);
    mx_array_release(prod), mx_array_release(m);
    if (rc) drop_grads(grads, k, rc);
  }
  release_all(tr, BMM_SLOTS);
  return rc;
}

/* Linear in each input: the sum over tangents of the product with that input replaced. */
int mx_jvp_block_masked_mm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                           mx_array **out) {
  mx_array *x[BMM_SLOTS], *sum = NULL;
  int slot_of[5];
  bmm_slots(n, n->inputs, x, slot_of);
  for (int k = 0; k < nargs; k++) {
    int q = slot_of[argnums[k]];
    if (!tan[k] || (q >= BMM_OUT && x[q]->dtype == MX_BOOL)) continue;
    mx_array *y[BMM_SLOTS], *term = NULL;
    memcpy(y, x, sizeof y);
    y[q] = tan[k];
    int rc = bmm(&term, n, y[BMM_A], y[BMM_B], y[BMM_OUT], y[BMM_LHS], y[BMM_RHS]);
    if (!rc)
      rc = mx_rule_add_owned(&sum, sum, term, n->stream);
    else
      mx_array_release(sum);
    MX_TRY(rc);
  }
  if (!sum) return mx_zeros_like(&out[0], &n->out[0]);
  out[0] = sum;
  return 0;
}

/* Batched operands and masks in front; the op broadcasts the unbatched ones. */
int mx_vmap_block_masked_mm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                            int *out_axes) {
  mx_array *f[5] = {NULL}, *x[BMM_SLOTS];
  int slot_of[5], rc = 0;
  for (int i = 0; i < n->nin && !rc; i++) rc = mx_rule_to_front(&f[i], in[i], axes[i]);
  if (!rc && axes[0] < 0 && axes[1] < 0) /* only masks batched */
    rc = with_batch(&f[0], mx_rule_batch_size(in, axes, n->nin), n->stream);
  bmm_slots(n, f, x, slot_of);
  if (!rc) rc = bmm(&out[0], n, x[BMM_A], x[BMM_B], x[BMM_OUT], x[BMM_LHS], x[BMM_RHS]);
  release_all(f, 5);
  out_axes[0] = 0;
  return rc;
}

/* ------------------------------------------------------------------ SegmentedMM */

/* Inputs a (M, K), b (K, N), segments int64 (S..., 2): out[s] = a[:, lo:hi] @ b[lo:hi, :].
 * The mask (S..., K) of the columns k with lo <= k < hi, in dtype t (clamping [lo, hi) into
 * [0, K] changes no column). */
static int segment_mask(mx_array **out, mx_array *seg, int32_t K, mx_dtype t, mx_stream s) {
  int nd = seg->ndim, start[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) stop[i] = seg->shape[i];
  mx_array *lo = NULL, *hi = NULL, *ar = NULL, *ge = NULL, *lt = NULL, *m = NULL;
  stop[nd - 1] = 1;
  int rc = mx_slice(&lo, seg, start, stop, NULL, nd, s);
  start[nd - 1] = 1, stop[nd - 1] = 2;
  if (!rc) rc = mx_slice(&hi, seg, start, stop, NULL, nd, s);
  if (!rc) rc = mx_arange(&ar, 0, K, 1, MX_INT64, s);
  if (!rc) rc = mx_greater_equal(&ge, ar, lo, s);
  if (!rc) rc = mx_less(&lt, ar, hi, s);
  if (!rc) rc = mx_logical_and(&m, ge, lt, s);
  if (!rc) rc = mx_astype(out, m, t, s);
  mx_array *tmp[] = {lo, hi, ar, ge, lt, m};
  release_all(tmp, 6);
  return rc;
}

int mx_vjp_segmented_mm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                        mx_array **grads) {
  mx_array *a = n->inputs[0], *b = n->inputs[1], *seg = n->inputs[2], *mask = NULL;
  mx_stream s = n->stream;
  int ns = seg->ndim - 1, sum_axes[MX_MAX_NDIM];
  for (int i = 0; i < ns; i++) sum_axes[i] = i;
  int rc = segment_mask(&mask, seg, a->shape[1], (mx_dtype)n->out[0].dtype, s);
  for (int k = 0; k < nargs && !rc; k++) {
    if (argnums[k] > 1) continue; /* segments: no gradient */
    bool first = argnums[k] == 0;
    /* per segment: cot[s] @ b^T (M, K) or a^T @ cot[s] (K, N), masked to its columns/rows */
    mx_array *t = NULL, *g = NULL, *m = NULL, *gm = NULL;
    int ax = first ? -2 : -1;
    rc = mx_rule_swap_last(&t, first ? b : a, s);
    if (!rc) rc = first ? mx_matmul(&g, cot[0], t, s) : mx_matmul(&g, t, cot[0], s);
    if (!rc) rc = mx_expand_dims(&m, mask, &ax, 1, s);
    if (!rc) rc = mx_multiply(&gm, g, m, s);
    if (!rc && ns > 0)
      rc = mx_sum(&grads[k], gm, sum_axes, ns, false, s);
    else if (!rc)
      grads[k] = mx_array_retain(gm);
    mx_array *tmp[] = {t, g, m, gm};
    release_all(tmp, 4);
    if (rc) drop_grads(grads, k, rc);
  }
  mx_array_release(mask);
  return rc;
}

int mx_jvp_segmented_mm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                        mx_array **out) {
  return mx_rule_jvp_multilinear(n, tan, argnums, nargs, 2, out); /* segments: no tangent */
}

/* Only segments batched: more segments. Otherwise the batch goes along K: a' = [a_0 ... a_B-1]
 * (M, B K), b' = [b_0; ...; b_B-1] (B K, N) and entry b's segments (clamped to [0, K]) shift
 * by b K, so each product reads its own a_b and b_b. */
int mx_vmap_segmented_mm(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                         int *out_axes) {
  mx_stream s = n->stream;
  int B = mx_rule_batch_size(in, axes, 3), rc = 0;
  int32_t M = n->inputs[0]->shape[0], K = n->inputs[0]->shape[1], N = n->inputs[1]->shape[1];
  mx_array *f[3] = {NULL}, *ab = NULL, *at = NULL, *bb = NULL, *cl = NULL, *off = NULL;
  mx_array *a2 = NULL, *b2 = NULL, *s2 = NULL, *zero = NULL, *top = NULL;
  out_axes[0] = 0;
  for (int i = 0; i < 3 && !rc; i++) rc = mx_rule_to_front(&f[i], in[i], axes[i]);
  if (!rc && axes[0] < 0 && axes[1] < 0) {
    rc = mx_segmented_mm(&out[0], f[0], f[1], f[2], s);
    release_all(f, 3);
    return rc;
  }
  if (!rc) rc = mx_broadcast_to(&ab, f[0], 3, (int32_t[]){B, M, K}, s);
  if (!rc) rc = mx_transpose(&at, ab, (int[]){1, 0, 2}, 3, s);
  if (!rc) rc = mx_reshape(&a2, at, 2, (int32_t[]){M, B * K}, s);
  if (!rc) rc = mx_broadcast_to(&bb, f[1], 3, (int32_t[]){B, K, N}, s);
  if (!rc) rc = mx_reshape(&b2, bb, 2, (int32_t[]){B * K, N}, s);
  if (!rc && !((zero = mx_array_scalar(MX_INT64, 0)) && (top = mx_array_scalar(MX_INT64, K))))
    rc = MX_ERR;
  if (!rc) rc = mx_clip(&cl, f[2], zero, top, s);
  if (!rc) rc = batch_offsets(&off, B, K, n->inputs[2]->ndim, s);
  if (!rc) rc = mx_add(&s2, cl, off, s);
  if (!rc) rc = mx_segmented_mm(&out[0], a2, b2, s2, s);
  mx_array *tmp[] = {ab, at, bb, cl, off, a2, b2, s2, zero, top};
  release_all(tmp, 10);
  release_all(f, 3);
  return rc;
}

/* ------------------------------------------------------------------ Hadamard */

/* y = scale x (H_m (x) S_p) along the last axis: linear, so the jvp is the transform itself. */
static int hadamard_apply(mx_array **out, mx_node *n, mx_array *x) {
  return mx_rule_remake(out, n, &x, 1, NULL, 0);
}

/* The adjoint y -> scale y (H_m (x) S_p)^T. S_p, H_1 and H_12 are symmetric: the transform
 * itself. H_20 and H_28 are not: with y's last axis as m blocks of p (rows of Y), the adjoint
 * is scale H_m (Y S_p), H_m being the transform (scale 1) of the m x m identity. */
static int hadamard_adjoint(mx_array **out, mx_node *n, mx_array *y) {
  const mx_hadamard_params *p = n->params;
  if (p->m == 1 || p->m == 12) return hadamard_apply(out, n, y);
  mx_stream s = n->stream;
  mx_dtype t = (mx_dtype)y->dtype;
  int nd = y->ndim;
  int32_t shape[MX_MAX_NDIM];
  if (nd + 1 > MX_MAX_NDIM) return mx_error("[vjp] Too many dimensions.");
  memcpy(shape, y->shape, (size_t)nd * sizeof(int32_t));
  shape[nd - 1] = p->m, shape[nd] = y->shape[nd - 1] / p->m;
  mx_array *yr = NULL, *z = NULL, *e = NULL, *h = NULL, *hz = NULL, *sc = NULL;
  int rc = mx_reshape(&yr, y, nd + 1, shape, s);
  if (!rc) rc = mx_hadamard_transform(&z, yr, true, 1.0f, s);
  if (!rc) rc = mx_eye(&e, p->m, p->m, 0, t, s);
  if (!rc) rc = mx_hadamard_transform(&h, e, true, 1.0f, s);
  if (!rc) rc = mx_matmul(&hz, h, z, s);
  if (!rc) rc = scale_by(&sc, hz, p->scale, s);
  if (!rc) rc = mx_reshape(out, sc, nd, y->shape, s);
  mx_array *tmp[] = {yr, z, e, h, hz, sc};
  release_all(tmp, 6);
  return rc;
}

int mx_vjp_hadamard(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                    mx_array **grads) {
  return hadamard_adjoint(&grads[0], n, cot[0]);
}

int mx_jvp_hadamard(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                    mx_array **out) {
  return tan[0] ? hadamard_apply(&out[0], n, tan[0]) : mx_zeros_like(&out[0], &n->out[0]);
}

int mx_vmap_hadamard(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                     int *out_axes) {
  mx_array *f = NULL;
  MX_TRY(mx_rule_to_front(&f, in[0], axes[0]));
  int rc = hadamard_apply(&out[0], n, f);
  mx_array_release(f);
  out_axes[0] = 0;
  return rc;
}
