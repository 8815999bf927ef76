/* One stage of the Stockham autosort FFT (fft_plan.c), single precision on split arrays.
 *
 * Stage of radix r over sub-transforms of length l = r m, stride s (the product of the radices
 * before it): for p < m, q < s, with a_j = x[q + s (p + j m)] and w = exp(-2 pi i / l),
 *   y[q + s (r p + k)] = w^(k p) sum_j a_j exp(-2 pi i j k / r).
 * The twiddles w^(k p) come from the plan's table (wr, wi)[(k - 1) m + p]. With s == 1 the loop
 * runs over p (contiguous loads, interleaved stores), else over q (contiguous both ways, one
 * twiddle per p); the compiler vectorizes both. The kernel is compiled for AVX-512, AVX2
 * and baseline x86-64 and picked at load time (EW_CLONES). */
#include <math.h>

#include "backend/cpu/ew_common.h"
#include "backend/cpu/fft_plan.h"

#define INL static inline __attribute__((always_inline))

/* y_k <- w_k y_k (k >= 1): one complex multiply, none where the butterfly's `one` says every
 * twiddle is 1 (the last stage, m == 1; a constant where the butterfly is inlined). */
#define TWID(yr, yi, k, ys, vr, vi, wr, wi)                                                      \
  do {                                                                                          \
    if (one) {                                                                                  \
      (yr)[(k) * (ys)] = (vr), (yi)[(k) * (ys)] = (vi);                                         \
    } else {                                                                                    \
      float ur_ = (wr), ui_ = (wi);                                                             \
      (yr)[(k) * (ys)] = (vr) * ur_ - (vi) * ui_;                                               \
      (yi)[(k) * (ys)] = (vr) * ui_ + (vi) * ur_;                                               \
    }                                                                                           \
  } while (0)

INL void bf2(const float *xr, const float *xi, int64_t xs, float *yr, float *yi, int64_t ys,
             const float *wr, const float *wi, int64_t ws, bool one) {
  float ar = xr[0], ai = xi[0], br = xr[xs], bi = xi[xs];
  yr[0] = ar + br, yi[0] = ai + bi;
  TWID(yr, yi, 1, ys, ar - br, ai - bi, wr[0], wi[0]);
}

INL void bf4(const float *xr, const float *xi, int64_t xs, float *yr, float *yi, int64_t ys,
             const float *wr, const float *wi, int64_t ws, bool one) {
  float ar = xr[0], ai = xi[0], br = xr[xs], bi = xi[xs];
  float cr = xr[2 * xs], ci = xi[2 * xs], dr = xr[3 * xs], di = xi[3 * xs];
  float t0r = ar + cr, t0i = ai + ci, t1r = ar - cr, t1i = ai - ci;
  float t2r = br + dr, t2i = bi + di, t3r = br - dr, t3i = bi - di;
  yr[0] = t0r + t2r, yi[0] = t0i + t2i;
  TWID(yr, yi, 1, ys, t1r + t3i, t1i - t3r, wr[0], wi[0]);
  TWID(yr, yi, 2, ys, t0r - t2r, t0i - t2i, wr[ws], wi[ws]);
  TWID(yr, yi, 3, ys, t1r - t3i, t1i + t3r, wr[2 * ws], wi[2 * ws]);
}

/* 4-point DFT of (ur, ui)[0..3] in place. */
INL void dft4(float *ur, float *ui) {
  float t0r = ur[0] + ur[2], t0i = ui[0] + ui[2], t1r = ur[0] - ur[2], t1i = ui[0] - ui[2];
  float t2r = ur[1] + ur[3], t2i = ui[1] + ui[3], t3r = ur[1] - ur[3], t3i = ui[1] - ui[3];
  ur[0] = t0r + t2r, ui[0] = t0i + t2i;
  ur[1] = t1r + t3i, ui[1] = t1i - t3r;
  ur[2] = t0r - t2r, ui[2] = t0i - t2i;
  ur[3] = t1r - t3i, ui[3] = t1i + t3r;
}

