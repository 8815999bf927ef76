/* Accuracy of the AVX-512 float functions (ew_vec512.h) against double-precision libm, and
 * their special values against the scalar functions of ew_math.h: inputs are a stride through
 * every float bit pattern (all signs, subnormals, infinities, nans) plus dense sweeps of the
 * ranges each function's branches meet. Skipped on CPUs without AVX-512. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "backend/cpu/ew_vec512.h"
#include "harness.h"

#if EW_HAVE_VEC512

typedef double (*ref_fn)(double);

static double ref_sigmoid(double x) {
  return 1.0 / (1.0 + exp(-x));
}

/* erfinv in double: Newton on libm's erf from the float function's value. */
static double ref_erfinv(double y) {
  if (!(fabs(y) < 1.0)) return fabs(y) == 1.0 ? copysign(INFINITY, y) : NAN;
  double x = ew_erfinvf((float)y);
  for (int k = 0; k < 4; k++) x -= (erf(x) - y) / (1.1283791670955126 * exp(-x * x));
  return x;
}

/* |got - want| in units of the last place of want rounded to float (subnormal spacing below
 * FLT_MIN); special values must agree exactly: returns 1e9 when they do not. */
static double ulp_error(float got, double want) {
  float wf = (float)want;
  if (isnan(wf) || isnan(got)) return isnan(wf) && isnan(got) ? 0.0 : 1e9;
  if (isinf(wf) || isinf(got)) return got == wf ? 0.0 : (fabs(want) > FLT_MAX ? 0.0 : 1e9);
  if (wf == 0.0f && got == 0.0f) return signbit(wf) == signbit(got) ? 0.0 : 1e9;
  double ulp = fabsf(wf) < FLT_MIN ? 0x1p-149 : ldexp(1.0, ilogb(wf) - 23);
  return fabs((double)got - want) / ulp;
}

typedef struct {
  const char *name;
  ref_fn ref;
  float (*scalar)(float);
  int id;
  double max_ulp;
  float lo, hi; /* dense sweep */
  float limit;  /* nonzero: lanes with |x| >= limit (and nans) are the caller's, not checked */
} vfun;

enum {
  F_EXP,
  F_LOG,
  F_LOG2,
  F_LOG10,
  F_LOG1P,
  F_SIGMOID,
  F_TANH,
  F_SINH,
  F_COSH,
  F_ASINH,
  F_ACOSH,
  F_ATANH,
  F_ERF,
  F_ERFINV,
  F_SIN,
  F_COS,
  F_TAN,
  F_ASIN,
  F_ACOS,
  F_EXPM1,
  F_ATAN,
  F_NUM
};

EW_V16_TARGET static void apply16(int id, const float *in, float *out) {
  ew_v16 x = _mm512_loadu_ps(in), y;
  switch (id) {
  case F_EXP:
    y = v16_exp(x);
    break;
  case F_LOG:
    y = v16_log(x);
    break;
  case F_LOG2:
    y = v16_log2(x);
    break;
  case F_LOG10:
    y = v16_log10(x);
    break;
  case F_LOG1P:
    y = v16_log1p(x);
    break;
  case F_SIGMOID:
    y = v16_sigmoid(x);
    break;
  case F_TANH:
    y = v16_tanh(x);
    break;
  case F_SINH:
    y = v16_sinh(x);
    break;
  case F_COSH:
    y = v16_cosh(x);
    break;
  case F_ASINH:
    y = v16_asinh(x);
    break;
  case F_ACOSH:
    y = v16_acosh(x);
    break;
  case F_ATANH:
    y = v16_atanh(x);
    break;
  case F_ERF:
    y = v16_erf(x);
    break;
  case F_ERFINV:
    y = v16_erfinv(x);
    break;
  case F_SIN:
    y = v16_sin(x);
    break;
  case F_COS:
    y = v16_cos(x);
    break;
  case F_TAN:
    y = v16_tan(x);
    break;
  case F_ASIN:
    y = v16_asin(x);
    break;
  case F_ACOS:
    y = v16_acos(x);
    break;
  case F_ATAN:
    y = v16_atan(x);
    break;
  default:
    y = v16_expm1(x);
    break;
  }
  _mm512_storeu_ps(out, y);
}

