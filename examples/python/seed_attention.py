"""The seed's MultiHeadAttention call with a causal mask.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 468-493) except one line, marked "fixed": the seed's
causal mask is (10, 10) while the keys have length 20, so mask and scores do not broadcast
(the real MLX stops there with ValueError). The fixed mask is the last 10 rows of the
20-key causal mask (the queries are the last 10 positions), so the script runs under both.
"""
import mlx.nn as nn
import mlx.core as mx

# Create attention layer
attn = nn.MultiHeadAttention(
    dims=512,           # Model dimension
    num_heads=8,        # Number of attention heads
    query_input_dims=512,
    key_input_dims=512,
    value_input_dims=512,
    value_dims=512,
    value_output_dims=512,
    bias=False
)

# Forward pass
queries = mx.random.normal((2, 10, 512))  # (batch, seq_len, dim)
keys = mx.random.normal((2, 20, 512))
values = mx.random.normal((2, 20, 512))

# Optional: causal mask for autoregressive
# fixed: the seed has `create_additive_causal_mask(10)`, a (10, 10) mask for 20 keys
mask = nn.MultiHeadAttention.create_additive_causal_mask(20)[-10:]

output = attn(queries, keys, values, mask=mask)
print(output.shape)  # (2, 10, 512)

