/* CPU matrix products shared by the matmul family's kernels.
 *
 * mx_cpu_gemm computes one product out = alpha * A @ B + beta * C for any real or complex
 * floating dtype, with A, B and C read through arbitrary element strides:
 *   - float32, float64, complex64: OpenBLAS (s/d/cgemm; gemv for a single row or column) on
 *     the operands in place when BLAS can address them, otherwise on contiguous copies;
 *   - bfloat16: a blocked, packed kernel on AVX-512 BF16 (vdpbf16ps: B packed as k-pairs of
 *     bfloat16, 16-lane float32 accumulators), float32 accumulation throughout;
 *   - float16 (and bfloat16 without AVX512_BF16): the same blocking with tiles converted to
 *     float32 while packing and an AVX-512 FMA microkernel;
 *   - bfloat16 on AMX (AMX-TILE + AMX-BF16): 32 x 32 tile blocks over the whole worker pool
 *     (gemm_amx.c), B packed as for vdpbf16ps; x @ W.T for a row-major W as (W @ x.T).T, W's
 *     rows read in place as tiles (from 2 rows of x);
 *   - float16 on AMX from 32 rows: each operand split into bfloat16 hi + lo, exactly, and the
 *     four products summed in float32 (gemm_amx_split.c); operands with an infinity or NaN go
 *     to the AVX-512 kernel;
 *   - half products with at most 8 rows stream B once without packing (gemm_small.c);
 *   - without AVX-512: float32 copies and sgemm (the portable path).
 * Large products run on two threads. The instruction set is detected once (cpuid); the
 * environment variable MLXC_GEMM=generic|avx512|avx512bf16|amx caps it (for tests and benchmarks).
 */
#ifndef MX_BACKEND_CPU_GEMM_H
#define MX_BACKEND_CPU_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/array.h"
#include "core/dtype.h"

/* A matrix view: element (i, j) is at ptr + (i * rs + j * cs) elements. */
typedef struct {
  const void *ptr;
  int64_t rs, cs;
} mx_gemm_view;

typedef struct {
  mx_dtype dt;        /* dtype of A, B, C and out: float16/32/64, bfloat16, complex64 */
  int64_t M, N, K;    /* out is M x N; K may be 0 (out = beta * C) */
  mx_gemm_view a, b;  /* M x K and K x N */
  mx_gemm_view c;     /* M x N; c.ptr NULL: no C term (beta ignored) */
  float alpha, beta;  /* complex64: real scalars */
  void *out;          /* row-major, row stride ldo elements; must not overlap A or B, and C only
                         when c is exactly out with the same layout */
  int64_t ldo;
  int max_threads;    /* 0: the default (2 for large products) */
} mx_gemm_args;

/* Returns 0 or MX_ERR (out of memory, unsupported dtype) with a message naming `op`. */
int mx_cpu_gemm(const char *op, const mx_gemm_args *g);

/* nbatch products: product i is proto with A, B, C advanced by aoff[i], boff[i], coff[i] elements
 * (coff may be NULL when there is no C) and out by i * out_step elements. Many small
 * half-precision products are spread over two threads; batches of float32 / float64 products
 * (small ones, or at least two per thread) over the CPU worker pool, one s/dgemm thread each. */
int mx_cpu_gemm_batched(const char *op, const mx_gemm_args *proto, int64_t nbatch,
                        const int64_t *aoff, const int64_t *boff, const int64_t *coff,
                        int64_t out_step);

/* ---- kernels of the family's primitives (gemm_ops.c, gemm_hadamard.c) ---- */

int mx_cpu_addmm(mx_node *n);           /* ADDMM */
int mx_cpu_gather_mm(mx_node *n);       /* GATHER_MM */
int mx_cpu_segmented_mm(mx_node *n);    /* SEGMENTED_MM */
int mx_cpu_block_masked_mm(mx_node *n); /* BLOCK_MASKED_MM */
int mx_cpu_hadamard(mx_node *n);        /* HADAMARD */

/* ---- instruction sets ---- */

typedef enum {
  MX_GEMM_ISA_GENERIC = 0,    /* float32 copies + sgemm */
  MX_GEMM_ISA_AVX512 = 1,     /* AVX-512F/BW + F16C: float32 FMA microkernel */
  MX_GEMM_ISA_AVX512BF16 = 2, /* plus AVX512_BF16: vdpbf16ps microkernel for bfloat16 */
  MX_GEMM_ISA_AMX = 3,        /* plus AMX-TILE/AMX-BF16 granted by the OS: tile kernel for bfloat16 */
} mx_gemm_isa;

