/* A small pool of worker threads for splitting large elementwise loops.
 *
 * Created once, on first use: one worker per extra online CPU (at most 7; MLXC_CPU_THREADS
 * overrides the total). One job at a time: a caller that finds the pool busy (another stream
 * is using it) runs its loop inline instead of waiting. A job is `nchunks` contiguous ranges
 * claimed through an atomic counter by the workers and the caller; the caller returns when every
 * worker has finished with the job (so all chunks are done and nobody still holds its context).
 * After fork() the child starts without workers (they do not survive fork) and builds a fresh pool
 * on its first large loop. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "backend/cpu/elementwise.h"

#define MAX_THREADS 8

static struct {
  pthread_mutex_t lock; /* guards everything below except `next` and `busy` */
  pthread_cond_t work;  /* workers wait for a new generation */
  pthread_cond_t done;  /* the caller waits for `active` to reach 0 */
  atomic_bool busy;     /* a caller owns the pool */
  int nworkers;
  unsigned long gen;
  mx_ew_task fn;
  void *ctx;
  int64_t n, chunk;
  int nchunks;
  atomic_int next;
  int active; /* workers that have not finished the current job */
} P = {.lock = PTHREAD_MUTEX_INITIALIZER,
       .work = PTHREAD_COND_INITIALIZER,
       .done = PTHREAD_COND_INITIALIZER};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int state; /* 0: not started, 1: started (nworkers may be 0) */
static bool atfork_set;

static void run_chunks(mx_ew_task fn, void *ctx, int64_t n, int64_t chunk, int nchunks) {
  for (;;) {
    int c = atomic_fetch_add(&P.next, 1);
    if (c >= nchunks) break;
    int64_t b = (int64_t)c * chunk, e = b + chunk < n ? b + chunk : n;
    fn(ctx, b, e);
  }
}

static void *worker(void *arg) {
  (void)arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&P.lock);
  for (;;) {
    while (P.gen == seen) pthread_cond_wait(&P.work, &P.lock);
    seen = P.gen;
    mx_ew_task fn = P.fn;
    void *ctx = P.ctx;
    int64_t n = P.n, chunk = P.chunk;
    int nchunks = P.nchunks;
    pthread_mutex_unlock(&P.lock);
    run_chunks(fn, ctx, n, chunk, nchunks);
    pthread_mutex_lock(&P.lock);
    /* every worker checks out of every job, so no one can still be claiming chunks of this job
     * (with its ctx) once the next one starts */
    if (--P.active == 0) pthread_cond_broadcast(&P.done);
  }
  return NULL;
}

static void child_after_fork(void) {
  pthread_mutex_init(&P.lock, NULL);
  pthread_cond_init(&P.work, NULL);
  pthread_cond_init(&P.done, NULL);
  pthread_mutex_init(&init_lock, NULL);
  P.nworkers = 0;
  P.gen = 0;
  atomic_store(&P.busy, false);
  atomic_store(&state, 0);
}

static int wanted_threads(void) {
  const char *env = getenv("MLXC_CPU_THREADS");
  long n = env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  if (n > MAX_THREADS) n = MAX_THREADS;
  return (int)n;
}

static void start_pool(void) {
  pthread_mutex_lock(&init_lock);
  if (atomic_load(&state) == 0) {
    if (!atfork_set) {
      pthread_atfork(NULL, NULL, child_after_fork);
      atfork_set = true;
    }
    int want = wanted_threads() - 1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int made = 0;
    for (int i = 0; i < want; i++) {
      pthread_t t;
      if (pthread_create(&t, &attr, worker, NULL) != 0) break;
      made++;
    }
    pthread_attr_destroy(&attr);
    pthread_mutex_lock(&P.lock);
    P.nworkers = made;
    pthread_mutex_unlock(&P.lock);
    atomic_store(&state, 1);
  }
  pthread_mutex_unlock(&init_lock);
}

void mx_ew_parallel_for(int64_t n, int64_t grain, mx_ew_task fn, void *ctx) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  if (n < 2 * grain) {
    fn(ctx, 0, n);
    return;
  }
  if (atomic_load(&state) == 0) start_pool();
  bool expected = false;
  if (P.nworkers == 0 || !atomic_compare_exchange_strong(&P.busy, &expected, true)) {
    fn(ctx, 0, n);
    return;
  }
  int threads = P.nworkers + 1;
  int64_t nchunks = n / grain;
  if (nchunks > threads) nchunks = threads;
  /* chunk boundaries on multiples of 64 elements keep cache lines (and 16-bit/bool outputs)
   * owned by one thread */
  int64_t chunk = (n + nchunks - 1) / nchunks;
  chunk = (chunk + 63) & ~(int64_t)63;
  nchunks = (n + chunk - 1) / chunk;
  pthread_mutex_lock(&P.lock);
  P.fn = fn;
  P.ctx = ctx;
  P.n = n;
  P.chunk = chunk;
  P.nchunks = (int)nchunks;
  P.active = P.nworkers;
  atomic_store(&P.next, 0);
  P.gen++;
  pthread_cond_broadcast(&P.work);
  pthread_mutex_unlock(&P.lock);
  run_chunks(fn, ctx, n, chunk, (int)nchunks);
  pthread_mutex_lock(&P.lock);
  while (P.active > 0) pthread_cond_wait(&P.done, &P.lock);
  pthread_mutex_unlock(&P.lock);
  atomic_store(&P.busy, false);
}
