/* Vectorizable elementary functions for the elementwise kernels.
 *
 * Every function here is branch-free straight-line code (selects instead of branches, no calls,
 * forced inline), so a loop that applies one to an array is vectorized by the compiler
 * (AVX-512 / AVX2 clones, see ew_common.h). Float results are within about 2 ulp (measured
 * against double libm over wide random and special inputs); special values (nan, +-inf, +-0)
 * follow C99 Annex F.
 *
 *   float, computed in float: exp, expm1, log, log2, log10, log1p, sigmoid, tanh, sinh, cosh,
 *     asinh, acosh, atanh, atan, atan2, asin, acos, erf, erfinv, logaddexp. Cody-Waite range
 *     reduction with Taylor or atanh-series polynomials, or polynomial fits.
 *   float through double: sin, cos, tan (the reduction by pi/2 needs the extra bits; arguments
 *     beyond 2^20 go to libm, see unary.c) and pow (exp(y log|x|) must be accurate to 2^-30).
 *   double helpers: exp, log, sqrt, erf, erfinv (float64 erfinv's starting point), sin/cos.
 *   exact: MLX's float remainder (fmod through double, libm's fmod beyond) and the floor
 *     division of integers of up to 32 bits through double (ew_binary.c and fused kernels).
 *
 * Coefficients: Taylor coefficients (1/n!, 2/(2k+1)) and least-squares Chebyshev fits computed
 * for this file with mpmath.chebyfit (the maximum error of each fit is noted next to it).
 */
#ifndef MX_BACKEND_CPU_EW_MATH_H
#define MX_BACKEND_CPU_EW_MATH_H

#include <stdint.h>
#include <string.h>

/* Forced inline: a call left out of line (GCC's size heuristics refuse some of the larger ones)
 * keeps the loop that uses it from being vectorized. */
#define EW_INLINE static inline __attribute__((always_inline))

