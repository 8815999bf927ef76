/* AVX-512 quicksort and quickselect of 32-bit unsigned keys (sort_simd.c); sort.c maps every
 * 32-bit dtype to such keys. Each returns false, doing nothing, on a CPU without AVX-512. */
#ifndef MX_BACKEND_CPU_SORT_SIMD_H
#define MX_BACKEND_CPU_SORT_SIMD_H
#include <stdbool.h>
#include <stdint.h>

bool mx_sort_simd_available(void);
/* Sorts k[0, n) ascending in place; a row of 2^19 or more is split over the worker pool. */
bool mx_sort_u32_simd(uint32_t *k, int64_t n);
/* Moves the kth smallest key to k[kth], keys <= it before, keys >= it after (0 <= kth < n). */
bool mx_select_u32_simd(uint32_t *k, int64_t n, int64_t kth);
/* The same with the recursion depth capped at depth levels, past which heapsort takes over (the
 * functions above cap it at about 2 log2 n); for tests of that fallback. */
bool mx_sort_u32_simd_capped(uint32_t *k, int64_t n, int depth);
bool mx_select_u32_simd_capped(uint32_t *k, int64_t n, int64_t kth, int depth);

#endif
