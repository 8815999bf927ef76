/* ops.h, shape manipulation, slicing, gather/scatter: the C API wrappers of src/ops/indexing.h. */
#include <stdlib.h>

#include "api/api_ops.h"

/* ---- helpers ---- */

/* Core arrays of a vector handle (borrowed); *arrs malloc'ed (NULL when n is 0). */
static int vector_arrays(const char *op, const mlx_vector_array v, mx_array ***arrs, int *n) {
  size_t size;
  const mlx_array *items = mlx_api_vector_array_items(v, &size);
  *arrs = NULL;
  *n = (int)size;
  if (size == 0) return 0;
  if (size > (size_t)INT32_MAX) return mlx_api_error("[%s] Too many arrays.", op);
  *arrs = malloc(size * sizeof(mx_array *));
  if (!*arrs) return mlx_api_error("[%s] Out of memory.", op);
  for (size_t i = 0; i < size; i++) {
    if (!((*arrs)[i] = mlx_api_arr(items[i]))) {
      free(*arrs);
      *arrs = NULL;
      return mlx_api_error("[%s] Got an empty array handle in the vector.", op);
    }
  }
  return 0;
}

/* Stores n new references (taken over) into the vector *res. */
static int finish_vector(mlx_vector_array *res, mx_array **outs, int n) {
  mlx_array *h = malloc((size_t)(n > 0 ? n : 1) * sizeof(mlx_array));
  int rc = 0;
  if (!h) {
    rc = mlx_api_error("[vector] Out of memory.");
  } else {
    for (int i = 0; i < n; i++) h[i].ctx = outs[i];
    rc = mlx_vector_array_set_data(res, h, (size_t)n);
  }
  for (int i = 0; i < n; i++) mx_array_release(outs[i]);
  free(h);
  return rc;
}

static int check_ints(const char *op, const void *p, size_t n, const char *what) {
  if (n > MX_MAX_NDIM) return mlx_api_error("[%s] Too many %s (%zu).", op, what, n);
  if (n && !p) return mlx_api_error("[%s] The %s pointer is NULL.", op, what);
  return 0;
}

/* ---- shapes ---- */

int mlx_flatten(mlx_array *res, const mlx_array a, int start_axis, int end_axis,
                const mlx_stream s) {
  OP_BEGIN("flatten", 1, a);
  OP_END(mx_flatten(&out_, in_[0], start_axis, end_axis, st_));
}

int mlx_unflatten(mlx_array *res, const mlx_array a, int axis, const int *shape, size_t shape_num,
                  const mlx_stream s) {
  OP_BEGIN("unflatten", 1, a);
  if (check_ints(op_, shape, shape_num, "shape entries")) return 1;
  OP_END(mx_unflatten(&out_, in_[0], axis, shape, (int)shape_num, st_));
}

int mlx_squeeze_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                     const mlx_stream s) {
  OP_BEGIN("squeeze", 1, a);
  if (check_ints(op_, axes, axes_num, "axes")) return 1;
  OP_END(mx_squeeze(&out_, in_[0], axes ? axes : (const int[]){0}, (int)axes_num, st_));
}

int mlx_squeeze_axis(mlx_array *res, const mlx_array a, int axis, const mlx_stream s) {
  OP_BEGIN("squeeze", 1, a);
  OP_END(mx_squeeze(&out_, in_[0], &axis, 1, st_));
}

int mlx_squeeze(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("squeeze", 1, a);
  OP_END(mx_squeeze(&out_, in_[0], NULL, -1, st_));
}

int mlx_expand_dims_axes(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
                         const mlx_stream s) {
  OP_BEGIN("expand_dims", 1, a);
  if (check_ints(op_, axes, axes_num, "axes")) return 1;
  OP_END(mx_expand_dims(&out_, in_[0], axes, (int)axes_num, st_));
}

int mlx_expand_dims(mlx_array *res, const mlx_array a, int axis, const mlx_stream s) {
  OP_BEGIN("expand_dims", 1, a);
  OP_END(mx_expand_dims(&out_, in_[0], &axis, 1, st_));
}

int mlx_swapaxes(mlx_array *res, const mlx_array a, int axis1, int axis2, const mlx_stream s) {
  OP_BEGIN("swapaxes", 1, a);
  OP_END(mx_swapaxes(&out_, in_[0], axis1, axis2, st_));
}

