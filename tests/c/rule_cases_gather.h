/* Rule cases of Gather, Scatter (every mode), MaskedScatter, Take, PutAlongAxis and
 * TakeAlongAxis (see rule_cases.h).
 *
 * Index inputs are RULE_IN_INT32 in [0, ihi], so ihi keeps every index (plus its slice) inside
 * the axis. Scatter none follows MLX's vjp (every duplicate gets the gathered cotangent), which
 * is the gradient only without repeated indices: its cases build distinct indices as
 * base + arange. Max/min cases draw a and the updates as distinct values of sizes of opposite
 * parity, so no update ties the input (a tie splits the finite difference). */

static int gcase_gather_rows(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_gather(out, x[0], &x[1], 1, (int[]){0}, (int[]){1, 3}, 2, s);
}

/* Two index arrays, the second with a slice of 2 along its axis. */
static int gcase_gather_two_axes(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_gather(out, x[0], &x[1], 2, (int[]){0, 1}, (int[]){1, 2}, 2, s);
}

static int gcase_gather_middle(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_gather(out, x[0], &x[1], 1, (int[]){1}, (int[]){2, 1, 2}, 3, s);
}

/* Index arrays (2, 1) and (3) broadcast to (2, 3). */
static int gcase_gather_broadcast(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_gather(out, x[0], &x[1], 2, (int[]){1, 0}, (int[]){1, 1}, 2, s);
}

static int gcase_gather_no_index(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_gather(out, x[0], NULL, 0, NULL, (int[]){2, 3}, 2, s);
}

/* x - k: indices in [-k, ihi - k] (negative ones count from the end). */
static int gcase_shift(mx_array **out, mx_array *x, int k, mx_stream s) {
  mx_array *c = mx_array_scalar(MX_INT32, k);
  int rc = c ? mx_subtract(out, x, c, s) : MX_ERR;
  mx_array_release(c);
  return rc;
}

static int gcase_gather_negative(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i = NULL;
  MX_TRY(gcase_shift(&i, x[1], 4, s));
  int rc = mx_gather(out, x[0], &i, 1, (int[]){0}, (int[]){1, 2}, 2, s);
  mx_array_release(i);
  return rc;
}

/* base (1) + arange(3): three distinct indices. */
static int gcase_distinct(mx_array **out, mx_array *base, mx_stream s) {
  mx_array *r = NULL;
  MX_TRY(mx_arange(&r, 0, 3, 1, MX_INT32, s));
  int rc = mx_add(out, base, r, s);
  mx_array_release(r);
  return rc;
}

/* Scatter of updates (5, 1, 3) into rows of a (4, 3). */
#define GCASE_SCATTER_ROWS(name, op)                                                               \
  static int gcase_scatter_##name(mx_array *const *x, mx_array **out, mx_stream s) {               \
    return mx_scatter(out, x[0], &x[1], 1, x[2], (int[]){0}, op, s);                               \
  }
GCASE_SCATTER_ROWS(add_rows, MX_SCATTER_SUM)
GCASE_SCATTER_ROWS(max_rows, MX_SCATTER_MAX)
GCASE_SCATTER_ROWS(min_rows, MX_SCATTER_MIN)
GCASE_SCATTER_ROWS(prod_rows, MX_SCATTER_PROD)

static int gcase_scatter_add_two_axes(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_scatter(out, x[0], &x[1], 2, x[3], (int[]){0, 1}, MX_SCATTER_SUM, s);
}

/* Updates (2, 2, 2, 1): a partial slice (2 of 3 rows) of a (3, 4) at indices on axis 1. */
static int gcase_scatter_add_partial(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_scatter(out, x[0], &x[1], 1, x[2], (int[]){1}, MX_SCATTER_SUM, s);
}

static int gcase_scatter_add_no_index(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_scatter(out, x[0], NULL, 0, x[1], NULL, MX_SCATTER_SUM, s);
}

/* Overwrites three distinct rows of a (5, 3). */
static int gcase_scatter_none_rows(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i = NULL;
  MX_TRY(gcase_distinct(&i, x[1], s));
  int rc = mx_scatter(out, x[0], &i, 1, x[2], (int[]){0}, MX_SCATTER_NONE, s);
  mx_array_release(i);
  return rc;
}

/* Overwrites three distinct (row, col) elements of a (5, 4); the columns are any. */
static int gcase_scatter_none_pairs(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i[2] = {NULL, x[2]};
  MX_TRY(gcase_distinct(&i[0], x[1], s));
  int rc = mx_scatter(out, x[0], i, 2, x[3], (int[]){0, -1}, MX_SCATTER_NONE, s);
  mx_array_release(i[0]);
  return rc;
}

