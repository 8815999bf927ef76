/* Unary elementwise kernels: one typed loop per (op, dtype), chosen once per node.
 *
 * float32 uses the vectorizable functions of ew_math.h (sin/cos/tan route arguments beyond
 * 2^20 and non-finite ones to libm, a block at a time); float16 and bfloat16 are staged through
 * float in blocks of EW_BLOCK; float64 and complex64 call libm / C99 complex per element.
 * sqrt and rsqrt use the hardware square root through intrinsics (GCC only vectorizes
 * __builtin_sqrt with -fno-math-errno, which is not set for this file).
 *
 * Layouts: a row-contiguous input gives a row-contiguous output (possibly donated: each loop
 * reads a[i] before writing o[i]); any other dense input (transposed, column-major, one value
 * broadcast) gives an output with the input's strides in one flat pass; anything else is walked
 * row by row with strided.h. Large loops are split over the CPU threads (ew_pool.c); flat loops
 * that touch more memory than the last-level cache stream their output out (non-temporal
 * stores, elementwise.h). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <complex.h>
#include <math.h>
#include <stdatomic.h>

#include "backend/cpu/ew_common.h"
#include "backend/cpu/ew_math.h"
#include "backend/cpu/ew_vec512.h"
#include "core/primitives.h"
#include "ops/elementwise.h"

#if EW_HAVE_X86
#include <immintrin.h>
#endif

typedef void (*un_fn)(const void *a, int64_t sa, void *o, int64_t n, const void *prm);

enum {
  U_ABS,
  U_SIGN,
  U_NEG,
  U_SQUARE,
  U_SQRT,
  U_RSQRT,
  U_EXP,
  U_EXPM1,
  U_LOG,
  U_LOG2,
  U_LOG10,
  U_LOG1P,
  U_SIN,
  U_COS,
  U_TAN,
  U_SINH,
  U_COSH,
  U_TANH,
  U_ASIN,
  U_ACOS,
  U_ATAN,
  U_ASINH,
  U_ACOSH,
  U_ATANH,
  U_SIGMOID,
  U_ERF,
  U_ERFINV,
  U_FLOOR,
  U_CEIL,
  U_ROUND,
  U_CONJ,
  U_BNOT,
  U_LNOT,
  U_ISNAN,
  U_ISINF,
  U_ISFINITE,
  U_ISPOSINF,
  U_ISNEGINF,
  U_NAN2NUM,
  U_NUM
};

/* ------------------------------------------------------------------ loop generators */

#define GEN_UN(NAME, TI, TO, EXPR)                                                                 \
  EW_CLONES static void NAME(const void *a_, int64_t sa, void *o_, int64_t n, const void *prm) {   \
    (void)prm;                                                                                     \
    const TI *a = (const TI *)a_;                                                                  \
    TO *o = (TO *)o_;                                                                              \
    if (sa == 1) {                                                                                 \
      for (int64_t i = 0; i < n; i++) {                                                            \
        TI x = a[i];                                                                               \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    } else if (sa == 0) {                                                                          \
      TI x = a[0];                                                                                 \
      TO v = (EXPR);                                                                               \
      for (int64_t i = 0; i < n; i++) o[i] = v;                                                    \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) {                                                            \
        TI x = a[i * sa];                                                                          \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    }                                                                                              \
  }

/* float32 with a vectorized FAST(x) valid where |x| < LIMIT (and not nan), libm SLOW(x) elsewhere:
 * each block is checked first and takes the fast loop when every element qualifies. */
#define GEN_UN_GUARD(NAME, FAST, SLOW, LIMIT)                                                      \
  EW_CLONES static void NAME(const void *a_, int64_t sa, void *o_, int64_t n, const void *prm) {   \
    (void)prm;                                                                                     \
    const float *a = (const float *)a_;                                                            \
    float *o = (float *)o_;                                                                        \
    if (sa != 1) {                                                                                 \
      for (int64_t i = 0; i < n; i++) {                                                            \
        float x = a[i * sa];                                                                       \
        o[i] = __builtin_fabsf(x) < (LIMIT) ? FAST(x) : SLOW(x);                                   \
      }                                                                                            \
      return;                                                                                      \
    }                                                                                              \
    for (int64_t b = 0; b < n; b += EW_BLOCK) {                                                    \
      int64_t m = n - b < EW_BLOCK ? n - b : EW_BLOCK;                                             \
      const float *ab = a + b;                                                                     \
      float *ob = o + b;                                                                           \
      int bad = 0;                                                                                 \
      for (int64_t i = 0; i < m; i++) bad |= !(__builtin_fabsf(ab[i]) < (LIMIT));                  \
      if (bad) {                                                                                   \
        for (int64_t i = 0; i < m; i++) {                                                          \
          float x = ab[i];                                                                         \
          ob[i] = __builtin_fabsf(x) < (LIMIT) ? FAST(x) : SLOW(x);                                \
        }                                                                                          \
      } else {                                                                                     \
        for (int64_t i = 0; i < m; i++) ob[i] = FAST(ab[i]);                                       \
      }                                                                                            \
    }                                                                                              \
  }

/* float32 with an AVX-512 version VFN (ew_vec512.h): contiguous rows take it sixteen lanes at a
 * time when mx_ew_vec512(), everything else the scalar-code loop (GEN_UN / GEN_UN_GUARD). */
#if EW_HAVE_X86 && EW_HAVE_VEC512
/* VFN over a row (input prefetched EW_V16_AHEAD bytes ahead); lanes with !(|x| < LIMIT)
 * recomputed by SLOW (LIMIT 0: none). */
#define EW_V16_ROW(NAME, VFN, SLOW, LIMIT)                                                         \
  EW_V16_TARGET static void NAME##_v16(const float *a, float *o, int64_t n) {                      \
    for (int64_t i = 0; i < n; i += 16) {                                                          \
      __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);           \
      _mm_prefetch((const char *)((uintptr_t)(a + i) + EW_V16_AHEAD), _MM_HINT_T1);                \
      ew_v16 x = _mm512_maskz_loadu_ps(m, a + i), y = VFN(x);                                      \
      __mmask16 slow = (LIMIT) > 0 ? m & v16_beyond(x, LIMIT) : 0;                                 \
      y = v16_redo_lanes(x, y, slow, SLOW);                                                        \
      _mm512_mask_storeu_ps(o + i, m, y);                                                          \
    }                                                                                              \
  }                                                                                                \
  static void NAME(const void *a, int64_t sa, void *o, int64_t n, const void *prm) {               \
    if (sa == 1 && mx_ew_vec512())                                                                 \
      NAME##_v16((const float *)a, (float *)o, n);                                                 \
    else                                                                                           \
      NAME##_scalar(a, sa, o, n, prm);                                                             \
  }
