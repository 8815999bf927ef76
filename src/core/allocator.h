/* Buffers and the size-bucketed caching allocator (one per device; CPU only for now).
 * Active memory counts bytes handed out and not yet returned; returned buffers go to a cache
 * (bounded by the cache limit) for reuse by later allocations of the same bucket. */
#ifndef MX_CORE_ALLOCATOR_H
#define MX_CORE_ALLOCATOR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct mx_buffer {
  atomic_long refs;
  void *ptr;
  size_t nbytes;   /* bytes usable at ptr */
  size_t capacity; /* bytes of the bucket (allocator-owned), 0 for external data */
  void (*dtor)(void *); /* external data only: called with dtor_arg when the last ref goes */
  void *dtor_arg;
} mx_buffer;

/* A new buffer of at least nbytes (64-byte aligned), refs = 1. NULL with an error set when the
 * allocation fails (or the test hook says to fail). */
mx_buffer *mx_buffer_alloc(size_t nbytes);
/* Wraps memory the allocator does not own; dtor(dtor_arg) runs on release (dtor may be NULL). */
mx_buffer *mx_buffer_wrap(void *ptr, size_t nbytes, void (*dtor)(void *), void *dtor_arg);
static inline void mx_buffer_retain(mx_buffer *b) {
  atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}
void mx_buffer_release(mx_buffer *b);

size_t mx_get_active_memory(void);
size_t mx_get_peak_memory(void);
void mx_reset_peak_memory(void);
size_t mx_get_cache_memory(void);
size_t mx_get_memory_limit(void);
size_t mx_set_memory_limit(size_t limit); /* returns the previous limit */
size_t mx_set_cache_limit(size_t limit);  /* returns the previous limit */
void mx_clear_cache(void);

/* Test hook: when set, every allocation first asks fail(nbytes, arg); true makes it fail. */
typedef bool (*mx_alloc_fail_fn)(size_t nbytes, void *arg);
void mx_set_alloc_fail_hook(mx_alloc_fail_fn fail, void *arg);

#endif
