/* Quicksort of uint32 keys on AVX-512, and the stable three-way partition that writes sort.c's
 * partitions (see sort_simd.h).
 *
 * Partition: keys below the pivot go left, the rest right, a vector of 16 keys at a time, each
 * side's keys packed by vpcompressd and written with a masked store. It runs in place: the first
 * and last vectors wait in registers, so there is always a 32-key gap between the written and the
 * unread keys, and each vector is read from the side whose part of the gap is smaller (that side
 * then has room for all 16 of it; the other already had).
 * Runs of up to NET_MAX keys are sorted in registers by a bitonic network: each vector of 16 by
 * its own, then runs of 1, 2, 4, 8 vectors merged pairwise (a mirror compare of the two runs,
 * then half-cleaners across vectors and within them). Pivots are the median of 16 (256 for a
 * row split over the pool) keys sampled evenly. A pivot that is the smallest key takes its
 * equals instead (a run of equal keys needs no more work), and a depth limit falls back to
 * heapsort, so neither duplicates nor adversarial inputs make the sort quadratic.
 *
 * A row of POOL_MIN keys or more is split once with a pivot from 256 samples, and each side
 * sorted on its own thread. 10^7 keys on one thread 49 ms, as numpy's AVX-512 quicksort. */
#include "backend/cpu/sort_simd.h"

#include "backend/cpu/elementwise.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define QS_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,popcnt,bmi2")))
#define QS_INLINE static inline __attribute__((always_inline)) QS_TARGET

enum { NET_MAX = 256, POOL_MIN = 1 << 16 };

typedef __m512i v16;

/* ---- bitonic networks ---- */

/* lanes i and i ^ x compared: lanes in hi take the larger key, the others the smaller */
QS_INLINE v16 cmpx(v16 v, int x, __mmask16 hi) {
  const v16 iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  v16 p = x == 1   ? _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0xB1) /* in-lane: 1 cycle, not 3 */
          : x == 2 ? _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0x4E)
          : x == 3 ? _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0x1B)
                   : _mm512_permutexvar_epi32(_mm512_xor_si512(iota, _mm512_set1_epi32(x)), v);
  return _mm512_mask_max_epu32(_mm512_min_epu32(v, p), hi, v, p);
}

QS_INLINE v16 reverse16(v16 v) {
  return _mm512_permutexvar_epi32(
      _mm512_set_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), v);
}

QS_INLINE v16 sort16(v16 v) {
  v = cmpx(v, 1, 0xAAAA);
  v = cmpx(v, 3, 0xCCCC);
  v = cmpx(v, 1, 0xAAAA);
  v = cmpx(v, 7, 0xF0F0);
  v = cmpx(v, 2, 0xCCCC);
  v = cmpx(v, 1, 0xAAAA);
  v = cmpx(v, 15, 0xFF00);
  v = cmpx(v, 4, 0xF0F0);
  v = cmpx(v, 2, 0xCCCC);
  return cmpx(v, 1, 0xAAAA);
}

/* the half-cleaners within a vector: a bitonic vector comes out sorted */
QS_INLINE v16 clean16(v16 v) {
  v = cmpx(v, 8, 0xFF00);
  v = cmpx(v, 4, 0xF0F0);
  v = cmpx(v, 2, 0xCCCC);
  return cmpx(v, 1, 0xAAAA);
}

/* Sorts the keys of nv vectors (a power of two up to 16) as one sequence. */
QS_INLINE void sort_vectors(v16 *v, const int nv) {
  for (int i = 0; i < nv; i++) v[i] = sort16(v[i]);
  for (int w = 1; w < nv; w *= 2)
    for (int b = 0; b < nv; b += 2 * w) {
      for (int i = 0; i < w; i++) { /* mirror: key j against key 32w - 1 - j */
        v16 x = v[b + i], y = reverse16(v[b + 2 * w - 1 - i]);
        v[b + i] = _mm512_min_epu32(x, y);
        v[b + 2 * w - 1 - i] = reverse16(_mm512_max_epu32(x, y));
      }
      for (int d = w / 2; d >= 1; d /= 2)
        for (int i = b; i < b + 2 * w; i++)
          if (!((i - b) & d)) {
            v16 x = v[i], y = v[i + d];
            v[i] = _mm512_min_epu32(x, y);
            v[i + d] = _mm512_max_epu32(x, y);
          }
      for (int i = b; i < b + 2 * w; i++) v[i] = clean16(v[i]);
    }
}

