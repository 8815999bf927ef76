/* C code generation for fused kernels: one row function per program (contract in fused.c),
 * compiled by the system C compiler into a shared object, loaded with dlopen and cached on disk
 * under a hash of the source and the compiler (its path, size and modification time).
 *
 * Settings (environment, read at each new kernel): MLXC_CC the compiler (default "cc"; a
 * missing one means no code generation: the interpreter runs), MLXC_KERNEL_CACHE the cache
 * directory (default $XDG_CACHE_HOME/mlxc/kernels, ~/.cache/mlxc/kernels, or /tmp).
 *
 * The generated source starts with the text of ew_math.h, ew_vec512.h, half.h, fused_vmath.h and
 * fused_ops.h (embedded at build time as mx_fused_prelude), so a fused op computes what the eager
 * kernel computes (on AVX-512 CPUs with the same vector functions, fused_vmath.h). Each
 * pass over the row is a loop in blocks of 4096 elements (reductions add each block's float
 * partial into a double), with a copy of the loop for unit-stride inputs; `omp simd` lets the
 * compiler vectorize reductions. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/cpu/fused.h"
#include "backend/cpu/fused_ops.h"
#include "core/primitives.h"
#include "ops/params.h"

extern char **environ;
extern const char mx_fused_prelude[]; /* generated: see MLXC_PRELUDE_HEADERS in CMakeLists.txt */

/* ---- the op tables as strings ---- */

typedef struct {
  int prim, kin, kout;
  const char *expr;
} op_text;

#define F MX_FK_F
#define I MX_FK_I
#define B MX_FK_B
#define ROW(P, KI, KO, EXPR) {MX_PRIM_##P, KI, KO, #EXPR},
static const op_text unary_ops[] = {MX_FUSED_UNARY(ROW)};
static const op_text binary_ops[] = {MX_FUSED_BINARY(ROW)};
#undef ROW
#define CAST(KI, KO, EXPR) {0, KI, KO, #EXPR},
static const op_text cast_ops[] = {MX_FUSED_CASTS(CAST)};
#undef CAST
#undef F
#undef I
#undef B

static const op_text *find(const op_text *t, size_t n, int prim, int kin) {
  for (size_t i = 0; i < n; i++)
    if (t[i].prim == prim && t[i].kin == kin) return &t[i];
  return NULL;
}
#define FIND(t, prim, kin) find(t, sizeof t / sizeof t[0], prim, kin)

int mx_fused_unary_kind(int prim, int kin) {
  const op_text *o = FIND(unary_ops, prim, kin);
  return o ? o->kout : -1;
}

int mx_fused_binary_kind(int prim, int kin) {
  const op_text *o = FIND(binary_ops, prim, kin);
  return o ? o->kout : -1;
}

/* ---- a growing string ---- */

typedef struct {
  char *s;
  size_t n, cap;
  int failed;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) {
  if (b->failed) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
      b->failed = 1;
      return;
    }
    if (b->s && b->n + (size_t)k < b->cap) {
      b->n += (size_t)k;
      return;
    }
    size_t cap = (b->cap + (size_t)k + 1) * 2;
    char *grown = realloc(b->s, cap);
    if (!grown) {
      b->failed = 1;
      return;
    }
    b->s = grown;
    b->cap = cap;
  }
}

