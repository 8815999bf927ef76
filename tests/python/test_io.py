"""Array files: mx.load / save / savez / savez_compressed / save_safetensors / save_gguf.

Checked against numpy (np.load, np.save, np.savez), a safetensors file built byte by byte,
GGUF headers parsed here with struct, file objects, bad arguments, corrupt and truncated files
(ValueError, never a crash), and -- when the real MLX is installed at /tmp/mlxref -- files
written here load in MLX and files written by MLX load here, bit-exact."""
import io
import json
import os
import pathlib
import struct
import subprocess
import zipfile

import numpy as np
import pytest

import mlx.core as mx

MLXREF = "/tmp/mlxref/bin/python"

ALL = [mx.bool_, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32,
       mx.int64, mx.float16, mx.bfloat16, mx.float32, mx.float64, mx.complex64]
NP = {mx.bool_: np.bool_, mx.uint8: np.uint8, mx.uint16: np.uint16, mx.uint32: np.uint32,
      mx.uint64: np.uint64, mx.int8: np.int8, mx.int16: np.int16, mx.int32: np.int32,
      mx.int64: np.int64, mx.float16: np.float16, mx.float32: np.float32,
      mx.float64: np.float64, mx.complex64: np.complex64}

rng = np.random.default_rng(3)


def sample(dt, shape=(3, 4)):
    """An mx array of dtype dt and its numpy twin (bfloat16: the float32 values)."""
    v = rng.standard_normal(shape) * 10
    if dt == mx.complex64:
        n = (v + 1j * rng.standard_normal(shape)).astype(np.complex64)
        return mx.array(n), n
    if dt == mx.bfloat16:
        a = mx.array(v.astype(np.float32)).astype(mx.bfloat16)
        return a, np.array(a.astype(mx.float32))
    n = (v > 0) if dt == mx.bool_ else v.astype(NP[dt]) if dt not in (
        mx.uint8, mx.uint16, mx.uint32, mx.uint64) else np.abs(v).astype(NP[dt])
    return mx.array(n, dtype=dt), n


def as_np(a):
    if a.dtype == mx.bfloat16:
        return np.array(a.astype(mx.float32))
    return np.array(a)


def same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(as_np(a), as_np(b), equal_nan=True)


# ------------------------------------------------------------------ npy

@pytest.mark.parametrize("dt", ALL, ids=str)
def test_npy_roundtrip_numpy(tmp_path, dt):
    a, n = sample(dt)
    mx.save(str(tmp_path / "a"), a)  # ".npy" appended
    same(mx.load(str(tmp_path / "a.npy")), a)
    if dt != mx.bfloat16:
        r = np.load(tmp_path / "a.npy")
        assert r.dtype == n.dtype and np.array_equal(r, n)
        np.save(tmp_path / "b.npy", n)
        same(mx.load(str(tmp_path / "b.npy")), a)
    else:
        with open(tmp_path / "a.npy", "rb") as f:
            assert b"'descr': '<V2'" in f.read(128)


def test_npy_layouts(tmp_path):
    base = mx.arange(24, dtype=mx.float32).reshape(2, 3, 4)
    n = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    cases = [(base.transpose(2, 0, 1), n.transpose(2, 0, 1)),
             (base[:, ::2, 1:], n[:, ::2, 1:]),
             (mx.array(3.5), np.array(3.5, np.float32)),
             (mx.zeros((0, 3)), np.zeros((0, 3), np.float32)),
             (mx.broadcast_to(mx.array([1, 2]), (3, 2)), np.broadcast_to(np.array([1, 2], np.int32), (3, 2)))]
    for a, ref in cases:
        p = tmp_path / "x.npy"
        mx.save(p, a)  # pathlib.Path
        assert np.array_equal(np.load(p), ref) and np.load(p).shape == ref.shape
        same(mx.load(str(p)), a)
    # numpy's own layouts: Fortran order, big-endian, version 2 headers
    f = np.asfortranarray(np.arange(12, dtype=np.int64).reshape(3, 4))
    np.save(tmp_path / "f.npy", f)
    assert np.array_equal(np.array(mx.load(str(tmp_path / "f.npy"))), f)
    for be in [np.arange(6, dtype=">i4"), np.linspace(0, 1, 5).astype(">f8"),
               np.array([1 + 2j], dtype=">c8"), np.arange(4, dtype=">u2")]:
        np.save(tmp_path / "be.npy", be)
        r = mx.load(str(tmp_path / "be.npy"))
        assert np.array_equal(np.array(r), be.astype(be.dtype.newbyteorder("<")))
    with open(tmp_path / "v2.npy", "wb") as fh:
        np.lib.format.write_array(fh, np.arange(5, dtype=np.int16), version=(2, 0))
    assert np.array_equal(np.array(mx.load(str(tmp_path / "v2.npy"))), np.arange(5))


