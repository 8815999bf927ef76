/* One core's time per element of a generated fused kernel (the GELU -> layer norm -> softmax
 * chain of bench/compile.py), calling its row function directly on rows of 1000 floats:
 *
 *   MLXC_KERNEL_CACHE=/tmp/kc PYTHONPATH=<build>/python python -c "import sys; \
 *     sys.path.insert(0, 'bench'); import compile as c, mlx.core as mx; \
 *     mx.eval(mx.compile(c.chain_fn(mx))(mx.random.normal((10, 1000))))"
 *   cc -O2 bench/fused_row.c -o /tmp/fused_row -ldl && /tmp/fused_row /tmp/kc/k*.so [rows]
 *
 * rows (default 64) of input and output: 64 stay in L2, 30000 stream from memory. Prints the
 * minimum over 200 calls (5 for more than 1000 rows) in ns per element. The row function's
 * contract is in src/backend/cpu/fused.c; the chain's inputs are x and two copies of 1 / 1000
 * (the means' scale). */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void (*row_fn)(int64_t d, int64_t nrows, void *const *in, const int64_t *stride,
                       const int64_t *rstride, void *const *out, void *scratch);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s kernel.so [rows]\n", argv[0]);
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW);
  row_fn fn = lib ? (row_fn)dlsym(lib, "mx_fused_row") : NULL;
  if (!fn) {
    fprintf(stderr, "%s: no mx_fused_row (%s)\n", argv[1], dlerror());
    return 1;
  }
  int64_t d = 1000, rows = argc > 2 ? atoll(argv[2]) : 64;
  float *x = aligned_alloc(64, (size_t)(rows * d * 4)),
        *y = aligned_alloc(64, (size_t)(rows * d * 4));
  float *scratch = aligned_alloc(64, (size_t)(8 * d * 4)), inv_d = 1.0f / (float)d;
  if (!x || !y || !scratch) return 1;
  srand(1);
  for (int64_t i = 0; i < rows * d; i++)
    x[i] = ((float)rand() / (float)RAND_MAX - 0.5f) * 6, y[i] = 0;
  void *in[3] = {x, &inv_d, &inv_d}, *out[1] = {y};
  int64_t stride[3] = {1, 0, 0}, rstride[4] = {d * 4, 0, 0, d * 4};
  double best = 1e9;
  for (int it = 0; it < (rows > 1000 ? 5 : 200); it++) {
    double t0 = now();
    fn(d, rows, in, stride, rstride, out, scratch);
    double t = now() - t0;
    if (t < best) best = t;
  }
  double row0 = 0;
  for (int64_t j = 0; j < d; j++) row0 += y[j];
  printf("%.3f ns per element (%lld rows; row 0 sums to %.6f)\n", best * 1e9 / (double)(rows * d),
         (long long)rows, row0);
  return 0;
}
