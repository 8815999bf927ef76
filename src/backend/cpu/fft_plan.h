/* One-dimensional FFT plans of the fft kernel (src/backend/cpu/fft_plan.c). */
#ifndef MX_BACKEND_CPU_FFT_PLAN_H
#define MX_BACKEND_CPU_FFT_PLAN_H

#include <complex.h>
#include <stdbool.h>
#include <stdint.h>

typedef double complex cplx;

typedef struct fft_plan {
  int64_t n;
  int64_t work; /* scratch values fft_exec needs */
  int nf;
  int f[64];       /* mixed radix: the factors */
  cplx *w;         /* mixed radix: exp(-2 pi i k / n), k < n */
  int64_t m;       /* Bluestein: padded length (0: mixed radix) */
  cplx *chirp;     /* Bluestein: exp(-i pi k^2 / n), k < n */
  cplx *bfft;      /* Bluestein: FFT of the conjugate chirp, length m */
  struct fft_plan *sub;
} fft_plan;

fft_plan *fft_plan_new(int64_t n);
void fft_plan_free(fft_plan *p);
/* x <- DFT(x) (forward, unnormalized); work holds p->work values. */
void fft_exec(const fft_plan *p, cplx *x, cplx *work);

#endif
