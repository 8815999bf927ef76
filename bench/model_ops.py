"""The model ops that bench/conv.py, quant.py, linalg.py, fft.py and sdpa.py leave out: our mlx
against the real MLX on the CPU, interleaved (mx.fast norms and rope, quantize / dequantize in
every mode, gather_qmm, transposed and 3-D convolutions, convolve, the rest of mx.linalg, fft
helpers, fp8 conversions, the gradient of a linear layer on 3-d inputs).

    python bench/model_ops.py [--only NAME,NAME] [--json out.json]

Time: median ms of building and evaluating one op over evaluated float32 inputs. A row that one
implementation cannot run shows '-'. (MLXREF_PYTHON: the real MLX's interpreter,
/tmp/mlxref/bin/python when it exists.)
"""
import argparse
import os

if "MLXREF_PYTHON" not in os.environ and os.path.exists("/tmp/mlxref/bin/python"):
    os.environ["MLXREF_PYTHON"] = "/tmp/mlxref/bin/python"

from common import (close_workers, fmt_ms, fmt_ratio, measure, save_rows, serve,  # noqa
                    start_workers)

# (name, setup: statements making the inputs from rng (numpy) and mx, expression to time)
CASES = [
    ("fast.rms_norm 4096x1024", "x = R(4096, 1024); w = R(1024)", "mx.fast.rms_norm(x, w, 1e-5)"),
    ("fast.layer_norm 4096x1024", "x = R(4096, 1024); w = R(1024); b = R(1024)",
     "mx.fast.layer_norm(x, w, b, 1e-5)"),
    ("fast.layer_norm no affine", "x = R(4096, 1024)", "mx.fast.layer_norm(x, None, None, 1e-5)"),
    ("fast.rope 1x32x1024x128", "x = R(1, 32, 1024, 128)",
     "mx.fast.rope(x, 128, traditional=False, base=10000.0, scale=1.0, offset=0)"),
    ("fast.rope traditional", "x = R(1, 32, 1024, 128)",
     "mx.fast.rope(x, 128, traditional=True, base=10000.0, scale=1.0, offset=3)"),
    ("quantize 4096x4096 4-bit", "w = R(4096, 4096)", "mx.quantize(w, group_size=64, bits=4)"),
    ("quantize 8-bit g128", "w = R(4096, 4096)", "mx.quantize(w, group_size=128, bits=8)"),
    ("dequantize 4-bit", "q = mx.quantize(R(4096, 4096), group_size=64, bits=4)",
     "mx.dequantize(*q, group_size=64, bits=4)"),
    ("quantize mxfp4", "w = R(4096, 4096)", "mx.quantize(w, group_size=32, bits=4, mode='mxfp4')"),
    ("dequantize mxfp4",
     "wq, s = mx.quantize(R(4096, 4096), group_size=32, bits=4, mode='mxfp4')",
     "mx.dequantize(wq, s, group_size=32, bits=4, mode='mxfp4')"),
    ("quantized_matmul mxfp4 1x4096x4096",
     "x = R(1, 4096); wq, s = mx.quantize(R(4096, 4096), group_size=32, bits=4, mode='mxfp4')",
     "mx.quantized_matmul(x, wq, s, group_size=32, bits=4, mode='mxfp4')"),
    ("gather_qmm 8 experts 16x1024x1024",
     "x = R(16, 1, 1024); q = mx.quantize(R(8, 1024, 1024)); "
     "i = mx.array(rng.integers(0, 8, (16,)).astype(np.uint32))",
     "mx.gather_qmm(x, *q, rhs_indices=i, transpose=True)"),
    ("conv_transpose1d k5 128->128 len 1024 b8", "x = R(8, 1024, 128); w = R(128, 5, 128)",
     "mx.conv_transpose1d(x, w, stride=2, padding=2)"),
    ("conv_transpose2d 3x3 64->64 28x28 b16", "x = R(16, 28, 28, 64); w = R(64, 3, 3, 64)",
     "mx.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)"),
    ("conv3d 3x3x3 32->32 16^3 b4", "x = R(4, 16, 16, 16, 32); w = R(32, 3, 3, 3, 32)",
     "mx.conv3d(x, w, padding=1)"),
    ("conv_transpose3d 3x3x3 32->32 8^3 b4", "x = R(4, 8, 8, 8, 32); w = R(32, 3, 3, 3, 32)",
     "mx.conv_transpose3d(x, w, stride=2, padding=1)"),
    ("conv_general dilated 3x3 64->64 56x56 b4", "x = R(4, 56, 56, 64); w = R(64, 3, 3, 64)",
     "mx.conv_general(x, w, padding=2, kernel_dilation=2)"),
    ("convolve 10^5 * 101", "a = R(100000); v = R(101)", "mx.convolve(a, v)"),
    ("linalg.norm fro 4096x1024", "x = R(4096, 1024)", "mx.linalg.norm(x)"),
    ("linalg.norm ord 2 256x256", "x = R(256, 256)", "mx.linalg.norm(x, ord=2)"),
    ("linalg.norm axis -1 ord 1", "x = R(4096, 1024)", "mx.linalg.norm(x, ord=1, axis=-1)"),
    ("linalg.cross 10^6x3", "a = R(1000000, 3); b = R(1000000, 3)", "mx.linalg.cross(a, b)"),
    ("linalg.tri_inv 256", "x = mx.tril(R(256, 256)) + 16 * mx.eye(256)", "mx.linalg.tri_inv(x)"),
    ("linalg.cholesky_inv 256", "a = R(256, 256); x = mx.linalg.cholesky(a @ a.T + 256 * mx.eye(256))",
     "mx.linalg.cholesky_inv(x)"),
    ("linalg.eigvals 256", "x = R(256, 256)", "mx.linalg.eigvals(x)"),
    ("linalg.eigvalsh 256", "a = R(256, 256); x = a + a.T", "mx.linalg.eigvalsh(x)"),
    ("linalg.lu_factor 256", "x = R(256, 256)", "mx.linalg.lu_factor(x)"),
    ("linalg.solve_triangular 256x256", "a = mx.tril(R(256, 256)) + 16 * mx.eye(256); b = R(256, 256)",
     "mx.linalg.solve_triangular(a, b, upper=False)"),
    ("linalg.inv batch 64x64x64", "x = R(64, 64, 64) + 8 * mx.eye(64)", "mx.linalg.inv(x)"),
    ("fft.fftshift 1024x1024", "x = R(1024, 1024)", "mx.fft.fftshift(x)"),
    ("fft.irfft2 1024x1024", "x = mx.fft.rfft2(R(1024, 1024))", "mx.fft.irfft2(x)"),
    ("fft.fftn 64^3", "x = R(64, 64, 64).astype(mx.complex64)", "mx.fft.fftn(x)"),
    ("linear 3-d (32,128,128)x(128,512) value_and_grad",
     "x = R(32, 128, 128); w = R(512, 128); b = R(512); g = R(32, 128, 512); "
     "f = mx.value_and_grad(lambda w, b: mx.sum(mx.addmm(b, x, w.T) * g), (0, 1))",
     "f(w, b)"),
    ("to_fp8 10^6", "x = R(1000000)", "mx.to_fp8(x)"),
    ("from_fp8 10^6", "y = mx.to_fp8(R(1000000))", "mx.from_fp8(y, dtype=mx.float32)"),
]


