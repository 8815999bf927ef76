/* Layout kernels of the indexing family: strided copies by item size, concatenate, tril/triu,
 * contiguous, view (dtype reinterpretation), and the shared helpers of gather/scatter. */
#include <string.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/ew_common.h"
#include "backend/cpu/indexing.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "core/primitives.h"
#include "ops/indexing.h"

int64_t mx_idx_load_int(const void *p, int dtype, int64_t i) {
  switch ((mx_dtype)dtype) {
  case MX_BOOL:
    return ((const uint8_t *)p)[i] != 0;
  case MX_UINT8:
    return ((const uint8_t *)p)[i];
  case MX_UINT16:
    return ((const uint16_t *)p)[i];
  case MX_UINT32:
    return ((const uint32_t *)p)[i];
  case MX_UINT64: {
    uint64_t v = ((const uint64_t *)p)[i];
    return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
  }
  case MX_INT8:
    return ((const int8_t *)p)[i];
  case MX_INT16:
    return ((const int16_t *)p)[i];
  case MX_INT32:
    return ((const int32_t *)p)[i];
  case MX_INT64:
    return ((const int64_t *)p)[i];
  default:
    return 0;
  }
}

/* ---- row functions ---- */

/* Copy: n items from src (stride ss) to dst (stride ds). */
#define COPY_ROW(T)                                                                                \
  static void copy_row_##T(char *dst, int64_t ds, const char *src, int64_t ss, int64_t n) {        \
    T *d = (T *)dst;                                                                               \
    const T *s = (const T *)src;                                                                   \
    if (ds == 1 && ss == 1) {                                                                      \
      memmove(d, s, (size_t)n * sizeof(T));                                                        \
    } else if (ds == 1 && ss == 0) {                                                               \
      T v = s[0];                                                                                  \
      for (int64_t i = 0; i < n; i++) d[i] = v;                                                    \
    } else if (ds == 1) {                                                                          \
      for (int64_t i = 0; i < n; i++) d[i] = s[i * ss];                                            \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) d[i * ds] = s[i * ss];                                       \
    }                                                                                              \
  }

COPY_ROW(uint8_t)
COPY_ROW(uint16_t)
COPY_ROW(uint32_t)
COPY_ROW(uint64_t)

static mx_idx_row_fn pick_copy(size_t isz) {
  switch (isz) {
  case 1:
    return copy_row_uint8_t;
  case 2:
    return copy_row_uint16_t;
  case 4:
    return copy_row_uint32_t;
  default:
    return copy_row_uint64_t;
  }
}

/* Combining rows: T storage, C compute type, LD/ST convert, F(x, y) combines. */
#define OP_ROW(name, T, C, LD, ST, F)                                                              \
  static void name(char *dst, int64_t ds, const char *src, int64_t ss, int64_t n) {                \
    T *d = (T *)dst;                                                                               \
    const T *s = (const T *)src;                                                                   \
    for (int64_t i = 0; i < n; i++) {                                                              \
      C x = LD(d[i * ds]), y = LD(s[i * ss]);                                                      \
      d[i * ds] = ST(F(x, y));                                                                     \
    }                                                                                              \
  }

#define ID(v) (v)
#define F_SUM(x, y) ((x) + (y))
#define F_PROD(x, y) ((x) * (y))
#define F_MAX(x, y) ((y) > (x) ? (y) : (x))
#define F_MIN(x, y) ((y) < (x) ? (y) : (x))
#define F_OR(x, y) ((x) | (y))
#define F_AND(x, y) ((x) & (y))

typedef float _Complex cf_t;
/* Complex order is lexicographic (real part, then imaginary part). */
static inline int cgt(cf_t a, cf_t b) {
  return __real__ a > __real__ b || (__real__ a == __real__ b && __imag__ a > __imag__ b);
}
#define F_CMAX(x, y) (cgt((y), (x)) ? (y) : (x))
#define F_CMIN(x, y) (cgt((x), (y)) ? (y) : (x))

/* CA: the type sums and products are computed in (unsigned for integers: wrap-around, no
 * undefined overflow); CM: the type compared for max and min. */
