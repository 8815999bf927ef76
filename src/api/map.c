/* mlx_map_string_to_array and mlx_map_string_to_string, with their iterators.
 *
 * One map type serves both: entries in insertion order plus an open-addressing index over them
 * (no deletions, so linear probing needs no tombstones). Values are pointers (mx_array * holding
 * a reference, or a malloc'd char *); a map_kind says how to copy and free one. _new allocates
 * an empty map (insert takes the handle by value); a handle with ctx NULL reads as empty.
 *
 * Status codes, as in mlx-c: _get returns 2 without reporting an error when the key is
 * missing; iterator _next returns 2 once every entry has been visited. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

typedef struct {
  void *(*copy_value)(void *value); /* a new owned copy, NULL when out of memory */
  void (*free_value)(void *value);
} map_kind;

typedef struct {
  char *key;
  void *value;
} map_entry;

typedef struct {
  const map_kind *kind;
  map_entry *entries; /* insertion order */
  size_t size, cap;
  size_t *slots; /* entry index + 1, 0 = free; slot_count is a power of two */
  size_t slot_count;
} map;

typedef struct {
  const map *m;
  size_t position;
} map_iterator;

static const char out_of_memory[] = "Out of memory.";

static char *copy_text(const char *text) {
  size_t len = strlen(text) + 1;
  char *copy = malloc(len);
  if (copy) memcpy(copy, text, len);
  return copy;
}

static size_t hash_text(const char *text) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    h = (h ^ *p) * 1099511628211ull;
  return (size_t)h;
}

static map *map_create(const map_kind *kind) {
  map *m = calloc(1, sizeof(map));
  if (m) m->kind = kind;
  return m;
}

static void map_destroy(map *m) {
  if (!m) return;
  for (size_t i = 0; i < m->size; i++) {
    free(m->entries[i].key);
    m->kind->free_value(m->entries[i].value);
  }
  free(m->entries);
  free(m->slots);
  free(m);
}

/* The slot that holds key, or the free slot where it would go. */
static size_t map_slot(const map *m, const char *key) {
  size_t mask = m->slot_count - 1;
  size_t slot = hash_text(key) & mask;
  while (m->slots[slot] && strcmp(m->entries[m->slots[slot] - 1].key, key) != 0)
    slot = (slot + 1) & mask;
  return slot;
}

static map_entry *map_find(const map *m, const char *key) {
  if (!m || !m->slot_count) return NULL;
  size_t index = m->slots[map_slot(m, key)];
  return index ? &m->entries[index - 1] : NULL;
}

/* Makes room for one more entry, keeping the index at most half full. */
static int map_grow(map *m) {
  if (m->size == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 8;
    if (cap > SIZE_MAX / sizeof(map_entry)) return 1;
    map_entry *entries = realloc(m->entries, cap * sizeof(map_entry));
    if (!entries) return 1;
    m->entries = entries;
    m->cap = cap;
  }
  if ((m->size + 1) * 2 <= m->slot_count) return 0;
  size_t slot_count = m->slot_count ? m->slot_count * 2 : 16;
  size_t *slots = calloc(slot_count, sizeof(size_t));
  if (!slots) return 1;
  free(m->slots);
  m->slots = slots;
  m->slot_count = slot_count;
  for (size_t i = 0; i < m->size; i++) m->slots[map_slot(m, m->entries[i].key)] = i + 1;
  return 0;
}

/* Stores a copy of value under key (replacing an existing value). 0, or 1 when out of memory. */
static int map_put(map *m, const char *key, void *value) {
  map_entry *existing = map_find(m, key);
  void *copy = m->kind->copy_value(value);
  if (!copy) return 1;
  if (existing) {
    m->kind->free_value(existing->value);
    existing->value = copy;
    return 0;
  }
  char *key_copy = copy_text(key);
  if (!key_copy || map_grow(m)) {
    free(key_copy);
    m->kind->free_value(copy);
    return 1;
  }
  m->entries[m->size] = (map_entry){key_copy, copy};
  m->size++;
  m->slots[map_slot(m, key)] = m->size;
  return 0;
}

/* A copy of src (NULL reads as empty); NULL when out of memory. */
static map *map_clone(const map_kind *kind, const map *src) {
  map *m = map_create(kind);
  if (!m) return NULL;
  for (size_t i = 0; src && i < src->size; i++) {
    if (map_put(m, src->entries[i].key, src->entries[i].value)) {
      map_destroy(m);
      return NULL;
    }
  }
  return m;
}

/* Replaces *dst's content with a copy of src's. */
static int map_assign(const char *op, void **dst, const map_kind *kind, const map *src) {
  if (!dst) return mlx_api_error("[%s] Destination is NULL.", op);
  if (*dst == src && src) return 0;
  map *copy = map_clone(kind, src);
  if (!copy) return mlx_api_error("[%s] %s", op, out_of_memory);
  map_destroy(*dst);
  *dst = copy;
  return 0;
}

static int map_insert(const char *op, map *m, const char *key, void *value) {
  if (!m) return mlx_api_error("[%s] Cannot insert into an empty handle.", op);
  if (!key) return mlx_api_error("[%s] Key is NULL.", op);
  return map_put(m, key, value) ? mlx_api_error("[%s] %s", op, out_of_memory) : 0;
}

static map_iterator *iterator_create(const char *op, const map *m) {
  map_iterator *it = malloc(sizeof(map_iterator));
  if (!it) {
    mlx_api_error("[%s] %s", op, out_of_memory);
    return NULL;
  }
  *it = (map_iterator){m, 0};
  return it;
}

