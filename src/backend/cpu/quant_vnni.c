/* 4-bit affine quantized matrix-vector products with AVX512-VNNI (quant_mm.c's qmv, when the CPU
 * has it): the packed nibbles are multiplied as bytes, 64 products per vpdpbusd, instead of being
 * converted to floats 16 at a time (the float kernel is limited by that decoding, not by memory).
 *
 * x is turned into integers once per call: per quantization group, s = max|x| / 127 and
 * x / s = h + m / 254 + l / 254^2 with h, m, l int8 (each remainder is at most half a unit, so
 * the three parts carry x to within 2^-8 / 254^2 of the group's largest value: float32's
 * precision for the products). A weight row's 64-byte chunk (128 codes) splits into its low and
 * high nibbles (codes 2i and 2i + 1 of byte i); x's parts are stored per chunk in the same order
 * (even and odd elements), so vpdpbusd's int32 lane j sums codes 8j .. 8j + 7 exactly, lane j
 * is word j of the chunk (the float kernel's lane), and the group scales multiply per lane.
 * Affine biases stay with the caller (bias times the float sum of x over the group). */
#include <immintrin.h>
#include <math.h>
#include <string.h>

#include "backend/cpu/quant_common.h"

#define TGT_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma")))

/* The rest of AVX-512 comes with the GEMM level quant_mm.c requires (MX_GEMM_ISA_AVX512BF16). */
bool mx_qmv_vnni_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512vnni");
}

void mx_qmv_vnni_prepare(const float *x, int64_t K, int gs, char *dst) {
  int64_t nch = (K + MX_QMV_VNNI_CODES - 1) / MX_QMV_VNNI_CODES;
  memset(dst, 0, (size_t)nch * MX_QMV_VNNI_CHUNK);
  for (int64_t g0 = 0; g0 < K; g0 += gs) {
    int64_t g1 = g0 + gs < K ? g0 + gs : K;
    float mx = 0.0f;
    for (int64_t e = g0; e < g1; e++) mx = fmaxf(mx, fabsf(x[e]));
    float s = mx / 127.0f, inv = mx > 0.0f ? 127.0f / mx : 0.0f;
    for (int64_t e = g0; e < g1; e++) {
      float t = x[e] * inv;
      t = t > 127.0f ? 127.0f : t < -127.0f ? -127.0f : t;
      float h = rintf(t), r1 = (t - h) * 254.0f, m = rintf(r1), l = rintf((r1 - m) * 254.0f);
      int64_t c = e / MX_QMV_VNNI_CODES, i = e % MX_QMV_VNNI_CODES;
      int8_t *q = (int8_t *)(dst + c * MX_QMV_VNNI_CHUNK) + (i & 1) * 64 + i / 2;
      q[0] = (int8_t)h, q[128] = (int8_t)m, q[256] = (int8_t)l;
      if (i % 8 == 0) ((float *)(dst + c * MX_QMV_VNNI_CHUNK + 384))[i / 8] = s;
    }
  }
}

/* sum over the chunk's 16 lanes' codes times x's parts, as int32 per lane, then in float */
TGT_VNNI static inline __attribute__((always_inline)) __m512 chunk_dot(__m512i lo, __m512i hi,
                                                                       const char *q) {
  const __m512i z = _mm512_setzero_si512();
  __m512i ah = _mm512_dpbusd_epi32(z, lo, _mm512_load_si512((const void *)q));
  ah = _mm512_dpbusd_epi32(ah, hi, _mm512_load_si512((const void *)(q + 64)));
  __m512i am = _mm512_dpbusd_epi32(z, lo, _mm512_load_si512((const void *)(q + 128)));
  am = _mm512_dpbusd_epi32(am, hi, _mm512_load_si512((const void *)(q + 192)));
  __m512i al = _mm512_dpbusd_epi32(z, lo, _mm512_load_si512((const void *)(q + 256)));
  al = _mm512_dpbusd_epi32(al, hi, _mm512_load_si512((const void *)(q + 320)));
  __m512 f =
      _mm512_fmadd_ps(_mm512_cvtepi32_ps(am), _mm512_set1_ps(1.0f / 254), _mm512_cvtepi32_ps(ah));
  return _mm512_fmadd_ps(_mm512_cvtepi32_ps(al), _mm512_set1_ps(1.0f / (254.0f * 254.0f)), f);
}

/* M is a constant in each instance (dispatch below), so the accumulators stay in registers */
TGT_VNNI static inline __attribute__((always_inline)) void
dot_rows(const uint32_t *wrow, int64_t W, const float *scales, int64_t G, int wpg, const char *xq,
         int64_t xq_stride, const int M, float *r) {
  const __m512i nib = _mm512_set1_epi8(0x0F);
  const int lanes_per_load = wpg >= 16 ? 1 : 16 / wpg, wpg_log2 = __builtin_ctz((unsigned)wpg);
  const __m512i idx =
      _mm512_set_epi32(15 / wpg, 14 / wpg, 13 / wpg, 12 / wpg, 11 / wpg, 10 / wpg, 9 / wpg, 8 / wpg,
                       7 / wpg, 6 / wpg, 5 / wpg, 4 / wpg, 3 / wpg, 2 / wpg, 1 / wpg, 0);
  __m512 acc[8];
  for (int m = 0; m < M; m++) acc[m] = _mm512_setzero_ps();
  for (int64_t w0 = 0, c = 0; w0 < W; w0 += 16, c++) {
    int64_t left = W - w0;
    __mmask16 km = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
    __m512i v = _mm512_maskz_loadu_epi32(km, wrow + w0);
    _mm_prefetch((const char *)(wrow + w0) + MX_QMV_PREFETCH, _MM_HINT_T0);
    __m512i lo = _mm512_and_si512(v, nib), hi = _mm512_and_si512(_mm512_srli_epi32(v, 4), nib);
    __m512 sv = mx_q_chunk_scales(scales, G, w0 >> wpg_log2, lanes_per_load, idx);
    for (int m = 0; m < M; m++) {
      const char *q = xq + m * xq_stride + c * MX_QMV_VNNI_CHUNK;
      __m512 xs = _mm512_load_ps((const float *)(q + 384));
      acc[m] = _mm512_fmadd_ps(chunk_dot(lo, hi, q), _mm512_mul_ps(sv, xs), acc[m]);
    }
  }
  for (int m = 0; m < M; m++) r[m] = _mm512_reduce_add_ps(acc[m]);
}

TGT_VNNI void mx_qmv_vnni_dot4(const uint32_t *wrow, int64_t W, const float *scales, int64_t G,
                               int wpg, const char *xq, int64_t xq_stride, int M, float *r) {
  switch (M) {
#define DOT_CASE(m)                                                                                \
  case m:                                                                                          \
    dot_rows(wrow, W, scales, G, wpg, xq, xq_stride, m, r);                                        \
    break;
    DOT_CASE(1)
    DOT_CASE(2)
    DOT_CASE(3)
    DOT_CASE(4)
    DOT_CASE(5)
    DOT_CASE(6)
    DOT_CASE(7)
    DOT_CASE(8)
#undef DOT_CASE
  default:
    break;
  }
}
