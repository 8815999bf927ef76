"""The seed's optimizers and learning-rate schedules.

Assembled from the seed's overview of MLX (/work/shared/seed/000_00799569afe23202.txt):
the seed's code is verbatim (lines 560-596);
what the seed leaves undefined (data, the model, a driver) is added in the blocks marked
"glue". Runs under the real MLX and under mlxc.
"""
import mlx.optimizers as optim

# SGD with momentum
optimizer = optim.SGD(learning_rate=0.01, momentum=0.9, nesterov=True)

# Adam
optimizer = optim.Adam(learning_rate=0.001, betas=(0.9, 0.999), eps=1e-8)

# AdamW (Adam with decoupled weight decay)
optimizer = optim.AdamW(learning_rate=0.001, weight_decay=0.01)


import mlx.optimizers as optim

# Exponential decay
lr_schedule = optim.exponential_decay(init=1e-3, decay_rate=0.99)

# Step decay
lr_schedule = optim.step_decay(init=1e-3, decay_rate=0.5, step_size=1000)

# Cosine annealing
lr_schedule = optim.cosine_decay(init=1e-3, decay_steps=10000, end=1e-5)

# Linear warmup + cosine decay
lr_schedule = optim.join_schedules(
    schedules=[
        optim.linear_schedule(init=0, end=1e-3, steps=100),
        optim.cosine_decay(init=1e-3, decay_steps=9900),
    ],
    boundaries=[100]
)

# Use with optimizer
optimizer = optim.Adam(learning_rate=lr_schedule)

# --- glue (not in the seed) ---
for step in [0, 50, 100, 101, 5000, 9999, 20000]:
    print(step, f"{lr_schedule(step).item():.8f}")
# --- end of glue ---