static const float R2 = 0.70710678118654752440f;

/* Radix 8: b_j = a_j + a_(j+4), c_j = (a_j - a_(j+4)) W8^j;
 * y_2k = DFT4(b)_k, y_2k+1 = DFT4(c)_k. */
INL void bf8(const float *xr, const float *xi, int64_t xs, float *yr, float *yi, int64_t ys,
             const float *wr, const float *wi, int64_t ws, bool one) {
  float br[4], bi[4], cr[4], ci[4];
  for (int j = 0; j < 4; j++) {
    float ar = xr[j * xs], ai = xi[j * xs], er = xr[(j + 4) * xs], ei = xi[(j + 4) * xs];
    br[j] = ar + er, bi[j] = ai + ei, cr[j] = ar - er, ci[j] = ai - ei;
  }
  float d1r = cr[1], d1i = ci[1], d3r = cr[3], d3i = ci[3], d2r = cr[2];
  cr[1] = R2 * (d1r + d1i), ci[1] = R2 * (d1i - d1r);
  cr[2] = ci[2], ci[2] = -d2r;
  cr[3] = R2 * (d3i - d3r), ci[3] = -R2 * (d3r + d3i);
  dft4(br, bi);
  dft4(cr, ci);
  yr[0] = br[0], yi[0] = bi[0];
  TWID(yr, yi, 1, ys, cr[0], ci[0], wr[0], wi[0]);
  for (int k = 1; k < 4; k++) {
    TWID(yr, yi, 2 * k, ys, br[k], bi[k], wr[(2 * k - 1) * ws], wi[(2 * k - 1) * ws]);
    TWID(yr, yi, 2 * k + 1, ys, cr[k], ci[k], wr[2 * k * ws], wi[2 * k * ws]);
  }
}

static const float C16 = 0.92387953251128675613f, S16 = 0.38268343236508977173f;

/* u <- u (c + i d) */
INL void cmul(float *ur, float *ui, float c, float d) {
  float a = *ur, b = *ui;
  *ur = a * c - b * d, *ui = a * d + b * c;
}

/* Radix 16 as 4 x 4: j = j1 + 4 j2, k = k1 + 4 k2; u_j1[k1] = DFT4 over j2 of a_(j1 + 4 j2),
 * times W16^(j1 k1); y_(k1 + 4 k2) = DFT4 over j1 of u_j1[k1]. (Four named rows, not a 2-D
 * array, so that the lane loops vectorize.) */
#define DFT4_COL(ur, ui, j1)                                                                     \
  do {                                                                                          \
    _Pragma("GCC unroll 4") for (int j2 = 0; j2 < 4; j2++)                                      \
      ur[j2] = xr[((j1) + 4 * j2) * xs], ui[j2] = xi[((j1) + 4 * j2) * xs];                     \
    dft4(ur, ui);                                                                               \
  } while (0)

INL void bf16(const float *xr, const float *xi, int64_t xs, float *yr, float *yi, int64_t ys,
              const float *wr, const float *wi, int64_t ws, bool one) {
  float u0r[4], u0i[4], u1r[4], u1i[4], u2r[4], u2i[4], u3r[4], u3i[4];
  DFT4_COL(u0r, u0i, 0);
  DFT4_COL(u1r, u1i, 1);
  DFT4_COL(u2r, u2i, 2);
  DFT4_COL(u3r, u3i, 3);
  cmul(&u1r[1], &u1i[1], C16, -S16);
  cmul(&u1r[2], &u1i[2], R2, -R2);
  cmul(&u1r[3], &u1i[3], S16, -C16);
  cmul(&u2r[1], &u2i[1], R2, -R2);
  float t = u2r[2];
  u2r[2] = u2i[2], u2i[2] = -t;
  cmul(&u2r[3], &u2i[3], -R2, -R2);
  cmul(&u3r[1], &u3i[1], S16, -C16);
  cmul(&u3r[2], &u3i[2], -R2, -R2);
  cmul(&u3r[3], &u3i[3], -C16, S16);
#pragma GCC unroll 4
  for (int k1 = 0; k1 < 4; k1++) {
    float vr[4] = {u0r[k1], u1r[k1], u2r[k1], u3r[k1]};
    float vi[4] = {u0i[k1], u1i[k1], u2i[k1], u3i[k1]};
    dft4(vr, vi);
#pragma GCC unroll 4
    for (int k2 = 0; k2 < 4; k2++) {
      int k = k1 + 4 * k2;
      if (k == 0)
        yr[0] = vr[0], yi[0] = vi[0];
      else
        TWID(yr, yi, k, ys, vr[k2], vi[k2], wr[(k - 1) * ws], wi[(k - 1) * ws]);
    }
  }
}

