/* Primitive table fragment: reductions, scans, sort, partition, search.
 * Rows have the columns of MX_PRIMITIVES in src/core/primitives.h:
 *   X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes, is_equivalent)
 * Declare the functions the rows name in headers included from here.
 *
 * sum, prod, max, min, all, any use the foundation's REDUCE primitive; mean, var, std, median
 * compose from primitives. Parameter blocks: src/ops/reduce.h; kernels:
 * src/backend/cpu/reduce_kernels.h. */
#ifndef MX_OPS_PRIMS_REDUCE_H
#define MX_OPS_PRIMS_REDUCE_H

#include "backend/cpu/reduce_kernels.h"
#include "ops/reduce.h"

/* clang-format off */
#define MX_PRIMS_REDUCE(X) \
  /* ID           name            flags  eval_cpu               eval_cuda  vjp                 jvp                 vmap            output_shapes          is_equivalent */ \
  X(ARG_REDUCE,   "ArgReduce",    0,     mx_cpu_arg_reduce,     NULL,      mx_vjp_index,       mx_jvp_index,       mx_vmap_reduce, mx_shapes_arg_reduce,  mx_equiv_params) \
  X(SCAN,         "Scan",         0,     mx_cpu_scan,           NULL,      mx_vjp_scan,        mx_jvp_scan,        mx_vmap_reduce, mx_shapes_same,        mx_equiv_params) \
  X(SORT,         "Sort",         0,     mx_cpu_sort,           NULL,      mx_vjp_sort,        mx_jvp_sort,        mx_vmap_reduce, mx_shapes_same,        mx_equiv_params) \
  X(ARGSORT,      "ArgSort",      0,     mx_cpu_sort,           NULL,      mx_vjp_index,       mx_jvp_index,       mx_vmap_reduce, mx_shapes_same,        mx_equiv_params) \
  X(PARTITION,    "Partition",    0,     mx_cpu_partition,      NULL,      mx_vjp_sort,        mx_jvp_sort,        mx_vmap_reduce, mx_shapes_same,        mx_equiv_params) \
  X(ARGPARTITION, "ArgPartition", 0,     mx_cpu_partition,      NULL,      mx_vjp_index,       mx_jvp_index,       mx_vmap_reduce, mx_shapes_same,        mx_equiv_params) \
  X(TOPK,         "TopK",         0,     mx_cpu_partition,      NULL,      mx_vjp_sort,        mx_jvp_sort,        mx_vmap_reduce, mx_shapes_topk,        mx_equiv_params) \
  X(SOFTMAX,      "Softmax",      0,     mx_cpu_softmax,        NULL,      mx_vjp_softmax,     mx_jvp_softmax,     mx_vmap_reduce, mx_shapes_same,        mx_equiv_params) \
  X(LOGSUMEXP,    "LogSumExp",    0,     mx_cpu_logsumexp,      NULL,      mx_vjp_logsumexp,   mx_jvp_logsumexp,   mx_vmap_reduce, mx_shapes_last_to_one, mx_equiv_params)
/* clang-format on */

#endif
