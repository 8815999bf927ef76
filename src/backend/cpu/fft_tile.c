/* Tile transposes of the fft kernel (src/backend/cpu/fft.c): FFT_LANES lines of interleaved
 * pairs (complex values, or a real line's even / odd samples) to and from lanes, 16 pairs of
 * each line at a time, in registers: per line two 16-float loads split into the tile's real and
 * imaginary rows, two 16 x 16 transposes (tile16.h), 32 stores (and the reverse).
 * The same for the four-step's split rows (fft_plan.c), and the plain copies of adjacent lines
 * and of one contiguous line to and from split arrays.
 * GCC vector extensions, compiled for AVX-512, AVX2 and baseline x86-64 (EW_CLONES); other
 * compilers get the scalar loops. */
#include "backend/cpu/ew_common.h"
#include "backend/cpu/fft_plan.h"
#include "backend/cpu/tile16.h"

#define INL static inline __attribute__((always_inline))

enum { L = FFT_LANES, T = 16 };

#if MX_TILE16_VEC
#define FFT_TILE_VEC 1
_Static_assert(FFT_LANES == 16, "the tiles are 16 x 16");
static const v16i ILO = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23};
static const v16i IHI = {8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
static const v16i EVEN = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};
static const v16i ODD = {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31};
#define LD(p) V16_LD(p)
#define ST(p, x) V16_ST(p, x)
#else
#define FFT_TILE_VEC 0
#endif

EW_CLONES void fft_tile_in(const float *const *v, int64_t cnt, float *re, float *im) {
  int64_t k0 = 0;
#if FFT_TILE_VEC
  for (; k0 + T <= cnt; k0 += T) {
    v16f r[16], i[16];
    for (int b = 0; b < L; b++) {
      v16f a = LD(v[b] + 2 * k0), c = LD(v[b] + 2 * k0 + 16);
      r[b] = __builtin_shuffle(a, c, EVEN), i[b] = __builtin_shuffle(a, c, ODD);
    }
    transpose16(r);
    transpose16(i);
    for (int k = 0; k < T; k++) ST(re + (k0 + k) * L, r[k]), ST(im + (k0 + k) * L, i[k]);
  }
#endif
  for (; k0 < cnt; k0 += T)
    for (int b = 0; b < L; b++)
      for (int64_t k = k0; k < k0 + T && k < cnt; k++)
        re[k * L + b] = v[b][2 * k], im[k * L + b] = v[b][2 * k + 1];
}

EW_CLONES void fft_tile_out(float *const *v, int64_t cnt, const float *re, const float *im,
                            float scale) {
  int64_t k0 = 0;
#if FFT_TILE_VEC
  for (; k0 + T <= cnt; k0 += T) {
    v16f r[16], i[16];
    for (int k = 0; k < T; k++)
      r[k] = LD(re + (k0 + k) * L) * scale, i[k] = LD(im + (k0 + k) * L) * scale;
    transpose16(r);
    transpose16(i);
    for (int b = 0; b < L; b++) {
      ST(v[b] + 2 * k0, __builtin_shuffle(r[b], i[b], ILO));
      ST(v[b] + 2 * k0 + 16, __builtin_shuffle(r[b], i[b], IHI));
    }
  }
#endif
  for (; k0 < cnt; k0 += T)
    for (int b = 0; b < L; b++)
      for (int64_t k = k0; k < k0 + T && k < cnt; k++)
        v[b][2 * k] = re[k * L + b] * scale, v[b][2 * k + 1] = im[k * L + b] * scale;
}

/* Adjacent lines (line b's pairs at v[k ps + b lw], v[k ps + io + b lw]): rows of contiguous
 * values, complex (lw 2, io 1: split in registers) or real (lw 1: copies). */
EW_CLONES void fft_rows_in(const float *v, int64_t cnt, int64_t ps, int64_t io, int lw, float *re,
                           float *im) {
  if (lw == 1) {
    for (int64_t k = 0; k < cnt; k++)
      for (int b = 0; b < L; b++) re[k * L + b] = v[k * ps + b], im[k * L + b] = v[k * ps + io + b];
    return;
  }
  for (int64_t k = 0; k < cnt; k++) {
    const float *s = v + k * ps;
#if FFT_TILE_VEC
    v16f a = LD(s), c = LD(s + 16);
    ST(re + k * L, __builtin_shuffle(a, c, EVEN));
    ST(im + k * L, __builtin_shuffle(a, c, ODD));
#else
    for (int b = 0; b < L; b++) re[k * L + b] = s[2 * b], im[k * L + b] = s[2 * b + 1];
#endif
  }
}

EW_CLONES void fft_rows_out(float *v, int64_t cnt, int64_t ps, int64_t io, int lw, const float *re,
                            const float *im, float scale) {
  if (lw == 1) {
    for (int64_t k = 0; k < cnt; k++)
      for (int b = 0; b < L; b++)
        v[k * ps + b] = re[k * L + b] * scale, v[k * ps + io + b] = im[k * L + b] * scale;
    return;
  }
  for (int64_t k = 0; k < cnt; k++) {
    float *d = v + k * ps;
#if FFT_TILE_VEC
    v16f r = LD(re + k * L) * scale, i = LD(im + k * L) * scale;
    ST(d, __builtin_shuffle(r, i, ILO));
    ST(d + 16, __builtin_shuffle(r, i, IHI));
#else
    for (int b = 0; b < L; b++)
      d[2 * b] = re[k * L + b] * scale, d[2 * b + 1] = im[k * L + b] * scale;
#endif
  }
}

/* 16 rows of split values (row i: re[i ms + j], im[i ms + j], j < cnt) to lanes (value j of
 * lane i at [j L + i]). */
EW_CLONES void fft_tile_split_in(const float *re, const float *im, int64_t ms, int64_t cnt,
                                 float *br, float *bi) {
  tile16_rows_to_lanes(re, ms, br, L, cnt);
  tile16_rows_to_lanes(im, ms, bi, L, cnt);
}

/* One contiguous complex line (s[2k], s[2k + 1]) to split arrays, and back times scale. */
EW_CLONES void fft_split(const float *s, int64_t cnt, float *re, float *im) {
  for (int64_t k = 0; k < cnt; k++) re[k] = s[2 * k], im[k] = s[2 * k + 1];
}

EW_CLONES void fft_merge(float *d, int64_t cnt, const float *re, const float *im, float scale) {
  for (int64_t k = 0; k < cnt; k++) d[2 * k] = re[k] * scale, d[2 * k + 1] = im[k] * scale;
}
