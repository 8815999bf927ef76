/* GATHER: out[b, s...] = a[base(b) + s...], base(b) from the index arrays at position b.
 *
 * Single-element slices (x[idx], take_along_axis, take of a 1-d array) with up to three index
 * arrays go block by block: the offsets of GBLK positions are made on the stack (indices clamped
 * into the axis so no read leaves the array) and used at once, and the positions are split over
 * the CPU threads. Otherwise the element offset of every index position is computed first (one
 * typed pass per index array), then each slice is copied with the strided row copier. */
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/ew_common.h"
#include "backend/cpu/indexing.h"
#include "core/error.h"
#include "ops/indexing.h"

/* ---- blocked, threaded single-element gathers ----
 * dst[p] = src[sum_k clamp(idx_k[p]) * stride_k] for the positions p of up to three index arrays
 * of one shape (any integer dtypes and layouts): the offsets of a block of positions are made on
 * the stack and used at once, and ranges of positions are split over the CPU threads. */

#define GBLK 1024

typedef struct {
  int nidx;
  const char *idx[MX_STRIDED_MAX_OPS];
  int dt[MX_STRIDED_MAX_OPS];
  int64_t dim[MX_STRIDED_MAX_OPS], hi[MX_STRIDED_MAX_OPS], stride[MX_STRIDED_MAX_OPS];
  mx_strided it; /* over the index shape, one operand per index array */
  const char *src;
  char *dst;
  int64_t isz;
} gblk_job;

/* o[i] (+)= clamp(q[i * is]) * stride for i < m (a negative index counts from the end). */
#define ACC_OFFS(T)                                                                                \
  static void acc_offs_##T(int64_t *o, const T *q, int64_t is, int64_t m, int64_t dim, int64_t hi, \
                           int64_t stride, int first) {                                            \
    for (int64_t i = 0; i < m; i++) {                                                              \
      int64_t v = (int64_t)q[i * is];                                                              \
      v += v < 0 ? dim : 0;                                                                        \
      v = v < 0 ? 0 : (v > hi ? hi : v);                                                           \
      o[i] = (first ? 0 : o[i]) + v * stride;                                                      \
    }                                                                                              \
  }
ACC_OFFS(uint8_t)
ACC_OFFS(uint16_t)
ACC_OFFS(uint32_t)
ACC_OFFS(uint64_t)
ACC_OFFS(int8_t)
ACC_OFFS(int16_t)
ACC_OFFS(int32_t)
ACC_OFFS(int64_t)

static void acc_offs(int dt, int64_t *o, const char *p, int64_t off, int64_t is, int64_t m,
                     int64_t dim, int64_t hi, int64_t stride, int first) {
  switch ((mx_dtype)dt) {
  case MX_BOOL:
  case MX_UINT8:
    acc_offs_uint8_t(o, (const uint8_t *)p + off, is, m, dim, hi, stride, first);
    break;
  case MX_UINT16:
    acc_offs_uint16_t(o, (const uint16_t *)p + off, is, m, dim, hi, stride, first);
    break;
  case MX_UINT32:
    acc_offs_uint32_t(o, (const uint32_t *)p + off, is, m, dim, hi, stride, first);
    break;
  case MX_UINT64:
    acc_offs_uint64_t(o, (const uint64_t *)p + off, is, m, dim, hi, stride, first);
    break;
  case MX_INT8:
    acc_offs_int8_t(o, (const int8_t *)p + off, is, m, dim, hi, stride, first);
    break;
  case MX_INT16:
    acc_offs_int16_t(o, (const int16_t *)p + off, is, m, dim, hi, stride, first);
    break;
  case MX_INT32:
    acc_offs_int32_t(o, (const int32_t *)p + off, is, m, dim, hi, stride, first);
    break;
  default:
    acc_offs_int64_t(o, (const int64_t *)p + off, is, m, dim, hi, stride, first);
    break;
  }
}

/* dst[i n + b] = src[i is + offs[b]] for i < inner, b < n (elements): a gather of n elements,
 * or of n per position of a leading run in one call instead of one per position (take(x, [3, 0],
 * axis=1) of (2.5e6, 4) float32: 7.8-10 -> 3.2 ms, numpy 4-7; bench/short_rows.py) */
