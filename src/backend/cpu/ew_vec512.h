/* AVX-512 versions of ew_math.h's float functions, sixteen lanes at a time.
 *
 * Same reductions, polynomials and special values as the scalar functions (the fitted
 * coefficient tables are shared), written with the instructions a compiler cannot derive from
 * the scalar code: vgetexp/vgetmant split a float into exponent and mantissa (subnormals
 * included), vscalef applies 2^n with overflow to inf and underflow through the subnormals in
 * one rounding, masks select between branches. A lane's result may differ from the scalar
 * function's by an ulp or so (different but equally accurate evaluation orders); both stay
 * within about 2 ulp of the exact value (tests/test_vmath.c).
 *
 * Used by unary.c / ew_binary.c for float32 rows when the CPU has AVX-512 (ew_vec512_ok()),
 * and by generated fused kernels through the prelude. */
#ifndef MX_BACKEND_CPU_EW_VEC512_H
#define MX_BACKEND_CPU_EW_VEC512_H

#ifndef MX_BACKEND_CPU_EW_MATH_H /* in the fused kernels' prelude, ew_math.h's text comes first */
#include "backend/cpu/ew_math.h"
#endif

/* In a generated fused kernel only when it calls some of these (fused_codegen.c) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&                             \
    (!defined(MX_FUSED_KERNEL) || defined(FX_NEED_VMATH))
#define EW_HAVE_VEC512 1
#include <immintrin.h>

#define EW_V16_TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))
#define EW_V16 static inline __attribute__((always_inline)) EW_V16_TARGET

typedef __m512 ew_v16;

EW_V16 ew_v16 v16c(float c) {
  return _mm512_set1_ps(c);
}
EW_V16 ew_v16 v16_poly(ew_v16 z, const float *c, int n) {
  ew_v16 p = v16c(c[0]);
#pragma GCC unroll 16
  for (int k = 1; k < n; k++) p = _mm512_fmadd_ps(p, z, v16c(c[k]));
  return p;
}
/* m ? b : a, lane by lane */
EW_V16 ew_v16 v16_sel(__mmask16 m, ew_v16 a, ew_v16 b) {
  return _mm512_mask_blend_ps(m, a, b);
}
EW_V16 __mmask16 v16_lt(ew_v16 a, ew_v16 b) {
  return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ);
}
EW_V16 __mmask16 v16_le(ew_v16 a, ew_v16 b) {
  return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ);
}
EW_V16 __mmask16 v16_eq(ew_v16 a, ew_v16 b) {
  return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ);
}
EW_V16 __mmask16 v16_isnan(ew_v16 a) {
  return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q);
}
/* magnitude of mag, sign of sgn */
EW_V16 ew_v16 v16_copysign(ew_v16 mag, ew_v16 sgn) {
  __m512i r = _mm512_ternarylogic_epi32(_mm512_castps_si512(mag), _mm512_castps_si512(sgn),
                                        _mm512_set1_epi32((int)0x80000000u), 0xD8);
  return _mm512_castsi512_ps(r);
}
/* max/min that keep a nan x (vmaxps returns its second operand when either is nan) */
EW_V16 ew_v16 v16_max_keepnan(ew_v16 x, float c) {
  return _mm512_max_ps(v16c(c), x);
}
EW_V16 ew_v16 v16_min_keepnan(ew_v16 x, float c) {
  return _mm512_min_ps(v16c(c), x);
}

/* ------------------------------------------------------------------ exp family */

/* x in [-104, 90] (or nan): returns e^r with e^x = e^r 2^n (ew_expf's reduction and series). */
EW_V16 ew_v16 v16_exp_reduce(ew_v16 x, ew_v16 *n_out) {
  ew_v16 n = _mm512_roundscale_ps(_mm512_mul_ps(x, v16c(EW_LOG2EF)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  ew_v16 r = _mm512_fnmadd_ps(n, v16c(EW_LN2HIF), x);
  r = _mm512_fnmadd_ps(n, v16c(EW_LN2LOF), r);
  ew_v16 p = v16_poly(r, ew_exp_taylor, EW_NCOEF(ew_exp_taylor));
  p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r); /* e^r - 1 */
  *n_out = n;
  return _mm512_add_ps(p, v16c(1.0f));
}

EW_V16 ew_v16 v16_exp(ew_v16 x) {
  ew_v16 n, xc = v16_min_keepnan(v16_max_keepnan(x, -104.0f), 89.0f);
  ew_v16 er = v16_exp_reduce(xc, &n);
  return _mm512_scalef_ps(er, n);
}

/* e^x / 2 for x >= 0 or nan, without overflow on the way (finite up to x = 89.41). */
EW_V16 ew_v16 v16_exp_half(ew_v16 x) {
  ew_v16 n, er = v16_exp_reduce(v16_min_keepnan(x, 90.0f), &n);
  return _mm512_scalef_ps(er, _mm512_sub_ps(n, v16c(1.0f)));
}

EW_V16 ew_v16 v16_sigmoid(ew_v16 x) {
  ew_v16 e = v16_exp(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(x)));
  ew_v16 num = v16_sel(v16_lt(x, _mm512_setzero_ps()), v16c(1.0f), e);
  return _mm512_div_ps(num, _mm512_add_ps(v16c(1.0f), e));
}

