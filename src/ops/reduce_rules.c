/* vjp, jvp and vmap of the reduction family: Reduce (sum, prod, max, min, all, any), ArgReduce,
 * Scan (cumsum, cumprod, cummax, cummin, logcumsumexp), Sort, ArgSort, Partition, ArgPartition,
 * TopK, Softmax, LogSumExp. Rules build their results with ops, so they compose. Subgradients
 * are MLX's (ties of max/min share the cotangent, cummax's latest tie takes it, ...). */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "core/transforms.h"
#include "ops/ops.h"
#include "ops/params.h"

/* ---- scratch: op wrappers that keep their results in an arena and pass NULL (an error already
 * reported) through, so that a rule reads as one expression ---- */

typedef struct {
  mx_array *a[48];
  int n;
  mx_stream s;
} arena;

/* Keeps *pa, the result of an op call that returned rc (read here, after the call ran). */
static mx_array *keep(arena *T, int rc, mx_array **pa) {
  mx_array *a = *pa;
  if (rc) return NULL;
  if (T->n == (int)(sizeof T->a / sizeof T->a[0])) {
    mx_array_release(a);
    mx_error("[transforms] Out of scratch space in a reduction rule.");
    return NULL;
  }
  return T->a[T->n++] = a;
}

/* Hands r out as a new reference and frees the scratch; MX_ERR when r is NULL. */
static int finish(arena *T, mx_array *r, mx_array **out) {
  if (r) *out = mx_array_retain(r);
  for (int i = 0; i < T->n; i++) mx_array_release(T->a[i]);
  T->n = 0;
  return r ? 0 : MX_ERR;
}

#define UNARY(name, op)                                                                            \
  static mx_array *name(arena *T, mx_array *a) {                                                   \
    mx_array *o = NULL;                                                                            \
    return a ? keep(T, op(&o, a, T->s), &o) : NULL;                                                \
  }
#define BINARY(name, op)                                                                           \
  static mx_array *name(arena *T, mx_array *a, mx_array *b) {                                      \
    mx_array *o = NULL;                                                                            \
    return a && b ? keep(T, op(&o, a, b, T->s), &o) : NULL;                                        \
  }
UNARY(exp_, mx_exp)
UNARY(log_, mx_log)
UNARY(abs_, mx_abs)
UNARY(neg, mx_negative)
UNARY(not_, mx_logical_not)
BINARY(add, mx_add)
BINARY(sub, mx_subtract)
BINARY(mul, mx_multiply)
BINARY(div_, mx_divide)
BINARY(eq, mx_equal)
BINARY(gt, mx_greater)
BINARY(lt, mx_less)
BINARY(ge, mx_greater_equal)
BINARY(and_, mx_logical_and)
#undef UNARY
#undef BINARY

static mx_array *scalar(arena *T, int dtype, double v) {
  mx_array *o = mx_array_scalar((mx_dtype)dtype, v);
  return o ? keep(T, 0, &o) : NULL;
}

static mx_array *where(arena *T, mx_array *c, mx_array *x, mx_array *y) {
  mx_array *o = NULL;
  return c && x && y ? keep(T, mx_where(&o, c, x, y, T->s), &o) : NULL;
}

static mx_array *zeros(arena *T, int ndim, const int32_t *shape, int dtype) {
  mx_array *o = NULL;
  return keep(T, mx_zeros(&o, ndim, shape, (mx_dtype)dtype, T->s), &o);
}

static mx_array *reshape(arena *T, mx_array *a, int ndim, const int32_t *shape) {
  mx_array *o = NULL;
  return a ? keep(T, mx_reshape(&o, a, ndim, shape, T->s), &o) : NULL;
}

static mx_array *transpose(arena *T, mx_array *a, const int *perm) {
  mx_array *o = NULL;
  return a ? keep(T, mx_transpose(&o, a, perm, a->ndim, T->s), &o) : NULL;
}