/* expr with the identifiers x, y replaced by a, b */
static void put_expr(sbuf *out, const char *expr, const char *a, const char *b) {
  for (const char *p = expr; *p;) {
    bool ident_start =
        (p == expr || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                        (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9')));
    char next = p[1];
    bool alone = !(next == '_' || (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
                   (next >= '0' && next <= '9'));
    if (ident_start && alone && (*p == 'x' || *p == 'y')) {
      put(out, "(%s)", *p == 'x' ? a : b);
    } else {
      put(out, "%c", *p);
    }
    p++;
  }
}

/* ---- generation ---- */

/* The type of a value in the kernel: bool values are int32 0 / 1 there (stored as bytes), since
 * GCC does not vectorize a float comparison converted to a byte (kernels with bool outputs ran
 * scalar). */
static const char *ctype(int dtype) {
  return mx_fused_kind(dtype) == MX_FK_F ? "float" : "int32_t";
}

static const char *storage_type(int dtype) {
  switch (dtype) {
  case MX_FLOAT32:
    return "float";
  case MX_FLOAT16:
  case MX_BFLOAT16:
    return "uint16_t";
  case MX_INT32:
    return "int32_t";
  default:
    return "uint8_t";
  }
}

static void put_load(sbuf *b, int dtype, const char *ref) {
  if (dtype == MX_FLOAT16)
    put(b, "mx_h2f(%s)", ref);
  else if (dtype == MX_BFLOAT16)
    put(b, "mx_bf2f(%s)", ref);
  else
    put(b, "%s", ref);
}

static void put_store(sbuf *b, int dtype, const char *dst, const char *v) {
  if (dtype == MX_FLOAT16)
    put(b, "%s = mx_f2h(%s);\n", dst, v);
  else if (dtype == MX_BFLOAT16)
    put(b, "%s = mx_f2bf(%s);\n", dst, v);
  else
    put(b, "%s = %s;\n", dst, v);
}

typedef struct {
  const mx_fused *f;
  const mx_fused_plan *plan;
  sbuf *b;
  int loop;   /* the pass being generated */
  int contig; /* unit-stride copy of the loop */
  /* Segments of a pass (see put_loop): level[i] is the segment that computes op i of the pass
   * (a bulk op: the first segment that reads its block); bulk[i] marks bulk ops. */
  int *level;
  bool *bulk;
  /* far: the kernel has mx_fused_row_far, where the first pass that reads an input prefetches
   * it; fetched[i]: input op i is prefetched by an earlier pass, first[i]: by this one */
  bool far;
  bool *fetched, *first;
} gen;

/* How op x is referred to inside pass g->loop (or between passes when loop < 0). */
static void ref(const gen *g, int x, char *out, size_t n) {
  const mx_fop *op = &g->f->ops[x];
  if (op->row || op->kind == MX_FOP_INPUT || mx_fused_in_pass(g->plan, x, g->loop) ||
      g->plan->slot[x] < 0)
    snprintf(out, n, "v%d", x);
  else
    snprintf(out, n, "sc%d[j]", g->plan->slot[x]);
}

/* v<i> = its expression (declared), rounded to a 16-bit float type when that is its dtype. */
static void put_op(const gen *g, int i) {
  const mx_fop *op = &g->f->ops[i];
  sbuf *b = g->b;
  char a[3][32] = {"", "", ""};
  for (int k = 0; k < 3; k++)
    if (op->kind >= MX_FOP_UNARY && op->args[k] >= 0) ref(g, op->args[k], a[k], sizeof a[k]);
  put(b, "%s v%d = (%s)(", ctype(op->dtype), i, ctype(op->dtype));
  int kin = op->kind >= MX_FOP_UNARY ? mx_fused_kind(g->f->ops[op->args[0]].dtype) : 0;
  switch (op->kind) {
  case MX_FOP_UNARY:
    put_expr(b, FIND(unary_ops, op->prim, kin)->expr, a[0], "");
    break;
  case MX_FOP_BINARY:
    put_expr(b, FIND(binary_ops, op->prim, kin)->expr, a[0], a[1]);
    break;
  case MX_FOP_SELECT:
    put(b, "%s ? %s : %s", a[0], a[1], a[2]);
    break;
  case MX_FOP_CAST: {
    const op_text *c = NULL;
    for (size_t k = 0; k < sizeof cast_ops / sizeof cast_ops[0]; k++)
      if (cast_ops[k].kin == kin && cast_ops[k].kout == mx_fused_kind(op->dtype)) c = &cast_ops[k];
    put_expr(b, c->expr, a[0], "");
    break;
  }
  case MX_FOP_CONST:
    if (mx_fused_kind(op->dtype) != MX_FK_F)
      put(b, "%lld", (long long)op->value);
    else if (isnan(op->value))
      put(b, "EW_NANF");
    else if (isinf(op->value))
      put(b, "%sEW_INFF", op->value < 0 ? "-" : "");
    else
      put(b, "%af", op->value);
    break;
  default:
    break;
  }
  put(b, ");\n");
  bool computed = op->kind != MX_FOP_CONST && op->kind != MX_FOP_INPUT;
  if (computed && op->dtype == MX_FLOAT16) put(b, "v%d = mx_h2f(mx_f2h(v%d));\n", i, i);
  if (computed && op->dtype == MX_BFLOAT16) put(b, "v%d = mx_bf2f(mx_f2bf(v%d));\n", i, i);
}

/* A reduction's starting value (a float literal: it also starts the double totals). */
static const char *red_init(int op) {
  return op == MX_REDUCE_SUM    ? "0.0f"
         : op == MX_REDUCE_PROD ? "1.0f"
         : op == MX_REDUCE_MAX  ? "-EW_INFF"
                                : "EW_INFF";
}

/* acc = acc (op) v: an element into a chunk's partial, or a partial into the row's total */
static void put_combine(sbuf *b, int op, const char *acc, const char *v) {
  if (op == MX_REDUCE_SUM || op == MX_REDUCE_PROD) {
    put(b, "%s %s= %s;\n", acc, op == MX_REDUCE_SUM ? "+" : "*", v);
    return;
  }
  put(b, "%s = %s %s %s ? %s : %s;\n", acc, acc, op == MX_REDUCE_MAX ? ">" : "<", v, acc, v);
}

/* Op i's vector-math function when it is a bulk op (a float32 function of one float32 value
 * computed by FX_M(name)(x)): its name (not terminated) and length; NULL otherwise. */
static const char *bulk_name(const mx_fused *f, int i, int *len) {
  const mx_fop *op = &f->ops[i];
  if (op->kind != MX_FOP_UNARY || op->row || op->dtype != MX_FLOAT32 ||
      f->ops[op->args[0]].dtype != MX_FLOAT32)
    return NULL;
  const op_text *t = FIND(unary_ops, op->prim, MX_FK_F);
  size_t n = t ? strlen(t->expr) : 0;
  if (n < 9 || strncmp(t->expr, "FX_M(", 5) || strcmp(t->expr + n - 4, ")(x)")) return NULL;
  *len = (int)(n - 9);
  return t->expr + 5;
}

bool mx_fused_cheap(const mx_fused *f, int i) {
  const mx_fop *op = &f->ops[i];
  if (op->kind == MX_FOP_SELECT || op->kind == MX_FOP_CAST || op->kind == MX_FOP_CONST) return true;
  if (op->kind != MX_FOP_UNARY && op->kind != MX_FOP_BINARY) return false;
  int kin = mx_fused_kind(f->ops[op->args[0]].dtype);
  const op_text *t =
      op->kind == MX_FOP_UNARY ? FIND(unary_ops, op->prim, kin) : FIND(binary_ops, op->prim, kin);
  static const char *const costly[] = {"FX_M(", "/", "%", "sqrt", "ew_", "FX_POWF"};
  for (size_t k = 0; t && k < sizeof costly / sizeof costly[0]; k++)
    if (strstr(t->expr, costly[k])) return false;
  return t != NULL;
}

/* Whether segment s of pass p reads value x: as an argument of an op computed there (a bulk
 * op's argument is written to the op's block in the segment before), of a reduction or an
 * output store of a value of that segment. */
static bool seg_uses(const gen *g, int p, int x, int s) {
  const mx_fused *f = g->f;
  for (int i = x + 1; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->kind < MX_FOP_UNARY) continue;
    bool red = op->kind == MX_FOP_REDUCE;
    if ((op->row && !red) ||
        (red ? g->plan->phase[op->args[0]] != p : !mx_fused_in_pass(g->plan, i, p)))
      continue;
    int at = red ? g->level[op->args[0]] : g->level[i] - g->bulk[i];
    for (int k = 0; k < 3 && at == s; k++)
      if (op->args[k] == x) return true;
  }
  for (int o = 0; o < f->nout; o++)
    if (f->outs[o] == x && g->plan->store_loop[o] == p && g->level[x] == s) return true;
  return false;
}

/* Whether op x of pass p (not a bulk op) is read by a later segment: it then goes through its
 * block bk<x>. */
static bool needs_block(const gen *g, int p, int x, int nseg) {
  for (int s = g->level[x] + 1; s < nseg; s++)
    if (seg_uses(g, p, x, s)) return true;
  return false;
}

/* The body of segment s of pass p for one element j (j - sb indexes the blocks). */
static void put_body(gen *g, int p, int s, int nseg) {
  const mx_fused *f = g->f;
  sbuf *b = g->b;
  char r[32];
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->row) continue;
    if (op->kind == MX_FOP_INPUT) {
      if (!seg_uses(g, p, i, s)) continue;
      char src[64];
      if (g->contig)
        snprintf(src, sizeof src, "i%d[j]", op->input);
      else
        snprintf(src, sizeof src, "i%d[j * s%d]", op->input, op->input);
      put(b, "const %s v%d = ", ctype(op->dtype), i);
      put_load(b, op->dtype, src);
      put(b, ";\n");
      continue;
    }
    if (!mx_fused_in_pass(g->plan, i, p)) continue;
    int lv = g->level[i];
    bool store = lv == s && g->plan->slot[i] >= 0;
    if (g->bulk[i]) {
      if (lv - 1 == s) {
        ref(g, op->args[0], r, sizeof r);
        put(b, "bk%d[j - sb] = %s;\n", i, r);
      }
      if (lv > s || !(store || seg_uses(g, p, i, s))) continue;
      put(b, "const float v%d = bk%d[j - sb];\n", i, i);
    } else if (lv == s) {
      put_op(g, i);
      if (needs_block(g, p, i, nseg)) put(b, "bk%d[j - sb] = v%d;\n", i, i);
    } else {
      if (lv < s && seg_uses(g, p, i, s))
        put(b, "const %s v%d = bk%d[j - sb];\n", ctype(op->dtype), i, i);
      continue;
    }
    if (store) put(b, "sc%d[j] = v%d;\n", g->plan->slot[i], i);
  }
  for (int i = 0; i < f->nops; i++) { /* reductions of this segment */
    const mx_fop *op = &f->ops[i];
    if (op->kind != MX_FOP_REDUCE || g->plan->phase[op->args[0]] != p || g->level[op->args[0]] != s)
      continue;
    ref(g, op->args[0], r, sizeof r);
    char acc[16];
    snprintf(acc, sizeof acc, "a%d", i);
    put_combine(b, op->prim, acc, r);
    if (op->prim != MX_REDUCE_SUM && op->prim != MX_REDUCE_PROD)
      put(b, "n%d |= %s != %s;\n", i, r, r);
  }
  for (int o = 0; o < f->nout; o++) {
    if (g->plan->store_loop[o] != p || g->level[f->outs[o]] != s) continue;
    char dst[32];
    snprintf(dst, sizeof dst, "o%d[j]", o);
    ref(g, f->outs[o], r, sizeof r);
    put_store(b, f->ops[f->outs[o]].dtype, dst, r);
  }
}

