/* A small pool of worker threads for splitting large elementwise loops.
 *
 * Created once, on first use: one worker per extra online CPU (at most 7; MLXC_CPU_THREADS
 * overrides the total). One job at a time: a caller that finds the pool busy (another stream
 * is using it) runs its loop inline instead of waiting. A job is `nchunks` contiguous ranges
 * claimed through an atomic counter by the workers and the caller (several per thread for large
 * loops, so the work balances when threads run at different speeds). A worker joins a job only
 * while it is open; once the caller has run out of chunks it closes the job and waits for the
 * workers that joined (so all chunks are done and nobody still holds its context), not for
 * workers that have not woken up yet: on a loaded machine a sleeping worker may take a whole
 * scheduler tick to run, and the caller does its share of the work meanwhile.
 * A worker that finishes a job polls for the next one until SPIN_NS after the job closed before
 * it sleeps, and a caller out of chunks polls for up to SPIN_NS for the workers to check out
 * (bench/cold_turns.py: waking either of them cost a matrix-vector product its second core).
 * Waking sleeping workers, the caller first keeps them off its own CPU (steer_workers): Linux
 * wakes a thread on the waker's CPU when it takes the other CPUs for busy, which a virtual
 * machine's halted vCPUs can look like, and the worker then shares the caller's CPU until the
 * load balancer moves it (bench/cold_matmul.c: 512^3 float32 after 0.3 s idle took 2.4-2.9 ms,
 * 1.5-1.9x the single-threaded time, for the first products).
 * After fork() the child starts without workers (they do not survive fork) and builds a fresh pool
 * on its first large loop. */
#define _GNU_SOURCE /* sched_getcpu, pthread_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EW_STREAM_X86 1
#else
#define EW_STREAM_X86 0
#endif

#include "backend/cpu/elementwise.h"

#define MAX_THREADS 64 /* (the pool takes every online CPU, or MLXC_CPU_THREADS, up to this) */
#define CHUNKS_PER_THREAD 8

static struct {
  pthread_mutex_t lock; /* guards everything below except `next` and `busy` */
  pthread_cond_t work;  /* workers wait for a new generation */
  pthread_cond_t done;  /* the caller waits for `joined` to reach 0 */
  atomic_bool busy;     /* a caller owns the pool */
  int nworkers;
  int sleeping;                   /* workers waiting on `work` */
  pthread_t threads[MAX_THREADS]; /* the workers */
  cpu_set_t allowed;              /* the CPUs the process may run on, when the pool started */
  bool steer;                     /* allowed has more than one CPU */
  unsigned long gen;
  mx_ew_task fn;
  void *ctx;
  int64_t n, chunk;
  int nchunks;
  atomic_int next;
  bool open;  /* workers may still join the current job */
  int joined; /* workers running the current job */
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

/* How long a worker polls for the next job before it sleeps: jobs come in quick succession while
 * a graph evaluates, and waking a sleeping thread costs a scheduler round trip (on a virtual
 * machine, whose idle vCPU the host may have descheduled, up to milliseconds). */
#define SPIN_NS 500000
/* Pools of at most this many workers steer them (one affinity call per worker and wake-up; the
 * stacking was seen on a 2-vCPU VM, not measured on large machines). */
#define STEER_MAX_WORKERS 7

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Polls (without the lock) until the generation moves past seen, or SPIN_NS after the job
 * closed (a worker done with its chunks keeps polling while the caller still runs its own). */
static void spin_for_job(unsigned long seen) {
  uint64_t start = now_ns();
  for (int i = 1; __atomic_load_n(&P.gen, __ATOMIC_ACQUIRE) == seen; i++) {
#if EW_STREAM_X86
    _mm_pause();
#endif
    if ((i & 255) == 0) {
      if (__atomic_load_n(&P.open, __ATOMIC_RELAXED))
        start = now_ns();
      else if (now_ns() - start > SPIN_NS)
        return;
    }
  }
}

/* The caller, out of chunks, polls (without the lock) for up to SPIN_NS until the workers that
 * joined have checked out, before it sleeps: waking a sleeping thread on this VM took 0.1-1 ms
 * (a 1 ms matrix-vector product whose halves ended apart then took 2-2.7 ms). */
static void spin_for_workers(void) {
  uint64_t start = now_ns();
  for (int i = 1; __atomic_load_n(&P.joined, __ATOMIC_ACQUIRE) > 0; i++) {
#if EW_STREAM_X86
    _mm_pause();
#endif
    if ((i & 255) == 0 && now_ns() - start > SPIN_NS) return;
  }
}

static void *worker(void *arg) {
  (void)arg;
  unsigned long seen = 0;
  pthread_mutex_lock(&P.lock);
  for (;;) {
    if (P.gen == seen) {
      pthread_mutex_unlock(&P.lock);
      spin_for_job(seen);
      pthread_mutex_lock(&P.lock);
    }
    P.sleeping++;
    while (P.gen == seen) pthread_cond_wait(&P.work, &P.lock);
    P.sleeping--;
    seen = P.gen;
    if (!P.open) continue; /* woke up too late: the caller has done the job */
    P.joined++;
    mx_ew_task fn = P.fn;
    void *ctx = P.ctx;
    int64_t n = P.n, chunk = P.chunk;
    int nchunks = P.nchunks;
    pthread_mutex_unlock(&P.lock);
    run_chunks(fn, ctx, n, chunk, nchunks);
    pthread_mutex_lock(&P.lock);
    /* every worker that joined checks out, so no one can still be claiming chunks of this job
     * (with its ctx) once the caller returns */
    if (__atomic_sub_fetch(&P.joined, 1, __ATOMIC_RELEASE) == 0) pthread_cond_broadcast(&P.done);
  }
  return NULL;
}

static void child_after_fork(void) {
  pthread_mutex_init(&P.lock, NULL);
  pthread_cond_init(&P.work, NULL);
  pthread_cond_init(&P.done, NULL);
  pthread_mutex_init(&init_lock, NULL);
  P.nworkers = 0;
  P.sleeping = 0;
  P.gen = 0;
  P.open = false;
  P.joined = 0;
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
    pthread_mutex_lock(&P.lock);
    P.steer = sched_getaffinity(0, sizeof P.allowed, &P.allowed) == 0 && CPU_COUNT(&P.allowed) > 1;
    for (int i = 0; i < want; i++) {
      if (pthread_create(&P.threads[made], &attr, worker, NULL) != 0) break;
      made++;
    }
    pthread_attr_destroy(&attr);
    P.nworkers = made;
    P.steer = P.steer && made <= STEER_MAX_WORKERS;
    pthread_mutex_unlock(&P.lock);
    atomic_store(&state, 1);
  }
  pthread_mutex_unlock(&init_lock);
}

