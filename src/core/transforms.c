#include "core/transforms.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"
#include "core/ptrmap.h"
#include "ops/ops.h"

/* ---- lists ---- */

void mx_arrays_free(mx_arrays *l) {
  for (int i = 0; i < l->n; i++) mx_array_release(l->items[i]);
  free(l->items);
  *l = (mx_arrays){0};
}

static int arrays_alloc(mx_arrays *l, int n) {
  l->items = calloc(n > 0 ? (size_t)n : 1, sizeof *l->items);
  l->n = l->items ? n : 0;
  return l->items ? 0 : mx_error("[transforms] Out of memory.");
}

int mx_arrays_from(mx_arrays *l, mx_array *const *arrays, int n) {
  MX_TRY(arrays_alloc(l, n));
  for (int i = 0; i < n; i++) l->items[i] = arrays[i] ? mx_array_retain(arrays[i]) : NULL;
  return 0;
}

/* ---- rule helpers ---- */

int mx_zeros_like(mx_array **out, mx_array *a) {
  return mx_zeros(out, a->ndim, a->shape, (mx_dtype)a->dtype, mx_array_stream(a));
}

int mx_move_axis(mx_array **out, mx_array *a, int from, int to) {
  int perm[MX_MAX_NDIM];
  if (from == to) {
    *out = mx_array_retain(a);
    return 0;
  }
  for (int i = 0, k = 0; i < a->ndim; i++) {
    if (i == to) perm[i] = from;
    else {
      if (k == from) k++;
      perm[i] = k++;
    }
  }
  return mx_transpose(out, a, perm, a->ndim, mx_array_stream(a));
}

int mx_unbroadcast(mx_array **out, mx_array *a, int ndim, const int32_t *shape) {
  int axes[MX_MAX_NDIM], naxes = 0, lead = a->ndim - ndim;
  for (int i = 0; i < a->ndim; i++)
    if (i < lead || (shape[i - lead] == 1 && a->shape[i] != 1)) axes[naxes++] = i;
  if (naxes == 0) return mx_reshape(out, a, ndim, shape, mx_array_stream(a));
  mx_array *summed = NULL;
  MX_TRY(mx_sum(&summed, a, axes, naxes, true, mx_array_stream(a)));
  int rc = mx_reshape(out, summed, ndim, shape, mx_array_stream(a));
  mx_array_release(summed);
  return rc;
}

/* ---- tracing ---- */

/* Calls f with identity copies of the traced inputs (traced == NULL: all), so each traced input
 * is its own node; the other inputs go in as they are. */
static int trace(mx_fun f, const mx_arrays *inputs, const bool *traced, mx_arrays *tracers,
                 mx_arrays *outs) {
  MX_TRY(arrays_alloc(tracers, inputs->n));
  for (int i = 0; i < inputs->n; i++) {
    mx_array *p = inputs->items[i];
    if (!p) return mx_error("[transforms] Got an empty input array.");
    if (traced && !traced[i]) tracers->items[i] = mx_array_retain(p);
    else tracers->items[i] = mx_array_make(MX_PRIM_IDENTITY, NULL, 0, &p, 1, p->ndim, p->shape,
                                           (mx_dtype)p->dtype, mx_array_stream(p));
    if (!tracers->items[i]) return MX_ERR;
    tracers->items[i]->node->tracer = true;
  }
  *outs = (mx_arrays){0};
  mx_tracing++;
  atomic_fetch_add(&mx_traces_active, 1);
  int rc = f.fn(f.payload, tracers, outs);
  atomic_fetch_sub(&mx_traces_active, 1);
  mx_tracing--;
  MX_TRY(rc);
  for (int i = 0; i < outs->n; i++)
    if (!outs->items[i]) return mx_error("[transforms] The function returned an empty array.");
  return 0;
}

typedef mx_graph graph;

void mx_graph_free(graph *g) {
  free(g->nodes);
  free(g->depends);
  mx_ptrmap_free(&g->index);
}

