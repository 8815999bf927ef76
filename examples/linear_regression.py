"""Linear regression by gradient descent with mx.value_and_grad.

Core MLX only: random data from a seeded key, matrix products, gradients, printing; the last
line checks the normal equations (X^T r = 0 at the least-squares solution). Runs unchanged under the real MLX and under mlxc.

    python examples/linear_regression.py
"""
import mlx.core as mx

num_features, num_examples, num_steps, lr = 6, 256, 300, 0.05

key = mx.random.key(7)
w_key, x_key, noise_key = mx.random.split(key, 3)
w_star = mx.random.normal((num_features,), key=w_key)
X = mx.random.normal((num_examples, num_features), key=x_key)
y = X @ w_star + 0.01 * mx.random.normal((num_examples,), key=noise_key)


def loss_fn(w, b):
    residual = X @ w + b - y
    return 0.5 * mx.mean(mx.square(residual))


loss_and_grad = mx.value_and_grad(loss_fn, argnums=(0, 1))

w = mx.zeros((num_features,))
b = mx.array(0.0)
for step in range(num_steps):
    loss, (dw, db) = loss_and_grad(w, b)
    w = w - lr * dw
    b = b - lr * db
    mx.eval(w, b)
    if step % 50 == 0 or step == num_steps - 1:
        print(f"step {step:3d}  loss {loss.item():.6f}")

error = mx.sqrt(mx.sum((w - w_star) ** 2))
print(f"|w - w*| = {error.item():.5f}")
print(f"bias = {b.item():.5f}")
print("w* =", mx.round(w_star, 3))
print("w  =", mx.round(w, 3))

# At the least-squares solution the residual r = X w + b - y is orthogonal to X's columns.
gradient_norm = mx.abs(X.T @ (X @ w + b - y)).max()
print(f"max |X^T r| = {gradient_norm.item():.4f}")