int mlx_moveaxis(mlx_array *res, const mlx_array a, int source, int destination,
                 const mlx_stream s) {
  OP_BEGIN("moveaxis", 1, a);
  OP_END(mx_moveaxis(&out_, in_[0], source, destination, st_));
}

int mlx_atleast_1d(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("atleast_1d", 1, a);
  OP_END(mx_atleast(&out_, in_[0], 1, st_));
}

int mlx_atleast_2d(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("atleast_2d", 1, a);
  OP_END(mx_atleast(&out_, in_[0], 2, st_));
}

int mlx_atleast_3d(mlx_array *res, const mlx_array a, const mlx_stream s) {
  OP_BEGIN("atleast_3d", 1, a);
  OP_END(mx_atleast(&out_, in_[0], 3, st_));
}

int mlx_as_strided(mlx_array *res, const mlx_array a, const int *shape, size_t shape_num,
                   const int64_t *strides, size_t strides_num, size_t offset, const mlx_stream s) {
  OP_BEGIN("as_strided", 1, a);
  if (check_ints(op_, shape, shape_num, "shape entries") ||
      check_ints(op_, strides, strides_num, "strides"))
    return 1;
  if (shape_num != strides_num)
    return mlx_api_error("[as_strided] Got %zu shape entries and %zu strides.", shape_num,
                         strides_num);
  if (offset > (size_t)INT64_MAX) return mlx_api_error("[as_strided] Offset too large.");
  OP_END(mx_as_strided(&out_, in_[0], (int)shape_num, shape, strides, (int64_t)offset, st_));
}

int mlx_contiguous(mlx_array *res, const mlx_array a, bool allow_col_major, const mlx_stream s) {
  OP_BEGIN("contiguous", 1, a);
  OP_END(mx_contiguous_layout(&out_, in_[0], allow_col_major, st_));
}

int mlx_view(mlx_array *res, const mlx_array a, mlx_dtype dtype, const mlx_stream s) {
  OP_BEGIN("view", 1, a);
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_view(&out_, in_[0], (mx_dtype)dtype, st_));
}

int mlx_broadcast_arrays(mlx_vector_array *res, const mlx_vector_array inputs, const mlx_stream s) {
  const char *op = "broadcast_arrays";
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op);
  mx_stream st;
  if (mlx_api_stream(op, s, &st)) return 1;
  mx_array **in;
  int n;
  if (vector_arrays(op, inputs, &in, &n)) return 1;
  mx_array **outs = malloc((size_t)(n > 0 ? n : 1) * sizeof(mx_array *));
  int rc;
  if (!outs)
    rc = mlx_api_error("[%s] Out of memory.", op);
  else if (mx_broadcast_arrays(outs, in, n, st))
    rc = mlx_api_fail();
  else
    rc = finish_vector(res, outs, n);
  free(outs);
  free(in);
  return rc;
}

int mlx_depends(mlx_vector_array *res, const mlx_vector_array inputs,
                const mlx_vector_array dependencies) {
  const char *op = "depends";
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op);
  mx_array **in, **deps = NULL;
  int n, nd = 0;
  if (vector_arrays(op, inputs, &in, &n)) return 1;
  if (vector_arrays(op, dependencies, &deps, &nd)) {
    free(in);
    return 1;
  }
  mx_stream st;
  mx_array **outs = malloc((size_t)(n > 0 ? n : 1) * sizeof(mx_array *));
  int rc;
  if (!outs)
    rc = mlx_api_error("[%s] Out of memory.", op);
  else if (n > 0 && mx_default_stream(mx_default_device(), &st))
    rc = mlx_api_fail();
  else if (n > 0 && mx_depends(outs, in, n, deps, nd, st))
    rc = mlx_api_fail();
  else
    rc = finish_vector(res, outs, n);
  free(outs);
  free(in);
  free(deps);
  return rc;
}

/* ---- slicing ---- */

