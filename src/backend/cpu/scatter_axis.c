/* The along-axis kernels (see src/ops/prims_indexing.h), over the positions u of the index
 * shape U:
 *   PUT_ALONG_AXIS   out = a, then out[u with axis -> idx[u]] = (or combined with) upd[u];
 *   TAKE_ALONG_AXIS  out[u] = a[u with axis -> idx[u]].
 *
 * One strided walk over U with three operands: the indexed array (out for put, a for take; stride
 * 0 along the axis: the index gives that offset), idx, and the streamed one (upd for put, out for
 * take), any layouts, broadcast ones included. Each inner row goes in blocks of PBLK: a typed
 * pass per index dtype turns the indices into element offsets in the indexed row (a negative
 * index wrapped once; then put drops an index outside the axis, offset -1, and take clamps it),
 * then a typed pass per value type moves (or combines) the values.
 *
 * Threads split U along its largest non-axis dimension: each then reads (take) or writes (put)
 * whole rows of the indexed array, which stay in cache. For put, positions that differ there
 * never reach the same output element, so no two threads write one element, and within a thread
 * repeated indices keep their row-major order (the last write wins). A take from a 1-d array
 * splits along the axis. Unless out takes over a's buffer, each put thread copies its part of a
 * into out, in slabs just before their updates (while they are in cache) where the slabs are
 * contiguous in out. */
#include <string.h>

#include "backend/cpu/ew_common.h"
#include "backend/cpu/indexing.h"
#include "core/error.h"
#include "core/primitives.h"
#include "ops/indexing.h"

#define PBLK 1024
#define SLAB_BYTES (256 * 1024) /* out's bytes copied and updated at a time */

typedef void (*ax_offs_fn)(int64_t *o, const char *q, int64_t is, int64_t m, int64_t ds,
                           int64_t dim, int64_t axs);
struct ax_job;
/* Moves m values between the indexed row ix (offsets o) and the streamed row sr (stride ss). */
typedef void (*ax_move_fn)(const struct ax_job *j, char *ix, char *sr, int64_t ss, const int64_t *o,
                           int64_t m);

typedef struct ax_job {
  int ndim, split; /* split: the dimension of U divided over the threads (-1: none) */
  int64_t slab;    /* positions of split per step (put: copy, then update) */
  int32_t shape[MX_MAX_NDIM];
  int64_t st[3][MX_MAX_NDIM]; /* element strides: indexed (0 along the axis), idx, streamed */
  const mx_array *src;        /* put: a, to copy into out (NULL: out has a's data) */
  int64_t dim, axs;           /* the axis' extent in the indexed array, its stride along it */
  int64_t isz, qsz;           /* item sizes of the values and of the indices */
  char *ix, *sr;              /* data of the indexed and the streamed array */
  const char *idx;
  ax_offs_fn offs;
  ax_move_fn move;
  mx_idx_row_fn fn; /* put: the combining row function (generic move) */
} ax_job;

/* ---- offsets: o[i] = i * ds + wrap(q[i * is]) * axs; an index outside the axis gives -1
 * (drop_T) or is clamped into it (clamp_T) ---- */

#define AX_OFFS(T, SIGNED)                                                                         \
  EW_CLONES static void drop_##T(int64_t *o, const char *qp, int64_t is, int64_t m, int64_t ds,    \
                                 int64_t dim, int64_t axs) {                                       \
    const T *q = (const T *)qp;                                                                    \
    for (int64_t i = 0; i < m; i++) {                                                              \
      int64_t v = (int64_t)q[i * is];                                                              \
      if (SIGNED) v += v < 0 ? dim : 0;                                                            \
      o[i] = (uint64_t)v < (uint64_t)dim ? i * ds + v * axs : -1;                                  \
    }                                                                                              \
  }                                                                                                \
  EW_CLONES static void clamp_##T(int64_t *o, const char *qp, int64_t is, int64_t m, int64_t ds,   \
                                  int64_t dim, int64_t axs) {                                      \
    const T *q = (const T *)qp;                                                                    \
    for (int64_t i = 0; i < m; i++) {                                                              \
      int64_t v = (int64_t)q[i * is];                                                              \
      if (SIGNED) v += v < 0 ? dim : 0;                                                            \
      v = (uint64_t)v < (uint64_t)dim ? v : (SIGNED && v < 0 ? 0 : dim - 1);                       \
      o[i] = i * ds + v * axs;                                                                     \
    }                                                                                              \
  }
