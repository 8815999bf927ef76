/* The matmul family through the public C API: matmul (every float dtype, the packed
 * half-precision kernels on each instruction set level, threads, layouts), addmm, inner, outer,
 * tensordot, kron, einsum, block_masked_mm, gather_mm, segmented_mm, hadamard_transform.
 * References are computed here in double precision. */
#include <complex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

#include "backend/cpu/gemm.h"
#include "core/allocator.h"

static char last_msg[1024];
static int num_errors;
static mlx_stream cpu;

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
  num_errors++;
}

/* ------------------------------------------------------------------ helpers */

static uint64_t rng = 88172645463325252ull;
static double urand(void) { /* in [-1, 1) */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 4503599627370496.0 - 1.0;
}

static int64_t numel(const int *shape, int nd) {
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= shape[i];
  return n;
}

/* A float32 array with random values, then cast to dt (values kept in ref, as seen in dt). */
static mlx_array rand_array(const int *shape, int nd, mlx_dtype dt, double *ref) {
  int64_t n = numel(shape, nd);
  float *v = malloc((size_t)(n ? n : 1) * sizeof(float));
  for (int64_t i = 0; i < n; i++) v[i] = (float)urand();
  mlx_array f = mlx_array_new_data(v, shape, nd, MLX_FLOAT32), r = mlx_array_new();
  free(v);
  CHECK_OK(mlx_astype(&r, f, dt, cpu));
  mlx_array_free(f);
  /* read back the rounded values */
  if (ref) {
    mlx_array b = mlx_array_new();
    CHECK_OK(mlx_astype(&b, r, MLX_FLOAT64, cpu));
    CHECK_OK(mlx_array_eval(b));
    const double *p = mlx_array_data_float64(b);
    for (int64_t i = 0; p && i < n; i++) ref[i] = p[i];
    mlx_array_free(b);
  }
  return r;
}

/* Values of any real array as doubles in row-major order (any strides). */
static int fetch(mlx_array a, double *out) {
  mlx_array b = mlx_array_new();
  if (mlx_astype(&b, a, MLX_FLOAT64, cpu) || mlx_array_eval(b)) {
    mlx_array_free(b);
    return 1;
  }
  int nd = (int)mlx_array_ndim(b);
  const int *shape = mlx_array_shape(b);
  const size_t *st = mlx_array_strides(b);
  const double *p = mlx_array_data_float64(b);
  int64_t n = (int64_t)mlx_array_size(b);
  int64_t idx[64] = {0};
  for (int64_t i = 0; i < n; i++) {
    int64_t off = 0;
    for (int d = 0; d < nd; d++) off += idx[d] * (int64_t)st[d];
    out[i] = p[off];
    for (int d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  mlx_array_free(b);
  return 0;
}

static bool same_shape(mlx_array a, const int *shape, int nd) {
  if ((int)mlx_array_ndim(a) != nd) return false;
  for (int i = 0; i < nd; i++)
    if (mlx_array_shape(a)[i] != shape[i]) return false;
  return true;
}

/* max |got - want| / (|want| + scale) over n values */
static double rel_err(const double *got, const double *want, int64_t n, double scale) {
  double e = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = fabs(got[i] - want[i]) / (fabs(want[i]) + scale);
    if (!(d <= e)) e = d; /* NaN propagates */
  }
  return e;
}

/* C[b][i][j] = sum_k A[b][i][k] B[b][k][j], row-major */
static void ref_mm(const double *A, const double *B, double *C, int64_t batch, int64_t M,
                   int64_t N, int64_t K, bool bshared) {
  for (int64_t b = 0; b < batch; b++)
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        double s = 0;
        for (int64_t k = 0; k < K; k++)
          s += A[b * M * K + i * K + k] * B[(bshared ? 0 : b) * K * N + k * N + j];
        C[b * M * N + i * N + j] = s;
      }
}

static double tol_for(mlx_dtype dt) {
  switch (dt) {
  case MLX_FLOAT16:
    return 4e-3;
  case MLX_BFLOAT16:
    return 2e-2;
  case MLX_FLOAT64:
    return 1e-12;
  default:
    return 1e-5;
  }
}

/* ------------------------------------------------------------------ matmul */

