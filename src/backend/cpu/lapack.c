/* CPU kernels of the lapack family: INVERSE, CHOLESKY, QRF, SVD, EIGH, LUF, EIG through
 * OpenBLAS's LAPACK (the Fortran symbols, declared here; the s/d pairs share one table so every
 * kernel is written once; complex64 through the c routines). Each batch matrix is copied to a
 * column-major scratch (inputs may be any strided views), factored, and written back row-major.
 * Batches of small matrices are spread over the CPU worker pool (lp_run). */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/blas_threads.h"
#include "backend/cpu/elementwise.h"
#include "core/error.h"
#include "ops/lapack.h"

/* Array arguments are void * so that the float and double routines fit one table. The
 * trailing size_t are gfortran's hidden lengths of the character arguments. */
typedef int fint;
#define LAPACK_PAIR(ret, name, args)                                                               \
  ret s##name##_ args;                                                                             \
  ret d##name##_ args;
LAPACK_PAIR(void, getrf, (fint *m, fint *n, void *a, fint *lda, fint *ipiv, fint *info))
LAPACK_PAIR(void, getri,
            (fint *n, void *a, fint *lda, fint *ipiv, void *work, fint *lwork, fint *info))
LAPACK_PAIR(void, trtri, (char *uplo, char *diag, fint *n, void *a, fint *lda, fint *info,
                          size_t l1, size_t l2))
LAPACK_PAIR(void, potrf, (char *uplo, fint *n, void *a, fint *lda, fint *info, size_t l1))
LAPACK_PAIR(void, geqrf,
            (fint *m, fint *n, void *a, fint *lda, void *tau, void *work, fint *lwork, fint *info))
LAPACK_PAIR(void, orgqr, (fint *m, fint *n, fint *k, void *a, fint *lda, void *tau, void *work,
                          fint *lwork, fint *info))
LAPACK_PAIR(void, gesdd, (char *jobz, fint *m, fint *n, void *a, fint *lda, void *s, void *u,
                          fint *ldu, void *vt, fint *ldvt, void *work, fint *lwork, fint *iwork,
                          fint *info, size_t l1))
LAPACK_PAIR(void, geev, (char *jobvl, char *jobvr, fint *n, void *a, fint *lda, void *wr, void *wi,
                         void *vl, fint *ldvl, void *vr, fint *ldvr, void *work, fint *lwork,
                         fint *info, size_t l1, size_t l2))
/* complex64: Hermitian eigensolver and SVD (real outputs w and s are float) */
void cheevd_(char *jobz, char *uplo, fint *n, void *a, fint *lda, float *w, void *work,
             fint *lwork, float *rwork, fint *lrwork, fint *iwork, fint *liwork, fint *info,
             size_t l1, size_t l2);
void cgesdd_(char *jobz, fint *m, fint *n, void *a, fint *lda, float *s, void *u, fint *ldu,
             void *vt, fint *ldvt, void *work, fint *lwork, float *rwork, fint *iwork, fint *info,
             size_t l1);
void cgeev_(char *jobvl, char *jobvr, fint *n, void *a, fint *lda, void *w, void *vl, fint *ldvl,
            void *vr, fint *ldvr, void *work, fint *lwork, float *rwork, fint *info, size_t l1,
            size_t l2);
LAPACK_PAIR(void, syevd, (char *jobz, char *uplo, fint *n, void *a, fint *lda, void *w,
                          void *work, fint *lwork, fint *iwork, fint *liwork, fint *info,
                          size_t l1, size_t l2))

typedef struct {
  void (*getrf)(fint *, fint *, void *, fint *, fint *, fint *);
  void (*getri)(fint *, void *, fint *, fint *, void *, fint *, fint *);
  void (*trtri)(char *, char *, fint *, void *, fint *, fint *, size_t, size_t);
  void (*potrf)(char *, fint *, void *, fint *, fint *, size_t);
  void (*geqrf)(fint *, fint *, void *, fint *, void *, void *, fint *, fint *);
  void (*orgqr)(fint *, fint *, fint *, void *, fint *, void *, void *, fint *, fint *);
  void (*gesdd)(char *, fint *, fint *, void *, fint *, void *, void *, fint *, void *, fint *,
                void *, fint *, fint *, fint *, size_t);
  void (*syevd)(char *, char *, fint *, void *, fint *, void *, void *, fint *, fint *, fint *,
                fint *, size_t, size_t);
  void (*geev)(char *, char *, fint *, void *, fint *, void *, void *, void *, fint *, void *,
               fint *, void *, fint *, fint *, size_t, size_t);
} lapack_fns;

