/* Random numbers and creation ops through the public C API. Reference values come from MLX
 * (mlx 0.32, the same keys and shapes). */
#include <complex.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static mlx_stream cpu;
static const mlx_array none = {NULL};

/* All elements of a (any dtype but complex, any layout) as doubles, row-major. Returns count. */
static size_t read_all(mlx_array a, double *out, size_t cap) {
  mlx_array f = mlx_array_new();
  if (mlx_astype(&f, a, MLX_FLOAT64, cpu) || mlx_array_eval(f)) {
    mlx_array_free(f);
    return 0;
  }
  const double *p = mlx_array_data_float64(f);
  size_t n = mlx_array_size(f), nd = mlx_array_ndim(f);
  const int *shape = mlx_array_shape(f);
  const size_t *st = mlx_array_strides(f);
  for (size_t i = 0; i < n && i < cap; i++) {
    size_t rem = i, off = 0;
    for (size_t d = nd; d-- > 0;) {
      off += (rem % (size_t)shape[d]) * st[d];
      rem /= (size_t)shape[d];
    }
    out[i] = p[off];
  }
  mlx_array_free(f);
  return n;
}

static int check_close(mlx_array a, const double *ref, size_t n, double rtol) {
  double v[256];
  size_t got = read_all(a, v, 256);
  if (got != n) return 0;
  for (size_t i = 0; i < n; i++)
    if (fabs(v[i] - ref[i]) > rtol * fmax(1.0, fabs(ref[i]))) return 0;
  return 1;
}

static int shape_is(mlx_array a, int ndim, const int *shape) {
  if ((int)mlx_array_ndim(a) != ndim) return 0;
  for (int i = 0; i < ndim; i++)
    if (mlx_array_shape(a)[i] != shape[i]) return 0;
  return 1;
}

/* ------------------------------------------------------------------ keys and bits */

