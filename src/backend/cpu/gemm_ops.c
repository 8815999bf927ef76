/* CPU kernels of the matmul family's primitives built on mx_cpu_gemm (gemm.h): ADDMM,
 * GATHER_MM, SEGMENTED_MM, BLOCK_MASKED_MM. Operands may be any strided views. */
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/gemm.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "ops/linalg.h"

static bool gemm_dtype(mx_dtype t) {
  return t == MX_FLOAT16 || t == MX_BFLOAT16 || t == MX_FLOAT32 || t == MX_FLOAT64 ||
         t == MX_COMPLEX64;
}

static int check_inputs(const char *op, mx_node *n, int nin) {
  if (n->nin != nin) return mx_error("[%s] Expected %d inputs.", op, nin);
  mx_dtype t = (mx_dtype)n->out[0].dtype;
  if (!gemm_dtype(t)) return mx_error("[%s] Unsupported dtype %s.", op, mx_dtype_name(t));
  for (int i = 0; i < 2; i++)
    if (n->inputs[i]->dtype != t || n->inputs[i]->ndim < 2)
      return mx_error("[%s] Invalid inputs.", op);
  return 0;
}

/* ------------------------------------------------------------------ ADDMM */

int mx_cpu_addmm(mx_node *n) {
  if (check_inputs("addmm", n, 3)) return MX_ERR;
  const mx_array *a = n->inputs[0], *b = n->inputs[1], *c = n->inputs[2];
  const mx_addmm_params *p = (const mx_addmm_params *)n->params;
  mx_array *out = &n->out[0];
  int nd = a->ndim, nb = nd - 2;
  int64_t M = a->shape[nd - 2], K = a->shape[nd - 1], N = b->shape[nd - 1];
  int cnd = nb + (p->a_vec ? 0 : 1) + (p->b_vec ? 0 : 1);
  if (b->ndim != nd || c->ndim != cnd || c->dtype != out->dtype)
    return mx_error("[addmm] Invalid inputs.");
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  int64_t c_rs = p->a_vec ? 0 : c->strides[nb];
  int64_t c_cs = p->b_vec ? 0 : c->strides[cnd - 1];

  mx_gemm_args g;
  memset(&g, 0, sizeof g);
  g.dt = (mx_dtype)out->dtype;
  g.M = M;
  g.N = N;
  g.K = K;
  g.a = (mx_gemm_view){mx_array_data(a), a->strides[nd - 2], a->strides[nd - 1]};
  g.b = (mx_gemm_view){mx_array_data(b), b->strides[nd - 2], b->strides[nd - 1]};
  g.c = (mx_gemm_view){mx_array_data(c), c_rs, c_cs};
  g.alpha = p->alpha;
  g.beta = p->beta;
  g.out = mx_array_data(out);
  g.ldo = N;
  int64_t batch = out->size / (M * N);
  int64_t *offs = malloc(3 * (size_t)batch * sizeof(int64_t));
  if (!offs) return mx_error("[addmm] Out of memory.");
  int64_t idx[MX_MAX_NDIM] = {0};
  int64_t ao = 0, bo = 0, co = 0;
  for (int64_t bi = 0; bi < batch; bi++) {
    offs[bi] = ao;
    offs[batch + bi] = bo;
    offs[2 * batch + bi] = co;
    for (int d = nb - 1; d >= 0; d--) {
      ao += a->strides[d];
      bo += b->strides[d];
      co += c->strides[d];
      if (++idx[d] < a->shape[d]) break;
      ao -= a->strides[d] * a->shape[d];
      bo -= b->strides[d] * b->shape[d];
      co -= c->strides[d] * c->shape[d];
      idx[d] = 0;
    }
  }
  int rc = mx_cpu_gemm_batched("addmm", &g, batch, offs, offs + batch, offs + 2 * batch, M * N);
  free(offs);
  return rc;
}

/* ------------------------------------------------------------------ GATHER_MM */

