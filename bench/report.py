"""Merges bench JSON lines (ours, the real MLX, numpy) into the table in docs/BENCHMARKS.md."""
import json
import platform
import subprocess
import sys


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(paths, out):
    runs = [json.loads(open(p).read().strip().splitlines()[-1]) for p in paths]
    ours, ref = runs[0], runs[1]
    names = list(ours["results"])
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {cpu_name()}, {cores} cores, {platform.system()} {platform.release()}.",
        "Produced by `make bench` (bench/bench_overhead.py run once per implementation in one",
        "session; medians of repeated runs; the ratio is the real MLX's time over ours, so > 1",
        "means mlxc is faster). Shared machine: absolute times vary, ratios within a run hold.",
        "",
        "| benchmark | " + " | ".join(r["impl"] for r in runs) + " | MLX / mlxc |",
        "|---" * (len(runs) + 2) + "|",
    ]
    for name in names:
        cells = []
        for r in runs:
            v = r["results"].get(name)
            cells.append(f"{v * 1e3:.2f} ms" if v is not None else "-")
        ratio = ref["results"][name] / ours["results"][name]
        lines.append(f"| {name.replace(' (s)', '')} | " + " | ".join(cells) + f" | {ratio:.2f}x |")
    lines += [
        "",
        "Per-op graph overhead (build + eval of one small add, from the first row):",
    ]
    per_ours = ours["results"]["10k adds, eval each (s)"] / 10_000 * 1e6
    per_ref = ref["results"]["10k adds, eval each (s)"] / 10_000 * 1e6
    lines.append(
        f"mlxc {per_ours:.2f} us, MLX {per_ref:.2f} us (ratio {per_ref / per_ours:.2f}x)."
    )
    open(out, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:-1], sys.argv[-1])
