/* mx.linalg through the public C API (mlx/c/linalg.h), all 19 functions: inv, tri_inv,
 * cholesky, cholesky_inv, solve, solve_triangular, qr, svd, eig, eigvals, eigh, eigvalsh, lu,
 * lu_factor, norm, norm_matrix, norm_l2, pinv, cross. Results are checked by reconstruction in
 * double precision (A inv(A) = I, Q R = A, U S Vt = A, A V = V w, ...), on batches, both dtypes,
 * non-square shapes and strided (transposed) inputs; bad arguments (3-4 per function) fail with
 * op-named messages and the library keeps working. */
#include <complex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/linalg.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];
static mlx_stream cpu;

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double urand(void) { /* in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

/* A batch of b random n x m matrices (plus shift on the diagonal; symmetric when sym) of dt;
 * the values in ref (b * n * m doubles, as rounded to dt). */
static mlx_array make(int b, int n, int m, double shift, int sym, mlx_dtype dt, double *ref) {
  for (int k = 0; k < b; k++)
    for (int i = 0; i < n; i++)
      for (int j = 0; j < m; j++) {
        double *p = ref + (size_t)(k * n + i) * m + j;
        if (sym && j < i) *p = ref[(size_t)(k * n + j) * m + i];
        else *p = urand() + (i == j ? shift : 0);
        if (dt == MLX_FLOAT32) *p = (float)*p;
      }
  int shape[3] = {b, n, m};
  mlx_array a = mlx_array_new_data(ref, shape, 3, MLX_FLOAT64), r = mlx_array_new();
  CHECK_OK(mlx_astype(&r, a, dt, cpu));
  mlx_array_free(a);
  return r;
}

/* A's values as doubles (row-major, malloc'd). */
static double *values(mlx_array a) {
  mlx_array b = mlx_array_new();
  size_t n = mlx_array_size(a);
  double *v = calloc(n ? n : 1, sizeof(double));
  if (mlx_astype(&b, a, MLX_FLOAT64, cpu) == 0 && mlx_array_eval(b) == 0) {
    mlx_array c = mlx_array_new();
    mlx_contiguous(&c, b, false, cpu);
    mlx_array_eval(c);
    const double *p = mlx_array_data_float64(c);
    if (p) memcpy(v, p, n * sizeof(double));
    mlx_array_free(c);
  }
  mlx_array_free(b);
  return v;
}

/* max |X Y - Z| over a batch: X (n x k), Y (k x m), Z (n x m); Z NULL: the identity. */
static double mm_err(const double *x, const double *y, const double *z, int b, int n, int k,
                     int m) {
  double e = 0;
  for (int t = 0; t < b; t++)
    for (int i = 0; i < n; i++)
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int l = 0; l < k; l++) s += x[(size_t)(t * n + i) * k + l] * y[(size_t)(t * k + l) * m + j];
        double want = z ? z[(size_t)(t * n + i) * m + j] : (i == j);
        e = fmax(e, fabs(s - want));
      }
  return e;
}

static double tol(mlx_dtype dt) {
  return dt == MLX_FLOAT32 ? 2e-4 : 1e-10;
}

static void test_inv_solve(mlx_dtype dt) {
  enum { B = 3, N = 5 };
  double a[B * N * N], bv[B * N * 2];
  mlx_array A = make(B, N, N, 3, 0, dt, a), Bm = make(B, N, 2, 0, 0, dt, bv);
  mlx_array r = mlx_array_new();
  CHECK_OK(mlx_linalg_inv(&r, A, cpu));
  CHECK(mlx_array_dtype(r) == dt && mlx_array_ndim(r) == 3);
  double *ri = values(r);
  CHECK(mm_err(a, ri, NULL, B, N, N, N) < tol(dt));
  free(ri);
  CHECK_OK(mlx_linalg_solve(&r, A, Bm, cpu));
  double *x = values(r);
  CHECK(mm_err(a, x, bv, B, N, N, 2) < tol(dt));
  free(x);
  /* triangular: the upper part only */
  CHECK_OK(mlx_linalg_tri_inv(&r, A, true, cpu));
  double *t = values(r), u[B * N * N];
  for (int k = 0; k < B * N * N; k++) u[k] = (k % N) >= (k / N) % N ? a[k] : 0;
  CHECK(mm_err(u, t, NULL, B, N, N, N) < tol(dt));
  CHECK(t[N] == 0); /* below the diagonal */
  free(t);
  CHECK_OK(mlx_linalg_solve_triangular(&r, A, Bm, true, cpu));
  x = values(r);
  CHECK(mm_err(u, x, bv, B, N, N, 2) < tol(dt));
  free(x);
  /* a transposed (strided) input */
  mlx_array at = mlx_array_new();
  CHECK_OK(mlx_swapaxes(&at, A, -1, -2, cpu));
  CHECK_OK(mlx_linalg_inv(&r, at, cpu));
  ri = values(r);
  double att[B * N * N];
  for (int k = 0; k < B; k++)
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) att[(k * N + i) * N + j] = a[(k * N + j) * N + i];
  CHECK(mm_err(att, ri, NULL, B, N, N, N) < tol(dt));
  free(ri);
  mlx_array_free(at);
  mlx_array_free(A);
  mlx_array_free(Bm);
  mlx_array_free(r);
}

