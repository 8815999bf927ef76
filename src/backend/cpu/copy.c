/* COPY / ASTYPE: a row-contiguous copy of any strided view, converting between all 14x14 dtype
 * pairs with C conversion semantics (float -> bool is v != 0, complex -> real takes the real part,
 * real -> complex has imaginary part 0, float16/bfloat16 go through float). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <stdlib.h>
#include <string.h>

#include "backend/cpu/ew_common.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/strided.h"
#include "backend/cpu/tile16.h"
#include "core/error.h"
#include "core/primitives.h"

/* The dtypes in enum order: suffix, C storage type. */
#define TYPES_A(X, ...)                                                                            \
  X(b, bool, __VA_ARGS__)                                                                          \
  X(u8, uint8_t, __VA_ARGS__)                                                                      \
  X(u16, uint16_t, __VA_ARGS__)                                                                    \
  X(u32, uint32_t, __VA_ARGS__)                                                                    \
  X(u64, uint64_t, __VA_ARGS__)                                                                    \
  X(i8, int8_t, __VA_ARGS__)                                                                       \
  X(i16, int16_t, __VA_ARGS__)                                                                     \
  X(i32, int32_t, __VA_ARGS__)                                                                     \
  X(i64, int64_t, __VA_ARGS__)                                                                     \
  X(f16, uint16_t, __VA_ARGS__)                                                                    \
  X(f32, float, __VA_ARGS__)                                                                       \
  X(f64, double, __VA_ARGS__)                                                                      \
  X(bf16, uint16_t, __VA_ARGS__)                                                                   \
  X(c64, mx_complex64, __VA_ARGS__)
/* A second copy so the list can be expanded inside an expansion of the first. */
#define TYPES_B(X, ...)                                                                            \
  X(b, bool, __VA_ARGS__)                                                                          \
  X(u8, uint8_t, __VA_ARGS__)                                                                      \
  X(u16, uint16_t, __VA_ARGS__)                                                                    \
  X(u32, uint32_t, __VA_ARGS__)                                                                    \
  X(u64, uint64_t, __VA_ARGS__)                                                                    \
  X(i8, int8_t, __VA_ARGS__)                                                                       \
  X(i16, int16_t, __VA_ARGS__)                                                                     \
  X(i32, int32_t, __VA_ARGS__)                                                                     \
  X(i64, int64_t, __VA_ARGS__)                                                                     \
  X(f16, uint16_t, __VA_ARGS__)                                                                    \
  X(f32, float, __VA_ARGS__)                                                                       \
  X(f64, double, __VA_ARGS__)                                                                      \
  X(bf16, uint16_t, __VA_ARGS__)                                                                   \
  X(c64, mx_complex64, __VA_ARGS__)

/* Load: storage -> a C arithmetic value. */
#define LD_b(x) (x)
#define LD_u8(x) (x)
#define LD_u16(x) (x)
#define LD_u32(x) (x)
#define LD_u64(x) (x)
#define LD_i8(x) (x)
#define LD_i16(x) (x)
#define LD_i32(x) (x)
#define LD_i64(x) (x)
#define LD_f16(x) mx_h2f(x)
#define LD_f32(x) (x)
#define LD_f64(x) (x)
#define LD_bf16(x) mx_bf2f(x)
#define LD_c64(x) ((x).re)

/* Store: C arithmetic value -> storage. Floating values go to narrow integers the way x86
 * compilers convert them (through a 32-bit, for uint32 a 64-bit, signed conversion). */
#define FLT_TO(T, W, v) _Generic((v), float : (T)(W)(v), double : (T)(W)(v), default : (T)(v))
#define ST_b(v) ((bool)((v) != 0))
#define ST_u8(v) FLT_TO(uint8_t, int32_t, v)
#define ST_u16(v) FLT_TO(uint16_t, int32_t, v)
#define ST_u32(v) FLT_TO(uint32_t, int64_t, v)
#define ST_u64(v) ((uint64_t)(v))
#define ST_i8(v) FLT_TO(int8_t, int32_t, v)
#define ST_i16(v) FLT_TO(int16_t, int32_t, v)
#define ST_i32(v) ((int32_t)(v))
#define ST_i64(v) ((int64_t)(v))
#define ST_f16(v) mx_f2h((float)(v))
#define ST_f32(v) ((float)(v))
#define ST_f64(v) ((double)(v))
#define ST_bf16(v) mx_f2bf((float)(v))
#define ST_c64(v) ((mx_complex64){(float)(v), 0.0f})

