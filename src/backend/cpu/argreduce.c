/* Reductions along one axis that the REDUCE kernel does not cover: ARG_REDUCE (argmin/argmax),
 * SOFTMAX and LOGSUMEXP (along the last axis), plus the helpers shared by this family's kernels
 * (row-contiguous axis views, scratch memory, the two-thread split).
 *
 * argmin/argmax, axis innermost: each row goes in blocks of 2048; a block's extremum (32-byte
 * vectors of GCC's vector extension) is compared with the best so far, and only an improving
 * block is searched again for the index. A NaN ends the row (the first NaN wins). 16-bit float
 * blocks are converted to float32 first. Axis not innermost: the best values and indices of a
 * chunk of columns are updated row by row (vectorized selects); up to 16 columns (8 of 64-bit
 * types) take one masked AVX-512 vector per row instead. A long axis with fewer column chunks
 * than threads is split into parts whose answers are merged in order.
 *
 * softmax / logsumexp: per row, a max pass and an exp pass (a branch-free exp that
 * vectorizes), sums of 16 float lanes per block of 1024 added in double. float16, bfloat16 and
 * integer rows are converted to a float32 row first; float64 uses libm; complex64 complex
 * arithmetic (shifted by the largest real part). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <complex.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/ew_common.h"
#include "backend/cpu/elementwise.h"
#include "backend/cpu/ew_math.h"
#include "backend/cpu/ew_vec512.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "ops/reduce.h"

/* ------------------------------------------------------------------ shared helpers */

int mx_axis_view_init(const char *op, const mx_array *in, int axis, mx_axis_view *v) {
  v->tmp = NULL;
  v->x = NULL;
  v->outer = 1;
  v->inner = 1;
  if (axis < 0) {
    v->n = in->size;
  } else {
    for (int d = 0; d < axis; d++) v->outer *= in->shape[d];
    v->n = in->shape[axis];
    for (int d = axis + 1; d < in->ndim; d++) v->inner *= in->shape[d];
  }
  if (in->size == 0) return 0;
  const void *data = mx_array_data(in);
  if (!data) return mx_error("[%s] Array has no data.", op);
  if (mx_strided_is_row_contig(in)) {
    v->x = data;
    return 0;
  }
  size_t bytes = (size_t)in->size * mx_array_itemsize(in);
  v->tmp = mx_red_scratch(bytes, &v->hold);
  if (!v->tmp) return mx_error("[%s] Out of memory allocating %zu bytes.", op, bytes);
  mx_cpu_copy_strided(v->tmp, (mx_dtype)in->dtype, data, (mx_dtype)in->dtype, in->ndim, in->shape,
                      in->strides);
  v->x = v->tmp;
  return 0;
}

void mx_axis_view_free(mx_axis_view *v) {
  if (v->tmp) mx_buffer_release(v->hold);
  v->tmp = NULL;
}

/* Over the worker pool (a thread started per call, as before, cost 0.1-1 ms on this VM). */
void mx_red_parallel(mx_range_fn fn, void *ctx, int64_t n, double cost) {
  if (n < 2 || cost < (double)(1 << 18)) {
    if (n > 0) fn(ctx, 0, n);
    return;
  }
  mx_ew_parallel_for(n, 1, fn, ctx);
}

/* ------------------------------------------------------------------ argmin / argmax */

#define LANES 16
#define ABLK 2048 /* row block */
#define ACH 1024  /* column chunk */

#define LD_ID(x) (x)
#define LD_H(x) mx_h2f(x)
#define LD_BF(x) mx_bf2f(x)
#define NAN_F(v) ((v) != (v))
#define NAN_NO(v) 0
#define GT_(a, b) ((a) > (b))
#define LT_(a, b) ((a) < (b))

/* The extremum of init and a contiguous block (CMP: > for max, < for min), ignoring NaN, and
 * whether the block holds a NaN; 32-byte vectors of GCC's vector extension (two per step). */
