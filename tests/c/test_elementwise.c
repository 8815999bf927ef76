/* The elementwise family through the public C API: every unary and binary op against libm in
 * double, output dtypes, broadcast / transposed / large (threaded) inputs, MLX's integer rules,
 * where, clip, closeness, divmod, nan_to_num, and op errors (the library keeps working). */
#include <complex.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];
static int num_errors;

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
  num_errors++;
}

static mlx_stream cpu;

static mlx_array arr_f32(const float *v, int n) {
  return mlx_array_new_data(v, &n, 1, MLX_FLOAT32);
}
static mlx_array arr_i32(const int32_t *v, int n) {
  return mlx_array_new_data(v, &n, 1, MLX_INT32);
}

/* Values of a (any real dtype) as doubles; returns the element count (at most cap). */
static size_t values(mlx_array a, double *out, size_t cap) {
  mlx_array d = mlx_array_new();
  size_t n = 0;
  if (mlx_astype(&d, a, MLX_FLOAT64, cpu) == 0) {
    mlx_array c = mlx_array_new();
    /* a row-contiguous copy (the result may keep a transposed layout) */
    mlx_array one = mlx_array_new_float64(1.0); /* d * 1 keeps the sign of zeros */
    if (mlx_multiply(&c, d, one, cpu) == 0) {
      const double *p = mlx_array_data_float64(c);
      n = mlx_array_size(c);
      if (n > cap) n = cap;
      const size_t *st = mlx_array_strides(c);
      int nd = (int)mlx_array_ndim(c);
      bool rowc = true;
      size_t expect = 1;
      for (int k = nd - 1; k >= 0; k--) {
        if (mlx_array_shape(c)[k] != 1 && st[k] != expect) rowc = false;
        expect *= (size_t)mlx_array_shape(c)[k];
      }
      if (p && rowc)
        memcpy(out, p, n * sizeof(double));
      else if (p && nd == 2) { /* a transposed layout: walk it */
        int rows = mlx_array_shape(c)[0], cols = mlx_array_shape(c)[1];
        for (int i = 0; i < rows; i++)
          for (int j = 0; j < cols && (size_t)(i * cols + j) < n; j++)
            out[i * cols + j] = p[i * st[0] + j * st[1]];
      } else
        n = 0;
    }
    mlx_array_free(one);
    mlx_array_free(c);
  }
  mlx_array_free(d);
  return n;
}

static bool close_to(double got, double want, double rtol) {
  if (isnan(want)) return isnan(got);
  if (isinf(want)) return got == want;
  return fabs(got - want) <= rtol * fabs(want) + 1e-30;
}

typedef int (*unary_fn)(mlx_array *, const mlx_array, const mlx_stream);
typedef int (*binary_fn)(mlx_array *, const mlx_array, const mlx_array, const mlx_stream);

static double sigmoid_d(double x) {
  return 1.0 / (1.0 + exp(-x));
}
static double rsqrt_d(double x) {
  return 1.0 / sqrt(x);
}
static double recip_d(double x) {
  return 1.0 / x;
}
static double sign_d(double x) {
  return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
}
static double neg_d(double x) {
  return -x;
}
static double sq_d(double x) {
  return x * x;
}
static double deg_d(double x) {
  return x * 180.0 / M_PI;
}
static double rad_d(double x) {
  return x * M_PI / 180.0;
}

