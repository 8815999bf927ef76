/* Ops of the reduction family beyond the REDUCE primitive (reduction.c): statistics (mean, var,
 * std, median, logsumexp), softmax, argmin/argmax, scans, sort, partition, topk; and the
 * output_shapes rules of this family's primitives. */
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/params.h"

/* ------------------------------------------------------------------ rules */

int mx_shapes_arg_reduce(const void *params, mx_array *const *inputs, int nin, int *ndims,
                         int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_argreduce_params *p = params;
  mx_shapes_same(params, inputs, nin, ndims, shapes);
  shapes[0][p->axis] = 1;
  return 0;
}

int mx_shapes_topk(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_sort_params *p = params;
  mx_shapes_same(params, inputs, nin, ndims, shapes);
  shapes[0][p->axis] -= p->kth;
  return 0;
}

int mx_shapes_last_to_one(const void *params, mx_array *const *inputs, int nin, int *ndims,
                          int32_t (*shapes)[MX_MAX_NDIM]) {
  mx_shapes_same(params, inputs, nin, ndims, shapes);
  if (ndims[0] > 0) shapes[0][ndims[0] - 1] = 1;
  return 0;
}

/* ------------------------------------------------------------------ helpers */

/* Intermediate arrays of an op, released together. */
typedef struct {
  mx_array *a[24];
  int n;
} temps;

static mx_array *keep(temps *t, mx_array *a) {
  if (a && t->n < (int)(sizeof t->a / sizeof t->a[0])) t->a[t->n++] = a;
  return a;
}

static void temps_free(temps *t) {
  for (int i = 0; i < t->n; i++) mx_array_release(t->a[i]);
  t->n = 0;
}

/* Runs an op call that writes into `var`, keeping the result in T; jumps to fail on error. */
#define STEP(var, call)                                                                            \
  do {                                                                                             \
    if ((call) != 0) goto fail;                                                                    \
    keep(&T, var);                                                                                 \
  } while (0)

static mx_dtype at_least_float(mx_dtype t) {
  return mx_dtype_is_inexact(t) ? t : MX_FLOAT32;
}

/* Which axes a reduction covers (naxes < 0: every axis); error messages as MLX's. */
typedef struct {
  bool chosen[MX_MAX_NDIM];
  int axes[MX_MAX_NDIM]; /* sorted */
  int naxes;
  int64_t count;                  /* elements per reduced slice */
  int kept[MX_MAX_NDIM], nkept;   /* the other axes, in order */
  int32_t kshape[MX_MAX_NDIM];    /* their sizes */
  int32_t keepshape[MX_MAX_NDIM]; /* input shape with the reduced axes of size 1 */
} axes_info;

static int get_axes(const char *op, const mx_array *a, const int *axes, int naxes, axes_info *ai) {
  memset(ai->chosen, 0, sizeof ai->chosen);
  if (naxes < 0) {
    for (int i = 0; i < a->ndim; i++) ai->chosen[i] = true;
  } else {
    for (int i = 0; i < naxes; i++) {
      int ax = 0;
      MX_TRY(mx_normalize_axis(op, axes[i], a->ndim, &ax));
      if (ai->chosen[ax]) return mx_error("[%s] Duplicate axes detected in reduction.", op);
      ai->chosen[ax] = true;
    }
  }
  ai->naxes = 0;
  ai->nkept = 0;
  ai->count = 1;
  for (int i = 0; i < a->ndim; i++) {
    if (ai->chosen[i]) {
      ai->axes[ai->naxes++] = i;
      ai->count *= a->shape[i];
      ai->keepshape[i] = 1;
    } else {
      ai->kshape[ai->nkept] = a->shape[i];
      ai->kept[ai->nkept++] = i;
      ai->keepshape[i] = a->shape[i];
    }
  }
  return 0;
}

/* a with the reduced axes moved last and merged into one: shape kshape + (count). */
static int rows_of(const axes_info *ai, mx_array *a, mx_stream s, mx_array **out) {
  bool trailing = true;
  for (int i = 0; i < ai->naxes; i++)
    if (ai->axes[i] != a->ndim - ai->naxes + i) trailing = false;
  mx_array *t = NULL;
  if (trailing) {
    t = mx_array_retain(a);
  } else {
    int perm[MX_MAX_NDIM];
    for (int i = 0; i < ai->nkept; i++) perm[i] = ai->kept[i];
    for (int i = 0; i < ai->naxes; i++) perm[ai->nkept + i] = ai->axes[i];
    MX_TRY(mx_transpose(&t, a, perm, a->ndim, s));
  }
  int32_t shape[MX_MAX_NDIM];
  memcpy(shape, ai->kshape, (size_t)ai->nkept * sizeof(int32_t));
  shape[ai->nkept] = (int32_t)ai->count;
  int rc = mx_reshape(out, t, ai->nkept + 1, shape, s);
  mx_array_release(t);
  return rc;
}

