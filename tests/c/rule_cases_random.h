/* Rule cases of the random family (see rule_cases.h). Keys are uint32 inputs of shape (2,):
 * held fixed for the gradients (the noise is a constant) and batched for vmap, where each key
 * of the batch must draw the values the loop draws with it. Where a key is made from a float
 * input the gradients exist and are zero. uniform has no float64, so the distributions that
 * go through it in float32 skip the finite differences; their RandomMap steps are checked on
 * float64 by the direct cases. */

/* A RandomMap node of function fn over inputs of one shape. */
static int rcase_map(mx_array **out, mx_rmap_fn fn, mx_array *const *in, int nin, mx_dtype dt,
                     mx_stream s) {
  mx_rmap_params p = {fn, 0, 0.0};
  *out = mx_array_make(MX_PRIM_RANDOM_MAP, &p, sizeof p, in, nin, in[0]->ndim, in[0]->shape, dt, s);
  return *out ? 0 : MX_ERR;
}

#define RCASE_MAP(name, fn)                                                                        \
  static int rcase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    return rcase_map(out, fn, x, fn == MX_RMAP_CLAMP ? 3 : 1, MX_FLOAT64, s);                      \
  }
RCASE_MAP(erf, MX_RMAP_ERF)
RCASE_MAP(erfinv, MX_RMAP_ERFINV)
RCASE_MAP(gumbel, MX_RMAP_GUMBEL)
RCASE_MAP(clamp, MX_RMAP_CLAMP)

/* float32-only maps, cast around. */
static int rcase_f32_map(mx_array *const *x, mx_array **out, mx_rmap_fn fn, mx_stream s) {
  mx_array *f = NULL, *m = NULL;
  int rc = mx_astype(&f, x[0], MX_FLOAT32, s);
  if (!rc) rc = rcase_map(&m, fn, &f, 1, MX_FLOAT32, s);
  if (!rc) rc = mx_astype(out, m, MX_FLOAT64, s);
  mx_array_release(f), mx_array_release(m);
  return rc;
}

static int rcase_laplace_map(mx_array *const *x, mx_array **out, mx_stream s) {
  return rcase_f32_map(x, out, MX_RMAP_LAPLACE, s);
}

static int rcase_floor_map(mx_array *const *x, mx_array **out, mx_stream s) {
  return rcase_f32_map(x, out, MX_RMAP_FLOOR, s);
}

/* x * normal noise from the second half of split(key). */
static int rcase_noise(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *k1 = NULL, *k2 = NULL, *z = NULL;
  int rc = mx_random_split2(&k1, &k2, x[1], s);
  if (!rc) rc = mx_random_normal(&z, x[0]->ndim, x[0]->shape, MX_FLOAT64, NULL, NULL, k2, s);
  if (!rc) rc = mx_multiply(out, x[0], z, s);
  mx_array_release(k1), mx_array_release(k2), mx_array_release(z);
  return rc;
}

/* A key made from a float input: gradients exist and are zero. */
static int rcase_key_of(mx_array **key, mx_array *x, mx_stream s) {
  return mx_astype(key, x, MX_UINT32, s);
}

static int rcase_bits_of_x(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *k = NULL;
  int rc = rcase_key_of(&k, x[0], s);
  if (!rc) rc = mx_random_bits(out, 2, (int32_t[]){2, 3}, 1, k, s);
  mx_array_release(k);
  return rc;
}

static int rcase_permutation_of_x(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *k = NULL;
  int rc = rcase_key_of(&k, x[0], s);
  if (!rc) rc = mx_random_permutation_arange(out, 5, k, s);
  mx_array_release(k);
  return rc;
}

static int rcase_bernoulli(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_random_bernoulli(out, x[0], -1, NULL, x[1], s);
}

/* lower in [-1.5, -0.5], upper in [0.5, 1.5] from x in [-0.5, 0.5]. */
static int rcase_truncated_normal(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *one = mx_array_scalar(MX_FLOAT64, 1), *lo = NULL, *hi = NULL;
  int rc = one ? mx_subtract(&lo, x[0], one, s) : MX_ERR;
  if (!rc) rc = mx_add(&hi, x[1], one, s);
  if (!rc) rc = mx_random_truncated_normal(out, lo, hi, -1, NULL, MX_FLOAT32, x[2], s);
  mx_array_release(one), mx_array_release(lo), mx_array_release(hi);
  return rc;
}

static int rcase_take_row(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_take_row_params p = {1};
  *out = mx_array_make(MX_PRIM_TAKE_ROW, &p, sizeof p, x, 1, x[0]->ndim - 1, x[0]->shape + 1,
                       (mx_dtype)x[0]->dtype, s);
  return *out ? 0 : MX_ERR;
}

static int rcase_permutation(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_random_permutation(out, x[0], 1, x[1], s);
}

static int rcase_categorical(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_random_categorical(out, x[0], -1, -1, NULL, -1, x[1], s);
}

static int rcase_categorical_samples(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_random_categorical(out, x[0], -1, -1, NULL, 3, x[1], s);
}

static int rcase_multivariate_normal(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_random_multivariate_normal(out, x[0], x[1], 1, (int32_t[]){3}, MX_FLOAT32, x[2], s);
}