#define GEN_UN_V16(NAME, SCALAR, VFN)                                                              \
  GEN_UN(NAME##_scalar, float, float, SCALAR(x))                                                   \
  EW_V16_ROW(NAME, VFN, SCALAR, 0.0f)
#define GEN_UN_V16_GUARD(NAME, FAST, SLOW, LIMIT, VFN, VLIMIT)                                     \
  GEN_UN_GUARD(NAME##_scalar, FAST, SLOW, LIMIT)                                                   \
  EW_V16_ROW(NAME, VFN, SLOW, VLIMIT)
#else
#define GEN_UN_V16(NAME, SCALAR, VFN) GEN_UN(NAME, float, float, SCALAR(x))
#define GEN_UN_V16_GUARD(NAME, FAST, SLOW, LIMIT, VFN, VLIMIT) GEN_UN_GUARD(NAME, FAST, SLOW, LIMIT)
#endif

/* ------------------------------------------------------------------ integer and bool */

#define S_ABS(T, U, x) ((T)((x) < 0 ? (U)0 - (U)(x) : (U)(x)))
#define I_NEG(T, U, x) ((T)((U)0 - (U)(x)))
#define I_SQ(T, U, x) ((T)((U)(x) * (U)(x)))

#define GEN_SINT(S, T, U)                                                                          \
  GEN_UN(abs_##S, T, T, S_ABS(T, U, x))                                                            \
  GEN_UN(sign_##S, T, T, (T)(((x) > 0) - ((x) < 0)))                                               \
  GEN_UN(neg_##S, T, T, I_NEG(T, U, x))                                                            \
  GEN_UN(square_##S, T, T, I_SQ(T, U, x))                                                          \
  GEN_UN(bnot_##S, T, T, (T) ~(x))                                                                 \
  GEN_UN(lnot_##S, T, uint8_t, (x) == 0)

#define GEN_UINT(S, T, U)                                                                          \
  GEN_UN(abs_##S, T, T, x)                                                                         \
  GEN_UN(sign_##S, T, T, (T)((x) != 0))                                                            \
  GEN_UN(neg_##S, T, T, I_NEG(T, U, x))                                                            \
  GEN_UN(square_##S, T, T, I_SQ(T, U, x))                                                          \
  GEN_UN(bnot_##S, T, T, (T) ~(x))                                                                 \
  GEN_UN(lnot_##S, T, uint8_t, (x) == 0)

GEN_SINT(i8, int8_t, uint32_t)
GEN_SINT(i16, int16_t, uint32_t)
GEN_SINT(i32, int32_t, uint32_t)
GEN_SINT(i64, int64_t, uint64_t)
GEN_UINT(u8, uint8_t, uint32_t)
GEN_UINT(u16, uint16_t, uint32_t)
GEN_UINT(u32, uint32_t, uint32_t)
GEN_UINT(u64, uint64_t, uint64_t)

/* bool data is handled as bytes holding 0 or 1 (bool-typed loops do not vectorize) */
GEN_UN(abs_b, uint8_t, uint8_t, x)
GEN_UN(sign_b, uint8_t, uint8_t, x)
GEN_UN(square_b, uint8_t, uint8_t, x)
GEN_UN(bnot_b, uint8_t, uint8_t, x ^ 1)
GEN_UN(lnot_b, uint8_t, uint8_t, x ^ 1)

/* ------------------------------------------------------------------ float32 */

#define F_SIGN(x) ((x) > 0 ? 1.0f : ((x) < 0 ? -1.0f : 0.0f))

GEN_UN(abs_f32, float, float, __builtin_fabsf(x))
GEN_UN(sign_f32, float, float, F_SIGN(x))
GEN_UN(neg_f32, float, float, -x)
GEN_UN(square_f32, float, float, x *x)
GEN_UN_V16(exp_f32, ew_expf, v16_exp)
GEN_UN_V16(expm1_f32, ew_expm1f, v16_expm1)
GEN_UN_V16(log_f32, ew_logf, v16_log)
GEN_UN_V16(log2_f32, ew_log2f, v16_log2)
GEN_UN_V16(log10_f32, ew_log10f, v16_log10)
GEN_UN_V16(log1p_f32, ew_log1pf, v16_log1p)
GEN_UN_V16_GUARD(sin_f32, ew_sinf, ew_sin_fullf, EW_TRIG_LIMITF, v16_sin, EW_SINCOS_V16_LIMITF)
GEN_UN_V16_GUARD(cos_f32, ew_cosf, ew_cos_fullf, EW_TRIG_LIMITF, v16_cos, EW_SINCOS_V16_LIMITF)
GEN_UN_V16_GUARD(tan_f32, ew_tanf, ew_tan_fullf, EW_TRIG_LIMITF, v16_tan, EW_TRIG_LIMITF)
GEN_UN_V16(sinh_f32, ew_sinhf, v16_sinh)
GEN_UN_V16(cosh_f32, ew_coshf, v16_cosh)
GEN_UN_V16(tanh_f32, ew_tanhf, v16_tanh)
GEN_UN_V16(asin_f32, ew_asinf, v16_asin)
GEN_UN_V16(acos_f32, ew_acosf, v16_acos)
GEN_UN_V16(atan_f32, ew_atanf, v16_atan)
GEN_UN_V16(asinh_f32, ew_asinhf, v16_asinh)
GEN_UN_V16(acosh_f32, ew_acoshf, v16_acosh)
GEN_UN_V16(atanh_f32, ew_atanhf, v16_atanh)
GEN_UN_V16(sigmoid_f32, ew_sigmoidf, v16_sigmoid)
GEN_UN_V16(erf_f32, ew_erff, v16_erf)
GEN_UN_V16(erfinv_f32, ew_erfinvf, v16_erfinv)
GEN_UN(floor_f32, float, float, __builtin_floorf(x))
GEN_UN(ceil_f32, float, float, __builtin_ceilf(x))
GEN_UN(round_f32, float, float, __builtin_rintf(x))
GEN_UN(lnot_f32, float, uint8_t, x == 0.0f)
GEN_UN(isnan_f32, float, uint8_t, x != x)
GEN_UN(isinf_f32, float, uint8_t, __builtin_fabsf(x) == EW_INFF)
GEN_UN(isfinite_f32, float, uint8_t, __builtin_fabsf(x) < EW_INFF)
GEN_UN(isposinf_f32, float, uint8_t, x == EW_INFF)
GEN_UN(isneginf_f32, float, uint8_t, x == -EW_INFF)

/* nan_to_num: prm is mx_nan_to_num_params (values already rounded to the dtype by the kernel
 * driver for 16-bit floats, see nan2num_vals) */
typedef struct {
  float nan, posinf, neginf;
} nan2num_f32;
typedef struct {
  double nan, posinf, neginf;
} nan2num_f64;

EW_CLONES static void nan2num_f32_loop(const void *a_, int64_t sa, void *o_, int64_t n,
                                       const void *prm) {
  const nan2num_f32 *p = (const nan2num_f32 *)prm;
  const float *a = (const float *)a_;
  float *o = (float *)o_;
  const float vn = p->nan, vp = p->posinf, vm = p->neginf;
  for (int64_t i = 0; i < n; i++) {
    float x = a[i * sa];
    float y = x == EW_INFF ? vp : x;
    y = x == -EW_INFF ? vm : y;
    o[i] = x != x ? vn : y;
  }
}

/* ------------------------------------------------------------------ float64 (libm) */

static inline double sigmoid_f64_one(double x) {
  double e = exp(-fabs(x));
  double s = 1.0 / (1.0 + e);
  return x < 0 ? e * s : s;
}

/* erfinv in double: the float path's initial guess, then Halley steps on libm's erf. */
static double erfinv_f64_one(double y) {
  double ay = fabs(y);
  if (!(ay < 1.0)) return ay == 1.0 ? copysign(INFINITY, y) : NAN;
  double x = fabs(ew_derfinv(ay));
  for (int k = 0; k < 3; k++) {
    double f = erf(x) - ay;
    x = x - f / (0x1.20dd750429b6dp+0 * exp(-x * x) + x * f);
  }
  return copysign(x, y);
}

GEN_UN(abs_f64, double, double, __builtin_fabs(x))
GEN_UN(sign_f64, double, double, (x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0)))
GEN_UN(neg_f64, double, double, -x)
GEN_UN(square_f64, double, double, x *x)
GEN_UN(exp_f64, double, double, exp(x))
GEN_UN(expm1_f64, double, double, expm1(x))
GEN_UN(log_f64, double, double, log(x))
GEN_UN(log2_f64, double, double, log2(x))
GEN_UN(log10_f64, double, double, log10(x))
GEN_UN(log1p_f64, double, double, log1p(x))
GEN_UN(sin_f64, double, double, sin(x))
GEN_UN(cos_f64, double, double, cos(x))
GEN_UN(tan_f64, double, double, tan(x))
GEN_UN(sinh_f64, double, double, sinh(x))
GEN_UN(cosh_f64, double, double, cosh(x))
GEN_UN(tanh_f64, double, double, tanh(x))
GEN_UN(asin_f64, double, double, asin(x))
GEN_UN(acos_f64, double, double, acos(x))
GEN_UN(atan_f64, double, double, atan(x))
GEN_UN(asinh_f64, double, double, asinh(x))
GEN_UN(acosh_f64, double, double, acosh(x))
GEN_UN(atanh_f64, double, double, atanh(x))
GEN_UN(sigmoid_f64, double, double, sigmoid_f64_one(x))
GEN_UN(erf_f64, double, double, erf(x))
GEN_UN(erfinv_f64, double, double, erfinv_f64_one(x))
GEN_UN(floor_f64, double, double, __builtin_floor(x))
GEN_UN(ceil_f64, double, double, __builtin_ceil(x))
GEN_UN(round_f64, double, double, __builtin_rint(x))
GEN_UN(lnot_f64, double, uint8_t, x == 0.0)
GEN_UN(isnan_f64, double, uint8_t, x != x)
GEN_UN(isinf_f64, double, uint8_t, __builtin_fabs(x) == EW_INF)
GEN_UN(isfinite_f64, double, uint8_t, __builtin_fabs(x) < EW_INF)
GEN_UN(isposinf_f64, double, uint8_t, x == EW_INF)
GEN_UN(isneginf_f64, double, uint8_t, x == -EW_INF)

EW_CLONES static void nan2num_f64_loop(const void *a_, int64_t sa, void *o_, int64_t n,
                                       const void *prm) {
  const nan2num_f64 *p = (const nan2num_f64 *)prm;
  const double *a = (const double *)a_;
  double *o = (double *)o_;
  for (int64_t i = 0; i < n; i++) {
    double x = a[i * sa];
    double y = x == EW_INF ? p->posinf : x;
    y = x == -EW_INF ? p->neginf : y;
    o[i] = x != x ? p->nan : y;
  }
}

/* ------------------------------------------------------------------ sqrt, rsqrt */

/* o[i] = sqrt(a[i]) (or 1 / sqrt(a[i])) over contiguous data. */
#if EW_HAVE_X86
__attribute__((target("avx512f"))) static void sqrt_f32_avx512(const float *a, float *o, int64_t n,
                                                               int recip) {
  const __m512 one = _mm512_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 v = _mm512_sqrt_ps(_mm512_loadu_ps(a + i));
    _mm512_storeu_ps(o + i, recip ? _mm512_div_ps(one, v) : v);
  }
  if (i < n) {
    __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
    __m512 v = _mm512_sqrt_ps(_mm512_maskz_loadu_ps(m, a + i));
    _mm512_mask_storeu_ps(o + i, m, recip ? _mm512_div_ps(one, v) : v);
  }
}
__attribute__((target("avx512f"))) static void sqrt_f64_avx512(const double *a, double *o,
                                                               int64_t n, int recip) {
  const __m512d one = _mm512_set1_pd(1.0);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m512d v = _mm512_sqrt_pd(_mm512_loadu_pd(a + i));
    _mm512_storeu_pd(o + i, recip ? _mm512_div_pd(one, v) : v);
  }
  if (i < n) {
    __mmask8 m = (__mmask8)((1u << (n - i)) - 1u);
    __m512d v = _mm512_sqrt_pd(_mm512_maskz_loadu_pd(m, a + i));
    _mm512_mask_storeu_pd(o + i, m, recip ? _mm512_div_pd(one, v) : v);
  }
}
__attribute__((target("avx"))) static void sqrt_f32_avx(const float *a, float *o, int64_t n,
                                                        int recip) {
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_sqrt_ps(_mm256_loadu_ps(a + i));
    _mm256_storeu_ps(o + i, recip ? _mm256_div_ps(one, v) : v);
  }
  for (; i < n; i++) {
    float v = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(a[i])));
    o[i] = recip ? 1.0f / v : v;
  }
}
__attribute__((target("avx"))) static void sqrt_f64_avx(const double *a, double *o, int64_t n,
                                                        int recip) {
  const __m256d one = _mm256_set1_pd(1.0);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d v = _mm256_sqrt_pd(_mm256_loadu_pd(a + i));
    _mm256_storeu_pd(o + i, recip ? _mm256_div_pd(one, v) : v);
  }
  for (; i < n; i++) {
    double v = _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(a[i])));
    o[i] = recip ? 1.0 / v : v;
  }
}
static void sqrt_f32_sse(const float *a, float *o, int64_t n, int recip) {
  const __m128 one = _mm_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m128 v = _mm_sqrt_ps(_mm_loadu_ps(a + i));
    _mm_storeu_ps(o + i, recip ? _mm_div_ps(one, v) : v);
  }
  for (; i < n; i++) {
    float v = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(a[i])));
    o[i] = recip ? 1.0f / v : v;
  }
}
static void sqrt_f64_sse(const double *a, double *o, int64_t n, int recip) {
  const __m128d one = _mm_set1_pd(1.0);
  int64_t i = 0;
  for (; i + 2 <= n; i += 2) {
    __m128d v = _mm_sqrt_pd(_mm_loadu_pd(a + i));
    _mm_storeu_pd(o + i, recip ? _mm_div_pd(one, v) : v);
  }
  for (; i < n; i++) {
    double v = _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(a[i])));
    o[i] = recip ? 1.0 / v : v;
  }
}