static void test_keys_and_bits(void) {
  mlx_array k = mlx_array_new(), s = mlx_array_new(), a = mlx_array_new(), b = mlx_array_new();
  CHECK_OK(mlx_random_key(&k, 0));
  CHECK(mlx_array_dtype(k) == MLX_UINT32 && mlx_array_size(k) == 2);
  CHECK_OK(mlx_random_split_num(&s, k, 2, cpu));
  const uint32_t *p = mlx_array_data_uint32(s);
  CHECK(p && p[0] == 4146024105u && p[1] == 967050713u && p[2] == 2718843009u &&
        p[3] == 1272950319u);
  CHECK_OK(mlx_random_split(&a, &b, k, cpu));
  const uint32_t *pa = mlx_array_data_uint32(a), *pb = mlx_array_data_uint32(b);
  CHECK(pa && pb && pa[0] == 4146024105u && pa[1] == 967050713u && pb[0] == 2718843009u &&
        pb[1] == 1272950319u);
  CHECK_OK(mlx_random_split_num(&s, k, 3, cpu));
  p = mlx_array_data_uint32(s);
  CHECK(p && p[0] == 2467461003u && p[5] == 1946702221u);

  /* key(seed) = [seed >> 32, seed & 0xffffffff] */
  CHECK_OK(mlx_random_key(&k, (1ull << 40) + 5));
  p = mlx_array_data_uint32(k);
  CHECK(p && p[0] == 256 && p[1] == 5);

  /* bits of every width and odd sizes (MLX's layout of the counter pairs) */
  CHECK_OK(mlx_random_key(&k, 0));
  int n3[1] = {3}, n5[1] = {5}, n1[1] = {1};
  CHECK_OK(mlx_random_bits(&a, n3, 1, 4, k, cpu));
  p = mlx_array_data_uint32(a);
  CHECK(p && p[0] == 4146024105u && p[1] == 1351547692u && p[2] == 2718843009u);
  CHECK_OK(mlx_random_bits(&a, n5, 1, 2, k, cpu));
  const uint16_t *p16 = mlx_array_data_uint16(a);
  CHECK(mlx_array_dtype(a) == MLX_UINT16);
  CHECK(p16 && p16[0] == 20137 && p16[1] == 63263 && p16[2] == 64300 && p16[3] == 20622 &&
        p16[4] == 16513);
  CHECK_OK(mlx_random_bits(&a, n3, 1, 1, k, cpu));
  const uint8_t *p8 = mlx_array_data_uint8(a);
  CHECK(p8 && p8[0] == 89 && p8[1] == 1 && p8[2] == 32);
  CHECK_OK(mlx_random_bits(&a, n1, 1, 4, k, cpu));
  p = mlx_array_data_uint32(a);
  CHECK(p && p[0] == 1797259609u);
  /* a large draw uses two threads: spot-check both halves against a sub-draw's layout */
  int big[1] = {1 << 20};
  CHECK_OK(mlx_random_bits(&a, big, 1, 4, k, cpu));
  CHECK_OK(mlx_array_eval(a));
  CHECK(mlx_array_size(a) == (size_t)(1 << 20));

  /* a key given as a broadcast (stride 0) view gives the same bits as the dense key */
  uint32_t kk[2] = {9, 9}, k9 = 9;
  int one[1] = {1}, two_[1] = {2};
  mlx_array kd = mlx_array_new_data(kk, two_, 1, MLX_UINT32), k1 = mlx_array_new_data(&k9, one, 1, MLX_UINT32),
            kb = mlx_array_new(), x1 = mlx_array_new(), x2 = mlx_array_new();
  CHECK_OK(mlx_broadcast_to(&kb, k1, two_, 1, cpu));
  CHECK_OK(mlx_random_bits(&x1, n5, 1, 4, kd, cpu));
  CHECK_OK(mlx_random_bits(&x2, n5, 1, 4, kb, cpu));
  const uint32_t *q1 = mlx_array_data_uint32(x1), *q2 = mlx_array_data_uint32(x2);
  CHECK(q1 && q2 && memcmp(q1, q2, 5 * sizeof(uint32_t)) == 0);
  CHECK_FAIL(mlx_random_bits(&a, n3, 1, 4, k1, cpu));
  CHECK(strstr(last_msg, "Expected key shape (2) but received (1)") != NULL);
  mlx_array_free(kd);
  mlx_array_free(k1);
  mlx_array_free(kb);
  mlx_array_free(x1);
  mlx_array_free(x2);

  /* errors */
  CHECK_FAIL(mlx_random_bits(&a, n3, 1, 3, k, cpu));
  CHECK(strstr(last_msg, "Bit width must be in {1, 2, 4} but got 3") != NULL);
  int neg[1] = {-1};
  CHECK_FAIL(mlx_random_bits(&a, neg, 1, 4, k, cpu));
  CHECK(strstr(last_msg, "Negative dimensions") != NULL);
  int wrong_data[2] = {1, 2};
  int two[1] = {2};
  mlx_array bad = mlx_array_new_data(wrong_data, two, 1, MLX_INT32);
  CHECK_FAIL(mlx_random_bits(&a, n3, 1, 4, bad, cpu));
  CHECK(strstr(last_msg, "Expected key type uint32 but received int32") != NULL);
  CHECK_FAIL(mlx_random_split_num(&a, s, 2, cpu)); /* s is (3, 2) */
  CHECK(strstr(last_msg, "Expected key shape (2) but received (3,2)") != NULL);
  /* the library keeps working after errors */
  CHECK_OK(mlx_random_bits(&a, n3, 1, 4, k, cpu));
  mlx_array_free(bad);
  mlx_array_free(k);
  mlx_array_free(s);
  mlx_array_free(a);
  mlx_array_free(b);
}

/* ------------------------------------------------------------------ global sequence */

static void *other_thread(void *arg) {
  mlx_array a = mlx_array_new();
  int n3[1] = {3};
  uint32_t *out = arg;
  if (mlx_random_bits(&a, n3, 1, 4, none, cpu) == 0) {
    const uint32_t *p = mlx_array_data_uint32(a);
    if (p) memcpy(out, p, 3 * sizeof(uint32_t));
  }
  mlx_array_free(a);
  return NULL;
}

