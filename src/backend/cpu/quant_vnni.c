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

/* The 16 lanes' group scales of a whole chunk whose first group is s[0]: lane j takes group
 * j / wpg, lpl = 16 / wpg groups (group sizes 32, 64, 128: lpl 4, 2, 1). */
TGT_VNNI static inline __attribute__((always_inline)) __m512
full_chunk_scales(const float *s, const int lpl, __m512i idx) {
  if (lpl == 1) return _mm512_set1_ps(s[0]);
  if (lpl == 2)
    return _mm512_permutexvar_ps(
        idx, _mm512_castpd_ps(_mm512_castpd128_pd512(_mm_load_sd((const double *)s))));
  return _mm512_permutexvar_ps(idx, _mm512_castps128_ps512(_mm_loadu_ps(s)));
}

/* acc[m] += the dot products of chunk c (words w0 .. w0 + 15 of the row, v) with x's rows */
TGT_VNNI static inline __attribute__((always_inline)) void chunk_step(__m512i v, __m512 sv,
                                                                      const char *xq,
                                                                      int64_t xq_stride, int64_t c,
                                                                      const int M, __m512 *acc) {
  const __m512i nib = _mm512_set1_epi8(0x0F);
  __m512i lo = _mm512_and_si512(v, nib), hi = _mm512_and_si512(_mm512_srli_epi32(v, 4), nib);
  for (int m = 0; m < M; m++) {
    const char *q = xq + m * xq_stride + c * MX_QMV_VNNI_CHUNK;
    __m512 xs = _mm512_load_ps((const float *)(q + 384));
    acc[m] = _mm512_fmadd_ps(chunk_dot(lo, hi, q), _mm512_mul_ps(sv, xs), acc[m]);
  }
}

/* M and lpl are constants in each instance (dispatch below), so the accumulators stay in
 * registers and whole chunks need no masks or shifts; a last partial chunk is masked. */
TGT_VNNI static inline __attribute__((always_inline)) void
dot_rows(const uint32_t *wrow, int64_t W, const float *scales, int64_t G, int wpg, const char *xq,
         int64_t xq_stride, const int M, const int lpl, float *r) {
  const __m512i idx =
      _mm512_set_epi32(15 / wpg, 14 / wpg, 13 / wpg, 12 / wpg, 11 / wpg, 10 / wpg, 9 / wpg, 8 / wpg,
                       7 / wpg, 6 / wpg, 5 / wpg, 4 / wpg, 3 / wpg, 2 / wpg, 1 / wpg, 0);
  __m512 acc[8];
  for (int m = 0; m < M; m++) acc[m] = _mm512_setzero_ps();
  int64_t full = W / 16, c = 0;
  for (; c < full; c++) {
    _mm_prefetch((const char *)(wrow + 16 * c) + MX_QMV_PREFETCH, _MM_HINT_T0);
    chunk_step(_mm512_loadu_si512((const void *)(wrow + 16 * c)),
               full_chunk_scales(scales + c * lpl, lpl, idx), xq, xq_stride, c, M, acc);
  }
  if (W > 16 * full) {
    __mmask16 km = (__mmask16)((1u << (W - 16 * full)) - 1);
    __m512 sv = mx_q_chunk_scales(scales, G, c * lpl, lpl, idx);
    chunk_step(_mm512_maskz_loadu_epi32(km, wrow + 16 * c), sv, xq, xq_stride, c, M, acc);
  }
  for (int m = 0; m < M; m++) r[m] = _mm512_reduce_add_ps(acc[m]);
}

TGT_VNNI void mx_qmv_vnni_dot4(const uint32_t *wrow, int64_t W, const float *scales, int64_t G,
                               int wpg, const char *xq, int64_t xq_stride, int M, float *r) {
  int lpl = wpg >= 16 ? 1 : 16 / wpg;
  switch (M * 8 + lpl) {
#define DOT_CASE(m, l)                                                                             \
  case m * 8 + l:                                                                                  \
    dot_rows(wrow, W, scales, G, wpg, xq, xq_stride, m, l, r);                                     \
    break;
#define DOT_CASES(m) DOT_CASE(m, 1) DOT_CASE(m, 2) DOT_CASE(m, 4)
    DOT_CASES(1)
    DOT_CASES(2)
    DOT_CASES(3)
    DOT_CASES(4)
    DOT_CASES(5)
    DOT_CASES(6)
    DOT_CASES(7)
    DOT_CASES(8)
#undef DOT_CASES
#undef DOT_CASE
  default:
    break;
  }
}
