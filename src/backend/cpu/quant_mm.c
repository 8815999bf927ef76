/* CPU kernel of QuantizedMatmul: out (..., M, N) = x (..., M, K) @ dequantize(w)^T (transpose) or
 * @ dequantize(w), batch dims broadcast (size 1 or equal), every input row-contiguous.
 *
 * Three paths; only amx dequantizes the weight whole, a block of about 8 MB at a time:
 *  - qmv (transpose, bits 2 / 4 / 8, M <= 8, AVX-512): streams the packed rows once, prefetching
 *    1 KiB ahead. A 64-byte chunk of 16 words is loaded as a vector; shifting by k * bits and
 *    masking gives, in lane j, code k of word j, so x is stored once per call "deinterleaved"
 *    (lane j of vector k holds the x of code k of word j) and the dot products are plain FMAs.
 *    Lane j belongs to group (16 c + j) / words_per_group, so the scales multiply per lane;
 *    affine biases contribute bias[g] * sum(x over group g) (per-group sums of x computed once).
 *    Codes become floats by int conversion (affine), a 16-entry permute (fp4) or bit placement
 *    (fp8 e4m3).
 *  - amx (bfloat16 or float16 x and output on a CPU with AMX; bfloat16 from 9 rows or when qmv
 *    does not apply, float16 from 32): the block is dequantized to x's dtype and multiplied by
 *    the GEMM of gemm.h (AMX tiles; float16 as bfloat16 hi + lo parts).
 *  - tiles (everything else: matrix-matrix, transpose=false, bits 1 / 3 / 5 / 6, float64):
 *    blocks of 64 (or 128) output columns; for each, tiles of up to 512 K-elements are
 *    dequantized into a small buffer and multiplied with the GEMM of gemm.h (OpenBLAS for
 *    float32 / float64), accumulating into the output.
 * Work is spread over threads by rows (qmv), column blocks (tiles) or the GEMM's own units. */
#include <immintrin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/blas_threads.h"
#include "backend/cpu/elementwise.h"
#include "backend/cpu/gemm.h"
#include "backend/cpu/quant_common.h"
#include "core/allocator.h"
#include "core/error.h"

#define TGT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,f16c,fma")))

typedef struct {
  const mx_quant_params *p;
  const mx_array *x, *w, *s, *b, *out;
  mx_dtype ot, st;
  int64_t nbatch, M, N, K, W, G; /* W words per packed row, G groups per row */
  float gf;                      /* nvfp4 global factor (1 otherwise) */
  /* qmv */
  const float *xp, *xsum;        /* per x batch: M rows of Kp deinterleaved / G group sums */
  int64_t Kp;
  const char *xq;                /* 4-bit affine with VNNI: x rows prepared (quant_vnni.c) */
  int64_t xq_stride;
  /* tiles */
  void *outc;                    /* compute-type output (the output itself when types agree) */
  const void *xc;                /* compute-type copy of x (x itself when it is float32/64) */
  bool dbl;
  int64_t nblocks, NB;
  /* qmv, transpose=false */
  float *sums;
  pthread_mutex_t lock;
  int64_t cur_batch;
  int rc;
} qmm_ctx;

/* The slice of a (batch dims broadcast against out's) used for output batch ob. */
static int64_t batch_slice(const mx_array *a, const mx_array *out, int64_t ob) {
  int64_t idx = 0, mult = 1;
  for (int d = out->ndim - 3; d >= 0; d--) {
    int64_t i = ob % out->shape[d];
    ob /= out->shape[d];
    if (a->shape[d] != 1) idx += i * mult;
    mult *= a->shape[d];
  }
  return idx;
}

static int64_t nslices(const mx_array *a) {
  int64_t n = 1;
  for (int d = 0; d < a->ndim - 2; d++) n *= a->shape[d];
  return n;
}

/* ------------------------------------------------------------------ qmv */

/* The streaming paths (either transpose) apply. */
static bool qmv_ok(const qmm_ctx *c) {
  int bits = c->p->bits;
  return (bits == 2 || bits == 4 || bits == 8) && c->M <= 8 && c->ot != MX_FLOAT64 &&
         mx_gemm_isa_get() >= MX_GEMM_ISA_AVX512;
}

/* Codes k of the 16 words in v, as floats. kind: 0 affine, 1 fp4, 2 fp8. Codes of at most 4 bits
 * go through a 16-entry permute (vpermps reads the low 4 bits of each lane, so no mask is
 * needed): lut holds the code values (i & mask for affine, e2m1 values for fp4). */
TGT_AVX512 static inline __attribute__((always_inline)) __m512 decode_codes(__m512i v, int k, const int bits, const int kind,
                                              __m512 lut) {
  __m512i sh = k ? _mm512_srli_epi32(v, (unsigned)(k * bits)) : v;
  if (bits <= 4 && kind != 2) return _mm512_permutexvar_ps(sh, lut);
  __m512i q = _mm512_and_si512(sh, _mm512_set1_epi32((1 << bits) - 1));
  if (kind == 0) return _mm512_cvtepi32_ps(q);
  __m512i mag = _mm512_slli_epi32(_mm512_and_si512(q, _mm512_set1_epi32(0x7f)), 20);
  __m512 f = _mm512_mul_ps(_mm512_castsi512_ps(mag), _mm512_set1_ps(0x1p120f));
  __m512i sgn = _mm512_slli_epi32(_mm512_and_si512(q, _mm512_set1_epi32(0x80)), 24);
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(f), sgn));
}