static int rcase_eye(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_eye(out, 3, 4, 1, MX_FLOAT64, s);
}

static int rcase_tri(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_tri(out, 3, 4, -1, MX_FLOAT64, s);
}

static int rcase_window(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_window(out, MX_WINDOW_HAMMING, 6, s);
}

#define RKEY RULE_IN_UINT32
#define RREAL RULE_IN_REAL

static const rule_case rule_cases_random[] = {
    {MX_PRIM_RANDOM_BITS, "x * normal(split(key)[1])", rcase_noise, 2, 1, {2, 1}, {{2, 3}, {2}},
     {RREAL, RKEY}, .lo = -2, .hi = 2},
    {MX_PRIM_TAKE_ROW, "x * normal(split(key)[1])", rcase_noise, 2, 1, {2, 1}, {{2, 3}, {2}},
     {RREAL, RKEY}, .lo = -2, .hi = 2},
    {MX_PRIM_RANDOM_BITS, "bits of a key made from x", rcase_bits_of_x, 1, 1, {1}, {{2}}, .lo = 0,
     .hi = 1e6, .flags = RULE_GRAD_ZERO},
    {MX_PRIM_RANDOM_MAP, "erf", rcase_erf, 1, 1, {2}, {{2, 3}}, .lo = -2, .hi = 2},
    {MX_PRIM_RANDOM_MAP, "erfinv", rcase_erfinv, 1, 1, {2}, {{2, 3}}, .lo = -0.9, .hi = 0.9},
    {MX_PRIM_RANDOM_MAP, "gumbel", rcase_gumbel, 1, 1, {2}, {{2, 3}}, .lo = 0.05, .hi = 0.95},
    /* lo > hi in some places: every branch of the clamp */
    {MX_PRIM_RANDOM_MAP, "clamp", rcase_clamp, 3, 1, {2, 2, 2}, {{2, 3}, {2, 3}, {2, 3}},
     .lo = -1, .hi = 1},
    {MX_PRIM_RANDOM_MAP, "laplace (float32)", rcase_laplace_map, 1, 1, {2}, {{2, 3}}, .lo = -0.9,
     .hi = 0.9, .flags = RULE_GRAD_SKIP, .why = "float32-only kernel: no float64 differences"},
    {MX_PRIM_RANDOM_MAP, "floor (float32)", rcase_floor_map, 1, 1, {2}, {{2, 3}}, .lo = -3,
     .hi = 3, .flags = RULE_GRAD_ZERO},
    {MX_PRIM_RANDOM_MAP, "bernoulli (less)", rcase_bernoulli, 2, 1, {2, 1}, {{2, 3}, {2}},
     {RREAL, RKEY}, .lo = 0, .hi = 1, .flags = RULE_GRAD_ZERO},
    {MX_PRIM_RANDOM_MAP, "truncated_normal", rcase_truncated_normal, 3, 1, {1, 1, 1},
     {{3}, {3}, {2}}, {RREAL, RREAL, RKEY}, .lo = -0.5, .hi = 0.5, .flags = RULE_GRAD_SKIP,
     .why = "uniform has no float64: float32 differences are too coarse"},
    {MX_PRIM_TAKE_ROW, "take_row of floats", rcase_take_row, 1, 1, {2}, {{3, 2}}, .lo = -2,
     .hi = 2},
    {MX_PRIM_RANDOM_PERMUTE, "permutation of x along axis 1", rcase_permutation, 2, 1, {2, 1},
     {{2, 4}, {2}}, {RREAL, RKEY}, .lo = -2, .hi = 2},
    {MX_PRIM_RANDOM_PERMUTE, "permutation of arange, key from x", rcase_permutation_of_x, 1, 1,
     {1}, {{2}}, .lo = 0, .hi = 1e6, .flags = RULE_GRAD_ZERO},
    {MX_PRIM_CATEGORICAL_ARGMAX, "categorical (gumbel argmax)", rcase_categorical, 2, 1, {2, 1},
     {{2, 4}, {2}}, {RREAL, RKEY}, .lo = -2, .hi = 2, .flags = RULE_GRAD_ZERO},
    {MX_PRIM_CATEGORICAL_SEARCH, "categorical samples (inverse cdf)", rcase_categorical_samples, 2,
     1, {1, 1}, {{4}, {2}}, {RREAL, RKEY}, .lo = -2, .hi = 2, .flags = RULE_GRAD_ZERO},
    {MX_PRIM_COV_SQRT, "multivariate_normal", rcase_multivariate_normal, 3, 1, {1, 2, 1},
     {{2}, {2, 2}, {2}}, {RREAL, RREAL, RKEY}, .lo = -1, .hi = 1, .flags = RULE_GRAD_SKIP,
     .why = "CovSqrt has no vjp (an SVD derivative; MLX's SVD has none either)"},
    {MX_PRIM_EYE, "eye", rcase_eye, 0, 1, .flags = RULE_NO_INPUTS},
    {MX_PRIM_TRI, "tri", rcase_tri, 0, 1, .flags = RULE_NO_INPUTS},
    {MX_PRIM_WINDOW, "window", rcase_window, 0, 1, .flags = RULE_NO_INPUTS},
    RULE_END,
};

#undef RKEY
#undef RREAL
