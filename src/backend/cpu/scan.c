/* SCAN: cumulative sum, product, max, min and logaddexp along an axis, inclusive or exclusive,
 * forward or reverse. Input and output have one dtype.
 *
 * Axis innermost: each row is one sequential loop (a running accumulator). A single long row
 * is cut in two halves scanned on two threads; the second half is then combined with the
 * first half's total (also on two threads). Axis not innermost: a chunk of accumulators (one
 * per column) is combined with each row in turn, vectorized across the columns.
 *
 * Accumulators: integers wrap around in their own width (unsigned arithmetic), float16 and
 * bfloat16 accumulate in float, float32 sums in double (products, max, min in float), float64
 * in double, complex64 in complex. max/min propagate NaN. logaddexp(a, b) =
 * max + log1p(exp(-|a - b|)), with -inf as the identity. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <complex.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/ew_math.h"
#include "backend/cpu/ew_vec512.h"
#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/strided.h"
#include "backend/cpu/tile16.h"
#include "core/error.h"
#include "ops/reduce.h"

#if MX_TILE16_VEC && defined(__x86_64__) && EW_HAVE_VEC512
#define SCAN_ROWS16 1
#else
#define SCAN_ROWS16 0
#endif

#define SCH 8192 /* column chunk */

/* ---- combine operations ---- */

#define C_ADD(a, v) ((a) + (v))
#define C_MUL(a, v) ((a) * (v))
#define C_IMAX(a, v) ((v) > (a) ? (v) : (a))
#define C_IMIN(a, v) ((v) < (a) ? (v) : (a))
/* NaN-propagating max/min as two selects (vectorizable) */
#define C_FMAX(a, v) ((v) != (v) ? (v) : ((v) > (a) ? (v) : (a)))
#define C_FMIN(a, v) ((v) != (v) ? (v) : ((v) < (a) ? (v) : (a)))

static inline float lae_f(float a, float v) {
  if (a != a || v != v) return a + v;
  float m = a > v ? a : v;
  if (isinf(m)) return m;
  return m + log1pf(expf(-fabsf(a - v)));
}
static inline double lae_d(double a, double v) {
  if (a != a || v != v) return a + v;
  double m = a > v ? a : v;
  if (isinf(m)) return m;
  return m + log1p(exp(-fabs(a - v)));
}
#define C_LAEF(a, v) lae_f(a, v)
#define C_LAED(a, v) lae_d(a, v)

/* complex64 */
static inline int cx_isnan(mx_complex64 a) {
  return a.re != a.re || a.im != a.im;
}
static inline int cx_gt(mx_complex64 a, mx_complex64 b) {
  return a.re > b.re || (a.re == b.re && a.im > b.im);
}
static inline mx_complex64 cx_add(mx_complex64 a, mx_complex64 b) {
  return (mx_complex64){a.re + b.re, a.im + b.im};
}
static inline mx_complex64 cx_mul(mx_complex64 a, mx_complex64 b) {
  float complex x = CMPLXF(a.re, a.im), y = CMPLXF(b.re, b.im), z = x * y;
  return (mx_complex64){crealf(z), cimagf(z)};
}
static inline mx_complex64 cx_max(mx_complex64 a, mx_complex64 v) {
  if (cx_isnan(a)) return a;
  return (cx_isnan(v) || cx_gt(v, a)) ? v : a;
}
static inline mx_complex64 cx_min(mx_complex64 a, mx_complex64 v) {
  if (cx_isnan(a)) return a;
  return (cx_isnan(v) || cx_gt(a, v)) ? v : a;
}
/* log(exp(a) + exp(b)), shifted by the operand with the larger real part */
static inline mx_complex64 cx_lae(mx_complex64 a, mx_complex64 v) {
  if (a.re == -INFINITY) return v;
  if (v.re == -INFINITY) return a;
  mx_complex64 hi = a.re >= v.re ? a : v, lo = a.re >= v.re ? v : a;
  float complex h = CMPLXF(hi.re, hi.im), l = CMPLXF(lo.re, lo.im);
  float complex r = h + clogf(1.0f + cexpf(l - h));
  return (mx_complex64){crealf(r), cimagf(r)};
}
#define C_CADD(a, v) cx_add(a, v)
#define C_CMUL(a, v) cx_mul(a, v)
#define C_CMAX(a, v) cx_max(a, v)
#define C_CMIN(a, v) cx_min(a, v)
#define C_CLAE(a, v) cx_lae(a, v)

