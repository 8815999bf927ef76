/* The float math of generated fused kernels on AVX-512 CPUs (part of the prelude, after
 * ew_math.h and ew_vec512.h): the ops' expressions call FX_M(expf)(x) and so on (fused_ops.h),
 * which here are functions declared with GCC's simd attribute, so the kernel's vectorized loops
 * call their 16- and 8-lane variants, defined right here from ew_vec512.h's functions (vector
 * ABI names _ZGV<isa>N<lanes>v_<name>); the scalar remainder calls the scalar version, an
 * assembler alias the compiler cannot see through (an alias in C would be inlined, and a body
 * would make GCC derive its own variants). fx_b_<name>(t, m) applies the function in place to a
 * block of m floats (64-byte aligned; the bulk ops of fused_codegen.c), here from the 16-lane
 * variant, elsewhere as a plain loop. Each kernel defines only the functions it uses:
 * fused_codegen.c emits FX_VMATH_USE(name) for every FX_M(name) in its ops. Elsewhere
 * (other CPUs, other compilers, fused_interp.c, which does not include this file) FX_M(f) is
 * ew_##f. */
#ifndef MX_BACKEND_CPU_FUSED_VMATH_H
#define MX_BACKEND_CPU_FUSED_VMATH_H

#if EW_HAVE_VEC512 && defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512BW__) &&    \
    defined(__AVX512VL__) && defined(__FMA__)
#define FX_M(f) fx_v_##f
#define FX_HIDDEN __attribute__((visibility("hidden")))
#define FX_ALIAS(f) __asm__(".globl fx_v_" #f "\n.hidden fx_v_" #f "\n.set fx_v_" #f ", fx_s_" #f);
#define FX_VMATH_DEF1(f, V16)                                                                      \
  FX_HIDDEN float fx_s_##f(float x) {                                                              \
    return ew_##f(x);                                                                              \
  }                                                                                                \
  float fx_v_##f(float) __attribute__((simd("notinbranch"), const, nothrow)) FX_HIDDEN;            \
  FX_ALIAS(f)                                                                                      \
  FX_HIDDEN __m512 _ZGVeN16v_fx_v_##f(__m512 x) {                                                  \
    return V16(x);                                                                                 \
  }                                                                                                \
  FX_HIDDEN __m256 _ZGVdN8v_fx_v_##f(__m256 x) {                                                   \
    return _mm512_castps512_ps256(V16(_mm512_castps256_ps512(x)));                                 \
  }                                                                                                \
  FX_HIDDEN __m256 _ZGVcN8v_fx_v_##f(__m256 x) {                                                   \
    return _mm512_castps512_ps256(V16(_mm512_castps256_ps512(x)));                                 \
  }                                                                                                \
  FX_HIDDEN __m128 _ZGVbN4v_fx_v_##f(__m128 x) {                                                   \
    return _mm512_castps512_ps128(V16(_mm512_castps128_ps512(x)));                                 \
  }                                                                                                \
  FX_HIDDEN void fx_b_##f(float *t, int64_t m) {                                                   \
    int64_t j = 0;                                                                                 \
    for (; j + 16 <= m; j += 16) _mm512_store_ps(t + j, V16(_mm512_load_ps(t + j)));               \
    __mmask16 k = (__mmask16)((1u << (m - j)) - 1);                                                \
    if (j < m) _mm512_mask_storeu_ps(t + j, k, V16(_mm512_maskz_loadu_ps(k, t + j)));              \
  }
