"""Shared fixtures for the mlx.core tests.

Run against an installed package (pip install /work/main) or a build tree
(PYTHONPATH=<build>/python). The tests need numpy and pytest (the package itself does not need
numpy); numpy gives the reference values (float64 where it matters).
"""
import gc

import pytest

import mlx.core as mx

ALL_DTYPES = [
    mx.bool_, mx.uint8, mx.uint16, mx.uint32, mx.uint64,
    mx.int8, mx.int16, mx.int32, mx.int64,
    mx.float16, mx.float32, mx.float64, mx.bfloat16, mx.complex64,
]


@pytest.fixture(autouse=True)
def restore_defaults():
    """Every test starts and ends on the CPU default stream."""
    dev = mx.default_device()
    stream = mx.default_stream(dev)
    yield
    mx.set_default_device(dev)
    mx.set_default_stream(stream)


@pytest.fixture
def collect():
    def _collect():
        gc.collect()
        mx.synchronize()
    return _collect
