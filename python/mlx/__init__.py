"""mlx: MLX-compatible arrays for Linux, backed by the mlxc C library (see ``mlx.core``)."""

__version__ = "0.1.0"
