/* Rule cases of the quantization family (see rule_cases.h): QuantizedMatmul (with respect to x,
 * and to x, scales and biases; transpose true and false), Dequantize (scales and biases),
 * Quantize, ToFP8, FromFP8. The packed weights are constants made inside the cases (quantized
 * from a fixed float32 pattern): they have no gradient. */

#include <math.h>

/* A fixed (rows, cols) float32 pattern quantized with group 32, 4 bits: wq, scales, biases. */
static int qcase_weights(int32_t rows, int32_t cols, mx_array **q, mx_stream s) {
  float v[64 * 64];
  for (int i = 0; i < rows * cols; i++) v[i] = sinf(0.37f * (float)i) * (1.0f + (float)(i % 7));
  mx_array *w = mx_array_from_data(v, 2, (int32_t[]){rows, cols}, MX_FLOAT32);
  if (!w) return MX_ERR;
  int nout;
  int rc = mx_quantize(q, &nout, w, 32, 4, "affine", NULL, s);
  mx_array_release(w);
  return rc;
}

static int qcase_qmm_x(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *q[3];
  MX_TRY(qcase_weights(4, 64, q, s));
  int rc = mx_quantized_matmul(out, x[0], q[0], q[1], q[2], true, 32, 4, "affine", s);
  for (int i = 0; i < 3; i++) mx_array_release(q[i]);
  return rc;
}

/* x, scales and biases (float64: the product is float64) with the constant codes. */
static int qcase_qmm_xsb(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *q[3];
  MX_TRY(qcase_weights(4, 64, q, s));
  int rc = mx_quantized_matmul(out, x[0], q[0], x[1], x[2], true, 32, 4, "affine", s);
  for (int i = 0; i < 3; i++) mx_array_release(q[i]);
  return rc;
}

static int qcase_qmm_notrans(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *q[3];
  MX_TRY(qcase_weights(4, 64, q, s));
  int rc = mx_quantized_matmul(out, x[0], q[0], x[1], x[2], false, 32, 4, "affine", s);
  for (int i = 0; i < 3; i++) mx_array_release(q[i]);
  return rc;
}

static int qcase_dequantize(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *q[3];
  MX_TRY(qcase_weights(4, 64, q, s));
  int rc = mx_dequantize(out, q[0], x[0], x[1], 32, 4, "affine", NULL, false, MX_FLOAT32, s);
  for (int i = 0; i < 3; i++) mx_array_release(q[i]);
  return rc;
}

static int qcase_quantize(mx_array *const *x, mx_array **out, mx_stream s) {
  int nout;
  return mx_quantize(out, &nout, x[0], 32, 4, "affine", NULL, s);
}

static int qcase_to_fp8(mx_array *const *x, mx_array **out, mx_stream s) {
  return mx_to_fp8(out, x[0], s);
}

static int qcase_from_fp8(mx_array *const *x, mx_array **out, mx_stream s) {
  mx_array *c = NULL;
  MX_TRY(mx_astype(&c, x[0], MX_UINT8, s));
  int rc = mx_from_fp8(out, c, MX_FLOAT32, s);
  mx_array_release(c);
  return rc;
}

static const rule_case rule_cases_quant[] = {
    {MX_PRIM_QUANTIZED_MATMUL, "quantized_matmul x", qcase_qmm_x, 1, 1, {2}, {{3, 64}}, .lo = -1,
     .hi = 1},
    {MX_PRIM_QUANTIZED_MATMUL, "quantized_matmul x, scales, biases", qcase_qmm_xsb, 3, 1,
     {2, 2, 2}, {{2, 64}, {4, 2}, {4, 2}}, .lo = -1, .hi = 1},
    {MX_PRIM_QUANTIZED_MATMUL, "quantized_matmul transpose=false", qcase_qmm_notrans, 3, 1,
     {2, 2, 2}, {{2, 4}, {4, 2}, {4, 2}}, .lo = -1, .hi = 1},
    {MX_PRIM_DEQUANTIZE, "dequantize scales, biases", qcase_dequantize, 2, 1, {2, 2},
     {{4, 2}, {4, 2}}, .lo = -1, .hi = 1},
    {MX_PRIM_QUANTIZE, "quantize", qcase_quantize, 1, 3, {2}, {{3, 64}}, .lo = -2, .hi = 2,
     .flags = RULE_GRAD_SKIP, .why = "integer codes: Quantize has no derivative"},
    {MX_PRIM_TO_FP8, "to_fp8", qcase_to_fp8, 1, 1, {2}, {{3, 5}}, .lo = -500, .hi = 500,
     .flags = RULE_GRAD_SKIP, .why = "uint8 codes: no derivative"},
    {MX_PRIM_FROM_FP8, "from_fp8", qcase_from_fp8, 1, 1, {2}, {{3, 5}},
     .kind = {RULE_IN_INT32}, .ihi = 255, .flags = RULE_GRAD_SKIP,
     .why = "uint8 codes: no derivative"},
    RULE_END};
