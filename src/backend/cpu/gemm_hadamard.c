/* HADAMARD: y = scale * x @ (H_m (x) S_{2^k}) along the last axis (n = m * 2^k, S Sylvester's
 * matrix, H_m one of the 12 / 20 / 28 point matrices below). Each row is read into a float32
 * (float64 for float64) buffer, transformed with butterflies over the 2^k part and a dense m x m
 * mix, scaled and rounded once to the dtype. Rows are split over two threads when large. */
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/gemm.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "ops/linalg.h"

/* Row r of H_m: bit j set means entry (r, j) is -1 (else +1). The same matrices as MLX. */
static const uint32_t H12[12] = {0x0000002, 0x0000aab, 0x00003c8, 0x000096e, 0x0000f20, 0x00005ba,
                                 0x0000c8c, 0x00006e6, 0x000023c, 0x0000b96, 0x00008f0, 0x0000e5a};
static const uint32_t H20[20] = {0x006cc3e, 0x00d1c5d, 0x00ab89b, 0x005f117, 0x00b660f,
                                 0x009cbde, 0x00397bd, 0x0072b7b, 0x00e52f7, 0x00ca5ef,
                                 0x00f79ac, 0x00ef758, 0x00deeb1, 0x00bdd63, 0x007bec6,
                                 0x00f0592, 0x00e8b05, 0x00d922a, 0x00ba074, 0x007c0c9};
static const uint32_t H28[28] = {0x32961fe, 0x65283fd, 0xc85477b, 0x92a8e77, 0x2751c6f, 0x4ca785f,
                                 0x994b0bf, 0x4b9bf3c, 0x9537ef8, 0x2a6fdf1, 0x54dbbe3, 0xa9b37c7,
                                 0x5366f8f, 0xa4cdf9e, 0x79f8cda, 0xf1f5935, 0xe3ef26a, 0xc7de4d5,
                                 0x8fbc9ab, 0x1f7d356, 0x3cfe62d, 0xfd0ed66, 0xfa1dacd, 0xf63b51b,
                                 0xee72ab6, 0xdee15ec, 0xbfc2b59, 0x7f856b3};

static const uint32_t *hmat(int m) {
  return m == 12 ? H12 : (m == 20 ? H20 : (m == 28 ? H28 : NULL));
}

#define GEN_FWHT(NAME, T)                                                                          \
  /* x (m blocks of p) -> x @ (H_m (x) S_p); tmp holds m * p values. */                            \
  static void NAME(T *x, T *tmp, int64_t p, int m) {                                               \
    for (int64_t blk = 0; blk < m; blk++) {                                                        \
      T *v = x + blk * p;                                                                          \
      for (int64_t h = 1; h < p; h *= 2)                                                           \
        for (int64_t i = 0; i < p; i += 2 * h)                                                     \
          for (int64_t j = i; j < i + h; j++) {                                                    \
            T a = v[j], b = v[j + h];                                                              \
            v[j] = a + b;                                                                          \
            v[j + h] = a - b;                                                                      \
          }                                                                                        \
    }                                                                                              \
    if (m == 1) return;                                                                            \
    const uint32_t *H = hmat(m);                                                                   \
    for (int c = 0; c < m; c++) { /* output block c = sum_r H[r][c] * block r */                   \
      T *o = tmp + c * p;                                                                          \
      for (int64_t j = 0; j < p; j++) o[j] = 0;                                                    \
      for (int r = 0; r < m; r++) {                                                                \
        const T *v = x + r * p;                                                                    \
        if ((H[r] >> c) & 1u)                                                                      \
          for (int64_t j = 0; j < p; j++) o[j] -= v[j];                                            \
        else                                                                                       \
          for (int64_t j = 0; j < p; j++) o[j] += v[j];                                            \
      }                                                                                            \
    }                                                                                              \
    memcpy(x, tmp, (size_t)(m * p) * sizeof(T));                                                   \
  }
GEN_FWHT(fwht_f32, float)
GEN_FWHT(fwht_f64, double)

