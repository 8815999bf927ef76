"""The seed's transformer block (pre-norm attention + MLP with residuals), run on a batch.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 527-551);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". Runs under the real MLX and under mlxc.
"""
import mlx.core as mx
import mlx.nn as nn

class TransformerBlock(nn.Module):
    def __init__(self, dims, num_heads, mlp_dims, dropout=0.0):
        super().__init__()
        self.attention = nn.MultiHeadAttention(dims, num_heads)
        self.norm1 = nn.LayerNorm(dims)
        self.norm2 = nn.LayerNorm(dims)
        self.mlp = nn.Sequential(
            nn.Linear(dims, mlp_dims),
            nn.GELU(),
            nn.Linear(mlp_dims, dims),
        )
        self.dropout = nn.Dropout(dropout)

    def __call__(self, x, mask=None):
        # Self-attention with residual
        h = self.norm1(x)
        h = self.attention(h, h, h, mask=mask)
        x = x + self.dropout(h)

        # FFN with residual
        h = self.norm2(x)
        h = self.mlp(h)
        x = x + self.dropout(h)

        return x


# --- glue (not in the seed) ---
mx.random.seed(0)
block = TransformerBlock(dims=64, num_heads=4, mlp_dims=128)
x = mx.random.normal((2, 10, 64))
mask = nn.MultiHeadAttention.create_additive_causal_mask(10)
y = block(x, mask=mask)
print(y.shape, y.dtype)
print(f"{y.sum().item():.4f} {y.abs().mean().item():.4f}")
# --- end of glue ---
