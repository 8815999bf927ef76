"""Logistic regression with per-example gradients from mx.vmap(mx.grad(...)).

Each step computes every example's gradient at once, clips each to norm at most 1 (as in
differentially private SGD) and averages them. The unclipped average equals the batch
gradient, which the first step checks. Core MLX only; runs unchanged under the real MLX and
under mlxc.

    python examples/logistic_regression_vmap.py
"""
import mlx.core as mx

num_features, num_examples, num_steps, lr, clip = 4, 200, 60, 0.5, 1.0

x_key, w_key = mx.random.split(mx.random.key(3))
X = mx.random.normal((num_examples, num_features), key=x_key)
w_true = mx.random.normal((num_features,), key=w_key) * 2
labels = (X @ w_true > 0).astype(mx.float32)


def example_loss(w, x, label):
    """Binary cross-entropy of one example (x: features, label: 0 or 1)."""
    logit = mx.sum(w * x)
    return mx.logaddexp(0.0, logit) - label * logit


def batch_loss(w):
    return mx.mean(mx.vmap(example_loss, in_axes=(None, 0, 0))(w, X, labels))


per_example_grads = mx.vmap(mx.grad(example_loss), in_axes=(None, 0, 0))


def accuracy(w):
    predictions = mx.sigmoid(X @ w) > 0.5
    return mx.mean(predictions == labels.astype(mx.bool_)).item()


w = mx.zeros((num_features,))
grads = per_example_grads(w, X, labels)
print("per-example gradients:", grads.shape)
difference = mx.abs(grads.mean(axis=0) - mx.grad(batch_loss)(w)).max().item()
print(f"mean of per-example gradients == batch gradient: {difference < 1e-6}")

for step in range(num_steps):
    grads = per_example_grads(w, X, labels)
    norms = mx.sqrt(mx.sum(grads * grads, axis=1, keepdims=True))
    grads = grads * mx.minimum(1.0, clip / mx.maximum(norms, 1e-12))
    w = w - lr * grads.mean(axis=0)
    mx.eval(w)
    if step % 10 == 0 or step == num_steps - 1:
        clipped = mx.sum(norms > clip).item()
        print(f"step {step:2d}  loss {batch_loss(w).item():.5f}  clipped {clipped:3d}  "
              f"accuracy {accuracy(w):.3f}")

direction = w / mx.sqrt(mx.sum(w * w))
true_direction = w_true / mx.sqrt(mx.sum(w_true * w_true))
print(f"cosine(w, w_true) = {mx.sum(direction * true_direction).item():.4f}")
print("w =", mx.round(w, 3))