static atomic_int sqrt_level = -1;

static int get_sqrt_level(void) {
  int l = atomic_load_explicit(&sqrt_level, memory_order_relaxed);
  if (l < 0) {
    __builtin_cpu_init();
    l = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx") ? 1 : 0;
    atomic_store_explicit(&sqrt_level, l, memory_order_relaxed);
  }
  return l;
}

static void sqrt_f32_contig(const float *a, float *o, int64_t n, int recip) {
  int l = get_sqrt_level();
  if (l == 2)
    sqrt_f32_avx512(a, o, n, recip);
  else if (l == 1)
    sqrt_f32_avx(a, o, n, recip);
  else
    sqrt_f32_sse(a, o, n, recip);
}
static void sqrt_f64_contig(const double *a, double *o, int64_t n, int recip) {
  int l = get_sqrt_level();
  if (l == 2)
    sqrt_f64_avx512(a, o, n, recip);
  else if (l == 1)
    sqrt_f64_avx(a, o, n, recip);
  else
    sqrt_f64_sse(a, o, n, recip);
}
#else
static void sqrt_f32_contig(const float *a, float *o, int64_t n, int recip) {
  for (int64_t i = 0; i < n; i++) o[i] = recip ? 1.0f / sqrtf(a[i]) : sqrtf(a[i]);
}
static void sqrt_f64_contig(const double *a, double *o, int64_t n, int recip) {
  for (int64_t i = 0; i < n; i++) o[i] = recip ? 1.0 / sqrt(a[i]) : sqrt(a[i]);
}
#endif

