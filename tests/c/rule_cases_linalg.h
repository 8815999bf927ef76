/* Rule cases of the matmul family (see rule_cases.h): AddMM, GatherMM, BlockMaskedMM,
 * SegmentedMM, Hadamard. Index and segment inputs are int32 (held fixed for the gradients,
 * batched for vmap); masks are 32 x 32 blocks of matrices a little over one block, so that
 * partial blocks are exercised. */

static int lcase_addmm(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_addmm(out, x[0], x[1], x[2], 1.5f, -0.5f, s);
}

static int lcase_addmm_unit(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_addmm(out, x[0], x[1], x[2], 1.0f, 1.0f, s);
}

static int lcase_gather_mm(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_gather_mm(out, x[0], x[1], x[2], x[3], false, s);
}

/* lhs indices omitted: a's own batch in order. */
static int lcase_gather_mm_rhs(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_gather_mm(out, x[0], x[1], NULL, x[2], false, s);
}

static int lcase_bmm_out_lhs(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_block_masked_mm(out, x[0], x[1], 32, x[2], x[3], NULL, s);
}

static int lcase_bmm_lhs_rhs(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_block_masked_mm(out, x[0], x[1], 32, NULL, x[2], x[3], s);
}

/* A constant boolean output mask (no gradient) with a float rhs mask. */
static int lcase_bmm_bool_out(mx_array *const *x, mx_array **out, mx_stream s) {
  bool keep[4] = {true, false, true, true};
  mx_array *m = mx_array_from_data(keep, 2, (int32_t[]){2, 2}, MX_BOOL);
  if (!m) return MX_ERR;
  int rc = mx_block_masked_mm(out, x[0], x[1], 32, m, NULL, x[2], s);
  mx_array_release(m);
  return rc;
}

static int lcase_segmented_mm(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_segmented_mm(out, x[0], x[1], x[2], s);
}

static int lcase_hadamard(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_hadamard_transform(out, x[0], false, 0.0f, s);
}

static int lcase_hadamard_scaled(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_hadamard_transform(out, x[0], true, 0.5f, s);
}

static const rule_case rule_cases_linalg[] = {
    {MX_PRIM_ADDMM, "addmm", lcase_addmm, 3, 1, {2, 2, 2}, {{2, 4}, {2, 3}, {3, 4}}, .lo = -2,
     .hi = 2},
    {MX_PRIM_ADDMM, "addmm batched a, broadcast c", lcase_addmm, 3, 1, {1, 3, 2},
     {{4}, {2, 2, 3}, {3, 4}}, .lo = -2, .hi = 2},
    {MX_PRIM_ADDMM, "addmm vector a", lcase_addmm, 3, 1, {1, 1, 2}, {{4}, {3}, {3, 4}}, .lo = -2,
     .hi = 2},
    {MX_PRIM_ADDMM, "addmm vector b, unit scales", lcase_addmm_unit, 3, 1, {1, 2, 1},
     {{1}, {2, 3}, {3}}, .lo = -2, .hi = 2},
    /* rhs indices reach 2 with 2 matrices: the kernel clamps, so must the vjp */
    {MX_PRIM_GATHER_MM, "gather_mm", lcase_gather_mm, 4, 1, {3, 3, 1, 1},
     {{3, 2, 4}, {2, 4, 3}, {4}, {4}}, {RULE_IN_REAL, RULE_IN_REAL, RULE_IN_INT32, RULE_IN_INT32},
     .lo = -2, .hi = 2, .ihi = 2},
    {MX_PRIM_GATHER_MM, "gather_mm 2-d indices", lcase_gather_mm, 4, 1, {3, 3, 2, 2},
     {{3, 2, 4}, {3, 4, 2}, {2, 2}, {2, 2}},
     {RULE_IN_REAL, RULE_IN_REAL, RULE_IN_INT32, RULE_IN_INT32}, .lo = -2, .hi = 2, .ihi = 2},
    {MX_PRIM_GATHER_MM, "gather_mm rhs indices only", lcase_gather_mm_rhs, 3, 1, {3, 3, 1},
     {{2, 2, 3}, {3, 3, 2}, {2}}, {RULE_IN_REAL, RULE_IN_REAL, RULE_IN_INT32}, .lo = -2, .hi = 2,
     .ihi = 2},
    {MX_PRIM_BLOCK_MASKED_MM, "block_masked_mm out and lhs masks", lcase_bmm_out_lhs, 4, 1,
     {2, 2, 2, 2}, {{40, 36}, {36, 34}, {2, 2}, {2, 2}}, .lo = -1, .hi = 1},
    {MX_PRIM_BLOCK_MASKED_MM, "block_masked_mm lhs and rhs masks", lcase_bmm_lhs_rhs, 4, 1,
     {2, 2, 2, 2}, {{40, 36}, {36, 34}, {2, 2}, {2, 2}}, .lo = -1, .hi = 1},
    {MX_PRIM_BLOCK_MASKED_MM, "block_masked_mm bool out mask, batched a", lcase_bmm_bool_out, 3, 1,
     {3, 2, 2}, {{2, 40, 33}, {33, 34}, {2, 2}}, .lo = -1, .hi = 1},
    /* segments [lo, hi) in [0, 6]: some empty or reversed */
    {MX_PRIM_SEGMENTED_MM, "segmented_mm", lcase_segmented_mm, 3, 1, {2, 2, 2},
     {{3, 6}, {6, 2}, {4, 2}}, {RULE_IN_REAL, RULE_IN_REAL, RULE_IN_INT32}, .lo = -2, .hi = 2,
     .ihi = 6},
    {MX_PRIM_SEGMENTED_MM, "segmented_mm one segment", lcase_segmented_mm, 3, 1, {2, 2, 1},
     {{2, 5}, {5, 3}, {2}}, {RULE_IN_REAL, RULE_IN_REAL, RULE_IN_INT32}, .lo = -2, .hi = 2,
     .ihi = 5},
    {MX_PRIM_HADAMARD, "hadamard 2^k", lcase_hadamard, 1, 1, {2}, {{2, 8}}, .lo = -2, .hi = 2},
    {MX_PRIM_HADAMARD, "hadamard 12, scaled", lcase_hadamard_scaled, 1, 1, {2}, {{2, 24}},
     .lo = -2, .hi = 2},
    /* H_20 and H_28 are not symmetric: the vjp needs their transposes */
    {MX_PRIM_HADAMARD, "hadamard 20 * 2", lcase_hadamard, 1, 1, {2}, {{3, 40}}, .lo = -2, .hi = 2},
    {MX_PRIM_HADAMARD, "hadamard 28", lcase_hadamard, 1, 1, {1}, {{28}}, .lo = -2, .hi = 2},
    RULE_END,
};
