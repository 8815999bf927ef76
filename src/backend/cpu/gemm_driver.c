/* mx_cpu_gemm: one product out = alpha * A @ B + beta * C for every inexact dtype (gemm.h).
 * float32 / float64 / complex64 go to OpenBLAS; float16 / bfloat16 to the packed AVX-512
 * kernels (gemm_pack.c), or, on CPUs without AVX-512, through float32 copies and sgemm. */
#include <cblas.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/blas_threads.h"
#include "backend/cpu/elementwise.h"
#include "backend/cpu/gemm.h"
#include "backend/cpu/strided.h"
#include "core/error.h"

/* ------------------------------------------------------------------ instruction sets */

static atomic_int isa_cpu = -1; /* what the CPU (and OS) support */
static atomic_int isa_cap = -1; /* cap from MLXC_GEMM / mx_gemm_isa_set */

static int detect_cpu(void) {
  __builtin_cpu_init();
  if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("fma")))
    return MX_GEMM_ISA_GENERIC;
  /* F16C has no __builtin_cpu_supports name in older compilers; every AVX-512 CPU has it. */
  if (__builtin_cpu_supports("avx512bf16"))
    return mx_gemm_amx_available() ? MX_GEMM_ISA_AMX : MX_GEMM_ISA_AVX512BF16;
  return MX_GEMM_ISA_AVX512;
}

static int env_cap(void) {
  const char *e = getenv("MLXC_GEMM");
  if (!e || !*e) return MX_GEMM_ISA_AMX;
  if (!strcmp(e, "generic")) return MX_GEMM_ISA_GENERIC;
  if (!strcmp(e, "avx512")) return MX_GEMM_ISA_AVX512;
  if (!strcmp(e, "avx512bf16")) return MX_GEMM_ISA_AVX512BF16;
  return MX_GEMM_ISA_AMX;
}

mx_gemm_isa mx_gemm_isa_get(void) {
  int cpu = atomic_load(&isa_cpu);
  if (cpu < 0) {
    cpu = detect_cpu();
    atomic_store(&isa_cpu, cpu);
  }
  int cap = atomic_load(&isa_cap);
  if (cap < 0) {
    cap = env_cap();
    atomic_store(&isa_cap, cap);
  }
  return (mx_gemm_isa)(cpu < cap ? cpu : cap);
}

mx_gemm_isa mx_gemm_isa_set(mx_gemm_isa isa) {
  atomic_store(&isa_cap, (int)isa);
  return mx_gemm_isa_get();
}

/* ------------------------------------------------------------------ threads */

typedef struct {
  void (*fn)(void *, int, int);
  void *ctx;
  int n;
} team;

static void team_range(void *p, int64_t t0, int64_t t1) {
  const team *k = (const team *)p;
  for (int64_t t = t0; t < t1; t++) k->fn(k->ctx, (int)t, k->n);
}

/* Over the worker pool: starting threads per call (as this did before) cost a 1 x 4096 x 4096
 * bfloat16 product 0.9 of its 1.6 ms (bench/matmul.py). */
int mx_gemm_parallel(void (*fn)(void *ctx, int t, int n), void *ctx, int n) {
  enum { MAXT = 8 };
  if (n > MAXT) n = MAXT;
  if (n <= 1) {
    fn(ctx, 0, 1);
    return 1;
  }
  team k = {fn, ctx, n};
  mx_ew_parallel_for(n, 1, team_range, &k);
  return n;
}

/* ------------------------------------------------------------------ helpers */

/* Can BLAS read the rows x cols matrix with these strides, and how. */
static bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, bool *trans,
                        int64_t *ld) {
  int64_t mc = cols > 1 ? cols : 1, mr = rows > 1 ? rows : 1;
  if (cols == 1 || cs == 1) { /* element (i, j) at i * ld + j */
    int64_t l = rows == 1 ? mc : rs;
    if (l >= mc && l <= INT_MAX) {
      *trans = false;
      *ld = l;
      return true;
    }
  }
  if (rows == 1 || rs == 1) { /* element (i, j) at j * ld + i */
    int64_t l = cols == 1 ? mr : cs;
    if (l >= mr && l <= INT_MAX) {
      *trans = true;
      *ld = l;
      return true;
    }
  }
  return false;
}

