/* vjp, jvp and vmap of Gather, Scatter (none, sum, prod, max, min), MaskedScatter, Take,
 * PutAlongAxis and TakeAlongAxis (the transpose of each other). Each rule builds its result with
 * ops, so rules compose (grad of grad, vmap of grad).
 *
 * Index inputs (and MaskedScatter's mask) get no gradient: their vjp is NULL (zero) and their
 * tangents are ignored. vmap with batched indices and a batched source moves the batch to the
 * front of the source and adds arange(batch) as one more index on that axis. */
#include "ops/indexing_rules_gather.h"

#include <stdbool.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "core/transforms.h"
#include "ops/foundation_rules.h"
#include "ops/ops.h"

/* ---- helpers ---- */

static void release_n(mx_array **a, int n) {
  for (int i = 0; i < n; i++) mx_array_release(a[i]), a[i] = NULL;
}

/* The tangent of input i (NULL: not asked for, or zero). */
static mx_array *tangent_of(mx_array *const *tan, const int *argnums, int nargs, int i) {
  for (int k = 0; k < nargs; k++)
    if (argnums[k] == i) return tan[k];
  return NULL;
}

/* The tangent of input i of n, or zeros like that input. */
static int tangent_or_zeros(mx_array **out, mx_node *n, mx_array *const *tan, const int *argnums,
                            int nargs, int i) {
  mx_array *t = tangent_of(tan, argnums, nargs, i);
  if (!t) return mx_zeros_like(out, n->inputs[i]);
  *out = mx_array_retain(t);
  return 0;
}

/* The extent of the first batched input's batch axis. */
static int batch_size(mx_array *const *in, const int *axes, int nin) {
  for (int i = 0; i < nin; i++)
    if (axes[i] >= 0) return in[i]->shape[axes[i]];
  return 1;
}

static bool any_batched(const int *axes, int from, int to) {
  for (int i = from; i < to; i++)
    if (axes[i] >= 0) return true;
  return false;
}

