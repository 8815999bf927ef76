/* Rules of the quantization family: vjp / jvp of Dequantize and QuantizedMatmul with respect to
 * x, scales and biases (affine; none with respect to the packed weights, as MLX), vmap of
 * Quantize, Dequantize, QuantizedMatmul, ToFP8 and FromFP8. Results are built with ops. */
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/foundation_rules.h"
#include "ops/ops.h"
#include "ops/quant.h"

static void release_all(mx_array **v, int n) {
  for (int i = 0; i < n; i++) mx_array_release(v[i]);
}

static int zeros_like(mx_array **out, const mx_array *a, mx_stream s) {
  return mx_zeros(out, a->ndim, a->shape, (mx_dtype)a->dtype, s);
}

/* The codes of a packed affine w as floats of dtype t: dequantize with scale 1, bias 0. */
static int codes_of(mx_array **out, mx_array *w, mx_array *scales, const mx_quant_params *p,
                    mx_dtype t, mx_stream s) {
  mx_array *one = NULL, *zero = NULL;
  int rc = mx_ones(&one, scales->ndim, scales->shape, t, s);
  if (!rc) rc = mx_zeros(&zero, scales->ndim, scales->shape, t, s);
  if (!rc)
    rc = mx_dequantize(out, w, one, zero, p->group_size, p->bits, "affine", NULL, true, t, s);
  mx_array_release(one), mx_array_release(zero);
  return rc;
}

/* Gradients of scales and biases from the gradient dW of the dequantized matrix:
 * ds[g] = sum over group g of dW * codes, db[g] = sum of dW. */
static int scale_bias_grads(mx_array *dW, mx_node *n, int which, mx_array **grad) {
  const mx_quant_params *p = n->params;
  mx_array *w = n->inputs[1 - (n->prim == MX_PRIM_DEQUANTIZE)], *sc = n->inputs[2 - (n->prim == MX_PRIM_DEQUANTIZE)];
  mx_stream s = n->stream;
  if (p->mode != MX_QMODE_AFFINE)
    return mx_error("[%s::vjp] no gradient wrt the scales of mode '%s'.",
                    n->prim == MX_PRIM_DEQUANTIZE ? "Dequantize" : "QuantizedMatmul", mx_quant_mode_name(p->mode));
  int nd = dW->ndim;
  int32_t gshape[MX_MAX_NDIM + 1];
  memcpy(gshape, dW->shape, (size_t)nd * sizeof(int32_t));
  gshape[nd - 1] = dW->shape[nd - 1] / p->group_size;
  gshape[nd] = p->group_size;
  mx_array *q = NULL, *prod = NULL, *r = NULL, *sm = NULL;
  int last = nd;
  int rc = 0;
  mx_array *src = dW;
  if (which == 2) {
    rc = codes_of(&q, w, sc, p, (mx_dtype)dW->dtype, s);
    if (!rc) rc = mx_multiply(&prod, dW, q, s);
    src = prod;
  }
  if (!rc) rc = mx_reshape(&r, src, nd + 1, gshape, s);
  if (!rc) rc = mx_sum(&sm, r, &last, 1, false, s);
  mx_array *target = n->inputs[which - (n->prim == MX_PRIM_DEQUANTIZE)];
  mx_array *cast = NULL;
  if (!rc) rc = mx_unbroadcast(&cast, sm, target->ndim, target->shape);
  if (!rc) rc = mx_astype(grad, cast, (mx_dtype)target->dtype, s);
  mx_array *tmp[] = {q, prod, r, sm, cast};
  release_all(tmp, 5);
  return rc;
}

/* ------------------------------------------------------------------ QuantizedMatmul */

