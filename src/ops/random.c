/* Random numbers: keys, the thread's global key sequence, and the distributions, each composed
 * the way MLX composes it so that a key gives MLX's values (see src/ops/random.h). */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/ops.h"
#include "ops/random.h"

#define SQRT2 1.4142135623730951

/* ------------------------------------------------------------------ temporaries */

/* Intermediate arrays of one op, released together. */
typedef struct {
  mx_array *v[48];
  int n;
} pool;

static mx_array *keep(pool *p, mx_array *a) {
  if (a && p->n < (int)(sizeof p->v / sizeof p->v[0])) p->v[p->n++] = a;
  return a;
}

static void drain(pool *p) {
  for (int i = 0; i < p->n; i++) mx_array_release(p->v[i]);
  p->n = 0;
}

/* Runs an op that stores a new reference in *dst; on success the pool owns it. */
#define STEP(call, dst)                                                                            \
  do {                                                                                             \
    if ((call) != 0) goto fail;                                                                    \
    keep(&P, (dst));                                                                               \
  } while (0)

static mx_array *pscalar(pool *p, mx_dtype dt, double v) {
  return keep(p, mx_array_scalar(dt, v));
}

#define SCALAR(dst, dt, v)                                                                         \
  do {                                                                                             \
    if (!((dst) = pscalar(&P, (dt), (v)))) goto fail;                                              \
  } while (0)

static bool is_real_float(mx_dtype t) {
  return t == MX_FLOAT16 || t == MX_FLOAT32 || t == MX_FLOAT64 || t == MX_BFLOAT16;
}

static bool same_shape(int an, const int32_t *a, int bn, const int32_t *b) {
  return an == bn && (an == 0 || memcmp(a, b, (size_t)an * sizeof(int32_t)) == 0);
}

static int check_shape(const char *op, int ndim, const int32_t *shape) {
  if (ndim > MX_MAX_NDIM) return mx_error("[%s] Arrays have at most %d dimensions.", op, MX_MAX_NDIM);
  if (ndim > 0 && !shape) return mx_error("[%s] Shape pointer is NULL.", op);
  return 0;
}

/* A RANDOM_MAP node over inputs of one shape. */
static int rmap(mx_array **out, mx_rmap_fn fn, double c0, mx_array *const *in, int nin,
                mx_dtype dt, mx_stream s) {
  mx_rmap_params p = {fn, 0, c0};
  *out = mx_array_make(MX_PRIM_RANDOM_MAP, &p, sizeof p, in, nin, in[0]->ndim, in[0]->shape, dt, s);
  return *out ? 0 : MX_ERR;
}

/* ------------------------------------------------------------------ rules */

int mx_shapes_random_bits(const void *params, mx_array *const *inputs, int nin, int *ndims,
                          int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_random_bits_params *p = params;
  ndims[0] = p->ndim;
  memcpy(shapes[0], p->shape, (size_t)p->ndim * sizeof(int32_t));
  return 0;
}

int mx_shapes_take_row(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_array *a = inputs[0];
  if (a->ndim < 1) return mx_error("[TakeRow] Input must have at least one dimension.");
  ndims[0] = a->ndim - 1;
  memcpy(shapes[0], a->shape + 1, (size_t)(a->ndim - 1) * sizeof(int32_t));
  return 0;
}

int mx_shapes_random_permute(const void *params, mx_array *const *inputs, int nin, int *ndims,
                             int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_array *a = inputs[nin > 1 ? 1 : 0];
  ndims[0] = a->ndim;
  memcpy(shapes[0], a->shape, (size_t)a->ndim * sizeof(int32_t));
  return 0;
}

int mx_shapes_categorical_argmax(const void *params, mx_array *const *inputs, int nin,
                                 int *ndims, int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_axis_params *p = params;
  const mx_array *a = inputs[0];
  if (p->axis < 0 || p->axis >= a->ndim) return mx_error("[categorical] Invalid axis.");
  int k = 0;
  for (int i = 0; i < a->ndim; i++)
    if (i != p->axis) shapes[0][k++] = a->shape[i];
  ndims[0] = k;
  return 0;
}

