/* OpenBLAS's thread count while our own worker threads call it. Its threads cost more than they
 * save when several of ours call BLAS/LAPACK at once or the matrices are small (measured on 2
 * busy cores: a 256 x 256 getrf 20x slower, tiled sgemm from every worker 20x slower), so such
 * kernels bracket their calls with begin/end: OpenBLAS runs single-threaded while any bracket is
 * open, and the last one to close restores the default. */
#ifndef MX_BACKEND_CPU_BLAS_THREADS_H
#define MX_BACKEND_CPU_BLAS_THREADS_H

void mx_blas_single_begin(void);
void mx_blas_single_end(void);

#endif
