/* dtype sizes, names, kinds, MLX's promotion table and portable 16-bit float conversions. */
#include "core/dtype.h"

#include <string.h>

#include "backend/cpu/half.h"

static const size_t dtype_sizes[MX_NUM_DTYPES] = {1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 2, 8};

static const char *const dtype_names[MX_NUM_DTYPES] = {
    "bool",  "uint8", "uint16",  "uint32",  "uint64",  "int8",     "int16",
    "int32", "int64", "float16", "float32", "float64", "bfloat16", "complex64"};

static const mx_dtype_kind dtype_kinds[MX_NUM_DTYPES] = {
    MX_KIND_BOOL,  MX_KIND_UINT,  MX_KIND_UINT,  MX_KIND_UINT,   MX_KIND_UINT,
    MX_KIND_INT,   MX_KIND_INT,   MX_KIND_INT,   MX_KIND_INT,    MX_KIND_FLOAT,
    MX_KIND_FLOAT, MX_KIND_FLOAT, MX_KIND_FLOAT, MX_KIND_COMPLEX};

size_t mx_dtype_size(mx_dtype t) {
  return (unsigned)t < MX_NUM_DTYPES ? dtype_sizes[t] : 0;
}

const char *mx_dtype_name(mx_dtype t) {
  return (unsigned)t < MX_NUM_DTYPES ? dtype_names[t] : "unknown";
}

mx_dtype_kind mx_dtype_kind_of(mx_dtype t) {
  return (unsigned)t < MX_NUM_DTYPES ? dtype_kinds[t] : MX_KIND_BOOL;
}

bool mx_dtype_valid(int t) {
  return t >= 0 && t < MX_NUM_DTYPES;
}

/* clang-format off */
#define b_   MX_BOOL
#define u8_  MX_UINT8
#define u16_ MX_UINT16
#define u32_ MX_UINT32
#define u64_ MX_UINT64
#define i8_  MX_INT8
#define i16_ MX_INT16
#define i32_ MX_INT32
#define i64_ MX_INT64
#define f16_ MX_FLOAT16
#define f32_ MX_FLOAT32
#define f64_ MX_FLOAT64
#define bf_  MX_BFLOAT16
#define c64_ MX_COMPLEX64
static const uint8_t promote_table[MX_NUM_DTYPES][MX_NUM_DTYPES] = {
  /*         b     u8    u16   u32   u64   i8    i16   i32   i64   f16   f32   f64   bf16  c64 */
  /* b   */ {b_,   u8_,  u16_, u32_, u64_, i8_,  i16_, i32_, i64_, f16_, f32_, f64_, bf_,  c64_},
  /* u8  */ {u8_,  u8_,  u16_, u32_, u64_, i16_, i16_, i32_, i64_, f16_, f32_, f64_, bf_,  c64_},
  /* u16 */ {u16_, u16_, u16_, u32_, u64_, i32_, i32_, i32_, i64_, f16_, f32_, f64_, bf_,  c64_},
  /* u32 */ {u32_, u32_, u32_, u32_, u64_, i64_, i64_, i64_, i64_, f16_, f32_, f64_, bf_,  c64_},
  /* u64 */ {u64_, u64_, u64_, u64_, u64_, f32_, f32_, f32_, f32_, f16_, f32_, f64_, bf_,  c64_},
  /* i8  */ {i8_,  i16_, i32_, i64_, f32_, i8_,  i16_, i32_, i64_, f16_, f32_, f64_, bf_,  c64_},
  /* i16 */ {i16_, i16_, i32_, i64_, f32_, i16_, i16_, i32_, i64_, f16_, f32_, f64_, bf_,  c64_},
  /* i32 */ {i32_, i32_, i32_, i64_, f32_, i32_, i32_, i32_, i64_, f16_, f32_, f64_, bf_,  c64_},
  /* i64 */ {i64_, i64_, i64_, i64_, f32_, i64_, i64_, i64_, i64_, f16_, f32_, f64_, bf_,  c64_},
  /* f16 */ {f16_, f16_, f16_, f16_, f16_, f16_, f16_, f16_, f16_, f16_, f32_, f64_, f32_, c64_},
  /* f32 */ {f32_, f32_, f32_, f32_, f32_, f32_, f32_, f32_, f32_, f32_, f32_, f64_, f32_, c64_},
  /* f64 */ {f64_, f64_, f64_, f64_, f64_, f64_, f64_, f64_, f64_, f64_, f64_, f64_, f64_, c64_},
  /* bf16*/ {bf_,  bf_,  bf_,  bf_,  bf_,  bf_,  bf_,  bf_,  bf_,  f32_, f32_, f64_, bf_,  c64_},
  /* c64 */ {c64_, c64_, c64_, c64_, c64_, c64_, c64_, c64_, c64_, c64_, c64_, c64_, c64_, c64_},
};
#undef b_
#undef u8_
#undef u16_
#undef u32_
#undef u64_
#undef i8_
#undef i16_
#undef i32_
#undef i64_
#undef f16_
#undef f32_
#undef f64_
#undef bf_
#undef c64_
/* clang-format on */

