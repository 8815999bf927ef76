/* GATHER: out[b, s...] = a[base(b) + s...], base(b) from the index arrays at position b.
 *
 * The element offset of every index position is computed first (one typed pass per index array,
 * indices clamped into the axis so no read leaves the array), then each slice is copied with the
 * strided row copier; single-element slices take a tight loop. */
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/indexing.h"
#include "core/error.h"
#include "ops/indexing.h"

#define GATHER1(T)                                                                                 \
  static void gather1_##T(char *dst, const char *src, const int64_t *offs, int64_t n) {            \
    T *d = (T *)dst;                                                                               \
    const T *s = (const T *)src;                                                                   \
    for (int64_t i = 0; i < n; i++) d[i] = s[offs[i]];                                             \
  }
GATHER1(uint8_t)
GATHER1(uint16_t)
GATHER1(uint32_t)
GATHER1(uint64_t)

int mx_cpu_gather(mx_node *n) {
  const mx_gather_params *p = n->params;
  mx_array *a = n->inputs[0], *out = &n->out[0];
  const int32_t *axes = p->data, *ss = p->data + p->naxes;
  MX_TRY(mx_array_alloc_data(out));
  if (out->size == 0) return 0;
  int64_t npos = 1;
  if (p->naxes > 0) npos = n->inputs[1]->size;
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
  int64_t slice = 1;
  for (int i = 0; i < p->ndim; i++) slice *= ss[i];
  if (slice == 1) {
    switch (isz) {
    case 1:
      gather1_uint8_t(dst, src, offs, npos);
      break;
    case 2:
      gather1_uint16_t(dst, src, offs, npos);
      break;
    case 4:
      gather1_uint32_t(dst, src, offs, npos);
      break;
    default:
      gather1_uint64_t(dst, src, offs, npos);
      break;
    }
  } else {
    int64_t dst_st[MX_MAX_NDIM];
    mx_row_strides(p->ndim, ss, dst_st);
    mx_strided it;
    const int64_t *st[2] = {dst_st, a->strides};
    mx_strided_init(&it, p->ndim, ss, 2, st);
    mx_idx_row_fn copy = mx_idx_row_op(MX_SCATTER_NONE, (mx_dtype)a->dtype);
    for (int64_t i = 0; i < npos; i++)
      mx_idx_run(&it, dst + i * slice * (int64_t)isz, src + offs[i] * (int64_t)isz, isz, copy);
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
  int64_t nb = idx->size, post = 1;
  for (int i = ax + 1; i < a->ndim; i++) post *= a->shape[i];
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
    for (int64_t i = 0; i < inner; i++) {
      const char *base = src + (pos.off[0] + i * is) * (int64_t)isz;
      if (post == 1) {
        switch (isz) {
        case 1:
          gather1_uint8_t(dst, base, offs, nb);
          break;
        case 2:
          gather1_uint16_t(dst, base, offs, nb);
          break;
        case 4:
          gather1_uint32_t(dst, base, offs, nb);
          break;
        default:
          gather1_uint64_t(dst, base, offs, nb);
          break;
        }
      } else {
        for (int64_t b = 0; b < nb; b++)
          mx_idx_run(&blk, dst + b * post * (int64_t)isz, base + offs[b] * (int64_t)isz, isz, copy);
      }
      dst += nb * post * (int64_t)isz;
    }
    mx_strided_next(&pre, &pos);
  }
  free(offs);
  return 0;
}
