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
/* The eager kernels' AVX-512 function loops (unary.c, ew_binary.c) ask for their inputs this many
 * bytes ahead into L2: on a Xeon VM the hardware prefetcher kept a transcendental's loop waiting
 * on memory at 10^8 (arccosh 37.3 -> 32.1 ms, sin 33.6 -> 31.6, log1p 31.8 -> 29.5; exp and erf
 * unchanged). */
#define EW_V16_AHEAD 1024

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
EW_V16 ew_v16 v16_negate_if(__mmask16 m, ew_v16 v) {
  return _mm512_mask_xor_ps(v, m, v, v16c(-0.0f));
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

/* lanes with |x| >= limit or nan: past a vector function's range */
EW_V16 __mmask16 v16_beyond(ew_v16 x, float limit) {
  return ~v16_lt(_mm512_abs_ps(x), v16c(limit));
}
/* y with the lanes in slow recomputed by fn(x) (fn2(x, b)), one scalar call each */
EW_V16 ew_v16 v16_redo_lanes(ew_v16 x, ew_v16 y, __mmask16 slow, float (*fn)(float)) {
  if (!slow) return y;
  float xs[16], ys[16];
  _mm512_storeu_ps(xs, x);
  _mm512_storeu_ps(ys, y);
  for (int k = 0; k < 16; k++)
    if (slow >> k & 1) ys[k] = fn(xs[k]);
  return _mm512_loadu_ps(ys);
}
EW_V16 ew_v16 v16_redo_lanes2(ew_v16 x, ew_v16 b, ew_v16 y, __mmask16 slow,
                              float (*fn2)(float, float)) {
  if (!slow) return y;
  float xs[16], bs[16], ys[16];
  _mm512_storeu_ps(xs, x);
  _mm512_storeu_ps(bs, b);
  _mm512_storeu_ps(ys, y);
  for (int k = 0; k < 16; k++)
    if (slow >> k & 1) ys[k] = fn2(xs[k], bs[k]);
  return _mm512_loadu_ps(ys);
}

/* Equal intervals from 0, per to a unit: k = min(floor(x per), kmax) for x >= 0 (kmax for a
 * nan), *t = x - k / per (exact); the interval's entry is (int)k. */
EW_V16 ew_v16 v16_interval(ew_v16 x, float per, float kmax, ew_v16 *t) {
  ew_v16 k =
      _mm512_roundscale_ps(_mm512_mul_ps(x, v16c(per)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  k = _mm512_min_ps(k, v16c(kmax));
  *t = _mm512_fnmadd_ps(k, v16c(1.0f / per), x);
  return k;
}

/* Piecewise polynomials: a degree-6 polynomial per lane in t whose coefficients are entry idx
 * of the rows tab[j * width ...], j = 0..6 (highest power first; width 16: vpermps, 32:
 * vpermt2ps). Lanes in first (entry 0, an interval starting at 0) are t + t q(t), their t
 * coefficient stored minus 1 (the exact leading coefficient 1 or 2/sqrt(pi) rounded to float
 * would be off by up to an ulp for tiny t); the others c0 + t P(t). */
EW_V16 ew_v16 v16_table_coef(const float *row, int width, __m512i idx) {
  if (width == 16) return _mm512_permutexvar_ps(idx, _mm512_loadu_ps(row));
  return _mm512_permutex2var_ps(_mm512_loadu_ps(row), idx, _mm512_loadu_ps(row + 16));
}
/* the first n rows' polynomial (degree n - 1) */
EW_V16 ew_v16 v16_table_horner(const float *tab, int width, int n, __m512i idx, ew_v16 t) {
  ew_v16 p = v16_table_coef(tab, width, idx);
#pragma GCC unroll 8
  for (int j = 1; j < n; j++)
    p = _mm512_fmadd_ps(p, t, v16_table_coef(tab + j * width, width, idx));
  return p;
}
EW_V16 ew_v16 v16_table_poly(const float *tab, int width, __m512i idx, ew_v16 t, __mmask16 first) {
  ew_v16 p = v16_table_horner(tab, width, 6, idx, t);
  ew_v16 c0 = _mm512_mask_mov_ps(v16_table_coef(tab + 6 * width, width, idx), first, t);
  return _mm512_fmadd_ps(p, t, c0);
}

/* ------------------------------------------------------------------ exp family */

/* x in [-104, 90] (or nan): returns e^r - 1 with e^x = e^r 2^n (ew_expf's reduction and
 * series). */
EW_V16 ew_v16 v16_expm1_reduce(ew_v16 x, ew_v16 *n_out) {
  ew_v16 n = _mm512_roundscale_ps(_mm512_mul_ps(x, v16c(EW_LOG2EF)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  ew_v16 r = _mm512_fnmadd_ps(n, v16c(EW_LN2HIF), x);
  r = _mm512_fnmadd_ps(n, v16c(EW_LN2LOF), r);
  ew_v16 p = v16_poly(r, ew_exp_taylor, EW_NCOEF(ew_exp_taylor));
  *n_out = n;
  return _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, r);
}
EW_V16 ew_v16 v16_exp_reduce(ew_v16 x, ew_v16 *n_out) {
  return _mm512_add_ps(v16_expm1_reduce(x, n_out), v16c(1.0f));
}

/* ew_expm1f: (e^r - 1 + (1 - 2^-n)) 2^n, 1 - 2^-n exact (n <= 30 there; x clamped to
 * [-30, 89]); zeros and nans are returned as they are. */
EW_V16 ew_v16 v16_expm1(ew_v16 x) {
  ew_v16 n, em = v16_expm1_reduce(v16_min_keepnan(v16_max_keepnan(x, -30.0f), 89.0f), &n);
  ew_v16 c = _mm512_sub_ps(v16c(1.0f),
                           _mm512_scalef_ps(v16c(1.0f), _mm512_sub_ps(_mm512_setzero_ps(), n)));
  ew_v16 y = _mm512_scalef_ps(_mm512_add_ps(em, c), n);
  return v16_sel(v16_eq(x, _mm512_setzero_ps()) | v16_isnan(x), y, x);
}

/* Results below 2^-126 (x < -87.3) are built as integers: a subnormal's bits are its value in
 * units of 2^-149, er 2^(n + 149) rounded to an integer (the same rounding scalef makes), since
 * a floating-point operation that gives a subnormal takes a microcode assist on Intel CPUs:
 * exp over [-600, 0] took 16x as long as over [-80, 0], softmax of rows of widely spread values
 * 4x. Lanes at or below -104 give 0 that way too. */
EW_V16 ew_v16 v16_exp(ew_v16 x) {
  ew_v16 n, xc = v16_min_keepnan(v16_max_keepnan(x, -104.0f), 89.0f);
  ew_v16 er = v16_exp_reduce(xc, &n);
  __mmask16 tiny = _mm512_cmp_ps_mask(n, v16c(-125.5f), _CMP_LT_OQ);
  ew_v16 y = _mm512_mask_scalef_ps(_mm512_setzero_ps(), (__mmask16)~tiny, er, n);
  if (tiny) {
    ew_v16 units = _mm512_maskz_scalef_ps(tiny, er, _mm512_add_ps(n, v16c(149.0f)));
    y = _mm512_mask_mov_ps(y, tiny, _mm512_castsi512_ps(_mm512_cvtps_epi32(units)));
  }
  return y;
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

/* tanh |x| on [k/4, (k + 1)/4), k = 0..30, and [31/4, 10] (|x| clamped to 10; tanh rounds to 1
 * from 9.01): one degree-6 polynomial per lane in t = |x| - k/4 (exact), v16_table_poly
 * (scripts/fit_vmath.py, relative error 5.3e-9). No exp, no division. */
static const float ew_tanh_tab[7][32] = {
    {-0.037536878138780594f,   -0.06910095363855362f,    -0.024366389960050583f,
     0.01285295095294714f,     0.01846630871295929f,     0.01098322682082653f,
     0.004126024432480335f,    0.0006536035216413438f,   -0.0005587493651546538f,
     -0.0007634799112565815f,  -0.0006373784272000194f,  -0.00045503079309128225f,
     -0.0003021754673682153f,  -0.00019314060045871884f, -0.00012081817840225995f,
     -7.464300870196894e-05f,  -4.578286825562827e-05f,  -2.7949699870077893e-05f,
     -1.7020147424773313e-05f, -1.0346388990001287e-05f, -6.285147264861735e-06f,
     -3.811098167716409e-06f,  -2.3099205463950057e-06f, -1.401959480062942e-06f,
     -8.479303801323113e-07f,  -5.102655222799513e-07f,  -3.025227499620087e-07f,
     -1.8911430288426345e-07f, -1.2002519156339986e-07f, -7.05003415646388e-08f,
     -4.241649520508872e-08f,  -4.24877599769502e-09f},
    {0.14346802234649658f,    0.07082930952310562f,    -0.03606114536523819f,
     -0.06818734109401703f,   -0.04588816314935684f,   -0.017751406878232956f,
     -0.001699533429928124f,  0.004110789392143488f,   0.0049001178704202175f,
     0.003990843892097473f,   0.0028278795070946217f,  0.001872705528512597f,
     0.0011955710360780358f,  0.0007475222228094935f,  0.0004617106169462204f,
     0.0002831213059835136f,  0.0001728636270854622f,  0.00010526288679102436f,
     6.399912672350183e-05f,  3.887299681082368e-05f,  2.3598999177920632e-05f,
     1.4317848581413273e-05f, 8.684724889462814e-06f,  5.268951099424157e-06f,
     3.19435366691323e-06f,   1.9345436612638878e-06f, 1.1685945082717808e-06f,
     7.129301025088353e-07f,  4.363193966128165e-07f,  2.6280488896190946e-07f,
     1.5923403395845526e-07f, 4.1517928650591784e-08f},
    {-0.0012791425688192248f,  0.14003820717334747f,     0.166152223944664f,
     0.10040294378995895f,     0.027619820088148117f,    -0.012832142412662506f,
     -0.025122756138443947f,   -0.023586655035614967f,   -0.01790984533727169f,
     -0.012322191148996353f,   -0.00804264098405838f,    -0.005094835534691811f,
     -0.0031716134399175644f,  -0.0019540281500667334f,  -0.001196427852846682f,
     -0.0007298283744603395f,  -0.00044419863843359053f, -0.0002699844480957836f,
     -0.00016396187129430473f, -9.952425170922652e-05f,  -6.039283107384108e-05f,
     -3.6639528843807057e-05f, -2.222610783064738e-05f,  -1.3482339454640169e-05f,
     -8.177481504390016e-06f,  -4.95921403853572e-06f,   -3.00680449072388e-06f,
     -1.8248729247716255e-06f, -1.1078602710767882e-06f, -6.714225264659035e-07f,
     -4.072247179465194e-07f,  -1.7822593179062096e-07f},
    {-0.3332598805427551f,    -0.25698795914649963f,   -0.09432756155729294f,
     0.04175566881895065f,    0.10361357778310776f,    0.10833197087049484f,
     0.08782972395420074f,    0.06292721629142761f,    0.042110562324523926f,
     0.0270873811095953f,     0.01702055335044861f,    0.01054617203772068f,
     0.006479677744209766f,   0.003960961010307074f,   0.0024138488806784153f,
     0.0014682821929454803f,  0.0008921097032725811f,  0.0005416631465777755f,
     0.0003287456347607076f,  0.00019947168766520917f, 0.00012101419997634366f,
     7.340918091358617e-05f,  4.452867869986221e-05f,  2.7009446057491004e-05f,
     1.6382517060264945e-05f, 9.936574315361213e-06f,  6.02678755967645e-06f,
     3.655599584817537e-06f,  2.2173487650434254e-06f, 1.3448268418869702e-06f,
     8.15683449673088e-07f,   4.48125291541146e-07f},
    {-1.5480516140087275e-06f, -0.2302255630493164f,     -0.3634259104728699f,
     -0.37891873717308044f,    -0.3198504149913788f,     -0.23787221312522888f,
     -0.16356685757637024f,    -0.10714015364646912f,    -0.0681094080209732f,
     -0.04250982403755188f,    -0.02623625285923481f,    -0.0160822793841362f,
     -0.009817233309149742f,   -0.005977703724056482f,   -0.0036342444363981485f,
     -0.002207445213571191f,   -0.0013400488533079624f,  -0.0008132098591886461f,
     -0.0004933946765959263f,  -0.0002993171219713986f,  -0.000181566399987787f,
     -0.00011013344919774681f, -6.680220394628122e-05f,  -4.0518651076126844e-05f,
     -2.4576191208325326e-05f, -1.4906350770615973e-05f, -9.041207704285625e-06f,
     -5.483797394845169e-06f,  -3.3261017051700037e-06f, -2.017382030317094e-06f,
     -1.2236057500558672e-06f, -7.265247177201672e-07f},
    {5.290551996495196e-09f,  0.9400148391723633f,     0.7864476442337036f,
     0.596585750579834f,      0.41997435688972473f,    0.280414879322052f,
     0.18070665001869202f,    0.11381209641695023f,    0.07065082341432571f,
     0.043464917689561844f,   0.026592226698994637f,   0.016214286908507347f,
     0.009866037406027317f,   0.005995714571326971f,   0.0036408845335245132f,
     0.002209892263635993f,   0.0013409506063908339f,  0.0008135423413477838f,
     0.0004935173783451319f,  0.00029936249484308064f, 0.000181583222001791f,
     0.00011013972834916785f, 6.680456863250583e-05f,  4.0519553294871e-05f,
     2.4576545911259018e-05f, 1.4906500837241765e-05f, 9.041275916388258e-06f,
     5.483821041707415e-06f,  3.3261092085012933e-06f, 2.017388624153682e-06f,
     1.2236084785399726e-06f, 7.401519042105065e-07f},
    {0.0f,
     0.24491865932941437f,
     0.46211716532707214f,
     0.6351489424705505f,
     0.7615941762924194f,
     0.8482836484909058f,
     0.9051482677459717f,
     0.9413755536079407f,
     0.9640275835990906f,
     0.9780260920524597f,
     0.9866142868995667f,
     0.9918597340583801f,
     0.9950547814369202f,
     0.9969976544380188f,
     0.9981778860092163f,
     0.998894453048706f,
     0.9993293285369873f,
     0.9995931386947632f,
     0.9997532367706299f,
     0.999850332736969f,
     0.9999092221260071f,
     0.9999449253082275f,
     0.9999666213989258f,
     0.9999797344207764f,
     0.9999877214431763f,
     0.9999925494194031f,
     0.9999954700469971f,
     0.9999972581863403f,
     0.9999983310699463f,
     0.9999989867210388f,
     0.9999994039535522f,
     0.9999996423721313f}};
EW_V16 ew_v16 v16_tanh(ew_v16 x) {
  ew_v16 t, k = v16_interval(v16_min_keepnan(_mm512_abs_ps(x), 10.0f), 4.0f, 31.0f, &t);
  ew_v16 p =
      v16_table_poly(ew_tanh_tab[0], 32, _mm512_cvttps_epi32(k), t, v16_eq(k, _mm512_setzero_ps()));
  return v16_copysign(p, x);
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

/* x = 2^e m with m in [3/4, 3/2) (subnormals normalized by vgetmant); returns log(m) =
 * log(c) + log1p(r), r = m / c - 1 (one fma), with 1/c and log(c) from 32 entries picked by
 * vpermt2ps on bits 18-22 of m (scripts/fit_vmath.py: 1/c chosen so that log(c) is nearly exact
 * in float; c = 1 next to 1) and log1p(r) = r + r^2 P(r), |r| <= 1/32 (error 9.1e-11): no
 * division. Negative x gives a nan m; zeros, infinities are fixed by the callers. */
static const float ew_log_invc[] = {1.0f,
                                    0.9552043080329895f,
                                    0.9275087118148804f,
                                    0.9015070796012878f,
                                    0.8766513466835022f,
                                    0.8534204959869385f,
                                    0.8311185240745544f,
                                    0.8100588917732239f,
                                    0.7901990413665771f,
                                    0.7709991335868835f,
                                    0.7529551982879639f,
                                    0.7356563806533813f,
                                    0.7190330028533936f,
                                    0.7033435702323914f,
                                    0.6882533431053162f,
                                    0.6736201643943787f,
                                    1.3196216821670532f,
                                    1.2929929494857788f,
                                    1.2674206495285034f,
                                    1.2427000999450684f,
                                    1.2190840244293213f,
                                    1.1963295936584473f,
                                    1.1742477416992188f,
                                    1.1531721353530884f,
                                    1.1326841115951538f,
                                    1.112912654876709f,
                                    1.094139575958252f,
                                    1.0756179094314575f,
                                    1.0578902959823608f,
                                    1.0405272245407104f,
                                    1.0240832567214966f,
                                    1.0f};
static const float ew_log_logc[] = {0.0f,
                                    0.045830026268959045f,
                                    0.07525309175252914f,
                                    0.10368738323450089f,
                                    0.13164591789245605f,
                                    0.15850289165973663f,
                                    0.18498286604881287f,
                                    0.2106483280658722f,
                                    0.23547041416168213f,
                                    0.26006802916526794f,
                                    0.2837495505809784f,
                                    0.30699214339256287f,
                                    0.3298480212688446f,
                                    0.3519097864627838f,
                                    0.37359827756881714f,
                                    0.39508888125419617f,
                                    -0.27734509110450745f,
                                    -0.2569596469402313f,
                                    -0.23698385059833527f,
                                    -0.21728651225566864f,
                                    -0.1980997771024704f,
                                    -0.17925819754600525f,
                                    -0.16062772274017334f,
                                    -0.14251652359962463f,
                                    -0.12459013611078262f,
                                    -0.1069805920124054f,
                                    -0.08996827900409698f,
                                    -0.07289529591798782f,
                                    -0.05627663806080818f,
                                    -0.039727531373500824f,
                                    -0.02379782870411873f,
                                    0.0f};
static const float ew_log_tab_p[] = {0.1940469890832901f, -0.25001469254493713f,
                                     0.3333347737789154f, -0.5f};
EW_V16 ew_v16 v16_logm(ew_v16 x, ew_v16 *e_out) {
  ew_v16 m = _mm512_getmant_ps(x, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_nan);
  *e_out = _mm512_sub_ps(_mm512_getexp_ps(x), _mm512_getexp_ps(m));
  __m512i idx = _mm512_srli_epi32(_mm512_castps_si512(m), 18);
  ew_v16 r = _mm512_fmsub_ps(m, v16_table_coef(ew_log_invc, 32, idx), v16c(1.0f));
  ew_v16 logc = v16_table_coef(ew_log_logc, 32, idx);
  ew_v16 p = v16_poly(r, ew_log_tab_p, EW_NCOEF(ew_log_tab_p));
  return _mm512_add_ps(logc, _mm512_fmadd_ps(_mm512_mul_ps(r, r), p, r));
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

/* 1 / d to about 2^-28 for finite nonzero d: the 2^-14 estimate and one Newton step (cheaper
 * than vdivps; d = 0 gives nan) */
EW_V16 ew_v16 v16_recip(ew_v16 d) {
  ew_v16 r = _mm512_rcp14_ps(d);
  return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, v16c(1.0f)), r);
}

/* log1p: ew_log1pf's correction of the rounding of u = 1 + x, (x - (u - 1)) / u (all of the
 * result when x is below u's rounding). */
EW_V16 ew_v16 v16_log1p(ew_v16 x) {
  ew_v16 u = _mm512_add_ps(v16c(1.0f), x);
  ew_v16 l = v16_log(u);
  ew_v16 c = _mm512_mul_ps(_mm512_sub_ps(x, _mm512_sub_ps(u, v16c(1.0f))), v16_recip(u));
  __mmask16 plain = v16_le(u, _mm512_setzero_ps()) | v16_eq(u, v16c(EW_INFF));
  ew_v16 y = v16_sel(plain, _mm512_add_ps(l, c), l);
  return v16_sel(v16_eq(x, _mm512_setzero_ps()), y, x); /* keeps -0 */
}

/* asinh |x|: one degree-6 polynomial per lane, its coefficients picked by vpermt2ps from 32
 * entries (scripts/fit_vmath.py, relative error 9e-9): entry 0 is [0, 1/4) in t = |x| (t + t q(t)),
 * entries 1-28 the halves of the octaves 2^-2 .. 2^11 in t = m - start, |x| = 2^e m, m in [1, 2)
 * (exact); 29-30 log m, plus (e + 1) log 2 for |x| >= 2^12 (asinh = log 2|x| there to 2^-26).
 * The entry is bits 22-30 of |x| (exponent and first mantissa bit) less 249, clamped to
 * [0, 29 + h]. No sqrt, no log, no division. */
static const float ew_asinh_tab[7][32] = {
    {-0.02954203635454178f,    -1.0612245205265936e-05f,
     -6.5073268160631415e-06f, -2.715130540309474e-05f,
     0.00013479322660714388f,  0.004216670524328947f,
     0.0005622868775390089f,   -0.004404435865581036f,
     -0.0023089007008820772f,  -0.029820406809449196f,
     -0.0048199971206486225f,  -0.04210815578699112f,
     -0.005700164008885622f,   -0.045734014362096786f,
     -0.005938570015132427f,   -0.0466582216322422f,
     -0.005998217035084963f,   -0.046874675899744034f,
     -0.006012242753058672f,   -0.046915702521800995f,
     -0.006014993414282799f,   -0.04691543057560921f,
     -0.006015068851411343f,   -0.04690678045153618f,
     -0.006014584098011255f,   -0.046897489577531815f,
     -0.0060140397399663925f,  -0.046889156103134155f,
     -0.006013545207679272f,   -0.046792592853307724f,
     -0.006007546093314886f,   0.0f},
    {0.08274968713521957f,    2.776338988041971e-05f,
     -4.526800239545992e-06f, -0.0008609344367869198f,
     -0.0008484778227284551f, -0.011952866800129414f,
     -0.0006802704883739352f, 0.02431122586131096f,
     0.010027908720076084f,   0.09494945406913757f,
     0.0179123617708683f,     0.12689976394176483f,
     0.020572546869516373f,   0.13620984554290771f,
     0.02128877118229866f,    0.13859818875789642f,
     0.02146945707499981f,    0.139175683259964f,
     0.021513402462005615f,   0.1393006592988968f,
     0.021523265168070793f,   0.13931618630886078f,
     0.021524816751480103f,   0.13930724561214447f,
     0.021524449810385704f,   0.13929437100887299f,
     0.021523727104067802f,   0.13928216695785522f,
     0.0215230081230402f,     0.13913793861865997f,
     0.0215140413492918f,     0.0f},
    {-0.0009593035792931914f, 0.000284112204099074f, 0.0003146431699860841f, 0.0045182714238762856f,
     0.0023070904426276684f,  0.01025670487433672f,  -0.004736957605928183f, -0.07257089018821716f,
     -0.028142394497990608f,  -0.1745603084564209f,  -0.041939590126276016f, -0.21642018854618073f,
     -0.04634648561477661f,   -0.2283589094877243f,  -0.04751935228705406f,  -0.23142792284488678f,
     -0.047816257923841476f,  -0.2321874350309372f,  -0.04788997396826744f,  -0.2323666661977768f,
     -0.04790778458118439f,   -0.23240269720554352f, -0.04791172593832016f,  -0.23240453004837036f,
     -0.04791228845715523f,   -0.23239903151988983f, -0.047912076115608215f, -0.23239263892173767f,
     -0.04791171848773956f,   -0.23231200873851776f, -0.04790670797228813f,  0.0f},
    {-0.16661237180233002f,   -0.0019582349341362715f,
     -0.0013471611309796572f, -0.005970455706119537f,
     0.0008529264596290886f,  0.02959619089961052f,
     0.030665647238492966f,   0.16709652543067932f,
     0.07162456959486008f,    0.27610987424850464f,
     0.09077280759811401f,    0.3158145844936371f,
     0.096514031291008f,      0.3268081247806549f,
     0.09801875054836273f,    0.329624742269516f,
     0.09839919954538345f,    0.33032986521720886f,
     0.09849438816308975f,    0.3305036127567291f,
     0.09851803630590439f,    0.3305447995662689f,
     0.0985238179564476f,     0.33055323362350464f,
     0.09852515906095505f,    0.33055379986763f,
     0.09852539747953415f,    0.3305526673793793f,
     0.09852538257837296f,    0.330532044172287f,
     0.09852411597967148f,    0.0f},
    {-1.1296698403384653e-06f, -0.0071333968080580235f,
     -0.009619812481105328f,   -0.044720761477947235f,
     -0.047999974340200424f,   -0.1767873615026474f,
     -0.12801019847393036f,    -0.3577800691127777f,
     -0.18973232805728912f,    -0.4564293324947357f,
     -0.2132606953382492f,     -0.4883258044719696f,
     -0.21990996599197388f,    -0.49688082933425903f,
     -0.22162631154060364f,    -0.49905794858932495f,
     -0.22205886244773865f,    -0.4996042847633362f,
     -0.22216719388961792f,    -0.49974068999290466f,
     -0.22219426929950714f,    -0.4997745156288147f,
     -0.22220101952552795f,    -0.4997827708721161f,
     -0.22220268845558167f,    -0.4997846484184265f,
     -0.2222031056880951f,     -0.4997849762439728f,
     -0.22220319509506226f,    -0.4997827410697937f,
     -0.2222030758857727f,     0.0f},
    {3.815109117510929e-09f, 0.24253562092781067f, 0.23408229649066925f, 0.4472135901451111f,
     0.4000000059604645f,    0.7071071267127991f,  0.5547002553939819f,  0.8944274187088013f,
     0.6324554085731506f,    0.9701393246650696f,  0.6575955152511597f,  0.9922726154327393f,
     0.6643633246421814f,    0.9980466365814209f,  0.6660881638526917f,  0.9995059370994568f,
     0.6665214896202087f,    0.9998717308044434f,  0.6666299104690552f,  0.9999632239341736f,
     0.666657030582428f,     0.9999861121177673f,  0.6666638255119324f,  0.9999918341636658f,
     0.6666655540466309f,    0.9999932050704956f,  0.6666659712791443f,  0.9999935626983643f,
     0.6666660904884338f,    0.999993622303009f,   0.6666660904884338f,  0.0f},
    {0.0f,
     0.24746645987033844f,
     0.3667246103286743f,
     0.4812118113040924f,
     0.6931471824645996f,
     0.8813735842704773f,
     1.19476318359375f,
     1.4436354637145996f,
     1.8184465169906616f,
     2.094712495803833f,
     2.4917798042297363f,
     2.776472330093384f,
     3.1797854900360107f,
     3.4667110443115234f,
     3.8716347217559814f,
     4.159127235412598f,
     4.564456462860107f,
     4.852091312408447f,
     5.2575225830078125f,
     5.545192718505859f,
     5.950649261474609f,
     6.238328456878662f,
     6.643791198730469f,
     6.9314727783203125f,
     7.336937427520752f,
     7.624619483947754f,
     8.030084609985352f,
     8.317766189575195f,
     8.723231315612793f,
     3.092308986651915e-08f,
     0.40546509623527527f,
     0.0f}};
static const float ew_asinh_start[] = {
    0.0f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f,
    1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 1.0f, 1.5f, 0.0f};

EW_V16 ew_v16 v16_asinh(ew_v16 x) {
  ew_v16 ax = _mm512_abs_ps(x);
  __m512i top = _mm512_srli_epi32(_mm512_castps_si512(ax), 22); /* 2 (e + 127) + h */
  __m512i last =
      _mm512_add_epi32(_mm512_and_si512(top, _mm512_set1_epi32(1)), _mm512_set1_epi32(29));
  __m512i idx =
      _mm512_max_epi32(_mm512_sub_epi32(top, _mm512_set1_epi32(249)), _mm512_setzero_si512());
  idx = _mm512_min_epi32(idx, last);
  __mmask16 small = _mm512_cmpeq_epi32_mask(idx, _mm512_setzero_si512());
  ew_v16 m = _mm512_getmant_ps(ax, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  ew_v16 t = v16_sel(small, _mm512_sub_ps(m, v16_table_coef(ew_asinh_start, 32, idx)), ax);
  ew_v16 y = v16_table_poly(ew_asinh_tab[0], 32, idx, t, small);
  ew_v16 e1 = _mm512_maskz_add_ps(v16_le(v16c(0x1p12f), ax), _mm512_getexp_ps(ax), v16c(1.0f));
  y = _mm512_fmadd_ps(e1, v16c(EW_LN2HIF), _mm512_fmadd_ps(e1, v16c(EW_LN2LOF), y));
  return v16_copysign(y, x);
}

/* acosh x = asinh(sqrt(x^2 - 1)), the argument as sqrt(t (2 + t)), t = x - 1 (exact), by one
 * fma: asinh's error grows by the argument's (0.75 ulp at most; asinh's relative sensitivity to
 * it is below 1). From 2^12 on asinh x itself (the two differ by 1/(2 x^2) relative there). */
EW_V16 ew_v16 v16_acosh(ew_v16 x) {
  ew_v16 t = _mm512_sub_ps(x, v16c(1.0f));
  ew_v16 s = _mm512_sqrt_ps(_mm512_fmadd_ps(t, t, _mm512_add_ps(t, t)));
  ew_v16 y = v16_asinh(v16_sel(v16_le(v16c(0x1p12f), x), s, x));
  return v16_sel(v16_lt(x, v16c(1.0f)), y, v16c(EW_NANF));
}

/* atanh and erfinv below 1 - 2^-13 in magnitude: one degree-6 polynomial per lane from 32
 * entries (scripts/fit_vmath.py unit_table): |x| <= 1/2 in intervals of 1/16, t = |x| - k/16
 * (entry 0: t + t q(t)); beyond, the halves of the octaves 2^-2 .. 2^-13 of w = 1 - |x| (exact),
 * t = m - start, w = 2^e m, m in [1, 2), start 3/2 or 1. No log, no division. *far: the other
 * lanes (nans too), left to the caller. */
static const float ew_unit_start[] = {
    0.0f, 0.0625f, 0.125f, 0.1875f, 0.25f, 0.3125f, 0.375f, 0.4375f, 1.5f, 1.0f, 1.5f,
    1.0f, 1.5f,    1.0f,   1.5f,    1.0f,  1.5f,    1.0f,   1.5f,    1.0f, 1.5f, 1.0f,
    1.5f, 1.0f,    1.5f,   1.0f,    1.5f,  1.0f,    1.5f,   1.0f,    1.5f, 1.0f};
EW_V16 ew_v16 v16_unit_table(const float *tab, ew_v16 x, __mmask16 *far) {
  ew_v16 ax = _mm512_abs_ps(x), w = _mm512_sub_ps(v16c(1.0f), ax);
  __mmask16 small = v16_le(ax, v16c(0.5f));
  ew_v16 k = _mm512_roundscale_ps(_mm512_mul_ps(ax, v16c(16.0f)),
                                  _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  __m512i top = _mm512_srli_epi32(_mm512_castps_si512(w), 22); /* 2 (e + 127) + (m >= 3/2) */
  __m512i idx = _mm512_mask_blend_epi32(small, _mm512_sub_epi32(_mm512_set1_epi32(259), top),
                                        _mm512_cvttps_epi32(_mm512_min_ps(k, v16c(7.0f))));
  ew_v16 m = _mm512_getmant_ps(w, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  ew_v16 t = _mm512_sub_ps(v16_sel(small, m, ax), v16_table_coef(ew_unit_start, 32, idx));
  *far = v16_beyond(x, 1.0f - 0x1p-13f);
  __mmask16 first = _mm512_cmpeq_epi32_mask(idx, _mm512_setzero_si512());
  return v16_copysign(v16_table_poly(tab, 32, idx, t, first), x);
}

/* error 1.8e-08 */
static const float ew_atanh_tab[7][32] = {
    {0.027031201869249344f, 0.10101370513439178f,  0.19574053585529327f,   0.3410637080669403f,
     0.5861604809761047f,   1.0309875011444092f,   1.8963249921798706f,    3.7130303382873535f,
     0.00297584873624146f,  0.023110810667276382f, 0.0029896108899265528f, 0.023217549547553062f,
     0.002993944799527526f, 0.02326381206512451f,  0.0029961434192955494f, 0.02328992821276188f,
     0.002997488249093294f, 0.023306909948587418f, 0.002998406533151865f,  0.02331896685063839f,
     0.002999079879373312f, 0.023328039795160294f, 0.0029995981603860855f, 0.023335155099630356f,
     0.00300001073628664f,  0.023340899497270584f, 0.0030003476422280073f, 0.023345645517110825f,
     0.003000628901645541f, 0.023349635303020477f, 0.00300086778588593f,   0.02335304208099842f},
    {0.19809037446975708f,   0.20884521305561066f,  0.24597886204719543f,   0.3175564706325531f,
     0.4416400194168091f,    0.6534504294395447f,   1.0224721431732178f,    1.6919283866882324f,
     -0.01072564348578453f,  -0.06914830207824707f, -0.010735969059169292f, -0.06930143386125565f,
     -0.010742301121354103f, -0.06937062740325928f, -0.010745592415332794f, -0.06940975785255432f,
     -0.010747607797384262f, -0.06943519413471222f, -0.010748984292149544f, -0.06945324689149857f,
     -0.010749992914497852f, -0.06946683675050735f, -0.010750768706202507f, -0.06947748363018036f,
     -0.010751387104392052f, -0.06948608160018921f, -0.010751891881227493f, -0.06949318945407867f,
     -0.01075231283903122f,  -0.06949916481971741f, -0.010752671398222446f, -0.0695042610168457f},
    {6.207315891515464e-05f, 0.06386270374059677f, 0.13539811968803406f,  0.22427408397197723f,
     0.34440362453460693f,   0.518415629863739f,   0.7862585186958313f,   1.2237107753753662f,
     0.023860879242420197f,  0.11586429178714752f, 0.023938611149787903f, 0.11600328236818314f,
     0.02394494041800499f,   0.11604457348585129f, 0.02394692972302437f,  0.11606667190790176f,
     0.023948069661855698f,  0.11608096212148666f, 0.02394884265959263f,  0.11609110236167908f,
     0.023949408903717995f,  0.11609872430562973f, 0.023949844762682915f, 0.11610470712184906f,
     0.02395019121468067f,   0.11610952764749527f, 0.023950476199388504f, 0.11611351370811462f,
     0.023950712755322456f,  0.11611686646938324f, 0.023950913920998573f, 0.11611972749233246f},
    {0.3333324193954468f,   0.3412199914455414f,   0.3658364415168762f,    0.41024860739707947f,
     0.4803831875324249f,   0.5865893959999084f,   0.7467340230941772f,    0.9924531579017639f,
     -0.04986312985420227f, -0.16568990051746368f, -0.04931364208459854f,  -0.16527655720710754f,
     -0.0492657907307148f,  -0.16524285078048706f, -0.049261078238487244f, -0.16524361073970795f,
     -0.04926077276468277f, -0.16524671018123627f, -0.04926089942455292f,  -0.1652492731809616f,
     -0.04926103726029396f, -0.165251225233078f,   -0.049261149019002914f, -0.16525277495384216f,
     -0.04926123842597008f, -0.16525402665138245f, -0.04926131293177605f,  -0.16525505483150482f,
     -0.04926137253642082f, -0.16525591909885406f, -0.049261424690485f,    -0.16525664925575256f},
    {4.891465898992919e-09f, 0.0629911869764328f,  0.12899978458881378f, 0.20141297578811646f,
     0.28444457054138184f,   0.383801132440567f,   0.5077690482139587f,  0.6691414713859558f,
     0.10518369823694229f,   0.24478207528591156f, 0.10991211980581284f, 0.24877572059631348f,
     0.11083254218101501f,   0.24962785840034485f, 0.11103734374046326f, 0.24982568621635437f,
     0.11108575761318207f,   0.24987360835075378f, 0.1110975444316864f,  0.24988557398319244f,
     0.1111004650592804f,    0.24988868832588196f, 0.1111011952161789f,  0.2498895823955536f,
     0.11110138148069382f,   0.24988991022109985f, 0.11110144108533859f, 0.24989007413387299f,
     0.11110145598649979f,   0.24989019334316254f, 0.11110146343708038f, 0.2498902678489685f},
    {-4.25481871957345e-12f, 1.003921627998352f,   1.0158730745315552f,   1.0364372730255127f,
     1.0666667222976685f,    1.1082251071929932f,  1.163636326789856f,    1.2367149591445923f,
     -0.4102560877799988f,   -0.5714250802993774f, -0.3678157925605774f,  -0.533329963684082f,
     -0.34972646832466125f,  -0.5161256790161133f, -0.3413330316543579f,  -0.5079331994056702f,
     -0.3372856080532074f,   -0.5039337277412415f, -0.33529767394065857f, -0.5019574761390686f,
     -0.33431246876716614f,  -0.5009751915931702f, -0.3338220417499542f,  -0.5004854798316956f,
     -0.33357736468315125f,  -0.5002409815788269f, -0.3334551453590393f,  -0.5001188516616821f,
     -0.3333940804004669f,   -0.5000578165054321f, -0.3333635628223419f,  -0.5000272989273071f},
    {0.0f,
     0.06258156895637512f,
     0.12565721571445465f,
     0.18974481523036957f,
     0.2554128170013428f,
     0.3233135938644409f,
     0.39422866702079773f,
     0.4691348075866699f,
     0.7331685423851013f,
     0.972955048084259f,
     1.1343417167663574f,
     1.35402512550354f,
     1.5061308145523071f,
     1.7169935703277588f,
     1.8648507595062256f,
     2.0715672969818115f,
     2.21738862991333f,
     2.422093629837036f,
     2.566917896270752f,
     2.770631790161133f,
     2.9149627685546875f,
     3.118184804916382f,
     3.262270450592041f,
     3.465247392654419f,
     3.60921049118042f,
     3.812065362930298f,
     3.955967426300049f,
     4.158761024475098f,
     4.3026323318481445f,
     4.505395412445068f,
     4.649251937866211f,
     4.851999759674072f}};

/* atanh: ew_atanhf's argument to one log1p, its quotient by the reciprocal (every lane) */
EW_V16 ew_v16 v16_atanh_by_log1p(ew_v16 x) {
  ew_v16 ax = _mm512_abs_ps(x), t = _mm512_add_ps(ax, ax);
  ew_v16 q = _mm512_mul_ps(t, v16_recip(_mm512_sub_ps(v16c(1.0f), ax)));
  q = v16_sel(v16_eq(ax, v16c(1.0f)), q, v16c(EW_INFF)); /* the estimate's step makes 1/0 nan */
  ew_v16 a = v16_sel(v16_lt(ax, v16c(0.5f)), q, _mm512_fmadd_ps(q, ax, t));
  return v16_copysign(_mm512_mul_ps(v16c(0.5f), v16_log1p(a)), x);
}

EW_V16 ew_v16 v16_atanh(ew_v16 x) {
  __mmask16 far;
  ew_v16 y = v16_unit_table(ew_atanh_tab[0], x, &far);
  return far ? v16_sel(far, y, v16_atanh_by_log1p(x)) : y;
}

/* max + log1p(t), t = exp(-|a - b|) in (0, 1]: log1p(t) = t P(t) by one polynomial (no log, no
 * division), added to max in the same fma; infinities and nans as numpy. */
EW_V16 ew_v16 v16_logaddexp_by_exp(ew_v16 a, ew_v16 b) {
  ew_v16 mx = _mm512_max_ps(a, b);
  ew_v16 d = _mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(_mm512_sub_ps(a, b)));
  ew_v16 t = v16_exp(d);
  ew_v16 y = _mm512_fmadd_ps(t, v16_poly(t, ew_log1p_unit_p, EW_NCOEF(ew_log1p_unit_p)), mx);
  y = v16_sel(v16_eq(_mm512_abs_ps(mx), v16c(EW_INFF)), y, mx);
  return v16_sel(v16_isnan(a) | v16_isnan(b), y, _mm512_add_ps(a, b));
}

/* max + log1p(exp(-d)), d = |a - b|: below 16 one degree-5 polynomial per lane in t = d - k/2
 * from 32 entries (scripts/fit_vmath.py, relative error 1.1e-8); other lanes (d >= 16,
 * infinities, nans) from v16_logaddexp_by_exp, computed only when a vector has one. */
static const float ew_logaddexp_tab[6][32] = {
    {0.0004993501352146268f,   0.0010423471685498953f,   0.0008545761811546981f,
     0.0003773862845264375f,   2.0528435925371014e-05f,  -0.00013266642054077238f,
     -0.0001569251180626452f,  -0.00012993975542485714f, -9.333006164524704e-05f,
     -6.237276829779148e-05f,  -4.005228402093053e-05f,  -2.513330582587514e-05f,
     -1.5558563973172568e-05f, -9.553618838253897e-06f,  -5.837826847709948e-06f,
     -3.5567973100114614e-06f, -2.1631974504998652e-06f, -1.3142157513357233e-06f,
     -7.97911127392581e-07f,   -4.842516432290722e-07f,  -2.9382169941527536e-07f,
     -1.7825169607021962e-07f, -1.0812976825036458e-07f, -6.558941123557815e-08f,
     -3.978396989623434e-08f,  -2.41309283666169e-08f,   -1.4636415635038702e-08f,
     -8.877533375084568e-09f,  -5.384532819618926e-09f,  -3.2658975523958134e-09f,
     -1.9808719109448703e-09f, -1.2014613748334568e-09f},
    {-0.005485911387950182f,  -0.004088947083801031f,  -0.0013601348036900163f,
     0.000792231410741806f,   0.0017005261033773422f,  0.0017193176317960024f,
     0.0013709284830838442f,  0.0009729438461363316f,  0.000647430308163166f,
     0.0004150470776949078f,  0.0002602644090075046f,  0.0001610636682016775f,
     9.888487693388015e-05f,  6.0419795772759244e-05f, 3.6810255551245064e-05f,
     2.2386982891475782e-05f, 1.3600663805846125e-05f, 8.25742245069705e-06f,
     5.011399480281398e-06f,  3.0406786208914127e-06f, 1.8446737612975994e-06f,
     1.1190015811735066e-06f, 6.787641382288712e-07f,  4.1171162479258783e-07f,
     2.497232287623774e-07f,  1.514675460612125e-07f,  9.187072436134258e-08f,
     5.5722782832390294e-08f, 3.379771484901539e-08f,  2.049939951120905e-08f,
     1.2433533314037959e-08f, 7.54132578606459e-09f},
    {7.223437569336966e-05f,   -0.009576310403645039f,   -0.015174190513789654f,
     -0.015824999660253525f,   -0.013348033651709557f,   -0.009917951188981533f,
     -0.006814715452492237f,   -0.004461389500647783f,   -0.0028350965585559607f,
     -0.0017690863460302353f,  -0.001091686775907874f,   -0.0006691208109259605f,
     -0.0004084340180270374f,  -0.0002486866433173418f,  -0.00015119003364816308f,
     -9.183188376482576e-05f,  -5.574692113441415e-05f,  -3.382991417311132e-05f,
     -2.052539275609888e-05f,  -1.2451677321223542e-05f, -7.553205705335131e-06f,
     -4.581575467454968e-06f,  -2.7789851628767792e-06f, -1.6855836975082639e-06f,
     -1.0223743629467208e-06f, -6.201073006195656e-07f,  -3.7611627590194985e-07f,
     -2.2812686495399248e-07f, -1.383662322496093e-07f,  -8.392347439212244e-08f,
     -5.090219801218154e-08f,  -3.0873760437089004e-08f},
    {0.12499140202999115f,    0.11750011146068573f,    0.09830986708402634f,
     0.07457764446735382f,    0.05249927565455437f,    0.035052623599767685f,
     0.022588245570659637f,   0.014226170256733894f,   0.008831013925373554f,
     0.0054328544065356255f,  0.0033238488249480724f,  0.0020266687497496605f,
     0.001233180402778089f,   0.000749418162740767f,   0.0004550821322482079f,
     0.00027621909976005554f, 0.00016760820290073752f, 0.00010168633161811158f,
     6.168574327602983e-05f,  3.741792534128763e-05f,  2.2696454834658653e-05f,
     1.3766587471764069e-05f, 8.35003811516799e-06f,   5.064620381745044e-06f,
     3.071872242799145e-06f,  1.8631936882229638e-06f, 1.1300874120934168e-06f,
     6.854338607809041e-07f,  4.1573710518605367e-07f, 2.521574629099632e-07f,
     1.5294129696030723e-07f, 9.276360657395344e-08f},
    {-0.49999961256980896f,    -0.37754058837890625f,    -0.26894161105155945f,
     -0.18242572247982025f,    -0.11920303106307983f,    -0.0758582130074501f,
     -0.04742586985230446f,    -0.029312215745449066f,   -0.017986195161938667f,
     -0.010986930690705776f,   -0.006692843046039343f,   -0.004070132505148649f,
     -0.0024726197589188814f,  -0.0015011802315711975f,  -0.0009110498940572143f,
     -0.0005527778412215412f,  -0.000335349643137306f,   -0.0002034266944974661f,
     -0.00012339440581854433f, -7.484612433472648e-05f,  -4.5397802750812843e-05f,
     -2.7535652407095768e-05f, -1.670139863563236e-05f,  -1.0129976544703823e-05f,
     -6.144166036392562e-06f,  -3.7266340768837836e-06f, -2.2603210254601436e-06f,
     -1.3709552604268538e-06f, -8.315268473779724e-07f,  -5.043467012910696e-07f,
     -3.0590177857448e-07f,    -1.855388376270639e-07f},
    {0.6931471824645996f,     0.4740769863128662f,     0.3132616877555847f,
     0.20141327381134033f,    0.12692801654338837f,    0.07888973504304886f,
     0.04858735203742981f,    0.029750417917966843f,   0.018149927258491516f,
     0.011047745123505592f,   0.006715348456054926f,   0.0040784431621432304f,
     0.0024756852071732283f,  0.0015023101586848497f,  0.000911466428078711f,
     0.0005529314512386918f,  0.00033540636650286615f, 0.00020344766380731016f,
     0.0001234021910931915f,  7.484902744181454e-05f,  4.539889778243378e-05f,
     2.7536070774658583e-05f, 1.6701560525689274e-05f, 1.013004202832235e-05f,
     6.144193321233615e-06f,  3.726646127688582e-06f,  2.260326937175705e-06f,
     1.3709581025977968e-06f, 8.315283821502817e-07f,  5.043475539423525e-07f,
     3.059022617435403e-07f,  1.8553912184415822e-07f}};
EW_V16 ew_v16 v16_logaddexp(ew_v16 a, ew_v16 b) {
  ew_v16 d = _mm512_abs_ps(_mm512_sub_ps(a, b));
  ew_v16 t, k = v16_interval(d, 2.0f, 31.0f, &t); /* lanes not near: replaced below */
  ew_v16 y = _mm512_add_ps(_mm512_max_ps(a, b),
                           v16_table_horner(ew_logaddexp_tab[0], 32, 6, _mm512_cvttps_epi32(k), t));
  __mmask16 far = v16_beyond(d, 16.0f);
  return far ? v16_sel(far, y, v16_logaddexp_by_exp(a, b)) : y;
}

/* ------------------------------------------------------------------ erf, erfinv */

/* erf on [k/4, (k + 1)/4), k = 0..15: a degree-6 polynomial in t = |x| - k/4 (exact) per
 * interval, its coefficients picked by vpermps from 16-entry rows (scripts/fit_vmath.py, relative
 * error 2.9e-9; v16_table_poly); |x| >= 4 is clamped to 4 (erf rounds to 1).
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
  ew_v16 t, k = v16_interval(v16_min_keepnan(_mm512_abs_ps(x), 4.0f), 4.0f, 15.0f, &t);
  ew_v16 p =
      v16_table_poly(ew_erf_tab[0], 16, _mm512_cvttps_epi32(k), t, v16_eq(k, _mm512_setzero_ps()));
  return v16_copysign(p, x);
}

/* erfinv: w = -log(1 - x^2), polynomials in w and, in the tails, in sqrt(w) (every lane) */
EW_V16 ew_v16 v16_erfinv_by_log(ew_v16 x) {
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

/* error 1.1e-08 */
static const float ew_erfinv_tab[7][32] = {
    {0.016371913254261017f,  0.0610261894762516f,   0.11767520755529404f,   0.20359966158866882f,
     0.3468084931373596f,    0.6035908460617065f,   1.0968517065048218f,    2.118572473526001f,
     0.0016574328765273094f, 0.012365097180008888f, 0.0015379554824903607f, 0.011520281434059143f,
     0.0014339464250952005f, 0.010786295868456364f, 0.0013455129228532314f, 0.010156963020563126f,
     0.0012699156068265438f, 0.009614848531782627f, 0.0012046906631439924f, 0.00914396159350872f,
     0.0011478638043627143f, 0.008731282316148281f, 0.0010978920618072152f, 0.008366508409380913f,
     0.0010535723995417356f, 0.008041521534323692f, 0.0010139606893062592f, 0.00774989603087306f,
     0.0009783100103959441f, 0.007486504502594471f, 0.0009460244327783585f, 0.0072472174651920795f},
    {0.12639978528022766f,    0.13292242586612701f,   0.15537883341312408f,
     0.19845783710479736f,    0.27262917160987854f,   0.3981548845767975f,
     0.6146491765975952f,     1.0029315948486328f,    -0.006062787026166916f,
     -0.03742823749780655f,   -0.005595294758677483f, -0.034742385149002075f,
     -0.005205244291573763f,  -0.03246084973216057f,  -0.004876345861703157f,
     -0.03052128106355667f,   -0.004596508573740721f, -0.02885894477367401f,
     -0.004355895798653364f,  -0.0274201612919569f,   -0.004146838095039129f,
     -0.026162680238485336f,  -0.003963417839258909f, -0.02505362778902054f,
     -0.0038010571151971817f, -0.024067353457212448f, -0.003656185232102871f,
     -0.02318369597196579f,   -0.003525989130139351f, -0.02238665334880352f,
     -0.0034082301426678896f, -0.021663391962647438f},
    {3.758435195777565e-05f, 0.04068611562252045f, 0.08601091057062149f,  0.1417800635099411f,
     0.2162586897611618f,    0.32273057103157043f, 0.4843609631061554f,   0.7445388436317444f,
     0.013839426450431347f,  0.06411395221948624f, 0.01277750451117754f,  0.059324685484170914f,
     0.0118541419506073f,    0.05527939274907112f, 0.011078557930886745f, 0.05186411738395691f,
     0.010421807877719402f,  0.04895253852009773f, 0.009859543293714523f, 0.046443454921245575f,
     0.009372888132929802f,  0.04425860196352005f, 0.008947360329329967f, 0.04233770817518234f,
     0.008571814745664597f,  0.04063413292169571f, 0.008237606845796108f, 0.039111439138650894f,
     0.007937955670058727f,  0.03774086758494377f, 0.007667487487196922f, 0.03649946302175522f},
    {0.23201312124729156f,   0.23704124987125397f,   0.2527028024196625f,    0.2808486223220825f,
     0.3250378370285034f,    0.391440749168396f,     0.49061301350593567f,   0.6410437226295471f,
     -0.03031606413424015f,  -0.09546112269163132f,  -0.027392935007810593f, -0.08757905662059784f,
     -0.02527059242129326f,  -0.08125586062669754f,  -0.02352653257548809f,  -0.07597657293081284f,
     -0.022060930728912354f, -0.07150615006685257f,  -0.02081380784511566f,  -0.06767646223306656f,
     -0.019740473479032516f, -0.06435956060886383f,  -0.018806811422109604f, -0.06145745515823364f,
     -0.017986662685871124f, -0.058894746005535126f, -0.01725982502102852f,  -0.056612879037857056f,
     -0.016610560938715935f, -0.054565928876399994f, -0.016026461496949196f, -0.05271747335791588f},
    {2.9610267571200666e-09f, 0.0438157357275486f,  0.08955308794975281f,  0.1393570899963379f,
     0.19587041437625885f,    0.2626287639141083f,  0.34469854831695557f,  0.4497932195663452f,
     0.06764207035303116f,    0.14990408718585968f, 0.06497053056955338f,  0.140025794506073f,
     0.06031081825494766f,    0.12978295981884003f, 0.055967967957258224f, 0.12080734968185425f,
     0.05223087593913078f,    0.11316026747226715f, 0.049051374197006226f, 0.10664102435112f,
     0.04633278399705887f,    0.10103779286146164f, 0.0439867302775383f,   0.09617415070533752f,
     0.041941963136196136f,   0.09191121906042099f, 0.04014285281300545f,  0.08814101666212082f,
     0.038546122610569f,      0.0847792997956276f,  0.03711792454123497f,  0.08175981789827347f},
    {-0.11377307772636414f, 0.8889555931091309f,   0.8972606062889099f,   0.9115126132965088f,
     0.9323782324790955f,   0.9609050750732422f,   0.9986698627471924f,   1.0480327606201172f,
     -0.32838696241378784f, -0.4293731153011322f,  -0.2640417516231537f,  -0.35934749245643616f,
     -0.22560161352157593f, -0.31395965814590454f, -0.19957125186920166f, -0.2816936671733856f,
     -0.18054521083831787f, -0.25733548402786255f, -0.1659037470817566f,  -0.2381538599729538f,
     -0.1542106717824936f,  -0.22256843745708466f, -0.1446073055267334f,  -0.20959576964378357f,
     -0.13654595613479614f, -0.19858905673027039f, -0.12965933978557587f, -0.18910378217697144f,
     -0.12369107455015182f, -0.1808234304189682f,  -0.11845627427101135f, -0.17351597547531128f},
    {0.0f,
     0.05544595047831535f,
     0.11123545467853546f,
     0.16772721707820892f,
     0.22531205415725708f,
     0.2844337522983551f,
     0.3456171154975891f,
     0.40950828790664673f,
     0.6273073554039001f,
     0.8134198188781738f,
     0.931974470615387f,
     1.0847870111465454f,
     1.1850683689117432f,
     1.317150354385376f,
     1.4053237438201904f,
     1.5230194330215454f,
     1.6024643182754517f,
     1.709472417831421f,
     1.782264232635498f,
     1.8809517621994019f,
     1.9484672546386719f,
     2.040452003479004f,
     2.1036572456359863f,
     2.1900999546051025f,
     2.2497024536132812f,
     2.331467866897583f,
     2.388002872467041f,
     2.465754985809326f,
     2.519639015197754f,
     2.593900442123413f,
     2.6454648971557617f,
     2.7166552543640137f}};
EW_V16 ew_v16 v16_erfinv(ew_v16 x) {
  __mmask16 far;
  ew_v16 y = v16_unit_table(ew_erfinv_tab[0], x, &far);
  return far ? v16_sel(far, y, v16_erfinv_by_log(x)) : y;
}

/* ------------------------------------------------------------------ sin, cos, tan */

/* |x| = n pi/2 + r for |x| < EW_TRIG_LIMITF (ax = |x|): n by rounding with the 1.5 2^23 shift
 * (*n_bits: its low bits are n's), r = |x| - n p1 (exact by the fma) + n p2 + n p3 with pi/2 in
 * three parts, rounded twice. There is no low part: r is off by up to 0.5 ulp (one ulp where n
 * p3 reaches r's last bits, n past 2^18). Lanes beyond the limit, infinities and nans are the
 * caller's (GEN_UN_V16_GUARD gives them to libm). */
EW_V16 ew_v16 v16_trig_reduce(ew_v16 ax, __m512i *n_bits) {
  ew_v16 nb = _mm512_fmadd_ps(ax, v16c(0x1.45f306p-1f), v16c(0x1.8p23f));
  ew_v16 n = _mm512_sub_ps(nb, v16c(0x1.8p23f));
  ew_v16 r = _mm512_fnmadd_ps(n, v16c(0x1.921fb6p+0f), ax);
  r = _mm512_fmadd_ps(n, v16c(0x1.777a5cp-25f), r);
  *n_bits = _mm512_castps_si512(nb);
  return _mm512_fmadd_ps(n, v16c(0x1.ee59dap-50f), r);
}

/* y with the sign bit flipped where the sign bit of s is set */
EW_V16 ew_v16 v16_flip_sign(ew_v16 y, __m512i s) {
  return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(y), s,
                                                       _mm512_set1_epi32((int)0x80000000), 0x78));
}

/* sin and cos of |x| = n pi/2 + r (v16_trig_reduce: 1.49 ulp at most measured, numpy's float32
 * sin 1.45, MLX's 1.47 below 10 and far more beyond; scripts/ulp_errors.py). Lanes where sin(|x|)
 * is +-sin r (n even; cos: n odd) and those where it is +-cos r share one Horner: the coefficients
 * are picked per lane, y = A + A z P(z) with A = r or 1. Bit 1 of n (cos: of n + 1) and, for sin,
 * x's sign give the result's sign. Lanes with |x| >= EW_SINCOS_V16_LIMITF are the caller's: at
 * larger n the two roundings reach 1.67 ulp. */
#define EW_SINCOS_V16_LIMITF 0x1p19f
static const float ew_sin_p[] = {2.709584123294917e-06f, -0.0001983831898542121f,
                                 0.008333326317369938f, -0.1666666716337204f};
static const float ew_cos_p[] = {2.4287326596095227e-05f, -0.0013885539956390858f,
                                 0.041666578501462936f, -0.5f};
EW_V16 ew_v16 v16_sin_or_cos(ew_v16 x, int cosine) {
  __m512i q;
  ew_v16 r = v16_trig_reduce(_mm512_abs_ps(x), &q);
  if (cosine) q = _mm512_add_epi32(q, _mm512_set1_epi32(1));
  __mmask16 use_cos = _mm512_test_epi32_mask(q, _mm512_set1_epi32(1));
  ew_v16 z = _mm512_mul_ps(r, r), p = v16c(0.0f);
  for (int k = 0; k < EW_NCOEF(ew_sin_p); k++)
    p = _mm512_fmadd_ps(p, z, _mm512_mask_blend_ps(use_cos, v16c(ew_sin_p[k]), v16c(ew_cos_p[k])));
  ew_v16 a = _mm512_mask_blend_ps(use_cos, r, v16c(1.0f));
  ew_v16 y = _mm512_fmadd_ps(_mm512_mul_ps(a, z), p, a);
  __m512i sign = _mm512_slli_epi32(q, 30);
  if (!cosine) sign = _mm512_xor_si512(sign, _mm512_castps_si512(x));
  return v16_flip_sign(y, sign);
}

EW_V16 ew_v16 v16_sin(ew_v16 x) {
  return v16_sin_or_cos(x, 0);
}

EW_V16 ew_v16 v16_cos(ew_v16 x) {
  return v16_sin_or_cos(x, 1);
}

/* tan |x| = t = r + r z T(z), z = r^2 (v16_trig_reduce; T: a fit on |r| <= 0.87, pi/4 plus the
 * overshoot of the float reduction up to 2^20, scripts/fit_vmath.py, relative error 8.6e-9);
 * odd n give -1 / t by the reciprocal estimate and a Newton step on t's unrounded value (t's
 * rounding would add another half ulp; r is never 0 there). 2.38 ulp at most measured
 * (scripts/ulp_errors.py; numpy's float32 tan 3.69). */
static const float ew_tan_p[] = {
    0.005833687726408243f, -0.0031274587381631136f, 0.013603249564766884f, 0.020116398110985756f,
    0.05430666357278824f,  0.13330282270908356f,    0.3333342671394348f};
EW_V16 ew_v16 v16_tan(ew_v16 x) {
  __m512i q;
  ew_v16 r = v16_trig_reduce(_mm512_abs_ps(x), &q);
  ew_v16 z = _mm512_mul_ps(r, r);
  ew_v16 rz = _mm512_mul_ps(r, z), p = v16_poly(z, ew_tan_p, EW_NCOEF(ew_tan_p));
  ew_v16 t = _mm512_fmadd_ps(rz, p, r);
  ew_v16 t_lo = _mm512_fmadd_ps(rz, p, _mm512_sub_ps(r, t)); /* r - t exact: t < 2r */
  ew_v16 y0 = _mm512_rcp14_ps(t);
  ew_v16 e = _mm512_fnmadd_ps(t_lo, y0, _mm512_fnmadd_ps(t, y0, v16c(1.0f)));
  __mmask16 odd = _mm512_test_epi32_mask(q, _mm512_set1_epi32(1));
  t = _mm512_mask_sub_ps(t, odd, _mm512_setzero_ps(), _mm512_fmadd_ps(y0, e, y0));
  return v16_flip_sign(t, _mm512_castps_si512(x));
}

/* sin, cos and tan of any float, for callers without a guard of their own (fused kernels):
 * lanes at or past the vector versions' limits (and nans) by ew_math.h's full-range functions,
 * as the eager kernels do */
EW_V16 ew_v16 v16_sin_full(ew_v16 x) {
  return v16_redo_lanes(x, v16_sin(x), v16_beyond(x, EW_SINCOS_V16_LIMITF), ew_sin_fullf);
}
EW_V16 ew_v16 v16_cos_full(ew_v16 x) {
  return v16_redo_lanes(x, v16_cos(x), v16_beyond(x, EW_SINCOS_V16_LIMITF), ew_cos_fullf);
}
EW_V16 ew_v16 v16_tan_full(ew_v16 x) {
  return v16_redo_lanes(x, v16_tan(x), v16_beyond(x, EW_TRIG_LIMITF), ew_tan_fullf);
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

/* ew_atan_pos_f (ew_math.h: atan of ax >= 0 or +inf) with one division: r = n / d picks
 * -1 / ax, (ax - 1) / (ax + 1) or ax / 1 per lane, each the value the scalar code divides out. */
EW_V16 ew_v16 v16_atan_pos(ew_v16 ax) {
  __mmask16 hi = v16_lt(v16c(0x1.3504f4p+1f), ax), mid = v16_lt(v16c(0x1.a8279ap-2f), ax);
  ew_v16 n = v16_sel(hi, v16_sel(mid, ax, _mm512_sub_ps(ax, v16c(1.0f))), v16c(-1.0f));
  ew_v16 d = v16_sel(hi, v16_sel(mid, v16c(1.0f), _mm512_add_ps(ax, v16c(1.0f))), ax);
  ew_v16 r = _mm512_div_ps(n, d), z = _mm512_mul_ps(r, r);
  ew_v16 off_hi = v16_sel(hi, _mm512_maskz_mov_ps(mid, v16c(EW_PIO4HIF)), v16c(EW_PIO2HIF));
  ew_v16 off_lo = v16_sel(hi, _mm512_maskz_mov_ps(mid, v16c(EW_PIO4LOF)), v16c(EW_PIO2LOF));
  ew_v16 p = v16_poly(z, ew_atan_p, EW_NCOEF(ew_atan_p));
  return _mm512_add_ps(off_hi, _mm512_add_ps(r, _mm512_fmadd_ps(_mm512_mul_ps(r, z), p, off_lo)));
}

EW_V16 ew_v16 v16_atan(ew_v16 x) {
  ew_v16 y = v16_atan_pos(_mm512_abs_ps(x));
  return v16_sel(v16_isnan(x), v16_copysign(y, x), x);
}

/* ew_atan2f(y, x), lane by lane */
EW_V16 ew_v16 v16_atan2(ew_v16 y, ew_v16 x) {
  __mmask16 both_inf =
      v16_eq(_mm512_abs_ps(y), v16c(EW_INFF)) & v16_eq(_mm512_abs_ps(x), v16c(EW_INFF));
  ew_v16 yy = v16_sel(both_inf, y, v16_copysign(v16c(1.0f), y));
  ew_v16 xx = v16_sel(both_inf, x, v16_copysign(v16c(1.0f), x));
  ew_v16 t = _mm512_div_ps(_mm512_abs_ps(yy), _mm512_abs_ps(xx));
  t = _mm512_maskz_mov_ps(~v16_eq(yy, _mm512_setzero_ps()), t);
  ew_v16 a = v16_atan_pos(t);
  __mmask16 neg_x = _mm512_movepi32_mask(_mm512_castps_si512(xx));
  a = v16_sel(neg_x, a, _mm512_sub_ps(v16c(EW_PIHIF), _mm512_sub_ps(a, v16c(EW_PILOF))));
  a = v16_copysign(a, y);
  return v16_sel(v16_isnan(x) | v16_isnan(y), a, _mm512_add_ps(x, y));
}

/* ------------------------------------------------------------------ pow */

EW_V16 __m512d v8d_poly(__m512d z, const double *c, int n) {
  __m512d p = _mm512_set1_pd(c[0]);
#pragma GCC unroll 16
  for (int k = 1; k < n; k++) p = _mm512_fmadd_pd(p, z, _mm512_set1_pd(c[k]));
  return p;
}

/* pow's y log2|x| and 2^t in double, eight lanes at a time, from tables (scripts/fit_vmath.py):
 * log2 m = log2 c + r P(r), r = m / c - 1 (|r| <= 1/32) with 1/c and log2 c picked by vpermt2pd
 * from 16 entries on bits 19-22 of m; 2^t = 2^(j/16) 2^f 2^n, 16 t = 16 n + j + 16 f rounded by
 * the shifter (j in its low bits picks the entry, |f| <= 1/32). t to about 2^-33 relative: the
 * float result is within an ulp wherever it is representable. */
static const double ew_pow_invc[] = {
    0x1.f07c1f07c1f08p-1, 0x1.d41d41d41d41dp-1, 0x1.bacf914c1bad0p-1, 0x1.a41a41a41a41ap-1,
    0x1.8f9c18f9c18fap-1, 0x1.7d05f417d05f4p-1, 0x1.6c16c16c16c17p-1, 0x1.5c9882b931057p-1,
    0x1.4e5e0a72f0539p+0, 0x1.4141414141414p+0, 0x1.3521cfb2b78c1p+0, 0x1.29e4129e4129ep+0,
    0x1.1f7047dc11f70p+0, 0x1.15b1e5f75270dp+0, 0x1.0c9714fbcda3bp+0, 0x1.0410410410410p+0};
static const double ew_pow_log2c[] = {
    0x1.6bad3758efd81p-5,  0x1.08c588cda79e5p-3,  0x1.acf5e2db4ec91p-3,  0x1.24407ab0e073ap-2,
    0x1.6e221cd9d0cddp-2,  0x1.b47ebf73882a1p-2,  0x1.f7a8568cb06cep-2,  0x1.1bf311e95d00ep-1,
    -0x1.8a8980abfbd30p-2, -0x1.4f6fbb2cec598p-2, -0x1.169c05363f157p-2, -0x1.bfc67a7fff4cap-3,
    -0x1.563dc29ffacafp-3, -0x1.e0b1ae8f2fd56p-4, -0x1.1bb32a60054a2p-4, -0x1.743ee861f353fp-6};
static const double ew_pow_exp2j[] = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
static const double ew_pow_log2_p[] = {-0x1.ec709dc3a03fdp-3, 0x1.2776c50ef9bffp-2,
                                       -0x1.71547652b82fep-2, 0x1.ec709dc3a03fdp-2,
                                       -0x1.71547652b82fep-1, 0x1.71547652b82fep+0};
static const double ew_pow_exp2_p[] = {0x1.3b2ab6fba4e77p-7, 0x1.c6b08d704a0bfp-5,
                                       0x1.ebfbdff82c58ep-3, 0x1.62e42fefa39efp-1};

EW_V16 __m512d v8d_table(const double *t, __m512i idx) {
  return _mm512_permutex2var_pd(_mm512_loadu_pd(t), idx, _mm512_loadu_pd(t + 8));
}

/* m in [3/4, 3/2), e: |x| = 2^e m (e = -inf for 0, inf for inf); idx: bits 19-22 of float m;
 * lanes outside keep get t = 0 (y = 0 or |x| = 1: 1 even where y log2|x| is 0 * inf) */
EW_V16 __m256 v8d_exp2_ylog2(__m512d m, __m512d e, __m512i idx, __m512d y, __mmask8 keep) {
  __m512d r = _mm512_fmsub_pd(m, v8d_table(ew_pow_invc, idx), _mm512_set1_pd(1.0));
  __m512d p = v8d_poly(r, ew_pow_log2_p, EW_NCOEF(ew_pow_log2_p));
  __m512d l = _mm512_fmadd_pd(r, p, _mm512_add_pd(e, v8d_table(ew_pow_log2c, idx)));
  __m512d t = _mm512_maskz_mul_pd(keep, y, l);
  t = _mm512_min_pd(_mm512_set1_pd(2000.0), _mm512_max_pd(_mm512_set1_pd(-2000.0), t));
  __m512d kd = _mm512_fmadd_pd(t, _mm512_set1_pd(16.0), _mm512_set1_pd(EW_SHIFTER));
  __m512d kn = _mm512_sub_pd(kd, _mm512_set1_pd(EW_SHIFTER));
  __m512d f = _mm512_fnmadd_pd(kn, _mm512_set1_pd(1.0 / 16), t);
  __m512d tj = v8d_table(ew_pow_exp2j, _mm512_castpd_si512(kd));
  __m512d q = v8d_poly(f, ew_pow_exp2_p, EW_NCOEF(ew_pow_exp2_p));
  __m512d v = _mm512_fmadd_pd(_mm512_mul_pd(tj, f), q, tj);
  return _mm512_cvtpd_ps(_mm512_scalef_pd(v, _mm512_mul_pd(kn, _mm512_set1_pd(1.0 / 16))));
}

/* |x|^y in double (every lane; y = 0 or |x| = 1 give 1) */
EW_V16 ew_v16 v16_pow_abs_by_double(ew_v16 ax, ew_v16 y) {
  __mmask16 trivial = v16_eq(y, _mm512_setzero_ps()) | v16_eq(ax, v16c(1.0f)); /* 0 * inf */
  ew_v16 m = _mm512_getmant_ps(ax, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);
  ew_v16 e = _mm512_sub_ps(_mm512_getexp_ps(ax), _mm512_getexp_ps(m));
  e = v16_sel(v16_eq(ax, _mm512_setzero_ps()), e, v16c(-EW_INFF));
  __m512i idx = _mm512_srli_epi32(_mm512_castps_si512(m), 19);
#define POW_HALF(H)                                                                                \
  v8d_exp2_ylog2(_mm512_cvtps_pd(_mm512_extractf32x8_ps(m, H)),                                    \
                 _mm512_cvtps_pd(_mm512_extractf32x8_ps(e, H)),                                    \
                 _mm512_cvtepu32_epi64(_mm512_extracti32x8_epi32(idx, H)),                         \
                 _mm512_cvtps_pd(_mm512_extractf32x8_ps(y, H)), (__mmask8)(~trivial >> (8 * H)))
  ew_v16 r = _mm512_insertf32x8(_mm512_castps256_ps512(POW_HALF(0)), POW_HALF(1), 1);
#undef POW_HALF
  return r;
}

/* |x|^y in float-float, for lanes where t = y log2|x| is below 125 and y below 256 in magnitude
 * (*far: the others, nans too). log2|x| = e + log2 c + log2(1 + r), 1/c from the log's table (r = m
 * / c - 1 as an exact sum r + r_lo), log2 c as hi (a multiple of 2^-16: e + hi is exact) + lo,
 * log2(1 + r) = r log2(e) + r^2 P(r); the sum renormalized to l + l_lo, t = y l as t + t_lo by an
 * fma; 2^t = 2^(j/32) (hi + lo) 2^f 2^n with 2^f = 1 + f Q(f), |f| <= 1/64 (scripts/fit_vmath.py
 * pow_float_tables). 0.63 ulp at most in tests/c/test_vmath.c. */
static const float ew_powf_log2c_hi[] = {0.0f,
                                         0.0661163330078125f,
                                         0.1085662841796875f,
                                         0.1495819091796875f,
                                         0.1899261474609375f,
                                         0.228668212890625f,
                                         0.266876220703125f,
                                         0.30389404296875f,
                                         0.3397064208984375f,
                                         0.3751983642578125f,
                                         0.40936279296875f,
                                         0.442901611328125f,
                                         0.4758758544921875f,
                                         0.5077056884765625f,
                                         0.5389862060546875f,
                                         0.5699920654296875f,
                                         -0.4001312255859375f,
                                         -0.3707122802734375f,
                                         -0.341888427734375f,
                                         -0.3134765625f,
                                         -0.285797119140625f,
                                         -0.2586212158203125f,
                                         -0.2317352294921875f,
                                         -0.2056121826171875f,
                                         -0.17974853515625f,
                                         -0.1543426513671875f,
                                         -0.129791259765625f,
                                         -0.10516357421875f,
                                         -0.0811920166015625f,
                                         -0.05731201171875f,
                                         -0.034332275390625f,
                                         0.0f};
static const float ew_powf_log2c_lo[] = {-0.0f,
                                         2.4186144855775638e-06f,
                                         9.781030030353577e-07f,
                                         7.364415523625212e-06f,
                                         -1.2345575441941037e-06f,
                                         3.1228712487063603e-06f,
                                         -2.3572054033138556e-06f,
                                         7.255303444253514e-06f,
                                         5.577884166996228e-06f,
                                         4.917221758660162e-07f,
                                         1.276504349334573e-06f,
                                         -5.568474534811685e-06f,
                                         -5.749963747803122e-06f,
                                         -7.184720288933022e-06f,
                                         2.1762823507742723e-06f,
                                         7.042416996227985e-07f,
                                         6.83804046275327e-06f,
                                         -2.1280768578435527e-06f,
                                         -6.99829888617387e-06f,
                                         -1.6111831655507558e-06f,
                                         -4.468911924959684e-07f,
                                         6.303182999545243e-06f,
                                         -1.5895303704382968e-06f,
                                         4.300777163734892e-06f,
                                         2.963651240861509e-06f,
                                         2.2817969238531077e-06f,
                                         -5.530191629077308e-06f,
                                         -2.10770463127119e-06f,
                                         1.9899514427379472e-06f,
                                         -2.700779759834404e-06f,
                                         -7.340649972320534e-07f,
                                         -0.0f};
static const float ew_powf_exp2_hi[] = {1.0f,
                                        1.0218971967697144f,
                                        1.0442737340927124f,
                                        1.0671404600143433f,
                                        1.0905077457427979f,
                                        1.114386796951294f,
                                        1.1387885808944702f,
                                        1.1637248992919922f,
                                        1.1892070770263672f,
                                        1.215247392654419f,
                                        1.2418577671051025f,
                                        1.2690509557724f,
                                        1.2968395948410034f,
                                        1.3252366781234741f,
                                        1.3542555570602417f,
                                        1.3839099407196045f,
                                        1.4142135381698608f,
                                        1.4451807737350464f,
                                        1.4768261909484863f,
                                        1.5091644525527954f,
                                        1.5422108173370361f,
                                        1.5759809017181396f,
                                        1.610490322113037f,
                                        1.6457555294036865f,
                                        1.6817928552627563f,
                                        1.7186193466186523f,
                                        1.7562521696090698f,
                                        1.7947090864181519f,
                                        1.8340080976486206f,
                                        1.8741676807403564f,
                                        1.9152065515518188f,
                                        1.9571441411972046f};
static const float ew_powf_exp2_lo[] = {0.0f,
                                        -4.811559861650494e-08f,
                                        4.8334701574503924e-08f,
                                        -5.9337519786595294e-08f,
                                        -1.3077539939843064e-08f,
                                        -5.435540018083884e-08f,
                                        5.386222312608879e-08f,
                                        -4.051441493402308e-08f,
                                        3.797635272917432e-08f,
                                        -3.267394887984665e-08f,
                                        4.496838101886169e-08f,
                                        1.419333317542737e-09f,
                                        -4.018999533172973e-08f,
                                        -3.496373324196611e-08f,
                                        -1.0123349269974824e-08f,
                                        -5.875577357983275e-08f,
                                        2.4203234971764687e-08f,
                                        3.324199937537742e-08f,
                                        -4.500898853621038e-08f,
                                        -2.4959373234878512e-08f,
                                        8.070904833346049e-09f,
                                        -5.661025426206834e-08f,
                                        9.836217174097328e-09f,
                                        -5.124972091152813e-08f,
                                        -2.4755326677450284e-08f,
                                        -4.8496175963919086e-08f,
                                        -9.235770370707996e-09f,
                                        -1.141504490931311e-08f,
                                        -1.1239277952768134e-08f,
                                        -4.663005626071026e-08f,
                                        9.845328108326612e-09f,
                                        -1.7021804410433106e-08f};
/* error 8.8e-11 */
static const float ew_powf_log2_p[] = {-0.2327260971069336f, 0.28855767846107483f,
                                       -0.36067602038383484f, 0.48089835047721863f,
                                       -0.7213475108146667f};
/* error 1.1e-11 */
static const float ew_powf_exp2_p[] = {0.0096181845292449f, 0.055504411458969116f,
                                       0.24022650718688965f, 0.6931471824645996f};
EW_V16 ew_v16 v16_pow_abs(ew_v16 ax, ew_v16 y, __mmask16 *far) {
  ew_v16 m = _mm512_getmant_ps(ax, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);
  ew_v16 e = _mm512_sub_ps(_mm512_getexp_ps(ax), _mm512_getexp_ps(m));
  __m512i idx = _mm512_srli_epi32(_mm512_castps_si512(m), 18);
  ew_v16 invc = v16_table_coef(ew_log_invc, 32, idx);
  ew_v16 p = _mm512_mul_ps(m, invc);
  ew_v16 r_lo = _mm512_fmsub_ps(m, invc, p), r = _mm512_sub_ps(p, v16c(1.0f));
  ew_v16 a = _mm512_add_ps(e, v16_table_coef(ew_powf_log2c_hi, 32, idx));
  ew_v16 b = _mm512_mul_ps(r, v16c(EW_LOG2EF));
  ew_v16 b_lo = _mm512_fmsub_ps(r, v16c(EW_LOG2EF), b);
  ew_v16 l = _mm512_add_ps(a, b); /* a is 0 or larger than b */
  ew_v16 l_lo = _mm512_add_ps(_mm512_sub_ps(a, l), b);
  /* r_lo / (1 + r) log2(e), r log2(e)'s low part, log2 c's low part, r^2 P(r) */
  ew_v16 tail = _mm512_fmadd_ps(_mm512_fnmadd_ps(r_lo, r, r_lo), v16c(EW_LOG2EF), b_lo);
  tail = _mm512_fmadd_ps(r, v16c(0x1.4ae0cp-26f), tail);
  tail = _mm512_add_ps(tail, v16_table_coef(ew_powf_log2c_lo, 32, idx));
  tail = _mm512_fmadd_ps(_mm512_mul_ps(r, r), v16_poly(r, ew_powf_log2_p, EW_NCOEF(ew_powf_log2_p)),
                         tail);
  l_lo = _mm512_add_ps(l_lo, tail);
  ew_v16 l1 = _mm512_add_ps(l, l_lo);
  l_lo = _mm512_add_ps(_mm512_sub_ps(l, l1), l_lo);
  ew_v16 t = _mm512_mul_ps(y, l1);
  ew_v16 t_lo = _mm512_fmadd_ps(y, l_lo, _mm512_fmsub_ps(y, l1, t));
  /* |y| < 256 keeps the roundings of r^2 P(r) and of the tail below 2^-26 in t */
  *far = v16_beyond(t, 125.0f) | v16_beyond(y, 256.0f);
  ew_v16 kd = _mm512_fmadd_ps(t, v16c(32.0f), v16c(0x1.8p23f)); /* j: its low 5 bits */
  ew_v16 kn = _mm512_sub_ps(kd, v16c(0x1.8p23f));
  ew_v16 f = _mm512_add_ps(_mm512_fnmadd_ps(kn, v16c(1.0f / 32), t), t_lo);
  __m512i j = _mm512_castps_si512(kd);
  ew_v16 th = v16_table_coef(ew_powf_exp2_hi, 32, j);
  ew_v16 fq = _mm512_mul_ps(f, v16_poly(f, ew_powf_exp2_p, EW_NCOEF(ew_powf_exp2_p)));
  ew_v16 v = _mm512_add_ps(th, _mm512_fmadd_ps(th, fq, v16_table_coef(ew_powf_exp2_lo, 32, j)));
  ew_v16 n = _mm512_roundscale_ps(_mm512_mul_ps(kn, v16c(1.0f / 32)),
                                  _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  return _mm512_scalef_ps(v, n);
}

/* x^y with C's special cases, as ew_powf: |x|^y in float-float, in double where t reaches 125
 * (overflow, underflow, zeros, infinities, nans) or |y| 256 (such vectors only), sign and
 * specials in float */
EW_V16 ew_v16 v16_pow(ew_v16 x, ew_v16 y) {
  ew_v16 ax = _mm512_abs_ps(x);
  __mmask16 far;
  ew_v16 r = v16_pow_abs(ax, y, &far);
  if (far) r = v16_sel(far, r, v16_pow_abs_by_double(ax, y));
  /* x >= +0 (or a nan without sign): r is complete (x = +0, +inf, nan and y = nan follow) */
  __mmask16 neg = _mm512_movepi32_mask(_mm512_castps_si512(x));
  if (!neg) return r;
  ew_v16 fy = _mm512_roundscale_ps(y, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  ew_v16 hy = _mm512_mul_ps(y, v16c(0.5f));
  __mmask16 is_int = v16_eq(fy, y);
  __mmask16 is_odd =
      is_int &
      _mm512_cmp_ps_mask(_mm512_roundscale_ps(hy, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC), hy,
                         _CMP_NEQ_UQ);
  r = v16_negate_if(neg & is_odd, r);
  __mmask16 neg_finite = v16_lt(x, _mm512_setzero_ps()) & v16_lt(v16c(-EW_INFF), x);
  r = v16_sel(neg_finite & ~is_int, r, v16c(EW_NANF));
  r = v16_sel(v16_isnan(y) & ~v16_eq(ax, v16c(1.0f)), r, v16c(EW_NANF));
  r = v16_sel(v16_eq(x, v16c(1.0f)) | v16_eq(y, _mm512_setzero_ps()), r, v16c(1.0f));
  __mmask16 minus_one_inf = v16_eq(x, v16c(-1.0f)) & v16_eq(_mm512_abs_ps(y), v16c(EW_INFF));
  return v16_sel(minus_one_inf, r, v16c(1.0f));
}

/* ew_remainderf sixteen lanes at a time, the same bits. v16_remainder_fast: for |x| < 2^22 |y|
 * (finite, y != 0; the other lanes are flagged in *slow) q = trunc(x / y) is at most one too
 * large in magnitude (the float quotient is within 1/4), x - q y is exact by an fma, and a result
 * of the wrong sign gives one |y| back; the fmod value carries x's sign (zeros included).
 * v16_remainder: the slow lanes by ew_remainder_slowf. */
EW_V16 ew_v16 v16_remainder_fast(ew_v16 x, ew_v16 y, __mmask16 *slow) {
  ew_v16 ay = _mm512_abs_ps(y);
  *slow = ~(v16_lt(_mm512_abs_ps(x), _mm512_mul_ps(ay, v16c(0x1p22f))) & v16_lt(ay, v16c(EW_INFF)));
  ew_v16 q = _mm512_roundscale_ps(_mm512_div_ps(x, y), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  ew_v16 r = _mm512_fnmadd_ps(q, y, x);
  __mmask16 wrong = _mm512_movepi32_mask(_mm512_castps_si512(_mm512_xor_ps(r, x))) &
                    _mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  r = v16_copysign(_mm512_mask_add_ps(r, wrong, r, v16_copysign(ay, x)), x);
  __mmask16 fix = _mm512_movepi32_mask(_mm512_castps_si512(_mm512_xor_ps(r, y))) &
                  _mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  return _mm512_mask_add_ps(r, fix, r, y);
}
EW_V16 ew_v16 v16_remainder(ew_v16 x, ew_v16 y) {
  __mmask16 slow;
  ew_v16 r = v16_remainder_fast(x, y, &slow);
  return v16_redo_lanes2(x, y, r, slow, ew_remainder_slowf);
}

#else
#define EW_HAVE_VEC512 0
#endif

#endif
