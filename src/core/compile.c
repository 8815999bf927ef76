#include "core/compile.h"
#include "core/compile_tape.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/primitives.h"

/* ---- mode ---- */

static atomic_int compile_mode = -1; /* -1: not read from the environment yet */

mx_compile_mode mx_compile_get_mode(void) {
  int m = atomic_load(&compile_mode);
  if (m < 0) {
    const char *env = getenv("MLX_DISABLE_COMPILE");
    int want = env && env[0] && strcmp(env, "0") != 0 ? MX_COMPILE_DISABLED : MX_COMPILE_ENABLED;
    atomic_compare_exchange_strong(&compile_mode, &m, want);
    m = atomic_load(&compile_mode);
  }
  return (mx_compile_mode)m;
}

void mx_compile_set_mode(mx_compile_mode mode) {
  atomic_store(&compile_mode, (int)mode);
}

/* ---- tapes ---- */

static void tape_free_steps(tape *t) {
  for (int i = 0; i < t->nsteps; i++) free(t->steps[i].in);
  free(t->steps);
  free(t->outs);
  t->steps = NULL, t->outs = NULL, t->nsteps = t->nmade = t->nout = 0;
}

void tape_free(tape *t) {
  tape_free_steps(t);
  mx_arrays_free(&t->traced);
}

/* Common subexpressions: a node equals an earlier one with the same primitive, parameters
 * (is_equivalent) and sources. Equal scalar constants are one constant. */
static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

static bool same_sources(const source *a, const source *b, int n) {
  for (int i = 0; i < n; i++)
    if (a[i].kind != b[i].kind || a[i].index != b[i].index || a[i].out != b[i].out ||
        a[i].constant != b[i].constant)
      return false;
  return true;
}

static bool same_outputs(const mx_node *a, const mx_node *b) {
  if (a->nout != b->nout) return false;
  for (int o = 0; o < a->nout; o++) {
    const mx_array *x = &a->out[o], *y = &b->out[o];
    if (x->dtype != y->dtype || x->ndim != y->ndim ||
        memcmp(x->shape, y->shape, sizeof(int32_t) * (size_t)x->ndim) != 0)
      return false;
  }
  return true;
}

bool tape_is_scalar_constant(const mx_array *a) {
  return a->node->prim == MX_PRIM_NONE && a->size == 1 && mx_array_status(a) == MX_AVAILABLE &&
         mx_array_data(a) != NULL;
}

typedef struct {
  mx_ptrmap first_step;     /* hash (as a key) -> step + 1 */
  mx_ptrmap first_constant; /* hash (as a key) -> constants slot + 1 */
  mx_array **constants;
  int nconst;
} simplifier;

static mx_array *canonical_constant(simplifier *s, mx_array *a) {
  if (!s || !tape_is_scalar_constant(a)) return a;
  uint64_t bits = 0; /* itemsize <= 8 */
  memcpy(&bits, mx_array_data(a), mx_array_itemsize(a));
  uint64_t h = mix(mix(0xC0, a->dtype), bits) | 1; /* never 0: a ptrmap key */
  int k = mx_ptrmap_get(&s->first_constant, (const void *)(uintptr_t)h);
  if (k > 0) {
    mx_array *c = s->constants[k - 1];
    if (c->dtype == a->dtype && memcmp(mx_array_data(c), mx_array_data(a), mx_array_itemsize(a)) == 0)
      return c;
    return a;
  }
  mx_array **grown = realloc(s->constants, sizeof *grown * (size_t)(s->nconst + 1));
  if (!grown) return a;
  s->constants = grown;
  s->constants[s->nconst++] = a;
  if (mx_ptrmap_put(&s->first_constant, (const void *)(uintptr_t)h, s->nconst)) mx_clear_error();
  return a;
}

