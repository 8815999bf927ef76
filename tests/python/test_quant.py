"""Quantization: quantize / dequantize / quantized_matmul / gather_qmm / to_fp8 / from_fp8
against numpy float64 references, bit-identity with MLX's packing (tests/fixtures/quant, written
by the real MLX with scripts/make_quant_fixture.py) and bad arguments."""
import os

import numpy as np
import pytest

import mlx.core as mx

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "quant", "quant_fixture.npz")
FP4 = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6])


@pytest.fixture(scope="module")
def fx():
    return np.load(FIXTURE)


def unpack(wq, bits, n):
    """Codes of packed rows (LSB-first bitstream), numpy reference."""
    wq = np.asarray(wq, dtype=np.uint32)
    by = wq.reshape(-1, wq.shape[-1]).view(np.uint8)
    bitsarr = np.unpackbits(by, axis=-1, bitorder="little")
    bitsarr = bitsarr[:, : n * bits].reshape(by.shape[0], n, bits)
    codes = (bitsarr.astype(np.int64) << np.arange(bits)).sum(-1)
    return codes.reshape(wq.shape[:-1] + (n,))


def fp8_values():
    v = np.zeros(256)
    for c in range(256):
        s, e, m = c >> 7, (c >> 3) & 15, c & 7
        val = (m / 8) * 2.0**-6 if e == 0 else (1 + m / 8) * 2.0 ** (e - 7)
        v[c] = np.nan if (c & 0x7F) == 0x7F else (-val if s else val)
    return v


def ref_dequant(wq, scales, biases, gs, bits, mode):
    """float64 dequantization from the packed format (numpy)."""
    K = wq.shape[-1] * 32 // bits
    codes = unpack(wq, bits, K)
    sc = np.asarray(scales)
    if mode == "affine":
        vals = codes.astype(np.float64)
        s = np.repeat(sc.astype(np.float64), gs, -1)
        return vals * s + np.repeat(np.asarray(biases, np.float64), gs, -1)
    vals = fp8_values()[codes] if mode == "mxfp8" else FP4[codes]
    if mode == "nvfp4":
        s = fp8_values()[sc]
    else:
        s = 2.0 ** (sc.astype(np.float64) - 127)
    return vals * np.repeat(s, gs, -1)


def tof(a):
    return np.array(a.astype(mx.float32)).astype(np.float64)


# ----------------------------------------------------------------------------- fixture (MLX)


def fixture_tags(fx):
    return sorted({k[: -len("_wq")] for k in fx.files if k.endswith("_wq")})


def test_fixture_loads_with_mx_load(fx):
    """The MLX-written weights file read by mx.load equals numpy's reading, and quantized
    weights saved by us as safetensors come back bit for bit."""
    loaded = mx.load(FIXTURE)
    assert set(loaded) == set(fx.files)
    for k in fx.files:
        assert np.array_equal(np.array(loaded[k]), fx[k]), k


def test_quantized_weights_save_load_roundtrip(tmp_path):
    w = mx.array(np.random.default_rng(1).standard_normal((64, 128)).astype(np.float32))
    wq, scales, biases = mx.quantize(w, group_size=64, bits=4)
    path = str(tmp_path / "q.safetensors")
    mx.save_safetensors(path, {"w": wq, "s": scales, "b": biases})
    back = mx.load(path)
    assert back["w"].dtype == mx.uint32 and mx.array_equal(back["w"], wq)
    x = mx.ones((2, 128))
    assert mx.array_equal(mx.quantized_matmul(x, back["w"], back["s"], back["b"]),
                          mx.quantized_matmul(x, wq, scales, biases))


def test_fixture_quantize_bit_identical(fx):
    w = fx["w"]
    for tag in fixture_tags(fx):
        dt, mode, bits, gs = tag.split("_")
        bits, gs = int(bits), int(gs)
        wm = mx.array(w).astype(getattr(mx, dt))
        q = mx.quantize(wm, group_size=gs, bits=bits, mode=mode)
        assert np.array_equal(np.array(q[0]), fx[tag + "_wq"]), tag
        if mode == "affine":
            assert q[1].dtype == wm.dtype and q[2].dtype == wm.dtype
            assert np.array_equal(np.array(q[1].astype(mx.float32)), fx[tag + "_scales"]), tag
            assert np.array_equal(np.array(q[2].astype(mx.float32)), fx[tag + "_biases"]), tag
        else:
            assert q[1].dtype == mx.uint8
            assert np.array_equal(np.array(q[1]), fx[tag + "_scales"]), tag


