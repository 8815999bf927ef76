/* The AVX-512 quicksort of sort_simd.c alone: 10^7 random uint32 and uint64 keys, on the threads
 * of the worker pool (MLXC_CPU_THREADS=1 for one), median of 7 sorts, ms. numpy's np.sort of
 * 10^7 float32 runs on one thread (bench/ops_ab.py has it beside ours).
 *
 *   cc -O2 -Isrc bench/sort_keys.c <build>/libmlxc.a -lopenblas -ljson-c -lzip -lm -lpthread \
 *      -ldl -o /tmp/sort_keys && MLXC_CPU_THREADS=1 /tmp/sort_keys */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/cpu/sort_simd.h"

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int by_time(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(void) {
  enum { N = 10000000, REPS = 7 };
  uint64_t s = 88172645463325252ull;
  uint32_t *k32 = malloc((size_t)N * 4), *w32 = malloc((size_t)N * 4);
  uint64_t *k64 = malloc((size_t)N * 8), *w64 = malloc((size_t)N * 8);
  if (!k32 || !w32 || !k64 || !w64) return 1;
  for (int i = 0; i < N; i++) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    k32[i] = (uint32_t)(s >> 11);
    k64[i] = s;
  }
  double t32[REPS], t64[REPS];
  for (int r = 0; r < REPS; r++) {
    memcpy(w32, k32, (size_t)N * 4);
    memcpy(w64, k64, (size_t)N * 8);
    double t0 = now_ms();
    if (!mx_sort_u32_simd(w32, N)) {
      puts("no AVX-512 here");
      return 0;
    }
    t32[r] = now_ms() - t0;
    t0 = now_ms();
    mx_sort_u64_simd(w64, N);
    t64[r] = now_ms() - t0;
  }
  qsort(t32, REPS, sizeof *t32, by_time);
  qsort(t64, REPS, sizeof *t64, by_time);
  printf("10^7 uint32 keys: %.1f ms\n10^7 uint64 keys: %.1f ms\n", t32[REPS / 2], t64[REPS / 2]);
  return 0;
}
