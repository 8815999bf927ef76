/* mlx/c/io.h and io_types.h: files, custom readers/writers, and the GGUF container, over the
 * formats in src/io. A reader is read from its current position (tell()) to its end; after a
 * load it is left just past the bytes the load read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "io/io.h"

/* ---- mlx_io_reader / mlx_io_writer ---- */

typedef struct {
  void *desc;
  mlx_io_vtable vt;
} io_obj;

static void *io_new(void *desc, mlx_io_vtable vt) {
  io_obj *o = malloc(sizeof *o);
  if (!o) {
    mlx_api_error("[io] Out of memory.");
    return NULL;
  }
  o->desc = desc;
  o->vt = vt;
  return o;
}

static int io_free(void *ctx) {
  io_obj *o = ctx;
  if (o && o->vt.free) o->vt.free(o->desc);
  free(o);
  return 0;
}

static int io_descriptor(void **desc, void *ctx) {
  if (!desc || !ctx) return mlx_api_error("[io] Empty reader or writer handle.");
  *desc = ((io_obj *)ctx)->desc;
  return 0;
}

static int io_tostring(mlx_string *str, void *ctx, const char *kind) {
  if (!str || !ctx) return mlx_api_error("[io] Empty reader or writer handle.");
  io_obj *o = ctx;
  const char *label = o->vt.label ? o->vt.label(o->desc) : NULL;
  mlx_string s = mlx_string_new_data(label ? label : kind);
  int rc = mlx_string_set(str, s);
  mlx_string_free(s);
  return rc;
}

mlx_io_reader mlx_io_reader_new(void *desc, mlx_io_vtable vtable) {
  return (mlx_io_reader){io_new(desc, vtable)};
}
int mlx_io_reader_descriptor(void **desc_, mlx_io_reader io) {
  return io_descriptor(desc_, io.ctx);
}
int mlx_io_reader_tostring(mlx_string *str_, mlx_io_reader io) {
  return io_tostring(str_, io.ctx, "reader");
}
int mlx_io_reader_free(mlx_io_reader io) {
  return io_free(io.ctx);
}
mlx_io_writer mlx_io_writer_new(void *desc, mlx_io_vtable vtable) {
  return (mlx_io_writer){io_new(desc, vtable)};
}
int mlx_io_writer_descriptor(void **desc_, mlx_io_writer io) {
  return io_descriptor(desc_, io.ctx);
}
int mlx_io_writer_tostring(mlx_string *str_, mlx_io_writer io) {
  return io_tostring(str_, io.ctx, "writer");
}
int mlx_io_writer_free(mlx_io_writer io) {
  return io_free(io.ctx);
}

/* ---- streams over them ---- */

typedef struct {
  io_obj *o;
  uint64_t base;
} reader_ctx;

static bool io_good(io_obj *o) {
  return !o->vt.good || o->vt.good(o->desc);
}

static int reader_read_at(void *ctx, void *dst, size_t n, uint64_t off) {
  reader_ctx *r = ctx;
  io_obj *o = r->o;
  if (o->vt.read_at_offset) {
    o->vt.read_at_offset(o->desc, dst, n, (size_t)(r->base + off));
  } else {
    o->vt.seek(o->desc, (int64_t)(r->base + off), SEEK_SET);
    o->vt.read(o->desc, dst, n);
  }
  return io_good(o) ? 0 : mx_error("[load] Read error in the input stream.");
}

static int reader_open(const char *op, mlx_io_reader in, mx_istream *s, reader_ctx *r) {
  io_obj *o = in.ctx;
  if (!o) return mlx_api_error("[%s] Empty reader handle.", op);
  if (!o->vt.tell || !o->vt.seek || !(o->vt.read || o->vt.read_at_offset))
    return mlx_api_error("[%s] The reader needs tell, seek and read.", op);
  if ((o->vt.is_open && !o->vt.is_open(o->desc)) || !io_good(o))
    return mlx_api_error("[%s] The input stream is not open.", op);
  r->o = o;
  r->base = o->vt.tell(o->desc);
  o->vt.seek(o->desc, 0, SEEK_END);
  uint64_t end = o->vt.tell(o->desc);
  o->vt.seek(o->desc, (int64_t)r->base, SEEK_SET);
  if (!io_good(o) || end < r->base)
    return mlx_api_error("[%s] Cannot seek in the input stream.", op);
  memset(s, 0, sizeof *s);
  s->ctx = r;
  s->read_at = reader_read_at;
  s->size = end - r->base;
  s->op = op;
  return 0;
}