/* Copies the rows x cols view v (dtype st) into the row-major buffer dst (dtype dt, row
 * stride ld). */
static void copy_view(void *dst, mx_dtype dt, int64_t ld, const mx_gemm_view *v, mx_dtype st,
                      int64_t rows, int64_t cols) {
  size_t dsz = mx_dtype_size(dt), ssz = mx_dtype_size(st);
  if (rows <= 0 || cols <= 0) return;
  if (ld == cols && rows <= INT32_MAX && cols <= INT32_MAX) {
    int32_t shape[2] = {(int32_t)rows, (int32_t)cols};
    int64_t strides[2] = {v->rs, v->cs};
    mx_cpu_copy_strided(dst, dt, v->ptr, st, 2, shape, strides);
    return;
  }
  for (int64_t i = 0; i < rows; i++)
    mx_cpu_convert((const char *)v->ptr + i * v->rs * (int64_t)ssz, st, v->cs,
                   (char *)dst + i * ld * (int64_t)dsz, dt, 1, cols);
}

/* out = beta * C (or 0) for K == 0 and the generic paths' C preload. */
static void fill_c(const mx_gemm_args *g, void *out, mx_dtype odt, int64_t ldo, float beta) {
  size_t osz = mx_dtype_size(odt);
  bool has_c = g->c.ptr && beta != 0.0f;
  for (int64_t i = 0; i < g->M; i++) {
    char *row = (char *)out + i * ldo * (int64_t)osz;
    if (!has_c) {
      memset(row, 0, (size_t)g->N * osz);
      continue;
    }
    mx_cpu_convert((const char *)g->c.ptr + i * g->c.rs * (int64_t)mx_dtype_size(g->dt), g->dt,
                   g->c.cs, row, odt, 1, g->N);
    if (beta != 1.0f) {
      if (odt == MX_FLOAT64) {
        double *d = (double *)row;
        for (int64_t j = 0; j < g->N; j++) d[j] *= beta;
      } else { /* float32, complex64 (as 2N floats) */
        float *f = (float *)row;
        int64_t n = odt == MX_COMPLEX64 ? 2 * g->N : g->N;
        for (int64_t j = 0; j < n; j++) f[j] *= beta;
      }
    }
  }
}

/* ------------------------------------------------------------------ BLAS path */

typedef struct {
  const void *p;
  bool trans;
  int64_t ld;
  void *tmp;
} blas_op;

static int blas_operand(const char *op, blas_op *o, const mx_gemm_view *v, mx_dtype vdt,
                        mx_dtype cdt, int64_t rows, int64_t cols) {
  o->tmp = NULL;
  if (vdt == cdt && blas_layout(rows, cols, v->rs, v->cs, &o->trans, &o->ld)) {
    o->p = v->ptr;
    return 0;
  }
  size_t nb = (size_t)rows * (size_t)cols * mx_dtype_size(cdt);
  o->tmp = malloc(nb ? nb : 1);
  if (!o->tmp) return mx_error("[%s] Out of memory allocating %zu bytes.", op, nb);
  o->p = o->tmp;
  bool tr = false;
  int64_t ld = 0;
  if (blas_layout(rows, cols, v->rs, v->cs, &tr, &ld) && tr && rows > 1 && cols > 1) {
    /* column-major source (a transposed view): convert it as it lies, read it transposed */
    mx_gemm_view t = {v->ptr, v->cs, v->rs};
    copy_view(o->tmp, cdt, rows, &t, vdt, cols, rows);
    o->trans = true;
    o->ld = rows;
    return 0;
  }
  copy_view(o->tmp, cdt, cols, v, vdt, rows, cols);
  o->trans = false;
  o->ld = cols > 1 ? cols : 1;
  return 0;
}

