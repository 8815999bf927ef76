/* GGUF block-quantized tensors in MLX's affine quantized format (group size 32):
 *   NAME                      uint32, the quantized values packed along the last axis
 *                             (4 bits: 8 per word, 8 bits: 4 per word, lowest bits first)
 *   NAME minus ".weight" + ".scales", ".biases"   float16, one per group of 32,
 * so that value = q * scale + bias. The ggml blocks (32 values each):
 *   Q4_0: f16 d, 16 bytes of nibbles (value j low nibble of byte j, value 16 + j high nibble),
 *         value = (q - 8) d                  -> scale d, bias -8 d
 *   Q4_1: f16 d, f16 m, the same nibbles, value = q d + m   -> scale d, bias m
 *   Q8_0: f16 d, 32 int8, value = q d        -> q + 128 unsigned, scale d, bias -128 d */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/io.h"

enum { Q4_0 = 2, Q4_1 = 3, Q8_0 = 8, GROUP = 32 };

bool mx_gguf_quant_type(uint32_t type, uint64_t *block_bytes, int *bits) {
  switch (type) {
  case Q4_0:
    *block_bytes = 18, *bits = 4;
    return true;
  case Q4_1:
    *block_bytes = 20, *bits = 4;
    return true;
  case Q8_0:
    *block_bytes = 34, *bits = 8;
    return true;
  default:
    return false;
  }
}

static uint16_t rd16(const unsigned char *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}

/* One block into 32 / (32 / bits) words, a scale and a bias. */
static void unpack_block(uint32_t type, const unsigned char *b, uint32_t *w, uint16_t *scale,
                         uint16_t *bias) {
  float d = mx_f16_to_f32(rd16(b));
  *scale = rd16(b);
  if (type == Q8_0) {
    for (int i = 0; i < 8; i++) {
      uint32_t v = 0;
      for (int k = 0; k < 4; k++)
        v |= (uint32_t)(uint8_t)((int8_t)b[2 + 4 * i + k] + 128) << (8 * k);
      w[i] = v;
    }
    *bias = mx_f32_to_f16(-128.0f * d);
    return;
  }
  const unsigned char *qs = b + (type == Q4_1 ? 4 : 2);
  *bias = type == Q4_1 ? rd16(b + 2) : mx_f32_to_f16(-8.0f * d);
  uint8_t q[GROUP];
  for (int j = 0; j < 16; j++) {
    q[j] = qs[j] & 0xf;
    q[j + 16] = qs[j] >> 4;
  }
  for (int i = 0; i < 4; i++) {
    uint32_t v = 0;
    for (int k = 0; k < 8; k++) v |= (uint32_t)q[8 * i + k] << (4 * k);
    w[i] = v;
  }
}

static int insert(mx_gguf *g, const char *name, const char *suffix, mx_array *a) {
  size_t n = strlen(name);
  if (n >= 7 && !strcmp(name + n - 7, ".weight")) n -= 7;
  char *key = malloc(n + strlen(suffix) + 1);
  if (!key) return mx_error("[load_gguf] Out of memory.");
  memcpy(key, name, n);
  strcpy(key + n, suffix);
  int rc = mx_gguf_set_array(g, key, a);
  free(key);
  return rc;
}

int mx_gguf_load_quant(mx_gguf *g, mx_istream *s, const char *name, uint32_t type, int ndim,
                       const int64_t *shape, uint64_t off) {
  uint64_t block = 18;
  int bits = 4;
  mx_gguf_quant_type(type, &block, &bits);
  if (ndim < 1 || shape[ndim - 1] % GROUP)
    return mx_error("[load_gguf] Quantized tensor '%s' needs a last dimension divisible by %d.",
                    name, GROUP);
  uint64_t nbytes;
  MX_TRY(mx_io_check_shape(s->op, ndim, shape, MX_UINT8, &nbytes));
  uint64_t nblocks = nbytes / GROUP;
  if (off > s->size || nblocks > (s->size - off) / block)
    return mx_error("[load_gguf] The data of tensor '%s' runs past the end of the file.", name);
  int words = GROUP * bits / 32;
  int32_t wshape[MX_MAX_NDIM], gshape[MX_MAX_NDIM];
  for (int i = 0; i < ndim; i++) wshape[i] = gshape[i] = (int32_t)shape[i];
  wshape[ndim - 1] = (int32_t)(shape[ndim - 1] / GROUP * words);
  gshape[ndim - 1] = (int32_t)(shape[ndim - 1] / GROUP);
  mx_array *w = mx_array_alloc(ndim, wshape, MX_UINT32);
  mx_array *sc = mx_array_alloc(ndim, gshape, MX_FLOAT16);
  mx_array *bi = mx_array_alloc(ndim, gshape, MX_FLOAT16);
  unsigned char *raw = malloc(nblocks ? nblocks * block : 1);
  int rc = (w && sc && bi && raw) ? 0 : mx_error("[load_gguf] Out of memory.");
  if (!rc) rc = mx_istream_read_at(s, raw, (size_t)(nblocks * block), off);
  if (!rc) {
    uint32_t *wp = mx_array_data(w);
    uint16_t *sp = mx_array_data(sc), *bp = mx_array_data(bi);
    for (uint64_t i = 0; i < nblocks; i++)
      unpack_block(type, raw + i * block, wp + i * words, sp + i, bp + i);
  }
  free(raw);
  if (!rc) rc = mx_gguf_set_array(g, name, w);
  if (!rc) rc = insert(g, name, ".scales", sc);
  if (!rc) rc = insert(g, name, ".biases", bi);
  mx_array_release(w);
  mx_array_release(sc);
  mx_array_release(bi);
  return rc;
}
