/* RMS_NORM and LAYER_NORM: one pass per row (statistics, then the normalized row), rows spread
 * over the CPU threads; float16 / bfloat16 computed in float32, float64 in float64. */
#include <math.h>
#include <stdlib.h>

#include "backend/cpu/fast_common.h"
#include "core/error.h"
#include "ops/fast.h"

typedef struct {
  const mx_array *x;
  mx_array *out;
  const void *w, *b; /* compute type, D elements, or NULL */
  double eps;
  int64_t D;
  bool rms, f64;
  atomic_int fail;
} norm_ctx;

#define GEN_NORM_ROW(NAME, T)                                                                      \
  static void NAME(const norm_ctx *c, const T *v, T *y) {                                          \
    int64_t D = c->D;                                                                              \
    T mean = 0;                                                                                    \
    if (!c->rms) {                                                                                 \
      T s = 0;                                                                                     \
      for (int64_t j = 0; j < D; j++) s += v[j];                                                   \
      mean = s / (T)D;                                                                             \
    }                                                                                              \
    T ss = 0;                                                                                      \
    for (int64_t j = 0; j < D; j++) ss += (v[j] - mean) * (v[j] - mean);                           \
    T r = (T)1 / (T)sqrt((double)(ss / (T)D + (T)c->eps));                                         \
    const T *w = (const T *)c->w, *b = (const T *)c->b;                                            \
    if (w && b)                                                                                    \
      for (int64_t j = 0; j < D; j++) y[j] = (v[j] - mean) * r * w[j] + b[j];                      \
    else if (w)                                                                                    \
      for (int64_t j = 0; j < D; j++) y[j] = (v[j] - mean) * r * w[j];                             \
    else if (b)                                                                                    \
      for (int64_t j = 0; j < D; j++) y[j] = (v[j] - mean) * r + b[j];                             \
    else                                                                                           \
      for (int64_t j = 0; j < D; j++) y[j] = (v[j] - mean) * r;                                    \
  }
GEN_NORM_ROW(norm_row_f32, float)
GEN_NORM_ROW(norm_row_f64, double)

static void norm_task(void *ctx, int64_t r0, int64_t r1) {
  norm_ctx *c = (norm_ctx *)ctx;
  mx_dtype dt = (mx_dtype)c->x->dtype, ct = c->f64 ? MX_FLOAT64 : MX_FLOAT32;
  size_t esz = mx_dtype_size(ct);
  int64_t D = c->D, st = c->x->strides[c->x->ndim - 1];
  char *buf = malloc(2 * (size_t)D * esz);
  if (!buf) {
    atomic_store(&c->fail, 1);
    return;
  }
  char *obase = (char *)mx_array_data(c->out);
  for (int64_t r = r0; r < r1; r++) {
    const void *v = fast_load(c->x, fast_row_offset(c->x, r, 1), st, D, ct, buf);
    char *dst = obase + r * D * (int64_t)mx_dtype_size(dt);
    void *y = dt == ct ? (void *)dst : (void *)(buf + D * esz);
    if (c->f64)
      norm_row_f64(c, v, y);
    else
      norm_row_f32(c, v, y);
    if (y != dst) mx_cpu_convert(y, ct, 1, dst, dt, 1, D);
  }
  free(buf);
}

/* A 1-D parameter as D elements of ct (malloc'ed). */
static void *load_vec(const mx_array *a, mx_dtype ct, int64_t D) {
  void *p = malloc((size_t)D * mx_dtype_size(ct));
  if (p) mx_cpu_convert(mx_array_data(a), (mx_dtype)a->dtype, a->strides[0], p, ct, 1, D);
  return p;
}

static int norm_eval(mx_node *n, bool rms, const char *op) {
  const mx_array *x = n->inputs[0];
  mx_array *out = &n->out[0];
  double eps;
  int has_w, has_b;
  if (rms) {
    const mx_rms_norm_params *p = n->params;
    eps = p->eps, has_w = p->has_w, has_b = 0;
  } else {
    const mx_layer_norm_params *p = n->params;
    eps = p->eps, has_w = p->has_w, has_b = p->has_b;
  }
  if (mx_array_alloc_data(out)) return MX_ERR;
  if (out->size == 0) return 0;
  norm_ctx c = {x, out, NULL, NULL, eps, x->shape[x->ndim - 1], rms, x->dtype == MX_FLOAT64, 0};
  mx_dtype ct = c.f64 ? MX_FLOAT64 : MX_FLOAT32;
  void *w = has_w ? load_vec(n->inputs[1], ct, c.D) : NULL;
  void *b = has_b ? load_vec(n->inputs[1 + has_w], ct, c.D) : NULL;
  c.w = w, c.b = b;
  if ((has_w && !w) || (has_b && !b))
    atomic_store(&c.fail, 1);
  else
    mx_ew_parallel_for(x->size / c.D, c.D >= 16384 ? 1 : 16384 / c.D, norm_task, &c);
  free(w);
  free(b);
  return atomic_load(&c.fail) ? mx_error("[%s] Out of memory.", op) : 0;
}

int mx_cpu_rms_norm(mx_node *n) {
  return norm_eval(n, true, "rms_norm");
}

int mx_cpu_layer_norm(mx_node *n) {
  return norm_eval(n, false, "layer_norm");
}
