/* Fusion of a compiled function's tape: connected elementwise steps, with the broadcasts of their
 * inputs, reductions over trailing axes and softmax, become one Compiled step whose kernel keeps
 * intermediates in registers or a row-sized scratch (backend/cpu/fused*.c). The program format
 * is core/fused.h.
 *
 * Groups grow in tape order: a step joins the group of one of its inputs when its output has the
 * group's full or row shape and none of its other inputs reads the group (that would close a
 * cycle). The fused step takes the place of the group's first step and the steps are then sorted
 * again, readers after what they read. A group of a single computing step stays unfused (its own
 * kernel does as well). */
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/fused.h"
#include "backend/cpu/half.h"
#include "core/compile_tape.h"
#include "core/error.h"
#include "core/fused.h"
#include "core/primitives.h"
#include "ops/params.h"
#include "ops/reduce.h"

/* ---- what a step can be in a group ---- */

enum { FS_NO, FS_EW, FS_BCAST, FS_REDUCE, FS_SOFTMAX };

static int arg_kind(const mx_array *a) {
  return mx_fused_kind(a->dtype);
}

/* Classifies step n; *naxes: the trailing axes a reduction reduces. */
static int fusable(const mx_node *n, int *naxes) {
  if (n->nout != 1 || n->nin < 1 || mx_fused_kind(n->out[0].dtype) < 0) return FS_NO;
  for (int i = 0; i < n->nin; i++)
    if (arg_kind(n->inputs[i]) < 0) return FS_NO;
  int kin = arg_kind(n->inputs[0]), kout = mx_fused_kind(n->out[0].dtype);
  switch (n->prim) {
  case MX_PRIM_BROADCAST:
    return FS_BCAST;
  case MX_PRIM_ASTYPE:
  case MX_PRIM_COPY:
  case MX_PRIM_STOP_GRADIENT: /* the identity forward; transforms replay the unfused steps */
    return FS_EW;
  case MX_PRIM_SELECT:
    return arg_kind(n->inputs[0]) == MX_FK_B && arg_kind(n->inputs[1]) == kout &&
                   arg_kind(n->inputs[2]) == kout
               ? FS_EW
               : FS_NO;
  case MX_PRIM_CLIP: /* becomes Maximum then Minimum */
    return arg_kind(n->inputs[1]) == kin && arg_kind(n->inputs[2]) == kin &&
                   mx_fused_binary_kind(MX_PRIM_MAXIMUM, kin) == kout
               ? FS_EW
               : FS_NO;
  case MX_PRIM_FLOOR_DIVIDE: /* floats: Divide then Floor (ints: the table's row) */
    if (kin != MX_FK_F) break;
    return arg_kind(n->inputs[1]) == kin && mx_fused_binary_kind(MX_PRIM_DIVIDE, kin) == kout &&
                   mx_fused_unary_kind(MX_PRIM_FLOOR, kout) == kout
               ? FS_EW
               : FS_NO;
  case MX_PRIM_NAN_TO_NUM: /* selects of its replacement values (see nan_to_num_op) */
    return kin == MX_FK_F && kout == kin ? FS_EW : FS_NO;
  case MX_PRIM_SOFTMAX:
    return kin == MX_FK_F && n->out[0].ndim >= 1 ? FS_SOFTMAX : FS_NO;
  case MX_PRIM_REDUCE: {
    const mx_reduce_params *p = n->params;
    if (kin != MX_FK_F || n->inputs[0]->dtype != n->out[0].dtype || p->op > MX_REDUCE_MIN ||
        p->naxes < 1)
      return FS_NO;
    int nd = n->inputs[0]->ndim;
    for (int i = 0; i < p->naxes; i++)
      if (p->axes[i] != nd - p->naxes + i) return FS_NO;
    *naxes = p->naxes;
    return FS_REDUCE;
  }
  default:
    break;
  }
  if (!(mx_prims[n->prim].flags & MX_PF_ELEMENTWISE)) return FS_NO;
  if (n->nin == 1) return mx_fused_unary_kind(n->prim, kin) == kout ? FS_EW : FS_NO;
  if (n->nin == 2)
    return arg_kind(n->inputs[1]) == kin && mx_fused_binary_kind(n->prim, kin) == kout ? FS_EW
                                                                                       : FS_NO;
  return FS_NO;
}

/* ---- groups ---- */

typedef struct {
  int first, nmembers, ncompute;
  int ndim, ninner;
  int32_t shape[MX_MAX_NDIM];
  mx_stream stream;
} group;

static bool has_shape(const mx_array *a, int ndim, const int32_t *shape) {
  return a->ndim == ndim && memcmp(a->shape, shape, sizeof(int32_t) * (size_t)ndim) == 0;
}

/* The row shape of g: trailing ninner axes set to 1. */
static void row_shape(const group *g, int32_t *shape) {
  for (int d = 0; d < g->ndim; d++) shape[d] = d < g->ndim - g->ninner ? g->shape[d] : 1;
}

/* The axes a row spans: the reduced ones, or (no reductions) at least the last one. */
static int g_inner(const group *g) {
  return g->ninner ? g->ninner : g->ndim > 0;
}

/* 0: full, 1: row, -1: neither. */
static int shape_class(const group *g, const mx_array *a) {
  int32_t rs[MX_MAX_NDIM];
  if (has_shape(a, g->ndim, g->shape)) return 0;
  row_shape(g, rs);
  return g->ninner > 0 && has_shape(a, g->ndim, rs) ? 1 : -1;
}

