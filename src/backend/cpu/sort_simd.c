/* Quicksort of uint32 and uint64 keys on AVX-512, and the stable three-way partition that writes
 * sort.c's partitions (see sort_simd.h).
 *
 * Partition: keys below the pivot go left, the rest right, a vector at a time, each side's keys
 * packed by a compress to memory. It runs in place: the first and last UNROLL vectors wait in
 * registers, so there is always a gap of 2 UNROLL vectors between the written and the unread
 * keys, and each block of UNROLL vectors is read from the side whose part of the gap is smaller
 * (that side then has room for all of it; the other already had).
 * Runs of up to 16 vectors are sorted in registers by a bitonic network: each vector by its own,
 * then runs of 1, 2, 4, 8 vectors merged pairwise (a mirror compare of the two runs, then
 * half-cleaners across vectors and within them). Pivots are the median of a vector of keys
 * sampled evenly (16 vectors for a row split over the pool). A pivot that is the smallest key
 * takes its equals instead (a run of equal keys needs no more work), and a depth limit falls
 * back to heapsort, so neither duplicates nor adversarial inputs make the sort quadratic.
 *
 * A row of POOL_MIN keys or more is split once, and each side sorted on its own thread. 10^7
 * uint32 keys: 46 ms on one thread, 25 on two (bench/sort_keys.c); numpy's np.sort of 10^7
 * float32, 44-48 ms. The code for one width is
 * sort_simd_impl.h, included once per width with its vector operations defined here. */
#include "backend/cpu/sort_simd.h"

#include "backend/cpu/elementwise.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define QS_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,popcnt,bmi2")))
#define QS_INLINE static inline __attribute__((always_inline)) QS_TARGET

enum { POOL_MIN = 1 << 16, UNROLL = 8, PREFETCH = 32 /* vectors ahead */ };

bool mx_sort_simd_available(void) {
  static int have = -1;
  if (have < 0)
    have = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi2");
  return have;
}

static int depth_limit(int64_t n) {
  int d = 0;
  while (n > 1) n >>= 1, d++;
  return 2 * d + 4;
}

/* ---- bitonic networks of one vector ---- */

/* lanes i and i ^ x compared: lanes in hi take the larger key, the others the smaller (the
 * partners within 128 bits by vpshufd: 1 cycle, not vpermd's 3) */
QS_INLINE __m512i cmpx32(__m512i v, int x, __mmask16 hi) {
  const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m512i p = x == 1   ? _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0xB1)
              : x == 2 ? _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0x4E)
              : x == 3 ? _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0x1B)
                       : _mm512_permutexvar_epi32(_mm512_xor_si512(iota, _mm512_set1_epi32(x)), v);
  return _mm512_mask_max_epu32(_mm512_min_epu32(v, p), hi, v, p);
}

QS_INLINE __m512i sort16(__m512i v) {
  v = cmpx32(v, 1, 0xAAAA);
  v = cmpx32(v, 3, 0xCCCC);
  v = cmpx32(v, 1, 0xAAAA);
  v = cmpx32(v, 7, 0xF0F0);
  v = cmpx32(v, 2, 0xCCCC);
  v = cmpx32(v, 1, 0xAAAA);
  v = cmpx32(v, 15, 0xFF00);
  v = cmpx32(v, 4, 0xF0F0);
  v = cmpx32(v, 2, 0xCCCC);
  return cmpx32(v, 1, 0xAAAA);
}

/* the half-cleaners within a vector: a bitonic vector comes out sorted */
QS_INLINE __m512i clean16(__m512i v) {
  v = cmpx32(v, 8, 0xFF00);
  v = cmpx32(v, 4, 0xF0F0);
  v = cmpx32(v, 2, 0xCCCC);
  return cmpx32(v, 1, 0xAAAA);
}

/* 64-bit lanes: partners within 128 and 256 bits by vpshufd and vpermq's immediate forms */
QS_INLINE __m512i cmpx64(__m512i v, int x, __mmask8 hi) {
  const __m512i iota = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  __m512i p = x == 1   ? _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0x4E)
              : x == 2 ? _mm512_permutex_epi64(v, 0x4E)
              : x == 3 ? _mm512_permutex_epi64(v, 0x1B)
                       : _mm512_permutexvar_epi64(_mm512_xor_si512(iota, _mm512_set1_epi64(x)), v);
  return _mm512_mask_max_epu64(_mm512_min_epu64(v, p), hi, v, p);
}

QS_INLINE __m512i sort8(__m512i v) {
  v = cmpx64(v, 1, 0xAA);
  v = cmpx64(v, 3, 0xCC);
  v = cmpx64(v, 1, 0xAA);
  v = cmpx64(v, 7, 0xF0);
  v = cmpx64(v, 2, 0xCC);
  return cmpx64(v, 1, 0xAA);
}

QS_INLINE __m512i clean8(__m512i v) {
  v = cmpx64(v, 4, 0xF0);
  v = cmpx64(v, 2, 0xCC);
  return cmpx64(v, 1, 0xAA);
}

/* ---- the quicksort of each width (sort_simd_impl.h) ---- */

#define QS_T uint32_t
#define QS_L 16
#define QS_M __mmask16
#define QS_SUFFIX(f) f##_u32
#define V_SORT sort16
#define V_CLEAN clean16
#define V_REVERSE(v)                                                                               \
  _mm512_permutexvar_epi32(_mm512_set_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), \
                           v)