static const lapack_fns fns_f32 = {sgetrf_, sgetri_, strtri_, spotrf_, sgeqrf_,
                                   sorgqr_, sgesdd_, ssyevd_, sgeev_};
static const lapack_fns fns_f64 = {dgetrf_, dgetri_, dtrtri_, dpotrf_, dgeqrf_,
                                   dorgqr_, dgesdd_, dsyevd_, dgeev_};

/* Kernels on matrices up to LP_SMALL_DIM run OpenBLAS single-threaded (blas_threads.h). */
enum { LP_SMALL_DIM = 256 };

/* The per-node state: dtype dispatch and the input's batch walk. */
typedef struct {
  const char *op;
  const lapack_fns *f;
  size_t isz;        /* element size */
  const mx_array *a; /* input */
  int64_t M, N, batch;
  int64_t b0, b1; /* the batch range a kernel body works on */
  bool cx;     /* complex64 input (eig, eigh, svd): real outputs are float */
  bool single; /* OpenBLAS set single-threaded for this kernel (lp_run restores it) */
} lp_ctx;

static int lp_init(lp_ctx *c, const char *op, mx_node *n) {
  c->op = op;
  c->a = n->inputs[0];
  mx_dtype t = (mx_dtype)c->a->dtype;
  if ((t != MX_FLOAT32 && t != MX_FLOAT64 && t != MX_COMPLEX64) || c->a->ndim < 2)
    return mx_error("[%s] Invalid input.", op);
  c->f = t == MX_FLOAT32 ? &fns_f32 : t == MX_FLOAT64 ? &fns_f64 : NULL; /* complex: cx routines */
  c->cx = t == MX_COMPLEX64;
  c->isz = mx_dtype_size(t);
  c->M = c->a->shape[c->a->ndim - 2];
  c->N = c->a->shape[c->a->ndim - 1];
  c->batch = 1;
  for (int d = 0; d < c->a->ndim - 2; d++) c->batch *= c->a->shape[d];
  if (c->M > INT32_MAX / 4 || c->N > INT32_MAX / 4)
    return mx_error("[%s] Matrix too large.", op);
  for (int i = 0; i < n->nout; i++)
    if (mx_array_alloc_data(&n->out[i])) return MX_ERR;
  c->single = c->M <= LP_SMALL_DIM && c->N <= LP_SMALL_DIM;
  if (c->single) mx_blas_single_begin();
  return 0;
}

/* A kernel body: the matrices b0 .. b1 - 1 of c, each with its own scratch. Errors are
 * reported with mx_error on the calling thread. */
typedef int (*lp_body)(const lp_ctx *c, mx_node *n);

typedef struct {
  lp_ctx c;
  mx_node *n;
  lp_body body;
  atomic_int failed;
  char msg[512]; /* the first failing range's message (mx_error's buffer is per thread) */
} lp_par;

static void lp_par_task(void *ctx, int64_t b0, int64_t b1) {
  lp_par *p = ctx;
  if (atomic_load(&p->failed)) return;
  lp_ctx c = p->c;
  c.b0 = b0, c.b1 = b1;
  if (p->body(&c, p->n) && !atomic_exchange(&p->failed, 1))
    snprintf(p->msg, sizeof p->msg, "%s", mx_last_error());
}

/* Runs body over the whole batch: batches of small matrices (OpenBLAS single-threaded) are
 * spread over the CPU worker pool, at least ~64k flops a chunk. */
static int lp_run(const char *op, mx_node *n, lp_body body) {
  lp_par p;
  if (lp_init(&p.c, op, n)) return MX_ERR;
  int64_t k = p.c.M < p.c.N ? p.c.M : p.c.N, flops = p.c.M * p.c.N * (k > 0 ? k : 1);
  int64_t grain = flops >= 65536 ? 1 : 65536 / (flops > 0 ? flops : 1);
  int rc;
  if (p.c.single && p.c.batch >= 2 * grain) {
    p.n = n, p.body = body, p.msg[0] = '\0';
    atomic_init(&p.failed, 0);
    mx_ew_parallel_for(p.c.batch, grain, lp_par_task, &p);
    rc = atomic_load(&p.failed) ? mx_error("%s", p.msg) : 0;
  } else {
    p.c.b0 = 0, p.c.b1 = p.c.batch;
    rc = body(&p.c, n);
  }
  if (p.c.single) mx_blas_single_end();
  return rc;
}

/* Element i of p as a double (complex: the real part). */
static double lp_get(const lp_ctx *c, const void *p, int64_t i) {
  return c->cx ? ((const float *)p)[2 * i] : c->isz == 4 ? ((const float *)p)[i]
                                                          : ((const double *)p)[i];
}

