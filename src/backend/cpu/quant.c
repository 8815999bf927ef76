/* CPU kernels: Quantize, Dequantize, ToFP8, FromFP8 (formats in src/ops/quant.h). Quantize
 * reproduces MLX's arithmetic step by step in float (no expression has a product that could be
 * contracted into an FMA, so the AVX-512 / AVX2 clones round alike), so the packed words, scales
 * and biases are bit-identical. Rows are spread over the elementwise thread pool. */
/* no-trapping-math lets GCC turn the encoders' float compares into selects (vectorizing them) */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("no-trapping-math")
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/ew_common.h"
#include "backend/cpu/quant_common.h"
#include "core/error.h"

/* Appends `bits`-bit codes to an LSB-first bitstream of uint32 words. */
typedef struct {
  uint32_t *out;
  uint64_t acc;
  int nacc;
} bitwriter;

static inline void bw_put(bitwriter *w, uint32_t code, int bits) {
  w->acc |= (uint64_t)code << w->nacc;
  w->nacc += bits;
  if (w->nacc >= 32) {
    *w->out++ = (uint32_t)w->acc;
    w->acc >>= 32;
    w->nacc -= 32;
  }
}

typedef struct {
  const mx_quant_params *p;
  const void *w;
  mx_dtype wt;
  int64_t K;
  uint32_t *q;
  void *scales, *biases;
  float global;
} quantize_ctx;

static inline void quantize_affine_group(const quantize_ctx *c, const float *v, int64_t g,
                                         uint8_t *codes) {
  int gs = c->p->group_size, bits = c->p->bits;
  float n_bins = (float)((1 << bits) - 1), eps = 1e-7f;
  float wmax = -INFINITY, wmin = INFINITY;
  for (int k = 0; k < gs; k++) { /* std::max / std::min's comparisons */
    wmax = wmax < v[k] ? v[k] : wmax;
    wmin = v[k] < wmin ? v[k] : wmin;
  }
  float scale, bias;
  float range = (wmax - wmin) / n_bins;
  if (bits == 1) {
    scale = range < eps ? eps : range;
    bias = wmin;
  } else {
    bool neg = fabsf(wmin) > fabsf(wmax);
    scale = range < eps ? eps : range;
    scale = neg ? scale : -scale;
    float edge = neg ? wmin : wmax;
    float q0 = rintf(edge / scale);
    bias = 0.0f;
    if (q0 != 0.0f) {
      scale = edge / q0;
      bias = edge;
    }
  }
  for (int k = 0; k < gs; k++) { /* vectorized: the packing is a separate pass */
    float q = rintf((v[k] - bias) / scale);
    q = q < 0.0f ? 0.0f : q;
    q = n_bins < q ? n_bins : q;
    codes[k] = (uint8_t)q;
  }
  mx_q_store(c->scales, c->wt, g, scale);
  mx_q_store(c->biases, c->wt, g, bias);
}

static inline void quantize_fp_group(const quantize_ctx *c, const float *v, int64_t g,
                                     uint8_t *codes) {
  int gs = c->p->group_size, mode = c->p->mode;
  float amax = 0.0f;
  for (int k = 0; k < gs; k++) { /* fmaxf's value (amax is never nan), without the call */
    float a = fabsf(v[k]);
    amax = a > amax ? a : amax;
  }
  float scale;
  uint8_t *sc = c->scales;
  if (mode == MX_QMODE_NVFP4) {
    float enc = c->global > 0 ? 448.0f * 6.0f / c->global : 1.0f;
    sc[g] = mx_fp8_encode(amax / 6.0f * enc);
    scale = mx_fp8_decode(sc[g]) / enc;
  } else {
    sc[g] = mx_e8m0_ceil(amax / (mode == MX_QMODE_MXFP8 ? 448.0f : 6.0f));
    scale = mx_e8m0_decode(sc[g]);
  }
  if (scale == 0.0f)
    memset(codes, 0, (size_t)gs);
  else if (mode == MX_QMODE_MXFP8)
    for (int k = 0; k < gs; k++) codes[k] = mx_fp8_encode(v[k] / scale);
  else
    for (int k = 0; k < gs; k++) codes[k] = mx_fp4_encode(v[k] / scale);
}