/* The segments of pass p: level[] and bulk[] of its ops; returns their number. */
static int put_levels(gen *g, int p) {
  const mx_fused *f = g->f;
  int nseg = 1, len;
  bool reduces = false;
  for (int i = 0; i < f->nops; i++)
    reduces |= f->ops[i].kind == MX_FOP_REDUCE && g->plan->phase[f->ops[i].args[0]] == p;
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    g->level[i] = 0;
    g->bulk[i] = false;
    if (op->row || op->kind == MX_FOP_INPUT || !mx_fused_in_pass(g->plan, i, p)) continue;
    for (int k = 0; k < 3; k++) {
      int a = op->kind >= MX_FOP_UNARY ? op->args[k] : -1;
      if (a >= 0 && !f->ops[a].row && f->ops[a].kind != MX_FOP_INPUT &&
          mx_fused_in_pass(g->plan, a, p) && g->level[a] > g->level[i])
        g->level[i] = g->level[a];
    }
    if (reduces && bulk_name(f, i, &len)) g->bulk[i] = true, g->level[i]++;
    if (g->level[i] + 1 > nseg) nseg = g->level[i] + 1;
  }
  return nseg;
}

/* Pass p: a loop over the row in chunks of 4096 (each reduction adds a chunk's float partial
 * into a double). With bulk ops the pass runs in segments over blocks of FX_BLOCK elements: a
 * bulk op's argument is written to its block bk<i> in one segment, the vector function runs
 * over the block (fx_b_<name>, fused_vmath.h), and later segments read it; other values that
 * later segments read go through blocks too (inputs are read again). The function is not called
 * per vector from the element loop because that call spills the loop's registers and reloads
 * its constants (GELU -> layer norm -> softmax rows: 1.52 -> 1.33 ns per element, one core).
 * Only passes with reductions do this: in purely elementwise loops the per-vector calls were
 * faster (tanh(x) * y + sigmoid(y) * 0.5 - x at 10^7: 9.9 ms against 11.7-13.1 ms in blocks). */
