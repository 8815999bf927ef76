/* Rule cases of the foundation primitives (see rule_cases.h). */
#include "core/custom.h"

static int fcase_full_scalar(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_full(out, 2, (int32_t[]){2, 3}, x[0], MX_FLOAT64, s);
}

static int fcase_full_row(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_full(out, 2, (int32_t[]){2, 3}, x[0], MX_FLOAT64, s);
}

static int fcase_arange(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_arange(out, 0, 5, 1, MX_FLOAT64, s);
}

/* float64 -> complex64 -> float64 (AsType both ways). */
static int fcase_astype(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i = NULL;
  MX_TRY(mx_astype(&i, x[0], MX_COMPLEX64, s));
  int rc = mx_astype(out, i, MX_FLOAT64, s);
  mx_array_release(i);
  return rc;
}

static int fcase_copy(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *t = NULL;
  MX_TRY(mx_transpose(&t, x[0], NULL, 0, s));
  int rc = mx_contiguous(out, t, s);
  mx_array_release(t);
  return rc;
}

static int fcase_broadcast(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_broadcast_to(out, x[0], 3, (int32_t[]){2, 3, 4}, s);
}

static int fcase_reshape(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_reshape(out, x[0], 3, (int32_t[]){3, 2, 2}, s);
}

static int fcase_transpose(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_transpose(out, x[0], (int[]){2, 0, 1}, 3, s);
}

#define FCASE_BINARY(name, op)                                                                     \
  static int fcase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                      \
    return op(out, x[0], x[1], s);                                                                 \
  }
FCASE_BINARY(add, mx_add)
FCASE_BINARY(subtract, mx_subtract)
FCASE_BINARY(multiply, mx_multiply)
FCASE_BINARY(divide, mx_divide)
FCASE_BINARY(matmul, mx_matmul)

static int fcase_sum_axis(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_sum(out, x[0], (int[]){1}, 1, false, s);
}

static int fcase_sum_all(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_sum(out, x[0], NULL, -1, true, s);
}

static int fcase_identity(mx_array *const *x, mx_array **out, mx_stream s) {
  *out = mx_array_make(MX_PRIM_IDENTITY, NULL, 0, x, 1, x[0]->ndim, x[0]->shape,
                       (mx_dtype)x[0]->dtype, s);
  return *out ? 0 : MX_ERR;
}

/* CustomTransforms: f(x) = x * x with a hand-written vjp (2 x cot); jvp and vmap fall back to
 * f's own graph. */
static int fcase_square_fn(void *payload, const mx_arrays *in, mx_arrays *out) {
  mx_array *y = NULL;
  MX_TRY(mx_multiply(&y, in->items[0], in->items[0], mx_array_stream(in->items[0])));
  int rc = mx_arrays_from(out, &y, 1);
  mx_array_release(y);
  return rc;
}

static int fcase_square_vjp(void *payload, const mx_arrays *primals, const mx_arrays *cot,
                            const mx_arrays *outputs, mx_arrays *grads) {
  mx_array *x = primals->items[0], *two = mx_array_scalar(MX_FLOAT64, 2), *tx = NULL, *g = NULL;
  mx_stream s = mx_array_stream(x);
  int rc = mx_multiply(&tx, x, two, s);
  if (!rc) rc = mx_multiply(&g, tx, cot->items[0], s);
  if (!rc) rc = mx_arrays_from(grads, &g, 1);
  mx_array_release(two), mx_array_release(tx), mx_array_release(g);
  return rc;
}

static int fcase_custom(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_custom *c = mx_custom_new((mx_custom_rules){.vjp = fcase_square_vjp});
  mx_arrays in = {0}, outs = {0};
  int rc = c ? mx_arrays_from(&in, x, 1) : MX_ERR;
  if (!rc) rc = mx_custom_call((mx_fun){fcase_square_fn, NULL}, c, &in, &outs);
  if (!rc) *out = mx_array_retain(outs.items[0]);
  mx_arrays_free(&in), mx_arrays_free(&outs);
  mx_custom_release(c);
  return rc;
}

static const rule_case rule_cases_foundation[] = {
    {MX_PRIM_FULL, "full from a scalar", fcase_full_scalar, 1, 1, {1}, {{1}}, .lo = -2, .hi = 2},
    {MX_PRIM_FULL, "full from a row", fcase_full_row, 1, 1, {1}, {{3}}, .lo = -2, .hi = 2},
    {MX_PRIM_ARANGE, "arange", fcase_arange, 0, 1, .flags = RULE_NO_INPUTS},
    {MX_PRIM_ASTYPE, "astype through complex64", fcase_astype, 1, 1, {2}, {{2, 3}}, .lo = -2,
     .hi = 2, .flags = RULE_GRAD_SKIP, .why = "complex64 keeps float32 precision"},
    {MX_PRIM_COPY, "copy of a transpose", fcase_copy, 1, 1, {2}, {{2, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_BROADCAST, "broadcast", fcase_broadcast, 1, 1, {2}, {{3, 1}}, .lo = -2, .hi = 2},
    {MX_PRIM_RESHAPE, "reshape", fcase_reshape, 1, 1, {2}, {{4, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_TRANSPOSE, "transpose", fcase_transpose, 1, 1, {3}, {{2, 3, 4}}, .lo = -2, .hi = 2},
    {MX_PRIM_ADD, "add", fcase_add, 2, 1, {2, 2}, {{2, 3}, {2, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_ADD, "add broadcast", fcase_add, 2, 1, {2, 1}, {{2, 3}, {3}}, .lo = -2, .hi = 2},
    {MX_PRIM_SUBTRACT, "subtract", fcase_subtract, 2, 1, {2, 2}, {{2, 3}, {1, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_MULTIPLY, "multiply", fcase_multiply, 2, 1, {2, 1}, {{2, 3}, {3}}, .lo = -2, .hi = 2},
    {MX_PRIM_DIVIDE, "divide", fcase_divide, 2, 1, {2, 2}, {{2, 3}, {2, 3}}, .lo = 0.5, .hi = 2},
    {MX_PRIM_REDUCE, "sum over an axis", fcase_sum_axis, 1, 1, {3}, {{2, 3, 2}}, .lo = -2, .hi = 2},
    {MX_PRIM_REDUCE, "sum over all, keepdims", fcase_sum_all, 1, 1, {2}, {{2, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_MATMUL, "matmul", fcase_matmul, 2, 1, {2, 2}, {{2, 3}, {3, 4}}, .lo = -2, .hi = 2},
    {MX_PRIM_MATMUL, "batched matmul", fcase_matmul, 2, 1, {3, 3}, {{2, 2, 3}, {2, 3, 2}}, .lo = -2,
     .hi = 2},
    {MX_PRIM_MATMUL, "matmul broadcast batch", fcase_matmul, 2, 1, {3, 2}, {{2, 2, 3}, {3, 2}},
     .lo = -2, .hi = 2},
    {MX_PRIM_IDENTITY, "identity", fcase_identity, 1, 1, {2}, {{2, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_CUSTOM, "custom vjp of x * x", fcase_custom, 1, 1, {2}, {{2, 3}}, .lo = -2, .hi = 2},
    RULE_END,
};
