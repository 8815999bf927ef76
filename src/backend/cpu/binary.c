/* ADD, SUBTRACT, MULTIPLY, DIVIDE on equal shapes and dtypes (broadcast inputs are stride-0
 * views). One typed function per (dtype, op) whose loops are specialised for the inner strides
 * (contiguous/contiguous, scalar/contiguous, contiguous/scalar, general) and compiled per ISA
 * (EW_CLONES). Contiguous operands are split over the CPU threads (ew_pool.c), large contiguous
 * outputs streamed (elementwise.h); strided ones go through ew_binary.c's rows and tiles
 * (mx_ew_binary_rows: a transposed operand staged through register transposes).
 *
 * The output may be donated an input's buffer (same pointer, same row-contiguous layout): every
 * loop reads a[i], b[i] before writing o[i], and no pointer is restrict-qualified. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <complex.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/ew_common.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/strided.h"
#include "core/error.h"
#include "core/primitives.h"

/* ---- element operations on storage values ---- */

/* bool: add = or, subtract = xor (0/1 arithmetic, != 0), multiply = and, divide = and (x/0 = 0) */
#define B_ADD(x, y) ((bool)((x) | (y)))
#define B_SUB(x, y) ((bool)((x) != (y)))
#define B_MUL(x, y) ((bool)((x) & (y)))
#define B_DIV(x, y) ((bool)((x) & (y)))

/* integers: wrap-around arithmetic through the unsigned type U; division by 0 gives 0 */
#define I_ADD(T, U, x, y) ((T)((U)(x) + (U)(y)))
#define I_SUB(T, U, x, y) ((T)((U)(x) - (U)(y)))
#define I_MUL(T, U, x, y) ((T)((U)(x) * (U)(y)))
#define U_DIV(T, U, x, y) ((y) == 0 ? (T)0 : (T)((U)(x) / (U)(y)))
#define S_DIV(T, U, x, y) ((y) == 0 ? (T)0 : (y) == (T)-1 ? (T)((U)0 - (U)(x)) : (T)((x) / (y)))

/* floats */
#define F_ADD(x, y) ((x) + (y))
#define F_SUB(x, y) ((x) - (y))
#define F_MUL(x, y) ((x) * (y))
#define F_DIV(x, y) ((x) / (y))

/* float16 / bfloat16 computed in float */
#define H_OP(OP, x, y) mx_f2h(OP(mx_h2f(x), mx_h2f(y)))
#define BF_OP(OP, x, y) mx_f2bf(OP(mx_bf2f(x), mx_bf2f(y)))

/* complex64: add/sub component-wise, multiply/divide with C complex semantics (as std::complex) */
static inline float _Complex c_to(mx_complex64 a) {
  float _Complex z;
  memcpy(&z, &a, sizeof z);
  return z;
}
static inline mx_complex64 c_from(float _Complex z) {
  mx_complex64 a;
  memcpy(&a, &z, sizeof a);
  return a;
}
static inline mx_complex64 c_add(mx_complex64 a, mx_complex64 b) {
  return (mx_complex64){a.re + b.re, a.im + b.im};
}
static inline mx_complex64 c_sub(mx_complex64 a, mx_complex64 b) {
  return (mx_complex64){a.re - b.re, a.im - b.im};
}
static inline mx_complex64 c_mul(mx_complex64 a, mx_complex64 b) {
  return c_from(c_to(a) * c_to(b));
}
static inline mx_complex64 c_div(mx_complex64 a, mx_complex64 b) {
  return c_from(c_to(a) / c_to(b));
}

/* Per (dtype, op) expression macros: NAME_<op>_<dtype>(x, y). */
#define OP_add_b(x, y) B_ADD(x, y)
#define OP_sub_b(x, y) B_SUB(x, y)
#define OP_mul_b(x, y) B_MUL(x, y)
#define OP_div_b(x, y) B_DIV(x, y)

