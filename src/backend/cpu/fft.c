/* FFT kernel: the transform runs one axis at a time as a pass over every 1-D line along that
 * axis (lines split over the CPU threads). A line is read from any strided layout into a double
 * precision buffer, transformed (fft_plan.c) and written back as complex64 / float32.
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

typedef struct {
  const char *src;
  char *dst;
  line_mode mode;
  int inverse;
  const fft_plan *plan;
  int64_t n;              /* transform length */
  int64_t nin, nout;      /* values read / written per line */
  int64_t sax, dax;       /* element strides along the axis */
  int nd;                 /* the other dims */
  int64_t shape[MX_MAX_NDIM], sst[MX_MAX_NDIM], dst_[MX_MAX_NDIM];
  int failed;
} line_pass;

static void line_task(void *ctx, int64_t begin, int64_t end) {
  line_pass *lp = ctx;
  int64_t n = lp->n;
  cplx *buf = malloc((size_t)(n + lp->plan->work) * sizeof(cplx));
  if (!buf) {
    lp->failed = 1;
    return;
  }
  cplx *work = buf + n;
  double scale = lp->inverse ? 1.0 / (double)n : 1.0;
  for (int64_t l = begin; l < end; l++) {
    int64_t so = 0, dof = 0, r = l;
    for (int d = lp->nd - 1; d >= 0; d--) {
      int64_t i = r % lp->shape[d];
      r /= lp->shape[d];
      so += i * lp->sst[d], dof += i * lp->dst_[d];
    }
    if (lp->mode == LINE_R2C) {
      const float *s = (const float *)lp->src + so;
      for (int64_t k = 0; k < n; k++) buf[k] = s[k * lp->sax];
    } else {
      const float *s = (const float *)lp->src + 2 * so;
      int64_t h = lp->nin;
      for (int64_t k = 0; k < h; k++) {
        const float *v = s + 2 * k * lp->sax;
        buf[k] = v[0] + I * (double)v[1];
      }
      if (lp->mode == LINE_C2R) /* X[n - k] = conj(X[k]) */
        for (int64_t k = h; k < n; k++) buf[k] = conj(buf[n - k]);
    }
    if (lp->inverse) {
      for (int64_t k = 0; k < n; k++) buf[k] = conj(buf[k]);
      fft_exec(lp->plan, buf, work);
      for (int64_t k = 0; k < n; k++) buf[k] = conj(buf[k]) * scale;
    } else {
      fft_exec(lp->plan, buf, work);
    }
    if (lp->mode == LINE_C2R) {
      float *d = (float *)lp->dst + dof;
      for (int64_t k = 0; k < n; k++) d[k * lp->dax] = (float)creal(buf[k]);
    } else {
      float *d = (float *)lp->dst + 2 * dof;
      for (int64_t k = 0; k < lp->nout; k++) {
        d[2 * k * lp->dax] = (float)creal(buf[k]);
        d[2 * k * lp->dax + 1] = (float)cimag(buf[k]);
      }
    }
  }
  free(buf);
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
  fft_plan *plan = fft_plan_new(n);
  if (!plan) return mx_error("[fft] Out of memory.");
  lp.plan = plan;
  int64_t grain = 1 + (1 << 15) / (n + 1);
  mx_ew_parallel_for(lines, grain, line_task, &lp);
  fft_plan_free(plan);
  return lp.failed ? mx_error("[fft] Out of memory.") : 0;
}

static void row_strides(int ndim, const int32_t *shape, int64_t *st) {
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) st[d] = s, s *= shape[d];
}

int mx_cpu_fft(mx_node *n) {
  const mx_fft_params *p = n->params;
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (mx_array_alloc_data(out)) return MX_ERR;
  if (out->size == 0 || in->size == 0) return 0;
  int nd = in->ndim, last = p->axes[p->naxes - 1];
  int64_t ost[MX_MAX_NDIM];
  row_strides(nd, out->shape, ost);
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
  row_strides(nd, in->shape, tst);
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
