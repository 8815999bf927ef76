/* Rules of the foundation primitives (src/ops/foundation_rules.c). */
#ifndef MX_OPS_FOUNDATION_RULES_H
#define MX_OPS_FOUNDATION_RULES_H

#include "core/array.h"

/* Helpers shared by the rules of every family (rules build results with ops, so they compose). */
/* out = -x. */
int mx_rule_negate(mx_array **out, mx_array *x, mx_stream s);
/* out = a + b where either may be NULL (zero, then out is the other, possibly NULL); takes over
 * both references. */
int mx_rule_add_owned(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
/* A batched input (axis >= 0) with its batch axis moved to 0; an unbatched one (axis < 0)
 * retained as it is. */
int mx_rule_to_front(mx_array **out, mx_array *x, int axis);
/* Swaps the last two axes. */
int mx_rule_swap_last(mx_array **out, mx_array *x, mx_stream s);
/* A node of n's primitive on new inputs, with n's params (params NULL) or the given ones, n's
 * output dtype and stream. */
int mx_rule_remake(mx_array **out, mx_node *n, mx_array *const *in, int nin, const void *params,
                   size_t params_size);
/* The batch size of a vmap rule's inputs (the first batched one's). */
int mx_rule_batch_size(mx_array *const *in, const int *axes, int nin);
/* jvp of a primitive linear in each of its first nlin inputs (the others, indices or segments,
 * take no tangent): the sum over the given tangents of the primitive remade with that input
 * replaced by its tangent. */
int mx_rule_jvp_multilinear(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                            int nlin, mx_array **out);
/* x with its batch at axis 0 padded with size-1 axes after the batch axis to rank ndim + 1. */
int mx_rule_batch_expand(mx_array **out, mx_array *x, int ndim, mx_stream s);

/* Identity: the output shares the input's data (tracers are identities). */
int mx_eval_identity(mx_node *n);

int mx_vjp_identity(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_identity(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_identity(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_astype(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_astype(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_astype(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_full(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_full(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_full(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_broadcast(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_broadcast(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_broadcast(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_reshape(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_reshape(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_reshape(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_transpose(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_transpose(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_transpose(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_arith(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_arith(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_arith(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_matmul(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_matmul(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_matmul(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

#endif
