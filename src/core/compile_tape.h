/* Tapes of compiled functions (compile.c builds and replays them, compile_fuse.c fuses their
 * elementwise and row-reduction steps into Compiled nodes). Private to src/core/compile*.c. */
#ifndef MX_CORE_COMPILE_TAPE_H
#define MX_CORE_COMPILE_TAPE_H

#include "core/error.h"
#include "core/transforms.h"

/* Where a step's input comes from: a placeholder (the call's input `index`), an earlier step's
 * output, or a constant array of the trace. */
typedef struct {
  enum { FROM_INPUT, FROM_STEP, FROM_CONSTANT } kind;
  int index, out;
  mx_array *constant; /* borrowed: the traced graph keeps it alive */
} source;

enum { MAX_STEP_OUTPUTS = 16 };

typedef struct {
  mx_node *node; /* the traced node: prim, params, stream, output shapes and dtypes */
  source *in;
  int first_out; /* where its outputs go in a replay's flat list */
} step;

typedef struct {
  mx_arrays traced; /* the traced outputs and placeholders: keep the whole trace alive */
  step *steps;
  int nsteps;
  int nmade; /* outputs of all steps */
  source *outs;
  int nout;
} tape;

/* Builds the tape of the graph from `inputs` (placeholders, or any arrays of distinct
 * single-output nodes) to outs; simplify merges common subexpressions and equal constants;
 * recompute_constants (a function's trace, not a sub-graph of one) makes large lazy nodes that
 * do not depend on the inputs steps too (compile.c). */
int tape_build(tape *t, const mx_arrays *inputs, const mx_arrays *outs, bool simplify,
               bool recompute_constants);
/* Replays the tape on in: one new node per step. */
int tape_replay(const tape *t, const mx_arrays *in, mx_arrays *out);
void tape_free(tape *t);
/* An evaluated one-element array that no op made (a literal of the traced function). */
bool tape_is_scalar_constant(const mx_array *a);
/* Shapeless replays (compile_shapeless.c): the output shapes of step n on inputs shaped unlike
 * its trace; may replace inputs by re-broadcast ones (new references in owned).
 * TAPE_PASS_THROUGH: the step passes its first input through (a broadcast). */
enum { TAPE_PASS_THROUGH = MX_ERR + 1 };
/* tape_fuse: the fused steps would read each other (the tape is left unusable: build it again,
 * unfused) */
enum { TAPE_FUSE_CYCLE = MX_ERR + 2 };
bool tape_same_shape(const mx_array *a, const mx_array *b);
int tape_shapeless_step(const mx_node *n, mx_array **inputs, mx_array **owned, int *ndims,
                        int32_t (*shapes)[MX_MAX_NDIM]);
/* Whether a shapeless replay of Compiled node n on these inputs gives its outputs the shapes
 * of an unfused replay; if not, the tape replays the node's unfused graph (compile_fuse.c). */
bool mx_compiled_shapes_exact(const mx_node *n, mx_array *const *inputs, int nin);
int mx_compiled_replay_unfused(const mx_node *n, mx_array *const *inputs, int nin, mx_arrays *out);
/* Replaces groups of fusable steps by Compiled steps (compile_fuse.c); shapeless: the tape
 * replays on other shapes of the traced ranks. */
int tape_fuse(tape *t, const mx_arrays *placeholders, bool shapeless);

#endif
