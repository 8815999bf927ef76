/* float32 products right after an idle moment, as in the turns of an interleaved benchmark
 * (bench/common.py): rounds of `idle` microseconds of sleep, then three products timed one by
 * one; medians over 12 rounds of the first, second and third product, for mlx_matmul (ours: the
 * product split into row blocks over our worker pool, OpenBLAS single-threaded in each) and for
 * cblas_sgemm called directly (OpenBLAS's own threads). With idle 0 the products run back to back.
 *
 *   cc -O2 -Iinclude bench/cold_matmul.c <build>/libmlxc.a -lopenblas -ljson-c -lzip -lm \
 *      -lpthread -ldl -o /tmp/cold_matmul && /tmp/cold_matmul [n] [idle_us]
 *
 * (OPENBLAS_NUM_THREADS sets OpenBLAS's threads; our pool takes MLXC_CPU_THREADS.) */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"
#include "mlx/c/mlx.h"

enum { ROUNDS = 12 };

typedef struct {
  int n;
  mlx_array a, b, out;
  mlx_stream s;
  float *A, *B, *C;
} product;

static int ours(product *p) {
  return mlx_matmul(&p->out, p->a, p->b, p->s) || mlx_array_eval(p->out);
}

static int openblas(product *p) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p->n, p->n, p->n, 1.0f, p->A, p->n, p->B,
              p->n, 0.0f, p->C, p->n);
  return 0;
}

static void report(const char *name, int (*fn)(product *), product *p, int idle_us) {
  double t[3][ROUNDS];
  for (int w = 0; w < 10; w++)
    if (fn(p)) return;
  for (int r = 0; r < ROUNDS; r++) {
    usleep((useconds_t)idle_us);
    for (int i = 0; i < 3; i++) {
      double t0 = now_ms();
      if (fn(p)) return;
      t[i][r] = now_ms() - t0;
    }
  }
  printf("%-9s", name);
  for (int i = 0; i < 3; i++) {
    qsort(t[i], ROUNDS, sizeof t[i][0], cmp_double);
    printf("  product %d: %.2f ms", i + 1, t[i][ROUNDS / 2]);
  }
  printf("\n");
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 512, idle_us = argc > 2 ? atoi(argv[2]) : 300000;
  if (n <= 0 || idle_us < 0) return 1;
  product p = {.n = n, .s = mlx_default_cpu_stream_new()};
  int shape[2] = {n, n};
  p.A = malloc((size_t)n * n * 4), p.B = malloc((size_t)n * n * 4), p.C = malloc((size_t)n * n * 4);
  if (!p.A || !p.B || !p.C) return 1;
  for (size_t i = 0; i < (size_t)n * n; i++) {
    p.A[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    p.B[i] = (float)rand() / (float)RAND_MAX - 0.5f;
  }
  p.a = mlx_array_new_data(p.A, shape, 2, MLX_FLOAT32);
  p.b = mlx_array_new_data(p.B, shape, 2, MLX_FLOAT32);
  p.out = mlx_array_new();
  printf("%d^3 float32, %d us idle before each round of three (medians of %d rounds)\n", n, idle_us,
         ROUNDS);
  report("mlxc", ours, &p, idle_us);
  report("OpenBLAS", openblas, &p, idle_us);
  mlx_array_free(p.a);
  mlx_array_free(p.b);
  mlx_array_free(p.out);
  mlx_stream_free(p.s);
  free(p.A);
  free(p.B);
  free(p.C);
  return 0;
}
