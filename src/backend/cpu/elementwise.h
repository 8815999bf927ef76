/* CPU kernels of the elementwise family (unary.c, ew_binary.c, ternary.c, ew_views.c) and the
 * small thread pool they share (ew_pool.c).
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

/* unary.c: ABS ... ISNEGINF and NAN_TO_NUM (one kernel for every unary primitive). */
int mx_cpu_unary(mx_node *n);

/* ew_binary.c: MAXIMUM ... LOGICAL_OR (inputs of equal shape and dtype; comparisons give bool)
 * and DIVMOD (two outputs). */
int mx_cpu_ew_binary(mx_node *n);
int mx_cpu_divmod(mx_node *n);

/* ternary.c: SELECT (condition bool, x and y of the output dtype, all of the output shape). */
int mx_cpu_select(mx_node *n);

/* ew_views.c (device independent): REAL and IMAG as strided views of a complex64 input,
 * STOP_GRADIENT as the input itself. */
int mx_eval_real_imag(mx_node *n);
int mx_eval_stop_gradient(mx_node *n);

/* ew_pool.c: runs fn(ctx, begin, end) over [0, n) split in contiguous chunks across the CPU
 * worker threads (created once, on first use) and the calling thread. Runs inline when
 * n < 2 * grain, when there is a single CPU, or when the pool is busy with another caller. */
typedef void (*mx_ew_task)(void *ctx, int64_t begin, int64_t end);
void mx_ew_parallel_for(int64_t n, int64_t grain, mx_ew_task fn, void *ctx);

#endif
