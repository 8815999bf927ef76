"""The conv family against numpy (float64 references): conv1d/2d/3d, conv_general (strides,
low/high padding, kernel and input dilation, groups, flip), conv_transpose1d/2d/3d, convolve;
float16/bfloat16/float32/float64; gradients against finite differences; vmap; bad arguments."""
import numpy as np
import pytest

import mlx.core as mx

FLOATS = [mx.float16, mx.bfloat16, mx.float32, mx.float64]
TOL = {mx.float16: 5e-3, mx.bfloat16: 3e-2, mx.float32: 2e-5, mx.float64: 1e-12}

rng = np.random.default_rng(3)


def rand(shape, dt=mx.float32):
    a = mx.array(rng.standard_normal(shape).astype(np.float32)).astype(dt)
    return a, np.array(a.astype(mx.float64))


def val(a):
    return np.array(a.astype(mx.float64))


def close(got, want, dt):
    got = val(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    if got.size:
        err = np.max(np.abs(got - want)) / (1 + np.max(np.abs(want)))
        assert err <= TOL[dt], err


def ref_conv(x, w, stride=1, lo=0, hi=0, kd=1, idil=1, groups=1, flip=False):
    """Direct definition: dilate, pad (negative crops), then sum over kernel positions."""
    nsp = x.ndim - 2
    per = lambda v: [v] * nsp if np.isscalar(v) else list(v)
    stride, lo, hi, kd, idil = map(per, (stride, lo, hi, kd, idil))
    N, C = x.shape[0], x.shape[-1]
    shape = [N] + [(s - 1) * d + 1 for s, d in zip(x.shape[1:-1], idil)] + [C]
    xd = np.zeros(shape)
    xd[(slice(None),) + tuple(slice(None, None, d) for d in idil)] = x
    for d in range(nsp):
        ax = d + 1
        if lo[d] < 0:
            xd = np.take(xd, range(-lo[d], xd.shape[ax]), axis=ax)
        if hi[d] < 0:
            xd = np.take(xd, range(0, xd.shape[ax] + hi[d]), axis=ax)
        pads = [(0, 0)] * xd.ndim
        pads[ax] = (max(lo[d], 0), max(hi[d], 0))
        xd = np.pad(xd, pads)
    if flip:
        w = w[(slice(None),) + (slice(None, None, -1),) * nsp]
    K = w.shape[1:-1]
    osz = [(xd.shape[d + 1] - (K[d] - 1) * kd[d] - 1) // stride[d] + 1 for d in range(nsp)]
    O, Cg = w.shape[0], w.shape[-1]
    Og = O // groups
    out = np.zeros([N] + osz + [O])
    for kpos in np.ndindex(*K):
        sl = tuple(slice(k * kd[d], k * kd[d] + (osz[d] - 1) * stride[d] + 1, stride[d])
                   for d, k in enumerate(kpos))
        patch = xd[(slice(None),) + sl]
        for g in range(groups):
            wk = w[(slice(g * Og, (g + 1) * Og),) + kpos]
            out[..., g * Og:(g + 1) * Og] += patch[..., g * Cg:(g + 1) * Cg] @ wk.T
    return out


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 9, 3), (4, 3, 3), dict(stride=2, padding=1, dilation=2)),
    ((2, 7, 6, 4), (6, 3, 2, 2), dict(stride=(1, 2), padding=(1, 0), dilation=(2, 1), groups=2)),
    ((1, 8, 8, 8), (16, 1, 1, 8), dict()),
    ((2, 4, 5, 3, 2), (3, 2, 3, 2, 2), dict(stride=(1, 2, 1), padding=1)),
])
def test_conv_nd(dt, xs, ws, kw):
    x, xn = rand(xs, dt)
    w, wn = rand(ws, dt)
    fn = {3: mx.conv1d, 4: mx.conv2d, 5: mx.conv3d}[len(xs)]
    got = fn(x, w, **kw)
    assert got.dtype == dt
    close(got, ref_conv(xn, wn, kw.get("stride", 1), kw.get("padding", 0), kw.get("padding", 0),
                        kw.get("dilation", 1), 1, kw.get("groups", 1)), dt)


