/* The quantization family through the public C API: quantize / dequantize (affine at every
 * bits and group size, the fp modes), quantized_matmul (qmv and tiled paths, transpose true and
 * false, float16), gather_qmm, to_fp8 / from_fp8, qqmm's error and bad arguments. References
 * are computed here in double precision from the packed format. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];
static mlx_stream cpu;

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static uint64_t rng = 88172645463325252ull;
static float urand(void) { /* in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (float)((double)(rng >> 11) / 4503599627370496.0 - 1.0);
}

static mlx_array rand_f32(int rows, int cols, float *keep) {
  float *v = malloc((size_t)rows * cols * sizeof(float));
  for (int i = 0; i < rows * cols; i++) v[i] = urand() * (1.0f + (float)(i / cols % 3));
  if (keep) memcpy(keep, v, (size_t)rows * cols * sizeof(float));
  mlx_array a = mlx_array_new_data(v, (int[]){rows, cols}, 2, MLX_FLOAT32);
  free(v);
  return a;
}

static const mlx_optional_int NO_INT = {0, false};
static const mlx_optional_dtype NO_DTYPE = {MLX_FLOAT32, false};
static mlx_optional_int oi(int v) {
  return (mlx_optional_int){v, true};
}

/* Code e of a packed row (LSB-first bitstream). */
static unsigned code_at(const uint32_t *row, int bits, int e) {
  unsigned v = 0;
  for (int b = 0; b < bits; b++) {
    int bit = e * bits + b;
    v |= ((row[bit / 32] >> (bit % 32)) & 1u) << b;
  }
  return v;
}

static double *eval_f64(mlx_array a) {
  mlx_array b = mlx_array_new();
  CHECK_OK(mlx_astype(&b, a, MLX_FLOAT64, cpu));
  CHECK_OK(mlx_array_eval(b));
  size_t n = mlx_array_size(b);
  double *out = malloc((n ? n : 1) * sizeof(double));
  const double *p = mlx_array_data_float64(b);
  if (p) memcpy(out, p, n * sizeof(double));
  mlx_array_free(b);
  return out;
}

/* quantize + dequantize at (bits, gs): codes and scales reproduce dequantize; error bounded. */
static void check_affine(int bits, int gs) {
  enum { R = 4, K = 256 };
  float w[R * K];
  mlx_array a = rand_f32(R, K, w);
  mlx_vector_array q = mlx_vector_array_new();
  CHECK_OK(mlx_quantize(&q, a, oi(gs), oi(bits), "affine", (mlx_array){0}, cpu));
  CHECK(mlx_vector_array_size(q) == 3);
  mlx_array wq = mlx_array_new(), sc = mlx_array_new(), bi = mlx_array_new(), d = mlx_array_new();
  mlx_vector_array_get(&wq, q, 0), mlx_vector_array_get(&sc, q, 1), mlx_vector_array_get(&bi, q, 2);
  CHECK(mlx_array_dtype(wq) == MLX_UINT32 && mlx_array_shape(wq)[1] == K * bits / 32);
  CHECK(mlx_array_shape(sc)[1] == K / gs && mlx_array_dtype(sc) == MLX_FLOAT32);
  CHECK_OK(mlx_dequantize(&d, wq, sc, bi, oi(gs), oi(bits), "affine", (mlx_array){0}, NO_DTYPE,
                          cpu));
  CHECK_OK(mlx_array_eval(wq));
  const uint32_t *wp = mlx_array_data_uint32(wq);
  double *dv = eval_f64(d), *sv = eval_f64(sc), *bv = eval_f64(bi);
  int W = K * bits / 32, G = K / gs;
  double worst_code = 0, worst_err = 0;
  for (int r = 0; r < R; r++)
    for (int e = 0; e < K; e++) {
      int g = e / gs;
      double ref = code_at(wp + r * W, bits, e) * sv[r * G + g] + bv[r * G + g];
      worst_code = fmax(worst_code, fabs(ref - dv[r * K + e]));
      double lo = INFINITY, hi = -INFINITY;
      for (int k = g * gs; k < (g + 1) * gs; k++) lo = fmin(lo, w[r * K + k]), hi = fmax(hi, w[r * K + k]);
      worst_err = fmax(worst_err, fabs(dv[r * K + e] - w[r * K + e]) / ((hi - lo) / ((1 << bits) - 1)));
    }
  CHECK(worst_code < 1e-5);
  CHECK(worst_err <= 1.0 + 1e-4);
  free(dv), free(sv), free(bv);
  mlx_array_free(a), mlx_array_free(wq), mlx_array_free(sc), mlx_array_free(bi), mlx_array_free(d);
  mlx_vector_array_free(q);
}

