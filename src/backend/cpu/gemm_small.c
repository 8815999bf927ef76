/* Half-precision products with few rows (M <= 8: matrix-vector and small-batch linear layers).
 * Packing B would read and write it once more than the product itself needs, and the product
 * is bound by reading B, so these kernels stream B once in its own layout:
 *   - B with unit stride along K (x @ W.T, W row-major): dot products of A's rows with B's
 *     columns, 4 columns x up to 4 rows at a time; bfloat16 on AVX512_BF16 uses vdpbf16ps on
 *     32-element chunks, otherwise chunks are converted to float32 for FMAs;
 *   - B with unit stride along N (row-major B): rows of B converted to float32 and accumulated
 *     into 64-column blocks of up to 4 output rows.
 * A is first copied to a small contiguous buffer (bfloat16 pairs or float32). Accumulation is
 * float32 over the whole K; each output is rounded once. Columns are split over two threads. */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/gemm.h"
#include "backend/cpu/strided.h"
#include "core/error.h"

#define TGT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,f16c,fma")))
#define TGT_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,f16c,fma,avx512bf16")))

bool mx_gemm_half_small_ok(const mx_gemm_args *g) {
  return g->M >= 1 && g->M <= 8 && g->K >= 1 && (g->b.rs == 1 || g->b.cs == 1) &&
         (g->dt == MX_FLOAT16 || g->dt == MX_BFLOAT16);
}

static inline float h2f(uint16_t v, mx_dtype dt) {
  return dt == MX_FLOAT16 ? mx_h2f(v) : mx_bf2f(v);
}

/* out[i][j] = round(alpha * v + beta * C[i][j]) */
static inline void put(const mx_gemm_args *g, int64_t i, int64_t j, float v) {
  v *= g->alpha;
  if (g->c.ptr && g->beta != 0.0f)
    v += g->beta * h2f(((const uint16_t *)g->c.ptr)[i * g->c.rs + j * g->c.cs], g->dt);
  uint16_t *o = (uint16_t *)g->out + i * g->ldo + j;
  *o = g->dt == MX_FLOAT16 ? mx_f2h(v) : mx_f2bf(v);
}

typedef struct {
  const mx_gemm_args *g;
  bool dp;       /* vdpbf16ps path (bfloat16 A kept as bfloat16) */
  const void *a; /* M x K contiguous: uint16 (dp) or float */
  int64_t lda;   /* elements per row of a (K rounded up for dp) */
} small_ctx;

/* ---- B with unit stride along K: dot products ---- */

/* One row of A (a matrix-vector product, bound by reading B): eight columns of B at a time,
 * none of the 4 x 4 kernel's products of zero rows (x @ W.T, 1 x 4096 x 4096: 0.75 -> 0.57 ms). */
TGT_BF16 static void dots_bf16_row(const small_ctx *x, int64_t j0, int64_t j1) {
  const mx_gemm_args *g = x->g;
  const uint16_t *A = (const uint16_t *)x->a, *B = (const uint16_t *)g->b.ptr;
  int64_t K = g->K, bcs = g->b.cs;
  for (int64_t j = j0; j < j1; j += 8) {
    int nc = (int)(j1 - j < 8 ? j1 - j : 8);
    __m512 acc[8];
    for (int c = 0; c < 8; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t k = 0; k < K; k += 32) {
      int64_t left = K - k;
      __mmask32 m = left >= 32 ? 0xffffffffu : (((__mmask32)1 << left) - 1);
      __m512bh av = (__m512bh)_mm512_maskz_loadu_epi16(m, A + k);
      for (int c = 0; c < 8; c++)
        if (c < nc)
          acc[c] = _mm512_dpbf16_ps(acc[c], av,
                                    (__m512bh)_mm512_maskz_loadu_epi16(m, B + (j + c) * bcs + k));
    }
    for (int c = 0; c < nc; c++) put(g, 0, j + c, _mm512_reduce_add_ps(acc[c]));
  }
}

