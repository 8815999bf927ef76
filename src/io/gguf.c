/* .gguf (version 2 and 3; version 3 is written):
 *   "GGUF", u32 version, u64 tensor count, u64 metadata count,
 *   metadata: string key, u32 value type, value (strings are u64 length + bytes; arrays are
 *             u32 element type + u64 count + elements),
 *   tensor infos: string name, u32 ndim, u64 dims (innermost first), u32 ggml type, u64 offset,
 *   padding to general.alignment (32 by default), then the tensor data at the offsets.
 * Shapes are reversed to MLX's row-major order. Numeric metadata becomes arrays (0-d for a
 * scalar), string arrays a list of strings. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/io.h"

enum {
  GV_UINT8,
  GV_INT8,
  GV_UINT16,
  GV_INT16,
  GV_UINT32,
  GV_INT32,
  GV_FLOAT32,
  GV_BOOL,
  GV_STRING,
  GV_ARRAY,
  GV_UINT64,
  GV_INT64,
  GV_FLOAT64,
  GV_COUNT
};

static const int META_DTYPE[GV_COUNT] = {
    [GV_UINT8] = MX_UINT8,     [GV_INT8] = MX_INT8,     [GV_UINT16] = MX_UINT16,
    [GV_INT16] = MX_INT16,     [GV_UINT32] = MX_UINT32, [GV_INT32] = MX_INT32,
    [GV_FLOAT32] = MX_FLOAT32, [GV_BOOL] = MX_BOOL,     [GV_STRING] = -1,
    [GV_ARRAY] = -1,           [GV_UINT64] = MX_UINT64, [GV_INT64] = MX_INT64,
    [GV_FLOAT64] = MX_FLOAT64,
};

/* ggml tensor types stored as plain arrays. */
static const struct {
  uint32_t type;
  mx_dtype dtype;
} TENSOR_TYPES[] = {
    {0, MX_FLOAT32}, {1, MX_FLOAT16}, {24, MX_INT8},    {25, MX_INT16},
    {26, MX_INT32},  {27, MX_INT64},  {28, MX_FLOAT64}, {30, MX_BFLOAT16},
};

/* ---- the container ---- */

void mx_gguf_meta_reset(mx_gguf_meta *m) {
  mx_array_release(m->arr);
  free(m->str);
  for (size_t i = 0; i < m->nstrs; i++) free(m->strs[i]);
  free(m->strs);
  m->arr = NULL;
  m->str = NULL;
  m->strs = NULL;
  m->nstrs = 0;
}

void mx_gguf_clear(mx_gguf *g) {
  mx_io_free_arrays(g->arrays, g->narrays);
  for (size_t i = 0; i < g->nmeta; i++) {
    mx_gguf_meta_reset(&g->meta[i]);
    free(g->meta[i].key);
  }
  free(g->meta);
  memset(g, 0, sizeof *g);
}

mx_gguf_meta *mx_gguf_find_meta(mx_gguf *g, const char *key) {
  for (size_t i = 0; i < g->nmeta; i++)
    if (!strcmp(g->meta[i].key, key)) return &g->meta[i];
  return NULL;
}

mx_array *mx_gguf_find_array(mx_gguf *g, const char *key) {
  for (size_t i = 0; i < g->narrays; i++)
    if (!strcmp(g->arrays[i].key, key)) return g->arrays[i].arr;
  return NULL;
}

/* Makes room for one more element of a growing list. */
static int grow(void **items, size_t *cap, size_t n, size_t size) {
  if (n < *cap) return 0;
  size_t c = *cap ? *cap * 2 : 16;
  void *p = realloc(*items, c * size);
  if (!p) return mx_error("[gguf] Out of memory.");
  *items = p;
  *cap = c;
  return 0;
}

int mx_gguf_set_array(mx_gguf *g, const char *key, mx_array *a) {
  for (size_t i = 0; i < g->narrays; i++)
    if (!strcmp(g->arrays[i].key, key)) {
      mx_array_release(g->arrays[i].arr);
      g->arrays[i].arr = mx_array_retain(a);
      return 0;
    }
  MX_TRY(grow((void **)&g->arrays, &g->arrays_cap, g->narrays, sizeof *g->arrays));
  char *k = strdup(key);
  if (!k) return mx_error("[gguf] Out of memory.");
  g->arrays[g->narrays++] = (mx_named_array){k, mx_array_retain(a)};
  return 0;
}

