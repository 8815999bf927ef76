/* One-dimensional FFT plans (see fft_plan.h): construction, the process-wide cache, the
 * Stockham and Bluestein drivers and the real-input pre / post passes. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/ew_common.h"
#include "backend/cpu/fft_plan.h"

enum { MAX_DIRECT_PRIME = 13, PAR_MIN_N = 1 << 14, PAR_GRAIN = 4096, FOUR_STEP_MIN = 2048,
       BLK = FFT_LANES };

static const double TWO_PI = 6.283185307179586476925286766559;

/* (re, im)[k] = exp(-2 pi i (k * num mod den) / den) for k < count, stored as float. */
static void roots(float *re, float *im, int64_t count, int64_t num, int64_t den) {
  for (int64_t k = 0; k < count; k++) {
    double a = -TWO_PI * (double)((k * num) % den) / (double)den;
    re[k] = (float)cos(a), im[k] = (float)sin(a);
  }
}

/* Radices (16s, an 8, a 4, then 2, 3, 5, ...); false when a prime factor exceeds
 * MAX_DIRECT_PRIME. */
static bool factorize(int64_t n, fft_plan *p) {
  p->nf = 0;
  while (n % 16 == 0) p->f[p->nf++] = 16, n /= 16;
  if (n % 8 == 0) p->f[p->nf++] = 8, n /= 8;
  if (n % 4 == 0) p->f[p->nf++] = 4, n /= 4;
  for (int q = 2; q <= MAX_DIRECT_PRIME; q++)
    while (n % q == 0) p->f[p->nf++] = q, n /= q;
  return n == 1;
}

static void plan_free(fft_plan *p) {
  if (!p) return;
  free(p->tw), free(p->chirp), free(p->bfft), free(p->rtw), free(p->tw2);
  free(p); /* sub and half belong to the cache */
}

static bool stockham_init(fft_plan *p) {
  int64_t total = 0, l = p->n;
  for (int i = 0; i < p->nf; i++) {
    p->tw_off[i] = total;
    l /= p->f[i];
    total += 2 * (p->f[i] - 1) * l;
  }
  p->tw = malloc((size_t)(total ? total : 1) * sizeof(float));
  if (!p->tw) return false;
  l = p->n;
  for (int i = 0; i < p->nf; i++) {
    int r = p->f[i];
    int64_t m = l / r;
    float *wr = p->tw + p->tw_off[i], *wi = wr + (r - 1) * m;
    for (int k = 1; k < r; k++) roots(wr + (k - 1) * m, wi + (k - 1) * m, m, k, l);
    l = m;
  }
  p->work = 2 * p->n, p->lwork = 2 * p->n * FFT_LANES;
  return true;
}

static int64_t nblocks(int64_t k) { return (k + BLK - 1) / BLK; }

/* Four-step: the twiddles of a column block, and the padded row stride of the intermediate n1 x n2
 * array in work (a power-of-two stride would map a column's values to a few cache sets). */
static int64_t tw2_len(const fft_plan *p) { return nblocks(p->n2) * p->n1 * BLK; }
static int64_t mid_stride(const fft_plan *p) { return p->n2 + BLK; }

/* n1: the largest divisor of n at most sqrt(n). */
static bool four_step_init(fft_plan *p) {
  int64_t n = p->n, n1 = 1;
  for (int64_t d = 2; d * d <= n; d++)
    if (n % d == 0) n1 = d;
  p->n1 = n1, p->n2 = n / n1;
  p->p1 = fft_plan_get(p->n1);
  p->p2 = fft_plan_get(p->n2);
  int64_t t = tw2_len(p);
  p->tw2 = malloc((size_t)(2 * t) * sizeof(float));
  if (!p->p1 || !p->p2 || !p->tw2) return false;
  for (int64_t i = 0; i < t; i++) { /* W^(b k), column b = c BLK + i % BLK of block c, row k */
    int64_t c = i / (n1 * BLK), k = i / BLK % n1, b = c * BLK + i % BLK;
    double a = -TWO_PI * (double)((b * k) % n) / (double)n;
    p->tw2[i] = (float)cos(a), p->tw2[t + i] = (float)sin(a);
  }
  int64_t cols = nblocks(p->n2) * (2 * BLK * n1 + p->p1->lwork);
  int64_t rows = nblocks(n1) * (2 * BLK * p->n2 + p->p2->lwork);
  p->work = 2 * n1 * mid_stride(p) + (cols > rows ? cols : rows);
  return true;
}

