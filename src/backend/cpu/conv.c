/* CPU kernel of CONVOLUTION (src/ops/conv.h): im2col + GEMM.
 *
 * The output rows (n, o...) are cut into chunks spread over the CPU worker threads. For each
 * chunk and group, a thread gathers the patch matrix (rows x K...*Cg: the input values each
 * output position sees, zero where the kernel falls on padding or between dilated inputs) into
 * a buffer that stays in cache, and multiplies it by the group's weights (mx_cpu_gemm, one
 * thread): out[rows, g*Og:(g+1)*Og] = patches @ w_g^T. A 1x1 kernel with unit stride, no
 * padding and no input dilation skips the gather (the input rows are the patches). float16 and
 * bfloat16 go through the half-precision GEMM (float32 accumulation). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/gemm.h"
#include "backend/cpu/kernels.h"
#include "core/error.h"
#include "ops/conv.h"

enum { PATCH_BYTES = 1 << 20 }; /* target size of one chunk's patch buffer */

typedef struct {
  const mx_conv_params *p;
  mx_dtype dt;
  size_t es;
  const char *x; /* (N, S..., C) through xst (elements) */
  int64_t xst[MX_CONV_MAX_SPATIAL + 2];
  const char *w; /* (O, K..., Cg) row-contiguous */
  char *out;     /* (N, OS..., O) row-contiguous */
  int nsp;
  int32_t in[MX_CONV_MAX_SPATIAL], osz[MX_CONV_MAX_SPATIAL], k[MX_CONV_MAX_SPATIAL];
  int64_t C, Cg, O, Og, G, P, Kn, Kc, M, rows; /* P: output positions, Kn: kernel positions */
  bool direct;
  atomic_int failed;
} conv_job;

/* One patch row: the input values seen by output row r for group g. */
static void patch_row(const conv_job *j, int64_t r, int64_t g, char *dst) {
  const mx_conv_params *p = j->p;
  int64_t n = r / j->P, rem = r % j->P;
  int32_t o[MX_CONV_MAX_SPATIAL] = {0};
  for (int d = j->nsp - 1; d >= 0; d--) o[d] = (int32_t)(rem % j->osz[d]), rem /= j->osz[d];
  const char *xb = j->x + (n * j->xst[0] + g * j->Cg * j->xst[j->nsp + 1]) * (int64_t)j->es;
  int64_t cst = j->xst[j->nsp + 1];
  size_t rowb = (size_t)j->Cg * j->es;
  int32_t kk[MX_CONV_MAX_SPATIAL] = {0};
  for (int64_t kp = 0; kp < j->Kn; kp++, dst += rowb) {
    int64_t off = 0;
    bool ok = true;
    for (int d = 0; d < j->nsp && ok; d++) {
      int32_t kd = p->flip ? j->k[d] - 1 - kk[d] : kk[d];
      int64_t pos = (int64_t)o[d] * p->stride[d] + (int64_t)kd * p->kdil[d] - p->pad_lo[d];
      if (pos < 0 || pos % p->idil[d])
        ok = false;
      else if ((pos /= p->idil[d]) >= j->in[d])
        ok = false;
      else
        off += pos * j->xst[d + 1];
    }
    if (!ok) {
      memset(dst, 0, rowb);
    } else if (cst == 1) {
      memcpy(dst, xb + off * (int64_t)j->es, rowb);
    } else {
      for (int64_t c = 0; c < j->Cg; c++)
        memcpy(dst + c * j->es, xb + (off + c * cst) * (int64_t)j->es, j->es);
    }
    for (int d = j->nsp - 1; d >= 0; d--) { /* next kernel position (odometer) */
      if (++kk[d] < j->k[d]) break;
      kk[d] = 0;
    }
  }
}