/* The lookup table of decode_codes. */
TGT_AVX512 static inline __attribute__((always_inline)) __m512 code_lut(const int bits,
                                                                        const int kind) {
  if (kind == 1) return _mm512_loadu_ps(mx_fp4_values);
  float t[16];
  for (int i = 0; i < 16; i++) t[i] = (float)(i & ((1 << bits) - 1));
  return _mm512_loadu_ps(t);
}

/* A row of G scales (or affine biases) as float32 times gf: the row itself when it already is
 * one, otherwise converted into buf. */
TGT_AVX512 static inline __attribute__((always_inline)) const float *
scales_f32(const char *src, mx_dtype st, int mode, int64_t G, float gf, float *buf) {
  if (mode == MX_QMODE_AFFINE && st == MX_FLOAT32 && gf == 1.0f) return (const float *)src;
  int64_t g = 0;
  if (mode == MX_QMODE_AFFINE && (st == MX_FLOAT16 || st == MX_BFLOAT16)) {
    for (; g + 16 <= G; g += 16) {
      __m256i h = _mm256_loadu_si256((const __m256i *)(src + 2 * g));
      __m512 f = st == MX_FLOAT16
                     ? _mm512_cvtph_ps(h)
                     : _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
      _mm512_storeu_ps(buf + g, _mm512_mul_ps(f, _mm512_set1_ps(gf)));
    }
  } else if (mode == MX_QMODE_MXFP4 || mode == MX_QMODE_MXFP8) {
    for (; g + 16 <= G; g += 16) { /* 2^(c - 127): c placed in float's exponent field */
      __m512i e = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(src + g)));
      __m512 f = _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
      _mm512_storeu_ps(buf + g, _mm512_mul_ps(f, _mm512_set1_ps(gf)));
    }
  }
  for (; g < G; g++) buf[g] = mx_q_scale(src, st, mode, g) * gf;
  return buf;
}

/* MX_QMV_PREFETCH: bytes of the packed rows read ahead of the chunk being decoded (qmv): with
 * the hardware prefetcher alone, a product whose weights are not in cache ran at 50-60% of the
 * read bandwidth. */

/* One output column n of output batch ob for all M rows. */
TGT_AVX512 static inline __attribute__((always_inline)) void
qmv_row(const qmm_ctx *c, int64_t ob, int64_t n, float *sc, float *bi, const int bits,
        const int kind, const int M1) {
  const int epw = 32 / bits;
  int64_t M = M1 ? 1 : c->M, W = c->W, G = c->G, N = c->N;
  int64_t wb = batch_slice(c->w, c->out, ob), xb = batch_slice(c->x, c->out, ob);
  int64_t row = wb * N + n;
  const uint32_t *wrow = (const uint32_t *)mx_array_data(c->w) + row * W;
  size_t ssz = mx_dtype_size(c->st);
  const char *srow = (const char *)mx_array_data(c->s) + (size_t)(row * G) * ssz;
  const float *scp = scales_f32(srow, c->st, c->p->mode, G, c->gf, sc), *bip = NULL;
  if (kind == 0)
    bip = scales_f32((const char *)mx_array_data(c->b) + (size_t)(row * G) * ssz, c->st,
                     MX_QMODE_AFFINE, G, 1.0f, bi);
  int wpg = c->p->group_size * bits / 32; /* words per group: a power of two */
  __m512 acc[8];
  if (c->xq) { /* VNNI: the dot products with the scales; the biases below */
    float r[8];
    mx_qmv_vnni_dot4(wrow, W, scp, G, wpg, c->xq + xb * M * c->xq_stride, c->xq_stride, (int)M, r);
    for (int m = 0; m < M; m++) acc[m] = _mm512_zextps128_ps512(_mm_set_ss(r[m]));
    goto biases;
  }
  int lanes_per_load = wpg >= 16 ? 1 : 16 / wpg, wpg_log2 = __builtin_ctz((unsigned)wpg);
  __m512i idx = _mm512_set_epi32(15 / wpg, 14 / wpg, 13 / wpg, 12 / wpg, 11 / wpg, 10 / wpg,
                                 9 / wpg, 8 / wpg, 7 / wpg, 6 / wpg, 5 / wpg, 4 / wpg, 3 / wpg,
                                 2 / wpg, 1 / wpg, 0);
  __m512 lut = code_lut(bits, kind);
  for (int m = 0; m < M; m++) acc[m] = _mm512_setzero_ps();
  const float *xbase = c->xp + xb * M * c->Kp;
  for (int64_t w0 = 0; w0 < W; w0 += 16) {
    int64_t left = W - w0;
    __mmask16 km = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
    __m512i v = _mm512_maskz_loadu_epi32(km, wrow + w0);
    _mm_prefetch((const char *)(wrow + w0) + MX_QMV_PREFETCH, _MM_HINT_T0);
    /* wpg is a power of two (no division per chunk) */
    __m512 sv = mx_q_chunk_scales(scp, G, w0 >> wpg_log2, lanes_per_load, idx);
    const float *xc = xbase + w0 * epw;
    __m512 t[8];
    for (int m = 0; m < M; m++) t[m] = _mm512_setzero_ps();
#pragma GCC unroll 16
    for (int k = 0; k < epw; k++) {
      __m512 q = decode_codes(v, k, bits, kind, lut);
      for (int m = 0; m < M; m++)
        t[m] = _mm512_fmadd_ps(q, _mm512_load_ps(xc + m * c->Kp + k * 16), t[m]);
    }
    for (int m = 0; m < M; m++) acc[m] = _mm512_fmadd_ps(sv, t[m], acc[m]);
  }
biases:
  for (int m = 0; m < M; m++) {
    if (kind == 0) { /* biases: sum over groups of bias * (sum of x over the group) */
      const float *xs = c->xsum + (xb * M + m) * G;
      for (int64_t g = 0; g < G; g += 16) {
        __mmask16 gm = G - g >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (G - g)) - 1);
        acc[m] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(gm, bip + g),
                                 _mm512_maskz_loadu_ps(gm, xs + g), acc[m]);
      }
    }
    float r = _mm512_reduce_add_ps(acc[m]);
    mx_q_store(mx_array_data(c->out), c->ot, (ob * M + m) * N + n, r);
  }
}