static void lp_set(const lp_ctx *c, void *p, int64_t i, double v) {
  if (c->cx)
    ((mx_complex64 *)p)[i] = (mx_complex64){(float)v, 0.0f};
  else if (c->isz == 4)
    ((float *)p)[i] = (float)v;
  else
    ((double *)p)[i] = v;
}

/* The size of a real output element (singular values, Hermitian eigenvalues). */
static size_t lp_real_size(const lp_ctx *c) {
  return c->cx ? sizeof(float) : c->isz;
}

/* Strided 2-D copies of 4- or 8-byte elements (float, double, complex64), typed so that the
 * compiler emits plain moves: dst[i * dr + j * dc] = src[i * sr + j * sc]. */
#define LP_COPY2D(T, dst, src, rows, cols, dr, dc, sr, sc)                                        \
  do {                                                                                             \
    T *d_ = (T *)(dst);                                                                            \
    const T *s_ = (const T *)(src);                                                                \
    for (int64_t i_ = 0; i_ < (rows); i_++)                                                        \
      for (int64_t j_ = 0; j_ < (cols); j_++) d_[i_ * (dr) + j_ * (dc)] = s_[i_ * (sr) + j_ * (sc)]; \
  } while (0)

static void lp_copy2d(size_t isz, void *dst, const void *src, int64_t rows, int64_t cols,
                      int64_t dr, int64_t dc, int64_t sr, int64_t sc) {
  if (isz == 4)
    LP_COPY2D(uint32_t, dst, src, rows, cols, dr, dc, sr, sc);
  else
    LP_COPY2D(uint64_t, dst, src, rows, cols, dr, dc, sr, sc);
}

/* The first element of batch matrix b of the input. */
static const char *lp_src(const lp_ctx *c, int64_t b) {
  const mx_array *a = c->a;
  int64_t off = 0, r = b;
  for (int d = a->ndim - 3; d >= 0; d--) {
    off += (r % a->shape[d]) * a->strides[d];
    r /= a->shape[d];
  }
  return (const char *)mx_array_data(a) + (size_t)off * c->isz;
}

/* Copies batch matrix b of the input into dst, column-major (leading dimension M). */
static void lp_load(const lp_ctx *c, int64_t b, void *dst) {
  const mx_array *a = c->a;
  int nd = a->ndim;
  /* walk the destination's columns in order: i over rows is the inner loop */
  lp_copy2d(c->isz, dst, lp_src(c, b), c->N, c->M, c->M, 1, a->strides[nd - 1], a->strides[nd - 2]);
}

/* Writes the column-major rows x cols matrix src (leading dimension ld) into out's batch
 * matrix b (row-major). With tri (1 lower, 2 upper) the other triangle is written as zero. */
static void lp_store(const lp_ctx *c, const void *src, int64_t ld, int64_t rows, int64_t cols,
                     mx_array *out, int64_t b, int tri) {
  char *dst = (char *)mx_array_data(out) + (size_t)(b * rows * cols) * c->isz;
  lp_copy2d(c->isz, dst, src, rows, cols, cols, 1, 1, ld);
  for (int64_t i = 0; tri && i < rows; i++) {
    int64_t j0 = tri == 1 ? i + 1 : 0, j1 = tri == 1 ? cols : (i < cols ? i : cols);
    if (j1 > j0) memset(dst + (size_t)(i * cols + j0) * c->isz, 0, (size_t)(j1 - j0) * c->isz);
  }
}

static void *lp_alloc(const lp_ctx *c, int64_t n) {
  return malloc((size_t)(n > 0 ? n : 1) * c->isz);
}

/* The optimal lwork from a workspace query (LAPACK writes it in work[0]). */
static fint lp_lwork(const lp_ctx *c, const void *w) {
  double v = lp_get(c, w, 0);
  return v < 1 ? 1 : (fint)(v + 0.5);
}

/* ------------------------------------------------------------------ INVERSE */