/* y = alpha * op(M) x + beta * y for a matrix stored with (trans, ld) as rows x cols. */
static void gemv_call(mx_dtype cdt, bool trans, int64_t rows, int64_t cols, float alpha,
                      const void *Mp, int64_t ld, const void *x, int64_t incx, float beta, void *y,
                      int64_t incy) {
  /* stored row-major as (trans ? cols x rows : rows x cols) */
  enum CBLAS_TRANSPOSE T = trans ? CblasTrans : CblasNoTrans;
  int r = (int)(trans ? cols : rows), c = (int)(trans ? rows : cols);
  switch (cdt) {
  case MX_FLOAT64:
    cblas_dgemv(CblasRowMajor, T, r, c, (double)alpha, (const double *)Mp, (int)ld,
                (const double *)x, (int)incx, (double)beta, (double *)y, (int)incy);
    break;
  case MX_COMPLEX64: {
    const float al[2] = {alpha, 0.0f}, be[2] = {beta, 0.0f};
    cblas_cgemv(CblasRowMajor, T, r, c, al, Mp, (int)ld, x, (int)incx, be, y, (int)incy);
    break;
  }
  default:
    cblas_sgemv(CblasRowMajor, T, r, c, alpha, (const float *)Mp, (int)ld, (const float *)x,
                (int)incx, beta, (float *)y, (int)incy);
    break;
  }
}

/* One s/d/cgemm call on row-major operands. */
static void gemm_call(mx_dtype cdt, enum CBLAS_TRANSPOSE TA, enum CBLAS_TRANSPOSE TB, int64_t M,
                      int64_t N, int64_t K, float alpha, const void *A, int64_t lda, const void *B,
                      int64_t ldb, float beta, void *C, int64_t ldc) {
  switch (cdt) {
  case MX_FLOAT64:
    cblas_dgemm(CblasRowMajor, TA, TB, (int)M, (int)N, (int)K, (double)alpha, (const double *)A,
                (int)lda, (const double *)B, (int)ldb, (double)beta, (double *)C, (int)ldc);
    break;
  case MX_COMPLEX64: {
    const float al[2] = {alpha, 0.0f}, be[2] = {beta, 0.0f};
    cblas_cgemm(CblasRowMajor, TA, TB, (int)M, (int)N, (int)K, al, A, (int)lda, B, (int)ldb, be, C,
                (int)ldc);
    break;
  }
  default:
    cblas_sgemm(CblasRowMajor, TA, TB, (int)M, (int)N, (int)K, alpha, (const float *)A, (int)lda,
                (const float *)B, (int)ldb, beta, (float *)C, (int)ldc);
    break;
  }
}

/* Our BLAS calls run OpenBLAS single-threaded: large products and matrix-vector products are
 * split into one block of rows (or columns) per CPU pool thread instead, each block one BLAS call.
 * OpenBLAS's own threads spin in sched_yield between and ~0.1 s after their calls; on 2 shared
 * cores that spinning took a quarter of the CPU time of the example training steps from the
 * elementwise kernels running in between (perf). */
typedef struct {
  mx_dtype cdt;
  int64_t esz, len; /* element size; rows (or columns) to split */
  float alpha, beta;
  bool gemv, by_rows;
  /* gemm: C = alpha op(A) op(B) + beta C, split by rows of op(A) or columns of op(B) */
  enum CBLAS_TRANSPOSE TA, TB;
  int64_t M, N, K, lda, ldb, ldc;
  const char *A, *B;
  char *C;
  /* gemv: y = alpha op(Mat) x + beta y, op(Mat) len x K stored as in gemv_call, split by rows
   * of op(Mat) */
  bool trans;
  int64_t ld, incx, incy;
  const char *Mat, *x;
  char *y;
} blas_blocks;

enum { SPLIT_UNIT = 16 }; /* rows or columns per work item */

