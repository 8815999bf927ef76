/* vjp, jvp and vmap of the foundation primitives (Identity, Full, AsType, Copy, Broadcast,
 * Reshape, Transpose, Add, Subtract, Multiply, Divide, Matmul). Each rule builds
 * its result with ops, so rules compose (grad of grad, vmap of grad). */
#include "ops/foundation_rules.h"

#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "core/transforms.h"
#include "ops/ops.h"
#include "ops/params.h"

int mx_eval_identity(mx_node *n) {
  mx_array_copy_shared(&n->out[0], n->inputs[0]);
  return 0;
}

/* ---- small helpers ---- */

int mx_rule_negate(mx_array **out, mx_array *x, mx_stream s) {
  mx_array *minus_one = mx_array_scalar((mx_dtype)x->dtype, -1.0);
  if (!minus_one) return MX_ERR;
  int rc = mx_multiply(out, x, minus_one, s);
  mx_array_release(minus_one);
  return rc;
}

/* Swaps the last two axes. */
int mx_rule_swap_last(mx_array **out, mx_array *x, mx_stream s) {
  int perm[MX_MAX_NDIM];
  for (int i = 0; i < x->ndim; i++) perm[i] = i;
  perm[x->ndim - 2] = x->ndim - 1;
  perm[x->ndim - 1] = x->ndim - 2;
  return mx_transpose(out, x, perm, x->ndim, s);
}

/* out = a + b where either may be NULL (zero); takes over both references. */
int mx_rule_add_owned(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  if (!a || !b) {
    *out = a ? a : b;
    return 0;
  }
  int rc = mx_add(out, a, b, s);
  mx_array_release(a);
  mx_array_release(b);
  return rc;
}

/* Same-rank rules: a batched input moved to axis 0; an unbatched one left as it is (ops
 * broadcast it against the batch). */
int mx_rule_to_front(mx_array **out, mx_array *x, int axis) {
  if (axis < 0) {
    *out = mx_array_retain(x);
    return 0;
  }
  return mx_move_axis(out, x, axis, 0);
}

static const int32_t *shape_params(const mx_node *n, int *ndim) {
  const mx_shape_params *p = n->params;
  *ndim = p->ndim;
  return p->shape;
}

int mx_rule_remake(mx_array **out, mx_node *n, mx_array *const *in, int nin, const void *params,
                   size_t params_size) {
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  if (!params) params = n->params, params_size = n->params_size;
  MX_TRY(mx_prim_output_shapes(n->prim, params, in, nin, &ndim, shape));
  *out = mx_array_make(n->prim, params, params_size, in, nin, ndim, shape[0],
                       (mx_dtype)n->out[0].dtype, n->stream);
  return *out ? 0 : MX_ERR;
}

int mx_rule_batch_size(mx_array *const *in, const int *axes, int nin) {
  for (int i = 0; i < nin; i++)
    if (axes[i] >= 0) return in[i]->shape[axes[i]];
  return 0;
}

int mx_rule_jvp_multilinear(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                            int nlin, mx_array **out) {
  mx_array *x[64], *sum = NULL;
  if (n->nin > 64) return mx_error("[jvp] Too many inputs.");
  for (int k = 0; k < nargs; k++) {
    if (!tan[k] || argnums[k] >= nlin) continue;
    mx_array *term = NULL;
    memcpy(x, n->inputs, (size_t)n->nin * sizeof *x);
    x[argnums[k]] = tan[k];
    int rc = mx_rule_remake(&term, n, x, n->nin, NULL, 0);
    if (!rc) rc = mx_rule_add_owned(&sum, sum, term, n->stream);
    else mx_array_release(sum);
    MX_TRY(rc);
  }
  if (!sum) return mx_zeros_like(&out[0], &n->out[0]);
  out[0] = sum;
  return 0;
}

/* ---- identity-like: Identity, Copy ---- */

int mx_vjp_identity(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                    mx_array **grads) {
  grads[0] = mx_array_retain(cot[0]);
  return 0;
}

int mx_jvp_identity(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                    mx_array **out) {
  out[0] = mx_array_retain(tan[0]);
  return 0;
}