/* A result of shape kshape + (1) in keepdims or squeezed form. One reduced axis moves back by
 * a transpose and goes by a squeeze, not by reshapes: a shapeless compiled function replays
 * those exactly, while a reshape that was the identity in its trace (sizes of 1) is not in the
 * graph at all. */
static int finish_rows(const axes_info *ai, const mx_array *a, mx_array *r, bool keepdims,
                       mx_stream s, mx_array **out) {
  if (!keepdims) {
    int last = ai->nkept;
    return mx_squeeze(out, r, &last, 1, s);
  }
  if (ai->naxes != 1) return mx_reshape(out, r, a->ndim, ai->keepshape, s);
  int perm[MX_MAX_NDIM], ax = ai->axes[0];
  for (int i = 0, k = 0; i < a->ndim; i++) perm[i] = i == ax ? ai->nkept : k++;
  return mx_transpose(out, r, perm, a->ndim, s);
}

static mx_array *scalar(mx_dtype t, double v) {
  return mx_array_scalar(t, v);
}

/* sum with a chosen output dtype (the REDUCE kernel accumulates wide and converts). */
static int sum_as(mx_array **out, mx_array *a, const axes_info *ai, bool keepdims, mx_dtype t,
                  mx_stream s) {
  if (ai->naxes == 0) return mx_astype(out, a, t, s);
  struct {
    mx_reduce_params p;
    int32_t axes[MX_MAX_NDIM];
  } params;
  params.p.op = MX_REDUCE_SUM;
  params.p.naxes = ai->naxes;
  for (int i = 0; i < ai->naxes; i++) params.p.axes[i] = ai->axes[i];
  size_t psize = sizeof(mx_reduce_params) + (size_t)ai->naxes * sizeof(int32_t);
  mx_array *kept =
      mx_array_make(MX_PRIM_REDUCE, &params, psize, &a, 1, a->ndim, ai->keepshape, t, s);
  if (!kept) return MX_ERR;
  if (keepdims) {
    *out = kept;
    return 0;
  }
  int rc = mx_squeeze(out, kept, ai->axes, ai->naxes, s); /* (exact in shapeless replays) */
  mx_array_release(kept);
  return rc;
}

/* The dtype sums of a statistic are accumulated and scaled in. */
static mx_dtype work_dtype(mx_dtype t) {
  return (t == MX_FLOAT64 || t == MX_COMPLEX64) ? t : MX_FLOAT32;
}

/* ------------------------------------------------------------------ mean, var, std */

/* 1 / (elements per reduced slice - ddof) as a scalar of dtype w: counted when the graph runs
 * (NumberOfElements), so shapeless compiled functions stay right on new shapes. */
static mx_array *inv_count(mx_array *a, const axes_info *ai, int ddof, mx_dtype w, mx_stream s) {
  mx_array *f = NULL;
  if (w == MX_FLOAT32 || w == MX_FLOAT64) {
    if (mx_count_elements(&f, a, ai->axes, ai->naxes, true, ddof, w, s)) return NULL;
    return f;
  }
  double den = (double)ai->count - (double)ddof;
  return scalar(w, den > 0 ? 1.0 / den : 1.0 / 0.0);
}

int mx_mean(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  axes_info ai;
  MX_TRY(get_axes("mean", a, axes, naxes, &ai));
  mx_dtype dt = at_least_float((mx_dtype)a->dtype), w = work_dtype(dt);
  temps T = {.n = 0};
  mx_array *sm, *f, *m;
  STEP(sm, sum_as(&sm, a, &ai, keepdims, w, s));
  if (!keep(&T, f = inv_count(a, &ai, 0, w, s))) goto fail;
  STEP(m, mx_multiply(&m, sm, f, s));
  if (mx_astype(out, m, dt, s)) goto fail;
  temps_free(&T);
  return 0;
fail:
  temps_free(&T);
  return MX_ERR;
}