def fixture_args(fx, tag):
    dt, mode, bits, gs = tag.split("_")
    wq = mx.array(fx[tag + "_wq"])
    if mode == "affine":  # scales and biases back in w's dtype (float32 holds them exactly)
        t = getattr(mx, dt)
        sc, bi = mx.array(fx[tag + "_scales"]).astype(t), mx.array(fx[tag + "_biases"]).astype(t)
    else:
        sc, bi = mx.array(fx[tag + "_scales"]), None
    return wq, sc, bi, dict(group_size=int(gs), bits=int(bits), mode=mode)


def test_fixture_dequantize_and_matmul(fx):
    x, xt = mx.array(fx["x"]), mx.array(fx["xt"])
    for tag in fixture_tags(fx):
        wq, sc, bi, kw = fixture_args(fx, tag)
        deq = mx.dequantize(wq, sc, bi, dtype=mx.float32, **kw)
        np.testing.assert_allclose(np.array(deq), fx[tag + "_deq"], rtol=1e-6, atol=1e-6,
                                   err_msg=tag)
        sn = tof(sc) if kw["mode"] == "affine" else np.array(sc)
        ref = ref_dequant(np.array(wq), sn, None if bi is None else tof(bi),
                          kw["group_size"], kw["bits"], kw["mode"])
        tol = 1e-6 if tag.startswith("float32") else 5e-2
        np.testing.assert_allclose(np.array(deq), ref, rtol=tol, atol=tol, err_msg=tag)
        out = mx.quantized_matmul(x, wq, sc, bi, transpose=True, **kw)
        np.testing.assert_allclose(np.array(out), fx[tag + "_qmm"], rtol=1e-4, atol=1e-4,
                                   err_msg=tag)
        outT = mx.quantized_matmul(xt, wq, sc, bi, transpose=False, **kw)
        np.testing.assert_allclose(np.array(outT), fx[tag + "_qmmT"], rtol=1e-4, atol=1e-4,
                                   err_msg=tag)


# ----------------------------------------------------------------------------- affine


