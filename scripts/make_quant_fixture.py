"""Writes tests/fixtures/quant/quant_fixture.npz with the real MLX (run ONCE, under MLX's Python):

    /tmp/mlxref/bin/python scripts/make_quant_fixture.py

Contents (numpy arrays): the float inputs `x` (3, 256) and `w` (32, 256) float32, `xt` (3, 32)
for transpose=False products; for every configuration `<tag>`: `<tag>_wq`, `<tag>_scales`,
`<tag>_biases` (affine only), `<tag>_deq` (dequantize, float32), `<tag>_qmm`
(quantized_matmul(x, wq, ..., transpose=True), float32) and `<tag>_qmmT`
(quantized_matmul(xt, wq, ..., transpose=False)). Tags: `<dtype>_<mode>_<bits>_<group_size>`
with dtype float32 / float16 / bfloat16 (the input w cast to that dtype; bfloat16 scales and
biases are stored as float32, which holds them exactly)."""
import os

import mlx.core as mx
import numpy as np

rng = np.random.default_rng(20240611)
x = rng.standard_normal((3, 256)).astype(np.float32)
w = (rng.standard_normal((32, 256)) * rng.uniform(0.1, 3, (32, 1))).astype(np.float32)
xt = rng.standard_normal((3, 32)).astype(np.float32)
out = {"x": x, "w": w, "xt": xt}

configs = [("float32", "affine", b, g) for b in (1, 2, 3, 4, 5, 6, 8) for g in (32, 64, 128)]
configs += [(dt, "affine", b, 64) for dt in ("float16", "bfloat16") for b in (2, 3, 4, 5, 6, 8)]
configs += [("float32", "mxfp4", 4, 32), ("float32", "mxfp8", 8, 32), ("float32", "nvfp4", 4, 16)]
configs += [("bfloat16", "mxfp4", 4, 32), ("float16", "nvfp4", 4, 16)]

for dt, mode, bits, gs in configs:
    tag = f"{dt}_{mode}_{bits}_{gs}"
    wm = mx.array(w).astype(getattr(mx, dt))
    q = mx.quantize(wm, group_size=gs, bits=bits, mode=mode)
    wq, sc = q[0], q[1]
    bi = q[2] if mode == "affine" else None
    out[tag + "_wq"] = np.array(wq)
    out[tag + "_scales"] = np.array(sc.astype(mx.float32) if mode == "affine" else sc)
    if bi is not None:
        out[tag + "_biases"] = np.array(bi.astype(mx.float32))
    kw = dict(group_size=gs, bits=bits, mode=mode)
    deq = mx.dequantize(wq, sc, bi, dtype=mx.float32, **kw)
    out[tag + "_deq"] = np.array(deq)
    xs = mx.array(x).astype(mx.float32)
    sc32 = sc.astype(mx.float32) if mode == "affine" else sc
    bi32 = bi.astype(mx.float32) if bi is not None else None
    out[tag + "_qmm"] = np.array(mx.quantized_matmul(xs, wq, sc32, bi32, transpose=True, **kw))
    out[tag + "_qmmT"] = np.array(
        mx.quantized_matmul(mx.array(xt), wq, sc32, bi32, transpose=False, **kw))

path = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "quant", "quant_fixture.npz")
np.savez_compressed(path, **out)
print("wrote", path, len(out), "arrays")
