/* Strings, vectors, maps and device info through the public API. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "mlx/c/mlx.h"

static int errors_reported;
static char last_error[512];

static void record_error(const char *msg, void *data) {
  (void)data;
  errors_reported++;
  snprintf(last_error, sizeof last_error, "%s", msg);
}

static bool text_is(const char *text, const char *expected) {
  return text && strcmp(text, expected) == 0;
}

/* The float stored in a scalar array, or -1 when it cannot be read. */
static float value_of(mlx_array a) {
  float value = -1.0f;
  if (mlx_array_item_float32(&value, a) != 0) return -1.0f;
  return value;
}

static float vector_item(mlx_vector_array vec, size_t idx) {
  mlx_array item = mlx_array_new();
  float value = mlx_vector_array_get(&item, vec, idx) == 0 ? value_of(item) : -1.0f;
  mlx_array_free(item);
  return value;
}

static void test_string(void) {
  mlx_string empty = mlx_string_new();
  CHECK(mlx_string_data(empty) == NULL);

  mlx_string hello = mlx_string_new_data("hello");
  CHECK(text_is(mlx_string_data(hello), "hello"));

  mlx_string copy = mlx_string_new();
  CHECK_OK(mlx_string_set(&copy, hello));
  CHECK(text_is(mlx_string_data(copy), "hello"));
  CHECK(mlx_string_data(copy) != mlx_string_data(hello));
  CHECK_OK(mlx_string_set(&copy, copy));
  CHECK(text_is(mlx_string_data(copy), "hello"));
  CHECK_OK(mlx_string_set(&copy, empty));
  CHECK(mlx_string_data(copy) == NULL);

  char buffer[8] = "abc";
  mlx_string from_buffer = mlx_string_new_data(buffer);
  buffer[0] = 'x';
  CHECK(text_is(mlx_string_data(from_buffer), "abc"));

  CHECK_FAIL(mlx_string_set(NULL, hello));
  CHECK_OK(mlx_string_free(empty));
  CHECK_OK(mlx_string_free(copy));
  CHECK_OK(mlx_string_free(hello));
  CHECK_OK(mlx_string_free(from_buffer));
}