TGT_AVX512 static void qmv_rows(void *ctx, int64_t r0, int64_t r1) {
  qmm_ctx *c = ctx;
  float *sc = malloc((size_t)(2 * c->G + 16) * sizeof(float));
  if (!sc) {
    c->rc = 1;
    return;
  }
  float *bi = sc + c->G + 8;
  int kind = c->p->mode == MX_QMODE_AFFINE ? 0 : c->p->mode == MX_QMODE_MXFP8 ? 2 : 1;
  for (int64_t r = r0; r < r1; r++) {
    int64_t ob = r / c->N, n = r % c->N;
    bool m1 = c->M == 1;
    switch (c->p->bits * 8 + kind * 2 + m1) {
#define QMV_CASE(B, KIND)                                                                          \
  case B * 8 + KIND * 2: qmv_row(c, ob, n, sc, bi, B, KIND, 0); break;                             \
  case B * 8 + KIND * 2 + 1: qmv_row(c, ob, n, sc, bi, B, KIND, 1); break;
      QMV_CASE(2, 0)
      QMV_CASE(4, 0)
      QMV_CASE(4, 1)
      QMV_CASE(8, 0)
      QMV_CASE(8, 2)
#undef QMV_CASE
    default: break;
    }
  }
  free(sc);
}

/* transpose=false, few rows: out[m, :] = sum_k x[m, k] * w[k, :]. Each task streams a range
 * of whole packed rows k (contiguous memory) into private accumulators kept in the lane order
 * of the codes, with affine biases per group (sum_k x[m, k] * bias[k, g]), and adds them to the
 * shared sums under a lock; the sums are unpermuted into the output at the end. */
TGT_AVX512 static inline __attribute__((always_inline)) void
qmvt_rows(qmm_ctx *c, int64_t k0, int64_t k1, float *acc, float *bacc, float *sc, float *bi,
          const int bits, const int kind) {
  const int epw = 32 / bits, chunk = 16 * epw;
  int64_t M = c->M, K = c->K, W = c->W, G = c->G, nch = (W + 15) / 16, L = nch * chunk;
  int gs = c->p->group_size, wpg = gs * bits / 32, wpg_log2 = __builtin_ctz((unsigned)wpg);
  int64_t ob = c->cur_batch;
  int64_t wb = batch_slice(c->w, c->out, ob), xb = batch_slice(c->x, c->out, ob);
  size_t ssz = mx_dtype_size(c->st);
  const void *xd = mx_array_data(c->x);
  mx_dtype xt = (mx_dtype)c->x->dtype;
  __m512i idx = _mm512_set_epi32(15 / wpg, 14 / wpg, 13 / wpg, 12 / wpg, 11 / wpg, 10 / wpg,
                                 9 / wpg, 8 / wpg, 7 / wpg, 6 / wpg, 5 / wpg, 4 / wpg, 3 / wpg,
                                 2 / wpg, 1 / wpg, 0);
  __m512 lut = code_lut(bits, kind);
  for (int64_t k = k0; k < k1; k++) {
    int64_t row = wb * K + k;
    const uint32_t *wrow = (const uint32_t *)mx_array_data(c->w) + row * W;
    const char *srow = (const char *)mx_array_data(c->s) + (size_t)(row * G) * ssz;
    const float *scp = scales_f32(srow, c->st, c->p->mode, G, c->gf, sc);
    float xm[8];
    for (int m = 0; m < M; m++) xm[m] = mx_q_load(xd, xt, (xb * M + m) * K + k);
    if (kind == 0) {
      const float *bip = scales_f32((const char *)mx_array_data(c->b) + (size_t)(row * G) * ssz,
                                    c->st, MX_QMODE_AFFINE, G, 1.0f, bi);
      for (int m = 0; m < M; m++)
        for (int64_t g = 0; g < G; g++) bacc[m * G + g] += xm[m] * bip[g];
    }
    for (int64_t ch = 0; ch < nch; ch++) {
      int64_t w0 = ch * 16, left = W - w0;
      __mmask16 km = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
      __m512i v = _mm512_maskz_loadu_epi32(km, wrow + w0);
      __m512 sv = mx_q_chunk_scales(scp, G, w0 >> wpg_log2, wpg >= 16 ? 1 : 16 / wpg, idx);
      __m512 svm[8];
      for (int m = 0; m < M; m++) svm[m] = _mm512_mul_ps(sv, _mm512_set1_ps(xm[m]));
      float *a = acc + ch * chunk;
#pragma GCC unroll 16
      for (int k2 = 0; k2 < epw; k2++) {
        __m512 q = decode_codes(v, k2, bits, kind, lut);
        for (int m = 0; m < M; m++) {
          float *p = a + m * L + k2 * 16;
          _mm512_storeu_ps(p, _mm512_fmadd_ps(q, svm[m], _mm512_loadu_ps(p)));
        }
      }
    }
  }
}