int mx_graph_collect(graph *g, const mx_arrays *tracers, const bool *traced,
                     const mx_arrays *outs) {
  typedef struct {
    mx_node *node;
    int next;
  } frame;
  int cap = 64, depth = 0, rc = 0, stack_cap = 64;
  *g = (graph){0};
  g->nodes = malloc((size_t)cap * sizeof *g->nodes);
  frame *stack = malloc((size_t)stack_cap * sizeof *stack);
  mx_ptrmap seen = {0};
  if (!g->nodes || !stack) rc = mx_error("[transforms] Out of memory.");
  for (int r = 0; r < outs->n && rc == 0; r++) {
    mx_node *root = outs->items[r]->node;
    if (mx_ptrmap_get(&seen, root) >= 0) continue;
    if ((rc = mx_ptrmap_put(&seen, root, 1))) break;
    stack[depth++] = (frame){root, 0};
    while (depth > 0 && rc == 0) {
      frame *f = &stack[depth - 1];
      if (f->next == f->node->nin) {
        if (g->n == cap) {
          mx_node **grown = realloc(g->nodes, (size_t)cap * 2 * sizeof *grown);
          if (!grown) {
            rc = mx_error("[transforms] Out of memory.");
            break;
          }
          g->nodes = grown;
          cap *= 2;
        }
        if ((rc = mx_ptrmap_put(&g->index, f->node, g->n))) break;
        g->nodes[g->n++] = f->node;
        depth--;
        continue;
      }
      mx_node *in = f->node->inputs[f->next++]->node;
      if (mx_ptrmap_get(&seen, in) >= 0) continue;
      if ((rc = mx_ptrmap_put(&seen, in, 1))) break;
      if (depth == stack_cap) {
        frame *grown = realloc(stack, (size_t)stack_cap * 2 * sizeof *grown);
        if (!grown) {
          rc = mx_error("[transforms] Out of memory.");
          break;
        }
        stack = grown;
        stack_cap *= 2;
      }
      stack[depth++] = (frame){in, 0};
    }
  }
  free(stack);
  mx_ptrmap_free(&seen);
  if (rc == 0 && !(g->depends = calloc((size_t)g->n + 1, sizeof *g->depends)))
    rc = mx_error("[transforms] Out of memory.");
  if (rc) return mx_graph_free(g), rc;
  for (int t = 0; t < tracers->n; t++) {
    if (traced && !traced[t]) continue;
    int k = mx_ptrmap_get(&g->index, tracers->items[t]->node);
    if (k >= 0) g->depends[k] = true;
  }
  for (int k = 0; k < g->n; k++)
    for (int i = 0; i < g->nodes[k]->nin && !g->depends[k]; i++)
      g->depends[k] = g->depends[mx_ptrmap_get(&g->index, g->nodes[k]->inputs[i]->node)];
  return 0;
}

static bool input_depends(const graph *g, const mx_node *n, int i) {
  return g->depends[mx_ptrmap_get(&g->index, n->inputs[i]->node)];
}

/* Per-array values (cotangents, tangents, batched replacements) keyed by array. */
typedef struct {
  mx_ptrmap slot;
  mx_array **values;
  int *axes;
  int n, cap;
} array_map;

static void array_map_free(array_map *m) {
  for (int i = 0; i < m->n; i++) mx_array_release(m->values[i]);
  free(m->values);
  free(m->axes);
  mx_ptrmap_free(&m->slot);
}

static mx_array *array_map_get(const array_map *m, const mx_array *key, int *axis) {
  int i = mx_ptrmap_get(&m->slot, key);
  if (axis) *axis = i >= 0 ? m->axes[i] : -1;
  return i >= 0 ? m->values[i] : NULL;
}

/* Stores value (a new reference, taken over) for key; with accumulate, adds to what is there. */
static int array_map_set(array_map *m, const mx_array *key, mx_array *value, int axis,
                         bool accumulate) {
  int i = mx_ptrmap_get(&m->slot, key);
  if (i >= 0) {
    if (accumulate) {
      mx_array *sum = NULL;
      int rc = mx_add(&sum, m->values[i], value, mx_array_stream(value));
      mx_array_release(value);
      if (rc) return rc;
      value = sum;
    }
    mx_array_release(m->values[i]);
    m->values[i] = value;
    m->axes[i] = axis;
    return 0;
  }
  if (m->n == m->cap) {
    int cap = m->cap ? m->cap * 2 : 32;
    mx_array **values = realloc(m->values, (size_t)cap * sizeof *values);
    if (values) m->values = values;
    int *axes = realloc(m->axes, (size_t)cap * sizeof *axes);
    if (axes) m->axes = axes;
    if (!values || !axes) return mx_array_release(value), mx_error("[transforms] Out of memory.");
    m->cap = cap;
  }
  if (mx_ptrmap_put(&m->slot, key, m->n)) return mx_array_release(value), MX_ERR;
  m->values[m->n] = value;
  m->axes[m->n++] = axis;
  return 0;
}

