/* Shared by the elementwise CPU kernels (unary.c, ew_binary.c, ternary.c): ISA clones, output
 * layouts, row positions, 16-bit float blocks and the work sizes for splitting over threads. */
#ifndef MX_BACKEND_CPU_EW_COMMON_H
#define MX_BACKEND_CPU_EW_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/strided.h"
#include "core/allocator.h"
#include "core/array.h"
#include "core/error.h"

/* Each typed loop is compiled for AVX-512 (x86-64-v4), AVX2+FMA (x86-64-v3) and the baseline;
 * the loader picks one per CPU (GCC function multiversioning through an ifunc). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) &&       \
    defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__) && !defined(MLXC_NO_CLONES)
#define EW_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define EW_HAVE_X86 1
#else
#define EW_CLONES
#define EW_HAVE_X86 0
#endif

/* Elements per block for loops that stage data through a stack buffer (16-bit floats in float,
 * guarded fast paths). */
#define EW_BLOCK 256

/* Work estimate per element (relative to a copy) for choosing when to split over threads. */
enum { EW_COST_CHEAP = 1, EW_COST_MATH = 4, EW_COST_HEAVY = 16, EW_COST_SCALAR = 64 };

/* Elements per thread chunk: about 2^18 copies' worth of work, so a cheap op is split from 512K
 * elements and a transcendental one from 128K (a caller never waits for a worker that has not
 * started, ew_pool.c, so splitting costs little even on a busy machine). */
static inline int64_t ew_grain(int cost) {
  int64_t g = ((int64_t)1 << 18) / (cost > 0 ? cost : 1);
  return g < 4096 ? 4096 : g;
}

/* True when a's elements fill [0, data_size) of its buffer in some order with non-negative
 * strides (row- or column-major, any dense permutation, each position read once or, along
 * broadcast dims of stride 0, repeated), or a is one value broadcast. Such an input maps
 * element-for-element onto an output with the same strides: an op over a broadcast view
 * computes its distinct elements only and gives a broadcast result, as MLX's do
 * (exp(broadcast_to(x[:1], (2000, 2000))) 0.37 -> 0.002 ms, the real MLX 0.09). */
static inline int ew_dense(const mx_array *a) {
  int64_t distinct = 1;
  for (int d = 0; d < a->ndim; d++) {
    if (a->strides[d] < 0) return 0;
    if (a->strides[d] != 0) distinct *= a->shape[d];
  }
  return (a->flags & MX_CONTIGUOUS) || a->data_size == 1 || distinct == a->data_size;
}

/* Gives out a fresh buffer with the layout of `like` (same strides, data_size, flags). */
static inline int ew_alloc_like(mx_array *out, const mx_array *like) {
  size_t nb = (size_t)like->data_size * mx_array_itemsize(out);
  out->buf = mx_buffer_alloc(nb ? nb : 1);
  if (!out->buf) return MX_ERR;
  out->offset = 0;
  memcpy(out->strides, like->strides, (size_t)out->ndim * sizeof(int64_t));
  out->data_size = like->data_size;
  out->flags = like->flags;
  return 0;
}

/* Gives out a fresh buffer for the dense layout `strides` (stride 0 along dims where it repeats):
 * data_size and flags follow from it. */
static inline int ew_alloc_strided(mx_array *out, const int64_t *strides) {
  memcpy(out->strides, strides, (size_t)out->ndim * sizeof(int64_t));
  out->flags = mx_layout_flags(out->ndim, out->shape, out->strides, &out->data_size);
  size_t nb = (size_t)out->data_size * mx_array_itemsize(out);
  out->buf = mx_buffer_alloc(nb ? nb : 1);
  out->offset = 0;
  return out->buf ? 0 : MX_ERR;
}

/* Position of inner row `row` (row-major over the outer dims of s). */
static inline void ew_pos_at(const mx_strided *s, int64_t row, mx_strided_pos *p) {
  for (int k = 0; k < MX_STRIDED_MAX_OPS; k++) p->off[k] = 0;
  for (int d = s->ndim - 2; d >= 0; d--) {
    int64_t i = row % s->shape[d];
    row /= s->shape[d];
    p->idx[d] = i;
    for (int k = 0; k < s->nops; k++) p->off[k] += i * s->strides[k][d];
  }
  p->idx[s->ndim - 1] = 0;
}

