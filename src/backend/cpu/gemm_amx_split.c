/* float16 operands for the AMX kernel (gemm_amx.c), which multiplies bfloat16 only.
 *
 * Each float16 x is split as hi + lo: hi = bfloat16(x), rounded to nearest even, and
 * lo = bfloat16(x - hi). float16 has 11 significant bits and hi keeps 8, so x - hi has at most 3
 * and both steps are exact: hi + lo == x for every finite x. An infinite x cannot be split: its
 * products with the other operand's lo parts give inf * 0 = NaN or inf - inf where the product has
 * an inf. So the packers report any value that is not finite (lo is then 0) and gemm_amx.c hands
 * such products to the AVX-512 kernels. The kernel sums Ah Bh + Ah Bl + Al Bl + Al Bh
 * in float32, each product exact (8 x 8 significant bits), so the only error left is float32
 * accumulation's, as in a float32 product of the float16 values. (Without Al Bl, up to 2^-16 of
 * |a b| per term, it was ten times that: the fourth product costs no tile load.)
 *
 * Packed layouts (gemm_amx.c's, with each 32-k block twice as long):
 *   A: per 32-row sub-block, per k block kb, the two 16 x 32 hi tiles (1024 words) then the two
 *      lo tiles: hi half h at dst + kb * 2048 + h * 512 words, lo at 1024 words further;
 *   B: per panel of 32 columns, per k block, 16 k-pair rows of 32 words (bfloat16 of even k in
 *      the low half) for hi, then the same for lo: pair p's hi row at dst + (p / 16) * 1024 +
 *      (p % 16) * 32 words, its lo row 512 words further.
 * K is zero-padded to nkb * 32, rows past `rows` and columns past `wn` are zeros. */
#include <immintrin.h>
#include <stdint.h>

#include "backend/cpu/gemm.h"

/* rows of a row-major B prefetched ahead of the pair being packed: rows of 4096 columns are 8 KB
 * apart, past the hardware prefetchers (HALF=float16 BF16_ONLY=1 bench/gemm_bf16.c against a
 * build without, ms: 64x4096x4096 12.7-13.2 -> 10.1-10.6, 128x4096x4096 17.1-17.6 -> 14.5-15.7) */
#define PF_ROWS 16
#define TGT_SPLIT __attribute__((target("avx512f,avx512bw,avx512vl,f16c,avx512bf16")))

/* n (<= 32) float16 at p[i * stride], zeros after them */
TGT_SPLIT static __m512i load_f16x32(const uint16_t *p, int64_t stride, int64_t n) {
  if (n <= 0) return _mm512_setzero_si512();
  if (stride == 1) {
    __mmask32 m = n >= 32 ? 0xffffffffu : (((__mmask32)1 << n) - 1);
    return _mm512_maskz_loadu_epi16(m, p);
  }
  uint16_t buf[32] __attribute__((aligned(64))) = {0};
  for (int64_t i = 0; i < n && i < 32; i++) buf[i] = p[i * stride];
  return _mm512_load_si512(buf);
}

/* x (16 float32) as bfloat16 words widened back to float32 */
TGT_SPLIT static __m512 bf16_to_f32(__m256i w) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(w), 16));
}

/* 32 float16 -> 32 bfloat16 hi and 32 lo, in the same order; true when all 32 are finite */
TGT_SPLIT static bool split32(__m512i h, __m512i *hi, __m512i *lo) {
  __m512 f0 = _mm512_cvtph_ps(_mm512_castsi512_si256(h));
  __m512 f1 = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1));
  __m512i hw = (__m512i)_mm512_cvtne2ps_pbh(f1, f0);
  __m512 h0 = bf16_to_f32(_mm512_castsi512_si256(hw)),
         h1 = bf16_to_f32(_mm512_extracti64x4_epi64(hw, 1));
  /* finite lanes: h - h == 0 */
  __mmask16 m0 = _mm512_cmp_ps_mask(_mm512_sub_ps(h0, h0), _mm512_setzero_ps(), _CMP_EQ_OQ);
  __mmask16 m1 = _mm512_cmp_ps_mask(_mm512_sub_ps(h1, h1), _mm512_setzero_ps(), _CMP_EQ_OQ);
  *hi = hw;
  *lo = (__m512i)_mm512_cvtne2ps_pbh(_mm512_maskz_sub_ps(m1, f1, h1),
                                     _mm512_maskz_sub_ps(m0, f0, h0));
  return (m0 & m1) == 0xffff;
}