/* Sum over axes, keeping them as size 1. */
static mx_array *sum_keep(arena *T, mx_array *a, const int32_t *axes, int naxes) {
  int ax[MX_MAX_NDIM];
  mx_array *o = NULL;
  for (int i = 0; i < naxes; i++) ax[i] = axes[i];
  return a ? keep(T, mx_sum(&o, a, ax, naxes, true, T->s), &o) : NULL;
}

static mx_array *sum_last(arena *T, mx_array *a) {
  int32_t last = a ? a->ndim - 1 : 0;
  return sum_keep(T, a, &last, 1);
}

typedef int (*scan_op)(mx_array **, mx_array *, int, bool, bool, mx_stream);
static const scan_op scan_ops[] = {[MX_SCAN_SUM] = mx_cumsum,
                                   [MX_SCAN_PROD] = mx_cumprod,
                                   [MX_SCAN_MAX] = mx_cummax,
                                   [MX_SCAN_MIN] = mx_cummin,
                                   [MX_SCAN_LOGADDEXP] = mx_logcumsumexp};

static mx_array *scan(arena *T, int op, mx_array *a, int axis, bool reverse, bool inclusive) {
  mx_array *o = NULL;
  return a ? keep(T, scan_ops[op](&o, a, axis, reverse, inclusive, T->s), &o) : NULL;
}

/* argmax (max) or argmin along axis, keeping it. */
static mx_array *arg_extremum(arena *T, bool max, mx_array *a, int axis) {
  mx_array *o = NULL;
  return a ? keep(T, (max ? mx_argmax : mx_argmin)(&o, a, axis, false, true, T->s), &o) : NULL;
}

static mx_array *take_along(arena *T, mx_array *a, mx_array *idx, int axis) {
  mx_array *o = NULL;
  return a && idx ? keep(T, mx_take_along_axis(&o, a, idx, axis, false, T->s), &o) : NULL;
}

/* Zeros like `like` with v added at idx along axis (several hits on one element add up). */
static mx_array *put_along(arena *T, mx_array *like, mx_array *idx, mx_array *v, int axis) {
  mx_array *z = v ? zeros(T, like->ndim, like->shape, v->dtype) : NULL, *o = NULL;
  return z && idx ? keep(T, mx_put_along_axis(&o, z, idx, v, axis, false, MX_SCATTER_SUM, T->s), &o)
                  : NULL;
}

/* ---- integer and boolean outputs (ArgReduce, ArgSort, ArgPartition; all, any) ---- */

int mx_vjp_index(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                 mx_array **grads) {
  return mx_zeros_like(&grads[0], n->inputs[0]);
}

/* No derivative flows. The zeros have the output's shape and, as MLX's, the output's dtype for
 * ArgReduce and ArgSort, the tangent's for ArgPartition, all and any. */
int mx_jvp_index(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  mx_array *o = &n->out[0];
  bool tangent_dtype = n->prim == MX_PRIM_ARGPARTITION || n->prim == MX_PRIM_REDUCE;
  int dtype = !tangent_dtype ? o->dtype : tan[0] ? tan[0]->dtype : n->inputs[0]->dtype;
  return mx_zeros(&out[0], o->ndim, o->shape, (mx_dtype)dtype, n->stream);
}

/* ---- vmap: the whole family keeps the batch axis where it is ---- */

/* The primitive again on the batched input x (batch at axis b), its axis parameters shifted
 * past b. Softmax and LogSumExp work on the last axis: a batch there moves to the front. */
