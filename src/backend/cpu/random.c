/* CPU kernels of the random family: RandomBits (threefry 2x32), RandomMap (the elementwise
 * steps of the distributions), RandomPermute, CategoricalArgMax, CategoricalSearch, CovSqrt.
 * Inputs may have any layout; inputs that are neither row-contiguous nor a broadcast scalar are
 * first copied to a contiguous temporary. Large outputs are split over two threads. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "fp-contract=off")
#endif

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/ew_common.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/random.h"
#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "core/primitives.h"
#include "ops/random.h"

/* ------------------------------------------------------------------ two-thread split */

#define GRAIN (1 << 16)

/* ------------------------------------------------------------------ inputs */

/* An input as a pointer with element stride 0 (broadcast scalar) or 1 (contiguous); `owned` is a
 * temporary copy to free. */
typedef struct {
  const char *p;
  int64_t st;
  void *owned;
} flat_in;

static int flatten_input(const mx_array *a, flat_in *f) {
  f->owned = NULL;
  f->p = mx_array_data(a);
  if (a->size == 0) {
    f->st = 1;
    return 0;
  }
  if (!f->p) return mx_error("[random] Input has no data.");
  if (a->size == 1 || a->data_size == 1) { /* one value (a broadcast scalar: stride 0) */
    f->st = 0;
    return 0;
  }
  if (mx_strided_is_row_contig(a)) {
    f->st = 1;
    return 0;
  }
  size_t nb = (size_t)a->size * mx_array_itemsize(a);
  void *tmp = malloc(nb);
  if (!tmp) return mx_error("[random] Out of memory allocating %zu bytes.", nb);
  mx_cpu_copy_strided(tmp, (mx_dtype)a->dtype, f->p, (mx_dtype)a->dtype, a->ndim, a->shape,
                      a->strides);
  f->p = tmp;
  f->owned = tmp;
  f->st = 1;
  return 0;
}

/* A contiguous copy of a, converted to dtype dt (malloc'd; NULL with an error set). */
static void *contiguous_as(const mx_array *a, mx_dtype dt) {
  size_t nb = (size_t)(a->size ? a->size : 1) * mx_dtype_size(dt);
  void *tmp = malloc(nb);
  if (!tmp) {
    mx_error("[random] Out of memory allocating %zu bytes.", nb);
    return NULL;
  }
  if (a->size > 0)
    mx_cpu_copy_strided(tmp, dt, mx_array_data(a), (mx_dtype)a->dtype, a->ndim, a->shape,
                        a->strides);
  return tmp;
}

/* ------------------------------------------------------------------ threefry, RandomBits */