static void reader_done(mx_istream *s, reader_ctx *r) {
  r->o->vt.seek(r->o->desc, (int64_t)(r->base + s->high), SEEK_SET);
  mx_istream_close(s);
}

static int writer_write(void *ctx, const void *src, size_t n) {
  io_obj *o = ctx;
  o->vt.write(o->desc, src, n);
  return io_good(o) ? 0 : mx_error("[save] Write error in the output stream.");
}

static int writer_open(const char *op, mlx_io_writer out, mx_ostream *s) {
  io_obj *o = out.ctx;
  if (!o) return mlx_api_error("[%s] Empty writer handle.", op);
  if (!o->vt.write) return mlx_api_error("[%s] The writer has no write function.", op);
  if ((o->vt.is_open && !o->vt.is_open(o->desc)) || !io_good(o))
    return mlx_api_error("[%s] The output stream is not open.", op);
  memset(s, 0, sizeof *s);
  s->ctx = o;
  s->write = writer_write;
  s->op = op;
  return 0;
}

/* path, with ext appended unless it already ends with it (malloc'd). */
static char *with_ext(const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  char *p = malloc(n + e + 1);
  if (!p) return NULL;
  memcpy(p, path, n + 1);
  if (n < e || strcmp(path + n - e, ext)) memcpy(p + n, ext, e + 1);
  return p;
}

static int open_out(const char *op, const char *file, const char *ext, mx_ostream *s) {
  if (!file) return mlx_api_error("[%s] File name is NULL.", op);
  char *path = with_ext(file, ext);
  if (!path) return mlx_api_error("[%s] Out of memory.", op);
  int rc = mx_ostream_file(s, path, op);
  free(path);
  return rc ? mlx_api_fail() : 0;
}

/* Finishes a save: closes s (reporting the first error). */
static int save_done(mx_ostream *s, int rc) {
  int rc2 = mx_ostream_finish(s, rc);
  return rc || rc2 ? mlx_api_fail() : 0;
}

/* ---- maps <-> lists ---- */

/* The entries of a map (keys and arrays borrowed). */
static int map_entries(const char *op, mlx_map_string_to_array m, mx_named_array **out, size_t *n) {
  size_t cap = 16;
  *n = 0;
  *out = malloc(cap * sizeof **out);
  if (!*out) return mlx_api_error("[%s] Out of memory.", op);
  mlx_map_string_to_array_iterator it = mlx_map_string_to_array_iterator_new(m);
  const char *key;
  mlx_array val = {NULL};
  int rc;
  while ((rc = mlx_map_string_to_array_iterator_next(&key, &val, it)) == 0) {
    if (*n == cap) {
      mx_named_array *p = realloc(*out, 2 * cap * sizeof *p);
      if (!p) break;
      *out = p;
      cap *= 2;
    }
    (*out)[(*n)++] = (mx_named_array){(char *)key, mlx_api_arr(val)}; /* the map holds it */
  }
  mlx_array_free(val); /* the iterator's reference to the last value */
  mlx_map_string_to_array_iterator_free(it);
  if (rc != 2) {
    free(*out);
    return rc == 0 ? mlx_api_error("[%s] Out of memory.", op) : 1;
  }
  for (size_t i = 0; i < *n; i++)
    if (!(*out)[i].arr) {
      free(*out);
      return mlx_api_error("[%s] Got an empty array handle.", op);
    }
  return 0;
}

/* Moves a list of arrays into *res (and frees the list). */
static int set_array_map(mlx_map_string_to_array *res, mx_named_array *a, size_t n) {
  mlx_map_string_to_array m = mlx_map_string_to_array_new();
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++)
    rc = mlx_map_string_to_array_insert(m, a[i].key, (mlx_array){a[i].arr});
  if (!rc) rc = mlx_map_string_to_array_set(res, m);
  mlx_map_string_to_array_free(m);
  mx_io_free_arrays(a, n);
  return rc;
}

