/* The transform rules of every primitive, generated from the primitive table: each primitive
 * must have a case (tests/c/rule_cases_*.h); each case's gradients are checked against central
 * finite differences in float64 (vjp and jvp both), and its vmap over every axis of every input
 * against applying the function slice by slice and stacking. See tests/c/rule_cases.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/transforms.h"
#include "harness.h"
#include "rule_cases.h"

#include "rule_cases_elementwise.h"
#include "rule_cases_foundation.h"
#include "rule_cases_gather.h"
#include "rule_cases_linalg.h"
#include "rule_cases_random.h"
#include "rule_cases_reduce.h"
#include "rule_cases_views.h"
#include "rule_cases_conv.h"
#include "rule_cases_fast.h"
#include "rule_cases_fft.h"
#include "rule_cases_lapack.h"
#include "rule_cases_quant.h"
#include "rule_cases_compile.h"

static const rule_case *const tables[] = {
    rule_cases_foundation, rule_cases_elementwise, rule_cases_reduce, rule_cases_views,
    rule_cases_gather,     rule_cases_linalg,      rule_cases_random, rule_cases_conv,
    rule_cases_fast,       rule_cases_lapack,      rule_cases_fft,     rule_cases_quant,
    rule_cases_compile,
};

enum { BATCH = 3 };
static mx_stream S;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_u64(void) {
  uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static double uniform(double lo, double hi) {
  return lo + (hi - lo) * (double)(next_u64() >> 11) / 9007199254740992.0;
}

static void fail(const rule_case *c, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "  [%s / %s] %s\n", mx_prims[c->prim].name, c->name, msg);
  harness_record(0, msg, __FILE__, __LINE__);
}

static bool differentiated(const rule_case *c, int i) {
  return c->kind[i] == RULE_IN_REAL || c->kind[i] == RULE_IN_DISTINCT;
}

/* Input i of c, with a batch of BATCH inserted at axis bax (bax < 0: none). */
static mx_array *make_input(const rule_case *c, int i, int bax) {
  int ndim = c->ndim[i];
  int32_t shape[5];
  for (int d = 0, k = 0; d < ndim + (bax >= 0); d++)
    shape[d] = d == bax ? BATCH : c->shape[i][k++];
  ndim += bax >= 0;
  int64_t n = 1;
  for (int d = 0; d < ndim; d++) n *= shape[d];
  void *data = malloc((size_t)(n > 0 ? n : 1) * 8);
  mx_dtype dtype = MX_FLOAT64;
  double *f = data;
  switch (c->kind[i]) {
  case RULE_IN_REAL:
    for (int64_t k = 0; k < n; k++) f[k] = uniform(c->lo, c->hi);
    break;
  case RULE_IN_DISTINCT:
    for (int64_t k = 0; k < n; k++) f[k] = c->lo + (c->hi - c->lo) * ((double)k + 0.5) / (double)n;
    for (int64_t k = n - 1; k > 0; k--) {
      int64_t j = (int64_t)(next_u64() % (uint64_t)(k + 1));
      double t = f[k];
      f[k] = f[j], f[j] = t;
    }
    break;
  case RULE_IN_INT32:
    dtype = MX_INT32;
    for (int64_t k = 0; k < n; k++) ((int32_t *)data)[k] = (int32_t)(next_u64() % (uint64_t)(c->ihi + 1));
    break;
  default:
    dtype = MX_UINT32;
    for (int64_t k = 0; k < n; k++)
      ((uint32_t *)data)[k] = c->ihi ? (uint32_t)(next_u64() % (uint64_t)(c->ihi + 1)) : (uint32_t)next_u64();
  }
  mx_array *a = mx_array_from_data(data, ndim, shape, dtype);
  free(data);
  return a;
}

/* ---- calling a case as a function of arrays ---- */

typedef struct {
  const rule_case *c;
  mx_array *const *all; /* every input; differentiated ones replaced from `in` when diff_only */
  bool diff_only;
} call_ctx;