#define OPS_FOR(tag, T, CA, CM, LD, ST)                                                            \
  OP_ROW(sum_##tag, T, CA, LD, ST, F_SUM)                                                          \
  OP_ROW(prod_##tag, T, CA, LD, ST, F_PROD)                                                        \
  OP_ROW(max_##tag, T, CM, LD, ST, F_MAX)                                                          \
  OP_ROW(min_##tag, T, CM, LD, ST, F_MIN)

#define U32(v) ((uint32_t)(v))
#define U64(v) ((uint64_t)(v))

OP_ROW(sum_b, uint8_t, unsigned, ID, (uint8_t), F_OR)
OP_ROW(prod_b, uint8_t, unsigned, ID, (uint8_t), F_AND)
OP_ROW(max_b, uint8_t, unsigned, ID, (uint8_t), F_OR)
OP_ROW(min_b, uint8_t, unsigned, ID, (uint8_t), F_AND)
OPS_FOR(u8, uint8_t, uint32_t, uint8_t, U32, (uint8_t))
OPS_FOR(u16, uint16_t, uint32_t, uint16_t, U32, (uint16_t))
OPS_FOR(u32, uint32_t, uint32_t, uint32_t, ID, ID)
OPS_FOR(u64, uint64_t, uint64_t, uint64_t, ID, ID)
OPS_FOR(i8, int8_t, uint32_t, int32_t, U32, (int8_t))
OPS_FOR(i16, int16_t, uint32_t, int32_t, U32, (int16_t))
OPS_FOR(i32, int32_t, uint32_t, int32_t, U32, (int32_t))
OPS_FOR(i64, int64_t, uint64_t, int64_t, U64, (int64_t))
OPS_FOR(f16, uint16_t, float, float, mx_h2f, mx_f2h)
OPS_FOR(f32, float, float, float, ID, ID)
OPS_FOR(f64, double, double, double, ID, ID)
OPS_FOR(bf16, uint16_t, float, float, mx_bf2f, mx_f2bf)
OP_ROW(sum_c64, cf_t, cf_t, ID, ID, F_SUM)
OP_ROW(prod_c64, cf_t, cf_t, ID, ID, F_PROD)
OP_ROW(max_c64, cf_t, cf_t, ID, ID, F_CMAX)
OP_ROW(min_c64, cf_t, cf_t, ID, ID, F_CMIN)

#define ROW_TABLE(op)                                                                              \
  {                                                                                                \
    op##_b, op##_u8, op##_u16, op##_u32, op##_u64, op##_i8, op##_i16, op##_i32, op##_i64,          \
        op##_f16, op##_f32, op##_f64, op##_bf16, op##_c64                                          \
  }

static const mx_idx_row_fn row_ops[4][MX_NUM_DTYPES] = {ROW_TABLE(sum), ROW_TABLE(prod),
                                                        ROW_TABLE(max), ROW_TABLE(min)};

mx_idx_row_fn mx_idx_row_op(int op, mx_dtype dtype) {
  if (op == MX_SCATTER_NONE) return pick_copy(mx_dtype_size(dtype));
  return row_ops[op - MX_SCATTER_SUM][dtype];
}

/* Rows of at most IDX_SHORT_INNER elements over a dim of IDX_SHORT_DOWN or more before them
 * (pad's, slice_update's and concatenate's narrow column blocks) are walked down that dim, one
 * call per position, instead of one call per short row (a slice_update of a (2.5e6, 2) block of
 * columns: 17.7 -> 8.8 ms; pad of a (5e6, 2) float32 array by a column each side: 36.7 -> 28.7;
 * concatenate of two along their last axis, pooled: 28.7 -> 17.2; bench/short_rows.py). Each
 * destination element is still written once. */
enum { IDX_SHORT_INNER = 8, IDX_SHORT_DOWN = 256 };

/* fn over rows [r0, r1) of it (rows of its last dim) */
static void idx_rows(const mx_strided *it, int64_t r0, int64_t r1, char *dst, const char *src,
                     size_t isz, mx_idx_row_fn fn) {
  int nd = it->ndim;
  int64_t inner = mx_strided_inner(it), ds = it->strides[0][nd - 1], ss = it->strides[1][nd - 1];
  mx_strided_pos pos;
  if (nd >= 2 && inner <= IDX_SHORT_INNER && it->shape[nd - 2] >= IDX_SHORT_DOWN) {
    int64_t down = it->shape[nd - 2], dr = it->strides[0][nd - 2], sr = it->strides[1][nd - 2];
    for (int64_t r = r0; r < r1;) { /* runs down the dim before, within one block of it */
      int64_t e = (r / down + 1) * down < r1 ? (r / down + 1) * down : r1;
      ew_pos_at(it, r, &pos);
      if (fn == pick_copy(isz) && ds == 1 && ss == 1 && inner * (int64_t)isz <= EW_BAND_ROW_BYTES)
        /* a plain copy of unit-stride rows: one move per row */
        ew_copy_short_rows(dst + pos.off[0] * (int64_t)isz, dr * (int64_t)isz,
                           src + pos.off[1] * (int64_t)isz, sr * (int64_t)isz, e - r,
                           (size_t)inner * isz);
      else
        for (int64_t c = 0; c < inner; c++)
          fn(dst + (pos.off[0] + c * ds) * (int64_t)isz, dr,
             src + (pos.off[1] + c * ss) * (int64_t)isz, sr, e - r);
      r = e;
    }
    return;
  }
  ew_pos_at(it, r0, &pos);
  for (int64_t r = r0; r < r1; r++) {
    fn(dst + pos.off[0] * (int64_t)isz, ds, src + pos.off[1] * (int64_t)isz, ss, inner);
    mx_strided_next(it, &pos);
  }
}

void mx_idx_run(const mx_strided *it, char *dst, const char *src, size_t isz, mx_idx_row_fn fn) {
  if (it->size == 0) return;
  idx_rows(it, 0, mx_strided_rows(it), dst, src, isz, fn);
}

/* Tiled copy of an n0 x n1 block, dst[i * d0 + j * d1] = src[i * s0 + j * s1]: a transposing
 * copy reads and writes within a cache-sized tile instead of striding through memory. */
#define TILE 32
#define TILED(T)                                                                                   \
  static void tiled_##T(char *dst, int64_t d0, int64_t d1, const char *src, int64_t s0,            \
                        int64_t s1, int64_t n0, int64_t n1) {                                      \
    T *d = (T *)dst;                                                                               \
    const T *s = (const T *)src;                                                                   \
    for (int64_t i0 = 0; i0 < n0; i0 += TILE) {                                                    \
      int64_t i1 = i0 + TILE < n0 ? i0 + TILE : n0;                                                \
      for (int64_t j0 = 0; j0 < n1; j0 += TILE) {                                                  \
        int64_t j1 = j0 + TILE < n1 ? j0 + TILE : n1;                                              \
        for (int64_t i = i0; i < i1; i++)                                                          \
          for (int64_t j = j0; j < j1; j++) d[i * d0 + j * d1] = s[i * s0 + j * s1];               \
      }                                                                                            \
    }                                                                                              \
  }
TILED(uint8_t)
TILED(uint16_t)
TILED(uint32_t)
TILED(uint64_t)

typedef void (*tiled_fn)(char *, int64_t, int64_t, const char *, int64_t, int64_t, int64_t,
                         int64_t);

/* Large copies split over the worker pool: by rows, or a single row by runs (concatenate of two
 * 3162^2 float32 arrays ran one memcpy at a time: 9.9 ms for 160 MB moved). */
enum { PAR_COPY_BYTES = 4 << 20, PAR_COPY_GRAIN = 1 << 16 /* elements */ };
typedef struct {
  const mx_strided *it;
  char *dst;
  const char *src;
  size_t isz;
  mx_idx_row_fn fn;
  int64_t ds, ss; /* copy_run's strides */
} copy_job;

static void copy_rows(void *ctx, int64_t r0, int64_t r1) {
  const copy_job *j = (const copy_job *)ctx;
  idx_rows(j->it, r0, r1, j->dst, j->src, j->isz, j->fn);
}

static void copy_run(void *ctx, int64_t i0, int64_t i1) {
  const copy_job *j = (const copy_job *)ctx;
  j->fn(j->dst + i0 * j->ds * (int64_t)j->isz, j->ds, j->src + i0 * j->ss * (int64_t)j->isz, j->ss,
        i1 - i0);
}

void mx_idx_copy(char *dst, const int64_t *dst_st, const char *src, const int64_t *sst, int ndim,
                 const int32_t *shape, size_t isz) {
  mx_strided it;
  const int64_t *st[2] = {dst_st, sst};
  if (mx_strided_init(&it, ndim, shape, 2, st) == 0) return;
  int nd = it.ndim;
  /* Transposed inner axes (the source is contiguous along the second-to-last axis): tiles. */
  if (nd >= 2 && it.shape[nd - 1] >= 8 && it.shape[nd - 2] >= 8 && it.strides[0][nd - 1] == 1 &&
      (it.strides[1][nd - 2] == 1 || it.strides[1][nd - 2] == -1) &&
      (it.strides[1][nd - 1] > 1 || it.strides[1][nd - 1] < -1)) {
    if (isz == 4 && it.strides[1][nd - 2] == 1) {
      mx_cpu_transpose4(&it, 0, 1, dst, src);
      return;
    }
    tiled_fn fn = isz == 1   ? tiled_uint8_t
                  : isz == 2 ? tiled_uint16_t
                  : isz == 4 ? tiled_uint32_t
                             : tiled_uint64_t;
    int64_t outer = it.size / (it.shape[nd - 1] * it.shape[nd - 2]);
    int64_t idx[MX_MAX_NDIM] = {0}, od = 0, os = 0;
    for (int64_t o = 0; o < outer; o++) {
      fn(dst + od * (int64_t)isz, it.strides[0][nd - 2], 1, src + os * (int64_t)isz,
         it.strides[1][nd - 2], it.strides[1][nd - 1], it.shape[nd - 2], it.shape[nd - 1]);
      for (int d = nd - 3; d >= 0; d--) { /* odometer over the outer axes */
        od += it.strides[0][d];
        os += it.strides[1][d];
        if (++idx[d] < it.shape[d]) break;
        od -= it.strides[0][d] * it.shape[d];
        os -= it.strides[1][d] * it.shape[d];
        idx[d] = 0;
      }
    }
    return;
  }
  if ((size_t)it.size * isz >= PAR_COPY_BYTES) {
    int64_t rows = mx_strided_rows(&it), inner = mx_strided_inner(&it);
    copy_job j = {&it, dst, src, isz, pick_copy(isz), it.strides[0][nd - 1], it.strides[1][nd - 1]};
    if (rows == 1)
      mx_ew_parallel_for(inner, PAR_COPY_GRAIN, copy_run, &j);
    else
      mx_ew_parallel_for(rows, 1 + PAR_COPY_GRAIN / inner, copy_rows, &j);
    return;
  }
  mx_idx_run(&it, dst, src, isz, pick_copy(isz));
}

/* ---- index offsets ---- */

#define ADD_OFFS(T)                                                                                \
  static void add_offs_##T(int64_t *offs, const T *p, const mx_strided *it, int64_t dim,           \
                           int64_t hi, int64_t stride, bool drop) {                                \
    int64_t rows = mx_strided_rows(it), inner = mx_strided_inner(it);                              \
    int64_t is = it->strides[0][it->ndim - 1], o = 0;                                              \
    mx_strided_pos pos;                                                                            \
    mx_strided_pos_init(it, &pos);                                                                 \
    for (int64_t r = 0; r < rows; r++) {                                                           \
      const T *q = p + pos.off[0];                                                                 \
      if (drop) {                                                                                  \
        for (int64_t i = 0; i < inner; i++, o++) {                                                 \
          int64_t v = (int64_t)q[i * is];                                                          \
          v += v < 0 ? dim : 0;                                                                    \
          offs[o] = (v < 0 || v > hi) ? INT64_MIN : offs[o] + v * stride;                          \
        }                                                                                          \
      } else {                                                                                     \
        for (int64_t i = 0; i < inner; i++, o++) {                                                 \
          int64_t v = (int64_t)q[i * is];                                                          \
          v += v < 0 ? dim : 0;                                                                    \
          v = v < 0 ? 0 : (v > hi ? hi : v);                                                       \
          offs[o] += v * stride;                                                                   \
        }                                                                                          \
      }                                                                                            \
      mx_strided_next(it, &pos);                                                                   \
    }                                                                                              \
  }

ADD_OFFS(uint8_t)
ADD_OFFS(uint16_t)
ADD_OFFS(uint32_t)
ADD_OFFS(uint64_t)
ADD_OFFS(int8_t)
ADD_OFFS(int16_t)
ADD_OFFS(int32_t)
ADD_OFFS(int64_t)

void mx_idx_add_offsets(int64_t *offs, const mx_array *idx, int64_t dim, int64_t hi, int64_t stride,
                        bool drop) {
  mx_strided it;
  const int64_t *st[1] = {idx->strides};
  if (mx_strided_init(&it, idx->ndim, idx->shape, 1, st) == 0) return;
  const void *p = mx_array_data(idx);
  switch ((mx_dtype)idx->dtype) {
  case MX_BOOL:
  case MX_UINT8:
    add_offs_uint8_t(offs, p, &it, dim, hi, stride, drop);
    break;
  case MX_UINT16:
    add_offs_uint16_t(offs, p, &it, dim, hi, stride, drop);
    break;
  case MX_UINT32:
    add_offs_uint32_t(offs, p, &it, dim, hi, stride, drop);
    break;
  case MX_UINT64:
    add_offs_uint64_t(offs, p, &it, dim, hi, stride, drop);
    break;
  case MX_INT8:
    add_offs_int8_t(offs, p, &it, dim, hi, stride, drop);
    break;
  case MX_INT16:
    add_offs_int16_t(offs, p, &it, dim, hi, stride, drop);
    break;
  case MX_INT32:
    add_offs_int32_t(offs, p, &it, dim, hi, stride, drop);
    break;
  default:
    add_offs_int64_t(offs, p, &it, dim, hi, stride, drop);
    break;
  }
}

int mx_idx_init_from(mx_array *out, mx_array *in) {
  if (mx_idx_can_donate(out, in)) {
    mx_array_copy_shared(out, in);
    return 0;
  }
  MX_TRY(mx_array_alloc_data(out));
  mx_idx_copy(mx_array_data(out), out->strides, mx_array_data(in), in->strides, in->ndim, in->shape,
              mx_array_itemsize(in));
  return 0;
}

/* ---- CONCATENATE ---- */

int mx_cpu_concatenate(mx_node *n) {
  const mx_int_param *p = n->params;
  mx_array *out = &n->out[0];
  MX_TRY(mx_array_alloc_data(out));
  size_t isz = mx_array_itemsize(out);
  char *dst = mx_array_data(out);
  int ax = p->value;
  for (int i = 0; i < n->nin; i++) {
    mx_array *in = n->inputs[i];
    if (in->size)
      mx_idx_copy(dst, out->strides, mx_array_data(in), in->strides, in->ndim, in->shape, isz);
    dst += (int64_t)in->shape[ax] * out->strides[ax] * (int64_t)isz;
  }
  return 0;
}

/* ---- TRIL / TRIU: copy, then zero the excluded part of every row of the last two axes ---- */

int mx_cpu_tri(mx_node *n) {
  const mx_int_param *p = n->params;
  mx_array *in = n->inputs[0], *out = &n->out[0];
  MX_TRY(mx_idx_init_from(out, in));
  if (out->size == 0) return 0;
  bool upper = n->prim == MX_PRIM_TRIU;
  int64_t k = p->value, M = out->shape[out->ndim - 2], N = out->shape[out->ndim - 1];
  int64_t batches = out->size / (M * N);
  size_t isz = mx_array_itemsize(out);
  char *base = mx_array_data(out);
  for (int64_t b = 0; b < batches; b++) {
    for (int64_t i = 0; i < M; i++) {
      char *row = base + ((b * M + i) * N) * (int64_t)isz;
      /* tril keeps j <= i + k; triu keeps j >= i + k. */
      int64_t lo, hi; /* zeroed range [lo, hi) */
      if (upper) {
        lo = 0;
        hi = i + k;
      } else {
        lo = i + k + 1;
        hi = N;
      }
      if (lo < 0) lo = 0;
      if (hi > N) hi = N;
      if (hi > lo) memset(row + lo * (int64_t)isz, 0, (size_t)(hi - lo) * isz);
    }
  }
  return 0;
}

/* ---- CONTIGUOUS ---- */

int mx_cpu_contiguous(mx_node *n) {
  const mx_int_param *p = n->params;
  mx_array *in = n->inputs[0], *out = &n->out[0];
  bool row = (in->flags & MX_ROW_CONTIGUOUS) && in->data_size == in->size;
  bool col = p->value && (in->flags & MX_COL_CONTIGUOUS) && in->data_size == in->size;
  if (row || col) {
    mx_array_copy_shared(out, in);
    return 0;
  }
  MX_TRY(mx_array_alloc_data(out));
  mx_idx_copy(mx_array_data(out), out->strides, mx_array_data(in), in->strides, in->ndim, in->shape,
              mx_array_itemsize(in));
  return 0;
}

/* ---- VIEW: the same bytes seen as another dtype ---- */

int mx_cpu_view(mx_node *n) {
  mx_array *in = n->inputs[0], *out = &n->out[0];
  size_t ib = mx_array_itemsize(in), ob = mx_array_itemsize(out);
  if (ib == ob) {
    mx_array_copy_shared(out, in);
    return 0;
  }
  if ((in->flags & MX_ROW_CONTIGUOUS) && in->data_size == in->size) {
    int64_t strides[MX_MAX_NDIM], data_size;
    mx_row_strides(out->ndim, out->shape, strides);
    uint8_t flags = mx_layout_flags(out->ndim, out->shape, strides, &data_size);
    mx_array_set_view(out, in, strides, 0, data_size, flags);
    return 0;
  }
  /* Gather the input's bytes in row-major order into out's own buffer. */
  MX_TRY(mx_array_alloc_data(out));
  int64_t st[MX_MAX_NDIM];
  mx_row_strides(in->ndim, in->shape, st);
  mx_idx_copy(mx_array_data(out), st, mx_array_data(in), in->strides, in->ndim, in->shape, ib);
  return 0;
}
