"""Largest errors in ulps of float32 sin, cos, tan, arctanh and arccosh, against numpy in float64,
for whichever mlx this Python imports and for numpy's own float32 functions (the figures quoted
for ours, MLX and numpy in docs/BENCHMARKS.md):

    PYTHONPATH=<build>/python .venv/bin/python scripts/ulp_errors.py     # ours
    env -u PYTHONPATH /tmp/mlxref/bin/python scripts/ulp_errors.py       # the real MLX

4M uniform samples per function and range (seed 1)."""
import numpy as np

import mlx.core as mx


def ulp_error(got, want):
    w = np.abs(want).astype(np.float32).astype(np.float64)
    ulp = np.ldexp(1.0, (np.floor(np.log2(np.maximum(w, 1e-37))) - 23).astype(int))
    return np.abs(got.astype(np.float64) - want) / ulp


def main():
    rng = np.random.default_rng(1)
    cases = [(f, r) for f in ("sin", "cos", "tan") for r in (10.0, 1000.0, 2.0**20)]
    cases += [("arctanh", 1.0), ("arccosh", None)]
    print(f"mlx {mx.__file__}")
    for name, r in cases:
        x = (rng.uniform(-r, r, 4_000_000) if r else rng.uniform(1.0, 10.0, 4_000_000))
        x = x.astype(np.float32)
        want = getattr(np, name)(x.astype(np.float64))
        ours = np.nanmax(ulp_error(np.array(getattr(mx, name)(mx.array(x))), want))
        ref = np.nanmax(ulp_error(getattr(np, name)(x), want))
        where = f"|x| < {r:g}" if r else "1 <= x < 10"
        print(f"{name:8s} {where:14s} mlx {ours:10.2f} ulp   numpy float32 {ref:6.2f} ulp")


if __name__ == "__main__":
    main()
