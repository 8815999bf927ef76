/* Rule cases of the shape views, slices and concatenation (see rule_cases.h): Slice,
 * SliceUpdate (each combining op), DynamicSlice, DynamicSliceUpdate, Squeeze, ExpandDims,
 * AsStrided, Diagonal, Concatenate, Tril, Triu, Contiguous, View and Depends. */
#ifndef MLXC_TEST_RULE_CASES_VIEWS_H
#define MLXC_TEST_RULE_CASES_VIEWS_H

#include "rule_cases.h"

/* ---- Slice ---- */

/* x (4, 5)[1:3, 0:5:2] */
static int rc_slice_2d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_slice(out, x[0], (int[]){1, 0}, (int[]){3, 5}, (int[]){1, 2}, 2, s);
}

/* x (3, 7)[::-1, 6::-3]: negative steps down to element 0 */
static int rc_slice_negative(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_slice(out, x[0], (int[]){2, 6}, (int[]){-4, -8}, (int[]){-1, -3}, 2, s);
}

/* ---- SliceUpdate: x (4, 5), update (2, 3) into x[1:3, 1:4] with each combining op ---- */

static int slice_update_op(mx_array *const *x, mx_array **out, mx_scatter_op op, mx_stream s) {
  return mx_slice_update(out, x[0], x[1], (int[]){1, 1}, (int[]){3, 4}, NULL, 2, op, s);
}
static int rc_slice_update(mx_array *const *x, mx_array **out, mx_stream s) {
  return slice_update_op(x, out, MX_SCATTER_NONE, s);
}
static int rc_slice_update_add(mx_array *const *x, mx_array **out, mx_stream s) {
  return slice_update_op(x, out, MX_SCATTER_SUM, s);
}
static int rc_slice_update_prod(mx_array *const *x, mx_array **out, mx_stream s) {
  return slice_update_op(x, out, MX_SCATTER_PROD, s);
}
static int rc_slice_update_max(mx_array *const *x, mx_array **out, mx_stream s) {
  return slice_update_op(x, out, MX_SCATTER_MAX, s);
}
static int rc_slice_update_min(mx_array *const *x, mx_array **out, mx_stream s) {
  return slice_update_op(x, out, MX_SCATTER_MIN, s);
}

/* x (5, 4)[0:5:2, 3:0:-1] = update (3,) broadcast to the (3, 3) region */
static int rc_slice_update_strided(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_slice_update(out, x[0], x[1], (int[]){0, 3}, (int[]){5, 0}, (int[]){2, -1}, 2,
                         MX_SCATTER_NONE, s);
}

/* ---- DynamicSlice, DynamicSliceUpdate (start: int32 input, clamped by the kernels) ---- */

/* x (5, 4), rows start[0] .. start[0] + 2 */
static int rc_dynslice(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_slice_dynamic(out, x[0], x[1], (int[]){0}, 1, (int[]){2, 4}, 2, s);
}

/* x (3, 5, 4): a (2, 2, 3) block at start (axes 2, 0) */
static int rc_dynslice_2axes(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_slice_dynamic(out, x[0], x[1], (int[]){2, 0}, 2, (int[]){2, 2, 3}, 3, s);
}

/* x (5, 4) with rows start[0] .. start[0] + 2 replaced by update (2, 4) */
static int rc_dynslice_update(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_slice_update_dynamic(out, x[0], x[1], x[2], (int[]){0}, 1, s);
}

/* x (3, 5, 4): update (2, 3) into a (1, 2, 3) block at start (axes 1, 2); broadcast */
static int rc_dynslice_update_2axes(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_slice_update_dynamic(out, x[0], x[1], x[2], (int[]){-2, 2}, 2, s);
}

/* ---- Squeeze, ExpandDims ---- */

static int rc_squeeze(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_squeeze(out, x[0], (int[]){1, -1}, 2, s);
}

static int rc_expand_dims(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_expand_dims(out, x[0], (int[]){0, 2}, 2, s);
}