/* What tape_build knows while it walks the trace. */
typedef struct {
  mx_ptrmap placeholder_index; /* placeholder node -> input position */
  mx_ptrmap step_of;           /* traced node -> step + 1 (merged nodes: the step kept) */
  simplifier simp;
  bool simplify;
} builder;

/* The source an array of the trace comes from. */
static source source_of(builder *b, mx_array *a) {
  int input = mx_ptrmap_get(&b->placeholder_index, a->node);
  int step = mx_ptrmap_get(&b->step_of, a->node);
  if (input >= 0) return (source){FROM_INPUT, input, 0, NULL};
  if (step > 0) return (source){FROM_STEP, step - 1, a->index, NULL};
  return (source){FROM_CONSTANT, 0, 0, canonical_constant(b->simplify ? &b->simp : NULL, a)};
}

/* Whether a node that does not depend on the inputs is replayed as a step (computed in each
 * call, as MLX does) rather than kept as a constant: a lazy node with more than a few KiB of
 * outputs. Kept, its buffer would be evaluated by the first call and then held by the tape for
 * the compiled function's lifetime (the gradient of x ** 2 materializes the exponent minus one
 * in x's shape: a compiled training step held 81 MB beyond its parameters). */
static bool recomputed_constant(const mx_node *n) {
  if (n->prim == MX_PRIM_NONE || n->prim == MX_PRIM_PLACEHOLDER ||
      mx_array_status(&n->out[0]) == MX_AVAILABLE)
    return false;
  int64_t bytes = 0;
  for (int o = 0; o < n->nout; o++)
    bytes += (int64_t)n->out[o].size * mx_array_itemsize(&n->out[o]);
  return bytes > 4096;
}

/* A lazy broadcast of a constant (a scalar operand of an elementwise op) is a step, not a
 * constant: a shapeless replay re-broadcasts it through its source, which the array kept as a
 * constant loses once a call's result is evaluated (that evaluates and detaches it). */
static bool lazy_broadcast(const mx_node *n) {
  return n->prim == MX_PRIM_BROADCAST && mx_array_status(&n->out[0]) != MX_AVAILABLE;
}