/* var, or std (root): computed in float32 (float64, complex64 for those) and cast at the end. */
static int var_or_std(const char *name, bool root, mx_array **out, mx_array *a, const int *axes,
                      int naxes, bool keepdims, int ddof, mx_stream s) {
  axes_info ai;
  MX_TRY(get_axes(name, a, axes, naxes, &ai));
  mx_dtype dt = at_least_float((mx_dtype)a->dtype), w = work_dtype(dt);
  mx_dtype rt = dt == MX_COMPLEX64 ? MX_FLOAT32 : dt; /* result */
  mx_dtype rw = w == MX_COMPLEX64 ? MX_FLOAT32 : w;   /* real work dtype */
  temps T = {.n = 0};
  mx_array *x, *sm, *f, *mu, *d, *sq, *ss, *v;
  /* two passes: mu = mean(x); sum(|x - mu|^2) / max(n - ddof, 0) */
  STEP(x, mx_astype(&x, a, w, s));
  STEP(sm, sum_as(&sm, x, &ai, true, w, s));
  if (!keep(&T, f = inv_count(a, &ai, 0, w, s))) goto fail;
  STEP(mu, mx_multiply(&mu, sm, f, s));
  STEP(d, mx_subtract(&d, x, mu, s));
  if (w == MX_COMPLEX64) {
    /* |d|^2: view each complex as (re, im) float32 pairs in a new last axis */
    mx_array *d1, *dv, *d2, *p2;
    int32_t sh[MX_MAX_NDIM];
    memcpy(sh, d->shape, (size_t)d->ndim * sizeof(int32_t));
    sh[d->ndim] = 1;
    STEP(d1, mx_reshape(&d1, d, d->ndim + 1, sh, s));
    STEP(dv, mx_view(&dv, d1, MX_FLOAT32, s));
    STEP(d2, mx_multiply(&d2, dv, dv, s));
    int last = -1;
    STEP(p2, mx_sum(&p2, d2, &last, 1, false, s));
    sq = p2;
  } else {
    STEP(sq, mx_multiply(&sq, d, d, s));
  }
  STEP(ss, sum_as(&ss, sq, &ai, keepdims, rw, s));
  if (!keep(&T, f = inv_count(a, &ai, ddof, rw, s))) goto fail;
  STEP(v, mx_multiply(&v, ss, f, s));
  if (root) STEP(v, mx_sqrt(&v, v, s));
  if (mx_astype(out, v, rt, s)) goto fail;
  temps_free(&T);
  return 0;
fail:
  temps_free(&T);
  return MX_ERR;
}

int mx_var(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, int ddof,
           mx_stream s) {
  return var_or_std("var", false, out, a, axes, naxes, keepdims, ddof, s);
}

int mx_std(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, int ddof,
           mx_stream s) {
  return var_or_std("std", true, out, a, axes, naxes, keepdims, ddof, s);
}

/* ------------------------------------------------------------------ median */

int mx_median(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  axes_info ai;
  MX_TRY(get_axes("median", a, axes, naxes, &ai));
  if (naxes == 0 && a->ndim > 0) return mx_error("[median] Received no axes to reduce.");
  if (ai.count == 0) return mx_error("[median] Cannot take median along empty axis.");
  mx_dtype in = (mx_dtype)a->dtype, dt = at_least_float(in), w = work_dtype(dt);
  temps T = {.n = 0};
  mx_array *r, *part, *hi, *med;
  STEP(r, rows_of(&ai, a, s, &r));
  int nd = r->ndim, last = nd - 1;
  int64_t n = ai.count, h = n / 2;
  STEP(part, mx_partition(&part, r, (int)h, last, false, s));
  int start[MX_MAX_NDIM], stop[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) {
    start[i] = 0;
    stop[i] = r->shape[i];
  }
  start[last] = (int)h;
  stop[last] = (int)h + 1;
  STEP(hi, mx_slice(&hi, part, start, stop, NULL, nd, s));
  if (n % 2) {
    STEP(med, mx_astype(&med, hi, dt, s));
  } else {
    mx_array *low, *lo, *lw, *hw, *sum2, *half, *mw;
    start[last] = 0;
    stop[last] = (int)h;
    STEP(low, mx_slice(&low, part, start, stop, NULL, nd, s));
    STEP(lo, mx_max(&lo, low, &last, 1, true, s));
    STEP(lw, mx_astype(&lw, lo, w, s));
    STEP(hw, mx_astype(&hw, hi, w, s));
    STEP(sum2, mx_add(&sum2, lw, hw, s));
    if (!keep(&T, half = scalar(w, 0.5))) goto fail;
    STEP(mw, mx_multiply(&mw, sum2, half, s));
    STEP(med, mx_astype(&med, mw, dt, s));
  }
  if (in == MX_FLOAT16 || in == MX_BFLOAT16 || in == MX_FLOAT32 || in == MX_FLOAT64) {
    /* NaN sorts last: the upper part's max is NaN iff the slice holds one; min(med, that max)
     * is med otherwise (every value there is >= med). */
    mx_array *up, *um, *pair[2], *st, *mn;
    start[last] = (int)h;
    stop[last] = (int)n;
    STEP(up, mx_slice(&up, part, start, stop, NULL, nd, s));
    STEP(um, mx_max(&um, up, &last, 1, true, s));
    pair[0] = med;
    pair[1] = um;
    STEP(st, mx_stack(&st, pair, 2, nd, s));
    int lastp = nd;
    STEP(mn, mx_min(&mn, st, &lastp, 1, false, s));
    med = mn;
  }
  if (finish_rows(&ai, a, med, keepdims, s, out)) goto fail;
  temps_free(&T);
  return 0;
fail:
  temps_free(&T);
  return MX_ERR;
}

