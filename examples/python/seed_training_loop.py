"""The seed's complete training loop with its compiled step.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 399-415, 600-639);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". The real MLX stops at the first step with AttributeError: mx.compile passes the
model argument to the step as a plain dict. mlxc keeps it a Module, so the loop runs.
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

# Training step - use nn.value_and_grad for models
@mx.compile
def train_step(model, x, y):
    loss, grads = nn.value_and_grad(model, loss_fn)(model, x, y)
    return loss, grads

# Training loop
for epoch in range(num_epochs):
    model.train()  # Enable dropout

    for batch_x, batch_y in data_loader:
        # Forward + backward
        loss, grads = train_step(model, batch_x, batch_y)

        # Update parameters
        optimizer.update(model, grads)

        # Evaluate to release memory
        mx.eval(model.parameters())

    # Validation
    model.eval()  # Disable dropout
    val_loss = evaluate(model, val_data)

    print(f"Epoch {epoch}: train_loss={loss.item():.4f}, val_loss={val_loss:.4f}")
