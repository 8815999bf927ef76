/* Custom transforms: a function whose vjp, jvp or vmap the user supplies (custom_function,
 * custom_vjp, checkpoint).
 *
 * Calling it computes outs = f(inputs) and wraps them in a CustomTransforms node whose inputs
 * are inputs ++ outs and whose outputs share outs' data. Its rules call the user's functions;
 * a rule left out falls back to f's own graph (the node's trailing inputs), so only what is
 * customized changes. */
#ifndef MX_CORE_CUSTOM_H
#define MX_CORE_CUSTOM_H

#include "core/array.h"
#include "core/transforms.h"

typedef struct {
  /* grads (one per primal) from primals, cotangents (one per output, NULL = zero), outputs */
  int (*vjp)(void *payload, const mx_arrays *primals, const mx_arrays *cotangents,
             const mx_arrays *outputs, mx_arrays *grads);
  /* output tangents from primals and the tangents of the primals listed in argnums */
  int (*jvp)(void *payload, const mx_arrays *primals, const mx_arrays *tangents,
             const int *argnums, int nargs, mx_arrays *out_tangents);
  /* outputs batched along out_axes (one per output) from inputs batched along axes (-1: not) */
  int (*vmap)(void *payload, const mx_arrays *inputs, const int *axes, mx_arrays *outs,
              int *out_axes);
  void *payload;
  void (*free_payload)(void *payload);
} mx_custom_rules;

typedef struct mx_custom mx_custom;

/* A shared set of rules (refs = 1); the payload is freed with the last reference. */
mx_custom *mx_custom_new(mx_custom_rules rules);
/* True when n is a CustomTransforms node with a custom jvp and input i is one of the function's
 * outputs: forward mode needs no tangent for it (nor for the graph behind it). */
bool mx_custom_jvp_ignores_input(const mx_node *n, int i);
void mx_custom_retain(void *custom);
void mx_custom_release(void *custom);

/* outs = f(inputs), as outputs of a CustomTransforms node carrying c's rules. */
int mx_custom_call(mx_fun f, mx_custom *c, const mx_arrays *inputs, mx_arrays *outs);

/* The CustomTransforms primitive's table entries. */
int mx_eval_custom(mx_node *n);
int mx_vjp_custom(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                  mx_array **grads);
int mx_jvp_custom(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                  mx_array **out);
int mx_vmap_custom(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                   int *out_axes);
int mx_shapes_custom(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]);

#endif
