/* Shared by the quantization kernels (quant.c, quant_mm.c): element codecs (fp4 e2m1, fp8 e4m3,
 * e8m0), unpacking of the LSB-first bitstreams of packed rows, and rows of any float dtype read
 * as float. All decoders are exact. */
#ifndef MX_BACKEND_CPU_QUANT_COMMON_H
#define MX_BACKEND_CPU_QUANT_COMMON_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/dtype.h"
#include "ops/quant.h"

static const float mx_fp4_values[16] = {0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  3.0f,  4.0f,  6.0f,
                                        -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};

static inline float mx_q_bits_to_float(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static inline uint32_t mx_q_float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/* fp8 e4m3 (no infinities; 0x7f / 0xff are NaN) to float. */
static inline float mx_fp8_decode(uint8_t c) {
  if ((c & 0x7f) == 0x7f) return NAN;
  /* Shifting the 7 magnitude bits into float's exponent / mantissa position and scaling by
   * 2^(127 - 7) gives the value for normal and subnormal codes alike. */
  float f = mx_q_bits_to_float((uint32_t)(c & 0x7f) << 20) * 0x1p120f;
  return (c & 0x80) ? -f : f;
}

/* float to fp8 e4m3: round to nearest even, saturating at +-448; NaN gives 448 (as MLX).
 * Branch-free, so loops over it vectorize: normal codes come from float's bits rounded at the
 * third mantissa bit (a carry moves into the exponent, as it should), codes below 2^-6 are
 * multiples of 2^-9; infinities and nans round past 0x7e and saturate there. */
static inline uint8_t mx_fp8_encode(float x) {
  uint32_t u = mx_q_float_bits(x), b = u & 0x7fffffffu;
  float f = mx_q_bits_to_float(b);
  int32_t normal = (int32_t)((b + 0x7ffffu + ((b >> 20) & 1u)) >> 20) - (120 << 3);
  int32_t code = f < 0x1p-6f ? (int32_t)nearbyintf(f * 512.0f) : normal;
  code = code > 0x7e ? 0x7e : code;
  return (uint8_t)(((u >> 24) & 0x80u) | (uint32_t)code);
}

/* fp4 e2m1 code of x (ties toward zero, as MLX); a result of zero has no sign. */
static inline uint8_t mx_fp4_encode(float x) {
  float a = fabsf(x); /* the number of code boundaries below |x| (branch-free, vectorizable) */
  int m = (a > 0.25f) + (a > 0.75f) + (a > 1.25f) + (a > 1.75f) + (a > 2.5f) + (a > 3.5f) +
          (a > 5.0f);
  m |= (a != a) * 7;
  return (uint8_t)(m | ((m != 0) & (x < 0.0f)) << 3);
}

/* e8m0 exponent code to its power of two. */
static inline float mx_e8m0_decode(uint8_t c) {
  if (c == 255) return NAN;
  return ldexpf(1.0f, (int)c - 127);
}

/* The smallest power of two >= s (s >= 0), as an e8m0 code; 0 gives 127 (as MLX). */
static inline uint8_t mx_e8m0_ceil(float s) {
  if (!(s > 0.0f)) return 127;
  int ex;
  float m = frexpf(s, &ex); /* s = m 2^ex, m in [0.5, 1) */
  int e = m == 0.5f ? ex - 1 : ex;
  e += 127;
  return (uint8_t)(e < 0 ? 0 : e > 254 ? 254 : e);
}

/* Element i of a float-typed buffer as float. */
static inline float mx_q_load(const void *p, mx_dtype t, int64_t i) {
  switch (t) {
  case MX_FLOAT32: return ((const float *)p)[i];
  case MX_FLOAT16: return mx_f16_to_f32(((const uint16_t *)p)[i]);
  case MX_BFLOAT16: return mx_bf16_to_f32(((const uint16_t *)p)[i]);
  case MX_FLOAT64: return (float)((const double *)p)[i];
  default: return (float)mx_load_as_double(p, t, i);
  }
}

static inline void mx_q_store(void *p, mx_dtype t, int64_t i, float v) {
  switch (t) {
  case MX_FLOAT32: ((float *)p)[i] = v; break;
  case MX_FLOAT16: ((uint16_t *)p)[i] = mx_f32_to_f16(v); break;
  case MX_BFLOAT16: ((uint16_t *)p)[i] = mx_f32_to_bf16(v); break;
  default: mx_store_from_double(p, t, i, v); break;
  }
}

/* v rounded to a float16 / bfloat16 value. */
static inline float mx_q_round_half(float v, mx_dtype t) {
  return t == MX_FLOAT16 ? mx_f16_to_f32(mx_f32_to_f16(v)) : mx_bf16_to_f32(mx_f32_to_bf16(v));
}

/* Codes e0 .. e0 + n - 1 of a packed row (LSB-first bitstream of `bits`-bit codes); e0 * bits
 * is a multiple of 32 (groups start on word boundaries). */
static inline void mx_q_unpack(const uint32_t *row, int bits, int64_t e0, int64_t n,
                               uint8_t *codes) {
  const uint32_t *wp = row + e0 * bits / 32;
  uint32_t mask = (1u << bits) - 1;
  switch (bits) { /* constant shifts for the common widths */
  case 2:
    for (int64_t i = 0; i < n / 16; i++)
      for (int j = 0; j < 16; j++) codes[i * 16 + j] = (uint8_t)((wp[i] >> (2 * j)) & 3u);
    return;
  case 4:
    for (int64_t i = 0; i < n / 8; i++)
      for (int j = 0; j < 8; j++) codes[i * 8 + j] = (uint8_t)((wp[i] >> (4 * j)) & 15u);
    return;
  case 8:
    for (int64_t i = 0; i < n / 4; i++)
      for (int j = 0; j < 4; j++) codes[i * 4 + j] = (uint8_t)(wp[i] >> (8 * j));
    return;
  default: break;
  }
  uint64_t acc = 0;
  int have = 0;
  for (int64_t i = 0; i < n; i++) {
    if (have < bits) {
      acc |= (uint64_t)(*wp++) << have;
      have += 32;
    }
    codes[i] = (uint8_t)(acc & mask);
    acc >>= bits;
    have -= bits;
  }
}

/* The scale of group g of a row of scales (any mode), as float (before any global scale). */
static inline float mx_q_scale(const void *srow, mx_dtype st, int mode, int64_t g) {
  if (mode == MX_QMODE_AFFINE) return mx_q_load(srow, st, g);
  uint8_t c = ((const uint8_t *)srow)[g];
  return mode == MX_QMODE_NVFP4 ? mx_fp8_decode(c) : mx_e8m0_decode(c);
}

/* The value of code c in a non-affine mode, before scaling. */
static inline float mx_q_code_value(int mode, uint8_t c) {
  return mode == MX_QMODE_MXFP8 ? mx_fp8_decode(c) : mx_fp4_values[c & 15];
}

/* nvfp4's global scale factor: values are code * scale * g / (448 * 6). */
static inline float mx_q_global_factor(float g) {
  return g / (448.0f * 6.0f);
}

/* Dequantizes n elements (a whole number of groups starting at element e0) of one row into dst
 * (float or, when dbl, double). bias_row NULL for non-affine modes; gf the global factor (1
 * without one). round_half: affine values computed in the (half) scales' dtype as MLX's
 * dequantize does, the product rounded, then the sum. */
static inline void mx_q_dequant_row_r(const uint32_t *wrow, const void *srow, const void *brow,
                                      mx_dtype st, const mx_quant_params *p, float gf, int64_t e0,
                                      int64_t n, void *dst, int dbl, int round_half) {
  uint8_t codes[256];
  int gs = p->group_size;
  for (int64_t g0 = 0; g0 < n; g0 += gs) {
    int64_t g = (e0 + g0) / gs;
    mx_q_unpack(wrow, p->bits, e0 + g0, gs, codes);
    float s = mx_q_scale(srow, st, p->mode, g) * gf;
    if (p->mode == MX_QMODE_AFFINE) {
      float b = mx_q_load(brow, st, g);
      if (dbl) { /* float64 scales and biases kept exact */
        double sd = st == MX_FLOAT64 ? ((const double *)srow)[g] : s;
        double bd = st == MX_FLOAT64 ? ((const double *)brow)[g] : b;
        double *d = (double *)dst + g0;
        for (int k = 0; k < gs; k++) d[k] = (double)codes[k] * sd + bd;
      } else if (round_half) {
        float *d = (float *)dst + g0;
        for (int k = 0; k < gs; k++)
          d[k] = mx_q_round_half(mx_q_round_half((float)codes[k] * s, st) + b, st);
      } else {
        float *d = (float *)dst + g0;
        for (int k = 0; k < gs; k++) d[k] = (float)codes[k] * s + b;
      }
    } else if (dbl) {
      double *d = (double *)dst + g0;
      for (int k = 0; k < gs; k++) d[k] = mx_q_code_value(p->mode, codes[k]) * s;
    } else {
      float *d = (float *)dst + g0;
      for (int k = 0; k < gs; k++) d[k] = mx_q_code_value(p->mode, codes[k]) * s;
    }
  }
}

#if defined(__x86_64__)
#include <immintrin.h>

/* The 16 per-lane scales of a qmv chunk (16 words) whose first word is in group g0: one group
 * for the whole chunk (lanes_per_load 1), or lanes_per_load groups spread over the lanes by idx
 * (lane j: group g0 + j / words per group). */
__attribute__((target("avx512f"))) static inline __m512
mx_q_chunk_scales(const float *scales, int64_t G, int64_t g0, int lanes_per_load, __m512i idx) {
  if (lanes_per_load == 1) return _mm512_set1_ps(scales[g0]);
  int64_t gl = G - g0 < lanes_per_load ? G - g0 : lanes_per_load;
  return _mm512_permutexvar_ps(idx,
                               _mm512_maskz_loadu_ps((__mmask16)((1u << gl) - 1), scales + g0));
}
#endif

/* quant_vnni.c: 4-bit affine matrix-vector products with AVX512-VNNI. x rows are prepared once
 * (mx_qmv_vnni_prepare: MX_QMV_VNNI_CHUNK bytes per 128 elements, 64-byte aligned: three int8
 * parts of the even and odd elements, then 16 per-lane group scales of x); mx_qmv_vnni_dot4
 * gives the M dot products of one packed row with M prepared rows, scales included, biases not.
 * wpg: words per group (group_size / 8). */
enum { MX_QMV_VNNI_CODES = 128, MX_QMV_VNNI_CHUNK = 448, MX_QMV_PREFETCH = 1024 };
bool mx_qmv_vnni_available(void);
void mx_qmv_vnni_prepare(const float *x, int64_t K, int gs, char *dst);
void mx_qmv_vnni_dot4(const uint32_t *wrow, int64_t W, const float *scales, int64_t G, int wpg,
                      const char *xq, int64_t xq_stride, int M, float *r);

static inline void mx_q_dequant_row(const uint32_t *wrow, const void *srow, const void *brow,
                                    mx_dtype st, const mx_quant_params *p, float gf, int64_t e0,
                                    int64_t n, void *dst, int dbl) {
  mx_q_dequant_row_r(wrow, srow, brow, st, p, gf, e0, n, dst, dbl, 0);
}

#endif