/* The mask comes from a 0/1 int32 input. */
static int gcase_masked(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *m = NULL;
  MX_TRY(mx_astype(&m, x[1], MX_BOOL, s));
  int rc = mx_masked_scatter(out, x[0], m, x[2], s);
  mx_array_release(m);
  return rc;
}

static int gcase_take_axis0(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_take(out, x[0], x[1], 0, false, s);
}

static int gcase_take_axis1(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_take(out, x[0], x[1], 1, false, s);
}

static int gcase_take_last(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_take(out, x[0], x[1], -1, false, s);
}

static int gcase_take_flat(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_take(out, x[0], x[1], 0, true, s);
}

static int gcase_take_negative(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i = NULL;
  MX_TRY(gcase_shift(&i, x[1], 4, s));
  int rc = mx_take(out, x[0], i, 0, false, s);
  mx_array_release(i);
  return rc;
}

/* put_along_axis with sum: repeated indices add up. */
static int gcase_put_sum_rows(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_put_along_axis(out, x[0], x[1], x[2], 1, false, MX_SCATTER_SUM, s);
}

/* Indices in [-4, 0] along axis 0 (negative ones count from the end), values broadcast. */
static int gcase_put_sum_negative(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i = NULL;
  MX_TRY(gcase_shift(&i, x[1], 4, s));
  int rc = mx_put_along_axis(out, x[0], i, x[2], 0, false, MX_SCATTER_SUM, s);
  mx_array_release(i);
  return rc;
}

static int gcase_put_sum_flat(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_put_along_axis(out, x[0], x[1], x[2], 0, true, MX_SCATTER_SUM, s);
}

/* Overwrites three distinct elements of each row of a (2, 4) (base (2, 1) + arange(3)); the
 * array (1, 4) in the second case grows to the indices' two rows. */
static int gcase_put_none_rows(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i = NULL;
  MX_TRY(gcase_distinct(&i, x[1], s));
  int rc = mx_put_along_axis(out, x[0], i, x[2], -1, false, MX_SCATTER_NONE, s);
  mx_array_release(i);
  return rc;
}

static int gcase_take_along_rows(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_take_along_axis(out, x[0], x[1], 1, false, s);
}

/* Indices in [-4, 0] along axis 0, broadcast along axis 1. */
static int gcase_take_along_negative(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *i = NULL;
  MX_TRY(gcase_shift(&i, x[1], 4, s));
  int rc = mx_take_along_axis(out, x[0], i, 0, false, s);
  mx_array_release(i);
  return rc;
}

static int gcase_take_along_flat(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_take_along_axis(out, x[0], x[1], 0, true, s);
}

#define GR RULE_IN_REAL
#define GD RULE_IN_DISTINCT
#define GI RULE_IN_INT32