AX_OFFS(uint8_t, 0)
AX_OFFS(uint16_t, 0)
AX_OFFS(uint32_t, 0)
AX_OFFS(uint64_t, 0) /* past INT64_MAX: negative as int64, so past the axis' end */
AX_OFFS(int8_t, 1)
AX_OFFS(int16_t, 1)
AX_OFFS(int32_t, 1)
AX_OFFS(int64_t, 1)

#define AX_PICK(kind)                                                                              \
  static ax_offs_fn pick_##kind(mx_dtype dt) {                                                     \
    switch (dt) {                                                                                  \
    case MX_UINT8:                                                                                 \
      return kind##_uint8_t;                                                                       \
    case MX_UINT16:                                                                                \
      return kind##_uint16_t;                                                                      \
    case MX_UINT32:                                                                                \
      return kind##_uint32_t;                                                                      \
    case MX_UINT64:                                                                                \
      return kind##_uint64_t;                                                                      \
    case MX_INT8:                                                                                  \
      return kind##_int8_t;                                                                        \
    case MX_INT16:                                                                                 \
      return kind##_int16_t;                                                                       \
    case MX_INT32:                                                                                 \
      return kind##_int32_t;                                                                       \
    default:                                                                                       \
      return kind##_int64_t; /* (the ops admit integer indices only) */                            \
    }                                                                                              \
  }
AX_PICK(drop)
AX_PICK(clamp)

/* ---- moves: set/add x[o[i]] from s[i * ss] (put), s[i * ss] = x[o[i]] (take) ---- */

#define AX_MOVE(name, T, STMT)                                                                     \
  static void name(const ax_job *j, char *ix, char *sr, int64_t ss, const int64_t *o, int64_t m) { \
    (void)j;                                                                                       \
    T *x = (T *)ix, *s = (T *)sr;                                                                  \
    for (int64_t i = 0; i < m; i++) STMT;                                                          \
  }
AX_MOVE(set8, uint8_t, if (o[i] >= 0) x[o[i]] = s[i * ss])
AX_MOVE(set16, uint16_t, if (o[i] >= 0) x[o[i]] = s[i * ss])
AX_MOVE(set32, uint32_t, if (o[i] >= 0) x[o[i]] = s[i * ss])
AX_MOVE(set64, uint64_t, if (o[i] >= 0) x[o[i]] = s[i * ss])
AX_MOVE(add_f32, float, if (o[i] >= 0) x[o[i]] += s[i * ss])
AX_MOVE(add_f64, double, if (o[i] >= 0) x[o[i]] += s[i * ss])
AX_MOVE(add_u32, uint32_t, if (o[i] >= 0) x[o[i]] += s[i * ss]) /* int32: wraps, same bits */
AX_MOVE(add_u64, uint64_t, if (o[i] >= 0) x[o[i]] += s[i * ss])
AX_MOVE(get8, uint8_t, s[i * ss] = x[o[i]])
AX_MOVE(get16, uint16_t, s[i * ss] = x[o[i]])
AX_MOVE(get32, uint32_t, s[i * ss] = x[o[i]])
AX_MOVE(get64, uint64_t, s[i * ss] = x[o[i]])

/* Put with any op and dtype: the combining row function, one element at a time. */
static void put_generic(const ax_job *j, char *ix, char *sr, int64_t ss, const int64_t *o,
                        int64_t m) {
  for (int64_t i = 0; i < m; i++)
    if (o[i] >= 0) j->fn(ix + o[i] * j->isz, 0, sr + i * ss * j->isz, 0, 1);
}