int mx_vjp_qmm(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
               mx_array **grads) {
  const mx_quant_params *p = n->params;
  mx_stream s = n->stream;
  mx_array *x = n->inputs[0], *w = n->inputs[1], *sc = n->inputs[2];
  mx_array *b = p->has_biases ? n->inputs[3] : NULL;
  for (int i = 0; i < nargs; i++) grads[i] = NULL;
  mx_array *dW = NULL;
  int rc = 0;
  for (int i = 0; i < nargs && !rc; i++) {
    int a = argnums[i];
    if (a == 0) {
      mx_array *g = NULL;
      rc = mx_quantized_matmul(&g, cot[0], w, sc, b, !p->transpose, p->group_size, p->bits,
                               mx_quant_mode_name(p->mode), s);
      if (!rc) rc = mx_unbroadcast(&grads[i], g, x->ndim, x->shape);
      mx_array_release(g);
    } else if (a == 1) {
      rc = mx_error("[QuantizedMatmul::vjp] no gradient wrt the quantized weights.");
    } else {
      if (!dW) { /* gradient of the dequantized matrix, in w's layout */
        mx_array *ct = NULL, *xt = NULL;
        if (p->transpose) {
          rc = mx_rule_swap_last(&ct, cot[0], s);
          if (!rc) rc = mx_matmul(&dW, ct, x, s);
        } else {
          rc = mx_rule_swap_last(&xt, x, s);
          if (!rc) rc = mx_matmul(&dW, xt, cot[0], s);
        }
        mx_array_release(ct), mx_array_release(xt);
      }
      if (!rc) rc = scale_bias_grads(dW, n, a, &grads[i]);
    }
  }
  mx_array_release(dW);
  if (rc) release_all(grads, nargs);
  return rc;
}

int mx_jvp_qmm(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
               mx_array **out) {
  const mx_quant_params *p = n->params;
  mx_stream s = n->stream;
  mx_array *x = n->inputs[0], *w = n->inputs[1], *sc = n->inputs[2];
  mx_array *b = p->has_biases ? n->inputs[3] : NULL;
  mx_array *acc = NULL;
  int rc = 0;
  for (int i = 0; i < nargs && !rc; i++) {
    int a = argnums[i];
    mx_array *term = NULL, *z = NULL;
    if (a == 0) {
      rc = mx_quantized_matmul(&term, tan[i], w, sc, b, p->transpose, p->group_size, p->bits,
                               mx_quant_mode_name(p->mode), s);
    } else if (a == 1) {
      rc = mx_error("[QuantizedMatmul::jvp] no gradient wrt the quantized weights.");
    } else if (p->mode != MX_QMODE_AFFINE) {
      rc = mx_error("[QuantizedMatmul::jvp] no gradient wrt the scales of mode '%s'.",
                    mx_quant_mode_name(p->mode));
    } else {
      rc = zeros_like(&z, sc, s);
      if (!rc)
        rc = mx_quantized_matmul(&term, x, w, a == 2 ? tan[i] : z, a == 2 ? z : tan[i],
                                 p->transpose, p->group_size, p->bits, "affine", s);
    }
    mx_array_release(z);
    if (!rc) rc = mx_rule_add_owned(&acc, acc, term, s);
  }
  if (rc) {
    mx_array_release(acc);
    return rc;
  }
  out[0] = acc;
  return 0;
}

/* Inputs moved to batch axis 0; `group` inputs (w, scales, biases) that are not batched are
 * broadcast to the batch, the others get a leading size-1 axis. */
static int vmap_inputs(mx_array *const *in, const int *axes, int nin, int ngroup_from,
                       int ngroup_to, mx_array **out, mx_stream s) {
  int B = mx_rule_batch_size(in, axes, nin);
  for (int i = 0; i < nin; i++) out[i] = NULL;
  for (int i = 0; i < nin; i++) {
    int rc;
    if (axes[i] >= 0) {
      rc = mx_rule_to_front(&out[i], in[i], axes[i]);
    } else {
      int32_t sh[MX_MAX_NDIM];
      int nd = in[i]->ndim;
      if (nd + 1 > MX_MAX_NDIM) rc = mx_error("[vmap] Too many dimensions.");
      else {
        bool group = i >= ngroup_from && i < ngroup_to;
        sh[0] = group ? B : 1;
        memcpy(sh + 1, in[i]->shape, (size_t)nd * sizeof(int32_t));
        mx_array *r = NULL;
        int32_t one[MX_MAX_NDIM];
        one[0] = 1;
        memcpy(one + 1, in[i]->shape, (size_t)nd * sizeof(int32_t));
        rc = mx_reshape(&r, in[i], nd + 1, one, s);
        if (!rc) rc = mx_broadcast_to(&out[i], r, nd + 1, sh, s);
        mx_array_release(r);
      }
    }
    if (rc) {
      release_all(out, nin);
      return rc;
    }
  }
  return 0;
}