/* Strided input: gathered a block at a time into a contiguous buffer. */
#define GEN_SQRT(NAME, T, CONTIG, RECIP)                                                           \
  static void NAME(const void *a_, int64_t sa, void *o_, int64_t n, const void *prm) {             \
    (void)prm;                                                                                     \
    const T *a = (const T *)a_;                                                                    \
    T *o = (T *)o_;                                                                                \
    if (sa == 1) {                                                                                 \
      CONTIG(a, o, n, RECIP);                                                                      \
      return;                                                                                      \
    }                                                                                              \
    T tmp[EW_BLOCK];                                                                               \
    for (int64_t b = 0; b < n; b += EW_BLOCK) {                                                    \
      int64_t m = n - b < EW_BLOCK ? n - b : EW_BLOCK;                                             \
      for (int64_t i = 0; i < m; i++) tmp[i] = a[(b + i) * sa];                                    \
      CONTIG(tmp, o + b, m, RECIP);                                                                \
    }                                                                                              \
  }

GEN_SQRT(sqrt_f32, float, sqrt_f32_contig, 0)
GEN_SQRT(rsqrt_f32, float, sqrt_f32_contig, 1)
GEN_SQRT(sqrt_f64, double, sqrt_f64_contig, 0)
GEN_SQRT(rsqrt_f64, double, sqrt_f64_contig, 1)