/* Builds the tape of the graph from placeholders to outs. */
int tape_build(tape *t, const mx_arrays *placeholders, const mx_arrays *outs, bool simplify,
               bool recompute_constants) {
  mx_graph g = {0};
  builder b = {.simplify = simplify};
  mx_arrays dropped = {0}; /* inputs of traced nodes pointed elsewhere: released after the walk,
                              which still visits their nodes */
  int rc = mx_graph_collect(&g, placeholders, NULL, outs);
  for (int i = 0; !rc && i < placeholders->n; i++)
    rc = mx_ptrmap_put(&b.placeholder_index, placeholders->items[i]->node, i);
  if (!rc && !(t->steps = calloc((size_t)g.n + 1, sizeof *t->steps)))
    rc = mx_error("[compile] Out of memory.");
  for (int k = 0; !rc && k < g.n; k++) {
    mx_node *n = g.nodes[k];
    bool replayed =
        g.depends[k] || lazy_broadcast(n) || (recompute_constants && recomputed_constant(n));
    if (!replayed || mx_ptrmap_get(&b.placeholder_index, n) >= 0) continue;
    if (n->nout > MAX_STEP_OUTPUTS) {
      rc = mx_error("[compile] %s has too many outputs.", mx_prims[n->prim].name);
      break;
    }
    source *in = malloc(sizeof *in * (size_t)(n->nin + 1));
    if (!in) {
      rc = mx_error("[compile] Out of memory.");
      break;
    }
    uint64_t h = mix(mix(0x5EED, n->prim), n->params_size);
    for (size_t off = 0; off + 8 <= n->params_size; off += 8) {
      uint64_t w;
      memcpy(&w, (const char *)n->params + off, 8);
      h = mix(h, w);
    }
    for (int i = 0; i < n->nin; i++) {
      in[i] = source_of(&b, n->inputs[i]);
      h = mix(mix(mix(h, (uint64_t)in[i].kind), (uint64_t)in[i].index * 131 + (uint64_t)in[i].out),
              (uint64_t)(uintptr_t)in[i].constant);
      mx_node *kept = in[i].kind == FROM_STEP ? t->steps[in[i].index].node : NULL;
      if (kept && kept != n->inputs[i]->node) {
        /* an input merged into an equal earlier step: the traced node reads that step's output
         * too, so that graphs rebuilt from traced arrays (the unfused graph of a fused group,
         * compile_fuse.c, which transforms replay) meet only the tape's own nodes */
        mx_array *a = mx_array_retain(&kept->out[in[i].out]);
        mx_array **grown = realloc(dropped.items, sizeof *grown * (size_t)(dropped.n + 1));
        if (grown)
          dropped.items = grown, dropped.items[dropped.n++] = n->inputs[i];
        else
          mx_array_release(n->inputs[i]), rc = mx_error("[compile] Out of memory.");
        n->inputs[i] = a;
      }
    }
    h |= 1; /* never 0: a ptrmap key */
    if (simplify) { /* an equal earlier step stands in for this node */
      int j = mx_ptrmap_get(&b.simp.first_step, (const void *)(uintptr_t)h) - 1;
      const mx_prim_info *p = &mx_prims[n->prim];
      if (j >= 0) {
        mx_node *m = t->steps[j].node;
        if (m->prim == n->prim && m->nin == n->nin && same_sources(t->steps[j].in, in, n->nin) &&
            same_outputs(m, n) && p->is_equivalent && p->is_equivalent(m, n)) {
          free(in);
          rc = mx_ptrmap_put(&b.step_of, n, j + 1);
          continue;
        }
      } else {
        rc = mx_ptrmap_put(&b.simp.first_step, (const void *)(uintptr_t)h, t->nsteps + 1);
      }
    }
    t->steps[t->nsteps++] = (step){n, in, t->nmade}; /* (the tape owns it even if put fails) */
    t->nmade += n->nout;
    if (!rc) rc = mx_ptrmap_put(&b.step_of, n, t->nsteps);
  }
  t->nout = outs->n;
  if (!rc && !(t->outs = calloc((size_t)outs->n + 1, sizeof *t->outs)))
    rc = mx_error("[compile] Out of memory.");
  for (int o = 0; !rc && o < outs->n; o++) t->outs[o] = source_of(&b, outs->items[o]);
  mx_graph_free(&g);
  mx_arrays_free(&dropped);
  mx_ptrmap_free(&b.placeholder_index);
  mx_ptrmap_free(&b.step_of);
  mx_ptrmap_free(&b.simp.first_step);
  mx_ptrmap_free(&b.simp.first_constant);
  free(b.simp.constants);
  return rc;
}

static mx_array *resolve(const tape *t, const source *s, const mx_arrays *in, mx_array **made) {
  switch (s->kind) {
  case FROM_INPUT: return in->items[s->index];
  case FROM_STEP: return made[t->steps[s->index].first_out + s->out];
  default: return s->constant;
  }
}