/* Lets the workers run on every allowed CPU but the caller's (see the top). Holds P.lock. */
static void steer_workers(void) {
  int cpu = sched_getcpu();
  if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &P.allowed)) return;
  cpu_set_t set = P.allowed;
  CPU_CLR(cpu, &set);
  for (int i = 0; i < P.nworkers; i++) pthread_setaffinity_np(P.threads[i], sizeof set, &set);
}

int mx_ew_num_threads(void) {
  if (atomic_load(&state) == 0) start_pool();
  pthread_mutex_lock(&P.lock);
  int n = P.nworkers + 1;
  pthread_mutex_unlock(&P.lock);
  return n;
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
  /* Up to CHUNKS_PER_THREAD chunks per thread, each at least `grain` elements, claimed in order:
   * on a shared machine a thread that gets descheduled leaves its unclaimed chunks to the
   * others instead of holding up the whole loop. Fewer chunks come in multiples of the thread
   * count (3 chunks on 2 threads would take 2/3 of the serial time, not 1/2). */
  int64_t nchunks = n / grain;
  if (nchunks > threads * CHUNKS_PER_THREAD) nchunks = threads * CHUNKS_PER_THREAD;
  if (nchunks > threads) nchunks -= nchunks % threads;
  if (nchunks < threads) nchunks = threads;
  int64_t chunk = (n + nchunks - 1) / nchunks;
  /* chunk boundaries on multiples of 64 elements keep cache lines (and 16-bit/bool outputs)
   * owned by one thread; chunks of few (large) work items, such as rows, are not rounded */
  if (chunk >= 64 * 8) chunk = (chunk + 63) & ~(int64_t)63;
  nchunks = (n + chunk - 1) / chunk;
  if (nchunks < 2) {
    atomic_store(&P.busy, false);
    fn(ctx, 0, n);
    return;
  }
  pthread_mutex_lock(&P.lock);
  P.fn = fn;
  P.ctx = ctx;
  P.n = n;
  P.chunk = chunk;
  P.nchunks = (int)nchunks;
  __atomic_store_n(&P.open, true, __ATOMIC_RELAXED);
  P.joined = 0;
  atomic_store(&P.next, 0);
  __atomic_store_n(&P.gen, P.gen + 1, __ATOMIC_RELEASE); /* spinning workers read it unlocked */
  if (P.sleeping > 0 && P.steer) steer_workers();
  pthread_cond_broadcast(&P.work);
  pthread_mutex_unlock(&P.lock);
  run_chunks(fn, ctx, n, chunk, (int)nchunks);
  pthread_mutex_lock(&P.lock);
  __atomic_store_n(&P.open, false, __ATOMIC_RELAXED); /* spinning workers read it unlocked */
  pthread_mutex_unlock(&P.lock);
  spin_for_workers();
  pthread_mutex_lock(&P.lock);
  while (P.joined > 0) pthread_cond_wait(&P.done, &P.lock);
  pthread_mutex_unlock(&P.lock);
  atomic_store(&P.busy, false);
}

