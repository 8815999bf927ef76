"""Differential sweep of the remaining mlx.core op families, ours against the real MLX (CPU):
linalg, fft, random (bit-exact), fast, convolutions, einsum and products, quantization, and
miscellaneous ops (clip/where/pad/as_strided/view/scatter/.at/median/topk/array printing).

    PYTHONPATH=<build>/python .venv/bin/python scripts/compare_ops_with_mlx_more.py \
        [--mlx /tmp/mlxref/bin/python] [--out /tmp/compare_ops_more.json] [--lines 300]

The machinery (running itself in each environment with --dump, crash resume, comparison with
rtol = atol = 1e-5 / 2e-3 float16 / 1.6e-2 bfloat16, the grouped report) is that of
compare_ops_with_mlx.py. Inputs come from numpy's default_rng(0). Decompositions compare in
invariant forms: reconstructions (Q@R, U@diag(S)@Vt, L[P]@U, V@diag(w)@V^T), abs of factor and
eigenvector entries, sorted eigenvalues, and zeros_like(factor) for the factors' dtypes and
shapes. Random draws compare twice: "#0" the values (with tolerance) and "#1" their float32 bit
patterns as uint32 (exact), so a "#1" difference without a "#0" one is a rounding difference."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_ops_with_mlx as base  # noqa: E402

INF, NAN = float("inf"), float("nan")


def cases(mx):
    """Each family draws its inputs eagerly from its own default_rng(0) (never inside a thunk:
    after a crash the dump resumes by re-enumerating the cases without running them)."""
    for family in (linalg_cases, fft_cases, random_cases, fast_cases, conv_cases, product_cases,
                   quant_cases, misc_cases):
        rng = np.random.default_rng(0)
        draw = lambda *s, rng=rng: rng.standard_normal(s).astype(np.float32)  # noqa: E731
        for name, fn, ins in family(mx, draw):
            yield name, lambda fn=fn: evaluated(mx, fn()), ins


def evaluated(mx, r):
    """mx.eval()s the result's arrays: the real MLX loses an eval error (linalg.inv of a singular
    matrix) when the array is first read through numpy's buffer protocol, as to_rec does."""
    mx.eval([x for x in (r if isinstance(r, (list, tuple)) else [r]) if isinstance(x, mx.array)])
    return r


def A(mx, x, dt=None):
    return mx.array(x, dtype=getattr(mx, dt) if dt else None)


