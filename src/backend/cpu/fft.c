/* FFT kernel: the transform runs one axis at a time as a pass over every 1-D line along that
 * axis (lines split over the CPU threads; a few long lines run one at a time, each transform
 * split over the threads). Lines are read from any strided layout into single precision split
 * buffers (real parts, imaginary parts), transformed with the cached plan of their length
 * (fft_plan.c; real lines of even length as complex lines of half the length) and written back
 * as complex64 / float32: FFT_LANES lines at a time side by side, one SIMD lane each (the lines
 * of a strided axis read as rows of contiguous values, those of a contiguous axis transposed
 * in tiles), or long contiguous lines one at a time.
 *   complex: the first pass reads the input, the others work in place on the output.
 *   real forward: the last axis first (float32 -> its n / 2 + 1 complex values), then in place.
 *   real inverse: the other axes into a complex scratch copy, the last axis (Hermitian
 *   completion, real part) into the output last. */
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/fft_plan.h"
#include "core/allocator.h"
#include "core/error.h"
#include "ops/fft.h"

typedef enum { LINE_C2C, LINE_R2C, LINE_C2R } line_mode;

/* LANES_MIN_G: a last batch of at most this many lines runs them one at a time (a batch costs
 * about as much as FFT_LANES lines) */
enum {
  PAR_LINE_MIN_N = 1 << 17,
  LANES_MAX_N = 4096,
  LANES_MAX_STRIDED_N = 1 << 14,
  LANES_MIN_G = 2
};

typedef struct {
  const char *src;
  char *dst;
  line_mode mode;
  int inverse;
  const fft_plan *plan;   /* complex transforms and real ones of odd length */
  const fft_plan *rplan;  /* real transforms of even length */
  bool par;               /* one line at a time, each transform split over the threads */
  bool lanes;             /* FFT_LANES lines at a time, side by side */
  int64_t lines;          /* lines in the pass */
  int64_t n;              /* transform length */
  int64_t nin, nout;      /* values read / written per line */
  int64_t sax, dax;       /* element strides along the axis */
  int nd;                 /* the other dims */
  int64_t shape[MX_MAX_NDIM], sst[MX_MAX_NDIM], dst_[MX_MAX_NDIM];
  int failed;
} line_pass;

/* A line into (re, im): complex values, or a real line's even / odd samples (even n), or real
 * values with zero imaginary parts (odd n); C2R: X[k], k < nin, zero-padded, and (odd n) the
 * Hermitian completion X[n - k] = conj(X[k]). */
#define INL static inline __attribute__((always_inline))

INL void gather_s(const line_pass *lp, int64_t so, float *re, float *im, int64_t sax) {
  int64_t n = lp->n;
  if (lp->mode == LINE_R2C) {
    const float *s = (const float *)lp->src + so;
    if (lp->rplan)
      for (int64_t k = 0; k < n / 2; k++) re[k] = s[2 * k * sax], im[k] = s[(2 * k + 1) * sax];
    else
      for (int64_t k = 0; k < n; k++) re[k] = s[k * sax], im[k] = 0;
    return;
  }
  const float *s = (const float *)lp->src + 2 * so;
  for (int64_t k = 0; k < lp->nin; k++) re[k] = s[2 * k * sax], im[k] = s[2 * k * sax + 1];
  if (lp->mode == LINE_C2C) return;
  for (int64_t k = lp->nin; k <= n / 2; k++) re[k] = im[k] = 0;
  if (!lp->rplan)
    for (int64_t k = n / 2 + 1; k < n; k++) re[k] = re[n - k], im[k] = -im[n - k];
}

INL void scatter_s(const line_pass *lp, int64_t dof, const float *re, const float *im, float scale,
               int64_t dax) {
  int64_t n = lp->n;
  if (lp->mode == LINE_C2R) {
    float *d = (float *)lp->dst + dof;
    if (lp->rplan)
      for (int64_t k = 0; k < n / 2; k++)
        d[2 * k * dax] = re[k] * scale, d[(2 * k + 1) * dax] = im[k] * scale;
    else
      for (int64_t k = 0; k < n; k++) d[k * dax] = re[k] * scale;
    return;
  }
  float *d = (float *)lp->dst + 2 * dof;
  for (int64_t k = 0; k < lp->nout; k++)
    d[2 * k * dax] = re[k] * scale, d[2 * k * dax + 1] = im[k] * scale;
}