static ax_move_fn pick_put(int op, mx_dtype dt) {
  if (op == MX_SCATTER_NONE) {
    switch (mx_dtype_size(dt)) {
    case 1:
      return set8;
    case 2:
      return set16;
    case 4:
      return set32;
    default:
      return set64;
    }
  }
  if (op == MX_SCATTER_SUM) {
    switch (dt) {
    case MX_FLOAT32:
      return add_f32;
    case MX_FLOAT64:
      return add_f64;
    case MX_INT32:
    case MX_UINT32:
      return add_u32;
    case MX_INT64:
    case MX_UINT64:
      return add_u64;
    default:
      break;
    }
  }
  return put_generic;
}

static ax_move_fn pick_take(mx_dtype dt) {
  switch (mx_dtype_size(dt)) {
  case 1:
    return get8;
  case 2:
    return get16;
  case 4:
    return get32;
  default:
    return get64;
  }
}

/* ---- the walk ---- */

/* a's slab [b, e) of the split dimension (all of it when there is none) into out (put). */
static void put_copy(const ax_job *j, int64_t b, int64_t e) {
  const mx_array *a = j->src;
  int32_t shape[MX_MAX_NDIM];
  int64_t ost[MX_MAX_NDIM], od = 0, ad = 0;
  memcpy(shape, a->shape, (size_t)a->ndim * sizeof(int32_t));
  mx_strided_row_strides(a->ndim, a->shape, ost);
  if (j->split >= 0) {
    shape[j->split] = (int32_t)(e - b);
    od = b * ost[j->split];
    ad = b * a->strides[j->split];
  }
  mx_idx_copy(j->ix + od * j->isz, ost, (const char *)mx_array_data(a) + ad * j->isz, a->strides,
              a->ndim, shape, (size_t)j->isz);
}

/* Positions [b, e) of the split dimension (all of U when there is none). */
static void ax_walk(const ax_job *j, int64_t b, int64_t e) {
  int32_t shape[MX_MAX_NDIM];
  int64_t base[3] = {0, 0, 0}, o[PBLK];
  memcpy(shape, j->shape, sizeof shape);
  if (j->split >= 0) {
    shape[j->split] = (int32_t)(e - b);
    for (int k = 0; k < 3; k++) base[k] = b * j->st[k][j->split];
  }
  const int64_t *st[3] = {j->st[0], j->st[1], j->st[2]};
  mx_strided it;
  if (mx_strided_init(&it, j->ndim, shape, 3, st) == 0) return;
  int64_t rows = mx_strided_rows(&it), n = mx_strided_inner(&it), last = it.ndim - 1;
  int64_t xs = it.strides[0][last], is = it.strides[1][last], ss = it.strides[2][last];
  mx_strided_pos pos;
  mx_strided_pos_init(&it, &pos);
  for (int64_t r = 0; r < rows; r++) {
    int64_t xo = base[0] + pos.off[0], qo = base[1] + pos.off[1], so = base[2] + pos.off[2];
    for (int64_t c = 0; c < n; c += PBLK) {
      int64_t m = n - c < PBLK ? n - c : PBLK;
      j->offs(o, j->idx + (qo + c * is) * j->qsz, is, m, xs, j->dim, j->axs);
      j->move(j, j->ix + (xo + c * xs) * j->isz, j->sr + (so + c * ss) * j->isz, ss, o, m);
    }
    mx_strided_next(&it, &pos);
  }
}

static void ax_task(void *ctx, int64_t begin, int64_t end) {
  const ax_job *j = ctx;
  for (int64_t b = begin; b < end; b += j->slab) {
    int64_t e = end - b < j->slab ? end : b + j->slab;
    if (j->src) put_copy(j, b, e);
    ax_walk(j, b, e);
  }
}

