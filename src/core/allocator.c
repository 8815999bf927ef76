/* The CPU caching allocator. A buffer and its header are one 64-byte aligned block:
 * [mx_buffer header, padded to 64][data]. Data sizes come in classes (four per power of two,
 * so at most 25% slack; a power-of-two request fits its class exactly, the header is extra);
 * freed blocks wait in a per-class list for reuse while the cache is under its limit. Memory
 * counters count data capacity (the class size), not headers. */
#include "core/allocator.h"

#include <pthread.h>
#include <sys/mman.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"

#define HEADER_BYTES 64
#define MIN_CLASS_BYTES 128
#define NUM_CLASSES 256

/* A cached block reuses the first word of its header (mx_buffer.refs) as the list link; the
 * header's capacity field stays intact. */
typedef struct cached_block {
  struct cached_block *next;
} cached_block;

static struct {
  pthread_mutex_t lock;
  cached_block *free_lists[NUM_CLASSES];
  size_t active, peak, cached;
  size_t memory_limit, cache_limit;
  bool limits_set;
  mx_alloc_fail_fn fail_hook;
  void *fail_arg;
} A = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void init_limits_locked(void) {
  if (A.limits_set) return;
  long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  size_t ram = (pages > 0 && page_size > 0) ? (size_t)pages * (size_t)page_size : (size_t)1 << 34;
  A.memory_limit = ram;
  A.cache_limit = ram;
  A.limits_set = true;
}

/* Class index and data capacity for a request of `bytes` of data. */
static int size_class(size_t bytes, size_t *block_bytes) {
  if (bytes <= MIN_CLASS_BYTES) {
    *block_bytes = MIN_CLASS_BYTES;
    return 0;
  }
  int exp = 63 - __builtin_clzll((unsigned long long)(bytes - 1)); /* 2^exp < bytes <= 2^(exp+1) */
  size_t base = (size_t)1 << exp, quarter = base / 4;
  size_t steps = (bytes - base + quarter - 1) / quarter; /* 1..4 */
  *block_bytes = base + steps * quarter;
  int cls = (exp - 7) * 4 + (int)steps; /* class 0 is MIN_CLASS_BYTES */
  return cls < NUM_CLASSES ? cls : -1;  /* -1: too large to cache */
}

static void account_alloc_locked(size_t bytes) {
  A.active += bytes;
  if (A.active > A.peak) A.peak = A.active;
}

/* Blocks of at least HUGE_MIN bytes are 2 MiB-aligned and ask for transparent huge pages (the
 * common THP mode is "madvise"; numpy does the same for its large arrays): kernels that walk a
 * big array with large strides (a transposed operand) miss the TLB far less, and a fresh output
 * takes 512 times fewer first-touch page faults. */
enum { HUGE_MIN = 4 << 20, HUGE_ALIGN = 2 << 20 };

static int alloc_block(void **block, size_t bytes) {
  if (bytes < HUGE_MIN) return posix_memalign(block, 64, bytes);
  int rc = posix_memalign(block, HUGE_ALIGN, bytes);
#ifdef MADV_HUGEPAGE
  if (rc == 0) madvise(*block, bytes & ~(size_t)4095, MADV_HUGEPAGE); /* advice only */
#endif
  return rc;
}

mx_buffer *mx_buffer_alloc(size_t nbytes) {
  size_t block_bytes;
  if (nbytes > SIZE_MAX - HEADER_BYTES - 4096)
    return mx_error("[malloc] Unable to allocate %zu bytes.", nbytes), NULL;
  int cls = size_class(nbytes, &block_bytes);
  void *block = NULL;

  pthread_mutex_lock(&A.lock);
  if (A.fail_hook && A.fail_hook(nbytes, A.fail_arg)) {
    pthread_mutex_unlock(&A.lock);
    mx_error("[malloc] Unable to allocate %zu bytes (injected failure).", nbytes);
    return NULL;
  }
  if (cls >= 0 && A.free_lists[cls]) {
    cached_block *c = A.free_lists[cls];
    A.free_lists[cls] = c->next;
    A.cached -= block_bytes;
    block = c;
  }
  account_alloc_locked(block_bytes);
  pthread_mutex_unlock(&A.lock);

  if (!block && alloc_block(&block, block_bytes + HEADER_BYTES) != 0) {
    /* Retry once with an empty cache before giving up. */
    mx_clear_cache();
    if (alloc_block(&block, block_bytes + HEADER_BYTES) != 0) {
      pthread_mutex_lock(&A.lock);
      A.active -= block_bytes;
      pthread_mutex_unlock(&A.lock);
      mx_error("[malloc] Unable to allocate %zu bytes.", nbytes);
      return NULL;
    }
  }
  mx_buffer *b = block;
  atomic_init(&b->refs, 1);
  b->ptr = (char *)block + HEADER_BYTES;
  b->nbytes = nbytes;
  b->capacity = block_bytes;
  b->dtor = NULL;
  b->dtor_arg = NULL;
  return b;
}

