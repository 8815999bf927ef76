/* .npy: "\x93NUMPY", version (1, 2 or 3), header length (2 bytes for v1, 4 after), a Python
 * dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces
 * and a newline, then the data. bfloat16 is written as '<V2', as MLX does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/io.h"
#include "ops/ops.h"

static const char MAGIC[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/* ---- dtype strings ---- */

static const struct {
  char kind;
  int size;
  mx_dtype dtype;
} DESCRS[] = {
    {'b', 1, MX_BOOL},     {'u', 1, MX_UINT8},     {'u', 2, MX_UINT16},  {'u', 4, MX_UINT32},
    {'u', 8, MX_UINT64},   {'i', 1, MX_INT8},      {'i', 2, MX_INT16},   {'i', 4, MX_INT32},
    {'i', 8, MX_INT64},    {'f', 2, MX_FLOAT16},   {'f', 4, MX_FLOAT32}, {'f', 8, MX_FLOAT64},
    {'V', 2, MX_BFLOAT16}, {'c', 8, MX_COMPLEX64},
};

static int descr_parse(const char *d, mx_dtype *dtype, bool *swap) {
  size_t len = strlen(d);
  if (len < 3 || len > 4 || !strchr("<>|=", d[0]))
    return mx_error("[load] Unsupported dtype '%s' in the npy header.", d);
  char *end;
  long size = strtol(d + 2, &end, 10);
  if (*end) return mx_error("[load] Unsupported dtype '%s' in the npy header.", d);
  for (size_t i = 0; i < sizeof DESCRS / sizeof DESCRS[0]; i++)
    if (DESCRS[i].kind == d[1] && DESCRS[i].size == size) {
      *dtype = DESCRS[i].dtype;
      *swap = d[0] == '>' && size > 1;
      return 0;
    }
  return mx_error("[load] Unsupported dtype '%s' in the npy header.", d);
}

static void descr_write(char *buf, mx_dtype t) {
  for (size_t i = 0; i < sizeof DESCRS / sizeof DESCRS[0]; i++)
    if (DESCRS[i].dtype == t) {
      snprintf(buf, 8, "%c%c%d", DESCRS[i].size == 1 ? '|' : '<', DESCRS[i].kind, DESCRS[i].size);
      return;
    }
}

/* ---- the header dict ---- */

typedef struct {
  const char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static bool eat(cursor *c, char ch) {
  skip_ws(c);
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return true;
  }
  return false;
}

/* A quoted string (no escapes: keys and dtype strings never have them) into out[cap]. */
static bool parse_str(cursor *c, char *out, size_t cap) {
  skip_ws(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return false;
  char q = *c->p++;
  size_t n = 0;
  while (c->p < c->end && *c->p != q) {
    if (*c->p == '\\' || n + 1 >= cap) return false;
    out[n++] = *c->p++;
  }
  if (c->p >= c->end) return false;
  c->p++;
  out[n] = 0;
  return true;
}

static bool parse_word(cursor *c, const char *w) {
  skip_ws(c);
  size_t n = strlen(w);
  if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n)) return false;
  c->p += n;
  return true;
}

/* (d0, d1, ...) with an optional trailing comma; dims are non-negative decimal integers. */
static bool parse_shape(cursor *c, int *ndim, int64_t *shape) {
  if (!eat(c, '(')) return false;
  *ndim = 0;
  for (;;) {
    if (eat(c, ')')) return true;
    skip_ws(c);
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return false;
    int64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
      if (v > (INT64_MAX - 9) / 10) return false;
      v = v * 10 + (*c->p++ - '0');
    }
    if (c->p < c->end && *c->p == 'L') c->p++;
    if (*ndim >= MX_MAX_NDIM) return false;
    shape[(*ndim)++] = v;
    if (!eat(c, ',')) return eat(c, ')');
  }
}

static int parse_header(const char *h, size_t len, mx_dtype *dtype, bool *swap, bool *fortran,
                        int *ndim, int64_t *shape) {
  cursor c = {h, h + len};
  char key[32], descr[32];
  bool got_descr = false, got_order = false, got_shape = false;
  if (!eat(&c, '{')) goto bad;
  while (!eat(&c, '}')) {
    if (!parse_str(&c, key, sizeof key) || !eat(&c, ':')) goto bad;
    if (!strcmp(key, "descr")) {
      if (!parse_str(&c, descr, sizeof descr)) goto bad;
      got_descr = true;
    } else if (!strcmp(key, "fortran_order")) {
      if (parse_word(&c, "True"))
        *fortran = true;
      else if (parse_word(&c, "False"))
        *fortran = false;
      else
        goto bad;
      got_order = true;
    } else if (!strcmp(key, "shape")) {
      if (!parse_shape(&c, ndim, shape)) goto bad;
      got_shape = true;
    } else {
      goto bad;
    }
    if (!eat(&c, ',')) {
      if (!eat(&c, '}')) goto bad;
      break;
    }
  }
  if (!got_descr || !got_order || !got_shape) goto bad;
  return descr_parse(descr, dtype, swap);
bad:
  return mx_error("[load] Invalid npy header.");
}

/* ---- load ---- */

