/* Output shapes and the view primitives of the indexing family (device independent). */
#include <string.h>

#include "backend/cpu/indexing.h"
#include "core/error.h"
#include "ops/indexing.h"

/* ---- output shapes ---- */

int mx_shapes_slice(const void *params, mx_array *const *inputs, int nin, int *ndims,
                    int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_slice_params *p = params;
  ndims[0] = p->ndim;
  memcpy(shapes[0], p->data + 2 * p->ndim, (size_t)p->ndim * sizeof(int32_t));
  return 0;
}

int mx_shapes_dynslice(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_dynslice_params *p = params;
  ndims[0] = p->ndim;
  memcpy(shapes[0], p->data + p->naxes, (size_t)p->ndim * sizeof(int32_t));
  return 0;
}

int mx_shapes_gather(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_gather_params *p = params;
  int nb = p->naxes > 0 ? inputs[1]->ndim : 0;
  if (nb + p->ndim > MX_MAX_NDIM)
    return mx_error("[gather] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  ndims[0] = nb + p->ndim;
  if (nb) memcpy(shapes[0], inputs[1]->shape, (size_t)nb * sizeof(int32_t));
  memcpy(shapes[0] + nb, p->data + p->naxes, (size_t)p->ndim * sizeof(int32_t));
  return 0;
}

int mx_shapes_squeeze(const void *params, mx_array *const *inputs, int nin, int *ndims,
                      int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_axes_params *p = params;
  const mx_array *a = inputs[0];
  int n = 0, k = 0;
  for (int i = 0; i < a->ndim; i++) {
    if (k < p->naxes && p->axes[k] == i) {
      k++;
      continue;
    }
    shapes[0][n++] = a->shape[i];
  }
  ndims[0] = n;
  return 0;
}

int mx_shapes_expand_dims(const void *params, mx_array *const *inputs, int nin, int *ndims,
                          int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_axes_params *p = params;
  const mx_array *a = inputs[0];
  int n = a->ndim + p->naxes, j = 0, k = 0;
  if (n > MX_MAX_NDIM)
    return mx_error("[expand_dims] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  for (int i = 0; i < n; i++) {
    if (k < p->naxes && p->axes[k] == i) {
      shapes[0][i] = 1;
      k++;
    } else {
      shapes[0][i] = a->shape[j++];
    }
  }
  ndims[0] = n;
  return 0;
}

int mx_shapes_as_strided(const void *params, mx_array *const *inputs, int nin, int *ndims,
                         int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_as_strided_params *p = params;
  ndims[0] = p->ndim;
  memcpy(shapes[0], p->shape, (size_t)p->ndim * sizeof(int32_t));
  return 0;
}

static int32_t diag_len(const mx_diagonal_params *p, const mx_array *a) {
  int64_t d1 = a->shape[p->axis1], d2 = a->shape[p->axis2];
  int64_t len = p->offset >= 0 ? (d1 < d2 - p->offset ? d1 : d2 - p->offset)
                               : (d1 + p->offset < d2 ? d1 + p->offset : d2);
  return len > 0 ? (int32_t)len : 0;
}

int mx_shapes_diagonal(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_diagonal_params *p = params;
  const mx_array *a = inputs[0];
  int n = 0;
  for (int i = 0; i < a->ndim; i++)
    if (i != p->axis1 && i != p->axis2) shapes[0][n++] = a->shape[i];
  shapes[0][n++] = diag_len(p, a);
  ndims[0] = n;
  return 0;
}

int mx_shapes_concatenate(const void *params, mx_array *const *inputs, int nin, int *ndims,
                          int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_int_param *p = params;
  ndims[0] = inputs[0]->ndim;
  memcpy(shapes[0], inputs[0]->shape, (size_t)inputs[0]->ndim * sizeof(int32_t));
  int64_t total = 0;
  for (int i = 0; i < nin; i++) total += inputs[i]->shape[p->value];
  if (total > INT32_MAX) return mx_error("[concatenate] Output dimension too large.");
  shapes[0][p->value] = (int32_t)total;
  return 0;
}

int mx_shapes_view(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_int_param *p = params;
  const mx_array *a = inputs[0];
  ndims[0] = a->ndim;
  memcpy(shapes[0], a->shape, (size_t)a->ndim * sizeof(int32_t));
  size_t ib = mx_dtype_size((mx_dtype)a->dtype), ob = mx_dtype_size((mx_dtype)p->value);
  if (ib != ob) {
    if (a->ndim == 0)
      return mx_error("[view] Changing the type of a scalar is only allowed for types with the "
                      "same size.");
    int64_t bytes = (int64_t)a->shape[a->ndim - 1] * (int64_t)ib;
    if (bytes % (int64_t)ob != 0)
      return mx_error("[view] When viewing as a larger dtype, the size in bytes of the last axis "
                      "must be a multiple of the requested type size.");
    shapes[0][a->ndim - 1] = (int32_t)(bytes / (int64_t)ob);
  }
  return 0;
}

int mx_shapes_take(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_int_param *p = params;
  const mx_array *a = inputs[0], *idx = inputs[1];
  int ax = p->value, n = 0;
  if (a->ndim - 1 + idx->ndim > MX_MAX_NDIM)
    return mx_error("[take] Arrays have at most %d dimensions.", MX_MAX_NDIM);
  for (int i = 0; i < ax; i++) shapes[0][n++] = a->shape[i];
  for (int i = 0; i < idx->ndim; i++) shapes[0][n++] = idx->shape[i];
  for (int i = ax + 1; i < a->ndim; i++) shapes[0][n++] = a->shape[i];
  ndims[0] = n;
  return 0;
}

int mx_shapes_depends(const void *params, mx_array *const *inputs, int nin, int *ndims,
                      int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_int_param *p = params; /* number of outputs */
  for (int i = 0; i < p->value; i++) {
    ndims[i] = inputs[i]->ndim;
    memcpy(shapes[i], inputs[i]->shape, (size_t)inputs[i]->ndim * sizeof(int32_t));
  }
  return 0;
}

/* ---- views ---- */

static void view_of(mx_array *out, const mx_array *in, const int64_t *strides, int64_t off_elems) {
  int64_t data_size;
  uint8_t flags = mx_layout_flags(out->ndim, out->shape, strides, &data_size);
  if (out->size == 0) off_elems = 0;
  mx_array_set_view(out, in, strides, off_elems * (int64_t)mx_array_itemsize(in), data_size, flags);
}

int mx_eval_slice(mx_node *n) {
  const mx_slice_params *p = n->params;
  mx_array *in = n->inputs[0], *out = &n->out[0];
  const int32_t *start = p->data, *step = p->data + p->ndim;
  int64_t strides[MX_MAX_NDIM], off = 0;
  for (int i = 0; i < p->ndim; i++) {
    off += (int64_t)start[i] * in->strides[i];
    strides[i] = in->strides[i] * step[i];
  }
  view_of(out, in, strides, off);
  return 0;
}

int mx_eval_dynslice(mx_node *n) {
  const mx_dynslice_params *p = n->params;
  mx_array *in = n->inputs[0], *start = n->inputs[1], *out = &n->out[0];
  const int32_t *axes = p->data;
  int64_t off = 0;
  for (int i = 0; i < p->naxes; i++) {
    int ax = axes[i];
    int64_t dim = in->shape[ax], size = out->shape[ax];
    int64_t v = mx_idx_load_int(mx_array_data(start), start->dtype,
                                start->ndim ? i * start->strides[0] : 0);
    if (v < 0) v += dim;
    if (v > dim - size) v = dim - size;
    if (v < 0) v = 0;
    off += v * in->strides[ax];
  }
  view_of(out, in, in->strides, off);
  return 0;
}

int mx_eval_squeeze(mx_node *n) {
  const mx_axes_params *p = n->params;
  mx_array *in = n->inputs[0], *out = &n->out[0];
  int64_t strides[MX_MAX_NDIM];
  int j = 0, k = 0;
  for (int i = 0; i < in->ndim; i++) {
    if (k < p->naxes && p->axes[k] == i) {
      k++;
      continue;
    }
    strides[j++] = in->strides[i];
  }
  view_of(out, in, strides, 0);
  return 0;
}

int mx_eval_expand_dims(mx_node *n) {
  const mx_axes_params *p = n->params;
  mx_array *in = n->inputs[0], *out = &n->out[0];
  int64_t strides[MX_MAX_NDIM];
  int j = 0, k = 0;
  for (int i = 0; i < out->ndim; i++) {
    if (k < p->naxes && p->axes[k] == i) {
      k++;
      /* The stride of a size-1 axis is never used; give the row-major value so that flags of
       * already-contiguous data stay exact. */
      strides[i] = j < in->ndim ? in->strides[j] * in->shape[j] : 1;
    } else {
      strides[i] = in->strides[j++];
    }
  }
  view_of(out, in, strides, 0);
  return 0;
}

int mx_eval_as_strided(mx_node *n) {
  const mx_as_strided_params *p = n->params;
  mx_array *in = n->inputs[0], *out = &n->out[0];
  view_of(out, in, p->strides, p->offset);
  return 0;
}

int mx_eval_diagonal(mx_node *n) {
  const mx_diagonal_params *p = n->params;
  mx_array *in = n->inputs[0], *out = &n->out[0];
  int64_t strides[MX_MAX_NDIM];
  int j = 0;
  for (int i = 0; i < in->ndim; i++)
    if (i != p->axis1 && i != p->axis2) strides[j++] = in->strides[i];
  int64_t s1 = in->strides[p->axis1], s2 = in->strides[p->axis2];
  strides[j] = s1 + s2;
  int64_t off = p->offset >= 0 ? (int64_t)p->offset * s2 : -(int64_t)p->offset * s1;
  view_of(out, in, strides, off);
  return 0;
}

int mx_eval_depends(mx_node *n) {
  for (int i = 0; i < n->nout; i++) mx_array_copy_shared(&n->out[i], n->inputs[i]);
  return 0;
}