@pytest.mark.parametrize("flip", [False, True])
def test_conv_general(flip):
    x, xn = rand((2, 6, 5, 4))
    w, wn = rand((6, 3, 2, 2))
    got = mx.conv_general(x, w, stride=[2, 1], padding=([1, 0], [0, 2]), kernel_dilation=[1, 2],
                          input_dilation=[2, 1], groups=2, flip=flip)
    close(got, ref_conv(xn, wn, [2, 1], [1, 0], [0, 2], [1, 2], [2, 1], 2, flip), mx.float32)
    # one padding for both sides, scalars broadcast
    got = mx.conv_general(x, w, stride=1, padding=1, kernel_dilation=2, groups=2, flip=flip)
    close(got, ref_conv(xn, wn, 1, 1, 1, 2, 1, 2, flip), mx.float32)
    got = mx.conv_general(x, w, padding=[-1, 1], groups=2)  # negative padding crops
    close(got, ref_conv(xn, wn, 1, [-1, 1], [-1, 1], 1, 1, 2), mx.float32)


def ref_transpose(x, w, stride, pad, dil, opad, groups=1):
    """Scatter form: every input element adds its kernel-weighted copy to the output."""
    nsp = x.ndim - 2
    K = w.shape[1:-1]
    L = [(x.shape[d + 1] - 1) * stride[d] - 2 * pad[d] + dil[d] * (K[d] - 1) + opad[d] + 1
         for d in range(nsp)]
    big = [x.shape[0]] + [L[d] + 2 * pad[d] + K[d] * dil[d] for d in range(nsp)] + [w.shape[0]]
    out = np.zeros(big)
    Cg, Og = w.shape[-1], w.shape[0] // groups
    for ipos in np.ndindex(*x.shape[1:-1]):
        for kpos in np.ndindex(*K):
            p = tuple(ipos[d] * stride[d] + kpos[d] * dil[d] for d in range(nsp))
            for g in range(groups):
                xv = x[(slice(None),) + ipos + (slice(g * Cg, (g + 1) * Cg),)]
                wv = w[(slice(g * Og, (g + 1) * Og),) + kpos]
                out[(slice(None),) + p + (slice(g * Og, (g + 1) * Og),)] += xv @ wv.T
    sl = tuple(slice(pad[d], pad[d] + L[d]) for d in range(nsp))
    return out[(slice(None),) + sl]


@pytest.mark.parametrize("dt", [mx.float32, mx.float64])
@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 5, 3), (4, 3, 3), dict(stride=2, padding=1, dilation=1, output_padding=1)),
    ((1, 4, 3, 4), (6, 3, 2, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)),
    ((1, 3, 2, 3, 2), (2, 2, 2, 2, 2), dict(stride=2)),
])
def test_conv_transpose(dt, xs, ws, kw):
    x, xn = rand(xs, dt)
    w, wn = rand(ws, dt)
    nsp = len(xs) - 2
    fn = {1: mx.conv_transpose1d, 2: mx.conv_transpose2d, 3: mx.conv_transpose3d}[nsp]
    per = lambda v: [v] * nsp if isinstance(v, int) else list(v)
    got = fn(x, w, **kw)
    want = ref_transpose(xn, wn, per(kw.get("stride", 1)), per(kw.get("padding", 0)),
                         per(kw.get("dilation", 1)), per(kw.get("output_padding", 0)),
                         kw.get("groups", 1))
    close(got, want, dt)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("n,m", [(7, 3), (6, 4), (3, 5), (5, 5), (1, 1)])
def test_convolve(mode, n, m):
    a, an = rand((n,))
    v, vn = rand((m,))
    close(mx.convolve(a, v, mode=mode), np.convolve(an, vn, mode=mode), mx.float32)


def test_large_threads():
    x, xn = rand((4, 30, 30, 16))
    w, wn = rand((24, 3, 3, 16))
    close(mx.conv2d(x, w, padding=1), ref_conv(xn, wn, 1, 1, 1), mx.float32)
    xt = mx.transpose(mx.array(np.ascontiguousarray(xn.transpose(3, 1, 2, 0)), mx.float32),
                      (3, 1, 2, 0))  # a strided view
    close(mx.conv2d(xt, w, padding=1), ref_conv(xn, wn, 1, 1, 1), mx.float32)


def numeric_grad(f, x, eps=1e-6):
    g = np.zeros(x.shape)
    xv = np.array(x)
    for i in np.ndindex(*x.shape):
        d = np.zeros(x.shape)
        d[i] = eps
        hi, lo = mx.array(xv + d, mx.float64), mx.array(xv - d, mx.float64)
        g[i] = (f(hi).item() - f(lo).item()) / (2 * eps)
    return g


