/* AVX-512 quicksort of 32- and 64-bit unsigned keys and stable three-way partition of 32-bit values
 * (sort_simd.c) for sort.c. Each returns false, doing nothing, on a CPU without AVX-512. */
#ifndef MX_BACKEND_CPU_SORT_SIMD_H
#define MX_BACKEND_CPU_SORT_SIMD_H
#include <stdbool.h>
#include <stdint.h>

bool mx_sort_simd_available(void);
/* Sorts k[0, n) ascending in place; a row of 2^16 keys or more is split over the worker pool. */
bool mx_sort_u32_simd(uint32_t *k, int64_t n);
bool mx_sort_u64_simd(uint64_t *k, int64_t n);
/* One index range of a stable three-way partition of 32-bit values by their keys: x[i] (or i,
 * with indices) goes to y[pos[0]++] when its key is below pivot, y[pos[1]++] when equal,
 * y[pos[2]++] when above; positions below first are dropped and y[0] is position first (TOPK
 * keeps the last ones). kind: a value's key is the value (0), the value with its sign bit
 * flipped (1, int32), or float32's key (2: see sort.c). x and y contiguous. */
typedef struct {
  uint32_t pivot;
  int kind;
  bool indices;
  int64_t first;
  int64_t pos[3];
} mx_part3;
bool mx_part3_u32_simd(const uint32_t *x, int64_t i0, int64_t i1, uint32_t *y, mx_part3 *p);

/* mx_sort_u32_simd with the recursion depth capped at depth levels, past which heapsort takes
 * over (mx_sort_u32_simd caps it at about 2 log2 n); for tests of that fallback. */
bool mx_sort_u32_simd_capped(uint32_t *k, int64_t n, int depth);
bool mx_sort_u64_simd_capped(uint64_t *k, int64_t n, int depth);

#endif