QS_INLINE __mmask16 lanes_of(int64_t n, int i) {
  int64_t m = n - 16 * (int64_t)i;
  return m >= 16 ? (__mmask16)0xFFFF : m <= 0 ? (__mmask16)0 : (__mmask16)((1u << m) - 1);
}

/* n keys, n <= 16 * nv, padded with the largest key */
QS_INLINE void sort_run(uint32_t *a, int64_t n, const int nv) {
  v16 v[16];
  const v16 pad = _mm512_set1_epi32(-1);
  for (int i = 0; i < nv; i++) v[i] = _mm512_mask_loadu_epi32(pad, lanes_of(n, i), a + 16 * i);
  sort_vectors(v, nv);
  for (int i = 0; i < nv; i++) _mm512_mask_storeu_epi32(a + 16 * i, lanes_of(n, i), v[i]);
}

QS_TARGET static void sort_small(uint32_t *a, int64_t n) {
  if (n <= 16)
    sort_run(a, n, 1);
  else if (n <= 32)
    sort_run(a, n, 2);
  else if (n <= 64)
    sort_run(a, n, 4);
  else if (n <= 128)
    sort_run(a, n, 8);
  else
    sort_run(a, n, 16);
}

/* ---- partition ---- */

/* the keys of v in m packed at a + *l (left side, growing up) or ending at a + *r (right side,
 * growing down); vpcompressd to memory was faster here than a register compress and a masked
 * store (10^7 keys: 52 -> 49 ms) */
QS_INLINE void put_left(uint32_t *a, int64_t *l, v16 v, __mmask16 m) {
  _mm512_mask_compressstoreu_epi32(a + *l, m, v);
  *l += __builtin_popcount(m);
}

QS_INLINE void put_right(uint32_t *a, int64_t *r, v16 v, __mmask16 m) {
  *r -= __builtin_popcount(m);
  _mm512_mask_compressstoreu_epi32(a + *r, m, v);
}

QS_INLINE void put_both(uint32_t *a, int64_t *l, int64_t *r, v16 v, v16 pv) {
  __mmask16 lt = _mm512_cmplt_epu32_mask(v, pv);
  put_left(a, l, v, lt);
  put_right(a, r, v, _knot_mask16(lt));
}

/* Keys < pivot to a[0, l), the rest to a[l, n); returns l. n >= 32 * UNROLL. The first and last
 * UNROLL vectors wait in registers, and the loop reads UNROLL vectors from one side per branch
 * (the branch's outcome follows the data: one mispredict per UNROLL vectors, not per vector). */
enum { UNROLL = 8 };
#ifndef PREFETCH
#define PREFETCH 32
#endif
QS_TARGET static int64_t partition_lt(uint32_t *a, int64_t n, uint32_t pivot) {
  const v16 pv = _mm512_set1_epi32((int)pivot);
  v16 first[UNROLL], last[UNROLL];
  for (int u = 0; u < UNROLL; u++) {
    first[u] = _mm512_loadu_si512(a + 16 * u);
    last[u] = _mm512_loadu_si512(a + n - 16 * (UNROLL - u));
  }
  /* written [0, l) and [r, n); unread [lr, rr); the gap between, 32 * UNROLL keys */
  int64_t l = 0, r = n, lr = 16 * UNROLL, rr = n - 16 * UNROLL;
  int64_t rem = (rr - lr) % 16;
  if (rem) {
    __mmask16 m = (__mmask16)((1u << rem) - 1);
    v16 t = _mm512_maskz_loadu_epi32(m, a + lr);
    __mmask16 lt = _mm512_mask_cmplt_epu32_mask(m, t, pv);
    lr += rem;
    put_left(a, &l, t, lt);
    put_right(a, &r, t, (__mmask16)(m & ~lt));
  }
  while (rr - lr >= 16 * UNROLL) {
    /* vectors in the order that lets the writes reach only vectors already read */
    const uint32_t *from;
    int64_t step;
    if (lr - l <= r - rr) {
      from = a + lr;
      step = 16;
      lr += 16 * UNROLL;
    } else {
      rr -= 16 * UNROLL;
      from = a + rr + 16 * (UNROLL - 1);
      step = -16;
    }
    for (int u = 0; u < UNROLL; u++) {
      __builtin_prefetch(from + u * step + PREFETCH * step, 1, 3);
      put_both(a, &l, &r, _mm512_loadu_si512(from + u * step), pv);
    }
  }
  while (lr < rr) {
    v16 t;
    if (lr - l <= r - rr) {
      t = _mm512_loadu_si512(a + lr);
      lr += 16;
    } else {
      rr -= 16;
      t = _mm512_loadu_si512(a + rr);
    }
    put_both(a, &l, &r, t, pv);
  }
  for (int u = 0; u < UNROLL; u++) {
    put_both(a, &l, &r, first[u], pv);
    put_both(a, &l, &r, last[u], pv);
  }
  return l;
}

