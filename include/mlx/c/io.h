/* mlxc: array files (mlx-c compatible): .npy (mlx_load / mlx_save), .safetensors, .gguf.
 *
 * Loads are eager: the data is read into the arrays' buffers before the call returns, and a
 * corrupt or truncated file fails with a "[load] ..." message. The mlx_io_gguf object holds the
 * tensors and metadata of a GGUF file (metadata values: an array, a string or a list of
 * strings).
 *
 * mlxc extensions (not in mlx-c), used by the Python package: .npz archives (zip of .npy
 * members, stored or deflated) and the list of a GGUF container's metadata keys. */
#ifndef MLX_C_IO_H
#define MLX_C_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mlx/c/array.h"
#include "mlx/c/io_types.h"
#include "mlx/c/map.h"
#include "mlx/c/stream.h"
#include "mlx/c/string.h"
#include "mlx/c/vector.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlx_io_gguf_ {
  void* ctx;
} mlx_io_gguf;

int mlx_load_reader( mlx_array* res, mlx_io_reader in_stream, const mlx_stream s);
int mlx_load(mlx_array* res, const char* file, const mlx_stream s);
int mlx_load_gguf(mlx_io_gguf* gguf, const char* file, const mlx_stream s);
int mlx_load_safetensors_reader( mlx_map_string_to_array* res_0, mlx_map_string_to_string* res_1, mlx_io_reader in_stream, const mlx_stream s);
int mlx_load_safetensors( mlx_map_string_to_array* res_0, mlx_map_string_to_string* res_1, const char* file, const mlx_stream s);
int mlx_save_writer(mlx_io_writer out_stream, const mlx_array a);
int mlx_save(const char* file, const mlx_array a);
int mlx_save_gguf(const char* file, mlx_io_gguf gguf);
int mlx_save_safetensors_writer( mlx_io_writer in_stream, const mlx_map_string_to_array param, const mlx_map_string_to_string metadata);
int mlx_save_safetensors( const char* file, const mlx_map_string_to_array param, const mlx_map_string_to_string metadata);

mlx_io_gguf mlx_io_gguf_new(void);
int mlx_io_gguf_free(mlx_io_gguf io);
int mlx_io_gguf_get_keys(mlx_vector_string* keys, mlx_io_gguf io);
int mlx_io_gguf_get_array(mlx_array* arr, mlx_io_gguf io, const char* key);
int mlx_io_gguf_get_metadata_array( mlx_array* arr, mlx_io_gguf io, const char* key);
int mlx_io_gguf_get_metadata_string( mlx_string* str, mlx_io_gguf io, const char* key);
int mlx_io_gguf_get_metadata_vector_string( mlx_vector_string* vstr, mlx_io_gguf io, const char* key);
int mlx_io_gguf_has_metadata_array(bool* flag, mlx_io_gguf io, const char* key);
int mlx_io_gguf_has_metadata_string( bool* flag, mlx_io_gguf io, const char* key);
int mlx_io_gguf_has_metadata_vector_string( bool* flag, mlx_io_gguf io, const char* key);
int mlx_io_gguf_set_array(mlx_io_gguf io, const char* key, const mlx_array arr);
int mlx_io_gguf_set_metadata_array( mlx_io_gguf io, const char* key, const mlx_array marr);
int mlx_io_gguf_set_metadata_string( mlx_io_gguf io, const char* key, const char* mstr);
int mlx_io_gguf_set_metadata_vector_string( mlx_io_gguf io, const char* key, const mlx_vector_string mvstr);

/* mlxc extension: the metadata keys of a GGUF container, in file order. */
int mlx_io_gguf_get_metadata_keys(mlx_vector_string* keys, mlx_io_gguf io);

/* mlxc extension: .npz. Member names lose their ".npy" suffix when loaded; compressed writes
 * deflated members. */
int mlx_load_npz(mlx_map_string_to_array* res, const char* file, const mlx_stream s);
int mlx_load_npz_reader( mlx_map_string_to_array* res, mlx_io_reader in_stream, const mlx_stream s);
int mlx_save_npz(const char* file, const mlx_map_string_to_array arrays, bool compressed);
int mlx_save_npz_writer( mlx_io_writer out_stream, const mlx_map_string_to_array arrays, bool compressed);

#ifdef __cplusplus
}
#endif

#endif
