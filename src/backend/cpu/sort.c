/* SORT, ARGSORT, PARTITION, ARGPARTITION, TOPK along an axis.
 *
 * Every dtype maps to an unsigned key with MLX's order: integers flip the sign bit; floats flip
 * all bits of negatives and the sign bit of the rest, after turning -0.0 into 0.0 (equal keys)
 * and every NaN into one positive NaN (sorted last); complex64 keys are (real key, imaginary
 * key) in 64 bits. Integer keys map back to their values. Float keys map back too, except for
 * -0.0 and non-canonical NaNs, which are put back from the input afterwards; complex sorts
 * carry the original bits along as a payload, and arg-sorts carry the index.
 *
 * Sort: rows of up to 32 elements by insertion sort, longer rows by a least-significant-digit
 * radix sort of 8-bit digits (stable, so argsort is stable); all digit histograms come from
 * the pass that builds the keys, and a digit shared by every key skips its pass; a row of 2^19 or
 * more runs each pass over the worker pool (radix_pass). 16-bit keys without a payload, from 2^16
 * of them, are counted instead (radix_k16). Value sorts of 32- and 64-bit dtypes and argsorts of
 * 32-bit ones go to the AVX-512 quicksort where the CPU has it (qsort_f32, qasort_f32 ...).
 * Partition and topk: radix select (see below). Rows are shared by the pool's threads when there
 * are several and enough work. Scratch memory comes from the library's caching allocator. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/sort_simd.h"
#include "core/error.h"
#include "core/primitives.h"
#include "ops/reduce.h"

#define SMALL_SORT 32

/* ---- keys ---- */

/* Keys: unsigned integers in MLX's float order (NaN last, -0.0 equal to 0.0). The zero case and
 * the sign flip are masks, not branches: a branch on random signs, or on the zeros of a relu's
 * output, mispredicts half the time (partition of (4000, 1000) relu rows: 17.5 -> 6 ms). */
#define GEN_FKEY(NAME, T, S, ABS, INF, QNAN, BITS)                                                 \
  static inline T NAME(T b) {                                                                      \
    T a = b & (T)ABS;                                                                              \
    b = a > (T)INF ? (T)QNAN : b;                                                                  \
    b &= (T)0 - (T)(a != 0);                                                                       \
    return b ^ (T)((T)((S)b >> (BITS - 1)) | ((T)1 << (BITS - 1)));                                \
  }
GEN_FKEY(key_f16, uint16_t, int16_t, 0x7fffu, 0x7c00u, 0x7e00u, 16)
GEN_FKEY(key_bf16, uint16_t, int16_t, 0x7fffu, 0x7f80u, 0x7fc0u, 16)
GEN_FKEY(key_f32, uint32_t, int32_t, 0x7fffffffu, 0x7f800000u, 0x7fc00000u, 32)
GEN_FKEY(key_f64, uint64_t, int64_t, 0x7fffffffffffffffull, 0x7ff0000000000000ull,
         0x7ff8000000000000ull, 64)
static inline uint64_t key_c64(uint64_t b) { /* low 32 bits: real part */
  return ((uint64_t)key_f32((uint32_t)b) << 32) | key_f32((uint32_t)(b >> 32));
}
#define KEY_ID(x) (x)
#define KEY_S8(x) ((uint8_t)((x) ^ 0x80u))
#define KEY_S16(x) ((uint16_t)((x) ^ 0x8000u))
#define KEY_S32(x) ((uint32_t)((x) ^ 0x80000000u))
#define KEY_S64(x) ((uint64_t)((x) ^ 0x8000000000000000ull))

/* ---- radix sort of keys (with an optional payload) ---- */

/* A pass of a long row runs over the worker pool: each of RADIX_PARTS index ranges counts its
 * digits, then scatters to its own offsets within every digit's run (stable, as one thread's
 * pass is). A single row of 10^7 float32 took 154 ms on one thread. */
enum { RADIX_PARTS = 2, RADIX_PAR_MIN = 1 << 19 };

typedef struct {
  const void *ks, *ps;
  void *kd, *pd;
  int64_t n, len; /* keys; keys per part (the last part may be shorter) */
  int shift;
  uint32_t at[RADIX_PARTS][256]; /* a part's digit counts, then its first output index per digit */
} radix_pass;

/* (locals throughout: the counters live in the context, and stores to them would reload every
 * context field in the loops) */
