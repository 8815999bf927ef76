/* EYE / TRI (ones on / below a diagonal) and WINDOW (numpy's window functions). */
#include <math.h>
#include <string.h>

#include "backend/cpu/random.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "core/primitives.h"
#include "ops/random.h"

/* Writes cnt copies of the item at one (isz bytes) starting at dst. */
static void fill_items(char *dst, const char *one, size_t isz, int64_t cnt) {
  switch (isz) {
  case 1:
    memset(dst, one[0], (size_t)cnt);
    break;
  case 2: {
    uint16_t v;
    memcpy(&v, one, 2);
    for (int64_t i = 0; i < cnt; i++) memcpy(dst + 2 * i, &v, 2);
    break;
  }
  case 4: {
    uint32_t v;
    memcpy(&v, one, 4);
    for (int64_t i = 0; i < cnt; i++) memcpy(dst + 4 * i, &v, 4);
    break;
  }
  default:
    for (int64_t i = 0; i < cnt; i++) memcpy(dst + (int64_t)isz * i, one, isz);
    break;
  }
}

int mx_cpu_eye(mx_node *n) {
  const mx_eye_params *p = n->params;
  mx_array *out = &n->out[0];
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  mx_dtype dt = (mx_dtype)out->dtype;
  size_t isz = mx_dtype_size(dt);
  char one[16] = {0};
  mx_store_from_double(one, dt, 0, 1.0);
  char *dst = mx_array_data(out);
  memset(dst, 0, (size_t)out->size * isz); /* zero is all-zero bytes for every dtype */
  int64_t rows = p->n, cols = p->m;
  for (int64_t i = 0; i < rows; i++) {
    int64_t j = i + (int64_t)p->k;
    if (n->prim == MX_PRIM_EYE) {
      if (j >= 0 && j < cols) memcpy(dst + (i * cols + j) * (int64_t)isz, one, isz);
    } else {
      int64_t cnt = j + 1 < cols ? j + 1 : cols;
      if (cnt > 0) fill_items(dst + i * cols * (int64_t)isz, one, isz, cnt);
    }
  }
  return 0;
}

int mx_cpu_window(mx_node *n) {
  const mx_window_params *p = n->params;
  mx_array *out = &n->out[0];
  if (out->dtype != MX_FLOAT32) return mx_error("[window] Output must be float32.");
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  int64_t m = p->m;
  if (m <= 0) return 0;
  float *o = mx_array_data(out);
  if (m == 1) {
    o[0] = 1.0f;
    return 0;
  }
  const double pi = 3.14159265358979323846;
  double d = (double)(m - 1);
  for (int64_t i = 0; i < m; i++) {
    double x = 2.0 * pi * (double)i / d, v;
    switch ((mx_window_kind)p->kind) {
    case MX_WINDOW_HANNING:
      v = 0.5 - 0.5 * cos(x);
      break;
    case MX_WINDOW_HAMMING:
      v = 0.54 - 0.46 * cos(x);
      break;
    case MX_WINDOW_BLACKMAN:
      v = 0.42 - 0.5 * cos(x) + 0.08 * cos(2.0 * x);
      break;
    default: /* bartlett */
      v = (double)i <= d / 2.0 ? 2.0 * (double)i / d : 2.0 - 2.0 * (double)i / d;
      break;
    }
    o[i] = (float)v;
  }
  return 0;
}
