/* One-dimensional FFT plans (see fft_plan.h): construction, the process-wide cache, the
 * Stockham and Bluestein drivers and the real-input pre / post passes. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/fft_plan.h"

enum { MAX_DIRECT_PRIME = 13, PAR_MIN_N = 1 << 14, PAR_GRAIN = 4096, FOUR_STEP_MIN = 2048,
       BLK = 16 };

static const double TWO_PI = 6.283185307179586476925286766559;

/* (re, im)[k] = exp(-2 pi i (k * num mod den) / den) for k < count, stored as float. */
static void roots(float *re, float *im, int64_t count, int64_t num, int64_t den) {
  for (int64_t k = 0; k < count; k++) {
    double a = -TWO_PI * (double)((k * num) % den) / (double)den;
    re[k] = (float)cos(a), im[k] = (float)sin(a);
  }
}

/* Radices (8s, a 4, then 2, 3, 5, ...); false when a prime factor exceeds MAX_DIRECT_PRIME. */
static bool factorize(int64_t n, fft_plan *p) {
  p->nf = 0;
  while (n % 8 == 0) p->f[p->nf++] = 8, n /= 8;
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
  p->work = 2 * p->n;
  return true;
}

static int64_t nblocks(int64_t k) { return (k + BLK - 1) / BLK; }

/* n1: the largest product of leading radices at most sqrt(n). */
static bool four_step_init(fft_plan *p) {
  int64_t n = p->n, n1 = 1;
  for (int i = 0; i < p->nf && n1 * p->f[i] * n1 * p->f[i] <= n; i++) n1 *= p->f[i];
  p->n1 = n1, p->n2 = n / n1;
  p->p1 = fft_plan_get(p->n1);
  p->p2 = fft_plan_get(p->n2);
  p->tw2 = malloc((size_t)(2 * n) * sizeof(float));
  if (!p->p1 || !p->p2 || !p->tw2) return false;
  for (int64_t k = 0; k < n1; k++)
    roots(p->tw2 + k * p->n2, p->tw2 + n + k * p->n2, p->n2, k, n);
  int64_t cols = nblocks(p->n2) * (2 * BLK * n1 + p->p1->work);
  int64_t rows = nblocks(n1) * p->p2->work;
  p->work = 2 * n + (cols > rows ? cols : rows);
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
  p->work = 2 * m + p->sub->work;
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
    if (ok) roots(p->rtw, p->rtw + q, q, 1, n), p->work = p->half->work;
  } else {
    ok = !factorize(n, p) ? bluestein_init(p)
         : n >= FOUR_STEP_MIN ? four_step_init(p) : stockham_init(p);
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
  if (xr != re) {
    memcpy(re, xr, (size_t)n * sizeof(float));
    memcpy(im, xi, (size_t)n * sizeof(float));
  }
}

typedef struct {
  const fft_plan *p;
  float *re, *im, *work;
} fs_task;

#define INL static inline __attribute__((always_inline))

/* Columns b0 .. b0 + g - 1 of (re, im) (rows of n2) into buf (per column n1 real, n1 imaginary). */
INL void cols_in(float *buf, const float *re, const float *im, int64_t n1, int64_t n2,
                 int64_t b0, int64_t g) {
  for (int64_t a = 0; a < n1; a++)
    for (int64_t i = 0; i < g; i++)
      buf[2 * i * n1 + a] = re[a * n2 + b0 + i], buf[(2 * i + 1) * n1 + a] = im[a * n2 + b0 + i];
}

/* ... and back, times the twiddles (wr, wi) (laid out as re, im). */
INL void cols_out(const float *buf, float *re, float *im, const float *wr, const float *wi,
                  int64_t n1, int64_t n2, int64_t b0, int64_t g) {
  for (int64_t k = 0; k < n1; k++)
    for (int64_t i = 0; i < g; i++) {
      int64_t o = k * n2 + b0 + i;
      float yr = buf[2 * i * n1 + k], yi = buf[(2 * i + 1) * n1 + k];
      re[o] = yr * wr[o] - yi * wi[o], im[o] = yr * wi[o] + yi * wr[o];
    }
}

/* Rows k0 .. k0 + g - 1 (of n2) into (or_, oi) transposed: X[k + n1 j] = row k's [j]. */
INL void tile_out(const float *re, const float *im, float *or_, float *oi, int64_t n1, int64_t n2,
                  int64_t k0, int64_t g, int64_t j0, int64_t h) {
  for (int64_t i = 0; i < g; i++)
    for (int64_t j = j0; j < j0 + h; j++)
      or_[k0 + i + n1 * j] = re[(k0 + i) * n2 + j], oi[k0 + i + n1 * j] = im[(k0 + i) * n2 + j];
}