/* The next entry, or NULL at the end. */
static const map_entry *iterator_step(map_iterator *it) {
  if (!it->m || it->position >= it->m->size) return NULL;
  return &it->m->entries[it->position++];
}

/* ---- string -> array ---- */

static void *array_value_copy(void *value) {
  return mx_array_retain(value);
}
static void array_value_free(void *value) {
  mx_array_release(value);
}
static const map_kind array_map_kind = {array_value_copy, array_value_free};

mlx_map_string_to_array mlx_map_string_to_array_new(void) {
  mlx_map_string_to_array result = {map_create(&array_map_kind)};
  if (!result.ctx) mlx_api_error("[map_string_to_array_new] %s", out_of_memory);
  return result;
}

int mlx_map_string_to_array_set(mlx_map_string_to_array *dst, const mlx_map_string_to_array src) {
  return map_assign("map_string_to_array_set", dst ? &dst->ctx : NULL, &array_map_kind, src.ctx);
}

int mlx_map_string_to_array_free(mlx_map_string_to_array m) {
  map_destroy(m.ctx);
  return 0;
}

int mlx_map_string_to_array_insert(mlx_map_string_to_array m, const char *key,
                                   const mlx_array value) {
  if (!value.ctx)
    return mlx_api_error("[map_string_to_array_insert] Cannot insert an empty array.");
  return map_insert("map_string_to_array_insert", m.ctx, key, value.ctx);
}

int mlx_map_string_to_array_get(mlx_array *value, const mlx_map_string_to_array m,
                                const char *key) {
  if (!value) return mlx_api_error("[map_string_to_array_get] Result pointer is NULL.");
  if (!key) return mlx_api_error("[map_string_to_array_get] Key is NULL.");
  map_entry *entry = map_find(m.ctx, key);
  if (!entry) return 2;
  mlx_api_set_arr(value, mx_array_retain(entry->value));
  return 0;
}

mlx_map_string_to_array_iterator mlx_map_string_to_array_iterator_new(mlx_map_string_to_array m) {
  map_iterator *it = iterator_create("map_string_to_array_iterator_new", m.ctx);
  return (mlx_map_string_to_array_iterator){it, it ? m.ctx : NULL};
}

int mlx_map_string_to_array_iterator_free(mlx_map_string_to_array_iterator it) {
  free(it.ctx);
  return 0;
}

int mlx_map_string_to_array_iterator_next(const char **key, mlx_array *value,
                                          mlx_map_string_to_array_iterator it) {
  if (!key || !value)
    return mlx_api_error("[map_string_to_array_iterator_next] Result pointer is NULL.");
  if (!it.ctx) return mlx_api_error("[map_string_to_array_iterator_next] Empty iterator.");
  const map_entry *entry = iterator_step(it.ctx);
  if (!entry) return 2;
  *key = entry->key;
  mlx_api_set_arr(value, mx_array_retain(entry->value));
  return 0;
}

/* ---- string -> string ---- */

static void *string_value_copy(void *value) {
  return copy_text(value);
}
static const map_kind string_map_kind = {string_value_copy, free};

mlx_map_string_to_string mlx_map_string_to_string_new(void) {
  mlx_map_string_to_string result = {map_create(&string_map_kind)};
  if (!result.ctx) mlx_api_error("[map_string_to_string_new] %s", out_of_memory);
  return result;
}

int mlx_map_string_to_string_set(mlx_map_string_to_string *dst,
                                 const mlx_map_string_to_string src) {
  return map_assign("map_string_to_string_set", dst ? &dst->ctx : NULL, &string_map_kind, src.ctx);
}

int mlx_map_string_to_string_free(mlx_map_string_to_string m) {
  map_destroy(m.ctx);
  return 0;
}

int mlx_map_string_to_string_insert(mlx_map_string_to_string m, const char *key,
                                    const char *value) {
  if (!value) return mlx_api_error("[map_string_to_string_insert] Value is NULL.");
  return map_insert("map_string_to_string_insert", m.ctx, key, (void *)value);
}

/* Gives the stored value, owned by the map. */
int mlx_map_string_to_string_get(const char **value, const mlx_map_string_to_string m,
                                 const char *key) {
  if (!value) return mlx_api_error("[map_string_to_string_get] Result pointer is NULL.");
  if (!key) return mlx_api_error("[map_string_to_string_get] Key is NULL.");
  map_entry *entry = map_find(m.ctx, key);
  if (!entry) return 2;
  *value = entry->value;
  return 0;
}

mlx_map_string_to_string_iterator
mlx_map_string_to_string_iterator_new(mlx_map_string_to_string m) {
  map_iterator *it = iterator_create("map_string_to_string_iterator_new", m.ctx);
  return (mlx_map_string_to_string_iterator){it, it ? m.ctx : NULL};
}

int mlx_map_string_to_string_iterator_free(mlx_map_string_to_string_iterator it) {
  free(it.ctx);
  return 0;
}

int mlx_map_string_to_string_iterator_next(const char **key, const char **value,
                                           mlx_map_string_to_string_iterator it) {
  if (!key || !value)
    return mlx_api_error("[map_string_to_string_iterator_next] Result pointer is NULL.");
  if (!it.ctx) return mlx_api_error("[map_string_to_string_iterator_next] Empty iterator.");
  const map_entry *entry = iterator_step(it.ctx);
  if (!entry) return 2;
  *key = entry->key;
  *value = entry->value;
  return 0;
}
