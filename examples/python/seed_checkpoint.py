"""The seed's gradient checkpointing (nn.checkpoint: the real MLX has nn.utils.checkpoint only).

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 399-415, 600-613, 644-649);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". Runs under mlxc; the real MLX lacks nn.checkpoint (AttributeError).
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

import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim

# Model
model = MLP(784, 256, 10)

# Optimizer
optimizer = optim.AdamW(learning_rate=1e-3, weight_decay=0.01)

# Loss function
def loss_fn(model, x, y):
    logits = model(x)
    return nn.losses.cross_entropy(logits, y).mean()

checkpointed_model = nn.checkpoint(model)

def loss_fn(model, x, y):
    # Intermediate activations not stored, recomputed during backward
    logits = checkpointed_model(x)
    return nn.losses.cross_entropy(logits, y).mean()

# --- glue (not in the seed) ---
loss, grads = nn.value_and_grad(model, loss_fn)(model, *data_loader[0])
optimizer.update(model, grads)
mx.eval(model.parameters())
print(f"loss {loss.item():.5f}")
# --- end of glue ---