enum { FX_BLOCK = 512 };

/* Marks the inputs that pass p reads first (first[], fetched[]) and returns how many. */
static int first_reads(gen *g, int p, int nseg) {
  int n = 0;
  for (int i = 0; i < g->f->nops; i++) {
    const mx_fop *op = &g->f->ops[i];
    g->first[i] = false;
    if (!g->far || op->kind != MX_FOP_INPUT || op->row || g->fetched[i]) continue;
    for (int s = 0; s < nseg && !g->first[i]; s++) g->first[i] = seg_uses(g, p, i, s);
    if (g->first[i]) g->fetched[i] = true, n++;
  }
  return n;
}

/* In mx_fused_row_far (far is a constant there), the unit-stride copy of a pass that first
 * reads an input walks the row in blocks of FX_BLOCK and asks for each such input's next block
 * into L2 ahead of it (rows past the caches: the hardware prefetcher, which stops at every 4 KB
 * page, left a 1000-float row's erf pass waiting on memory; bench/fused_row.c). */
static void put_prefetch(const gen *g) {
  for (int i = 0; i < g->f->nops; i++) {
    if (!g->first[i]) continue;
    int in = g->f->ops[i].input;
    put(g->b,
        "if (far) for (int64_t q = sb; q < se; q += 64 / (int64_t)sizeof *i%d) "
        "__builtin_prefetch((const void *)((uintptr_t)(i%d + q) + %d * sizeof *i%d), 0, 2);\n",
        in, in, FX_BLOCK, in);
  }
}

