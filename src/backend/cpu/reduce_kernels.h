/* CPU kernels of the reduction family (argreduce.c, scan.c, sort.c) and their shared helpers.
 *
 * Every kernel works on a row-contiguous view of its input (a strided input is first copied
 * into a temporary buffer), seen as (outer, n, inner) around the kernel's axis; outputs are
 * fresh row-contiguous buffers. Large independent work is split over two threads. */
#ifndef MX_BACKEND_CPU_REDUCE_KERNELS_H
#define MX_BACKEND_CPU_REDUCE_KERNELS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/array.h"

int mx_cpu_arg_reduce(mx_node *n); /* ARG_REDUCE (argreduce.c) */
int mx_cpu_softmax(mx_node *n);    /* SOFTMAX (argreduce.c) */
int mx_cpu_logsumexp(mx_node *n);  /* LOGSUMEXP (argreduce.c) */
int mx_cpu_scan(mx_node *n);       /* SCAN (scan.c) */
int mx_cpu_sort(mx_node *n);       /* SORT, ARGSORT (sort.c) */
int mx_cpu_partition(mx_node *n);  /* PARTITION, ARGPARTITION (sort.c) */

/* ---- shared helpers (argreduce.c) ---- */

/* A row-contiguous view of an input around `axis`: data, and (outer, n, inner). */
typedef struct {
  const void *x;
  void *tmp;       /* owned copy when the input was not row-contiguous */
  mx_buffer *hold; /* tmp's buffer */
  int64_t outer, n, inner;
} mx_axis_view;

/* Fills v for input `in` and `axis` (axis < 0: the whole array as one row). Copies a strided
 * input into a temporary buffer; release with mx_axis_view_free. */
int mx_axis_view_init(const char *op, const mx_array *in, int axis, mx_axis_view *v);
void mx_axis_view_free(mx_axis_view *v);

/* Scratch memory from the library's caching allocator (reused between calls, so large
 * temporaries do not fault their pages in again); NULL when the allocation fails. Release
 * *hold with mx_buffer_release. */
static inline void *mx_red_scratch(size_t bytes, mx_buffer **hold) {
  *hold = mx_buffer_alloc(bytes ? bytes : 1);
  return *hold ? (*hold)->ptr : NULL;
}

/* Runs fn(ctx, begin, end) over [0, n): on two threads when cost (an estimate of the total work
 * in elements touched) is large and n >= 2, else inline. */
typedef void (*mx_range_fn)(void *ctx, int64_t begin, int64_t end);
void mx_red_parallel(mx_range_fn fn, void *ctx, int64_t n, double cost);

/* Hot loops are compiled twice (AVX2/FMA and baseline), picked at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(MX_NO_CLONES)
#define MX_RED_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define MX_RED_CLONES
/* log for float, branch-free so loops over it vectorize; within 2 ulp of logf for positive
 * normal x; log(0) = -inf, log(inf) = inf, NaN stays NaN (negative and subnormal inputs are
 * not handled). */
static inline float mx_red_logf(float x) {
  uint32_t b;
  memcpy(&b, &x, sizeof b);
  int32_t e = (int32_t)(b >> 23) - 126;
  uint32_t mb = (b & 0x007fffffu) | 0x3f000000u; /* x = m * 2^e, m in [0.5, 1) */
  float m;
  memcpy(&m, &mb, sizeof m);
  int lt = m < 0.70710678f;
  e = lt ? e - 1 : e;
  m = lt ? m + m - 1.0f : m - 1.0f;
  float z = m * m;
  float y = 7.0376836292e-2f;
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  float fe = (float)e;
  y += -2.12194440e-4f * fe;
  y += -0.5f * z;
  float r = m + y + 0.693359375f * fe;
  r = x == 0.0f ? -INFINITY : r;
  r = x > 3.40282347e38f ? x : r;
  r = x != x ? x : r;
  return r;
}

#endif

/* exp for float, branch-free so loops over it vectorize; within 2 ulp of expf. Results below
 * 2^-125 flush to 0; overflow gives inf; NaN stays NaN. */
static inline float mx_red_expf(float x) {
  float xc = x < -86.6f ? -86.6f : x;
  xc = xc > 88.72f ? 88.72f : xc;
  float kf = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  kf = kf == kf ? kf : 0.0f; /* NaN: keep the conversion below defined (p carries the NaN) */
  float r = xc - kf * 0.693359375f;
  r = r - kf * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t ki = (int32_t)kf;
  uint32_t sb = (uint32_t)(ki + 126) << 23;
  float scale;
  memcpy(&scale, &sb, sizeof scale);
  float res = (p * 2.0f) * scale;
  res = x < -86.6f ? 0.0f : res;
  res = x > 88.7228f ? INFINITY : res;
  return res;
}

/* log for float, branch-free so loops over it vectorize; within 2 ulp of logf for positive
 * normal x; log(0) = -inf, log(inf) = inf, NaN stays NaN (negative and subnormal inputs are
 * not handled). */
static inline float mx_red_logf(float x) {
  uint32_t b;
  memcpy(&b, &x, sizeof b);
  int32_t e = (int32_t)(b >> 23) - 126;
  uint32_t mb = (b & 0x007fffffu) | 0x3f000000u; /* x = m * 2^e, m in [0.5, 1) */
  float m;
  memcpy(&m, &mb, sizeof m);
  int lt = m < 0.70710678f;
  e = lt ? e - 1 : e;
  m = lt ? m + m - 1.0f : m - 1.0f;
  float z = m * m;
  float y = 7.0376836292e-2f;
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  float fe = (float)e;
  y += -2.12194440e-4f * fe;
  y += -0.5f * z;
  float r = m + y + 0.693359375f * fe;
  r = x == 0.0f ? -INFINITY : r;
  r = x > 3.40282347e38f ? x : r;
  r = x != x ? x : r;
  return r;
}

#endif