int mx_vmap_reduce(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                   int *out_axes) {
  int32_t params[8 + MX_MAX_NDIM]; /* every parameter block here is int32 fields */
  int b = axes[0], ndim, rc = 0;
  int32_t shape[1][MX_MAX_NDIM];
  mx_array *x = NULL;
  if (n->params_size > sizeof params) return mx_error("[vmap] Parameters too large.");
  if (n->params_size) memcpy(params, n->params, n->params_size);
#define SHIFT(ax) ((ax) += (ax) >= b)
  switch (n->prim) {
  case MX_PRIM_REDUCE: {
    mx_reduce_params *p = (mx_reduce_params *)params;
    for (int i = 0; i < p->naxes; i++) SHIFT(p->axes[i]);
    break;
  }
  case MX_PRIM_ARG_REDUCE:
    SHIFT(((mx_argreduce_params *)params)->axis);
    break;
  case MX_PRIM_SCAN:
    SHIFT(((mx_scan_params *)params)->axis);
    break;
  case MX_PRIM_SOFTMAX:
  case MX_PRIM_LOGSUMEXP:
    if (b == in[0]->ndim - 1) {
      MX_TRY(mx_move_axis(&x, in[0], b, 0));
      b = 0;
    }
    break;
  default: /* sort, argsort, partition, argpartition, topk */
    SHIFT(((mx_sort_params *)params)->axis);
    break;
  }
#undef SHIFT
  if (!x) x = mx_array_retain(in[0]);
  rc = mx_prim_output_shapes(n->prim, params, &x, 1, &ndim, shape);
  if (!rc) {
    out[0] = mx_array_make(n->prim, n->params_size ? params : NULL, n->params_size, &x, 1, ndim,
                           shape[0], (mx_dtype)n->out[0].dtype, n->stream);
    rc = out[0] ? 0 : MX_ERR;
  }
  mx_array_release(x);
  out_axes[0] = b;
  return rc;
}

/* ---- Reduce: the output keeps the input's rank, reduced axes of size 1 ---- */

/* perm: the kept axes in order, then the reduced ones; returns the number kept. */
static int reduced_last(const mx_reduce_params *p, int ndim, int *perm) {
  int k = 0;
  for (int i = 0, j = 0; i < ndim; i++) {
    if (j < p->naxes && p->axes[j] == i)
      j++;
    else
      perm[k++] = i;
  }
  for (int j = 0; j < p->naxes; j++) perm[k + j] = p->axes[j];
  return k;
}

/* x with the reduced elements along one axis (*axis): a single reduced axis stays in place,
 * several move last and merge. */
static mx_array *to_rows(arena *T, mx_array *x, const mx_reduce_params *p, int *axis) {
  int perm[MX_MAX_NDIM];
  int32_t shape[MX_MAX_NDIM];
  if (p->naxes == 1 || !x) return *axis = p->axes[0], x;
  int kept = reduced_last(p, x->ndim, perm);
  shape[kept] = 1;
  for (int i = 0; i < x->ndim; i++) {
    if (i < kept)
      shape[i] = x->shape[perm[i]];
    else
      shape[kept] *= x->shape[perm[i]];
  }
  *axis = kept;
  return reshape(T, transpose(T, x, perm), kept + 1, shape);
}

/* The inverse of to_rows for an array r of x's size. */
static mx_array *from_rows(arena *T, mx_array *r, mx_array *x, const mx_reduce_params *p) {
  int perm[MX_MAX_NDIM], inverse[MX_MAX_NDIM];
  int32_t shape[MX_MAX_NDIM];
  if (p->naxes == 1) return r;
  reduced_last(p, x->ndim, perm);
  for (int i = 0; i < x->ndim; i++) {
    shape[i] = x->shape[perm[i]];
    inverse[perm[i]] = i;
  }
  return transpose(T, reshape(T, r, x->ndim, shape), inverse);
}

/* prod's d out / d x: the product of the other elements of each reduced slice, from two
 * exclusive cumprods, so zeros in the input are exact (as MLX). */
static mx_array *others_product(arena *T, mx_array *x, const mx_reduce_params *p) {
  int ax = 0;
  mx_array *r = to_rows(T, x, p, &ax);
  mx_array *before = scan(T, MX_SCAN_PROD, r, ax, false, false);
  return from_rows(T, mul(T, before, scan(T, MX_SCAN_PROD, r, ax, true, false)), x, p);
}