def worker(impl):
    import numpy as np

    import mlx.core as mx

    mx.set_default_device(mx.cpu)

    def prepare(case):
        rng = np.random.default_rng(0)

        def rand(*shape):
            return mx.array(rng.standard_normal(shape).astype(np.float32))

        env = {"mx": mx, "np": np, "rng": rng, "R": rand}
        exec(case["setup"], env)
        mx.eval([v for v in env.values() if isinstance(v, (mx.array, tuple, list))])
        code = compile(case["expr"], case["name"], "eval")
        return (lambda: mx.eval(eval(code, env))), {}

    serve(prepare, f"{'mlxc' if impl == 'mlxc' else 'mlx'} {mx.__version__}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", choices=["mlxc", "mlx"])
    ap.add_argument("--json", default="")
    ap.add_argument("--only", default="", help="comma-separated row names (prefixes)")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker)
        return
    workers = start_workers(__file__, impls=("mlxc", "mlx"))
    versions = {w.impl: w.version for w in workers}
    print("model ops: median ms; " + ", ".join(versions.values()))
    print(f"| op | mlxc ms | MLX ms | MLX/mlxc |\n|---|---|---|---|")
    rows = []
    try:
        for name, setup, expr in CASES:
            if args.only and not any(name.startswith(o) for o in args.only.split(",")):
                continue
            res = measure(workers, {"name": name, "setup": setup, "expr": expr}, samples=5,
                          budget=0.5)
            t = {i: r["t"] for i, r in res.items()}
            rows.append({"name": name, "t": t})
            print(f"| {name} | {fmt_ms(t.get('mlxc'))} | {fmt_ms(t.get('mlx'))} | "
                  f"{fmt_ratio(t.get('mlx'), t.get('mlxc'))} |", flush=True)
    finally:
        close_workers(workers)
    save_rows(args.json, versions, rows)


if __name__ == "__main__":
    main()