/* ---- loads / stores ---- */

#define L_ID(x) (x)
#define L_H(x) mx_h2f(x)
#define L_BF(x) mx_bf2f(x)
#define L_D(x) ((double)(x))
#define S_ID(v) (v)
#define S_H(v) mx_f2h(v)
#define S_BF(v) mx_f2bf(v)
#define S_F(v) ((float)(v))

/* ---- kernels ---- */

typedef void (*row_fn)(const void *x, void *y, int64_t n, int rev, int incl, void *acc_out);
typedef void (*cols_fn)(const void *x, void *y, int64_t n, int64_t rs, int64_t w, int rev,
                        int incl);
typedef void (*fix_fn)(void *y, int64_t n, const void *carry);
typedef void (*rows_fn)(const void *x, void *y, int64_t n, int rev, int incl);

/* T storage, A accumulator, LD/ST conversions, COMB combine, INIT identity. */
#define GEN_SCAN(NAME, T, A, LD, ST, COMB, INIT)                                                   \
  MX_RED_CLONES static void row_##NAME(const void *x_, void *y_, int64_t n, int rev, int incl,     \
                                       void *acc_out) {                                            \
    const T *x = (const T *)x_;                                                                    \
    T *y = (T *)y_;                                                                                \
    A acc = INIT;                                                                                  \
    if (!rev) {                                                                                    \
      if (incl) {                                                                                  \
        for (int64_t i = 0; i < n; i++) {                                                          \
          acc = COMB(acc, LD(x[i]));                                                               \
          y[i] = ST(acc);                                                                          \
        }                                                                                          \
      } else {                                                                                     \
        for (int64_t i = 0; i < n; i++) {                                                          \
          A v = LD(x[i]);                                                                          \
          y[i] = ST(acc);                                                                          \
          acc = COMB(acc, v);                                                                      \
        }                                                                                          \
      }                                                                                            \
    } else {                                                                                       \
      if (incl) {                                                                                  \
        for (int64_t i = n - 1; i >= 0; i--) {                                                     \
          acc = COMB(acc, LD(x[i]));                                                               \
          y[i] = ST(acc);                                                                          \
        }                                                                                          \
      } else {                                                                                     \
        for (int64_t i = n - 1; i >= 0; i--) {                                                     \
          A v = LD(x[i]);                                                                          \
          y[i] = ST(acc);                                                                          \
          acc = COMB(acc, v);                                                                      \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
    if (acc_out) memcpy(acc_out, &acc, sizeof acc);                                                \
  }                                                                                                \
  MX_RED_CLONES static void cols_##NAME(const void *x_, void *y_, int64_t n, int64_t rs,           \
                                        int64_t w, int rev, int incl) {                            \
    const T *x = (const T *)x_;                                                                    \
    T *y = (T *)y_;                                                                                \
    A acc[SCH];                                                                                    \
    for (int64_t j = 0; j < w; j++) acc[j] = INIT;                                                 \
    for (int64_t k = 0; k < n; k++) {                                                              \
      int64_t i = rev ? n - 1 - k : k;                                                             \
      const T *xr = x + i * rs;                                                                    \
      T *yr = y + i * rs;                                                                          \
      if (incl) {                                                                                  \
        for (int64_t j = 0; j < w; j++) {                                                          \
          acc[j] = COMB(acc[j], LD(xr[j]));                                                        \
          yr[j] = ST(acc[j]);                                                                      \
        }                                                                                          \
      } else {                                                                                     \
        for (int64_t j = 0; j < w; j++) {                                                          \
          A v = LD(xr[j]);                                                                         \
          yr[j] = ST(acc[j]);                                                                      \
          acc[j] = COMB(acc[j], v);                                                                \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
  MX_RED_CLONES static void fix_##NAME(void *y_, int64_t n, const void *carry_) {                  \
    T *y = (T *)y_;                                                                                \
    A carry;                                                                                       \
    memcpy(&carry, carry_, sizeof carry);                                                          \
    for (int64_t i = 0; i < n; i++) y[i] = ST(COMB(carry, LD(y[i])));                              \
  }

/* integers (and bool as uint8): wrap-around arithmetic in the unsigned type of the same width */
#define GEN_INT(S, T, U, LO, HI)                                                                   \
  GEN_SCAN(sum_##S, T, U, (U), (T), C_ADD, (U)0)                                                   \
  GEN_SCAN(prod_##S, T, U, (U), (T), C_MUL, (U)1)                                                  \
  GEN_SCAN(max_##S, T, T, L_ID, S_ID, C_IMAX, LO)                                                  \
  GEN_SCAN(min_##S, T, T, L_ID, S_ID, C_IMIN, HI)

/* (narrow types accumulate in uint32: the low bits of sums and products are the same, and no
 * promotion to int can overflow) */
GEN_INT(b, uint8_t, uint32_t, 0, 1)
GEN_INT(u8, uint8_t, uint32_t, 0, UINT8_MAX)
GEN_INT(u16, uint16_t, uint32_t, 0, UINT16_MAX)
GEN_INT(u32, uint32_t, uint32_t, 0, UINT32_MAX)
GEN_INT(u64, uint64_t, uint64_t, 0, UINT64_MAX)
GEN_INT(i8, int8_t, uint32_t, INT8_MIN, INT8_MAX)
GEN_INT(i16, int16_t, uint32_t, INT16_MIN, INT16_MAX)
GEN_INT(i32, int32_t, uint32_t, INT32_MIN, INT32_MAX)
GEN_INT(i64, int64_t, uint64_t, INT64_MIN, INT64_MAX)

#define GEN_FLT(S, T, LD, ST)                                                                      \
  GEN_SCAN(prod_##S, T, float, LD, ST, C_MUL, 1.0f)                                                \
  GEN_SCAN(max_##S, T, float, LD, ST, C_FMAX, -INFINITY)                                           \
  GEN_SCAN(min_##S, T, float, LD, ST, C_FMIN, INFINITY)                                            \
  GEN_SCAN(lae_##S, T, float, LD, ST, C_LAEF, -INFINITY)

GEN_FLT(f16, uint16_t, L_H, S_H)
GEN_FLT(bf16, uint16_t, L_BF, S_BF)
GEN_FLT(f32, float, L_ID, S_ID)
GEN_SCAN(sum_f16, uint16_t, float, L_H, S_H, C_ADD, 0.0f)
GEN_SCAN(sum_bf16, uint16_t, float, L_BF, S_BF, C_ADD, 0.0f)
GEN_SCAN(sum_f32, float, double, L_D, S_F, C_ADD, 0.0)

/* float16 / bfloat16 rows: converted to float a block at a time in vector loops (the
 * conversions are bit arithmetic that a sequential loop would pay per element), scanned in
 * float, converted back: per element the operations of GEN_SCAN's row, so the same bits. */
#define HBLK 1024
#define GEN_HALF_CONV(S, LD, ST)                                                                   \
  MX_RED_CLONES static void to_float_##S(const uint16_t *x, float *f, int64_t n) {                 \
    for (int64_t k = 0; k < n; k++) f[k] = LD(x[k]);                                               \
  }                                                                                                \
  MX_RED_CLONES static void from_float_##S(const float *f, uint16_t *y, int64_t n) {               \
    for (int64_t k = 0; k < n; k++) y[k] = ST(f[k]);                                               \
  }
GEN_HALF_CONV(h, L_H, S_H)
GEN_HALF_CONV(bf, L_BF, S_BF)

#define GEN_HALF_ROW(NAME, S, COMB, INIT)                                                          \
  static void hrow_##NAME(const void *x_, void *y_, int64_t n, int rev, int incl, void *acc_out) { \
    const uint16_t *x = (const uint16_t *)x_;                                                      \
    uint16_t *y = (uint16_t *)y_;                                                                  \
    float acc = INIT, xb[HBLK];                                                                    \
    for (int64_t b0 = 0; b0 < n; b0 += HBLK) {                                                     \
      int64_t len = n - b0 < HBLK ? n - b0 : HBLK, off = rev ? n - b0 - len : b0;                  \
      to_float_##S(x + off, xb, len);                                                              \
      for (int64_t s = 0; s < len; s++) {                                                          \
        int64_t k = rev ? len - 1 - s : s;                                                         \
        float v = xb[k];                                                                           \
        if (incl) acc = COMB(acc, v);                                                              \
        xb[k] = acc;                                                                               \
        if (!incl) acc = COMB(acc, v);                                                             \
      }                                                                                            \
      from_float_##S(xb, y + off, len);                                                            \
    }                                                                                              \
    if (acc_out) memcpy(acc_out, &acc, sizeof acc);                                                \
  }
#define GEN_HALF_ROWS(S)                                                                           \
  GEN_HALF_ROW(sum_##S, S, C_ADD, 0.0f)                                                            \
  GEN_HALF_ROW(prod_##S, S, C_MUL, 1.0f)                                                           \
  GEN_HALF_ROW(max_##S, S, C_FMAX, -INFINITY)                                                      \
  GEN_HALF_ROW(min_##S, S, C_FMIN, INFINITY)
GEN_HALF_ROWS(h)
GEN_HALF_ROWS(bf)

/* the staged row of op for a 16-bit float dtype, or NULL */
static row_fn half_row(int op, mx_dtype dt) {
  if (dt != MX_FLOAT16 && dt != MX_BFLOAT16) return NULL;
  int h = dt == MX_FLOAT16;
  switch (op) {
  case MX_SCAN_SUM:
    return h ? hrow_sum_h : hrow_sum_bf;
  case MX_SCAN_PROD:
    return h ? hrow_prod_h : hrow_prod_bf;
  case MX_SCAN_MAX:
    return h ? hrow_max_h : hrow_max_bf;
  case MX_SCAN_MIN:
    return h ? hrow_min_h : hrow_min_bf;
  default:
    return NULL;
  }
}

GEN_SCAN(sum_f64, double, double, L_ID, S_ID, C_ADD, 0.0)
GEN_SCAN(prod_f64, double, double, L_ID, S_ID, C_MUL, 1.0)
GEN_SCAN(max_f64, double, double, L_ID, S_ID, C_FMAX, -INFINITY)
GEN_SCAN(min_f64, double, double, L_ID, S_ID, C_FMIN, INFINITY)
GEN_SCAN(lae_f64, double, double, L_ID, S_ID, C_LAED, -INFINITY)

static const mx_complex64 CX0 = {0.0f, 0.0f}, CX1 = {1.0f, 0.0f};
static const mx_complex64 CXLO = {-INFINITY, -INFINITY}, CXHI = {INFINITY, INFINITY};
static const mx_complex64 CXLAE = {-INFINITY, 0.0f};
GEN_SCAN(sum_c64, mx_complex64, mx_complex64, L_ID, S_ID, C_CADD, CX0)
GEN_SCAN(prod_c64, mx_complex64, mx_complex64, L_ID, S_ID, C_CMUL, CX1)
GEN_SCAN(max_c64, mx_complex64, mx_complex64, L_ID, S_ID, C_CMAX, CXLO)
GEN_SCAN(min_c64, mx_complex64, mx_complex64, L_ID, S_ID, C_CMIN, CXHI)
GEN_SCAN(lae_c64, mx_complex64, mx_complex64, L_ID, S_ID, C_CLAE, CXLAE)

/* logaddexp rows of float32, float16, bfloat16 as a running (max m, sum s of exp(x - m)):
 * the result m + log(s) leaves the sequential chain (s in double). A block of the row is staged
 * in float in scan order (xb), its results (rb) are computed, then stored. A NaN makes s NaN for
 * good. */
#define LBLK 1024

typedef struct {
  float m;
  double s;
} lae_state;

/* one element: the (m, s) of its result, the state before it (exclusive) or after (inclusive) */
static inline void lae_step(lae_state *st, float v, int incl, float *mb, float *sb) {
  if (!incl) *mb = st->m, *sb = (float)st->s;
  if (v <= st->m) {
    st->s += v == st->m ? 1.0 : (double)ew_expf(v - st->m);
  } else {
    st->s = st->s * (double)ew_expf(st->m - v) + 1.0;
    st->m = v;
  }
  if (incl) *mb = st->m, *sb = (float)st->s;
}

MX_RED_CLONES static void lae_logs(const float *mb, const float *sb, float *rb, int64_t n) {
  for (int64_t k = 0; k < n; k++) rb[k] = mb[k] + ew_logf(sb[k]);
}

static void lae_block_scalar(lae_state *st, const float *xb, float *rb, int64_t len, int incl) {
  float mb[LBLK], sb[LBLK];
  for (int64_t k = 0; k < len; k++) lae_step(st, xb[k], incl, mb + k, sb + k);
  lae_logs(mb, sb, rb, len);
}

#if SCAN_ROWS16
/* Sixteen elements at a time. With M = max(m, chunk) and Mj the running maxima (of m and the
 * chunk up to each element), S = s e^(m - M) + the running sums of e^(x - M) (in double, within
 * the registers) holds the term of Mj itself, e* = e^(Mj - M), computed bit for bit as in S; each
 * result is Mj + log1p((S - e*) e^(M - Mj)): the term of the maximum is exactly 1, as in
 * lae_step, so results near 0 keep their accuracy. Chunks that span more than 80 (e^(x - M)
 * would lose range), hold a nan or +inf, or come after one take lae_step. */
EW_V16_TARGET static void lae_block_v16(lae_state *st, const float *xb, float *rb, int64_t len,
                                        int incl) {
  const __m512i iz = _mm512_setzero_si512();
  int64_t k = 0;
  for (; k + 16 <= len; k += 16) {
    ew_v16 v = _mm512_loadu_ps(xb + k);
    float bm = _mm512_reduce_max_ps(v);
    float M = bm > st->m ? bm : st->m;
    __mmask16 ninf = v16_eq(v, v16c(-EW_INFF));
    float lo_v = _mm512_mask_reduce_min_ps((__mmask16)~ninf, v); /* +inf when all are -inf */
    if (v16_isnan(v) || !(bm < EW_INFF) || !(st->m < EW_INFF) || !(lo_v >= M - 80.0f) ||
        M == -EW_INFF) {
      lae_block_scalar(st, xb + k, rb + k, 16, incl);
      continue;
    }
    ew_v16 e = v16_exp(_mm512_sub_ps(v, v16c(M)));
    ew_v16 mj = v;
    __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(e));
    __m512d hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(e, 1));
    /* running maxima over the sixteen lanes, running sums within each half (the shifts are
     * immediates: spelled out, as unoptimized builds do not fold a loop's counter) */
#define LAE_MAX_STEP(SH)                                                                           \
  mj = _mm512_max_ps(                                                                              \
      mj, _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(mj),                         \
                                                  _mm512_castps_si512(v16c(-EW_INFF)), 16 - SH)))
#define LAE_SUM_STEP(SH)                                                                           \
  lo = _mm512_add_pd(                                                                              \
      lo, _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(lo), iz, 8 - SH)));          \
  hi = _mm512_add_pd(                                                                              \
      hi, _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(hi), iz, 8 - SH)))
    LAE_MAX_STEP(1);
    LAE_MAX_STEP(2);
    LAE_MAX_STEP(4);
    LAE_MAX_STEP(8);
    LAE_SUM_STEP(1);
    LAE_SUM_STEP(2);
    LAE_SUM_STEP(4);
#undef LAE_MAX_STEP
#undef LAE_SUM_STEP
    hi = _mm512_add_pd(hi, _mm512_permutexvar_pd(_mm512_set1_epi64(7), lo));
    double total = _mm512_cvtsd_f64(_mm512_permutexvar_pd(_mm512_set1_epi64(7), hi));
    ew_v16 m0 = v16c(st->m);
    if (!incl) { /* shift by one lane: the state before each element */
      hi = _mm512_castsi512_pd(
          _mm512_alignr_epi64(_mm512_castpd_si512(hi), _mm512_castpd_si512(lo), 7));
      lo = _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(lo), iz, 7));
      mj = _mm512_castsi512_ps(
          _mm512_alignr_epi32(_mm512_castps_si512(mj), _mm512_castps_si512(m0), 15));
    }
    mj = _mm512_max_ps(mj, m0);
    double em = _mm512_cvtss_f32(v16_exp(v16c(st->m - M))), carry = st->s * em;
    __m512d c = _mm512_set1_pd(carry);
    ew_v16 top = v16_exp(_mm512_sub_ps(mj, v16c(M))); /* e*: exactly the maximum's own term */
    lo = _mm512_sub_pd(_mm512_add_pd(lo, c), _mm512_cvtps_pd(_mm512_castps512_ps256(top)));
    hi = _mm512_sub_pd(_mm512_add_pd(hi, c), _mm512_cvtps_pd(_mm512_extractf32x8_ps(top, 1)));
    ew_v16 rest =
        _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
    rest = _mm512_mul_ps(rest, v16_exp(_mm512_sub_ps(v16c(M), mj)));
    ew_v16 r = _mm512_add_ps(mj, v16_log1p(rest));
    /* an exclusive first lane before any finite value: log(0) from m = -inf */
    r = _mm512_mask_mov_ps(r, v16_eq(mj, v16c(-EW_INFF)), v16c(-EW_INFF));
    _mm512_storeu_ps(rb + k, r);
    st->s = carry + total;
    st->m = M;
  }
  if (k < len) lae_block_scalar(st, xb + k, rb + k, len - k, incl);
}
#endif

static void lae_block(lae_state *st, const float *xb, float *rb, int64_t len, int incl) {
#if SCAN_ROWS16
  if (mx_ew_vec512()) {
    lae_block_v16(st, xb, rb, len, incl);
    return;
  }
#endif
  lae_block_scalar(st, xb, rb, len, incl);
}

#define GEN_LAE_ROW(NAME, T, LD, ST)                                                               \
  static void NAME(const void *x_, void *y_, int64_t n, int rev, int incl, void *acc_out) {        \
    const T *x = (const T *)x_;                                                                    \
    T *y = (T *)y_;                                                                                \
    lae_state st = {-INFINITY, 0.0};                                                               \
    float xb[LBLK], rb[LBLK];                                                                      \
    for (int64_t b0 = 0; b0 < n; b0 += LBLK) {                                                     \
      int64_t len = n - b0 < LBLK ? n - b0 : LBLK;                                                 \
      for (int64_t k = 0; k < len; k++) xb[k] = LD(x[rev ? n - 1 - (b0 + k) : b0 + k]);            \
      lae_block(&st, xb, rb, len, incl);                                                           \
      for (int64_t k = 0; k < len; k++) y[rev ? n - 1 - (b0 + k) : b0 + k] = ST(rb[k]);            \
    }                                                                                              \
    (void)acc_out;                                                                                 \
  }

GEN_LAE_ROW(lae_row_f32, float, L_ID, S_ID)
GEN_LAE_ROW(lae_row_f16, uint16_t, L_H, S_H)
GEN_LAE_ROW(lae_row_bf16, uint16_t, L_BF, S_BF)

#if SCAN_ROWS16
/* float32 sums of 16 rows of n (consecutive, stride n) at once on AVX-512: 16 x 16 tiles are
 * transposed in registers so that each step adds one column to two vectors of eight double
 * accumulators (one lane per row), then transposed back. Each row sees exactly row_sum_f32's
 * operations in its order (the same bits); the adds of sixteen rows overlap instead of waiting
 * on one accumulator's latency. */
__attribute__((target("avx512f,avx512dq"))) static void
rows16_sum_f32(const void *x_, void *y_, int64_t n, int rev, int incl) {
  const float *x = (const float *)x_;
  float *y = (float *)y_;
  __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();
  int64_t nt = n / 16 * 16;
  for (int64_t b = 0; b < nt; b += 16) {
    int64_t s = rev ? n - 16 - b : b;
    v16f t[16];
    for (int k = 0; k < 16; k++) t[k] = V16_LD(x + k * n + s);
    transpose16(t);
    for (int jj = 0; jj < 16; jj++) {
      int j = rev ? 15 - jj : jj;
      __m512 c = (__m512)t[j];
      __m512d vl = _mm512_cvtps_pd(_mm512_castps512_ps256(c));
      __m512d vh = _mm512_cvtps_pd(_mm512_extractf32x8_ps(c, 1));
      __m256 ol = _mm512_cvtpd_ps(lo), oh = _mm512_cvtpd_ps(hi);
      lo = _mm512_add_pd(lo, vl);
      hi = _mm512_add_pd(hi, vh);
      if (incl) ol = _mm512_cvtpd_ps(lo), oh = _mm512_cvtpd_ps(hi);
      t[j] = (v16f)_mm512_insertf32x8(_mm512_castps256_ps512(ol), oh, 1);
    }
    transpose16(t);
    for (int k = 0; k < 16; k++) V16_ST(y + k * n + s, t[k]);
  }
  double acc[16];
  _mm512_storeu_pd(acc, lo);
  _mm512_storeu_pd(acc + 8, hi);
  for (int k = 0; k < 16; k++) /* the columns left: [nt, n), or [0, n - nt) in reverse */
    for (int64_t ii = nt; ii < n; ii++) {
      int64_t i = rev ? n - 1 - ii : ii;
      double v = x[k * n + i];
      if (incl) acc[k] += v;
      y[k * n + i] = (float)acc[k];
      if (!incl) acc[k] += v;
    }
}
#endif

typedef struct {
  row_fn row;
  cols_fn cols;
  fix_fn fix;
  rows_fn rows; /* 16 rows at once, or NULL */
} scan_kernel;

#define SK(NAME) ((scan_kernel){row_##NAME, cols_##NAME, fix_##NAME, NULL})

static int pick(int op, mx_dtype dt, scan_kernel *k) {
#define INTS(OP)                                                                                   \
  switch (dt) {                                                                                    \
  case MX_BOOL:                                                                                    \
    *k = SK(OP##_b);                                                                               \
    return 0;                                                                                      \
  case MX_UINT8:                                                                                   \
    *k = SK(OP##_u8);                                                                              \
    return 0;                                                                                      \
  case MX_UINT16:                                                                                  \
    *k = SK(OP##_u16);                                                                             \
    return 0;                                                                                      \
  case MX_UINT32:                                                                                  \
    *k = SK(OP##_u32);                                                                             \
    return 0;                                                                                      \
  case MX_UINT64:                                                                                  \
    *k = SK(OP##_u64);                                                                             \
    return 0;                                                                                      \
  case MX_INT8:                                                                                    \
    *k = SK(OP##_i8);                                                                              \
    return 0;                                                                                      \
  case MX_INT16:                                                                                   \
    *k = SK(OP##_i16);                                                                             \
    return 0;                                                                                      \
  case MX_INT32:                                                                                   \
    *k = SK(OP##_i32);                                                                             \
    return 0;                                                                                      \
  case MX_INT64:                                                                                   \
    *k = SK(OP##_i64);                                                                             \
    return 0;                                                                                      \
  default:                                                                                         \
    break;                                                                                         \
  }
#define FLTS(OP)                                                                                   \
  switch (dt) {                                                                                    \
  case MX_FLOAT16:                                                                                 \
    *k = SK(OP##_f16);                                                                             \
    return 0;                                                                                      \
  case MX_BFLOAT16:                                                                                \
    *k = SK(OP##_bf16);                                                                            \
    return 0;                                                                                      \
  case MX_FLOAT32:                                                                                 \
    *k = SK(OP##_f32);                                                                             \
    return 0;                                                                                      \
  case MX_FLOAT64:                                                                                 \
    *k = SK(OP##_f64);                                                                             \
    return 0;                                                                                      \
  case MX_COMPLEX64:                                                                               \
    *k = SK(OP##_c64);                                                                             \
    return 0;                                                                                      \
  default:                                                                                         \
    break;                                                                                         \
  }
  switch (op) {
  case MX_SCAN_SUM:
    INTS(sum) FLTS(sum) break;
  case MX_SCAN_PROD:
    INTS(prod) FLTS(prod) break;
  case MX_SCAN_MAX:
    INTS(max) FLTS(max) break;
  case MX_SCAN_MIN:
    INTS(min) FLTS(min) break;
  case MX_SCAN_LOGADDEXP:
    if (dt == MX_FLOAT32 || dt == MX_FLOAT16 || dt == MX_BFLOAT16) {
      *k = dt == MX_FLOAT32 ? SK(lae_f32) : dt == MX_FLOAT16 ? SK(lae_f16) : SK(lae_bf16);
      k->row = dt == MX_FLOAT32 ? lae_row_f32 : dt == MX_FLOAT16 ? lae_row_f16 : lae_row_bf16;
      return 0;
    }
    FLTS(lae) break;
  default:
    break;
  }
  return 1;
#undef INTS
#undef FLTS
}

typedef struct {
  scan_kernel k;
  const char *x;
  char *y;
  size_t isz;
  int64_t n, inner, chunks, chunk; /* column chunks of chunk <= SCH columns */
  int rev, incl;
  /* single long row */
  int64_t h;            /* elements of the first part in scan order */
  char carry[16];       /* the first part's total */
  int64_t fix_n, fix_b; /* second part: its start index and length */
} scan_ctx;

static void scan_range(void *c_, int64_t b, int64_t e) {
  scan_ctx *c = (scan_ctx *)c_;
  if (c->inner == 1) {
    int64_t r = b;
    for (; c->k.rows && r + 16 <= e; r += 16) {
      size_t off = (size_t)(r * c->n) * c->isz;
      c->k.rows(c->x + off, c->y + off, c->n, c->rev, c->incl);
    }
    for (; r < e; r++) {
      size_t off = (size_t)(r * c->n) * c->isz;
      c->k.row(c->x + off, c->y + off, c->n, c->rev, c->incl, NULL);
    }
    return;
  }
  for (int64_t u = b; u < e; u++) {
    int64_t o = u / c->chunks, j0 = (u % c->chunks) * c->chunk;
    int64_t w = c->inner - j0 < c->chunk ? c->inner - j0 : c->chunk;
    size_t off = (size_t)(o * c->n * c->inner + j0) * c->isz;
    c->k.cols(c->x + off, c->y + off, c->n, c->inner, w, c->rev, c->incl);
  }
}

/* Two parts of one row in scan order: part 0 is the first h elements. */
static void part_range(void *c_, int64_t b, int64_t e) {
  scan_ctx *c = (scan_ctx *)c_;
  for (int64_t p = b; p < e; p++) {
    int64_t start, len;
    if (p == 0) {
      len = c->h;
      start = c->rev ? c->n - c->h : 0;
    } else {
      len = c->n - c->h;
      start = c->rev ? 0 : c->h;
    }
    size_t off = (size_t)start * c->isz;
    c->k.row(c->x + off, c->y + off, len, c->rev, c->incl, p == 0 ? c->carry : NULL);
  }
}

static void fix_range(void *c_, int64_t b, int64_t e) {
  scan_ctx *c = (scan_ctx *)c_;
  int64_t per = (c->fix_n + 1) / 2;
  for (int64_t p = b; p < e; p++) {
    int64_t s = p * per, len = c->fix_n - s < per ? c->fix_n - s : per;
    if (len > 0) c->k.fix(c->y + (size_t)(c->fix_b + s) * c->isz, len, c->carry);
  }
}

int mx_cpu_scan(mx_node *nd) {
  const mx_scan_params *p = (const mx_scan_params *)nd->params;
  const mx_array *in = nd->inputs[0];
  mx_array *out = &nd->out[0];
  if (in->dtype != out->dtype) return mx_error("[scan] Input and output dtypes differ.");
  if (p->axis < 0 || p->axis >= in->ndim) return mx_error("[scan] Invalid axis.");
  scan_ctx c;
  memset(&c, 0, sizeof c);
  if (pick(p->op, (mx_dtype)in->dtype, &c.k))
    return mx_error("[scan] Unsupported dtype %s.", mx_dtype_name((mx_dtype)in->dtype));
#if SCAN_ROWS16
  if (p->op == MX_SCAN_SUM && in->dtype == MX_FLOAT32 && mx_ew_vec512()) c.k.rows = rows16_sum_f32;
#endif
  row_fn hrow = half_row(p->op, (mx_dtype)in->dtype);
  if (hrow) c.k.row = hrow;
  if (mx_array_alloc_data(out)) return MX_ERR;
  if (in->size == 0) return 0;
  mx_axis_view v;
  MX_TRY(mx_axis_view_init("scan", in, p->axis, &v));
  c.x = (const char *)v.x;
  c.y = (char *)mx_array_data(out);
  c.isz = mx_array_itemsize(in);
  c.n = v.n;
  c.inner = v.inner;
  /* an even number of chunks when there is one column block (the two threads take half each) */
  c.chunks = (v.inner + SCH - 1) / SCH;
  if (c.chunks > 1 && c.chunks % 2 && v.outer == 1) c.chunks++;
  c.chunk = (v.inner + c.chunks - 1) / c.chunks;
  c.chunk = c.chunk > 16 ? (c.chunk + 15) / 16 * 16 : c.chunk;
  c.chunk = c.chunk > SCH ? SCH : c.chunk;
  c.chunks = (v.inner + c.chunk - 1) / c.chunk;
  c.rev = p->reverse != 0;
  c.incl = p->inclusive != 0;
  bool split = v.inner == 1 && v.outer == 1 && v.n >= (1 << 20) && p->op != MX_SCAN_LOGADDEXP;
  if (split) {
    c.h = v.n / 2;
    mx_red_parallel(part_range, &c, 2, (double)v.n);
    c.fix_n = v.n - c.h;
    c.fix_b = c.rev ? 0 : c.h;
    mx_red_parallel(fix_range, &c, 2, (double)c.fix_n);
  } else {
    int64_t units = v.inner == 1 ? v.outer : v.outer * c.chunks;
    double cost = (double)in->size * (p->op == MX_SCAN_LOGADDEXP ? 20.0 : 1.0);
    mx_red_parallel(scan_range, &c, units, cost);
  }
  mx_axis_view_free(&v);
  return 0;
}