TGT_AVX512 static void qmvt_task(void *ctx, int64_t k0, int64_t k1) {
  qmm_ctx *c = ctx;
  int64_t M = c->M, G = c->G, L = (c->W + 15) / 16 * 16 * (32 / c->p->bits);
  size_t n = (size_t)(M * L + M * G);
  float *acc = calloc(n + 2 * (size_t)G + 32, sizeof(float));
  if (!acc) {
    c->rc = 1;
    return;
  }
  float *bacc = acc + M * L, *sc = bacc + M * G, *bi = sc + G + 16;
  int kind = c->p->mode == MX_QMODE_AFFINE ? 0 : c->p->mode == MX_QMODE_MXFP8 ? 2 : 1;
  switch (c->p->bits * 4 + kind) {
  case 2 * 4 + 0: qmvt_rows(c, k0, k1, acc, bacc, sc, bi, 2, 0); break;
  case 4 * 4 + 0: qmvt_rows(c, k0, k1, acc, bacc, sc, bi, 4, 0); break;
  case 4 * 4 + 1: qmvt_rows(c, k0, k1, acc, bacc, sc, bi, 4, 1); break;
  case 8 * 4 + 0: qmvt_rows(c, k0, k1, acc, bacc, sc, bi, 8, 0); break;
  case 8 * 4 + 2: qmvt_rows(c, k0, k1, acc, bacc, sc, bi, 8, 2); break;
  default: break;
  }
  pthread_mutex_lock(&c->lock);
  for (size_t i = 0; i < n; i++) c->sums[i] += acc[i];
  pthread_mutex_unlock(&c->lock);
  free(acc);
}

static int run_qmvt(qmm_ctx *c) {
  int bits = c->p->bits, epw = 32 / bits, chunk = 16 * epw;
  int64_t M = c->M, N = c->N, G = c->G, gs = c->p->group_size;
  int64_t L = (c->W + 15) / 16 * chunk;
  c->sums = malloc((size_t)(M * L + M * G) * sizeof(float));
  if (!c->sums) return mx_error("[quantized_matmul] Out of memory.");
  pthread_mutex_init(&c->lock, NULL);
  c->rc = 0;
  for (int64_t ob = 0; ob < c->nbatch && !c->rc; ob++) {
    memset(c->sums, 0, (size_t)(M * L + M * G) * sizeof(float));
    c->cur_batch = ob;
    mx_ew_parallel_for(c->K, 1 + (1 << 16) / (c->W + 1), qmvt_task, c);
    const float *bs = c->sums + M * L;
    for (int64_t m = 0; m < M; m++)
      for (int64_t e = 0; e < N; e++) {
        int64_t ch = e / chunk, w = e % chunk, j = w / epw, k2 = w % epw;
        float r = c->sums[m * L + ch * chunk + k2 * 16 + j];
        if (c->p->mode == MX_QMODE_AFFINE) r += bs[m * G + e / gs];
        mx_q_store(mx_array_data(c->out), c->ot, (ob * M + m) * N + e, r);
      }
  }
  pthread_mutex_destroy(&c->lock);
  free(c->sums);
  return c->rc ? mx_error("[quantized_matmul] Out of memory.") : 0;
}

/* 4-bit affine products go through quant_vnni.c on CPUs with AVX512-VNNI (the bfloat16 GEMM
 * level or above: MLXC_GEMM=avx512 keeps the float kernel). */
static bool use_vnni(const qmm_ctx *c) {
  static atomic_int have = -1;
  int h = atomic_load(&have);
  if (h < 0) atomic_store(&have, h = mx_qmv_vnni_available());
  return h && c->p->bits == 4 && c->p->mode == MX_QMODE_AFFINE &&
         mx_gemm_isa_get() >= MX_GEMM_ISA_AVX512BF16;
}

