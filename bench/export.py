"""Export and import of a large array between mlx.core and numpy: copies and time.

    PYTHONPATH=<build>/python python bench/export.py [--size 1e8] [--repeat 5]

For a float32 array of --size elements (evaluated beforehand) this prints, per operation, the
median time, its ratio to a numpy copy of the same bytes (src.copy(): allocation, page faults
and memcpy, the work np.array must do too) and to a plain memcpy into touched memory
(np.copyto), the peak of Python-traced allocations (tracemalloc: numpy's data allocations are
traced) and the peak RSS growth (VmHWM after resetting it through /proc/self/clear_refs).

Acceptance: memoryview(a) and np.asarray(a) copy nothing (traced peak ~0, shares memory),
np.array(a) makes exactly the one copy numpy asks for (traced peak ~ the array's bytes) in under
2x the time of the numpy copy. The import rows (mx.array of a numpy array) copy once, converting
float64 to float32 on the way.
"""
import argparse
import gc
import statistics
import time
import tracemalloc

import numpy as np

import mlx.core as mx


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def measure(fn, repeat):
    """Median seconds, traced peak bytes and peak RSS growth (bytes) of fn()."""
    times, traced, rss = [], [], []
    del_out = fn()  # warm-up: the first touch of fresh memory is much slower than the rest
    del del_out
    for _ in range(repeat):
        gc.collect()
        base_rss = status_kib("VmRSS")
        can_reset = reset_peak_rss()
        tracemalloc.start()
        t0 = time.perf_counter()
        out = fn()
        t1 = time.perf_counter()
        traced.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        rss.append((status_kib("VmHWM") - base_rss) * 1024 if can_reset else float("nan"))
        times.append(t1 - t0)
        del out
    return statistics.median(times), max(traced), max(rss)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=float, default=1e8)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    n = int(args.size)

    a = mx.random.normal((n,))
    mx.eval(a)
    src = np.random.default_rng(0).standard_normal(n, dtype=np.float32)
    src64 = src.astype(np.float64)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # touch the pages
    nbytes = src.nbytes

    rows = [
        ("numpy copy: src.copy()", lambda: src.copy()),
        ("memcpy: np.copyto(dst, src)", lambda: np.copyto(dst, src)),
        ("memoryview(a)", lambda: memoryview(a)),
        ("np.asarray(a)", lambda: np.asarray(a)),
        ("np.array(a)", lambda: np.array(a)),
        ("np.from_dlpack(a)", lambda: np.from_dlpack(a)),
        ("bytes(a)", lambda: bytes(a)),
        ("mx.array(src) [float32]", lambda: mx.array(src)),
        ("mx.array(src64) [float64->float32]", lambda: mx.array(src64)),
    ]
    results = {name: measure(fn, args.repeat) for name, fn in rows}
    copy_t = results["numpy copy: src.copy()"][0]
    memcpy_t = results["memcpy: np.copyto(dst, src)"][0]

    print(f"float32 array of {n:.3g} elements ({nbytes / 2**20:.0f} MiB), median of "
          f"{args.repeat}")
    print(f"{'operation':38} {'time ms':>9} {'/copy':>7} {'/memcpy':>8} {'traced MiB':>11} "
          f"{'RSS+ MiB':>9}")
    for name, (t, traced, rss) in results.items():
        print(f"{name:38} {t * 1e3:9.2f} {t / copy_t:7.2f} {t / memcpy_t:8.2f} "
              f"{traced / 2**20:11.1f} {rss / 2**20:9.1f}")

    view = np.asarray(a)
    shares = np.shares_memory(view, np.asarray(a))
    t_arr, traced_arr, _ = results["np.array(a)"]
    _, traced_view, _ = results["np.asarray(a)"]
    print()
    print(f"np.asarray(a) shares the array's memory: {shares}")
    print(f"np.asarray(a) copies nothing (traced < 1 MiB): {traced_view < 2**20}")
    print(f"np.array(a) makes one copy (traced {traced_arr / nbytes:.2f}x the array's bytes): "
          f"{traced_arr < 1.1 * nbytes}")
    print(f"np.array(a) under 2x the numpy copy ({t_arr / copy_t:.2f}x): {t_arr < 2 * copy_t}")


if __name__ == "__main__":
    main()
