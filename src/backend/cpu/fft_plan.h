/* One-dimensional FFT plans of the fft kernel (src/backend/cpu/fft_plan.c), in single precision
 * on split arrays (real parts, imaginary parts), twiddles computed in double and stored as float.
 *
 * A plan for length n is built once and cached for the life of the process (fft_plan_get is
 * thread-safe; plans are read-only once published). Lengths whose prime factors are all at most
 * 13 run a Stockham autosort FFT (radix 16, 8, 4, 2, 3, 5 butterflies specialized, 7 / 11 / 13
 * generic), long ones as a four-step FFT n = n1 n2, n1 the largest divisor at most sqrt(n)
 * (n2 column FFTs of length n1, FFT_LANES columns side by side, twiddle, n1 row FFTs of length
 * n2, FFT_LANES rows side by side, transposed out: every sub-transform stays in the L1 / L2
 * cache, where a long Stockham's power-of-two strides thrash it); others run
 * Bluestein's chirp-z algorithm over the smallest 2^a 3^b 5^c at least 2n - 1.
 * Real plans (fft_rplan_get, even n) hold what the real transforms need: the plan of n / 2 and
 * exp(-2 pi i k / n), k <= n / 4. The inverse transform is the forward one on swapped arrays:
 * IDFT(x) = swap(DFT(swap(x))), swap(a + ib) = b + ia, so fft_exec(p, im, re, ...) is the
 * unnormalized inverse. */
#ifndef MX_BACKEND_CPU_FFT_PLAN_H
#define MX_BACKEND_CPU_FFT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

/* Transforms run side by side by the lane functions: value k of transform j at [k FFT_LANES + j]
 * (one SIMD vector per value index). */
enum { FFT_LANES = 16 };

typedef struct fft_plan {
  int64_t n;
  int64_t work;             /* floats of scratch fft_exec needs */
  int64_t lwork;            /* floats of scratch fft_exec_lanes needs */
  int nf;                   /* Stockham: the radices, in the order run */
  int f[64];
  float *tw;                /* Stockham: per stage (r - 1) m real, then (r - 1) m imaginary */
  int64_t tw_off[64];
  int64_t m;                /* Bluestein: padded length (0: Stockham) */
  float *chirp;             /* Bluestein: exp(-i pi k^2 / n), n real then n imaginary */
  float *bfft;              /* Bluestein: FFT of the conjugate chirp / m, m real, m imaginary */
  const struct fft_plan *sub;  /* Bluestein: the plan of m */
  int64_t n1, n2;           /* four-step (long smooth n = n1 n2; 0: not): n2 columns of n1 */
  const struct fft_plan *p1, *p2; /* four-step: the plans of n1 and n2 */
  float *tw2;               /* four-step: exp(-2 pi i b k / n), b = c 16 + i, at (c n1 + k) 16 + i:
                               real parts, then imaginary parts */
  const struct fft_plan *half; /* real plan: the plan of n / 2 */
  float *rtw;               /* real plan: exp(-2 pi i k / n), k <= n / 4: real, then imaginary */
} fft_plan;

/* The shared plan of length n >= 1, NULL when out of memory. */
const fft_plan *fft_plan_get(int64_t n);
/* The shared real plan of even length n (for fft_exec_r2c / c2r), NULL when out of memory. */
const fft_plan *fft_rplan_get(int64_t n);

/* (re, im) <- DFT(re, im) (forward, unnormalized); work holds p->work floats. par: split each
 * stage over the CPU worker threads (for one long transform; false inside a parallel task). */
void fft_exec(const fft_plan *p, float *re, float *im, float *work, bool par);

/* FFT_LANES transforms side by side: (re, im) hold n FFT_LANES floats each, in lanes (above);
 * work holds p->lwork floats. Always single-threaded. */
void fft_exec_lanes(const fft_plan *p, float *re, float *im, float *work);
/* Whether fft_exec_lanes_at wants its input in work (n FFT_LANES real parts, then as many
 * imaginary parts) rather than in (re, im): a Stockham plan of an odd number of stages then
 * ends in (re, im) with no copy. */
bool fft_lanes_in_work(const fft_plan *p);
/* fft_exec_lanes with the input where fft_lanes_in_work says; the result in (re, im). */
void fft_exec_lanes_at(const fft_plan *p, float *re, float *im, float *work);

/* Real forward transform, p a real plan: on entry re[k] = x[2k], im[k] = x[2k + 1] (k < n / 2),
 * on exit (re, im)[k] = X[k], k <= n / 2 (both arrays hold n / 2 + 1 floats). */
void fft_exec_r2c(const fft_plan *p, float *re, float *im, float *work, bool par);

/* Real inverse transform (unnormalized), p a real plan: on entry (re, im)[k] = X[k], k <= n / 2
 * (the imaginary parts of X[0] and X[n / 2] ignored), on exit re[k] = x[2k], im[k] = x[2k + 1]. */
void fft_exec_c2r(const fft_plan *p, float *re, float *im, float *work, bool par);

/* fft_exec_r2c / fft_exec_c2r on FFT_LANES real lines side by side (lanes of n / 2 + 1 values;
 * the same layout inside each lane); r2c takes its input where fft_lanes_in_work(p->half) says. */
void fft_exec_r2c_lanes(const fft_plan *p, float *re, float *im, float *work);
void fft_exec_c2r_lanes(const fft_plan *p, float *re, float *im, float *work);

/* Floats of scratch fft_exec_r2c / fft_exec_c2r (and their lane forms) need. */
int64_t fft_real_work(const fft_plan *p);
int64_t fft_real_lwork(const fft_plan *p);

/* fft_stage.c: one Stockham stage of radix r (p in [p0, p1) of m, q in [q0, q1) of s). */
void fft_stage(int r, int64_t s, int64_t m, const float *xr, const float *xi, float *yr, float *yi,
               const float *wr, const float *wi, int64_t p0, int64_t p1, int64_t q0, int64_t q1);
/* The same stage on lanes (every p and q). */
void fft_stage_lanes(int r, int64_t s, int64_t m, const float *xr, const float *xi, float *yr,
                     float *yi, const float *wr, const float *wi);

/* fft_tile.c: FFT_LANES lines of cnt interleaved pairs (v[b][2k], v[b][2k + 1]) to lanes, and
 * back times scale. */
void fft_tile_in(const float *const *v, int64_t cnt, float *re, float *im);
void fft_tile_out(float *const *v, int64_t cnt, const float *re, const float *im, float scale);
/* FFT_LANES rows of split values (re[i ms + j], im[i ms + j], j < cnt) to lanes. */
void fft_tile_split_in(const float *re, const float *im, int64_t ms, int64_t cnt, float *br,
                       float *bi);
/* One contiguous line of cnt complex values to split arrays, and back times scale. */
void fft_split(const float *s, int64_t cnt, float *re, float *im);
void fft_merge(float *d, int64_t cnt, const float *re, const float *im, float scale);
/* FFT_LANES adjacent lines: pair k of line b at (v[k ps + b lw], v[k ps + io + b lw]), lw 2
 * (complex, io 1) or 1 (real); to lanes, and back times scale. */
void fft_rows_in(const float *v, int64_t cnt, int64_t ps, int64_t io, int lw, float *re,
                 float *im);
void fft_rows_out(float *v, int64_t cnt, int64_t ps, int64_t io, int lw, const float *re,
                  const float *im, float scale);

#endif