# ---------------------------------------------------------------------------------- 1. linalg
def linalg_cases(mx, R):
    la = mx.linalg
    n = lambda a: np.array(a.astype(mx.float32) if a.dtype == mx.float16 else a)  # noqa: E731
    z = mx.zeros_like
    sq, tall, wide, bat = R(4, 4), R(5, 3), R(3, 5), R(2, 3, 3)
    m = R(4, 4)
    spd = m @ m.T + 4 * np.eye(4, dtype=np.float32)
    mb = R(2, 3, 3)
    spdb = mb @ mb.transpose(0, 2, 1) + 3 * np.eye(3, dtype=np.float32)
    sym = (sq + sq.T) / 2
    e4 = np.eye(4, dtype=np.float32)
    lo, up = np.tril(sq) + 3 * e4, np.triu(sq) + 3 * e4
    realeig = np.array([[2, 1, 0], [0.5, 3, 1], [0, 0.25, 5]], np.float32)
    rot = np.array([[0, -1], [1, 0]], np.float32)
    mats = dict(sq=sq, tall=tall, wide=wide, batch=bat)
    ins = [(k, A(mx, v)) for k, v in mats.items()] + [("sq-f64", A(mx, sq, "float64")),
                                                      ("batch-f64", A(mx, bat, "float64"))]
    # norms
    vec, mat, ten = R(5), R(3, 4), R(2, 3, 4)
    ords = [None, "fro", "nuc", INF, -INF, 1, -1, 2, -2, 0, 3]
    axes = dict(vec=[None, 0, -1], mat=[None, 0, 1, (0, 1), (1, 0)], ten=[None, -1, (1, 2), (0, 2)],
                **{"mat-f64": [None, 1, (0, 1)]})
    arrs = {"vec": A(mx, vec), "mat": A(mx, mat), "ten": A(mx, ten),
            "mat-f64": A(mx, mat, "float64")}
    for k, a in arrs.items():
        for o in ords:
            for ax in axes[k]:
                for kd in (False, True):
                    yield (f"linalg/norm/{k},ord={o},axis={ax},kd={int(kd)}",
                           lambda a=a, o=o, ax=ax, kd=kd: la.norm(a, o, ax, kd), [])
    yield "linalg/norm/int32-vec", lambda: la.norm(mx.array([3, 4])), []
    yield "linalg/norm/complex-vec", lambda: la.norm(mx.array([3 + 4j, 1j])), []
    yield "linalg/norm/float16-mat", lambda: la.norm(A(mx, mat, "float16")), []

    def qr(a):
        q, r = la.qr(a)
        return [q @ r, mx.abs(q), mx.abs(r), z(q), z(r)]

    def svd(a):
        u, s, vt = la.svd(a)
        k = s.shape[-1]
        return [(u[..., :, :k] * s[..., None, :]) @ vt[..., :k, :], s, mx.abs(u[..., :, :k]),
                mx.abs(vt[..., :k, :]), z(u), z(vt)]

    def lu(a):
        p, lo_, up_ = la.lu(a)
        pn = n(p).astype(np.int64)
        rec = np.take_along_axis(n(lo_), pn[..., None], axis=-2) @ n(up_)
        return [mx.array(rec), z(p), z(lo_), z(up_)]

    def lu_factor(a):
        lu_, piv = la.lu_factor(a)
        f, pv = n(lu_), n(piv).astype(np.int64)
        k = min(f.shape[-2:])
        L = np.tril(f, -1)[..., :, :k] + np.eye(f.shape[-2], k)
        U = np.triu(f)[..., :k, :]
        prod, out = L @ U, np.zeros_like(f)
        for idx in np.ndindex(*f.shape[:-2]):
            rows = np.arange(f.shape[-2])
            for i, p in enumerate(pv[idx]):
                rows[i], rows[p] = rows[p], rows[i]
            out[idx][rows] = prod[idx]
        return [mx.array(out), z(lu_), z(piv)]

    for k, a in ins:
        yield f"linalg/qr/{k}", lambda a=a: qr(a), []
        yield f"linalg/svd/{k}", lambda a=a: svd(a), []
        yield f"linalg/svd(compute_uv=False)/{k}", lambda a=a: la.svd(a, compute_uv=False), []
        yield f"linalg/pinv/{k}", lambda a=a: la.pinv(a), []
        yield f"linalg/lu/{k}", lambda a=a: lu(a), []
        yield f"linalg/lu_factor/{k}", lambda a=a: lu_factor(a), []
        if k not in ("tall", "wide"):
            yield f"linalg/inv/{k}", lambda a=a: la.inv(a), []
    sing = mx.array([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]])  # exactly singular in float32 LU
    yield "linalg/inv/singular", lambda: la.inv(sing), []
    yield "linalg/inv/int32", lambda: la.inv(mx.array([[2, 0], [0, 4]])), []
    yield "linalg/inv/float16", lambda: la.inv(A(mx, sq, "float16")), []
    yield "linalg/qr/int32", lambda: qr(mx.array([[2, 1], [1, 3]])), []
    for k, t in (("lower", lo), ("upper", up), ("full", sq), ("batch-lower", np.tril(bat) + 2)):
        for u in (False, True):
            yield (f"linalg/tri_inv/{k},upper={u}",
                   lambda t=A(mx, t), u=u: la.tri_inv(t, upper=u), [])
    for k, s in (("spd", A(mx, spd)), ("batch", A(mx, spdb)), ("spd-f64", A(mx, spd, "float64")),
                 ("not-pd", A(mx, sym))):
        for u in (False, True):
            yield f"linalg/cholesky/{k},upper={u}", lambda s=s, u=u: la.cholesky(s, upper=u), []
    L = np.linalg.cholesky(spd.astype(np.float64)).astype(np.float32)
    Lb = np.linalg.cholesky(spdb.astype(np.float64)).astype(np.float32)
    for k, f, u in (("L", L, False), ("U", L.T, True), ("batch-L", Lb, False),
                    ("batch-U", Lb.transpose(0, 2, 1), True), ("L-f64", L, False)):
        f = A(mx, f, "float64" if "f64" in k else None)
        yield f"linalg/cholesky_inv/{k}", lambda f=f, u=u: la.cholesky_inv(f, upper=u), []

    def eigh(a, uplo):
        w, v = la.eigh(a, UPLO=uplo)
        return [w, mx.abs(v), (v * w[..., None, :]) @ mx.swapaxes(v, -1, -2), z(v)]

    for k, s in (("sym", A(mx, sym)), ("nonsym", A(mx, sq)), ("batch", A(mx, spdb)),
                 ("sym-f64", A(mx, sym, "float64"))):
        for uplo in ("L", "U"):
            yield f"linalg/eigh/{k},UPLO={uplo}", lambda s=s, u=uplo: eigh(s, u), []
            yield f"linalg/eigvalsh/{k},UPLO={uplo}", lambda s=s, u=uplo: la.eigvalsh(s, UPLO=u), []

    def eig(a):
        w, v = la.eig(a)
        wn, vn, an = np.array(w), np.array(v), n(a).astype(np.complex128)
        o = np.argsort(wn, axis=-1)  # lexicographic (real, imag)
        ws = np.take_along_axis(wn, o, -1)
        vs = np.take_along_axis(vn, o[..., None, :], -1)
        vs = vs / np.linalg.norm(vs, axis=-2, keepdims=True)
        return [mx.array(ws), mx.array(np.abs(vs)), mx.array(an @ vn - vn * wn[..., None, :]),
                z(w), z(v)]

    for k, s in (("sq", A(mx, sq)), ("realeig", A(mx, realeig)), ("rot", A(mx, rot)),
                 ("batch", A(mx, bat)), ("sq-f64", A(mx, sq, "float64"))):
        yield f"linalg/eig/{k}", lambda s=s: eig(s), []
        yield f"linalg/eigvals/{k}", lambda s=s: mx.array(np.sort(np.array(la.eigvals(s)))), []
        yield f"linalg/eigvals-dtype/{k}", lambda s=s: la.eigvals(s).dtype, []
    b4, b42 = A(mx, R(4)), A(mx, R(4, 2))
    sqa, bata = A(mx, sq), A(mx, bat)
    for k, (a, b) in dict(vec=(sqa, b4), mat=(sqa, b42), batch=(bata, A(mx, R(2, 3))),
                          batch_col=(bata, A(mx, R(2, 3, 1))), bcast=(bata, A(mx, R(3, 2))),
                          f64=(A(mx, sq, "float64"), A(mx, np.array(b4), "float64")),
                          singular=(sing, mx.ones((3,)))).items():
        yield f"linalg/solve/{k}", lambda a=a, b=b: la.solve(a, b), []
    for k, t, u in (("lower", lo, False), ("upper", up, True), ("lower-as-upper", lo, True),
                    ("full,upper=False", sq + 3 * np.eye(4, dtype=np.float32), False)):
        for bk, b in (("vec", b4), ("mat", b42)):
            yield (f"linalg/solve_triangular/{k},{bk}",
                   lambda t=A(mx, t), b=b, u=u: la.solve_triangular(t, b, upper=u), [])
    c1, c2 = R(4, 3), R(4, 3)
    for k, (a, b, ax) in dict(v3=(c1[0], c2[0], -1), batch=(c1, c2, -1), axis0=(c1.T, c2.T, 0),
                              bcast=(c1, c2[0], -1), v2=(c1[0, :2], c2[0, :2], -1),
                              ints=(np.array([1, 2, 3]), np.array([4, 5, 6]), -1)).items():
        yield f"linalg/cross/{k}", lambda a=A(mx, a), b=A(mx, b), ax=ax: la.cross(a, b, axis=ax), []