static int set_string_map(mlx_map_string_to_string *res, mx_named_string *a, size_t n) {
  mlx_map_string_to_string m = mlx_map_string_to_string_new();
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++)
    rc = mlx_map_string_to_string_insert(m, a[i].key, a[i].value);
  if (!rc) rc = mlx_map_string_to_string_set(res, m);
  mlx_map_string_to_string_free(m);
  mx_io_free_strings(a, n);
  return rc;
}

/* ---- npy ---- */

static int load_npy(mlx_array *res, mx_istream *s) {
  mx_array *a = NULL;
  if (mx_npy_load(&a, s)) return 1;
  mlx_api_set_arr(res, a);
  return 0;
}

int mlx_load(mlx_array *res, const char *file, const mlx_stream s) {
  mx_stream st;
  if (!res || !file) return mlx_api_error("[load] NULL argument.");
  if (mlx_api_stream("load", s, &st)) return 1;
  mx_istream in;
  if (mx_istream_file(&in, file, "load")) return mlx_api_fail();
  int rc = load_npy(res, &in);
  mx_istream_close(&in);
  return rc ? mlx_api_fail() : 0;
}

int mlx_load_reader(mlx_array *res, mlx_io_reader in_stream, const mlx_stream s) {
  mx_stream st;
  mx_istream in;
  reader_ctx r;
  if (!res) return mlx_api_error("[load] NULL argument.");
  if (mlx_api_stream("load", s, &st) || reader_open("load", in_stream, &in, &r)) return 1;
  int rc = load_npy(res, &in);
  reader_done(&in, &r);
  return rc ? mlx_api_fail() : 0;
}

static int save_npy(mx_ostream *out, const mlx_array a) {
  if (!a.ctx) return mx_error("[save] Got an empty array handle.");
  return mx_npy_save(out, mlx_api_arr(a));
}

int mlx_save(const char *file, const mlx_array a) {
  mx_ostream out;
  if (open_out("save", file, ".npy", &out)) return 1;
  return save_done(&out, save_npy(&out, a));
}

int mlx_save_writer(mlx_io_writer out_stream, const mlx_array a) {
  mx_ostream out;
  if (writer_open("save", out_stream, &out)) return 1;
  return save_npy(&out, a) ? mlx_api_fail() : 0;
}

/* ---- safetensors ---- */

static int load_st(mlx_map_string_to_array *res_0, mlx_map_string_to_string *res_1,
                   mx_istream *in) {
  mx_named_array *a;
  mx_named_string *m;
  size_t na, nm;
  if (mx_safetensors_load(in, &a, &na, &m, &nm)) return mlx_api_fail();
  int rc = set_array_map(res_0, a, na);
  return set_string_map(res_1, m, nm) || rc;
}

int mlx_load_safetensors(mlx_map_string_to_array *res_0, mlx_map_string_to_string *res_1,
                         const char *file, const mlx_stream s) {
  mx_stream st;
  mx_istream in;
  if (!res_0 || !res_1 || !file) return mlx_api_error("[load_safetensors] NULL argument.");
  if (mlx_api_stream("load_safetensors", s, &st)) return 1;
  if (mx_istream_file(&in, file, "load_safetensors")) return mlx_api_fail();
  int rc = load_st(res_0, res_1, &in);
  mx_istream_close(&in);
  return rc;
}

int mlx_load_safetensors_reader(mlx_map_string_to_array *res_0, mlx_map_string_to_string *res_1,
                                mlx_io_reader in_stream, const mlx_stream s) {
  mx_stream st;
  mx_istream in;
  reader_ctx r;
  if (!res_0 || !res_1) return mlx_api_error("[load_safetensors] NULL argument.");
  if (mlx_api_stream("load_safetensors", s, &st) ||
      reader_open("load_safetensors", in_stream, &in, &r))
    return 1;
  int rc = load_st(res_0, res_1, &in);
  reader_done(&in, &r);
  return rc;
}