/* quantized_matmul against x @ dequantize(w)^T (or without ^T) in double. */
static void check_qmm(int M, int bits, bool transpose, mlx_dtype xt) {
  enum { K = 512, N = 96 };
  int wr = transpose ? N : K, wc = transpose ? K : N;
  mlx_array a32 = rand_f32(wr, wc, NULL), x = rand_f32(M, K, NULL), xc = mlx_array_new(),
            a = mlx_array_new();
  CHECK_OK(mlx_astype(&xc, x, xt, cpu));
  CHECK_OK(mlx_astype(&a, a32, xt, cpu)); /* scales and biases of x's dtype */
  mlx_vector_array q = mlx_vector_array_new();
  CHECK_OK(mlx_quantize(&q, a, oi(32), oi(bits), "affine", (mlx_array){0}, cpu));
  mlx_array wq = mlx_array_new(), sc = mlx_array_new(), bi = mlx_array_new(), d = mlx_array_new();
  mlx_array out = mlx_array_new();
  mlx_vector_array_get(&wq, q, 0), mlx_vector_array_get(&sc, q, 1), mlx_vector_array_get(&bi, q, 2);
  CHECK_OK(mlx_dequantize(&d, wq, sc, bi, oi(32), oi(bits), NULL, (mlx_array){0}, NO_DTYPE, cpu));
  CHECK_OK(mlx_quantized_matmul(&out, xc, wq, sc, bi, transpose, oi(32), oi(bits), "affine", cpu));
  CHECK(mlx_array_dtype(out) == xt);
  CHECK(mlx_array_ndim(out) == 2 && mlx_array_shape(out)[0] == M && mlx_array_shape(out)[1] == N);
  double *dv = eval_f64(d), *xv = eval_f64(xc), *ov = eval_f64(out);
  double worst = 0, tol = xt == MLX_FLOAT32 ? 1e-3 : 0.25;
  for (int m = 0; m < M; m++)
    for (int n = 0; n < N; n++) {
      double ref = 0;
      for (int k = 0; k < K; k++) ref += xv[m * K + k] * (transpose ? dv[n * K + k] : dv[k * N + n]);
      worst = fmax(worst, fabs(ref - ov[m * N + n]) / (1 + fabs(ref)));
    }
  CHECK(worst < tol);
  if (worst >= tol) fprintf(stderr, "  qmm M=%d bits=%d transpose=%d: error %g\n", M, bits, transpose, worst);
  free(dv), free(xv), free(ov);
  mlx_array arrs[] = {a32, a, x, xc, wq, sc, bi, d, out};
  for (int i = 0; i < 9; i++) mlx_array_free(arrs[i]);
  mlx_vector_array_free(q);
}

static void test_fp_modes(void) {
  const char *modes[] = {"mxfp4", "mxfp8", "nvfp4"};
  int gss[] = {32, 32, 16};
  for (int i = 0; i < 3; i++) {
    mlx_array a = rand_f32(4, 64, NULL), d = mlx_array_new(), wq = mlx_array_new(),
              sc = mlx_array_new();
    mlx_vector_array q = mlx_vector_array_new();
    CHECK_OK(mlx_quantize(&q, a, NO_INT, NO_INT, modes[i], (mlx_array){0}, cpu));
    CHECK(mlx_vector_array_size(q) == 2);
    mlx_vector_array_get(&wq, q, 0), mlx_vector_array_get(&sc, q, 1);
    CHECK(mlx_array_dtype(sc) == MLX_UINT8 && mlx_array_shape(sc)[1] == 64 / gss[i]);
    CHECK_OK(mlx_dequantize(&d, wq, sc, (mlx_array){0}, NO_INT, NO_INT, modes[i], (mlx_array){0},
                            NO_DTYPE, cpu));
    CHECK(mlx_array_dtype(d) == MLX_BFLOAT16);
    double *dv = eval_f64(d), *av = eval_f64(a), worst = 0, amax = 0;
    for (int k = 0; k < 256; k++) worst = fmax(worst, fabs(dv[k] - av[k])), amax = fmax(amax, fabs(av[k]));
    CHECK(worst / amax < 0.3);
    free(dv), free(av);
    mlx_array_free(a), mlx_array_free(d), mlx_array_free(wq), mlx_array_free(sc);
    mlx_vector_array_free(q);
  }
}

