/* A fused kernel of a compiled graph: the program of a Compiled node (built by compile_fuse.c,
 * run by backend/cpu/fused*.c).
 *
 * Frame: every value of the program has the full shape `shape` (ndim axes) or its row shape (the
 * trailing `ninner` axes set to 1). Rows are the leading ndim - ninner axes; a full value has D
 * elements per row (the product of the trailing axes), a row value one. Reductions reduce a full
 * value over the trailing axes to a row value; any op may mix full and row arguments (a row
 * value is broadcast along its row). With ninner == 0 there are no reductions and no row values.
 *
 * Ops are in dependency order; an op's args are earlier ops. Inputs are the Compiled node's
 * inputs, each read broadcast to the shape of its class. Constants are scalars known at trace
 * time (inlined into generated code). */
#ifndef MX_CORE_FUSED_H
#define MX_CORE_FUSED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/array.h"

typedef enum {
  MX_FOP_INPUT,  /* input[input] */
  MX_FOP_CONST,  /* value */
  MX_FOP_UNARY,  /* prim(args[0]) */
  MX_FOP_BINARY, /* prim(args[0], args[1]) */
  MX_FOP_SELECT, /* args[0] ? args[1] : args[2] */
  MX_FOP_CAST,   /* args[0] converted to dtype */
  MX_FOP_REDUCE  /* prim is an mx_reduce_op (sum, prod, max, min) of full args[0] over a row */
} mx_fop_kind;

typedef struct {
  int32_t kind;  /* mx_fop_kind */
  int32_t prim;  /* MX_PRIM_* (unary, binary) or mx_reduce_op (reduce) */
  int32_t dtype; /* the value's dtype */
  int32_t row;   /* 1: one value per row */
  int32_t args[3];
  int32_t input; /* INPUT: which input */
  double value;  /* CONST: exact for every fusable dtype */
} mx_fop;

typedef struct mx_fused {
  atomic_int refs;
  int nops, nin, nout;
  mx_fop *ops;
  int32_t *outs;    /* the op of each output */
  int32_t *out_row; /* 1: the output has the row shape (else full: a row op's value repeats) */
  int ndim, ninner;
  int32_t shape[MX_MAX_NDIM]; /* the traced frame */
  uint32_t from_inputs;       /* bit d: axis d's size comes from the inputs (shapeless replays) */
  /* for transforms: replays the unfused graph (compile_fuse.c) */
  void *unfused;
  /* the executor, set up at the first evaluation (backend/cpu/fused.c) */
  pthread_mutex_t lock;
  atomic_int ready;
  void *exec;
  void (*exec_free)(void *exec);
} mx_fused;

/* Appends op to a growing array (*n used of *cap); its index, or -1 (out of memory). */
int mx_fop_append(mx_fop **ops, int *n, int *cap, mx_fop op);
/* Rewrites a program's row max / min of a monotone function of a value from an earlier pass
 * (compile_hoist.c): *ops may be reallocated, ops added and outs renumbered. */
int mx_fused_hoist_extremes(mx_fop **ops, int *nops, int32_t *outs, int nout);

/* The frame shape of a Compiled node with these inputs (the traced one unless a shapeless
 * replay changed the inputs' shapes). */
void mx_fused_frame(const mx_fused *f, mx_array *const *inputs, int nin, int32_t *shape);

/* The Compiled primitive's rules (compile_fuse.c): transforms see the unfused graph. */
int mx_vjp_compiled(mx_node *n, mx_array *const *cotangents, const int *argnums, int nargs,
                    mx_array **grads);
int mx_jvp_compiled(mx_node *n, mx_array *const *tangents, const int *argnums, int nargs,
                    mx_array **out_tangents);
int mx_vmap_compiled(mx_node *n, mx_array *const *inputs, const int *in_axes, mx_array **outs,
                     int *out_axes);
int mx_shapes_compiled(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]);

/* Kinds of values in fused code: float (float32, float16, bfloat16), int32, bool. -1: not
 * fusable. */
enum { MX_FK_F, MX_FK_I, MX_FK_B };
static inline int mx_fused_kind(int dtype) {
  switch (dtype) {
  case MX_FLOAT32:
  case MX_FLOAT16:
  case MX_BFLOAT16:
    return MX_FK_F;
  case MX_INT32:
    return MX_FK_I;
  case MX_BOOL:
    return MX_FK_B;
  default:
    return -1;
  }
}

#endif