/* arange(b) as int32 of shape (b, 1, ..., 1), rank dims: the index of each batch entry. */
static int batch_index(mx_array **out, int b, int rank, mx_stream s) {
  int32_t shape[MX_MAX_NDIM];
  if (rank > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  mx_array *r = NULL;
  MX_TRY(mx_arange(&r, 0, b, 1, MX_INT32, s));
  shape[0] = b;
  for (int i = 1; i < rank; i++) shape[i] = 1;
  int rc = mx_reshape(out, r, rank, shape, s);
  mx_array_release(r);
  return rc;
}

/* x with a new axis of extent size at pos (a broadcast view). */
static int insert_axis(mx_array **out, mx_array *x, int pos, int size, mx_stream s) {
  int32_t one[MX_MAX_NDIM], full[MX_MAX_NDIM];
  if (x->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  for (int i = 0, k = 0; i <= x->ndim; i++) {
    one[i] = i == pos ? 1 : x->shape[k];
    full[i] = i == pos ? size : x->shape[k];
    if (i != pos) k++;
  }
  mx_array *r = NULL;
  MX_TRY(mx_reshape(&r, x, x->ndim + 1, one, s));
  int rc = mx_broadcast_to(out, r, x->ndim + 1, full, s);
  mx_array_release(r);
  return rc;
}

/* x with axis pos (of extent 1) removed. */
static int drop_axis(mx_array **out, mx_array *x, int pos, mx_stream s) {
  int32_t shape[MX_MAX_NDIM];
  for (int i = 0, k = 0; i < x->ndim; i++)
    if (i != pos) shape[k++] = x->shape[i];
  return mx_reshape(out, x, x->ndim - 1, shape, s);
}

/* x where mask holds, zero elsewhere. */
static int keep_where(mx_array **out, mx_array *mask, mx_array *x, mx_stream s) {
  mx_array *zero = mx_array_scalar((mx_dtype)x->dtype, 0);
  if (!zero) return MX_ERR;
  int rc = mx_where(out, mask, x, zero, s);
  mx_array_release(zero);
  return rc;
}

/* The axes of a Gather/Scatter node, optionally shifted (vmap), as ints. */
static void node_axes(const mx_gather_params *p, int shift, int *axes) {
  for (int i = 0; i < p->naxes; i++) axes[i] = p->data[i] + shift;
}

/* ---- Gather: inputs (a, idx_0 .. idx_{k-1}), output B + slice_sizes ---- */

int mx_vjp_gather(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                  mx_array **grads) {
  const mx_gather_params *p = n->params;
  int axes[MX_MAX_NDIM];
  node_axes(p, 0, axes);
  for (int k = 0; k < nargs && cot[0]; k++) {
    if (argnums[k] != 0) continue; /* indices */
    mx_array *z = NULL;
    int rc = mx_zeros_like(&z, n->inputs[0]);
    if (!rc)
      rc = mx_scatter(&grads[k], z, n->inputs + 1, p->naxes, cot[0], axes, MX_SCATTER_SUM,
                      n->stream);
    mx_array_release(z);
    if (rc) return release_n(grads, nargs), rc;
  }
  return 0;
}

int mx_jvp_gather(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  const mx_gather_params *p = n->params;
  mx_array *t = tangent_of(tan, argnums, nargs, 0);
  if (!t) return mx_zeros_like(&out[0], &n->out[0]);
  int axes[MX_MAX_NDIM], sizes[MX_MAX_NDIM];
  node_axes(p, 0, axes);
  for (int i = 0; i < p->ndim; i++) sizes[i] = p->data[p->naxes + i];
  return mx_gather(&out[0], t, n->inputs + 1, p->naxes, axes, sizes, p->ndim, n->stream);
}

int mx_vmap_gather(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                   int *out_axes) {
  const mx_gather_params *p = n->params;
  int nidx = p->naxes, nb = nidx ? n->inputs[1]->ndim : 0, b = batch_size(in, axes, n->nin);
  bool src_batched = axes[0] >= 0, idx_batched = any_batched(axes, 1, n->nin);
  int shift = src_batched, gaxes[MX_MAX_NDIM + 1], sizes[MX_MAX_NDIM];
  mx_array *idx[MX_MAX_NDIM + 1] = {0}, *src = NULL, *g = NULL;
  if (p->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  node_axes(p, shift, gaxes);
  /* A batched source gathers its whole batch axis, or one entry of it per batched index. */
  if (src_batched) sizes[0] = idx_batched ? 1 : b;
  for (int i = 0; i < p->ndim; i++) sizes[shift + i] = p->data[nidx + i];
  int rc = mx_rule_to_front(&src, in[0], axes[0]), ni = nidx;
  for (int i = 0; !rc && i < nidx; i++) rc = mx_rule_to_front(&idx[i], in[1 + i], axes[1 + i]);
  if (!rc && src_batched && idx_batched) {
    rc = batch_index(&idx[ni], b, nb + 1, n->stream);
    gaxes[ni++] = 0;
  }
  bool both = src_batched && idx_batched;
  if (!rc)
    rc = mx_gather(both ? &g : &out[0], src, idx, ni, gaxes, sizes, p->ndim + shift, n->stream);
  /* (b, B..., 1, slice...): drop the batch's slice axis. */
  if (!rc && both) rc = drop_axis(&out[0], g, 1 + nb, n->stream);
  /* Unbatched indices put the source's batch axis first in the slice, after B. */
  out_axes[0] = idx_batched ? 0 : nb;
  mx_array_release(src);
  mx_array_release(g);
  release_n(idx, ni);
  return rc;
}

/* ---- Scatter: inputs (a, idx_0 .. idx_{k-1}, updates B + S), output shaped like a ---- */

/* MLX has no vjp (nor jvp) for scatter_prod: an error rather than a made-up rule. */
static int check_scatter_op(const mx_node *n, const char *rule) {
  const mx_gather_params *p = n->params;
  if (p->op != MX_SCATTER_PROD) return 0;
  return mx_error("[Scatter] The %s of scatter_prod is not implemented.", rule);
}

/* The updates' slice shape S (the trailing a.ndim dims of the updates). */
static void update_slice(const mx_node *n, int *sizes) {
  const mx_array *a = n->inputs[0], *upd = n->inputs[n->nin - 1];
  for (int i = 0; i < a->ndim; i++) sizes[i] = upd->shape[upd->ndim - a->ndim + i];
}

/* For max/min: which updates won (equal to the result at their position). */
static int updates_won(mx_array **out, mx_node *n, const int *axes, const int *sizes) {
  const mx_gather_params *p = n->params;
  mx_array *g = NULL;
  MX_TRY(mx_gather(&g, &n->out[0], n->inputs + 1, p->naxes, axes, sizes, n->inputs[0]->ndim,
                   n->stream));
  int rc = mx_equal(out, g, n->inputs[n->nin - 1], n->stream);
  mx_array_release(g);
  return rc;
}

/* As MLX: none and sum give the updates the gathered cotangent (with repeated indices under none,
 * every duplicate, not only the last write); max and min pass it where the value won, to every
 * tied winner. */
int mx_vjp_scatter(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                   mx_array **grads) {
  MX_TRY(check_scatter_op(n, "vjp"));
  const mx_gather_params *p = n->params;
  mx_array *a = n->inputs[0], *c = cot[0];
  mx_stream s = n->stream;
  bool extremum = p->op == MX_SCATTER_MAX || p->op == MX_SCATTER_MIN;
  int axes[MX_MAX_NDIM], sizes[MX_MAX_NDIM], rc = 0;
  node_axes(p, 0, axes);
  update_slice(n, sizes);
  for (int k = 0; k < nargs && c && !rc; k++) {
    mx_array *t = NULL, *won = NULL;
    if (argnums[k] == 0 && p->op == MX_SCATTER_SUM) {
      grads[k] = mx_array_retain(c);
    } else if (argnums[k] == 0 && p->op == MX_SCATTER_NONE) { /* overwritten: nothing */
      rc = mx_zeros_like(&t, n->inputs[n->nin - 1]);
      if (!rc) rc = mx_scatter(&grads[k], c, n->inputs + 1, p->naxes, t, axes, MX_SCATTER_NONE, s);
    } else if (argnums[k] == 0) { /* max/min: where the input kept its value */
      rc = mx_equal(&won, &n->out[0], a, s);
      if (!rc) rc = keep_where(&grads[k], won, c, s);
    } else if (argnums[k] == n->nin - 1) {
      rc =
          mx_gather(extremum ? &t : &grads[k], c, n->inputs + 1, p->naxes, axes, sizes, a->ndim, s);
      if (!rc && extremum) rc = updates_won(&won, n, axes, sizes);
      if (!rc && extremum) rc = keep_where(&grads[k], won, t, s);
    }
    mx_array_release(t);
    mx_array_release(won);
  }
  if (rc) release_n(grads, nargs);
  return rc;
}

/* None and sum are linear: the same scatter of the tangents (none keeps the last write, as the
 * forward does). Max and min: the transpose of their vjp. */
int mx_jvp_scatter(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                   mx_array **out) {
  MX_TRY(check_scatter_op(n, "jvp"));
  const mx_gather_params *p = n->params;
  mx_stream s = n->stream;
  int last = n->nin - 1, axes[MX_MAX_NDIM], sizes[MX_MAX_NDIM], rc = 0;
  mx_array *ta = tangent_of(tan, argnums, nargs, 0), *tu = tangent_of(tan, argnums, nargs, last);
  if (!ta && !tu) return mx_zeros_like(&out[0], &n->out[0]);
  node_axes(p, 0, axes);
  update_slice(n, sizes);
  mx_array *x = NULL, *u = NULL, *won = NULL, *part_a = NULL, *part_u = NULL;
  if (p->op == MX_SCATTER_NONE || p->op == MX_SCATTER_SUM) {
    rc = tangent_or_zeros(&x, n, tan, argnums, nargs, 0);
    if (!rc) rc = tangent_or_zeros(&u, n, tan, argnums, nargs, last);
    if (!rc) rc = mx_scatter(&out[0], x, n->inputs + 1, p->naxes, u, axes, p->op, s);
  } else {
    if (ta) {
      rc = mx_equal(&won, &n->out[0], n->inputs[0], s);
      if (!rc) rc = keep_where(&part_a, won, ta, s);
      mx_array_release(won), won = NULL;
    }
    if (tu && !rc) {
      rc = updates_won(&won, n, axes, sizes);
      if (!rc) rc = keep_where(&u, won, tu, s);
      if (!rc) rc = mx_zeros_like(&x, n->inputs[0]);
      if (!rc) rc = mx_scatter(&part_u, x, n->inputs + 1, p->naxes, u, axes, MX_SCATTER_SUM, s);
    }
    if (!rc) rc = mx_rule_add_owned(&out[0], part_a, part_u, s), part_a = part_u = NULL;
  }
  mx_array_release(x), mx_array_release(u), mx_array_release(won);
  mx_array_release(part_a), mx_array_release(part_u);
  return rc;
}

/* The output is batched at 0 whatever is batched: an unbatched source is broadcast along the
 * batch. Unbatched indices: the batch is one more (whole) slice axis of the updates, after B.
 * Batched indices: arange(b) indexes the batch axis; the updates become (b, B..., 1, S...). */
int mx_vmap_scatter(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                    int *out_axes) {
  const mx_gather_params *p = n->params;
  int nidx = p->naxes, last = n->nin - 1, b = batch_size(in, axes, n->nin);
  int andim = n->inputs[0]->ndim, nb = n->inputs[last]->ndim - andim;
  bool idx_batched = any_batched(axes, 1, last);
  int gaxes[MX_MAX_NDIM + 1], ni = nidx, rc = 0;
  mx_array *idx[MX_MAX_NDIM + 1] = {0}, *src = NULL, *u = NULL, *t = NULL;
  mx_stream s = n->stream;
  node_axes(p, 1, gaxes);
  rc = axes[0] >= 0 ? mx_move_axis(&src, in[0], axes[0], 0) : insert_axis(&src, in[0], 0, b, s);
  if (!rc && !idx_batched) {
    if (axes[last] >= 0)
      rc = mx_move_axis(&u, in[last], axes[last], nb);
    else
      rc = insert_axis(&u, in[last], nb, b, s);
    if (!rc) rc = mx_scatter(&out[0], src, in + 1, nidx, u, gaxes, p->op, s);
  } else if (!rc) {
    for (int i = 0; !rc && i < nidx; i++) rc = mx_rule_to_front(&idx[i], in[1 + i], axes[1 + i]);
    if (!rc) rc = batch_index(&idx[ni], b, nb + 1, s);
    if (!rc) gaxes[ni++] = 0;
    /* updates (b or 1, B..., S...) then a size-1 slice axis for the batch at 1 + nb */
    if (!rc)
      rc = axes[last] >= 0 ? mx_move_axis(&t, in[last], axes[last], 0)
                           : insert_axis(&t, in[last], 0, 1, s);
    if (!rc) rc = insert_axis(&u, t, 1 + nb, 1, s);
    if (!rc) rc = mx_scatter(&out[0], src, idx, ni, u, gaxes, p->op, s);
  }
  out_axes[0] = 0;
  mx_array_release(src), mx_array_release(u), mx_array_release(t);
  release_n(idx, ni);
  return rc;
}

/* ---- MaskedScatter: inputs (a, mask shaped like a, src flattened); the k-th true position of
 * the mask (row-major) takes src[k] ---- */

/* Exclusive running count of the mask along axis: position p's k, for the true positions. */
static int mask_rank(mx_array **out, mx_array *mask, int axis, mx_stream s) {
  mx_array *m = NULL;
  MX_TRY(mx_astype(&m, mask, MX_INT32, s));
  int rc = mx_cumsum(out, m, axis, false, false, s);
  mx_array_release(m);
  return rc;
}

/* src's cotangent: position p's cotangent goes to src[k(p)]; positions off the mask get the
 * index src.size, which scatter drops. The part of src the mask did not reach gets zero. */
static int masked_src_grad(mx_array **out, mx_node *n, mx_array *c) {
  mx_array *mask = n->inputs[1], *src = n->inputs[2], *flat = NULL, *rank = NULL, *idx = NULL;
  mx_array *drop = NULL, *col = NULL, *z = NULL;
  mx_stream s = n->stream;
  int32_t m1 = -1, cshape[2] = {-1, 1};
  int axis0 = 0;
  if (src->size == 0) return mx_zeros_like(out, src);
  int rc = mx_reshape(&flat, mask, 1, &m1, s);
  if (!rc) rc = mask_rank(&rank, flat, 0, s);
  if (!rc) rc = (drop = mx_array_scalar(MX_INT32, (double)src->size)) ? 0 : MX_ERR;
  if (!rc) rc = mx_where(&idx, flat, rank, drop, s);
  if (!rc) rc = mx_reshape(&col, c, 2, cshape, s);
  if (!rc) rc = mx_zeros_like(&z, src);
  if (!rc) rc = mx_scatter(out, z, &idx, 1, col, &axis0, MX_SCATTER_SUM, s);
  mx_array_release(flat), mx_array_release(rank), mx_array_release(idx);
  mx_array_release(drop), mx_array_release(col), mx_array_release(z);
  return rc;
}

int mx_vjp_masked_scatter(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                          mx_array **grads) {
  int rc = 0;
  for (int k = 0; k < nargs && cot[0] && !rc; k++) {
    if (argnums[k] == 0) { /* the positions the mask overwrote get nothing */
      mx_array *zero = mx_array_scalar((mx_dtype)cot[0]->dtype, 0);
      rc = zero ? mx_where(&grads[k], n->inputs[1], zero, cot[0], n->stream) : MX_ERR;
      mx_array_release(zero);
    } else if (argnums[k] == 2) {
      rc = masked_src_grad(&grads[k], n, cot[0]);
    }
  }
  if (rc) release_n(grads, nargs);
  return rc;
}

int mx_jvp_masked_scatter(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                          mx_array **out) {
  if (!tangent_of(tan, argnums, nargs, 0) && !tangent_of(tan, argnums, nargs, 2))
    return mx_zeros_like(&out[0], &n->out[0]);
  mx_array *ta = NULL, *ts = NULL;
  int rc = tangent_or_zeros(&ta, n, tan, argnums, nargs, 0);
  if (!rc) rc = tangent_or_zeros(&ts, n, tan, argnums, nargs, 2);
  if (!rc) rc = mx_masked_scatter(&out[0], ta, n->inputs[1], ts, n->stream);
  mx_array_release(ta), mx_array_release(ts);
  return rc;
}

/* x (batch at axis, or unbatched) as (b or 1, cols). */
static int as_rows(mx_array **out, mx_array *x, int axis, int64_t cols, mx_stream s) {
  mx_array *f = NULL;
  int32_t shape[2] = {axis >= 0 ? x->shape[axis] : 1, (int32_t)cols};
  MX_TRY(mx_rule_to_front(&f, x, axis));
  int rc = mx_reshape(out, f, 2, shape, s);
  mx_array_release(f);
  return rc;
}

/* x of shape (rows, P) as (rows, shape...). */
static int rows_as(mx_array **out, mx_array *x, const mx_array *like, mx_stream s) {
  int32_t shape[MX_MAX_NDIM];
  if (like->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  shape[0] = x->shape[0];
  memcpy(shape + 1, like->shape, (size_t)like->ndim * sizeof(int32_t));
  return mx_reshape(out, x, like->ndim + 1, shape, s);
}

/* Each batch entry counts its own mask: out = where(mask, src[k], a) with k the exclusive running
 * count of the entry's flattened mask. (Unlike the primitive, a src too short for its mask is
 * not an error here: the count is clamped into src.) */
int mx_vmap_masked_scatter(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                           int *out_axes) {
  mx_array *a = n->inputs[0], *a1 = NULL, *m2 = NULL, *s2 = NULL, *rank = NULL, *vals = NULL;
  mx_array *v = NULL, *m = NULL;
  mx_stream s = n->stream;
  int64_t nsrc = n->inputs[2]->size;
  int rc = mx_rule_to_front(&a1, in[0], axes[0]);
  if (!rc) rc = as_rows(&m2, in[1], axes[1], a->size, s);
  if (!rc && nsrc > 0) rc = as_rows(&s2, in[2], axes[2], nsrc, s);
  /* an empty src fits only an all-false mask: any value will do */
  if (!rc && nsrc == 0) rc = mx_zeros(&s2, 2, (int32_t[]){1, 1}, (mx_dtype)a->dtype, s);
  if (!rc) rc = mask_rank(&rank, m2, 1, s);
  if (!rc) rc = mx_take_along_axis(&vals, s2, rank, 1, false, s);
  if (!rc) rc = rows_as(&v, vals, a, s);
  if (!rc) rc = rows_as(&m, m2, a, s);
  if (!rc) rc = mx_where(&out[0], m, v, a1, s);
  out_axes[0] = 0;
  mx_array_release(a1), mx_array_release(m2), mx_array_release(s2), mx_array_release(rank);
  mx_array_release(vals), mx_array_release(v), mx_array_release(m);
  return rc;
}

/* ---- Take: inputs (a, idx), output a[:ax] + I + a[ax+1:] ---- */

/* The cotangent becomes the updates I + (a[:ax], 1, a[ax+1:]) of a scatter-add on axis ax. */
int mx_vjp_take(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads) {
  const mx_int_param *p = n->params;
  mx_array *a = n->inputs[0], *idx = n->inputs[1];
  mx_stream s = n->stream;
  int ax = p->value, ni = idx->ndim, perm[MX_MAX_NDIM], rc = 0;
  int32_t shape[MX_MAX_NDIM];
  if (ni + a->ndim > MX_MAX_NDIM) return mx_error("[vjp] Too many dimensions.");
  for (int k = 0; k < nargs && cot[0] && !rc; k++) {
    if (argnums[k] != 0) continue; /* indices */
    int j = 0;
    for (int i = 0; i < ni; i++) perm[j++] = ax + i;
    for (int i = 0; i < ax; i++) perm[j++] = i;
    for (int i = ax + ni; i < cot[0]->ndim; i++) perm[j++] = i;
    for (int i = 0; i < ni; i++) shape[i] = idx->shape[i];
    for (int i = 0; i < a->ndim; i++) shape[ni + i] = i == ax ? 1 : a->shape[i];
    mx_array *t = NULL, *u = NULL, *z = NULL;
    rc = mx_transpose(&t, cot[0], perm, cot[0]->ndim, s);
    if (!rc) rc = mx_reshape(&u, t, ni + a->ndim, shape, s);
    if (!rc) rc = mx_zeros_like(&z, a);
    if (!rc) rc = mx_scatter(&grads[k], z, &idx, 1, u, &ax, MX_SCATTER_SUM, s);
    mx_array_release(t), mx_array_release(u), mx_array_release(z);
  }
  if (rc) release_n(grads, nargs);
  return rc;
}

int mx_jvp_take(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  const mx_int_param *p = n->params;
  mx_array *t = tangent_of(tan, argnums, nargs, 0);
  if (!t) return mx_zeros_like(&out[0], &n->out[0]);
  return mx_take(&out[0], t, n->inputs[1], p->value, false, n->stream);
}

/* Only a batched: take on the shifted axis. Only idx batched: the batch lands at ax. Both: a gather
 * of (batch, idx) pairs gives (b, I..., A[:ax], A[ax+1:]), then I moves after A[:ax]. */
int mx_vmap_take(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes) {
  const mx_int_param *p = n->params;
  mx_array *a = n->inputs[0];
  mx_stream s = n->stream;
  int ax = p->value, ni = n->inputs[1]->ndim, b = batch_size(in, axes, 2);
  mx_array *src = NULL, *idx[2] = {NULL, NULL}, *g = NULL, *r = NULL;
  if (a->ndim + ni + 2 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  int rc = mx_rule_to_front(&src, in[0], axes[0]);
  if (!rc) rc = mx_rule_to_front(&idx[1], in[1], axes[1]);
  if (!rc && axes[1] < 0) {
    out_axes[0] = 0;
    rc = mx_take(&out[0], src, idx[1], ax + 1, false, s);
  } else if (!rc && axes[0] < 0) {
    out_axes[0] = ax;
    rc = mx_take(&out[0], src, idx[1], ax, false, s);
  } else if (!rc) {
    int gaxes[2] = {0, ax + 1}, sizes[MX_MAX_NDIM], perm[MX_MAX_NDIM], j = 0;
    int32_t shape[MX_MAX_NDIM];
    sizes[0] = 1;
    for (int i = 0; i < a->ndim; i++) sizes[1 + i] = i == ax ? 1 : a->shape[i];
    rc = batch_index(&idx[0], b, ni + 1, s);
    if (!rc) rc = mx_gather(&g, src, idx, 2, gaxes, sizes, a->ndim + 1, s);
    /* (b, I..., 1, A[:ax], 1, A[ax+1:]) -> (b, I..., A[:ax], A[ax+1:]) */
    shape[j++] = b;
    for (int i = 0; i < ni; i++) shape[j++] = n->inputs[1]->shape[i];
    for (int i = 0; i < a->ndim; i++)
      if (i != ax) shape[j++] = a->shape[i];
    if (!rc) rc = mx_reshape(&r, g, j, shape, s);
    j = 0;
    perm[j++] = 0;
    for (int i = 0; i < ax; i++) perm[j++] = 1 + ni + i;
    for (int i = 0; i < ni; i++) perm[j++] = 1 + i;
    for (int i = 1 + ni + ax; i < ni + a->ndim; i++) perm[j++] = i;
    if (!rc) rc = mx_transpose(&out[0], r, perm, j, s);
    out_axes[0] = 0;
  }
  mx_array_release(src), mx_array_release(idx[0]), mx_array_release(idx[1]);
  mx_array_release(g), mx_array_release(r);
  return rc;
}

/* ---- PutAlongAxis: inputs (a, idx, upd), idx and upd of the update shape U ---- */

/* As MLX: the updates get the cotangent gathered along the axis (under none every duplicate,
 * not only the last write); under none a loses it where it was overwritten, under sum keeps it.
 * MLX has no rule for prod, max or min along an axis. */
int mx_vjp_put_along_axis(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                          mx_array **grads) {
  const mx_put_axis_params *p = n->params;
  mx_array *c = cot[0], *idx = n->inputs[1];
  mx_stream s = n->stream;
  if (p->op != MX_SCATTER_NONE && p->op != MX_SCATTER_SUM)
    return mx_error("[PutAlongAxis] The vjp is implemented for assignment and sum only.");
  int rc = 0;
  for (int k = 0; k < nargs && c && !rc; k++) {
    if (argnums[k] == 0 && p->op == MX_SCATTER_SUM) {
      grads[k] = mx_array_retain(c);
    } else if (argnums[k] == 0) {
      mx_array *z = NULL, *in[3] = {c, idx, NULL};
      rc = mx_zeros_like(&z, n->inputs[2]);
      in[2] = z;
      if (!rc) rc = mx_rule_remake(&grads[k], n, in, 3, NULL, 0);
      mx_array_release(z);
    } else if (argnums[k] == 2) {
      rc = mx_take_along_axis(&grads[k], c, idx, p->axis, false, s);
    }
  }
  if (rc) release_n(grads, nargs);
  return rc;
}

/* Linear in (a, upd) for none and sum: the same node on the tangents. */
int mx_jvp_put_along_axis(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                          mx_array **out) {
  const mx_put_axis_params *p = n->params;
  if (p->op != MX_SCATTER_NONE && p->op != MX_SCATTER_SUM)
    return mx_error("[PutAlongAxis] The jvp is implemented for assignment and sum only.");
  if (!tangent_of(tan, argnums, nargs, 0) && !tangent_of(tan, argnums, nargs, 2))
    return mx_zeros_like(&out[0], &n->out[0]);
  mx_array *in[3] = {NULL, n->inputs[1], NULL};
  int rc = tangent_or_zeros(&in[0], n, tan, argnums, nargs, 0);
  if (!rc) rc = tangent_or_zeros(&in[2], n, tan, argnums, nargs, 2);
  if (!rc) rc = mx_rule_remake(&out[0], n, in, 3, NULL, 0);
  mx_array_release(in[0]), mx_array_release(in[2]);
  return rc;
}

/* Every input of an along-axis node with the batch in front (an unbatched one broadcast along
 * it): the same node one axis further, params {.., axis} given as q (the axis already shifted). */
static int vmap_along_axis(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                           int *out_axes, const void *q, size_t qsize) {
  int b = batch_size(in, axes, n->nin), rc = 0;
  mx_array *x[3] = {NULL, NULL, NULL};
  if (n->inputs[0]->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  for (int i = 0; i < n->nin && !rc; i++)
    rc = axes[i] >= 0 ? mx_move_axis(&x[i], in[i], axes[i], 0)
                      : insert_axis(&x[i], in[i], 0, b, n->stream);
  if (!rc) rc = mx_rule_remake(&out[0], n, x, n->nin, q, qsize);
  out_axes[0] = 0;
  release_n(x, n->nin);
  return rc;
}

int mx_vmap_put_along_axis(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                           int *out_axes) {
  const mx_put_axis_params *p = n->params;
  mx_put_axis_params q = {p->op, p->axis + 1};
  return vmap_along_axis(n, in, axes, out, out_axes, &q, sizeof q);
}

/* ---- TakeAlongAxis: inputs (a, idx), output shaped like idx ---- */

int mx_shapes_take_along_axis(const void *params, mx_array *const *inputs, int nin, int *ndims,
                              int32_t (*shapes)[MX_MAX_NDIM]) {
  (void)params;
  ndims[0] = inputs[1]->ndim;
  memcpy(shapes[0], inputs[1]->shape, (size_t)inputs[1]->ndim * sizeof(int32_t));
  return 0;
}

/* The cotangent added back at the indices (a put along the axis with sum). */
int mx_vjp_take_along_axis(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                           mx_array **grads) {
  const mx_int_param *p = n->params;
  int rc = 0;
  for (int k = 0; k < nargs && cot[0] && !rc; k++) {
    if (argnums[k] != 0) continue; /* indices */
    mx_array *z = NULL;
    rc = mx_zeros_like(&z, n->inputs[0]);
    if (!rc)
      rc = mx_put_along_axis(&grads[k], z, n->inputs[1], cot[0], p->value, false, MX_SCATTER_SUM,
                             n->stream);
    mx_array_release(z);
  }
  if (rc) release_n(grads, nargs);
  return rc;
}

int mx_jvp_take_along_axis(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                           mx_array **out) {
  mx_array *t = tangent_of(tan, argnums, nargs, 0);
  if (!t) return mx_zeros_like(&out[0], &n->out[0]);
  mx_array *in[2] = {t, n->inputs[1]};
  return mx_rule_remake(&out[0], n, in, 2, NULL, 0);
}

int mx_vmap_take_along_axis(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                            int *out_axes) {
  const mx_int_param *p = n->params;
  mx_int_param q = {p->value + 1};
  return vmap_along_axis(n, in, axes, out, out_axes, &q, sizeof q);
}
