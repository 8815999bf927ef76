/* ops.h, reductions, scans, sort, partition: the C API wrappers of src/ops/reduce.h (and of
 * the REDUCE-based reductions in src/ops/reduction.c). sum lives in src/api/ops.c. */
#include "api/api_ops.h"

/* axes pointer and count of an _axes variant */
static int check_axes(const char *op, const int *axes, size_t n) {
  if (n > MX_MAX_NDIM) return mlx_api_error("[%s] Too many axes (%zu).", op, n);
  if (n && !axes) return mlx_api_error("[%s] The axes pointer is NULL.", op);
  return 0;
}

int mlx_prod_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                  bool keepdims, const mlx_stream s) {
  OP_BEGIN("prod", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_prod(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_prod_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, const mlx_stream s) {
  OP_BEGIN("prod", 1, a);
  OP_END(mx_prod(&out_, in_[0], &axis, 1, keepdims, st_));
}

int mlx_prod(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("prod", 1, a);
  OP_END(mx_prod(&out_, in_[0], NULL, -1, keepdims, st_));
}

int mlx_max_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num, bool keepdims,
                 const mlx_stream s) {
  OP_BEGIN("max", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_max(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_max_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, const mlx_stream s) {
  OP_BEGIN("max", 1, a);
  OP_END(mx_max(&out_, in_[0], &axis, 1, keepdims, st_));
}

int mlx_max(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("max", 1, a);
  OP_END(mx_max(&out_, in_[0], NULL, -1, keepdims, st_));
}

int mlx_min_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num, bool keepdims,
                 const mlx_stream s) {
  OP_BEGIN("min", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_min(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_min_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, const mlx_stream s) {
  OP_BEGIN("min", 1, a);
  OP_END(mx_min(&out_, in_[0], &axis, 1, keepdims, st_));
}

int mlx_min(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("min", 1, a);
  OP_END(mx_min(&out_, in_[0], NULL, -1, keepdims, st_));
}

int mlx_all_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num, bool keepdims,
                 const mlx_stream s) {
  OP_BEGIN("all", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_all(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_all_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, const mlx_stream s) {
  OP_BEGIN("all", 1, a);
  OP_END(mx_all(&out_, in_[0], &axis, 1, keepdims, st_));
}

int mlx_all(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("all", 1, a);
  OP_END(mx_all(&out_, in_[0], NULL, -1, keepdims, st_));
}

int mlx_any_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num, bool keepdims,
                 const mlx_stream s) {
  OP_BEGIN("any", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_any(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_any_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, const mlx_stream s) {
  OP_BEGIN("any", 1, a);
  OP_END(mx_any(&out_, in_[0], &axis, 1, keepdims, st_));
}

int mlx_any(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("any", 1, a);
  OP_END(mx_any(&out_, in_[0], NULL, -1, keepdims, st_));
}

int mlx_mean_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                  bool keepdims, const mlx_stream s) {
  OP_BEGIN("mean", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_mean(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_mean_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, const mlx_stream s) {
  OP_BEGIN("mean", 1, a);
  OP_END(mx_mean(&out_, in_[0], &axis, 1, keepdims, st_));
}

int mlx_mean(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("mean", 1, a);
  OP_END(mx_mean(&out_, in_[0], NULL, -1, keepdims, st_));
}

int mlx_logsumexp_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                       bool keepdims, const mlx_stream s) {
  OP_BEGIN("logsumexp", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_logsumexp(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_logsumexp_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims,
                       const mlx_stream s) {
  OP_BEGIN("logsumexp", 1, a);
  OP_END(mx_logsumexp(&out_, in_[0], &axis, 1, keepdims, st_));
}

int mlx_logsumexp(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("logsumexp", 1, a);
  OP_END(mx_logsumexp(&out_, in_[0], NULL, -1, keepdims, st_));
}

int mlx_var_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num, bool keepdims,
                 int ddof, const mlx_stream s) {
  OP_BEGIN("var", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_var(&out_, in_[0], axes, (int)axes_num, keepdims, ddof, st_));
}

int mlx_var_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, int ddof,
                 const mlx_stream s) {
  OP_BEGIN("var", 1, a);
  OP_END(mx_var(&out_, in_[0], &axis, 1, keepdims, ddof, st_));
}

int mlx_var(mlx_array *res, const mlx_array a, bool keepdims, int ddof, const mlx_stream s) {
  OP_BEGIN("var", 1, a);
  OP_END(mx_var(&out_, in_[0], NULL, -1, keepdims, ddof, st_));
}

int mlx_std_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num, bool keepdims,
                 int ddof, const mlx_stream s) {
  OP_BEGIN("std", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_std(&out_, in_[0], axes, (int)axes_num, keepdims, ddof, st_));
}

int mlx_std_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims, int ddof,
                 const mlx_stream s) {
  OP_BEGIN("std", 1, a);
  OP_END(mx_std(&out_, in_[0], &axis, 1, keepdims, ddof, st_));
}

int mlx_std(mlx_array *res, const mlx_array a, bool keepdims, int ddof, const mlx_stream s) {
  OP_BEGIN("std", 1, a);
  OP_END(mx_std(&out_, in_[0], NULL, -1, keepdims, ddof, st_));
}

int mlx_median(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num, bool keepdims,
               const mlx_stream s) {
  OP_BEGIN("median", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_median(&out_, in_[0], axes, (int)axes_num, keepdims, st_));
}

int mlx_softmax_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                     bool precise, const mlx_stream s) {
  OP_BEGIN("softmax", 1, a);
  if (check_axes(op_, axes, axes_num)) return 1;
  OP_END(mx_softmax(&out_, in_[0], axes, (int)axes_num, precise, st_));
}

int mlx_softmax_axis(mlx_array *res, const mlx_array a, int axis, bool precise,
                     const mlx_stream s) {
  OP_BEGIN("softmax", 1, a);
  OP_END(mx_softmax(&out_, in_[0], &axis, 1, precise, st_));
}

int mlx_softmax(mlx_array *res, const mlx_array a, bool precise, const mlx_stream s) {
  OP_BEGIN("softmax", 1, a);
  OP_END(mx_softmax(&out_, in_[0], NULL, -1, precise, st_));
}

int mlx_argmax_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims,
                    const mlx_stream s) {
  OP_BEGIN("argmax", 1, a);
  OP_END(mx_argmax(&out_, in_[0], axis, false, keepdims, st_));
}

int mlx_argmax(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("argmax", 1, a);
  OP_END(mx_argmax(&out_, in_[0], 0, true, keepdims, st_));
}

int mlx_argmin_axis(mlx_array *res, const mlx_array a, int axis, bool keepdims,
                    const mlx_stream s) {
  OP_BEGIN("argmin", 1, a);
  OP_END(mx_argmin(&out_, in_[0], axis, false, keepdims, st_));
}

int mlx_argmin(mlx_array *res, const mlx_array a, bool keepdims, const mlx_stream s) {
  OP_BEGIN("argmin", 1, a);
  OP_END(mx_argmin(&out_, in_[0], 0, true, keepdims, st_));
}

int mlx_cumsum(mlx_array *res, const mlx_array a, int axis, bool reverse, bool inclusive,
               const mlx_stream s) {
  OP_BEGIN("cumsum", 1, a);
  OP_END(mx_cumsum(&out_, in_[0], axis, reverse, inclusive, st_));
}

int mlx_cumprod(mlx_array *res, const mlx_array a, int axis, bool reverse, bool inclusive,
                const mlx_stream s) {
  OP_BEGIN("cumprod", 1, a);
  OP_END(mx_cumprod(&out_, in_[0], axis, reverse, inclusive, st_));
}

int mlx_cummax(mlx_array *res, const mlx_array a, int axis, bool reverse, bool inclusive,
               const mlx_stream s) {
  OP_BEGIN("cummax", 1, a);
  OP_END(mx_cummax(&out_, in_[0], axis, reverse, inclusive, st_));
}

int mlx_cummin(mlx_array *res, const mlx_array a, int axis, bool reverse, bool inclusive,
               const mlx_stream s) {
  OP_BEGIN("cummin", 1, a);
  OP_END(mx_cummin(&out_, in_[0], axis, reverse, inclusive, st_));
}

int mlx_logcumsumexp(mlx_array *res, const mlx_array a, int axis, bool reverse, bool inclusive,
                     const mlx_stream s) {
  OP_BEGIN("logcumsumexp", 1, a);
  OP_END(mx_logcumsumexp(&out_, in_[0], axis, reverse, inclusive, st_));
}

int mlx_sort_axis(mlx_array *res, const mlx_array a, int axis, const mlx_stream s) {
  OP_BEGIN("sort", 1, a);
  OP_END(mx_sort(&out_, in_[0], axis, false, st_));
}

int mlx_sort(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("sort", 1, a);
  OP_END(mx_sort(&out_, in_[0], 0, true, st_));
}

int mlx_argsort_axis(mlx_array *res, const mlx_array a, int axis, const mlx_stream s) {
  OP_BEGIN("argsort", 1, a);
  OP_END(mx_argsort(&out_, in_[0], axis, false, st_));
}

int mlx_argsort(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("argsort", 1, a);
  OP_END(mx_argsort(&out_, in_[0], 0, true, st_));
}

int mlx_partition_axis(mlx_array *res, const mlx_array a, int kth, int axis, const mlx_stream s) {
  OP_BEGIN("partition", 1, a);
  OP_END(mx_partition(&out_, in_[0], kth, axis, false, st_));
}

int mlx_partition(mlx_array *res, const mlx_array a, int kth, const mlx_stream s) {
  OP_BEGIN("partition", 1, a);
  OP_END(mx_partition(&out_, in_[0], kth, 0, true, st_));
}

int mlx_argpartition_axis(mlx_array *res, const mlx_array a, int kth, int axis,
                          const mlx_stream s) {
  OP_BEGIN("argpartition", 1, a);
  OP_END(mx_argpartition(&out_, in_[0], kth, axis, false, st_));
}

int mlx_argpartition(mlx_array *res, const mlx_array a, int kth, const mlx_stream s) {
  OP_BEGIN("argpartition", 1, a);
  OP_END(mx_argpartition(&out_, in_[0], kth, 0, true, st_));
}

int mlx_topk_axis(mlx_array *res, const mlx_array a, int k, int axis, const mlx_stream s) {
  OP_BEGIN("topk", 1, a);
  OP_END(mx_topk(&out_, in_[0], k, axis, false, st_));
}

int mlx_topk(mlx_array *res, const mlx_array a, int k, const mlx_stream s) {
  OP_BEGIN("topk", 1, a);
  OP_END(mx_topk(&out_, in_[0], k, 0, true, st_));
}
