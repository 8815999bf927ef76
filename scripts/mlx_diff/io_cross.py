"""Files across packages: every dtype saved in every format (npy, npz, compressed npz,
safetensors, gguf) by our package and by the real MLX, each side's files loaded by both; prints
the files whose loads differ between the two loaders.

    python scripts/mlx_diff/io_cross.py --ours <build>/python --ref /tmp/mlxref/bin/python
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

DT = ["bool_", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
      "float16", "bfloat16", "float32", "float64", "complex64"]


def save(d):
    import numpy as np

    import mlx.core as mx
    rng = np.random.default_rng(0)
    arrs = {}
    for dt in DT:
        x = rng.standard_normal((3, 4)) * 5
        arrs[dt] = (mx.array((x + 1j * x[::-1]).astype(np.complex64)) if dt == "complex64"
                    else mx.array(x.astype(np.float32)).astype(getattr(mx, dt)))
    arrs.update(scalar=mx.array(3.5), empty=mx.zeros((0, 3)), T=mx.arange(12).reshape(3, 4).T)
    mx.savez(f"{d}/all.npz", **arrs)
    mx.savez_compressed(f"{d}/allc.npz", **arrs)
    for k, a in arrs.items():
        for f in (lambda: mx.save(f"{d}/{k}.npy", a),
                  lambda: mx.save_safetensors(f"{d}/{k}.safetensors", {"a": a}, metadata={"m": "x"}),
                  lambda: mx.save_gguf(f"{d}/{k}.gguf", {"a": a}, metadata={"m": "x"})):
            try:
                f()
            except Exception:  # refused: the loaders then see no file, or what was left
                pass


def load(d):
    import numpy as np

    import mlx.core as mx
    out = {}
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        try:
            if f.endswith(".npy"):
                r, meta = {"a": mx.load(p)}, {}
            elif f.endswith(".npz"):
                r, meta = mx.load(p), {}
            else:
                r, meta = mx.load(p, return_metadata=True)
            out[f] = {k: [str(v.dtype), list(v.shape), repr(np.array(
                v.astype(mx.float32) if v.dtype == mx.bfloat16 else v).reshape(-1).tolist())[:300]]
                      for k, v in r.items()}
            out[f]["metadata"] = sorted(meta)
        except Exception as e:
            out[f] = ["error", type(e).__name__]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--do", nargs=2, metavar=("ACTION", "DIR"))
    ap.add_argument("--ours", default=os.environ.get("PYTHONPATH", ""))
    ap.add_argument("--ref", default="/tmp/mlxref/bin/python")
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    if args.do:
        if args.do[0] == "save":
            save(args.do[1])
        else:
            print(json.dumps(load(args.do[1])))
        return
    sides = {"ours": (args.python, dict(os.environ, PYTHONPATH=args.ours)),
             "MLX": (args.ref, {k: v for k, v in os.environ.items() if k != "PYTHONPATH"})}

    def run(side, action, d):
        py, env = sides[side]
        r = subprocess.run([py, os.path.abspath(__file__), "--do", action, d], env=env, cwd="/",
                           capture_output=True, text=True, check=True)
        return json.loads(r.stdout) if action == "load" else None

    with tempfile.TemporaryDirectory() as tmp:
        for writer in sides:
            d = os.path.join(tmp, writer)
            os.mkdir(d)
            run(writer, "save", d)
            got = {reader: run(reader, "load", d) for reader in sides}
            files = sorted(set(got["ours"]) | set(got["MLX"]))
            diff = [f for f in files if got["ours"].get(f) != got["MLX"].get(f)]
            print(f"files written by {writer}: {len(files)}, loaded differently: {len(diff)}")
            for f in diff:
                print(f"   {f}\n      ours {str(got['ours'].get(f))[:140]}\n"
                      f"      MLX  {str(got['MLX'].get(f))[:140]}")


if __name__ == "__main__":
    main()
