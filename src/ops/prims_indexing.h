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

/* clang-format off */
#define MX_PRIMS_INDEXING(X) \
  /* ID                    name                  flags  eval_cpu                     eval_cuda             vjp   jvp   vmap  output_shapes          is_equivalent */ \
  X(SLICE,                "Slice",              0,     mx_eval_slice,               mx_eval_slice,        NULL, NULL, NULL, mx_shapes_slice,       mx_equiv_params) \
  X(SLICE_UPDATE,         "SliceUpdate",        0,     mx_cpu_slice_update,         NULL,                 NULL, NULL, NULL, mx_shapes_same,        mx_equiv_params) \
  X(DYNAMIC_SLICE,        "DynamicSlice",       0,     mx_eval_dynslice,            NULL,                 NULL, NULL, NULL, mx_shapes_dynslice,    mx_equiv_params) \
  X(DYNAMIC_SLICE_UPDATE, "DynamicSliceUpdate", 0,     mx_cpu_dynamic_slice_update, NULL,                 NULL, NULL, NULL, mx_shapes_same,        mx_equiv_params) \
  X(GATHER,               "Gather",             0,     mx_cpu_gather,               NULL,                 NULL, NULL, NULL, mx_shapes_gather,      mx_equiv_params) \
  X(SCATTER,              "Scatter",            0,     mx_cpu_scatter,              NULL,                 NULL, NULL, NULL, mx_shapes_same,        mx_equiv_params) \
  X(MASKED_SCATTER,       "MaskedScatter",      0,     mx_cpu_masked_scatter,       NULL,                 NULL, NULL, NULL, mx_shapes_same,        mx_equiv_params) \
  X(SQUEEZE,              "Squeeze",            0,     mx_eval_squeeze,             mx_eval_squeeze,      NULL, NULL, NULL, mx_shapes_squeeze,     mx_equiv_params) \
  X(EXPAND_DIMS,          "ExpandDims",         0,     mx_eval_expand_dims,         mx_eval_expand_dims,  NULL, NULL, NULL, mx_shapes_expand_dims, mx_equiv_params) \
  X(AS_STRIDED,           "AsStrided",          0,     mx_eval_as_strided,          mx_eval_as_strided,   NULL, NULL, NULL, mx_shapes_as_strided,  mx_equiv_params) \
  X(DIAGONAL,             "Diagonal",           0,     mx_eval_diagonal,            mx_eval_diagonal,     NULL, NULL, NULL, mx_shapes_diagonal,    mx_equiv_params) \
  X(CONCATENATE,          "Concatenate",        0,     mx_cpu_concatenate,          NULL,                 NULL, NULL, NULL, mx_shapes_concatenate, mx_equiv_params) \
  X(TRIL,                 "Tril",               0,     mx_cpu_tri,                  NULL,                 NULL, NULL, NULL, mx_shapes_same,        mx_equiv_params) \
  X(TRIU,                 "Triu",               0,     mx_cpu_tri,                  NULL,                 NULL, NULL, NULL, mx_shapes_same,        mx_equiv_params) \
  X(CONTIGUOUS,           "Contiguous",         0,     mx_cpu_contiguous,           NULL,                 NULL, NULL, NULL, mx_shapes_same,        mx_equiv_params) \
  X(VIEW,                 "View",               0,     mx_cpu_view,                 NULL,                 NULL, NULL, NULL, mx_shapes_view,        mx_equiv_params) \
  X(DEPENDS,              "Depends",            0,     mx_eval_depends,             mx_eval_depends,      NULL, NULL, NULL, mx_shapes_depends,     NULL) \
  X(TAKE,                 "Take",               0,     mx_cpu_take,                 NULL,                 NULL, NULL, NULL, mx_shapes_take,        mx_equiv_params)
/* clang-format on */

#endif
