/* The conv family through the public C API: conv_general over strides, padding, dilations,
 * groups and flip in 1-3 spatial dims and every float dtype, conv1d/2d/3d, the transposed
 * convolutions (against a scatter-form reference), gradients through mlx_vjp, non-contiguous
 * operands, errors. References are computed here in double precision. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];
static mlx_stream cpu;

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static uint64_t rng = 88172645463325252ull;
static double urand(void) {
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

/* Random values of dtype dt; ref receives them as seen in dt. */
static mlx_array rand_array(const int *shape, int nd, mlx_dtype dt, double *ref) {
  int64_t n = numel(shape, nd);
  double *v = malloc((size_t)(n ? n : 1) * sizeof(double));
  for (int64_t i = 0; i < n; i++) v[i] = urand();
  mlx_array f = mlx_array_new_data(v, shape, nd, MLX_FLOAT64), r = mlx_array_new(),
            b = mlx_array_new();
  free(v);
  CHECK_OK(mlx_astype(&r, f, dt, cpu));
  CHECK_OK(mlx_astype(&b, r, MLX_FLOAT64, cpu));
  CHECK_OK(mlx_array_eval(b));
  memcpy(ref, mlx_array_data_float64(b), (size_t)n * sizeof(double));
  mlx_array_free(f);
  mlx_array_free(b);
  return r;
}

/* max |got - want| / (1 + max |want|); got may be a strided view (the data pointer of a
 * float64 view is read only after a contiguous copy). */
static double rel_err(mlx_array got, const double *want, int64_t n) {
  mlx_array a = mlx_array_new(), b = mlx_array_new();
  int rc = mlx_astype(&a, got, MLX_FLOAT64, cpu) || mlx_contiguous(&b, a, false, cpu) ||
           mlx_array_eval(b);
  mlx_array_free(a);
  if (rc) return mlx_array_free(b), 1e30;
  const double *p = mlx_array_data_float64(b);
  double e = 0, m = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = fabs(p[i] - want[i]);
    e = d > e ? d : e;
    m = fabs(want[i]) > m ? fabs(want[i]) : m;
  }
  mlx_array_free(b);
  return e / (1 + m);
}

typedef struct {
  int nsp, N, C, O, G, flip;
  int in[3], k[3], stride[3], lo[3], hi[3], kd[3], id[3];
} conv_cfg;

static int out_len(const conv_cfg *c, int d) {
  int span = (c->in[d] - 1) * c->id[d] + 1 + c->lo[d] + c->hi[d];
  return (span - ((c->k[d] - 1) * c->kd[d] + 1)) / c->stride[d] + 1;
}

/* Direct definition over 3 spatial dims (unused ones of size 1): out = conv(x, w) when out is
 * given; with u (a cotangent of out's shape), gx and gw (zeroed) receive the gradients of
 * sum(u * conv(x, w)). */
static void ref_walk(const conv_cfg *c, const double *x, const double *w, double *out,
                     const double *u, double *gx, double *gw) {
  int os[3], in[3], k[3];
  for (int d = 0; d < 3; d++) {
    bool used = d < c->nsp;
    os[d] = used ? out_len(c, d) : 1, in[d] = used ? c->in[d] : 1, k[d] = used ? c->k[d] : 1;
  }
  int Cg = c->C / c->G, Og = c->O / c->G;
  int64_t idx = 0;
  for (int n = 0; n < c->N; n++)
    for (int a = 0; a < os[0]; a++)
      for (int b = 0; b < os[1]; b++)
        for (int e = 0; e < os[2]; e++)
          for (int co = 0; co < c->O; co++, idx++) {
            int g = co / Og, o3[3] = {a, b, e};
            double acc = 0;
            for (int i = 0; i < k[0] * k[1] * k[2]; i++) {
              int kk[3] = {i / (k[1] * k[2]), (i / k[2]) % k[1], i % k[2]}, pos[3];
              bool ok = true;
              for (int d = 0; d < 3 && ok; d++) {
                if (d >= c->nsp) {
                  pos[d] = 0;
                  continue;
                }
                int kv = c->flip ? k[d] - 1 - kk[d] : kk[d];
                int p = o3[d] * c->stride[d] + kv * c->kd[d] - c->lo[d];
                ok = p >= 0 && p % c->id[d] == 0 && p / c->id[d] < in[d];
                pos[d] = p / c->id[d];
              }
              if (!ok) continue;
              for (int ci = 0; ci < Cg; ci++) {
                int64_t xi = (((int64_t)n * in[0] + pos[0]) * in[1] + pos[1]) * in[2] * c->C +
                             (int64_t)pos[2] * c->C + g * Cg + ci,
                        wi = (((int64_t)co * k[0] + kk[0]) * k[1] + kk[1]) * k[2] * Cg +
                             (int64_t)kk[2] * Cg + ci;
                acc += x[xi] * w[wi];
                if (u) gx[xi] += u[idx] * w[wi], gw[wi] += u[idx] * x[xi];
              }
            }
            if (out) out[idx] = acc;
          }
}

