/* Ops: shape manipulation, slicing, gather/scatter. Conventions as in src/ops/ops.h: each op
 * returns 0 and stores a new reference in *out (or fills outs), or returns MX_ERR with an
 * op-named message. Inputs are borrowed.
 *
 * Also here: the parameter blocks of the indexing primitives (plain data, byte-compared by
 * mx_equiv_params) and their output_shapes / view rules (src/ops/indexing_rules.c). */
#ifndef MX_OPS_INDEXING_H
#define MX_OPS_INDEXING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"

/* ------------------------------------------------------------------ parameter blocks
 *
 * Variable-length blocks: a fixed header followed by int32 (or int64) sections; the node keeps
 * only the used bytes. Axes are normalized (non-negative) before a block is built. */

/* How an update combines with the existing value (SLICE_UPDATE, SCATTER, ...). */
typedef enum {
  MX_SCATTER_NONE, /* overwrite (the last write wins) */
  MX_SCATTER_SUM,
  MX_SCATTER_PROD,
  MX_SCATTER_MAX,
  MX_SCATTER_MIN,
} mx_scatter_op;

/* SLICE (a strided view): data = start[ndim], step[ndim], out_shape[ndim].
 * SLICE_UPDATE: data = start[ndim], step[ndim]; the slice's shape is input 1's shape.
 * Starts are in range for non-empty outputs; steps are nonzero. */
typedef struct {
  int32_t op; /* mx_scatter_op (SLICE_UPDATE) */
  int32_t ndim;
  int32_t data[];
} mx_slice_params;

/* DYNAMIC_SLICE: inputs (a, start); data = axes[naxes], slice_size[ndim].
 * DYNAMIC_SLICE_UPDATE: inputs (src, update, start); data = axes[naxes].
 * start holds naxes integers (any integer dtype), read when the node runs: a negative start
 * counts from the end, then the start is clamped so that the slice fits. */
typedef struct {
  int32_t op; /* mx_scatter_op (DYNAMIC_SLICE_UPDATE) */
  int32_t naxes;
  int32_t ndim;
  int32_t data[];
} mx_dynslice_params;

/* GATHER: inputs (a, idx_0 .. idx_{naxes-1}), index arrays of one shape B (broadcast views);
 * output B + slice_size (a.ndim dims). data = axes[naxes], slice_size[ndim].
 * SCATTER: inputs (a, idx_0 .. idx_{naxes-1}, updates of shape B + slice shape); data = axes.
 * Negative indices count from the end; a gather clamps out-of-range indices into the axis, a
 * scatter drops updates whose index is out of range (memory outside the array is never
 * touched). */
typedef struct {
  int32_t op; /* mx_scatter_op (SCATTER) */
  int32_t naxes;
  int32_t ndim; /* GATHER: entries of slice_size */
  int32_t data[];
} mx_gather_params;

/* TAKE: inputs (a, indices); output a.shape[:axis] + indices.shape + a.shape[axis+1:] (indices
 * clamped like GATHER's). A gather laid out for locality: rows of a are read in order. */

/* SQUEEZE: the input axes removed (sorted). EXPAND_DIMS: the output axes inserted (sorted). */
typedef struct {
  int32_t naxes;
  int32_t axes[];
} mx_axes_params;

/* AS_STRIDED: a view of the row-contiguous input with these element strides, starting offset
 * elements in. Bounds are checked when the op is built. */
typedef struct {
  int64_t offset;
  int32_t ndim;
  int32_t pad_;
  int64_t strides[MX_MAX_NDIM];
  int32_t shape[MX_MAX_NDIM];
} mx_as_strided_params;

/* DIAGONAL (a view): output = input axes without axis1/axis2, then the diagonal. */
typedef struct {
  int32_t offset, axis1, axis2;
} mx_diagonal_params;

/* CONCATENATE: inputs of one dtype joined along axis. TRIL/TRIU: k. VIEW: dtype.
 * CONTIGUOUS: allow column-major. */
typedef struct {
  int32_t value;
} mx_int_param;

/* ------------------------------------------------------------------ rules (indexing_rules.c) */