/* ------------------------------------------------------------------ complex64 */

static inline float _Complex cz(mx_complex64 a) {
  float _Complex z;
  memcpy(&z, &a, sizeof z);
  return z;
}
static inline mx_complex64 zc(float _Complex z) {
  mx_complex64 a;
  memcpy(&a, &z, sizeof a);
  return a;
}
static inline mx_complex64 c_sign(mx_complex64 a) {
  float r = cabsf(cz(a));
  return r == 0.0f ? (mx_complex64){0.0f, 0.0f} : (mx_complex64){a.re / r, a.im / r};
}

#define C1(F, x) zc(F(cz(x)))
GEN_UN(abs_c64, mx_complex64, float, cabsf(cz(x)))
GEN_UN(sign_c64, mx_complex64, mx_complex64, c_sign(x))
GEN_UN(neg_c64, mx_complex64, mx_complex64, ((mx_complex64){-x.re, -x.im}))
GEN_UN(square_c64, mx_complex64, mx_complex64, zc(cz(x) * cz(x)))
GEN_UN(sqrt_c64, mx_complex64, mx_complex64, C1(csqrtf, x))
GEN_UN(rsqrt_c64, mx_complex64, mx_complex64, zc(1.0f / csqrtf(cz(x))))
GEN_UN(exp_c64, mx_complex64, mx_complex64, C1(cexpf, x))
GEN_UN(log_c64, mx_complex64, mx_complex64, C1(clogf, x))
GEN_UN(log2_c64, mx_complex64, mx_complex64, zc(clogf(cz(x)) / 0.6931471805599453f))
GEN_UN(log10_c64, mx_complex64, mx_complex64, zc(clogf(cz(x)) / 2.302585092994046f))
GEN_UN(log1p_c64, mx_complex64, mx_complex64, zc(clogf(1.0f + cz(x))))
GEN_UN(sin_c64, mx_complex64, mx_complex64, C1(csinf, x))
GEN_UN(cos_c64, mx_complex64, mx_complex64, C1(ccosf, x))
GEN_UN(tan_c64, mx_complex64, mx_complex64, C1(ctanf, x))
GEN_UN(sinh_c64, mx_complex64, mx_complex64, C1(csinhf, x))
GEN_UN(cosh_c64, mx_complex64, mx_complex64, C1(ccoshf, x))
GEN_UN(tanh_c64, mx_complex64, mx_complex64, C1(ctanhf, x))
GEN_UN(asin_c64, mx_complex64, mx_complex64, C1(casinf, x))
GEN_UN(acos_c64, mx_complex64, mx_complex64, C1(cacosf, x))
GEN_UN(atan_c64, mx_complex64, mx_complex64, C1(catanf, x))
GEN_UN(asinh_c64, mx_complex64, mx_complex64, C1(casinhf, x))
GEN_UN(acosh_c64, mx_complex64, mx_complex64, C1(cacoshf, x))
GEN_UN(atanh_c64, mx_complex64, mx_complex64, C1(catanhf, x))
GEN_UN(round_c64, mx_complex64, mx_complex64,
       ((mx_complex64){__builtin_rintf(x.re), __builtin_rintf(x.im)}))
GEN_UN(conj_c64, mx_complex64, mx_complex64, ((mx_complex64){x.re, -x.im}))
GEN_UN(lnot_c64, mx_complex64, uint8_t, (x.re == 0.0f && x.im == 0.0f))
GEN_UN(isnan_c64, mx_complex64, uint8_t, (x.re != x.re || x.im != x.im))
GEN_UN(isinf_c64, mx_complex64, uint8_t,
       (__builtin_fabsf(x.re) == EW_INFF || __builtin_fabsf(x.im) == EW_INFF))
GEN_UN(isfinite_c64, mx_complex64, uint8_t,
       (__builtin_fabsf(x.re) < EW_INFF && __builtin_fabsf(x.im) < EW_INFF))
/* as MLX: equal to the complex number +-inf + 0i */
GEN_UN(isposinf_c64, mx_complex64, uint8_t, (x.re == EW_INFF && x.im == 0.0f))
GEN_UN(isneginf_c64, mx_complex64, uint8_t, (x.re == -EW_INFF && x.im == 0.0f))

/* ------------------------------------------------------------------ tables */

