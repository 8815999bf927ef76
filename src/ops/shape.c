/* Shape ops: reshape, transpose, squeeze, expand_dims, flatten, swapaxes, moveaxis, broadcast,
 * as_strided, view, contiguous, depends (views where the layout allows). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/params.h"

int mx_normalize_axis(const char *op, int axis, int ndim, int *out) {
  if (axis < -ndim || axis >= ndim)
    return mx_error("[%s] Invalid axis %d for array with %d dimensions.", op, axis, ndim);
  *out = axis < 0 ? axis + ndim : axis;
  return 0;
}

int mx_reshape(mx_array **out, mx_array *a, int ndim, const int32_t *shape, mx_stream s) {
  if (ndim > MX_MAX_NDIM)
    return mx_error("[reshape] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  int32_t resolved[MX_MAX_NDIM];
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < ndim; i++) {
    resolved[i] = shape[i];
    if (shape[i] == -1) {
      if (infer >= 0) return mx_error("[reshape] Reshape can only infer one dimension.");
      infer = i;
    } else if (shape[i] < 0) {
      char buf[512];
      return mx_error("[reshape] Cannot reshape array of size %lld into shape %s.",
                      (long long)a->size, mx_shape_str(buf, sizeof buf, ndim, shape));
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0 && known > 0 && a->size % known == 0) {
    resolved[infer] = (int32_t)(a->size / known);
    known = a->size;
  } else if (infer >= 0) {
    resolved[infer] = known == 0 ? 0 : (int32_t)(a->size / known);
    known = -1; /* cannot match: report the shape as inferred */
  }
  if (known != a->size) {
    char buf[512];
    return mx_error("[reshape] Cannot reshape array of size %lld into shape %s.",
                    (long long)a->size, mx_shape_str(buf, sizeof buf, ndim, resolved));
  }
  if (a->ndim == ndim && memcmp(a->shape, resolved, (size_t)ndim * sizeof(int32_t)) == 0) {
    *out = mx_array_retain(a);
    return 0;
  }
  *out = mx_make_shaped(MX_PRIM_RESHAPE, &a, 1, ndim, resolved, (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_transpose(mx_array **out, mx_array *a, const int *axes, int naxes, mx_stream s) {
  struct {
    mx_transpose_params p;
    int32_t perm[MX_MAX_NDIM];
  } params;
  int ndim = a->ndim;
  if (axes && naxes != ndim)
    return mx_error("[transpose] Received %d axes for array with %d dimensions.", naxes, ndim);
  bool seen[MX_MAX_NDIM] = {false}, identity = true;
  params.p.ndim = ndim;
  for (int i = 0; i < ndim; i++) {
    int ax = ndim - 1 - i;
    if (axes) MX_TRY(mx_normalize_axis("transpose", axes[i], ndim, &ax));
    if (seen[ax]) return mx_error("[transpose] Repeat axes not allowed.");
    seen[ax] = true;
    params.p.perm[i] = ax;
    identity &= ax == i;
  }
  if (identity) {
    *out = mx_array_retain(a);
    return 0;
  }
  int out_ndim;
  int32_t shape[1][MX_MAX_NDIM];
  size_t psize = sizeof(mx_transpose_params) + (size_t)ndim * sizeof(int32_t);
  MX_TRY(mx_prim_output_shapes(MX_PRIM_TRANSPOSE, &params, &a, 1, &out_ndim, shape));
  *out = mx_array_make(MX_PRIM_TRANSPOSE, &params, psize, &a, 1, out_ndim, shape[0],
                       (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

/* ---- views and reshapes of the indexing family ---- */

static int make_axes_node(mx_array **out, int prim, mx_array *a, const int32_t *axes, int naxes,
                          mx_stream s) {
  struct {
    mx_axes_params p;
    int32_t axes[MX_MAX_NDIM];
  } params;
  params.p.naxes = naxes;
  memcpy(params.p.axes, axes, (size_t)naxes * sizeof(int32_t));
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  size_t psize = sizeof(mx_axes_params) + (size_t)naxes * sizeof(int32_t);
  MX_TRY(mx_prim_output_shapes(prim, &params, &a, 1, &ndim, shape));
  *out = mx_array_make(prim, &params, psize, &a, 1, ndim, shape[0], (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_squeeze(mx_array **out, mx_array *a, const int *axes, int naxes, mx_stream s) {
  bool drop[MX_MAX_NDIM] = {false};
  int32_t list[MX_MAX_NDIM];
  int n = 0;
  if (!axes || naxes < 0) {
    for (int i = 0; i < a->ndim; i++) drop[i] = a->shape[i] == 1;
  } else {
    for (int i = 0; i < naxes; i++) {
      int ax = axes[i];
      if (ax < -a->ndim || ax >= a->ndim)
        return mx_error("[squeeze] Axis %d is out of bounds for array with %d dimensions.", ax,
                        a->ndim);
      if (ax < 0) ax += a->ndim;
      if (drop[ax]) return mx_error("[squeeze] Received duplicate axes.");
      if (a->shape[ax] != 1)
        return mx_error("[squeeze] Cannot squeeze axis %d with size %d which is not equal to 1.",
                        ax, a->shape[ax]);
      drop[ax] = true;
    }
  }
  for (int i = 0; i < a->ndim; i++)
    if (drop[i]) list[n++] = i;
  if (n == 0) {
    *out = mx_array_retain(a);
    return 0;
  }
  return make_axes_node(out, MX_PRIM_SQUEEZE, a, list, n, s);
}

int mx_expand_dims(mx_array **out, mx_array *a, const int *axes, int naxes, mx_stream s) {
  int ndim = a->ndim + naxes;
  if (ndim > MX_MAX_NDIM)
    return mx_error("[expand_dims] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  bool ins[MX_MAX_NDIM] = {false};
  for (int i = 0; i < naxes; i++) {
    int ax = axes[i];
    if (ax < -ndim || ax >= ndim)
      return mx_error("[expand_dims] Axis %d is out of bounds for array with %d dimensions.", ax,
                      ndim);
    if (ax < 0) ax += ndim;
    if (ins[ax]) return mx_error("[expand_dims] Received duplicate axes.");
    ins[ax] = true;
  }
  int32_t list[MX_MAX_NDIM];
  int n = 0;
  for (int i = 0; i < ndim; i++)
    if (ins[i]) list[n++] = i;
  if (n == 0) {
    *out = mx_array_retain(a);
    return 0;
  }
  return make_axes_node(out, MX_PRIM_EXPAND_DIMS, a, list, n, s);
}

int mx_flatten(mx_array **out, mx_array *a, int start_axis, int end_axis, mx_stream s) {
  int ndim = a->ndim;
  if (ndim == 0) {
    int32_t one = 1;
    return mx_reshape(out, a, 1, &one, s);
  }
  if (start_axis < 0) start_axis += ndim;
  if (end_axis < 0) end_axis += ndim;
  if (start_axis < 0) start_axis = 0;
  if (end_axis >= ndim) end_axis = ndim - 1;
  if (start_axis > end_axis)
    return mx_error("[flatten] start_axis must be less than or equal to end_axis");
  if (start_axis == end_axis) {
    *out = mx_array_retain(a);
    return 0;
  }
  int32_t shape[MX_MAX_NDIM];
  int n = 0;
  for (int i = 0; i < start_axis; i++) shape[n++] = a->shape[i];
  int64_t m = 1;
  for (int i = start_axis; i <= end_axis; i++) m *= a->shape[i];
  if (m > INT32_MAX) return mx_error("[flatten] Flattened dimension too large.");
  shape[n++] = (int32_t)m;
  for (int i = end_axis + 1; i < ndim; i++) shape[n++] = a->shape[i];
  return mx_reshape(out, a, n, shape, s);
}

int mx_unflatten(mx_array **out, mx_array *a, int axis, const int32_t *shape, int n, mx_stream s) {
  int ax;
  if (axis < -a->ndim || axis >= a->ndim)
    return mx_error("[unflatten] Invalid axis %d for array with %d dimensions.", axis, a->ndim);
  ax = axis < 0 ? axis + a->ndim : axis;
  if (n <= 0) return mx_error("[unflatten] Shape to unflatten to cannot be empty.");
  if (a->ndim - 1 + n > MX_MAX_NDIM)
    return mx_error("[unflatten] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < n; i++) {
    if (shape[i] == -1) {
      if (infer >= 0) return mx_error("[unflatten] Can only infer one dimension.");
      infer = i;
    } else if (shape[i] < 0) {
      return mx_error("[unflatten] Negative dimensions not allowed.");
    } else {
      known *= shape[i];
    }
  }
  int32_t dims[MX_MAX_NDIM];
  memcpy(dims, shape, (size_t)n * sizeof(int32_t));
  int64_t size = a->shape[ax];
  if (infer >= 0 && known > 0 && size % known == 0) {
    dims[infer] = (int32_t)(size / known);
    known = size;
  }
  if (known != size || (infer >= 0 && known == 0 && size != 0)) {
    char buf[512];
    return mx_error("[unflatten] Cannot unflatten axis %d with size %lld into shape %s.", ax,
                    (long long)size, mx_shape_str(buf, sizeof buf, n, shape));
  }
  if (infer >= 0 && known == 0) dims[infer] = 0;
  int32_t full[MX_MAX_NDIM];
  int m = 0;
  for (int i = 0; i < ax; i++) full[m++] = a->shape[i];
  for (int i = 0; i < n; i++) full[m++] = dims[i];
  for (int i = ax + 1; i < a->ndim; i++) full[m++] = a->shape[i];
  return mx_reshape(out, a, m, full, s);
}

int mx_swapaxes(mx_array **out, mx_array *a, int axis1, int axis2, mx_stream s) {
  int a1 = 0, a2 = 0;
  MX_TRY(mx_normalize_axis("swapaxes", axis1, a->ndim, &a1));
  MX_TRY(mx_normalize_axis("swapaxes", axis2, a->ndim, &a2));
  int perm[MX_MAX_NDIM];
  for (int i = 0; i < a->ndim; i++) perm[i] = i;
  perm[a1] = a2;
  perm[a2] = a1;
  return mx_transpose(out, a, perm, a->ndim, s);
}

int mx_moveaxis(mx_array **out, mx_array *a, int source, int destination, mx_stream s) {
  int src = 0, dst = 0;
  MX_TRY(mx_normalize_axis("moveaxis", source, a->ndim, &src));
  MX_TRY(mx_normalize_axis("moveaxis", destination, a->ndim, &dst));
  int perm[MX_MAX_NDIM], n = 0;
  for (int i = 0; i < a->ndim; i++)
    if (i != src) perm[n++] = i;
  memmove(perm + dst + 1, perm + dst, (size_t)(a->ndim - 1 - dst) * sizeof(int));
  perm[dst] = src;
  return mx_transpose(out, a, perm, a->ndim, s);
}

int mx_broadcast_arrays(mx_array **outs, mx_array *const *arrays, int n, mx_stream s) {
  int ndim = 0;
  int32_t shape[MX_MAX_NDIM];
  for (int i = 0; i < n; i++) {
    if (arrays[i]->ndim > MX_MAX_NDIM) return mx_error("[broadcast_arrays] Too many dimensions.");
    int32_t prev[MX_MAX_NDIM];
    memcpy(prev, shape, (size_t)ndim * sizeof(int32_t));
    MX_TRY(mx_broadcast_shapes("broadcast_shapes", ndim, prev, arrays[i]->ndim, arrays[i]->shape,
                               &ndim, shape));
  }
  for (int i = 0; i < n; i++) {
    if (mx_broadcast_to(&outs[i], arrays[i], ndim, shape, s)) {
      for (int j = 0; j < i; j++) mx_array_release(outs[j]);
      return MX_ERR;
    }
  }
  return 0;
}

int mx_atleast(mx_array **out, mx_array *a, int nd, mx_stream s) {
  int axes[3], n = 0;
  if (a->ndim < nd) {
    if (nd == 1) {
      axes[n++] = 0;
    } else if (nd == 2) {
      if (a->ndim == 0)
        axes[n++] = 0, axes[n++] = 1;
      else
        axes[n++] = 0;
    } else {
      if (a->ndim == 0)
        axes[n++] = 0, axes[n++] = 1, axes[n++] = 2;
      else if (a->ndim == 1)
        axes[n++] = 0, axes[n++] = 2;
      else
        axes[n++] = 2;
    }
  }
  return mx_expand_dims(out, a, axes, n, s);
}

int mx_contiguous_layout(mx_array **out, mx_array *a, bool allow_col_major, mx_stream s) {
  mx_int_param p = {allow_col_major ? 1 : 0};
  *out = mx_array_make(MX_PRIM_CONTIGUOUS, &p, sizeof p, &a, 1, a->ndim, a->shape,
                       (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_as_strided(mx_array **out, mx_array *a, int ndim, const int32_t *shape,
                  const int64_t *strides, int64_t offset, mx_stream s) {
  if (ndim > MX_MAX_NDIM)
    return mx_error("[as_strided] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  mx_as_strided_params p;
  memset(&p, 0, sizeof p);
  p.offset = offset;
  p.ndim = ndim;
  int64_t size = 1, lo = offset, hi = offset;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) return mx_error("[as_strided] Negative dimensions not allowed.");
    p.shape[i] = shape[i];
    p.strides[i] = strides[i];
    size *= shape[i];
    if (shape[i] > 0) {
      int64_t span = (int64_t)(shape[i] - 1) * strides[i];
      if (span < 0)
        lo += span;
      else
        hi += span;
    }
  }
  if (size > 0 && (lo < 0 || hi >= a->size))
    return mx_error("[as_strided] The strided view reaches elements [%lld, %lld], outside the "
                    "array's %lld elements.",
                    (long long)lo, (long long)hi, (long long)a->size);
  mx_array *c = NULL;
  MX_TRY(mx_contiguous_layout(&c, a, false, s));
  *out = mx_array_make(MX_PRIM_AS_STRIDED, &p, sizeof p, &c, 1, ndim, shape, (mx_dtype)a->dtype, s);
  mx_array_release(c);
  return *out ? 0 : MX_ERR;
}

int mx_view(mx_array **out, mx_array *a, mx_dtype dtype, mx_stream s) {
  if (!mx_dtype_valid(dtype)) return mx_error("[view] Invalid dtype %d.", (int)dtype);
  if (a->dtype == dtype) {
    *out = mx_array_retain(a);
    return 0;
  }
  mx_int_param p = {dtype};
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  MX_TRY(mx_prim_output_shapes(MX_PRIM_VIEW, &p, &a, 1, &ndim, shape));
  *out = mx_array_make(MX_PRIM_VIEW, &p, sizeof p, &a, 1, ndim, shape[0], dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_depends(mx_array **outs, mx_array *const *inputs, int n, mx_array *const *deps, int ndeps,
               mx_stream s) {
  if (n == 0) return 0;
  if (n > 65535) return mx_error("[depends] Too many inputs.");
  mx_array **all = malloc((size_t)(n + ndeps) * sizeof(mx_array *));
  int *ndims = malloc((size_t)n * sizeof(int));
  const int32_t **shapes = malloc((size_t)n * sizeof(int32_t *));
  mx_dtype *dtypes = malloc((size_t)n * sizeof(mx_dtype));
  int rc = MX_ERR;
  if (!all || !ndims || !shapes || !dtypes) {
    mx_error("[depends] Out of memory.");
    goto done;
  }
  for (int i = 0; i < n; i++) {
    all[i] = inputs[i];
    ndims[i] = inputs[i]->ndim;
    shapes[i] = inputs[i]->shape;
    dtypes[i] = (mx_dtype)inputs[i]->dtype;
  }
  for (int i = 0; i < ndeps; i++) all[n + i] = deps[i];
  mx_int_param p = {n};
  rc =
      mx_node_new(MX_PRIM_DEPENDS, &p, sizeof p, all, n + ndeps, n, ndims, shapes, dtypes, s, outs);
done:
  free(all);
  free(ndims);
  free(shapes);
  free(dtypes);
  return rc;
}
