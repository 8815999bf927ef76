/* vjp, jvp and vmap of the shape views, slices and concatenation (indexing_rules_views.c).
 *
 * mx_*_views serve the single-input linear views: Slice, DynamicSlice, Squeeze, ExpandDims,
 * AsStrided, Diagonal, Tril, Triu, Contiguous (and View, vmap only: a bitcast has no gradient,
 * as in MLX). mx_*_slice_update serve SliceUpdate and DynamicSliceUpdate. Integer start indices
 * (DynamicSlice, DynamicSliceUpdate) get no gradient (NULL = zero). */
#ifndef MX_OPS_INDEXING_RULES_VIEWS_H
#define MX_OPS_INDEXING_RULES_VIEWS_H

#include "core/array.h"

int mx_vjp_views(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_views(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_views(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

int mx_vjp_slice_update(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                        mx_array **grads);
int mx_jvp_slice_update(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                        mx_array **out);
int mx_vmap_slice_update(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                         int *out_axes);

int mx_vjp_concatenate(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                       mx_array **grads);
int mx_jvp_concatenate(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                       mx_array **out);
int mx_vmap_concatenate(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                        int *out_axes);

/* Depends: outputs pass the first inputs through; the trailing inputs only order evaluation. */
int mx_vjp_depends(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                   mx_array **grads);
int mx_jvp_depends(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_depends(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                    int *out_axes);

#endif
