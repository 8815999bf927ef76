/* vjp, jvp and vmap of CONVOLUTION (src/ops/conv.h), built from convolutions, so they compose.
 *
 * With xp the dilated, padded input, Ld = (O - 1) * stride + 1 the output's span and
 * Li = (in - 1) * idil + 1 the dilated input's length (per spatial dim):
 *   - the input's gradient is a convolution of the cotangent dilated by stride with the weight's
 *     channels swapped within each group and the kernel flipped (flip toggled), kernel dilation
 *     kdil, padding ((K - 1) kdil - lo, Li - Ld + lo) (negative crops), then every idil-th
 *     position;
 *   - the weight's gradient is the primitive in mode MX_CONV_WGRAD on (x, cotangent).
 * The WGRAD node dw(x, y) is bilinear: its vjp for a cotangent cw is the forward convolution
 * conv(x, cw) for y and the input's gradient above (cw as the weight, y as the cotangent) for x.
 * vmap folds a batched input into N; a batched weight (or any batched operand of WGRAD) into
 * the groups. */
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "ops/conv.h"
#include "ops/foundation_rules.h"
#include "ops/indexing.h"
#include "ops/ops.h"

/* reshape(x, s1) -> transpose(perm) -> reshape(s2): new reference in *out. */
static int regroup(mx_array **out, mx_array *x, int n1, const int32_t *s1, const int *perm, int n2,
                   const int32_t *s2, mx_stream s) {
  mx_array *a = NULL, *b = NULL;
  int rc = mx_reshape(&a, x, n1, s1, s);
  if (!rc) rc = mx_transpose(&b, a, perm, n1, s);
  if (!rc) rc = mx_reshape(out, b, n2, s2, s);
  mx_array_release(a);
  mx_array_release(b);
  return rc;
}

/* The input's gradient of the forward convolution p of x (only its shape is read) and w for
 * the cotangent ct. */
static int grad_input(mx_array **out, const mx_conv_params *p, mx_array *x, mx_array *w,
                      mx_array *ct, mx_stream st) {
  int nsp = p->nsp, nd = nsp + 2, G = p->groups;
  int32_t O = w->shape[0], Og = O / G, Cg = w->shape[nd - 1];
  /* w (O, K..., Cg) -> (G, Og, K..., Cg) -> (G, Cg, K..., Og) -> (C, K..., Og) */
  int32_t s1[MX_MAX_NDIM], s2[MX_MAX_NDIM];
  int perm[MX_MAX_NDIM];
  s1[0] = G, s1[1] = Og, s2[0] = G * Cg;
  perm[0] = 0, perm[1] = nd, perm[nd] = 1;
  for (int d = 0; d < nsp; d++) s1[d + 2] = s2[d + 1] = w->shape[d + 1], perm[d + 2] = d + 2;
  s1[nd] = Cg, s2[nd - 1] = Og;
  mx_conv_params q;
  memset(&q, 0, sizeof q);
  q.nsp = nsp, q.groups = G, q.flip = !p->flip;
  bool sliced = false;
  for (int d = 0; d < nsp; d++) {
    int64_t K = w->shape[d + 1], in = x->shape[d + 1], on = ct->shape[d + 1];
    int64_t Li = in > 0 ? (in - 1) * p->idil[d] + 1 : 0,
            Ld = on > 0 ? (on - 1) * p->stride[d] + 1 : 0;
    q.stride[d] = 1, q.idil[d] = p->stride[d], q.kdil[d] = p->kdil[d];
    q.pad_lo[d] = (int32_t)((K - 1) * p->kdil[d] - p->pad_lo[d]);
    q.pad_hi[d] = (int32_t)(Li - Ld + p->pad_lo[d]);
    sliced = sliced || p->idil[d] > 1;
  }
  mx_array *wt = NULL, *g = NULL;
  int rc = regroup(&wt, w, nd + 1, s1, perm, nd, s2, st);
  if (!rc) rc = mx_conv_make(sliced ? &g : out, ct, wt, &q, st);
  if (!rc && sliced) {
    int start[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM], step[MX_MAX_NDIM];
    for (int d = 0; d < nd; d++) stop[d] = g->shape[d], step[d] = 1;
    for (int d = 0; d < nsp; d++) step[d + 1] = p->idil[d];
    rc = mx_slice(out, g, start, stop, step, nd, st);
  }
  mx_array_release(wt);
  mx_array_release(g);
  return rc;
}

static int grad_weight(mx_array **out, mx_node *n, mx_array *ct) {
  mx_array *w = n->inputs[1];
  return mx_conv_wgrad_make(out, n->inputs[0], ct, n->params, w->shape + 1, n->stream);
}

/* One gradient of node n (either mode) for input argnum. */
static int vjp_one(mx_array **out, mx_node *n, mx_array *ct, int argnum) {
  const mx_conv_params *p = n->params;
  if (p->mode != MX_CONV_WGRAD)
    return argnum == 0 ? grad_input(out, p, n->inputs[0], n->inputs[1], ct, n->stream)
                       : grad_weight(out, n, ct);
  mx_conv_params f = *p; /* the forward convolution */
  f.mode = MX_CONV_FORWARD;
  if (argnum == 1) return mx_conv_make(out, n->inputs[0], ct, &f, n->stream);
  return grad_input(out, &f, n->inputs[0], ct, n->inputs[1], n->stream);
}

int mx_vjp_conv(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads) {
  for (int k = 0; k < nargs; k++) {
    int rc = vjp_one(&grads[k], n, cot[0], argnums[k]);
    if (rc) {
      for (int j = 0; j < k; j++) mx_array_release(grads[j]), grads[j] = NULL;
      return rc;
    }
  }
  return 0;
}

