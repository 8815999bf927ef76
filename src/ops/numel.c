/* NumberOfElements: the element count of some axes of an array, read from its shape when the
 * graph runs (not when it is built), so mean and var stay right when a shapeless compiled
 * function is replayed on new shapes. value = count - ddof, or its reciprocal (inverted). */
#include "ops/numel.h"

#include <string.h>

#include "backend/cpu/strided.h"
#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/rules.h"

int mx_count_elements(mx_array **out, mx_array *a, const int *axes, int naxes, bool inverted,
                      int ddof, mx_dtype dtype, mx_stream s) {
  struct {
    mx_numel_params p;
    int32_t axes[MX_MAX_NDIM];
  } prm = {{.naxes = naxes, .inverted = inverted, .ddof = ddof, .dtype = dtype}, {0}};
  bool chosen[MX_MAX_NDIM] = {false};
  if (dtype == MX_BOOL) return mx_error("[number_of_elements] Can only cast to numeric types.");
  if (naxes > MX_MAX_NDIM) return mx_error("[number_of_elements] Too many axes.");
  for (int i = 0; i < naxes; i++) {
    int ax;
    MX_TRY(mx_normalize_axis("number_of_elements", axes[i], a->ndim, &ax));
    if (chosen[ax]) return mx_error("[number_of_elements] Duplicate axis %d.", axes[i]);
    chosen[ax] = true;
    prm.p.axes[i] = ax;
  }
  *out = mx_array_make(MX_PRIM_NUMBER_OF_ELEMENTS, &prm,
                       sizeof prm.p + sizeof(int32_t) * (size_t)naxes, &a, 1, 0, NULL, dtype, s);
  return *out ? 0 : MX_ERR;
}

int mx_number_of_elements(mx_array **out, mx_array *a, const int *axes, int naxes, bool inverted,
                          mx_dtype dtype, mx_stream s) {
  return mx_count_elements(out, a, axes, naxes, inverted, 0, dtype, s);
}

int mx_cpu_number_of_elements(mx_node *n) {
  const mx_numel_params *p = n->params;
  const mx_array *a = n->inputs[0];
  double count = 1;
  for (int i = 0; i < p->naxes; i++) {
    if (p->axes[i] >= a->ndim) /* (a replay fed it an array of lower rank than its trace's) */
      return mx_error("[number_of_elements] Axis %d is out of bounds for an array of %d "
                      "dimensions.",
                      (int)p->axes[i], a->ndim);
    count *= a->shape[p->axes[i]];
  }
  count -= p->ddof;
  if (p->inverted) count = 1.0 / (count > 0 ? count : 0.0);
  MX_TRY(mx_array_alloc_data(&n->out[0]));
  mx_cpu_convert(&count, MX_FLOAT64, 1, mx_array_data(&n->out[0]), (mx_dtype)p->dtype, 1, 1);
  return 0;
}

int mx_shapes_numel(const void *params, mx_array *const *inputs, int nin, int *ndims,
                    int32_t (*shapes)[MX_MAX_NDIM]) {
  (void)params, (void)inputs, (void)nin, (void)shapes;
  ndims[0] = 0;
  return 0;
}

/* A function of the input's shape only: no derivative. */
int mx_vjp_numel(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                 mx_array **grads) {
  for (int i = 0; i < nargs; i++) MX_TRY(mx_zeros_like(&grads[i], n->inputs[argnums[i]]));
  return 0;
}

int mx_jvp_numel(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  return mx_zeros_like(&out[0], &n->out[0]);
}

/* The same count for every batch element: counted on the batched input, past its batch axis. */
int mx_vmap_numel(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes) {
  const mx_numel_params *p = n->params;
  int shifted[MX_MAX_NDIM];
  for (int i = 0; i < p->naxes; i++)
    shifted[i] = p->axes[i] + (axes[0] >= 0 && p->axes[i] >= axes[0]);
  mx_array *one = NULL;
  MX_TRY(mx_count_elements(&one, in[0], shifted, p->naxes, p->inverted, p->ddof, (mx_dtype)p->dtype,
                           n->stream));
  if (axes[0] < 0) {
    out[0] = one;
    out_axes[0] = -1;
    return 0;
  }
  int32_t b = in[0]->shape[axes[0]];
  int rc = mx_broadcast_to(&out[0], one, 1, &b, n->stream);
  mx_array_release(one);
  out_axes[0] = 0;
  return rc;
}
