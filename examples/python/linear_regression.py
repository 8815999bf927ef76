"""The seed's linear-regression example: gradient descent with mx.grad.

Until mx.random lands, the data comes from numpy's generator; the seed's last line uses
numpy's corrcoef (MLX has no mx.corrcoef).
"""
import numpy as np

import mlx.core as mx

rng = np.random.default_rng(0)
N, D = 100, 10
X = mx.array(rng.standard_normal((N, D)).astype(np.float32))
true_w = mx.array(rng.standard_normal((D, 1)).astype(np.float32))
y = X @ true_w + mx.array(rng.standard_normal((N, 1)).astype(np.float32)) * 0.1

w = mx.array(rng.standard_normal((D, 1)).astype(np.float32))


def loss_fn(w):
    err = X @ w - y
    return mx.sum(err * err) / N


grad_fn = mx.grad(loss_fn)


lr = 0.1
for i in range(100):
    w = w - lr * grad_fn(w)
    mx.eval(w)
    if i % 10 == 0:
        loss = loss_fn(w)
        mx.eval(loss)
        print(f"Step {i}: loss = {loss.item():.6f}")

corr = np.corrcoef(np.array(w).ravel(), np.array(true_w).ravel())[0, 1]
print(f"\nLearned vs True correlation: {corr:.4f}")