static bool bluestein_init(fft_plan *p) {
  int64_t n = p->n, m = INT64_MAX;
  /* the smallest 2^a 3^b 5^c >= 2n - 1 */
  for (int64_t a = 1; a < 2 * (2 * n - 1); a *= 2)
    for (int64_t b = a; b < 2 * (2 * n - 1); b *= 3)
      for (int64_t c = b; c < m; c *= 5)
        if (c >= 2 * n - 1) {
          m = c;
          break;
        }
  p->m = m;
  p->sub = fft_plan_get(m);
  p->chirp = malloc((size_t)(2 * n) * sizeof(float));
  p->bfft = calloc((size_t)(2 * m), sizeof(float));
  float *tmp = p->sub ? malloc((size_t)p->sub->work * sizeof(float)) : NULL;
  if (!p->chirp || !p->bfft || !tmp) {
    free(tmp);
    return false;
  }
  /* exact phase: exp(-i pi k^2 / n) = exp(-2 pi i (k^2 mod 2n) / 2n) */
  for (int64_t k = 0; k < n; k++) {
    double a = -TWO_PI * (double)((k * k) % (2 * n)) / (double)(2 * n);
    p->chirp[k] = (float)cos(a), p->chirp[n + k] = (float)sin(a);
  }
  float *br = p->bfft, *bi = p->bfft + m;
  br[0] = p->chirp[0], bi[0] = -p->chirp[n];
  for (int64_t k = 1; k < n; k++) {
    br[k] = br[m - k] = p->chirp[k];
    bi[k] = bi[m - k] = -p->chirp[n + k];
  }
  fft_exec(p->sub, br, bi, tmp, false);
  free(tmp);
  for (int64_t k = 0; k < 2 * m; k++) br[k] /= (float)m;
  p->work = 2 * m + p->sub->work, p->lwork = 2 * m * FFT_LANES + p->sub->lwork;
  return true;
}

static fft_plan *plan_new(int64_t n, bool real) {
  fft_plan *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->n = n;
  bool ok;
  if (real) {
    int64_t q = n / 4 + 1;
    p->half = fft_plan_get(n / 2);
    p->rtw = malloc((size_t)(2 * q) * sizeof(float));
    ok = p->half && p->rtw;
    if (ok) roots(p->rtw, p->rtw + q, q, 1, n);
    if (ok) p->work = p->half->work, p->lwork = p->half->lwork;
  } else {
    /* four-step plans keep the Stockham tables for fft_exec_lanes */
    ok = !factorize(n, p) ? bluestein_init(p)
                          : stockham_init(p) && (n < FOUR_STEP_MIN || four_step_init(p));
  }
  if (!ok) plan_free(p), p = NULL;
  return p;
}

/* ---- the cache: plans keyed by (n, real), never freed (read-only once published) */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static fft_plan **cache;
static bool *cache_real;
static int ncache, capcache;

static const fft_plan *lookup(int64_t n, bool real) {
  for (int i = 0; i < ncache; i++)
    if (cache[i]->n == n && cache_real[i] == real) return cache[i];
  return NULL;
}

static bool cache_grow(void) {
  int cap = capcache ? 2 * capcache : 16;
  fft_plan **c = realloc(cache, (size_t)cap * sizeof *c);
  if (c) cache = c;
  bool *r = c ? realloc(cache_real, (size_t)cap * sizeof *r) : NULL;
  if (r) cache_real = r, capcache = cap;
  return r != NULL;
}