mx_gguf_meta *mx_gguf_meta_slot(mx_gguf *g, const char *key) {
  mx_gguf_meta *m = mx_gguf_find_meta(g, key);
  if (m) {
    mx_gguf_meta_reset(m);
    return m;
  }
  if (grow((void **)&g->meta, &g->meta_cap, g->nmeta, sizeof *g->meta)) return NULL;
  m = &g->meta[g->nmeta];
  memset(m, 0, sizeof *m);
  if (!(m->key = strdup(key))) {
    mx_error("[gguf] Out of memory.");
    return NULL;
  }
  g->nmeta++;
  return m;
}

/* ---- load ---- */

static int rd_u32(mx_istream *s, uint32_t *v) {
  return mx_istream_read(s, v, 4);
}
static int rd_u64(mx_istream *s, uint64_t *v) {
  return mx_istream_read(s, v, 8);
}

static int rd_string(mx_istream *s, char **out) {
  uint64_t len;
  MX_TRY(rd_u64(s, &len));
  if (len > mx_istream_left(s))
    return mx_error("[load_gguf] A string length (%llu) runs past the end of the file.",
                    (unsigned long long)len);
  char *p = malloc(len + 1);
  if (!p) return mx_error("[load_gguf] Out of memory.");
  if (mx_istream_read(s, p, len)) {
    free(p);
    return MX_ERR;
  }
  p[len] = 0;
  *out = p;
  return 0;
}

/* count values of a numeric type as an array (0-d when scalar). */
static int rd_numbers(mx_istream *s, uint32_t type, uint64_t count, bool scalar, mx_array **out) {
  mx_dtype dt = (mx_dtype)META_DTYPE[type];
  int64_t n = (int64_t)count;
  uint64_t nbytes;
  if (count > INT32_MAX) return mx_error("[load_gguf] Metadata array too long.");
  MX_TRY(mx_io_check_shape(s->op, scalar ? 0 : 1, &n, dt, &nbytes));
  MX_TRY(mx_io_read_array(out, s, s->pos, scalar ? 0 : 1, &n, dt));
  s->pos += nbytes;
  return 0;
}

static int skip_value(mx_istream *s, uint32_t type, int depth);

static int rd_meta(mx_istream *s, mx_gguf *g, const char *key, uint32_t type, uint32_t *align) {
  if (type >= GV_COUNT)
    return mx_error("[load_gguf] Invalid metadata type %u for '%s'.", type, key);
  if (type == GV_STRING) {
    char *str;
    MX_TRY(rd_string(s, &str));
    mx_gguf_meta *m = mx_gguf_meta_slot(g, key);
    if (!m) {
      free(str);
      return MX_ERR;
    }
    m->kind = MX_GGUF_META_STRING;
    m->str = str;
    return 0;
  }
  mx_array *arr = NULL;
  if (type == GV_ARRAY) {
    uint32_t et;
    uint64_t count;
    MX_TRY(rd_u32(s, &et));
    MX_TRY(rd_u64(s, &count));
    if (et >= GV_COUNT) return mx_error("[load_gguf] Invalid array type %u for '%s'.", et, key);
    if (et == GV_ARRAY) { /* nested arrays: not representable, skipped */
      for (uint64_t i = 0; i < count; i++) MX_TRY(skip_value(s, et, 1));
      return 0;
    }
    if (et == GV_STRING) {
      if (count > mx_istream_left(s) / 8)
        return mx_error("[load_gguf] The string array '%s' runs past the end of the file.", key);
      mx_gguf_meta *m = mx_gguf_meta_slot(g, key);
      if (!m) return MX_ERR;
      m->kind = MX_GGUF_META_STRINGS;
      m->strs = calloc(count ? count : 1, sizeof(char *));
      if (!m->strs) return mx_error("[load_gguf] Out of memory.");
      for (; m->nstrs < count; m->nstrs++) MX_TRY(rd_string(s, &m->strs[m->nstrs]));
      return 0;
    }
    MX_TRY(rd_numbers(s, et, count, false, &arr));
  } else {
    MX_TRY(rd_numbers(s, type, 1, true, &arr));
    if (!strcmp(key, "general.alignment") && type == GV_UINT32) {
      *align = *(uint32_t *)mx_array_data(arr);
      if (*align == 0 || (*align & (*align - 1)) || *align > (1u << 20)) {
        mx_array_release(arr);
        return mx_error("[load_gguf] Invalid general.alignment %u.", *align);
      }
    }
  }
  mx_gguf_meta *m = mx_gguf_meta_slot(g, key);
  if (!m) {
    mx_array_release(arr);
    return MX_ERR;
  }
  m->kind = MX_GGUF_META_ARRAY;
  m->arr = arr;
  return 0;
}

