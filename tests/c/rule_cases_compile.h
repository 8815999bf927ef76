/* Rule cases of mx.compile's primitives (see rule_cases.h): NumberOfElements (a count read at
 * run time), and a compiled function whose elementwise ops become one Compiled node. Fused kernels
 * compute in float32 (float64 is never fused), too coarse for the float64 finite differences: the
 * gradients are skipped here (tests/python/test_compile_fuse.py checks grad, jvp and vmap of
 * compiled functions against the uncompiled ones) and vmap is checked. */
#include "core/compile.h"

/* maximum(x, 0) * 2 - floor(x) on float32: every op exactly rounded, so the fused kernel (which
 * may contract a multiply and an add into one fma) and the unfused graph the vmap rule replays
 * agree exactly, as the vmap check requires */
static int ccase_body(void *payload, const mx_arrays *in, mx_arrays *out) {
  (void)payload;
  mx_stream s = mx_array_stream(in->items[0]);
  mx_array *x = in->items[0], *zero = mx_array_scalar(MX_FLOAT32, 0.0),
           *two = mx_array_scalar(MX_FLOAT32, 2.0);
  mx_array *m = NULL, *d = NULL, *f = NULL, *y = NULL;
  int rc = zero && two ? mx_maximum(&m, x, zero, s) : MX_ERR;
  if (!rc) rc = mx_multiply(&d, m, two, s);
  if (!rc) rc = mx_floor(&f, x, s);
  if (!rc) rc = mx_subtract(&y, d, f, s);
  mx_array_release(zero), mx_array_release(two);
  mx_array_release(m), mx_array_release(d), mx_array_release(f);
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

/* 1 / (size of axis 1 - 1) of x, computed when the graph runs */
static int ccase_numel(mx_array *const *x, mx_array **out, mx_stream s) {
  int axis = 1;
  return mx_count_elements(&out[0], x[0], &axis, 1, true, 1, MX_FLOAT64, s);
}

static const rule_case rule_cases_compile[] = {
    {MX_PRIM_NUMBER_OF_ELEMENTS,
     "1 / (count - 1)",
     ccase_numel,
     1,
     1,
     {3},
     {{2, 5, 3}},
     .lo = -1,
     .hi = 1,
     .flags = RULE_GRAD_ZERO},
    {MX_PRIM_COMPILED,
     "compiled maximum(x, 0) * 2 - floor(x)",
     ccase_fused,
     1,
     1,
     {2},
     {{3, 5}},
     .lo = -1,
     .hi = 1,
     .flags = RULE_GRAD_SKIP,
     .why = "fused kernels are float32: see tests/python/test_compile_fuse.py"},
    RULE_END};