static inline uint32_t rotl32(uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

#define TF_ROUND(r)                                                                                \
  x0 += x1;                                                                                        \
  x1 = rotl32(x1, r);                                                                              \
  x1 ^= x0;

static inline void threefry(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t *o0,
                            uint32_t *o1) {
  uint32_t k2 = k0 ^ k1 ^ 0x1BD11BDAu;
  uint32_t x0 = c0 + k0, x1 = c1 + k1;
  TF_ROUND(13) TF_ROUND(15) TF_ROUND(26) TF_ROUND(6) x0 += k1;
  x1 += k2 + 1u;
  TF_ROUND(17) TF_ROUND(29) TF_ROUND(16) TF_ROUND(24) x0 += k2;
  x1 += k0 + 2u;
  TF_ROUND(13) TF_ROUND(15) TF_ROUND(26) TF_ROUND(6) x0 += k0;
  x1 += k1 + 3u;
  TF_ROUND(17) TF_ROUND(29) TF_ROUND(16) TF_ROUND(24) x0 += k1;
  x1 += k2 + 4u;
  TF_ROUND(13) TF_ROUND(15) TF_ROUND(26) TF_ROUND(6) x0 += k2;
  x1 += k0 + 5u;
  *o0 = x0;
  *o1 = x1;
}

void mx_threefry2x32(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t *x0,
                     uint32_t *x1) {
  threefry(k0, k1, c0, c1, x0, x1);
}

/* The output bytes are W = ceil(nbytes / 4) words: word i and word i + half + odd (half = W / 2,
 * odd = W % 2) are the hash of the counter pair (i, i + half + odd); with W odd, the middle word
 * `half` is the first half of the hash of (half, 0). A last partial word keeps its low bytes. */
typedef struct {
  uint32_t k0, k1;
  uint32_t *words;
  int64_t half, second; /* second = half + odd */
  int64_t full_pairs;   /* pairs whose second word is complete */
} bits_ctx;

static void bits_range(void *c_, int64_t b, int64_t e) {
  bits_ctx *c = c_;
  if (e > c->full_pairs) e = c->full_pairs;
  uint32_t *w0 = c->words, *w1 = c->words + c->second;
  const uint32_t k0 = c->k0, k1 = c->k1, off = (uint32_t)c->second;
  for (int64_t i = b; i < e; i++) {
    uint32_t x0, x1;
    threefry(k0, k1, (uint32_t)i, (uint32_t)i + off, &x0, &x1);
    w0[i] = x0;
    w1[i] = x1;
  }
}

int mx_cpu_random_bits(mx_node *n) {
  const mx_random_bits_params *p = n->params;
  const mx_array *key = n->inputs[0];
  mx_array *out = &n->out[0];
  if (key->size != 2 || key->dtype != MX_UINT32)
    return mx_error("[RandomBits] Expected a uint32 key of shape (2).");
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  int64_t nbytes = out->size * (int64_t)p->width;
  if (nbytes == 0) return 0;
  const uint32_t *kp = mx_array_data(key);
  uint32_t k0 = kp[0], k1 = kp[key->strides[0]];
  char *dst = mx_array_data(out);
  int64_t W = (nbytes + 3) / 4, half = W / 2, odd = W % 2;
  bool partial = nbytes % 4 != 0;
  bits_ctx c = {k0, k1, (uint32_t *)dst, half, half + odd, partial ? half - 1 : half};
  if (c.full_pairs < 0) c.full_pairs = 0;
  mx_ew_parallel_for(half, GRAIN, bits_range, &c);
  if (partial && half > 0) { /* the last pair: its second word is the partial last word */
    uint32_t x0, x1;
    int64_t i = half - 1;
    threefry(k0, k1, (uint32_t)i, (uint32_t)(i + half + odd), &x0, &x1);
    memcpy(dst + 4 * i, &x0, 4);
    memcpy(dst + 4 * (i + half + odd), &x1, (size_t)(nbytes - 4 * (i + half + odd)));
  }
  if (odd) {
    uint32_t x0, x1;
    threefry(k0, k1, (uint32_t)half, 0u, &x0, &x1);
    int64_t rem = nbytes - 4 * half;
    memcpy(dst + 4 * half, &x0, (size_t)(rem < 4 ? rem : 4));
  }
  return 0;
}

/* ------------------------------------------------------------------ RandomMap */

/* The distributions draw MLX's numbers bit for bit, so the float erfinv and erf they use are
 * the ones MLX's CPU backend computes (numpy float64 checks: 0 differences over 4001 points of
 * (-1, 1) and 8001 of [-4, 4]), not ew_math.h's more accurate ones:
 * - erfinv: a * P(t), t = log(1 - a^2) (libm's logf), P one of two polynomials split at
 *   |t| = 6.125 (Giles' form with Juffa's single-precision coefficients), every step an fma;
 * - erf: Abramowitz-Stegun 7.1.26 with MLX's exp (2^x: a degree-6 polynomial of the fraction,
 *   the integer part added into the exponent bits).
 * random.c is compiled without contraction (the pragma above): a separately rounded product
 * must stay one. */
static const float erfinv_tail[] = {3.03697567e-10f, 2.93243101e-8f,  1.22150334e-6f,
                                    2.84108955e-5f,  3.93552968e-4f,  3.02698812e-3f,
                                    4.83185798e-3f,  -2.64646143e-1f, 8.40016484e-1f};
static const float erfinv_body[] = {
    5.43877832e-9f,  1.43285448e-7f, 1.22774793e-6f, 1.12963626e-7f,  -5.61530760e-5f,
    -1.47697632e-4f, 2.31468678e-3f, 1.15392581e-2f, -2.32015476e-1f, 8.86226892e-1f};
static const float exp2_frac[] = {1.535336188319500e-4f,
                                  1.339887440266574e-3f,
                                  9.618437357674640e-3f,
                                  5.550332471162809e-2f,
                                  2.402264791363012e-1f,
                                  6.931472028550421e-1f,
                                  1.0f};

static inline float fma_poly(const float *c, int n, float t) {
  float p = c[0];
  for (int k = 1; k < n; k++) p = fmaf(p, t, c[k]);
  return p;
}

static inline float erfinv_f(float a) {
  float t = logf(fmaf(a, 0.0f - a, 1.0f));
  float p = fabsf(t) > 6.125f ? fma_poly(erfinv_tail, 9, t) : fma_poly(erfinv_body, 10, t);
  return a * p;
}

static inline float mlx_expf(float v) {
  if (v != v) return v;
  if (v > 88.0f) return INFINITY;
  if (v < -88.0f) return 0.0f;
  float x = v * 1.442695f, whole = floorf(x + 0.5f);
  float p = fma_poly(exp2_frac, 7, x - whole);
  uint32_t bits = (uint32_t)((int32_t)whole + 127) << 23;
  float scale;
  memcpy(&scale, &bits, 4);
  return scale * p;
}

static inline float mlx_erff(float v) {
  float t = 1.0f / fmaf(0.3275911f, fabsf(v), 1.0f);
  float r = fmaf(1.061405429f, t, -1.453152027f);
  r = fmaf(r, t, 1.421413741f);
  r = fmaf(r, t, -0.284496736f);
  r = fmaf(r, t, 0.254829592f);
  float e = -mlx_expf(-v * v);
  float res = fmaf(e * t, r, 1.0f);
  return v > 0 ? res : -res;
}

/* Double precision: the float estimate refined by Newton steps on erf. */
static inline double erfinv_d(double x) {
  if (!(fabs(x) < 1.0)) {
    if (x == 1.0) return INFINITY;
    if (x == -1.0) return -INFINITY;
    return NAN;
  }
  double y = erfinv_f((float)x);
  for (int it = 0; it < 3; it++) {
    double err = erf(y) - x;
    y -= err / (1.1283791670955126 * exp(-y * y));
  }
  return y;
}

static inline float round_h(float x) {
  return mx_h2f(mx_f2h(x));
}
static inline float round_bf(float x) {
  return mx_bf2f(mx_f2bf(x));
}

typedef struct {
  const mx_rmap_params *prm;
  flat_in in[3];
  int nin;
  mx_dtype dt_in, dt_out;
  char *o;
} map_ctx;

/* Elementwise loops over [b, e): a = input 0 (stride sa), o = output. */
#define MAP1(TI, TO, EXPR)                                                                         \
  do {                                                                                             \
    const TI *a = (const TI *)c->in[0].p + b * c->in[0].st;                                        \
    TO *o = (TO *)c->o + b;                                                                        \
    int64_t cnt = e - b;                                                                           \
    if (c->in[0].st) {                                                                             \
      for (int64_t i = 0; i < cnt; i++) {                                                          \
        TI x = a[i];                                                                               \
        o[i] = (EXPR);                                                                             \
      }                                                                                            \
    } else {                                                                                       \
      TI x = a[0];                                                                                 \
      TO v = (EXPR);                                                                               \
      for (int64_t i = 0; i < cnt; i++) o[i] = v;                                                  \
    }                                                                                              \
  } while (0)

/* A float function of one float value f, for the four float dtypes; ROUND(x) rounds an
 * intermediate to the dtype (float16 / bfloat16 compute in float). */
#define MAP_FLOATS(FEXPR, DEXPR)                                                                   \
  switch (c->dt_in) {                                                                              \
  case MX_FLOAT32: {                                                                               \
    MAP1(float, float, ({                                                                          \
           float f = x;                                                                            \
           FEXPR;                                                                                  \
         }));                                                                                      \
    break;                                                                                         \
  }                                                                                                \
  case MX_FLOAT64: {                                                                               \
    MAP1(double, double, ({                                                                        \
           double f = x;                                                                           \
           DEXPR;                                                                                  \
         }));                                                                                      \
    break;                                                                                         \
  }                                                                                                \
  case MX_FLOAT16: {                                                                               \
    MAP1(uint16_t, uint16_t, ({                                                                    \
           float f = mx_h2f(x);                                                                    \
           mx_f2h(({ FEXPR_H; }));                                                                 \
         }));                                                                                      \
    break;                                                                                         \
  }                                                                                                \
  case MX_BFLOAT16: {                                                                              \
    MAP1(uint16_t, uint16_t, ({                                                                    \
           float f = mx_bf2f(x);                                                                   \
           mx_f2bf(({ FEXPR_BF; }));                                                               \
         }));                                                                                      \
    break;                                                                                         \
  }                                                                                                \
  default:                                                                                         \
    break;                                                                                         \
  }

#define LESS_LOOP(T, LD)                                                                           \
  do {                                                                                             \
    const T *a = (const T *)c->in[0].p + b * c->in[0].st;                                          \
    const T *q = (const T *)c->in[1].p + b * c->in[1].st;                                          \
    int64_t sa = c->in[0].st, sq = c->in[1].st;                                                    \
    bool *o = (bool *)c->o + b;                                                                    \
    for (int64_t i = 0; i < e - b; i++) o[i] = LD(a[i * sa]) < LD(q[i * sq]);                      \
  } while (0)

#define ID(x) (x)

#define CLAMP_LOOP(T, LD, ST)                                                                      \
  do {                                                                                             \
    const T *a = (const T *)c->in[0].p + b * c->in[0].st;                                          \
    const T *lo = (const T *)c->in[1].p + b * c->in[1].st;                                         \
    const T *hi = (const T *)c->in[2].p + b * c->in[2].st;                                         \
    int64_t sa = c->in[0].st, sl = c->in[1].st, sh = c->in[2].st;                                  \
    T *o = (T *)c->o + b;                                                                          \
    for (int64_t i = 0; i < e - b; i++) {                                                          \
      __typeof__(LD(a[0]) + 0) x = LD(a[i * sa]), l = LD(lo[i * sl]), h = LD(hi[i * sh]);          \
      x = h < x ? h : x;                                                                           \
      x = l > x ? l : x;                                                                           \
      o[i] = ST(x);                                                                                \
    }                                                                                              \
  } while (0)

EW_CLONES static void map_range(void *c_, int64_t b, int64_t e) {
  map_ctx *c = c_;
  const double c0 = c->prm->c0;
  switch ((mx_rmap_fn)c->prm->fn) {
  case MX_RMAP_UNIFORM01: {
    const float up = (float)c0;
    MAP1(uint32_t, float, ({
           float v = (float)x * 0x1p-32f;
           v < up ? v : up;
         }));
    break;
  }
  case MX_RMAP_BITS_UNIT:
    if (c->dt_out == MX_FLOAT64)
      MAP1(uint32_t, double, (double)x * 0x1p-32);
    else
      MAP1(uint32_t, float, (float)x * 0x1p-32f);
    break;
  case MX_RMAP_ERFINV: {
#define FEXPR_H erfinv_f(f)
#define FEXPR_BF erfinv_f(f)
    MAP_FLOATS(erfinv_f(f), erfinv_d(f))
#undef FEXPR_H
#undef FEXPR_BF
    break;
  }
  case MX_RMAP_ERF: {
#define FEXPR_H mlx_erff(f)
#define FEXPR_BF mlx_erff(f)
    MAP_FLOATS(mlx_erff(f), erf(f))
#undef FEXPR_H
#undef FEXPR_BF
    break;
  }
  case MX_RMAP_GUMBEL: {
    /* -log(-log(u)), each op rounded to the dtype as MLX's op sequence does */
#define FEXPR_H -round_h(logf(-round_h(logf(f))))
#define FEXPR_BF -round_bf(logf(-round_bf(logf(f))))
    MAP_FLOATS(-logf(-logf(f)), -log(-log(f)))
#undef FEXPR_H
#undef FEXPR_BF
    break;
  }
  case MX_RMAP_LAPLACE:
    MAP1(float, float, ({
           float sg = (float)((x > 0.0f) - (x < 0.0f));
           sg *log1pf(-fabsf(x));
         }));
    break;
  case MX_RMAP_FLOOR:
    MAP1(float, float, floorf(x));
    break;
  case MX_RMAP_LESS:
    switch (c->dt_in) {
    case MX_FLOAT32:
      LESS_LOOP(float, ID);
      break;
    case MX_FLOAT64:
      LESS_LOOP(double, ID);
      break;
    case MX_FLOAT16:
      LESS_LOOP(uint16_t, mx_h2f);
      break;
    case MX_BFLOAT16:
      LESS_LOOP(uint16_t, mx_bf2f);
      break;
    default:
      break;
    }
    break;
  case MX_RMAP_CLAMP:
    switch (c->dt_in) {
    case MX_BOOL:
      CLAMP_LOOP(bool, ID, ID);
      break;
    case MX_UINT8:
      CLAMP_LOOP(uint8_t, ID, ID);
      break;
    case MX_UINT16:
      CLAMP_LOOP(uint16_t, ID, ID);
      break;
    case MX_UINT32:
      CLAMP_LOOP(uint32_t, ID, ID);
      break;
    case MX_UINT64:
      CLAMP_LOOP(uint64_t, ID, ID);
      break;
    case MX_INT8:
      CLAMP_LOOP(int8_t, ID, ID);
      break;
    case MX_INT16:
      CLAMP_LOOP(int16_t, ID, ID);
      break;
    case MX_INT32:
      CLAMP_LOOP(int32_t, ID, ID);
      break;
    case MX_INT64:
      CLAMP_LOOP(int64_t, ID, ID);
      break;
    case MX_FLOAT32:
      CLAMP_LOOP(float, ID, ID);
      break;
    case MX_FLOAT64:
      CLAMP_LOOP(double, ID, ID);
      break;
    case MX_FLOAT16:
      CLAMP_LOOP(uint16_t, mx_h2f, mx_f2h);
      break;
    case MX_BFLOAT16:
      CLAMP_LOOP(uint16_t, mx_bf2f, mx_f2bf);
      break;
    default:
      break;
    }
    break;
  }
}

/* Which input dtypes each function takes. */
static int map_check(const mx_rmap_params *p, mx_dtype in, mx_dtype out, int nin) {
  bool fl = in == MX_FLOAT16 || in == MX_FLOAT32 || in == MX_FLOAT64 || in == MX_BFLOAT16;
  switch ((mx_rmap_fn)p->fn) {
  case MX_RMAP_UNIFORM01:
    return nin == 1 && in == MX_UINT32 && out == MX_FLOAT32;
  case MX_RMAP_BITS_UNIT:
    return nin == 1 && in == MX_UINT32 && (out == MX_FLOAT32 || out == MX_FLOAT64);
  case MX_RMAP_ERFINV:
  case MX_RMAP_ERF:
  case MX_RMAP_GUMBEL:
    return nin == 1 && fl && out == in;
  case MX_RMAP_LAPLACE:
  case MX_RMAP_FLOOR:
    return nin == 1 && in == MX_FLOAT32 && out == in;
  case MX_RMAP_LESS:
    return nin == 2 && fl && out == MX_BOOL;
  case MX_RMAP_CLAMP:
    return nin == 3 && in != MX_COMPLEX64 && out == in;
  }
  return 0;
}

int mx_cpu_random_map(mx_node *n) {
  const mx_rmap_params *p = n->params;
  mx_array *out = &n->out[0];
  if (n->nin < 1 || n->nin > 3) return mx_error("[RandomMap] Expected 1 to 3 inputs.");
  mx_dtype din = (mx_dtype)n->inputs[0]->dtype;
  for (int i = 1; i < n->nin; i++)
    if (n->inputs[i]->dtype != din) return mx_error("[RandomMap] Input dtypes differ.");
  if (!map_check(p, din, (mx_dtype)out->dtype, n->nin))
    return mx_error("[RandomMap] Unsupported function %d for %s.", p->fn, mx_dtype_name(din));
  map_ctx c = {.prm = p, .nin = n->nin, .dt_in = din, .dt_out = (mx_dtype)out->dtype};
  int rc = 0, k = 0;
  for (; k < n->nin && rc == 0; k++) rc = flatten_input(n->inputs[k], &c.in[k]);
  if (rc == 0) rc = mx_array_alloc_data(out);
  if (rc == 0 && out->size > 0) {
    c.o = mx_array_data(out);
    /* A donated input is the output's exact memory: each element is read before it is written. */
    mx_ew_parallel_for(out->size, GRAIN, map_range, &c);
  }
  for (int i = 0; i < k; i++) free(c.in[i].owned);
  return rc;
}

/* ------------------------------------------------------------------ RandomPermute */

/* A permutation is the stable argsort of random uint32 keys (sort.c's mx_cpu_argsort_u32). */
int mx_cpu_random_permute(mx_node *n) {
  const mx_axis_params *p = n->params;
  const mx_array *keys = n->inputs[0];
  mx_array *out = &n->out[0];
  int64_t cnt = keys->shape[0];
  if (keys->ndim != 1 || keys->dtype != MX_UINT32)
    return mx_error("[RandomPermute] Keys must be a uint32 vector.");
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  const uint32_t *kp = mx_array_data(keys);
  if (n->nin == 1) return mx_cpu_argsort_u32(kp, keys->strides[0], cnt, mx_array_data(out));
  uint32_t *perm = malloc((size_t)cnt * sizeof(uint32_t));
  if (!perm) return mx_error("[permutation] Out of memory.");
  int rc = mx_cpu_argsort_u32(kp, keys->strides[0], cnt, perm);
  const mx_array *x = n->inputs[1];
  flat_in f = {0};
  if (rc == 0 && (rc = flatten_input(x, &f)) == 0) {
    size_t isz = mx_array_itemsize(x);
    if (f.st == 0) { /* every element equal */
      for (int64_t i = 0; i < out->size; i++)
        memcpy((char *)mx_array_data(out) + i * isz, f.p, isz);
    } else {
      int64_t outer = 1, inner = 1;
      for (int d = 0; d < p->axis; d++) outer *= x->shape[d];
      for (int d = p->axis + 1; d < x->ndim; d++) inner *= x->shape[d];
      size_t chunk = (size_t)inner * isz;
      char *dst = mx_array_data(out);
      for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < cnt; j++)
          memcpy(dst + ((size_t)(o * cnt + j)) * chunk, f.p + ((size_t)(o * cnt + perm[j])) * chunk,
                 chunk);
    }
  }
  free(f.owned);
  free(perm);
  return rc;
}