#define VB 32
#define GEN_BLOCK(NAME, T, IT, CMP)                                                                \
  typedef T NAME##_v __attribute__((vector_size(VB)));                                             \
  typedef IT NAME##_m __attribute__((vector_size(VB)));                                            \
  MX_RED_CLONES static T NAME(const T *x, int64_t n, T init, int *nan_seen) {                      \
    enum { W = VB / sizeof(T) };                                                                   \
    NAME##_v m, m2;                                                                                \
    for (int l = 0; l < W; l++) m[l] = init;                                                       \
    m2 = m;                                                                                        \
    NAME##_m nf = {0};                                                                             \
    int64_t i = 0;                                                                                 \
    for (; i + 2 * W <= n; i += 2 * W) {                                                           \
      NAME##_v v, v2;                                                                              \
      memcpy(&v, x + i, VB);                                                                       \
      memcpy(&v2, x + i + W, VB);                                                                  \
      NAME##_m c = v CMP m, c2 = v2 CMP m2;                                                        \
      m = (NAME##_v)(((NAME##_m)v & c) | ((NAME##_m)m & ~c));                                      \
      m2 = (NAME##_v)(((NAME##_m)v2 & c2) | ((NAME##_m)m2 & ~c2));                                 \
      nf |= (v != v) | (v2 != v2);                                                                 \
    }                                                                                              \
    T r = init;                                                                                    \
    int an = 0;                                                                                    \
    for (int l = 0; l < W; l++) {                                                                  \
      r = m[l] CMP r ? m[l] : r;                                                                   \
      r = m2[l] CMP r ? m2[l] : r;                                                                 \
      an |= nf[l] != 0;                                                                            \
    }                                                                                              \
    for (; i < n; i++) {                                                                           \
      T v = x[i];                                                                                  \
      r = v CMP r ? v : r;                                                                         \
      an |= v != v;                                                                                \
    }                                                                                              \
    *nan_seen = an;                                                                                \
    return r;                                                                                      \
  }

/* Index of the first x[i] == v in a contiguous block, or -1: a vector at a time until one holds
 * it (the scalar search for a block's extremum took as long as finding the extremum:
 * argmax(x, axis=1) of 3162^2 float32, 2.45 ms against numpy's 1.48). */
#define GEN_FIND(NAME, T, IT)                                                                      \
  typedef T NAME##_v __attribute__((vector_size(VB)));                                             \
  typedef IT NAME##_m __attribute__((vector_size(VB)));                                            \
  MX_RED_CLONES static int64_t NAME(const T *x, int64_t n, T v) {                                  \
    enum { W = VB / sizeof(T) };                                                                   \
    NAME##_v vv;                                                                                   \
    for (int l = 0; l < W; l++) vv[l] = v;                                                         \
    int64_t i = 0;                                                                                 \
    for (; i + W <= n; i += W) {                                                                   \
      NAME##_v a;                                                                                  \
      memcpy(&a, x + i, VB);                                                                       \
      NAME##_m c = a == vv;                                                                        \
      uint64_t q[VB / 8];                                                                          \
      memcpy(q, &c, VB);                                                                           \
      if (q[0] | q[1] | q[2] | q[3]) break;                                                        \
    }                                                                                              \
    for (; i < n; i++)                                                                             \
      if (x[i] == v) return i;                                                                     \
    return -1;                                                                                     \
  }

#define GEN_BLOCKS(S, T, IT)                                                                       \
  GEN_BLOCK(bmax_##S, T, IT, >)                                                                    \
  GEN_BLOCK(bmin_##S, T, IT, <)                                                                    \
  GEN_FIND(find_##S, T, IT)
GEN_BLOCKS(u8, uint8_t, int8_t)
GEN_BLOCKS(u16, uint16_t, int16_t)
GEN_BLOCKS(u32, uint32_t, int32_t)
GEN_BLOCKS(u64, uint64_t, int64_t)
GEN_BLOCKS(i8, int8_t, int8_t)
GEN_BLOCKS(i16, int16_t, int16_t)
GEN_BLOCKS(i32, int32_t, int32_t)
GEN_BLOCKS(i64, int64_t, int64_t)
GEN_BLOCKS(f32, float, int32_t)
GEN_BLOCKS(f64, double, int64_t)

/* Index of the first extremum of a contiguous row: blocks whose extremum beats the best so far
 * are searched again; the first NaN ends the row. Rows of up to ARG_SHORT elements go element by
 * element (argmax(x, axis=1) of a (2.5 x 10^6, 4) float32 array: 34-38 -> 10 ms, numpy 36;
 * bench/short_rows.py). */
enum { ARG_SHORT = 16 };
#define GEN_ARG_ROW(NAME, T, BLOCK, FIND, ISNAN, CMP)                                              \
  static int64_t NAME(const T *x, int64_t n) {                                                     \
    T best = x[0];                                                                                 \
    int64_t bi = 0;                                                                                \
    if (ISNAN(best)) return 0;                                                                     \
    if (n <= ARG_SHORT) { /* selects, no branch on the values (random rows mispredict) */          \
      for (int64_t k = 1; k < n; k++) {                                                            \
        T v = x[k];                                                                                \
        if (ISNAN(v)) return k;                                                                    \
        int better = CMP(v, best);                                                                 \
        bi = better ? k : bi;                                                                      \
        best = better ? v : best;                                                                  \
      }                                                                                            \
      return bi;                                                                                   \
    }                                                                                              \
    for (int64_t b = 1; b < n; b += ABLK) {                                                        \
      int64_t e = b + ABLK < n ? b + ABLK : n;                                                     \
      int nan_seen;                                                                                \
      T bm = BLOCK(x + b, e - b, best, &nan_seen);                                                 \
      if (nan_seen) {                                                                              \
        for (int64_t k = b; k < e; k++)                                                            \
          if (ISNAN(x[k])) return k;                                                               \
      }                                                                                            \
      if (CMP(bm, best)) {                                                                         \
        int64_t k = FIND(x + b, e - b, bm);                                                        \
        if (k >= 0) {                                                                              \
          best = bm;                                                                               \
          bi = b + k;                                                                              \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
    return bi;                                                                                     \
  }

MX_RED_CLONES static void cvt16(const uint16_t *x, float *y, int64_t n, int bf) {
  if (bf)
    for (int64_t i = 0; i < n; i++) y[i] = mx_bf2f(x[i]);
  else
    for (int64_t i = 0; i < n; i++) y[i] = mx_h2f(x[i]);
}

/* 16-bit floats: each block is converted to float32 first. */
#define GEN_ARG_ROW16(NAME, BF, BLOCK, FIND, CMP)                                                  \
  static int64_t NAME(const uint16_t *x, int64_t n) {                                              \
    float buf[ABLK];                                                                               \
    float best = BF ? mx_bf2f(x[0]) : mx_h2f(x[0]);                                                \
    int64_t bi = 0;                                                                                \
    if (best != best) return 0;                                                                    \
    for (int64_t b = 1; b < n; b += ABLK) {                                                        \
      int64_t e = b + ABLK < n ? b + ABLK : n;                                                     \
      cvt16(x + b, buf, e - b, BF);                                                                \
      int nan_seen;                                                                                \
      float bm = BLOCK(buf, e - b, best, &nan_seen);                                               \
      if (nan_seen) {                                                                              \
        for (int64_t k = 0; k < e - b; k++)                                                        \
          if (buf[k] != buf[k]) return b + k;                                                      \
      }                                                                                            \
      if (CMP(bm, best)) {                                                                         \
        int64_t k = FIND(buf, e - b, bm);                                                          \
        if (k >= 0) {                                                                              \
          best = bm;                                                                               \
          bi = b + k;                                                                              \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
    return bi;                                                                                     \
  }

/* Columns [0, w) of n rows (row stride rs): out[j] = index of the first extremum of column j. */
#define GEN_ARG_COLS(NAME, T, A, LD, ISNAN, CMP)                                                   \
  MX_RED_CLONES static void NAME(const T *x, int64_t n, int64_t rs, int64_t w, uint32_t *out) {    \
    A best[ACH];                                                                                   \
    uint32_t idx[ACH];                                                                             \
    for (int64_t j = 0; j < w; j++) {                                                              \
      best[j] = LD(x[j]);                                                                          \
      idx[j] = 0;                                                                                  \
    }                                                                                              \
    for (int64_t i = 1; i < n; i++) {                                                              \
      const T *r = x + i * rs;                                                                     \
      uint32_t ii = (uint32_t)i;                                                                   \
      for (int64_t j = 0; j < w; j++) {                                                            \
        A v = LD(r[j]);                                                                            \
        A c = best[j];                                                                             \
        int up = CMP(v, c) | (ISNAN(v) & !ISNAN(c));                                               \
        best[j] = up ? v : c;                                                                      \
        idx[j] = up ? ii : idx[j];                                                                 \
      }                                                                                            \
    }                                                                                              \
    memcpy(out, idx, (size_t)w * sizeof(uint32_t));                                                \
  }

#define GEN_ARG(S, T, A, LD, ISNAN)                                                                \
  GEN_ARG_COLS(argmax_cols_##S, T, A, LD, ISNAN, GT_)                                              \
  GEN_ARG_COLS(argmin_cols_##S, T, A, LD, ISNAN, LT_)

GEN_ARG(b, uint8_t, uint8_t, LD_ID, NAN_NO)
GEN_ARG(u8, uint8_t, uint8_t, LD_ID, NAN_NO)
GEN_ARG(u16, uint16_t, uint16_t, LD_ID, NAN_NO)
GEN_ARG(u32, uint32_t, uint32_t, LD_ID, NAN_NO)
GEN_ARG(u64, uint64_t, uint64_t, LD_ID, NAN_NO)
GEN_ARG(i8, int8_t, int8_t, LD_ID, NAN_NO)
GEN_ARG(i16, int16_t, int16_t, LD_ID, NAN_NO)
GEN_ARG(i32, int32_t, int32_t, LD_ID, NAN_NO)
GEN_ARG(i64, int64_t, int64_t, LD_ID, NAN_NO)
GEN_ARG(f16, uint16_t, float, LD_H, NAN_F)
GEN_ARG(f32, float, float, LD_ID, NAN_F)
GEN_ARG(f64, double, double, LD_ID, NAN_F)
GEN_ARG(bf16, uint16_t, float, LD_BF, NAN_F)

#define GEN_ROWS(S, T, ISNAN)                                                                      \
  GEN_ARG_ROW(argmax_row_##S, T, bmax_##S, find_##S, ISNAN, GT_)                                   \
  GEN_ARG_ROW(argmin_row_##S, T, bmin_##S, find_##S, ISNAN, LT_)
GEN_ARG_ROW(argmax_row_b, uint8_t, bmax_u8, find_u8, NAN_NO, GT_)
GEN_ARG_ROW(argmin_row_b, uint8_t, bmin_u8, find_u8, NAN_NO, LT_)
GEN_ROWS(u8, uint8_t, NAN_NO)
GEN_ROWS(u16, uint16_t, NAN_NO)
GEN_ROWS(u32, uint32_t, NAN_NO)
GEN_ROWS(u64, uint64_t, NAN_NO)
GEN_ROWS(i8, int8_t, NAN_NO)
GEN_ROWS(i16, int16_t, NAN_NO)
GEN_ROWS(i32, int32_t, NAN_NO)
GEN_ROWS(i64, int64_t, NAN_NO)
GEN_ROWS(f32, float, NAN_F)
GEN_ROWS(f64, double, NAN_F)
GEN_ARG_ROW16(argmax_row_f16, 0, bmax_f32, find_f32, GT_)
GEN_ARG_ROW16(argmin_row_f16, 0, bmin_f32, find_f32, LT_)
GEN_ARG_ROW16(argmax_row_bf16, 1, bmax_f32, find_f32, GT_)
GEN_ARG_ROW16(argmin_row_bf16, 1, bmin_f32, find_f32, LT_)

/* complex64: lexicographic order; a NaN part counts as NaN. */
static inline int cx_nan(mx_complex64 a) {
  return a.re != a.re || a.im != a.im;
}
static inline int cx_gt(mx_complex64 a, mx_complex64 b) {
  return a.re > b.re || (a.re == b.re && a.im > b.im);
}
static int64_t arg_row_c64(const mx_complex64 *x, int64_t n, int is_max) {
  mx_complex64 best = x[0];
  int64_t bi = 0;
  if (cx_nan(best)) return 0;
  for (int64_t i = 1; i < n; i++) {
    mx_complex64 v = x[i];
    if (cx_nan(v)) return i;
    if (is_max ? cx_gt(v, best) : cx_gt(best, v)) {
      best = v;
      bi = i;
    }
  }
  return bi;
}
static void arg_cols_c64(const mx_complex64 *x, int64_t n, int64_t rs, int64_t w, uint32_t *out,
                         int is_max) {
  for (int64_t j = 0; j < w; j++) {
    mx_complex64 best = x[j];
    uint32_t bi = 0;
    int bn = cx_nan(best);
    for (int64_t i = 1; i < n && !bn; i++) {
      mx_complex64 v = x[i * rs + j];
      if (cx_nan(v)) {
        bi = (uint32_t)i;
        bn = 1;
      } else if (is_max ? cx_gt(v, best) : cx_gt(best, v)) {
        best = v;
        bi = (uint32_t)i;
      }
    }
    out[j] = bi;
  }
}
static int64_t argmax_row_c64(const mx_complex64 *x, int64_t n) {
  return arg_row_c64(x, n, 1);
}
static int64_t argmin_row_c64(const mx_complex64 *x, int64_t n) {
  return arg_row_c64(x, n, 0);
}
static void argmax_cols_c64(const mx_complex64 *x, int64_t n, int64_t rs, int64_t w, uint32_t *o) {
  arg_cols_c64(x, n, rs, w, o, 1);
}
static void argmin_cols_c64(const mx_complex64 *x, int64_t n, int64_t rs, int64_t w, uint32_t *o) {
  arg_cols_c64(x, n, rs, w, o, 0);
}

/* row r into accumulator a: a better value, or a first NaN, takes the lane */
#define NV_STEP(VT, LOAD, BETTER, ISNAN, MOV, a, r)                                                \
  do {                                                                                             \
    VT v_ = LOAD(k, x + (r)*rs);                                                                   \
    __mmask16 up_ = (__mmask16)(BETTER(k, v_, best[a]) | (ISNAN(v_) & ~ISNAN(best[a])));           \
    best[a] = MOV(best[a], up_, v_);                                                               \
    idx[a] = _mm512_mask_set1_epi32(idx[a], up_, (int)(r));                                        \
  } while (0)

/* Narrow columns (w <= the vector's lanes), n >= 4 rows at row stride rs: one masked vector per
 * row, the rows split over four accumulators (row i in accumulator i % 4) so that four
 * compare-select chains run at once. Each accumulator keeps the first extremum (or the first
 * NaN) of its rows; rows[a * 16 + j] is accumulator a's row for column j, and arg_merge picks
 * among the four. (argmin(x[:, :3], axis=0) of (2.5e6, 4) float32 ran the scalar column loop
 * on one thread: 17 ms, the real MLX 9-15.) */
#define GEN_NARROW(NAME, T, VT, LOAD, BETTER, ISNAN, MOV)                                          \
  EW_V16_TARGET static void NAME(const T *x, int64_t n, int64_t rs, int64_t w, uint32_t *rows) {   \
    const __mmask16 k = (__mmask16)((1u << w) - 1);                                                \
    VT best[4];                                                                                    \
    __m512i idx[4];                                                                                \
    for (int a = 0; a < 4; a++) {                                                                  \
      best[a] = LOAD(k, x + a * rs);                                                               \
      idx[a] = _mm512_set1_epi32(a);                                                               \
    }                                                                                              \
    int64_t i = 4;                                                                                 \
    for (; i + 4 <= n; i += 4)                                                                     \
      for (int a = 0; a < 4; a++) NV_STEP(VT, LOAD, BETTER, ISNAN, MOV, a, i + a);                 \
    for (; i < n; i++)                                                                             \
      NV_STEP(VT, LOAD, BETTER, ISNAN, MOV, 0, i); /* past accumulator 0's rows */                 \
    for (int a = 0; a < 4; a++) _mm512_storeu_si512(rows + a * 16, idx[a]);                        \
  }

#define NV_PS_NAN(v) _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q)
#define NV_PD_NAN(v) _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q)
#define NV_NO_NAN(v) 0
#define NV_PS_GT(k, a, b) _mm512_mask_cmp_ps_mask(k, a, b, _CMP_GT_OQ)
#define NV_PS_LT(k, a, b) _mm512_mask_cmp_ps_mask(k, a, b, _CMP_LT_OQ)
#define NV_PD_GT(k, a, b) _mm512_mask_cmp_pd_mask((__mmask8)(k), a, b, _CMP_GT_OQ)
#define NV_PD_LT(k, a, b) _mm512_mask_cmp_pd_mask((__mmask8)(k), a, b, _CMP_LT_OQ)
#define NV_PS_MOV(a, k, v) _mm512_mask_mov_ps(a, k, v)
#define NV_PD_MOV(a, k, v) _mm512_mask_mov_pd(a, (__mmask8)(k), v)
#define NV_I32_MOV(a, k, v) _mm512_mask_mov_epi32(a, k, v)
#define NV_I64_MOV(a, k, v) _mm512_mask_mov_epi64(a, (__mmask8)(k), v)
#define NV_I32_GT(k, a, b) _mm512_mask_cmpgt_epi32_mask(k, a, b)
#define NV_I32_LT(k, a, b) _mm512_mask_cmplt_epi32_mask(k, a, b)
#define NV_U32_GT(k, a, b) _mm512_mask_cmpgt_epu32_mask(k, a, b)
#define NV_U32_LT(k, a, b) _mm512_mask_cmplt_epu32_mask(k, a, b)
#define NV_I64_GT(k, a, b) _mm512_mask_cmpgt_epi64_mask((__mmask8)(k), a, b)
#define NV_I64_LT(k, a, b) _mm512_mask_cmplt_epi64_mask((__mmask8)(k), a, b)
#define NV_U64_GT(k, a, b) _mm512_mask_cmpgt_epu64_mask((__mmask8)(k), a, b)
#define NV_U64_LT(k, a, b) _mm512_mask_cmplt_epu64_mask((__mmask8)(k), a, b)
/* loads widened to 32-bit lanes (16-bit floats to float32) */
#define NV_LD_F32(k, p) _mm512_maskz_loadu_ps(k, p)
#define NV_LD_F64(k, p) _mm512_maskz_loadu_pd((__mmask8)(k), p)
#define NV_LD_F16(k, p) _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(k, p))
#define NV_LD_BF16(k, p)                                                                           \
  _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(k, p)), 16))
#define NV_LD_32(k, p) _mm512_maskz_loadu_epi32(k, p)
#define NV_LD_64(k, p) _mm512_maskz_loadu_epi64((__mmask8)(k), p)
#define NV_LD_I16(k, p) _mm512_cvtepi16_epi32(_mm256_maskz_loadu_epi16(k, p))
#define NV_LD_U16(k, p) _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(k, p))
#define NV_LD_I8(k, p) _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(k, p))
#define NV_LD_U8(k, p) _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(k, p))

#define GEN_NARROW2(S, T, VT, LOAD, GT, LT, ISNAN, MOV)                                            \
  GEN_NARROW(argmax_narrow_##S, T, VT, LOAD, GT, ISNAN, MOV)                                       \
  GEN_NARROW(argmin_narrow_##S, T, VT, LOAD, LT, ISNAN, MOV)
GEN_NARROW2(f32, float, __m512, NV_LD_F32, NV_PS_GT, NV_PS_LT, NV_PS_NAN, NV_PS_MOV)
GEN_NARROW2(f16, uint16_t, __m512, NV_LD_F16, NV_PS_GT, NV_PS_LT, NV_PS_NAN, NV_PS_MOV)
GEN_NARROW2(bf16, uint16_t, __m512, NV_LD_BF16, NV_PS_GT, NV_PS_LT, NV_PS_NAN, NV_PS_MOV)
GEN_NARROW2(f64, double, __m512d, NV_LD_F64, NV_PD_GT, NV_PD_LT, NV_PD_NAN, NV_PD_MOV)
GEN_NARROW2(i32, int32_t, __m512i, NV_LD_32, NV_I32_GT, NV_I32_LT, NV_NO_NAN, NV_I32_MOV)
GEN_NARROW2(u32, uint32_t, __m512i, NV_LD_32, NV_U32_GT, NV_U32_LT, NV_NO_NAN, NV_I32_MOV)
GEN_NARROW2(i64, int64_t, __m512i, NV_LD_64, NV_I64_GT, NV_I64_LT, NV_NO_NAN, NV_I64_MOV)
GEN_NARROW2(u64, uint64_t, __m512i, NV_LD_64, NV_U64_GT, NV_U64_LT, NV_NO_NAN, NV_I64_MOV)
GEN_NARROW2(i16, int16_t, __m512i, NV_LD_I16, NV_I32_GT, NV_I32_LT, NV_NO_NAN, NV_I32_MOV)
GEN_NARROW2(u16, uint16_t, __m512i, NV_LD_U16, NV_I32_GT, NV_I32_LT, NV_NO_NAN, NV_I32_MOV)
GEN_NARROW2(i8, int8_t, __m512i, NV_LD_I8, NV_I32_GT, NV_I32_LT, NV_NO_NAN, NV_I32_MOV)
GEN_NARROW2(u8, uint8_t, __m512i, NV_LD_U8, NV_I32_GT, NV_I32_LT, NV_NO_NAN, NV_I32_MOV)
GEN_NARROW2(b, uint8_t, __m512i, NV_LD_U8, NV_I32_GT, NV_I32_LT, NV_NO_NAN, NV_I32_MOV)

typedef int64_t (*arg_row_fn)(const void *x, int64_t n);
typedef void (*arg_cols_fn)(const void *x, int64_t n, int64_t rs, int64_t w, uint32_t *out);

enum { MAX_PARTS = 16 };

typedef struct {
  const char *x;
  uint32_t *out;
  size_t isz;
  int64_t n, inner, chunks;
  int64_t rs; /* elements between consecutive positions along the axis (inner unless strided) */
  arg_row_fn row;
  arg_cols_fn cols, narrow; /* narrow: NULL, or GEN_NARROW's kernel for up to `lanes` columns */
  int lanes;
  int64_t parts;   /* row ranges per column chunk (the axis split over threads) */
  uint32_t *found; /* with parts > 1: [chunk unit][part][ACH] each part's answer */
} arg_ctx;

/* out[j] = the first extremum of column j of the view at base (row stride c->rs) among K <=
 * MAX_PARTS candidate rows, cand[k * cs + j], ascending in k for each column. Their values are
 * gathered into a K x w block and run through the column kernel, so that the rule (the first
 * NaN, else the first extremum) is the kernel's own. */
static void arg_merge(const arg_ctx *c, const char *base, int64_t w, int K, const uint32_t *cand,
                      int64_t cs, uint32_t *out) {
  enum { MG = 64 };
  char vals[MAX_PARTS * MG * 8] __attribute__((aligned(16)));
  uint32_t sel[MG];
  for (int64_t j0 = 0; j0 < w; j0 += MG) {
    int64_t m = w - j0 < MG ? w - j0 : MG;
    for (int k = 0; k < K; k++)
      for (int64_t j = 0; j < m; j++)
        memcpy(vals + (k * m + j) * c->isz,
               base + ((size_t)cand[k * cs + j0 + j] * c->rs + j0 + j) * c->isz, c->isz);
    c->cols(vals, K, m, m, sel);
    for (int64_t j = 0; j < m; j++) out[j0 + j] = cand[sel[j] * cs + j0 + j];
  }
}

/* dst[j] = the first extremum of columns [0, w) over rows [r0, r0 + nr) of the view at base */
static void arg_cols_range(const arg_ctx *c, const char *base, int64_t r0, int64_t nr, int64_t w,
                           uint32_t *dst) {
  const char *x = base + (size_t)(r0 * c->rs) * c->isz;
  if (c->narrow && w <= c->lanes && nr >= 8) {
    uint32_t rows[4 * 16];
    c->narrow(x, nr, c->rs, w, rows);
    for (int64_t j = 0; j < w; j++) /* each column's four rows in ascending order */
      for (int a = 1; a < 4; a++)
        for (int b = a; b > 0 && rows[b * 16 + j] < rows[(b - 1) * 16 + j]; b--) {
          uint32_t t = rows[b * 16 + j];
          rows[b * 16 + j] = rows[(b - 1) * 16 + j];
          rows[(b - 1) * 16 + j] = t;
        }
    arg_merge(c, x, w, 4, rows, 16, dst);
  } else {
    c->cols(x, nr, c->rs, w, dst);
  }
  if (r0)
    for (int64_t j = 0; j < w; j++) dst[j] += (uint32_t)r0;
}

/* Column-chunk unit cu (outer block o, columns [j0, j0 + w)): its view's start, *w and the
 * output row it answers. */
static const char *arg_chunk(const arg_ctx *c, int64_t cu, int64_t *w, uint32_t **out) {
  int64_t o = cu / c->chunks, j0 = (cu % c->chunks) * ACH;
  *w = c->inner - j0 < ACH ? c->inner - j0 : ACH;
  *out = c->out + o * c->inner + j0;
  return c->x + (size_t)(o * c->n * c->rs + j0) * c->isz;
}

static void arg_range(void *c_, int64_t b, int64_t e) {
  arg_ctx *c = (arg_ctx *)c_;
  if (c->inner == 1) {
    for (int64_t r = b; r < e; r++)
      c->out[r] = (uint32_t)c->row(c->x + (size_t)(r * c->n) * c->isz, c->n);
    return;
  }
  for (int64_t u = b; u < e; u++) {
    int64_t cu = u / c->parts, part = u % c->parts, w;
    int64_t r0 = c->n * part / c->parts, r1 = c->n * (part + 1) / c->parts;
    uint32_t *dst;
    const char *base = arg_chunk(c, cu, &w, &dst);
    if (c->parts > 1) dst = c->found + (cu * c->parts + part) * ACH;
    arg_cols_range(c, base, r0, r1 - r0, w, dst);
  }
}

#define ARG_CASE(DT, S, LANES)                                                                     \
  case DT:                                                                                         \
    row = is_max ? (arg_row_fn)argmax_row_##S : (arg_row_fn)argmin_row_##S;                        \
    cols = is_max ? (arg_cols_fn)argmax_cols_##S : (arg_cols_fn)argmin_cols_##S;                   \
    narrow = is_max ? (arg_cols_fn)argmax_narrow_##S : (arg_cols_fn)argmin_narrow_##S;             \
    lanes = LANES;                                                                                 \
    break;

/* True when `in` with `axis` moved last is row-contiguous (e.g. x.T reduced along axis 0): its
 * rows are then the reduced runs, in the output's order (argmax(x.T, axis=0) of 3162^2 float32
 * copied x.T first: 7.6 ms against 1.3 for argmax(x, axis=1)). */
static bool axis_last_contig(const mx_array *in, int axis) {
  if (in->shape[axis] > 1 && in->strides[axis] != 1) return false;
  int64_t want = in->shape[axis];
  for (int d = in->ndim - 1; d >= 0; d--) {
    if (d == axis || in->shape[d] == 1) continue;
    if (in->strides[d] != want) return false;
    want *= in->shape[d];
  }
  return true;
}

/* The distance between consecutive positions along `axis` when the dims before it are all 1 and
 * the dims after it are row-contiguous and more than one element, so the reduced rows can be
 * read in place (argmin(x[:, :3], axis=0) of a (10^6, 4) int32 copied the slice first: 2.8 ->
 * 2.0 ms, the real MLX 1.9); 0 otherwise. */
static int64_t axis_rows_stride(const mx_array *in, int axis) {
  for (int d = 0; d < axis; d++)
    if (in->shape[d] != 1) return 0;
  int64_t inner = 1;
  for (int d = in->ndim - 1; d > axis; d--) {
    if (in->shape[d] == 1) continue;
    if (in->strides[d] != inner) return 0;
    inner *= in->shape[d];
  }
  return inner > 1 && in->strides[axis] >= inner ? in->strides[axis] : 0;
}

int mx_cpu_arg_reduce(mx_node *n) {
  const mx_argreduce_params *p = (const mx_argreduce_params *)n->params;
  const char *name = p->op == MX_ARGREDUCE_MAX ? "argmax" : "argmin";
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (p->axis < 0 || p->axis >= in->ndim) return mx_error("[%s] Invalid axis.", name);
  if (in->shape[p->axis] == 0 && out->size > 0)
    return mx_error("[%s] Cannot %s reduce zero size array.", name, name);
  int is_max = p->op == MX_ARGREDUCE_MAX;
  arg_row_fn row = NULL;
  arg_cols_fn cols = NULL, narrow = NULL;
  int lanes = 0;
  switch ((mx_dtype)in->dtype) {
    ARG_CASE(MX_BOOL, b, 16)
    ARG_CASE(MX_UINT8, u8, 16)
    ARG_CASE(MX_UINT16, u16, 16)
    ARG_CASE(MX_UINT32, u32, 16)
    ARG_CASE(MX_UINT64, u64, 8)
    ARG_CASE(MX_INT8, i8, 16)
    ARG_CASE(MX_INT16, i16, 16)
    ARG_CASE(MX_INT32, i32, 16)
    ARG_CASE(MX_INT64, i64, 8)
    ARG_CASE(MX_FLOAT16, f16, 16)
    ARG_CASE(MX_FLOAT32, f32, 16)
    ARG_CASE(MX_FLOAT64, f64, 8)
    ARG_CASE(MX_BFLOAT16, bf16, 16)
  case MX_COMPLEX64:
    row = is_max ? (arg_row_fn)argmax_row_c64 : (arg_row_fn)argmin_row_c64;
    cols = is_max ? (arg_cols_fn)argmax_cols_c64 : (arg_cols_fn)argmin_cols_c64;
    break;
  default:
    return mx_error("[%s] Unsupported dtype.", name);
  }
  if (mx_array_alloc_data(out)) return MX_ERR;
  if (out->size == 0) return 0;
  mx_axis_view v;
  int64_t rs = 0;
  if (in->size > 0 && !mx_strided_is_row_contig(in) && axis_last_contig(in, p->axis)) {
    v = (mx_axis_view){.x = mx_array_data(in), .n = in->shape[p->axis], .inner = 1};
    v.outer = in->size / v.n;
  } else if (in->size > 0 && !mx_strided_is_row_contig(in) &&
             (rs = axis_rows_stride(in, p->axis)) > 0) {
    v = (mx_axis_view){.x = mx_array_data(in), .n = in->shape[p->axis], .outer = 1};
    v.inner = in->size / v.n;
  } else {
    MX_TRY(mx_axis_view_init(name, in, p->axis, &v));
  }
  arg_ctx c = {.x = (const char *)v.x,
               .out = (uint32_t *)mx_array_data(out),
               .isz = mx_array_itemsize(in),
               .n = v.n,
               .inner = v.inner,
               .chunks = (v.inner + ACH - 1) / ACH,
               .rs = rs > 0 ? rs : v.inner,
               .row = row,
               .cols = cols,
               .narrow = mx_ew_vec512() ? narrow : NULL,
               .lanes = lanes,
               .parts = 1};
  /* Columns along a long axis in fewer chunks than threads: split the axis into parts too, each
   * part's answers merged in order afterwards. */
  int64_t col_units = v.outer * c.chunks, threads = mx_ew_num_threads();
  if (v.inner > 1 && col_units < threads && v.n >= 8192 && (double)in->size >= (1 << 18)) {
    c.parts = 2 * threads / col_units;
    if (c.parts > MAX_PARTS) c.parts = MAX_PARTS;
    if (c.parts > v.n / 4096) c.parts = v.n / 4096;
    c.found = malloc((size_t)(col_units * c.parts * ACH) * sizeof(uint32_t));
    if (!c.found) c.parts = 1;
  }
  int64_t units = v.inner == 1 ? v.outer : col_units * c.parts;
  mx_red_parallel(arg_range, &c, units, (double)in->size);
  if (c.parts > 1) {
    for (int64_t cu = 0; cu < col_units; cu++) {
      int64_t w;
      uint32_t *dst;
      const char *base = arg_chunk(&c, cu, &w, &dst);
      arg_merge(&c, base, w, (int)c.parts, c.found + cu * c.parts * ACH, ACH, dst);
    }
    free(c.found);
  }
  mx_axis_view_free(&v);
  return 0;
}

/* ------------------------------------------------------------------ softmax / logsumexp */

#define SBLK 1024

/* Largest value of a float row ignoring NaN (-inf if none); *has_nan tells whether one was seen. */
static float row_max_f32(const float *x, int64_t n, int *has_nan) {
  return bmax_f32(x, n, -INFINITY, has_nan);
}

#if EW_HAVE_VEC512
/* expsum_scalar with ew_vec512.h's exp, 16 lanes (the tail masked), float partial sums per block */
EW_V16_TARGET static double expsum_v16(const float *x, float *y, int64_t n, float m) {
  double total = 0.0;
  const ew_v16 mv = v16c(m);
  for (int64_t b = 0; b < n; b += SBLK) {
    int64_t e = b + SBLK < n ? b + SBLK : n;
    ew_v16 s = _mm512_setzero_ps();
    for (int64_t i = b; i < e; i += 16) {
      __mmask16 k = e - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (e - i)) - 1u);
      ew_v16 ev = v16_exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), mv));
      if (y) _mm512_mask_storeu_ps(y + i, k, ev);
      s = _mm512_mask_add_ps(s, k, s, ev);
    }
    total += (double)_mm512_reduce_add_ps(s);
  }
  return total;
}
#endif

MX_RED_CLONES static double expsum_scalar(const float *x, float *y, int64_t n, float m) {
  double total = 0.0;
  for (int64_t b = 0; b < n; b += SBLK) {
    int64_t e = b + SBLK < n ? b + SBLK : n;
    float s[LANES];
    for (int l = 0; l < LANES; l++) s[l] = 0.0f;
    int64_t i = b;
    if (y) {
      for (; i + LANES <= e; i += LANES) {
        for (int l = 0; l < LANES; l++) {
          float ev = ew_expf(x[i + l] - m);
          y[i + l] = ev;
          s[l] += ev;
        }
      }
      for (; i < e; i++) {
        float ev = ew_expf(x[i] - m);
        y[i] = ev;
        s[0] += ev;
      }
    } else {
      for (; i + LANES <= e; i += LANES) {
        for (int l = 0; l < LANES; l++) s[l] += ew_expf(x[i + l] - m);
      }
      for (; i < e; i++) s[0] += ew_expf(x[i] - m);
    }
    float bs = 0.0f;
    for (int l = 0; l < LANES; l++) bs += s[l];
    total += (double)bs;
  }
  return total;
}

double mx_red_expsum_f32(const float *x, float *y, int64_t n, float m) {
#if EW_HAVE_VEC512
  if (mx_ew_vec512()) return expsum_v16(x, y, n, m);
#endif
  return expsum_scalar(x, y, n, m);
}

MX_RED_CLONES static void row_scale_f32(float *y, int64_t n, float f) {
  for (int64_t i = 0; i < n; i++) y[i] *= f;
}

/* y may be x. */
static void softmax_row_f32(const float *x, float *y, int64_t n) {
  int has_nan;
  float m = row_max_f32(x, n, &has_nan);
  if (has_nan) m = NAN;
  double total = mx_red_expsum_f32(x, y, n, m);
  row_scale_f32(y, n, (float)(1.0 / total));
}

static float logsumexp_row_f32(const float *x, int64_t n) {
  int has_nan;
  float m = row_max_f32(x, n, &has_nan);
  if (has_nan) return NAN;
  if (isinf(m)) return m;
  double total = mx_red_expsum_f32(x, NULL, n, m);
  return (float)((double)m + log(total));
}

static void softmax_row_f64(const double *x, double *y, int64_t n) {
  double m = -INFINITY;
  int nan_seen = 0;
  for (int64_t i = 0; i < n; i++) {
    m = x[i] > m ? x[i] : m;
    nan_seen |= x[i] != x[i];
  }
  if (nan_seen) m = NAN;
  double total = 0.0;
  for (int64_t i = 0; i < n; i++) {
    y[i] = exp(x[i] - m);
    total += y[i];
  }
  double f = 1.0 / total;
  for (int64_t i = 0; i < n; i++) y[i] *= f;
}

static double logsumexp_row_f64(const double *x, int64_t n) {
  double m = -INFINITY;
  for (int64_t i = 0; i < n; i++) {
    if (x[i] != x[i]) return NAN;
    m = x[i] > m ? x[i] : m;
  }
  if (isinf(m)) return m;
  double total = 0.0;
  for (int64_t i = 0; i < n; i++) total += exp(x[i] - m);
  return m + log(total);
}

static float complex cx_load(const mx_complex64 *p) {
  return CMPLXF(p->re, p->im);
}
static void cx_store(mx_complex64 *p, float complex z) {
  p->re = crealf(z);
  p->im = cimagf(z);
}

/* Complex rows are shifted by the largest real part before exponentiating. */
static float cx_shift(const mx_complex64 *x, int64_t n) {
  float m = -INFINITY;
  for (int64_t i = 0; i < n; i++) m = x[i].re > m ? x[i].re : m;
  return isinf(m) ? 0.0f : m;
}

static void softmax_row_c64(const mx_complex64 *x, mx_complex64 *y, int64_t n) {
  float m = cx_shift(x, n);
  double complex total = 0.0;
  for (int64_t i = 0; i < n; i++) {
    float complex e = cexpf(cx_load(&x[i]) - m);
    cx_store(&y[i], e);
    total += e;
  }
  float complex f = (float complex)(1.0 / total);
  for (int64_t i = 0; i < n; i++) cx_store(&y[i], cx_load(&y[i]) * f);
}

static mx_complex64 logsumexp_row_c64(const mx_complex64 *x, int64_t n) {
  float m = cx_shift(x, n);
  double complex total = 0.0;
  for (int64_t i = 0; i < n; i++) total += cexpf(cx_load(&x[i]) - m);
  mx_complex64 r;
  cx_store(&r, (float complex)(clog(total) + m));
  return r;
}

typedef struct {
  const char *x;
  char *out;
  int64_t n;
  mx_dtype dt;
  size_t isz;
  int lse;    /* 1: logsumexp, 0: softmax */
  int failed; /* a thread could not allocate its scratch row */
} sm_ctx;

static void sm_range(void *c_, int64_t b, int64_t e) {
  sm_ctx *c = (sm_ctx *)c_;
  int64_t n = c->n;
  float *scratch = NULL;
  if (c->dt != MX_FLOAT32 && c->dt != MX_FLOAT64 && c->dt != MX_COMPLEX64) {
    scratch = (float *)malloc((size_t)n * sizeof(float));
    if (!scratch) {
      c->failed = 1;
      return;
    }
  }
  for (int64_t r = b; r < e; r++) {
    const char *xr = c->x + (size_t)(r * n) * c->isz;
    if (c->lse) {
      char *o = c->out + (size_t)r * c->isz;
      switch (c->dt) {
      case MX_FLOAT32:
        *(float *)o = logsumexp_row_f32((const float *)xr, n);
        break;
      case MX_FLOAT64:
        *(double *)o = logsumexp_row_f64((const double *)xr, n);
        break;
      case MX_COMPLEX64:
        *(mx_complex64 *)o = logsumexp_row_c64((const mx_complex64 *)xr, n);
        break;
      default: {
        mx_cpu_convert(xr, c->dt, 1, scratch, MX_FLOAT32, 1, n);
        float v = logsumexp_row_f32(scratch, n);
        mx_cpu_convert(&v, MX_FLOAT32, 1, o, c->dt, 1, 1);
      }
      }
    } else {
      char *o = c->out + (size_t)(r * n) * c->isz;
      switch (c->dt) {
      case MX_FLOAT32:
        softmax_row_f32((const float *)xr, (float *)o, n);
        break;
      case MX_FLOAT64:
        softmax_row_f64((const double *)xr, (double *)o, n);
        break;
      case MX_COMPLEX64:
        softmax_row_c64((const mx_complex64 *)xr, (mx_complex64 *)o, n);
        break;
      default:
        mx_cpu_convert(xr, c->dt, 1, scratch, MX_FLOAT32, 1, n);
        softmax_row_f32(scratch, scratch, n);
        mx_cpu_convert(scratch, MX_FLOAT32, 1, o, c->dt, 1, n);
      }
    }
  }
  free(scratch);
}

static int softmax_like(mx_node *nd, int lse) {
  const char *name = lse ? "logsumexp" : "softmax";
  const mx_array *in = nd->inputs[0];
  mx_array *out = &nd->out[0];
  if (in->dtype != out->dtype) return mx_error("[%s] Input and output dtypes differ.", name);
  int last = in->ndim - 1;
  int64_t n = in->ndim > 0 ? in->shape[last] : 1;
  if (in->size > 0 && in->ndim > 0 && n > 1 && in->strides[last] == 1 &&
      !mx_strided_is_row_contig(in) && ew_dense(in) && in->data_size % n == 0) {
    /* Contiguous rows of a dense layout (a broadcast of rows, a transpose of outer dims): the
     * distinct rows only, the output taking the layout, as MLX does (softmax over
     * broadcast_to(x[:1], (2000, 2000)) 1.23 -> 0.003 ms, the real MLX 0.10). Its outer strides are
     * multiples of n. */
    if (!lse) {
      MX_TRY(ew_alloc_like(out, in));
    } else {
      int64_t ost[MX_MAX_NDIM];
      for (int d = 0; d < last; d++) ost[d] = in->strides[d] / n;
      ost[last] = 1;
      MX_TRY(ew_alloc_strided(out, ost));
    }
    sm_ctx c = {(const char *)mx_array_data(in),
                (char *)mx_array_data(out),
                n,
                (mx_dtype)in->dtype,
                mx_array_itemsize(in),
                lse,
                0};
    mx_red_parallel(sm_range, &c, in->data_size / n, (double)in->data_size * (lse ? 8.0 : 12.0));
    if (c.failed) return mx_error("[%s] Out of memory.", name);
    return lse ? mx_cpu_expand_broadcast(out) : 0; /* a reduction's result: row-contiguous */
  }
  if (mx_array_alloc_data(out)) return MX_ERR;
  if (in->size == 0) return 0;
  if (in->ndim == 0) return mx_error("[%s] Expected an array with at least one axis.", name);
  mx_axis_view v;
  MX_TRY(mx_axis_view_init(name, in, in->ndim - 1, &v));
  sm_ctx c = {(const char *)v.x,
              (char *)mx_array_data(out),
              v.n,
              (mx_dtype)in->dtype,
              mx_array_itemsize(in),
              lse,
              0};
  mx_red_parallel(sm_range, &c, v.outer, (double)in->size * (lse ? 8.0 : 12.0));
  mx_axis_view_free(&v);
  if (c.failed) return mx_error("[%s] Out of memory.", name);
  return 0;
}

int mx_cpu_softmax(mx_node *n) {
  return softmax_like(n, 0);
}

int mx_cpu_logsumexp(mx_node *n) {
  return softmax_like(n, 1);
}
