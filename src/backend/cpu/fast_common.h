/* Helpers shared by the fast family's CPU kernels (fast_norm.c, fast_rope.c, fast_sdpa.c):
 * rows of strided inputs read as float (float64 for float64 data) and written back. */
#ifndef MX_BACKEND_CPU_FAST_COMMON_H
#define MX_BACKEND_CPU_FAST_COMMON_H

#include "backend/cpu/elementwise.h"
#include "backend/cpu/strided.h"
#include "core/array.h"

/* Element offset of row r of a, a row being the last `rdims` axes (rows enumerate the others
 * in C order). */
static inline int64_t fast_row_offset(const mx_array *a, int64_t r, int rdims) {
  int64_t off = 0;
  for (int d = a->ndim - 1 - rdims; d >= 0 && r; d--) {
    int64_t i = r % a->shape[d];
    r /= a->shape[d];
    off += i * a->strides[d];
  }
  return off;
}

/* n elements of a starting at element offset off with stride st, as compute type ct (float32 or
 * float64): a pointer into a's data when no conversion is needed, otherwise into buf. */
static inline const void *fast_load(const mx_array *a, int64_t off, int64_t st, int64_t n,
                                    mx_dtype ct, void *buf) {
  const char *p = (const char *)mx_array_data(a) + off * (int64_t)mx_array_itemsize(a);
  if (a->dtype == ct && st == 1) return p;
  mx_cpu_convert(p, (mx_dtype)a->dtype, st, buf, ct, 1, n);
  return buf;
}

#endif