static int64_t fix_index(int64_t i, int64_t n) {
  if (i < 0) i += n;
  return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

int mx_cpu_gather_mm(mx_node *n) {
  if (check_inputs("gather_mm", n, 4)) return MX_ERR;
  const mx_array *a = n->inputs[0], *b = n->inputs[1], *li = n->inputs[2], *ri = n->inputs[3];
  mx_array *out = &n->out[0];
  if (a->ndim != 3 || b->ndim != 3 || li->dtype != MX_INT64 || ri->dtype != MX_INT64 ||
      li->ndim != ri->ndim || out->ndim != li->ndim + 2)
    return mx_error("[gather_mm] Invalid inputs.");
  int64_t M = a->shape[1], K = a->shape[2], N = b->shape[2];
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  int64_t batch = li->size, Ba = a->shape[0], Bb = b->shape[0];
  if (Ba == 0 || Bb == 0) return mx_error("[gather_mm] Cannot gather from an empty batch.");
  const int64_t *lp = (const int64_t *)mx_array_data(li), *rp = (const int64_t *)mx_array_data(ri);
  int64_t *offs = malloc(2 * (size_t)batch * sizeof(int64_t));
  if (!offs) return mx_error("[gather_mm] Out of memory.");
  /* walk the (common) index shape with each index array's strides */
  const int64_t *strides[2] = {li->strides, ri->strides};
  mx_strided s;
  mx_strided_init(&s, li->ndim, li->shape, 2, strides);
  mx_strided_pos pos;
  mx_strided_pos_init(&s, &pos);
  int64_t inner = mx_strided_inner(&s), rows = mx_strided_rows(&s), k = 0;
  int64_t ls = s.strides[0][s.ndim - 1], rs = s.strides[1][s.ndim - 1];
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t i = 0; i < inner; i++, k++) {
      offs[k] = fix_index(lp[pos.off[0] + i * ls], Ba) * a->strides[0];
      offs[batch + k] = fix_index(rp[pos.off[1] + i * rs], Bb) * b->strides[0];
    }
    mx_strided_next(&s, &pos);
  }
  mx_gemm_args g;
  memset(&g, 0, sizeof g);
  g.dt = (mx_dtype)out->dtype;
  g.M = M;
  g.N = N;
  g.K = K;
  g.a = (mx_gemm_view){mx_array_data(a), a->strides[1], a->strides[2]};
  g.b = (mx_gemm_view){mx_array_data(b), b->strides[1], b->strides[2]};
  g.alpha = 1.0f;
  g.out = mx_array_data(out);
  g.ldo = N;
  int rc = mx_cpu_gemm_batched("gather_mm", &g, batch, offs, offs + batch, NULL, M * N);
  free(offs);
  return rc;
}

/* ------------------------------------------------------------------ SEGMENTED_MM */

int mx_cpu_segmented_mm(mx_node *n) {
  if (check_inputs("segmented_mm", n, 3)) return MX_ERR;
  const mx_array *a = n->inputs[0], *b = n->inputs[1], *sg = n->inputs[2];
  mx_array *out = &n->out[0];
  if (a->ndim != 2 || b->ndim != 2 || sg->dtype != MX_INT64 || sg->ndim < 1 ||
      sg->shape[sg->ndim - 1] != 2)
    return mx_error("[segmented_mm] Invalid inputs.");
  int64_t M = a->shape[0], K = a->shape[1], N = b->shape[1];
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  size_t isz = mx_dtype_size((mx_dtype)out->dtype);
  const int64_t *sp = (const int64_t *)mx_array_data(sg);
  const char *ap = (const char *)mx_array_data(a), *bp = (const char *)mx_array_data(b);
  int64_t nseg = sg->size / 2;
  int64_t last = sg->strides[sg->ndim - 1];
  const int64_t *strides[1] = {sg->strides};
  mx_strided s;
  /* iterate over the segment dims (all but the last) */
  mx_strided_init(&s, sg->ndim - 1, sg->shape, 1, strides);
  mx_strided_pos pos;
  mx_strided_pos_init(&s, &pos);
  int64_t inner = mx_strided_inner(&s), rows = mx_strided_rows(&s), k = 0;
  int64_t is = s.strides[0][s.ndim - 1];
  int rc = 0;
  for (int64_t r = 0; r < rows && !rc && k < nseg; r++) {
    for (int64_t i = 0; i < inner && !rc; i++, k++) {
      const int64_t *e = sp + pos.off[0] + i * is;
      int64_t lo = e[0], hi = e[last];
      lo = lo < 0 ? 0 : (lo > K ? K : lo);
      hi = hi < 0 ? 0 : (hi > K ? K : hi);
      mx_gemm_args g;
      memset(&g, 0, sizeof g);
      g.dt = (mx_dtype)out->dtype;
      g.M = M;
      g.N = N;
      g.K = hi > lo ? hi - lo : 0;
      g.a = (mx_gemm_view){ap + lo * a->strides[1] * (int64_t)isz, a->strides[0], a->strides[1]};
      g.b = (mx_gemm_view){bp + lo * b->strides[0] * (int64_t)isz, b->strides[0], b->strides[1]};
      g.alpha = 1.0f;
      g.out = (char *)mx_array_data(out) + k * M * N * (int64_t)isz;
      g.ldo = N;
      rc = mx_cpu_gemm("segmented_mm", &g);
    }
    mx_strided_next(&s, &pos);
  }
  return rc;
}