mx_dtype mx_promote_types(mx_dtype a, mx_dtype b) {
  if ((unsigned)a >= MX_NUM_DTYPES || (unsigned)b >= MX_NUM_DTYPES) return MX_FLOAT32;
  return (mx_dtype)promote_table[a][b];
}

/* ---- 16-bit floats (the kernels' inline conversions, backend/cpu/half.h) ---- */

float mx_f16_to_f32(uint16_t h) {
  return mx_h2f(h);
}

uint16_t mx_f32_to_f16(float f) {
  return mx_f2h(f);
}

uint16_t mx_f32_to_bf16(float f) {
  return mx_f2bf(f);
}

/* ---- generic element access ---- */

double mx_load_as_double(const void *p, mx_dtype t, int64_t i) {
  switch (t) {
  case MX_BOOL:
    return ((const bool *)p)[i] ? 1.0 : 0.0;
  case MX_UINT8:
    return (double)((const uint8_t *)p)[i];
  case MX_UINT16:
    return (double)((const uint16_t *)p)[i];
  case MX_UINT32:
    return (double)((const uint32_t *)p)[i];
  case MX_UINT64:
    return (double)((const uint64_t *)p)[i];
  case MX_INT8:
    return (double)((const int8_t *)p)[i];
  case MX_INT16:
    return (double)((const int16_t *)p)[i];
  case MX_INT32:
    return (double)((const int32_t *)p)[i];
  case MX_INT64:
    return (double)((const int64_t *)p)[i];
  case MX_FLOAT16:
    return (double)mx_f16_to_f32(((const uint16_t *)p)[i]);
  case MX_FLOAT32:
    return (double)((const float *)p)[i];
  case MX_FLOAT64:
    return ((const double *)p)[i];
  case MX_BFLOAT16:
    return (double)mx_bf16_to_f32(((const uint16_t *)p)[i]);
  case MX_COMPLEX64:
    return (double)((const mx_complex64 *)p)[i].re;
  default:
    return 0.0;
  }
}

/* Float to integer as x86 compilers do it for C casts (narrow types go through a 32-bit
 * conversion, uint32 through a 64-bit one), avoiding undefined behaviour for in-range values. */
void mx_store_from_double(void *p, mx_dtype t, int64_t i, double v) {
  switch (t) {
  case MX_BOOL:
    ((bool *)p)[i] = v != 0.0;
    break;
  case MX_UINT8:
    ((uint8_t *)p)[i] = (uint8_t)(int32_t)v;
    break;
  case MX_UINT16:
    ((uint16_t *)p)[i] = (uint16_t)(int32_t)v;
    break;
  case MX_UINT32:
    ((uint32_t *)p)[i] = (uint32_t)(int64_t)v;
    break;
  case MX_UINT64:
    ((uint64_t *)p)[i] = (uint64_t)v;
    break;
  case MX_INT8:
    ((int8_t *)p)[i] = (int8_t)(int32_t)v;
    break;
  case MX_INT16:
    ((int16_t *)p)[i] = (int16_t)(int32_t)v;
    break;
  case MX_INT32:
    ((int32_t *)p)[i] = (int32_t)v;
    break;
  case MX_INT64:
    ((int64_t *)p)[i] = (int64_t)v;
    break;
  case MX_FLOAT16:
    ((uint16_t *)p)[i] = mx_f32_to_f16((float)v);
    break;
  case MX_FLOAT32:
    ((float *)p)[i] = (float)v;
    break;
  case MX_FLOAT64:
    ((double *)p)[i] = v;
    break;
  case MX_BFLOAT16:
    ((uint16_t *)p)[i] = mx_f32_to_bf16((float)v);
    break;
  case MX_COMPLEX64: {
    mx_complex64 c = {(float)v, 0.0f};
    ((mx_complex64 *)p)[i] = c;
    break;
  }
  default:
    break;
  }
}