/* ---- AsStrided ---- */

/* x (8,): overlapping windows (3, 3), strides (2, 1), offset 1 */
static int rc_as_strided_windows(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_as_strided(out, x[0], 2, (int32_t[]){3, 3}, (int64_t[]){2, 1}, 1, s);
}

/* x (4, 3) transposed (a real copy to contiguous), read backwards with a repeated element */
static int rc_as_strided_transposed(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *t = NULL;
  int rc = mx_transpose(&t, x[0], NULL, 0, s);
  if (!rc) rc = mx_as_strided(out, t, 2, (int32_t[]){2, 4}, (int64_t[]){0, -3}, 10, s);
  mx_array_release(t);
  return rc;
}

/* ---- Diagonal ---- */

static int rc_diagonal(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_diagonal(out, x[0], 1, 0, 1, s);
}

/* x (4, 3, 5): offset -1 between axes 2 and 0 (kept axis 1 first) */
static int rc_diagonal_3d(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_diagonal(out, x[0], -1, 2, 0, s);
}

/* ---- Concatenate ---- */

static int rc_concatenate(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_concatenate(out, x, 2, 0, s);
}

static int rc_concatenate_3(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_concatenate(out, x, 3, -2, s);
}

/* ---- Tril, Triu ---- */

static int rc_tril(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_tril(out, x[0], 0, s);
}
static int rc_tril_batched(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_tril(out, x[0], -1, s);
}
static int rc_triu(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_triu(out, x[0], 1, s);
}

/* ---- Contiguous, View ---- */

static int rc_contiguous(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *t = NULL;
  int rc = mx_transpose(&t, x[0], NULL, 0, s);
  if (!rc) rc = mx_contiguous_layout(out, t, false, s);
  mx_array_release(t);
  return rc;
}

/* float64 bytes seen as int32: the last axis doubles */
static int rc_view(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_view(out, x[0], MX_INT32, s);
}

/* ---- Depends: two outputs passing x[0], x[1] through, after x[2] ---- */

static int rc_depends(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_depends(out, x, 2, x + 2, 1, s);
}

#define VR RULE_IN_REAL
#define VD RULE_IN_DISTINCT
#define VI RULE_IN_INT32

