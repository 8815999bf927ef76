"""mx.compile benchmarks (issue 8), ours against the real MLX in one run:

- a GELU -> layer norm (written by hand) -> softmax chain over 10^8 float32 elements
  (rows x 1000), eager and compiled, in GB/s of the 8 bytes per element a fused kernel must move
  (read x, write y), next to a STREAM-style triad measured in the same run (bench/triad.c;
  12 bytes per element);
- compile time of a 100-op function: the first call in a fresh process, with the kernel disk
  cache warm (ours) and cold;
- elementwise graphs eager vs compiled: a transcendental chain (10^7), "rotate" x cos t - y sin t
  (10^7, a rotary embedding's arithmetic), x*2+y (10^8, memory-bound:
  streamed outputs), sum(x*y) over 10^8 (one row split over the threads), bias-add + relu over
  (64, 28, 28, 32) (rows of 32), softmax(x + causal mask) over attention scores (32, 4, 128,
  128) (short rows, as in a transformer's backward pass);
- erf and exp per element on one core (bench/ew_math_cost.c): the chain's arithmetic floor.

Run: PYTHONPATH=<build>/python python bench/compile.py [--n N] [--json out.json]
     [--only SUBSTRING] [--impls mlxc]  (e.g. --only chain --impls mlxc: one build's chain rows)
(TRIAD_LIB: the triad shared library; scripts/bench.sh builds one.)"""
import argparse
import ctypes
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

D = 1000


def chain_fn(mx):
    def gelu(x):
        return x * (1 + mx.erf(x / math.sqrt(2))) / 2

    def chain(x):
        h = gelu(x)
        mu = mx.mean(h, axis=-1, keepdims=True)
        var = mx.mean(mx.square(h - mu), axis=-1, keepdims=True)
        return mx.softmax((h - mu) * mx.rsqrt(var + 1e-5), axis=-1)
    return chain


def ew_fn(mx):
    return lambda x, y: mx.tanh(x) * y + mx.sigmoid(y) * 0.5 - x


