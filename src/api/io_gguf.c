/* mlx/c/io.h: the GGUF container (mlx_io_gguf over mx_gguf), mlx_load_gguf, mlx_save_gguf. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "io/io.h"

static mx_gguf *get(const char *op, mlx_io_gguf io) {
  if (!io.ctx) mlx_api_error("[%s] Empty gguf handle.", op);
  return io.ctx;
}

mlx_io_gguf mlx_io_gguf_new(void) {
  mlx_io_gguf g = {calloc(1, sizeof(mx_gguf))};
  if (!g.ctx) mlx_api_error("[io_gguf_new] Out of memory.");
  return g;
}

int mlx_io_gguf_free(mlx_io_gguf io) {
  if (io.ctx) mx_gguf_clear(io.ctx);
  free(io.ctx);
  return 0;
}

int mlx_load_gguf(mlx_io_gguf *gguf, const char *file, const mlx_stream s) {
  mx_stream st;
  mx_istream in;
  if (!gguf || !file) return mlx_api_error("[load_gguf] NULL argument.");
  if (mlx_api_stream("load_gguf", s, &st)) return 1;
  mx_gguf *g = calloc(1, sizeof *g);
  if (!g) return mlx_api_error("[load_gguf] Out of memory.");
  int rc = mx_istream_file(&in, file, "load_gguf");
  if (!rc) {
    rc = mx_gguf_load(&in, g);
    mx_istream_close(&in);
  }
  if (rc) {
    free(g);
    return mlx_api_fail();
  }
  mlx_io_gguf_free(*gguf);
  gguf->ctx = g;
  return 0;
}

int mlx_save_gguf(const char *file, mlx_io_gguf gguf) {
  mx_gguf *g = get("save_gguf", gguf);
  if (!g) return 1;
  if (!file) return mlx_api_error("[save_gguf] File name is NULL.");
  size_t n = strlen(file);
  char *path = malloc(n + 6);
  if (!path) return mlx_api_error("[save_gguf] Out of memory.");
  memcpy(path, file, n + 1);
  if (n < 5 || strcmp(file + n - 5, ".gguf")) memcpy(path + n, ".gguf", 6);
  mx_ostream out;
  int rc = mx_ostream_file(&out, path, "save_gguf");
  free(path);
  if (rc) return mlx_api_fail();
  rc = mx_gguf_save(&out, g);
  int rc2 = mx_ostream_finish(&out, rc);
  return rc || rc2 ? mlx_api_fail() : 0;
}

/* The array keys (meta false) or the metadata keys. */
static int keys_of(mlx_vector_string *keys, mlx_io_gguf io, bool meta) {
  mx_gguf *g = get("io_gguf_get_keys", io);
  if (!g) return 1;
  if (!keys) return mlx_api_error("[io_gguf_get_keys] Output handle is NULL.");
  mlx_vector_string v = mlx_vector_string_new();
  int rc = 0;
  size_t n = meta ? g->nmeta : g->narrays;
  for (size_t i = 0; i < n && !rc; i++)
    rc = mlx_vector_string_append_value(v, meta ? g->meta[i].key : g->arrays[i].key);
  if (!rc) rc = mlx_vector_string_set(keys, v);
  mlx_vector_string_free(v);
  return rc;
}

int mlx_io_gguf_get_keys(mlx_vector_string *keys, mlx_io_gguf io) {
  return keys_of(keys, io, false);
}

int mlx_io_gguf_get_metadata_keys(mlx_vector_string *keys, mlx_io_gguf io) {
  return keys_of(keys, io, true);
}

int mlx_io_gguf_get_array(mlx_array *arr, mlx_io_gguf io, const char *key) {
  mx_gguf *g = get("io_gguf_get_array", io);
  if (!g) return 1;
  mx_array *a = key ? mx_gguf_find_array(g, key) : NULL;
  if (!a || !arr) return mlx_api_error("[io_gguf_get_array] No array named '%s'.", key ? key : "");
  mlx_api_set_arr(arr, mx_array_retain(a));
  return 0;
}

/* The metadata entry for key when it has the given kind (reports an error otherwise). */
static mx_gguf_meta *meta_of(const char *op, mlx_io_gguf io, const char *key,
                             mx_gguf_meta_kind kind) {
  mx_gguf *g = get(op, io);
  if (!g) return NULL;
  mx_gguf_meta *m = key ? mx_gguf_find_meta(g, key) : NULL;
  if (!m || m->kind != kind) {
    mlx_api_error("[%s] No metadata of this kind named '%s'.", op, key ? key : "");
    return NULL;
  }
  return m;
}

int mlx_io_gguf_get_metadata_array(mlx_array *arr, mlx_io_gguf io, const char *key) {
  mx_gguf_meta *m = meta_of("io_gguf_get_metadata_array", io, key, MX_GGUF_META_ARRAY);
  if (!m) return 1;
  if (!arr) return mlx_api_error("[io_gguf_get_metadata_array] Output handle is NULL.");
  mlx_api_set_arr(arr, mx_array_retain(m->arr));
  return 0;
}

