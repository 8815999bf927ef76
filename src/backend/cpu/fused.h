/* CPU execution of fused kernels (the Compiled primitive, src/core/fused.h).
 *
 * fused.c runs a Compiled node: it lays out the frame (rows, inner length D, each input's
 * strides), splits rows (or, without reductions, pieces of rows) over the worker threads and
 * calls the program's row function, which fused_codegen.c generates as C, compiles with the
 * system compiler and loads (cached on disk), or, without a working compiler, fused_interp.c's
 * tiled interpreter, which also keeps intermediates in cache-sized tiles. */
#ifndef MX_BACKEND_CPU_FUSED_H
#define MX_BACKEND_CPU_FUSED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"
#include "core/fused.h"

int mx_cpu_compiled(mx_node *n);

/* The result kind of a fused unary / binary op on arguments of kind kin; -1: not fusable. */
int mx_fused_unary_kind(int prim, int kin);
int mx_fused_binary_kind(int prim, int kin);

/* How a row is computed: passes over the row (loops), the pass that computes each op (full
 * ops) or before which it is computed (row ops; == nloops: after the last), and the scratch
 * slot (D elements of 4 bytes) of each full value read in a later pass (-1: none). */
typedef struct {
  int nloops, nscratch;
  int *phase, *slot;
  int *store_loop; /* per output: the pass that stores it */
  /* per op, with recompute: bit q set = computed again in pass q, where it is read, instead of
   * kept in a scratch slot (a few cheap ops: a store and a load cost more than recomputing) */
  uint64_t *again;
  /* per pass: a row bool op whose truth makes the pass needless (it only feeds reductions that
   * a select replaces when that op holds: compile_hoist.c), or -1 */
  int *skip;
} mx_fused_plan;

/* recompute: cheap values read in later passes are recomputed there (the generated code does
 * this; the interpreter reads every such value from a slot). */
int mx_fused_plan_make(const mx_fused *f, mx_fused_plan *p, bool recompute);
/* Whether op i is computed in pass p (its own pass or, recomputed, a later one). */
bool mx_fused_in_pass(const mx_fused_plan *plan, int i, int p);
/* Whether op i is cheap to compute again (no division, square root or library function). */
bool mx_fused_cheap(const mx_fused *f, int i);
void mx_fused_plan_free(mx_fused_plan *p);
/* Whether pass p reads op x (an argument, a reduction's input or an output stored there). */
bool mx_fused_used_in_loop(const mx_fused *f, const mx_fused_plan *plan, int x, int p);

/* Computes nrows rows: row r's operands start rstride[k] bytes after row r - 1's (inputs, then
 * outputs); the contract of one row is in fused.c. */
typedef void (*mx_fused_row_fn)(int64_t d, int64_t nrows, void *const *in, const int64_t *stride,
                                const int64_t *rstride, void *const *out, void *scratch);
/* The compiled row function, or NULL (no compiler, or it failed: the interpreter runs). *far:
 * for programs that reduce along rows, a variant of it for rows past the caches (it prefetches
 * the inputs a block ahead in unit-stride rows), else NULL. */
mx_fused_row_fn mx_fused_codegen(const mx_fused *f, const mx_fused_plan *plan,
                                 mx_fused_row_fn *far);
/* The interpreter's row function (same contract, with the program). */
void mx_fused_interp_row(const mx_fused *f, const mx_fused_plan *plan, int64_t d, void *const *in,
                         const int64_t *stride, void *const *out, void *scratch);

#endif
