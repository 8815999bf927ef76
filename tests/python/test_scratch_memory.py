"""Kernels' large temporaries come from the caching allocator: buffers past glibc's mmap threshold
taken from malloc are mapped and unmapped on every call, and page faults then cost more than the
work (counted with getrusage's minor faults, not timed)."""
import resource

import numpy as np

import mlx.core as mx


def _fresh_pages_per_call(fn, calls=4):
    for _ in range(2):
        mx.eval(fn())
    r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        mx.eval(fn())
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0) / calls


def test_long_transforms_reuse_their_scratch():
    # a 2^20-point transform's 34 MB scratch came from malloc, which maps and unmaps blocks that
    # large: 28 MB of page faults on every call (the transform ran at a third of its speed)
    x = mx.array((np.random.default_rng(0).standard_normal(1 << 20)).astype(np.complex64))
    mx.eval(x)
    assert _fresh_pages_per_call(lambda: mx.fft.fft(x)) < 256  # under 1 MB of 4 KiB pages


def test_large_scatter_reuses_its_offsets_buffer():
    # scatter's per-update offsets (16 bytes each) likewise: 48 MB of fresh pages per call
    n = 3 * 10**6
    x = mx.zeros((n,))
    i = mx.array(np.random.default_rng(1).integers(0, n, n).astype(np.int32))
    mx.eval(x, i)
    assert _fresh_pages_per_call(lambda: x.at[i].add(1.0)) < 256
