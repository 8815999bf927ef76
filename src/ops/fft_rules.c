/* Rules of the FFT primitive. It is linear (real-linear for the real transforms), so the jvp is
 * the primitive applied to the tangent, and the vjp its adjoint (cotangent convention of the
 * other rules: grad = J^H cot, real part for a real input). With N the transformed size:
 *   complex forward  F:          adjoint N ifft(cot)
 *   complex inverse  F^H / N:    adjoint fft(cot) / N
 *   real forward     P F (P keeps the first n / 2 + 1 of the last axis):
 *                    adjoint re(N ifft(cot zero padded to n))
 *   real inverse     re(F^H H / N) (H: Hermitian completion of the last axis):
 *                    adjoint rfft(cot) w / N, w = 1 at 0 and n / 2 (even n), 2 elsewhere. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/transforms.h"
#include "ops/fft.h"
#include "ops/foundation_rules.h"
#include "ops/ops.h"

static double transformed_size(const mx_fft_params *p, const mx_array *complex_side) {
  double total = 1;
  for (int i = 0; i < p->naxes; i++) {
    int ax = p->axes[i];
    total *= p->real && i == p->naxes - 1 ? p->n_last : complex_side->shape[ax];
  }
  return total;
}

/* rfft(cot) w / N along the real axis. */
static int vjp_c2r(mx_array **out, const mx_fft_params *p, mx_array *cot, double total,
                   mx_stream s) {
  mx_fft_params q = *p;
  q.inverse = 0;
  int last = p->axes[p->naxes - 1], n = p->n_last, h = n / 2 + 1;
  mx_array *f = NULL;
  MX_TRY(mx_fft_prim(&f, cot, &q, s));
  float *w = malloc((size_t)h * sizeof(float));
  if (!w) {
    mx_array_release(f);
    return mx_error("[vjp] Out of memory.");
  }
  for (int k = 0; k < h; k++) w[k] = (float)((k == 0 || 2 * k == n ? 1.0 : 2.0) / total);
  int32_t shape[MX_MAX_NDIM];
  for (int d = 0; d < f->ndim; d++) shape[d] = d == last ? h : 1;
  mx_array *wa = mx_array_from_data(w, f->ndim, shape, MX_FLOAT32);
  free(w);
  int rc = wa ? mx_multiply(out, f, wa, s) : MX_ERR;
  mx_array_release(wa);
  mx_array_release(f);
  return rc;
}

int mx_vjp_fft(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
               mx_array **grads) {
  (void)argnums, (void)nargs;
  const mx_fft_params *p = n->params;
  mx_array *in = n->inputs[0], *c = cot[0];
  mx_stream s = n->stream;
  mx_fft_params q = *p;
  if (!c) return mx_zeros_like(&grads[0], in);
  if (p->real && p->inverse) return vjp_c2r(&grads[0], p, c, transformed_size(p, in), s);
  double total = transformed_size(p, p->real ? &n->out[0] : in);
  mx_array *t = NULL, *y = NULL;
  int rc;
  if (p->real) { /* re(N ifft(pad(cot))) */
    int last = p->axes[p->naxes - 1];
    q.real = 0, q.inverse = 1;
    rc = mx_fft_resize_axis(&t, c, last, in->shape[last], s);
    if (!rc) rc = mx_fft_prim(&y, t, &q, s);
    mx_array_release(t), t = NULL;
    if (!rc) rc = mx_fft_scale(&t, y, total, s);
    if (!rc) rc = mx_real(&grads[0], t, s);
  } else {
    q.inverse = !p->inverse;
    rc = mx_fft_prim(&y, c, &q, s);
    if (!rc) rc = mx_fft_scale(&grads[0], y, p->inverse ? 1 / total : total, s);
  }
  mx_array_release(t), mx_array_release(y);
  return rc;
}

int mx_jvp_fft(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
               mx_array **out) {
  (void)argnums, (void)nargs;
  if (!tan[0]) return mx_zeros_like(&out[0], &n->out[0]);
  return mx_fft_prim(&out[0], tan[0], n->params, n->stream);
}

int mx_vmap_fft(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                int *out_axes) {
  mx_fft_params q = *(const mx_fft_params *)n->params;
  mx_array *f = NULL;
  MX_TRY(mx_rule_to_front(&f, in[0], axes[0]));
  if (axes[0] >= 0)
    for (int i = 0; i < q.naxes; i++) q.axes[i]++;
  int rc = mx_fft_prim(&out[0], f, &q, n->stream);
  mx_array_release(f);
  out_axes[0] = axes[0] >= 0 ? 0 : -1;
  return rc;
}
