/* Rules of the fast primitives: each transforms the primitive's composed fallback
 * (mx_fast_fallback), so vjp / jvp / vmap of a fused op equal those of the ops it fuses and
 * compose (grad of grad, vmap of grad). Integer and bool inputs (rope offsets, boolean masks)
 * are held fixed for vjp / jvp and mapped like the others by vmap. */
#include <stdlib.h>

#include "core/error.h"
#include "core/primitives.h"
#include "core/transforms.h"
#include "ops/fast.h"
#include "ops/foundation_rules.h"
#include "ops/ops.h"

enum { FB_MAX_IN = 5 };

/* The fallback as a function of the inputs listed in var (the others fixed to n's). */
typedef struct {
  mx_node *n;
  mx_array *const *inputs; /* the inputs to use where not variable */
  int var[FB_MAX_IN], nvar;
} fb_fun;

static int fb_call(void *payload, const mx_arrays *in, mx_arrays *out) {
  fb_fun *f = (fb_fun *)payload;
  mx_array *args[FB_MAX_IN];
  for (int i = 0; i < f->n->nin; i++) args[i] = f->inputs[i];
  for (int i = 0; i < f->nvar; i++) args[f->var[i]] = in->items[i];
  mx_array *o = NULL;
  if (mx_fast_fallback(f->n->prim, f->n->params, args, f->n->nin, &o, f->n->stream)) return MX_ERR;
  return mx_arrays_from(out, &o, 1) ? (mx_array_release(o), MX_ERR) : (mx_array_release(o), 0);
}

static bool differentiable(const mx_array *a) {
  return mx_dtype_is_inexact((mx_dtype)a->dtype);
}

/* f over the differentiable inputs of n; prim gets their arrays (borrowed). */
static void fb_diff(fb_fun *f, mx_node *n, mx_array **prim) {
  *f = (fb_fun){.n = n, .inputs = n->inputs, .nvar = 0};
  for (int i = 0; i < n->nin; i++)
    if (differentiable(n->inputs[i])) {
      prim[f->nvar] = n->inputs[i];
      f->var[f->nvar++] = i;
    }
}

/* Index of input i among f's variables, or -1. */
static int var_index(const fb_fun *f, int i) {
  for (int j = 0; j < f->nvar; j++)
    if (f->var[j] == i) return j;
  return -1;
}

int mx_vjp_fast(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                mx_array **grads) {
  fb_fun f;
  mx_array *prim[FB_MAX_IN];
  fb_diff(&f, n, prim);
  mx_arrays p = {0}, c = {0}, outs = {0}, vjps = {0};
  int rc = mx_arrays_from(&p, prim, f.nvar);
  if (!rc) rc = mx_arrays_from(&c, cot, 1);
  if (!rc) rc = mx_vjp((mx_fun){fb_call, &f}, &p, &c, &outs, &vjps);
  for (int i = 0; i < nargs; i++) grads[i] = NULL;
  for (int i = 0; i < nargs && !rc; i++) {
    int j = var_index(&f, argnums[i]);
    if (j >= 0 && vjps.items[j])
      grads[i] = mx_array_retain(vjps.items[j]);
    else
      rc = mx_zeros_like(&grads[i], n->inputs[argnums[i]]);
  }
  if (rc)
    for (int i = 0; i < nargs; i++) mx_array_release(grads[i]), grads[i] = NULL;
  mx_arrays_free(&p);
  mx_arrays_free(&c);
  mx_arrays_free(&outs);
  mx_arrays_free(&vjps);
  return rc ? MX_ERR : 0;
}

int mx_jvp_fast(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                mx_array **out) {
  fb_fun f;
  mx_array *prim[FB_MAX_IN], *tg[FB_MAX_IN] = {NULL};
  fb_diff(&f, n, prim);
  int rc = 0;
  for (int j = 0; j < f.nvar && !rc; j++) {
    for (int i = 0; i < nargs; i++)
      if (argnums[i] == f.var[j]) tg[j] = mx_array_retain(tan[i]);
    if (!tg[j]) rc = mx_zeros_like(&tg[j], prim[j]);
  }
  mx_arrays p = {0}, t = {0}, outs = {0}, jvps = {0};
  if (!rc) rc = mx_arrays_from(&p, prim, f.nvar);
  if (!rc) rc = mx_arrays_from(&t, tg, f.nvar);
  if (!rc) rc = mx_jvp((mx_fun){fb_call, &f}, &p, &t, &outs, &jvps);
  if (!rc) out[0] = mx_array_retain(jvps.items[0]);
  for (int j = 0; j < f.nvar; j++) mx_array_release(tg[j]);
  mx_arrays_free(&p);
  mx_arrays_free(&t);
  mx_arrays_free(&outs);
  mx_arrays_free(&jvps);
  return rc ? MX_ERR : 0;
}

/* Only x batched (and, for rope, a single offset): the fused primitive on x with its batch axis
 * in front, which the kernels treat as one more leading axis. */
static bool vmap_direct(mx_node *n, const int *axes) {
  if (n->prim == MX_PRIM_SDPA || axes[0] < 0) return false;
  if (n->prim == MX_PRIM_ROPE && n->inputs[1]->size != 1) return false;
  for (int i = 1; i < n->nin; i++)
    if (axes[i] >= 0) return false;
  return true;
}

int mx_vmap_fast(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                 int *out_axes) {
  if (vmap_direct(n, axes)) {
    mx_array *args[FB_MAX_IN], *x = NULL;
    if (mx_rule_to_front(&x, in[0], axes[0])) return MX_ERR;
    args[0] = x;
    for (int i = 1; i < n->nin; i++) args[i] = in[i];
    int rc = mx_rule_remake(out, n, args, n->nin, NULL, 0);
    mx_array_release(x);
    out_axes[0] = 0;
    return rc;
  }
  fb_fun f = {.n = n, .inputs = in, .nvar = n->nin};
  for (int i = 0; i < n->nin; i++) f.var[i] = i;
  mx_arrays a = {0}, outs = {0};
  static const int zero = 0;
  int rc = mx_arrays_from(&a, in, n->nin);
  if (!rc) rc = mx_vmap((mx_fun){fb_call, &f}, &a, axes, &zero, 1, &outs);
  if (!rc) {
    out[0] = mx_array_retain(outs.items[0]);
    out_axes[0] = 0;
  }
  mx_arrays_free(&a);
  mx_arrays_free(&outs);
  return rc ? MX_ERR : 0;
}
