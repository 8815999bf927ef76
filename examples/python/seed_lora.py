"""The seed's LoRA fine-tuning: wrap the attention projections, freeze the rest.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 755-795) except one line, marked "fixed": the seed
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
import mlx.nn as nn

class LoRALinear(nn.Module):
    """Linear layer with LoRA adaptation"""

    def __init__(self, linear, rank=8, alpha=16):
        super().__init__()
        in_dim = linear.weight.shape[1]
        out_dim = linear.weight.shape[0]

        # Freeze original weights
        self.linear = linear
        self.linear.freeze()

        # Low-rank matrices (trainable)
        scale = alpha / rank
        self.lora_a = mx.random.normal((in_dim, rank)) * 0.01
        self.lora_b = mx.zeros((rank, out_dim))
        self.scale = scale

    def __call__(self, x):
        # Original forward + LoRA
        y = self.linear(x)
        lora_out = (x @ self.lora_a @ self.lora_b) * self.scale
        return y + lora_out

# Apply LoRA to model
def apply_lora(model, rank=8, target_modules=["query_proj", "value_proj"]):
    for name, module in model.items():
        if any(t in name for t in target_modules) and isinstance(module, nn.Linear):
            model[name] = LoRALinear(module, rank=rank)
        elif isinstance(module, nn.Module):
            apply_lora(module, rank, target_modules)

# Freeze base model, only train LoRA
model.freeze()
apply_lora(model)

# Now only LoRA parameters are trainable
trainable = model.trainable_parameters()
# fixed: the seed has `sum(p.size for p in trainable.values())`
from mlx.utils import tree_flatten
print(f"Trainable params: {sum(p.size for _, p in tree_flatten(trainable))}")
