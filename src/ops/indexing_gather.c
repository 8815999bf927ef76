/* Gather/scatter ops: gather, take, take_along_axis, put_along_axis, scatter (and its
 * reductions), masked_scatter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"

static int check_index_dtype(const char *op, const mx_array *idx) {
  if (idx->dtype == MX_BOOL) return mx_error("[%s] Boolean indices not supported.", op);
  if (!mx_dtype_is_integral((mx_dtype)idx->dtype))
    return mx_error("[%s] Got indices with invalid dtype. Indices must be integral.", op);
  return 0;
}

/* updates cast to dtype and broadcast to shape. */
static int prepare_update_scatter(mx_array **out, mx_array *updates, mx_dtype dtype, int ndim,
                                  const int32_t *shape, mx_stream s) {
  mx_array *c = NULL;
  MX_TRY(mx_astype(&c, updates, dtype, s));
  int rc = mx_broadcast_to(out, c, ndim, shape, s);
  mx_array_release(c);
  return rc;
}

static void release_all(mx_array **arr, int n) {
  for (int i = 0; i < n; i++) mx_array_release(arr[i]);
}

/* Validates index arrays and axes (normalized into norm), broadcasts the indices (bcast: nidx
 * new references). */
static int prepare_indices(const char *op, const mx_array *a, mx_array *const *indices, int nidx,
                           const int *axes, int32_t *norm, mx_array **bcast, mx_stream s) {
  if (nidx > a->ndim)
    return mx_error("[%s] Too many index arrays. Got %d index arrays for input with %d axes.", op,
                    nidx, a->ndim);
  bool seen[MX_MAX_NDIM] = {false};
  for (int i = 0; i < nidx; i++) {
    int ax;
    MX_TRY(mx_normalize_axis(op, axes[i], a->ndim, &ax));
    if (seen[ax]) return mx_error("[%s] Repeated axes are not allowed.", op);
    seen[ax] = true;
    norm[i] = ax;
    MX_TRY(check_index_dtype(op, indices[i]));
  }
  if (nidx == 0) return 0;
  return mx_broadcast_arrays(bcast, indices, nidx, s);
}

int mx_gather(mx_array **out, mx_array *a, mx_array *const *indices, int nidx, const int *axes,
              const int *slice_sizes, int nsizes, mx_stream s) {
  struct {
    mx_gather_params p;
    int32_t data[2 * MX_MAX_NDIM];
  } b;
  if (nsizes != a->ndim)
    return mx_error("[gather] Got slice_sizes with size %d for array with %d dimensions.", nsizes,
                    a->ndim);
  mx_array *in[MX_MAX_NDIM + 1];
  MX_TRY(prepare_indices("gather", a, indices, nidx, axes, b.p.data, in + 1, s));
  /* With no index positions nothing is read: any slice size goes (take from an empty axis). */
  bool empty = nidx > 0 && in[1]->size == 0;
  for (int i = 0; i < a->ndim; i++) {
    if (slice_sizes[i] < 0 || (slice_sizes[i] > a->shape[i] && !empty)) {
      char buf[512];
      release_all(in + 1, nidx);
      return mx_error("[gather] Slice sizes must be in [0, a.shape(i)]. Got slice size %d for "
                      "axis %d of array with shape %s.",
                      slice_sizes[i], i, mx_shape_str(buf, sizeof buf, a->ndim, a->shape));
    }
  }
  for (int i = 0; i < a->ndim; i++) b.p.data[nidx + i] = slice_sizes[i];
  b.p.op = MX_SCATTER_NONE;
  b.p.naxes = nidx;
  b.p.ndim = a->ndim;
  in[0] = a;
  size_t psize = sizeof(mx_gather_params) + (size_t)(nidx + a->ndim) * sizeof(int32_t);
  int ndim, rc;
  int32_t shape[1][MX_MAX_NDIM];
  rc = mx_prim_output_shapes(MX_PRIM_GATHER, &b, in, nidx + 1, &ndim, shape);
  if (rc == 0) {
    *out = mx_array_make(MX_PRIM_GATHER, &b, psize, in, nidx + 1, ndim, shape[0],
                         (mx_dtype)a->dtype, s);
    rc = *out ? 0 : MX_ERR;
  }
  release_all(in + 1, nidx);
  return rc;
}

static int flatten_all(mx_array **out, mx_array *a, mx_stream s) {
  int32_t m1 = -1;
  return mx_reshape(out, a, 1, &m1, s);
}

