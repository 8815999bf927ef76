/* Square matmul throughput through the mlx-c API: bfloat16 (AMX tiles where the CPU has them,
 * else vdpbf16ps / AVX-512) and float32 (OpenBLAS), median of 10 products, in GFLOP/s.
 * The instruction set is capped with MLXC_GEMM, the thread count with MLXC_CPU_THREADS (set
 * OPENBLAS_NUM_THREADS to the same for a float32 figure on as many threads); PyTorch's figures
 * for the same sizes: bench/torch_matmul.py.
 *
 *   cc -O2 -Iinclude bench/gemm_bf16.c <build>/libmlxc.a -lopenblas -ljson-c -lzip -lm \
 *      -lpthread -ldl -o /tmp/gemm_bf16 && /tmp/gemm_bf16 512 1024 2048 4096 1024x512
 *
 * A size n is n x n times n x n; nxk is n x k times k x n; mxkxn is m x k times k x n; a
 * trailing t makes the right operand W.T for a row-major W (n x k), a linear layer's x @ W.T
 * (e.g. 256x4096x4096t). Set BF16_ONLY=1 for the 16-bit row alone, with more products (30)
 * for A/B runs of two builds.
 *
 * HALF=float16 makes the 16-bit operands float16 instead (on AMX from 32 rows, as bfloat16 hi + lo
 * parts; MLXC_GEMM=avx512bf16 gives the AVX-512 kernel for comparison).
 *
 * Prints one line per size and dtype: "n dtype median_ms gflops rel_err", the error being the
 * largest difference from the float32 product of the same (bfloat16-rounded) inputs over that
 * product's largest entry; "bfloat16-a.T@b" is a.T @ b (a column-major left operand). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include "mlx/c/mlx.h"

/* Median milliseconds of reps products a @ b (each evaluated); *out keeps the last one. */
static double time_matmul(mlx_array a, mlx_array b, int reps, mlx_array *out, mlx_stream s) {
  double t[64];
  if (reps > 64) reps = 64;
  /* warm-up products for at least 0.3 s (the first product of a process also starts the worker
   * threads and faults in the workspace) */
  for (double t0 = now_ms(), r = 0; r < 3 || now_ms() - t0 < 300; r++)
    if (mlx_matmul(out, a, b, s) || mlx_array_eval(*out)) return -1;
  for (int r = 0; r < reps; r++) {
    double t0 = now_ms();
    if (mlx_matmul(out, a, b, s) || mlx_array_eval(*out)) return -1;
    t[r] = now_ms() - t0;
  }
  qsort(t, (size_t)reps, sizeof t[0], cmp_double);
  return t[reps / 2];
}

/* max |x - ref| / max |ref| over the two float32 arrays */
static double rel_err(mlx_array x, mlx_array ref, mlx_stream s) {
  mlx_array xf = mlx_array_new();
  if (mlx_astype(&xf, x, MLX_FLOAT32, s) || mlx_array_eval(xf)) return -1;
  const float *p = mlx_array_data_float32(xf), *q = mlx_array_data_float32(ref);
  size_t n = mlx_array_size(ref);
  double e = 0, m = 0;
  for (size_t i = 0; i < n; i++) {
    e = fmax(e, fabs((double)p[i] - (double)q[i]));
    m = fmax(m, fabs((double)q[i]));
  }
  mlx_array_free(xf);
  return m > 0 ? e / m : e;
}

int main(int argc, char **argv) {
  bool bf16_only = getenv("BF16_ONLY") && atoi(getenv("BF16_ONLY"));
  bool f16 = getenv("HALF") && !strcmp(getenv("HALF"), "float16");
  mlx_dtype half = f16 ? MLX_FLOAT16 : MLX_BFLOAT16;
  const char *hname = f16 ? "float16" : "bfloat16";
  int reps = bf16_only ? 30 : 10;
  mlx_stream s = mlx_default_cpu_stream_new();
  mlx_array key = mlx_array_new(), key2 = mlx_array_new();
  mlx_random_key(&key, 0);
  mlx_random_key(&key2, 1);
  for (int i = 1; i < argc; i++) {
    char *x = argv[i];
    int m = (int)strtol(x, &x, 10), k = *x == 'x' ? (int)strtol(x + 1, &x, 10) : m;
    int n = *x == 'x' ? (int)strtol(x + 1, &x, 10) : m;
    bool wt = *x == 't', square = m == k && k == n && !wt;
    int shape[2] = {m, k}, shape_b[2] = {k, n}, shape_w[2] = {n, k};
    if (m <= 0 || k <= 0 || n <= 0) continue;
    mlx_array a32 = mlx_array_new(), b32 = mlx_array_new(), a = mlx_array_new(),
              b = mlx_array_new(), ab = mlx_array_new(), ref = mlx_array_new();
    mlx_random_normal(&a, shape, 2, half, 0.0f, 1.0f, key, s);
    if (wt) {
      mlx_array w = mlx_array_new();
      mlx_random_normal(&w, shape_w, 2, half, 0.0f, 1.0f, key2, s);
      mlx_transpose(&b, w, s);
      mlx_array_free(w);
    } else {
      mlx_random_normal(&b, shape_b, 2, half, 0.0f, 1.0f, key2, s);
    }
    mlx_astype(&a32, a, MLX_FLOAT32, s);
    mlx_astype(&b32, b, MLX_FLOAT32, s);
    mlx_array_eval(a32);
    mlx_array_eval(b32);
    double flops = 2.0 * m * (double)n * k;
    /* bfloat16 first: OpenBLAS's threads keep spinning for a while after a float32 product */
    double t16 = time_matmul(a, b, reps, &ab, s);
    if (bf16_only) {
      printf("%s %s %.3f %.1f -\n", argv[i], hname, t16, flops / t16 / 1e6);
      fflush(stdout);
      mlx_array arr[] = {a32, b32, a, b, ab, ref};
      for (int j = 0; j < 6; j++) mlx_array_free(arr[j]);
      continue;
    }
    double t32 = time_matmul(a32, b32, reps, &ref, s);
    /* a.T @ b (the weight gradient's product): A column-major */
    mlx_array at = mlx_array_new(), atb = mlx_array_new();
    double tt = !square ? 0 : mlx_transpose(&at, a, s) ? -1 : time_matmul(at, b, reps, &atb, s);
    if (t32 < 0 || t16 < 0 || tt < 0) {
      fprintf(stderr, "matmul failed at %s\n", argv[i]);
      return 1;
    }
    printf("%s float32 %.3f %.1f 0\n", argv[i], t32, flops / t32 / 1e6);
    printf("%s %s %.3f %.1f %.2e\n", argv[i], hname, t16, flops / t16 / 1e6, rel_err(ab, ref, s));
    if (square) printf("%s %s-a.T@b %.3f %.1f -\n", argv[i], hname, tt, flops / tt / 1e6);
    fflush(stdout);
    mlx_array arr[] = {a32, b32, a, b, ab, ref, at, atb};
    for (int k = 0; k < 8; k++) mlx_array_free(arr[k]);
  }
  mlx_array_free(key);
  mlx_array_free(key2);
  mlx_stream_free(s);
  return 0;
}
