/* The 14 MLX dtypes in MLX's order, their sizes, kinds, promotion, and 16-bit float conversions. */
#ifndef MX_CORE_DTYPE_H
#define MX_CORE_DTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Same values as the public mlx_dtype (checked in src/api). */
typedef enum {
  MX_BOOL,
  MX_UINT8,
  MX_UINT16,
  MX_UINT32,
  MX_UINT64,
  MX_INT8,
  MX_INT16,
  MX_INT32,
  MX_INT64,
  MX_FLOAT16,
  MX_FLOAT32,
  MX_FLOAT64,
  MX_BFLOAT16,
  MX_COMPLEX64,
  MX_NUM_DTYPES
} mx_dtype;

typedef enum { MX_KIND_BOOL, MX_KIND_UINT, MX_KIND_INT, MX_KIND_FLOAT, MX_KIND_COMPLEX } mx_dtype_kind;

typedef struct {
  float re, im;
} mx_complex64;

size_t mx_dtype_size(mx_dtype t);
const char *mx_dtype_name(mx_dtype t); /* "float32" */
mx_dtype_kind mx_dtype_kind_of(mx_dtype t);
bool mx_dtype_valid(int t);
static inline bool mx_dtype_is_inexact(mx_dtype t) {
  return t == MX_FLOAT16 || t == MX_FLOAT32 || t == MX_FLOAT64 || t == MX_BFLOAT16 ||
         t == MX_COMPLEX64;
}
static inline bool mx_dtype_is_integral(mx_dtype t) {
  return t >= MX_UINT8 && t <= MX_INT64;
}
/* MLX's promotion lattice: uint64 with a signed int gives float32, float16 with bfloat16 gives
 * float32, anything with complex64 gives complex64. */
mx_dtype mx_promote_types(mx_dtype a, mx_dtype b);

/* IEEE half and bfloat16 from/to float, rounding to nearest even; NaN stays NaN. */
float mx_f16_to_f32(uint16_t h);
uint16_t mx_f32_to_f16(float f);
static inline float mx_bf16_to_f32(uint16_t b) {
  union {
    uint32_t u;
    float f;
  } v = {.u = (uint32_t)b << 16};
  return v.f;
}
uint16_t mx_f32_to_bf16(float f);

/* Reads element i of a buffer of dtype t as double / writes one from double (with the
 * conversions C applies; complex reads the real part). For generic, non-hot paths. */
double mx_load_as_double(const void *p, mx_dtype t, int64_t i);
void mx_store_from_double(void *p, mx_dtype t, int64_t i, double v);

#endif
