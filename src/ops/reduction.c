/* Reductions. */
#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/params.h"

/* MLX accumulates small integers in 32 bits. */
static mx_dtype sum_dtype(mx_dtype t) {
  switch (t) {
  case MX_BOOL:
  case MX_INT8:
  case MX_INT16: return MX_INT32;
  case MX_UINT8:
  case MX_UINT16: return MX_UINT32;
  default: return t;
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

int mx_sum(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s) {
  struct {
    mx_reduce_params p;
    int32_t axes[MX_MAX_NDIM];
  } params;
  params.p.op = MX_REDUCE_SUM;
  MX_TRY(reduce_axes("sum", a, axes, naxes, &params.p));
  if (params.p.naxes == 0) { /* nothing to reduce: MLX returns the input as it is */
    *out = mx_array_retain(a);
    return 0;
  }
  mx_dtype t = sum_dtype((mx_dtype)a->dtype);

  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  size_t psize = sizeof(mx_reduce_params) + (size_t)params.p.naxes * sizeof(int32_t);
  MX_TRY(mx_prim_output_shapes(MX_PRIM_REDUCE, &params, &a, 1, &ndim, shape));
  mx_array *kept = mx_array_make(MX_PRIM_REDUCE, &params, psize, &a, 1, ndim, shape[0], t, s);
  if (!kept || keepdims) return (*out = kept) ? 0 : MX_ERR;

  int32_t squeezed[MX_MAX_NDIM];
  int n = 0;
  for (int i = 0, k = 0; i < ndim; i++) {
    if (k < params.p.naxes && params.p.axes[k] == i) k++;
    else squeezed[n++] = shape[0][i];
  }
  int rc = mx_reshape(out, kept, n, squeezed, s);
  mx_array_release(kept);
  return rc;
}