EW_V16 ew_v16 v16_tanh(ew_v16 x) {
  ew_v16 ax = _mm512_abs_ps(x), z = _mm512_mul_ps(x, x);
  ew_v16 p = v16_poly(z, ew_tanh_p, EW_NCOEF(ew_tanh_p));
  ew_v16 small = _mm512_fmadd_ps(_mm512_mul_ps(ax, z), p, ax);
  ew_v16 e = v16_exp(_mm512_mul_ps(v16c(-2.0f), ax));
  ew_v16 big =
      _mm512_sub_ps(v16c(1.0f), _mm512_div_ps(_mm512_add_ps(e, e), _mm512_add_ps(v16c(1.0f), e)));
  return v16_copysign(v16_sel(v16_lt(ax, v16c(0.625f)), big, small), x);
}

/* sinh: |x| < 1 by its Taylor series (odd, to x^11: truncation 1.6e-10 relative); beyond,
 * E - 1/(4E) with E = e^|x| / 2. cosh = E + 1/(4E). */
EW_V16 ew_v16 v16_sinh(ew_v16 x) {
  static const float taylor[] = {1.0f / 39916800, 1.0f / 362880, 1.0f / 5040, 1.0f / 120, 1.0f / 6};
  ew_v16 ax = _mm512_abs_ps(x), z = _mm512_mul_ps(x, x);
  ew_v16 small = _mm512_fmadd_ps(_mm512_mul_ps(ax, z), v16_poly(z, taylor, EW_NCOEF(taylor)), ax);
  ew_v16 e = v16_exp_half(ax);
  ew_v16 big = _mm512_sub_ps(e, _mm512_div_ps(v16c(0.25f), e));
  return v16_copysign(v16_sel(v16_lt(ax, v16c(1.0f)), big, small), x);
}

EW_V16 ew_v16 v16_cosh(ew_v16 x) {
  ew_v16 e = v16_exp_half(_mm512_abs_ps(x));
  return _mm512_add_ps(e, _mm512_div_ps(v16c(0.25f), e));
}

/* ------------------------------------------------------------------ log family */

/* x = 2^e m with m in [3/4, 3/2) (subnormals normalized by vgetmant); returns log(m) by
 * ew_logm_f's series. Negative x gives a nan m; zeros, infinities are fixed by the callers. */
EW_V16 ew_v16 v16_logm(ew_v16 x, ew_v16 *e_out) {
  ew_v16 m = _mm512_getmant_ps(x, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_nan);
  *e_out = _mm512_sub_ps(_mm512_getexp_ps(x), _mm512_getexp_ps(m));
  ew_v16 f = _mm512_sub_ps(m, v16c(1.0f));
  ew_v16 s = _mm512_div_ps(f, _mm512_add_ps(v16c(2.0f), f));
  ew_v16 z = _mm512_mul_ps(s, s);
  ew_v16 R = _mm512_mul_ps(v16_poly(z, ew_log_r, EW_NCOEF(ew_log_r)), z);
  ew_v16 hfsq = _mm512_mul_ps(_mm512_mul_ps(v16c(0.5f), f), f);
  return _mm512_sub_ps(f, _mm512_fnmadd_ps(s, _mm512_add_ps(hfsq, R), hfsq));
}

/* The logarithms' special values: zeros -> -inf, +inf -> +inf (negative and nan are nan). */
EW_V16 ew_v16 v16_log_special(ew_v16 x, ew_v16 y) {
  y = v16_sel(v16_eq(x, _mm512_setzero_ps()), y, v16c(-EW_INFF));
  return v16_sel(v16_eq(x, v16c(EW_INFF)), y, x);
}