# ------------------------------------------------------------------------------------- 2. fft
def fft_cases(mx, R):
    f = mx.fft
    c = lambda *s: (R(*s) + 1j * R(*s)).astype(np.complex64)  # noqa: E731
    x8, x7, c8, c7, m46, m53, cm46 = R(8), R(7), c(8), c(7), R(4, 6), R(5, 3), c(4, 6)
    t, ct = R(2, 4, 5), c(2, 4, 5)
    norms = ("backward", "ortho", "forward")
    one = dict(x8=(x8, -1), x7=(x7, -1), c8=(c8, -1), c7=(c7, -1), m46_ax0=(m46, 0),
               cm46_ax0=(cm46, 0), m53_ax1=(m53, 1))
    for op in ("fft", "ifft", "rfft", "irfft"):
        for k, (a, ax) in one.items():
            for nn in (None, 5, 10):
                for nm in norms:
                    yield (f"fft/{op}/{k},n={nn},norm={nm}",
                           lambda g=getattr(f, op), a=A(mx, a), nn=nn, ax=ax, nm=nm:
                           g(a, n=nn, axis=ax, norm=nm), [])
    two = dict(m46=(m46, None), m53=(m53, None), cm46=(cm46, None), t=(t, None),
               t_axes02=(t, (0, 2)), ct_axes10=(ct, (1, 0)))
    for op in ("fft2", "ifft2", "rfft2", "irfft2"):
        for k, (a, axes) in two.items():
            for s in (None, (3, 4), (6, 8)):
                for nm in norms:
                    kw = dict(s=s, norm=nm, **({} if axes is None else dict(axes=axes)))
                    yield (f"fft/{op}/{k},s={s},norm={nm}",
                           lambda g=getattr(f, op), a=A(mx, a), kw=kw: g(a, **kw), [])
    nd = [(None, None), (None, (0, 2)), (None, (1,)), ((3, 3, 3), (0, 1, 2)), ((2, 6), (0, 2)),
          ((4,), (-1,)), (None, ()), ((3, 3, 3), None)]
    for op in ("fftn", "ifftn", "rfftn", "irfftn"):
        for k, a in (("t", t), ("ct", ct), ("x7", x7)):
            for s, axes in nd:
                if k == "x7" and (len(s or ()) > 1 or any(x not in (0, -1) for x in axes or ())):
                    continue
                if s and axes is None and (k != "t" or op != "fftn"):
                    continue
                for nm in ("backward", "ortho"):
                    yield (f"fft/{op}/{k},s={s},axes={axes},norm={nm}",
                           lambda g=getattr(f, op), a=A(mx, a), s=s, ax=axes, nm=nm:
                           g(a, s=s, axes=ax, norm=nm), [])
    yield "fft/fft/int32", lambda: f.fft(mx.arange(6)), []
    yield "fft/rfft/float16", lambda: f.rfft(A(mx, x8, "float16")), []
    yield "fft/fft/n=0", lambda: f.fft(A(mx, x8), n=0), []
    yield "fft/fft/axis=2", lambda: f.fft(A(mx, m46), axis=2), []
    for op in ("fftshift", "ifftshift"):
        for k, a in (("x7", x7), ("x8", x8), ("m53", m53), ("c7", c7)):
            for axes in (None, 0, -1, (0, 1), [1]):
                if a.ndim == 1 and axes not in (None, 0, -1):
                    continue
                yield (f"fft/{op}/{k},axes={axes}",
                       lambda g=getattr(f, op), a=A(mx, a), ax=axes: g(a, axes=ax), [])


# ---------------------------------------------------------------------------------- 3. random
def random_cases(mx, R):
    r = mx.random

    def bits(x):
        """The draw, then its bit pattern (float32 for floats) as uint32, compared exactly."""
        xs = x if isinstance(x, (list, tuple)) else [x]
        out = []
        for y in xs:
            out.append(y)
            if mx.issubdtype(y.dtype, mx.floating):
                out.append(mx.array(np.array(y.astype(mx.float32)).view(np.uint32)))
        return out

    K = lambda s=3: r.key(s)  # noqa: E731
    lg = A(mx, R(3, 5))
    cs = {
        "key(0)": lambda: r.key(0), "key(3)": lambda: r.key(3),
        "key(2**40+5)": lambda: r.key(2**40 + 5),
        "split(key3)": lambda: r.split(K()), "split(key3,3)": lambda: r.split(K(), 3),
        "split(key3,1)": lambda: r.split(K(), 1), "split(split)": lambda: r.split(r.split(K())[1]),
        "uniform(4,5)": lambda: r.uniform(shape=(4, 5), key=K()),
        "uniform()": lambda: r.uniform(key=K()),
        "uniform(7,) key0": lambda: r.uniform(shape=(7,), key=K(0)),
        "uniform(-2,3,(3,3))": lambda: r.uniform(-2, 3, (3, 3), key=K()),
        "uniform(low/high arrays)": lambda: r.uniform(mx.array([0.0, 1, 2, 3, 4]),
                                                      mx.array([[1.0], [10]]), (2, 5), key=K()),
        "uniform(low array, no shape)": lambda: r.uniform(mx.array([0.0, 5]), 6, key=K()),
        "uniform(split key)": lambda: r.uniform(shape=(3, 2), key=r.split(K())[0]),
        "uniform(odd 1001)": lambda: r.uniform(shape=(1001,), key=K(5))[990:],
        "uniform(0,)": lambda: r.uniform(shape=(0, 3), key=K()),
        "normal(4,5)": lambda: r.normal((4, 5), key=K()),
        "normal(loc,scale)": lambda: r.normal((3, 4), loc=2.0, scale=0.5, key=K()),
        "normal(loc,scale arrays)": lambda: r.normal((2, 3), loc=mx.array([0.0, 10, 20]),
                                                     scale=mx.array([[1.0], [0.1]]), key=K()),
        "normal(odd 7)": lambda: r.normal((7,), key=K(11)),
        "truncated_normal(-1,2)": lambda: r.truncated_normal(-1, 2, (4, 5), key=K()),
        "truncated_normal(arrays)": lambda: r.truncated_normal(mx.array([-2.0, 0, 1]),
                                                               mx.array([2.0, 0.5, 3]), key=K()),
        "truncated_normal(shape bcast)": lambda: r.truncated_normal(mx.array([-2.0, 0, 1]), 3.0,
                                                                    (2, 3), key=K()),
        "bernoulli(0.3)": lambda: r.bernoulli(0.3, (4, 5), key=K()),
        "bernoulli()": lambda: r.bernoulli(key=K()),
        "bernoulli(p array)": lambda: r.bernoulli(mx.array([0.1, 0.5, 0.9, 0.0, 1.0]), key=K()),
        "bernoulli(p array,shape)": lambda: r.bernoulli(mx.array([0.1, 0.9]), (3, 2), key=K()),
        "categorical(3,5)": lambda: r.categorical(lg, key=K()),
        "categorical(axis0)": lambda: r.categorical(lg, axis=0, key=K()),
        "categorical(num_samples4)": lambda: r.categorical(lg, num_samples=4, key=K()),
        "categorical(shape(2,3))": lambda: r.categorical(lg, shape=(2, 3), key=K()),
        "categorical(-inf logits)": lambda: r.categorical(
            mx.array([[0.0, -INF, 0], [-INF, 1, -INF]]), num_samples=6, key=K()),
        "gumbel(4,5)": lambda: r.gumbel((4, 5), key=K()),
        "laplace(4,5)": lambda: r.laplace((4, 5), key=K()),
        "laplace(loc,scale)": lambda: r.laplace((6,), loc=1.0, scale=3.0, key=K()),
        "permutation(10)": lambda: r.permutation(10, key=K()),
        "permutation(array)": lambda: r.permutation(mx.arange(12).reshape(4, 3), key=K()),
        "permutation(array,axis1)": lambda: r.permutation(mx.arange(12).reshape(4, 3), axis=1,
                                                          key=K()),
        "permutation(1)": lambda: r.permutation(1, key=K()),
        "multivariate_normal": lambda: r.multivariate_normal(
            mx.array([1.0, -1]), mx.array([[2.0, 0.5], [0.5, 1]]), (3,), key=K()),
        "multivariate_normal(batch mean)": lambda: r.multivariate_normal(
            mx.array([[0.0, 0], [5, 5]]), mx.eye(2), key=K()),
    }
    for dt in ("float16", "bfloat16", "float32"):
        cs[f"uniform({dt})"] = lambda dt=dt: r.uniform(-1, 1, (3, 4), getattr(mx, dt), key=K())
        cs[f"normal({dt})"] = lambda dt=dt: r.normal((3, 4), getattr(mx, dt), key=K())
        cs[f"truncated_normal({dt})"] = lambda dt=dt: r.truncated_normal(
            -0.5, 0.5, (3, 4), getattr(mx, dt), key=K())
        cs[f"gumbel({dt})"] = lambda dt=dt: r.gumbel((5,), getattr(mx, dt), key=K())
        cs[f"laplace({dt})"] = lambda dt=dt: r.laplace((5,), getattr(mx, dt), key=K())
    for dt in ("int32", "int8", "uint8", "int16", "uint32", "int64", "uint64"):
        cs[f"randint(0,10,{dt})"] = lambda dt=dt: r.randint(0, 10, (4, 5), getattr(mx, dt), key=K())
    cs["randint(-5,5)"] = lambda: r.randint(-5, 5, (10,), key=K())
    cs["randint(-2**31,2**31-1)"] = lambda: r.randint(-2**31, 2**31 - 1, (6,), key=K())
    cs["randint(arrays)"] = lambda: r.randint(mx.array([0, 10, 100]), mx.array([[5], [1000]]),
                                              (2, 3), key=K())
    cs["randint(float bounds)"] = lambda: r.randint(0.5, 7.5, (6,), key=K())
    cs["randint(empty range)"] = lambda: r.randint(5, 5, (3,), key=K())

    def seeded():
        r.seed(7)
        out = [r.uniform(shape=(3,)), r.normal((3,)), r.randint(0, 100, (4,)),
               r.bernoulli(0.5, (4,)), r.uniform(shape=(2,)), r.permutation(5)]
        r.seed(7)
        return out + [r.uniform(shape=(3,))]
    cs["seed(7) sequence"] = seeded
    for k, fn in cs.items():
        yield f"random/{k.split('(')[0]}/{k}", lambda fn=fn: bits(fn()), []