TGT_BF16 static void dots_bf16(const small_ctx *x, int64_t j0, int64_t j1) {
  const mx_gemm_args *g = x->g;
  if (g->M == 1) {
    dots_bf16_row(x, j0, j1);
    return;
  }
  const uint16_t *A = (const uint16_t *)x->a, *B = (const uint16_t *)g->b.ptr;
  int64_t K = g->K, bcs = g->b.cs;
  for (int64_t i0 = 0; i0 < g->M; i0 += 4) {
    int mr = (int)(g->M - i0 < 4 ? g->M - i0 : 4);
    for (int64_t j = j0; j < j1; j += 4) {
      int nc = (int)(j1 - j < 4 ? j1 - j : 4);
      __m512 acc[4][4];
      for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) acc[r][c] = _mm512_setzero_ps();
      for (int64_t k = 0; k < K; k += 32) {
        int64_t left = K - k;
        __mmask32 m = left >= 32 ? 0xffffffffu : (((__mmask32)1 << left) - 1);
        __m512bh bv[4], av[4];
        for (int c = 0; c < 4; c++)
          bv[c] = (__m512bh)(c < nc ? _mm512_maskz_loadu_epi16(m, B + (j + c) * bcs + k)
                                    : _mm512_setzero_si512());
        for (int r = 0; r < 4; r++)
          av[r] = (__m512bh)(r < mr ? _mm512_maskz_loadu_epi16(m, A + (i0 + r) * x->lda + k)
                                    : _mm512_setzero_si512());
        for (int r = 0; r < 4; r++)
          for (int c = 0; c < 4; c++) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], av[r], bv[c]);
      }
      for (int r = 0; r < mr; r++)
        for (int c = 0; c < nc; c++) put(g, i0 + r, j + c, _mm512_reduce_add_ps(acc[r][c]));
    }
  }
}

/* B column c's 16 values at k (masked by m) as float32 */
TGT_AVX512 static inline __m512 load_half16(const uint16_t *p, __mmask16 m, bool f16) {
  __m256i h = _mm256_maskz_loadu_epi16(m, p);
  return f16 ? _mm512_cvtph_ps(h)
             : _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

/* dots_bf16_row's float32 form (float16, or bfloat16 without vdpbf16ps) */
TGT_AVX512 static void dots_f32_row(const small_ctx *x, int64_t j0, int64_t j1) {
  const mx_gemm_args *g = x->g;
  const float *A = (const float *)x->a;
  const uint16_t *B = (const uint16_t *)g->b.ptr;
  int64_t K = g->K, bcs = g->b.cs;
  bool f16 = g->dt == MX_FLOAT16;
  for (int64_t j = j0; j < j1; j += 8) {
    int nc = (int)(j1 - j < 8 ? j1 - j : 8);
    __m512 acc[8];
    for (int c = 0; c < 8; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t k = 0; k < K; k += 16) {
      int64_t left = K - k;
      __mmask16 m = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
      __m512 av = _mm512_maskz_loadu_ps(m, A + k);
      for (int c = 0; c < 8; c++)
        if (c < nc)
          acc[c] = _mm512_fmadd_ps(av, load_half16(B + (j + c) * bcs + k, m, f16), acc[c]);
    }
    for (int c = 0; c < nc; c++) put(g, 0, j + c, _mm512_reduce_add_ps(acc[c]));
  }
}

TGT_AVX512 static void dots_f32(const small_ctx *x, int64_t j0, int64_t j1) {
  const mx_gemm_args *g = x->g;
  if (g->M == 1) {
    dots_f32_row(x, j0, j1);
    return;
  }
  const float *A = (const float *)x->a;
  const uint16_t *B = (const uint16_t *)g->b.ptr;
  int64_t K = g->K, bcs = g->b.cs;
  bool f16 = g->dt == MX_FLOAT16;
  for (int64_t i0 = 0; i0 < g->M; i0 += 4) {
    int mr = (int)(g->M - i0 < 4 ? g->M - i0 : 4);
    for (int64_t j = j0; j < j1; j += 4) {
      int nc = (int)(j1 - j < 4 ? j1 - j : 4);
      __m512 acc[4][4];
      for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) acc[r][c] = _mm512_setzero_ps();
      for (int64_t k = 0; k < K; k += 16) {
        int64_t left = K - k;
        __mmask16 m = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
        __m512 bv[4], av[4];
        for (int c = 0; c < 4; c++)
          bv[c] = c < nc ? load_half16(B + (j + c) * bcs + k, m, f16) : _mm512_setzero_ps();
        for (int r = 0; r < 4; r++)
          av[r] =
              r < mr ? _mm512_maskz_loadu_ps(m, A + (i0 + r) * x->lda + k) : _mm512_setzero_ps();
        for (int r = 0; r < 4; r++)
          for (int c = 0; c < 4; c++) acc[r][c] = _mm512_fmadd_ps(av[r], bv[c], acc[r][c]);
      }
      for (int r = 0; r < mr; r++)
        for (int c = 0; c < nc; c++) put(g, i0 + r, j + c, _mm512_reduce_add_ps(acc[r][c]));
    }
  }
}

/* ---- B with unit stride along N: row updates ---- */

