/* SELECT (where): out[i] = cond[i] ? x[i] : y[i]. cond is bool, x and y have the output's dtype,
 * all have the output's shape (broadcast inputs are stride-0 views). The loop only moves
 * elements, so it is typed by element size (1, 2, 4 or 8 bytes; complex64 moves as 8 bytes).
 * The condition is read as bytes (0 or 1): bool-typed loads block vectorization.
 * Layouts as in unary.c: row-contiguous or one-value inputs give a row-contiguous output that
 * may be donated an input (each element is read before it is written); dense inputs sharing
 * one layout give an output with that layout; otherwise strided rows. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include "backend/cpu/ew_common.h"
#include "core/primitives.h"

typedef void (*sel_fn)(const uint8_t *c, int64_t sc, const void *x, int64_t sx, const void *y,
                       int64_t sy, void *o, int64_t n);

#define GEN_SEL(NAME, T)                                                                           \
  EW_CLONES static void NAME(const uint8_t *c, int64_t sc, const void *x_, int64_t sx,             \
                             const void *y_, int64_t sy, void *o_, int64_t n) {                    \
    const T *x = (const T *)x_, *y = (const T *)y_;                                                \
    T *o = (T *)o_;                                                                                \
    if (sc == 1 && sx == 1 && sy == 1) {                                                           \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T a = x[i], b = y[i];                                                                      \
        o[i] = c[i] ? a : b;                                                                       \
      }                                                                                            \
    } else if (sc == 1 && sx == 1 && sy == 0) {                                                    \
      const T b = y[0];                                                                            \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T a = x[i];                                                                                \
        o[i] = c[i] ? a : b;                                                                       \
      }                                                                                            \
    } else if (sc == 1 && sx == 0 && sy == 1) {                                                    \
      const T a = x[0];                                                                            \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T b = y[i];                                                                                \
        o[i] = c[i] ? a : b;                                                                       \
      }                                                                                            \
    } else if (sc == 1 && sx == 0 && sy == 0) {                                                    \
      const T a = x[0], b = y[0];                                                                  \
      for (int64_t i = 0; i < n; i++) o[i] = c[i] ? a : b;                                         \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T a = x[i * sx], b = y[i * sy];                                                            \
        o[i] = c[i * sc] ? a : b;                                                                  \
      }                                                                                            \
    }                                                                                              \
  }

GEN_SEL(sel_1, uint8_t)
GEN_SEL(sel_2, uint16_t)
GEN_SEL(sel_4, uint32_t)
GEN_SEL(sel_8, uint64_t)

typedef struct {
  sel_fn fn;
  size_t sz;
  const char *c, *x, *y;
  char *o;
  int64_t sc, sx, sy; /* flat mode */
  int rows;
  mx_strided s; /* row mode: operands cond, x, y; the output is row-contiguous */
} sel_job;

static void sel_task(void *ctx, int64_t begin, int64_t end) {
  const sel_job *j = (const sel_job *)ctx;
  int64_t sz = (int64_t)j->sz;
  if (!j->rows) {
    j->fn((const uint8_t *)j->c + begin * j->sc, j->sc, j->x + begin * j->sx * sz, j->sx,
          j->y + begin * j->sy * sz, j->sy, j->o + begin * sz, end - begin);
    return;
  }
  const mx_strided *s = &j->s;
  int nd = s->ndim;
  int64_t inner = s->shape[nd - 1];
  int64_t sc = s->strides[0][nd - 1], sx = s->strides[1][nd - 1], sy = s->strides[2][nd - 1];
  mx_strided_pos p;
  ew_pos_at(s, begin, &p);
  for (int64_t r = begin; r < end; r++) {
    j->fn((const uint8_t *)j->c + p.off[0], sc, j->x + p.off[1] * sz, sx, j->y + p.off[2] * sz, sy,
          j->o + r * inner * sz, inner);
    mx_strided_next(s, &p);
  }
}

/* Can a, dense, be read in the flat order of `like` (same strides), or is it one value? */
static int follows(const mx_array *a, const mx_array *like) {
  if (a->data_size == 1) return 1;
  if (!ew_dense(a)) return 0;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != 1 && a->strides[d] != like->strides[d]) return 0;
  return 1;
}

int mx_cpu_select(mx_node *n) {
  const char *name = mx_prims[n->prim].name;
  if (n->nin != 3 || n->nout != 1) return mx_error("[%s] Expected three inputs.", name);
  const mx_array *c = n->inputs[0], *x = n->inputs[1], *y = n->inputs[2];
  mx_array *out = &n->out[0];
  if (c->dtype != MX_BOOL || x->dtype != out->dtype || y->dtype != out->dtype)
    return mx_error("[%s] Unexpected input dtypes.", name);
  const mx_array *ins[3] = {c, x, y};
  for (int k = 0; k < 3; k++) {
    if (ins[k]->ndim != out->ndim)
      return mx_error("[%s] Inputs must have the output's shape.", name);
    for (int d = 0; d < out->ndim; d++)
      if (ins[k]->shape[d] != out->shape[d])
        return mx_error("[%s] Inputs must have the output's shape.", name);
  }
  sel_job j;
  memset(&j, 0, sizeof j);
  j.sz = mx_array_itemsize(out);
  switch (j.sz) {
  case 1:
    j.fn = sel_1;
    break;
  case 2:
    j.fn = sel_2;
    break;
  case 4:
    j.fn = sel_4;
    break;
  case 8:
    j.fn = sel_8;
    break;
  default:
    return mx_error("[%s] Unsupported element size.", name);
  }
  int rc[3], sc[3], all_flat = 1;
  for (int k = 0; k < 3; k++) {
    rc[k] = mx_strided_is_row_contig(ins[k]);
    sc[k] = ins[k]->data_size == 1;
    if (!rc[k] && !sc[k]) all_flat = 0;
  }
  const mx_array *like = NULL; /* the first input that is not one value */
  for (int k = 0; k < 3 && !like; k++)
    if (!sc[k]) like = ins[k];
  int64_t count;
  int64_t *strd[3] = {&j.sc, &j.sx, &j.sy};
  if (out->size == 0 || all_flat) {
    if (mx_array_alloc_data(out)) return MX_ERR;
    count = out->size;
    for (int k = 0; k < 3; k++) *strd[k] = rc[k] && !(sc[k] && out->size > 1) ? 1 : 0;
  } else if (like && ew_dense(like) && follows(c, like) && follows(x, like) && follows(y, like)) {
    if (ew_alloc_like(out, like)) return MX_ERR;
    count = like->data_size;
    for (int k = 0; k < 3; k++) *strd[k] = sc[k] ? 0 : 1;
  } else {
    if (mx_array_alloc_data(out)) return MX_ERR;
    const int64_t *st[3] = {c->strides, x->strides, y->strides};
    mx_strided_init(&j.s, out->ndim, out->shape, 3, st);
    j.rows = 1;
    count = mx_strided_rows(&j.s);
  }
  if (count == 0) return 0;
  j.c = (const char *)mx_array_data(c);
  j.x = (const char *)mx_array_data(x);
  j.y = (const char *)mx_array_data(y);
  j.o = (char *)mx_array_data(out);
  if (!j.c || !j.x || !j.y || !j.o) return mx_error("[%s] Array has no data.", name);
  int64_t grain = ew_grain(EW_COST_CHEAP);
  if (j.rows) {
    int64_t inner = mx_strided_inner(&j.s);
    grain = (grain + inner - 1) / inner;
  }
  mx_ew_parallel_for(count, grain, sel_task, &j);
  return 0;
}