@pytest.mark.parametrize("kw", [
    dict(stride=[2], padding=([1], [0]), kernel_dilation=[2], input_dilation=[1]),
    dict(stride=[1], padding=([2], [1]), kernel_dilation=[1], input_dilation=[2], flip=True),
])
def test_grad(kw):
    x, _ = rand((2, 6, 4), mx.float64)
    w, _ = rand((4, 3, 2), mx.float64)
    u, _ = rand(mx.conv_general(x, w, groups=2, **kw).shape, mx.float64)
    loss = lambda x, w: (mx.conv_general(x, w, groups=2, **kw) * u).sum()
    gx, gw = mx.grad(loss, argnums=(0, 1))(x, w)
    np.testing.assert_allclose(val(gx), numeric_grad(lambda t: loss(t, w), x), atol=1e-6)
    np.testing.assert_allclose(val(gw), numeric_grad(lambda t: loss(x, t), w), atol=1e-6)


def test_grad_conv2d_and_transpose():
    x, _ = rand((1, 5, 4, 2), mx.float64)
    w, _ = rand((3, 3, 2, 2), mx.float64)
    for fn in (lambda x, w: mx.conv2d(x, w, stride=2, padding=1),
               lambda x, w: mx.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)):
        loss = lambda x, w: fn(x, w).square().sum()
        gx, gw = mx.grad(loss, argnums=(0, 1))(x, w)
        np.testing.assert_allclose(val(gx), numeric_grad(lambda t: loss(t, w), x), atol=1e-5)
        np.testing.assert_allclose(val(gw), numeric_grad(lambda t: loss(x, t), w), atol=1e-5)


def ref_grads2d(x, w, u, s, p, groups=1):
    """Float64 gradients of sum(conv2d(x, w, stride=s, padding=p, groups) * u) by kernel
    position: gw from the shifted input windows, gx scattered back from u @ w."""
    N, H, W, C = x.shape
    O, KH, KW, Cg = w.shape
    Og = O // groups
    xp = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    gxp, gw = np.zeros(xp.shape), np.zeros(w.shape)
    OH, OW = u.shape[1:3]
    for kh in range(KH):
        for kw in range(KW):
            win = (slice(None), slice(kh, kh + (OH - 1) * s + 1, s),
                   slice(kw, kw + (OW - 1) * s + 1, s))
            for g in range(groups):
                ug, cs = u[..., g * Og:(g + 1) * Og], slice(g * Cg, (g + 1) * Cg)
                gw[g * Og:(g + 1) * Og, kh, kw] = np.einsum("nijo,nijc->oc", ug, xp[win][..., cs])
                gxp[win + (cs,)] += np.einsum("nijo,oc->nijc", ug, w[g * Og:(g + 1) * Og, kh, kw])
    return gxp[:, p:p + H, p:p + W], gw


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("xs,ws,s,p,groups", [
    ((8, 28, 28, 1), (32, 3, 3, 1), 1, 1, 1),       # the CNN's first layer
    ((16, 14, 14, 32), (64, 3, 3, 32), 1, 1, 1),    # its second (many chunks, every thread)
    ((4, 15, 13, 8), (12, 3, 3, 4), 2, 1, 2),       # strided, grouped
    ((6, 9, 9, 24), (16, 1, 1, 24), 1, 0, 1),       # 1x1: the input rows are the patches
])
def test_grad_against_reference(dt, xs, ws, s, p, groups):
    x, xn = rand(xs, dt)
    w, wn = rand(ws, dt)
    y = mx.conv2d(x, w, stride=s, padding=p, groups=groups)
    u, un = rand(y.shape, dt)
    loss = lambda x, w: (mx.conv2d(x, w, stride=s, padding=p, groups=groups) * u).sum()
    val_, (gx, gw) = mx.value_and_grad(loss, argnums=(0, 1))(x, w)
    assert gx.dtype == dt and gw.dtype == dt
    rx, rw = ref_grads2d(xn, wn, un, s, p, groups)
    close(gx, rx, dt)
    close(gw, rw, dt)


