/* SDPA: attention fused per (batch, head, block of query rows): the block's scores
 * scale * Q K^T go to a scratch tile (BLAS), the mask, causal cut and sinks apply while the
 * softmax runs over each row in place, and P V is written to the output rows. Blocks spread
 * over the CPU threads; a causal block computes only the key columns its rows can see. Query
 * heads share the key / value head of their group. float16 / bfloat16 compute in float32. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/blas_threads.h"
#include "backend/cpu/ew_math.h"
#include "backend/cpu/fast_common.h"
#include "backend/cpu/reduce_kernels.h"
#include "core/error.h"
#include "ops/fast.h"

/* Blocks of QB query rows run in parallel on our threads. Each product is cut into pieces of at
 * most 2^18 multiply-adds (key columns), which OpenBLAS keeps on the calling thread: its own
 * threads would oversubscribe the cores. */
enum { QB = 32 };
#define BLAS_ONE_THREAD_MACS (1LL << 18)

typedef struct {
  const mx_array *q, *k, *v, *mask, *sinks;
  mx_array *out;
  const mx_sdpa_params *p;
  int64_t B, H, L, S, D, Dv, rep, nblk, qrows; /* query rows per block */
  bool f64;
  atomic_int fail;
} sdpa_ctx;

/* One block's scores (rows of Se entries) for the softmax tasks. */
typedef struct {
  sdpa_ctx *c;
  void *sc;
  int64_t b, h, l0, Se;
} sdpa_block;

/* rows x cols matrix (b, h, r0.., :) of a 4-D input as compute type ct with unit column stride:
 * a pointer into the data when possible, otherwise a converted copy in buf; *ld its row
 * stride. */
static const void *load_mat(const mx_array *a, int64_t b, int64_t h, int64_t r0, int64_t rows,
                            mx_dtype ct, void *buf, int64_t *ld) {
  const int64_t *s = a->strides;
  int64_t cols = a->shape[3], off = b * s[0] + h * s[1] + r0 * s[2];
  if (a->dtype == ct && s[3] == 1 && (s[2] >= cols || rows == 1)) {
    *ld = rows == 1 ? cols : s[2];
    return (const char *)mx_array_data(a) + off * (int64_t)mx_dtype_size(ct);
  }
  size_t esz = mx_dtype_size(ct);
  for (int64_t r = 0; r < rows; r++)
    fast_load(a, off + r * s[2], s[3], cols, ct, (char *)buf + r * cols * (int64_t)esz);
  *ld = cols;
  return buf;
}

