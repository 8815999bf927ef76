#include "backend/cpu/blas_threads.h"

#include <stdatomic.h>

int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);

static atomic_int single_users, default_threads;

void mx_blas_single_begin(void) {
  if (atomic_fetch_add(&single_users, 1) == 0) {
    int t = openblas_get_num_threads();
    if (t > 1) atomic_store(&default_threads, t);
    openblas_set_num_threads(1);
  }
}

void mx_blas_single_end(void) {
  if (atomic_fetch_sub(&single_users, 1) == 1) {
    int t = atomic_load(&default_threads);
    if (t > 1) openblas_set_num_threads(t);
  }
}