static void test_cholesky_eigh(mlx_dtype dt) {
  enum { B = 2, N = 4 };
  double a[B * N * N];
  mlx_array A = make(B, N, N, 4, 1, dt, a), r = mlx_array_new(), v = mlx_array_new();
  for (int upper = 0; upper < 2; upper++) {
    CHECK_OK(mlx_linalg_cholesky(&r, A, upper, cpu));
    double *l = values(r), lt[B * N * N];
    for (int k = 0; k < B; k++)
      for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) lt[(k * N + i) * N + j] = l[(k * N + j) * N + i];
    CHECK(upper ? mm_err(lt, l, a, B, N, N, N) < tol(dt) : mm_err(l, lt, a, B, N, N, N) < tol(dt));
    CHECK(upper ? l[N] == 0 : l[1] == 0);
    mlx_array li = mlx_array_new();
    CHECK_OK(mlx_linalg_cholesky_inv(&li, r, upper, cpu));
    double *ai = values(li);
    CHECK(mm_err(a, ai, NULL, B, N, N, N) < 10 * tol(dt));
    free(ai);
    free(l);
    mlx_array_free(li);
  }
  CHECK_OK(mlx_linalg_eigh(&r, &v, A, "L", cpu));
  double *w = values(r), *V = values(v), vw[B * N * N];
  for (int k = 0; k < B * N * N; k++) vw[k] = V[k] * w[(k / (N * N)) * N + k % N];
  CHECK(mm_err(a, V, vw, B, N, N, N) < 10 * tol(dt));
  CHECK(w[0] <= w[1] && w[1] <= w[2]);
  free(V);
  CHECK_OK(mlx_linalg_eigvalsh(&r, A, "U", cpu));
  double *w2 = values(r);
  for (int k = 0; k < B * N; k++) CHECK_NEAR(w2[k], w[k], 10 * tol(dt));
  free(w);
  free(w2);
  mlx_array_free(A);
  mlx_array_free(r);
  mlx_array_free(v);
}

static void test_qr_svd_lu(mlx_dtype dt, int M, int N) {
  enum { B = 2 };
  int K = M < N ? M : N;
  double *a = malloc(sizeof(double) * B * M * N);
  mlx_array A = make(B, M, N, 0, 0, dt, a), q = mlx_array_new(), r = mlx_array_new();
  CHECK_OK(mlx_linalg_qr(&q, &r, A, cpu));
  CHECK(mlx_array_shape(q)[2] == K && mlx_array_shape(r)[1] == K);
  double *Q = values(q), *R = values(r);
  CHECK(mm_err(Q, R, a, B, M, K, N) < 10 * tol(dt));
  free(Q);
  free(R);
  /* SVD: U diag(S) Vt, with U (M, M) and Vt (N, N) */
  mlx_vector_array v = mlx_vector_array_new();
  CHECK_OK(mlx_linalg_svd(&v, A, true, cpu));
  CHECK(mlx_vector_array_size(v) == 3);
  mlx_array u = mlx_array_new(), s = mlx_array_new(), vt = mlx_array_new();
  mlx_vector_array_get(&u, v, 0);
  mlx_vector_array_get(&s, v, 1);
  mlx_vector_array_get(&vt, v, 2);
  double *U = values(u), *S = values(s), *VT = values(vt);
  double *us = calloc((size_t)B * M * N, sizeof(double));
  for (int t = 0; t < B; t++)
    for (int i = 0; i < M; i++)
      for (int j = 0; j < K; j++) us[(t * M + i) * N + j] = U[(t * M + i) * M + j] * S[t * K + j];
  CHECK(mm_err(us, VT, a, B, M, N, N) < 10 * tol(dt));
  CHECK(S[0] >= S[1]);
  CHECK_OK(mlx_linalg_svd(&v, A, false, cpu));
  CHECK(mlx_vector_array_size(v) == 1);
  free(U), free(S), free(VT), free(us);
  mlx_array_free(u), mlx_array_free(s), mlx_array_free(vt);
  /* LU: a[i] = (L U)[P[i]] */
  CHECK_OK(mlx_linalg_lu(&v, A, cpu));
  CHECK(mlx_vector_array_size(v) == 3);
  mlx_array p = mlx_array_new(), l = mlx_array_new(), uu = mlx_array_new();
  mlx_vector_array_get(&p, v, 0);
  mlx_vector_array_get(&l, v, 1);
  mlx_vector_array_get(&uu, v, 2);
  CHECK(mlx_array_dtype(p) == MLX_UINT32);
  double *P = values(p), *L = values(l), *UU = values(uu);
  double *pa = malloc(sizeof(double) * B * M * N);
  for (int t = 0; t < B; t++)
    for (int i = 0; i < M; i++)
      memcpy(pa + (size_t)(t * M + (int)P[t * M + i]) * N, a + (size_t)(t * M + i) * N,
             sizeof(double) * N);
  CHECK(mm_err(L, UU, pa, B, M, K, N) < 10 * tol(dt));
  free(P), free(L), free(UU), free(pa), free(a);
  mlx_array_free(p), mlx_array_free(l), mlx_array_free(uu);
  CHECK_OK(mlx_linalg_lu_factor(&q, &r, A, cpu));
  CHECK(mlx_array_dtype(r) == MLX_UINT32 && mlx_array_shape(r)[1] == K);
  mlx_vector_array_free(v);
  mlx_array_free(A), mlx_array_free(q), mlx_array_free(r);
}

