/* Devices and streams. A stream is an ordered queue of work on one device; CPU streams each
 * have a worker thread (src/core/scheduler.c). Defaults are per thread. */
#ifndef MX_CORE_DEVICE_H
#define MX_CORE_DEVICE_H

#include <stdbool.h>

typedef enum { MX_CPU = 0, MX_GPU = 1 } mx_device_type;

typedef struct {
  mx_device_type type;
  int index;
} mx_device;

typedef struct {
  int index; /* global stream index, unique across devices */
  mx_device device;
} mx_stream;

bool mx_device_is_available(mx_device d);
int mx_device_count(mx_device_type t);
mx_device mx_default_device(void);
int mx_set_default_device(mx_device d);
/* The thread's default stream for d (created on first use). */
int mx_default_stream(mx_device d, mx_stream *out);
int mx_set_default_stream(mx_stream s);
int mx_new_stream(mx_device d, mx_stream *out);
bool mx_stream_valid(mx_stream s);
/* Waits until all work queued on s has finished. */
int mx_synchronize(mx_stream s);
int mx_synchronize_all(void);

static inline bool mx_device_equal(mx_device a, mx_device b) {
  return a.type == b.type && a.index == b.index;
}

#endif
