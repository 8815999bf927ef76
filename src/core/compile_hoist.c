/* The row maximum (minimum) of a monotone function of an earlier value, from that value's own
 * extreme: max_j g(u_j) = g(max_j u_j) for a non-decreasing g (min for a non-increasing one),
 * exactly in float arithmetic too, since rounding is monotone. A fused program's
 * max(v) with v = g(u), g a chain of + row, - row, * row, / row and negations, and u computed in
 * an earlier pass than v, gets the reduction of u (accumulated in u's pass) and g applied to it
 * as row ops; the pass that only reduced v is skipped when a row guard holds (every row
 * operand of g finite, multipliers and divisors also nonzero: then g maps no finite or
 * infinite u to nan), and runs as before otherwise. A softmax after a hand-written layer norm,
 * softmax((h - mu) * rsqrt(var + eps)), loses its max pass this way (bench/compile.py's chain).
 *
 * Multipliers and divisors must be known nonnegative (sqrt, rsqrt, exp, abs, square, a
 * nonnegative constant, sums and products of those): their sign then fixes g's direction. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/fused.h"
#include "core/primitives.h"
#include "ops/params.h"

enum { MAX_CHAIN = 4, MAX_GUARDS = 16 };

typedef struct {
  int u;                   /* the earlier value */
  int n;                   /* chain ops, innermost first */
  int ops[MAX_CHAIN];      /* g's ops */
  int row_arg[MAX_CHAIN];  /* each op's row operand, -1 for a negation */
  bool nonzero[MAX_CHAIN]; /* the guard also needs it nonzero (a multiplier or divisor) */
  bool decreasing;
} chain;

static bool nonnegative(const mx_fop *ops, const bool *nonneg, int i) {
  const mx_fop *op = &ops[i];
  if (op->kind == MX_FOP_CONST) return !__builtin_signbit(op->value);
  if (op->kind == MX_FOP_UNARY)
    return op->prim == MX_PRIM_SQRT || op->prim == MX_PRIM_RSQRT || op->prim == MX_PRIM_EXP ||
           op->prim == MX_PRIM_ABS || op->prim == MX_PRIM_SQUARE;
  if (op->kind == MX_FOP_BINARY &&
      (op->prim == MX_PRIM_ADD || op->prim == MX_PRIM_MULTIPLY || op->prim == MX_PRIM_DIVIDE))
    return nonneg[op->args[0]] && nonneg[op->args[1]];
  return false;
}

/* The chain g from reduction r's argument down to u, or false. */
static bool find_chain(const mx_fop *ops, const int *phase, const bool *nonneg, int r, chain *c) {
  int v = ops[r].args[0], x = v, walked[MAX_CHAIN];
  bool decreasing = false;
  int n = 0, rows[MAX_CHAIN];
  bool nz[MAX_CHAIN];
  for (; n < MAX_CHAIN; n++) {
    const mx_fop *op = &ops[x];
    if (op->row || op->dtype != MX_FLOAT32) break;
    int full, row = -1;
    bool flips = false, scales = false;
    if (op->kind == MX_FOP_UNARY && op->prim == MX_PRIM_NEGATIVE) {
      full = op->args[0];
      flips = true;
    } else if (op->kind == MX_FOP_BINARY) {
      int a = op->args[0], b = op->args[1];
      if (ops[a].row == ops[b].row) break;
      full = ops[a].row ? b : a;
      row = ops[a].row ? a : b;
      scales = op->prim == MX_PRIM_MULTIPLY || op->prim == MX_PRIM_DIVIDE;
      flips = op->prim == MX_PRIM_SUBTRACT && full == b; /* row - u */
      if (!(op->prim == MX_PRIM_ADD || op->prim == MX_PRIM_SUBTRACT ||
            (scales && nonneg[row] && !(op->prim == MX_PRIM_DIVIDE && full == b))))
        break;
    } else {
      break;
    }
    if (ops[full].dtype != MX_FLOAT32) break;
    decreasing ^= flips;
    walked[n] = x;
    rows[n] = row;
    nz[n] = scales;
    x = full;
  }
  if (n == 0 || ops[x].row || ops[x].kind == MX_FOP_CONST || phase[x] >= phase[v]) return false;
  c->u = x;
  c->n = n;
  c->decreasing = decreasing;
  for (int k = 0; k < n; k++) { /* innermost first */
    c->ops[k] = walked[n - 1 - k];
    c->row_arg[k] = rows[n - 1 - k];
    c->nonzero[k] = nz[n - 1 - k];
  }
  return true;
}