int mx_shapes_categorical_search(const void *params, mx_array *const *inputs, int nin,
                                 int *ndims, int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_array *u = inputs[1];
  ndims[0] = u->ndim;
  memcpy(shapes[0], u->shape, (size_t)u->ndim * sizeof(int32_t));
  return 0;
}

int mx_eval_take_row(mx_node *n) {
  const mx_take_row_params *p = n->params;
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  if (in->ndim < 1 || p->index < 0 || p->index >= in->shape[0])
    return mx_error("[TakeRow] Row index out of range.");
  int64_t data_size;
  uint8_t flags = mx_layout_flags(out->ndim, out->shape, in->strides + 1, &data_size);
  int64_t off = (int64_t)p->index * in->strides[0] * (int64_t)mx_array_itemsize(in);
  mx_array_set_view(out, in, in->strides + 1, off, data_size, flags);
  return 0;
}

static int take_row(mx_array **out, mx_array *a, int index, mx_stream s) {
  mx_take_row_params p = {index};
  int ndim;
  int32_t shape[1][MX_MAX_NDIM];
  MX_TRY(mx_prim_output_shapes(MX_PRIM_TAKE_ROW, &p, &a, 1, &ndim, shape));
  *out = mx_array_make(MX_PRIM_TAKE_ROW, &p, sizeof p, &a, 1, ndim, shape[0], (mx_dtype)a->dtype, s);
  return *out ? 0 : MX_ERR;
}

/* ------------------------------------------------------------------ keys */

int mx_random_key(mx_array **out, uint64_t seed) {
  uint32_t k[2] = {(uint32_t)(seed >> 32), (uint32_t)seed};
  int32_t shape[1] = {2};
  *out = mx_array_from_data(k, 1, shape, MX_UINT32);
  return *out ? 0 : mx_error("[key] Could not allocate the key.");
}

/* The global key is per thread (as MLX's): a pthread key whose destructor drops the array. */
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static pthread_key_t tls_key;

static void tls_drop(void *p) {
  mx_array_release((mx_array *)p);
}

static void tls_init(void) {
  pthread_key_create(&tls_key, tls_drop);
}