static void test_fp8(void) {
  float v[] = {0.0f, -0.0f, 1.0625f, 1.1875f, 448.0f, 500.0f, -1e6f, NAN, 0x1p-9f, 0x1p-10f, 0.0137f};
  uint8_t expect[] = {0, 128, 56, 58, 126, 126, 254, 126, 1, 0, 7};
  mlx_array a = mlx_array_new_data(v, (int[]){11}, 1, MLX_FLOAT32), f = mlx_array_new(),
            b = mlx_array_new();
  CHECK_OK(mlx_to_fp8(&f, a, cpu));
  CHECK_OK(mlx_array_eval(f));
  CHECK(mlx_array_dtype(f) == MLX_UINT8 && !memcmp(mlx_array_data_uint8(f), expect, 11));
  CHECK_OK(mlx_from_fp8(&b, f, MLX_FLOAT32, cpu));
  CHECK_OK(mlx_array_eval(b));
  const float *bv = mlx_array_data_float32(b);
  CHECK(bv && bv[2] == 1.0f && bv[3] == 1.25f && bv[4] == 448.0f && bv[6] == -448.0f &&
        bv[8] == 0x1p-9f);
  CHECK_FAIL(mlx_from_fp8(&b, a, MLX_FLOAT32, cpu));
  CHECK(strstr(last_msg, "[from_fp8] Input must have type uint8") != NULL);
  CHECK_FAIL(mlx_from_fp8(&b, f, MLX_INT32, cpu));
  mlx_array_free(a), mlx_array_free(f), mlx_array_free(b);
}

static void test_gather_qmm(void) {
  mlx_array w = rand_f32(3 * 16, 64, NULL), w3 = mlx_array_new();
  CHECK_OK(mlx_reshape(&w3, w, (int[]){3, 16, 64}, 3, cpu));
  mlx_vector_array q = mlx_vector_array_new();
  CHECK_OK(mlx_quantize(&q, w3, NO_INT, NO_INT, NULL, (mlx_array){0}, cpu));
  mlx_array wq = mlx_array_new(), sc = mlx_array_new(), bi = mlx_array_new();
  mlx_vector_array_get(&wq, q, 0), mlx_vector_array_get(&sc, q, 1), mlx_vector_array_get(&bi, q, 2);
  mlx_array x = rand_f32(2, 64, NULL), x3 = mlx_array_new(), out = mlx_array_new();
  CHECK_OK(mlx_reshape(&x3, x, (int[]){2, 1, 64}, 3, cpu));
  int32_t ri[2] = {2, 0};
  mlx_array rhs = mlx_array_new_data(ri, (int[]){2}, 1, MLX_INT32);
  CHECK_OK(mlx_gather_qmm(&out, x3, wq, sc, bi, (mlx_array){0}, rhs, true, NO_INT, NO_INT, NULL,
                          false, cpu));
  CHECK(mlx_array_ndim(out) == 3 && mlx_array_shape(out)[0] == 2 && mlx_array_shape(out)[2] == 16);
  /* row 0 uses matrix 2: compare with quantized_matmul on that slice */
  mlx_array w2 = mlx_array_new(), s2 = mlx_array_new(), b2 = mlx_array_new(), x0 = mlx_array_new(),
            ref = mlx_array_new(), idx = mlx_array_new_int(2), i0 = mlx_array_new_int(0);
  CHECK_OK(mlx_take_axis(&w2, wq, idx, 0, cpu));
  CHECK_OK(mlx_take_axis(&s2, sc, idx, 0, cpu));
  CHECK_OK(mlx_take_axis(&b2, bi, idx, 0, cpu));
  CHECK_OK(mlx_take_axis(&x0, x3, i0, 0, cpu));
  CHECK_OK(mlx_quantized_matmul(&ref, x0, w2, s2, b2, true, NO_INT, NO_INT, NULL, cpu));
  double *o = eval_f64(out), *r = eval_f64(ref), worst = 0;
  for (int k = 0; k < 16; k++) worst = fmax(worst, fabs(o[k] - r[k]));
  CHECK(worst < 1e-5);
  free(o), free(r);
  mlx_array arrs[] = {w, w3, wq, sc, bi, x, x3, out, rhs, w2, s2, b2, x0, ref, idx, i0};
  for (int i = 0; i < 16; i++) mlx_array_free(arrs[i]);
  mlx_vector_array_free(q);
}