mx_buffer *mx_buffer_wrap(void *ptr, size_t nbytes, void (*dtor)(void *), void *dtor_arg) {
  mx_buffer *b = malloc(sizeof *b);
  if (!b) return mx_error("[malloc] Unable to allocate a buffer header."), NULL;
  atomic_init(&b->refs, 1);
  b->ptr = ptr;
  b->nbytes = nbytes;
  b->capacity = 0;
  b->dtor = dtor;
  b->dtor_arg = dtor_arg;
  return b;
}

void mx_buffer_release(mx_buffer *b) {
  if (!b || atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1) return;
  if (b->capacity == 0) {
    if (b->dtor) b->dtor(b->dtor_arg);
    free(b);
    return;
  }
  size_t block_bytes;
  int cls = size_class(b->capacity, &block_bytes);
  pthread_mutex_lock(&A.lock);
  init_limits_locked();
  A.active -= b->capacity;
  if (cls >= 0 && A.cached + b->capacity <= A.cache_limit) {
    cached_block *c = (cached_block *)b;
    c->next = A.free_lists[cls];
    A.free_lists[cls] = c;
    A.cached += b->capacity;
    b = NULL;
  }
  pthread_mutex_unlock(&A.lock);
  free(b);
}

static size_t read_locked(const size_t *field) {
  pthread_mutex_lock(&A.lock);
  init_limits_locked();
  size_t v = *field;
  pthread_mutex_unlock(&A.lock);
  return v;
}

size_t mx_get_active_memory(void) {
  return read_locked(&A.active);
}
size_t mx_get_peak_memory(void) {
  return read_locked(&A.peak);
}
size_t mx_get_cache_memory(void) {
  return read_locked(&A.cached);
}
size_t mx_get_memory_limit(void) {
  return read_locked(&A.memory_limit);
}

void mx_reset_peak_memory(void) {
  pthread_mutex_lock(&A.lock);
  A.peak = A.active;
  pthread_mutex_unlock(&A.lock);
}

size_t mx_set_memory_limit(size_t limit) {
  pthread_mutex_lock(&A.lock);
  init_limits_locked();
  size_t old = A.memory_limit;
  A.memory_limit = limit;
  pthread_mutex_unlock(&A.lock);
  return old;
}

/* Frees cached blocks until the cache holds at most `keep` bytes. Caller holds the lock;
 * returns the list of blocks to free after unlocking. */
static cached_block *trim_cache_locked(size_t keep) {
  cached_block *to_free = NULL;
  for (int cls = NUM_CLASSES - 1; cls >= 0 && A.cached > keep; cls--) {
    while (A.free_lists[cls] && A.cached > keep) {
      cached_block *c = A.free_lists[cls];
      A.free_lists[cls] = c->next;
      A.cached -= ((mx_buffer *)c)->capacity;
      c->next = to_free;
      to_free = c;
    }
  }
  return to_free;
}

static void free_blocks(cached_block *c) {
  while (c) {
    cached_block *next = c->next;
    free(c);
    c = next;
  }
}

size_t mx_set_cache_limit(size_t limit) {
  pthread_mutex_lock(&A.lock);
  init_limits_locked();
  size_t old = A.cache_limit;
  A.cache_limit = limit;
  cached_block *to_free = trim_cache_locked(limit);
  pthread_mutex_unlock(&A.lock);
  free_blocks(to_free);
  return old;
}

void mx_clear_cache(void) {
  pthread_mutex_lock(&A.lock);
  cached_block *to_free = trim_cache_locked(0);
  pthread_mutex_unlock(&A.lock);
  free_blocks(to_free);
}

void mx_set_alloc_fail_hook(mx_alloc_fail_fn fail, void *arg) {
  pthread_mutex_lock(&A.lock);
  A.fail_hook = fail;
  A.fail_arg = arg;
  pthread_mutex_unlock(&A.lock);
}
