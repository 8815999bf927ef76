/* Devices, streams, per-thread defaults, and the per-stream worker threads. */
#include "core/scheduler.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/device.h"
#include "core/error.h"

#define MAX_STREAMS 4096

typedef struct batch {
  mx_node **nodes;
  int n;
  struct batch *next;
} batch;

typedef struct {
  mx_device device;
  pthread_mutex_t lock;
  pthread_cond_t work; /* a batch was queued */
  pthread_cond_t idle; /* the queue drained and nothing runs */
  batch *head, *tail;
  bool busy; /* a batch is running (on the worker or inline) */
  bool has_worker;
} stream_rec;

static stream_rec *streams[MAX_STREAMS];
static _Atomic int num_streams;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

static mx_device global_default_device = {MX_CPU, 0};
static int global_default_cpu_stream = -1;
static _Thread_local bool tl_has_device;
static _Thread_local mx_device tl_device;
static _Thread_local int tl_default_stream[2] = {-1, -1}; /* per device type */

/* ---- devices ---- */

bool mx_device_is_available(mx_device d) {
  return d.type == MX_CPU && d.index == 0;
}

int mx_device_count(mx_device_type t) {
  return t == MX_CPU ? 1 : 0;
}

mx_device mx_default_device(void) {
  return tl_has_device ? tl_device : global_default_device;
}

static const char *device_name(mx_device_type t) {
  return t == MX_CPU ? "cpu" : "gpu";
}

int mx_set_default_device(mx_device d) {
  if (!mx_device_is_available(d))
    return mx_error("[set_default_device] Device %s(%d) is not available.", device_name(d.type),
                    d.index);
  tl_device = d;
  tl_has_device = true;
  return 0;
}

/* ---- streams ---- */

static int create_stream_locked(mx_device d, mx_stream *out) {
  int index = atomic_load(&num_streams);
  if (index >= MAX_STREAMS) return mx_error("[new_stream] Too many streams (at most %d).", MAX_STREAMS);
  stream_rec *s = calloc(1, sizeof *s);
  if (!s) return mx_error("[new_stream] Out of memory.");
  s->device = d;
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->work, NULL);
  pthread_cond_init(&s->idle, NULL);
  streams[index] = s;
  atomic_store(&num_streams, index + 1);
  *out = (mx_stream){.index = index, .device = d};
  return 0;
}

int mx_new_stream(mx_device d, mx_stream *out) {
  if (!mx_device_is_available(d))
    return mx_error("[new_stream] Device %s(%d) is not available.", device_name(d.type), d.index);
  pthread_mutex_lock(&registry_lock);
  int rc = create_stream_locked(d, out);
  pthread_mutex_unlock(&registry_lock);
  return rc;
}

int mx_default_stream(mx_device d, mx_stream *out) {
  if (!mx_device_is_available(d))
    return mx_error("[default_stream] Device %s(%d) is not available.", device_name(d.type),
                    d.index);
  int index = tl_default_stream[d.type];
  if (index < 0) {
    pthread_mutex_lock(&registry_lock);
    int rc = 0;
    if (global_default_cpu_stream < 0) {
      mx_stream s;
      rc = create_stream_locked(d, &s);
      if (rc == 0) global_default_cpu_stream = s.index;
    }
    index = global_default_cpu_stream;
    pthread_mutex_unlock(&registry_lock);
    if (rc) return rc;
  }
  *out = (mx_stream){.index = index, .device = streams[index]->device};
  return 0;
}

bool mx_stream_valid(mx_stream s) {
  return s.index >= 0 && s.index < atomic_load(&num_streams) &&
         mx_device_equal(streams[s.index]->device, s.device);
}

int mx_set_default_stream(mx_stream s) {
  if (!mx_stream_valid(s)) return mx_error("[set_default_stream] Invalid stream %d.", s.index);
  tl_default_stream[s.device.type] = s.index;
  return mx_set_default_device(s.device);
}

/* ---- work queues ---- */

static void *worker_main(void *arg) {
  stream_rec *s = arg;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    while (!s->head || s->busy) pthread_cond_wait(&s->work, &s->lock);
    batch *b = s->head;
    s->head = b->next;
    if (!s->head) s->tail = NULL;
    s->busy = true;
    pthread_mutex_unlock(&s->lock);

    mx_run_batch(b->nodes, b->n);
    free(b->nodes);
    free(b);

    pthread_mutex_lock(&s->lock);
    s->busy = false;
    if (!s->head) pthread_cond_broadcast(&s->idle);
  }
  return NULL;
}

int mx_stream_enqueue(int index, mx_node **nodes, int n) {
  stream_rec *s = streams[index];
  batch *b = malloc(sizeof *b);
  if (!b) return mx_error("[eval] Out of memory queuing work.");
  *b = (batch){.nodes = nodes, .n = n, .next = NULL};
  pthread_mutex_lock(&s->lock);
  if (!s->has_worker) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, (size_t)8 << 20);
    int rc = pthread_create(&t, &attr, worker_main, s);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
      pthread_mutex_unlock(&s->lock);
      free(b);
      return mx_error("[eval] Could not start the stream's worker thread.");
    }
    s->has_worker = true;
  }
  if (s->tail) s->tail->next = b;
  else s->head = b;
  s->tail = b;
  pthread_cond_signal(&s->work);
  pthread_mutex_unlock(&s->lock);
  return 0;
}

bool mx_stream_try_claim(int index) {
  stream_rec *s = streams[index];
  pthread_mutex_lock(&s->lock);
  bool ok = !s->head && !s->busy;
  if (ok) s->busy = true;
  pthread_mutex_unlock(&s->lock);
  return ok;
}

void mx_stream_unclaim(int index) {
  stream_rec *s = streams[index];
  pthread_mutex_lock(&s->lock);
  s->busy = false;
  if (s->head) pthread_cond_signal(&s->work);
  else pthread_cond_broadcast(&s->idle);
  pthread_mutex_unlock(&s->lock);
}

int mx_synchronize(mx_stream st) {
  if (!mx_stream_valid(st)) return mx_error("[synchronize] Invalid stream %d.", st.index);
  stream_rec *s = streams[st.index];
  pthread_mutex_lock(&s->lock);
  while (s->head || s->busy) pthread_cond_wait(&s->idle, &s->lock);
  pthread_mutex_unlock(&s->lock);
  return 0;
}

int mx_synchronize_all(void) {
  int n = atomic_load(&num_streams);
  for (int i = 0; i < n; i++) MX_TRY(mx_synchronize((mx_stream){.index = i, .device = streams[i]->device}));
  return 0;
}