static double scalar(mlx_array a) {
  double *v = values(a), r = v[0];
  free(v);
  return r;
}

static void test_norm_pinv_cross(void) {
  double x[6] = {1, -2, 3, 4, 0, -6};
  int sh[2] = {2, 3}, ax1[1] = {1}, ax2[2] = {0, 1};
  mlx_array a = mlx_array_new_data(x, sh, 2, MLX_FLOAT64), r = mlx_array_new();
  CHECK_OK(mlx_linalg_norm_l2(&r, a, NULL, 0, false, cpu));
  CHECK_NEAR(scalar(r), sqrt(66.0), 1e-12);
  CHECK_OK(mlx_linalg_norm(&r, a, 1, ax1, 1, false, cpu));
  double *v = values(r);
  CHECK_NEAR(v[0], 6, 1e-12);
  CHECK_NEAR(v[1], 10, 1e-12);
  free(v);
  CHECK_OK(mlx_linalg_norm(&r, a, INFINITY, ax2, 2, true, cpu));
  CHECK(mlx_array_ndim(r) == 2);
  CHECK_NEAR(scalar(r), 10, 1e-12);
  CHECK_OK(mlx_linalg_norm_matrix(&r, a, "fro", NULL, 0, false, cpu));
  CHECK_NEAR(scalar(r), sqrt(66.0), 1e-12);
  CHECK_OK(mlx_linalg_norm_matrix(&r, a, "nuc", NULL, 0, false, cpu));
  CHECK(scalar(r) > sqrt(66.0));
  CHECK_FAIL(mlx_linalg_norm(&r, a, 3, NULL, 0, false, cpu));
  CHECK(strstr(last_msg, "[linalg::norm] Invalid ord 3 for matrix norm") != NULL);
  /* pinv of a full-row-rank 2 x 3: a pinv(a) = I */
  CHECK_OK(mlx_linalg_pinv(&r, a, cpu));
  v = values(r);
  CHECK(mm_err(x, v, NULL, 1, 2, 3, 2) < 1e-10);
  free(v);
  /* cross of the rows: (1,-2,3) x (4,0,-6) = (12, 18, 8) */
  mlx_array r0 = mlx_array_new();
  CHECK_OK(mlx_linalg_cross(&r0, a, a, -1, cpu));
  CHECK_NEAR(scalar(r0), 0, 1e-12);
  double y[6] = {1, -2, 3, 4, 0, -6};
  int s3[1] = {3};
  mlx_array p = mlx_array_new_data(y, s3, 1, MLX_FLOAT64), q = mlx_array_new_data(y + 3, s3, 1, MLX_FLOAT64);
  CHECK_OK(mlx_linalg_cross(&r0, p, q, 0, cpu));
  v = values(r0);
  CHECK_NEAR(v[0], 12, 1e-12);
  CHECK_NEAR(v[1], 18, 1e-12);
  CHECK_NEAR(v[2], 8, 1e-12);
  free(v);
  mlx_array_free(p), mlx_array_free(q), mlx_array_free(r0), mlx_array_free(a), mlx_array_free(r);
}