int mx_vmap_identity(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                     int *out_axes) {
  out_axes[0] = axes[0];
  if (n->prim == MX_PRIM_COPY) return mx_contiguous(out, in[0], n->stream);
  out[0] = mx_array_retain(in[0]);
  return 0;
}

/* ---- AsType ---- */

int mx_vjp_astype(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                  mx_array **grads) {
  return mx_astype(&grads[0], cot[0], (mx_dtype)n->inputs[0]->dtype, n->stream);
}

int mx_jvp_astype(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                  mx_array **out) {
  return mx_astype(&out[0], tan[0], (mx_dtype)n->out[0].dtype, n->stream);
}

int mx_vmap_astype(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                   int *out_axes) {
  out_axes[0] = axes[0];
  return mx_astype(&out[0], in[0], (mx_dtype)n->out[0].dtype, n->stream);
}

/* ---- Full: input 0 is the fill value (size 1, or broadcast to the output) ---- */

int mx_vjp_full(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                mx_array **grads) {
  mx_array *v = n->inputs[0];
  return mx_unbroadcast(&grads[0], cot[0], v->ndim, v->shape);
}

int mx_jvp_full(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  mx_array *o = &n->out[0];
  return mx_full(&out[0], o->ndim, o->shape, tan[0], (mx_dtype)o->dtype, n->stream);
}