static int call_case(void *payload, const mx_arrays *in, mx_arrays *out) {
  const call_ctx *ctx = payload;
  const rule_case *c = ctx->c;
  mx_array *x[RULE_MAX_IN], *o[RULE_MAX_OUT] = {0};
  for (int i = 0, k = 0; i < c->nin; i++)
    x[i] = !ctx->diff_only ? in->items[i] : differentiated(c, i) ? in->items[k++] : ctx->all[i];
  int rc = c->fn(x, o, S);
  if (!rc) rc = mx_arrays_from(out, o, c->nout);
  for (int j = 0; j < c->nout; j++) mx_array_release(o[j]);
  return rc;
}

/* ---- reading values ---- */

/* a's values as doubles in row-major order (n of them); NULL on error. Complex: real parts. */
static double *values(mx_array *a, int64_t *n) {
  mx_array *f = NULL;
  if (mx_astype(&f, a, MX_FLOAT64, S) || mx_array_ensure(f)) {
    mx_array_release(f);
    return NULL;
  }
  double *v = malloc((size_t)(f->size > 0 ? f->size : 1) * sizeof(double));
  const double *p = mx_array_data(f);
  int64_t idx[MX_MAX_NDIM] = {0};
  for (int64_t k = 0; k < f->size; k++) {
    int64_t off = 0;
    for (int d = 0; d < f->ndim; d++) off += idx[d] * f->strides[d];
    v[k] = p[off];
    for (int d = f->ndim - 1; d >= 0 && ++idx[d] == f->shape[d]; d--) idx[d] = 0;
  }
  *n = f->size;
  mx_array_release(f);
  return v;
}

/* sum(a * b) over matching shapes. */
static bool dot(mx_array *a, mx_array *b, double *out) {
  int64_t na, nb;
  double *va = values(a, &na), *vb = values(b, &nb);
  bool ok = va && vb && na == nb;
  *out = 0;
  for (int64_t k = 0; ok && k < na; k++) *out += va[k] * vb[k];
  free(va), free(vb);
  return ok;
}

static bool all_zero(mx_array *a) {
  int64_t n;
  double *v = values(a, &n);
  bool ok = v != NULL;
  for (int64_t k = 0; ok && k < n; k++) ok = v[k] == 0;
  free(v);
  return ok;
}

static bool same_shape(const mx_array *a, const mx_array *b) {
  if (a->ndim != b->ndim) return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return false;
  return true;
}

/* ---- the primitive appears in the graph ---- */

static bool graph_has(mx_array *const *outs, int nout, int prim) {
  mx_node *stack[4096], *seen[4096];
  int top = 0, nseen = 0;
  bool found = false;
  for (int j = 0; j < nout; j++) stack[top++] = outs[j]->node;
  while (top > 0 && !found) {
    mx_node *n = stack[--top];
    bool dup = false;
    for (int k = 0; k < nseen && !dup; k++) dup = seen[k] == n;
    if (dup || nseen == 4096) continue;
    seen[nseen++] = n;
    found = n->prim == prim;
    for (int i = 0; i < n->nin && top < 4096; i++) stack[top++] = n->inputs[i]->node;
  }
  return found;
}

/* ---- gradients ---- */

/* sum_j <u_j, f_j(x + t v)> over the float outputs. */
static bool directional(const rule_case *c, mx_array *const *x, mx_array *const *v, mx_array *const *u,
                        double t, double *out) {
  mx_array *xt[RULE_MAX_IN] = {0}, *o[RULE_MAX_OUT] = {0};
  bool ok = true;
  for (int i = 0; i < c->nin; i++) {
    if (!differentiated(c, i)) {
      xt[i] = mx_array_retain(x[i]);
      continue;
    }
    mx_array *step = NULL, *tv = mx_array_scalar(MX_FLOAT64, t);
    ok = ok && !mx_multiply(&step, v[i], tv, S) && !mx_add(&xt[i], x[i], step, S);
    mx_array_release(step), mx_array_release(tv);
  }
  ok = ok && !c->fn(xt, o, S);
  *out = 0;
  for (int j = 0; ok && j < c->nout; j++) {
    double d = 0;
    if (u[j]) ok = dot(u[j], o[j], &d), *out += d;
  }
  for (int i = 0; i < c->nin; i++) mx_array_release(xt[i]);
  for (int j = 0; j < c->nout; j++) mx_array_release(o[j]);
  return ok;
}