static int inverse_range(const lp_ctx *cp, mx_node *n) {
  const lp_ctx c = *cp;
  const mx_inverse_params *p = (const mx_inverse_params *)n->params;
  fint N = (fint)c.N, info = 0, lwork = -1;
  void *a = lp_alloc(&c, c.N * c.N), *work = lp_alloc(&c, 1);
  fint *ipiv = malloc((size_t)(N > 0 ? N : 1) * sizeof(fint));
  int rc = a && work && ipiv ? 0 : mx_error("[Inverse::eval_cpu] Out of memory.");
  if (!rc && !p->tri && N > 0) {
    c.f->getri(&N, a, &N, ipiv, work, &lwork, &info);
    lwork = lp_lwork(&c, work);
    free(work);
    work = lp_alloc(&c, lwork);
    if (!work) rc = mx_error("[Inverse::eval_cpu] Out of memory.");
  }
  char uplo = p->upper ? 'U' : 'L', diag = 'N';
  for (int64_t b = c.b0; !rc && b < c.b1 && N > 0; b++) {
    lp_load(&c, b, a);
    if (p->tri) {
      c.f->trtri(&uplo, &diag, &N, a, &N, &info, 1, 1);
      if (info)
        rc = mx_error("[Inverse::eval_cpu] triangular inversion failed with error code %d", info);
    } else {
      c.f->getrf(&N, &N, a, &N, ipiv, &info);
      if (info)
        rc = mx_error("[Inverse::eval_cpu] LU factorization failed with error code %d", info);
      else
        c.f->getri(&N, a, &N, ipiv, work, &lwork, &info);
      if (!rc && info) rc = mx_error("[Inverse::eval_cpu] Inversion failed with error code %d", info);
    }
    if (!rc) lp_store(&c, a, N, N, N, &n->out[0], b, p->tri ? (p->upper ? 2 : 1) : 0);
  }
  free(a);
  free(work);
  free(ipiv);
  return rc;
}

int mx_cpu_inverse(mx_node *n) {
  return lp_run("Inverse::eval_cpu", n, inverse_range);
}

/* ------------------------------------------------------------------ CHOLESKY */

static int cholesky_range(const lp_ctx *cp, mx_node *n) {
  const lp_ctx c = *cp;
  const mx_cholesky_params *p = (const mx_cholesky_params *)n->params;
  fint N = (fint)c.N, info = 0;
  char uplo = p->upper ? 'U' : 'L';
  void *a = lp_alloc(&c, c.N * c.N);
  int rc = a ? 0 : mx_error("[Cholesky::eval_cpu] Out of memory.");
  for (int64_t b = c.b0; !rc && b < c.b1 && N > 0; b++) {
    lp_load(&c, b, a);
    c.f->potrf(&uplo, &N, a, &N, &info, 1);
    if (info)
      rc = mx_error("[Cholesky::eval_cpu] Cholesky decomposition failed with error code %d",
                    info);
    else
      lp_store(&c, a, N, N, N, &n->out[0], b, p->upper ? 2 : 1);
  }
  free(a);
  return rc;
}

int mx_cpu_cholesky(mx_node *n) {
  return lp_run("Cholesky::eval_cpu", n, cholesky_range);
}

/* ------------------------------------------------------------------ QRF */

/* float32 matrices up to QR_SMALL_DIM on a side skip LAPACK: sgeqrf / sorgqr run their unblocked
 * code (geqr2 / org2r) at these sizes anyway, and on a 16 x 16 matrix the time goes to the
 * per-column BLAS calls and argument checks. The same algorithm here works on a row-major
 * scratch (a reflector's vector is a column; the updates run along rows, so they vectorize) with
 * LAPACK's reflector convention (beta = -sign(alpha) * norm, tau = (beta - alpha) / beta), so
 * Q and R match LAPACK's, signs included, up to rounding. Norms are summed in double: no
 * underflow or overflow rescaling is needed for float data. */
enum { QR_SMALL_DIM = 64 };

/* The reflector H = I - tau v v^T (v[0] = 1) with H x = (beta, 0, ..., 0) for the n elements
 * x[0], x[ld], ...: beta goes to x[0], v[1..] over x[ld..]; returns tau. */
static float qs_reflector(float *x, int64_t n, int64_t ld) {
  double ss = 0.0;
  for (int64_t i = 1; i < n; i++) ss += (double)x[i * ld] * x[i * ld];
  if (ss == 0.0) return 0.0f; /* H = I (n == 1 included) */
  double alpha = x[0], beta = -copysign(sqrt(alpha * alpha + ss), alpha);
  double scale = 1.0 / (alpha - beta);
  for (int64_t i = 1; i < n; i++) x[i * ld] = (float)(x[i * ld] * scale);
  x[0] = (float)beta;
  return (float)((beta - alpha) / beta);
}

/* Applies H (vector in column j from row j down, v[j] = 1 implied) from the left to rows
 * j..M-1, columns c0..c1-1 of the row-major M x ld matrix a; w: c1 floats of scratch. */
