/* bfloat16 GEMM on AMX tiles (Intel Sapphire Rapids and later: AMX-TILE + AMX-BF16), and
 * float16 GEMM on the same tiles, each float16 operand packed as bfloat16 hi + lo parts
 * (gemm_amx_split.c) and multiplied as four bfloat16 products (ukr_body's split step).
 *
 * Tiles (palette 1, every tile 16 rows x 64 bytes): C00 C01 C10 C11 (tmm0-3, float32 16 x 16),
 * A0 A1 (tmm4-5: 16 rows x 32 bfloat16 of k), B0 B1 (tmm6-7: 16 k-pairs x 16 columns). One
 * microkernel call computes a 32 x 32 block of the output over the whole K, so each output is
 * rounded to bfloat16 once, in the shared epilogue (alpha, beta * C).
 *
 * Packing, K zero-padded to a multiple of 32:
 *   B: the k-pair panels of the AVX512-BF16 kernel (gemm_pack.c: [K/2][32 columns] words), so
 *      tile B0 is 16 pair rows of a panel at a row stride of 128 bytes and B1 the next 64 bytes;
 *   A: per 32-row sub-block, per 32-k block, two 16 x 64-byte tiles stored contiguously
 *      (gemm_pack.c's mx_gemm_pack_bf16_a_tiles).
 * Both operands are packed once, in parallel; then the work units, (a group of about
 * GROUP_BYTES of B panels) x (a chunk of A sub-blocks), as many chunks as give about four units
 * per thread, run every panel of their group for each sub-block of their chunk (see
 * compute_units: the group stays in L2). Units go to the worker pool, so all cores take part
 * (the whole pool, not the two threads of the AVX-512 kernels). Past a K of a few hundred the
 * tiles are loaded without keeping them in L1, and outputs of 4 MB and more are written with
 * non-temporal stores. x @ W.T (a linear layer, W row-major) runs as (W @ x.T).T with W's rows
 * read in place as A tiles (mx_gemm_amx_transposes). bench/gemm_bf16.c measures the products,
 * bench/amx_tiles.c the tile step alone.
 *
 * Linux hands out AMX state only on request: arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA) once
 * per process (mx_gemm_amx_available). Each worker loads the tile configuration at the start
 * of its chunk and releases the tiles at the end. Like vdpbf16ps, TDPBF16PS flushes bfloat16
 * subnormals to zero. */
#include <immintrin.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend/cpu/elementwise.h"
#include "backend/cpu/gemm.h"
#include "backend/cpu/tile16.h"
#include "core/allocator.h"
#include "core/error.h"

#define TGT_AMX __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw")))

enum {
  SUB = 32,              /* rows (and columns) of one microkernel block */
  KB = 32,               /* k per tile step */
  GROUP_BYTES = 1 << 20, /* packed B per work unit: stays in L2 with two A sub-blocks */
  PACK_PANELS = 8,       /* B panels per packing unit */
  A_STEP = 2048,         /* bytes of packed A per sub-block and k block: two 16 x 64-byte tiles */
  STREAM_MIN_KB = 12,    /* k blocks from which the operand tiles are loaded past L1 */
  STREAM_OUT_BYTES = 4 << 20, /* outputs from this size are written past the caches */
};

/* ------------------------------------------------------------------ availability */

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static bool cpu_has_amx_bf16(void) {
  unsigned a, b, c, d;
  __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
  if (a < 7) return false;
  __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
  return (d >> 22 & 1) && (d >> 24 & 1); /* AMX-BF16, AMX-TILE */
}

bool mx_gemm_amx_available(void) {
  static atomic_int state = -1;
  int s = atomic_load(&state);
  if (s < 0) {
    s = cpu_has_amx_bf16() && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
    atomic_store(&state, s);
  }
  return s == 1;
}

/* ------------------------------------------------------------------ packing A */

/* ------------------------------------------------------------------ the microkernel */

typedef struct {
  uint8_t palette, start_row, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
} tile_config;

/* Read by ldtilecfg from constant data: GCC's _tile_loadconfig names only the first 8 bytes of
 * its operand, so the stores filling a local configuration can be dropped as dead. */
