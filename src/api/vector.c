/* mlx_vector_array, mlx_vector_vector_array, mlx_vector_int and mlx_vector_string.
 *
 * All four share one growable array (vec) whose elements are stored in their public form
 * (mlx_array handles, mlx_vector_array handles, ints, char pointers); a vec_kind says how to
 * copy and destroy one element. _new allocates an empty vector (append takes the handle by
 * value, so it needs one); a handle with ctx NULL reads as an empty vector. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

typedef struct {
  size_t elem_size;
  /* Copies *src into dst; returns NULL, or why it could not. NULL copy means memcpy. */
  const char *(*copy)(void *dst, const void *src);
  void (*destroy)(void *elem); /* NULL when elements own nothing */
} vec_kind;

typedef struct {
  const vec_kind *kind;
  char *items;
  size_t size, cap;
} vec;

static const char out_of_memory[] = "Out of memory.";

static vec *vec_create(const vec_kind *kind) {
  vec *v = calloc(1, sizeof(vec));
  if (v) v->kind = kind;
  return v;
}

static void vec_destroy(vec *v) {
  if (!v) return;
  if (v->kind->destroy)
    for (size_t i = 0; i < v->size; i++) v->kind->destroy(v->items + i * v->kind->elem_size);
  free(v->items);
  free(v);
}

static void *vec_at(const vec *v, size_t idx) {
  return v->items + idx * v->kind->elem_size;
}

static const char *vec_reserve(vec *v, size_t extra) {
  size_t elem_size = v->kind->elem_size;
  if (extra > SIZE_MAX / elem_size - v->size) return out_of_memory;
  size_t needed = v->size + extra;
  if (needed <= v->cap) return NULL;
  size_t cap = v->cap ? v->cap : 4;
  while (cap < needed) cap = cap > SIZE_MAX / elem_size / 2 ? needed : cap * 2;
  char *items = realloc(v->items, cap * elem_size);
  if (!items) return out_of_memory;
  v->items = items;
  v->cap = cap;
  return NULL;
}

/* Appends copies of count elements; on failure the vector is left as it was. */
static const char *vec_append(vec *v, const void *data, size_t count) {
  const vec_kind *kind = v->kind;
  const char *why = vec_reserve(v, count);
  if (why) return why;
  for (size_t i = 0; i < count; i++) {
    const char *src = (const char *)data + i * kind->elem_size;
    void *dst = vec_at(v, v->size + i);
    why = kind->copy ? kind->copy(dst, src) : (memcpy(dst, src, kind->elem_size), NULL);
    if (why) {
      if (kind->destroy)
        for (size_t j = 0; j < i; j++) kind->destroy(vec_at(v, v->size + j));
      return why;
    }
  }
  v->size += count;
  return NULL;
}

/* A new vector holding copies of count elements; NULL with *why set on failure. */
static vec *vec_from(const vec_kind *kind, const void *data, size_t count, const char **why) {
  vec *v = vec_create(kind);
  if (!v) {
    *why = out_of_memory;
    return NULL;
  }
  *why = count ? vec_append(v, data, count) : NULL;
  if (*why) {
    vec_destroy(v);
    return NULL;
  }
  return v;
}

/* A copy of src, which may be NULL (the empty handle). */
static vec *vec_clone(const vec_kind *kind, const vec *src, const char **why) {
  return src ? vec_from(kind, src->items, src->size, why) : vec_from(kind, NULL, 0, why);
}

/* ---- element kinds ---- */

static const char *array_copy(void *dst, const void *src) {
  mx_array *a = ((const mlx_array *)src)->ctx;
  if (!a) return "Cannot store an empty array.";
  ((mlx_array *)dst)->ctx = mx_array_retain(a);
  return NULL;
}
static void array_destroy(void *elem) {
  mx_array_release(((mlx_array *)elem)->ctx);
}
static const vec_kind array_kind = {sizeof(mlx_array), array_copy, array_destroy};

