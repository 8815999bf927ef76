#include "core/custom.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"

struct mx_custom {
  atomic_int refs;
  mx_custom_rules rules;
};

/* The node's params: the reference to the rules, and how many inputs are primals (the rest
 * are f's outputs). */
typedef struct {
  mx_params_ref ref;
  int32_t nprimals;
} custom_params;

mx_custom *mx_custom_new(mx_custom_rules rules) {
  mx_custom *c = malloc(sizeof *c);
  if (!c) {
    if (rules.free_payload) rules.free_payload(rules.payload);
    return mx_error("[custom_function] Out of memory."), NULL;
  }
  atomic_init(&c->refs, 1);
  c->rules = rules;
  return c;
}

void mx_custom_retain(void *custom) {
  atomic_fetch_add(&((mx_custom *)custom)->refs, 1);
}

void mx_custom_release(void *custom) {
  mx_custom *c = custom;
  if (!c || atomic_fetch_sub(&c->refs, 1) != 1) return;
  if (c->rules.free_payload) c->rules.free_payload(c->rules.payload);
  free(c);
}

int mx_custom_call(mx_fun f, mx_custom *c, const mx_arrays *inputs, mx_arrays *outs) {
  mx_arrays fwd = {0};
  MX_TRY(f.fn(f.payload, inputs, &fwd));
  int n = inputs->n + fwd.n, rc = 0;
  mx_array **all = malloc((size_t)(n > 0 ? n : 1) * sizeof *all);
  int *ndims = malloc((size_t)(fwd.n > 0 ? fwd.n : 1) * sizeof *ndims);
  const int32_t **shapes = malloc((size_t)(fwd.n > 0 ? fwd.n : 1) * sizeof *shapes);
  mx_dtype *dtypes = malloc((size_t)(fwd.n > 0 ? fwd.n : 1) * sizeof *dtypes);
  *outs = (mx_arrays){0};
  if (!all || !ndims || !shapes || !dtypes) rc = mx_error("[custom_function] Out of memory.");
  for (int i = 0; !rc && i < inputs->n; i++) all[i] = inputs->items[i];
  for (int i = 0; !rc && i < fwd.n; i++) {
    mx_array *o = fwd.items[i];
    if (!o) {
      rc = mx_error("[custom_function] The function returned an empty array.");
      break;
    }
    all[inputs->n + i] = o;
    ndims[i] = o->ndim;
    shapes[i] = o->shape;
    dtypes[i] = (mx_dtype)o->dtype;
  }
  if (!rc && fwd.n > 0) {
    atomic_fetch_add(&c->refs, 1); /* the node's reference */
    custom_params p = {{mx_custom_retain, mx_custom_release, c}, inputs->n};
    mx_stream s = mx_array_stream(fwd.items[0]);
    outs->items = calloc((size_t)fwd.n, sizeof *outs->items);
    if (!outs->items) rc = mx_error("[custom_function] Out of memory.");
    else if ((rc = mx_node_new(MX_PRIM_CUSTOM, &p, sizeof p, all, n, fwd.n, ndims, shapes, dtypes,
                               s, outs->items)) == 0)
      outs->n = fwd.n;
    if (rc) mx_custom_release(c), free(outs->items), outs->items = NULL;
  }
  free(all);
  free(ndims);
  free(shapes);
  free(dtypes);
  mx_arrays_free(&fwd);
  return rc;
}

static const custom_params *params_of(const mx_node *n) {
  return n->params;
}

static mx_custom *custom_of(const mx_node *n) {
  return params_of(n)->ref.obj;
}

int mx_eval_custom(mx_node *n) {
  int np = params_of(n)->nprimals;
  for (int i = 0; i < n->nout; i++) mx_array_copy_shared(&n->out[i], n->inputs[np + i]);
  return 0;
}

int mx_shapes_custom(const void *params, mx_array *const *inputs, int nin, int *ndims,
                     int32_t (*shapes)[MX_MAX_NDIM]) {
  const custom_params *p = params;
  for (int i = p->nprimals; i < nin; i++) {
    ndims[i - p->nprimals] = inputs[i]->ndim;
    memcpy(shapes[i - p->nprimals], inputs[i]->shape, (size_t)inputs[i]->ndim * sizeof(int32_t));
  }
  return 0;
}

/* Borrowed views of the node's primals, outputs, and per-output cotangents as lists. */
static int list_of(mx_arrays *l, mx_array *const *arrays, int n) {
  return mx_arrays_from(l, arrays, n);
}