/* Pads x (batch at axis 0) with size-1 axes after the batch axis up to rank ndim + 1. */
int mx_rule_batch_expand(mx_array **out, mx_array *x, int ndim, mx_stream s) {
  int32_t shape[MX_MAX_NDIM];
  int pad = ndim + 1 - x->ndim;
  if (ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  shape[0] = x->shape[0];
  for (int i = 1; i <= ndim; i++) shape[i] = i <= pad ? 1 : x->shape[i - pad];
  return mx_reshape(out, x, ndim + 1, shape, s);
}

int mx_vmap_full(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                 int *out_axes) {
  mx_array *o = &n->out[0], *front = NULL, *expanded = NULL;
  int32_t shape[MX_MAX_NDIM];
  MX_TRY(mx_rule_to_front(&front, in[0], axes[0]));
  int rc = mx_rule_batch_expand(&expanded, front, o->ndim, n->stream);
  shape[0] = front->shape[0];
  memcpy(shape + 1, o->shape, (size_t)o->ndim * sizeof(int32_t));
  if (!rc) rc = mx_full(&out[0], o->ndim + 1, shape, expanded, (mx_dtype)o->dtype, n->stream);
  mx_array_release(front);
  mx_array_release(expanded);
  out_axes[0] = 0;
  return rc;
}

/* ---- Broadcast ---- */

int mx_vjp_broadcast(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                     mx_array **grads) {
  mx_array *x = n->inputs[0];
  return mx_unbroadcast(&grads[0], cot[0], x->ndim, x->shape);
}

int mx_jvp_broadcast(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                     mx_array **out) {
  int ndim;
  const int32_t *shape = shape_params(n, &ndim);
  return mx_broadcast_to(&out[0], tan[0], ndim, shape, n->stream);
}

int mx_vmap_broadcast(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                      int *out_axes) {
  int ndim;
  const int32_t *target = shape_params(n, &ndim);
  int32_t shape[MX_MAX_NDIM];
  mx_array *front = NULL, *expanded = NULL;
  MX_TRY(mx_rule_to_front(&front, in[0], axes[0]));
  int rc = mx_rule_batch_expand(&expanded, front, ndim, n->stream);
  shape[0] = front->shape[0];
  memcpy(shape + 1, target, (size_t)ndim * sizeof(int32_t));
  if (!rc) rc = mx_broadcast_to(&out[0], expanded, ndim + 1, shape, n->stream);
  mx_array_release(front);
  mx_array_release(expanded);
  out_axes[0] = 0;
  return rc;
}

/* ---- Reshape ---- */

int mx_vjp_reshape(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                   mx_array **grads) {
  mx_array *x = n->inputs[0];
  return mx_reshape(&grads[0], cot[0], x->ndim, x->shape, n->stream);
}

int mx_jvp_reshape(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                   mx_array **out) {
  int ndim;
  const int32_t *shape = shape_params(n, &ndim);
  return mx_reshape(&out[0], tan[0], ndim, shape, n->stream);
}

int mx_vmap_reshape(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                    int *out_axes) {
  int ndim;
  const int32_t *target = shape_params(n, &ndim);
  int32_t shape[MX_MAX_NDIM];
  mx_array *front = NULL;
  if (ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  MX_TRY(mx_rule_to_front(&front, in[0], axes[0]));
  shape[0] = front->shape[0];
  memcpy(shape + 1, target, (size_t)ndim * sizeof(int32_t));
  int rc = mx_reshape(&out[0], front, ndim + 1, shape, n->stream);
  mx_array_release(front);
  out_axes[0] = 0;
  return rc;
}

/* ---- Transpose ---- */

int mx_vjp_transpose(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                     mx_array **grads) {
  const mx_transpose_params *p = n->params;
  int inverse[MX_MAX_NDIM];
  for (int i = 0; i < p->ndim; i++) inverse[p->perm[i]] = i;
  return mx_transpose(&grads[0], cot[0], inverse, p->ndim, n->stream);
}

int mx_jvp_transpose(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                     mx_array **out) {
  const mx_transpose_params *p = n->params;
  return mx_transpose(&out[0], tan[0], p->perm, p->ndim, n->stream);
}

int mx_vmap_transpose(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                      int *out_axes) {
  const mx_transpose_params *p = n->params;
  int perm[MX_MAX_NDIM];
  mx_array *front = NULL;
  MX_TRY(mx_rule_to_front(&front, in[0], axes[0]));
  perm[0] = 0;
  for (int i = 0; i < p->ndim; i++) perm[i + 1] = p->perm[i] + 1;
  int rc = mx_transpose(&out[0], front, perm, p->ndim + 1, n->stream);
  mx_array_release(front);
  out_axes[0] = 0;
  return rc;
}

/* ---- Add, Subtract, Multiply, Divide (inputs share one shape and dtype) ---- */

static int arith_terms_of(mx_node *n, mx_array *a, mx_array *b, mx_array *c, const int *argnums,
                          int nargs, mx_array **grads);

/* The derivative of each input in argnums applied to seed c: for the vjp (conj) the factors
 * are conjugated, as MLX does for complex inputs (grad of real(z * w) wrt z is conj(w)). */
static int arith_terms(mx_node *n, mx_array *c, const int *argnums, int nargs, mx_array **grads,
                       bool conj) {
  mx_array *a = NULL, *b = NULL;
  conj = conj && n->inputs[0]->dtype == MX_COMPLEX64 &&
         (n->prim == MX_PRIM_MULTIPLY || n->prim == MX_PRIM_DIVIDE);
  if (conj) {
    MX_TRY(mx_conjugate(&a, n->inputs[0], n->stream));
    int rc = mx_conjugate(&b, n->inputs[1], n->stream);
    if (!rc) rc = arith_terms_of(n, a, b, c, argnums, nargs, grads);
    mx_array_release(a), mx_array_release(b);
    return rc;
  }
  return arith_terms_of(n, n->inputs[0], n->inputs[1], c, argnums, nargs, grads);
}

int mx_vjp_arith(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                 mx_array **grads) {
  return arith_terms(n, cot[0], argnums, nargs, grads, true);
}

static int arith_terms_of(mx_node *n, mx_array *a, mx_array *b, mx_array *c, const int *argnums,
                          int nargs, mx_array **grads) {
  for (int k = 0; k < nargs; k++) {
    bool first = argnums[k] == 0;
    int rc = 0;
    switch (n->prim) {
    case MX_PRIM_ADD: grads[k] = mx_array_retain(c); break;
    case MX_PRIM_SUBTRACT:
      if (first) grads[k] = mx_array_retain(c);
      else rc = mx_rule_negate(&grads[k], c, n->stream);
      break;
    case MX_PRIM_MULTIPLY: rc = mx_multiply(&grads[k], c, first ? b : a, n->stream); break;
    case MX_PRIM_DIVIDE:
      if (first) {
        rc = mx_divide(&grads[k], c, b, n->stream);
      } else { /* -c * a / b^2 */
        mx_array *ca = NULL, *bb = NULL, *q = NULL;
        rc = mx_multiply(&ca, c, a, n->stream);
        if (!rc) rc = mx_multiply(&bb, b, b, n->stream);
        if (!rc) rc = mx_divide(&q, ca, bb, n->stream);
        if (!rc) rc = mx_rule_negate(&grads[k], q, n->stream);
        mx_array_release(ca), mx_array_release(bb), mx_array_release(q);
      }
      break;
    default: rc = mx_error("[vjp] Not an arithmetic primitive.");
    }
    if (rc) {
      for (int j = 0; j < k; j++) mx_array_release(grads[j]), grads[j] = NULL;
      return rc;
    }
  }
  return 0;
}

int mx_jvp_arith(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                 mx_array **out) {
  /* Linear in each input: the product/quotient rules reuse the vjp with the tangent standing
   * in for the cotangent (d(a op b) = da * d/da + db * d/db, elementwise). */
  mx_array *sum = NULL;
  for (int k = 0; k < nargs; k++) {
    if (!tan[k]) continue;
    mx_array *term = NULL;
    int rc = arith_terms(n, tan[k], &argnums[k], 1, &term, false);
    if (!rc) rc = mx_rule_add_owned(&sum, sum, term, n->stream);
    else mx_array_release(sum);
    MX_TRY(rc);
  }
  if (!sum) return mx_zeros_like(&out[0], &n->out[0]);
  out[0] = sum;
  return 0;
}

int mx_vmap_arith(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                  int *out_axes) {
  mx_array *a = NULL, *b = NULL;
  int rc = mx_rule_to_front(&a, in[0], axes[0]);
  if (!rc) rc = mx_rule_to_front(&b, in[1], axes[1]);
  if (!rc) {
    switch (n->prim) {
    case MX_PRIM_ADD: rc = mx_add(&out[0], a, b, n->stream); break;
    case MX_PRIM_SUBTRACT: rc = mx_subtract(&out[0], a, b, n->stream); break;
    case MX_PRIM_MULTIPLY: rc = mx_multiply(&out[0], a, b, n->stream); break;
    default: rc = mx_divide(&out[0], a, b, n->stream); break;
    }
  }
  mx_array_release(a);
  mx_array_release(b);
  out_axes[0] = 0;
  return rc;
}

/* ---- Matmul: a (..., M, K) @ b (..., K, N), batch dims already equal ---- */

int mx_vjp_matmul(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                  mx_array **grads) {
  for (int k = 0; k < nargs; k++) {
    mx_array *t = NULL;
    bool first = argnums[k] == 0;
    int rc = mx_rule_swap_last(&t, n->inputs[first ? 1 : 0], n->stream);
    if (!rc) rc = first ? mx_matmul(&grads[k], cot[0], t, n->stream)
                        : mx_matmul(&grads[k], t, cot[0], n->stream);
    mx_array_release(t);
    if (rc) {
      for (int j = 0; j < k; j++) mx_array_release(grads[j]), grads[j] = NULL;
      return rc;
    }
  }
  return 0;
}

int mx_jvp_matmul(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                  mx_array **out) {
  return mx_rule_jvp_multilinear(n, tan, argnums, nargs, 2, out);
}

int mx_vmap_matmul(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                   int *out_axes) {
  mx_array *a = NULL, *b = NULL;
  int rc = mx_rule_to_front(&a, in[0], axes[0]);
  if (!rc) rc = mx_rule_to_front(&b, in[1], axes[1]);
  /* An unbatched operand broadcasts against the batch; a rank-2 batched operand of a batched
   * product keeps its batch axis in front, which matmul's batch broadcasting handles. */
  if (!rc) rc = mx_matmul(&out[0], a, b, n->stream);
  mx_array_release(a);
  mx_array_release(b);
  out_axes[0] = 0;
  return rc;
}