static void qs_apply(float *a, int64_t ld, int64_t M, int64_t j, int64_t c0, int64_t c1, float tau,
                     float *restrict w) {
  if (tau == 0.0f || c0 >= c1) return;
  float *restrict rj = a + j * ld;
  for (int64_t c = c0; c < c1; c++) w[c] = rj[c];
  for (int64_t r = j + 1; r < M; r++) {
    const float *restrict row = a + r * ld;
    float v = row[j];
    for (int64_t c = c0; c < c1; c++) w[c] += v * row[c];
  }
  for (int64_t c = c0; c < c1; c++) rj[c] -= tau * w[c];
  for (int64_t r = j + 1; r < M; r++) {
    float *restrict row = a + r * ld;
    float tv = tau * row[j];
    for (int64_t c = c0; c < c1; c++) row[c] -= tv * w[c];
  }
}

static int qrf_small_range(const lp_ctx *cp, mx_node *n) {
  const lp_ctx c = *cp;
  int64_t M = c.M, N = c.N, K = M < N ? M : N, nd = c.a->ndim;
  float a[QR_SMALL_DIM * QR_SMALL_DIM], tau[QR_SMALL_DIM], w[QR_SMALL_DIM];
  for (int64_t b = c.b0; b < c.b1 && K > 0; b++) {
    lp_copy2d(4, a, lp_src(&c, b), M, N, N, 1, c.a->strides[nd - 2], c.a->strides[nd - 1]);
    for (int64_t j = 0; j < K; j++) { /* geqr2 */
      tau[j] = qs_reflector(a + j * N + j, M - j, N);
      qs_apply(a, N, M, j, j + 1, N, tau[j], w);
    }
    float *r = (float *)mx_array_data(&n->out[1]) + b * K * N;
    for (int64_t i = 0; i < K; i++)
      for (int64_t j = 0; j < N; j++) r[i * N + j] = j < i ? 0.0f : a[i * N + j];
    for (int64_t j = K - 1; j >= 0; j--) { /* org2r: Q in columns 0..K-1 */
      qs_apply(a, N, M, j, j + 1, K, tau[j], w);
      for (int64_t i = j + 1; i < M; i++) a[i * N + j] *= -tau[j];
      a[j * N + j] = 1.0f - tau[j];
      for (int64_t i = 0; i < j; i++) a[i * N + j] = 0.0f;
    }
    float *q = (float *)mx_array_data(&n->out[0]) + b * M * K;
    lp_copy2d(4, q, a, M, K, K, 1, N, 1);
  }
  return 0;
}

static int qrf_range(const lp_ctx *cp, mx_node *n) {
  const lp_ctx c = *cp;
  fint M = (fint)c.M, N = (fint)c.N, K = M < N ? M : N, info = 0, lwork = -1, lw2 = -1;
  fint ld = M > 1 ? M : 1;
  void *a = lp_alloc(&c, c.M * c.N), *tau = lp_alloc(&c, K), *work = lp_alloc(&c, 1);
  int rc = a && tau && work ? 0 : mx_error("[QRF::eval_cpu] Out of memory.");
  if (!rc && K > 0) {
    c.f->geqrf(&M, &N, a, &ld, tau, work, &lwork, &info);
    lwork = lp_lwork(&c, work);
    c.f->orgqr(&M, &K, &K, a, &ld, tau, work, &lw2, &info);
    lw2 = lp_lwork(&c, work);
    if (lw2 > lwork) lwork = lw2;
    free(work);
    if (!(work = lp_alloc(&c, lwork))) rc = mx_error("[QRF::eval_cpu] Out of memory.");
  }
  for (int64_t b = c.b0; !rc && b < c.b1 && K > 0; b++) {
    lp_load(&c, b, a);
    c.f->geqrf(&M, &N, a, &ld, tau, work, &lwork, &info);
    if (info) {
      rc = mx_error("[QRF::eval_cpu] QR factorization failed with error code %d", info);
      break;
    }
    lp_store(&c, a, ld, K, N, &n->out[1], b, 2);
    c.f->orgqr(&M, &K, &K, a, &ld, tau, work, &lwork, &info);
    if (info) rc = mx_error("[QRF::eval_cpu] Q computation failed with error code %d", info);
    else lp_store(&c, a, ld, M, K, &n->out[0], b, 0);
  }
  free(a);
  free(tau);
  free(work);
  return rc;
}

int mx_cpu_qrf(mx_node *n) {
  const mx_array *a = n->nin > 0 ? n->inputs[0] : NULL;
  bool small = a && a->dtype == MX_FLOAT32 && a->ndim >= 2 &&
               a->shape[a->ndim - 2] <= QR_SMALL_DIM && a->shape[a->ndim - 1] <= QR_SMALL_DIM;
  return lp_run("QRF::eval_cpu", n, small ? qrf_small_range : qrf_range);
}