EW_V16 ew_v16 v16_log(ew_v16 x) {
  ew_v16 e, lm = v16_logm(x, &e);
  ew_v16 y = _mm512_fmadd_ps(e, v16c(EW_LN2HIF), _mm512_fmadd_ps(e, v16c(EW_LN2LOF), lm));
  return v16_log_special(x, y);
}

EW_V16 ew_v16 v16_log2(ew_v16 x) {
  ew_v16 e, lm = v16_logm(x, &e);
  return v16_log_special(x, _mm512_fmadd_ps(lm, v16c(EW_LOG2EF), e));
}

EW_V16 ew_v16 v16_log10(ew_v16 x) {
  ew_v16 e, lm = v16_logm(x, &e);
  ew_v16 lo = _mm512_fnmadd_ps(e, v16c(EW_LOG10_2LOF), _mm512_mul_ps(lm, v16c(EW_LOG10EF)));
  return v16_log_special(x, _mm512_fmadd_ps(e, v16c(EW_LOG10_2HIF), lo));
}

/* log1p: ew_log1pf's correction of the rounding of u = 1 + x. */
EW_V16 ew_v16 v16_log1p(ew_v16 x) {
  ew_v16 u = _mm512_add_ps(v16c(1.0f), x);
  ew_v16 l = v16_log(u);
  ew_v16 c = _mm512_div_ps(_mm512_sub_ps(x, _mm512_sub_ps(u, v16c(1.0f))), u);
  __mmask16 plain = v16_le(u, _mm512_setzero_ps()) | v16_eq(u, v16c(EW_INFF));
  ew_v16 y = v16_sel(plain, _mm512_add_ps(l, c), l);
  return v16_sel(v16_eq(x, _mm512_setzero_ps()), y, x); /* keeps -0 */
}

/* asinh, acosh, atanh: ew_asinhf's, ew_acoshf's and ew_atanhf's arguments to one log1p (acosh's
 * t(2 + t) by an fma instead of in double). */
EW_V16 ew_v16 v16_asinh(ew_v16 x) {
  ew_v16 ax = _mm512_abs_ps(x);
  ew_v16 axc = v16_min_keepnan(ax, 0x1p12f), t = _mm512_mul_ps(axc, axc);
  ew_v16 root = _mm512_sqrt_ps(_mm512_add_ps(v16c(1.0f), t));
  ew_v16 a = _mm512_add_ps(axc, _mm512_div_ps(t, _mm512_add_ps(v16c(1.0f), root)));
  __mmask16 big = v16_lt(v16c(0x1p12f), ax), huge = v16_lt(v16c(0x1p100f), ax);
  a = v16_sel(big, a, _mm512_fmsub_ps(v16c(2.0f), ax, v16c(1.0f)));
  a = v16_sel(huge, a, ax);
  ew_v16 y = _mm512_add_ps(v16_log1p(a), _mm512_maskz_mov_ps(huge, v16c(EW_LN2F)));
  return v16_copysign(y, x);
}

EW_V16 ew_v16 v16_acosh(ew_v16 x) {
  ew_v16 xc = v16_min_keepnan(v16_max_keepnan(x, 1.0f), 0x1p12f);
  ew_v16 t = _mm512_sub_ps(xc, v16c(1.0f));
  ew_v16 small = _mm512_add_ps(t, _mm512_sqrt_ps(_mm512_fmadd_ps(t, t, _mm512_add_ps(t, t))));
  ew_v16 root = _mm512_sqrt_ps(_mm512_fmsub_ps(xc, xc, v16c(1.0f)));
  ew_v16 mid = _mm512_sub_ps(_mm512_fmsub_ps(v16c(2.0f), xc, v16c(1.0f)),
                             _mm512_div_ps(v16c(1.0f), _mm512_add_ps(xc, root)));
  ew_v16 a = v16_sel(v16_lt(x, v16c(2.0f)), mid, small);
  __mmask16 big = v16_lt(v16c(0x1p12f), x), huge = v16_lt(v16c(0x1p100f), x);
  a = v16_sel(big, a, _mm512_fmsub_ps(v16c(2.0f), x, v16c(1.0f)));
  a = v16_sel(huge, a, x);
  ew_v16 y = _mm512_add_ps(v16_log1p(a), _mm512_maskz_mov_ps(huge, v16c(EW_LN2F)));
  return v16_sel(v16_lt(x, v16c(1.0f)), y, v16c(EW_NANF));
}