int mx_vjp_reduce(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                  mx_array **grads) {
  const mx_reduce_params *p = n->params;
  mx_array *x = n->inputs[0], *c = cot[0], *r = NULL, *mask;
  arena T = {.s = n->stream};
  switch (p->op) {
  case MX_REDUCE_SUM:
    return mx_broadcast_to(&grads[0], c, x->ndim, x->shape, n->stream);
  case MX_REDUCE_PROD:
    r = mul(&T, c, others_product(&T, x, p));
    break;
  case MX_REDUCE_MAX:
  case MX_REDUCE_MIN: /* ties share the cotangent evenly (as MLX) */
    mask = eq(&T, x, &n->out[0]);
    r = mul(&T, div_(&T, c, sum_keep(&T, mask, p->axes, p->naxes)), mask);
    break;
  default:
    return mx_vjp_index(n, cot, argnums, nargs, grads); /* all, any */
  }
  return finish(&T, r, &grads[0]);
}

int mx_jvp_reduce(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  const mx_reduce_params *p = n->params;
  mx_array *x = n->inputs[0], *t = tan[0], *o = &n->out[0], *r = NULL;
  arena T = {.s = n->stream};
  if (!t) return mx_zeros_like(&out[0], o);
  switch (p->op) {
  case MX_REDUCE_SUM:
    r = sum_keep(&T, t, p->axes, p->naxes);
    break;
  case MX_REDUCE_PROD:
    r = sum_keep(&T, mul(&T, t, others_product(&T, x, p)), p->axes, p->naxes);
    break;
  case MX_REDUCE_MAX:
  case MX_REDUCE_MIN: { /* the tangent at the first extremum in row-major order (as MLX) */
    int ax = 0;
    mx_array *xr = to_rows(&T, x, p, &ax), *tr = to_rows(&T, t, p, &ax);
    mx_array *idx = arg_extremum(&T, p->op == MX_REDUCE_MAX, xr, ax);
    r = reshape(&T, take_along(&T, tr, idx, ax), o->ndim, o->shape);
    break;
  }
  default:
    return mx_jvp_index(n, tan, argnums, nargs, out); /* all, any */
  }
  return finish(&T, r, &out[0]);
}

/* ---- Scan ---- */

/* cumprod with zeros (as MLX). With fz the first zero in scan order, y the output and y1 the
 * cumprod of x with fz replaced by 1: d y_i / d x_k is y_i / x_k for x_k != 0 (k scanned by i),
 * y1_i for k = fz, and 0 for later zeros. */
typedef struct {
  mx_array *zero, *nz, *fz, *xs, *y1; /* nz: x != 0; xs: x with zeros replaced by 1 */
} prod_parts;

static void prod_parts_of(arena *T, mx_node *n, prod_parts *q) {
  const mx_scan_params *p = n->params;
  mx_array *x = n->inputs[0], *one = scalar(T, x->dtype, 1);
  mx_array *z = eq(T, x, q->zero = scalar(T, x->dtype, 0));
  mx_array *nth = scan(T, MX_SCAN_SUM, z, p->axis, p->reverse, true);
  q->fz = and_(T, z, eq(T, nth, scalar(T, MX_INT32, 1)));
  q->nz = not_(T, z);
  q->xs = where(T, z, one, x);
  q->y1 = scan(T, MX_SCAN_PROD, where(T, q->fz, one, x), p->axis, p->reverse, p->inclusive);
}

/* cummax, cummin: the input index each output copies (the latest in scan order equal to the
 * running extremum, as MLX), 0 where *valid is false (an exclusive scan's first output). */
static mx_array *scan_sources(arena *T, mx_node *n, mx_array **valid) {
  const mx_scan_params *p = n->params;
  mx_array *x = n->inputs[0], *range = NULL;
  int len = x->shape[p->axis];
  int32_t shape[MX_MAX_NDIM];
  for (int i = 0; i < x->ndim; i++) shape[i] = i == p->axis ? len : 1;
  mx_array *run = p->inclusive ? &n->out[0] : scan(T, p->op, x, p->axis, p->reverse, true);
  range = keep(T, mx_arange(&range, 0, len, 1, MX_INT32, T->s), &range);
  mx_array *pos = reshape(T, range, x->ndim, shape);
  mx_array *none = scalar(T, MX_INT32, p->reverse ? len : -1);
  mx_array *src = scan(T, p->reverse ? MX_SCAN_MIN : MX_SCAN_MAX,
                       where(T, eq(T, x, run), pos, none), p->axis, p->reverse, p->inclusive);
  mx_array *zero = scalar(T, MX_INT32, 0);
  *valid = p->reverse ? lt(T, src, scalar(T, MX_INT32, len)) : ge(T, src, zero);
  return where(T, *valid, src, zero);
}