def test_npy_file_objects(tmp_path):
    a, n = sample(mx.float32, (4, 5))
    b = io.BytesIO()
    mx.save(b, a)
    b.seek(0)
    assert np.array_equal(np.load(b), n)
    b.seek(0)
    same(mx.load(b, format="npy"), a)
    with open(tmp_path / "o.npy", "wb") as fh:
        mx.save(fh, a)
    with open(tmp_path / "o.npy", "rb") as fh:
        same(mx.load(fh), a)  # the format comes from fh.name
    # two arrays in one stream, read back in order
    b = io.BytesIO()
    mx.save(b, a)
    mx.save(b, a * 2)
    b.seek(0)
    same(mx.load(b, format="npy"), a)
    same(mx.load(b, format="npy"), a * 2)


# ------------------------------------------------------------------ npz

@pytest.mark.parametrize("compressed", [False, True])
def test_npz(tmp_path, compressed):
    save = mx.savez_compressed if compressed else mx.savez
    arrs = {dt: sample(dt) for dt in ALL if dt != mx.bfloat16}
    save(str(tmp_path / "z"), *[v[0] for v in arrs.values()], extra=mx.arange(3))
    z = np.load(tmp_path / "z.npz")
    for i, (a, n) in enumerate(arrs.values()):
        assert np.array_equal(z[f"arr_{i}"], n)
    assert np.array_equal(z["extra"], np.arange(3))
    with zipfile.ZipFile(tmp_path / "z.npz") as zf:
        methods = {i.compress_type for i in zf.infolist()}
    assert methods == {zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED}
    r = mx.load(str(tmp_path / "z.npz"))
    for i, (a, n) in enumerate(arrs.values()):
        same(r[f"arr_{i}"], a)
    # numpy's archives load here
    npsave = np.savez_compressed if compressed else np.savez
    npsave(tmp_path / "n.npz", w=np.ones((2, 2), np.float16), b=np.arange(5) > 2)
    r = mx.load(str(tmp_path / "n.npz"))
    assert r["w"].dtype == mx.float16 and r["b"].dtype == mx.bool_
    assert np.array_equal(np.array(r["b"]), np.arange(5) > 2)
    # file objects, members larger than the loader's read-ahead window
    big = np.arange(300_000, dtype=np.float32).reshape(600, 500)
    b = io.BytesIO()
    save(b, x=mx.array([1.5, 2.5]), big=mx.array(big))
    b.seek(0)
    assert np.array_equal(np.load(b)["x"], [1.5, 2.5])
    b.seek(0)
    r = mx.load(b, format="npz")
    assert r["x"].tolist() == [1.5, 2.5] and np.array_equal(np.array(r["big"]), big)
    npsave(tmp_path / "big.npz", big=big, small=big[:2])
    r = mx.load(str(tmp_path / "big.npz"))
    assert np.array_equal(np.array(r["big"]), big) and np.array_equal(np.array(r["small"]), big[:2])


def test_npz_errors(tmp_path):
    with pytest.raises(ValueError, match=r"\[savez\] Cannot use un-named variables and keyword arr_0"):
        mx.savez(str(tmp_path / "q"), mx.array(1), arr_0=mx.array(2))
    with pytest.raises(TypeError):
        mx.savez(str(tmp_path / "q"), 3)
    with pytest.raises(ValueError, match=r"metadata not supported for format npz"):
        mx.savez(str(tmp_path / "q"), mx.array(1))
        mx.load(str(tmp_path / "q.npz"), return_metadata=True)
    with zipfile.ZipFile(tmp_path / "t.npz", "w") as zf:
        zf.writestr("a.txt", b"hello")
    with pytest.raises(ValueError, match=r"\[load\] The npz member 'a.txt' is not a .npy file"):
        mx.load(str(tmp_path / "t.npz"))