static const tile_config amx_config = {
    .palette = 1,
    .colsb = {64, 64, 64, 64, 64, 64, 64, 64},
    .rows = {16, 16, 16, 16, 16, 16, 16, 16},
};

TGT_AMX static void load_config(void) { _tile_loadconfig(&amx_config); }

/* TILELOADDT1 (stream) does not keep the lines in L1. Once a sub-block's A (2 KB per k block)
 * is too large to stay in L1 across the panels, every operand comes from L2 anyway and plain
 * loads only evict lines. BF16_ONLY=1 bench/gemm_bf16.c, n x K times K x n, ms, plain -> stream:
 * 2048x512 2.26-2.40 -> 1.94-2.19, 2048x384 1.71-1.84 -> 1.60-1.74, but 2048x288 (9 k blocks)
 * 1.22-1.25 -> 1.31-1.42 and 2048x256 1.01-1.06 -> 1.24-1.31. */
#define LOAD_TILE(stream, t, p, stride)                                                            \
  do {                                                                                             \
    if (stream)                                                                                    \
      _tile_stream_loadd(t, p, stride);                                                            \
    else                                                                                           \
      _tile_loadd(t, p, stride);                                                                   \
  } while (0)

/* Where an A sub-block's tiles are: k block kb's two 16-row tiles start at p + kb * kstep and
 * 16 rows further, rows `stride` bytes apart. Packed: kstep A_STEP, stride 64; read in place from
 * a row-major A: kstep 64 (32 k), stride the row's bytes. */
typedef struct {
  const char *p;
  int64_t kstep, stride;
} a_tiles;

/* A finished 32 x 32 tile waiting for the epilogue: its rows (row stride 32, already transposed
 * when the product is) and where they go in the caller's out. */
typedef struct {
  const mx_gemm_args *out;
  float *tile;
  int64_t i0, j0;
  int mr, nr;
  bool stream;
} out_tile;

static void write_rows(const out_tile *t, int r0, int r1) {
  mx_gemm_half_epilogue(t->out, t->tile + r0 * SUB, t->i0 + r0, t->j0, r1 - r0, t->nr, t->stream);
}

/* C (32 x 32 float32, row stride 32) = A sub-block @ B panel over nkb k blocks. With split
 * (float16 operands as bfloat16 hi + lo, gemm_amx_split.c), each k block of A and B is its hi
 * tiles then its lo tiles, 2048 bytes further, and C += Ah Bh + Ah Bl + Al Bl + Al Bh: ten tile
 * loads per sixteen products (the plain step: four per four). Each k block
 * also prefetches npf of the pf_lines cache lines at pf into L2 (the next A sub-block; see
 * compute_units). An A tile is stored every 8 k blocks, a store the loop does not wait on:
 * without it, the accumulators' store at the end stalled the tile unit about 750 cycles, with it
 * about 50 (bench/amx_tiles.c); bfloat16 2048^3 on one thread 1252-1342 -> 1438-1453 GFLOP/s,
 * on two 2461-2630 -> 2613-2845 (bench/gemm_bf16.c). */
/* GCC's tile intrinsics are asm statements without memory operands: the barriers make the
 * packed A and B visible to the tile loads and the stored C visible to the epilogue. The previous
 * tile's epilogue (prev, if any) runs here, one row per k block: the vector unit converts and
 * writes while the tile unit multiplies, instead of the tile unit idling through it between
 * calls. */