/* Fills the walk over U = idx's shape; split: the largest non-axis dimension (a slab of it reads
 * and writes whole rows of the indexed array), else (only_non_axis false) the axis, -1 when none
 * has more than one position. */
static void ax_init(ax_job *j, mx_array *ix, mx_array *idx, mx_array *sr, int ax,
                    bool only_non_axis) {
  j->ndim = idx->ndim;
  j->split = -1;
  memcpy(j->shape, idx->shape, (size_t)idx->ndim * sizeof(int32_t));
  memcpy(j->st[0], ix->strides, (size_t)ix->ndim * sizeof(int64_t));
  memcpy(j->st[1], idx->strides, (size_t)idx->ndim * sizeof(int64_t));
  memcpy(j->st[2], sr->strides, (size_t)sr->ndim * sizeof(int64_t));
  j->st[0][ax] = 0;
  j->dim = ix->shape[ax];
  j->axs = ix->strides[ax];
  j->isz = (int64_t)mx_array_itemsize(ix);
  j->qsz = (int64_t)mx_array_itemsize(idx);
  j->ix = mx_array_data(ix);
  j->sr = mx_array_data(sr);
  j->idx = mx_array_data(idx);
  for (int d = 0; d < j->ndim; d++)
    if (d != ax && j->shape[d] > 1 && (j->split < 0 || j->shape[d] > j->shape[j->split]))
      j->split = d;
  if (j->split < 0 && !only_non_axis && j->shape[ax] > 1) j->split = ax;
  j->slab = j->split >= 0 ? j->shape[j->split] : 1;
}

/* Runs the walk over the threads; work: elements touched per position of the split dimension. */
static void ax_run(ax_job *j, int64_t work) {
  int64_t units = j->split >= 0 ? j->shape[j->split] : 1;
  int64_t per_unit = work / units, grain = ew_grain(EW_COST_MATH) / (per_unit > 0 ? per_unit : 1);
  mx_ew_parallel_for(units, grain > 0 ? grain : 1, ax_task, j);
}

int mx_cpu_put_along_axis(mx_node *n) {
  const mx_put_axis_params *p = n->params;
  mx_array *a = n->inputs[0], *idx = n->inputs[1], *upd = n->inputs[2], *out = &n->out[0];
  ax_job j;
  memset(&j, 0, sizeof j);
  if (mx_idx_can_donate(out, a)) {
    MX_TRY(mx_idx_init_from(out, a));
  } else {
    MX_TRY(mx_array_alloc_data(out));
    j.src = a;
  }
  if (out->size == 0) return 0;
  ax_init(&j, out, idx, upd, p->axis, true);
  j.offs = pick_drop((mx_dtype)idx->dtype);
  j.move = pick_put(p->op, (mx_dtype)out->dtype);
  j.fn = mx_idx_row_op(p->op, (mx_dtype)out->dtype);
  /* Slabs stay in cache only where they are contiguous in out (no dimension of out before the
   * split one); otherwise each thread copies its whole range first. */
  int64_t before = 1, units = j.slab;
  for (int d = 0; d < j.split; d++) before *= out->shape[d];
  if (j.src && before == 1) j.slab = SLAB_BYTES / (out->size / units * j.isz);
  j.slab = j.slab > 1 ? j.slab : 1;
  ax_run(&j, out->size + upd->size);
  return 0;
}

int mx_cpu_take_along_axis(mx_node *n) {
  const mx_int_param *p = n->params;
  mx_array *a = n->inputs[0], *idx = n->inputs[1], *out = &n->out[0];
  MX_TRY(mx_array_alloc_data(out));
  if (out->size == 0) return 0;
  ax_job j;
  memset(&j, 0, sizeof j);
  ax_init(&j, a, idx, out, p->value, false);
  j.offs = pick_clamp((mx_dtype)idx->dtype);
  j.move = pick_take((mx_dtype)out->dtype);
  ax_run(&j, out->size);
  return 0;
}