# ------------------------------------------------------------------ safetensors

ST_DTYPES = {"BOOL": mx.bool_, "U8": mx.uint8, "I8": mx.int8, "U16": mx.uint16,
             "I16": mx.int16, "U32": mx.uint32, "I32": mx.int32, "U64": mx.uint64,
             "I64": mx.int64, "F16": mx.float16, "BF16": mx.bfloat16, "F32": mx.float32}


def parse_safetensors(raw):
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    return header, raw[8 + n:]


def test_safetensors_layout(tmp_path):
    arrays = {name: sample(dt, (2, 3))[0] for name, dt in ST_DTYPES.items()}
    mx.save_safetensors(str(tmp_path / "s"), arrays, {"author": "me", "x": "1"})
    raw = (tmp_path / "s.safetensors").read_bytes()
    header, data = parse_safetensors(raw)
    assert header.pop("__metadata__") == {"author": "me", "x": "1"}
    assert set(header) == set(ST_DTYPES)
    for name, info in header.items():
        a = arrays[name]
        assert info["dtype"] == name and info["shape"] == [2, 3]
        b, e = info["data_offsets"]
        expect = np.array(a.view(mx.uint16) if a.dtype == mx.bfloat16 else a).tobytes()
        assert data[b:e] == expect
    r, meta = mx.load(str(tmp_path / "s.safetensors"), return_metadata=True)
    assert meta == {"author": "me", "x": "1"}
    for name, a in arrays.items():
        same(r[name], a)


def test_safetensors_bytewise():
    """A file laid out by hand: two tensors, metadata, unaligned data start."""
    w = np.array([[1.5, -2.0], [3.25, 4.0]], np.float32)
    i = np.array([7, -8, 9], np.int64)
    d = np.array([0.1], np.float64)  # loads, though not written (MLX can't read F64)
    header = {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
              "i": {"dtype": "I64", "shape": [3], "data_offsets": [16, 40]},
              "d": {"dtype": "F64", "shape": [1], "data_offsets": [40, 48]},
              "__metadata__": {"format": "pt"}}
    h = json.dumps(header).encode()
    raw = struct.pack("<Q", len(h)) + h + w.tobytes() + i.tobytes() + d.tobytes()
    r, meta = mx.load(io.BytesIO(raw), format="safetensors", return_metadata=True)
    assert meta == {"format": "pt"}
    assert np.array_equal(np.array(r["w"]), w) and np.array_equal(np.array(r["i"]), i)
    assert r["i"].dtype == mx.int64 and r["d"].dtype == mx.float64 and r["d"].item() == 0.1