EW_V16 ew_v16 v16_atanh(ew_v16 x) {
  ew_v16 ax = _mm512_abs_ps(x), t = _mm512_add_ps(ax, ax);
  ew_v16 q = _mm512_div_ps(t, _mm512_sub_ps(v16c(1.0f), ax));
  ew_v16 a = v16_sel(v16_lt(ax, v16c(0.5f)), q, _mm512_fmadd_ps(q, ax, t));
  return v16_copysign(_mm512_mul_ps(v16c(0.5f), v16_log1p(a)), x);
}

/* max + log1p(t), t = exp(-|a - b|) in (0, 1]: log1p(t) = t P(t) by one polynomial (no log, no
 * division), added to max in the same fma. */
EW_V16 ew_v16 v16_logaddexp(ew_v16 a, ew_v16 b) {
  ew_v16 mx = _mm512_max_ps(a, b);
  ew_v16 d = _mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(_mm512_sub_ps(a, b)));
  ew_v16 t = v16_exp(d);
  ew_v16 y = _mm512_fmadd_ps(t, v16_poly(t, ew_log1p_unit_p, EW_NCOEF(ew_log1p_unit_p)), mx);
  y = v16_sel(v16_eq(_mm512_abs_ps(mx), v16c(EW_INFF)), y, mx);
  return v16_sel(v16_isnan(a) | v16_isnan(b), y, _mm512_add_ps(a, b));
}

/* ------------------------------------------------------------------ erf, erfinv */

/* erf on [k/4, (k + 1)/4), k = 0..15: a degree-6 polynomial in t = |x| - k/4 (exact) per
 * interval, its coefficients picked by vpermps from 16-entry rows (scripts/fit_vmath.py, relative
 * error 2.9e-9); interval 0 is t + t q(t) (its t coefficient stored minus 1: 2/sqrt(pi) in float
 * is 0.9 ulp off, which tiny x would see); |x| >= 4 is clamped to 4 (erf rounds to 1).
 * One polynomial per lane: no second branch, no exp. */
static const float ew_erf_tab[7][16] = {
    {-0.019428474828600883f, -0.04960334300994873f, -0.0412435457110405f, -0.010529590770602226f,
     0.01529859472066164f, 0.02201436087489128f, 0.014398232102394104f, 0.004156467970460653f,
     -0.0017727093072608113f, -0.003093412611633539f, -0.0022455602884292603f,
     -0.00114481954369694f, -0.00045622498146258295f, -0.00014833967725280672f,
     -4.023826841148548e-05f, -9.22498838917818e-06f},
    {0.1181974858045578f, 0.08253021538257599f, 0.0038977584335952997f, -0.05881188064813614f,
     -0.07253517210483551f, -0.0471545085310936f, -0.013101929798722267f, 0.008210674859583378f,
     0.013773753307759762f, 0.010680594481527805f, 0.005920581519603729f, 0.0025863214395940304f,
     0.0009264303953386843f, 0.000277834536973387f, 7.063826342346147e-05f, 1.534916737000458e-05f},
    {-0.0006861131987534463f, 0.1266207993030548f, 0.18369068205356598f, 0.1516248732805252f,
     0.06972518563270569f, -0.006187036167830229f, -0.04490460455417633f, -0.04836631938815117f,
     -0.03455449640750885f, -0.019083796069025993f, -0.008588369004428387f, -0.003229840425774455f,
     -0.001029621111229062f, -0.0002807457058224827f, -6.587866664631292e-05f,
     -1.3361375749809667e-05f},
    {-0.376086562871933f, -0.30914315581321716f, -0.14651808142662048f, 0.026707878336310387f,
     0.13832370936870575f, 0.16753947734832764f, 0.13877898454666138f, 0.09018002450466156f,
     0.04823215305805206f, 0.02172440104186535f, 0.00834709219634533f, 0.002757950220257044f,
     0.0007878398173488677f, 0.00019531672296579927f, 4.2140865843975917e-05f,
     7.929484127089381e-06f},
    {-8.468258556604269e-07f, -0.26500454545021057f, -0.43938902020454407f, -0.4821949899196625f,
     -0.4151056706905365f, -0.2956515848636627f, -0.1783965677022934f, -0.09235718101263046f,
     -0.04133434221148491f, -0.016070205718278885f, -0.005445585120469332f, -0.001612161984667182f,
     -0.0004177076043561101f, -9.484429028816521e-05f, -1.8891736544901505e-05f,
     -3.3037531466106884e-06f},
    {0.12837916612625122f, 1.0600141286849976f, 0.8787825703620911f, 0.6429310441017151f,
     0.41510745882987976f, 0.23652112483978271f, 0.11893031001091003f, 0.05277501046657562f,
     0.02066699042916298f, 0.00714231887832284f, 0.002178282244130969f, 0.0005862757097929716f,
     0.0001392522535752505f, 2.918871905421838e-05f, 5.3993312576494645e-06f,
     8.814076295493578e-07f},
    {0.0f, 0.27632638812065125f, 0.5204998850822449f, 0.7111556529998779f, 0.8427007794380188f,
     0.9229001402854919f, 0.9661051630973816f, 0.9866716861724854f, 0.9953222870826721f,
     0.9985373020172119f, 0.9995930194854736f, 0.9998993873596191f, 0.9999778866767883f,
     0.9999957084655762f, 0.9999992847442627f, 0.9999998807907104f}};