#define OP_add_u8(x, y) I_ADD(uint8_t, uint32_t, x, y)
#define OP_sub_u8(x, y) I_SUB(uint8_t, uint32_t, x, y)
#define OP_mul_u8(x, y) I_MUL(uint8_t, uint32_t, x, y)
#define OP_div_u8(x, y) U_DIV(uint8_t, uint32_t, x, y)
#define OP_add_u16(x, y) I_ADD(uint16_t, uint32_t, x, y)
#define OP_sub_u16(x, y) I_SUB(uint16_t, uint32_t, x, y)
#define OP_mul_u16(x, y) I_MUL(uint16_t, uint32_t, x, y)
#define OP_div_u16(x, y) U_DIV(uint16_t, uint32_t, x, y)
#define OP_add_u32(x, y) I_ADD(uint32_t, uint32_t, x, y)
#define OP_sub_u32(x, y) I_SUB(uint32_t, uint32_t, x, y)
#define OP_mul_u32(x, y) I_MUL(uint32_t, uint32_t, x, y)
#define OP_div_u32(x, y) U_DIV(uint32_t, uint32_t, x, y)
#define OP_add_u64(x, y) I_ADD(uint64_t, uint64_t, x, y)
#define OP_sub_u64(x, y) I_SUB(uint64_t, uint64_t, x, y)
#define OP_mul_u64(x, y) I_MUL(uint64_t, uint64_t, x, y)
#define OP_div_u64(x, y) U_DIV(uint64_t, uint64_t, x, y)
#define OP_add_i8(x, y) I_ADD(int8_t, uint32_t, x, y)
#define OP_sub_i8(x, y) I_SUB(int8_t, uint32_t, x, y)
#define OP_mul_i8(x, y) I_MUL(int8_t, uint32_t, x, y)
#define OP_div_i8(x, y) S_DIV(int8_t, uint32_t, x, y)
#define OP_add_i16(x, y) I_ADD(int16_t, uint32_t, x, y)
#define OP_sub_i16(x, y) I_SUB(int16_t, uint32_t, x, y)
#define OP_mul_i16(x, y) I_MUL(int16_t, uint32_t, x, y)
#define OP_div_i16(x, y) S_DIV(int16_t, uint32_t, x, y)
#define OP_add_i32(x, y) I_ADD(int32_t, uint32_t, x, y)
#define OP_sub_i32(x, y) I_SUB(int32_t, uint32_t, x, y)
#define OP_mul_i32(x, y) I_MUL(int32_t, uint32_t, x, y)
#define OP_div_i32(x, y) S_DIV(int32_t, uint32_t, x, y)
#define OP_add_i64(x, y) I_ADD(int64_t, uint64_t, x, y)
#define OP_sub_i64(x, y) I_SUB(int64_t, uint64_t, x, y)
#define OP_mul_i64(x, y) I_MUL(int64_t, uint64_t, x, y)
#define OP_div_i64(x, y) S_DIV(int64_t, uint64_t, x, y)
#define OP_add_f16(x, y) H_OP(F_ADD, x, y)
#define OP_sub_f16(x, y) H_OP(F_SUB, x, y)
#define OP_mul_f16(x, y) H_OP(F_MUL, x, y)
#define OP_div_f16(x, y) H_OP(F_DIV, x, y)
#define OP_add_f32(x, y) F_ADD(x, y)
#define OP_sub_f32(x, y) F_SUB(x, y)
#define OP_mul_f32(x, y) F_MUL(x, y)
#define OP_div_f32(x, y) F_DIV(x, y)
#define OP_add_f64(x, y) F_ADD(x, y)
#define OP_sub_f64(x, y) F_SUB(x, y)
#define OP_mul_f64(x, y) F_MUL(x, y)
#define OP_div_f64(x, y) F_DIV(x, y)
#define OP_add_bf16(x, y) BF_OP(F_ADD, x, y)
#define OP_sub_bf16(x, y) BF_OP(F_SUB, x, y)
#define OP_mul_bf16(x, y) BF_OP(F_MUL, x, y)
#define OP_div_bf16(x, y) BF_OP(F_DIV, x, y)
#define OP_add_c64(x, y) c_add(x, y)
#define OP_sub_c64(x, y) c_sub(x, y)
#define OP_mul_c64(x, y) c_mul(x, y)
#define OP_div_c64(x, y) c_div(x, y)

/* ---- typed loops ---- */

/* o[i] = op(a[i*sa], b[i*sb]) for i < n; o is contiguous. */
typedef mx_ew_bin_fn bin_fn;

#define GEN_BIN(OP, S, T)                                                                          \
  EW_CLONES static void bin_##OP##_##S(const void *a_, int64_t sa, const void *b_, int64_t sb, void *o_,     \
                             int64_t n) {                                                          \
    const T *a = (const T *)a_;                                                                    \
    const T *b = (const T *)b_;                                                                    \
    T *o = (T *)o_;                                                                                \
    if (sa == 1 && sb == 1) {                                                                      \
      for (int64_t i = 0; i < n; i++) o[i] = OP_##OP##_##S(a[i], b[i]);                            \
    } else if (sa == 0 && sb == 1) {                                                               \
      const T x = a[0];                                                                            \
      for (int64_t i = 0; i < n; i++) o[i] = OP_##OP##_##S(x, b[i]);                               \
    } else if (sa == 1 && sb == 0) {                                                               \
      const T y = b[0];                                                                            \
      for (int64_t i = 0; i < n; i++) o[i] = OP_##OP##_##S(a[i], y);                               \
    } else if (sa == 0 && sb == 0) {                                                               \
      const T v = OP_##OP##_##S(a[0], b[0]);                                                       \
      for (int64_t i = 0; i < n; i++) o[i] = v;                                                    \
    } else {                                                                                       \
      for (int64_t i = 0; i < n; i++) o[i] = OP_##OP##_##S(a[i * sa], b[i * sb]);                  \
    }                                                                                              \
  }