static mx_array *random_like(const mx_array *a) {
  int64_t n = a->size;
  double *d = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
  for (int64_t k = 0; k < n; k++) d[k] = uniform(-1, 1);
  mx_array *r = mx_array_from_data(d, a->ndim, a->shape, MX_FLOAT64);
  free(d);
  return r;
}

static void check_grads(const rule_case *c) {
  mx_array *x[RULE_MAX_IN] = {0}, *v[RULE_MAX_IN] = {0}, *u[RULE_MAX_OUT] = {0};
  mx_arrays primals = {0}, tangents = {0}, cots = {0}, outs = {0}, vjps = {0}, jvps = {0};
  mx_array *prim_items[RULE_MAX_IN], *tan_items[RULE_MAX_IN];
  int nd = 0;
  for (int i = 0; i < c->nin; i++) {
    x[i] = make_input(c, i, -1);
    if (!differentiated(c, i)) continue;
    v[i] = random_like(x[i]);
    prim_items[nd] = x[i], tan_items[nd++] = v[i];
  }
  call_ctx ctx = {c, x, true};
  mx_fun f = {call_case, &ctx};
  bool zero = c->flags & RULE_GRAD_ZERO;
  mx_array *o[RULE_MAX_OUT] = {0};
  if (nd == 0 || c->fn(x, o, S)) {
    if (nd == 0) fail(c, "gradient case without differentiated inputs");
    else fail(c, "case failed: %s", mx_last_error());
    goto done;
  }
  for (int j = 0; j < c->nout; j++) {
    bool fl = mx_dtype_is_inexact((mx_dtype)o[j]->dtype);
    if (zero) { /* ones of the output's own type: the rule must still give zeros */
      mx_array *one = mx_array_scalar((mx_dtype)o[j]->dtype, 1);
      mx_broadcast_to(&u[j], one, o[j]->ndim, o[j]->shape, S);
      mx_array_release(one);
    } else if (fl) {
      u[j] = random_like(o[j]);
    }
  }
  mx_arrays_from(&primals, prim_items, nd);
  mx_arrays_from(&tangents, tan_items, nd);
  mx_arrays_from(&cots, u, c->nout);
  if (mx_vjp(f, &primals, &cots, &outs, &vjps)) {
    fail(c, "vjp failed: %s", mx_last_error());
    goto done;
  }
  mx_arrays_free(&outs);
  if (mx_jvp(f, &primals, &tangents, &outs, &jvps)) {
    fail(c, "jvp failed: %s", mx_last_error());
    goto done;
  }
  double via_vjp = 0, via_jvp = 0, d;
  for (int k = 0; k < nd; k++) {
    if (!same_shape(vjps.items[k], primals.items[k])) fail(c, "vjp %d has the wrong shape", k);
    else if (zero && !all_zero(vjps.items[k])) fail(c, "vjp %d is not zero", k);
    else if (!dot(vjps.items[k], tangents.items[k], &d)) fail(c, "vjp %d unreadable", k);
    else via_vjp += d;
  }
  for (int j = 0; j < c->nout; j++) {
    if (!same_shape(jvps.items[j], o[j])) fail(c, "jvp %d has the wrong shape", j);
    else if (zero && !all_zero(jvps.items[j])) fail(c, "jvp %d is not zero", j);
    else if (!zero && u[j] && !dot(u[j], jvps.items[j], &d)) fail(c, "jvp %d unreadable", j);
    else if (!zero && u[j]) via_jvp += d;
  }
  if (!zero) {
    double eps = 1e-6 * (fabs(c->hi - c->lo) > 1 ? fabs(c->hi - c->lo) : 1), gp, gm;
    if (!directional(c, x, v, u, eps, &gp) || !directional(c, x, v, u, -eps, &gm)) {
      fail(c, "finite difference failed: %s", mx_last_error());
      goto done;
    }
    double fd = (gp - gm) / (2 * eps), tol = 1e-5 * (1 + fabs(fd));
    bool vjp_ok = fabs(via_vjp - fd) <= tol, jvp_ok = fabs(via_jvp - fd) <= tol; /* NaN fails */
    if (!vjp_ok) fail(c, "vjp %.10g vs finite difference %.10g", via_vjp, fd);
    if (!jvp_ok) fail(c, "jvp %.10g vs finite difference %.10g", via_jvp, fd);
    if (vjp_ok && jvp_ok) harness_record(1, c->name, __FILE__, __LINE__);
  } else {
    harness_record(1, c->name, __FILE__, __LINE__);
  }
done:
  for (int i = 0; i < c->nin; i++) mx_array_release(x[i]), mx_array_release(v[i]);
  for (int j = 0; j < c->nout; j++) mx_array_release(u[j]), mx_array_release(o[j]);
  mx_arrays_free(&primals), mx_arrays_free(&tangents), mx_arrays_free(&cots);
  mx_arrays_free(&outs), mx_arrays_free(&vjps), mx_arrays_free(&jvps);
}

