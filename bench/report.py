"""Writes docs/BENCHMARKS.md from the JSON of one `make bench` run.

    python bench/report.py OUT_DIR docs/BENCHMARKS.md

OUT_DIR holds ops.json (bench/ops.py), matmul.json (bench/matmul.py) and overhead-{mlxc,mlx,
numpy}.json (bench/bench_overhead.py). The hand-written notes at the end of the existing file
(from the NOTES marker on) are kept.
"""
import json
import os
import sys

from common import fmt_ms

NOTES = "<!-- notes: written by hand, kept by bench/report.py -->"
IMPL_NAMES = {"mlxc": "mlxc", "mlx": "MLX", "numpy": "numpy"}
TARGET_BW = 0.80  # of the triad
TARGET_SGEMM = 0.90  # of OpenBLAS sgemm
TARGET_BF16_AMX = 3000.0  # GFLOP/s, where AMX exists


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def size(n):
    e = len(str(n)) - 1
    return f"10^{e}" if n == 10**e else str(n)


def row_triad(r):
    """GB/s of the triad timed in the same rounds as bandwidth row r (12 bytes per element)."""
    t = r["t"].get("triad")
    return 12 * r["n"] / t / 1e9 if t else None


def triad_gbs(rows):
    """The median over the bandwidth rows of the triad's GB/s."""
    v = sorted(g for g in (row_triad(r) for r in rows if r["family"] == "bandwidth") if g)
    return v[len(v) // 2] if v else None


def of_triad(r):
    """mlxc's GB/s on bandwidth row r over the triad's in the same rounds."""
    tri = row_triad(r)
    return r["bytes"] / r["t"]["mlxc"] / 1e9 / tri if tri and "mlxc" in r["t"] else None


def elementwise_section(rows, versions):
    ew = [r for r in rows if r["family"] == "elementwise"]
    sizes = sorted({r["n"] for r in ew})
    names = list(dict.fromkeys(r["name"] for r in ew))
    by = {(r["name"], r["n"]): r for r in ew}
    head = ["op"]
    for n in sizes:
        head += [f"mlxc {size(n)}", f"MLX {size(n)}", f"numpy {size(n)}", f"MLX/mlxc {size(n)}"]
    body = []
    for name in names:
        cells = [name]
        for n in sizes:
            t = by.get((name, n), {}).get("t", {})
            cells += [fmt_ms(t.get("mlxc")), fmt_ms(t.get("mlx")), fmt_ms(t.get("numpy")),
                      ratio(t.get("mlx"), t.get("mlxc"))]
        body.append(cells)
    return [
        "## Elementwise ops",
        "",
        "float32 unless the name says otherwise (comparisons write bool; `where`'s condition and",
        "`logical_*` are bool); median ms of building and evaluating one op over evaluated",
        "inputs. 2-D rows use a square matrix of the same element count (3162 x 3162 for 10^7).",
        "",
    ] + table(head, body) + [""]


def bandwidth_section(rows):
    bw = [r for r in rows if r["family"] == "bandwidth"]
    tri = triad_gbs(rows)
    if not bw:
        return [], tri
    n = bw[0]["n"]
    body = []
    for r in bw:
        t, b = r["t"], r["bytes"]
        gbs = {i: b / t[i] / 1e9 for i in t if i != "triad"}
        f = of_triad(r)
        rt = row_triad(r)
        body.append([r["name"], f"{b / n:g}", fmt_ms(t.get("mlxc")),
                     f"{gbs['mlxc']:.1f}" if "mlxc" in gbs else "-",
                     f"{rt:.1f}" if rt else "-", f"{100 * f:.0f}%" if f else "-",
                     ("yes" if f >= TARGET_BW else "**no**") if f else "-",
                     fmt_ms(t.get("mlx")), f"{gbs['mlx']:.1f}" if "mlx" in gbs else "-",
                     fmt_ms(t.get("numpy")), ratio(t.get("mlx"), t.get("mlxc"))])
    lines = [
        f"## Memory bandwidth: elementwise ops on {size(n)} float32",
        "",
        f"Reference: a STREAM-style triad `a = b + s*c` over {size(n)} float32 (bench/triad.c, one",
        "thread per core, plain stores, in its own process), timed in the same rounds as each",
        f"row (median over the rows: **{tri:.1f} GB/s**, 12 bytes per element). Each op's GB/s",
        "counts the bytes it must move: its inputs read once and its output written once (no",
        "write-allocate traffic, as for the triad). Target: mlxc at "
        f"{TARGET_BW:.0%} of the triad of its row. MLX and numpy skip the ops that would take",
        "them over 1.5 s per call (from their 10^7 times).",
        "",
    ] if tri else [f"## Elementwise ops on {size(n)} float32 (no triad reference this run)", ""]
    head = ["op", "bytes/elem", "mlxc ms", "mlxc GB/s", "triad GB/s", "of triad", ">= 80%",
            "MLX ms", "MLX GB/s", "numpy ms", "MLX/mlxc"]
    return lines + table(head, body) + [""], tri


def families_section(rows):
    fam = [r for r in rows if r["family"] not in ("elementwise", "bandwidth")]
    body = []
    for r in fam:
        t = r["t"]
        body.append([r["family"], r["name"], size(r["n"]), fmt_ms(t.get("mlxc")),
                     fmt_ms(t.get("mlx")), fmt_ms(t.get("numpy")),
                     ratio(t.get("mlx"), t.get("mlxc")), ratio(t.get("numpy"), t.get("mlxc"))])
    return [
        "## Reductions, scans, sorting, indexing, creation, shape ops, random",
        "",
        "Median ms. Inputs: x (float32, n elements), a 1000 x n/1000 matrix for the `rows` /",
        "`axis0` cases, n random int32 indices for take/gather/scatter. Shape ops that MLX",
        "and numpy do as views are forced to copy (`contiguous`) except `reshape (view)` and",
        "`split` (graph overhead only). numpy's `zeros` is calloc (pages mapped lazily, nothing",
        "written), numpy random is its PCG64 generator, not the same algorithm.",
        "",
    ] + table(["family", "case", "n", "mlxc", "MLX", "numpy", "MLX/mlxc", "numpy/mlxc"],
              body) + [""]


def matmul_section(mm, amx):
    body = []
    for r in mm["rows"]:
        t, f = r["t"], r["flops"]
        gf = {i: f / t[i] / 1e9 for i in t}
        body.append([r["label"], r["dtype"], fmt_ms(t.get("mlxc")),
                     f"{gf['mlxc']:.0f}" if "mlxc" in gf else "-",
                     f"{gf['numpy']:.0f}" if "numpy" in gf else "-",
                     ratio(gf.get("mlxc"), gf.get("numpy")),
                     f"{gf['openblas']:.0f}" if "openblas" in gf else "-",
                     ratio(gf.get("mlxc"), gf.get("openblas")),
                     f"{gf['mlx']:.1f}" if "mlx" in gf else "-",
                     ratio(t.get("mlx"), t.get("mlxc"))])
    kernels = ("bfloat16 uses our AMX tile kernel from 32 columns and k and 9 rows up, x @ W.T "
               "from 2 rows as (W @ x.T).T with W read in place (smaller: our AVX-512 kernels), "
               "float16 the same tiles from 32 rows, each operand split into bfloat16 hi + lo "
               "parts (smaller: our packed AVX-512 kernel)." if amx else
               "bfloat16 and float16 use our packed AVX-512 kernels.")
    return [
        "## Matmul",
        "",
        "GFLOP/s = 2*M*N*K / median time. numpy OpenBLAS: numpy's matmul (" +
        mm["versions"].get("numpy", "numpy") + "); linked OpenBLAS: " +
        mm["versions"].get("openblas", "the system OpenBLAS") + ", the library our float32",
        "products call (sgemv for one row), timed directly. " + kernels,
        "The real MLX's CPU matmul runs at a few GFLOP/s here; it skips the",
        "4096-wide shapes and float16 2048^3 (tens of seconds per call).",
        "",
    ] + table(["shape", "dtype", "mlxc ms", "mlxc GF/s", "numpy OpenBLAS GF/s",
               "mlxc / numpy OpenBLAS", "linked OpenBLAS GF/s", "mlxc / linked", "MLX GF/s",
               "MLX/mlxc"], body) + [""]


def overhead_section(over, mm):
    runs = [o for o in over if o]
    if len(runs) < 2:
        return []
    names = list(runs[0]["results"])
    extra = {}
    for r in (mm or {}).get("rows", []):
        if r["label"] == "2048^3" and r["dtype"] == "float32":
            extra = r["t"]
    body = []
    for name in names + (["matmul 2048 f32"] if extra else []):
        cells = []
        for o, impl in zip(runs, ("mlxc", "mlx", "numpy")):
            v = o["results"].get(name) if name in names else extra.get(impl)
            cells.append(f"{v * 1e3:.2f} ms" if v is not None else "-")
        a = runs[0]["results"].get(name) if name in names else extra.get("mlxc")
        b = runs[1]["results"].get(name) if name in names else extra.get("mlx")
        body.append([name] + cells + [ratio(b, a)])
    per = [o["results"]["10k adds, eval each"] / 10_000 * 1e6 for o in runs[:2]]
    return [
        "## Graph overhead",
        "",
        "bench/bench_overhead.py, run once per implementation (medians of repeated runs; the",
        "matmul row is the float32 2048^3 row of the matmul table).",
        "",
    ] + table(["benchmark"] + [o["impl"] for o in runs] + ["MLX / mlxc"], body) + [
        "",
        "Per-op graph overhead (build + eval of one small add, from the first row):",
        f"mlxc {per[0]:.2f} us, MLX {per[1]:.2f} us (ratio {per[1] / per[0]:.2f}x).",
        "",
    ]


def targets_section(ops, mm, tri, mach):
    rows = ops["rows"] if ops else []
    lines = ["## Acceptance targets", ""]
    both = [r for r in rows if "mlxc" in r["t"] and "mlx" in r["t"]]
    slower = [r for r in both if r["t"]["mlx"] < r["t"]["mlxc"]]
    slow = ", ".join(f"{r['family']} {r['name']} at {size(r['n'])} "
                     f"({r['t']['mlx'] / r['t']['mlxc']:.2f}x)" for r in slower)
    lines.append(f"- **Every op no slower than MLX on CPU**: "
                 f"{'met' if not slower else 'not met'}: {len(both) - len(slower)} of {len(both)}"
                 f" rows at least as fast" + (f"; slower: {slow}." if slower else "."))
    bw = [r for r in rows if r["family"] == "bandwidth" and of_triad(r)]
    if bw and tri:
        low = [r for r in bw if of_triad(r) < TARGET_BW]
        lines.append(
            f"- **Elementwise ops on 10^8 float32 at >= 80% of the triad (median "
            f"{tri:.1f} GB/s)**: {'met' if not low else 'not met'}: {len(bw) - len(low)} "
            f"of {len(bw)} ops at the target. Below: " +
            (", ".join(f"{r['name']} ({100 * of_triad(r):.0f}%)" for r in low) or "none") + ".")
    if mm:
        f32 = [r for r in mm["rows"] if r["dtype"] == "float32" and "numpy" in r["t"]]
        parts = [f"{r['label']} {r['t']['numpy'] / r['t']['mlxc']:.0%}" for r in f32]
        ok = [r for r in f32 if r["t"]["numpy"] / r["t"]["mlxc"] >= TARGET_SGEMM]
        lines.append(f"- **float32 matmul at >= 90% of OpenBLAS sgemm** (numpy's OpenBLAS): "
                     f"{'met' if len(ok) == len(f32) else 'not met'}: {len(ok)} of "
                     f"{len(f32)} shapes at the target ({', '.join(parts)}).")
        lk = [f"{r['label']} {r['t']['openblas'] / r['t']['mlxc']:.0%}" for r in f32
              if "openblas" in r["t"]]
        if lk:
            lines.append(f"  Against the OpenBLAS it links (the same sgemm, called directly): "
                         f"{', '.join(lk)}.")
        bf = [r for r in mm["rows"] if r["dtype"] == "bfloat16" and r["label"] == "2048^3"]
        f2 = [r for r in mm["rows"] if r["dtype"] == "float32" and r["label"] == "2048^3"]
        if bf and "mlxc" in bf[0]["t"]:
            g = bf[0]["flops"] / bf[0]["t"]["mlxc"] / 1e9
            g32 = f2[0]["flops"] / f2[0]["t"]["mlxc"] / 1e9 if f2 else None
            amx = mach.get("amx")
            lines.append(
                "- **bfloat16 matmul at >= 3 TFLOP/s at 2048x2048 where AMX exists**: " +
                (f"{'met' if g >= TARGET_BF16_AMX else 'not met'}: {g:.0f} GFLOP/s." if amx else
                 f"not applicable: this CPU has no AMX (it has avx512_bf16: "
                 f"{'yes' if 'avx512_bf16' in mach.get('isa', []) else 'no'}). Measured "
                 f"{g:.0f} GFLOP/s with vdpbf16ps" +
                 (f", {g / g32:.2f}x our float32 ({g32:.0f} GFLOP/s)." if g32 else ".") +
                 " On a CPU with AMX: bench/gemm_bf16.c, in the notes below."))
    key = [r for r in rows if r["family"] in ("sort", "scan", "indexing")
           and r["name"] in ("sort", "cumsum", "take") and r["n"] == 10**7]
    if key:
        parts = [f"{r['name']} {r['t']['mlx'] / r['t']['mlxc']:.1f}x" for r in key
                 if "mlx" in r["t"]]
        ok = all(r["t"]["mlx"] > r["t"]["mlxc"] for r in key if "mlx" in r["t"])
        lines.append(f"- **sort, cumsum and take on 10^7 faster than MLX**: "
                     f"{'met' if ok else 'not met'} (MLX time / ours: {', '.join(parts)}).")
    return lines + [""]


def main(out_dir, doc):
    ops = load(os.path.join(out_dir, "ops.json"))
    mm = load(os.path.join(out_dir, "matmul.json"))
    over = [load(os.path.join(out_dir, f"overhead-{i}.json")) for i in ("mlxc", "mlx", "numpy")]
    first = ops or mm
    mach = first["machine"]
    versions = {k: v for k, v in first["versions"].items() if k != "triad"}
    amx = "AMX" if mach["amx"] else "no AMX"
    lines = [
        "# Benchmarks",
        "",
        f"Machine: {mach['cpu']}, {mach['cores']} cores, {mach['mem_gb']} GB, {mach['os']}; ISA: "
        f"{', '.join(mach['isa'])} ({amx}).",
        "Implementations: " + ", ".join(versions.values()) + " (the real MLX from pip's "
        "`mlx[cpu]` in .venv-mlxref), all on the CPU.",
        "",
        "Produced by `make bench` (scripts/bench.sh). Each implementation runs in its own process",
        "and the cases are timed interleaved (bench/common.py): every process warms a case up,",
        "then they take turns running it, so load from other users of this shared machine falls",
        "on all of them alike. Times are medians; ratios are other / mlxc, so > 1 means mlxc is",
        "faster. Absolute times vary from run to run on a shared machine; ratios within a run",
        "hold.",
        "",
    ]
    tri = None
    body = []
    if ops:
        body += elementwise_section(ops["rows"], versions)
        bw_lines, tri = bandwidth_section(ops["rows"])
        body += bw_lines
        body += families_section(ops["rows"])
    if mm:
        body += matmul_section(mm, mach.get("amx"))
    body += overhead_section(over, mm)
    lines += targets_section(ops, mm, tri, mach) + body
    notes = []
    if os.path.exists(doc):
        old = open(doc).read().splitlines()
        if NOTES in old:
            notes = old[old.index(NOTES):]
    if not notes:
        notes = [NOTES, "## Notes", "", "(none yet)"]
    text = "\n".join(lines + notes) + "\n"
    with open(doc, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
