/* mlx.core: element-level helpers: 16-bit float conversions, reading and writing one element of
 * any dtype through a tagged value, Python scalars from values, strided block copies. */
#include "mlxpy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ 16-bit floats */

float mxpy_f16_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  float f;
  if (exp == 0) {
    f = ldexpf((float)mant, -24); /* zero or subnormal */
    return sign ? -f : f;
  }
  uint32_t bits;
  if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  }
  memcpy(&f, &bits, 4);
  return f;
}

uint16_t mxpy_float_to_f16(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t exp = (x >> 23) & 0xffu;
  uint32_t mant = x & 0x7fffffu;
  if (exp == 0xff) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0u));
  int e = (int)exp - 127 + 15;
  if (e >= 31) return (uint16_t)(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return (uint16_t)sign;
    mant |= 0x800000u;
    int shift = 14 - e;
    uint32_t hm = mant >> shift;
    uint32_t rem = mant & ((1u << shift) - 1u);
    uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (hm & 1u))) hm++;
    return (uint16_t)(sign | hm);
  }
  uint32_t h = sign | ((uint32_t)e << 10) | (mant >> 13);
  uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
  return (uint16_t)h;
}

float mxpy_bf16_to_float(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

uint16_t mxpy_float_to_bf16(float f) {
  uint32_t x;
  memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
  x += 0x7fffu + ((x >> 16) & 1u);
  return (uint16_t)(x >> 16);
}

/* ------------------------------------------------------------------ element read / write */

void mxpy_read_elem(const void *p, mlx_dtype dt, mxpy_value *out) {
  switch (dt) {
  case MLX_BOOL: {
    uint8_t b;
    memcpy(&b, p, 1);
    out->kind = MXV_BOOL;
    out->v.b = b != 0;
    return;
  }
#define RD_INT(T, K, F)                                                                            \
  {                                                                                                \
    T x;                                                                                           \
    memcpy(&x, p, sizeof(T));                                                                      \
    out->kind = K;                                                                                 \
    out->v.F = x;                                                                                  \
    return;                                                                                        \
  }
  case MLX_UINT8:
    RD_INT(uint8_t, MXV_UINT, u)
  case MLX_UINT16:
    RD_INT(uint16_t, MXV_UINT, u)
  case MLX_UINT32:
    RD_INT(uint32_t, MXV_UINT, u)
  case MLX_UINT64:
    RD_INT(uint64_t, MXV_UINT, u)
  case MLX_INT8:
    RD_INT(int8_t, MXV_INT, i)
  case MLX_INT16:
    RD_INT(int16_t, MXV_INT, i)
  case MLX_INT32:
    RD_INT(int32_t, MXV_INT, i)
  case MLX_INT64:
    RD_INT(int64_t, MXV_INT, i)
  case MLX_FLOAT32:
    RD_INT(float, MXV_FLOAT, f)
  case MLX_FLOAT64:
    RD_INT(double, MXV_FLOAT, f)
#undef RD_INT
  case MLX_FLOAT16: {
    uint16_t h;
    memcpy(&h, p, 2);
    out->kind = MXV_FLOAT;
    out->v.f = mxpy_f16_to_float(h);
    return;
  }
  case MLX_BFLOAT16: {
    uint16_t h;
    memcpy(&h, p, 2);
    out->kind = MXV_FLOAT;
    out->v.f = mxpy_bf16_to_float(h);
    return;
  }
  case MLX_COMPLEX64: {
    float c[2];
    memcpy(c, p, 8);
    out->kind = MXV_COMPLEX;
    out->v.c.re = c[0];
    out->v.c.im = c[1];
    return;
  }
  }
  out->kind = MXV_INT;
  out->v.i = 0;
}

/* double -> int64 without undefined behaviour (NaN -> 0, saturating). */
static int64_t d2i64(double d) {
  if (isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return INT64_MAX;
  if (d <= -9223372036854775808.0) return INT64_MIN;
  return (int64_t)d;
}

static uint64_t d2u64(double d) {
  if (isnan(d)) return 0;
  if (d >= 18446744073709551615.0) return UINT64_MAX;
  if (d >= 9223372036854775808.0) return (uint64_t)d;
  return (uint64_t)d2i64(d); /* negative values wrap like integers do */
}

static double as_double(const mxpy_value *v) {
  switch (v->kind) {
  case MXV_BOOL:
    return v->v.b ? 1.0 : 0.0;
  case MXV_INT:
    return (double)v->v.i;
  case MXV_UINT:
    return (double)v->v.u;
  case MXV_FLOAT:
    return v->v.f;
  case MXV_COMPLEX:
    return v->v.c.re;
  }
  return 0.0;
}

static int64_t as_i64(const mxpy_value *v) {
  switch (v->kind) {
  case MXV_BOOL:
    return v->v.b;
  case MXV_INT:
    return v->v.i;
  case MXV_UINT:
    return (int64_t)v->v.u;
  case MXV_FLOAT:
    return d2i64(v->v.f);
  case MXV_COMPLEX:
    return d2i64(v->v.c.re);
  }
  return 0;
}

static uint64_t as_u64(const mxpy_value *v) {
  switch (v->kind) {
  case MXV_BOOL:
    return v->v.b;
  case MXV_INT:
    return (uint64_t)v->v.i;
  case MXV_UINT:
    return v->v.u;
  case MXV_FLOAT:
    return d2u64(v->v.f);
  case MXV_COMPLEX:
    return d2u64(v->v.c.re);
  }
  return 0;
}

static bool as_bool(const mxpy_value *v) {
  switch (v->kind) {
  case MXV_BOOL:
    return v->v.b;
  case MXV_INT:
    return v->v.i != 0;
  case MXV_UINT:
    return v->v.u != 0;
  case MXV_FLOAT:
    return v->v.f != 0.0;
  case MXV_COMPLEX:
    return v->v.c.re != 0.0 || v->v.c.im != 0.0;
  }
  return false;
}

void mxpy_write_elem(void *p, mlx_dtype dt, const mxpy_value *v) {
  switch (dt) {
  case MLX_BOOL: {
    uint8_t b = as_bool(v) ? 1 : 0;
    memcpy(p, &b, 1);
    return;
  }
#define WR(T, expr)                                                                                \
  {                                                                                                \
    T x = (T)(expr);                                                                               \
    memcpy(p, &x, sizeof(T));                                                                      \
    return;                                                                                        \
  }
  case MLX_UINT8:
    WR(uint8_t, as_u64(v))
  case MLX_UINT16:
    WR(uint16_t, as_u64(v))
  case MLX_UINT32:
    WR(uint32_t, as_u64(v))
  case MLX_UINT64:
    WR(uint64_t, as_u64(v))
  case MLX_INT8:
    WR(int8_t, as_i64(v))
  case MLX_INT16:
    WR(int16_t, as_i64(v))
  case MLX_INT32:
    WR(int32_t, as_i64(v))
  case MLX_INT64:
    WR(int64_t, as_i64(v))
  case MLX_FLOAT32:
    WR(float, as_double(v))
  case MLX_FLOAT64:
    WR(double, as_double(v))
  case MLX_FLOAT16:
    WR(uint16_t, mxpy_float_to_f16((float)as_double(v)))
  case MLX_BFLOAT16:
    WR(uint16_t, mxpy_float_to_bf16((float)as_double(v)))
#undef WR
  case MLX_COMPLEX64: {
    float c[2];
    if (v->kind == MXV_COMPLEX) {
      c[0] = (float)v->v.c.re;
      c[1] = (float)v->v.c.im;
    } else {
      c[0] = (float)as_double(v);
      c[1] = 0.0f;
    }
    memcpy(p, c, 8);
    return;
  }
  }
}

PyObject *mxpy_value_to_py(const mxpy_value *v) {
  switch (v->kind) {
  case MXV_BOOL:
    return PyBool_FromLong(v->v.b);
  case MXV_INT:
    return PyLong_FromLongLong(v->v.i);
  case MXV_UINT:
    return PyLong_FromUnsignedLongLong(v->v.u);
  case MXV_FLOAT:
    return PyFloat_FromDouble(v->v.f);
  case MXV_COMPLEX:
    return PyComplex_FromDoubles(v->v.c.re, v->v.c.im);
  }
  Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ strided copies */

void mxpy_copy_strided(char *dst, const char *src, int ndim, const int *shape,
                       const int64_t *bstrides, size_t itemsize) {
  size_t total = 1;
  for (int i = 0; i < ndim; i++) total *= (size_t)shape[i];
  if (total == 0) return;
  if (ndim == 0) {
    memcpy(dst, src, itemsize);
    return;
  }
  /* Contiguous fast path. */
  bool contiguous = true;
  int64_t expect = (int64_t)itemsize;
  for (int i = ndim - 1; i >= 0; i--) {
    if (shape[i] != 1 && bstrides[i] != expect) {
      contiguous = false;
      break;
    }
    expect *= shape[i];
  }
  if (contiguous) {
    memcpy(dst, src, total * itemsize);
    return;
  }
  /* Odometer over all but the last dimension; the last one is a tight loop. */
  int64_t idx_buf[64] = {0};
  int64_t *idx = idx_buf;
  if (ndim > 64) {
    idx = (int64_t *)calloc((size_t)ndim, sizeof(int64_t));
    if (!idx) return;
  }
  int outer = ndim - 1;
  int64_t last_n = shape[ndim - 1];
  int64_t last_s = bstrides[ndim - 1];
  const char *base = src;
  for (;;) {
    if (last_s == (int64_t)itemsize) {
      memcpy(dst, base, (size_t)last_n * itemsize);
      dst += (size_t)last_n * itemsize;
    } else {
      const char *q = base;
      for (int64_t j = 0; j < last_n; j++) {
        memcpy(dst, q, itemsize);
        dst += itemsize;
        q += last_s;
      }
    }
    int d = outer - 1;
    while (d >= 0) {
      idx[d]++;
      base += bstrides[d];
      if (idx[d] < shape[d]) break;
      base -= bstrides[d] * shape[d];
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  if (idx != idx_buf) free(idx);
}
