/* The interpreter of fused kernels, for when no C compiler works: the same passes over a row as
 * the generated code, a tile of TILE elements at a time, every full value of the tile in a small
 * per-thread buffer (so intermediates stay in the cache, as with the generated code, instead of
 * reaching memory as unfused eager ops would). The ops are fused_ops.h's expressions. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "no-math-errno", "no-trapping-math")
#endif

#include <stdlib.h>
#include <string.h>

#include "backend/cpu/ew_math.h"
#include "backend/cpu/fused.h"
#include "backend/cpu/fused_ops.h"
#include "backend/cpu/half.h"
#include "core/primitives.h"
#include "ops/params.h"

enum { TILE = 256 };

typedef float CT_F;
typedef int32_t CT_I;
typedef uint8_t CT_B;

/* o[i] = EXPR over n elements with x = a[i] (and y = b[i]), typed by the kinds. */
#define FX_LOOP(KI, KO, EXPR)                                                                      \
  do {                                                                                             \
    const CT_##KI *a = a_, *b = b_;                                                                \
    CT_##KO *o = o_;                                                                               \
    for (int i = 0; i < n; i++) {                                                                  \
      CT_##KI x = a[i], y = b ? b[i] : 0;                                                          \
      (void)y;                                                                                     \
      o[i] = (CT_##KO)(EXPR);                                                                      \
    }                                                                                              \
    return;                                                                                        \
  } while (0)

/* prim(a) or prim(a, b) for arguments of kind kin (b NULL for unary ops). */
static void apply_op(int prim, int kin, const void *a_, const void *b_, void *o_, int n) {
#define OP(P, KI, KO, EXPR)                                                                        \
  if (prim == MX_PRIM_##P && kin == MX_FK_##KI && (b_ != NULL) == IS_BINARY) FX_LOOP(KI, KO, EXPR);
#define IS_BINARY 0
  MX_FUSED_UNARY(OP)
#undef IS_BINARY
#define IS_BINARY 1
  MX_FUSED_BINARY(OP)
#undef IS_BINARY
#undef OP
}

static void apply_cast(int kin, int kout, const void *a_, void *o_, int n) {
  const void *b_ = NULL;
#define C(KI, KO, EXPR)                                                                            \
  if (kin == MX_FK_##KI && kout == MX_FK_##KO) FX_LOOP(KI, KO, EXPR);
  MX_FUSED_CASTS(C)
#undef C
}

static void apply_select(int k, const uint8_t *c, const void *a_, const void *b_, void *o_, int n) {
  size_t w = k == MX_FK_B ? 1 : 4;
  for (int i = 0; i < n; i++) memcpy((char *)o_ + i * w, (const char *)(c[i] ? a_ : b_) + i * w, w);
}

/* A 16-bit float result rounded to its type, as the eager kernels store it. */
static void round_half(int dtype, float *v, int n) {
  if (dtype == MX_FLOAT16)
    for (int i = 0; i < n; i++) v[i] = mx_h2f(mx_f2h(v[i]));
  else if (dtype == MX_BFLOAT16)
    for (int i = 0; i < n; i++) v[i] = mx_bf2f(mx_f2bf(v[i]));
}

static void load(int dtype, const void *src, int64_t stride, void *dst, int n) {
  switch (dtype) {
  case MX_FLOAT16:
    for (int i = 0; i < n; i++) ((float *)dst)[i] = mx_h2f(((const uint16_t *)src)[i * stride]);
    break;
  case MX_BFLOAT16:
    for (int i = 0; i < n; i++) ((float *)dst)[i] = mx_bf2f(((const uint16_t *)src)[i * stride]);
    break;
  case MX_BOOL:
    for (int i = 0; i < n; i++) ((uint8_t *)dst)[i] = ((const uint8_t *)src)[i * stride];
    break;
  default: /* float32, int32 */
    for (int i = 0; i < n; i++) ((uint32_t *)dst)[i] = ((const uint32_t *)src)[i * stride];
  }
}

static void store(int dtype, const void *src, int64_t sstride, void *dst, int n) {
  switch (dtype) {
  case MX_FLOAT16:
    for (int i = 0; i < n; i++) ((uint16_t *)dst)[i] = mx_f2h(((const float *)src)[i * sstride]);
    break;
  case MX_BFLOAT16:
    for (int i = 0; i < n; i++) ((uint16_t *)dst)[i] = mx_f2bf(((const float *)src)[i * sstride]);
    break;
  case MX_BOOL:
    for (int i = 0; i < n; i++) ((uint8_t *)dst)[i] = ((const uint8_t *)src)[i * sstride];
    break;
  default:
    for (int i = 0; i < n; i++) ((uint32_t *)dst)[i] = ((const uint32_t *)src)[i * sstride];
  }
}

typedef struct {
  const mx_fused *f;
  const mx_fused_plan *plan;
  char *tiles;    /* per op: TILE elements of 4 bytes (full values of the current tile) */
  char *bcast;    /* per argument slot: a row value repeated over the tile */
  uint32_t *rows; /* per op: the row value */
  double *tot;    /* per op: a reduction's running result */
  uint8_t *nan;   /* per op: a NaN met by a max/min reduction */
  char *scratch;
  int64_t d, jb;
  int loop;
} interp;

static void *tile_of(interp *s, int x) {
  return s->tiles + (size_t)x * TILE * 4;
}

/* Where argument k of the current op reads op x over n elements of the tile. */
static const void *arg_data(interp *s, int x, int k, int n) {
  const mx_fop *op = &s->f->ops[x];
  if (!op->row) {
    int slot = s->plan->slot[x];
    if (op->kind != MX_FOP_INPUT && s->plan->phase[x] != s->loop && slot >= 0)
      return s->scratch + ((size_t)slot * (size_t)s->d + (size_t)s->jb) * 4;
    return tile_of(s, x);
  }
  char *b = s->bcast + (size_t)k * TILE * 4;
  if (mx_fused_kind(op->dtype) == MX_FK_B)
    memset(b, (int)(uint8_t)s->rows[x], (size_t)n);
  else
    for (int i = 0; i < n; i++) memcpy(b + (size_t)i * 4, &s->rows[x], 4);
  return b;
}

/* Computes op i over n elements into dst. */
static void compute(interp *s, int i, void *dst, int n) {
  const mx_fop *op = &s->f->ops[i];
  const void *a[3] = {NULL, NULL, NULL};
  for (int k = 0; k < 3; k++)
    if (op->args[k] >= 0) a[k] = arg_data(s, op->args[k], k, n);
  int kin = mx_fused_kind(s->f->ops[op->args[0]].dtype);
  switch (op->kind) {
  case MX_FOP_UNARY:
    apply_op(op->prim, kin, a[0], NULL, dst, n);
    break;
  case MX_FOP_BINARY:
    apply_op(op->prim, kin, a[0], a[1], dst, n);
    break;
  case MX_FOP_CAST:
    apply_cast(kin, mx_fused_kind(op->dtype), a[0], dst, n);
    break;
  case MX_FOP_SELECT:
    apply_select(mx_fused_kind(op->dtype), a[0], a[1], a[2], dst, n);
    break;
  default:
    break;
  }
  round_half(op->dtype, dst, mx_fused_kind(op->dtype) == MX_FK_F ? n : 0);
}

static void row_ops(interp *s, int p, void *const *in, void *const *out) {
  const mx_fused *f = s->f;
  s->loop = -1;
  for (int i = 0; i < f->nops; i++) {
    const mx_fop *op = &f->ops[i];
    if (!op->row || s->plan->phase[i] != p) continue;
    uint32_t *v = &s->rows[i];
    *v = 0;
    if (op->kind == MX_FOP_INPUT) {
      load(op->dtype, in[op->input], 0, v, 1);
    } else if (op->kind == MX_FOP_CONST) {
      int k = mx_fused_kind(op->dtype);
      if (k == MX_FK_F)
        *(float *)v = (float)op->value;
      else if (k == MX_FK_I)
        *(int32_t *)v = (int32_t)op->value;
      else
        *(uint8_t *)v = op->value != 0;
    } else if (op->kind == MX_FOP_REDUCE) {
      *(float *)v = s->nan[i] ? EW_NANF : (float)s->tot[i];
      round_half(op->dtype, (float *)v, 1);
    } else {
      compute(s, i, v, 1);
    }
    for (int o = 0; o < f->nout; o++)
      if (f->outs[o] == i && f->out_row[o]) store(op->dtype, v, 0, out[o], 1);
  }
}

static void accumulate(interp *s, int i, int n) {
  const mx_fop *op = &s->f->ops[i];
  const float *x = arg_data(s, op->args[0], 0, n);
  float a = op->prim == MX_REDUCE_SUM ? 0.0f : op->prim == MX_REDUCE_PROD ? 1.0f : x[0];
  int nan = 0;
  for (int j = 0; j < n; j++) {
    switch (op->prim) {
    case MX_REDUCE_SUM:
      a += x[j];
      break;
    case MX_REDUCE_PROD:
      a *= x[j];
      break;
    case MX_REDUCE_MAX:
      a = a > x[j] ? a : x[j];
      break;
    default:
      a = a < x[j] ? a : x[j];
      break;
    }
    nan |= x[j] != x[j];
  }
  double *t = &s->tot[i];
  switch (op->prim) {
  case MX_REDUCE_SUM:
    *t += a;
    break;
  case MX_REDUCE_PROD:
    *t *= a;
    break;
  case MX_REDUCE_MAX:
    *t = *t > a ? *t : a;
    break;
  default:
    *t = *t < a ? *t : a;
    break;
  }
  s->nan[i] |= (uint8_t)nan;
}

static void pass(interp *s, int p, void *const *in, const int64_t *stride, void *const *out) {
  const mx_fused *f = s->f;
  for (int i = 0; i < f->nops; i++)
    if (f->ops[i].kind == MX_FOP_REDUCE && s->plan->phase[f->ops[i].args[0]] == p) {
      int r = f->ops[i].prim;
      s->tot[i] = r == MX_REDUCE_SUM    ? 0.0
                  : r == MX_REDUCE_PROD ? 1.0
                  : r == MX_REDUCE_MAX  ? -EW_INF
                                        : EW_INF;
      s->nan[i] = 0;
    }
  s->loop = p;
  for (s->jb = 0; s->jb < s->d; s->jb += TILE) {
    int n = s->d - s->jb < TILE ? (int)(s->d - s->jb) : TILE;
    for (int i = 0; i < f->nops; i++) {
      const mx_fop *op = &f->ops[i];
      if (op->row) continue;
      if (op->kind == MX_FOP_INPUT) {
        if (mx_fused_used_in_loop(f, s->plan, i, p)) {
          size_t isz = op->dtype == MX_BOOL                                  ? 1
                       : op->dtype == MX_FLOAT16 || op->dtype == MX_BFLOAT16 ? 2
                                                                             : 4;
          const char *src = (const char *)in[op->input] + (size_t)(s->jb * stride[op->input]) * isz;
          load(op->dtype, src, stride[op->input], tile_of(s, i), n);
        }
      } else if (op->kind != MX_FOP_REDUCE && s->plan->phase[i] == p) {
        compute(s, i, tile_of(s, i), n);
        if (s->plan->slot[i] >= 0)
          memcpy(s->scratch + ((size_t)s->plan->slot[i] * (size_t)s->d + (size_t)s->jb) * 4,
                 tile_of(s, i), (size_t)n * 4);
      }
    }
    for (int i = 0; i < f->nops; i++)
      if (f->ops[i].kind == MX_FOP_REDUCE && s->plan->phase[f->ops[i].args[0]] == p)
        accumulate(s, i, n);
    for (int o = 0; o < f->nout; o++) {
      if (s->plan->store_loop[o] != p) continue;
      const mx_fop *op = &f->ops[f->outs[o]];
      size_t osz = op->dtype == MX_BOOL                                  ? 1
                   : op->dtype == MX_FLOAT16 || op->dtype == MX_BFLOAT16 ? 2
                                                                         : 4;
      store(op->dtype, arg_data(s, f->outs[o], 0, n), 1, (char *)out[o] + (size_t)s->jb * osz, n);
    }
  }
}

void mx_fused_interp_row(const mx_fused *f, const mx_fused_plan *plan, int64_t d, void *const *in,
                         const int64_t *stride, void *const *out, void *scratch) {
  static _Thread_local char *mem;
  static _Thread_local size_t cap;
  size_t need = (size_t)f->nops * (TILE * 4 + 4 + 8 + 1) + 3 * TILE * 4 + 64;
  if (need > cap) {
    char *grown = realloc(mem, need);
    if (!grown) return; /* (leaves the outputs unwritten; only on exhausted memory) */
    mem = grown;
    cap = need;
  }
  interp s = {.f = f, .plan = plan, .scratch = scratch, .d = d};
  s.tiles = mem;
  s.bcast = s.tiles + (size_t)f->nops * TILE * 4;
  s.tot = (double *)(s.bcast + 3 * TILE * 4);
  s.rows = (uint32_t *)(s.tot + f->nops);
  s.nan = (uint8_t *)(s.rows + f->nops);
  for (int p = 0; p <= plan->nloops; p++) {
    row_ops(&s, p, in, out);
    if (p < plan->nloops) pass(&s, p, in, stride, out);
  }
}