static void test_vector_array(void) {
  mlx_array a[3] = {mlx_array_new_float(1.0f), mlx_array_new_float(2.0f),
                    mlx_array_new_float(3.0f)};

  mlx_vector_array vec = mlx_vector_array_new();
  CHECK(mlx_vector_array_size(vec) == 0);
  CHECK_OK(mlx_vector_array_append_value(vec, a[0]));
  CHECK_OK(mlx_vector_array_append_data(vec, a + 1, 2));
  CHECK(mlx_vector_array_size(vec) == 3);
  for (size_t i = 0; i < 3; i++) CHECK_NEAR(vector_item(vec, i), (float)(i + 1), 0);

  /* get replaces what the result handle held */
  mlx_array item = mlx_array_new_float(9.0f);
  CHECK_OK(mlx_vector_array_get(&item, vec, 1));
  CHECK_NEAR(value_of(item), 2.0f, 0);

  int before = errors_reported;
  CHECK_FAIL(mlx_vector_array_get(&item, vec, 3));
  CHECK(errors_reported == before + 1);
  CHECK(strstr(last_error, "out of range") != NULL);
  CHECK_NEAR(value_of(item), 2.0f, 0);
  CHECK_FAIL(mlx_vector_array_get(NULL, vec, 0));

  /* set copies: the copy grows on its own */
  mlx_vector_array copy = mlx_vector_array_new();
  CHECK_OK(mlx_vector_array_set(&copy, vec));
  CHECK_OK(mlx_vector_array_append_value(copy, a[0]));
  CHECK(mlx_vector_array_size(copy) == 4);
  CHECK(mlx_vector_array_size(vec) == 3);
  CHECK_NEAR(vector_item(copy, 3), 1.0f, 0);

  mlx_vector_array from_data = mlx_vector_array_new_data(a, 3);
  CHECK(mlx_vector_array_size(from_data) == 3);
  CHECK_NEAR(vector_item(from_data, 2), 3.0f, 0);
  CHECK_OK(mlx_vector_array_set_value(&from_data, a[1]));
  CHECK(mlx_vector_array_size(from_data) == 1);
  CHECK_NEAR(vector_item(from_data, 0), 2.0f, 0);
  CHECK_OK(mlx_vector_array_set_data(&from_data, a, 2));
  CHECK(mlx_vector_array_size(from_data) == 2);
  CHECK_NEAR(vector_item(from_data, 1), 2.0f, 0);

  mlx_vector_array single = mlx_vector_array_new_value(a[2]);
  CHECK(mlx_vector_array_size(single) == 1);

  /* the vector keeps its own references */
  for (int i = 0; i < 3; i++) mlx_array_free(a[i]);
  CHECK_NEAR(vector_item(vec, 0), 1.0f, 0);
  CHECK_NEAR(vector_item(single, 0), 3.0f, 0);

  /* empty arrays are not stored */
  mlx_array empty_array = mlx_array_new();
  CHECK_FAIL(mlx_vector_array_append_value(vec, empty_array));
  CHECK(mlx_vector_array_size(vec) == 3);

  /* an empty handle reads as an empty vector */
  mlx_vector_array empty = {0};
  CHECK(mlx_vector_array_size(empty) == 0);
  CHECK_FAIL(mlx_vector_array_get(&item, empty, 0));
  CHECK_FAIL(mlx_vector_array_append_value(empty, item));
  CHECK_OK(mlx_vector_array_free(empty));

  mlx_array_free(item);
  CHECK_OK(mlx_vector_array_free(vec));
  CHECK_OK(mlx_vector_array_free(copy));
  CHECK_OK(mlx_vector_array_free(from_data));
  CHECK_OK(mlx_vector_array_free(single));
}

static void test_vector_vector_array(void) {
  mlx_array one = mlx_array_new_float(1.0f), two = mlx_array_new_float(2.0f);
  mlx_vector_array inner = mlx_vector_array_new_value(one);

  mlx_vector_vector_array outer = mlx_vector_vector_array_new();
  CHECK_OK(mlx_vector_vector_array_append_value(outer, inner));
  CHECK_OK(mlx_vector_array_append_value(inner, two)); /* outer holds a copy */
  CHECK_OK(mlx_vector_vector_array_append_data(outer, &inner, 1));
  CHECK(mlx_vector_vector_array_size(outer) == 2);

  mlx_vector_array got = mlx_vector_array_new();
  CHECK_OK(mlx_vector_vector_array_get(&got, outer, 0));
  CHECK(mlx_vector_array_size(got) == 1);
  CHECK_OK(mlx_vector_vector_array_get(&got, outer, 1));
  CHECK(mlx_vector_array_size(got) == 2);
  CHECK_NEAR(vector_item(got, 1), 2.0f, 0);
  CHECK_OK(mlx_vector_array_append_value(got, one)); /* a copy: outer is unchanged */
  mlx_vector_array again = mlx_vector_array_new();
  CHECK_OK(mlx_vector_vector_array_get(&again, outer, 1));
  CHECK(mlx_vector_array_size(again) == 2);
  CHECK_FAIL(mlx_vector_vector_array_get(&got, outer, 2));

  mlx_vector_vector_array copy = mlx_vector_vector_array_new_data(&inner, 1);
  CHECK(mlx_vector_vector_array_size(copy) == 1);
  CHECK_OK(mlx_vector_vector_array_set(&copy, outer));
  CHECK(mlx_vector_vector_array_size(copy) == 2);
  CHECK_OK(mlx_vector_vector_array_set_value(&copy, got));
  CHECK(mlx_vector_vector_array_size(copy) == 1);
  CHECK_OK(mlx_vector_vector_array_set_data(&copy, &inner, 1));
  CHECK(mlx_vector_vector_array_size(copy) == 1);
  mlx_vector_vector_array single = mlx_vector_vector_array_new_value(inner);
  CHECK(mlx_vector_vector_array_size(single) == 1);

  mlx_vector_vector_array empty = {0};
  CHECK(mlx_vector_vector_array_size(empty) == 0);
  CHECK_FAIL(mlx_vector_vector_array_append_value(empty, inner));
  CHECK_OK(mlx_vector_vector_array_free(empty));

  mlx_array_free(one);
  mlx_array_free(two);
  mlx_vector_array_free(inner);
  mlx_vector_array_free(got);
  mlx_vector_array_free(again);
  CHECK_OK(mlx_vector_vector_array_free(outer));
  CHECK_OK(mlx_vector_vector_array_free(copy));
  CHECK_OK(mlx_vector_vector_array_free(single));
}