static void conv_chunks(void *ctx, int64_t begin, int64_t end) {
  conv_job *j = ctx;
  char *patch = NULL;
  if (!j->direct && !(patch = malloc((size_t)(j->rows * j->Kc) * j->es + 64))) {
    atomic_store(&j->failed, 1);
    return;
  }
  for (int64_t c = begin; c < end && !atomic_load(&j->failed); c++) {
    int64_t r0 = c * j->rows, nr = j->M - r0 < j->rows ? j->M - r0 : j->rows;
    for (int64_t g = 0; g < j->G; g++) {
      mx_gemm_args a;
      memset(&a, 0, sizeof a);
      a.dt = j->dt;
      a.M = nr, a.N = j->Og, a.K = j->Kc;
      if (j->direct) {
        a.a = (mx_gemm_view){j->x + (r0 * j->C + g * j->Cg) * (int64_t)j->es, j->C, 1};
      } else {
        for (int64_t r = 0; r < nr; r++)
          patch_row(j, r0 + r, g, patch + (size_t)(r * j->Kc) * j->es);
        a.a = (mx_gemm_view){patch, j->Kc, 1};
      }
      a.b = (mx_gemm_view){j->w + (g * j->Og * j->Kc) * (int64_t)j->es, 1, j->Kc};
      a.alpha = 1.0f;
      a.out = j->out + (r0 * j->O + g * j->Og) * (int64_t)j->es;
      a.ldo = j->O;
      a.max_threads = 1;
      if (mx_cpu_gemm("conv", &a)) atomic_store(&j->failed, 1);
    }
  }
  free(patch);
}

/* a itself when row-contiguous, else a contiguous copy (*tmp holds it). */
static const mx_array *dense(const mx_array *a, mx_array **tmp) {
  *tmp = NULL;
  if ((a->flags & MX_ROW_CONTIGUOUS) && a->data_size == a->size) return a;
  *tmp = mx_array_alloc(a->ndim, a->shape, (mx_dtype)a->dtype);
  if (!*tmp || mx_cpu_copy_into(*tmp, a)) return NULL;
  return *tmp;
}

int mx_cpu_conv(mx_node *n) {
  const mx_conv_params *p = n->params;
  mx_array *o = &n->out[0], *x = n->inputs[0], *wt = NULL, *xt = NULL;
  MX_TRY(mx_array_alloc_data(o));
  if (o->size == 0) return 0;
  conv_job j;
  memset(&j, 0, sizeof j);
  j.p = p;
  j.nsp = p->nsp;
  j.dt = (mx_dtype)o->dtype;
  j.es = mx_array_itemsize(o);
  j.C = x->shape[x->ndim - 1];
  j.G = p->groups;
  j.Cg = j.C / j.G;
  j.O = o->shape[o->ndim - 1];
  j.Og = j.O / j.G;
  j.P = 1, j.Kn = 1;
  bool unit = true;
  for (int d = 0; d < j.nsp; d++) {
    j.in[d] = x->shape[d + 1];
    j.osz[d] = o->shape[d + 1];
    j.k[d] = n->inputs[1]->shape[d + 1];
    j.P *= j.osz[d];
    j.Kn *= j.k[d];
    unit = unit && j.k[d] == 1 && p->stride[d] == 1 && p->idil[d] == 1 && p->pad_lo[d] == 0 &&
           p->pad_hi[d] == 0;
  }
  j.Kc = j.Kn * j.Cg;
  j.M = (int64_t)o->shape[0] * j.P;
  if (j.Kc == 0) {
    memset(mx_array_data(o), 0, mx_array_nbytes(o));
    return 0;
  }
  const mx_array *w = dense(n->inputs[1], &wt);
  if (!w) {
    mx_array_release(wt);
    return mx_error("[conv] Out of memory.");
  }
  if (unit) { /* the input rows are the patches: read them in place */
    const mx_array *xd = dense(x, &xt);
    if (!xd) {
      mx_array_release(wt);
      mx_array_release(xt);
      return mx_error("[conv] Out of memory.");
    }
    x = (mx_array *)xd;
    j.direct = true;
  }
  j.x = mx_array_data(x);
  for (int d = 0; d < x->ndim; d++) j.xst[d] = x->strides[d];
  j.w = mx_array_data(w);
  j.out = mx_array_data(o);
  int64_t rows = PATCH_BYTES / (int64_t)((size_t)j.Kc * j.es);
  j.rows = rows < 16 ? 16 : rows;
  if (j.direct && j.rows < 256) j.rows = 256;
  int64_t nchunks = (j.M + j.rows - 1) / j.rows;
  mx_ew_parallel_for(nchunks, 1, conv_chunks, &j);
  mx_array_release(wt);
  mx_array_release(xt);
  if (atomic_load(&j.failed)) return mx_error("[conv] Out of memory or unsupported dtype.");
  return 0;
}