/* ---- bands of short rows (row mode) ----
 * Row mode runs the typed loop once per inner row, which costs more than the row's work when rows
 * are a few elements (x[:, :3] + y[:, 1:] over (N, 4)). Rows of at most EW_BAND_ROW_BYTES per
 * operand run a band at a time instead: each operand that is not one value or contiguous across
 * the band has its rows gathered into a packed buffer of EW_BAND_BYTES, and the loop runs once
 * over the band's rows as one flat run (the output is row-contiguous). */
enum { EW_BAND_ROW_BYTES = 64, EW_BAND_BYTES = 2048 };

/* A band plan: rows per band (0: rows too long for bands), the operands (bit k) to gather, and
 * the flat stride of the others (1, contiguous across the band, or 0, one value). */
typedef struct {
  int64_t rows;
  unsigned gather;
  int64_t flat_st[MX_STRIDED_MAX_OPS];
} ew_band;

/* The band plan for the operands of s (element sizes isz). */
static inline ew_band ew_band_plan(const mx_strided *s, const size_t *isz) {
  ew_band b = {0, 0, {0}};
  int nd = s->ndim;
  int64_t inner = s->shape[nd - 1];
  size_t widest = 1;
  if (nd < 2) return b;
  for (int k = 0; k < s->nops; k++) {
    if (inner * (int64_t)isz[k] > EW_BAND_ROW_BYTES) return (ew_band){0};
    widest = isz[k] > widest ? isz[k] : widest;
    bool zero = true, packed = s->strides[k][nd - 1] == 1;
    int64_t expect = inner;
    for (int d = nd - 1; d >= 0; d--) {
      zero = zero && s->strides[k][d] == 0;
      if (d < nd - 1) {
        packed = packed && s->strides[k][d] == expect;
        expect *= s->shape[d];
      }
    }
    b.flat_st[k] = zero ? 0 : 1;
    if (!zero && !packed) b.gather |= 1u << k;
  }
  b.rows = EW_BAND_BYTES / (inner * (int64_t)widest);
  return b;
}

/* Copies n <= EW_BAND_ROW_BYTES bytes in at most two overlapping fixed-size moves. */
static inline void ew_copy_short(char *d, const char *s, size_t n) {
  if (n >= 32) {
    memcpy(d, s, 32);
    memcpy(d + n - 32, s + n - 32, 32);
  } else if (n >= 16) {
    memcpy(d, s, 16);
    memcpy(d + n - 16, s + n - 16, 16);
  } else if (n >= 8) {
    memcpy(d, s, 8);
    memcpy(d + n - 8, s + n - 8, 8);
  } else if (n >= 4) {
    memcpy(d, s, 4);
    memcpy(d + n - 4, s + n - 4, 4);
  } else if (n >= 2) {
    memcpy(d, s, 2);
    memcpy(d + n - 2, s + n - 2, 2);
  } else if (n) {
    *d = *s;
  }
}

/* nrows rows of n <= EW_BAND_ROW_BYTES bytes from src (rows ss bytes apart) to d (rows ds bytes
 * apart): fixed-size moves for the common row sizes. */
static inline void ew_copy_short_rows(char *d, int64_t ds, const char *src, int64_t ss,
                                      int64_t nrows, size_t n) {
  switch (n) {
#define EW_GATHER(N)                                                                               \
  case N:                                                                                          \
    for (int64_t r = 0; r < nrows; r++, d += ds, src += ss) memcpy(d, src, N);                     \
    return;
    EW_GATHER(2)
    EW_GATHER(4)
    EW_GATHER(6)
    EW_GATHER(8)
    EW_GATHER(12)
    EW_GATHER(16)
    EW_GATHER(20)
    EW_GATHER(24)
    EW_GATHER(28)
    EW_GATHER(32)
    EW_GATHER(48)
    EW_GATHER(64)
#undef EW_GATHER
  default:
    for (int64_t r = 0; r < nrows; r++, d += ds, src += ss) ew_copy_short(d, src, n);
  }
}

/* nrows rows of inner elements of size z (1, 2, 4 or 8), each filled with one value, the rows'
 * values ss bytes apart at src: an operand broadcast along the rows ((N, 1) against (N, 3)). */
