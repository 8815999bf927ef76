"""mlx.optimizers: optimizers against numpy (float64) implementations of the documented
update rules, schedules, clip_grad_norm, MultiOptimizer, state handling."""
import math

import numpy as np
import pytest

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
from mlx.utils import tree_flatten, tree_map, tree_unflatten

rng = np.random.default_rng(7)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


SHAPES = {"w": (4, 6), "b.0": (6,), "b.1": (2, 3, 4)}
P0 = {k: randn(*s) for k, s in SHAPES.items()}
GRADS = [{k: randn(*s) for k, s in SHAPES.items()} for _ in range(3)]


def to_tree(flat):
    return tree_unflatten([(k, mx.array(v)) for k, v in flat.items()])


def run(opt, steps=3):
    params = to_tree(P0)
    for g in GRADS[:steps]:
        params = opt.apply_gradients(to_tree(g), params)
    mx.eval(params)
    return {k: np.array(v, dtype=np.float64) for k, v in tree_flatten(params)}


def np_run(update, init_state, steps=3):
    out = {}
    for k in SHAPES:
        p = P0[k].astype(np.float64)
        s = init_state(p)
        for t, g in enumerate(GRADS[:steps], start=1):
            p = update(p, g[k].astype(np.float64), s, t)
        out[k] = p
    return out


def check(opt, update, init_state=lambda p: {}, steps=3, rtol=1e-4, atol=1e-5):
    got = run(opt, steps)
    ref = np_run(update, init_state, steps)
    for k in SHAPES:
        np.testing.assert_allclose(got[k], ref[k], rtol=rtol, atol=atol, err_msg=k)


def zeros(*names):
    return lambda p: {n: np.zeros_like(p) for n in names}


# ----------------------------------------------------------------------------- SGD
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"momentum": 0.9},
        {"momentum": 0.9, "weight_decay": 0.01},
        {"momentum": 0.9, "dampening": 0.3},
        {"momentum": 0.8, "nesterov": True},
    ],
)
def test_sgd(kw):
    lr = 0.1
    mu = kw.get("momentum", 0.0)
    wd = kw.get("weight_decay", 0.0)
    damp = kw.get("dampening", 0.0)
    nest = kw.get("nesterov", False)

    def update(p, g, s, t):
        g = g + wd * p
        if mu <= 0:
            return p - lr * g
        s["v"] = mu * s["v"] + (1 - damp) * g
        u = g + mu * s["v"] if nest else s["v"]
        return p - lr * u

    check(optim.SGD(lr, **kw), update, zeros("v"))


def test_sgd_nesterov_requires_momentum():
    with pytest.raises(ValueError):
        optim.SGD(0.1, nesterov=True)
    with pytest.raises(ValueError):
        optim.SGD(0.1, momentum=0.9, dampening=0.1, nesterov=True)


# ----------------------------------------------------------------------------- adaptive
def test_rmsprop():
    lr, a, eps = 0.01, 0.9, 1e-8

    def update(p, g, s, t):
        s["v"] = a * s["v"] + (1 - a) * g * g
        return p - lr * g / (np.sqrt(s["v"]) + eps)

    check(optim.RMSprop(lr, alpha=a), update, zeros("v"))


def test_adagrad():
    def update(p, g, s, t):
        s["v"] = s["v"] + g * g
        return p - 0.1 * g / (np.sqrt(s["v"]) + 1e-8)

    check(optim.Adagrad(0.1), update, zeros("v"))


def test_adadelta():
    lr, rho, eps = 0.5, 0.8, 1e-6

    def update(p, g, s, t):
        s["v"] = rho * s["v"] + (1 - rho) * g * g
        d = np.sqrt(s["u"] + eps) / np.sqrt(s["v"] + eps) * g
        s["u"] = rho * s["u"] + (1 - rho) * d * d
        return p - lr * d

    check(optim.AdaDelta(lr, rho=rho), update, zeros("v", "u"))


def _adam_update(lr, b1, b2, eps, bc, wd=0.0):
    def update(p, g, s, t):
        p = p * (1 - lr * wd)
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        if bc:
            return p - lr / (1 - b1**t) * s["m"] / (np.sqrt(s["v"] / (1 - b2**t)) + eps)
        return p - lr * s["m"] / (np.sqrt(s["v"]) + eps)

    return update


@pytest.mark.parametrize("bc", [False, True])
def test_adam(bc):
    check(optim.Adam(0.01, betas=[0.8, 0.9], bias_correction=bc), _adam_update(0.01, 0.8, 0.9, 1e-8, bc), zeros("m", "v"))