/* the median of 16 * nv keys sampled evenly (nv 1 or 16) */
QS_TARGET static uint32_t pick_pivot(const uint32_t *a, int64_t n, const int nv) {
  uint32_t s[256] __attribute__((aligned(64)));
  int ns = 16 * nv;
  for (int i = 0; i < ns; i++) s[i] = a[(int64_t)((2 * (int64_t)i + 1) * (n / 2) / ns)];
  if (nv == 1)
    sort_run(s, 16, 1);
  else
    sort_run(s, 256, 16);
  return s[ns / 2];
}

/* Partitions a[0, n) around a sampled pivot; *all_equal when the pivot was the smallest key and
 * left holds its equals only (then sorted already). Returns the left part's length, 0 < l <= n
 * (n when every key is equal). */
QS_TARGET static int64_t split(uint32_t *a, int64_t n, int nv, int *left_done) {
  uint32_t p = pick_pivot(a, n, nv);
  int64_t m = partition_lt(a, n, p);
  *left_done = 0;
  if (m) return m;
  *left_done = 1; /* p is the smallest key: take its equals */
  return p == UINT32_MAX ? n : partition_lt(a, n, p + 1);
}

static void sift_down(uint32_t *a, int64_t i, int64_t n) {
  uint32_t v = a[i];
  for (int64_t c; (c = 2 * i + 1) < n; i = c) {
    if (c + 1 < n && a[c + 1] > a[c]) c++;
    if (a[c] <= v) break;
    a[i] = a[c];
  }
  a[i] = v;
}

static void heap_sort(uint32_t *a, int64_t n) {
  for (int64_t i = n / 2; i-- > 0;) sift_down(a, i, n);
  for (int64_t e = n - 1; e > 0; e--) {
    uint32_t t = a[0];
    a[0] = a[e];
    a[e] = t;
    sift_down(a, 0, e);
  }
}

QS_TARGET static void quick_sort(uint32_t *a, int64_t n, int depth) {
  while (n > NET_MAX) {
    if (depth-- == 0) {
      heap_sort(a, n);
      return;
    }
    int left_done;
    int64_t m = split(a, n, 1, &left_done);
    if (left_done) {
      a += m;
      n -= m;
      continue;
    }
    if (m < n - m) { /* recurse into the smaller part: stack depth log n */
      quick_sort(a, m, depth);
      a += m;
      n -= m;
    } else {
      quick_sort(a + m, n - m, depth);
      n = m;
    }
  }
  if (n > 1) sort_small(a, n);
}

static int depth_limit(int64_t n) {
  int d = 0;
  while (n > 1) n >>= 1, d++;
  return 2 * d + 4;
}

bool mx_sort_simd_available(void) {
  static int have = -1;
  if (have < 0)
    have = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi2");
  return have;
}

typedef struct {
  uint32_t *a[2];
  int64_t n[2];
  int depth;
} halves;

static void sort_half(void *c_, int64_t t0, int64_t t1) {
  halves *h = c_;
  for (int64_t t = t0; t < t1; t++) quick_sort(h->a[t], h->n[t], h->depth);
}

bool mx_sort_u32_simd(uint32_t *k, int64_t n) {
  return mx_sort_u32_simd_capped(k, n, depth_limit(n));
}

