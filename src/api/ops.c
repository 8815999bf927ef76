/* ops.h, foundation ops: each checks its handles and stream, calls the core op, stores the result. */
#include "api/api_ops.h"

int mlx_add(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("add", 2, a, b);
  OP_END(mx_add(&out_, in_[0], in_[1], st_));
}

int mlx_subtract(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("subtract", 2, a, b);
  OP_END(mx_subtract(&out_, in_[0], in_[1], st_));
}

int mlx_multiply(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("multiply", 2, a, b);
  OP_END(mx_multiply(&out_, in_[0], in_[1], st_));
}

int mlx_divide(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("divide", 2, a, b);
  OP_END(mx_divide(&out_, in_[0], in_[1], st_));
}

int mlx_matmul(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("matmul", 2, a, b);
  OP_END(mx_matmul(&out_, in_[0], in_[1], st_));
}

int mlx_astype(mlx_array *res, const mlx_array a, mlx_dtype dtype, const mlx_stream s) {
  OP_BEGIN("astype", 1, a);
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_astype(&out_, in_[0], (mx_dtype)dtype, st_));
}

int mlx_reshape(mlx_array *res, const mlx_array a, const int *shape, size_t shape_num,
                const mlx_stream s) {
  OP_BEGIN("reshape", 1, a);
  if (mlx_api_check_shape(op_, shape, shape_num)) return 1;
  OP_END(mx_reshape(&out_, in_[0], (int)shape_num, shape, st_));
}

int mlx_broadcast_to(mlx_array *res, const mlx_array a, const int *shape, size_t shape_num,
                     const mlx_stream s) {
  OP_BEGIN("broadcast_to", 1, a);
  if (mlx_api_check_shape(op_, shape, shape_num)) return 1;
  OP_END(mx_broadcast_to(&out_, in_[0], (int)shape_num, shape, st_));
}

int mlx_transpose_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                       const mlx_stream s) {
  OP_BEGIN("transpose", 1, a);
  if (mlx_api_check_shape(op_, axes, axes_num)) return 1;
  OP_END(mx_transpose(&out_, in_[0], axes ? axes : (const int[]){0}, (int)axes_num, st_));
}

int mlx_transpose(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("transpose", 1, a);
  OP_END(mx_transpose(&out_, in_[0], NULL, 0, st_));
}

int mlx_sum_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                 bool keepdims, const mlx_stream s) {
  OP_BEGIN("sum", 1, a);
  if (mlx_api_check_shape(op_, axes, axes_num)) return 1;
  OP_END(mx_sum(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_sum_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, const mlx_stream s) {
  OP_BEGIN("sum", 1, a);
  OP_END(mx_sum(&out_, in_[0], &axis, 1, keepdims, st_));
}

int mlx_sum(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("sum", 1, a);
  OP_END(mx_sum(&out_, in_[0], NULL, -1, keepdims, st_));
}

int mlx_zeros(mlx_array *res, const int *shape, size_t shape_num, mlx_dtype dtype,
              const mlx_stream s) {
  OP_BEGIN("zeros", 0, {NULL});
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_zeros(&out_, (int)shape_num, shape, (mx_dtype)dtype, st_));
}

int mlx_ones(mlx_array *res, const int *shape, size_t shape_num, mlx_dtype dtype,
             const mlx_stream s) {
  OP_BEGIN("ones", 0, {NULL});
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_ones(&out_, (int)shape_num, shape, (mx_dtype)dtype, st_));
}

int mlx_full(mlx_array *res, const int *shape, size_t shape_num, const mlx_array vals,
             mlx_dtype dtype, const mlx_stream s) {
  OP_BEGIN("full", 1, vals);
  if (mlx_api_check_shape(op_, shape, shape_num) || mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_full(&out_, (int)shape_num, shape, in_[0], (mx_dtype)dtype, st_));
}

int mlx_copy(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("copy", 1, a);
  OP_END(mx_copy(&out_, in_[0], st_));
}

int mlx_number_of_elements(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                           bool inverted, mlx_dtype dtype, const mlx_stream s) {
  OP_BEGIN("number_of_elements", 1, a);
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  if (axes_num > MX_MAX_NDIM || (axes_num && !axes))
    return mlx_api_error("[number_of_elements] Invalid axes.");
  OP_END(mx_number_of_elements(&out_, in_[0], axes, (int)axes_num, inverted, (mx_dtype)dtype, st_));
}

int mlx_zeros_like(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("zeros_like", 1, a);
  OP_END(mx_zeros(&out_, in_[0]->ndim, in_[0]->shape, (mx_dtype)in_[0]->dtype, st_));
}

int mlx_ones_like(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("ones_like", 1, a);
  OP_END(mx_ones(&out_, in_[0]->ndim, in_[0]->shape, (mx_dtype)in_[0]->dtype, st_));
}

int mlx_full_like(mlx_array *res, const mlx_array a, const mlx_array vals, mlx_dtype dtype,
                  const mlx_stream s) {
  OP_BEGIN("full_like", 2, a, vals);
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_full_like(&out_, in_[0], in_[1], (mx_dtype)dtype, st_));
}

int mlx_arange(mlx_array *res, double start, double stop, double step, mlx_dtype dtype,
               const mlx_stream s) {
  OP_BEGIN("arange", 0, {NULL});
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_arange(&out_, start, stop, step, (mx_dtype)dtype, st_));
}