static const fft_plan *get(int64_t n, bool real) {
  pthread_mutex_lock(&cache_lock);
  const fft_plan *p = lookup(n, real);
  pthread_mutex_unlock(&cache_lock);
  if (p) return p;
  fft_plan *np = plan_new(n, real); /* built unlocked: it may get its sub-plans */
  if (!np) return NULL;
  pthread_mutex_lock(&cache_lock);
  p = lookup(n, real);
  if (!p && (ncache < capcache || cache_grow())) {
    cache_real[ncache] = real;
    cache[ncache++] = np;
    p = np, np = NULL;
  }
  pthread_mutex_unlock(&cache_lock);
  plan_free(np);
  return p;
}

const fft_plan *fft_plan_get(int64_t n) { return get(n, false); }
const fft_plan *fft_rplan_get(int64_t n) { return get(n, true); }

int64_t fft_real_work(const fft_plan *p) { return p->work; }
int64_t fft_real_lwork(const fft_plan *p) { return p->lwork; }

/* ---- execution */

typedef struct {
  int r;
  int64_t s, m;
  const float *xr, *xi, *wr, *wi;
  float *yr, *yi;
  bool by_q;
} stage_task;

static void stage_part(void *ctx, int64_t b, int64_t e) {
  const stage_task *t = ctx;
  if (t->by_q)
    fft_stage(t->r, t->s, t->m, t->xr, t->xi, t->yr, t->yi, t->wr, t->wi, 0, t->m, b, e);
  else
    fft_stage(t->r, t->s, t->m, t->xr, t->xi, t->yr, t->yi, t->wr, t->wi, b, e, 0, t->s);
}
/* The ping-pong of the stages ended in the work buffer: the result goes back to (re, im). */
static void copy_back(float *re, float *im, const float *xr, const float *xi, int64_t n) {
  if (xr == re) return;
  memcpy(re, xr, (size_t)n * sizeof(float));
  memcpy(im, xi, (size_t)n * sizeof(float));
}


static void stockham(const fft_plan *p, float *re, float *im, float *work, bool par) {
  int64_t n = p->n, s = 1, l = n;
  float *xr = re, *xi = im, *yr = work, *yi = work + n;
  par = par && n >= PAR_MIN_N;
  for (int i = 0; i < p->nf; i++) {
    int r = p->f[i];
    int64_t m = l / r;
    const float *wr = p->tw + p->tw_off[i], *wi = wr + (r - 1) * m;
    if (par) {
      stage_task t = {r, s, m, xr, xi, wr, wi, yr, yi, m < 16};
      int64_t units = t.by_q ? s : m, per = t.by_q ? r * m : r * s;
      mx_ew_parallel_for(units, 1 + PAR_GRAIN / per, stage_part, &t);
    } else {
      fft_stage(r, s, m, xr, xi, yr, yi, wr, wi, 0, m, 0, s);
    }
    float *t0 = xr, *t1 = xi;
    xr = yr, xi = yi, yr = t0, yi = t1;
    s *= r, l = m;
  }
  copy_back(re, im, xr, xi, n);
}

typedef struct {
  const fft_plan *p;
  float *re, *im, *work;
} fs_task;

#define INL static inline __attribute__((always_inline))

/* Columns b0 .. b0 + g - 1 of an n1 x n2 array into lanes (lanes g.. zero). */
INL void cols_in(float *br, float *bi, const float *re, const float *im, int64_t n1, int64_t n2,
                 int64_t b0, int64_t g) {
  for (int64_t a = 0; a < n1; a++)
    for (int64_t i = 0; i < BLK; i++) {
      br[a * BLK + i] = i < g ? re[a * n2 + b0 + i] : 0;
      bi[a * BLK + i] = i < g ? im[a * n2 + b0 + i] : 0;
    }
}