static const float S60 = 0.86602540378443864676f;

INL void bf3(const float *xr, const float *xi, int64_t xs, float *yr, float *yi, int64_t ys,
             const float *wr, const float *wi, int64_t ws, bool one) {
  float ar = xr[0], ai = xi[0], br = xr[xs], bi = xi[xs], cr = xr[2 * xs], ci = xi[2 * xs];
  float sr = br + cr, si = bi + ci, dr = S60 * (br - cr), di = S60 * (bi - ci);
  float mr = ar - 0.5f * sr, mi = ai - 0.5f * si;
  yr[0] = ar + sr, yi[0] = ai + si;
  TWID(yr, yi, 1, ys, mr + di, mi - dr, wr[0], wi[0]);
  TWID(yr, yi, 2, ys, mr - di, mi + dr, wr[ws], wi[ws]);
}

static const float C1 = 0.30901699437494742410f, C2 = -0.80901699437494742410f;
static const float S1 = 0.95105651629515357212f, S2 = 0.58778525229247312917f;

INL void bf5(const float *xr, const float *xi, int64_t xs, float *yr, float *yi, int64_t ys,
             const float *wr, const float *wi, int64_t ws, bool one) {
  float ar = xr[0], ai = xi[0];
  float b1r = xr[xs] + xr[4 * xs], b1i = xi[xs] + xi[4 * xs];
  float d1r = xr[xs] - xr[4 * xs], d1i = xi[xs] - xi[4 * xs];
  float b2r = xr[2 * xs] + xr[3 * xs], b2i = xi[2 * xs] + xi[3 * xs];
  float d2r = xr[2 * xs] - xr[3 * xs], d2i = xi[2 * xs] - xi[3 * xs];
  float m1r = ar + C1 * b1r + C2 * b2r, m1i = ai + C1 * b1i + C2 * b2i;
  float m2r = ar + C2 * b1r + C1 * b2r, m2i = ai + C2 * b1i + C1 * b2i;
  float n1r = S1 * d1r + S2 * d2r, n1i = S1 * d1i + S2 * d2i; /* y1 = m1 - i n1 */
  float n2r = S2 * d1r - S1 * d2r, n2i = S2 * d1i - S1 * d2i; /* y2 = m2 - i n2 */
  yr[0] = ar + b1r + b2r, yi[0] = ai + b1i + b2i;
  TWID(yr, yi, 1, ys, m1r + n1i, m1i - n1r, wr[0], wi[0]);
  TWID(yr, yi, 2, ys, m2r + n2i, m2i - n2r, wr[ws], wi[ws]);
  TWID(yr, yi, 3, ys, m2r - n2i, m2i + n2r, wr[2 * ws], wi[2 * ws]);
  TWID(yr, yi, 4, ys, m1r - n1i, m1i + n1r, wr[3 * ws], wi[3 * ws]);
}

