/* Rule cases of the fft family (see rule_cases.h): the FFT primitive, complex / real, forward /
 * inverse, one and several axes. The outputs are complex64 (float32 for irfft), so the float64
 * finite differences cannot resolve them: the gradients are skipped here (tests/python/
 * test_fft.py checks vjp and jvp against numpy's adjoints) and vmap is checked. Complex
 * results are returned as their real and imaginary parts. */
#include "ops/fft.h"

/* real(y), imag(y) of a complex y (consumed). */
static int fcase_parts(mx_array *y, mx_array **out, mx_stream s) {
  int rc = y ? 0 : MX_ERR;
  if (!rc) rc = mx_real(&out[0], y, s);
  if (!rc) rc = mx_imag(&out[1], y, s);
  mx_array_release(y);
  return rc;
}

static int fcase_fft(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *y = NULL;
  if (mx_fft_1d(&y, x[0], -1, -1, false, false, MX_FFT_BACKWARD, "fft", s)) return MX_ERR;
  return fcase_parts(y, out, s);
}

static int fcase_ifft2_ortho(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *y = NULL;
  int axes[2] = {0, 2};
  if (mx_fft_nd(&y, x[0], NULL, 2, axes, 2, false, true, MX_FFT_ORTHO, "ifft2", s)) return MX_ERR;
  return fcase_parts(y, out, s);
}

static int fcase_rfft(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *y = NULL;
  if (mx_fft_1d(&y, x[0], -1, 0, true, false, MX_FFT_BACKWARD, "rfft", s)) return MX_ERR;
  return fcase_parts(y, out, s);
}

static int fcase_rfftn(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *y = NULL;
  if (mx_fft_nd(&y, x[0], NULL, 0, NULL, -1, true, false, MX_FFT_FORWARD, "rfftn", s))
    return MX_ERR;
  return fcase_parts(y, out, s);
}

static int fcase_irfft(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fft_1d(out, x[0], 8, -1, true, true, MX_FFT_BACKWARD, "irfft", s);
}

static int fcase_irfftn(mx_array *const *x, mx_array **out, mx_stream s) {
  int axes[2] = {0, 1}, n[2] = {3, 5};
  return mx_fft_nd(out, x[0], n, 2, axes, 2, true, true, MX_FFT_BACKWARD, "irfftn", s);
}

#define FFT_SKIP "complex64 results: float64 finite differences cannot check them"

static const rule_case rule_cases_fft[] = {
    {MX_PRIM_FFT, "fft", fcase_fft, 1, 2, {2}, {{3, 6}}, .lo = -1, .hi = 1,
     .flags = RULE_GRAD_SKIP, .why = FFT_SKIP},
    {MX_PRIM_FFT, "ifft2 ortho, axes 0 2", fcase_ifft2_ortho, 1, 2, {3}, {{3, 2, 5}}, .lo = -1,
     .hi = 1, .flags = RULE_GRAD_SKIP, .why = FFT_SKIP},
    {MX_PRIM_FFT, "rfft axis 0", fcase_rfft, 1, 2, {2}, {{7, 2}}, .lo = -1, .hi = 1,
     .flags = RULE_GRAD_SKIP, .why = FFT_SKIP},
    {MX_PRIM_FFT, "rfftn forward norm", fcase_rfftn, 1, 2, {3}, {{2, 3, 6}}, .lo = -1, .hi = 1,
     .flags = RULE_GRAD_SKIP, .why = FFT_SKIP},
    {MX_PRIM_FFT, "irfft n 8", fcase_irfft, 1, 1, {2}, {{2, 4}}, .lo = -1, .hi = 1,
     .flags = RULE_GRAD_SKIP, .why = FFT_SKIP},
    {MX_PRIM_FFT, "irfftn", fcase_irfftn, 1, 1, {2}, {{4, 3}}, .lo = -1, .hi = 1,
     .flags = RULE_GRAD_SKIP, .why = FFT_SKIP},
    RULE_END,
};