static void byteswap(mx_array *a) {
  size_t w = mx_array_itemsize(a);
  size_t n = (size_t)a->size * (a->dtype == MX_COMPLEX64 ? 2 : 1);
  if (a->dtype == MX_COMPLEX64) w = 4;
  unsigned char *p = mx_array_data(a);
  for (size_t i = 0; i < n; i++, p += w)
    for (size_t j = 0; j < w / 2; j++) {
      unsigned char t = p[j];
      p[j] = p[w - 1 - j];
      p[w - 1 - j] = t;
    }
}

/* A Fortran-order block of shape s is the row-major transpose of reversed(s). */
static int from_fortran(mx_array **a) {
  int nd = (*a)->ndim;
  int32_t rev[MX_MAX_NDIM];
  int perm[MX_MAX_NDIM];
  for (int i = 0; i < nd; i++) {
    rev[i] = (*a)->shape[nd - 1 - i];
    perm[i] = nd - 1 - i;
  }
  mx_array *r = NULL, *t = NULL;
  mx_stream st = mx_array_stream(*a);
  int rc = mx_reshape(&r, *a, nd, rev, st);
  if (!rc) rc = mx_transpose(&t, r, perm, nd, st);
  mx_array_release(r);
  if (rc) return MX_ERR;
  mx_array_release(*a);
  *a = t;
  return 0;
}

int mx_npy_load(mx_array **out, mx_istream *s) {
  unsigned char pre[10];
  MX_TRY(mx_istream_read(s, pre, 8));
  if (memcmp(pre, MAGIC, 6)) return mx_error("[load] Invalid npy file: bad magic string.");
  if (pre[6] < 1 || pre[6] > 3) return mx_error("[load] Unsupported npy version %d.", pre[6]);
  uint32_t hlen;
  if (pre[6] == 1) {
    MX_TRY(mx_istream_read(s, pre + 8, 2));
    hlen = (uint32_t)pre[8] | (uint32_t)pre[9] << 8;
  } else {
    unsigned char l[4];
    MX_TRY(mx_istream_read(s, l, 4));
    hlen = (uint32_t)l[0] | (uint32_t)l[1] << 8 | (uint32_t)l[2] << 16 | (uint32_t)l[3] << 24;
  }
  if (hlen > mx_istream_left(s))
    return mx_error("[load] Invalid npy file: the header length %u runs past the end.", hlen);
  char *h = malloc(hlen ? hlen : 1);
  if (!h) return mx_error("[load] Out of memory.");
  mx_dtype dtype = MX_FLOAT32;
  bool swap = false, fortran = false;
  int ndim = 0;
  int64_t shape[MX_MAX_NDIM];
  int rc = mx_istream_read(s, h, hlen);
  if (!rc) rc = parse_header(h, hlen, &dtype, &swap, &fortran, &ndim, shape);
  free(h);
  MX_TRY(rc);
  mx_array *a = NULL;
  MX_TRY(mx_io_read_array(&a, s, s->pos, ndim, shape, dtype));
  s->pos += mx_array_nbytes(a);
  if (swap) byteswap(a);
  if (fortran && ndim > 1 && from_fortran(&a)) {
    mx_array_release(a);
    return MX_ERR;
  }
  *out = a;
  return 0;
}

/* ---- save ---- */

int mx_npy_save(mx_ostream *s, mx_array *a) {
  MX_TRY(mx_array_ensure(a));
  /* A column-major array is written as it lies, with fortran_order True. */
  bool fortran = a->ndim > 1 && (a->flags & MX_COL_CONTIGUOUS) && !(a->flags & MX_ROW_CONTIGUOUS);
  mx_array *c = NULL;
  if (fortran)
    c = mx_array_retain(a);
  else
    MX_TRY(mx_io_contiguous(&c, a));
  char descr[8], shape[MX_MAX_NDIM * 12 + 4];
  descr_write(descr, (mx_dtype)a->dtype);
  size_t n = 0;
  shape[n++] = '(';
  for (int i = 0; i < a->ndim; i++)
    n += (size_t)snprintf(shape + n, sizeof shape - n, i ? ", %d" : "%d", (int)a->shape[i]);
  n += (size_t)snprintf(shape + n, sizeof shape - n, a->ndim == 1 ? ",)" : ")");
  char h[sizeof shape + 256];
  int hl = snprintf(h + 10, sizeof h - 10, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                    descr, fortran ? "True" : "False", shape);
  /* Pad with spaces so the data starts at a multiple of 64; the header ends with '\n'. */
  size_t total = 10 + (size_t)hl + 1;
  size_t padded = (total + 63) / 64 * 64;
  memset(h + 10 + hl, ' ', padded - total);
  h[padded - 1] = '\n';
  memcpy(h, MAGIC, 6);
  h[6] = 1;
  h[7] = 0;
  h[8] = (char)((padded - 10) & 0xff);
  h[9] = (char)((padded - 10) >> 8);
  int rc = mx_ostream_write(s, h, padded);
  if (!rc) rc = mx_ostream_write(s, mx_array_data(c), mx_array_nbytes(c));
  mx_array_release(c);
  return rc;
}
