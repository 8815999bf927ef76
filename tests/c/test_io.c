/* Array files through the public C API: npy (every dtype, 0-d, empty, non-contiguous, Fortran
 * order, big-endian, versions 2/3), npz (stored, deflated), safetensors (metadata, a layout
 * built byte by byte), gguf (tensors, every metadata kind, Q4_0/Q4_1/Q8_0 blocks), custom
 * readers and writers, and corrupt inputs: crafted bad files with their messages, every
 * truncation and a few hundred random byte mutations of each format (run under ASan/UBSan in
 * CI: any out-of-bounds read shows there). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static char last_msg[1024];
static mlx_stream cpu;
static char dir[256];

static void capture_error(const char *msg, void *data) {
  (void)data;
  snprintf(last_msg, sizeof last_msg, "%s", msg);
}

static const char *path_of(const char *name) {
  static char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return p;
}

/* ------------------------------------------------------------------ memory streams */

typedef struct {
  char *data;
  size_t size, cap, pos;
  bool ok;
} membuf;

static bool m_good(void *d) {
  return ((membuf *)d)->ok;
}
static bool m_open(void *d) {
  (void)d;
  return true;
}
static size_t m_tell(void *d) {
  return ((membuf *)d)->pos;
}
static void m_seek(void *d, int64_t off, int whence) {
  membuf *m = d;
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)m->pos : (int64_t)m->size;
  if (base + off < 0 || (size_t)(base + off) > m->size)
    m->ok = false;
  else
    m->pos = (size_t)(base + off);
}
static void m_read(void *d, char *dst, size_t n) {
  membuf *m = d;
  if (n > m->size - m->pos) {
    m->ok = false;
    return;
  }
  memcpy(dst, m->data + m->pos, n);
  m->pos += n;
}
static void m_write(void *d, const char *src, size_t n) {
  membuf *m = d;
  if (m->pos + n > m->cap) {
    m->cap = (m->pos + n) * 2;
    m->data = realloc(m->data, m->cap);
  }
  memcpy(m->data + m->pos, src, n);
  m->pos += n;
  if (m->pos > m->size) m->size = m->pos;
}
static const char *m_label(void *d) {
  (void)d;
  return "membuf";
}

static const mlx_io_vtable MEM_VT = {m_open, m_good,  m_tell,  m_seek, m_read,
                                     NULL,   m_write, m_label, NULL};

static membuf mem_of(const void *data, size_t n) {
  membuf m = {malloc(n ? n : 1), n, n ? n : 1, 0, true};
  memcpy(m.data, data, n);
  return m;
}

static void write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  fwrite(data, 1, n, f);
  fclose(f);
}

static membuf read_file(const char *path) {
  membuf m = {NULL, 0, 0, 0, true};
  FILE *f = fopen(path, "rb");
  if (!f) return m;
  fseek(f, 0, SEEK_END);
  m.size = m.cap = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  m.data = malloc(m.size ? m.size : 1);
  if (fread(m.data, 1, m.size, f) != m.size) m.ok = false;
  fclose(f);
  return m;
}

/* ------------------------------------------------------------------ helpers */

static bool same(mlx_array a, mlx_array b) {
  if (mlx_array_dtype(a) != mlx_array_dtype(b) || mlx_array_ndim(a) != mlx_array_ndim(b))
    return false;
  for (size_t i = 0; i < mlx_array_ndim(a); i++)
    if (mlx_array_shape(a)[i] != mlx_array_shape(b)[i]) return false;
  mlx_array e = mlx_array_new();
  bool r = false;
  if (!mlx_array_equal(&e, a, b, true, cpu)) r = !mlx_array_item_bool(&r, e) && r;
  mlx_array_free(e);
  return r;
}

/* An array of dtype dt holding 0, 1, 2, ... (bool: alternating), in shape. */
static mlx_array ramp(mlx_dtype dt, const int *shape, int nd) {
  int64_t n = 1;
  for (int i = 0; i < nd; i++) n *= shape[i];
  float *v = malloc((size_t)(n ? n : 1) * sizeof(float));
  for (int64_t i = 0; i < n; i++)
    v[i] = dt == MLX_BOOL ? (float)(i % 2) : (float)(i % 100) - 20 * (dt >= MLX_INT8);
  mlx_array f = mlx_array_new_data(v, shape, nd, MLX_FLOAT32), r = mlx_array_new();
  free(v);
  CHECK_OK(mlx_astype(&r, f, dt, cpu));
  mlx_array_free(f);
  return r;
}

static const mlx_dtype ALL[] = {MLX_BOOL,    MLX_UINT8,   MLX_UINT16,   MLX_UINT32,   MLX_UINT64,
                                MLX_INT8,    MLX_INT16,   MLX_INT32,    MLX_INT64,    MLX_FLOAT16,
                                MLX_FLOAT32, MLX_FLOAT64, MLX_BFLOAT16, MLX_COMPLEX64};