/* A group's gs codes packed LSB-first into dst (gs * bits is a multiple of 32, so every group
 * starts a word); 2, 4 and 8 bits byte by byte (vectorizable), others through the bitwriter. */
static inline void pack_codes(const uint8_t *codes, int gs, int bits, uint32_t *dst) {
  uint8_t *d = (uint8_t *)dst;
  if (bits == 8) {
    memcpy(d, codes, (size_t)gs);
  } else if (bits == 4) {
    for (int i = 0; i < gs / 2; i++) d[i] = (uint8_t)(codes[2 * i] | codes[2 * i + 1] << 4);
  } else if (bits == 2) {
    for (int i = 0; i < gs / 4; i++)
      d[i] = (uint8_t)(codes[4 * i] | codes[4 * i + 1] << 2 | codes[4 * i + 2] << 4 |
                       codes[4 * i + 3] << 6);
  } else {
    bitwriter bw = {dst, 0, 0};
    for (int k = 0; k < gs; k++) bw_put(&bw, codes[k], bits);
  }
}

/* Whole rows; (the AVX-512/AVX2 clones vectorize the codes and the packing;
 * no expression here has a product to contract into an FMA, so every clone rounds as MLX) */
EW_CLONES static void quantize_rows(void *ctx, int64_t r0, int64_t r1) {
  const quantize_ctx *c = ctx;
  int64_t K = c->K, gs = c->p->group_size, G = K / gs, W = K * c->p->bits / 32;
  int64_t gw = gs * c->p->bits / 32; /* words per group */
  float vbuf[128];
  uint8_t codes[128];
  for (int64_t r = r0; r < r1; r++) {
    for (int64_t g = 0; g < G; g++) {
      int64_t e0 = r * K + g * gs;
      const float *v = vbuf;
      if (c->wt == MX_FLOAT32)
        v = (const float *)c->w + e0;
      else
        for (int k = 0; k < gs; k++) vbuf[k] = mx_q_load(c->w, c->wt, e0 + k);
      if (c->p->mode == MX_QMODE_AFFINE)
        quantize_affine_group(c, v, r * G + g, codes);
      else
        quantize_fp_group(c, v, r * G + g, codes);
      pack_codes(codes, (int)gs, c->p->bits, c->q + r * W + g * gw);
    }
  }
}

static float global_value(const mx_array *g) {
  return g ? mx_q_load(mx_array_data(g), (mx_dtype)g->dtype, 0) : 0.0f;
}

int mx_cpu_quantize(mx_node *n) {
  const mx_quant_params *p = n->params;
  const mx_array *w = n->inputs[0];
  int nout = n->nout;
  for (int i = 0; i < nout; i++) MX_TRY(mx_array_alloc_data(&n->out[i]));
  quantize_ctx c = {p,
                    mx_array_data(w),
                    (mx_dtype)w->dtype,
                    w->shape[w->ndim - 1],
                    mx_array_data(&n->out[0]),
                    mx_array_data(&n->out[1]),
                    nout > 2 ? mx_array_data(&n->out[2]) : NULL,
                    global_value(p->has_global ? n->inputs[1] : NULL)};
  int64_t rows = c.K ? w->size / c.K : 0;
  mx_ew_parallel_for(rows, 1 + (1 << 14) / (c.K ? c.K : 1), quantize_rows, &c);
  return 0;
}

/* ------------------------------------------------------------------ dequantize */

typedef struct {
  const mx_quant_params *p;
  const uint32_t *w;
  const void *scales, *biases;
  mx_dtype st, ot;
  int64_t K, G, W;
  float gf;
  void *out;
} dequant_ctx;

