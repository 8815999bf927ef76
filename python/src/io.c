/* mlx.core: files (issue 7): load, save, savez, savez_compressed, save_safetensors, save_gguf.
 *
 * A file is a str or os.PathLike (the C library opens it, with the GIL released) or, except
 * for gguf, a binary file object: it is read and written through an mlx_io_reader/writer whose
 * callbacks call the object's seek/tell/readinto/write on this thread (the GIL stays held). An
 * exception raised by the object is re-raised as is. Library errors become ValueError, except
 * a file that cannot be opened (RuntimeError, as MLX). */
#include "mlxpy.h"

#include <string.h>

#define KW (PyCFunction)(void (*)(void))

/* ------------------------------------------------------------------ errors */

static PyObject *raise_io(void) {
  mxpy_raise_lib(PyExc_ValueError); /* (a file that cannot be opened: RuntimeError) */
  return NULL;
}

/* ------------------------------------------------------------------ Python file objects */

typedef struct {
  PyObject *file;
  bool ok;
  PyObject *et, *ev, *etb; /* the first exception raised by the object */
} pyfile;

/* Records a pending Python exception (the first one wins); marks the stream bad. */
static void pf_fail(pyfile *f) {
  f->ok = false;
  if (!PyErr_Occurred()) return;
  if (f->et) {
    PyErr_Clear();
    return;
  }
  PyErr_Fetch(&f->et, &f->ev, &f->etb);
}

static bool pf_good(void *d) {
  return ((pyfile *)d)->ok;
}

static bool pf_is_open(void *d) {
  pyfile *f = d;
  PyObject *c = PyObject_GetAttrString(f->file, "closed");
  if (!c) {
    PyErr_Clear();
    return true;
  }
  bool open = !PyObject_IsTrue(c);
  Py_DECREF(c);
  return open;
}

static size_t pf_tell(void *d) {
  pyfile *f = d;
  if (!f->ok) return 0;
  PyObject *r = PyObject_CallMethod(f->file, "tell", NULL);
  size_t v = r ? (size_t)PyLong_AsSize_t(r) : 0;
  Py_XDECREF(r);
  if (!r || PyErr_Occurred()) pf_fail(f);
  return v;
}

static void pf_seek(void *d, int64_t off, int whence) {
  pyfile *f = d;
  if (!f->ok) return;
  PyObject *r = PyObject_CallMethod(f->file, "seek", "Li", (long long)off, whence);
  if (!r) pf_fail(f);
  Py_XDECREF(r);
}

static void pf_read(void *d, char *data, size_t n) {
  pyfile *f = d;
  while (f->ok && n) {
    size_t chunk = n < ((size_t)1 << 30) ? n : ((size_t)1 << 30);
    PyObject *mv = PyMemoryView_FromMemory(data, (Py_ssize_t)chunk, PyBUF_WRITE);
    PyObject *r = mv ? PyObject_CallMethod(f->file, "readinto", "O", mv) : NULL;
    Py_XDECREF(mv);
    Py_ssize_t got = r && r != Py_None ? PyLong_AsSsize_t(r) : -1;
    Py_XDECREF(r);
    if (got <= 0 || (size_t)got > chunk) { /* EOF, error or a non-blocking stream */
      pf_fail(f);
      return;
    }
    data += got;
    n -= (size_t)got;
  }
}

static void pf_write(void *d, const char *data, size_t n) {
  pyfile *f = d;
  while (f->ok && n) {
    size_t chunk = n < ((size_t)1 << 30) ? n : ((size_t)1 << 30);
    PyObject *mv = PyMemoryView_FromMemory((char *)data, (Py_ssize_t)chunk, PyBUF_READ);
    PyObject *r = mv ? PyObject_CallMethod(f->file, "write", "O", mv) : NULL;
    Py_XDECREF(mv);
    Py_ssize_t put = !r ? -1 : r == Py_None ? (Py_ssize_t)chunk : PyLong_AsSsize_t(r);
    Py_XDECREF(r);
    if (put <= 0 || (size_t)put > chunk) {
      pf_fail(f);
      return;
    }
    data += put;
    n -= (size_t)put;
  }
}

