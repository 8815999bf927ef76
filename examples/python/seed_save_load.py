"""The seed's saving and loading of weights, then inference in eval mode.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 399-415, 659-665, 673-674, 682, 686-688);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". Runs under the real MLX and under mlxc (needs mx.save_safetensors and mx.load).
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
import os
import tempfile

os.chdir(tempfile.mkdtemp())
mx.random.seed(0)
model = MLP(784, 256, 10)
reference = model.parameters()
# --- end of glue ---
# Save weights
model.save_weights("model.safetensors")  # Preferred format
model.save_weights("model.npz")          # NumPy format

# Load weights
model = MLP(784, 256, 10)
model.load_weights("model.safetensors")

# Set to eval mode (disables dropout)
model.eval()

x = mx.random.normal((1, 784))

# --- glue (not in the seed) ---
logits = model(x)
# --- end of glue ---
# Get predictions
probs = mx.softmax(logits, axis=-1)
pred_class = mx.argmax(probs, axis=-1).item()

# --- glue (not in the seed) ---
from mlx.utils import tree_flatten

pairs = zip(tree_flatten(reference), tree_flatten(model.parameters()))
same = all(mx.array_equal(a, b) for (_, a), (_, b) in pairs)
print(same, sorted(os.listdir()), pred_class in range(10))
# --- end of glue ---
