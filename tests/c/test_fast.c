/* The fast family through the public C API: rms_norm, layer_norm, rope (both layouts, partial
 * dims, freqs, per-batch offsets), scaled_dot_product_attention (grouped heads, causal, boolean
 * and additive masks, sinks, half precision, strided inputs), errors and the custom kernel
 * stubs. References are computed here in double precision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/fast.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];
static mlx_stream cpu;

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double urand(void) { /* in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

static int64_t numel(const int *shape, int nd) {
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= shape[i];
  return n;
}

/* Random array of dtype dt; ref gets its values (as rounded to dt). */
static mlx_array rand_array(const int *shape, int nd, mlx_dtype dt, double *ref) {
  int64_t n = numel(shape, nd);
  double *v = malloc((size_t)n * sizeof(double));
  for (int64_t i = 0; i < n; i++) v[i] = urand();
  mlx_array f = mlx_array_new_data(v, shape, nd, MLX_FLOAT64), r = mlx_array_new();
  free(v);
  CHECK_OK(mlx_astype(&r, f, dt, cpu));
  mlx_array_free(f);
  mlx_array b = mlx_array_new();
  CHECK_OK(mlx_astype(&b, r, MLX_FLOAT64, cpu));
  CHECK_OK(mlx_array_eval(b));
  memcpy(ref, mlx_array_data_float64(b), (size_t)n * sizeof(double));
  mlx_array_free(b);
  return r;
}

/* Largest |a - ref| over n elements (a cast to float64). */
static double max_err(mlx_array a, const double *ref, int64_t n) {
  mlx_array b = mlx_array_new();
  double e = INFINITY;
  if (!mlx_astype(&b, a, MLX_FLOAT64, cpu) && !mlx_array_eval(b) &&
      (int64_t)mlx_array_size(b) == n) {
    const double *p = mlx_array_data_float64(b);
    e = 0;
    for (int64_t i = 0; i < n; i++) e = fmax(e, fabs(p[i] - ref[i]));
  }
  mlx_array_free(b);
  return e;
}

static double tol_of(mlx_dtype dt) {
  return dt == MLX_FLOAT32 ? 1e-5 : (dt == MLX_FLOAT16 ? 4e-3 : 3e-2);
}

/* ------------------------------------------------------------------ norms */

static void ref_norm(const double *x, const double *w, const double *b, int64_t rows, int D,
                     double eps, bool rms, double *out) {
  for (int64_t r = 0; r < rows; r++) {
    const double *v = x + r * D;
    double mean = 0, ss = 0;
    if (!rms) {
      for (int j = 0; j < D; j++) mean += v[j];
      mean /= D;
    }
    for (int j = 0; j < D; j++) ss += (v[j] - mean) * (v[j] - mean);
    double inv = 1.0 / sqrt(ss / D + eps);
    for (int j = 0; j < D; j++)
      out[r * D + j] = (v[j] - mean) * inv * (w ? w[j] : 1.0) + (b ? b[j] : 0.0);
  }
}

