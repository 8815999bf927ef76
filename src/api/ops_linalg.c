/* ops.h, the matmul family: addmm, inner, outer, tensordot, kron, einsum, block_masked_mm,
 * gather_mm, segmented_mm, hadamard_transform. Optional arrays are empty handles. */
#include <stdlib.h>

#include "api/api_ops.h"

/* An optional array argument: NULL for an empty handle. */
static mx_array *opt_arr(const mlx_array a) {
  return mlx_api_arr(a);
}

int mlx_addmm(mlx_array *res, const mlx_array c, const mlx_array a, const mlx_array b, float alpha,
              float beta, const mlx_stream s) {
  OP_BEGIN("addmm", 3, c, a, b);
  OP_END(mx_addmm(&out_, in_[0], in_[1], in_[2], alpha, beta, st_));
}

int mlx_inner(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("inner", 2, a, b);
  OP_END(mx_inner(&out_, in_[0], in_[1], st_));
}

int mlx_outer(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("outer", 2, a, b);
  OP_END(mx_outer(&out_, in_[0], in_[1], st_));
}

int mlx_tensordot(mlx_array *res, const mlx_array a, const mlx_array b, const int *axes_a,
                  size_t axes_a_num, const int *axes_b, size_t axes_b_num, const mlx_stream s) {
  OP_BEGIN("tensordot", 2, a, b);
  if (mlx_api_check_shape(op_, axes_a, axes_a_num) || mlx_api_check_shape(op_, axes_b, axes_b_num))
    return 1;
  static const int none[1] = {0};
  OP_END(mx_tensordot(&out_, in_[0], in_[1], axes_a ? axes_a : none, (int)axes_a_num,
                      axes_b ? axes_b : none, (int)axes_b_num, st_));
}

int mlx_tensordot_axis(mlx_array *res, const mlx_array a, const mlx_array b, int axis,
                       const mlx_stream s) {
  OP_BEGIN("tensordot", 2, a, b);
  OP_END(mx_tensordot_axis(&out_, in_[0], in_[1], axis, st_));
}

int mlx_kron(mlx_array *res, const mlx_array a, const mlx_array b, const mlx_stream s) {
  OP_BEGIN("kron", 2, a, b);
  OP_END(mx_kron(&out_, in_[0], in_[1], st_));
}

int mlx_einsum(mlx_array *res, const char *subscripts, const mlx_vector_array operands,
               const mlx_stream s) {
  OP_BEGIN("einsum", 0, {NULL});
  if (!subscripts) return mlx_api_error("[einsum] Subscripts string is NULL.");
  size_t n = 0;
  const mlx_array *items = mlx_api_vector_array_items(operands, &n);
  if (n > 1000000) return mlx_api_error("[einsum] Too many operands.");
  mx_array **arrs = malloc((n ? n : 1) * sizeof(mx_array *));
  if (!arrs) return mlx_api_error("[einsum] Out of memory.");
  if (mlx_api_get_arrays(op_, items, arrs, (int)n)) {
    free(arrs);
    return 1;
  }
  int rc = mx_einsum(&out_, subscripts, arrs, (int)n, st_);
  free(arrs);
  return mlx_api_finish(res, rc, out_);
}

int mlx_block_masked_mm(mlx_array *res, const mlx_array a, const mlx_array b, int block_size,
                        const mlx_array mask_out, const mlx_array mask_lhs,
                        const mlx_array mask_rhs, const mlx_stream s) {
  OP_BEGIN("block_masked_mm", 2, a, b);
  OP_END(mx_block_masked_mm(&out_, in_[0], in_[1], block_size, opt_arr(mask_out),
                            opt_arr(mask_lhs), opt_arr(mask_rhs), st_));
}

int mlx_gather_mm(mlx_array *res, const mlx_array a, const mlx_array b,
                  const mlx_array lhs_indices, const mlx_array rhs_indices, bool sorted_indices,
                  const mlx_stream s) {
  OP_BEGIN("gather_mm", 2, a, b);
  OP_END(mx_gather_mm(&out_, in_[0], in_[1], opt_arr(lhs_indices), opt_arr(rhs_indices),
                      sorted_indices, st_));
}

int mlx_segmented_mm(mlx_array *res, const mlx_array a, const mlx_array b,
                     const mlx_array segments, const mlx_stream s) {
  OP_BEGIN("segmented_mm", 3, a, b, segments);
  OP_END(mx_segmented_mm(&out_, in_[0], in_[1], in_[2], st_));
}

int mlx_hadamard_transform(mlx_array *res, const mlx_array a, mlx_optional_float scale,
                           const mlx_stream s) {
  OP_BEGIN("hadamard_transform", 1, a);
  OP_END(mx_hadamard_transform(&out_, in_[0], scale.has_value, scale.value, st_));
}
