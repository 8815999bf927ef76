/* REDUCE: sum, prod, max, min, all, any over a sorted set of axes; the output keeps the input's
 * rank (reduced axes have size 1) and is row-contiguous.
 *
 * Plan: drop size-1 dims, order the rest by decreasing input stride (so the innermost loop walks
 * the input's smallest stride), give each dim an accumulator stride (0 when reduced) and merge
 * dims contiguous in both. The two innermost dims are handled by one kernel call:
 *   - inner dim reduced ("rows"): each row is reduced with 16 independent lanes (vectorized);
 *     float sums go in blocks of 4096 summed in float whose totals are added in double;
 *   - inner dim kept ("cols"): acc[j] op= x[j] over the rows (vectorized), in column chunks that
 *     stay in L1; float sums stage 256 rows in a float buffer before adding to double.
 * Dims further out go through an odometer; with none, the kernel call is split over the CPU
 * threads by columns (inner dim kept) or by rows (each with its own accumulator). Accumulators:
 * float16/bfloat16/float32 sums in double (from float blocks; written straight to the output when
 * each output element is one row), products in float; float64 in double; integers in 32- or 64-bit
 * unsigned wrap-around arithmetic (as wide as the output); complex in complex; max/min in the input
 * type (16-bit floats in float; contiguous float32/float64 rows on AVX-512 vectors); all/any in
 * bool. Results are converted to the output dtype at the end. NaN propagates through max and min.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/ew_common.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "ops/params.h"

#define LANES 16
#define FBLOCK 4096 /* float-sum row block */
#define CCH 16384   /* column chunk (accumulators stay in L2) */
#define FCCH 16384  /* float-sum column chunk (float staging buffer on the stack, in L2) */
#define RBLK 256    /* float-sum column staging rows */

/* R rows of n elements (element stride s, row stride rs) reduced into acc[r * aos]. */
typedef void (*rows_fn)(const void *x, int64_t n, int64_t s, int64_t R, int64_t rs, void *acc,
                        int64_t aos);
/* R rows of N elements (element stride s, row stride rs) accumulated into
 * acc[r * aos + j * os]. */
typedef void (*cols_fn)(const void *x, int64_t R, int64_t rs, int64_t N, int64_t s, void *acc,
                        int64_t aos, int64_t os);
typedef void (*init_fn)(void *acc, int64_t n);

typedef struct {
  rows_fn rows;
  cols_fn cols;
  init_fn init;
  rows_fn rows_direct; /* optional: writes each row's result to out (the input dtype) */
  mx_dtype acc_dt;     /* storage dtype of the accumulator (bit-compatible with the kernel's A) */
} kernel;

/* ---- complex helpers ---- */

static inline mx_complex64 cx_add(mx_complex64 a, mx_complex64 b) {
  return (mx_complex64){a.re + b.re, a.im + b.im};
}
static inline mx_complex64 cx_mul(mx_complex64 a, mx_complex64 b) {
  float _Complex x, y, z;
  memcpy(&x, &a, sizeof x);
  memcpy(&y, &b, sizeof y);
  z = x * y;
  mx_complex64 r;
  memcpy(&r, &z, sizeof r);
  return r;
}
/* MLX orders complex numbers lexicographically (real part, then imaginary part). */
static inline int cx_gt(mx_complex64 a, mx_complex64 b) {
  return a.re > b.re || (a.re == b.re && a.im > b.im);
}
static inline int cx_isnan(mx_complex64 a) {
  return a.re != a.re || a.im != a.im;
}
static inline mx_complex64 cx_max(mx_complex64 a, mx_complex64 v) {
  return (cx_gt(v, a) || cx_isnan(v)) ? v : a;
}
static inline mx_complex64 cx_min(mx_complex64 a, mx_complex64 v) {
  return (cx_gt(a, v) || cx_isnan(v)) ? v : a;
}
static inline bool cx_nz(mx_complex64 a) {
  return a.re != 0 || a.im != 0;
}
static const mx_complex64 CX_ZERO = {0.0f, 0.0f};
static const mx_complex64 CX_ONE = {1.0f, 0.0f};
static const mx_complex64 CX_LOW = {-INFINITY, -INFINITY};
static const mx_complex64 CX_HIGH = {INFINITY, INFINITY};

/* ---- combine operations ---- */

#define C_ADD(a, v) ((a) + (v))
#define C_MUL(a, v) ((a) * (v))
#define C_IMAX(a, v) ((v) > (a) ? (v) : (a))
#define C_IMIN(a, v) ((v) < (a) ? (v) : (a))
#define C_AND(a, v) ((a) & (v))
#define C_OR(a, v) ((a) | (v))
#define C_CADD(a, v) cx_add(a, v)
#define C_CMUL(a, v) cx_mul(a, v)
#define C_CMAX(a, v) cx_max(a, v)
#define C_CMIN(a, v) cx_min(a, v)
/* NaN-propagating float max/min as two simple selects (vectorizable) */
static inline float fmax_nan(float a, float v) {
  float t = v > a ? v : a;
  return v != v ? v : t;
}
static inline float fmin_nan(float a, float v) {
  float t = v < a ? v : a;
  return v != v ? v : t;
}
static inline double dmax_nan(double a, double v) {
  double t = v > a ? v : a;
  return v != v ? v : t;
}
static inline double dmin_nan(double a, double v) {
  double t = v < a ? v : a;
  return v != v ? v : t;
}

/* ---- loads: storage T -> accumulator A ---- */

