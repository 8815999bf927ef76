"""The seed's selective freezing.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 799-811);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". The real MLX stops at the listing with AttributeError: trainable_parameters() is a
nested dict (its values are dicts); mlxc does the same.
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
for name, param in model.trainable_parameters().items():
    print(f"Training: {name} {param.shape}")