/* ------------------------------------------------------------------ logsumexp, softmax */

int mx_logsumexp(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims,
                 mx_stream s) {
  axes_info ai;
  MX_TRY(get_axes("logsumexp", a, axes, naxes, &ai));
  if (a->size == 0) return mx_error("[logsumexp] Received empty array.");
  mx_dtype dt = at_least_float((mx_dtype)a->dtype);
  if (ai.naxes == 0) return mx_astype(out, a, dt, s);
  temps T = {.n = 0};
  mx_array *x, *r, *l;
  STEP(x, mx_astype(&x, a, dt, s));
  STEP(r, rows_of(&ai, x, s, &r));
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  if (mx_prim_output_shapes(MX_PRIM_LOGSUMEXP, NULL, &r, 1, &ndim, shape)) goto fail;
  if (!keep(&T, l = mx_array_make(MX_PRIM_LOGSUMEXP, NULL, 0, &r, 1, ndim, shape[0], dt, s)))
    goto fail;
  if (finish_rows(&ai, a, l, keepdims, s, out)) goto fail;
  temps_free(&T);
  return 0;
fail:
  temps_free(&T);
  return MX_ERR;
}

int mx_softmax(mx_array **out, mx_array *a, const int *axes, int naxes, bool precise, mx_stream s) {
  axes_info ai;
  MX_TRY(get_axes("softmax", a, axes, naxes, &ai));
  temps T = {.n = 0};
  mx_array *x = a, *r, *y, *t;
  mx_softmax_params p = {precise ? 1 : 0};
  /* As MLX: over exactly the last axis, integers and bool give float32; over other axes they
   * keep their dtype (the float results converted back). */
  if (ai.naxes == 1 && ai.axes[0] == a->ndim - 1)
    STEP(x, mx_astype(&x, a, at_least_float((mx_dtype)a->dtype), s));
  /* rows: the reduced axes moved last and merged (no axes: rows of one element) */
  STEP(r, rows_of(&ai, x, s, &r));
  if (!keep(&T, y = mx_array_make(MX_PRIM_SOFTMAX, &p, sizeof p, &r, 1, r->ndim, r->shape,
                                  (mx_dtype)x->dtype, s)))
    goto fail;
  bool trailing = true;
  for (int i = 0; i < ai.naxes; i++)
    if (ai.axes[i] != a->ndim - ai.naxes + i) trailing = false;
  if (trailing) {
    if (mx_reshape(out, y, a->ndim, a->shape, s)) goto fail;
  } else {
    int32_t tshape[MX_MAX_NDIM];
    int perm[MX_MAX_NDIM], inv[MX_MAX_NDIM];
    for (int i = 0; i < ai.nkept; i++) perm[i] = ai.kept[i];
    for (int i = 0; i < ai.naxes; i++) perm[ai.nkept + i] = ai.axes[i];
    for (int i = 0; i < a->ndim; i++) {
      tshape[i] = a->shape[perm[i]];
      inv[perm[i]] = i;
    }
    STEP(t, mx_reshape(&t, y, a->ndim, tshape, s));
    if (mx_transpose(out, t, inv, a->ndim, s)) goto fail;
  }
  temps_free(&T);
  return 0;
fail:
  temps_free(&T);
  return MX_ERR;
}