typedef struct {
  tape *t;
  int *group_of; /* step -> group, -1 */
  int *what;     /* step -> FS_* */
  int *naxes;
  group *groups;
  int ngroups;
  int *seen, stamp; /* depends_on's visited marks */
  bool shapeless;   /* the trace serves other shapes of the same ranks */
} fuser;

/* Whether step k reads (through steps outside the group) a member of group gi. Steps before the
 * group's first member cannot. */
static bool depends_on(fuser *f, int k, int gi) {
  if (k < f->groups[gi].first) return false;
  if (f->group_of[k] == gi) return true;
  if (f->seen[k] == f->stamp) return false;
  f->seen[k] = f->stamp;
  const step *s = &f->t->steps[k];
  for (int i = 0; i < s->node->nin; i++)
    if (s->in[i].kind == FROM_STEP && depends_on(f, s->in[i].index, gi)) return true;
  return false;
}

/* Whether step k may join group gi (and the frame change it implies). A step whose other inputs
 * read the group would close a cycle. */
static bool can_join(fuser *f, int gi, int k) {
  group *g = &f->groups[gi];
  const step *s = &f->t->steps[k];
  const mx_node *n = s->node;
  if (memcmp(&n->stream, &g->stream, sizeof g->stream) != 0) return false;
  for (int i = 0; i < n->nin; i++) {
    const source *src = &s->in[i];
    if (src->kind == FROM_STEP && f->group_of[src->index] != gi && depends_on(f, src->index, gi))
      return false;
  }
  const mx_array *x = n->inputs[0];
  bool x_in = s->in[0].kind == FROM_STEP && f->group_of[s->in[0].index] == gi;
  switch (f->what[k]) {
  case FS_EW:
    return shape_class(g, &n->out[0]) >= 0;
  case FS_BCAST:
    if (x_in) return shape_class(g, x) == 1 && shape_class(g, &n->out[0]) == 0;
    return shape_class(g, &n->out[0]) >= 0;
  case FS_REDUCE:
  case FS_SOFTMAX: {
    int want = f->what[k] == FS_REDUCE ? f->naxes[k] : 1;
    if (!has_shape(x, g->ndim, g->shape) || (g->ninner && g->ninner != want)) return false;
    g->ninner = want; /* (from 0: every member so far has the full shape) */
    return true;
  }
  default:
    return false;
  }
}

static void start_group(fuser *f, int k) {
  const mx_node *n = f->t->steps[k].node;
  group *g = &f->groups[f->ngroups];
  const mx_array *frame = f->what[k] == FS_REDUCE ? n->inputs[0] : &n->out[0];
  *g = (group){.first = k, .ndim = frame->ndim, .stream = n->stream};
  memcpy(g->shape, frame->shape, sizeof(int32_t) * (size_t)frame->ndim);
  g->ninner = f->what[k] == FS_REDUCE ? f->naxes[k] : f->what[k] == FS_SOFTMAX ? 1 : 0;
  f->group_of[k] = f->ngroups++;
}

/* Whether a member of group `from` reads, through a step in neither group, a member of group
 * `to` (then one group made of both would read its own output). */
static bool reads_through_outside(fuser *f, int from, int to) {
  for (int k = f->groups[from].first; k < f->t->nsteps; k++) {
    if (f->group_of[k] != from) continue;
    const step *s = &f->t->steps[k];
    for (int i = 0; i < s->node->nin; i++) {
      const source *src = &s->in[i];
      if (src->kind != FROM_STEP) continue;
      int gs = f->group_of[src->index];
      f->stamp++;
      if (gs != from && gs != to && depends_on(f, src->index, to)) return true;
    }
  }
  return false;
}

enum { MAX_MERGED = 64 }; /* members of a merged group (a kernel has at most 16 outputs) */

/* Merges group b into group a when a step reads both (so that, say, an optimizer update whose
 * terms start from different inputs is one kernel): same frame, same stream, no path between
 * them through other steps. */
static void try_merge(fuser *f, int a, int b) {
  group *ga = &f->groups[a], *gb = &f->groups[b];
  if (ga->nmembers + gb->nmembers > MAX_MERGED ||
      ga->ndim != gb->ndim || memcmp(ga->shape, gb->shape, sizeof(int32_t) * (size_t)ga->ndim) ||
      (ga->ninner && gb->ninner && ga->ninner != gb->ninner) ||
      memcmp(&ga->stream, &gb->stream, sizeof ga->stream) != 0)
    return;
  if (reads_through_outside(f, a, b) || reads_through_outside(f, b, a)) return;
  for (int k = gb->first; k < f->t->nsteps; k++)
    if (f->group_of[k] == b) f->group_of[k] = a;
  ga->first = gb->first < ga->first ? gb->first : ga->first;
  ga->ninner = ga->ninner ? ga->ninner : gb->ninner;
  ga->nmembers += gb->nmembers, ga->ncompute += gb->ncompute;
  gb->nmembers = gb->ncompute = 0;
}

