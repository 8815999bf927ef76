/* Shape ops: reshape and transpose (views where the layout allows). */
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
  if (ndim > MX_MAX_NDIM) return mx_error("[reshape] Arrays have at most %d dimensions.", MX_MAX_NDIM);
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
