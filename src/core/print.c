/* Printing arrays in MLX's format:
 *
 *   array([[1, 2, 3],
 *          [4, 5, 6]], dtype=int32)
 *
 * Numbers print as C++ streams do by default (printf "%g"), bools as True/False, complex as
 * re+imj. A dimension longer than 6 shows its first 3 and last 3 entries around "...". */
#include "core/print.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define EDGE_ITEMS 3
#define SUMMARIZE_OVER 6

typedef struct {
  char *text;
  size_t len, cap;
  bool failed;
} strbuf;

static void put(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(strbuf *b, const char *fmt, ...) {
  if (b->failed) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->text + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = true;
      return;
    }
    if (b->len + (size_t)n < b->cap) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = (b->cap + (size_t)n) * 2;
    char *text = realloc(b->text, cap);
    if (!text) {
      b->failed = true;
      return;
    }
    b->text = text;
    b->cap = cap;
  }
}

static void put_element(strbuf *b, const mx_array *a, const char *p) {
  switch ((mx_dtype)a->dtype) {
  case MX_BOOL: put(b, "%s", *(const bool *)p ? "True" : "False"); break;
  case MX_UINT8: put(b, "%u", *(const uint8_t *)p); break;
  case MX_UINT16: put(b, "%u", *(const uint16_t *)p); break;
  case MX_UINT32: put(b, "%u", *(const uint32_t *)p); break;
  case MX_UINT64: put(b, "%llu", (unsigned long long)*(const uint64_t *)p); break;
  case MX_INT8: put(b, "%d", *(const int8_t *)p); break;
  case MX_INT16: put(b, "%d", *(const int16_t *)p); break;
  case MX_INT32: put(b, "%d", *(const int32_t *)p); break;
  case MX_INT64: put(b, "%lld", (long long)*(const int64_t *)p); break;
  case MX_FLOAT16: put(b, "%g", (double)mx_f16_to_f32(*(const uint16_t *)p)); break;
  case MX_BFLOAT16: put(b, "%g", (double)mx_bf16_to_f32(*(const uint16_t *)p)); break;
  case MX_FLOAT32: put(b, "%g", (double)*(const float *)p); break;
  case MX_FLOAT64: put(b, "%g", *(const double *)p); break;
  case MX_COMPLEX64: {
    const mx_complex64 *c = (const mx_complex64 *)p;
    put(b, "%g%s%gj", (double)c->re, c->im < 0 ? "" : "+", (double)c->im); /* MLX: 1+-0j */
    break;
  }
  default: put(b, "?"); break;
  }
}

/* Prints dimension `dim` of the sub-array starting at p. Nesting depth is the rank (at most
 * MX_MAX_NDIM), not the graph, so recursion is bounded. */
static void put_dim(strbuf *b, const mx_array *a, const char *p, int dim, int indent) {
  if (dim == a->ndim) {
    put_element(b, a, p);
    return;
  }
  int n = a->shape[dim];
  bool summarize = n > SUMMARIZE_OVER;
  int64_t step = a->strides[dim] * (int64_t)mx_array_itemsize(a);
  bool last_dim = dim == a->ndim - 1;
  put(b, "[");
  for (int i = 0; i < n; i++) {
    if (summarize && i == EDGE_ITEMS) {
      if (last_dim) put(b, "..., ");
      else put(b, "...,\n%*s", indent + dim + 1, "");
      i = n - EDGE_ITEMS;
    }
    put_dim(b, a, p + i * step, dim + 1, indent);
    if (i + 1 < n) {
      if (last_dim) put(b, ", ");
      else put(b, ",\n%*s", indent + dim + 1, "");
    }
  }
  put(b, "]");
}

char *mx_array_format(mx_array *a) {
  if (mx_array_ensure(a)) return NULL;
  strbuf b = {0};
  const char *prefix = "array(";
  put(&b, "%s", prefix);
  static const char no_data[16];
  put_dim(&b, a, a->size ? mx_array_data(a) : no_data, 0, (int)strlen(prefix));
  put(&b, ", dtype=%s)", mx_dtype_name((mx_dtype)a->dtype));
  if (b.failed) {
    free(b.text);
    mx_error("[tostring] Out of memory.");
    return NULL;
  }
  return b.text;
}