static const uint64_t VALUE_SIZE[GV_COUNT] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

static int skip_value(mx_istream *s, uint32_t type, int depth) {
  uint64_t n;
  if (type >= GV_COUNT || depth > 8) return mx_error("[load_gguf] Invalid metadata value.");
  if (type == GV_STRING) {
    MX_TRY(rd_u64(s, &n));
  } else if (type == GV_ARRAY) {
    uint32_t et;
    MX_TRY(rd_u32(s, &et));
    MX_TRY(rd_u64(s, &n));
    if (et >= GV_COUNT) return mx_error("[load_gguf] Invalid metadata value.");
    if (et == GV_STRING || et == GV_ARRAY) {
      for (uint64_t i = 0; i < n; i++) MX_TRY(skip_value(s, et, depth + 1));
      return 0;
    }
    if (n > mx_istream_left(s) / VALUE_SIZE[et])
      return mx_error("[load_gguf] Unexpected end of file.");
    n *= VALUE_SIZE[et];
  } else {
    n = VALUE_SIZE[type];
  }
  if (n > mx_istream_left(s)) return mx_error("[load_gguf] Unexpected end of file.");
  s->pos += n;
  return 0;
}

typedef struct {
  char *name;
  uint32_t ndim, type;
  int64_t shape[MX_MAX_NDIM];
  uint64_t offset;
} tensor_info;

static int rd_tensor_info(mx_istream *s, tensor_info *t) {
  MX_TRY(rd_string(s, &t->name));
  MX_TRY(rd_u32(s, &t->ndim));
  if (t->ndim > MX_MAX_NDIM)
    return mx_error("[load_gguf] Tensor '%s' has %u dimensions.", t->name, t->ndim);
  for (uint32_t i = 0; i < t->ndim; i++) {
    uint64_t d;
    MX_TRY(rd_u64(s, &d));
    if (d > INT32_MAX)
      return mx_error("[load_gguf] Invalid dimension %llu of tensor '%s'.", (unsigned long long)d,
                      t->name);
    t->shape[t->ndim - 1 - i] = (int64_t)d;
  }
  MX_TRY(rd_u32(s, &t->type));
  return rd_u64(s, &t->offset);
}

static int load_tensor(mx_istream *s, mx_gguf *g, const tensor_info *t, uint64_t data_start) {
  if (t->offset > s->size - data_start)
    return mx_error("[load_gguf] The offset of tensor '%s' is past the end of the file.", t->name);
  uint64_t off = data_start + t->offset;
  uint64_t block;
  int bits;
  if (mx_gguf_quant_type(t->type, &block, &bits))
    return mx_gguf_load_quant(g, s, t->name, t->type, (int)t->ndim, t->shape, off);
  for (size_t i = 0; i < sizeof TENSOR_TYPES / sizeof TENSOR_TYPES[0]; i++)
    if (TENSOR_TYPES[i].type == t->type) {
      mx_array *a = NULL;
      MX_TRY(mx_io_read_array(&a, s, off, (int)t->ndim, t->shape, TENSOR_TYPES[i].dtype));
      int rc = mx_gguf_set_array(g, t->name, a);
      mx_array_release(a);
      return rc;
    }
  return mx_error("[load_gguf] Tensor '%s' has the unsupported ggml type %u.", t->name, t->type);
}