#define NALL (sizeof ALL / sizeof ALL[0])

/* ------------------------------------------------------------------ npy */

static void test_npy_roundtrip(void) {
  int shape[] = {3, 4};
  for (size_t i = 0; i < NALL; i++) {
    mlx_array a = ramp(ALL[i], shape, 2), b = mlx_array_new();
    CHECK_OK(mlx_save(path_of("t"), a)); /* ".npy" is appended */
    CHECK_OK(mlx_load(&b, path_of("t.npy"), cpu));
    CHECK(same(a, b));
    /* through a writer and a reader */
    membuf m = {NULL, 0, 0, 0, true};
    mlx_io_writer w = mlx_io_writer_new(&m, MEM_VT);
    CHECK_OK(mlx_save_writer(w, a));
    mlx_io_writer_free(w);
    m.pos = 0;
    mlx_io_reader r = mlx_io_reader_new(&m, MEM_VT);
    mlx_array c = mlx_array_new();
    CHECK_OK(mlx_load_reader(&c, r, cpu));
    CHECK(same(a, c));
    CHECK(m.pos == m.size);
    mlx_io_reader_free(r);
    free(m.data);
    mlx_array_free(a);
    mlx_array_free(b);
    mlx_array_free(c);
  }
  /* 0-d, empty, transposed (Fortran order on disk), strided slice */
  int s0[] = {0}, s3[] = {2, 0, 3}, s34[] = {3, 4};
  mlx_array cases[4];
  cases[0] = ramp(MLX_FLOAT32, s0, 0);
  cases[1] = ramp(MLX_INT32, s3, 3);
  mlx_array base = ramp(MLX_FLOAT64, s34, 2);
  cases[2] = mlx_array_new();
  CHECK_OK(mlx_transpose(&cases[2], base, cpu));
  cases[3] = mlx_array_new();
  int start[] = {0, 1}, stop[] = {3, 4}, strides[] = {2, 2};
  CHECK_OK(mlx_slice(&cases[3], base, start, 2, stop, 2, strides, 2, cpu));
  for (int i = 0; i < 4; i++) {
    mlx_array b = mlx_array_new();
    CHECK_OK(mlx_save(path_of("c.npy"), cases[i]));
    CHECK_OK(mlx_load(&b, path_of("c.npy"), cpu));
    CHECK(same(cases[i], b));
    mlx_array_free(b);
    mlx_array_free(cases[i]);
  }
  mlx_array_free(base);
}

/* Files as numpy writes them: big-endian, Fortran order, version 2, a '|u1' with no padding. */
static void test_npy_foreign(void) {
  static const char h1[] = "{'descr': '>i4', 'fortran_order': False, 'shape': (3,), }";
  char buf[256];
  size_t n = 0;
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  n = 8;
  buf[n++] = (char)(sizeof h1 - 1);
  buf[n++] = 0;
  memcpy(buf + n, h1, sizeof h1 - 1);
  n += sizeof h1 - 1;
  const unsigned char be[] = {0, 0, 0, 1, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe};
  memcpy(buf + n, be, sizeof be);
  n += sizeof be;
  write_file(path_of("be.npy"), buf, n);
  mlx_array a = mlx_array_new();
  CHECK_OK(mlx_load(&a, path_of("be.npy"), cpu));
  const int32_t *p = mlx_array_data_int32(a);
  CHECK(p && p[0] == 1 && p[1] == 256 && p[2] == -2);

  /* version 2, Fortran order (2, 3): column-major data 0..5 means a[i][j] = j * 2 + i */
  static const char h2[] = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n";
  n = 0;
  memcpy(buf, "\x93NUMPY\x02\x00", 8);
  n = 8;
  uint32_t hl = sizeof h2 - 1;
  memcpy(buf + n, &hl, 4);
  n += 4;
  memcpy(buf + n, h2, hl);
  n += hl;
  for (int i = 0; i < 6; i++) {
    float f = (float)i;
    memcpy(buf + n, &f, 4);
    n += 4;
  }
  write_file(path_of("f.npy"), buf, n);
  mlx_array f = mlx_array_new(), fc = mlx_array_new();
  CHECK_OK(mlx_load(&f, path_of("f.npy"), cpu));
  CHECK_OK(mlx_contiguous(&fc, f, false, cpu));
  CHECK_OK(mlx_array_eval(fc));
  const float *fp = mlx_array_data_float32(fc);
  CHECK(fp && fp[0] == 0 && fp[1] == 2 && fp[2] == 4 && fp[3] == 1 && fp[5] == 5);
  mlx_array_free(a);
  mlx_array_free(f);
  mlx_array_free(fc);
}