/* ------------------------------------------------------------------ argmin, argmax */

static int arg_reduce(const char *name, int op, mx_array **out, mx_array *a, int axis,
                      bool axis_none, bool keepdims, mx_stream s) {
  temps T = {.n = 0};
  mx_array *x = a, *r;
  int ax = 0;
  if (axis_none) {
    if (a->size == 0) return mx_error("[%s] Cannot %s reduce zero size array.", name, name);
    int32_t flat = (int32_t)a->size;
    STEP(x, mx_reshape(&x, a, 1, &flat, s));
  } else {
    MX_TRY(mx_normalize_axis(name, axis, a->ndim, &ax));
    if (a->size == 0) return mx_error("[%s] Cannot %s reduce zero size array.", name, name);
  }
  mx_argreduce_params p = {op, ax};
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  if (mx_prim_output_shapes(MX_PRIM_ARG_REDUCE, &p, &x, 1, &ndim, shape)) goto fail;
  if (!keep(&T, r = mx_array_make(MX_PRIM_ARG_REDUCE, &p, sizeof p, &x, 1, ndim, shape[0],
                                  MX_UINT32, s)))
    goto fail;
  int32_t sh[MX_MAX_NDIM];
  int n = 0;
  if (axis_none) {
    if (keepdims)
      for (int i = 0; i < a->ndim; i++) sh[n++] = 1;
  } else {
    for (int i = 0; i < a->ndim; i++)
      if (i != ax || keepdims) sh[n++] = i == ax ? 1 : a->shape[i];
  }
  if (mx_reshape(out, r, n, sh, s)) goto fail;
  temps_free(&T);
  return 0;
fail:
  temps_free(&T);
  return MX_ERR;
}

int mx_argmax(mx_array **out, mx_array *a, int axis, bool axis_none, bool keepdims, mx_stream s) {
  return arg_reduce("argmax", MX_ARGREDUCE_MAX, out, a, axis, axis_none, keepdims, s);
}

int mx_argmin(mx_array **out, mx_array *a, int axis, bool axis_none, bool keepdims, mx_stream s) {
  return arg_reduce("argmin", MX_ARGREDUCE_MIN, out, a, axis, axis_none, keepdims, s);
}

/* ------------------------------------------------------------------ scans */

static int axis_in_bounds(const char *op, int axis, int ndim, int *out) {
  if (axis < -ndim || axis >= ndim)
    return mx_error("[%s] Axis %d is out of bounds for array with %d dimensions.", op, axis, ndim);
  *out = axis < 0 ? axis + ndim : axis;
  return 0;
}

static int scan(const char *name, int op, mx_array **out, mx_array *a, int axis, bool reverse,
                bool inclusive, mx_stream s) {
  int ax = 0;
  MX_TRY(axis_in_bounds(name, axis, a->ndim, &ax));
  mx_dtype t = (mx_dtype)a->dtype;
  if (op == MX_SCAN_SUM && t == MX_BOOL) t = MX_INT32;
  if (op == MX_SCAN_LOGADDEXP) t = at_least_float(t);
  mx_array *x;
  MX_TRY(mx_astype(&x, a, t, s));
  mx_scan_params p = {op, ax, reverse ? 1 : 0, inclusive ? 1 : 0};
  *out = mx_array_make(MX_PRIM_SCAN, &p, sizeof p, &x, 1, x->ndim, x->shape, t, s);
  mx_array_release(x);
  return *out ? 0 : MX_ERR;
}

int mx_cumsum(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive, mx_stream s) {
  return scan("cumsum", MX_SCAN_SUM, out, a, axis, reverse, inclusive, s);
}

int mx_cumprod(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive, mx_stream s) {
  return scan("cumprod", MX_SCAN_PROD, out, a, axis, reverse, inclusive, s);
}

int mx_cummax(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive, mx_stream s) {
  return scan("cummax", MX_SCAN_MAX, out, a, axis, reverse, inclusive, s);
}

int mx_cummin(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive, mx_stream s) {
  return scan("cummin", MX_SCAN_MIN, out, a, axis, reverse, inclusive, s);
}

int mx_logcumsumexp(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive,
                    mx_stream s) {
  return scan("logcumsumexp", MX_SCAN_LOGADDEXP, out, a, axis, reverse, inclusive, s);
}