static void test_vector_int(void) {
  int values[4] = {5, 6, 7, 8};
  mlx_vector_int vec = mlx_vector_int_new_data(values, 4);
  CHECK(mlx_vector_int_size(vec) == 4);
  for (int i = 0; i < 100; i++) CHECK_OK(mlx_vector_int_append_value(vec, i));
  CHECK_OK(mlx_vector_int_append_data(vec, values, 2));
  CHECK(mlx_vector_int_size(vec) == 106);
  int got = 0;
  CHECK_OK(mlx_vector_int_get(&got, vec, 2));
  CHECK(got == 7);
  CHECK_OK(mlx_vector_int_get(&got, vec, 103));
  CHECK(got == 99);
  CHECK_OK(mlx_vector_int_get(&got, vec, 105));
  CHECK(got == 6);
  CHECK_FAIL(mlx_vector_int_get(&got, vec, 106));
  CHECK_FAIL(mlx_vector_int_get(NULL, vec, 0));

  mlx_vector_int copy = mlx_vector_int_new();
  CHECK_OK(mlx_vector_int_set(&copy, vec));
  CHECK(mlx_vector_int_size(copy) == 106);
  CHECK_OK(mlx_vector_int_set_value(&copy, 42));
  CHECK(mlx_vector_int_size(copy) == 1);
  CHECK_OK(mlx_vector_int_get(&got, copy, 0));
  CHECK(got == 42);
  CHECK_OK(mlx_vector_int_set_data(&copy, values + 1, 3));
  CHECK_OK(mlx_vector_int_get(&got, copy, 2));
  CHECK(got == 8);
  CHECK_OK(mlx_vector_int_set_data(&copy, NULL, 0));
  CHECK(mlx_vector_int_size(copy) == 0);
  CHECK_FAIL(mlx_vector_int_set_data(&copy, NULL, 3));

  mlx_vector_int single = mlx_vector_int_new_value(-3);
  CHECK_OK(mlx_vector_int_get(&got, single, 0));
  CHECK(got == -3);

  mlx_vector_int empty = {0};
  CHECK(mlx_vector_int_size(empty) == 0);
  CHECK_FAIL(mlx_vector_int_append_value(empty, 1));
  CHECK_FAIL(mlx_vector_int_get(&got, empty, 0));
  CHECK_OK(mlx_vector_int_free(empty));

  CHECK_OK(mlx_vector_int_free(vec));
  CHECK_OK(mlx_vector_int_free(copy));
  CHECK_OK(mlx_vector_int_free(single));
}