TGT_SPLIT bool mx_gemm_pack_f16_split_a(const uint16_t *src, int64_t rs, int64_t cs, int64_t rows,
                                        int64_t K, int64_t nkb, uint16_t *dst) {
  bool finite = true;
  for (int64_t kb = 0; kb < nkb; kb++) {
    int64_t k0 = kb * 32;
    uint16_t *t = dst + kb * 2048;
    for (int r = 0; r < 32; r++) {
      __m512i hi = _mm512_setzero_si512(), lo = _mm512_setzero_si512();
      if (r < rows) finite &= split32(load_f16x32(src + r * rs + k0 * cs, cs, K - k0), &hi, &lo);
      /* row r is row r % 16 of half r / 16: both halves are 512 words apart, as r * 32 is */
      _mm512_storeu_si512((void *)(t + r * 32), hi);
      _mm512_storeu_si512((void *)(t + 1024 + r * 32), lo);
    }
  }
  return finite;
}

TGT_SPLIT bool mx_gemm_pack_f16_split_b(const uint16_t *src, int64_t ws, int64_t ks, int64_t wn,
                                        int64_t K, int64_t nkb, int npanels, int64_t panel_words,
                                        uint32_t *dst) {
  /* word j of the interleave: even k's element j / 2 when j is even, odd k's when odd */
  const __m512i lo_idx =
      _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8, 39, 7, 38, 6,
                       37, 5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
  const __m512i hi_idx = _mm512_add_epi16(lo_idx, _mm512_set1_epi16(16));
  bool finite = true;
  /* unit stride along k (B = W.T): a column's pair (k, k + 1) is one 32-bit word, which a
   * gather puts in the packed order directly */
  bool gather = ks == 1 && ws <= (INT32_MAX - 64) / 32;
  const __m512i cols =
      _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                         _mm512_set1_epi32((int)(gather ? ws : 0)));
  /* pair by pair across all the panels: a row-major B's rows are read once, in order */
  for (int64_t p = 0; p < nkb * 16; p++) {
    int64_t k = 2 * p;
    for (int q = 0; q < npanels; q++) {
      int64_t n = wn - 32 * q < 32 ? wn - 32 * q : 32;
      const uint16_t *c = src + 32 * q * ws;
      uint32_t *d = dst + q * panel_words + (p / 16) * 1024 + (p % 16) * 32;
      if (gather && k + 1 < K) {
        for (int h = 0; h < 2; h++) {
          int64_t m = n - 16 * h < 0 ? 0 : (n - 16 * h < 16 ? n - 16 * h : 16);
          __m512i words = _mm512_mask_i32gather_epi32(
              _mm512_setzero_si512(), (__mmask16)((1u << m) - 1), cols, c + 16 * h * ws + k, 2);
          __m512i hi, lo;
          finite &= split32(words, &hi, &lo);
          _mm512_storeu_si512((void *)(d + 16 * h), hi);
          _mm512_storeu_si512((void *)(d + 512 + 16 * h), lo);
        }
        continue;
      }
      if (ws == 1 && k + PF_ROWS + 1 < K) { /* rows are far apart: no hardware prefetch */
        _mm_prefetch((const char *)(c + (k + PF_ROWS) * ks), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + (k + PF_ROWS + 1) * ks), _MM_HINT_T0);
      }
      __m512i h0 = _mm512_setzero_si512(), l0 = h0, h1 = h0, l1 = h0;
      if (k < K) finite &= split32(load_f16x32(c + k * ks, ws, n), &h0, &l0);
      if (k + 1 < K) finite &= split32(load_f16x32(c + (k + 1) * ks, ws, n), &h1, &l1);
      _mm512_storeu_si512((void *)d, _mm512_permutex2var_epi16(h0, lo_idx, h1));
      _mm512_storeu_si512((void *)(d + 16), _mm512_permutex2var_epi16(h0, hi_idx, h1));
      _mm512_storeu_si512((void *)(d + 512), _mm512_permutex2var_epi16(l0, lo_idx, l1));
      _mm512_storeu_si512((void *)(d + 528), _mm512_permutex2var_epi16(l0, hi_idx, l1));
    }
  }
  return finite;
}