/* Replays the tape on in: one new node per step. */
int tape_replay(const tape *t, const mx_arrays *in, mx_arrays *out) {
  mx_array **made = calloc((size_t)t->nmade + 1, sizeof *made);
  int rc = made ? 0 : mx_error("[compile] Out of memory.");
  /* a shapeless replay on new shapes: broadcasts follow their readers (compile_shapeless.c) */
  bool reshaping = false;
  for (int i = t->nout; i < t->traced.n && i - t->nout < in->n; i++)
    reshaping |= !tape_same_shape(in->items[i - t->nout], t->traced.items[i]);
  for (int k = 0; !rc && k < t->nsteps; k++) {
    const mx_node *n = t->steps[k].node;
    mx_array *stack_in[16], **inputs = n->nin <= 16 ? stack_in : malloc(sizeof *inputs * (size_t)n->nin);
    int ndims[MAX_STEP_OUTPUTS];
    const int32_t *shapes[MAX_STEP_OUTPUTS];
    mx_dtype dtypes[MAX_STEP_OUTPUTS];
    if (!inputs) {
      rc = mx_error("[compile] Out of memory.");
      break;
    }
    bool changed = false; /* (shapeless: inputs shaped unlike the trace) */
    for (int i = 0; i < n->nin; i++) {
      inputs[i] = resolve(t, &t->steps[k].in[i], in, made);
      changed |= !tape_same_shape(inputs[i], n->inputs[i]);
    }
    for (int o = 0; o < n->nout; o++) {
      ndims[o] = n->out[o].ndim;
      shapes[o] = n->out[o].shape;
      dtypes[o] = (mx_dtype)n->out[o].dtype;
    }
    mx_array *owned[16] = {NULL};
    int32_t new_shapes[MAX_STEP_OUTPUTS][MX_MAX_NDIM];
    int pass = 0;
    if (changed && n->prim == MX_PRIM_COMPILED && !mx_compiled_shapes_exact(n, inputs, n->nin)) {
      mx_arrays unfused = {0}; /* its graph, replayed: each output takes its own shape */
      rc = mx_compiled_replay_unfused(n, inputs, n->nin, &unfused);
      for (int o = 0; !rc && o < n->nout; o++) made[t->steps[k].first_out + o] = unfused.items[o];
      if (!rc) free(unfused.items);
      if (inputs != stack_in) free(inputs);
      if (rc) break;
      continue;
    }
    if (changed || (reshaping && n->prim == MX_PRIM_BROADCAST)) {
      pass = n->nin <= 16 ? tape_shapeless_step(n, inputs, owned, ndims, new_shapes)
                          : mx_error("[compile] Too many inputs for a shapeless replay.");
      for (int o = 0; o < n->nout; o++) shapes[o] = new_shapes[o];
    }
    if (pass == TAPE_PASS_THROUGH) made[t->steps[k].first_out] = mx_array_retain(inputs[0]);
    else if (pass) rc = pass;
    if (!pass) {
      const mx_params_ref *ref = mx_prims[n->prim].flags & MX_PF_PARAMS_REF ? n->params : NULL;
      if (ref) ref->retain(ref->obj); /* the new node's reference */
      rc = mx_node_new(n->prim, n->params, n->params_size, inputs, n->nin, n->nout, ndims, shapes,
                       dtypes, n->stream, made + t->steps[k].first_out);
      if (rc && ref) ref->release(ref->obj);
    }
    for (int i = 0; i < 16; i++) mx_array_release(owned[i]);
    if (inputs != stack_in) free(inputs);
  }
  if (!rc && !(out->items = calloc((size_t)t->nout + 1, sizeof *out->items)))
    rc = mx_error("[compile] Out of memory.");
  for (int o = 0; !rc && o < t->nout; o++) {
    out->items[o] = mx_array_retain(resolve(t, &t->outs[o], in, made));
    out->n = o + 1;
  }
  for (int i = 0; made && i < t->nmade; i++) mx_array_release(made[i]); /* (NULL is fine) */
  free(made);
  if (rc) mx_arrays_free(out);
  return rc;
}

/* ---- the cache ---- */

/* A key is a list of words: fun_id, shapeless and the mode, nconst, constants..., nin, then for
 * each input dtype, ndim and (unless shapeless) the dims. */
typedef struct entry {
  struct entry *next;
  uint64_t hash;
  uint64_t fun_id;
  int64_t *key;
  int nkey;
  tape tape;
} entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static entry **buckets;
static size_t nbuckets, nentries;
static atomic_ullong traces;