/* max |A v_j - w_j v_j| over a batch of n x n matrices; a real (row-major doubles), w and V
 * complex64 results. */
static double eig_err(const double *a, mlx_array w, mlx_array v, int b, int n) {
  mlx_array wc = mlx_array_new(), vc = mlx_array_new();
  mlx_contiguous(&wc, w, false, cpu);
  mlx_contiguous(&vc, v, false, cpu);
  mlx_array_eval(wc);
  mlx_array_eval(vc);
  const mlx_complex64_t *W = mlx_array_data_complex64(wc), *V = mlx_array_data_complex64(vc);
  double e = W && V ? 0 : 1e9;
  for (int t = 0; W && V && t < b; t++)
    for (int j = 0; j < n; j++)
      for (int i = 0; i < n; i++) {
        double complex s = 0;
        for (int k = 0; k < n; k++) s += a[(t * n + i) * n + k] * V[(t * n + k) * n + j];
        e = fmax(e, cabs(s - W[t * n + j] * V[(t * n + i) * n + j]));
      }
  mlx_array_free(wc);
  mlx_array_free(vc);
  return e;
}

static void test_eig(mlx_dtype dt) {
  enum { B = 3, N = 5 };
  double a[B * N * N];
  mlx_array A = make(B, N, N, 0, 0, dt, a), w = mlx_array_new(), v = mlx_array_new();
  CHECK_OK(mlx_linalg_eig(&w, &v, A, cpu));
  CHECK(mlx_array_dtype(w) == MLX_COMPLEX64 && mlx_array_dtype(v) == MLX_COMPLEX64);
  CHECK(mlx_array_ndim(w) == 2 && mlx_array_shape(w)[1] == N && mlx_array_ndim(v) == 3);
  CHECK(eig_err(a, w, v, B, N) < 1e-4);
  /* eigvals: the same values */
  mlx_array w2 = mlx_array_new(), d = mlx_array_new(), m = mlx_array_new();
  CHECK_OK(mlx_linalg_eigvals(&w2, A, cpu));
  CHECK_OK(mlx_subtract(&d, w, w2, cpu));
  CHECK_OK(mlx_abs(&d, d, cpu));
  CHECK_OK(mlx_max(&m, d, false, cpu));
  CHECK(scalar(m) < 1e-5);
  /* a rotation: eigenvalues +-i, a conjugate pair of eigenvectors */
  double r[4] = {0, 1, -1, 0};
  int sh[2] = {2, 2};
  mlx_array R = mlx_array_new_data(r, sh, 2, MLX_FLOAT64);
  CHECK_OK(mlx_astype(&R, R, dt, cpu));
  CHECK_OK(mlx_linalg_eig(&w, &v, R, cpu));
  CHECK(eig_err(r, w, v, 1, 2) < 1e-6);
  mlx_complex64_t w0 = 0;
  mlx_array w0a = mlx_array_new();
  CHECK_OK(mlx_slice(&w0a, w, (int[]){0}, 1, (int[]){1}, 1, (int[]){1}, 1, cpu));
  CHECK_OK(mlx_squeeze(&w0a, w0a, cpu));
  CHECK_OK(mlx_array_item_complex64(&w0, w0a));
  CHECK_NEAR(cabs(w0), 1, 1e-6);
  CHECK_NEAR(crealf(w0), 0, 1e-6);
  /* a transposed (strided) input */
  mlx_array at = mlx_array_new();
  double att[B * N * N];
  for (int k = 0; k < B; k++)
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) att[(k * N + i) * N + j] = a[(k * N + j) * N + i];
  CHECK_OK(mlx_swapaxes(&at, A, -1, -2, cpu));
  CHECK_OK(mlx_linalg_eig(&w, &v, at, cpu));
  CHECK(eig_err(att, w, v, B, N) < 1e-4);
  mlx_array_free(A), mlx_array_free(w), mlx_array_free(v), mlx_array_free(w2);
  mlx_array_free(d), mlx_array_free(m), mlx_array_free(R), mlx_array_free(w0a), mlx_array_free(at);
}

/* complex64 input (eig, eigvals, eigh, eigvalsh, svd): [[2, i], [-i, 3]] is Hermitian, with
 * eigenvalues 2.5 +- sqrt(1.25). */