@pytest.mark.parametrize("bc", [False, True])
def test_adamw(bc):
    check(
        optim.AdamW(0.01, weight_decay=0.1, bias_correction=bc),
        _adam_update(0.01, 0.9, 0.999, 1e-8, bc, wd=0.1),
        zeros("m", "v"),
    )


def test_adamax():
    lr, b1, b2, eps = 0.01, 0.8, 0.95, 1e-8

    def update(p, g, s, t):
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = np.maximum(b2 * s["v"], np.abs(g))
        return p - lr * s["m"] / (s["v"] + eps)

    check(optim.Adamax(lr, betas=[b1, b2]), update, zeros("m", "v"))


def test_lion():
    lr, b1, b2, wd = 0.01, 0.9, 0.99, 0.1

    def update(p, g, s, t):
        c = b1 * s["m"] + (1 - b1) * g
        s["m"] = b2 * s["m"] + (1 - b2) * g
        return p * (1 - lr * wd) - lr * np.sign(c)

    check(optim.Lion(lr, weight_decay=wd), update, zeros("m"))


def _np_adafactor(lr=None, eps=(1e-30, 1e-3), clip=1.0, decay=-0.8, beta_1=None, wd=0.0, scale_param=True, relative=True, warmup=False):
    rms = lambda x: np.sqrt(np.mean(x * x))

    def init(p):
        s = {}
        if p.ndim >= 2:
            s["row"] = np.zeros(p.shape[:-1])
            s["col"] = np.zeros(p.shape[:-2] + p.shape[-1:])
        else:
            s["v"] = np.zeros_like(p)
        if beta_1 is not None:
            s["m"] = np.zeros_like(p)
        return s

    def update(p, g, s, t):
        if relative:
            size = min(1e-6 * t if warmup else 1e-2, 1 / math.sqrt(t))
        else:
            size = lr
        step = (max(eps[1], rms(p)) if scale_param else 1.0) * size
        b2 = 1 - t**decay
        u = g * g + eps[0]
        if p.ndim >= 2:
            s["row"] = b2 * s["row"] + (1 - b2) * u.mean(-1)
            s["col"] = b2 * s["col"] + (1 - b2) * u.mean(-2)
            r = 1 / np.sqrt(s["row"] / s["row"].mean(-1, keepdims=True))
            c = 1 / np.sqrt(s["col"])
            u = r[..., :, None] * c[..., None, :] * g
        else:
            s["v"] = b2 * s["v"] + (1 - b2) * u
            u = g / np.sqrt(s["v"])
        u = u / max(1.0, rms(u) / clip)
        u = step * u
        if beta_1 is not None:
            s["m"] = beta_1 * s["m"] + (1 - beta_1) * u
            u = s["m"]
        if wd != 0:
            p = p - wd * step * p
        return p - u

    return update, init


@pytest.mark.parametrize(
    "kw, npkw",
    [
        ({}, {}),
        (
            {"learning_rate": 0.01, "relative_step": False, "beta_1": 0.9, "weight_decay": 0.1, "scale_parameter": False},
            {"lr": 0.01, "relative": False, "beta_1": 0.9, "wd": 0.1, "scale_param": False},
        ),
        ({"warmup_init": True, "clip_threshold": 0.5}, {"warmup": True, "clip": 0.5}),
    ],
)
def test_adafactor(kw, npkw):
    update, init = _np_adafactor(**npkw)
    check(optim.Adafactor(**kw), update, init, rtol=2e-4, atol=1e-5)


