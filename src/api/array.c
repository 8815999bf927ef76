/* array.h: creating arrays, reading their properties and data. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/print.h"
#include "ops/ops.h"

_Static_assert(MLX_COMPLEX64 == (int)MX_COMPLEX64 && MLX_FLOAT16 == (int)MX_FLOAT16 &&
                   MLX_BFLOAT16 == (int)MX_BFLOAT16 && MLX_BOOL == (int)MX_BOOL,
               "public and core dtype enums must agree");
_Static_assert(sizeof(size_t) == sizeof(int64_t), "strides are exported as size_t");

size_t mlx_dtype_size(mlx_dtype dtype) {
  return mx_dtype_valid((int)dtype) ? mx_dtype_size((mx_dtype)dtype) : 0;
}

mlx_array mlx_array_new(void) {
  return (mlx_array){NULL};
}

int mlx_array_free(mlx_array arr) {
  mx_array_release(mlx_api_arr(arr));
  return 0;
}

/* A new handle, or an empty one after reporting the failure. */
static mlx_array wrap(mx_array *a) {
  if (!a) mlx_api_fail();
  return (mlx_array){a};
}

mlx_array mlx_array_new_bool(bool val) {
  return wrap(mx_array_scalar(MX_BOOL, val));
}
mlx_array mlx_array_new_int(int val) {
  return wrap(mx_array_scalar(MX_INT32, val));
}
mlx_array mlx_array_new_float32(float val) {
  return wrap(mx_array_scalar(MX_FLOAT32, val));
}
mlx_array mlx_array_new_float(float val) {
  return mlx_array_new_float32(val);
}
mlx_array mlx_array_new_float64(double val) {
  return wrap(mx_array_scalar(MX_FLOAT64, val));
}
mlx_array mlx_array_new_double(double val) {
  return mlx_array_new_float64(val);
}
mlx_array mlx_array_new_complex(float real_val, float imag_val) {
  return wrap(mx_array_scalar_complex(real_val, imag_val));
}

static int check_data_args(const void *data, const int *shape, int dim, mlx_dtype dtype) {
  if (!mx_dtype_valid((int)dtype)) return mx_error("[array] Invalid dtype %d.", (int)dtype);
  if (dim < 0 || dim > MX_MAX_NDIM || (dim > 0 && !shape))
    return mx_error("[array] Invalid shape (%d dimensions).", dim);
  int64_t size = 1;
  for (int i = 0; i < dim; i++) {
    if (shape[i] < 0) return mx_error("[array] Negative dimensions not allowed.");
    size *= shape[i];
  }
  if (size > 0 && !data) return mx_error("[array] Data pointer is NULL.");
  return 0;
}

mlx_array mlx_array_new_data(const void *data, const int *shape, int dim, mlx_dtype dtype) {
  if (check_data_args(data, shape, dim, dtype)) return wrap(NULL);
  return wrap(mx_array_from_data(data, dim, shape, (mx_dtype)dtype));
}

mlx_array mlx_array_new_data_managed_payload(void *data, const int *shape, int dim,
                                             mlx_dtype dtype, void *payload,
                                             void (*dtor)(void *)) {
  if (check_data_args(data, shape, dim, dtype)) return wrap(NULL);
  return wrap(mx_array_from_external(data, dim, shape, (mx_dtype)dtype, dtor, payload));
}

mlx_array mlx_array_new_data_managed(void *data, const int *shape, int dim, mlx_dtype dtype,
                                     void (*dtor)(void *)) {
  return mlx_array_new_data_managed_payload(data, shape, dim, dtype, data, dtor);
}

/* Stores a freshly made array (NULL on failure) into *arr. */
static int store(mlx_array *arr, mx_array *a) {
  if (!arr) return mlx_api_error("[array_set] Output handle is NULL.");
  if (!a) return mlx_api_fail();
  mlx_api_set_arr(arr, a);
  return 0;
}

int mlx_array_set(mlx_array *arr, const mlx_array src) {
  mx_array *a = mlx_api_arr(src);
  if (!arr) return mlx_api_error("[array_set] Output handle is NULL.");
  mlx_api_set_arr(arr, a ? mx_array_retain(a) : NULL);
  return 0;
}

int mlx_array_set_bool(mlx_array *arr, bool val) {
  return store(arr, mx_array_scalar(MX_BOOL, val));
}
int mlx_array_set_int(mlx_array *arr, int val) {
  return store(arr, mx_array_scalar(MX_INT32, val));
}
int mlx_array_set_float32(mlx_array *arr, float val) {
  return store(arr, mx_array_scalar(MX_FLOAT32, val));
}
int mlx_array_set_float(mlx_array *arr, float val) {
  return mlx_array_set_float32(arr, val);
}
int mlx_array_set_float64(mlx_array *arr, double val) {
  return store(arr, mx_array_scalar(MX_FLOAT64, val));
}
int mlx_array_set_double(mlx_array *arr, double val) {
  return mlx_array_set_float64(arr, val);
}
int mlx_array_set_complex(mlx_array *arr, float real_val, float imag_val) {
  return store(arr, mx_array_scalar_complex(real_val, imag_val));
}
int mlx_array_set_data(mlx_array *arr, const void *data, const int *shape, int dim,
                       mlx_dtype dtype) {
  if (check_data_args(data, shape, dim, dtype)) return mlx_api_fail();
  return store(arr, mx_array_from_data(data, dim, shape, (mx_dtype)dtype));
}