int mlx_slice(mlx_array *res, const mlx_array a, const int *start, size_t start_num,
              const int *stop, size_t stop_num, const int *strides, size_t strides_num,
              const mlx_stream s) {
  OP_BEGIN("slice", 1, a);
  size_t nd = (size_t)in_[0]->ndim;
  if (start_num != nd || stop_num != nd || (strides_num != nd && strides_num != 0))
    return mlx_api_error("[slice] Invalid number of indices or strides for array with dimension "
                         "%zu.",
                         nd);
  if (check_ints(op_, start, start_num, "start indices") ||
      check_ints(op_, stop, stop_num, "stop indices") ||
      check_ints(op_, strides, strides_num, "strides"))
    return 1;
  OP_END(mx_slice(&out_, in_[0], start, stop, strides_num ? strides : NULL, (int)nd, st_));
}

static int slice_update_op(const char *name, mx_scatter_op sop, mlx_array *res, const mlx_array src,
                           const mlx_array update, const int *start, size_t start_num,
                           const int *stop, size_t stop_num, const int *strides, size_t strides_num,
                           const mlx_stream s) {
  OP_BEGIN(name, 2, src, update);
  size_t nd = (size_t)in_[0]->ndim;
  if (start_num != nd || stop_num != nd || (strides_num != nd && strides_num != 0))
    return mlx_api_error("[%s] Invalid number of indices or strides for array with dimension "
                         "%zu.",
                         op_, nd);
  if (check_ints(op_, start, start_num, "start indices") ||
      check_ints(op_, stop, stop_num, "stop indices") ||
      check_ints(op_, strides, strides_num, "strides"))
    return 1;
  OP_END(mx_slice_update(&out_, in_[0], in_[1], start, stop, strides_num ? strides : NULL, (int)nd,
                         sop, st_));
}

#define SLICE_UPDATE_FN(fname, name, sop)                                                          \
  int fname(mlx_array *res, const mlx_array src, const mlx_array update, const int *start,         \
            size_t start_num, const int *stop, size_t stop_num, const int *strides,                \
            size_t strides_num, const mlx_stream s) {                                              \
    return slice_update_op(name, sop, res, src, update, start, start_num, stop, stop_num, strides, \
                           strides_num, s);                                                        \
  }

SLICE_UPDATE_FN(mlx_slice_update, "slice_update", MX_SCATTER_NONE)
SLICE_UPDATE_FN(mlx_slice_update_add, "slice_update_add", MX_SCATTER_SUM)
SLICE_UPDATE_FN(mlx_slice_update_prod, "slice_update_prod", MX_SCATTER_PROD)
SLICE_UPDATE_FN(mlx_slice_update_max, "slice_update_max", MX_SCATTER_MAX)
SLICE_UPDATE_FN(mlx_slice_update_min, "slice_update_min", MX_SCATTER_MIN)

int mlx_slice_dynamic(mlx_array *res, const mlx_array a, const mlx_array start, const int *axes,
                      size_t axes_num, const int *slice_size, size_t slice_size_num,
                      const mlx_stream s) {
  OP_BEGIN("slice", 2, a, start);
  if (check_ints(op_, axes, axes_num, "axes") ||
      check_ints(op_, slice_size, slice_size_num, "slice sizes"))
    return 1;
  OP_END(mx_slice_dynamic(&out_, in_[0], in_[1], axes, (int)axes_num, slice_size,
                          (int)slice_size_num, st_));
}

int mlx_slice_update_dynamic(mlx_array *res, const mlx_array src, const mlx_array update,
                             const mlx_array start, const int *axes, size_t axes_num,
                             const mlx_stream s) {
  OP_BEGIN("slice_update", 3, src, update, start);
  if (check_ints(op_, axes, axes_num, "axes")) return 1;
  OP_END(mx_slice_update_dynamic(&out_, in_[0], in_[1], in_[2], axes, (int)axes_num, st_));
}

int mlx_concatenate_axis(mlx_array *res, const mlx_vector_array arrays, int axis,
                         const mlx_stream s) {
  OP_BEGIN("concatenate", 0, {NULL});
  mx_array **in;
  int n;
  if (vector_arrays(op_, arrays, &in, &n)) return 1;
  int rc = mx_concatenate(&out_, in, n, axis, st_);
  free(in);
  return mlx_api_finish(res, rc, out_);
}

int mlx_concatenate(mlx_array *res, const mlx_vector_array arrays, const mlx_stream s) {
  OP_BEGIN("concatenate", 0, {NULL});
  mx_array **in;
  int n;
  if (vector_arrays(op_, arrays, &in, &n)) return 1;
  int rc = mx_concatenate_flat(&out_, in, n, st_);
  free(in);
  return mlx_api_finish(res, rc, out_);
}