#define V_MIN _mm512_min_epu32
#define V_MAX _mm512_max_epu32
#define V_SET1(x) _mm512_set1_epi32((int)(x))
#define V_LT _mm512_cmplt_epu32_mask
#define V_MASK_LT _mm512_mask_cmplt_epu32_mask
#define V_MASK_LOADU _mm512_mask_loadu_epi32
#define V_MASKZ_LOADU _mm512_maskz_loadu_epi32
#define V_MASK_STOREU _mm512_mask_storeu_epi32
#define V_COMPRESS_STOREU _mm512_mask_compressstoreu_epi32
#include "backend/cpu/sort_simd_impl.h"
#undef QS_T
#undef QS_L
#undef QS_M
#undef QS_SUFFIX
#undef V_SORT
#undef V_CLEAN
#undef V_REVERSE
#undef V_MIN
#undef V_MAX
#undef V_SET1
#undef V_LT
#undef V_MASK_LT
#undef V_MASK_LOADU
#undef V_MASKZ_LOADU
#undef V_MASK_STOREU
#undef V_COMPRESS_STOREU

#define QS_T uint64_t
#define QS_L 8
#define QS_M __mmask8
#define QS_SUFFIX(f) f##_u64
#define V_SORT sort8
#define V_CLEAN clean8
#define V_REVERSE(v) _mm512_permutexvar_epi64(_mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7), v)
#define V_MIN _mm512_min_epu64
#define V_MAX _mm512_max_epu64
#define V_SET1(x) _mm512_set1_epi64((long long)(x))
#define V_LT _mm512_cmplt_epu64_mask
#define V_MASK_LT _mm512_mask_cmplt_epu64_mask
#define V_MASK_LOADU _mm512_mask_loadu_epi64
#define V_MASKZ_LOADU _mm512_maskz_loadu_epi64
#define V_MASK_STOREU _mm512_mask_storeu_epi64
#define V_COMPRESS_STOREU _mm512_mask_compressstoreu_epi64
#include "backend/cpu/sort_simd_impl.h"

bool mx_sort_u32_simd(uint32_t *k, int64_t n) {
  return sort_capped_u32(k, n, depth_limit(n));
}
bool mx_sort_u32_simd_capped(uint32_t *k, int64_t n, int depth) {
  return sort_capped_u32(k, n, depth);
}
bool mx_sort_u64_simd(uint64_t *k, int64_t n) {
  return sort_capped_u64(k, n, depth_limit(n));
}
bool mx_sort_u64_simd_capped(uint64_t *k, int64_t n, int depth) {
  return sort_capped_u64(k, n, depth);
}

/* ---- stable three-way partition (sort.c's partition write) ---- */

QS_INLINE __m512i key_of(__m512i b, int kind) {
  const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
  if (kind == 0) return b;
  if (kind == 1) return _mm512_xor_si512(b, sign);
  /* float32: -0.0 as 0.0, every NaN as the canonical one, then negatives' bits all flipped and
   * the rest's sign bit */
  __m512i a = _mm512_andnot_si512(sign, b);
  b = _mm512_mask_mov_epi32(b, _mm512_cmpgt_epu32_mask(a, _mm512_set1_epi32(0x7f800000)),
                            _mm512_set1_epi32(0x7fc00000));
  b = _mm512_maskz_mov_epi32(_mm512_test_epi32_mask(a, a), b);
  return _mm512_xor_si512(b, _mm512_or_si512(_mm512_srai_epi32(b, 31), sign));
}

/* the lanes m of v to y at position *o on, those below first dropped */
QS_INLINE void put_group(uint32_t *y, int64_t *o, int64_t first, __m512i v, __mmask16 m) {
  int64_t c = __builtin_popcount(m);
  if (*o >= first)
    _mm512_mask_compressstoreu_epi32(y + (*o - first), m, v);
  else if (*o + c > first) /* the lowest first - *o lanes of m cleared */
    _mm512_mask_compressstoreu_epi32(y, (__mmask16)_pdep_u32(~0u << (first - *o), m), v);
  *o += c;
}

QS_TARGET static void part3(const uint32_t *x, int64_t i0, int64_t i1, uint32_t *y, mx_part3 *p,
                            const int kind) {
  const __m512i pv = _mm512_set1_epi32((int)p->pivot), step = _mm512_set1_epi32(16);
  __m512i idx =
      _mm512_add_epi32(_mm512_set1_epi32((int)i0),
                       _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
  int64_t lo = p->pos[0], eq = p->pos[1], hi = p->pos[2], first = p->first;
  for (int64_t i = i0; i < i1; i += 16) {
    __mmask16 valid = i1 - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (i1 - i)) - 1);
    __m512i v = _mm512_maskz_loadu_epi32(valid, x + i), k = key_of(v, kind);
    __mmask16 lt = _mm512_mask_cmplt_epu32_mask(valid, k, pv);
    __mmask16 ee = _mm512_mask_cmpeq_epu32_mask(valid, k, pv);
    __m512i out = p->indices ? idx : v;
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
bool mx_sort_u64_simd(uint64_t *k, int64_t n) {
  (void)k, (void)n;
  return false;
}
bool mx_sort_u64_simd_capped(uint64_t *k, int64_t n, int depth) {
  (void)k, (void)n, (void)depth;
  return false;
}
#endif
