/* CPU kernels of the indexing family (gather.c, scatter.c, scatter_axis.c, indexing_copy.c),
 * named in src/ops/prims_indexing.h, and the layout helpers they share. */
#ifndef MX_BACKEND_CPU_INDEXING_H
#define MX_BACKEND_CPU_INDEXING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/cpu/strided.h"
#include "core/allocator.h"
#include "core/array.h"

int mx_cpu_gather(mx_node *n);               /* GATHER */
int mx_cpu_take(mx_node *n);                 /* TAKE */
int mx_cpu_scatter(mx_node *n);              /* SCATTER */
int mx_cpu_put_along_axis(mx_node *n);       /* PUT_ALONG_AXIS (scatter_axis.c) */
int mx_cpu_take_along_axis(mx_node *n);      /* TAKE_ALONG_AXIS (scatter_axis.c) */
int mx_cpu_slice_update(mx_node *n);         /* SLICE_UPDATE */
int mx_cpu_dynamic_slice_update(mx_node *n); /* DYNAMIC_SLICE_UPDATE */
int mx_cpu_masked_scatter(mx_node *n);       /* MASKED_SCATTER */
int mx_cpu_concatenate(mx_node *n);          /* CONCATENATE */
int mx_cpu_tri(mx_node *n);                  /* TRIL, TRIU */
int mx_cpu_contiguous(mx_node *n);           /* CONTIGUOUS */
int mx_cpu_view(mx_node *n);                 /* VIEW */

/* ---- helpers (indexing_copy.c) ---- */

/* Copies the ndim-d view src (element strides sst) into the view dst (strides dst_st), items of
 * isz bytes, same shape; the views must not overlap. */
void mx_idx_copy(char *dst, const int64_t *dst_st, const char *src, const int64_t *sst, int ndim,
                 const int32_t *shape, size_t isz);
/* Gives out (same shape and dtype as in) in's data: in's buffer when nothing else can see it
 * (in is held only by out's node and owns its row-contiguous buffer), else a row-contiguous
 * copy. */
int mx_idx_init_from(mx_array *out, mx_array *in);
/* True when out (same shape and dtype as in) can take in's buffer: in is held only by out's
 * node and owns its row-contiguous buffer, which nothing else shares. */
static inline bool mx_idx_can_donate(const mx_array *out, mx_array *in) {
  mx_buffer *b = in->buf;
  return b && b->capacity != 0 && atomic_load(&in->refs) == 1 && atomic_load(&b->refs) == 1 &&
         in->dtype == out->dtype && in->size == out->size && (in->flags & MX_ROW_CONTIGUOUS) &&
         in->data_size == in->size;
}
/* Reads element i of an integer (or bool) array's buffer as int64 (uint64 saturates). */
int64_t mx_idx_load_int(const void *p, int dtype, int64_t i);

/* One inner row of an update: dst[i * ds] = combine(dst[i * ds], src[i * ss]) for i < n. */
typedef void (*mx_idx_row_fn)(char *dst, int64_t ds, const char *src, int64_t ss, int64_t n);
/* The row function of op (mx_scatter_op; NONE copies) for dtype. */
mx_idx_row_fn mx_idx_row_op(int op, mx_dtype dtype);
/* Runs fn over every row of a 2-operand iteration (operand 0: dst, 1: src; items of isz bytes). */
void mx_idx_run(const mx_strided *it, char *dst, const char *src, size_t isz, mx_idx_row_fn fn);

/* offs[p] += index(p) * stride for the positions p of idx in row-major order (idx any integer
 * dtype and layout). A negative index counts from the end (adds dim); then indices outside
 * [0, hi] are clamped into it, or, with drop, make offs[p] negative (INT64_MIN). */
void mx_idx_add_offsets(int64_t *offs, const mx_array *idx, int64_t dim, int64_t hi, int64_t stride,
                        bool drop);

#endif