static void blas_blocks_task(void *ctx, int64_t u0, int64_t u1) {
  const blas_blocks *s = (const blas_blocks *)ctx;
  int64_t lo = u0 * SPLIT_UNIT, n = (u1 * SPLIT_UNIT < s->len ? u1 * SPLIT_UNIT : s->len) - lo;
  if (s->gemv) {
    const char *m = s->Mat + lo * (s->trans ? 1 : s->ld) * s->esz;
    gemv_call(s->cdt, s->trans, n, s->K, s->alpha, m, s->ld, s->x, s->incx, s->beta,
              s->y + lo * s->incy * s->esz, s->incy);
  } else if (s->by_rows) { /* rows lo.. of op(A) and of C */
    const char *a = s->A + lo * (s->TA == CblasNoTrans ? s->lda : 1) * s->esz;
    gemm_call(s->cdt, s->TA, s->TB, n, s->N, s->K, s->alpha, a, s->lda, s->B, s->ldb, s->beta,
              s->C + lo * s->ldc * s->esz, s->ldc);
  } else { /* columns lo.. of op(B) and of C */
    const char *b = s->B + lo * (s->TB == CblasNoTrans ? 1 : s->ldb) * s->esz;
    gemm_call(s->cdt, s->TA, s->TB, s->M, n, s->K, s->alpha, s->A, s->lda, b, s->ldb, s->beta,
              s->C + lo * s->esz, s->ldc);
  }
}

/* Products below this many multiply-adds (matrix-vector: matrix elements) stay on one thread. */
#define PARALLEL_MIN_MACS (1LL << 23)
#define PARALLEL_MIN_GEMV (1LL << 20)
/* Pools up to this many threads split products themselves; larger machines keep OpenBLAS's
 * threading (not measured there). */
#define SPLIT_MAX_THREADS 4

/* Runs s: two blocks per pool thread when parallel (a thread slowed by other load leaves its
 * second block to the others), of at least 128 rows (every call packs all of the other operand,
 * and OpenBLAS's kernels lose speed on thin blocks: blocks of 32 rows ran 512^3 at half speed). */
static void run_blas_blocks(blas_blocks *s, bool parallel) {
  int64_t units = (s->len + SPLIT_UNIT - 1) / SPLIT_UNIT;
  int pool = mx_ew_num_threads();
  if (pool > SPLIT_MAX_THREADS) {
    blas_blocks_task(s, 0, units);
    return;
  }
  mx_blas_single_begin();
  int64_t grain = (units + 2 * pool - 1) / (2 * pool);
  if (grain < 8) grain = 8;
  if (parallel && pool >= 2)
    mx_ew_parallel_for(units, grain, blas_blocks_task, s);
  else
    blas_blocks_task(s, 0, units);
  mx_blas_single_end();
}

/* M == 1: out row = a @ B, i.e. B^T a; N == 1: out column = A @ b. */
static void gemv(mx_dtype cdt, const mx_gemm_args *g, const blas_op *A, const blas_op *B, void *C,
                 int64_t ldc, float beta) {
  blas_blocks s = {.cdt = cdt,
                   .esz = (int64_t)mx_dtype_size(cdt),
                   .alpha = g->alpha,
                   .beta = beta,
                   .gemv = true,
                   .y = (char *)C};
  if (g->M == 1) {
    /* y = op(B)^T x: B is K x N; as a gemv matrix it is N x K = B^T; a's element k: (0, k), at k
     * (row-major) or k * ld (stored transposed) */
    s.trans = !B->trans, s.len = g->N, s.K = g->K, s.Mat = (const char *)B->p, s.ld = B->ld;
    s.x = (const char *)A->p, s.incx = A->trans ? A->ld : 1, s.incy = 1;
  } else { /* b's element k: (k, 0) */
    s.trans = A->trans, s.len = g->M, s.K = g->K, s.Mat = (const char *)A->p, s.ld = A->ld;
    s.x = (const char *)B->p, s.incx = B->trans ? 1 : B->ld, s.incy = ldc;
  }
  run_blas_blocks(&s,
                  g->max_threads != 1 && (double)s.len * (double)s.K >= (double)PARALLEL_MIN_GEMV);
}