#define GEN_DTYPE(S, T) GEN_BIN(add, S, T) GEN_BIN(sub, S, T) GEN_BIN(mul, S, T) GEN_BIN(div, S, T)

GEN_DTYPE(b, bool)
GEN_DTYPE(u8, uint8_t)
GEN_DTYPE(u16, uint16_t)
GEN_DTYPE(u32, uint32_t)
GEN_DTYPE(u64, uint64_t)
GEN_DTYPE(i8, int8_t)
GEN_DTYPE(i16, int16_t)
GEN_DTYPE(i32, int32_t)
GEN_DTYPE(i64, int64_t)
GEN_DTYPE(f16, uint16_t)
GEN_DTYPE(f32, float)
GEN_DTYPE(f64, double)
GEN_DTYPE(bf16, uint16_t)
GEN_DTYPE(c64, mx_complex64)

#define ROW(S)                                                                                     \
  { bin_add_##S, bin_sub_##S, bin_mul_##S, bin_div_##S }
/* [dtype][add, sub, mul, div] in mx_dtype order */
static const bin_fn bin_table[MX_NUM_DTYPES][4] = {
    ROW(b),   ROW(u8),  ROW(u16), ROW(u32), ROW(u64), ROW(i8),   ROW(i16),
    ROW(i32), ROW(i64), ROW(f16), ROW(f32), ROW(f64), ROW(bf16), ROW(c64),
};

/* ---- driver ---- */

static const char *op_name(int prim) {
  switch (prim) {
  case MX_PRIM_ADD:
    return "add";
  case MX_PRIM_SUBTRACT:
    return "subtract";
  case MX_PRIM_MULTIPLY:
    return "multiply";
  case MX_PRIM_DIVIDE:
    return "divide";
  default:
    return "binary";
  }
}

/* An input sharing the output's buffer (donation) is safe to read while writing only when it is
 * the output's exact memory (same start, row-contiguous): each element is read before the same
 * element is written. Any other sharing goes through a temporary. */
static int alias_unsafe(const mx_array *in, const mx_array *out) {
  if (!in->buf || in->buf != out->buf) return 0;
  if (mx_array_data(in) == mx_array_data(out) && mx_strided_is_row_contig(in)) return 0;
  return 1;
}

/* Work split over the CPU threads (ew_pool.c): a flat range (both operands contiguous or one
 * value; the output streamed out when it is larger than the cache). */
typedef struct {
  bin_fn fn;
  const char *a, *b;
  char *o;
  int64_t isz;
  int64_t sa, sb; /* flat: 1 or 0 */
  int stream;
} bin_job;

static void flat_task(void *ctx, int64_t begin, int64_t end) {
  const bin_job *j = (const bin_job *)ctx;
  int64_t isz = j->isz, n = end - begin;
  const char *a = j->a + begin * j->sa * isz, *b = j->b + begin * j->sb * isz;
  char *o = j->o + begin * isz;
  if (!j->stream) {
    j->fn(a, j->sa, b, j->sb, o, n);
    return;
  }
  _Alignas(64) char tmp[EW_STREAM_BYTES];
  int64_t per = EW_STREAM_BYTES / isz;
  for (int64_t s = 0; s < n; s += per) {
    int64_t m = n - s < per ? n - s : per;
    j->fn(a + s * j->sa * isz, j->sa, b + s * j->sb * isz, j->sb, tmp, m);
    mx_ew_stream_copy(o + s * isz, tmp, (size_t)(m * isz));
  }
  mx_ew_stream_fence();
}

/* The layout both operands share when it is dense but not row-contiguous (one of them may be a
 * single value): the output can take it and the op run flat over data_size elements. NULL when
 * the row-contiguous or the strided paths apply, and for two single values, whose result stays a
 * filled row-contiguous array (mlx-c programs read results through their data pointers: the
 * gradient of a sum divided by a scalar, say). */
static const mx_array *dense_layout(const mx_array *a, const mx_array *b) {
  if (a->size == 0 || mx_strided_is_row_contig(a) || mx_strided_is_row_contig(b)) return NULL;
  if ((a->data_size == 1 && b->data_size == 1) || !ew_dense(a) || !ew_dense(b)) return NULL;
  if (a->data_size == 1) return b;
  if (b->data_size == 1) return a;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != 1 && a->strides[d] != b->strides[d]) return NULL;
  return a;
}

