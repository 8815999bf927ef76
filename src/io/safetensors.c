/* .safetensors: an 8-byte little-endian header length N, N bytes of JSON
 *   {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3],
 *    "data_offsets": [begin, end]}, ...}
 * (offsets relative to the byte after the header), then the data. The JSON is parsed and
 * written with json-c. */
#include <errno.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/io.h"

static const struct {
  const char *name;
  mx_dtype dtype;
} DTYPES[] = {
    {"BOOL", MX_BOOL},     {"U8", MX_UINT8},      {"U16", MX_UINT16},  {"U32", MX_UINT32},
    {"U64", MX_UINT64},    {"I8", MX_INT8},       {"I16", MX_INT16},   {"I32", MX_INT32},
    {"I64", MX_INT64},     {"F16", MX_FLOAT16},   {"F32", MX_FLOAT32}, {"F64", MX_FLOAT64},
    {"BF16", MX_BFLOAT16}, {"C64", MX_COMPLEX64},
};

static const char *dtype_name(mx_dtype t) {
  for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
    if (DTYPES[i].dtype == t) return DTYPES[i].name;
  return NULL;
}

static bool dtype_parse(const char *s, mx_dtype *t) {
  for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
    if (!strcmp(DTYPES[i].name, s)) {
      *t = DTYPES[i].dtype;
      return true;
    }
  return false;
}

/* ---- load ---- */

static bool get_uint(json_object *o, int64_t *v) {
  if (!json_object_is_type(o, json_type_int)) return false;
  errno = 0;
  *v = json_object_get_int64(o);
  /* json-c clamps values beyond int64 to INT64_MAX and sets errno. */
  return *v >= 0 && *v != INT64_MAX && errno == 0;
}

/* An int list of at most max entries. */
static bool get_ints(json_object *o, int max, int *n, int64_t *v) {
  if (!json_object_is_type(o, json_type_array)) return false;
  size_t len = json_object_array_length(o);
  if (len > (size_t)max) return false;
  for (size_t i = 0; i < len; i++)
    if (!get_uint(json_object_array_get_idx(o, i), &v[i])) return false;
  *n = (int)len;
  return true;
}

static int load_tensor(mx_istream *s, uint64_t data_start, const char *name, json_object *info,
                       mx_array **out) {
  json_object *jd, *js, *jo;
  if (!json_object_is_type(info, json_type_object) ||
      !json_object_object_get_ex(info, "dtype", &jd) ||
      !json_object_object_get_ex(info, "shape", &js) ||
      !json_object_object_get_ex(info, "data_offsets", &jo) ||
      !json_object_is_type(jd, json_type_string))
    return mx_error("[load_safetensors] Invalid entry for tensor '%s'.", name);
  mx_dtype dtype;
  if (!dtype_parse(json_object_get_string(jd), &dtype))
    return mx_error("[load_safetensors] Unsupported dtype '%s' for tensor '%s'.",
                    json_object_get_string(jd), name);
  int ndim, noff;
  int64_t shape[MX_MAX_NDIM], off[2];
  if (!get_ints(js, MX_MAX_NDIM, &ndim, shape))
    return mx_error("[load_safetensors] Invalid shape for tensor '%s'.", name);
  if (!get_ints(jo, 2, &noff, off) || noff != 2 || off[1] < off[0])
    return mx_error("[load_safetensors] Invalid data_offsets for tensor '%s'.", name);
  uint64_t nbytes;
  MX_TRY(mx_io_check_shape(s->op, ndim, shape, dtype, &nbytes));
  if ((uint64_t)(off[1] - off[0]) != nbytes)
    return mx_error("[load_safetensors] Tensor '%s' has %lld bytes of data but its shape and "
                    "dtype need %llu.",
                    name, (long long)(off[1] - off[0]), (unsigned long long)nbytes);
  if ((uint64_t)off[1] > s->size - data_start)
    return mx_error("[load_safetensors] The data of tensor '%s' runs past the end of the file.",
                    name);
  return mx_io_read_array(out, s, data_start + (uint64_t)off[0], ndim, shape, dtype);
}

static int load_metadata(json_object *m, mx_named_string **meta, size_t *nmeta) {
  if (m == NULL || json_object_is_type(m, json_type_null)) { /* MLX writes null: no metadata */
    *meta = calloc(1, sizeof **meta);
    return *meta ? 0 : mx_error("[load_safetensors] Out of memory.");
  }
  if (!json_object_is_type(m, json_type_object))
    return mx_error("[load_safetensors] __metadata__ must be an object of strings.");
  size_t n = (size_t)json_object_object_length(m);
  *meta = calloc(n ? n : 1, sizeof **meta);
  if (!*meta) return mx_error("[load_safetensors] Out of memory.");
  json_object_object_foreach(m, k, v) {
    if (!json_object_is_type(v, json_type_string))
      return mx_error("[load_safetensors] Metadata value of '%s' is not a string.", k);
    mx_named_string *e = &(*meta)[(*nmeta)++];
    e->key = strdup(k);
    e->value = strdup(json_object_get_string(v));
    if (!e->key || !e->value) return mx_error("[load_safetensors] Out of memory.");
  }
  return 0;
}

static int parse_json(const char *text, size_t len, json_object **out) {
  if (len > INT32_MAX) return mx_error("[load_safetensors] The JSON header is too large.");
  json_tokener *tok = json_tokener_new();
  if (!tok) return mx_error("[load_safetensors] Out of memory.");
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  json_object *o = json_tokener_parse_ex(tok, text, (int)len);
  enum json_tokener_error err = json_tokener_get_error(tok);
  size_t used = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  while (o && used < len && (text[used] == ' ' || text[used] == '\n' || text[used] == '\0')) used++;
  if (!o || err != json_tokener_success || used != len ||
      !json_object_is_type(o, json_type_object)) {
    json_object_put(o);
    return mx_error("[load_safetensors] Invalid json header%s%s.", err ? ": " : "",
                    err ? json_tokener_error_desc(err) : "");
  }
  *out = o;
  return 0;
}

