/* CPU kernel of CONVOLUTION (src/ops/conv.h): im2col + GEMM.
 *
 * The output rows (n, o...) are cut into chunks spread over the CPU worker threads. For each
 * chunk and group, a thread gathers the patch matrix (rows x K...*Cg: the input values each
 * output position sees, zero where the kernel falls on padding or between dilated inputs) into
 * a buffer that stays in cache, and multiplies it by the group's weights (mx_cpu_gemm, one
 * thread): out[rows, g*Og:(g+1)*Og] = patches @ w_g^T. A 1x1 kernel with unit stride, no
 * padding and no input dilation skips the gather (the input rows are the patches). float16 and
 * bfloat16 go through the half-precision GEMM (float32 accumulation).
 *
 * The weight's gradient (mode MX_CONV_WGRAD, inputs x and the cotangent y) gathers the same
 * patches and accumulates dw_g += y_chunk[:, g]^T @ patches per chunk: the rows are split in one
 * part per CPU, each summing into its own float32 (float64 for float64) copy of dw, and the
 * copies are added at the end. Half-precision chunks are widened to float32 first. */
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

/* The geometry of p for input x, output positions osz (N * P rows), kernel k, O outputs. */
static void job_init(conv_job *j, const mx_conv_params *p, const mx_array *x, const int32_t *osz,
                     const int32_t *k, int64_t O, mx_dtype dt) {
  memset(j, 0, sizeof *j);
  j->p = p;
  j->nsp = p->nsp;
  j->dt = dt;
  j->es = mx_dtype_size(dt);
  j->C = x->shape[x->ndim - 1];
  j->G = p->groups;
  j->Cg = j->C / j->G;
  j->O = O;
  j->Og = O / j->G;
  j->P = 1, j->Kn = 1;
  bool unit = true;
  for (int d = 0; d < j->nsp; d++) {
    j->in[d] = x->shape[d + 1];
    j->osz[d] = osz[d];
    j->k[d] = k[d];
    j->P *= osz[d];
    j->Kn *= k[d];
    unit = unit && k[d] == 1 && p->stride[d] == 1 && p->idil[d] == 1 && p->pad_lo[d] == 0 &&
           p->pad_hi[d] == 0;
  }
  j->direct = unit;
  j->Kc = j->Kn * j->Cg;
  j->M = (int64_t)x->shape[0] * j->P;
  for (int d = 0; d < x->ndim; d++) j->xst[d] = x->strides[d];
  j->x = mx_array_data(x);
  int64_t rows = j->Kc ? PATCH_BYTES / (int64_t)((size_t)j->Kc * j->es) : 256;
  j->rows = rows < 16 ? 16 : rows;
  if (j->direct && j->rows < 256) j->rows = 256;
}

/* ---- the weight's gradient ---- */

typedef struct {
  conv_job j;
  const char *y; /* (M, O) row-contiguous */
  char *acc;     /* nparts blocks of O x Kc, of dtype adt */
  mx_dtype adt;
  int64_t nparts;
} wgrad_job;

/* dst (nr x cols, float32) = src rows (stride ld elements) of half dtype dt. */
static void widen(float *dst, const uint16_t *src, int64_t nr, int64_t cols, int64_t ld,
                  mx_dtype dt) {
  for (int64_t r = 0; r < nr; r++, dst += cols, src += ld)
    for (int64_t c = 0; c < cols; c++)
      dst[c] = dt == MX_BFLOAT16 ? mx_bf16_to_f32(src[c]) : mx_f16_to_f32(src[c]);
}

static void wgrad_parts(void *ctx, int64_t begin, int64_t end) {
  wgrad_job *wj = ctx;
  conv_job *j = &wj->j;
  bool half = wj->adt != j->dt;
  size_t as = mx_dtype_size(wj->adt), pbytes = (size_t)(j->rows * j->Kc) * j->es;
  char *patch = j->direct ? NULL : malloc(pbytes + 64);
  float *pw = half ? malloc((size_t)(j->rows * j->Kc) * sizeof(float) + 64) : NULL;
  float *yw = half ? malloc((size_t)(j->rows * j->O) * sizeof(float) + 64) : NULL;
  if ((!j->direct && !patch) || (half && (!pw || !yw))) {
    atomic_store(&j->failed, 1);
    begin = end;
  }
  for (int64_t t = begin; t < end; t++) {
    char *acc = wj->acc + (size_t)(t * j->O * j->Kc) * as;
    int64_t lo = t * j->M / wj->nparts, hi = (t + 1) * j->M / wj->nparts;
    for (int64_t r0 = lo; r0 < hi && !atomic_load(&j->failed); r0 += j->rows) {
      int64_t nr = hi - r0 < j->rows ? hi - r0 : j->rows;
      if (half) widen(yw, (const uint16_t *)wj->y + r0 * j->O, nr, j->O, j->O, j->dt);
      for (int64_t g = 0; g < j->G; g++) {
        mx_gemm_args a;
        memset(&a, 0, sizeof a);
        a.dt = wj->adt;
        a.M = j->Og, a.N = j->Kc, a.K = nr;
        const char *xs = j->x + (r0 * j->C + g * j->Cg) * (int64_t)j->es;
        int64_t ld = j->C;
        if (!j->direct) {
          for (int64_t r = 0; r < nr; r++)
            patch_row(j, r0 + r, g, patch + (size_t)(r * j->Kc) * j->es);
          xs = patch, ld = j->Kc;
        }
        if (half) {
          widen(pw, (const uint16_t *)xs, nr, j->Kc, ld, j->dt);
          a.b = (mx_gemm_view){pw, j->Kc, 1};
          a.a = (mx_gemm_view){yw + g * j->Og, 1, j->O};
        } else {
          a.b = (mx_gemm_view){xs, ld, 1};
          a.a = (mx_gemm_view){wj->y + (r0 * j->O + g * j->Og) * (int64_t)j->es, 1, j->O};
        }
        a.alpha = 1.0f, a.beta = 1.0f;
        a.out = acc + (size_t)(g * j->Og * j->Kc) * as;
        a.c = (mx_gemm_view){a.out, j->Kc, 1};
        a.ldo = j->Kc;
        a.max_threads = 1;
        if (mx_cpu_gemm("conv", &a)) atomic_store(&j->failed, 1);
      }
    }
  }
  free(patch);
  free(pw);
  free(yw);
}

