/* Nanoseconds per element of ew_math.h's float erf and exp (the eager kernels' and the fused
 * kernels' versions) on one core, over 1000-element rows that stay in L1: the arithmetic floor
 * of a fused GELU chain. bench/compile.py builds and runs it:
 *   cc -O3 -march=native -fno-math-errno -fno-trapping-math -Isrc bench/ew_math_cost.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "backend/cpu/ew_math.h"

__attribute__((noinline)) static void k_erf(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = ew_erff(x[i]);
}
__attribute__((noinline)) static void k_exp(const float *x, float *y, int n) {
  for (int i = 0; i < n; i++) y[i] = ew_expf(x[i]);
}

static double ns_per_element(void (*k)(const float *, float *, int), const float *x, float *y,
                             int n, int reps) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int r = 0; r < reps; r++) k(x, y, n);
  clock_gettime(CLOCK_MONOTONIC, &b);
  return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / ((double)n * reps);
}

int main(void) {
  enum { N = 1000, REPS = 20000 };
  static float x[N], y[N];
  for (int i = 0; i < N; i++) x[i] = (float)(i % 17) * 0.3f - 2.8f;
  printf("erf %.3f\nexp %.3f\n", ns_per_element(k_erf, x, y, N, REPS),
         ns_per_element(k_exp, x, y, N, REPS));
  return 0;
}