def test_grad_strided_views():
    xn = rng.standard_normal((6, 10, 10, 4))
    x = mx.transpose(mx.array(np.ascontiguousarray(xn.transpose(3, 1, 2, 0)), mx.float32),
                     (3, 1, 2, 0))
    w, wn = rand((5, 3, 3, 4))
    u, un = rand((6, 10, 10, 5))
    ut = mx.transpose(mx.array(np.ascontiguousarray(un.transpose(2, 1, 0, 3)), mx.float32),
                      (2, 1, 0, 3))
    loss = lambda x, w: (mx.conv2d(x, w, padding=1) * ut).sum()
    gx, gw = mx.grad(loss, argnums=(0, 1))(x, w)
    rx, rw = ref_grads2d(xn, wn, un, 1, 1)
    close(gx, rx, mx.float32)
    close(gw, rw, mx.float32)


def test_second_order():
    """Gradients of the weight's gradient (its own primitive form) against finite differences."""
    x, _ = rand((2, 5, 5, 2), mx.float64)
    w, _ = rand((3, 3, 3, 2), mx.float64)
    v, _ = rand((3, 3, 3, 2), mx.float64)
    inner = lambda x, w: mx.grad(lambda w: mx.conv2d(x, w, stride=2, padding=1).square().sum())(w)
    loss = lambda x, w: (inner(x, w) * v).sum()
    gx, gw = mx.grad(loss, argnums=(0, 1))(x, w)
    np.testing.assert_allclose(val(gx), numeric_grad(lambda t: loss(t, w), x), atol=1e-5)
    np.testing.assert_allclose(val(gw), numeric_grad(lambda t: loss(x, t), w), atol=1e-5)


def test_vmap_of_grad():
    x, xn = rand((3, 2, 7, 4), mx.float64)
    w, wn = rand((5, 3, 4), mx.float64)
    g = lambda x: mx.grad(lambda w: mx.conv1d(x, w, padding=1).square().sum())(w)
    out = mx.vmap(g)(x)
    for i in range(3):
        np.testing.assert_allclose(val(out[i]), val(g(x[i])), atol=1e-10)


def test_vmap():
    x, xn = rand((3, 2, 6, 4))
    w, wn = rand((3, 5, 3, 4))
    out = mx.vmap(lambda x: mx.conv1d(x, w[0], padding=1))(x)
    close(out, np.stack([ref_conv(xn[i], wn[0], 1, 1, 1) for i in range(3)]), mx.float32)
    out = mx.vmap(mx.conv1d, in_axes=(0, 0))(x, w)
    close(out, np.stack([ref_conv(xn[i], wn[i]) for i in range(3)]), mx.float32)
    out = mx.vmap(lambda w: mx.conv1d(x[0], w))(w)
    close(out, np.stack([ref_conv(xn[0], wn[i]) for i in range(3)]), mx.float32)


def test_bad_arguments():
    x = mx.ones((1, 5, 5, 4))
    w = mx.ones((6, 3, 3, 4))
    with pytest.raises(ValueError, match=r"\[conv\] Expect the input channels"):
        mx.conv2d(x, mx.ones((6, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"Stride sizes must be positive"):
        mx.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match=r"Kernel dilation sizes must be positive"):
        mx.conv2d(x, w, dilation=0)
    with pytest.raises(ValueError, match=r"divisible by the number of groups"):
        mx.conv2d(x, w, groups=3)
    with pytest.raises(ValueError, match=r"Spatial dimensions of input after padding"):
        mx.conv2d(x, mx.ones((6, 7, 3, 4)))
    with pytest.raises(ValueError, match=r"only supports floating point types"):
        mx.conv2d(x.astype(mx.int32), w.astype(mx.int32))
    with pytest.raises(ValueError, match=r"Invalid weight array with 3 dimensions"):
        mx.conv2d(x, mx.ones((6, 3, 3)))
    with pytest.raises(ValueError, match=r"Invalid strides"):
        mx.conv_general(x, w, stride=[1, 1, 1])
    with pytest.raises(ValueError, match=r"\[convolve\] Inputs must be 1D"):
        mx.convolve(mx.ones((2, 2)), mx.ones(3))
    with pytest.raises(ValueError, match=r"\[convolve\] Invalid mode"):
        mx.convolve(mx.ones(5), mx.ones(3), mode="x")
    with pytest.raises(TypeError):
        mx.conv2d(x, w, stride=(1, 2, 3))
    with pytest.raises(TypeError):
        mx.conv2d(x, w, stride="a")
    with pytest.raises(TypeError):
        mx.conv2d(np.ones((1, 5, 5, 4)), w)
    assert mx.conv2d(x, w).shape == (1, 3, 3, 6)  # still works