static void test_global_sequence(void) {
  mlx_array u = mlx_array_new(), k = mlx_array_new(), a = mlx_array_new(), b = mlx_array_new();
  int n3[1] = {3};
  mlx_array lo = mlx_array_new_float(0.0f), hi = mlx_array_new_float(1.0f);
  CHECK_OK(mlx_random_seed(0));
  CHECK_OK(mlx_random_uniform(&u, lo, hi, n3, 1, MLX_FLOAT32, none, cpu));
  const double seq1[3] = {0.8724143505096436, 0.11105155944824219, 0.2770805358886719};
  CHECK(check_close(u, seq1, 3, 1e-7));
  CHECK_OK(mlx_random_uniform(&u, lo, hi, n3, 1, MLX_FLOAT32, none, cpu));
  const double seq2[3] = {0.47366008162498474, 0.5662227869033813, 0.8806023597717285};
  CHECK(check_close(u, seq2, 3, 1e-7));
  /* the same as splitting by hand */
  CHECK_OK(mlx_random_key(&k, 0));
  CHECK_OK(mlx_random_split(&a, &b, k, cpu));
  CHECK_OK(mlx_random_uniform(&u, lo, hi, n3, 1, MLX_FLOAT32, b, cpu));
  CHECK(check_close(u, seq1, 3, 1e-7));

  /* the global key is per thread: another thread does not see this thread's seed */
  uint32_t mine[3] = {0}, theirs[3] = {0};
  CHECK_OK(mlx_random_seed(0));
  CHECK_OK(mlx_random_bits(&u, n3, 1, 4, none, cpu));
  const uint32_t *p = mlx_array_data_uint32(u);
  if (p) memcpy(mine, p, sizeof mine);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, other_thread, theirs) == 0);
  pthread_join(t, NULL);
  CHECK(memcmp(mine, theirs, sizeof mine) != 0);
  mlx_array_free(u);
  mlx_array_free(k);
  mlx_array_free(a);
  mlx_array_free(b);
  mlx_array_free(lo);
  mlx_array_free(hi);
}

/* ------------------------------------------------------------------ distributions */

