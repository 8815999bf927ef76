/* The fft family through the public C API (mlx/c/fft.h): every length (mixed radix and
 * Bluestein) against a direct DFT in double precision, inverse and real transforms, several
 * axes of strided inputs, norms, fftfreq / rfftfreq, fftshift / ifftshift, bad arguments. */
#include <complex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/fft.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];
static mlx_stream cpu;

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static uint64_t rng = 88172645463325252ull;
static double urand(void) { /* in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

/* Direct DFT of x (length n, stride 1) into y; sign -1 forward, +1 inverse (unscaled). */
static void dft(const double complex *x, double complex *y, int n, int sign) {
  for (int k = 0; k < n; k++) {
    double complex s = 0;
    for (int j = 0; j < n; j++) s += x[j] * cexp(sign * 2.0 * M_PI * I * (double)((int64_t)j * k % n) / n);
    y[k] = s;
  }
}

/* A complex64 array of n random values (kept in ref). */
static mlx_array rand_complex(const int *shape, int nd, double complex *ref) {
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= shape[i];
  float *v = malloc((size_t)(2 * n + 2) * sizeof(float));
  for (int64_t i = 0; i < 2 * n; i++) v[i] = (float)urand();
  for (int64_t i = 0; i < n; i++) ref[i] = v[2 * i] + I * (double)v[2 * i + 1];
  mlx_array a = mlx_array_new_data(v, shape, nd, MLX_COMPLEX64);
  free(v);
  return a;
}

/* Largest |got - want| over n complex values (got: complex64 array). */
static double max_err_c(mlx_array got, const double complex *want, int64_t n) {
  if (mlx_array_eval(got)) return INFINITY;
  const float *p = (const float *)mlx_array_data_complex64(got);
  if (!p) return INFINITY;
  double e = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = cabs(p[2 * i] + I * (double)p[2 * i + 1] - want[i]);
    e = d > e ? d : e;
  }
  return e;
}

static void test_lengths(void) {
  static const int lens[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 17, 30, 64, 97, 120, 210, 257, 1000};
  for (size_t t = 0; t < sizeof lens / sizeof *lens; t++) {
    int n = lens[t];
    double complex *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    mlx_array a = rand_complex(&n, 1, x), r = mlx_array_new();
    dft(x, y, n, -1);
    CHECK_OK(mlx_fft_fft(&r, a, n, 0, MLX_FFT_NORM_BACKWARD, cpu));
    double tol = 1e-5 * sqrt((double)n) * (1 + log((double)n));
    CHECK(max_err_c(r, y, n) <= tol);
    dft(x, y, n, 1);
    for (int k = 0; k < n; k++) y[k] /= n;
    CHECK_OK(mlx_fft_ifft(&r, a, n, -1, MLX_FFT_NORM_BACKWARD, cpu));
    CHECK(max_err_c(r, y, n) <= tol);
    mlx_array_free(a), mlx_array_free(r);
    free(x), free(y);
  }
}

/* fft2 over a transposed (strided) 6 x 10 input equals row then column DFTs. */
static void test_fft2_strided(void) {
  int shape[2] = {10, 6}, perm[2] = {1, 0};
  double complex x[60], t[60], y[60], col[10], out[10];
  mlx_array a = rand_complex(shape, 2, x), at = mlx_array_new(), r = mlx_array_new();
  CHECK_OK(mlx_transpose_axes(&at, a, perm, 2, cpu));
  /* at[i][j] = x[j * 6 + i], shape 6 x 10 */
  for (int i = 0; i < 6; i++) {
    for (int j = 0; j < 10; j++) col[j] = x[j * 6 + i];
    dft(col, out, 10, -1);
    for (int j = 0; j < 10; j++) t[i * 10 + j] = out[j];
  }
  for (int j = 0; j < 10; j++) {
    double complex c[6], o[6];
    for (int i = 0; i < 6; i++) c[i] = t[i * 10 + j];
    dft(c, o, 6, -1);
    for (int i = 0; i < 6; i++) y[i * 10 + j] = o[i];
  }
  CHECK_OK(mlx_fft_fft2(&r, at, NULL, 0, (int[]){-2, -1}, 2, MLX_FFT_NORM_BACKWARD, cpu));
  CHECK(max_err_c(r, y, 60) <= 1e-4);
  /* ortho: divided by sqrt(60) */
  for (int i = 0; i < 60; i++) y[i] /= sqrt(60.0);
  CHECK_OK(mlx_fft_fftn(&r, at, NULL, 0, (int[]){0, 1}, 2, MLX_FFT_NORM_ORTHO, cpu));
  CHECK(max_err_c(r, y, 60) <= 1e-5);
  mlx_array_free(a), mlx_array_free(at), mlx_array_free(r);
}

