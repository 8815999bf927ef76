"""Op benchmarks: our mlx, the real MLX (CPU) and numpy side by side, interleaved.

    python bench/ops.py [--quick] [--families elementwise,reduce,...] [--sizes 1e6,1e7]
                        [--bw-size 1e8] [--only SUBSTRING] [--samples N] [--json out.json]

Families: every elementwise op (float32 unless named, at --sizes), the bandwidth rows (the
float32 elementwise ops at --bw-size, past the caches, with the bytes each moves; the reference
is the STREAM-style triad of triad.c timed in the same rounds), reductions, scans, sorting,
indexing (take, gather, scatter), creation, shape ops and random. Each implementation runs in
its own worker process (common.py): our mlx from this interpreter's path (PYTHONPATH), the real
MLX from $MLXREF_PYTHON (default .venv-mlxref), numpy, and the triad ($TRIAD_LIB, built by
scripts/bench.sh). MLX timings are build + eval of the op's graph with the inputs evaluated
beforehand; numpy runs the same expression eagerly. Medians; ratios > 1 mean ours is faster.
"""
import argparse
import gc
import os

from common import (close_workers, fmt_ms, fmt_ratio, load_triad, measure, save_rows, serve,
                    start_workers)

# name -> (mlx expression, numpy expression or None). Inputs (see INPUTS): x, y random normal,
# p positive, q >= 1, u in (-1, 1), m, m2 bool masks, i/j int32 (j > 0), x2 a square matrix, xt
# its transpose, row one row of x2's width.
ELEMENTWISE = {
    "abs": ("mx.abs(x)", "np.abs(x)"),
    "negative": ("mx.negative(x)", "np.negative(x)"),
    "square": ("mx.square(x)", "np.square(x)"),
    "sqrt": ("mx.sqrt(p)", "np.sqrt(p)"),
    "rsqrt": ("mx.rsqrt(p)", "1.0 / np.sqrt(p)"),
    "reciprocal": ("mx.reciprocal(p)", "np.reciprocal(p)"),
    "exp": ("mx.exp(x)", "np.exp(x)"),
    "expm1": ("mx.expm1(x)", "np.expm1(x)"),
    "log": ("mx.log(p)", "np.log(p)"),
    "log2": ("mx.log2(p)", "np.log2(p)"),
    "log10": ("mx.log10(p)", "np.log10(p)"),
    "log1p": ("mx.log1p(p)", "np.log1p(p)"),
    "sin": ("mx.sin(x)", "np.sin(x)"),
    "cos": ("mx.cos(x)", "np.cos(x)"),
    "tan": ("mx.tan(x)", "np.tan(x)"),
    "tanh": ("mx.tanh(x)", "np.tanh(x)"),
    "sinh": ("mx.sinh(x)", "np.sinh(x)"),
    "cosh": ("mx.cosh(x)", "np.cosh(x)"),
    "arctan": ("mx.arctan(x)", "np.arctan(x)"),
    "arcsin": ("mx.arcsin(u)", "np.arcsin(u)"),
    "arccos": ("mx.arccos(u)", "np.arccos(u)"),
    "arcsinh": ("mx.arcsinh(x)", "np.arcsinh(x)"),
    "arccosh": ("mx.arccosh(q)", "np.arccosh(q)"),
    "arctanh": ("mx.arctanh(u)", "np.arctanh(u)"),
    "sigmoid": ("mx.sigmoid(x)", "1.0 / (1.0 + np.exp(-x))"),
    "erf": ("mx.erf(x)", None),
    "erfinv": ("mx.erfinv(u)", None),
    "floor": ("mx.floor(x)", "np.floor(x)"),
    "ceil": ("mx.ceil(x)", "np.ceil(x)"),
    "round": ("mx.round(x)", "np.round(x)"),
    "sign": ("mx.sign(x)", "np.sign(x)"),
    "isnan": ("mx.isnan(x)", "np.isnan(x)"),
    "isinf": ("mx.isinf(x)", "np.isinf(x)"),
    "nan_to_num": ("mx.nan_to_num(x)", "np.nan_to_num(x)"),
    "logical_not": ("mx.logical_not(m)", "np.logical_not(m)"),
    "astype f16": ("x.astype(mx.float16)", "x.astype(np.float16)"),
    "add": ("x + y", "x + y"),
    "subtract": ("x - y", "x - y"),
    "multiply": ("x * y", "x * y"),
    "divide": ("x / y", "x / y"),
    "maximum": ("mx.maximum(x, y)", "np.maximum(x, y)"),
    "minimum": ("mx.minimum(x, y)", "np.minimum(x, y)"),
    "power": ("mx.power(p, y)", "np.power(p, y)"),
    "square (x**2)": ("x ** 2", "x ** 2"),
    "remainder": ("mx.remainder(x, y)", "np.remainder(x, y)"),
    "floor_divide": ("mx.floor_divide(x, y)", "np.floor_divide(x, y)"),
    "arctan2": ("mx.arctan2(x, y)", "np.arctan2(x, y)"),
    "logaddexp": ("mx.logaddexp(x, y)", "np.logaddexp(x, y)"),
    "equal": ("mx.equal(x, y)", "np.equal(x, y)"),
    "not_equal": ("mx.not_equal(x, y)", "np.not_equal(x, y)"),
    "less": ("mx.less(x, y)", "np.less(x, y)"),
    "greater_equal": ("mx.greater_equal(x, y)", "np.greater_equal(x, y)"),
    "greater (scalar)": ("x > 0.5", "x > 0.5"),
    "logical_and": ("mx.logical_and(m, m2)", "np.logical_and(m, m2)"),
    "where": ("mx.where(m, x, y)", "np.where(m, x, y)"),
    "where (scalar)": ("mx.where(m, x, 0.0)", "np.where(m, x, np.float32(0.0))"),
    "clip": ("mx.clip(x, -1.0, 1.0)", "np.clip(x, -1.0, 1.0)"),
    "add (scalar)": ("x + 1.0", "x + np.float32(1.0)"),
    "exp (transposed)": ("mx.exp(xt)", "np.exp(xt)"),
    "add (row broadcast)": ("x2 + row", "x2 + row"),
    "maximum (x, x.T)": ("mx.maximum(x2, xt)", "np.maximum(x2, xt)"),
    "int32 add": ("i + j", "i + j"),
    "int32 multiply": ("i * j", "i * j"),
    "int32 floor_divide": ("i // j", "i // j"),
    "int32 remainder": ("i % j", "i % j"),
    "int32 left_shift": ("i << 3", "i << 3"),
    "int32 bitwise_and": ("i & j", "i & j"),
}
# the int32 rows are left out of the bandwidth table (its target is about float32)
NOT_BANDWIDTH = {k for k in ELEMENTWISE if k.startswith("int32")}