static inline void ew_fill_short_rows(char *d, int64_t inner, const char *src, int64_t ss,
                                      int64_t nrows, size_t z) {
  switch (z) {
#define EW_FILL(Z, T)                                                                              \
  case Z:                                                                                          \
    for (int64_t r = 0; r < nrows; r++, src += ss) {                                               \
      T v, *row = (T *)(void *)d + r * inner;                                                      \
      memcpy(&v, src, Z);                                                                          \
      for (int64_t e = 0; e < inner; e++) row[e] = v;                                              \
    }                                                                                              \
    return;
    EW_FILL(1, uint8_t)
    EW_FILL(2, uint16_t)
    EW_FILL(4, uint32_t)
    EW_FILL(8, uint64_t)
#undef EW_FILL
  default:
    for (int64_t r = 0; r < nrows; r++, src += ss)
      for (int64_t e = 0; e < inner; e++) memcpy(d + (size_t)(r * inner + e) * z, src, z);
  }
}

/* The operands of the next nrows rows from p on (p advances past them), each read as one flat
 * run: in[k] with stride st[k], operand k's rows (base[k], element size isz[k]) packed into dst[k]
 * when the plan gathers it, else its own data. */
static inline void ew_band_next(const mx_strided *s, mx_strided_pos *p, int64_t nrows,
                                const char *const *base, const size_t *isz, const ew_band *band,
                                char *const *dst, const char **in, int64_t *st) {
  int nd = s->ndim;
  int64_t inner = s->shape[nd - 1];
  unsigned gather = band->gather;
  for (int k = 0; k < s->nops; k++) {
    bool g = gather >> k & 1;
    in[k] = g ? dst[k] : base[k] + p->off[k] * (int64_t)isz[k];
    st[k] = g ? 1 : band->flat_st[k];
  }
  bool unit_rows = nd == 2 && p->idx[0] + nrows <= s->shape[0];
  for (int k = 0; k < s->nops; k++)
    unit_rows = unit_rows && (!(gather >> k & 1) || s->strides[k][1] == 1 || s->strides[k][1] == 0);
  if (unit_rows) { /* one outer dim, rows of unit stride or one value: a fixed row stride */
    for (int k = 0; k < s->nops; k++) {
      size_t z = isz[k];
      const char *src = base[k] + p->off[k] * (int64_t)z;
      int64_t ss = s->strides[k][0] * (int64_t)z;
      if ((gather >> k & 1) && s->strides[k][1] == 1)
        ew_copy_short_rows(dst[k], inner * (int64_t)z, src, ss, nrows, (size_t)inner * z);
      else if (gather >> k & 1)
        ew_fill_short_rows(dst[k], inner, src, ss, nrows, z);
      p->off[k] += nrows * s->strides[k][0];
    }
    p->idx[0] += nrows;
    return;
  }
  for (int64_t r = 0; r < nrows; r++) {
    for (int k = 0; k < s->nops; k++) {
      if (!(gather >> k & 1)) continue;
      size_t z = isz[k];
      int64_t st = s->strides[k][nd - 1];
      const char *src = base[k] + p->off[k] * (int64_t)z;
      char *d = dst[k] + (size_t)(r * inner) * z;
      if (st == 1)
        ew_copy_short(d, src, (size_t)inner * z);
      else
        for (int64_t e = 0; e < inner; e++)
          memcpy(d + e * (int64_t)z, src + e * st * (int64_t)z, z);
    }
    mx_strided_next(s, p);
  }
}

/* 16-bit floats staged through float: kinds of input. */
enum { EW_H_NONE = 0, EW_H_F16 = 1, EW_H_BF16 = 2 };

static inline int ew_half_kind(mx_dtype t) {
  return t == MX_FLOAT16 ? EW_H_F16 : t == MX_BFLOAT16 ? EW_H_BF16 : EW_H_NONE;
}

/* dst[i] = float(src[i * s]) for i < n */
EW_CLONES __attribute__((unused)) static void ew_half_load(int kind, const uint16_t *src, int64_t s,
                                                           float *dst, int64_t n) {
  if (kind == EW_H_F16) {
    if (s == 1)
      for (int64_t i = 0; i < n; i++) dst[i] = mx_h2f(src[i]);
    else
      for (int64_t i = 0; i < n; i++) dst[i] = mx_h2f(src[i * s]);
  } else {
    if (s == 1)
      for (int64_t i = 0; i < n; i++) dst[i] = mx_bf2f(src[i]);
    else
      for (int64_t i = 0; i < n; i++) dst[i] = mx_bf2f(src[i * s]);
  }
}

EW_CLONES __attribute__((unused)) static void ew_half_store(int kind, const float *src,
                                                            uint16_t *dst, int64_t n) {
  if (kind == EW_H_F16)
    for (int64_t i = 0; i < n; i++) dst[i] = mx_f2h(src[i]);
  else
    for (int64_t i = 0; i < n; i++) dst[i] = mx_f2bf(src[i]);
}

#endif