static int run_qmv(qmm_ctx *c) {
  int bits = c->p->bits, epw = 32 / bits;
  int64_t M = c->M, K = c->K, G = c->G, gs = c->p->group_size;
  int64_t chunk = 16 * epw, Kp = (K + chunk - 1) / chunk * chunk, Bx = nslices(c->x);
  bool vnni = use_vnni(c);
  int64_t xq_stride = (K + MX_QMV_VNNI_CODES - 1) / MX_QMV_VNNI_CODES * MX_QMV_VNNI_CHUNK;
  size_t xp_bytes = vnni ? (size_t)(Bx * M * xq_stride) : (size_t)(Bx * M * Kp) * sizeof(float);
  float *xp = aligned_alloc(64, (xp_bytes + 127) / 64 * 64);
  float *xs = malloc((size_t)(Bx * M * G + K + 1) * sizeof(float));
  if (!xp || !xs) {
    free(xp), free(xs);
    return mx_error("[quantized_matmul] Out of memory.");
  }
  const void *xd = mx_array_data(c->x);
  mx_dtype xt = (mx_dtype)c->x->dtype;
  float *tmp = xs + Bx * M * G;
  for (int64_t r = 0; r < Bx * M; r++) {
    /* x row r as float (converted into tmp when it is not float32) */
    float *d = xp + r * Kp;
    const float *xf = (const float *)xd + r * K;
    if (xt != MX_FLOAT32) {
      for (int64_t e = 0; e < K; e++) tmp[e] = mx_q_load(xd, xt, r * K + e);
      xf = tmp;
    }
    for (int64_t g = 0; g < G; g++) {
      float sum = 0.0f;
      for (int64_t e = g * gs; e < (g + 1) * gs; e++) sum += xf[e];
      xs[r * G + g] = sum;
    }
    if (vnni) {
      mx_qmv_vnni_prepare(xf, K, (int)gs, (char *)xp + r * xq_stride);
      continue;
    }
    /* lane j of vector k of chunk c0: element c0 + j * epw + k (zero past K) */
    for (int64_t c0 = 0; c0 < Kp; c0 += chunk)
      for (int j = 0; j < 16; j++)
        for (int k = 0; k < epw; k++) {
          int64_t e = c0 + j * epw + k;
          d[c0 + k * 16 + j] = e < K ? xf[e] : 0.0f;
        }
  }
  c->xp = xp, c->xsum = xs, c->Kp = Kp;
  c->xq = vnni ? (const char *)xp : NULL, c->xq_stride = xq_stride;
  int64_t rows = c->nbatch * c->N;
  int64_t grain = 1 + (1 << 16) / (c->W + 1);
  c->rc = 0;
  mx_ew_parallel_for(rows, grain, qmv_rows, c);
  free(xp), free(xs);
  return c->rc ? mx_error("[quantized_matmul] Out of memory.") : 0;
}

/* ------------------------------------------------------------------ tiles */

enum { TILE_K = 512 };

/* Every tile thread calls sgemm: OpenBLAS runs single-threaded meanwhile (blas_threads.h). */

/* mx_q_dequant_row for float output with AVX-512, codes of any width in natural order: lane i
 * of a 16-code block gathers (vpshufb on the block broadcast to each 128-bit lane) the 4 bytes
 * holding bit i * bits of the block's 2 * bits bytes, shifts right by (i * bits) % 8 and masks.
 * Floats go to dst, or with dst16 (the AMX path only: AMX-BF16 CPUs have AVX512-BF16, and the
 * compiler emits its instructions only where asked) as dt16: bfloat16 rounded to nearest even by
 * vcvtneps2bf16, which flushes subnormals as the AMX tiles that read them do, or float16 (F16C,
 * nearest even). 4-bit affine codes to 16 bits take a table instead: a group's 16 values, rounded
 * as above, indexed 32 codes at a time (vpermw). */
#define TGT_DEQ __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,f16c,fma")))

/* 16 floats as bfloat16 or float16, rounded to nearest even */
TGT_DEQ static inline __m256i to_16(__m512 f, mx_dtype dt16) {
  return dt16 == MX_FLOAT16 ? _mm512_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
                            : (__m256i)_mm512_cvtneps_pbh(f);
}

