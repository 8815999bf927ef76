/* 16 x 16 float tiles transposed in registers (GCC vector extensions, so each EW_CLONES caller
 * gets AVX-512 / AVX2 / SSE code): four rounds of the perfect shuffle of the rows (rows i and
 * i + 8 interleaved into rows 2i and 2i + 1), each of which rotates the 8-bit (row, column)
 * address of an element by one bit. Used by the fft's tiles (fft_tile.c) and the binary kernels'
 * transposed operands (ew_binary.c). Other compilers: MX_TILE16_VEC is 0, callers loop. */
#ifndef MX_BACKEND_CPU_TILE16_H
#define MX_BACKEND_CPU_TILE16_H

#include <stdint.h>

#if defined(__GNUC__) && !defined(__clang__)
#define MX_TILE16_VEC 1
typedef float v16f __attribute__((vector_size(64)));
typedef int v16i __attribute__((vector_size(64)));
/* unaligned loads and stores */
typedef float v16u __attribute__((vector_size(64), aligned(4), may_alias));
#define V16_LD(p) (*(const v16u *)(p))
#define V16_ST(p, x) (*(v16u *)(p) = (x))

static inline __attribute__((always_inline)) void transpose16(v16f *x) {
  const v16i lo = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23};
  const v16i hi = {8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  for (int r = 0; r < 4; r++) {
    v16f y[16];
    for (int i = 0; i < 8; i++)
      y[2 * i] = __builtin_shuffle(x[i], x[i + 8], lo),
            y[2 * i + 1] = __builtin_shuffle(x[i], x[i + 8], hi);
    for (int i = 0; i < 16; i++) x[i] = y[i];
  }
}
#else
#define MX_TILE16_VEC 0
#endif

/* dst[j * ds + b] = src[b * ss + j] for b < 16, j < cnt: 16 strided rows of src become the 16
 * lanes of dst's rows, a 16 x 16 block at a time through registers (always inlined, so it is
 * compiled for the caller's ISA clone). */
static inline __attribute__((always_inline)) void
tile16_rows_to_lanes(const float *src, int64_t ss, float *dst, int64_t ds, int64_t cnt) {
  int64_t j0 = 0;
#if MX_TILE16_VEC
  for (; j0 + 16 <= cnt; j0 += 16) {
    v16f x[16];
    for (int b = 0; b < 16; b++) x[b] = V16_LD(src + b * ss + j0);
    transpose16(x);
    for (int j = 0; j < 16; j++) V16_ST(dst + (j0 + j) * ds, x[j]);
  }
#endif
  for (; j0 < cnt; j0++)
    for (int b = 0; b < 16; b++) dst[j0 * ds + b] = src[b * ss + j0];
}

#endif