EW_V16 ew_v16 v16_erf(ew_v16 x) {
  ew_v16 ax = v16_min_keepnan(_mm512_abs_ps(x), 4.0f);
  ew_v16 k = _mm512_roundscale_ps(_mm512_mul_ps(ax, v16c(4.0f)),
                                  _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  k = _mm512_min_ps(k, v16c(15.0f));
  ew_v16 t = _mm512_fnmadd_ps(k, v16c(0.25f), ax);
  __m512i idx = _mm512_cvttps_epi32(k); /* nan: 0x80000000, whose low bits pick row 0 */
  ew_v16 p = _mm512_permutexvar_ps(idx, _mm512_loadu_ps(ew_erf_tab[0]));
#pragma GCC unroll 8
  for (int j = 1; j < 6; j++)
    p = _mm512_fmadd_ps(p, t, _mm512_permutexvar_ps(idx, _mm512_loadu_ps(ew_erf_tab[j])));
  ew_v16 c0 = _mm512_permutexvar_ps(idx, _mm512_loadu_ps(ew_erf_tab[6]));
  c0 = _mm512_mask_mov_ps(c0, v16_eq(k, _mm512_setzero_ps()), t); /* interval 0: t + t q(t) */
  return v16_copysign(_mm512_fmadd_ps(p, t, c0), x);
}

EW_V16 ew_v16 v16_erfinv(ew_v16 x) {
  ew_v16 ax = _mm512_abs_ps(x);
  ew_v16 axc = _mm512_maskz_mov_ps(v16_lt(ax, v16c(1.0f)), ax);
  ew_v16 w = _mm512_sub_ps(
      _mm512_setzero_ps(),
      v16_log(_mm512_mul_ps(_mm512_sub_ps(v16c(1.0f), axc), _mm512_add_ps(v16c(1.0f), axc))));
  ew_v16 y = _mm512_mul_ps(axc, v16_poly(w, ew_erfinv_p, EW_NCOEF(ew_erfinv_p)));
  __mmask16 tail = v16_lt(v16c(5.0f), w);
  if (tail) {
    ew_v16 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_sqrt_ps(w), v16c(3.2393543323095373f)),
                             v16c(0.9967244099413961f));
    y = v16_sel(tail, y, v16_poly(v, ew_erfinv_q, EW_NCOEF(ew_erfinv_q)));
  }
  y = v16_sel(v16_eq(ax, v16c(1.0f)), y, v16c(EW_INFF));
  y = v16_sel(v16_lt(v16c(1.0f), ax), y, v16c(EW_NANF));
  return v16_sel(v16_isnan(x), v16_copysign(y, x), x);
}

/* ------------------------------------------------------------------ sin, cos, tan */

/* x = n pi/2 + (hi + lo) for |x| < EW_TRIG_LIMITF, q = n mod 4, in float: pi/2 in four parts;
 * x - n p1 is exact (a multiple of 2^-23 below 2 in magnitude, or of x's ulp), n p2 is split
 * exactly by an fma and subtracted with an exact two-sum, the last parts only feed lo. Lanes
 * beyond the limit, infinities and nans are the caller's (GEN_UN_V16_GUARD gives them to
 * libm). */