/* rfft keeps n / 2 + 1 values; irfft(rfft(x), n) gives x back, for even and odd n. */
static void test_real(void) {
  for (int n = 5; n <= 6; n++) {
    float v[6];
    double complex x[6], y[6];
    for (int i = 0; i < n; i++) v[i] = (float)urand(), x[i] = v[i];
    dft(x, y, n, -1);
    mlx_array a = mlx_array_new_data(v, &n, 1, MLX_FLOAT32), r = mlx_array_new(),
              b = mlx_array_new();
    CHECK_OK(mlx_fft_rfft(&r, a, n, 0, MLX_FFT_NORM_BACKWARD, cpu));
    CHECK(mlx_array_shape(r)[0] == n / 2 + 1);
    CHECK(max_err_c(r, y, n / 2 + 1) <= 1e-5);
    CHECK_OK(mlx_fft_irfft(&b, r, n, 0, MLX_FFT_NORM_BACKWARD, cpu));
    CHECK_OK(mlx_array_eval(b));
    CHECK(mlx_array_dtype(b) == MLX_FLOAT32 && mlx_array_shape(b)[0] == n);
    const float *p = mlx_array_data_float32(b);
    double e = 0;
    for (int i = 0; p && i < n; i++) e = fmax(e, fabs(p[i] - v[i]));
    CHECK(p && e <= 1e-5);
    mlx_array_free(a), mlx_array_free(r), mlx_array_free(b);
  }
}

/* Long lines (four-step plans; real ones through the half-length complex
 * plan, odd ones through Bluestein): sampled bins against a direct sum, and rfft -> irfft back. */
static void test_long(void) {
  static const int lens[] = {1 << 16, 59049, 65537, 65538};
  for (size_t t = 0; t < sizeof lens / sizeof *lens; t++) {
    int n = lens[t];
    float *v = malloc((size_t)n * sizeof(float));
    for (int i = 0; i < n; i++) v[i] = (float)urand();
    mlx_array a = mlx_array_new_data(v, &n, 1, MLX_FLOAT32), r = mlx_array_new(),
              b = mlx_array_new();
    CHECK_OK(mlx_fft_rfft(&r, a, n, 0, MLX_FFT_NORM_BACKWARD, cpu));
    CHECK_OK(mlx_array_eval(r));
    const float *y = (const float *)mlx_array_data_complex64(r);
    double e = 0;
    for (int k = 0; y && k <= n / 2; k += 997) {
      double complex s = 0;
      for (int j = 0; j < n; j++)
        s += v[j] * cexp(-2.0 * M_PI * I * (double)((int64_t)j * k % n) / n);
      e = fmax(e, cabs(y[2 * k] + I * (double)y[2 * k + 1] - s));
    }
    CHECK(y && e <= 1e-5 * sqrt((double)n) * log((double)n));
    CHECK_OK(mlx_fft_irfft(&b, r, n, 0, MLX_FFT_NORM_BACKWARD, cpu));
    CHECK_OK(mlx_array_eval(b));
    const float *p = mlx_array_data_float32(b);
    e = 0;
    for (int i = 0; p && i < n; i++) e = fmax(e, fabs(p[i] - v[i]));
    CHECK(p && e <= 1e-5);
    mlx_array_free(a), mlx_array_free(r), mlx_array_free(b);
    free(v);
  }
}

static void test_freq_shift(void) {
  mlx_array r = mlx_array_new();
  CHECK_OK(mlx_fft_fftfreq(&r, 5, 2.0, cpu));
  CHECK_OK(mlx_array_eval(r));
  const float *p = mlx_array_data_float32(r);
  static const float want[5] = {0.0f, 0.1f, 0.2f, -0.2f, -0.1f};
  for (int i = 0; p && i < 5; i++) CHECK_NEAR(p[i], want[i], 1e-7);
  CHECK_OK(mlx_fft_rfftfreq(&r, 5, 2.0, cpu));
  CHECK(mlx_array_size(r) == 3);
  int vals[5] = {0, 1, 2, 3, 4}, n = 5;
  mlx_array a = mlx_array_new_data(vals, &n, 1, MLX_INT32);
  CHECK_OK(mlx_fft_fftshift(&r, a, NULL, 0, cpu));
  CHECK_OK(mlx_array_eval(r));
  const int32_t *q = mlx_array_data_int32(r);
  CHECK(q && q[0] == 3 && q[2] == 0 && q[4] == 2);
  CHECK_OK(mlx_fft_ifftshift(&r, a, (int[]){0}, 1, cpu));
  CHECK_OK(mlx_array_eval(r));
  q = mlx_array_data_int32(r);
  CHECK(q && q[0] == 2 && q[3] == 0);
  mlx_array_free(a), mlx_array_free(r);
}

