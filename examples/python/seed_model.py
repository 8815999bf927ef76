"""The seed's model definition and its parameter listing.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 399-421) except one line, marked "fixed": the seed
iterates parameters().items() as if its values were arrays, but it is a nested dict
(in the real MLX too, which stops there with AttributeError); the fixed line flattens it
with mlx.utils.tree_flatten, so the script runs under both and prints the same.
What the seed leaves undefined is added in blocks marked "glue".
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
# fixed: the seed has `for name, param in model.parameters().items():`
from mlx.utils import tree_flatten
for name, param in tree_flatten(model.parameters()):
    print(f"{name}: {param.shape}")
