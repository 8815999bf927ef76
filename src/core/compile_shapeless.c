/* Shapeless replays: a tape traced for one set of input shapes, replayed on inputs of the same
 * ranks and other shapes (mx.compile(shapeless=True)). Each step whose inputs changed shape
 * gets its output shapes from its primitive's output_shapes; broadcasts follow their operands
 * (a Broadcast passes its input through and the elementwise op reading it re-broadcasts its
 * operands against each other); a Reshape that squeezes, expands or merges axes maps the new
 * sizes onto the same groups of axes. Primitives whose output shape was fixed at trace time
 * (full, arange, slices, explicit reshapes that split axes, random bits, ...) raise. */
#include <string.h>

#include "core/compile_tape.h"
#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/params.h"

bool tape_same_shape(const mx_array *a, const mx_array *b) {
  return a->ndim == b->ndim && memcmp(a->shape, b->shape, sizeof(int32_t) * (size_t)a->ndim) == 0;
}

static int fixed_shape_error(const mx_node *n) {
  return mx_error("[compile] %s cannot infer its output shape from new input shapes: its shape "
                  "was fixed when the function was traced. Compile with shapeless=False.",
                  mx_prims[n->prim].name);
}

/* Reshape: each output axis is the product of a run of traced input axes (empty: a new axis of
 * size 1); the new output takes the products of the same runs of the new input. An input axis
 * of size 1 in the trace that has another size now raises: where it goes is ambiguous (a
 * reduction over axis 0 of a (2, 1) trace, replayed on (3, 4), gave (3, 1) for (1, 4)). */
static int reshape_shape(const mx_node *n, const mx_array *x, int32_t *shape) {
  const mx_array *tin = n->inputs[0], *tout = &n->out[0];
  for (int d = 0; d < tin->ndim; d++)
    if (tin->shape[d] == 1 && x->shape[d] != 1) return fixed_shape_error(n);
  int i = 0;
  for (int o = 0; o < tout->ndim; o++) {
    int64_t traced = 1, now = 1;
    while (i < tin->ndim && traced < tout->shape[o]) {
      traced *= tin->shape[i];
      now *= x->shape[i++];
    }
    if (traced != tout->shape[o]) return fixed_shape_error(n);
    shape[o] = (int32_t)now;
  }
  for (; i < tin->ndim; i++)
    if (tin->shape[i] != 1 || x->shape[i] != 1) return fixed_shape_error(n);
  return 0;
}

static bool fixed_at_trace(mx_shapes_fn f) {
  return !f || f == mx_shapes_params || f == mx_shapes_slice || f == mx_shapes_dynslice ||
         f == mx_shapes_as_strided || f == mx_shapes_random_bits || f == mx_shapes_eye ||
         f == mx_shapes_arange || f == mx_shapes_window || f == mx_shapes_fft ||
         f == mx_shapes_gather;
}

int tape_shapeless_step(const mx_node *n, mx_array **inputs, mx_array **owned, int *ndims,
                        int32_t (*shapes)[MX_MAX_NDIM]) {
  if (n->prim == MX_PRIM_BROADCAST) return TAPE_PASS_THROUGH;
  if (n->prim == MX_PRIM_RESHAPE) {
    ndims[0] = n->out[0].ndim;
    return reshape_shape(n, inputs[0], shapes[0]);
  }
  if ((mx_prims[n->prim].flags & MX_PF_ELEMENTWISE) && n->nin > 1) {
    int nd = 0;
    int32_t target[MX_MAX_NDIM];
    for (int i = 0; i < n->nin; i++) {
      mx_array *x = inputs[i];
      while (x->node->prim == MX_PRIM_BROADCAST && x->node->nin == 1) x = x->node->inputs[0];
      inputs[i] = x;
      MX_TRY(mx_broadcast_shapes("compile", nd, target, x->ndim, x->shape, &nd, target));
    }
    for (int i = 0; i < n->nin; i++) {
      MX_TRY(mx_broadcast_to(&owned[i], inputs[i], nd, target, n->stream));
      inputs[i] = owned[i];
    }
  }
  if (fixed_at_trace(mx_prims[n->prim].output_shapes)) return fixed_shape_error(n);
  return mx_prim_output_shapes(n->prim, n->params, inputs, n->nin, ndims, shapes);
}