/* ------------------------------------------------------------------ npz */

static void test_npz(void) {
  int shape[] = {500, 70}; /* more than the read-ahead window */
  mlx_map_string_to_array m = mlx_map_string_to_array_new();
  mlx_array a = ramp(MLX_FLOAT32, shape, 2), b = ramp(MLX_INT16, shape, 1);
  mlx_map_string_to_array_insert(m, "a", a);
  mlx_map_string_to_array_insert(m, "arr_0", b);
  for (int compressed = 0; compressed < 2; compressed++) {
    CHECK_OK(mlx_save_npz(path_of("z"), m, compressed));
    mlx_map_string_to_array r = mlx_map_string_to_array_new();
    CHECK_OK(mlx_load_npz(&r, path_of("z.npz"), cpu));
    mlx_array x = mlx_array_new(), y = mlx_array_new();
    CHECK_OK(mlx_map_string_to_array_get(&x, r, "a"));
    CHECK_OK(mlx_map_string_to_array_get(&y, r, "arr_0"));
    CHECK(same(a, x) && same(b, y));
    mlx_array_free(x);
    mlx_array_free(y);
    mlx_map_string_to_array_free(r);
    /* through a writer / reader */
    membuf mb = {NULL, 0, 0, 0, true};
    mlx_io_writer w = mlx_io_writer_new(&mb, MEM_VT);
    CHECK_OK(mlx_save_npz_writer(w, m, compressed));
    mlx_io_writer_free(w);
    mb.pos = 0;
    mlx_io_reader rd = mlx_io_reader_new(&mb, MEM_VT);
    r = mlx_map_string_to_array_new();
    x = mlx_array_new();
    CHECK_OK(mlx_load_npz_reader(&r, rd, cpu));
    CHECK_OK(mlx_map_string_to_array_get(&x, r, "a"));
    CHECK(same(a, x));
    mlx_array_free(x);
    mlx_map_string_to_array_free(r);
    mlx_io_reader_free(rd);
    free(mb.data);
  }
  mlx_array_free(a);
  mlx_array_free(b);
  mlx_map_string_to_array_free(m);
}

/* ------------------------------------------------------------------ safetensors */