EW_V16 ew_v16 v16_trig_reduce(ew_v16 x, ew_v16 *lo_out, __m512i *q_out) {
  ew_v16 n = _mm512_roundscale_ps(_mm512_mul_ps(x, v16c(0x1.45f306p-1f)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  ew_v16 a = _mm512_fnmadd_ps(n, v16c(0x1.921fb6p+0f), x);
  ew_v16 b = _mm512_mul_ps(n, v16c(0x1.777a5cp-25f)); /* -n p2 */
  ew_v16 b_lo = _mm512_fmsub_ps(n, v16c(0x1.777a5cp-25f), b);
  ew_v16 hi = _mm512_add_ps(a, b);
  ew_v16 bb = _mm512_sub_ps(hi, a);
  ew_v16 e = _mm512_add_ps(_mm512_sub_ps(a, _mm512_sub_ps(hi, bb)), _mm512_sub_ps(b, bb));
  ew_v16 lo = _mm512_add_ps(e, b_lo);
  lo = _mm512_fmadd_ps(n, v16c(0x1.ee59dap-50f), lo);       /* -n p3 */
  *lo_out = _mm512_fnmadd_ps(n, v16c(0x1.98a2e0p-77f), lo); /* -n p4 */
  *q_out = _mm512_cvtps_epi32(n);
  return hi;
}

/* sin and cos of r = hi + lo, |r| <= pi/4: Taylor series of hi (to hi^9 and hi^10: truncation
 * below 2e-9 relative) in float, then the first-order terms of lo. The cos table starts at z^2:
 * cos = 1 - z/2 + z^2 Q(z). */
static const float ew_sin_taylor[] = {1.0f / 362880, -1.0f / 5040, 1.0f / 120, -1.0f / 6};
static const float ew_cos_taylor[] = {-1.0f / 3628800, 1.0f / 40320, -1.0f / 720, 1.0f / 24};
EW_V16 __m512i v16_sincos(ew_v16 x, ew_v16 *s, ew_v16 *c) {
  __m512i q;
  ew_v16 lo, r = v16_trig_reduce(x, &lo, &q);
  ew_v16 z = _mm512_mul_ps(r, r);
  ew_v16 sp = v16_poly(z, ew_sin_taylor, EW_NCOEF(ew_sin_taylor));
  ew_v16 cq =
      _mm512_mul_ps(_mm512_mul_ps(z, z), v16_poly(z, ew_cos_taylor, EW_NCOEF(ew_cos_taylor)));
  /* Small terms are summed first and each result rounded once: sin(hi) + lo cos(hi) and
   * cos(hi) - lo sin(hi) (cos(hi) ~ 1 and sin(hi) ~ hi are enough for lo's terms). cos keeps
   * 1 - z/2 as an exact pair (h, e) and takes back the rounding of z = hi^2. */
  *s = _mm512_add_ps(r, _mm512_fmadd_ps(_mm512_mul_ps(r, z), sp, lo));
  ew_v16 zlo = _mm512_fmsub_ps(r, r, z);
  ew_v16 h = _mm512_fnmadd_ps(v16c(0.5f), z, v16c(1.0f));
  ew_v16 e = _mm512_fnmadd_ps(v16c(0.5f), z, _mm512_sub_ps(v16c(1.0f), h));
  ew_v16 tail = _mm512_fnmadd_ps(v16c(0.5f), zlo, _mm512_fnmadd_ps(lo, r, _mm512_add_ps(cq, e)));
  *c = _mm512_add_ps(h, tail);
  return q;
}

EW_V16 ew_v16 v16_negate_if(__mmask16 m, ew_v16 v) {
  return _mm512_mask_xor_ps(v, m, v, v16c(-0.0f));
}

EW_V16 ew_v16 v16_sin(ew_v16 x) {
  ew_v16 s, c;
  __m512i q = v16_sincos(x, &s, &c);
  ew_v16 v = v16_sel(_mm512_test_epi32_mask(q, _mm512_set1_epi32(1)), s, c);
  v = v16_negate_if(_mm512_test_epi32_mask(q, _mm512_set1_epi32(2)), v);
  return v16_sel(v16_eq(x, _mm512_setzero_ps()), v, x); /* the sign of a zero */
}

EW_V16 ew_v16 v16_cos(ew_v16 x) {
  ew_v16 s, c;
  __m512i q = v16_sincos(x, &s, &c);
  ew_v16 v = v16_sel(_mm512_test_epi32_mask(q, _mm512_set1_epi32(1)), c, s);
  __m512i q1 = _mm512_add_epi32(q, _mm512_set1_epi32(1));
  return v16_negate_if(_mm512_test_epi32_mask(q1, _mm512_set1_epi32(2)), v);
}

EW_V16 ew_v16 v16_tan(ew_v16 x) {
  ew_v16 s, c;
  __m512i q = v16_sincos(x, &s, &c);
  __mmask16 odd = _mm512_test_epi32_mask(q, _mm512_set1_epi32(1));
  ew_v16 num = v16_sel(odd, s, v16_negate_if(odd, c)), den = v16_sel(odd, c, s);
  return v16_sel(v16_eq(x, _mm512_setzero_ps()), _mm512_div_ps(num, den), x);
}

/* ------------------------------------------------------------------ asin, acos */

/* ew_asinf / ew_acosf: the series on [0, sqrt(1/2)], pi/2 - 2 asin(sqrt((1 - |x|) / 2)) beyond. */
EW_V16 ew_v16 v16_asin_core(ew_v16 x, __mmask16 *big_out) {
  ew_v16 ax = _mm512_abs_ps(x);
  __mmask16 big = v16_lt(v16c(0x1.6a09e6p-1f), ax);
  ew_v16 w = _mm512_mul_ps(v16c(0.5f), _mm512_sub_ps(v16c(1.0f), ax));
  ew_v16 v = v16_sel(big, x, _mm512_sqrt_ps(w)), z = v16_sel(big, _mm512_mul_ps(x, x), w);
  ew_v16 p = v16_poly(z, ew_asin_p, EW_NCOEF(ew_asin_p));
  *big_out = big;
  return _mm512_fmadd_ps(_mm512_mul_ps(v, z), p, v); /* asin x (signed) in the small lanes */
}

EW_V16 ew_v16 v16_asin(ew_v16 x) {
  __mmask16 big;
  ew_v16 r = v16_asin_core(x, &big);
  ew_v16 far = _mm512_sub_ps(v16c(EW_PIO2HIF), _mm512_fmsub_ps(v16c(2.0f), r, v16c(EW_PIO2LOF)));
  return v16_sel(big, r, v16_copysign(far, x));
}

EW_V16 ew_v16 v16_acos(ew_v16 x) {
  __mmask16 big;
  ew_v16 r = v16_asin_core(x, &big);
  ew_v16 near = _mm512_sub_ps(v16c(EW_PIO2HIF), _mm512_sub_ps(r, v16c(EW_PIO2LOF)));
  ew_v16 pos = _mm512_add_ps(r, r);
  ew_v16 neg = _mm512_sub_ps(v16c(EW_PIHIF), _mm512_fmsub_ps(v16c(2.0f), r, v16c(EW_PILOF)));
  ew_v16 far = v16_sel(v16_lt(_mm512_setzero_ps(), x), neg, pos);
  return v16_sel(big, near, far);
}

/* ------------------------------------------------------------------ pow */

EW_V16 __m512d v8d_poly(__m512d z, const double *c, int n) {
  __m512d p = _mm512_set1_pd(c[0]);
#pragma GCC unroll 16
  for (int k = 1; k < n; k++) p = _mm512_fmadd_pd(p, z, _mm512_set1_pd(c[k]));
  return p;
}

/* y log|x| in double for eight float lanes (ew_dlog_pow's series; |x| = 0 -> -inf, inf -> inf) */
EW_V16 __m512d v8d_ylogx(__m512d ax, __m512d y) {
  __m512d m = _mm512_getmant_pd(ax, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);
  __m512d e = _mm512_sub_pd(_mm512_getexp_pd(ax), _mm512_getexp_pd(m));
  __m512d f = _mm512_sub_pd(m, _mm512_set1_pd(1.0));
  /* s = f / (2 + f) only feeds the correction term s (hfsq + R) ~ f^3 / 12: a 2^-14 reciprocal
   * estimate and one Newton step (2^-28) are plenty, and much cheaper than vdivpd */
  __m512d d = _mm512_add_pd(_mm512_set1_pd(2.0), f), inv = _mm512_rcp14_pd(d);
  inv = _mm512_fmadd_pd(inv, _mm512_fnmadd_pd(d, inv, _mm512_set1_pd(1.0)), inv);
  __m512d s = _mm512_mul_pd(f, inv);
  __m512d z = _mm512_mul_pd(s, s);
  __m512d R = _mm512_mul_pd(v8d_poly(z, ew_dlog_pow_r, EW_NCOEF(ew_dlog_pow_r)), z);
  __m512d hfsq = _mm512_mul_pd(_mm512_mul_pd(_mm512_set1_pd(0.5), f), f);
  __m512d lm = _mm512_sub_pd(f, _mm512_fnmadd_pd(s, _mm512_add_pd(hfsq, R), hfsq));
  __m512d l = _mm512_fmadd_pd(e, _mm512_set1_pd(0x1.62e42fefa39efp-1), lm);
  l = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(ax, _mm512_setzero_pd(), _CMP_EQ_OQ), l,
                           _mm512_set1_pd(-EW_INF));
  l = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(ax, _mm512_set1_pd(EW_INF), _CMP_EQ_OQ), l, ax);
  return _mm512_mul_pd(y, l);
}

