/* The AMX tile kernel's rate on one core, by where its operands come from: the bare TDPBF16PS
 * stream (no loads), then gemm_amx.c's 2 x 2 tile step (four 16 x 16 float32 accumulators, two
 * A and two B tiles loaded per k block) walking packed A and B of `kb` KB each, so that both
 * stay in L1 (16), L2 (256) or neither (2048). GFLOP/s, best of three, with plain tile loads and
 * with TILELOADDT1. Last, the step in L1 with the accumulators stored and zeroed every 64 and every
 * 512 k blocks, as the product does once per 32 x 32 block of C (every 64 k blocks at K = 2048);
 * then again with an A tile also stored every 8 k blocks (a store the tile step does not wait on):
 * with it the accumulators' store costs about 50 cycles instead of 750, a stall that comes from
 * stores being rare, not from the store itself. (In the product, whose operands come from L2, it
 * changed nothing: bench/gemm_bf16.c, 2026-11-27.)
 *
 *   cc -O2 bench/amx_tiles.c -o /tmp/amx_tiles && /tmp/amx_tiles [kb ...]
 *
 * Needs AMX-TILE and AMX-BF16 (Sapphire Rapids or later) and Linux's permission for the tile
 * state (asked here). The values multiplied are arbitrary: the rate does not depend on them. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TGT __attribute__((target("amx-tile,amx-bf16"), noinline))

typedef struct {
  uint8_t palette, start_row, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
} tile_config;

static const tile_config config = {
    .palette = 1,
    .colsb = {64, 64, 64, 64, 64, 64, 64, 64},
    .rows = {16, 16, 16, 16, 16, 16, 16, 16},
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

TGT static void start(void) {
  _tile_loadconfig(&config);
}

/* steps k blocks of four TDPBF16PS on the same tiles */
TGT static void bare(long steps) {
  for (long k = 0; k < steps; k++) {
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
}

/* gemm_amx.c's k loop: A two 16 x 64-byte tiles per k block (stride 64), B one 16 x 128-byte
 * pair row block (tiles at +0 and +64, stride 128); LOAD is the tile load: step2x2 plain,
 * step2x2_t1 TILELOADDT1 (gemm_amx.c's LOAD_TILE from 12 k blocks up), which does not keep the
 * lines in L1 */
#define STEP2X2(name, LOAD)                                                                        \
  TGT static void name(const char *A, const char *B, long steps) {                                 \
    for (long k = 0; k < steps; k++) {                                                             \
      const char *a = A + k * 2048, *b = B + k * 2048;                                             \
      LOAD(4, a, 64);                                                                              \
      LOAD(6, b, 128);                                                                             \
      LOAD(7, b + 64, 128);                                                                        \
      _tile_dpbf16ps(0, 4, 6);                                                                     \
      _tile_dpbf16ps(1, 4, 7);                                                                     \
      LOAD(5, a + 1024, 64);                                                                       \
      _tile_dpbf16ps(2, 5, 6);                                                                     \
      _tile_dpbf16ps(3, 5, 7);                                                                     \
    }                                                                                              \
  }
STEP2X2(step2x2, _tile_loadd)
STEP2X2(step2x2_t1, _tile_stream_loadd)

/* step2x2 over operands of 16 KB (in L1), storing and zeroing C every `every` k blocks; with
 * keep, storing an A tile every 8 k blocks too */
TGT static void step2x2_stores(const char *A, const char *B, long steps, long every, int keep) {
  static float C[1024] __attribute__((aligned(64)));
  static char spare[1024] __attribute__((aligned(64)));
  for (long k0 = 0; k0 < steps; k0 += every) {
    for (long k = 0; k < every; k += 8) {
      step2x2(A, B, 8);
      if (keep) _tile_stored(4, spare, 64);
    }
    _tile_stored(0, C, 128);
    _tile_stored(1, C + 16, 128);
    _tile_stored(2, C + 512, 128);
    _tile_stored(3, C + 528, 128);
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
  }
}

TGT static void finish(void) {
  _tile_release();
}

static double rate(long kb, const char *A, const char *B, int stream) {
  long steps = kb > 0 ? kb * 1024 / 2048 : 1024, reps = 400000 / steps;
  double best = 0;
  for (int t = 0; t < 3; t++) {
    double t0 = now();
    for (long r = 0; r < reps; r++)
      kb == 0 ? bare(steps) : stream ? step2x2_t1(A, B, steps) : step2x2(A, B, steps);
    double g = (double)reps * (double)steps * 4 * 16384 / (now() - t0) / 1e9;
    if (g > best) best = g;
  }
  return best;
}

int main(int argc, char **argv) {
  if (!__builtin_cpu_supports("amx-bf16") ||
      syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XTILEDATA */) != 0) {
    fprintf(stderr, "no AMX-BF16 here, or no permission for the tile state\n");
    return 1;
  }
  long sizes[16] = {16, 256, 2048};
  int n = 3;
  if (argc > 1)
    for (n = 0; n < argc - 1 && n < 16; n++) sizes[n] = atol(argv[n + 1]);
  start();
  printf("bare TDPBF16PS stream: %.0f GFLOP/s\n", rate(0, NULL, NULL, 0));
  for (int i = 0; i < n; i++) {
    size_t bytes = (size_t)(sizes[i] < 2 ? 2 : sizes[i]) * 1024;
    char *A = aligned_alloc(64, bytes), *B = aligned_alloc(64, bytes);
    if (!A || !B) return 1;
    for (size_t j = 0; j < bytes; j += 2) {
      *(uint16_t *)(A + j) = (uint16_t)(0x3f80 + (rand() & 0x7f));
      *(uint16_t *)(B + j) = (uint16_t)(0x3f00 + (rand() & 0xff));
    }
    long kb = (long)(bytes / 1024);
    printf("2 x 2 tile step, A and B %ld KB each: %.0f GFLOP/s, with TILELOADDT1 %.0f\n", kb,
           rate(kb, A, B, 0), rate(kb, A, B, 1));
    free(A);
    free(B);
  }
  char *A = aligned_alloc(64, 16384), *B = aligned_alloc(64, 16384);
  if (!A || !B) return 1;
  for (size_t j = 0; j < 16384; j += 2) {
    *(uint16_t *)(A + j) = (uint16_t)(0x3f80 + (rand() & 0x7f));
    *(uint16_t *)(B + j) = (uint16_t)(0x3f00 + (rand() & 0xff));
  }
  for (int keep = 0; keep < 2; keep++)
    for (long every = 64; every <= 512; every *= 8) {
      double best = 0;
      for (int t = 0; t < 3; t++) {
        double t0 = now();
        step2x2_stores(A, B, 409600, every, keep);
        double g = 409600.0 * 4 * 16384 / (now() - t0) / 1e9;
        if (g > best) best = g;
      }
      printf("2 x 2 tile step, 16 KB each, C stored every %ld k blocks%s: %.0f GFLOP/s\n", every,
             keep ? ", an A tile every 8" : "", best);
    }
  free(A);
  free(B);
  finish();
  return 0;
}
