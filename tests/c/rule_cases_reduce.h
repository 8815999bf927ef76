/* Rule cases of the reduction family (see rule_cases.h): Reduce (prod, max, min, all, any and
 * sum over several axes), ArgReduce, Scan (every kind, forward and reverse, inclusive and
 * exclusive), Sort, ArgSort, Partition, ArgPartition, TopK, Softmax, LogSumExp. Max, min,
 * cummax, cummin, sort, partition and topk draw distinct inputs, so no tie sits on a kink. */

/* A reduction over axes (naxes < 0: all), keepdims or not. */
#define RCASE_REDUCE(name, op, keepdims, naxes, ...)                                               \
  static int rcase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    return op(out, x[0], (int[]){__VA_ARGS__}, naxes, keepdims, s);                                \
  }
RCASE_REDUCE(sum_axes, mx_sum, false, 2, 0, 2)
RCASE_REDUCE(prod_axis, mx_prod, false, 1, 1)
RCASE_REDUCE(prod_axes, mx_prod, true, 2, 0, 2)
RCASE_REDUCE(prod_all, mx_prod, false, -1, 0)
RCASE_REDUCE(max_axis, mx_max, false, 1, -1)
RCASE_REDUCE(max_axes, mx_max, true, 2, 2, 0)
RCASE_REDUCE(min_all, mx_min, true, -1, 0)
RCASE_REDUCE(min_axis, mx_min, false, 1, 0)
RCASE_REDUCE(all_axis, mx_all, false, 1, 1)
RCASE_REDUCE(any_all, mx_any, false, -1, 0)
RCASE_REDUCE(logsumexp_last, mx_logsumexp, false, 1, -1)
RCASE_REDUCE(logsumexp_axes, mx_logsumexp, true, 2, 0, 2)

static int rcase_argmax(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_argmax(out, x[0], 1, false, true, s);
}

static int rcase_argmin_flat(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_argmin(out, x[0], 0, true, false, s);
}

/* Scans along axis 1. An exclusive max, min or logaddexp scan starts from its identity (-inf,
 * or +inf for min): a softmax along the scan (the last axis) of sign * scan keeps the outputs
 * finite for the finite differences. */
#define RCASE_SCAN(name, op, reverse, inclusive)                                                   \
  static int rcase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    return op(out, x[0], 1, reverse, inclusive, s);                                                \
  }
#define RCASE_SCAN_SOFTMAX(name, op, reverse, inclusive, sign)                                     \
  static int rcase_##name(mx_array *const *x, mx_array **out, mx_stream s) {                       \
    mx_array *c = NULL, *k = mx_array_scalar(MX_FLOAT64, sign), *kc = NULL;                        \
    int rc = op(&c, x[0], -1, reverse, inclusive, s);                                              \
    if (!rc) rc = mx_multiply(&kc, c, k, s);                                                       \
    if (!rc) rc = mx_softmax(out, kc, (int[]){-1}, 1, false, s);                                   \
    mx_array_release(c), mx_array_release(k), mx_array_release(kc);                                \
    return rc;                                                                                     \
  }
RCASE_SCAN(cumsum, mx_cumsum, false, true)
RCASE_SCAN(cumsum_rev_excl, mx_cumsum, true, false)
RCASE_SCAN(cumprod, mx_cumprod, false, true)
RCASE_SCAN(cumprod_rev, mx_cumprod, true, true)
RCASE_SCAN(cumprod_excl, mx_cumprod, false, false)
RCASE_SCAN(cumprod_rev_excl, mx_cumprod, true, false)
RCASE_SCAN(cummax, mx_cummax, false, true)
RCASE_SCAN(cummax_rev, mx_cummax, true, true)
RCASE_SCAN(cummin, mx_cummin, false, true)
RCASE_SCAN(logcumsumexp, mx_logcumsumexp, false, true)
RCASE_SCAN(logcumsumexp_rev, mx_logcumsumexp, true, true)
RCASE_SCAN_SOFTMAX(cummax_excl, mx_cummax, false, false, 1)
RCASE_SCAN_SOFTMAX(cummin_rev_excl, mx_cummin, true, false, -1)
RCASE_SCAN_SOFTMAX(logcumsumexp_excl, mx_logcumsumexp, false, false, 1)
RCASE_SCAN_SOFTMAX(logcumsumexp_rev_excl, mx_logcumsumexp, true, false, 1)

static int rcase_sort(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_sort(out, x[0], 0, false, s);
}

static int rcase_sort_flat(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_sort(out, x[0], 0, true, s);
}

static int rcase_argsort(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_argsort(out, x[0], -1, false, s);
}

static int rcase_partition(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_partition(out, x[0], 2, -1, false, s);
}

static int rcase_partition_axis0(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_partition(out, x[0], -1, 0, false, s);
}

static int rcase_argpartition(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_argpartition(out, x[0], 1, 0, false, s);
}

static int rcase_topk(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_topk(out, x[0], 2, -1, false, s);
}

static int rcase_topk_axis0(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_topk(out, x[0], 3, 0, false, s);
}

static int rcase_softmax(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_softmax(out, x[0], (int[]){-1}, 1, false, s);
}

static int rcase_softmax_axes(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_softmax(out, x[0], (int[]){0, 2}, 2, true, s);
}