static const char *pf_label(void *d) {
  (void)d;
  return "python file object";
}

static const mlx_io_vtable PYFILE_VT = {pf_is_open, pf_good,  pf_tell,  pf_seek, pf_read,
                                        NULL,       pf_write, pf_label, NULL};

/* After a call through a file object: re-raise the object's own exception, else the library
 * error when status != 0. Returns -1 with an exception set, 0 otherwise. */
static int pf_finish(pyfile *f, int status) {
  if (f->et) {
    PyErr_Restore(f->et, f->ev, f->etb);
    mxpy_error_clear();
    return -1;
  }
  if (status) {
    raise_io();
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------ arguments */

/* A str / os.PathLike file name as a new bytes object (NULL, no exception: not a path). */
static PyObject *path_of(PyObject *file) {
  if (!PyUnicode_Check(file) && !PyObject_HasAttrString(file, "__fspath__")) return NULL;
  PyObject *p = PyOS_FSPath(file);
  if (!p) return NULL;
  PyObject *b = NULL;
  if (PyUnicode_Check(p))
    b = PyUnicode_EncodeFSDefault(p);
  else if (PyBytes_Check(p))
    b = Py_NewRef(p);
  Py_DECREF(p);
  return b;
}

/* file must be a path or an object with the given methods. */
static int file_arg(PyObject *file, const char *fname, PyObject **path, bool writing) {
  *path = path_of(file);
  if (*path) return 0;
  if (PyErr_Occurred()) return -1;
  const char *need = writing ? "write" : "readinto";
  if (!PyObject_HasAttrString(file, need) || !PyObject_HasAttrString(file, "seek") ||
      !PyObject_HasAttrString(file, "tell")) {
    PyErr_Format(PyExc_TypeError,
                 "%s(): file must be a str, a pathlib.Path or a binary file object, got %.200s.",
                 fname, Py_TYPE(file)->tp_name);
    return -1;
  }
  return 0;
}

/* A dict of str -> array into a new map. */
static int arrays_arg(PyObject *d, const char *fname, mlx_map_string_to_array *out) {
  if (!PyDict_Check(d)) {
    PyErr_Format(PyExc_TypeError, "%s(): arrays must be a dict of str to array.", fname);
    return -1;
  }
  *out = mlx_map_string_to_array_new();
  PyObject *k, *v;
  Py_ssize_t pos = 0;
  while (PyDict_Next(d, &pos, &k, &v)) {
    mlx_array a;
    const char *key = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
    if (!key) {
      if (!PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "%s(): array names must be str.", fname);
      goto fail;
    }
    if (mxpy_array_arg(v, fname, "every value", &a) < 0) goto fail;
    if (mlx_map_string_to_array_insert(*out, key, a)) {
      mxpy_raise_lib(PyExc_ValueError);
      goto fail;
    }
  }
  return 0;
fail:
  mlx_map_string_to_array_free(*out);
  return -1;
}

/* ------------------------------------------------------------------ results */

static PyObject *dict_of_arrays(mlx_map_string_to_array m) {
  PyObject *d = PyDict_New();
  mlx_map_string_to_array_iterator it = mlx_map_string_to_array_iterator_new(m);
  const char *key;
  mlx_array val = {NULL};
  while (d && mlx_map_string_to_array_iterator_next(&key, &val, it) == 0) {
    PyObject *a = mxpy_array_wrap(val); /* takes the iterator's reference */
    val.ctx = NULL;
    if (!a || PyDict_SetItemString(d, key, a) < 0) Py_CLEAR(d);
    Py_XDECREF(a);
  }
  mlx_array_free(val);
  mlx_map_string_to_array_iterator_free(it);
  return d;
}

static PyObject *dict_of_strings(mlx_map_string_to_string m) {
  PyObject *d = PyDict_New();
  mlx_map_string_to_string_iterator it = mlx_map_string_to_string_iterator_new(m);
  const char *key, *val;
  while (d && mlx_map_string_to_string_iterator_next(&key, &val, it) == 0) {
    PyObject *s = PyUnicode_FromString(val);
    if (!s || PyDict_SetItemString(d, key, s) < 0) Py_CLEAR(d);
    Py_XDECREF(s);
  }
  mlx_map_string_to_string_iterator_free(it);
  return d;
}

static PyObject *list_of_strings(mlx_vector_string v) {
  size_t n = mlx_vector_string_size(v);
  PyObject *l = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; l && i < n; i++) {
    char *s = NULL;
    mlx_vector_string_get(&s, v, i);
    PyObject *o = PyUnicode_FromString(s ? s : "");
    if (!o)
      Py_CLEAR(l);
    else
      PyList_SET_ITEM(l, (Py_ssize_t)i, o);
  }
  return l;
}

/* ------------------------------------------------------------------ load */

static PyObject *load_gguf(const char *path, mlx_stream s, bool meta) {
  mlx_io_gguf g = mlx_io_gguf_new();
  int rc;
  Py_BEGIN_ALLOW_THREADS rc = mlx_load_gguf(&g, path, s);
  Py_END_ALLOW_THREADS if (rc) {
    mlx_io_gguf_free(g);
    return raise_io();
  }
  PyObject *arrays = PyDict_New(), *md = meta ? PyDict_New() : NULL, *res = NULL;
  mlx_vector_string keys = mlx_vector_string_new();
  if (!arrays || (meta && !md) || mlx_io_gguf_get_keys(&keys, g)) goto done;
  for (size_t i = 0; i < mlx_vector_string_size(keys); i++) {
    char *k = NULL;
    mlx_array a = mlx_array_new();
    mlx_vector_string_get(&k, keys, i);
    mlx_io_gguf_get_array(&a, g, k);
    PyObject *o = mxpy_array_wrap(a);
    if (!o || PyDict_SetItemString(arrays, k, o) < 0) {
      Py_XDECREF(o);
      goto done;
    }
    Py_DECREF(o);
  }
  if (meta) {
    if (mlx_io_gguf_get_metadata_keys(&keys, g)) goto done;
    for (size_t i = 0; i < mlx_vector_string_size(keys); i++) {
      char *k = NULL;
      bool is_arr = false, is_str = false;
      PyObject *o = NULL;
      mlx_vector_string_get(&k, keys, i);
      mlx_io_gguf_has_metadata_array(&is_arr, g, k);
      mlx_io_gguf_has_metadata_string(&is_str, g, k);
      if (is_arr) {
        mlx_array a = mlx_array_new();
        mlx_io_gguf_get_metadata_array(&a, g, k);
        o = mxpy_array_wrap(a);
      } else if (is_str) {
        mlx_string str = mlx_string_new();
        mlx_io_gguf_get_metadata_string(&str, g, k);
        o = PyUnicode_DecodeUTF8(mlx_string_data(str), (Py_ssize_t)strlen(mlx_string_data(str)),
                                 "replace");
        mlx_string_free(str);
      } else {
        mlx_vector_string vs = mlx_vector_string_new();
        mlx_io_gguf_get_metadata_vector_string(&vs, g, k);
        o = list_of_strings(vs);
        mlx_vector_string_free(vs);
      }
      if (!o || PyDict_SetItemString(md, k, o) < 0) {
        Py_XDECREF(o);
        goto done;
      }
      Py_DECREF(o);
    }
    res = PyTuple_Pack(2, arrays, md);
  } else {
    res = Py_NewRef(arrays);
  }
done:
  if (!res && !PyErr_Occurred()) mxpy_raise_lib(PyExc_ValueError);
  Py_XDECREF(arrays);
  Py_XDECREF(md);
  mlx_vector_string_free(keys);
  mlx_io_gguf_free(g);
  return res;
}

typedef enum { FMT_NPY, FMT_NPZ, FMT_SAFETENSORS, FMT_GGUF, FMT_TORCH, FMT_TORCH_PT } io_format;

/* The format named by format, or by the file's extension (a file object's .name). */
static int format_arg(PyObject *file, PyObject *path, PyObject *format, io_format *out) {
  PyObject *name = NULL;
  const char *f;
  if (format && format != Py_None) {
    if (!PyUnicode_Check(format)) {
      PyErr_SetString(PyExc_TypeError, "load(): format must be a str or None.");
      return -1;
    }
    f = PyUnicode_AsUTF8(format);
  } else {
    name = path ? Py_NewRef(path) : PyObject_GetAttrString(file, "name");
    if (name && PyUnicode_Check(name)) Py_SETREF(name, PyUnicode_EncodeFSDefault(name));
    if (!name || !PyBytes_Check(name)) {
      PyErr_Clear();
      Py_XDECREF(name);
      PyErr_SetString(PyExc_ValueError, "[load] Could not infer file format from extension");
      return -1;
    }
    const char *s = PyBytes_AS_STRING(name), *dot = strrchr(s, '.'), *slash = strrchr(s, '/');
    if (!dot || (slash && slash > dot)) {
      Py_DECREF(name);
      PyErr_SetString(PyExc_ValueError, "[load] Could not infer file format from extension");
      return -1;
    }
    f = dot + 1;
  }
  static const char *NAMES[] = {"npy", "npz", "safetensors", "gguf", "bin", "pt"};
  int rc = -1;
  for (int i = 0; i < 6; i++)
    if (!strcmp(f, NAMES[i])) {
      *out = i == FMT_TORCH_PT ? FMT_TORCH : (io_format)i;
      rc = 0;
    }
  if (rc) PyErr_Format(PyExc_ValueError, "[load] Unknown file format %s", f);
  Py_XDECREF(name);
  return rc;
}

/* The outcome of a load through a path (pf NULL) or a file object. */
static int load_finish(pyfile *pf, int status) {
  if (pf) return pf_finish(pf, status);
  if (status) raise_io();
  return status ? -1 : 0;
}

static PyObject *load_any(PyObject *file, const char *path, io_format fmt, bool meta,
                          mlx_stream s) {
  pyfile pf = {file, true, NULL, NULL, NULL};
  mlx_io_reader r = {NULL};
  if (!path) r = mlx_io_reader_new(&pf, PYFILE_VT);
  int rc;
  PyObject *res = NULL;
  if (fmt == FMT_NPY) {
    mlx_array a = mlx_array_new();
    if (path) {
      Py_BEGIN_ALLOW_THREADS rc = mlx_load(&a, path, s);
      Py_END_ALLOW_THREADS
    } else {
      rc = mlx_load_reader(&a, r, s);
    }
    if (load_finish(path ? NULL : &pf, rc) == 0)
      res = mxpy_array_wrap(a);
    else
      mlx_array_free(a);
  } else {
    mlx_map_string_to_array m = mlx_map_string_to_array_new();
    mlx_map_string_to_string md = mlx_map_string_to_string_new();
    if (path) {
      Py_BEGIN_ALLOW_THREADS rc =
          fmt == FMT_NPZ ? mlx_load_npz(&m, path, s) : mlx_load_safetensors(&m, &md, path, s);
      Py_END_ALLOW_THREADS
    } else {
      rc = fmt == FMT_NPZ ? mlx_load_npz_reader(&m, r, s)
                          : mlx_load_safetensors_reader(&m, &md, r, s);
    }
    if (load_finish(path ? NULL : &pf, rc) == 0) {
      PyObject *arrays = dict_of_arrays(m);
      PyObject *mdict = arrays && meta ? dict_of_strings(md) : NULL;
      res = !meta ? Py_XNewRef(arrays) : mdict ? PyTuple_Pack(2, arrays, mdict) : NULL;
      Py_XDECREF(arrays);
      Py_XDECREF(mdict);
    }
    mlx_map_string_to_array_free(m);
    mlx_map_string_to_string_free(md);
  }
  if (r.ctx) mlx_io_reader_free(r);
  return res;
}

static PyObject *py_load(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"file", "format", "return_metadata", "stream", NULL};
  PyObject *file, *format = Py_None, *stream = Py_None;
  int meta = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|Op$O:load", kwlist, &file, &format, &meta,
                                   &stream))
    return NULL;
  PyObject *path;
  if (file_arg(file, "load", &path, false) < 0) return NULL;
  io_format fmt;
  mlx_stream s = {NULL};
  PyObject *res = NULL;
  if (format_arg(file, path, format, &fmt) < 0 || mxpy_stream_arg(stream, &s) < 0) goto done;
  if (meta && (fmt == FMT_NPY || fmt == FMT_NPZ)) {
    PyErr_Format(PyExc_ValueError, "[load] metadata not supported for format %s",
                 fmt == FMT_NPY ? "npy" : "npz");
    goto done;
  }
  if (fmt == FMT_TORCH) { /* PyTorch zip + pickle (bert, issue 7): a restricted unpickler */
    if (meta) {
      PyErr_SetString(PyExc_ValueError, "[load] metadata not supported for format bin");
      goto done;
    }
    PyObject *mod = PyImport_ImportModule("mlx._torch_bin");
    res = mod ? PyObject_CallMethod(mod, "load", "O", file) : NULL;
    Py_XDECREF(mod);
    goto done;
  }
  if (fmt == FMT_GGUF) {
    if (!path)
      PyErr_SetString(PyExc_ValueError, "[load_gguf] Input must be a string");
    else
      res = load_gguf(PyBytes_AS_STRING(path), s, meta);
    goto done;
  }
  res = load_any(file, path ? PyBytes_AS_STRING(path) : NULL, fmt, meta, s);