static void test_vector_string(void) {
  char name[8] = "alpha";
  const char *names[2] = {name, "beta"};
  mlx_vector_string vec = mlx_vector_string_new_data(names, 2);
  name[0] = 'X'; /* the vector holds copies */
  CHECK_OK(mlx_vector_string_append_value(vec, "gamma"));
  CHECK_OK(mlx_vector_string_append_data(vec, names, 1));
  CHECK(mlx_vector_string_size(vec) == 4);

  char *got = NULL;
  CHECK_OK(mlx_vector_string_get(&got, vec, 0));
  CHECK(text_is(got, "alpha"));
  CHECK_OK(mlx_vector_string_get(&got, vec, 2));
  CHECK(text_is(got, "gamma"));
  CHECK_OK(mlx_vector_string_get(&got, vec, 3));
  CHECK(text_is(got, "Xlpha"));
  CHECK_FAIL(mlx_vector_string_get(&got, vec, 4));
  CHECK_FAIL(mlx_vector_string_append_value(vec, NULL));

  mlx_vector_string copy = mlx_vector_string_new_value("one");
  CHECK_OK(mlx_vector_string_set(&copy, vec));
  CHECK(mlx_vector_string_size(copy) == 4);
  CHECK_OK(mlx_vector_string_get(&got, copy, 1));
  CHECK(text_is(got, "beta"));
  CHECK_OK(mlx_vector_string_set_value(&copy, "solo"));
  CHECK(mlx_vector_string_size(copy) == 1);
  CHECK_OK(mlx_vector_string_set_data(&copy, names, 2));
  CHECK(mlx_vector_string_size(copy) == 2);

  mlx_vector_string empty = {0};
  CHECK(mlx_vector_string_size(empty) == 0);
  CHECK_FAIL(mlx_vector_string_append_value(empty, "x"));
  CHECK_OK(mlx_vector_string_free(empty));

  CHECK_OK(mlx_vector_string_free(vec));
  CHECK_OK(mlx_vector_string_free(copy));
}

static void test_map_string_to_array(void) {
  mlx_array one = mlx_array_new_float(1.0f), two = mlx_array_new_float(2.0f),
            three = mlx_array_new_float(3.0f);
  mlx_map_string_to_array map = mlx_map_string_to_array_new();
  CHECK_OK(mlx_map_string_to_array_insert(map, "a", one));
  CHECK_OK(mlx_map_string_to_array_insert(map, "b", two));
  CHECK_OK(mlx_map_string_to_array_insert(map, "c", three));
  CHECK_OK(mlx_map_string_to_array_insert(map, "b", three)); /* replaces, keeps its place */
  mlx_array_free(one);
  mlx_array_free(two);

  mlx_array value = mlx_array_new();
  CHECK_OK(mlx_map_string_to_array_get(&value, map, "b"));
  CHECK_NEAR(value_of(value), 3.0f, 0);
  CHECK_OK(mlx_map_string_to_array_get(&value, map, "a"));
  CHECK_NEAR(value_of(value), 1.0f, 0);

  int before = errors_reported;
  CHECK(mlx_map_string_to_array_get(&value, map, "missing") == 2);
  CHECK(errors_reported == before);
  CHECK_FAIL(mlx_map_string_to_array_get(&value, map, NULL));
  CHECK_FAIL(mlx_map_string_to_array_insert(map, "empty", (mlx_array){0}));

  const char *expected_keys[3] = {"a", "b", "c"};
  const float expected_values[3] = {1.0f, 3.0f, 3.0f};
  mlx_map_string_to_array_iterator it = mlx_map_string_to_array_iterator_new(map);
  const char *key = NULL;
  for (int i = 0; i < 3; i++) {
    CHECK_OK(mlx_map_string_to_array_iterator_next(&key, &value, it));
    CHECK(text_is(key, expected_keys[i]));
    CHECK_NEAR(value_of(value), expected_values[i], 0);
  }
  CHECK(mlx_map_string_to_array_iterator_next(&key, &value, it) == 2);
  CHECK(mlx_map_string_to_array_iterator_next(&key, &value, it) == 2);
  CHECK_FAIL(mlx_map_string_to_array_iterator_next(NULL, &value, it));
  CHECK_OK(mlx_map_string_to_array_iterator_free(it));

  /* set copies the map */
  mlx_map_string_to_array copy = mlx_map_string_to_array_new();
  CHECK_OK(mlx_map_string_to_array_set(&copy, map));
  CHECK_OK(mlx_map_string_to_array_insert(copy, "d", three));
  CHECK(mlx_map_string_to_array_get(&value, map, "d") == 2);
  CHECK_OK(mlx_map_string_to_array_get(&value, copy, "d"));
  CHECK_OK(mlx_map_string_to_array_get(&value, copy, "a"));
  CHECK_NEAR(value_of(value), 1.0f, 0);

  /* many keys */
  char key_buffer[32];
  for (int i = 0; i < 500; i++) {
    snprintf(key_buffer, sizeof key_buffer, "layer.%d.weight", i);
    CHECK_OK(mlx_map_string_to_array_insert(copy, key_buffer, three));
  }
  CHECK_OK(mlx_map_string_to_array_get(&value, copy, "layer.321.weight"));
  CHECK_OK(mlx_map_string_to_array_get(&value, copy, "c"));
  int count = 0;
  it = mlx_map_string_to_array_iterator_new(copy);
  while (mlx_map_string_to_array_iterator_next(&key, &value, it) == 0) count++;
  CHECK(count == 504);
  CHECK_OK(mlx_map_string_to_array_iterator_free(it));

  /* an empty handle reads as an empty map */
  mlx_map_string_to_array empty = {0};
  CHECK(mlx_map_string_to_array_get(&value, empty, "a") == 2);
  CHECK_FAIL(mlx_map_string_to_array_insert(empty, "a", three));
  it = mlx_map_string_to_array_iterator_new(empty);
  CHECK(mlx_map_string_to_array_iterator_next(&key, &value, it) == 2);
  CHECK_OK(mlx_map_string_to_array_iterator_free(it));
  CHECK_OK(mlx_map_string_to_array_free(empty));

  mlx_array_free(three);
  mlx_array_free(value);
  CHECK_OK(mlx_map_string_to_array_free(map));
  CHECK_OK(mlx_map_string_to_array_free(copy));
}