/* In BLK x BLK tiles, each read row segment a cache line (power-of-two row strides would make
 * BLK rows read side by side evict one another). */
INL void rows_out(const float *re, const float *im, float *or_, float *oi, int64_t n1, int64_t n2,
                  int64_t k0, int64_t g) {
  for (int64_t j0 = 0; j0 < n2; j0 += BLK) {
    int64_t h = n2 - j0 < BLK ? n2 - j0 : BLK;
    if (h == BLK && g == BLK)
      tile_out(re, im, or_, oi, n1, n2, k0, BLK, j0, BLK);
    else
      tile_out(re, im, or_, oi, n1, n2, k0, g, j0, h);
  }
}

/* Column blocks [c0, c1): Y[k][b] = W^(b k) DFT_n1(x[. n2 + b])[k], in place. */
static void fs_cols(void *ctx, int64_t c0, int64_t c1) {
  const fs_task *t = ctx;
  const fft_plan *p = t->p;
  int64_t n = p->n, n1 = p->n1, n2 = p->n2, slot = 2 * BLK * n1 + p->p1->work;
  float *re = t->re, *im = t->im;
  for (int64_t c = c0; c < c1; c++) {
    float *buf = t->work + 2 * n + c * slot, *wk = buf + 2 * BLK * n1;
    int64_t b0 = c * BLK, g = n2 - b0 < BLK ? n2 - b0 : BLK;
    if (g == BLK)
      cols_in(buf, re, im, n1, n2, b0, BLK);
    else
      cols_in(buf, re, im, n1, n2, b0, g);
    for (int64_t i = 0; i < g; i++)
      fft_exec(p->p1, buf + 2 * i * n1, buf + (2 * i + 1) * n1, wk, false);
    if (g == BLK)
      cols_out(buf, re, im, p->tw2, p->tw2 + n, n1, n2, b0, BLK);
    else
      cols_out(buf, re, im, p->tw2, p->tw2 + n, n1, n2, b0, g);
  }
}

/* Row blocks [r0, r1): DFT_n2 of each row in place, then transposed into work. */
static void fs_rows(void *ctx, int64_t r0, int64_t r1) {
  const fs_task *t = ctx;
  const fft_plan *p = t->p;
  int64_t n = p->n, n1 = p->n1, n2 = p->n2;
  float *re = t->re, *im = t->im;
  for (int64_t r = r0; r < r1; r++) {
    float *wk = t->work + 2 * n + r * p->p2->work;
    int64_t k0 = r * BLK, g = n1 - k0 < BLK ? n1 - k0 : BLK;
    for (int64_t i = 0; i < g; i++)
      fft_exec(p->p2, re + (k0 + i) * n2, im + (k0 + i) * n2, wk, false);
    rows_out(re, im, t->work, t->work + n, n1, n2, k0, g);
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
  memcpy(re, work, (size_t)p->n * sizeof(float));
  memcpy(im, work + p->n, (size_t)p->n * sizeof(float));
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
INL void r2c_pair(float *re, float *im, const float *wr, const float *wi, int64_t k, int64_t j) {
  float er = 0.5f * (re[k] + re[j]), ei = 0.5f * (im[k] - im[j]);
  float or_ = 0.5f * (im[k] + im[j]), oi = -0.5f * (re[k] - re[j]);
  float tr = wr[k] * or_ - wi[k] * oi, ti = wr[k] * oi + wi[k] * or_;
  re[k] = er + tr, im[k] = ei + ti;
  re[j] = er - tr, im[j] = ti - ei;
}

/* The inverse of the above (times 2): E = X[k] + conj X[j], O = (X[k] - conj X[j]) conj(W^k),
 * t = i O: Z[k] = E + t, Z[j] = conj(E - t); then z = unnormalized IDFT_h(Z). */
INL void c2r_pair(float *re, float *im, const float *wr, const float *wi, int64_t k, int64_t j) {
  float er = re[k] + re[j], ei = im[k] - im[j];
  float dr = re[k] - re[j], di = im[k] + im[j];
  float or_ = dr * wr[k] + di * wi[k], oi = di * wr[k] - dr * wi[k];
  float tr = -oi, ti = or_;
  re[k] = er + tr, im[k] = ei + ti;
  re[j] = er - tr, im[j] = ti - ei;
}

/* pair(k, h - k) for k <= h / 2: the pairs with k < j touch disjoint values (vectorizable). */
#define REAL_PAIRS(pair, re, im, wr, wi, h)                                                      \
  do {                                                                                          \
    pair(re, im, wr, wi, 0, h);                                                                 \
    _Pragma("GCC ivdep") for (int64_t k = 1; 2 * k < h; k++) pair(re, im, wr, wi, k, h - k);    \
    if (h % 2 == 0) pair(re, im, wr, wi, h / 2, h / 2);                                          \
  } while (0)

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
