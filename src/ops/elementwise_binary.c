/* Binary and ternary elementwise ops, comparisons, logical ops and their compositions (clip,
 * isclose, allclose, array_equal, divmod), with MLX semantics: operands are promoted to one
 * dtype and broadcast to one shape before a node is built. */
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/params.h"

/* MLX names the broadcasting step in its message: "[broadcast_shapes] Shapes (2) and (3) ...". */
#define BCAST "broadcast_shapes"

static mx_dtype promote(const mx_array *a, const mx_array *b) {
  return mx_promote_types((mx_dtype)a->dtype, (mx_dtype)b->dtype);
}

static mx_dtype float_type(mx_dtype t) {
  return mx_dtype_is_inexact(t) ? t : MX_FLOAT32;
}

/* A node of prim over a and b cast to in_t and broadcast; output dtype out_t. */
static int bin_node(int prim, mx_array **out, mx_array *a, mx_array *b, mx_dtype in_t,
                    mx_dtype out_t, mx_stream s) {
  mx_array *in[2];
  MX_TRY(mx_broadcast_cast2(BCAST, a, b, in_t, s, &in[0], &in[1]));
  int ndim;
  int32_t shapes[1][MX_MAX_NDIM];
  int rc = mx_prim_output_shapes(prim, NULL, in, 2, &ndim, shapes);
  if (rc == 0) {
    *out = mx_array_make(prim, NULL, 0, in, 2, ndim, shapes[0], out_t, s);
    rc = *out ? 0 : MX_ERR;
  }
  mx_array_release(in[0]);
  mx_array_release(in[1]);
  return rc;
}

static int same_type_op(int prim, mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = promote(a, b);
  return bin_node(prim, out, a, b, t, t, s);
}

int mx_shapes_divmod(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]) {
  (void)params;
  (void)nin;
  for (int k = 0; k < 2; k++) {
    ndims[k] = inputs[0]->ndim;
    memcpy(shapes[k], inputs[0]->shape, (size_t)inputs[0]->ndim * sizeof(int32_t));
  }
  return 0;
}

/* ------------------------------------------------------------------ arithmetic */

int mx_maximum(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return same_type_op(MX_PRIM_MAXIMUM, out, a, b, s);
}

int mx_minimum(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return same_type_op(MX_PRIM_MINIMUM, out, a, b, s);
}

int mx_power(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return same_type_op(MX_PRIM_POWER, out, a, b, s);
}

int mx_remainder(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = promote(a, b);
  if (t == MX_COMPLEX64) return mx_error("[remainder] Complex type not supported.");
  return bin_node(MX_PRIM_REMAINDER, out, a, b, t, t, s);
}

/* Integers: floor division (Python's rounding); floats: floor(a / b); complex64: a / b. */
int mx_floor_divide(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = promote(a, b);
  if (t == MX_COMPLEX64) return mx_divide(out, a, b, s);
  return bin_node(MX_PRIM_FLOOR_DIVIDE, out, a, b, t, t, s);
}

int mx_divmod(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = promote(a, b);
  if (t == MX_COMPLEX64) return mx_error("[divmod] Complex type not supported.");
  mx_array *in[2];
  MX_TRY(mx_broadcast_cast2(BCAST, a, b, t, s, &in[0], &in[1]));
  int ndims[2];
  int32_t shapes[2][MX_MAX_NDIM];
  int rc = mx_prim_output_shapes(MX_PRIM_DIVMOD, NULL, in, 2, ndims, shapes);
  if (rc == 0) {
    const int32_t *sh[2] = {shapes[0], shapes[1]};
    mx_dtype dts[2] = {t, t};
    rc = mx_node_new(MX_PRIM_DIVMOD, NULL, 0, in, 2, 2, ndims, sh, dts, s, out);
  }
  mx_array_release(in[0]);
  mx_array_release(in[1]);
  return rc;
}

int mx_arctan2(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = promote(a, b);
  if (t == MX_COMPLEX64) return mx_error("[arctan2] Not supported for complex64.");
  t = float_type(t);
  return bin_node(MX_PRIM_ARCTAN2, out, a, b, t, t, s);
}

int mx_logaddexp(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_dtype t = float_type(promote(a, b));
  return bin_node(MX_PRIM_LOGADDEXP, out, a, b, t, t, s);
}

/* ------------------------------------------------------------------ bitwise */

