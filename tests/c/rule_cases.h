/* Cases for the table-driven transform test (tests/c/test_prim_rules.c).
 *
 * Every primitive in the table (src/core/primitives.h) needs at least one case; the test fails
 * for a primitive without one. A case is a small function of a few inputs whose graph contains
 * the primitive. The driver, for each case:
 *   - checks the primitive appears in the graph of fn's outputs;
 *   - gradients (unless RULE_GRAD_SKIP): with random directions v (inputs) and u (outputs),
 *     <vjp(u), v> and <u, jvp(v)> both equal the central finite difference of <u, f(x + t v)>
 *     in float64 (RULE_GRAD_ZERO: both are zero, e.g. floor or comparisons);
 *   - vmap: for every input and every axis of it (the others unbatched), and with all inputs
 *     batched at axis 0, vmap(fn) equals fn applied to each slice and stacked.
 * Only RULE_IN_REAL / RULE_IN_DISTINCT inputs are differentiated; integer inputs (indices, keys)
 * are held fixed for the gradient checks and batched like the others for vmap.
 *
 * Cases are built with the internal ops (src/ops/ops.h and the family headers), on stream s.
 * Each family lists its cases in tests/c/rule_cases_<family>.h as
 *   static const rule_case rule_cases_<family>[] = { {...}, ..., RULE_END };
 */
#ifndef MLXC_TEST_RULE_CASES_H
#define MLXC_TEST_RULE_CASES_H

#include "core/array.h"
#include "core/primitives.h"
#include "ops/ops.h"

enum { RULE_MAX_IN = 4, RULE_MAX_OUT = 4 };

/* How an input is drawn. */
enum {
  RULE_IN_REAL = 0,  /* float64 uniform in [lo, hi] */
  RULE_IN_DISTINCT,  /* float64, distinct values at least (hi - lo) / (2 size) apart, shuffled */
  RULE_IN_INT32,     /* int32 uniform integers in [0, ihi] (indices) */
  RULE_IN_UINT32,    /* uint32 uniform integers in [0, ihi] (random keys; ihi 0: any uint32) */
};

/* Flags. */
enum {
  RULE_GRAD_ZERO = 1, /* the vjp and jvp exist and are zero (floor, comparisons, argsort, ...) */
  RULE_GRAD_SKIP = 2, /* no gradient check: say why in `why` (integer-only primitives) */
  RULE_NO_INPUTS = 4, /* the primitive takes no array inputs: only its presence is checked */
};

typedef int (*rule_fn)(mx_array *const *x, mx_array **out, mx_stream s);

typedef struct {
  int prim;            /* MX_PRIM_<ID> the case exercises */
  const char *name;    /* label for failure messages */
  rule_fn fn;          /* fills out[0 .. nout) (new references) from x[0 .. nin) (borrowed) */
  int nin, nout;
  int ndim[RULE_MAX_IN];
  int32_t shape[RULE_MAX_IN][4];
  unsigned char kind[RULE_MAX_IN]; /* RULE_IN_* per input */
  double lo, hi;                   /* range of the float64 inputs */
  int32_t ihi;                     /* range of the integer inputs: [0, ihi] */
  unsigned flags;
  const char *why; /* reason for RULE_GRAD_SKIP */
} rule_case;

#define RULE_END {.prim = -1}

#endif
