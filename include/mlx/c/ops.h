/* mlxc: array operations (mlx-c compatible). */
#ifndef MLX_C_OPS_H
#define MLX_C_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mlx/c/array.h"
#include "mlx/c/stream.h"
#include "mlx/c/vector.h"

#ifdef __cplusplus
extern "C" {
#endif

int mlx_add( mlx_array* res, const mlx_array a, const mlx_array b, const mlx_stream s);
int mlx_arange( mlx_array* res, double start, double stop, double step, mlx_dtype dtype, const mlx_stream s);
int mlx_astype( mlx_array* res, const mlx_array a, mlx_dtype dtype, const mlx_stream s);
int mlx_broadcast_to( mlx_array* res, const mlx_array a, const int* shape, size_t shape_num, const mlx_stream s);
int mlx_divide( mlx_array* res, const mlx_array a, const mlx_array b, const mlx_stream s);
int mlx_full( mlx_array* res, const int* shape, size_t shape_num, const mlx_array vals, mlx_dtype dtype, const mlx_stream s);
int mlx_full_like( mlx_array* res, const mlx_array a, const mlx_array vals, mlx_dtype dtype, const mlx_stream s);
int mlx_matmul( mlx_array* res, const mlx_array a, const mlx_array b, const mlx_stream s);
int mlx_multiply( mlx_array* res, const mlx_array a, const mlx_array b, const mlx_stream s);
int mlx_ones( mlx_array* res, const int* shape, size_t shape_num, mlx_dtype dtype, const mlx_stream s);
int mlx_ones_like(mlx_array* res, const mlx_array a, const mlx_stream s);
int mlx_reshape( mlx_array* res, const mlx_array a, const int* shape, size_t shape_num, const mlx_stream s);
int mlx_subtract( mlx_array* res, const mlx_array a, const mlx_array b, const mlx_stream s);
int mlx_sum_axes( mlx_array* res, const mlx_array a, const int* axes, size_t axes_num, bool keepdims, const mlx_stream s);
int mlx_sum_axis( mlx_array* res, const mlx_array a, int axis, bool keepdims, const mlx_stream s);
int mlx_sum( mlx_array* res, const mlx_array a, bool keepdims, const mlx_stream s);
int mlx_transpose_axes( mlx_array* res, const mlx_array a, const int* axes, size_t axes_num, const mlx_stream s);
int mlx_transpose(mlx_array* res, const mlx_array a, const mlx_stream s);
int mlx_zeros( mlx_array* res, const int* shape, size_t shape_num, mlx_dtype dtype, const mlx_stream s);
int mlx_zeros_like(mlx_array* res, const mlx_array a, const mlx_stream s);

#ifdef __cplusplus
}
#endif

#endif