TGT_AMX static inline __attribute__((always_inline)) void
ukr_body(int64_t nkb, a_tiles A, const char *B, float *C, const char *pf, int npf, int64_t pf_lines,
         bool stream, bool split, const out_tile *prev) {
  int prev_rows = prev ? (nkb < prev->mr ? (int)nkb : prev->mr) : 0;
  char spare[1024] __attribute__((aligned(64)));
  int64_t bstep = split ? 4096 : 2048;
  __asm__ volatile("" ::: "memory");
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (int64_t kb = 0; kb < nkb; kb++) {
    const char *a = A.p + kb * A.kstep, *b = B + kb * bstep;
    for (int l = 0; l < npf && pf_lines > 0; l++, pf_lines--, pf += 64)
      _mm_prefetch(pf, _MM_HINT_T1);
    LOAD_TILE(stream, 4, a, A.stride);
    LOAD_TILE(stream, 6, b, 128);
    LOAD_TILE(stream, 7, b + 64, 128);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    LOAD_TILE(stream, 5, a + 16 * A.stride, A.stride);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
    if (split) {
      LOAD_TILE(stream, 6, b + 2048, 128);
      LOAD_TILE(stream, 7, b + 2048 + 64, 128);
      _tile_dpbf16ps(0, 4, 6);
      _tile_dpbf16ps(1, 4, 7);
      _tile_dpbf16ps(2, 5, 6);
      _tile_dpbf16ps(3, 5, 7);
      LOAD_TILE(stream, 4, a + 2048, 64);
      LOAD_TILE(stream, 5, a + 3072, 64);
      _tile_dpbf16ps(0, 4, 6);
      _tile_dpbf16ps(1, 4, 7);
      _tile_dpbf16ps(2, 5, 6);
      _tile_dpbf16ps(3, 5, 7);
      LOAD_TILE(stream, 6, b, 128);
      LOAD_TILE(stream, 7, b + 64, 128);
      _tile_dpbf16ps(0, 4, 6);
      _tile_dpbf16ps(1, 4, 7);
      _tile_dpbf16ps(2, 5, 6);
      _tile_dpbf16ps(3, 5, 7);
    }
    if ((kb & 7) == 7) _tile_stored(4, spare, 64);
    if (kb < prev_rows) write_rows(prev, (int)kb, (int)kb + 1);
  }
  if (prev && prev_rows < prev->mr) write_rows(prev, prev_rows, prev->mr);
  _tile_stored(0, C, 128);
  _tile_stored(1, C + 16, 128);
  _tile_stored(2, C + 16 * 32, 128);
  _tile_stored(3, C + 16 * 32 + 16, 128);
  __asm__ volatile("" ::: "memory");
}

TGT_AMX static void ukr_amx(int64_t nkb, a_tiles A, const char *B, float *C, const char *pf,
                            int npf, int64_t pf_lines, bool stream, const out_tile *prev) {
  ukr_body(nkb, A, B, C, pf, npf, pf_lines, stream, false, prev);
}

TGT_AMX static void ukr_amx_split(int64_t nkb, a_tiles A, const char *B, float *C, const char *pf,
                                  int npf, int64_t pf_lines, bool stream, const out_tile *prev) {
  ukr_body(nkb, A, B, C, pf, npf, pf_lines, stream, true, prev);
}

TGT_AMX static void release_tiles(void) { _tile_release(); }

/* d = the 32 x 32 float32 tile t transposed (both row stride 32) */
TGT_AMX static void transpose32(const float *t, float *d) {
#if MX_TILE16_VEC
  for (int bi = 0; bi < 2; bi++)
    for (int bj = 0; bj < 2; bj++) {
      v16f r[16];
      for (int i = 0; i < 16; i++) r[i] = V16_LD(t + (16 * bi + i) * SUB + 16 * bj);
      transpose16(r);
      for (int i = 0; i < 16; i++) V16_ST(d + (16 * bj + i) * SUB + 16 * bi, r[i]);
    }
#else
  for (int i = 0; i < SUB; i++)
    for (int j = 0; j < SUB; j++) d[j * SUB + i] = t[i * SUB + j];
#endif
}

/* ------------------------------------------------------------------ driver */

typedef struct {
  const mx_gemm_args *g;   /* the product computed: out's, or its transpose (transposed) */
  const mx_gemm_args *out; /* the caller's product, which the epilogue writes */
  bool transposed;         /* g is out transposed: each tile is transposed before the epilogue */
  bool split;              /* float16 operands, packed as bfloat16 hi + lo (gemm_amx_split.c) */
  atomic_bool nonfinite;   /* split: a packer met an infinity or NaN */
  const char *a_inplace;   /* g's A, row-major: its full sub-blocks are read where they are */
  int64_t nkb;             /* k blocks of KB */
  size_t a_step;           /* bytes of packed A per sub-block and k block (A_STEP, twice split) */
  size_t a_sub, b_panel; /* bytes of one packed A sub-block (SUB rows) and one B panel */
  char *apack, *bpack;   /* every packed sub-block (one slot with a_inplace), every panel */
  int64_t nsub, npanels; /* how many */
  int64_t nruns;         /* packing runs of up to PACK_PANELS B panels */
  int64_t panels;        /* B panels per group */
  int64_t ngroups;       /* groups of `panels` B panels */
  int64_t chunk_subs;    /* A sub-blocks per work unit */
  int64_t nchunks;       /* row chunks (of chunk_subs sub-blocks) */
  bool stream_tiles;     /* operand tiles loaded past L1 (LOAD_TILE) */
  bool stream_out;       /* output rows written with non-temporal stores */
} amx_ctx;