static int check_like(const char *op, const char *what, const mx_array *v, const mx_array *like) {
  if (v->ndim == like->ndim &&
      memcmp(v->shape, like->shape, (size_t)v->ndim * sizeof(int32_t)) == 0)
    return 0;
  char a[256], b[256];
  return mx_error("[%s] %s with shape %s does not match the shape %s it is paired with.", op, what,
                  mx_shape_str(a, sizeof a, v->ndim, v->shape),
                  mx_shape_str(b, sizeof b, like->ndim, like->shape));
}

/* ---- vjp ---- */

static int backward(const graph *g, array_map *cot) {
  mx_array *node_cots[64], *grads[64];
  int argnums[64];
  for (int k = g->n - 1; k >= 0; k--) {
    mx_node *n = g->nodes[k];
    if (!g->depends[k]) continue;
    bool any = false;
    if (n->nout > 64 || n->nin > 64) return mx_error("[vjp] Too many inputs or outputs.");
    for (int o = 0; o < n->nout; o++) any |= (node_cots[o] = array_map_get(cot, &n->out[o], NULL)) != NULL;
    if (!any) continue;
    int nargs = 0;
    for (int i = 0; i < n->nin; i++)
      if (input_depends(g, n, i)) argnums[nargs++] = i;
    if (nargs == 0) continue;
    const mx_prim_info *p = &mx_prims[n->prim];
    if (!p->vjp) return mx_error("[Primitive::vjp] Not implemented for %s.", p->name);
    memset(grads, 0, sizeof(mx_array *) * (size_t)nargs);
    MX_TRY(p->vjp(n, node_cots, argnums, nargs, grads));
    for (int a = 0; a < nargs; a++) {
      if (!grads[a]) continue;
      int rc = array_map_set(cot, n->inputs[argnums[a]], grads[a], -1, true);
      for (int b = a + 1; rc && b < nargs; b++) mx_array_release(grads[b]);
      MX_TRY(rc);
    }
  }
  return 0;
}

/* The shared body of vjp and value_and_grad. cotangents NULL: seed the first output (which must
 * be a scalar) with one, as value_and_grad does. */
static int vjp_impl(const char *op, mx_fun f, const mx_arrays *primals, const bool *traced,
                    const mx_arrays *cotangents, mx_arrays *outs, mx_arrays *vjps) {
  mx_arrays tracers = {0};
  graph g = {0};
  array_map cot = {0};
  *outs = (mx_arrays){0};
  *vjps = (mx_arrays){0};
  int rc = trace(f, primals, traced, &tracers, outs);
  if (!rc && cotangents && cotangents->n != outs->n)
    rc = mx_error("[%s] Number of outputs to compute gradients for (%d) does not match number "
                  "of cotangents (%d).",
                  op, outs->n, cotangents->n);
  if (!rc && !cotangents) {
    mx_array *y = outs->n ? outs->items[0] : NULL, *seed = NULL;
    if (!y) rc = mx_error("[%s] The function must return at least one array.", op);
    else if (y->size != 1)
      rc = mx_error("[%s] The function must return a scalar (an array of size 1) as its first "
                    "output, got an array of size %lld.",
                    op, (long long)y->size);
    else if (!(rc = mx_ones(&seed, y->ndim, y->shape, (mx_dtype)y->dtype, mx_array_stream(y))))
      rc = array_map_set(&cot, y, seed, -1, true);
  }
  for (int j = 0; !rc && cotangents && j < outs->n; j++) {
    mx_array *c = cotangents->items[j];
    if (!c) continue;
    if (!(rc = check_like(op, "Cotangent", c, outs->items[j])))
      rc = array_map_set(&cot, outs->items[j], mx_array_retain(c), -1, true);
  }
  if (!rc) rc = mx_graph_collect(&g, &tracers, traced, outs);
  if (!rc) rc = backward(&g, &cot);
  if (!rc) rc = arrays_alloc(vjps, primals->n);
  for (int i = 0; !rc && i < primals->n; i++) {
    if (traced && !traced[i]) continue;
    mx_array *v = array_map_get(&cot, tracers.items[i], NULL);
    if (v) vjps->items[i] = mx_array_retain(v);
    else rc = mx_zeros_like(&vjps->items[i], primals->items[i]);
  }
  mx_graph_free(&g);
  array_map_free(&cot);
  mx_arrays_free(&tracers);
  if (rc) mx_arrays_free(outs), mx_arrays_free(vjps);
  return rc;
}