#define L_ID(x) (x)
#define L_H(x) mx_h2f(x)
#define L_BF(x) mx_bf2f(x)
#define L_NZ(x) ((x) != 0)
#define L_HNZ(x) (mx_h2f(x) != 0.0f) /* -0.0 of a 16-bit float has nonzero bits */
#define L_BFNZ(x) (mx_bf2f(x) != 0.0f)
#define L_CNZ(x) cx_nz(x)
#define L_U32(x) ((uint32_t)(x)) /* integer sums/products: wrap-around, sign-extending loads */
#define L_U64(x) ((uint64_t)(x))

/* ---- shared loop bodies ---- */

/* cols: generic accumulate loops, chunked over columns when rows accumulate into one acc row */
#define COLS_BODY(T, A, CVT, COMB)                                                                 \
  const T *x = (const T *)x_;                                                                      \
  A *acc = (A *)acc_;                                                                              \
  if (aos == 0 && s == 1 && os == 1) {                                                             \
    for (int64_t j0 = 0; j0 < N; j0 += CCH) {                                                      \
      int64_t cn = N - j0 < CCH ? N - j0 : CCH;                                                    \
      A *a = acc + j0;                                                                             \
      for (int64_t r = 0; r < R; r++) {                                                            \
        const T *xr = x + r * rs + j0;                                                             \
        for (int64_t j = 0; j < cn; j++) a[j] = COMB(a[j], CVT(xr[j]));                            \
      }                                                                                            \
    }                                                                                              \
  } else if (s == 1 && os == 1) {                                                                  \
    for (int64_t r = 0; r < R; r++) {                                                              \
      const T *xr = x + r * rs;                                                                    \
      A *a = acc + r * aos;                                                                        \
      for (int64_t j = 0; j < N; j++) a[j] = COMB(a[j], CVT(xr[j]));                               \
    }                                                                                              \
  } else {                                                                                         \
    for (int64_t r = 0; r < R; r++) {                                                              \
      const T *xr = x + r * rs;                                                                    \
      A *a = acc + r * aos;                                                                        \
      for (int64_t j = 0; j < N; j++) a[j * os] = COMB(a[j * os], CVT(xr[j * s]));                 \
    }                                                                                              \
  }

/* ---- kernel generators ----
 * NAME: kernel name, T: input storage, A: accumulator, LT: lane type, CVT(x): T -> A,
 * ID: identity of A, COMB(a, v): combine. */
/* A value that COMB can no longer change ends a contiguous row early, checked once per block of
 * EARLY_BLOCK elements (numpy's all / any stop too): false for the AND of bools (all, min), true
 * for their OR (any, max). C_AND and C_OR combine only bools. */
#define EARLY_BLOCK 16384
#define ABSORBED_C_AND(r) (!(r))
#define ABSORBED_C_OR(r) (r)
#define ABSORBED_C_ADD(r) 0
#define ABSORBED_C_MUL(r) 0
#define ABSORBED_C_IMAX(r) 0
#define ABSORBED_C_IMIN(r) 0
#define ABSORBED_C_CADD(r) 0
#define ABSORBED_C_CMUL(r) 0
#define ABSORBED_C_CMAX(r) 0
#define ABSORBED_C_CMIN(r) 0
#define GEN_KERNEL(NAME, T, A, LT, CVT, ID, COMB)                                                  \
  static inline A red1_##NAME(const T *x, int64_t n, int64_t s) {                                  \
    A r = ID;                                                                                      \
    if (s == 1 && n >= LANES) {                                                                    \
      for (int64_t b = 0; b < n && !ABSORBED_##COMB(r); b += EARLY_BLOCK) {                        \
        const T *xb = x + b;                                                                       \
        int64_t m = n - b < EARLY_BLOCK ? n - b : EARLY_BLOCK, i = 0;                              \
        LT l[LANES];                                                                               \
        for (int j = 0; j < LANES; j++) l[j] = ID;                                                 \
        for (; i + LANES <= m; i += LANES)                                                         \
          for (int j = 0; j < LANES; j++) l[j] = COMB(l[j], CVT(xb[i + j]));                       \
        for (; i < m; i++) r = COMB(r, CVT(xb[i]));                                                \
        for (int j = 0; j < LANES; j++) r = COMB(r, l[j]);                                         \
      }                                                                                            \
    } else if (s == 1) {                                                                           \
      for (int64_t i = 0; i < n; i++) r = COMB(r, CVT(x[i]));                                      \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) r = COMB(r, CVT(x[i * s]));                                  \
    }                                                                                              \
    return r;                                                                                      \
  }                                                                                                \
  static void rows_##NAME(const void *x_, int64_t n, int64_t s, int64_t R, int64_t rs, void *acc_, \
                          int64_t aos) {                                                           \
    const T *x = (const T *)x_;                                                                    \
    A *acc = (A *)acc_;                                                                            \
    for (int64_t r = 0; r < R; r++) {                                                              \
      A v = red1_##NAME(x + r * rs, n, s);                                                         \
      acc[r * aos] = COMB(acc[r * aos], v);                                                        \
    }                                                                                              \
  }                                                                                                \
  static void cols_##NAME(const void *x_, int64_t R, int64_t rs, int64_t N, int64_t s, void *acc_, \
                          int64_t aos, int64_t os) {                                               \
    COLS_BODY(T, A, CVT, COMB)                                                                     \
  }                                                                                                \
  static void init_##NAME(void *acc_, int64_t n) {                                                 \
    A *acc = (A *)acc_;                                                                            \
    for (int64_t i = 0; i < n; i++) acc[i] = ID;                                                   \
  }