int mlx_stack_axis(mlx_array *res, const mlx_vector_array arrays, int axis, const mlx_stream s) {
  OP_BEGIN("stack", 0, {NULL});
  mx_array **in;
  int n;
  if (vector_arrays(op_, arrays, &in, &n)) return 1;
  int rc = mx_stack(&out_, in, n, axis, st_);
  free(in);
  return mlx_api_finish(res, rc, out_);
}

int mlx_stack(mlx_array *res, const mlx_vector_array arrays, const mlx_stream s) {
  return mlx_stack_axis(res, arrays, 0, s);
}

static int split_common(mlx_vector_array *res, const mlx_array a, int num, const int *indices,
                        size_t nind, int axis, const mlx_stream s) {
  const char *op = "split";
  if (!res) return mlx_api_error("[%s] Output handle is NULL.", op);
  mx_array *x = mlx_api_arr(a);
  if (!x) return mlx_api_error("[%s] Got an empty array handle.", op);
  mx_stream st;
  if (mlx_api_stream(op, s, &st)) return 1;
  if (indices && nind > (size_t)INT32_MAX - 1) return mlx_api_error("[split] Too many indices.");
  if (nind && !indices) return mlx_api_error("[split] The indices pointer is NULL.");
  mx_array **outs = NULL;
  int n = 0;
  if (mx_split(&outs, &n, x, num, indices, (int)nind, axis, st)) return mlx_api_fail();
  int rc = finish_vector(res, outs, n);
  free(outs);
  return rc;
}

int mlx_split(mlx_vector_array *res, const mlx_array a, int num_splits, int axis,
              const mlx_stream s) {
  return split_common(res, a, num_splits, NULL, 0, axis, s);
}

int mlx_split_sections(mlx_vector_array *res, const mlx_array a, const int *indices,
                       size_t indices_num, int axis, const mlx_stream s) {
  static const int none[1] = {0};
  /* indices NULL with 0 entries: one section (the whole axis). */
  return split_common(res, a, 0, indices ? indices : none, indices_num, axis, s);
}

int mlx_repeat_axis(mlx_array *res, const mlx_array arr, int repeats, int axis,
                    const mlx_stream s) {
  OP_BEGIN("repeat", 1, arr);
  OP_END(mx_repeat(&out_, in_[0], repeats, axis, false, st_));
}

int mlx_repeat(mlx_array *res, const mlx_array arr, int repeats, const mlx_stream s) {
  OP_BEGIN("repeat", 1, arr);
  OP_END(mx_repeat(&out_, in_[0], repeats, 0, true, st_));
}

int mlx_tile(mlx_array *res, const mlx_array arr, const int *reps, size_t reps_num,
             const mlx_stream s) {
  OP_BEGIN("tile", 1, arr);
  if (check_ints(op_, reps, reps_num, "repetitions")) return 1;
  OP_END(mx_tile(&out_, in_[0], reps, (int)reps_num, st_));
}

int mlx_pad(mlx_array *res, const mlx_array a, const int *axes, size_t axes_num,
            const int *low_pad_size, size_t low_pad_size_num, const int *high_pad_size,
            size_t high_pad_size_num, const mlx_array pad_value, const char *mode,
            const mlx_stream s) {
  OP_BEGIN("pad", 2, a, pad_value);
  if (check_ints(op_, axes, axes_num, "axes") ||
      check_ints(op_, low_pad_size, low_pad_size_num, "low padding sizes") ||
      check_ints(op_, high_pad_size, high_pad_size_num, "high padding sizes"))
    return 1;
  if (low_pad_size_num != axes_num || high_pad_size_num != axes_num)
    return mlx_api_error("[pad] Invalid number of padding sizes passed to pad with axes of size "
                         "%zu",
                         axes_num);
  OP_END(
      mx_pad(&out_, in_[0], axes, (int)axes_num, low_pad_size, high_pad_size, in_[1], mode, st_));
}

int mlx_pad_symmetric(mlx_array *res, const mlx_array a, int pad_width, const mlx_array pad_value,
                      const char *mode, const mlx_stream s) {
  OP_BEGIN("pad", 2, a, pad_value);
  int nd = in_[0]->ndim, axes[MX_MAX_NDIM], w[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) {
    axes[i] = i;
    w[i] = pad_width;
  }
  OP_END(mx_pad(&out_, in_[0], axes, nd, w, w, in_[1], mode, st_));
}