#define GATHER_RUN(T)                                                                              \
  static void gather_run_##T(char *dst, const char *src, int64_t is, int64_t inner,                \
                             const int64_t *offs, int64_t n) {                                     \
    T *d = (T *)dst;                                                                               \
    for (int64_t i = 0; i < inner; i++, d += n) {                                                  \
      const T *s = (const T *)src + i * is;                                                        \
      for (int64_t b = 0; b < n; b++) d[b] = s[offs[b]];                                           \
    }                                                                                              \
  }
GATHER_RUN(uint8_t)
GATHER_RUN(uint16_t)
GATHER_RUN(uint32_t)
GATHER_RUN(uint64_t)

static void gather_run(int64_t isz, char *dst, const char *src, int64_t is, int64_t inner,
                       const int64_t *offs, int64_t n) {
  switch (isz) {
  case 1:
    gather_run_uint8_t(dst, src, is, inner, offs, n);
    break;
  case 2:
    gather_run_uint16_t(dst, src, is, inner, offs, n);
    break;
  case 4:
    gather_run_uint32_t(dst, src, is, inner, offs, n);
    break;
  default:
    gather_run_uint64_t(dst, src, is, inner, offs, n);
    break;
  }
}

static void gblk_task(void *ctx, int64_t begin, int64_t end) {
  const gblk_job *j = (const gblk_job *)ctx;
  const mx_strided *it = &j->it;
  int64_t inner = mx_strided_inner(it);
  int64_t row = begin / inner, col = begin % inner, p = begin;
  mx_strided_pos pos;
  ew_pos_at(it, row, &pos);
  int64_t offs[GBLK];
  while (p < end) {
    int64_t m = inner - col;
    if (m > end - p) m = end - p;
    if (m > GBLK) m = GBLK;
    for (int k = 0; k < j->nidx; k++) {
      int64_t is = it->strides[k][it->ndim - 1];
      acc_offs(j->dt[k], offs, j->idx[k], pos.off[k] + col * is, is, m, j->dim[k], j->hi[k],
               j->stride[k], k == 0);
    }
    gather_run(j->isz, j->dst + p * j->isz, j->src, 0, 1, offs, m);
    p += m;
    col += m;
    if (col == inner) {
      col = 0;
      mx_strided_next(it, &pos);
    }
  }
}

/* Sets up the iteration over nidx (<= MX_STRIDED_MAX_OPS) index arrays of one shape. */
static void gblk_init(gblk_job *j, mx_array *const *idx, int nidx) {
  const int64_t *st[MX_STRIDED_MAX_OPS];
  for (int k = 0; k < nidx; k++) {
    st[k] = idx[k]->strides;
    j->idx[k] = (const char *)mx_array_data(idx[k]);
    j->dt[k] = idx[k]->dtype;
  }
  j->nidx = nidx;
  mx_strided_init(&j->it, idx[0]->ndim, idx[0]->shape, nidx, st);
}

/* random reads: several times a copy's work per element */
static int64_t gblk_grain(void) {
  return ew_grain(EW_COST_HEAVY);
}

int mx_cpu_gather(mx_node *n) {
  const mx_gather_params *p = n->params;
  mx_array *a = n->inputs[0], *out = &n->out[0];
  const int32_t *axes = p->data, *ss = p->data + p->naxes;
  MX_TRY(mx_array_alloc_data(out));
  if (out->size == 0) return 0;
  int64_t npos = 1;
  if (p->naxes > 0) npos = n->inputs[1]->size;
  int64_t slice1 = 1;
  for (int i = 0; i < p->ndim; i++) slice1 *= ss[i];
  if (slice1 == 1 && p->naxes >= 1 && p->naxes <= MX_STRIDED_MAX_OPS) {
    gblk_job j;
    memset(&j, 0, sizeof j);
    gblk_init(&j, n->inputs + 1, p->naxes);
    for (int k = 0; k < p->naxes; k++) {
      int ax = axes[k];
      j.dim[k] = a->shape[ax];
      j.hi[k] = (int64_t)a->shape[ax] - ss[ax];
      j.stride[k] = a->strides[ax];
    }
    j.src = mx_array_data(a);
    j.dst = mx_array_data(out);
    j.isz = (int64_t)mx_array_itemsize(a);
    mx_ew_parallel_for(npos, gblk_grain(), gblk_task, &j);
    return 0;
  }
  int64_t *offs = calloc((size_t)npos, sizeof(int64_t));
  if (!offs) return mx_error("[gather] Out of memory.");
  for (int k = 0; k < p->naxes; k++) {
    int ax = axes[k];
    mx_idx_add_offsets(offs, n->inputs[1 + k], a->shape[ax], (int64_t)a->shape[ax] - ss[ax],
                       a->strides[ax], false);
  }
  size_t isz = mx_array_itemsize(a);
  const char *src = mx_array_data(a);
  char *dst = mx_array_data(out);
  if (slice1 == 1) {
    gather_run((int64_t)isz, dst, src, 0, 1, offs, npos);
  } else {
    int64_t dst_st[MX_MAX_NDIM];
    mx_row_strides(p->ndim, ss, dst_st);
    mx_strided it;
    const int64_t *st[2] = {dst_st, a->strides};
    mx_strided_init(&it, p->ndim, ss, 2, st);
    mx_idx_row_fn copy = mx_idx_row_op(MX_SCATTER_NONE, (mx_dtype)a->dtype);
    for (int64_t i = 0; i < npos; i++)
      mx_idx_run(&it, dst + i * slice1 * (int64_t)isz, src + offs[i] * (int64_t)isz, isz, copy);
  }
  free(offs);
  return 0;
}

