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


def log_table():
    """log(m) for m = getmant(x) in [3/4, 3/2) as log(c) + log1p(r), r = m / c - 1, with 1/c and
    log(c) from 32 entries (vpermt2ps) indexed by bits 18-22 of m: entries 0-15 split [1, 3/2)
    in steps of 1/32, entries 16-31 split [3/4, 1) in steps of 1/64. The two entries next to 1
    keep c = 1 (r = m - 1 exact, no table term, so logs near 1 stay accurate); elsewhere 1/c is
    the float near the interval's midpoint whose -log is nearest a float (within 2^-10 of its
    float's ulp or so: the table's rounding adds almost nothing). Returns (invc, logc, poly,
    error): log1p(r) = r + r^2 P(r) on the r range of all entries."""
    def f32(v):
        return float(np.float32(v))

    invc, logc, rlo, rhi = [], [], 0.0, 0.0
    for j in range(32):
        lo = 1 + j / 32 if j < 16 else 0.75 + (j - 16) / 64
        width = 1 / 32 if j < 16 else 1 / 64
        if j in (0, 31):
            ic = 1.0
        else:
            mid = f32(1 / (lo + width / 2))
            best = None
            for d in range(-2048, 2049):
                cand = f32(mid * (1 + d * 2.0**-24))
                lc = -math.log(cand)
                err = abs(f32(lc) - lc) / abs(lc)
                if best is None or err < best[0]:
                    best = (err, cand)
            ic = best[1]
        invc.append(ic)
        logc.append(f32(-math.log(ic)) + 0.0)
        rlo = min(rlo, lo * ic - 1)
        rhi = max(rhi, (lo + width) * ic - 1)
    c, e = fit(lambda r: (math.log1p(r) - r) / (r * r) if r else -0.5, rlo, rhi, 3,
               weight=lambda r: r * r / max(abs(r), 1e-30))
    return invc, logc, c, e, (rlo, rhi)


