/* Creation ops: linspace, eye, identity, tri, meshgrid, the window functions, full_like. */
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/random.h"

int mx_shapes_eye(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_eye_params *p = params;
  ndims[0] = 2;
  shapes[0][0] = p->n;
  shapes[0][1] = p->m;
  return 0;
}

int mx_shapes_window(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_window_params *p = params;
  ndims[0] = 1;
  shapes[0][0] = p->m;
  return 0;
}

/* (1 - t) * start + t * stop with t = arange(num) / (num - 1) (or / num without the endpoint),
 * computed in float32 (float64 for a float64 result) and cast, as MLX. */
int mx_linspace(mx_array **out, double start, double stop, int num, bool endpoint,
                mx_dtype dtype, mx_stream s) {
  if (num < 0) return mx_error("[linspace] number of samples, %d, must be non-negative.", num);
  if (!mx_dtype_valid(dtype)) return mx_error("[linspace] Invalid dtype %d.", (int)dtype);
  mx_dtype ct = dtype == MX_FLOAT64 ? MX_FLOAT64 : MX_FLOAT32;
  int div = endpoint ? num - 1 : num;
  if (div < 1) div = 1;
  mx_array *t0 = NULL, *t = NULL, *tb = NULL, *a = NULL, *b = NULL, *r = NULL;
  mx_array *cdiv = mx_array_scalar(ct, div), *one = mx_array_scalar(ct, 1.0);
  mx_array *c0 = mx_array_scalar(ct, start), *c1 = mx_array_scalar(ct, stop);
  int rc = (cdiv && one && c0 && c1) ? 0 : MX_ERR;
  if (!rc) rc = mx_arange(&t0, 0.0, (double)num, 1.0, ct, s);
  if (!rc) rc = mx_divide(&t, t0, cdiv, s);
  if (!rc) rc = mx_subtract(&tb, one, t, s);
  if (!rc) rc = mx_multiply(&a, tb, c0, s);
  if (!rc) rc = mx_multiply(&b, t, c1, s);
  if (!rc) rc = mx_add(&r, a, b, s);
  if (!rc) rc = mx_astype(out, r, dtype, s);
  mx_array *tmp[] = {t0, t, tb, a, b, r, cdiv, one, c0, c1};
  for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++) mx_array_release(tmp[i]);
  return rc;
}

static int eye_like(mx_array **out, int prim, int n, int m, int k, mx_dtype dtype, mx_stream s) {
  if (!mx_dtype_valid(dtype))
    return mx_error("[%s] Invalid dtype %d.", prim == MX_PRIM_EYE ? "eye" : "tri", (int)dtype);
  mx_eye_params p = {n, m, k};
  int32_t shape[2] = {n, m};
  *out = mx_array_make(prim, &p, sizeof p, NULL, 0, 2, shape, dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_eye(mx_array **out, int n, int m, int k, mx_dtype dtype, mx_stream s) {
  if (n < 0 || m < 0) return mx_error("[eye] N and M must be positive integers.");
  return eye_like(out, MX_PRIM_EYE, n, m, k, dtype, s);
}

int mx_identity(mx_array **out, int n, mx_dtype dtype, mx_stream s) {
  return mx_eye(out, n, n, 0, dtype, s);
}

/* Negative sizes give empty dimensions (MLX builds tri from aranges). */
int mx_tri(mx_array **out, int n, int m, int k, mx_dtype dtype, mx_stream s) {
  return eye_like(out, MX_PRIM_TRI, n < 0 ? 0 : n, m < 0 ? 0 : m, k, dtype, s);
}

int mx_meshgrid(mx_array **outs, mx_array *const *arrays, int n, bool sparse,
                const char *indexing, mx_stream s) {
  if (!indexing || (strcmp(indexing, "xy") != 0 && strcmp(indexing, "ij") != 0))
    return mx_error("[meshgrid] Invalid indexing value. Valid values are 'xy' and 'ij'.");
  if (n > MX_MAX_NDIM) return mx_error("[meshgrid] Too many arrays.");
  bool xy = strcmp(indexing, "xy") == 0 && n >= 2;
  int32_t full[MX_MAX_NDIM];
  for (int i = 0; i < n; i++) {
    int64_t sz = arrays[i]->size;
    if (sz > INT32_MAX) return mx_error("[meshgrid] Array too large.");
    int pos = (xy && i < 2) ? 1 - i : i;
    full[pos] = (int32_t)sz;
  }
  for (int i = 0; i < n; i++) {
    int pos = (xy && i < 2) ? 1 - i : i;
    int32_t shape[MX_MAX_NDIM];
    for (int d = 0; d < n; d++) shape[d] = d == pos ? full[pos] : 1;
    mx_array *r = NULL;
    int rc = mx_reshape(&r, arrays[i], n, shape, s);
    if (!rc && !sparse) {
      mx_array *b = NULL;
      rc = mx_broadcast_to(&b, r, n, full, s);
      mx_array_release(r);
      r = b;
    }
    if (rc) {
      for (int j = 0; j < i; j++) mx_array_release(outs[j]);
      return MX_ERR;
    }
    outs[i] = r;
  }
  return 0;
}

int mx_window(mx_array **out, mx_window_kind kind, int m, mx_stream s) {
  mx_window_params p = {kind, m < 0 ? 0 : m};
  int32_t shape[1] = {p.m};
  *out = mx_array_make(MX_PRIM_WINDOW, &p, sizeof p, NULL, 0, 1, shape, MX_FLOAT32, s);
  return *out ? 0 : MX_ERR;
}

int mx_full_like(mx_array **out, mx_array *a, mx_array *vals, mx_dtype dtype, mx_stream s) {
  int32_t shape[MX_MAX_NDIM];
  int ndim;
  if (a->ndim > MX_MAX_NDIM || vals->ndim > MX_MAX_NDIM)
    return mx_error("[full_like] Too many dimensions.");
  MX_TRY(mx_broadcast_shapes("broadcast_shapes", a->ndim, a->shape, vals->ndim, vals->shape,
                             &ndim, shape));
  return mx_full(out, ndim, shape, vals, dtype, s);
}
