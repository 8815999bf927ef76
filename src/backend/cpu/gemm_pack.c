/* Packed, blocked GEMM for the 16-bit float types on AVX-512 (see gemm.h).
 *
 * Blocking (Goto style, the K dimension is never split: accumulators stay in registers for the
 * whole K, so each output tile is rounded to its dtype once):
 *   for each block of B columns (NC, sized so the packed block stays within ~16 MiB):
 *     pack B into panels of NR = 32 columns (both threads, disjoint panels)
 *     for each block of MC rows of A (sized for L2; each thread its own rows):
 *       pack A into panels of MR = 12 rows
 *       for each B panel, for each A panel: the MR x NR microkernel, then the epilogue
 *       (alpha, beta * C, rounding to the output dtype) on the float32 tile.
 *
 * Packed element = 4 bytes:
 *   bfloat16 with AVX512_BF16: a k-pair of bfloat16 (low half: even k). A panel: [ceil(K/2)][MR],
 *     B panel: [ceil(K/2)][NR]. The microkernel broadcasts an A pair and issues vdpbf16ps
 *     against two B vectors (16 columns each): 24 float32 accumulators.
 *   float16 (or bfloat16 without AVX512_BF16): float32, converted while packing (F16C /
 *     a shift for bfloat16). A panel: [K][MR], B panel: [K][NR]; FMA microkernel, 24
 *     accumulators.
 * Packing reads any strides; unit stride along k (transposed A, the usual x @ W.T) or along
 * the panel width (row-major B) take vectorized paths (16 x 16 word transposes, interleaves).
 * Row-major B is packed in blocks of 128 k across all panels (TLB-friendly). Panels are
 * zero-padded to MR / NR (and an even K for pairs), so the microkernel never branches on
 * edges; edge tiles are clipped in the epilogue. Workspace comes from the library's caching
 * allocator (no fresh page faults on repeated products). vdpbf16ps treats bfloat16 subnormals
 * as zero (inputs and outputs below ~1e-38).
 */
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/gemm.h"
#include "backend/cpu/strided.h"
#include "core/error.h"

#define MR 12
#define NR 32

#define TGT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,f16c,fma")))
#define TGT_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,f16c,fma,avx512bf16")))

typedef enum { KIND_F32, KIND_BF16 } pack_kind;

/* ------------------------------------------------------------------ 16 x 16 transposes */