/* ------------------------------------------------------------------ categorical */

/* Index of the first maximum along the axis (NaN wins, as a maximum does); T is float or
 * double (every input type converts to one of them exactly). */
#define ARGMAX_LOOP(T)                                                                             \
  do {                                                                                             \
    const T *v = buf;                                                                              \
    for (int64_t a = 0; a < outer; a++) {                                                          \
      const T *base = v + a * cnt * inner;                                                         \
      for (int64_t r = 0; r < inner; r++) {                                                        \
        T best = base[r];                                                                          \
        uint32_t bi = 0;                                                                           \
        for (int64_t j = 1; j < cnt; j++) {                                                        \
          T x = base[j * inner + r];                                                               \
          if (x > best || (isnan(x) && !isnan(best))) {                                            \
            best = x;                                                                              \
            bi = (uint32_t)j;                                                                      \
          }                                                                                        \
        }                                                                                          \
        o[a * inner + r] = bi;                                                                     \
      }                                                                                            \
    }                                                                                              \
  } while (0)

int mx_cpu_categorical_argmax(mx_node *n) {
  const mx_axis_params *p = n->params;
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0 || in->size == 0) return 0;
  bool f64 = in->dtype == MX_FLOAT64 || mx_dtype_is_integral((mx_dtype)in->dtype);
  void *buf = contiguous_as(in, f64 ? MX_FLOAT64 : MX_FLOAT32);
  if (!buf) return MX_ERR;
  int64_t outer = 1, inner = 1, cnt = in->shape[p->axis];
  for (int d = 0; d < p->axis; d++) outer *= in->shape[d];
  for (int d = p->axis + 1; d < in->ndim; d++) inner *= in->shape[d];
  uint32_t *o = mx_array_data(out);
  if (f64)
    ARGMAX_LOOP(double);
  else
    ARGMAX_LOOP(float);
  free(buf);
  return 0;
}