/* ------------------------------------------------------------------ sort, partition, topk */

/* The array to work on (flattened for axis_none) and its normalized axis. */
static int sort_input(const char *name, mx_array *a, int axis, bool axis_none, mx_stream s,
                      mx_array **x, int *ax) {
  if (axis_none) {
    int32_t flat = (int32_t)a->size;
    *ax = 0;
    return mx_reshape(x, a, 1, &flat, s);
  }
  MX_TRY(axis_in_bounds(name, axis, a->ndim, ax));
  *x = mx_array_retain(a);
  return 0;
}

static int sort_like(const char *name, int prim, mx_array **out, mx_array *a, int kth, int axis,
                     bool axis_none, mx_stream s) {
  mx_array *x;
  int ax = 0;
  MX_TRY(sort_input(name, a, axis, axis_none, s, &x, &ax));
  mx_sort_params p = {ax, 0};
  if (prim == MX_PRIM_PARTITION || prim == MX_PRIM_ARGPARTITION) {
    int n = x->shape[ax], k = kth < 0 ? kth + n : kth;
    if (k < 0 || k >= n) {
      char sh[512];
      mx_error("[%s] Received invalid kth %d along axis %d for array with shape: %s", name, kth,
               axis_none ? 0 : axis, mx_shape_str(sh, sizeof sh, x->ndim, x->shape));
      mx_array_release(x);
      return MX_ERR;
    }
    p.kth = k;
  }
  bool arg = prim == MX_PRIM_ARGSORT || prim == MX_PRIM_ARGPARTITION;
  *out = mx_array_make(prim, &p, sizeof p, &x, 1, x->ndim, x->shape,
                       arg ? MX_UINT32 : (mx_dtype)x->dtype, s);
  mx_array_release(x);
  return *out ? 0 : MX_ERR;
}

int mx_sort(mx_array **out, mx_array *a, int axis, bool axis_none, mx_stream s) {
  return sort_like("sort", MX_PRIM_SORT, out, a, 0, axis, axis_none, s);
}

int mx_argsort(mx_array **out, mx_array *a, int axis, bool axis_none, mx_stream s) {
  return sort_like("argsort", MX_PRIM_ARGSORT, out, a, 0, axis, axis_none, s);
}

int mx_partition(mx_array **out, mx_array *a, int kth, int axis, bool axis_none, mx_stream s) {
  return sort_like("partition", MX_PRIM_PARTITION, out, a, kth, axis, axis_none, s);
}

int mx_argpartition(mx_array **out, mx_array *a, int kth, int axis, bool axis_none, mx_stream s) {
  return sort_like("argpartition", MX_PRIM_ARGPARTITION, out, a, kth, axis, axis_none, s);
}

int mx_topk(mx_array **out, mx_array *a, int k, int axis, bool axis_none, mx_stream s) {
  temps T = {.n = 0};
  mx_array *x, *src;
  int ax = 0;
  MX_TRY(sort_input("topk", a, axis, axis_none, s, &x, &ax));
  keep(&T, x);
  int n = x->shape[ax];
  if (k < 0 || k > n) {
    char sh[512];
    mx_error("[topk] Received invalid k=%d along axis %d for array with shape: %s", k,
             axis_none ? 0 : axis, mx_shape_str(sh, sizeof sh, x->ndim, x->shape));
    goto fail;
  }
  if (k > 0 && k < n) {
    mx_sort_params p = {ax, n - k};
    int ndim;
    int32_t shape[1][MX_MAX_NDIM];
    if (mx_prim_output_shapes(MX_PRIM_TOPK, &p, &x, 1, &ndim, shape)) goto fail;
    *out = mx_array_make(MX_PRIM_TOPK, &p, sizeof p, &x, 1, ndim, shape[0], (mx_dtype)x->dtype, s);
    if (!*out) goto fail;
    temps_free(&T);
    return 0;
  }
  src = x; /* k == 0: empty; k == n: every element */
  int start[MX_MAX_NDIM], stop[MX_MAX_NDIM];
  for (int i = 0; i < x->ndim; i++) {
    start[i] = 0;
    stop[i] = x->shape[i];
  }
  start[ax] = n - k;
  if (mx_slice(out, src, start, stop, NULL, x->ndim, s)) goto fail;
  temps_free(&T);
  return 0;
fail:
  temps_free(&T);
  return MX_ERR;
}