static float s_exp(float x) {
  return ew_expf(x);
}
static float s_log(float x) {
  return ew_logf(x);
}
static float s_log2(float x) {
  return ew_log2f(x);
}
static float s_log10(float x) {
  return ew_log10f(x);
}
static float s_log1p(float x) {
  return ew_log1pf(x);
}
static float s_sigmoid(float x) {
  return ew_sigmoidf(x);
}
static float s_tanh(float x) {
  return ew_tanhf(x);
}
static float s_sinh(float x) {
  return ew_sinhf(x);
}
static float s_cosh(float x) {
  return ew_coshf(x);
}
static float s_asinh(float x) {
  return ew_asinhf(x);
}
static float s_acosh(float x) {
  return ew_acoshf(x);
}
static float s_atanh(float x) {
  return ew_atanhf(x);
}
static float s_erf(float x) {
  return ew_erff(x);
}
static float s_erfinv(float x) {
  return ew_erfinvf(x);
}
static float s_sin(float x) {
  return ew_sinf(x);
}
static float s_cos(float x) {
  return ew_cosf(x);
}
static float s_tan(float x) {
  return ew_tanf(x);
}
static float s_asin(float x) {
  return ew_asinf(x);
}
static float s_acos(float x) {
  return ew_acosf(x);
}

static float s_expm1(float x) {
  return ew_expm1f(x);
}
static float s_atan(float x) {
  return ew_atanf(x);
}

static const vfun funs[F_NUM] = {
    {"exp", exp, s_exp, F_EXP, 2.0, -105.0f, 90.0f, 0.0f},
    {"log", log, s_log, F_LOG, 2.0, 0.0f, 4.0f, 0.0f},
    {"log2", log2, s_log2, F_LOG2, 2.0, 0.0f, 4.0f, 0.0f},
    {"log10", log10, s_log10, F_LOG10, 2.0, 0.0f, 4.0f, 0.0f},
    {"log1p", log1p, s_log1p, F_LOG1P, 2.0, -1.0f, 3.0f, 0.0f},
    {"sigmoid", ref_sigmoid, s_sigmoid, F_SIGMOID, 2.5, -110.0f, 20.0f, 0.0f},
    {"tanh", tanh, s_tanh, F_TANH, 2.0, -10.0f, 10.0f, 0.0f},
    {"sinh", sinh, s_sinh, F_SINH, 2.0, -92.0f, 92.0f, 0.0f},
    {"cosh", cosh, s_cosh, F_COSH, 2.0, -92.0f, 92.0f, 0.0f},
    {"asinh", asinh, s_asinh, F_ASINH, 2.5, -10.0f, 10.0f, 0.0f},
    {"acosh", acosh, s_acosh, F_ACOSH, 2.5, 0.5f, 10.0f, 0.0f},
    {"atanh", atanh, s_atanh, F_ATANH, 2.5, -1.01f, 1.01f, 0.0f},
    {"erf", erf, s_erf, F_ERF, 2.0, -5.0f, 5.0f, 0.0f},
    {"erfinv", ref_erfinv, s_erfinv, F_ERFINV, 3.0, -1.01f, 1.01f, 0.0f},
    {"sin", sin, s_sin, F_SIN, 1.5, -10.0f, 10.0f, EW_SINCOS_V16_LIMITF},
    {"cos", cos, s_cos, F_COS, 1.5, -10.0f, 10.0f, EW_SINCOS_V16_LIMITF},
    {"tan", tan, s_tan, F_TAN, 2.5, -10.0f, 10.0f, EW_TRIG_LIMITF},
    {"asin", asin, s_asin, F_ASIN, 2.0, -1.01f, 1.01f, 0.0f},
    {"acos", acos, s_acos, F_ACOS, 2.0, -1.01f, 1.01f, 0.0f},
    {"expm1", expm1, s_expm1, F_EXPM1, 2.0, -31.0f, 90.0f, 0.0f},
    {"atan", atan, s_atan, F_ATAN, 2.0, -50.0f, 50.0f, 0.0f},
};