/* Rounds a value to the type the weights are computed in (float32 or float64). */
static inline double round_to(double x, mx_dtype t) {
  return t == MX_FLOAT64 ? x : (double)(float)x;
}

typedef struct {
  const double *cdf;
  int64_t cnt;
  double total;
  const float *u;
  uint32_t *o;
  bool f64;
} search_ctx;

/* For each u: the first slot whose cumulative weight exceeds u * total (searchsorted, right). */
static void search_range(void *c_, int64_t b, int64_t e) {
  const search_ctx *c = c_;
  for (int64_t k = b; k < e; k++) {
    double x = c->f64 ? (double)c->u[k] * c->total : (double)(c->u[k] * (float)c->total);
    int64_t lo = 0, hi = c->cnt;
    while (lo < hi) {
      int64_t mid = lo + (hi - lo) / 2;
      if (c->cdf[mid] <= x)
        lo = mid + 1;
      else
        hi = mid;
    }
    c->o[k] = (uint32_t)(lo < c->cnt ? lo : c->cnt - 1);
  }
}

int mx_cpu_categorical_search(mx_node *n) {
  const mx_array *lg = n->inputs[0], *u = n->inputs[1];
  mx_array *out = &n->out[0];
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  int64_t cnt = lg->size;
  if (cnt == 0) return mx_error("[categorical] No categories.");
  /* MLX computes in float64 for float64 logits and in float32 for every other type. */
  mx_dtype t = lg->dtype == MX_FLOAT64 ? MX_FLOAT64 : MX_FLOAT32;
  double *l = contiguous_as(lg, MX_FLOAT64);
  float *uv = l ? contiguous_as(u, MX_FLOAT32) : NULL;
  double *cdf = uv ? malloc((size_t)cnt * sizeof(double)) : NULL;
  if (!cdf) {
    free(l);
    free(uv);
    return l && uv ? mx_error("[categorical] Out of memory.") : MX_ERR;
  }
  double m = -INFINITY;
  for (int64_t i = 0; i < cnt; i++)
    if (l[i] > m) m = l[i];
  double acc = 0.0;
  for (int64_t i = 0; i < cnt; i++) {
    double w;
    if (isinf(m))
      w = l[i] == m ? 1.0 : 0.0;
    else if (t == MX_FLOAT64)
      w = exp(l[i] - m);
    else
      w = expf((float)l[i] - (float)m);
    acc = round_to(acc + w, t);
    cdf[i] = acc;
  }
  search_ctx c = {cdf, cnt, cdf[cnt - 1], uv, mx_array_data(out), t == MX_FLOAT64};
  mx_ew_parallel_for(out->size, GRAIN / 8, search_range, &c);
  free(l);
  free(uv);
  free(cdf);
  return 0;
}