static void put_loop(gen *g, int p) {
  const mx_fused *f = g->f;
  sbuf *b = g->b;
  int nseg = put_levels(g, p), len;
  int nfirst = first_reads(g, p, nseg);
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->kind != MX_FOP_REDUCE || g->plan->phase[op->args[0]] != p) continue;
    put(b, "double t%d = %s; int n%d_any = 0;\n", i, red_init(op->prim), i);
  }
  if (g->plan->skip[p] >= 0) put(b, "if (!v%d)\n", g->plan->skip[p]);
  put(b, "for (int64_t jb = 0; jb < d; jb += 4096) {\nconst int64_t je = d - jb < 4096 ? d : jb + "
         "4096;\n");
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->kind == MX_FOP_REDUCE && g->plan->phase[op->args[0]] == p)
      put(b, "float a%d = %s; int n%d = 0;\n", i, red_init(op->prim), i);
    if (nseg > 1 && !op->row && op->kind != MX_FOP_INPUT && mx_fused_in_pass(g->plan, i, p) &&
        (g->bulk[i] || needs_block(g, p, i, nseg)))
      put(b, "%s bk%d[%d] __attribute__((aligned(64)));\n", ctype(op->dtype), i, FX_BLOCK);
  }
  for (int copy = 0; copy < 2; copy++) {
    g->contig = copy == 0;
    bool blocks = nseg > 1 || (g->contig && nfirst > 0);
    const char *lo = blocks ? "sb" : "jb", *hi = blocks ? "se" : "je";
    put(b, copy == 0 ? "if (contig) {\n" : "} else {\n");
    if (blocks)
      put(b,
          "for (int64_t sb = jb; sb < je; sb += %d) {\nconst int64_t se = je - sb < %d ? je : sb "
          "+ %d;\n",
          FX_BLOCK, FX_BLOCK, FX_BLOCK);
    if (g->contig) put_prefetch(g);
    for (int sg = 0; sg < nseg; sg++) {
      put(b, "#pragma omp simd");
      for (int i = 0; i < f->nops; i++) {
        const mx_fop *op = &f->ops[i];
        if (op->kind != MX_FOP_REDUCE || g->plan->phase[op->args[0]] != p ||
            g->level[op->args[0]] != sg)
          continue;
        const char *rop = op->prim == MX_REDUCE_SUM    ? "+"
                          : op->prim == MX_REDUCE_PROD ? "*"
                          : op->prim == MX_REDUCE_MAX  ? "max"
                                                       : "min";
        put(b, " reduction(%s:a%d) reduction(|:n%d)", rop, i, i);
      }
      put(b, "\nfor (int64_t j = %s; j < %s; j++) {\n", lo, hi);
      put_body(g, p, sg, nseg);
      put(b, "}\n");
      for (int i = 0; i < f->nops && sg + 1 < nseg; i++) {
        const char *name = g->bulk[i] && g->level[i] == sg + 1 && g->plan->phase[i] == p
                               ? bulk_name(f, i, &len)
                               : NULL;
        if (name) put(b, "fx_b_%.*s(bk%d, se - sb);\n", len, name, i);
      }
    }
    if (blocks) put(b, "}\n");
  }
  put(b, "}\n");
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->kind != MX_FOP_REDUCE || g->plan->phase[op->args[0]] != p) continue;
    char total[16], part[16];
    snprintf(total, sizeof total, "t%d", i);
    snprintf(part, sizeof part, "a%d", i);
    put_combine(b, op->prim, total, part);
    put(b, "n%d_any |= n%d;\n", i, i);
  }
  put(b, "}\n");
}

