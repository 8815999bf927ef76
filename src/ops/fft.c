/* Ops of the fft family: fft / ifft / rfft / irfft in 1, 2 and n dimensions, fftfreq, rfftfreq,
 * fftshift, ifftshift, and the FFT primitive's output_shapes rule. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/fft.h"
#include "ops/ops.h"

int mx_shapes_fft(const void *params, mx_array *const *inputs, int nin, int *ndims,
                  int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_fft_params *p = params;
  const mx_array *a = inputs[0];
  ndims[0] = a->ndim;
  memcpy(shapes[0], a->shape, (size_t)a->ndim * sizeof(int32_t));
  int last = p->axes[p->naxes - 1];
  if (p->real) shapes[0][last] = p->inverse ? p->n_last : a->shape[last] / 2 + 1;
  return 0;
}

int mx_fft_prim(mx_array **out, mx_array *x, const mx_fft_params *p, mx_stream st) {
  mx_dtype in_t = p->real && !p->inverse ? MX_FLOAT32 : MX_COMPLEX64;
  mx_dtype out_t = p->real && p->inverse ? MX_FLOAT32 : MX_COMPLEX64;
  mx_array *c = NULL;
  MX_TRY(mx_astype(&c, x, in_t, st));
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  mx_shapes_fft(p, &c, 1, &ndim, shape);
  *out = mx_array_make(MX_PRIM_FFT, p, sizeof *p, &c, 1, ndim, shape[0], out_t, st);
  mx_array_release(c);
  return *out ? 0 : MX_ERR;
}

/* a with axis resized to len: zero padded or truncated. */
int mx_fft_resize_axis(mx_array **out, mx_array *a, int axis, int len, mx_stream st) {
  int have = a->shape[axis];
  if (have == len) {
    *out = mx_array_retain(a);
    return 0;
  }
  if (have > len) {
    int start[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM];
    for (int d = 0; d < a->ndim; d++) stop[d] = a->shape[d];
    stop[axis] = len;
    return mx_slice(out, a, start, stop, NULL, a->ndim, st);
  }
  mx_array *zero = mx_array_scalar((mx_dtype)a->dtype, 0);
  if (!zero) return MX_ERR;
  int lo = 0, hi = len - have;
  int rc = mx_pad(out, a, &axis, 1, &lo, &hi, zero, "constant", st);
  mx_array_release(zero);
  return rc;
}

int mx_fft_scale(mx_array **out, mx_array *x, double f, mx_stream st) {
  mx_array *c = mx_array_scalar(MX_FLOAT32, f);
  if (!c) return MX_ERR;
  int rc = mx_multiply(out, x, c, st);
  mx_array_release(c);
  return rc;
}

