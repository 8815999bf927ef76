"""Op benchmarks against the real MLX and numpy (elementwise part).

    python bench/ops.py [--sizes 1e6,1e7] [--ops "exp;log;..."] [--repeats N] [--ref PYTHON]

Times each op on float32 arrays of each size with the mlx.core on the path (ours), with numpy,
and with the real MLX, which runs this same script as a subprocess (`--child`) under its own
Python (--ref, default $MLX_REF_PYTHON or /tmp/mlxref/bin/python). Prints medians (ms) and the
ratios real MLX / ours and numpy / ours (> 1: ours is faster). MLX timings include building and
evaluating the graph of one op (inputs evaluated beforehand). Shared machines: absolute times
vary, ratios within one run hold.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# name -> (mlx expression, numpy expression or None); x, y: random normal, p: positive,
# u: in (-1, 1), i/j: int32, m: bool mask, xt: x transposed (2-D), row: one row of x
ELEMENTWISE = {
    "abs": ("mx.abs(x)", "np.abs(x)"),
    "negative": ("mx.negative(x)", "np.negative(x)"),
    "square": ("mx.square(x)", "np.square(x)"),
    "sqrt": ("mx.sqrt(p)", "np.sqrt(p)"),
    "rsqrt": ("mx.rsqrt(p)", "1.0 / np.sqrt(p)"),
    "exp": ("mx.exp(x)", "np.exp(x)"),
    "expm1": ("mx.expm1(x)", "np.expm1(x)"),
    "log": ("mx.log(p)", "np.log(p)"),
    "log2": ("mx.log2(p)", "np.log2(p)"),
    "log1p": ("mx.log1p(p)", "np.log1p(p)"),
    "sin": ("mx.sin(x)", "np.sin(x)"),
    "cos": ("mx.cos(x)", "np.cos(x)"),
    "tan": ("mx.tan(x)", "np.tan(x)"),
    "tanh": ("mx.tanh(x)", "np.tanh(x)"),
    "sinh": ("mx.sinh(x)", "np.sinh(x)"),
    "arctan": ("mx.arctan(x)", "np.arctan(x)"),
    "arcsin": ("mx.arcsin(u)", "np.arcsin(u)"),
    "arcsinh": ("mx.arcsinh(x)", "np.arcsinh(x)"),
    "sigmoid": ("mx.sigmoid(x)", "1.0 / (1.0 + np.exp(-x))"),
    "erf": ("mx.erf(x)", None),
    "erfinv": ("mx.erfinv(u)", None),
    "floor": ("mx.floor(x)", "np.floor(x)"),
    "round": ("mx.round(x)", "np.round(x)"),
    "sign": ("mx.sign(x)", "np.sign(x)"),
    "isnan": ("mx.isnan(x)", "np.isnan(x)"),
    "logical_not": ("mx.logical_not(m)", "np.logical_not(m)"),
    "add": ("x + y", "x + y"),
    "multiply": ("x * y", "x * y"),
    "maximum": ("mx.maximum(x, y)", "np.maximum(x, y)"),
    "minimum": ("mx.minimum(x, y)", "np.minimum(x, y)"),
    "power": ("mx.power(p, y)", "np.power(p, y)"),
    "square (x**2)": ("x ** 2", "x ** 2"),
    "remainder": ("mx.remainder(x, y)", "np.remainder(x, y)"),
    "floor_divide": ("mx.floor_divide(x, y)", "np.floor_divide(x, y)"),
    "arctan2": ("mx.arctan2(x, y)", "np.arctan2(x, y)"),
    "logaddexp": ("mx.logaddexp(x, y)", "np.logaddexp(x, y)"),
    "equal": ("mx.equal(x, y)", "np.equal(x, y)"),
    "less": ("mx.less(x, y)", "np.less(x, y)"),
    "greater (scalar)": ("x > 0.5", "x > 0.5"),
    "where": ("mx.where(m, x, y)", "np.where(m, x, y)"),
    "where (scalar)": ("mx.where(m, x, 0.0)", "np.where(m, x, np.float32(0.0))"),
    "clip": ("mx.clip(x, -1.0, 1.0)", "np.clip(x, -1.0, 1.0)"),
    "int32 add": ("i + j", "i + j"),
    "int32 floor_divide": ("i // j", "i // j"),
    "int32 left_shift": ("i << 3", "i << 3"),
    "exp (transposed)": ("mx.exp(xt)", "np.exp(xt)"),
    "add (row broadcast)": ("x2 + row", "x2 + row"),
    "maximum (x, x.T)": ("mx.maximum(x2, xt)", "np.maximum(x2, xt)"),
}


def median_ms(fn, repeats):
    fn()  # warm up (allocator caches, thread pool, page faults)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def inputs(np, n):
    rng = np.random.default_rng(0)
    side = int(round(n ** 0.5))
    d = {
        "x": rng.standard_normal(n).astype(np.float32),
        "y": (rng.standard_normal(n) + 0.1).astype(np.float32),
        "p": (rng.random(n) * 10 + 1e-3).astype(np.float32),
        "u": (rng.random(n) * 1.98 - 0.99).astype(np.float32),
        "m": rng.random(n) < 0.5,
        "i": rng.integers(-1000, 1000, n).astype(np.int32),
        "j": rng.integers(1, 50, n).astype(np.int32),
        "x2": rng.standard_normal((side, side)).astype(np.float32),
        "row": rng.standard_normal((1, side)).astype(np.float32),
    }
    return d


def run_child(impl, sizes, ops, repeats):
    import numpy as np

    results = {}
    if impl == "numpy":
        for n in sizes:
            env = inputs(np, n)
            env["xt"] = env["x2"].T
            env["np"] = np
            for name in ops:
                expr = ELEMENTWISE[name][1]
                if expr is None:
                    continue
                code = compile(expr, name, "eval")
                results[f"{name}|{n}"] = median_ms(lambda: eval(code, env), repeats(n))
        return results
    import mlx.core as mx

    mx.set_default_device(mx.cpu)
    for n in sizes:
        env = {k: mx.array(v) for k, v in inputs(np, n).items()}
        env["xt"] = env["x2"].T
        mx.eval(list(env.values()))
        env["mx"] = mx
        for name in ops:
            code = compile(ELEMENTWISE[name][0], name, "eval")
            results[f"{name}|{n}"] = median_ms(lambda: mx.eval(eval(code, env)), repeats(n))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1e6,1e7")
    ap.add_argument("--ops", default="", help="op names separated by ';'")
    ap.add_argument("--repeats", type=int, default=0, help="0: 15 for 1e6, 5 for 1e7")
    ap.add_argument("--ref", default=os.environ.get("MLX_REF_PYTHON", "/tmp/mlxref/bin/python"))
    ap.add_argument("--child", choices=["mlx", "numpy"])
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    ops = [o for o in args.ops.split(";") if o] or list(ELEMENTWISE)
    for o in ops:
        if o not in ELEMENTWISE:
            sys.exit(f"unknown op {o!r}; known: {', '.join(ELEMENTWISE)}")

    def repeats(n):
        return args.repeats or (15 if n <= 2_000_000 else 5)

    if args.child:
        print(json.dumps(run_child(args.child, sizes, ops, repeats)))
        return

    ours = run_child("mlx", sizes, ops, repeats)
    numpy_res = run_child("numpy", sizes, ops, repeats)
    ref = {}
    if os.path.exists(args.ref):
        cmd = [args.ref, os.path.abspath(__file__), "--child", "mlx", "--sizes", args.sizes,
               "--ops", ";".join(ops), "--repeats", str(args.repeats)]
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)  # the real MLX must not pick up our package
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if out.returncode == 0:
            ref = json.loads(out.stdout.strip().splitlines()[-1])
        else:
            print(f"real MLX run failed:\n{out.stderr}", file=sys.stderr)
    else:
        print(f"no real MLX at {args.ref}; pass --ref", file=sys.stderr)

    def fmt(v):
        return f"{v:9.3f}" if v is not None else "        -"

    def ratio(a, b):
        return f"{a / b:7.2f}x" if a is not None and b else "      -"

    print(f"float32 elementwise ops, median ms (ratios: other / ours, > 1 = ours faster)")
    print(f"{'op':<22}{'n':>10}{'ours':>10}{'mlx':>10}{'numpy':>10}{'mlx/ours':>10}{'np/ours':>10}")
    for n in sizes:
        for name in ops:
            k = f"{name}|{n}"
            o, r, p = ours.get(k), ref.get(k), numpy_res.get(k)
            print(f"{name:<22}{n:>10}{fmt(o):>10}{fmt(r):>10}{fmt(p):>10}{ratio(r, o):>10}"
                  f"{ratio(p, o):>10}")


if __name__ == "__main__":
    main()