int mx_fop_append(mx_fop **ops, int *n, int *cap, mx_fop op) {
  if (*n == *cap) {
    int grown_cap = *cap ? 2 * *cap : 16;
    mx_fop *grown = realloc(*ops, sizeof *grown * (size_t)grown_cap);
    if (!grown) return -1;
    *ops = grown;
    *cap = grown_cap;
  }
  (*ops)[*n] = op;
  return (*n)++;
}

typedef struct {
  mx_fop *ops;
  int n, cap;
} op_list;

static int push(op_list *l, mx_fop op) {
  return mx_fop_append(&l->ops, &l->n, &l->cap, op);
}

static int row_op(op_list *l, int kind, int prim, int dtype, int a0, int a1, int a2) {
  return push(l,
              (mx_fop){.kind = kind, .prim = prim, .dtype = dtype, .row = 1, .args = {a0, a1, a2}});
}

/* The guard of chain c: its row operands finite (and nonzero where c->nonzero), one row bool
 * op; a chain with the same row operands as an earlier one shares its guard (seen), so that
 * a pass whose reductions all hoist (a max and a min of one value) can be skipped on it. */
typedef struct {
  int n, args[MAX_CHAIN], op;
  bool nonzero[MAX_CHAIN];
} guard_key;

static int emit_guard(op_list *l, const int *map, const chain *c, guard_key *seen, int *nseen) {
  guard_key key = {.op = -1};
  for (int k = 0; k < c->n; k++)
    if (c->row_arg[k] >= 0) {
      key.args[key.n] = map[c->row_arg[k]];
      key.nonzero[key.n++] = c->nonzero[k];
    }
  for (int s = 0; s < *nseen; s++)
    if (seen[s].n == key.n && !memcmp(seen[s].args, key.args, sizeof(int) * (size_t)key.n) &&
        !memcmp(seen[s].nonzero, key.nonzero, sizeof(bool) * (size_t)key.n))
      return seen[s].op;
  int guard = -1;
  for (int k = 0; k < key.n; k++) {
    int arg = key.args[k], ok = row_op(l, MX_FOP_UNARY, MX_PRIM_ISFINITE, MX_BOOL, arg, -1, -1);
    if (key.nonzero[k] && ok >= 0) {
      int zero = push(l, (mx_fop){.kind = MX_FOP_CONST,
                                  .dtype = l->ops[arg].dtype,
                                  .row = 1,
                                  .args = {-1, -1, -1},
                                  .value = 0.0});
      int nz = zero < 0 ? -1 : row_op(l, MX_FOP_BINARY, MX_PRIM_NOT_EQUAL, MX_BOOL, arg, zero, -1);
      ok = nz < 0 ? -1 : row_op(l, MX_FOP_BINARY, MX_PRIM_LOGICAL_AND, MX_BOOL, ok, nz, -1);
    }
    if (ok < 0) return -1;
    guard = guard < 0 ? ok : row_op(l, MX_FOP_BINARY, MX_PRIM_LOGICAL_AND, MX_BOOL, guard, ok, -1);
    if (guard < 0) return -1;
  }
  if (guard < 0) /* negations only: always */
    guard = push(
        l,
        (mx_fop){
            .kind = MX_FOP_CONST, .dtype = MX_BOOL, .row = 1, .args = {-1, -1, -1}, .value = 1.0});
  key.op = guard;
  if (guard >= 0 && *nseen < MAX_GUARDS) seen[(*nseen)++] = key;
  return guard;
}

