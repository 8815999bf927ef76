/* View kernels of the elementwise family (no computation, any device): REAL and IMAG read a
 * complex64 input as float32 with doubled strides (offset 0 or 4 bytes), STOP_GRADIENT shares
 * its input. */
#include "backend/cpu/elementwise.h"
#include "core/error.h"
#include "core/primitives.h"

int mx_eval_real_imag(mx_node *n) {
  const char *name = mx_prims[n->prim].name;
  if (n->nin != 1 || n->nout != 1) return mx_error("[%s] Expected one input.", name);
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (in->dtype != MX_COMPLEX64 || out->dtype != MX_FLOAT32 || out->ndim != in->ndim)
    return mx_error("[%s] Expected a complex64 input.", name);
  if (!in->buf) return mx_error("[%s] Array has no data.", name);
  int64_t strides[MX_MAX_NDIM];
  for (int d = 0; d < in->ndim; d++) strides[d] = in->strides[d] * 2;
  int64_t data_size = 0;
  uint8_t flags = mx_layout_flags(out->ndim, out->shape, strides, &data_size);
  int64_t off = n->prim == MX_PRIM_IMAG ? (int64_t)sizeof(float) : 0;
  mx_array_set_view(out, in, strides, off, data_size, flags);
  return 0;
}

int mx_eval_stop_gradient(mx_node *n) {
  if (n->nin != 1 || n->nout != 1)
    return mx_error("[%s] Expected one input.", mx_prims[n->prim].name);
  if (!n->inputs[0]->buf) return mx_error("[%s] Array has no data.", mx_prims[n->prim].name);
  mx_array_copy_shared(&n->out[0], n->inputs[0]);
  return 0;
}