int mlx_roll(mlx_array *res, const mlx_array a, const int *shift, size_t shift_num,
             const mlx_stream s) {
  OP_BEGIN("roll", 1, a);
  if (check_ints(op_, shift, shift_num, "shifts")) return 1;
  OP_END(mx_roll(&out_, in_[0], shift, (int)shift_num, NULL, -1, st_));
}

int mlx_roll_axis(mlx_array *res, const mlx_array a, const int *shift, size_t shift_num, int axis,
                  const mlx_stream s) {
  OP_BEGIN("roll", 1, a);
  if (check_ints(op_, shift, shift_num, "shifts")) return 1;
  OP_END(mx_roll(&out_, in_[0], shift, (int)shift_num, &axis, 1, st_));
}

int mlx_roll_axes(mlx_array *res, const mlx_array a, const int *shift, size_t shift_num,
                  const int *axes, size_t axes_num, const mlx_stream s) {
  OP_BEGIN("roll", 1, a);
  if (check_ints(op_, shift, shift_num, "shifts") || check_ints(op_, axes, axes_num, "axes"))
    return 1;
  if (axes_num == 0) { /* no axes: nothing moves */
    out_ = mx_array_retain(in_[0]);
    return mlx_api_finish(res, 0, out_);
  }
  OP_END(mx_roll(&out_, in_[0], shift, (int)shift_num, axes, (int)axes_num, st_));
}

int mlx_diagonal(mlx_array *res, const mlx_array a, int offset, int axis1, int axis2,
                 const mlx_stream s) {
  OP_BEGIN("diagonal", 1, a);
  OP_END(mx_diagonal(&out_, in_[0], offset, axis1, axis2, st_));
}

int mlx_diag(mlx_array *res, const mlx_array a, int k, const mlx_stream s) {
  OP_BEGIN("diag", 1, a);
  OP_END(mx_diag(&out_, in_[0], k, st_));
}

int mlx_trace(mlx_array *res, const mlx_array a, int offset, int axis1, int axis2, mlx_dtype dtype,
              const mlx_stream s) {
  OP_BEGIN("trace", 1, a);
  if (mlx_api_check_dtype(op_, dtype)) return 1;
  OP_END(mx_trace(&out_, in_[0], offset, axis1, axis2, (mx_dtype)dtype, st_));
}

int mlx_tril(mlx_array *res, const mlx_array x, int k, const mlx_stream s) {
  OP_BEGIN("tril", 1, x);
  OP_END(mx_tril(&out_, in_[0], k, st_));
}

int mlx_triu(mlx_array *res, const mlx_array x, int k, const mlx_stream s) {
  OP_BEGIN("triu", 1, x);
  OP_END(mx_triu(&out_, in_[0], k, st_));
}

/* ---- gather / scatter ---- */

int mlx_take_axis(mlx_array *res, const mlx_array a, const mlx_array indices, int axis,
                  const mlx_stream s) {
  OP_BEGIN("take", 2, a, indices);
  OP_END(mx_take(&out_, in_[0], in_[1], axis, false, st_));
}

int mlx_take(mlx_array *res, const mlx_array a, const mlx_array indices, const mlx_stream s) {
  OP_BEGIN("take", 2, a, indices);
  OP_END(mx_take(&out_, in_[0], in_[1], 0, true, st_));
}

int mlx_take_along_axis(mlx_array *res, const mlx_array a, const mlx_array indices, int axis,
                        const mlx_stream s) {
  OP_BEGIN("take_along_axis", 2, a, indices);
  OP_END(mx_take_along_axis(&out_, in_[0], in_[1], axis, false, st_));
}

int mlx_put_along_axis(mlx_array *res, const mlx_array a, const mlx_array indices,
                       const mlx_array values, int axis, const mlx_stream s) {
  OP_BEGIN("put_along_axis", 3, a, indices, values);
  OP_END(mx_put_along_axis(&out_, in_[0], in_[1], in_[2], axis, false, MX_SCATTER_NONE, st_));
}

