/* mx.compile: trace once, replay the traced graph with its elementwise parts fused.
 *
 * A compiled call looks its key up in a global hash cache: (function id, constants, the mode,
 * each input's dtype and shape; only the rank when shapeless). On a miss the function is traced
 * on placeholder inputs (arrays without data; evaluating one is MLX's "Attempting to eval an
 * array during function transformations" error), the graph between the placeholders and the
 * outputs is simplified (common subexpressions and equal scalar constants merged), fused
 * (compile_fuse.c) and kept as a tape. Every call replays the tape on the real inputs: one new
 * node per step, no Python (or other caller) code runs; a shapeless replay on new shapes
 * recomputes them (compile_shapeless.c). Arrays the function made without using its inputs are
 * constants of the tape, shared by every replay. */
#ifndef MX_CORE_COMPILE_H
#define MX_CORE_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/transforms.h"

typedef enum {
  MX_COMPILE_DISABLED,
  MX_COMPILE_NO_SIMPLIFY,
  MX_COMPILE_NO_FUSE,
  MX_COMPILE_ENABLED
} mx_compile_mode;

/* The mode; MLX_DISABLE_COMPILE in the environment (read at the first call) starts it DISABLED. */
mx_compile_mode mx_compile_get_mode(void);
void mx_compile_set_mode(mx_compile_mode mode);

/* out = f(in) through the cache (with compile disabled: f(in) directly). */
int mx_compile_call(mx_fun f, uint64_t fun_id, bool shapeless, const uint64_t *constants,
                    int nconst, const mx_arrays *in, mx_arrays *out);
/* Drops the cached traces of one function / of all. */
void mx_compile_erase(uint64_t fun_id);
void mx_compile_clear_cache(void);
/* Traces made so far (tests count retraces with it); entries in the cache now. */
uint64_t mx_compile_trace_count(void);
int64_t mx_compile_cache_size(void);

#endif
