#include "harness.h"

#include <stdlib.h>

static int passed, failed;

void harness_record(int ok, const char *expr, const char *file, int line) {
  if (ok) {
    passed++;
  } else {
    failed++;
    fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
  }
}

int main(void) {
  run_tests();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