/* ... and out (rows of ms floats), times the block's twiddles (wr, wi)[k BLK + i]. */
INL void cols_out(const float *br, const float *bi, float *re, float *im, const float *wr,
                  const float *wi, int64_t n1, int64_t ms, int64_t b0, int64_t g) {
  for (int64_t k = 0; k < n1; k++)
    for (int64_t i = 0; i < g; i++) {
      int64_t o = k * ms + b0 + i, w = k * BLK + i;
      float yr = br[w], yi = bi[w];
      re[o] = yr * wr[w] - yi * wi[w], im[o] = yr * wi[w] + yi * wr[w];
    }
}

/* Rows k0 .. k0 + g - 1 (n2 values, rows of ms floats) into lanes, in BLK x BLK tiles (each row
 * segment read a cache line). */
INL void rows_in(float *br, float *bi, const float *re, const float *im, int64_t n2, int64_t ms,
                 int64_t k0, int64_t g) {
  for (int64_t j0 = 0; j0 < n2; j0 += BLK)
    for (int64_t i = 0; i < BLK; i++)
      for (int64_t j = j0; j < j0 + BLK && j < n2; j++) {
        br[j * BLK + i] = i < g ? re[(k0 + i) * ms + j] : 0;
        bi[j * BLK + i] = i < g ? im[(k0 + i) * ms + j] : 0;
      }
}

/* ... and out transposed: X[k + n1 j] = row k's [j]. */
INL void rows_out(const float *br, const float *bi, float *or_, float *oi, int64_t n1, int64_t n2,
                  int64_t k0, int64_t g) {
  for (int64_t j = 0; j < n2; j++)
    for (int64_t i = 0; i < g; i++)
      or_[k0 + i + n1 * j] = br[j * BLK + i], oi[k0 + i + n1 * j] = bi[j * BLK + i];
}

/* Column blocks [c0, c1): Y[k][b] = W^(b k) DFT_n1(x[. n2 + b])[k], into work. (Both passes
 * compiled for AVX-512, AVX2 and baseline x86-64, as the stages.) */
EW_CLONES static void fs_cols(void *ctx, int64_t c0, int64_t c1) {
  const fs_task *t = ctx;
  const fft_plan *p = t->p;
  int64_t n1 = p->n1, n2 = p->n2;
  float *re = t->re, *im = t->im;
  int64_t ms = mid_stride(p), tl = tw2_len(p);
  float *mr = t->work, *mi = mr + n1 * ms;
  float *br = mi + n1 * ms + c0 * (2 * BLK * n1 + p->p1->lwork), *bi = br + BLK * n1;
  float *wk = bi + BLK * n1, *ir = fft_lanes_in_work(p->p1) ? wk : br, *ii = ir + BLK * n1;
  for (int64_t c = c0; c < c1; c++) {
    int64_t b0 = c * BLK, g = n2 - b0 < BLK ? n2 - b0 : BLK;
    if (g == BLK)
      cols_in(ir, ii, re, im, n1, n2, b0, BLK);
    else
      cols_in(ir, ii, re, im, n1, n2, b0, g);
    fft_exec_lanes_at(p->p1, br, bi, wk);
    const float *wr = p->tw2 + c * n1 * BLK, *wi = wr + tl;
    if (g == BLK)
      cols_out(br, bi, mr, mi, wr, wi, n1, ms, b0, BLK);
    else
      cols_out(br, bi, mr, mi, wr, wi, n1, ms, b0, g);
  }
}