int mx_vjp(mx_fun f, const mx_arrays *primals, const mx_arrays *cotangents, mx_arrays *outs,
           mx_arrays *vjps) {
  return vjp_impl("vjp", f, primals, NULL, cotangents, outs, vjps);
}

int mx_value_and_grad(mx_fun f, const mx_arrays *inputs, const int *argnums, int nargs,
                      mx_arrays *outs, mx_arrays *grads) {
  bool *traced = calloc((size_t)inputs->n + 1, sizeof *traced);
  if (!traced) return mx_error("[value_and_grad] Out of memory.");
  int rc = 0;
  for (int a = 0; a < nargs && !rc; a++) {
    if (argnums[a] < 0 || argnums[a] >= inputs->n)
      rc = mx_error("[value_and_grad] Can't compute the gradient of argument index %d because "
                    "the function is called with only %d positional arguments.",
                    argnums[a], inputs->n);
    else if (traced[argnums[a]])
      rc = mx_error("[value_and_grad] Duplicate argument index %d is not allowed.", argnums[a]);
    else traced[argnums[a]] = true;
  }
  mx_arrays all = {0};
  *grads = (mx_arrays){0};
  if (!rc) rc = vjp_impl("value_and_grad", f, inputs, traced, NULL, outs, &all);
  if (!rc) rc = arrays_alloc(grads, nargs);
  for (int a = 0; !rc && a < nargs; a++) grads->items[a] = mx_array_retain(all.items[argnums[a]]);
  mx_arrays_free(&all);
  free(traced);
  if (rc) mx_arrays_free(grads);
  return rc;
}

/* ---- jvp ---- */

int mx_jvp(mx_fun f, const mx_arrays *primals, const mx_arrays *tangents, mx_arrays *outs,
           mx_arrays *jvps) {
  mx_arrays tracers = {0};
  graph g = {0};
  array_map tan = {0};
  mx_array *in_tans[64], *out_tans[64];
  int argnums[64];
  *outs = (mx_arrays){0};
  *jvps = (mx_arrays){0};
  int rc = 0;
  if (tangents->n != primals->n)
    return mx_error("[jvp] Number of inputs (%d) does not match number of tangents (%d).",
                    primals->n, tangents->n);
  for (int i = 0; !rc && i < primals->n; i++)
    if (!tangents->items[i]) rc = mx_error("[jvp] Got an empty tangent.");
    else rc = check_like("jvp", "Tangent", tangents->items[i], primals->items[i]);
  if (!rc) rc = trace(f, primals, NULL, &tracers, outs);
  for (int i = 0; !rc && i < primals->n; i++)
    rc = array_map_set(&tan, tracers.items[i], mx_array_retain(tangents->items[i]), -1, false);
  if (!rc) rc = mx_graph_collect(&g, &tracers, NULL, outs);
  /* needed[k]: node k's tangent reaches an output (a custom function with its own jvp does not
   * need the tangents of its function's graph) */
  bool *needed = rc ? NULL : calloc((size_t)g.n + 1, sizeof *needed);
  if (!rc && !needed) rc = mx_error("[jvp] Out of memory.");
  for (int j = 0; !rc && j < outs->n; j++) needed[mx_ptrmap_get(&g.index, outs->items[j]->node)] = true;
  for (int k = g.n - 1; !rc && k >= 0; k--)
    for (int i = 0; needed[k] && i < g.nodes[k]->nin; i++)
      if (!mx_custom_jvp_ignores_input(g.nodes[k], i))
        needed[mx_ptrmap_get(&g.index, g.nodes[k]->inputs[i]->node)] = true;
  for (int k = 0; !rc && k < g.n; k++) {
    mx_node *n = g.nodes[k];
    if (!g.depends[k] || !needed[k] || array_map_get(&tan, &n->out[0], NULL))
      continue; /* (tracers have theirs) */
    if (n->nout > 64 || n->nin > 64) {
      rc = mx_error("[jvp] Too many inputs or outputs.");
      break;
    }
    int nargs = 0;
    for (int i = 0; i < n->nin; i++)
      if (input_depends(&g, n, i)) {
        in_tans[nargs] = array_map_get(&tan, n->inputs[i], NULL);
        argnums[nargs++] = i;
      }
    const mx_prim_info *p = &mx_prims[n->prim];
    if (!p->jvp) {
      rc = mx_error("[Primitive::jvp] Not implemented for %s.", p->name);
      break;
    }
    memset(out_tans, 0, sizeof(mx_array *) * n->nout);
    if ((rc = p->jvp(n, in_tans, argnums, nargs, out_tans))) break;
    for (int o = 0; o < n->nout; o++) {
      if (rc) mx_array_release(out_tans[o]);
      else if (out_tans[o]) rc = array_map_set(&tan, &n->out[o], out_tans[o], -1, false);
    }
  }
  if (!rc) rc = arrays_alloc(jvps, outs->n);
  for (int j = 0; !rc && j < outs->n; j++) {
    mx_array *t = array_map_get(&tan, outs->items[j], NULL);
    if (t) jvps->items[j] = mx_array_retain(t);
    else rc = mx_zeros_like(&jvps->items[j], outs->items[j]);
  }
  free(needed);
  mx_graph_free(&g);
  array_map_free(&tan);
  mx_arrays_free(&tracers);
  if (rc) mx_arrays_free(outs), mx_arrays_free(jvps);
  return rc;
}