/* (batch, M, K) @ (K, N) or (batch, K, N); optionally through transposed views. */
static void check_matmul(mlx_dtype dt, int batch, int M, int N, int K, bool ta, bool tb,
                         bool bshared) {
  int sa[3] = {batch, ta ? K : M, ta ? M : K};
  int sb[3] = {bshared ? 1 : batch, tb ? N : K, tb ? K : N};
  int64_t na = numel(sa, 3), nb = numel(sb, 3);
  double *ra = malloc((size_t)na * 8 + 8), *rb = malloc((size_t)nb * 8 + 8);
  double *A = malloc((size_t)na * 8 + 8), *B = malloc((size_t)nb * 8 + 8);
  double *C = malloc((size_t)batch * M * N * 8 + 8), *G = malloc((size_t)batch * M * N * 8 + 8);
  mlx_array a = rand_array(sa, 3, dt, ra), b = rand_array(sb, bshared ? 3 : 3, dt, rb);
  /* logical A (batch, M, K), B (batch', K, N) */
  for (int q = 0; q < batch; q++)
    for (int i = 0; i < M; i++)
      for (int k = 0; k < K; k++)
        A[(int64_t)q * M * K + i * K + k] =
            ta ? ra[(int64_t)q * M * K + k * M + i] : ra[(int64_t)q * M * K + i * K + k];
  for (int q = 0; q < sb[0]; q++)
    for (int k = 0; k < K; k++)
      for (int j = 0; j < N; j++)
        B[(int64_t)q * K * N + k * N + j] =
            tb ? rb[(int64_t)q * K * N + j * K + k] : rb[(int64_t)q * K * N + k * N + j];
  mlx_array av = mlx_array_new(), bv = mlx_array_new(), c = mlx_array_new();
  int perm[3] = {0, 2, 1};
  if (ta)
    CHECK_OK(mlx_transpose_axes(&av, a, perm, 3, cpu));
  else
    mlx_array_set(&av, a);
  if (tb)
    CHECK_OK(mlx_transpose_axes(&bv, b, perm, 3, cpu));
  else
    mlx_array_set(&bv, b);
  CHECK_OK(mlx_matmul(&c, av, bv, cpu));
  int so[3] = {batch, M, N};
  CHECK(same_shape(c, so, 3));
  CHECK(mlx_array_dtype(c) == dt);
  ref_mm(A, B, C, batch, M, N, K, bshared);
  CHECK_OK(fetch(c, G));
  double e = rel_err(G, C, (int64_t)batch * M * N, 0.05 * sqrt((double)K) + 1e-3);
  if (e > tol_for(dt))
    fprintf(stderr, "matmul dt=%d %dx%dx%dx%d ta=%d tb=%d shared=%d isa=%d: err %g\n", (int)dt,
            batch, M, N, K, ta, tb, bshared, (int)mx_gemm_isa_get(), e);
  CHECK(e <= tol_for(dt));
  mlx_array arr[] = {a, b, av, bv, c};
  for (int i = 0; i < 5; i++) mlx_array_free(arr[i]);
  free(ra);
  free(rb);
  free(A);
  free(B);
  free(C);
  free(G);
}

static void test_matmul_dtypes(void) {
  mlx_dtype dts[] = {MLX_FLOAT32, MLX_FLOAT64, MLX_FLOAT16, MLX_BFLOAT16};
  for (int d = 0; d < 4; d++) {
    check_matmul(dts[d], 1, 5, 7, 3, false, false, false);
    check_matmul(dts[d], 3, 13, 33, 17, true, false, false);
    check_matmul(dts[d], 2, 12, 32, 64, false, true, true);
    check_matmul(dts[d], 2, 25, 40, 9, true, true, false);
    check_matmul(dts[d], 1, 1, 70, 31, false, false, false);
    check_matmul(dts[d], 4, 30, 1, 20, false, false, true);
    for (int t = 0; t < 4; t++) { /* matrix-vector products in every layout */
      check_matmul(dts[d], 2, 1, 9, 7, t & 1, t & 2, false);
      check_matmul(dts[d], 2, 9, 1, 7, t & 1, t & 2, t & 1);
    }
  }
}

/* The half-precision kernels on each instruction-set level (what the CPU has and below),
 * including the two-thread path and batches spread over threads. */
static void test_matmul_half_isas(void) {
  mx_gemm_isa top = mx_gemm_isa_get();
  for (int isa = (int)top; isa >= 0; isa--) {
    mx_gemm_isa_set((mx_gemm_isa)isa);
    CHECK((int)mx_gemm_isa_get() == isa);
    for (int h = 0; h < 2; h++) {
      mlx_dtype dt = h ? MLX_FLOAT16 : MLX_BFLOAT16;
      check_matmul(dt, 1, 210, 200, 200, false, false, false); /* > 8M MACs: two threads */
      check_matmul(dt, 1, 150, 170, 191, true, true, false);   /* odd K, transposed */
      check_matmul(dt, 128, 32, 48, 80, false, true, false);   /* batch over threads */
      check_matmul(dt, 1, 3, 5, 1, false, false, false);
      check_matmul(dt, 1, 20, 40, 301, false, false, false); /* K blocked while packing B */
      check_matmul(dt, 2, 5, 37, 70, true, true, false);     /* few rows: dot products */
      check_matmul(dt, 1, 8, 130, 301, false, false, false); /* few rows: row updates */
      check_matmul(dt, 1, 1, 2100, 600, false, true, false); /* matrix-vector, two threads */
      check_matmul(dt, 1, 3, 1100, 1000, false, false, false);
      /* AMX: 10 B panels in two groups of eight (row-major B packed eight at a time), A
       * row-major and column-major */
      check_matmul(dt, 1, 70, 300, 2048, false, false, false);
      check_matmul(dt, 1, 70, 300, 2048, true, false, false);
    }
  }
  CHECK(mx_gemm_isa_set(top) == top);
}

