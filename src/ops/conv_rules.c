/* vjp, jvp and vmap of CONVOLUTION (src/ops/conv.h), built from convolutions, so they compose.
 *
 * With xp the dilated, padded input, Ld = (O - 1) * stride + 1 the output's span and
 * Li = (in - 1) * idil + 1 the dilated input's length (per spatial dim):
 *   - the input's gradient is a convolution of the cotangent dilated by stride with the weight's
 *     channels swapped within each group and the kernel flipped (flip toggled), kernel dilation
 *     kdil, padding ((K - 1) kdil - lo, Li - Ld + lo) (negative crops), then every idil-th
 *     position;
 *   - the weight's gradient is a convolution over the batch: the input as (Cg, S..., G * N) and
 *     the cotangent as (O, OS..., N) kernels, stride kdil, kernel dilation stride, the forward's
 *     input dilation and low padding, high padding making K outputs; reversed when flipped.
 * vmap folds a batched input into N; a batched weight into the groups. */
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

static int grad_input(mx_array **out, mx_node *n, mx_array *ct) {
  const mx_conv_params *p = n->params;
  mx_array *x = n->inputs[0], *w = n->inputs[1];
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
  int rc = regroup(&wt, w, nd + 1, s1, perm, nd, s2, n->stream);
  if (!rc) rc = mx_conv_make(sliced ? &g : out, ct, wt, &q, n->stream);
  if (!rc && sliced) {
    int start[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM], step[MX_MAX_NDIM];
    for (int d = 0; d < nd; d++) stop[d] = g->shape[d], step[d] = 1;
    for (int d = 0; d < nsp; d++) step[d + 1] = p->idil[d];
    rc = mx_slice(out, g, start, stop, step, nd, n->stream);
  }
  mx_array_release(wt);
  mx_array_release(g);
  return rc;
}

static int grad_weight(mx_array **out, mx_node *n, mx_array *ct) {
  const mx_conv_params *p = n->params;
  mx_array *x = n->inputs[0], *w = n->inputs[1];
  int nsp = p->nsp, nd = nsp + 2, G = p->groups;
  int32_t N = x->shape[0], O = w->shape[0], Og = O / G, Cg = w->shape[nd - 1];
  /* x (N, S..., C) -> (N, S..., G, Cg) -> (Cg, S..., G, N) -> (Cg, S..., G * N) */
  int32_t xs1[MX_MAX_NDIM], xs2[MX_MAX_NDIM], cs1[MX_MAX_NDIM], cs2[MX_MAX_NDIM];
  int xp[MX_MAX_NDIM], cp[MX_MAX_NDIM];
  xs1[0] = N, xs1[nd - 1] = G, xs1[nd] = Cg;
  xs2[0] = Cg, xs2[nd - 1] = G * N;
  xp[0] = nd, xp[nd - 1] = nd - 1, xp[nd] = 0;
  /* ct (N, OS..., O) -> (N, OS..., G, Og) -> (G, Og, OS..., N) -> (O, OS..., N) */
  cs1[0] = N, cs1[nd - 1] = G, cs1[nd] = Og;
  cs2[0] = O, cs2[nd - 1] = N;
  cp[0] = nd - 1, cp[1] = nd, cp[nd] = 0;
  for (int d = 0; d < nsp; d++) {
    xs1[d + 1] = xs2[d + 1] = x->shape[d + 1], xp[d + 1] = d + 1;
    cs1[d + 1] = cs2[d + 1] = ct->shape[d + 1], cp[d + 2] = d + 1;
  }
  mx_conv_params q;
  memset(&q, 0, sizeof q);
  q.nsp = nsp, q.groups = G;
  for (int d = 0; d < nsp; d++) {
    int64_t K = w->shape[d + 1], in = x->shape[d + 1], on = ct->shape[d + 1];
    int64_t Li = in > 0 ? (in - 1) * p->idil[d] + 1 : 0,
            Ld = on > 0 ? (on - 1) * p->stride[d] + 1 : 0;
    q.stride[d] = p->kdil[d], q.kdil[d] = p->stride[d], q.idil[d] = p->idil[d];
    q.pad_lo[d] = p->pad_lo[d];
    q.pad_hi[d] = (int32_t)((K - 1) * p->kdil[d] + Ld - Li - p->pad_lo[d]);
  }
  /* result (Cg, K..., O) -> (O, K..., Cg) */
  int rp[MX_MAX_NDIM];
  rp[0] = nd - 1, rp[nd - 1] = 0;
  for (int d = 1; d < nd - 1; d++) rp[d] = d;
  mx_array *xt = NULL, *ctt = NULL, *r = NULL, *t = NULL;
  int rc = regroup(&xt, x, nd + 1, xs1, xp, nd, xs2, n->stream);
  if (!rc) rc = regroup(&ctt, ct, nd + 1, cs1, cp, nd, cs2, n->stream);
  if (!rc) rc = mx_conv_make(&r, xt, ctt, &q, n->stream);
  if (!rc) rc = mx_transpose(p->flip ? &t : out, r, rp, nd, n->stream);
  if (!rc && p->flip) { /* reverse the kernel axes */
    int start[MX_MAX_NDIM] = {0}, stop[MX_MAX_NDIM], step[MX_MAX_NDIM];
    for (int d = 0; d < nd; d++) stop[d] = t->shape[d], step[d] = 1;
    for (int d = 1; d < nd - 1; d++)
      start[d] = t->shape[d] - 1, stop[d] = -t->shape[d] - 1, step[d] = -1;
    rc = mx_slice(out, t, start, stop, step, nd, n->stream);
  }
  mx_array *tmp[] = {xt, ctt, r, t};
  for (int i = 0; i < 4; i++) mx_array_release(tmp[i]);
  return rc;
}

