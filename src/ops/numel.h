/* NumberOfElements (numel.c): the count of axes of an array as a scalar computed at run time. */
#ifndef MX_OPS_NUMEL_H
#define MX_OPS_NUMEL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

/* NUMBER_OF_ELEMENTS: product of the input's sizes along axes (non-negative), minus ddof;
 * inverted: 1 / that (1 / 0 = inf). The output is a scalar of dtype (any numeric type). */
typedef struct {
  int32_t naxes, inverted, ddof, dtype;
  int32_t axes[];
} mx_numel_params;

/* count - ddof (inverted: 1 / that) over axes of a; mx_number_of_elements (ops.h) is ddof 0. */
int mx_count_elements(mx_array **out, mx_array *a, const int *axes, int naxes, bool inverted,
                      int ddof, mx_dtype dtype, mx_stream s);

int mx_cpu_number_of_elements(mx_node *n);
int mx_shapes_numel(const void *params, mx_array *const *inputs, int nin, int *ndims,
                    int32_t (*shapes)[MX_MAX_NDIM]);
int mx_vjp_numel(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_numel(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_numel(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

#endif
