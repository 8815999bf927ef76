/* Reductions through the REDUCE primitive: sum, prod, max, min, all, any. */
#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/params.h"

/* MLX accumulates small integers (and bool) in 32 bits for sum and prod. */
static mx_dtype sum_dtype(mx_dtype t) {
  switch (t) {
  case MX_BOOL:
  case MX_INT8:
  case MX_INT16:
    return MX_INT32;
  case MX_UINT8:
  case MX_UINT16:
    return MX_UINT32;
  default:
    return t;
  }
}

/* Fills p (sorted unique axes) from axes; naxes < 0 means every axis. */
static int reduce_axes(const char *op, const mx_array *a, const int *axes, int naxes,
                       mx_reduce_params *p) {
  bool chosen[MX_MAX_NDIM] = {false};
  if (naxes < 0) {
    for (int i = 0; i < a->ndim; i++) chosen[i] = true;
  } else {
    for (int i = 0; i < naxes; i++) {
      int ax;
      MX_TRY(mx_normalize_axis(op, axes[i], a->ndim, &ax));
      if (chosen[ax]) return mx_error("[%s] Duplicate axes detected in reduction.", op);
      chosen[ax] = true;
    }
  }
  p->naxes = 0;
  for (int i = 0; i < a->ndim; i++)
    if (chosen[i]) p->axes[p->naxes++] = i;
  return 0;
}

static int reduce(const char *name, int op, mx_dtype t, mx_array **out, mx_array *a,
                  const int *axes, int naxes, bool keepdims, mx_stream s) {
  struct {
    mx_reduce_params p;
    int32_t axes[MX_MAX_NDIM];
  } params;
  params.p.op = op;
  MX_TRY(reduce_axes(name, a, axes, naxes, &params.p));
  if (op == MX_REDUCE_MAX || op == MX_REDUCE_MIN) {
    for (int i = 0; i < params.p.naxes; i++)
      if (a->shape[params.p.axes[i]] == 0)
        return mx_error("[%s] Cannot %s reduce over axis %d with size 0.", name, name,
                        params.p.axes[i]);
  }
  if (params.p.naxes == 0) { /* nothing to reduce: MLX returns the input (all/any: as bool) */
    if (t == MX_BOOL && (op == MX_REDUCE_ALL || op == MX_REDUCE_ANY))
      return mx_astype(out, a, MX_BOOL, s);
    *out = mx_array_retain(a);
    return 0;
  }

  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  size_t psize = sizeof(mx_reduce_params) + (size_t)params.p.naxes * sizeof(int32_t);
  MX_TRY(mx_prim_output_shapes(MX_PRIM_REDUCE, &params, &a, 1, &ndim, shape));
  mx_array *kept = mx_array_make(MX_PRIM_REDUCE, &params, psize, &a, 1, ndim, shape[0], t, s);
  if (!kept || keepdims) return (*out = kept) ? 0 : MX_ERR;

  int32_t squeezed[MX_MAX_NDIM];
  int n = 0;
  for (int i = 0, k = 0; i < ndim; i++) {
    if (k < params.p.naxes && params.p.axes[k] == i)
      k++;
    else
      squeezed[n++] = shape[0][i];
  }
  int rc = mx_reshape(out, kept, n, squeezed, s);
  mx_array_release(kept);
  return rc;
}

int mx_sum(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  return reduce("sum", MX_REDUCE_SUM, sum_dtype((mx_dtype)a->dtype), out, a, axes, naxes, keepdims,
                s);
}

int mx_prod(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  return reduce("prod", MX_REDUCE_PROD, sum_dtype((mx_dtype)a->dtype), out, a, axes, naxes,
                keepdims, s);
}

int mx_max(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  return reduce("max", MX_REDUCE_MAX, (mx_dtype)a->dtype, out, a, axes, naxes, keepdims, s);
}

int mx_min(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  return reduce("min", MX_REDUCE_MIN, (mx_dtype)a->dtype, out, a, axes, naxes, keepdims, s);
}

int mx_all(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  return reduce("all", MX_REDUCE_ALL, MX_BOOL, out, a, axes, naxes, keepdims, s);
}

int mx_any(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  return reduce("any", MX_REDUCE_ANY, MX_BOOL, out, a, axes, naxes, keepdims, s);
}