EW_INLINE uint32_t ew_fbits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}
EW_INLINE float ew_bitsf(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
EW_INLINE uint64_t ew_dbits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}
EW_INLINE double ew_bitsd(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

#define EW_INFF __builtin_inff()
#define EW_NANF __builtin_nanf("")
#define EW_INF __builtin_inf()
#define EW_NAN __builtin_nan("")

/* Horner evaluation of c[0] z^(n-1) + ... + c[n-1] (unrolled: n is a constant at every use).
 * The fitted coefficient tables below are shared with the AVX-512 versions (ew_vec512.h). */
#define EW_NCOEF(c) ((int)(sizeof(c) / sizeof((c)[0])))
EW_INLINE float ew_polyf(float z, const float *c, int n) {
  float p = c[0];
#pragma GCC unroll 16
  for (int k = 1; k < n; k++) p = p * z + c[k];
  return p;
}
EW_INLINE double ew_polyd(double z, const double *c, int n) {
  double p = c[0];
#pragma GCC unroll 16
  for (int k = 1; k < n; k++) p = p * z + c[k];
  return p;
}

/* ------------------------------------------------------------------ float-native */

#define EW_LOG2EF 0x1.715476p+0f
#define EW_LN2HIF 0x1.62e4p-1f /* 15 significant bits: n * hi is exact for |n| < 512 */
#define EW_LN2LOF 0x1.7f7d1cp-20f

static const float ew_exp_taylor[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120,
                                      1.0f / 24,   1.0f / 6,   0.5f};

/* e^x: x = n ln2 + r, |r| <= ln2/2; e^r by its degree-7 Taylor polynomial (truncation < 8e-9);
 * 2^n applied as two factors so results down to the subnormals round once. */
EW_INLINE float ew_expf(float x) {
  float xc = x > 89.0f ? 89.0f : x;
  xc = xc < -104.0f ? -104.0f : xc;
  xc = xc != xc ? 0.0f : xc; /* nan: the float -> int conversion below would be undefined */
  float n = __builtin_rintf(xc * EW_LOG2EF);
  float r = xc - n * EW_LN2HIF;
  r = r - n * EW_LN2LOF;
  float p = ew_polyf(r, ew_exp_taylor, EW_NCOEF(ew_exp_taylor)) * r;
  p = p * r + r; /* e^r - 1, kept separate from the 1 for accuracy */
  int32_t ni = (int32_t)n;
  int32_t n1 = ni >> 1, n2 = ni - n1;
  float y =
      (p + 1.0f) * ew_bitsf((uint32_t)(n1 + 127) << 23) * ew_bitsf((uint32_t)(n2 + 127) << 23);
  return x != x ? x : y;
}

/* e^x - 1 = 2^n (expm1(r) + (1 - 2^-n)): no cancellation for any n, exact for n = 0. */
EW_INLINE float ew_expm1f(float x) {
  float xc = x > 89.0f ? 89.0f : x;
  xc = xc < -30.0f ? -30.0f : xc;
  xc = xc != xc ? 0.0f : xc; /* nan: the float -> int conversion below would be undefined */
  float n = __builtin_rintf(xc * EW_LOG2EF);
  float r = xc - n * EW_LN2HIF;
  r = r - n * EW_LN2LOF;
  float p = 1.0f / 40320;
  p = p * r + 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  float em = (p * r) * r + r;
  int32_t ni = (int32_t)n;
  float nc = n > 30.0f ? 30.0f : n;
  float c = 1.0f - ew_bitsf((uint32_t)(127 - (int32_t)nc) << 23); /* 1 - 2^-n */
  int32_t n1 = ni >> 1, n2 = ni - n1;
  float y = (em + c) * ew_bitsf((uint32_t)(n1 + 127) << 23) * ew_bitsf((uint32_t)(n2 + 127) << 23);
  return (x != x) | (x == 0.0f) ? x : y; /* nan, and the sign of a zero */
}

static const float ew_log_r[] = {2.0f / 9, 2.0f / 7, 2.0f / 5, 2.0f / 3};

/* Splits x > 0 (finite, normal or subnormal) as 2^e * m with m in [sqrt(1/2), sqrt(2)) and
 * returns log(m) = log1p(f), f = m - 1, through s = f / (2 + f):
 *   log1p(f) = f - f^2/2 + s (f^2/2 + R(s^2)),  R(z) = 2z/3 + 2z^2/5 + 2z^3/7 + 2z^4/9
 * (truncation below 2e-9 relative for |s| <= 0.1716). */
EW_INLINE float ew_logm_f(float x, float *e_out) {
  float sub = x < 0x1p-126f ? 1.0f : 0.0f;
  float xs = sub != 0.0f ? x * 0x1p23f : x;
  uint32_t ix = ew_fbits(xs);
  float e = (float)((int32_t)(ix >> 23) - 127) - 23.0f * sub;
  float m = ew_bitsf((ix & 0x007fffffu) | 0x3f800000u);
  float big = m > 0x1.6a09e6p+0f ? 1.0f : 0.0f;
  m = big != 0.0f ? m * 0.5f : m;
  e += big;
  float f = m - 1.0f;
  float s = f / (2.0f + f);
  float z = s * s;
  float R = ew_polyf(z, ew_log_r, EW_NCOEF(ew_log_r)) * z;
  float hfsq = 0.5f * f * f;
  *e_out = e;
  return f - (hfsq - s * (hfsq + R));
}

/* Special values shared by the logarithms: +0/-0 -> -inf, x < 0 -> nan, inf -> inf, nan -> nan. */
EW_INLINE float ew_log_special(float x, float y) {
  y = x == 0.0f ? -EW_INFF : y;
  y = x < 0.0f ? EW_NANF : y;
  y = x == EW_INFF ? EW_INFF : y;
  return x != x ? x : y;
}

EW_INLINE float ew_logf(float x) {
  float e;
  float lm = ew_logm_f(x, &e);
  return ew_log_special(x, e * EW_LN2HIF + (lm + e * EW_LN2LOF));
}

EW_INLINE float ew_log2f(float x) {
  float e;
  float lm = ew_logm_f(x, &e);
  return ew_log_special(x, e + lm * EW_LOG2EF);
}

/* log10(2) = hi - lo with hi exact in 17 bits, so e * hi is exact */
#define EW_LOG10_2HIF 0x1.344136p-2f
#define EW_LOG10_2LOF 0x1.ec10c0p-27f
#define EW_LOG10EF 0x1.bcb7b2p-2f

EW_INLINE float ew_log10f(float x) {
  float e;
  float lm = ew_logm_f(x, &e);
  return ew_log_special(x, e * EW_LOG10_2HIF + (lm * EW_LOG10EF - e * EW_LOG10_2LOF));
}

/* 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0 (accurate into the subnormals). */
EW_INLINE float ew_sigmoidf(float x) {
  float e = ew_expf(-__builtin_fabsf(x));
  return (x < 0.0f ? e : 1.0f) / (1.0f + e);
}

/* tanh: |x| < 0.625: x + x z P(z), z = x^2 (Chebyshev fit of (tanh(x)/x - 1)/z, error 1.6e-9);
 * otherwise 1 - 2e / (1 + e) with e = exp(-2|x|) <= 0.29. */
static const float ew_tanh_p[] = {0.002292744816178142f, -0.008343945515839153f,
                                  0.02176891865102821f,  -0.053959259577204544f,
                                  0.1333330355691574f,   -0.3333333317214036f};
EW_INLINE float ew_tanhf(float x) {
  float ax = __builtin_fabsf(x);
  float z = x * x;
  float p = ew_polyf(z, ew_tanh_p, EW_NCOEF(ew_tanh_p));
  float small = ax + ax * z * p;
  float e = ew_expf(-2.0f * ax);
  float big = 1.0f - 2.0f * e / (1.0f + e);
  float t = ax < 0.625f ? small : big;
  return __builtin_copysignf(t, x);
}

/* ------------------------------------------------------------------ double helpers */

#define EW_LOG2E 0x1.71547652b82fep+0
#define EW_LN2HI 0x1.62e42fee00000p-1 /* 32 significant bits */
#define EW_LN2LO 0x1.a39ef35793c76p-33
#define EW_PI 0x1.921fb54442d18p+1
#define EW_PIO2 0x1.921fb54442d18p+0
#define EW_PIO4 0x1.921fb54442d18p-1
#define EW_SHIFTER 0x1.8p52 /* adding it rounds to an integer kept in the low mantissa bits */

/* sqrt(x) in double without libm (GCC keeps a libm call for errno around __builtin_sqrt unless
 * -fno-math-errno, which blocks vectorization): a bit-level estimate of 1/sqrt(x) (3.5%), three
 * Newton steps (3e-11), then one correction of x * r; relative error ~2e-16 for x >= DBL_MIN. */
EW_INLINE double ew_dsqrt(double x) {
  double r = ew_bitsd(0x5fe6eb50c7b537a9ull - (ew_dbits(x) >> 1));
  double hx = 0.5 * x;
  r = r * (1.5 - hx * r * r);
  r = r * (1.5 - hx * r * r);
  r = r * (1.5 - hx * r * r);
  double s = x * r;
  s = s + 0.5 * r * (x - s * s);
  s = x == 0.0 ? x : s;
  s = x == EW_INF ? x : s;
  s = x < 0.0 ? EW_NAN : s;
  return x != x ? x : s;
}

/* e^x in double, relative error ~2e-16 (degree-12 Taylor on |r| <= ln2/2). The argument is clamped
 * to [-708, 709], where every float result is already 0 or inf. */
EW_INLINE double ew_dexp(double x) {
  double xc = x > 709.0 ? 709.0 : x;
  xc = xc < -708.0 ? -708.0 : xc;
  double kd = xc * EW_LOG2E + EW_SHIFTER;
  double n = kd - EW_SHIFTER;
  double r = xc - n * EW_LN2HI;
  r = r - n * EW_LN2LO;
  double p = 1.0 / 479001600;
  p = p * r + 1.0 / 39916800;
  p = p * r + 1.0 / 3628800;
  p = p * r + 1.0 / 362880;
  p = p * r + 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r * r + r;
  double scale = ew_bitsd((ew_dbits(kd) + 1023u) << 52);
  double y = (p + 1.0) * scale;
  y = x > 709.8 ? EW_INF : y;
  y = x < -745.2 ? 0.0 : y;
  return x != x ? x : y;
}

/* log(x) in double for x = 0, x >= DBL_MIN (normal), inf or nan (what float inputs give);
 * relative error ~1e-15. Same reduction as the float version, series to z^7. */
EW_INLINE double ew_dlog(double x) {
  uint64_t ix = ew_dbits(x);
  double e = ew_bitsd((ix >> 52) | 0x4330000000000000ull) - 0x1p52 - 1023.0;
  double m = ew_bitsd((ix & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  double big = m > 0x1.6a09e667f3bcdp+0 ? 1.0 : 0.0;
  m = big != 0.0 ? m * 0.5 : m;
  e += big;
  double f = m - 1.0;
  double s = f / (2.0 + f);
  double z = s * s;
  double R = 2.0 / 15;
  R = R * z + 2.0 / 13;
  R = R * z + 2.0 / 11;
  R = R * z + 2.0 / 9;
  R = R * z + 2.0 / 7;
  R = R * z + 2.0 / 5;
  R = R * z + 2.0 / 3;
  R = R * z;
  double hfsq = 0.5 * f * f;
  double y = e * EW_LN2HI + ((f - (hfsq - s * (hfsq + R))) + e * EW_LN2LO);
  y = x == 0.0 ? -EW_INF : y;
  y = x < 0.0 ? EW_NAN : y;
  y = x == EW_INF ? EW_INF : y;
  return x != x ? x : y;
}

/* erf(x) in double, absolute error ~1e-15: |x| <= 1: x * P(x^2) (fit of erf(x)/x, 4e-16);
 * 1 < |x| < 6: 1 - e^{-x^2} t Q(u), t = 1/|x|, u = (t - 7/12) * 12/5 (fit of erfc(x) e^{x^2} x on
 * t in [1/6, 1], 2e-12); |x| >= 6: +-1. */
EW_INLINE double ew_derf(double x) {
  double ax = __builtin_fabs(x);
  double z = x * x;
  double p = 9.428596956834164e-09;
  p = p * z - 1.5188281247335167e-07;
  p = p * z + 1.631035651387174e-06;
  p = p * z - 1.4913300906316395e-05;
  p = p * z + 0.00012054681918310599;
  p = p * z - 0.0008548304871782741;
  p = p * z + 0.005223977154105304;
  p = p * z - 0.026866170586496874;
  p = p * z + 0.11283791670580423;
  p = p * z - 0.376126389031744;
  p = p * z + 1.1283791670955121;
  double small = x * p;
  double axc = ax < 1.0 ? 1.0 : (ax > 6.0 ? 6.0 : ax);
  double t = 1.0 / axc;
  double u = (t - 0.5833333333333334) * 2.4;
  double q = 9.289173334014291e-08;
  q = q * u - 3.47759671461474e-08;
  q = q * u - 6.817871706771593e-07;
  q = q * u + 1.3378563755126563e-06;
  q = q * u - 1.05811714583014e-06;
  q = q * u - 2.086323955509994e-07;
  q = q * u + 5.774764313820492e-06;
  q = q * u - 2.3620867576385916e-05;
  q = q * u + 5.9554398214688024e-05;
  q = q * u - 9.310723072658739e-05;
  q = q * u - 2.445126487645856e-06;
  q = q * u + 0.0006408794955020761;
  q = q * u - 0.002669342593605039;
  q = q * u + 0.006219716740040856;
  q = q * u - 0.0019368880768272226;
  q = q * u - 0.07128287790774443;
  q = q * u + 0.49666648512593864;
  double large = 1.0 - ew_dexp(-axc * axc) * t * q;
  large = ax >= 6.0 ? 1.0 : large;
  double y = ax <= 1.0 ? small : __builtin_copysign(large, x);
  return x != x ? x : y;
}

/* erfinv(y) for |y| <= 1 in double: an initial guess (Winitzki's closed form, ~2e-3 relative)
 * refined by two Halley steps on erf(x) - y. |y| > 1 -> nan, +-1 -> +-inf. */
EW_INLINE double ew_derfinv(double y) {
  double ay = __builtin_fabs(y);
  double ayc = ay < 1.0 ? ay : 0.5;
  double l = ew_dlog((1.0 - ayc) * (1.0 + ayc)); /* log(1 - y^2) <= 0 */
  const double a = 0.147;
  double b = 2.0 / (EW_PI * a) + 0.5 * l;
  double x = ew_dsqrt(ew_dsqrt(b * b - l / a) - b);
  /* Halley: x -= f / (f' - f f'' / (2 f')), with f' = 2/sqrt(pi) e^{-x^2}, f'' = -2x f' */
  double f = ew_derf(x) - ayc;
  x = x - f / (0x1.20dd750429b6dp+0 * ew_dexp(-x * x) + x * f);
  f = ew_derf(x) - ayc;
  x = x - f / (0x1.20dd750429b6dp+0 * ew_dexp(-x * x) + x * f);
  x = ay == 1.0 ? EW_INF : x;
  x = ay > 1.0 ? EW_NAN : x;
  x = __builtin_copysign(x, y);
  return y != y ? y : x;
}

/* sin and cos of a float x with |x| < 2^20 (callers route larger and non-finite arguments to
 * libm): n = round(x 2/pi), r = x - n pi/2 with pi/2 in three parts (the first two exact in 33
 * bits, so n * part is exact), then Taylor polynomials on |r| <= pi/4 (truncation < 1e-11). */
#define EW_TRIG_LIMITF 0x1p20f

EW_INLINE void ew_dsincos_red(double x, double *r_out, uint64_t *q_out) {
  double kd = x * 0x1.45f306dc9c883p-1 + EW_SHIFTER;
  double n = kd - EW_SHIFTER;
  double r = x - n * 0x1.921fb54400000p+0;
  r = r - n * 0x1.0b4611a600000p-34;
  r = r - n * 0x1.3198a2e037073p-69;
  *r_out = r;
  *q_out = ew_dbits(kd) & 3u;
}

EW_INLINE double ew_dsin_poly(double r) {
  double z = r * r;
  double p = -1.0 / 39916800;
  p = p * z + 1.0 / 362880;
  p = p * z - 1.0 / 5040;
  p = p * z + 1.0 / 120;
  p = p * z - 1.0 / 6;
  return r * (1.0 + z * p); /* keeps the sign of a zero */
}

EW_INLINE double ew_dcos_poly(double r) {
  double z = r * r;
  double p = 1.0 / 479001600;
  p = p * z - 1.0 / 3628800;
  p = p * z + 1.0 / 40320;
  p = p * z - 1.0 / 720;
  p = p * z + 1.0 / 24;
  p = p * z - 0.5;
  return 1.0 + z * p;
}

EW_INLINE double ew_dsin(double x) {
  double r;
  uint64_t q;
  ew_dsincos_red(x, &r, &q);
  double s = ew_dsin_poly(r), c = ew_dcos_poly(r);
  double v = (q & 1u) ? c : s;
  return (q & 2u) ? -v : v;
}

EW_INLINE double ew_dcos(double x) {
  double r;
  uint64_t q;
  ew_dsincos_red(x, &r, &q);
  double s = ew_dsin_poly(r), c = ew_dcos_poly(r);
  double v = (q & 1u) ? s : c;
  return ((q + 1u) & 2u) ? -v : v;
}

/* ------------------------------------------------------------------ float functions via double */

EW_INLINE float ew_sinf(float x) {
  return (float)ew_dsin(x);
}
EW_INLINE float ew_cosf(float x) {
  return (float)ew_dcos(x);
}

/* log|x| and exp for pow's float results: y log|x| needs about 2^-25 absolute accuracy where
 * the result is representable (|y log x| < 104), so the series are shorter than ew_dlog's and
 * ew_dexp's (truncation 6e-11 and 2e-10 relative). */
static const double ew_dlog_pow_r[] = {2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5, 2.0 / 3};
static const double ew_dexp_pow_taylor[] = {1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120,
                                            1.0 / 24,    1.0 / 6,    0.5};
EW_INLINE double ew_dlog_pow(double x) {
  uint64_t ix = ew_dbits(x);
  double e = ew_bitsd((ix >> 52) | 0x4330000000000000ull) - 0x1p52 - 1023.0;
  double m = ew_bitsd((ix & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  double big = m > 0x1.6a09e667f3bcdp+0 ? 1.0 : 0.0;
  m = big != 0.0 ? m * 0.5 : m;
  e += big;
  double f = m - 1.0;
  double s = f / (2.0 + f);
  double z = s * s;
  double R = ew_polyd(z, ew_dlog_pow_r, EW_NCOEF(ew_dlog_pow_r)) * z;
  double hfsq = 0.5 * f * f;
  double y = e * 0x1.62e42fefa39efp-1 + (f - (hfsq - s * (hfsq + R)));
  y = x == 0.0 ? -EW_INF : y;
  y = x == EW_INF ? EW_INF : y;
  return x != x ? x : y;
}

EW_INLINE double ew_dexp_pow(double x) {
  double xc = x > 709.0 ? 709.0 : x;
  xc = xc < -708.0 ? -708.0 : xc;
  double kd = xc * EW_LOG2E + EW_SHIFTER;
  double n = kd - EW_SHIFTER;
  double r = xc - n * EW_LN2HI;
  r = r - n * EW_LN2LO;
  double p = ew_polyd(r, ew_dexp_pow_taylor, EW_NCOEF(ew_dexp_pow_taylor));
  p = p * r * r + r;
  double y = (p + 1.0) * ew_bitsd((ew_dbits(kd) + 1023u) << 52);
  y = x > 709.8 ? EW_INF : y;
  return x != x ? x : y;
}

/* x^y for floats with C's special cases, as exp(y log|x|) in double. */
EW_INLINE float ew_powf(float xf, float yf) {
  double x = xf, y = yf;
  double ax = __builtin_fabs(x);
  double l = ew_dlog_pow(ax);
  double t = y * l;
  t = ((y == 0.0) | (ax == 1.0)) ? 0.0 : t; /* avoids 0 * inf */
  double r = ew_dexp_pow(t);
  double fy = __builtin_floor(y);
  int is_int = fy == y;
  int is_odd = is_int & (__builtin_floor(y * 0.5) != y * 0.5);
  r = ((int)(ew_dbits(x) >> 63) & is_odd) ? -r : r;
  r = ((x < 0.0) & (x > -EW_INF) & !is_int) ? EW_NAN : r;
  r = ((y != y) & (ax != 1.0)) ? EW_NAN : r; /* x nan propagates through l */
  r = ((x == 1.0) | (y == 0.0)) ? 1.0 : r;
  r = ((x == -1.0) & (__builtin_fabs(y) == EW_INF)) ? 1.0 : r;
  return (float)r;
}

/* ------------------------------------------------------------------ more float-native */

#define EW_PIO2HIF 0x1.921fb6p+0f
#define EW_PIO2LOF -0x1.777a5cp-25f
#define EW_PIO4HIF 0x1.921fb6p-1f
#define EW_PIO4LOF -0x1.777a5cp-26f
#define EW_PIHIF 0x1.921fb6p+1f
#define EW_PILOF -0x1.777a5cp-24f

/* sqrt in float without libm (see ew_dsqrt): bit-level 1/sqrt estimate, two Newton steps and a
 * correction of x * r; about 1 ulp. Internal use only (the sqrt op uses the hardware). */
EW_INLINE float ew_fsqrt(float x) {
  float r = ew_bitsf(0x5f3759dfu - (ew_fbits(x) >> 1));
  float hx = 0.5f * x;
  r = r * (1.5f - hx * r * r);
  r = r * (1.5f - hx * r * r);
  r = r * (1.5f - hx * r * r);
  float s = x * r;
  s = s + 0.5f * r * (x - s * s);
  s = x == 0.0f ? x : s;
  s = x == EW_INFF ? x : s;
  s = x < 0.0f ? EW_NANF : s;
  return x != x ? x : s;
}

/* log(1 + x) = log(u) + (x - (u - 1)) / u with u = 1 + x rounded: the second term is the
 * first-order correction for the rounding of u. */
EW_INLINE float ew_log1pf(float x) {
  float u = 1.0f + x;
  float l = ew_logf(u);
  float y = l + (x - (u - 1.0f)) / u;
  y = (u <= 0.0f) | (u == EW_INFF) ? l : y;
  return (x != x) | (x == 0.0f) ? x : y; /* nan, and the sign of a zero */
}

/* atan of t >= 0 (or +inf): reduced to |r| <= tan(pi/8) around 0, pi/4 or pi/2, then
 * r + r z P(z), z = r^2 (Chebyshev fit of (atan(r)/r - 1)/z, error 1.6e-8; ew_vec512.h's
 * v16_atan computes the same sixteen lanes at a time). */
static const float ew_atan_p[] = {-0.06451928208121749f, 0.10743731490791084f, -0.1426395559798464f,
                                  0.19999540483648964f, -0.3333333176116852f};
EW_INLINE float ew_atan_pos_f(float ax) {
  float r_hi = -1.0f / ax, r_mid = (ax - 1.0f) / (ax + 1.0f);
  int hi = ax > 0x1.3504f4p+1f, mid = ax > 0x1.a8279ap-2f;
  float r = mid ? r_mid : ax;
  r = hi ? r_hi : r;
  float off_hi = mid ? EW_PIO4HIF : 0.0f, off_lo = mid ? EW_PIO4LOF : 0.0f;
  off_hi = hi ? EW_PIO2HIF : off_hi;
  off_lo = hi ? EW_PIO2LOF : off_lo;
  float z = r * r, p = ew_polyf(z, ew_atan_p, EW_NCOEF(ew_atan_p));
  return off_hi + (r + (r * z * p + off_lo));
}

EW_INLINE float ew_atanf(float x) {
  float y = __builtin_copysignf(ew_atan_pos_f(__builtin_fabsf(x)), x);
  return x != x ? x : y;
}

/* atan2(y, x) with C's special cases: atan(|y| / |x|), then the quadrant. */
EW_INLINE float ew_atan2f(float y, float x) {
  int both_inf = (__builtin_fabsf(y) == EW_INFF) & (__builtin_fabsf(x) == EW_INFF);
  float yy = both_inf ? __builtin_copysignf(1.0f, y) : y;
  float xx = both_inf ? __builtin_copysignf(1.0f, x) : x;
  float t = __builtin_fabsf(yy) / __builtin_fabsf(xx);
  t = yy == 0.0f ? 0.0f : t;
  float a = ew_atan_pos_f(t);
  a = (ew_fbits(xx) >> 31) ? EW_PIHIF - (a - EW_PILOF) : a;
  a = __builtin_copysignf(a, y);
  return ((x != x) | (y != y)) ? x + y : a;
}

/* asin of v in [0, sqrt(1/2)] (z = v^2 <= 1/2): v + v z P(z), Chebyshev fit of
 * (asin(v)/v - 1)/z (error 1.8e-8). */
static const float ew_asin_p[] = {
    0.09469734959597223f, -0.07972071595315332f, 0.06379697638268081f, 0.010435325974988746f,
    0.03199023922716213f, 0.044538813973175724f, 0.07500252163633334f, 0.16666665678232892f};
EW_INLINE float ew_asin_small_f(float v, float z) {
  float p = ew_polyf(z, ew_asin_p, EW_NCOEF(ew_asin_p));
  return v + v * z * p;
}

/* |x| <= sqrt(1/2): the series; beyond: asin |x| = pi/2 - 2 asin(sqrt((1 - |x|) / 2)), where
 * 2 asin(...) <= pi/4 so the subtraction loses nothing. */
EW_INLINE float ew_asinf(float x) {
  float ax = __builtin_fabsf(x);
  int big = ax > 0x1.6a09e6p-1f;
  float w = 0.5f * (1.0f - ax); /* exact for |x| >= 1/2 */
  float s = ew_fsqrt(w);
  float v = big ? s : ax, z = big ? w : x * x;
  float r = ew_asin_small_f(v, z);
  float y = big ? EW_PIO2HIF - (2.0f * r - EW_PIO2LOF) : r;
  y = __builtin_copysignf(y, x);
  return x != x ? x : y;
}

/* |x| <= sqrt(1/2): pi/2 - asin(x); x > sqrt(1/2): 2 asin(sqrt((1 - x) / 2)); below
 * -sqrt(1/2): pi - that. */
EW_INLINE float ew_acosf(float x) {
  float ax = __builtin_fabsf(x);
  int big = ax > 0x1.6a09e6p-1f;
  float w = 0.5f * (1.0f - ax);
  float s = ew_fsqrt(w);
  float v = big ? s : x, z = big ? w : x * x;
  float r = ew_asin_small_f(v, z);
  float small = EW_PIO2HIF - (r - EW_PIO2LOF);
  float pos = 2.0f * r;
  float neg = EW_PIHIF - (2.0f * r - EW_PILOF);
  float y = big ? (x > 0.0f ? pos : neg) : small;
  return x != x ? x : y;
}

/* erf: |x| < 1: x + x P(x^2) (fit of erf(x)/x - 1, 1.2e-9); 1 <= |x| < 3.92: 1 - erfc(|x|) with
 * erfc = 2^Q(|x| - 3/2) (fit of log2 erfc weighted by erfc, 1.0e-9; no division, and |x| - 3/2
 * is exact) and 2^r = 1 + r P(r) on [-1/2, 1/2] (2.0e-9 relative); beyond: +-1 in float.
 * Fits: scripts/fit_vmath.py. */
static const float ew_erfc_log2_q[] = {
    0.0002677314914762974f, -0.0018314191838726401f, 0.00868702121078968f, -0.037250928580760956f,
    -1.2878098487854004f,   -5.062129974365234f,     -4.8827900886535645f};
/* log1p(t) / t on [0, 1]: logaddexp's softplus term (scripts/fit_vmath.py; error 6.3e-10) */
static const float ew_log1p_unit_p[] = {0.002089903922751546f,
                                        -0.013705913908779621f,
                                        0.04211246222257614f,
                                        -0.08318813890218735f,
                                        0.1247151792049408f,
                                        -0.16129057109355927f,
                                        0.19897009432315826f,
                                        -0.24988234043121338f,
                                        0.3333263397216797f,
                                        -0.49999985098838806f,
                                        1.0f};
static const float ew_exp2_p[] = {0.00015353357593994588f, 0.0013398876180872321f,
                                  0.009618437848985195f,   0.055503323674201965f,
                                  0.24022647738456726f,    0.6931471824645996f};
static const float ew_erf_p[] = {
    7.875875062685488e-05f, -0.000801686428716587f, 0.005189087423433974f, -0.026854212010626412f,
    0.11283594715160218f,   -0.37612626666720334f,  0.12837916584835093f};
EW_INLINE float ew_erff(float x) {
  float ax = __builtin_fabsf(x);
  float z = x * x;
  float p = ew_polyf(z, ew_erf_p, EW_NCOEF(ew_erf_p));
  float small = x + x * p;
  float a = !(ax >= 1.0f) ? 1.0f : (ax > 3.92f ? 3.92f : ax); /* nan -> 1: n goes to int */
  float q = ew_polyf(a - 1.5f, ew_erfc_log2_q, EW_NCOEF(ew_erfc_log2_q)); /* in [-25.2, -2.6] */
  float n = __builtin_rintf(q), r = q - n;
  float erfc = (ew_polyf(r, ew_exp2_p, EW_NCOEF(ew_exp2_p)) * r + 1.0f) *
               ew_bitsf((uint32_t)((int32_t)n + 127) << 23);
  float big = ax >= 3.92f ? 1.0f : 1.0f - erfc;
  float y = ax < 1.0f ? small : __builtin_copysignf(big, x);
  return x != x ? x : y;
}

/* log(e^a + e^b) = max + log1p(t), t = e^{-|a - b|} in (0, 1], with log1p(t) = t P(t) (as
 * v16_logaddexp_by_exp); equal infinities give themselves, nan gives nan. */
EW_INLINE float ew_logaddexpf(float a, float b) {
  float mx = a > b ? a : b;
  float d = -__builtin_fabsf(a - b), t = ew_expf(d);
  float y = __builtin_fmaf(t, ew_polyf(t, ew_log1p_unit_p, EW_NCOEF(ew_log1p_unit_p)), mx);
  y = __builtin_fabsf(mx) == EW_INFF ? mx : y;
  return ((a != a) | (b != b)) ? a + b : y;
}

/* tan from the double sine and cosine, divided in float (<= 1.5 ulp). */
EW_INLINE float ew_tanf(float x) {
  double r;
  uint64_t q;
  ew_dsincos_red(x, &r, &q);
  float sn = (float)ew_dsin_poly(r), cs = (float)ew_dcos_poly(r);
  return (q & 1u) ? -cs / sn : sn / cs;
}

/* sin, cos and tan of any float: the functions above below EW_TRIG_LIMITF, the C library's
 * beyond (infinities and nans too) */
EW_INLINE float ew_sin_fullf(float x) {
  return __builtin_fabsf(x) < EW_TRIG_LIMITF ? ew_sinf(x) : __builtin_sinf(x);
}
EW_INLINE float ew_cos_fullf(float x) {
  return __builtin_fabsf(x) < EW_TRIG_LIMITF ? ew_cosf(x) : __builtin_cosf(x);
}
EW_INLINE float ew_tan_fullf(float x) {
  return __builtin_fabsf(x) < EW_TRIG_LIMITF ? ew_tanf(x) : __builtin_tanf(x);
}

/* (e^x - 1) / 2, as ew_expm1f with the halving folded into the scale so that results up to
 * FLT_MAX do not overflow on the way (x <= 89.4). */
EW_INLINE float ew_expm1hf(float x) {
  float xc = x > 90.0f ? 90.0f : x;
  xc = xc < -30.0f ? -30.0f : xc;
  xc = xc != xc ? 0.0f : xc; /* nan: the float -> int conversion below would be undefined */
  float n = __builtin_rintf(xc * EW_LOG2EF);
  float r = xc - n * EW_LN2HIF;
  r = r - n * EW_LN2LOF;
  float p = 1.0f / 40320;
  p = p * r + 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  float em = (p * r) * r + r;
  int32_t ni = (int32_t)n;
  float nc = n > 30.0f ? 30.0f : n;
  float c = 1.0f - ew_bitsf((uint32_t)(127 - (int32_t)nc) << 23);
  int32_t n1 = ni >> 1, n2 = ni - n1 - 1;
  float y = (em + c) * ew_bitsf((uint32_t)(n1 + 127) << 23) * ew_bitsf((uint32_t)(n2 + 127) << 23);
  return x != x ? x : y;
}

/* sinh |x| = h + h / (2h + 1) with h = (e^|x| - 1) / 2 (accurate near 0, no early overflow);
 * cosh |x| = (h + 1/2) + (1/4) / (h + 1/2). */
EW_INLINE float ew_sinhf(float x) {
  float h = ew_expm1hf(__builtin_fabsf(x));
  float y = h + h / (2.0f * h + 1.0f);
  y = h == EW_INFF ? h : y;
  y = __builtin_fabsf(x) < 0x1p-12f ? __builtin_fabsf(x) : y; /* x^3/6 is below an ulp */
  return __builtin_copysignf(y, x);
}

EW_INLINE float ew_coshf(float x) {
  float e = ew_expm1hf(__builtin_fabsf(x)) + 0.5f;
  return e + 0.25f / e;
}

#define EW_LN2F 0x1.62e430p-1f

/* asinh |x| = log1p(a): a = |x| + x^2 / (1 + sqrt(1 + x^2)) up to 2^12, then 2|x| - 1 (log 2|x|
 * to within 1/(2|x|)), beyond 2^100 a = |x| plus log 2 added; one log1p for all. */
EW_INLINE float ew_asinhf(float x) {
  float ax = __builtin_fabsf(x);
  float axc = ax > 0x1p12f ? 0x1p12f : ax;
  float t = axc * axc;
  float a = axc + t / (1.0f + ew_fsqrt(1.0f + t));
  a = ax > 0x1p12f ? 2.0f * ax - 1.0f : a;
  a = ax > 0x1p100f ? ax : a;
  float y = ew_log1pf(a) + (ax > 0x1p100f ? EW_LN2F : 0.0f);
  y = __builtin_copysignf(y, x);
  return x != x ? x : y;
}

/* acosh x = log1p(a): x < 2: a = t + sqrt(2t + t^2), t = x - 1 (exact; the argument in double);
 * up to 2^12: a = 2x - 1 - 1 / (x + sqrt(x^2 - 1)); up to 2^100: 2x - 1; beyond: x, plus
 * log 2. x < 1: nan. */
EW_INLINE float ew_acoshf(float x) {
  float xc = x > 0x1p12f ? 0x1p12f : (x < 1.0f ? 1.0f : x);
  double td = xc - 1.0f; /* 2t + t^2 is exact in double */
  float small = (float)(td + ew_dsqrt(2.0 * td + td * td));
  float mid = 2.0f * xc - 1.0f - 1.0f / (xc + ew_fsqrt(xc * xc - 1.0f));
  float a = x < 2.0f ? small : mid;
  a = x > 0x1p12f ? 2.0f * x - 1.0f : a;
  a = x > 0x1p100f ? x : a;
  float y = ew_log1pf(a) + (x > 0x1p100f ? EW_LN2F : 0.0f);
  y = x < 1.0f ? EW_NANF : y;
  return x != x ? x : y;
}

/* atanh |x| = log1p(2|x| + 2x^2 / (1 - |x|)) / 2 below 1/2, log1p(2|x| / (1 - |x|)) / 2 above
 * (+-1: +-inf; beyond: nan through log1p). */
EW_INLINE float ew_atanhf(float x) {
  float ax = __builtin_fabsf(x);
  float t = ax + ax;
  float small = 0.5f * ew_log1pf(t + t * ax / (1.0f - ax));
  float big = 0.5f * ew_log1pf(t / (1.0f - ax));
  float y = ax < 0.5f ? small : big;
  y = __builtin_copysignf(y, x);
  return x != x ? x : y;
}

/* erfinv: w = -log(1 - x^2); w <= 5: x P1(w) (fit of erfinv(x)/x over w, 4e-9);
 * beyond: P2(v), v = (sqrt(w) - 3.2394) * 0.99672 (fit of erfinv over sqrt(w) in
 * [sqrt 5, sqrt 18], 3e-9). +-1: +-inf; |x| > 1: nan. */
static const float ew_erfinv_q[] = {3.292001631350287e-06f,  -1.412403894002523e-05f,
                                    2.048804985183014e-05f,  2.239008259171558e-05f,
                                    -0.000227861122011224f,  0.000879730620890471f,
                                    -0.0025070729159015408f, 0.004762406534778364f,
                                    1.0087094562900125f,     3.0731419797882986f};
static const float ew_erfinv_p[] = {
    4.671932509038665e-10f,   -2.0418841975426785e-08f, 3.440101487642903e-07f,
    -2.696533465757212e-06f,  6.531430799205241e-06f,   3.8981637368426895e-05f,
    -0.00012002570136587074f, -0.0023400270757833017f,  0.011550900732630565f,
    0.23201347310748227f,     0.8862269294433731f};
EW_INLINE float ew_erfinvf(float x) {
  float ax = __builtin_fabsf(x);
  float axc = ax < 1.0f ? ax : 0.0f;
  float w = -ew_logf((1.0f - axc) * (1.0f + axc));
  float p = ew_polyf(w, ew_erfinv_p, EW_NCOEF(ew_erfinv_p));
  float small = axc * p;
  float v = (ew_fsqrt(w) - 3.2393543323095373f) * 0.9967244099413961f;
  float q = ew_polyf(v, ew_erfinv_q, EW_NCOEF(ew_erfinv_q));
  float y = w <= 5.0f ? small : q;
  y = ax == 1.0f ? EW_INFF : y;
  y = ax > 1.0f ? EW_NANF : y;
  y = __builtin_copysignf(y, x);
  return x != x ? x : y;
}

/* ------------------------------------------------------------------ remainder, floor division */

/* MLX's remainder of floats: r = fmod(x, y); r += y when r is nonzero and its sign differs from
 * y's. fmod is exact, so every way of computing it below gives the same bits. */
EW_INLINE float ew_rem_fixf(float r, float y) {
  return (r != 0.0f && ((r < 0.0f) != (y < 0.0f))) ? r + y : r;
}
/* fmod by the C library: any arguments (zero and infinite divisors, nans, huge ratios) */
EW_INLINE float ew_remainder_slowf(float x, float y) {
  return ew_rem_fixf(__builtin_fmodf(x, y), y);
}
/* fmod through double for |x| < 2^28 |y| (finite, y != 0): q = trunc(x / y) may come out one too
 * large in magnitude when x / y rounds up to an integer; then x - q y (exact) has the wrong
 * sign and one |y| is given back. The fmod value is exact in float. */
EW_INLINE float ew_remainder_fastf(float x, float y) {
  double xd = x, yd = y;
  double q = __builtin_trunc(xd / yd);
  double f = xd - q * yd;
  int wrong = (f != 0.0) & ((f < 0.0) != (xd < 0.0));
  f = wrong ? f - __builtin_copysign(__builtin_fabs(yd), f) : f;
  float r = f == 0.0 ? __builtin_copysignf(0.0f, x) : (float)f;
  return ew_rem_fixf(r, y);
}
EW_INLINE int ew_remainder_fast_ok(float x, float y) {
  return (__builtin_fabsf(x) < 0x1p28f * __builtin_fabsf(y)) & (__builtin_fabsf(y) < EW_INFF);
}
/* The remainder of any floats (a call to the C library outside the fast range, as sin_full;
 * ew_vec512.h's v16_remainder gives the same bits sixteen lanes at a time). */
EW_INLINE float ew_remainderf(float x, float y) {
  return ew_remainder_fast_ok(x, y) ? ew_remainder_fastf(x, y) : ew_remainder_slowf(x, y);
}

/* Floor division of integers of up to 32 bits through double, which vectorizes (x86 has no
 * vector integer division): for |x| < 2^31 and |y| >= 1 the quotient x / y rounded to double is
 * off by at most |x / y| 2^-53 < 1 / |y|, less than its distance to the next integer when it is
 * not an integer itself, so its floor is exact. Division by 0 gives 0; INT32_MIN // -1 (2^31)
 * wraps to INT32_MIN. The remainder is x - q y in wrapping arithmetic (x itself for y = 0). */
EW_INLINE int32_t ew_floor_divi(double x, double y) {
  double q = __builtin_floor(x / y);
  q = y == 0.0 ? 0.0 : q;
  q = q >= 2147483648.0 ? -2147483648.0 : q;
  return (int32_t)q;
}

#endif