def _np_newton_schulz(G, steps, eps=1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    tr = G.shape[0] > G.shape[1]
    X = G.T if tr else G
    X = X / (np.linalg.norm(X) + eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if tr else X


@pytest.mark.parametrize("nesterov", [True, False])
def test_muon(nesterov):
    lr, mu, wd, ns = 0.02, 0.9, 0.01, 5

    def update(p, g, s, t):
        g = g + wd * p
        s["v"] = mu * s["v"] + (1 - mu) * g
        u = (1 - mu) * g + mu * s["v"] if nesterov else s["v"]
        if u.ndim >= 2:
            m = u.reshape(u.shape[0], -1)
            m = _np_newton_schulz(m, ns) * max(1.0, m.shape[0] / m.shape[1]) ** 0.5
            u = m.reshape(u.shape)
        return p - lr * u

    check(optim.Muon(lr, momentum=mu, weight_decay=wd, nesterov=nesterov, ns_steps=ns), update, zeros("v"), rtol=1e-3, atol=1e-4)


# ----------------------------------------------------------------------------- base class
def test_optimizer_state_and_step():
    opt = optim.Adam(0.1)
    assert opt.step.item() == 0 and opt.step.dtype == mx.uint64
    assert opt.learning_rate.dtype == mx.float32
    np.testing.assert_allclose(opt.learning_rate.item(), 0.1, rtol=1e-6)
    assert set(opt.state) == {"step", "learning_rate"}
    params = to_tree(P0)
    opt.init(params)
    assert opt.state["w"]["m"].shape == (4, 6)
    assert isinstance(opt.state["b"], list) and opt.state["b"][1]["v"].shape == (2, 3, 4)
    assert opt.step.item() == 0
    opt.apply_gradients(to_tree(GRADS[0]), params)
    opt.apply_gradients(to_tree(GRADS[1]), params)
    assert opt.step.item() == 2
    opt.learning_rate = 0.5
    assert opt.learning_rate.item() == 0.5


def test_init_keeps_existing_state():
    opt = optim.SGD(0.1, momentum=0.9)
    params = to_tree(P0)
    opt.apply_gradients(to_tree(GRADS[0]), params)
    v = opt.state["w"]["v"]
    opt.init(params)
    assert opt.state["w"]["v"] is v


def test_schedule_as_learning_rate():
    sched = optim.exponential_decay(0.1, 0.5)
    opt = optim.SGD(learning_rate=sched)
    params = {"x": mx.array([1.0])}
    g = {"x": mx.array([1.0])}
    expected = 1.0
    for i in range(4):
        params = opt.apply_gradients(g, params)
        expected -= 0.1 * 0.5**i  # the rate of step i is used at step i
        np.testing.assert_allclose(params["x"].item(), expected, rtol=1e-6)
        np.testing.assert_allclose(opt.learning_rate.item(), 0.1 * 0.5**i, rtol=1e-6)
    assert opt.step.item() == 4


def test_update_model_and_partial_gradients():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2))
    before = {k: np.array(v) for k, v in tree_flatten(model.parameters())}
    grads = tree_map(lambda p: mx.ones_like(p), model.trainable_parameters())
    optim.SGD(0.5).update(model, grads)
    for k, v in tree_flatten(model.parameters()):
        np.testing.assert_allclose(np.array(v), before[k] - 0.5, rtol=1e-6)
    # a gradient tree for part of the model updates only that part
    model.layers[0].freeze()
    grads = tree_map(lambda p: mx.ones_like(p), model.trainable_parameters())
    optim.SGD(1.0).update(model, grads)
    after = dict(tree_flatten(model.parameters()))
    np.testing.assert_allclose(np.array(after["layers.0.weight"]), before["layers.0.weight"] - 0.5, rtol=1e-6)
    np.testing.assert_allclose(np.array(after["layers.1.bias"]), before["layers.1.bias"] - 1.5, rtol=1e-6)


def test_state_save_and_resume():
    """Optimizer state flattens to (path, array) pairs and restores to continue exactly."""
    a = optim.Adam(0.01, bias_correction=True)
    params = to_tree(P0)
    params = a.apply_gradients(to_tree(GRADS[0]), params)
    saved = dict(tree_flatten(a.state))
    assert "w.m" in saved and "step" in saved
    b = optim.Adam(0.01, bias_correction=True)
    b.state = tree_unflatten(list(saved.items()))
    pa = a.apply_gradients(to_tree(GRADS[1]), params)
    pb = b.apply_gradients(to_tree(GRADS[1]), params)
    for (k, x), (_, y) in zip(tree_flatten(pa), tree_flatten(pb)):
        np.testing.assert_array_equal(np.array(x), np.array(y))
    assert b.step.item() == 2


# ----------------------------------------------------------------------------- clip, multi
def test_clip_grad_norm():
    g = {"a": mx.array([3.0, 4.0]), "b": [mx.array(12.0)]}
    clipped, norm = optim.clip_grad_norm(g, 1.0)
    np.testing.assert_allclose(norm.item(), 13.0, rtol=1e-6)
    s = 1.0 / (13.0 + 1e-6)
    np.testing.assert_allclose(np.array(clipped["a"]), [3 * s, 4 * s], rtol=1e-5)
    np.testing.assert_allclose(np.array(clipped["b"][0]), 12 * s, rtol=1e-5)
    same, norm = optim.clip_grad_norm(g, 100.0)
    np.testing.assert_allclose(np.array(same["a"]), [3.0, 4.0])
    total = math.sqrt(sum(float((v**2).sum()) for v in GRADS[0].values()))
    _, n = optim.clip_grad_norm(to_tree(GRADS[0]), 1.0)
    np.testing.assert_allclose(n.item(), total, rtol=1e-5)