int mx_vjp_conv(mx_node *n, mx_array *const *cot, const int *argnums, int nargs, mx_array **grads) {
  for (int k = 0; k < nargs; k++) {
    int rc = argnums[k] == 0 ? grad_input(&grads[k], n, cot[0]) : grad_weight(&grads[k], n, cot[0]);
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

/* Only the input batched: the batch joins N. */
static int vmap_input(mx_node *n, mx_array *x, mx_array **out) {
  int nd = x->ndim;
  int32_t B = x->shape[0], s1[MX_MAX_NDIM], s2[MX_MAX_NDIM];
  s1[0] = B * x->shape[1];
  memcpy(s1 + 1, x->shape + 2, (size_t)(nd - 2) * sizeof(int32_t));
  mx_array *xf = NULL, *r = NULL;
  int rc = mx_reshape(&xf, x, nd - 1, s1, n->stream);
  if (!rc) rc = mx_rule_remake(&r, n, (mx_array *[]){xf, n->inputs[1]}, 2, NULL, 0);
  if (!rc) {
    s2[0] = B, s2[1] = r->shape[0] / B;
    memcpy(s2 + 2, r->shape + 1, (size_t)(r->ndim - 1) * sizeof(int32_t));
    rc = mx_reshape(out, r, r->ndim + 1, s2, n->stream);
  }
  mx_array_release(xf);
  mx_array_release(r);
  return rc;
}

/* A batched weight: each batch entry becomes groups of its own. x (B, N, S..., C) (broadcast
 * when unbatched) -> (N, S..., B * C); w (B, O, K..., Cg) -> (B * O, K..., Cg); the result
 * (N, OS..., B * O) -> (N, OS..., B, O), batched at axis nsp + 1. */
static int vmap_weight(mx_node *n, mx_array *x, mx_array *w, int B, mx_array **out, int *axis) {
  const mx_conv_params *p = n->params;
  int nsp = p->nsp, nd = nsp + 2;
  mx_array *xb = NULL, *xf = NULL, *wf = NULL, *r = NULL;
  int rc = 0;
  if (x->ndim == nd) {
    int32_t bs[MX_MAX_NDIM];
    bs[0] = B;
    memcpy(bs + 1, x->shape, (size_t)nd * sizeof(int32_t));
    mx_array *e = NULL;
    int32_t one[MX_MAX_NDIM];
    one[0] = 1;
    memcpy(one + 1, x->shape, (size_t)nd * sizeof(int32_t));
    rc = mx_reshape(&e, x, nd + 1, one, n->stream);
    if (!rc) rc = mx_broadcast_to(&xb, e, nd + 1, bs, n->stream);
    mx_array_release(e);
  } else {
    xb = mx_array_retain(x);
  }
  int32_t xs[MX_MAX_NDIM], ws[MX_MAX_NDIM];
  int perm[MX_MAX_NDIM];
  for (int d = 0; d < nsp + 1; d++) perm[d] = d + 1; /* (N, S..., B, C) */
  perm[nsp + 1] = 0, perm[nsp + 2] = nd;
  if (!rc) {
    memcpy(xs, xb->shape + 1, (size_t)(nd - 1) * sizeof(int32_t));
    xs[nd - 1] = B * xb->shape[nd];
    mx_array *t = NULL;
    rc = mx_transpose(&t, xb, perm, nd + 1, n->stream);
    if (!rc) rc = mx_reshape(&xf, t, nd, xs, n->stream);
    mx_array_release(t);
  }
  if (!rc) {
    memcpy(ws, w->shape + 1, (size_t)nd * sizeof(int32_t));
    ws[0] = B * w->shape[1];
    rc = mx_reshape(&wf, w, nd, ws, n->stream);
  }
  if (!rc) {
    mx_conv_params q = *p;
    q.groups = p->groups * B;
    rc = mx_rule_remake(&r, n, (mx_array *[]){xf, wf}, 2, &q, sizeof q);
  }
  if (!rc) {
    int32_t os[MX_MAX_NDIM];
    memcpy(os, r->shape, (size_t)(nd - 1) * sizeof(int32_t));
    os[nd - 1] = B, os[nd] = r->shape[nd - 1] / B;
    rc = mx_reshape(out, r, nd + 1, os, n->stream);
    *axis = nsp + 1;
  }
  mx_array *tmp[] = {xb, xf, wf, r};
  for (int i = 0; i < 4; i++) mx_array_release(tmp[i]);
  return rc;
}

int mx_vmap_conv(mx_node *n, mx_array *const *in, const int *axes, mx_array **out, int *out_axes) {
  mx_array *x = NULL, *w = NULL;
  int rc = mx_rule_to_front(&x, in[0], axes[0]);
  if (!rc) rc = mx_rule_to_front(&w, in[1], axes[1]);
  if (!rc && axes[1] < 0) {
    rc = vmap_input(n, x, out);
    out_axes[0] = 0;
  } else if (!rc) {
    rc = vmap_weight(n, x, w, mx_rule_batch_size(in, axes, 2), out, &out_axes[0]);
  }
  mx_array_release(x);
  mx_array_release(w);
  return rc;
}