#define GEN_RADIX_PASS(NAME, K, P, HASP)                                                           \
  static void NAME##_count(void *c_, int64_t t0, int64_t t1) {                                     \
    radix_pass *c = (radix_pass *)c_;                                                              \
    const K *ks = (const K *)c->ks;                                                                \
    int shift = c->shift;                                                                          \
    for (int64_t t = t0; t < t1; t++) {                                                            \
      uint32_t h[256] = {0}, h2[256] = {0}; /* even and odd keys: see BUILD_KEYS */                \
      int64_t b = t * c->len, e = b + c->len < c->n ? b + c->len : c->n, i = b;                    \
      for (; i + 2 <= e; i += 2) {                                                                 \
        h[(ks[i] >> shift) & 0xffu]++;                                                             \
        h2[(ks[i + 1] >> shift) & 0xffu]++;                                                        \
      }                                                                                            \
      if (i < e) h[(ks[i] >> shift) & 0xffu]++;                                                    \
      for (int d = 0; d < 256; d++) c->at[t][d] = h[d] + h2[d];                                    \
    }                                                                                              \
  }                                                                                                \
  static void NAME##_scatter(void *c_, int64_t t0, int64_t t1) {                                   \
    radix_pass *c = (radix_pass *)c_;                                                              \
    const K *ks = (const K *)c->ks;                                                                \
    const P *ps = (const P *)c->ps;                                                                \
    K *kd = (K *)c->kd;                                                                            \
    P *pd = (P *)c->pd;                                                                            \
    int shift = c->shift;                                                                          \
    (void)ps;                                                                                      \
    (void)pd;                                                                                      \
    for (int64_t t = t0; t < t1; t++) {                                                            \
      uint32_t off[256];                                                                           \
      memcpy(off, c->at[t], sizeof off);                                                           \
      int64_t b = t * c->len, e = b + c->len < c->n ? b + c->len : c->n;                           \
      for (int64_t i = b; i < e; i++) {                                                            \
        K key = ks[i];                                                                             \
        uint32_t o = off[(key >> shift) & 0xffu]++;                                                \
        kd[o] = key;                                                                               \
        if (HASP) pd[o] = ps[i];                                                                   \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
  static void NAME##_pass_pool(const K *ks, const P *ps, K *kd, P *pd, int64_t n, int shift) {     \
    radix_pass c = {ks, ps, kd, pd, n, (n + RADIX_PARTS - 1) / RADIX_PARTS, shift, {{0}}};         \
    mx_ew_parallel_for(RADIX_PARTS, 1, NAME##_count, &c);                                          \
    uint32_t run = 0;                                                                              \
    for (int b = 0; b < 256; b++)                                                                  \
      for (int t = 0; t < RADIX_PARTS; t++) {                                                      \
        uint32_t cnt = c.at[t][b];                                                                 \
        c.at[t][b] = run;                                                                          \
        run += cnt;                                                                                \
      }                                                                                            \
    mx_ew_parallel_for(RADIX_PARTS, 1, NAME##_scatter, &c);                                        \
  }

/* Sorts n keys k[] (payload p[]) using kt[], pt[] as scratch; hist holds the digit counts of
 * every pass (sizeof(K) rows of 256). Returns 1 when the result ended in the scratch arrays. */
#define GEN_RADIX(NAME, K, P, HASP)                                                                \
  GEN_RADIX_PASS(NAME, K, P, HASP)                                                                 \
  static int NAME(K *k, P *p, K *kt, P *pt, int64_t n, uint32_t(*hist)[256]) {                     \
    int in_tmp = 0;                                                                                \
    bool pooled = n >= RADIX_PAR_MIN && mx_ew_num_threads() > 1;                                   \
    K *ks = k, *kd = kt;                                                                           \
    P *ps = p, *pd = pt;                                                                           \
    (void)ps;                                                                                      \
    (void)pd;                                                                                      \
    for (int d = 0; d < (int)sizeof(K); d++) {                                                     \
      uint32_t *h = hist[d];                                                                       \
      int shift = 8 * d;                                                                           \
      if (h[(ks[0] >> shift) & 0xffu] == (uint32_t)n) continue;                                    \
      if (pooled) {                                                                                \
        NAME##_pass_pool(ks, ps, kd, pd, n, shift);                                                \
      } else { /* one part: its offsets from the row's counts */                                   \
        radix_pass c = {ks, ps, kd, pd, n, n, shift, {{0}}};                                       \
        uint32_t run = 0;                                                                          \
        for (int b = 0; b < 256; b++) {                                                            \
          c.at[0][b] = run;                                                                        \
          run += h[b];                                                                             \
        }                                                                                          \
        NAME##_scatter(&c, 0, 1);                                                                  \
      }                                                                                            \
      K *tk = ks;                                                                                  \
      ks = kd;                                                                                     \
      kd = tk;                                                                                     \
      P *tp = ps;                                                                                  \
      ps = pd;                                                                                     \
      pd = tp;                                                                                     \
      in_tmp = !in_tmp;                                                                            \
    }                                                                                              \
    return in_tmp;                                                                                 \
  }

/* Stable insertion sort by key. */
#define GEN_INSERTION(NAME, K, P, HASP)                                                            \
  static void NAME(K *k, P *p, int64_t n) {                                                        \
    for (int64_t i = 1; i < n; i++) {                                                              \
      K key = k[i];                                                                                \
      P pay = HASP ? p[i] : (P)0;                                                                  \
      int64_t j = i - 1;                                                                           \
      while (j >= 0 && k[j] > key) {                                                               \
        k[j + 1] = k[j];                                                                           \
        if (HASP) p[j + 1] = p[j];                                                                 \
        j--;                                                                                       \
      }                                                                                            \
      k[j + 1] = key;                                                                              \
      if (HASP) p[j + 1] = pay;                                                                    \
    }                                                                                              \
  }

GEN_RADIX(radix_k8, uint8_t, uint8_t, 0)
GEN_RADIX(radix_k16_lsd, uint16_t, uint16_t, 0)
GEN_RADIX(radix_k32, uint32_t, uint32_t, 0)
GEN_RADIX(radix_k64, uint64_t, uint64_t, 0)
GEN_RADIX(radix_k8p32, uint8_t, uint32_t, 1)
GEN_RADIX(radix_k16p32, uint16_t, uint32_t, 1)
GEN_RADIX(radix_k32p32, uint32_t, uint32_t, 1)
GEN_RADIX(radix_k64p32, uint64_t, uint32_t, 1)
GEN_RADIX(radix_k64p64, uint64_t, uint64_t, 1)

/* 16-bit keys alone (value sorts of float16, bfloat16, int16, uint16) from 2^16 keys: a counting
 * sort, the count of every key value, then the keys written back in order: two passes over the
 * keys instead of the radix sort's two scatters and counts (float16 10^7: 49 -> 22 ms). */
typedef struct {
  const uint16_t *k;
  int64_t n, len;
  uint32_t *cnt; /* 65536 per part */
} count16;
static void count_k16_task(void *c_, int64_t t0, int64_t t1) {
  count16 *c = (count16 *)c_;
  for (int64_t t = t0; t < t1; t++) {
    uint32_t *cnt = c->cnt + t * 65536;
    memset(cnt, 0, 65536 * sizeof *cnt);
    int64_t b = t * c->len, e = b + c->len < c->n ? b + c->len : c->n;
    for (int64_t i = b; i < e; i++) cnt[c->k[i]]++;
  }
}
static int radix_k16(uint16_t *k, uint16_t *p, uint16_t *kt, uint16_t *pt, int64_t n,
                     uint32_t (*hist)[256]) {
  if (n < (1 << 16)) return radix_k16_lsd(k, p, kt, pt, n, hist);
  enum { PARTS = 2 };
  mx_buffer *hold;
  uint32_t *cnt = (uint32_t *)mx_red_scratch(PARTS * 65536 * sizeof *cnt, &hold);
  if (!cnt) return radix_k16_lsd(k, p, kt, pt, n, hist);
  count16 c = {k, n, (n + PARTS - 1) / PARTS, cnt};
  mx_ew_parallel_for(PARTS, 1, count_k16_task, &c);
  int64_t o = 0;
  for (uint32_t v = 0; v < 65536; v++) {
    int64_t m = (int64_t)cnt[v] + cnt[65536 + v];
    for (int64_t i = 0; i < m; i++) k[o + i] = (uint16_t)v;
    o += m;
  }
  mx_buffer_release(hold);
  return 0;
}

GEN_INSERTION(ins_k8, uint8_t, uint8_t, 0)
GEN_INSERTION(ins_k16, uint16_t, uint16_t, 0)
GEN_INSERTION(ins_k32, uint32_t, uint32_t, 0)
GEN_INSERTION(ins_k64, uint64_t, uint64_t, 0)
GEN_INSERTION(ins_k8p32, uint8_t, uint32_t, 1)
GEN_INSERTION(ins_k16p32, uint16_t, uint32_t, 1)
GEN_INSERTION(ins_k32p32, uint32_t, uint32_t, 1)
GEN_INSERTION(ins_k64p32, uint64_t, uint32_t, 1)
GEN_INSERTION(ins_k64p64, uint64_t, uint64_t, 1)

/* ---- sort of one row ----
 * A row: n elements of storage type T at x (element stride xs); the result goes to y (stride
 * ys): values (T) for SORT, uint32 indices for ARGSORT. Scratch: 2n keys and 2n payloads. */

typedef struct {
  void *k0, *k1, *p0, *p1;
} scratch;

/* keys (and the digit histograms) of a row; payload: index (PIDX), value bits (PVAL), none */
#define PNONE 0
#define PIDX 1
#define PVAL 2
/* (two sets of histograms, for even and odd elements: consecutive increments of one counter
 * would wait on each other) */
#define BUILD_KEYS(T, K, P, KEYF, PMODE, SPECIAL)                                                  \
  const T *x = (const T *)x_;                                                                      \
  K *k = (K *)s->k0;                                                                               \
  P *p = (P *)s->p0;                                                                               \
  (void)p;                                                                                         \
  uint32_t hist[sizeof(K)][256], hist2[sizeof(K)][256];                                            \
  bool small = n <= SMALL_SORT;                                                                    \
  if (!small) {                                                                                    \
    memset(hist, 0, sizeof hist);                                                                  \
    memset(hist2, 0, sizeof hist2);                                                                \
  }                                                                                                \
  int special = 0;                                                                                 \
  for (int64_t i = 0; i < n; i++) {                                                                \
    T v = x[i * xs];                                                                               \
    K key = (K)KEYF(v);                                                                            \
    k[i] = key;                                                                                    \
    if (PMODE == PIDX) p[i] = (P)i;                                                                \
    if (PMODE == PVAL) p[i] = (P)v;                                                                \
    special |= SPECIAL(v);                                                                         \
  }                                                                                                \
  (void)special;                                                                                   \
  if (!small) {                                                                                    \
    int64_t i = 0;                                                                                 \
    for (; i + 2 <= n; i += 2) {                                                                   \
      K k0 = k[i], k1 = k[i + 1];                                                                  \
      for (int d = 0; d < (int)sizeof(K); d++) {                                                   \
        hist[d][(k0 >> (8 * d)) & 0xffu]++;                                                        \
        hist2[d][(k1 >> (8 * d)) & 0xffu]++;                                                       \
      }                                                                                            \
    }                                                                                              \
    for (; i < n; i++)                                                                             \
      for (int d = 0; d < (int)sizeof(K); d++) hist[d][(k[i] >> (8 * d)) & 0xffu]++;               \
    for (int d = 0; d < (int)sizeof(K); d++)                                                       \
      for (int b = 0; b < 256; b++) hist[d][b] += hist2[d][b];                                     \
  }

#define GEN_SORT_ROW(NAME, T, K, P, KEYF, PMODE, RADIX, INS, OUT)                                  \
  static void NAME(const void *x_, int64_t xs, void *y_, int64_t ys, int64_t n, scratch *s) {      \
    BUILD_KEYS(T, K, P, KEYF, PMODE, NO_SPECIAL)                                                   \
    if (small) {                                                                                   \
      INS(k, p, n);                                                                                \
    } else if (RADIX(k, p, (K *)s->k1, (P *)s->p1, n, hist)) {                                     \
      k = (K *)s->k1;                                                                              \
      p = (P *)s->p1;                                                                              \
    }                                                                                              \
    OUT                                                                                            \
  }

#define NO_SPECIAL(v) 0

/* a float key's bits back (SIGN: the sign bit) */
#define FKEY_INV(T, k, SIGN) (((k) & (SIGN)) ? (T)((k) ^ (SIGN)) : (T) ~(k))

/* Floats sort their keys alone: keys map back to the values, except -0.0 (the key of 0.0) and
 * NaNs other than the canonical one. A row holding those gets the run of zero keys and the run
 * of NaN keys refilled from the input in order (the sort is stable: the runs keep input order).
 * SIGN: the sign bit, INF: the bits of +inf, CANON: the canonical NaN. */
#define GEN_FSORT_ROW(NAME, T, KEYF, RADIX, INS, SIGN, INF, CANON)                                 \
  static void NAME(const void *x_, int64_t xs, void *y_, int64_t ys, int64_t n, scratch *s) {      \
    BUILD_KEYS(T, T, T, KEYF, PNONE, NAME##_special)                                               \
    if (small) {                                                                                   \
      INS(k, p, n);                                                                                \
    } else if (RADIX(k, p, (T *)s->k1, (T *)s->p1, n, hist)) {                                     \
      k = (T *)s->k1;                                                                              \
    }                                                                                              \
    T *y = (T *)y_;                                                                                \
    for (int64_t i = 0; i < n; i++) y[i * ys] = FKEY_INV(T, k[i], SIGN);                           \
    if (special) NAME##_refill(x, xs, y, ys, n, k);                                                \
  }

#define GEN_FSORT(NAME, T, KEYF, RADIX, INS, SIGN, INF, CANON)                                     \
  static inline int NAME##_special(T v) {                                                          \
    T a = (T)(v & (T)(SIGN - 1));                                                                  \
    return (v == (T)SIGN) | ((a > (T)INF) & (v != (T)CANON));                                      \
  }                                                                                                \
  static int64_t lower_##NAME(const T *k, int64_t n, T key) {                                      \
    int64_t lo = 0, hi = n;                                                                        \
    while (lo < hi) {                                                                              \
      int64_t mid = lo + (hi - lo) / 2;                                                            \
      if (k[mid] < key)                                                                            \
        lo = mid + 1;                                                                              \
      else                                                                                         \
        hi = mid;                                                                                  \
    }                                                                                              \
    return lo;                                                                                     \
  }                                                                                                \
  /* the runs of zero keys and NaN keys in sorted keys k refilled from x in input order (y holds   \
   * the values of the keys) */                                                                    \
  static void NAME##_refill(const T *x, int64_t xs, T *y, int64_t ys, int64_t n, const T *k) {     \
    int64_t z = lower_##NAME(k, n, KEYF((T)0)), q = lower_##NAME(k, n, KEYF((T)CANON));            \
    for (int64_t b = 0; b < n; b += 64) { /* blocks without zeros or NaNs skipped, no branch */    \
      int64_t e = n - b < 64 ? n : b + 64;                                                         \
      int hit = 0;                                                                                 \
      for (int64_t i = b; i < e; i++) {                                                            \
        T a = (T)(x[i * xs] & (T)(SIGN - 1));                                                      \
        hit |= (a == 0) | (a > (T)INF);                                                            \
      }                                                                                            \
      for (int64_t i = b; hit && i < e; i++) {                                                     \
        T v = x[i * xs], a = (T)(v & (T)(SIGN - 1));                                               \
        if (a == 0)                                                                                \
          y[(z++) * ys] = v;                                                                       \
        else if (a > (T)INF)                                                                       \
          y[(q++) * ys] = v;                                                                       \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
  GEN_FSORT_ROW(NAME, T, KEYF, RADIX, INS, SIGN, INF, CANON)

/* outputs */
#define OUT_INV(T, INV)                                                                            \
  {                                                                                                \
    T *y = (T *)y_;                                                                                \
    for (int64_t i = 0; i < n; i++) y[i * ys] = (T)INV(k[i]);                                      \
  }
#define OUT_PAY(T)                                                                                 \
  {                                                                                                \
    T *y = (T *)y_;                                                                                \
    for (int64_t i = 0; i < n; i++) y[i * ys] = (T)p[i];                                           \
  }

/* values: integers map back from the keys; complex values come from the payload */
GEN_SORT_ROW(sort_u8, uint8_t, uint8_t, uint8_t, KEY_ID, PNONE, radix_k8, ins_k8,
             OUT_INV(uint8_t, KEY_ID))
GEN_SORT_ROW(sort_i8, uint8_t, uint8_t, uint8_t, KEY_S8, PNONE, radix_k8, ins_k8,
             OUT_INV(uint8_t, KEY_S8))
GEN_SORT_ROW(sort_u16, uint16_t, uint16_t, uint16_t, KEY_ID, PNONE, radix_k16, ins_k16,
             OUT_INV(uint16_t, KEY_ID))
GEN_SORT_ROW(sort_i16, uint16_t, uint16_t, uint16_t, KEY_S16, PNONE, radix_k16, ins_k16,
             OUT_INV(uint16_t, KEY_S16))
GEN_SORT_ROW(sort_u32, uint32_t, uint32_t, uint32_t, KEY_ID, PNONE, radix_k32, ins_k32,
             OUT_INV(uint32_t, KEY_ID))
GEN_SORT_ROW(sort_i32, uint32_t, uint32_t, uint32_t, KEY_S32, PNONE, radix_k32, ins_k32,
             OUT_INV(uint32_t, KEY_S32))
GEN_SORT_ROW(sort_u64, uint64_t, uint64_t, uint64_t, KEY_ID, PNONE, radix_k64, ins_k64,
             OUT_INV(uint64_t, KEY_ID))
GEN_SORT_ROW(sort_i64, uint64_t, uint64_t, uint64_t, KEY_S64, PNONE, radix_k64, ins_k64,
             OUT_INV(uint64_t, KEY_S64))
GEN_FSORT(sort_f16, uint16_t, key_f16, radix_k16, ins_k16, 0x8000u, 0x7c00u, 0x7e00u)
GEN_FSORT(sort_bf16, uint16_t, key_bf16, radix_k16, ins_k16, 0x8000u, 0x7f80u, 0x7fc0u)
GEN_FSORT(sort_f32, uint32_t, key_f32, radix_k32, ins_k32, 0x80000000u, 0x7f800000u, 0x7fc00000u)
GEN_FSORT(sort_f64, uint64_t, key_f64, radix_k64, ins_k64, 0x8000000000000000ull,
          0x7ff0000000000000ull, 0x7ff8000000000000ull)
GEN_SORT_ROW(sort_c64, uint64_t, uint64_t, uint64_t, key_c64, PVAL, radix_k64p64, ins_k64p64,
             OUT_PAY(uint64_t))

/* indices */
GEN_SORT_ROW(asort_u8, uint8_t, uint8_t, uint32_t, KEY_ID, PIDX, radix_k8p32, ins_k8p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_i8, uint8_t, uint8_t, uint32_t, KEY_S8, PIDX, radix_k8p32, ins_k8p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_u16, uint16_t, uint16_t, uint32_t, KEY_ID, PIDX, radix_k16p32, ins_k16p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_i16, uint16_t, uint16_t, uint32_t, KEY_S16, PIDX, radix_k16p32, ins_k16p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_f16, uint16_t, uint16_t, uint32_t, key_f16, PIDX, radix_k16p32, ins_k16p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_bf16, uint16_t, uint16_t, uint32_t, key_bf16, PIDX, radix_k16p32, ins_k16p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_u32, uint32_t, uint32_t, uint32_t, KEY_ID, PIDX, radix_k32p32, ins_k32p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_i32, uint32_t, uint32_t, uint32_t, KEY_S32, PIDX, radix_k32p32, ins_k32p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_f32, uint32_t, uint32_t, uint32_t, key_f32, PIDX, radix_k32p32, ins_k32p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_u64, uint64_t, uint64_t, uint32_t, KEY_ID, PIDX, radix_k64p32, ins_k64p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_i64, uint64_t, uint64_t, uint32_t, KEY_S64, PIDX, radix_k64p32, ins_k64p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_f64, uint64_t, uint64_t, uint32_t, key_f64, PIDX, radix_k64p32, ins_k64p32,
             OUT_PAY(uint32_t))
GEN_SORT_ROW(asort_c64, uint64_t, uint64_t, uint32_t, key_c64, PIDX, radix_k64p32, ins_k64p32,
             OUT_PAY(uint32_t))

typedef void (*sort_row_fn)(const void *x, int64_t xs, void *y, int64_t ys, int64_t n, scratch *s);

/* ---- AVX-512 quicksort (sort_simd.c) ----
 * Value sorts of 32- and 64-bit dtypes: the keys are built into scratch, sorted there and mapped
 * back into the output; argsorts of 32-bit dtypes sort 64-bit keys (key << 32 | index: stable,
 * as the radix sort) and keep their low halves. The passes over a long row run over the pool (on
 * one thread they took as long as the quicksort). 10^7 elements: float32 sort 119-122 -> 34 ms
 * (numpy 44-45), argsort 129 -> 56 (numpy's stable 1270), float64 sort 272 -> 69 (numpy 89). A
 * float row holding -0.0 or a NaN other than the canonical one (their keys do not map back)
 * gets its runs of zeros and NaNs refilled from the input afterwards, as the radix sort's row
 * function does (sending those rows to the radix sort instead: one -0.0 in 10^7 normal floats
 * made it 142 ms). */
enum { QUICK_GRAIN = 1 << 16 };

typedef struct {
  const void *x;
  void *k, *y;
  int64_t xs, ys;
  int special;
} quick_job;

/* for (i = i0; i < i1; i++) BODY, BODY indexing with stride S_ (= S): with a copy of the loop for
 * S == 1, which the compiler vectorizes */
#define FOR_STRIDED(i, i0, i1, S, S_, ...)                                                         \
  if ((S) == 1) {                                                                                  \
    const int64_t S_ = 1;                                                                          \
    for (int64_t i = i0; i < i1; i++) __VA_ARGS__                                                  \
  } else {                                                                                         \
    const int64_t S_ = (S);                                                                        \
    for (int64_t i = i0; i < i1; i++) __VA_ARGS__                                                  \
  }

static inline uint32_t inv_f32(uint32_t k) {
  return FKEY_INV(uint32_t, k, 0x80000000u);
}
static inline uint64_t inv_f64(uint64_t k) {
  return FKEY_INV(uint64_t, k, 0x8000000000000000ull);
}

/* T: the dtype's storage and key type; QSORT its quicksort; REFILL puts back the values whose
 * keys do not map back (GEN_FSORT's NAME_refill) */
#define NO_REFILL(x, xs, y, ys, n, k) ((void)0)
#define GEN_QUICK_SORT_ROW(NAME, T, KEYF, INV, SPECIAL, QSORT, REFILL)                             \
  static void NAME##_keys(void *c_, int64_t i0, int64_t i1) {                                      \
    quick_job *c = (quick_job *)c_;                                                                \
    const T *x = (const T *)c->x;                                                                  \
    T *k = (T *)c->k;                                                                              \
    int special = 0;                                                                               \
    FOR_STRIDED(i, i0, i1, c->xs, s_, {                                                            \
      k[i] = (T)KEYF(x[i * s_]);                                                                   \
      special |= SPECIAL(x[i * s_]);                                                               \
    })                                                                                             \
    if (special) __atomic_fetch_or(&c->special, 1, __ATOMIC_RELAXED);                              \
  }                                                                                                \
  static void NAME##_values(void *c_, int64_t i0, int64_t i1) {                                    \
    quick_job *c = (quick_job *)c_;                                                                \
    const T *k = (const T *)c->k;                                                                  \
    T *y = (T *)c->y;                                                                              \
    FOR_STRIDED(i, i0, i1, c->ys, s_, { y[i * s_] = (T)INV(k[i]); })                               \
  }                                                                                                \
  static void NAME(const void *x, int64_t xs, void *y, int64_t ys, int64_t n, scratch *s) {        \
    quick_job c = {x, s->k0, y, xs, ys, 0};                                                        \
    mx_ew_parallel_for(n, QUICK_GRAIN, NAME##_keys, &c);                                           \
    QSORT((T *)c.k, n);                                                                            \
    mx_ew_parallel_for(n, QUICK_GRAIN, NAME##_values, &c);                                         \
    if (c.special) REFILL((const T *)x, xs, (T *)y, ys, n, (const T *)c.k);                        \
  }
GEN_QUICK_SORT_ROW(qsort_u32, uint32_t, KEY_ID, KEY_ID, NO_SPECIAL, mx_sort_u32_simd, NO_REFILL)
GEN_QUICK_SORT_ROW(qsort_i32, uint32_t, KEY_S32, KEY_S32, NO_SPECIAL, mx_sort_u32_simd, NO_REFILL)
GEN_QUICK_SORT_ROW(qsort_f32, uint32_t, key_f32, inv_f32, sort_f32_special, mx_sort_u32_simd,
                   sort_f32_refill)
GEN_QUICK_SORT_ROW(qsort_u64, uint64_t, KEY_ID, KEY_ID, NO_SPECIAL, mx_sort_u64_simd, NO_REFILL)
GEN_QUICK_SORT_ROW(qsort_i64, uint64_t, KEY_S64, KEY_S64, NO_SPECIAL, mx_sort_u64_simd, NO_REFILL)
GEN_QUICK_SORT_ROW(qsort_f64, uint64_t, key_f64, inv_f64, sort_f64_special, mx_sort_u64_simd,
                   sort_f64_refill)

/* argsorts of 32-bit dtypes (scratch: n 64-bit keys at k0) */
#define GEN_QUICK_ARGSORT_ROW(NAME, KEYF)                                                          \
  static void NAME##_keys(void *c_, int64_t i0, int64_t i1) {                                      \
    quick_job *c = (quick_job *)c_;                                                                \
    const uint32_t *x = (const uint32_t *)c->x;                                                    \
    uint64_t *k = (uint64_t *)c->k;                                                                \
    FOR_STRIDED(i, i0, i1, c->xs, s_, { k[i] = (uint64_t)KEYF(x[i * s_]) << 32 | (uint64_t)i; })   \
  }                                                                                                \
  static void NAME(const void *x, int64_t xs, void *y, int64_t ys, int64_t n, scratch *s) {        \
    quick_job c = {x, s->k0, y, xs, ys, 0};                                                        \
    mx_ew_parallel_for(n, QUICK_GRAIN, NAME##_keys, &c);                                           \
    mx_sort_u64_simd((uint64_t *)c.k, n);                                                          \
    mx_ew_parallel_for(n, QUICK_GRAIN, quick_indices, &c);                                         \
  }
static void quick_indices(void *c_, int64_t i0, int64_t i1) {
  quick_job *c = (quick_job *)c_;
  const uint64_t *k = (const uint64_t *)c->k;
  uint32_t *y = (uint32_t *)c->y;
  FOR_STRIDED(i, i0, i1, c->ys, s_, { y[i * s_] = (uint32_t)k[i]; })
}
GEN_QUICK_ARGSORT_ROW(qasort_u32, KEY_ID)
GEN_QUICK_ARGSORT_ROW(qasort_i32, KEY_S32)
GEN_QUICK_ARGSORT_ROW(qasort_f32, key_f32)

/* key and payload sizes of a row function, for the scratch */
typedef struct {
  sort_row_fn fn;
  size_t ksz, psz;
} sort_pick;

static int pick_sort(mx_dtype dt, bool arg, sort_pick *sp) {
#define SP(F, KS, PS)                                                                              \
  do {                                                                                             \
    *sp = (sort_pick){F, KS, PS};                                                                  \
    return 0;                                                                                      \
  } while (0)
  switch (dt) {
  case MX_BOOL:
  case MX_UINT8:
    if (arg) SP(asort_u8, 1, 4);
    SP(sort_u8, 1, 0);
  case MX_INT8:
    if (arg) SP(asort_i8, 1, 4);
    SP(sort_i8, 1, 0);
  case MX_UINT16:
    if (arg) SP(asort_u16, 2, 4);
    SP(sort_u16, 2, 0);
  case MX_INT16:
    if (arg) SP(asort_i16, 2, 4);
    SP(sort_i16, 2, 0);
  case MX_FLOAT16:
    if (arg) SP(asort_f16, 2, 4);
    SP(sort_f16, 2, 0);
  case MX_BFLOAT16:
    if (arg) SP(asort_bf16, 2, 4);
    SP(sort_bf16, 2, 0);
  case MX_UINT32:
    if (arg && mx_sort_simd_available()) SP(qasort_u32, 8, 0);
    if (arg) SP(asort_u32, 4, 4);
    if (mx_sort_simd_available()) SP(qsort_u32, 4, 0);
    SP(sort_u32, 4, 0);
  case MX_INT32:
    if (arg && mx_sort_simd_available()) SP(qasort_i32, 8, 0);
    if (arg) SP(asort_i32, 4, 4);
    if (mx_sort_simd_available()) SP(qsort_i32, 4, 0);
    SP(sort_i32, 4, 0);
  case MX_FLOAT32:
    if (arg && mx_sort_simd_available()) SP(qasort_f32, 8, 0);
    if (arg) SP(asort_f32, 4, 4);
    if (mx_sort_simd_available()) SP(qsort_f32, 4, 0);
    SP(sort_f32, 4, 0);
  case MX_UINT64:
    if (arg) SP(asort_u64, 8, 4);
    if (mx_sort_simd_available()) SP(qsort_u64, 8, 0);
    SP(sort_u64, 8, 0);
  case MX_INT64:
    if (arg) SP(asort_i64, 8, 4);
    if (mx_sort_simd_available()) SP(qsort_i64, 8, 0);
    SP(sort_i64, 8, 0);
  case MX_FLOAT64:
    if (arg) SP(asort_f64, 8, 4);
    if (mx_sort_simd_available()) SP(qsort_f64, 8, 0);
    SP(sort_f64, 8, 0);
  case MX_COMPLEX64:
    if (arg) SP(asort_c64, 8, 4);
    SP(sort_c64, 8, 8);
  default:
    return 1;
  }
#undef SP
}

/* ---- partition, topk ----
 * Radix select: the digit histogram of the keys (most significant byte first) locates the
 * kth key's byte; the keys sharing the bytes found so far are gathered and the next byte is
 * resolved among them, until the kth key is known. One last pass writes the row: elements with
 * smaller keys first, then the equal ones, then the larger ones, each group in input order
 * (arg: their indices). TOPK (kth = n - k) writes only the last k of those.
 * The passes over the whole row (the first byte's histogram, the first gathering, the writing)
 * run over index ranges: one, or PART_PARTS on the worker pool for rows of PART_POOL_MIN and
 * more (each range gathers into its own stretch of the candidates, and writes from offsets
 * counted per range, so the output keeps input order). The writing of contiguous 32-bit rows is
 * mx_part3_u32_simd's, 16 elements at a time by vpcompressd where the CPU has AVX-512 (the
 * scalar write's three-way branch mispredicted on random keys: argpartition of 10^7 float32
 * 38-44 -> 11-19 ms, numpy 19-24 for partition; bench/ops_ab.py). Rows of up to PART_SORT_MAX
 * with 32-bit or narrower keys are sorted whole instead, by the quicksort of (key, index) in 64
 * bits (SMALL_SORT and an insertion sort without AVX-512): the radix select's fixed cost per row
 * made topk(x, 2, axis=1) of a (2.5 x 10^6, 4) float32 array take 260 ms (numpy 97; now 38).
 * Below PART_HIST4_MIN keys the histograms are single, a level that leaves SMALL_SORT
 * candidates or fewer sorts them to finish, and one whose candidates are all equal (ties) stops
 * there: partition of (4000, 1000) rows of one value 21.5 -> 7.9 ms (the real MLX 8.0). */

enum { PART_PARTS = 2, PART_POOL_MIN = 1 << 19, PART_SORT_MAX = 128, PART_HIST4_MIN = 4096 };

typedef struct {
  const void *x;
  void *y, *cand;
  int64_t xs, ys, n, len; /* row length; range length (the last range may be shorter) */
  int arg;                /* 0: values, 1: indices, 2: TOPK values */
  int shift;
  uint64_t b, pivot; /* the first byte sought; the kth key */
  bool dense;        /* many keys have that byte: gather without a branch */
  int64_t first;     /* the first output position written (TOPK: kth) */
  uint32_t h[PART_PARTS][256];
  int64_t got[PART_PARTS];   /* candidates a range gathered (at cand + t * len) */
  int64_t at[PART_PARTS][3]; /* a range's counts of smaller, equal, larger keys, then its
                                first output position for each */
} part_job;

/* A gathering pass keeps `count` of `n` keys: more than 1 in 8 and a branch on each would
 * mispredict often (ties: relu rows of which half are zeros); fewer, and the branch is cheaper
 * than storing every key. */
#define PART_DENSE(count, n) ((int64_t)(count)*8 > (int64_t)(n))

#define PART_RANGE(j, t, i0, i1)                                                                   \
  int64_t i0 = (t) * (j)->len, i1 = i0 + (j)->len < (j)->n ? i0 + (j)->len : (j)->n

/* KIND: mx_part3's key kind for 32-bit keys (its AVX-512 write), else -1 */
#define GEN_PART_ROW(NAME, T, K, KEYF, KIND)                                                       \
  GEN_INSERTION(NAME##_ins, K, uint32_t, 1)                                                        \
  static void NAME##_hist(void *j_, int64_t t0, int64_t t1) {                                      \
    part_job *j = (part_job *)j_;                                                                  \
    const T *x = (const T *)j->x;                                                                  \
    int64_t xs = j->xs;                                                                            \
    int shift = j->shift;                                                                          \
    for (int64_t t = t0; t < t1; t++) {                                                            \
      PART_RANGE(j, t, i0, i1);                                                                    \
      if (i1 - i0 < PART_HIST4_MIN) { /* one histogram: four cost more to clear than to fill */    \
        memset(j->h[t], 0, sizeof j->h[t]);                                                        \
        for (int64_t i = i0; i < i1; i++) j->h[t][((K)KEYF(x[i * xs]) >> shift) & 0xffu]++;        \
        continue;                                                                                  \
      }                                                                                            \
      uint32_t h4[4][256] = {{0}};                                                                 \
      int64_t i = i0;                                                                              \
      for (; i + 4 <= i1; i += 4)                                                                  \
        for (int u = 0; u < 4; u++) h4[u][((K)KEYF(x[(i + u) * xs]) >> shift) & 0xffu]++;          \
      for (; i < i1; i++) h4[0][((K)KEYF(x[i * xs]) >> shift) & 0xffu]++;                          \
      for (int b = 0; b < 256; b++) j->h[t][b] = h4[0][b] + h4[1][b] + h4[2][b] + h4[3][b];        \
    }                                                                                              \
  }                                                                                                \
  static void NAME##_gather(void *j_, int64_t t0, int64_t t1) {                                    \
    part_job *j = (part_job *)j_;                                                                  \
    const T *x = (const T *)j->x;                                                                  \
    int64_t xs = j->xs;                                                                            \
    int shift = j->shift;                                                                          \
    K b = (K)j->b;                                                                                 \
    for (int64_t t = t0; t < t1; t++) {                                                            \
      PART_RANGE(j, t, i0, i1);                                                                    \
      K *cand = (K *)j->cand + i0;                                                                 \
      int64_t c = 0;                                                                               \
      if (j->dense) { /* many match (ties): no branch, which would mispredict */                   \
        for (int64_t i = i0; i < i1; i++) {                                                        \
          K key = (K)KEYF(x[i * xs]);                                                              \
          cand[c] = key;                                                                           \
          c += ((key >> shift) & 0xffu) == b;                                                      \
        }                                                                                          \
      } else {                                                                                     \
        for (int64_t i = i0; i < i1; i++) {                                                        \
          K key = (K)KEYF(x[i * xs]);                                                              \
          if (((key >> shift) & 0xffu) == b) cand[c++] = key;                                      \
        }                                                                                          \
      }                                                                                            \
      j->got[t] = c;                                                                               \
    }                                                                                              \
  }                                                                                                \
  static void NAME##_count(void *j_, int64_t t0, int64_t t1) {                                     \
    part_job *j = (part_job *)j_;                                                                  \
    const T *x = (const T *)j->x;                                                                  \
    int64_t xs = j->xs;                                                                            \
    K pivot = (K)j->pivot;                                                                         \
    for (int64_t t = t0; t < t1; t++) {                                                            \
      PART_RANGE(j, t, i0, i1);                                                                    \
      int64_t lo = 0, eq = 0;                                                                      \
      for (int64_t i = i0; i < i1; i++) {                                                          \
        K key = (K)KEYF(x[i * xs]);                                                                \
        lo += key < pivot;                                                                         \
        eq += key == pivot;                                                                        \
      }                                                                                            \
      j->at[t][0] = lo;                                                                            \
      j->at[t][1] = eq;                                                                            \
      j->at[t][2] = (i1 - i0) - lo - eq;                                                           \
    }                                                                                              \
  }                                                                                                \
  static void NAME##_write(void *j_, int64_t t0, int64_t t1) {                                     \
    part_job *j = (part_job *)j_;                                                                  \
    const T *x = (const T *)j->x;                                                                  \
    int64_t xs = j->xs, ys = j->ys, first = j->first;                                              \
    K pivot = (K)j->pivot;                                                                         \
    for (int64_t t = t0; t < t1; t++) {                                                            \
      PART_RANGE(j, t, i0, i1);                                                                    \
      if (KIND >= 0 && xs == 1 && ys == 1) {                                                       \
        mx_part3 p3 = {(uint32_t)pivot, KIND, j->arg == 1, first, {0}};                            \
        memcpy(p3.pos, j->at[t], sizeof p3.pos);                                                   \
        if (mx_part3_u32_simd((const uint32_t *)x, i0, i1, (uint32_t *)j->y, &p3)) continue;       \
      }                                                                                            \
      int64_t lo = j->at[t][0], eq = j->at[t][1], hi = j->at[t][2];                                \
      for (int64_t i = i0; i < i1; i++) {                                                          \
        T v = x[i * xs];                                                                           \
        K key = (K)KEYF(v);                                                                        \
        int below = key < pivot, same = key == pivot; /* no branch: random keys mispredict */      \
        int64_t o = below ? lo : same ? eq : hi;                                                   \
        lo += below;                                                                               \
        eq += same;                                                                                \
        hi += !below & !same;                                                                      \
        if (o < first) continue;                                                                   \
        if (j->arg == 1)                                                                           \
          ((uint32_t *)j->y)[(o - first) * ys] = (uint32_t)i;                                      \
        else                                                                                       \
          ((T *)j->y)[(o - first) * ys] = v;                                                       \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
  static void NAME(const void *x_, int64_t xs, void *y_, int64_t ys, int64_t n, int64_t kth,       \
                   int arg, void *cand_) {                                                         \
    bool vec = sizeof(K) <= 4 && mx_sort_simd_available();                                         \
    if (n <= (vec ? PART_SORT_MAX : SMALL_SORT)) {                                                 \
      uint32_t idx[PART_SORT_MAX]; /* the row by (key, index): a partition, stable within ties */  \
      if (vec) {                   /* the quicksort of (key, index) in 64 bits */                  \
        uint64_t pk[PART_SORT_MAX];                                                                \
        for (int64_t i = 0; i < n; i++)                                                            \
          pk[i] = (uint64_t)(K)KEYF(((const T *)x_)[i * xs]) << 32 | (uint64_t)i;                  \
        mx_sort_u64_simd(pk, n);                                                                   \
        for (int64_t i = 0; i < n; i++) idx[i] = (uint32_t)pk[i];                                  \
      } else {                                                                                     \
        K key[SMALL_SORT];                                                                         \
        for (int64_t i = 0; i < n; i++) {                                                          \
          key[i] = (K)KEYF(((const T *)x_)[i * xs]);                                               \
          idx[i] = (uint32_t)i;                                                                    \
        }                                                                                          \
        NAME##_ins(key, idx, n);                                                                   \
      }                                                                                            \
      int64_t first = arg == 2 ? kth : 0;                                                          \
      for (int64_t o = first; o < n; o++)                                                          \
        if (arg == 1)                                                                              \
          ((uint32_t *)y_)[(o - first) * ys] = idx[o];                                             \
        else                                                                                       \
          ((T *)y_)[(o - first) * ys] = ((const T *)x_)[idx[o] * xs];                              \
      return;                                                                                      \
    }                                                                                              \
    int parts = n >= PART_POOL_MIN && mx_ew_num_threads() > 1 ? PART_PARTS : 1;                    \
    part_job j = {x_,                                                                              \
                  y_,                                                                              \
                  cand_,                                                                           \
                  xs,                                                                              \
                  ys,                                                                              \
                  n,                                                                               \
                  (n + parts - 1) / parts,                                                         \
                  arg,                                                                             \
                  8 * ((int)sizeof(K) - 1),                                                        \
                  0,                                                                               \
                  0,                                                                               \
                  false,                                                                           \
                  arg == 2 ? kth : 0,                                                              \
                  {{0}},                                                                           \
                  {0},                                                                             \
                  {{0}}};                                                                          \
    K *cand = (K *)cand_, *kept = NULL; /* kept: the first level's candidates, by range */         \
    int64_t below = 0, m = n;           /* keys known smaller; candidates left */                  \
    K pivot = 0;                                                                                   \
    bool found = false;                                                                            \
    for (int d = (int)sizeof(K) - 1; d >= 0 && !found; d--) {                                      \
      int shift = 8 * d;                                                                           \
      uint32_t h[256];                                                                             \
      if (d == (int)sizeof(K) - 1) {                                                               \
        part_run(NAME##_hist, &j, parts);                                                          \
        for (int b = 0; b < 256; b++) h[b] = j.h[0][b] + (parts > 1 ? j.h[1][b] : 0);              \
      } else if (m < PART_HIST4_MIN) {                                                             \
        memset(h, 0, sizeof h);                                                                    \
        for (int64_t i = 0; i < m; i++) h[(cand[i] >> shift) & 0xffu]++;                           \
      } else {                                                                                     \
        uint32_t h4[4][256] = {{0}};                                                               \
        int64_t i = 0;                                                                             \
        for (; i + 4 <= m; i += 4)                                                                 \
          for (int u = 0; u < 4; u++) h4[u][(cand[i + u] >> shift) & 0xffu]++;                     \
        for (; i < m; i++) h4[0][(cand[i] >> shift) & 0xffu]++;                                    \
        for (int b = 0; b < 256; b++) h[b] = h4[0][b] + h4[1][b] + h4[2][b] + h4[3][b];            \
      }                                                                                            \
      int b = 0;                                                                                   \
      int64_t acc = below;                                                                         \
      while (acc + h[b] <= kth) acc += h[b++];                                                     \
      below = acc;                                                                                 \
      /* the candidates: keys whose bytes so far match (gathered from x on the first level) */     \
      int64_t c = 0;                                                                               \
      if (d == (int)sizeof(K) - 1) {                                                               \
        j.b = (uint64_t)b;                                                                         \
        j.dense = PART_DENSE(h[b], n);                                                             \
        part_run(NAME##_gather, &j, parts);                                                        \
        c = j.got[0];                                                                              \
        for (int t = 1; t < parts; t++) { /* ranges' candidates moved together */                  \
          memmove(cand + c, cand + t * j.len, (size_t)j.got[t] * sizeof(K));                       \
          c += j.got[t];                                                                           \
        }                                                                                          \
        if (parts > 1 &&                                                                           \
            2 * c <= n) { /* kept for the ranges' counts (later levels write below) */             \
          kept = cand + n - c;                                                                     \
          memcpy(kept, cand, (size_t)c * sizeof(K));                                               \
        }                                                                                          \
      } else {                                                                                     \
        if (PART_DENSE(h[b], m)) {                                                                 \
          for (int64_t i = 0; i < m; i++) {                                                        \
            K key = cand[i];                                                                       \
            cand[c] = key;                                                                         \
            c += ((key >> shift) & 0xffu) == (K)b;                                                 \
          }                                                                                        \
        } else {                                                                                   \
          for (int64_t i = 0; i < m; i++)                                                          \
            if (((cand[i] >> shift) & 0xffu) == (K)b) cand[c++] = cand[i];                         \
        }                                                                                          \
      }                                                                                            \
      m = c;                                                                                       \
      K lo_key = cand[0], hi_key = cand[0]; /* candidates all equal (a run of ties): found */      \
      for (int64_t i = 1; i < m; i++) {                                                            \
        lo_key = cand[i] < lo_key ? cand[i] : lo_key;                                              \
        hi_key = cand[i] > hi_key ? cand[i] : hi_key;                                              \
      }                                                                                            \
      if (d == 0 || m == 1 || lo_key == hi_key) {                                                  \
        pivot = cand[0];                                                                           \
        found = true;                                                                              \
      } else if (m <= SMALL_SORT) { /* a few candidates: the kth among them by sorting them */     \
        uint32_t unused[SMALL_SORT];                                                               \
        NAME##_ins(cand, unused, m);                                                               \
        pivot = cand[kth - below];                                                                 \
        int64_t lo = 0, eq = 0;                                                                    \
        for (int64_t i = 0; i < m; i++) {                                                          \
          lo += cand[i] < pivot;                                                                   \
          eq += cand[i] == pivot;                                                                  \
        }                                                                                          \
        below += lo;                                                                               \
        m = eq;                                                                                    \
        found = true;                                                                              \
      }                                                                                            \
    }                                                                                              \
    /* the m candidates left equal the pivot; each range's first output positions */               \
    j.pivot = (uint64_t)pivot;                                                                     \
    int64_t start[3] = {0, below, below + m};                                                      \
    if (kept) { /* a range's smaller keys: its first level's smaller bytes and its candidates' */  \
      int64_t k0 = 0;                                                                              \
      for (int t = 0; t < parts; k0 += j.got[t++]) {                                               \
        int64_t lo = 0, eq = 0;                                                                    \
        for (int bb = 0; bb < (int)j.b; bb++) lo += j.h[t][bb];                                    \
        for (int64_t i = k0; i < k0 + j.got[t]; i++) {                                             \
          lo += kept[i] < pivot;                                                                   \
          eq += kept[i] == pivot;                                                                  \
        }                                                                                          \
        PART_RANGE(&j, t, i0, i1);                                                                 \
        j.at[t][0] = lo;                                                                           \
        j.at[t][1] = eq;                                                                           \
        j.at[t][2] = (i1 - i0) - lo - eq;                                                          \
      }                                                                                            \
    } else if (parts > 1) {                                                                        \
      part_run(NAME##_count, &j, parts);                                                           \
    }                                                                                              \
    for (int t = 0; t < parts; t++)                                                                \
      for (int g = 0; g < 3; g++) {                                                                \
        int64_t cnt = j.at[t][g];                                                                  \
        j.at[t][g] = start[g];                                                                     \
        start[g] += cnt;                                                                           \
      }                                                                                            \
    part_run(NAME##_write, &j, parts);                                                             \
  }

/* fn over ranges 0..parts-1: inline for one, else over the worker pool */
static void part_run(mx_ew_task fn, part_job *j, int parts) {
  if (parts == 1)
    fn(j, 0, 1);
  else
    mx_ew_parallel_for(parts, 1, fn, j);
}

GEN_PART_ROW(part_u8, uint8_t, uint8_t, KEY_ID, -1)
GEN_PART_ROW(part_i8, uint8_t, uint8_t, KEY_S8, -1)
GEN_PART_ROW(part_u16, uint16_t, uint16_t, KEY_ID, -1)
GEN_PART_ROW(part_i16, uint16_t, uint16_t, KEY_S16, -1)
GEN_PART_ROW(part_f16, uint16_t, uint16_t, key_f16, -1)
GEN_PART_ROW(part_bf16, uint16_t, uint16_t, key_bf16, -1)
GEN_PART_ROW(part_u32, uint32_t, uint32_t, KEY_ID, 0)
GEN_PART_ROW(part_i32, uint32_t, uint32_t, KEY_S32, 1)
GEN_PART_ROW(part_f32, uint32_t, uint32_t, key_f32, 2)
GEN_PART_ROW(part_u64, uint64_t, uint64_t, KEY_ID, -1)
GEN_PART_ROW(part_i64, uint64_t, uint64_t, KEY_S64, -1)
GEN_PART_ROW(part_f64, uint64_t, uint64_t, key_f64, -1)
GEN_PART_ROW(part_c64, uint64_t, uint64_t, key_c64, -1)

typedef void (*part_row_fn)(const void *x, int64_t xs, void *y, int64_t ys, int64_t n, int64_t kth,
                            int arg, void *cand);

/* the row function and its key size */
static part_row_fn pick_part(mx_dtype dt, size_t *ksz) {
  *ksz = mx_dtype_size(dt) == 8 ? 8 : mx_dtype_size(dt);
  switch (dt) {
  case MX_BOOL:
  case MX_UINT8:
    return part_u8;
  case MX_INT8:
    return part_i8;
  case MX_UINT16:
    return part_u16;
  case MX_INT16:
    return part_i16;
  case MX_FLOAT16:
    return part_f16;
  case MX_BFLOAT16:
    return part_bf16;
  case MX_UINT32:
    return part_u32;
  case MX_INT32:
    return part_i32;
  case MX_FLOAT32:
    return part_f32;
  case MX_UINT64:
    return part_u64;
  case MX_INT64:
    return part_i64;
  case MX_FLOAT64:
    return part_f64;
  case MX_COMPLEX64:
    return part_c64;
  default:
    return NULL;
  }
}

/* ---- kernels ---- */

typedef struct {
  const char *x;
  char *y;
  size_t isz, osz;
  int64_t n, nout, inner; /* nout: output length of the axis (k for TOPK, else n) */
  /* sort */
  sort_pick sp;
  /* partition */
  part_row_fn part;
  size_t ksz;
  int64_t kth;
  int arg;
  int failed;
} sort_ctx;

/* Scratch for rows of n with sp's key and payload sizes (NULL when out of memory). */
static void *sort_scratch(const sort_pick *sp, int64_t n, scratch *s, mx_buffer **hold) {
  size_t kb = (size_t)n * sp->ksz, pb = (size_t)n * sp->psz;
  char *mem = (char *)mx_red_scratch(2 * kb + 2 * pb + 64, hold);
  if (mem) *s = (scratch){mem, mem + kb, mem + 2 * kb, mem + 2 * kb + pb};
  return mem;
}

int mx_cpu_argsort_u32(const uint32_t *keys, int64_t ks, int64_t n, uint32_t *idx) {
  sort_pick sp;
  pick_sort(MX_UINT32, true, &sp);
  scratch s;
  mx_buffer *hold;
  if (!sort_scratch(&sp, n, &s, &hold)) return mx_error("[permutation] Out of memory.");
  sp.fn(keys, ks, idx, 1, n, &s);
  mx_buffer_release(hold);
  return 0;
}

/* Unit u: row u of the (outer * inner) rows; row (o, j) starts at o * n * inner + j. */
static void sort_range(void *c_, int64_t b, int64_t e) {
  sort_ctx *c = (sort_ctx *)c_;
  int64_t n = c->n;
  scratch s;
  mx_buffer *hold;
  if (!sort_scratch(&c->sp, n, &s, &hold)) {
    c->failed = 1;
    return;
  }
  for (int64_t u = b; u < e; u++) {
    int64_t o = u / c->inner, j = u % c->inner;
    size_t start = (size_t)(o * n * c->inner + j);
    c->sp.fn(c->x + start * c->isz, c->inner, c->y + start * c->osz, c->inner, n, &s);
  }
  mx_buffer_release(hold);
}

static void part_range(void *c_, int64_t b, int64_t e) {
  sort_ctx *c = (sort_ctx *)c_;
  int64_t n = c->n;
  mx_buffer *hold;
  void *items = mx_red_scratch((size_t)n * c->ksz + 16, &hold);
  if (!items) {
    c->failed = 1;
    return;
  }
  for (int64_t u = b; u < e; u++) {
    int64_t o = u / c->inner, j = u % c->inner;
    size_t start = (size_t)(o * n * c->inner + j);
    size_t ostart = (size_t)(o * c->nout * c->inner + j);
    c->part(c->x + start * c->isz, c->inner, c->y + ostart * c->osz, c->inner, n, c->kth, c->arg,
            items);
  }
  mx_buffer_release(hold);
}

/* The result over rows that hold one value each (in broadcast along the axis), into out's
 * buffer of in's shape but out's length along the axis: the values as they are, or the positions
 * 0, 1, ... along the axis (the stable order). */
static int const_rows(const char *name, const mx_array *in, int axis, bool arg, mx_array *out) {
  const void *src = mx_array_data(in);
  int32_t shape[MX_MAX_NDIM];
  int64_t st[MX_MAX_NDIM];
  uint32_t *iota = NULL;
  for (int d = 0; d < in->ndim; d++) {
    shape[d] = d == axis ? out->shape[d] : in->shape[d];
    st[d] = arg ? d == axis : in->strides[d];
  }
  if (arg) {
    iota = malloc((size_t)shape[axis] * sizeof *iota);
    if (!iota) return mx_error("[%s] Out of memory.", name);
    for (int32_t i = 0; i < shape[axis]; i++) iota[i] = (uint32_t)i;
    src = iota;
  }
  mx_cpu_copy_strided(mx_array_data(out), (mx_dtype)out->dtype, src, (mx_dtype)out->dtype, in->ndim,
                      shape, st);
  free(iota);
  return 0;
}

static int run_sortlike(mx_node *nd, bool partition) {
  bool arg = nd->prim == MX_PRIM_ARGSORT || nd->prim == MX_PRIM_ARGPARTITION;
  bool topk = nd->prim == MX_PRIM_TOPK;
  const char *name = topk        ? "topk"
                     : partition ? (arg ? "argpartition" : "partition")
                                 : (arg ? "argsort" : "sort");
  const mx_sort_params *p = (const mx_sort_params *)nd->params;
  const mx_array *in = nd->inputs[0];
  mx_array *out = &nd->out[0];
  if (p->axis < 0 || p->axis >= in->ndim) return mx_error("[%s] Invalid axis.", name);
  if (!arg && in->dtype != out->dtype) return mx_error("[%s] Output dtype differs.", name);
  if (arg && out->dtype != MX_UINT32) return mx_error("[%s] Output dtype must be uint32.", name);
  sort_ctx c;
  memset(&c, 0, sizeof c);
  if (partition) {
    c.part = pick_part((mx_dtype)in->dtype, &c.ksz);
    if (!c.part) return mx_error("[%s] Unsupported dtype.", name);
  } else if (pick_sort((mx_dtype)in->dtype, arg, &c.sp)) {
    return mx_error("[%s] Unsupported dtype.", name);
  }
  /* Dims other than the axis along which the input is broadcast (stride 0) hold equal rows: the
   * kernel runs over the distinct rows only, then its results are repeated along those dims. */
  bool rep[MX_MAX_NDIM], bcast = false;
  int32_t dshape[MX_MAX_NDIM];
  mx_array distinct = *in;
  distinct.shape = dshape;
  for (int d = 0; d < in->ndim; d++) {
    rep[d] = d != p->axis && in->shape[d] > 1 && in->strides[d] == 0;
    dshape[d] = rep[d] ? 1 : in->shape[d];
    distinct.size = d ? distinct.size * dshape[d] : dshape[d];
    bcast = bcast || rep[d];
  }
  if (bcast) {
    distinct.flags = mx_layout_flags(in->ndim, dshape, in->strides, &distinct.data_size);
    in = &distinct;
  }
  if (bcast ? mx_cpu_alloc_repeated(out, rep) : mx_array_alloc_data(out)) return MX_ERR;
  if (in->size == 0 || out->size == 0) return 0;
  int64_t n = in->shape[p->axis];
  if (partition && (p->kth < 0 || p->kth >= n)) return mx_error("[%s] Invalid kth.", name);
  if (topk && out->shape[p->axis] != n - p->kth) return mx_error("[topk] Output shape mismatch.");
  if (n > 1 && in->strides[p->axis] == 0) { /* one value along the axis: already in order */
    int rc = const_rows(name, in, p->axis, arg, out);
    return rc ? rc : bcast ? mx_cpu_expand_broadcast(out) : 0;
  }
  mx_axis_view v;
  MX_TRY(mx_axis_view_init(name, in, p->axis, &v));
  c.x = (const char *)v.x;
  c.y = (char *)mx_array_data(out);
  c.isz = mx_array_itemsize(in);
  c.osz = mx_array_itemsize(out);
  c.n = v.n;
  c.nout = topk ? n - p->kth : n;
  c.inner = v.inner;
  c.kth = p->kth;
  c.arg = topk ? 2 : arg;
  int64_t rows = v.outer * v.inner;
  double logn = 1.0;
  for (int64_t m = v.n; m > 1; m >>= 1) logn += 1.0;
  double cost = (double)in->size * (partition ? 4.0 : (v.n <= SMALL_SORT ? logn : 8.0));
  mx_red_parallel(partition ? part_range : sort_range, &c, rows, cost);
  mx_axis_view_free(&v);
  if (c.failed) return mx_error("[%s] Out of memory.", name);
  return bcast ? mx_cpu_expand_broadcast(out) : 0;
}

int mx_cpu_sort(mx_node *n) {
  return run_sortlike(n, false);
}

int mx_cpu_partition(mx_node *n) {
  return run_sortlike(n, true);
}