static int make_key(int64_t **key, int *nkey, uint64_t fun_id, bool shapeless,
                    const uint64_t *constants, int nconst, const mx_arrays *in) {
  int n = 4 + nconst;
  for (int i = 0; i < in->n; i++) n += 2 + (in->items[i] ? in->items[i]->ndim : 0);
  int64_t *k = malloc(sizeof *k * (size_t)n);
  if (!k) return mx_error("[compile] Out of memory.");
  int w = 0;
  k[w++] = (int64_t)fun_id;
  k[w++] = shapeless | mx_compile_get_mode() << 1; /* a mode change retraces */
  k[w++] = nconst;
  for (int i = 0; i < nconst; i++) k[w++] = (int64_t)constants[i];
  k[w++] = in->n;
  for (int i = 0; i < in->n; i++) {
    mx_array *a = in->items[i];
    if (!a) {
      free(k);
      return mx_error("[compile] Got an empty input array.");
    }
    k[w++] = a->dtype;
    k[w++] = a->ndim;
    for (int d = 0; d < a->ndim && !shapeless; d++) k[w++] = a->shape[d];
  }
  *key = k;
  *nkey = w;
  return 0;
}

static uint64_t hash_key(const int64_t *key, int n) {
  uint64_t h = 0x1234567;
  for (int i = 0; i < n; i++) h = mix(h, (uint64_t)key[i]);
  return h;
}

/* Caller holds cache_lock. */
static entry *cache_find(uint64_t hash, const int64_t *key, int nkey) {
  if (!nbuckets) return NULL;
  for (entry *e = buckets[hash & (nbuckets - 1)]; e; e = e->next)
    if (e->hash == hash && e->nkey == nkey && memcmp(e->key, key, sizeof *key * (size_t)nkey) == 0)
      return e;
  return NULL;
}

/* Caller holds cache_lock. Keeps the chains short: at most one entry per bucket on average. */
static int cache_insert(entry *e) {
  if (nentries + 1 > nbuckets) {
    size_t cap = nbuckets ? nbuckets * 2 : 64;
    entry **grown = calloc(cap, sizeof *grown);
    if (!grown) return mx_error("[compile] Out of memory.");
    for (size_t b = 0; b < nbuckets; b++)
      for (entry *x = buckets[b], *next; x; x = next) {
        next = x->next;
        x->next = grown[x->hash & (cap - 1)];
        grown[x->hash & (cap - 1)] = x;
      }
    free(buckets);
    buckets = grown;
    nbuckets = cap;
  }
  e->next = buckets[e->hash & (nbuckets - 1)];
  buckets[e->hash & (nbuckets - 1)] = e;
  nentries++;
  return 0;
}

static void entry_free(entry *e) {
  tape_free(&e->tape);
  free(e->key);
  free(e);
}

/* Removes the entries `drop` selects; frees them outside the lock (freeing a trace may run
 * destructors of captured state). */
static void cache_remove(bool all, uint64_t fun_id) {
  entry *dead = NULL;
  pthread_mutex_lock(&cache_lock);
  for (size_t b = 0; b < nbuckets; b++)
    for (entry **p = &buckets[b]; *p;) {
      entry *e = *p;
      if (all || e->fun_id == fun_id) {
        *p = e->next;
        e->next = dead;
        dead = e;
        nentries--;
      } else {
        p = &e->next;
      }
    }
  pthread_mutex_unlock(&cache_lock);
  while (dead) {
    entry *next = dead->next;
    entry_free(dead);
    dead = next;
  }
}

void mx_compile_erase(uint64_t fun_id) {
  cache_remove(false, fun_id);
}

void mx_compile_clear_cache(void) {
  cache_remove(true, 0);
}

uint64_t mx_compile_trace_count(void) {
  return atomic_load(&traces);
}

int64_t mx_compile_cache_size(void) {
  pthread_mutex_lock(&cache_lock);
  int64_t n = (int64_t)nentries;
  pthread_mutex_unlock(&cache_lock);
  return n;
}