/* The instruction set in use (what the CPU has, capped by MLXC_GEMM). */
mx_gemm_isa mx_gemm_isa_get(void);
/* Caps the instruction set (never above what the CPU has); returns the one now in use. For tests
 * and benchmarks; not thread-safe against running products. */
mx_gemm_isa mx_gemm_isa_set(mx_gemm_isa isa);

/* ---- the packed kernels (gemm_pack.c); used by mx_cpu_gemm ---- */

/* out = alpha * A @ B + beta * C for A, B of dtype dt (float16 or bfloat16; out and C also dt),
 * with the kernel of `isa` (AVX512 or AVX512BF16). Returns MX_ERR when out of memory. */
int mx_gemm_half_packed(const char *op, const mx_gemm_args *g, mx_gemm_isa isa, int nthreads);

/* Shared by the AMX kernel: npanels B panels of k-pairs, panel_words apart (in panel q,
 * dst[s][w] = bfloat16 k = 2s, 2s + 1 of column 32q + w, for s < ceil(K / 2), w < 32; element
 * (w, k) at src[w * ws + k * ks], only w < wn exists); the epilogue of a float32 tile (row
 * stride 32) into out (see gemm_pack.c). */
void mx_gemm_pack_bf16_pair_panels(const uint16_t *src, int64_t ws, int64_t ks, int64_t wn,
                                   int64_t K, int npanels, int64_t panel_words, uint32_t *dst);
/* A for the AMX kernel: rows (<= 32) x K, element (i, k) at src[i * rs + k * cs], as 16 x 32
 * tiles, k block kb and rows 16h.. at dst + kb * 1024 + h * 512 words (zero-padded). */
void mx_gemm_pack_bf16_a_tiles(const uint16_t *src, int64_t rs, int64_t cs, int64_t rows, int64_t K,
                               int64_t nkb, uint16_t *dst);
void mx_gemm_half_epilogue(const mx_gemm_args *g, float *tile, int64_t i0, int64_t j0, int mr,
                           int nr, bool stream);
/* float16 operands split into bfloat16 hi + lo for the AMX kernel (gemm_amx_split.c, which has
 * the layouts): A rows (<= 32) x K at src[i * rs + k * cs]; npanels B panels of 32 columns,
 * panel_words apart, element (w, k) at src[w * ws + k * ks], only w < wn existing. Both return
 * false when a value is infinite or NaN (which the split cannot carry). */
bool mx_gemm_pack_f16_split_a(const uint16_t *src, int64_t rs, int64_t cs, int64_t rows, int64_t K,
                              int64_t nkb, uint16_t *dst);
bool mx_gemm_pack_f16_split_b(const uint16_t *src, int64_t ws, int64_t ks, int64_t wn, int64_t K,
                              int64_t nkb, int npanels, int64_t panel_words, uint32_t *dst);

/* ---- AMX (gemm_amx.c) ---- */

/* Whether the CPU has AMX-TILE and AMX-BF16 and the OS granted the tile state (asked once). */
bool mx_gemm_amx_available(void);
/* Whether mx_gemm_amx computes g as its transpose (B a row-major W, which goes in A's place). */
bool mx_gemm_amx_transposes(const mx_gemm_args *g);
/* out = alpha * A @ B + beta * C for bfloat16 or float16 on AMX tiles, over the worker pool (one
 * thread when g->max_threads is 1); float16 operands as bfloat16 hi + lo, four tile products per
 * k block. Call only when mx_gemm_amx_available(). Returns 0, MX_ERR, or MX_GEMM_DECLINED: float16
 * operands holding an infinity or NaN, out untouched, for another kernel to compute. */
#define MX_GEMM_DECLINED 2 /* not MX_ERR */
int mx_gemm_amx(const char *op, const mx_gemm_args *g);

/* Products with few rows (gemm_small.c): M <= 8 and B with unit stride along K or N. */
bool mx_gemm_half_small_ok(const mx_gemm_args *g);
int mx_gemm_half_small(const char *op, const mx_gemm_args *g, mx_gemm_isa isa, int nthreads);

/* ---- threads (gemm_driver.c) ---- */

/* Runs fn(ctx, t, n) once for each t = 0..n-1 over the CPU worker pool (ew_pool.c); returns n.
 * The calls may run one after another on one thread (the pool busy with another stream's work),
 * so no t may wait for another. */
int mx_gemm_parallel(void (*fn)(void *ctx, int t, int n), void *ctx, int n);

#endif