static void test_matmul_complex_and_edges(void) {
  /* complex64: (1+2i)(3-i) = 5+5i, summed twice */
  float ca[4] = {1, 2, 1, 2}, cb[4] = {3, -1, 3, -1};
  int s12[2] = {1, 2}, s21[2] = {2, 1};
  mlx_array a = mlx_array_new_data(ca, s12, 2, MLX_COMPLEX64);
  mlx_array b = mlx_array_new_data(cb, s21, 2, MLX_COMPLEX64);
  mlx_array c = mlx_array_new();
  CHECK_OK(mlx_matmul(&c, a, b, cpu));
  CHECK_OK(mlx_array_eval(c));
  const float _Complex *cp = mlx_array_data_complex64(c);
  CHECK(cp && crealf(cp[0]) == 10.0f && cimagf(cp[0]) == 10.0f);
  mlx_array c2 = mlx_array_new();
  CHECK_OK(mlx_matmul(&c2, b, a, cpu)); /* (2,1) @ (1,2): an outer product */
  CHECK_OK(mlx_array_eval(c2));
  const float _Complex *c2p = mlx_array_data_complex64(c2);
  CHECK(c2p && crealf(c2p[1]) == 5.0f && cimagf(c2p[1]) == 5.0f);
  mlx_array_free(c2);
  /* K = 0 gives zeros; empty M gives an empty result */
  int s20[2] = {2, 0}, s03[2] = {0, 3};
  mlx_array z1 = mlx_array_new(), z2 = mlx_array_new(), z = mlx_array_new();
  CHECK_OK(mlx_zeros(&z1, s20, 2, MLX_BFLOAT16, cpu));
  CHECK_OK(mlx_zeros(&z2, s03, 2, MLX_BFLOAT16, cpu));
  CHECK_OK(mlx_matmul(&z, z1, z2, cpu));
  double zv[6] = {1, 1, 1, 1, 1, 1};
  CHECK_OK(fetch(z, zv));
  CHECK(mlx_array_size(z) == 6 && zv[0] == 0 && zv[5] == 0);
  /* integer inputs are refused; the process keeps working */
  int iv[4] = {1, 2, 3, 4}, s22[2] = {2, 2};
  mlx_array ia = mlx_array_new_data(iv, s22, 2, MLX_INT32), ir = mlx_array_new();
  CHECK_FAIL(mlx_matmul(&ir, ia, ia, cpu));
  CHECK(strstr(last_msg, "[matmul]") != NULL);
  mlx_array arr[] = {a, b, c, z1, z2, z, ia, ir};
  for (int i = 0; i < 8; i++) mlx_array_free(arr[i]);
}

/* ------------------------------------------------------------------ addmm */

static void test_addmm(void) {
  mlx_dtype dts[] = {MLX_FLOAT32, MLX_FLOAT64, MLX_FLOAT16, MLX_BFLOAT16};
  for (int d = 0; d < 4; d++) {
    mlx_dtype dt = dts[d];
    int M = 40, N = 50, K = 30;
    int sa[3] = {2, M, K}, sb[2] = {K, N}, sc[1] = {N};
    double *A = malloc(2 * M * K * 8), *B = malloc(K * N * 8), *Cv = malloc(N * 8);
    double *R = malloc(2 * M * N * 8), *G = malloc(2 * M * N * 8);
    mlx_array a = rand_array(sa, 3, dt, A), b = rand_array(sb, 2, dt, B);
    mlx_array c = rand_array(sc, 1, dt, Cv), o = mlx_array_new();
    CHECK_OK(mlx_addmm(&o, c, a, b, 0.5f, 2.0f, cpu));
    int so[3] = {2, M, N};
    CHECK(same_shape(o, so, 3) && mlx_array_dtype(o) == dt);
    ref_mm(A, B, R, 2, M, N, K, true);
    for (int i = 0; i < 2 * M * N; i++) R[i] = 0.5 * R[i] + 2.0 * Cv[i % N];
    CHECK_OK(fetch(o, G));
    CHECK(rel_err(G, R, 2 * M * N, 0.3) <= tol_for(dt));
    mlx_array arr[] = {a, b, c, o};
    for (int i = 0; i < 4; i++) mlx_array_free(arr[i]);
    free(A);
    free(B);
    free(Cv);
    free(R);
    free(G);
  }
  /* vectors, beta = 0 ignores NaN in c, K = 0 gives beta * c, promotion */
  float av[3] = {1, 2, 3}, bv[6] = {1, 2, 3, 4, 5, 6}, cn[2] = {NAN, NAN}, c2[2] = {1, 2};
  int s3[1] = {3}, s32[2] = {3, 2}, s2[1] = {2};
  mlx_array a = mlx_array_new_data(av, s3, 1, MLX_FLOAT32);
  mlx_array b = mlx_array_new_data(bv, s32, 2, MLX_FLOAT32);
  mlx_array cnan = mlx_array_new_data(cn, s2, 1, MLX_FLOAT32);
  mlx_array cc = mlx_array_new_data(c2, s2, 1, MLX_FLOAT32);
  mlx_array o = mlx_array_new();
  double g[4];
  CHECK_OK(mlx_addmm(&o, cnan, a, b, 1.0f, 0.0f, cpu));
  CHECK(mlx_array_ndim(o) == 1 && mlx_array_shape(o)[0] == 2);
  CHECK_OK(fetch(o, g));
  CHECK(g[0] == 22 && g[1] == 28);
  int s20[2] = {2, 0}, s02[2] = {0, 2};
  mlx_array e1 = mlx_array_new(), e2 = mlx_array_new();
  CHECK_OK(mlx_zeros(&e1, s20, 2, MLX_FLOAT16, cpu));
  CHECK_OK(mlx_zeros(&e2, s02, 2, MLX_FLOAT16, cpu));
  CHECK_OK(mlx_addmm(&o, cc, e1, e2, 1.0f, 3.0f, cpu));
  CHECK(mlx_array_dtype(o) == MLX_FLOAT32);
  CHECK_OK(fetch(o, g));
  CHECK(g[0] == 3 && g[1] == 6 && g[2] == 3 && g[3] == 6);
  /* errors */
  int iv[2] = {1, 2};
  mlx_array ia = mlx_array_new_data(iv, s2, 1, MLX_INT32), s0 = mlx_array_new_float(1.0f);
  CHECK_FAIL(mlx_addmm(&o, ia, ia, ia, 1, 1, cpu));
  CHECK(strstr(last_msg, "[addmm]") != NULL);
  CHECK_FAIL(mlx_addmm(&o, cc, s0, b, 1, 1, cpu));
  CHECK_FAIL(mlx_addmm(&o, cc, b, b, 1, 1, cpu)); /* (3,2) @ (3,2) */
  float c33[9] = {0};
  int s33[2] = {3, 3};
  mlx_array cbig = mlx_array_new_data(c33, s33, 2, MLX_FLOAT32);
  CHECK_FAIL(mlx_addmm(&o, cbig, a, b, 1, 1, cpu)); /* c does not broadcast to (2,) */
  mlx_array arr[] = {a, b, cnan, cc, o, e1, e2, ia, s0, cbig};
  for (int i = 0; i < 10; i++) mlx_array_free(arr[i]);
}