/* clang-format off */
static const rule_case rule_cases_views[] = {
    {MX_PRIM_SLICE, "slice 2d", rc_slice_2d, 1, 1, {2}, {{4, 5}}, .lo = -2, .hi = 2},
    {MX_PRIM_SLICE, "slice negative steps", rc_slice_negative, 1, 1, {2}, {{3, 7}}, .lo = -2,
     .hi = 2},
    {MX_PRIM_SLICE_UPDATE, "slice_update", rc_slice_update, 2, 1, {2, 2}, {{4, 5}, {2, 3}},
     .lo = -2, .hi = 2},
    {MX_PRIM_SLICE_UPDATE, "slice_update add", rc_slice_update_add, 2, 1, {2, 2},
     {{4, 5}, {2, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_SLICE_UPDATE, "slice_update prod", rc_slice_update_prod, 2, 1, {2, 2},
     {{4, 5}, {2, 3}}, .lo = -2, .hi = 2},
    /* distinct values: no update ties the input (a tie splits the finite difference) */
    {MX_PRIM_SLICE_UPDATE, "slice_update max", rc_slice_update_max, 2, 1, {2, 2},
     {{4, 5}, {2, 3}}, {VD, VD}, .lo = -2, .hi = 2},
    {MX_PRIM_SLICE_UPDATE, "slice_update min", rc_slice_update_min, 2, 1, {2, 2},
     {{4, 5}, {2, 3}}, {VD, VD}, .lo = -2, .hi = 2},
    {MX_PRIM_SLICE_UPDATE, "slice_update strided broadcast", rc_slice_update_strided, 2, 1,
     {2, 1}, {{5, 4}, {3}}, .lo = -2, .hi = 2},
    {MX_PRIM_DYNAMIC_SLICE, "dynamic slice", rc_dynslice, 2, 1, {2, 1}, {{5, 4}, {1}}, {VR, VI},
     .lo = -2, .hi = 2, .ihi = 4},
    {MX_PRIM_DYNAMIC_SLICE, "dynamic slice 2 axes", rc_dynslice_2axes, 2, 1, {3, 1},
     {{3, 5, 4}, {2}}, {VR, VI}, .lo = -2, .hi = 2, .ihi = 4},
    {MX_PRIM_DYNAMIC_SLICE_UPDATE, "dynamic slice_update", rc_dynslice_update, 3, 1, {2, 2, 1},
     {{5, 4}, {2, 4}, {1}}, {VR, VR, VI}, .lo = -2, .hi = 2, .ihi = 4},
    {MX_PRIM_DYNAMIC_SLICE_UPDATE, "dynamic slice_update 2 axes broadcast",
     rc_dynslice_update_2axes, 3, 1, {3, 2, 1}, {{3, 5, 4}, {2, 3}, {2}}, {VR, VR, VI},
     .lo = -2, .hi = 2, .ihi = 4},
    {MX_PRIM_SQUEEZE, "squeeze", rc_squeeze, 1, 1, {4}, {{3, 1, 4, 1}}, .lo = -2, .hi = 2},
    {MX_PRIM_EXPAND_DIMS, "expand_dims", rc_expand_dims, 1, 1, {2}, {{3, 4}}, .lo = -2, .hi = 2},
    {MX_PRIM_AS_STRIDED, "as_strided overlapping windows", rc_as_strided_windows, 1, 1, {1},
     {{8}}, .lo = -2, .hi = 2},
    {MX_PRIM_AS_STRIDED, "as_strided of a transpose, negative stride", rc_as_strided_transposed,
     1, 1, {2}, {{4, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_DIAGONAL, "diagonal offset 1", rc_diagonal, 1, 1, {2}, {{3, 4}}, .lo = -2, .hi = 2},
    {MX_PRIM_DIAGONAL, "diagonal 3d offset -1 axes (2, 0)", rc_diagonal_3d, 1, 1, {3},
     {{4, 3, 5}}, .lo = -2, .hi = 2},
    {MX_PRIM_CONCATENATE, "concatenate", rc_concatenate, 2, 1, {2, 2}, {{2, 3}, {4, 3}},
     .lo = -2, .hi = 2},
    {MX_PRIM_CONCATENATE, "concatenate 3 inputs axis -2", rc_concatenate_3, 3, 1, {3, 3, 3},
     {{2, 1, 3}, {2, 2, 3}, {2, 3, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_TRIL, "tril", rc_tril, 1, 1, {2}, {{4, 4}}, .lo = -2, .hi = 2},
    {MX_PRIM_TRIL, "tril batched k=-1", rc_tril_batched, 1, 1, {3}, {{2, 3, 4}}, .lo = -2, .hi = 2},
    {MX_PRIM_TRIU, "triu k=1", rc_triu, 1, 1, {2}, {{3, 5}}, .lo = -2, .hi = 2},
    {MX_PRIM_CONTIGUOUS, "contiguous of a transpose", rc_contiguous, 1, 1, {2}, {{3, 4}},
     .lo = -2, .hi = 2},
    {MX_PRIM_VIEW, "view float64 as int32", rc_view, 1, 1, {2}, {{3, 2}}, .lo = -2, .hi = 2,
     .flags = RULE_GRAD_SKIP, .why = "View is a bitcast: no vjp or jvp (as in MLX)"},
    {MX_PRIM_DEPENDS, "depends", rc_depends, 3, 2, {2, 1, 1}, {{2, 3}, {4}, {3}}, .lo = -2,
     .hi = 2},
    RULE_END,
};
/* clang-format on */

#undef VR
#undef VD
#undef VI

#endif