/* ---- vmap ---- */

/* A stand-in for one slice of a mapped input: the shape without the mapped axis and no data
 * (evaluating it inside the mapped function is an error, not a crash). */
static mx_array *placeholder(mx_array *a, int axis) {
  int32_t shape[MX_MAX_NDIM];
  for (int i = 0, k = 0; i < a->ndim; i++)
    if (i != axis) shape[k++] = a->shape[i];
  return mx_array_make(MX_PRIM_PLACEHOLDER, NULL, 0, NULL, 0, a->ndim - 1, shape,
                       (mx_dtype)a->dtype, mx_array_stream(a));
}

/* Broadcasts a (which does not depend on the mapped inputs) along a new axis of size b. */
static int broadcast_unmapped(mx_array **out, mx_array *a, int axis, int b) {
  int32_t shape[MX_MAX_NDIM], expanded[MX_MAX_NDIM];
  if (a->ndim + 1 > MX_MAX_NDIM) return mx_error("[vmap] Too many dimensions.");
  for (int i = 0, k = 0; i <= a->ndim; i++) {
    expanded[i] = i == axis ? 1 : a->shape[k];
    shape[i] = i == axis ? b : a->shape[k];
    if (i != axis) k++;
  }
  mx_array *e = NULL;
  MX_TRY(mx_reshape(&e, a, a->ndim + 1, expanded, mx_array_stream(a)));
  int rc = mx_broadcast_to(out, e, a->ndim + 1, shape, mx_array_stream(a));
  mx_array_release(e);
  return rc;
}

/* Validates in_axes against inputs; the mapped size in *batch. */
static int check_in_axes(const mx_arrays *inputs, const int *in_axes, int *batch) {
  *batch = -1;
  for (int i = 0; i < inputs->n; i++) {
    mx_array *a = inputs->items[i];
    if (in_axes[i] == -1) continue;
    if (!a) return mx_error("[vmap] Got an empty input array.");
    if (in_axes[i] < 0 || in_axes[i] >= a->ndim)
      return mx_error("[vmap] Invalid vmap axis %d for input %d with %d dimensions.", in_axes[i],
                      i, a->ndim);
    if (*batch >= 0 && a->shape[in_axes[i]] != *batch)
      return mx_error("[vmap] Inconsistent axis sizes: %d and %d.", *batch, a->shape[in_axes[i]]);
    *batch = a->shape[in_axes[i]];
  }
  return *batch < 0 ? mx_error("[vmap] At least one of in_axes must be non-None.") : 0;
}

int mx_vmap_trace(mx_fun f, const mx_arrays *inputs, const int *in_axes, mx_arrays *stand_ins,
                  mx_arrays *outs) {
  int batch;
  *stand_ins = (mx_arrays){0};
  *outs = (mx_arrays){0};
  MX_TRY(check_in_axes(inputs, in_axes, &batch));
  int rc = arrays_alloc(stand_ins, inputs->n);
  for (int i = 0; !rc && i < inputs->n; i++) {
    mx_array *a = inputs->items[i];
    stand_ins->items[i] = in_axes[i] >= 0 ? placeholder(a, in_axes[i]) : a ? mx_array_retain(a) : NULL;
    if (a && !stand_ins->items[i]) rc = MX_ERR;
  }
  if (!rc) rc = f.fn(f.payload, stand_ins, outs);
  if (rc) mx_arrays_free(stand_ins), mx_arrays_free(outs);
  return rc;
}