static void form_groups(fuser *f) {
  tape *t = f->t;
  /* every step first, so that walks over later steps (merges) read no stale marks */
  for (int k = 0; k < t->nsteps; k++) {
    f->group_of[k] = -1;
    f->what[k] = fusable(t->steps[k].node, &f->naxes[k]);
  }
  for (int k = 0; k < t->nsteps; k++) {
    if (f->what[k] == FS_NO) continue;
    for (int i = 0; i < t->steps[k].node->nin && f->group_of[k] < 0; i++) {
      const source *src = &t->steps[k].in[i];
      f->stamp++;
      if (src->kind == FROM_STEP && f->group_of[src->index] >= 0 &&
          can_join(f, f->group_of[src->index], k))
        f->group_of[k] = f->group_of[src->index];
    }
    /* a broadcast of a value from outside starts no group: its readers read it through its
     * source (arg_op), and a broadcast shared by unrelated groups (one learning rate broadcast
     * to every weight's shape) does not chain them together */
    if (f->group_of[k] < 0 && f->what[k] == FS_BCAST) continue;
    if (f->group_of[k] < 0) start_group(f, k);
    for (int i = 0; i < t->steps[k].node->nin; i++) {
      const source *src = &t->steps[k].in[i];
      if (src->kind == FROM_STEP && f->group_of[src->index] >= 0 &&
          f->group_of[src->index] != f->group_of[k])
        try_merge(f, f->group_of[k], f->group_of[src->index]);
    }
    group *g = &f->groups[f->group_of[k]];
    g->nmembers++;
    bool absorbed =
        f->what[k] == FS_BCAST && !(t->steps[k].in[0].kind == FROM_STEP &&
                                    f->group_of[t->steps[k].in[0].index] == f->group_of[k]);
    if (!absorbed) g->ncompute++;
  }
  /* single computing steps, and groups reading a multi-output node (the unfused replay maps
   * inputs by node), stay as they are */
  for (int k = 0; k < t->nsteps; k++) {
    int gi = f->group_of[k];
    if (gi < 0) continue;
    bool bad = f->groups[gi].ncompute < 2;
    for (int i = 0; i < t->steps[k].node->nin && !bad; i++) {
      const source *src = &t->steps[k].in[i];
      bad = src->kind == FROM_STEP && f->group_of[src->index] != gi &&
            t->steps[src->index].node->nout > 1;
    }
    if (bad) f->groups[gi].ncompute = 0;
  }
  for (int k = 0; k < t->nsteps; k++)
    if (f->group_of[k] >= 0 && f->groups[f->group_of[k]].ncompute < 2) f->group_of[k] = -1;
}

/* ---- one group's program ---- */

typedef struct {
  mx_fop *ops;
  int nops, cap;
  source *in; /* the fused step's inputs */
  int *in_row;
  int nin;
  int *op_of; /* member step -> op */
} program;

static int add_op(program *p, mx_fop op) {
  return mx_fop_append(&p->ops, &p->nops, &p->cap, op);
}

static double scalar_value(const mx_array *a) {
  const void *d = mx_array_data(a);
  switch (a->dtype) {
  case MX_FLOAT32:
    return *(const float *)d;
  case MX_FLOAT16:
    return mx_h2f(*(const uint16_t *)d);
  case MX_BFLOAT16:
    return mx_bf2f(*(const uint16_t *)d);
  case MX_INT32:
    return *(const int32_t *)d;
  default:
    return *(const uint8_t *)d != 0;
  }
}

/* Whether array a, read broadcast to group g's frame, may vary along a row. In a shapeless trace
 * an axis of size 1 may have any size in a later call: only the axes a lacks are constant (a
 * (1,) input traced as one value per row read its first element for every (5,) input). */
static bool varies_along_rows(const group *g, const mx_array *a, bool shapeless) {
  int off = g->ndim - a->ndim;
  for (int d = g->ndim - g_inner(g); d < g->ndim; d++)
    if (d >= off && (shapeless || a->shape[d - off] != 1)) return true;
  return false;
}

/* The op that reads source `s` (array `traced`) as a full (row = 0) or row value. Evaluated
 * one-element constants are inlined; inputs that are constant along a row are read once per
 * row. */
static int arg_op(fuser *f, program *p, int gi, const source *s, mx_array *traced, int row) {
  if (s->kind == FROM_STEP && f->group_of[s->index] == gi) return p->op_of[s->index];
  source peeled;
  if (s->kind == FROM_CONSTANT) { /* a broadcast constant: its source, read broadcast */
    while (traced->node->prim == MX_PRIM_BROADCAST && traced->node->nin == 1)
      traced = traced->node->inputs[0];
    peeled = (source){FROM_CONSTANT, 0, 0, traced};
    s = &peeled;
  }
  while (s->kind == FROM_STEP && f->group_of[s->index] < 0 &&
         f->t->steps[s->index].node->prim == MX_PRIM_BROADCAST) {
    /* an unfused broadcast step: its input, read broadcast (nothing materialized) */
    traced = f->t->steps[s->index].node->inputs[0];
    s = &f->t->steps[s->index].in[0];
  }
  if (s->kind == FROM_STEP && f->group_of[s->index] == gi) return p->op_of[s->index];
  /* (a lazy one is read as an input: evaluating it here detached nodes that steps of the tape
   * still name, a use after free in the grad of a compiled softmax) */
  if (s->kind == FROM_CONSTANT && traced->size == 1) {
    if (mx_array_status(s->constant) == MX_AVAILABLE && mx_array_data(s->constant))
      return add_op(p, (mx_fop){.kind = MX_FOP_CONST,
                                .dtype = traced->dtype,
                                .row = 1,
                                .args = {-1, -1, -1},
                                .value = scalar_value(s->constant)});
  }
  row = row || !varies_along_rows(&f->groups[gi], traced, f->shapeless);
  for (int i = 0; i < p->nin; i++)
    if (p->in_row[i] == row && p->in[i].kind == s->kind && p->in[i].index == s->index &&
        p->in[i].out == s->out && p->in[i].constant == s->constant)
      for (int o = 0; o < p->nops; o++)
        if (p->ops[o].kind == MX_FOP_INPUT && p->ops[o].input == i) return o;
  source *in = realloc(p->in, sizeof *in * (size_t)(p->nin + 1));
  int *in_row = in ? realloc(p->in_row, sizeof *in_row * (size_t)(p->nin + 1)) : NULL;
  if (in) p->in = in;
  if (in_row) p->in_row = in_row;
  if (!in || !in_row) return -1;
  p->in[p->nin] = *s;
  p->in_row[p->nin] = row;
  return add_op(p, (mx_fop){.kind = MX_FOP_INPUT,
                            .dtype = traced->dtype,
                            .row = row,
                            .args = {-1, -1, -1},
                            .input = p->nin++});
}

