/* One-dimensional complex FFT plans (in double precision): mixed radix (decimation in time over
 * the prime factors, radix 4 and 2 specialized) when every prime factor is at most 13, else
 * Bluestein's chirp-z algorithm over a power of two at least 2n - 1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/fft_plan.h"

enum { FFT_MAX_DIRECT_PRIME = 13 };

static const double TWO_PI = 6.283185307179586476925286766559;

/* x (stride is) -> out (contiguous), length n = f[0] f[1] ...; w[ws k] = exp(-2 pi i k / n). */
static void dit(const cplx *in, int64_t is, cplx *out, int64_t n, const int *f, const cplx *w,
                int64_t ws) {
  if (n == 1) {
    out[0] = in[0];
    return;
  }
  int p = f[0];
  int64_t m = n / p;
  for (int j = 0; j < p; j++) dit(in + j * is, is * p, out + j * m, m, f + 1, w, ws * p);
  if (p == 2) {
    for (int64_t k = 0; k < m; k++) {
      cplx a = out[k], b = out[k + m] * w[ws * k];
      out[k] = a + b;
      out[k + m] = a - b;
    }
  } else if (p == 4) {
    for (int64_t k = 0; k < m; k++) {
      cplx a = out[k], b = out[k + m] * w[ws * k], c = out[k + 2 * m] * w[2 * ws * k],
           d = out[k + 3 * m] * w[3 * ws * k];
      cplx s0 = a + c, s1 = a - c, s2 = b + d, s3 = (b - d) * -I;
      out[k] = s0 + s2;
      out[k + m] = s1 + s3;
      out[k + 2 * m] = s0 - s2;
      out[k + 3 * m] = s1 - s3;
    }
  } else {
    cplx t[FFT_MAX_DIRECT_PRIME];
    for (int64_t k = 0; k < m; k++) {
      for (int j = 0; j < p; j++) t[j] = out[j * m + k] * w[ws * j * k];
      for (int q = 0; q < p; q++) {
        cplx s = t[0];
        for (int j = 1; j < p; j++) s += t[j] * w[ws * m * ((j * q) % p)];
        out[k + q * m] = s;
      }
    }
  }
}

static cplx *roots(int64_t n) {
  cplx *w = malloc((size_t)n * sizeof(cplx));
  if (!w) return NULL;
  for (int64_t k = 0; k < n; k++) {
    double a = -TWO_PI * (double)k / (double)n;
    w[k] = cos(a) + I * sin(a);
  }
  return w;
}

/* Prime factors (4s first, then ascending); false when one exceeds FFT_MAX_DIRECT_PRIME. */
static bool factorize(int64_t n, fft_plan *p) {
  p->nf = 0;
  while (n % 4 == 0) p->f[p->nf++] = 4, n /= 4;
  for (int q = 2; q <= FFT_MAX_DIRECT_PRIME; q++)
    while (n % q == 0) p->f[p->nf++] = q, n /= q;
  return n == 1;
}

void fft_plan_free(fft_plan *p) {
  if (!p) return;
  free(p->w), free(p->chirp), free(p->bfft);
  fft_plan_free(p->sub);
  free(p);
}

fft_plan *fft_plan_new(int64_t n) {
  fft_plan *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->n = n;
  if (factorize(n, p)) {
    p->w = roots(n);
    p->work = n;
    if (!p->w) goto fail;
    return p;
  }
  int64_t m = 1;
  while (m < 2 * n - 1) m *= 2;
  p->m = m;
  p->sub = fft_plan_new(m);
  p->chirp = malloc((size_t)n * sizeof(cplx));
  p->bfft = calloc((size_t)m, sizeof(cplx));
  if (!p->sub || !p->chirp || !p->bfft) goto fail;
  for (int64_t k = 0; k < n; k++) {
    int64_t k2 = (k * k) % (2 * n); /* exact phase: exp(-i pi k^2 / n) */
    double a = -TWO_PI * 0.5 * (double)k2 / (double)n;
    p->chirp[k] = cos(a) + I * sin(a);
  }
  p->bfft[0] = conj(p->chirp[0]);
  for (int64_t k = 1; k < n; k++) p->bfft[k] = p->bfft[m - k] = conj(p->chirp[k]);
  cplx *tmp = malloc((size_t)(2 * m) * sizeof(cplx));
  if (!tmp) goto fail;
  fft_exec(p->sub, p->bfft, tmp);
  free(tmp);
  p->work = 2 * m;
  return p;
fail:
  fft_plan_free(p);
  return NULL;
}

void fft_exec(const fft_plan *p, cplx *x, cplx *work) {
  int64_t n = p->n;
  if (!p->m) {
    dit(x, 1, work, n, p->f, p->w, 1);
    memcpy(x, work, (size_t)n * sizeof(cplx));
    return;
  }
  int64_t m = p->m;
  cplx *a = work, *t = work + m;
  for (int64_t k = 0; k < n; k++) a[k] = x[k] * p->chirp[k];
  memset(a + n, 0, (size_t)(m - n) * sizeof(cplx));
  const fft_plan *s = p->sub;
  dit(a, 1, t, m, s->f, s->w, 1);
  for (int64_t k = 0; k < m; k++) t[k] = conj(t[k] * p->bfft[k]);
  dit(t, 1, a, m, s->f, s->w, 1);
  double inv = 1.0 / (double)m;
  for (int64_t k = 0; k < n; k++) x[k] = p->chirp[k] * conj(a[k]) * inv;
}
