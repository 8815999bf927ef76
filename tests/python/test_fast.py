"""mlx.core.fast against numpy (float64 references): rms_norm, layer_norm, rope (both layouts,
partial dims, freqs, array offsets), scaled_dot_product_attention (grouped heads, causal,
boolean / additive masks, sinks, layouts), half precision, gradients against the composed
version, vmap, bad arguments."""
import numpy as np
import pytest

import mlx.core as mx

TOL = {mx.float16: 5e-3, mx.bfloat16: 3e-2, mx.float32: 2e-5, mx.float64: 1e-10}
rng = np.random.default_rng(11)


def rand(shape, dt=mx.float32):
    a = mx.array(rng.standard_normal(shape).astype(np.float32)).astype(dt)
    return a, np.array(a.astype(mx.float64))


def val(a):
    return np.array(a.astype(mx.float64))


def close(got, want, dt, scale=1.0):
    got = val(got)
    assert got.shape == want.shape
    err = np.max(np.abs(got - want) / (np.abs(want) + scale))
    assert err <= 4 * TOL[dt], err


def ref_norm(x, w, b, eps, rms):
    mean = 0 if rms else x.mean(-1, keepdims=True)
    xc = x - mean
    y = xc / np.sqrt((xc * xc).mean(-1, keepdims=True) + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def ref_rope(x, dims, trad, base, scale, offset, freqs=None):
    L = x.shape[-2]
    half = dims // 2
    inv = 1.0 / freqs if freqs is not None else base ** (-np.arange(half) / half)
    off = np.asarray(offset, dtype=np.float64).reshape((-1,) + (1,) * (x.ndim - 1))
    pos = (np.arange(L)[:, None] + off) * scale  # (B or 1, 1.., L, 1)
    th = pos * inv
    c, s = np.cos(th), np.sin(th)
    y = x.copy()
    if trad:
        a, b = x[..., 0:dims:2], x[..., 1:dims:2]
        y[..., 0:dims:2] = a * c - b * s
        y[..., 1:dims:2] = a * s + b * c
    else:
        a, b = x[..., :half], x[..., half:dims]
        y[..., :half] = a * c - b * s
        y[..., half:dims] = a * s + b * c
    return y


def ref_sdpa(q, k, v, scale, mask=None, sinks=None):
    rep = q.shape[1] // k.shape[1]
    k, v = np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1)
    s = scale * q @ np.swapaxes(k, -1, -2)
    L, S = s.shape[-2:]
    if isinstance(mask, str):
        mask = np.arange(S)[None] <= np.arange(L)[:, None] + (S - L)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    m = s.max(-1, keepdims=True)
    if sinks is not None:
        m = np.maximum(m, sinks[None, :, None, None])
    e = np.exp(s - m)
    den = e.sum(-1, keepdims=True)
    if sinks is not None:
        den = den + np.exp(sinks[None, :, None, None] - m)
    return (e / den) @ v


@pytest.mark.parametrize("dt", [mx.float32, mx.float16, mx.bfloat16, mx.float64])
def test_norms(dt):
    x, xn = rand((3, 4, 50), dt)
    w, wn = rand((50,), dt)
    b, bn = rand((50,), dt)
    close(mx.fast.rms_norm(x, w, 1e-5), ref_norm(xn, wn, None, 1e-5, True), dt)
    close(mx.fast.rms_norm(x, None, 1e-5), ref_norm(xn, None, None, 1e-5, True), dt)
    close(mx.fast.layer_norm(x, w, b, 1e-5), ref_norm(xn, wn, bn, 1e-5, False), dt)
    close(mx.fast.layer_norm(x, None, b, 1e-5), ref_norm(xn, None, bn, 1e-5, False), dt)
    close(mx.fast.layer_norm(x, w, None, 1e-5), ref_norm(xn, wn, None, 1e-5, False), dt)
    assert mx.fast.rms_norm(x, w, 1e-5).dtype == dt


def test_norm_dtypes_and_layouts():
    x = mx.ones((2, 4), dtype=mx.float16)
    assert mx.fast.rms_norm(x, mx.ones((4,)), 1e-5).dtype == mx.float32
    assert mx.fast.rms_norm(x, None, 1e-5).dtype == mx.float16
    a, an = rand((64, 33))
    close(mx.fast.layer_norm(a.T, None, None, 1e-6), ref_norm(an.T, None, None, 1e-6, False),
          mx.float32)
    big, bn = rand((300, 1024))
    close(mx.fast.rms_norm(big, None, 1e-6), ref_norm(bn, None, None, 1e-6, True), mx.float32)


