"""Random numbers under transforms, against the numbers the real MLX (0.32.4) prints for the same
keys: the noise of a differentiated function is a constant (no gradient flows into keys),
gradients flow through a distribution's parameters, and vmap over a batch of keys gives each
key its own stream (the values of the loop).
"""
import numpy as np
import pytest

import mlx.core as mx

K0 = mx.random.key(0)
L = [0.1, -0.5, 0.3]


def close(x, y, tol=1e-5):
    np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=tol, atol=tol)


def test_noise_is_a_constant():
    x = mx.array([1.0, 2.0, 3.0])
    g = mx.grad(lambda x: (x * mx.random.normal((3,), key=K0)).sum())(x)
    close(g, [1.81609, -0.482623, 0.339889])
    close(g, mx.random.normal((3,), key=K0), 0)


def test_keys_get_zero_gradients():
    (g,) = mx.vjp(lambda k: mx.random.uniform(shape=(3,), key=k), [K0], [mx.ones((3,))])[1]
    assert g.dtype == mx.uint32 and not np.asarray(g).any()
    (t,) = mx.jvp(lambda k: mx.random.uniform(shape=(3,), key=k), [K0], [K0])[1]
    assert t.shape == (3,) and not np.asarray(t).any()


def test_uniform_grads_match_mlx():
    lo = mx.array(L)
    g = mx.grad(lambda a, b: mx.random.uniform(a, b, shape=(3,), key=K0).sum(), argnums=(0, 1))(
        lo, lo * 3 + 1.0)
    close(g[0], [0.034678518772125244, 0.6853182911872864, 0.3669700026512146])
    close(g[1], [0.9653214812278748, 0.3146817088127136, 0.6330299973487854])


def test_normal_loc_scale_grads_match_mlx():
    lo = mx.array(L)
    g = mx.grad(lambda m, s: mx.random.normal(shape=(3,), loc=m, scale=s, key=K0).sum(),
                argnums=(0, 1))(lo, mx.abs(lo))
    close(g[0], [1.0, 1.0, 1.0])
    close(g[1], [1.8160871267318726, -0.48262301087379456, 0.339889258146286])


def test_truncated_normal_grads_match_mlx():
    # through erf (the bounds), the uniform, erfinv and the clip
    lo = mx.array(L)
    f = lambda a, b: mx.random.truncated_normal(a, b, shape=(3,), key=K0)
    close(f(lo, lo + 1.0), [1.0497369766235352, -0.17882633209228516, 0.8363012671470642])
    g = mx.grad(lambda a, b: f(a, b).sum(), argnums=(0, 1))(lo, lo + 1.0)
    close(g[0], [0.0598650798201561, 0.6145393252372742, 0.4976913630962372], 1e-4)
    close(g[1], [0.9145527482032776, 0.28218168020248413, 0.38576096296310425], 1e-4)
    # in the tail
    hi = mx.array([-3.0, -3.0])
    g = mx.grad(lambda h: mx.random.truncated_normal(mx.array([-4.0, -4.0]), h, key=K0).sum())(hi)
    close(g, [0.823734700679779, 0.9765312075614929], 1e-4)


def test_permutation_grad_matches_mlx():
    x = mx.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
    w = mx.array([1.0, 2.0, 3.0, 4.0])
    g = mx.grad(lambda x: (mx.random.permutation(x, axis=1, key=K0) * w).sum())(x)
    close(g, [[4.0, 1.0, 3.0, 2.0], [4.0, 1.0, 3.0, 2.0]], 0)
    assert np.asarray(mx.random.permutation(4, key=K0)).tolist() == [1, 3, 2, 0]


def test_integer_outputs_have_zero_gradients():
    logits = mx.array([0.1, 1.0, 2.0])
    c = mx.random.categorical(logits, key=K0)
    assert c.item() == 0  # as MLX
    g = mx.grad(lambda l: (mx.random.categorical(l, key=K0) + 1).astype(mx.float32) * l.sum())(
        logits)
    close(g, [1.0, 1.0, 1.0], 0)  # d/dl ((c + 1) sum(l)): the category is a constant
    (t,) = mx.jvp(lambda l: mx.random.categorical(l, num_samples=4, key=K0), [logits], [logits])[1]
    assert t.dtype == mx.uint32 and t.shape == (4,) and not np.asarray(t).any()
    p = mx.array([0.2, 0.7])
    g = mx.grad(lambda p: mx.random.bernoulli(p, key=K0).astype(mx.float32).sum())(p)
    close(g, [0.0, 0.0], 0)


def test_multivariate_normal():
    g = mx.grad(lambda m: mx.random.multivariate_normal(m, mx.eye(2), shape=(3,), key=K0).sum())(
        mx.zeros((2,)))
    close(g, [3.0, 3.0], 0)
    with pytest.raises((ValueError, RuntimeError), match="CovSqrt"):
        mx.grad(lambda c: mx.random.multivariate_normal(mx.zeros((2,)), c, key=K0).sum())(mx.eye(2))
    cov = mx.array([[[2.0, 0.5], [0.5, 1.0]], [[1.0, 0.0], [0.0, 3.0]]])
    out = mx.vmap(lambda c: mx.random.multivariate_normal(mx.zeros((2,)), c, key=K0))(cov)
    loop = [mx.random.multivariate_normal(mx.zeros((2,)), cov[i], key=K0) for i in range(2)]
    close(out, mx.stack(loop), 0)


KEYS = mx.random.split(K0, 3)


@pytest.mark.parametrize("name,fn,want", [
    ("normal", lambda k: mx.random.normal((2,), key=k),
     [[-0.09493798017501831, -0.09086103737354279], [1.2636862993240356, -0.04230217635631561],
      [0.21635691821575165, -0.5267850160598755]]),
    ("permutation", lambda k: mx.random.permutation(5, key=k),
     [[1, 0, 4, 3, 2], [3, 0, 2, 1, 4], [4, 2, 3, 0, 1]]),
    ("categorical", lambda k: mx.random.categorical(mx.array([0.1, 1.0, 2.0]), num_samples=4,
                                                    key=k),
     [[2, 2, 2, 2], [2, 2, 2, 2], [2, 1, 2, 1]]),
    ("split", lambda k: mx.random.split(k),
     [[[3574170082, 2412527398], [1704566554, 3503162380]],
      [[1530262840, 2749925033], [2167097895, 1933864296]],
      [[2338022071, 1108999154], [1694077080, 732156480]]]),
])
def test_vmap_over_keys_matches_mlx_and_the_loop(name, fn, want):
    out = mx.vmap(fn)(KEYS)
    close(out, np.array(want), 1e-6)
    close(out, mx.stack([fn(KEYS[i]) for i in range(3)]), 0)
    # keys batched along their last axis
    close(mx.vmap(fn, in_axes=1)(KEYS.T), out, 0)


def test_vmap_of_grad_through_noise():
    x = mx.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    f = lambda x, k: (x * mx.random.uniform(shape=(2,), key=k)).sum()
    g = mx.vmap(mx.grad(f))(x, KEYS)
    close(g, mx.stack([mx.random.uniform(shape=(2,), key=KEYS[i]) for i in range(3)]), 0)