/* (the contiguous case compiled apart: a constant stride vectorizes; contiguous complex lines
 * through the AVX-512 / AVX2 clones of fft_tile.c) */
static void gather(const line_pass *lp, int64_t so, float *re, float *im) {
  if (lp->sax == 1 && lp->mode == LINE_C2C)
    fft_split((const float *)lp->src + 2 * so, lp->nin, re, im);
  else if (lp->sax == 1)
    gather_s(lp, so, re, im, 1);
  else
    gather_s(lp, so, re, im, lp->sax);
}

static void scatter(const line_pass *lp, int64_t dof, const float *re, const float *im,
                    float scale) {
  if (lp->dax == 1 && lp->mode != LINE_C2R)
    fft_merge((float *)lp->dst + 2 * dof, lp->nout, re, im, scale);
  else if (lp->dax == 1)
    scatter_s(lp, dof, re, im, scale, 1);
  else
    scatter_s(lp, dof, re, im, scale, lp->dax);
}

static void transform(const line_pass *lp, float *re, float *im, float *work) {
  if (lp->rplan) {
    if (lp->mode == LINE_R2C)
      fft_exec_r2c(lp->rplan, re, im, work, lp->par);
    else
      fft_exec_c2r(lp->rplan, re, im, work, lp->par);
  } else if (lp->inverse) {
    fft_exec(lp->plan, im, re, work, lp->par);
  } else {
    fft_exec(lp->plan, re, im, work, lp->par);
  }
}

static void line_offsets(const line_pass *lp, int64_t l, int64_t *so, int64_t *dof) {
  *so = 0, *dof = 0;
  for (int d = lp->nd - 1; d >= 0; d--) {
    int64_t i = l % lp->shape[d];
    l /= lp->shape[d];
    *so += i * lp->sst[d], *dof += i * lp->dst_[d];
  }
}

/* ---- lanes: FFT_LANES lines transformed side by side (complex lines and real lines of even
 * length). A line is read as pairs (re, im)[k] = (v[k ps], v[k ps + io]), v the line's first
 * float: complex values (ps = 2 stride, io = 1) or a real line's even / odd samples (ps = 2
 * stride, io = stride); written back the same way. */

enum { L = FFT_LANES };

typedef struct {
  int64_t cnt;  /* pairs read / written per line */
  int64_t ps, io;
  int lw;       /* floats per element: 2 complex, 1 real */
} lane_io;

static lane_io lanes_src(const line_pass *lp) {
  bool real = lp->mode == LINE_R2C;
  return (lane_io){real ? lp->n / 2 : lp->nin, 2 * lp->sax, real ? lp->sax : 1, real ? 1 : 2};
}

static lane_io lanes_dst(const line_pass *lp) {
  bool real = lp->mode == LINE_C2R;
  return (lane_io){real ? lp->n / 2 : lp->nout, 2 * lp->dax, real ? lp->dax : 1, real ? 1 : 2};
}

/* Values per lane the transform reads (beyond cnt read: zeros). */
static int64_t lanes_rows(const line_pass *lp) {
  return lp->mode == LINE_C2C ? lp->n : lp->mode == LINE_R2C ? lp->n / 2 : lp->n / 2 + 1;
}

static void lanes_in(const line_pass *lp, const int64_t *so, int g, float *re, float *im) {
  lane_io f = lanes_src(lp);
  const float *v[L];
  bool adj = g == L;
  for (int b = 0; b < g; b++) {
    v[b] = (const float *)lp->src + f.lw * so[b];
    adj = adj && so[b] == so[0] + b;
  }
  if (adj)
    fft_rows_in(v[0], f.cnt, f.ps, f.io, f.lw, re, im);
  else if (g == L && f.ps == 2 && f.io == 1)
    fft_tile_in(v, f.cnt, re, im);
  else
    for (int b = 0; b < g; b++)
      for (int64_t k = 0; k < f.cnt; k++)
        re[k * L + b] = v[b][k * f.ps], im[k * L + b] = v[b][k * f.ps + f.io];
  int64_t rows = lanes_rows(lp);
  if (g == L && f.cnt >= rows) return;
  for (int64_t k = 0; k < rows; k++)
    for (int b = k < f.cnt ? g : 0; b < L; b++) re[k * L + b] = im[k * L + b] = 0;
}

