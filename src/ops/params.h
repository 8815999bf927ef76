/* Parameter blocks of the primitives, shared by ops (which build them) and kernels (which read
 * them). A node keeps a byte copy, so they hold plain data only; is_equivalent compares bytes. */
#ifndef MX_OPS_PARAMS_H
#define MX_OPS_PARAMS_H

#include <stdint.h>

/* FULL, BROADCAST, RESHAPE: the output shape. */
typedef struct {
  int32_t ndim;
  int32_t shape[];
} mx_shape_params;

/* ARANGE: out[i] = start + i * step for i < n (n from start, stop, step). */
typedef struct {
  double start, stop, step;
} mx_arange_params;

/* TRANSPOSE: out axis i is input axis perm[i]. */
typedef struct {
  int32_t ndim;
  int32_t perm[];
} mx_transpose_params;

/* ASTYPE: the target dtype (also the output dtype). */
typedef struct {
  int32_t dtype;
} mx_astype_params;

typedef enum { MX_REDUCE_SUM, MX_REDUCE_PROD, MX_REDUCE_MAX, MX_REDUCE_MIN, MX_REDUCE_ALL, MX_REDUCE_ANY } mx_reduce_op;

/* REDUCE: axes sorted ascending, unique, non-negative. The output keeps the input's rank with
 * each reduced axis of size 1 (ops squeeze them when keepdims is false). */
typedef struct {
  int32_t op; /* mx_reduce_op */
  int32_t naxes;
  int32_t axes[];
} mx_reduce_params;

#endif
