/* 16-bit float conversions, inline, branch-free and vectorizable. Self-contained (system
 * headers only): compile's generated kernels embed this file's text (fused_codegen.c). */
#ifndef MX_BACKEND_CPU_HALF_H
#define MX_BACKEND_CPU_HALF_H

#include <stdint.h>
#include <string.h>

static inline uint32_t mx_fbits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}
static inline float mx_bitsf(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* Scaling the shifted bits by 2^112 rebiases normals and normalizes subnormals exactly; results
 * at or above 2^16 came from inf/NaN and get the all-ones exponent (payload kept). */
static inline float mx_h2f(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  float o = mx_bitsf((uint32_t)(h & 0x7fffu) << 13) * 0x1p112f;
  uint32_t r = mx_fbits(o);
  r = o >= 65536.0f ? (r | 0x7f800000u) : r;
  return mx_bitsf(r | sign);
}

static inline uint16_t mx_f2h(float f) {
  uint32_t x = mx_fbits(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t ax = x & 0x7fffffffu;
  /* normal range: rebias and round to nearest even on bit 13 (carries into inf correctly) */
  uint32_t normal = (ax - 0x38000000u + 0xfffu + ((ax >> 13) & 1u)) >> 13;
  /* subnormal range: adding 0.5 aligns the 10 mantissa bits at the bottom, rounding by the FPU */
  float s = mx_bitsf(ax) + 0.5f;
  uint32_t sub = mx_fbits(s) - 0x3f000000u;
  uint32_t r = ax < 0x38800000u ? sub : normal;
  r = ax >= 0x47800000u ? 0x7c00u : r;                          /* >= 65536: inf */
  r = ax > 0x7f800000u ? (0x7e00u | ((ax >> 13) & 0x3ffu)) : r; /* NaN stays (quiet) NaN */
  return (uint16_t)(r | sign);
}

static inline uint16_t mx_f2bf(float f) {
  uint32_t x = mx_fbits(f);
  uint32_t r = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
  uint32_t q = (x >> 16) | 0x40u;
  return (uint16_t)((x & 0x7fffffffu) > 0x7f800000u ? q : r);
}

static inline float mx_bf2f(uint16_t b) {
  return mx_bitsf((uint32_t)b << 16);
}

#endif
