/* .npz: a zip archive (libzip) whose members NAME.npy hold one array each, stored or deflated.
 * Members are read sequentially through an mx_istream over the zip entry, so a member's data
 * goes straight from the decompressor into the array's buffer. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "core/error.h"
#include "io/io.h"

/* ---- load ---- */

typedef struct {
  zip_file_t *f;
  uint64_t pos;
} entry_ctx;

static int entry_read_at(void *ctx, void *dst, size_t n, uint64_t off) {
  entry_ctx *e = ctx;
  if (off != e->pos) return mx_error("[load] Non-sequential read in an npz member.");
  char *p = dst;
  while (n) {
    zip_int64_t r = zip_fread(e->f, p, n);
    if (r <= 0)
      return mx_error("[load] Error reading an npz member: %s.",
                      r < 0 ? zip_file_strerror(e->f) : "truncated");
    p += r;
    n -= (size_t)r;
    e->pos += (uint64_t)r;
  }
  return 0;
}

static int load_member(zip_t *za, zip_uint64_t i, const char *name, mx_array **out) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za, i, 0, &st) || !(st.valid & ZIP_STAT_SIZE))
    return mx_error("[load] Invalid npz member '%s': %s.", name, zip_strerror(za));
  zip_file_t *f = zip_fopen_index(za, i, 0);
  if (!f) return mx_error("[load] Cannot read npz member '%s': %s.", name, zip_strerror(za));
  entry_ctx e = {f, 0};
  mx_istream s;
  memset(&s, 0, sizeof s);
  s.ctx = &e;
  s.read_at = entry_read_at;
  s.size = st.size;
  s.op = "load";
  int rc = mx_npy_load(out, &s);
  mx_istream_close(&s);
  zip_fclose(f);
  return rc;
}

static int load_archive(zip_t *za, mx_named_array **arrays, size_t *narrays) {
  zip_int64_t n = zip_get_num_entries(za, 0);
  *arrays = calloc(n > 0 ? (size_t)n : 1, sizeof **arrays);
  *narrays = 0;
  if (!*arrays) return mx_error("[load] Out of memory.");
  int rc = 0;
  for (zip_int64_t i = 0; i < n && !rc; i++) {
    const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
    size_t len = name ? strlen(name) : 0;
    if (!name || len < 4 || strcmp(name + len - 4, ".npy")) {
      rc = mx_error("[load] The npz member '%s' is not a .npy file.", name ? name : "?");
      break;
    }
    mx_named_array *e = &(*arrays)[*narrays];
    rc = load_member(za, (zip_uint64_t)i, name, &e->arr);
    if (rc) break;
    (*narrays)++;
    if (!(e->key = strndup(name, len - 4))) rc = mx_error("[load] Out of memory.");
  }
  zip_discard(za);
  if (rc) {
    mx_io_free_arrays(*arrays, *narrays);
    *arrays = NULL;
    *narrays = 0;
  }
  return rc;
}

static int open_error(const char *what, zip_error_t *err) {
  int rc = mx_error("[load] Invalid npz archive %s: %s", what, zip_error_strerror(err));
  zip_error_fini(err);
  return rc;
}

/* The smallest zip: an end-of-central-directory record (libzip reads less as an empty archive). */
#define MIN_ZIP 22

static int too_small(void) {
  return mx_error("[load] Invalid npz archive: too short to be a zip file.");
}

int mx_npz_load_file(const char *path, mx_named_array **arrays, size_t *narrays) {
  struct stat st;
  if (stat(path, &st) != 0) return mx_error("[load] Failed to open file %s", path);
  if (st.st_size < MIN_ZIP) return too_small();
  int code = 0;
  zip_t *za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
  zip_error_t err;
  zip_error_init_with_code(&err, code);
  if (!za) {
    if (code == ZIP_ER_NOENT || code == ZIP_ER_OPEN || code == ZIP_ER_READ) {
      zip_error_fini(&err);
      return mx_error("[load] Failed to open file %s", path);
    }
    return open_error(path, &err);
  }
  zip_error_fini(&err);
  return load_archive(za, arrays, narrays);
}

int mx_npz_load_memory(void *data, size_t size, mx_named_array **arrays, size_t *narrays) {
  if (size < MIN_ZIP) {
    free(data);
    return too_small();
  }
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t *src = zip_source_buffer_create(data, size, 1, &err);
  if (!src) {
    free(data);
    return open_error("(in memory)", &err);
  }
  zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (!za) {
    zip_source_free(src);
    return open_error("(stream)", &err);
  }
  zip_error_fini(&err);
  return load_archive(za, arrays, narrays);
}

/* ---- save ---- */

/* Adds every array as NAME.npy to za (kept open: the caller closes or discards it). */
static int add_members(zip_t *za, const mx_named_array *arrays, size_t n, bool compressed) {
  for (size_t i = 0; i < n; i++) {
    mx_ostream m;
    mx_ostream_memory(&m, "savez");
    size_t size = 0;
    int rc = mx_npy_save(&m, arrays[i].arr);
    void *data = rc ? NULL : mx_ostream_memory_take(&m, &size);
    mx_ostream_close(&m);
    MX_TRY(rc);
    size_t klen = strlen(arrays[i].key);
    char *name = malloc(klen + 5);
    zip_source_t *src = name ? zip_source_buffer(za, data, size, 1) : NULL;
    if (!src) {
      free(name);
      free(data);
      return mx_error("[savez] Out of memory.");
    }
    memcpy(name, arrays[i].key, klen);
    memcpy(name + klen, ".npy", 5);
    zip_int64_t idx = zip_file_add(za, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
    free(name);
    if (idx < 0) {
      zip_source_free(src);
      return mx_error("[savez] Cannot add '%s' to the archive: %s.", arrays[i].key,
                      zip_strerror(za));
    }
    if (zip_set_file_compression(za, (zip_uint64_t)idx, compressed ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                                 0))
      return mx_error("[savez] %s.", zip_strerror(za));
  }
  return 0;
}

int mx_npz_save(mx_ostream *s, const mx_named_array *arrays, size_t narrays, bool compressed) {
  /* The archive is built in a libzip memory source, then copied to s. */
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &err);
  zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &err) : NULL;
  if (!za) {
    int rc = mx_error("[savez] %s", zip_error_strerror(&err));
    zip_error_fini(&err);
    if (src) zip_source_free(src);
    return rc;
  }
  zip_error_fini(&err);
  zip_source_keep(src);
  int rc = add_members(za, arrays, narrays, compressed);
  if (rc) {
    zip_discard(za);
  } else if (zip_close(za)) {
    rc = mx_error("[savez] %s", zip_strerror(za));
    zip_discard(za);
  }
  if (!rc && zip_source_open(src) == 0) {
    char buf[1 << 16];
    zip_int64_t r;
    while (!rc && (r = zip_source_read(src, buf, sizeof buf)) > 0)
      rc = mx_ostream_write(s, buf, (size_t)r);
    if (!rc && r < 0) rc = mx_error("[savez] Error reading the archive back.");
    zip_source_close(src);
  } else if (!rc) {
    rc = mx_error("[savez] Error reading the archive back.");
  }
  zip_source_free(src);
  return rc;
}