static int bitwise(const char *op, int prim, bool shift, mx_array **out, mx_array *a, mx_array *b,
                   mx_stream s) {
  mx_dtype t = promote(a, b);
  if (mx_dtype_is_inexact(t))
    return mx_error("[%s] Only allowed on integer or boolean types but got types %s and %s.", op,
                    mx_dtype_name((mx_dtype)a->dtype), mx_dtype_name((mx_dtype)b->dtype));
  if (shift && t == MX_BOOL) t = MX_UINT8;
  return bin_node(prim, out, a, b, t, t, s);
}

int mx_left_shift(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return bitwise("left_shift", MX_PRIM_LEFT_SHIFT, true, out, a, b, s);
}
int mx_right_shift(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return bitwise("right_shift", MX_PRIM_RIGHT_SHIFT, true, out, a, b, s);
}
int mx_bitwise_and(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return bitwise("bitwise_and", MX_PRIM_BITWISE_AND, false, out, a, b, s);
}
int mx_bitwise_or(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return bitwise("bitwise_or", MX_PRIM_BITWISE_OR, false, out, a, b, s);
}
int mx_bitwise_xor(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return bitwise("bitwise_xor", MX_PRIM_BITWISE_XOR, false, out, a, b, s);
}

/* ------------------------------------------------------------------ comparisons */

static int compare(int prim, mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return bin_node(prim, out, a, b, promote(a, b), MX_BOOL, s);
}

int mx_equal(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return compare(MX_PRIM_EQUAL, out, a, b, s);
}
int mx_not_equal(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return compare(MX_PRIM_NOT_EQUAL, out, a, b, s);
}
int mx_less(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return compare(MX_PRIM_LESS, out, a, b, s);
}
int mx_less_equal(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return compare(MX_PRIM_LESS_EQUAL, out, a, b, s);
}
int mx_greater(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return compare(MX_PRIM_GREATER, out, a, b, s);
}
int mx_greater_equal(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return compare(MX_PRIM_GREATER_EQUAL, out, a, b, s);
}

/* ------------------------------------------------------------------ logical */

/* a != 0 as bool. A complex number is true when either part is nonzero: compared with 0 rather
 * than cast, since the AsType kernel reads only the real part of complex64 (copy.c). */
static int to_bool(mx_array **out, mx_array *a, mx_stream s) {
  if (a->dtype != MX_COMPLEX64) return mx_astype(out, a, MX_BOOL, s);
  mx_array *zero = mx_array_scalar_complex(0.0f, 0.0f);
  if (!zero) return MX_ERR;
  int rc = bin_node(MX_PRIM_NOT_EQUAL, out, a, zero, MX_COMPLEX64, MX_BOOL, s);
  mx_array_release(zero);
  return rc;
}

static int logical(int prim, mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  mx_array *x = NULL, *y = NULL;
  int rc = to_bool(&x, a, s);
  if (rc == 0) rc = to_bool(&y, b, s);
  if (rc == 0) rc = bin_node(prim, out, x, y, MX_BOOL, MX_BOOL, s);
  mx_array_release(x);
  mx_array_release(y);
  return rc;
}

int mx_logical_and(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return logical(MX_PRIM_LOGICAL_AND, out, a, b, s);
}
int mx_logical_or(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return logical(MX_PRIM_LOGICAL_OR, out, a, b, s);
}
int mx_logical_xor(mx_array **out, mx_array *a, mx_array *b, mx_stream s) {
  return logical(MX_PRIM_NOT_EQUAL, out, a, b, s);
}

/* ------------------------------------------------------------------ where, clip */