int mlx_io_gguf_get_metadata_string(mlx_string *str, mlx_io_gguf io, const char *key) {
  mx_gguf_meta *m = meta_of("io_gguf_get_metadata_string", io, key, MX_GGUF_META_STRING);
  if (!m) return 1;
  if (!str) return mlx_api_error("[io_gguf_get_metadata_string] Output handle is NULL.");
  mlx_string s = mlx_string_new_data(m->str);
  int rc = mlx_string_set(str, s);
  mlx_string_free(s);
  return rc;
}

int mlx_io_gguf_get_metadata_vector_string(mlx_vector_string *vstr, mlx_io_gguf io,
                                           const char *key) {
  mx_gguf_meta *m = meta_of("io_gguf_get_metadata_vector_string", io, key, MX_GGUF_META_STRINGS);
  if (!m) return 1;
  if (!vstr) return mlx_api_error("[io_gguf_get_metadata_vector_string] Output handle is NULL.");
  mlx_vector_string v = mlx_vector_string_new();
  int rc = m->nstrs ? mlx_vector_string_set_data(&v, (const char **)m->strs, m->nstrs) : 0;
  if (!rc) rc = mlx_vector_string_set(vstr, v);
  mlx_vector_string_free(v);
  return rc;
}

static int has(bool *flag, mlx_io_gguf io, const char *key, mx_gguf_meta_kind kind) {
  mx_gguf *g = get("io_gguf_has_metadata", io);
  if (!g) return 1;
  if (!flag || !key) return mlx_api_error("[io_gguf_has_metadata] NULL argument.");
  mx_gguf_meta *m = mx_gguf_find_meta(g, key);
  *flag = m && m->kind == kind;
  return 0;
}

int mlx_io_gguf_has_metadata_array(bool *flag, mlx_io_gguf io, const char *key) {
  return has(flag, io, key, MX_GGUF_META_ARRAY);
}
int mlx_io_gguf_has_metadata_string(bool *flag, mlx_io_gguf io, const char *key) {
  return has(flag, io, key, MX_GGUF_META_STRING);
}
int mlx_io_gguf_has_metadata_vector_string(bool *flag, mlx_io_gguf io, const char *key) {
  return has(flag, io, key, MX_GGUF_META_STRINGS);
}

int mlx_io_gguf_set_array(mlx_io_gguf io, const char *key, const mlx_array arr) {
  mx_gguf *g = get("io_gguf_set_array", io);
  if (!g) return 1;
  if (!key || !arr.ctx) return mlx_api_error("[io_gguf_set_array] NULL key or empty array.");
  return mx_gguf_set_array(g, key, mlx_api_arr(arr)) ? mlx_api_fail() : 0;
}

/* A fresh metadata slot for key (or NULL, reported). */
static mx_gguf_meta *slot(const char *op, mlx_io_gguf io, const char *key) {
  mx_gguf *g = get(op, io);
  if (!g) return NULL;
  if (!key) {
    mlx_api_error("[%s] Key is NULL.", op);
    return NULL;
  }
  mx_gguf_meta *m = mx_gguf_meta_slot(g, key);
  if (!m) mlx_api_fail();
  return m;
}

int mlx_io_gguf_set_metadata_array(mlx_io_gguf io, const char *key, const mlx_array marr) {
  if (!marr.ctx) return mlx_api_error("[io_gguf_set_metadata_array] Got an empty array handle.");
  mx_gguf_meta *m = slot("io_gguf_set_metadata_array", io, key);
  if (!m) return 1;
  m->kind = MX_GGUF_META_ARRAY;
  m->arr = mx_array_retain(mlx_api_arr(marr));
  return 0;
}

int mlx_io_gguf_set_metadata_string(mlx_io_gguf io, const char *key, const char *mstr) {
  if (!mstr) return mlx_api_error("[io_gguf_set_metadata_string] String is NULL.");
  char *copy = strdup(mstr);
  if (!copy) return mlx_api_error("[io_gguf_set_metadata_string] Out of memory.");
  mx_gguf_meta *m = slot("io_gguf_set_metadata_string", io, key);
  if (!m) {
    free(copy);
    return 1;
  }
  m->kind = MX_GGUF_META_STRING;
  m->str = copy;
  return 0;
}

int mlx_io_gguf_set_metadata_vector_string(mlx_io_gguf io, const char *key,
                                           const mlx_vector_string mvstr) {
  size_t n = mlx_vector_string_size(mvstr);
  char **strs = calloc(n ? n : 1, sizeof *strs);
  if (!strs) return mlx_api_error("[io_gguf_set_metadata_vector_string] Out of memory.");
  for (size_t i = 0; i < n; i++) {
    char *s = NULL;
    if (mlx_vector_string_get(&s, mvstr, i) || !(strs[i] = strdup(s))) {
      for (size_t j = 0; j < i; j++) free(strs[j]);
      free(strs);
      return mlx_api_error("[io_gguf_set_metadata_vector_string] Out of memory.");
    }
  }
  mx_gguf_meta *m = slot("io_gguf_set_metadata_vector_string", io, key);
  if (!m) {
    for (size_t j = 0; j < n; j++) free(strs[j]);
    free(strs);
    return 1;
  }
  m->kind = MX_GGUF_META_STRINGS;
  m->strs = strs;
  m->nstrs = n;
  return 0;
}