/* exp(scan(log v+ + a) + b) - exp(scan(log v- + a) + b) with the logaddexp scan: v split by sign
 * so that the logs exist (the stable form of logcumsumexp's derivatives, as MLX). */
static mx_array *signed_lse(arena *T, mx_array *v, mx_array *a, mx_array *b, int axis, bool reverse,
                            bool inclusive) {
  if (!v) return NULL;
  mx_array *ninf = scalar(T, v->dtype, -INFINITY), *zero = scalar(T, v->dtype, 0);
  mx_array *lv = log_(T, abs_(T, v)), *part[2];
  for (int k = 0; k < 2; k++) {
    mx_array *l = where(T, k ? lt(T, v, zero) : gt(T, v, zero), lv, ninf);
    part[k] =
        exp_(T, add(T, scan(T, MX_SCAN_LOGADDEXP, add(T, l, a), axis, reverse, inclusive), b));
  }
  return sub(T, part[0], part[1]);
}

/* -y, but -inf where y = -inf: an output that sums no exp (an exclusive scan's first, or one
 * over -inf inputs only) depends on nothing, and -inf + inf would be NaN (also in the rules
 * of the rules, for higher orders). */
static mx_array *neg_finite(arena *T, mx_array *y) {
  mx_array *ninf = scalar(T, y->dtype, -INFINITY);
  return where(T, gt(T, y, ninf), neg(T, y), ninf);
}

int mx_vjp_scan(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads) {
  const mx_scan_params *p = n->params;
  mx_array *x = n->inputs[0], *y = &n->out[0], *c = cot[0], *r = NULL, *valid = NULL;
  bool back = !p->reverse, incl = p->inclusive; /* the transpose of a scan runs the other way */
  arena T = {.s = n->stream};
  prod_parts q;
  switch (p->op) {
  case MX_SCAN_SUM:
    r = scan(&T, MX_SCAN_SUM, c, p->axis, back, incl);
    break;
  case MX_SCAN_PROD:
    prod_parts_of(&T, n, &q);
    r = where(
        &T, q.nz, div_(&T, scan(&T, MX_SCAN_SUM, mul(&T, c, y), p->axis, back, incl), q.xs),
        where(&T, q.fz, scan(&T, MX_SCAN_SUM, mul(&T, c, q.y1), p->axis, back, incl), q.zero));
    break;
  case MX_SCAN_MAX:
  case MX_SCAN_MIN: {
    mx_array *src = scan_sources(&T, n, &valid);
    r = put_along(&T, x, src, where(&T, valid, c, scalar(&T, c->dtype, 0)), p->axis);
    break;
  }
  default:
    r = signed_lse(&T, c, neg_finite(&T, y), x, p->axis, back, incl);
    break;
  }
  return finish(&T, r, &grads[0]);
}

int mx_jvp_scan(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  const mx_scan_params *p = n->params;
  mx_array *x = n->inputs[0], *y = &n->out[0], *t = tan[0], *r = NULL, *valid = NULL;
  bool rev = p->reverse, incl = p->inclusive;
  arena T = {.s = n->stream};
  prod_parts q;
  if (!t) return mx_zeros_like(&out[0], y);
  switch (p->op) {
  case MX_SCAN_SUM:
    r = scan(&T, MX_SCAN_SUM, t, p->axis, rev, incl);
    break;
  case MX_SCAN_PROD: {
    prod_parts_of(&T, n, &q);
    mx_array *ratio = where(&T, q.nz, div_(&T, t, q.xs), q.zero);
    r = add(&T, mul(&T, y, scan(&T, MX_SCAN_SUM, ratio, p->axis, rev, incl)),
            mul(&T, q.y1, scan(&T, MX_SCAN_SUM, where(&T, q.fz, t, q.zero), p->axis, rev, incl)));
    break;
  }
  case MX_SCAN_MAX:
  case MX_SCAN_MIN: {
    mx_array *src = scan_sources(&T, n, &valid);
    r = where(&T, valid, take_along(&T, t, src, p->axis), scalar(&T, t->dtype, 0));
    break;
  }
  default:
    r = signed_lse(&T, t, x, neg_finite(&T, y), p->axis, rev, incl);
    break;
  }
  return finish(&T, r, &out[0]);
}