typedef void (*conv_fn)(const void *src, int64_t ss, void *dst, int64_t ds, int64_t n);

/* No restrict: an in-place conversion between same-size types (exact alias) must work. */
#define GEN_PAIR(D, TD, S, TS)                                                                     \
  static void conv_##S##_##D(const void *src_, int64_t ss, void *dst_, int64_t ds, int64_t n) {    \
    const TS *src = (const TS *)src_;                                                              \
    TD *dst = (TD *)dst_;                                                                          \
    if (ss == 1 && ds == 1) {                                                                      \
      for (int64_t i = 0; i < n; i++) dst[i] = ST_##D(LD_##S(src[i]));                             \
    } else if (ss == 0) {                                                                          \
      TD v = ST_##D(LD_##S(src[0]));                                                               \
      if (ds == 1)                                                                                 \
        for (int64_t i = 0; i < n; i++) dst[i] = v;                                                \
      else                                                                                         \
        for (int64_t i = 0; i < n; i++) dst[i * ds] = v;                                           \
    } else if (ds == 1) {                                                                          \
      for (int64_t i = 0; i < n; i++) dst[i] = ST_##D(LD_##S(src[i * ss]));                        \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) dst[i * ds] = ST_##D(LD_##S(src[i * ss]));                   \
    }                                                                                              \
  }
#define GEN_ROW(S, TS, unused) TYPES_B(GEN_PAIR, S, TS)
TYPES_A(GEN_ROW, 0)

#define TABLE_ENT(D, TD, S, TS) conv_##S##_##D,
#define TABLE_ROW(S, TS, unused) {TYPES_B(TABLE_ENT, S, TS)},
static const conv_fn conv_table[MX_NUM_DTYPES][MX_NUM_DTYPES] = {TYPES_A(TABLE_ROW, 0)};

/* Same-dtype (bitwise) strided copies by item size. */
#define GEN_BITCOPY(NAME, T)                                                                       \
  static void NAME(const void *src_, int64_t ss, void *dst_, int64_t ds, int64_t n) {              \
    const T *src = (const T *)src_;                                                                \
    T *dst = (T *)dst_;                                                                            \
    if (ss == 1 && ds == 1) {                                                                      \
      if (src != dst) memmove(dst, src, (size_t)n * sizeof(T));                                    \
    } else if (ss == 0) {                                                                          \
      T v = src[0];                                                                                \
      if (ds == 1)                                                                                 \
        for (int64_t i = 0; i < n; i++) dst[i] = v;                                                \
      else                                                                                         \
        for (int64_t i = 0; i < n; i++) dst[i * ds] = v;                                           \
    } else if (ds == 1) {                                                                          \
      for (int64_t i = 0; i < n; i++) dst[i] = src[i * ss];                                        \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) dst[i * ds] = src[i * ss];                                   \
    }                                                                                              \
  }
GEN_BITCOPY(bitcopy1, uint8_t)
GEN_BITCOPY(bitcopy2, uint16_t)
GEN_BITCOPY(bitcopy4, uint32_t)
GEN_BITCOPY(bitcopy8, uint64_t)

/* float32 -> float16 with the hardware conversion (round to nearest even; NaN quieted with the
 * top payload bits kept, as mx_f2h) where AVX-512 is available: the generic branch-free
 * conversion is several times slower than memory. */
