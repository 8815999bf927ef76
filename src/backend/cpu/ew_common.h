/* Shared by the elementwise CPU kernels (unary.c, ew_binary.c, ternary.c): ISA clones, output
 * layouts, row positions, 16-bit float blocks and the work sizes for splitting over threads. */
#ifndef MX_BACKEND_CPU_EW_COMMON_H
#define MX_BACKEND_CPU_EW_COMMON_H

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
 * strides (row- or column-major, any dense permutation), or a is one value broadcast. Such an
 * input maps element-for-element onto an output with the same strides. */
static inline int ew_dense(const mx_array *a) {
  if (!(a->flags & MX_CONTIGUOUS) && a->data_size != 1) return 0;
  for (int d = 0; d < a->ndim; d++)
    if (a->strides[d] < 0) return 0;
  return 1;
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