static int load(mx_istream *s, mx_gguf *g) {
  char magic[4];
  uint32_t version, align = 32;
  uint64_t ntensors, nmeta;
  MX_TRY(mx_istream_read(s, magic, 4));
  if (memcmp(magic, "GGUF", 4)) return mx_error("[load_gguf] Invalid gguf file: bad magic.");
  MX_TRY(rd_u32(s, &version));
  if (version < 2 || version > 3)
    return mx_error("[load_gguf] Unsupported gguf version %u.", version);
  MX_TRY(rd_u64(s, &ntensors));
  MX_TRY(rd_u64(s, &nmeta));
  for (uint64_t i = 0; i < nmeta; i++) {
    char *key;
    uint32_t type;
    MX_TRY(rd_string(s, &key));
    int rc = rd_u32(s, &type);
    if (!rc) rc = rd_meta(s, g, key, type, &align);
    free(key);
    MX_TRY(rc);
  }
  /* Each tensor info takes at least 24 bytes: a bound on the count before allocating. */
  if (ntensors > mx_istream_left(s) / 24)
    return mx_error("[load_gguf] The tensor count %llu does not fit in the file.",
                    (unsigned long long)ntensors);
  tensor_info *ts = calloc(ntensors ? ntensors : 1, sizeof *ts);
  if (!ts) return mx_error("[load_gguf] Out of memory.");
  int rc = 0;
  uint64_t n = 0;
  for (; n < ntensors && !rc; n++) rc = rd_tensor_info(s, &ts[n]);
  uint64_t data_start = (s->pos + align - 1) / align * align;
  if (!rc && data_start > s->size) data_start = s->size;
  for (uint64_t i = 0; i < n && !rc; i++) rc = load_tensor(s, g, &ts[i], data_start);
  for (uint64_t i = 0; i < n; i++) free(ts[i].name);
  free(ts);
  return rc;
}

int mx_gguf_load(mx_istream *s, mx_gguf *g) {
  memset(g, 0, sizeof *g);
  if (load(s, g)) {
    mx_gguf_clear(g);
    return MX_ERR;
  }
  return 0;
}

/* ---- save ---- */

static int wr(mx_ostream *s, const void *p, size_t n) {
  return mx_ostream_write(s, p, n);
}
static int wr_u32(mx_ostream *s, uint32_t v) {
  return wr(s, &v, 4);
}
static int wr_u64(mx_ostream *s, uint64_t v) {
  return wr(s, &v, 8);
}
static int wr_string(mx_ostream *s, const char *str) {
  size_t n = strlen(str);
  MX_TRY(wr_u64(s, n));
  return wr(s, str, n);
}

/* Saving writes only what MLX reads back: no float64 metadata, no int64/float64 tensors. */
static int meta_type(mx_dtype t, uint32_t *type) {
  for (uint32_t i = 0; i < GV_COUNT && t != MX_FLOAT64; i++)
    if (META_DTYPE[i] == (int)t) {
      *type = i;
      return 0;
    }
  return mx_error("[save_gguf] Unsupported metadata dtype %s.", mx_dtype_name(t));
}

static int save_meta(mx_ostream *s, const mx_gguf_meta *m) {
  MX_TRY(wr_string(s, m->key));
  if (m->kind == MX_GGUF_META_STRING) {
    MX_TRY(wr_u32(s, GV_STRING));
    return wr_string(s, m->str);
  }
  if (m->kind == MX_GGUF_META_STRINGS) {
    MX_TRY(wr_u32(s, GV_ARRAY));
    MX_TRY(wr_u32(s, GV_STRING));
    MX_TRY(wr_u64(s, m->nstrs));
    for (size_t i = 0; i < m->nstrs; i++) MX_TRY(wr_string(s, m->strs[i]));
    return 0;
  }
  uint32_t type = 0;
  MX_TRY(meta_type((mx_dtype)m->arr->dtype, &type));
  mx_array *c = NULL;
  MX_TRY(mx_io_contiguous(&c, m->arr));
  int rc = 0;
  if (c->ndim == 1) {
    rc = wr_u32(s, GV_ARRAY);
    if (!rc) rc = wr_u32(s, type);
    if (!rc) rc = wr_u64(s, (uint64_t)c->size);
  } else {
    rc = wr_u32(s, type);
  }
  if (!rc) rc = wr(s, mx_array_data(c), mx_array_nbytes(c));
  mx_array_release(c);
  return rc;
}