TGT_DEQ static void dequant_row_avx512(const uint32_t *wrow, const char *srow, const char *brow,
                                       mx_dtype st, const mx_quant_params *p, float gf, int64_t e0,
                                       int64_t n, float *dst, uint16_t *dst16, mx_dtype dt16,
                                       float *sc, float *bi) {
  int bits = p->bits, gs = p->group_size, mode = p->mode;
  int64_t g0 = e0 / gs, ng = n / gs;
  /* scales of the groups e0 .. e0 + n as float (times gf) */
  size_t ssz = mx_dtype_size(st);
  const float *scp = scales_f32(srow + (size_t)g0 * ssz, st, mode, ng, gf, sc);
  const float *bip =
      mode == MX_QMODE_AFFINE ? scales_f32(brow + (size_t)g0 * ssz, st, mode, ng, 1.0f, bi) : NULL;
  const uint8_t *bytes = (const uint8_t *)wrow + e0 * bits / 8;
  if (dst16 && mode == MX_QMODE_AFFINE && bits == 4 && gs % 32 == 0) {
    const __m512 iota = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i lo4 = _mm512_set1_epi32(0xf), hi4 = _mm512_set1_epi32(0xf0);
    for (int64_t g = 0; g < ng; g++) {
      __m512 vals = _mm512_fmadd_ps(iota, _mm512_set1_ps(scp[g]), _mm512_set1_ps(bip[g]));
      __m512i table = _mm512_castsi256_si512(to_16(vals, dt16));
      for (int64_t c = g * gs; c < (g + 1) * gs; c += 32) {
        /* byte j holds codes 2j (low nibble) and 2j + 1: word 2j and 2j + 1 of the index */
        __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(bytes + c / 2)));
        __m512i codes = _mm512_or_si512(_mm512_and_si512(v, lo4),
                                        _mm512_slli_epi32(_mm512_and_si512(v, hi4), 12));
        _mm512_storeu_si512(dst16 + c, _mm512_permutexvar_epi16(codes, table));
      }
    }
    return;
  }
  uint8_t bidx[64];
  uint32_t shv[16];
  for (int i = 0; i < 16; i++) {
    for (int b = 0; b < 4; b++) bidx[4 * i + b] = (uint8_t)((i * bits) / 8 + b);
    shv[i] = (uint32_t)((i * bits) % 8);
  }
  __m512i idx = _mm512_loadu_si512(bidx), sh = _mm512_loadu_si512(shv);
  __m512i mask = _mm512_set1_epi32((1 << bits) - 1);
  __m512 lut = _mm512_loadu_ps(mx_fp4_values);
  __mmask16 lm = (__mmask16)((1u << (2 * bits)) - 1);
  for (int64_t blk = 0; blk < n / 16; blk++) {
    __m128i raw = _mm_maskz_loadu_epi8(lm, bytes + blk * 2 * bits);
    __m512i v = _mm512_shuffle_epi8(_mm512_broadcast_i32x4(raw), idx); /* in-lane: every lane holds raw */
    __m512i q = _mm512_and_si512(_mm512_srlv_epi32(v, sh), mask);
    int64_t g = blk * 16 / gs;
    __m512 f;
    if (mode == MX_QMODE_AFFINE) {
      f = _mm512_fmadd_ps(_mm512_cvtepi32_ps(q), _mm512_set1_ps(scp[g]), _mm512_set1_ps(bip[g]));
    } else {
      f = mode == MX_QMODE_MXFP8 ? decode_codes(q, 0, 8, 2, lut) : _mm512_permutexvar_ps(q, lut);
      f = _mm512_mul_ps(f, _mm512_set1_ps(scp[g]));
    }
    if (dst16)
      _mm256_storeu_si256((__m256i *)(dst16 + blk * 16), to_16(f, dt16));
    else
      _mm512_storeu_ps(dst + blk * 16, f);
  }
}

static void tiles_task(void *ctx, int t, int nt) {
  qmm_ctx *c = ctx;
  const mx_quant_params *p = c->p;
  int64_t M = c->M, N = c->N, K = c->K, W = c->W, G = c->G, NB = c->NB;
  size_t csz = c->dbl ? 8 : 4, ssz = mx_dtype_size(c->st);
  void *tile = malloc((size_t)(NB * TILE_K) * csz);
  bool vec = !c->dbl && mx_gemm_isa_get() >= MX_GEMM_ISA_AVX512;
  int64_t maxg = (c->p->transpose ? TILE_K : NB) / c->p->group_size + 16;
  float *sbuf = malloc((size_t)(2 * maxg) * sizeof(float));
  if (!tile || !sbuf) {
    free(tile), free(sbuf);
    c->rc = 1;
    return;
  }
  const uint32_t *wd = mx_array_data(c->w);
  const char *sd = mx_array_data(c->s), *bd = c->b ? mx_array_data(c->b) : NULL;
  int64_t per_batch = (N + NB - 1) / NB;
  /* rows of the packed matrix (N when transpose, K otherwise) and their length in groups */
  int64_t prow = p->transpose ? N : K;
  for (int64_t blk = t; blk < c->nblocks; blk += nt) {
    int64_t ob = blk / per_batch, n0 = (blk % per_batch) * NB;
    int64_t nb = N - n0 < NB ? N - n0 : NB;
    int64_t wb = batch_slice(c->w, c->out, ob), xb = batch_slice(c->x, c->out, ob);
    const char *xs = (const char *)c->xc + (size_t)(xb * M * K) * csz;
    char *o = (char *)c->outc + (size_t)((ob * M) * N + n0) * csz;
    for (int64_t k0 = 0; k0 < K; k0 += TILE_K) {
      int64_t kb = K - k0 < TILE_K ? K - k0 : TILE_K;
      /* tile (nb, kb): rows n0.. of w, elements k0.. (transpose); else (kb, nb): rows k0..,
       * elements n0.. */
      int64_t nr = p->transpose ? nb : kb, r0 = p->transpose ? n0 : k0;
      int64_t e0 = p->transpose ? k0 : n0, ne = p->transpose ? kb : nb;
      for (int64_t j = 0; j < nr; j++) {
        int64_t r = wb * prow + r0 + j;
        const char *sr = sd + (size_t)(r * G) * ssz, *br = bd ? bd + (size_t)(r * G) * ssz : NULL;
        char *dst = (char *)tile + (size_t)(j * ne) * csz;
        if (vec)
          dequant_row_avx512(wd + r * W, sr, br, c->st, p, c->gf, e0, ne, (float *)dst, NULL,
                             MX_FLOAT32, sbuf, sbuf + maxg);
        else
          mx_q_dequant_row(wd + r * W, sr, br, c->st, p, c->gf, e0, ne, dst, c->dbl);
      }
      mx_gemm_args g = {
          .dt = c->dbl ? MX_FLOAT64 : MX_FLOAT32,
          .M = M, .N = nb, .K = kb,
          .a = {xs + (size_t)k0 * csz, K, 1},
          .b = p->transpose ? (mx_gemm_view){tile, 1, kb} : (mx_gemm_view){tile, nb, 1},
          .c = {k0 ? o : NULL, N, 1},
          .alpha = 1.0f, .beta = 1.0f,
          .out = o, .ldo = N, .max_threads = 1};
      if (mx_cpu_gemm("quantized_matmul", &g)) c->rc = 1;
    }
  }
  free(tile), free(sbuf);
}