int mx_shapes_slice(const void *params, mx_array *const *inputs, int nin, int *ndims,
                    int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_dynslice(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_gather(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_squeeze(const void *params, mx_array *const *inputs, int nin, int *ndims,
                      int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_expand_dims(const void *params, mx_array *const *inputs, int nin, int *ndims,
                          int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_as_strided(const void *params, mx_array *const *inputs, int nin, int *ndims,
                         int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_diagonal(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_concatenate(const void *params, mx_array *const *inputs, int nin, int *ndims,
                          int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_view(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_take(const void *params, mx_array *const *inputs, int nin, int *ndims,
                   int32_t (*shapes)[MX_MAX_NDIM]);
int mx_shapes_depends(const void *params, mx_array *const *inputs, int nin, int *ndims,
                      int32_t (*shapes)[MX_MAX_NDIM]);

/* View primitives (device independent): the output shares the input's buffer. */
int mx_eval_slice(mx_node *n);
int mx_eval_dynslice(mx_node *n);
int mx_eval_squeeze(mx_node *n);
int mx_eval_expand_dims(mx_node *n);
int mx_eval_as_strided(mx_node *n);
int mx_eval_diagonal(mx_node *n);
int mx_eval_depends(mx_node *n);

/* ------------------------------------------------------------------ ops: shapes (shape.c) */

/* Axes NULL (naxes < 0): every size-1 axis. */
int mx_squeeze(mx_array **out, mx_array *a, const int *axes, int naxes, mx_stream s);
int mx_expand_dims(mx_array **out, mx_array *a, const int *axes, int naxes, mx_stream s);
int mx_flatten(mx_array **out, mx_array *a, int start_axis, int end_axis, mx_stream s);
int mx_unflatten(mx_array **out, mx_array *a, int axis, const int32_t *shape, int n, mx_stream s);
int mx_swapaxes(mx_array **out, mx_array *a, int axis1, int axis2, mx_stream s);
int mx_moveaxis(mx_array **out, mx_array *a, int source, int destination, mx_stream s);
/* outs: n new references (all or none). */
int mx_broadcast_arrays(mx_array **outs, mx_array *const *arrays, int n, mx_stream s);
/* nd: 1, 2 or 3. */
int mx_atleast(mx_array **out, mx_array *a, int nd, mx_stream s);
int mx_as_strided(mx_array **out, mx_array *a, int ndim, const int32_t *shape,
                  const int64_t *strides, int64_t offset, mx_stream s);
/* A copy only where the layout is neither row-contiguous nor (if allowed) column-contiguous. */
int mx_contiguous_layout(mx_array **out, mx_array *a, bool allow_col_major, mx_stream s);
int mx_view(mx_array **out, mx_array *a, mx_dtype dtype, mx_stream s);
/* outs: n arrays equal to inputs, evaluated only after deps. */
int mx_depends(mx_array **outs, mx_array *const *inputs, int n, mx_array *const *deps, int ndeps,
               mx_stream s);

/* ------------------------------------------------------------------ ops: slicing (indexing.c) */

/* start/stop/step: ndim entries each (step NULL: all 1), numpy's clamping; a view. */
int mx_slice(mx_array **out, mx_array *a, const int *start, const int *stop, const int *step,
             int ndim, mx_stream s);
/* src with the slice replaced by (or combined with, op) update broadcast to the slice. */
int mx_slice_update(mx_array **out, mx_array *src, mx_array *update, const int *start,
                    const int *stop, const int *step, int ndim, mx_scatter_op op, mx_stream s);
int mx_slice_dynamic(mx_array **out, mx_array *a, mx_array *start, const int *axes, int naxes,
                     const int *slice_size, int nsize, mx_stream s);
int mx_slice_update_dynamic(mx_array **out, mx_array *src, mx_array *update, mx_array *start,
                            const int *axes, int naxes, mx_stream s);
int mx_concatenate(mx_array **out, mx_array *const *arrays, int n, int axis, mx_stream s);
/* axis_none: flatten every array first. */
int mx_concatenate_flat(mx_array **out, mx_array *const *arrays, int n, mx_stream s);
int mx_stack(mx_array **out, mx_array *const *arrays, int n, int axis, mx_stream s);
/* Split into num equal parts (indices NULL) or at indices (nind entries). *outs is a malloc'ed
 * array of *nout new references. */
int mx_split(mx_array ***outs, int *nout, mx_array *a, int num, const int *indices, int nind,
             int axis, mx_stream s);
/* axis_none: over the flattened array. */
int mx_repeat(mx_array **out, mx_array *a, int repeats, int axis, bool axis_none, mx_stream s);
int mx_tile(mx_array **out, mx_array *a, const int *reps, int nreps, mx_stream s);
/* mode: "constant", "edge", "symmetric", "reflect". */
int mx_pad(mx_array **out, mx_array *a, const int *axes, int naxes, const int *low, const int *high,
           mx_array *value, const char *mode, mx_stream s);
/* axes NULL (naxes < 0): over the flattened array, shift[0] only (nshift 1). */
int mx_roll(mx_array **out, mx_array *a, const int *shift, int nshift, const int *axes, int naxes,
            mx_stream s);
int mx_diagonal(mx_array **out, mx_array *a, int offset, int axis1, int axis2, mx_stream s);
int mx_diag(mx_array **out, mx_array *a, int k, mx_stream s);
int mx_trace(mx_array **out, mx_array *a, int offset, int axis1, int axis2, mx_dtype dtype,
             mx_stream s);
int mx_tril(mx_array **out, mx_array *a, int k, mx_stream s);
int mx_triu(mx_array **out, mx_array *a, int k, mx_stream s);

/* ------------------------------------------------------------------ ops: gather/scatter
 * (indexing_gather.c) */

int mx_gather(mx_array **out, mx_array *a, mx_array *const *indices, int nidx, const int *axes,
              const int *slice_sizes, int nsizes, mx_stream s);
/* axis_none: over the flattened array. */
int mx_take(mx_array **out, mx_array *a, mx_array *indices, int axis, bool axis_none, mx_stream s);
int mx_take_along_axis(mx_array **out, mx_array *a, mx_array *indices, int axis, bool axis_none,
                       mx_stream s);
int mx_put_along_axis(mx_array **out, mx_array *a, mx_array *indices, mx_array *values, int axis,
                      bool axis_none, mx_scatter_op op, mx_stream s);
int mx_scatter(mx_array **out, mx_array *a, mx_array *const *indices, int nidx, mx_array *updates,
               const int *axes, mx_scatter_op op, mx_stream s);
int mx_masked_scatter(mx_array **out, mx_array *a, mx_array *mask, mx_array *src, mx_stream s);

#endif
