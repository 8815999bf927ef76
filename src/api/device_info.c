/* mlx_device_info: a small key -> value table (each value a string or a size_t) describing a
 * device. ctx is a device_info_table; a handle with ctx NULL reads as a table with no keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "api/api.h"

enum { MAX_INFO_ENTRIES = 8 };

typedef struct {
  const char *key;
  bool is_string;
  char *text;
  size_t size;
} info_entry;

typedef struct {
  info_entry entries[MAX_INFO_ENTRIES];
  size_t count;
} device_info_table;

static void table_destroy(device_info_table *table) {
  if (!table) return;
  for (size_t i = 0; i < table->count; i++) free(table->entries[i].text);
  free(table);
}

static int table_add_string(device_info_table *table, const char *key, const char *text) {
  size_t len = strlen(text) + 1;
  char *copy = malloc(len);
  if (!copy) return 1;
  memcpy(copy, text, len);
  table->entries[table->count++] = (info_entry){key, true, copy, 0};
  return 0;
}

static void table_add_size(device_info_table *table, const char *key, size_t size) {
  table->entries[table->count++] = (info_entry){key, false, NULL, size};
}

static const info_entry *table_find(const device_info_table *table, const char *key) {
  for (size_t i = 0; table && i < table->count; i++)
    if (strcmp(table->entries[i].key, key) == 0) return &table->entries[i];
  return NULL;
}

/* The "model name" line of /proc/cpuinfo, or "cpu" when there is none. */
static void cpu_model_name(char *buf, size_t cap) {
  snprintf(buf, cap, "cpu");
  FILE *file = fopen("/proc/cpuinfo", "r");
  if (!file) return;
  char line[512];
  while (fgets(line, sizeof line, file)) {
    if (strncmp(line, "model name", 10) != 0) continue;
    const char *value = strchr(line, ':');
    if (!value) continue;
    value++;
    while (*value == ' ' || *value == '\t') value++;
    size_t len = strcspn(value, "\r\n");
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t')) len--;
    if (len > 0) snprintf(buf, cap, "%.*s", (int)len, value);
    break;
  }
  fclose(file);
}

static int fill_cpu_info(device_info_table *table) {
  char model[256];
  cpu_model_name(model, sizeof model);
  struct utsname system;
  const char *architecture = uname(&system) == 0 ? system.machine : "unknown";
  long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);

  if (table_add_string(table, "device_name", model)) return 1;
  if (table_add_string(table, "architecture", architecture)) return 1;
  table_add_size(table, "memory_size",
                 pages > 0 && page_size > 0 ? (size_t)pages * (size_t)page_size : 0);
  table_add_size(table, "num_cores", cores > 0 ? (size_t)cores : 1);
  return 0;
}

mlx_device_info mlx_device_info_new(void) {
  return (mlx_device_info){NULL};
}

int mlx_device_info_get(mlx_device_info *info, mlx_device dev) {
  if (!info) return mlx_api_error("[device_info] Result pointer is NULL.");
  mx_device device;
  if (mlx_api_device("device_info", dev, &device)) return 1;
  if (device.type != MX_CPU || !mx_device_is_available(device))
    return mlx_api_error("[device_info] Device %s is not available.",
                         device.type == MX_CPU ? "cpu" : "gpu");
  device_info_table *table = calloc(1, sizeof(device_info_table));
  if (!table || fill_cpu_info(table)) {
    table_destroy(table);
    return mlx_api_error("[device_info] Out of memory.");
  }
  table_destroy(info->ctx);
  info->ctx = table;
  return 0;
}

int mlx_device_info_free(mlx_device_info info) {
  table_destroy(info.ctx);
  return 0;
}

int mlx_device_info_has_key(bool *exists, mlx_device_info info, const char *key) {
  if (!exists || !key) return mlx_api_error("[device_info_has_key] NULL argument.");
  *exists = table_find(info.ctx, key) != NULL;
  return 0;
}

/* The entry for key, or NULL after reporting that it is missing. */
static const info_entry *require_entry(const char *op, mlx_device_info info, const char *key) {
  const info_entry *entry = table_find(info.ctx, key);
  if (!entry) mlx_api_error("[%s] No key '%s' in device info.", op, key);
  return entry;
}

int mlx_device_info_is_string(bool *is_string, mlx_device_info info, const char *key) {
  if (!is_string || !key) return mlx_api_error("[device_info_is_string] NULL argument.");
  const info_entry *entry = require_entry("device_info_is_string", info, key);
  if (!entry) return 1;
  *is_string = entry->is_string;
  return 0;
}

int mlx_device_info_get_string(const char **value, mlx_device_info info, const char *key) {
  if (!value || !key) return mlx_api_error("[device_info_get_string] NULL argument.");
  const info_entry *entry = require_entry("device_info_get_string", info, key);
  if (!entry) return 1;
  if (!entry->is_string)
    return mlx_api_error("[device_info_get_string] Key '%s' is a size, not a string.", key);
  *value = entry->text;
  return 0;
}

int mlx_device_info_get_size(size_t *value, mlx_device_info info, const char *key) {
  if (!value || !key) return mlx_api_error("[device_info_get_size] NULL argument.");
  const info_entry *entry = require_entry("device_info_get_size", info, key);
  if (!entry) return 1;
  if (entry->is_string)
    return mlx_api_error("[device_info_get_size] Key '%s' is a string, not a size.", key);
  *value = entry->size;
  return 0;
}

int mlx_device_info_get_keys(mlx_vector_string *keys, mlx_device_info info) {
  if (!keys) return mlx_api_error("[device_info_get_keys] Result pointer is NULL.");
  const device_info_table *table = info.ctx;
  const char *names[MAX_INFO_ENTRIES];
  size_t count = table ? table->count : 0;
  for (size_t i = 0; i < count; i++) names[i] = table->entries[i].key;
  return mlx_vector_string_set_data(keys, names, count);
}