done:
  Py_XDECREF(path);
  if (s.ctx) mlx_stream_free(s);
  return res;
}

/* ------------------------------------------------------------------ save */

typedef enum { SAVE_NPY, SAVE_NPZ, SAVE_NPZ_COMPRESSED, SAVE_SAFETENSORS } save_kind;

/* Writes through the path or the file object. */
static PyObject *save_to(PyObject *file, const char *fname, save_kind kind, mlx_array a,
                         mlx_map_string_to_array m, mlx_map_string_to_string md) {
  PyObject *path;
  if (file_arg(file, fname, &path, true) < 0) return NULL;
  int rc;
  bool compressed = kind == SAVE_NPZ_COMPRESSED;
  pyfile pf = {file, true, NULL, NULL, NULL};
  if (path) {
    const char *p = PyBytes_AS_STRING(path);
    Py_BEGIN_ALLOW_THREADS switch (kind) {
    case SAVE_NPY:
      rc = mlx_save(p, a);
      break;
    case SAVE_SAFETENSORS:
      rc = mlx_save_safetensors(p, m, md);
      break;
    default:
      rc = mlx_save_npz(p, m, compressed);
      break;
    }
    Py_END_ALLOW_THREADS Py_DECREF(path);
    if (rc) return raise_io();
  } else {
    mlx_io_writer w = mlx_io_writer_new(&pf, PYFILE_VT);
    switch (kind) {
    case SAVE_NPY:
      rc = mlx_save_writer(w, a);
      break;
    case SAVE_SAFETENSORS:
      rc = mlx_save_safetensors_writer(w, m, md);
      break;
    default:
      rc = mlx_save_npz_writer(w, m, compressed);
      break;
    }
    mlx_io_writer_free(w);
    if (pf_finish(&pf, rc) < 0) return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *py_save(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"file", "arr", NULL};
  PyObject *file, *arr;
  mlx_array a;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO:save", kwlist, &file, &arr)) return NULL;
  if (mxpy_array_arg(arr, "save", "arr", &a) < 0) return NULL;
  return save_to(file, "save", SAVE_NPY, a, (mlx_map_string_to_array){NULL},
                 (mlx_map_string_to_string){NULL});
}

static PyObject *savez_impl(PyObject *args, PyObject *kwargs, bool compressed) {
  const char *fname = compressed ? "savez_compressed" : "savez";
  Py_ssize_t n = PyTuple_GET_SIZE(args);
  if (n < 1) {
    PyErr_Format(PyExc_TypeError, "%s() missing required argument 'file'", fname);
    return NULL;
  }
  PyObject *d = kwargs ? PyDict_Copy(kwargs) : PyDict_New();
  if (!d) return NULL;
  for (Py_ssize_t i = 1; i < n; i++) {
    PyObject *key = PyUnicode_FromFormat("arr_%zd", i - 1);
    int has = key ? PyDict_Contains(d, key) : -1;
    if (has == 1)
      PyErr_Format(PyExc_ValueError, "[%s] Cannot use un-named variables and keyword %U", fname,
                   key);
    if (has != 0 || PyDict_SetItem(d, key, PyTuple_GET_ITEM(args, i)) < 0) {
      Py_XDECREF(key);
      Py_DECREF(d);
      return NULL;
    }
    Py_DECREF(key);
  }
  mlx_map_string_to_array m;
  PyObject *res = NULL;
  if (arrays_arg(d, fname, &m) == 0) {
    res = save_to(PyTuple_GET_ITEM(args, 0), fname, compressed ? SAVE_NPZ_COMPRESSED : SAVE_NPZ,
                  (mlx_array){NULL}, m, (mlx_map_string_to_string){NULL});
    mlx_map_string_to_array_free(m);
  }
  Py_DECREF(d);
  return res;
}

static PyObject *py_savez(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwargs) {
  return savez_impl(args, kwargs, false);
}

static PyObject *py_savez_compressed(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwargs) {
  return savez_impl(args, kwargs, true);
}

static PyObject *py_save_safetensors(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"file", "arrays", "metadata", NULL};
  PyObject *file, *arrays, *meta = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|O:save_safetensors", kwlist, &file, &arrays,
                                   &meta))
    return NULL;
  mlx_map_string_to_string md = mlx_map_string_to_string_new();
  if (meta != Py_None) {
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    bool ok = PyDict_Check(meta);
    while (ok && PyDict_Next(meta, &pos, &k, &v)) {
      ok = PyUnicode_Check(k) && PyUnicode_Check(v);
      const char *ks = ok ? PyUnicode_AsUTF8(k) : NULL, *vs = ks ? PyUnicode_AsUTF8(v) : NULL;
      ok = vs && !mlx_map_string_to_string_insert(md, ks, vs);
    }
    if (!ok) {
      mlx_map_string_to_string_free(md);
      if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "[save_safetensors] Metadata must be a dictionary "
                                          "with string keys and values");
      return NULL;
    }
  }
  mlx_map_string_to_array m;
  PyObject *res = NULL;
  if (arrays_arg(arrays, "save_safetensors", &m) == 0) {
    res = save_to(file, "save_safetensors", SAVE_SAFETENSORS, (mlx_array){NULL}, m, md);
    mlx_map_string_to_array_free(m);
  }
  mlx_map_string_to_string_free(md);
  return res;
}