/* Max / min of n >= 64 contiguous float32 or float64 on AVX-512: four vector accumulators and
 * an unordered compare per two vectors for NaN (the SSE2 lanes below, the build's baseline, ran
 * a row of 10^7 float32 in 1.98 ms against numpy's 1.39). Returns false without AVX-512. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define GEN_FMM512(NAME, T, V, W, LOAD, MAX, MIN, CMP, RMAX, RMIN)                                 \
  __attribute__((target("avx512f"))) static bool NAME(const T *x, int64_t n, bool mx, T *out,      \
                                                      int32_t *nan) {                              \
    if (!mx_ew_vec512()) return false;                                                             \
    V a[4];                                                                                        \
    for (int j = 0; j < 4; j++) a[j] = W(mx ? -INFINITY : INFINITY);                               \
    __mmask16 un = 0;                                                                              \
    int64_t i = 0, step = 4 * (int64_t)(sizeof(V) / sizeof(T));                                    \
    for (; i + step <= n; i += step) {                                                             \
      V v[4];                                                                                      \
      for (int j = 0; j < 4; j++) v[j] = LOAD(x + i + j * (step / 4));                             \
      un |= CMP(v[0], v[1], _CMP_UNORD_Q) | CMP(v[2], v[3], _CMP_UNORD_Q);                         \
      for (int j = 0; j < 4; j++) a[j] = mx ? MAX(a[j], v[j]) : MIN(a[j], v[j]);                   \
    }                                                                                              \
    V m = mx ? MAX(MAX(a[0], a[1]), MAX(a[2], a[3])) : MIN(MIN(a[0], a[1]), MIN(a[2], a[3]));      \
    T r = mx ? RMAX(m) : RMIN(m);                                                                  \
    for (; i < n; i++) {                                                                           \
      T v = x[i];                                                                                  \
      un |= v != v;                                                                                \
      r = mx ? (v > r ? v : r) : (v < r ? v : r);                                                  \
    }                                                                                              \
    *out = r;                                                                                      \
    *nan = un != 0;                                                                                \
    return true;                                                                                   \
  }
GEN_FMM512(fmm512_f32, float, __m512, _mm512_set1_ps, _mm512_loadu_ps, _mm512_max_ps, _mm512_min_ps,
           _mm512_cmp_ps_mask, _mm512_reduce_max_ps, _mm512_reduce_min_ps)
GEN_FMM512(fmm512_f64, double, __m512d, _mm512_set1_pd, _mm512_loadu_pd, _mm512_max_pd,
           _mm512_min_pd, _mm512_cmp_pd_mask, _mm512_reduce_max_pd, _mm512_reduce_min_pd)
#define FMM_FAST_f32(x, n, mx, out, nan) fmm512_f32(x, n, mx, out, nan)
#define FMM_FAST_f64(x, n, mx, out, nan) fmm512_f64(x, n, mx, out, nan)
#else
#define FMM_FAST_f32(x, n, mx, out, nan) false
#define FMM_FAST_f64(x, n, mx, out, nan) false
#endif
#define FMM_FAST_f16(x, n, mx, out, nan) false
#define FMM_FAST_bf16(x, n, mx, out, nan) false

/* Float max/min: lanes of simple selects plus NaN flags, NaN-propagating at the end. */
#define GEN_FMM(NAME, T, A, CVT, ID, GT, FSEL, FAST)                                               \
  static inline A red1_##NAME(const T *x, int64_t n, int64_t s) {                                  \
    A r = ID;                                                                                      \
    int32_t nanf = 0;                                                                              \
    if (s == 1 && n >= 64 && FAST(x, n, (ID) < 0, &r, &nanf)) return nanf ? (A)NAN : r;            \
    int64_t i = 0;                                                                                 \
    if (s == 1 && n >= LANES) {                                                                    \
      A l[LANES];                                                                                  \
      int32_t nn[LANES];                                                                           \
      for (int j = 0; j < LANES; j++) {                                                            \
        l[j] = ID;                                                                                 \
        nn[j] = 0;                                                                                 \
      }                                                                                            \
      for (; i + LANES <= n; i += LANES) _Pragma("GCC unroll 1") for (int j = 0; j < LANES; j++) { \
          A v = CVT(x[i + j]);                                                                     \
          l[j] = v GT l[j] ? v : l[j];                                                             \
          nn[j] |= v != v;                                                                         \
        }                                                                                          \
      for (int j = 0; j < LANES; j++) {                                                            \
        r = l[j] GT r ? l[j] : r;                                                                  \
        nanf |= nn[j];                                                                             \
      }                                                                                            \
    }                                                                                              \
    for (; i < n; i++) {                                                                           \
      A v = CVT(x[i * s]);                                                                         \
      r = v GT r ? v : r;                                                                          \
      nanf |= v != v;                                                                              \
    }                                                                                              \
    return nanf ? (A)NAN : r;                                                                      \
  }                                                                                                \
  static void rows_##NAME(const void *x_, int64_t n, int64_t s, int64_t R, int64_t rs, void *acc_, \
                          int64_t aos) {                                                           \
    const T *x = (const T *)x_;                                                                    \
    A *acc = (A *)acc_;                                                                            \
    for (int64_t r = 0; r < R; r++) {                                                              \
      A v = red1_##NAME(x + r * rs, n, s);                                                         \
      acc[r * aos] = FSEL(acc[r * aos], v);                                                        \
    }                                                                                              \
  }                                                                                                \
  static void cols_##NAME(const void *x_, int64_t R, int64_t rs, int64_t N, int64_t s, void *acc_, \
                          int64_t aos, int64_t os) {                                               \
    COLS_BODY(T, A, CVT, FSEL)                                                                     \
  }                                                                                                \
  static void init_##NAME(void *acc_, int64_t n) {                                                 \
    A *acc = (A *)acc_;                                                                            \
    for (int64_t i = 0; i < n; i++) acc[i] = ID;                                                   \
  }

