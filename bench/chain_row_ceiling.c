/* A hand-written AVX-512 row function of bench/compile.py's GELU -> layer norm -> softmax chain,
 * with the contract of the generated ones (src/backend/cpu/fused.c), for bench/fused_row.c: the
 * same erf, exp and division by sqrt(2) as the fused kernels (ew_vec512.h), the max pass folded
 * into the first one (compile_hoist.c's identity), two accumulators per sum, one loop per pass
 * and no block buffers. What is left is the arithmetic a chain kernel cannot avoid with these
 * functions: its time per element bounds what code generation can reach.
 *
 *   cc -O3 -march=native -fPIC -shared -fno-math-errno -fno-trapping-math -Isrc \
 *      bench/chain_row_ceiling.c -o /tmp/chain_ceiling.so -lm
 *   /tmp/fused_row /tmp/chain_ceiling.so [rows]
 *
 * Inputs as bench/fused_row.c passes them: in[0] the rows of x, in[1] the means' scale 1 / d. */
#include <stdint.h>

#include "backend/cpu/ew_math.h"
#include "backend/cpu/ew_vec512.h"

#define RSQRT2_DIVISOR 0x1.6a09e6p+0f /* sqrt(2) rounded to float, as the traced x / sqrt(2) */
#define EPS 0x1.4f8b58p-17f           /* 1e-5 rounded to float */

static float gelu(float v) {
  return v * (1 + ew_erff(v / RSQRT2_DIVISOR)) / 2;
}

EW_V16_TARGET void mx_fused_row(int64_t d, int64_t nrows, void *const *in, const int64_t *stride,
                                const int64_t *rstride, void *const *out, void *scratch) {
  (void)stride;
  float *h = scratch, *e = (float *)scratch + d;
  const float inv_d = *(const float *)in[1];
  const ew_v16 divisor = _mm512_set1_ps(RSQRT2_DIVISOR), one = _mm512_set1_ps(1.0f),
               half = _mm512_set1_ps(0.5f);
  for (int64_t r = 0; r < nrows; r++) {
    const float *x = (const float *)((const char *)in[0] + r * rstride[0]);
    float *y = (float *)((char *)out[0] + r * rstride[3]);
    /* pass 1: h = gelu(x), its sum and its max */
    ew_v16 s0 = _mm512_setzero_ps(), s1 = s0, top = _mm512_set1_ps(-EW_INFF);
    int64_t j = 0;
    for (; j + 16 <= d; j += 16) {
      ew_v16 v = _mm512_loadu_ps(x + j);
      ew_v16 g = _mm512_mul_ps(
          _mm512_mul_ps(v, _mm512_add_ps(one, v16_erf(_mm512_div_ps(v, divisor)))), half);
      _mm512_storeu_ps(h + j, g);
      if (j & 16)
        s1 = _mm512_add_ps(s1, g);
      else
        s0 = _mm512_add_ps(s0, g);
      top = _mm512_max_ps(top, g);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1)), hmax = _mm512_reduce_max_ps(top);
    for (; j < d; j++) {
      h[j] = gelu(x[j]);
      sum += h[j];
      hmax = hmax > h[j] ? hmax : h[j];
    }
    /* pass 2: the variance */
    const float mu = sum * inv_d;
    const ew_v16 m = _mm512_set1_ps(mu);
    s0 = s1 = _mm512_setzero_ps();
    for (j = 0; j + 32 <= d; j += 32) {
      ew_v16 t0 = _mm512_sub_ps(_mm512_loadu_ps(h + j), m),
             t1 = _mm512_sub_ps(_mm512_loadu_ps(h + j + 16), m);
      s0 = _mm512_fmadd_ps(t0, t0, s0);
      s1 = _mm512_fmadd_ps(t1, t1, s1);
    }
    float var = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    for (; j < d; j++) var += (h[j] - mu) * (h[j] - mu);
    /* pass 3: e = exp(z - max z) and its sum, z = (h - mu) * rstd; max z from max h */
    const float rstd = 1.0f / __builtin_sqrtf(var * inv_d + EPS), zmax = (hmax - mu) * rstd;
    const ew_v16 rs = _mm512_set1_ps(rstd), zm = _mm512_set1_ps(zmax);
    s0 = s1 = _mm512_setzero_ps();
    for (j = 0; j + 16 <= d; j += 16) {
      ew_v16 z = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(h + j), m), rs);
      ew_v16 ez = v16_exp(_mm512_sub_ps(z, zm));
      _mm512_storeu_ps(e + j, ez);
      if (j & 16)
        s1 = _mm512_add_ps(s1, ez);
      else
        s0 = _mm512_add_ps(s0, ez);
    }
    float esum = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    for (; j < d; j++) esum += e[j] = ew_expf((h[j] - mu) * rstd - zmax);
    /* pass 4: the output */
    const float inv = 1.0f / esum;
    const ew_v16 iv = _mm512_set1_ps(inv);
    for (j = 0; j + 16 <= d; j += 16)
      _mm512_storeu_ps(y + j, _mm512_mul_ps(_mm512_loadu_ps(e + j), iv));
    for (; j < d; j++) y[j] = e[j] * inv;
  }
}