/* Row blocks [r0, r1) of work: DFT_n2 of each row, transposed into (re, im). */
EW_CLONES static void fs_rows(void *ctx, int64_t r0, int64_t r1) {
  const fs_task *t = ctx;
  const fft_plan *p = t->p;
  int64_t n1 = p->n1, n2 = p->n2;
  int64_t ms = mid_stride(p);
  const float *mr = t->work, *mi = mr + n1 * ms;
  float *br = t->work + 2 * n1 * ms + r0 * (2 * BLK * n2 + p->p2->lwork), *bi = br + BLK * n2;
  float *wk = bi + BLK * n2, *ir = fft_lanes_in_work(p->p2) ? wk : br, *ii = ir + BLK * n2;
  for (int64_t r = r0; r < r1; r++) {
    int64_t k0 = r * BLK, g = n1 - k0 < BLK ? n1 - k0 : BLK;
    if (g == BLK)
      fft_tile_split_in(mr + k0 * ms, mi + k0 * ms, ms, n2, ir, ii);
    else
      rows_in(ir, ii, mr, mi, n2, ms, k0, g);
    fft_exec_lanes_at(p->p2, br, bi, wk);
    if (g == BLK)
      rows_out(br, bi, t->re, t->im, n1, n2, k0, BLK);
    else
      rows_out(br, bi, t->re, t->im, n1, n2, k0, g);
  }
}

static void four_step(const fft_plan *p, float *re, float *im, float *work, bool par) {
  fs_task t = {p, re, im, work};
  int64_t nc = nblocks(p->n2), nr = nblocks(p->n1);
  if (par) {
    mx_ew_parallel_for(nc, 1, fs_cols, &t);
    mx_ew_parallel_for(nr, 1, fs_rows, &t);
  } else {
    fs_cols(&t, 0, nc);
    fs_rows(&t, 0, nr);
  }
}

static void bluestein(const fft_plan *p, float *re, float *im, float *work, bool par) {
  int64_t n = p->n, m = p->m;
  float *ar = work, *ai = work + m;
  const float *cr = p->chirp, *ci = p->chirp + n, *br = p->bfft, *bi = p->bfft + m;
  for (int64_t k = 0; k < n; k++) {
    ar[k] = re[k] * cr[k] - im[k] * ci[k];
    ai[k] = re[k] * ci[k] + im[k] * cr[k];
  }
  memset(ar + n, 0, (size_t)(m - n) * sizeof(float));
  memset(ai + n, 0, (size_t)(m - n) * sizeof(float));
  fft_exec(p->sub, ar, ai, work + 2 * m, par);
  for (int64_t k = 0; k < m; k++) {
    float xr = ar[k], xi = ai[k];
    ar[k] = xr * br[k] - xi * bi[k];
    ai[k] = xr * bi[k] + xi * br[k];
  }
  fft_exec(p->sub, ai, ar, work + 2 * m, par); /* inverse */
  for (int64_t k = 0; k < n; k++) {
    re[k] = ar[k] * cr[k] - ai[k] * ci[k];
    im[k] = ar[k] * ci[k] + ai[k] * cr[k];
  }
}

/* Lanes: the Stockham stages (four-step plans too), or Bluestein with lane-wide products. */
static void stockham_lanes(const fft_plan *p, float *re, float *im, float *work, bool in_work) {
  int64_t n = p->n, s = 1, l = n, nl = n * FFT_LANES;
  float *xr = re, *xi = im, *yr = work, *yi = work + nl;
  if (in_work) xr = work, xi = work + nl, yr = re, yi = im;
  for (int i = 0; i < p->nf; i++) {
    int r = p->f[i];
    int64_t m = l / r;
    const float *wr = p->tw + p->tw_off[i], *wi = wr + (r - 1) * m;
    fft_stage_lanes(r, s, m, xr, xi, yr, yi, wr, wi);
    float *t0 = xr, *t1 = xi;
    xr = yr, xi = yi, yr = t0, yi = t1;
    s *= r, l = m;
  }
  copy_back(re, im, xr, xi, nl);
}

