"""mx.unique call for call against the real MLX: 11 inputs (ints, floats with NaN and -0.0,
bool, bfloat16, complex, 0-d, empty) x sizes 0-60 x fill values x flags, 792 calls; prints the
calls whose results (or errors) differ.

    python scripts/mlx_diff/unique_cross.py --ours <build>/python --ref /tmp/mlxref/bin/python
"""
import argparse
import json
import os
import subprocess
import sys


def cases():
    import numpy as np

    import mlx.core as mx
    rng = np.random.default_rng(0)
    inputs = [mx.array([3, 1, 2, 3, 1, 5]), mx.array([2, 1, 2, 3, 1]),
              mx.array([[1.0, float("nan")], [float("nan"), 1.0]]), mx.array([0.0, -0.0, 2.0]),
              mx.array([True, False, True]), mx.array(rng.integers(0, 5, (4, 6))).astype(mx.int16),
              mx.array(rng.standard_normal(7).astype(np.float32)).astype(mx.bfloat16),
              mx.array([1 + 2j, 1 + 2j, -1j]), mx.array(4), mx.array([], mx.int32),
              mx.array(rng.integers(0, 50, 300)).astype(mx.uint8)]
    out = {}
    for bi, a in enumerate(inputs):
        for size in (0, 1, 2, 3, 4, 6, 9, 60):
            for fill in (None, 7, 2.5):
                for flags in ((False, False, False), (True, True, True), (False, True, False)):
                    try:
                        r = mx.unique(a, size, *flags, fill_value=fill, stream=mx.cpu)
                        r = r if isinstance(r, tuple) else (r,)
                        out[f"{bi}/{size}/{fill}/{flags}"] = [
                            [str(x.dtype), list(x.shape), repr(np.array(
                                x.astype(mx.float32) if x.dtype == mx.bfloat16 else x).tolist())]
                            for x in r]
                    except Exception as e:
                        out[f"{bi}/{size}/{fill}/{flags}"] = [type(e).__name__, str(e)]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", action="store_true")
    ap.add_argument("--ours", default=os.environ.get("PYTHONPATH", ""))
    ap.add_argument("--ref", default="/tmp/mlxref/bin/python")
    args = ap.parse_args()
    if args.cases:
        print(json.dumps(cases()))
        return
    got = {}
    for side, py, env in [("ours", sys.executable, dict(os.environ, PYTHONPATH=args.ours)),
                          ("MLX", args.ref, {k: v for k, v in os.environ.items() if k != "PYTHONPATH"})]:
        r = subprocess.run([py, os.path.abspath(__file__), "--cases"], env=env, cwd="/",
                           capture_output=True, text=True, check=True)
        got[side] = json.loads(r.stdout)
    diff = [k for k in got["MLX"] if got["ours"].get(k) != got["MLX"][k]]
    print(f"{len(got['MLX'])} calls, {len(diff)} differ")
    for k in diff:
        print(f"   {k}\n      ours {str(got['ours'].get(k))[:150]}\n      MLX  {str(got['MLX'][k])[:150]}")


if __name__ == "__main__":
    main()