/* r[i] holds row i (16 words); on return r[i] holds column i. */
TGT_AVX512 static inline void tr16(__m512i r[16]) {
  __m512i t[16], u[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    u[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
    u[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
    u[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
    u[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  /* u[4g + q], lane l: column 4l + q of rows 4g..4g+3 */
  for (int q = 0; q < 4; q++) {
    __m512i v0 = _mm512_shuffle_i32x4(u[q], u[4 + q], 0x88);
    __m512i w0 = _mm512_shuffle_i32x4(u[q], u[4 + q], 0xdd);
    __m512i v1 = _mm512_shuffle_i32x4(u[8 + q], u[12 + q], 0x88);
    __m512i w1 = _mm512_shuffle_i32x4(u[8 + q], u[12 + q], 0xdd);
    r[q] = _mm512_shuffle_i32x4(v0, v1, 0x88);
    r[8 + q] = _mm512_shuffle_i32x4(v0, v1, 0xdd);
    r[4 + q] = _mm512_shuffle_i32x4(w0, w1, 0x88);
    r[12 + q] = _mm512_shuffle_i32x4(w0, w1, 0xdd);
  }
}

/* ------------------------------------------------------------------ conversions */

TGT_AVX512 static inline __m512 cvt16(__m256i h, mx_dtype dt) {
  if (dt == MX_FLOAT16) return _mm512_cvtph_ps(h);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

static inline float to_f32(uint16_t v, mx_dtype dt) {
  return dt == MX_FLOAT16 ? mx_h2f(v) : mx_bf2f(v);
}

/* ------------------------------------------------------------------ packing */

/* A panel or B panel: dst[s][w] for w < W (the panel width, MR or NR), s < steps. The source
 * element (w, k) is src[w * ws + k * ks]; only w < wn and k < K exist (the rest are zeros). */
typedef struct {
  const uint16_t *src;
  int64_t ws, ks;
  int64_t wn, K;
  mx_dtype dt;
} pack_src;

/* bfloat16 pairs, generic strides */
static void pack_pairs_scalar(const pack_src *p, int W, uint32_t *dst) {
  int64_t steps = (p->K + 1) / 2;
  for (int64_t s = 0; s < steps; s++) {
    uint32_t *d = dst + s * W;
    int64_t k0 = 2 * s;
    bool has1 = k0 + 1 < p->K;
    for (int64_t w = 0; w < W; w++) {
      if (w >= p->wn) {
        d[w] = 0;
        continue;
      }
      const uint16_t *e = p->src + w * p->ws + k0 * p->ks;
      uint32_t lo = e[0], hi = has1 ? e[p->ks] : 0;
      d[w] = lo | (hi << 16);
    }
  }
}

/* bfloat16 pairs, unit stride along w: interleave rows k0 and k0 + 1. W > 32 packs W / 32
 * panels of 32 columns, panel_words apart, reading each row pair once across all of them. */
TGT_AVX512 static void pack_pairs_wunit(const pack_src *p, int W, int64_t panel_words,
                                        uint32_t *dst) {
  int64_t steps = (p->K + 1) / 2;
  const __m512i lo_idx =
      _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8, 39, 7, 38, 6,
                       37, 5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
  const __m512i hi_idx = _mm512_add_epi16(lo_idx, _mm512_set1_epi16(16));
  int pw = W < 32 ? W : 32; /* panel width */
  for (int64_t s = 0; s < steps; s++) {
    int64_t k0 = 2 * s;
    bool has1 = k0 + 1 < p->K;
    const uint16_t *r0 = p->src + k0 * p->ks, *r1 = r0 + p->ks;
    for (int w = 0; w < W; w += 32) {
      uint32_t *d = dst + (w / 32) * panel_words + s * pw;
      int64_t n = p->wn - w;
      n = n < 0 ? 0 : (n > 32 ? 32 : n);
      __mmask32 m = n == 32 ? 0xffffffffu : (((__mmask32)1 << n) - 1);
      __m512i a = _mm512_maskz_loadu_epi16(m, r0 + w);
      __m512i b = has1 ? _mm512_maskz_loadu_epi16(m, r1 + w) : _mm512_setzero_si512();
      __m512i x0 = _mm512_permutex2var_epi16(a, lo_idx, b);
      __m512i x1 = _mm512_permutex2var_epi16(a, hi_idx, b);
      if (W - w >= 32) {
        _mm512_storeu_si512((void *)d, x0);
        _mm512_storeu_si512((void *)(d + 16), x1);
      } else { /* W = MR = 12 */
        _mm512_mask_storeu_epi32(d, (__mmask16)((1u << (W - w)) - 1), x0);
      }
    }
  }
}

/* bfloat16 pairs, unit stride along k: the pair (k0, k0 + 1) of row w is one 32-bit word;
 * 16 x 16 word blocks are transposed. */
TGT_AVX512 static void pack_pairs_kunit(const pack_src *p, int W, uint32_t *dst) {
  int64_t steps = (p->K + 1) / 2;
  int64_t full = p->K / 2; /* pairs whose both halves exist */
  for (int w0 = 0; w0 < W; w0 += 16) {
    int wcnt = W - w0 < 16 ? W - w0 : 16;
    __mmask16 wmask = (__mmask16)((1u << wcnt) - 1);
    for (int64_t s0 = 0; s0 < steps; s0 += 16) {
      int64_t scnt = steps - s0 < 16 ? steps - s0 : 16;
      int64_t sfull = full - s0;
      sfull = sfull < 0 ? 0 : (sfull > scnt ? scnt : sfull);
      __mmask16 lm = (__mmask16)((1u << sfull) - 1);
      __m512i r[16];
      for (int i = 0; i < 16; i++) {
        int64_t w = w0 + i;
        if (w >= p->wn) {
          r[i] = _mm512_setzero_si512();
          continue;
        }
        const uint16_t *row = p->src + w * p->ws + 2 * s0;
        r[i] = _mm512_maskz_loadu_epi32(lm, row);
        if (sfull < scnt) { /* odd K: the last pair has only its low half */
          uint32_t lo = row[2 * sfull];
          r[i] = _mm512_mask_set1_epi32(r[i], (__mmask16)(1u << sfull), (int)lo);
        }
      }
      tr16(r);
      for (int64_t s = 0; s < scnt; s++)
        _mm512_mask_storeu_epi32(dst + (s0 + s) * W + w0, wmask, r[s]);
    }
  }
}

/* float32, generic strides */
static void pack_f32_scalar(const pack_src *p, int W, float *dst) {
  for (int64_t k = 0; k < p->K; k++) {
    float *d = dst + k * W;
    for (int64_t w = 0; w < W; w++)
      d[w] = w < p->wn ? to_f32(p->src[w * p->ws + k * p->ks], p->dt) : 0.0f;
  }
}

/* float32, unit stride along w */
TGT_AVX512 static void pack_f32_wunit(const pack_src *p, int W, float *dst) {
  for (int64_t k = 0; k < p->K; k++) {
    float *d = dst + k * W;
    const uint16_t *row = p->src + k * p->ks;
    for (int w = 0; w < W; w += 16) {
      int64_t n = p->wn - w;
      n = n < 0 ? 0 : (n > 16 ? 16 : n);
      __m256i h = _mm256_maskz_loadu_epi16((__mmask16)((1u << n) - 1), row + w);
      __m512 f = cvt16(h, p->dt);
      int c = W - w < 16 ? W - w : 16;
      _mm512_mask_storeu_ps(d + w, (__mmask16)((1u << c) - 1), f);
    }
  }
}

/* float32, unit stride along k: 16 x 16 blocks converted then transposed */
TGT_AVX512 static void pack_f32_kunit(const pack_src *p, int W, float *dst) {
  for (int w0 = 0; w0 < W; w0 += 16) {
    int wcnt = W - w0 < 16 ? W - w0 : 16;
    __mmask16 wmask = (__mmask16)((1u << wcnt) - 1);
    for (int64_t k0 = 0; k0 < p->K; k0 += 16) {
      int64_t kcnt = p->K - k0 < 16 ? p->K - k0 : 16;
      __mmask16 km = (__mmask16)((1u << kcnt) - 1);
      __m512i r[16];
      for (int i = 0; i < 16; i++) {
        int64_t w = w0 + i;
        if (w >= p->wn) {
          r[i] = _mm512_setzero_si512();
          continue;
        }
        __m256i h = _mm256_maskz_loadu_epi16(km, p->src + w * p->ws + k0);
        r[i] = _mm512_castps_si512(cvt16(h, p->dt));
      }
      tr16(r);
      for (int64_t k = 0; k < kcnt; k++)
        _mm512_mask_storeu_ps(dst + (k0 + k) * W + w0, wmask, _mm512_castsi512_ps(r[k]));
    }
  }
}

static void pack_panel(pack_kind kind, const pack_src *p, int W, void *dst) {
  if (kind == KIND_BF16) {
    if (p->ks == 1 && p->K >= 2)
      pack_pairs_kunit(p, W, (uint32_t *)dst);
    else if (p->ws == 1)
      pack_pairs_wunit(p, W, 0, (uint32_t *)dst);
    else
      pack_pairs_scalar(p, W, (uint32_t *)dst);
  } else {
    if (p->ks == 1 && p->K >= 8)
      pack_f32_kunit(p, W, (float *)dst);
    else if (p->ws == 1)
      pack_f32_wunit(p, W, (float *)dst);
    else
      pack_f32_scalar(p, W, (float *)dst);
  }
}

void mx_gemm_pack_bf16_pair_panels(const uint16_t *src, int64_t ws, int64_t ks, int64_t wn,
                                   int64_t K, int npanels, int64_t panel_words, uint32_t *dst) {
  pack_src p = {src, ws, ks, wn, K, MX_BFLOAT16};
  if (ws == 1 && !(ks == 1 && K >= 2)) { /* the same choice as pack_panel's */
    pack_pairs_wunit(&p, 32 * npanels, panel_words, dst);
    return;
  }
  for (int q = 0; q < npanels; q++, p.src += 32 * ws, p.wn -= 32)
    pack_panel(KIND_BF16, &p, 32, dst + q * panel_words);
}

/* A for the AMX kernel: rows (<= 32) x K at src[i * rs + k * cs] as tiles of 16 rows x 32 k
 * (64 bytes a row): block kb, half h at dst + kb * 1024 + h * 512 words. Rows past `rows` and k
 * past K are zeros. Row-major A: one masked load per tile row; column-major (x.T @ y): two k
 * columns interleaved into 16 k-pair words per row, 16 of those transposed. */
TGT_AVX512 void mx_gemm_pack_bf16_a_tiles(const uint16_t *src, int64_t rs, int64_t cs, int64_t rows,
                                          int64_t K, int64_t nkb, uint16_t *dst) {
  for (int64_t kb = 0; kb < nkb; kb++) {
    int64_t k0 = kb * 32, nk = K - k0 < 32 ? K - k0 : 32;
    for (int h = 0; h < 2; h++) {
      uint16_t *t = dst + kb * 1024 + h * 512;
      int64_t r0 = 16 * h, nr = rows - r0 < 0 ? 0 : (rows - r0 < 16 ? rows - r0 : 16);
      if (cs == 1) {
        __mmask32 m = nk == 32 ? 0xffffffffu : (((__mmask32)1 << nk) - 1);
        for (int r = 0; r < 16; r++)
          _mm512_storeu_si512((void *)(t + r * 32),
                              r < nr ? _mm512_maskz_loadu_epi16(m, src + (r0 + r) * rs + k0)
                                     : _mm512_setzero_si512());
      } else if (rs == 1) {
        __mmask16 m = (__mmask16)((1u << nr) - 1);
        __m512i w[16];
        for (int q = 0; q < 16; q++) { /* w[q]: word r = k0 + 2q, k0 + 2q + 1 of row r0 + r */
          const uint16_t *c = src + (k0 + 2 * q) * cs + r0;
          __m256i lo = 2 * q < nk ? _mm256_maskz_loadu_epi16(m, c) : _mm256_setzero_si256();
          __m256i hi =
              2 * q + 1 < nk ? _mm256_maskz_loadu_epi16(m, c + cs) : _mm256_setzero_si256();
          w[q] = _mm512_or_si512(_mm512_cvtepu16_epi32(lo),
                                 _mm512_slli_epi32(_mm512_cvtepu16_epi32(hi), 16));
        }
        tr16(w);
        for (int r = 0; r < 16; r++) _mm512_storeu_si512((void *)(t + r * 32), w[r]);
      } else {
        for (int r = 0; r < 16; r++)
          for (int k = 0; k < 32; k++)
            t[r * 32 + k] = r < nr && k < nk ? src[(r0 + r) * rs + (k0 + k) * cs] : 0;
      }
    }
  }
}

/* ------------------------------------------------------------------ microkernels */

/* C (MR x NR float32, row stride NR) = A panel @ B panel over `steps` packed steps. */
TGT_BF16 static void ukr_bf16(int64_t steps, const uint32_t *A, const uint32_t *B, float *C) {
  __m512 c[MR][2];
  for (int r = 0; r < MR; r++) c[r][0] = c[r][1] = _mm512_setzero_ps();
  for (int64_t s = 0; s < steps; s++) {
    __m512bh b0 = (__m512bh)_mm512_loadu_si512((const void *)B);
    __m512bh b1 = (__m512bh)_mm512_loadu_si512((const void *)(B + 16));
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
      __m512bh a = (__m512bh)_mm512_set1_epi32((int)A[r]);
      c[r][0] = _mm512_dpbf16_ps(c[r][0], a, b0);
      c[r][1] = _mm512_dpbf16_ps(c[r][1], a, b1);
    }
    A += MR;
    B += NR;
  }
  for (int r = 0; r < MR; r++) {
    _mm512_storeu_ps(C + r * NR, c[r][0]);
    _mm512_storeu_ps(C + r * NR + 16, c[r][1]);
  }
}

TGT_AVX512 static void ukr_f32(int64_t steps, const float *A, const float *B, float *C) {
  __m512 c[MR][2];
  for (int r = 0; r < MR; r++) c[r][0] = c[r][1] = _mm512_setzero_ps();
  for (int64_t s = 0; s < steps; s++) {
    __m512 b0 = _mm512_loadu_ps(B);
    __m512 b1 = _mm512_loadu_ps(B + 16);
#pragma GCC unroll 12
    for (int r = 0; r < MR; r++) {
      __m512 a = _mm512_set1_ps(A[r]);
      c[r][0] = _mm512_fmadd_ps(a, b0, c[r][0]);
      c[r][1] = _mm512_fmadd_ps(a, b1, c[r][1]);
    }
    A += MR;
    B += NR;
  }
  for (int r = 0; r < MR; r++) {
    _mm512_storeu_ps(C + r * NR, c[r][0]);
    _mm512_storeu_ps(C + r * NR + 16, c[r][1]);
  }
}

/* ------------------------------------------------------------------ epilogue */

/* float32 -> bfloat16 of 16 lanes, rounding exactly as mx_f2bf (nearest even; NaN stays NaN). */
TGT_AVX512 static inline __m256i f32_to_bf16x16(__m512 v) {
  __m512i x = _mm512_castps_si512(v), hi = _mm512_srli_epi32(x, 16);
  __m512i r = _mm512_add_epi32(x, _mm512_set1_epi32(0x7fff));
  r = _mm512_srli_epi32(_mm512_add_epi32(r, _mm512_and_si512(hi, _mm512_set1_epi32(1))), 16);
  __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(x, _mm512_set1_epi32(0x7fffffff)),
                                          _mm512_set1_epi32(0x7f800000));
  r = _mm512_mask_or_epi32(r, nan, hi, _mm512_set1_epi32(0x40));
  return _mm512_cvtepi32_epi16(r);
}

/* One full row of 32 of dt (bfloat16 or float16): out = alpha * t (+ beta * c when c,
 * contiguous); with stream, out is 64-byte aligned and written with a non-temporal store. */
TGT_AVX512 static void half_row32(const float *t, float alpha, const uint16_t *c, float beta,
                                  uint16_t *out, bool stream, mx_dtype dt) {
  __m256i half[2];
  for (int h = 0; h < 2; h++) {
    __m512 v = _mm512_mul_ps(_mm512_loadu_ps(t + 16 * h), _mm512_set1_ps(alpha));
    if (c) {
      __m256i cw = _mm256_loadu_si256((const __m256i *)(c + 16 * h));
      __m512 cf = dt == MX_FLOAT16
                      ? _mm512_cvtph_ps(cw)
                      : _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(cw), 16));
      v = _mm512_add_ps(v, _mm512_mul_ps(cf, _mm512_set1_ps(beta))); /* as the scalar path rounds */
    }
    half[h] = dt == MX_FLOAT16 ? _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
                               : f32_to_bf16x16(v);
  }
  __m512i row = _mm512_inserti64x4(_mm512_castsi256_si512(half[0]), half[1], 1);
  if (stream)
    _mm512_stream_si512((__m512i *)out, row);
  else
    _mm512_storeu_si512(out, row);
}

/* out[i0 + r][j0 + j] = round(alpha * tile[r][j] + beta * C[i0 + r][j0 + j]) for r < mr, j < nr.
 * stream: full rows of 32 go out with non-temporal stores (the caller checked that they
 * are 64-byte aligned and fences before the output is read). */
TGT_AVX512 void mx_gemm_half_epilogue(const mx_gemm_args *g, float *tile, int64_t i0, int64_t j0,
                                      int mr, int nr, bool stream) {
  uint16_t *out = (uint16_t *)g->out;
  bool has_c = g->c.ptr && g->beta != 0.0f;
  const uint16_t *cp = (const uint16_t *)g->c.ptr;
  float alpha = g->alpha, beta = g->beta;
  if (nr == NR && (!has_c || g->c.cs == 1)) {
    for (int r = 0; r < mr; r++)
      half_row32(tile + r * NR, alpha, has_c ? cp + (i0 + r) * g->c.rs + j0 : NULL, beta,
                 out + (i0 + r) * g->ldo + j0, stream, g->dt);
    return;
  }
  for (int r = 0; r < mr; r++) {
    float *t = tile + r * NR;
    if (alpha != 1.0f)
      for (int j = 0; j < nr; j++) t[j] *= alpha;
    if (has_c) {
      const uint16_t *crow = cp + (i0 + r) * g->c.rs + j0 * g->c.cs;
      if (g->c.cs == 1) {
        if (g->dt == MX_FLOAT16)
          for (int j = 0; j < nr; j++) t[j] += beta * mx_h2f(crow[j]);
        else
          for (int j = 0; j < nr; j++) t[j] += beta * mx_bf2f(crow[j]);
      } else {
        for (int j = 0; j < nr; j++) t[j] += beta * to_f32(crow[j * g->c.cs], g->dt);
      }
    }
    uint16_t *orow = out + (i0 + r) * g->ldo + j0;
    if (g->dt == MX_FLOAT16)
      for (int j = 0; j < nr; j++) orow[j] = mx_f2h(t[j]);
    else
      for (int j = 0; j < nr; j++) orow[j] = mx_f2bf(t[j]);
  }
}

/* ------------------------------------------------------------------ driver */

typedef struct {
  const mx_gemm_args *g;
  pack_kind kind;
  int64_t steps;           /* packed steps along K */
  size_t a_panel, b_panel; /* bytes of one packed panel */
  int64_t mc_tiles;        /* A panels per row block */
  int64_t p0, p1;          /* B panels of the current column block */
  char *bpack;             /* packed panels p0..p1-1 */
  char *apack[2];          /* per thread: mc_tiles panels */
  bool split_rows;         /* threads take rows (else panels) */
  int nthreads;
} gemm_ctx;

/* Packs B panels q0..q1-1. When B's rows run along N (row-major B), consecutive k are far apart
 * in memory: K is packed in blocks of 128 across all the panels, so the rows being read stay
 * in the TLB and caches instead of walking all of K once per 32-column panel. */
static void pack_b_range(gemm_ctx *x, int64_t q0, int64_t q1) {
  const mx_gemm_args *g = x->g;
  int64_t kb = g->b.cs == 1 && g->K > 256 ? 128 : g->K; /* even: pairs stay whole */
  int kstep = x->kind == KIND_BF16 ? 2 : 1;
  for (int64_t k0 = 0; k0 < g->K; k0 += kb) {
    int64_t kc = g->K - k0 < kb ? g->K - k0 : kb;
    for (int64_t q = q0; q < q1; q++) {
      int64_t j0 = q * NR;
      pack_src p = {(const uint16_t *)g->b.ptr + j0 * g->b.cs + k0 * g->b.rs,
                    g->b.cs,
                    g->b.rs,
                    g->N - j0 < NR ? g->N - j0 : NR,
                    kc,
                    g->dt};
      char *dst = x->bpack + (size_t)(q - x->p0) * x->b_panel + (size_t)(k0 / kstep) * NR * 4;
      pack_panel(x->kind, &p, NR, dst);
    }
  }
}

static void pack_b_task(void *ctx, int t, int n) {
  gemm_ctx *x = (gemm_ctx *)ctx;
  int64_t np = x->p1 - x->p0;
  int64_t q0 = x->p0 + np * t / n, q1 = x->p0 + np * (t + 1) / n;
  pack_b_range(x, q0, q1);
}

static void compute_task(void *ctx, int t, int n) {
  gemm_ctx *x = (gemm_ctx *)ctx;
  const mx_gemm_args *g = x->g;
  int64_t mtiles = (g->M + MR - 1) / MR;
  int64_t t0 = 0, t1 = mtiles, q0 = x->p0, q1 = x->p1;
  if (x->split_rows) {
    t0 = mtiles * t / n;
    t1 = mtiles * (t + 1) / n;
  } else {
    int64_t np = x->p1 - x->p0;
    q0 = x->p0 + np * t / n;
    q1 = x->p0 + np * (t + 1) / n;
  }
  if (t0 >= t1 || q0 >= q1) return;
  char *apack = x->apack[t];
  float tile[MR * NR] __attribute__((aligned(64)));
  for (int64_t ib = t0; ib < t1; ib += x->mc_tiles) {
    int64_t ie = ib + x->mc_tiles < t1 ? ib + x->mc_tiles : t1;
    for (int64_t it = ib; it < ie; it++) {
      int64_t i0 = it * MR;
      pack_src p = {(const uint16_t *)g->a.ptr + i0 * g->a.rs, g->a.rs, g->a.cs,
                    g->M - i0 < MR ? g->M - i0 : MR,           g->K,    g->dt};
      pack_panel(x->kind, &p, MR, apack + (size_t)(it - ib) * x->a_panel);
    }
    for (int64_t q = q0; q < q1; q++) {
      const void *bp = x->bpack + (size_t)(q - x->p0) * x->b_panel;
      int64_t j0 = q * NR;
      int nr = (int)(g->N - j0 < NR ? g->N - j0 : NR);
      for (int64_t it = ib; it < ie; it++) {
        const void *ap = apack + (size_t)(it - ib) * x->a_panel;
        if (x->kind == KIND_BF16)
          ukr_bf16(x->steps, (const uint32_t *)ap, (const uint32_t *)bp, tile);
        else
          ukr_f32(x->steps, (const float *)ap, (const float *)bp, tile);
        int64_t i0 = it * MR;
        mx_gemm_half_epilogue(g, tile, i0, j0, (int)(g->M - i0 < MR ? g->M - i0 : MR), nr, false);
      }
    }
  }
}

/* Workspace from the library's caching allocator: repeated products reuse the same (already
 * faulted-in) memory instead of mapping fresh pages every call. */
static void *work_alloc(mx_buffer **b, size_t n) {
  *b = mx_buffer_alloc(n ? n : 64);
  return *b ? (*b)->ptr : NULL;
}

int mx_gemm_half_packed(const char *op, const mx_gemm_args *g, mx_gemm_isa isa, int nthreads) {
  gemm_ctx x;
  memset(&x, 0, sizeof x);
  x.g = g;
  x.kind = (isa >= MX_GEMM_ISA_AVX512BF16 && g->dt == MX_BFLOAT16) ? KIND_BF16 : KIND_F32;
  x.steps = x.kind == KIND_BF16 ? (g->K + 1) / 2 : g->K;
  x.a_panel = (size_t)x.steps * MR * 4;
  x.b_panel = (size_t)x.steps * NR * 4;
  int64_t mtiles = (g->M + MR - 1) / MR, npanels = (g->N + NR - 1) / NR;
  /* A row block: ~384 KiB of packed A (stays in L2 while the B panels stream past it). */
  int64_t mc = (int64_t)((384u << 10) / x.a_panel);
  x.mc_tiles = mc < 1 ? 1 : (mc > 16 ? 16 : mc);
  /* B column block: at most ~16 MiB packed. */
  int64_t nc = (int64_t)((16u << 20) / x.b_panel);
  nc = nc < 1 ? 1 : nc;
  if (nthreads < 1) nthreads = 1;
  if (nthreads > 2) nthreads = 2;
  x.nthreads = nthreads;
  x.split_rows = mtiles >= 2 * nthreads || npanels < nthreads;
  int rc = 0;
  int64_t ncp = nc < npanels ? nc : npanels;
  mx_buffer *bufs[3] = {NULL, NULL, NULL};
  x.bpack = work_alloc(&bufs[0], (size_t)ncp * x.b_panel);
  for (int t = 0; t < nthreads; t++) {
    int64_t tiles = x.mc_tiles < mtiles ? x.mc_tiles : mtiles;
    x.apack[t] = work_alloc(&bufs[1 + t], (size_t)tiles * x.a_panel);
  }
  if (!x.bpack || !x.apack[0] || (nthreads > 1 && !x.apack[1])) {
    rc = mx_error("[%s] Out of memory packing matrix operands.", op);
    goto done;
  }
  for (int64_t p0 = 0; p0 < npanels; p0 += ncp) {
    x.p0 = p0;
    x.p1 = p0 + ncp < npanels ? p0 + ncp : npanels;
    if (nthreads > 1 && x.p1 - x.p0 > 1)
      mx_gemm_parallel(pack_b_task, &x, nthreads);
    else
      pack_b_range(&x, x.p0, x.p1);
    if (nthreads > 1)
      mx_gemm_parallel(compute_task, &x, nthreads);
    else
      compute_task(&x, 0, 1);
  }
done:
  for (int i = 0; i < 3; i++)
    if (bufs[i]) mx_buffer_release(bufs[i]);
  return rc;
}
