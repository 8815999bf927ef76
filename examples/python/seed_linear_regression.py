"""The seed's linear regression with mx.grad (/work/shared/seed/000_00799569afe23202.txt,
lines 815-853), verbatim. Its last line uses mx.corrcoef, which MLX lacks (AttributeError
there); mlxc has it, with numpy's semantics.
"""

import mlx.core as mx

# Generate data
N = 100
D = 10
X = mx.random.normal((N, D))
true_w = mx.random.normal((D, 1))
y = X @ true_w + mx.random.normal((N, 1)) * 0.1

# Initialize weights
w = mx.random.normal((D, 1))

# Loss function
def loss_fn(w):
    pred = X @ w
    return mx.mean((pred - y) ** 2)

# Get gradient function
grad_fn = mx.grad(loss_fn)

# Training
lr = 0.1
for i in range(100):
    # Compute gradient
    grad = grad_fn(w)

    # Update weights
    w = w - lr * grad

    # Evaluate (trigger computation)
    mx.eval(w)

    if i % 10 == 0:
        loss = loss_fn(w)
        mx.eval(loss)
        print(f"Step {i}: loss = {loss.item():.6f}")

print(f"\nLearned vs True correlation: {mx.corrcoef(w.flatten(), true_w.flatten())[0,1].item():.4f}")
