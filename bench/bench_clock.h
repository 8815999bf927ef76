/* Timing helpers shared by the C benchmarks in bench/ (header only: each benchmark still builds
 * with one cc command). */
#ifndef MLXC_BENCH_CLOCK_H
#define MLXC_BENCH_CLOCK_H

#include <time.h>

/* Monotonic time in milliseconds. */
static inline double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* qsort comparator for doubles (medians). */
static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

#endif