/* A node of prim over first, x and y broadcast to one shape, x and y cast to t; dtype t. */
static int ternary_node(int prim, const char *op, mx_array **out, mx_array *first, mx_array *x,
                        mx_array *y, mx_dtype t, mx_stream s) {
  int32_t sh1[MX_MAX_NDIM], shape[MX_MAX_NDIM];
  int n1, ndim;
  if (first->ndim > MX_MAX_NDIM || x->ndim > MX_MAX_NDIM || y->ndim > MX_MAX_NDIM)
    return mx_error("[%s] Too many dimensions.", op);
  MX_TRY(mx_broadcast_shapes(BCAST, first->ndim, first->shape, x->ndim, x->shape, &n1, sh1));
  MX_TRY(mx_broadcast_shapes(BCAST, n1, sh1, y->ndim, y->shape, &ndim, shape));
  mx_array *x0 = NULL, *y0 = NULL, *in[3] = {NULL, NULL, NULL};
  int rc = mx_astype(&x0, x, t, s);
  if (rc == 0) rc = mx_astype(&y0, y, t, s);
  if (rc == 0) rc = mx_broadcast_to(&in[0], first, ndim, shape, s);
  if (rc == 0) rc = mx_broadcast_to(&in[1], x0, ndim, shape, s);
  if (rc == 0) rc = mx_broadcast_to(&in[2], y0, ndim, shape, s);
  if (rc == 0) {
    *out = mx_array_make(prim, NULL, 0, in, 3, ndim, shape, t, s);
    rc = *out ? 0 : MX_ERR;
  }
  mx_array_release(x0);
  mx_array_release(y0);
  for (int k = 0; k < 3; k++) mx_array_release(in[k]);
  return rc;
}

int mx_where(mx_array **out, mx_array *cond, mx_array *x, mx_array *y, mx_stream s) {
  mx_array *c0 = NULL;
  MX_TRY(to_bool(&c0, cond, s));
  int rc = ternary_node(MX_PRIM_SELECT, "where", out, c0, x, y, promote(x, y), s);
  mx_array_release(c0);
  return rc;
}

/* One pass (the Clip primitive) when both bounds are given, with the dtype and values of MLX's
 * minimum(maximum(a, a_min), a_max): the casts are monotone, so clipping once in the final
 * dtype gives the same values. Complex values go through the two ops. */
int mx_clip(mx_array **out, mx_array *a, mx_array *a_min, mx_array *a_max, mx_stream s) {
  if (!a_min && !a_max) return mx_error("[clip] At most one of a_min and a_max may be None");
  if (a_min && a_max) {
    mx_dtype t = mx_promote_types(promote(a, a_min), (mx_dtype)a_max->dtype);
    if (t != MX_COMPLEX64) {
      mx_array *a0 = NULL;
      MX_TRY(mx_astype(&a0, a, t, s));
      int rc = ternary_node(MX_PRIM_CLIP, "clip", out, a0, a_min, a_max, t, s);
      mx_array_release(a0);
      return rc;
    }
  }
  mx_array *lo = NULL;
  if (a_min) {
    MX_TRY(mx_maximum(&lo, a, a_min, s));
  } else {
    lo = mx_array_retain(a);
  }
  int rc = 0;
  if (a_max)
    rc = mx_minimum(out, lo, a_max, s);
  else
    *out = mx_array_retain(lo);
  mx_array_release(lo);
  return rc;
}

/* ------------------------------------------------------------------ closeness and equality */

/* all(a) over every axis, as a 0-d bool array. */
static int all_of(mx_array **out, mx_array *a, mx_stream s) {
  if (a->ndim == 0) return mx_astype(out, a, MX_BOOL, s);
  struct {
    mx_reduce_params p;
    int32_t axes[MX_MAX_NDIM];
  } params;
  params.p.op = MX_REDUCE_ALL;
  params.p.naxes = a->ndim;
  for (int i = 0; i < a->ndim; i++) params.p.axes[i] = i;
  size_t psize = sizeof(mx_reduce_params) + (size_t)a->ndim * sizeof(int32_t);
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  MX_TRY(mx_prim_output_shapes(MX_PRIM_REDUCE, &params, &a, 1, &ndim, shape));
  mx_array *kept = mx_array_make(MX_PRIM_REDUCE, &params, psize, &a, 1, ndim, shape[0], MX_BOOL, s);
  if (!kept) return MX_ERR;
  int rc = mx_reshape(out, kept, 0, NULL, s);
  mx_array_release(kept);
  return rc;
}

/* As MLX: |a - b| <= atol + rtol |b| (atol and rtol as float32 scalars), then values at +inf or
 * -inf (for complex: +-inf + 0i) are close only to the same infinity; nan is close to nan only
 * with equal_nan. */
