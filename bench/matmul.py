"""Matmul on the CPU: our mlx, the real MLX and OpenBLAS sgemm (numpy's matmul), interleaved.

    python bench/matmul.py [--quick] [--json out.json]

Rows: float32 (ours calls the system OpenBLAS's sgemm / sgemv, also timed directly through
ctypes as "openblas"; numpy brings its own, newer OpenBLAS), bfloat16 (ours: the packed
AVX-512 kernel, vdpbf16ps on AVX512_BF16 CPUs) and float16 products of square matrices, a
linear layer (x @ W.T, W row-major) and its matrix-vector case. numpy has no bfloat16 and no BLAS
for float16, so those rows compare with MLX only. GFLOP/s = 2*M*N*K / median time (of the eval
of one product, inputs evaluated beforehand). The real MLX's CPU matmul is slow (a few GFLOP/s
here): its slow rows take 3 samples (the warm-up counted) and it skips the largest (MLX_SKIP).
(MLXC_GEMM=generic|avx512 caps our kernels' instruction set, e.g. to see the fallbacks.)
"""
import argparse

from common import close_workers, fmt_ms, measure, save_rows, serve, start_workers

# (label, dtype, M, N, K, transpose_b)
SHAPES = [
    ("512^3", "float32", 512, 512, 512, False),
    ("1024^3", "float32", 1024, 1024, 1024, False),
    ("2048^3", "float32", 2048, 2048, 2048, False),
    ("x@W.T 256x4096x4096", "float32", 256, 4096, 4096, True),
    ("x@W.T 1x4096x4096", "float32", 1, 4096, 4096, True),
    ("1024^3", "bfloat16", 1024, 1024, 1024, False),
    ("2048^3", "bfloat16", 2048, 2048, 2048, False),
    ("x@W.T 256x4096x4096", "bfloat16", 256, 4096, 4096, True),
    ("x@W.T 1x4096x4096", "bfloat16", 1, 4096, 4096, True),
    ("2048^3", "float16", 2048, 2048, 2048, False),
]
QUICK = {("512^3", "float32"), ("2048^3", "float32"), ("2048^3", "bfloat16")}
# rows the real MLX skips: its CPU matmul runs at a few GFLOP/s here, these would take it tens
# of seconds per call
MLX_SKIP = {("x@W.T 256x4096x4096", "float32"), ("x@W.T 256x4096x4096", "bfloat16"),
            ("x@W.T 1x4096x4096", "float32"), ("x@W.T 1x4096x4096", "bfloat16"),
            ("2048^3", "float16")}


def openblas_worker():
    """sgemm of the system OpenBLAS (the library our float32 matmul calls), through ctypes on
    numpy arrays: tells the library's speed from our wrapper's."""
    import ctypes
    import ctypes.util

    import numpy as np

    path = ctypes.util.find_library("openblas") or "libopenblas.so.0"
    lib = ctypes.CDLL(path)
    i, f, p = ctypes.c_int, ctypes.c_float, ctypes.c_void_p
    lib.cblas_sgemm.argtypes = [i, i, i, i, i, i, f, p, i, p, i, f, p, i]
    lib.cblas_sgemm.restype = None
    version = "?"
    if hasattr(lib, "openblas_get_config"):
        lib.openblas_get_config.restype = ctypes.c_char_p
        version = lib.openblas_get_config().decode().split()[1]

    def prepare(c):
        if c["dtype"] != "float32":
            raise RuntimeError("sgemm only")
        m, n, k = c["M"], c["N"], c["K"]
        a = np.full((m, k), 0.5, np.float32)
        b = np.full((n, k) if c["tb"] else (k, n), 0.25, np.float32)
        out = np.empty((m, n), np.float32)
        tb, ldb = (112, k) if c["tb"] else (111, n)  # CblasTrans / CblasNoTrans, row-major
        return (lambda: lib.cblas_sgemm(101, 111, tb, m, n, k, 1.0, a.ctypes.data, k,
                                        b.ctypes.data, ldb, 0.0, out.ctypes.data, n)), {}

    serve(prepare, f"system OpenBLAS {version} (sgemm, ctypes)")


def worker(impl):
    if impl == "openblas":
        openblas_worker()
        return
    if impl == "numpy":
        import numpy as np

        def prepare(c):
            if c["dtype"] != "float32":
                raise RuntimeError("no numpy BLAS for " + c["dtype"])
            a = np.full((c["M"], c["K"]), 0.5, np.float32)
            b = np.full((c["N"], c["K"]) if c["tb"] else (c["K"], c["N"]), 0.25, np.float32)
            bb = b.T if c["tb"] else b
            return (lambda: a @ bb), {}

        serve(prepare, f"numpy {np.__version__} (OpenBLAS sgemm)")
        return

    import mlx.core as mx

    mx.set_default_device(mx.cpu)

    def prepare(c):
        if impl == "mlx" and (c["label"], c["dtype"]) in MLX_SKIP:
            raise RuntimeError("skipped: too slow")
        dt = getattr(mx, c["dtype"])
        a = mx.full((c["M"], c["K"]), 0.5, dtype=dt)
        b = mx.full((c["N"], c["K"]) if c["tb"] else (c["K"], c["N"]), 0.25, dtype=dt)
        mx.eval(a, b)
        bb = b.T if c["tb"] else b
        return (lambda: mx.eval(a @ bb)), {}

    serve(prepare, f"{'mlxc' if impl == 'mlxc' else 'mlx'} {mx.__version__}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", choices=["mlxc", "mlx", "numpy", "openblas"])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return
    workers = start_workers(__file__, impls=("mlxc", "mlx", "numpy", "openblas"))
    impls = [w.impl for w in workers]
    versions = {w.impl: w.version for w in workers}
    print("matmul: median ms and GFLOP/s; " + ", ".join(versions.values()))
    print(f"{'shape':<22}{'dtype':>10}" + "".join(f"{i + ' ms':>12}{'GF/s':>8}" for i in impls))
    rows = []
    try:
        for label, dt, m, n, k, tb in SHAPES:
            if args.quick and (label, dt) not in QUICK:
                continue
            case = {"label": label, "dtype": dt, "M": m, "N": n, "K": k, "tb": tb}
            res = measure(workers, case, samples=3, budget=2.0, settle=0.15)
            t = {i: r["t"] for i, r in res.items()}
            flops = 2.0 * m * n * k
            rows.append({**case, "flops": flops, "t": t})
            print(f"{label:<22}{dt:>10}" + "".join(
                f"{fmt_ms(t.get(i)):>12}{(flops / t[i] / 1e9 if i in t else 0):>8.1f}"
                for i in impls), flush=True)
    finally:
        close_workers(workers)
    save_rows(args.json, versions, rows)


if __name__ == "__main__":
    main()