/* [op][dtype]; float16/bfloat16 use the float32 entry (staged). NULL: not supported. */
static const un_fn un_table[U_NUM][MX_NUM_DTYPES] = {
#define INTS(op)                                                                                   \
  [MX_UINT8] = op##_u8, [MX_UINT16] = op##_u16, [MX_UINT32] = op##_u32, [MX_UINT64] = op##_u64,    \
  [MX_INT8] = op##_i8, [MX_INT16] = op##_i16, [MX_INT32] = op##_i32, [MX_INT64] = op##_i64
#define FLOATS(op) [MX_FLOAT32] = op##_f32, [MX_FLOAT64] = op##_f64
    [U_ABS] = {[MX_BOOL] = abs_b, INTS(abs), FLOATS(abs), [MX_COMPLEX64] = abs_c64},
    [U_SIGN] = {[MX_BOOL] = sign_b, INTS(sign), FLOATS(sign), [MX_COMPLEX64] = sign_c64},
    [U_NEG] = {INTS(neg), FLOATS(neg), [MX_COMPLEX64] = neg_c64},
    [U_SQUARE] = {[MX_BOOL] = square_b, INTS(square), FLOATS(square), [MX_COMPLEX64] = square_c64},
    [U_SQRT] = {FLOATS(sqrt), [MX_COMPLEX64] = sqrt_c64},
    [U_RSQRT] = {FLOATS(rsqrt), [MX_COMPLEX64] = rsqrt_c64},
    [U_EXP] = {FLOATS(exp), [MX_COMPLEX64] = exp_c64},
    [U_EXPM1] = {FLOATS(expm1)},
    [U_LOG] = {FLOATS(log), [MX_COMPLEX64] = log_c64},
    [U_LOG2] = {FLOATS(log2), [MX_COMPLEX64] = log2_c64},
    [U_LOG10] = {FLOATS(log10), [MX_COMPLEX64] = log10_c64},
    [U_LOG1P] = {FLOATS(log1p), [MX_COMPLEX64] = log1p_c64},
    [U_SIN] = {FLOATS(sin), [MX_COMPLEX64] = sin_c64},
    [U_COS] = {FLOATS(cos), [MX_COMPLEX64] = cos_c64},
    [U_TAN] = {FLOATS(tan), [MX_COMPLEX64] = tan_c64},
    [U_SINH] = {FLOATS(sinh), [MX_COMPLEX64] = sinh_c64},
    [U_COSH] = {FLOATS(cosh), [MX_COMPLEX64] = cosh_c64},
    [U_TANH] = {FLOATS(tanh), [MX_COMPLEX64] = tanh_c64},
    [U_ASIN] = {FLOATS(asin), [MX_COMPLEX64] = asin_c64},
    [U_ACOS] = {FLOATS(acos), [MX_COMPLEX64] = acos_c64},
    [U_ATAN] = {FLOATS(atan), [MX_COMPLEX64] = atan_c64},
    [U_ASINH] = {FLOATS(asinh), [MX_COMPLEX64] = asinh_c64},
    [U_ACOSH] = {FLOATS(acosh), [MX_COMPLEX64] = acosh_c64},
    [U_ATANH] = {FLOATS(atanh), [MX_COMPLEX64] = atanh_c64},
    [U_SIGMOID] = {FLOATS(sigmoid)},
    [U_ERF] = {FLOATS(erf)},
    [U_ERFINV] = {FLOATS(erfinv)},
    [U_FLOOR] = {FLOATS(floor)},
    [U_CEIL] = {FLOATS(ceil)},
    [U_ROUND] = {FLOATS(round), [MX_COMPLEX64] = round_c64},
    [U_CONJ] = {[MX_COMPLEX64] = conj_c64},
    [U_BNOT] = {[MX_BOOL] = bnot_b, INTS(bnot)},
    [U_LNOT] = {[MX_BOOL] = lnot_b, INTS(lnot), FLOATS(lnot), [MX_COMPLEX64] = lnot_c64},
    [U_ISNAN] = {FLOATS(isnan), [MX_COMPLEX64] = isnan_c64},
    [U_ISINF] = {FLOATS(isinf), [MX_COMPLEX64] = isinf_c64},
    [U_ISFINITE] = {FLOATS(isfinite), [MX_COMPLEX64] = isfinite_c64},
    [U_ISPOSINF] = {FLOATS(isposinf), [MX_COMPLEX64] = isposinf_c64},
    [U_ISNEGINF] = {FLOATS(isneginf), [MX_COMPLEX64] = isneginf_c64},
    [U_NAN2NUM] = {[MX_FLOAT32] = nan2num_f32_loop, [MX_FLOAT64] = nan2num_f64_loop},
#undef INTS
#undef FLOATS
};

/* Work per element in float32 (float64 and complex64 are libm calls: EW_COST_SCALAR). */
static const unsigned char un_cost[U_NUM] = {
    [U_ABS] = EW_COST_CHEAP,      [U_SIGN] = EW_COST_CHEAP,     [U_NEG] = EW_COST_CHEAP,
    [U_SQUARE] = EW_COST_CHEAP,   [U_SQRT] = EW_COST_CHEAP,     [U_RSQRT] = EW_COST_MATH,
    [U_EXP] = EW_COST_MATH,       [U_EXPM1] = EW_COST_MATH,     [U_LOG] = EW_COST_MATH,
    [U_LOG2] = EW_COST_MATH,      [U_LOG10] = EW_COST_MATH,     [U_LOG1P] = EW_COST_MATH,
    [U_SIN] = EW_COST_HEAVY,      [U_COS] = EW_COST_HEAVY,      [U_TAN] = EW_COST_HEAVY,
    [U_SINH] = EW_COST_MATH,      [U_COSH] = EW_COST_MATH,      [U_TANH] = EW_COST_MATH,
    [U_ASIN] = EW_COST_MATH,      [U_ACOS] = EW_COST_MATH,      [U_ATAN] = EW_COST_MATH,
    [U_ASINH] = EW_COST_HEAVY,    [U_ACOSH] = EW_COST_HEAVY,    [U_ATANH] = EW_COST_MATH,
    [U_SIGMOID] = EW_COST_MATH,   [U_ERF] = EW_COST_HEAVY,      [U_ERFINV] = EW_COST_HEAVY,
    [U_FLOOR] = EW_COST_CHEAP,    [U_CEIL] = EW_COST_CHEAP,     [U_ROUND] = EW_COST_CHEAP,
    [U_CONJ] = EW_COST_CHEAP,     [U_BNOT] = EW_COST_CHEAP,     [U_LNOT] = EW_COST_CHEAP,
    [U_ISNAN] = EW_COST_CHEAP,    [U_ISINF] = EW_COST_CHEAP,    [U_ISFINITE] = EW_COST_CHEAP,
    [U_ISPOSINF] = EW_COST_CHEAP, [U_ISNEGINF] = EW_COST_CHEAP, [U_NAN2NUM] = EW_COST_CHEAP,
};