/* Packing units: runs of up to PACK_PANELS B panels (a row-major B is read a whole run's width at
 * a time), then A sub-blocks. The runs, each as large as PACK_PANELS sub-blocks, come first so
 * that the threads end together: with them last, 2048^3 packed in 0.79-0.82 ms instead of
 * 0.72-0.74 (BF16_ONLY=1 bench/gemm_bf16.c, the pack phase timed alone in a temporary build). */
static void pack_units(void *ctx, int64_t u0, int64_t u1) {
  amx_ctx *x = ctx;
  const mx_gemm_args *g = x->g;
  for (int64_t u = u0; u < u1; u++) {
    if (u >= x->nruns) {
      int64_t s = u - x->nruns, i0 = s * SUB;
      if (x->a_inplace && i0 + SUB <= g->M) continue;
      const uint16_t *src = (const uint16_t *)g->a.ptr + i0 * g->a.rs;
      int64_t rows = g->M - i0 < SUB ? g->M - i0 : SUB;
      uint16_t *dst = (uint16_t *)(x->apack + (x->a_inplace ? 0 : (size_t)s * x->a_sub));
      if (x->split) {
        if (!mx_gemm_pack_f16_split_a(src, g->a.rs, g->a.cs, rows, g->K, x->nkb, dst))
          atomic_store(&x->nonfinite, true);
      } else {
        mx_gemm_pack_bf16_a_tiles(src, g->a.rs, g->a.cs, rows, g->K, x->nkb, dst);
      }
      continue;
    }
    int64_t q0 = u * PACK_PANELS;
    int n = (int)(x->npanels - q0 < PACK_PANELS ? x->npanels - q0 : PACK_PANELS);
    char *dst = x->bpack + (size_t)q0 * x->b_panel;
    if (x->split) {
      if (!mx_gemm_pack_f16_split_b((const uint16_t *)g->b.ptr + q0 * 32 * g->b.cs, g->b.cs,
                                    g->b.rs, g->N - q0 * 32, g->K, x->nkb, n,
                                    (int64_t)(x->b_panel / 4), (uint32_t *)dst))
        atomic_store(&x->nonfinite, true);
      continue;
    }
    mx_gemm_pack_bf16_pair_panels((const uint16_t *)g->b.ptr + q0 * 32 * g->b.cs, g->b.cs, g->b.rs,
                                  g->N - q0 * 32, g->K, n, (int64_t)(x->b_panel / 4),
                                  (uint32_t *)dst);
    size_t packed = (size_t)((g->K + 1) / 2) * 128; /* zero the pairs up to nkb * 16 */
    for (int q = 0; q < n; q++) memset(dst + q * x->b_panel + packed, 0, x->b_panel - packed);
  }
}

/* Sub-block s of g's A: in place when it can be, else packed (with a_inplace, only a last partial
 * sub-block is, in the packed buffer's one slot). */
static a_tiles sub_block(const amx_ctx *x, int64_t s) {
  if (x->a_inplace && (s + 1) * SUB <= x->g->M) {
    int64_t row = x->g->a.rs * 2;
    return (a_tiles){x->a_inplace + s * SUB * row, 64, row};
  }
  return (a_tiles){x->apack + (x->a_inplace ? 0 : (size_t)s * x->a_sub), (int64_t)x->a_step, 64};
}

/* The tile for g's rows i0.. (mr) and columns j0.. (nr), as rows of out (transposed into
 * scratch, 32 x 32 floats, when g is out transposed). */