/* One metadata value: an array, a str or a list of str. */
static int gguf_meta(mlx_io_gguf g, const char *key, PyObject *v) {
  if (mxpy_Array_Check(v)) return mlx_io_gguf_set_metadata_array(g, key, MXPY_ARR(v)) ? -2 : 0;
  if (PyUnicode_Check(v)) {
    const char *s = PyUnicode_AsUTF8(v);
    return !s ? -1 : mlx_io_gguf_set_metadata_string(g, key, s) ? -2 : 0;
  }
  if (PyList_Check(v)) {
    mlx_vector_string vs = mlx_vector_string_new();
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); i++) {
      PyObject *item = PyList_GET_ITEM(v, i);
      const char *s = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : NULL;
      if (!s || mlx_vector_string_append_value(vs, s)) {
        mlx_vector_string_free(vs);
        goto bad;
      }
    }
    int rc = mlx_io_gguf_set_metadata_vector_string(g, key, vs);
    mlx_vector_string_free(vs);
    return rc ? -2 : 0;
  }
bad:
  if (!PyErr_Occurred())
    PyErr_Format(PyExc_TypeError,
                 "save_gguf(): metadata '%s' must be an array, a str or a list of str.", key);
  return -1;
}

static PyObject *py_save_gguf(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"file", "arrays", "metadata", NULL};
  PyObject *file, *arrays, *meta = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|O:save_gguf", kwlist, &file, &arrays, &meta))
    return NULL;
  PyObject *path = path_of(file);
  if (!path) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "[save_gguf] Input must be a string");
    return NULL;
  }
  if (meta != Py_None && !PyDict_Check(meta)) {
    Py_DECREF(path);
    PyErr_SetString(PyExc_TypeError, "save_gguf(): metadata must be a dict.");
    return NULL;
  }
  mlx_io_gguf g = mlx_io_gguf_new();
  mlx_map_string_to_array m = {NULL};
  PyObject *res = NULL;
  if (arrays_arg(arrays, "save_gguf", &m) < 0) goto done;
  mlx_map_string_to_array_iterator it = mlx_map_string_to_array_iterator_new(m);
  const char *key;
  mlx_array val = {NULL};
  int rc = 0;
  while (!rc && mlx_map_string_to_array_iterator_next(&key, &val, it) == 0)
    rc = mlx_io_gguf_set_array(g, key, val);
  mlx_array_free(val);
  mlx_map_string_to_array_iterator_free(it);
  if (rc) {
    mxpy_raise_lib(PyExc_ValueError);
    goto done;
  }
  PyObject *k, *v;
  Py_ssize_t pos = 0;
  while (meta != Py_None && PyDict_Next(meta, &pos, &k, &v)) {
    const char *ks = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
    if (!ks) {
      if (!PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "save_gguf(): metadata keys must be str.");
      goto done;
    }
    rc = gguf_meta(g, ks, v);
    if (rc == -2) mxpy_raise_lib(PyExc_ValueError);
    if (rc) goto done;
  }
  const char *p = PyBytes_AS_STRING(path);
  Py_BEGIN_ALLOW_THREADS rc = mlx_save_gguf(p, g);
  Py_END_ALLOW_THREADS if (rc) raise_io();
  else res = Py_NewRef(Py_None);
