/* CPU kernels of the reduction family (argreduce.c, scan.c, sort.c) and their shared helpers.
 *
 * Every kernel works on a row-contiguous view of its input (a strided input is first copied
 * into a temporary buffer), seen as (outer, n, inner) around the kernel's axis; outputs are
 * fresh row-contiguous buffers (but softmax's over rows of a dense layout, which keep it, as
 * MLX's do). Large independent work is split over two threads. */
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

/* out, computed with stride 0 along dims where it repeats (its buffer holding only the distinct
 * values), made row-contiguous as MLX's reductions are (mlx-c programs read results through
 * their data pointers): the values repeated into a fresh buffer (reduce.c). */
int mx_cpu_expand_broadcast(mx_array *out);

/* Allocates out with stride 0 along the dims where rep[d] and row-contiguous over the others,
 * for a kernel that computes only the distinct values before mx_cpu_expand_broadcast (reduce.c). */
int mx_cpu_alloc_repeated(mx_array *out, const bool *rep);

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

/* Runs fn(ctx, begin, end) over [0, n): on the worker pool when cost (an estimate of the total work
 * in elements touched) is large and n >= 2, else inline. */
typedef void (*mx_range_fn)(void *ctx, int64_t begin, int64_t end);
void mx_red_parallel(mx_range_fn fn, void *ctx, int64_t n, double cost);

/* Stable argsort of n uint32 keys (element stride ks) into idx (sort.c; random permutations). */
int mx_cpu_argsort_u32(const uint32_t *keys, int64_t ks, int64_t n, uint32_t *idx);

/* Sum of exp(x[i] - m) over a float row, accumulated in double per block; with y (which may
 * be x), each exp is stored to y too. Vectorized (ew_vec512.h's exp on AVX-512 CPUs, else
 * ew_math.h's). */
double mx_red_expsum_f32(const float *x, float *y, int64_t n, float m);

/* Hot loops are compiled twice (AVX2/FMA and baseline), picked at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(MX_NO_CLONES)
#define MX_RED_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define MX_RED_CLONES
#endif

#endif