static void test_errors(void) {
  mlx_array a = rand_f32(4, 64, NULL), bad = rand_f32(4, 60, NULL), r = mlx_array_new();
  mlx_vector_array q = mlx_vector_array_new();
  mlx_array none = {0};
  CHECK_FAIL(mlx_quantize(&q, bad, NO_INT, NO_INT, NULL, none, cpu));
  CHECK(strstr(last_msg, "divisible by the quantization group size 64") != NULL);
  CHECK_FAIL(mlx_quantize(&q, a, NO_INT, oi(7), NULL, none, cpu));
  CHECK(strstr(last_msg, "The requested number of bits 7 is not supported") != NULL);
  CHECK_FAIL(mlx_quantize(&q, a, oi(16), NO_INT, NULL, none, cpu));
  CHECK(strstr(last_msg, "The requested group size 16 is not supported") != NULL);
  CHECK_FAIL(mlx_quantize(&q, a, NO_INT, NO_INT, "int3", none, cpu));
  CHECK(strstr(last_msg, "Invalid quantization mode 'int3'") != NULL);
  CHECK_OK(mlx_quantize(&q, a, NO_INT, NO_INT, NULL, none, cpu));
  mlx_array wq = mlx_array_new(), sc = mlx_array_new();
  mlx_vector_array_get(&wq, q, 0), mlx_vector_array_get(&sc, q, 1);
  CHECK_FAIL(mlx_quantized_matmul(&r, a, wq, sc, none, true, NO_INT, NO_INT, NULL, cpu));
  CHECK(strstr(last_msg, "Biases must be provided for affine quantization") != NULL);
  CHECK_FAIL(mlx_dequantize(&r, wq, sc, none, NO_INT, NO_INT, NULL, none, NO_DTYPE, cpu));
  CHECK_FAIL(mlx_qqmm(&r, a, a, none, NO_INT, NO_INT, NULL, none, none, cpu));
  CHECK(strstr(last_msg, "[QQMatmul] NYI for the general case") != NULL);
  CHECK_FAIL(mlx_to_fp8(&r, wq, cpu));
  CHECK(strstr(last_msg, "[to_fp8] Only real floating types are supported") != NULL);
  mlx_array_free(a), mlx_array_free(bad), mlx_array_free(r), mlx_array_free(wq), mlx_array_free(sc);
  mlx_vector_array_free(q);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  int bits[] = {1, 2, 3, 4, 5, 6, 8}, gss[] = {32, 64, 128};
  for (int b = 0; b < 7; b++)
    for (int g = 0; g < 3; g++) check_affine(bits[b], gss[g]);
  int ms[] = {1, 3, 8, 20};
  for (int i = 0; i < 4; i++)
    for (int b = 0; b < 7; b++) {
      check_qmm(ms[i], bits[b], true, MLX_FLOAT32);
      check_qmm(ms[i], bits[b], false, MLX_FLOAT32);
    }
  check_qmm(1, 4, true, MLX_FLOAT16);
  check_qmm(12, 4, true, MLX_BFLOAT16);
  test_fp_modes();
  test_fp8();
  test_gather_qmm();
  test_errors();
  mlx_stream_free(cpu);
}