static int save_st(mx_ostream *out, const mlx_map_string_to_array param,
                   const mlx_map_string_to_string metadata) {
  mx_named_array *a;
  size_t na, nm = 0, cap = 16;
  if (map_entries("save_safetensors", param, &a, &na)) return 1;
  mx_named_string *m = malloc(cap * sizeof *m);
  int rc = m ? 0 : mx_error("[save_safetensors] Out of memory.");
  if (!rc && metadata.ctx) {
    mlx_map_string_to_string_iterator it = mlx_map_string_to_string_iterator_new(metadata);
    const char *k, *v;
    while (!rc && mlx_map_string_to_string_iterator_next(&k, &v, it) == 0) {
      if (nm == cap) {
        mx_named_string *p = realloc(m, 2 * cap * sizeof *p);
        if (!p) {
          rc = mx_error("[save_safetensors] Out of memory.");
          break;
        }
        m = p;
        cap *= 2;
      }
      m[nm++] = (mx_named_string){(char *)k, (char *)v};
    }
    mlx_map_string_to_string_iterator_free(it);
  }
  if (!rc) rc = mx_safetensors_save(out, a, na, m, nm);
  free(a);
  free(m);
  return rc ? (mlx_api_fail(), 1) : 0;
}

int mlx_save_safetensors(const char *file, const mlx_map_string_to_array param,
                         const mlx_map_string_to_string metadata) {
  mx_ostream out;
  if (open_out("save_safetensors", file, ".safetensors", &out)) return 1;
  int rc = save_st(&out, param, metadata);
  int rc2 = mx_ostream_finish(&out, rc);
  return rc ? rc : rc2 ? mlx_api_fail() : 0;
}

int mlx_save_safetensors_writer(mlx_io_writer in_stream, const mlx_map_string_to_array param,
                                const mlx_map_string_to_string metadata) {
  mx_ostream out;
  if (writer_open("save_safetensors", in_stream, &out)) return 1;
  return save_st(&out, param, metadata);
}

/* ---- npz (mlxc extension) ---- */

int mlx_load_npz(mlx_map_string_to_array *res, const char *file, const mlx_stream s) {
  mx_stream st;
  mx_named_array *a;
  size_t n;
  if (!res || !file) return mlx_api_error("[load] NULL argument.");
  if (mlx_api_stream("load", s, &st)) return 1;
  if (mx_npz_load_file(file, &a, &n)) return mlx_api_fail();
  return set_array_map(res, a, n);
}

int mlx_load_npz_reader(mlx_map_string_to_array *res, mlx_io_reader in_stream, const mlx_stream s) {
  mx_stream st;
  mx_istream in;
  reader_ctx r;
  if (!res) return mlx_api_error("[load] NULL argument.");
  if (mlx_api_stream("load", s, &st) || reader_open("load", in_stream, &in, &r)) return 1;
  void *data = in.size <= SIZE_MAX ? malloc(in.size ? (size_t)in.size : 1) : NULL;
  int rc = data ? mx_istream_read(&in, data, (size_t)in.size) : mx_error("[load] Out of memory.");
  reader_done(&in, &r);
  if (rc) {
    free(data);
    return mlx_api_fail();
  }
  mx_named_array *a;
  size_t n;
  if (mx_npz_load_memory(data, (size_t)in.size, &a, &n)) return mlx_api_fail();
  return set_array_map(res, a, n);
}

static int save_npz(mx_ostream *out, const mlx_map_string_to_array arrays, bool compressed) {
  mx_named_array *a;
  size_t n;
  if (map_entries("savez", arrays, &a, &n)) return 1;
  int rc = mx_npz_save(out, a, n, compressed);
  free(a);
  return rc ? (mlx_api_fail(), 1) : 0;
}

int mlx_save_npz(const char *file, const mlx_map_string_to_array arrays, bool compressed) {
  mx_ostream out;
  if (open_out("savez", file, ".npz", &out)) return 1;
  int rc = save_npz(&out, arrays, compressed);
  int rc2 = mx_ostream_finish(&out, rc);
  return rc ? rc : rc2 ? mlx_api_fail() : 0;
}

int mlx_save_npz_writer(mlx_io_writer out_stream, const mlx_map_string_to_array arrays,
                        bool compressed) {
  mx_ostream out;
  if (writer_open("savez", out_stream, &out)) return 1;
  return save_npz(&out, arrays, compressed);
}