/* ---- Sort, Partition, TopK: outputs are input elements moved by a permutation ---- */

/* The input index of each output element: argsort, argpartition, or for TopK the tail (from
 * kth) of the argpartition around kth, which is where the TopK kernel's elements come from. */
static mx_array *sort_sources(arena *T, mx_node *n) {
  const mx_sort_params *p = n->params;
  mx_array *x = n->inputs[0], *idx = NULL, *tail = NULL;
  if (n->prim == MX_PRIM_SORT) return keep(T, mx_argsort(&idx, x, p->axis, false, T->s), &idx);
  if (!keep(T, mx_argpartition(&idx, x, p->kth, p->axis, false, T->s), &idx)) return NULL;
  if (n->prim != MX_PRIM_TOPK) return idx;
  int start[MX_MAX_NDIM], stop[MX_MAX_NDIM];
  for (int i = 0; i < x->ndim; i++) start[i] = 0, stop[i] = x->shape[i];
  start[p->axis] = p->kth;
  return keep(T, mx_slice(&tail, idx, start, stop, NULL, x->ndim, T->s), &tail);
}

int mx_vjp_sort(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads) {
  const mx_sort_params *p = n->params;
  arena T = {.s = n->stream};
  return finish(&T, put_along(&T, n->inputs[0], sort_sources(&T, n), cot[0], p->axis), &grads[0]);
}

int mx_jvp_sort(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  const mx_sort_params *p = n->params;
  arena T = {.s = n->stream};
  if (!tan[0]) return mx_zeros_like(&out[0], &n->out[0]);
  return finish(&T, take_along(&T, tan[0], sort_sources(&T, n), p->axis), &out[0]);
}

/* ---- Softmax, LogSumExp (along the last axis) ---- */

/* d softmax . v = s v - s sum(s v): the Jacobian is symmetric, so the vjp and jvp agree. */
static int softmax_apply(mx_node *n, mx_array *v, mx_array **out) {
  arena T = {.s = n->stream};
  mx_array *s = &n->out[0], *sv = mul(&T, s, v);
  return finish(&T, sub(&T, sv, mul(&T, s, sum_last(&T, sv))), out);
}

int mx_vjp_softmax(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                   mx_array **grads) {
  return softmax_apply(n, cot[0], &grads[0]);
}

int mx_jvp_softmax(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                   mx_array **out) {
  if (!tan[0]) return mx_zeros_like(&out[0], &n->out[0]);
  return softmax_apply(n, tan[0], &out[0]);
}

/* d logsumexp / d x = softmax(x) (the output keeps the last axis with size 1). */
static mx_array *lse_weights(arena *T, mx_node *n) {
  mx_array *o = NULL;
  int last = n->inputs[0]->ndim - 1;
  return keep(T, mx_softmax(&o, n->inputs[0], &last, 1, true, T->s), &o);
}

int mx_vjp_logsumexp(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                     mx_array **grads) {
  arena T = {.s = n->stream};
  return finish(&T, mul(&T, cot[0], lse_weights(&T, n)), &grads[0]);
}

int mx_jvp_logsumexp(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                     mx_array **out) {
  arena T = {.s = n->stream};
  if (!tan[0]) return mx_zeros_like(&out[0], &n->out[0]);
  return finish(&T, sum_last(&T, mul(&T, tan[0], lse_weights(&T, n))), &out[0]);
}