static void lanes_out(const line_pass *lp, const int64_t *dof, int g, const float *re,
                      const float *im, float scale) {
  lane_io f = lanes_dst(lp);
  float *v[L];
  bool adj = g == L;
  for (int b = 0; b < g; b++) {
    v[b] = (float *)lp->dst + f.lw * dof[b];
    adj = adj && dof[b] == dof[0] + b;
  }
  if (adj)
    fft_rows_out(v[0], f.cnt, f.ps, f.io, f.lw, re, im, scale);
  else if (g == L && f.ps == 2 && f.io == 1)
    fft_tile_out(v, f.cnt, re, im, scale);
  else
    for (int b = 0; b < g; b++)
      for (int64_t k = 0; k < f.cnt; k++)
        v[b][k * f.ps] = re[k * L + b] * scale, v[b][k * f.ps + f.io] = im[k * L + b] * scale;
}

/* Lines l0 .. l0 + g - 1 (g <= L); buf holds 2 (n + 2) L floats, then the plan's lane work. */
static void lanes_batch(const line_pass *lp, int64_t l0, int g, float *buf, float scale) {
  int64_t so[L], dof[L], n = lp->n;
  for (int b = 0; b < g; b++) line_offsets(lp, l0 + b, &so[b], &dof[b]);
  float *re = buf, *im = buf + (n + 2) * L, *wk = buf + 2 * (n + 2) * L;
  /* the input where the plan wants it (in wk: real parts then imaginary ones, swapped for the
   * inverse) */
  const fft_plan *p = lp->mode == LINE_C2C ? lp->plan : lp->rplan->half;
  int64_t nl = p->n * L;
  bool w = lp->mode != LINE_C2R && fft_lanes_in_work(p);
  float *ir = w ? wk + (lp->inverse ? nl : 0) : re, *ii = w ? wk + (lp->inverse ? 0 : nl) : im;
  lanes_in(lp, so, g, ir, ii);
  if (lp->mode == LINE_R2C)
    fft_exec_r2c_lanes(lp->rplan, re, im, wk);
  else if (lp->mode == LINE_C2R)
    fft_exec_c2r_lanes(lp->rplan, re, im, wk);
  else if (lp->inverse)
    fft_exec_lanes_at(lp->plan, im, re, wk);
  else
    fft_exec_lanes_at(lp->plan, re, im, wk);
  lanes_out(lp, dof, g, re, im, scale);
}

/* Scratch comes from the caching allocator: a long transform's fresh malloc'd buffer (glibc maps
 * and unmaps blocks this large) cost 28 MB of page faults on every 2^20-point call. */
static float *scratch(size_t nf, mx_buffer **b) {
  *b = mx_buffer_alloc(nf * sizeof(float));
  return *b ? (float *)(*b)->ptr : NULL;
}

/* Lines [begin, end), or with lanes, batches of FFT_LANES lines [begin, end). */
static void line_task(void *ctx, int64_t begin, int64_t end) {
  line_pass *lp = ctx;
  int64_t n = lp->n;
  bool batch = lp->lanes;
  int64_t lines = batch ? L : 1;
  if (batch) begin *= L, end = end * L < lp->lines ? end * L : lp->lines;
  int64_t work = lp->rplan ? (batch ? fft_real_lwork(lp->rplan) : fft_real_work(lp->rplan))
                           : (batch ? lp->plan->lwork : lp->plan->work);
  mx_buffer *held;
  float *buf = scratch((size_t)(2 * lines * (n + 2) + work), &held);
  if (!buf) {
    lp->failed = 1;
    return;
  }
  float *re = buf, *im = buf + n + 2, *wk = buf + 2 * lines * (n + 2);
  float scale = lp->inverse ? (float)(1.0 / (double)n) : 1.0f;
  for (int64_t l = begin; l < end; l += lines) {
    int64_t g = end - l < lines ? end - l : lines;
    if (g > LANES_MIN_G) {
      lanes_batch(lp, l, (int)g, buf, scale);
      continue;
    }
    for (int64_t j = l; j < l + g; j++) { /* a line, or the few lines of a last batch */
      int64_t so, dof;
      line_offsets(lp, j, &so, &dof);
      gather(lp, so, re, im);
      transform(lp, re, im, wk);
      scatter(lp, dof, re, im, scale);
    }
  }
  mx_buffer_release(held);
}

/* Lines in lanes: complex ones and real ones of even length, at least a few of them; long
 * contiguous lines one at a time (a four-step transform runs in lanes inside). */