static int reduce_op(program *p, int op, int arg, int dtype) {
  return add_op(
      p,
      (mx_fop){.kind = MX_FOP_REDUCE, .prim = op, .dtype = dtype, .row = 1, .args = {arg, -1, -1}});
}

static int compute_op(program *p, int kind, int prim, int dtype, int a0, int a1, int a2) {
  int row = p->ops[a0].row && (a1 < 0 || p->ops[a1].row) && (a2 < 0 || p->ops[a2].row);
  return add_op(
      p, (mx_fop){.kind = kind, .prim = prim, .dtype = dtype, .row = row, .args = {a0, a1, a2}});
}

/* A constant of a float dtype (a row value: inlined in generated code). */
static int float_const(program *p, int dtype, float v) {
  return add_op(
      p,
      (mx_fop){.kind = MX_FOP_CONST, .dtype = dtype, .row = 1, .args = {-1, -1, -1}, .value = v});
}

/* nan_to_num(x) as the eager kernel computes it: y = x == inf ? posinf : x; y = x == -inf ?
 * neginf : y; x != x ? nan : y, with the replacement values rounded to the dtype as the kernel
 * rounds them (mx_cpu_nan_to_num_values), inlined as constants. */
static int nan_to_num_op(program *p, const mx_nan_to_num_params *prm, int dtype, int x) {
  float v[3];
  mx_cpu_nan_to_num_values(prm, (mx_dtype)dtype, v);
  static const int test[3] = {MX_PRIM_ISPOSINF, MX_PRIM_ISNEGINF, MX_PRIM_ISNAN};
  int y = x;
  for (int k = 0; k < 3 && y >= 0; k++) {
    int c = float_const(p, dtype, v[k == 2 ? 0 : k + 1]); /* posinf, neginf, then nan */
    int t = c < 0 ? -1 : compute_op(p, MX_FOP_UNARY, test[k], MX_BOOL, x, -1, -1);
    y = t < 0 ? -1 : compute_op(p, MX_FOP_SELECT, MX_PRIM_SELECT, dtype, t, c, y);
  }
  return y;
}

/* The op computing member k (its inputs' ops first). -1: out of memory. */
static int member_op(fuser *f, program *p, int gi, int k) {
  const step *s = &f->t->steps[k];
  const mx_node *n = s->node;
  const group *g = &f->groups[gi];
  int cls = f->what[k] == FS_REDUCE ? 1 : shape_class(g, &n->out[0]);
  int full_in = f->what[k] == FS_REDUCE || f->what[k] == FS_SOFTMAX ? 0 : cls;
  int a[3] = {-1, -1, -1};
  for (int i = 0; i < n->nin; i++)
    if ((a[i] = arg_op(f, p, gi, &s->in[i], n->inputs[i], full_in)) < 0) return -1;
  int dt = n->out[0].dtype;
  switch (f->what[k]) {
  case FS_BCAST:
    return a[0]; /* a row value, or an input read broadcast */
  case FS_REDUCE:
    return reduce_op(p, ((const mx_reduce_params *)n->params)->op, a[0], dt);
  case FS_SOFTMAX: { /* exp(x - max) * (1 / sum), in float32, as the eager kernel scales */
    int m = reduce_op(p, MX_REDUCE_MAX, a[0], MX_FLOAT32);
    int d = m < 0 ? -1 : compute_op(p, MX_FOP_BINARY, MX_PRIM_SUBTRACT, MX_FLOAT32, a[0], m, -1);
    int e = d < 0 ? -1 : compute_op(p, MX_FOP_UNARY, MX_PRIM_EXP, MX_FLOAT32, d, -1, -1);
    int z = e < 0 ? -1 : reduce_op(p, MX_REDUCE_SUM, e, MX_FLOAT32);
    int one = z < 0 ? -1
                    : add_op(p, (mx_fop){.kind = MX_FOP_CONST,
                                         .dtype = MX_FLOAT32,
                                         .row = 1,
                                         .args = {-1, -1, -1},
                                         .value = 1.0});
    int r = one < 0 ? -1 : compute_op(p, MX_FOP_BINARY, MX_PRIM_DIVIDE, MX_FLOAT32, one, z, -1);
    return r < 0 ? -1 : compute_op(p, MX_FOP_BINARY, MX_PRIM_MULTIPLY, dt, e, r, -1);
  }
  default:
    break;
  }
  if (n->prim == MX_PRIM_CLIP) {
    a[0] = compute_op(p, MX_FOP_BINARY, MX_PRIM_MAXIMUM, dt, a[0], a[1], -1);
    if (a[0] < 0) return -1;
    if (cls == 1) p->ops[a[0]].row = 1;
    a[1] = a[2], a[2] = -1;
  }
  int op;
  if (n->prim == MX_PRIM_NAN_TO_NUM) {
    op = nan_to_num_op(p, n->params, dt, a[0]);
  } else if (n->prim == MX_PRIM_FLOOR_DIVIDE && arg_kind(&n->out[0]) == MX_FK_F) {
    op = compute_op(p, MX_FOP_BINARY, MX_PRIM_DIVIDE, dt, a[0], a[1], -1); /* then floor */
    if (op >= 0 && cls == 1) p->ops[op].row = 1;
    if (op >= 0) op = compute_op(p, MX_FOP_UNARY, MX_PRIM_FLOOR, dt, op, -1, -1);
  } else {
    int kind =
        n->prim == MX_PRIM_ASTYPE || n->prim == MX_PRIM_COPY || n->prim == MX_PRIM_STOP_GRADIENT
            ? MX_FOP_CAST
        : n->prim == MX_PRIM_SELECT ? MX_FOP_SELECT
        : n->nin == 1               ? MX_FOP_UNARY
                                    : MX_FOP_BINARY;
    int prim = n->prim == MX_PRIM_CLIP ? MX_PRIM_MINIMUM : n->prim;
    op = compute_op(p, kind, prim, dt, a[0], a[1], a[2]);
  }
  if (op >= 0 && cls == 1) p->ops[op].row = 1; /* (a value of the row shape) */
  return op;
}