static const char *vector_array_copy(void *dst, const void *src) {
  const char *why;
  vec *copy = vec_clone(&array_kind, ((const mlx_vector_array *)src)->ctx, &why);
  ((mlx_vector_array *)dst)->ctx = copy;
  return why;
}
static void vector_array_destroy(void *elem) {
  vec_destroy(((mlx_vector_array *)elem)->ctx);
}
static const vec_kind vector_array_kind = {sizeof(mlx_vector_array), vector_array_copy,
                                           vector_array_destroy};

static const vec_kind int_kind = {sizeof(int), NULL, NULL};

static const char *string_copy(void *dst, const void *src) {
  const char *text = *(const char *const *)src;
  if (!text) return "Cannot store a NULL string.";
  size_t len = strlen(text) + 1;
  char *copy = malloc(len);
  if (!copy) return out_of_memory;
  memcpy(copy, text, len);
  *(char **)dst = copy;
  return NULL;
}
static void string_destroy(void *elem) {
  free(*(char **)elem);
}
static const vec_kind string_kind = {sizeof(char *), string_copy, string_destroy};

/* ---- the public functions every vector type has ---- */

#define MX_DEFINE_VECTOR(NAME, HANDLE, DATA, VALUE, KIND)                                          \
  HANDLE mlx_##NAME##_new(void) {                                                                  \
    HANDLE result = {vec_create(&KIND)};                                                           \
    if (!result.ctx) mlx_api_error("[" #NAME "_new] %s", out_of_memory);                           \
    return result;                                                                                 \
  }                                                                                                \
                                                                                                   \
  int mlx_##NAME##_free(HANDLE vec_handle) {                                                       \
    vec_destroy(vec_handle.ctx);                                                                   \
    return 0;                                                                                      \
  }                                                                                                \
                                                                                                   \
  int mlx_##NAME##_set(HANDLE *dst, const HANDLE src) {                                            \
    if (!dst) return mlx_api_error("[" #NAME "_set] Destination is NULL.");                        \
    if (dst->ctx == src.ctx && src.ctx) return 0;                                                  \
    const char *why;                                                                               \
    vec *copy = vec_clone(&KIND, src.ctx, &why);                                                   \
    if (!copy) return mlx_api_error("[" #NAME "_set] %s", why);                                    \
    vec_destroy(dst->ctx);                                                                         \
    dst->ctx = copy;                                                                               \
    return 0;                                                                                      \
  }                                                                                                \
                                                                                                   \
  HANDLE mlx_##NAME##_new_data(DATA data, size_t size) {                                           \
    HANDLE result = {NULL};                                                                        \
    if (size && !data) {                                                                           \
      mlx_api_error("[" #NAME "_new_data] data is NULL but size is %zu.", size);                   \
      return result;                                                                               \
    }                                                                                              \
    const char *why;                                                                               \
    result.ctx = vec_from(&KIND, data, size, &why);                                                \
    if (!result.ctx) mlx_api_error("[" #NAME "_new_data] %s", why);                                \
    return result;                                                                                 \
  }                                                                                                \
                                                                                                   \
  HANDLE mlx_##NAME##_new_value(VALUE val) {                                                       \
    return mlx_##NAME##_new_data(&val, 1);                                                         \
  }                                                                                                \
                                                                                                   \
  int mlx_##NAME##_set_data(HANDLE *dst, DATA data, size_t size) {                                 \
    if (!dst) return mlx_api_error("[" #NAME "_set_data] Destination is NULL.");                   \
    if (size && !data)                                                                             \
      return mlx_api_error("[" #NAME "_set_data] data is NULL but size is %zu.", size);            \
    const char *why;                                                                               \
    vec *fresh = vec_from(&KIND, data, size, &why);                                                \
    if (!fresh) return mlx_api_error("[" #NAME "_set_data] %s", why);                              \
    vec_destroy(dst->ctx);                                                                         \
    dst->ctx = fresh;                                                                              \
    return 0;                                                                                      \
  }                                                                                                \
                                                                                                   \
  int mlx_##NAME##_set_value(HANDLE *dst, VALUE val) {                                             \
    return mlx_##NAME##_set_data(dst, &val, 1);                                                    \
  }                                                                                                \
                                                                                                   \
  int mlx_##NAME##_append_data(HANDLE vec_handle, DATA data, size_t size) {                        \
    if (!vec_handle.ctx)                                                                           \
      return mlx_api_error("[" #NAME "_append_data] Cannot append to an empty handle.");           \
    if (size && !data)                                                                             \
      return mlx_api_error("[" #NAME "_append_data] data is NULL but size is %zu.", size);         \
    const char *why = vec_append(vec_handle.ctx, data, size);                                      \
    return why ? mlx_api_error("[" #NAME "_append_data] %s", why) : 0;                             \
  }                                                                                                \
                                                                                                   \
  int mlx_##NAME##_append_value(HANDLE vec_handle, VALUE val) {                                    \
    if (!vec_handle.ctx)                                                                           \
      return mlx_api_error("[" #NAME "_append_value] Cannot append to an empty handle.");          \
    const char *why = vec_append(vec_handle.ctx, &val, 1);                                         \
    return why ? mlx_api_error("[" #NAME "_append_value] %s", why) : 0;                            \
  }                                                                                                \
                                                                                                   \
  size_t mlx_##NAME##_size(HANDLE vec_handle) {                                                    \
    return vec_handle.ctx ? ((const vec *)vec_handle.ctx)->size : 0;                               \
  }                                                                                                \
                                                                                                   \
  /* The element at idx, or NULL after reporting an error. */                                      \
  static const void *NAME##_element(const char *op, void *res, HANDLE vec_handle, size_t idx) {    \
    if (!res) {                                                                                    \
      mlx_api_error("[%s] Result pointer is NULL.", op);                                           \
      return NULL;                                                                                 \
    }                                                                                              \
    size_t size = mlx_##NAME##_size(vec_handle);                                                   \
    if (idx >= size) {                                                                             \
      mlx_api_error("[%s] index %zu out of range for vector of size %zu.", op, idx, size);         \
      return NULL;                                                                                 \
    }                                                                                              \
    return vec_at(vec_handle.ctx, idx);                                                            \
  }

MX_DEFINE_VECTOR(vector_array, mlx_vector_array, const mlx_array *, const mlx_array, array_kind)
MX_DEFINE_VECTOR(vector_vector_array, mlx_vector_vector_array, const mlx_vector_array *,
                 const mlx_vector_array, vector_array_kind)
MX_DEFINE_VECTOR(vector_int, mlx_vector_int, int *, int, int_kind)
MX_DEFINE_VECTOR(vector_string, mlx_vector_string, const char **, const char *, string_kind)

/* ---- element access: each type hands out its elements differently ---- */

int mlx_vector_array_get(mlx_array *res, const mlx_vector_array vec_handle, size_t idx) {
  const mlx_array *item = vector_array_element("vector_array_get", res, vec_handle, idx);
  if (!item) return 1;
  mlx_api_set_arr(res, mx_array_retain(item->ctx));
  return 0;
}

int mlx_vector_vector_array_get(mlx_vector_array *res, const mlx_vector_vector_array vec_handle,
                                size_t idx) {
  const mlx_vector_array *item =
      vector_vector_array_element("vector_vector_array_get", res, vec_handle, idx);
  if (!item) return 1;
  return mlx_vector_array_set(res, *item);
}

int mlx_vector_int_get(int *res, const mlx_vector_int vec_handle, size_t idx) {
  const int *item = vector_int_element("vector_int_get", res, vec_handle, idx);
  if (!item) return 1;
  *res = *item;
  return 0;
}

/* Gives the stored copy, owned by the vector. */
int mlx_vector_string_get(char **res, const mlx_vector_string vec_handle, size_t idx) {
  char *const *item = vector_string_element("vector_string_get", res, vec_handle, idx);
  if (!item) return 1;
  *res = *item;
  return 0;
}

const mlx_array *mlx_api_vector_array_items(const mlx_vector_array vec_handle, size_t *size) {
  const vec *v = vec_handle.ctx;
  *size = v ? v->size : 0;
  return v ? (const mlx_array *)v->items : NULL;
}