@pytest.mark.parametrize("trad", [False, True])
@pytest.mark.parametrize("dt", [mx.float32, mx.bfloat16])
def test_rope(trad, dt):
    x, xn = rand((2, 3, 10, 16), dt)
    close(mx.fast.rope(x, 12, traditional=trad, base=10000.0, scale=0.5, offset=3),
          ref_rope(xn, 12, trad, 10000.0, 0.5, 3), dt)
    f = np.arange(1, 9, dtype=np.float32) ** 1.5
    close(mx.fast.rope(x, 16, traditional=trad, base=None, scale=1.0, offset=mx.array(7),
                       freqs=mx.array(f)),
          ref_rope(xn, 16, trad, None, 1.0, 7, f.astype(np.float64)), dt)
    off = mx.array([2, 9])
    close(mx.fast.rope(x, 8, traditional=trad, base=500.0, scale=1.0, offset=off),
          ref_rope(xn, 8, trad, 500.0, 1.0, [2, 9]), dt)


@pytest.mark.parametrize("mask", [None, "causal", "bool", "add"])
def test_sdpa(mask):
    q, qn = rand((2, 4, 7, 16))
    k, kn = rand((2, 2, 9, 16))
    v, vn = rand((2, 2, 9, 8))
    m = mn = mask
    if mask == "bool":
        mn = rng.random((7, 9)) > 0.3
        mn[:, 0] = True
        m = mx.array(mn)
    elif mask == "add":
        m, mn = rand((4, 7, 9))
    out = mx.fast.scaled_dot_product_attention(q, k, v, scale=0.25, mask=m)
    close(out, ref_sdpa(qn, kn, vn, 0.25, mn), mx.float32)


def test_sdpa_sinks_half_layouts():
    q, qn = rand((1, 4, 70, 32))
    k, kn = rand((1, 1, 90, 32))
    v, vn = rand((1, 1, 90, 32))
    s, sn = rand((4,))
    out = mx.fast.scaled_dot_product_attention(q, k, v, scale=0.2, mask="causal", sinks=s)
    close(out, ref_sdpa(qn, kn, vn, 0.2, "causal", sn), mx.float32)
    qh, qhn = rand((1, 2, 5, 16), mx.float16)
    out = mx.fast.scaled_dot_product_attention(qh, qh, qh, scale=0.25)
    assert out.dtype == mx.float16
    close(out, ref_sdpa(qhn, qhn, qhn, 0.25), mx.float16)
    x, xn = rand((1, 6, 3, 8))  # (B, L, H, D) -> (B, H, L, D)
    xt, xtn = x.transpose(0, 2, 1, 3), xn.transpose(0, 2, 1, 3)
    out = mx.fast.scaled_dot_product_attention(xt, xt, xt, scale=0.3, mask="causal")
    close(out, ref_sdpa(xtn, xtn, xtn, 0.3, "causal"), mx.float32)


def composed_sdpa(q, k, v, scale, mask=None):
    rep = q.shape[1] // k.shape[1]
    k, v = mx.repeat(k, rep, axis=1), mx.repeat(v, rep, axis=1)
    s = (q * scale) @ k.swapaxes(-1, -2)
    if mask is not None:
        s = s + mask
    return mx.softmax(s, axis=-1, precise=True) @ v


def test_grads_and_vmap():
    x, _ = rand((3, 8), mx.float64)
    w, _ = rand((8,), mx.float64)
    g = mx.grad(lambda x, w: (mx.fast.rms_norm(x, w, 1e-5) ** 2).sum(), argnums=(0, 1))(x, w)

    def composed(x, w):
        return ((x * mx.rsqrt((x * x).mean(-1, keepdims=True) + 1e-5) * w) ** 2).sum()

    g2 = mx.grad(composed, argnums=(0, 1))(x, w)
    for a, b in zip(g, g2):
        assert np.allclose(val(a), val(b), atol=1e-10)
    q, _ = rand((1, 2, 3, 4), mx.float64)
    k, _ = rand((1, 1, 5, 4), mx.float64)
    v, _ = rand((1, 1, 5, 4), mx.float64)
    m, _ = rand((3, 5), mx.float64)
    f1 = mx.grad(lambda q, k, v: mx.fast.scaled_dot_product_attention(
        q, k, v, scale=0.5, mask=m).sum(), argnums=(0, 1, 2))(q, k, v)
    f2 = mx.grad(lambda q, k, v: composed_sdpa(q, k, v, 0.5, m).sum(), argnums=(0, 1, 2))(q, k, v)
    for a, b in zip(f1, f2):
        assert np.allclose(val(a), val(b), atol=1e-10)
    xs, xsn = rand((4, 2, 5, 8))
    out = mx.vmap(lambda t: mx.fast.rope(t, 8, traditional=False, base=1e4, scale=1.0,
                                         offset=1))(xs)
    close(out, np.stack([ref_rope(t[None], 8, False, 1e4, 1.0, 1)[0] for t in xsn]), mx.float32)


