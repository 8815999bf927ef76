/* Rule cases of the fast family (see rule_cases.h): RMSNorm, LayerNorm, RoPE (both layouts,
 * partial dims, freqs), ScaledDotProductAttention (grouped heads, causal, additive mask,
 * sinks). Their rules go through the composed fallbacks. */

static int fcase_rms(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fast_rms_norm(out, x[0], x[1], 1e-5f, s);
}

static int fcase_layer(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fast_layer_norm(out, x[0], x[1], x[2], 1e-5f, s);
}

static int fcase_layer_plain(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fast_layer_norm(out, x[0], NULL, NULL, 1e-5f, s);
}

static int fcase_rope(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fast_rope(out, x[0], 6, false, true, 10000.0f, 0.5f, 2, NULL, NULL, s);
}

static int fcase_rope_trad_freqs(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fast_rope(out, x[0], 4, true, false, 0.0f, 1.0f, 1, NULL, x[1], s);
}

static int fcase_sdpa_causal(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fast_sdpa(out, x[0], x[1], x[2], 0.7f, "causal", NULL, NULL, s);
}

static int fcase_sdpa_mask(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fast_sdpa(out, x[0], x[1], x[2], 0.5f, "array", x[3], NULL, s);
}

static int fcase_sdpa_sinks(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_fast_sdpa(out, x[0], x[1], x[2], 0.5f, "", NULL, x[3], s);
}

static const rule_case rule_cases_fast[] = {
    {MX_PRIM_RMS_NORM, "rms_norm", fcase_rms, 2, 1, {2, 1}, {{3, 5}, {5}}, {0}, -1, 1, 0, 0, NULL},
    {MX_PRIM_LAYER_NORM, "layer_norm", fcase_layer, 3, 1, {2, 1, 1}, {{2, 6}, {6}, {6}}, {0}, -1,
     1, 0, 0, NULL},
    {MX_PRIM_LAYER_NORM, "layer_norm_plain", fcase_layer_plain, 1, 1, {3}, {{2, 2, 5}}, {0}, -1,
     1, 0, 0, NULL},
    {MX_PRIM_ROPE, "rope", fcase_rope, 1, 1, {3}, {{2, 3, 8}}, {0}, -1, 1, 0, 0, NULL},
    {MX_PRIM_ROPE, "rope_trad_freqs", fcase_rope_trad_freqs, 2, 1, {3, 1}, {{1, 3, 4}, {2}},
     {0}, 0.5, 2, 0, 0, NULL},
    {MX_PRIM_SDPA, "sdpa_causal", fcase_sdpa_causal, 3, 1, {4, 4, 4},
     {{1, 2, 3, 4}, {1, 1, 5, 4}, {1, 1, 5, 3}}, {0}, -1, 1, 0, 0, NULL},
    {MX_PRIM_SDPA, "sdpa_mask", fcase_sdpa_mask, 4, 1, {4, 4, 4, 2},
     {{1, 2, 2, 3}, {1, 2, 4, 3}, {1, 2, 4, 2}, {2, 4}}, {0}, -1, 1, 0, 0, NULL},
    {MX_PRIM_SDPA, "sdpa_sinks", fcase_sdpa_sinks, 4, 1, {4, 4, 4, 1},
     {{1, 2, 2, 3}, {1, 1, 3, 3}, {1, 1, 3, 2}, {2}}, {0}, -1, 1, 0, 0, NULL},
    RULE_END};
