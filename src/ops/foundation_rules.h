/* Rules of the foundation primitives (src/ops/foundation_rules.c). */
#ifndef MX_OPS_FOUNDATION_RULES_H
#define MX_OPS_FOUNDATION_RULES_H

#include "core/array.h"

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
int mx_vjp_reduce(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_reduce(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_reduce(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);
int mx_vjp_matmul(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_matmul(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_matmul(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

#endif