/* Float sums (float16/bfloat16/float32) accumulated in double from float blocks. ST stores a
 * float as T (for the direct variant). */
#define GEN_FSUM(NAME, T, CVT, ST)                                                                 \
  static inline double red1_##NAME(const T *x, int64_t n, int64_t s) {                             \
    if (s != 1) {                                                                                  \
      double total = 0.0;                                                                          \
      for (int64_t i = 0; i < n; i++) total += (double)CVT(x[i * s]);                              \
      return total;                                                                                \
    }                                                                                              \
    if (n < LANES) {                                                                               \
      float r = 0.0f;                                                                              \
      for (int64_t i = 0; i < n; i++) r += CVT(x[i]);                                              \
      return (double)r;                                                                            \
    }                                                                                              \
    double total = 0.0;                                                                            \
    for (int64_t b = 0; b < n; b += FBLOCK) {                                                      \
      int64_t m = n - b < FBLOCK ? n - b : FBLOCK;                                                 \
      const T *xb = x + b;                                                                         \
      float l[LANES];                                                                              \
      for (int j = 0; j < LANES; j++) l[j] = 0.0f;                                                 \
      int64_t i = 0;                                                                               \
      for (; i + LANES <= m; i += LANES)                                                           \
        for (int j = 0; j < LANES; j++) l[j] += CVT(xb[i + j]);                                    \
      float r = 0.0f;                                                                              \
      for (; i < m; i++) r += CVT(xb[i]);                                                          \
      for (int j = 0; j < LANES / 2; j++) l[j] += l[j + LANES / 2];                                \
      for (int j = 0; j < LANES / 4; j++) l[j] += l[j + LANES / 4];                                \
      for (int j = 0; j < LANES / 8; j++) l[j] += l[j + LANES / 8];                                \
      r += l[0] + l[1];                                                                            \
      total += (double)r;                                                                          \
    }                                                                                              \
    return total;                                                                                  \
  }                                                                                                \
  static void rows_##NAME(const void *x_, int64_t n, int64_t s, int64_t R, int64_t rs, void *acc_, \
                          int64_t aos) {                                                           \
    const T *x = (const T *)x_;                                                                    \
    double *acc = (double *)acc_;                                                                  \
    for (int64_t r = 0; r < R; r++) acc[r * aos] += red1_##NAME(x + r * rs, n, s);                 \
  }                                                                                                \
  static void rowsd_##NAME(const void *x_, int64_t n, int64_t s, int64_t R, int64_t rs,            \
                           void *out_, int64_t aos) {                                              \
    const T *x = (const T *)x_;                                                                    \
    T *out = (T *)out_;                                                                            \
    for (int64_t r = 0; r < R; r++) out[r * aos] = ST((float)red1_##NAME(x + r * rs, n, s));       \
  }                                                                                                \
  static void cols_##NAME(const void *x_, int64_t R, int64_t rs, int64_t N, int64_t s, void *acc_, \
                          int64_t aos, int64_t os) {                                               \
    if (aos == 0 && s == 1 && os == 1) {                                                           \
      const T *x = (const T *)x_;                                                                  \
      double *acc = (double *)acc_;                                                                \
      float part[FCCH];                                                                            \
      for (int64_t j0 = 0; j0 < N; j0 += FCCH) {                                                   \
        int64_t cn = N - j0 < FCCH ? N - j0 : FCCH;                                                \
        for (int64_t r0 = 0; r0 < R; r0 += RBLK) {                                                 \
          int64_t r1 = R - r0 < RBLK ? R : r0 + RBLK;                                              \
          for (int64_t j = 0; j < cn; j++) part[j] = 0.0f;                                         \
          for (int64_t r = r0; r < r1; r++) {                                                      \
            const T *xr = x + r * rs + j0;                                                         \
            for (int64_t j = 0; j < cn; j++) part[j] += CVT(xr[j]);                                \
          }                                                                                        \
          for (int64_t j = 0; j < cn; j++) acc[j0 + j] += (double)part[j];                         \
        }                                                                                          \
      }                                                                                            \
      return;                                                                                      \
    }                                                                                              \
    COLS_BODY(T, double, (double)CVT, C_ADD)                                                       \
  }                                                                                                \
  static void init_##NAME(void *acc_, int64_t n) {                                                 \
    memset(acc_, 0, (size_t)n * sizeof(double));                                                   \
  }

#define ST_F32(v) (v)
#define ST_H(v) mx_f2h(v)
#define ST_BF(v) mx_f2bf(v)

