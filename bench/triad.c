/* STREAM-style triad, the memory bandwidth reference of bench/ops.py: a[i] = b[i] + s * c[i] over
 * float32, the range split in contiguous parts over `threads` threads (the caller runs one).
 * Plain stores, as STREAM compiled with -O3: the bytes counted are 12 per element (two reads, one
 * write), like the bytes counted for the elementwise ops. scripts/bench.sh builds it with
 *   cc -O3 -march=native -shared -fPIC -pthread bench/triad.c -o triad.so */
#include <pthread.h>
#include <stdint.h>

typedef struct {
  float *a;
  const float *b, *c;
  float s;
  int64_t begin, end;
} part;

static void *run(void *p_) {
  part *p = (part *)p_;
  float *restrict a = p->a;
  const float *restrict b = p->b, *restrict c = p->c;
  const float s = p->s;
  for (int64_t i = p->begin; i < p->end; i++) a[i] = b[i] + s * c[i];
  return 0;
}

void triad(float *a, const float *b, const float *c, float s, int64_t n, int threads) {
  enum { MAXT = 64 };
  if (threads < 1) threads = 1;
  if (threads > MAXT) threads = MAXT;
  part parts[MAXT];
  pthread_t tid[MAXT];
  int64_t chunk = (n + threads - 1) / threads;
  chunk = (chunk + 15) & ~(int64_t)15; /* whole cache lines per thread */
  for (int t = 0; t < threads; t++) {
    int64_t b0 = t * chunk, e0 = b0 + chunk < n ? b0 + chunk : n;
    parts[t] = (part){a, b, c, s, b0 < n ? b0 : n, e0};
  }
  int started = 0;
  for (int t = 1; t < threads; t++, started++)
    if (pthread_create(&tid[t], 0, run, &parts[t]) != 0) break;
  run(&parts[0]);
  for (int t = started + 1; t < threads; t++) run(&parts[t]); /* threads that did not start */
  for (int t = 1; t <= started; t++) pthread_join(tid[t], 0);
}