static void test_distributions(void) {
  mlx_array k = mlx_array_new(), r = mlx_array_new();
  CHECK_OK(mlx_random_key(&k, 7));
  int n5[1] = {5}, n8[1] = {8}, n3[1] = {3}, n2[1] = {2};
  mlx_array lo = mlx_array_new_float(0.0f), hi = mlx_array_new_float(1.0f);

  const double uni[5] = {0.06438560783863068, 0.20069243013858795, 0.6504592299461365,
                         0.38227593898773193, 0.6754174828529358};
  CHECK_OK(mlx_random_uniform(&r, lo, hi, n5, 1, MLX_FLOAT32, k, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && check_close(r, uni, 5, 1e-7));

  mlx_array l2 = mlx_array_new_float(-2.0f), h3 = mlx_array_new_float(3.0f);
  const double uni16[5] = {-1.677734375, -0.99609375, 1.251953125, -0.087890625, 1.376953125};
  CHECK_OK(mlx_random_uniform(&r, l2, h3, n5, 1, MLX_FLOAT16, k, cpu));
  CHECK(mlx_array_dtype(r) == MLX_FLOAT16 && check_close(r, uni16, 5, 1e-9));

  const double nor[5] = {-1.5189650058746338, -0.8391503095626831, 0.38656067848205566,
                         -0.2995086908340454, 0.45492252707481384};
  CHECK_OK(mlx_random_normal(&r, n5, 1, MLX_FLOAT32, 0.0f, 1.0f, k, cpu));
  CHECK(check_close(r, nor, 5, 2e-6));

  CHECK_OK(mlx_random_normal(&r, n2, 1, MLX_COMPLEX64, 0.0f, 1.0f, k, cpu));
  CHECK(mlx_array_dtype(r) == MLX_COMPLEX64);
  const mlx_complex64_t *cz = mlx_array_data_complex64(r);
  CHECK(cz && fabs(crealf(cz[0]) + 0.5341953039169312) < 1e-6 &&
        fabs(cimagf(cz[0]) + 0.5216590762138367) < 1e-6 &&
        fabs(crealf(cz[1]) + 0.08241142332553864) < 1e-6 &&
        fabs(cimagf(cz[1]) + 0.48483818769454956) < 1e-6);

  /* normal with array loc / scale broadcast */
  float locv[3] = {1, 2, 3};
  mlx_array loc = mlx_array_new_data(locv, n3, 1, MLX_FLOAT32), sc = mlx_array_new_float(2.0f);
  CHECK_OK(mlx_random_normal_broadcast(&r, NULL, 0, MLX_FLOAT32, loc, sc, k, cpu));
  CHECK(shape_is(r, 1, n3));
  CHECK_FAIL(mlx_random_normal(&r, n2, 1, MLX_INT32, 0.0f, 1.0f, k, cpu));
  CHECK(strstr(last_msg, "[normal] Only floating point and complex64") != NULL);

  mlx_array il = mlx_array_new_int(-5), ih = mlx_array_new_int(17);
  const double ri[8] = {-5, 3, 2, -3, 10, 16, 14, 13};
  CHECK_OK(mlx_random_randint(&r, il, ih, n8, 1, MLX_INT32, k, cpu));
  CHECK(mlx_array_dtype(r) == MLX_INT32 && check_close(r, ri, 8, 0));
  CHECK_FAIL(mlx_random_randint(&r, il, ih, n8, 1, MLX_FLOAT32, k, cpu));
  CHECK(strstr(last_msg, "randint only accepts integer dtypes and bool") != NULL);

  mlx_array pp = mlx_array_new_float(0.4f);
  const double be[8] = {1, 1, 1, 1, 0, 0, 0, 0};
  CHECK_OK(mlx_random_bernoulli(&r, pp, n8, 1, k, cpu));
  CHECK(mlx_array_dtype(r) == MLX_BOOL && check_close(r, be, 8, 0));
  CHECK_FAIL(mlx_random_bernoulli(&r, il, n8, 1, k, cpu));
  CHECK(strstr(last_msg, "must be a float type") != NULL);

  mlx_array tl = mlx_array_new_float(-0.5f), th = mlx_array_new_float(1.5f);
  const double tn[5] = {-0.3886801600456238, -0.166450634598732, 0.5676106810569763,
                        0.11891394853591919, 0.6141462326049805};
  CHECK_OK(mlx_random_truncated_normal(&r, tl, th, n5, 1, MLX_FLOAT32, k, cpu));
  CHECK(check_close(r, tn, 5, 1e-5));

  const double gu[5] = {-1.0090030431747437, -0.4737352132797241, 0.8437917828559875,
                        0.039143629372119904, 0.9354116916656494};
  CHECK_OK(mlx_random_gumbel(&r, n5, 1, MLX_FLOAT32, k, cpu));
  CHECK(check_close(r, gu, 5, 2e-6));

  const double la[5] = {4.5994343757629395, 2.3256688117980957, -0.21597594022750854,
                        1.0369305610656738, -0.36413681507110596};
  CHECK_OK(mlx_random_laplace(&r, n5, 1, MLX_FLOAT32, 0.5f, 2.0f, k, cpu));
  CHECK(check_close(r, la, 5, 2e-6));
  CHECK_FAIL(mlx_random_laplace(&r, n5, 1, MLX_INT8, 0.5f, 2.0f, k, cpu));

  float lg[8] = {0, 1, 2, 3, 3, 2, 1, 0};
  int s24[2] = {2, 4};
  mlx_array logits = mlx_array_new_data(lg, s24, 2, MLX_FLOAT32);
  const double ca[12] = {3, 3, 2, 3, 3, 2, 1, 0, 0, 0, 0, 0};
  CHECK_OK(mlx_random_categorical_num_samples(&r, logits, -1, 6, k, cpu));
  int s26[2] = {2, 6};
  CHECK(mlx_array_dtype(r) == MLX_UINT32 && shape_is(r, 2, s26) && check_close(r, ca, 12, 0));
  int four[1] = {4};
  mlx_array l1 = mlx_array_new_data(lg, four, 1, MLX_FLOAT32);
  const double c1[8] = {0, 3, 2, 1, 3, 3, 3, 3};
  CHECK_OK(mlx_random_categorical_num_samples(&r, l1, 0, 8, k, cpu));
  CHECK(check_close(r, c1, 8, 0));
  CHECK_OK(mlx_random_categorical(&r, logits, 1, k, cpu));
  CHECK(shape_is(r, 1, n2));
  CHECK_FAIL(mlx_random_categorical(&r, logits, 2, k, cpu));
  CHECK(strstr(last_msg, "Invalid axis 2 for logits with 2 dimensions") != NULL);
  int s32[2] = {3, 2};
  CHECK_OK(mlx_random_categorical_shape(&r, logits, 1, s32, 2, k, cpu));
  CHECK(shape_is(r, 2, s32));
  CHECK_FAIL(mlx_random_categorical_shape(&r, logits, 1, n3, 1, k, cpu));

  const double pe[8] = {0, 3, 2, 1, 4, 7, 6, 5};
  CHECK_OK(mlx_random_permutation_arange(&r, 8, k, cpu));
  CHECK(mlx_array_dtype(r) == MLX_UINT32 && check_close(r, pe, 8, 0));
  /* permuting an array along axis 1 of a transposed view */
  float xv[6] = {0, 1, 2, 3, 4, 5};
  mlx_array x = mlx_array_new_data(xv, s32, 2, MLX_FLOAT32), xt = mlx_array_new();
  CHECK_OK(mlx_transpose(&xt, x, cpu)); /* (2, 3): [[0, 2, 4], [1, 3, 5]] */
  CHECK_OK(mlx_random_permutation(&r, xt, 1, k, cpu));
  double pv[6];
  CHECK(read_all(r, pv, 6) == 6);
  CHECK(fmod(pv[0], 2) == 0 && fmod(pv[3], 2) == 1 && pv[0] + pv[1] + pv[2] == 6 &&
        pv[3] - pv[0] == 1 && pv[4] - pv[1] == 1 && pv[5] - pv[2] == 1);
  CHECK_FAIL(mlx_random_permutation(&r, xt, 2, k, cpu));

  float mv[2] = {1, -1}, cv[4] = {2, 0.6f, 0.6f, 1};
  int s22[2] = {2, 2};
  mlx_array mean = mlx_array_new_data(mv, n2, 1, MLX_FLOAT32),
            cov = mlx_array_new_data(cv, s22, 2, MLX_FLOAT32);
  const double mvn[6] = {-1.3265938758850098, -2.198002576828003, 0.7268878817558289,
                         -1.3256654739379883, 1.5185365676879883, -1.3188039064407349};
  CHECK_OK(mlx_random_multivariate_normal(&r, mean, cov, n3, 1, MLX_FLOAT32, k, cpu));
  CHECK(check_close(r, mvn, 6, 1e-5));
  CHECK_FAIL(mlx_random_multivariate_normal(&r, mean, cov, n3, 1, MLX_FLOAT16, k, cpu));
  CHECK(strstr(last_msg, "dtype must be float32") != NULL);

  /* uniform validation */
  CHECK_FAIL(mlx_random_uniform(&r, lo, hi, n2, 1, MLX_INT32, k, cpu));
  CHECK(strstr(last_msg, "real floating point type") != NULL);
  CHECK_FAIL(mlx_random_uniform(&r, lo, loc, n2, 1, MLX_FLOAT32, k, cpu));
  CHECK(strstr(last_msg, "[broadcast_shapes] Shapes (2) and (3) cannot be broadcast") != NULL);
  CHECK_FAIL(mlx_random_uniform(&r, lo, loc, NULL, 0, MLX_FLOAT32, k, cpu));
  CHECK(strstr(last_msg, "Cannot generate random values of shape () from broadcasted shape (3)") !=
        NULL);
  CHECK_OK(mlx_random_uniform(&r, lo, hi, n2, 1, MLX_FLOAT32, k, cpu));

  mlx_array tmp[] = {k,  r,   lo,     hi, l2, h3, loc,  sc,   il, ih,  pp,
                     tl, th, logits, l1, x,  xt, mean, cov};
  for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++) mlx_array_free(tmp[i]);
}