/* e^t in double (ew_dexp_pow's series), rounded to float: vscalef saturates to inf and 0 */
EW_V16 __m256 v8d_exp_to_float(__m512d t) {
  t = _mm512_min_pd(_mm512_set1_pd(1000.0), _mm512_max_pd(_mm512_set1_pd(-1000.0), t));
  __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(t, _mm512_set1_pd(EW_LOG2E)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(EW_LN2HI), t);
  r = _mm512_fnmadd_pd(n, _mm512_set1_pd(EW_LN2LO), r);
  __m512d p = v8d_poly(r, ew_dexp_pow_taylor, EW_NCOEF(ew_dexp_pow_taylor));
  p = _mm512_fmadd_pd(_mm512_mul_pd(p, r), r, r);
  return _mm512_cvtpd_ps(_mm512_scalef_pd(_mm512_add_pd(p, _mm512_set1_pd(1.0)), n));
}

/* x^y with C's special cases, as ew_powf: exp(y log|x|) in double, sign and specials in float */
EW_V16 ew_v16 v16_pow(ew_v16 x, ew_v16 y) {
  ew_v16 ax = _mm512_abs_ps(x);
  __mmask16 trivial = v16_eq(y, _mm512_setzero_ps()) | v16_eq(ax, v16c(1.0f)); /* 0 * inf */
  __m256 r8[2];
#pragma GCC unroll 2
  for (int h = 0; h < 2; h++) {
    __m256 axh = h ? _mm512_extractf32x8_ps(ax, 1) : _mm512_castps512_ps256(ax);
    __m256 yh = h ? _mm512_extractf32x8_ps(y, 1) : _mm512_castps512_ps256(y);
    __m512d t = v8d_ylogx(_mm512_cvtps_pd(axh), _mm512_cvtps_pd(yh));
    t = _mm512_maskz_mov_pd((__mmask8) ~(trivial >> (8 * h)), t);
    r8[h] = v8d_exp_to_float(t);
  }
  ew_v16 r = _mm512_insertf32x8(_mm512_castps256_ps512(r8[0]), r8[1], 1);
  ew_v16 fy = _mm512_roundscale_ps(y, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  ew_v16 hy = _mm512_mul_ps(y, v16c(0.5f));
  __mmask16 is_int = v16_eq(fy, y);
  __mmask16 is_odd =
      is_int &
      _mm512_cmp_ps_mask(_mm512_roundscale_ps(hy, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC), hy,
                         _CMP_NEQ_UQ);
  __mmask16 neg = _mm512_movepi32_mask(_mm512_castps_si512(x));
  r = v16_negate_if(neg & is_odd, r);
  __mmask16 neg_finite = v16_lt(x, _mm512_setzero_ps()) & v16_lt(v16c(-EW_INFF), x);
  r = v16_sel(neg_finite & ~is_int, r, v16c(EW_NANF));
  r = v16_sel(v16_isnan(y) & ~v16_eq(ax, v16c(1.0f)), r, v16c(EW_NANF));
  r = v16_sel(v16_eq(x, v16c(1.0f)) | v16_eq(y, _mm512_setzero_ps()), r, v16c(1.0f));
  __mmask16 minus_one_inf = v16_eq(x, v16c(-1.0f)) & v16_eq(_mm512_abs_ps(y), v16c(EW_INFF));
  return v16_sel(minus_one_inf, r, v16c(1.0f));
}

#else
#define EW_HAVE_VEC512 0
#endif

#endif