/* ------------------------------------------------------------------ inner, outer, tensordot, kron */

static void test_products(void) {
  int s23[2] = {2, 3}, s43[2] = {4, 3}, s3[1] = {3};
  double A[6], B[12], g[64];
  mlx_array a = rand_array(s23, 2, MLX_FLOAT32, A), b = rand_array(s43, 2, MLX_FLOAT32, B);
  mlx_array o = mlx_array_new();
  CHECK_OK(mlx_inner(&o, a, b, cpu));
  int s24[2] = {2, 4};
  CHECK(same_shape(o, s24, 2));
  CHECK_OK(fetch(o, g));
  double e = 0;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 4; j++) {
      double r = 0;
      for (int k = 0; k < 3; k++) r += A[i * 3 + k] * B[j * 3 + k];
      e = fmax(e, fabs(g[i * 4 + j] - r));
    }
  CHECK(e < 1e-5);
  mlx_array v = rand_array(s3, 1, MLX_FLOAT32, NULL);
  int s2[1] = {2};
  mlx_array v2 = rand_array(s2, 1, MLX_FLOAT32, NULL);
  CHECK_FAIL(mlx_inner(&o, v, v2, cpu));
  CHECK(strstr(last_msg, "[inner]") != NULL);
  /* outer flattens; ints stay ints */
  int iv[4] = {1, 2, 3, 4}, jv[3] = {1, 10, 100}, s22[2] = {2, 2};
  mlx_array ia = mlx_array_new_data(iv, s22, 2, MLX_INT32), ja = mlx_array_new_data(jv, s3, 1, MLX_INT32);
  CHECK_OK(mlx_outer(&o, ia, ja, cpu));
  int s43b[2] = {4, 3};
  CHECK(same_shape(o, s43b, 2) && mlx_array_dtype(o) == MLX_INT32);
  CHECK_OK(fetch(o, g));
  CHECK(g[0] == 1 && g[2] == 100 && g[11] == 400);
  /* kron */
  CHECK_OK(mlx_kron(&o, ia, ja, cpu)); /* (2,2) (x) (3,) -> (2, 6) */
  int s26[2] = {2, 6};
  CHECK(same_shape(o, s26, 2));
  CHECK_OK(fetch(o, g));
  CHECK(g[0] == 1 && g[1] == 10 && g[3] == 2 && g[5] == 200 && g[6] == 3 && g[11] == 400);
  int s0[2] = {0, 2};
  mlx_array empty = mlx_array_new();
  CHECK_OK(mlx_zeros(&empty, s0, 2, MLX_FLOAT32, cpu));
  CHECK_FAIL(mlx_kron(&o, empty, ia, cpu));
  CHECK(strstr(last_msg, "[kron]") != NULL);
  /* tensordot: (2,3,4) x (4,3,5) over a:[1,2], b:[1,0] */
  int t1[3] = {2, 3, 4}, t2[3] = {4, 3, 5};
  double TA[24], TB[60];
  mlx_array ta = rand_array(t1, 3, MLX_FLOAT64, TA), tb = rand_array(t2, 3, MLX_FLOAT64, TB);
  int xa[2] = {1, -1}, xb[2] = {1, 0};
  CHECK_OK(mlx_tensordot(&o, ta, tb, xa, 2, xb, 2, cpu));
  int s25[2] = {2, 5};
  CHECK(same_shape(o, s25, 2) && mlx_array_dtype(o) == MLX_FLOAT64);
  CHECK_OK(fetch(o, g));
  e = 0;
  for (int i = 0; i < 2; i++)
    for (int m = 0; m < 5; m++) {
      double r = 0;
      for (int j = 0; j < 3; j++)
        for (int k = 0; k < 4; k++) r += TA[i * 12 + j * 4 + k] * TB[k * 15 + j * 5 + m];
      e = fmax(e, fabs(g[i * 5 + m] - r));
    }
  CHECK(e < 1e-12);
  CHECK_OK(mlx_tensordot_axis(&o, ta, ta, 0, cpu)); /* outer: (2,3,4,2,3,4) */
  CHECK(mlx_array_ndim(o) == 6 && mlx_array_size(o) == 576);
  CHECK_FAIL(mlx_tensordot_axis(&o, ta, tb, -1, cpu));
  CHECK_FAIL(mlx_tensordot_axis(&o, ta, tb, 4, cpu));
  CHECK_OK(mlx_tensordot_axis(&o, ta, tb, 1, cpu)); /* a's last (4) with b's first (4) */
  int s2335[4] = {2, 3, 3, 5};
  CHECK(same_shape(o, s2335, 4));
  int bad_a[1] = {0}, bad_b[2] = {0, 1};
  CHECK_FAIL(mlx_tensordot(&o, ta, tb, bad_a, 1, bad_b, 2, cpu));
  CHECK(strstr(last_msg, "same size") != NULL);
  int ba[1] = {0}, bb[1] = {0};
  CHECK_FAIL(mlx_tensordot(&o, ta, tb, ba, 1, bb, 1, cpu)); /* 2 vs 4 */
  CHECK(strstr(last_msg, "same shape") != NULL);
  int oob[1] = {5};
  CHECK_FAIL(mlx_tensordot(&o, ta, tb, oob, 1, bb, 1, cpu));
  mlx_array arr[] = {a, b, o, v, v2, ia, ja, empty, ta, tb};
  for (int i = 0; i < 10; i++) mlx_array_free(arr[i]);
}