static void test_eig_complex(void) {
  mlx_array c = mlx_array_new(), w = mlx_array_new(), v = mlx_array_new(), re = mlx_array_new();
  int sh[2] = {2, 2};
  mlx_array re_ = mlx_array_new(), im_ = mlx_array_new(), j = mlx_array_new_complex(0, 1);
  double rr[4] = {2, 0, 0, 3}, ii[4] = {0, 1, -1, 0};
  mlx_array R = mlx_array_new_data(rr, sh, 2, MLX_FLOAT64), Im = mlx_array_new_data(ii, sh, 2, MLX_FLOAT64);
  CHECK_OK(mlx_astype(&re_, R, MLX_COMPLEX64, cpu));
  CHECK_OK(mlx_multiply(&im_, Im, j, cpu));
  CHECK_OK(mlx_astype(&im_, im_, MLX_COMPLEX64, cpu));
  CHECK_OK(mlx_add(&c, re_, im_, cpu));
  CHECK(mlx_array_dtype(c) == MLX_COMPLEX64);
  CHECK_OK(mlx_linalg_eigvals(&w, c, cpu));
  CHECK_OK(mlx_real(&re, w, cpu));
  CHECK_OK(mlx_sort(&re, re, cpu));
  double *wv = values(re);
  CHECK_NEAR(wv[0], 2.5 - sqrt(1.25), 1e-5);
  CHECK_NEAR(wv[1], 2.5 + sqrt(1.25), 1e-5);
  free(wv);
  CHECK_OK(mlx_linalg_eig(&w, &v, c, cpu));
  CHECK(mlx_array_dtype(v) == MLX_COMPLEX64);
  /* eigvalsh and the singular values (c is positive definite): the same, as float32 */
  CHECK_OK(mlx_linalg_eigvalsh(&re, c, "L", cpu));
  CHECK(mlx_array_dtype(re) == MLX_FLOAT32);
  wv = values(re);
  CHECK_NEAR(wv[0], 2.5 - sqrt(1.25), 1e-5);
  CHECK_NEAR(wv[1], 2.5 + sqrt(1.25), 1e-5);
  free(wv);
  mlx_vector_array sv = mlx_vector_array_new();
  CHECK_OK(mlx_linalg_svd(&sv, c, false, cpu));
  CHECK_OK(mlx_vector_array_get(&re, sv, 0));
  CHECK(mlx_array_dtype(re) == MLX_FLOAT32);
  wv = values(re);
  CHECK_NEAR(wv[0], 2.5 + sqrt(1.25), 1e-5);
  CHECK_NEAR(wv[1], 2.5 - sqrt(1.25), 1e-5);
  free(wv);
  mlx_vector_array_free(sv);
  mlx_array_free(c), mlx_array_free(w), mlx_array_free(v), mlx_array_free(re);
  mlx_array_free(re_), mlx_array_free(im_), mlx_array_free(j), mlx_array_free(R), mlx_array_free(Im);
}

static void expect_msg(int rc, const char *want) {
  CHECK(rc != 0);
  CHECK(strstr(last_msg, want) != NULL);
  if (!strstr(last_msg, want)) fprintf(stderr, "  got: %s\n  want: %s\n", last_msg, want);
}

/* A batch of small matrices large enough to run over the worker pool: inverses check out, and
 * one singular matrix deep in the batch fails the whole evaluation with the kernel's message. */
static void test_large_batch(void) {
  enum { B = 3000, N = 4 };
  double *a = malloc(sizeof(double) * B * N * N);
  mlx_array A = make(B, N, N, 3, 0, MLX_FLOAT64, a), r = mlx_array_new();
  CHECK_OK(mlx_linalg_inv(&r, A, cpu));
  double *ri = values(r);
  CHECK(mm_err(a, ri, NULL, B, N, N, N) < 1e-10);
  free(ri);
  for (int k = 0; k < N * N; k++) a[(size_t)2500 * N * N + k] = 0;
  int sh[3] = {B, N, N};
  mlx_array S = mlx_array_new_data(a, sh, 3, MLX_FLOAT64);
  CHECK_OK(mlx_linalg_inv(&r, S, cpu));
  CHECK(mlx_array_eval(r) != 0);
  CHECK(strstr(last_msg, "[Inverse::eval_cpu] LU factorization failed") != NULL);
  CHECK_OK(mlx_linalg_eigvalsh(&r, A, "L", cpu)); /* still working, also over the pool */
  CHECK_OK(mlx_array_eval(r));
  free(a);
  mlx_array_free(A), mlx_array_free(S), mlx_array_free(r);
}

/* An op that builds fine and fails at evaluation, naming the primitive. */
static void expect_eval_msg(mlx_array r, const char *want) {
  expect_msg(mlx_array_eval(r), want);
}