/* (yr, yi)[k][j] = (xr, xi)[k][j] * (cr, ci)[k] for k < n (lanes j). */
static void lanes_mul(float *yr, float *yi, const float *xr, const float *xi, const float *cr,
                      const float *ci, int64_t n) {
  for (int64_t k = 0; k < n; k++)
    for (int j = 0; j < FFT_LANES; j++) {
      int64_t o = k * FFT_LANES + j;
      float ar = xr[o], ai = xi[o];
      yr[o] = ar * cr[k] - ai * ci[k], yi[o] = ar * ci[k] + ai * cr[k];
    }
}

static void bluestein_lanes(const fft_plan *p, float *re, float *im, float *work) {
  int64_t n = p->n, m = p->m, ml = m * FFT_LANES;
  float *ar = work, *ai = work + ml, *wk = work + 2 * ml;
  lanes_mul(ar, ai, re, im, p->chirp, p->chirp + n, n);
  memset(ar + n * FFT_LANES, 0, (size_t)(m - n) * FFT_LANES * sizeof(float));
  memset(ai + n * FFT_LANES, 0, (size_t)(m - n) * FFT_LANES * sizeof(float));
  fft_exec_lanes(p->sub, ar, ai, wk);
  lanes_mul(ar, ai, ar, ai, p->bfft, p->bfft + m, m);
  fft_exec_lanes(p->sub, ai, ar, wk); /* inverse */
  lanes_mul(re, im, ar, ai, p->chirp, p->chirp + n, n);
}

void fft_exec_lanes(const fft_plan *p, float *re, float *im, float *work) {
  if (p->m)
    bluestein_lanes(p, re, im, work);
  else
    stockham_lanes(p, re, im, work, false);
}

bool fft_lanes_in_work(const fft_plan *p) { return !p->m && p->nf % 2; }

void fft_exec_lanes_at(const fft_plan *p, float *re, float *im, float *work) {
  if (p->m)
    bluestein_lanes(p, re, im, work);
  else
    stockham_lanes(p, re, im, work, fft_lanes_in_work(p));
}

void fft_exec(const fft_plan *p, float *re, float *im, float *work, bool par) {
  if (p->m)
    bluestein(p, re, im, work, par);
  else if (p->n1)
    four_step(p, re, im, work, par);
  else
    stockham(p, re, im, work, par);
}

/* Z = DFT of z[k] = x[2k] + i x[2k + 1] (length h = n / 2), Z[h] = Z[0]; for k <= h / 2, j = h - k:
 *   E = (Z[k] + conj Z[j]) / 2,  O = -i (Z[k] - conj Z[j]) / 2,  t = W^k O (W = exp(-2 pi i / n)),
 *   X[k] = E + t,  X[j] = conj(E - t). */
INL void r2c_pair(float *re, float *im, const float *wr, const float *wi, int64_t k, int64_t j,
                  int64_t ls) {
  float wkr = wr[k], wki = wi[k];
  k *= ls, j *= ls;
  float er = 0.5f * (re[k] + re[j]), ei = 0.5f * (im[k] - im[j]);
  float or_ = 0.5f * (im[k] + im[j]), oi = -0.5f * (re[k] - re[j]);
  float tr = wkr * or_ - wki * oi, ti = wkr * oi + wki * or_;
  re[k] = er + tr, im[k] = ei + ti;
  re[j] = er - tr, im[j] = ti - ei;
}

/* The inverse of the above (times 2): E = X[k] + conj X[j], O = (X[k] - conj X[j]) conj(W^k),
 * t = i O: Z[k] = E + t, Z[j] = conj(E - t); then z = unnormalized IDFT_h(Z). */
INL void c2r_pair_to(const float *re, const float *im, float *yr, float *yi, const float *wr,
                     const float *wi, int64_t k, int64_t j, int64_t ls) {
  float wkr = wr[k], wki = wi[k];
  k *= ls, j *= ls;
  float er = re[k] + re[j], ei = im[k] - im[j];
  float dr = re[k] - re[j], di = im[k] + im[j];
  float or_ = dr * wkr + di * wki, oi = di * wkr - dr * wki;
  float tr = -oi, ti = or_;
  yr[k] = er + tr, yi[k] = ei + ti;
  yr[j] = er - tr, yi[j] = ti - ei;
}

