/* vjp, jvp and vmap of the shape views, slices and concatenation: Slice, SliceUpdate,
 * DynamicSlice, DynamicSliceUpdate, Squeeze, ExpandDims, AsStrided, Diagonal, Concatenate, Tril,
 * Triu, Contiguous, View (vmap only) and Depends. Each rule builds its result with ops, so rules
 * compose (grad of grad, vmap of grad).
 *
 * Most views are linear maps of input 0: their jvp replays the op on the tangent, their vmap
 * replays it on the batched input with the batch moved to axis 0 (params shifted by one), and
 * their vjp applies the adjoint (a slice update of zeros, a scatter-add, a diagonal embedding). */
#include "ops/indexing_rules_views.h"

#include <stdlib.h>
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

/* The mapped size: the batch axis length of any batched input. */
static int batch_size(mx_array *const *in, const int *axes, int nin) {
  for (int i = 0; i < nin; i++)
    if (axes[i] >= 0) return in[i]->shape[axes[i]];
  return 1;
}

/* x with its batch at axis 0: moved there, or broadcast along a new axis 0 of size batch when
 * x is unbatched (axis < 0). */
static int to_batched(mx_array **out, mx_array *x, int axis, int batch, mx_stream s) {
  if (axis >= 0) return mx_move_axis(out, x, axis, 0);
  if (x->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  int32_t shape[MX_MAX_NDIM];
  int zero = 0;
  shape[0] = batch;
  memcpy(shape + 1, x->shape, (size_t)x->ndim * sizeof(int32_t));
  mx_array *e = NULL;
  MX_TRY(mx_expand_dims(&e, x, &zero, 1, s));
  int rc = mx_broadcast_to(out, e, x->ndim + 1, shape, s);
  mx_array_release(e);
  return rc;
}

/* ---- the region of a slice: Slice, SliceUpdate, DynamicSlice, DynamicSliceUpdate ----
 *
 * Arrays passed in are shaped like the node's input 0, or (batch >= 0) have a leading batch axis
 * of that size. Params refer to the unbatched shapes. */

/* mx_slice arguments for the normalized (start, step, len) of each axis of an array of shape
 * dim. A stop of -dim - 1 stands for "before element 0" of a negative step (-1 would wrap). */
static void slice_args(int nd, const int32_t *start, const int32_t *step, const int32_t *len,
                       const int32_t *dim, int batch, int *st, int *stop, int *sp) {
  int b = batch >= 0;
  if (b) st[0] = 0, stop[0] = batch, sp[0] = 1;
  for (int i = 0; i < nd; i++) {
    int64_t e = (int64_t)start[i] + (int64_t)(len[i] - 1) * step[i] + (step[i] > 0 ? 1 : -1);
    bool empty = len[i] == 0;
    st[b + i] = empty ? 0 : start[i];
    sp[b + i] = empty ? 1 : step[i];
    stop[b + i] = empty ? 0 : (int)(e < 0 ? -(int64_t)dim[i] - 1 : e);
  }
}

static bool is_dynamic(const mx_node *n) {
  return n->prim == MX_PRIM_DYNAMIC_SLICE || n->prim == MX_PRIM_DYNAMIC_SLICE_UPDATE;
}

/* The region's shape: the Slice / DynamicSlice output, or the update's shape. */
static const int32_t *region_shape(const mx_node *n) {
  bool slice = n->prim == MX_PRIM_SLICE || n->prim == MX_PRIM_DYNAMIC_SLICE;
  return slice ? n->out[0].shape : n->inputs[1]->shape;
}

/* Static slice arguments, or dynamic axes (shifted past the batch axis) and sizes. */
typedef struct {
  int st[MX_MAX_NDIM], stop[MX_MAX_NDIM], sp[MX_MAX_NDIM]; /* static */
  int axes[MX_MAX_NDIM], naxes, sizes[MX_MAX_NDIM];        /* dynamic */
  mx_array *start;                                         /* dynamic: borrowed */
  int nd;                                                  /* with the batch axis */
} region_args;

static int region_init(const mx_node *n, int batch, region_args *r) {
  const mx_array *src = n->inputs[0];
  int b = batch >= 0, nd = src->ndim;
  if (nd + b > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  r->nd = nd + b;
  const int32_t *shape = region_shape(n);
  if (!is_dynamic(n)) {
    const mx_slice_params *p = n->params;
    slice_args(nd, p->data, p->data + nd, shape, src->shape, batch, r->st, r->stop, r->sp);
    return 0;
  }
  const mx_dynslice_params *p = n->params;
  r->naxes = p->naxes;
  for (int i = 0; i < p->naxes; i++) r->axes[i] = p->data[i] + b;
  if (b) r->sizes[0] = batch;
  for (int i = 0; i < nd; i++) r->sizes[b + i] = shape[i];
  r->start = n->inputs[n->prim == MX_PRIM_DYNAMIC_SLICE ? 1 : 2];
  return 0;
}

/* out = x[region]. */
static int region_get(mx_node *n, mx_array *x, int batch, mx_array **out) {
  region_args r;
  MX_TRY(region_init(n, batch, &r));
  if (!is_dynamic(n)) return mx_slice(out, x, r.st, r.stop, r.sp, r.nd, n->stream);
  return mx_slice_dynamic(out, x, r.start, r.axes, r.naxes, r.sizes, r.nd, n->stream);
}

/* out = x with x[region] combined with v by op (dynamic regions only overwrite). */
static int region_put(mx_node *n, mx_array *x, mx_array *v, mx_scatter_op op, int batch,
                      mx_array **out) {
  region_args r;
  MX_TRY(region_init(n, batch, &r));
  if (!is_dynamic(n)) return mx_slice_update(out, x, v, r.st, r.stop, r.sp, r.nd, op, n->stream);
  return mx_slice_update_dynamic(out, x, v, r.start, r.axes, r.naxes, n->stream);
}

/* Start i of the batched starts (batch at axis 0; (B) or (B, naxes)), normalized as the kernels
 * do: a negative start counts from the end, then it is clamped so that a slice of size fits. */
static int batched_start(mx_array **out, mx_array *starts, int i, int64_t dim, int64_t size,
                         mx_stream s) {
  int32_t b = starts->shape[0];
  mx_array *col = NULL, *v = NULL, *neg = NULL, *wrapped = NULL, *w = NULL;
  mx_array *zero = mx_array_scalar(MX_INT64, 0), *d = mx_array_scalar(MX_INT64, (double)dim);
  mx_array *hi = mx_array_scalar(MX_INT64, (double)(dim - size));
  int rc = zero && d && hi ? 0 : MX_ERR;
  if (!rc && starts->ndim == 1) {
    col = mx_array_retain(starts);
  } else if (!rc) {
    int st[2] = {0, i}, stop[2] = {b, i + 1};
    mx_array *c = NULL;
    rc = mx_slice(&c, starts, st, stop, NULL, 2, s);
    if (!rc) rc = mx_reshape(&col, c, 1, &b, s);
    mx_array_release(c);
  }
  if (!rc) rc = mx_astype(&v, col, MX_INT64, s);
  if (!rc) rc = mx_less(&neg, v, zero, s);
  if (!rc) rc = mx_add(&wrapped, v, d, s);
  if (!rc) rc = mx_where(&w, neg, wrapped, v, s);
  if (!rc) rc = mx_clip(out, w, zero, hi, s);
  mx_array *all[] = {zero, d, hi, col, v, neg, wrapped, w};
  release_n(all, 8);
  return rc;
}

/* Index arrays of a gather / scatter with the batch at axis 0 of the data: arange(B) on axis 0,
 * then the normalized batched starts on the region's axes (shifted by one). idx: 1 + naxes new
 * references. */
static int batched_indices(mx_node *n, mx_array *starts, mx_array **idx, int *gaxes, mx_stream s) {
  const mx_dynslice_params *p = n->params;
  const int32_t *size = region_shape(n);
  const mx_array *src = n->inputs[0];
  MX_TRY(mx_arange(&idx[0], 0, starts->shape[0], 1, MX_INT64, s));
  gaxes[0] = 0;
  for (int i = 0; i < p->naxes; i++) {
    int ax = p->data[i];
    gaxes[i + 1] = ax + 1;
    if (batched_start(&idx[i + 1], starts, i, src->shape[ax], size[ax], s)) {
      release_n(idx, i + 1);
      return MX_ERR;
    }
  }
  return 0;
}

/* vmap of DynamicSlice with batched starts: a gather of one slice per batch element. */
static int dynslice_gather(mx_node *n, mx_array *const *in, const int *axes, mx_array **out) {
  const mx_dynslice_params *p = n->params;
  mx_stream s = n->stream;
  int batch = batch_size(in, axes, 2), gaxes[MX_MAX_NDIM + 1], sizes[MX_MAX_NDIM + 1];
  mx_array *x = NULL, *starts = NULL, *g = NULL, *idx[MX_MAX_NDIM + 1];
  const mx_array *o = &n->out[0];
  int rc = to_batched(&x, in[0], axes[0], batch, s);
  if (!rc) rc = mx_move_axis(&starts, in[1], axes[1], 0);
  if (!rc) rc = batched_indices(n, starts, idx, gaxes, s);
  if (!rc) {
    sizes[0] = 1;
    for (int i = 0; i < o->ndim; i++) sizes[i + 1] = o->shape[i];
    rc = mx_gather(&g, x, idx, p->naxes + 1, gaxes, sizes, o->ndim + 1, s);
    release_n(idx, p->naxes + 1);
  }
  if (!rc) { /* (B, 1, size...) -> (B, size...) */
    int one = 1;
    rc = mx_squeeze(out, g, &one, 1, s);
  }
  mx_array_release(x), mx_array_release(starts), mx_array_release(g);
  return rc;
}

/* vmap of DynamicSliceUpdate with batched starts: a scatter of one update per batch element. */
static int dynupdate_scatter(mx_node *n, mx_array *const *in, const int *axes, mx_array **out) {
  const mx_dynslice_params *p = n->params;
  mx_stream s = n->stream;
  int batch = batch_size(in, axes, 3), gaxes[MX_MAX_NDIM + 1];
  mx_array *src = NULL, *upd = NULL, *u = NULL, *starts = NULL, *idx[MX_MAX_NDIM + 1];
  const mx_array *orig = n->inputs[1];
  int rc = to_batched(&src, in[0], axes[0], batch, s);
  if (!rc) rc = to_batched(&upd, in[1], axes[1], batch, s);
  if (!rc) { /* (B, slice...) -> (B, 1, slice...): one block per index position */
    int32_t shape[MX_MAX_NDIM + 1];
    shape[0] = batch;
    shape[1] = 1;
    memcpy(shape + 2, orig->shape, (size_t)orig->ndim * sizeof(int32_t));
    rc = orig->ndim + 2 > MX_MAX_NDIM ? mx_error("[vmap] Too many dimensions.")
                                      : mx_reshape(&u, upd, orig->ndim + 2, shape, s);
  }
  if (!rc) rc = mx_move_axis(&starts, in[2], axes[2], 0);
  if (!rc) rc = batched_indices(n, starts, idx, gaxes, s);
  if (!rc) {
    rc = mx_scatter(out, src, idx, p->naxes + 1, u, gaxes, (mx_scatter_op)p->op, s);
    release_n(idx, p->naxes + 1);
  }
  mx_array_release(src), mx_array_release(upd), mx_array_release(u), mx_array_release(starts);
  return rc;
}

/* ---- single-input linear views ---- */

/* Applies n's op to x, shaped like n's input 0 or (batch >= 0) with a leading batch axis. */
static int replay(mx_node *n, mx_array *x, int batch, mx_array **out) {
  mx_stream s = n->stream;
  int b = batch >= 0;
  switch (n->prim) {
  case MX_PRIM_SLICE:
  case MX_PRIM_DYNAMIC_SLICE:
    return region_get(n, x, batch, out);
  case MX_PRIM_SQUEEZE:
  case MX_PRIM_EXPAND_DIMS: {
    const mx_axes_params *p = n->params;
    int axes[MX_MAX_NDIM];
    for (int i = 0; i < p->naxes; i++) axes[i] = p->axes[i] + b;
    return n->prim == MX_PRIM_SQUEEZE ? mx_squeeze(out, x, axes, p->naxes, s)
                                      : mx_expand_dims(out, x, axes, p->naxes, s);
  }
  case MX_PRIM_AS_STRIDED: { /* batch element i starts i * size elements into the batched copy */
    const mx_as_strided_params *p = n->params;
    int32_t shape[MX_MAX_NDIM];
    int64_t strides[MX_MAX_NDIM];
    if (p->ndim + b > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
    if (b) shape[0] = batch, strides[0] = n->inputs[0]->size;
    memcpy(shape + b, p->shape, (size_t)p->ndim * sizeof(int32_t));
    memcpy(strides + b, p->strides, (size_t)p->ndim * sizeof(int64_t));
    return mx_as_strided(out, x, p->ndim + b, shape, strides, p->offset, s);
  }
  case MX_PRIM_DIAGONAL: { /* the batch axis stays first among the kept axes */
    const mx_diagonal_params *p = n->params;
    return mx_diagonal(out, x, p->offset, p->axis1 + b, p->axis2 + b, s);
  }
  case MX_PRIM_TRIL:
    return mx_tril(out, x, ((const mx_int_param *)n->params)->value, s);
  case MX_PRIM_TRIU:
    return mx_triu(out, x, ((const mx_int_param *)n->params)->value, s);
  case MX_PRIM_CONTIGUOUS:
    return mx_contiguous_layout(out, x, ((const mx_int_param *)n->params)->value != 0, s);
  case MX_PRIM_VIEW:
    return mx_view(out, x, (mx_dtype)((const mx_int_param *)n->params)->value, s);
  default:
    return mx_error("[%s] Not a view primitive.", mx_prims[n->prim].name);
  }
}

/* The adjoint of AsStrided: c scatter-added into zeros (the contiguous input) at the element
 * each output position reads; overlapping windows accumulate. */
static int strided_scatter(mx_node *n, mx_array *c, mx_array **out) {
  const mx_as_strided_params *p = n->params;
  mx_array *x = n->inputs[0], *z = NULL, *pos = NULL;
  if (c->size == 0) return mx_zeros_like(out, x);
  int64_t *at = malloc((size_t)c->size * sizeof(int64_t)), idx[MX_MAX_NDIM] = {0};
  if (!at) return mx_error("[AsStrided] Out of memory.");
  int64_t off = p->offset;
  for (int64_t e = 0; e < c->size; e++) { /* row-major walk of the output positions */
    at[e] = off;
    for (int d = p->ndim - 1; d >= 0; d--) {
      if (++idx[d] < p->shape[d]) {
        off += p->strides[d];
        break;
      }
      off -= (int64_t)(p->shape[d] - 1) * p->strides[d];
      idx[d] = 0;
    }
  }
  pos = mx_array_from_data(at, p->ndim, p->shape, MX_INT64);
  free(at);
  int rc = pos ? mx_zeros_like(&z, x) : MX_ERR;
  if (!rc) rc = mx_put_along_axis(out, z, pos, c, 0, true, MX_SCATTER_SUM, n->stream);
  mx_array_release(pos), mx_array_release(z);
  return rc;
}

/* The adjoint of Diagonal: c (kept axes..., L) written on the diagonal of zeros shaped like the
 * input. The (d1, d2) plane is flattened, where the diagonal is a slice of step d2 + 1. */
static int diagonal_embed(mx_node *n, mx_array *c, mx_array **out) {
  const mx_diagonal_params *p = n->params;
  mx_array *x = n->inputs[0];
  mx_stream s = n->stream;
  int nd = x->ndim, m = 0, perm[MX_MAX_NDIM];
  int64_t d1 = x->shape[p->axis1], d2 = x->shape[p->axis2], len = c->shape[c->ndim - 1];
  if (len == 0) return mx_zeros_like(out, x);
  if (d1 * d2 > INT32_MAX) return mx_error("[Diagonal] The vjp of this diagonal is too large.");
  int32_t shape[MX_MAX_NDIM];
  int st[MX_MAX_NDIM], stop[MX_MAX_NDIM], sp[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) {
    if (i == p->axis1 || i == p->axis2) continue;
    perm[i] = m;
    st[m] = 0, sp[m] = 1, stop[m] = x->shape[i];
    shape[m++] = x->shape[i];
  }
  perm[p->axis1] = nd - 2, perm[p->axis2] = nd - 1;
  int64_t first = (p->offset < 0 ? -(int64_t)p->offset : 0) * d2 + (p->offset > 0 ? p->offset : 0);
  st[m] = (int)first, sp[m] = (int)(d2 + 1), stop[m] = (int)(first + (len - 1) * (d2 + 1) + 1);
  shape[m] = (int32_t)(d1 * d2);
  mx_array *z = NULL, *u = NULL, *r = NULL;
  int rc = mx_zeros(&z, m + 1, shape, (mx_dtype)c->dtype, s);
  if (!rc) rc = mx_slice_update(&u, z, c, st, stop, sp, m + 1, MX_SCATTER_NONE, s);
  shape[m] = (int32_t)d1, shape[m + 1] = (int32_t)d2;
  if (!rc) rc = mx_reshape(&r, u, nd, shape, s);
  if (!rc) rc = mx_transpose(out, r, perm, nd, s);
  mx_array_release(z), mx_array_release(u), mx_array_release(r);
  return rc;
}

/* The adjoint of a single-input view applied to the cotangent c. */
static int view_adjoint(mx_node *n, mx_array *c, mx_array **out) {
  switch (n->prim) {
  case MX_PRIM_SLICE:
  case MX_PRIM_DYNAMIC_SLICE: {
    mx_array *z = NULL;
    MX_TRY(mx_zeros_like(&z, n->inputs[0]));
    int rc = region_put(n, z, c, MX_SCATTER_NONE, -1, out);
    mx_array_release(z);
    return rc;
  }
  case MX_PRIM_SQUEEZE: { /* the removed input axes come back as size-1 axes */
    const mx_axes_params *p = n->params;
    return mx_expand_dims(out, c, p->axes, p->naxes, n->stream);
  }
  case MX_PRIM_EXPAND_DIMS: {
    const mx_axes_params *p = n->params;
    return mx_squeeze(out, c, p->axes, p->naxes, n->stream);
  }
  case MX_PRIM_AS_STRIDED:
    return strided_scatter(n, c, out);
  case MX_PRIM_DIAGONAL:
    return diagonal_embed(n, c, out);
  default:
    return replay(n, c, -1, out); /* Tril, Triu: masks; Contiguous: the identity */
  }
}

int mx_vjp_views(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                 mx_array **grads) {
  for (int k = 0; k < nargs; k++) {
    if (argnums[k] != 0) continue; /* DynamicSlice's integer start: no gradient */
    int rc = view_adjoint(n, cot[0], &grads[k]);
    if (rc) return release_n(grads, k), rc;
  }
  return 0;
}

int mx_jvp_views(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  for (int k = 0; k < nargs; k++)
    if (argnums[k] == 0 && tan[k]) return replay(n, tan[k], -1, &out[0]);
  return mx_zeros_like(&out[0], &n->out[0]);
}

int mx_vmap_views(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes) {
  out_axes[0] = 0;
  if (n->prim == MX_PRIM_DYNAMIC_SLICE && axes[1] >= 0) return dynslice_gather(n, in, axes, out);
  mx_array *front = NULL;
  MX_TRY(mx_move_axis(&front, in[0], axes[0], 0));
  int rc = replay(n, front, front->shape[0], &out[0]);
  mx_array_release(front);
  return rc;
}

/* ---- SliceUpdate, DynamicSliceUpdate: out = src with src[region] = op(src[region], update) ----
 */

static mx_scatter_op update_op(const mx_node *n) {
  if (is_dynamic(n)) return (mx_scatter_op)((const mx_dynslice_params *)n->params)->op;
  return (mx_scatter_op)((const mx_slice_params *)n->params)->op;
}

/* A derivative of the region's value with respect to src[region] or the update, elementwise:
 * an array shaped like the update, or a constant 0 or 1 (a == NULL). */
typedef struct {
  mx_array *a;
  bool one;
} factor;

/* out = f * x; NULL (zero) when f or x is zero. */
static int scale(factor f, mx_array *x, mx_stream s, mx_array **out) {
  *out = NULL;
  if (!x || (!f.a && !f.one)) return 0;
  if (f.one) return (*out = mx_array_retain(x)), 0;
  return mx_multiply(out, f.a, x, s);
}

/* out = (a == b) as a's dtype. */
static int mask_equal(mx_array *a, mx_array *b, mx_stream s, mx_array **out) {
  mx_array *m = NULL;
  MX_TRY(mx_equal(&m, a, b, s));
  int rc = mx_astype(out, m, (mx_dtype)a->dtype, s);
  mx_array_release(m);
  return rc;
}

/* d region / d src[region] (fs) and d region / d update (fu) for the node's op. Max and min
 * pass the derivative to each side equal to the result, to both on a tie (as MLX does). */
static int update_factors(mx_node *n, factor *fs, factor *fu) {
  mx_scatter_op op = update_op(n);
  *fs = (factor){NULL, op == MX_SCATTER_SUM};
  *fu = (factor){NULL, op == MX_SCATTER_NONE || op == MX_SCATTER_SUM};
  if (op == MX_SCATTER_NONE || op == MX_SCATTER_SUM) return 0;
  mx_array *x = NULL, *o = NULL, *u = n->inputs[1];
  MX_TRY(region_get(n, n->inputs[0], -1, &x));
  int rc = 0;
  if (op == MX_SCATTER_PROD) {
    fs->a = mx_array_retain(u);
    fu->a = mx_array_retain(x);
  } else {
    rc = region_get(n, &n->out[0], -1, &o);
    if (!rc) rc = mask_equal(x, o, n->stream, &fs->a);
    if (!rc) rc = mask_equal(u, o, n->stream, &fu->a);
  }
  mx_array_release(x), mx_array_release(o);
  if (rc) mx_array_release(fs->a), mx_array_release(fu->a);
  return rc;
}

int mx_vjp_slice_update(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                        mx_array **grads) {
  factor fs, fu;
  mx_array *c = cot[0], *cs = NULL;
  MX_TRY(update_factors(n, &fs, &fu));
  int rc = region_get(n, c, -1, &cs);
  for (int k = 0; k < nargs && !rc; k++) {
    if (argnums[k] == 1) {
      rc = scale(fu, cs, n->stream, &grads[k]);
    } else if (argnums[k] == 0 && fs.one) {
      grads[k] = mx_array_retain(c);
    } else if (argnums[k] == 0) { /* c with its region replaced by fs * c[region] */
      mx_array *v = NULL;
      rc = scale(fs, cs, n->stream, &v);
      if (!rc && !v) rc = mx_zeros_like(&v, n->inputs[1]);
      if (!rc) rc = region_put(n, c, v, MX_SCATTER_NONE, -1, &grads[k]);
      mx_array_release(v);
    } /* argnum 2: DynamicSliceUpdate's integer start, no gradient */
    if (rc) release_n(grads, k);
  }
  mx_array_release(cs), mx_array_release(fs.a), mx_array_release(fu.a);
  return rc;
}

int mx_jvp_slice_update(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                        mx_array **out) {
  mx_array *tsrc = NULL, *tupd = NULL;
  for (int k = 0; k < nargs; k++) {
    if (argnums[k] == 0) tsrc = tan[k];
    if (argnums[k] == 1) tupd = tan[k];
  }
  if (!tsrc && !tupd) return mx_zeros_like(&out[0], &n->out[0]);
  /* out' = tsrc with its region replaced by fs * tsrc[region] + fu * tupd */
  factor fs, fu;
  mx_array *ts = NULL, *a = NULL, *b = NULL, *inner = NULL, *base = NULL;
  MX_TRY(update_factors(n, &fs, &fu));
  int rc = tsrc ? region_get(n, tsrc, -1, &ts) : 0;
  if (!rc) rc = scale(fs, ts, n->stream, &a);
  if (!rc) rc = scale(fu, tupd, n->stream, &b);
  if (!rc) {
    rc = mx_rule_add_owned(&inner, a, b, n->stream); /* takes over a and b */
    a = b = NULL;
  }
  if (!rc && !inner) rc = mx_zeros_like(&inner, n->inputs[1]);
  if (!rc) rc = tsrc ? ((base = mx_array_retain(tsrc)), 0) : mx_zeros_like(&base, n->inputs[0]);
  if (!rc) rc = region_put(n, base, inner, MX_SCATTER_NONE, -1, &out[0]);
  mx_array *all[] = {ts, a, b, inner, base, fs.a, fu.a};
  release_n(all, 7);
  return rc;
}

int mx_vmap_slice_update(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                         int *out_axes) {
  out_axes[0] = 0;
  if (n->prim == MX_PRIM_DYNAMIC_SLICE_UPDATE && axes[2] >= 0)
    return dynupdate_scatter(n, in, axes, out);
  int batch = batch_size(in, axes, 2);
  mx_array *src = NULL, *upd = NULL;
  /* an unbatched update broadcasts over the batched region */
  int rc = to_batched(&src, in[0], axes[0], batch, n->stream);
  if (!rc) rc = mx_rule_to_front(&upd, in[1], axes[1]);
  if (!rc) rc = region_put(n, src, upd, update_op(n), batch, &out[0]);
  mx_array_release(src), mx_array_release(upd);
  return rc;
}

/* ---- Concatenate: inputs of one dtype joined along axis ---- */

int mx_vjp_concatenate(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                       mx_array **grads) {
  int ax = ((const mx_int_param *)n->params)->value, nd = n->out[0].ndim;
  int st[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM];
  for (int d = 0; d < nd; d++) stop[d] = n->out[0].shape[d];
  for (int k = 0; k < nargs; k++) { /* input i is cot[off_i : off_i + len_i] along ax */
    int i = argnums[k], off = 0;
    for (int j = 0; j < i; j++) off += n->inputs[j]->shape[ax];
    st[ax] = off, stop[ax] = off + n->inputs[i]->shape[ax];
    int rc = mx_slice(&grads[k], cot[0], st, stop, NULL, nd, n->stream);
    if (rc) return release_n(grads, k), rc;
  }
  return 0;
}

int mx_jvp_concatenate(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                       mx_array **out) {
  int ax = ((const mx_int_param *)n->params)->value, rc = 0, made = 0;
  mx_array **parts = calloc((size_t)n->nin, sizeof(mx_array *));
  if (!parts) return mx_error("[Concatenate] Out of memory.");
  for (int k = 0; k < nargs; k++)
    if (tan[k]) parts[argnums[k]] = mx_array_retain(tan[k]);
  for (; made < n->nin && !rc; made++)
    if (!parts[made]) rc = mx_zeros_like(&parts[made], n->inputs[made]);
  if (!rc) rc = mx_concatenate(&out[0], parts, n->nin, ax, n->stream);
  release_n(parts, n->nin);
  free(parts);
  return rc;
}

int mx_vmap_concatenate(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                        int *out_axes) {
  int ax = ((const mx_int_param *)n->params)->value, rc = 0;
  int batch = batch_size(in, axes, n->nin);
  mx_array **parts = calloc((size_t)n->nin, sizeof(mx_array *));
  if (!parts) return mx_error("[Concatenate] Out of memory.");
  for (int i = 0; i < n->nin && !rc; i++)
    rc = to_batched(&parts[i], in[i], axes[i], batch, n->stream);
  if (!rc) rc = mx_concatenate(&out[0], parts, n->nin, ax + 1, n->stream);
  release_n(parts, n->nin);
  free(parts);
  out_axes[0] = 0;
  return rc;
}

/* ---- Depends: output o is input o; the inputs past the outputs only order evaluation ---- */

int mx_vjp_depends(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                   mx_array **grads) {
  for (int k = 0; k < nargs; k++)
    if (argnums[k] < n->nout && cot[argnums[k]]) grads[k] = mx_array_retain(cot[argnums[k]]);
  return 0;
}

int mx_jvp_depends(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                   mx_array **out) {
  for (int k = 0; k < nargs; k++)
    if (argnums[k] < n->nout && tan[k]) out[argnums[k]] = mx_array_retain(tan[k]);
  for (int o = 0; o < n->nout; o++) {
    int rc = out[o] ? 0 : mx_zeros_like(&out[o], &n->out[o]);
    if (rc) return release_n(out, n->nout), rc;
  }
  return 0;
}

int mx_vmap_depends(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                    int *out_axes) {
  int nout = n->nout, batch = batch_size(in, axes, n->nin), rc = 0;
  mx_array **pass = calloc((size_t)nout, sizeof(mx_array *));
  if (!pass) return mx_error("[Depends] Out of memory.");
  /* a batched output keeps its input's batch axis; an unbatched one is broadcast at axis 0 */
  for (int o = 0; o < nout && !rc; o++) {
    out_axes[o] = axes[o] >= 0 ? axes[o] : 0;
    rc = axes[o] >= 0 ? ((pass[o] = mx_array_retain(in[o])), 0)
                      : to_batched(&pass[o], in[o], -1, batch, n->stream);
  }
  if (!rc) rc = mx_depends(out, pass, nout, in + nout, n->nin - nout, n->stream);
  release_n(pass, nout);
  free(pass);
  return rc;
}