static void check_general(const conv_cfg *c, mlx_dtype dt, double tol) {
  int xs[5], ws[5], nd = c->nsp + 2;
  xs[0] = c->N, ws[0] = c->O;
  for (int d = 0; d < c->nsp; d++) xs[d + 1] = c->in[d], ws[d + 1] = c->k[d];
  xs[nd - 1] = c->C, ws[nd - 1] = c->C / c->G;
  int64_t nx = numel(xs, nd), nw = numel(ws, nd), no = (int64_t)c->N * c->O;
  for (int d = 0; d < c->nsp; d++) no *= out_len(c, d);
  double *x = malloc((size_t)nx * sizeof(double)), *w = malloc((size_t)nw * sizeof(double)),
         *want = malloc((size_t)no * sizeof(double));
  mlx_array ax = rand_array(xs, nd, dt, x), aw = rand_array(ws, nd, dt, w), r = mlx_array_new();
  ref_walk(c, x, w, want, NULL, NULL, NULL);
  CHECK_OK(mlx_conv_general(&r, ax, aw, c->stride, c->nsp, c->lo, c->nsp, c->hi, c->nsp, c->kd,
                            c->nsp, c->id, c->nsp, c->G, c->flip, cpu));
  CHECK(mlx_array_dtype(r) == dt);
  CHECK(mlx_array_size(r) == (size_t)no);
  double e = rel_err(r, want, no);
  if (e > tol) printf("  conv nsp=%d dt=%d err %g\n", c->nsp, (int)dt, e);
  CHECK(e <= tol);
  mlx_array_free(ax), mlx_array_free(aw), mlx_array_free(r);
  free(x), free(w), free(want);
}

static const conv_cfg general_cases[] = {
    {1, 2, 3, 4, 1, 0, {9}, {3}, {1}, {0}, {0}, {1}, {1}},
    {1, 2, 4, 6, 2, 1, {11}, {3}, {2}, {1}, {2}, {2}, {1}},
    {1, 1, 3, 2, 1, 0, {5}, {2}, {1}, {1}, {0}, {1}, {3}},
    {2, 2, 3, 5, 1, 0, {7, 6}, {3, 2}, {1, 2}, {1, 0}, {1, 1}, {1, 2}, {1, 1}},
    {2, 1, 6, 4, 2, 1, {5, 5}, {3, 3}, {2, 1}, {2, 1}, {0, 1}, {1, 1}, {2, 1}},
    {2, 3, 8, 8, 1, 0, {4, 4}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}, {1, 1}},   /* 1x1 */
    {2, 2, 4, 8, 4, 0, {6, 5}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}, {1, 1}},   /* grouped 1x1 */
    {2, 2, 5, 3, 1, 0, {6, 6}, {3, 3}, {1, 1}, {-1, 0}, {0, -1}, {1, 1}, {1, 1}}, /* cropping */
    {3, 2, 3, 4, 1, 0, {4, 5, 3}, {2, 3, 2}, {1, 2, 1}, {1, 1, 0}, {0, 1, 1}, {1, 1, 2}, {1, 1, 1}},
    {3, 1, 4, 4, 2, 1, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {2, 1, 2}},
};