/* ------------------------------------------------------------------ einsum */

static int einsum_n(mlx_array *res, const char *subs, const mlx_array *ops, int n) {
  mlx_vector_array v = mlx_vector_array_new_data(ops, (size_t)n);
  int rc = mlx_einsum(res, subs, v, cpu);
  mlx_vector_array_free(v);
  return rc;
}

static void test_einsum(void) {
  int s33[2] = {3, 3}, s34[2] = {3, 4}, s45[2] = {4, 5}, s234[3] = {2, 3, 4};
  double X[9], A[12], B[20], T[24], g[64];
  mlx_array x = rand_array(s33, 2, MLX_FLOAT32, X), a = rand_array(s34, 2, MLX_FLOAT32, A);
  mlx_array b = rand_array(s45, 2, MLX_FLOAT32, B), t = rand_array(s234, 3, MLX_FLOAT32, T);
  mlx_array o = mlx_array_new();
  /* trace, diagonal, transpose */
  CHECK_OK(einsum_n(&o, "ii", &x, 1));
  CHECK(mlx_array_ndim(o) == 0);
  CHECK_OK(fetch(o, g));
  CHECK(fabs(g[0] - (X[0] + X[4] + X[8])) < 1e-5);
  CHECK_OK(einsum_n(&o, "ii->i", &x, 1));
  CHECK_OK(fetch(o, g));
  CHECK(mlx_array_size(o) == 3 && g[1] == X[4] && g[2] == X[8]);
  CHECK_OK(einsum_n(&o, "ij->ji", &a, 1));
  CHECK_OK(fetch(o, g));
  CHECK(mlx_array_shape(o)[0] == 4 && g[1] == A[4]);
  /* matrix chain and implicit output */
  mlx_array ab[2] = {a, b};
  CHECK_OK(einsum_n(&o, "ij,jk", ab, 2));
  int s35[2] = {3, 5};
  CHECK(same_shape(o, s35, 2));
  CHECK_OK(fetch(o, g));
  double R[15];
  ref_mm(A, B, R, 1, 3, 5, 4, false);
  CHECK(rel_err(g, R, 15, 1) < 1e-5);
  mlx_array xab[3] = {x, a, b};
  CHECK_OK(einsum_n(&o, "hi, ij ,jk->kh", xab, 3));
  int s53[2] = {5, 3};
  CHECK(same_shape(o, s53, 2));
  CHECK_OK(fetch(o, g));
  double R2[15];
  ref_mm(X, R, R2, 1, 3, 5, 3, false); /* (x @ a @ b) */
  double e = 0;
  for (int h = 0; h < 3; h++)
    for (int k = 0; k < 5; k++) e = fmax(e, fabs(g[k * 3 + h] - R2[h * 5 + k]));
  CHECK(e < 1e-4);
  /* ellipsis broadcasting and a sum */
  mlx_array ta[2] = {t, b};
  CHECK_OK(einsum_n(&o, "...k,kl->...l", ta, 2));
  int s235[3] = {2, 3, 5};
  CHECK(same_shape(o, s235, 3));
  CHECK_OK(einsum_n(&o, "...j->...", &t, 1));
  int s23[2] = {2, 3};
  CHECK(same_shape(o, s23, 2));
  CHECK_OK(fetch(o, g));
  CHECK(fabs(g[4] - (T[16] + T[17] + T[18] + T[19])) < 1e-5);
  /* integer products without contraction work, with contraction they need floats */
  int iv[3] = {1, 2, 3}, s3[1] = {3};
  mlx_array iv3 = mlx_array_new_data(iv, s3, 1, MLX_INT32);
  mlx_array ii[2] = {iv3, iv3};
  CHECK_OK(einsum_n(&o, "i,j->ij", ii, 2));
  CHECK(mlx_array_dtype(o) == MLX_INT32);
  CHECK_OK(fetch(o, g));
  CHECK(g[8] == 9);
  CHECK_FAIL(einsum_n(&o, "i,i->", ii, 2));
  /* errors */
  CHECK_FAIL(einsum_n(&o, "ij,jk->ik", &a, 1));
  CHECK(strstr(last_msg, "Number of operands") != NULL);
  CHECK_FAIL(einsum_n(&o, "i1", &a, 1));
  CHECK(strstr(last_msg, "must be letters") != NULL);
  CHECK_FAIL(einsum_n(&o, "ijk", &a, 1));
  CHECK_FAIL(einsum_n(&o, "ij->ii", &a, 1));
  CHECK_FAIL(einsum_n(&o, "ii", &a, 1));
  CHECK_FAIL(einsum_n(&o, "ij->ik", &a, 1));
  mlx_array aa[2] = {a, a};
  CHECK_FAIL(einsum_n(&o, "ij,jk", aa, 2));
  CHECK(strstr(last_msg, "Cannot broadcast") != NULL);
  CHECK_FAIL(einsum_n(&o, "...i...", &a, 1));
  CHECK_FAIL(einsum_n(&o, "ij", NULL, 0));
  mlx_vector_array nv = mlx_vector_array_new();
  CHECK_FAIL(mlx_einsum(&o, NULL, nv, cpu));
  mlx_vector_array_free(nv);
  mlx_array arr[] = {x, a, b, t, o, iv3};
  for (int i = 0; i < 6; i++) mlx_array_free(arr[i]);
}

