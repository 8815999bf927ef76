"""Writes docs/C_API_COVERAGE.md: for every mlx-c v0.6.0 function (the list in
/work/shared/spec/mlx_c_api.txt, or $MLXC_API_SPEC), whether our headers declare it, whether the
built libmlxc.so exports it, and which C test files call it.

    python scripts/api_coverage.py BUILD_DIR [--out docs/C_API_COVERAGE.md]
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.environ.get("MLXC_API_SPEC", "/work/shared/spec/mlx_c_api.txt")


def spec_functions(path):
    """[(header, [names])] in the spec's order."""
    groups, cur = [], None
    for line in open(path):
        m = re.match(r"## (\w+\.h) \(\d+\)", line)
        if m:
            cur = (m.group(1), [])
            groups.append(cur)
        elif line.startswith("## "):
            cur = None
        elif cur is not None:
            f = re.search(r"\b(mlx_\w+)\s*\(", line)
            if f:
                cur[1].append(f.group(1))
    return groups


def strip_c(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r'"(\\.|[^"\\])*"', '""', text)


def declared_names():
    inc = os.path.join(ROOT, "include", "mlx", "c")
    names = set()
    for f in os.listdir(inc):
        if f.endswith(".h"):
            names |= set(re.findall(r"\b(mlx_\w+)\s*\(", strip_c(open(os.path.join(inc, f)).read())))
    return names


def exported_names(build):
    out = subprocess.run(["nm", "-D", "--defined-only", os.path.join(build, "libmlxc.so")],
                         capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split()}


def test_callers():
    tdir = os.path.join(ROOT, "tests", "c")
    callers = {}
    for f in sorted(os.listdir(tdir)):
        if f.endswith((".c", ".h")):
            stem = f.rsplit(".", 1)[0].removeprefix("test_")
            for n in set(re.findall(r"\b(mlx_\w+)\b", strip_c(open(os.path.join(tdir, f)).read()))):
                callers.setdefault(n, []).append(stem)
    return callers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "C_API_COVERAGE.md"))
    args = ap.parse_args()
    groups = spec_functions(SPEC)
    decl, exp, callers = declared_names(), exported_names(args.build), test_callers()
    total = sum(len(n) for _, n in groups)
    n_decl = sum(n in decl for _, ns in groups for n in ns)
    n_impl = sum(n in exp for _, ns in groups for n in ns)
    n_test = sum(n in exp and n in callers for _, ns in groups for n in ns)
    lines = [
        "# mlx-c API coverage",
        "",
        f"**Summary:** of mlx-c v0.6.0's {total} functions, {n_decl} are declared in "
        f"`include/mlx/c/`, {n_impl} are exported by `libmlxc.so` and {n_test} of those are "
        "called from a C test.",
        "",
        "Made by `python scripts/api_coverage.py BUILD_DIR` (re-run it to refresh this file): "
        "*declared* = a prototype in our headers; *implemented* = `nm -D --defined-only "
        "libmlxc.so` lists it; *C tests* = the files in `tests/c/` that name it (comments and "
        "strings stripped; `api_errors` and `prim_rules` reach many ops through tables).",
        "",
        "| header | functions | declared | implemented | called from a C test |",
        "|---|---|---|---|---|",
    ]
    for h, ns in groups:
        lines.append(f"| {h} | {len(ns)} | {sum(n in decl for n in ns)} | "
                     f"{sum(n in exp for n in ns)} | {sum(n in exp and n in callers for n in ns)} |")
    for h, ns in groups:
        lines += ["", f"## {h}", "", "| function | declared | implemented | C tests |",
                  "|---|---|---|---|"]
        for n in ns:
            tests = ", ".join(callers.get(n, [])) or "-"
            lines.append(f"| `{n}` | {'yes' if n in decl else '**no**'} | "
                         f"{'yes' if n in exp else '**no**'} | {tests} |")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{args.out}: {total} functions, {n_decl} declared, {n_impl} implemented, "
          f"{n_test} tested", file=sys.stderr)


if __name__ == "__main__":
    main()
