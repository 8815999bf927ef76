/* vjp, jvp and vmap of the elementwise primitives (src/ops/prims_elementwise.h).
 *
 * One table, partial(), says how the tangent of input k reaches output o: not at all, as it is,
 * negated, times a derivative array d, through a mask, or through one of the complex linear maps
 * (Real, Imag, Conjugate). The jvp sums t_k * d over the inputs; the vjp takes cot * conj(d), which
 * is MLX's convention for complex inputs (the gradient of a real function f(z) is df/dx + i df/dy).
 * The inputs of these primitives share one shape (the ops broadcast them), so vmap rebuilds the
 * same primitive over the batched inputs, moved to the front, with the unbatched ones broadcast
 * against the batch. */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "core/transforms.h"
#include "ops/ops.h"

/* ---- small expressions: each step keeps its result; after an error later steps do nothing ---- */

enum { EXPR_MAX = 8 };

typedef struct {
  mx_array *t[EXPR_MAX];
  int n, rc;
  mx_stream s;
} expr;

typedef int (*un_op)(mx_array **, mx_array *, mx_stream);
typedef int (*bin_op)(mx_array **, mx_array *, mx_array *, mx_stream);

static mx_array *e_keep(expr *e, int rc, mx_array *a) {
  if (!rc && e->n == EXPR_MAX) {
    mx_array_release(a);
    rc = mx_error("[transforms] Derivative expression too long.");
  }
  if (rc) {
    e->rc = rc;
    return NULL;
  }
  return e->t[e->n++] = a;
}

static mx_array *e_un(expr *e, un_op f, mx_array *a) {
  mx_array *o = NULL;
  if (e->rc) return NULL;
  int rc = f(&o, a, e->s);
  return e_keep(e, rc, o);
}

static mx_array *e_bin(expr *e, bin_op f, mx_array *a, mx_array *b) {
  mx_array *o = NULL;
  if (e->rc) return NULL;
  int rc = f(&o, a, b, e->s);
  return e_keep(e, rc, o);
}

static mx_array *e_where(expr *e, mx_array *c, mx_array *a, mx_array *b) {
  mx_array *o = NULL;
  if (e->rc) return NULL;
  int rc = mx_where(&o, c, a, b, e->s);
  return e_keep(e, rc, o);
}

/* A 0-d constant of like's dtype. */
static mx_array *e_const(expr *e, mx_array *like, double v) {
  if (e->rc) return NULL;
  mx_array *c = mx_array_scalar((mx_dtype)like->dtype, v);
  return e_keep(e, c ? 0 : MX_ERR, c);
}

/* Ends an expression: *out = result (a new reference) unless a step failed. */
static int e_end(expr *e, mx_array *result, mx_array **out) {
  if (!e->rc) *out = mx_array_retain(result);
  for (int i = 0; i < e->n; i++) mx_array_release(e->t[i]);
  return e->rc;
}

/* ---- the derivative table ---- */

typedef enum {
  D_ZERO,   /* nothing flows: piecewise constant, integer or bool results, a condition */
  D_ONE,    /* t */
  D_NEG,    /* -t */
  D_FACTOR, /* t * d; vjp cot * conj(d) */
  D_MASK,   /* where(d, t, 0): subgradients that pick one side (maximum, select, nan_to_num) */
  D_ABS,    /* d = sign(x): t * d for real x; complex x: jvp re(t conj(d)), vjp cot * d */
  D_REAL,   /* re(t); vjp: cot as complex */
  D_IMAG,   /* im(t); vjp: i cot */
  D_CONJ,   /* conj(t); vjp: conj(cot) */
} d_kind;

#define U(f, x) e_un(&e, f, x)
#define B(f, x, y) e_bin(&e, f, x, y)
#define K(like, v) e_const(&e, like, v)

/* How the tangent of input k reaches output o of n. *d is set (a new reference) for D_FACTOR,
 * D_MASK and D_ABS. Reads n->out[0] only for single-output primitives (an unused output of a
 * multi-output node may hold no reference, so it must not be used as an input). */