def prepare(case):
    import mlx.core as mx
    name, n = case["name"], case["n"]
    if name.startswith("chain"):
        x = mx.random.normal((n // D, D))
        f = chain_fn(mx)
        args = (x,)
    elif name.startswith("softmax"):
        args = (mx.random.normal((32, 4, 128, 128)), mx.triu(mx.full((128, 128), -1e9), k=1))
        f = lambda x, m: mx.softmax(x + m, axis=-1)
    elif name.startswith("rotate"):
        args = tuple(mx.random.normal((n,)) for _ in range(3))
        f = lambda t, x, y: x * mx.cos(t) - y * mx.sin(t)
    elif name.startswith("bias"):
        args = (mx.random.normal((64, 28, 28, 32)), mx.random.normal((32,)))
        f = lambda x, b: mx.maximum(x + b, 0.0) * 2
    else:
        args = (mx.random.normal((n,)), mx.random.normal((n,)))
        f = {"elementwise": ew_fn(mx), "x*2+y": lambda x, y: x * 2 + y,
             "sum(x*y)": lambda x, y: mx.sum(x * y)}[name.split(",")[0]]
    if name.endswith("compiled"):
        f = mx.compile(f)
    mx.eval(*args)

    def run():
        mx.eval(f(*args))
    moved = {"chain": 8 * n, "sum(x*y)": 8 * n, "rotate": 16 * n,
             "bias + relu": 2 * 4 * 64 * 28 * 28 * 32,
             "softmax(x + mask)": 2 * 4 * 32 * 4 * 128 * 128}
    return run, {"bytes": moved.get(name.split(",")[0], 12 * n)}


HUNDRED = """
import sys, time
t0 = time.perf_counter()
import mlx.core as mx
def f(x, y):
    for i in range(25):
        x = mx.tanh(x) * y + (0.5 + i)
        y = mx.sigmoid(y - x)
    return x, y
x, y = mx.ones((64, 64)), mx.ones((64, 64))
mx.eval(x, y)
t1 = time.perf_counter()
mx.eval(*mx.compile(f)(x, y))
t2 = time.perf_counter()
print(t2 - t1)
"""


def compile_time(python, env, cwd):
    """Seconds of the first call of a compiled 100-op function in a fresh process."""
    out = subprocess.run([python, "-c", HUNDRED], env=env, cwd=cwd, capture_output=True,
                         text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def ew_math_cost():
    """{"erf": ns, "exp": ns} per element per core from bench/ew_math_cost.c (None without cc)."""
    with tempfile.TemporaryDirectory() as d:
        exe = os.path.join(d, "cost")
        try:
            subprocess.run(["cc", "-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math",
                            "-I", os.path.join(common.ROOT, "src"),
                            os.path.join(common.BENCH_DIR, "ew_math_cost.c"), "-o", exe, "-lm"],
                           check=True)
            out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def triad_gbs(n, repeats=5):
    lib = common.load_triad()
    if lib is None:
        return None
    import numpy as np
    a, b, c = (np.ones(n, dtype=np.float32) for _ in range(3))
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        lib.triad(a.ctypes.data, b.ctypes.data, c.ctypes.data, ctypes.c_float(3.0), n,
                  os.cpu_count())
        ts.append(time.perf_counter() - t0)
    return 12 * n / statistics.median(ts) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker")
    ap.add_argument("--n", type=int, default=10**8)
    ap.add_argument("--json")
    ap.add_argument("--only", default="", help="the cases whose name has this substring")
    ap.add_argument("--impls", default="mlxc,mlx", help="e.g. mlxc: ours alone (A/B of builds)")
    args = ap.parse_args()
    if args.worker:
        import mlx.core as mx
        return common.serve(prepare, f"{args.worker} {getattr(mx, '__version__', '')}")
    workers = common.start_workers(__file__, impls=tuple(args.impls.split(",")))
    rows = {}
    triads = []
    try:
        cases = [("chain", args.n), ("elementwise", 10**7), ("rotate", 10**7), ("x*2+y", args.n),
                 ("sum(x*y)", args.n), ("bias + relu", 0), ("softmax(x + mask)", 0)]
        cases = [c for c in cases if args.only in c[0]]
        for name, n in [(f"{c}, {how}", n) for c, n in cases for how in ("eager", "compiled")]:
            if name.startswith("chain"):
                triads.append(triad_gbs(args.n // 4 * 3))
            rows[name] = common.measure(workers, {"name": name, "n": n}, samples=3, budget=2)
            triads.append(triad_gbs(args.n // 4 * 3) if name.startswith("chain") else None)
    finally:
        for w in workers:
            w.close()
    triad = statistics.median([t for t in triads if t]) if any(triads) else None
    # compile time, fresh processes
    times = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, MLXC_KERNEL_CACHE=cache)
        compile_time(common.OURS_PYTHON, env, None)  # fills the disk cache
        times["mlxc, disk cache warm"] = statistics.median(
            compile_time(common.OURS_PYTHON, env, None) for _ in range(5))
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, MLXC_KERNEL_CACHE=cache)
        times["mlxc, cold"] = compile_time(common.OURS_PYTHON, env, None)
    if os.path.exists(common.MLXREF_PYTHON):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        times["MLX"] = statistics.median(compile_time(common.MLXREF_PYTHON, env, "/")
                                         for _ in range(3))
    cost = ew_math_cost()
    print(f"machine: {common.machine()}")
    if cost:
        print(f"erf {cost['erf']:.2f} ns, exp {cost['exp']:.2f} ns per element per core "
              f"(bench/ew_math_cost.c)")
    print(f"triad (median of the runs around the chain rows): "
          f"{triad:.1f} GB/s" if triad else "triad: not built (TRIAD_LIB)")
    print("| case | mlxc ms | mlxc GB/s | of triad | MLX ms | MLX GB/s | MLX/mlxc |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        ours, ref = r.get("mlxc"), r.get("mlx")
        gbs = ours["bytes"] / ours["t"] / 1e9 if ours else None
        rgbs = ref["bytes"] / ref["t"] / 1e9 if ref else None
        share = f"{gbs / triad:.0%}" if gbs and triad else "-"
        print(f"| {name} | {common.fmt_ms(ours and ours['t'])} | {gbs:.1f} | {share} | "
              f"{common.fmt_ms(ref and ref['t'])} | {rgbs and f'{rgbs:.1f}' or '-'} | "
              f"{common.fmt_ratio(ref and ref['t'], ours and ours['t'])} |")
    print("\n| first call of a compiled 100-op function | ms |\n|---|---|")
    for k, v in times.items():
        print(f"| {k} | {v * 1e3:.0f} |")
    if args.json:
        common.write_json(args.json, {"machine": common.machine(), "triad_gbs": triad,
                                      "rows": rows, "compile_time": times, "ew_math_ns": cost})


if __name__ == "__main__":
    main()
