/* Input and output streams for the file formats, and the helpers they share. */
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/cpu/elementwise.h"
#include "core/error.h"
#include "io/io.h"
#include "ops/ops.h"

#define READ_AHEAD (64 * 1024)
#define PAR_READ_MIN (32 << 20)
#define PAR_READ_GRAIN (8 << 20)

/* ---- files ---- */

typedef struct {
  int fd;
  char *path; /* output files: removed when the save fails (mx_ostream_finish) */
} file_ctx;

/* pread of exactly n bytes; 0, or an errno (-1: end of file). */
static int pread_all(int fd, char *p, size_t n, uint64_t off) {
  while (n) {
    size_t chunk = n < (1u << 30) ? n : (1u << 30);
    ssize_t r = pread(fd, p, chunk, (off_t)off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r < 0 ? errno : -1;
    p += r;
    off += (uint64_t)r;
    n -= (size_t)r;
  }
  return 0;
}

typedef struct {
  int fd;
  char *dst;
  uint64_t off;
  atomic_int err;
} par_read;

static void par_read_range(void *ctx, int64_t begin, int64_t end) {
  par_read *r = ctx;
  int e = pread_all(r->fd, r->dst + begin, (size_t)(end - begin), r->off + (uint64_t)begin);
  if (e) atomic_store(&r->err, e);
}

/* Large reads are split over the CPU pool: the copies out of the page cache and the first
 * touch of the destination pages run in parallel. */
static int file_read_at(void *ctx, void *dst, size_t n, uint64_t off) {
  int fd = ((file_ctx *)ctx)->fd, e;
  if (n >= PAR_READ_MIN) {
    par_read r = {fd, dst, off, 0};
    mx_ew_parallel_for((int64_t)n, PAR_READ_GRAIN, par_read_range, &r);
    e = atomic_load(&r.err);
  } else {
    e = pread_all(fd, dst, n, off);
  }
  return e ? mx_error("[load] Read error: %s.", e < 0 ? "unexpected end of file" : strerror(e)) : 0;
}

static void file_close(void *ctx) {
  close(((file_ctx *)ctx)->fd);
  free(ctx);
}

int mx_istream_file(mx_istream *s, const char *path, const char *op) {
  memset(s, 0, sizeof *s);
  s->op = op;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) close(fd);
    return mx_error("[%s] Failed to open file %s", op, path);
  }
  file_ctx *c = malloc(sizeof *c);
  if (!c) {
    close(fd);
    return mx_error("[%s] Out of memory.", op);
  }
  c->fd = fd;
  s->ctx = c;
  s->read_at = file_read_at;
  s->close = file_close;
  s->size = (uint64_t)st.st_size;
  return 0;
}

void mx_istream_close(mx_istream *s) {
  if (s->close) s->close(s->ctx);
  free(s->buf);
  s->close = NULL;
  s->ctx = NULL;
  s->buf = NULL;
}

int mx_istream_read_at(mx_istream *s, void *dst, size_t n, uint64_t off) {
  if (off > s->size || n > s->size - off)
    return mx_error("[%s] Unexpected end of file: %zu bytes at offset %llu, the input has %llu.",
                    s->op, n, (unsigned long long)off, (unsigned long long)s->size);
  if (n == 0) return 0;
  if (off + n > s->high) s->high = off + n;
  /* The part already read ahead; the rest continues where the window ends, so a sequential
   * source (a zip member) always sees sequential reads. */
  if (s->buf && off >= s->buf_off && off < s->buf_off + s->buf_len) {
    size_t k = (size_t)(s->buf_off + s->buf_len - off);
    if (k > n) k = n;
    memcpy(dst, s->buf + (off - s->buf_off), k);
    dst = (char *)dst + k;
    off += k;
    n -= k;
    if (n == 0) return 0;
  }
  if (n >= READ_AHEAD / 4) return s->read_at(s->ctx, dst, n, off);
  /* Small read: refill the read-ahead window from off. */
  if (!s->buf && !(s->buf = malloc(READ_AHEAD))) return mx_error("[%s] Out of memory.", s->op);
  size_t len = s->size - off < READ_AHEAD ? (size_t)(s->size - off) : READ_AHEAD;
  s->buf_len = 0;
  if (s->read_at(s->ctx, s->buf, len, off)) return MX_ERR;
  s->buf_off = off;
  s->buf_len = len;
  memcpy(dst, s->buf, n);
  return 0;
}

int mx_istream_read(mx_istream *s, void *dst, size_t n) {
  MX_TRY(mx_istream_read_at(s, dst, n, s->pos));
  s->pos += n;
  return 0;
}

/* ---- output ---- */