static int partial(mx_node *n, int o, int k, d_kind *kind, mx_array **d) {
  mx_array *a = n->inputs[0], *b = n->nin > 1 ? n->inputs[1] : NULL;
  mx_array *y = n->nout == 1 ? &n->out[0] : NULL, *r = NULL;
  expr e = {.s = n->stream};
  *kind = D_FACTOR;
  *d = NULL;
  /* clang-format off */
  switch (n->prim) {
  /* ---- unary ---- */
  case MX_PRIM_ABS: *kind = D_ABS, r = U(mx_sign, a); break; /* abs'(0) = sign(0) = 0 */
  case MX_PRIM_NEGATIVE: *kind = D_NEG; return 0;
  case MX_PRIM_SQUARE: r = B(mx_multiply, K(a, 2), a); break;
  case MX_PRIM_SQRT: r = B(mx_divide, K(a, 0.5), y); break;
  case MX_PRIM_RSQRT: r = B(mx_multiply, K(a, -0.5), B(mx_divide, y, a)); break;
  case MX_PRIM_EXP: r = y; break;
  case MX_PRIM_EXPM1: r = B(mx_add, y, K(a, 1)); break;
  case MX_PRIM_LOG: r = B(mx_divide, K(a, 1), a); break;
  case MX_PRIM_LOG2: r = B(mx_divide, K(a, 1 / M_LN2), a); break;
  case MX_PRIM_LOG10: r = B(mx_divide, K(a, 1 / M_LN10), a); break;
  case MX_PRIM_LOG1P: r = B(mx_divide, K(a, 1), B(mx_add, a, K(a, 1))); break;
  case MX_PRIM_SIN: r = U(mx_cos, a); break;
  case MX_PRIM_COS: r = U(mx_negative, U(mx_sin, a)); break;
  case MX_PRIM_TAN: r = B(mx_divide, K(a, 1), U(mx_square, U(mx_cos, a))); break;
  case MX_PRIM_SINH: r = U(mx_cosh, a); break;
  case MX_PRIM_COSH: r = U(mx_sinh, a); break;
  case MX_PRIM_TANH: r = B(mx_divide, K(a, 1), U(mx_square, U(mx_cosh, a))); break;
  case MX_PRIM_ARCSIN: r = U(mx_rsqrt, B(mx_subtract, K(a, 1), U(mx_square, a))); break;
  case MX_PRIM_ARCCOS:
    r = U(mx_negative, U(mx_rsqrt, B(mx_subtract, K(a, 1), U(mx_square, a))));
    break;
  case MX_PRIM_ARCTAN: r = B(mx_divide, K(a, 1), B(mx_add, K(a, 1), U(mx_square, a))); break;
  case MX_PRIM_ARCSINH: r = U(mx_rsqrt, B(mx_add, U(mx_square, a), K(a, 1))); break;
  case MX_PRIM_ARCCOSH: r = U(mx_rsqrt, B(mx_subtract, U(mx_square, a), K(a, 1))); break;
  case MX_PRIM_ARCTANH: r = B(mx_divide, K(a, 1), B(mx_subtract, K(a, 1), U(mx_square, a))); break;
  case MX_PRIM_SIGMOID: r = B(mx_multiply, y, B(mx_subtract, K(a, 1), y)); break;
  case MX_PRIM_ERF:
    r = B(mx_multiply, K(a, M_2_SQRTPI), U(mx_exp, U(mx_negative, U(mx_square, a))));
    break;
  case MX_PRIM_ERFINV: r = B(mx_multiply, K(a, 0.5 * sqrt(M_PI)), U(mx_exp, U(mx_square, y))); break;
  case MX_PRIM_NAN_TO_NUM: *kind = D_MASK, r = U(mx_isfinite, a); break;
  case MX_PRIM_REAL: *kind = D_REAL; return 0;
  case MX_PRIM_IMAG: *kind = D_IMAG; return 0;
  case MX_PRIM_CONJUGATE: *kind = D_CONJ; return 0;
  /* ---- binary: a tie gives the gradient to b, as MLX's maximum and minimum do ---- */
  case MX_PRIM_MAXIMUM:
    *kind = D_MASK, r = k == 0 ? B(mx_greater, a, b) : B(mx_less_equal, a, b);
    break;
  case MX_PRIM_MINIMUM:
    *kind = D_MASK, r = k == 0 ? B(mx_less, a, b) : B(mx_greater_equal, a, b);
    break;
  case MX_PRIM_POWER:
    if (k == 0) { /* b a^(b-1) */
      r = B(mx_multiply, b, B(mx_power, a, B(mx_subtract, b, K(b, 1))));
    } else { /* log(a) a^b, and 0 where a^b is 0 (0 log 0) */
      r = e_where(&e, y, B(mx_multiply, U(mx_log, a), y), K(y, 0));
    }
    break;
  case MX_PRIM_DIVMOD: /* quotient: piecewise constant; remainder: as Remainder */
    if (o == 0) {
      *kind = D_ZERO;
      return 0;
    }
    /* fall through */
  case MX_PRIM_REMAINDER: /* a - b floor(a / b) */
    if (k == 0) {
      *kind = D_ONE;
      return 0;
    }
    r = U(mx_negative, U(mx_floor, B(mx_divide, a, b)));
    break;
  case MX_PRIM_ARCTAN2: { /* arctan(a / b): (b, -a) / (a^2 + b^2) */
    mx_array *den = B(mx_add, U(mx_square, a), U(mx_square, b));
    r = k == 0 ? B(mx_divide, b, den) : U(mx_negative, B(mx_divide, a, den));
    break;
  }
  case MX_PRIM_LOGADDEXP:
    r = k == 0 ? U(mx_sigmoid, B(mx_subtract, a, b)) : U(mx_sigmoid, B(mx_subtract, b, a));
    break;
  case MX_PRIM_CLIP: { /* minimum(maximum(x, lo), hi): maximum's and minimum's masks, where
                         * maximum(x, lo) < hi is y < hi and maximum(x, lo) >= hi is y >= hi */
    mx_array *hi = n->inputs[2];
    if (k == 2) {
      *kind = D_MASK, r = B(mx_greater_equal, y, hi);
    } else {
      mx_array *side = k == 0 ? B(mx_greater, a, b) : B(mx_less_equal, a, b);
      *kind = D_MASK, r = B(mx_logical_and, side, B(mx_less, y, hi));
    }
    break;
  }
  case MX_PRIM_SELECT: /* inputs: cond, x, y; no gradient reaches the condition */
    if (k == 0) {
      *kind = D_ZERO;
      return 0;
    }
    *kind = D_MASK, r = k == 1 ? a : U(mx_logical_not, a);
    break;
  /* ---- piecewise constant, or integer and bool results: zero (MLX gives zeros too) ---- */
  case MX_PRIM_SIGN:
  case MX_PRIM_FLOOR:
  case MX_PRIM_CEIL:
  case MX_PRIM_ROUND:
  case MX_PRIM_FLOOR_DIVIDE:
  case MX_PRIM_STOP_GRADIENT:
  case MX_PRIM_BITWISE_INVERT:
  case MX_PRIM_LOGICAL_NOT:
  case MX_PRIM_ISNAN:
  case MX_PRIM_ISINF:
  case MX_PRIM_ISFINITE:
  case MX_PRIM_ISPOSINF:
  case MX_PRIM_ISNEGINF:
  case MX_PRIM_LEFT_SHIFT:
  case MX_PRIM_RIGHT_SHIFT:
  case MX_PRIM_BITWISE_AND:
  case MX_PRIM_BITWISE_OR:
  case MX_PRIM_BITWISE_XOR:
  case MX_PRIM_EQUAL:
  case MX_PRIM_NOT_EQUAL:
  case MX_PRIM_LESS:
  case MX_PRIM_LESS_EQUAL:
  case MX_PRIM_GREATER:
  case MX_PRIM_GREATER_EQUAL:
  case MX_PRIM_NAN_EQUAL:
  case MX_PRIM_LOGICAL_AND:
  case MX_PRIM_LOGICAL_OR: *kind = D_ZERO; return 0;
  default: return mx_error("[%s] Not an elementwise primitive.", mx_prims[n->prim].name);
  }
  /* clang-format on */
  return e_end(&e, r, d);
}