static void test_unary_float32(void) {
  struct {
    const char *name;
    unary_fn fn;
    double (*ref)(double);
    float lo, hi;
  } cases[] = {
      {"abs", mlx_abs, fabs, -5, 5},
      {"sign", mlx_sign, sign_d, -5, 5},
      {"negative", mlx_negative, neg_d, -5, 5},
      {"square", mlx_square, sq_d, -5, 5},
      {"sqrt", mlx_sqrt, sqrt, 0, 50},
      {"rsqrt", mlx_rsqrt, rsqrt_d, 0.1f, 50},
      {"reciprocal", mlx_reciprocal, recip_d, 0.5f, 9},
      {"exp", mlx_exp, exp, -30, 30},
      {"expm1", mlx_expm1, expm1, -3, 3},
      {"log", mlx_log, log, 0.01f, 100},
      {"log2", mlx_log2, log2, 0.01f, 100},
      {"log10", mlx_log10, log10, 0.01f, 100},
      {"log1p", mlx_log1p, log1p, -0.9f, 9},
      {"sin", mlx_sin, sin, -20, 20},
      {"cos", mlx_cos, cos, -20, 20},
      {"tan", mlx_tan, tan, -1.4f, 1.4f},
      {"sinh", mlx_sinh, sinh, -5, 5},
      {"cosh", mlx_cosh, cosh, -5, 5},
      {"tanh", mlx_tanh, tanh, -5, 5},
      {"arcsin", mlx_arcsin, asin, -1, 1},
      {"arccos", mlx_arccos, acos, -1, 1},
      {"arctan", mlx_arctan, atan, -9, 9},
      {"arcsinh", mlx_arcsinh, asinh, -9, 9},
      {"arccosh", mlx_arccosh, acosh, 1, 9},
      {"arctanh", mlx_arctanh, atanh, -0.9f, 0.9f},
      {"sigmoid", mlx_sigmoid, sigmoid_d, -9, 9},
      {"erf", mlx_erf, erf, -3, 3},
      {"floor", mlx_floor, floor, -5, 5},
      {"ceil", mlx_ceil, ceil, -5, 5},
      {"degrees", mlx_degrees, deg_d, -3, 3},
      {"radians", mlx_radians, rad_d, -300, 300},
  };
  enum { N = 101 };
  float x[N];
  double got[N];
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    for (int i = 0; i < N; i++) x[i] = cases[c].lo + (cases[c].hi - cases[c].lo) * i / (N - 1);
    mlx_array a = arr_f32(x, N), r = mlx_array_new();
    int ok = cases[c].fn(&r, a, cpu) == 0;
    CHECK(ok);
    if (ok) {
      CHECK(mlx_array_dtype(r) == MLX_FLOAT32);
      CHECK(values(r, got, N) == N);
      int bad = 0;
      for (int i = 0; i < N; i++)
        if (!close_to(got[i], (float)cases[c].ref(x[i]), 3e-6) &&
            fabs(got[i] - cases[c].ref(x[i])) > 1e-6)
          bad++;
      if (bad) fprintf(stderr, "unary %s: %d bad values\n", cases[c].name, bad);
      CHECK(bad == 0);
    }
    mlx_array_free(a);
    mlx_array_free(r);
  }
}