static void test_map_string_to_string(void) {
  mlx_map_string_to_string map = mlx_map_string_to_string_new();
  char value_buffer[16] = "pt";
  CHECK_OK(mlx_map_string_to_string_insert(map, "format", value_buffer));
  value_buffer[0] = 'x'; /* the map holds copies */
  CHECK_OK(mlx_map_string_to_string_insert(map, "author", "me"));
  CHECK_OK(mlx_map_string_to_string_insert(map, "author", "you"));

  const char *value = NULL;
  CHECK_OK(mlx_map_string_to_string_get(&value, map, "format"));
  CHECK(text_is(value, "pt"));
  CHECK_OK(mlx_map_string_to_string_get(&value, map, "author"));
  CHECK(text_is(value, "you"));
  int before = errors_reported;
  CHECK(mlx_map_string_to_string_get(&value, map, "missing") == 2);
  CHECK(errors_reported == before);
  CHECK_FAIL(mlx_map_string_to_string_insert(map, "k", NULL));
  CHECK_FAIL(mlx_map_string_to_string_insert(map, NULL, "v"));

  mlx_map_string_to_string copy = mlx_map_string_to_string_new();
  CHECK_OK(mlx_map_string_to_string_set(&copy, map));
  CHECK_OK(mlx_map_string_to_string_insert(copy, "format", "npz"));
  CHECK_OK(mlx_map_string_to_string_get(&value, map, "format"));
  CHECK(text_is(value, "pt"));

  mlx_map_string_to_string_iterator it = mlx_map_string_to_string_iterator_new(copy);
  const char *key = NULL;
  CHECK_OK(mlx_map_string_to_string_iterator_next(&key, &value, it));
  CHECK(text_is(key, "format") && text_is(value, "npz"));
  CHECK_OK(mlx_map_string_to_string_iterator_next(&key, &value, it));
  CHECK(text_is(key, "author") && text_is(value, "you"));
  CHECK(mlx_map_string_to_string_iterator_next(&key, &value, it) == 2);
  CHECK_OK(mlx_map_string_to_string_iterator_free(it));

  mlx_map_string_to_string empty = {0};
  CHECK(mlx_map_string_to_string_get(&value, empty, "format") == 2);
  it = mlx_map_string_to_string_iterator_new(empty);
  CHECK(mlx_map_string_to_string_iterator_next(&key, &value, it) == 2);
  CHECK_OK(mlx_map_string_to_string_iterator_free(it));
  CHECK_OK(mlx_map_string_to_string_free(empty));

  CHECK_OK(mlx_map_string_to_string_free(map));
  CHECK_OK(mlx_map_string_to_string_free(copy));
}

