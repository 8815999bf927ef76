/* Per-primitive rules named in the primitive table that are not kernels: output shapes,
 * equivalence, and the device-independent view primitives. */
#ifndef MX_OPS_RULES_H
#define MX_OPS_RULES_H

#include "core/array.h"

/* output_shapes */
int mx_shapes_same(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_params(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_arange(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_transpose(const void *params, mx_array *const *inputs, int nin, int *ndims,
                        int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_reduce(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_matmul(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]);

/* is_equivalent: same primitive, same parameter bytes. */
bool mx_equiv_params(const mx_node *a, const mx_node *b);

/* Views: the output shares the input's buffer. */
int mx_eval_broadcast(mx_node *n);
int mx_eval_transpose(mx_node *n);
int mx_eval_reshape(mx_node *n); /* a view when the strides allow one (numpy rules), else a copy */

#endif
