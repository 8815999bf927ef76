"""Coefficient tables of src/backend/cpu/ew_math.h that this script fitted (the older tables came
from mpmath.chebyfit). Run: .venv/bin/python scripts/fit_vmath.py; prints C arrays.

Fits are near-minimax: weighted least squares on Chebyshev nodes, reweighted toward the points
of largest error. Reported errors are in double; the float32-rounded coefficients were checked
by tests/c/test_vmath.c (ulp errors against libm)."""
import math

import numpy as np


def fit(fn, lo, hi, deg, weight=lambda x: 1.0, center=0.0, n=4000, iters=30):
    """Coefficients (highest power first) of a degree-deg polynomial in (x - center)."""
    x = lo + (hi - lo) * (1 - np.cos(np.pi * (np.arange(n) + 0.5) / n)) / 2
    y = np.array([fn(v) for v in x])
    w = np.array([weight(v) for v in x])
    a = np.vander(x - center, deg + 1)
    lw = np.ones(n)
    for _ in range(iters):
        c, *_ = np.linalg.lstsq(a * (w * lw)[:, None], y * w * lw, rcond=None)
        err = np.abs(a @ c - y) * w
        lw *= (err / err.max()) ** 0.5 + 1e-3
        lw /= lw.max()
    return c, float((np.abs(a @ c - y) * w).max())


def c_floats(name, values):
    body = ", ".join(repr(float(np.float32(v))) + "f" for v in values)
    return f"static const float {name}[] = {{{body}}};"


def c_table(name, rows):
    """rows[j][k]: coefficient j (highest power first) of interval k, as float[J][K]"""
    body = ",\n    ".join("{" + ", ".join(repr(float(np.float32(v))) + "f" for v in row) + "}"
                          for row in rows)
    return f"static const float {name}[{len(rows)}][{len(rows[0])}] = {{\n    {body}}};"


def erf_table():
    """erf on [k/4, (k + 1)/4), k = 0..15, as degree-6 polynomials in t = x - k/4 (relative
    error; interval 0 as t P(t), exact at 0, its t coefficient stored minus 1: erf = t + t q(t),
    as 2/sqrt(pi) in float is 0.9 ulp off, which tiny x would see). Returns (rows, error)."""
    cols, worst = [], 0.0
    for k in range(16):
        lo = k / 4
        if k == 0:
            c, e = fit(lambda x: math.erf(x) / x if x else 2 / math.sqrt(math.pi), 0.0, 0.25, 5)
            c = list(c) + [0.0]
        else:
            c, e = fit(math.erf, lo, lo + 0.25, 6, weight=lambda x: 1 / math.erf(x), center=lo)
        cols.append(list(c))
        worst = max(worst, e)
    rows = [[col[j] for col in cols] for j in range(7)]
    rows[5][0] -= 1.0
    return rows, worst


def main():
    rows, e = erf_table()
    print(f"/* error {e:.1e} */\n" + c_table("ew_erf_tab", rows))
    # erfc(a) = 2^Q(a - 3/2) on [1, 3.92], error weighted by erfc (what reaches erf = 1 - erfc)
    c, e = fit(lambda a: math.log2(math.erfc(a)), 1.0, 3.92, 6,
               weight=lambda a: math.erfc(a) * math.log(2), center=1.5)
    print(f"/* error {e:.1e} */\n" + c_floats("ew_erfc_log2_q", c))
    # 2^r = 1 + r P(r) on [-1/2, 1/2], relative error
    c, e = fit(lambda r: (2.0**r - 1) / r if r else math.log(2), -0.5, 0.5, 5,
               weight=lambda r: abs(r) / 2.0**r)
    print(f"/* error {e:.1e} */\n" + c_floats("ew_exp2_p", c))
    # log1p(t) / t on [0, 1]: the softplus term of logaddexp, log1p(exp(-|a - b|)) = t P(t)
    c, e = fit(lambda t: math.log1p(t) / t if t else 1.0, 0.0, 1.0, 10)
    print(f"/* error {e:.1e} */\n" + c_floats("ew_log1p_unit_p", c))


if __name__ == "__main__":
    main()
