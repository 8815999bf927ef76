/* A/B of two settings of an environment variable in one process: n x n bfloat16 (or float16)
 * products through the mlx-c API, the variable set to A and to B on alternate products (ABBA
 * order), so that both see the same load on a shared machine. For kernels that read a setting at
 * each call: a temporary build that reads a toggle (say MX_X) from the environment.
 *
 *   cc -O2 -Iinclude -Ibench bench/gemm_ab.c <build>/libmlxc.a -lopenblas -ljson-c -lzip -lm \
 *      -lpthread -ldl -o /tmp/gemm_ab && /tmp/gemm_ab 2048 MX_X - 1 [pairs] [float16]
 *
 * A value "-" leaves the variable unset. Prints each setting's median ms and GFLOP/s and the
 * median (and quartiles) of the per-pair ratio B / A. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "mlx/c/mlx.h"

static void set(const char *var, const char *v) {
  if (strcmp(v, "-"))
    setenv(var, v, 1);
  else
    unsetenv(var);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s n VAR A B [pairs] [float16]\n", argv[0]);
    return 2;
  }
  int n = atoi(argv[1]), pairs = argc > 5 ? atoi(argv[5]) : 40;
  const char *var = argv[2], *val[2] = {argv[3], argv[4]};
  mlx_dtype dt = argc > 6 && !strcmp(argv[6], "float16") ? MLX_FLOAT16 : MLX_BFLOAT16;
  if (pairs < 1 || pairs > 256 || n < 1) return 2;
  mlx_stream s = mlx_default_cpu_stream_new();
  int shape[2] = {n, n};
  mlx_array a = mlx_array_new(), b = mlx_array_new(), out = mlx_array_new(), none = mlx_array_new();
  if (mlx_random_normal(&a, shape, 2, dt, 0, 1, none, s) ||
      mlx_random_normal(&b, shape, 2, dt, 0, 1, none, s) || mlx_array_eval(a) || mlx_array_eval(b))
    return 1;
  double t[2][256], ratio[256];
  for (int w = 0; w < 6; w++) { /* warm-up, both settings */
    set(var, val[w & 1]);
    if (mlx_matmul(&out, a, b, s) || mlx_array_eval(out)) return 1;
  }
  for (int i = 0; i < pairs; i++) {
    for (int j = 0; j < 2; j++) {
      int which = j ^ (i & 1);
      set(var, val[which]);
      double t0 = now_ms();
      if (mlx_matmul(&out, a, b, s) || mlx_array_eval(out)) return 1;
      t[which][i] = now_ms() - t0;
    }
    ratio[i] = t[1][i] / t[0][i];
  }
  qsort(t[0], (size_t)pairs, sizeof(double), cmp_double);
  qsort(t[1], (size_t)pairs, sizeof(double), cmp_double);
  qsort(ratio, (size_t)pairs, sizeof(double), cmp_double);
  double gflop = 2.0 * n * n * (double)n * 1e-9;
  for (int k = 0; k < 2; k++)
    printf("%s=%s: %.3f ms %.0f GFLOP/s\n", var, val[k], t[k][pairs / 2],
           gflop / t[k][pairs / 2] * 1e3);
  printf("B/A: median %.3f, quartiles %.3f %.3f (%d pairs, n = %d)\n", ratio[pairs / 2],
         ratio[pairs / 4], ratio[3 * pairs / 4], pairs, n);
  mlx_array_free(a);
  mlx_array_free(b);
  mlx_array_free(out);
  mlx_array_free(none);
  mlx_stream_free(s);
  return 0;
}