static int un_index(int prim) {
  switch (prim) {
  case MX_PRIM_ABS:
    return U_ABS;
  case MX_PRIM_SIGN:
    return U_SIGN;
  case MX_PRIM_NEGATIVE:
    return U_NEG;
  case MX_PRIM_SQUARE:
    return U_SQUARE;
  case MX_PRIM_SQRT:
    return U_SQRT;
  case MX_PRIM_RSQRT:
    return U_RSQRT;
  case MX_PRIM_EXP:
    return U_EXP;
  case MX_PRIM_EXPM1:
    return U_EXPM1;
  case MX_PRIM_LOG:
    return U_LOG;
  case MX_PRIM_LOG2:
    return U_LOG2;
  case MX_PRIM_LOG10:
    return U_LOG10;
  case MX_PRIM_LOG1P:
    return U_LOG1P;
  case MX_PRIM_SIN:
    return U_SIN;
  case MX_PRIM_COS:
    return U_COS;
  case MX_PRIM_TAN:
    return U_TAN;
  case MX_PRIM_SINH:
    return U_SINH;
  case MX_PRIM_COSH:
    return U_COSH;
  case MX_PRIM_TANH:
    return U_TANH;
  case MX_PRIM_ARCSIN:
    return U_ASIN;
  case MX_PRIM_ARCCOS:
    return U_ACOS;
  case MX_PRIM_ARCTAN:
    return U_ATAN;
  case MX_PRIM_ARCSINH:
    return U_ASINH;
  case MX_PRIM_ARCCOSH:
    return U_ACOSH;
  case MX_PRIM_ARCTANH:
    return U_ATANH;
  case MX_PRIM_SIGMOID:
    return U_SIGMOID;
  case MX_PRIM_ERF:
    return U_ERF;
  case MX_PRIM_ERFINV:
    return U_ERFINV;
  case MX_PRIM_FLOOR:
    return U_FLOOR;
  case MX_PRIM_CEIL:
    return U_CEIL;
  case MX_PRIM_ROUND:
    return U_ROUND;
  case MX_PRIM_CONJUGATE:
    return U_CONJ;
  case MX_PRIM_BITWISE_INVERT:
    return U_BNOT;
  case MX_PRIM_LOGICAL_NOT:
    return U_LNOT;
  case MX_PRIM_ISNAN:
    return U_ISNAN;
  case MX_PRIM_ISINF:
    return U_ISINF;
  case MX_PRIM_ISFINITE:
    return U_ISFINITE;
  case MX_PRIM_ISPOSINF:
    return U_ISPOSINF;
  case MX_PRIM_ISNEGINF:
    return U_ISNEGINF;
  case MX_PRIM_NAN_TO_NUM:
    return U_NAN2NUM;
  default:
    return -1;
  }
}

/* The output dtype each op gives for input dtype t. */
static mx_dtype un_out_dtype(int op, mx_dtype t) {
  switch (op) {
  case U_LNOT:
  case U_ISNAN:
  case U_ISINF:
  case U_ISFINITE:
  case U_ISPOSINF:
  case U_ISNEGINF:
    return MX_BOOL;
  case U_ABS:
    return t == MX_COMPLEX64 ? MX_FLOAT32 : t;
  default:
    return t;
  }
}

/* ------------------------------------------------------------------ driver */

typedef struct {
  un_fn fn;
  const void *prm;
  int half;     /* EW_H_*: the input is staged through float */
  int half_out; /* and so is the output */
  size_t isz, osz;
  const char *a;
  char *o;
  int64_t sa; /* flat mode: 1, or 0 for one value */
  int stream; /* flat mode: write the output with non-temporal stores */
  int rows;   /* row mode: s describes the input, the output is row-contiguous */
  mx_strided s;
  ew_band band; /* row mode, short rows: bands (ew_common.h) */
} un_job;

static void un_run(const un_job *j, const char *a, int64_t sa, char *o, int64_t n) {
  if (!j->half) {
    j->fn(a, sa, o, n, j->prm);
    return;
  }
  float tin[EW_BLOCK], tout[EW_BLOCK];
  for (int64_t b = 0; b < n; b += EW_BLOCK) {
    int64_t m = n - b < EW_BLOCK ? n - b : EW_BLOCK;
    ew_half_load(j->half, (const uint16_t *)a + b * sa, sa, tin, m);
    if (j->half_out) {
      j->fn(tin, 1, tout, m, j->prm);
      ew_half_store(j->half, tout, (uint16_t *)o + b, m);
    } else {
      j->fn(tin, 1, o + b * (int64_t)j->osz, m, j->prm);
    }
  }
}