static void test_general(void) {
  mlx_dtype dts[] = {MLX_FLOAT32, MLX_FLOAT64, MLX_FLOAT16, MLX_BFLOAT16};
  double tols[] = {1e-5, 1e-12, 4e-3, 3e-2};
  for (size_t i = 0; i < sizeof general_cases / sizeof general_cases[0]; i++)
    for (int t = 0; t < 4; t++) check_general(&general_cases[i], dts[t], tols[t]);
  /* large enough for several chunks and threads */
  conv_cfg big = {2, 4, 16, 24, 1, 0, {30, 30}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}};
  check_general(&big, MLX_FLOAT32, 1e-5);
  check_general(&big, MLX_BFLOAT16, 3e-2);
}

/* Gradients through mlx_vjp: sum(u * conv_general(x, w)) against the reference's, for every
 * case of test_general and a large one (several chunks and threads of the weight's gradient). */
static const conv_cfg *vjp_cfg;

static int vjp_fun(mlx_vector_array *res, const mlx_vector_array in) {
  const conv_cfg *c = vjp_cfg;
  mlx_array x = mlx_array_new(), w = mlx_array_new(), r = mlx_array_new();
  int rc = mlx_vector_array_get(&x, in, 0) || mlx_vector_array_get(&w, in, 1) ||
           mlx_conv_general(&r, x, w, c->stride, c->nsp, c->lo, c->nsp, c->hi, c->nsp, c->kd,
                            c->nsp, c->id, c->nsp, c->G, c->flip, cpu) ||
           mlx_vector_array_set_data(res, &r, 1);
  mlx_array_free(x), mlx_array_free(w), mlx_array_free(r);
  return rc;
}

static void check_vjp(const conv_cfg *c, mlx_dtype dt, double tol) {
  int xs[5], ws[5], os[5], nd = c->nsp + 2;
  xs[0] = os[0] = c->N, ws[0] = c->O;
  for (int d = 0; d < c->nsp; d++)
    xs[d + 1] = c->in[d], ws[d + 1] = c->k[d], os[d + 1] = out_len(c, d);
  xs[nd - 1] = c->C, ws[nd - 1] = c->C / c->G, os[nd - 1] = c->O;
  int64_t nx = numel(xs, nd), nw = numel(ws, nd), no = numel(os, nd);
  double *x = malloc((size_t)nx * sizeof(double)), *w = malloc((size_t)nw * sizeof(double)),
         *u = malloc((size_t)no * sizeof(double)), *gx = calloc((size_t)nx, sizeof(double)),
         *gw = calloc((size_t)nw, sizeof(double));
  mlx_array ax = rand_array(xs, nd, dt, x), aw = rand_array(ws, nd, dt, w),
            au = rand_array(os, nd, dt, u), g = mlx_array_new();
  ref_walk(c, x, w, NULL, u, gx, gw);
  vjp_cfg = c;
  mlx_closure f = mlx_closure_new_func(vjp_fun);
  mlx_array prim[2] = {ax, aw};
  mlx_vector_array vp = mlx_vector_array_new_data(prim, 2), vc = mlx_vector_array_new_data(&au, 1),
                   outs = mlx_vector_array_new(), grads = mlx_vector_array_new();
  CHECK_OK(mlx_vjp(&outs, &grads, f, vp, vc));
  CHECK_OK(mlx_vector_array_get(&g, grads, 0));
  CHECK(mlx_array_dtype(g) == dt);
  double ex = rel_err(g, gx, nx);
  CHECK_OK(mlx_vector_array_get(&g, grads, 1));
  double ew = rel_err(g, gw, nw);
  if (ex > tol || ew > tol) printf("  vjp nsp=%d dt=%d err x %g w %g\n", c->nsp, (int)dt, ex, ew);
  CHECK(ex <= tol && ew <= tol);
  mlx_vector_array vs[] = {vp, vc, outs, grads};
  for (int i = 0; i < 4; i++) mlx_vector_array_free(vs[i]);
  mlx_closure_free(f);
  mlx_array_free(ax), mlx_array_free(aw), mlx_array_free(au), mlx_array_free(g);
  free(x), free(w), free(u), free(gx), free(gw);
}

