/* Output shapes, equivalence, and the view primitives (device independent). */
#include "ops/rules.h"

#include <string.h>

#include "backend/cpu/kernels.h"
#include "core/error.h"
#include "ops/params.h"

int mx_shapes_same(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]) {
  ndims[0] = inputs[0]->ndim;
  memcpy(shapes[0], inputs[0]->shape, (size_t)inputs[0]->ndim * sizeof(int32_t));
  return 0;
}

int mx_shapes_params(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_shape_params *p = params;
  ndims[0] = p->ndim;
  memcpy(shapes[0], p->shape, (size_t)p->ndim * sizeof(int32_t));
  return 0;
}

int mx_shapes_arange(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_arange_params *p = params;
  double n = __builtin_ceil((p->stop - p->start) / p->step);
  if (!(n < 2147483647.0)) return mx_error("[arange] Maximum size exceeded.");
  ndims[0] = 1;
  shapes[0][0] = n > 0 ? (int32_t)n : 0;
  return 0;
}

int mx_shapes_transpose(const void *params, mx_array *const *inputs, int nin, int *ndims,
                        int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_transpose_params *p = params;
  ndims[0] = p->ndim;
  for (int i = 0; i < p->ndim; i++) shapes[0][i] = inputs[0]->shape[p->perm[i]];
  return 0;
}

int mx_shapes_reduce(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_reduce_params *p = params;
  mx_shapes_same(params, inputs, nin, ndims, shapes);
  for (int i = 0; i < p->naxes; i++) shapes[0][p->axes[i]] = 1;
  return 0;
}

int mx_shapes_matmul(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_array *a = inputs[0], *b = inputs[1];
  mx_shapes_same(params, inputs, nin, ndims, shapes);
  shapes[0][a->ndim - 1] = b->shape[b->ndim - 1];
  return 0;
}

bool mx_equiv_params(const mx_node *a, const mx_node *b) {
  return a->prim == b->prim && a->params_size == b->params_size &&
         (a->params_size == 0 || memcmp(a->params, b->params, a->params_size) == 0);
}

/* ---- views ---- */

static void set_view_strides(mx_array *out, const mx_array *in, const int64_t *strides) {
  int64_t data_size;
  uint8_t flags = mx_layout_flags(out->ndim, out->shape, strides, &data_size);
  mx_array_set_view(out, in, strides, 0, data_size, flags);
}

/* Input dims align with the output's trailing dims; size-1 input dims repeat with stride 0. */
int mx_eval_broadcast(mx_node *n) {
  mx_array *in = n->inputs[0], *out = &n->out[0];
  int64_t strides[MX_MAX_NDIM];
  int lead = out->ndim - in->ndim;
  for (int i = 0; i < out->ndim; i++) {
    int j = i - lead;
    strides[i] = (j < 0 || (in->shape[j] == 1 && out->shape[i] != 1)) ? 0 : in->strides[j];
  }
  set_view_strides(out, in, strides);
  return 0;
}

int mx_eval_transpose(mx_node *n) {
  const mx_transpose_params *p = n->params;
  mx_array *in = n->inputs[0], *out = &n->out[0];
  int64_t strides[MX_MAX_NDIM];
  for (int i = 0; i < p->ndim; i++) strides[i] = in->strides[p->perm[i]];
  set_view_strides(out, in, strides);
  return 0;
}

/* Strides that let `out` view `in` without a copy, if there are any: the dims of each group of
 * input dims whose product is a group of output dims must be nested in row-major order
 * (stride[i] == stride[i + 1] * shape[i + 1]) — true of transposes of untouched groups and of
 * slices along the leading dim, not of a transposed matrix flattened. Size-1 dims take any
 * stride. */
static bool reshape_strides(const mx_array *in, const mx_array *out, int64_t *strides) {
  int32_t od[MX_MAX_NDIM];
  int64_t os[MX_MAX_NDIM];
  int on = 0;
  for (int i = 0; i < in->ndim; i++)
    if (in->shape[i] != 1) od[on] = in->shape[i], os[on++] = in->strides[i];
  int oi = 0, ni = 0;
  while (ni < out->ndim && oi < on) {
    int oj = oi + 1, nj = ni + 1;
    int64_t np = out->shape[ni], op = od[oi];
    while (np != op) {
      if (np < op) {
        if (nj == out->ndim) return false;
        np *= out->shape[nj++];
      } else {
        if (oj == on) return false;
        op *= od[oj++];
      }
    }
    for (int k = oi; k < oj - 1; k++)
      if (os[k] != os[k + 1] * od[k + 1]) return false;
    strides[nj - 1] = os[oj - 1];
    for (int k = nj - 1; k > ni; k--) strides[k - 1] = strides[k] * out->shape[k];
    ni = nj, oi = oj;
  }
  for (; ni < out->ndim; ni++) strides[ni] = 1; /* trailing size-1 dims */
  return oi == on;
}

int mx_eval_reshape(mx_node *n) {
  mx_array *in = n->inputs[0], *out = &n->out[0];
  int64_t strides[MX_MAX_NDIM];
  if (in->flags & MX_ROW_CONTIGUOUS || out->size == 0) {
    mx_row_strides(out->ndim, out->shape, strides);
    set_view_strides(out, in, strides);
    return 0;
  }
  if (reshape_strides(in, out, strides)) {
    set_view_strides(out, in, strides);
    return 0;
  }
  /* Copy in row-major order: the output buffer seen with the input's shape. */
  MX_TRY(mx_array_alloc_data(out));
  mx_array dst = *out;
  dst.ndim = in->ndim;
  dst.shape = in->shape;
  dst.strides = strides;
  mx_row_strides(in->ndim, in->shape, strides);
  return mx_cpu_copy_into(&dst, in);
}