static void un_task(void *ctx, int64_t begin, int64_t end) {
  const un_job *j = (const un_job *)ctx;
  if (!j->rows) {
    int64_t isz = (int64_t)j->isz, osz = (int64_t)j->osz, n = end - begin;
    const char *a = j->a + begin * j->sa * isz;
    char *o = j->o + begin * osz;
    if (!j->stream) {
      un_run(j, a, j->sa, o, n);
      return;
    }
    _Alignas(64) char tmp[EW_STREAM_BYTES];
    int64_t per = EW_STREAM_BYTES / osz;
    for (int64_t b = 0; b < n; b += per) {
      int64_t m = n - b < per ? n - b : per;
      un_run(j, a + b * j->sa * isz, j->sa, tmp, m);
      mx_ew_stream_copy(o + b * osz, tmp, (size_t)(m * osz));
    }
    mx_ew_stream_fence();
    return;
  }
  const mx_strided *s = &j->s;
  int64_t inner = s->shape[s->ndim - 1], sin = s->strides[0][s->ndim - 1];
  mx_strided_pos p;
  ew_pos_at(s, begin, &p);
  if (j->band.rows) {
    _Alignas(64) char buf[EW_BAND_BYTES];
    char *const dst[1] = {buf};
    const char *in;
    int64_t st;
    for (int64_t r = begin, nb; r < end; r += nb) {
      nb = end - r < j->band.rows ? end - r : j->band.rows;
      ew_band_next(s, &p, nb, &j->a, &j->isz, &j->band, dst, &in, &st);
      un_run(j, in, st, j->o + r * inner * (int64_t)j->osz, nb * inner);
    }
    return;
  }
  for (int64_t r = begin; r < end; r++) {
    un_run(j, j->a + p.off[0] * (int64_t)j->isz, sin, j->o + r * inner * (int64_t)j->osz, inner);
    mx_strided_next(s, &p);
  }
}

/* 16-bit floats get the replacement values rounded to their type (1e10 becomes inf in float16). */
void mx_cpu_nan_to_num_values(const mx_nan_to_num_params *p, mx_dtype t, float v[3]) {
  const double in[3] = {p->nan, p->posinf, p->neginf};
  for (int k = 0; k < 3; k++) {
    v[k] = (float)in[k];
    if (t == MX_FLOAT16) v[k] = mx_h2f(mx_f2h(v[k]));
    if (t == MX_BFLOAT16) v[k] = mx_bf2f(mx_f2bf(v[k]));
  }
}

static void nan2num_vals(const mx_nan_to_num_params *p, mx_dtype t, void *out) {
  if (t == MX_FLOAT64) {
    nan2num_f64 v = {p->nan, p->posinf, p->neginf};
    memcpy(out, &v, sizeof v);
    return;
  }
  float f[3];
  mx_cpu_nan_to_num_values(p, t, f);
  nan2num_f32 v = {f[0], f[1], f[2]};
  memcpy(out, &v, sizeof v);
}

int mx_cpu_unary(mx_node *n) {
  const char *name = mx_prims[n->prim].name;
  int op = un_index(n->prim);
  if (op < 0) return mx_error("[%s] Not a unary primitive.", name);
  if (n->nin != 1 || n->nout != 1) return mx_error("[%s] Expected one input.", name);
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  mx_dtype it = (mx_dtype)in->dtype;
  if (!mx_dtype_valid(it)) return mx_error("[%s] Invalid input dtype.", name);
  int half = ew_half_kind(it);
  un_fn fn = un_table[op][half ? MX_FLOAT32 : it];
  if (!fn) return mx_error("[%s] Not supported for %s.", name, mx_dtype_name(it));
  if ((mx_dtype)out->dtype != un_out_dtype(op, it) || out->ndim != in->ndim ||
      out->size != in->size)
    return mx_error("[%s] Output does not match the input.", name);

  un_job j;
  memset(&j, 0, sizeof j);
  union {
    nan2num_f32 f;
    nan2num_f64 d;
  } prm;
  if (op == U_NAN2NUM) {
    if (!n->params) return mx_error("[%s] Missing parameters.", name);
    nan2num_vals((const mx_nan_to_num_params *)n->params, it, &prm);
    j.prm = &prm;
  }
  j.fn = fn;
  j.half = half;
  j.half_out = half && out->dtype == in->dtype;
  j.isz = mx_array_itemsize(in);
  j.osz = mx_array_itemsize(out);

  int64_t count;
  if (in->size == 0 || mx_strided_is_row_contig(in)) {
    if (mx_array_alloc_data(out)) return MX_ERR;
    count = in->size;
    j.sa = 1;
  } else if (ew_dense(in)) {
    if (ew_alloc_like(out, in)) return MX_ERR;
    count = in->data_size;
    j.sa = 1;
  } else {
    if (mx_array_alloc_data(out)) return MX_ERR;
    const int64_t *st[1] = {in->strides};
    mx_strided_init(&j.s, in->ndim, in->shape, 1, st);
    j.rows = 1;
    count = mx_strided_rows(&j.s);
    j.band = ew_band_plan(&j.s, &j.isz);
  }
  if (count == 0) return 0;
  j.a = (const char *)mx_array_data(in);
  j.o = (char *)mx_array_data(out);
  if (!j.a || !j.o) return mx_error("[%s] Array has no data.", name);
  int cost = (it == MX_FLOAT64 || it == MX_COMPLEX64) && un_cost[op] > EW_COST_CHEAP
                 ? EW_COST_SCALAR
                 : un_cost[op];
  j.stream = !j.rows && !half && j.osz >= j.isz &&
             count * (int64_t)(j.isz * j.sa + j.osz) >= mx_ew_stream_min_bytes();
  int64_t grain = ew_grain(cost);
  if (j.rows) {
    int64_t inner = mx_strided_inner(&j.s);
    grain = (grain + inner - 1) / inner;
  }
  mx_ew_parallel_for(count, grain, un_task, &j);
  return 0;
}
