/* The AVX-512 quicksort of uint32 and uint64 keys (sort_simd.c) against qsort: sizes around the
 * sorting networks' runs (one to 16 vectors) and the partition's register blocks, inputs that
 * break naive quicksorts (sorted, reversed, all equal, two values, the largest key, a sawtooth),
 * the pooled split of long rows, and the heapsort fallback past a capped depth. Skipped on CPUs
 * without AVX-512. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/sort_simd.h"
#include "harness.h"

static uint64_t state = 88172645463325252ull;
static uint32_t next_random(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (uint32_t)(state >> 11);
}

static int by_value32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int by_value64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* a key of the width whose largest key is `ones` */
enum { NDIST = 8 };
static uint64_t draw(int dist, int64_t i, int64_t n, uint64_t ones) {
  uint64_t v = ((uint64_t)next_random() << 32 | next_random()) & ones;
  switch (dist) {
  case 0:
    return v;
  case 1:
    return v % 7; /* few distinct keys */
  case 2:
    return (uint64_t)i; /* sorted */
  case 3:
    return (uint64_t)(n - i); /* reversed */
  case 4:
    return v & 1 ? ones : 0; /* the extremes only */
  case 5:
    return 5; /* all equal */
  case 6:
    return (uint64_t)(i % 97); /* sawtooth */
  default:
    return i % 100 ? ones : v; /* mostly the largest key */
  }
}

/* depth < 0: the library's own depth cap */
#define CHECK_SIZE(NAME, T, BY_VALUE, SORT, SORT_CAPPED)                                           \
  static void NAME(int64_t n, int depth) {                                                         \
    T *a = malloc((size_t)(n + 1) * sizeof(T)), *want = malloc((size_t)(n + 1) * sizeof(T));       \
    for (int dist = 0; dist < NDIST; dist++) {                                                     \
      for (int64_t i = 0; i < n; i++) a[i] = (T)draw(dist, i, n, (T) ~(T)0);                       \
      memcpy(want, a, (size_t)n * sizeof(T));                                                      \
      qsort(want, (size_t)n, sizeof(T), BY_VALUE);                                                 \
      CHECK(depth < 0 ? SORT(a, n) : SORT_CAPPED(a, n, depth));                                    \
      CHECK(memcmp(a, want, (size_t)n * sizeof(T)) == 0);                                          \
    }                                                                                              \
    free(a);                                                                                       \
    free(want);                                                                                    \
  }
CHECK_SIZE(check_size32, uint32_t, by_value32, mx_sort_u32_simd, mx_sort_u32_simd_capped)
CHECK_SIZE(check_size64, uint64_t, by_value64, mx_sort_u64_simd, mx_sort_u64_simd_capped)

static void check_size(int64_t n, int depth) {
  check_size32(n, depth);
  check_size64(n, depth);
}

void run_tests(void) {
  uint32_t probe = 0;
  if (!mx_sort_u32_simd(&probe, 1)) return; /* no AVX-512 here */
  const int64_t sizes[] = {
      0,   1,   2,   7,   8,    9,    15,    16,    17,    31,     32,
      33,  64,  65,  127, 128,  129,  255,   256,   257,   258,    300,
      511, 512, 513, 777, 1000, 4097, 65535, 65536, 65537, 100003, (1 << 19) + 5};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) check_size(sizes[i], -1);
  /* past the depth cap, heapsort: at once, and after a few levels */
  check_size(5000, 0);
  check_size(5000, 2);
  check_size(70000, 1);
}