#undef U
#undef B
#undef K

/* The contribution of t (a tangent of input k, or with adjoint a cotangent of output o) to
 * output o's tangent (input k's cotangent); *out stays NULL when nothing flows. */
static int flow(mx_node *n, int o, int k, mx_array *t, bool adjoint, mx_array **out) {
  mx_stream s = n->stream;
  mx_array *d = NULL, *tmp = NULL;
  d_kind kind;
  MX_TRY(partial(n, o, k, &kind, &d));
  int rc = 0;
  switch (kind) {
  case D_ZERO:
    break;
  case D_ONE:
    *out = mx_array_retain(t);
    break;
  case D_NEG:
    rc = mx_negative(out, t, s);
    break;
  case D_FACTOR:
    if (adjoint) rc = mx_conjugate(&tmp, d, s);
    if (!rc) rc = mx_multiply(out, t, adjoint ? tmp : d, s);
    break;
  case D_MASK:
    if (!(tmp = mx_array_scalar((mx_dtype)t->dtype, 0))) rc = MX_ERR;
    if (!rc) rc = mx_where(out, d, t, tmp, s);
    break;
  case D_ABS: /* |z| is not holomorphic: d|z| = re(conj(sign z) dz) */
    if (adjoint || d->dtype != MX_COMPLEX64) {
      rc = mx_multiply(out, t, d, s);
    } else {
      mx_array *cd = NULL;
      rc = mx_conjugate(&cd, d, s);
      if (!rc) rc = mx_multiply(&tmp, t, cd, s);
      if (!rc) rc = mx_real(out, tmp, s);
      mx_array_release(cd);
    }
    break;
  case D_REAL:
    rc = adjoint ? mx_astype(out, t, MX_COMPLEX64, s) : mx_real(out, t, s);
    break;
  case D_IMAG:
    if (!adjoint) {
      rc = mx_imag(out, t, s);
    } else {
      if (!(tmp = mx_array_scalar_complex(0.0f, 1.0f))) rc = MX_ERR;
      if (!rc) rc = mx_multiply(out, t, tmp, s);
    }
    break;
  case D_CONJ:
    rc = mx_conjugate(out, t, s);
    break;
  }
  mx_array_release(d);
  mx_array_release(tmp);
  return rc;
}

