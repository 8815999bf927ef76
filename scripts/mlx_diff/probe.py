"""Differential probe against the real MLX: the same calls (suites.py: elementwise, operators, shapes,
numerics, transforms, nn) run in our package and in the real MLX, and every outcome (dtype,
shape, the first 64 values, or the exception's type) is compared. Prints the calls whose
outcomes differ, by kind; values compare within float16 / bfloat16 / float32 tolerances.

    python scripts/mlx_diff/probe.py --ours <build>/python --ref /tmp/mlxref/bin/python \\
        [--suites elementwise,shapes] [--out /tmp/mlx_diff]

Each side runs as `probe.py --worker SUITES OUT` in its own interpreter (the real MLX with
PYTHONPATH unset). A call that crashes or hangs a side (the real MLX aborts on some integer
divisions by zero and out-of-range scatters, and loops on some traces) is recorded as "crash"
and the worker resumes after it (a call counts as hung after HANG_SECONDS).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import zlib

DT = ["bool_", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
      "float16", "bfloat16", "float32", "float64", "complex64"]
SUITES = ["elementwise", "operators", "shapes", "numerics", "transforms", "nn"]
HANG_SECONDS = 5  # the real MLX takes 17 s for any() of a (0, 3) complex64 along axis 0


def worker(suites, out):
    import faulthandler

    import numpy as np

    import mlx.core as mx
    import suites as S

    def mk(dt, shape, kind=0):
        """Deterministic inputs (the same on both sides): kind 1 puts a NaN first, 2 an inf second."""
        r = np.random.default_rng(zlib.crc32(repr((dt, shape, kind)).encode()))
        if dt == "bool_":
            return mx.array(r.random(shape) < 0.5)
        if dt == "complex64":
            return mx.array((r.standard_normal(shape) + 1j * r.standard_normal(shape)).astype(np.complex64))
        if dt.startswith("uint") or dt.startswith("int"):
            x = r.integers(0 if dt.startswith("u") else -6, 7, shape)
        else:
            x = r.standard_normal(shape) * 2
            if kind == 1 and x.size:
                x.flat[0] = np.nan
            if kind == 2 and x.size > 1:
                x.flat[1] = np.inf
        return mx.array(x.astype(np.float32) if dt in ("float16", "bfloat16") else x).astype(getattr(mx, dt))

    def outcome(f):
        try:
            r = f()
        except Exception as e:
            return ["err", type(e).__name__, [c.__name__ for c in type(e).__mro__]]
        if isinstance(r, (list, tuple)):
            return ["seq"] + [outcome(lambda v=v: v) for v in r]
        if not isinstance(r, mx.array):
            return ["py", repr(r)[:80]]
        try:
            mx.eval(r)
        except Exception as e:
            return ["err", type(e).__name__, [c.__name__ for c in type(e).__mro__]]
        a = np.array(r.astype(mx.float32) if r.dtype == mx.bfloat16 else r).reshape(-1)[:64]
        if np.iscomplexobj(a):
            vals = [v for z in a for v in (float(z.real), float(z.imag))]
        else:
            vals = [float(z) for z in a.astype(np.float64)]
        vals = [None if math.isnan(v) else v for v in vals]
        return ["ok", str(r.dtype).split(".")[-1], list(r.shape), vals]

    done = set()
    if os.path.exists(out):
        done = {json.loads(line)[0] for line in open(out)}
    log = open(out, "a")

    def R(key, f):
        if key in done:
            return
        done.add(key)
        log.write(json.dumps([key, ["crash"]]) + "\n")  # replaced below unless the call kills us
        log.flush()
        faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
        r = outcome(f)
        faulthandler.cancel_dump_traceback_later()
        log.write(json.dumps([key, r]) + "\n")
        log.flush()

    for name in suites:
        getattr(S, "suite_" + name)(R, mk, mx, DT)


def run_side(python, env, suites, out):
    """Runs a worker until it finishes, resuming after each call that kills it."""
    for _ in range(1000):
        p = subprocess.run([python, os.path.abspath(__file__), "--worker", ",".join(suites), out],
                           env=env, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if p.returncode == 0:
            break
    results = {}
    for line in open(out):  # a call's last record wins: "crash" stays only where it crashed
        k, v = json.loads(line)
        results[k] = v
    return results


def flat(v):
    if v[0] == "seq":
        return [x for item in v[1:] for x in flat(item)]
    return v[3] if v[0] == "ok" else []


def close(a, b, dt):
    if a is None or b is None:
        return a is None and b is None
    if math.isinf(a) or math.isinf(b):
        return a == b
    tol = {"float16": 2e-3, "bfloat16": 1.6e-2}.get(dt, 1e-5)
    return abs(a - b) <= tol * max(1.0, abs(b))


def compare(ours, ref):
    kinds = {}
    for k, rv in ref.items():
        ov = ours.get(k)
        if ov is None or ov == rv:
            continue
        if ov[0] != rv[0]:
            kind = f"ours {ov[0]}, MLX {rv[0]}"
        elif ov[0] == "err":  # the same failure when ours is (a subclass of) MLX's exception
            if rv[1] in ov[2]:
                continue
            kind = "exception types"
        elif ov[0] == "ok" and (ov[1], ov[2]) != (rv[1], rv[2]):
            kind = "dtype or shape"
        elif ov[0] in ("ok", "seq"):
            a, b = flat(ov), flat(rv)
            dts = [x[1] for x in ([ov] if ov[0] == "ok" else ov[1:]) if x[0] == "ok"] or ["float32"]
            if len(a) == len(b) and all(close(x, y, dts[0]) for x, y in zip(a, b)):
                continue
            kind = "values"
        else:
            kind = "other"
        kinds.setdefault(kind, []).append((k, ov, rv))
    return kinds


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", nargs=2, metavar=("SUITES", "OUT"))
    ap.add_argument("--ours", help="the directory to put on PYTHONPATH for our package")
    ap.add_argument("--ref", default="/tmp/mlxref/bin/python", help="the real MLX's interpreter")
    ap.add_argument("--python", default=sys.executable, help="our side's interpreter")
    ap.add_argument("--suites", default=",".join(SUITES))
    ap.add_argument("--out", default="/tmp/mlx_diff")
    ap.add_argument("--show", type=int, default=8, help="calls shown per kind of difference")
    args = ap.parse_args()
    if args.worker:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        worker(args.worker[0].split(","), args.worker[1])
        return
    suites = args.suites.split(",")
    os.makedirs(args.out, exist_ok=True)
    tag = "_".join(suites)
    ours_env = dict(os.environ, PYTHONPATH=args.ours or os.environ.get("PYTHONPATH", ""))
    ref_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for f in ("ours", "ref"):
        path = os.path.join(args.out, f"{f}_{tag}.jsonl")
        if os.path.exists(path):
            os.remove(path)
    ours = run_side(args.python, ours_env, suites, os.path.join(args.out, f"ours_{tag}.jsonl"))
    ref = run_side(args.ref, ref_env, suites, os.path.join(args.out, f"ref_{tag}.jsonl"))
    kinds = compare(ours, ref)
    print(f"{len(ref)} calls; {sum(map(len, kinds.values()))} differ")
    for kind, items in sorted(kinds.items()):
        print(f"== {kind}: {len(items)}")
        for k, ov, rv in items[:args.show]:
            print(f"   {k}\n      ours {str(ov)[:150]}\n      MLX  {str(rv)[:150]}")


if __name__ == "__main__":
    main()