static void test_safetensors(void) {
  mlx_map_string_to_array m = mlx_map_string_to_array_new();
  mlx_map_string_to_string meta = mlx_map_string_to_string_new();
  mlx_map_string_to_string_insert(meta, "format", "mlx");
  int shape[] = {3, 2};
  mlx_array arrs[NALL] = {{NULL}};
  char names[NALL][8];
  for (size_t i = 0; i < NALL; i++) { /* not written: float64, complex64 (MLX can't read them) */
    if (ALL[i] == MLX_FLOAT64 || ALL[i] == MLX_COMPLEX64) continue;
    arrs[i] = ramp(ALL[i], shape, 2);
    snprintf(names[i], sizeof names[i], "t%zu", i);
    mlx_map_string_to_array_insert(m, names[i], arrs[i]);
  }
  CHECK_OK(mlx_save_safetensors(path_of("s"), m, meta));
  mlx_map_string_to_array r = mlx_map_string_to_array_new();
  mlx_map_string_to_string rm = mlx_map_string_to_string_new();
  CHECK_OK(mlx_load_safetensors(&r, &rm, path_of("s.safetensors"), cpu));
  for (size_t i = 0; i < NALL; i++) {
    if (!arrs[i].ctx) continue;
    mlx_array x = mlx_array_new();
    CHECK_OK(mlx_map_string_to_array_get(&x, r, names[i]));
    CHECK(same(arrs[i], x));
    mlx_array_free(x);
    mlx_array_free(arrs[i]);
  }
  const char *v = NULL;
  CHECK_OK(mlx_map_string_to_string_get(&v, rm, "format"));
  CHECK(v && !strcmp(v, "mlx"));
  /* float64 is refused (MLX cannot read it back), and the failed save leaves no file behind;
   * complex64 is written (as C64, as MLX writes it) */
  mlx_array c = ramp(MLX_FLOAT64, shape, 2);
  mlx_map_string_to_array_insert(m, "c", c);
  CHECK_FAIL(mlx_save_safetensors(path_of("s2"), m, meta));
  CHECK(strstr(last_msg, "[save_safetensors]") != NULL);
  CHECK(access(path_of("s2.safetensors"), F_OK) != 0);
  mlx_array_free(c);
  mlx_map_string_to_array cm = mlx_map_string_to_array_new();
  mlx_array z = ramp(MLX_COMPLEX64, shape, 2), z2 = mlx_array_new();
  mlx_map_string_to_array_insert(cm, "z", z);
  CHECK_OK(mlx_save_safetensors(path_of("s3"), cm, meta));
  mlx_map_string_to_array zr = mlx_map_string_to_array_new();
  mlx_map_string_to_string zm = mlx_map_string_to_string_new();
  CHECK_OK(mlx_load_safetensors(&zr, &zm, path_of("s3.safetensors"), cpu));
  CHECK_OK(mlx_map_string_to_array_get(&z2, zr, "z"));
  CHECK(same(z, z2));
  mlx_array_free(z);
  mlx_array_free(z2);
  mlx_map_string_to_array_free(cm);
  mlx_map_string_to_array_free(zr);
  mlx_map_string_to_string_free(zm);

  /* A file built byte by byte: header {"w":{"dtype":"I16","shape":[2],"data_offsets":[0,4]},
   * "__metadata__":{"a":"b"}} then 4 bytes. */
  static const char js[] = "{\"w\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                           "\"__metadata__\":{\"a\":\"b\"}}";
  char buf[256];
  uint64_t hl = sizeof js - 1;
  memcpy(buf, &hl, 8);
  memcpy(buf + 8, js, hl);
  const int16_t d[2] = {-3, 300};
  memcpy(buf + 8 + hl, d, 4);
  membuf mb = mem_of(buf, 8 + hl + 4);
  mlx_io_reader rd = mlx_io_reader_new(&mb, MEM_VT);
  mlx_map_string_to_array r2 = mlx_map_string_to_array_new();
  mlx_map_string_to_string rm2 = mlx_map_string_to_string_new();
  CHECK_OK(mlx_load_safetensors_reader(&r2, &rm2, rd, cpu));
  mlx_array w = mlx_array_new();
  CHECK_OK(mlx_map_string_to_array_get(&w, r2, "w"));
  const int16_t *wp = mlx_array_data_int16(w);
  CHECK(wp && wp[0] == -3 && wp[1] == 300 && mlx_array_dtype(w) == MLX_INT16);
  CHECK_OK(mlx_map_string_to_string_get(&v, rm2, "a"));
  CHECK(v && !strcmp(v, "b"));
  mlx_array_free(w);
  mlx_io_reader_free(rd);
  free(mb.data);
  mlx_map_string_to_array_free(r2);
  mlx_map_string_to_string_free(rm2);
  mlx_map_string_to_array_free(r);
  mlx_map_string_to_string_free(rm);
  mlx_map_string_to_array_free(m);
  mlx_map_string_to_string_free(meta);
}

/* ------------------------------------------------------------------ gguf */