/* ---- vmap ---- */

static bool close_all(mx_array *a, mx_array *b) {
  int64_t na, nb;
  double *va = values(a, &na), *vb = values(b, &nb);
  bool ok = va && vb && na == nb;
  for (int64_t k = 0; ok && k < na; k++)
    ok = va[k] == vb[k] || (va[k] != va[k] && vb[k] != vb[k]) ||
         fabs(va[k] - vb[k]) <= 1e-9 * (1 + fabs(vb[k]));
  free(va), free(vb);
  return ok;
}

/* vmap(fn) with input i batched at axes[i] (-1: not) against the loop over the batch. */
static void check_vmap_config(const rule_case *c, const int *axes) {
  mx_array *x[RULE_MAX_IN] = {0};
  mx_arrays in = {0}, outs = {0};
  mx_array *per[BATCH][RULE_MAX_OUT] = {{0}};
  char label[64];
  int n = 0;
  for (int i = 0; i < c->nin; i++) n += snprintf(label + n, sizeof label - (size_t)n, "%d,", axes[i]);
  for (int i = 0; i < c->nin; i++) x[i] = make_input(c, i, axes[i]);
  call_ctx ctx = {c, x, false};
  mx_fun f = {call_case, &ctx};
  int out_axes[1] = {0};
  mx_arrays_from(&in, x, c->nin);
  if (mx_vmap(f, &in, axes, out_axes, 1, &outs)) {
    fail(c, "vmap in_axes (%s) failed: %s", label, mx_last_error());
    goto done;
  }
  for (int b = 0; b < BATCH; b++) {
    mx_array *xs[RULE_MAX_IN] = {0};
    mx_array *idx = mx_array_scalar(MX_INT32, b);
    bool ok = true;
    for (int i = 0; i < c->nin; i++)
      ok = ok && (axes[i] < 0 ? (xs[i] = mx_array_retain(x[i])) != NULL
                              : !mx_take(&xs[i], x[i], idx, axes[i], false, S));
    ok = ok && !c->fn(xs, per[b], S);
    for (int i = 0; i < c->nin; i++) mx_array_release(xs[i]);
    mx_array_release(idx);
    if (!ok) {
      fail(c, "loop slice %d failed: %s", b, mx_last_error());
      goto done;
    }
  }
  for (int j = 0; j < c->nout; j++) {
    mx_array *slices[BATCH], *stacked = NULL;
    for (int b = 0; b < BATCH; b++) slices[b] = per[b][j];
    if (mx_stack(&stacked, slices, BATCH, 0, S)) fail(c, "stack failed: %s", mx_last_error());
    else if (!same_shape(outs.items[j], stacked)) fail(c, "vmap in_axes (%s) output %d: wrong shape", label, j);
    else if (outs.items[j]->dtype != stacked->dtype) fail(c, "vmap in_axes (%s) output %d: wrong dtype", label, j);
    else if (!close_all(outs.items[j], stacked)) fail(c, "vmap in_axes (%s) output %d: wrong values", label, j);
    else harness_record(1, c->name, __FILE__, __LINE__);
    mx_array_release(stacked);
  }
done:
  for (int i = 0; i < c->nin; i++) mx_array_release(x[i]);
  for (int b = 0; b < BATCH; b++)
    for (int j = 0; j < c->nout; j++) mx_array_release(per[b][j]);
  mx_arrays_free(&in), mx_arrays_free(&outs);
}

