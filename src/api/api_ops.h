/* Shared by the op wrappers of the C API (src/api/ops*.c). An op wrapper reads:
 *
 *   int mlx_add(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
 *     OP_BEGIN("add", 2, a, b);          // checks res, the input handles and the stream
 *     OP_END(mx_add(&out_, in_[0], in_[1], st_));
 *   }
 */
#ifndef MX_API_API_OPS_H
#define MX_API_API_OPS_H

#include "api/api.h"
#include "ops/ops.h"

/* Borrowed core arrays from handles; error when a handle is empty. */
static inline int mlx_api_get_arrays(const char *op, const mlx_array *handles, mx_array **arrays,
                                     int n) {
  for (int i = 0; i < n; i++)
    if (!(arrays[i] = mlx_api_arr(handles[i])))
      return mlx_api_error("[%s] Got an empty array handle.", op);
  return 0;
}

static inline int mlx_api_finish(mlx_array *res, int rc, mx_array *out) {
  if (rc) return mlx_api_fail();
  mlx_api_set_arr(res, out);
  return 0;
}

static inline int mlx_api_check_shape(const char *op, const int *shape, size_t n) {
  if (n > MX_MAX_NDIM)
    return mlx_api_error("[%s] Arrays have at most %d dimensions.", op, MX_MAX_NDIM);
  if (n && !shape) return mlx_api_error("[%s] Shape pointer is NULL.", op);
  return 0;
}

static inline int mlx_api_check_dtype(const char *op, mlx_dtype dtype) {
  return mx_dtype_valid((int)dtype) ? 0 : mlx_api_error("[%s] Invalid dtype %d.", op, (int)dtype);
}

/* Boilerplate shared by every op: output handle, inputs, stream. */
#define OP_BEGIN(name, nin, ...)                                                                   \
  const char *op_ = name;                                                                          \
  mx_array *in_[(nin) > 0 ? (nin) : 1];                                                            \
  mx_stream st_;                                                                                   \
  mx_array *out_ = NULL;                                                                           \
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op_);                              \
  if (mlx_api_get_arrays(op_, (const mlx_array[]){__VA_ARGS__}, in_, nin)) return 1;               \
  if (mlx_api_stream(op_, s, &st_)) return 1;

#define OP_END(call)                                                                               \
  do {                                                                                             \
    int rc_ = (call); /* before reading out_ */                                                    \
    return mlx_api_finish(res, rc_, out_);                                                         \
  } while (0)

#endif