int mx_vjp_custom(mx_node *n, mx_array *const *cot, const int *argnums, int nargs,
                  mx_array **grads) {
  int np = params_of(n)->nprimals;
  mx_custom *c = custom_of(n);
  if (!c->rules.vjp) {
    /* No custom vjp: the cotangents flow into f's outputs and on through f's graph. */
    for (int a = 0; a < nargs; a++)
      grads[a] = argnums[a] >= np && cot[argnums[a] - np] ? mx_array_retain(cot[argnums[a] - np])
                                                          : NULL;
    return 0;
  }
  mx_array *outputs[64];
  if (n->nout > 64) return mx_error("[custom_function] Too many outputs.");
  for (int i = 0; i < n->nout; i++) outputs[i] = &n->out[i];
  mx_arrays primals = {0}, cots = {0}, outs = {0}, g = {0};
  int rc = list_of(&primals, n->inputs, np);
  if (!rc) rc = list_of(&cots, cot, n->nout);
  if (!rc) rc = list_of(&outs, outputs, n->nout);
  for (int i = 0; !rc && i < cots.n; i++) /* zeros for outputs without a cotangent */
    if (!cots.items[i]) rc = mx_zeros_like(&cots.items[i], outputs[i]);
  if (!rc) rc = c->rules.vjp(c->rules.payload, &primals, &cots, &outs, &g);
  if (!rc && g.n != np)
    rc = mx_error("[custom_function] The custom vjp returned %d gradients for %d inputs.", g.n, np);
  for (int a = 0; !rc && a < nargs; a++)
    grads[a] = argnums[a] < np && g.items[argnums[a]] ? mx_array_retain(g.items[argnums[a]]) : NULL;
  mx_arrays_free(&primals), mx_arrays_free(&cots), mx_arrays_free(&outs), mx_arrays_free(&g);
  return rc;
}

bool mx_custom_jvp_ignores_input(const mx_node *n, int i) {
  return n->prim == MX_PRIM_CUSTOM && custom_of(n)->rules.jvp && i >= params_of(n)->nprimals;
}

int mx_jvp_custom(mx_node *n, mx_array *const *tan, const int *argnums, int nargs,
                  mx_array **out) {
  int np = params_of(n)->nprimals;
  mx_custom *c = custom_of(n);
  if (!c->rules.jvp) {
    /* No custom jvp: the tangents of f's outputs, computed through f's graph. */
    for (int a = 0; a < nargs; a++)
      if (argnums[a] >= np && tan[a]) out[argnums[a] - np] = mx_array_retain(tan[a]);
    for (int i = 0; i < n->nout; i++)
      if (!out[i]) MX_TRY(mx_zeros_like(&out[i], &n->out[i]));
    return 0;
  }
  int primal_args[64], k = 0;
  mx_array *primal_tans[64];
  for (int a = 0; a < nargs && k < 64; a++)
    if (argnums[a] < np) primal_args[k] = argnums[a], primal_tans[k++] = tan[a];
  mx_arrays primals = {0}, tans = {0}, res = {0};
  int rc = list_of(&primals, n->inputs, np);
  if (!rc) rc = list_of(&tans, primal_tans, k);
  if (!rc) rc = c->rules.jvp(c->rules.payload, &primals, &tans, primal_args, k, &res);
  if (!rc && res.n != n->nout)
    rc = mx_error("[custom_function] The custom jvp returned %d tangents for %d outputs.", res.n,
                  n->nout);
  for (int i = 0; !rc && i < n->nout; i++) out[i] = mx_array_retain(res.items[i]);
  mx_arrays_free(&primals), mx_arrays_free(&tans), mx_arrays_free(&res);
  return rc;
}

int mx_vmap_custom(mx_node *n, mx_array *const *in, const int *axes, mx_array **out,
                   int *out_axes) {
  int np = params_of(n)->nprimals;
  mx_custom *c = custom_of(n);
  if (!c->rules.vmap) {
    /* No custom vmap: f's outputs as mapped through f's graph. */
    for (int i = 0; i < n->nout; i++) {
      out[i] = mx_array_retain(in[np + i]);
      out_axes[i] = axes[np + i];
    }
    return 0;
  }
  mx_arrays inputs = {0}, res = {0};
  int rc = list_of(&inputs, in, np);
  if (!rc) rc = c->rules.vmap(c->rules.payload, &inputs, axes, &res, out_axes);
  if (!rc && res.n != n->nout)
    rc = mx_error("[custom_function] The custom vmap returned %d outputs for %d.", res.n, n->nout);
  for (int i = 0; !rc && i < n->nout; i++) out[i] = mx_array_retain(res.items[i]);
  mx_arrays_free(&inputs), mx_arrays_free(&res);
  return rc;
}
