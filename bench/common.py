"""Shared by the bench/ scripts: timing, worker processes, JSON and the machine's description.

Each implementation (our mlx, the real MLX, numpy) runs in its own worker process under its own
interpreter: a script started with `--worker IMPL` calls `serve(prepare)`, and the driver talks
to it through `Worker` (one JSON object per line on stdin/stdout). The driver times cases
interleaved (`measure`): every worker prepares the case (builds it and runs it once to warm up),
then the workers take turns running it a few times each, round after round, so a burst of load
on a shared machine hits every implementation alike. Times are medians.

The real MLX's worker runs without PYTHONPATH (which may point at our build) and from / so that
it cannot import our package.
"""
import ctypes
import json
import os
import platform
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)

# interpreters: ours (our package importable, e.g. through PYTHONPATH) and the real MLX's venv
OURS_PYTHON = os.environ.get("OURS_PYTHON", sys.executable)
MLXREF_PYTHON = os.environ.get("MLXREF_PYTHON", os.path.join(ROOT, ".venv-mlxref/bin/python"))
IMPLS = ("mlxc", "mlx", "numpy")


def time_calls(fn, k):
    """Seconds of each of k calls of fn."""
    out = []
    for _ in range(k):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def median_time(fn, repeats, warmup=True):
    """Median seconds of fn over repeats calls (after one warm-up call)."""
    if warmup:
        fn()
    return statistics.median(time_calls(fn, repeats))


def fmt_ms(s):
    if s is None:
        return "-"
    ms = s * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def fmt_ratio(num, den):
    return f"{num / den:.2f}x" if num is not None and den else "-"


# ------------------------------------------------------------------ worker side


def serve(prepare, version):
    """Worker loop (version: the implementation's name and version). prepare(case) -> (fn, info)
    builds a case (fn() runs it once, synchronously; info is a dict returned to the driver, e.g.
    bytes moved) or raises to skip it. Requests:
    {"prepare": case} -> {"ok": info, "first": seconds of the warm-up call} or {"skip": why};
    {"run": k} -> {"times": [k seconds]}; {"version": 1} -> {"version": version}; {"exit": 1}."""
    out = sys.stdout
    sys.stdout = sys.stderr  # stray prints must not break the protocol
    fn = None
    for line in sys.stdin:
        msg = json.loads(line)
        if "exit" in msg:
            break
        if "version" in msg:
            reply = {"version": version}
        elif "prepare" in msg:
            fn = None
            try:
                fn, info = prepare(msg["prepare"])
                t0 = time.perf_counter()
                fn()
                reply = {"ok": info, "first": time.perf_counter() - t0}
            except Exception as e:  # unsupported here: the table shows '-'
                fn = None
                reply = {"skip": f"{type(e).__name__}: {e}"[:300]}
        elif "run" in msg:
            reply = {"times": time_calls(fn, msg["run"])}
        else:
            reply = {"error": f"unknown request {msg}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


# ------------------------------------------------------------------ driver side


class Worker:
    """One implementation's worker process: `python script --worker impl *args`."""

    def __init__(self, impl, script, args=()):
        self.impl = impl
        python = MLXREF_PYTHON if impl == "mlx" else OURS_PYTHON
        env = dict(os.environ)
        cwd = None
        if impl == "mlx":
            env.pop("PYTHONPATH", None)
            cwd = "/"
        self.proc = subprocess.Popen(
            [python, os.path.abspath(script), "--worker", impl, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=cwd)
        self.version = self.ask({"version": 1})["version"]

    def send(self, msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()

    def recv(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.impl} worker died (exit {self.proc.wait()})")
        return json.loads(line)

    def ask(self, msg):
        self.send(msg)
        return self.recv()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send({"exit": 1})
            except OSError:
                pass
            self.proc.wait()


def start_workers(script, impls=IMPLS, args=()):
    """Starts the workers that can run; reports the others on stderr."""
    workers = []
    for impl in impls:
        if impl == "mlx" and not os.path.exists(MLXREF_PYTHON):
            print(f"(real MLX skipped: no interpreter at {MLXREF_PYTHON})", file=sys.stderr)
            continue
        try:
            workers.append(Worker(impl, script, args))
        except (OSError, RuntimeError) as e:
            print(f"({impl} skipped: {e})", file=sys.stderr)
    return workers


def measure(workers, case, samples=5, budget=0.3, max_samples=15, slow=0.5, skip=(), settle=0.0):
    """Interleaved medians of one case: {impl: {"t": median seconds, "n": samples, **info}} for the
    workers that could run it (and are not in `skip`). Each worker gets between `samples` and
    `max_samples` timed calls, as many as fit in about `budget` seconds for it (judged by its
    warm-up call); the workers take turns, a few calls each, starting with a different worker
    every round. A worker whose warm-up call took `slow` seconds or more counts that call as a
    sample and makes 3 in all (one-time costs are small next to such a call). `settle` seconds
    of sleep before each turn let the previous worker's spinning threads (OpenBLAS busy-waits
    about 0.1 s after a call) go idle, so that no worker is timed against another's spinning."""
    live = [w for w in workers if w.impl not in skip]
    for w in live:  # prepares run in parallel (input set-up can take seconds)
        w.send({"prepare": case})
    want, info, got = {}, {}, {}
    for w in live:
        r = w.recv()
        if "ok" in r:
            info[w.impl] = r["ok"]
            first = max(r["first"], 1e-6)
            got[w.impl] = [first] if first >= slow else []
            want[w.impl] = 3 if first >= slow else max(samples,
                                                           min(max_samples, int(budget / first)))
    live = [w for w in live if w.impl in want]
    rnd = 0
    while any(len(got[w.impl]) < want[w.impl] for w in live):
        order = live[rnd % len(live):] + live[:rnd % len(live)]
        for w in order:
            left = want[w.impl] - len(got[w.impl])
            if left > 0:
                if settle:
                    time.sleep(settle)
                per_turn = max(1, want[w.impl] // samples)
                got[w.impl] += w.ask({"run": min(left, per_turn)})["times"]
        rnd += 1
    return {impl: {"t": statistics.median(ts), "n": len(ts), **info[impl]}
            for impl, ts in got.items()}


# ------------------------------------------------------------------ triad reference


def load_triad(path=None):
    """The STREAM-style triad (bench/triad.c built as a shared library by scripts/bench.sh, path
    in $TRIAD_LIB): a[i] = b[i] + s * c[i] over float32, split over threads. None if missing."""
    path = path or os.environ.get("TRIAD_LIB", "")
    if not path or not os.path.exists(path):
        return None
    lib = ctypes.CDLL(path)
    lib.triad.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_float,
                          ctypes.c_int64, ctypes.c_int]
    lib.triad.restype = None
    return lib


# ------------------------------------------------------------------ machine and results


def machine():
    """A dict describing this machine (CPU model, cores, relevant ISA flags, memory, OS)."""
    model, flags = platform.processor() or "unknown CPU", set()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    mem_gb = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 2**20)
    except OSError:
        pass
    isa = [f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_bf16",
                       "amx_tile") if f in flags]
    return {"cpu": model, "cores": os.cpu_count(), "isa": isa, "amx": "amx_bf16" in flags,
            "mem_gb": mem_gb, "os": f"{platform.system()} {platform.release()}"}


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def close_workers(workers):
    for w in workers:
        w.close()


def save_rows(path, versions, rows):
    """The drivers' JSON (when a path is given): the machine, each implementation's version and
    the measured rows."""
    if path:
        write_json(path, {"machine": machine(), "versions": versions, "rows": rows})