/* Statistics of large draws (the two-thread path of the kernels). */
static void test_moments(void) {
  mlx_array k = mlx_array_new(), r = mlx_array_new(), s = mlx_array_new(), q = mlx_array_new();
  CHECK_OK(mlx_random_key(&k, 123));
  int n[1] = {1 << 18};
  CHECK_OK(mlx_random_normal(&r, n, 1, MLX_FLOAT32, 1.0f, 2.0f, k, cpu));
  CHECK_OK(mlx_sum(&s, r, false, cpu));
  double mean = 0;
  read_all(s, &mean, 1);
  mean /= n[0];
  CHECK_NEAR(mean, 1.0, 0.02);
  CHECK_OK(mlx_multiply(&q, r, r, cpu));
  CHECK_OK(mlx_sum(&s, q, false, cpu));
  double m2 = 0;
  read_all(s, &m2, 1);
  CHECK_NEAR(m2 / n[0] - mean * mean, 4.0, 0.08);
  mlx_array_free(k);
  mlx_array_free(r);
  mlx_array_free(s);
  mlx_array_free(q);
}

/* ------------------------------------------------------------------ creation */

static void test_creation(void) {
  mlx_array r = mlx_array_new();
  CHECK_OK(mlx_linspace(&r, 0.0, 1.0, 5, MLX_FLOAT32, cpu));
  const double ls[5] = {0, 0.25, 0.5, 0.75, 1};
  CHECK(mlx_array_dtype(r) == MLX_FLOAT32 && check_close(r, ls, 5, 0));
  CHECK_OK(mlx_linspace(&r, 0.0, 10.0, 4, MLX_INT32, cpu));
  const double li[4] = {0, 3, 6, 10};
  CHECK(mlx_array_dtype(r) == MLX_INT32 && check_close(r, li, 4, 0));
  CHECK_OK(mlx_linspace(&r, 3.0, 7.0, 1, MLX_FLOAT32, cpu));
  const double l1[1] = {3};
  CHECK(check_close(r, l1, 1, 0));
  CHECK_OK(mlx_linspace(&r, 0.0, 1.0, 7, MLX_FLOAT64, cpu));
  double l7[7];
  CHECK(read_all(r, l7, 7) == 7 && l7[1] == 1.0 / 6.0);
  CHECK_FAIL(mlx_linspace(&r, 0.0, 1.0, -1, MLX_FLOAT32, cpu));
  CHECK(strstr(last_msg, "[linspace] number of samples, -1, must be non-negative.") != NULL);

  CHECK_OK(mlx_eye(&r, 3, 4, 1, MLX_FLOAT32, cpu));
  const double e[12] = {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  CHECK(check_close(r, e, 12, 0));
  CHECK_OK(mlx_eye(&r, 3, 4, -1, MLX_INT8, cpu));
  const double em[12] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0};
  CHECK(mlx_array_dtype(r) == MLX_INT8 && check_close(r, em, 12, 0));
  CHECK_OK(mlx_identity(&r, 2, MLX_COMPLEX64, cpu));
  const mlx_complex64_t *cz = mlx_array_data_complex64(r);
  CHECK(cz && crealf(cz[0]) == 1 && crealf(cz[1]) == 0 && crealf(cz[3]) == 1);
  CHECK_FAIL(mlx_eye(&r, -1, 2, 0, MLX_FLOAT32, cpu));
  CHECK(strstr(last_msg, "[eye] N and M must be positive integers.") != NULL);

  CHECK_OK(mlx_tri(&r, 3, 4, 1, MLX_FLOAT32, cpu));
  const double t[12] = {1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1};
  CHECK(check_close(r, t, 12, 0));
  CHECK_OK(mlx_tri(&r, 3, 2, -10, MLX_BOOL, cpu));
  const double tz[6] = {0};
  CHECK(mlx_array_dtype(r) == MLX_BOOL && check_close(r, tz, 6, 0));

  CHECK_OK(mlx_hanning(&r, 5, cpu));
  const double hn[5] = {0, 0.5, 1, 0.5, 0};
  CHECK(check_close(r, hn, 5, 1e-7));
  CHECK_OK(mlx_hamming(&r, 5, cpu));
  const double hm[5] = {0.08, 0.54, 1, 0.54, 0.08};
  CHECK(check_close(r, hm, 5, 1e-7));
  CHECK_OK(mlx_blackman(&r, 5, cpu));
  const double bk[5] = {0, 0.34, 1, 0.34, 0};
  CHECK(check_close(r, bk, 5, 1e-7));
  CHECK_OK(mlx_bartlett(&r, 5, cpu));
  const double bt[5] = {0, 0.5, 1, 0.5, 0};
  CHECK(check_close(r, bt, 5, 1e-7));
  CHECK_OK(mlx_hanning(&r, 1, cpu));
  const double one[1] = {1};
  CHECK(check_close(r, one, 1, 0));
  CHECK_OK(mlx_hanning(&r, -3, cpu));
  CHECK(mlx_array_size(r) == 0);

  /* meshgrid */
  int a3[1] = {3}, a2[1] = {2};
  int av[3] = {1, 2, 3};
  float bv[2] = {4, 5};
  mlx_array a = mlx_array_new_data(av, a3, 1, MLX_INT32), b = mlx_array_new_data(bv, a2, 1, MLX_FLOAT32);
  mlx_vector_array in = mlx_vector_array_new(), out = mlx_vector_array_new();
  mlx_vector_array_append_value(in, a);
  mlx_vector_array_append_value(in, b);
  CHECK_OK(mlx_meshgrid(&out, in, false, "xy", cpu));
  CHECK(mlx_vector_array_size(out) == 2);
  mlx_array g0 = mlx_array_new(), g1 = mlx_array_new();
  mlx_vector_array_get(&g0, out, 0);
  mlx_vector_array_get(&g1, out, 1);
  int s23[2] = {2, 3}, s32[2] = {3, 2};
  const double g0v[6] = {1, 2, 3, 1, 2, 3}, g1v[6] = {4, 4, 4, 5, 5, 5};
  CHECK(shape_is(g0, 2, s23) && check_close(g0, g0v, 6, 0) && check_close(g1, g1v, 6, 0));
  CHECK(mlx_array_dtype(g0) == MLX_INT32 && mlx_array_dtype(g1) == MLX_FLOAT32);
  CHECK_OK(mlx_meshgrid(&out, in, false, "ij", cpu));
  mlx_vector_array_get(&g0, out, 0);
  CHECK(shape_is(g0, 2, s32));
  CHECK_OK(mlx_meshgrid(&out, in, true, "xy", cpu));
  mlx_vector_array_get(&g0, out, 0);
  mlx_vector_array_get(&g1, out, 1);
  int s13[2] = {1, 3}, s21[2] = {2, 1};
  CHECK(shape_is(g0, 2, s13) && shape_is(g1, 2, s21));
  CHECK_FAIL(mlx_meshgrid(&out, in, false, "xx", cpu));
  CHECK(strstr(last_msg, "Valid values are 'xy' and 'ij'") != NULL);

  mlx_array tmp[] = {r, a, b, g0, g1};
  for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++) mlx_array_free(tmp[i]);
  mlx_vector_array_free(in);
  mlx_vector_array_free(out);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  test_keys_and_bits();
  test_global_sequence();
  test_distributions();
  test_moments();
  test_creation();
  mlx_stream_free(cpu);
}
