/* CPU kernels named in the primitive table. Each reads n->inputs and n->params (src/ops/params.h)
 * and gives n->out[i] its data. Inputs may be any strided view (broadcast strides are 0);
 * outputs get fresh row-contiguous buffers from mx_array_alloc_data. */
#ifndef MX_BACKEND_CPU_KERNELS_H
#define MX_BACKEND_CPU_KERNELS_H

#include "core/array.h"

int mx_cpu_full(mx_node *n);   /* FULL: input 0 is a scalar-like array of the output dtype */
int mx_cpu_arange(mx_node *n); /* ARANGE */
int mx_cpu_copy(mx_node *n);   /* ASTYPE, COPY: row-contiguous copy with dtype conversion */
int mx_cpu_binary(mx_node *n); /* ADD SUBTRACT MULTIPLY DIVIDE: same shapes, same dtypes */
int mx_cpu_reduce(mx_node *n); /* REDUCE */
int mx_cpu_matmul(mx_node *n); /* MATMUL: (..., M, K) @ (..., K, N), batch dims equal */

/* Copies src (any layout) into dst (allocated, row-contiguous, same shape), converting dtype. */
int mx_cpu_copy_into(mx_array *dst, const mx_array *src);

#endif
