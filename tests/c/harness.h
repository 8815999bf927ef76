/* A minimal test harness: each test file defines run_tests(); checks record failures and go on.
 * main (harness.c) prints "N passed, M failed" and exits non-zero on any failure. */
#ifndef MLXC_TEST_HARNESS_H
#define MLXC_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>

void run_tests(void);
void harness_record(int ok, const char *expr, const char *file, int line);

#define CHECK(cond) harness_record(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_OK(expr) harness_record((expr) == 0, #expr " == 0", __FILE__, __LINE__)
#define CHECK_FAIL(expr) harness_record((expr) != 0, #expr " != 0", __FILE__, __LINE__)
#define CHECK_NEAR(a, b, tol)                                                                      \
  harness_record(fabs((double)(a) - (double)(b)) <= (tol), #a " ~= " #b, __FILE__, __LINE__)

#endif