static void test_gguf(void) {
  mlx_io_gguf g = mlx_io_gguf_new();
  int shape[] = {2, 3, 4}, s1[] = {3};
  const mlx_dtype dts[] = {MLX_FLOAT32, MLX_FLOAT16, MLX_BFLOAT16, MLX_INT8, MLX_INT16, MLX_INT32};
  mlx_array arrs[6];
  char names[6][8];
  for (int i = 0; i < 6; i++) {
    arrs[i] = ramp(dts[i], shape, 3 - i % 3);
    snprintf(names[i], sizeof names[i], "w%d", i);
    CHECK_OK(mlx_io_gguf_set_array(g, names[i], arrs[i]));
  }
  mlx_array mv = ramp(MLX_UINT32, s1, 1), ms = ramp(MLX_FLOAT32, s1, 0);
  CHECK_OK(mlx_io_gguf_set_metadata_array(g, "vec", mv));
  CHECK_OK(mlx_io_gguf_set_metadata_array(g, "scalar", ms));
  CHECK_OK(mlx_io_gguf_set_metadata_string(g, "name", "tiny"));
  const char *toks[] = {"a", "bc", ""};
  mlx_vector_string vs = mlx_vector_string_new_data(toks, 3);
  CHECK_OK(mlx_io_gguf_set_metadata_vector_string(g, "tokens", vs));
  CHECK_OK(mlx_save_gguf(path_of("g"), g));

  mlx_io_gguf h = mlx_io_gguf_new();
  CHECK_OK(mlx_load_gguf(&h, path_of("g.gguf"), cpu));
  mlx_vector_string keys = mlx_vector_string_new();
  CHECK_OK(mlx_io_gguf_get_keys(&keys, h));
  CHECK(mlx_vector_string_size(keys) == 6);
  for (int i = 0; i < 6; i++) {
    mlx_array x = mlx_array_new();
    CHECK_OK(mlx_io_gguf_get_array(&x, h, names[i]));
    CHECK(same(arrs[i], x));
    mlx_array_free(x);
  }
  mlx_array x = mlx_array_new();
  CHECK_OK(mlx_io_gguf_get_metadata_array(&x, h, "vec"));
  CHECK(same(mv, x));
  CHECK_OK(mlx_io_gguf_get_metadata_array(&x, h, "scalar"));
  CHECK(same(ms, x));
  mlx_string str = mlx_string_new();
  CHECK_OK(mlx_io_gguf_get_metadata_string(&str, h, "name"));
  CHECK(!strcmp(mlx_string_data(str), "tiny"));
  mlx_vector_string vr = mlx_vector_string_new();
  CHECK_OK(mlx_io_gguf_get_metadata_vector_string(&vr, h, "tokens"));
  char *t1 = NULL;
  CHECK(mlx_vector_string_size(vr) == 3 && !mlx_vector_string_get(&t1, vr, 1) && !strcmp(t1, "bc"));
  bool flag = true;
  CHECK_OK(mlx_io_gguf_has_metadata_string(&flag, h, "vec"));
  CHECK(!flag);
  CHECK_OK(mlx_io_gguf_has_metadata_vector_string(&flag, h, "tokens"));
  CHECK(flag);
  CHECK_FAIL(mlx_io_gguf_get_array(&x, h, "missing"));
  /* refused: uint8 tensors and 2-d metadata */
  mlx_array u8 = ramp(MLX_UINT8, s1, 1), m2 = ramp(MLX_INT32, shape, 2);
  mlx_io_gguf bad = mlx_io_gguf_new();
  mlx_io_gguf_set_array(bad, "u", u8);
  CHECK_FAIL(mlx_save_gguf(path_of("bad"), bad));
  mlx_io_gguf_free(bad);
  bad = mlx_io_gguf_new();
  mlx_io_gguf_set_metadata_array(bad, "m", m2);
  CHECK_FAIL(mlx_save_gguf(path_of("bad"), bad));
  CHECK(strstr(last_msg, "more than one dimension") != NULL);
  mlx_io_gguf_free(bad);
  mlx_array_free(u8);
  mlx_array_free(m2);
  for (int i = 0; i < 6; i++) mlx_array_free(arrs[i]);
  mlx_array_free(x);
  mlx_array_free(mv);
  mlx_array_free(ms);
  mlx_string_free(str);
  mlx_vector_string_free(vs);
  mlx_vector_string_free(vr);
  mlx_vector_string_free(keys);
  mlx_io_gguf_free(g);
  mlx_io_gguf_free(h);
}

/* A GGUF file with one tensor "q.weight" of shape (2, 32) in ggml type `type`, block bytes
 * given; returns its size. */
static size_t gguf_quant_file(char *buf, uint32_t type, const unsigned char *blocks, size_t nb) {
  size_t n = 0;
#define PUT(p, k) (memcpy(buf + n, (p), (k)), n += (k))
  uint32_t v3 = 3, nd = 2;
  uint64_t nt = 1, nm = 0, len = 8, d0 = 32, d1 = 2, off = 0;
  PUT("GGUF", 4);
  PUT(&v3, 4);
  PUT(&nt, 8);
  PUT(&nm, 8);
  PUT(&len, 8);
  PUT("q.weight", 8);
  PUT(&nd, 4);
  PUT(&d0, 8);
  PUT(&d1, 8);
  PUT(&type, 4);
  PUT(&off, 8);
  while (n % 32) buf[n++] = 0;
  PUT(blocks, nb);
#undef PUT
  return n;
}

