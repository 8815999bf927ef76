/* First touch of a fresh 400 MB buffer with 4 KiB pages and with transparent huge pages
 * (madvise(MADV_HUGEPAGE), as src/core/allocator.c asks for blocks of 4 MiB and more), then a
 * second pass over the same pages:
 *   cc -O2 bench/first_touch.c -o first_touch && ./first_touch */
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

int main(void) {
  const size_t n = (size_t)400 << 20;
  for (int huge = 0; huge < 2; huge++) {
    void *p = NULL;
    if (posix_memalign(&p, (size_t)2 << 20, n) != 0) return 1;
    if (huge) madvise(p, n, MADV_HUGEPAGE);
    double t0 = now();
    memset(p, 1, n);
    double t1 = now();
    memset(p, 2, n);
    double t2 = now();
    printf("%-22s first touch %7.1f ms, second pass %6.1f ms\n",
           huge ? "transparent huge pages" : "4 KiB pages", (t1 - t0) * 1e3, (t2 - t1) * 1e3);
    free(p);
  }
  return 0;
}
