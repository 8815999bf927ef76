/* Creation and conversion ops: full, zeros, ones, arange, astype, contiguous. */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/params.h"

/* Node with a shape-params block (FULL, BROADCAST, RESHAPE). */
mx_array *mx_make_shaped(int prim, mx_array *const *inputs, int nin, int ndim,
                         const int32_t *shape, mx_dtype dtype, mx_stream s) {
  struct {
    mx_shape_params p;
    int32_t dims[MX_MAX_NDIM];
  } params;
  if (ndim > MX_MAX_NDIM)
    return mx_error("[%s] Arrays have at most %d dimensions.", mx_prims[prim].name, MX_MAX_NDIM),
           NULL;
  params.p.ndim = ndim;
  for (int i = 0; i < ndim; i++) params.p.shape[i] = shape[i];
  size_t size = sizeof(mx_shape_params) + (size_t)ndim * sizeof(int32_t);
  return mx_array_make(prim, &params, size, inputs, nin, ndim, shape, dtype, s);
}

int mx_full(mx_array **out, int ndim, const int32_t *shape, mx_array *vals, mx_dtype dtype,
            mx_stream s) {
  for (int i = 0; i < ndim; i++)
    if (shape[i] < 0) return mx_error("[full] Negative dimensions not allowed.");
  mx_array *v = NULL, *fill = NULL;
  MX_TRY(mx_astype(&v, vals, dtype, s));
  int rc = 0;
  if (v->size == 1 && v->ndim <= ndim) fill = mx_array_retain(v);
  else rc = mx_broadcast_to(&fill, v, ndim, shape, s);
  if (rc == 0) {
    *out = mx_make_shaped(MX_PRIM_FULL, &fill, 1, ndim, shape, dtype, s);
    rc = *out ? 0 : MX_ERR;
  }
  mx_array_release(v);
  mx_array_release(fill);
  return rc;
}

static int full_scalar(mx_array **out, int ndim, const int32_t *shape, double value,
                       mx_dtype dtype, mx_stream s) {
  if (!mx_dtype_valid(dtype)) return mx_error("[full] Invalid dtype %d.", (int)dtype);
  mx_array *v = mx_array_scalar(dtype, value);
  if (!v) return MX_ERR;
  int rc = mx_full(out, ndim, shape, v, dtype, s);
  mx_array_release(v);
  return rc;
}

int mx_zeros(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype, mx_stream s) {
  return full_scalar(out, ndim, shape, 0.0, dtype, s);
}

int mx_ones(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype, mx_stream s) {
  return full_scalar(out, ndim, shape, 1.0, dtype, s);
}

int mx_arange(mx_array **out, double start, double stop, double step, mx_dtype dtype,
              mx_stream s) {
  if (!mx_dtype_valid(dtype)) return mx_error("[arange] Invalid dtype %d.", (int)dtype);
  if (dtype == MX_BOOL) return mx_error("[arange] Cannot compute length of arange of type bool.");
  if (isnan(start) || isnan(stop) || isnan(step))
    return mx_error("[arange] Cannot compute length with NaN.");
  if (step == 0) return mx_error("[arange] step must be nonzero.");
  if (isinf(step) && (step > 0) == (stop > start)) {
    /* One element (start), as numpy does. */
    stop = start + (step > 0 ? 1 : -1);
    step = step > 0 ? 1 : -1;
  }
  mx_arange_params p = {start, stop, step};
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  MX_TRY(mx_prim_output_shapes(MX_PRIM_ARANGE, &p, NULL, 0, &ndim, shape));
  *out = mx_array_make(MX_PRIM_ARANGE, &p, sizeof p, NULL, 0, 1, shape[0], dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_astype(mx_array **out, mx_array *a, mx_dtype dtype, mx_stream s) {
  if (!mx_dtype_valid(dtype)) return mx_error("[astype] Invalid dtype %d.", (int)dtype);
  if (a->dtype == dtype) {
    *out = mx_array_retain(a);
    return 0;
  }
  mx_astype_params p = {dtype};
  *out = mx_array_make(MX_PRIM_ASTYPE, &p, sizeof p, &a, 1, a->ndim, a->shape, dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_contiguous(mx_array **out, mx_array *a, mx_stream s) {
  if (mx_array_status(a) == MX_AVAILABLE && (a->flags & MX_ROW_CONTIGUOUS) &&
      a->data_size == a->size) {
    *out = mx_array_retain(a);
    return 0;
  }
  *out = mx_array_make(MX_PRIM_COPY, NULL, 0, &a, 1, a->ndim, a->shape, (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_copy(mx_array **out, mx_array *a, mx_stream s) {
  *out = mx_array_make(MX_PRIM_COPY, NULL, 0, &a, 1, a->ndim, a->shape, (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}