/* C (compute dtype cdt, row-major, ldc) = alpha * A @ B + beta * C, A/B of dtype vdt. */
static int blas_gemm(const char *op, const mx_gemm_args *g, mx_dtype vdt, mx_dtype cdt, void *C,
                     int64_t ldc, float beta) {
  blas_op A = {NULL, false, 0, NULL}, B = A;
  int rc = blas_operand(op, &A, &g->a, vdt, cdt, g->M, g->K);
  if (!rc) rc = blas_operand(op, &B, &g->b, vdt, cdt, g->K, g->N);
  if (!rc && (g->M == 1 || g->N == 1)) {
    /* matrix-vector: OpenBLAS's gemm does not forward these to gemv (and is ~10x slower) */
    gemv(cdt, g, &A, &B, C, ldc, beta);
  } else if (!rc) {
    blas_blocks s = {.cdt = cdt,
                     .esz = (int64_t)mx_dtype_size(cdt),
                     .alpha = g->alpha,
                     .beta = beta,
                     .by_rows = g->M >= g->N,
                     .TA = A.trans ? CblasTrans : CblasNoTrans,
                     .TB = B.trans ? CblasTrans : CblasNoTrans,
                     .M = g->M,
                     .N = g->N,
                     .K = g->K,
                     .lda = A.ld,
                     .ldb = B.ld,
                     .ldc = ldc,
                     .A = (const char *)A.p,
                     .B = (const char *)B.p,
                     .C = (char *)C};
    s.len = s.by_rows ? g->M : g->N;
    double macs = (double)g->M * (double)g->N * (double)g->K;
    run_blas_blocks(&s, g->max_threads != 1 && macs >= (double)PARALLEL_MIN_MACS);
  }
  free(A.tmp);
  free(B.tmp);
  return rc;
}

/* ------------------------------------------------------------------ entry */