#if EW_HAVE_X86
#include <immintrin.h>
__attribute__((target("avx512f"))) static void f32_f16_avx512(const float *s, uint16_t *d,
                                                               int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256((__m256i *)(d + i),
                        _mm512_cvtps_ph(_mm512_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < n; i++) d[i] = mx_f2h(s[i]);
}

static void conv_f32_f16_fast(const void *src, int64_t ss, void *dst, int64_t ds, int64_t n) {
  static int have_cached = -1;
  int have = __atomic_load_n(&have_cached, __ATOMIC_RELAXED);
  if (have < 0) {
    have = __builtin_cpu_supports("avx512f") ? 1 : 0;
    __atomic_store_n(&have_cached, have, __ATOMIC_RELAXED);
  }
  if (ss == 1 && ds == 1 && have)
    f32_f16_avx512((const float *)src, (uint16_t *)dst, n);
  else
    conv_f32_f16(src, ss, dst, ds, n);
}
#endif

static conv_fn pick_conv(mx_dtype st, mx_dtype dt) {
#if EW_HAVE_X86
  if (st == MX_FLOAT32 && dt == MX_FLOAT16) return conv_f32_f16_fast;
#endif
  if (st == dt) {
    switch (mx_dtype_size(st)) {
    case 1:
      return bitcopy1;
    case 2:
      return bitcopy2;
    case 4:
      return bitcopy4;
    default:
      return bitcopy8;
    }
  }
  return conv_table[st][dt];
}

/* A 2-d transpose-like copy (both operands strided, neither inner stride 1 for the source) is
 * done in tiles so both sides stay in cache. */
#define TILE 16
#define TILE_C 256 /* columns per tile: 256 source lines, each kernel call a 256-element run */

/* A last dim of at most SHORT_INNER elements that does not merge with the one before (a repeat's
 * broadcast axis, the transpose of a few long rows) is walked across: per band of SHORT_BAND
 * rows, one run down the band for each of its positions, instead of a kernel call per row of two
 * or three elements (repeat(x, 2, axis=1) of 1000 x 10^4 float32: 23.6-24.0 -> 5.3-5.8 ms, numpy
 * 21.7-22.7; bench/ops_ab.py). */
enum { SHORT_INNER = 8, SHORT_BAND = 2048 };

/* Copies are split over the CPU threads (ew_pool.c): a flat range (1-d, strides ss/ds; a
 * contiguous destination larger than the cache is streamed out, see elementwise.h), rows of an
 * N-d walk, bands of TILE rows walked tile by tile, or bands of SHORT_BAND short rows. */
typedef struct {
  conv_fn fn;
  const char *sp;
  char *dp;
  int64_t ssz, dsz;
  int64_t ss, ds; /* flat */
  int same;       /* one dtype (flat: and ss = ds = 1): a plain byte copy */
  int stream;
  int mode; /* 0 flat, 1 rows, 2 tiled bands, 3 bands of short rows */
  const mx_strided *s;
} copy_job;

static void copy_task(void *ctx, int64_t begin, int64_t end) {
  const copy_job *j = (const copy_job *)ctx;
  if (j->mode == 0) {
    const char *sp = j->sp + begin * j->ss * j->ssz;
    char *dp = j->dp + begin * j->ds * j->dsz;
    int64_t n = end - begin;
    if (!j->stream) {
      j->fn(sp, j->ss, dp, j->ds, n);
    } else if (j->same) {
      mx_ew_stream_copy(dp, sp, (size_t)(n * j->dsz));
      mx_ew_stream_fence();
    } else {
      _Alignas(64) char tmp[EW_STREAM_BYTES];
      int64_t per = EW_STREAM_BYTES / j->dsz;
      for (int64_t b = 0; b < n; b += per) {
        int64_t m = n - b < per ? n - b : per;
        j->fn(sp + b * j->ss * j->ssz, j->ss, tmp, 1, m);
        mx_ew_stream_copy(dp + b * j->dsz, tmp, (size_t)(m * j->dsz));
      }
      mx_ew_stream_fence();
    }
    return;
  }
  const mx_strided *s = j->s;
  int nd = s->ndim;
  int64_t inner = s->shape[nd - 1], sin = s->strides[0][nd - 1], din = s->strides[1][nd - 1];
  mx_strided_pos p;
  if (j->mode == 1) {
    ew_pos_at(s, begin, &p);
    for (int64_t r = begin; r < end; r++) {
      j->fn(j->sp + p.off[0] * j->ssz, sin, j->dp + p.off[1] * j->dsz, din, inner);
      mx_strided_next(s, &p);
    }
    return;
  }
  int64_t outer_n = s->shape[nd - 2], sout = s->strides[0][nd - 2], dout = s->strides[1][nd - 2];
  if (j->mode == 3) { /* bands of short rows, walked position by position */
    int64_t bands = (outer_n + SHORT_BAND - 1) / SHORT_BAND;
    for (int64_t t = begin; t < end; t++) {
      int64_t blk = t / bands, r0 = (t % bands) * SHORT_BAND;
      int64_t m = outer_n - r0 < SHORT_BAND ? outer_n - r0 : SHORT_BAND;
      ew_pos_at(s, blk * outer_n, &p);
      if (j->same && sin == 1 && din == 1 && inner * j->ssz <= EW_BAND_ROW_BYTES) {
        /* unit-stride rows of one dtype: one fixed-size move per row */
        ew_copy_short_rows(j->dp + (p.off[1] + r0 * dout) * j->dsz, dout * j->dsz,
                           j->sp + (p.off[0] + r0 * sout) * j->ssz, sout * j->ssz, m,
                           (size_t)(inner * j->ssz));
        continue;
      }
      for (int64_t c = 0; c < inner; c++)
        j->fn(j->sp + (p.off[0] + r0 * sout + c * sin) * j->ssz, sout,
              j->dp + (p.off[1] + r0 * dout + c * din) * j->dsz, dout, m);
    }
    return;
  }
  /* bands of TILE rows of the last two dims, each walked tile by tile */
  int64_t bands = (outer_n + TILE - 1) / TILE;
  for (int64_t t = begin; t < end; t++) {
    int64_t blk = t / bands, r0 = (t % bands) * TILE;
    int64_t r1 = r0 + TILE < outer_n ? r0 + TILE : outer_n;
    ew_pos_at(s, blk * outer_n, &p);
    const char *sb = j->sp + p.off[0] * j->ssz;
    char *db = j->dp + p.off[1] * j->dsz;
    for (int64_t c0 = 0; c0 < inner; c0 += TILE_C) {
      int64_t cn = inner - c0 < TILE_C ? inner - c0 : TILE_C;
      for (int64_t r = r0; r < r1; r++)
        j->fn(sb + (r * sout + c0 * sin) * j->ssz, sin, db + (r * dout + c0 * din) * j->dsz, din,
              cn);
    }
  }
}

/* Work per element relative to a plain copy, for choosing when to split over threads. */
static int copy_cost(mx_dtype st, mx_dtype dt) {
  if (st == dt) return EW_COST_CHEAP;
  return st == MX_FLOAT16 || st == MX_BFLOAT16 || dt == MX_FLOAT16 || dt == MX_BFLOAT16
             ? EW_COST_MATH
             : EW_COST_CHEAP;
}

/* A flat copy of n elements (strides ss, ds), split over the threads when large. */
static void copy_flat(conv_fn fn, const void *src, mx_dtype st, int64_t ss, void *dst,
                      mx_dtype dt, int64_t ds, int64_t n) {
  copy_job j = {fn, (const char *)src, (char *)dst, (int64_t)mx_dtype_size(st),
                (int64_t)mx_dtype_size(dt), ss, ds, 0, 0, 0, NULL};
  j.same = st == dt && ss == 1 && ds == 1;
  j.stream = ds == 1 && copy_cost(st, dt) == EW_COST_CHEAP && j.dsz >= j.ssz &&
             n * (j.dsz + (ss != 0 ? j.ssz : 0)) >= mx_ew_stream_min_bytes() &&
             (src != dst || !j.same); /* (an exact in-place copy is skipped by fn) */
  if (j.same && src == dst) return;
  mx_ew_parallel_for(n, ew_grain(copy_cost(st, dt)), copy_task, &j);
}

void mx_cpu_convert(const void *src, mx_dtype st, int64_t sstride, void *dst, mx_dtype dt,
                    int64_t dstride, int64_t n) {
  if (n <= 0) return;
  copy_flat(pick_conv(st, dt), src, st, sstride, dst, dt, dstride, n);
}

/* The transposing copy: work items are bands of TR_BAND rows of one matrix (the last two dims);
 * in a band, 16 source rows (dst columns) at a time go through register transposes (tile16.h),
 * each read as a run of TR_BAND elements, and the next 16 runs are prefetched meanwhile (runs of
 * 512 bytes 40 KB apart are too short for the hardware prefetchers). bench/ab.py,
 * contiguous(x.T) of 10^4 x 10^4 float32: 214 ms with scalar 32 x 32 tiles on one thread, 50 ms.
 * Bands of 64 rather than 128 rows: 3162^2 (10^7 elements) took 21 ms with 128 (3168^2: 2.9),
 * 5.4 with 64; 4096^2 12.7 -> 10.0 ms, 10^4 x 10^4 68 -> 66 (bench/transpose_sizes.py). */
enum { TR_BAND = 64 };
typedef struct {
  const mx_strided *s;
  int di, si;
  char *dst;
  const char *src;
} transpose_job;

EW_CLONES static void transpose_task(void *ctx, int64_t begin, int64_t end) {
  const transpose_job *t = ctx;
  const mx_strided *s = t->s;
  int nd = s->ndim;
  int64_t n0 = s->shape[nd - 2], n1 = s->shape[nd - 1], bands = (n0 + TR_BAND - 1) / TR_BAND;
  int64_t d0 = s->strides[t->di][nd - 2], s1 = s->strides[t->si][nd - 1];
  mx_strided_pos p;
  for (int64_t item = begin; item < end; item++) {
    int64_t i0 = item % bands * TR_BAND, ni = n0 - i0 < TR_BAND ? n0 - i0 : TR_BAND;
    ew_pos_at(s, item / bands * n0 + i0, &p);
    const float *sb = (const float *)t->src + p.off[t->si];
    float *db = (float *)t->dst + p.off[t->di];
    for (int64_t j0 = 0; j0 < n1; j0 += 16) {
      const float *src = sb + j0 * s1;
      float *dst = db + j0;
      for (int64_t j = j0 + 16; j < j0 + 32 && j < n1; j++)
        for (int64_t off = 0; off < ni; off += 16)
          __builtin_prefetch(src + (j - j0) * s1 + off, 0, 1);
      if (j0 + 16 <= n1) {
        tile16_rows_to_lanes(src, s1, dst, d0, ni);
      } else {
        for (int64_t i = 0; i < ni; i++)
          for (int64_t j = 0; j < n1 - j0; j++) dst[i * d0 + j] = src[i + j * s1];
      }
    }
  }
}

void mx_cpu_transpose4(const mx_strided *s, int di, int si, void *dst, const void *src) {
  int nd = s->ndim;
  int64_t n0 = s->shape[nd - 2], n1 = s->shape[nd - 1];
  int64_t items = s->size / (n0 * n1) * ((n0 + TR_BAND - 1) / TR_BAND);
  transpose_job t = {s, di, si, (char *)dst, (const char *)src};
  mx_ew_parallel_for(items, 1 + 65536 / (TR_BAND * n1), transpose_task, &t);
}

void mx_cpu_copy_strided(void *dst, mx_dtype dt, const void *src, mx_dtype st, int ndim,
                         const int32_t *shape, const int64_t *strides) {
  int64_t dstr[MX_MAX_NDIM];
  mx_strided_row_strides(ndim, shape, dstr);
  const int64_t *ops[2] = {strides, dstr};
  mx_strided s;
  if (mx_strided_init(&s, ndim, shape, 2, ops) == 0) return;
  conv_fn fn = pick_conv(st, dt);
  int nd = s.ndim;
  int64_t inner = s.shape[nd - 1];
  int64_t sin = s.strides[0][nd - 1], din = s.strides[1][nd - 1];
  if (nd == 1) {
    copy_flat(fn, src, st, sin, dst, dt, din, inner);
    return;
  }
  copy_job j = {fn,   (const char *)src, (char *)dst, (int64_t)mx_dtype_size(st),
                (int64_t)mx_dtype_size(dt), 0, 0, 0, 0, 1, &s};
  int64_t grain = ew_grain(copy_cost(st, dt)), items;
  /* Tiled path: the source's inner stride is large and the next dim's is 1 (transposed view). */
  int64_t outer_n = s.shape[nd - 2];
  if (s.strides[0][nd - 2] == 1 && sin != 0 && inner >= TILE && outer_n >= TILE) {
    if (st == dt && mx_dtype_size(st) == 4) { /* without conversion: register transposes */
      mx_cpu_transpose4(&s, 1, 0, dst, src);
      return;
    }
    j.mode = 2;
    items = s.size / (inner * outer_n) * ((outer_n + TILE - 1) / TILE);
    grain = (grain + inner * TILE - 1) / (inner * TILE);
  } else if (inner <= SHORT_INNER && outer_n >= SHORT_BAND) {
    j.mode = 3;
    j.same = st == dt;
    items = s.size / (inner * outer_n) * ((outer_n + SHORT_BAND - 1) / SHORT_BAND);
    grain = (grain + inner * SHORT_BAND - 1) / (inner * SHORT_BAND);
  } else {
    items = mx_strided_rows(&s);
    grain = (grain + inner - 1) / inner;
  }
  mx_ew_parallel_for(items, grain, copy_task, &j);
}

int mx_cpu_copy_into(mx_array *dst, const mx_array *src) {
  if (dst->ndim != src->ndim) return mx_error("[copy] Shapes of source and destination differ.");
  for (int d = 0; d < src->ndim; d++)
    if (dst->shape[d] != src->shape[d])
      return mx_error("[copy] Shapes of source and destination differ.");
  if (!mx_dtype_valid(src->dtype) || !mx_dtype_valid(dst->dtype))
    return mx_error("[copy] Invalid dtype.");
  if (src->size == 0) return 0;
  const void *sp = mx_array_data(src);
  void *dp = mx_array_data(dst);
  if (!sp || !dp) return mx_error("[copy] Array has no data.");
  mx_dtype st = (mx_dtype)src->dtype, dt = (mx_dtype)dst->dtype;
  int src_rc = mx_strided_is_row_contig(src);
  if (src_rc && st == dt) {
    if (sp == dp) return 0;
    if (dst->buf == src->buf) { /* (overlapping views of one buffer) */
      memmove(dp, sp, (size_t)src->size * mx_dtype_size(st));
      return 0;
    }
    mx_cpu_convert(sp, st, 1, dp, dt, 1, src->size);
    return 0;
  }
  /* The destination may share the source's buffer (donation): safe in place only when the two
   * coincide exactly and elements have the same size. Otherwise go through a temporary. */
  if (dst->buf && dst->buf == src->buf &&
      !(src_rc && sp == dp && mx_dtype_size(st) == mx_dtype_size(dt))) {
    size_t nb = (size_t)dst->size * mx_dtype_size(dt);
    void *tmp = malloc(nb);
    if (!tmp) return mx_error("[copy] Out of memory allocating %zu bytes.", nb);
    mx_cpu_copy_strided(tmp, dt, sp, st, src->ndim, src->shape, src->strides);
    memcpy(dp, tmp, nb);
    free(tmp);
    return 0;
  }
  if (src_rc) {
    mx_cpu_convert(sp, st, 1, dp, dt, 1, src->size);
    return 0;
  }
  mx_cpu_copy_strided(dp, dt, sp, st, src->ndim, src->shape, src->strides);
  return 0;
}

int mx_cpu_copy(mx_node *n) {
  if (n->nin < 1) return mx_error("[copy] Expected one input.");
  mx_array *out = &n->out[0];
  const mx_array *in = n->inputs[0];
  if (n->prim == MX_PRIM_ASTYPE && in->size > 1 && !mx_strided_is_row_contig(in) && ew_dense(in)) {
    /* a conversion keeps a dense layout (a transpose, a broadcast view), as MLX's does: only the
     * distinct elements are converted (broadcast_to(x[:1], (2000, 2000)).astype(int32) 0.28 ->
     * 0.001 ms, the real MLX 0.08) */
    if (ew_alloc_like(out, in)) return MX_ERR;
    const void *sp = mx_array_data(in);
    void *dp = mx_array_data(out);
    if (!sp || !dp) return mx_error("[copy] Array has no data.");
    mx_cpu_convert(sp, (mx_dtype)in->dtype, 1, dp, (mx_dtype)out->dtype, 1, in->data_size);
    return 0;
  }
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  return mx_cpu_copy_into(out, in);
}