def test_multi_optimizer():
    with pytest.raises(ValueError):
        optim.MultiOptimizer([optim.SGD(0.1), optim.Adam(0.1)], [])
    mo = optim.MultiOptimizer([optim.SGD(0.1), optim.Adam(0.1)], [lambda path, p: path.startswith("b")])
    params = to_tree(P0)
    out = mo.apply_gradients(to_tree(GRADS[0]), params)
    flat = dict(tree_flatten(out))
    np.testing.assert_allclose(np.array(flat["b.0"]), P0["b.0"] - 0.1 * GRADS[0]["b.0"], rtol=1e-5, atol=1e-6)
    ref = _adam_update(0.1, 0.9, 0.999, 1e-8, False)(P0["w"].astype(np.float64), GRADS[0]["w"], {"m": 0, "v": 0}, 1)
    np.testing.assert_allclose(np.array(flat["w"]), ref, rtol=1e-4, atol=1e-5)
    st = mo.state
    assert len(st["states"]) == 2 and "w" in st["states"][1] and "b" in st["states"][0]
    np.testing.assert_allclose(mo.learning_rate.item(), 0.1, rtol=1e-6)


# ----------------------------------------------------------------------------- schedules
STEPS = list(range(0, 16, 2))


def test_schedules_values():
    cases = [
        (optim.exponential_decay(0.1, 0.9), lambda s: 0.1 * 0.9**s),
        (optim.step_decay(0.1, 0.5, 3), lambda s: 0.1 * 0.5 ** (s // 3)),
        (optim.cosine_decay(0.1, 10, 0.01), lambda s: 0.01 + 0.5 * (1 + math.cos(math.pi * min(s, 10) / 10)) * 0.09),
        (optim.linear_schedule(0.0, 0.1, 5), lambda s: 0.1 * min(s, 5) / 5),
    ]
    for sched, ref in cases:
        for s in STEPS:
            np.testing.assert_allclose(float(sched(mx.array(s))), ref(s), rtol=1e-5, atol=1e-7)
            np.testing.assert_allclose(float(sched(s)), ref(s), rtol=1e-5, atol=1e-7)
        assert sched(mx.array(3, mx.uint64)).dtype == mx.float32


def test_join_schedules():
    warm = optim.linear_schedule(0.0, 0.1, 5)
    cos = optim.cosine_decay(0.1, 10)
    j = optim.join_schedules([warm, cos], [5])
    for s in STEPS:
        ref = 0.1 * min(s, 5) / 5 if s < 5 else 0.05 * (1 + math.cos(math.pi * min(s - 5, 10) / 10))
        np.testing.assert_allclose(float(j(mx.array(s))), ref, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError):
        optim.join_schedules([warm], [5])
    with pytest.raises(ValueError):
        optim.join_schedules([], [])
    with pytest.raises(ValueError):
        optim.linear_schedule(0, 1, 0)


def test_adam_with_warmup_schedule_trains():
    opt = optim.AdamW(learning_rate=optim.join_schedules([optim.linear_schedule(0.0, 0.1, 3), optim.cosine_decay(0.1, 20)], [3]))
    params = {"x": mx.array([5.0, -3.0])}
    for _ in range(40):
        g = {"x": 2 * params["x"]}  # gradient of |x|^2
        params = opt.apply_gradients(g, params)
    assert float(mx.sum(mx.abs(params["x"]))) < 8.0 * 0.9


@pytest.mark.skipif(
    not (hasattr(mx, "save_safetensors") and hasattr(mx, "load")),
    reason="needs mx.save_safetensors and mx.load",
)
def test_state_safetensors_file_roundtrip(tmp_path):
    opt = optim.SGD(0.1, momentum=0.9)
    params = opt.apply_gradients(to_tree(GRADS[0]), to_tree(P0))
    f = str(tmp_path / "opt.safetensors")
    mx.save_safetensors(f, dict(tree_flatten(opt.state)))
    back = optim.SGD(0.1, momentum=0.9)
    back.state = tree_unflatten(list(mx.load(f).items()))
    assert back.step.item() == 1
    a = opt.apply_gradients(to_tree(GRADS[1]), params)
    b = back.apply_gradients(to_tree(GRADS[1]), params)
    for (_, x), (_, y) in zip(tree_flatten(a), tree_flatten(b)):
        np.testing.assert_array_equal(np.array(x), np.array(y))