/* Row ops computed before pass p (p == nloops: after the last), and row outputs among them. */
static void put_row_ops(gen *g, int p) {
  const mx_fused *f = g->f;
  sbuf *b = g->b;
  g->loop = -1;
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (!op->row || g->plan->phase[i] != p) continue;
    if (op->kind == MX_FOP_INPUT) {
      put(b, "const %s v%d = ", ctype(op->dtype), i);
      char src[32];
      snprintf(src, sizeof src, "i%d[0]", op->input);
      put_load(b, op->dtype, src);
      put(b, ";\n");
    } else if (op->kind == MX_FOP_REDUCE) {
      put(b, "float v%d = n%d_any ? EW_NANF : (float)t%d;\n", i, i, i);
      if (op->dtype == MX_FLOAT16) put(b, "v%d = mx_h2f(mx_f2h(v%d));\n", i, i);
      if (op->dtype == MX_BFLOAT16) put(b, "v%d = mx_bf2f(mx_f2bf(v%d));\n", i, i);
    } else {
      put_op(g, i);
    }
    for (int o = 0; o < f->nout; o++)
      if (f->outs[o] == i && f->out_row[o]) {
        char v[16], dst[32];
        snprintf(v, sizeof v, "v%d", i);
        snprintf(dst, sizeof dst, "o%d[0]", o);
        put_store(b, op->dtype, dst, v);
      }
  }
}

/* The distinct names of the FX_M(name) functions the program's ops call (at most the 23 of
 * fused_vmath.h): names[k] is not terminated, lens[k] is its length. */
enum { MAX_VMATH = 32 };
static int vmath_uses(const mx_fused *f, const char **names, int *lens) {
  int n = 0;
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->kind != MX_FOP_UNARY && op->kind != MX_FOP_BINARY) continue;
    int kin = mx_fused_kind(f->ops[op->args[0]].dtype);
    const op_text *t =
        op->kind == MX_FOP_UNARY ? FIND(unary_ops, op->prim, kin) : FIND(binary_ops, op->prim, kin);
    const char *m = t ? strstr(t->expr, "FX_M(") : NULL;
    if (!m) continue;
    const char *name = m + 5;
    int len = (int)strcspn(name, ")");
    bool dup = false;
    for (int k = 0; k < n && !dup; k++)
      dup = lens[k] == len && !strncmp(names[k], name, (size_t)len);
    if (!dup && n < MAX_VMATH) names[n] = name, lens[n++] = len;
  }
  return n;
}