static void test_gguf_quant(void) {
  /* two blocks each; check dequantized values q * scale + bias against the ggml formula */
  unsigned char blocks[2 * 34];
  char buf[512];
  const uint32_t types[] = {2, 3, 8};
  const size_t bsz[] = {18, 20, 34};
  for (int t = 0; t < 3; t++) {
    for (size_t i = 0; i < sizeof blocks; i++) blocks[i] = (unsigned char)(i * 37 + 11);
    for (int b = 0; b < 2; b++) { /* d = 0.5 (0x3800), m = -1 (0xbc00) */
      blocks[b * bsz[t]] = 0x00, blocks[b * bsz[t] + 1] = 0x38;
      if (t == 1) blocks[b * bsz[t] + 2] = 0x00, blocks[b * bsz[t] + 3] = 0xbc;
    }
    size_t n = gguf_quant_file(buf, types[t], blocks, 2 * bsz[t]);
    write_file(path_of("q.gguf"), buf, n);
    mlx_io_gguf g = mlx_io_gguf_new();
    CHECK_OK(mlx_load_gguf(&g, path_of("q.gguf"), cpu));
    mlx_array w = mlx_array_new(), s = mlx_array_new(), bi = mlx_array_new();
    CHECK_OK(mlx_io_gguf_get_array(&w, g, "q.weight"));
    CHECK_OK(mlx_io_gguf_get_array(&s, g, "q.scales"));
    CHECK_OK(mlx_io_gguf_get_array(&bi, g, "q.biases"));
    int bits = t == 2 ? 8 : 4;
    CHECK(mlx_array_ndim(w) == 2 && mlx_array_shape(w)[1] == 32 * bits / 32);
    CHECK(mlx_array_shape(s)[0] == 2 && mlx_array_shape(s)[1] == 1);
    const uint32_t *wp = mlx_array_data_uint32(w);
    mlx_array sf = mlx_array_new(), bf = mlx_array_new();
    mlx_astype(&sf, s, MLX_FLOAT32, cpu);
    mlx_astype(&bf, bi, MLX_FLOAT32, cpu);
    mlx_array_eval(sf);
    mlx_array_eval(bf);
    const float *sp = mlx_array_data_float32(sf), *bp = mlx_array_data_float32(bf);
    int bad = 0;
    CHECK(wp && sp && bp);
    for (int b = 0; b < 2 && wp && sp && bp; b++)
      for (int j = 0; j < 32; j++) {
        const unsigned char *blk = blocks + b * bsz[t];
        float ref;
        if (t == 2)
          ref = (float)(int8_t)blk[2 + j] * 0.5f;
        else {
          const unsigned char *qs = blk + (t == 1 ? 4 : 2);
          int q = j < 16 ? qs[j] & 0xf : qs[j - 16] >> 4;
          ref = t == 1 ? q * 0.5f - 1.0f : (q - 8) * 0.5f;
        }
        int per = 32 / bits;
        uint32_t word = wp[b * (32 * bits / 32) + j / per];
        uint32_t q = (word >> (bits * (j % per))) & ((1u << bits) - 1);
        bad += q * sp[b] + bp[b] != ref;
      }
    CHECK(bad == 0);
    mlx_array_free(w);
    mlx_array_free(s);
    mlx_array_free(bi);
    mlx_array_free(sf);
    mlx_array_free(bf);
    mlx_io_gguf_free(g);
  }
}

/* ------------------------------------------------------------------ corrupt inputs */

typedef enum { F_NPY, F_NPZ, F_ST, F_GGUF } fmt;

