/* vjp, jvp and vmap of Gather, Scatter, MaskedScatter, Take, PutAlongAxis and TakeAlongAxis (and
 * the latter's output shapes) (indexing_rules_gather.c).
 * No gradient flows to index inputs (or masks): their vjp is zero, their tangents are ignored. */
#ifndef MX_OPS_INDEXING_RULES_GATHER_H
#define MX_OPS_INDEXING_RULES_GATHER_H

#include "core/array.h"

int mx_vjp_gather(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                  mx_array **grads);
int mx_jvp_gather(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_gather(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_scatter(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                   mx_array **grads);
int mx_jvp_scatter(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_scatter(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                    int *out_axes);
int mx_vjp_masked_scatter(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                          mx_array **grads);
int mx_jvp_masked_scatter(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                          mx_array **out);
int mx_vmap_masked_scatter(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                           int *out_axes);
int mx_vjp_take(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_take(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_take(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_put_along_axis(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                          mx_array **grads);
int mx_jvp_put_along_axis(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                          mx_array **out);
int mx_vmap_put_along_axis(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                           int *out_axes);
int mx_shapes_take_along_axis(const void *params, mx_array *const *inputs, int nin, int *ndims,
                              int32_t (*shapes)[MX_MAX_NDIM]);
int mx_vjp_take_along_axis(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                           mx_array **grads);
int mx_jvp_take_along_axis(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                           mx_array **out);
int mx_vmap_take_along_axis(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                            int *out_axes);

#endif