# ------------------------------------------------------------------------------------ 4. fast
def fast_cases(mx, R):
    fa = mx.fast
    x, w, b = R(2, 3, 8), R(8), R(8)
    q = R(1, 2, 5, 8)
    freqs = np.exp(np.linspace(0, -3, 4)).astype(np.float32)
    Q, K, V, K2, V2 = R(1, 4, 3, 8), R(1, 4, 5, 8), R(1, 4, 5, 8), R(1, 2, 5, 8), R(1, 2, 5, 8)
    bm = (np.arange(15).reshape(3, 5) % 4 != 1)
    add = R(1, 1, 3, 5)
    for dt in ("float32", "float16"):
        xa, wa, ba = A(mx, x, dt), A(mx, w, dt), A(mx, b, dt)
        yield f"fast/rms_norm/{dt}", lambda: fa.rms_norm(xa, wa, 1e-5), []
        yield f"fast/rms_norm/{dt},w=None", lambda: fa.rms_norm(xa, None, 1e-5), []
        yield f"fast/rms_norm/{dt},eps=1", lambda: fa.rms_norm(xa, wa, 1.0), []
        for wk, ww in (("w", wa), ("None", None)):
            for bk, bb in (("b", ba), ("None", None)):
                yield (f"fast/layer_norm/{dt},w={wk},b={bk}",
                       lambda ww=ww, bb=bb: fa.layer_norm(xa, ww, bb, 1e-5), [])
        qa = A(mx, q, dt)
        for trad in (False, True):
            for dims, base_, sc, off in ((8, 1e4, 1.0, 0), (8, 500.0, 0.5, 3), (4, 1e4, 1.0, 2),
                                         (6, 1e4, 2.0, 1), (8, 1e4, 1.0, "array(4)")):
                offv = mx.array(4) if off == "array(4)" else off
                yield (f"fast/rope/{dt},trad={int(trad)},dims={dims},base={base_:g},scale={sc},"
                       f"off={off}",
                       lambda t=trad, d=dims, bs=base_, sc=sc, o=offv:
                       fa.rope(qa, d, traditional=t, base=bs, scale=sc, offset=o), [])
            yield (f"fast/rope/{dt},trad={int(trad)},freqs",
                   lambda t=trad: fa.rope(qa, 8, traditional=t, base=None, scale=1.0, offset=1,
                                          freqs=mx.array(freqs)), [])
        qq, kk, vv, k2, v2 = (A(mx, a, dt) for a in (Q, K, V, K2, V2))
        masks = dict(none=None, causal="causal", bool=mx.array(bm), additive=A(mx, add, dt))
        for mk, msk in masks.items():
            for sc in (8 ** -0.5, 0.5):
                for kvk, (kx, vx) in (("mha", (kk, vv)), ("gqa", (k2, v2))):
                    yield (f"fast/sdpa/{dt},mask={mk},scale={sc:.3g},{kvk}",
                           lambda kx=kx, vx=vx, sc=sc, m=msk:
                           fa.scaled_dot_product_attention(qq, kx, vx, scale=sc, mask=m), [])
        yield (f"fast/sdpa/{dt},causal,qL>kL",
               lambda: fa.scaled_dot_product_attention(kk, qq, qq, scale=0.3, mask="causal"), [])