/* Checks one block of 16 inputs; returns the largest error seen. */
static double check_block(const vfun *f, const float *in, double *scalar_max) {
  float out[16];
  apply16(f->id, in, out);
  double worst = 0.0;
  for (int i = 0; i < 16; i++) {
    if (f->limit > 0 && !(fabsf(in[i]) < f->limit)) continue;
    double want = f->ref((double)in[i]);
    double e = ulp_error(out[i], want), es = ulp_error(f->scalar(in[i]), want);
    if (e > worst) worst = e;
    if (es > *scalar_max) *scalar_max = es;
    if (e > f->max_ulp) {
      printf("  %s(%a): got %a, want %a (%.1f ulp; scalar %a)\n", f->name, (double)in[i],
             (double)out[i], want, e, (double)f->scalar(in[i]));
    }
  }
  return worst;
}

static void check_function(const vfun *f) {
  float in[16];
  int k = 0;
  double worst = 0.0, scalar_worst = 0.0;
  /* a stride through all 2^32 bit patterns */
  for (uint64_t b = 0; b < ((uint64_t)1 << 32); b += 4093) {
    uint32_t u = (uint32_t)b;
    memcpy(&in[k], &u, 4);
    if (++k == 16) {
      double e = check_block(f, in, &scalar_worst);
      worst = e > worst ? e : worst;
      k = 0;
    }
  }
  /* dense sweep of the branches' range, and the special values */
  const int n = 1 << 18;
  for (int i = 0; i < n; i++) {
    in[k] = f->lo + (f->hi - f->lo) * (float)i / (float)n;
    if (++k == 16) {
      double e = check_block(f, in, &scalar_worst);
      worst = e > worst ? e : worst;
      k = 0;
    }
  }
  /* trigonometric functions: the floats around multiples of pi/2 up to the limit, where the
   * reduced argument is smallest (and its last bits matter most) */
  for (int64_t j = 1; f->limit > 0 && j < (int64_t)(f->limit / 1.5707963f); j += 7) {
    float m = (float)((double)j * 1.5707963267948966);
    for (int d = -4; d <= 4; d++) {
      if (d == 0) continue;
      in[k] = nextafterf(m, d < 0 ? 0.0f : INFINITY);
      for (int s = 1; s < abs(d); s++) in[k] = nextafterf(in[k], d < 0 ? 0.0f : INFINITY);
      if (j & 1) in[k] = -in[k];
      if (++k == 16) {
        double e = check_block(f, in, &scalar_worst);
        worst = e > worst ? e : worst;
        k = 0;
      }
    }
  }
  const float special[16] = {0.0f,    -0.0f,    INFINITY, -INFINITY, NAN,      1.0f,
                             -1.0f,   0.5f,     -0.5f,    FLT_MIN,   -FLT_MIN, 0x1p-149f,
                             FLT_MAX, -FLT_MAX, 1e-30f,   -1e-30f};
  double e = check_block(f, special, &scalar_worst);
  worst = e > worst ? e : worst;
  printf("%-8s max error %.2f ulp (scalar %.2f)\n", f->name, worst, scalar_worst);
  CHECK(worst <= f->max_ulp);
}