/* One input drawn in [-2, 2]; RCASE_ZERO: an integer or boolean output (zero derivatives). */
/* clang-format off */
#define RCASE(prim, name, fn, kind, nd, ...) \
  {MX_PRIM_##prim, name, rcase_##fn, 1, 1, {nd}, {{__VA_ARGS__}}, {RULE_IN_##kind}, .lo = -2, .hi = 2}
#define RCASE_ZERO(prim, name, fn, nd, ...) \
  {MX_PRIM_##prim, name, rcase_##fn, 1, 1, {nd}, {{__VA_ARGS__}}, {RULE_IN_REAL}, .lo = -2, .hi = 2, \
   .flags = RULE_GRAD_ZERO}
/* clang-format on */

static const rule_case rule_cases_reduce[] = {
    RCASE(REDUCE, "sum over axes 0, 2", sum_axes, REAL, 3, 2, 3, 2),
    RCASE(REDUCE, "prod over an axis", prod_axis, REAL, 3, 2, 3, 2),
    RCASE(REDUCE, "prod over axes 0, 2, keepdims", prod_axes, REAL, 3, 2, 3, 2),
    RCASE(REDUCE, "prod over all", prod_all, REAL, 2, 2, 3),
    RCASE(REDUCE, "max over the last axis", max_axis, DISTINCT, 2, 3, 4),
    RCASE(REDUCE, "max over axes 2, 0, keepdims", max_axes, DISTINCT, 3, 2, 3, 2),
    RCASE(REDUCE, "min over all, keepdims", min_all, DISTINCT, 2, 3, 2),
    RCASE(REDUCE, "min over axis 0", min_axis, DISTINCT, 3, 3, 2, 2),
    RCASE_ZERO(REDUCE, "all over an axis", all_axis, 2, 2, 3),
    RCASE_ZERO(REDUCE, "any over all", any_all, 2, 2, 3),
    RCASE_ZERO(ARG_REDUCE, "argmax keepdims", argmax, 2, 3, 4),
    RCASE_ZERO(ARG_REDUCE, "argmin of the flattened array", argmin_flat, 2, 2, 3),
    RCASE(SCAN, "cumsum", cumsum, REAL, 2, 2, 4),
    RCASE(SCAN, "cumsum reverse exclusive", cumsum_rev_excl, REAL, 3, 2, 4, 3),
    RCASE(SCAN, "cumprod", cumprod, REAL, 2, 2, 4),
    RCASE(SCAN, "cumprod reverse", cumprod_rev, REAL, 3, 2, 4, 3),
    RCASE(SCAN, "cumprod exclusive", cumprod_excl, REAL, 2, 3, 4),
    RCASE(SCAN, "cumprod reverse exclusive", cumprod_rev_excl, REAL, 2, 2, 5),
    RCASE(SCAN, "cummax", cummax, DISTINCT, 2, 2, 5),
    RCASE(SCAN, "cummax reverse", cummax_rev, DISTINCT, 3, 2, 4, 3),
    RCASE(SCAN, "cummin", cummin, DISTINCT, 2, 3, 4),
    RCASE(SCAN, "cummax exclusive (then softmax)", cummax_excl, DISTINCT, 2, 2, 5),
    RCASE(SCAN, "cummin reverse exclusive (then softmax of -x)", cummin_rev_excl, DISTINCT, 2, 3,
          4),
    RCASE(SCAN, "logcumsumexp", logcumsumexp, REAL, 2, 2, 4),
    RCASE(SCAN, "logcumsumexp reverse", logcumsumexp_rev, REAL, 3, 2, 4, 3),
    RCASE(SCAN, "logcumsumexp exclusive (then softmax)", logcumsumexp_excl, REAL, 2, 2, 5),
    RCASE(SCAN, "logcumsumexp reverse exclusive (then softmax)", logcumsumexp_rev_excl, REAL, 2, 3,
          4),
    RCASE(SORT, "sort along axis 0", sort, DISTINCT, 2, 4, 3),
    RCASE(SORT, "sort of the flattened array", sort_flat, DISTINCT, 2, 2, 3),
    RCASE_ZERO(ARGSORT, "argsort", argsort, 2, 2, 5),
    RCASE(PARTITION, "partition kth 2 along the last axis", partition, DISTINCT, 2, 2, 5),
    RCASE(PARTITION, "partition kth -1 along axis 0", partition_axis0, DISTINCT, 3, 4, 2, 2),
    RCASE_ZERO(ARGPARTITION, "argpartition", argpartition, 2, 4, 3),
    RCASE(TOPK, "topk 2 along the last axis", topk, DISTINCT, 2, 3, 5),
    RCASE(TOPK, "topk 3 along axis 0", topk_axis0, DISTINCT, 2, 5, 2),
    RCASE(SOFTMAX, "softmax over the last axis", softmax, REAL, 2, 3, 4),
    RCASE(SOFTMAX, "softmax over axes 0, 2 (precise)", softmax_axes, REAL, 3, 2, 3, 2),
    RCASE(LOGSUMEXP, "logsumexp over the last axis", logsumexp_last, REAL, 2, 3, 4),
    RCASE(LOGSUMEXP, "logsumexp over axes 0, 2, keepdims", logsumexp_axes, REAL, 3, 2, 3, 2),
    RULE_END,
};

#undef RCASE
#undef RCASE_ZERO
#undef RCASE_REDUCE
#undef RCASE_SCAN
#undef RCASE_SCAN_SOFTMAX
