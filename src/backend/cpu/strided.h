/* Shared helpers of the CPU kernels:
 *   - N-d strided iteration: adjacent dimensions that are contiguous in all operands collapse into
 *     one; the kernels loop over the outer index (an odometer) with the innermost dimension as a
 *     tight typed loop.
 *   - inline, branch-free (vectorizable) float16/bfloat16 conversions, bit-identical to
 *     mx_f16_to_f32 / mx_f32_to_f16 / mx_f32_to_bf16 of core/dtype.c (which are out of line).
 *   - dtype conversion entry points implemented in copy.c, shared with reduce.c and matmul.c.
 */
#ifndef MX_BACKEND_CPU_STRIDED_H
#define MX_BACKEND_CPU_STRIDED_H

#include <stdint.h>
#include <string.h>

#include "core/array.h"
#include "core/dtype.h"
#include "backend/cpu/half.h"

/* ---- strided iteration ---- */

#define MX_STRIDED_MAX_OPS 3

typedef struct {
  int ndim; /* >= 1 after mx_strided_init */
  int nops;
  int64_t size; /* total number of elements */
  int64_t shape[MX_MAX_NDIM];
  int64_t strides[MX_STRIDED_MAX_OPS][MX_MAX_NDIM]; /* in elements */
} mx_strided;

/* Drops size-1 dimensions and merges adjacent ones that are contiguous in every operand.
 * strides[k] are operand k's strides (elements) for `shape`. Returns the element count. A size-0
 * shape gives ndim 1, shape {0}; a scalar gives ndim 1, shape {1}, strides 0. */
static inline int64_t mx_strided_init(mx_strided *s, int ndim, const int32_t *shape, int nops,
                                      const int64_t *const *strides) {
  int64_t total = 1;
  for (int d = 0; d < ndim; d++) total *= shape[d];
  s->nops = nops;
  s->size = total;
  int n = 0;
  if (total != 0) {
    for (int d = 0; d < ndim; d++) {
      if (shape[d] == 1) continue;
      if (n > 0) {
        int ok = 1;
        for (int k = 0; k < nops; k++)
          if (s->strides[k][n - 1] != strides[k][d] * (int64_t)shape[d]) ok = 0;
        if (ok) {
          s->shape[n - 1] *= shape[d];
          for (int k = 0; k < nops; k++) s->strides[k][n - 1] = strides[k][d];
          continue;
        }
      }
      s->shape[n] = shape[d];
      for (int k = 0; k < nops; k++) s->strides[k][n] = strides[k][d];
      n++;
    }
  }
  if (n == 0) {
    s->shape[0] = total == 0 ? 0 : 1;
    for (int k = 0; k < nops; k++) s->strides[k][0] = 0;
    n = 1;
  }
  s->ndim = n;
  return total;
}

/* Position over the outer dimensions (all but the innermost). */
typedef struct {
  int64_t off[MX_STRIDED_MAX_OPS]; /* element offsets of the current inner row */
  int64_t idx[MX_MAX_NDIM];
} mx_strided_pos;

static inline void mx_strided_pos_init(const mx_strided *s, mx_strided_pos *p) {
  for (int k = 0; k < MX_STRIDED_MAX_OPS; k++) p->off[k] = 0;
  for (int d = 0; d < s->ndim; d++) p->idx[d] = 0;
}

/* Number of inner rows (product of the outer dims) and the inner length. */
static inline int64_t mx_strided_inner(const mx_strided *s) {
  return s->shape[s->ndim - 1];
}
static inline int64_t mx_strided_rows(const mx_strided *s) {
  int64_t inner = s->shape[s->ndim - 1];
  return inner == 0 ? 0 : s->size / inner;
}

/* Advances to the next inner row. */
static inline void mx_strided_next(const mx_strided *s, mx_strided_pos *p) {
  for (int d = s->ndim - 2; d >= 0; d--) {
    for (int k = 0; k < s->nops; k++) p->off[k] += s->strides[k][d];
    if (++p->idx[d] < s->shape[d]) return;
    for (int k = 0; k < s->nops; k++) p->off[k] -= s->strides[k][d] * s->shape[d];
    p->idx[d] = 0;
  }
}

/* Row-contiguous strides of shape (elements); returns the element count. */
static inline int64_t mx_strided_row_strides(int ndim, const int32_t *shape, int64_t *strides) {
  int64_t st = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    strides[d] = st;
    st *= shape[d];
  }
  return st;
}

/* True when a is row-contiguous starting at its element 0 (a size <= 1 array always is). */
static inline int mx_strided_is_row_contig(const mx_array *a) {
  return a->size <= 1 || (a->flags & MX_ROW_CONTIGUOUS);
}

/* ---- conversions implemented in copy.c ---- */

/* dst[i * dstride] = convert(src[i * sstride]) for i < n (strides in elements). dst and src may
 * be the same memory only when they coincide exactly (same pointer, stride and item size). */
void mx_cpu_convert(const void *src, mx_dtype st, int64_t sstride, void *dst, mx_dtype dt,
                    int64_t dstride, int64_t n);

/* The copy of 4-byte elements over s (operand di: dst, unit stride along the last dim; si: src,
 * unit stride along the second to last): a transposing copy, over the worker threads. */
void mx_cpu_transpose4(const mx_strided *s, int di, int si, void *dst, const void *src);

/* Copies an N-d strided view (src, st, shape, element strides) into the row-contiguous buffer
 * dst of dtype dt, converting. Never fails. */
void mx_cpu_copy_strided(void *dst, mx_dtype dt, const void *src, mx_dtype st, int ndim,
                         const int32_t *shape, const int64_t *strides);

#endif
