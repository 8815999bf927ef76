/* FULL and ARANGE. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <string.h>

#include "backend/cpu/kernels.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "ops/params.h"

/* Fills n elements of itemsize sz at dst with the element at val. */
static void fill_bytes(void *dst, const void *val, size_t sz, int64_t n) {
  switch (sz) {
  case 1:
    memset(dst, *(const uint8_t *)val, (size_t)n);
    break;
  case 2: {
    uint16_t v, *d = (uint16_t *)dst;
    memcpy(&v, val, 2);
    for (int64_t i = 0; i < n; i++) d[i] = v;
    break;
  }
  case 4: {
    uint32_t v, *d = (uint32_t *)dst;
    memcpy(&v, val, 4);
    for (int64_t i = 0; i < n; i++) d[i] = v;
    break;
  }
  default: {
    uint64_t v, *d = (uint64_t *)dst;
    memcpy(&v, val, 8);
    for (int64_t i = 0; i < n; i++) d[i] = v;
    break;
  }
  }
}

int mx_cpu_full(mx_node *n) {
  if (n->nin < 1) return mx_error("[full] Expected one input.");
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (!mx_dtype_valid(in->dtype) || !mx_dtype_valid(out->dtype))
    return mx_error("[full] Invalid dtype.");
  if (in->size != 1 && in->data_size != 1) {
    /* must already be broadcast to the output shape */
    if (in->ndim != out->ndim) return mx_error("[full] Value shape does not match the output.");
    for (int d = 0; d < in->ndim; d++)
      if (in->shape[d] != out->shape[d])
        return mx_error("[full] Value shape does not match the output.");
  }
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  void *dst = mx_array_data(out);
  const void *src = mx_array_data(in);
  if (!dst || !src) return mx_error("[full] Array has no data.");
  if (in->size == 1 || in->data_size == 1) {
    uint64_t v = 0; /* 8 bytes: the largest item */
    mx_cpu_convert(src, (mx_dtype)in->dtype, 1, &v, (mx_dtype)out->dtype, 1, 1);
    fill_bytes(dst, &v, mx_array_itemsize(out), out->size);
    return 0;
  }
  return mx_cpu_copy_into(out, in);
}

/* Integer arange as MLX does it: start and start + step are cast to the type, and the step is
 * their difference (wrap-around arithmetic). */
#define INT_ARANGE(T, U)                                                                           \
  do {                                                                                             \
    T s0, s1;                                                                                      \
    mx_store_from_double(&s0, dt, 0, prm->start);                                                  \
    mx_store_from_double(&s1, dt, 0, prm->start + prm->step);                                      \
    U d = (U)s1 - (U)s0;                                                                           \
    T *o = (T *)dst;                                                                               \
    for (int64_t i = 0; i < cnt; i++) o[i] = (T)((U)s0 + (U)i * d);                                \
  } while (0)

int mx_cpu_arange(mx_node *n) {
  if (!n->params) return mx_error("[arange] Missing parameters.");
  const mx_arange_params *prm = (const mx_arange_params *)n->params;
  mx_array *out = &n->out[0];
  mx_dtype dt = (mx_dtype)out->dtype;
  if (!mx_dtype_valid(dt)) return mx_error("[arange] Invalid dtype.");
  if (dt == MX_BOOL) return mx_error("[arange] Cannot compute arange for dtype bool.");
  if (out->ndim != 1) return mx_error("[arange] Output must be one-dimensional.");
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  int64_t cnt = out->shape[0];
  if (cnt <= 0) return 0;
  void *dst = mx_array_data(out);
  if (!dst) return mx_error("[arange] Array has no data.");
  double start = prm->start, step = prm->step;
  switch (dt) {
  case MX_UINT8:
    INT_ARANGE(uint8_t, uint32_t);
    break;
  case MX_UINT16:
    INT_ARANGE(uint16_t, uint32_t);
    break;
  case MX_UINT32:
    INT_ARANGE(uint32_t, uint32_t);
    break;
  case MX_UINT64:
    INT_ARANGE(uint64_t, uint64_t);
    break;
  case MX_INT8:
    INT_ARANGE(int8_t, uint32_t);
    break;
  case MX_INT16:
    INT_ARANGE(int16_t, uint32_t);
    break;
  case MX_INT32:
    INT_ARANGE(int32_t, uint32_t);
    break;
  case MX_INT64:
    INT_ARANGE(int64_t, uint64_t);
    break;
  case MX_FLOAT32: {
    float *o = (float *)dst;
    for (int64_t i = 0; i < cnt; i++) o[i] = (float)(start + (double)i * step);
    break;
  }
  case MX_FLOAT64: {
    double *o = (double *)dst;
    for (int64_t i = 0; i < cnt; i++) o[i] = start + (double)i * step;
    break;
  }
  case MX_FLOAT16: {
    uint16_t *o = (uint16_t *)dst;
    for (int64_t i = 0; i < cnt; i++) o[i] = mx_f2h((float)(start + (double)i * step));
    break;
  }
  case MX_BFLOAT16: {
    uint16_t *o = (uint16_t *)dst;
    for (int64_t i = 0; i < cnt; i++) o[i] = mx_f2bf((float)(start + (double)i * step));
    break;
  }
  case MX_COMPLEX64: {
    mx_complex64 *o = (mx_complex64 *)dst;
    for (int64_t i = 0; i < cnt; i++) {
      o[i].re = (float)(start + (double)i * step);
      o[i].im = 0.0f;
    }
    break;
  }
  default:
    return mx_error("[arange] Unsupported dtype %s.", mx_dtype_name(dt));
  }
  return 0;
}