/* ------------------------------------------------------------------ CovSqrt */

/* U sqrt(S) V^T of the n x n matrix a (row-major, double) by one-sided Jacobi: the columns of
 * A V become orthogonal (A V = U S), so the result is (A V) S^(-1/2) V^T. */
static void sqrt_matrix(double *a, double *v, int64_t n, double *res) {
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) v[i * n + j] = i == j ? 1.0 : 0.0;
  for (int sweep = 0; sweep < 60; sweep++) {
    bool rotated = false;
    for (int64_t p = 0; p < n - 1; p++)
      for (int64_t q = p + 1; q < n; q++) {
        double alpha = 0, beta = 0, gamma = 0;
        for (int64_t i = 0; i < n; i++) {
          double x = a[i * n + p], y = a[i * n + q];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma == 0.0 || fabs(gamma) <= 1e-15 * sqrt(alpha * beta)) continue;
        rotated = true;
        double zeta = (beta - alpha) / (2.0 * gamma);
        double tt = (zeta >= 0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1.0 + zeta * zeta));
        double cs = 1.0 / sqrt(1.0 + tt * tt), sn = cs * tt;
        for (int64_t i = 0; i < n; i++) {
          double x = a[i * n + p], y = a[i * n + q];
          a[i * n + p] = cs * x - sn * y;
          a[i * n + q] = sn * x + cs * y;
          x = v[i * n + p], y = v[i * n + q];
          v[i * n + p] = cs * x - sn * y;
          v[i * n + q] = sn * x + cs * y;
        }
      }
    if (!rotated) break;
  }
  for (int64_t i = 0; i < n * n; i++) res[i] = 0.0;
  for (int64_t j = 0; j < n; j++) {
    double s2 = 0;
    for (int64_t i = 0; i < n; i++) s2 += a[i * n + j] * a[i * n + j];
    double sigma = sqrt(s2);
    if (!(sigma > 0.0)) continue;
    double f = 1.0 / sqrt(sigma);
    for (int64_t r = 0; r < n; r++) {
      double arj = a[r * n + j] * f;
      for (int64_t c = 0; c < n; c++) res[r * n + c] += arj * v[c * n + j];
    }
  }
}

int mx_cpu_cov_sqrt(mx_node *n) {
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (in->ndim < 2 || in->dtype != MX_FLOAT32)
    return mx_error("[CovSqrt] Expected float32 matrices.");
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  int64_t m = in->shape[in->ndim - 1];
  int64_t mats = in->size / (m * m);
  double *src = contiguous_as(in, MX_FLOAT64);
  double *work = src ? malloc((size_t)(2 * m * m) * sizeof(double)) : NULL;
  if (!work) {
    free(src);
    return src ? mx_error("[CovSqrt] Out of memory.") : MX_ERR;
  }
  float *o = mx_array_data(out);
  for (int64_t b = 0; b < mats; b++) {
    double *a = src + b * m * m;
    sqrt_matrix(a, work, m, work + m * m);
    for (int64_t i = 0; i < m * m; i++) o[b * m * m + i] = (float)work[m * m + i];
  }
  free(src);
  free(work);
  return 0;
}
