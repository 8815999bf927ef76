/* CPU kernels of the elementwise family (unary.c, ew_binary.c, ternary.c, ew_views.c), the
 * small thread pool they share with binary.c and copy.c (ew_pool.c) and streamed output.
 *
 * Every kernel reads inputs of any layout (strided, transposed, broadcast stride-0 views) and
 * writes either a fresh row-contiguous buffer (mx_array_alloc_data, which may donate a dying
 * input's buffer: loops read element i before writing element i) or, when the input is dense
 * in some other order, a buffer with the input's own strides (one flat pass, as MLX does).
 * The loops are typed per (op, dtype) with no per-element dispatch; float32 math uses the
 * vectorizable functions of ew_math.h, float16/bfloat16 are computed in float. */
#ifndef MX_BACKEND_CPU_ELEMENTWISE_H
#define MX_BACKEND_CPU_ELEMENTWISE_H

#include <stdint.h>

#include "core/array.h"
#include "ops/elementwise.h"

/* unary.c: ABS ... ISNEGINF and NAN_TO_NUM (one kernel for every unary primitive). */
int mx_cpu_unary(mx_node *n);
/* nan_to_num's replacement values (nan, posinf, neginf) for a float32, float16 or bfloat16
 * array, as its kernel applies them: rounded to the dtype (also the constants of fused kernels,
 * compile_fuse.c). */
void mx_cpu_nan_to_num_values(const mx_nan_to_num_params *p, mx_dtype t, float v[3]);

/* ew_binary.c: MAXIMUM ... LOGICAL_OR (inputs of equal shape and dtype; comparisons give bool)
 * and DIVMOD (two outputs). */
int mx_cpu_ew_binary(mx_node *n);
int mx_cpu_divmod(mx_node *n);

/* ternary.c: SELECT (condition bool, x and y of the output dtype, all of the output shape);
 * CLIP (x, lo, hi of the output dtype and shape). */
int mx_cpu_select(mx_node *n);
int mx_cpu_clip(mx_node *n);

/* ew_views.c (device independent): REAL and IMAG as strided views of a complex64 input,
 * STOP_GRADIENT as the input itself. */
int mx_eval_real_imag(mx_node *n);
int mx_eval_stop_gradient(mx_node *n);

/* ew_pool.c: runs fn(ctx, begin, end) over [0, n) split in contiguous chunks across the CPU
 * worker threads (created once, on first use) and the calling thread. Runs inline when
 * n < 2 * grain, when there is a single CPU, or when the pool is busy with another caller. */
typedef void (*mx_ew_task)(void *ctx, int64_t begin, int64_t end);
void mx_ew_parallel_for(int64_t n, int64_t grain, mx_ew_task fn, void *ctx);
/* Threads a parallel loop runs on (the workers and the caller; starts the pool). */
int mx_ew_num_threads(void);

/* ew_pool.c: streamed (non-temporal) output. When a flat loop of an op whose output elements
 * are at least as wide as its input elements (a bool output is too small a share of the traffic
 * to pay for the staging) touches at least mx_ew_stream_min_bytes() (inputs read plus output
 * written; the last-level cache's size, MLXC_STREAM_MIN_BYTES overrides, 0 turns streaming off),
 * its output cannot stay in the cache anyway: the kernels compute it in small blocks of
 * EW_STREAM_BYTES into a buffer on the stack and mx_ew_stream_copy() it out with non-temporal
 * stores, which skip reading every output cache line before writing it (a third of a unary op's
 * memory traffic). Small blocks keep the reads and the streamed writes overlapped (4 KB blocks
 * measured slower than plain stores). Math ops stream too: their AVX-512 rows were waiting on
 * those reads (bench/ops.py --families bandwidth, 10^8 float32, MLXC_STREAM_MIN_BYTES=0 ->
 * default: exp 29.7 -> 19.9 ms, sin 34.1 -> 25.2, arccosh 33.8 -> 31.0, arctan2 43.7 -> 37.0).
 * A task that streamed calls mx_ew_stream_fence() before it returns. */
#define EW_STREAM_BYTES 512

/* ew_binary.c: o[i] = fn(a[i], b[i]) for a and b of out's shape with any strides and o
 * row-contiguous (elements of isz bytes, fn's own types: no 16-bit staging), in rows over the
 * worker threads, or in tiles with a transposed 4-byte operand staged through registers.
 * binary.c's add/subtract/multiply/divide use it for their strided cases. */
typedef void (*mx_ew_bin_fn)(const void *a, int64_t sa, const void *b, int64_t sb, void *o,
                             int64_t n);
void mx_ew_binary_rows(mx_ew_bin_fn fn, int cost, size_t isz, const mx_array *a, const mx_array *b,
                       const mx_array *out, const void *ap, const void *bp, void *op);

/* ew_pool.c: 1 when float32 math takes the AVX-512 functions of ew_vec512.h (the CPU has
 * AVX-512 F/DQ/BW/VL and MLXC_VMATH is not "0"; MLXC_VMATH=0 keeps the scalar-code loops, for
 * comparisons). */
int mx_ew_vec512(void);
int64_t mx_ew_stream_min_bytes(void);
void mx_ew_stream_copy(void *dst, const void *src, size_t nbytes);
void mx_ew_stream_fence(void);

#endif