static void test_errors(void) {
  int sq[2] = {2, 2}, ns[2] = {2, 3}, v1[1] = {2}, v3[1] = {3}, v4[1] = {4}, c3[3] = {2, 2, 2};
  int iv[4] = {1, 2, 3, 4};
  float fv[8] = {1, 1, 1, 1, 1, 1, 1, 1}, zv[4] = {0, 0, 0, 0}, neg[4] = {-1, 0, 0, -1};
  mlx_array ai = mlx_array_new_data(iv, sq, 2, MLX_INT32);
  mlx_array an = mlx_array_new_data(fv, ns, 2, MLX_FLOAT32);
  mlx_array a1 = mlx_array_new_data(fv, v1, 1, MLX_FLOAT32);
  mlx_array sing = mlx_array_new_data(fv, sq, 2, MLX_FLOAT32);
  mlx_array zero = mlx_array_new_data(zv, sq, 2, MLX_FLOAT32);
  mlx_array npd = mlx_array_new_data(neg, sq, 2, MLX_FLOAT32);
  mlx_array b3 = mlx_array_new_data(fv, v3, 1, MLX_FLOAT32);
  mlx_array b4 = mlx_array_new_data(fv, v4, 1, MLX_FLOAT32);
  mlx_array cube = mlx_array_new_data(fv, c3, 3, MLX_FLOAT32);
  mlx_array h16 = mlx_array_new(), empty = mlx_array_new();
  CHECK_OK(mlx_astype(&h16, sing, MLX_FLOAT16, cpu));
  mlx_array r = mlx_array_new(), r2 = mlx_array_new();
  mlx_vector_array v = mlx_vector_array_new();
  const char *f32 = "Arrays must have type float32 or float64. Received array with type int32";
  const char *dims = "Arrays must have >= 2 dimensions. Received array with 1 dimensions";
  char want[256];
#define WANT(op, msg) (snprintf(want, sizeof want, "[%s] %s", op, msg), want)
  /* inv, tri_inv */
  expect_msg(mlx_linalg_inv(&r, ai, cpu), WANT("linalg::inv", f32));
  expect_msg(mlx_linalg_inv(&r, an, cpu), "[linalg::inv] Inverses are only defined for square");
  expect_msg(mlx_linalg_inv(&r, a1, cpu), WANT("linalg::inv", dims));
  expect_msg(mlx_linalg_inv(&r, empty, cpu), "[linalg::inv] Got an empty array handle");
  CHECK_OK(mlx_linalg_inv(&r, sing, cpu));
  expect_eval_msg(r, "[Inverse::eval_cpu] LU factorization failed with error code 2");
  expect_msg(mlx_linalg_tri_inv(&r, ai, true, cpu), WANT("linalg::tri_inv", f32));
  expect_msg(mlx_linalg_tri_inv(&r, an, false, cpu), "[linalg::tri_inv] Inverses are only");
  expect_msg(mlx_linalg_tri_inv(&r, a1, false, cpu), WANT("linalg::tri_inv", dims));
  CHECK_OK(mlx_linalg_tri_inv(&r, zero, false, cpu));
  expect_eval_msg(r, "[Inverse::eval_cpu] triangular inversion failed with error code 1");
  /* cholesky, cholesky_inv */
  expect_msg(mlx_linalg_cholesky(&r, ai, false, cpu), WANT("linalg::cholesky", f32));
  expect_msg(mlx_linalg_cholesky(&r, an, false, cpu), "[linalg::cholesky] Cholesky decomposition is only defined for square");
  expect_msg(mlx_linalg_cholesky(&r, a1, false, cpu), WANT("linalg::cholesky", dims));
  CHECK_OK(mlx_linalg_cholesky(&r, npd, false, cpu));
  expect_eval_msg(r, "[Cholesky::eval_cpu] Cholesky decomposition failed");
  expect_msg(mlx_linalg_cholesky_inv(&r, ai, false, cpu), WANT("linalg::cholesky_inv", f32));
  expect_msg(mlx_linalg_cholesky_inv(&r, an, true, cpu), "[linalg::cholesky_inv] Cholesky inverse is only defined for square");
  expect_msg(mlx_linalg_cholesky_inv(&r, a1, false, cpu), WANT("linalg::cholesky_inv", dims));
  CHECK_OK(mlx_linalg_cholesky_inv(&r, zero, false, cpu));
  expect_eval_msg(r, "[Inverse::eval_cpu] triangular inversion failed");
  /* qr, svd, lu, lu_factor */
  expect_msg(mlx_linalg_qr(&r, &r2, ai, cpu), WANT("linalg::qr", f32));
  expect_msg(mlx_linalg_qr(&r, &r2, a1, cpu), WANT("linalg::qr", dims));
  expect_msg(mlx_linalg_qr(&r, NULL, an, cpu), "[linalg::qr] Output handle is NULL");
  const char *cx = "Arrays must have type float32, float64 or complex64. Received array with type";
  expect_msg(mlx_linalg_svd(&v, ai, true, cpu), WANT("linalg::svd", cx));
  expect_msg(mlx_linalg_svd(&v, a1, false, cpu), "[linalg::svd] Input array must have >= 2 dimensions. Received array with 1 dimensions");
  expect_msg(mlx_linalg_svd(NULL, an, true, cpu), "[linalg::svd] Output handle is NULL");
  expect_msg(mlx_linalg_svd(&v, h16, true, cpu), "[linalg::svd] Arrays must have type float32, float64 or complex64. Received array with type float16");
  expect_msg(mlx_linalg_lu(&v, ai, cpu), WANT("linalg::lu", f32));
  expect_msg(mlx_linalg_lu(&v, a1, cpu), WANT("linalg::lu", dims));
  expect_msg(mlx_linalg_lu(NULL, an, cpu), "[linalg::lu] Output handle is NULL");
  expect_msg(mlx_linalg_lu_factor(&r, &r2, ai, cpu), WANT("linalg::lu_factor", f32));
  expect_msg(mlx_linalg_lu_factor(&r, &r2, a1, cpu), WANT("linalg::lu_factor", dims));
  expect_msg(mlx_linalg_lu_factor(&r, NULL, an, cpu), "[linalg::lu_factor] Output handle is NULL");
  /* eig, eigvals, eigh, eigvalsh */
  expect_msg(mlx_linalg_eig(&r, &r2, ai, cpu), WANT("linalg::eig", cx));
  expect_msg(mlx_linalg_eig(&r, &r2, an, cpu), "[linalg::eig] Only defined for square matrices");
  expect_msg(mlx_linalg_eig(&r, &r2, a1, cpu), WANT("linalg::eig", dims));
  expect_msg(mlx_linalg_eig(&r, &r2, h16, cpu), "[linalg::eig] Arrays must have type float32, float64 or complex64. Received array with type float16");
  expect_msg(mlx_linalg_eigvals(&r, ai, cpu), WANT("linalg::eigvals", cx));
  expect_msg(mlx_linalg_eigvals(&r, an, cpu), "[linalg::eigvals] Only defined for square");
  expect_msg(mlx_linalg_eigvals(&r, a1, cpu), WANT("linalg::eigvals", dims));
  expect_msg(mlx_linalg_eigh(&r, &r2, ai, "L", cpu), WANT("linalg::eigh", cx));
  expect_msg(mlx_linalg_eigh(&r, &r2, an, "L", cpu), "[linalg::eigh] Only defined for square");
  expect_msg(mlx_linalg_eigh(&r, &r2, a1, "U", cpu), WANT("linalg::eigh", dims));
  expect_msg(mlx_linalg_eigh(&r, &r2, sing, "X", cpu), "[linalg::eigh] UPLO must be 'L' or 'U'");
  expect_msg(mlx_linalg_eigvalsh(&r, sing, "X", cpu), "[linalg::eigvalsh] UPLO");
  expect_msg(mlx_linalg_eigvalsh(&r, sing, NULL, cpu), "[linalg::eigvalsh] UPLO");
  expect_msg(mlx_linalg_eigvalsh(&r, an, "L", cpu), "[linalg::eigvalsh] Only defined for square");
  expect_msg(mlx_linalg_eigvalsh(&r, ai, "L", cpu), WANT("linalg::eigvalsh", cx));
  /* solve, solve_triangular */
  expect_msg(mlx_linalg_solve(&r, sing, b3, cpu), "[linalg::solve] Last dimension of first input with shape (2,2) must match second to last dimension of second input with shape (3)");
  expect_msg(mlx_linalg_solve(&r, a1, a1, cpu), "[linalg::solve] First input must have >= 2 dimensions");
  expect_msg(mlx_linalg_solve(&r, an, a1, cpu), "[linalg::solve] First input must be a square matrix. Received array with shape (2,3)");
  expect_msg(mlx_linalg_solve(&r, ai, a1, cpu), WANT("linalg::solve", f32));
  CHECK_OK(mlx_linalg_solve(&r, sing, a1, cpu));
  expect_eval_msg(r, "[Inverse::eval_cpu] LU factorization failed");
  expect_msg(mlx_linalg_solve_triangular(&r, sing, b3, true, cpu), "[linalg::solve_triangular] Last dimension");
  expect_msg(mlx_linalg_solve_triangular(&r, a1, a1, false, cpu), "[linalg::solve_triangular] First input must have >= 2");
  expect_msg(mlx_linalg_solve_triangular(&r, an, a1, false, cpu), "[linalg::solve_triangular] First input must be a square");
  expect_msg(mlx_linalg_solve_triangular(&r, ai, a1, false, cpu), WANT("linalg::solve_triangular", f32));
  CHECK_OK(mlx_linalg_solve_triangular(&r, zero, a1, false, cpu));
  expect_eval_msg(r, "[Inverse::eval_cpu] triangular inversion failed");
  /* pinv, cross */
  expect_msg(mlx_linalg_pinv(&r, ai, cpu), WANT("linalg::pinv", f32));
  expect_msg(mlx_linalg_pinv(&r, a1, cpu), WANT("linalg::pinv", dims));
  expect_msg(mlx_linalg_pinv(&r, empty, cpu), "[linalg::pinv] Got an empty array handle");
  expect_msg(mlx_linalg_cross(&r, b4, b4, -1, cpu), "[linalg::cross] The specified axis must have size 2 or 3");
  expect_msg(mlx_linalg_cross(&r, b3, b4, 0, cpu), "[linalg::cross] The specified axis must have size 2 or 3");
  expect_msg(mlx_linalg_cross(&r, b3, b3, 1, cpu), "[linalg::cross] Axis 1 is out of bounds for array with 1 dimensions");
  expect_msg(mlx_linalg_cross(&r, b3, empty, 0, cpu), "[linalg::cross] Got an empty array handle");
  /* norm, norm_matrix, norm_l2 */
  int ax3[3] = {0, 1, 2}, dup[2] = {1, 1}, bad[1] = {5};
  expect_msg(mlx_linalg_norm(&r, sing, 3, NULL, 0, false, cpu), "[linalg::norm] Invalid ord 3 for matrix norm");
  expect_msg(mlx_linalg_norm(&r, cube, 1, NULL, 0, false, cpu), "[linalg::norm] Received too many axes for norm");
  expect_msg(mlx_linalg_norm(&r, cube, 2, ax3, 3, false, cpu), "[linalg::norm] Received too many axes for norm");
  expect_msg(mlx_linalg_norm(&r, cube, 2, dup, 2, false, cpu), "[linalg::norm] Received duplicate axes");
  expect_msg(mlx_linalg_norm_matrix(&r, sing, "abc", NULL, 0, false, cpu), "[linalg::norm] Invalid ord value 'abc' for matrix norm");
  expect_msg(mlx_linalg_norm_matrix(&r, b3, "fro", NULL, 0, false, cpu), "[linalg::norm] Norm 'fro' only supported for matrices, but received 1 axis/axes");
  expect_msg(mlx_linalg_norm_matrix(&r, sing, NULL, NULL, 0, false, cpu), "[linalg::norm] Order string is NULL");
  expect_msg(mlx_linalg_norm_matrix(&r, cube, "nuc", NULL, 0, false, cpu), "[linalg::norm] Received too many axes");
  expect_msg(mlx_linalg_norm_l2(&r, cube, ax3, 3, false, cpu), "[linalg::norm] Received too many axes for norm");
  expect_msg(mlx_linalg_norm_l2(&r, cube, bad, 1, false, cpu), "[linalg::norm] Invalid axis 5 for array with 3 dimensions");
  expect_msg(mlx_linalg_norm_l2(&r, empty, NULL, 0, false, cpu), "[linalg::norm] Got an empty array handle");
#undef WANT
  /* the library keeps working */
  CHECK_OK(mlx_linalg_inv(&r, npd, cpu));
  CHECK_OK(mlx_array_eval(r));
  mlx_array_free(ai), mlx_array_free(an), mlx_array_free(a1), mlx_array_free(sing);
  mlx_array_free(zero), mlx_array_free(npd), mlx_array_free(b3), mlx_array_free(b4);
  mlx_array_free(cube), mlx_array_free(h16), mlx_array_free(r), mlx_array_free(r2);
  mlx_vector_array_free(v);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  for (int t = 0; t < 2; t++) {
    mlx_dtype dt = t ? MLX_FLOAT64 : MLX_FLOAT32;
    test_inv_solve(dt);
    test_cholesky_eigh(dt);
    test_qr_svd_lu(dt, 5, 3);
    test_qr_svd_lu(dt, 3, 5);
    test_qr_svd_lu(dt, 4, 4);
    test_eig(dt);
  }
  test_eig_complex();
  test_norm_pinv_cross();
  test_large_batch();
  test_errors();
  mlx_stream_free(cpu);
}
