/* What a fused (compiled) elementwise kernel may compute: one row per (primitive, argument kind),
 * its result kind and its C expression in x (, y, c). The single source of both executors:
 * fused_codegen.c pastes the stringified expressions into generated C (which embeds this file,
 * ew_math.h and half.h as its prelude), fused_interp.c expands them into tile loops.
 *
 * Kinds: F float (stored as float32, float16 or bfloat16; computed in float and, for 16-bit
 * types, rounded after each op exactly as the eager kernels stage them), I int32, B bool (a byte
 * holding 0 or 1). The expressions are the eager kernels' (unary.c, binary.c, ew_binary.c,
 * ternary.c, copy.c) for these kinds, mostly through the same ew_math.h functions (remainder,
 * integer floor division). Ops that are compositions of rows here are lowered by
 * compile_fuse.c: clip (maximum, minimum), softmax, floor_divide of floats (divide, then floor:
 * a 16-bit quotient is rounded before the floor, as eager) and nan_to_num (selects of its
 * replacement values, inlined as constants, by isnan / isposinf / isneginf). Self-contained: no
 * project includes, so the text compiles on its own (after ew_math.h). */
#ifndef MX_BACKEND_CPU_FUSED_OPS_H
#define MX_BACKEND_CPU_FUSED_OPS_H

#define FX_FSIGN(x) ((x) > 0 ? 1.0f : ((x) < 0 ? -1.0f : 0.0f))
#define FX_FMAX(x, y) ((x) != (x) ? (x) : ((x) > (y) ? (x) : (y)))
#define FX_FMIN(x, y) ((x) != (x) ? (x) : ((x) < (y) ? (x) : (y)))
#define FX_NANEQ(x, y) (((x) == (y)) | (((x) != (x)) & ((y) != (y))))
/* the eager kernel's exact shortcuts for a constant exponent of 2 or -1 */
/* POW is called for every element and the pick is done on the bits: with a select GCC sinks a
 * const call into the one branch that uses it, and a conditional call does not vectorize. */
static inline float fx_powf_pick(float x, float y, float p) {
  float sq = x * x, inv = 1.0f / x, r;
  unsigned a, b, c, m2 = 0u - (unsigned)(y == 2.0f), m1 = 0u - (unsigned)(y == -1.0f);
  __builtin_memcpy(&a, &sq, 4);
  __builtin_memcpy(&b, &inv, 4);
  __builtin_memcpy(&c, &p, 4);
  unsigned bits = (m2 & a) | (~m2 & ((m1 & b) | (~m1 & c)));
  __builtin_memcpy(&r, &bits, 4);
  return r;
}
#define FX_POWF(x, y, POW) fx_powf_pick(x, y, POW(x, y))
/* the float math: ew_math.h's functions, or their AVX-512 versions in generated kernels
 * (fused_vmath.h defines FX_M there) */
#ifndef FX_M
#define FX_M(f) ew_##f
#endif
#define FX_IWRAP(op, x, y) ((int32_t)((uint32_t)(x)op(uint32_t)(y)))

/* clang-format off */
#define MX_FUSED_UNARY(X) \
  X(ABS,            F, F, __builtin_fabsf(x)) \
  X(SIGN,           F, F, FX_FSIGN(x)) \
  X(NEGATIVE,       F, F, -x) \
  X(SQUARE,         F, F, x * x) \
  X(SQRT,           F, F, __builtin_sqrtf(x)) \
  X(RSQRT,          F, F, 1.0f / __builtin_sqrtf(x)) \
  X(EXP,            F, F, FX_M(expf)(x)) \
  X(EXPM1,          F, F, FX_M(expm1f)(x)) \
  X(LOG,            F, F, FX_M(logf)(x)) \
  X(LOG2,           F, F, FX_M(log2f)(x)) \
  X(LOG10,          F, F, FX_M(log10f)(x)) \
  X(LOG1P,          F, F, FX_M(log1pf)(x)) \
  X(SIN,            F, F, FX_M(sin_fullf)(x)) \
  X(COS,            F, F, FX_M(cos_fullf)(x)) \
  X(TAN,            F, F, FX_M(tan_fullf)(x)) \
  X(SINH,           F, F, FX_M(sinhf)(x)) \
  X(COSH,           F, F, FX_M(coshf)(x)) \
  X(TANH,           F, F, FX_M(tanhf)(x)) \
  X(ARCSIN,         F, F, FX_M(asinf)(x)) \
  X(ARCCOS,         F, F, FX_M(acosf)(x)) \
  X(ARCTAN,         F, F, ew_atanf(x)) \
  X(ARCSINH,        F, F, FX_M(asinhf)(x)) \
  X(ARCCOSH,        F, F, FX_M(acoshf)(x)) \
  X(ARCTANH,        F, F, FX_M(atanhf)(x)) \
  X(SIGMOID,        F, F, FX_M(sigmoidf)(x)) \
  X(ERF,            F, F, FX_M(erff)(x)) \
  X(ERFINV,         F, F, FX_M(erfinvf)(x)) \
  X(FLOOR,          F, F, __builtin_floorf(x)) \
  X(CEIL,           F, F, __builtin_ceilf(x)) \
  X(ROUND,          F, F, __builtin_rintf(x)) \
  X(LOGICAL_NOT,    F, B, x == 0.0f) \
  X(ISNAN,          F, B, x != x) \
  X(ISINF,          F, B, __builtin_fabsf(x) == EW_INFF) \
  X(ISFINITE,       F, B, __builtin_fabsf(x) < EW_INFF) \
  X(ISPOSINF,       F, B, x == EW_INFF) \
  X(ISNEGINF,       F, B, x == -EW_INFF) \
  X(ABS,            I, I, (int32_t)(x < 0 ? 0u - (uint32_t)x : (uint32_t)x)) \
  X(SIGN,           I, I, (int32_t)((x > 0) - (x < 0))) \
  X(NEGATIVE,       I, I, (int32_t)(0u - (uint32_t)x)) \
  X(SQUARE,         I, I, FX_IWRAP(*, x, x)) \
  X(BITWISE_INVERT, I, I, ~x) \
  X(LOGICAL_NOT,    I, B, x == 0) \
  X(LOGICAL_NOT,    B, B, x ^ 1) \
  X(BITWISE_INVERT, B, B, x ^ 1)