int mx_jvp_conv(mx_node *n, mx_array *const *tan, const int *argnums, int nargs, mx_array **out) {
  return mx_rule_jvp_multilinear(n, tan, argnums, nargs, 2, out);
}

/* a with axis ax (of size B * A) split into (B, A). */
static int split_axis(mx_array **out, mx_array *a, int ax, int B, mx_stream st) {
  int32_t sh[MX_MAX_NDIM];
  memcpy(sh, a->shape, (size_t)ax * sizeof(int32_t));
  sh[ax] = B, sh[ax + 1] = a->shape[ax] / B;
  memcpy(sh + ax + 2, a->shape + ax + 1, (size_t)(a->ndim - ax - 1) * sizeof(int32_t));
  return mx_reshape(out, a, a->ndim + 1, sh, st);
}

/* Only the input batched: the batch joins N. */
static int vmap_input(mx_node *n, mx_array *x, mx_array **out) {
  int nd = x->ndim;
  int32_t s1[MX_MAX_NDIM];
  s1[0] = x->shape[0] * x->shape[1];
  memcpy(s1 + 1, x->shape + 2, (size_t)(nd - 2) * sizeof(int32_t));
  mx_array *xf = NULL, *r = NULL;
  int rc = mx_reshape(&xf, x, nd - 1, s1, n->stream);
  if (!rc) rc = mx_rule_remake(&r, n, (mx_array *[]){xf, n->inputs[1]}, 2, NULL, 0);
  if (!rc) rc = split_axis(out, r, 0, x->shape[0], n->stream);
  mx_array_release(xf);
  mx_array_release(r);
  return rc;
}

/* a (B, N, S..., C) (broadcast from (N, S..., C) when unbatched) -> (N, S..., B * C): the batch
 * joins the channels, batch-major. */
static int fold_channels(mx_array **out, mx_array *a, int B, int nd, mx_stream st) {
  mx_array *ab = NULL, *t = NULL;
  int rc = 0;
  if (a->ndim == nd) {
    int32_t one[MX_MAX_NDIM], bs[MX_MAX_NDIM];
    one[0] = 1, bs[0] = B;
    memcpy(one + 1, a->shape, (size_t)nd * sizeof(int32_t));
    memcpy(bs + 1, a->shape, (size_t)nd * sizeof(int32_t));
    mx_array *e = NULL;
    rc = mx_reshape(&e, a, nd + 1, one, st);
    if (!rc) rc = mx_broadcast_to(&ab, e, nd + 1, bs, st);
    mx_array_release(e);
  } else {
    ab = mx_array_retain(a);
  }
  int32_t fs[MX_MAX_NDIM];
  int perm[MX_MAX_NDIM];
  for (int d = 0; d < nd - 1; d++) perm[d] = d + 1; /* (N, S..., B, C) */
  perm[nd - 1] = 0, perm[nd] = nd;
  if (!rc) {
    memcpy(fs, ab->shape + 1, (size_t)(nd - 1) * sizeof(int32_t));
    fs[nd - 1] = B * ab->shape[nd];
    rc = mx_transpose(&t, ab, perm, nd + 1, st);
  }
  if (!rc) rc = mx_reshape(out, t, nd, fs, st);
  mx_array_release(ab);
  mx_array_release(t);
  return rc;
}

/* The batch joins the groups. Forward: x (B, N, S..., C) -> (N, S..., B * C), w (B, O, K..., Cg)
 * -> (B * O, K..., Cg), the result (N, OS..., B * O) -> (N, OS..., B, O), batched at axis
 * nsp + 1. WGRAD: x and y folded alike, the result (B * O, K..., Cg) -> (B, O, K..., Cg). */
static int vmap_groups(mx_node *n, mx_array *x, mx_array *b, int B, mx_array **out, int *axis) {
  const mx_conv_params *p = n->params;
  int nsp = p->nsp, nd = nsp + 2;
  bool wgrad = p->mode == MX_CONV_WGRAD;
  mx_array *xf = NULL, *bf = NULL, *r = NULL;
  int rc = fold_channels(&xf, x, B, nd, n->stream);
  if (!rc && wgrad) {
    rc = fold_channels(&bf, b, B, nd, n->stream);
  } else if (!rc) {
    int32_t ws[MX_MAX_NDIM];
    memcpy(ws, b->shape + 1, (size_t)nd * sizeof(int32_t));
    ws[0] = B * b->shape[1];
    rc = mx_reshape(&bf, b, nd, ws, n->stream);
  }
  if (!rc) {
    mx_conv_params q = *p;
    q.groups = p->groups * B;
    rc = mx_rule_remake(&r, n, (mx_array *[]){xf, bf}, 2, &q, sizeof q);
  }
  *axis = wgrad ? 0 : nsp + 1;
  if (!rc) rc = split_axis(out, r, *axis, B, n->stream);
  mx_array *tmp[] = {xf, bf, r};
  for (int i = 0; i < 3; i++) mx_array_release(tmp[i]);
  return rc;
}

int mx_vmap_conv(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes) {
  const mx_conv_params *p = n->params;
  mx_array *x = NULL, *w = NULL;
  int rc = mx_rule_to_front(&x, in[0], axes[0]);
  if (!rc) rc = mx_rule_to_front(&w, in[1], axes[1]);
  if (!rc && axes[1] < 0 && p->mode != MX_CONV_WGRAD) {
    rc = vmap_input(n, x, out);
    out_axes[0] = 0;
  } else if (!rc) {
    rc = vmap_groups(n, x, w, mx_rule_batch_size(in, axes, 2), out, &out_axes[0]);
  }
  mx_array_release(x);
  mx_array_release(w);
  return rc;
}