bool mx_sort_u32_simd_capped(uint32_t *k, int64_t n, int depth) {
  if (!mx_sort_simd_available()) return false;
  if (n < POOL_MIN || mx_ew_num_threads() < 2) {
    quick_sort(k, n, depth);
    return true;
  }
  /* one split with a pivot from 256 samples, then each side on its own thread */
  int left_done;
  int64_t m = split(k, n, 16, &left_done);
  halves h = {{k, k + m}, {left_done ? 0 : m, n - m}, depth};
  mx_ew_parallel_for(2, 1, sort_half, &h);
  return true;
}

/* ---- stable three-way partition (sort.c's partition write) ---- */

QS_INLINE v16 key_of(v16 b, int kind) {
  const v16 sign = _mm512_set1_epi32((int)0x80000000u);
  if (kind == 0) return b;
  if (kind == 1) return _mm512_xor_si512(b, sign);
  /* float32: -0.0 as 0.0, every NaN as the canonical one, then negatives' bits all flipped and
   * the rest's sign bit */
  v16 a = _mm512_andnot_si512(sign, b);
  b = _mm512_mask_mov_epi32(b, _mm512_cmpgt_epu32_mask(a, _mm512_set1_epi32(0x7f800000)),
                            _mm512_set1_epi32(0x7fc00000));
  b = _mm512_maskz_mov_epi32(_mm512_test_epi32_mask(a, a), b);
  return _mm512_xor_si512(b, _mm512_or_si512(_mm512_srai_epi32(b, 31), sign));
}

/* the lanes m of v to y at position *o on, those below first dropped */
QS_INLINE void put_group(uint32_t *y, int64_t *o, int64_t first, v16 v, __mmask16 m) {
  int64_t c = __builtin_popcount(m);
  if (*o >= first)
    _mm512_mask_compressstoreu_epi32(y + (*o - first), m, v);
  else if (*o + c > first) /* the lowest first - *o lanes of m cleared */
    _mm512_mask_compressstoreu_epi32(y, (__mmask16)_pdep_u32(~0u << (first - *o), m), v);
  *o += c;
}

QS_TARGET static void part3(const uint32_t *x, int64_t i0, int64_t i1, uint32_t *y, mx_part3 *p,
                            const int kind) {
  const v16 pv = _mm512_set1_epi32((int)p->pivot), step = _mm512_set1_epi32(16);
  v16 idx =
      _mm512_add_epi32(_mm512_set1_epi32((int)i0),
                       _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
  int64_t lo = p->pos[0], eq = p->pos[1], hi = p->pos[2], first = p->first;
  for (int64_t i = i0; i < i1; i += 16) {
    __mmask16 valid = i1 - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (i1 - i)) - 1);
    v16 v = _mm512_maskz_loadu_epi32(valid, x + i), k = key_of(v, kind);
    __mmask16 lt = _mm512_mask_cmplt_epu32_mask(valid, k, pv);
    __mmask16 ee = _mm512_mask_cmpeq_epu32_mask(valid, k, pv);
    v16 out = p->indices ? idx : v;
    put_group(y, &lo, first, out, lt);
    put_group(y, &eq, first, out, ee);
    put_group(y, &hi, first, out, (__mmask16)(valid & ~(lt | ee)));
    idx = _mm512_add_epi32(idx, step);
  }
  p->pos[0] = lo;
  p->pos[1] = eq;
  p->pos[2] = hi;
}

bool mx_part3_u32_simd(const uint32_t *x, int64_t i0, int64_t i1, uint32_t *y, mx_part3 *p) {
  if (!mx_sort_simd_available()) return false;
  if (p->kind == 0)
    part3(x, i0, i1, y, p, 0);
  else if (p->kind == 1)
    part3(x, i0, i1, y, p, 1);
  else
    part3(x, i0, i1, y, p, 2);
  return true;
}

#else
bool mx_part3_u32_simd(const uint32_t *x, int64_t i0, int64_t i1, uint32_t *y, mx_part3 *p) {
  (void)x, (void)i0, (void)i1, (void)y, (void)p;
  return false;
}
bool mx_sort_simd_available(void) {
  return false;
}
bool mx_sort_u32_simd(uint32_t *k, int64_t n) {
  (void)k, (void)n;
  return false;
}
bool mx_sort_u32_simd_capped(uint32_t *k, int64_t n, int depth) {
  (void)k, (void)n, (void)depth;
  return false;
}
#endif
