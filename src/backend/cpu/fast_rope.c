/* ROPE: a table of cos / sin per (offset, position, frequency) computed once in float64, then one
 * pass per row rotating the first dims features (pairs (2i, 2i + 1) when traditional, else
 * (i, i + dims / 2)) and copying the rest; rows spread over the CPU threads. */
#include <math.h>
#include <stdlib.h>

#include "backend/cpu/fast_common.h"
#include "core/error.h"
#include "ops/fast.h"

typedef struct {
  const mx_array *x;
  mx_array *out;
  const void *cs; /* [noff][L][2][half] of the compute type */
  int64_t D, L, half, per_off; /* per_off: rows sharing one offset (0: a single offset) */
  bool trad, f64;
  atomic_int fail;
} rope_ctx;

#define GEN_ROPE_ROW(NAME, T)                                                                      \
  static void NAME(const rope_ctx *c, const T *v, T *y, const T *cs) {                             \
    int64_t h = c->half;                                                                           \
    const T *co = cs, *si = cs + h;                                                                \
    if (c->trad)                                                                                   \
      for (int64_t i = 0; i < h; i++) {                                                            \
        T a = v[2 * i], b = v[2 * i + 1];                                                          \
        y[2 * i] = a * co[i] - b * si[i];                                                          \
        y[2 * i + 1] = a * si[i] + b * co[i];                                                      \
      }                                                                                            \
    else                                                                                           \
      for (int64_t i = 0; i < h; i++) {                                                            \
        T a = v[i], b = v[i + h];                                                                  \
        y[i] = a * co[i] - b * si[i];                                                              \
        y[i + h] = a * si[i] + b * co[i];                                                          \
      }                                                                                            \
    for (int64_t j = 2 * h; j < c->D; j++) y[j] = v[j];                                            \
  }
GEN_ROPE_ROW(rope_row_f32, float)
GEN_ROPE_ROW(rope_row_f64, double)

static void rope_task(void *ctx, int64_t r0, int64_t r1) {
  rope_ctx *c = (rope_ctx *)ctx;
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
    int64_t o = c->per_off ? r / c->per_off : 0, l = r % c->L;
    const char *cs = (const char *)c->cs + ((o * c->L + l) * 2 * c->half) * (int64_t)esz;
    const void *v = fast_load(c->x, fast_row_offset(c->x, r, 1), st, D, ct, buf);
    char *dst = obase + r * D * (int64_t)mx_dtype_size(dt);
    void *y = dt == ct ? (void *)dst : (void *)(buf + D * esz);
    if (c->f64)
      rope_row_f64(c, v, y, (const double *)cs);
    else
      rope_row_f32(c, v, y, (const float *)cs);
    if (y != dst) mx_cpu_convert(y, ct, 1, dst, dt, 1, D);
  }
  free(buf);
}

int mx_cpu_rope(mx_node *n) {
  const mx_rope_params *p = n->params;
  const mx_array *x = n->inputs[0], *off = n->inputs[1];
  mx_array *out = &n->out[0];
  if (mx_array_alloc_data(out)) return MX_ERR;
  if (out->size == 0) return 0;
  int nd = x->ndim;
  int64_t L = x->shape[nd - 2], D = x->shape[nd - 1], half = p->dims / 2, noff = off->size;
  rope_ctx c = {x, out, NULL, D, L, half, noff > 1 ? x->size / D / noff : 0, p->traditional != 0,
                x->dtype == MX_FLOAT64, 0};
  size_t esz = c.f64 ? sizeof(double) : sizeof(float);
  char *cs = malloc((size_t)(noff * L * 2 * half) * esz);
  double *inv = malloc((size_t)half * sizeof(double));
  if (!cs || !inv) {
    free(cs);
    free(inv);
    return mx_error("[rope] Out of memory.");
  }
  if (p->has_freqs) { /* float32, or float64 for float64 inputs */
    const mx_array *f = n->inputs[2];
    mx_cpu_convert(mx_array_data(f), (mx_dtype)f->dtype, f->strides[0], inv, MX_FLOAT64, 1, half);
    for (int64_t i = 0; i < half; i++) inv[i] = 1.0 / inv[i];
  } else {
    for (int64_t i = 0; i < half; i++)
      inv[i] = exp(-(double)i * log((double)p->base) / (double)half);
  }
  const int32_t *ov = (const int32_t *)mx_array_data(off);
  int64_t ost = off->ndim ? off->strides[0] : 0;
  for (int64_t o = 0; o < noff; o++)
    for (int64_t l = 0; l < L; l++) {
      double pos = ((double)ov[o * ost] + (double)l) * (double)p->scale;
      int64_t base = (o * L + l) * 2 * half;
      for (int64_t i = 0; i < half; i++) {
        double th = pos * inv[i], co = cos(th), si = sin(th);
        if (c.f64) {
          ((double *)cs)[base + i] = co;
          ((double *)cs)[base + half + i] = si;
        } else {
          ((float *)cs)[base + i] = (float)co;
          ((float *)cs)[base + half + i] = (float)si;
        }
      }
    }
  free(inv);
  c.cs = cs;
  mx_ew_parallel_for(x->size / D, D >= 16384 ? 1 : 16384 / D, rope_task, &c);
  free(cs);
  return atomic_load(&c.fail) ? mx_error("[rope] Out of memory.") : 0;
}