/* ------------------------------------------------------------------ SVD */

/* gesdd on the column-major M x N a (leading dimensions M, M for U and N for Vt). */
static void svd_call(const lp_ctx *c, char jobz, fint M, fint N, void *a, void *s, void *u,
                     void *vt, void *work, fint lwork, float *rwork, fint *iwork, fint *info) {
  fint lda = M > 1 ? M : 1, ldvt = N > 1 ? N : 1;
  if (c->cx)
    cgesdd_(&jobz, &M, &N, a, &lda, s, u, &lda, vt, &ldvt, work, &lwork, rwork, iwork, info, 1);
  else
    c->f->gesdd(&jobz, &M, &N, a, &lda, s, u, &lda, vt, &ldvt, work, &lwork, iwork, info, 1);
}

static int svd_range(const lp_ctx *cp, mx_node *n) {
  const lp_ctx c = *cp;
  bool uv = ((const mx_svd_params *)n->params)->compute_uv != 0;
  fint M = (fint)c.M, N = (fint)c.N, K = M < N ? M : N, info = 0, lwork = -1;
  fint lda = M > 1 ? M : 1, ldu = lda, ldvt = N > 1 ? N : 1;
  char jobz = uv ? 'A' : 'N';
  void *a = lp_alloc(&c, c.M * c.N), *s = lp_alloc(&c, K), *work = lp_alloc(&c, 1);
  void *u = uv ? lp_alloc(&c, c.M * c.M) : lp_alloc(&c, 1);
  void *vt = uv ? lp_alloc(&c, c.N * c.N) : lp_alloc(&c, 1);
  fint *iwork = malloc((size_t)(8 * (K > 0 ? K : 1)) * sizeof(fint));
  /* cgesdd's real workspace: K max(5K + 7, 2 max(M, N) + 2K + 1) covers both jobz */
  int64_t mx = c.M > c.N ? c.M : c.N, lr = 5 * (int64_t)K + 7 > 2 * mx + 2 * K + 1
                                               ? 5 * (int64_t)K + 7
                                               : 2 * mx + 2 * K + 1;
  float *rwork = c.cx ? malloc(sizeof(float) * (size_t)(K * lr + 1)) : NULL;
  int rc = a && s && work && u && vt && iwork && (rwork || !c.cx)
               ? 0
               : mx_error("[SVD::eval_cpu] Out of memory.");
  if (!rc && K > 0) {
    svd_call(&c, jobz, M, N, a, s, u, vt, work, lwork, rwork, iwork, &info);
    lwork = lp_lwork(&c, work);
    free(work);
    if (!(work = lp_alloc(&c, lwork))) rc = mx_error("[SVD::eval_cpu] Out of memory.");
  }
  mx_array *so = &n->out[uv ? 1 : 0];
  for (int64_t b = c.b0; !rc && b < c.b1; b++) {
    if (K == 0) { /* an empty matrix: U and Vt are identities */
      for (int64_t i = 0; uv && i < c.M * c.M; i++)
        lp_set(&c, mx_array_data(&n->out[0]), b * c.M * c.M + i, i % (c.M + 1) == 0);
      for (int64_t i = 0; uv && i < c.N * c.N; i++)
        lp_set(&c, mx_array_data(&n->out[2]), b * c.N * c.N + i, i % (c.N + 1) == 0);
      continue;
    }
    lp_load(&c, b, a);
    svd_call(&c, jobz, M, N, a, s, u, vt, work, lwork, rwork, iwork, &info);
    if (info) {
      rc = mx_error("[SVD::eval_cpu] SVD failed with error code %d", info);
      break;
    }
    size_t rsz = lp_real_size(&c);
    memcpy((char *)mx_array_data(so) + (size_t)(b * K) * rsz, s, (size_t)K * rsz);
    if (uv) {
      lp_store(&c, u, ldu, M, M, &n->out[0], b, 0);
      lp_store(&c, vt, ldvt, N, N, &n->out[2], b, 0);
    }
  }
  free(a);
  free(s);
  free(work);
  free(u);
  free(vt);
  free(iwork);
  free(rwork);
  return rc;
}

int mx_cpu_svd(mx_node *n) {
  return lp_run("SVD::eval_cpu", n, svd_range);
}

/* ------------------------------------------------------------------ EIGH */

/* syevd / cheevd on the column-major N x N a; lwork, lrwork, liwork -1: a workspace query
 * (the sizes come back in work[0], rwork[0], iwork[0]). */