int mx_take(mx_array **out, mx_array *a, mx_array *indices, int axis, bool axis_none, mx_stream s) {
  if (axis_none) {
    mx_array *flat = NULL;
    MX_TRY(flatten_all(&flat, a, s));
    int rc = mx_take(out, flat, indices, 0, false, s);
    mx_array_release(flat);
    return rc;
  }
  if (axis < -a->ndim || axis >= a->ndim)
    return mx_error("[take] Invalid axis %d for array with %d dimensions.", axis, a->ndim);
  int ax = axis < 0 ? axis + a->ndim : axis;
  MX_TRY(check_index_dtype("take", indices));
  if (a->shape[ax] == 0 && indices->size != 0)
    return mx_error("[take] Cannot do a non-empty take from an empty axis.");
  if (indices->ndim + a->ndim - 1 > MX_MAX_NDIM)
    return mx_error("[take] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  mx_int_param p = {ax};
  mx_array *in[2] = {a, indices};
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  MX_TRY(mx_prim_output_shapes(MX_PRIM_TAKE, &p, in, 2, &ndim, shape));
  *out = mx_array_make(MX_PRIM_TAKE, &p, sizeof p, in, 2, ndim, shape[0], (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

/* Checks an along-axis op's indices and gives, as MLX, U: the shape of the result (take) or of
 * the updates (put), where the non-axis dimensions of a, the indices and the values broadcast
 * together and along the axis those of the indices and values; O: a's shape broadcast to U's
 * non-axis dimensions; vs: the values' shape (values NULL for take) without extra leading size-1
 * axes or with size-1 axes added, a's rank. */
static int along_axis_shapes(const char *op, const mx_array *a, const mx_array *indices,
                             const mx_array *values, int ax, int32_t *us, int32_t *os,
                             int32_t *vs) {
  int nd = a->ndim, lead = values ? values->ndim - nd : 0;
  if (indices->ndim != nd)
    return mx_error("[%s] Indices of dimension %d does not match array of dimension %d.", op,
                    indices->ndim, nd);
  MX_TRY(check_index_dtype(op, indices));
  bool ok = true;
  for (int i = 0; i < lead; i++) ok = ok && values->shape[i] == 1;
  for (int i = 0; i < nd; i++) {
    int32_t d[3] = {indices->shape[i], values && i + lead >= 0 ? values->shape[i + lead] : 1,
                    i == ax ? 1 : a->shape[i]},
            u = 1;
    for (int k = 0; k < 3; k++) {
      ok = ok && (d[k] == u || d[k] == 1 || u == 1);
      u = d[k] == 1 ? u : d[k];
    }
    us[i] = u;
    os[i] = i == ax ? a->shape[i] : u;
    if (vs) vs[i] = d[1];
  }
  if (ok) return 0;
  char sa[512], si[512], sv[512] = "";
  if (values) {
    int n = snprintf(sv, sizeof sv, " and values of shape ");
    mx_shape_str(sv + n, sizeof sv - (size_t)n, values->ndim, values->shape);
  }
  return mx_error("[%s] Array of shape %s, indices of shape %s%s cannot be broadcast together.", op,
                  mx_shape_str(sa, sizeof sa, nd, a->shape),
                  mx_shape_str(si, sizeof si, nd, indices->shape), sv);
}

int mx_take_along_axis(mx_array **out, mx_array *a, mx_array *indices, int axis, bool axis_none,
                       mx_stream s) {
  if (axis_none) {
    mx_array *fa = NULL, *fi = NULL;
    MX_TRY(flatten_all(&fa, a, s));
    int rc = flatten_all(&fi, indices, s);
    if (rc == 0) rc = mx_take_along_axis(out, fa, fi, 0, false, s);
    mx_array_release(fa);
    mx_array_release(fi);
    return rc;
  }
  if (axis < -a->ndim || axis >= a->ndim)
    return mx_error("[take_along_axis] Invalid axis %d for array with %d dimensions.", axis,
                    a->ndim);
  int ax = axis < 0 ? axis + a->ndim : axis, nd = a->ndim;
  int32_t us[MX_MAX_NDIM], os[MX_MAX_NDIM];
  MX_TRY(along_axis_shapes("take_along_axis", a, indices, NULL, ax, us, os, NULL));
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= us[i];
  if (n == 0) return mx_zeros(out, nd, us, (mx_dtype)a->dtype, s);
  if (a->shape[ax] == 0)
    return mx_error("[take_along_axis] Cannot do a non-empty take from an empty axis.");
  mx_array *in[2] = {NULL, NULL};
  int rc = mx_broadcast_to(&in[0], a, nd, os, s);
  if (rc == 0) rc = mx_broadcast_to(&in[1], indices, nd, us, s);
  if (rc == 0) {
    mx_int_param p = {ax};
    *out =
        mx_array_make(MX_PRIM_TAKE_ALONG_AXIS, &p, sizeof p, in, 2, nd, us, (mx_dtype)a->dtype, s);
    rc = *out ? 0 : MX_ERR;
  }
  release_all(in, 2);
  return rc;
}

int mx_scatter(mx_array **out, mx_array *a, mx_array *const *indices, int nidx, mx_array *updates,
               const int *axes, mx_scatter_op op, mx_stream s) {
  struct {
    mx_gather_params p;
    int32_t data[MX_MAX_NDIM];
  } b;
  mx_array *in[MX_MAX_NDIM + 2];
  MX_TRY(prepare_indices("scatter", a, indices, nidx, axes, b.p.data, in + 1, s));
  int nb = nidx ? in[1]->ndim : 0;
  int rc = 0;
  mx_array *upd = NULL;
  if (updates->ndim != nb + a->ndim) {
    rc = mx_error("[scatter] Updates with %d dimensions does not match the sum of the array (%d) "
                  "and indices (%d) dimensions.",
                  updates->ndim, a->ndim, nb);
    goto done;
  }
  int32_t ushape[MX_MAX_NDIM];
  for (int i = 0; i < nb; i++) ushape[i] = in[1]->shape[i];
  for (int i = 0; i < a->ndim; i++) {
    ushape[nb + i] = updates->shape[nb + i];
    if (ushape[nb + i] > a->shape[i]) {
      char sa[512], sb[512];
      rc = mx_error("[scatter] Updates with shape %s are too large for array with shape %s.",
                    mx_shape_str(sa, sizeof sa, updates->ndim, updates->shape),
                    mx_shape_str(sb, sizeof sb, a->ndim, a->shape));
      goto done;
    }
  }
  if ((rc = prepare_update_scatter(&upd, updates, (mx_dtype)a->dtype, nb + a->ndim, ushape, s)))
    goto done;
  b.p.op = op;
  b.p.naxes = nidx;
  b.p.ndim = a->ndim;
  in[0] = a;
  in[nidx + 1] = upd;
  size_t psize = sizeof(mx_gather_params) + (size_t)nidx * sizeof(int32_t);
  *out = mx_array_make(MX_PRIM_SCATTER, &b, psize, in, nidx + 2, a->ndim, a->shape,
                       (mx_dtype)a->dtype, s);
  rc = *out ? 0 : MX_ERR;
done:
  mx_array_release(upd);
  release_all(in + 1, nidx);
  return rc;
}

int mx_put_along_axis(mx_array **out, mx_array *a, mx_array *indices, mx_array *values, int axis,
                      bool axis_none, mx_scatter_op op, mx_stream s) {
  if (axis_none) {
    mx_array *fa = NULL, *fi = NULL, *fv = NULL, *r = NULL;
    MX_TRY(flatten_all(&fa, a, s));
    int rc = flatten_all(&fi, indices, s);
    if (rc == 0)
      rc = values->ndim > 1 ? flatten_all(&fv, values, s) : ((fv = mx_array_retain(values)), 0);
    if (rc == 0) rc = mx_put_along_axis(&r, fa, fi, fv, 0, false, op, s);
    if (rc == 0) rc = mx_reshape(out, r, a->ndim, a->shape, s);
    mx_array_release(fa);
    mx_array_release(fi);
    mx_array_release(fv);
    mx_array_release(r);
    return rc;
  }
  if (axis < -a->ndim || axis >= a->ndim)
    return mx_error("[put_along_axis] Invalid axis %d for array with %d dimensions.", axis,
                    a->ndim);
  int ax = axis < 0 ? axis + a->ndim : axis, nd = a->ndim;
  int32_t vs[MX_MAX_NDIM], us[MX_MAX_NDIM], os[MX_MAX_NDIM];
  MX_TRY(along_axis_shapes("put_along_axis", a, indices, values, ax, us, os, vs));
  mx_array *v = NULL, *in[3] = {NULL, NULL, NULL};
  int rc =
      values->ndim > nd ? mx_reshape(&v, values, nd, vs, s) : ((v = mx_array_retain(values)), 0);
  if (rc == 0) rc = mx_broadcast_to(&in[0], a, nd, os, s);
  if (rc == 0) rc = mx_broadcast_to(&in[1], indices, nd, us, s);
  if (rc == 0) rc = prepare_update_scatter(&in[2], v, (mx_dtype)a->dtype, nd, us, s);
  if (rc == 0) {
    mx_put_axis_params p = {op, ax};
    *out =
        mx_array_make(MX_PRIM_PUT_ALONG_AXIS, &p, sizeof p, in, 3, nd, os, (mx_dtype)a->dtype, s);
    rc = *out ? 0 : MX_ERR;
  }
  mx_array_release(v);
  release_all(in, 3);
  return rc;
}

int mx_masked_scatter(mx_array **out, mx_array *a, mx_array *mask, mx_array *src, mx_stream s) {
  if (mask->dtype != MX_BOOL) return mx_error("[masked_scatter] The mask has to be boolean.");
  if (mask->ndim > a->ndim) {
    char sa[512], sb[512];
    return mx_error("[masked_scatter] The mask of shape %s has more dimensions than the array of "
                    "shape %s.",
                    mx_shape_str(sa, sizeof sa, mask->ndim, mask->shape),
                    mx_shape_str(sb, sizeof sb, a->ndim, a->shape));
  }
  mx_array *m = NULL, *c = NULL, *f = NULL;
  MX_TRY(mx_broadcast_to(&m, mask, a->ndim, a->shape, s));
  int rc = mx_astype(&c, src, (mx_dtype)a->dtype, s);
  if (rc == 0) rc = flatten_all(&f, c, s);
  if (rc == 0) {
    mx_array *in[3] = {a, m, f};
    *out = mx_array_make(MX_PRIM_MASKED_SCATTER, NULL, 0, in, 3, a->ndim, a->shape,
                         (mx_dtype)a->dtype, s);
    rc = *out ? 0 : MX_ERR;
  }
  mx_array_release(m);
  mx_array_release(c);
  mx_array_release(f);
  return rc;
}