def test_bad_arguments():
    x = mx.ones((2, 4))
    cases = [
        (lambda: mx.fast.rms_norm(mx.ones((2, 4), dtype=mx.int32), None, 1e-5),
         "[rms_norm] Received unsupported type int32."),
        (lambda: mx.fast.rms_norm(x, mx.ones((3,)), 1e-5),
         "[rms_norm] (*weight) must have the same size as the last dimension of x but has 3 "
         "elements."),
        (lambda: mx.fast.rms_norm(mx.array(1.0), None, 1e-5),
         "[rms_norm] Input must have at least 1 dimension but got input with 0 dimensions."),
        (lambda: mx.fast.layer_norm(x, None, mx.ones((3,)), 1e-5),
         "[layer_norm] bias must have the same size as the last dimension of x but has 3 "
         "elements."),
        (lambda: mx.fast.rope(mx.ones((4,)), 4, traditional=False, base=1e4, scale=1.0, offset=0),
         "[rope] Input must have at least 3 dimensions but got input with 1 dimensions."),
        (lambda: mx.fast.rope(mx.ones((2, 4, 8)), 3, traditional=False, base=1e4, scale=1.0,
                              offset=0), "[rope] dims must be even but got 3."),
        (lambda: mx.fast.rope(mx.ones((2, 4, 8)), 4, traditional=False, base=None, scale=1.0,
                              offset=0), "[rope] Neither base nor freqs has a value."),
        (lambda: mx.fast.rope(mx.ones((2, 4, 8)), 4, traditional=False, base=1e4, scale=1.0,
                              offset=mx.array(1.5)),
         "[rope] offset must be an integer but got type float32."),
        (lambda: mx.fast.scaled_dot_product_attention(mx.ones((4, 3, 8)), mx.ones((1, 2, 5, 8)),
                                                      mx.ones((1, 2, 5, 8)), scale=1.0),
         "[scaled_dot_product_attention] input with shape (4,3,8) expected to be rank 4"),
        (lambda: mx.fast.scaled_dot_product_attention(
            mx.ones((1, 4, 3, 8)), mx.ones((1, 3, 5, 8)), mx.ones((1, 3, 5, 8)), scale=1.0),
         "[scaled_dot_product_attention] n_heads must be a multiple of n_kv_heads, found n_heads "
         "4 for n_kv_heads 3."),
        (lambda: mx.fast.scaled_dot_product_attention(
            mx.ones((1, 4, 3, 8)), mx.ones((1, 2, 5, 8)), mx.ones((1, 2, 5, 8)), scale=1.0,
            mask="foo"),
         "[scaled_dot_product_attention] invalid mask option 'foo'. Must be 'causal', or an "
         "array."),
        (lambda: mx.fast.scaled_dot_product_attention(
            mx.ones((1, 4, 3, 8)), mx.ones((1, 2, 5, 8)), mx.ones((1, 2, 5, 8)), scale=1.0,
            sinks=mx.ones((3,))),
         "[scaled_dot_product_attention] Received invalid shape for sinks (3)."),
    ]
    for fn, msg in cases:
        with pytest.raises(ValueError) as e:
            fn()
        assert str(e.value) == msg
    with pytest.raises(TypeError):
        mx.fast.rms_norm([1.0, 2.0], None, 1e-5)
    assert mx.fast.rms_norm(x, None, 1e-5).shape == (2, 4)  # still working


def test_cross_entropy():
    # logsumexp(logits, -1) - logits[..., target], computed in float32 whatever the logits' float
    # dtype (the real MLX 0.32.4's mx.fast.cross_entropy)
    r = np.random.default_rng(3)
    logits = r.standard_normal((2, 3, 7)) * 3
    targets = r.integers(0, 7, (2, 3))
    ref = (np.log(np.exp(logits).sum(-1)) - np.take_along_axis(logits, targets[..., None], -1)[..., 0])
    for dt, tol in [(mx.float32, 1e-5), (mx.float16, 3e-3), (mx.bfloat16, 2e-2), (mx.float64, 1e-5)]:
        for tdt in (mx.int32, mx.uint8, mx.int64):
            out = mx.fast.cross_entropy(mx.array(logits).astype(dt), mx.array(targets).astype(tdt))
            assert out.dtype == mx.float32 and out.shape == (2, 3)
            want = ref if dt in (mx.float32, mx.float64) else (
                lambda q: np.log(np.exp(q).sum(-1)) - np.take_along_axis(q, targets[..., None], -1)[..., 0])(
                    np.array(mx.array(logits).astype(dt).astype(mx.float32)).astype(np.float64))
            np.testing.assert_allclose(np.array(out), want, rtol=tol, atol=tol)
    one = mx.fast.cross_entropy(mx.array(logits[0, 0]), mx.array(targets[0, 0]))
    assert one.shape == () and abs(one.item() - ref[0, 0]) < 1e-5
    with pytest.raises(ValueError, match="cross_entropy"):
        mx.fast.cross_entropy(mx.array(logits), mx.array(targets[0]))
    with pytest.raises(ValueError, match="integer class indices"):
        mx.fast.cross_entropy(mx.array(logits), mx.array(targets, dtype=mx.float32))
    with pytest.raises(ValueError, match="unsupported logits"):
        mx.fast.cross_entropy(mx.array(targets), mx.array(targets[:, 0]))
    with pytest.raises(TypeError):
        mx.fast.cross_entropy(logits, targets)
