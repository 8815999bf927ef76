"""The seed's memory debugging and timing around training steps.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 399-415, 941-955, 959-975);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". Runs under the real MLX and under mlxc (needs mx.metal's memory functions).
"""
import mlx.core as mx
import mlx.nn as nn

import mlx.nn as nn
import mlx.core as mx

class MLP(nn.Module):
    def __init__(self, in_dim, hidden_dim, out_dim):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, hidden_dim)
        self.fc3 = nn.Linear(hidden_dim, out_dim)
        self.dropout = nn.Dropout(p=0.1)

    def __call__(self, x):
        x = nn.relu(self.fc1(x))
        x = self.dropout(x)
        x = nn.relu(self.fc2(x))
        x = self.dropout(x)
        return self.fc3(x)


# --- glue (not in the seed) ---
import numpy as np

rng = np.random.default_rng(0)
mx.random.seed(0)
num_epochs = 2
data = rng.standard_normal((256, 784)).astype(np.float32)
labels = (data[:, :10].argmax(axis=1)).astype(np.int32)
data_loader = [(mx.array(data[i:i + 64]), mx.array(labels[i:i + 64])) for i in range(0, 256, 64)]
val_data = (mx.array(data[:64]), mx.array(labels[:64]))


def evaluate(model, val_data):
    x, y = val_data
    return nn.losses.cross_entropy(model(x), y).mean().item()


# --- end of glue ---
# --- glue (not in the seed) ---
import mlx.optimizers as optim

model = MLP(784, 256, 10)
optimizer = optim.SGD(learning_rate=0.1)
batch_x, batch_y = data_loader[0]
x = batch_x


def loss_fn(model, x, y):
    return nn.losses.cross_entropy(model(x), y).mean()


def train_step(model, x, y):
    return nn.value_and_grad(model, loss_fn)(model, x, y)


# --- end of glue ---
import mlx.core as mx

# Track memory through training
for step in range(100):
    loss, grads = train_step(model, batch_x, batch_y)
    optimizer.update(model, grads)
    mx.eval(model.parameters())

    # Print memory stats
    active = mx.metal.get_active_memory() / 1e9
    peak = mx.metal.get_peak_memory() / 1e9
    print(f"Step {step}: active={active:.2f}GB, peak={peak:.2f}GB")

    # Reset peak to track per-step
    mx.metal.reset_peak_memory()

import time

# Synchronous timing
mx.eval(x)  # Ensure previous ops complete
start = time.perf_counter()

y = model(x)
mx.eval(y)  # Wait for completion

end = time.perf_counter()
print(f"Forward pass: {(end - start) * 1000:.2f}ms")

# Or use mx.synchronize()
mx.synchronize()
start = time.perf_counter()
# ... operations ...
mx.synchronize()
end = time.perf_counter()