/* Traces f on placeholders shaped like in and builds the tape. */
static int trace(entry *e, mx_fun f, const mx_arrays *in, bool simplify, bool fuse,
                 bool shapeless) {
  mx_arrays placeholders = {0}, outs = {0};
  int rc = mx_arrays_from(&placeholders, in->items, in->n);
  for (int i = 0; !rc && i < in->n; i++) {
    mx_array *a = in->items[i];
    mx_array_release(placeholders.items[i]);
    placeholders.items[i] = mx_array_make(MX_PRIM_PLACEHOLDER, NULL, 0, NULL, 0, a->ndim, a->shape,
                                          (mx_dtype)a->dtype, mx_array_stream(a));
    if (!placeholders.items[i]) rc = MX_ERR;
  }
  atomic_fetch_add(&traces, 1);
  if (!rc) rc = f.fn(f.payload, &placeholders, &outs);
  for (int o = 0; !rc && o < outs.n; o++)
    if (!outs.items[o]) rc = mx_error("[compile] The function returned an empty array.");
  if (!rc) rc = tape_build(&e->tape, &placeholders, &outs, simplify, true);
  /* the tape keeps outputs and placeholders (and through them the whole trace) alive */
  if (!rc && !(e->tape.traced.items = calloc((size_t)(outs.n + placeholders.n) + 1,
                                             sizeof *e->tape.traced.items)))
    rc = mx_error("[compile] Out of memory.");
  if (!rc) {
    for (int o = 0; o < outs.n; o++) e->tape.traced.items[e->tape.traced.n++] = outs.items[o];
    for (int i = 0; i < placeholders.n; i++)
      e->tape.traced.items[e->tape.traced.n++] = placeholders.items[i];
    mx_arrays kept = {placeholders.items, placeholders.n};
    rc = fuse ? tape_fuse(&e->tape, &kept, shapeless) : 0;
    if (rc == TAPE_FUSE_CYCLE) { /* a grouping that fails to order: the function runs unfused */
      tape_free_steps(&e->tape);
      rc = tape_build(&e->tape, &placeholders, &outs, simplify, true);
    }
    free(outs.items), free(placeholders.items);
    return rc;
  }
  mx_arrays_free(&outs);
  mx_arrays_free(&placeholders);
  return rc;
}

int mx_compile_call(mx_fun f, uint64_t fun_id, bool shapeless, const uint64_t *constants,
                    int nconst, const mx_arrays *in, mx_arrays *out) {
  *out = (mx_arrays){0};
  mx_compile_mode mode = mx_compile_get_mode();
  if (mode == MX_COMPILE_DISABLED) return f.fn(f.payload, in, out);
  int64_t *key = NULL;
  int nkey = 0;
  MX_TRY(make_key(&key, &nkey, fun_id, shapeless, constants, nconst, in));
  uint64_t h = hash_key(key, nkey);
  pthread_mutex_lock(&cache_lock);
  entry *e = cache_find(h, key, nkey);
  pthread_mutex_unlock(&cache_lock);
  if (e) { /* entries are freed only by erase/clear, which callers do not race with calls */
    free(key);
    return tape_replay(&e->tape, in, out);
  }
  entry *fresh = calloc(1, sizeof *fresh);
  if (!fresh) {
    free(key);
    return mx_error("[compile] Out of memory.");
  }
  *fresh = (entry){.hash = h, .fun_id = fun_id, .key = key, .nkey = nkey};
  int rc =
      trace(fresh, f, in, mode != MX_COMPILE_NO_SIMPLIFY, mode == MX_COMPILE_ENABLED, shapeless);
  if (rc) {
    entry_free(fresh);
    return rc;
  }
  pthread_mutex_lock(&cache_lock);
  e = cache_find(h, key, nkey); /* another thread may have traced it meanwhile */
  if (!e && (rc = cache_insert(fresh)) == 0) e = fresh;
  pthread_mutex_unlock(&cache_lock);
  if (e != fresh) entry_free(fresh);
  return rc ? rc : tape_replay(&e->tape, in, out);
}