static char *generate(const mx_fused *f, const mx_fused_plan *plan) {
  sbuf b = {0};
  /* the AVX-512 math (fused_vmath.h) is defined for the functions used, and its headers are only
   * read by kernels that use some (immintrin.h alone costs 0.2 s of compile time) */
  const char *names[MAX_VMATH];
  int lens[MAX_VMATH], nv = vmath_uses(f, names, lens);
  put(&b, "#define MX_FUSED_KERNEL 1\n%s", nv ? "#define FX_NEED_VMATH 1\n" : "");
  put(&b, "%s\n", mx_fused_prelude);
  for (int k = 0; k < nv; k++) put(&b, "FX_VMATH_USE(%.*s)\n", lens[k], names[k]);
  for (int k = 0; k < nv; k++) { /* the block functions of the bulk ops */
    bool used = false;
    for (int i = 0, len; i < f->nops && !used; i++) {
      const char *name = bulk_name(f, i, &len);
      used = name && len == lens[k] && !strncmp(name, names[k], (size_t)len);
    }
    if (used) put(&b, "FX_BULK_USE(%.*s)\n", lens[k], names[k]);
  }
  /* One row in fx_row; mx_fused_row picks the unit-stride or the strided loops once for all rows
   * (the strides are the same for every row): GCC does not vectorize an omp simd reduction loop
   * that has the other copy next to it in the same loop nest (softmax rows of 128 ran scalar). */
  put(&b,
      "static inline __attribute__((always_inline)) void fx_row(const int contig, const int far, "
      "int64_t d, int64_t r, void *const *in_, const int64_t *stride, const int64_t *rstride, "
      "void *const *out_, void *scratch) {\n(void)scratch; (void)far;\nvoid *in[%d], *out[%d];\n"
      "for (int k = 0; k < %d; k++) in[k] = (char *)in_[k] + r * rstride[k];\n"
      "for (int k = 0; k < %d; k++) out[k] = (char *)out_[k] + r * rstride[%d + k];\n",
      f->nin + 1, f->nout + 1, f->nin, f->nout, f->nin);
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (op->kind != MX_FOP_INPUT) continue;
    put(&b, "const %s *restrict i%d = (const %s *)in[%d];\n", storage_type(op->dtype), op->input,
        storage_type(op->dtype), op->input);
    put(&b, "const int64_t s%d = stride[%d]; (void)s%d;\n", op->input, op->input, op->input);
  }
  for (int o = 0; o < f->nout; o++) {
    int dt = f->ops[f->outs[o]].dtype;
    put(&b, "%s *restrict o%d = (%s *)out[%d];\n", storage_type(dt), o, storage_type(dt), o);
  }
  for (int i = 0; i < f->nops; i++)
    if (plan->slot[i] >= 0)
      put(&b, "%s *restrict sc%d = (%s *)((char *)scratch + (size_t)%d * (size_t)d * 4);\n",
          ctype(f->ops[i].dtype), plan->slot[i], ctype(f->ops[i].dtype), plan->slot[i]);
  size_t n = (size_t)f->nops;
  gen g = {.f = f,
           .plan = plan,
           .b = &b,
           .level = calloc(n, sizeof(int)),
           .bulk = calloc(n, sizeof(bool)),
           .far = f->ninner > 0,
           .fetched = calloc(n, sizeof(bool)),
           .first = calloc(n, sizeof(bool))};
  bool ok = g.level && g.bulk && g.fetched && g.first;
  for (int p = 0; p <= plan->nloops && ok; p++) {
    put_row_ops(&g, p);
    if (p == plan->nloops) break;
    g.loop = p;
    put_loop(&g, p);
  }
  put(&b, "}\n");
  /* mx_fused_row_far: the same with the prefetches (rows past the caches, fused.c) */
  for (int far = 0; far <= (int)g.far; far++) {
    put(&b,
        "void mx_fused_row%s(int64_t d, int64_t nrows, void *const *in_, const int64_t *stride, "
        "const int64_t *rstride, void *const *out_, void *scratch) {\nconst int contig = 1",
        far ? "_far" : "");
    for (int i = 0; i < f->nops; i++) {
      const mx_fop *op = &f->ops[i];
      if (op->kind == MX_FOP_INPUT && !op->row) put(&b, " && stride[%d] == 1", op->input);
    }
    put(&b,
        ";\nif (contig)\nfor (int64_t r = 0; r < nrows; r++) fx_row(1, %d, d, r, in_, stride, "
        "rstride, out_, scratch);\nelse\nfor (int64_t r = 0; r < nrows; r++) fx_row(0, 0, d, r, "
        "in_, stride, rstride, out_, scratch);\n}\n",
        far);
  }
  if (!ok) b.failed = 1;
  free(g.level);
  free(g.bulk);
  free(g.fetched);
  free(g.first);
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* ---- compiling, loading, the disk cache ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 0x100000001b3ull;
  return h;
}

/* (x86: GCC's tuning keeps auto-vectorized loops at 256 bits unless told; at 512 the generated
 * reductions and glue loops of bench/fused_row.c's chain run about a fifth faster on a Xeon) */
static const char *const cc_flags[] = {"-O3",
                                       "-march=native",
#if defined(__x86_64__)
                                       "-mprefer-vector-width=512",
#endif
                                       "-fPIC",
                                       "-shared",
                                       "-fopenmp-simd",
                                       "-fno-math-errno",
                                       "-fno-trapping-math",
                                       "-w"};
enum { NFLAGS = sizeof cc_flags / sizeof cc_flags[0] };

/* The compiler's path (MLXC_CC, or cc on PATH); false when there is none. */
static bool find_compiler(char *path, size_t n) {
  const char *cc = getenv("MLXC_CC");
  if (!cc || !*cc) cc = "cc";
  if (strchr(cc, '/')) {
    snprintf(path, n, "%s", cc);
    return access(path, X_OK) == 0;
  }
  const char *dirs = getenv("PATH");
  if (!dirs) dirs = "/usr/bin:/bin";
  for (const char *p = dirs; *p;) {
    const char *end = strchr(p, ':');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    snprintf(path, n, "%.*s/%s", (int)len, p, cc);
    if (len && access(path, X_OK) == 0) return true;
    p += len + (end ? 1 : 0);
  }
  return false;
}