/* ------------------------------------------------------------------ BLOCK_MASKED_MM */

/* Reads element i of a float-typed buffer as double. */
static inline double ld(const void *p, mx_dtype t, int64_t i) {
  switch (t) {
  case MX_FLOAT16:
    return mx_h2f(((const uint16_t *)p)[i]);
  case MX_BFLOAT16:
    return mx_bf2f(((const uint16_t *)p)[i]);
  case MX_FLOAT32:
    return ((const float *)p)[i];
  case MX_FLOAT64:
    return ((const double *)p)[i];
  default:
    return mx_load_as_double(p, t, i);
  }
}

/* A mask block's value: bool -> 0 / 1, otherwise the value (as double). */
static inline double mask_at(const mx_array *m, int64_t off) {
  const char *p = (const char *)mx_array_data(m);
  if (m->dtype == MX_BOOL) return p[off] ? 1.0 : 0.0;
  return ld(p, (mx_dtype)m->dtype, off);
}

/* dst (rows x cols, row-major, dtype t) = src (strided view) * mask of its bs x bs block, the
 * mask being the 2-d slice of m at element offset moff. */
static void masked_copy(void *dst, mx_dtype t, const char *src, int64_t rs, int64_t cs,
                        int64_t rows, int64_t cols, const mx_array *m, int64_t moff, int bs) {
  int md = m->ndim;
  int64_t mrs = m->strides[md - 2], mcs = m->strides[md - 1];
  size_t isz = mx_dtype_size(t);
  /* copy (converting layout), then scale block by block */
  int32_t shape[2] = {(int32_t)rows, (int32_t)cols};
  int64_t strides[2] = {rs, cs};
  mx_cpu_copy_strided(dst, t, src, t, 2, shape, strides);
  for (int64_t i = 0; i < rows; i++) {
    char *row = (char *)dst + i * cols * (int64_t)isz;
    for (int64_t j0 = 0; j0 < cols; j0 += bs) {
      double v = mask_at(m, moff + (i / bs) * mrs + (j0 / bs) * mcs);
      if (v == 1.0) continue;
      int64_t j1 = j0 + bs < cols ? j0 + bs : cols;
      switch (t) {
      case MX_FLOAT32:
        for (int64_t j = j0; j < j1; j++) ((float *)row)[j] *= (float)v;
        break;
      case MX_FLOAT64:
        for (int64_t j = j0; j < j1; j++) ((double *)row)[j] *= v;
        break;
      case MX_FLOAT16:
        for (int64_t j = j0; j < j1; j++)
          ((uint16_t *)row)[j] = mx_f2h(mx_h2f(((uint16_t *)row)[j]) * (float)v);
        break;
      default: /* bfloat16 */
        for (int64_t j = j0; j < j1; j++)
          ((uint16_t *)row)[j] = mx_f2bf(mx_bf2f(((uint16_t *)row)[j]) * (float)v);
        break;
      }
    }
  }
}

/* Output mask on a row-major M x N product: bool false zeroes a block, a value scales it. */
static void mask_output(void *o, mx_dtype t, int64_t rows, int64_t cols, const mx_array *m,
                        int64_t moff, int bs) {
  int md = m->ndim;
  int64_t mrs = m->strides[md - 2], mcs = m->strides[md - 1];
  size_t isz = mx_dtype_size(t);
  bool is_bool = m->dtype == MX_BOOL;
  for (int64_t i = 0; i < rows; i++) {
    char *row = (char *)o + i * cols * (int64_t)isz;
    for (int64_t j0 = 0; j0 < cols; j0 += bs) {
      double v = mask_at(m, moff + (i / bs) * mrs + (j0 / bs) * mcs);
      if (v == 1.0) continue;
      int64_t j1 = j0 + bs < cols ? j0 + bs : cols;
      if (is_bool) {
        memset(row + j0 * (int64_t)isz, 0, (size_t)(j1 - j0) * isz);
        continue;
      }
      switch (t) {
      case MX_FLOAT32:
        for (int64_t j = j0; j < j1; j++) ((float *)row)[j] *= (float)v;
        break;
      case MX_FLOAT64:
        for (int64_t j = j0; j < j1; j++) ((double *)row)[j] *= v;
        break;
      case MX_FLOAT16:
        for (int64_t j = j0; j < j1; j++)
          ((uint16_t *)row)[j] = mx_f2h(mx_h2f(((uint16_t *)row)[j]) * (float)v);
        break;
      default:
        for (int64_t j = j0; j < j1; j++)
          ((uint16_t *)row)[j] = mx_f2bf(mx_bf2f(((uint16_t *)row)[j]) * (float)v);
        break;
      }
    }
  }
}