/* ------------------------------------------------------------------ bfloat16 / float16 on AMX */

enum { AMX_BLOCK_BYTES = 8 << 20 };

/* A block of the weight dequantized to x's dtype: packed rows r0 + j of weight slice wb (j over
 * the parallel range), elements e0 .. e0 + ne of each, row j of buf. */
typedef struct {
  qmm_ctx *c;
  int64_t wb, r0, e0, ne;
  uint16_t *buf;
  atomic_int failed;
} deq_block;

static void deq_block_rows(void *ctx, int64_t j0, int64_t j1) {
  deq_block *d = ctx;
  qmm_ctx *c = d->c;
  const mx_quant_params *p = c->p;
  size_t ssz = mx_dtype_size(c->st);
  int64_t maxg = d->ne / p->group_size + 16;
  float *sc = malloc((size_t)(2 * maxg) * sizeof(float));
  if (!sc) {
    atomic_store(&d->failed, 1);
    return;
  }
  const uint32_t *wd = mx_array_data(c->w);
  const char *sd = mx_array_data(c->s), *bd = c->b ? mx_array_data(c->b) : NULL;
  int64_t prow = p->transpose ? c->N : c->K;
  for (int64_t j = j0; j < j1; j++) {
    int64_t r = d->wb * prow + d->r0 + j;
    dequant_row_avx512(wd + r * c->W, sd + (size_t)(r * c->G) * ssz,
                       bd ? bd + (size_t)(r * c->G) * ssz : NULL, c->st, p, c->gf, d->e0, d->ne,
                       NULL, d->buf + j * d->ne, (mx_dtype)c->x->dtype, sc, sc + maxg);
  }
  free(sc);
}

/* Whether the AMX path takes the product: bfloat16 or float16 x and output on a CPU with AMX.
 * bfloat16 from 9 rows, from 6 for 4-bit affine codes (dequantized through a table: 4096 x 4096
 * in about 1.5 ms whatever the rows, where qmv takes 0.26 ms a row); fewer rows of 2, 4 or 8
 * bits stream the weight once in qmv. float16 from 32 rows, where the GEMM takes it to AMX. */
static bool amx_ok(const qmm_ctx *c) {
  const mx_quant_params *p = c->p;
  bool table = p->mode == MX_QMODE_AFFINE && p->bits == 4 && p->group_size % 32 == 0;
  mx_dtype xt = (mx_dtype)c->x->dtype;
  if (xt != c->ot || mx_gemm_isa_get() < MX_GEMM_ISA_AMX) return false;
  if (xt == MX_FLOAT16) return c->M >= 32;
  return xt == MX_BFLOAT16 && (c->M >= (table ? 6 : 9) || !qmv_ok(c));
}

/* Blocks of about AMX_BLOCK_BYTES of the weight (whole rows of W for transpose, whole columns
 * otherwise, 128 at a time) are dequantized to x's dtype over the worker pool, then multiplied
 * by the GEMM (gemm.h: AMX tiles; for bfloat16, x @ W.T reads the block's rows in place), which
 * writes its columns of the output with one rounding. The dequantized values are rounded to
 * x's dtype once, as x is. */