int mx_cpu_gemm(const char *op, const mx_gemm_args *g) {
  mx_dtype dt = g->dt;
  if (dt != MX_FLOAT16 && dt != MX_BFLOAT16 && dt != MX_FLOAT32 && dt != MX_FLOAT64 &&
      dt != MX_COMPLEX64)
    return mx_error("[%s] Unsupported dtype %s.", op, mx_dtype_name(dt));
  if (g->M <= 0 || g->N <= 0) return 0;
  if (g->M > INT_MAX || g->N > INT_MAX || g->K > INT_MAX || g->ldo > INT_MAX)
    return mx_error("[%s] Matrix dimensions are too large.", op);
  float beta = g->c.ptr ? g->beta : 0.0f;
  if (g->K <= 0) {
    if (dt == MX_FLOAT16 || dt == MX_BFLOAT16) {
      /* through float32 so beta * C rounds once */
      float *tmp = malloc((size_t)g->M * (size_t)g->N * sizeof(float));
      if (!tmp) return mx_error("[%s] Out of memory.", op);
      fill_c(g, tmp, MX_FLOAT32, g->N, beta);
      for (int64_t i = 0; i < g->M; i++)
        mx_cpu_convert(tmp + i * g->N, MX_FLOAT32, 1, (char *)g->out + i * g->ldo * 2, dt, 1, g->N);
      free(tmp);
    } else {
      fill_c(g, g->out, dt, g->ldo, beta);
    }
    return 0;
  }

  if (dt == MX_FLOAT16 || dt == MX_BFLOAT16) {
    mx_gemm_isa isa = mx_gemm_isa_get();
    if (isa >= MX_GEMM_ISA_AVX512) {
      int nt = g->max_threads > 0 ? g->max_threads : 2;
      if ((double)g->M * (double)g->N * (double)g->K < (double)PARALLEL_MIN_MACS) nt = 1;
      /* bfloat16 on AMX from 32 rows; from 9 once the product has 2^18 multiply-adds (16 x 4096
       * x 4096: 6.4 -> 2.2 ms against the packed AVX-512 kernel); x @ W.T (W read in place, see
       * gemm_amx.c) from 2 rows once W has 2^18 elements. float16 (split into bfloat16 hi + lo,
       * packed at twice the size) from 32 rows: at 16 rows x 4096 x 4096 the two kernels are even
       * (HALF=float16 bench/gemm_bf16.c), packing the weight costing what the AVX-512 product does.
       * Below these, and for 2-8 rows of other layouts, the AVX-512 kernels are quicker. */
      double nk = (double)g->N * (double)g->K;
      bool amx_rows =
          g->M >= 32 || (dt == MX_BFLOAT16 && g->M >= 9 && (double)g->M * nk >= 262144.0) ||
          (dt == MX_BFLOAT16 && g->M >= 2 && nk >= 262144.0 && mx_gemm_amx_transposes(g));
      if (isa >= MX_GEMM_ISA_AMX && amx_rows && g->N >= 32 && g->K >= 32) {
        int rc = mx_gemm_amx(op, g);
        if (rc != MX_GEMM_DECLINED) return rc;
      }
      if (mx_gemm_half_small_ok(g)) {
        /* bound by reading B: two threads once B is large */
        bool two = (double)g->N * (double)g->K >= (double)(1 << 20) && g->max_threads != 1;
        return mx_gemm_half_small(op, g, isa, two ? 2 : 1);
      }
      return mx_gemm_half_packed(op, g, isa, nt);
    }
    /* portable: float32 copies of everything, sgemm, one rounding at the end */
    size_t nb = (size_t)g->M * (size_t)g->N * sizeof(float);
    float *tmp = malloc(nb ? nb : 1);
    if (!tmp) return mx_error("[%s] Out of memory allocating %zu bytes.", op, nb);
    if (beta != 0.0f) fill_c(g, tmp, MX_FLOAT32, g->N, 1.0f);
    int rc = blas_gemm(op, g, dt, MX_FLOAT32, tmp, g->N, beta);
    if (!rc)
      for (int64_t i = 0; i < g->M; i++)
        mx_cpu_convert(tmp + i * g->N, MX_FLOAT32, 1, (char *)g->out + i * g->ldo * 2, dt, 1, g->N);
    free(tmp);
    return rc;
  }

  /* float32 / float64 / complex64: BLAS writes out directly; C is preloaded into out. */
  if (beta != 0.0f) {
    size_t sz = mx_dtype_size(dt);
    bool same = g->c.ptr == g->out && g->c.cs == 1 && g->c.rs == g->ldo;
    (void)sz;
    if (!same) fill_c(g, g->out, dt, g->ldo, 1.0f);
  }
  return blas_gemm(op, g, dt, dt, g->out, g->ldo, beta);
}

/* ------------------------------------------------------------------ batches */

typedef struct {
  const char *op;
  const mx_gemm_args *proto;
  const int64_t *aoff, *boff, *coff;
  int64_t nbatch, out_step;
  int rc[2];
  atomic_int failed; /* pool path: a product failed (out of memory) */
} batch_ctx;

/* Product b of the batch; single: on one thread. */
static int batch_one(const batch_ctx *x, int64_t b, bool single) {
  size_t isz = mx_dtype_size(x->proto->dt);
  mx_gemm_args g = *x->proto;
  g.a.ptr = (const char *)g.a.ptr + x->aoff[b] * (int64_t)isz;
  g.b.ptr = (const char *)g.b.ptr + x->boff[b] * (int64_t)isz;
  if (g.c.ptr && x->coff) g.c.ptr = (const char *)g.c.ptr + x->coff[b] * (int64_t)isz;
  g.out = (char *)g.out + b * x->out_step * (int64_t)isz;
  if (single) g.max_threads = 1;
  return mx_cpu_gemm(x->op, &g);
}