/* After the copy of reduction r (at rc): the reduction of u, g over it, the guard and the select
 * that stands for r from here on; its index, or -1 (out of memory). map: old index -> new. */
static int emit_hoist(op_list *l, const mx_fop *old, const int *map, const chain *c, int r, int rc,
                      guard_key *seen, int *nseen) {
  bool want_max = (old[r].prim == MX_REDUCE_MAX) != c->decreasing;
  int x = row_op(l, MX_FOP_REDUCE, want_max ? MX_REDUCE_MAX : MX_REDUCE_MIN, MX_FLOAT32, map[c->u],
                 -1, -1);
  for (int k = 0; k < c->n && x >= 0; k++) { /* g's ops on x, the full operand's place */
    const mx_fop *op = &old[c->ops[k]];
    int a0 = x, a1 = -1;
    if (c->row_arg[k] >= 0 && op->args[0] == c->row_arg[k])
      a0 = map[c->row_arg[k]], a1 = x;
    else if (c->row_arg[k] >= 0)
      a1 = map[c->row_arg[k]];
    x = row_op(l, op->kind, op->prim, MX_FLOAT32, a0, a1, -1);
  }
  int guard = x < 0 ? -1 : emit_guard(l, map, c, seen, nseen);
  return guard < 0 ? -1 : row_op(l, MX_FOP_SELECT, MX_PRIM_SELECT, MX_FLOAT32, guard, x, rc);
}

int mx_fused_hoist_extremes(mx_fop **ops_io, int *nops_io, int32_t *outs, int nout) {
  const mx_fop *old = *ops_io;
  int nops = *nops_io;
  int *phase = calloc((size_t)nops, sizeof(int)), *map = malloc(sizeof(int) * (size_t)nops);
  bool *nonneg = calloc((size_t)nops, sizeof(bool));
  chain *chains = malloc(sizeof(chain) * (size_t)nops);
  bool *hoist = calloc((size_t)nops, sizeof(bool));
  int rc = phase && map && nonneg && chains && hoist ? 0 : mx_error("[compile] Out of memory.");
  bool any = false;
  for (int i = 0; !rc && i < nops; i++) { /* passes as the plan assigns them (fused.c) */
    const mx_fop *op = &old[i];
    for (int a = 0; a < 3 && op->kind >= MX_FOP_UNARY; a++)
      if (op->args[a] >= 0 && phase[op->args[a]] > phase[i]) phase[i] = phase[op->args[a]];
    if (op->kind == MX_FOP_REDUCE) phase[i] = phase[op->args[0]] + 1;
    nonneg[i] = nonnegative(old, nonneg, i);
    hoist[i] = op->kind == MX_FOP_REDUCE && op->dtype == MX_FLOAT32 &&
               (op->prim == MX_REDUCE_MAX || op->prim == MX_REDUCE_MIN) &&
               find_chain(old, phase, nonneg, i, &chains[i]);
    any |= hoist[i];
  }
  op_list l = {0};
  guard_key seen[MAX_GUARDS];
  int nseen = 0;
  for (int i = 0; !rc && any && i < nops; i++) {
    mx_fop op = old[i];
    for (int a = 0; a < 3 && op.kind >= MX_FOP_UNARY; a++)
      if (op.args[a] >= 0) op.args[a] = map[op.args[a]];
    map[i] = push(&l, op);
    if (map[i] >= 0 && hoist[i])
      map[i] = emit_hoist(&l, old, map, &chains[i], i, map[i], seen, &nseen);
    if (map[i] < 0) rc = mx_error("[compile] Out of memory.");
  }
  if (!rc && any) {
    for (int o = 0; o < nout; o++) outs[o] = map[outs[o]];
    free(*ops_io);
    *ops_io = l.ops;
    *nops_io = l.n;
    l.ops = NULL;
  }
  free(l.ops);
  free(phase);
  free(map);
  free(nonneg);
  free(chains);
  free(hoist);
  return rc;
}