static void test_norms(void) {
  static const mlx_dtype dts[3] = {MLX_FLOAT32, MLX_FLOAT16, MLX_BFLOAT16};
  int shape[3] = {3, 5, 67}, D = 67;
  int64_t n = numel(shape, 3), rows = n / D;
  double *x = malloc(n * sizeof(double)), *ref = malloc(n * sizeof(double)), w[67], b[67];
  for (int t = 0; t < 3; t++) {
    mlx_array xa = rand_array(shape, 3, dts[t], x), wa = rand_array(&D, 1, dts[t], w),
              ba = rand_array(&D, 1, dts[t], b), r = mlx_array_new(), none = mlx_array_new();
    CHECK_OK(mlx_fast_rms_norm(&r, xa, wa, 1e-5f, cpu));
    ref_norm(x, w, NULL, rows, D, 1e-5, true, ref);
    CHECK(max_err(r, ref, n) < 4 * tol_of(dts[t]));
    CHECK(mlx_array_dtype(r) == dts[t]);
    CHECK_OK(mlx_fast_rms_norm(&r, xa, none, 1e-5f, cpu));
    ref_norm(x, NULL, NULL, rows, D, 1e-5, true, ref);
    CHECK(max_err(r, ref, n) < 4 * tol_of(dts[t]));
    CHECK_OK(mlx_fast_layer_norm(&r, xa, wa, ba, 1e-5f, cpu));
    ref_norm(x, w, b, rows, D, 1e-5, false, ref);
    CHECK(max_err(r, ref, n) < 4 * tol_of(dts[t]));
    CHECK_OK(mlx_fast_layer_norm(&r, xa, none, ba, 1e-5f, cpu));
    ref_norm(x, NULL, b, rows, D, 1e-5, false, ref);
    CHECK(max_err(r, ref, n) < 4 * tol_of(dts[t]));
    mlx_array_free(xa), mlx_array_free(wa), mlx_array_free(ba), mlx_array_free(r);
  }
  /* a transposed (strided) input: rows of x^T */
  int s2[2] = {40, 24};
  double xs[960], xt[960], rs[960];
  mlx_array xa = rand_array(s2, 2, MLX_FLOAT32, xs), xT = mlx_array_new(), r = mlx_array_new(),
            none = mlx_array_new();
  for (int i = 0; i < 40; i++)
    for (int j = 0; j < 24; j++) xt[j * 40 + i] = xs[i * 24 + j];
  CHECK_OK(mlx_transpose(&xT, xa, cpu));
  CHECK_OK(mlx_fast_layer_norm(&r, xT, none, none, 1e-6f, cpu));
  ref_norm(xt, NULL, NULL, 24, 40, 1e-6, false, rs);
  CHECK(max_err(r, rs, 960) < 1e-5);
  /* errors */
  int bad = 5;
  mlx_array wb = rand_array(&bad, 1, MLX_FLOAT32, xs);
  CHECK_FAIL(mlx_fast_rms_norm(&r, xa, wb, 1e-5f, cpu));
  CHECK(strstr(last_msg, "[rms_norm] (*weight) must have the same size as the last dimension") !=
        NULL);
  CHECK_FAIL(mlx_fast_layer_norm(&r, xa, none, wb, 1e-5f, cpu));
  CHECK(strstr(last_msg, "[layer_norm] bias must have the same size") != NULL);
  mlx_array_free(xa), mlx_array_free(xT), mlx_array_free(r), mlx_array_free(wb);
  free(x), free(ref);
}

/* ------------------------------------------------------------------ rope */

/* x (B, H, L, D) */
static void ref_rope(const double *x, int B, int H, int L, int D, int dims, bool trad,
                     double base, double scale, const int *off, int noff, const double *freqs,
                     double *out) {
  int half = dims / 2;
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++)
      for (int l = 0; l < L; l++) {
        const double *v = x + ((int64_t)(b * H + h) * L + l) * D;
        double *y = out + ((int64_t)(b * H + h) * L + l) * D;
        double pos = (off[noff > 1 ? b : 0] + l) * scale;
        for (int j = 0; j < D; j++) y[j] = v[j];
        for (int i = 0; i < half; i++) {
          double inv = freqs ? 1.0 / freqs[i] : pow(base, -(double)i / half);
          double c = cos(pos * inv), s = sin(pos * inv);
          int i0 = trad ? 2 * i : i, i1 = trad ? 2 * i + 1 : i + half;
          y[i0] = v[i0] * c - v[i1] * s;
          y[i1] = v[i0] * s + v[i1] * c;
        }
      }
}

static void test_rope(void) {
  int shape[4] = {2, 3, 9, 16};
  int64_t n = numel(shape, 4);
  double *x = malloc(n * sizeof(double)), *ref = malloc(n * sizeof(double));
  mlx_array xa = rand_array(shape, 4, MLX_FLOAT32, x), r = mlx_array_new(), none = mlx_array_new();
  mlx_optional_float base = {10000.0f, true}, nobase = {0, false};
  for (int trad = 0; trad < 2; trad++) {
    int off = 5;
    CHECK_OK(mlx_fast_rope(&r, xa, 12, trad, base, 0.5f, off, none, cpu));
    ref_rope(x, 2, 3, 9, 16, 12, trad, 10000.0, 0.5, &off, 1, NULL, ref);
    CHECK(max_err(r, ref, n) < 1e-5);
  }
  /* freqs and a per-batch offset */
  int hf = 8, offs[2] = {3, 11}, two = 2;
  double fr[8];
  for (int i = 0; i < 8; i++) fr[i] = 1.0 + i * i;
  mlx_array fa = mlx_array_new_data(fr, &hf, 1, MLX_FLOAT64),
            oa = mlx_array_new_data(offs, &two, 1, MLX_INT32);
  CHECK_OK(mlx_fast_rope_dynamic(&r, xa, 16, false, nobase, 1.0f, oa, fa, cpu));
  ref_rope(x, 2, 3, 9, 16, 16, false, 0, 1.0, offs, 2, fr, ref);
  CHECK(max_err(r, ref, n) < 2e-5);
  /* half precision */
  mlx_array xh = rand_array(shape, 4, MLX_BFLOAT16, x);
  CHECK_OK(mlx_fast_rope(&r, xh, 16, true, base, 1.0f, 0, none, cpu));
  int zero = 0;
  ref_rope(x, 2, 3, 9, 16, 16, true, 10000.0, 1.0, &zero, 1, NULL, ref);
  CHECK(max_err(r, ref, n) < 2e-2);
  CHECK(mlx_array_dtype(r) == MLX_BFLOAT16);
  /* errors */
  CHECK_FAIL(mlx_fast_rope(&r, xa, 7, false, base, 1.0f, 0, none, cpu));
  CHECK(strstr(last_msg, "[rope] dims must be even but got 7.") != NULL);
  CHECK_FAIL(mlx_fast_rope(&r, xa, 8, false, base, 1.0f, 0, fa, cpu));
  CHECK(strstr(last_msg, "[rope] Only one of base or freqs can have a value.") != NULL);
  CHECK_FAIL(mlx_fast_rope(&r, xa, 8, false, nobase, 1.0f, 0, none, cpu));
  CHECK(strstr(last_msg, "[rope] Neither base nor freqs has a value.") != NULL);
  mlx_array_free(xa), mlx_array_free(xh), mlx_array_free(r), mlx_array_free(fa),
      mlx_array_free(oa);
  free(x), free(ref);
}