N7 = 10**7
# (family, name, n, mlx expression, numpy expression or None). Matrices: mat is 1000 x n/1000,
# matt its transpose; idx: n random indices into x; idxr: indices into mat's rows.
OTHER = [
    ("reduce", "sum", N7, "mx.sum(x)", "x.sum()"),
    ("reduce", "max", N7, "mx.max(x)", "x.max()"),
    ("reduce", "mean", N7, "mx.mean(x)", "x.mean()"),
    ("reduce", "var", N7, "mx.var(x)", "x.var()"),
    ("reduce", "prod", N7, "mx.prod(u)", "u.prod()"),
    ("reduce", "all (bool)", N7, "mx.all(m)", "m.all()"),
    ("reduce", "sum rows 1000x10^4", N7, "mx.sum(mat, axis=1)", "mat.sum(axis=1)"),
    ("reduce", "sum axis0 1000x10^4", N7, "mx.sum(mat, axis=0)", "mat.sum(axis=0)"),
    ("reduce", "argmax", N7, "mx.argmax(x)", "x.argmax()"),
    ("reduce", "argmax rows 1000x10^4", N7, "mx.argmax(mat, axis=1)", "mat.argmax(axis=1)"),
    ("reduce", "logsumexp", N7, "mx.logsumexp(x)", "LSE(x)"),
    ("reduce", "softmax rows 1000x10^4", N7, "mx.softmax(mat, axis=-1)", "SOFTMAX(mat, -1)"),
    ("reduce", "softmax axis0 1000x10^4", N7, "mx.softmax(mat, axis=0)", "SOFTMAX(mat, 0)"),
    ("scan", "cumsum", N7, "mx.cumsum(x)", "np.cumsum(x)"),
    ("scan", "cumsum int32", N7, "mx.cumsum(xi)", "np.cumsum(xi, dtype=np.int32)"),
    ("scan", "cumsum rows 1000x10^4", N7, "mx.cumsum(mat, axis=1)", "np.cumsum(mat, axis=1)"),
    ("scan", "cumsum axis0 1000x10^4", N7, "mx.cumsum(mat, axis=0)", "np.cumsum(mat, axis=0)"),
    ("scan", "cumsum transposed", N7, "mx.cumsum(matt, axis=0)", "np.cumsum(matt, axis=0)"),
    ("scan", "cummax", N7, "mx.cummax(x)", "np.maximum.accumulate(x)"),
    ("scan", "cumprod", N7, "mx.cumprod(x)", "np.cumprod(x)"),
    ("scan", "logcumsumexp", N7, "mx.logcumsumexp(x)", "np.logaddexp.accumulate(x)"),
    ("sort", "sort", N7, "mx.sort(x)", "np.sort(x)"),
    ("sort", "argsort", N7, "mx.argsort(x)", "np.argsort(x, kind='stable')"),
    ("sort", "sort int32", N7, "mx.sort(xi)", "np.sort(xi)"),
    ("sort", "sort float16", N7, "mx.sort(xh)", "np.sort(xh)"),
    ("sort", "sort rows 1000x10^4", N7, "mx.sort(mat, axis=1)", "np.sort(mat, axis=1)"),
    ("sort", "sort axis0 1000x10^4", N7, "mx.sort(mat, axis=0)", "np.sort(mat, axis=0)"),
    ("sort", "partition", N7, "mx.partition(x, n // 2)", "np.partition(x, n // 2)"),
    ("sort", "topk 10", N7, "mx.topk(x, 10)", "np.partition(x, n - 10)[n - 10:]"),
    ("sort", "median", N7, "mx.median(x)", "np.median(x)"),
    ("indexing", "take", N7, "mx.take(x, idx)", "np.take(x, idx)"),
    ("indexing", "take (sorted indices)", N7, "mx.take(x, idxs)", "np.take(x, idxs)"),
    ("indexing", "gather x[idx]", N7, "x[idx]", "x[idx]"),
    ("indexing", "take rows 1000x10^4", N7, "mx.take(mat, idxr, axis=0)",
     "np.take(mat, idxr, axis=0)"),
    ("indexing", "take_along_axis rows", N7, "mx.take_along_axis(mat, idxa, axis=1)",
     "np.take_along_axis(mat, idxa, axis=1)"),
    ("indexing", "scatter add x.at[idx].add", 10**6, "x.at[idx].add(y)", "SCATTER_ADD(x, idx, y)"),
    ("indexing", "put_along_axis rows", N7, "mx.put_along_axis(mat, idxa, mat, axis=1)",
     "PUT_ALONG(mat, idxa, mat, 1)"),
    ("indexing", "slice x[1::2] (copy)", N7, "mx.contiguous(x[1::2])",
     "np.ascontiguousarray(x[1::2])"),
    ("creation", "zeros", N7, "mx.zeros((n,))", "np.zeros(n, np.float32)"),
    ("creation", "full", N7, "mx.full((n,), 2.5)", "np.full(n, 2.5, np.float32)"),
    ("creation", "arange", N7, "mx.arange(n, dtype=mx.float32)", "np.arange(n, dtype=np.float32)"),
    ("creation", "linspace", N7, "mx.linspace(0, 1, n)", "np.linspace(0, 1, n, dtype=np.float32)"),
    ("creation", "eye 3162", N7, "mx.eye(3162)", "np.eye(3162, dtype=np.float32)"),
    ("creation", "tril 3162", N7, "mx.tril(x2)", "np.tril(x2)"),
    ("creation", "array from numpy", N7, "mx.array(xn)", "np.array(xn)"),
    ("shape", "reshape (view)", N7, "x.reshape(1000, -1)", "x.reshape(1000, -1)"),
    ("shape", "transpose (copy)", N7, "mx.contiguous(mat.T)", "np.ascontiguousarray(mat.T)"),
    ("shape", "swapaxes 3-D (copy)", N7, "mx.contiguous(mx.swapaxes(x3, 0, 1))",
     "np.ascontiguousarray(np.swapaxes(x3, 0, 1))"),
    ("shape", "concatenate", N7, "mx.concatenate([x, y])", "np.concatenate([x, y])"),
    ("shape", "stack", N7, "mx.stack([x, y])", "np.stack([x, y])"),
    ("shape", "split in 10", N7, "mx.split(x, 10)", "np.split(x, 10)"),
    ("shape", "pad", N7, "mx.pad(mat, 4)", "np.pad(mat, 4)"),
    ("shape", "tile 2x2", N7, "mx.tile(mat, (2, 2))", "np.tile(mat, (2, 2))"),
    ("shape", "repeat 2", N7, "mx.repeat(mat, 2, axis=1)", "np.repeat(mat, 2, axis=1)"),
    ("shape", "broadcast_to (copy)", N7, "mx.contiguous(mx.broadcast_to(row1, (1000, n // 1000)))",
     "np.ascontiguousarray(np.broadcast_to(row1, (1000, n // 1000)))"),
    ("shape", "flip (copy)", N7, "mx.contiguous(x[::-1])", "np.ascontiguousarray(x[::-1])"),
    ("random", "uniform", N7, "mx.random.uniform(shape=(n,), key=key)",
     "rng.random(n, dtype=np.float32)"),
    ("random", "normal", N7, "mx.random.normal(shape=(n,), key=key)",
     "rng.standard_normal(n, dtype=np.float32)"),
    ("random", "randint", N7, "mx.random.randint(0, 1000, shape=(n,), key=key)",
     "rng.integers(0, 1000, n, dtype=np.int32)"),
    ("random", "bernoulli", N7, "mx.random.bernoulli(0.3, shape=(n,), key=key)",
     "rng.random(n, dtype=np.float32) < 0.3"),
    ("random", "truncated_normal", 10**6,
     "mx.random.truncated_normal(-1.0, 1.0, shape=(n,), key=key)", None),
    ("random", "permutation", 10**6, "mx.random.permutation(n, key=key)", "rng.permutation(n)"),
    ("random", "categorical 1000x1000", 10**6, "mx.random.categorical(x2, key=key)", None),
]

