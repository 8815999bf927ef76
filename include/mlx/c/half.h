/* mlxc: 16-bit float storage types (mlx-c compatible).
 * float16_t is _Float16 where the compiler has it; bfloat16_t is __bf16 where the compiler has
 * it. Otherwise each is its raw 16 bits in a uint16_t. */
#ifndef MLX_C_HALF_H
#define MLX_C_HALF_H

#include <stdint.h>

#if defined(__FLT16_MANT_DIG__) && !defined(MLX_C_NO_FLOAT16)
typedef _Float16 float16_t;
#define MLX_C_HAS_FLOAT16 1
#else
typedef uint16_t float16_t;
#endif

#if defined(__BFLT16_MANT_DIG__) && !defined(MLX_C_NO_BFLOAT16)
typedef __bf16 bfloat16_t;
#define MLX_C_HAS_BFLOAT16 1
#else
typedef uint16_t bfloat16_t;
#endif

#endif
