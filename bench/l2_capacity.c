/* How much of one core's L2 a working set can use before it spills: read bandwidth of one core
 * re-reading a buffer of 512 KB to 2.5 MB (64-byte loads, best of 20 passes of 4 reads each),
 * with and without transparent huge pages. On a 2 MB L2 the bandwidth should hold to near 2 MB;
 * on a VM whose guest pages land on scattered host pages it falls earlier, which bounds the B
 * group the AMX kernel keeps in L2 (src/backend/cpu/gemm_amx.c, GROUP_BYTES).
 *
 *   cc -O2 -march=native bench/l2_capacity.c -o /tmp/l2_capacity && /tmp/l2_capacity
 *
 * Needs AVX-512F. Prints "KB GB/s" per size, first with 4 KB pages, then with huge pages asked
 * for (the AnonHugePages line says whether the kernel gave them). */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* sum of every 64-byte line of p[0 .. n), four times over */
static __m512i read_lines(const char *p, size_t n) {
  __m512i acc = _mm512_setzero_si512();
  for (int rep = 0; rep < 4; rep++)
    for (size_t i = 0; i < n; i += 64)
      acc = _mm512_add_epi32(acc, _mm512_load_si512((const void *)(p + i)));
  return acc;
}

static void huge_pages_line(void) {
  char line[256];
  FILE *f = fopen("/proc/self/smaps_rollup", "r");
  if (!f) return;
  while (fgets(line, sizeof line, f))
    if (strstr(line, "AnonHugePages")) fputs(line, stdout);
  fclose(f);
}

int main(void) {
  const size_t cap = 4 << 20;
  for (int huge = 0; huge < 2; huge++) {
    char *p = aligned_alloc(2 << 20, cap);
    if (!p) return 1;
    if (huge) madvise(p, cap, MADV_HUGEPAGE);
    memset(p, 1, cap);
    printf(huge ? "huge pages asked for\n" : "4 KB pages\n");
    huge_pages_line();
    for (size_t kb = 512; kb <= 2560; kb += 256) {
      size_t n = kb << 10;
      double best = 1e9;
      __m512i acc = _mm512_setzero_si512();
      for (int r = 0; r < 20; r++) {
        double t0 = now();
        acc = _mm512_xor_si512(acc, read_lines(p, n));
        double t = now() - t0;
        if (t < best) best = t;
      }
      /* the checksum keeps the loads; it is 0 or 1 */
      printf("%4zu KB %6.1f GB/s %d\n", kb, 4.0 * (double)n / best * 1e-9,
             _mm_cvtsi128_si32(_mm512_castsi512_si128(acc)) & 1);
    }
    free(p);
  }
  return 0;
}