/* ------------------------------------------------------------------ block_masked_mm */

static void test_block_masked_mm(void) {
  int M = 70, K = 40, N = 65, bs = 32;
  int tm = 3, tk = 2, tn = 3;
  int sa[2] = {M, K}, sb[2] = {K, N};
  double *A = malloc(M * K * 8), *B = malloc(K * N * 8), *R = malloc(M * N * 8),
         *G = malloc(M * N * 8);
  mlx_array a = rand_array(sa, 2, MLX_FLOAT32, A), b = rand_array(sb, 2, MLX_FLOAT32, B);
  bool mo[9] = {1, 0, 1, 0, 1, 1, 1, 1, 0};
  float ml[6] = {1, 0.5f, 0, 2, 1, 1};
  bool mr[6] = {1, 1, 0, 1, 0, 1};
  int smo[2] = {tm, tn}, sml[2] = {tm, tk}, smr[2] = {tk, tn};
  mlx_array amo = mlx_array_new_data(mo, smo, 2, MLX_BOOL);
  mlx_array aml = mlx_array_new_data(ml, sml, 2, MLX_FLOAT32);
  mlx_array amr = mlx_array_new_data(mr, smr, 2, MLX_BOOL);
  mlx_array none = mlx_array_new(), o = mlx_array_new();
  CHECK_OK(mlx_block_masked_mm(&o, a, b, bs, amo, aml, amr, cpu));
  int so[2] = {M, N};
  CHECK(same_shape(o, so, 2));
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      double s = 0;
      for (int k = 0; k < K; k++)
        s += A[i * K + k] * ml[(i / bs) * tk + k / bs] * B[k * N + j] * mr[(k / bs) * tn + j / bs];
      R[i * N + j] = mo[(i / bs) * tn + j / bs] ? s : 0;
    }
  CHECK_OK(fetch(o, G));
  CHECK(rel_err(G, R, M * N, 1) < 1e-5);
  /* bfloat16 with only an output mask */
  mlx_array ah = mlx_array_new(), bh = mlx_array_new();
  CHECK_OK(mlx_astype(&ah, a, MLX_BFLOAT16, cpu));
  CHECK_OK(mlx_astype(&bh, b, MLX_BFLOAT16, cpu));
  CHECK_OK(mlx_block_masked_mm(&o, ah, bh, bs, amo, none, none, cpu));
  CHECK(mlx_array_dtype(o) == MLX_BFLOAT16);
  CHECK_OK(fetch(o, G));
  CHECK(G[0] != 0 && G[40] == 0); /* block (0, 1) is masked */
  /* no masks: a plain matmul, any block size */
  CHECK_OK(mlx_block_masked_mm(&o, a, b, 7, none, none, none, cpu));
  CHECK(same_shape(o, so, 2));
  /* errors */
  CHECK_FAIL(mlx_block_masked_mm(&o, a, b, 16, amo, none, none, cpu));
  CHECK(strstr(last_msg, "block_size") != NULL);
  CHECK_FAIL(mlx_block_masked_mm(&o, a, b, bs, aml, none, none, cpu)); /* (3,2) vs (3,3) */
  int iv[4] = {1, 2, 3, 4}, s22[2] = {2, 2};
  mlx_array ia = mlx_array_new_data(iv, s22, 2, MLX_INT32);
  CHECK_FAIL(mlx_block_masked_mm(&o, ia, ia, bs, amo, none, none, cpu));
  CHECK(strstr(last_msg, "real floating") != NULL);
  mlx_array arr[] = {a, b, amo, aml, amr, none, o, ah, bh, ia};
  for (int i = 0; i < 10; i++) mlx_array_free(arr[i]);
  free(A);
  free(B);
  free(R);
  free(G);
}