int mx_fft_nd(mx_array **out, mx_array *a, const int *s, int ns, const int *axes_in, int naxes,
              bool real, bool inverse, mx_fft_norm norm, const char *op, mx_stream st) {
  int nd = a->ndim;
  mx_fft_params p = {.inverse = inverse, .real = real};
  if (!axes_in || naxes < 0) {
    if (s) return mx_error("[%s] `axes` should not be `None` if `s` is not `None`.", op);
    naxes = nd;
    for (int i = 0; i < nd; i++) p.axes[i] = i;
  } else {
    if (naxes > MX_MAX_NDIM) return mx_error("[%s] Too many axes (%d).", op, naxes);
    for (int i = 0; i < naxes; i++) {
      int ax = axes_in[i];
      if (ax < -nd || ax >= nd)
        return mx_error("[%s] Invalid axis %d for array with %d dimensions.", op, ax, nd);
      p.axes[i] = ax < 0 ? ax + nd : ax;
      for (int j = 0; j < i; j++)
        if (p.axes[j] == p.axes[i])
          return mx_error("[%s] Duplicated axis received (%d,%d)", op, axes_in[j], ax);
    }
  }
  if (naxes == 0) {
    if (nd == 0) return mx_error("[%s] Requires an array with at least one dimension.", op);
    /* a complex transform over no axes is the identity (numpy and MLX return the input); a real
     * one would change the dtype without transforming anything */
    if (!real && !s) return mx_copy(out, a, st);
    return mx_error("[%s] Received empty axes.", op);
  }
  if (s && ns != naxes) return mx_error("[%s] Shape and axes have different sizes.", op);
  p.naxes = naxes;
  int last = p.axes[naxes - 1];
  int32_t n[MX_MAX_NDIM];
  for (int i = 0; i < naxes; i++) {
    int ax = p.axes[i];
    n[i] = s ? s[i] : a->shape[ax];
    if (!s && real && inverse && ax == last) n[i] = 2 * (a->shape[ax] - 1);
    if (n[i] <= 0) return mx_error("[%s] Invalid FFT output size requested (%d)", op, n[i]);
  }
  mx_dtype in_t = real && !inverse ? MX_FLOAT32 : MX_COMPLEX64;
  mx_array *x = NULL, *y = NULL;
  MX_TRY(mx_astype(&x, a, in_t, st));
  int rc = 0;
  for (int i = 0; i < naxes && !rc; i++) {
    int len = real && inverse && p.axes[i] == last ? n[i] / 2 + 1 : n[i];
    rc = mx_fft_resize_axis(&y, x, p.axes[i], len, st);
    mx_array_release(x);
    x = rc ? NULL : y;
  }
  if (rc) return rc;
  p.n_last = n[naxes - 1];
  rc = mx_fft_prim(&y, x, &p, st);
  mx_array_release(x);
  if (rc) return rc;
  double total = 1;
  for (int i = 0; i < naxes; i++) total *= n[i];
  double f = 1;
  if (norm == MX_FFT_ORTHO) f = inverse ? sqrt(total) : 1 / sqrt(total);
  else if (norm == MX_FFT_FORWARD) f = inverse ? total : 1 / total;
  if (f == 1) {
    *out = y;
    return 0;
  }
  rc = mx_fft_scale(out, y, f, st);
  mx_array_release(y);
  return rc;
}

int mx_fft_1d(mx_array **out, mx_array *a, int n, int axis, bool real, bool inverse,
              mx_fft_norm norm, const char *op, mx_stream st) {
  if (a->ndim == 0) return mx_error("[%s] Requires an array with at least one dimension.", op);
  return mx_fft_nd(out, a, n >= 0 ? &n : NULL, 1, &axis, 1, real, inverse, norm, op, st);
}

int mx_fftfreq(mx_array **out, int n, double d, bool real, mx_stream st) {
  (void)st;
  const char *op = real ? "rfftfreq" : "fftfreq";
  if (n <= 0) return mx_error("[%s] `n` must be greater than 0.", op);
  if (d == 0) return mx_error("[%s] `d` must be non-zero.", op);
  int32_t len = real ? n / 2 + 1 : n;
  float *v = malloc((size_t)len * sizeof(float));
  if (!v) return mx_error("[%s] Out of memory.", op);
  double step = 1.0 / ((double)n * d);
  for (int32_t i = 0; i < len; i++) {
    int64_t k = real || i < (n + 1) / 2 ? i : (int64_t)i - n;
    v[i] = (float)((double)k * step);
  }
  *out = mx_array_from_data(v, 1, &len, MX_FLOAT32);
  free(v);
  return *out ? 0 : MX_ERR;
}

int mx_fftshift(mx_array **out, mx_array *a, const int *axes, int naxes, bool inverse,
                mx_stream st) {
  const char *op = inverse ? "ifftshift" : "fftshift";
  int ax[MX_MAX_NDIM], shift[MX_MAX_NDIM], nd = a->ndim;
  if (!axes || naxes < 0) {
    naxes = nd;
    for (int i = 0; i < nd; i++) ax[i] = i;
  } else {
    if (naxes > MX_MAX_NDIM) return mx_error("[%s] Too many axes.", op);
    for (int i = 0; i < naxes; i++) {
      if (axes[i] < -nd || axes[i] >= nd)
        return mx_error("[%s] Invalid axis %d for array with %d dimensions.", op, axes[i], nd);
      ax[i] = axes[i] < 0 ? axes[i] + nd : axes[i];
    }
  }
  if (naxes == 0) {
    *out = mx_array_retain(a);
    return 0;
  }
  for (int i = 0; i < naxes; i++) {
    int len = a->shape[ax[i]];
    shift[i] = inverse ? -(len / 2) : len / 2;
  }
  return mx_roll(out, a, shift, naxes, ax, naxes, st);
}