enum { ROWS_AHEAD = 8 }; /* rows of B prefetched ahead of the one in use */

TGT_AVX512 static void rows_f32(const small_ctx *x, int64_t j0, int64_t j1) {
  const mx_gemm_args *g = x->g;
  const float *A = (const float *)x->a;
  const uint16_t *B = (const uint16_t *)g->b.ptr;
  int64_t K = g->K, brs = g->b.rs;
  bool f16 = g->dt == MX_FLOAT16;
  float tile[4][64] __attribute__((aligned(64)));
  for (int64_t i0 = 0; i0 < g->M; i0 += 4) {
    int mr = (int)(g->M - i0 < 4 ? g->M - i0 : 4);
    for (int64_t j = j0; j < j1; j += 64) {
      int64_t nc = j1 - j < 64 ? j1 - j : 64;
      __mmask16 mk[4];
      for (int q = 0; q < 4; q++) {
        int64_t left = nc - 16 * q;
        mk[q] = left >= 16 ? 0xffff : (left <= 0 ? 0 : (__mmask16)((1u << left) - 1));
      }
      __m512 acc[4][4];
      for (int r = 0; r < 4; r++)
        for (int q = 0; q < 4; q++) acc[r][q] = _mm512_setzero_ps();
      for (int64_t k = 0; k < K; k++) {
        const uint16_t *brow = B + k * brs + j;
        if (k + ROWS_AHEAD < K) { /* the rows are far apart: the hardware prefetchers miss them */
          _mm_prefetch((const char *)(brow + ROWS_AHEAD * brs), _MM_HINT_T0);
          _mm_prefetch((const char *)(brow + ROWS_AHEAD * brs) + 64, _MM_HINT_T0);
        }
        __m512 bv[4];
        for (int q = 0; q < 4; q++) bv[q] = load_half16(brow + 16 * q, mk[q], f16);
        for (int r = 0; r < 4; r++) {
          if (r >= mr) break;
          __m512 a = _mm512_set1_ps(A[(i0 + r) * x->lda + k]);
          for (int q = 0; q < 4; q++) acc[r][q] = _mm512_fmadd_ps(a, bv[q], acc[r][q]);
        }
      }
      for (int r = 0; r < mr; r++) {
        for (int q = 0; q < 4; q++) _mm512_store_ps(tile[r] + 16 * q, acc[r][q]);
        for (int64_t c = 0; c < nc; c++) put(g, i0 + r, j + c, tile[r][c]);
      }
    }
  }
}

static void small_task(void *ctx, int t, int n) {
  small_ctx *x = (small_ctx *)ctx;
  int64_t N = x->g->N;
  /* column ranges in multiples of 64 (keeps the row kernel's blocks whole) */
  int64_t blocks = (N + 63) / 64;
  int64_t j0 = blocks * t / n * 64, j1 = blocks * (t + 1) / n * 64;
  if (j1 > N) j1 = N;
  if (j0 >= j1) return;
  if (x->g->b.cs != 1) { /* unit stride along K */
    if (x->dp)
      dots_bf16(x, j0, j1);
    else
      dots_f32(x, j0, j1);
  } else {
    rows_f32(x, j0, j1);
  }
}

int mx_gemm_half_small(const char *op, const mx_gemm_args *g, mx_gemm_isa isa, int nthreads) {
  small_ctx x;
  x.g = g;
  bool dots = g->b.cs != 1;
  x.dp = dots && g->dt == MX_BFLOAT16 && isa >= MX_GEMM_ISA_AVX512BF16;
  int64_t M = g->M, K = g->K;
  x.lda = K;
  size_t esz = x.dp ? 2 : 4;
  void *abuf = malloc((size_t)(M * K) * esz + 64);
  if (!abuf) return mx_error("[%s] Out of memory.", op);
  /* A as contiguous rows: bfloat16 (dp) or float32 */
  const uint16_t *ap = (const uint16_t *)g->a.ptr;
  for (int64_t i = 0; i < M; i++) {
    if (x.dp)
      mx_cpu_convert(ap + i * g->a.rs, g->dt, g->a.cs, (uint16_t *)abuf + i * K, g->dt, 1, K);
    else
      mx_cpu_convert(ap + i * g->a.rs, g->dt, g->a.cs, (float *)abuf + i * K, MX_FLOAT32, 1, K);
  }
  x.a = abuf;
  if (nthreads > 1 && (g->N + 63) / 64 >= 2)
    mx_gemm_parallel(small_task, &x, 2);
  else
    small_task(&x, 0, 1);
  free(abuf);
  return 0;
}