/* ---- the Compiled primitive ---- */

static void fused_retain(void *obj) {
  atomic_fetch_add(&((mx_fused *)obj)->refs, 1);
}

static void fused_release(void *obj) {
  mx_fused *f = obj;
  if (atomic_fetch_sub(&f->refs, 1) != 1) return;
  if (f->unfused) {
    tape_free(f->unfused);
    free(f->unfused);
  }
  if (f->exec_free) f->exec_free(f->exec);
  pthread_mutex_destroy(&f->lock);
  free(f->ops);
  free(f->outs);
  free(f->out_row);
  free(f);
}

static int replay_unfused(void *payload, const mx_arrays *in, mx_arrays *out) {
  return tape_replay(payload, in, out);
}

static const mx_fused *fused_of(const mx_node *n) {
  return ((const mx_params_ref *)n->params)->obj;
}

static mx_fun unfused_fun(const mx_node *n) {
  return (mx_fun){replay_unfused, fused_of(n)->unfused};
}

/* Shapeless replays. The Compiled node's outputs take the frame's shape (mx_shapes_compiled) and
 * its reductions run over the frame's rows, which is what an unfused replay gives unless an
 * output reads only operands smaller than the frame (x - max(x + b) with x (1,) and b (5,):
 * eager (1,), the frame (5,)) or a reduction's operand is (mean(z) of a z (R, 1) traced beside
 * an x (R, 1) and replayed beside an x (R, 3): the frame's rows hold three copies of z). Each
 * op's shape here is the broadcast of its operands', as the unfused graph computes it. */
bool mx_compiled_shapes_exact(const mx_node *n, mx_array *const *inputs, int nin) {
  const mx_fused *f = fused_of(n);
  int nd = f->ndim;
  int32_t(*shape)[MX_MAX_NDIM] = malloc(sizeof *shape * (size_t)(f->nops + 1));
  if (!shape) return true; /* (the fused replay then runs: the frame's shapes) */
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    for (int d = 0; d < nd; d++) shape[i][d] = 1;
    if (op->kind == MX_FOP_INPUT && op->input < nin) {
      const mx_array *a = inputs[op->input];
      for (int d = nd - a->ndim; d < nd; d++) shape[i][d] = a->shape[d - (nd - a->ndim)];
    }
    for (int k = 0; k < 3 && op->kind >= MX_FOP_UNARY; k++)
      for (int d = 0; d < nd && op->args[k] >= 0; d++)
        if (shape[op->args[k]][d] != 1) shape[i][d] = shape[op->args[k]][d];
    for (int d = nd - f->ninner; d < nd && op->kind == MX_FOP_REDUCE; d++) shape[i][d] = 1;
  }
  int32_t frame[MX_MAX_NDIM];
  mx_fused_frame(f, inputs, nin, frame);
  bool exact = true;
  for (int i = 0; i < f->nops && exact; i++)
    for (int d = nd - f->ninner; d < nd && f->ops[i].kind == MX_FOP_REDUCE; d++)
      exact &= shape[f->ops[i].args[0]][d] == frame[d];
  for (int o = 0; o < f->nout && exact; o++)
    for (int d = 0; d < nd; d++)
      exact &= shape[f->outs[o]][d] == (f->out_row[o] && d >= nd - f->ninner ? 1 : frame[d]);
  free(shape);
  return exact;
}

int mx_compiled_replay_unfused(const mx_node *n, mx_array *const *inputs, int nin, mx_arrays *out) {
  mx_arrays in = {(mx_array **)inputs, nin};
  return tape_replay(fused_of(n)->unfused, &in, out);
}

/* The transforms see the unfused graph. */
int mx_vjp_compiled(mx_node *n, mx_array *const *cotangents, const int *argnums, int nargs,
                    mx_array **grads) {
  mx_arrays primals = {n->inputs, n->nin}, cots = {(mx_array **)cotangents, n->nout};
  mx_arrays outs = {0}, vjps = {0};
  MX_TRY(mx_vjp(unfused_fun(n), &primals, &cots, &outs, &vjps));
  int rc = 0;
  for (int i = 0; i < nargs; i++)
    if (!(grads[i] = vjps.items[argnums[i]] ? mx_array_retain(vjps.items[argnums[i]]) : NULL))
      rc = rc ? rc : mx_zeros_like(&grads[i], n->inputs[argnums[i]]);
  mx_arrays_free(&outs);
  mx_arrays_free(&vjps);
  return rc;
}