EW_V16_TARGET static void check_logaddexp(void) {
  double worst = 0.0;
  float a[16], b[16], out[16];
  uint32_t s = 12345;
  for (int it = 0; it < 20000; it++) {
    for (int i = 0; i < 16; i++) {
      s = s * 1664525u + 1013904223u;
      a[i] = (float)((int)(s >> 8) % 20000) * 0.01f - 100.0f;
      s = s * 1664525u + 1013904223u;
      b[i] = a[i] + (float)((int)(s >> 8) % 4000) * 0.01f - 20.0f;
    }
    if (it == 0) {
      a[0] = INFINITY, b[0] = INFINITY, a[1] = -INFINITY, b[1] = -INFINITY;
      a[2] = NAN, a[3] = INFINITY, b[3] = -INFINITY, b[4] = NAN;
    }
    _mm512_storeu_ps(out, v16_logaddexp(_mm512_loadu_ps(a), _mm512_loadu_ps(b)));
    for (int i = 0; i < 16; i++) {
      double x = a[i], y = b[i], m = x > y ? x : y;
      double want = isnan(x) || isnan(y) ? NAN : isinf(m) ? m : m + log1p(exp(-fabs(x - y)));
      /* max + log1p(...) cancels when the max is negative (as numpy's formula does): errors are
       * counted in ulps of the larger term when that exceeds the result */
      double e = ulp_error(out[i], want), big = fmax(fabs(m), fabs(want - m));
      if (big > fabs(want) && e < 1e9 && isfinite(m))
        e = fabs((double)out[i] - want) / ldexp(1.0, ilogb((float)big) - 23);
      if (e > worst) worst = e;
      if (e > 2.0) printf("  logaddexp(%a, %a): got %a, want %a\n", x, y, (double)out[i], want);
    }
  }
  printf("%-8s max error %.2f ulp\n", "logaddexp", worst);
  CHECK(worst <= 4.0);
}

/* pow over special values crossed with each other, and random bases and exponents */
EW_V16_TARGET static void check_pow(void) {
  static const float sp[] = {0.0f, -0.0f, 1.0f,     -1.0f,     0.5f, -0.5f,  2.0f,  -2.0f,
                             3.0f, -3.0f, INFINITY, -INFINITY, NAN,  1e-45f, 1e30f, -1e30f};
  enum { NS = sizeof sp / sizeof sp[0] };
  double worst = 0.0;
  uint32_t st = 777;
  for (int it = 0; it < 20000 + NS; it++) {
    float a[16], b[16], out[16];
    for (int i = 0; i < 16; i++) {
      if (it < NS) {
        a[i] = sp[it], b[i] = sp[i];
        continue;
      }
      st = st * 1664525u + 1013904223u;
      a[i] = (float)(st >> 8) * 0x1p-20f - 8.0f; /* [-8, 8) */
      st = st * 1664525u + 1013904223u;
      b[i] = (i & 1) ? (float)((int)(st >> 24) - 128) : (float)(st >> 8) * 0x1p-19f - 16.0f;
      if (it % 3 == 0) { /* near 1 to large powers: y log2 x needs its low part there */
        a[i] = 1.0f + (a[i] / 8.0f) * 0x1p-5f;
        b[i] *= 16.0f;
      }
    }
    _mm512_storeu_ps(out, v16_pow(_mm512_loadu_ps(a), _mm512_loadu_ps(b)));
    for (int i = 0; i < 16; i++) {
      double e = ulp_error(out[i], pow((double)a[i], (double)b[i]));
      if (e > 1.0) printf("  pow(%a, %a): got %a, want %a\n", a[i], b[i], out[i], pow(a[i], b[i]));
      if (e > worst) worst = e;
    }
  }
  printf("%-8s max error %.2f ulp\n", "pow", worst);
  CHECK(worst <= 1.0);
}

void run_tests(void) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq")) {
    printf("no AVX-512: skipped\n");
    return;
  }
  for (int i = 0; i < F_NUM; i++) check_function(&funs[i]);
  check_logaddexp();
  check_pow();
}

#else
void run_tests(void) {
  printf("no AVX-512 build: skipped\n");
}
#endif