/* ------------------------------------------------------------------ attention */

/* q (B, Hq, L, D), k (B, Hk, S, D), v (B, Hk, S, Dv); mode 0 none, 1 causal, 2 bool mask
 * (L, S), 3 additive mask (L, S); sinks (Hq) or NULL. */
static void ref_sdpa(const double *q, const double *k, const double *v, int B, int Hq, int Hk,
                     int L, int S, int D, int Dv, double scale, int mode, const double *mask,
                     const double *sinks, double *out) {
  double *sc = malloc((S + 1) * sizeof(double));
  for (int b = 0; b < B; b++)
    for (int h = 0; h < Hq; h++)
      for (int i = 0; i < L; i++) {
        int kh = h / (Hq / Hk);
        const double *qi = q + ((int64_t)(b * Hq + h) * L + i) * D;
        double mx = sinks ? sinks[h] : -INFINITY;
        for (int j = 0; j < S; j++) {
          const double *kj = k + ((int64_t)(b * Hk + kh) * S + j) * D;
          double d = 0;
          for (int t = 0; t < D; t++) d += qi[t] * kj[t];
          d *= scale;
          if ((mode == 1 && j > i + S - L) || (mode == 2 && mask[i * S + j] == 0)) d = -INFINITY;
          if (mode == 3) d += mask[i * S + j];
          sc[j] = d;
          mx = fmax(mx, d);
        }
        double sum = sinks ? exp(sinks[h] - mx) : 0;
        for (int j = 0; j < S; j++) sum += sc[j] = exp(sc[j] - mx);
        double *o = out + ((int64_t)(b * Hq + h) * L + i) * Dv;
        for (int t = 0; t < Dv; t++) o[t] = 0;
        for (int j = 0; j < S; j++)
          for (int t = 0; t < Dv; t++)
            o[t] += sc[j] / sum * v[((int64_t)(b * Hk + kh) * S + j) * Dv + t];
      }
  free(sc);
}

static void sdpa_case(mlx_dtype dt, int B, int Hq, int Hk, int L, int S, int D, int Dv, int mode,
                      bool use_sinks) {
  int qs[4] = {B, Hq, L, D}, ks[4] = {B, Hk, S, D}, vs[4] = {B, Hk, S, Dv}, ms[2] = {L, S};
  int64_t nq = numel(qs, 4), nk = numel(ks, 4), nv = numel(vs, 4), no = (int64_t)B * Hq * L * Dv;
  double *q = malloc(nq * 8), *k = malloc(nk * 8), *v = malloc(nv * 8), *o = malloc(no * 8);
  double *m = malloc((size_t)L * S * 8), sinks[64];
  mlx_array qa = rand_array(qs, 4, dt, q), ka = rand_array(ks, 4, dt, k),
            va = rand_array(vs, 4, dt, v), ma = mlx_array_new(), sa = mlx_array_new(),
            r = mlx_array_new();
  const char *mode_s = mode == 1 ? "causal" : "";
  if (mode == 2) {
    bool *bm = malloc((size_t)L * S);
    for (int i = 0; i < L * S; i++) bm[i] = urand() > -0.5 || i % S == 0, m[i] = bm[i];
    ma = mlx_array_new_data(bm, ms, 2, MLX_BOOL);
    free(bm);
    mode_s = "array";
  } else if (mode == 3) {
    mlx_array_free(ma);
    ma = rand_array(ms, 2, dt, m);
    mode_s = "array";
  }
  if (use_sinks) {
    mlx_array_free(sa);
    sa = rand_array(&Hq, 1, dt, sinks);
  }
  double scale = 1.0 / sqrt((double)D);
  CHECK_OK(mlx_fast_scaled_dot_product_attention(&r, qa, ka, va, (float)scale, mode_s, ma, sa, cpu));
  ref_sdpa(q, k, v, B, Hq, Hk, L, S, D, Dv, (float)scale, mode, m, use_sinks ? sinks : NULL, o);
  double e = max_err(r, o, no);
  CHECK(e < 10 * tol_of(dt));
  if (e >= 10 * tol_of(dt))
    printf("  sdpa dt %d (%d,%d,%d,%d,%d,%d,%d) mode %d sinks %d: err %g\n", (int)dt, B, Hq, Hk,
           L, S, D, Dv, mode, use_sinks, e);
  CHECK(mlx_array_dtype(r) == dt);
  mlx_array_free(qa), mlx_array_free(ka), mlx_array_free(va), mlx_array_free(ma),
      mlx_array_free(sa), mlx_array_free(r);
  free(q), free(k), free(v), free(o), free(m);
}

