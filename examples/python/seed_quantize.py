"""The seed's quantized layers: a QuantizedLinear and a model converted Linear by Linear.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 399-415, 697-721);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". Runs under the real MLX and under mlxc (needs mx.quantize / mx.quantized_matmul).
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
mx.random.seed(0)
model = MLP(1024, 256, 10)
model.eval()
x = mx.random.normal((4, 1024))
before = model(x)
# --- end of glue ---
import mlx.nn as nn

# Quantized linear layer
quantized_linear = nn.QuantizedLinear(
    input_dims=1024,
    output_dims=1024,
    bias=True,
    group_size=64,  # Quantization group size
    bits=4          # 4-bit quantization
)

# Convert existing model
def quantize_model(model, group_size=64, bits=4):
    """Replace Linear layers with QuantizedLinear"""
    for name, module in model.items():
        if isinstance(module, nn.Linear):
            model[name] = nn.QuantizedLinear.from_linear(
                module, group_size=group_size, bits=bits
            )
        elif isinstance(module, nn.Module):
            quantize_model(module, group_size, bits)
    return model

# Quantize
quantized_model = quantize_model(model)

# --- glue (not in the seed) ---
after = quantized_model(x)
print(type(quantized_model.fc1).__name__, quantized_model.fc1.weight.dtype)
print(quantized_linear(mx.ones((2, 1024))).shape)
print("max |before - after| < 0.1:", mx.abs(before - after).max().item() < 0.1)
# --- end of glue ---
