/* Array files: the streams the formats read and write, and the formats (npy, npz, safetensors,
 * gguf). Loads are eager and bounds-checked: every read names its extent and fails cleanly
 * (an op-named message, MX_ERR) past the end of the input, so a corrupt or truncated file never
 * reads out of bounds. Multi-byte values in the files are little-endian (x86/ARM hosts). */
#ifndef MX_IO_IO_H
#define MX_IO_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/array.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mlxc's file formats assume a little-endian host"
#endif

/* ---- input: a byte range [0, size) with random access (stream.c) ---- */

typedef struct mx_istream mx_istream;
struct mx_istream {
  void *ctx;
  /* Reads exactly n bytes at off (off + n <= size is checked by the caller); MX_ERR + message. */
  int (*read_at)(void *ctx, void *dst, size_t n, uint64_t off);
  void (*close)(void *ctx); /* may be NULL */
  uint64_t size;
  uint64_t pos;       /* the sequential cursor of mx_istream_read */
  uint64_t high;      /* the furthest byte read so far */
  const char *op;     /* names errors: "load", "load_safetensors", ... */
  unsigned char *buf; /* read-ahead for small sequential reads */
  uint64_t buf_off;
  size_t buf_len;
};

/* A file opened for reading ("[op] Failed to open file NAME" when it can't be). */
int mx_istream_file(mx_istream *s, const char *path, const char *op);
/* Releases the stream's resources (close callback, read-ahead). */
void mx_istream_close(mx_istream *s);
/* Sequential read of n bytes at pos; "[op] Unexpected end of file" past the end. */
int mx_istream_read(mx_istream *s, void *dst, size_t n);
/* Random-access read; the same bounds check. Large reads go straight into dst. */
int mx_istream_read_at(mx_istream *s, void *dst, size_t n, uint64_t off);
static inline uint64_t mx_istream_left(const mx_istream *s) {
  return s->pos <= s->size ? s->size - s->pos : 0;
}

/* ---- output ---- */

typedef struct mx_ostream mx_ostream;
struct mx_ostream {
  void *ctx;
  int (*write)(void *ctx, const void *src, size_t n); /* all n bytes, or MX_ERR + message */
  int (*close)(void *ctx);                            /* flush + release; may be NULL */
  uint64_t written;
  const char *op;
};

/* Creates/truncates path ("[op] Failed to open file NAME for writing"). */
int mx_ostream_file(mx_ostream *s, const char *path, const char *op);
/* A growing malloc'd buffer; mx_ostream_memory_take hands it over (free() it). */
void mx_ostream_memory(mx_ostream *s, const char *op);
void *mx_ostream_memory_take(mx_ostream *s, size_t *size);
int mx_ostream_write(mx_ostream *s, const void *src, size_t n);
/* Closes (flushing); returns the first error of the close. */
int mx_ostream_close(mx_ostream *s);
/* Ends a save: closes s, or after a failed save (failed != 0) closes it and removes the file
 * it was writing, if it is a file (MLX leaves an empty or partial file behind). */
int mx_ostream_finish(mx_ostream *s, int failed);

/* ---- helpers shared by the formats (stream.c) ---- */

/* The array's data as one row-major block: an evaluated row-contiguous array (a itself,
 * retained, or a contiguous copy). *out is a new reference. */
int mx_io_contiguous(mx_array **out, mx_array *a);
/* An evaluated array of shape/dtype whose buffer receives nbytes from s at off; shape
 * dimensions and the element count are checked (non-negative, int32 dims, no overflow). */
int mx_io_read_array(mx_array **out, mx_istream *s, uint64_t off, int ndim, const int64_t *shape,
                     mx_dtype dtype);
/* Checks a shape read from a file: ndim <= MX_MAX_NDIM, dims in [0, INT32_MAX], the byte size
 * of dtype elements not overflowing; *nbytes receives it. */
int mx_io_check_shape(const char *op, int ndim, const int64_t *shape, mx_dtype dtype,
                      uint64_t *nbytes);

/* ---- formats ---- */

/* npy.c: one array, format versions 1-3, any byte order, C or Fortran order. */
int mx_npy_load(mx_array **out, mx_istream *s);
int mx_npy_save(mx_ostream *s, mx_array *a);

/* Name -> array (and name -> string) lists in order. */
typedef struct {
  char *key;
  mx_array *arr; /* owned reference */
} mx_named_array;

typedef struct {
  char *key, *value;
} mx_named_string;

/* safetensors.c: on success the caller owns the lists (mx_io_free_*). */
int mx_safetensors_load(mx_istream *s, mx_named_array **arrays, size_t *narrays,
                        mx_named_string **meta, size_t *nmeta);
int mx_safetensors_save(mx_ostream *s, const mx_named_array *arrays, size_t narrays,
                        const mx_named_string *meta, size_t nmeta);

/* npz.c: a zip of .npy members (path or an in-memory copy of the archive). */
int mx_npz_load_file(const char *path, mx_named_array **arrays, size_t *narrays);
int mx_npz_load_memory(void *data, size_t size, mx_named_array **arrays, size_t *narrays);
int mx_npz_save(mx_ostream *s, const mx_named_array *arrays, size_t narrays, bool compressed);

void mx_io_free_arrays(mx_named_array *a, size_t n);
void mx_io_free_strings(mx_named_string *a, size_t n);

/* gguf.c */
typedef enum { MX_GGUF_META_ARRAY, MX_GGUF_META_STRING, MX_GGUF_META_STRINGS } mx_gguf_meta_kind;

typedef struct {
  char *key;
  mx_gguf_meta_kind kind;
  mx_array *arr; /* MX_GGUF_META_ARRAY */
  char *str;     /* MX_GGUF_META_STRING */
  char **strs;   /* MX_GGUF_META_STRINGS */
  size_t nstrs;
} mx_gguf_meta;

typedef struct {
  mx_named_array *arrays;
  size_t narrays, arrays_cap;
  mx_gguf_meta *meta;
  size_t nmeta, meta_cap;
} mx_gguf;

void mx_gguf_clear(mx_gguf *g);
mx_gguf_meta *mx_gguf_find_meta(mx_gguf *g, const char *key);
mx_array *mx_gguf_find_array(mx_gguf *g, const char *key);
/* Sets (replaces) an array; takes a new reference. */
int mx_gguf_set_array(mx_gguf *g, const char *key, mx_array *a);
/* Returns the entry for key, emptied (kind unset), creating it when missing. */
mx_gguf_meta *mx_gguf_meta_slot(mx_gguf *g, const char *key);
void mx_gguf_meta_reset(mx_gguf_meta *m);
int mx_gguf_load(mx_istream *s, mx_gguf *g);
int mx_gguf_save(mx_ostream *s, mx_gguf *g);

/* gguf_quant.c: a block-quantized tensor (Q4_0, Q4_1, Q8_0) into MLX's affine format. */
bool mx_gguf_quant_type(uint32_t type, uint64_t *block_bytes, int *bits);
int mx_gguf_load_quant(mx_gguf *g, mx_istream *s, const char *name, uint32_t type, int ndim,
                       const int64_t *shape, uint64_t off);

#endif