static int conv_wgrad(mx_node *n, const mx_array *y) {
  const mx_conv_params *p = n->params;
  mx_array *o = &n->out[0], *x = n->inputs[0], *xt = NULL;
  wgrad_job wj;
  memset(&wj, 0, sizeof wj);
  job_init(&wj.j, p, x, y->shape + 1, p->ksz, y->shape[y->ndim - 1], (mx_dtype)o->dtype);
  conv_job *j = &wj.j;
  if (j->direct) {
    const mx_array *xd = dense(x, &xt);
    if (!xd) {
      mx_array_release(xt);
      return mx_error("[conv] Out of memory.");
    }
    j->x = mx_array_data(xd);
  }
  wj.y = mx_array_data(y);
  wj.adt = j->dt == MX_FLOAT64 ? MX_FLOAT64 : MX_FLOAT32;
  int64_t nchunks = (j->M + j->rows - 1) / j->rows;
  int64_t nthreads = mx_ew_num_threads();
  wj.nparts = nchunks < nthreads ? nchunks : nthreads;
  if (wj.nparts < 1) wj.nparts = 1;
  size_t as = mx_dtype_size(wj.adt), sz = (size_t)(j->O * j->Kc);
  wj.acc = calloc((size_t)wj.nparts * sz, as);
  if (!wj.acc) {
    mx_array_release(xt);
    return mx_error("[conv] Out of memory.");
  }
  if (j->M > 0) mx_ew_parallel_for(wj.nparts, 1, wgrad_parts, &wj);
  mx_array_release(xt);
  if (atomic_load(&j->failed)) {
    free(wj.acc);
    return mx_error("[conv] Out of memory or unsupported dtype.");
  }
  char *dst = mx_array_data(o);
  for (size_t i = 0; i < sz; i++) {
    double v = 0;
    float f = 0;
    for (int64_t t = 0; t < wj.nparts; t++)
      if (as == 8)
        v += ((const double *)wj.acc)[t * sz + i];
      else
        f += ((const float *)wj.acc)[t * sz + i];
    if (j->dt == MX_FLOAT64)
      ((double *)dst)[i] = v;
    else if (j->dt == MX_FLOAT32)
      ((float *)dst)[i] = f;
    else
      ((uint16_t *)dst)[i] = j->dt == MX_BFLOAT16 ? mx_f32_to_bf16(f) : mx_f32_to_f16(f);
  }
  free(wj.acc);
  return 0;
}

int mx_cpu_conv(mx_node *n) {
  const mx_conv_params *p = n->params;
  mx_array *o = &n->out[0], *x = n->inputs[0], *wt = NULL, *xt = NULL;
  MX_TRY(mx_array_alloc_data(o));
  if (o->size == 0) return 0;
  if (p->mode == MX_CONV_WGRAD) {
    const mx_array *y = dense(n->inputs[1], &wt);
    int rc = y ? conv_wgrad(n, y) : mx_error("[conv] Out of memory.");
    mx_array_release(wt);
    return rc;
  }
  conv_job j;
  job_init(&j, p, x, o->shape + 1, n->inputs[1]->shape + 1, o->shape[o->ndim - 1],
           (mx_dtype)o->dtype);
  if (j.Kc == 0) {
    memset(mx_array_data(o), 0, mx_array_nbytes(o));
    return 0;
  }
  const mx_array *w = dense(n->inputs[1], &wt);
  if (!w) {
    mx_array_release(wt);
    return mx_error("[conv] Out of memory.");
  }
  if (j.direct) { /* the input rows are the patches: read them in place */
    const mx_array *xd = dense(x, &xt);
    if (!xd) {
      mx_array_release(wt);
      mx_array_release(xt);
      return mx_error("[conv] Out of memory.");
    }
    j.x = mx_array_data(xd);
  }
  j.w = mx_array_data(w);
  j.out = mx_array_data(o);
  int64_t nchunks = (j.M + j.rows - 1) / j.rows;
  mx_ew_parallel_for(nchunks, 1, conv_chunks, &j);
  mx_array_release(wt);
  mx_array_release(xt);
  if (atomic_load(&j.failed)) return mx_error("[conv] Out of memory or unsupported dtype.");
  return 0;
}
