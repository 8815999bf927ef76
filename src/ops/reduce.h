/* Ops: reductions, scans, sort, partition, search. Conventions as in src/ops/ops.h: each op
 * returns 0 and stores a new reference in *out, or returns MX_ERR with an op-named message.
 * Inputs are borrowed. Axes may be negative; `axes` NULL with naxes < 0 means every axis.
 *
 * Also here: the parameter blocks of this family's primitives (plain data of int32 fields, so
 * byte comparison by mx_equiv_params is exact) and their output_shapes rules. */
#ifndef MX_OPS_REDUCE_H
#define MX_OPS_REDUCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

/* ------------------------------------------------------------------ parameter blocks */

/* ARG_REDUCE: index (uint32) of the first minimum / maximum along axis; NaN counts as both the
 * largest and the smallest value (the first NaN wins). The output keeps the rank (axis of size
 * 1). */
typedef enum { MX_ARGREDUCE_MIN, MX_ARGREDUCE_MAX } mx_argreduce_op;
typedef struct {
  int32_t op; /* mx_argreduce_op */
  int32_t axis;
} mx_argreduce_params;

/* SCAN: inclusive or exclusive, forward or reverse scans along axis; input and output have one
 * dtype. Exclusive scans start from the identity (0, 1, the lowest / highest value, -inf). */
typedef enum {
  MX_SCAN_SUM,
  MX_SCAN_PROD,
  MX_SCAN_MAX,
  MX_SCAN_MIN,
  MX_SCAN_LOGADDEXP,
} mx_scan_op;
typedef struct {
  int32_t op; /* mx_scan_op */
  int32_t axis;
  int32_t reverse;
  int32_t inclusive;
} mx_scan_params;

/* SORT, ARGSORT (stable; NaN last, -0.0 equal to 0.0, complex lexicographic): axis.
 * PARTITION, ARGPARTITION: element kth (0 <= kth < n) of axis is where a sort would put it,
 * the ones before are <= it and the ones after >= it.
 * TOPK: the last n - kth elements of the partition around kth (the axis has n - kth
 * elements in the output). */
typedef struct {
  int32_t axis;
  int32_t kth;
} mx_sort_params;

/* SOFTMAX: along the last axis, computed in float32 for 16-bit floats (and for integers, whose
 * results are converted back). precise only tells the op's flag (kept for equivalence). */
typedef struct {
  int32_t precise;
} mx_softmax_params;

/* LOGSUMEXP: no parameters; the last axis is reduced to size 1. */

/* ------------------------------------------------------------------ rules (reduce.c) */

int mx_shapes_arg_reduce(const void *params, mx_array *const *inputs, int nin, int *ndims,
                         int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_topk(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_last_to_one(const void *params, mx_array *const *inputs, int nin, int *ndims,
                          int32_t (*shapes)[MX_MAX_NDIM]);

/* ------------------------------------------------------------------ ops: reductions
 * (reduction.c): axes NULL with naxes < 0 reduces over every axis; no axes returns the input. */

int mx_prod(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s);
/* Error when a reduced axis has size 0. */
int mx_max(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s);
int mx_min(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s);
int mx_all(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s);
int mx_any(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s);

/* ------------------------------------------------------------------ ops: statistics (reduce.c) */

/* Integers and bool give float32; other dtypes keep theirs. */
int mx_mean(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s);
/* Real output (complex64 gives float32): mean(|a - mean(a)|^2) * n / (n - ddof). */
int mx_var(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, int ddof,
           mx_stream s);
int mx_std(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, int ddof,
           mx_stream s);
/* The middle value (mean of the two middle values for even counts); NaN if the slice has one. */
int mx_median(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s);
int mx_logsumexp(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims,
                 mx_stream s);
int mx_softmax(mx_array **out, mx_array *a, const int *axes, int naxes, bool precise, mx_stream s);
/* axis_none: over the flattened array. */
int mx_argmax(mx_array **out, mx_array *a, int axis, bool axis_none, bool keepdims, mx_stream s);
int mx_argmin(mx_array **out, mx_array *a, int axis, bool axis_none, bool keepdims, mx_stream s);

/* ------------------------------------------------------------------ ops: scans (reduce.c) */

int mx_cumsum(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive, mx_stream s);
int mx_cumprod(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive, mx_stream s);
int mx_cummax(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive, mx_stream s);
int mx_cummin(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive, mx_stream s);
int mx_logcumsumexp(mx_array **out, mx_array *a, int axis, bool reverse, bool inclusive,
                    mx_stream s);

/* ------------------------------------------------------------------ ops: sort (reduce.c)
 * axis_none: over the flattened array. */

int mx_sort(mx_array **out, mx_array *a, int axis, bool axis_none, mx_stream s);
int mx_argsort(mx_array **out, mx_array *a, int axis, bool axis_none, mx_stream s);
int mx_partition(mx_array **out, mx_array *a, int kth, int axis, bool axis_none, mx_stream s);
int mx_argpartition(mx_array **out, mx_array *a, int kth, int axis, bool axis_none, mx_stream s);
/* The k largest elements along axis (in no particular order). */
int mx_topk(mx_array **out, mx_array *a, int k, int axis, bool axis_none, mx_stream s);

/* ------------------------------------------------------------------ transform rules
 * (reduce_rules.c): vjp and jvp per primitive kind; one vmap for every primitive of the family
 * and REDUCE (the batch axis stays where it is, axis parameters shift past it). */

/* REDUCE */
int mx_vjp_reduce(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_reduce(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
/* integer or boolean outputs: ARG_REDUCE, ARGSORT, ARGPARTITION */
int mx_vjp_index(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_index(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
/* SCAN */
int mx_vjp_scan(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_scan(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
/* SORT, PARTITION, TOPK */
int mx_vjp_sort(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_sort(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
/* SOFTMAX */
int mx_vjp_softmax(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_softmax(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
/* LOGSUMEXP */
int mx_vjp_logsumexp(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads);
int mx_jvp_logsumexp(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out);
int mx_vmap_reduce(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes);

#endif