#define GEN_SDPA(NAME, T, GEMM, EXP, EXPSUM, LOWEST)                                                       \
  /* Softmax of row x (n entries) in place: mask row m (bool or additive, stride ms), causal    \
   * limit (columns > lim masked), sink logit. */                                                 \
  static void NAME##_softmax(T *x, int64_t n, const sdpa_ctx *c, const char *m, int64_t ms,       \
                             int64_t lim, const T *sink, T *mrow) {                               \
    int mk = c->p->mask;                                                                           \
    if (mk == MX_SDPA_MASK_BOOL) {                                                                 \
      for (int64_t j = 0; j < n; j++)                                                              \
        if (!((const bool *)m)[j * ms]) x[j] = LOWEST;                                             \
    } else if (mk == MX_SDPA_MASK_ADD) {                                                           \
      const T *a = (const T *)fast_load(c->mask, (m - (const char *)mx_array_data(c->mask)) /     \
                                                     (int64_t)mx_array_itemsize(c->mask),         \
                                        ms, n, sizeof(T) == 8 ? MX_FLOAT64 : MX_FLOAT32, mrow);    \
      for (int64_t j = 0; j < n; j++) x[j] += a[j];                                                \
    } else if (mk == MX_SDPA_MASK_CAUSAL) {                                                        \
      for (int64_t j = lim + 1 < 0 ? 0 : lim + 1; j < n; j++) x[j] = LOWEST;                       \
    }                                                                                              \
    T mx = sink ? *sink : x[0];                                                                    \
    for (int64_t j = 0; j < n; j++) mx = x[j] > mx ? x[j] : mx;                                    \
    T sum = (sink ? EXP(*sink - mx) : (T)0) + (T)EXPSUM(x, x, n, mx);                              \
    T inv = (T)1 / sum;                                                                            \
    for (int64_t j = 0; j < n; j++) x[j] *= inv;                                                   \
  }                                                                                                \
                                                                                                   \
  /* Softmax of rows [i0, i1) of a block's scores (the block's state in ctx). */                  \
  static void NAME##_rows(void *ctx, int64_t i0, int64_t i1) {                                    \
    sdpa_block *k = (sdpa_block *)ctx;                                                             \
    const sdpa_ctx *c = k->c;                                                                      \
    T *mrow = c->p->mask == MX_SDPA_MASK_ADD ? malloc((size_t)k->Se * sizeof(T)) : NULL;           \
    if (c->p->mask == MX_SDPA_MASK_ADD && !mrow) {                                                 \
      atomic_store(&k->c->fail, 1);                                                                \
      return;                                                                                      \
    }                                                                                              \
    T sink = 0;                                                                                    \
    if (c->sinks)                                                                                  \
      sink = *(const T *)fast_load(c->sinks, k->h * c->sinks->strides[0], 1, 1,                   \
                                   sizeof(T) == 8 ? MX_FLOAT64 : MX_FLOAT32, &sink);               \
    for (int64_t i = i0; i < i1; i++) {                                                            \
      const char *m = NULL;                                                                        \
      int64_t ms = 0;                                                                              \
      if (c->mask) {                                                                               \
        const int64_t *s = c->mask->strides;                                                       \
        m = (const char *)mx_array_data(c->mask) +                                                 \
            (k->b * s[0] + k->h * s[1] + (k->l0 + i) * s[2]) * (int64_t)mx_array_itemsize(c->mask); \
        ms = s[3];                                                                                 \
      }                                                                                            \
      NAME##_softmax((T *)k->sc + i * k->Se, k->Se, c, m, ms, k->l0 + i + c->S - c->L,             \
                     c->sinks ? &sink : NULL, mrow);                                               \
    }                                                                                              \
    free(mrow);                                                                                    \
  }                                                                                                \
                                                                                                   \
  /* Query rows [l0, l0 + nr) of head (b, h). */                                                 \
  static void NAME##_block(sdpa_ctx *c, int64_t bh, int64_t l0, int64_t nr, T *work) {           \
    int64_t b = bh / c->H, h = bh % c->H, kh = h / c->rep, l1 = l0 + nr;                          \
    int64_t S = c->S, D = c->D, Dv = c->Dv, shift = S - c->L, Se = S;                            \
    if (c->p->mask == MX_SDPA_MASK_CAUSAL && l0 + shift >= 0) Se = l1 + shift < S ? l1 + shift : S; \
    mx_dtype ct = sizeof(T) == 8 ? MX_FLOAT64 : MX_FLOAT32;                                       \
    T *qb = work, *kb = qb + c->qrows * D, *vb = kb + S * D, *sc = vb + S * Dv;                   \
    T *ob = sc + c->qrows * S;                                                                     \
    int64_t lq, lk, lv;                                                                            \
    const T *Q = load_mat(c->q, b, h, l0, nr, ct, qb, &lq);                                        \
    const T *K = load_mat(c->k, b, kh, 0, Se, ct, kb, &lk);                                        \
    const T *V = load_mat(c->v, b, kh, 0, Se, ct, vb, &lv);                                        \
    int64_t tw = BLAS_ONE_THREAD_MACS / (nr * (D > Dv ? D : Dv)); /* key columns per product */  \
    if (tw < 1) tw = 1;                                                                            \
    for (int64_t j = 0; j < Se; j += tw)                                                           \
      GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nr, (int)(Se - j < tw ? Se - j : tw),     \
           (int)D, (T)c->p->scale, Q, (int)lq, K + j * lk, (int)lk, 0, sc + j, (int)Se);           \
    sdpa_block blk = {c, sc, b, h, l0, Se};                                                        \
    NAME##_rows(&blk, 0, nr);                                                                      \
    mx_dtype ot = (mx_dtype)c->out->dtype;                                                         \
    char *dst = (char *)mx_array_data(c->out) +                                                    \
                ((bh * c->L + l0) * Dv) * (int64_t)mx_dtype_size(ot);                              \
    T *O = ot == ct ? (T *)dst : ob;                                                               \
    for (int64_t j = 0; j < Se; j += tw)                                                           \
      GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nr, (int)Dv,                            \
           (int)(Se - j < tw ? Se - j : tw), 1, sc + j, (int)Se, V + j * lv, (int)lv, j ? 1 : 0, O, \
           (int)Dv);                                                                               \
    if (O != (T *)dst) mx_cpu_convert(O, ct, 1, dst, ot, 1, nr * Dv);                              \
  }                                                                                                \
                                                                                                   \
  static T *NAME##_work(const sdpa_ctx *c) {                                                       \
    size_t n = (size_t)(c->qrows * c->D + c->S * c->D + c->S * c->Dv + c->qrows * c->S +          \
                        c->qrows * c->Dv);                                                         \
    return malloc(n * sizeof(T));                                                                  \
  }                                                                                                \
                                                                                                   \
  /* Blocks spread over the CPU threads. */                                                       \
  static void NAME##_task(void *ctx, int64_t t0, int64_t t1) {                                   \
    sdpa_ctx *c = (sdpa_ctx *)ctx;                                                                 \
    T *work = NAME##_work(c);                                                                      \
    if (!work) {                                                                                   \
      atomic_store(&c->fail, 1);                                                                   \
      return;                                                                                      \
    }                                                                                              \
    for (int64_t t = t0; t < t1; t++) {                                                            \
      int64_t l0 = (t % c->nblk) * c->qrows;                                                       \
      NAME##_block(c, t / c->nblk, l0, c->L - l0 < c->qrows ? c->L - l0 : c->qrows, work);        \
    }                                                                                              \
    free(work);                                                                                    \
  }                                                                                                \