/* clang-format off */
static const rule_case rule_cases_gather[] = {
    {MX_PRIM_GATHER, "gather rows", gcase_gather_rows, 2, 1, {2, 1}, {{4, 3}, {2}}, {GR, GI},
     .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_GATHER, "gather on two axes, 2-d indices", gcase_gather_two_axes, 3, 1, {2, 2, 2},
     {{4, 5}, {2, 3}, {2, 3}}, {GR, GI, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_GATHER, "gather on the middle axis", gcase_gather_middle, 2, 1, {3, 1},
     {{2, 4, 3}, {3}}, {GR, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_GATHER, "gather with broadcast indices", gcase_gather_broadcast, 3, 1, {2, 2, 1},
     {{4, 4}, {2, 1}, {3}}, {GR, GI, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_GATHER, "gather without indices", gcase_gather_no_index, 1, 1, {2}, {{3, 4}}, {GR},
     .lo = -2, .hi = 2},
    {MX_PRIM_GATHER, "gather with negative indices", gcase_gather_negative, 2, 1, {2, 2},
     {{4, 2}, {2, 2}}, {GR, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_SCATTER, "scatter-add rows, repeated", gcase_scatter_add_rows, 3, 1, {2, 1, 3},
     {{4, 3}, {5}, {5, 1, 3}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_SCATTER, "scatter-add on two axes", gcase_scatter_add_two_axes, 4, 1, {2, 2, 2, 4},
     {{4, 5}, {2, 3}, {2, 3}, {2, 3, 1, 2}}, {GR, GI, GI, GR}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_SCATTER, "scatter-add of partial slices", gcase_scatter_add_partial, 3, 1, {2, 2, 4},
     {{3, 4}, {2, 2}, {2, 2, 2, 1}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_SCATTER, "scatter-add without indices", gcase_scatter_add_no_index, 2, 1, {2, 2},
     {{3, 4}, {2, 3}}, {GR, GR}, .lo = -2, .hi = 2},
    {MX_PRIM_SCATTER, "scatter rows (none)", gcase_scatter_none_rows, 3, 1, {2, 1, 3},
     {{5, 3}, {1}, {3, 1, 3}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 2},
    {MX_PRIM_SCATTER, "scatter elements (none)", gcase_scatter_none_pairs, 4, 1, {2, 1, 1, 3},
     {{5, 4}, {1}, {3}, {3, 1, 1}}, {GR, GI, GI, GR}, .lo = -2, .hi = 2, .ihi = 2},
    {MX_PRIM_SCATTER, "scatter-max rows", gcase_scatter_max_rows, 3, 1, {2, 1, 3},
     {{4, 3}, {5}, {5, 1, 3}}, {GD, GI, GD}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_SCATTER, "scatter-min rows", gcase_scatter_min_rows, 3, 1, {2, 1, 3},
     {{4, 3}, {5}, {5, 1, 3}}, {GD, GI, GD}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_SCATTER, "scatter-prod rows", gcase_scatter_prod_rows, 3, 1, {2, 1, 3},
     {{4, 3}, {5}, {5, 1, 3}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 3,
     .flags = RULE_GRAD_SKIP, .why = "MLX has no vjp for scatter_prod (the rules raise)"},
    {MX_PRIM_MASKED_SCATTER, "masked scatter", gcase_masked, 3, 1, {2, 2, 1},
     {{2, 3}, {2, 3}, {6}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 1},
    {MX_PRIM_MASKED_SCATTER, "masked scatter, broadcast mask, spare source", gcase_masked, 3, 1,
     {2, 1, 2}, {{2, 3}, {3}, {2, 4}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 1},
    {MX_PRIM_TAKE, "take on axis 0, 2-d indices", gcase_take_axis0, 2, 1, {2, 2},
     {{4, 3}, {2, 2}}, {GR, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_TAKE, "take on the middle axis", gcase_take_axis1, 2, 1, {3, 1}, {{2, 4, 3}, {3}},
     {GR, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_TAKE, "take a scalar index on the last axis", gcase_take_last, 2, 1, {2, 0},
     {{3, 4}, {0}}, {GR, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_TAKE, "take from the flattened array", gcase_take_flat, 2, 1, {2, 1}, {{3, 4}, {5}},
     {GR, GI}, .lo = -2, .hi = 2, .ihi = 11},
    {MX_PRIM_TAKE, "take with negative indices", gcase_take_negative, 2, 1, {3, 1},
     {{4, 2, 2}, {3}}, {GR, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_PUT_ALONG_AXIS, "put_along_axis sum, repeated", gcase_put_sum_rows, 3, 1,
     {2, 2, 2}, {{3, 4}, {3, 5}, {3, 5}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_PUT_ALONG_AXIS, "put_along_axis sum, negative, broadcast values",
     gcase_put_sum_negative, 3, 1, {3, 3, 2}, {{4, 2, 3}, {2, 2, 3}, {1, 3}}, {GR, GI, GR},
     .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_PUT_ALONG_AXIS, "put_along_axis sum, flattened", gcase_put_sum_flat, 3, 1, {2, 1, 1},
     {{3, 4}, {5}, {5}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 11},
    {MX_PRIM_PUT_ALONG_AXIS, "put_along_axis none, distinct", gcase_put_none_rows, 3, 1,
     {2, 2, 2}, {{2, 4}, {2, 1}, {2, 3}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 1},
    {MX_PRIM_PUT_ALONG_AXIS, "put_along_axis none, growing array", gcase_put_none_rows, 3, 1,
     {2, 2, 2}, {{1, 4}, {2, 1}, {1, 3}}, {GR, GI, GR}, .lo = -2, .hi = 2, .ihi = 1},
    {MX_PRIM_TAKE_ALONG_AXIS, "take_along_axis rows", gcase_take_along_rows, 2, 1, {2, 2},
     {{3, 4}, {3, 5}}, {GR, GI}, .lo = -2, .hi = 2, .ihi = 3},
    {MX_PRIM_TAKE_ALONG_AXIS, "take_along_axis negative, broadcast indices",
     gcase_take_along_negative, 2, 1, {3, 3}, {{4, 2, 3}, {2, 1, 3}}, {GR, GI}, .lo = -2,
     .hi = 2, .ihi = 3},
    {MX_PRIM_TAKE_ALONG_AXIS, "take_along_axis flattened", gcase_take_along_flat, 2, 1, {2, 1},
     {{3, 4}, {5}}, {GR, GI}, .lo = -2, .hi = 2, .ihi = 11},
    {MX_PRIM_TAKE_ALONG_AXIS, "take_along_axis from a growing array", gcase_take_along_rows, 2, 1,
     {2, 2}, {{1, 4}, {2, 3}}, {GR, GI}, .lo = -2, .hi = 2, .ihi = 3},
    RULE_END,
};
/* clang-format on */

#undef GR
#undef GD
#undef GI
