/* vjp, jvp and vmap of the random family's primitives (src/ops/prims_random.h). Keys are
 * constants to differentiation: no gradient flows into a key and the bits have zero tangent,
 * so the noise of a differentiated function is a constant, as in MLX. Integer outputs (bits,
 * argsort, category indices) have zero vjps and zero tangents of their own dtype. Under vmap,
 * each key of a batch of keys draws its own stream: the kernels take one key (one distribution)
 * per call, so those rules apply the primitive to each batch entry and stack the results, which
 * is the loop exactly. Eye, Tri and Window take no inputs and have no rules. CovSqrt (the SVD
 * square root) has vmap only: its vjp needs an SVD (or eigen) derivative, which MLX lacks too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "core/transforms.h"
#include "ops/foundation_rules.h"
#include "ops/ops.h"

static void release_all(mx_array **v, int n) {
  for (int i = 0; i < n; i++) mx_array_release(v[i]), v[i] = NULL;
}

/* Row i of x along axis 0 (a TakeRow view). */
static int take_row(mx_array **out, mx_array *x, int i, mx_stream s) {
  mx_take_row_params p = {i};
  *out = mx_array_make(MX_PRIM_TAKE_ROW, &p, sizeof p, &x, 1, x->ndim - 1, x->shape + 1,
                       (mx_dtype)x->dtype, s);
  return *out ? 0 : MX_ERR;
}

/* ------------------------------------------------------------------ shared rules */

/* Integer outputs (RandomBits, CategoricalArgMax, CategoricalSearch): no gradient flows. */
int mx_vjp_random_none(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                       mx_array **grads) {
  return 0;
}

int mx_jvp_random_zero(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                       mx_array **out) {
  return mx_zeros_like(&out[0], &n->out[0]);
}