static void eigh_call(const lp_ctx *c, char jobz, char uplo, fint N, void *a, void *w, void *work,
                      fint lwork, float *rwork, fint lrwork, fint *iwork, fint liwork,
                      fint *info) {
  fint ld = N > 1 ? N : 1;
  if (c->cx)
    cheevd_(&jobz, &uplo, &N, a, &ld, w, work, &lwork, rwork, &lrwork, iwork, &liwork, info, 1, 1);
  else
    c->f->syevd(&jobz, &uplo, &N, a, &ld, w, work, &lwork, iwork, &liwork, info, 1, 1);
}

static int eigh_range(const lp_ctx *cp, mx_node *n) {
  const lp_ctx c = *cp;
  const mx_eigh_params *p = (const mx_eigh_params *)n->params;
  char jobz = p->vectors ? 'V' : 'N', uplo = p->uplo == 'U' ? 'U' : 'L';
  fint N = (fint)c.N, info = 0, lwork = 1, lrwork = 1, liwork = 1, iw1 = 0;
  float rw1 = 0;
  void *a = lp_alloc(&c, c.N * c.N), *work = lp_alloc(&c, 1), *w1 = lp_alloc(&c, c.N);
  fint *iwork = NULL;
  float *rwork = NULL;
  int rc = a && work && w1 ? 0 : mx_error("[Eigh::eval_cpu] Out of memory.");
  if (!rc && N > 0) {
    eigh_call(&c, jobz, uplo, N, a, w1, work, -1, &rw1, -1, &iw1, -1, &info);
    lwork = lp_lwork(&c, work);
    lrwork = rw1 > 1 ? (fint)(rw1 + 0.5f) : 1;
    liwork = iw1 > 1 ? iw1 : 1;
    free(work);
    work = lp_alloc(&c, lwork);
    iwork = malloc((size_t)liwork * sizeof(fint));
    rwork = c.cx ? malloc((size_t)lrwork * sizeof(float)) : NULL;
    if (!work || !iwork || (c.cx && !rwork)) rc = mx_error("[Eigh::eval_cpu] Out of memory.");
  }
  size_t rsz = lp_real_size(&c);
  for (int64_t b = c.b0; !rc && b < c.b1 && N > 0; b++) {
    lp_load(&c, b, a);
    void *w = (char *)mx_array_data(&n->out[0]) + (size_t)(b * N) * rsz;
    eigh_call(&c, jobz, uplo, N, a, w, work, lwork, rwork, lrwork, iwork, liwork, &info);
    if (info)
      rc = mx_error("[Eigh::eval_cpu] Eigenvalue decomposition failed with error code %d", info);
    else if (p->vectors)
      lp_store(&c, a, N, N, N, &n->out[1], b, 0);
  }
  free(a);
  free(work);
  free(w1);
  free(iwork);
  free(rwork);
  return rc;
}

int mx_cpu_eigh(mx_node *n) {
  return lp_run("Eigh::eval_cpu", n, eigh_range);
}

/* ------------------------------------------------------------------ LUF */

