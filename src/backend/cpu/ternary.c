/* Ternary elementwise kernels, all inputs of the output's shape (broadcast inputs are stride-0
 * views):
 *   SELECT (where): out[i] = cond[i] ? x[i] : y[i]. cond is bool, x and y have the output's
 *     dtype. The loop only moves elements, so it is typed by element size (1, 2, 4 or 8 bytes;
 *     complex64 moves as 8 bytes). The condition is read as bytes (0 or 1): bool-typed loads
 *     block vectorization.
 *   CLIP: out[i] = minimum(maximum(x[i], lo[i]), hi[i]) in one pass (MLX composes the two ops),
 *     all of the output's dtype (real types), a nan operand giving nan as the two ops do.
 * Layouts as in unary.c: row-contiguous or one-value inputs give a row-contiguous output that
 * may be donated an input (each element is read before it is written); dense inputs sharing
 * one layout give an output with that layout; otherwise strided rows. Flat loops over arrays
 * past the cache stream their output out (elementwise.h). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include "backend/cpu/ew_common.h"
#include "backend/cpu/half.h"
#include "core/primitives.h"

/* operands a, b, c with element strides sa, sb, sc; n outputs */
typedef void (*tern_fn)(const void *a, int64_t sa, const void *b, int64_t sb, const void *c,
                        int64_t sc, void *o, int64_t n);

#define GEN_SEL(NAME, T)                                                                           \
  EW_CLONES static void NAME(const void *c_, int64_t sc, const void *x_, int64_t sx,               \
                             const void *y_, int64_t sy, void *o_, int64_t n) {                    \
    const uint8_t *c = (const uint8_t *)c_;                                                        \
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
    } else { /* strided: a mask, not a branch on data (where(x > 0, x, 0) over x[:, ::2] of        \
                  2000^2: 9.0 -> 2.6 ms, bench/layout_sweep.py) */                                 \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T a = x[i * sx], b = y[i * sy], m = (T)0 - (T)(c[i * sc] != 0);                            \
        o[i] = (T)((a & m) | (b & (T)~m));                                                         \
      }                                                                                            \
    }                                                                                              \
  }

GEN_SEL(sel_1, uint8_t)
GEN_SEL(sel_2, uint16_t)
GEN_SEL(sel_4, uint32_t)
GEN_SEL(sel_8, uint64_t)

/* o = minimum(maximum(v, lo), hi) with maximum's and minimum's rules: a nan operand gives nan,
 * otherwise x > y ? x : y and x < y ? x : y (signed zeros as MLX). Written as flat selects (a
 * nan v or lo is caught by the last one), which GCC vectorizes; nested nan tests it does not.
 * K maps an element to a comparable value. */
#define CLIP_ONE(K, T, v, lo, hi, o)                                                               \
  do {                                                                                             \
    T m_ = K(v) > K(lo) ? (v) : (lo), r_ = K(m_) < K(hi) ? m_ : (hi);                              \
    T nan_ = K(v) != K(v) ? (v) : (lo);                                                            \
    (o) = (K(v) != K(v)) | (K(m_) != K(m_)) ? nan_ : r_;                                           \
  } while (0)
#define GEN_CLIP(NAME, T, K)                                                                       \
  EW_CLONES static void NAME(const void *x_, int64_t sx, const void *l_, int64_t sl,               \
                             const void *h_, int64_t sh, void *o_, int64_t n) {                    \
    const T *x = (const T *)x_, *l = (const T *)l_, *h = (const T *)h_;                            \
    T *o = (T *)o_;                                                                                \
    if (sx == 1 && sl == 0 && sh == 0) {                                                           \
      const T lo = l[0], hi = h[0];                                                                \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T v = x[i];                                                                                \
        CLIP_ONE(K, T, v, lo, hi, o[i]);                                                           \
      }                                                                                            \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) {                                                            \
        T v = x[i * sx], lo = l[i * sl], hi = h[i * sh];                                           \
        CLIP_ONE(K, T, v, lo, hi, o[i]);                                                           \
      }                                                                                            \
    }                                                                                              \
  }

#define CLIP_SAME(v) (v)
GEN_CLIP(clip_f32, float, CLIP_SAME)
GEN_CLIP(clip_f64, double, CLIP_SAME)
GEN_CLIP(clip_f16, uint16_t, mx_h2f)
GEN_CLIP(clip_bf16, uint16_t, mx_bf2f)
GEN_CLIP(clip_u8, uint8_t, CLIP_SAME)
GEN_CLIP(clip_u16, uint16_t, CLIP_SAME)
GEN_CLIP(clip_u32, uint32_t, CLIP_SAME)
GEN_CLIP(clip_u64, uint64_t, CLIP_SAME)
GEN_CLIP(clip_i8, int8_t, CLIP_SAME)
GEN_CLIP(clip_i16, int16_t, CLIP_SAME)
GEN_CLIP(clip_i32, int32_t, CLIP_SAME)
GEN_CLIP(clip_i64, int64_t, CLIP_SAME)