int mx_vmap_replace(const mx_arrays *inputs, const mx_arrays *stand_ins,
                    const mx_arrays *traced_outs, const int *in_axes, const int *out_axes,
                    int nout_axes, mx_arrays *outs) {
  int batch, rc = 0;
  graph g = {0};
  array_map batched = {0};
  *outs = (mx_arrays){0};
  MX_TRY(check_in_axes(inputs, in_axes, &batch));
  if (stand_ins->n != inputs->n)
    return mx_error("[vmap] %d inputs for %d traced inputs.", inputs->n, stand_ins->n);
  if (nout_axes != 1 && nout_axes != traced_outs->n)
    return mx_error("[vmap] out_axes has %d entries for a function with %d outputs.", nout_axes,
                    traced_outs->n);
  bool *mapped = calloc((size_t)inputs->n + 1, sizeof *mapped);
  if (!mapped) return mx_error("[vmap] Out of memory.");
  for (int i = 0; !rc && i < inputs->n; i++) {
    mapped[i] = in_axes[i] >= 0;
    if (mapped[i])
      rc = array_map_set(&batched, stand_ins->items[i], mx_array_retain(inputs->items[i]),
                         in_axes[i], false);
  }
  if (!rc) rc = mx_graph_collect(&g, stand_ins, mapped, traced_outs);

  mx_array *node_in[64], *node_out[64];
  int node_in_axes[64], node_out_axes[64];
  for (int k = 0; !rc && k < g.n; k++) {
    mx_node *n = g.nodes[k];
    if (!g.depends[k] || n->prim == MX_PRIM_PLACEHOLDER) continue;
    if (n->nout > 64 || n->nin > 64) {
      rc = mx_error("[vmap] Too many inputs or outputs.");
      break;
    }
    for (int i = 0; i < n->nin; i++) {
      mx_array *b = input_depends(&g, n, i) ? array_map_get(&batched, n->inputs[i], &node_in_axes[i])
                                            : NULL;
      node_in[i] = b ? b : n->inputs[i];
      if (!b) node_in_axes[i] = -1;
    }
    const mx_prim_info *p = &mx_prims[n->prim];
    if (!p->vmap) {
      rc = mx_error("[Primitive::vmap] Not implemented for %s.", p->name);
      break;
    }
    memset(node_out, 0, sizeof(mx_array *) * n->nout);
    if ((rc = p->vmap(n, node_in, node_in_axes, node_out, node_out_axes))) break;
    for (int o = 0; o < n->nout; o++) {
      if (rc) mx_array_release(node_out[o]);
      else rc = array_map_set(&batched, &n->out[o], node_out[o], node_out_axes[o], false);
    }
  }
  if (!rc) rc = arrays_alloc(outs, traced_outs->n);
  for (int j = 0; !rc && j < traced_outs->n; j++) {
    int ax, want = out_axes[nout_axes == 1 ? 0 : j];
    mx_array *v = array_map_get(&batched, traced_outs->items[j], &ax);
    int ndim = traced_outs->items[j]->ndim + 1;
    if (want < -ndim || want >= ndim) {
      rc = mx_error("[vmap] Invalid out_axes %d for an output with %d dimensions.", want, ndim);
      break;
    }
    want = want < 0 ? want + ndim : want;
    if (!v || ax < 0) rc = broadcast_unmapped(&outs->items[j], v ? v : traced_outs->items[j], want, batch);
    else rc = mx_move_axis(&outs->items[j], v, ax, want);
  }
  mx_graph_free(&g);
  array_map_free(&batched);
  free(mapped);
  if (rc) mx_arrays_free(outs);
  return rc;
}

int mx_vmap(mx_fun f, const mx_arrays *inputs, const int *in_axes, const int *out_axes,
            int nout_axes, mx_arrays *outs) {
  mx_arrays stand_ins, traced;
  MX_TRY(mx_vmap_trace(f, inputs, in_axes, &stand_ins, &traced));
  int rc = mx_vmap_replace(inputs, &stand_ins, &traced, in_axes, out_axes, nout_axes, outs);
  mx_arrays_free(&stand_ins);
  mx_arrays_free(&traced);
  return rc;
}
