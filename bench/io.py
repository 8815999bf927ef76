"""Array files: save and load of one large float32 array as .npy and .safetensors -- our mlx,
the real MLX and numpy (npy only), interleaved.

    MLXREF_PYTHON=/tmp/mlxref/bin/python python bench/io.py [--mib 1024] [--json out.json]

Each implementation writes its own file under $TMPDIR (so every load reads a file the same
implementation wrote, from the page cache after the first round: this times the library, not
the disk). A load is timed until the data is in memory (mx.eval of the result; numpy's np.load
is eager). GB/s = file bytes / median time. Needs about 3x the array size of free memory per
implementation.
"""
import argparse
import os
import tempfile

from common import close_workers, fmt_ms, measure, save_rows, serve, start_workers

CASES = [("npy", "save"), ("npy", "load"), ("safetensors", "save"), ("safetensors", "load")]


def worker(impl):
    folder = os.path.join(tempfile.gettempdir(), f"mlxc_bench_io_{os.getpid()}")
    os.makedirs(folder, exist_ok=True)
    if impl == "numpy":
        import numpy as np

        def prepare(c):
            if c["fmt"] != "npy":
                raise RuntimeError("numpy has no safetensors writer")
            a = np.arange(c["n"], dtype=np.float32)
            path = os.path.join(folder, "a.npy")
            if c["op"] == "save":
                return (lambda: np.save(path, a)), {}
            np.save(path, a)
            return (lambda: np.load(path)), {}

        serve(prepare, f"numpy {np.__version__}")
        return

    import mlx.core as mx

    mx.set_default_device(mx.cpu)

    def prepare(c):
        a = mx.arange(c["n"], dtype=mx.float32)
        mx.eval(a)
        path = os.path.join(folder, "a." + c["fmt"])
        if c["fmt"] == "npy":
            save = lambda: mx.save(path, a)  # noqa: E731
            load = lambda: mx.eval(mx.load(path))  # noqa: E731
        else:
            save = lambda: mx.save_safetensors(path, {"a": a})  # noqa: E731
            load = lambda: mx.eval(mx.load(path)["a"])  # noqa: E731
        if c["op"] == "save":
            return save, {}
        save()
        return load, {}

    try:
        serve(prepare, f"{'mlxc' if impl == 'mlxc' else 'mlx'} {mx.__version__}")
    finally:
        for f in os.listdir(folder):
            os.remove(os.path.join(folder, f))
        os.rmdir(folder)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", choices=["mlxc", "mlx", "numpy"])
    ap.add_argument("--mib", type=int, default=1024, help="array size in MiB (default 1 GiB)")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return
    workers = start_workers(__file__)
    impls = [w.impl for w in workers]
    versions = {w.impl: w.version for w in workers}
    nbytes = args.mib << 20
    print(f"files of {args.mib} MiB (float32): median ms and GB/s; " + ", ".join(versions.values()))
    print(f"{'format':<13}{'op':>6}" + "".join(f"{i + ' ms':>12}{'GB/s':>7}" for i in impls))
    rows = []
    try:
        for fmt, op in CASES:
            case = {"fmt": fmt, "op": op, "n": nbytes // 4}
            res = measure(workers, case, samples=3, budget=3.0, max_samples=5)
            t = {i: r["t"] for i, r in res.items()}
            rows.append({**case, "bytes": nbytes, "t": t})
            print(f"{fmt:<13}{op:>6}" + "".join(
                f"{fmt_ms(t.get(i)):>12}{(nbytes / t[i] / 1e9 if i in t else 0):>7.2f}"
                for i in impls), flush=True)
    finally:
        close_workers(workers)
    save_rows(args.json, versions, rows)


if __name__ == "__main__":
    main()