static bool make_dirs(char *dir) {
  for (char *p = dir + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      if (mkdir(dir, 0755) != 0 && errno != EEXIST) return false;
      *p = '/';
    }
  return mkdir(dir, 0755) == 0 || errno == EEXIST;
}

static bool cache_dir(char *dir, size_t n) {
  const char *env = getenv("MLXC_KERNEL_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  if (env && *env)
    snprintf(dir, n, "%s", env);
  else if (xdg && *xdg)
    snprintf(dir, n, "%s/mlxc/kernels", xdg);
  else if (home && *home)
    snprintf(dir, n, "%s/.cache/mlxc/kernels", home);
  else
    snprintf(dir, n, "/tmp/mlxc-kernels-%d", (int)getuid());
  return make_dirs(dir);
}

static bool run_compiler(const char *cc, const char *src, const char *so) {
  const char *argv[NFLAGS + 6];
  int k = 0;
  argv[k++] = cc;
  for (int i = 0; i < NFLAGS; i++) argv[k++] = cc_flags[i];
  argv[k++] = "-o";
  argv[k++] = so;
  argv[k++] = src;
  argv[k++] = "-lm"; /* sin, cos and tan of large arguments call the C library's */
  argv[k] = NULL;
  posix_spawn_file_actions_t fa;
  if (posix_spawn_file_actions_init(&fa) != 0) return false;
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawn(&pid, cc, &fa, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool write_file(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  if (!fp) return false;
  bool ok = fputs(text, fp) >= 0;
  return fclose(fp) == 0 && ok;
}

static mx_fused_row_fn load(const char *so, mx_fused_row_fn *far) {
  void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (!h) return NULL;
  mx_fused_row_fn fn;
  *(void **)&fn = dlsym(h, "mx_fused_row");
  *(void **)far = dlsym(h, "mx_fused_row_far");
  return fn; /* (the handle stays open: kernels live as long as the process) */
}

mx_fused_row_fn mx_fused_codegen(const mx_fused *f, const mx_fused_plan *plan,
                                 mx_fused_row_fn *far) {
  *far = NULL;
  char cc[4096], dir[4096], so[4200], tmp_src[4200], tmp_so[4200];
  struct stat st;
  if (!find_compiler(cc, sizeof cc) || stat(cc, &st) != 0 || !cache_dir(dir, sizeof dir))
    return NULL;
  char *src = generate(f, plan);
  if (!src) return NULL;
  uint64_t h = fnv(0xcbf29ce484222325ull, src, strlen(src));
  h = fnv(h, cc, strlen(cc));
  h = fnv(h, &st.st_size, sizeof st.st_size);
  h = fnv(h, &st.st_mtime, sizeof st.st_mtime);
  for (int i = 0; i < NFLAGS; i++) h = fnv(h, cc_flags[i], strlen(cc_flags[i]) + 1);
  snprintf(so, sizeof so, "%s/k%016llx.so", dir, (unsigned long long)h);
  /* one compile at a time in this process: a thread that needs a kernel another thread is
   * compiling (equal programs, e.g. the same optimizer update for same-shaped parameters)
   * waits and loads its object instead of compiling it again */
  static pthread_mutex_t compiling = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&compiling);
  mx_fused_row_fn fn = access(so, R_OK) == 0 ? load(so, far) : NULL;
  if (!fn) { /* compile into a private name, then rename: other processes see whole files only */
    snprintf(tmp_src, sizeof tmp_src, "%s/k%016llx-%d.c", dir, (unsigned long long)h,
             (int)getpid());
    snprintf(tmp_so, sizeof tmp_so, "%s/k%016llx-%d.so", dir, (unsigned long long)h, (int)getpid());
    char kept_src[4200]; /* the source stays beside its object, for reading */
    snprintf(kept_src, sizeof kept_src, "%s/k%016llx.c", dir, (unsigned long long)h);
    if (write_file(tmp_src, src) && run_compiler(cc, tmp_src, tmp_so) && rename(tmp_so, so) == 0) {
      fn = load(so, far);
      rename(tmp_src, kept_src);
    }
    unlink(tmp_src);
    unlink(tmp_so);
  }
  pthread_mutex_unlock(&compiling);
  free(src);
  return fn;
}
