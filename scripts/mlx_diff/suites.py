"""The differential probe's suites: each calls R(key, thunk) for every case; the harness (probe.py)
records the thunk's outcome under key, in our package and in the real MLX alike."""
import itertools


def suite_elementwise(R, mk, mx, DT):
    UNARY = ["abs", "sign", "negative", "square", "sqrt", "rsqrt", "reciprocal", "exp", "expm1", "log", "log2", "log10",
             "log1p", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
             "arctanh", "sigmoid", "erf", "erfinv", "floor", "ceil", "round", "trunc", "degrees", "radians", "isnan", "isinf",
             "isfinite", "isposinf", "isneginf", "nan_to_num", "conj", "real", "imag", "bitwise_invert", "logical_not",
             "stop_gradient", "positive"]
    for fn in UNARY:
        for dt in DT:
            for sh in [(), (2, 3), (0,)]:
                for kind in (0, 1):
                    if kind and not dt.startswith("float"): continue
                    x = mk(dt, sh, kind)
                    R(f"{fn}({dt}{sh},k{kind})", lambda: getattr(mx, fn)(x))
    BINARY = ["add", "subtract", "multiply", "divide", "floor_divide", "remainder", "power", "maximum", "minimum",
              "arctan2", "logaddexp", "left_shift", "right_shift", "bitwise_and", "bitwise_or", "bitwise_xor", "equal",
              "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor",
              "array_equal", "allclose", "isclose", "divmod"]
    PAIRS = [("float32", "int32"), ("int8", "uint8"), ("uint32", "int32"), ("int64", "uint64"), ("float16", "bfloat16"),
             ("bool_", "bool_"), ("int16", "float16"), ("complex64", "float32"), ("uint16", "int8"), ("float64", "int64"),
             ("int32", "int32"), ("bfloat16", "int32"), ("bool_", "int8"), ("uint8", "uint8")]
    SCAL = [2, 2.5, True, -1]
    for fn in BINARY:
        for a, b in PAIRS:
            for sa, sb in [((2, 3), (3,)), ((), (2, 1)), ((2, 3), (4,))]:
                x, y = mk(a, sa), mk(b, sb, 0)
                R(f"{fn}({a}{sa},{b}{sb})", lambda: getattr(mx, fn)(x, y))
        for a in DT:
            for s in SCAL:
                x = mk(a, (2, 2))
                R(f"{fn}({a},{s!r})", lambda: getattr(mx, fn)(x, s))
                R(f"{fn}({s!r},{a})", lambda: getattr(mx, fn)(s, x))
    RED = ["sum", "prod", "min", "max", "mean", "var", "std", "all", "any", "logsumexp", "argmin", "argmax",
           "median", "count_nonzero", "softmax", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
           "sort", "argsort"]
    for fn in RED:
        for dt in DT:
            for sh in [(), (2, 3), (0, 3), (2, 0, 2)]:
                x = mk(dt, sh, 1 if dt.startswith("float") else 0)
                for ax in [None, 0, -1, 1, 2, (0, 1), (0, 0)]:
                    for kd in (False, True):
                        kw = {} if ax is None else {"axis": ax}
                        if kd:
                            kw["keepdims"] = True
                        R(f"{fn}({dt}{sh},{kw})", lambda: getattr(mx, fn)(x, **kw))