/* The primitive on each batch entry (row b of every batched input), stacked on axis 0. */
int mx_vmap_random_unrolled(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                            int *out_axes) {
  int nin = n->nin, B = mx_rule_batch_size(in, axes, nin), rc = 0;
  mx_array *f[8] = {NULL}, **rows = NULL;
  mx_array *o = &n->out[0];
  out_axes[0] = 0;
  if (nin > 8) return mx_error("[vmap] Too many inputs.");
  if (B == 0) { /* an empty batch: zeros of the batched shape */
    int32_t shape[MX_MAX_NDIM];
    if (o->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
    shape[0] = 0;
    memcpy(shape + 1, o->shape, (size_t)o->ndim * sizeof(int32_t));
    return mx_zeros(&out[0], o->ndim + 1, shape, (mx_dtype)o->dtype, n->stream);
  }
  if (!(rows = calloc((size_t)B, sizeof *rows))) return mx_error("[vmap] Out of memory.");
  for (int i = 0; i < nin && !rc; i++) rc = mx_rule_to_front(&f[i], in[i], axes[i]);
  for (int b = 0; b < B && !rc; b++) {
    mx_array *x[8] = {NULL};
    for (int i = 0; i < nin && !rc; i++)
      rc = axes[i] >= 0 ? take_row(&x[i], f[i], b, n->stream) : ((x[i] = mx_array_retain(f[i])), 0);
    if (!rc) rc = mx_rule_remake(&rows[b], n, x, nin, NULL, 0);
    release_all(x, nin);
  }
  if (!rc) rc = mx_stack(&out[0], rows, B, 0, n->stream);
  release_all(rows, B);
  free(rows);
  release_all(f, nin);
  return rc;
}

/* The batched inputs in front, the unbatched ones as they are, and the primitive with its axis
 * parameter (if any) shifted past the batch. */
static int vmap_front(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                      int *out_axes, bool shift_axis) {
  mx_array *f[2] = {NULL};
  int rc = 0;
  for (int i = 0; i < n->nin && !rc; i++) rc = mx_rule_to_front(&f[i], in[i], axes[i]);
  mx_axis_params p = {0};
  if (shift_axis) p.axis = ((const mx_axis_params *)n->params)->axis + 1;
  if (!rc)
    rc = mx_rule_remake(&out[0], n, f, n->nin, shift_axis ? &p : NULL, shift_axis ? sizeof p : 0);
  release_all(f, 2);
  out_axes[0] = 0;
  return rc;
}

/* ------------------------------------------------------------------ RandomMap */

/* d out / d in of the one-input maps, from the input x and output y; NULL: zero (integer
 * inputs, floor). */
static int rmap_derivative(mx_array **d, mx_node *n) {
  const mx_rmap_params *p = n->params;
  mx_array *x = n->inputs[0], *y = &n->out[0], *t[4] = {NULL}, *c = NULL;
  mx_dtype dt = (mx_dtype)x->dtype;
  mx_stream s = n->stream;
  int rc = 0;
  *d = NULL;
  switch ((mx_rmap_fn)p->fn) {
  case MX_RMAP_ERF: /* 2 / sqrt(pi) exp(-x^2) */
    if (!(c = mx_array_scalar(dt, M_2_SQRTPI))) return MX_ERR;
    rc = mx_square(&t[0], x, s);
    if (!rc) rc = mx_negative(&t[1], t[0], s);
    if (!rc) rc = mx_exp(&t[2], t[1], s);
    if (!rc) rc = mx_multiply(d, c, t[2], s);
    break;
  case MX_RMAP_ERFINV: /* sqrt(pi) / 2 exp(erfinv(x)^2) */
    if (!(c = mx_array_scalar(dt, 1.0 / M_2_SQRTPI))) return MX_ERR;
    rc = mx_square(&t[0], y, s);
    if (!rc) rc = mx_exp(&t[1], t[0], s);
    if (!rc) rc = mx_multiply(d, c, t[1], s);
    break;
  case MX_RMAP_GUMBEL: /* -log(-log(u)): -1 / (u log(u)) */
    rc = mx_log(&t[0], x, s);
    if (!rc) rc = mx_multiply(&t[1], x, t[0], s);
    if (!rc) rc = mx_reciprocal(&t[2], t[1], s);
    if (!rc) rc = mx_rule_negate(d, t[2], s);
    break;
  case MX_RMAP_LAPLACE: /* sign(u) log1p(-|u|): -sign(u)^2 / (1 - |u|), 0 at u = 0 (sign'(0)) */
    if (!(c = mx_array_scalar(dt, 1.0))) return MX_ERR;
    rc = mx_sign(&t[0], x, s);
    if (!rc) rc = mx_square(&t[1], t[0], s);
    if (!rc) rc = mx_abs(&t[2], x, s);
    if (!rc) rc = mx_subtract(&t[3], t[2], c, s); /* |u| - 1 */
    if (!rc) rc = mx_divide(d, t[1], t[3], s);
    break;
  default:
    break; /* UNIFORM01, BITS_UNIT (integer bits), FLOOR: zero */
  }
  release_all(t, 4);
  mx_array_release(c);
  return rc;
}

/* Clamp (x, lo, hi) is MLX's maximum(minimum(hi, x), lo); each of those sends a tie to its
 * second argument: hi where hi < x, then lo where min(hi, x) <= lo, else x. */
static int clamp_pick(mx_node *n, mx_array **use_lo, mx_array **use_hi) {
  mx_array *x = n->inputs[0], *lo = n->inputs[1], *hi = n->inputs[2], *m = NULL;
  *use_lo = *use_hi = NULL;
  int rc = mx_less(use_hi, hi, x, n->stream);
  if (!rc) rc = mx_where(&m, *use_hi, hi, x, n->stream);
  if (!rc) rc = mx_less_equal(use_lo, m, lo, n->stream);
  mx_array_release(m);
  return rc;
}

/* where(use_lo, v_lo, where(use_hi, v_hi, v_x)) with NULL values as zeros of dtype dt. */
static int clamp_select(mx_array **out, mx_node *n, mx_array *use_lo, mx_array *use_hi,
                        mx_array *const *v, mx_dtype dt) {
  mx_array *zero = mx_array_scalar(dt, 0), *inner = NULL;
  if (!zero) return MX_ERR;
  int rc = mx_where(&inner, use_hi, v[2] ? v[2] : zero, v[0] ? v[0] : zero, n->stream);
  if (!rc) rc = mx_where(out, use_lo, v[1] ? v[1] : zero, inner, n->stream);
  mx_array_release(zero), mx_array_release(inner);
  return rc;
}

int mx_vjp_random_map(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                      mx_array **grads) {
  const mx_rmap_params *p = n->params;
  mx_array *d = NULL, *use_lo = NULL, *use_hi = NULL;
  int rc = 0;
  if (p->fn == MX_RMAP_LESS) return 0; /* a comparison: no gradient */
  if (p->fn == MX_RMAP_CLAMP) {
    rc = clamp_pick(n, &use_lo, &use_hi);
    for (int k = 0; k < nargs && !rc; k++) {
      mx_array *v[3] = {NULL};
      v[argnums[k]] = cot[0];
      rc = clamp_select(&grads[k], n, use_lo, use_hi, v, (mx_dtype)cot[0]->dtype);
      if (rc) release_all(grads, k);
    }
  } else {
    rc = rmap_derivative(&d, n);
    if (!rc && d) rc = mx_multiply(&grads[0], cot[0], d, n->stream);
  }
  mx_array_release(d), mx_array_release(use_lo), mx_array_release(use_hi);
  return rc;
}

int mx_jvp_random_map(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                      mx_array **out) {
  const mx_rmap_params *p = n->params;
  mx_array *o = &n->out[0], *d = NULL, *use_lo = NULL, *use_hi = NULL;
  int rc = 0;
  if (p->fn == MX_RMAP_LESS) /* zeros of the compared dtype, as MLX's comparisons */
    return mx_zeros(&out[0], o->ndim, o->shape, (mx_dtype)n->inputs[0]->dtype, n->stream);
  if (p->fn == MX_RMAP_CLAMP) {
    mx_array *v[3] = {NULL};
    for (int k = 0; k < nargs; k++) v[argnums[k]] = tan[k];
    rc = clamp_pick(n, &use_lo, &use_hi);
    if (!rc) rc = clamp_select(&out[0], n, use_lo, use_hi, v, (mx_dtype)o->dtype);
  } else {
    rc = rmap_derivative(&d, n);
    if (!rc && d && tan[0])
      rc = mx_multiply(&out[0], tan[0], d, n->stream);
    else if (!rc)
      rc = mx_zeros_like(&out[0], o);
  }
  mx_array_release(d), mx_array_release(use_lo), mx_array_release(use_hi);
  return rc;
}

/* Elementwise over inputs of one shape: every input in front and at the batched shape. */
int mx_vmap_random_map(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                       int *out_axes) {
  mx_array *o = &n->out[0], *f[3] = {NULL};
  int32_t shape[MX_MAX_NDIM];
  int rc = 0;
  if (o->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  shape[0] = mx_rule_batch_size(in, axes, n->nin);
  memcpy(shape + 1, o->shape, (size_t)o->ndim * sizeof(int32_t));
  for (int i = 0; i < n->nin && !rc; i++) {
    mx_array *t = NULL;
    rc = mx_rule_to_front(&t, in[i], axes[i]);
    if (!rc) rc = mx_broadcast_to(&f[i], t, o->ndim + 1, shape, n->stream);
    mx_array_release(t);
  }
  if (!rc) rc = mx_rule_remake(&out[0], n, f, n->nin, NULL, 0);
  release_all(f, 3);
  out_axes[0] = 0;
  return rc;
}

/* ------------------------------------------------------------------ TakeRow */

/* The row back in place: zeros elsewhere along axis 0. */
int mx_vjp_take_row(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                    mx_array **grads) {
  const mx_take_row_params *p = n->params;
  mx_array *x = n->inputs[0], *e = NULL, *zero = mx_array_scalar((mx_dtype)cot[0]->dtype, 0);
  int ax = 0;
  if (!zero) return MX_ERR;
  int rc = mx_expand_dims(&e, cot[0], &ax, 1, n->stream);
  if (!rc)
    rc = mx_pad(&grads[0], e, &ax, 1, &p->index, (int[]){x->shape[0] - 1 - p->index}, zero,
                "constant", n->stream);
  mx_array_release(e), mx_array_release(zero);
  return rc;
}

int mx_jvp_take_row(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                    mx_array **out) {
  if (!tan[0]) return mx_zeros_like(&out[0], &n->out[0]);
  return mx_rule_remake(&out[0], n, tan, 1, NULL, 0);
}

/* The row axis is the unbatched axis 0: a batch there moves to axis 1 and comes out at 0. */
int mx_vmap_take_row(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                     int *out_axes) {
  mx_array *x = NULL;
  MX_TRY(axes[0] == 0 ? mx_move_axis(&x, in[0], 0, 1) : ((x = mx_array_retain(in[0])), 0));
  int rc = mx_rule_remake(&out[0], n, &x, 1, NULL, 0);
  mx_array_release(x);
  out_axes[0] = axes[0] == 0 ? 0 : axes[0] - 1;
  return rc;
}

/* ------------------------------------------------------------------ RandomPermute */

/* (keys) -> argsort(keys) (uint32); (keys, x) -> x reordered along axis by argsort(keys). The
 * adjoint of reordering by perm is reordering by perm^-1 = argsort(perm): the primitive itself
 * with perm as the keys. */
int mx_vjp_random_permute(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                          mx_array **grads) {
  mx_array *perm = NULL;
  mx_axis_params p0 = {0};
  for (int k = 0; k < nargs; k++) {
    if (argnums[k] != 1) continue; /* keys: no gradient */
    mx_array *keys = n->inputs[0];
    perm = mx_array_make(MX_PRIM_RANDOM_PERMUTE, &p0, sizeof p0, &keys, 1, 1, keys->shape,
                         MX_UINT32, n->stream);
    int rc = perm ? mx_rule_remake(&grads[k], n, (mx_array *[]){perm, cot[0]}, 2, NULL, 0) : MX_ERR;
    mx_array_release(perm);
    return rc;
  }
  return 0;
}

int mx_jvp_random_permute(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                          mx_array **out) {
  for (int k = 0; k < nargs; k++)
    if (argnums[k] == 1 && tan[k])
      return mx_rule_remake(&out[0], n, (mx_array *[]){n->inputs[0], tan[k]}, 2, NULL, 0);
  return mx_zeros_like(&out[0], &n->out[0]);
}

/* One permutation for the whole batch when the keys are not batched. */
int mx_vmap_random_permute(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                           int *out_axes) {
  if (axes[0] >= 0) return mx_vmap_random_unrolled(n, in, axes, out, out_axes);
  return vmap_front(n, in, axes, out, out_axes, true);
}

/* ------------------------------------------------------------------ categorical, CovSqrt */

int mx_vmap_categorical_argmax(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                               int *out_axes) {
  return vmap_front(n, in, axes, out, out_axes, true);
}

/* (logits (n,), u) -> uint32 of u's shape: batched u alone is more samples of one distribution;
 * batched logits are one distribution per entry. */
int mx_vmap_categorical_search(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                               int *out_axes) {
  if (axes[0] >= 0) return mx_vmap_random_unrolled(n, in, axes, out, out_axes);
  return vmap_front(n, in, axes, out, out_axes, false);
}

/* One square root per matrix of the leading axes. */
int mx_vmap_cov_sqrt(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                     int *out_axes) {
  return vmap_front(n, in, axes, out, out_axes, false);
}