/* ---- properties (an empty handle reads as a 0-d array of size 0) ---- */

size_t mlx_array_itemsize(const mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  return a ? mx_array_itemsize(a) : 0;
}
size_t mlx_array_size(const mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  return a ? (size_t)a->size : 0;
}
size_t mlx_array_nbytes(const mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  return a ? mx_array_nbytes(a) : 0;
}
size_t mlx_array_ndim(const mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  return a ? (size_t)a->ndim : 0;
}
const int *mlx_array_shape(const mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  return a ? a->shape : NULL;
}
/* Strides are known once the array is evaluated; this evaluates it. */
const size_t *mlx_array_strides(const mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  if (!a) return NULL;
  if (mx_array_ensure(a)) return mlx_api_fail(), NULL;
  return (const size_t *)a->strides;
}
int mlx_array_dim(const mlx_array arr, int dim) {
  mx_array *a = mlx_api_arr(arr);
  int axis;
  if (!a) return mlx_api_error("[array_dim] Empty array handle."), 0;
  if (mx_normalize_axis("array_dim", dim, a->ndim, &axis)) return mlx_api_fail(), 0;
  return a->shape[axis];
}
mlx_dtype mlx_array_dtype(const mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  return a ? (mlx_dtype)a->dtype : MLX_FLOAT32;
}

int mlx_array_eval(mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  if (!a) return mlx_api_error("[eval] Empty array handle.");
  return mx_array_ensure(a) ? mlx_api_fail() : 0;
}

/* ---- data ---- */

/* Evaluated data of a, which must have dtype t; NULL after reporting otherwise. */
static const void *typed_data(const char *op, const mlx_array arr, mx_dtype t) {
  mx_array *a = mlx_api_arr(arr);
  if (!a) return mlx_api_error("[%s] Empty array handle.", op), NULL;
  if (a->dtype != t)
    return mlx_api_error("[%s] Array has dtype %s, not %s.", op, mx_dtype_name((mx_dtype)a->dtype),
                         mx_dtype_name(t)),
           NULL;
  if (mx_array_ensure(a)) return mlx_api_fail(), NULL;
  return mx_array_data(a);
}

static int item(const char *op, void *res, size_t size, const mlx_array arr, mx_dtype t) {
  mx_array *a = mlx_api_arr(arr);
  if (!res) return mlx_api_error("[%s] Output pointer is NULL.", op);
  if (a && a->size != 1)
    return mlx_api_error("[%s] item can only be called on arrays of size 1.", op);
  const void *p = typed_data(op, arr, t);
  if (!p) return 1;
  memcpy(res, p, size);
  return 0;
}

#define MLX_ITEM_AND_DATA(name, ctype, dt)                                                         \
  int mlx_array_item_##name(ctype *res, const mlx_array arr) {                                     \
    return item("item_" #name, res, sizeof(ctype), arr, dt);                                       \
  }                                                                                                \
  const ctype *mlx_array_data_##name(const mlx_array arr) {                                        \
    return typed_data("data_" #name, arr, dt);                                                     \
  }

MLX_ITEM_AND_DATA(bool, bool, MX_BOOL)
MLX_ITEM_AND_DATA(uint8, uint8_t, MX_UINT8)
MLX_ITEM_AND_DATA(uint16, uint16_t, MX_UINT16)
MLX_ITEM_AND_DATA(uint32, uint32_t, MX_UINT32)
MLX_ITEM_AND_DATA(uint64, uint64_t, MX_UINT64)
MLX_ITEM_AND_DATA(int8, int8_t, MX_INT8)
MLX_ITEM_AND_DATA(int16, int16_t, MX_INT16)
MLX_ITEM_AND_DATA(int32, int32_t, MX_INT32)
MLX_ITEM_AND_DATA(int64, int64_t, MX_INT64)
MLX_ITEM_AND_DATA(float32, float, MX_FLOAT32)
MLX_ITEM_AND_DATA(float64, double, MX_FLOAT64)
MLX_ITEM_AND_DATA(complex64, mlx_complex64_t, MX_COMPLEX64)
MLX_ITEM_AND_DATA(float16, float16_t, MX_FLOAT16)
MLX_ITEM_AND_DATA(bfloat16, bfloat16_t, MX_BFLOAT16)

int mlx_array_tostring(mlx_string *str, const mlx_array arr) {
  mx_array *a = mlx_api_arr(arr);
  if (!str) return mlx_api_error("[tostring] Output handle is NULL.");
  if (!a) return mlx_api_error("[tostring] Empty array handle.");
  char *text = mx_array_format(a);
  if (!text) return mlx_api_fail();
  mlx_string tmp = mlx_string_new_data(text);
  free(text);
  int rc = mlx_string_set(str, tmp);
  mlx_string_free(tmp);
  return rc;
}