/* The loops of one radix over p in [p0, p1), q in [q0, q1) (m == 1: no twiddles). */
#define STAGE_LOOPS(NAME, BF, R)                                                                 \
  INL void NAME(int64_t s, int64_t m, const float *restrict xr, const float *restrict xi,      \
                float *restrict yr, float *restrict yi, const float *restrict wr,              \
                const float *restrict wi, int64_t p0, int64_t p1, int64_t q0, int64_t q1) {    \
    if (s == 1) {                                                                               \
      for (int64_t p = p0; p < p1; p++)                                                         \
        BF(xr + p, xi + p, m, yr + (R) * p, yi + (R) * p, 1, wr + p, wi + p, m, false);         \
      return;                                                                                   \
    }                                                                                           \
    if (m == 1) {                                                                               \
      for (int64_t q = q0; q < q1; q++)                                                         \
        BF(xr + q, xi + q, s, yr + q, yi + q, s, wr, wi, 1, true);                              \
      return;                                                                                   \
    }                                                                                           \
    for (int64_t p = p0; p < p1; p++)                                                           \
      for (int64_t q = q0; q < q1; q++)                                                         \
        BF(xr + q + s * p, xi + q + s * p, s * m, yr + q + s * (R) * p, yi + q + s * (R) * p,  \
           s, wr + p, wi + p, m, false);                                                        \
  }

STAGE_LOOPS(loops2, bf2, 2)
STAGE_LOOPS(loops3, bf3, 3)
STAGE_LOOPS(loops4, bf4, 4)
STAGE_LOOPS(loops5, bf5, 5)
STAGE_LOOPS(loops8, bf8, 8)
STAGE_LOOPS(loops16, bf16, 16)

/* Any odd prime radix up to 13: direct sums. */
static void loops_any(int r, int64_t s, int64_t m, const float *xr, const float *xi, float *yr,
                      float *yi, const float *wr, const float *wi, int64_t p0, int64_t p1,
                      int64_t q0, int64_t q1) {
  float cr[13], ci[13], ar[13], ai[13];
  for (int j = 0; j < r; j++) {
    double a = -6.283185307179586476925 * j / r;
    cr[j] = (float)cos(a), ci[j] = (float)sin(a);
  }
  for (int64_t p = p0; p < p1; p++)
    for (int64_t q = q0; q < q1; q++) {
      for (int j = 0; j < r; j++) ar[j] = xr[q + s * (p + j * m)], ai[j] = xi[q + s * (p + j * m)];
      for (int k = 0; k < r; k++) {
        float sr = 0, si = 0;
        for (int j = 0; j < r; j++) {
          int e = (j * k) % r;
          sr += ar[j] * cr[e] - ai[j] * ci[e];
          si += ar[j] * ci[e] + ai[j] * cr[e];
        }
        int64_t o = q + s * (r * p + k);
        if (k == 0) {
          yr[o] = sr, yi[o] = si;
        } else {
          float ur = wr[(k - 1) * m + p], ui = wi[(k - 1) * m + p];
          yr[o] = sr * ur - si * ui, yi[o] = sr * ui + si * ur;
        }
      }
    }
}

/* Lanes (FFT_LANES transforms side by side, value k of lane j at [k FFT_LANES + j]): the same
 * butterflies with the lane index innermost, one SIMD lane per transform (twiddles broadcast). */
#define STAGE_LANES(NAME, BF, R)                                                                 \
  INL void NAME(int64_t s, int64_t m, const float *restrict xr, const float *restrict xi,      \
                float *restrict yr, float *restrict yi, const float *restrict wr,              \
                const float *restrict wi) {                                                     \
    enum { L = FFT_LANES };                                                                     \
    if (m == 1) {                                                                               \
      for (int64_t q = 0; q < s; q++)                                                           \
        _Pragma("GCC ivdep") for (int j = 0; j < L; j++)                                        \
          BF(xr + q * L + j, xi + q * L + j, s * L, yr + q * L + j, yi + q * L + j, s * L, wr,  \
             wi, 1, true);                                                                      \
      return;                                                                                   \
    }                                                                                           \
    for (int64_t p = 0; p < m; p++)                                                             \
      for (int64_t q = 0; q < s; q++) {                                                         \
        int64_t xo = (q + s * p) * L, yo = (q + s * (R) * p) * L;                               \
        _Pragma("GCC ivdep") for (int j = 0; j < L; j++)                                        \
          BF(xr + xo + j, xi + xo + j, s * m * L, yr + yo + j, yi + yo + j, s * L, wr + p,      \
             wi + p, m, false);                                                                 \
      }                                                                                         \
  }