static int luf_range(const lp_ctx *cp, mx_node *n) {
  const lp_ctx c = *cp;
  fint M = (fint)c.M, N = (fint)c.N, K = M < N ? M : N, ld = M > 1 ? M : 1, info = 0;
  void *a = lp_alloc(&c, c.M * c.N);
  fint *ipiv = malloc((size_t)(K > 0 ? K : 1) * sizeof(fint));
  uint32_t *perm = malloc((size_t)(M > 0 ? M : 1) * sizeof(uint32_t));
  int rc = a && ipiv && perm ? 0 : mx_error("[LUF::eval_cpu] Out of memory.");
  uint32_t *piv_out = (uint32_t *)mx_array_data(&n->out[1]);
  uint32_t *perm_out = (uint32_t *)mx_array_data(&n->out[2]);
  for (int64_t b = c.b0; !rc && b < c.b1; b++) {
    if (K > 0) {
      lp_load(&c, b, a);
      c.f->getrf(&M, &N, a, &ld, ipiv, &info); /* info > 0: singular, still a factorization */
      if (info < 0) {
        rc = mx_error("[LUF::eval_cpu] LU factorization failed with error code %d", info);
        break;
      }
      lp_store(&c, a, ld, M, N, &n->out[0], b, 0);
    }
    /* perm[i]: the input row that row i of L @ U is; the output is its inverse */
    for (fint i = 0; i < M; i++) perm[i] = (uint32_t)i;
    for (fint i = 0; i < K; i++) {
      uint32_t j = (uint32_t)(ipiv[i] - 1), t = perm[i];
      piv_out[b * K + i] = j;
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (fint i = 0; i < M; i++) perm_out[b * M + perm[i]] = (uint32_t)i;
  }
  free(a);
  free(ipiv);
  free(perm);
  return rc;
}

int mx_cpu_luf(mx_node *n) {
  return lp_run("LUF::eval_cpu", n, luf_range);
}

/* ------------------------------------------------------------------ EIG */

/* Real geev's results into complex64 w and (with vr) V: a complex pair (wi > 0 first) has the
 * eigenvectors vr[:, j] +- i vr[:, j + 1]. */
static void eig_store_real(const lp_ctx *c, const void *wr, const void *wi, const void *vr,
                           mx_complex64 *w, mx_complex64 *v) {
  int64_t N = c->N;
  for (int64_t j = 0; j < N; j++) {
    double im = lp_get(c, wi, j);
    w[j] = (mx_complex64){(float)lp_get(c, wr, j), (float)im};
    if (!v) continue;
    bool pair = im != 0 && j + 1 < N;
    for (int64_t i = 0; i < N; i++) {
      float re = (float)lp_get(c, vr, j * N + i);
      float ii = pair ? (float)lp_get(c, vr, (j + 1) * N + i) : 0.0f;
      v[i * N + j] = (mx_complex64){re, ii};
      if (pair) v[i * N + j + 1] = (mx_complex64){re, -ii};
    }
    if (pair) {
      w[j + 1] = (mx_complex64){(float)lp_get(c, wr, j + 1), (float)lp_get(c, wi, j + 1)};
      j++;
    }
  }
}

static int eig_range(const lp_ctx *cp, mx_node *n) {
  const lp_ctx c = *cp;
  bool vec = ((const mx_eig_params *)n->params)->vectors != 0;
  bool cx = c.a->dtype == MX_COMPLEX64;
  fint N = (fint)c.N, ld = N > 1 ? N : 1, one = 1, info = 0, lwork = -1;
  char jl = 'N', jr = vec ? 'V' : 'N';
  /* real: a, wr | wi (2N), vr, work; complex: a, w, vr, work (complex) and rwork (2N floats) */
  void *a = lp_alloc(&c, c.N * c.N), *w = lp_alloc(&c, 2 * c.N);
  void *vr = lp_alloc(&c, vec ? c.N * c.N : 1), *work = lp_alloc(&c, 2);
  float *rwork = malloc(sizeof(float) * (size_t)(2 * N + 1));
  int rc = a && w && vr && work && rwork ? 0 : mx_error("[Eig::eval_cpu] Out of memory.");
  void *wi = (char *)w + (size_t)c.N * c.isz;
  if (!rc && N > 0) {
    if (cx) cgeev_(&jl, &jr, &N, a, &ld, w, NULL, &one, vr, &ld, work, &lwork, rwork, &info, 1, 1);
    else c.f->geev(&jl, &jr, &N, a, &ld, w, wi, NULL, &one, vr, &ld, work, &lwork, &info, 1, 1);
    double opt = cx ? ((float *)work)[0] : lp_get(&c, work, 0);
    lwork = opt < 1 ? 1 : (fint)(opt + 0.5);
    free(work);
    if (!(work = lp_alloc(&c, lwork))) rc = mx_error("[Eig::eval_cpu] Out of memory.");
  }
  mx_complex64 *wo = (mx_complex64 *)mx_array_data(&n->out[0]);
  mx_complex64 *vo = vec ? (mx_complex64 *)mx_array_data(&n->out[1]) : NULL;
  for (int64_t b = c.b0; !rc && b < c.b1 && N > 0; b++) {
    lp_load(&c, b, a);
    if (cx)
      cgeev_(&jl, &jr, &N, a, &ld, w, NULL, &one, vr, &ld, work, &lwork, rwork, &info, 1, 1);
    else
      c.f->geev(&jl, &jr, &N, a, &ld, w, wi, NULL, &one, vr, &ld, work, &lwork, &info, 1, 1);
    if (info) {
      rc = mx_error("[Eig::eval_cpu] Eigenvalue decomposition failed with error code %d", info);
    } else if (cx) {
      memcpy(wo + b * N, w, sizeof(mx_complex64) * (size_t)N);
      if (vec) lp_store(&c, vr, ld, N, N, &n->out[1], b, 0);
    } else {
      eig_store_real(&c, w, wi, vr, wo + b * N, vec ? vo + b * N * N : NULL);
    }
  }
  free(a);
  free(w);
  free(vr);
  free(work);
  free(rwork);
  return rc;
}

int mx_cpu_eig(mx_node *n) {
  return lp_run("Eig::eval_cpu", n, eig_range);
}