# ------------------------------------------------------------------------------------ 5. conv
def conv_cases(mx, R):
    x1, w1, w1g = A(mx, R(2, 9, 4)), A(mx, R(6, 3, 4)), A(mx, R(6, 3, 2))
    for s in (1, 2):
        for p in (0, 2):
            for d in (1, 2):
                yield (f"conv/conv1d/s={s},p={p},d={d}",
                       lambda s=s, p=p, d=d: mx.conv1d(x1, w1, s, p, d), [])
                yield (f"conv/conv1d/s={s},p={p},d={d},g=2",
                       lambda s=s, p=p, d=d: mx.conv1d(x1, w1g, s, p, d, 2), [])
    x2, w2, w2g = A(mx, R(1, 7, 6, 4)), A(mx, R(4, 3, 2, 4)), A(mx, R(4, 3, 2, 1))
    for s, p, d in (((1, 1), 0, 1), ((2, 1), (1, 0), 1), (1, 1, (1, 2)), (2, (2, 1), 2)):
        yield f"conv/conv2d/s={s},p={p},d={d}", lambda s=s, p=p, d=d: mx.conv2d(x2, w2, s, p, d), []
        yield (f"conv/conv2d/s={s},p={p},d={d},g=4",
               lambda s=s, p=p, d=d: mx.conv2d(x2, w2g, s, p, d, 4), [])
    x3, w3 = A(mx, R(1, 5, 4, 6, 2)), A(mx, R(3, 2, 2, 3, 2))
    for s, p, d in ((1, 0, 1), ((2, 1, 1), 1, 1), (1, (0, 1, 2), (1, 2, 1))):
        yield f"conv/conv3d/s={s},p={p},d={d}", lambda s=s, p=p, d=d: mx.conv3d(x3, w3, s, p, d), []
    xt1, wt1, wt1g = A(mx, R(2, 5, 4)), A(mx, R(3, 3, 4)), A(mx, R(4, 3, 2))
    for s, p, d, op in ((1, 0, 1, 0), (2, 0, 1, 0), (2, 1, 1, 1), (1, 1, 2, 0), (3, 2, 1, 2)):
        yield (f"conv/conv_transpose1d/s={s},p={p},d={d},op={op}",
               lambda s=s, p=p, d=d, op=op: mx.conv_transpose1d(xt1, wt1, s, p, d, op), [])
    yield ("conv/conv_transpose1d/g=2",
           lambda: mx.conv_transpose1d(xt1, wt1g, 2, 1, 1, 0, 2), [])
    xt2, wt2 = A(mx, R(1, 4, 3, 2)), A(mx, R(3, 2, 3, 2))
    for s, p, d, op in ((1, 0, 1, 0), ((2, 1), (1, 0), 1, 0), (2, 1, (2, 1), 1)):
        yield (f"conv/conv_transpose2d/s={s},p={p},d={d},op={op}",
               lambda s=s, p=p, d=d, op=op: mx.conv_transpose2d(xt2, wt2, s, p, d, op), [])
    xt3, wt3 = A(mx, R(1, 3, 2, 3, 2)), A(mx, R(2, 2, 2, 2, 2))
    for s, p, d, op in ((1, 0, 1, 0), (2, 1, 1, 1), ((1, 2, 1), (0, 1, 0), 1, 0)):
        yield (f"conv/conv_transpose3d/s={s},p={p},d={d},op={op}",
               lambda s=s, p=p, d=d, op=op: mx.conv_transpose3d(xt3, wt3, s, p, d, op), [])
    gx, gw, gwg = A(mx, R(1, 6, 5, 4)), A(mx, R(2, 3, 2, 4)), A(mx, R(4, 3, 2, 2))
    for kw in (dict(), dict(stride=(2, 1)), dict(padding=1), dict(padding=([1, 0], [0, 2])),
               dict(padding=([2, 1], [1, 2]), stride=2), dict(kernel_dilation=(2, 1)),
               dict(input_dilation=2), dict(input_dilation=(1, 2), padding=([0, 1], [1, 0])),
               dict(flip=True), dict(flip=True, padding=1, kernel_dilation=2),
               dict(groups=2, w="g"), dict(groups=2, flip=True, stride=(1, 2), w="g")):
        kw = dict(kw)
        w = gwg if kw.pop("w", None) else gw
        yield (f"conv/conv_general/{kw}".replace(" ", ""),
               lambda w=w, kw=kw: mx.conv_general(gx, w, **kw), [])
    a7, v3, v8, v1 = A(mx, R(7)), A(mx, R(3)), A(mx, R(8)), A(mx, R(1))
    ints = (mx.array([1, 2, 3]), mx.array([0, 1]))
    for k, (a, v) in dict(a7v3=(a7, v3), a7v8=(a7, v8), a7v1=(a7, v1), ints=ints).items():
        for mode in ("full", "same", "valid"):
            yield f"conv/convolve/{k},{mode}", lambda a=a, v=v, m=mode: mx.convolve(a, v, m), []