int mx_cpu_block_masked_mm(mx_node *n) {
  const mx_block_masked_mm_params *p = (const mx_block_masked_mm_params *)n->params;
  int nin = 2 + (p->has_out != 0) + (p->has_lhs != 0) + (p->has_rhs != 0);
  if (check_inputs("block_masked_mm", n, nin)) return MX_ERR;
  const mx_array *a = n->inputs[0], *b = n->inputs[1];
  int k = 2;
  const mx_array *mo = p->has_out ? n->inputs[k++] : NULL;
  const mx_array *ml = p->has_lhs ? n->inputs[k++] : NULL;
  const mx_array *mr = p->has_rhs ? n->inputs[k++] : NULL;
  mx_array *out = &n->out[0];
  mx_dtype t = (mx_dtype)out->dtype;
  if (t == MX_COMPLEX64) return mx_error("[block_masked_mm] Unsupported dtype complex64.");
  int nd = a->ndim, nb = nd - 2;
  int64_t M = a->shape[nd - 2], K = a->shape[nd - 1], N = b->shape[nd - 1];
  int bs = p->block_size;
  const mx_array *masks[3] = {mo, ml, mr};
  for (int i = 0; i < 3; i++)
    if (masks[i] && masks[i]->ndim != nd) return mx_error("[block_masked_mm] Invalid masks.");
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  size_t isz = mx_dtype_size(t);
  void *abuf = ml ? malloc((size_t)(M * K) * isz + 1) : NULL;
  void *bbuf = mr ? malloc((size_t)(K * N) * isz + 1) : NULL;
  if ((ml && !abuf) || (mr && !bbuf)) {
    free(abuf);
    free(bbuf);
    return mx_error("[block_masked_mm] Out of memory.");
  }
  int64_t batch = out->size / (M * N);
  int64_t idx[MX_MAX_NDIM] = {0};
  int64_t off[5] = {0}; /* a, b, mask_out, mask_lhs, mask_rhs */
  const mx_array *arrs[5] = {a, b, mo, ml, mr};
  int rc = 0;
  const char *ap = (const char *)mx_array_data(a), *bp = (const char *)mx_array_data(b);
  for (int64_t bi = 0; bi < batch && !rc; bi++) {
    mx_gemm_args g;
    memset(&g, 0, sizeof g);
    g.dt = t;
    g.M = M;
    g.N = N;
    g.K = K;
    g.a = (mx_gemm_view){ap + off[0] * (int64_t)isz, a->strides[nd - 2], a->strides[nd - 1]};
    g.b = (mx_gemm_view){bp + off[1] * (int64_t)isz, b->strides[nd - 2], b->strides[nd - 1]};
    if (ml && K > 0) {
      masked_copy(abuf, t, (const char *)g.a.ptr, g.a.rs, g.a.cs, M, K, ml, off[3], bs);
      g.a = (mx_gemm_view){abuf, K, 1};
    }
    if (mr && K > 0) {
      masked_copy(bbuf, t, (const char *)g.b.ptr, g.b.rs, g.b.cs, K, N, mr, off[4], bs);
      g.b = (mx_gemm_view){bbuf, N, 1};
    }
    g.alpha = 1.0f;
    g.out = (char *)mx_array_data(out) + bi * M * N * (int64_t)isz;
    g.ldo = N;
    rc = mx_cpu_gemm("block_masked_mm", &g);
    if (!rc && mo) mask_output(g.out, t, M, N, mo, off[2], bs);
    for (int d = nb - 1; d >= 0; d--) {
      for (int q = 0; q < 5; q++)
        if (arrs[q]) off[q] += arrs[q]->strides[d];
      if (++idx[d] < out->shape[d]) break;
      for (int q = 0; q < 5; q++)
        if (arrs[q]) off[q] -= arrs[q]->strides[d] * out->shape[d];
      idx[d] = 0;
    }
  }
  free(abuf);
  free(bbuf);
  return rc;
}
