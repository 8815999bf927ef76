/* Binary elementwise kernels beyond add/subtract/multiply/divide (binary.c): maximum, minimum,
 * power, remainder, floor_divide, arctan2, logaddexp, shifts, bitwise and/or/xor, comparisons,
 * logical and/or, and divmod. Inputs have the output's shape and one common dtype (the op layer
 * promotes and broadcasts; broadcast inputs are stride-0 views); comparisons write bool.
 *
 * Same structure as binary.c: one typed loop per (op, dtype) specialised for the inner strides
 * (contiguous/contiguous, scalar/contiguous, contiguous/scalar, general); float16/bfloat16 are
 * staged through float; float32 math uses ew_math.h. Layouts as in unary.c: row-contiguous
 * inputs (or a scalar next to one) give a row-contiguous output that may be donated; two dense
 * inputs with the same strides give an output with those strides; otherwise strided rows.
 *
 * Integer semantics follow MLX on x86: division and remainder by zero give 0 and the dividend
 * (no trap), INT_MIN // -1 wraps, integer powers with negative exponents give 0. Shifts work in
 * the promoted width (32 bits for types up to 32 bits, 64 for 64-bit types) with the count taken
 * modulo that width, as x86 does for MLX's element-by-element loops (C leaves counts outside
 * [0, width) undefined; MLX's vectorized array-scalar loops give 0 there instead). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <complex.h>
#include <math.h>

/* the integer templates compare unsigned values with 0 */
#pragma GCC diagnostic ignored "-Wtype-limits"

#include "backend/cpu/ew_common.h"
#include "backend/cpu/ew_math.h"
#include "backend/cpu/ew_vec512.h"
#include "backend/cpu/tile16.h"
#include "core/primitives.h"

typedef mx_ew_bin_fn bin_fn;

enum {
  B_MAX,
  B_MIN,
  B_POW,
  B_REM,
  B_FDIV,
  B_ATAN2,
  B_LOGADDEXP,
  B_SHL,
  B_SHR,
  B_AND,
  B_OR,
  B_XOR,
  B_EQ,
  B_NE,
  B_LT,
  B_LE,
  B_GT,
  B_GE,
  B_NANEQ,
  B_LAND,
  B_LOR,
  B_NUM
};

#define GEN_BIN(NAME, T, TO, EXPR)                                                                 \
  EW_CLONES static void NAME(const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_,     \
                             int64_t n) {                                                          \
    const T *a = (const T *)a_;                                                                    \
    const T *b = (const T *)b_;                                                                    \
    TO *o = (TO *)o_;                                                                              \
    if (sa == 1 && sb == 1) {                                                                      \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T x = a[i], y = b[i];                                                                      \
        (void)x, (void)y;                                                                          \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    } else if (sa == 0 && sb == 1) {                                                               \
      const T x = a[0];                                                                            \
      (void)x;                                                                                     \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T y = b[i];                                                                                \
        (void)y;                                                                                   \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    } else if (sa == 1 && sb == 0) {                                                               \
      const T y = b[0];                                                                            \
      (void)y;                                                                                     \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T x = a[i];                                                                                \
        (void)x;                                                                                   \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T x = a[i * sa], y = b[i * sb];                                                            \
        (void)x, (void)y;                                                                          \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    }                                                                                              \
  }

/* float32 with an AVX-512 version VFN (ew_vec512.h) for rows whose inputs are contiguous or one
 * broadcast value, when mx_ew_vec512(); the scalar-code loop of SCALAR otherwise. */