int mx_isclose(mx_array **out, mx_array *a, mx_array *b, double rtol, double atol, bool equal_nan,
               mx_stream s) {
  mx_array *k_rtol = mx_array_scalar(MX_FLOAT32, rtol), *k_atol = mx_array_scalar(MX_FLOAT32, atol);
  enum {
    ABSB,
    RT,
    RHS,
    DIFF,
    LHS,
    LE,
    PA,
    PB,
    NA,
    NB,
    P_ANY,
    N_ANY,
    ANY,
    P_BOTH,
    N_BOTH,
    BOTH,
    NOT_ANY,
    FIN,
    RES,
    NAN_A,
    NAN_B,
    NAN_BOTH,
    NT
  };
  mx_array *t[NT] = {NULL};
  int rc = (k_rtol && k_atol) ? 0 : MX_ERR;
  if (rc == 0) rc = mx_abs(&t[ABSB], b, s);
  if (rc == 0) rc = mx_multiply(&t[RT], k_rtol, t[ABSB], s);
  if (rc == 0) rc = mx_add(&t[RHS], k_atol, t[RT], s);
  if (rc == 0) rc = mx_subtract(&t[DIFF], a, b, s);
  if (rc == 0) rc = mx_abs(&t[LHS], t[DIFF], s);
  if (rc == 0) rc = mx_less_equal(&t[LE], t[LHS], t[RHS], s);
  if (rc == 0) rc = mx_isposinf(&t[PA], a, s);
  if (rc == 0) rc = mx_isposinf(&t[PB], b, s);
  if (rc == 0) rc = mx_isneginf(&t[NA], a, s);
  if (rc == 0) rc = mx_isneginf(&t[NB], b, s);
  if (rc == 0) rc = mx_logical_or(&t[P_ANY], t[PA], t[PB], s);
  if (rc == 0) rc = mx_logical_or(&t[N_ANY], t[NA], t[NB], s);
  if (rc == 0) rc = mx_logical_or(&t[ANY], t[P_ANY], t[N_ANY], s);
  if (rc == 0) rc = mx_logical_and(&t[P_BOTH], t[PA], t[PB], s);
  if (rc == 0) rc = mx_logical_and(&t[N_BOTH], t[NA], t[NB], s);
  if (rc == 0) rc = mx_logical_or(&t[BOTH], t[P_BOTH], t[N_BOTH], s);
  if (rc == 0) rc = mx_logical_not(&t[NOT_ANY], t[ANY], s);
  if (rc == 0) rc = mx_logical_and(&t[FIN], t[LE], t[NOT_ANY], s);
  if (rc == 0) rc = mx_logical_or(&t[RES], t[FIN], t[BOTH], s);
  mx_array *result = NULL;
  if (rc == 0 && equal_nan) {
    rc = mx_isnan(&t[NAN_A], a, s);
    if (rc == 0) rc = mx_isnan(&t[NAN_B], b, s);
    if (rc == 0) rc = mx_logical_and(&t[NAN_BOTH], t[NAN_A], t[NAN_B], s);
    if (rc == 0) rc = mx_logical_or(&result, t[RES], t[NAN_BOTH], s);
  } else if (rc == 0) {
    result = mx_array_retain(t[RES]);
  }
  for (int i = 0; i < NT; i++) mx_array_release(t[i]);
  mx_array_release(k_rtol);
  mx_array_release(k_atol);
  if (rc) {
    mx_array_release(result);
    return rc;
  }
  *out = result;
  return 0;
}

int mx_allclose(mx_array **out, mx_array *a, mx_array *b, double rtol, double atol, bool equal_nan,
                mx_stream s) {
  mx_array *c = NULL;
  MX_TRY(mx_isclose(&c, a, b, rtol, atol, equal_nan, s));
  int rc = all_of(out, c, s);
  mx_array_release(c);
  return rc;
}

int mx_array_equal(mx_array **out, mx_array *a, mx_array *b, bool equal_nan, mx_stream s) {
  if (a->ndim != b->ndim || memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof(int32_t)) != 0) {
    *out = mx_array_scalar(MX_BOOL, 0.0);
    return *out ? 0 : MX_ERR;
  }
  mx_dtype t = promote(a, b);
  mx_array *eq = NULL;
  if (equal_nan && mx_dtype_is_inexact(t)) {
    MX_TRY(bin_node(MX_PRIM_NAN_EQUAL, &eq, a, b, t, MX_BOOL, s));
  } else {
    MX_TRY(mx_equal(&eq, a, b, s));
  }
  int rc = all_of(out, eq, s);
  mx_array_release(eq);
  return rc;
}