/* integers and bool */
#define GEN_INT(S, T, LT)                                                                          \
  GEN_KERNEL(sum32_##S, T, uint32_t, uint32_t, L_U32, 0u, C_ADD)                                   \
  GEN_KERNEL(sum64_##S, T, uint64_t, uint64_t, L_U64, 0u, C_ADD)                                   \
  GEN_KERNEL(prod32_##S, T, uint32_t, uint32_t, L_U32, 1u, C_MUL)                                  \
  GEN_KERNEL(prod64_##S, T, uint64_t, uint64_t, L_U64, 1u, C_MUL)                                  \
  GEN_KERNEL(all_##S, T, bool, LT, L_NZ, true, C_AND)                                              \
  GEN_KERNEL(any_##S, T, bool, LT, L_NZ, false, C_OR)

GEN_INT(b, bool, uint8_t)
GEN_INT(u8, uint8_t, uint8_t)
GEN_INT(u16, uint16_t, uint16_t)
GEN_INT(u32, uint32_t, uint32_t)
GEN_INT(u64, uint64_t, uint64_t)
GEN_INT(i8, int8_t, uint8_t)
GEN_INT(i16, int16_t, uint16_t)
GEN_INT(i32, int32_t, uint32_t)
GEN_INT(i64, int64_t, uint64_t)

/* max/min for bool and integers (in the input type) */
GEN_KERNEL(max_b, bool, bool, uint8_t, L_ID, false, C_OR)
GEN_KERNEL(min_b, bool, bool, uint8_t, L_ID, true, C_AND)
GEN_KERNEL(max_u8, uint8_t, uint8_t, uint8_t, L_ID, 0, C_IMAX)
GEN_KERNEL(min_u8, uint8_t, uint8_t, uint8_t, L_ID, UINT8_MAX, C_IMIN)
GEN_KERNEL(max_u16, uint16_t, uint16_t, uint16_t, L_ID, 0, C_IMAX)
GEN_KERNEL(min_u16, uint16_t, uint16_t, uint16_t, L_ID, UINT16_MAX, C_IMIN)
GEN_KERNEL(max_u32, uint32_t, uint32_t, uint32_t, L_ID, 0, C_IMAX)
GEN_KERNEL(min_u32, uint32_t, uint32_t, uint32_t, L_ID, UINT32_MAX, C_IMIN)
GEN_KERNEL(max_u64, uint64_t, uint64_t, uint64_t, L_ID, 0, C_IMAX)
GEN_KERNEL(min_u64, uint64_t, uint64_t, uint64_t, L_ID, UINT64_MAX, C_IMIN)
GEN_KERNEL(max_i8, int8_t, int8_t, int8_t, L_ID, INT8_MIN, C_IMAX)
GEN_KERNEL(min_i8, int8_t, int8_t, int8_t, L_ID, INT8_MAX, C_IMIN)
GEN_KERNEL(max_i16, int16_t, int16_t, int16_t, L_ID, INT16_MIN, C_IMAX)
GEN_KERNEL(min_i16, int16_t, int16_t, int16_t, L_ID, INT16_MAX, C_IMIN)
GEN_KERNEL(max_i32, int32_t, int32_t, int32_t, L_ID, INT32_MIN, C_IMAX)
GEN_KERNEL(min_i32, int32_t, int32_t, int32_t, L_ID, INT32_MAX, C_IMIN)
GEN_KERNEL(max_i64, int64_t, int64_t, int64_t, L_ID, INT64_MIN, C_IMAX)
GEN_KERNEL(min_i64, int64_t, int64_t, int64_t, L_ID, INT64_MAX, C_IMIN)

/* floats */
#define GEN_FLOAT(S, T, A, CVT, NZ, FMAX, FMIN)                                                    \
  GEN_KERNEL(prod_##S, T, A, A, CVT, (A)1, C_MUL)                                                  \
  GEN_FMM(max_##S, T, A, CVT, (A)-INFINITY, >, FMAX, FMM_FAST_##S)                                 \
  GEN_FMM(min_##S, T, A, CVT, (A)INFINITY, <, FMIN, FMM_FAST_##S)                                  \
  GEN_KERNEL(all_##S, T, bool, int32_t, NZ, true, C_AND)                                           \
  GEN_KERNEL(any_##S, T, bool, int32_t, NZ, false, C_OR)

GEN_FLOAT(f16, uint16_t, float, L_H, L_HNZ, fmax_nan, fmin_nan)
GEN_FLOAT(f32, float, float, L_ID, L_NZ, fmax_nan, fmin_nan)
GEN_FLOAT(f64, double, double, L_ID, L_NZ, dmax_nan, dmin_nan)
GEN_FLOAT(bf16, uint16_t, float, L_BF, L_BFNZ, fmax_nan, fmin_nan)

GEN_FSUM(sum_f16, uint16_t, L_H, ST_H)
GEN_FSUM(sum_f32, float, L_ID, ST_F32)
GEN_FSUM(sum_bf16, uint16_t, L_BF, ST_BF)
GEN_KERNEL(sum_f64, double, double, double, L_ID, 0.0, C_ADD)

/* complex */
GEN_KERNEL(sum_c64, mx_complex64, mx_complex64, mx_complex64, L_ID, CX_ZERO, C_CADD)
GEN_KERNEL(prod_c64, mx_complex64, mx_complex64, mx_complex64, L_ID, CX_ONE, C_CMUL)
GEN_KERNEL(max_c64, mx_complex64, mx_complex64, mx_complex64, L_ID, CX_LOW, C_CMAX)
GEN_KERNEL(min_c64, mx_complex64, mx_complex64, mx_complex64, L_ID, CX_HIGH, C_CMIN)
GEN_KERNEL(all_c64, mx_complex64, bool, uint8_t, L_CNZ, true, C_AND)
GEN_KERNEL(any_c64, mx_complex64, bool, uint8_t, L_CNZ, false, C_OR)

#define K(NAME, DT) ((kernel){rows_##NAME, cols_##NAME, init_##NAME, NULL, DT})
#define KD(NAME, DT) ((kernel){rows_##NAME, cols_##NAME, init_##NAME, rowsd_##NAME, DT})

/* Integer sum/prod kernel: 32-bit accumulators when input and output fit in 32 bits. */
#define INT_CASE(S, DT, SIGNED)                                                                    \
  case DT:                                                                                         \
    if (wide) {                                                                                    \
      *k = op == MX_REDUCE_SUM ? K(sum64_##S, SIGNED ? MX_INT64 : MX_UINT64)                       \
                               : K(prod64_##S, SIGNED ? MX_INT64 : MX_UINT64);                     \
    } else {                                                                                       \
      *k = op == MX_REDUCE_SUM ? K(sum32_##S, SIGNED ? MX_INT32 : MX_UINT32)                       \
                               : K(prod32_##S, SIGNED ? MX_INT32 : MX_UINT32);                     \
    }                                                                                              \
    return 0;

static int pick_kernel(int op, mx_dtype in, mx_dtype out, kernel *k) {
  switch (op) {
  case MX_REDUCE_SUM:
  case MX_REDUCE_PROD: {
    bool wide = mx_dtype_size(in) > 4 || mx_dtype_size(out) > 4 || !mx_dtype_is_integral(out);
    switch (in) {
      INT_CASE(b, MX_BOOL, 1)
      INT_CASE(u8, MX_UINT8, 0)
      INT_CASE(u16, MX_UINT16, 0)
      INT_CASE(u32, MX_UINT32, 0)
      INT_CASE(u64, MX_UINT64, 0)
      INT_CASE(i8, MX_INT8, 1)
      INT_CASE(i16, MX_INT16, 1)
      INT_CASE(i32, MX_INT32, 1)
      INT_CASE(i64, MX_INT64, 1)
    case MX_FLOAT16:
      *k = op == MX_REDUCE_SUM ? KD(sum_f16, MX_FLOAT64) : K(prod_f16, MX_FLOAT32);
      return 0;
    case MX_FLOAT32:
      *k = op == MX_REDUCE_SUM ? KD(sum_f32, MX_FLOAT64) : K(prod_f32, MX_FLOAT32);
      return 0;
    case MX_BFLOAT16:
      *k = op == MX_REDUCE_SUM ? KD(sum_bf16, MX_FLOAT64) : K(prod_bf16, MX_FLOAT32);
      return 0;
    case MX_FLOAT64:
      *k = op == MX_REDUCE_SUM ? K(sum_f64, MX_FLOAT64) : K(prod_f64, MX_FLOAT64);
      return 0;
    case MX_COMPLEX64:
      *k = op == MX_REDUCE_SUM ? K(sum_c64, MX_COMPLEX64) : K(prod_c64, MX_COMPLEX64);
      return 0;
    default:
      return 1;
    }
  }
  case MX_REDUCE_MAX:
  case MX_REDUCE_MIN: {
    bool mx = op == MX_REDUCE_MAX;
#define MM(S, DT)                                                                                  \
  *k = mx ? K(max_##S, DT) : K(min_##S, DT);                                                       \
  return 0;
    switch (in) {
    case MX_BOOL:
      MM(b, MX_BOOL)
    case MX_UINT8:
      MM(u8, MX_UINT8)
    case MX_UINT16:
      MM(u16, MX_UINT16)
    case MX_UINT32:
      MM(u32, MX_UINT32)
    case MX_UINT64:
      MM(u64, MX_UINT64)
    case MX_INT8:
      MM(i8, MX_INT8)
    case MX_INT16:
      MM(i16, MX_INT16)
    case MX_INT32:
      MM(i32, MX_INT32)
    case MX_INT64:
      MM(i64, MX_INT64)
    case MX_FLOAT16:
      MM(f16, MX_FLOAT32)
    case MX_FLOAT32:
      MM(f32, MX_FLOAT32)
    case MX_FLOAT64:
      MM(f64, MX_FLOAT64)
    case MX_BFLOAT16:
      MM(bf16, MX_FLOAT32)
    case MX_COMPLEX64:
      MM(c64, MX_COMPLEX64)
    default:
      return 1;
    }
#undef MM
  }
  case MX_REDUCE_ALL:
  case MX_REDUCE_ANY: {
    bool al = op == MX_REDUCE_ALL;
#define AA(S)                                                                                      \
  *k = al ? K(all_##S, MX_BOOL) : K(any_##S, MX_BOOL);                                             \
  return 0;
    switch (in) {
    case MX_BOOL:
      AA(b)
    case MX_UINT8:
      AA(u8)
    case MX_UINT16:
      AA(u16)
    case MX_UINT32:
      AA(u32)
    case MX_UINT64:
      AA(u64)
    case MX_INT8:
      AA(i8)
    case MX_INT16:
      AA(i16)
    case MX_INT32:
      AA(i32)
    case MX_INT64:
      AA(i64)
    case MX_FLOAT16:
      AA(f16)
    case MX_FLOAT32:
      AA(f32)
    case MX_FLOAT64:
      AA(f64)
    case MX_BFLOAT16:
      AA(bf16)
    case MX_COMPLEX64:
      AA(c64)
    default:
      return 1;
    }
#undef AA
  }
  default:
    return 1;
  }
}

static const char *op_name(int op) {
  switch (op) {
  case MX_REDUCE_SUM:
    return "sum";
  case MX_REDUCE_PROD:
    return "prod";
  case MX_REDUCE_MAX:
    return "max";
  case MX_REDUCE_MIN:
    return "min";
  case MX_REDUCE_ALL:
    return "all";
  case MX_REDUCE_ANY:
    return "any";
  default:
    return "reduce";
  }
}

/* The reduction plan: dims of the input (size > 1) ordered by decreasing |input stride|, merged
 * where contiguous in both the input and the accumulator; acc strides are 0 on reduced dims. */
typedef struct {
  int m;
  int64_t shape[MX_MAX_NDIM], is[MX_MAX_NDIM], os[MX_MAX_NDIM];
} plan;

static void make_plan(int ndim, const int32_t *shape, const int64_t *strides, const bool *reduced,
                      plan *pl) {
  int64_t ostr[MX_MAX_NDIM];
  int64_t st = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    ostr[d] = reduced[d] ? 0 : st;
    if (!reduced[d]) st *= shape[d];
  }
  int64_t shp[MX_MAX_NDIM], is[MX_MAX_NDIM], os[MX_MAX_NDIM];
  int nd = 0;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] == 1) continue;
    shp[nd] = shape[d];
    is[nd] = strides[d];
    os[nd] = ostr[d];
    nd++;
  }
  for (int i = 1; i < nd; i++) { /* stable insertion sort by decreasing |is| */
    int64_t a = shp[i], b = is[i], c = os[i];
    int64_t ab = b < 0 ? -b : b;
    int j = i - 1;
    while (j >= 0 && (is[j] < 0 ? -is[j] : is[j]) < ab) {
      shp[j + 1] = shp[j];
      is[j + 1] = is[j];
      os[j + 1] = os[j];
      j--;
    }
    shp[j + 1] = a;
    is[j + 1] = b;
    os[j + 1] = c;
  }
  int m = 0;
  for (int d = 0; d < nd; d++) {
    if (m > 0 && pl->is[m - 1] == is[d] * shp[d] && pl->os[m - 1] == os[d] * shp[d]) {
      pl->shape[m - 1] *= shp[d];
      pl->is[m - 1] = is[d];
      pl->os[m - 1] = os[d];
      continue;
    }
    pl->shape[m] = shp[d];
    pl->is[m] = is[d];
    pl->os[m] = os[d];
    m++;
  }
  if (m == 0) {
    pl->shape[0] = 1;
    pl->is[0] = 0;
    pl->os[0] = 0;
    m = 1;
  }
  pl->m = m;
}

/* One kernel call over the two innermost dims, split over the CPU threads (ew_pool.c) where the
 * parts are independent: by columns when the inner dim is kept, by rows when each row has its
 * own accumulator. */
typedef struct {
  const kernel *k;
  rows_fn rows;
  const char *x;
  char *acc;
  int64_t isz, asz, inner, sin, sout, R, rs, ros;
} part_job;

static void cols_part(void *ctx, int64_t c0, int64_t c1) {
  const part_job *j = (const part_job *)ctx;
  j->k->cols(j->x + c0 * j->sin * j->isz, j->R, j->rs, c1 - c0, j->sin,
             j->acc + c0 * j->sout * j->asz, j->ros, j->sout);
}

static void rows_part(void *ctx, int64_t r0, int64_t r1) {
  const part_job *j = (const part_job *)ctx;
  j->rows(j->x + r0 * j->rs * j->isz, j->inner, j->sin, r1 - r0, j->rs,
          j->acc + r0 * j->ros * j->asz, j->ros);
}

/* about 2^19 elements per part */
static int64_t part_grain(int64_t per_item) {
  int64_t g = ((int64_t)1 << 19) / (per_item > 0 ? per_item : 1);
  return g > 0 ? g : 1;
}

/* Runs the plan: the two innermost dims go to one kernel call, the rest through an odometer.
 * With `direct` set, reduced rows write their final values into acc (which is the output). */
static void run_plan(const kernel *k, const plan *pl, size_t isz, size_t asz, const void *x,
                     void *acc, rows_fn direct) {
  int m = pl->m;
  int64_t inner = pl->shape[m - 1], sin = pl->is[m - 1], sout = pl->os[m - 1];
  int64_t R = 1, rs = 0, ros = 0;
  if (m >= 2) {
    R = pl->shape[m - 2];
    rs = pl->is[m - 2];
    ros = pl->os[m - 2];
  }
  if (m <= 2) {
    part_job j = {k,   direct ? direct : k->rows, (const char *)x, (char *)acc, (int64_t)isz,
                  (int64_t)asz, inner, sin, sout, R, rs, ros};
    if (sout != 0) { /* each column is its own accumulator */
      /* parts of at least 16 KB of each row: shorter runs per row stream badly from memory */
      int64_t g = part_grain(R), run = (16 << 10) / (int64_t)isz;
      mx_ew_parallel_for(inner, g > run ? g : run, cols_part, &j);
      return;
    }
    if (ros != 0) { /* each row is its own accumulator */
      mx_ew_parallel_for(R, part_grain(inner), rows_part, &j);
      return;
    }
  }
  /* odometer over dims 0..m-3 */
  int no = m >= 2 ? m - 2 : 0;
  int64_t blocks = 1;
  for (int d = 0; d < no; d++) blocks *= pl->shape[d];
  int64_t idx[MX_MAX_NDIM] = {0};
  int64_t ioff = 0, ooff = 0;
  const char *xc = (const char *)x;
  char *ac = (char *)acc;
  for (int64_t b = 0; b < blocks; b++) {
    const char *xp = xc + ioff * (int64_t)isz;
    char *ap = ac + ooff * (int64_t)asz;
    if (sout != 0)
      k->cols(xp, R, rs, inner, sin, ap, ros, sout);
    else if (direct)
      direct(xp, inner, sin, R, rs, ap, ros);
    else
      k->rows(xp, inner, sin, R, rs, ap, ros);
    for (int d = no - 1; d >= 0; d--) {
      ioff += pl->is[d];
      ooff += pl->os[d];
      if (++idx[d] < pl->shape[d]) break;
      ioff -= pl->is[d] * pl->shape[d];
      ooff -= pl->os[d] * pl->shape[d];
      idx[d] = 0;
    }
  }
}

int mx_cpu_expand_broadcast(mx_array *out) {
  mx_buffer *compact = out->buf;
  int64_t strides[MX_MAX_NDIM];
  memcpy(strides, out->strides, (size_t)out->ndim * sizeof strides[0]);
  const void *src = mx_array_data(out);
  int rc = mx_array_alloc_data(out);
  if (!rc)
    mx_cpu_copy_strided(mx_array_data(out), (mx_dtype)out->dtype, src, (mx_dtype)out->dtype,
                        out->ndim, out->shape, strides);
  mx_buffer_release(compact);
  return rc ? MX_ERR : 0;
}

int mx_cpu_alloc_repeated(mx_array *out, const bool *rep) {
  int64_t ost[MX_MAX_NDIM], st = 1;
  for (int d = out->ndim - 1; d >= 0; d--) {
    ost[d] = rep[d] ? 0 : st;
    st *= rep[d] ? 1 : out->shape[d];
  }
  return ew_alloc_strided(out, ost);
}

int mx_cpu_reduce(mx_node *n) {
  if (n->nin != 1 || !n->params) return mx_error("[reduce] Expected one input and parameters.");
  const mx_reduce_params *prm = (const mx_reduce_params *)n->params;
  int op = prm->op;
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (op < MX_REDUCE_SUM || op > MX_REDUCE_ANY) return mx_error("[reduce] Unknown reduction.");
  const char *name = op_name(op);
  int ndim = in->ndim;
  bool reduced[MX_MAX_NDIM];
  for (int d = 0; d < ndim; d++) reduced[d] = false;
  for (int i = 0; i < prm->naxes; i++) {
    int ax = prm->axes[i];
    if (ax < 0 || ax >= ndim)
      return mx_error("[%s] Invalid axis %d for array with %d dimensions.", name, ax, ndim);
    reduced[ax] = true;
  }
  if (out->ndim != ndim) return mx_error("[%s] Output rank does not match the input's.", name);
  for (int d = 0; d < ndim; d++)
    if (out->shape[d] != (reduced[d] ? 1 : in->shape[d]))
      return mx_error("[%s] Output shape does not match the reduction.", name);
  mx_dtype it = (mx_dtype)in->dtype, ot = (mx_dtype)out->dtype;
  if (!mx_dtype_valid(it) || !mx_dtype_valid(ot)) return mx_error("[%s] Invalid dtype.", name);
  kernel k;
  if (pick_kernel(op, it, ot, &k) != 0)
    return mx_error("[%s] Unsupported dtype %s.", name, mx_dtype_name(it));

  /* Kept dims along which the input is broadcast (stride 0) give equal outputs: the reduction
   * runs with them taken as size 1, then its values are repeated along them (all(x > 0, axis=-1)
   * over a broadcast row, whose comparison is a broadcast view since 846d211: 1.27 -> 0.002 ms,
   * the real MLX 1.1). */
  int32_t shape[MX_MAX_NDIM];
  int64_t count = 1; /* distinct outputs */
  bool bcast = false, rep[MX_MAX_NDIM];
  for (int d = 0; d < ndim; d++) {
    rep[d] = !reduced[d] && in->shape[d] > 1 && in->strides[d] == 0;
    shape[d] = rep[d] ? 1 : in->shape[d];
    count *= reduced[d] ? 1 : shape[d];
    bcast = bcast || rep[d];
  }
  if (bcast ? mx_cpu_alloc_repeated(out, rep) : mx_array_alloc_data(out)) return MX_ERR;
  if (out->size == 0) return 0;
  void *op_data = mx_array_data(out);
  const void *x = mx_array_data(in);
  if (!op_data || (in->size > 0 && !x)) return mx_error("[%s] Array has no data.", name);

  plan pl; /* (out never shares in's buffer: reductions are not donated one) */
  if (in->size > 0) {
    make_plan(ndim, shape, in->strides, reduced, &pl);
    /* Each output element is exactly one row (inner dim reduced, all others kept): float sums
     * write their results straight to an output of the input's dtype. */
    if (k.rows_direct && ot == it && pl.os[pl.m - 1] == 0) {
      bool single = true;
      for (int d = 0; d < pl.m - 1; d++)
        if (pl.os[d] == 0) single = false;
      if (single) {
        run_plan(&k, &pl, mx_dtype_size(it), mx_dtype_size(ot), x, op_data, k.rows_direct);
        return bcast ? mx_cpu_expand_broadcast(out) : 0;
      }
    }
  }
  size_t asz = mx_dtype_size(k.acc_dt);
  bool direct = k.acc_dt == ot;
  void *acc = op_data;
  if (!direct) {
    acc = malloc((size_t)count * asz);
    if (!acc)
      return mx_error("[%s] Out of memory allocating %zu bytes.", name, (size_t)count * asz);
  }
  k.init(acc, count);
  if (in->size > 0) run_plan(&k, &pl, mx_dtype_size(it), asz, x, acc, NULL);
  if (!direct) {
    mx_cpu_convert(acc, k.acc_dt, 1, op_data, ot, 1, count);
    free(acc);
  }
  return bcast ? mx_cpu_expand_broadcast(out) : 0;
}
