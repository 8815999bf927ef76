/* Primitive table fragment: shape manipulation, slicing, gather/scatter and the indexing primitives.
 * Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Declare the functions the rows name in headers included from here.
 *
 * Views (SLICE, DYNAMIC_SLICE, SQUEEZE, EXPAND_DIMS, AS_STRIDED, DIAGONAL, DEPENDS) are device
 * independent: the same function serves every device. Parameter blocks: src/ops/indexing.h. */
#ifndef MX_OPS_PRIMS_INDEXING_H
#define MX_OPS_PRIMS_INDEXING_H

#include "backend/cpu/indexing.h"
#include "ops/indexing.h"
#include "ops/indexing_rules_gather.h"
#include "ops/indexing_rules_views.h"

/* PUT_ALONG_AXIS: inputs (a, idx, upd); idx and upd have one shape U (any layouts, broadcast
 * views included) equal to a's but along axis; upd has a's dtype. out = a, then for every
 * position u of U in row-major order out[u with axis -> idx[u]] = upd[u] (op NONE: the last
 * write wins) or combines with it (the other mx_scatter_op). A negative index counts from the
 * end once; an index still outside the axis drops its update.
 * TAKE_ALONG_AXIS (params mx_int_param: the axis): inputs (a, idx), idx of shape U equal to a's
 * but along axis; out[u] = a[u with axis -> idx[u]], shape U, an index wrapped once and then
 * clamped into the axis (as GATHER). */
typedef struct {
  int32_t op; /* mx_scatter_op */
  int32_t axis;
} mx_put_axis_params;

/* clang-format off */
#define MX_PRIMS_INDEXING(X) \
  /* ID                    name                  flags  eval_cpu                     eval_cuda             vjp   jvp   vmap  output_shapes          is_equivalent */ \
  X(SLICE,                "Slice",              0,     mx_eval_slice,               mx_eval_slice,        mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_slice,       mx_equiv_params) \
  X(SLICE_UPDATE,         "SliceUpdate",        0,     mx_cpu_slice_update,         NULL,                 mx_vjp_slice_update, mx_jvp_slice_update, mx_vmap_slice_update, mx_shapes_same,        mx_equiv_params) \
  X(DYNAMIC_SLICE,        "DynamicSlice",       0,     mx_eval_dynslice,            NULL,                 mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_dynslice,    mx_equiv_params) \
  X(DYNAMIC_SLICE_UPDATE, "DynamicSliceUpdate", 0,     mx_cpu_dynamic_slice_update, NULL,                 mx_vjp_slice_update, mx_jvp_slice_update, mx_vmap_slice_update, mx_shapes_same,        mx_equiv_params) \
  X(GATHER,               "Gather",             0,     mx_cpu_gather,               NULL,                 mx_vjp_gather, mx_jvp_gather, mx_vmap_gather, mx_shapes_gather,      mx_equiv_params) \
  X(SCATTER,              "Scatter",            0,     mx_cpu_scatter,              NULL,                 mx_vjp_scatter, mx_jvp_scatter, mx_vmap_scatter, mx_shapes_same,        mx_equiv_params) \
  X(MASKED_SCATTER,       "MaskedScatter",      0,     mx_cpu_masked_scatter,       NULL,                 mx_vjp_masked_scatter, mx_jvp_masked_scatter, mx_vmap_masked_scatter, mx_shapes_same,        mx_equiv_params) \
  X(SQUEEZE,              "Squeeze",            0,     mx_eval_squeeze,             mx_eval_squeeze,      mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_squeeze,     mx_equiv_params) \
  X(EXPAND_DIMS,          "ExpandDims",         0,     mx_eval_expand_dims,         mx_eval_expand_dims,  mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_expand_dims, mx_equiv_params) \
  X(AS_STRIDED,           "AsStrided",          0,     mx_eval_as_strided,          mx_eval_as_strided,   mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_as_strided,  mx_equiv_params) \
  X(DIAGONAL,             "Diagonal",           0,     mx_eval_diagonal,            mx_eval_diagonal,     mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_diagonal,    mx_equiv_params) \
  X(CONCATENATE,          "Concatenate",        0,     mx_cpu_concatenate,          NULL,                 mx_vjp_concatenate, mx_jvp_concatenate, mx_vmap_concatenate, mx_shapes_concatenate, mx_equiv_params) \
  X(TRIL,                 "Tril",               0,     mx_cpu_tri,                  NULL,                 mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_same,        mx_equiv_params) \
  X(TRIU,                 "Triu",               0,     mx_cpu_tri,                  NULL,                 mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_same,        mx_equiv_params) \
  X(CONTIGUOUS,           "Contiguous",         0,     mx_cpu_contiguous,           NULL,                 mx_vjp_views, mx_jvp_views, mx_vmap_views, mx_shapes_same,        mx_equiv_params) \
  X(VIEW,                 "View",               0,     mx_cpu_view,                 NULL,                 NULL, NULL, mx_vmap_views, mx_shapes_view,        mx_equiv_params) \
  X(DEPENDS,              "Depends",            0,     mx_eval_depends,             mx_eval_depends,      mx_vjp_depends, mx_jvp_depends, mx_vmap_depends, mx_shapes_depends,     NULL) \
  X(TAKE,                 "Take",               0,     mx_cpu_take,                 NULL,                 mx_vjp_take, mx_jvp_take, mx_vmap_take, mx_shapes_take,        mx_equiv_params) \
  X(PUT_ALONG_AXIS,       "PutAlongAxis",       0,     mx_cpu_put_along_axis,       NULL,                 mx_vjp_put_along_axis, mx_jvp_put_along_axis, mx_vmap_put_along_axis, mx_shapes_same,        mx_equiv_params) \
  X(TAKE_ALONG_AXIS,      "TakeAlongAxis",      0,     mx_cpu_take_along_axis,      NULL,                 mx_vjp_take_along_axis, mx_jvp_take_along_axis, mx_vmap_take_along_axis, mx_shapes_take_along_axis, mx_equiv_params)
/* clang-format on */

#endif
