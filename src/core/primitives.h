/* The primitive table: the single source of truth for what a primitive can do.
 *
 * One row per primitive: X(ID, "Name", flags, eval_cpu, eval_cuda, vjp, jvp, vmap, output_shapes,
 * is_equivalent). A slot may be NULL: that is the explicit flag that the primitive lacks it, and
 * asking for it gives "[Name] has no <slot>." instead of a crash. Ids number the rows in order and
 * live only in memory (no file or cache stores them), so a family may add rows to its fragment.
 *
 * Contracts (arrays passed in are borrowed, arrays handed back are new references):
 *   eval(n)            reads n->inputs, n->params; gives every n->out[i] its data, either a
 *                      buffer (mx_array_alloc_data) or a view of an input (mx_array_set_view).
 *   output_shapes(p, inputs, nin, ndims, shapes)
 *                      shapes of the outputs from the params and input shapes alone; ops use it
 *                      to shape new nodes, shapeless compile to reshape replays.
 *                      shapes is nout rows of MX_MAX_NDIM.
 *   vjp(n, cotangents, argnums, nargs, grads)
 *                      cotangents: one per output (NULL = zero); grads: one per argnum.
 *   jvp(n, tangents, argnums, nargs, out_tangents)
 *                      tangents: one per argnum; out_tangents: one per output.
 *   vmap(n, inputs, in_axes, outs, out_axes)
 *                      inputs batched along in_axes[i] (-1 = not batched).
 *   is_equivalent(a, b) same primitive and parameters (for common-subexpression elimination).
 *
 * Flags: MX_PF_ELEMENTWISE: out[i] depends only on input element i of the same layout, so an
 * output may take over a dying input's buffer (donation). MX_PF_PARAMS_REF: the params hold a
 * reference (mx_params_ref) released with the node.
 */
#ifndef MX_CORE_PRIMITIVES_H
#define MX_CORE_PRIMITIVES_H

#include "core/array.h"

typedef int (*mx_eval_fn)(mx_node *n);
typedef int (*mx_shapes_fn)(const void *params, mx_array *const *inputs, int nin, int *ndims,
                            int32_t (*shapes)[MX_MAX_NDIM]);
typedef int (*mx_vjp_fn)(mx_node *n, mx_array *const *cotangents, const int *argnums, int nargs,
                         mx_array **grads);
typedef int (*mx_jvp_fn)(mx_node *n, mx_array *const *tangents, const int *argnums, int nargs,
                         mx_array **out_tangents);
typedef int (*mx_vmap_fn)(mx_node *n, mx_array *const *inputs, const int *in_axes, mx_array **outs,
                          int *out_axes);
typedef bool (*mx_equiv_fn)(const mx_node *a, const mx_node *b);

/* Declarations of the functions named in the table. */
#include "backend/cpu/kernels.h"
#include "core/custom.h"
#include "backend/cpu/fused.h"
#include "ops/numel.h"
#include "ops/foundation_rules.h"
#include "ops/rules.h"

/* Each op family lists its primitives in its own fragment (same columns), included here. */
#include "ops/prims_elementwise.h"
#include "ops/prims_indexing.h"
#include "ops/prims_linalg.h"
#include "ops/prims_random.h"
#include "ops/prims_reduce.h"
#include "ops/prims_conv.h"
#include "ops/prims_fast.h"
#include "ops/prims_lapack.h"
#include "ops/prims_fft.h"
#include "ops/prims_quant.h"

/* clang-format off */
#define MX_PRIMITIVES(X) \
  MX_PRIMS_FOUNDATION(X)     \
  MX_PRIMS_ELEMENTWISE(X)    \
  MX_PRIMS_REDUCE(X)         \
  MX_PRIMS_INDEXING(X)       \
  MX_PRIMS_LINALG(X)         \
  MX_PRIMS_RANDOM(X)         \
  MX_PRIMS_CONV(X)           \
  MX_PRIMS_FAST(X)           \
  MX_PRIMS_LAPACK(X)         \
  MX_PRIMS_FFT(X)            \
  MX_PRIMS_QUANT(X)          \
  MX_PRIMS_COMPILE(X)

