/* Broadcasting and the binary arithmetic ops. */
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"

int mx_broadcast_shapes(const char *op, int andim, const int32_t *ashape, int bndim,
                        const int32_t *bshape, int *ndim, int32_t *shape) {
  int n = andim > bndim ? andim : bndim;
  int32_t joint[MX_MAX_NDIM]; /* shape may be ashape or bshape: written once all are read */
  if (n > MX_MAX_NDIM) return mx_error("[%s] Too many dimensions (%d).", op, n);
  for (int i = 0; i < n; i++) {
    int ai = i - (n - andim), bi = i - (n - bndim);
    int32_t da = ai >= 0 ? ashape[ai] : 1, db = bi >= 0 ? bshape[bi] : 1;
    if (da != db && da != 1 && db != 1) {
      char sa[512], sb[512];
      return mx_error("[%s] Shapes %s and %s cannot be broadcast.", op,
                      mx_shape_str(sa, sizeof sa, andim, ashape),
                      mx_shape_str(sb, sizeof sb, bndim, bshape));
    }
    joint[i] = da == 1 ? db : da;
  }
  memcpy(shape, joint, sizeof(int32_t) * (size_t)n);
  *ndim = n;
  return 0;
}

static bool same_shape(const mx_array *a, int ndim, const int32_t *shape) {
  return a->ndim == ndim && memcmp(a->shape, shape, (size_t)ndim * sizeof(int32_t)) == 0;
}

int mx_broadcast_to(mx_array **out, mx_array *a, int ndim, const int32_t *shape, mx_stream s) {
  if (same_shape(a, ndim, shape)) {
    *out = mx_array_retain(a);
    return 0;
  }
  int32_t joint[MX_MAX_NDIM];
  int jn = 0;
  if (ndim < a->ndim || ndim > MX_MAX_NDIM ||
      mx_broadcast_shapes("broadcast_to", a->ndim, a->shape, ndim, shape, &jn, joint) ||
      !same_shape(&(mx_array){.ndim = jn, .shape = joint}, ndim, shape)) {
    char sa[512], sb[512];
    return mx_error("[broadcast_to] Cannot broadcast array of shape %s to shape %s.",
                    mx_shape_str(sa, sizeof sa, a->ndim, a->shape),
                    mx_shape_str(sb, sizeof sb, ndim, shape));
  }
  *out = mx_make_shaped(MX_PRIM_BROADCAST, &a, 1, ndim, shape, (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

/* Casts both inputs to dtype and broadcasts them to their joint shape (shared with the
 * elementwise ops, declared in ops/elementwise.h). */
int mx_broadcast_cast2(const char *op, mx_array *a, mx_array *b, mx_dtype dtype, mx_stream s,
                       mx_array **pa, mx_array **pb) {
  int32_t shape[MX_MAX_NDIM];
  int ndim = 0;
  if (a->ndim > MX_MAX_NDIM || b->ndim > MX_MAX_NDIM)
    return mx_error("[%s] Too many dimensions.", op);
  MX_TRY(mx_broadcast_shapes(op, a->ndim, a->shape, b->ndim, b->shape, &ndim, shape));
  mx_array *ca = NULL, *cb = NULL;
  int rc = mx_astype(&ca, a, dtype, s);
  if (rc == 0) rc = mx_astype(&cb, b, dtype, s);
  if (rc == 0) rc = mx_broadcast_to(pa, ca, ndim, shape, s);
  if (rc == 0 && (rc = mx_broadcast_to(pb, cb, ndim, shape, s)) != 0) mx_array_release(*pa);
  mx_array_release(ca);
  mx_array_release(cb);
  return rc;
}

static int binary(const char *op, int prim, mx_array **out, mx_array *a, mx_array *b,
                  mx_dtype dtype, mx_stream s) {
  mx_array *in[2];
  MX_TRY(mx_broadcast_cast2(op, a, b, dtype, s, &in[0], &in[1]));
  *out = mx_array_make(prim, NULL, 0, in, 2, in[0]->ndim, in[0]->shape, dtype, s);
  mx_array_release(in[0]);
  mx_array_release(in[1]);
  return *out ? 0 : MX_ERR;
}

int mx_add(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  return binary("add", MX_PRIM_ADD, out, a, b, t, s);
}

int mx_subtract(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  return binary("subtract", MX_PRIM_SUBTRACT, out, a, b, t, s);
}

int mx_multiply(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  return binary("multiply", MX_PRIM_MULTIPLY, out, a, b, t, s);
}

/* Integer and bool operands divide in float32, as in MLX. */
int mx_divide(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
  if (!mx_dtype_is_inexact(t)) t = MX_FLOAT32;
  return binary("divide", MX_PRIM_DIVIDE, out, a, b, t, s);
}