#define MX_FUSED_BINARY(X) \
  X(ADD,            F, F, x + y) \
  X(SUBTRACT,       F, F, x - y) \
  X(MULTIPLY,       F, F, x * y) \
  X(DIVIDE,         F, F, x / y) \
  X(MAXIMUM,        F, F, FX_FMAX(x, y)) \
  X(MINIMUM,        F, F, FX_FMIN(x, y)) \
  X(POWER,          F, F, FX_POWF(x, y, FX_M(powf))) \
  X(REMAINDER,      F, F, FX_M(remainderf)(x, y)) \
  X(ARCTAN2,        F, F, ew_atan2f(x, y)) \
  X(LOGADDEXP,      F, F, FX_M(logaddexpf)(x, y)) \
  X(EQUAL,          F, B, x == y) \
  X(NOT_EQUAL,      F, B, x != y) \
  X(LESS,           F, B, x < y) \
  X(LESS_EQUAL,     F, B, x <= y) \
  X(GREATER,        F, B, x > y) \
  X(GREATER_EQUAL,  F, B, x >= y) \
  X(NAN_EQUAL,      F, B, FX_NANEQ(x, y)) \
  X(ADD,            I, I, FX_IWRAP(+, x, y)) \
  X(SUBTRACT,       I, I, FX_IWRAP(-, x, y)) \
  X(MULTIPLY,       I, I, FX_IWRAP(*, x, y)) \
  X(FLOOR_DIVIDE,   I, I, ew_floor_divi(x, y)) \
  X(REMAINDER,      I, I, FX_IWRAP(-, x, FX_IWRAP(*, ew_floor_divi(x, y), y))) \
  X(MAXIMUM,        I, I, x > y ? x : y) \
  X(MINIMUM,        I, I, x < y ? x : y) \
  X(BITWISE_AND,    I, I, x & y) \
  X(BITWISE_OR,     I, I, x | y) \
  X(BITWISE_XOR,    I, I, x ^ y) \
  X(LEFT_SHIFT,     I, I, (uint32_t)y > 31u ? 0 : (int32_t)((uint32_t)x << (uint32_t)y)) \
  X(RIGHT_SHIFT,    I, I, (uint32_t)y > 31u ? (x < 0 ? -1 : 0) : x >> (uint32_t)y) \
  X(EQUAL,          I, B, x == y) \
  X(NOT_EQUAL,      I, B, x != y) \
  X(LESS,           I, B, x < y) \
  X(LESS_EQUAL,     I, B, x <= y) \
  X(GREATER,        I, B, x > y) \
  X(GREATER_EQUAL,  I, B, x >= y) \
  X(NAN_EQUAL,      I, B, x == y) \
  X(LOGICAL_AND,    B, B, x & y) \
  X(LOGICAL_OR,     B, B, x | y) \
  X(BITWISE_AND,    B, B, x & y) \
  X(BITWISE_OR,     B, B, x | y) \
  X(BITWISE_XOR,    B, B, x ^ y) \
  X(MAXIMUM,        B, B, x | y) \
  X(MINIMUM,        B, B, x & y) \
  X(EQUAL,          B, B, x == y) \
  X(NOT_EQUAL,      B, B, x != y) \
  X(NAN_EQUAL,      B, B, x == y)

/* casts (AsType; Copy is the same-kind one): X(FROM, TO, EXPR) */
#define MX_FUSED_CASTS(X) \
  X(F, F, x) \
  X(I, F, (float)x) \
  X(B, F, (float)x) \
  X(F, I, (int32_t)x) \
  X(I, I, x) \
  X(B, I, (int32_t)x) \
  X(F, B, x != 0.0f) \
  X(I, B, x != 0) \
  X(B, B, x)
/* clang-format on */

#endif