static void check_vmap(const rule_case *c) {
  int axes[RULE_MAX_IN];
  for (int i = 0; i < c->nin; i++)
    for (int a = 0; a <= c->ndim[i]; a++) {
      for (int k = 0; k < c->nin; k++) axes[k] = k == i ? a : -1;
      check_vmap_config(c, axes);
    }
  if (c->nin < 2) return;
  for (int k = 0; k < c->nin; k++) axes[k] = 0;
  check_vmap_config(c, axes);
  for (int k = 0; k < c->nin; k++) axes[k] = c->ndim[k];
  check_vmap_config(c, axes);
}

/* ---- the table ---- */

static void check_case(const rule_case *c) {
  mx_array *x[RULE_MAX_IN] = {0}, *o[RULE_MAX_OUT] = {0};
  if (c->prim <= 0 || c->prim >= MX_NUM_PRIMS || c->nin > RULE_MAX_IN || c->nout > RULE_MAX_OUT ||
      c->nout < 1) {
    fprintf(stderr, "  bad case %s\n", c->name);
    harness_record(0, c->name, __FILE__, __LINE__);
    return;
  }
  for (int i = 0; i < c->nin; i++) x[i] = make_input(c, i, -1);
  if (c->fn(x, o, S)) fail(c, "case failed: %s", mx_last_error());
  else if (!graph_has(o, c->nout, c->prim)) fail(c, "the graph does not contain the primitive");
  else if (mx_eval(o, c->nout, false)) fail(c, "eval failed: %s", mx_last_error());
  for (int i = 0; i < c->nin; i++) mx_array_release(x[i]);
  for (int j = 0; j < c->nout; j++) mx_array_release(o[j]);
  if (c->flags & RULE_NO_INPUTS) return;
  if (!(c->flags & RULE_GRAD_SKIP)) check_grads(c);
  else if (!c->why) fail(c, "RULE_GRAD_SKIP without a reason");
  check_vmap(c);
}

void run_tests(void) {
  bool covered[MX_NUM_PRIMS] = {false};
  const char *only = getenv("RULES_ONLY"); /* a primitive name, to debug one */
  mx_default_stream(mx_default_device(), &S);
  for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
    for (const rule_case *c = tables[t]; c->prim >= 0; c++) {
      if (c->prim > 0 && c->prim < MX_NUM_PRIMS) covered[c->prim] = true;
      if (!only || (c->prim > 0 && c->prim < MX_NUM_PRIMS && !strcmp(only, mx_prims[c->prim].name)))
        check_case(c);
    }
  for (int p = 0; p < MX_NUM_PRIMS; p++) {
    if (p == MX_PRIM_NONE || p == MX_PRIM_PLACEHOLDER || covered[p]) continue;
    fprintf(stderr, "  [%s] has no rule case\n", mx_prims[p].name);
    harness_record(0, mx_prims[p].name, __FILE__, __LINE__);
  }
}