static void test_unary_dtypes(void) {
  int32_t iv[4] = {-3, 0, 2, 7};
  mlx_array i = arr_i32(iv, 4), r = mlx_array_new();
  double got[8];
  /* math functions of integers give float32 */
  CHECK_OK(mlx_exp(&r, i, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32);
  CHECK(values(r, got, 4) == 4 && close_to(got[3], exp(7.0), 1e-6));
  /* integer ops stay integers, wrapping like MLX */
  CHECK_OK(mlx_abs(&r, i, cpu));
  CHECK(mlx_array_dtype(r) == MLX_INT32 && values(r, got, 4) == 4 && got[0] == 3);
  CHECK_OK(mlx_square(&r, i, cpu));
  CHECK(values(r, got, 4) == 4 && got[0] == 9 && got[3] == 49);
  CHECK_OK(mlx_bitwise_invert(&r, i, cpu));
  CHECK(values(r, got, 4) == 4 && got[1] == -1 && got[2] == -3);
  CHECK_OK(mlx_logical_not(&r, i, cpu));
  CHECK(mlx_array_dtype(r) == MLX_BOOL && values(r, got, 4) == 4 && got[1] == 1 && got[0] == 0);
  CHECK_OK(mlx_floor(&r, i, cpu));
  CHECK(mlx_array_dtype(r) == MLX_INT32);
  CHECK_OK(mlx_isnan(&r, i, cpu));
  CHECK(mlx_array_dtype(r) == MLX_BOOL && values(r, got, 4) == 4 && got[2] == 0);
  CHECK_OK(mlx_isfinite(&r, i, cpu));
  CHECK(values(r, got, 4) == 4 && got[2] == 1);
  float sp[4] = {INFINITY, -INFINITY, NAN, 1.0f};
  mlx_array spa = arr_f32(sp, 4);
  double want_pos[4] = {1, 0, 0, 0}, want_neg[4] = {0, 1, 0, 0}, want_inf[4] = {1, 1, 0, 0};
  CHECK_OK(mlx_isposinf(&r, spa, cpu));
  CHECK(values(r, got, 4) == 4 && memcmp(got, want_pos, sizeof want_pos) == 0);
  CHECK_OK(mlx_isneginf(&r, spa, cpu));
  CHECK(values(r, got, 4) == 4 && memcmp(got, want_neg, sizeof want_neg) == 0);
  CHECK_OK(mlx_isinf(&r, spa, cpu));
  CHECK(values(r, got, 4) == 4 && memcmp(got, want_inf, sizeof want_inf) == 0);
  CHECK_OK(mlx_isnan(&r, spa, cpu));
  CHECK(values(r, got, 4) == 4 && got[2] == 1 && got[0] == 0);
  mlx_array_free(spa);
  uint8_t u[2] = {1, 200};
  int two = 2;
  mlx_array ua = mlx_array_new_data(u, &two, 1, MLX_UINT8);
  CHECK_OK(mlx_negative(&r, ua, cpu));
  CHECK(values(r, got, 2) == 2 && got[0] == 255 && got[1] == 56);
  CHECK_OK(mlx_square(&r, ua, cpu));
  CHECK(values(r, got, 2) == 2 && got[1] == 64);
  /* float16 / bfloat16 keep their type, computed in float */
  mlx_array h = mlx_array_new();
  CHECK_OK(mlx_astype(&h, i, MLX_FLOAT16, cpu));
  CHECK_OK(mlx_tanh(&r, h, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT16 && values(r, got, 4) == 4 &&
        close_to(got[2], tanh(2.0), 1e-3));
  CHECK_OK(mlx_astype(&h, i, MLX_BFLOAT16, cpu));
  CHECK_OK(mlx_sqrt(&r, h, cpu));
  CHECK(mlx_array_dtype(r) == MLX_BFLOAT16 && values(r, got, 4) == 4 &&
        close_to(got[3], sqrt(7.0), 1e-2));
  CHECK_OK(mlx_astype(&h, i, MLX_FLOAT64, cpu));
  CHECK_OK(mlx_erf(&r, h, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT64 && values(r, got, 4) == 4 &&
        close_to(got[2], erf(2.0), 1e-14));
  CHECK_OK(mlx_erfinv(&r, h, cpu));
  CHECK(values(r, got, 4) == 4 && isnan(got[0]) && got[1] == 0);
  /* round with decimals */
  float fv[3] = {2.675f, 1234.5678f, -0.5f};
  mlx_array f = arr_f32(fv, 3);
  CHECK_OK(mlx_round(&r, f, 2, cpu));
  CHECK(values(r, got, 3) == 3 && (float)got[0] == 268.0f * 0.01f && got[2] == -0.5);
  CHECK_OK(mlx_round(&r, f, -2, cpu));
  CHECK(values(r, got, 3) == 3 && got[1] == 1200 && got[2] == 0);
  CHECK_OK(mlx_round(&r, f, 0, cpu));
  CHECK(values(r, got, 3) == 3 && got[0] == 3 && got[2] == 0 && signbit(got[2]));
  mlx_array objs[] = {i, r, ua, h, f};
  for (size_t k = 0; k < sizeof objs / sizeof objs[0]; k++) mlx_array_free(objs[k]);
}

static void test_complex_and_views(void) {
  float _Complex zv[3] = {1 + 2 * I, -3 + 0.5f * I, 0};
  int n = 3;
  mlx_array z = mlx_array_new_data(zv, &n, 1, MLX_COMPLEX64), r = mlx_array_new();
  CHECK_OK(mlx_abs(&r, z, cpu));
  double got[4];
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && values(r, got, 3) == 3 &&
        close_to(got[0], sqrt(5.0), 1e-6));
  CHECK_OK(mlx_real(&r, z, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && values(r, got, 3) == 3 && got[1] == -3);
  CHECK_OK(mlx_imag(&r, z, cpu));
  CHECK(values(r, got, 3) == 3 && got[0] == 2 && got[1] == 0.5);
  CHECK_OK(mlx_conjugate(&r, z, cpu));
  const float _Complex *cp = mlx_array_data_complex64(r);
  CHECK(cp && cimagf(cp[0]) == -2);
  CHECK_OK(mlx_exp(&r, z, cpu));
  cp = mlx_array_data_complex64(r);
  CHECK(cp && cabsf(cp[0] - cexpf(1 + 2 * I)) < 1e-5f);
  CHECK_OK(mlx_isinf(&r, z, cpu));
  CHECK(mlx_array_dtype(r) == MLX_BOOL);
  CHECK_OK(mlx_stop_gradient(&r, z, cpu));
  CHECK(mlx_array_dtype(r) == MLX_COMPLEX64 && mlx_array_size(r) == 3);
  int before = num_errors;
  CHECK_FAIL(mlx_expm1(&r, z, cpu));
  CHECK_FAIL(mlx_floor(&r, z, cpu));
  CHECK(num_errors == before + 2 && strstr(last_msg, "[floor]"));
  mlx_array_free(z);
  mlx_array_free(r);
}

static double fdiv_d(double a, double b) {
  return floor(a / b);
}
static double rem_d(double a, double b) {
  double r = fmod(a, b);
  return (r != 0 && (r < 0) != (b < 0)) ? r + b : r;
}
static double lae_d(double a, double b) {
  double m = a > b ? a : b;
  return m + log1p(exp(-fabs(a - b)));
}
static double max_d(double a, double b) {
  return a > b ? a : b;
}
static double min_d(double a, double b) {
  return a < b ? a : b;
}

static void test_binary_float32(void) {
  struct {
    const char *name;
    binary_fn fn;
    double (*ref)(double, double);
  } cases[] = {
      {"maximum", mlx_maximum, max_d},
      {"minimum", mlx_minimum, min_d},
      {"power", mlx_power, pow},
      {"remainder", mlx_remainder, rem_d},
      {"floor_divide", mlx_floor_divide, fdiv_d},
      {"arctan2", mlx_arctan2, atan2},
      {"logaddexp", mlx_logaddexp, lae_d},
  };
  enum { N = 60 };
  float x[N], y[N];
  for (int i = 0; i < N; i++) {
    x[i] = 0.25f + (float)i * 0.37f;
    y[i] = (i % 2 ? -1.0f : 1.0f) * (0.5f + (float)(i % 7) * 0.41f);
  }
  double got[N];
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    mlx_array a = arr_f32(x, N), b = arr_f32(y, N), r = mlx_array_new();
    CHECK_OK(cases[c].fn(&r, a, b, cpu));
    CHECK(mlx_array_dtype(r) == MLX_FLOAT32);
    CHECK(values(r, got, N) == N);
    int bad = 0;
    for (int i = 0; i < N; i++) {
      double want = cases[c].ref(x[i], y[i]);
      if (!close_to(got[i], (float)want, 3e-6) && fabs(got[i] - want) > 1e-5) bad++;
    }
    if (bad) fprintf(stderr, "binary %s: %d bad values\n", cases[c].name, bad);
    CHECK(bad == 0);
    mlx_array_free(a);
    mlx_array_free(b);
    mlx_array_free(r);
  }
}

static void test_comparisons_and_logic(void) {
  float x[5] = {1, 2, NAN, 4, -0.0f}, y[5] = {1, 3, NAN, 3, 0.0f};
  mlx_array a = arr_f32(x, 5), b = arr_f32(y, 5), r = mlx_array_new();
  double got[5];
  struct {
    binary_fn fn;
    double want[5];
  } cases[] = {
      {mlx_equal, {1, 0, 0, 0, 1}},       {mlx_not_equal, {0, 1, 1, 1, 0}},
      {mlx_less, {0, 1, 0, 0, 0}},        {mlx_less_equal, {1, 1, 0, 0, 1}},
      {mlx_greater, {0, 0, 0, 1, 0}},     {mlx_greater_equal, {1, 0, 0, 1, 1}},
      {mlx_logical_and, {1, 1, 1, 1, 0}}, {mlx_logical_or, {1, 1, 1, 1, 0}},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    CHECK_OK(cases[c].fn(&r, a, b, cpu));
    CHECK(mlx_array_dtype(r) == MLX_BOOL);
    CHECK(values(r, got, 5) == 5 && memcmp(got, cases[c].want, sizeof got) == 0);
  }
  CHECK_OK(mlx_array_equal(&r, a, b, false, cpu));
  bool bv = true;
  CHECK_OK(mlx_array_item_bool(&bv, r));
  CHECK(!bv);
  mlx_array c = arr_f32(x, 5);
  CHECK_OK(mlx_array_equal(&r, a, c, false, cpu));
  CHECK_OK(mlx_array_item_bool(&bv, r));
  CHECK(!bv); /* nan != nan */
  CHECK_OK(mlx_array_equal(&r, a, c, true, cpu));
  CHECK_OK(mlx_array_item_bool(&bv, r));
  CHECK(bv);
  CHECK_OK(mlx_isclose(&r, a, b, 1e-5, 1e-8, true, cpu));
  CHECK(values(r, got, 5) == 5 && got[0] == 1 && got[1] == 0 && got[2] == 1 && got[4] == 1);
  CHECK_OK(mlx_allclose(&r, a, c, 1e-5, 1e-8, true, cpu));
  CHECK_OK(mlx_array_item_bool(&bv, r));
  CHECK(bv && mlx_array_ndim(r) == 0);
  mlx_array_free(a);
  mlx_array_free(b);
  mlx_array_free(c);
  mlx_array_free(r);
}

static void test_integer_rules(void) {
  int32_t xv[6] = {7, -7, 7, -7, 5, INT32_MIN}, yv[6] = {2, 2, -2, -2, 0, -1};
  mlx_array a = arr_i32(xv, 6), b = arr_i32(yv, 6), r = mlx_array_new();
  double got[6];
  CHECK_OK(mlx_floor_divide(&r, a, b, cpu));
  double fd[6] = {3, -4, -4, 3, 0, INT32_MIN};
  CHECK(mlx_array_dtype(r) == MLX_INT32 && values(r, got, 6) == 6 &&
        memcmp(got, fd, sizeof fd) == 0);
  CHECK_OK(mlx_remainder(&r, a, b, cpu));
  double rm[6] = {1, 1, -1, -1, 5, 0};
  CHECK(values(r, got, 6) == 6 && memcmp(got, rm, sizeof rm) == 0);
  mlx_vector_array v = mlx_vector_array_new();
  CHECK_OK(mlx_divmod(&v, a, b, cpu));
  CHECK(mlx_vector_array_size(v) == 2);
  mlx_array q = mlx_array_new();
  CHECK_OK(mlx_vector_array_get(&q, v, 1));
  CHECK(values(q, got, 6) == 6 && memcmp(got, rm, sizeof rm) == 0);
  CHECK_OK(mlx_vector_array_get(&q, v, 0));
  CHECK(values(q, got, 6) == 6 && memcmp(got, fd, sizeof fd) == 0);
  int32_t ev[6] = {3, 0, 2, -1, 1, 1};
  mlx_array e = arr_i32(ev, 6);
  CHECK_OK(mlx_power(&r, a, e, cpu));
  double pw[6] = {343, 1, 49, 0, 5, INT32_MIN};
  CHECK(values(r, got, 6) == 6 && memcmp(got, pw, sizeof pw) == 0);
  int32_t sv[6] = {1, 2, 3, 0, 31, 4};
  mlx_array s = arr_i32(sv, 6);
  CHECK_OK(mlx_left_shift(&r, a, s, cpu));
  CHECK(values(r, got, 6) == 6 && got[0] == 14 && got[1] == -28 && got[3] == -7);
  CHECK_OK(mlx_right_shift(&r, a, s, cpu));
  CHECK(values(r, got, 6) == 6 && got[0] == 3 && got[1] == -2);
  CHECK_OK(mlx_bitwise_and(&r, a, s, cpu));
  CHECK(values(r, got, 6) == 6 && got[0] == 1);
  CHECK_OK(mlx_bitwise_or(&r, a, s, cpu));
  CHECK(values(r, got, 6) == 6 && got[1] == -5);
  CHECK_OK(mlx_bitwise_xor(&r, a, s, cpu));
  CHECK(values(r, got, 6) == 6 && got[0] == 6);
  /* promotion: int32 with uint8 stays int32; with float32 becomes float32 */
  float fv[1] = {0.5f};
  mlx_array f = arr_f32(fv, 1);
  CHECK_OK(mlx_maximum(&r, a, f, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32);
  int before = num_errors;
  CHECK_FAIL(mlx_bitwise_and(&r, a, f, cpu));
  CHECK(num_errors == before + 1 && strstr(last_msg, "[bitwise_and]"));
  mlx_vector_array_free(v);
  mlx_array objs[] = {a, b, r, q, e, s, f};
  for (size_t k = 0; k < sizeof objs / sizeof objs[0]; k++) mlx_array_free(objs[k]);
}

static void test_where_clip_nan_to_num(void) {
  float x[4] = {1, -2, NAN, INFINITY};
  bool cv[4] = {true, false, true, false};
  int n = 4;
  mlx_array a = arr_f32(x, 4), c = mlx_array_new_data(cv, &n, 1, MLX_BOOL);
  mlx_array zero = mlx_array_new_float(0.0f), r = mlx_array_new();
  double got[4];
  CHECK_OK(mlx_where(&r, c, a, zero, cpu));
  CHECK(values(r, got, 4) == 4 && got[0] == 1 && got[1] == 0 && isnan(got[2]) && got[3] == 0);
  mlx_array lo = mlx_array_new_float(-1.0f), hi = mlx_array_new_float(1.5f), none = mlx_array_new();
  CHECK_OK(mlx_clip(&r, a, lo, hi, cpu));
  CHECK(values(r, got, 4) == 4 && got[0] == 1 && got[1] == -1 && isnan(got[2]) && got[3] == 1.5);
  CHECK_OK(mlx_clip(&r, a, none, hi, cpu));
  CHECK(values(r, got, 4) == 4 && got[1] == -2 && got[3] == 1.5);
  CHECK_OK(mlx_clip(&r, a, lo, none, cpu));
  CHECK(values(r, got, 4) == 4 && got[1] == -1 && isinf(got[3]));
  CHECK_FAIL(mlx_clip(&r, a, none, none, cpu));
  mlx_optional_float pos = {7.0f, true}, neg = {0.0f, false};
  CHECK_OK(mlx_nan_to_num(&r, a, 3.0f, pos, neg, cpu));
  CHECK(values(r, got, 4) == 4 && got[2] == 3 && got[3] == 7);
  mlx_optional_float nop = {0.0f, false};
  CHECK_OK(mlx_nan_to_num(&r, a, 0.0f, nop, nop, cpu));
  CHECK(values(r, got, 4) == 4 && got[3] == FLT_MAX);
  mlx_array objs[] = {a, c, zero, r, lo, hi, none};
  for (size_t k = 0; k < sizeof objs / sizeof objs[0]; k++) mlx_array_free(objs[k]);
}

/* Transposed and broadcast operands and arrays large enough to be split over threads. */
static void test_layouts_and_large(void) {
  enum { R = 700, C = 1600 }; /* 1.12M elements */
  static float x[R * C];
  for (int64_t i = 0; i < R * C; i++) x[i] = (float)((i * 7919) % 2001 - 1000) / 250.0f;
  int shape[2] = {R, C}, tshape[2] = {C, R};
  mlx_array a = mlx_array_new_data(x, shape, 2, MLX_FLOAT32), t = mlx_array_new(),
            back = mlx_array_new(), e = mlx_array_new(), m = mlx_array_new();
  CHECK_OK(mlx_transpose(&t, a, cpu));
  CHECK_OK(mlx_exp(&e, t, cpu)); /* keeps the transposed layout */
  CHECK(mlx_array_shape(e)[0] == C && mlx_array_shape(e)[1] == R);
  CHECK_OK(mlx_transpose(&back, e, cpu));
  static double got[R * C];
  CHECK(values(back, got, R * C) == (size_t)R * C);
  int bad = 0;
  for (int i = 0; i < R * C; i += 997)
    if (!close_to(got[i], (float)exp(x[i]), 3e-6)) bad++;
  CHECK(bad == 0);
  CHECK_OK(mlx_maximum(&m, a, back, cpu)); /* row-contiguous with transposed-of-transposed */
  CHECK(values(m, got, R * C) == (size_t)R * C);
  bad = 0;
  for (int i = 0; i < R * C; i += 991)
    if (!close_to(got[i], fmax(x[i], (float)exp(x[i])), 3e-6)) bad++;
  CHECK(bad == 0);
  mlx_array row = mlx_array_new(), col = mlx_array_new(), s = mlx_array_new();
  mlx_array half = mlx_array_new_float(0.5f);
  CHECK_OK(mlx_broadcast_to(&row, half, tshape, 2, cpu));
  mlx_array_free(half);
  CHECK_OK(mlx_greater(&s, t, row, cpu));
  CHECK(mlx_array_dtype(s) == MLX_BOOL && mlx_array_size(s) == (size_t)R * C);
  CHECK_OK(mlx_where(&col, s, t, row, cpu));
  CHECK(values(col, got, 10) == 10);
  mlx_array objs[] = {a, t, back, e, m, row, col, s};
  for (size_t k = 0; k < sizeof objs / sizeof objs[0]; k++) mlx_array_free(objs[k]);
}

static void test_errors_and_handles(void) {
  float x[2] = {1, 2}, y[3] = {1, 2, 3};
  mlx_array a = arr_f32(x, 2), b = arr_f32(y, 3), r = mlx_array_new(), empty = mlx_array_new();
  int before = num_errors;
  CHECK_FAIL(mlx_maximum(&r, a, b, cpu));
  CHECK(strstr(last_msg, "broadcast") != NULL);
  CHECK_FAIL(mlx_exp(&r, empty, cpu));
  CHECK_FAIL(mlx_exp(NULL, a, cpu));
  bool bv[1] = {true};
  int one = 1;
  mlx_array bb = mlx_array_new_data(bv, &one, 1, MLX_BOOL);
  CHECK_FAIL(mlx_negative(&r, bb, cpu));
  CHECK(strstr(last_msg, "[negative]") != NULL);
  CHECK(num_errors == before + 4);
  CHECK_OK(mlx_sqrt(&r, a, cpu)); /* still working */
  double got[2];
  CHECK(values(r, got, 2) == 2 && close_to(got[1], sqrt(2.0), 1e-6));
  mlx_array_free(a);
  mlx_array_free(b);
  mlx_array_free(r);
  mlx_array_free(bb);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_unary_float32();
  test_unary_dtypes();
  test_complex_and_views();
  test_binary_float32();
  test_comparisons_and_logic();
  test_integer_rules();
  test_where_clip_nan_to_num();
  test_layouts_and_large();
  test_errors_and_handles();
  mlx_stream_free(cpu);
}