STAGE_LANES(lanes2, bf2, 2)
STAGE_LANES(lanes3, bf3, 3)
STAGE_LANES(lanes4, bf4, 4)
STAGE_LANES(lanes5, bf5, 5)
STAGE_LANES(lanes8, bf8, 8)
STAGE_LANES(lanes16, bf16, 16)

/* Any odd prime radix up to 13 on lanes: direct sums, a lane vector at a time. */
static void lanes_any(int r, int64_t s, int64_t m, const float *restrict xr,
                      const float *restrict xi, float *restrict yr, float *restrict yi,
                      const float *wr, const float *wi) {
  enum { L = FFT_LANES };
  float cr[13], ci[13], sr[L], si[L];
  for (int j = 0; j < r; j++) {
    double a = -6.283185307179586476925 * j / r;
    cr[j] = (float)cos(a), ci[j] = (float)sin(a);
  }
  for (int64_t p = 0; p < m; p++)
    for (int64_t q = 0; q < s; q++)
      for (int k = 0; k < r; k++) {
        for (int l = 0; l < L; l++) sr[l] = si[l] = 0;
        for (int j = 0; j < r; j++) {
          const float *ar = xr + (q + s * (p + j * m)) * L, *ai = xi + (q + s * (p + j * m)) * L;
          float c = cr[(j * k) % r], d = ci[(j * k) % r];
          for (int l = 0; l < L; l++)
            sr[l] += ar[l] * c - ai[l] * d, si[l] += ar[l] * d + ai[l] * c;
        }
        float ur = k ? wr[(k - 1) * m + p] : 1, ui = k ? wi[(k - 1) * m + p] : 0;
        float *or_ = yr + (q + s * (r * p + k)) * L, *oi = yi + (q + s * (r * p + k)) * L;
        for (int l = 0; l < L; l++)
          or_[l] = sr[l] * ur - si[l] * ui, oi[l] = sr[l] * ui + si[l] * ur;
      }
}

EW_CLONES void fft_stage_lanes(int r, int64_t s, int64_t m, const float *xr, const float *xi,
                               float *yr, float *yi, const float *wr, const float *wi) {
  switch (r) {
  case 2: lanes2(s, m, xr, xi, yr, yi, wr, wi); break;
  case 3: lanes3(s, m, xr, xi, yr, yi, wr, wi); break;
  case 4: lanes4(s, m, xr, xi, yr, yi, wr, wi); break;
  case 5: lanes5(s, m, xr, xi, yr, yi, wr, wi); break;
  case 8: lanes8(s, m, xr, xi, yr, yi, wr, wi); break;
  case 16: lanes16(s, m, xr, xi, yr, yi, wr, wi); break;
  default: lanes_any(r, s, m, xr, xi, yr, yi, wr, wi); break;
  }
}

EW_CLONES void
fft_stage(int r, int64_t s, int64_t m, const float *xr, const float *xi, float *yr, float *yi,
          const float *wr, const float *wi, int64_t p0, int64_t p1, int64_t q0, int64_t q1) {
  switch (r) {
  case 2: loops2(s, m, xr, xi, yr, yi, wr, wi, p0, p1, q0, q1); break;
  case 3: loops3(s, m, xr, xi, yr, yi, wr, wi, p0, p1, q0, q1); break;
  case 4: loops4(s, m, xr, xi, yr, yi, wr, wi, p0, p1, q0, q1); break;
  case 5: loops5(s, m, xr, xi, yr, yi, wr, wi, p0, p1, q0, q1); break;
  case 8: loops8(s, m, xr, xi, yr, yi, wr, wi, p0, p1, q0, q1); break;
  case 16: loops16(s, m, xr, xi, yr, yi, wr, wi, p0, p1, q0, q1); break;
  default: loops_any(r, s, m, xr, xi, yr, yi, wr, wi, p0, p1, q0, q1); break;
  }
}