static void set_global(mx_array *a) {
  pthread_once(&tls_once, tls_init);
  mx_array *old = pthread_getspecific(tls_key);
  pthread_setspecific(tls_key, a);
  mx_array_release(old);
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void mx_random_seed(uint64_t seed) {
  mx_array *k = NULL;
  if (mx_random_key(&k, seed) == 0) set_global(k);
}

static int check_key(const mx_array *key) {
  if (key->dtype != MX_UINT32)
    return mx_error("[bits] Expected key type uint32 but received %s.",
                    mx_dtype_name((mx_dtype)key->dtype));
  if (key->ndim != 1 || key->shape[0] != 2) {
    char sb[512];
    return mx_error("[bits] Expected key shape (2) but received %s.",
                    mx_shape_str(sb, sizeof sb, key->ndim, key->shape));
  }
  return 0;
}

static int next_key_on(mx_array **out, mx_stream s) {
  pthread_once(&tls_once, tls_init);
  mx_array *g = pthread_getspecific(tls_key);
  if (!g) {
    MX_TRY(mx_random_key(&g, now_ms()));
    pthread_setspecific(tls_key, g);
  }
  mx_array *a = NULL, *b = NULL;
  MX_TRY(mx_random_split2(&a, &b, g, s));
  set_global(a);
  *out = b;
  return 0;
}

int mx_random_next_key(mx_array **out) {
  mx_stream s;
  MX_TRY(mx_default_stream((mx_device){MX_CPU, 0}, &s));
  return next_key_on(out, s);
}

/* A new reference to the key to use: key itself, or the next global key. */
static int resolve_key(mx_array **out, mx_array *key, mx_stream s) {
  if (key) {
    MX_TRY(check_key(key));
    *out = mx_array_retain(key);
    return 0;
  }
  return next_key_on(out, s);
}

/* ------------------------------------------------------------------ bits, split */

int mx_random_bits(mx_array **out, int ndim, const int32_t *shape, int width, mx_array *key,
                   mx_stream s) {
  MX_TRY(check_shape("bits", ndim, shape));
  if (width != 1 && width != 2 && width != 4)
    return mx_error("[bits] Bit width must be in {1, 2, 4} but got %d.", width);
  for (int i = 0; i < ndim; i++)
    if (shape[i] < 0) return mx_error("[bits] Negative dimensions not allowed.");
  if (key) MX_TRY(check_key(key));
  struct {
    mx_random_bits_params p;
    int32_t dims[MX_MAX_NDIM];
  } prm;
  prm.p.width = width;
  prm.p.ndim = ndim;
  for (int i = 0; i < ndim; i++) prm.p.shape[i] = shape[i];
  mx_array *k = NULL;
  MX_TRY(resolve_key(&k, key, s));
  mx_dtype dt = width == 4 ? MX_UINT32 : width == 2 ? MX_UINT16 : MX_UINT8;
  *out = mx_array_make(MX_PRIM_RANDOM_BITS, &prm,
                       sizeof(mx_random_bits_params) + (size_t)ndim * sizeof(int32_t), &k, 1, ndim,
                       shape, dt, s);
  mx_array_release(k);
  return *out ? 0 : MX_ERR;
}

int mx_random_split(mx_array **out, mx_array *key, int num, mx_stream s) {
  if (!key) return mx_error("[split] Expected a key.");
  int32_t shape[2] = {num, 2};
  return mx_random_bits(out, 2, shape, 4, key, s);
}

int mx_random_split2(mx_array **first, mx_array **second, mx_array *key, mx_stream s) {
  mx_array *b = NULL;
  MX_TRY(mx_random_split(&b, key, 2, s));
  int rc = take_row(first, b, 0, s);
  if (rc == 0 && (rc = take_row(second, b, 1, s)) != 0) mx_array_release(*first);
  mx_array_release(b);
  return rc;
}

/* ------------------------------------------------------------------ uniform */

/* min(float(bits) / 2^32, upper) is below 1 in the target type. */
static double uniform_upper(mx_dtype dt) {
  switch (dt) {
  case MX_FLOAT16:
    return 1.0 - 0x1p-11; /* nextafter(1, 0) in float16 */
  case MX_BFLOAT16:
    return 1.0 - 0x1p-8;
  default:
    return (double)nextafterf(1.0f, 0.0f);
  }
}

int mx_random_uniform(mx_array **out, mx_array *low, mx_array *high, int ndim,
                      const int32_t *shape, mx_dtype dtype, mx_array *key, mx_stream s) {
  MX_TRY(check_shape("uniform", ndim, shape));
  if (!mx_dtype_valid(dtype) || !is_real_float(dtype))
    return mx_error("[uniform] Can only generate uniform numbers with real floating point type.");
  if (dtype == MX_FLOAT64) return mx_error("[uniform] Unsupported type.");
  if (key) MX_TRY(check_key(key));
  pool P = {.n = 0};
  mx_array *lo, *hi, *range, *bits, *u, *ud, *m, *res;
  STEP(mx_astype(&lo, low, dtype, s), lo);
  STEP(mx_astype(&hi, high, dtype, s), hi);
  STEP(mx_subtract(&range, hi, lo, s), range);
  int bn;
  int32_t bshape[MX_MAX_NDIM];
  if (range->ndim > MX_MAX_NDIM ||
      mx_broadcast_shapes("broadcast_shapes", ndim, shape, range->ndim, range->shape, &bn, bshape))
    goto fail;
  if (!same_shape(bn, bshape, ndim, shape)) {
    char sa[512], sb[512];
    mx_error("[uniform] Cannot generate random values of shape %s from broadcasted shape %s.",
             mx_shape_str(sa, sizeof sa, ndim, shape), mx_shape_str(sb, sizeof sb, bn, bshape));
    goto fail;
  }
  STEP(mx_random_bits(&bits, ndim, shape, 4, key, s), bits);
  STEP(rmap(&u, MX_RMAP_UNIFORM01, uniform_upper(dtype), &bits, 1, MX_FLOAT32, s), u);
  STEP(mx_astype(&ud, u, dtype, s), ud);
  STEP(mx_multiply(&m, range, ud, s), m);
  if (mx_add(&res, m, lo, s)) goto fail;
  drain(&P);
  *out = res;
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

/* ------------------------------------------------------------------ normal */

/* (..., 2) float32 pairs -> (...) complex64 (re, im): the view MLX takes of the pairs. */
static int pairs_to_complex(mx_array **out, mx_array *e, mx_stream s) {
  pool P = {.n = 0};
  int nd = e->ndim;
  int axes[MX_MAX_NDIM];
  axes[0] = nd - 1;
  for (int i = 1; i < nd; i++) axes[i] = i - 1;
  mx_array *t, *re, *im, *rec, *imc, *j, *imj;
  STEP(mx_transpose(&t, e, axes, nd, s), t);
  STEP(take_row(&re, t, 0, s), re);
  STEP(take_row(&im, t, 1, s), im);
  STEP(mx_astype(&rec, re, MX_COMPLEX64, s), rec);
  STEP(mx_astype(&imc, im, MX_COMPLEX64, s), imc);
  if (!(j = keep(&P, mx_array_scalar_complex(0.0f, 1.0f)))) goto fail;
  STEP(mx_multiply(&imj, imc, j, s), imj);
  if (mx_add(out, rec, imj, s)) goto fail;
  drain(&P);
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

int mx_random_normal(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype,
                     mx_array *loc, mx_array *scale, mx_array *key, mx_stream s) {
  MX_TRY(check_shape("normal", ndim, shape));
  if (!mx_dtype_valid(dtype) || !(is_real_float(dtype) || dtype == MX_COMPLEX64))
    return mx_error("[normal] Only floating point and complex64 types are supported.");
  if (ndim + 1 > MX_MAX_NDIM) return mx_error("[normal] Too many dimensions.");
  bool cplx = dtype == MX_COMPLEX64;
  int32_t gshape[MX_MAX_NDIM];
  if (ndim) memcpy(gshape, shape, (size_t)ndim * sizeof(int32_t));
  int gn = ndim;
  if (cplx) gshape[gn++] = 2;
  pool P = {.n = 0};
  mx_array *lo, *hi, *u, *e, *x, *res;
  SCALAR(lo, MX_FLOAT32, (double)nextafterf(-1.0f, 0.0f));
  SCALAR(hi, MX_FLOAT32, 1.0);
  STEP(mx_random_uniform(&u, lo, hi, gn, gshape, MX_FLOAT32, key, s), u);
  STEP(rmap(&e, MX_RMAP_ERFINV, 0.0, &u, 1, MX_FLOAT32, s), e);
  if (cplx) {
    STEP(pairs_to_complex(&x, e, s), x);
    if (scale) {
      mx_array *sc, *y;
      STEP(mx_astype(&sc, scale, dtype, s), sc);
      STEP(mx_multiply(&y, sc, x, s), y);
      x = y;
    }
  } else {
    mx_array *ed, *stdev, *y;
    STEP(mx_astype(&ed, e, dtype, s), ed);
    SCALAR(stdev, dtype, SQRT2);
    if (scale) {
      mx_array *sc, *st2;
      STEP(mx_astype(&sc, scale, dtype, s), sc);
      STEP(mx_multiply(&st2, sc, stdev, s), st2);
      stdev = st2;
    }
    STEP(mx_multiply(&y, stdev, ed, s), y);
    x = y;
  }
  if (loc) {
    mx_array *lc;
    STEP(mx_astype(&lc, loc, dtype, s), lc);
    if (mx_add(&res, lc, x, s)) goto fail;
  } else {
    res = mx_array_retain(x);
  }
  drain(&P);
  *out = res;
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

int mx_random_normal_f(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype,
                       float loc, float scale, mx_array *key, mx_stream s) {
  if (!mx_dtype_valid(dtype)) return mx_error("[normal] Invalid dtype %d.", (int)dtype);
  mx_array *l = NULL, *sc = NULL;
  if (loc != 0.0f && !(l = mx_array_scalar(MX_FLOAT32, loc))) return MX_ERR;
  if (scale != 1.0f && !(sc = mx_array_scalar(MX_FLOAT32, scale))) {
    mx_array_release(l);
    return MX_ERR;
  }
  int rc = mx_random_normal(out, ndim, shape, dtype, l, sc, key, s);
  mx_array_release(l);
  mx_array_release(sc);
  return rc;
}

/* ------------------------------------------------------------------ multivariate normal */

int mx_random_multivariate_normal(mx_array **out, mx_array *mean, mx_array *cov, int ndim,
                                  const int32_t *shape, mx_dtype dtype, mx_array *key,
                                  mx_stream s) {
  MX_TRY(check_shape("multivariate_normal", ndim, shape));
  if (dtype != MX_FLOAT32) return mx_error("[multivariate_normal] dtype must be float32.");
  if (mean->ndim < 1)
    return mx_error("[multivariate_normal] mean must have at least one dimension.");
  if (cov->ndim < 2)
    return mx_error("[multivariate_normal] cov must have at least two dimensions.");
  int n = cov->shape[cov->ndim - 1];
  if (cov->shape[cov->ndim - 2] != n)
    return mx_error("[multivariate_normal] last two dimensions of cov must be equal.");
  if (mean->shape[mean->ndim - 1] != n)
    return mx_error("[multivariate_normal] mean and cov must have compatible shapes.");
  int32_t b1[MX_MAX_NDIM], b2[MX_MAX_NDIM];
  int n1, n2;
  MX_TRY(mx_broadcast_shapes("broadcast_shapes", mean->ndim - 1, mean->shape, cov->ndim - 2,
                             cov->shape, &n1, b1));
  MX_TRY(mx_broadcast_shapes("broadcast_shapes", n1, b1, ndim, shape, &n2, b2));
  if (n2 + 2 > MX_MAX_NDIM) return mx_error("[multivariate_normal] Too many dimensions.");
  pool P = {.n = 0};
  mx_array *z, *c32, *std, *zr, *prod, *pr, *res;
  int32_t sshape[MX_MAX_NDIM];
  memcpy(sshape, b2, (size_t)n2 * sizeof(int32_t));
  sshape[n2] = n;
  STEP(mx_random_normal(&z, n2 + 1, sshape, MX_FLOAT32, NULL, NULL, key, s), z);
  STEP(mx_astype(&c32, cov, MX_FLOAT32, s), c32);
  if (!(std = keep(&P, mx_array_make(MX_PRIM_COV_SQRT, NULL, 0, &c32, 1, c32->ndim, c32->shape,
                                      MX_FLOAT32, s))))
    goto fail;
  sshape[n2] = 1;
  sshape[n2 + 1] = n;
  STEP(mx_reshape(&zr, z, n2 + 2, sshape, s), zr);
  STEP(mx_matmul(&prod, zr, std, s), prod);
  sshape[n2] = n;
  STEP(mx_reshape(&pr, prod, n2 + 1, sshape, s), pr);
  if (mx_add(&res, mean, pr, s)) goto fail;
  drain(&P);
  *out = res;
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

/* ------------------------------------------------------------------ randint, bernoulli */

int mx_random_randint(mx_array **out, mx_array *low, mx_array *high, int ndim,
                      const int32_t *shape, mx_dtype dtype, mx_array *key, mx_stream s) {
  MX_TRY(check_shape("randint", ndim, shape));
  if (!mx_dtype_valid(dtype) || !(mx_dtype_is_integral(dtype) || dtype == MX_BOOL))
    return mx_error("[randint] randint only accepts integer dtypes and bool.");
  pool P = {.n = 0};
  mx_array *u, *f, *fi, *one, *hm1, *hm1d, *lod, *hb, *lb, *res;
  STEP(mx_random_uniform(&u, low, high, ndim, shape, MX_FLOAT32, key, s), u);
  STEP(rmap(&f, MX_RMAP_FLOOR, 0.0, &u, 1, MX_FLOAT32, s), f);
  STEP(mx_astype(&fi, f, dtype, s), fi);
  SCALAR(one, (mx_dtype)high->dtype, 1.0);
  STEP(mx_subtract(&hm1, high, one, s), hm1);
  STEP(mx_astype(&hm1d, hm1, dtype, s), hm1d);
  STEP(mx_astype(&lod, low, dtype, s), lod);
  STEP(mx_broadcast_to(&hb, hm1d, fi->ndim, fi->shape, s), hb);
  STEP(mx_broadcast_to(&lb, lod, fi->ndim, fi->shape, s), lb);
  if (rmap(&res, MX_RMAP_CLAMP, 0.0, (mx_array *[]){fi, lb, hb}, 3, dtype, s)) goto fail;
  drain(&P);
  *out = res;
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

int mx_random_bernoulli(mx_array **out, mx_array *p, int ndim, const int32_t *shape,
                        mx_array *key, mx_stream s) {
  if (!is_real_float((mx_dtype)p->dtype))
    return mx_error("[bernoulli] bernoulli probability `p` must be a float type.");
  if (ndim < 0) {
    ndim = p->ndim;
    shape = p->shape;
  } else {
    MX_TRY(check_shape("bernoulli", ndim, shape));
    int bn;
    int32_t bshape[MX_MAX_NDIM];
    MX_TRY(mx_broadcast_shapes("broadcast_shapes", ndim, shape, p->ndim, p->shape, &bn, bshape));
    if (!same_shape(bn, bshape, ndim, shape))
      return mx_error("[bernoulli] shape of `p` is incompatible with argument `shape`.");
  }
  mx_dtype dt = mx_promote_types((mx_dtype)p->dtype, MX_FLOAT32);
  pool P = {.n = 0};
  mx_array *bits, *u, *pc, *pb, *res;
  STEP(mx_random_bits(&bits, ndim, shape, 4, key, s), bits);
  STEP(rmap(&u, MX_RMAP_BITS_UNIT, 0.0, &bits, 1, dt, s), u);
  STEP(mx_astype(&pc, p, dt, s), pc);
  STEP(mx_broadcast_to(&pb, pc, ndim, shape, s), pb);
  if (rmap(&res, MX_RMAP_LESS, 0.0, (mx_array *[]){u, pb}, 2, MX_BOOL, s)) goto fail;
  drain(&P);
  *out = res;
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

/* ------------------------------------------------------------------ truncated normal, gumbel, laplace */

int mx_random_truncated_normal(mx_array **out, mx_array *lower, mx_array *upper, int ndim,
                               const int32_t *shape, mx_dtype dtype, mx_array *key,
                               mx_stream s) {
  if (!mx_dtype_valid(dtype) || !is_real_float(dtype))
    return mx_error("[trunc_normal] trunc_normal only accepts floating point dtypes.");
  int32_t bshape[MX_MAX_NDIM];
  if (ndim < 0) {
    MX_TRY(mx_broadcast_shapes("broadcast_shapes", lower->ndim, lower->shape, upper->ndim,
                               upper->shape, &ndim, bshape));
    shape = bshape;
  } else {
    MX_TRY(check_shape("truncated_normal", ndim, shape));
  }
  pool P = {.n = 0};
  mx_array *lo, *hi, *s2, *la, *ha, *a, *b, *u, *e, *x, *lb, *hb, *res;
  STEP(mx_astype(&lo, lower, dtype, s), lo);
  STEP(mx_astype(&hi, upper, dtype, s), hi);
  SCALAR(s2, dtype, SQRT2);
  STEP(mx_divide(&la, lo, s2, s), la);
  STEP(rmap(&a, MX_RMAP_ERF, 0.0, &la, 1, dtype, s), a);
  STEP(mx_divide(&ha, hi, s2, s), ha);
  STEP(rmap(&b, MX_RMAP_ERF, 0.0, &ha, 1, dtype, s), b);
  STEP(mx_random_uniform(&u, a, b, ndim, shape, dtype, key, s), u);
  STEP(rmap(&e, MX_RMAP_ERFINV, 0.0, &u, 1, dtype, s), e);
  STEP(mx_multiply(&x, s2, e, s), x);
  STEP(mx_broadcast_to(&lb, lo, x->ndim, x->shape, s), lb);
  STEP(mx_broadcast_to(&hb, hi, x->ndim, x->shape, s), hb);
  if (rmap(&res, MX_RMAP_CLAMP, 0.0, (mx_array *[]){x, lb, hb}, 3, dtype, s)) goto fail;
  drain(&P);
  *out = res;
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

int mx_random_gumbel(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype,
                     mx_array *key, mx_stream s) {
  if (!mx_dtype_valid(dtype)) return mx_error("[gumbel] Invalid dtype %d.", (int)dtype);
  pool P = {.n = 0};
  mx_array *lo, *hi, *u, *res;
  SCALAR(lo, MX_FLOAT32, (double)FLT_MIN);
  SCALAR(hi, MX_FLOAT32, 1.0);
  STEP(mx_random_uniform(&u, lo, hi, ndim, shape, dtype, key, s), u);
  if (rmap(&res, MX_RMAP_GUMBEL, 0.0, &u, 1, dtype, s)) goto fail;
  drain(&P);
  *out = res;
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

int mx_random_laplace(mx_array **out, int ndim, const int32_t *shape, mx_dtype dtype, float loc,
                      float scale, mx_array *key, mx_stream s) {
  if (!mx_dtype_valid(dtype) || !is_real_float(dtype))
    return mx_error("[laplace] Only real floating point types are supported.");
  pool P = {.n = 0};
  mx_array *lo, *hi, *u, *x, *xd;
  SCALAR(lo, MX_FLOAT32, (double)nextafterf(-1.0f, 0.0f));
  SCALAR(hi, MX_FLOAT32, 1.0);
  STEP(mx_random_uniform(&u, lo, hi, ndim, shape, MX_FLOAT32, key, s), u);
  STEP(rmap(&x, MX_RMAP_LAPLACE, 0.0, &u, 1, MX_FLOAT32, s), x);
  STEP(mx_astype(&xd, x, dtype, s), xd);
  if (scale != 1.0f) {
    mx_array *sc, *y;
    SCALAR(sc, dtype, scale);
    STEP(mx_multiply(&y, sc, xd, s), y);
    xd = y;
  }
  if (loc != 0.0f) {
    mx_array *lc, *y;
    SCALAR(lc, dtype, loc);
    STEP(mx_add(&y, lc, xd, s), y);
    xd = y;
  }
  *out = mx_array_retain(xd);
  drain(&P);
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

/* ------------------------------------------------------------------ categorical */

int mx_random_categorical(mx_array **out, mx_array *logits, int axis, int ndim,
                          const int32_t *shape, int num_samples, mx_array *key, mx_stream s) {
  if (ndim >= 0 && num_samples >= 0)
    return mx_error("[categorical] At most one of shape or num_samples can be specified.");
  int ln = logits->ndim;
  if (axis < -ln || axis >= ln)
    return mx_error("[categorical] Invalid axis %d for logits with %d dimensions.", axis, ln);
  int ax = axis < 0 ? axis + ln : axis;
  int ncat = logits->shape[ax];
  /* the logits' shape without the category axis */
  int32_t red[MX_MAX_NDIM];
  int rn = 0;
  int64_t batch = 1;
  for (int i = 0; i < ln; i++)
    if (i != ax) {
      red[rn++] = logits->shape[i];
      batch *= logits->shape[i];
    }
  int32_t oshape[MX_MAX_NDIM];
  int on;
  if (num_samples >= 0) {
    if (rn + 1 > MX_MAX_NDIM) return mx_error("[categorical] Too many dimensions.");
    memcpy(oshape, red, (size_t)rn * sizeof(int32_t));
    oshape[rn] = num_samples;
    on = rn + 1;
  } else if (ndim >= 0) {
    MX_TRY(check_shape("categorical", ndim, shape));
    int bn;
    int32_t bshape[MX_MAX_NDIM];
    MX_TRY(mx_broadcast_shapes("broadcast_shapes", ndim, shape, rn, red, &bn, bshape));
    if (!same_shape(bn, bshape, ndim, shape)) {
      char sa[512], sb[512];
      return mx_error("[categorical] Requested shape %s is not broadcast compatible with reduced "
                      "logits shape%s.",
                      mx_shape_str(sa, sizeof sa, ndim, shape), mx_shape_str(sb, sizeof sb, rn, red));
    }
    memcpy(oshape, shape, (size_t)ndim * sizeof(int32_t));
    on = ndim;
  } else {
    memcpy(oshape, red, (size_t)rn * sizeof(int32_t));
    on = rn;
  }
  for (int i = 0; i < on; i++)
    if (oshape[i] < 0) return mx_error("[bits] Negative dimensions not allowed.");
  if (logits->size == 0) return mx_error("[argmax] Cannot argmax reduce zero size array.");
  pool P = {.n = 0};
  if (batch == 1 && on >= 1) {
    /* One distribution, several samples: inverse CDF of uniforms, as MLX. */
    mx_array *flat, *lo, *hi, *u, *res;
    int32_t fl[1] = {ncat};
    STEP(mx_reshape(&flat, logits, 1, fl, s), flat);
    SCALAR(lo, MX_FLOAT32, 0.0);
    SCALAR(hi, MX_FLOAT32, 1.0);
    STEP(mx_random_uniform(&u, lo, hi, on, oshape, MX_FLOAT32, key, s), u);
    if (!(res = mx_array_make(MX_PRIM_CATEGORICAL_SEARCH, NULL, 0, (mx_array *[]){flat, u}, 2, on,
                              oshape, MX_UINT32, s)))
      goto fail;
    drain(&P);
    *out = res;
    return 0;
  }
  /* Gumbel-max: argmax(gumbel + logits) along the category axis. */
  mx_array *lg = logits, *g, *sum, *res;
  int32_t gshape[MX_MAX_NDIM];
  int gn = on + 1, off;
  if (gn > MX_MAX_NDIM) return mx_error("[categorical] Too many dimensions.");
  if (num_samples >= 0) {
    int32_t ls[MX_MAX_NDIM];
    memcpy(ls, logits->shape, (size_t)ln * sizeof(int32_t));
    ls[ln] = 1;
    STEP(mx_reshape(&lg, logits, ln + 1, ls, s), lg);
    off = ax;
  } else {
    off = ax + on - rn;
  }
  memcpy(gshape, oshape, (size_t)off * sizeof(int32_t));
  gshape[off] = ncat;
  memcpy(gshape + off + 1, oshape + off, (size_t)(on - off) * sizeof(int32_t));
  for (int i = 0; i < gn; i++)
    if (gshape[i] == 0) {
      mx_error("[argmax] Cannot argmax reduce zero size array.");
      goto fail;
    }
  STEP(mx_random_gumbel(&g, gn, gshape, MX_FLOAT32, key, s), g);
  STEP(mx_add(&sum, g, lg, s), sum);
  mx_axis_params ap = {off};
  if (!(res = mx_array_make(MX_PRIM_CATEGORICAL_ARGMAX, &ap, sizeof ap, &sum, 1, on, oshape,
                            MX_UINT32, s)))
    goto fail;
  drain(&P);
  *out = res;
  return 0;
fail:
  drain(&P);
  return MX_ERR;
}

/* ------------------------------------------------------------------ permutation */

int mx_random_permutation(mx_array **out, mx_array *x, int axis, mx_array *key, mx_stream s) {
  int ax;
  MX_TRY(mx_normalize_axis("permutation", axis, x->ndim, &ax));
  mx_array *keys = NULL;
  int32_t n[1] = {x->shape[ax]};
  MX_TRY(mx_random_bits(&keys, 1, n, 4, key, s));
  mx_axis_params p = {ax};
  *out = mx_array_make(MX_PRIM_RANDOM_PERMUTE, &p, sizeof p, (mx_array *[]){keys, x}, 2, x->ndim,
                       x->shape, (mx_dtype)x->dtype, s);
  mx_array_release(keys);
  return *out ? 0 : MX_ERR;
}

int mx_random_permutation_arange(mx_array **out, int n, mx_array *key, mx_stream s) {
  mx_array *keys = NULL;
  int32_t sh[1] = {n};
  MX_TRY(mx_random_bits(&keys, 1, sh, 4, key, s));
  mx_axis_params p = {0};
  *out = mx_array_make(MX_PRIM_RANDOM_PERMUTE, &p, sizeof p, &keys, 1, 1, sh, MX_UINT32, s);
  mx_array_release(keys);
  return *out ? 0 : MX_ERR;
}