static out_tile finished(const amx_ctx *x, float *tile, float *scratch, int64_t i0, int64_t j0,
                         int mr, int nr) {
  if (!x->transposed) return (out_tile){x->out, tile, i0, j0, mr, nr, x->stream_out};
  transpose32(tile, scratch);
  return (out_tile){x->out, scratch, j0, i0, nr, mr, x->stream_out};
}

/* Work units: (group of B panels) x (chunk of A sub-blocks), group major, so that a thread's
 * consecutive units share their B group. The group (about GROUP_BYTES) stays in L2 while the
 * unit's A sub-blocks stream through: each sub-block runs every panel of the group, whole K per
 * microkernel call, and prefetches the next sub-block into L2 meanwhile (the tile loads stall on
 * anything beyond L2: bench/amx_tiles.c runs the tile step at about 70% of its in-L1 rate with
 * both operands in L2, at 15-35% beyond it). */
static void compute_units(void *ctx, int64_t u0, int64_t u1) {
  amx_ctx *x = ctx;
  const mx_gemm_args *g = x->g;
  /* two of each: the tile being computed and the one being written out */
  float tile[2][SUB * SUB] __attribute__((aligned(64))),
      scratch[2][SUB * SUB] __attribute__((aligned(64)));
  out_tile prev;
  int64_t calls = 0;
  load_config();
  for (int64_t u = u0; u < u1; u++) {
    int64_t grp = u / x->nchunks, chunk = u % x->nchunks;
    int64_t q0 = grp * x->panels, q1 = q0 + x->panels < x->npanels ? q0 + x->panels : x->npanels;
    int64_t s0 = chunk * x->chunk_subs;
    int64_t s1 = s0 + x->chunk_subs < x->nsub ? s0 + x->chunk_subs : x->nsub;
    /* lines of the next sub-block to prefetch per k block, spread over the group's calls */
    int64_t lines = (int64_t)(x->a_sub / 64), steps = (q1 - q0) * x->nkb;
    int npf = (int)((lines + steps - 1) / steps);
    for (int64_t s = s0; s < s1; s++) {
      a_tiles ap = sub_block(x, s);
      /* a packed next sub-block is prefetched; rows read in place stream in order (32 rows, each
       * read forward), which the hardware prefetchers follow */
      a_tiles nx = s + 1 < s1 ? sub_block(x, s + 1) : ap;
      const char *next = s + 1 < s1 && nx.kstep == (int64_t)x->a_step ? nx.p : NULL;
      int64_t i0 = s * SUB;
      int mr = (int)(g->M - i0 < SUB ? g->M - i0 : SUB);
      for (int64_t q = q0; q < q1; q++) {
        int64_t j0 = q * 32, done = (q - q0) * x->nkb * npf; /* lines already prefetched */
        int64_t n = next && done < lines ? lines - done : 0;
        float *t = tile[calls & 1];
        (x->split ? ukr_amx_split : ukr_amx)(x->nkb, ap, x->bpack + (size_t)q * x->b_panel, t,
                                             n ? next + done * 64 : ap.p, npf, n, x->stream_tiles,
                                             calls ? &prev : NULL);
        prev =
            finished(x, t, scratch[calls & 1], i0, j0, mr, (int)(g->N - j0 < 32 ? g->N - j0 : 32));
        calls++;
      }
    }
  }
  if (calls) write_rows(&prev, 0, prev.mr);
  release_tiles();
  if (x->stream_out) _mm_sfence(); /* the non-temporal stores, before the pool's join */
}

/* x @ W.T with W row-major (a linear layer): B's columns are W's rows, which the B packing
 * would transpose pair by pair, a whole pass over W. Computing out.T = W @ x.T instead puts W in
 * A's place, where its rows are tiles as they are (read in place, no packing), and packs x.T,
 * the smaller operand, as B; each tile is transposed back in the epilogue. BF16_ONLY=1
 * bench/gemm_bf16.c, M x 4096 x N t, ms, before -> after: 16 x 4096 1.7 -> 0.70 at 8 rows, 5.2
 * -> 0.70 at 16, 2.7 -> 1.16 at 64, 6.4 -> 4.2-4.5 at 256, 19.0 -> 15.6-16.2 at 1024; 31 rows x
 * 11008: 20.2-20.8 -> 2.0. Square products (A row-major, B row-major) are unchanged. */