static int fd_write(void *ctx, const void *src, size_t n) {
  int fd = ((file_ctx *)ctx)->fd;
  const char *p = src;
  while (n) {
    size_t chunk = n < (1u << 30) ? n : (1u << 30);
    ssize_t r = write(fd, p, chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return mx_error("[save] Write error: %s.", r < 0 ? strerror(errno) : "no progress");
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static int fd_close(void *ctx) {
  file_ctx *c = ctx;
  int rc = close(c->fd);
  free(c->path);
  free(c);
  return rc ? mx_error("[save] Error closing the file: %s.", strerror(errno)) : 0;
}

int mx_ostream_file(mx_ostream *s, const char *path, const char *op) {
  memset(s, 0, sizeof *s);
  s->op = op;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return mx_error("[%s] Failed to open file %s for writing", op, path);
  file_ctx *c = malloc(sizeof *c);
  char *copy = c ? strdup(path) : NULL;
  if (!copy) {
    free(c);
    close(fd);
    unlink(path);
    return mx_error("[%s] Out of memory.", op);
  }
  c->fd = fd;
  c->path = copy;
  s->ctx = c;
  s->write = fd_write;
  s->close = fd_close;
  return 0;
}

typedef struct {
  char *data;
  size_t size, cap;
} membuf;

static int mem_write(void *ctx, const void *src, size_t n) {
  membuf *m = ctx;
  if (n > m->cap - m->size) {
    size_t cap = m->cap ? m->cap : 4096;
    while (cap - m->size < n) {
      if (cap > SIZE_MAX / 2) return mx_error("[save] Out of memory.");
      cap *= 2;
    }
    char *p = realloc(m->data, cap);
    if (!p) return mx_error("[save] Out of memory.");
    m->data = p;
    m->cap = cap;
  }
  if (n) memcpy(m->data + m->size, src, n);
  m->size += n;
  return 0;
}

static int mem_close(void *ctx) {
  membuf *m = ctx;
  free(m->data);
  free(m);
  return 0;
}

void mx_ostream_memory(mx_ostream *s, const char *op) {
  memset(s, 0, sizeof *s);
  s->op = op;
  s->ctx = calloc(1, sizeof(membuf));
  s->write = mem_write;
  s->close = mem_close;
}

void *mx_ostream_memory_take(mx_ostream *s, size_t *size) {
  membuf *m = s->ctx;
  if (!m) return NULL;
  void *p = m->data;
  *size = m->size;
  m->data = NULL;
  m->size = m->cap = 0;
  return p;
}

int mx_ostream_write(mx_ostream *s, const void *src, size_t n) {
  if (!s->ctx) return mx_error("[%s] Out of memory.", s->op);
  MX_TRY(s->write(s->ctx, src, n));
  s->written += n;
  return 0;
}

int mx_ostream_close(mx_ostream *s) {
  int rc = 0;
  if (s->close && s->ctx) rc = s->close(s->ctx);
  s->ctx = NULL;
  s->close = NULL;
  return rc;
}

int mx_ostream_finish(mx_ostream *s, int failed) {
  if (!failed || s->close != fd_close || !s->ctx) return mx_ostream_close(s);
  unlink(((file_ctx *)s->ctx)->path); /* no half-written file left behind */
  mx_ostream_close(s);                /* the save's own error is the one reported */
  return 0;
}

/* ---- shared helpers ---- */

int mx_io_contiguous(mx_array **out, mx_array *a) {
  mx_array *c = NULL;
  MX_TRY(mx_array_ensure(a));
  MX_TRY(mx_contiguous(&c, a, mx_array_stream(a)));
  if (mx_array_ensure(c)) {
    mx_array_release(c);
    return MX_ERR;
  }
  *out = c;
  return 0;
}

int mx_io_check_shape(const char *op, int ndim, const int64_t *shape, mx_dtype dtype,
                      uint64_t *nbytes) {
  if (ndim < 0 || ndim > MX_MAX_NDIM)
    return mx_error("[%s] Invalid number of dimensions %d (at most %d).", op, ndim, MX_MAX_NDIM);
  uint64_t n = mx_dtype_size(dtype);
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0 || shape[i] > INT32_MAX)
      return mx_error("[%s] Invalid dimension %lld in the shape.", op, (long long)shape[i]);
    if (__builtin_mul_overflow(n, (uint64_t)shape[i], &n) || n > (uint64_t)INT64_MAX)
      return mx_error("[%s] The shape's byte size overflows.", op);
  }
  *nbytes = n;
  return 0;
}

/* Bool data read from a file: every nonzero byte becomes 1. */
static void fix_bools(mx_array *a) {
  unsigned char *p = mx_array_data(a);
  for (int64_t i = 0; i < a->size; i++) p[i] = p[i] != 0;
}

int mx_io_read_array(mx_array **out, mx_istream *s, uint64_t off, int ndim, const int64_t *shape,
                     mx_dtype dtype) {
  uint64_t nbytes = 0;
  MX_TRY(mx_io_check_shape(s->op, ndim, shape, dtype, &nbytes));
  if (off > s->size || nbytes > s->size - off)
    return mx_error("[%s] The data (%llu bytes at offset %llu) runs past the end of the input "
                    "(%llu bytes).",
                    s->op, (unsigned long long)nbytes, (unsigned long long)off,
                    (unsigned long long)s->size);
  int32_t dims[MX_MAX_NDIM];
  for (int i = 0; i < ndim; i++) dims[i] = (int32_t)shape[i];
  mx_array *a = mx_array_alloc(ndim, dims, dtype);
  if (!a) return MX_ERR;
  if (mx_istream_read_at(s, mx_array_data(a), (size_t)nbytes, off)) {
    mx_array_release(a);
    return MX_ERR;
  }
  if (dtype == MX_BOOL) fix_bools(a);
  *out = a;
  return 0;
}

void mx_io_free_arrays(mx_named_array *a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(a[i].key);
    mx_array_release(a[i].arr);
  }
  free(a);
}

void mx_io_free_strings(mx_named_string *a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(a[i].key);
    free(a[i].value);
  }
  free(a);
}