static void test_sdpa(void) {
  for (int mode = 0; mode < 4; mode++) {
    sdpa_case(MLX_FLOAT32, 2, 4, 2, 7, 9, 16, 8, mode, false);
    sdpa_case(MLX_FLOAT32, 1, 2, 2, 70, 70, 32, 32, mode, mode == 1);
  }
  sdpa_case(MLX_FLOAT32, 1, 4, 1, 130, 150, 8, 12, 1, true); /* MQA, several query blocks */
  sdpa_case(MLX_FLOAT16, 1, 2, 1, 5, 6, 16, 16, 0, false);
  sdpa_case(MLX_BFLOAT16, 1, 2, 2, 5, 6, 16, 16, 3, true);
  sdpa_case(MLX_FLOAT64, 1, 2, 2, 5, 6, 16, 16, 2, true);
  /* transposed layout (B, L, H, D) -> (B, H, L, D) */
  int s[4] = {1, 6, 2, 8}, n = 96, ax[4] = {0, 2, 1, 3};
  double q[96], o[96], qt[96];
  mlx_array qa = rand_array(s, 4, MLX_FLOAT32, q), qT = mlx_array_new(), r = mlx_array_new(),
            none = mlx_array_new();
  for (int l = 0; l < 6; l++)
    for (int h = 0; h < 2; h++)
      for (int d = 0; d < 8; d++) qt[(h * 6 + l) * 8 + d] = q[(l * 2 + h) * 8 + d];
  CHECK_OK(mlx_transpose_axes(&qT, qa, ax, 4, cpu));
  CHECK_OK(mlx_fast_scaled_dot_product_attention(&r, qT, qT, qT, 0.3f, "causal", none, none, cpu));
  ref_sdpa(qt, qt, qt, 1, 2, 2, 6, 6, 8, 8, 0.3f, 1, NULL, NULL, o);
  CHECK(max_err(r, o, n) < 1e-5);
  /* errors */
  int s3[3] = {2, 6, 8};
  mlx_array q3 = rand_array(s3, 3, MLX_FLOAT32, q);
  CHECK_FAIL(mlx_fast_scaled_dot_product_attention(&r, q3, qT, qT, 1.0f, "", none, none, cpu));
  CHECK(strstr(last_msg, "input with shape (2,6,8) expected to be rank 4") != NULL);
  CHECK_FAIL(mlx_fast_scaled_dot_product_attention(&r, qT, qT, qT, 1.0f, "foo", none, none, cpu));
  CHECK(strstr(last_msg, "invalid mask option 'foo'") != NULL);
  mlx_array_free(qa), mlx_array_free(qT), mlx_array_free(r), mlx_array_free(q3);
}

static void test_kernel_stubs(void) {
  mlx_fast_metal_kernel_config c = mlx_fast_metal_kernel_config_new();
  CHECK_FAIL(mlx_fast_metal_kernel_config_set_grid(c, 1, 1, 1));
  CHECK(strstr(last_msg, "[fast] Custom kernels are not available on this device.") != NULL);
  mlx_fast_metal_kernel_config_free(c);
  mlx_fast_cuda_kernel_config d = mlx_fast_cuda_kernel_config_new();
  CHECK_FAIL(mlx_fast_cuda_kernel_config_set_verbose(d, true));
  mlx_fast_cuda_kernel_config_free(d);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_norms();
  test_rope();
  test_sdpa();
  test_kernel_stubs();
  mlx_stream_free(cpu);
}