/* TAKE: for each position p of a's leading axes (in order), for each index b, the block
 * a[p, idx[b], ...] goes to out[p, b, ...]. Reads stay within one leading position at a time
 * and writes are sequential. */
int mx_cpu_take(mx_node *n) {
  const mx_int_param *p = n->params;
  mx_array *a = n->inputs[0], *idx = n->inputs[1], *out = &n->out[0];
  int ax = p->value;
  MX_TRY(mx_array_alloc_data(out));
  if (out->size == 0) return 0;
  int64_t nb = idx->size, post = 1, pre_n = 1;
  for (int i = ax + 1; i < a->ndim; i++) post *= a->shape[i];
  for (int i = 0; i < ax; i++) pre_n *= a->shape[i];
  if (post == 1 && pre_n == 1) { /* one gathered element per index: blocked and threaded */
    gblk_job j;
    memset(&j, 0, sizeof j);
    gblk_init(&j, &idx, 1);
    j.dim[0] = a->shape[ax];
    j.hi[0] = (int64_t)a->shape[ax] - 1;
    j.stride[0] = a->strides[ax];
    j.src = mx_array_data(a);
    j.dst = mx_array_data(out);
    j.isz = (int64_t)mx_array_itemsize(a);
    mx_ew_parallel_for(nb, gblk_grain(), gblk_task, &j);
    return 0;
  }
  int64_t *offs = calloc((size_t)nb, sizeof(int64_t));
  if (!offs) return mx_error("[take] Out of memory.");
  mx_idx_add_offsets(offs, idx, a->shape[ax], (int64_t)a->shape[ax] - 1, a->strides[ax], false);
  size_t isz = mx_array_itemsize(a);
  const char *src = mx_array_data(a);
  char *dst = mx_array_data(out);
  /* leading positions */
  mx_strided pre;
  const int64_t *pst[1] = {a->strides};
  mx_strided_init(&pre, ax, a->shape, 1, pst);
  /* the trailing block */
  int nt = a->ndim - ax - 1;
  int64_t dst_st[MX_MAX_NDIM];
  mx_row_strides(nt, a->shape + ax + 1, dst_st);
  mx_strided blk;
  const int64_t *bst[2] = {dst_st, a->strides + ax + 1};
  mx_strided_init(&blk, nt, a->shape + ax + 1, 2, bst);
  mx_idx_row_fn copy = mx_idx_row_op(MX_SCATTER_NONE, (mx_dtype)a->dtype);
  int64_t rows = mx_strided_rows(&pre), inner = mx_strided_inner(&pre);
  int64_t is = pre.strides[0][pre.ndim - 1];
  mx_strided_pos pos;
  mx_strided_pos_init(&pre, &pos);
  for (int64_t r = 0; r < rows; r++) {
    if (post == 1) {
      gather_run((int64_t)isz, dst, src + pos.off[0] * (int64_t)isz, is, inner, offs, nb);
      dst += inner * nb * (int64_t)isz;
    } else {
      for (int64_t i = 0; i < inner; i++) {
        const char *base = src + (pos.off[0] + i * is) * (int64_t)isz;
        for (int64_t b = 0; b < nb; b++)
          mx_idx_run(&blk, dst + b * post * (int64_t)isz, base + offs[b] * (int64_t)isz, isz, copy);
        dst += nb * post * (int64_t)isz;
      }
    }
    mx_strided_next(&pre, &pos);
  }
  free(offs);
  return 0;
}