#define MX_PRIMS_FOUNDATION(X) \
  /* ID        name          flags              eval_cpu           eval_cuda          vjp   jvp   vmap  output_shapes        is_equivalent */ \
  X(NONE,       "None",       0,                  NULL,               NULL,               NULL,  NULL,  NULL,  NULL,                 NULL) \
  X(FULL,       "Full",       0,                  mx_cpu_full,        NULL,               mx_vjp_full,        mx_jvp_full,      mx_vmap_full,       mx_shapes_params,    mx_equiv_params) \
  X(ARANGE,     "Arange",     0,                  mx_cpu_arange,      NULL,               NULL,  NULL,  NULL,  mx_shapes_arange,     mx_equiv_params) \
  X(ASTYPE,     "AsType",     MX_PF_ELEMENTWISE,  mx_cpu_copy,        NULL,               mx_vjp_astype,      mx_jvp_astype,    mx_vmap_astype,     mx_shapes_same,      mx_equiv_params) \
  X(COPY,       "Copy",       MX_PF_ELEMENTWISE,  mx_cpu_copy,        NULL,               mx_vjp_identity,    mx_jvp_identity,  mx_vmap_identity,   mx_shapes_same,      mx_equiv_params) \
  X(BROADCAST,  "Broadcast",  0,                  mx_eval_broadcast,  mx_eval_broadcast,  mx_vjp_broadcast,   mx_jvp_broadcast, mx_vmap_broadcast,  mx_shapes_params,    mx_equiv_params) \
  X(RESHAPE,    "Reshape",    0,                  mx_eval_reshape,    NULL,               mx_vjp_reshape,     mx_jvp_reshape,   mx_vmap_reshape,    mx_shapes_params,    mx_equiv_params) \
  X(TRANSPOSE,  "Transpose",  0,                  mx_eval_transpose,  mx_eval_transpose,  mx_vjp_transpose,   mx_jvp_transpose, mx_vmap_transpose,  mx_shapes_transpose, mx_equiv_params) \
  X(ADD,        "Add",        MX_PF_ELEMENTWISE,  mx_cpu_binary,      NULL,               mx_vjp_arith,       mx_jvp_arith,     mx_vmap_arith,      mx_shapes_same,      mx_equiv_params) \
  X(SUBTRACT,   "Subtract",   MX_PF_ELEMENTWISE,  mx_cpu_binary,      NULL,               mx_vjp_arith,       mx_jvp_arith,     mx_vmap_arith,      mx_shapes_same,      mx_equiv_params) \
  X(MULTIPLY,   "Multiply",   MX_PF_ELEMENTWISE,  mx_cpu_binary,      NULL,               mx_vjp_arith,       mx_jvp_arith,     mx_vmap_arith,      mx_shapes_same,      mx_equiv_params) \
  X(DIVIDE,     "Divide",     MX_PF_ELEMENTWISE,  mx_cpu_binary,      NULL,               mx_vjp_arith,       mx_jvp_arith,     mx_vmap_arith,      mx_shapes_same,      mx_equiv_params) \
  X(REDUCE,     "Reduce",     0,                  mx_cpu_reduce,      NULL,               mx_vjp_reduce,      mx_jvp_reduce,    mx_vmap_reduce,     mx_shapes_reduce,    mx_equiv_params) \
  X(MATMUL,     "Matmul",     0,                  mx_cpu_matmul,      NULL,               mx_vjp_matmul,      mx_jvp_matmul,    mx_vmap_matmul,     mx_shapes_matmul,    mx_equiv_params) \
  X(IDENTITY,   "Identity",   0,                  mx_eval_identity,   mx_eval_identity,   mx_vjp_identity,    mx_jvp_identity,  mx_vmap_identity,   mx_shapes_same,      mx_equiv_params) \
  X(PLACEHOLDER, "Placeholder", 0,                NULL,               NULL,               NULL,               NULL,             NULL,               NULL,                NULL) \
  X(CUSTOM,     "CustomTransforms", MX_PF_PARAMS_REF, mx_eval_custom, mx_eval_custom, mx_vjp_custom, mx_jvp_custom, mx_vmap_custom, mx_shapes_custom, mx_equiv_params)

/* A fused kernel of mx.compile (src/core/fused.h); params are an mx_params_ref to its program.
 * NumberOfElements (src/ops/numel.h) keeps shape-derived counts right in shapeless replays. */
#define MX_PRIMS_COMPILE(X) \
  X(COMPILED,   "Compiled",   MX_PF_PARAMS_REF,   mx_cpu_compiled,    NULL,               mx_vjp_compiled,    mx_jvp_compiled,  mx_vmap_compiled,   mx_shapes_compiled,  mx_equiv_params) \
  X(NUMBER_OF_ELEMENTS, "NumberOfElements", 0,    mx_cpu_number_of_elements, NULL,        mx_vjp_numel,       mx_jvp_numel,     mx_vmap_numel,      mx_shapes_numel,     mx_equiv_params)
/* clang-format on */

typedef enum {
#define MX_PRIM_ENUM(id, ...) MX_PRIM_##id,
  MX_PRIMITIVES(MX_PRIM_ENUM)
#undef MX_PRIM_ENUM
  MX_NUM_PRIMS
} mx_prim_id;

enum { MX_PF_ELEMENTWISE = 1, MX_PF_PARAMS_REF = 2 };

/* Params of primitives flagged MX_PF_PARAMS_REF begin with this: the node holds one reference to
 * obj, dropped with release(obj) when the node is freed; a copy of the node (compile's replay)
 * takes another with retain(obj). */
typedef struct {
  void (*retain)(void *obj);
  void (*release)(void *obj);
  void *obj;
} mx_params_ref;

typedef struct {
  const char *name;
  unsigned flags;
  mx_eval_fn eval_cpu;
  mx_eval_fn eval_cuda;
  mx_vjp_fn vjp;
  mx_jvp_fn jvp;
  mx_vmap_fn vmap;
  mx_shapes_fn output_shapes;
  mx_equiv_fn is_equivalent;
} mx_prim_info;

extern const mx_prim_info mx_prims[MX_NUM_PRIMS];

/* Runs n's kernel for its stream's device; a missing kernel is an error naming the primitive. */
int mx_prim_eval(mx_node *n);
/* Shapes of a primitive's outputs for these params and inputs (via its output_shapes). */
int mx_prim_output_shapes(int prim, const void *params, mx_array *const *inputs, int nin,
                          int *ndims, int32_t (*shapes)[MX_MAX_NDIM]);

#endif