int mx_jvp_compiled(mx_node *n, mx_array *const *tangents, const int *argnums, int nargs,
                    mx_array **out_tangents) {
  mx_arrays primals = {n->inputs, n->nin}, tans = {0}, outs = {0}, jvps = {0};
  int rc = mx_arrays_from(&tans, n->inputs, n->nin);
  for (int i = 0; !rc && i < n->nin; i++) {
    mx_array_release(tans.items[i]);
    tans.items[i] = NULL;
    rc = mx_zeros_like(&tans.items[i], n->inputs[i]);
  }
  for (int i = 0; !rc && i < nargs; i++) {
    mx_array_release(tans.items[argnums[i]]);
    tans.items[argnums[i]] = mx_array_retain(tangents[i]);
  }
  if (!rc) rc = mx_jvp(unfused_fun(n), &primals, &tans, &outs, &jvps);
  for (int j = 0; !rc && j < n->nout; j++) out_tangents[j] = mx_array_retain(jvps.items[j]);
  mx_arrays_free(&tans);
  mx_arrays_free(&outs);
  mx_arrays_free(&jvps);
  return rc;
}

int mx_vmap_compiled(mx_node *n, mx_array *const *inputs, const int *in_axes, mx_array **outs,
                     int *out_axes) {
  mx_arrays in = {(mx_array **)inputs, n->nin}, res = {0};
  int zero = 0;
  MX_TRY(mx_vmap(unfused_fun(n), &in, in_axes, &zero, 1, &res));
  for (int j = 0; j < n->nout; j++) {
    outs[j] = mx_array_retain(res.items[j]);
    out_axes[j] = 0;
  }
  mx_arrays_free(&res);
  return 0;
}

void mx_fused_frame(const mx_fused *f, mx_array *const *inputs, int nin, int32_t *shape) {
  for (int d = 0; d < f->ndim; d++) {
    shape[d] = (f->from_inputs >> d & 1) ? 1 : f->shape[d];
    for (int i = 0; (f->from_inputs >> d & 1) && i < nin; i++) {
      int ad = d - (f->ndim - inputs[i]->ndim);
      if (ad >= 0 && inputs[i]->shape[ad] != 1) shape[d] = inputs[i]->shape[ad];
    }
  }
}

int mx_shapes_compiled(const void *params, mx_array *const *inputs, int nin, int *ndims,
                       int32_t (*shapes)[MX_MAX_NDIM]) {
  const mx_fused *f = ((const mx_params_ref *)params)->obj;
  int32_t frame[MX_MAX_NDIM];
  mx_fused_frame(f, inputs, nin, frame);
  for (int o = 0; o < f->nout; o++) {
    ndims[o] = f->ndim;
    for (int d = 0; d < f->ndim; d++)
      shapes[o][d] = f->out_row[o] && d >= f->ndim - f->ninner ? 1 : frame[d];
  }
  return 0;
}

/* ---- rewriting the tape ---- */

/* The traced array a source names. */
static mx_array *traced_array(const tape *t, const mx_arrays *placeholders, const source *s) {
  switch (s->kind) {
  case FROM_INPUT:
    return placeholders->items[s->index];
  case FROM_STEP:
    return &t->steps[s->index].node->out[s->out];
  default:
    return s->constant;
  }
}

static int keep_traced(tape *t, mx_array *a) {
  mx_array **grown = realloc(t->traced.items, sizeof *grown * (size_t)(t->traced.n + 1));
  if (!grown) return mx_error("[compile] Out of memory.");
  t->traced.items = grown;
  t->traced.items[t->traced.n++] = a;
  return 0;
}

enum { LEFT_UNFUSED = MX_ERR + 1 }; /* (too many outputs for one node) */

/* Builds group gi's program and its traced Compiled node (kept by the tape). out_of[k]: the
 * output of the node that member k's value is (-1: used only inside the group). */
