/* Slicing ops: slice, slice_update (static and dynamic), concatenate, stack, split, repeat,
 * tile, pad, roll, diagonal, diag, trace, tril, triu. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"

/* ---- slice ---- */

/* numpy's slice normalization of one axis of size n: *start in range (when *len > 0), *len. */
static void norm_slice(int64_t n, int64_t s, int64_t e, int64_t step, int32_t *start,
                       int32_t *len) {
  int64_t st, l;
  if (s < 0) s += n;
  if (e < 0) e += n;
  if (step < 0) {
    st = s < n - 1 ? s : n - 1;
    int64_t ed = e > -1 ? e : -1;
    if (ed > st) ed = st;
    l = (st - ed + (-step) - 1) / (-step);
  } else {
    st = s < 0 ? 0 : (s > n ? n : s);
    int64_t ed = e < 0 ? 0 : (e > n ? n : e);
    if (ed < st) ed = st;
    l = (ed - st + step - 1) / step;
  }
  if (l <= 0) {
    l = 0;
    st = 0;
  }
  *start = (int32_t)st;
  *len = (int32_t)l;
}

typedef struct {
  mx_slice_params p;
  int32_t data[3 * MX_MAX_NDIM];
} slice_block;

/* Fills b (start, step, shape) from start/stop/step; returns whether it is the whole array in
 * order. */
static int fill_slice(const char *op, slice_block *b, const mx_array *a, const int *start,
                      const int *stop, const int *step, int ndim, bool *identity) {
  if (ndim != a->ndim)
    return mx_error("[%s] Invalid number of indices or strides for array with dimension %d.", op,
                    a->ndim);
  b->p.op = MX_SCATTER_NONE;
  b->p.ndim = ndim;
  int32_t *st = b->p.data, *sp = b->p.data + ndim, *sh = b->p.data + 2 * ndim;
  *identity = true;
  for (int i = 0; i < ndim; i++) {
    int64_t k = step ? step[i] : 1;
    if (k == 0) return mx_error("[%s] Slice step cannot be zero.", op);
    norm_slice(a->shape[i], start[i], stop[i], k, &st[i], &sh[i]);
    sp[i] = (int32_t)k;
    if (sh[i] != a->shape[i] || (sh[i] > 1 && k != 1) || (sh[i] > 0 && st[i] != 0))
      *identity = false;
  }
  return 0;
}