#define FX_VMATH_DEF2(f, V16)                                                                      \
  FX_HIDDEN float fx_s_##f(float x, float y) {                                                     \
    return ew_##f(x, y);                                                                           \
  }                                                                                                \
  float fx_v_##f(float, float) __attribute__((simd("notinbranch"), const, nothrow)) FX_HIDDEN;     \
  FX_ALIAS(f)                                                                                      \
  FX_HIDDEN __m512 _ZGVeN16vv_fx_v_##f(__m512 x, __m512 y) {                                       \
    return V16(x, y);                                                                              \
  }                                                                                                \
  FX_HIDDEN __m256 _ZGVdN8vv_fx_v_##f(__m256 x, __m256 y) {                                        \
    return _mm512_castps512_ps256(V16(_mm512_castps256_ps512(x), _mm512_castps256_ps512(y)));      \
  }                                                                                                \
  FX_HIDDEN __m256 _ZGVcN8vv_fx_v_##f(__m256 x, __m256 y) {                                        \
    return _mm512_castps512_ps256(V16(_mm512_castps256_ps512(x), _mm512_castps256_ps512(y)));      \
  }                                                                                                \
  FX_HIDDEN __m128 _ZGVbN4vv_fx_v_##f(__m128 x, __m128 y) {                                        \
    return _mm512_castps512_ps128(V16(_mm512_castps128_ps512(x), _mm512_castps128_ps512(y)));      \
  }
#define FX_VMATH_USE(f) FX_VMATH_DEF_##f
#define FX_VMATH_DEF_expf FX_VMATH_DEF1(expf, v16_exp)
#define FX_VMATH_DEF_expm1f FX_VMATH_DEF1(expm1f, v16_expm1)
#define FX_VMATH_DEF_logf FX_VMATH_DEF1(logf, v16_log)
#define FX_VMATH_DEF_log2f FX_VMATH_DEF1(log2f, v16_log2)
#define FX_VMATH_DEF_log10f FX_VMATH_DEF1(log10f, v16_log10)
#define FX_VMATH_DEF_log1pf FX_VMATH_DEF1(log1pf, v16_log1p)
#define FX_VMATH_DEF_sin_fullf FX_VMATH_DEF1(sin_fullf, v16_sin_full)
#define FX_VMATH_DEF_cos_fullf FX_VMATH_DEF1(cos_fullf, v16_cos_full)
#define FX_VMATH_DEF_tan_fullf FX_VMATH_DEF1(tan_fullf, v16_tan_full)
#define FX_VMATH_DEF_sinhf FX_VMATH_DEF1(sinhf, v16_sinh)
#define FX_VMATH_DEF_coshf FX_VMATH_DEF1(coshf, v16_cosh)
#define FX_VMATH_DEF_tanhf FX_VMATH_DEF1(tanhf, v16_tanh)
#define FX_VMATH_DEF_asinf FX_VMATH_DEF1(asinf, v16_asin)
#define FX_VMATH_DEF_acosf FX_VMATH_DEF1(acosf, v16_acos)
#define FX_VMATH_DEF_asinhf FX_VMATH_DEF1(asinhf, v16_asinh)
#define FX_VMATH_DEF_acoshf FX_VMATH_DEF1(acoshf, v16_acosh)
#define FX_VMATH_DEF_atanhf FX_VMATH_DEF1(atanhf, v16_atanh)
#define FX_VMATH_DEF_sigmoidf FX_VMATH_DEF1(sigmoidf, v16_sigmoid)
#define FX_VMATH_DEF_erff FX_VMATH_DEF1(erff, v16_erf)
#define FX_VMATH_DEF_erfinvf FX_VMATH_DEF1(erfinvf, v16_erfinv)
#define FX_VMATH_DEF_logaddexpf FX_VMATH_DEF2(logaddexpf, v16_logaddexp)
#define FX_VMATH_DEF_powf FX_VMATH_DEF2(powf, v16_pow)
#define FX_VMATH_DEF_remainderf FX_VMATH_DEF2(remainderf, v16_remainder)
#define FX_BULK_USE(f) /* fx_b_##f: defined with the vector variants */
#else
#define FX_VMATH_USE(f)
#define FX_BULK_USE(f)                                                                             \
  static void fx_b_##f(float *t, int64_t m) {                                                      \
    _Pragma("omp simd") for (int64_t j = 0; j < m; j++) t[j] = FX_M(f)(t[j]);                      \
  }
#endif

#endif