static void batch_task(void *ctx, int t, int n) {
  batch_ctx *x = (batch_ctx *)ctx;
  int64_t b0 = x->nbatch * t / n, b1 = x->nbatch * (t + 1) / n;
  for (int64_t b = b0; b < b1 && !x->rc[t]; b++) x->rc[t] = batch_one(x, b, n > 1);
}

/* Batches of at least BATCH_MIN_MACS multiply-adds, on up to SPLIT_MAX_THREADS pool threads. */
#define BATCH_MIN_MACS (1LL << 21)

static void batch_pool_task(void *ctx, int64_t b0, int64_t b1) {
  batch_ctx *x = (batch_ctx *)ctx;
  for (int64_t b = b0; b < b1 && !atomic_load(&x->failed); b++)
    if (batch_one(x, b, true)) atomic_store(&x->failed, 1);
}

int mx_cpu_gemm_batched(const char *op, const mx_gemm_args *proto, int64_t nbatch,
                        const int64_t *aoff, const int64_t *boff, const int64_t *coff,
                        int64_t out_step) {
  if (nbatch <= 0) return 0;
  batch_ctx x = {.op = op,
                 .proto = proto,
                 .aoff = aoff,
                 .boff = boff,
                 .coff = coff,
                 .nbatch = nbatch,
                 .out_step = out_step};
  atomic_init(&x.failed, 0);
  mx_dtype dt = proto->dt;
  double macs = (double)proto->M * (double)proto->N * (double)(proto->K > 0 ? proto->K : 1);
  /* Batches of real BLAS products (float32 / float64): whole products spread over the CPU
   * worker pool, single-threaded s/dgemm each, when the products are small or there are at least
   * two per thread. OpenBLAS would run them one after another, each split over its own threads,
   * which spin-wait for each other (and for ~0.1 s after every call): on 2 shared cores a
   * descheduled thread stalls every product. Pool chunks are claimed in order (a late worker
   * leaves its products to the others) and idle workers sleep. On more than SPLIT_MAX_THREADS
   * threads the batch keeps OpenBLAS's threading (not measured on such machines). */
  bool real = (dt == MX_FLOAT32 || dt == MX_FLOAT64) && proto->max_threads != 1 && proto->M > 1 &&
              proto->N > 1 && nbatch > 1 && macs * (double)nbatch >= (double)BATCH_MIN_MACS;
  int pool = real ? mx_ew_num_threads() : 1;
  if (pool >= 2 && pool <= SPLIT_MAX_THREADS &&
      (macs < (double)BATCH_MIN_MACS || nbatch >= 2 * (int64_t)pool)) {
    double per = (double)(1 << 19) / macs; /* at least ~2^19 multiply-adds a chunk */
    mx_blas_single_begin();
    mx_ew_parallel_for(nbatch, per > 1.0 ? (int64_t)per : 1, batch_pool_task, &x);
    mx_blas_single_end();
    return atomic_load(&x.failed) ? mx_error("[%s] Out of memory.", op) : 0;
  }
  /* Small half-precision products: two threads over the batch (each product on one thread).
   * Other BLAS products and large products keep their own threading. */
  bool half = (dt == MX_FLOAT16 || dt == MX_BFLOAT16) && mx_gemm_isa_get() >= MX_GEMM_ISA_AVX512;
  int nt = (half && nbatch > 1 && macs < (double)PARALLEL_MIN_MACS &&
            macs * (double)nbatch >= (double)PARALLEL_MIN_MACS && proto->max_threads != 1)
               ? 2
               : 1;
  if (nt > 1)
    mx_gemm_parallel(batch_task, &x, nt);
  else
    batch_task(&x, 0, 1);
  if (x.rc[0]) return MX_ERR;
  if (x.rc[1]) return mx_error("[%s] Out of memory.", op); /* the message was the helper's */
  return 0;
}