/* Runs fn over the N-d operands; o is row-contiguous. */
static void run_binary(bin_fn fn, int cost, const mx_array *a, const mx_array *b,
                       const mx_array *out, const void *ap, const void *bp, void *op) {
  int64_t n = out->size;
  size_t isz = mx_array_itemsize(out);
  int a_rc = mx_strided_is_row_contig(a), b_rc = mx_strided_is_row_contig(b);
  int a_sc = a->data_size == 1, b_sc = b->data_size == 1;
  bin_job j = {fn, (const char *)ap, (const char *)bp, (char *)op, (int64_t)isz, 0, 0, 0};
  if ((a_rc || a_sc) && (b_rc || b_sc)) {
    j.sa = a_rc ? 1 : 0;
    j.sb = b_rc ? 1 : 0;
    if (a_rc && b_rc) j.sa = j.sb = 1; /* (a single element is both) */
    j.stream = n * (int64_t)isz * (1 + j.sa + j.sb) >= mx_ew_stream_min_bytes();
    mx_ew_parallel_for(n, ew_grain(cost), flat_task, &j);
    return;
  }
  /* strided operands: rows, or tiles when one is transposed (ew_binary.c) */
  mx_ew_binary_rows(fn, cost, isz, a, b, out, ap, bp, op);
}

int mx_cpu_binary(mx_node *n) {
  int prim = n->prim;
  int opi;
  switch (prim) {
  case MX_PRIM_ADD:
    opi = 0;
    break;
  case MX_PRIM_SUBTRACT:
    opi = 1;
    break;
  case MX_PRIM_MULTIPLY:
    opi = 2;
    break;
  case MX_PRIM_DIVIDE:
    opi = 3;
    break;
  default:
    return mx_error("[binary] Unsupported primitive.");
  }
  if (n->nin != 2) return mx_error("[%s] Expected two inputs.", op_name(prim));
  const mx_array *a = n->inputs[0], *b = n->inputs[1];
  mx_array *out = &n->out[0];
  mx_dtype dt = (mx_dtype)out->dtype;
  if (!mx_dtype_valid(dt) || a->dtype != dt || b->dtype != dt)
    return mx_error("[%s] Inputs must have the output's dtype.", op_name(prim));
  if (a->ndim != out->ndim || b->ndim != out->ndim)
    return mx_error("[%s] Inputs must have the output's shape.", op_name(prim));
  for (int d = 0; d < out->ndim; d++)
    if (a->shape[d] != out->shape[d] || b->shape[d] != out->shape[d])
      return mx_error("[%s] Inputs must have the output's shape.", op_name(prim));
  bin_fn fn = bin_table[dt][opi];
  /* float16/bfloat16/complex arithmetic and integer division are several times a copy's work */
  int cost = dt == MX_FLOAT16 || dt == MX_BFLOAT16 || dt == MX_COMPLEX64 ||
                     (opi == 3 && mx_dtype_is_integral(dt))
                 ? EW_COST_MATH
                 : EW_COST_CHEAP;
  const mx_array *like = dense_layout(a, b);
  if (like) { /* one dense layout (a transpose, a broadcast view) on both sides: out takes it */
    if (ew_alloc_like(out, like)) return MX_ERR;
    bin_job j = {fn,
                 mx_array_data(a),
                 mx_array_data(b),
                 mx_array_data(out),
                 (int64_t)mx_array_itemsize(out),
                 a->data_size == 1 && like != a ? 0 : 1,
                 b->data_size == 1 && like != b ? 0 : 1,
                 0};
    if (!j.a || !j.b || !j.o) return mx_error("[%s] Array has no data.", op_name(prim));
    mx_ew_parallel_for(like->data_size, ew_grain(cost), flat_task, &j);
    return 0;
  }
  if (mx_array_alloc_data(out) != 0) return MX_ERR;
  if (out->size == 0) return 0;
  const void *ap = mx_array_data(a), *bp = mx_array_data(b);
  void *op = mx_array_data(out);
  if (!ap || !bp || !op) return mx_error("[%s] Array has no data.", op_name(prim));
  if (alias_unsafe(a, out) || alias_unsafe(b, out)) {
    size_t nb = mx_array_nbytes(out);
    void *tmp = malloc(nb);
    if (!tmp) return mx_error("[%s] Out of memory allocating %zu bytes.", op_name(prim), nb);
    run_binary(fn, cost, a, b, out, ap, bp, tmp);
    memcpy(op, tmp, nb);
    free(tmp);
    return 0;
  }
  run_binary(fn, cost, a, b, out, ap, bp, op);
  return 0;
}