def test_safetensors_null_metadata():
    """MLX writes "__metadata__": null when there is no metadata: no metadata, not an error."""
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    h = json.dumps({"__metadata__": None,
                    "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}).encode()
    raw = struct.pack("<Q", len(h)) + h + w.tobytes()
    r, meta = mx.load(io.BytesIO(raw), format="safetensors", return_metadata=True)
    assert meta == {} and np.array_equal(np.array(r["w"]), w)


def test_safetensors_errors(tmp_path):
    with pytest.raises(ValueError, match="Metadata must be a dictionary"):
        mx.save_safetensors(str(tmp_path / "q"), {"a": mx.zeros(2)}, {"k": 3})
    with pytest.raises(TypeError):
        mx.save_safetensors(str(tmp_path / "q"), {"a": 3})
    # float64 is refused, as by MLX (which cannot read it back), and the failed save leaves no
    # file behind (MLX leaves an empty one)
    with pytest.raises(ValueError, match=r"\[save_safetensors\] Unsupported dtype"):
        mx.save_safetensors(str(tmp_path / "q"), {"a": mx.zeros(2, dtype=mx.float64)})
    assert not (tmp_path / "q.safetensors").exists()
    with pytest.raises(ValueError, match=r"\[save_gguf\]"):
        mx.save_gguf(str(tmp_path / "g"), {"a": mx.zeros(2, dtype=mx.bool_)})
    assert not (tmp_path / "g.gguf").exists()
    # complex64 is written as "C64", as the real MLX writes and reads it
    z = mx.array(np.array([1 + 2j, -3.5j], np.complex64))
    mx.save_safetensors(str(tmp_path / "z"), {"z": z})
    raw = (tmp_path / "z.safetensors").read_bytes()
    hlen = struct.unpack("<Q", raw[:8])[0]
    assert json.loads(raw[8:8 + hlen])["z"]["dtype"] == "C64"
    back = mx.load(str(tmp_path / "z.safetensors"))["z"]
    assert back.dtype == mx.complex64 and np.array_equal(np.array(back), np.array(z))
    b = io.BytesIO()
    mx.save_safetensors(b, {"a": mx.arange(4)})
    b.seek(0)
    assert mx.load(b, format="safetensors")["a"].tolist() == [0, 1, 2, 3]


# ------------------------------------------------------------------ gguf

def test_gguf(tmp_path):
    arrays = {"f32": mx.arange(24, dtype=mx.float32).reshape(2, 3, 4),
              "f16": mx.ones((5,), mx.float16) * 1.5, "i8": mx.array([-1, 2], mx.int8),
              "i16": mx.array([[300]], mx.int16), "i32": mx.array([1 << 20], mx.int32),
              "bf16": mx.array([2.5], mx.bfloat16), "s": mx.array(3.0)}
    meta = {"name": "tiny", "tokens": ["a", "bb", ""], "n": mx.array(3),
            "v": mx.array([1.0, 2.0]), "u8": mx.array(7, mx.uint8), "b": mx.array(True),
            "i64": mx.array([1 << 40], mx.int64)}
    mx.save_gguf(str(tmp_path / "g"), arrays, meta)
    raw = (tmp_path / "g.gguf").read_bytes()
    assert raw[:4] == b"GGUF" and struct.unpack("<IQQ", raw[4:24]) == (3, 7, 7)
    r, m = mx.load(str(tmp_path / "g.gguf"), return_metadata=True)
    assert list(r) == list(arrays)
    for k, a in arrays.items():
        same(r[k], a)
    assert m["name"] == "tiny" and m["tokens"] == ["a", "bb", ""]
    for k in ("n", "v", "u8", "b", "i64"):
        same(m[k], meta[k])
    assert mx.load(str(tmp_path / "g.gguf")).keys() == r.keys()


def test_gguf_errors(tmp_path):
    with pytest.raises(ValueError, match=r"\[save_gguf\] Input must be a string"):
        mx.save_gguf(io.BytesIO(), {"a": mx.zeros(2)})
    with pytest.raises(ValueError, match=r"\[load_gguf\] Input must be a string"):
        mx.load(io.BytesIO(b"GGUF"), format="gguf")
    with pytest.raises(ValueError, match="more than one dimension"):
        mx.save_gguf(str(tmp_path / "q"), {"a": mx.zeros(2)}, {"k": mx.zeros((2, 2))})
    with pytest.raises(ValueError, match="not supported"):
        mx.save_gguf(str(tmp_path / "q"), {"a": mx.zeros(2, mx.uint8)})
    for dt in (mx.float16, mx.float64):
        with pytest.raises(ValueError, match="metadata dtype " + str(dt).split(".")[-1]):
            mx.save_gguf(str(tmp_path / "q"), {"a": mx.zeros(2)}, {"k": mx.zeros(2, dt)})
    for dt in (mx.int64, mx.float64, mx.bool_):
        with pytest.raises(ValueError, match="not supported"):
            mx.save_gguf(str(tmp_path / "q"), {"a": mx.zeros(2, dt)})
    with pytest.raises(TypeError):
        mx.save_gguf(str(tmp_path / "q"), {"a": mx.zeros(2)}, {"k": 3})


def gguf_quant_file(type_, blocks, shape=(2, 32)):
    out = b"GGUF" + struct.pack("<IQQ", 3, 1, 0)
    name = b"blk.0.w.weight"
    out += struct.pack("<Q", len(name)) + name + struct.pack("<I", len(shape))
    out += b"".join(struct.pack("<Q", d) for d in reversed(shape))
    out += struct.pack("<IQ", type_, 0)
    out += b"\0" * (-len(out) % 32)
    return out + blocks


@pytest.mark.parametrize("qtype,bsize,bits", [(2, 18, 4), (3, 20, 4), (8, 34, 8)])
def test_gguf_quantized(tmp_path, qtype, bsize, bits):
    nb = 2
    blocks = bytearray(rng.integers(0, 256, nb * bsize, dtype=np.uint8).tobytes())
    for b in range(nb):  # finite f16 scale and min
        blocks[b * bsize:b * bsize + 2] = np.float16(0.25 * (b + 1)).tobytes()
        if qtype == 3:
            blocks[b * bsize + 2:b * bsize + 4] = np.float16(-1.5).tobytes()
    (tmp_path / "q.gguf").write_bytes(gguf_quant_file(qtype, bytes(blocks)))
    r = mx.load(str(tmp_path / "q.gguf"))
    w, s, bi = r["blk.0.w.weight"], r["blk.0.w.scales"], r["blk.0.w.biases"]
    assert w.dtype == mx.uint32 and w.shape == (2, 32 * bits // 32)
    assert s.shape == bi.shape == (2, 1) and s.dtype == mx.float16
    deq = mx.dequantize(w, s, bi, group_size=32, bits=bits) if hasattr(mx, "dequantize") else None
    ref = []
    for b in range(nb):
        blk = bytes(blocks[b * bsize:(b + 1) * bsize])
        d = float(np.frombuffer(blk[:2], np.float16)[0])
        if qtype == 8:
            ref.append(np.frombuffer(blk[2:], np.int8).astype(np.float64) * d)
        else:
            qs = np.frombuffer(blk[4:] if qtype == 3 else blk[2:], np.uint8)
            q = np.concatenate([qs & 15, qs >> 4]).astype(np.float64)
            ref.append(q * d - 1.5 if qtype == 3 else (q - 8) * d)
    ref = np.stack(ref)
    # unpack here too: q * scale + bias
    words = np.array(w).astype(np.uint64)
    per = 32 // bits
    q = np.stack([(words[:, j // per] >> (bits * (j % per))) & ((1 << bits) - 1) for j in range(32)], 1)
    mine = q * np.array(s.astype(mx.float32)).astype(np.float64) + np.array(bi.astype(mx.float32))
    assert np.allclose(mine, ref, atol=1e-3)
    if deq is not None:
        assert np.allclose(np.array(deq.astype(mx.float32)), ref, atol=1e-2)


# ------------------------------------------------------------------ arguments and formats

def test_load_arguments(tmp_path):
    mx.save(str(tmp_path / "x"), mx.zeros(2))
    with pytest.raises(ValueError, match=r"\[load\] Could not infer file format from extension"):
        mx.load(str(tmp_path / "noext"))
    with pytest.raises(ValueError, match=r"\[load\] Unknown file format foo"):
        mx.load(str(tmp_path / "x.npy"), format="foo")
    with pytest.raises(ValueError, match=r"\[load\] metadata not supported for format npy"):
        mx.load(str(tmp_path / "x.npy"), return_metadata=True)
    with pytest.raises(RuntimeError, match=r"\[load\] Failed to open file"):
        mx.load(str(tmp_path / "missing.npy"))
    with pytest.raises(TypeError):
        mx.save(str(tmp_path / "y"), 3)
    with pytest.raises(TypeError):
        mx.load(3)
    mx.save(str(tmp_path / "x.bin"), mx.ones(1))  # the extension is appended
    assert (tmp_path / "x.bin.npy").exists()
    assert mx.load(str(tmp_path / "x.npy"), format="npy").tolist() == [0, 0]


# ------------------------------------------------------------------ corrupt files

def corrupt_cases():
    def npy(header, data=b""):
        h = header.encode()
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data

    def st(header, data=b""):
        h = header.encode() if isinstance(header, str) else header
        return struct.pack("<Q", len(h)) + h + data

    hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }"
    return [
        ("npy", b"\x93NUMPZ\x01\x00\x10\x00", "bad magic"),
        ("npy", b"\x93NUMPY\x01\x00\xff\xff{}", "past the end"),
        ("npy", npy(hdr % "(2, 3)", b"\0" * 20), "past the end"),
        ("npy", npy(hdr % "(2147483647, 2147483647, 2147483647)"), "overflows"),
        ("npy", npy(hdr % "(99999999999,)"), "Invalid dimension"),
        ("npy", npy(hdr % "(-1,)"), "Invalid npy header"),
        ("npy", npy("{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", b"\0" * 12),
         "Unsupported dtype"),
        ("npy", npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"),
         "Invalid npy header"),
        ("npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,"), "Invalid npy header"),
        ("safetensors", st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'),
         "Invalid json"),
        ("safetensors", st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', b"\0" * 4),
         "past the end"),
        ("safetensors", st('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', b"\0" * 12),
         "need 12"),
        ("safetensors", st('{"a":{"dtype":"X9","shape":[2],"data_offsets":[0,8]}}', b"\0" * 8),
         "Unsupported dtype"),
        ("safetensors", st('{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,0]}}', b"\0" * 8),
         "data_offsets"),
        ("safetensors", st('{"a":{"dtype":"U8","shape":[2147483647,2147483647,2147483647],'
                           '"data_offsets":[0,8]}}', b"\0" * 8), "overflows"),
        ("safetensors", b"\xff" * 8 + b"{}", "past the end"),
        ("safetensors", st(b'{"a": \xff}'), "Invalid json"),
        ("npz", b"PK\x03\x04" + b"\0" * 40, "[load]"),
        ("npz", b"not a zip file at all, really not", "[load]"),
        ("gguf", b"GGUX\x03\0\0\0", "bad magic"),
        ("gguf", b"GGUF\x03\0\0\0" + b"\xff" * 16, "[load_gguf]"),
        ("gguf", gguf_quant_file(0, b""), "past the end"),
        ("gguf", gguf_quant_file(99, b"\0" * 64), "unsupported ggml type"),
        ("gguf", gguf_quant_file(2, b"\0" * 18), "past the end"),
    ]


@pytest.mark.parametrize("fmt,data,msg", corrupt_cases())
def test_corrupt(tmp_path, fmt, data, msg):
    p = tmp_path / f"c.{fmt}"
    p.write_bytes(data)
    with pytest.raises(ValueError, match=msg.replace("[", r"\[").replace("]", r"\]")):
        mx.load(str(p))
    assert mx.array([1, 2]).sum().item() == 3  # the process keeps working


def valid_files(tmp_path):
    a = mx.arange(15, dtype=mx.float32).reshape(3, 5)
    mx.save(str(tmp_path / "v.npy"), a)
    mx.savez_compressed(str(tmp_path / "v.npz"), a=a, b=a > 3)
    mx.save_safetensors(str(tmp_path / "v.safetensors"), {"a": a, "b": a.astype(mx.int8)}, {"k": "v"})
    mx.save_gguf(str(tmp_path / "v.gguf"), {"a": a}, {"s": "x", "l": ["p", "q"], "n": mx.array(2)})
    return {f: (tmp_path / f"v.{f}").read_bytes() for f in ("npy", "npz", "safetensors", "gguf")}


def test_fuzz(tmp_path):
    """Every truncation raises ValueError; random byte mutations load or raise ValueError."""
    r = np.random.default_rng(11)
    for fmt, raw in valid_files(tmp_path).items():
        p = tmp_path / f"f.{fmt}"
        for n in range(len(raw)):
            p.write_bytes(raw[:n])
            with pytest.raises(ValueError):
                mx.load(str(p))
        for _ in range(200):
            b = bytearray(raw)
            for at in r.integers(0, len(b), r.integers(1, 5)):
                b[at] = int(r.integers(0, 256))
            p.write_bytes(bytes(b))
            try:
                out = mx.load(str(p))
                mx.eval(list(out.values()) if isinstance(out, dict) else out)
            except ValueError:
                pass


# ------------------------------------------------------------------ the real MLX

needs_mlx = pytest.mark.skipif(not os.path.exists(MLXREF), reason="no reference MLX")


def run_ref(code):
    out = subprocess.run([MLXREF, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def ref_arrays():
    return {"f32": mx.arange(12, dtype=mx.float32).reshape(3, 4) / 7,
            "f16": (mx.arange(6, dtype=mx.float16) / 3).reshape(2, 3),
            "bf16": mx.array([1.5, -2.25, 1e10], mx.bfloat16),
            "i32": mx.array([[-1, 2**31 - 1]], mx.int32),
            "u8": mx.array([0, 255], mx.uint8), "b": mx.array([True, False]),
            "i64": mx.array([-(2**40)], mx.int64), "t": mx.arange(6, dtype=mx.float32).reshape(2, 3).T}


def raw_bytes(a):
    a = a.view(mx.uint16) if a.dtype == mx.bfloat16 else a
    return np.ascontiguousarray(np.array(a)).tobytes()


@needs_mlx
def test_files_load_in_mlx(tmp_path):
    arrs = ref_arrays()
    mx.savez(str(tmp_path / "a"), **arrs)
    mx.save_safetensors(str(tmp_path / "a"), arrs, {"m": "v"})
    g = {k: v for k, v in arrs.items() if v.dtype in (mx.float32, mx.float16, mx.int32)}
    mx.save_gguf(str(tmp_path / "a"), g, {"s": "str", "l": ["x", "y"], "n": mx.array([1, 2])})
    for k, v in arrs.items():
        mx.save(str(tmp_path / f"n_{k}"), v)
    code = f"""
import mlx.core as mx, numpy as np, hashlib
d = {str(tmp_path)!r}
def h(a):
    t = str(a.dtype) + str(a.shape)
    a = a.view(mx.uint16) if a.dtype == mx.bfloat16 else a
    return t + hashlib.md5(np.ascontiguousarray(np.array(a)).tobytes()).hexdigest()
for name in ["a.npz", "a.safetensors", "a.gguf"]:
    r = mx.load(d + "/" + name)
    for k in sorted(r): print(name, k, h(r[k]))
print(mx.load(d + "/a.safetensors", return_metadata=True)[1])
m = mx.load(d + "/a.gguf", return_metadata=True)[1]
print(m["s"], m["l"], m["n"].tolist())
for k in {sorted(arrs)!r}: print("npy", k, h(mx.load(d + "/n_" + k + ".npy")))
"""
    out = run_ref(code).splitlines()
    import hashlib

    def h(a):
        return str(a.dtype) + str(a.shape) + hashlib.md5(raw_bytes(a)).hexdigest()
    expect = []
    for name, src in [("a.npz", arrs), ("a.safetensors", arrs), ("a.gguf", g)]:
        expect += [f"{name} {k} {h(src[k])}" for k in sorted(src)]
    expect.append("{'m': 'v'}")
    expect.append("str ['x', 'y'] [1, 2]")
    expect += [f"npy {k} {h(arrs[k])}" for k in sorted(arrs)]
    assert out == expect


@needs_mlx
def test_mlx_files_load_here(tmp_path):
    code = f"""
import mlx.core as mx
d = {str(tmp_path)!r}
a = {{"f32": mx.arange(12, dtype=mx.float32).reshape(3, 4) / 7,
      "f16": (mx.arange(6, dtype=mx.float16) / 3).reshape(2, 3),
      "bf16": mx.array([1.5, -2.25, 1e10], mx.bfloat16), "i32": mx.array([[-1, 2**31 - 1]], mx.int32),
      "u8": mx.array([0, 255], mx.uint8), "b": mx.array([True, False]),
      "i64": mx.array([-(2**40)], mx.int64), "t": mx.arange(6, dtype=mx.float32).reshape(2, 3).T}}
mx.savez(d + "/a", **a)
mx.savez_compressed(d + "/c", **a)
mx.save_safetensors(d + "/a", a, {{"m": "v"}})
mx.save_gguf(d + "/a", {{k: v for k, v in a.items() if k in ("f32", "f16", "i32")}},
             {{"s": "str", "l": ["x", "y"], "n": mx.array([1, 2]), "u": mx.array(7, mx.uint8)}})
for k, v in a.items(): mx.save(d + "/n_" + k, v)
"""
    run_ref(code)
    arrs = ref_arrays()
    for name in ("a.npz", "c.npz", "a.safetensors"):
        r = mx.load(str(tmp_path / name))
        assert set(r) == set(arrs)
        for k, v in arrs.items():
            assert r[k].dtype == v.dtype and r[k].shape == v.shape and raw_bytes(r[k]) == raw_bytes(v)
    r, m = mx.load(str(tmp_path / "a.gguf"), return_metadata=True)
    for k in ("f32", "f16", "i32"):
        assert raw_bytes(r[k]) == raw_bytes(arrs[k]) and r[k].shape == arrs[k].shape
    assert m["s"] == "str" and m["l"] == ["x", "y"] and m["n"].tolist() == [1, 2]
    assert m["u"].dtype == mx.uint8 and m["u"].item() == 7
    assert mx.load(str(tmp_path / "a.safetensors"), return_metadata=True)[1] == {"m": "v"}
    for k, v in arrs.items():
        r = mx.load(str(tmp_path / f"n_{k}.npy"))
        assert r.dtype == v.dtype and r.shape == v.shape and raw_bytes(r) == raw_bytes(v)


@needs_mlx
@pytest.mark.parametrize("qtype,bsize", [(2, 18), (3, 20), (8, 34)])
def test_quantized_gguf_like_mlx(tmp_path, qtype, bsize):
    blocks = bytearray(rng.integers(0, 256, 4 * bsize, dtype=np.uint8).tobytes())
    for b in range(4):
        blocks[b * bsize:b * bsize + 2] = np.float16(0.125 * (b + 1)).tobytes()
        if qtype == 3:
            blocks[b * bsize + 2:b * bsize + 4] = np.float16(0.5).tobytes()
    (tmp_path / "q.gguf").write_bytes(gguf_quant_file(qtype, bytes(blocks), shape=(2, 64)))
    code = f"""
import mlx.core as mx, numpy as np, hashlib
r = mx.load({str(tmp_path / "q.gguf")!r})
for k in sorted(r): print(k, r[k].dtype, r[k].shape, hashlib.md5(np.array(r[k]).tobytes()).hexdigest())
"""
    out = run_ref(code).splitlines()
    import hashlib
    r = mx.load(str(tmp_path / "q.gguf"))
    mine = [f"{k} {r[k].dtype} {r[k].shape} {hashlib.md5(np.array(r[k]).tobytes()).hexdigest()}"
            for k in sorted(r)]
    assert mine == out


def test_file_object_errors_propagate():
    class Broken(io.BytesIO):
        def readinto(self, b):
            raise OSError("disk on fire")

    b = io.BytesIO()
    mx.save(b, mx.arange(4))
    with pytest.raises(OSError, match="disk on fire"):
        mx.load(Broken(b.getvalue()), format="npy")

    class Full(io.BytesIO):
        def write(self, b):
            raise OSError("no space")

    with pytest.raises(OSError, match="no space"):
        mx.save(Full(), mx.arange(4))
    with pytest.raises(OSError, match="no space"):
        mx.savez(Full(), a=mx.arange(4))
    with pytest.raises(ValueError, match="runs past the end"):
        mx.load(io.BytesIO(b.getvalue()[:-3]), format="npy")


def test_large_parallel_read(tmp_path):
    """Reads of 32 MiB and more are split across threads."""
    a = mx.random.uniform(shape=(3000, 4000))
    mx.save(str(tmp_path / "big"), a)
    mx.save_safetensors(str(tmp_path / "big"), {"a": a, "b": a[:7]})
    assert mx.array_equal(mx.load(str(tmp_path / "big.npy")), a).item()
    r = mx.load(str(tmp_path / "big.safetensors"))
    assert mx.array_equal(r["a"], a).item() and mx.array_equal(r["b"], a[:7]).item()
