"""mx.fft on the CPU: our mlx, the real MLX and numpy (pocketfft, float64 inside), interleaved.

    python bench/fft.py [--quick] [--only fft2:512x512,fft:59049] [--json out.json]

Rows: complex64 fft / ifft of one line of 2^10 .. 2^20 values and of batched rows (the last
axis), float32 rfft / irfft of the same sizes, fft2 / rfft2 of 512x512 and 1024x1024 (the
first axis a strided one), and odd lengths: powers of 3 and 5 (mixed radix) and primes
(Bluestein). Time: median ms of the eval of one transform (input evaluated beforehand).
(MLXREF_PYTHON: the real MLX's interpreter, /tmp/mlxref/bin/python when it exists.)
"""
import argparse
import os

if "MLXREF_PYTHON" not in os.environ and os.path.exists("/tmp/mlxref/bin/python"):
    os.environ["MLXREF_PYTHON"] = "/tmp/mlxref/bin/python"

from common import (close_workers, fmt_ms, fmt_ratio, measure, save_rows, serve,  # noqa
                    start_workers)

# (op, shape): complex input for fft / ifft / fft2 / irfft, float32 for rfft / rfft2; irfft's
# shape is the output's (its input holds n / 2 + 1 values along the last axis)
CASES = [("fft", (1 << k,)) for k in (10, 12, 14, 16, 18, 20)]
CASES += [("ifft", (1 << k,)) for k in (10, 16, 20)]
CASES += [("fft", (256, 1024)), ("fft", (64, 16384)), ("ifft", (256, 1024))]
CASES += [("rfft", (1 << k,)) for k in (10, 14, 16, 20)]
CASES += [("irfft", (1 << k,)) for k in (10, 16, 20)]
CASES += [("rfft", (256, 1024)), ("irfft", (256, 1024))]
CASES += [(op, (n, n)) for op in ("fft2", "rfft2") for n in (512, 1024)]
CASES += [("fft", (n,)) for n in (2187, 59049, 15625, 390625, 1031, 65537, 1000003)]
CASES += [("rfft", (n,)) for n in (59049, 65537)]
QUICK = {("fft", (1 << 10,)), ("fft", (1 << 20,)), ("fft", (256, 1024)), ("rfft", (1 << 20,)),
         ("fft2", (1024, 1024)), ("rfft2", (1024, 1024)), ("fft", (65537,))}


def make_input(np, op, shape):
    rng = np.random.default_rng(0)
    if op in ("rfft", "rfft2"):
        return rng.standard_normal(shape).astype(np.float32)
    if op == "irfft":
        shape = shape[:-1] + (shape[-1] // 2 + 1,)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


def worker(impl):
    import numpy as np

    if impl == "numpy":
        def prepare(c):
            x = make_input(np, c["op"], tuple(c["shape"]))
            f = getattr(np.fft, c["op"])
            if c["op"] == "irfft":
                return (lambda: f(x, n=c["shape"][-1])), {}
            return (lambda: f(x)), {}

        serve(prepare, f"numpy {np.__version__}")
        return

    import mlx.core as mx

    mx.set_default_device(mx.cpu)

    def prepare(c):
        x = mx.array(make_input(np, c["op"], tuple(c["shape"])))
        mx.eval(x)
        f = getattr(mx.fft, c["op"])
        if c["op"] == "irfft":
            return (lambda: mx.eval(f(x, n=c["shape"][-1]))), {}
        return (lambda: mx.eval(f(x))), {}

    serve(prepare, f"{'mlxc' if impl == 'mlxc' else 'mlx'} {mx.__version__}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", choices=["mlxc", "mlx", "numpy"])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default="")
    ap.add_argument("--only", default="", help="comma-separated rows to run, e.g. fft2:512x512")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return
    workers = start_workers(__file__)
    impls = [w.impl for w in workers]
    versions = {w.impl: w.version for w in workers}
    print("fft: median ms; " + ", ".join(versions.values()))
    print(f"{'op':<7}{'shape':>14}" + "".join(f"{i + ' ms':>12}" for i in impls)
          + f"{'mlx/mlxc':>10}{'numpy/mlxc':>12}")
    rows = []
    try:
        for op, shape in CASES:
            label = "x".join(map(str, shape))
            if args.quick and (op, shape) not in QUICK:
                continue
            if args.only and f"{op}:{label}" not in args.only.split(","):
                continue
            case = {"op": op, "shape": list(shape)}
            res = measure(workers, case, samples=5, budget=0.5)
            t = {i: r["t"] for i, r in res.items()}
            rows.append({**case, "t": t})
            print(f"{op:<7}{label:>14}" + "".join(f"{fmt_ms(t.get(i)):>12}" for i in impls)
                  + f"{fmt_ratio(t.get('mlx'), t.get('mlxc')):>10}"
                  + f"{fmt_ratio(t.get('numpy'), t.get('mlxc')):>12}", flush=True)
    finally:
        close_workers(workers)
    save_rows(args.json, versions, rows)


if __name__ == "__main__":
    main()