int mx_slice(mx_array **out, mx_array *a, const int *start, const int *stop, const int *step,
             int ndim, mx_stream s) {
  slice_block b;
  bool identity;
  MX_TRY(fill_slice("slice", &b, a, start, stop, step, ndim, &identity));
  if (identity) {
    *out = mx_array_retain(a);
    return 0;
  }
  size_t psize = sizeof(mx_slice_params) + 3 * (size_t)ndim * sizeof(int32_t);
  *out = mx_array_make(MX_PRIM_SLICE, &b, psize, &a, 1, ndim, b.p.data + 2 * ndim,
                       (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

/* update cast to dtype and broadcast to shape. */
static int prepare_update(mx_array **out, mx_array *update, mx_dtype dtype, int ndim,
                          const int32_t *shape, mx_stream s) {
  mx_array *c = NULL;
  MX_TRY(mx_astype(&c, update, dtype, s));
  int rc = mx_broadcast_to(out, c, ndim, shape, s);
  mx_array_release(c);
  return rc;
}

int mx_slice_update(mx_array **out, mx_array *src, mx_array *update, const int *start,
                    const int *stop, const int *step, int ndim, mx_scatter_op op, mx_stream s) {
  slice_block b;
  bool identity;
  MX_TRY(fill_slice("slice_update", &b, src, start, stop, step, ndim, &identity));
  b.p.op = op;
  const int32_t *shape = b.p.data + 2 * ndim;
  mx_array *upd = NULL;
  MX_TRY(prepare_update(&upd, update, (mx_dtype)src->dtype, ndim, shape, s));
  if (identity && op == MX_SCATTER_NONE) {
    *out = upd;
    return 0;
  }
  mx_array *in[2] = {src, upd};
  size_t psize = sizeof(mx_slice_params) + 2 * (size_t)ndim * sizeof(int32_t);
  *out = mx_array_make(MX_PRIM_SLICE_UPDATE, &b, psize, in, 2, src->ndim, src->shape,
                       (mx_dtype)src->dtype, s);
  mx_array_release(upd);
  return *out ? 0 : MX_ERR;
}

/* Checks the start array and axes of a dynamic slice; fills the normalized axes. */
static int check_dynamic(const char *op, const mx_array *a, const mx_array *start, const int *axes,
                         int naxes, int32_t *norm) {
  if (!mx_dtype_is_integral((mx_dtype)start->dtype))
    return mx_error("[%s] Start indices must be integers, got type %s.", op,
                    mx_dtype_name((mx_dtype)start->dtype));
  if (start->ndim > 1 || start->size != naxes)
    return mx_error("[%s] Expected %d start indices (one per axis), got an array of size %lld.", op,
                    naxes, (long long)start->size);
  bool seen[MX_MAX_NDIM] = {false};
  if (naxes > a->ndim)
    return mx_error("[%s] Too many axes for array with %d dimensions.", op, a->ndim);
  for (int i = 0; i < naxes; i++) {
    int ax;
    MX_TRY(mx_normalize_axis(op, axes[i], a->ndim, &ax));
    if (seen[ax]) return mx_error("[%s] Repeated axes are not allowed.", op);
    seen[ax] = true;
    norm[i] = ax;
  }
  return 0;
}

int mx_slice_dynamic(mx_array **out, mx_array *a, mx_array *start, const int *axes, int naxes,
                     const int *slice_size, int nsize, mx_stream s) {
  struct {
    mx_dynslice_params p;
    int32_t data[2 * MX_MAX_NDIM];
  } b;
  if (nsize != a->ndim)
    return mx_error("[slice] Invalid slice size for array with %d dimensions.", a->ndim);
  MX_TRY(check_dynamic("slice", a, start, axes, naxes, b.p.data));
  for (int i = 0; i < a->ndim; i++) {
    if (slice_size[i] < 0 || slice_size[i] > a->shape[i]) {
      char buf[512];
      return mx_error("[slice] Invalid slice size %d for axis %d of array with shape %s.",
                      slice_size[i], i, mx_shape_str(buf, sizeof buf, a->ndim, a->shape));
    }
    b.p.data[naxes + i] = slice_size[i];
  }
  b.p.op = MX_SCATTER_NONE;
  b.p.naxes = naxes;
  b.p.ndim = a->ndim;
  size_t psize = sizeof(mx_dynslice_params) + (size_t)(naxes + a->ndim) * sizeof(int32_t);
  mx_array *in[2] = {a, start};
  *out = mx_array_make(MX_PRIM_DYNAMIC_SLICE, &b, psize, in, 2, a->ndim, b.p.data + naxes,
                       (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_slice_update_dynamic(mx_array **out, mx_array *src, mx_array *update, mx_array *start,
                            const int *axes, int naxes, mx_stream s) {
  struct {
    mx_dynslice_params p;
    int32_t data[MX_MAX_NDIM];
  } b;
  MX_TRY(check_dynamic("slice_update", src, start, axes, naxes, b.p.data));
  int nd = src->ndim, lead = nd - update->ndim;
  if (lead < 0)
    return mx_error("[slice_update] The update has %d dimensions, more than the array's %d.",
                    update->ndim, nd);
  /* The slice: the update's shape aligned to the trailing axes; a missing leading axis spans
   * the whole axis, or one element on a sliced axis. */
  bool sliced[MX_MAX_NDIM] = {false};
  for (int i = 0; i < naxes; i++) sliced[b.p.data[i]] = true;
  int32_t shape[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) {
    shape[i] = i >= lead ? update->shape[i - lead] : (sliced[i] ? 1 : src->shape[i]);
    if (shape[i] > src->shape[i]) {
      char sa[512], sb[512];
      return mx_error("[slice_update] Update of shape %s does not fit array of shape %s.",
                      mx_shape_str(sa, sizeof sa, update->ndim, update->shape),
                      mx_shape_str(sb, sizeof sb, nd, src->shape));
    }
  }
  mx_array *upd = NULL;
  MX_TRY(prepare_update(&upd, update, (mx_dtype)src->dtype, nd, shape, s));
  b.p.op = MX_SCATTER_NONE;
  b.p.naxes = naxes;
  b.p.ndim = nd;
  size_t psize = sizeof(mx_dynslice_params) + (size_t)naxes * sizeof(int32_t);
  mx_array *in[3] = {src, upd, start};
  *out = mx_array_make(MX_PRIM_DYNAMIC_SLICE_UPDATE, &b, psize, in, 3, nd, src->shape,
                       (mx_dtype)src->dtype, s);
  mx_array_release(upd);
  return *out ? 0 : MX_ERR;
}

/* ---- concatenate, stack, split ---- */

static void release_all(mx_array **arr, int n) {
  for (int i = 0; i < n; i++) mx_array_release(arr[i]);
}

int mx_concatenate(mx_array **out, mx_array *const *arrays, int n, int axis, mx_stream s) {
  if (n <= 0) return mx_error("[concatenate] No arrays provided for concatenation");
  int ndim = arrays[0]->ndim, ax;
  for (int i = 1; i < n; i++)
    if (arrays[i]->ndim != ndim)
      return mx_error("[concatenate] All the input arrays must have the same number of "
                      "dimensions. However, got arrays with dimensions %d and %d.",
                      ndim, arrays[i]->ndim);
  if (axis < -ndim || axis >= ndim)
    return mx_error("[concatenate] Axis %d is out of bounds for array with %d dimensions.", axis,
                    ndim);
  ax = axis < 0 ? axis + ndim : axis;
  mx_dtype t = (mx_dtype)arrays[0]->dtype;
  for (int i = 1; i < n; i++) {
    const mx_array *b = arrays[i];
    t = mx_promote_types(t, (mx_dtype)b->dtype);
    for (int d = 0; d < ndim; d++) {
      if (d != ax && b->shape[d] != arrays[0]->shape[d]) {
        char buf[2048];
        size_t len = 0;
        for (int j = 0; j < n && len < sizeof buf - 600; j++) {
          char one[512];
          len += (size_t)snprintf(buf + len, sizeof buf - len, "%s, ",
                                  mx_shape_str(one, sizeof one, arrays[j]->ndim, arrays[j]->shape));
        }
        return mx_error("[concatenate] All the input array dimensions must match exactly except "
                        "for the concatenation axis. However, the provided shapes are %sand the "
                        "concatenation axis is %d.",
                        buf, ax);
      }
    }
  }
  mx_array **in = malloc((size_t)n * sizeof(mx_array *));
  if (!in) return mx_error("[concatenate] Out of memory.");
  int made = 0, rc = 0;
  for (; made < n; made++)
    if ((rc = mx_astype(&in[made], arrays[made], t, s)) != 0) break;
  if (rc == 0 && n == 1) {
    *out = mx_array_retain(in[0]);
  } else if (rc == 0) {
    mx_int_param p = {ax};
    int ondim;
    int32_t shape[1][MX_MAX_NDIM];
    rc = mx_prim_output_shapes(MX_PRIM_CONCATENATE, &p, in, n, &ondim, shape);
    if (rc == 0) {
      *out = mx_array_make(MX_PRIM_CONCATENATE, &p, sizeof p, in, n, ondim, shape[0], t, s);
      rc = *out ? 0 : MX_ERR;
    }
  }
  release_all(in, made);
  free(in);
  return rc;
}

int mx_concatenate_flat(mx_array **out, mx_array *const *arrays, int n, mx_stream s) {
  if (n <= 0) return mx_error("[concatenate] No arrays provided for concatenation");
  mx_array **flat = malloc((size_t)n * sizeof(mx_array *));
  if (!flat) return mx_error("[concatenate] Out of memory.");
  int made = 0, rc = 0;
  int32_t minus1 = -1;
  for (; made < n; made++)
    if ((rc = mx_reshape(&flat[made], arrays[made], 1, &minus1, s)) != 0) break;
  if (rc == 0) rc = mx_concatenate(out, flat, n, 0, s);
  release_all(flat, made);
  free(flat);
  return rc;
}

int mx_stack(mx_array **out, mx_array *const *arrays, int n, int axis, mx_stream s) {
  if (n <= 0) return mx_error("[stack] No arrays provided for stacking");
  const mx_array *a0 = arrays[0];
  for (int i = 1; i < n; i++)
    if (arrays[i]->ndim != a0->ndim ||
        memcmp(arrays[i]->shape, a0->shape, (size_t)a0->ndim * sizeof(int32_t)) != 0)
      return mx_error("[stack] All arrays must have the same shape");
  int nd = a0->ndim + 1;
  if (axis < -nd || axis >= nd)
    return mx_error("[stack] Axis %d is out of bounds for array with %d dimensions.", axis, nd);
  int ax = axis < 0 ? axis + nd : axis;
  mx_array **ex = malloc((size_t)n * sizeof(mx_array *));
  if (!ex) return mx_error("[stack] Out of memory.");
  int made = 0, rc = 0;
  for (; made < n; made++)
    if ((rc = mx_expand_dims(&ex[made], arrays[made], &ax, 1, s)) != 0) break;
  if (rc == 0) rc = mx_concatenate(out, ex, n, ax, s);
  release_all(ex, made);
  free(ex);
  return rc;
}

/* a[..., lo:hi, ...] along ax (numpy clamping). */
static int slice_axis(mx_array **out, mx_array *a, int ax, int64_t lo, int64_t hi, mx_stream s) {
  int start[MX_MAX_NDIM], stop[MX_MAX_NDIM];
  for (int i = 0; i < a->ndim; i++) {
    start[i] = 0;
    stop[i] = a->shape[i];
  }
  start[ax] = (int)(lo < INT32_MIN ? INT32_MIN : lo > INT32_MAX ? INT32_MAX : lo);
  stop[ax] = (int)(hi < INT32_MIN ? INT32_MIN : hi > INT32_MAX ? INT32_MAX : hi);
  return mx_slice(out, a, start, stop, NULL, a->ndim, s);
}

int mx_split(mx_array ***outs, int *nout, mx_array *a, int num, const int *indices, int nind,
             int axis, mx_stream s) {
  if (axis < -a->ndim || axis >= a->ndim)
    return mx_error("[split] Axis %d is out of bounds for array with %d dimensions.", axis,
                    a->ndim);
  int ax = axis < 0 ? axis + a->ndim : axis;
  int64_t dim = a->shape[ax];
  int count;
  if (!indices) {
    if (num <= 0)
      return mx_error("[split] num_splits must be positive and non-zero but got %d.", num);
    if (dim % num != 0) {
      char buf[512];
      return mx_error("[split] Array split does not result in sub arrays with equal size: "
                      "attempting %d splits along axis %d for shape %s.",
                      num, ax, mx_shape_str(buf, sizeof buf, a->ndim, a->shape));
    }
    count = num;
  } else {
    count = nind + 1;
  }
  mx_array **res = calloc((size_t)count, sizeof(mx_array *));
  if (!res) return mx_error("[split] Out of memory.");
  for (int i = 0; i < count; i++) {
    int64_t lo, hi;
    if (!indices) {
      lo = i * (dim / num);
      hi = lo + dim / num;
    } else { /* a[indices[i-1]:indices[i]] with Python's slice rules, as numpy */
      lo = i == 0 ? 0 : indices[i - 1];
      hi = i < nind ? indices[i] : dim;
    }
    if (slice_axis(&res[i], a, ax, lo, hi, s)) {
      release_all(res, i);
      free(res);
      return MX_ERR;
    }
  }
  *outs = res;
  *nout = count;
  return 0;
}

/* ---- repeat, tile ---- */

int mx_repeat(mx_array **out, mx_array *a, int repeats, int axis, bool axis_none, mx_stream s) {
  if (repeats < 0) return mx_error("[repeat] Number of repeats cannot be negative");
  mx_array *x = NULL;
  if (axis_none) {
    int32_t m1 = -1;
    MX_TRY(mx_reshape(&x, a, 1, &m1, s));
    axis = 0;
  } else {
    x = mx_array_retain(a);
  }
  int rc = 0;
  if (axis < -x->ndim || axis >= x->ndim) {
    rc = mx_error("[repeat] Axis %d is out of bounds for array with %d dimensions.", axis, x->ndim);
    goto done;
  }
  int ax = axis < 0 ? axis + x->ndim : axis;
  if (x->ndim + 1 > MX_MAX_NDIM) {
    rc = mx_error("[repeat] Arrays have at most %d dimensions.", MX_MAX_NDIM);
    goto done;
  }
  int ax1 = ax + 1;
  mx_array *e = NULL, *b = NULL;
  rc = mx_expand_dims(&e, x, &ax1, 1, s);
  int32_t shape[MX_MAX_NDIM];
  for (int i = 0, j = 0; i <= x->ndim; i++) shape[i] = i == ax1 ? repeats : x->shape[j++];
  if (rc == 0) rc = mx_broadcast_to(&b, e, x->ndim + 1, shape, s);
  if (rc == 0) {
    int32_t fshape[MX_MAX_NDIM];
    for (int i = 0; i < x->ndim; i++) fshape[i] = x->shape[i];
    int64_t m = (int64_t)x->shape[ax] * repeats;
    if (m > INT32_MAX)
      rc = mx_error("[repeat] Output dimension too large.");
    else {
      fshape[ax] = (int32_t)m;
      rc = mx_reshape(out, b, x->ndim, fshape, s);
    }
  }
  mx_array_release(e);
  mx_array_release(b);
done:
  mx_array_release(x);
  return rc;
}

int mx_tile(mx_array **out, mx_array *a, const int *reps, int nreps, mx_stream s) {
  int nd = a->ndim > nreps ? a->ndim : nreps;
  if (2 * nd > MX_MAX_NDIM)
    return mx_error("[tile] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  int32_t r[MX_MAX_NDIM], d[MX_MAX_NDIM];
  bool trivial = nreps <= a->ndim;
  for (int i = 0; i < nd; i++) {
    int ri = i - (nd - nreps), ai = i - (nd - a->ndim);
    r[i] = ri >= 0 ? reps[ri] : 1;
    d[i] = ai >= 0 ? a->shape[ai] : 1;
    if (r[i] < 0) return mx_error("[tile] Negative repetitions not allowed.");
    if (r[i] != 1) trivial = false;
  }
  if (trivial) {
    *out = mx_array_retain(a);
    return 0;
  }
  /* a seen as (1, d0, 1, d1, ...), broadcast to (r0, d0, r1, d1, ...), merged pairwise. */
  int axes[MX_MAX_NDIM], n = 0;
  for (int i = 0; i < nd; i++) {
    int ai = i - (nd - a->ndim);
    if (ai < 0) axes[n++] = 2 * i + 1; /* missing leading dim */
    axes[n++] = 2 * i;
  }
  mx_array *e = NULL, *b = NULL;
  int32_t bshape[MX_MAX_NDIM], fshape[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) {
    bshape[2 * i] = r[i];
    bshape[2 * i + 1] = d[i];
    int64_t m = (int64_t)r[i] * d[i];
    if (m > INT32_MAX) return mx_error("[tile] Output dimension too large.");
    fshape[i] = (int32_t)m;
  }
  int rc = mx_expand_dims(&e, a, axes, n, s);
  if (rc == 0) rc = mx_broadcast_to(&b, e, 2 * nd, bshape, s);
  if (rc == 0) rc = mx_reshape(out, b, nd, fshape, s);
  mx_array_release(e);
  mx_array_release(b);
  return rc;
}

/* ---- pad ---- */

/* Source index of padded position i (in [-low, n + high)) for a non-constant mode. */
static int32_t pad_source(int64_t i, int64_t n, int mode) {
  if (mode == 1) return (int32_t)(i < 0 ? 0 : (i >= n ? n - 1 : i)); /* edge */
  if (mode == 2) {                                                   /* symmetric */
    int64_t p = 2 * n, m = ((i % p) + p) % p;
    return (int32_t)(m < n ? m : p - 1 - m);
  }
  if (n == 1) return 0; /* reflect */
  int64_t p = 2 * (n - 1), m = ((i % p) + p) % p;
  return (int32_t)(m < n ? m : p - m);
}

int mx_pad(mx_array **out, mx_array *a, const int *axes, int naxes, const int *low, const int *high,
           mx_array *value, const char *mode, mx_stream s) {
  int m;
  if (!mode || strcmp(mode, "constant") == 0)
    m = 0;
  else if (strcmp(mode, "edge") == 0)
    m = 1;
  else if (strcmp(mode, "symmetric") == 0)
    m = 2;
  else if (strcmp(mode, "reflect") == 0)
    m = 3;
  else
    return mx_error("[pad] Invalid padding mode (%s) passed to pad", mode);
  int32_t lo[MX_MAX_NDIM] = {0}, hi[MX_MAX_NDIM] = {0};
  bool seen[MX_MAX_NDIM] = {false}, any = false;
  for (int i = 0; i < naxes; i++) {
    int ax;
    MX_TRY(mx_normalize_axis("pad", axes[i], a->ndim, &ax));
    if (seen[ax]) return mx_error("[pad] Repeated axes are not allowed.");
    seen[ax] = true;
    if (low[i] < 0)
      return mx_error("[pad] Invalid low padding size (%d) passed to pad for axis %d. Padding "
                      "sizes must be non-negative",
                      low[i], i);
    if (high[i] < 0)
      return mx_error("[pad] Invalid high padding size (%d) passed to pad for axis %d. Padding "
                      "sizes must be non-negative",
                      high[i], i);
    lo[ax] = low[i];
    hi[ax] = high[i];
    any |= low[i] > 0 || high[i] > 0;
  }
  if (value->size != 1) return mx_error("[pad] The padding value must be a scalar.");
  if (!any) {
    *out = mx_array_retain(a);
    return 0;
  }
  int32_t shape[MX_MAX_NDIM];
  for (int i = 0; i < a->ndim; i++) {
    int64_t d = (int64_t)a->shape[i] + lo[i] + hi[i];
    if (d > INT32_MAX) return mx_error("[pad] Output dimension too large.");
    shape[i] = (int32_t)d;
  }
  mx_array *x = mx_array_retain(a);
  int rc = 0;
  /* Non-constant modes: one take per padded axis with the mapped source indices; an empty axis
   * has nothing to repeat and is padded with the value below. */
  bool const_axis[MX_MAX_NDIM] = {false}, need_const = false;
  for (int ax = 0; ax < a->ndim && rc == 0; ax++) {
    if (lo[ax] == 0 && hi[ax] == 0) continue;
    if (m == 0 || a->shape[ax] == 0) {
      const_axis[ax] = true;
      need_const = true;
      continue;
    }
    int32_t len = shape[ax];
    int32_t *idx = malloc((size_t)len * sizeof(int32_t));
    if (!idx) {
      rc = mx_error("[pad] Out of memory.");
      break;
    }
    for (int32_t j = 0; j < len; j++) idx[j] = pad_source((int64_t)j - lo[ax], a->shape[ax], m);
    mx_array *ia = mx_array_from_data(idx, 1, &len, MX_INT32), *y = NULL;
    free(idx);
    if (!ia) {
      rc = MX_ERR;
      break;
    }
    rc = mx_take(&y, x, ia, ax, false, s);
    mx_array_release(ia);
    if (rc == 0) {
      mx_array_release(x);
      x = y;
    }
  }
  if (rc == 0 && need_const) {
    /* Fill with the value, then place x (already padded on the other axes). */
    int start[MX_MAX_NDIM], stop[MX_MAX_NDIM];
    int32_t fshape[MX_MAX_NDIM];
    for (int i = 0; i < a->ndim; i++) {
      fshape[i] = shape[i];
      start[i] = const_axis[i] ? lo[i] : 0;
      stop[i] = start[i] + x->shape[i];
    }
    mx_array *fill = NULL, *v = NULL;
    rc = mx_astype(&v, value, (mx_dtype)a->dtype, s);
    if (rc == 0) {
      mx_array *scalar = NULL;
      rc = mx_reshape(&scalar, v, 0, NULL, s);
      if (rc == 0) rc = mx_full(&fill, a->ndim, fshape, scalar, (mx_dtype)a->dtype, s);
      mx_array_release(scalar);
    }
    mx_array *y = NULL;
    if (rc == 0) rc = mx_slice_update(&y, fill, x, start, stop, NULL, a->ndim, MX_SCATTER_NONE, s);
    mx_array_release(fill);
    mx_array_release(v);
    if (rc == 0) {
      mx_array_release(x);
      x = y;
    }
  }
  if (rc) {
    mx_array_release(x);
    return rc;
  }
  *out = x;
  return 0;
}

/* ---- roll ---- */

static int roll_axis(mx_array **x, int ax, int64_t shift, mx_stream s) {
  int64_t n = (*x)->shape[ax];
  if (n == 0) return 0;
  int64_t k = ((shift % n) + n) % n;
  if (k == 0) return 0;
  mx_array *parts[2] = {NULL, NULL}, *y = NULL;
  int rc = slice_axis(&parts[0], *x, ax, n - k, n, s);
  if (rc == 0) rc = slice_axis(&parts[1], *x, ax, 0, n - k, s);
  if (rc == 0) rc = mx_concatenate(&y, parts, 2, ax, s);
  mx_array_release(parts[0]);
  mx_array_release(parts[1]);
  if (rc == 0) {
    mx_array_release(*x);
    *x = y;
  }
  return rc;
}

int mx_roll(mx_array **out, mx_array *a, const int *shift, int nshift, const int *axes, int naxes,
            mx_stream s) {
  if (nshift <= 0) return mx_error("[roll] At least one shift is required.");
  if (!axes || naxes < 0) {
    int64_t total = 0;
    for (int i = 0; i < nshift; i++) total += shift[i];
    int32_t m1 = -1;
    mx_array *flat = NULL;
    MX_TRY(mx_reshape(&flat, a, 1, &m1, s));
    int rc = roll_axis(&flat, 0, total, s);
    if (rc == 0) rc = mx_reshape(out, flat, a->ndim, a->shape, s);
    mx_array_release(flat);
    return rc;
  }
  if (nshift != naxes && nshift != 1 && naxes != 1)
    return mx_error("[roll] The shift and axes must have the same size, got %d shifts and %d "
                    "axes.",
                    nshift, naxes);
  int64_t per[MX_MAX_NDIM] = {0};
  for (int i = 0; i < naxes; i++) {
    int ax;
    MX_TRY(mx_normalize_axis("roll", axes[i], a->ndim, &ax));
    if (naxes == 1) {
      for (int j = 0; j < nshift; j++) per[ax] += shift[j];
    } else {
      per[ax] += nshift == 1 ? shift[0] : shift[i];
    }
  }
  mx_array *x = mx_array_retain(a);
  for (int ax = 0; ax < a->ndim; ax++) {
    if (roll_axis(&x, ax, per[ax], s)) {
      mx_array_release(x);
      return MX_ERR;
    }
  }
  *out = x;
  return 0;
}

/* ---- diagonal, diag, trace, tril, triu ---- */

int mx_diagonal(mx_array **out, mx_array *a, int offset, int axis1, int axis2, mx_stream s) {
  if (a->ndim < 2)
    return mx_error("[diagonal] Array must have at least two dimensions, but got %d dimensions.",
                    a->ndim);
  int a1 = 0, a2 = 0;
  MX_TRY(mx_normalize_axis("diagonal", axis1, a->ndim, &a1));
  MX_TRY(mx_normalize_axis("diagonal", axis2, a->ndim, &a2));
  if (a1 == a2) return mx_error("[diagonal] axis1 and axis2 cannot be the same axis");
  mx_diagonal_params p = {offset, a1, a2};
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  MX_TRY(mx_prim_output_shapes(MX_PRIM_DIAGONAL, &p, &a, 1, &ndim, shape));
  *out =
      mx_array_make(MX_PRIM_DIAGONAL, &p, sizeof p, &a, 1, ndim, shape[0], (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_diag(mx_array **out, mx_array *a, int k, mx_stream s) {
  if (a->ndim == 2) return mx_diagonal(out, a, k, 0, 1, s);
  if (a->ndim != 1)
    return mx_error("[diag] array must be 1-D or 2-D, got array with %d dimensions.", a->ndim);
  int64_t n = a->shape[0], ak = k < 0 ? -(int64_t)k : k, m = n + ak;
  if (m * m > INT32_MAX) return mx_error("[diag] Output too large.");
  int32_t flat = (int32_t)(m * m), sq[2] = {(int32_t)m, (int32_t)m};
  mx_array *z = NULL, *u = NULL;
  MX_TRY(mx_zeros(&z, 1, &flat, (mx_dtype)a->dtype, s));
  int start = (int)(k >= 0 ? k : ak * m);
  int step = (int)(m + 1);
  int stop = (int)(n > 0 ? start + (n - 1) * (m + 1) + 1 : start);
  int rc = mx_slice_update(&u, z, a, &start, &stop, &step, 1, MX_SCATTER_NONE, s);
  if (rc == 0) rc = mx_reshape(out, u, 2, sq, s);
  mx_array_release(z);
  mx_array_release(u);
  return rc;
}

int mx_trace(mx_array **out, mx_array *a, int offset, int axis1, int axis2, mx_dtype dtype,
             mx_stream s) {
  if (a->ndim < 2)
    return mx_error("[trace] Array must have at least two dimensions, but got %d dimensions.",
                    a->ndim);
  if (!mx_dtype_valid(dtype)) return mx_error("[trace] Invalid dtype %d.", (int)dtype);
  mx_array *d = NULL, *c = NULL;
  MX_TRY(mx_diagonal(&d, a, offset, axis1, axis2, s));
  int rc = mx_astype(&c, d, dtype, s);
  int last = -1;
  if (rc == 0) rc = mx_sum(out, c, &last, 1, false, s);
  mx_array_release(d);
  mx_array_release(c);
  return rc;
}

static int tri(const char *op, int prim, mx_array **out, mx_array *a, int k, mx_stream s) {
  if (a->ndim < 2) return mx_error("[%s] array must be at least 2-D", op);
  mx_int_param p = {k};
  *out = mx_array_make(prim, &p, sizeof p, &a, 1, a->ndim, a->shape, (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_tril(mx_array **out, mx_array *a, int k, mx_stream s) {
  return tri("tril", MX_PRIM_TRIL, out, a, k, s);
}

int mx_triu(mx_array **out, mx_array *a, int k, mx_stream s) {
  return tri("triu", MX_PRIM_TRIU, out, a, k, s);
}