/* ---- the rules ---- */

/* *sum += flow(n, o, k, t, adjoint); t NULL adds nothing. On error *sum is released. */
static int add_flow(mx_node *n, int o, int k, mx_array *t, bool adjoint, mx_array **sum) {
  mx_array *term = NULL, *acc = *sum;
  if (!t) return 0;
  *sum = NULL;
  int rc = flow(n, o, k, t, adjoint, &term);
  if (rc) {
    mx_array_release(acc);
    return rc;
  }
  return mx_rule_add_owned(sum, acc, term, n->stream);
}

int mx_vjp_ew(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads) {
  for (int k = 0; k < nargs; k++) {
    mx_array *sum = NULL; /* stays NULL (zero) when nothing flows */
    int rc = 0;
    for (int o = 0; o < n->nout && !rc; o++) rc = add_flow(n, o, argnums[k], cot[o], true, &sum);
    if (rc) {
      for (int j = 0; j < k; j++) mx_array_release(grads[j]), grads[j] = NULL;
      return rc;
    }
    grads[k] = sum;
  }
  return 0;
}

/* A zero tangent of output o: MLX gives integer and bool results zeros of the input's type (bool
 * for logical_not, whose input MLX casts to bool first). */
static int zero_tangent(mx_node *n, int o, mx_array **out) {
  mx_array *y = &n->out[o];
  mx_dtype t = (mx_dtype)y->dtype;
  if (!mx_dtype_is_inexact(t) && n->prim != MX_PRIM_LOGICAL_NOT) t = (mx_dtype)n->inputs[0]->dtype;
  return mx_zeros(out, y->ndim, y->shape, t, n->stream);
}

int mx_jvp_ew(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  for (int o = 0; o < n->nout; o++) {
    mx_array *sum = NULL;
    int rc = 0;
    for (int k = 0; k < nargs && !rc; k++) rc = add_flow(n, o, argnums[k], tan[k], false, &sum);
    if (!rc && !sum) rc = zero_tangent(n, o, &sum);
    if (rc) {
      for (int j = 0; j < o; j++) mx_array_release(out[j]), out[j] = NULL;
      return rc;
    }
    out[o] = sum;
  }
  return 0;
}

/* The same primitive (same params) over the inputs with their batch moved to axis 0; unbatched
 * inputs (one rank lower) are broadcast to the batched shape, since the primitive takes inputs of
 * one shape. Every output has its batch at axis 0. */
int mx_vmap_ew(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes) {
  mx_array *x[4] = {NULL};
  int32_t shape[MX_MAX_NDIM], shapes[4][MX_MAX_NDIM];
  const int32_t *shape_ptrs[4];
  int ndims[4], rc = 0, nin = n->nin, nout = n->nout, batch = -1;
  mx_dtype dtypes[4];
  mx_array *like = &n->out[0];
  if (nin > 4 || nout > 4) return mx_error("[%s] Too many inputs.", mx_prims[n->prim].name);
  if (like->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  for (int i = 0; i < nin && batch < 0; i++)
    if (axes[i] >= 0) batch = in[i]->shape[axes[i]];
  shape[0] = batch;
  memcpy(shape + 1, like->shape, (size_t)like->ndim * sizeof(int32_t));
  for (int i = 0; i < nin && !rc; i++)
    rc = axes[i] >= 0 ? mx_move_axis(&x[i], in[i], axes[i], 0)
                      : mx_broadcast_to(&x[i], in[i], like->ndim + 1, shape, n->stream);
  if (!rc) rc = mx_prim_output_shapes(n->prim, n->params, x, nin, ndims, shapes);
  for (int o = 0; o < nout; o++) {
    shape_ptrs[o] = shapes[o];
    dtypes[o] = (mx_dtype)n->out[o].dtype;
    out_axes[o] = 0;
  }
  if (!rc)
    rc = mx_node_new(n->prim, n->params, n->params_size, x, nin, nout, ndims, shape_ptrs, dtypes,
                     n->stream, out);
  for (int i = 0; i < nin; i++) mx_array_release(x[i]);
  return rc;
}