bool mx_gemm_amx_transposes(const mx_gemm_args *g) {
  return g->b.rs == 1 && g->b.cs >= g->K && g->a.cs == 1 && g->K % KB == 0 && g->M <= g->N;
}

int mx_gemm_amx(const char *op, const mx_gemm_args *out) {
  amx_ctx x;
  memset(&x, 0, sizeof x);
  x.out = x.g = out;
  x.split = out->dt == MX_FLOAT16;
  mx_gemm_args swapped;
  const mx_gemm_args *g = out;
  if (mx_gemm_amx_transposes(out)) {
    swapped = *out;
    swapped.M = out->N;
    swapped.N = out->M;
    swapped.a = (mx_gemm_view){out->b.ptr, out->b.cs, 1};
    swapped.b = (mx_gemm_view){out->a.ptr, 1, out->a.rs};
    g = x.g = &swapped;
    x.transposed = true;
    if (!x.split) x.a_inplace = out->b.ptr;
  }
  x.nkb = (g->K + KB - 1) / KB;
  x.a_step = x.split ? 2 * A_STEP : A_STEP;
  x.a_sub = (size_t)x.nkb * x.a_step;
  x.b_panel = (size_t)x.nkb * 16 * 128 * (x.split ? 2 : 1);
  x.nsub = (g->M + SUB - 1) / SUB;
  x.npanels = (g->N + 31) / 32;
  x.nruns = (x.npanels + PACK_PANELS - 1) / PACK_PANELS;
  bool serial = g->max_threads == 1;
  x.stream_tiles = x.nkb >= STREAM_MIN_KB;
  /* Non-temporal stores of whole 64-byte output rows: an output this large leaves the caches
   * before it is read again, and plain stores would read every line first. With the streamed
   * tile loads, BF16_ONLY=1 bench/gemm_bf16.c against the build before both, three alternations:
   * 2048^3 7.73-7.97 -> 6.60-7.16 ms, 4096^3 69.2-74.7 -> 64.5-69.0, 1024^3 1.16-1.21 ->
   * 1.12-1.15; 2048x256 1.16-1.23 -> 0.99-1.11 (the output stream alone). */
  x.stream_out = (double)g->M * (double)g->N * 2 >= STREAM_OUT_BYTES &&
                 (uintptr_t)out->out % 64 == 0 && out->ldo % 32 == 0;
  /* B groups of about GROUP_BYTES; then row chunks until there are about four units per thread */
  x.panels = (int64_t)(GROUP_BYTES / x.b_panel);
  if (x.panels < 1) x.panels = 1;
  if (x.panels > x.npanels) x.panels = x.npanels;
  x.ngroups = (x.npanels + x.panels - 1) / x.panels;
  int64_t want = serial ? 1 : 4 * (int64_t)mx_ew_num_threads();
  x.nchunks = (want + x.ngroups - 1) / x.ngroups;
  if (x.nchunks > x.nsub) x.nchunks = x.nsub;
  x.chunk_subs = (x.nsub + x.nchunks - 1) / x.nchunks;
  x.nchunks = (x.nsub + x.chunk_subs - 1) / x.chunk_subs;
  int64_t units = x.ngroups * x.nchunks;
  mx_buffer *abuf = mx_buffer_alloc((x.a_inplace ? 1 : (size_t)x.nsub) * x.a_sub);
  mx_buffer *bbuf = abuf ? mx_buffer_alloc((size_t)x.npanels * x.b_panel) : NULL;
  if (!bbuf) {
    if (abuf) mx_buffer_release(abuf);
    return mx_error("[%s] Out of memory packing matrix operands.", op);
  }
  x.apack = abuf->ptr;
  x.bpack = bbuf->ptr;
  if (serial)
    pack_units(&x, 0, x.nsub + x.nruns);
  else
    mx_ew_parallel_for(x.nsub + x.nruns, 1, pack_units, &x);
  bool declined = atomic_load(&x.nonfinite);
  if (!declined) {
    if (serial)
      compute_units(&x, 0, units);
    else
      mx_ew_parallel_for(units, 1, compute_units, &x);
  }
  mx_buffer_release(abuf);
  mx_buffer_release(bbuf);
  return declined ? MX_GEMM_DECLINED : 0;
}