# ------------------------------------------------------------------------ 6. einsum, products
def product_cases(mx, R):
    a34, b45, s33, v3, v4 = R(3, 4), R(4, 5), R(3, 3), R(3), R(4)
    t234, t2345, b234, b245 = R(2, 3, 4), R(2, 3, 4, 5), R(2, 3, 4), R(2, 4, 5)
    c5, c56 = R(5), R(5, 6)
    subs = [("ij,jk->ik", a34, b45), ("ii->", s33), ("ii->i", s33), ("ij->ji", a34),
            ("i,j->ij", v3, v4), ("...ij,...jk->...ik", b234, b245), ("bij,bjk->bik", b234, b245),
            ("ij,ij->", a34, a34), ("ijk->kji", t234), ("i,i->", v3, v3), ("ij,kl->ijkl", a34, s33),
            ("...i,...i->...", t234, t234), ("abc,cd,de->abe", t234, b45, c56), ("ii", s33),
            ("ij,jk", a34, b45), ("ab,ab->a", a34, a34), ("i...->...", t234), ("ijkl->li", t2345),
            ("iij->j", np.stack([s33] * 2, -1)), ("ba,ca->bc", a34, a34), ("i,i,i->i", v3, v3, v3)]
    for s, *ops in subs:
        ops = [A(mx, o) for o in ops]
        yield f"prod/einsum/{s}", lambda s=s, ops=ops: mx.einsum(s, *ops), []
        yield (f"prod/einsum_path/{s}",
               lambda s=s, ops=ops: [str(x) for x in mx.einsum_path(s, *ops)], [])
    yield ("prod/einsum/int32",
           lambda: mx.einsum("ij,j->i", mx.arange(6).reshape(2, 3), mx.arange(3)), [])
    yield "prod/einsum/bad", lambda: mx.einsum("ij,jk->ik", A(mx, a34), A(mx, a34)), []
    ta, tb = A(mx, t234), A(mx, R(3, 4, 5))
    for ax in (2, 1, 0, [[1, 2], [0, 1]], [[2], [1]], [[0, 1], [1, 0]]):
        bb = A(mx, R(4, 5)) if ax == 1 else A(mx, R(2, 3)) if ax == 0 else tb
        if ax == [[0, 1], [1, 0]]:
            bb = A(mx, R(3, 2, 5))
        yield (f"prod/tensordot/axes={ax}".replace(" ", ""),
               lambda ax=ax, bb=bb: mx.tensordot(ta, bb, ax), [])
    for k, (x, y) in dict(m23_m22=(R(2, 3), R(2, 2)), v_m=(v3, R(2, 2)), t=(R(2, 1, 2), R(2, 2)),
                          ints=(np.arange(4).reshape(2, 2), np.array([[1, 0], [0, 1]]))).items():
        yield f"prod/kron/{k}", lambda x=A(mx, x), y=A(mx, y): mx.kron(x, y), []
    two = dict(vv=(v3, v3), mm=(a34, a34), mv=(a34, v4), s=(np.float32(2.0), a34))
    for k, (x, y) in two.items():
        yield f"prod/inner/{k}", lambda x=A(mx, x), y=A(mx, y): mx.inner(x, y), []
        yield f"prod/outer/{k}", lambda x=A(mx, x), y=A(mx, y): mx.outer(x, y), []
    cx = (R(3, 4) + 1j * R(3, 4)).astype(np.complex64)
    i23 = np.arange(6).reshape(2, 3)
    for k, (x, y, ax) in dict(m_last=(a34, a34, -1), m_ax0=(a34, a34, 0), bcast=(a34, v4, -1),
                              cplx=(cx, cx, -1), ints=(i23, i23, -1)).items():
        yield f"prod/vecdot/{k}", lambda x=A(mx, x), y=A(mx, y), ax=ax: mx.vecdot(x, y, axis=ax), []
    c, ca, cb = A(mx, R(3, 5)), A(mx, a34), A(mx, b45)
    cnan = mx.array(np.full((3, 5), np.nan, np.float32))
    for k, (cc, al, be) in dict(default=(c, 1.0, 1.0), ab=(c, 2.0, 0.5),
                                bcast=(A(mx, R(5)), 1.0, -1.0), beta0_nan=(cnan, 1.0, 0.0),
                                alpha0=(c, 0.0, 1.0)).items():
        yield f"prod/addmm/{k}", lambda cc=cc, al=al, be=be: mx.addmm(cc, ca, cb, al, be), []
    yield ("prod/addmm/batched",
           lambda c=A(mx, R(2, 3, 5)), a=A(mx, R(2, 3, 4)): mx.addmm(c, a, cb, 0.5, 2.0), [])
    ba, bb2 = A(mx, R(64, 64)), A(mx, R(64, 96))
    mo = mx.array([[True, False, True], [False, True, True]])
    ml = mx.array([[True, False], [True, True]])
    mr = mx.array([[True, True, False], [False, True, True]])
    fl, fr = mx.array([[0.5, 0.0], [2.0, 1.0]]), mx.array([[1.0, -1, 0], [2, 1, 0.5]])
    for k, kw in dict(out=dict(mask_out=mo), lhs_rhs=dict(mask_lhs=ml, mask_rhs=mr),
                      all=dict(mask_out=mo, mask_lhs=ml, mask_rhs=mr),
                      float=dict(mask_lhs=fl, mask_rhs=fr), none=dict()).items():
        yield f"prod/block_masked_mm/{k}", lambda kw=kw: mx.block_masked_mm(ba, bb2, 32, **kw), []
    ga, gb = A(mx, R(3, 2, 4)), A(mx, R(4, 4, 5))
    li, ri = mx.array([0, 2, 2, 1]), mx.array([3, 0, 0, 1])
    yield "prod/gather_mm/both", lambda: mx.gather_mm(ga, gb, li, ri), []
    yield "prod/gather_mm/rhs", lambda a=A(mx, R(4, 2, 4)): mx.gather_mm(a, gb, None, ri), []
    yield "prod/gather_mm/lhs", lambda b=A(mx, R(4, 5)): mx.gather_mm(ga, b, li, None), []
    yield ("prod/gather_mm/sorted",
           lambda: mx.gather_mm(ga, gb, mx.array([0, 0, 1, 2]), mx.array([0, 1, 1, 3]),
                                sorted_indices=True), [])
    yield ("prod/gather_mm/2d-idx",
           lambda: mx.gather_mm(ga, gb, li.reshape(2, 2), ri.reshape(2, 2)), [])
    sa, sb = A(mx, R(3, 10)), A(mx, R(10, 4))
    for k, seg in dict(two=[[0, 4], [4, 10]], overlap_empty=[[0, 10], [3, 3], [2, 7]],
                       batch=[[[0, 5], [5, 10]]]).items():
        yield (f"prod/segmented_mm/{k}",
               lambda seg=mx.array(seg, mx.uint32): mx.segmented_mm(sa, sb, seg), [])
    for k, shp in dict(n8=(3, 8), n16=(2, 16), n1=(2, 1), n12=(2, 12), n20=(1, 20), n24=(1, 24),
                       n6=(1, 6)).items():
        h = A(mx, R(*shp))
        yield f"prod/hadamard_transform/{k}", lambda h=h: mx.hadamard_transform(h), []
        yield (f"prod/hadamard_transform/{k},scale=0.5",
               lambda h=h: mx.hadamard_transform(h, 0.5), [])
    yield ("prod/hadamard_transform/float16",
           lambda h=A(mx, R(2, 16), "float16"): mx.hadamard_transform(h), [])


# ------------------------------------------------------------------------------ 7. quantize
def quant_cases(mx, R):
    w = A(mx, R(64, 256))
    x, xt = A(mx, R(3, 256) / 16), A(mx, R(3, 64) / 8)  # / sqrt(K): O(1) outputs for atol
    for bits in (2, 3, 4, 5, 6, 8):
        for gs in (32, 64, 128):
            def q(bits=bits, gs=gs):
                wq, s, b = mx.quantize(w, gs, bits)
                return [wq, s, b, mx.dequantize(wq, s, b, gs, bits),
                        mx.quantized_matmul(x, wq, s, b, True, gs, bits),
                        mx.quantized_matmul(xt, wq, s, b, False, gs, bits)]
            yield f"quant/affine/bits={bits},gs={gs}", q, []
    for mode, gs, bits in (("mxfp4", 32, 4), ("mxfp8", 32, 8), ("nvfp4", 16, 4)):
        def qf(mode=mode, gs=gs, bits=bits):
            wq, s = mx.quantize(w, mode=mode)[:2]
            return [wq, s, mx.dequantize(wq, s, mode=mode),
                    mx.quantized_matmul(x, wq, s, transpose=True, mode=mode),
                    mx.quantized_matmul(xt, wq, s, transpose=False, mode=mode)]
        yield f"quant/{mode}/default", qf, []
        yield (f"quant/{mode}/explicit gs,bits",
               lambda mode=mode, gs=gs, bits=bits: list(mx.quantize(w, gs, bits, mode=mode)), [])
        yield f"quant/{mode}/len(quantize)", lambda mode=mode: len(mx.quantize(w, mode=mode)), []
    wst = A(mx, R(3, 32, 128))
    xg = A(mx, R(2, 1, 128) / 11.3)

    def gq(mode="affine", rhs=(2, 0), lhs=None):
        qs = mx.quantize(wst, mode=mode)
        wq, s, b = qs[0], qs[1], (qs[2] if len(qs) > 2 and mode == "affine" else None)
        return mx.gather_qmm(xg, wq, s, b, lhs_indices=None if lhs is None else mx.array(lhs),
                             rhs_indices=mx.array(rhs), transpose=True, mode=mode)
    yield "quant/gather_qmm/affine", gq, []
    yield "quant/gather_qmm/affine,lhs", lambda: gq(lhs=(1, 1), rhs=(0, 2)), []
    yield "quant/gather_qmm/mxfp4", lambda: gq("mxfp4"), []
    vals = mx.array([0.0, -0.0, 1, -1, 0.3, 448, 500, -1000, 1e-3, 2e-3, 1e-9, INF, -INF, NAN,
                     0.0625, 17.5])
    yield "quant/to_fp8/float32", lambda: mx.to_fp8(vals), []
    yield "quant/to_fp8/float16", lambda: mx.to_fp8(vals.astype(mx.float16)), []
    yield "quant/to_fp8/bfloat16", lambda: mx.to_fp8(vals.astype(mx.bfloat16)), []
    allb = mx.arange(256).astype(mx.uint8)
    for dt in ("float32", "float16", "bfloat16"):
        yield f"quant/from_fp8/{dt}", lambda dt=dt: mx.from_fp8(allb, getattr(mx, dt)), []
    yield "quant/from_fp8/default", lambda: mx.from_fp8(allb), []


