"""mx.quantize of ours against the real MLX, bit for bit: packed words, scales and biases for
float32 / float16 / bfloat16 weights, affine bits 2-8 with groups 32-128, and the mxfp4, mxfp8
and nvfp4 modes (180 arrays). Weights are finite (groups holding inf or nan differ: see
docs/BENCHMARKS.md).

    PYTHONPATH=<build>/python .venv/bin/python scripts/compare_quantize_with_mlx.py \
        [--mlx /tmp/mlxref/bin/python]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np


def dump(path):
    import mlx.core as mx

    rng = np.random.default_rng(0)
    w = (rng.standard_normal((64, 512)) * rng.exponential(1, (64, 1))).astype(np.float32)
    w[3, :64] = 0
    w[5, 64:128] = 7.0
    out = {}
    for dt in ("float32", "float16", "bfloat16"):
        x = mx.array(w).astype(getattr(mx, dt))
        for bits in (2, 3, 4, 5, 6, 8):
            for gs in (32, 64, 128):
                for i, a in enumerate(mx.quantize(x, group_size=gs, bits=bits)):
                    out[f"{dt}-{bits}-{gs}-{i}"] = np.array(
                        a if a.dtype == mx.uint32 else a.astype(mx.float32))
        for mode, gs, bits in (("mxfp4", 32, 4), ("mxfp8", 32, 8), ("nvfp4", 16, 4)):
            for i, a in enumerate(mx.quantize(x, group_size=gs, bits=bits, mode=mode)):
                out[f"{dt}-{mode}-{i}"] = np.array(a)
    np.savez(path, **out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mlx", default=os.environ.get("MLXREF_PYTHON", "/tmp/mlxref/bin/python"))
    ap.add_argument("--dump")
    args = ap.parse_args()
    if args.dump:
        dump(args.dump)
        return
    with tempfile.TemporaryDirectory() as d:
        ours, ref = os.path.join(d, "ours.npz"), os.path.join(d, "mlx.npz")
        subprocess.run([sys.executable, __file__, "--dump", ours], check=True)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the real MLX alone
        subprocess.run([args.mlx, __file__, "--dump", ref], check=True, env=env)
        a, b = np.load(ours), np.load(ref)
        bad = [k for k in b.files
               if k not in a.files or not np.array_equal(a[k], b[k], equal_nan=True)]
    print(f"{len(b.files)} arrays compared, {len(bad)} differ" + (f": {bad[:10]}" if bad else ""))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