/* (bool clips as its bytes 0 and 1) */
static const tern_fn clip_fns[MX_NUM_DTYPES] = {
    [MX_FLOAT32] = clip_f32,   [MX_FLOAT64] = clip_f64, [MX_FLOAT16] = clip_f16,
    [MX_BFLOAT16] = clip_bf16, [MX_BOOL] = clip_u8,     [MX_UINT8] = clip_u8,
    [MX_UINT16] = clip_u16,    [MX_UINT32] = clip_u32,  [MX_UINT64] = clip_u64,
    [MX_INT8] = clip_i8,       [MX_INT16] = clip_i16,   [MX_INT32] = clip_i32,
    [MX_INT64] = clip_i64};

typedef struct {
  tern_fn fn;
  size_t sz[3], osz; /* element sizes of the operands and of the output */
  const char *in[3];
  char *o;
  int64_t st[3]; /* flat mode: each operand's stride, 1 or 0 (one value) */
  int rows;
  int stream;   /* flat mode: the output goes out with non-temporal stores */
  mx_strided s; /* row mode: the three operands; the output is row-contiguous */
  ew_band band; /* row mode, short rows: bands (ew_common.h) */
} tern_job;

static void tern_flat(const tern_job *j, int64_t begin, int64_t n, char *o) {
  const char *in[3];
  for (int k = 0; k < 3; k++) in[k] = j->in[k] + begin * j->st[k] * (int64_t)j->sz[k];
  j->fn(in[0], j->st[0], in[1], j->st[1], in[2], j->st[2], o, n);
}