/* Loads a byte string as the format; 0 on success, 1 on a clean failure. */
static int load_bytes(fmt f, const char *data, size_t n) {
  last_msg[0] = 0;
  int rc;
  if (f == F_GGUF) {
    write_file(path_of("fz.gguf"), data, n);
    mlx_io_gguf g = mlx_io_gguf_new();
    rc = mlx_load_gguf(&g, path_of("fz.gguf"), cpu);
    mlx_io_gguf_free(g);
  } else {
    membuf m = mem_of(data, n);
    mlx_io_reader r = mlx_io_reader_new(&m, MEM_VT);
    mlx_array a = mlx_array_new();
    mlx_map_string_to_array ma = mlx_map_string_to_array_new();
    mlx_map_string_to_string ms = mlx_map_string_to_string_new();
    if (f == F_NPY)
      rc = mlx_load_reader(&a, r, cpu);
    else if (f == F_NPZ)
      rc = mlx_load_npz_reader(&ma, r, cpu);
    else
      rc = mlx_load_safetensors_reader(&ma, &ms, r, cpu);
    if (!rc && f == F_NPY) rc = mlx_array_eval(a); /* a Fortran-order load is a view */
    mlx_array_free(a);
    mlx_map_string_to_array_free(ma);
    mlx_map_string_to_string_free(ms);
    mlx_io_reader_free(r);
    free(m.data);
  }
  return rc;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Every truncation fails cleanly; random mutations load or fail cleanly. */
static void fuzz(fmt f, const membuf *valid, int mutations) {
  int bad_msgs = 0, trunc_ok = 0;
  CHECK_OK(load_bytes(f, valid->data, valid->size));
  for (size_t n = 0; n < valid->size; n++) {
    if (load_bytes(f, valid->data, n) == 0) {
      trunc_ok++;
      fprintf(stderr, "format %d: truncated to %zu of %zu loaded\n", (int)f, n, valid->size);
    } else if (strncmp(last_msg, "[load", 5))
      bad_msgs++;
  }
  char *copy = malloc(valid->size);
  for (int i = 0; i < mutations; i++) {
    memcpy(copy, valid->data, valid->size);
    int k = 1 + (int)(next() % 4);
    for (int j = 0; j < k; j++) {
      size_t at = next() % valid->size;
      copy[at] = (char)(next() % 3 == 0 ? 0xff : next());
    }
    if (load_bytes(f, copy, valid->size) && strncmp(last_msg, "[load", 5)) bad_msgs++;
  }
  free(copy);
  /* npy and npz tolerate nothing missing; a safetensors/gguf cut inside trailing padding of
   * the header may still hold every byte the tensors need, but none do here. */
  CHECK(trunc_ok == 0);
  if (trunc_ok) fprintf(stderr, "format %d: %d truncations loaded\n", (int)f, trunc_ok);
  CHECK(bad_msgs == 0);
  if (bad_msgs)
    fprintf(stderr, "format %d: %d messages without [load: %s\n", (int)f, bad_msgs, last_msg);
}

/* MLXC_IO_FUZZ=N scales the mutation counts (default 1; e.g. 20 for a long run). */
static void test_fuzz(void) {
  const char *env = getenv("MLXC_IO_FUZZ");
  int scale = env && atoi(env) > 0 ? atoi(env) : 1;
  int shape[] = {3, 5};
  mlx_array a = ramp(MLX_FLOAT32, shape, 2), b = ramp(MLX_BOOL, shape, 1);
  /* npy */
  CHECK_OK(mlx_save(path_of("v.npy"), a));
  membuf npy = read_file(path_of("v.npy"));
  fuzz(F_NPY, &npy, 400 * scale);
  /* npz (deflated: corruptions show as CRC or inflate errors) */
  mlx_map_string_to_array m = mlx_map_string_to_array_new();
  mlx_map_string_to_array_insert(m, "a", a);
  mlx_map_string_to_array_insert(m, "b", b);
  CHECK_OK(mlx_save_npz(path_of("v.npz"), m, true));
  membuf npz = read_file(path_of("v.npz"));
  fuzz(F_NPZ, &npz, 400 * scale);
  /* safetensors */
  mlx_map_string_to_string meta = mlx_map_string_to_string_new();
  mlx_map_string_to_string_insert(meta, "k", "v");
  CHECK_OK(mlx_save_safetensors(path_of("v.safetensors"), m, meta));
  membuf st = read_file(path_of("v.safetensors"));
  fuzz(F_ST, &st, 400 * scale);
  /* gguf */
  mlx_io_gguf g = mlx_io_gguf_new();
  mlx_io_gguf_set_array(g, "a", a);
  mlx_io_gguf_set_metadata_string(g, "s", "text");
  const char *toks[] = {"x", "yz"};
  mlx_vector_string vs = mlx_vector_string_new_data(toks, 2);
  mlx_io_gguf_set_metadata_vector_string(g, "v", vs);
  CHECK_OK(mlx_save_gguf(path_of("v.gguf"), g));
  membuf gg = read_file(path_of("v.gguf"));
  fuzz(F_GGUF, &gg, 300 * scale);
  free(npy.data);
  free(npz.data);
  free(st.data);
  free(gg.data);
  mlx_vector_string_free(vs);
  mlx_io_gguf_free(g);
  mlx_map_string_to_string_free(meta);
  mlx_map_string_to_array_free(m);
  mlx_array_free(a);
  mlx_array_free(b);
}

/* Crafted bad files and the message each gives. */
static void bad_npy(const char *header, size_t data_bytes, const char *expect) {
  char buf[1024];
  size_t hl = strlen(header);
  memcpy(buf, "\x93NUMPY\x01\x00", 8);
  buf[8] = (char)(hl & 0xff);
  buf[9] = (char)(hl >> 8);
  memcpy(buf + 10, header, hl);
  memset(buf + 10 + hl, 0, data_bytes);
  CHECK(load_bytes(F_NPY, buf, 10 + hl + data_bytes) != 0);
  CHECK(strstr(last_msg, expect) != NULL);
  if (!strstr(last_msg, expect)) fprintf(stderr, "npy '%s': got '%s'\n", header, last_msg);
}

static void bad_st(const char *json, size_t data_bytes, const char *expect) {
  char buf[1024];
  uint64_t hl = strlen(json);
  memcpy(buf, &hl, 8);
  memcpy(buf + 8, json, hl);
  memset(buf + 8 + hl, 0, data_bytes);
  CHECK(load_bytes(F_ST, buf, 8 + hl + data_bytes) != 0);
  CHECK(strstr(last_msg, expect) != NULL);
  if (!strstr(last_msg, expect)) fprintf(stderr, "st '%s': got '%s'\n", json, last_msg);
}

static void test_bad_files(void) {
  CHECK(load_bytes(F_NPY, "\x93NUMPZ\x01\x00\x00\x00", 10) && strstr(last_msg, "bad magic"));
  CHECK(load_bytes(F_NPY, "\x93NUMPY\x01\x00\xff\x00{}", 12) && strstr(last_msg, "past the end"));
  bad_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20, "runs past the end");
  bad_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, ), }", 0,
          "Invalid dimension");
  bad_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, "
          "2147483647, 2147483647), }",
          0, "overflows");
  bad_npy("{'descr': '<U8', 'fortran_order': False, 'shape': (1,), }", 32, "Unsupported dtype");
  bad_npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", 16, "Unsupported dtype");
  bad_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4, "Invalid npy header");
  bad_npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", 4, "Invalid npy header");
  bad_npy("{'descr': '<f4', 'shape': (1,), }", 4, "Invalid npy header");
  bad_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,", 4, "Invalid npy header");
  bad_st("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "Invalid json");
  bad_st("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "past the end");
  bad_st("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 12, "need 12");
  bad_st("{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
         "Unsupported dtype");
  bad_st("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "data_offsets");
  bad_st("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551615]}}", 8,
         "data_offsets");
  bad_st("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,1],"
         "\"data_offsets\":[0,8]}}",
         8, "Invalid dimension");
  bad_st("{\"a\":{\"dtype\":\"U8\",\"shape\":[2147483647,2147483647,2147483647],"
         "\"data_offsets\":[0,8]}}",
         8, "overflows");
  bad_st("{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8, "Invalid shape");
  bad_st("{\"a\":[1,2]}", 0, "Invalid entry");
  bad_st("{\"__metadata__\":{\"k\":1}}", 0, "not a string");
  bad_st("[]", 0, "Invalid json");
  {
    char buf[16] = {(char)0xff, (char)0xff, (char)0xff, (char)0xff, 0, 0, 0, 0, '{', '}'};
    CHECK(load_bytes(F_ST, buf, 10) && strstr(last_msg, "past the end"));
  }
  /* npz: a member that is not .npy, and a file that is not a zip */
  {
    membuf m = {NULL, 0, 0, 0, true};
    mlx_map_string_to_array mp = mlx_map_string_to_array_new();
    int s1[] = {2};
    mlx_array a = ramp(MLX_FLOAT32, s1, 1);
    mlx_map_string_to_array_insert(mp, "x", a);
    mlx_io_writer w = mlx_io_writer_new(&m, MEM_VT);
    CHECK_OK(mlx_save_npz_writer(w, mp, false));
    mlx_io_writer_free(w);
    char *p = memmem(m.data, m.size, "x.npy", 5);
    while (p) { /* rename the member (local and central headers) to x.txt */
      memcpy(p + 2, "txt", 3);
      p = memmem(p + 5, m.size - (size_t)(p + 5 - m.data), "x.npy", 5);
    }
    CHECK(load_bytes(F_NPZ, m.data, m.size) && strstr(last_msg, "not a .npy"));
    CHECK(load_bytes(F_NPZ, "PK\x03\x04garbage", 11) && strstr(last_msg, "[load]"));
    free(m.data);
    mlx_array_free(a);
    mlx_map_string_to_array_free(mp);
  }
  /* gguf: bad magic, huge counts, a tensor offset out of range, an unknown type */
  {
    char buf[512];
    CHECK(load_bytes(F_GGUF, "GGUX\x03\0\0\0", 8) && strstr(last_msg, "bad magic"));
    char hdr[24] = "GGUF\x03\0\0\0";
    memset(hdr + 8, 0xff, 16);
    CHECK(load_bytes(F_GGUF, hdr, 24) && strstr(last_msg, "[load_gguf]"));
    unsigned char blk[18] = {0};
    size_t n = gguf_quant_file(buf, 0, blk, 0); /* f32 (2, 32) with no data */
    CHECK(load_bytes(F_GGUF, buf, n) && strstr(last_msg, "past the end"));
    n = gguf_quant_file(buf, 77, blk, 18);
    CHECK(load_bytes(F_GGUF, buf, n) && strstr(last_msg, "unsupported ggml type"));
    n = gguf_quant_file(buf, 2, blk, 18); /* Q4_0 needs 2 blocks, has 1 */
    CHECK(load_bytes(F_GGUF, buf, n) && strstr(last_msg, "past the end"));
  }
  /* missing files */
  mlx_array a = mlx_array_new();
  CHECK(mlx_load(&a, path_of("nope.npy"), cpu) && strstr(last_msg, "Failed to open file"));
  mlx_array_free(a);
}

void run_tests(void) {
  mlx_set_error_handler(capture_error, NULL, NULL);
  cpu = mlx_default_cpu_stream_new();
  snprintf(dir, sizeof dir, "/tmp/mlxc_test_io_%d", (int)getpid());
  char cmd[300];
  snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
  if (system(cmd)) fprintf(stderr, "cannot create %s\n", dir);
  test_npy_roundtrip();
  test_npy_foreign();
  test_npz();
  test_safetensors();
  test_gguf();
  test_gguf_quant();
  test_bad_files();
  test_fuzz();
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) fprintf(stderr, "cannot remove %s\n", dir);
  mlx_stream_free(cpu);
}