def suite_shapes(R, mk, mx, DT):
    X = {dt: mk(dt, (2, 3, 4)) for dt in ["float32", "int32", "bool_", "float16", "uint8", "complex64"]}
    x = X["float32"]
    A3 = [("f", x), ("i", X["int32"]), ("b", X["bool_"])]
    for nm, a in A3:
        for sh in [(4, 6), (-1,), (6, -1), (2, -1, 2), (-1, -1), (5, 5), (0,), ()]:
            R(f"reshape({nm},{sh})", lambda: mx.reshape(a, sh))
        for s_, e_ in [(0, -1), (1, 2), (2, 1), (-2, -1), (0, 5), (3, 3)]:
            R(f"flatten({nm},{s_},{e_})", lambda: mx.flatten(a, s_, e_))
        for ax, sh in [(1, (3, 1)), (-1, (2, 2)), (0, (-1, 1)), (2, (2, -1)), (1, (2, 2)), (3, (1,))]:
            R(f"unflatten({nm},{ax},{sh})", lambda: mx.unflatten(a, ax, sh))
        for ax in [None, 0, (0,), 3, -4]:
            R(f"squeeze({nm},{ax})", lambda: mx.squeeze(mx.expand_dims(a, 0), ax) if ax is not None else mx.squeeze(mx.expand_dims(a, 0)))
        for ax in [0, -1, (0, 2), (0, 0), 4, -5, (1, -1), (0, 5)]:
            R(f"expand_dims({nm},{ax})", lambda: mx.expand_dims(a, ax))
        for ax in [None, (2, 0, 1), (0, 1), (0, 0, 1), (0, 1, 3), (-1, 0, 1)]:
            R(f"transpose({nm},{ax})", lambda: mx.transpose(a, ax) if ax is not None else mx.transpose(a))
        for a1, a2 in [(0, 2), (-1, 0), (3, 0)]:
            R(f"swapaxes({nm},{a1},{a2})", lambda: mx.swapaxes(a, a1, a2))
            R(f"moveaxis({nm},{a1},{a2})", lambda: mx.moveaxis(a, a1, a2))
        for sh in [(2, 2, 3, 4), (1, 3, 4), (3, 4), (2, 3, 1)]:
            R(f"broadcast_to({nm},{sh})", lambda: mx.broadcast_to(a, sh))
        for ax in [0, -1, 3, None]:
            R(f"flip({nm},{ax})", lambda: mx.flip(a, ax))
            for sh_ in [1, -5, (1, 2)]:
                R(f"roll({nm},{sh_},{ax})", lambda: mx.roll(a, sh_, ax) if ax is not None else mx.roll(a, sh_))
            for rep in [2, 0]:
                R(f"repeat({nm},{rep},{ax})", lambda: mx.repeat(a, rep, ax) if ax is not None else mx.repeat(a, rep))
        for rp in [2, (2, 1), (1, 2, 1, 1), 0, ()]:
            R(f"tile({nm},{rp})", lambda: mx.tile(a, rp))
        for ios in [2, 3, (1, 2), (2, 1), [], (0, 5)]:
            for ax in [0, 1, -1]:
                R(f"split({nm},{ios},{ax})", lambda: mx.split(a, ios, ax))
        for pw in [1, (1, 2), [(1, 0), (0, 1), (2, 2)], ((1, 1),), [(1, 2, 3)], -1]:
            for mode in ["constant", "edge", "symmetric", "reflect"]:
                R(f"pad({nm},{pw},{mode})", lambda: mx.pad(a, pw, mode=mode))
            R(f"pad({nm},{pw},cv)", lambda: mx.pad(a, pw, constant_values=2.5))
        for off, a1, a2 in [(0, 0, 1), (1, 1, 2), (-1, 2, 0), (5, 0, 1), (0, 1, 1)]:
            R(f"diagonal({nm},{off},{a1},{a2})", lambda: mx.diagonal(a, off, a1, a2))
            R(f"trace({nm},{off},{a1},{a2})", lambda: mx.trace(a, off, a1, a2))
        for k in [0, 1, -2]:
            R(f"tril({nm},{k})", lambda: mx.tril(a, k))
            R(f"triu({nm},{k})", lambda: mx.triu(a, k))
            R(f"diag({nm},{k})", lambda: mx.diag(a[0], k))
            R(f"diag1({nm},{k})", lambda: mx.diag(a[0, 0], k))
        for f in ["atleast_1d", "atleast_2d", "atleast_3d"]:
            R(f"{f}({nm})", lambda: getattr(mx, f)(a))
            R(f"{f}({nm}0)", lambda: getattr(mx, f)(a[0, 0, 0]))
        for idx in [mx.array([0, -1, 2]), mx.array([[1, 0], [2, 3]]), mx.array(1), mx.array([5]), mx.array([-7]), 1, -1]:
            for ax in [None, 0, 2, -1, 3]:
                R(f"take({nm},{idx},{ax})", lambda: mx.take(a, idx, axis=ax) if ax is not None else mx.take(a, idx))
        ind = mx.array([[[0, 1, 3, 2]]])
        for ax in [None, 2, 0, -1]:
            R(f"take_along_axis({nm},{ax})", lambda: mx.take_along_axis(a, ind if ax is not None else mx.array([0, 5, 23]), axis=ax))
            R(f"put_along_axis({nm},{ax})", lambda: mx.put_along_axis(a, ind if ax is not None else mx.array([0, 5, 23]), mx.array(7).astype(a.dtype), axis=ax))
        for k in [1, 4, 0, 5]:
            R(f"topk({nm},{k})", lambda: mx.topk(a, k))
            R(f"partition({nm},{k})", lambda: mx.sort(mx.partition(a, k), axis=-1))
        R(f"sortNone({nm})", lambda: mx.sort(a, axis=None))
    for size in (0, 3, 30):
        R(f"unique({nm},{size})", lambda: mx.unique(a, size, True, True, True, stream=mx.cpu))
        R(f"unique_fill({nm},{size})", lambda: mx.unique(a, size, fill_value=-1, stream=mx.cpu))
        R(f"argsortNone({nm})", lambda: mx.argsort(a, axis=None))
        for rev in (False, True):
            for inc in (False, True):
                for ax in (None, 1):
                    for fn in ("cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"):
                        R(f"{fn}({nm},{rev},{inc},{ax})", lambda: getattr(mx, fn)(a, axis=ax, reverse=rev, inclusive=inc))
    # mixed-dtype concatenation / stack / where / clip
    for n1, n2 in itertools.combinations(X, 2):
        a, b = X[n1], X[n2]
        R(f"concatenate({n1},{n2})", lambda: mx.concatenate([a, b]))
        R(f"concatenateNone({n1},{n2})", lambda: mx.concatenate([a, b], axis=None))
        R(f"stack({n1},{n2})", lambda: mx.stack([a, b], axis=-1))
        R(f"where({n1},{n2})", lambda: mx.where(X["bool_"], a, b))
        R(f"where_scalar({n1})", lambda: mx.where(a, 1.5, b))
        R(f"clip({n1},{n2})", lambda: mx.clip(a, b, None))
    for lo, hi in [(0, 1), (None, 0.5), (1, None), (mx.array([0, 1, 2, 3]), 2), (None, None), (2, 1)]:
        for nm, a in A3:
            R(f"clip({nm},{lo},{hi})", lambda: mx.clip(a, lo, hi))
    # indexing
    idxs = [0, -1, 5, (0, 1), (slice(None), 1), (Ellipsis, 0), (None, 0), (slice(None, None, -1),), (slice(1, None, 2), None, Ellipsis),
            mx.array([0, 1, 1]), mx.array([True, False]), (mx.array([0, 1]), mx.array([1, 2])), (slice(None), mx.array([0, 2]), slice(None)),
            (mx.array([[0], [1]]), slice(None), mx.array([1, 3])), (0, mx.array([0, 2]), mx.array([1, 3])), (Ellipsis, None), (..., ...),
            (0, 0, 0, 0), mx.array([2]), mx.array([-3]), (slice(None), slice(5, 1)), 1.0, (mx.array([0, 1]), Ellipsis, mx.array([0, 1])),
            (slice(None), None, mx.array([1, 0])), mx.array(1), (mx.array([[True, False, True], [False, False, True]]),)]
    for nm, a in A3:
        for i, ix in enumerate(idxs):
            R(f"getitem({nm},{i})", lambda: a[ix])
            def setit(ix=ix):
                b = mx.array(a)
                b[ix] = 3
                return b
            R(f"setitem({nm},{i})", setit)
            def setit2(ix=ix):
                b = mx.array(a)
                b[ix] = mx.array([1, 2, 3, 4]).astype(a.dtype)
                return b
            R(f"setitem_vec({nm},{i})", setit2)
            def addat(ix=ix):
                return a.at[ix].add(1)
            R(f"at_add({nm},{i})", addat)
            R(f"at_max({nm},{i})", lambda: a.at[ix].maximum(1))
    # creation
    for args in [(5,), (1, 5), (0, 1, 0.25), (5, 1, -1), (0.5, 3), (3, 0), (0, 10, 3), (1, 2, 0), (-3,), (0, 1, 0.1)]:
        for dt in [None, "int32", "float16", "float32", "uint8", "bool_"]:
            R(f"arange({args},{dt})", lambda: mx.arange(*args, dtype=getattr(mx, dt)) if dt else mx.arange(*args))
    for st, sp, num, ep in [(0, 1, 5, True), (0, 1, 5, False), (1, 0, 1, True), (0, 10, 0, True), (0, 1, -1, True), (2, 9, 4, True)]:
        for dt in [None, "int32", "float16"]:
            R(f"linspace({st},{sp},{num},{ep},{dt})", lambda: mx.linspace(st, sp, num, endpoint=ep, dtype=getattr(mx, dt)) if dt else mx.linspace(st, sp, num, endpoint=ep))
    for n, m, k in [(3, None, 0), (3, 4, 1), (3, 2, -1), (0, 0, 0), (3, 3, 5), (-1, None, 0)]:
        R(f"eye({n},{m},{k})", lambda: mx.eye(n, m, k))
        R(f"tri({n},{m},{k})", lambda: mx.tri(n, m if m is not None else n, k))
    for M in [0, 1, 2, 5, -1]:
        for fn in ["bartlett", "hanning", "hamming", "blackman"]:
            R(f"{fn}({M})", lambda: getattr(mx, fn)(M))
    for shape in [3, (2, 3), (), (0,), (-1,)]:
        for v in [1, 2.5, True, mx.array([1, 2, 3])]:
            R(f"full({shape},{v!r})", lambda: mx.full(shape, v))
        R(f"zeros({shape})", lambda: mx.zeros(shape))
        R(f"ones({shape},int)", lambda: mx.ones(shape, mx.int32))
    # matmul family
    MS = [(3,), (2, 3), (3, 4), (2, 3, 4), (1, 4, 5), (5, 3, 1), (4,), (0, 3), (3, 0)]
    for s1 in MS:
        for s2 in MS:
            a, b = mk("float32", s1), mk("float32", s2)
            R(f"matmul({s1},{s2})", lambda: mx.matmul(a, b))
            R(f"inner({s1},{s2})", lambda: mx.inner(a, b))
            R(f"outer({s1},{s2})", lambda: mx.outer(a, b))
            R(f"kron({s1},{s2})", lambda: mx.kron(a, b))
            for ax in [0, 1, 2, ([1], [0]), ([0, 1], [0, 1]), ([-1], [0])]:
                R(f"tensordot({s1},{s2},{ax})", lambda: mx.tensordot(a, b, axes=ax))
    for dts in [("int32", "int32"), ("float16", "float32"), ("bool_", "bool_"), ("bfloat16", "bfloat16"), ("complex64", "float32"), ("int8", "float32")]:
        a, b = mk(dts[0], (2, 3)), mk(dts[1], (3, 2))
        R(f"matmul_dt({dts})", lambda: mx.matmul(a, b))
    for sub, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij->ji", [(2, 3)]), ("i,i", [(3,), (3,)]),
                        ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("...ij,...jk", [(2, 2, 3), (3, 2)]), ("i,j->ij", [(2,), (3,)]),
                        ("ij,ij->", [(2, 3), (2, 3)]), ("ij->", [(2, 3)]), ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]), ("ij,jk", [(2, 3), (4, 2)]),
                        ("iij->j", [(2, 2, 3)]), ("i->ii", [(3,)])]:
        ops_ = [mk("float32", s) for s in shapes]
        R(f"einsum({sub})", lambda: mx.einsum(sub, *ops_))
    for a_, b_ in [((2, 3), (3,)), ((3,), (2, 3)), ((2, 3), (2, 3)), ((2, 3), (4,))]:
        R(f"addmm({a_},{b_})", lambda: mx.addmm(mk("float32", (2, 4)), mk("float32", (2, 3)), mk("float32", (3, 4)), alpha=2.0, beta=0.5))
    # dtype utilities and promotion
    names = DT
    for a_ in names:
        for b_ in names:
            R(f"result_type({a_},{b_})", lambda: mx.result_type(getattr(mx, a_), getattr(mx, b_)))
        for c in ["number", "integer", "floating", "inexact", "signedinteger", "unsignedinteger", "complexfloating", "generic"]:
            R(f"issubdtype({a_},{c})", lambda: mx.issubdtype(getattr(mx, a_), getattr(mx, c)))
        for v in [1, 1.5, True, 2**40, -1]:
            R(f"result_type_scalar({a_},{v!r})", lambda: mx.result_type(mk(a_, (2,)), v))
        R(f"finfo({a_})", lambda: str([getattr(mx.finfo(getattr(mx, a_)), k) for k in ("min", "max", "eps", "dtype")]))
        R(f"iinfo({a_})", lambda: str([getattr(mx.iinfo(getattr(mx, a_)), k) for k in ("min", "max", "dtype")]))
    for v in [1, 2.5, True, [1, 2], [1, 2.5], [True, 1], [[1], [2]], [[1, 2], [3]], 2**40, 2**70, -2**63, [1, 2**40], 1 + 2j, [], [[]], (1, 2)]:
        R(f"array({v!r})", lambda: mx.array(v))
        R(f"array_f16({v!r})", lambda: mx.array(v, mx.float16))
        R(f"array_u8({v!r})", lambda: mx.array(v, mx.uint8))