static void test_errors(void) {
  int n = 4;
  float v[4] = {1, 2, 3, 4};
  mlx_array a = mlx_array_new_data(v, &n, 1, MLX_FLOAT32), r = mlx_array_new();
  CHECK_FAIL(mlx_fft_fft(&r, a, 0, 0, MLX_FFT_NORM_BACKWARD, cpu));
  CHECK(strstr(last_msg, "[fft] Invalid FFT output size") != NULL);
  CHECK_FAIL(mlx_fft_fft(&r, a, 4, 2, MLX_FFT_NORM_BACKWARD, cpu));
  CHECK(strstr(last_msg, "[fft] Invalid axis") != NULL);
  CHECK_FAIL(mlx_fft_fftn(&r, a, NULL, 0, (int[]){0, 0}, 2, MLX_FFT_NORM_BACKWARD, cpu));
  CHECK(strstr(last_msg, "Duplicated axis") != NULL);
  CHECK_FAIL(mlx_fft_fftn(&r, a, (int[]){2, 3}, 2, (int[]){0}, 1, MLX_FFT_NORM_BACKWARD, cpu));
  CHECK(strstr(last_msg, "[fftn] Shape and axes have different sizes.") != NULL);
  CHECK_FAIL(mlx_fft_fft(&r, a, 4, 0, (mlx_fft_norm)7, cpu));
  CHECK_FAIL(mlx_fft_fftfreq(&r, 0, 1.0, cpu));
  CHECK(strstr(last_msg, "[fftfreq] `n` must be greater than 0.") != NULL);
  CHECK_FAIL(mlx_fft_rfftfreq(&r, 4, 0.0, cpu));
  CHECK_FAIL(mlx_fft_fftshift(&r, a, (int[]){3}, 1, cpu));
  CHECK_FAIL(mlx_fft_fft(NULL, a, 4, 0, MLX_FFT_NORM_BACKWARD, cpu));
  /* still works after the errors */
  CHECK_OK(mlx_fft_fft(&r, a, 4, 0, MLX_FFT_NORM_FORWARD, cpu));
  double complex want[4] = {10.0 / 4, (-2 + 2 * I) / 4, -2.0 / 4, (-2 - 2 * I) / 4};
  CHECK(max_err_c(r, want, 4) <= 1e-6);
  mlx_array_free(a), mlx_array_free(r);
}

/* Lines in lanes (FFT_LANES side by side): an R x C array along either axis (adjacent lines,
 * 16 x 16 tiles of contiguous lines, a partial batch in lanes or, of one or two lines, one line
 * at a time), complex and real (rfft then irfft back). */
static void test_lanes_shape(int R, int C) {
  int shape[2] = {R, C};
  size_t nv = (size_t)(R * C), nl = (size_t)(R + C);
  double complex *x = malloc(nv * sizeof *x), *y = malloc(nv * sizeof *y);
  double complex *line = malloc(nl * sizeof *line), *out = malloc(nl * sizeof *out);
  mlx_array a = rand_complex(shape, 2, x), r = mlx_array_new(), re = mlx_array_new(),
            back = mlx_array_new();
  for (int axis = 0; axis < 2; axis++) {
    int n = shape[axis], lines = shape[1 - axis];
    int64_t sa = axis ? 1 : C, sl = axis ? C : 1;
    for (int l = 0; l < lines; l++) {
      for (int k = 0; k < n; k++) line[k] = x[l * sl + k * sa];
      dft(line, out, n, -1);
      for (int k = 0; k < n; k++) y[l * sl + k * sa] = out[k];
    }
    CHECK_OK(mlx_fft_fft(&r, a, n, axis, MLX_FFT_NORM_BACKWARD, cpu));
    CHECK(max_err_c(r, y, R * C) <= 1e-4);
    CHECK_OK(mlx_real(&re, a, cpu));
    CHECK_OK(mlx_fft_rfft(&r, re, n, axis, MLX_FFT_NORM_BACKWARD, cpu));
    CHECK_OK(mlx_fft_irfft(&back, r, n, axis, MLX_FFT_NORM_BACKWARD, cpu));
    CHECK_OK(mlx_array_eval(back));
    const float *p = mlx_array_data_float32(back);
    double e = 0;
    for (int i = 0; p && i < R * C; i++) e = fmax(e, fabs(p[i] - creal(x[i])));
    CHECK(p && e <= 1e-5);
  }
  mlx_array_free(a), mlx_array_free(r), mlx_array_free(re), mlx_array_free(back);
  free(x), free(y), free(line), free(out);
}

/* 48 = 16 3 and 256 = 16 16: radix-16 stages; 18 and 33 lines: a last batch of two / one. */
static void test_lanes(void) {
  test_lanes_shape(20, 48);
  test_lanes_shape(18, 256);
  test_lanes_shape(33, 32);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_lengths();
  test_fft2_strided();
  test_real();
  test_lanes();
  test_long();
  test_freq_shift();
  test_errors();
  mlx_stream_free(cpu);
}