static int check(mx_gguf *g) {
  for (size_t i = 0; i < g->nmeta; i++) {
    mx_gguf_meta *m = &g->meta[i];
    uint32_t type = 0;
    if (m->kind != MX_GGUF_META_ARRAY) continue;
    if (m->arr->ndim > 1)
      return mx_error("[save_gguf] Cannot save arrays with more than one dimension.");
    if (m->arr->size == 0) return mx_error("[save_gguf] Cannot save empty arrays.");
    MX_TRY(meta_type((mx_dtype)m->arr->dtype, &type));
  }
  for (size_t i = 0; i < g->narrays; i++) {
    mx_dtype t = (mx_dtype)g->arrays[i].arr->dtype;
    bool ok = false;
    for (size_t j = 0; j < sizeof TENSOR_TYPES / sizeof TENSOR_TYPES[0]; j++)
      ok |= TENSOR_TYPES[j].dtype == t && t != MX_INT64 && t != MX_FLOAT64;
    if (!ok) return mx_error("[save_gguf] dtype %s is not supported.", mx_dtype_name(t));
  }
  return 0;
}

static const char ZEROS[256];

int mx_gguf_save(mx_ostream *s, mx_gguf *g) {
  MX_TRY(check(g));
  mx_array **data = calloc(g->narrays ? g->narrays : 1, sizeof *data);
  if (!data) return mx_error("[save_gguf] Out of memory.");
  int rc = 0;
  for (size_t i = 0; i < g->narrays && !rc; i++) rc = mx_io_contiguous(&data[i], g->arrays[i].arr);
  uint32_t align = 32;
  mx_gguf_meta *am = mx_gguf_find_meta(g, "general.alignment");
  if (am && am->kind == MX_GGUF_META_ARRAY && am->arr->dtype == MX_UINT32 && am->arr->ndim == 0) {
    if (!rc) rc = mx_array_ensure(am->arr);
    if (!rc) align = *(uint32_t *)mx_array_data(am->arr);
    if (!rc && (align == 0 || (align & (align - 1)) || align > sizeof ZEROS))
      rc =
          mx_error("[save_gguf] general.alignment must be a power of two up to %zu.", sizeof ZEROS);
  }
  if (!rc) rc = wr(s, "GGUF", 4);
  if (!rc) rc = wr_u32(s, 3);
  if (!rc) rc = wr_u64(s, g->narrays);
  if (!rc) rc = wr_u64(s, g->nmeta);
  for (size_t i = 0; i < g->nmeta && !rc; i++) rc = save_meta(s, &g->meta[i]);
  uint64_t off = 0;
  for (size_t i = 0; i < g->narrays && !rc; i++) {
    mx_array *a = data[i];
    rc = wr_string(s, g->arrays[i].key);
    if (!rc) rc = wr_u32(s, (uint32_t)a->ndim);
    for (int d = a->ndim - 1; d >= 0 && !rc; d--) rc = wr_u64(s, (uint64_t)a->shape[d]);
    uint32_t type = 0;
    for (size_t j = 0; j < sizeof TENSOR_TYPES / sizeof TENSOR_TYPES[0]; j++)
      if (TENSOR_TYPES[j].dtype == a->dtype) type = TENSOR_TYPES[j].type;
    if (!rc) rc = wr_u32(s, type);
    if (!rc) rc = wr_u64(s, off);
    off = (off + mx_array_nbytes(a) + align - 1) / align * align;
  }
  for (size_t i = 0; i < g->narrays && !rc; i++) {
    rc = wr(s, ZEROS, (align - s->written % align) % align);
    if (!rc) rc = wr(s, mx_array_data(data[i]), mx_array_nbytes(data[i]));
  }
  for (size_t i = 0; i < g->narrays; i++) mx_array_release(data[i]);
  free(data);
  return rc;
}