def suite_numerics(R, mk, mx, DT):
    cpu = mx.cpu
    # linalg
    for sh in [(3, 3), (2, 4, 4), (1, 1), (0, 0), (3, 2), (2, 3)]:
        a = mk("float32", sh)
        spd = a @ mx.swapaxes(a, -1, -2) + 3 * mx.eye(sh[-2]) if sh[-1] == sh[-2] else a
        for fn in ["inv", "pinv", "cholesky", "qr", "svd", "eigh", "eigvalsh", "lu", "lu_factor", "tri_inv", "cholesky_inv", "eig", "eigvals"]:
            R(f"linalg.{fn}({sh})", lambda: getattr(mx.linalg, fn)(spd, stream=cpu))
        for o in [None, "fro", "nuc", 1, -1, 2, -2, float("inf"), -float("inf"), 0, 3]:
            for ax in [None, -1, (0, 1), (-2, -1)]:
                R(f"linalg.norm({sh},{o},{ax})", lambda: mx.linalg.norm(a, o, ax) if ax is not None else mx.linalg.norm(a, o))
        b = mk("float32", sh[:-1] + (2,)) if len(sh) else None
        R(f"linalg.solve({sh})", lambda: mx.linalg.solve(spd, b, stream=cpu))
        R(f"linalg.solve_triangular({sh})", lambda: mx.linalg.solve_triangular(mx.tril(spd), b, upper=False, stream=cpu))
        R(f"linalg.cross({sh})", lambda: mx.linalg.cross(a, a[..., ::-1]))
    for sh in [(3,), (2, 3), (4, 3)]:
        a, b = mk("float32", sh), mk("float32", sh, 2)
        R(f"linalg.cross3({sh})", lambda: mx.linalg.cross(a, mx.flip(a, -1)))
    # fft
    for sh in [(8,), (5,), (4, 6), (3, 4, 5), (1,), (0,)]:
        for dt in ["float32", "complex64"]:
            a = mk(dt, sh)
            for fn in ["fft", "ifft", "rfft", "irfft", "fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2", "fftshift", "ifftshift"]:
                R(f"fft.{fn}({dt}{sh})", lambda: getattr(mx.fft, fn)(a))
                for n in [3, 8, 0]:
                    if fn in ("fft", "ifft", "rfft", "irfft"):
                        R(f"fft.{fn}({dt}{sh},n={n})", lambda: getattr(mx.fft, fn)(a, n=n))
                        R(f"fft.{fn}({dt}{sh},n={n},axis=0)", lambda: getattr(mx.fft, fn)(a, n=n, axis=0))
                if fn.endswith("n") or fn.endswith("2"):
                    for axes in [(0,), (-1,), (0, 0), None]:
                        R(f"fft.{fn}({dt}{sh},axes={axes})", lambda: getattr(mx.fft, fn)(a, axes=axes))
    # random, bit-exact with keys
    k = mx.random.key(7)
    for sh in [(3,), (2, 3), ()]:
        for dt in ["float32", "float16", "bfloat16", "float64"]:
            R(f"uniform({sh},{dt})", lambda: mx.random.uniform(-1, 2, sh, getattr(mx, dt), key=k))
            R(f"normal({sh},{dt})", lambda: mx.random.normal(sh, getattr(mx, dt), key=k))
            R(f"normal_ls({sh},{dt})", lambda: mx.random.normal(sh, getattr(mx, dt), loc=1.0, scale=2.0, key=k))
            R(f"truncated_normal({sh},{dt})", lambda: mx.random.truncated_normal(-1, 1, sh, getattr(mx, dt), key=k))
            R(f"gumbel({sh},{dt})", lambda: mx.random.gumbel(sh, getattr(mx, dt), key=k))
            R(f"laplace({sh},{dt})", lambda: mx.random.laplace(sh, getattr(mx, dt), key=k))
        for dt in ["int32", "uint8", "int64", "int16"]:
            R(f"randint({sh},{dt})", lambda: mx.random.randint(-5, 9, sh, getattr(mx, dt), key=k))
        R(f"bernoulli({sh})", lambda: mx.random.bernoulli(0.3, sh, key=k))
        R(f"bits({sh})", lambda: mx.random.bits(sh, key=k))
        R(f"bits2({sh})", lambda: mx.random.bits(sh, 2, key=k))
        R(f"split({sh})", lambda: mx.random.split(k, 3))
        R(f"categorical({sh})", lambda: mx.random.categorical(mk("float32", (2, 5)), key=k))
        R(f"categorical_n({sh})", lambda: mx.random.categorical(mk("float32", (2, 5)), num_samples=4, key=k))
        R(f"categorical_s({sh})", lambda: mx.random.categorical(mk("float32", (5,)), shape=(3,), key=k))
        R(f"permutation({sh})", lambda: mx.random.permutation(6, key=k))
        R(f"permutation_a({sh})", lambda: mx.random.permutation(mk("float32", (4, 3)), axis=1, key=k))
        R(f"mvn({sh})", lambda: mx.random.multivariate_normal(mx.zeros(2), mx.eye(2), (3,), key=k, stream=cpu))
    for s_ in [0, 1, 2**31, 12345]:
        R(f"key({s_})", lambda: mx.random.key(s_))
        R(f"seeded({s_})", lambda: (mx.random.seed(s_), mx.random.uniform(shape=(4,)))[1])
        R(f"seeded_n({s_})", lambda: (mx.random.seed(s_), mx.random.normal((4,)), mx.random.randint(0, 10, (3,)))[2])
    # fast
    x = mk("float32", (2, 5, 8))
    w = mk("float32", (8,))
    R("rms_norm", lambda: mx.fast.rms_norm(x, w, 1e-5))
    tg = mx.array([[0, 7, 3, 1, 1], [2, 2, 5, 6, 0]])
    for dt in ["float32", "float16", "bfloat16"]:
        R(f"cross_entropy({dt})", lambda: mx.fast.cross_entropy(x.astype(getattr(mx, dt)), tg))
    R("cross_entropy(bad shape)", lambda: mx.fast.cross_entropy(x, tg[0]))
    R("cross_entropy(float targets)", lambda: mx.fast.cross_entropy(x, tg.astype(mx.float32)))
    R("rms_norm_none", lambda: mx.fast.rms_norm(x, None, 1e-5))
    R("layer_norm", lambda: mx.fast.layer_norm(x, w, w, 1e-5))
    R("layer_norm_none", lambda: mx.fast.layer_norm(x, None, None, 1e-5))
    R("layer_norm_w", lambda: mx.fast.layer_norm(x, w, None, 1e-5))
    for trad in (False, True):
        for off in (0, 3):
            for dims in (8, 4):
                R(f"rope({trad},{off},{dims})", lambda: mx.fast.rope(x[None], dims, traditional=trad, base=10000.0, scale=1.0, offset=off))
                R(f"rope_f({trad},{off},{dims})", lambda: mx.fast.rope(x[None], dims, traditional=trad, base=None, scale=0.5, offset=off, freqs=mx.arange(dims // 2, dtype=mx.float32) + 1))
    q = mk("float32", (1, 4, 5, 8)); kk = mk("float32", (1, 2, 7, 8)); v = mk("float32", (1, 2, 7, 8), 2)
    for mask in [None, "causal", "arr", "bool"]:
        m = {"arr": mk("float32", (5, 7)), "bool": mk("bool_", (1, 1, 5, 7)), "causal": "causal", None: None}[mask]
        R(f"sdpa({mask})", lambda: mx.fast.scaled_dot_product_attention(q, kk, v, scale=0.3, mask=m))
    # conv
    for (N, L, C), (O, K, Ci), st, pd, dl, gr in [((2, 9, 4), (6, 3, 4), 1, 0, 1, 1), ((1, 10, 4), (4, 3, 2), 2, 1, 1, 2), ((1, 8, 3), (2, 2, 3), 1, 2, 2, 1),
                                                ((1, 5, 2), (3, 7, 2), 1, 0, 1, 1), ((1, 6, 4), (4, 3, 1), 1, 1, 1, 4)]:
        a, ww = mk("float32", (N, L, C)), mk("float32", (O, K, Ci))
        R(f"conv1d({N,L,C},{O,K,Ci},{st},{pd},{dl},{gr})", lambda: mx.conv1d(a, ww, st, pd, dl, gr))
        R(f"conv_general1({N,L,C},{O,K,Ci},{st},{pd},{dl},{gr})", lambda: mx.conv_general(a, ww, st, pd, dl, 1, gr, flip=True))
        R(f"conv_transpose1d({N,L,C},{O,K,Ci},{st},{pd},{dl},{gr})", lambda: mx.conv_transpose1d(a, mk("float32", (O, K, C // gr)), st, pd, dl, 0, gr))
    for st, pd, dl, gr in [(1, 0, 1, 1), ((2, 1), (1, 0), 1, 1), (1, 1, (2, 1), 2), (2, 1, 1, 1)]:
        a, ww = mk("float32", (2, 7, 6, 4)), mk("float32", (4, 3, 2, 4 // gr))
        R(f"conv2d({st},{pd},{dl},{gr})", lambda: mx.conv2d(a, ww, st, pd, dl, gr))
        R(f"conv_transpose2d({st},{pd},{dl},{gr})", lambda: mx.conv_transpose2d(a, mk("float32", (4, 3, 2, 4 // gr)), st, pd, dl, 0, gr))
        R(f"conv3d({st},{pd})", lambda: mx.conv3d(mk("float32", (1, 5, 4, 6, 2)), mk("float32", (3, 2, 2, 3, 2)), st if isinstance(st, int) else 1, pd if isinstance(pd, int) else 0))
    # quantization
    for gs in [32, 64, 128]:
        for bits in [2, 3, 4, 5, 6, 8]:
            wq = mk("float32", (8, 256))
            R(f"quantize({gs},{bits})", lambda: mx.quantize(wq, gs, bits))
            R(f"dequantize({gs},{bits})", lambda: mx.dequantize(*mx.quantize(wq, gs, bits), gs, bits))
            R(f"qmm({gs},{bits})", lambda: mx.quantized_matmul(mk("float32", (3, 256)), *mx.quantize(wq, gs, bits), True, gs, bits))
            R(f"qmm_nt({gs},{bits})", lambda: mx.quantized_matmul(mk("float32", (3, 8)), *mx.quantize(wq, gs, bits), False, gs, bits))
    for mode in ["mxfp4", "mxfp8", "nvfp4"]:
        wq = mk("float32", (8, 256))
        R(f"quantize_{mode}", lambda: mx.quantize(wq, mode=mode))
        R(f"dequantize_{mode}", lambda: mx.dequantize(*mx.quantize(wq, mode=mode), mode=mode))
        R(f"qmm_{mode}", lambda: mx.quantized_matmul(mk("float32", (3, 256)), *mx.quantize(wq, mode=mode), True, mode=mode))


def suite_transforms(R, mk, mx, DT):
    UN = ["abs", "sign", "negative", "square", "sqrt", "rsqrt", "reciprocal", "exp", "expm1", "log", "log2", "log10",
          "log1p", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
          "arctanh", "sigmoid", "erf", "erfinv", "floor", "ceil", "round", "degrees", "radians", "stop_gradient", "softmax", "logsumexp",
          "sum", "prod", "max", "min", "mean", "var", "std", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "sort", "median",
          "trace", "diag", "tril", "triu", "flatten", "transpose", "nan_to_num", "real", "imag", "conj"]
    x0 = mx.array([[0.3, -0.7, 0.0, 1.2], [0.5, 0.5, -2.0, 0.9], [2.0, 0.1, 0.1, -0.3]])
    xp = mx.abs(x0) + 0.2
    xs = x0 * 0.4
    for fn in UN:
        f = getattr(mx, fn)
        for nm, x in [("x0", x0), ("xp", xp), ("xs", xs)]:
            R(f"grad_{fn}({nm})", lambda: mx.grad(lambda t: (f(t) * mx.arange(1, 1 + f(t).size).reshape(f(t).shape)).sum())(x))
            R(f"jvp_{fn}({nm})", lambda: mx.jvp(f, (x,), (mx.ones_like(x) * 0.5,))[1])
            R(f"vmap_{fn}({nm})", lambda: mx.vmap(f, in_axes=1)(x))
            R(f"vmap0_{fn}({nm})", lambda: mx.vmap(f)(x))
            R(f"vjp_{fn}({nm})", lambda: mx.vjp(f, (x,), (mx.ones_like(f(x)) * 0.5,))[1])
            R(f"compile_{fn}({nm})", lambda: mx.compile(f)(x))
            for ax in (0, -1):
                if fn in ("softmax", "logsumexp", "sum", "prod", "max", "min", "mean", "var", "std", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "sort", "median"):
                    R(f"grad_{fn}({nm},{ax})", lambda: mx.grad(lambda t: (f(t, axis=ax) ** 2).sum())(x))
                    R(f"vmap_{fn}({nm},{ax})", lambda: mx.vmap(lambda t: f(t, axis=ax), in_axes=1)(x))
    BI = ["add", "subtract", "multiply", "divide", "power", "maximum", "minimum", "arctan2", "logaddexp", "remainder", "floor_divide",
          "matmul", "inner", "outer", "kron", "where_", "take", "take_along_axis", "concatenate", "stack"]
    y0 = mx.array([[0.3, 0.7, 0.0, -1.2], [0.5, -0.5, 2.0, 0.9], [1.0, 0.1, -0.1, 0.3]])
    for fn in BI:
        if fn == "where_":
            f = lambda a, b: mx.where(a > b, a, b)
        elif fn == "take":
            f = lambda a, b: mx.take(a, mx.array([0, 2, 2, 1]), axis=1) * b[:, :4]
        elif fn == "take_along_axis":
            f = lambda a, b: mx.take_along_axis(a, mx.argsort(b, axis=1), axis=1)
        elif fn in ("concatenate", "stack"):
            f = lambda a, b, g=getattr(mx, fn): g([a, b], axis=1)
        elif fn in ("matmul",):
            f = lambda a, b: a @ b.T
        else:
            f = getattr(mx, fn)
        for nm, (a, b) in [("x0y0", (x0, y0)), ("xpy0", (xp, y0)), ("xpxp", (xp, xp)), ("x0s", (x0, mx.array(0.7)))]:
            R(f"grad2_{fn}({nm})", lambda: mx.grad(lambda s, t: (f(s, t) * 1.5).sum(), argnums=(0, 1))(a, b))
            R(f"jvp2_{fn}({nm})", lambda: mx.jvp(f, (a, b), (mx.ones_like(a), mx.ones_like(b) * 0.25))[1])
            R(f"vmap2_{fn}({nm})", lambda: mx.vmap(f, in_axes=(0, None if b.ndim == 0 else 0))(a, b))
            R(f"vmap2b_{fn}({nm})", lambda: mx.vmap(f, in_axes=(1, None))(a, b))
            R(f"compile2_{fn}({nm})", lambda: mx.compile(f)(a, b))
    # indexing grads
    R("grad_getitem", lambda: mx.grad(lambda t: (t[1:, ::2] ** 2).sum() + t[mx.array([0, 0, 2])].sum())(x0))
    R("grad_setitem", lambda: mx.grad(lambda t: (mx.array(t).at[mx.array([0, 0])].add(t[1]) ** 2).sum())(x0))
    R("grad_scatter_max", lambda: mx.grad(lambda t: mx.zeros((2, 4)).at[mx.array([0, 1, 0])].maximum(t).sum())(x0))
    R("grad_put_along", lambda: mx.grad(lambda t: mx.put_along_axis(t, mx.array([[1], [0], [3]]), t[:, :1] * 3, axis=1).sum())(x0))
    R("grad_pad", lambda: mx.grad(lambda t: (mx.pad(t, ((1, 1), (2, 0)), mode="edge") ** 2).sum())(x0))
    R("grad_pad_sym", lambda: mx.grad(lambda t: (mx.pad(t, ((1, 1), (2, 0)), mode="symmetric") ** 2).sum())(x0))
    R("grad_roll", lambda: mx.grad(lambda t: (mx.roll(t, 1, axis=1) * mx.arange(12).reshape(3, 4)).sum())(x0))
    R("grad_topk", lambda: mx.grad(lambda t: (mx.topk(t, 2, axis=1) ** 2).sum())(x0))
    R("grad_partition", lambda: mx.grad(lambda t: (mx.partition(t, 1, axis=1) * mx.arange(4)).sum())(x0))
    R("grad_clip", lambda: mx.grad(lambda t: mx.clip(t, -0.5, 0.5).sum())(x0))
    R("grad_norm", lambda: mx.grad(lambda t: mx.linalg.norm(t))(x0))
    R("grad_norm1", lambda: mx.grad(lambda t: mx.linalg.norm(t, 1, axis=1).sum())(x0))
    R("grad_repeat", lambda: mx.grad(lambda t: (mx.repeat(t, 2, axis=0) * mx.arange(24).reshape(6, 4)).sum())(x0))
    R("grad_tile", lambda: mx.grad(lambda t: (mx.tile(t, (2, 1)) * mx.arange(24).reshape(6, 4)).sum())(x0))
    R("grad_cumsum_rev", lambda: mx.grad(lambda t: (mx.cumsum(t, axis=1, reverse=True, inclusive=False) ** 2).sum())(x0))
    R("grad_logcumsumexp_rev", lambda: mx.grad(lambda t: (mx.logcumsumexp(t, axis=1, reverse=True) ** 2).sum())(x0))
    R("grad_cumprod_zero", lambda: mx.grad(lambda t: mx.cumprod(t, axis=1).sum())(x0))
    R("grad_prod_zero", lambda: mx.grad(lambda t: mx.prod(t, axis=1).sum())(x0))
    R("grad_max_ties", lambda: mx.grad(lambda t: mx.max(t, axis=1).sum())(mx.array([[1.0, 1.0, 0.0]])))
    R("grad_maximum_ties", lambda: mx.grad(lambda t: mx.maximum(t, mx.array([1.0, 0.5, 0.0])).sum())(mx.array([1.0, 1.0, 0.0])))
    R("grad_abs0", lambda: mx.grad(lambda t: mx.abs(t).sum())(mx.array([0.0, -0.0, 1.0])))
    R("grad_sqrt0", lambda: mx.grad(lambda t: mx.sqrt(t).sum())(mx.array([0.0, 1.0])))
    R("grad_power0", lambda: mx.grad(lambda t: mx.power(t, 2.0).sum())(mx.array([0.0, -1.0])))
    R("grad_power_base0", lambda: mx.grad(lambda t: mx.power(mx.array([0.0, 2.0]), t).sum())(mx.array([0.0, 1.5])))
    R("grad_einsum", lambda: mx.grad(lambda t: mx.einsum("ij,kj->ik", t, t).sum())(x0))
    R("grad_conv1d", lambda: mx.grad(lambda t: mx.conv1d(t[None], mx.ones((2, 2, 4))).sum())(x0))
    R("grad_sdpa", lambda: mx.grad(lambda t: mx.fast.scaled_dot_product_attention(t[None, None], t[None, None], t[None, None], scale=0.5).sum())(x0))
    R("grad_rms", lambda: mx.grad(lambda t: (mx.fast.rms_norm(t, mx.ones(4) * 2, 1e-5) ** 2).sum())(x0))
    R("grad_ln", lambda: mx.grad(lambda t: (mx.fast.layer_norm(t, mx.ones(4) * 2, mx.ones(4), 1e-5) * mx.arange(12).reshape(3, 4)).sum())(x0))
    R("grad_rope", lambda: mx.grad(lambda t: (mx.fast.rope(t[None], 4, traditional=False, base=10000.0, scale=1.0, offset=1) * mx.arange(12).reshape(3, 4)).sum())(x0))
    R("hessian_like", lambda: mx.grad(lambda t: mx.grad(lambda u: (mx.sin(u) * u ** 3).sum())(t).sum())(x0))
    R("vmap_grad", lambda: mx.vmap(mx.grad(lambda u: (mx.tanh(u) ** 2).sum()))(x0))
    R("grad_vmap", lambda: mx.grad(lambda u: mx.vmap(lambda v: mx.logsumexp(v) * v[0])(u).sum())(x0))
    R("vmap_matmul", lambda: mx.vmap(lambda a, b: a @ b, in_axes=(0, None))(mx.ones((2, 3, 4)), x0.T))
    R("vmap_take", lambda: mx.vmap(lambda a, i: a[i], in_axes=(0, 0))(x0, mx.array([1, 0, 3])))
    R("vmap_scatter", lambda: mx.vmap(lambda a, i: a.at[i].add(5.0), in_axes=(0, 0))(x0, mx.array([1, 0, 3])))
    R("vmap_sort", lambda: mx.vmap(lambda a: mx.sort(a), in_axes=1)(x0))
    R("vmap_argmax", lambda: mx.vmap(lambda a: mx.argmax(a), in_axes=1)(x0))
    R("vmap_out_axes", lambda: mx.vmap(lambda a: a * 2, in_axes=0, out_axes=1)(x0))
    R("vmap_nested", lambda: mx.vmap(mx.vmap(lambda a: a.sum()))(mx.ones((2, 3, 4))))
    R("vmap_reshape", lambda: mx.vmap(lambda a: a.reshape(2, 2))(x0))
    R("vmap_concat", lambda: mx.vmap(lambda a, b: mx.concatenate([a, b]), in_axes=(0, 1))(x0, y0.T))
    R("vmap_conv", lambda: mx.vmap(lambda a: mx.conv1d(a[None, :, None], mx.ones((1, 2, 1))))(x0))
    R("value_and_grad", lambda: mx.value_and_grad(lambda u: (u ** 3).sum())(x0))


def suite_nn(R, mk, mx, DT):
    import mlx.nn as nn
    import mlx.optimizers as optim
    from mlx.utils import tree_flatten
    def layer(ctor, inp):
        def f():
            mx.random.seed(3)
            m = ctor()
            y = m(*inp) if isinstance(inp, tuple) else m(inp)
            ps = [v for _, v in sorted(tree_flatten(m.parameters()), key=lambda kv: kv[0])]
            return [y] + ps if not isinstance(y, tuple) else list(y) + ps
        return f
    x2 = mk("float32", (4, 8)); x3 = mk("float32", (2, 5, 8)); x4 = mk("float32", (2, 6, 6, 3)); x1d = mk("float32", (2, 9, 3))
    ids = mx.array([[1, 2, 3], [0, 5, 9]])
    LAYERS = {
     "Linear": (lambda: nn.Linear(8, 5), x2), "Linear_nb": (lambda: nn.Linear(8, 5, bias=False), x2),
     "Bilinear": (lambda: nn.Bilinear(8, 8, 3), (x2, x2)),
     "Conv1d": (lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), x1d), "Conv2d": (lambda: nn.Conv2d(3, 4, 3, padding=1, dilation=1), x4),
     "Conv2d_g": (lambda: nn.Conv2d(3, 6, 2, groups=3), x4), "ConvT1d": (lambda: nn.ConvTranspose1d(3, 2, 3, stride=2), x1d),
     "ConvT2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), x4), "Conv3d": (lambda: nn.Conv3d(3, 2, 2), mk("float32", (1, 4, 4, 4, 3))),
     "Embedding": (lambda: nn.Embedding(10, 4), ids), "LayerNorm": (lambda: nn.LayerNorm(8), x3), "LayerNorm_na": (lambda: nn.LayerNorm(8, affine=False), x3),
     "RMSNorm": (lambda: nn.RMSNorm(8), x3), "GroupNorm": (lambda: nn.GroupNorm(2, 8), x3), "GroupNorm_pt": (lambda: nn.GroupNorm(2, 8, pytorch_compatible=True), x3),
     "BatchNorm": (lambda: nn.BatchNorm(8), x3), "InstanceNorm": (lambda: nn.InstanceNorm(8, affine=True), x3),
     "RNN": (lambda: nn.RNN(8, 6), x3), "GRU": (lambda: nn.GRU(8, 6), x3), "LSTM": (lambda: nn.LSTM(8, 6), x3),
     "MHA": (lambda: nn.MultiHeadAttention(8, 2), (x3, x3, x3)), "MHA_mask": (lambda: nn.MultiHeadAttention(8, 2), (x3, x3, x3, nn.MultiHeadAttention.create_additive_causal_mask(5))),
     "TransformerEncoder": (lambda: nn.TransformerEncoder(2, 8, 2, 16), (x3, None)), "Transformer": (lambda: nn.Transformer(8, 2, 1, 1, 16), (x3, x3, None, None, None)),
     "RoPE": (lambda: nn.RoPE(8), x3), "RoPE_t": (lambda: nn.RoPE(4, traditional=True, base=100), x3), "SinPE": (lambda: nn.SinusoidalPositionalEncoding(8), mx.arange(5)),
     "ALiBi": (lambda: nn.ALiBi(), (mk("float32", (1, 2, 5, 5)), 0)), "Dropout_eval": (lambda: nn.Dropout(0.5).eval() if hasattr(nn.Dropout(0.5), "eval") else nn.Dropout(0.5), x2),
     "Dropout": (lambda: nn.Dropout(0.5), x2), "Dropout2d": (lambda: nn.Dropout2d(0.5), x4), "Identity": (lambda: nn.Identity(), x2),
     "MaxPool1d": (lambda: nn.MaxPool1d(2, 2), x1d), "AvgPool1d": (lambda: nn.AvgPool1d(3, 2, padding=1), x1d), "MaxPool2d": (lambda: nn.MaxPool2d(2), x4),
     "AvgPool2d": (lambda: nn.AvgPool2d((2, 3), (1, 2)), x4), "Upsample_n": (lambda: nn.Upsample(2, "nearest"), x4), "Upsample_l": (lambda: nn.Upsample(2, "linear"), x4),
     "Upsample_lac": (lambda: nn.Upsample(2, "linear", align_corners=True), x4), "Upsample_c": (lambda: nn.Upsample(2, "cubic"), x4),
     "Sequential": (lambda: nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)), x2), "QLinear": (lambda: nn.QuantizedLinear(64, 32), mk("float32", (2, 64))),
     "QEmbedding": (lambda: nn.QuantizedEmbedding(64, 64), ids), "PReLU": (lambda: nn.PReLU(), x2), "GLU": (lambda: nn.GLU(), x2),
    }
    for name, (ctor, inp) in LAYERS.items():
        R(f"layer_{name}", layer(ctor, inp))
    ACTS = ["relu", "relu6", "leaky_relu", "elu", "celu", "selu", "silu", "gelu", "gelu_approx", "gelu_fast_approx", "mish", "softplus", "softsign",
            "softshrink", "hard_tanh", "hardswish", "hard_shrink", "log_sigmoid", "log_softmax", "sigmoid", "tanh", "step", "prelu", "glu", "softmin", "relu2"]
    for a in ACTS:
        if hasattr(nn, a):
            f = getattr(nn, a)
            R(f"act_{a}", lambda: f(x2) if a not in ("prelu",) else f(x2, mx.array([0.25])))
    L = nn.losses
    logits = mk("float32", (4, 5)); tgt = mx.array([0, 3, 4, 1]); probs = mx.softmax(logits)
    for nm, f in [("cross_entropy", lambda: L.cross_entropy(logits, tgt)), ("cross_entropy_ls", lambda: L.cross_entropy(logits, tgt, label_smoothing=0.1, reduction="mean")),
                  ("cross_entropy_probs", lambda: L.cross_entropy(logits, probs)), ("bce", lambda: L.binary_cross_entropy(logits, (logits > 0).astype(mx.float32))),
                  ("bce_nl", lambda: L.binary_cross_entropy(mx.sigmoid(logits), (logits > 0).astype(mx.float32), with_logits=False)),
                  ("l1", lambda: L.l1_loss(logits, probs)), ("mse", lambda: L.mse_loss(logits, probs, reduction="sum")), ("nll", lambda: L.nll_loss(mx.log(probs), tgt)),
                  ("kl", lambda: L.kl_div_loss(mx.log(probs), mx.log(mx.softmax(logits * 2)))), ("smooth_l1", lambda: L.smooth_l1_loss(logits, probs, beta=0.5)),
                  ("huber", lambda: L.huber_loss(logits, probs)), ("log_cosh", lambda: L.log_cosh_loss(logits, probs)), ("cosine", lambda: L.cosine_similarity_loss(logits, probs)),
                  ("hinge", lambda: L.hinge_loss(logits, mx.sign(probs - 0.2))), ("triplet", lambda: L.triplet_loss(logits, probs, logits * 0.5)),
                  ("gaussian_nll", lambda: L.gaussian_nll_loss(logits, probs, mx.abs(logits) + 0.1)), ("margin_ranking", lambda: L.margin_ranking_loss(logits[0], logits[1], mx.sign(logits[2]))),
                  ("ctc?", lambda: L.ctc_loss if hasattr(L, "ctc_loss") else 0)]:
        R(f"loss_{nm}", f)
    # init functions
    for nm in ["constant", "normal", "uniform", "identity", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform"]:
        def finit(nm=nm):
            mx.random.seed(5)
            ini = getattr(nn.init, nm)
            fn = ini(0.5) if nm == "constant" else ini()
            return fn(mx.zeros((4, 6))) if nm != "identity" else fn(mx.zeros((4, 4)))
        R(f"init_{nm}", finit)
    # optimizers: 3 steps on a small model
    OPT = {"SGD": lambda: optim.SGD(0.1, momentum=0.9, weight_decay=0.01, nesterov=True), "SGD0": lambda: optim.SGD(0.1),
           "Adam": lambda: optim.Adam(0.01), "AdamW": lambda: optim.AdamW(0.01), "Adagrad": lambda: optim.Adagrad(0.1), "RMSprop": lambda: optim.RMSprop(0.01),
           "AdaDelta": lambda: optim.AdaDelta(0.5), "Adamax": lambda: optim.Adamax(0.01), "Lion": lambda: optim.Lion(0.01), "Adafactor": lambda: optim.Adafactor(),
           "Muon": lambda: optim.Muon(0.01) if hasattr(optim, "Muon") else optim.SGD(0.1), "Adam_bias": lambda: optim.Adam(0.01, bias_correction=True),
           "sched": lambda: optim.Adam(optim.cosine_decay(0.1, 10)), "join": lambda: optim.SGD(optim.join_schedules([optim.linear_schedule(0, 0.1, 2), optim.exponential_decay(0.1, 0.5)], [2])),
           "step_decay": lambda: optim.SGD(optim.step_decay(0.1, 0.5, 1))}
    for nm, mk_opt in OPT.items():
        def fopt(mk_opt=mk_opt):
            mx.random.seed(1)
            model = nn.Sequential(nn.Linear(8, 6), nn.Tanh() if hasattr(nn, "Tanh") else nn.ReLU(), nn.Linear(6, 3))
            opt = mk_opt()
            lossf = lambda m: L.cross_entropy(m(x2), mx.array([0, 1, 2, 1]), reduction="mean")
            out = []
            for _ in range(3):
                l, g = nn.value_and_grad(model, lossf)(model)
                opt.update(model, g)
                out.append(l)
            return out + [v for _, v in sorted(tree_flatten(model.parameters()), key=lambda kv: kv[0])]
        R(f"opt_{nm}", fopt)
        def fclip(mk_opt=mk_opt):
            g = {"a": mk("float32", (3, 3)), "b": [mk("float32", (2,))]}
            c, n = optim.clip_grad_norm(g, 0.5)
            return [c["a"], c["b"][0], n]
        R("clip_grad_norm", fclip)


def suite_operators(R, mk, mx, DT):
    import operator as op
    OPS = {"add": op.add, "sub": op.sub, "mul": op.mul, "truediv": op.truediv, "floordiv": op.floordiv,
           "mod": op.mod, "pow": op.pow, "and": op.and_, "or": op.or_, "xor": op.xor, "lshift": op.lshift,
           "rshift": op.rshift, "lt": op.lt, "le": op.le, "eq": op.eq, "ne": op.ne, "gt": op.gt, "ge": op.ge,
           "matmul": op.matmul}
    SCALARS = [3, -2, 2.5, True, 2**31, 2**40, -(2**63), 1e39, float("nan")]
    for dt in DT:
        x = mk(dt, (2, 2))
        for name, f in OPS.items():
            for s in SCALARS:
                R(f"{name}({dt},{s!r})", lambda: f(x, s))
                R(f"r{name}({dt},{s!r})", lambda: f(s, x))
            R(f"{name}({dt},{dt})", lambda: f(x, x))
            R(f"{name}({dt},list)", lambda: f(x, [1, 2]))
        for name, f in [("neg", op.neg), ("pos", op.pos), ("abs", abs), ("invert", op.invert)]:
            R(f"{name}({dt})", lambda: f(x))

        def inplace(dt=dt):
            y = mk(dt, (2, 2))
            y += 1
            y *= 2
            return y
        R(f"iadd({dt})", inplace)
        for meth, args in [("sum", ()), ("mean", (0,)), ("T", None), ("astype", (mx.float16,)), ("square", ()),
                           ("reshape", ((4,),)), ("reshape", (4,)), ("flatten", ()), ("swapaxes", (0, 1)),
                           ("any", ()), ("max", (1,)), ("argmax", ()), ("round", (1,)), ("log1p", ()),
                           ("cumsum", (0,)), ("diag", ()), ("split", (2,)), ("moveaxis", (0, 1)),
                           ("conj", ()), ("view", (mx.uint8,)), ("transpose", (1, 0)), ("squeeze", ())]:
            R(f"method_{meth}{args}({dt})", lambda: getattr(x, meth) if args is None else getattr(x, meth)(*args))
        R(f"item({dt})", lambda: mx.array(x[0, 0].item()))
        R(f"tolist({dt})", lambda: mx.array(x.tolist()))
        R(f"len_iter({dt})", lambda: [row for row in x])