# ---------------------------------------------------------------------------------- 8. misc
REPR_VALS = dict(b=[True, False, True, True, False, False],
                 i=[0, 1, -1, 127, -128, 42], u=[0, 1, 2, 255, 100, 42],
                 f=[0.0, 1.5, -2.25e-5, 1e10, 3.14159265, -0.0],
                 fs=[1.0, INF, -INF, NAN, 123456.789, 1e-8],
                 c=[1 + 2j, -0.5j, 0, 3.25 - 1e-6j, 1e8 + 1j, -1])


def misc_cases(mx, R):
    xf, xi = A(mx, R(3, 4)), mx.arange(12).reshape(3, 4)
    lo_, hi_ = A(mx, R(4)), A(mx, R(3, 1) + 1)
    for k, (a, lo, hi) in dict(both=(xf, -0.5, 0.5), min_none=(xf, None, 0.2),
                               max_none=(xf, -0.2, None), arrays=(xf, lo_, hi_),
                               lo_gt_hi=(xf, 1.0, -1.0), both_none=(xf, None, None),
                               int_float=(xi, 2.5, 8.5), int_int=(xi, 3, 7),
                               nan=(mx.array([NAN, 1, 5]), 0, 2),
                               uint8_neg=(mx.array([0, 5, 250], mx.uint8), -1, 300)).items():
        yield f"misc/clip/{k}", lambda a=a, lo=lo, hi=hi: mx.clip(a, lo, hi), []
    cond = mx.array([True, False, True, False])
    for k, args in dict(scalars=(cond, 1, 2.5), int_int=(cond, 1, 2), arr_scalar=(cond, xi[0], 2.5),
                        scalar_arr=(cond, -1, A(mx, R(4), "float16")), all_scalar=(True, 1, 2),
                        int_cond=(mx.array([0, 2, -1, 0]), 1.0, 0.0), bool_vals=(cond, True, 3),
                        bcast=(mx.array([[True], [False]]), xi[0], mx.array([9, 8, 7, 6], mx.int8)),
                        float_cond=(0.0, 1, 2)).items():
        yield f"misc/where/{k}", lambda args=args: mx.where(*args), []
    p3 = A(mx, R(2, 3, 4))
    for mode in ("constant", "edge", "symmetric", "reflect"):
        for w in (1, (1, 2), [(0, 0), (2, 1), (1, 3)], [(0, 0), (0, 0), (5, 5)], 0):
            yield (f"misc/pad/{mode},{w}".replace(" ", ""),
                   lambda m=mode, w=w: mx.pad(p3, w, mode=m), [])
    yield "misc/pad/constant_values=array", lambda: mx.pad(xf, 1, constant_values=mx.array(2.5)), []
    yield "misc/pad/int,cv=2.7", lambda: mx.pad(xi, 1, constant_values=2.7), []
    yield "misc/pad/negative", lambda: mx.pad(xf, -1), []
    a12 = mx.arange(12, dtype=mx.float32)
    for k, (sh, st, off) in dict(win=((3, 3), (2, 1), 1), bcast=((2, 4), (0, 1), 0),
                                 rev=((4,), (-1,), 5), default=(None, None, 0),
                                 overlap=((5, 4), (1, 1), 0),
                                 t=((3, 2, 2), (4, 1, 2), 0)).items():
        yield f"misc/as_strided/{k}", lambda sh=sh, st=st, o=off: mx.as_strided(a12, sh, st, o), []
    yield "misc/as_strided/of_transpose", lambda: mx.as_strided(xi.T, (4, 3), (3, 1)), []
    vf = A(mx, np.array([[1.0, -2.5, 0, 1e-40], [NAN, INF, -0.0, 3]], np.float32))
    for k, (a, dt) in dict(f32_i32=(vf, "int32"), f32_u8=(vf, "uint8"), f32_f16=(vf, "float16"),
                           f32_bf16=(vf, "bfloat16"), f32_u64=(vf, "uint64"),
                           i32_f32=(mx.array([1065353216, -1]), "float32"),
                           u8_f32=(mx.arange(8, dtype=mx.uint8), "float32"),
                           u8_i16=(mx.arange(6, dtype=mx.uint8), "int16"),
                           bool_u8=(mx.array([True, False]), "uint8"),
                           u8_bool=(mx.array([0, 1, 2], mx.uint8), "bool_"),
                           f16_i16=(mx.array([1.0, -2], mx.float16), "int16"),
                           c64_f32=(mx.array([1 + 2j]), "float32"), f32_c64=(vf, "complex64"),
                           scalar=(mx.array(1.0), "int32"),
                           odd=(mx.arange(3, dtype=mx.uint8), "int16"),
                           transposed=(vf.T, "int32")).items():
        yield f"misc/view/{k}", lambda a=a, dt=dt: mx.view(a, getattr(mx, dt)), []
    pidx = mx.array([[1, 0, 1, 3]])
    for k, (idx, v, ax) in dict(ax0=(pidx, mx.array(9.0), 0),
                                ax1=(mx.array([[0], [2], [3]]), mx.array([[7.0], [8], [9]]), 1),
                                rep=(mx.array([[0, 0], [1, 1], [3, 3]]),
                                     mx.array([[1.0, 2], [3, 4], [5, 6]]), 1),
                                none=(mx.array([0, 5, 11]), mx.array([1.0, 2, 3]), None),
                                neg=(mx.array([[-1], [0], [-4]]), mx.array(5.0), 1)).items():
        yield (f"misc/put_along_axis/{k}",
               lambda i=idx, v=v, ax=ax: mx.put_along_axis(xf, i, v, axis=ax), [])
    yg = mx.arange(30).reshape(5, 6)
    for k, (st, axes, size) in dict(basic=([1, 2], (0, 1), (2, 3)), one=([3], (1,), (5, 2)),
                                    oob=([4, 5], (0, 1), (2, 3)), neg=([-1, 0], (0, 1), (1, 2)),
                                    scalar_start=(2, (0,), (2, 6))).items():
        sa = mx.array(st)
        yield f"misc/slice/{k}", lambda sa=sa, ax=axes, sz=size: mx.slice(yg, sa, ax, sz), []
        upd = mx.full(size, -1)
        yield (f"misc/slice_update/{k}",
               lambda sa=sa, ax=axes, u=upd: mx.slice_update(yg, u, sa, ax), [])

    def setitem(a, idx, v):
        a = mx.array(a)
        a[idx] = v
        return a
    mask = xf > 0
    a12f = mx.arange(12, dtype=mx.float32)
    yield "misc/masked_scatter/arr", lambda: setitem(xf, mask, a12f[:int(mask.sum().item())]), []
    yield "misc/masked_scatter/scalar", lambda: setitem(xf, mask, 7.0), []
    yield ("misc/masked_scatter/row_mask",
           lambda: setitem(xi, mx.array([True, False, True]), mx.array([1, 2, 3, 4])), [])
    yield "misc/masked_scatter/too_many", lambda: setitem(xf, mask, a12f), []
    rep = mx.array([0, 0, 2, 0])
    for dk, base_ in (("f32", mx.array([1.0, 2, 3, 4, 5])), ("i32", mx.array([1, 2, 3, 4, 5])),
                      ("2d", mx.arange(12).reshape(3, 4).astype(mx.float32))):
        for op in ("add", "subtract", "multiply", "divide", "maximum", "minimum"):
            vals = mx.array([2, 3, 5, -1]) if dk == "i32" else mx.array([2.0, 3, 5, -1])
            idx = rep if dk != "2d" else (mx.array([0, 0, 2, 2]), mx.array([1, 1, 3, 3]))
            yield (f"misc/at.{op}/{dk},repeated",
                   lambda b=base_, op=op, i=idx, v=vals: getattr(b.at[i], op)(v), [])
            yield (f"misc/at.{op}/{dk},slice",
                   lambda b=base_, op=op: getattr(b.at[1:3], op)(2), [])
        yield (f"misc/setitem/{dk},repeated",
               lambda b=base_: setitem(b, rep, mx.array([7, 8, 9, 10]).astype(b.dtype)), [])
    md = A(mx, R(3, 5))
    mnan = A(mx, np.array([[1, NAN, 3, 2], [4, 1, 2, 3]], np.float32))
    for k, (a, ax, kd) in dict(all=(md, None, False), ax0=(md, 0, False), ax1=(md, 1, True),
                               even=(mnan[1:], 1, False), nan=(mnan, 1, False), ints=(xi, 1, False),
                               tup=(md, (0, 1), False),
                               odd_int=(mx.array([1, 2, 4, 7]), None, False)).items():
        yield f"misc/median/{k}", lambda a=a, ax=ax, kd=kd: mx.median(a, axis=ax, keepdims=kd), []
    for k, (a, kk, ax) in dict(k0=(md, 0, -1), kall=(md, 5, -1), none=(md, 3, None), ax0=(md, 2, 0),
                               too_big=(md, 6, -1), nan=(mnan, 2, -1), ints=(xi, 2, 1)).items():
        yield (f"misc/topk/{k}",
               lambda a=a, kk=kk, ax=ax: mx.sort(mx.topk(a, kk, axis=ax), axis=ax), [])
    for k, (x, y) in dict(row_vs_vec=(mx.array([1, 2, 3]), mx.array([[1, 2, 3]])),
                          len=(mx.array([1, 2, 3]), mx.array([1, 2, 3, 4])),
                          scalar=(mx.array(1), mx.array([1])), scalar_py=(mx.array([1, 1]), 1),
                          dtypes=(mx.array([1, 2]), mx.array([1.0, 2.0])),
                          bool_int=(mx.array([True, False]), mx.array([1, 0])),
                          empty=(mx.zeros((0,)), mx.zeros((0, 1)))).items():
        yield f"misc/array_equal/{k}", lambda x=x, y=y: mx.array_equal(x, y), []
    for k, shapes in dict(basic=((2, 1), (3,)), scalar=((), (4, 1)), none=(), one=((5,),),
                          zero=((0, 1), (3,)), zero_ok=((0, 1), (1, 3)), bad=((2, 3), (4,)),
                          three=((1, 2, 1), (3, 1, 1), (4,))).items():
        yield f"misc/broadcast_shapes/{k}", lambda s=shapes: mx.broadcast_shapes(*s), []
    for dt in base.ALL:
        kd = ("b" if dt == "bool_" else "c" if dt == "complex64" else "u" if dt[0] == "u" else
              "i" if dt.startswith("int") else "f")
        sets = dict(v=REPR_VALS[kd], **({"special": REPR_VALS["fs"]} if kd == "f" else {}))
        for sk, vals in sets.items():
            a = mx.array(vals, dtype=getattr(mx, dt)) if kd != "c" else mx.array(vals, mx.complex64)
            for k, arr in (("1d", a), ("2d", a.reshape(2, 3)), ("0d", a[3]),
                           ("3d", a.reshape(3, 1, 2)), ("empty", a[:0])):
                if sk == "special" and k not in ("1d", "0d"):
                    continue
                yield f"misc/repr/{dt},{sk},{k}", lambda x=arr: repr(x), []
                yield f"misc/str/{dt},{sk},{k}", lambda x=arr: str(x), []
        yield (f"misc/repr/{dt},large",
               lambda dt=dt: repr(mx.arange(1200).astype(getattr(mx, dt))), [])
    yield "misc/repr/float32,wide", lambda: repr(mx.array([[1e-5, 1.0, 1e5]] * 2)), []
    yield "misc/repr/float32,long_row", lambda: repr(mx.arange(40, dtype=mx.float32) / 7), []
    yield "misc/str/float32,rounding", lambda: str(mx.array([0.1, 0.2, 0.30000001, 2 / 3])), []
    yield "misc/repr/dtype", lambda: [repr(mx.float32), str(mx.bfloat16)], []
    yield "misc/repr/float64", lambda: repr(mx.array([1 / 3, 1e-300], mx.float64)), []


if __name__ == "__main__":
    base.main(cases, os.path.abspath(__file__), "/tmp/compare_ops_more.json", __doc__)