static int build_group(fuser *f, const mx_arrays *placeholders, int gi, const bool *used_outside,
                       int *out_of, step *fused_step) {
  tape *t = f->t;
  const group *g = &f->groups[gi];
  program p = {.op_of = calloc((size_t)t->nsteps, sizeof(int))};
  mx_fused *fz = calloc(1, sizeof *fz);
  if (fz) { /* (so that fused_release frees it on every way out) */
    atomic_init(&fz->refs, 1);
    pthread_mutex_init(&fz->lock, NULL);
  }
  mx_arrays sub_in = {0}, sub_out = {0};
  int rc = p.op_of && fz ? 0 : mx_error("[compile] Out of memory.");
  int nout = 0;
  for (int k = g->first; !rc && k < t->nsteps; k++) {
    if (f->group_of[k] != gi) continue;
    if ((p.op_of[k] = member_op(f, &p, gi, k)) < 0) rc = mx_error("[compile] Out of memory.");
    out_of[k] = used_outside[k] ? nout++ : -1;
  }
  if (!rc && nout == 0)
    rc = LEFT_UNFUSED; /* nothing reads it any more (its count was moved up:
                          repoint_counts); building it read outs[0] unset */
  if (!rc && (!(fz->outs = malloc(sizeof *fz->outs * (size_t)(nout + 1))) ||
              !(fz->out_row = malloc(sizeof *fz->out_row * (size_t)(nout + 1)))))
    rc = mx_error("[compile] Out of memory.");
  if (!rc && !(sub_out.items = calloc((size_t)nout + 1, sizeof *sub_out.items)))
    rc = mx_error("[compile] Out of memory.");
  for (int k = g->first; !rc && k < t->nsteps; k++)
    if (f->group_of[k] == gi && out_of[k] >= 0) {
      fz->outs[out_of[k]] = p.op_of[k];
      fz->out_row[out_of[k]] =
          f->what[k] == FS_REDUCE || shape_class(g, &t->steps[k].node->out[0]) == 1;
      sub_out.items[sub_out.n++] = mx_array_retain(&t->steps[k].node->out[0]);
    }
  if (!rc && !(sub_in.items = calloc((size_t)p.nin + 1, sizeof *sub_in.items)))
    rc = mx_error("[compile] Out of memory.");
  for (int i = 0; !rc && i < p.nin; i++)
    sub_in.items[sub_in.n++] = mx_array_retain(traced_array(t, placeholders, &p.in[i]));
  tape *unfused = rc ? NULL : calloc(1, sizeof *unfused);
  if (!rc && !unfused) rc = mx_error("[compile] Out of memory.");
  if (!rc) rc = tape_build(unfused, &sub_in, &sub_out, false, false);
  if (unfused) fz->unfused = unfused;
  if (!rc) { /* the sub-tape keeps its ends alive */
    unfused->traced = sub_out;
    for (int i = 0; i < sub_in.n && !rc; i++) rc = keep_traced(unfused, sub_in.items[i]);
    if (!rc) free(sub_in.items), sub_in = (mx_arrays){0};
    sub_out = (mx_arrays){0};
  }
  if (!rc) rc = mx_fused_hoist_extremes(&p.ops, &p.nops, fz->outs, nout);
  if (!rc) {
    fz->ops = p.ops, fz->nops = p.nops, fz->nin = p.nin, fz->nout = nout;
    fz->ndim = g->ndim, fz->ninner = g->ninner;
    memcpy(fz->shape, g->shape, sizeof(int32_t) * (size_t)g->ndim);
    for (int i = 0; i < p.nin; i++) {
      const mx_array *a = traced_array(t, placeholders, &p.in[i]);
      for (int d = g->ndim - a->ndim; d < g->ndim; d++)
        if (d >= 0 && a->shape[d - (g->ndim - a->ndim)] == g->shape[d]) fz->from_inputs |= 1u << d;
    }
    p.ops = NULL;
    mx_params_ref ref = {fused_retain, fused_release, fz};
    int ndims[MAX_STEP_OUTPUTS];
    int32_t shapes[MAX_STEP_OUTPUTS][MX_MAX_NDIM];
    const int32_t *shape_ptrs[MAX_STEP_OUTPUTS];
    mx_dtype dtypes[MAX_STEP_OUTPUTS];
    mx_array *outs[MAX_STEP_OUTPUTS];
    if (nout > MAX_STEP_OUTPUTS) rc = LEFT_UNFUSED;
    for (int o = 0; !rc && o < nout; o++) {
      shape_ptrs[o] = shapes[o];
      dtypes[o] = (mx_dtype)fz->ops[fz->outs[o]].dtype;
    }
    mx_array **ins = rc ? NULL : malloc(sizeof *ins * (size_t)(p.nin + 1));
    for (int i = 0; ins && i < p.nin; i++) ins[i] = traced_array(t, placeholders, &p.in[i]);
    if (!rc && !ins) rc = mx_error("[compile] Out of memory.");
    if (!rc) rc = mx_shapes_compiled(&ref, ins, p.nin, ndims, shapes);
    if (!rc)
      rc = mx_node_new(MX_PRIM_COMPILED, &ref, sizeof ref, ins, p.nin, nout, ndims, shape_ptrs,
                       dtypes, g->stream, outs);
    free(ins);
    if (!rc) {
      fz = NULL; /* the node holds it now */
      for (int o = 0; !rc && o < nout; o++) {
        rc = keep_traced(t, outs[o]);
        if (rc) mx_array_release(outs[o]);
      }
      if (!rc) {
        *fused_step = (step){outs[0]->node, p.in, 0};
        p.in = NULL;
      }
    }
  }
  if (fz) fused_release(fz);
  mx_arrays_free(&sub_in);
  mx_arrays_free(&sub_out);
  free(p.ops);
  free(p.in);
  free(p.in_row);
  free(p.op_of);
  return rc;
}

/* Orders the steps so each comes after the steps it reads: a fused step sits where its group's
 * first member was, which may precede a step it reads (one that joined later). */
static int sort_steps(tape *t) {
  int n = t->nsteps, nedges = 0, cnt = 0, top = 0;
  for (int k = 0; k < n; k++) nedges += t->steps[k].node->nin;
  int *state = calloc((size_t)n + 1, sizeof(int)), *pos = malloc(sizeof(int) * ((size_t)n + 1));
  int *stack = malloc(sizeof(int) * ((size_t)(n + nedges) + 1));
  step *sorted = malloc(sizeof(step) * ((size_t)n + 1));
  if (!state || !pos || !stack || !sorted) {
    free(state), free(pos), free(stack), free(sorted);
    return mx_error("[compile] Out of memory.");
  }
  for (int r = 0; r < n; r++) { /* depth first, sources before readers */
    if (state[r]) continue;
    stack[top++] = r;
    while (top) {
      int k = stack[top - 1];
      if (state[k] == 2) {
        top--;
      } else if (state[k] == 1) {
        state[k] = 2;
        pos[k] = cnt;
        sorted[cnt++] = t->steps[k];
        top--;
      } else {
        state[k] = 1;
        for (int i = 0; i < t->steps[k].node->nin; i++) {
          const source *s = &t->steps[k].in[i];
          if (s->kind == FROM_STEP && state[s->index] == 1) { /* a cycle through the groups */
            free(state), free(pos), free(stack), free(sorted);
            return TAPE_FUSE_CYCLE;
          }
          if (s->kind == FROM_STEP && !state[s->index]) stack[top++] = s->index;
        }
      }
    }
  }
  int made = 0;
  for (int j = 0; j < n; j++) {
    sorted[j].first_out = made;
    made += sorted[j].node->nout;
    for (int i = 0; i < sorted[j].node->nin; i++)
      if (sorted[j].in[i].kind == FROM_STEP) sorted[j].in[i].index = pos[sorted[j].in[i].index];
  }
  for (int o = 0; o < t->nout; o++)
    if (t->outs[o].kind == FROM_STEP) t->outs[o].index = pos[t->outs[o].index];
  free(t->steps);
  t->steps = sorted;
  free(state), free(pos), free(stack);
  return 0;
}