static void test_vjp(void) {
  for (size_t i = 0; i < sizeof general_cases / sizeof general_cases[0]; i++) {
    check_vjp(&general_cases[i], MLX_FLOAT64, 1e-12);
    check_vjp(&general_cases[i], MLX_FLOAT32, 1e-5);
    check_vjp(&general_cases[i], MLX_FLOAT16, 4e-3);
  }
  conv_cfg big = {2, 8, 16, 24, 1, 0, {30, 30}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}};
  check_vjp(&big, MLX_FLOAT32, 1e-5);
  check_vjp(&big, MLX_BFLOAT16, 3e-2);
}

/* convNd and conv_transposeNd through their own entry points. */
static void test_nd(void) {
  double x[2 * 7 * 3], w[4 * 3 * 3], want[2 * 20 * 4];
  int xs[] = {2, 7, 3}, ws[] = {4, 3, 3};
  mlx_array ax = rand_array(xs, 3, MLX_FLOAT32, x), aw = rand_array(ws, 3, MLX_FLOAT32, w);
  mlx_array r = mlx_array_new();
  conv_cfg c = {1, 2, 3, 4, 1, 0, {7}, {3}, {2}, {1}, {1}, {2}, {1}};
  CHECK_OK(mlx_conv1d(&r, ax, aw, 2, 1, 2, 1, cpu));
  ref_walk(&c, x, w, want, NULL, NULL, NULL);
  CHECK(rel_err(r, want, 2 * out_len(&c, 0) * 4) < 1e-5);
  /* transposed, stride 2, padding 1, dilation 1, output_padding 1: scatter form */
  CHECK_OK(mlx_conv_transpose1d(&r, ax, aw, 2, 1, 1, 1, 1, cpu));
  int L = (7 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1;
  CHECK(mlx_array_dim(r, 1) == L);
  memset(want, 0, sizeof want);
  for (int n = 0; n < 2; n++)
    for (int i = 0; i < 7; i++)
      for (int k = 0; k < 3; k++) {
        int pos = i * 2 + k - 1;
        if (pos < 0 || pos >= L) continue;
        for (int co = 0; co < 4; co++)
          for (int ci = 0; ci < 3; ci++)
            want[(n * L + pos) * 4 + co] += x[(n * 7 + i) * 3 + ci] * w[(co * 3 + k) * 3 + ci];
      }
  CHECK(rel_err(r, want, 2 * L * 4) < 1e-5);
  mlx_array_free(ax), mlx_array_free(aw);
  /* 2d and 3d shapes */
  int xs2[] = {1, 8, 8, 4}, ws2[] = {6, 3, 3, 2}, xs3[] = {1, 4, 4, 4, 2}, ws3[] = {3, 2, 2, 2, 2};
  double b1[256], b2[108], b3[128], b4[48];
  ax = rand_array(xs2, 4, MLX_FLOAT32, b1), aw = rand_array(ws2, 4, MLX_FLOAT32, b2);
  CHECK_OK(mlx_conv2d(&r, ax, aw, 2, 1, 1, 0, 1, 2, 2, cpu));
  CHECK(mlx_array_dim(r, 1) == 4 && mlx_array_dim(r, 2) == 4 && mlx_array_dim(r, 3) == 6);
  CHECK_OK(mlx_conv_transpose2d(&r, ax, aw, 2, 2, 1, 1, 1, 1, 1, 0, 2, cpu));
  CHECK(mlx_array_dim(r, 1) == 16 && mlx_array_dim(r, 2) == 15);
  mlx_array_free(ax), mlx_array_free(aw);
  ax = rand_array(xs3, 5, MLX_FLOAT32, b3), aw = rand_array(ws3, 5, MLX_FLOAT32, b4);
  CHECK_OK(mlx_conv3d(&r, ax, aw, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, cpu));
  CHECK(mlx_array_dim(r, 1) == 3 && mlx_array_dim(r, 4) == 3);
  CHECK_OK(mlx_conv_transpose3d(&r, ax, aw, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, cpu));
  CHECK(mlx_array_dim(r, 1) == 5 && mlx_array_dim(r, 4) == 3);
  CHECK_OK(mlx_array_eval(r));
  mlx_array_free(ax), mlx_array_free(aw), mlx_array_free(r);
}

/* A transposed input (strided view) gives the same result as its contiguous copy. */
static void test_layouts(void) {
  double x[3 * 5 * 6 * 2], w[4 * 3 * 3 * 3];
  int xs[] = {3, 5, 6, 2}, ws[] = {4, 3, 3, 3};
  int perm[] = {3, 1, 2, 0}; /* (2, 5, 6, 3) */
  mlx_array ax = rand_array(xs, 4, MLX_FLOAT32, x), aw = rand_array(ws, 4, MLX_FLOAT32, w);
  mlx_array xt = mlx_array_new(), xc = mlx_array_new(), r1 = mlx_array_new(), r2 = mlx_array_new(),
            diff = mlx_array_new(), m = mlx_array_new();
  CHECK_OK(mlx_transpose_axes(&xt, ax, perm, 4, cpu));
  CHECK_OK(mlx_copy(&xc, xt, cpu));
  CHECK_OK(mlx_conv2d(&r1, xt, aw, 1, 1, 1, 1, 1, 1, 1, cpu));
  CHECK_OK(mlx_conv2d(&r2, xc, aw, 1, 1, 1, 1, 1, 1, 1, cpu));
  CHECK_OK(mlx_subtract(&diff, r1, r2, cpu));
  CHECK_OK(mlx_abs(&m, diff, cpu));
  CHECK_OK(mlx_max(&diff, m, false, cpu));
  float v = 1;
  CHECK_OK(mlx_array_item_float32(&v, diff));
  CHECK(v == 0.0f);
  mlx_array arr[] = {ax, aw, xt, xc, r1, r2, diff, m};
  for (int i = 0; i < 8; i++) mlx_array_free(arr[i]);
}

static void test_errors(void) {
  int xs[] = {1, 5, 5, 4}, ws[] = {6, 3, 3, 4}, wbad[] = {6, 3, 3, 3};
  double b[600];
  mlx_array x = rand_array(xs, 4, MLX_FLOAT32, b), w = rand_array(ws, 4, MLX_FLOAT32, b),
            wb = rand_array(wbad, 4, MLX_FLOAT32, b), xi = mlx_array_new(), r = mlx_array_new();
  CHECK_FAIL(mlx_conv2d(&r, x, wb, 1, 1, 0, 0, 1, 1, 1, cpu));
  CHECK(strstr(last_msg, "[conv] Expect the input channels") != NULL);
  CHECK_FAIL(mlx_conv2d(&r, x, w, 0, 1, 0, 0, 1, 1, 1, cpu));
  CHECK(strstr(last_msg, "Stride sizes must be positive") != NULL);
  CHECK_FAIL(mlx_conv2d(&r, x, w, 1, 1, 0, 0, 1, 1, 3, cpu));
  CHECK(strstr(last_msg, "divisible by the number of groups") != NULL);
  CHECK_FAIL(mlx_conv1d(&r, x, w, 1, 0, 1, 1, cpu));
  CHECK_FAIL(mlx_conv2d(&r, x, w, 1, 1, 0, 0, 3, 3, 1, cpu));
  CHECK(strstr(last_msg, "Spatial dimensions of input after padding") != NULL);
  CHECK_OK(mlx_astype(&xi, x, MLX_INT32, cpu));
  CHECK_FAIL(mlx_conv2d(&r, xi, w, 1, 1, 0, 0, 1, 1, 1, cpu));
  CHECK(strstr(last_msg, "only supports floating point types") != NULL);
  int st3[] = {1, 1, 1};
  CHECK_FAIL(mlx_conv_general(&r, x, w, st3, 3, NULL, 0, NULL, 0, NULL, 0, NULL, 0, 1, false, cpu));
  CHECK(strstr(last_msg, "Invalid strides") != NULL);
  CHECK_FAIL(mlx_conv2d(&r, (mlx_array){0}, w, 1, 1, 0, 0, 1, 1, 1, cpu));
  CHECK_OK(mlx_conv2d(&r, x, w, 1, 1, 0, 0, 1, 1, 1, cpu)); /* still works */
  CHECK(mlx_array_dim(r, 1) == 3);
  mlx_array arr[] = {x, w, wb, xi, r};
  for (int i = 0; i < 5; i++) mlx_array_free(arr[i]);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_general();
  test_vjp();
  test_nd();
  test_layouts();
  test_errors();
  mlx_stream_free(cpu);
}