static void dequant_rows(void *ctx, int64_t r0, int64_t r1) {
  const dequant_ctx *c = ctx;
  size_t osz = mx_dtype_size(c->ot), ssz = mx_dtype_size(c->st);
  bool dbl = c->ot == MX_FLOAT64 && c->st != MX_FLOAT16 && c->st != MX_BFLOAT16;
  bool direct = dbl || (c->ot == MX_FLOAT32 && c->st == MX_FLOAT32);
  void *buf = direct ? NULL : malloc((size_t)c->K * sizeof(float));
  if (!direct && !buf) return;
  for (int64_t r = r0; r < r1; r++) {
    char *orow = (char *)c->out + (size_t)(r * c->K) * osz;
    void *dst = buf ? buf : orow;
    /* half scales: values computed in the scales' dtype (as MLX, which dequantizes in that
     * dtype and then casts) */
    mx_q_dequant_row_r(c->w + r * c->W, (const char *)c->scales + (size_t)(r * c->G) * ssz,
                       c->biases ? (const char *)c->biases + (size_t)(r * c->G) * ssz : NULL,
                       c->st, c->p, c->gf, 0, c->K, dst, dbl,
                       c->st == MX_FLOAT16 || c->st == MX_BFLOAT16);
    if (buf)
      for (int64_t k = 0; k < c->K; k++) mx_q_store(orow, c->ot, k, ((float *)buf)[k]);
  }
  free(buf);
}

int mx_cpu_dequantize(mx_node *n) {
  const mx_quant_params *p = n->params;
  mx_array *w = n->inputs[0], *s = n->inputs[1];
  mx_array *b = p->has_biases ? n->inputs[2] : NULL;
  mx_array *g = p->has_global ? n->inputs[2 + p->has_biases] : NULL;
  MX_TRY(mx_array_alloc_data(&n->out[0]));
  int64_t K = n->out[0].shape[n->out[0].ndim - 1];
  dequant_ctx c = {p,
                   mx_array_data(w),
                   mx_array_data(s),
                   b ? mx_array_data(b) : NULL,
                   (mx_dtype)s->dtype,
                   (mx_dtype)n->out[0].dtype,
                   K,
                   K / p->group_size,
                   K * p->bits / 32,
                   g ? mx_q_global_factor(global_value(g)) : 1.0f,
                   mx_array_data(&n->out[0])};
  int64_t rows = K ? n->out[0].size / K : 0;
  mx_ew_parallel_for(rows, 1 + (1 << 14) / (K ? K : 1), dequant_rows, &c);
  return 0;
}

/* ------------------------------------------------------------------ fp8 */

typedef struct {
  const mx_array *in;
  void *out;
  mx_dtype t;
} fp8_ctx;

/* Inputs are row-contiguous (ops/quant.c makes them so). */
EW_CLONES static void to_fp8_range(void *ctx, int64_t i0, int64_t i1) {
  const fp8_ctx *c = ctx;
  const void *src = mx_array_data(c->in);
  uint8_t *o = c->out;
  mx_dtype t = (mx_dtype)c->in->dtype;
  if (t == MX_FLOAT32) { /* the common case, vectorized */
    const float *f = src;
    for (int64_t i = i0; i < i1; i++) o[i] = mx_fp8_encode(f[i]);
    return;
  }
  for (int64_t i = i0; i < i1; i++) o[i] = mx_fp8_encode(mx_q_load(src, t, i));
}

EW_CLONES static void from_fp8_range(void *ctx, int64_t i0, int64_t i1) {
  const fp8_ctx *c = ctx;
  const uint8_t *src = mx_array_data(c->in);
  if (c->t == MX_FLOAT32) { /* the common case, vectorized */
    float *o = c->out;
    for (int64_t i = i0; i < i1; i++) o[i] = mx_fp8_decode(src[i]);
    return;
  }
  for (int64_t i = i0; i < i1; i++) {
    float v = mx_fp8_decode(src[i]);
    if (c->t == MX_FLOAT64) ((double *)c->out)[i] = v;
    else mx_q_store(c->out, c->t, i, v);
  }
}

int mx_cpu_to_fp8(mx_node *n) {
  MX_TRY(mx_array_alloc_data(&n->out[0]));
  fp8_ctx c = {n->inputs[0], mx_array_data(&n->out[0]), MX_UINT8};
  mx_ew_parallel_for(n->out[0].size, 1 << 15, to_fp8_range, &c);
  return 0;
}

int mx_cpu_from_fp8(mx_node *n) {
  MX_TRY(mx_array_alloc_data(&n->out[0]));
  fp8_ctx c = {n->inputs[0], mx_array_data(&n->out[0]), (mx_dtype)n->out[0].dtype};
  mx_ew_parallel_for(n->out[0].size, 1 << 15, from_fp8_range, &c);
  return 0;
}