#if EW_HAVE_X86 && EW_HAVE_VEC512
#define GEN_BIN_V16(NAME, SCALAR, VFN)                                                             \
  GEN_BIN(NAME##_scalar, float, float, SCALAR(x, y))                                               \
  EW_V16_TARGET static void NAME##_v16(const float *a, int64_t sa, const float *b, int64_t sb,     \
                                       float *o, int64_t n) {                                      \
    const ew_v16 a0 = _mm512_set1_ps(a[0]), b0 = _mm512_set1_ps(b[0]);                             \
    int64_t i = 0;                                                                                 \
    for (; i + 16 <= n; i += 16) {                                                                 \
      _mm_prefetch((const char *)((uintptr_t)(a + i * sa) + EW_V16_AHEAD * sa), _MM_HINT_T1);      \
      _mm_prefetch((const char *)((uintptr_t)(b + i * sb) + EW_V16_AHEAD * sb), _MM_HINT_T1);      \
      ew_v16 x = sa ? _mm512_loadu_ps(a + i) : a0, y = sb ? _mm512_loadu_ps(b + i) : b0;           \
      _mm512_storeu_ps(o + i, VFN(x, y));                                                          \
    }                                                                                              \
    if (i < n) {                                                                                   \
      __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);                                             \
      ew_v16 x = sa ? _mm512_maskz_loadu_ps(m, a + i) : a0;                                        \
      ew_v16 y = sb ? _mm512_maskz_loadu_ps(m, b + i) : b0;                                        \
      _mm512_mask_storeu_ps(o + i, m, VFN(x, y));                                                  \
    }                                                                                              \
  }                                                                                                \
  static void NAME(const void *a, int64_t sa, const void *b, int64_t sb, void *o, int64_t n) {     \
    if (n > 0 && (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && mx_ew_vec512())                   \
      NAME##_v16((const float *)a, sa, (const float *)b, sb, (float *)o, n);                       \
    else                                                                                           \
      NAME##_scalar(a, sa, b, sb, o, n);                                                           \
  }
#else
#define GEN_BIN_V16(NAME, SCALAR, VFN) GEN_BIN(NAME, float, float, SCALAR(x, y))
#endif

/* Comparisons and other ops that every real type shares. */
#define GEN_CMP(S, T)                                                                              \
  GEN_BIN(eq_##S, T, uint8_t, x == y)                                                              \
  GEN_BIN(ne_##S, T, uint8_t, x != y)                                                              \
  GEN_BIN(lt_##S, T, uint8_t, x < y)                                                               \
  GEN_BIN(le_##S, T, uint8_t, x <= y)                                                              \
  GEN_BIN(gt_##S, T, uint8_t, x > y)                                                               \
  GEN_BIN(ge_##S, T, uint8_t, x >= y)

/* ------------------------------------------------------------------ bool */

/* bool data is handled as bytes holding 0 or 1 (bool-typed loops do not vectorize) */
GEN_BIN(max_b, uint8_t, uint8_t, x | y)
GEN_BIN(min_b, uint8_t, uint8_t, x &y)
GEN_BIN(pow_b, uint8_t, uint8_t, x | (y ^ 1))
GEN_BIN(rem_b, uint8_t, uint8_t, x &(y ^ 1))
GEN_BIN(fdiv_b, uint8_t, uint8_t, x &y)
GEN_BIN(and_b, uint8_t, uint8_t, x &y)
GEN_BIN(or_b, uint8_t, uint8_t, x | y)
GEN_BIN(xor_b, uint8_t, uint8_t, x ^ y)
GEN_CMP(b, uint8_t)
GEN_BIN(naneq_b, uint8_t, uint8_t, x == y)
GEN_BIN(land_b, uint8_t, uint8_t, x &y)
GEN_BIN(lor_b, uint8_t, uint8_t, x | y)

/* ------------------------------------------------------------------ integers */

/* U: the unsigned type the arithmetic wraps in (32 bits for types up to 32 bits), W: shift mask. */
#define GEN_INT_HELPERS(S, T, U, W)                                                                \
  static inline T ipow_##S(T base, T e) {                                                          \
    if (e < 0) return 0;                                                                           \
    U r = 1, b = (U)base;                                                                          \
    while (e) {                                                                                    \
      if (e & 1) r *= b;                                                                           \
      b *= b;                                                                                      \
      e = (T)(e >> 1);                                                                             \
    }                                                                                              \
    return (T)r;                                                                                   \
  }

#define S_REM(T, x, y)                                                                             \
  ((y) == 0 ? (x)                                                                                  \
   : (y) == (T)-1                                                                                  \
       ? (T)0                                                                                      \
       : (T)(((x) % (y) != 0 && (((x) % (y) < 0) != ((y) < 0))) ? (x) % (y) + (y) : (x) % (y)))
#define S_FDIV(T, U, x, y)                                                                         \
  ((y) == 0       ? (T)0                                                                           \
   : (y) == (T)-1 ? (T)((U)0 - (U)(x))                                                             \
                  : (T)((x) / (y) - (((x) % (y) != 0) && (((x) < 0) != ((y) < 0)))))
#define U_REM(x, y) ((y) == 0 ? (x) : (x) % (y))
#define U_FDIV(T, x, y) ((y) == 0 ? (T)0 : (T)((x) / (y)))

/* signed: SI is the signed type of the promoted width (right shifts are arithmetic). Shift
 * counts outside [0, W] (negative ones included) shift every bit out, as numpy's do: 0, or -1
 * for a right shift of a negative value. */
#define GEN_SINT(S, T, U, SI, W)                                                                   \
  GEN_INT_HELPERS(S, T, U, W)                                                                      \
  GEN_BIN(max_##S, T, T, x > y ? x : y)                                                            \
  GEN_BIN(min_##S, T, T, x < y ? x : y)                                                            \
  GEN_BIN(pow_##S, T, T, ipow_##S(x, y))                                                           \
  GEN_BIN(shl_##S, T, T, (U)y > (W) ? (T)0 : (T)((U)x << (U)y))                                    \
  GEN_BIN(shr_##S, T, T, (U)y > (W) ? (T)((SI)x < 0 ? -1 : 0) : (T)((SI)x >> (U)y))                \
  GEN_BIN(and_##S, T, T, x &y)                                                                     \
  GEN_BIN(or_##S, T, T, x | y)                                                                     \
  GEN_BIN(xor_##S, T, T, x ^ y)                                                                    \
  GEN_CMP(S, T)                                                                                    \
  GEN_BIN(naneq_##S, T, uint8_t, x == y)

#define GEN_UINT(S, T, U, W)                                                                       \
  GEN_INT_HELPERS(S, T, U, W)                                                                      \
  GEN_BIN(max_##S, T, T, x > y ? x : y)                                                            \
  GEN_BIN(min_##S, T, T, x < y ? x : y)                                                            \
  GEN_BIN(pow_##S, T, T, ipow_##S(x, y))                                                           \
  GEN_BIN(shl_##S, T, T, (U)y > (W) ? (T)0 : (T)((U)x << (U)y))                                    \
  GEN_BIN(shr_##S, T, T, (U)y > (W) ? (T)0 : (T)((U)x >> (U)y))                                    \
  GEN_BIN(and_##S, T, T, x &y)                                                                     \
  GEN_BIN(or_##S, T, T, x | y)                                                                     \
  GEN_BIN(xor_##S, T, T, x ^ y)                                                                    \
  GEN_CMP(S, T)                                                                                    \
  GEN_BIN(naneq_##S, T, uint8_t, x == y)

GEN_SINT(i8, int8_t, uint32_t, int32_t, 31u)
GEN_SINT(i16, int16_t, uint32_t, int32_t, 31u)
GEN_SINT(i32, int32_t, uint32_t, int32_t, 31u)
GEN_SINT(i64, int64_t, uint64_t, int64_t, 63u)
GEN_UINT(u8, uint8_t, uint32_t, 31u)
GEN_UINT(u16, uint16_t, uint32_t, 31u)
GEN_UINT(u32, uint32_t, uint32_t, 31u)
GEN_UINT(u64, uint64_t, uint64_t, 63u)

/* floor division and remainder of integers of up to 32 bits through double (ew_math.h) */
#define GEN_DIV_D(S, T)                                                                            \
  GEN_BIN(fdiv_##S, T, T, (T)ew_floor_divi(x, y))                                                  \
  GEN_BIN(rem_##S, T, T, (T)((uint32_t)x - (uint32_t)ew_floor_divi(x, y) * (uint32_t)y))

GEN_DIV_D(i8, int8_t)
GEN_DIV_D(i16, int16_t)
GEN_DIV_D(i32, int32_t)
GEN_DIV_D(u8, uint8_t)
GEN_DIV_D(u16, uint16_t)
GEN_BIN(rem_i64, int64_t, int64_t, S_REM(int64_t, x, y))
GEN_BIN(fdiv_i64, int64_t, int64_t, S_FDIV(int64_t, uint64_t, x, y))
GEN_BIN(rem_u32, uint32_t, uint32_t, U_REM(x, y))
GEN_BIN(fdiv_u32, uint32_t, uint32_t, U_FDIV(uint32_t, x, y))
GEN_BIN(rem_u64, uint64_t, uint64_t, U_REM(x, y))
GEN_BIN(fdiv_u64, uint64_t, uint64_t, U_FDIV(uint64_t, x, y))

/* ------------------------------------------------------------------ floats */

/* maximum / minimum propagate a nan from either side; otherwise x > y ? x : y (so
 * maximum(-0, 0) = 0 and maximum(0, -0) = -0, as MLX). */
#define F_MAX(x, y) ((x) != (x) ? (x) : ((x) > (y) ? (x) : (y)))
#define F_MIN(x, y) ((x) != (x) ? (x) : ((x) < (y) ? (x) : (y)))
#define F_NANEQ(x, y) (((x) == (y)) | (((x) != (x)) & ((y) != (y))))

/* MLX's remainder of floats: ew_remainderf (ew_math.h) and v16_remainder (ew_vec512.h) */
#if EW_HAVE_X86 && EW_HAVE_VEC512
EW_V16_TARGET static void rem_f32_v16(const float *a, int64_t sa, const float *b, int64_t sb,
                                      float *o, int64_t n) {
  const ew_v16 a0 = _mm512_set1_ps(a[0]), b0 = _mm512_set1_ps(b[0]);
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 m = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u), slow;
    ew_v16 x = sa ? _mm512_maskz_loadu_ps(m, a + i) : a0;
    ew_v16 y = sb ? _mm512_maskz_loadu_ps(m, b + i) : b0;
    ew_v16 r = v16_remainder_fast(x, y, &slow);
    _mm512_mask_storeu_ps(o + i, m, v16_redo_lanes2(x, y, r, slow & m, ew_remainder_slowf));
  }
}
#endif

EW_CLONES static void rem_f32_scalar(const void *a_, int64_t sa, const void *b_, int64_t sb,
                                     void *o_, int64_t n) {
  const float *a = (const float *)a_, *b = (const float *)b_;
  float *o = (float *)o_;
  for (int64_t s = 0; s < n; s += EW_BLOCK) {
    int64_t m = n - s < EW_BLOCK ? n - s : EW_BLOCK;
    int bad = 0;
    for (int64_t i = s; i < s + m; i++) bad |= !ew_remainder_fast_ok(a[i * sa], b[i * sb]);
    if (bad) {
      for (int64_t i = s; i < s + m; i++) {
        float x = a[i * sa], y = b[i * sb];
        o[i] = ew_remainderf(x, y);
      }
    } else if (sa == 1 && sb == 1) {
      for (int64_t i = s; i < s + m; i++) o[i] = ew_remainder_fastf(a[i], b[i]);
    } else {
      for (int64_t i = s; i < s + m; i++) o[i] = ew_remainder_fastf(a[i * sa], b[i * sb]);
    }
  }
}

static void rem_f32(const void *a, int64_t sa, const void *b, int64_t sb, void *o, int64_t n) {
#if EW_HAVE_X86 && EW_HAVE_VEC512
  if (n > 0 && (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && mx_ew_vec512()) {
    rem_f32_v16((const float *)a, sa, (const float *)b, sb, (float *)o, n);
    return;
  }
#endif
  rem_f32_scalar(a, sa, b, sb, o, n);
}

/* 16-bit floats (staged in float): MLX rounds the quotient to the 16-bit type before the floor */
GEN_BIN(fdiv_f16s, float, float, __builtin_floorf(mx_h2f(mx_f2h(x / y))))
GEN_BIN(fdiv_bf16s, float, float, __builtin_floorf(mx_bf2f(mx_f2bf(x / y))))

GEN_BIN(max_f32, float, float, F_MAX(x, y))
GEN_BIN(min_f32, float, float, F_MIN(x, y))
GEN_BIN_V16(pow_gen_f32, ew_powf, v16_pow)
GEN_BIN(pow_sq_f32, float, float, x *x)
GEN_BIN(pow_inv_f32, float, float, 1.0f / x)

/* x ** c for a broadcast exponent c in {2, 1, 0, -1}: exact shortcuts (x * x, x, 1, 1 / x are
 * the correctly rounded powers, nan and infinities included). */
static void pow_f32(const void *a, int64_t sa, const void *b, int64_t sb, void *o, int64_t n) {
  if (sb == 0) {
    float c = *(const float *)b;
    if (c == 2.0f) return pow_sq_f32(a, sa, a, sa, o, n);
    if (c == -1.0f) return pow_inv_f32(a, sa, a, sa, o, n);
    if (c == 1.0f || c == 0.0f) {
      float *of = (float *)o;
      const float *af = (const float *)a;
      for (int64_t i = 0; i < n; i++) of[i] = c == 0.0f ? 1.0f : af[i * sa];
      return;
    }
  }
  pow_gen_f32(a, sa, b, sb, o, n);
}
GEN_BIN(fdiv_f32, float, float, __builtin_floorf(x / y))
GEN_BIN_V16(atan2_f32, ew_atan2f, v16_atan2)
GEN_BIN_V16(logaddexp_f32, ew_logaddexpf, v16_logaddexp)
GEN_CMP(f32, float)
GEN_BIN(naneq_f32, float, uint8_t, F_NANEQ(x, y))

static inline double rem_f64_one(double x, double y) {
  double r = fmod(x, y);
  return (r != 0.0 && ((r < 0.0) != (y < 0.0))) ? r + y : r;
}
static inline double logaddexp_f64_one(double a, double b) {
  if (a != a || b != b) return NAN;
  double mx = a > b ? a : b, mn = a > b ? b : a;
  if (isinf(mx)) return mx;
  return mx + log1p(exp(mn - mx));
}

GEN_BIN(max_f64, double, double, F_MAX(x, y))
GEN_BIN(min_f64, double, double, F_MIN(x, y))
GEN_BIN(pow_f64, double, double, pow(x, y))
GEN_BIN(rem_f64, double, double, rem_f64_one(x, y))
GEN_BIN(fdiv_f64, double, double, __builtin_floor(x / y))
GEN_BIN(atan2_f64, double, double, atan2(x, y))
GEN_BIN(logaddexp_f64, double, double, logaddexp_f64_one(x, y))
GEN_CMP(f64, double)
GEN_BIN(naneq_f64, double, uint8_t, F_NANEQ(x, y))

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
/* complex order (as MLX): by real part, then imaginary part */
static inline bool c_gt(mx_complex64 x, mx_complex64 y) {
  return x.re > y.re || (x.re == y.re && x.im > y.im);
}
static inline bool c_lt(mx_complex64 x, mx_complex64 y) {
  return x.re < y.re || (x.re == y.re && x.im < y.im);
}
static inline bool c_ge(mx_complex64 x, mx_complex64 y) {
  return x.re > y.re || (x.re == y.re && x.im >= y.im);
}
static inline bool c_le(mx_complex64 x, mx_complex64 y) {
  return x.re < y.re || (x.re == y.re && x.im <= y.im);
}
static inline bool c_eq(mx_complex64 x, mx_complex64 y) {
  return x.re == y.re && x.im == y.im;
}
static inline bool c_isnan(mx_complex64 x) {
  return x.re != x.re || x.im != x.im;
}
/* max + log1p(exp(min - max)), and the larger value itself when it is +inf or the smaller one
 * is -inf (compared as complex numbers, as MLX does); nan + nan i when either has a nan */
static inline mx_complex64 c_logaddexp(mx_complex64 a, mx_complex64 b) {
  if (c_isnan(a) || c_isnan(b)) return (mx_complex64){EW_NANF, EW_NANF};
  mx_complex64 mx = c_gt(a, b) ? a : b, mn = c_lt(a, b) ? a : b;
  if ((mn.re == -EW_INFF && mn.im == 0.0f) || (mx.re == EW_INFF && mx.im == 0.0f)) return mx;
  return zc(cz(mx) + clogf(1.0f + cexpf(cz(mn) - cz(mx))));
}

/* a nan (in either part) on the left propagates, as for floats */
GEN_BIN(max_c64, mx_complex64, mx_complex64, (c_isnan(x) || c_gt(x, y)) ? x : y)
GEN_BIN(min_c64, mx_complex64, mx_complex64, (c_isnan(x) || c_lt(x, y)) ? x : y)
GEN_BIN(pow_c64, mx_complex64, mx_complex64, zc(cpowf(cz(x), cz(y))))
GEN_BIN(fdiv_c64, mx_complex64, mx_complex64, zc(cz(x) / cz(y)))
GEN_BIN(logaddexp_c64, mx_complex64, mx_complex64, c_logaddexp(x, y))
GEN_BIN(eq_c64, mx_complex64, uint8_t, c_eq(x, y))
GEN_BIN(ne_c64, mx_complex64, uint8_t, !c_eq(x, y))
GEN_BIN(lt_c64, mx_complex64, uint8_t, c_lt(x, y))
GEN_BIN(le_c64, mx_complex64, uint8_t, c_le(x, y))
GEN_BIN(gt_c64, mx_complex64, uint8_t, c_gt(x, y))
GEN_BIN(ge_c64, mx_complex64, uint8_t, c_ge(x, y))
GEN_BIN(naneq_c64, mx_complex64, uint8_t, c_eq(x, y) || (c_isnan(x) && c_isnan(y)))

/* ------------------------------------------------------------------ tables */

static const bin_fn bin_table[B_NUM][MX_NUM_DTYPES] = {
#define INTS(op)                                                                                   \
  [MX_UINT8] = op##_u8, [MX_UINT16] = op##_u16, [MX_UINT32] = op##_u32, [MX_UINT64] = op##_u64,    \
  [MX_INT8] = op##_i8, [MX_INT16] = op##_i16, [MX_INT32] = op##_i32, [MX_INT64] = op##_i64
#define FLOATS(op) [MX_FLOAT32] = op##_f32, [MX_FLOAT64] = op##_f64
#define ALL(op) [MX_BOOL] = op##_b, INTS(op), FLOATS(op), [MX_COMPLEX64] = op##_c64
    [B_MAX] = {ALL(max)},
    [B_MIN] = {ALL(min)},
    [B_POW] = {ALL(pow)},
    [B_REM] = {[MX_BOOL] = rem_b, INTS(rem), FLOATS(rem)},
    [B_FDIV] = {ALL(fdiv)},
    [B_ATAN2] = {FLOATS(atan2)},
    [B_LOGADDEXP] = {FLOATS(logaddexp), [MX_COMPLEX64] = logaddexp_c64},
    [B_SHL] = {INTS(shl)},
    [B_SHR] = {INTS(shr)},
    [B_AND] = {[MX_BOOL] = and_b, INTS(and)},
    [B_OR] = {[MX_BOOL] = or_b, INTS(or)},
    [B_XOR] = {[MX_BOOL] = xor_b, INTS(xor)},
    [B_EQ] = {ALL(eq)},
    [B_NE] = {ALL(ne)},
    [B_LT] = {ALL(lt)},
    [B_LE] = {ALL(le)},
    [B_GT] = {ALL(gt)},
    [B_GE] = {ALL(ge)},
    [B_NANEQ] = {ALL(naneq)},
    [B_LAND] = {[MX_BOOL] = land_b},
    [B_LOR] = {[MX_BOOL] = lor_b},
#undef INTS
#undef FLOATS
#undef ALL
};

static const unsigned char bin_cost[B_NUM] = {
    [B_MAX] = EW_COST_CHEAP,       [B_MIN] = EW_COST_CHEAP,  [B_POW] = EW_COST_HEAVY,
    [B_REM] = EW_COST_MATH,        [B_FDIV] = EW_COST_CHEAP, [B_ATAN2] = EW_COST_MATH,
    [B_LOGADDEXP] = EW_COST_HEAVY, [B_SHL] = EW_COST_CHEAP,  [B_SHR] = EW_COST_CHEAP,
    [B_AND] = EW_COST_CHEAP,       [B_OR] = EW_COST_CHEAP,   [B_XOR] = EW_COST_CHEAP,
    [B_EQ] = EW_COST_CHEAP,        [B_NE] = EW_COST_CHEAP,   [B_LT] = EW_COST_CHEAP,
    [B_LE] = EW_COST_CHEAP,        [B_GT] = EW_COST_CHEAP,   [B_GE] = EW_COST_CHEAP,
    [B_NANEQ] = EW_COST_CHEAP,     [B_LAND] = EW_COST_CHEAP, [B_LOR] = EW_COST_CHEAP,
};

/* The staged loop for a 16-bit float dtype: the float32 one unless the op rounds differently. */
static bin_fn half_fn(int op, mx_dtype t) {
  if (op == B_FDIV) return t == MX_FLOAT16 ? fdiv_f16s : fdiv_bf16s;
  return bin_table[op][MX_FLOAT32];
}

static int bin_index(int prim) {
  switch (prim) {
  case MX_PRIM_MAXIMUM:
    return B_MAX;
  case MX_PRIM_MINIMUM:
    return B_MIN;
  case MX_PRIM_POWER:
    return B_POW;
  case MX_PRIM_REMAINDER:
    return B_REM;
  case MX_PRIM_FLOOR_DIVIDE:
    return B_FDIV;
  case MX_PRIM_ARCTAN2:
    return B_ATAN2;
  case MX_PRIM_LOGADDEXP:
    return B_LOGADDEXP;
  case MX_PRIM_LEFT_SHIFT:
    return B_SHL;
  case MX_PRIM_RIGHT_SHIFT:
    return B_SHR;
  case MX_PRIM_BITWISE_AND:
    return B_AND;
  case MX_PRIM_BITWISE_OR:
    return B_OR;
  case MX_PRIM_BITWISE_XOR:
    return B_XOR;
  case MX_PRIM_EQUAL:
    return B_EQ;
  case MX_PRIM_NOT_EQUAL:
    return B_NE;
  case MX_PRIM_LESS:
    return B_LT;
  case MX_PRIM_LESS_EQUAL:
    return B_LE;
  case MX_PRIM_GREATER:
    return B_GT;
  case MX_PRIM_GREATER_EQUAL:
    return B_GE;
  case MX_PRIM_NAN_EQUAL:
    return B_NANEQ;
  case MX_PRIM_LOGICAL_AND:
    return B_LAND;
  case MX_PRIM_LOGICAL_OR:
    return B_LOR;
  default:
    return -1;
  }
}

static bool bin_gives_bool(int op) {
  return (op >= B_EQ && op <= B_NANEQ) || op == B_LAND || op == B_LOR;
}

/* ------------------------------------------------------------------ driver */

typedef struct {
  bin_fn fn;
  int half, half_out;
  size_t isz, osz;
  const char *a, *b;
  char *o;
  int64_t sa, sb; /* flat mode */
  int stream;     /* flat mode: write the output with non-temporal stores */
  int rows;       /* row mode: s describes a and b; the output is row-contiguous */
  int tiled;      /* row mode over TILE x TILE tiles of the last two dims (a transposed operand) */
  mx_strided s;
  /* row mode, short rows of one row broadcast against a contiguous operand (run_rows): chunks of
   * chunk elements of the contiguous operand, the row repeated in tile standing for operand
   * tile_side (0 a, 1 b) */
  const char *tile;
  int tile_side;
  int64_t chunk;
  ew_band band; /* row mode, short rows: bands (ew_common.h) */
} bin_job;

/* Tiles of TILE rows x TILE_C columns: a transposed operand is read in runs of TILE elements
 * (512 bytes, long enough for the prefetchers) and staged in a 128 KiB buffer that stays in L2,
 * the other operand and the output in runs of TILE_C (measured over 32-128 x 128-1024 on
 * maximum(x, x.T) at 10^4 x 10^4: 32 x 256 took 1.4x as long). */
#define TILE 128
#define TILE_C 256
_Static_assert(TILE_C == 2 * TILE, "prefetch_tile_share covers a tile's columns in TILE rows");

/* A transposed 4-byte operand's part of a tile: nr rows x nc columns, element (r, c) at
 * src[r + c * cs], copied row-contiguous into dst (rows of TILE_C) through register transposes,
 * so the kernel reads it with unit stride. */
EW_CLONES static void stage_transposed(const float *src, int64_t cs, int64_t nr, int64_t nc,
                                       float *dst) {
  int64_t c = 0;
  for (; c + 16 <= nc; c += 16) tile16_rows_to_lanes(src + c * cs, cs, dst + c, TILE_C, nr);
  for (; c < nc; c++)
    for (int64_t r = 0; r < nr; r++) dst[r * TILE_C + c] = src[r + c * cs];
}

/* Row k's share of the prefetches of the tile at columns cnext of the band at p (nr rows): row k
 * of an operand read along its rows, rows 2k and 2k + 1 of a transposed one (the tile's columns).
 * The next tile's lines then arrive while this tile computes: the reads are runs of 0.5-1 KiB
 * 40 KB apart, too short for the hardware prefetchers (bench/ab.py, maximum(x, x.T) at 10^4 x
 * 10^4: 65 -> 37 ms with the streamed rows). Always inlined: as a call GCC found no side effects
 * in it and dropped it. */
static inline __attribute__((always_inline)) void
prefetch_tile_share(const bin_job *j, const mx_strided_pos *p, int64_t cnext, int64_t k, int64_t nr,
                    int stage_a, int stage_b) {
  const mx_strided *s = &j->s;
  int nd = s->ndim;
  int64_t isz = (int64_t)j->isz, inner = s->shape[nd - 1];
  int64_t nc = inner - cnext < TILE_C ? inner - cnext : TILE_C;
  for (int w = 0; w < 2; w++) {
    int64_t cs = s->strides[w][nd - 1], rs = s->strides[w][nd - 2];
    const char *base = (w ? j->b : j->a) + (p->off[w] + cnext * cs) * isz;
    if (w ? stage_b : stage_a) {
      for (int64_t c = 2 * k; c < 2 * k + 2 && c < nc; c++)
        for (int64_t off = 0; off < nr * isz; off += 64)
          __builtin_prefetch(base + c * cs * isz + off, 0, 1);
    } else if (cs == 1) {
      for (int64_t off = 0; off < nc * isz; off += 64)
        __builtin_prefetch(base + k * rs * isz + off, 0, 1);
    }
  }
}

static void bin_run(const bin_job *j, const char *a, int64_t sa, const char *b, int64_t sb, char *o,
                    int64_t n) {
  if (!j->half && (sa > 1 || sb > 1) && (o == a || o == b)) {
    /* The output is a donated input: the typed loop's vectorized version, which cannot rule out
     * the overlap, would run its scalar fallback (whose nan checks in maximum branch on every
     * element: maximum(x[:, ::2], x[:, ::2] * 0.5) took 9.8 ms instead of 2). Blocks go through
     * a buffer instead. */
    _Alignas(64) char tmp[EW_BLOCK * 16];
    int64_t isz = (int64_t)j->isz, osz = (int64_t)j->osz;
    for (int64_t s = 0; s < n; s += EW_BLOCK) {
      int64_t m = n - s < EW_BLOCK ? n - s : EW_BLOCK;
      j->fn(a + s * sa * isz, sa, b + s * sb * isz, sb, tmp, m);
      memcpy(o + s * osz, tmp, (size_t)(m * osz));
    }
    return;
  }
  if (!j->half) {
    j->fn(a, sa, b, sb, o, n);
    return;
  }
  float ta[EW_BLOCK], tb[EW_BLOCK], to[EW_BLOCK];
  for (int64_t s = 0; s < n; s += EW_BLOCK) {
    int64_t m = n - s < EW_BLOCK ? n - s : EW_BLOCK;
    ew_half_load(j->half, (const uint16_t *)a + s * sa, sa, ta, sa == 0 ? 1 : m);
    ew_half_load(j->half, (const uint16_t *)b + s * sb, sb, tb, sb == 0 ? 1 : m);
    if (j->half_out) {
      j->fn(ta, sa == 0 ? 0 : 1, tb, sb == 0 ? 0 : 1, to, m);
      ew_half_store(j->half, to, (uint16_t *)o + s, m);
    } else {
      j->fn(ta, sa == 0 ? 0 : 1, tb, sb == 0 ? 0 : 1, o + s * (int64_t)j->osz, m);
    }
  }
}

static void bin_task(void *ctx, int64_t begin, int64_t end) {
  const bin_job *j = (const bin_job *)ctx;
  int64_t isz = (int64_t)j->isz, osz = (int64_t)j->osz;
  if (j->tile) { /* chunk k: elements [k chunk, (k + 1) chunk) of the contiguous operand */
    int64_t total = mx_strided_rows(&j->s) * mx_strided_inner(&j->s);
    const char *full = j->tile_side ? j->a : j->b;
    for (int64_t k = begin; k < end; k++) {
      int64_t off = k * j->chunk, m = total - off < j->chunk ? total - off : j->chunk;
      const char *f = full + off * isz;
      if (j->tile_side)
        bin_run(j, f, 1, j->tile, 1, j->o + off * osz, m);
      else
        bin_run(j, j->tile, 1, f, 1, j->o + off * osz, m);
    }
    return;
  }
  if (!j->rows) {
    const char *a = j->a + begin * j->sa * isz, *b = j->b + begin * j->sb * isz;
    char *o = j->o + begin * osz;
    int64_t n = end - begin;
    if (!j->stream) {
      bin_run(j, a, j->sa, b, j->sb, o, n);
      return;
    }
    _Alignas(64) char tmp[EW_STREAM_BYTES];
    int64_t per = EW_STREAM_BYTES / osz;
    for (int64_t s = 0; s < n; s += per) {
      int64_t m = n - s < per ? n - s : per;
      bin_run(j, a + s * j->sa * isz, j->sa, b + s * j->sb * isz, j->sb, tmp, m);
      mx_ew_stream_copy(o + s * osz, tmp, (size_t)(m * osz));
    }
    mx_ew_stream_fence();
    return;
  }
  const mx_strided *s = &j->s;
  int nd = s->ndim;
  int64_t inner = s->shape[nd - 1], sa = s->strides[0][nd - 1], sb = s->strides[1][nd - 1];
  mx_strided_pos p;
  if (j->tiled) {
    /* work items are bands of TILE rows; each band is walked tile by tile so that the
     * transposed operand's cache lines are used TILE times while they are loaded */
    int64_t outer_n = s->shape[nd - 2], bands = (outer_n + TILE - 1) / TILE;
    int64_t ra = s->strides[0][nd - 2], rb = s->strides[1][nd - 2];
    /* 4-byte operands read along their columns are staged transposed (unless 16-bit staging) */
    int stage_a = isz == 4 && !j->half && ra == 1 && sa > 1;
    int stage_b = isz == 4 && !j->half && rb == 1 && sb > 1;
    _Alignas(64) float buf[2][TILE * TILE_C];
    _Alignas(64) char row[TILE_C * 8]; /* a streamed output row of the tile */
    for (int64_t t = begin; t < end; t++) {
      int64_t blk = t / bands, r0 = (t % bands) * TILE;
      int64_t r1 = r0 + TILE < outer_n ? r0 + TILE : outer_n;
      ew_pos_at(s, blk * outer_n + r0, &p);
      for (int64_t c0 = 0; c0 < inner; c0 += TILE_C) {
        int64_t cn = inner - c0 < TILE_C ? inner - c0 : TILE_C;
        const char *a0 = j->a + (p.off[0] + c0 * sa) * isz, *b0 = j->b + (p.off[1] + c0 * sb) * isz;
        if (stage_a) stage_transposed((const float *)a0, sa, r1 - r0, cn, buf[0]);
        if (stage_b) stage_transposed((const float *)b0, sb, r1 - r0, cn, buf[1]);
        int64_t cnext = c0 + TILE_C < inner ? c0 + TILE_C : -1; /* the next tile's columns */
        for (int64_t r = r0; r < r1; r++) {
          if (cnext >= 0) prefetch_tile_share(j, &p, cnext, r - r0, r1 - r0, stage_a, stage_b);
          const char *ar =
              stage_a ? (const char *)(buf[0] + (r - r0) * TILE_C) : a0 + (r - r0) * ra * isz;
          const char *br =
              stage_b ? (const char *)(buf[1] + (r - r0) * TILE_C) : b0 + (r - r0) * rb * isz;
          char *o = j->o + ((blk * outer_n + r) * inner + c0) * osz;
          bin_run(j, ar, stage_a ? 1 : sa, br, stage_b ? 1 : sb, j->stream ? row : o, cn);
          if (j->stream) mx_ew_stream_copy(o, row, (size_t)(cn * osz));
        }
      }
    }
    if (j->stream) mx_ew_stream_fence();
    return;
  }
  ew_pos_at(s, begin, &p);
  if (j->band.rows) {
    _Alignas(64) char buf[2][EW_BAND_BYTES];
    const char *base[2] = {j->a, j->b}, *in[2];
    const size_t sz[2] = {j->isz, j->isz};
    char *const dst[2] = {buf[0], buf[1]};
    int64_t st[2];
    for (int64_t r = begin, nb; r < end; r += nb) {
      nb = end - r < j->band.rows ? end - r : j->band.rows;
      ew_band_next(s, &p, nb, base, sz, &j->band, dst, in, st);
      bin_run(j, in[0], st[0], in[1], st[1], j->o + r * inner * osz, nb * inner);
    }
    return;
  }
  _Alignas(64) char tmp[EW_STREAM_BYTES];
  int64_t per = EW_STREAM_BYTES / osz;
  for (int64_t r = begin; r < end; r++) {
    const char *a = j->a + p.off[0] * isz, *b = j->b + p.off[1] * isz;
    char *o = j->o + r * inner * osz;
    if (!j->stream) {
      bin_run(j, a, sa, b, sb, o, inner);
    } else { /* long rows of a memory-bound op: the output streamed out as in flat mode */
      for (int64_t c = 0; c < inner; c += per) {
        int64_t m = inner - c < per ? inner - c : per;
        bin_run(j, a + c * sa * isz, sa, b + c * sb * isz, sb, tmp, m);
        mx_ew_stream_copy(o + c * osz, tmp, (size_t)(m * osz));
      }
    }
    mx_strided_next(s, &p);
  }
  if (j->stream) mx_ew_stream_fence();
}

static bool same_strides(const mx_array *a, const mx_array *b) {
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != 1 && a->strides[d] != b->strides[d]) return false;
  return true;
}

/* Row mode: s over a and b (any strides) with the output row-contiguous; tiles when an operand
 * is read along its columns. Returns the number of work items (rows or bands of TILE rows). */
static int64_t init_rows(bin_job *j, const mx_array *a, const mx_array *b, const mx_array *out) {
  const int64_t *st[2] = {a->strides, b->strides};
  mx_strided_init(&j->s, out->ndim, out->shape, 2, st);
  j->rows = 1;
  int64_t count = mx_strided_rows(&j->s);
  int nd = j->s.ndim;
  if (nd >= 2 && j->s.shape[nd - 1] >= TILE && j->s.shape[nd - 2] >= TILE) {
    int64_t sa = j->s.strides[0][nd - 1], sb = j->s.strides[1][nd - 1];
    if ((j->s.strides[0][nd - 2] == 1 && sa > 1) || (j->s.strides[1][nd - 2] == 1 && sb > 1)) {
      j->tiled = 1;
      count = count / j->s.shape[nd - 2] * ((j->s.shape[nd - 2] + TILE - 1) / TILE);
    }
  }
  return count;
}

/* Which operand (0 a, 1 b) is one row broadcast over every other dim while the other is
 * contiguous, with rows of at most TILE_ROW_MAX elements; -1 when that is not the case. Such ops
 * run over flat chunks against the row repeated, not row by row: (5e6, 2) + (2,) float32
 * 12-16 -> 1.9-2.1 ms (numpy 31; bench/short_rows.py). */
enum { TILE_ROW_MAX = 16, TILE_CHUNK = 1024 };
static int broadcast_row_side(const bin_job *j) {
  const mx_strided *s = &j->s;
  int nd = s->ndim;
  if (j->tiled || nd < 2 || s->shape[nd - 1] > TILE_ROW_MAX) return -1;
  for (int w = 0; w < 2; w++) {
    const int64_t *row = s->strides[w], *full = s->strides[1 - w];
    bool ok = row[nd - 1] == 1 && full[nd - 1] == 1;
    int64_t expect = s->shape[nd - 1];
    for (int d = nd - 2; d >= 0 && ok; d--) {
      ok = row[d] == 0 && full[d] == expect;
      expect *= s->shape[d];
    }
    if (ok) return w;
  }
  return -1;
}

/* Rows of at least 4 KiB of output of a cheap op over arrays past the cache stream their output
 * out, as flat loops do (tiles too: each tile row, 1 KiB of float32, through a buffer). */
static void run_rows(bin_job *j, int64_t count, int cost, int64_t elems) {
  int64_t inner = mx_strided_inner(&j->s);
  int side = broadcast_row_side(j);
  if (side >= 0) { /* (N, C) op (C,) with a short C: the row repeated, then flat chunks */
    _Alignas(64) char tile[(TILE_CHUNK + TILE_ROW_MAX) * 8];
    int64_t reps = (TILE_CHUNK + inner - 1) / inner, isz = (int64_t)j->isz;
    const char *row = side ? j->b : j->a;
    for (int64_t r = 0; r < reps; r++) memcpy(tile + r * inner * isz, row, (size_t)(inner * isz));
    j->tile = tile;
    j->tile_side = side;
    j->chunk = reps * inner;
    int64_t chunks = (elems + j->chunk - 1) / j->chunk;
    mx_ew_parallel_for(chunks, (ew_grain(cost) + j->chunk - 1) / j->chunk, bin_task, j);
    j->tile = NULL;
    return;
  }
  const size_t sz[2] = {j->isz, j->isz};
  if (!j->tiled) j->band = ew_band_plan(&j->s, sz);
  j->stream = !j->half && j->osz >= j->isz && j->osz <= 8 && inner * (int64_t)j->osz >= 4096 &&
              elems * (int64_t)(2 * j->isz + j->osz) >= mx_ew_stream_min_bytes();
  int64_t per = inner * (j->tiled ? TILE : 1); /* elements per work item */
  mx_ew_parallel_for(count, (ew_grain(cost) + per - 1) / per, bin_task, j);
}

void mx_ew_binary_rows(mx_ew_bin_fn fn, int cost, size_t isz, const mx_array *a, const mx_array *b,
                       const mx_array *out, const void *ap, const void *bp, void *op) {
  bin_job j;
  memset(&j, 0, sizeof j);
  j.fn = fn;
  j.isz = j.osz = isz;
  j.a = (const char *)ap, j.b = (const char *)bp, j.o = (char *)op;
  int64_t count = init_rows(&j, a, b, out);
  if (count > 0) run_rows(&j, count, cost, out->size);
}

/* Chooses the layout, allocates out and runs fn over all elements. */
static int run_binary(const char *name, bin_fn fn, int cost, const mx_array *a, const mx_array *b,
                      mx_array *out) {
  bin_job j;
  memset(&j, 0, sizeof j);
  mx_dtype it = (mx_dtype)a->dtype;
  j.fn = fn;
  j.half = ew_half_kind(it);
  j.half_out = j.half && out->dtype == a->dtype;
  j.isz = mx_array_itemsize(a);
  j.osz = mx_array_itemsize(out);
  int a_rc = mx_strided_is_row_contig(a), b_rc = mx_strided_is_row_contig(b);
  int a_sc = a->data_size == 1, b_sc = b->data_size == 1;
  int64_t count;
  if (out->size == 0 || (a_rc && b_rc) || (a_sc && b_rc) || (a_rc && b_sc)) {
    if (mx_array_alloc_data(out)) return MX_ERR;
    count = out->size;
    j.sa = a_rc ? 1 : 0;
    j.sb = b_rc ? 1 : 0;
    if (a_rc && b_rc) j.sa = j.sb = 1;
  } else if (ew_dense(a) && ew_dense(b) && (a_sc || b_sc || same_strides(a, b))) {
    /* one dense layout (or one value) on both sides: the output takes that layout */
    const mx_array *like = a_sc ? b : a;
    if (ew_alloc_like(out, like)) return MX_ERR;
    count = like->data_size;
    j.sa = a_sc && !b_sc ? 0 : 1;
    j.sb = b_sc && !a_sc ? 0 : 1;
  } else {
    if (mx_array_alloc_data(out)) return MX_ERR;
    count = init_rows(&j, a, b, out);
  }
  if (count == 0) return 0;
  j.a = (const char *)mx_array_data(a);
  j.b = (const char *)mx_array_data(b);
  j.o = (char *)mx_array_data(out);
  if (!j.a || !j.b || !j.o) return mx_error("[%s] Array has no data.", name);
  j.stream = !j.rows && !j.half && j.osz >= j.isz &&
             count * (int64_t)(j.isz * (size_t)(j.sa + j.sb) + j.osz) >= mx_ew_stream_min_bytes();
  if (j.rows)
    run_rows(&j, count, cost, out->size);
  else
    mx_ew_parallel_for(count, ew_grain(cost), bin_task, &j);
  return 0;
}

static int check_inputs(const char *name, const mx_node *n, int nout) {
  if (n->nin != 2 || n->nout != nout) return mx_error("[%s] Expected two inputs.", name);
  const mx_array *a = n->inputs[0], *b = n->inputs[1];
  if (a->dtype != b->dtype || !mx_dtype_valid(a->dtype))
    return mx_error("[%s] Inputs must have one dtype.", name);
  for (int k = 0; k < nout; k++) {
    const mx_array *out = &n->out[k];
    if (a->ndim != out->ndim || b->ndim != out->ndim)
      return mx_error("[%s] Inputs must have the output's shape.", name);
    for (int d = 0; d < out->ndim; d++)
      if (a->shape[d] != out->shape[d] || b->shape[d] != out->shape[d])
        return mx_error("[%s] Inputs must have the output's shape.", name);
  }
  return 0;
}

static int cost_of(int op, mx_dtype t) {
  if ((t == MX_FLOAT64 || t == MX_COMPLEX64) && bin_cost[op] > EW_COST_CHEAP) return EW_COST_SCALAR;
  bool wide_int = t == MX_INT64 || t == MX_UINT64 || t == MX_UINT32; /* scalar division */
  if ((op == B_FDIV || op == B_REM) && mx_dtype_is_integral(t))
    return wide_int ? EW_COST_HEAVY : EW_COST_MATH;
  if (op == B_POW && t != MX_FLOAT32 && t != MX_FLOAT16 && t != MX_BFLOAT16) return EW_COST_MATH;
  return bin_cost[op];
}

int mx_cpu_ew_binary(mx_node *n) {
  const char *name = mx_prims[n->prim].name;
  int op = bin_index(n->prim);
  if (op < 0) return mx_error("[%s] Not a binary primitive.", name);
  MX_TRY(check_inputs(name, n, 1));
  const mx_array *a = n->inputs[0], *b = n->inputs[1];
  mx_array *out = &n->out[0];
  mx_dtype it = (mx_dtype)a->dtype;
  bin_fn fn = ew_half_kind(it) ? half_fn(op, it) : bin_table[op][it];
  if (!fn) return mx_error("[%s] Not supported for %s.", name, mx_dtype_name(it));
  if ((mx_dtype)out->dtype != (bin_gives_bool(op) ? MX_BOOL : it))
    return mx_error("[%s] Unexpected output dtype.", name);
  return run_binary(name, fn, cost_of(op, it), a, b, out);
}

/* DIVMOD: out[0] = floor_divide(a, b), out[1] = remainder(a, b), one pass each (the outputs
 * are never donated an input: DIVMOD is not flagged elementwise). */
int mx_cpu_divmod(mx_node *n) {
  const char *name = mx_prims[n->prim].name;
  MX_TRY(check_inputs(name, n, 2));
  const mx_array *a = n->inputs[0], *b = n->inputs[1];
  mx_dtype it = (mx_dtype)a->dtype;
  int half = ew_half_kind(it);
  bin_fn q = half ? half_fn(B_FDIV, it) : bin_table[B_FDIV][it];
  bin_fn r = half ? half_fn(B_REM, it) : bin_table[B_REM][it];
  if (!q || !r) return mx_error("[%s] Not supported for %s.", name, mx_dtype_name(it));
  if (n->out[0].dtype != it || n->out[1].dtype != it)
    return mx_error("[%s] Unexpected output dtype.", name);
  MX_TRY(run_binary(name, q, cost_of(B_FDIV, it), a, b, &n->out[0]));
  return run_binary(name, r, cost_of(B_REM, it), a, b, &n->out[1]);
}
