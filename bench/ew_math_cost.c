/* Nanoseconds per element of float erf and exp on one core, over 1000-element rows that stay in
 * L1: the arithmetic floor of a fused GELU chain (ew_vec512.h's AVX-512 versions, which eager
 * and fused kernels use on such CPUs; elsewhere ew_math.h's). bench/compile.py builds and runs
 * it:
 *   cc -O3 -march=native -fno-math-errno -fno-trapping-math -Isrc bench/ew_math_cost.c
 * With --all: every float function, ew_math.h's scalar code (compiler-vectorized) next to
 * ew_vec512.h's AVX-512 version (the figures quoted in docs/BENCHMARKS.md), over normal(0, 1)
 * inputs (mapped into each function's domain); the binary pow (|x| + 1 to the power of normal
 * y) and logaddexp after them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <math.h>
#include <string.h>

#include "backend/cpu/ew_math.h"
#include "backend/cpu/ew_vec512.h"

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
  return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
         ((double)n * reps);
}

/* --all: scalar and AVX-512 loops per function over x (mapped by DOM) into y */
#define DOM_ALL(x) (x)
#define DOM_POS(x) (fabsf(x) + 0.01f)
#define DOM_GE1(x) (fabsf(x) + 1.0f)
#define DOM_UNIT(x) ((x)*0.3f)
#define FUNCS(X)                                                                                   \
  X(exp, ew_expf, v16_exp, DOM_ALL)                                                                \
  X(expm1, ew_expm1f, v16_expm1, DOM_ALL) X(log, ew_logf, v16_log, DOM_POS)                        \
      X(log1p, ew_log1pf, v16_log1p, DOM_POS) X(sigmoid, ew_sigmoidf, v16_sigmoid, DOM_ALL)        \
          X(tanh, ew_tanhf, v16_tanh, DOM_ALL) X(sinh, ew_sinhf, v16_sinh, DOM_ALL)                \
              X(sin, ew_sinf, v16_sin, DOM_ALL) X(cos, ew_cosf, v16_cos, DOM_ALL)                  \
                  X(tan, ew_tanf, v16_tan, DOM_ALL) X(erf, ew_erff, v16_erf, DOM_ALL)              \
                      X(erfinv, ew_erfinvf, v16_erfinv, DOM_UNIT)                                  \
                          X(asinh, ew_asinhf, v16_asinh, DOM_ALL)                                  \
                              X(acosh, ew_acoshf, v16_acosh, DOM_GE1)                              \
                                  X(atanh, ew_atanhf, v16_atanh, DOM_UNIT)                         \
                                      X(asin, ew_asinf, v16_asin, DOM_UNIT)                        \
                                          X(acos, ew_acosf, v16_acos, DOM_UNIT)

#define SCALAR_KERNEL(NAME, S, V, DOM)                                                             \
  __attribute__((noinline)) static void s_##NAME(const float *x, float *y, int n) {                \
    for (int i = 0; i < n; i++) y[i] = S(x[i]);                                                    \
  }
FUNCS(SCALAR_KERNEL)
#if EW_HAVE_VEC512
#define VECTOR_KERNEL(NAME, S, V, DOM)                                                             \
  EW_V16_TARGET __attribute__((noinline)) static void v_##NAME(const float *x, float *y, int n) {  \
    for (int i = 0; i < n; i += 16) _mm512_storeu_ps(y + i, V(_mm512_loadu_ps(x + i)));            \
  }
FUNCS(VECTOR_KERNEL)
#endif

/* binary functions: BIN_X, BIN_Y hold their two inputs */
static float BIN_X[1024], BIN_Y[1024];
#define BINARY(X) X(pow, ew_powf, v16_pow) X(logaddexp, ew_logaddexpf, v16_logaddexp)
#define SCALAR_BINARY(NAME, S, V)                                                                  \
  __attribute__((noinline)) static void s2_##NAME(const float *x, float *y, int n) {               \
    for (int i = 0; i < n; i++) y[i] = S(x[i], BIN_Y[i]);                                          \
  }
BINARY(SCALAR_BINARY)
#if EW_HAVE_VEC512
#define VECTOR_BINARY(NAME, S, V)                                                                  \
  EW_V16_TARGET __attribute__((noinline)) static void v2_##NAME(const float *x, float *y, int n) { \
    for (int i = 0; i < n; i += 16)                                                                \
      _mm512_storeu_ps(y + i, V(_mm512_loadu_ps(x + i), _mm512_loadu_ps(BIN_Y + i)));              \
  }
BINARY(VECTOR_BINARY)
#endif

static void all_functions(float *x, float *y, int n, int reps) {
  static float base[1024];
  for (int i = 0; i < n; i++) { /* normal(0, 1) by Box-Muller */
    double u1 = (rand() + 1.0) / (RAND_MAX + 2.0), u2 = rand() / (RAND_MAX + 1.0);
    base[i] = (float)(sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2));
  }
  int vec = 0;
#if EW_HAVE_VEC512
  vec = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
#endif
  printf("%-8s %10s %10s  (ns per element, one core, L1)\n", "function", "scalar", "avx512");
#define ROW(NAME, S, V, DOM)                                                                       \
  {                                                                                                \
    for (int i = 0; i < n; i++) x[i] = DOM(base[i]);                                               \
    double ts = ns_per_element(s_##NAME, x, y, n, reps), tv = 0.0;                                 \
    ROW_VEC(NAME)                                                                                  \
    printf("%-8s %10.3f %10.3f\n", #NAME, ts, tv);                                                 \
  }
#if EW_HAVE_VEC512
#define ROW_VEC(NAME)                                                                              \
  if (vec) tv = ns_per_element(v_##NAME, x, y, n, reps);
#else
#define ROW_VEC(NAME)
#endif
  FUNCS(ROW)
  for (int i = 0; i < n; i++) BIN_X[i] = fabsf(base[i]) + 1.0f, BIN_Y[i] = base[(i * 7 + 3) % n];
#define ROW2(NAME, S, V)                                                                           \
  {                                                                                                \
    double ts = ns_per_element(s2_##NAME, BIN_X, y, n, reps), tv = 0.0;                            \
    ROW2_VEC(NAME)                                                                                 \
    printf("%-8s %10.3f %10.3f\n", #NAME, ts, tv);                                                 \
  }
#if EW_HAVE_VEC512
#define ROW2_VEC(NAME)                                                                             \
  if (vec) tv = ns_per_element(v2_##NAME, BIN_X, y, n, reps);
#else
#define ROW2_VEC(NAME)
#endif
  BINARY(ROW2)
}

int main(int argc, char **argv) {
  enum { N = 1024, REPS = 20000 }; /* a multiple of 16 for the vector loops */
  static float x[N], y[N];
  if (argc > 1 && !strcmp(argv[1], "--all")) {
    all_functions(x, y, N, REPS / 4);
    return 0;
  }
  for (int i = 0; i < N; i++) x[i] = (float)(i % 17) * 0.3f - 2.8f;
  void (*erf_k)(const float *, float *, int) = k_erf, (*exp_k)(const float *, float *, int) = k_exp;
#if EW_HAVE_VEC512
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
    erf_k = v_erf, exp_k = v_exp;
#endif
  printf("erf %.3f\nexp %.3f\n", ns_per_element(erf_k, x, y, N, REPS),
         ns_per_element(exp_k, x, y, N, REPS));
  return 0;
}