@pytest.mark.parametrize("bits", [2, 3, 4, 5, 6, 8])
@pytest.mark.parametrize("gs", [32, 64, 128])
def test_round_trip_error_bound(bits, gs):
    rng = np.random.default_rng(bits * 1000 + gs)
    w = rng.standard_normal((16, 512)).astype(np.float32)
    wq, s, b = mx.quantize(mx.array(w), group_size=gs, bits=bits)
    assert wq.shape == (16, 512 * bits // 32) and wq.dtype == mx.uint32
    assert s.shape == (16, 512 // gs) and b.shape == s.shape
    d = np.array(mx.dequantize(wq, s, b, group_size=gs, bits=bits))
    g = w.reshape(16, -1, gs)
    step = (g.max(-1) - g.min(-1)) / (2**bits - 1)
    err = np.abs(d - w).reshape(16, -1, gs).max(-1)
    # half a step, plus the shift that puts an exact zero on the grid (at most half a step)
    assert np.all(err <= step * 1.0 + 1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("bits", [2, 3, 4, 5, 6, 8])
def test_quantize_dtypes_match_reference_codes(dtype, bits):
    rng = np.random.default_rng(7 + bits)
    w = mx.array(rng.standard_normal((8, 128)).astype(np.float32)).astype(getattr(mx, dtype))
    wq, s, b = mx.quantize(w, bits=bits, group_size=32)
    assert s.dtype == w.dtype
    codes = unpack(np.array(wq), bits, 128)
    assert codes.max() <= 2**bits - 1
    d = ref_dequant(np.array(wq), tof(s), tof(b), 32, bits, "affine")
    np.testing.assert_allclose(np.array(mx.dequantize(wq, s, b, group_size=32, bits=bits,
                                                      dtype=mx.float32)), d, rtol=2e-2, atol=5e-2)


def qmm_ref(x, wd, transpose):
    return x @ (wd.T if transpose else wd)


@pytest.mark.parametrize("bits", [2, 3, 4, 6, 8])
@pytest.mark.parametrize("M", [1, 3, 8, 33])
@pytest.mark.parametrize("transpose", [True, False])
def test_quantized_matmul_shapes(bits, M, transpose):
    rng = np.random.default_rng(M + bits)
    K, N, gs = 256, 96 if transpose else 128, 64
    w = rng.standard_normal((N, K) if transpose else (K, N)).astype(np.float32)
    wq, s, b = mx.quantize(mx.array(w), group_size=gs, bits=bits)
    wd = ref_dequant(np.array(wq), np.array(s), np.array(b), gs, bits, "affine")
    x = rng.standard_normal((M, K)).astype(np.float32)
    out = mx.quantized_matmul(mx.array(x), wq, s, b, transpose=transpose, group_size=gs, bits=bits)
    assert out.shape == (M, N) and out.dtype == mx.float32
    np.testing.assert_allclose(np.array(out), qmm_ref(x.astype(np.float64), wd, transpose),
                               rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("mode,bits,gs", [("affine", 2, 32), ("affine", 4, 32), ("affine", 4, 64),
                                          ("affine", 4, 128), ("affine", 8, 64), ("mxfp4", 4, 32),
                                          ("mxfp8", 8, 32)])
@pytest.mark.parametrize("K", [128, 448, 4160])
@pytest.mark.parametrize("M", [1, 2])
def test_quantized_matmul_streaming_rows(mode, bits, gs, K, M):
    # the matrix-vector kernel: rows of whole and partial 64-byte chunks (K * bits / 32 words not
    # a multiple of 16), the last row of the weight buffer, float16 x (converted once per call)
    if K % gs:
        pytest.skip("group size does not divide K")
    rng = np.random.default_rng(K + bits + gs)
    N = 37
    w = rng.standard_normal((N, K)).astype(np.float32)
    kw = {"group_size": gs, "bits": bits, "mode": mode}
    q = mx.quantize(mx.array(w), **kw)
    wq, s, b = (q[0], q[1], q[2]) if mode == "affine" else (q[0], q[1], None)
    wd = ref_dequant(np.array(wq), np.array(s), None if b is None else np.array(b), gs, bits, mode)
    for xdt in (mx.float32, mx.float16):
        x = mx.array(rng.standard_normal((M, K)).astype(np.float32)).astype(xdt)
        out = mx.quantized_matmul(x, wq, s, b, transpose=True, **kw)
        ref = tof(x) @ wd.T.astype(np.float64)
        if xdt == mx.float32:
            np.testing.assert_allclose(np.array(out), ref, rtol=1e-5, atol=1e-4 * np.sqrt(K / 128))
        else:
            np.testing.assert_allclose(tof(out), ref, rtol=2e-2, atol=0.05 * np.sqrt(K / 128))


@pytest.mark.parametrize("gs", [32, 64, 128])
@pytest.mark.parametrize("M", [1, 5])
def test_quantized_matvec_wide_range_x(gs, M):
    # x spanning many orders of magnitude inside each group (the VNNI kernel's int8 parts of x
    # are relative to the group's largest value): errors stay at float32 level relative to
    # sum |x| |w|, and zero groups of x give exact zeros
    rng = np.random.default_rng(gs + M)
    K, N = 1024, 96
    w = rng.standard_normal((N, K)).astype(np.float32)
    x = (rng.standard_normal((M, K)) * np.exp(3 * rng.standard_normal((M, K)))).astype(np.float32)
    x[:, :gs] = 0.0
    wq, s, b = mx.quantize(mx.array(w), group_size=gs, bits=4)
    wd = ref_dequant(np.array(wq), np.array(s), np.array(b), gs, 4, "affine").astype(np.float64)
    out = np.array(mx.quantized_matmul(mx.array(x), wq, s, b, transpose=True, group_size=gs,
                                       bits=4))
    ref = x.astype(np.float64) @ wd.T
    # the size of the terms summed: |x| times |w| and the bias taken out of w (bias * sum(x))
    bias = np.repeat(np.abs(np.array(b)).astype(np.float64), gs, axis=1)
    scale = np.abs(x).astype(np.float64) @ (np.abs(wd) + bias).T
    assert (np.abs(out - ref) / scale).max() < 2e-6


def test_quantized_matvec_float_kernel():
    """The matrix-vector tests again on the float kernel (MLXC_GEMM=avx512 turns the VNNI one
    off), in a fresh process (the setting is read once)."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, MLXC_GEMM="avx512")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
                        "-k", "streaming_rows or wide_range or matmul_shapes"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("M", [1, 4, 40])
def test_quantized_matmul_half(dtype, M):
    rng = np.random.default_rng(M)
    K, N = 512, 64
    t = getattr(mx, dtype)
    w = mx.array(rng.standard_normal((N, K)).astype(np.float32)).astype(t)
    wq, s, b = mx.quantize(w)
    x = mx.array(rng.standard_normal((M, K)).astype(np.float32)).astype(t)
    out = mx.quantized_matmul(x, wq, s, b)
    assert out.dtype == t
    wd = ref_dequant(np.array(wq), tof(s), tof(b), 64, 4, "affine")
    ref = tof(x) @ wd.T
    np.testing.assert_allclose(tof(out), ref, rtol=2e-2, atol=0.3)


@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dt", ["bfloat16", "float16"])
def test_quantized_matmul_half_amx(transpose, dt):
    """bfloat16 x from 9 rows (and fewer when no streaming kernel takes the bits), float16 x from
    32: the weight is dequantized to x's dtype a block of output columns at a time and
    multiplied on AMX tiles (elsewhere the float32 tiles). Every mode; a weight of three column
    blocks; batches."""
    rng = np.random.default_rng(21)
    t = getattr(mx, dt)
    rows = (3, 7, 20) if dt == "bfloat16" else (32, 45)
    # largest error over the outputs' rms: bfloat16 about 0.008-0.011, mostly the output's
    # rounding to bfloat16 (the streaming float32 kernel's too; the real MLX's CPU kernel: 0.13);
    # float16 about 0.002 (the weight's and the output's rounding to float16, as in the float32
    # tiles)
    tol = 2e-2 if dt == "bfloat16" else 3e-3

    def check(x, wq, s, b, mode, gs, bits, wshape):
        out = mx.quantized_matmul(x, wq, s, b, transpose=transpose, group_size=gs, bits=bits,
                                  mode=mode)
        assert out.dtype == t
        wd = ref_dequant(np.array(wq), tof(s) if mode != "nvfp4" else np.array(s),
                         tof(b) if b is not None else None, gs, bits, mode)
        if not transpose:
            wd = wd.reshape(wshape)
        ref = tof(x) @ (np.swapaxes(wd, -1, -2) if transpose else wd)
        err = np.abs(tof(out) - ref).max() / np.sqrt(np.mean(ref ** 2))
        assert err < tol, (mode, bits, err)

    def rand(shape):
        return mx.array(rng.standard_normal(shape).astype(np.float32)).astype(t)

    K, N = 256, 128
    for mode, gs, bits in [("affine", 64, 4), ("affine", 32, 3), ("affine", 128, 8),
                           ("mxfp4", 32, 4), ("mxfp8", 32, 8), ("nvfp4", 16, 4)]:
        shape = (N, K) if transpose else (K, N)
        q = mx.quantize(rand(shape), group_size=gs, bits=bits, mode=mode)
        wq, s, b = q if mode == "affine" else (*q, None)
        for m in rows:
            check(rand((m, K)), wq, s, b, mode, gs, bits, shape)
    # three column blocks of the dequantized weight (8 MiB each at K = 16384)
    K, N = 16384, 640
    shape = (N, K) if transpose else (K, N)
    wq, s, b = mx.quantize(rand(shape))
    check(rand((rows[-1] - 8, K)), wq, s, b, "affine", 64, 4, shape)
    # batches of weights, x broadcast against them
    shape = (2, 64, 128) if transpose else (2, 128, 64)
    wq, s, b = mx.quantize(rand(shape))
    check(rand((3, 1, rows[-1] - 10, 128)), wq, s, b, "affine", 64, 4, shape)


def test_quantized_matmul_batched_and_vector():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((2, 32, 128)).astype(np.float32)
    wq, s, b = mx.quantize(mx.array(w), group_size=32)
    wd = ref_dequant(np.array(wq), np.array(s), np.array(b), 32, 4, "affine")
    x = rng.standard_normal((3, 1, 5, 128)).astype(np.float32)
    out = mx.quantized_matmul(mx.array(x), wq, s, b, group_size=32)
    assert out.shape == (3, 2, 5, 32)
    np.testing.assert_allclose(np.array(out), x @ np.swapaxes(wd, -1, -2), rtol=1e-4, atol=1e-3)
    v = rng.standard_normal((128,)).astype(np.float32)
    out = mx.quantized_matmul(mx.array(v), wq[0], s[0], b[0], group_size=32)
    assert out.shape == (32,)
    np.testing.assert_allclose(np.array(out), wd[0] @ v, rtol=1e-4, atol=1e-3)
    # a non-contiguous x
    xt = mx.array(rng.standard_normal((128, 4)).astype(np.float32))
    out = mx.quantized_matmul(xt.T, wq[1], s[1], b[1], group_size=32)
    np.testing.assert_allclose(np.array(out), np.array(xt).T @ wd[1].T, rtol=1e-4, atol=1e-3)


def test_quantized_matmul_float64():
    rng = np.random.default_rng(5)
    w = rng.standard_normal((16, 64)).astype(np.float32)
    wq, s, b = mx.quantize(mx.array(w))
    x = rng.standard_normal((2, 64))
    out = mx.quantized_matmul(mx.array(x, dtype=mx.float64), wq, s, b)
    assert out.dtype == mx.float64
    wd = ref_dequant(np.array(wq), np.array(s), np.array(b), 64, 4, "affine")
    np.testing.assert_allclose(np.array(out), x @ wd.T, rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------------- fp modes


@pytest.mark.parametrize("mode,gs,bits", [("mxfp4", 32, 4), ("mxfp8", 32, 8), ("nvfp4", 16, 4)])
def test_fp_modes(mode, gs, bits):
    rng = np.random.default_rng(11)
    w = (rng.standard_normal((8, 128)) * np.exp(rng.standard_normal((8, 1)))).astype(np.float32)
    wq, s = mx.quantize(mx.array(w), mode=mode)
    assert s.dtype == mx.uint8 and s.shape == (8, 128 // gs)
    assert wq.shape == (8, 128 * bits // 32)
    d = mx.dequantize(wq, s, mode=mode)
    assert d.dtype == mx.bfloat16
    d32 = np.array(mx.dequantize(wq, s, mode=mode, dtype=mx.float32))
    np.testing.assert_allclose(d32, ref_dequant(np.array(wq), np.array(s), None, gs, bits, mode))
    rel = np.abs(d32 - w).max() / np.abs(w).max()
    assert rel < (0.3 if bits == 4 else 0.1)
    for M in (3, 20):  # the streaming and the tiled kernels
        x = rng.standard_normal((M, 128)).astype(np.float32)
        out = mx.quantized_matmul(mx.array(x), wq, s, mode=mode)
        np.testing.assert_allclose(np.array(out), x @ d32.T.astype(np.float64), rtol=1e-4,
                                   atol=1e-3)
        xt = rng.standard_normal((M, 8)).astype(np.float32)
        outT = mx.quantized_matmul(mx.array(xt), wq, s, mode=mode, transpose=False)
        np.testing.assert_allclose(np.array(outT), xt @ d32.astype(np.float64), rtol=1e-4,
                                   atol=1e-3)


def test_fp8_conversions():
    vals = np.array([0.0, -0.0, 1.0625, 1.1875, 448, 464, 500, 1e6, -1e6, np.inf, -np.inf, np.nan,
                     2**-9, 2**-10, 1.5 * 2**-10, 3 * 2**-10, 1e-30, -1e-30, 0.0137], np.float32)
    expect = [0, 128, 56, 58, 126, 126, 126, 126, 254, 126, 254, 126, 1, 0, 1, 2, 0, 128, 7]
    for dt in (mx.float32, mx.float16, mx.bfloat16):
        f = mx.to_fp8(mx.array(vals).astype(dt))
        assert f.dtype == mx.uint8
        if dt == mx.float32:
            assert f.tolist() == expect
    allb = mx.arange(256).astype(mx.uint8)
    back = np.array(mx.from_fp8(allb, mx.float32))
    np.testing.assert_array_equal(back, fp8_values().astype(np.float32))
    assert mx.from_fp8(allb).dtype == mx.bfloat16
    rt = mx.to_fp8(mx.from_fp8(allb, mx.float32)).tolist()
    assert [r for i, r in enumerate(rt) if i not in (127, 255)] == \
        [i for i in range(256) if i not in (127, 255)]
    assert mx.from_fp8(mx.array([56], mx.uint8), mx.float16).tolist() == [1.0]


def test_fp8_rounding_at_every_midpoint():
    # the (vectorized, branch-free) encoder against nearest-even over the code table: every
    # midpoint between neighbouring codes, and one float step either side of it
    vals = fp8_values().astype(np.float64)[:127]  # +0 .. 448
    mids = (vals[:-1] + vals[1:]) / 2
    x = np.concatenate([mids, np.nextafter(mids.astype(np.float32), np.float32(0)),
                        np.nextafter(mids.astype(np.float32), np.float32(1e9))]).astype(np.float32)
    x = np.concatenate([x, -x])
    a = np.abs(x.astype(np.float64))[:, None]
    dist = np.abs(a - vals[None, :])
    best = dist.min(axis=1, keepdims=True)
    ties = dist == best
    # nearest code; on a tie the even one
    code = np.where(ties.sum(axis=1) > 1, np.argmax(ties & (np.arange(127) % 2 == 0), axis=1),
                    np.argmin(dist, axis=1))
    want = np.where(np.signbit(x), code + 128, code)
    np.testing.assert_array_equal(np.array(mx.to_fp8(mx.array(x))), want)


# ----------------------------------------------------------------------------- gather_qmm


def test_gather_qmm():
    rng = np.random.default_rng(9)
    w = rng.standard_normal((3, 16, 64)).astype(np.float32)
    wq, s, b = mx.quantize(mx.array(w))
    wd = ref_dequant(np.array(wq), np.array(s), np.array(b), 64, 4, "affine")
    x = rng.standard_normal((5, 4, 64)).astype(np.float32)
    lhs = np.array([[0], [1], [4]])
    rhs = np.array([1, 2, 0])
    out = mx.gather_qmm(mx.array(x), wq, s, b, lhs_indices=mx.array(lhs), rhs_indices=mx.array(rhs))
    assert out.shape == (3, 3, 4, 16)
    L, R = np.broadcast_arrays(lhs, rhs)
    ref = np.stack([x[l] @ wd[r].T for l, r in zip(L.ravel(), R.ravel())]).reshape(3, 3, 4, 16)
    np.testing.assert_allclose(np.array(out), ref, rtol=1e-4, atol=1e-3)
    x1 = rng.standard_normal((2, 1, 64)).astype(np.float32)
    out = mx.gather_qmm(mx.array(x1), wq, s, b, rhs_indices=mx.array([0, 2]))
    assert out.shape == (2, 1, 16)
    np.testing.assert_allclose(np.array(out)[1], x1[1] @ wd[2].T, rtol=1e-4, atol=1e-3)
    with pytest.raises(ValueError, match="Indices must be integral"):
        mx.gather_qmm(mx.array(x), wq, s, b, rhs_indices=mx.array([1.0]))


# ----------------------------------------------------------------------------- transforms


def test_grad_wrt_x_scales_biases():
    rng = np.random.default_rng(2)
    w = rng.standard_normal((16, 64)).astype(np.float32)
    wq, s, b = mx.quantize(mx.array(w))
    x = mx.array(rng.standard_normal((3, 64)).astype(np.float32))
    wd = mx.dequantize(wq, s, b)
    g = mx.grad(lambda x: mx.quantized_matmul(x, wq, s, b).sum())(x)
    np.testing.assert_allclose(np.array(g), np.array(mx.ones((3, 16)) @ wd), rtol=1e-5, atol=1e-5)
    gs_, gb = mx.grad(lambda s, b: (mx.quantized_matmul(x, wq, s, b) ** 2).sum(), argnums=(0, 1))(s, b)
    # against the gradient through the dequantized matrix
    codes = mx.dequantize(wq, mx.ones_like(s), mx.zeros_like(b))
    out = mx.quantized_matmul(x, wq, s, b)
    dW = (2 * out).T @ x
    np.testing.assert_allclose(np.array(gs_), np.array((dW * codes).reshape(16, 1, 64).sum(-1)),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.array(gb), np.array(dW.reshape(16, 1, 64).sum(-1)), rtol=1e-4,
                               atol=1e-4)
    with pytest.raises((RuntimeError, ValueError), match="no gradient wrt the quantized weights"):
        mx.grad(lambda w: mx.quantized_matmul(x, w, s, b).sum())(wq)
    gx = mx.grad(lambda x: mx.gather_qmm(x, wq, s, b).sum())(x)
    np.testing.assert_allclose(np.array(gx), np.array(g), rtol=1e-5, atol=1e-5)


def test_vmap_quantized_matmul():
    rng = np.random.default_rng(4)
    w = rng.standard_normal((16, 64)).astype(np.float32)
    wq, s, b = mx.quantize(mx.array(w))
    xs = mx.array(rng.standard_normal((5, 3, 64)).astype(np.float32))
    out = mx.vmap(lambda x: mx.quantized_matmul(x, wq, s, b))(xs)
    ref = mx.quantized_matmul(xs, wq, s, b)
    np.testing.assert_allclose(np.array(out), np.array(ref), rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- errors


def test_bad_arguments():
    w = mx.random.normal((4, 64))
    with pytest.raises(ValueError, match=r"\[quantize\] The last dimension of the matrix needs to "
                                         r"be divisible by the quantization group size 64"):
        mx.quantize(mx.zeros((4, 60)))
    with pytest.raises(ValueError, match=r"The requested number of bits 7 is not supported"):
        mx.quantize(w, bits=7)
    with pytest.raises(ValueError, match=r"The requested group size 16 is not supported"):
        mx.quantize(w, group_size=16)
    with pytest.raises(ValueError, match=r"Invalid quantization mode 'foo'"):
        mx.quantize(w, mode="foo")
    with pytest.raises(ValueError, match=r"mxfp4 quantization requires group size 32 but got 64"):
        mx.quantize(w, mode="mxfp4", group_size=64)
    with pytest.raises(ValueError, match=r"mxfp4 quantization requires bits to be 4 but got 8"):
        mx.quantize(w, mode="mxfp4", bits=8)
    with pytest.raises(ValueError, match=r"at least 2 dimension but it has only 1"):
        mx.quantize(mx.zeros((64,)))
    with pytest.raises(ValueError, match=r"Only real floating types can be quantized but w has "
                                         r"type int32"):
        mx.quantize(mx.zeros((4, 64), dtype=mx.int32))
    with pytest.raises(ValueError, match=r"Global scale is only supported for 'nvfp4'"):
        mx.quantize(w, mode="mxfp4", global_scale=mx.array(1.0))
    wq, s, b = mx.quantize(w)
    x = mx.random.normal((3, 64))
    with pytest.raises(ValueError, match=r"Biases must be provided for affine quantization"):
        mx.quantized_matmul(x, wq, s)
    with pytest.raises(ValueError, match=r"Biases must be provided for affine quantization"):
        mx.dequantize(wq, s)
    with pytest.raises(ValueError, match=r"Last dimension of first input with shape \(\.\.\., 64\) "
                                         r"does not match the expanded quantized matrix \(4, 64\)"):
        mx.quantized_matmul(x, wq, s, b, transpose=False)
    with pytest.raises(ValueError, match=r"The weight matrix should be uint32 but received int32"):
        mx.quantized_matmul(x, wq.astype(mx.int32), s, b)
    with pytest.raises(ValueError, match=r"The shapes of the weight and scales are incompatible"):
        mx.quantized_matmul(x, wq[:, :4], s, b)
    with pytest.raises(ValueError, match=r"\[dequantize\] Shape of scales and biases does not "
                                         r"match the matrix"):
        mx.dequantize(wq, s[:2], b[:2])
    with pytest.raises(ValueError, match=r"\[dequantize\] The matrix should be given as a uint32"):
        mx.dequantize(wq.astype(mx.int32), s, b)
    wq4, s4 = mx.quantize(w, mode="mxfp4")
    with pytest.raises(ValueError, match=r"Biases must be null for quantization mode 'mxfp4'"):
        mx.quantized_matmul(x, wq4, s4, s4, mode="mxfp4")
    with pytest.raises(ValueError, match=r"Scale type must be uint8 but received type float32"):
        mx.dequantize(wq4, s4.astype(mx.float32), mode="mxfp4")
    with pytest.raises(ValueError, match=r"\[to_fp8\] Only real floating types are supported but "
                                         r"x.dtype\(\) == int32"):
        mx.to_fp8(mx.array([1, 2]))
    with pytest.raises(ValueError, match=r"\[from_fp8\] Input must have type uint8"):
        mx.from_fp8(mx.array([1.0]))
    with pytest.raises(ValueError, match=r"\[from_fp8\] Only real floating types are supported"):
        mx.from_fp8(mx.array([1], mx.uint8), mx.int32)
    with pytest.raises(RuntimeError, match=r"\[QQMatmul\] NYI for the general case"):
        mx.qqmm(mx.random.normal((4, 64)), mx.random.normal((64, 64)))
    with pytest.raises(TypeError):
        mx.quantize(np.zeros((4, 64), np.float32))
    # the process keeps working
    out = mx.quantized_matmul(x, wq, s, b)
    assert out.shape == (3, 4)


def test_nvfp4_global_scale():
    # values are code * fp8(scale) * g / (448 * 6); checked bit-identical against MLX 0.32.4
    # (a (8, 64) normal * 3 input with g = 7.5) while writing this test
    rng = np.random.default_rng(1)
    w = (rng.standard_normal((8, 64)) * 3).astype(np.float32)
    g = mx.array(7.5)
    wq, s = mx.quantize(mx.array(w), mode="nvfp4", global_scale=g)
    d = np.array(mx.dequantize(wq, s, mode="nvfp4", global_scale=g, dtype=mx.float32))
    ref = ref_dequant(np.array(wq), np.array(s), None, 16, 4, "nvfp4") * 7.5 / (448 * 6)
    np.testing.assert_allclose(d, ref, rtol=1e-6, atol=1e-7)
    assert np.abs(d - w).max() / np.abs(w).max() < 0.3
    with pytest.raises(ValueError, match=r"Global scale must be a scalar"):
        mx.quantize(mx.array(w), mode="nvfp4", global_scale=mx.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"Global scale must have dtype float32"):
        mx.quantize(mx.array(w), mode="nvfp4", global_scale=mx.array(1.0, mx.float16))


def test_vmap_quantize_dequantize():
    rng = np.random.default_rng(6)
    ws = mx.array(rng.standard_normal((3, 4, 64)).astype(np.float32))
    q = mx.vmap(lambda w: mx.quantize(w))(ws)
    ref = mx.quantize(ws)
    for a, b in zip(q, ref):
        assert np.array_equal(np.array(a), np.array(b))
    d = mx.vmap(lambda w, s, b: mx.dequantize(w, s, b))(*ref)
    np.testing.assert_array_equal(np.array(d), np.array(mx.dequantize(*ref)))