/* ------------------------------------------------------------------ gather_mm, segmented_mm */

static void test_gather_segmented(void) {
  int M = 3, K = 4, N = 5;
  int sa[3] = {4, M, K}, sb[3] = {6, K, N};
  double A[48], B[120], g[256], R[15];
  mlx_array a = rand_array(sa, 3, MLX_FLOAT32, A), b = rand_array(sb, 3, MLX_FLOAT32, B);
  int32_t li[3] = {3, 0, -1};
  uint8_t ri[3] = {5, 2, 9}; /* 9 is out of range: clamped to 5 */
  int s3[1] = {3};
  mlx_array l = mlx_array_new_data(li, s3, 1, MLX_INT32), r = mlx_array_new_data(ri, s3, 1, MLX_UINT8);
  mlx_array o = mlx_array_new(), none = mlx_array_new();
  CHECK_OK(mlx_gather_mm(&o, a, b, l, r, false, cpu));
  int so[3] = {3, M, N};
  CHECK(same_shape(o, so, 3));
  CHECK_OK(fetch(o, g));
  int la[3] = {3, 0, 3}, rb[3] = {5, 2, 5};
  double e = 0;
  for (int q = 0; q < 3; q++) {
    ref_mm(A + la[q] * M * K, B + rb[q] * K * N, R, 1, M, N, K, false);
    e = fmax(e, rel_err(g + q * M * N, R, M * N, 1));
  }
  CHECK(e < 1e-5);
  /* default lhs indices: a's batch (4) broadcast against rhs (3,) fails; (1,) works */
  CHECK_FAIL(mlx_gather_mm(&o, a, b, none, r, false, cpu));
  CHECK(strstr(last_msg, "gather_mm") != NULL);
  float fidx[1] = {0};
  int s1[1] = {1};
  mlx_array fi = mlx_array_new_data(fidx, s1, 1, MLX_FLOAT32);
  CHECK_FAIL(mlx_gather_mm(&o, a, b, fi, none, false, cpu));
  CHECK(strstr(last_msg, "integral") != NULL);
  /* half precision, sorted hint */
  mlx_array ah = mlx_array_new(), bh = mlx_array_new();
  CHECK_OK(mlx_astype(&ah, a, MLX_FLOAT16, cpu));
  CHECK_OK(mlx_astype(&bh, b, MLX_FLOAT16, cpu));
  uint32_t sr[4] = {0, 1, 1, 4};
  int s4[1] = {4};
  mlx_array srt = mlx_array_new_data(sr, s4, 1, MLX_UINT32);
  CHECK_OK(mlx_gather_mm(&o, ah, bh, none, srt, true, cpu));
  CHECK(mlx_array_dtype(o) == MLX_FLOAT16 && mlx_array_shape(o)[0] == 4);

  /* segmented_mm: a (3, 8) @ b (8, 2) over [0,3), [3,8), [5,5), [6,100) */
  int s38[2] = {3, 8}, s82[2] = {8, 2};
  double SA[24], SB[16];
  mlx_array sa2 = rand_array(s38, 2, MLX_FLOAT64, SA), sb2 = rand_array(s82, 2, MLX_FLOAT64, SB);
  int64_t segs[8] = {0, 3, 3, 8, 5, 5, 6, 100};
  int s42[2] = {4, 2};
  mlx_array sg = mlx_array_new_data(segs, s42, 2, MLX_INT64);
  CHECK_OK(mlx_segmented_mm(&o, sa2, sb2, sg, cpu));
  int sso[3] = {4, 3, 2};
  CHECK(same_shape(o, sso, 3) && mlx_array_dtype(o) == MLX_FLOAT64);
  CHECK_OK(fetch(o, g));
  int lo[4] = {0, 3, 5, 6}, hi[4] = {3, 8, 5, 8};
  e = 0;
  for (int q = 0; q < 4; q++)
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 2; j++) {
        double s = 0;
        for (int k = lo[q]; k < hi[q]; k++) s += SA[i * 8 + k] * SB[k * 2 + j];
        e = fmax(e, fabs(g[q * 6 + i * 2 + j] - s));
      }
  CHECK(e < 1e-12);
  float fs[2] = {0, 1};
  int s2[1] = {2};
  mlx_array fseg = mlx_array_new_data(fs, s2, 1, MLX_FLOAT32);
  CHECK_FAIL(mlx_segmented_mm(&o, sa2, sb2, fseg, cpu));
  CHECK(strstr(last_msg, "integral") != NULL);
  int64_t s3seg[3] = {0, 1, 2};
  mlx_array bad = mlx_array_new_data(s3seg, s3, 1, MLX_INT64);
  CHECK_FAIL(mlx_segmented_mm(&o, sa2, sb2, bad, cpu));
  CHECK_FAIL(mlx_segmented_mm(&o, a, b, sg, cpu)); /* batched */
  mlx_array arr[] = {a, b, l, r, o, none, fi, ah, bh, srt, sa2, sb2, sg, fseg, bad};
  for (int i = 0; i < 15; i++) mlx_array_free(arr[i]);
}