/* A NumberOfElements reads only its input's shape: pointed at the earliest array of that shape
 * up a chain of elementwise steps (mean(gelu(x)) counts x), it no longer reads the group that
 * computes its input, so the ops using the count can join that group. Not in a shapeless trace:
 * shapes equal in the trace may differ in a replay (mean(minimum(m, v)) with m (R, 1) and v
 * (C,) traced at C = 1 counted m's one column), and a replay passes a broadcast's input through,
 * of another shape (mean(y * x) with y (C,), x (R, C) counted axis 1 of y: garbage). */
static void repoint_counts(tape *t) {
  for (int k = 0; k < t->nsteps; k++) {
    if (t->steps[k].node->prim != MX_PRIM_NUMBER_OF_ELEMENTS) continue;
    source *src = &t->steps[k].in[0];
    while (src->kind == FROM_STEP) {
      const step *up = &t->steps[src->index];
      const source *next = NULL;
      if (mx_prims[up->node->prim].flags & MX_PF_ELEMENTWISE)
        for (int i = 0; i < up->node->nin && !next; i++)
          if (tape_same_shape(up->node->inputs[i], &up->node->out[0])) next = &up->in[i];
      if (!next) break;
      *src = *next;
    }
  }
}

int tape_fuse(tape *t, const mx_arrays *placeholders, bool shapeless) {
  if (t->nsteps < 2) return 0;
  if (!shapeless) repoint_counts(t);
  size_t n = (size_t)t->nsteps;
  fuser f = {.t = t,
             .shapeless = shapeless,
             .group_of = malloc(sizeof(int) * n),
             .what = malloc(sizeof(int) * n),
             .naxes = calloc(n, sizeof(int)),
             .groups = malloc(sizeof(group) * n),
             .seen = calloc(n, sizeof(int))};
  bool *used_outside = calloc(n, sizeof(bool));
  int *out_of = malloc(sizeof(int) * n), *new_index = malloc(sizeof(int) * n);
  step *steps = calloc(n + 1, sizeof(step));
  step *fused = calloc(n + 1, sizeof(step));
  int rc = f.group_of && f.what && f.naxes && f.groups && f.seen && used_outside && out_of &&
                   new_index && steps && fused
               ? 0
               : mx_error("[compile] Out of memory.");
  if (!rc) form_groups(&f);
  /* which member values leave their group */
  for (int k = 0; !rc && k < t->nsteps; k++)
    for (int i = 0; i < t->steps[k].node->nin; i++) {
      const source *s = &t->steps[k].in[i];
      if (s->kind == FROM_STEP && f.group_of[s->index] >= 0 &&
          f.group_of[s->index] != f.group_of[k])
        used_outside[s->index] = true;
    }
  for (int o = 0; !rc && o < t->nout; o++)
    if (t->outs[o].kind == FROM_STEP) used_outside[t->outs[o].index] = true;
  /* each group's Compiled step; a group that cannot be built stays unfused */
  for (int gi = 0; !rc && gi < f.ngroups; gi++) {
    int first = f.groups[gi].first;
    if (f.group_of[first] != gi) continue;
    int r = build_group(&f, placeholders, gi, used_outside, out_of, &fused[gi]);
    if (r == LEFT_UNFUSED)
      for (int k = first; k < t->nsteps; k++)
        f.group_of[k] = f.group_of[k] == gi ? -1 : f.group_of[k];
    else
      rc = r;
  }
  /* the new step list: a group's step where its first member was (sorted after) */
  int nnew = 0, nmade = 0;
  for (int k = 0; !rc && k < t->nsteps; k++) {
    int gi = f.group_of[k];
    if (gi >= 0 && f.groups[gi].first != k) continue;
    new_index[k] = nnew;
    steps[nnew] = gi >= 0 ? fused[gi] : t->steps[k];
    if (gi >= 0)
      fused[gi].in = NULL;
    else
      t->steps[k].in = NULL;
    steps[nnew].first_out = nmade;
    nmade += steps[nnew].node->nout;
    nnew++;
  }
  if (!rc) {
    /* sources into the new list: a member's value is an output of its group's step */
    for (int j = 0; j < nnew; j++)
      for (int i = 0; i < steps[j].node->nin; i++) {
        source *s = &steps[j].in[i];
        if (s->kind != FROM_STEP) continue;
        int gi = f.group_of[s->index];
        if (gi >= 0) s->out = out_of[s->index];
        s->index = new_index[gi >= 0 ? f.groups[gi].first : s->index];
      }
    for (int o = 0; o < t->nout; o++) {
      source *s = &t->outs[o];
      if (s->kind != FROM_STEP) continue;
      int gi = f.group_of[s->index];
      if (gi >= 0) s->out = out_of[s->index];
      s->index = new_index[gi >= 0 ? f.groups[gi].first : s->index];
    }
    for (int k = 0; k < t->nsteps; k++) free(t->steps[k].in);
    free(t->steps);
    t->steps = steps, t->nsteps = nnew, t->nmade = nmade;
    steps = NULL;
    rc = sort_steps(t);
  }
  for (int gi = 0; fused && gi < f.ngroups; gi++) free(fused[gi].in);
  free(fused);
  free(steps);
  free(f.group_of), free(f.what), free(f.naxes), free(f.groups), free(f.seen);
  free(used_outside), free(out_of), free(new_index);
  return rc;
}