typedef struct {
  const mx_array *in;
  mx_array *out;
  const mx_hadamard_params *p;
  int64_t n, rows;
  int rc[2];
} had_ctx;

static void had_task(void *ctx, int t, int nt) {
  had_ctx *x = (had_ctx *)ctx;
  const mx_array *in = x->in;
  mx_dtype dt = (mx_dtype)in->dtype;
  int64_t n = x->n, r0 = x->rows * t / nt, r1 = x->rows * (t + 1) / nt;
  if (r0 >= r1) return;
  bool f64 = dt == MX_FLOAT64;
  size_t esz = f64 ? sizeof(double) : sizeof(float);
  char *buf = malloc(2 * (size_t)n * esz);
  if (!buf) {
    x->rc[t] = 1;
    return;
  }
  int m = x->p->m;
  int64_t pw = n / m;
  /* rows of the input: all dims but the last, with its strides */
  int nd = in->ndim;
  const int64_t *st[1] = {in->strides};
  mx_strided s;
  mx_strided_init(&s, nd > 0 ? nd - 1 : 0, in->shape, 1, st);
  /* position of row r0 */
  mx_strided_pos pos;
  mx_strided_pos_init(&s, &pos);
  int64_t inner = mx_strided_inner(&s), rin = s.strides[0][s.ndim - 1];
  int64_t outer = r0 / inner, ii = r0 % inner;
  for (int d = s.ndim - 2; d >= 0; d--) {
    pos.idx[d] = outer % s.shape[d];
    outer /= s.shape[d];
    pos.off[0] += pos.idx[d] * s.strides[0][d];
  }
  int64_t ls = nd > 0 ? in->strides[nd - 1] : 0;
  size_t isz = mx_dtype_size(dt);
  const char *base = (const char *)mx_array_data(in);
  char *obase = (char *)mx_array_data(x->out);
  double scale = x->p->scale;
  float fscale = (float)scale;
  for (int64_t r = r0; r < r1; r++) {
    const char *src = base + (pos.off[0] + ii * rin) * (int64_t)isz;
    char *dst = obase + r * n * (int64_t)isz;
    if (f64) {
      double *v = (double *)buf;
      for (int64_t j = 0; j < n; j++) v[j] = ((const double *)src)[j * ls];
      fwht_f64(v, v + n, pw, m);
      for (int64_t j = 0; j < n; j++) ((double *)dst)[j] = v[j] * scale;
    } else {
      float *v = (float *)buf;
      mx_cpu_convert(src, dt, ls, v, MX_FLOAT32, 1, n);
      fwht_f32(v, v + n, pw, m);
      for (int64_t j = 0; j < n; j++) v[j] *= fscale;
      mx_cpu_convert(v, MX_FLOAT32, 1, dst, dt, 1, n);
    }
    if (++ii == inner) {
      ii = 0;
      mx_strided_next(&s, &pos);
    }
  }
  free(buf);
}

int mx_cpu_hadamard(mx_node *n) {
  if (n->nin != 1) return mx_error("[hadamard_transform] Expected one input.");
  const mx_array *in = n->inputs[0];
  mx_array *out = &n->out[0];
  const mx_hadamard_params *p = (const mx_hadamard_params *)n->params;
  mx_dtype dt = (mx_dtype)in->dtype;
  if (dt != MX_FLOAT16 && dt != MX_BFLOAT16 && dt != MX_FLOAT32 && dt != MX_FLOAT64)
    return mx_error("[hadamard_transform] Unsupported dtype %s.", mx_dtype_name(dt));
  int64_t nlast = in->ndim > 0 ? in->shape[in->ndim - 1] : 1;
  if (p->m != 1 && !hmat(p->m)) return mx_error("[hadamard_transform] Invalid size.");
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  had_ctx x = {in, out, p, nlast, in->size / nlast, {0, 0}};
  int nt = in->size >= (1 << 18) && x.rows >= 2 ? 2 : 1;
  mx_gemm_parallel(had_task, &x, nt);
  if (x.rc[0] || x.rc[1]) return mx_error("[hadamard_transform] Out of memory.");
  return 0;
}