static void tern_task(void *ctx, int64_t begin, int64_t end) {
  const tern_job *j = (const tern_job *)ctx;
  int64_t osz = (int64_t)j->osz;
  if (!j->rows && !j->stream) {
    tern_flat(j, begin, end - begin, j->o + begin * osz);
  } else if (!j->rows) {
    _Alignas(64) char tmp[EW_STREAM_BYTES];
    int64_t per = EW_STREAM_BYTES / osz;
    for (int64_t i = begin; i < end; i += per) {
      int64_t m = end - i < per ? end - i : per;
      tern_flat(j, i, m, tmp);
      mx_ew_stream_copy(j->o + i * osz, tmp, (size_t)(m * osz));
    }
    mx_ew_stream_fence();
  } else {
    const mx_strided *s = &j->s;
    int nd = s->ndim;
    int64_t inner = s->shape[nd - 1];
    const int64_t *st[3] = {&s->strides[0][nd - 1], &s->strides[1][nd - 1], &s->strides[2][nd - 1]};
    mx_strided_pos p;
    ew_pos_at(s, begin, &p);
    if (j->band.rows) {
      _Alignas(64) char buf[3][EW_BAND_BYTES];
      char *const dst[3] = {buf[0], buf[1], buf[2]};
      const char *in[3];
      int64_t bst[3];
      for (int64_t r = begin, nb; r < end; r += nb) {
        nb = end - r < j->band.rows ? end - r : j->band.rows;
        ew_band_next(s, &p, nb, j->in, j->sz, &j->band, dst, in, bst);
        j->fn(in[0], bst[0], in[1], bst[1], in[2], bst[2], j->o + r * inner * osz, nb * inner);
      }
      return;
    }
    for (int64_t r = begin; r < end; r++) {
      const char *in[3];
      for (int k = 0; k < 3; k++) in[k] = j->in[k] + p.off[k] * (int64_t)j->sz[k];
      j->fn(in[0], *st[0], in[1], *st[1], in[2], *st[2], j->o + r * inner * osz, inner);
      mx_strided_next(s, &p);
    }
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

/* A large 4-byte array whose last two dims are swapped (x.T): row mode would read it one element
 * per cache line, so tern_eval copies it first with the transposing copy (bench/ab.py,
 * where(x > 0, x.T, 0) at 10^4 x 10^4: 311 -> 86 ms). */
static int read_transposed(const mx_array *a) {
  int nd = a->ndim;
  return nd >= 2 && mx_array_itemsize(a) == 4 && a->size >= (1 << 16) && a->strides[nd - 2] == 1 &&
         a->strides[nd - 1] > 1 && a->shape[nd - 1] >= 16 && a->shape[nd - 2] >= 16;
}

/* Runs fn over n's three inputs (each of the output's shape) into n->out[0]. */
static int tern_eval(mx_node *n, tern_fn fn) {
  const char *name = mx_prims[n->prim].name;
  const mx_array *const *ins = (const mx_array *const *)n->inputs;
  mx_array *out = &n->out[0];
  for (int k = 0; k < 3; k++) {
    if (ins[k]->ndim != out->ndim)
      return mx_error("[%s] Inputs must have the output's shape.", name);
    for (int d = 0; d < out->ndim; d++)
      if (ins[k]->shape[d] != out->shape[d])
        return mx_error("[%s] Inputs must have the output's shape.", name);
  }
  tern_job j;
  memset(&j, 0, sizeof j);
  j.fn = fn;
  j.osz = mx_array_itemsize(out);
  int rc[3], sc[3], all_flat = 1, strided = 0;
  const char *data[3];
  mx_buffer *copied[3] = {NULL, NULL, NULL};
  for (int k = 0; k < 3; k++) {
    j.sz[k] = mx_array_itemsize(ins[k]);
    rc[k] = mx_strided_is_row_contig(ins[k]);
    sc[k] = ins[k]->data_size == 1;
    strided += !rc[k] && !sc[k];
    data[k] = (const char *)mx_array_data(ins[k]);
    if (!data[k]) return mx_error("[%s] Array has no data.", name);
  }
  for (int k = 0; k < 3; k++) /* the only strided operand, read transposed: copied (see above) */
    if (strided == 1 && !rc[k] && !sc[k] && read_transposed(ins[k])) {
      if (!(copied[k] = mx_buffer_alloc((size_t)ins[k]->size * 4))) return MX_ERR;
      mx_cpu_copy_strided(copied[k]->ptr, (mx_dtype)ins[k]->dtype, data[k], (mx_dtype)ins[k]->dtype,
                          ins[k]->ndim, ins[k]->shape, ins[k]->strides);
      data[k] = copied[k]->ptr;
      rc[k] = 1;
    }
  for (int k = 0; k < 3; k++)
    if (!rc[k] && !sc[k]) all_flat = 0;
  const mx_array *like = NULL; /* the first input that is not one value */
  for (int k = 0; k < 3 && !like; k++)
    if (!sc[k]) like = ins[k];
  int64_t count = 0;
  int status = 0;
  if (out->size == 0 || all_flat) {
    status = mx_array_alloc_data(out);
    count = out->size;
    for (int k = 0; k < 3; k++) j.st[k] = rc[k] && !(sc[k] && out->size > 1) ? 1 : 0;
  } else if (like && ew_dense(like) && follows(ins[0], like) && follows(ins[1], like) &&
             follows(ins[2], like)) {
    status = ew_alloc_like(out, like);
    count = like->data_size;
    for (int k = 0; k < 3; k++) j.st[k] = sc[k] ? 0 : 1;
  } else {
    status = mx_array_alloc_data(out);
    const int64_t *st[3] = {ins[0]->strides, ins[1]->strides, ins[2]->strides};
    mx_strided_init(&j.s, out->ndim, out->shape, 3, st);
    j.rows = 1;
    count = mx_strided_rows(&j.s);
    j.band = ew_band_plan(&j.s, j.sz);
  }
  for (int k = 0; k < 3; k++) j.in[k] = data[k];
  j.o = (char *)mx_array_data(out);
  if (!status && count > 0 && !j.o) status = mx_error("[%s] Array has no data.", name);
  if (!status && count > 0) {
    int64_t grain = ew_grain(EW_COST_CHEAP);
    if (j.rows) {
      int64_t inner = mx_strided_inner(&j.s);
      grain = (grain + inner - 1) / inner;
    } else {
      int64_t bytes = (int64_t)j.osz;
      for (int k = 0; k < 3; k++) bytes += j.st[k] * (int64_t)j.sz[k];
      j.stream = count * bytes >= mx_ew_stream_min_bytes();
    }
    mx_ew_parallel_for(count, grain, tern_task, &j);
  }
  for (int k = 0; k < 3; k++)
    if (copied[k]) mx_buffer_release(copied[k]);
  return status ? MX_ERR : 0;
}

int mx_cpu_select(mx_node *n) {
  const char *name = mx_prims[n->prim].name;
  if (n->nin != 3 || n->nout != 1) return mx_error("[%s] Expected three inputs.", name);
  mx_dtype t = n->out[0].dtype;
  if (n->inputs[0]->dtype != MX_BOOL || n->inputs[1]->dtype != t || n->inputs[2]->dtype != t)
    return mx_error("[%s] Unexpected input dtypes.", name);
  static const tern_fn by_size[9] = {[1] = sel_1, [2] = sel_2, [4] = sel_4, [8] = sel_8};
  size_t sz = mx_array_itemsize(&n->out[0]);
  if (sz > 8 || !by_size[sz]) return mx_error("[%s] Unsupported element size.", name);
  return tern_eval(n, by_size[sz]);
}

int mx_cpu_clip(mx_node *n) {
  const char *name = mx_prims[n->prim].name;
  if (n->nin != 3 || n->nout != 1) return mx_error("[%s] Expected three inputs.", name);
  mx_dtype t = n->out[0].dtype;
  for (int k = 0; k < 3; k++)
    if (n->inputs[k]->dtype != t) return mx_error("[%s] Unexpected input dtypes.", name);
  tern_fn fn = (unsigned)t < MX_NUM_DTYPES ? clip_fns[t] : NULL;
  if (!fn) return mx_error("[%s] Unsupported dtype.", name);
  return tern_eval(n, fn);
}