# in the bandwidth rows, MLX and numpy skip an op whose time at the elementwise size below,
# scaled up, passes this (MLX's unvectorized single-threaded math takes seconds at 10^8)
SKIP_BW_SECONDS = 1.5


# ------------------------------------------------------------------ inputs (built in each worker)


def _side(n):
    return int(round(n ** 0.5))


def _seed(name):
    return sum(name.encode()) + 7


# name -> numpy array for size n (built with numpy in every worker, then converted)
INPUTS = {
    "x": lambda np, r, n: r.standard_normal(n, dtype=np.float32),
    "y": lambda np, r, n: r.standard_normal(n, dtype=np.float32) + np.float32(0.1),
    "p": lambda np, r, n: r.random(n, dtype=np.float32) * np.float32(10) + np.float32(1e-3),
    "q": lambda np, r, n: r.random(n, dtype=np.float32) * np.float32(10) + np.float32(1),
    "u": lambda np, r, n: r.random(n, dtype=np.float32) * np.float32(1.98) - np.float32(0.99),
    "m": lambda np, r, n: r.random(n, dtype=np.float32) < 0.5,
    "m2": lambda np, r, n: r.random(n, dtype=np.float32) < 0.5,
    "i": lambda np, r, n: r.integers(-1000, 1000, n, dtype=np.int32),
    "j": lambda np, r, n: r.integers(1, 50, n, dtype=np.int32),
    "x2": lambda np, r, n: r.standard_normal((_side(n), _side(n)), dtype=np.float32),
    "row": lambda np, r, n: r.standard_normal((1, _side(n)), dtype=np.float32),
    "xh": lambda np, r, n: r.standard_normal(n, dtype=np.float32).astype(np.float16),
    "xi": lambda np, r, n: r.integers(0, 1 << 30, n, dtype=np.int32),
    "idx": lambda np, r, n: r.integers(0, n, n, dtype=np.int32),
    "idxs": lambda np, r, n: np.sort(r.integers(0, n, n, dtype=np.int32)),
    "mat": lambda np, r, n: r.standard_normal((1000, n // 1000), dtype=np.float32),
    "idxr": lambda np, r, n: r.integers(0, 1000, 1000, dtype=np.int32),
    "idxa": lambda np, r, n: r.integers(0, n // 1000, (1000, n // 1000), dtype=np.int32),
    "x3": lambda np, r, n: r.standard_normal((100, 100, n // 10**4), dtype=np.float32),
    "row1": lambda np, r, n: r.standard_normal((1, n // 1000), dtype=np.float32),
}
# derived views: name -> (base input, how)
VIEWS = {"xt": ("x2", "T"), "matt": ("mat", "T")}


class Inputs:
    """The inputs of the current size, made on first use (converted by `conv`) and dropped when
    the size changes (the 10^8 ones take gigabytes)."""

    def __init__(self, np, conv, clear=lambda: None):
        self.np, self.conv, self.clear, self.n, self.have = np, conv, clear, None, {}

    def get(self, names, n):
        if n != self.n:
            self.have.clear()
            gc.collect()
            self.clear()
            self.n = n
        out = {}
        for name in names:
            if name in VIEWS:
                base, _ = VIEWS[name]
                out[name] = self._one(base, n).T
            elif name in INPUTS or name == "xn":
                out[name] = self._one(name, n)
        return out

    def _one(self, name, n):
        if name not in self.have:
            if name == "xn":  # a numpy array, the source of "array from numpy"
                self.have[name] = INPUTS["x"](self.np, self.np.random.default_rng(1), n)
            else:
                a = INPUTS[name](self.np, self.np.random.default_rng(_seed(name)), n)
                self.have[name] = self.conv(a)
        return self.have[name]


# ------------------------------------------------------------------ workers


def _np_helpers(np):
    def lse(a):
        mm = a.max()
        return np.log(np.exp(a - mm).sum()) + mm

    def softmax(a, axis):
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    def scatter_add(a, idx, v):
        c = a.copy()
        np.add.at(c, idx, v)
        return c

    def put_along(a, idx, v, axis):
        c = a.copy()
        np.put_along_axis(c, idx, v, axis)
        return c

    return {"LSE": lse, "SOFTMAX": softmax, "SCATTER_ADD": scatter_add, "PUT_ALONG": put_along}


def triad_worker():
    """The bandwidth reference, timed in the same rounds as each bandwidth row: the triad of
    triad.c over numpy arrays of the row's size (made once, written once beforehand)."""
    import numpy as np

    lib = load_triad()
    arrays = {}

    def prepare(case):
        if case["family"] != "bandwidth":
            raise RuntimeError("only for the bandwidth rows")
        if lib is None:
            raise RuntimeError("no triad library ($TRIAD_LIB)")
        n = case["n"]
        if n not in arrays:
            arrays.clear()
            rng = np.random.default_rng(0)
            arrays[n] = (np.zeros(n, np.float32), rng.standard_normal(n, dtype=np.float32),
                         rng.standard_normal(n, dtype=np.float32))
        a, b, c = arrays[n]
        threads = os.cpu_count()
        return (lambda: lib.triad(a.ctypes.data, b.ctypes.data, c.ctypes.data, 3.0, n, threads),
                {"bytes": 12 * n})

    serve(prepare, "triad (bench/triad.c)")


def worker(impl):
    import numpy as np

    if impl == "triad":
        triad_worker()
        return
    if impl == "numpy":
        inputs = Inputs(np, lambda a: a)
        helpers = _np_helpers(np)

        def prepare(case):
            if not case["numpy"]:
                raise RuntimeError("no numpy counterpart")
            code = compile(case["numpy"], case["name"], "eval")
            env = inputs.get(code.co_names, case["n"])
            env.update(helpers, np=np, n=case["n"], rng=np.random.default_rng(0))
            return (lambda: eval(code, env)), {}

        serve(prepare, f"numpy {np.__version__}")
        return

    import mlx.core as mx

    mx.set_default_device(mx.cpu)

    def convert(a):
        b = mx.array(a)
        mx.eval(b)
        return b

    inputs = Inputs(np, convert, mx.clear_cache)
    key = mx.random.key(0)
    label = "mlxc" if impl == "mlxc" else "mlx"

    def prepare(case):
        code = compile(case["mlx"], case["name"], "eval")
        env = inputs.get(code.co_names, case["n"])
        env.update(mx=mx, n=case["n"], key=key)
        # bytes moved by elementwise ops: the inputs read plus the output written (sizes only;
        # the graph built here is never evaluated)
        out = eval(code, env)
        moved = sum(v.nbytes for k, v in env.items() if isinstance(v, mx.array) and k != "key")
        moved += out.nbytes if isinstance(out, mx.array) else 0
        del out
        return (lambda: mx.eval(eval(code, env))), {"bytes": moved}

    serve(prepare, f"{label} {mx.__version__}")


# ------------------------------------------------------------------ driver


def case_list(args):
    fams = set(args.families.split(",")) if args.families else None
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    bw = int(float(args.bw_size)) if args.bw_size else 0
    cases = []

    def add(family, name, n, mlx_expr, np_expr):
        if fams and family not in fams:
            return
        if args.only and args.only not in name:
            return
        cases.append({"family": family, "name": name, "n": n, "mlx": mlx_expr, "numpy": np_expr})

    ew = list(ELEMENTWISE)
    if args.quick:
        ew = ["abs", "exp", "sin", "add", "multiply", "equal", "greater (scalar)", "where",
              "exp (transposed)", "int32 add"]
    for n in sizes:
        for name in ew:
            add("elementwise", name, n, *ELEMENTWISE[name])
    other = OTHER
    if args.quick:
        keep = {"sum", "cumsum", "sort", "argsort", "take", "zeros", "transpose (copy)", "uniform"}
        other = [c for c in OTHER if c[1] in keep]
    for fam, name, n, a, b in other:
        add(fam, name, n, a, b)
    if bw:
        for name in ew:
            if name not in NOT_BANDWIDTH:
                add("bandwidth", name, bw, *ELEMENTWISE[name])
    # by size, so that each worker builds each size's inputs once
    cases.sort(key=lambda c: c["n"])
    return cases


def print_row(case, res, impls, bytes_moved):
    t = {i: res.get(i, {}).get("t") for i in impls}
    cells = "".join(f"{fmt_ms(t[i]):>10}" for i in impls)
    extra = (f"{fmt_ratio(t.get('mlx'), t.get('mlxc')):>10}"
             f"{fmt_ratio(t.get('numpy'), t.get('mlxc')):>10}")
    if t.get("triad") and t.get("mlxc") and bytes_moved:
        gbs = bytes_moved / t["mlxc"] / 1e9
        tri = res["triad"]["bytes"] / t["triad"] / 1e9
        extra += f"  {gbs:.1f} GB/s = {100 * gbs / tri:.0f}% of triad ({tri:.1f})"
    name = f"{case['family']}: {case['name']}"
    print(f"{name:<44}{case['n']:>10.0e}{cells}{extra}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", choices=["mlxc", "mlx", "numpy", "triad"])
    ap.add_argument("--quick", action="store_true", help="a few ops of each family")
    ap.add_argument("--families", default="",
                    help="comma list of elementwise,bandwidth,reduce,scan,sort,indexing,creation,"
                         "shape,random")
    ap.add_argument("--sizes", default="1e6,1e7", help="elementwise sizes")
    ap.add_argument("--bw-size", default="1e8", help="bandwidth rows' size ('' to skip)")
    ap.add_argument("--only", default="", help="only cases whose name contains this")
    ap.add_argument("--samples", type=int, default=5, help="least timed runs per case")
    ap.add_argument("--json", default="", help="write the results here")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return

    cases = case_list(args)
    workers = start_workers(__file__, impls=("mlxc", "mlx", "numpy", "triad"))
    impls = [w.impl for w in workers]
    versions = {w.impl: w.version for w in workers}
    print("median ms; ratios: other / ours (> 1: ours faster); " +
          ", ".join(versions.values()))
    print(f"{'case':<44}{'n':>10}" + "".join(f"{i:>10}" for i in impls) + f"{'mlx/ours':>10}"
          f"{'np/ours':>10}")
    rows = []
    small = {}  # elementwise op -> its times at the largest size below the bandwidth rows'
    try:
        for case in cases:
            skip = ()
            if case["family"] == "elementwise":
                small[case["name"]] = case["n"], {}
            elif case["family"] == "bandwidth" and case["name"] in small:
                # the other implementations skip what would take them seconds per call
                n0, t0 = small[case["name"]]
                skip = [i for i, t in t0.items()
                        if i != "mlxc" and t * case["n"] / n0 > SKIP_BW_SECONDS]
            res = measure(workers, case, samples=args.samples, skip=skip)
            if case["family"] == "elementwise":
                small[case["name"]][1].update({i: r["t"] for i, r in res.items()})
            bytes_moved = next((r["bytes"] for i, r in res.items()
                                if i != "triad" and "bytes" in r), None)
            rows.append({**case, "bytes": bytes_moved,
                         "t": {i: r["t"] for i, r in res.items()},
                         "samples": {i: r["n"] for i, r in res.items()}})
            print_row(case, res, impls, bytes_moved)
    finally:
        close_workers(workers)
    save_rows(args.json, versions, rows)


if __name__ == "__main__":
    main()