static int run_amx(qmm_ctx *c) {
  const mx_quant_params *p = c->p;
  int64_t M = c->M, N = c->N, K = c->K;
  /* block width: output columns per block, a multiple of 128 (and so of the group size) */
  int64_t R = AMX_BLOCK_BYTES / (2 * K) / 128 * 128;
  if (p->transpose && R < (M + 127) / 128 * 128) R = (M + 127) / 128 * 128; /* x @ W.T in place */
  if (R < 128) R = 128;
  if (R > N) R = N;
  mx_buffer *block = mx_buffer_alloc((size_t)(R * K) * 2); /* cached: no page faults per call */
  if (!block) return mx_error("[quantized_matmul] Out of memory.");
  deq_block d = {.c = c, .buf = block->ptr};
  int rc = 0;
  uint16_t *out = mx_array_data(c->out);
  const uint16_t *x = mx_array_data(c->x);
  for (int64_t ob = 0; ob < c->nbatch && !rc; ob++) {
    d.wb = batch_slice(c->w, c->out, ob);
    const uint16_t *xs = x + batch_slice(c->x, c->out, ob) * M * K;
    for (int64_t n0 = 0; n0 < N && !rc; n0 += R) {
      int64_t nb = N - n0 < R ? N - n0 : R;
      /* transpose: rows n0.. of W, all K elements; else rows 0..K - 1, elements n0.. */
      d.r0 = p->transpose ? n0 : 0;
      d.e0 = p->transpose ? 0 : n0;
      d.ne = p->transpose ? K : nb;
      mx_ew_parallel_for(p->transpose ? nb : K, 1, deq_block_rows, &d);
      if (atomic_load(&d.failed)) {
        rc = mx_error("[quantized_matmul] Out of memory.");
        break;
      }
      mx_gemm_args g = {.dt = (mx_dtype)c->x->dtype,
                        .M = M,
                        .N = nb,
                        .K = K,
                        .a = {xs, K, 1},
                        .b = p->transpose ? (mx_gemm_view){d.buf, 1, K}
                                          : (mx_gemm_view){d.buf, nb, 1},
                        .alpha = 1.0f,
                        .beta = 0.0f,
                        .out = out + (ob * M) * N + n0,
                        .ldo = N};
      rc = mx_cpu_gemm("quantized_matmul", &g);
    }
  }
  mx_buffer_release(block);
  return rc;
}

static int run_tiles(qmm_ctx *c) {
  int64_t M = c->M, N = c->N, K = c->K, total = c->nbatch * M * N;
  c->dbl = c->ot == MX_FLOAT64;
  mx_dtype ct = c->dbl ? MX_FLOAT64 : MX_FLOAT32;
  size_t csz = c->dbl ? 8 : 4;
  void *outc = c->ot == ct ? mx_array_data(c->out) : malloc((size_t)total * csz + 1);
  int64_t xn = c->x->size;
  void *xc = (mx_dtype)c->x->dtype == ct ? NULL : malloc((size_t)xn * csz + 1);
  if (!outc || ((mx_dtype)c->x->dtype != ct && !xc)) {
    if (outc != mx_array_data(c->out)) free(outc);
    free(xc);
    return mx_error("[quantized_matmul] Out of memory.");
  }
  if (xc) {
    const void *xd = mx_array_data(c->x);
    for (int64_t i = 0; i < xn; i++) {
      float v = mx_q_load(xd, (mx_dtype)c->x->dtype, i);
      if (c->dbl) ((double *)xc)[i] = v;
      else ((float *)xc)[i] = v;
    }
  }
  c->xc = xc ? xc : mx_array_data(c->x);
  c->outc = outc;
  c->NB = c->p->transpose ? 64 : 128;
  c->nblocks = c->nbatch * ((N + c->NB - 1) / c->NB);
  c->rc = 0;
  if (K == 0) memset(outc, 0, (size_t)total * csz);
  int nt = (double)M * N * K > (1 << 20) ? mx_ew_num_threads() : 1; /* (at most 8 run) */
  if (nt > c->nblocks) nt = (int)(c->nblocks ? c->nblocks : 1);
  if (K > 0) {
    mx_blas_single_begin();
    mx_gemm_parallel(tiles_task, c, nt);
    mx_blas_single_end();
  }
  if (outc != mx_array_data(c->out)) {
    for (int64_t i = 0; i < total; i++)
      mx_q_store(mx_array_data(c->out), c->ot, i, ((float *)outc)[i]);
    free(outc);
  }
  free(xc);
  return c->rc ? mx_error("[quantized_matmul] Out of memory.") : 0;
}

int mx_cpu_qmm(mx_node *n) {
  const mx_quant_params *p = n->params;
  mx_array *out = &n->out[0];
  MX_TRY(mx_array_alloc_data(out));
  const mx_array *w = n->inputs[1], *s = n->inputs[2];
  int nd = out->ndim;
  qmm_ctx c = {.p = p,
               .x = n->inputs[0],
               .w = w,
               .s = s,
               .b = p->has_biases ? n->inputs[3] : NULL,
               .out = out,
               .ot = (mx_dtype)out->dtype,
               .st = (mx_dtype)s->dtype,
               .M = out->shape[nd - 2],
               .N = out->shape[nd - 1],
               .K = n->inputs[0]->shape[nd - 1],
               .W = w->shape[nd - 1],
               .G = s->shape[nd - 1],
               .gf = 1.0f};
  c.nbatch = c.M > 0 && c.N > 0 ? out->size / (c.M * c.N) : 0;
  if (out->size == 0) return 0;
  if (amx_ok(&c)) return run_amx(&c);
  if (!qmv_ok(&c)) return run_tiles(&c);
  return p->transpose ? run_qmv(&c) : run_qmvt(&c);
}