/* ------------------------------------------------------------------ hadamard */

static void test_hadamard(void) {
  int ns[6] = {1, 8, 12, 20, 28, 40};
  for (int t = 0; t < 6; t++) {
    int n = ns[t];
    /* H H^T = n I with scale 1: transform the identity, check the rows are orthogonal */
    float *eye = calloc((size_t)n * n, sizeof(float));
    for (int i = 0; i < n; i++) eye[i * n + i] = 1;
    int sh[2] = {n, n};
    mlx_array Id = mlx_array_new_data(eye, sh, 2, MLX_FLOAT32), H = mlx_array_new();
    free(eye);
    mlx_optional_float one = {1.0f, true};
    CHECK_OK(mlx_hadamard_transform(&H, Id, one, cpu));
    double *h = malloc((size_t)n * n * 8);
    CHECK_OK(fetch(H, h));
    double e = 0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) s += h[i * n + k] * h[j * n + k];
        e = fmax(e, fabs(s - (i == j ? n : 0)));
        e = fmax(e, fabs(fabs(h[i * n + j]) - 1));
      }
    CHECK(e == 0);
    if (n == 8) /* Sylvester: entry (i, j) = (-1)^popcount(i & j) */
      for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) CHECK(h[i * 8 + j] == (__builtin_popcount(i & j) & 1 ? -1 : 1));
    free(h);
    mlx_array_free(Id);
    mlx_array_free(H);
  }
  /* default scale 1/sqrt(n); dtype kept for bfloat16, ints become float32 */
  int iv[4] = {1, 2, 3, 4}, s4[1] = {4};
  mlx_array ia = mlx_array_new_data(iv, s4, 1, MLX_INT32), o = mlx_array_new();
  mlx_optional_float none = {0, false};
  CHECK_OK(mlx_hadamard_transform(&o, ia, none, cpu));
  CHECK(mlx_array_dtype(o) == MLX_FLOAT32);
  double g[4];
  CHECK_OK(fetch(o, g));
  CHECK(fabs(g[0] - 5) < 1e-6 && fabs(g[1] + 1) < 1e-6 && fabs(g[2] + 2) < 1e-6 && fabs(g[3]) < 1e-6);
  int s6[1] = {6};
  mlx_array six = mlx_array_new();
  CHECK_OK(mlx_ones(&six, s6, 1, MLX_FLOAT32, cpu));
  CHECK_FAIL(mlx_hadamard_transform(&o, six, none, cpu));
  CHECK(strstr(last_msg, "hadamard") != NULL);
  int s0[1] = {0};
  mlx_array em = mlx_array_new();
  CHECK_OK(mlx_zeros(&em, s0, 1, MLX_FLOAT32, cpu));
  CHECK_FAIL(mlx_hadamard_transform(&o, em, none, cpu));
  mlx_array arr[] = {ia, o, six, em};
  for (int i = 0; i < 4; i++) mlx_array_free(arr[i]);
}

/* ------------------------------------------------------------------ allocation failures */

static bool fail_mid(size_t nbytes, void *arg) {
  (void)arg;
  return nbytes > 60000 && nbytes < 100000; /* the packed B panels below, not the output */
}

static void test_workspace_failure(void) {
  int sa[2] = {150, 190}, sb[2] = {190, 170};
  mlx_array a = rand_array(sa, 2, MLX_BFLOAT16, NULL), b = rand_array(sb, 2, MLX_BFLOAT16, NULL);
  CHECK_OK(mlx_array_eval(a));
  CHECK_OK(mlx_array_eval(b));
  mlx_array c = mlx_array_new();
  CHECK_OK(mlx_matmul(&c, a, b, cpu));
  mx_set_alloc_fail_hook(fail_mid, NULL);
  int before = num_errors;
  CHECK_FAIL(mlx_array_eval(c));
  mx_set_alloc_fail_hook(NULL, NULL);
  CHECK(num_errors > before && strstr(last_msg, "matmul") != NULL);
  mlx_array d = mlx_array_new();
  CHECK_OK(mlx_matmul(&d, a, b, cpu)); /* works again */
  CHECK_OK(mlx_array_eval(d));
  mlx_array arr[] = {a, b, c, d};
  for (int i = 0; i < 4; i++) mlx_array_free(arr[i]);
}

/* ------------------------------------------------------------------ empty handles */

static void test_handles(void) {
  mlx_array e = mlx_array_new(), o = mlx_array_new();
  CHECK_FAIL(mlx_inner(&o, e, e, cpu));
  CHECK(strstr(last_msg, "empty array handle") != NULL);
  CHECK_FAIL(mlx_addmm(NULL, e, e, e, 1, 1, cpu));
  mlx_array one = mlx_array_new_float(1.0f);
  mlx_array ops[2] = {one, e};
  CHECK_FAIL(einsum_n(&o, ",", ops, 2));
  mlx_array_free(one);
  mlx_array_free(o);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_matmul_dtypes();
  test_matmul_half_isas();
  test_matmul_complex_and_edges();
  test_addmm();
  test_products();
  test_einsum();
  test_block_masked_mm();
  test_gather_segmented();
  test_hadamard();
  test_handles();
  if (mx_gemm_isa_get() >= MX_GEMM_ISA_AVX512) test_workspace_failure();
  mlx_stream_free(cpu);
}