def asinh_table():
    """asinh |x| as one degree-6 polynomial in t per interval, 32 entries (vpermt2ps): entry 0 is
    [0, 1/4) in t = |x| (t + t q(t), its t coefficient stored minus 1); entries 1-28 are the
    halves of the octaves 2^-2 .. 2^11, x = 2^e (1 + h/2 + t), t in [0, 1/2); entries 29-30 are
    log(1 + h/2 + t), to which the caller adds (e + 1) log 2 for |x| >= 2^12 (asinh = log 2|x| to
    within 2^-26 there). Returns (rows, starts, worst relative error)."""
    cols, starts, worst = [], [], 0.0
    for k in range(32):
        if k == 0:
            c, e = fit(lambda x: math.asinh(x) / x if x else 1.0, 0.0, 0.25, 5)
            c = list(c) + [0.0]
            c[5] -= 1.0
            start = 0.0
        elif k <= 30:
            h = (k - 1) % 2
            start = 1 + 0.5 * h
            if k <= 28:
                scale = 2.0 ** (-2 + (k - 1) // 2)
                fn = lambda t: math.asinh(scale * (start + t))
                weight = lambda t: 1 / fn(t)
            else:
                fn = lambda t: math.log(start + t)
                weight = lambda t: 1 / (13 * math.log(2))  # the smallest result there: 12 log 2
            c, e = fit(fn, 0.0, 0.5, 6, weight=weight)
            c = list(c)
        else:
            c, e, start = [0.0] * 7, 0.0, 0.0
        cols.append(c)
        starts.append(start)
        worst = max(worst, e)
    return [[col[j] for col in cols] for j in range(7)], starts, worst


def c_doubles(name, values):
    body = ", ".join(float(v).hex() for v in values)
    return f"static const double {name}[] = {{{body}}};"


def pow_tables():
    """pow's tables in double: for m in [3/4, 3/2) by bits 19-22 of float m (entries 0-7: [1, 3/2)
    in steps of 1/16; 8-15: [3/4, 1) in steps of 1/32), 1/c at the interval's midpoint and
    log2(c) (so |r| = |m / c - 1| <= 1/32); 2^(j/16) for j = 0..15; and the Taylor series of
    log2(1 + r) / r (to r^5: truncation 2^-33 relative, t = y log2|x| to 2^-25 up to |t| = 150) and
    2^f (to f^4 on |f| <= 1/32: 2^-34)."""
    invc, log2c = [], []
    for j in range(16):
        lo, width = (1 + j / 16, 1 / 16) if j < 8 else (0.75 + (j - 8) / 32, 1 / 32)
        ic = 1 / (lo + width / 2)
        invc.append(ic)
        log2c.append(-math.log2(ic))
    exp2j = [2.0 ** (j / 16) for j in range(16)]
    log2_p = [(-1) ** k / (k + 1) / math.log(2) for k in range(5, -1, -1)]
    exp2_p = [math.log(2) ** k / math.factorial(k) for k in range(4, 0, -1)]
    return invc, log2c, exp2j, log2_p, exp2_p


def pow_float_tables():
    """pow in float-float, sixteen lanes: log2 m = log2 c + log2(1 + r), 1/c from log_table (r
    from m 1/c by an exact product); log2 c as hi (a multiple of 2^-16, so that e + hi is exact
    for |e| < 256) + lo; log2(1 + r) = r log2(e) + r^2 P(r); 2^(j/32) as hi + lo for j = 0..31 and
    2^f = 1 + f Q(f) on |f| <= 1/64 + 2^-20. Returns (log2c_hi, log2c_lo, P, P error, exp2_hi,
    exp2_lo, Q, Q error)."""
    def f32(v):
        return float(np.float32(v))
    invc, _, _, _, (rlo, rhi) = log_table()
    hi = [round(-math.log2(ic) * 2**16) / 2**16 for ic in invc]
    lo = [f32(-math.log2(ic) - h) for ic, h in zip(invc, hi)]
    import mpmath
    mpmath.mp.dps = 40
    L = 1 / mpmath.log(2)
    p, pe = fit(lambda r: float((mpmath.log(1 + mpmath.mpf(r)) * L - r * L) / mpmath.mpf(r) ** 2)
                if r else float(-L / 2), rlo, rhi, 4)
    e2hi = [f32(2 ** (j / 32)) for j in range(32)]
    e2lo = [f32(2 ** (j / 32) - h) for j, h in zip(range(32), e2hi)]
    b = 1 / 64 + 2**-20
    q, qe = fit(lambda f: (2**f - 1) / f if f else math.log(2), -b, b, 3)
    return hi, lo, p, pe, e2hi, e2lo, q, qe


def tanh_table():
    """tanh on [k/4, (k + 1)/4), k = 0..30, and [31/4, 10] (|x| clamped to 10: tanh rounds to 1
    beyond 9.01) as degree-6 polynomials in t = |x| - k/4 (relative error); interval 0 as t + t q(t)
    (its t coefficient stored minus 1). Returns (rows, worst error)."""
    cols, worst = [], 0.0
    for k in range(32):
        lo = k / 4
        if k == 0:
            c, e = fit(lambda x: math.tanh(x) / x if x else 1.0, 0.0, 0.25, 5)
            c = list(c) + [0.0]
            c[5] -= 1.0
        else:
            c, e = fit(math.tanh, lo, 10.0 if k == 31 else lo + 0.25, 6,
                       weight=lambda x: 1 / math.tanh(x), center=lo)
            c = list(c)
        cols.append(c)
        worst = max(worst, e)
    return [[col[j] for col in cols] for j in range(7)], worst


def tan_poly():
    """tan r = r + r z T(z), z = r^2, |r| <= 0.87 (pi/4 and the float reduction's overshoot for
    |x| up to 2^20: n = round(x 2/pi) in float is off by up to 0.05; relative error)."""
    def g(z):
        r = math.sqrt(z)
        return (math.tan(r) / r - 1) / z if z else 1 / 3

    def w(z):
        r = math.sqrt(z)
        return z * r / math.tan(r) if z else 0.0
    return fit(g, 0.0, 0.87 ** 2, 6, weight=w)


def logaddexp_table():
    """log1p(exp(-d)) on [k/2, (k + 1)/2), k = 0..31, as degree-5 polynomials in t = d - k/2
    (relative error): logaddexp = max + this at d = |a - b| < 16. Returns (rows, error)."""
    cols, worst = [], 0.0
    for k in range(32):
        f = lambda d: math.log1p(math.exp(-d))
        c, e = fit(f, k / 2, k / 2 + 0.5, 5, weight=lambda d: 1 / f(d), center=k / 2)
        cols.append(list(c))
        worst = max(worst, e)
    return [[col[j] for col in cols] for j in range(6)], worst


def unit_table(f, slope0):
    """An odd f on (-1, 1) with a singularity at 1 (atanh, erfinv) as degree-6 polynomials from
    32 entries: 0-7 the intervals [k/16, (k + 1)/16] of |x| in t = |x| - k/16 (entry 0 as t + t
    q(t), f'(0) = slope0, its t coefficient stored minus 1), 8-31 the halves of the octaves
    2^-2 .. 2^-13 of w = 1 - |x| = 2^e m in t = m - start, start 3/2 or 1 (relative error).
    Returns (rows, starts, error)."""
    cols, starts, worst = [], [], 0.0
    for k in range(8):
        if k == 0:
            c, e = fit(lambda x: f(x) / x if x else slope0, 0.0, 1 / 16, 5)
            c = list(c) + [0.0]
            c[5] -= 1.0
        else:
            c, e = fit(f, k / 16, (k + 1) / 16, 6, weight=lambda x: 1 / f(x), center=k / 16)
        cols.append(list(c))
        starts.append(k / 16)
        worst = max(worst, e)
    for j in range(24):
        ex, start = -2 - j // 2, 1.5 if j % 2 == 0 else 1.0
        g = lambda t: f(1 - 2.0 ** ex * (start + t))
        c, e = fit(g, 0.0, 0.5, 6, weight=lambda t: 1 / g(t))
        cols.append(list(c))
        starts.append(start)
        worst = max(worst, e)
    return [[col[j] for col in cols] for j in range(7)], starts, worst


def sincos_polys():
    """sin r = r + r z S(z) and cos r = 1 + z C(z), z = r^2, |r| <= 0.87 (as tan_poly), four
    coefficients each (one Horner over coefficients picked per lane); relative errors."""
    def s(z):
        r = math.sqrt(z)
        return (math.sin(r) / r - 1) / z if z > 1e-12 else -1 / 6

    def c(z):
        return (math.cos(math.sqrt(z)) - 1) / z if z > 1e-12 else -0.5
    return (fit(s, 0.0, 0.87 ** 2, 3, weight=lambda z: z / (1 - z / 6)),
            fit(c, 0.0, 0.87 ** 2, 3, weight=lambda z: z / math.cos(math.sqrt(z))))


def main():
    hi, lo, p, pe, e2hi, e2lo, q, qe = pow_float_tables()
    for name, v in (("ew_powf_log2c_hi", hi), ("ew_powf_log2c_lo", lo), ("ew_powf_exp2_hi", e2hi),
                    ("ew_powf_exp2_lo", e2lo)):
        print(c_floats(name, v))
    print(f"/* error {pe:.1e} */\n" + c_floats("ew_powf_log2_p", p))
    print(f"/* error {qe:.1e} */\n" + c_floats("ew_powf_exp2_p", q))
    import mpmath
    mpmath.mp.dps = 30
    for name, fn, s0 in (("atanh", math.atanh, 1.0),
                         ("erfinv", lambda x: float(mpmath.erfinv(x)), math.sqrt(math.pi) / 2)):
        rows, starts, e = unit_table(fn, s0)
        print(f"/* error {e:.1e} */\n" + c_table(f"ew_{name}_tab", rows))
        if name == "atanh":
            print(c_floats("ew_unit_start", starts))
    rows, e = logaddexp_table()
    print(f"/* error {e:.1e} */\n" + c_table("ew_logaddexp_tab", rows))
    for name, (c, e) in zip(("ew_sin_p", "ew_cos_p"), sincos_polys()):
        print(f"/* error {e:.1e} */\n" + c_floats(name, c))
    c, e = tan_poly()
    print(f"/* error {e:.1e} */\n" + c_floats("ew_tan_p", c))
    rows, e = tanh_table()
    print(f"/* error {e:.1e} */\n" + c_table("ew_tanh_tab", rows))
    for name, v in zip(("ew_pow_invc", "ew_pow_log2c", "ew_pow_exp2j", "ew_pow_log2_p",
                        "ew_pow_exp2_p"), pow_tables()):
        print(c_doubles(name, v))
    rows, starts, e = asinh_table()
    print(f"/* error {e:.1e} */\n" + c_table("ew_asinh_tab", rows))
    print(c_floats("ew_asinh_start", starts))
    invc, logc, c, e, rr = log_table()
    print(f"/* r in [{rr[0]:.5f}, {rr[1]:.5f}], error {e:.1e} */\n" + c_floats("ew_log_invc", invc))
    print(c_floats("ew_log_logc", logc) + "\n" + c_floats("ew_log_tab_p", c))
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
