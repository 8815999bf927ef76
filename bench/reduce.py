"""Reductions, scans, sort and friends on the CPU: ours against the real MLX and numpy.

    python bench/reduce.py [--quick] [--filter SUBSTRING]

runs every case with our mlx (importable from the current environment) and numpy, then runs
this same script under the real MLX's interpreter (MLXREF_PYTHON, default
/tmp/mlxref/bin/python) with --child, and prints median milliseconds and the ratio
ours / MLX (< 1: we are faster). The machine may be shared: compare columns within one run.
"""
import json
import os
import statistics
import subprocess
import sys
import time

N = 10**7
M = (1000, 10000)


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def cases(mx, quick):
    """name -> (function building the result, repeats); inputs are made once, evaluated."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = mx.array(rng.standard_normal(N).astype(np.float32))
    xi = mx.array(rng.integers(0, 1 << 30, N).astype(np.int32))
    xh = x.astype(mx.float16)
    m = mx.array(rng.standard_normal(M).astype(np.float32))
    mt = mx.transpose(m)
    mx.eval(x, xi, xh, m, mt)
    big, mid = (3, 5)
    out = {
        "sum f32 1e7": (lambda: mx.sum(x), mid),
        "max f32 1e7": (lambda: mx.max(x), mid),
        "mean f32 1e7": (lambda: mx.mean(x), mid),
        "var f32 1e7": (lambda: mx.var(x), mid),
        "std f32 1e7": (lambda: mx.std(x), mid),
        "logsumexp f32 1e7": (lambda: mx.logsumexp(x), mid),
        "argmax f32 1e7": (lambda: mx.argmax(x), mid),
        "argmax rows 1000x10000": (lambda: mx.argmax(m, axis=1), mid),
        "argmax axis0 1000x10000": (lambda: mx.argmax(m, axis=0), mid),
        "softmax rows 1000x10000": (lambda: mx.softmax(m, axis=-1), mid),
        "softmax axis0 1000x10000": (lambda: mx.softmax(m, axis=0), mid),
        "softmax f16 rows": (lambda: mx.softmax(xh.reshape(M), axis=-1), mid),
        "logsumexp rows 1000x10000": (lambda: mx.logsumexp(m, axis=1), mid),
        "cumsum f32 1e7": (lambda: mx.cumsum(x), mid),
        "cumsum i32 1e7": (lambda: mx.cumsum(xi), mid),
        "cumsum rows 1000x10000": (lambda: mx.cumsum(m, axis=1), mid),
        "cumsum axis0 1000x10000": (lambda: mx.cumsum(m, axis=0), mid),
        "cumsum transposed": (lambda: mx.cumsum(mt, axis=0), mid),
        "cummax f32 1e7": (lambda: mx.cummax(x), mid),
        "cumprod f32 1e7": (lambda: mx.cumprod(x), mid),
        "logcumsumexp f32 1e7": (lambda: mx.logcumsumexp(x), big),
        "sort f32 1e7": (lambda: mx.sort(x), big),
        "argsort f32 1e7": (lambda: mx.argsort(x), big),
        "sort i32 1e7": (lambda: mx.sort(xi), big),
        "sort f16 1e7": (lambda: mx.sort(xh), big),
        "sort rows 1000x10000": (lambda: mx.sort(m, axis=1), big),
        "sort axis0 1000x10000": (lambda: mx.sort(m, axis=0), big),
        "argsort rows 1000x10000": (lambda: mx.argsort(m, axis=1), big),
        "partition f32 1e7": (lambda: mx.partition(x, N // 2), big),
        "topk 10 of 1e7": (lambda: mx.topk(x, 10), big),
        "median f32 1e7": (lambda: mx.median(x), big),
    }
    if quick:
        keep = ("sum f32", "softmax rows", "cumsum f32", "sort f32", "argsort f32", "median")
        out = {k: v for k, v in out.items() if k.startswith(keep)}
    return out


def run_mlx(quick, flt):
    import mlx.core as mx

    mx.set_default_device(mx.cpu)
    res = {}
    for name, (fn, reps) in cases(mx, quick).items():
        if flt and flt not in name:
            continue
        res[name] = median_ms(lambda: mx.eval(fn()), reps)
    return res


def run_numpy(quick, flt):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal(N).astype(np.float32)
    xi = rng.integers(0, 1 << 30, N).astype(np.int32)
    xh = x.astype(np.float16)
    m = rng.standard_normal(M).astype(np.float32)

    def softmax(a, axis):
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    def lse(a, axis=None):
        mm = a.max(axis=axis, keepdims=True)
        return np.log(np.exp(a - mm).sum(axis=axis, keepdims=True)) + mm

    table = {
        "sum f32 1e7": lambda: x.sum(),
        "max f32 1e7": lambda: x.max(),
        "mean f32 1e7": lambda: x.mean(),
        "var f32 1e7": lambda: x.var(),
        "std f32 1e7": lambda: x.std(),
        "logsumexp f32 1e7": lambda: lse(x),
        "argmax f32 1e7": lambda: x.argmax(),
        "argmax rows 1000x10000": lambda: m.argmax(axis=1),
        "argmax axis0 1000x10000": lambda: m.argmax(axis=0),
        "softmax rows 1000x10000": lambda: softmax(m, -1),
        "softmax axis0 1000x10000": lambda: softmax(m, 0),
        "logsumexp rows 1000x10000": lambda: lse(m, 1),
        "cumsum f32 1e7": lambda: np.cumsum(x),
        "cumsum i32 1e7": lambda: np.cumsum(xi, dtype=np.int32),
        "cumsum rows 1000x10000": lambda: np.cumsum(m, axis=1),
        "cumsum axis0 1000x10000": lambda: np.cumsum(m, axis=0),
        "cumsum transposed": lambda: np.cumsum(m.T, axis=0),
        "cummax f32 1e7": lambda: np.maximum.accumulate(x),
        "cumprod f32 1e7": lambda: np.cumprod(x),
        "logcumsumexp f32 1e7": lambda: np.logaddexp.accumulate(x),
        "sort f32 1e7": lambda: np.sort(x),
        "argsort f32 1e7": lambda: np.argsort(x, kind="stable"),
        "sort i32 1e7": lambda: np.sort(xi),
        "sort f16 1e7": lambda: np.sort(xh),
        "sort rows 1000x10000": lambda: np.sort(m, axis=1),
        "sort axis0 1000x10000": lambda: np.sort(m, axis=0),
        "argsort rows 1000x10000": lambda: np.argsort(m, axis=1, kind="stable"),
        "partition f32 1e7": lambda: np.partition(x, N // 2),
        "topk 10 of 1e7": lambda: np.partition(x, N - 10)[N - 10:],
        "median f32 1e7": lambda: np.median(x),
    }
    res = {}
    for name, fn in table.items():
        if flt and flt not in name:
            continue
        res[name] = median_ms(fn, 3)
    return res


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    flt = args[args.index("--filter") + 1] if "--filter" in args else None
    if "--child" in args:
        print(json.dumps(run_mlx(quick, flt)))
        return
    ours = run_mlx(quick, flt)
    ref_py = os.environ.get("MLXREF_PYTHON", "/tmp/mlxref/bin/python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ref = {}
    try:
        cmd = [ref_py, os.path.abspath(__file__), "--child"] + [a for a in args if a != "--child"]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd="/")
        ref = json.loads(proc.stdout.strip().splitlines()[-1])
    except Exception as e:  # no reference interpreter: print ours and numpy only
        print(f"(real MLX not run: {e})", file=sys.stderr)
    npres = run_numpy(quick, flt)
    print(f"{'case':28s} {'ours ms':>9s} {'MLX ms':>9s} {'numpy ms':>9s} {'ours/MLX':>9s}")
    for name, t in ours.items():
        r = ref.get(name)
        n = npres.get(name)
        ratio = f"{t / r:9.2f}" if r else f"{'-':>9s}"
        rs = f"{r:9.1f}" if r else f"{'-':>9s}"
        ns = f"{n:9.1f}" if n else f"{'-':>9s}"
        print(f"{name:28s} {t:9.1f} {rs} {ns} {ratio}")


if __name__ == "__main__":
    main()