INL void c2r_pair(float *re, float *im, const float *wr, const float *wi, int64_t k, int64_t j,
                  int64_t ls) {
  c2r_pair_to(re, im, re, im, wr, wi, k, j, ls);
}

/* pair(k, h - k) for k <= h / 2: the pairs with k < j touch disjoint values (vectorizable). */
#define REAL_PAIRS(pair, re, im, wr, wi, h)                                                      \
  do {                                                                                          \
    pair(re, im, wr, wi, 0, h, 1);                                                              \
    _Pragma("GCC ivdep") for (int64_t k = 1; 2 * k < h; k++) pair(re, im, wr, wi, k, h - k, 1); \
    if (h % 2 == 0) pair(re, im, wr, wi, h / 2, h / 2, 1);                                       \
  } while (0)

/* The same on lanes, vectorized over the lanes of each pair. */
#define REAL_PAIRS_LANES(pair, re, im, wr, wi, h)                                                \
  for (int64_t k = 0; 2 * k <= h; k++)                                                          \
    _Pragma("GCC ivdep") for (int j = 0; j < FFT_LANES; j++)                                    \
      pair((re) + j, (im) + j, wr, wi, k, h - k, FFT_LANES)

void fft_exec_r2c(const fft_plan *p, float *re, float *im, float *work, bool par) {
  int64_t h = p->n / 2, q = p->n / 4 + 1;
  fft_exec(p->half, re, im, work, par);
  re[h] = re[0], im[h] = im[0];
  REAL_PAIRS(r2c_pair, re, im, p->rtw, p->rtw + q, h);
}

void fft_exec_c2r(const fft_plan *p, float *re, float *im, float *work, bool par) {
  int64_t h = p->n / 2, q = p->n / 4 + 1;
  im[0] = 0, im[h] = 0;
  REAL_PAIRS(c2r_pair, re, im, p->rtw, p->rtw + q, h);
  fft_exec(p->half, im, re, work, par);
}

/* (the lane forms compiled for AVX-512, AVX2 and baseline x86-64, as the stages) */
EW_CLONES void fft_exec_r2c_lanes(const fft_plan *p, float *re, float *im, float *work) {
  int64_t h = p->n / 2, q = p->n / 4 + 1;
  fft_exec_lanes_at(p->half, re, im, work);
  memcpy(re + h * FFT_LANES, re, FFT_LANES * sizeof(float));
  memcpy(im + h * FFT_LANES, im, FFT_LANES * sizeof(float));
  REAL_PAIRS_LANES(r2c_pair, re, im, p->rtw, p->rtw + q, h);
}

/* The pairs land where the half-length inverse (on swapped arrays) wants its input: in work
 * (imaginary parts first) for a Stockham plan of an odd number of stages, which then ends in
 * (re, im) with no copy. Z[h] is not needed: pair (0, h) gives Z[0] = (X[0] + X[h],
 * X[0] - X[h]) alone. */
EW_CLONES void fft_exec_c2r_lanes(const fft_plan *p, float *re, float *im, float *work) {
  enum { L = FFT_LANES };
  int64_t h = p->n / 2, q = p->n / 4 + 1;
  const float *wr = p->rtw, *wi = p->rtw + q;
  bool w = fft_lanes_in_work(p->half);
  float *zr = w ? work + h * L : re, *zi = w ? work : im;
  for (int j = 0; j < L; j++) {
    float a = re[j], b = re[h * L + j];
    zr[j] = a + b, zi[j] = a - b;
  }
  for (int64_t k = 1; 2 * k <= h; k++)
    _Pragma("GCC ivdep") for (int j = 0; j < L; j++)
      c2r_pair_to(re + j, im + j, zr + j, zi + j, wr, wi, k, h - k, L);
  fft_exec_lanes_at(p->half, im, re, work);
}