done:
  Py_DECREF(path);
  if (m.ctx) mlx_map_string_to_array_free(m);
  mlx_io_gguf_free(g);
  return res;
}

static PyMethodDef io_methods[] = {
    {"load", KW py_load, METH_VARARGS | METH_KEYWORDS,
     "load(file, /, format=None, return_metadata=False, *, stream=None)\n--\n\n"
     "Load array(s) from a binary file (.npy, .npz, .safetensors or .gguf)."},
    {"save", KW py_save, METH_VARARGS | METH_KEYWORDS,
     "save(file, arr)\n--\n\nSave the array to a binary file in .npy format."},
    {"savez", KW py_savez, METH_VARARGS | METH_KEYWORDS,
     "savez(file, *args, **kwargs)\n--\n\nSave several arrays to a binary file in uncompressed "
     ".npz format."},
    {"savez_compressed", KW py_savez_compressed, METH_VARARGS | METH_KEYWORDS,
     "savez_compressed(file, *args, **kwargs)\n--\n\nSave several arrays to a binary file in "
     "compressed .npz format."},
    {"save_safetensors", KW py_save_safetensors, METH_VARARGS | METH_KEYWORDS,
     "save_safetensors(file, arrays, metadata=None)\n--\n\nSave array(s) to a binary file in "
     ".safetensors format."},
    {"save_gguf", KW py_save_gguf, METH_VARARGS | METH_KEYWORDS,
     "save_gguf(file, arrays, metadata=None)\n--\n\nSave array(s) to a binary file in .gguf "
     "format."},
    {NULL, NULL, 0, NULL},
};

int mxpy_io_init(PyObject *m) {
  return PyModule_AddFunctions(m, io_methods);
}
