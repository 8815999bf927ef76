"""The seed's model definition and its parameter listing.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 399-421);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". The real MLX stops at the listing with AttributeError: parameters() is a nested dict
(its values are dicts, not arrays); mlxc does the same.
"""
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

model = MLP(784, 256, 10)

# Inspect parameters
for name, param in model.parameters().items():
    print(f"{name}: {param.shape}")
