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

/* Piecewise polynomials: a degree-6 polynomial per lane in t whose coefficients are entry idx
 * of the rows tab[j * width ...], j = 0..6 (highest power first; width 16: vpermps, 32:
 * vpermt2ps). Lanes in first (entry 0, an interval starting at 0) are t + t q(t), their t
 * coefficient stored minus 1 (the exact leading coefficient 1 or 2/sqrt(pi) rounded to float
 * would be off by up to an ulp for tiny t); the others c0 + t P(t). */
EW_V16 ew_v16 v16_table_coef(const float *row, int width, __m512i idx) {
  if (width == 16) return _mm512_permutexvar_ps(idx, _mm512_loadu_ps(row));
  return _mm512_permutex2var_ps(_mm512_loadu_ps(row), idx, _mm512_loadu_ps(row + 16));
}
EW_V16 ew_v16 v16_table_poly(const float *tab, int width, __m512i idx, ew_v16 t, __mmask16 first) {
  ew_v16 p = v16_table_coef(tab, width, idx);
#pragma GCC unroll 8
  for (int j = 1; j < 6; j++)
    p = _mm512_fmadd_ps(p, t, v16_table_coef(tab + j * width, width, idx));
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
  ew_v16 ax = v16_min_keepnan(_mm512_abs_ps(x), 10.0f);
  ew_v16 k = _mm512_roundscale_ps(_mm512_mul_ps(ax, v16c(4.0f)),
                                  _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  k = _mm512_min_ps(k, v16c(31.0f));
  ew_v16 t = _mm512_fnmadd_ps(k, v16c(0.25f), ax);
  __m512i idx = _mm512_cvttps_epi32(k);
  ew_v16 p = v16_table_poly(ew_tanh_tab[0], 32, idx, t, v16_eq(k, _mm512_setzero_ps()));
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

/* atanh: ew_atanhf's argument to one log1p, its quotient by the reciprocal */
EW_V16 ew_v16 v16_atanh(ew_v16 x) {
  ew_v16 ax = _mm512_abs_ps(x), t = _mm512_add_ps(ax, ax);
  ew_v16 q = _mm512_mul_ps(t, v16_recip(_mm512_sub_ps(v16c(1.0f), ax)));
  q = v16_sel(v16_eq(ax, v16c(1.0f)), q, v16c(EW_INFF)); /* the estimate's step makes 1/0 nan */
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
  ew_v16 ax = v16_min_keepnan(_mm512_abs_ps(x), 4.0f);
  ew_v16 k = _mm512_roundscale_ps(_mm512_mul_ps(ax, v16c(4.0f)),
                                  _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  k = _mm512_min_ps(k, v16c(15.0f));
  ew_v16 t = _mm512_fnmadd_ps(k, v16c(0.25f), ax);
  __m512i idx = _mm512_cvttps_epi32(k); /* nan: 0x80000000, whose low bits pick row 0 */
  ew_v16 p = v16_table_poly(ew_erf_tab[0], 16, idx, t, v16_eq(k, _mm512_setzero_ps()));
  return v16_copysign(p, x);
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
 * sin 1.45, MLX's 1.47 below 10 and far more beyond). Lanes where sin(|x|) is +-sin r (n even;
 * cos: n odd) and those where it is +-cos r share one Horner: the coefficients are picked per
 * lane, y = A + A z P(z) with A = r or 1. Bit 1 of n (cos: of n + 1) and, for sin, x's sign
 * give the result's sign. Lanes with |x| >= EW_SINCOS_V16_LIMITF are the caller's: at larger n the
 * two roundings reach 1.67 ulp. */
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
  return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(/* y ^ (sign & 0x80000000) */
                                                       _mm512_castps_si512(y), sign,
                                                       _mm512_set1_epi32((int)0x80000000), 0x78));
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
 * rounding would add another half ulp; r is never 0 there). 2.25 ulp at most measured (numpy's
 * float32 tan 3.66). */
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

/* x^y with C's special cases, as ew_powf: exp(y log|x|) in double, sign and specials in float */
EW_V16 ew_v16 v16_pow(ew_v16 x, ew_v16 y) {
  ew_v16 ax = _mm512_abs_ps(x);
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

#else
#define EW_HAVE_VEC512 0
#endif

#endif