int mx_vmap_qmm(mx_node *n, mx_array *const *in, const int *axes, mx_array **outs,
                int *out_axes) {
  const mx_quant_params *p = n->params;
  int nin = n->nin;
  mx_array *v[4];
  bool wgroup = false;
  for (int i = 1; i < nin; i++) wgroup = wgroup || axes[i] >= 0;
  MX_TRY(vmap_inputs(in, axes, nin, wgroup ? 1 : nin, nin, v, n->stream));
  int rc = mx_quantized_matmul(&outs[0], v[0], v[1], v[2], nin > 3 ? v[3] : NULL, p->transpose,
                               p->group_size, p->bits, mx_quant_mode_name(p->mode), n->stream);
  out_axes[0] = 0;
  release_all(v, nin);
  return rc;
}

/* ------------------------------------------------------------------ Dequantize */

int mx_vjp_dequantize(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                      mx_array **grads) {
  for (int i = 0; i < nargs; i++) grads[i] = NULL;
  int rc = 0;
  for (int i = 0; i < nargs && !rc; i++) {
    /* inputs (w, scales, biases): argnum a maps to scale_bias_grads's (x, w, s, b) slot a + 1 */
    if (argnums[i] == 0 || argnums[i] > 2)
      rc = mx_error("[Dequantize::vjp] no gradient wrt the quantized weights.");
    else rc = scale_bias_grads(cot[0], n, argnums[i] + 1, &grads[i]);
  }
  if (rc) release_all(grads, nargs);
  return rc;
}

int mx_jvp_dequantize(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                      mx_array **out) {
  const mx_quant_params *p = n->params;
  mx_stream s = n->stream;
  mx_array *w = n->inputs[0], *sc = n->inputs[1];
  mx_array *acc = NULL;
  int rc = 0;
  for (int i = 0; i < nargs && !rc; i++) {
    int a = argnums[i];
    mx_array *z = NULL, *term = NULL;
    if (a == 0 || a > 2 || p->mode != MX_QMODE_AFFINE)
      rc = mx_error("[Dequantize::jvp] no gradient wrt the quantized weights.");
    else rc = zeros_like(&z, sc, s);
    if (!rc)
      rc = mx_dequantize(&term, w, a == 1 ? tan[i] : z, a == 1 ? z : tan[i], p->group_size,
                         p->bits, "affine", NULL, true, (mx_dtype)n->out[0].dtype, s);
    mx_array_release(z);
    if (!rc) rc = mx_rule_add_owned(&acc, acc, term, s);
  }
  if (rc) {
    mx_array_release(acc);
    return rc;
  }
  out[0] = acc;
  return 0;
}

int mx_vmap_dequantize(mx_node *n, mx_array *const *in, const int *axes, mx_array **outs,
                       int *out_axes) {
  const mx_quant_params *p = n->params;
  int nin = n->nin, ng = 2 + p->has_biases;
  if (p->has_global && axes[nin - 1] >= 0)
    return mx_error("[Dequantize::vmap] The global scale cannot be batched.");
  mx_array *v[4];
  MX_TRY(vmap_inputs(in, axes, ng, 0, ng, v, n->stream));
  int rc = mx_dequantize(&outs[0], v[0], v[1], p->has_biases ? v[2] : NULL, p->group_size,
                         p->bits, mx_quant_mode_name(p->mode), p->has_global ? in[nin - 1] : NULL, true,
                         (mx_dtype)n->out[0].dtype, n->stream);
  out_axes[0] = 0;
  release_all(v, ng);
  return rc;
}

/* ------------------------------------------------------------------ Quantize, fp8 */

int mx_vmap_quantize(mx_node *n, mx_array *const *in, const int *axes, mx_array **outs,
                     int *out_axes) {
  const mx_quant_params *p = n->params;
  if (p->has_global && axes[1] >= 0)
    return mx_error("[Quantize::vmap] The global scale cannot be batched.");
  mx_array *w = NULL;
  MX_TRY(mx_rule_to_front(&w, in[0], axes[0]));
  int nout;
  int rc = mx_quantize(outs, &nout, w, p->group_size, p->bits, mx_quant_mode_name(p->mode),
                       p->has_global ? in[1] : NULL, n->stream);
  for (int i = 0; i < n->nout; i++) out_axes[i] = 0;
  mx_array_release(w);
  return rc;
}

int mx_vmap_fp8(mx_node *n, mx_array *const *in, const int *axes, mx_array **outs,
                int *out_axes) {
  out_axes[0] = axes[0];
  return mx_rule_remake(&outs[0], n, in, 1, NULL, 0);
}
