/* Rule cases of mx.compile's fused kernels (see rule_cases.h): a compiled function whose
 * elementwise ops and last-axis sum become one Compiled node. Fused kernels compute in float32
 * (float64 is never fused), too coarse for the float64 finite differences: the gradients are
 * skipped here (tests/python/test_compile_fuse.py checks grad, jvp and vmap of compiled
 * functions against the uncompiled ones) and vmap is checked. */
#include "core/compile.h"

/* tanh(x) * x + sum(x, -1, keepdims) on float32 */
static int ccase_body(void *payload, const mx_arrays *in, mx_arrays *out) {
  (void)payload;
  mx_stream s = mx_array_stream(in->items[0]);
  mx_array *t = NULL, *m = NULL, *r = NULL, *y = NULL;
  int axis = -1;
  int rc = mx_tanh(&t, in->items[0], s);
  if (!rc) rc = mx_multiply(&m, t, in->items[0], s);
  if (!rc) rc = mx_sum(&r, in->items[0], &axis, 1, true, s);
  if (!rc) rc = mx_add(&y, m, r, s);
  mx_array_release(t), mx_array_release(m), mx_array_release(r);
  if (!rc) rc = mx_arrays_from(out, &y, 1);
  mx_array_release(y);
  return rc;
}

static int ccase_fused(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *x32 = NULL;
  mx_arrays in = {0}, res = {0};
  int rc = mx_astype(&x32, x[0], MX_FLOAT32, s);
  if (!rc) rc = mx_arrays_from(&in, &x32, 1);
  if (!rc) rc = mx_compile_call((mx_fun){ccase_body, NULL}, 0x7e57c0de, false, NULL, 0, &in, &res);
  if (!rc) out[0] = mx_array_retain(res.items[0]);
  mx_array_release(x32);
  mx_arrays_free(&in);
  mx_arrays_free(&res);
  return rc;
}

static const rule_case rule_cases_compile[] = {
    {MX_PRIM_COMPILED, "compiled tanh(x)*x + sum(x)", ccase_fused, 1, 1, {2}, {{3, 5}},
     .lo = -1, .hi = 1, .flags = RULE_GRAD_SKIP,
     .why = "fused kernels are float32: see tests/python/test_compile_fuse.py"},
    RULE_END};