static atomic_int vec512 = -1;

int mx_ew_vec512(void) {
  int v = atomic_load_explicit(&vec512, memory_order_relaxed);
  if (v < 0) {
    const char *env = getenv("MLXC_VMATH");
    v = 0;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    __builtin_cpu_init();
    v = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#endif
    if (env && strcmp(env, "0") == 0) v = 0;
    atomic_store_explicit(&vec512, v, memory_order_relaxed);
  }
  return v;
}

/* ------------------------------------------------------------------ streamed output */

static int64_t l3_bytes(void) {
  long v = -1;
#ifdef _SC_LEVEL3_CACHE_SIZE
  v = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
  if (v <= 0) {
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/cache/index3/size", "r");
    if (f) {
      char unit = 0;
      if (fscanf(f, "%ld%c", &v, &unit) >= 1) v *= unit == 'M' ? 1 << 20 : unit == 'K' ? 1024 : 1;
      fclose(f);
    }
  }
  return v > 0 ? (int64_t)v : (int64_t)32 << 20;
}

static atomic_llong stream_min = -1;

int64_t mx_ew_stream_min_bytes(void) {
  long long v = atomic_load(&stream_min);
  if (v < 0) {
    const char *env = getenv("MLXC_STREAM_MIN_BYTES");
    if (env) {
      v = strtoll(env, NULL, 10);
      if (v <= 0) v = INT64_MAX;
    } else {
      v = l3_bytes();
      if (v < (8 << 20)) v = 8 << 20;
    }
    if (!EW_STREAM_X86) v = INT64_MAX;
    atomic_store(&stream_min, v);
  }
  return (int64_t)v;
}

#if EW_STREAM_X86
__attribute__((target("avx512f"))) static void stream_512(char *d, const char *s, size_t n) {
  for (; n >= 128; n -= 128, d += 128, s += 128) {
    __m512i a = _mm512_loadu_si512((const void *)s), b = _mm512_loadu_si512((const void *)(s + 64));
    _mm512_stream_si512((void *)d, a);
    _mm512_stream_si512((void *)(d + 64), b);
  }
  if (n >= 64) _mm512_stream_si512((void *)d, _mm512_loadu_si512((const void *)s));
}

static void stream_128(char *d, const char *s, size_t n) {
  for (; n >= 64; n -= 64, d += 64, s += 64) {
    __m128i a = _mm_loadu_si128((const __m128i *)s), b = _mm_loadu_si128((const __m128i *)(s + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
    __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
    _mm_stream_si128((__m128i *)d, a);
    _mm_stream_si128((__m128i *)(d + 16), b);
    _mm_stream_si128((__m128i *)(d + 32), c);
    _mm_stream_si128((__m128i *)(d + 48), e);
  }
}

static atomic_int have_512 = -1;

void mx_ew_stream_copy(void *dst, const void *src, size_t nbytes) {
  char *d = (char *)dst;
  const char *s = (const char *)src;
  size_t head = (64 - ((uintptr_t)d & 63)) & 63; /* plain stores up to a cache line boundary */
  if (head > nbytes) head = nbytes;
  memcpy(d, s, head);
  d += head, s += head, nbytes -= head;
  size_t body = nbytes & ~(size_t)63;
  int w = atomic_load(&have_512);
  if (w < 0) {
    w = __builtin_cpu_supports("avx512f") ? 1 : 0;
    atomic_store(&have_512, w);
  }
  if (w)
    stream_512(d, s, body);
  else
    stream_128(d, s, body);
  memcpy(d + body, s + body, nbytes - body);
}

void mx_ew_stream_fence(void) {
  _mm_sfence();
}
#else
void mx_ew_stream_copy(void *dst, const void *src, size_t nbytes) {
  memcpy(dst, src, nbytes);
}

void mx_ew_stream_fence(void) {}
#endif