int mlx_scatter_add_axis(mlx_array *res, const mlx_array a, const mlx_array indices,
                         const mlx_array values, int axis, const mlx_stream s) {
  OP_BEGIN("scatter_add_axis", 3, a, indices, values);
  OP_END(mx_put_along_axis(&out_, in_[0], in_[1], in_[2], axis, false, MX_SCATTER_SUM, st_));
}

int mlx_gather(mlx_array *res, const mlx_array a, const mlx_vector_array indices, const int *axes,
               size_t axes_num, const int *slice_sizes, size_t slice_sizes_num,
               const mlx_stream s) {
  OP_BEGIN("gather", 1, a);
  if (check_ints(op_, axes, axes_num, "axes") ||
      check_ints(op_, slice_sizes, slice_sizes_num, "slice sizes"))
    return 1;
  mx_array **idx;
  int n;
  if (vector_arrays(op_, indices, &idx, &n)) return 1;
  if ((size_t)n != axes_num) {
    free(idx);
    return mlx_api_error("[gather] Got %d index arrays and %zu axes.", n, axes_num);
  }
  int rc = mx_gather(&out_, in_[0], idx, n, axes, slice_sizes, (int)slice_sizes_num, st_);
  free(idx);
  return mlx_api_finish(res, rc, out_);
}

int mlx_gather_single(mlx_array *res, const mlx_array a, const mlx_array indices, int axis,
                      const int *slice_sizes, size_t slice_sizes_num, const mlx_stream s) {
  OP_BEGIN("gather", 2, a, indices);
  if (check_ints(op_, slice_sizes, slice_sizes_num, "slice sizes")) return 1;
  OP_END(mx_gather(&out_, in_[0], &in_[1], 1, &axis, slice_sizes, (int)slice_sizes_num, st_));
}

static int scatter_common(const char *name, mx_scatter_op sop, mlx_array *res, const mlx_array a,
                          const mlx_vector_array indices, const mlx_array updates, const int *axes,
                          size_t axes_num, const mlx_stream s) {
  OP_BEGIN(name, 2, a, updates);
  if (check_ints(op_, axes, axes_num, "axes")) return 1;
  mx_array **idx;
  int n;
  if (vector_arrays(op_, indices, &idx, &n)) return 1;
  if ((size_t)n != axes_num) {
    free(idx);
    return mlx_api_error("[%s] Got %d index arrays and %zu axes.", op_, n, axes_num);
  }
  int rc = mx_scatter(&out_, in_[0], idx, n, in_[1], axes, sop, st_);
  free(idx);
  return mlx_api_finish(res, rc, out_);
}

static int scatter_single(const char *name, mx_scatter_op sop, mlx_array *res, const mlx_array a,
                          const mlx_array indices, const mlx_array updates, int axis,
                          const mlx_stream s) {
  OP_BEGIN(name, 3, a, indices, updates);
  OP_END(mx_scatter(&out_, in_[0], &in_[1], 1, in_[2], &axis, sop, st_));
}

#define SCATTER_FNS(suffix, name, sop)                                                             \
  int mlx_scatter##suffix(mlx_array *res, const mlx_array a, const mlx_vector_array indices,       \
                          const mlx_array updates, const int *axes, size_t axes_num,               \
                          const mlx_stream s) {                                                    \
    return scatter_common(name, sop, res, a, indices, updates, axes, axes_num, s);                 \
  }                                                                                                \
  int mlx_scatter##suffix##_single(mlx_array *res, const mlx_array a, const mlx_array indices,     \
                                   const mlx_array updates, int axis, const mlx_stream s) {        \
    return scatter_single(name, sop, res, a, indices, updates, axis, s);                           \
  }

SCATTER_FNS(, "scatter", MX_SCATTER_NONE)
SCATTER_FNS(_add, "scatter_add", MX_SCATTER_SUM)
SCATTER_FNS(_prod, "scatter_prod", MX_SCATTER_PROD)
SCATTER_FNS(_max, "scatter_max", MX_SCATTER_MAX)
SCATTER_FNS(_min, "scatter_min", MX_SCATTER_MIN)

int mlx_masked_scatter(mlx_array *res, const mlx_array a, const mlx_array mask, const mlx_array src,
                       const mlx_stream s) {
  OP_BEGIN("masked_scatter", 3, a, mask, src);
  OP_END(mx_masked_scatter(&out_, in_[0], in_[1], in_[2], st_));
}