static bool use_lanes(const line_pass *lp, int64_t lines) {
  if (lines < 4 || (lp->mode != LINE_C2C && !lp->rplan)) return false;
  return lp->n <= (lp->sax == 1 ? LANES_MAX_N : LANES_MAX_STRIDED_N);
}

/* One pass along axis of an array of shape (the source's; the destination differs only along
 * axis), strides in elements. */
static int run_pass(line_mode mode, int inverse, int ndim, const int32_t *shape, int axis,
                    int64_t n, const void *src, const int64_t *sst, void *dst,
                    const int64_t *dstr) {
  line_pass lp = {.src = src, .dst = dst, .mode = mode, .inverse = inverse, .n = n};
  lp.nin = mode == LINE_C2R ? n / 2 + 1 : n;
  lp.nout = mode == LINE_R2C ? n / 2 + 1 : n;
  if (mode == LINE_C2R && lp.nin > shape[axis]) lp.nin = shape[axis];
  lp.sax = sst[axis], lp.dax = dstr[axis];
  int64_t lines = 1;
  for (int d = 0; d < ndim; d++) {
    if (d == axis) continue;
    lp.shape[lp.nd] = shape[d], lp.sst[lp.nd] = sst[d], lp.dst_[lp.nd] = dstr[d];
    lp.nd++;
    lines *= shape[d];
  }
  if (mode != LINE_C2C && n % 2 == 0)
    lp.rplan = fft_rplan_get(n);
  else
    lp.plan = fft_plan_get(n);
  if (!lp.plan && !lp.rplan) return mx_error("[fft] Out of memory.");
  if (lines < 4 && n >= PAR_LINE_MIN_N) {
    lp.par = true;
    line_task(&lp, 0, lines);
  } else if (use_lanes(&lp, lines)) {
    lp.lanes = true, lp.lines = lines;
    mx_ew_parallel_for((lines + L - 1) / L, 1 + (1 << 15) / ((n + 1) * L), line_task, &lp);
  } else {
    mx_ew_parallel_for(lines, 1 + (1 << 15) / (n + 1), line_task, &lp);
  }
  return lp.failed ? mx_error("[fft] Out of memory.") : 0;
}

int mx_cpu_fft(mx_node *n) {
  const mx_fft_params *p = n->params;
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (mx_array_alloc_data(out)) return MX_ERR;
  if (out->size == 0 || in->size == 0) return 0;
  int nd = in->ndim, last = p->axes[p->naxes - 1];
  int64_t ost[MX_MAX_NDIM];
  mx_row_strides(nd, out->shape, ost);
  const void *src = mx_array_data(in);
  void *dst = mx_array_data(out);
  if (!p->real) {
    MX_TRY(run_pass(LINE_C2C, p->inverse, nd, in->shape, p->axes[0], in->shape[p->axes[0]], src,
                    in->strides, dst, ost));
    for (int i = 1; i < p->naxes; i++)
      MX_TRY(run_pass(LINE_C2C, p->inverse, nd, out->shape, p->axes[i], out->shape[p->axes[i]],
                      dst, ost, dst, ost));
    return 0;
  }
  if (!p->inverse) {
    MX_TRY(run_pass(LINE_R2C, 0, nd, in->shape, last, in->shape[last], src, in->strides, dst, ost));
    for (int i = 0; i < p->naxes - 1; i++)
      MX_TRY(run_pass(LINE_C2C, 0, nd, out->shape, p->axes[i], out->shape[p->axes[i]], dst, ost,
                      dst, ost));
    return 0;
  }
  if (p->naxes == 1)
    return run_pass(LINE_C2R, 1, nd, in->shape, last, p->n_last, src, in->strides, dst, ost);
  int64_t tst[MX_MAX_NDIM];
  mx_row_strides(nd, in->shape, tst);
  mx_buffer *tmp = mx_buffer_alloc((size_t)in->size * 8);
  if (!tmp) return MX_ERR;
  int rc = 0;
  for (int i = 0; i < p->naxes - 1 && !rc; i++)
    rc = run_pass(LINE_C2C, 1, nd, in->shape, p->axes[i], in->shape[p->axes[i]],
                  i ? tmp->ptr : src, i ? tst : in->strides, tmp->ptr, tst);
  if (!rc) rc = run_pass(LINE_C2R, 1, nd, in->shape, last, p->n_last, tmp->ptr, tst, dst, ost);
  mx_buffer_release(tmp);
  return rc;
}