int mx_safetensors_load(mx_istream *s, mx_named_array **arrays, size_t *narrays,
                        mx_named_string **meta, size_t *nmeta) {
  unsigned char l[8];
  MX_TRY(mx_istream_read(s, l, 8));
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = hlen << 8 | l[i];
  if (hlen > mx_istream_left(s))
    return mx_error("[load_safetensors] The header length %llu runs past the end of the file.",
                    (unsigned long long)hlen);
  char *text = malloc(hlen ? hlen : 1);
  if (!text) return mx_error("[load_safetensors] Out of memory.");
  json_object *root = NULL;
  int rc = mx_istream_read(s, text, hlen);
  if (!rc) rc = parse_json(text, hlen, &root);
  free(text);
  MX_TRY(rc);
  uint64_t data_start = 8 + hlen;
  size_t cap = (size_t)json_object_object_length(root);
  *arrays = calloc(cap ? cap : 1, sizeof **arrays);
  *narrays = 0;
  *meta = NULL;
  *nmeta = 0;
  rc = *arrays ? 0 : mx_error("[load_safetensors] Out of memory.");
  json_object_object_foreach(root, key, val) {
    if (rc) break;
    if (!strcmp(key, "__metadata__")) {
      rc = *meta ? mx_error("[load_safetensors] Duplicate __metadata__.")
                 : load_metadata(val, meta, nmeta);
      continue;
    }
    mx_named_array *e = &(*arrays)[*narrays];
    rc = load_tensor(s, data_start, key, val, &e->arr);
    if (!rc && !(e->key = strdup(key))) rc = mx_error("[load_safetensors] Out of memory.");
    if (!rc || e->arr) (*narrays)++;
  }
  json_object_put(root);
  if (rc) {
    mx_io_free_arrays(*arrays, *narrays);
    mx_io_free_strings(*meta, *nmeta);
    *arrays = NULL;
    *meta = NULL;
    *narrays = *nmeta = 0;
  }
  return rc;
}

/* ---- save ---- */

static int build_header(const mx_named_array *arrays, mx_array **data, size_t n,
                        const mx_named_string *meta, size_t nmeta, json_object *root) {
  if (nmeta) {
    json_object *m = json_object_new_object();
    json_object_object_add(root, "__metadata__", m);
    for (size_t i = 0; i < nmeta; i++)
      json_object_object_add(m, meta[i].key, json_object_new_string(meta[i].value));
  }
  uint64_t off = 0;
  for (size_t i = 0; i < n; i++) {
    mx_array *a = data[i];
    const char *dt = dtype_name((mx_dtype)a->dtype);
    /* float64 loads but is not written, as in MLX (which cannot read it back) */
    if (!dt || a->dtype == MX_FLOAT64)
      return mx_error("[save_safetensors] Unsupported dtype %s of '%s'.",
                      mx_dtype_name((mx_dtype)a->dtype), arrays[i].key);
    json_object *t = json_object_new_object(), *shape = json_object_new_array(),
                *offs = json_object_new_array();
    json_object_object_add(root, arrays[i].key, t);
    json_object_object_add(t, "dtype", json_object_new_string(dt));
    for (int d = 0; d < a->ndim; d++)
      json_object_array_add(shape, json_object_new_int64(a->shape[d]));
    json_object_object_add(t, "shape", shape);
    json_object_array_add(offs, json_object_new_int64((int64_t)off));
    off += mx_array_nbytes(a);
    json_object_array_add(offs, json_object_new_int64((int64_t)off));
    json_object_object_add(t, "data_offsets", offs);
  }
  return 0;
}

int mx_safetensors_save(mx_ostream *s, const mx_named_array *arrays, size_t narrays,
                        const mx_named_string *meta, size_t nmeta) {
  for (size_t i = 0; i < narrays; i++)
    if (!strcmp(arrays[i].key, "__metadata__"))
      return mx_error("[save_safetensors] The name __metadata__ is reserved.");
  mx_array **data = calloc(narrays ? narrays : 1, sizeof *data);
  if (!data) return mx_error("[save_safetensors] Out of memory.");
  int rc = 0;
  for (size_t i = 0; i < narrays && !rc; i++) rc = mx_io_contiguous(&data[i], arrays[i].arr);
  json_object *root = json_object_new_object();
  if (!rc) rc = build_header(arrays, data, narrays, meta, nmeta, root);
  if (!rc) {
    size_t len;
    const char *text = json_object_to_json_string_length(
        root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    /* Pad the header with spaces so the data starts 8-byte aligned. */
    size_t padded = (len + 7) / 8 * 8;
    unsigned char l[8];
    for (int i = 0; i < 8; i++) l[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    static const char spaces[8] = "        ";
    rc = mx_ostream_write(s, l, 8);
    if (!rc) rc = mx_ostream_write(s, text, len);
    if (!rc) rc = mx_ostream_write(s, spaces, padded - len);
    for (size_t i = 0; i < narrays && !rc; i++)
      rc = mx_ostream_write(s, mx_array_data(data[i]), mx_array_nbytes(data[i]));
  }
  json_object_put(root);
  for (size_t i = 0; i < narrays; i++) mx_array_release(data[i]);
  free(data);
  return rc;
}
