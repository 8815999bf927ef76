"""A two-layer network kept as a tree of arrays, trained with SGD and momentum.

The parameters are a nested dict / list; mx.value_and_grad differentiates with respect to the
whole tree and mlx.utils' tree functions do the updates. Minibatches come from a random
permutation, and training runs on its own stream. Core MLX only (no mlx.nn); runs unchanged
under the real MLX and under mlxc.

    python examples/tree_sgd.py
"""
import math

import mlx.core as mx
from mlx.utils import tree_flatten, tree_map, tree_unflatten

hidden, num_examples, batch_size, num_epochs, lr, momentum = 16, 256, 32, 30, 0.05, 0.9

mx.random.seed(11)
x = mx.random.uniform(-math.pi, math.pi, (num_examples, 1))
y = mx.sin(x)


def init_params(key):
    k1, k2 = mx.random.split(key)
    return {
        "layers": [
            {"w": mx.random.normal((1, hidden), key=k1), "b": mx.zeros((hidden,))},
            {"w": mx.random.normal((hidden, 1), key=k2) / math.sqrt(hidden),
             "b": mx.zeros((1,))},
        ]
    }


def forward(params, inputs):
    h = inputs
    layers = params["layers"]
    for i, layer in enumerate(layers):
        h = h @ layer["w"] + layer["b"]
        if i + 1 < len(layers):
            h = mx.tanh(h)
    return h


def loss_fn(params, inputs, targets):
    return mx.mean(mx.square(forward(params, inputs) - targets))


params = init_params(mx.random.key(0))
flat = tree_flatten(params)
print("parameters:", ", ".join(f"{name}{tuple(p.shape)}" for name, p in flat))
print("count:", sum(p.size for _, p in flat))

loss_and_grad = mx.value_and_grad(loss_fn)
velocity = tree_map(mx.zeros_like, params)
stream = mx.new_stream(mx.default_device())
with mx.stream(stream):
    for epoch in range(num_epochs):
        order = mx.random.permutation(num_examples)
        total = 0.0
        for start in range(0, num_examples, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = loss_and_grad(params, x[batch], y[batch])
            velocity = tree_map(lambda v, g: momentum * v + g, velocity, grads)
            params = tree_map(lambda p, v: p - lr * v, params, velocity)
            mx.eval(params, velocity, loss)
            total += loss.item() * batch.size
        if epoch % 5 == 0 or epoch == num_epochs - 1:
            print(f"epoch {epoch:2d}  mean loss {total / num_examples:.5f}")
mx.synchronize(stream)

# Rebuild the tree from its flat form and evaluate on a grid.
params = tree_unflatten(tree_flatten(params))
grid = mx.linspace(-2.5, 2.5, 6).reshape(-1, 1)
print("x       =", grid.reshape(-1))
print("sin(x)  =", mx.round(mx.sin(grid).reshape(-1), 2))
print("network =", mx.round(forward(params, grid).reshape(-1), 2))
print(f"final loss {loss_fn(params, x, y).item():.5f}")
