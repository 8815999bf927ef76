/* The operations: validate arguments, broadcast, promote types, and build graph nodes.
 * Each returns 0 and stores a new reference in *out, or returns MX_ERR with a message that
 * names the op. Inputs are borrowed. */
#ifndef MX_OPS_OPS_H
#define MX_OPS_OPS_H

#include "core/array.h"

/* The op families added after the foundation each have a header of their own. */
#include "ops/elementwise.h"
#include "ops/indexing.h"
#include "ops/linalg.h"
#include "ops/random.h"
#include "ops/reduce.h"

/* A node whose params are its output shape (FULL, BROADCAST, RESHAPE); NULL on error. */
mx_array *mx_make_shaped(int prim, mx_array *const *inputs, int nin, int ndim,
                         const int32_t *shape, mx_dtype dtype, mx_stream s);

/* creation.c */
int mx_full(mx_array **out, int ndim, const int32_t *shape, mx_array *vals, mx_dtype dtype,
            mx_stream s);
int mx_zeros(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype, mx_stream s);
int mx_ones(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype, mx_stream s);
int mx_arange(mx_array **out, double start, double stop, double step, mx_dtype dtype,
              mx_stream s);
int mx_astype(mx_array **out, mx_array *a, mx_dtype dtype, mx_stream s);
/* A new copy of a (always a new buffer: MLX's copy). */
int mx_copy(mx_array **out, mx_array *a, mx_stream s);
/* numel.c: the product of a's sizes along axes (its reciprocal when inverted), as a scalar of
 * dtype computed when the graph runs. */
int mx_number_of_elements(mx_array **out, mx_array *a, const int *axes, int naxes, bool inverted,
                          mx_dtype dtype, mx_stream s);
/* A row-contiguous copy, unless a already is one. */
int mx_contiguous(mx_array **out, mx_array *a, mx_stream s);

/* arithmetic.c */
/* The broadcast of two shapes into (ndim, shape), which may be either input's array. */
int mx_broadcast_shapes(const char *op, int andim, const int32_t *ashape, int bndim,
                        const int32_t *bshape, int *ndim, int32_t *shape);
int mx_broadcast_to(mx_array **out, mx_array *a, int ndim, const int32_t *shape, mx_stream s);
int mx_add(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_subtract(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_multiply(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_divide(mx_array **out, mx_array *a, mx_array *b, mx_stream s);

/* shape.c */
int mx_reshape(mx_array **out, mx_array *a, int ndim, const int32_t *shape, mx_stream s);
/* axes NULL reverses the axes. */
int mx_transpose(mx_array **out, mx_array *a, const int *axes, int naxes, mx_stream s);
/* Maps a possibly negative axis into [0, ndim); error naming op when out of range. */
int mx_normalize_axis(const char *op, int axis, int ndim, int *out);

/* reduction.c: axes NULL with naxes < 0 reduces over all axes. */
int mx_sum(mx_array **out, mx_array *a, const int *axes, int naxes, bool keepdims, mx_stream s);

/* matmul.c */
int mx_matmul(mx_array **out, mx_array *a, mx_array *b, mx_stream s);
int mx_matmul_fold(const mx_array *a, const mx_array *b, int32_t flat[2], int32_t *folded);

#endif
