/* A small open-addressing hash map from pointers to ints, for graph walks (node -> index,
 * array -> slot). Keys are never removed. */
#ifndef MX_CORE_PTRMAP_H
#define MX_CORE_PTRMAP_H

#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"

typedef struct {
  const void **keys;
  int *values;
  size_t cap, n; /* cap is a power of two, kept at most half full */
} mx_ptrmap;

static inline size_t mx_ptrmap_slot(const mx_ptrmap *m, const void *key) {
  uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ull;
  size_t i = (size_t)(h >> 17) & (m->cap - 1);
  while (m->keys[i] && m->keys[i] != key) i = (i + 1) & (m->cap - 1);
  return i;
}

/* The value for key, or -1. */
static inline int mx_ptrmap_get(const mx_ptrmap *m, const void *key) {
  if (!m->cap) return -1;
  size_t i = mx_ptrmap_slot(m, key);
  return m->keys[i] ? m->values[i] : -1;
}

static inline int mx_ptrmap_put(mx_ptrmap *m, const void *key, int value) {
  if (2 * (m->n + 1) > m->cap) {
    mx_ptrmap grown = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};
    grown.keys = calloc(grown.cap, sizeof *grown.keys);
    grown.values = malloc(grown.cap * sizeof *grown.values);
    if (!grown.keys || !grown.values) {
      free(grown.keys);
      free(grown.values);
      return mx_error("[transforms] Out of memory.");
    }
    for (size_t i = 0; i < m->cap; i++) {
      if (!m->keys[i]) continue;
      size_t j = mx_ptrmap_slot(&grown, m->keys[i]);
      grown.keys[j] = m->keys[i];
      grown.values[j] = m->values[i];
      grown.n++;
    }
    free(m->keys);
    free(m->values);
    *m = grown;
  }
  size_t i = mx_ptrmap_slot(m, key);
  if (!m->keys[i]) m->n++;
  m->keys[i] = key;
  m->values[i] = value;
  return 0;
}

static inline void mx_ptrmap_free(mx_ptrmap *m) {
  free(m->keys);
  free(m->values);
  *m = (mx_ptrmap){0};
}

#endif
