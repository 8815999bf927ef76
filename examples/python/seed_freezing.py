"""The seed's selective freezing.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 799-811) except one line, marked "fixed": the seed
iterates trainable_parameters().items() as if its values were arrays, but it is a nested dict
(in the real MLX too, which stops there with AttributeError); the fixed line flattens it
with mlx.utils.tree_flatten, so the script runs under both and prints the same.
What the seed leaves undefined (the model) is added in the block marked "glue".
"""
import mlx.core as mx
# --- glue (not in the seed) ---
import mlx.nn as nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = nn.MultiHeadAttention(32, 4)
        self.norm = nn.LayerNorm(32)
        self.classifier = nn.Linear(32, 2)

    def __call__(self, x):
        return self.classifier(self.norm(self.attention(x, x, x)))


mx.random.seed(0)
model = Model()
# --- end of glue ---
# Freeze entire model
model.freeze()

# Unfreeze specific layers
model.classifier.unfreeze()

# Freeze by key pattern
model.freeze(keys="bias")  # Freeze all biases
model.unfreeze(keys="weight")  # Unfreeze all weights

# Check what's trainable
# fixed: the seed has `for name, param in model.trainable_parameters().items():`
from mlx.utils import tree_flatten
for name, param in tree_flatten(model.trainable_parameters()):
    print(f"Training: {name} {param.shape}")