/* exp(x - m) stored in place, summed: ew_math.h's exp (no slow underflow path for the masked
 * -LOWEST entries, as libm's had), vectorized for float (the reductions' kernel). */
static double expsum_f64(const double *x, double *y, int64_t n, double m) {
  double s = 0;
  for (int64_t j = 0; j < n; j++) s += y[j] = ew_dexp(x[j] - m);
  return s;
}

GEN_SDPA(sdpa_f32, float, cblas_sgemm, ew_expf, mx_red_expsum_f32, -FLT_MAX)
GEN_SDPA(sdpa_f64, double, cblas_dgemm, ew_dexp, expsum_f64, -DBL_MAX)

int mx_cpu_sdpa(mx_node *n) {
  const mx_sdpa_params *p = n->params;
  mx_array *out = &n->out[0];
  const mx_array *q = n->inputs[0], *k = n->inputs[1], *v = n->inputs[2];
  bool has_mask = p->mask == MX_SDPA_MASK_BOOL || p->mask == MX_SDPA_MASK_ADD;
  if (mx_array_alloc_data(out)) return MX_ERR;
  if (out->size == 0) return 0;
  sdpa_ctx c = {q, k, v, has_mask ? n->inputs[3] : NULL, p->has_sinks ? n->inputs[n->nin - 1] : NULL,
                out, p, q->shape[0], q->shape[1], q->shape[2], k->shape[2], q->shape[3],
                v->shape[3], q->shape[1] / k->shape[1], 0, 0, out->dtype == MX_FLOAT64, 0};
  if (c.S == 0) { /* no keys: MLX's softmax of nothing times nothing */
    memset(mx_array_data(out), 0, mx_array_nbytes(out));
    return 0;
  }
  c.qrows = c.L < QB ? c.L : QB;
  c.nblk = (c.L + c.qrows - 1) / c.qrows;
  int64_t ntask = c.B * c.H * c.nblk;
  mx_blas_single_begin(); /* the tasks' products are small: OpenBLAS's threads only spin */
  mx_ew_parallel_for(ntask, 1, c.f64 ? sdpa_f64_task : sdpa_f32_task, &c);
  mx_blas_single_end();
  return atomic_load(&c.fail) ? mx_error("[scaled_dot_product_attention] Out of memory.") : 0;
}