static void test_device_info(void) {
  mlx_device cpu = mlx_device_new_type(MLX_CPU, 0);
  mlx_device_info info = mlx_device_info_new();
  bool flag = true;
  CHECK_OK(mlx_device_info_has_key(&flag, info, "device_name")); /* empty: no keys */
  CHECK(!flag);

  CHECK_OK(mlx_device_info_get(&info, cpu));
  mlx_vector_string keys = mlx_vector_string_new();
  CHECK_OK(mlx_device_info_get_keys(&keys, info));
  CHECK(mlx_vector_string_size(keys) == 4);
  for (size_t i = 0; i < mlx_vector_string_size(keys); i++) {
    char *key = NULL;
    CHECK_OK(mlx_vector_string_get(&key, keys, i));
    CHECK_OK(mlx_device_info_has_key(&flag, info, key));
    CHECK(flag);
  }

  const char *text = NULL;
  CHECK_OK(mlx_device_info_is_string(&flag, info, "device_name"));
  CHECK(flag);
  CHECK_OK(mlx_device_info_get_string(&text, info, "device_name"));
  CHECK(text && text[0] != '\0');
  CHECK_OK(mlx_device_info_get_string(&text, info, "architecture"));
  CHECK(text && text[0] != '\0');

  size_t size = 0;
  CHECK_OK(mlx_device_info_is_string(&flag, info, "memory_size"));
  CHECK(!flag);
  CHECK_OK(mlx_device_info_get_size(&size, info, "memory_size"));
  CHECK(size > 0);
  CHECK_OK(mlx_device_info_get_size(&size, info, "num_cores"));
  CHECK(size >= 1);

  CHECK_OK(mlx_device_info_has_key(&flag, info, "no_such_key"));
  CHECK(!flag);
  int before = errors_reported;
  CHECK_FAIL(mlx_device_info_get_string(&text, info, "no_such_key"));
  CHECK(errors_reported == before + 1 && strstr(last_error, "no_such_key") != NULL);
  CHECK_FAIL(mlx_device_info_get_size(&size, info, "device_name"));
  CHECK_FAIL(mlx_device_info_get_string(&text, info, "num_cores"));
  CHECK_FAIL(mlx_device_info_is_string(&flag, info, "no_such_key"));
  CHECK_FAIL(mlx_device_info_get_size(NULL, info, "num_cores"));
  CHECK_FAIL(mlx_device_info_get(NULL, cpu));

  /* getting again replaces the table */
  CHECK_OK(mlx_device_info_get(&info, cpu));
  CHECK_OK(mlx_device_info_get_size(&size, info, "num_cores"));

  mlx_device gpu = mlx_device_new_type(MLX_GPU, 0);
  mlx_device_info gpu_info = mlx_device_info_new();
  CHECK_FAIL(mlx_device_info_get(&gpu_info, gpu));
  CHECK_OK(mlx_device_info_free(gpu_info));

  CHECK_OK(mlx_vector_string_free(keys));
  CHECK_OK(mlx_device_info_free(info));
  mlx_device_free(gpu);
  mlx_device_free(cpu);
}

void run_tests(void) {
  mlx_set_error_handler(record_error, NULL, NULL);
  test_string();
  test_vector_array();
  test_vector_vector_array();
  test_vector_int();
  test_vector_string();
  test_map_string_to_array();
  test_map_string_to_string();
  test_device_info();
}
